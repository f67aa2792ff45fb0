"""PostGIS-specific behaviour of the store: what the contract suite cannot see.

Column types and indexes in the database, the savepoint per write, migrations inside
one transaction, concurrent writers, connection errors, and a timing print against
GeoDataFrame.to_postgis.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from pandas.testing import assert_frame_equal
from psycopg import errors as pgerrors

from geo.errors import ConflictError, SchemaError, StoreError, StoreURLError
from geo.schema import MIGRATIONS, SCHEMA, AddColumn, AddLayer, Column, Layer, Migration
from geo.store import open_store, postgis
from geo.store.postgis import PostGISStore, split_url

CURRENT = MIGRATIONS[-1].version  # the model's version now
NEXT = CURRENT + 1  # a test migration after it

pytestmark = pytest.mark.postgis

CRS = "EPSG:25832"
X0, Y0 = 560_000.0, 5_930_000.0
TYPES = ("text", "integer", "real", "boolean", "date", "datetime")

# Every column type, in a spatial layer and in an attribute table with a composite key.
GEO_LAYER = Layer(
    "typed_points",
    "Alle Typen (Punkte)",
    (Column("id", "text", nullable=False),)
    + tuple(Column(f"c_{t}", t, title=f"Spalte {t}") for t in TYPES),  # type: ignore[arg-type]
    ("id",),
    geometry="POINT",
)
ATTR_LAYER = Layer(
    "typed_rows",
    "Alle Typen (Tabelle)",
    (Column("id", "text", nullable=False), Column("n", "integer", nullable=False))
    + tuple(Column(f"c_{t}", t) for t in TYPES),  # type: ignore[arg-type]
    ("id", "n"),
)
TYPED = (Migration(1, "typed test layers", (AddLayer(GEO_LAYER), AddLayer(ATTR_LAYER))),)


def typed_values(n: int) -> dict[str, list[Any]]:
    """Values of every type, with a NULL in every column of row 1 and edge values."""
    values: dict[str, list[Any]] = {
        "c_text": ["Straße \"Nr\" 'ü'", None, "", "x' OR '1'='1", "Ölmühle"],
        "c_integer": [-(2**62), None, 0, 2**62, 7],
        "c_real": [-1.5, None, 0.0, 1e300, 3.25],
        "c_boolean": [True, None, False, True, False],
        "c_date": [
            dt.date(1899, 12, 31),
            None,
            dt.date(2000, 1, 1),
            dt.date(2024, 2, 29),
            dt.date(1970, 1, 1),
        ],
        "c_datetime": [
            dt.datetime(1999, 12, 31, 23, 59, 59, 999000),
            None,
            dt.datetime(2000, 1, 1),
            dt.datetime(2024, 6, 30, 12, 0, 0, 123000),
            dt.datetime(1960, 3, 4, 5, 6, 7),
        ],
    }
    return {k: (v * (n // len(v) + 1))[:n] for k, v in values.items()}


@pytest.fixture
def store(pg_url: str) -> Iterator[PostGISStore]:
    s = PostGISStore(pg_url)
    s.init(crs=CRS)
    yield s
    s.close()


@pytest.fixture
def typed(pg_url: str) -> Iterator[PostGISStore]:
    s = PostGISStore(pg_url, migrations=TYPED)
    s.init(crs=CRS)
    yield s
    s.close()


def catalog(url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    """Ask the database directly (not through the store)."""
    dsn, schema = split_url(url)
    with psycopg.connect(dsn) as conn:
        return conn.execute(query, (schema, *params)).fetchall()


def buildings(n: int, *, tag: int = 0, seed: int = 0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    return gpd.GeoDataFrame(
        {
            "id": [f"B{i:07d}" for i in range(n)],
            "dwellings": rng.integers(1, 40, n),
            "vacant_dwellings": rng.integers(0, 3, n),
            "year_built": rng.integers(1900, 2020, n),
            "owner_type": rng.choice(["kommunal", "Genossenschaft", "privat"], n),
            "storeys": np.full(n, tag),
        },
        geometry=shapely.points(X0 + rng.random(n) * 5000, Y0 + rng.random(n) * 5000),
        crs=CRS,
    )


# --- URL ---------------------------------------------------------------------------


def test_url_schema_is_stripped_and_created(pg_url: str) -> None:
    dsn, schema = split_url(pg_url)
    assert "schema" not in dsn and schema.startswith("t_")
    with PostGISStore(pg_url) as s:
        assert s.schema_version() == 0
        s.init(crs=CRS)
    tables = catalog(pg_url, "SELECT tablename FROM pg_tables WHERE schemaname = %s")
    assert {t for (t,) in tables} == set(SCHEMA.layers) | {"qmon_meta"}


def test_meta_table_records_version_and_crs(store: PostGISStore, pg_url: str) -> None:
    dsn, schema = split_url(pg_url)
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            psycopg.sql.SQL("SELECT key, value FROM {} ORDER BY key").format(
                psycopg.sql.Identifier(schema, "qmon_meta")
            )
        ).fetchall()
    meta = dict(rows)
    assert len(meta.pop("store_id")) == 32  # a fresh uuid per store
    assert meta == {
        "change_counter": "1",  # init was the one change so far
        "crs": "EPSG:25832",
        "schema_version": str(SCHEMA.version),
    }


def test_bad_urls() -> None:
    with pytest.raises(StoreURLError, match="postgresql://"):
        PostGISStore("mysql://h/db")
    with pytest.raises(StoreURLError, match="leeres Schema"):
        PostGISStore("postgresql://h/db?schema=")
    assert split_url("postgresql://u@h/db?sslmode=disable&schema=a")[0].endswith(
        "db?sslmode=disable"
    )


# --- types, indexes, round trip ----------------------------------------------------


def test_column_types_keys_and_gist_index(typed: PostGISStore, pg_url: str) -> None:
    cols = dict(
        catalog(
            pg_url,
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped",
            "typed_points",
        )
    )
    assert cols == {
        "id": "text",
        "c_text": "text",
        "c_integer": "bigint",
        "c_real": "double precision",
        "c_boolean": "boolean",
        "c_date": "date",
        "c_datetime": "timestamp without time zone",
        "geometry": "geometry(Point,25832)",
    }
    indexes = catalog(
        pg_url,
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s "
        "AND tablename = %s ORDER BY indexname",
        "typed_points",
    )
    assert [name for name, _ in indexes] == ["typed_points_geometry_gist", "typed_points_pkey"]
    assert "USING gist (geometry)" in indexes[0][1]
    pkey = catalog(
        pg_url,
        "SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND indexname = %s",
        "typed_rows_pkey",
    )
    assert "(id, n)" in pkey[0][0]
    comment = catalog(
        pg_url,
        "SELECT obj_description(c.oid, 'pg_class') FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s",
        "typed_points",
    )
    assert comment == [("Alle Typen (Punkte)",)]


def test_round_trip_every_type_with_nulls(typed: PostGISStore) -> None:
    n = 5
    geo = gpd.GeoDataFrame(
        {"id": [f"p{i}" for i in range(n)], **typed_values(n)},
        geometry=[shapely.Point(X0 + i, Y0 - i) if i != 1 else None for i in range(n)],
        crs=CRS,
    )
    attr = pd.DataFrame({"id": ["a"] * n, "n": list(range(n, 0, -1)), **typed_values(n)})
    with typed.transaction() as tx:
        assert tx.write("typed_points", geo) == n
        assert tx.write("typed_rows", attr) == n

    got = typed.read("typed_points")
    want = geo.copy()
    assert got["c_integer"].dtype == "Int64" and got["c_boolean"].dtype == "boolean"
    assert str(got["c_date"].dtype) == "datetime64[ms]"
    assert got.loc[1, ["c_text", "c_integer", "c_real", "c_boolean"]].isna().all()
    assert got.geometry.iloc[1] is None
    assert got["c_date"].tolist()[0] == pd.Timestamp("1899-12-31")
    assert got["c_datetime"].tolist()[0] == pd.Timestamp("1999-12-31 23:59:59.999")
    assert got["c_integer"].tolist()[3] == 2**62 and got["c_real"].tolist()[3] == 1e300
    from geo.store.base import conform

    assert_geodataframe_equal(got, conform(GEO_LAYER, want, crs=typed.crs))

    rows = typed.read("typed_rows")
    assert rows["n"].tolist() == [1, 2, 3, 4, 5]  # ordered by the key
    expect = conform(ATTR_LAYER, attr, crs=typed.crs).sort_values("n").reset_index(drop=True)
    assert_frame_equal(rows, expect)


def test_where_with_null_and_values(typed: PostGISStore) -> None:
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "n": [1, 2, 3],
            "c_text": ["x", None, "y"],
            "c_date": ["2020-01-01", "2021-01-01", None],
        }
    )
    typed.write("typed_rows", frame)
    assert typed.read("typed_rows", where={"c_text": ["x", None]})["id"].tolist() == ["a", "b"]
    assert typed.read("typed_rows", where={"c_date": dt.date(2021, 1, 1)})["id"].tolist() == ["b"]
    assert typed.read("typed_rows", where={"n": np.int64(3)})["id"].tolist() == ["c"]
    with pytest.raises(StoreError, match="does not fit"):
        typed.read("typed_rows", where={"n": "drei"})


def test_text_with_nul_byte_is_refused_and_index_survives(
    store: PostGISStore, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgis, "BULK_ROWS", 10)  # take the drop-and-rebuild-index path
    frame = buildings(50)
    frame.loc[40, "owner_type"] = "pri\x00vat"
    with pytest.raises(StoreError, match="Gebäude"):
        store.write("buildings", frame)
    assert store.counts()["buildings"] == 0
    gist = "SELECT count(*) FROM pg_indexes WHERE schemaname = %s AND indexname = %s"
    assert catalog(pg_url, gist, "buildings_geometry_gist") == [(1,)]
    store.write("buildings", frame.drop(index=40))  # the bulk path itself works
    assert catalog(pg_url, gist, "buildings_geometry_gist") == [(1,)]
    assert len(store.read("buildings", bbox=(X0, Y0, X0 + 2500, Y0 + 2500))) == len(
        frame.drop(index=40).cx[X0 : X0 + 2500, Y0 : Y0 + 2500]
    )


# --- upsert, rollback, savepoints --------------------------------------------------


def test_upsert_overwrites_non_key_columns(store: PostGISStore) -> None:
    store.write("buildings", buildings(5))
    change = buildings(8).iloc[3:].assign(dwellings=500, owner_type=None)
    assert store.write("buildings", change, mode="upsert") == 5
    got = store.read("buildings")
    assert len(got) == 8
    assert got["dwellings"].tolist()[3:] == [500] * 5
    assert got["owner_type"].iloc[3:].isna().all()
    assert got["owner_type"].iloc[:3].notna().all()
    # twice in one transaction: the temporary tables do not collide
    with store.transaction() as tx:
        tx.write("buildings", change.assign(dwellings=1), mode="upsert")
        tx.write("buildings", change.assign(dwellings=2), mode="upsert")
    assert store.read("buildings")["dwellings"].tolist()[3:] == [2] * 5
    # a link table (its key and, since version 9, ags): upsert inserts the new pair and
    # updates the old one in place
    pairs = pd.DataFrame({"measure_id": ["m1", "m1"], "field_id": ["f1", "f2"], "ags": "05"})
    store.write("measure_fields", pairs.iloc[:1].assign(ags=None))
    assert store.write("measure_fields", pairs, mode="upsert") == 2
    assert store.read("measure_fields")["ags"].tolist() == ["05", "05"]


def test_duplicate_keys_in_one_frame_are_refused(store: PostGISStore) -> None:
    frame = buildings(3)
    frame.loc[2, "id"] = frame.loc[0, "id"]
    with pytest.raises(StoreError, match="Zeile 2 wiederholt den Schlüssel"):
        store.write("buildings", frame, mode="upsert")


@pytest.mark.parametrize("bulk", [False, True], ids=["copy", "bulk load"])
@pytest.mark.parametrize("mode", ["append", "replace"])
def test_a_repeated_key_is_refused_with_its_row_and_nothing_is_written(
    store: PostGISStore, monkeypatch: pytest.MonkeyPatch, mode: str, bulk: bool
) -> None:
    """The primary key finds the repeat; the message still names the row (both paths)."""
    monkeypatch.setattr(postgis, "BULK_ROWS", 10 if bulk else 10_000)
    if mode == "replace":
        store.write("buildings", buildings(4, tag=9))
    before = store.read("buildings")
    frame = buildings(30)
    frame.loc[17, "id"] = frame.loc[5, "id"]
    with pytest.raises(StoreError, match="Zeile 17 wiederholt den Schlüssel.*B0000005"):
        store.write("buildings", frame, mode=mode)  # type: ignore[arg-type]
    assert_geodataframe_equal(store.read("buildings"), before)


def test_failed_write_rolls_back_the_transaction(store: PostGISStore) -> None:
    store.write("buildings", buildings(3))
    before = store.read("buildings")
    with pytest.raises(StoreError, match="schon gespeichert.*upsert"), store.transaction() as tx:
        tx.write("buildings", buildings(6).iloc[3:], mode="append")
        tx.delete("buildings", {"id": "B0000000"})
        tx.write("buildings", buildings(2), mode="append")  # keys already stored
    assert store.counts()["buildings"] == 3
    assert_geodataframe_equal(store.read("buildings"), before)


def test_caught_write_error_keeps_the_rest_of_the_transaction(store: PostGISStore) -> None:
    """Each write runs in a savepoint: catching its error leaves the transaction usable."""
    with store.transaction() as tx:
        tx.write("buildings", buildings(2))
        with pytest.raises(StoreError):
            tx.write("buildings", buildings(3), mode="append")  # B0, B1 exist: refused
        assert len(tx.read("buildings")) == 2
        tx.write("buildings", buildings(3).iloc[2:])
    assert store.read("buildings")["id"].tolist() == ["B0000000", "B0000001", "B0000002"]


def test_required_column_missing_is_refused_before_sql(store: PostGISStore) -> None:
    store.write("buildings", buildings(2))
    frame = buildings(4).iloc[2:].copy()
    frame.loc[3, "id"] = None
    with pytest.raises(StoreError, match="Pflichtspalte"):
        store.write("buildings", frame)
    assert store.counts()["buildings"] == 2


# --- optimistic update -------------------------------------------------------------


def test_optimistic_update(store: PostGISStore) -> None:
    frame = pd.DataFrame({"id": ["p1"], "name": ["Soziale Stadt"], "since_year": [1999]})
    store.write("programmes", frame, user="anna")
    first = store.read("programmes").iloc[0]
    assert (first["version"], first["updated_by"]) == (1, "anna")
    with store.transaction(user="ben") as tx:
        assert tx.update("programmes", {"id": "p1"}, {"since_year": 2000}, expected_version=1) == 1
        assert tx.update("programmes", {"id": "p1"}, {"since_year": 2001}, expected_version=1) == 0
        assert tx.update("programmes", {"id": "nope"}, {"since_year": 1}) == 0
    row = store.read("programmes").iloc[0]
    assert (row["since_year"], row["version"], row["updated_by"]) == (2000, 2, "ben")
    assert row["updated_at"] >= first["updated_at"]
    assert row["created_at"] == first["created_at"]
    with store.transaction() as tx:
        with pytest.raises(StoreError, match="führt der Datenbestand selbst"):
            tx.update("programmes", {"id": "p1"}, {"version": 7})
        with pytest.raises(StoreError, match="Schlüssel muss genau"):
            tx.update("programmes", {"name": "Soziale Stadt"}, {"since_year": 1})
        with pytest.raises(StoreError, match="keine Versionsnummer"):
            tx.update(
                "measure_fields",
                {"measure_id": "m", "field_id": "f"},
                {"field_id": "g"},
                expected_version=1,
            )


def test_update_geometry_of_polygon_layer_is_promoted(store: PostGISStore) -> None:
    areas = gpd.GeoDataFrame(
        {"id": ["a"], "level": ["Bezirk"], "vintage": ["2021"]},
        geometry=[shapely.box(X0, Y0, X0 + 10, Y0 + 10)],
        crs=CRS,
    )
    store.write("areas", areas)
    with store.transaction() as tx:
        key = {"level": "Bezirk", "vintage": "2021", "id": "a"}
        assert tx.update("areas", key, {"geometry": shapely.box(X0, Y0, X0 + 5, Y0 + 5)}) == 1
    got = store.read("areas").geometry.iloc[0]
    assert got.geom_type == "MultiPolygon" and got.area == pytest.approx(25)


# --- migrations --------------------------------------------------------------------


def test_migration_adds_column_and_layer_keeping_data(pg_url: str) -> None:
    with PostGISStore(pg_url) as old:
        old.init(crs=CRS)
        old.write(
            "areas",
            gpd.GeoDataFrame(
                {"id": ["a", "b"], "level": ["Bezirk"] * 2, "vintage": ["2021"] * 2},
                geometry=[shapely.box(X0, Y0, X0 + 1, Y0 + 1)] * 2,
                crs=CRS,
            ),
        )
    sites = Layer(
        "sites", "Orte", (Column("id", "text", nullable=False),), ("id",), geometry="POINT"
    )
    longer = MIGRATIONS + (
        Migration(NEXT, "test", (AddColumn("areas", Column("note", "text")), AddLayer(sites))),
    )
    with PostGISStore(pg_url, migrations=longer) as new:
        assert new.schema_version() == CURRENT
        assert new.init() == NEXT
        assert new.crs.to_epsg() == 25832
        got = new.read("areas")
        assert got["id"].tolist() == ["a", "b"] and got["note"].isna().all()
        new.write("areas", got.assign(note="geprüft"), mode="upsert")
        new.write(
            "sites", gpd.GeoDataFrame({"id": ["s"]}, geometry=[shapely.Point(X0, Y0)], crs=CRS)
        )
        assert new.read("areas")["note"].tolist() == ["geprüft", "geprüft"]
    gist = catalog(
        pg_url,
        "SELECT indexname FROM pg_indexes WHERE schemaname = %s "
        "AND tablename = %s AND indexdef LIKE '%%gist%%'",
        "sites",
    )
    assert gist == [("sites_geometry_gist",)]
    newer = "neuer als dieses Programm"
    with PostGISStore(pg_url) as older_program, pytest.raises(SchemaError, match=newer):
        older_program.init()


def test_failing_migration_changes_nothing(pg_url: str) -> None:
    with PostGISStore(pg_url) as old:
        old.init(crs=CRS)
        old.write("programmes", pd.DataFrame({"id": ["p"], "name": ["Stadtumbau"]}))
    broken = MIGRATIONS + (
        Migration(
            NEXT,
            "adds a layer, then a required column",
            (
                AddLayer(
                    Layer("notes", "Notizen", (Column("id", "text", nullable=False),), ("id",))
                ),
                AddColumn("programmes", Column("code", "text", nullable=False)),
            ),
        ),
    )
    with PostGISStore(pg_url, migrations=broken) as new:
        with pytest.raises(SchemaError, match="required column 'code'.*already has rows"):
            new.init()
        assert new.schema_version() == CURRENT
    tables = catalog(
        pg_url, "SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tablename = %s", "notes"
    )
    assert tables == [(0,)]


# --- concurrency -------------------------------------------------------------------


def run_threads(*targets: Any) -> list[BaseException | None]:
    barrier = threading.Barrier(len(targets))
    results: list[BaseException | None] = [None] * len(targets)

    def run(i: int) -> None:
        barrier.wait()
        try:
            targets[i]()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(targets))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_concurrent_upserts_of_the_same_keys(store: PostGISStore, pg_url: str) -> None:
    n = 3000
    store.write("buildings", buildings(n))
    other = PostGISStore(pg_url)  # a second store: its own pool, like another process
    try:
        for round_ in range(3):
            a = buildings(n, tag=1)
            b = buildings(n, tag=2).iloc[::-1]  # opposite row order: deadlock bait
            errors = run_threads(
                lambda a=a: store.write("buildings", a, mode="upsert"),
                lambda b=b: other.write("buildings", b, mode="upsert"),
            )
            assert errors == [None, None], f"round {round_}: {errors}"
            got = store.read("buildings")
            assert len(got) == n
            # each transaction is atomic: the last one to commit wins every row
            assert got["storeys"].nunique() == 1 and got["storeys"].iloc[0] in (1, 2)
    finally:
        other.close()


def test_two_concurrent_appends_of_the_same_keys(store: PostGISStore, pg_url: str) -> None:
    other = PostGISStore(pg_url)
    try:
        errors = run_threads(
            lambda: store.write("buildings", buildings(2000, tag=1)),
            lambda: other.write("buildings", buildings(2000, tag=2)),
        )
    finally:
        other.close()
    failed = [e for e in errors if e is not None]
    assert len(failed) == 1
    assert isinstance(failed[0], StoreError) and "schon gespeichert" in str(failed[0])
    got = store.read("buildings")
    assert len(got) == 2000 and got["storeys"].nunique() == 1


def test_deadlock_is_reported_as_conflict(store: PostGISStore, pg_url: str) -> None:
    """Two transactions that update two rows in opposite order: one gets ConflictError."""
    store.write("programmes", pd.DataFrame({"id": ["a", "b"], "name": ["A", "B"]}))
    other = PostGISStore(pg_url)
    both_locked = threading.Barrier(2)

    def swap(s: PostGISStore, first: str, second: str) -> None:
        with s.transaction() as tx:
            tx.update("programmes", {"id": first}, {"name": first + "1"})
            both_locked.wait(10)
            tx.update("programmes", {"id": second}, {"name": second + "1"})

    try:
        errors = run_threads(lambda: swap(store, "a", "b"), lambda: swap(other, "b", "a"))
    finally:
        other.close()
    failed = [e for e in errors if e is not None]
    assert len(failed) == 1 and isinstance(failed[0], ConflictError), errors
    assert "bitte wiederholen Sie den Vorgang" in str(failed[0])
    assert store.read("programmes")["version"].tolist() == [2, 2]


# --- connection errors -------------------------------------------------------------


def test_unreachable_server_names_host_and_fix() -> None:
    s = PostGISStore("postgresql://postgres@127.0.0.1:1/qmon?schema=x")
    start = time.perf_counter()
    with pytest.raises(StoreError, match=r"auf 127\.0\.0\.1:1 .*'qmon'.*starten Sie den Server"):
        s.schema_version()
    assert time.perf_counter() - start < 10
    s.close()


def test_missing_database_says_createdb(pg_url: str) -> None:
    dsn, _ = split_url(pg_url)
    url = dsn.rsplit("/", 1)[0] + "/qmon_no_such_db?schema=x"
    with pytest.raises(StoreError, match="createdb .*qmon_no_such_db"):
        open_store(url).init()


class _NoPostGIS:
    """A connection to a server without the PostGIS package (a fake, for one message)."""

    def execute(self, query: str, *args: Any) -> _NoPostGIS:
        if query.startswith("CREATE EXTENSION"):
            raise pgerrors.FeatureNotSupported('extension "postgis" is not available')
        return self

    def fetchone(self) -> tuple[bool]:
        return (False,)  # pg_extension has no postgis row

    def transaction(self) -> AbstractContextManager[None]:
        return nullcontext()


def test_missing_postgis_names_the_debian_package() -> None:
    s = PostGISStore("postgresql://postgres@db.example:5433/qmon")
    with pytest.raises(StoreError, match="postgresql-15-postgis-3") as info:
        s._ensure_postgis(_NoPostGIS())  # type: ignore[arg-type]
    assert "db.example:5433" in str(info.value) and "not available" in str(info.value)


def test_pool_is_lazy_and_closed(pg_url: str) -> None:
    s = PostGISStore(pg_url)
    assert s._pool is None  # nothing opened by the constructor
    s.init(crs=CRS)
    assert s._pool is not None and s._pool.max_size == 4
    s.close()
    assert s._pool is None
    assert s.counts()["areas"] == 0  # used again: a new pool
    s.close()


# --- timing ------------------------------------------------------------------------


@pytest.mark.slow
def test_timing_against_to_postgis(
    store: PostGISStore, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not an assertion on speed: prints where we stand against GeoDataFrame.to_postgis."""
    sqlalchemy = pytest.importorskip("sqlalchemy")
    pytest.importorskip("geoalchemy2")
    n = 100_000
    frame = buildings(n)
    start = time.perf_counter()
    store.write("buildings", frame)
    ours = time.perf_counter() - start
    dsn, schema = split_url(pg_url)
    engine = sqlalchemy.create_engine(dsn.replace("postgresql://", "postgresql+psycopg://"))
    start = time.perf_counter()
    frame.to_postgis("buildings_to_postgis", engine, schema=schema)
    theirs = time.perf_counter() - start
    engine.dispose()
    assert store.counts()["buildings"] == n
    with capsys.disabled():
        print(
            f"\n  write {n} points: PostGISStore {ours:.2f} s, GeoDataFrame.to_postgis "
            f"{theirs:.2f} s ({theirs / ours:.1f}x)"
        )


def test_bulk_replace_with_the_same_keys_rebuilds_key_and_index(
    store: PostGISStore, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgis, "BULK_ROWS", 10)
    store.write("buildings", buildings(50))
    assert store.write("buildings", buildings(50, tag=7), mode="replace") == 50
    got = store.read("buildings")
    assert len(got) == 50 and set(got["storeys"]) == {7}
    indexes = catalog(
        pg_url,
        "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = %s ORDER BY 1",
        "buildings",
    )
    assert indexes == [("buildings_geometry_gist",), ("buildings_pkey",)]
    with pytest.raises(StoreError, match="schon gespeichert"):
        store.write("buildings", buildings(1))  # the rebuilt key still guards


def test_bulk_load_locks_only_an_empty_table(
    store: PostGISStore, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgis, "BULK_ROWS", 10)
    dsn, schema = split_url(pg_url)
    count = psycopg.sql.SQL("SELECT count(*) FROM {}").format(
        psycopg.sql.Identifier(schema, "buildings")
    )

    def count_from_outside() -> int:
        with psycopg.connect(dsn) as other:
            other.execute("SET lock_timeout = '500ms'")
            row = other.execute(count).fetchone()
            assert row is not None
            return int(row[0])

    with store.transaction() as tx:
        tx.write("buildings", buildings(30))
        with pytest.raises(pgerrors.LockNotAvailable):
            count_from_outside()  # empty table: locked for the bulk load
    with store.transaction() as tx:
        tx.write("buildings", buildings(60).iloc[30:])
        assert count_from_outside() == 30  # table with rows: readers go on
    assert store.counts()["buildings"] == 60


def _filenode(url: str, layer: str) -> int:
    dsn, schema = split_url(url)
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT pg_relation_filenode(%s::regclass)",
            (psycopg.sql.Identifier(schema, layer).as_string(conn),),
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_big_replace_truncates_inside_the_transaction(
    store: PostGISStore, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgis, "BULK_ROWS", 10)
    store.write("buildings", buildings(40))
    before = _filenode(pg_url, "buildings")
    # a failure later in the same transaction takes the TRUNCATE back with the load
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.write("buildings", buildings(20, tag=3), mode="replace")
        assert tx.count("buildings") == 20
        raise RuntimeError("refused later in the import")
    assert store.counts()["buildings"] == 40 and _filenode(pg_url, "buildings") == before
    token = store.change_token()
    assert store.write("buildings", buildings(20, tag=3), mode="replace") == 20
    assert _filenode(pg_url, "buildings") != before  # a new, empty table: TRUNCATE
    assert store.change_token() != token
    got = store.read("buildings")
    assert_geodataframe_equal(got, store.read("buildings", where={"storeys": [3]}))
    assert list(got["id"]) == [f"B{i:07d}" for i in range(20)]
    indexes = catalog(
        pg_url,
        "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = %s ORDER BY 1",
        "buildings",
    )
    assert indexes == [("buildings_geometry_gist",), ("buildings_pkey",)]
    # replacing an empty layer changes nothing: the change counter stays
    store.write("buildings", buildings(0), mode="replace")
    token = store.change_token()
    store.write("buildings", buildings(0), mode="replace")
    assert store.change_token() == token


def test_a_small_replace_deletes_and_keeps_readers_going(store: PostGISStore, pg_url: str) -> None:
    store.write("buildings", buildings(30))
    before = _filenode(pg_url, "buildings")
    dsn, schema = split_url(pg_url)
    with store.transaction() as tx:
        tx.write("buildings", buildings(5, tag=2), mode="replace")
        with psycopg.connect(dsn) as other:  # no lock against readers: they see the old rows
            other.execute("SET lock_timeout = '500ms'")
            row = other.execute(
                psycopg.sql.SQL("SELECT count(*) FROM {}").format(
                    psycopg.sql.Identifier(schema, "buildings")
                )
            ).fetchone()
            assert row == (30,)
    assert _filenode(pg_url, "buildings") == before  # DELETE, not TRUNCATE
    assert store.counts()["buildings"] == 5


def test_a_replace_deletes_where_a_truncate_would_skip_a_trigger_or_break_a_key(
    store: PostGISStore, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone's ON DELETE trigger still fires, a foreign key onto the layer holds."""
    monkeypatch.setattr(postgis, "BULK_ROWS", 10)
    store.write("buildings", buildings(30))
    dsn, schema = split_url(pg_url)
    t = psycopg.sql.Identifier
    with psycopg.connect(dsn) as conn:
        conn.execute(psycopg.sql.SQL("CREATE TABLE {} (id text)").format(t(schema, "gone")))
        conn.execute(
            psycopg.sql.SQL(
                "CREATE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS "
                "$$BEGIN INSERT INTO {} VALUES (OLD.id); RETURN OLD; END$$"
            ).format(t(schema, "log_gone"), t(schema, "gone"))
        )
        conn.execute(
            psycopg.sql.SQL(
                "CREATE TRIGGER log_gone AFTER DELETE ON {} FOR EACH ROW EXECUTE FUNCTION {}()"
            ).format(t(schema, "buildings"), t(schema, "log_gone"))
        )
    assert store.write("buildings", buildings(20, tag=1), mode="replace") == 20
    assert catalog(
        pg_url,
        "SELECT count(*) FROM pg_class WHERE relnamespace = %s::regnamespace AND relname = %s",
        "gone",
    ) == [(1,)]
    with psycopg.connect(dsn) as conn:
        logged = conn.execute(
            psycopg.sql.SQL("SELECT count(*) FROM {}").format(t(schema, "gone"))
        ).fetchone()
        assert logged == (30,)  # the trigger saw every deleted row
        conn.execute(psycopg.sql.SQL("DROP TRIGGER log_gone ON {}").format(t(schema, "buildings")))
        conn.execute(
            psycopg.sql.SQL("CREATE TABLE {} (building text REFERENCES {} (id))").format(
                t(schema, "notes"), t(schema, "buildings")
            )
        )
    # TRUNCATE would be refused ("referenced in a foreign key constraint")
    assert store.write("buildings", buildings(25, tag=2), mode="replace") == 25
    assert set(store.read("buildings")["storeys"]) == {2}
