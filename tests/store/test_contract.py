"""The store contract: every test runs unchanged against the GeoPackage and PostGIS stores."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from pandas.testing import assert_frame_equal

from geo.errors import CRSError, SchemaError, StoreError, UnknownColumnError, UnknownLayerError
from geo.schema import (
    AGS_COLUMN,
    MIGRATIONS,
    SCHEMA,
    AddColumn,
    AddLayer,
    Column,
    Layer,
    Migration,
    build_schema,
)
from geo.store import open_store
from geo.store.base import Store, conform, prepare_for_write

CRS = "EPSG:25833"
X0, Y0 = 390_000.0, 5_820_000.0


def sample_geometry(kind: str | None, i: int) -> shapely.Geometry | None:
    x, y = X0 + 100 * i, Y0 + 50 * i
    if kind == "POINT":
        return shapely.Point(x + 0.123, y + 0.456)
    if kind in ("POLYGON", "MULTIPOLYGON"):
        return shapely.box(x, y, x + 80.5, y + 40.25)
    if kind == "LINESTRING":
        return shapely.LineString([(x, y), (x + 10, y + 5)])
    # GEOMETRY layers hold any type: points, lines and polygons mixed
    return [
        shapely.Point(x, y),
        shapely.LineString([(x, y), (x + 30, y + 1)]),
        shapely.Polygon([(x, y), (x + 10, y), (x + 5, y + 8)]),
    ][i % 3]


def sample_value(type_: str, i: int, *, nullable: bool) -> object:
    if nullable and i == 2:
        return None
    return {
        "text": f"Wert {i} – Straße \"{i}\" 'ü'",
        "integer": 10**10 + i if i % 2 else -i,
        "real": i * 1.25 - 0.1,
        "boolean": i % 2 == 0,
        "date": dt.date(2001 + i, 1 + i % 12, 1 + i % 28),
        "datetime": dt.datetime(2020, 5, 17, 8, 30, 15, 123000) + dt.timedelta(days=i),
    }[type_]


def sample_frame(layer: Layer, n: int = 4) -> pd.DataFrame:
    data = {
        c.name: [sample_value(c.type, i, nullable=c.nullable) for i in range(n)]
        for c in layer.columns
    }
    for k in layer.key:  # keys must be unique
        data[k] = [f"k{i:03d}" if layer.column(k).type == "text" else i for i in range(n)]
    if AGS_COLUMN in data:  # a GeoPackage holds one municipality: one AGS (or none)
        data[AGS_COLUMN] = [None if v is None else "05315000" for v in data[AGS_COLUMN]]
    if layer.editable:  # the store stamps empty edit columns; give them fixed values
        data["version"] = [1] * n
        data["created_at"] = data["updated_at"] = [dt.datetime(2024, 1, 2, 3, 4, 5)] * n
    frame = pd.DataFrame(data)
    if layer.spatial:
        return gpd.GeoDataFrame(
            frame, geometry=[sample_geometry(layer.geometry, i) for i in range(n)], crs=CRS
        )
    return frame


def expected(store: Store, layer: Layer, frame: pd.DataFrame) -> pd.DataFrame:
    ready = prepare_for_write(layer, frame, crs=store.crs)
    return ready.sort_values(list(layer.key)).reset_index(drop=True)


def assert_same(layer: Layer, got: pd.DataFrame, want: pd.DataFrame) -> None:
    if layer.spatial:
        assert_geodataframe_equal(got, want, check_less_precise=True, normalize=True)
    else:
        assert_frame_equal(got, want)


@pytest.fixture
def store(store_url: str) -> Store:
    s = open_store(store_url)
    s.init(crs=CRS)
    yield s
    s.close()


def test_init_creates_every_layer_empty(store: Store) -> None:
    assert store.schema_version() == SCHEMA.version
    assert store.counts() == {name: 0 for name in SCHEMA.layers}
    assert store.crs.to_epsg() == 25833


def test_init_twice_keeps_data(store: Store) -> None:
    layer = SCHEMA.layer("areas")
    store.write("areas", sample_frame(layer))
    assert store.init() == SCHEMA.version
    assert store.counts()["areas"] == 4


@pytest.mark.parametrize("name", list(SCHEMA.layers))
def test_round_trip_every_layer(store: Store, name: str) -> None:
    layer = SCHEMA.layer(name)
    frame = sample_frame(layer)
    assert store.write(name, frame) == len(frame)
    got = store.read(name)
    assert_same(layer, got, expected(store, layer, frame))
    with store.transaction() as tx:  # the in-transaction read path agrees
        assert_same(layer, tx.read(name), got)


def test_read_filters(store: Store) -> None:
    layer = SCHEMA.layer("measures")
    store.write("measures", sample_frame(layer, 9))
    got = store.read("measures", where={"id": ["k001", "k004"]})
    assert got["id"].tolist() == ["k001", "k004"]
    assert store.read("measures", where={"description": None})["id"].tolist() == ["k002"]
    assert store.read("measures", where={"id": []}).empty
    minx, miny = X0 + 290, Y0 + 140  # around the 4th geometry only
    boxed = store.read("measures", bbox=(minx, miny, minx + 20, miny + 20))
    assert boxed["id"].tolist() == ["k003"]
    both = store.read("measures", bbox=(X0 - 1, Y0 - 1, X0 + 1e4, Y0 + 1e4), where={"id": "k005"})
    assert both["id"].tolist() == ["k005"]
    cols = store.read("measures", columns=["id", "title"])
    assert list(cols.columns) == ["id", "title", "geometry"]


def test_filters_are_values_not_sql(store: Store) -> None:
    layer = SCHEMA.layer("programmes")
    frame = sample_frame(layer, 2)
    frame.loc[0, "name"] = "x' OR '1'='1"
    store.write("programmes", frame)
    assert store.read("programmes", where={"name": "x' OR '1'='1"})["id"].tolist() == ["k000"]
    assert store.read("programmes", where={"id": "k000' OR '1'='1"}).empty


def test_unknown_layer_and_column(store: Store) -> None:
    with pytest.raises(UnknownLayerError, match="gibt es im Datenmodell nicht; es gibt: "):
        store.read("planning_areas")
    with pytest.raises(UnknownColumnError, match="sie hat: id"):
        store.read("areas", where={"ID": "x"})
    frame = sample_frame(SCHEMA.layer("programmes")).assign(colour="red")
    with pytest.raises(UnknownColumnError, match="'colour'"):
        store.write("programmes", frame)


def test_crs_is_converted_on_write(store: Store) -> None:
    layer = SCHEMA.layer("buildings")
    frame = sample_frame(layer, 3).to_crs("EPSG:4326")
    store.write("buildings", frame)
    got = store.read("buildings")
    assert got.crs.to_epsg() == 25833
    assert got.geometry.iloc[0].distance(shapely.Point(X0 + 0, Y0 + 0)) < 1e-3


def test_frame_without_crs_is_refused(store: Store) -> None:
    frame = sample_frame(SCHEMA.layer("buildings"), 2).set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="kein Koordinatenbezugssystem"):
        store.write("buildings", frame)
    assert store.counts()["buildings"] == 0


def test_polygons_become_multipolygons(store: Store) -> None:
    frame = sample_frame(SCHEMA.layer("areas"), 2)
    store.write("areas", frame)
    assert set(store.read("areas").geom_type) == {"MultiPolygon"}


def test_points_refused_in_polygon_layer(store: Store) -> None:
    frame = sample_frame(SCHEMA.layer("areas"), 2)
    frame.loc[1, "geometry"] = shapely.Point(X0, Y0)
    with pytest.raises(StoreError, match="nimmt nur Flächen"):
        store.write("areas", frame)


def test_failing_write_leaves_store_unchanged(store: Store) -> None:
    areas, programmes = SCHEMA.layer("areas"), SCHEMA.layer("programmes")
    store.write("areas", sample_frame(areas, 3))
    store.write("programmes", sample_frame(programmes, 2))
    before_counts = store.counts()
    before = {n: store.read(n) for n in ("areas", "programmes")}

    duplicate = sample_frame(programmes, 2)  # same keys again: a key violation
    with pytest.raises(StoreError), store.transaction() as tx:
        tx.delete("areas", {"id": "k000"})
        tx.write("areas", sample_frame(areas, 5).iloc[3:])
        tx.write("programmes", duplicate)

    assert store.counts() == before_counts
    for name, frame in before.items():
        assert_same(SCHEMA.layer(name), store.read(name), frame)


def test_error_inside_transaction_rolls_back(store: Store) -> None:
    layer = SCHEMA.layer("buildings")
    with pytest.raises(RuntimeError, match="boom"), store.transaction() as tx:
        tx.write("buildings", sample_frame(layer, 3))
        assert len(tx.read("buildings")) == 3  # the transaction sees its own writes
        raise RuntimeError("boom")
    assert store.counts()["buildings"] == 0


def test_replace_upsert_delete(store: Store) -> None:
    layer = SCHEMA.layer("buildings")
    store.write("buildings", sample_frame(layer, 4))
    changed = sample_frame(layer, 6).iloc[2:].assign(dwellings=99)
    assert store.write("buildings", changed, mode="upsert") == 4
    got = store.read("buildings")
    assert got["id"].tolist() == ["k000", "k001", "k002", "k003", "k004", "k005"]
    assert got["dwellings"].tolist()[:2] != [99, 99]
    assert got["dwellings"].tolist()[2:] == [99] * 4
    assert store.delete("buildings", {"id": ["k000", "k005"]}) == 2
    assert store.counts()["buildings"] == 4
    store.write("buildings", sample_frame(layer, 1), mode="replace")
    assert store.read("buildings")["id"].tolist() == ["k000"]
    with pytest.raises(ValueError, match="append, replace, upsert"):
        store.write("buildings", sample_frame(layer, 1), mode="merge")  # type: ignore[arg-type]


def test_optimistic_update(store: Store) -> None:
    layer = SCHEMA.layer("measures")
    store.write("measures", sample_frame(layer, 2))
    with store.transaction(user="anna") as tx:
        assert (
            tx.update("measures", {"id": "k000"}, {"title": "Spielplatz"}, expected_version=1) == 1
        )
    with store.transaction(user="ben") as tx:  # ben still holds version 1: refused
        assert (
            tx.update("measures", {"id": "k000"}, {"title": "Bolzplatz"}, expected_version=1) == 0
        )
    row = store.read("measures", where={"id": "k000"}).iloc[0]
    assert (row["title"], row["version"], row["updated_by"]) == ("Spielplatz", 2, "anna")
    point = shapely.Point(X0 + 5, Y0 + 5)
    with store.transaction(user="anna") as tx:
        tx.update("measures", {"id": "k001"}, {"geometry": point}, expected_version=1)
    moved = store.read("measures", bbox=(X0, Y0, X0 + 10, Y0 + 10))
    assert moved["id"].tolist() == ["k000", "k001"]


def _extended() -> tuple[Migration, ...]:
    note = Column("note", "text", title="Notiz")
    extra = Layer("remarks", "Bemerkungen", (Column("id", "text", nullable=False),), ("id",))
    return MIGRATIONS + (
        Migration(MIGRATIONS[-1].version + 1, "test", (AddColumn("areas", note), AddLayer(extra))),
    )


def test_older_store_is_migrated_not_recreated(store_url: str) -> None:
    old = open_store(store_url)
    old.init(crs=CRS)
    frame = sample_frame(SCHEMA.layer("areas"), 3)
    old.write("areas", frame)
    old.close()

    new = open_store(store_url, migrations=_extended())
    with pytest.raises(SchemaError, match="qmon init"):
        new.counts()
    assert new.init() == SCHEMA.version + 1
    got = new.read("areas")
    assert got["id"].tolist() == ["k000", "k001", "k002"]
    assert got["note"].isna().all()
    assert new.counts()["remarks"] == 0
    new.close()

    with pytest.raises(SchemaError, match="neuer als dieses Programm"):
        open_store(store_url).init()


def test_storage_crs_cannot_change(store: Store) -> None:
    with pytest.raises(SchemaError, match="lässt sich nicht ändern"):
        store.init(crs="EPSG:25832")


def test_uninitialised_store_says_what_to_do(store_url: str) -> None:
    with pytest.raises(SchemaError, match="qmon init"):
        open_store(store_url).counts()


def test_big_write_reads_back(store: Store) -> None:
    n = 20_000
    rng = np.random.default_rng(1)
    frame = gpd.GeoDataFrame(
        {"id": [f"B{i:06d}" for i in range(n)], "dwellings": rng.integers(1, 40, n)},
        geometry=shapely.points(X0 + rng.random(n) * 5000, Y0 + rng.random(n) * 5000),
        crs=CRS,
    )
    store.write("buildings", frame)
    got = store.read("buildings")
    assert len(got) == n
    assert got["dwellings"].sum() == frame["dwellings"].sum()
    sub = store.read("buildings", bbox=(X0, Y0, X0 + 1000, Y0 + 1000))
    inside = frame.cx[X0 : X0 + 1000, Y0 : Y0 + 1000]
    assert sorted(sub["id"]) == sorted(inside["id"])


def test_conform_is_idempotent() -> None:
    layer = SCHEMA.layer("funding_lines")
    once = conform(layer, sample_frame(layer))
    assert_frame_equal(conform(layer, once), once)


def test_upsert_of_editable_record_keeps_creation_and_counts_versions(store: Store) -> None:
    layer = SCHEMA.layer("measures")
    store.write("measures", sample_frame(layer, 2))
    again = sample_frame(layer, 2).assign(
        title="neu", created_at=dt.datetime(2030, 1, 1), updated_at=dt.datetime(2030, 1, 1)
    )
    store.write("measures", again, mode="upsert")
    got = store.read("measures")
    assert got["title"].tolist() == ["neu", "neu"]
    assert got["version"].tolist() == [2, 2]
    assert (got["created_at"] == pd.Timestamp(2024, 1, 2, 3, 4, 5)).all()
    assert (got["updated_at"] == pd.Timestamp(2030, 1, 1)).all()


def test_update_refuses_managed_columns_and_promotes_polygons(store: Store) -> None:
    store.write("measures", sample_frame(SCHEMA.layer("measures"), 1))
    store.write("areas", sample_frame(SCHEMA.layer("areas"), 1))
    managed = "führt der Datenbestand selbst"
    with pytest.raises(StoreError, match=managed), store.transaction() as tx:
        tx.update("measures", {"id": "k000"}, {"version": 7})
    with pytest.raises(StoreError, match="keine Versionsnummer"), store.transaction() as tx:
        tx.update(
            "areas",
            {"level": "k000", "vintage": "k000", "id": "k000"},
            {"name": "x"},
            expected_version=1,
        )
    key = store.read("areas").iloc[0][["level", "vintage", "id"]].to_dict()
    with store.transaction() as tx:
        assert tx.update("areas", key, {"geometry": shapely.box(X0, Y0, X0 + 1, Y0 + 1)}) == 1
    assert store.read("areas").geom_type.tolist() == ["MultiPolygon"]


@pytest.mark.parametrize("bad", ["a\x00b", "\ud800"])
def test_unstorable_text_is_refused_with_its_row(store: Store, bad: str) -> None:
    frame = sample_frame(SCHEMA.layer("programmes"), 3)
    frame["name"] = frame["name"].astype(object)  # pandas' Arrow strings refuse surrogates
    frame.loc[1, "name"] = bad
    with pytest.raises(StoreError, match="Zeile 1, Spalte 'name'"):
        store.write("programmes", frame)
    assert store.counts()["programmes"] == 0


def test_assign_features_to_areas(store: Store) -> None:
    cells = [shapely.box(X0 + i * 100, Y0, X0 + (i + 1) * 100, Y0 + 100) for i in range(3)]
    areas = gpd.GeoDataFrame(
        {"id": ["c", "a", "b"], "level": "PR", "vintage": "2021"}, geometry=cells, crs=CRS
    )
    other = areas.assign(vintage="1990", id=["z", "z1", "z2"])
    store.write("areas", pd.concat([areas, other], ignore_index=True))
    pts = [
        shapely.Point(X0 + 50, Y0 + 50),  # in c
        shapely.Point(X0 + 100, Y0 + 50),  # on the edge of c and a: the smaller id, a
        shapely.box(X0 + 210, Y0 + 10, X0 + 220, Y0 + 20),  # a footprint in b
        shapely.Point(X0 - 50, Y0 - 50),  # outside every area: left out
    ]
    buildings = gpd.GeoDataFrame({"id": ["b1", "b2", "b3", "b4"]}, geometry=pts, crs=CRS)
    store.write("buildings", buildings)
    with store.transaction() as tx:
        got = tx.assign("buildings", areas_where={"vintage": "2021"})
    assert got.to_dict("list") == {"id": ["b1", "b2", "b3"], "area_id": ["c", "a", "b"]}


def test_store_of_the_first_version_migrates_to_the_current_model(store_url: str) -> None:
    first = open_store(store_url, migrations=MIGRATIONS[:1])
    assert first.init(crs=CRS) == 1
    first.write("measures", sample_frame(build_schema(MIGRATIONS[:1]).layer("measures"), 3))
    first.close()
    current = open_store(store_url)
    assert current.schema_version() == 1
    assert current.init() == SCHEMA.version > 1
    assert current.read("measures")["id"].tolist() == ["k000", "k001", "k002"]
    added = [n for n in SCHEMA.layers if n not in build_schema(MIGRATIONS[:1]).layers]
    assert added and all(current.counts()[n] == 0 for n in added)


def test_big_integers_keep_every_digit(store: Store) -> None:
    frame = sample_frame(SCHEMA.layer("buildings"), 3)
    frame["dwellings"] = pd.Series([2**62 + 1, None, -(2**63) + 1], dtype=object)
    store.write("buildings", frame)
    assert store.read("buildings")["dwellings"].tolist() == [2**62 + 1, pd.NA, -(2**63) + 1]


# --- the change token: every committed write raises it, nothing else does ------------------


def test_change_token_rises_with_each_committed_write(store: Store) -> None:
    layer = SCHEMA.layer("measures")
    start = store.change_token()
    assert start.store_id and start.counter >= 1  # init itself was a change
    store.write("measures", sample_frame(layer))
    after_write = store.change_token()
    assert after_write == (start.store_id, start.counter + 1)
    with store.transaction(user="anna") as tx:  # several writes, one transaction: one step
        assert tx.update("measures", {"id": "k000"}, {"title": "Neu"}, expected_version=1) == 1
        assert tx.delete("measures", {"id": "k001"}) == 1
    assert store.change_token().counter == start.counter + 2
    store.write("measures", sample_frame(layer).iloc[[2]], mode="upsert")
    assert store.change_token().counter == start.counter + 3
    store.delete("measures")
    assert store.change_token().counter == start.counter + 4


def test_change_token_stays_on_reads_and_rollbacks(store: Store) -> None:
    layer = SCHEMA.layer("measures")
    store.write("measures", sample_frame(layer))
    before = store.change_token()
    store.read("measures")
    store.read("measures", where={"id": "k000"}, bbox=(X0 - 1, Y0 - 1, X0 + 1e4, Y0 + 1e4))
    store.read("indicator_values")
    store.counts()
    with store.transaction() as tx:
        tx.read("measures")
        assert tx.update("measures", {"id": "k000"}, {"title": "x"}, expected_version=7) == 0
        assert tx.delete("measures", {"id": "nicht-da"}) == 0
    assert store.change_token() == before
    with pytest.raises(RuntimeError, match="abgebrochen"), store.transaction() as tx:
        tx.write("measures", sample_frame(layer).iloc[[0]], mode="upsert")
        tx.delete("measures", {"id": "k001"})
        raise RuntimeError("abgebrochen")
    assert store.change_token() == before
    assert store.counts()["measures"] == 4
    with pytest.raises(StoreError):  # a failing write rolls back, the token with it
        store.write("measures", sample_frame(layer))  # the keys exist already
    assert store.change_token() == before


def test_change_token_is_seen_by_a_second_store_object(store: Store, store_url: str) -> None:
    other = open_store(store_url)  # another process or app server on the same store
    try:
        seen = other.change_token()
        assert seen == store.change_token()
        store.write("measures", sample_frame(SCHEMA.layer("measures")))
        assert other.change_token().counter == seen.counter + 1
    finally:
        other.close()


def test_change_token_of_a_new_store_and_of_a_migration(store_url: str) -> None:
    fresh = open_store(store_url, migrations=MIGRATIONS[:1])
    try:
        assert fresh.change_token() == ("", 0)
        fresh.init(crs=CRS)
        first = fresh.change_token()
        assert first.store_id and first.counter == 1
        assert fresh.init() == 1  # up to date: no change
        assert fresh.change_token() == first
    finally:
        fresh.close()
    current = open_store(store_url)
    try:
        current.init()  # migrates to the current model: a change
        assert current.change_token() == (first.store_id, 2)
    finally:
        current.close()


def test_count_in_a_transaction_sees_its_own_writes(store: Store) -> None:
    layer = SCHEMA.layer("measures")
    store.write("measures", sample_frame(layer))
    with store.transaction() as tx:
        assert tx.count("measures") == 4 and tx.count("areas") == 0
        tx.delete("measures", {"id": "k000"})
        assert tx.count("measures") == 3
    with pytest.raises(UnknownLayerError), store.transaction() as tx:
        tx.count("keine_ebene")
