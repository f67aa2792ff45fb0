"""Export between the stores: GeoPackage -> PostGIS -> GeoPackage keeps every row."""

from __future__ import annotations

from pathlib import Path

import pytest
from geopandas.testing import assert_geodataframe_equal
from pandas.testing import assert_frame_equal

from cli.main import main
from geo.errors import SchemaError
from geo.schema import SCHEMA
from geo.store import open_store
from geo.store.transfer import copy_store
from tests.store.test_contract import CRS, sample_frame


def filled(url: str) -> None:
    store = open_store(url)
    store.init(crs=CRS)
    with store.transaction() as tx:
        for name, layer in SCHEMA.layers.items():
            tx.write(name, sample_frame(layer, 5))
    store.close()


def assert_stores_equal(a_url: str, b_url: str, *, ignore: tuple[str, ...] = ()) -> None:
    a, b = open_store(a_url), open_store(b_url)
    assert a.counts() == b.counts()
    for name, layer in SCHEMA.layers.items():
        left, right = a.read(name), b.read(name)
        drop = [c for c in ignore if c in left]
        left, right = left.drop(columns=drop), right.drop(columns=drop)
        if layer.spatial:  # same geometries within 1 mm
            assert_geodataframe_equal(left, right, check_less_precise=True)
            assert (left.geometry.hausdorff_distance(right.geometry) < 1e-3).all()
        else:
            assert_frame_equal(left, right)


@pytest.mark.postgis
def test_gpkg_postgis_gpkg_round_trip(tmp_path: Path, pg_url: str) -> None:
    first, back = str(tmp_path / "a.gpkg"), str(tmp_path / "b.gpkg")
    filled(first)
    counts = copy_store(open_store(first), open_store(pg_url))
    assert counts == {name: 5 for name in SCHEMA.layers}
    copy_store(open_store(pg_url), open_store(back))
    assert_stores_equal(first, pg_url)
    assert_stores_equal(first, back)


def test_export_refuses_other_storage_crs(tmp_path: Path) -> None:
    source, target = str(tmp_path / "a.gpkg"), str(tmp_path / "b.gpkg")
    filled(source)
    open_store(target).init(crs="EPSG:25832")
    with pytest.raises(SchemaError, match="speichert Geometrien in EPSG:25832"):
        copy_store(open_store(source), open_store(target))
    assert sum(open_store(target).counts().values()) == 0


@pytest.mark.postgis
def test_cli_init_layers_export(
    tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = str(tmp_path / "a.gpkg")
    assert main(["init", "--store", source, "--crs", "EPSG:25833"]) == 0
    assert "(angelegt)" in capsys.readouterr().out
    filled_store = open_store(source)
    filled_store.write("areas", sample_frame(SCHEMA.layer("areas"), 3))
    assert main(["layers", "--store", source]) == 0
    out = capsys.readouterr().out
    assert "areas" in out and "        3  Gebiete" in out
    assert main(["export", "--store", source, "--to", pg_url]) == 0
    assert open_store(pg_url).counts()["areas"] == 3


def test_cli_refuses_bad_store_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["layers", "--store", "mysql://x/y"]) == 2
    err = capsys.readouterr().err
    assert "weder ein GeoPackage noch eine PostGIS-Datenbank" in err
    assert "Traceback" not in err


@pytest.mark.postgis
def test_demo_city_same_in_both_stores_and_round_trips(tmp_path: Path, pg_url: str) -> None:
    """Issue 2: `qmon demo` gives the same counts in both stores, and PostGIS -> GeoPackage
    -> PostGIS keeps every row and every geometry (within 1 mm)."""
    gpkg = str(tmp_path / "demo.gpkg")
    assert main(["demo", "--store", gpkg]) == 0
    assert main(["demo", "--store", pg_url]) == 0
    counts = open_store(pg_url).counts()
    assert counts == open_store(gpkg).counts()
    assert counts["buildings"] > 20_000 and counts["measures"] >= 60

    copy_target = str(tmp_path / "copy.gpkg")
    copy_store(open_store(pg_url), open_store(copy_target))
    back = pg_url.replace("?schema=", "?schema=back_")
    try:
        copy_store(open_store(copy_target), open_store(back))
        assert_stores_equal(pg_url, back)
        # an independent build differs only in when its records were created
        assert_stores_equal(gpkg, back, ignore=("created_at", "updated_at"))
    finally:
        import psycopg

        with psycopg.connect(pg_url.split("?")[0], autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{back.split("=")[1]}" CASCADE')
