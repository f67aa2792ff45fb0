"""Hostile and broken input, refused at the readers: one test per class, both stores.

Each test builds its hostile input itself, runs the import (the use case and the
``qmon`` command line), and asserts that the refusal names what is wrong (file, row
or feature, column, value, fix), that nothing escapes as a traceback, and that the
store holds exactly what it held before (content, not only counts).

The ``--sql`` tests run against the real PostgreSQL of ``QMON_TEST_PG``: the
hostile queries must change nothing in the source database either.
"""

from __future__ import annotations

import inspect
import json
import math
import shutil
import struct
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import psycopg
import pytest
import shapely
from psycopg import sql

from cli.main import main
from geo.errors import ImportRefused
from geo.readers import InputLimits, read_sql, read_vector
from geo.store import Store
from geo.validation import MAX_PER_KIND
from monitoring.imports import (
    import_areas,
    import_buildings,
    import_indicators,
    import_measures,
)
from tests.conftest import PG_DSN
from tests.imports._util import IDS, assert_unchanged, boxes, snapshot

AREA = {"level": "PLR", "id_col": "PLR_ID", "name_col": "PLR_NAME", "valid_from": "2023-01-01"}
IND = {"id_col": "PLR_ID", "period": "2021-12-31"}


@pytest.fixture(autouse=True)
def _admin_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line acts as an admin, so a refusal here is about the input, not the role."""
    monkeypatch.setenv("QMON_USER", "hostile-test")
    monkeypatch.setenv("QMON_ROLE", "admin")
    for name in ("QMON_MAX_UNPACKED_MB", "QMON_MAX_ZIP_RATIO", "QMON_SQL_TIMEOUT_S"):
        monkeypatch.delenv(name, raising=False)


def _run(use_case: Callable[..., Any], store: Store, source: Any, **kwargs: Any) -> Any:
    """Call an import use case, as an admin where it takes the acting user."""
    param = inspect.signature(use_case).parameters.get("user")
    if param is not None and "User" in str(param.annotation):
        from monitoring.auth import User

        kwargs["user"] = User("hostile-test", "admin")
    return use_case(store, source, **kwargs)


def refused(
    store: Store, use_case: Callable[..., Any], source: Any, *, match: str, **kwargs: Any
) -> ImportRefused:
    """Run an import that must be refused; check the message and that nothing changed."""
    before = snapshot(store)
    with pytest.raises(ImportRefused, match=match) as info:
        _run(use_case, store, source, **kwargs)
    assert_unchanged(before, store)
    return info.value


def cli_refused(store: Store, argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``qmon`` with ``argv``; it must exit 2 without a traceback and change nothing."""
    before = snapshot(store)
    code = main([*argv, "--store", store.url])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert "Traceback" not in out + err
    assert_unchanged(before, store)
    return err


# --- 1. the parts of a dataset disagree --------------------------------------------------

TEN = [f"0110{i:04d}" for i in range(10)]


def _shapefile(folder: Path, name: str = "plr") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    boxes(TEN).to_file(folder / f"{name}.shp")
    return folder / f"{name}.shp"


def _patch_dbf(shp: Path, *, count: int | None = None, keep: int | None = None) -> None:
    """Set the record count in the .dbf header and/or cut the file after ``keep`` records."""
    dbf = shp.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    header_len, record_len = struct.unpack("<HH", data[8:12])
    if count is not None:
        data[4:8] = struct.pack("<I", count)
    if keep is not None:
        data = data[: header_len + keep * record_len] + b"\x1a"
    dbf.write_bytes(bytes(data))


def _cut_shp(shp: Path, keep: int) -> None:
    """Keep the first ``keep`` geometries of the .shp, with a matching header; .shx untouched."""
    data = bytearray(shp.read_bytes())
    entries = np.frombuffer(shp.with_suffix(".shx").read_bytes()[100:], dtype=">i4")
    end = int(entries[2 * keep]) * 2  # where geometry keep+1 starts
    data = data[:end]
    data[24:28] = struct.pack(">i", end // 2)
    shp.write_bytes(bytes(data))


BROKEN_SHAPEFILES: dict[str, tuple[Callable[[Path], None], str]] = {
    # the case: a .dbf with 5 records (header and data agree) for 10 shapes
    "dbf_fewer": (
        lambda shp: _patch_dbf(shp, count=5, keep=5),
        r"die \.shp/\.shx-Datei enthält 10 Geometrien, die \.dbf-Datei 5 Datensätze",
    ),
    "dbf_header_says_fewer": (
        lambda shp: _patch_dbf(shp, count=5),
        r"die \.dbf-Datei enthält 10 Datensätze, ihr Kopf nennt nur 5",
    ),
    "dbf_header_says_more": (
        lambda shp: _patch_dbf(shp, count=12),
        r"die \.shp/\.shx-Datei enthält 10 Geometrien, die \.dbf-Datei 12 Datensätze",
    ),
    "dbf_cut_off": (
        lambda shp: _patch_dbf(shp, keep=5),
        r"die \.dbf-Datei ist abgeschnitten: ihr Kopf nennt 10 Datensätze .*Platz für 5",
    ),
    "shp_cut_off": (
        lambda shp: _cut_shp(shp, 5),
        r"die \.shx-Datei verzeichnet 10 Geometrien, aber 5 davon liegen hinter dem Ende",
    ),
}


def test_gdal_alone_would_store_the_broken_shapefile(tmp_path: Path):
    """The hazard is real: without the check, GDAL reads the broken file without a word."""
    shp = _shapefile(tmp_path)
    _patch_dbf(shp, count=5, keep=5)
    frame = gpd.read_file(shp)
    assert len(frame) == 5  # five of the ten shapes are gone, without a warning


@pytest.mark.parametrize("zipped", [False, True], ids=["plain", "zip"])
@pytest.mark.parametrize("case", sorted(BROKEN_SHAPEFILES))
def test_shapefile_parts_disagree(store: Store, tmp_path: Path, case: str, zipped: bool):
    shp = _shapefile(tmp_path / "in")
    damage, match = BROKEN_SHAPEFILES[case]
    damage(shp)
    source = shp
    if zipped:
        source = tmp_path / "plr.zip"
        with zipfile.ZipFile(source, "w") as archive:
            for part in shp.parent.iterdir():
                archive.write(part, part.name)
    exc = refused(store, import_areas, source, **AREA, match=match)
    assert all(
        p.fix.startswith("exportieren oder kopieren Sie das Shapefile") for p in exc.problems
    )
    assert exc.problems[0].source.endswith("plr.shp")


def test_shapefile_parts_disagree_cli(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    shp = _shapefile(tmp_path)
    _patch_dbf(shp, count=5, keep=5)
    err = cli_refused(
        store,
        ["import", "areas", str(shp), *_area_options()],
        capsys,
    )
    assert "10 Geometrien, die .dbf-Datei 5 Datensätze" in err


def test_intact_shapefile_still_imports(store: Store, tmp_path: Path):
    shp = _shapefile(tmp_path)
    assert _run(import_areas, store, shp, **AREA).rows == 10


def _area_options() -> list[str]:
    return ["--level", "PLR", "--id", "PLR_ID", "--name", "PLR_NAME", "--valid-from", "2023-01-01"]


# --- 2. numbers that are not finite -----------------------------------------------------

NON_FINITE = ["1e309", "-1e309", "inf", "-inf", "NaN", "Infinity", "#DIV/0!"]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_non_finite_indicator_values_csv(store: Store, tmp_path: Path):
    cells = [*NON_FINITE, "1,5", "2"]  # 3 rows x 3 columns, two good values
    lines = [";".join([IDS[r], *cells[3 * r : 3 * r + 3]]) for r in range(3)]
    csv = _write(tmp_path / "v.csv", "PLR_ID;EW;S1;S2\n" + "\n".join(lines) + "\n")
    columns = ["EW", "S1", "S2"]
    exc = refused(store, import_indicators, csv, **IND, columns=columns, match="Probleme gefunden")
    got = {(p.row, p.column, p.value) for p in exc.problems}
    assert got == {(2 + k // 3, columns[k % 3], value) for k, value in enumerate(NON_FINITE)}
    finite = [p for p in exc.problems if p.value != "#DIV/0!"]
    assert all("keine endliche Zahl" in p.message for p in finite)
    assert all(p.fix for p in exc.problems)


def test_non_finite_indicator_values_xlsx(store: Store, tmp_path: Path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["PLR_ID", "EW", "S1"])
    sheet.append(["01100101", "1e309", 1.5])
    sheet.append(["01100102", 12, "-inf"])
    sheet.append(["01100103", "NaN", "#DIV/0!"])
    book.save(tmp_path / "w.xlsx")
    exc = refused(
        store, import_indicators, tmp_path / "w.xlsx", **IND, columns=["EW", "S1"], match="1e309"
    )
    got = {(p.row, p.column, p.value) for p in exc.problems}
    assert got == {(2, "EW", "1e309"), (3, "S1", "-inf"), (4, "EW", "NaN"), (4, "S1", "#DIV/0!")}


def test_xlsx_number_cell_too_large_for_a_float(store: Store, tmp_path: Path):
    """A number cell (not text) holding 1E+309 reads as infinity: refused, not stored."""
    book = openpyxl.Workbook()
    book.active.append(["PLR_ID", "EW"])
    book.active.append(["01100101", 424242])
    book.save(tmp_path / "ok.xlsx")
    with (
        zipfile.ZipFile(tmp_path / "ok.xlsx") as src,
        zipfile.ZipFile(tmp_path / "w.xlsx", "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("sheet1.xml"):
                assert b"<v>424242</v>" in data
                data = data.replace(b"<v>424242</v>", b"<v>1E+309</v>")
            dst.writestr(info, data)
    exc = refused(
        store,
        import_indicators,
        tmp_path / "w.xlsx",
        **IND,
        columns=["EW"],
        match="keine endliche Zahl",
    )
    assert [(p.row, p.column, p.value) for p in exc.problems] == [(2, "EW", math.inf)]


def test_non_finite_costs(store: Store, tmp_path: Path):
    csv = _write(
        tmp_path / "m.csv",
        "Nr;Titel;X;Y;Kosten\nM1;Spielplatz;390500;5819500;1e309\n"
        "M2;Treff;391500;5819500;-Infinity\nM3;Weg;1e400;5819500;5\n",
    )
    exc = refused(
        store,
        import_measures,
        csv,
        id_col="Nr",
        title_col="Titel",
        x_col="X",
        y_col="Y",
        crs="EPSG:25833",
        funding_area="QM01",
        cost_estimate_col="Kosten",
        match="keine endliche Zahl",
    )
    got = {(p.row, p.column, p.value) for p in exc.problems if "endliche" in p.message}
    assert got == {(2, "Kosten", "1e309"), (3, "Kosten", "-Infinity"), (4, "X", "1e400")}


def test_non_finite_dwellings_from_a_geopackage(store: Store, tmp_path: Path):
    frame = boxes(["B1", "B2", "B3"]).rename(columns={"PLR_ID": "id"})
    frame["wohnungen"] = [10.0, math.inf, math.nan]  # NaN in a REAL column is read as empty
    frame.to_file(tmp_path / "b.gpkg")
    exc = refused(
        store,
        import_buildings,
        tmp_path / "b.gpkg",
        id_col="id",
        dwellings_col="wohnungen",
        match="keine endliche Zahl",
    )
    assert [(p.row, p.column) for p in exc.problems] == [(2, "wohnungen")]


def test_non_finite_coordinates(store: Store, tmp_path: Path):
    csv = _write(
        tmp_path / "w.csv",
        'id;title;wkt\nM1;Weg;"POINT (inf 5819500)"\nM2;Platz;"POINT (390500 5819500)"\n',
    )
    exc = refused(
        store,
        import_measures,
        csv,
        id_col="id",
        title_col="title",
        wkt_col="wkt",
        crs="EPSG:25833",
        funding_area="QM01",
        match="keine endlichen Zahlen",
    )
    assert [(p.row, p.value) for p in exc.problems] == [(2, "M1")]


def test_non_finite_cli(store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    csv = _write(tmp_path / "v.csv", "PLR_ID;EW\n01100101;1e309\n")
    argv = ["import", "indicators", str(csv), "--id", "PLR_ID", "--period", "2021-12-31"]
    err = cli_refused(store, [*argv, "--columns", "EW"], capsys)
    assert "Spalte 'EW', Wert '1e309'" in err and "keine endliche Zahl" in err


# --- 3. Z and M coordinates ---------------------------------------------------------------


def test_z_dropped_with_a_note_the_same_on_both_stores(store: Store, tmp_path: Path):
    frame = boxes()
    frame["geometry"] = shapely.force_3d(frame.geometry.values, z=34.5)
    frame.to_file(tmp_path / "plr3d.gpkg")
    result = _run(import_areas, store, tmp_path / "plr3d.gpkg", **AREA)
    assert any("Z-Koordinaten (Höhe) entfernt bei 3 Objekten: 1, 2, 3" in n for n in result.notes)
    stored = store.read("areas", where={"vintage": "2023"}).sort_values("id")
    assert not shapely.has_z(stored.geometry.values).any()
    expected = boxes().to_crs(store.crs).geometry.values
    assert shapely.equals(stored.geometry.values, expected).all()


def test_m_and_zm_dropped_from_wkt(store: Store, tmp_path: Path):
    csv = _write(
        tmp_path / "w.csv",
        'id;title;wkt\nM1;Weg;"LINESTRING M (390000 5819000 1, 390500 5819500 2)"\n'
        'M2;Platz;"POINT ZM (390500 5819500 30 7)"\nM3;Ecke;"POINT (391000 5819000)"\n',
    )
    result = _run(
        import_measures,
        store,
        csv,
        id_col="id",
        title_col="title",
        wkt_col="wkt",
        crs="EPSG:25833",
        funding_area="QM01",
    )
    assert any("Z- und M-Koordinaten entfernt bei 2 Zeilen: 2, 3" in n for n in result.notes)
    stored = store.read("measures").sort_values("id")
    values = stored.geometry.values
    assert not shapely.has_z(values).any() and not shapely.has_m(values).any()
    assert shapely.get_coordinates(values[1]).tolist() == [[390500.0, 5819500.0]]


def test_stores_never_write_z_into_2d_columns(store: Store):
    """Below the import too: a Z geometry written straight to the store is stored 2D."""
    point = shapely.Point(390500, 5819500, 99)
    frame = gpd.GeoDataFrame(
        {"id": ["Z1"], "funding_area_id": ["QM01"], "title": ["Höhe"]},
        geometry=[point],
        crs=store.crs,
    )
    with store.transaction(user="hostile-test") as tx:
        tx.write("measures", frame, mode="upsert")
    got = store.read("measures", where={"id": "Z1"}).geometry.iloc[0]
    assert not got.has_z
    assert (got.x, got.y) == (390500.0, 5819500.0)


# --- 4. input size ----------------------------------------------------------------------------


def _big_geojson(path: Path, features: int, pad: int = 0) -> Path:
    frame = boxes([f"{i:08d}" for i in range(3)])
    text = frame.to_json()
    doc = json.loads(text)
    doc["features"] = [doc["features"][i % 3] for i in range(features)]
    path.write_text(json.dumps(doc) + " " * pad, encoding="utf-8")
    return path


def _must_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every reading function fail: a refusal must come before reading."""

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the file was read before its size was checked")

    monkeypatch.setattr(gpd, "read_file", boom)
    monkeypatch.setattr("pyogrio.list_layers", boom)
    monkeypatch.setattr("openpyxl.load_workbook", boom)


def test_zip_unpacked_size_checked_before_reading(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    geojson = _big_geojson(tmp_path / "plr.geojson", 6000)  # about 3 MB
    with zipfile.ZipFile(tmp_path / "plr.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(geojson, "plr.geojson")
    assert (tmp_path / "plr.zip").stat().st_size < 1024 * 1024
    monkeypatch.setenv("QMON_MAX_UNPACKED_MB", "1")
    _must_not_read(monkeypatch)
    exc = refused(store, import_areas, tmp_path / "plr.zip", **AREA, match="entpackt")
    message = exc.problems[0].message
    size_mb = geojson.stat().st_size / 1024 / 1024
    assert f"{size_mb:.1f}".replace(".", ",") + " MB groß" in message
    assert "höchstens 1,0 MB" in message and "QMON_MAX_UNPACKED_MB=1" in message
    assert "QMON_MAX_UNPACKED_MB" in exc.problems[0].fix


def test_zip_bomb_ratio(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    geojson = _big_geojson(tmp_path / "bomb.geojson", 3, pad=40 * 1024 * 1024)
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(geojson, "bomb.geojson")
    geojson.unlink()
    _must_not_read(monkeypatch)
    exc = refused(store, import_areas, tmp_path / "bomb.zip", **AREA, match="Zip-Bombe")
    assert "QMON_MAX_ZIP_RATIO" in exc.problems[0].message


def test_plain_and_workbook_size_checked(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("QMON_MAX_UNPACKED_MB", "0.5")
    rows = "".join(f"{IDS[i % 3]};{i}\n" for i in range(60_000))
    csv = _write(tmp_path / "v.csv", "PLR_ID;EW\n" + rows)
    refused(store, import_indicators, csv, **IND, columns=["EW"], match="die Datei ist .* groß")
    book = openpyxl.Workbook()
    for i in range(60_000):
        book.active.append([IDS[i % 3], i, "Lorem ipsum dolor sit amet"])
    book.save(tmp_path / "w.xlsx")
    with zipfile.ZipFile(tmp_path / "w.xlsx") as archive:
        unpacked = sum(i.file_size for i in archive.infolist())
    assert (tmp_path / "w.xlsx").stat().st_size < 2 * 1024 * 1024 < unpacked
    monkeypatch.setenv("QMON_MAX_UNPACKED_MB", "2")
    _must_not_read(monkeypatch)
    refused(
        store,
        import_indicators,
        tmp_path / "w.xlsx",
        **IND,
        columns=["EW"],
        match="der Inhalt der zip-Datei ist entpackt",
    )
    assert _big_geojson(tmp_path / "plr.geojson", 12_000).stat().st_size > 2 * 1024 * 1024
    refused(store, import_areas, tmp_path / "plr.geojson", **AREA, match="QMON_MAX_UNPACKED_MB")


def test_shapefile_size_counts_every_part(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    shp = _shapefile(tmp_path)
    dbf = shp.with_suffix(".dbf")
    with dbf.open("ab") as handle:  # a large .dbf next to a small .shp
        handle.write(b" " * (2 * 1024 * 1024))
    assert shp.stat().st_size < 1024 * 1024
    monkeypatch.setenv("QMON_MAX_UNPACKED_MB", "1")
    _must_not_read(monkeypatch)
    refused(store, import_areas, shp, **AREA, match="das Shapefile ist mit allen Teilen 2,0 MB")


def test_size_limit_cli(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
):
    monkeypatch.setenv("QMON_MAX_UNPACKED_MB", "0.001")
    _big_geojson(tmp_path / "plr.geojson", 30)
    err = cli_refused(
        store, ["import", "areas", str(tmp_path / "plr.geojson"), *_area_options()], capsys
    )
    assert "erlaubt sind höchstens" in err and "QMON_MAX_UNPACKED_MB" in err


def test_bad_limit_setting_is_refused(monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(ImportRefused, match="QMON_MAX_UNPACKED_MB='viel' ist keine positive"):
        InputLimits.from_env({"QMON_MAX_UNPACKED_MB": "viel"})
    assert InputLimits.from_env({"QMON_MAX_UNPACKED_MB": "2,5"}).max_unpacked_mb == 2.5


def test_many_bad_ids_listed_100_of_a_kind(store: Store, tmp_path: Path):
    count = 100_000
    rows = "".join(f"X{i:07d};{i % 50};{'' if i % 2 else 'k.A.'}\n" for i in range(count))
    csv = _write(tmp_path / "v.csv", "PLR_ID;EW;S1\n" + rows)
    started = time.perf_counter()
    exc = refused(
        store, import_indicators, csv, **IND, columns=["EW", "S1"], match="weitere Probleme"
    )
    took = time.perf_counter() - started
    text = str(exc)
    unknown = [p for p in exc.problems if p.column == "PLR_ID" and p.row is not None]
    not_number = [p for p in exc.problems if p.column == "S1" and p.row is not None]
    assert len(unknown) == MAX_PER_KIND and len(not_number) == MAX_PER_KIND
    assert unknown[0].row == 2 and unknown[-1].row == MAX_PER_KIND + 1
    more = {p.column: p.message for p in exc.problems if p.row is None}
    assert f"… und {count - MAX_PER_KIND:_} weitere".replace("_", ".") in more["PLR_ID"]
    assert f"… und {count // 2 - MAX_PER_KIND:_} weitere".replace("_", ".") in more["S1"]
    assert exc.total == count + count // 2
    assert "150.000 Probleme gefunden" in text
    assert len(text) < 100_000
    assert took < 60, f"refusing {count} bad ids took {took:.1f} s"


def test_many_duplicate_ids_listed_100(store: Store, tmp_path: Path):
    frame = boxes([f"{i % 300:05d}" for i in range(600)])
    frame.to_file(tmp_path / "dup.gpkg")
    exc = refused(store, import_areas, tmp_path / "dup.gpkg", **AREA, match="weitere Probleme")
    listed = [p for p in exc.problems if p.code == "problem.id_repeated"]
    assert len(listed) == MAX_PER_KIND
    assert "die ID kommt 2-mal vor (Objekte 1, 301)" in listed[0].message
    assert exc.total == 300


# --- 5. --sql on a database ---------------------------------------------------------------


@pytest.fixture
def source_db() -> Iterator[tuple[str, str]]:
    """A schema in the test database holding a source table ``werte`` (3 rows)."""
    schema = f"src_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        conn.execute(
            sql.SQL("CREATE TABLE {}.werte (gebiet text, ew numeric)").format(
                sql.Identifier(schema)
            )
        )
        conn.execute(
            sql.SQL(
                "INSERT INTO {}.werte VALUES ('01100101', 10), ('01100102', 20), ('01100103', 30)"
            ).format(sql.Identifier(schema))
        )
        conn.execute(sql.SQL("CREATE SEQUENCE {}.nummern").format(sql.Identifier(schema)))
    yield PG_DSN, schema
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _source_content(dsn: str, schema: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            sql.SQL("SELECT gebiet, ew FROM {}.werte ORDER BY gebiet").format(
                sql.Identifier(schema)
            )
        ).fetchall()
        seq = conn.execute(
            sql.SQL("SELECT last_value, is_called FROM {}.nummern").format(sql.Identifier(schema))
        ).fetchone()
    return [*rows, seq]


def _hostile_queries(schema: str, marker: Path) -> dict[str, tuple[str, str]]:
    t = f'"{schema}".werte'
    return {
        "commit_drop": (f"COMMIT; DROP TABLE {t}", "nicht genau eine SELECT-Abfrage"),
        "select_commit_drop": (
            f"SELECT * FROM {t}; COMMIT; DROP TABLE {t};",
            "nicht genau eine SELECT-Abfrage",
        ),
        "delete": (f"DELETE FROM {t}", "nicht genau eine SELECT-Abfrage"),
        "update_returning": (
            f"UPDATE {t} SET ew = 0 RETURNING *",
            "nicht genau eine SELECT-Abfrage",
        ),
        "copy_to_program": (
            f"COPY {t} TO PROGRAM 'touch {marker}'",
            "nicht genau eine SELECT-Abfrage",
        ),
        "two_selects": (f"SELECT * FROM {t}; SELECT 1", "nicht genau eine SELECT-Abfrage"),
        "cte_insert": (
            f"WITH x AS (INSERT INTO {t} VALUES ('99', 1) RETURNING *) SELECT * FROM x",
            "nicht genau eine SELECT-Abfrage",
        ),
        "nextval": (
            f"SELECT gebiet, nextval('\"{schema}\".nummern') AS ew FROM {t}",
            "versucht zu schreiben",
        ),
        "read_write_again": (
            "SELECT set_config('transaction_read_only', 'off', false) AS x",
            "fehlgeschlagen",
        ),
        "sleep": ("SELECT pg_sleep(3) AS x", "länger als 0,5 s"),
        "empty": (" ; ", "ist leer"),
    }


HOSTILE = sorted(_hostile_queries("s", Path("/tmp/x")))


@pytest.mark.parametrize("case", HOSTILE)
def test_sql_hostile_query_refused(
    source_db: tuple[str, str], case: str, monkeypatch: pytest.MonkeyPatch
):
    dsn, schema = source_db
    marker = Path(f"/tmp/qmon-hostile-{uuid.uuid4().hex}")
    query, match = _hostile_queries(schema, marker)[case]
    monkeypatch.setenv("QMON_SQL_TIMEOUT_S", "0.5")
    before = _source_content(dsn, schema)
    started = time.perf_counter()
    with pytest.raises(ImportRefused, match=match) as info:
        read_sql(query, dsn=dsn)
    assert time.perf_counter() - started < 2.5
    assert _source_content(dsn, schema) == before
    assert not marker.exists()
    problem = info.value.problems[0]
    assert problem.source.startswith("Abfrage auf postgresql://")
    assert problem.fix and "Traceback" not in str(info.value)


def test_sql_dsn_options_cannot_switch_read_only_off(source_db: tuple[str, str]):
    dsn, schema = source_db
    before = _source_content(dsn, schema)
    sep = "&" if "?" in dsn else "?"
    sneaky = f"{dsn}{sep}options=-c%20default_transaction_read_only%3Doff"
    query = f'SELECT gebiet, nextval(\'"{schema}".nummern\') AS ew FROM "{schema}".werte'
    with pytest.raises(ImportRefused, match="versucht zu schreiben"):
        read_sql(query, dsn=sneaky)
    assert _source_content(dsn, schema) == before


def test_sql_one_select_with_trailing_semicolon_is_read(source_db: tuple[str, str]):
    dsn, schema = source_db
    table = read_sql(f'SELECT gebiet, ew FROM "{schema}".werte ORDER BY gebiet;\n', dsn=dsn)
    assert table.frame["gebiet"].tolist() == IDS
    assert table.frame.index.tolist() == [1, 2, 3]


def test_sql_cli_dry_run_commit_drop(
    store: Store, source_db: tuple[str, str], capsys: pytest.CaptureFixture[str]
):
    dsn, schema = source_db
    before = _source_content(dsn, schema)
    query = f'SELECT gebiet, ew FROM "{schema}".werte; COMMIT; DROP TABLE "{schema}".werte'
    argv = ["import", "indicators", "--sql", query, "--dsn", dsn, "--id", "gebiet"]
    err = cli_refused(
        store, [*argv, "--period", "2021-12-31", "--columns", "ew", "--dry-run"], capsys
    )
    assert "nicht genau eine SELECT-Abfrage" in err
    assert _source_content(dsn, schema) == before


def test_sql_non_finite_values_refused_not_stored_as_gaps(store: Store, source_db: tuple[str, str]):
    dsn, schema = source_db
    query = (
        "SELECT * FROM (VALUES ('01100101', 'NaN'::float8), ('01100102', 'Infinity'::numeric), "
        "('01100103', NULL::float8)) AS t(gebiet, ew)"
    )
    table = read_sql(query, dsn=dsn)
    exc = refused(
        store,
        import_indicators,
        table,
        id_col="gebiet",
        period="2021-12-31",
        columns=["ew"],
        match="keine endliche Zahl",
    )
    assert [(p.row, p.column) for p in exc.problems] == [(1, "ew"), (2, "ew")]


def test_sql_cli_imports_a_good_query(store: Store, source_db: tuple[str, str]):
    dsn, schema = source_db
    query = f'SELECT gebiet, ew FROM "{schema}".werte'
    argv = ["import", "indicators", "--sql", query, "--dsn", dsn, "--id", "gebiet"]
    assert main([*argv, "--period", "2022-12-31", "--columns", "ew", "--store", store.url]) == 0
    got = store.read("indicator_values", where={"period": "2022-12-31"}).sort_values("area_id")
    assert got["value"].tolist() == [10.0, 20.0, 30.0]


# --- intact input still passes ----------------------------------------------------------------


def test_read_vector_reads_an_intact_zip(tmp_path: Path):
    shp = _shapefile(tmp_path / "in")
    with zipfile.ZipFile(tmp_path / "ok.zip", "w") as archive:
        for part in shp.parent.iterdir():
            archive.write(part, part.name)
    assert len(read_vector(tmp_path / "ok.zip").frame) == 10
    shutil.rmtree(tmp_path / "in")
    assert pd.Index(range(1, 11)).equals(read_vector(tmp_path / "ok.zip").frame.index)
