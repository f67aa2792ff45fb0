"""The indicator map is a spatial view: values without geometry, the area's polygon joined.

GDAL reads the view of a GeoPackage (``pyogrio``), PostGIS's by SQL; the values table
carries no geometry, so the store does not hold a polygon copy per value row, and a
store-to-store export gives the target its own view over the copied values.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import geopandas as gpd
import pandas as pd
import psycopg
import pyogrio
import pytest
import shapely

from geo.schema import SCHEMA
from geo.store import open_store
from geo.store.base import Store
from monitoring.interop.qgis import MAP_LAYER, VALUES_LAYER, refresh_in


def view_features(store: Store) -> gpd.GeoDataFrame:
    """The features of the view as a GIS program reads them (GDAL, or SQL on PostGIS)."""
    if store.url.startswith("postgresql"):
        dsn, schema = store.url.split("?schema=")
        with psycopg.connect(dsn) as conn:
            rows = conn.execute(
                "SELECT fid, gebiet, name, kennung, ST_AsBinary(geometry), ST_SRID(geometry) "
                f'FROM "{schema}"."{MAP_LAYER}"'
            ).fetchall()
        srid = {r[5] for r in rows}
        assert len(srid) == 1
        return gpd.GeoDataFrame(
            pd.DataFrame([r[:4] for r in rows], columns=["fid", "gebiet", "name", "kennung"]),
            geometry=shapely.from_wkb([bytes(r[4]) for r in rows]),
            crs=srid.pop(),
        )
    frame = pyogrio.read_dataframe(store.url, layer=MAP_LAYER, fid_as_index=True)
    return frame.rename_axis("fid").reset_index()


def check_view(store: Store) -> None:
    values = store.read(VALUES_LAYER)
    features = view_features(store)
    assert len(features) == len(values) > 1000
    assert features["fid"].is_unique
    assert str(features.crs) == str(store.crs) or features.crs.equals(store.crs)
    areas = store.read("areas").set_index("id")
    want = gpd.GeoSeries(features["gebiet"].map(areas.geometry), crs=areas.crs)
    assert features.geometry.geom_equals_exact(want, tolerance=1e-6).all()
    assert (features["name"] == features["gebiet"].map(areas["name"])).all()
    assert sorted(features["kennung"]) == sorted(values["kennung"])


def test_the_values_carry_no_geometry_and_the_view_joins_the_area(store_url: str) -> None:
    from data.musterstadt import load_musterstadt

    assert not SCHEMA.layer(VALUES_LAYER).spatial
    assert MAP_LAYER not in SCHEMA.layers and SCHEMA.has_geometry(MAP_LAYER)
    store = open_store(store_url)
    store.init(crs="EPSG:25832")
    load_musterstadt(store)
    try:
        assert "geometry" not in store.read(VALUES_LAYER).columns
        check_view(store)
        if store_url.startswith("postgresql"):
            dsn, schema = store_url.split("?schema=")
            with psycopg.connect(dsn) as conn:
                columns = conn.execute(
                    "SELECT udt_name FROM information_schema.columns "
                    "WHERE table_schema = %s AND table_name = %s",
                    (schema, VALUES_LAYER),
                ).fetchall()
                assert ("geometry",) not in columns
                registered = conn.execute(
                    "SELECT type, srid FROM geometry_columns "
                    "WHERE f_table_schema = %s AND f_table_name = %s",
                    (schema, MAP_LAYER),
                ).fetchall()
                assert registered == [("MULTIPOLYGON", 25832)]
                kind = conn.execute(
                    "SELECT table_type FROM information_schema.tables "
                    "WHERE table_schema = %s AND table_name = %s",
                    (schema, MAP_LAYER),
                ).fetchone()
                assert kind == ("VIEW",)
        else:
            with sqlite3.connect(store_url) as conn:
                geometry_of = dict(
                    conn.execute("SELECT table_name, geometry_type_name FROM gpkg_geometry_columns")
                )
                contents = conn.execute(
                    "SELECT data_type, identifier, min_x IS NOT NULL FROM gpkg_contents "
                    "WHERE table_name = ?",
                    (MAP_LAYER,),
                ).fetchone()
                kind = conn.execute(
                    "SELECT type FROM sqlite_master WHERE name = ?", (MAP_LAYER,)
                ).fetchone()
            assert VALUES_LAYER not in geometry_of
            assert geometry_of[MAP_LAYER] == "MULTIPOLYGON"
            assert contents == ("features", "Indikatorkarte", 1)  # with its extent
            assert kind == ("view",)
    finally:
        store.close()


def test_heavier_polygons_leave_the_values_table_as_it_is(demo_path: Path, tmp_path: Path) -> None:
    """Each area's polygon five times as heavy: the view shows it, the values table (a
    polygon copy per row before) keeps its size; the file grows by the areas alone."""
    path = tmp_path / "schwer.gpkg"
    shutil.copy(demo_path, path)

    def table_bytes() -> dict[str, int]:
        with sqlite3.connect(path) as conn:
            return dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))

    before = table_bytes()
    store = open_store(str(path))
    areas = store.read("areas")
    heavy = areas.assign(geometry=shapely.segmentize(areas.geometry.to_numpy(), 25.0))
    with store.transaction() as tx:
        tx.write("areas", heavy, mode="replace")
        refresh_in(tx)
    after = table_bytes()
    grown = after["areas"] - before["areas"]
    rows = len(store.read(VALUES_LAYER))
    assert grown > 4 * before["areas"] > 0  # the polygons: five times as heavy
    assert abs(after[VALUES_LAYER] - before[VALUES_LAYER]) < 0.02 * before[VALUES_LAYER]
    assert grown / len(areas) * rows > 10 * before[VALUES_LAYER]  # what copies would add
    assert not any(name.startswith("rtree_indicator_map") for name in after)
    features = view_features(store)
    counts = shapely.get_num_coordinates(features.geometry.to_numpy())
    assert counts.sum() == sum(
        shapely.get_num_coordinates(heavy.set_index("id").geometry[g]) for g in features["gebiet"]
    )
    store.close()


@pytest.mark.parametrize("direction", ["gpkg-postgis-gpkg"])
def test_an_export_gives_the_target_its_own_view(
    demo_path: Path, pg_url: str, tmp_path: Path, direction: str
) -> None:
    from cli.main import main

    assert main(["export", "--store", str(demo_path), "--to", pg_url]) == 0
    back = tmp_path / "zurueck.gpkg"
    assert main(["export", "--store", pg_url, "--to", str(back)]) == 0
    source = open_store(str(demo_path))
    expected = len(source.read(VALUES_LAYER))
    source.close()
    for url in (pg_url, str(back)):
        store = open_store(url)
        try:
            assert len(store.read(VALUES_LAYER)) == expected
            check_view(store)
            with store.transaction() as tx:
                styles = tx.read_layer_styles()
            assert (styles["f_table_name"] == MAP_LAYER).sum() > 1  # styles on the view
        finally:
            store.close()
