"""The GeoPackage store's bulk paths give exactly what the plain paths gave.

Reads of text/integer/real layers go from GDAL's Arrow table straight to the frame
(no pandas round trip, points from their coordinates): the frame must equal, dtype
for dtype and geometry for geometry, what reading through pandas and ``conform``
gives. Writes build the GeoPackage blobs in numpy and load the R-tree in bulk: GDAL
must read the file as before, the R-tree must pass SQLite's own check and answer
every spatial filter as a brute-force filter does, and a failing write leaves the
file unchanged.
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
import pytest
import shapely
from pandas.testing import assert_frame_equal

from geo.errors import StoreError
from geo.schema import GEOMETRY_COLUMN
from geo.store import gpkg_geometry, open_store
from geo.store.base import conform
from geo.store.gpkg import GeoPackageStore

CRS = "EPSG:25833"


def buildings(n: int, *, seed: int = 1, start: int = 0) -> gpd.GeoDataFrame:
    """Buildings with nulls in every nullable column, awkward ids and points."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"B{i}" for i in range(start, start + n)], dtype=object)
    ids[::7] = [f"Ä{i}-ß" for i in range(start, start + n)][::7]  # beyond ASCII: code points
    owner = np.array(["Genossenschaft", "privat", None, "kommunal"], dtype=object)
    frame = gpd.GeoDataFrame(
        {
            "id": ids,
            "dwellings": pd.array(rng.integers(0, 60, n), dtype="Int64"),
            "vacant_dwellings": pd.array(rng.integers(0, 3, n), dtype="Int64"),
            "year_built": pd.array(rng.integers(1870, 2024, n), dtype="Int64"),
            "owner_type": owner[rng.integers(0, 4, n)],
            "storeys": pd.array(rng.integers(1, 12, n), dtype="Int64"),
        },
        geometry=shapely.points(rng.uniform(380_000, 400_000, n), rng.uniform(5.8e6, 5.82e6, n)),
        crs=CRS,
    )
    frame.loc[frame.index[1::5], "dwellings"] = pd.NA
    frame.loc[frame.index[2::9], "year_built"] = 2**53 + 1  # exact past float64
    frame.loc[frame.index[3::11], "storeys"] = pd.NA
    return frame


def old_read(store: GeoPackageStore, layer: str) -> gpd.GeoDataFrame:
    """The read as it was: pyogrio to pandas, conform, sort by key."""
    lay = store.schema.layer(layer)
    frame = pyogrio.read_dataframe(
        store.path,
        layer=layer,
        use_arrow=True,
        fid_as_index=False,
        arrow_to_pandas_kwargs={"integer_object_nulls": True},
    )
    out = conform(lay, frame, crs=store.crs)
    return out.sort_values(list(lay.key), kind="stable").reset_index(drop=True)


def assert_identical(got: gpd.GeoDataFrame, want: gpd.GeoDataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert dict(got.dtypes) == dict(want.dtypes)
    assert got.crs == want.crs
    assert_frame_equal(
        pd.DataFrame(got.drop(columns=GEOMETRY_COLUMN)),
        pd.DataFrame(want.drop(columns=GEOMETRY_COLUMN)),
        check_exact=True,
    )
    a, b = got.geometry.values, want.geometry.values
    assert (shapely.is_missing(a) == shapely.is_missing(b)).all()
    assert shapely.to_wkb(np.asarray(a)).tolist() == shapely.to_wkb(np.asarray(b)).tolist()


@pytest.fixture
def store(tmp_path: Path) -> GeoPackageStore:
    s = open_store(str(tmp_path / "io.gpkg"))
    s.init(crs=CRS)
    assert isinstance(s, GeoPackageStore)
    return s


def test_read_equals_the_pandas_path_with_nulls_big_ints_and_empty_points(
    store: GeoPackageStore,
) -> None:
    frame = buildings(3000)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    geoms[5] = None
    geoms[6] = shapely.Point()  # POINT EMPTY
    frame = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=CRS))
    store.write("buildings", frame)
    got = store.read("buildings")
    assert_identical(got, old_read(store, "buildings"))
    assert got.geometry.isna().sum() == 1 and got.geometry.is_empty.sum() == 1
    assert got["year_built"].max() == 2**53 + 1


def test_read_of_only_points_and_of_mixed_geometry(store: GeoPackageStore) -> None:
    frame = buildings(500)
    store.write("buildings", frame)
    assert_identical(store.read("buildings"), old_read(store, "buildings"))
    mixed = buildings(20, start=500)
    mixed.geometry = [shapely.box(0, 0, i + 1, 1) for i in range(20)]
    store.write("buildings", mixed)
    got = store.read("buildings")
    assert_identical(got, old_read(store, "buildings"))
    assert (got.geom_type == "Polygon").sum() == 20


def test_read_with_filters_columns_and_nothing(store: GeoPackageStore) -> None:
    empty = store.read("buildings")
    assert len(empty) == 0 and list(empty.columns)[-1] == GEOMETRY_COLUMN
    assert_identical(empty, old_read(store, "buildings"))
    frame = buildings(400)
    store.write("buildings", frame)
    old = old_read(store, "buildings")
    box = (385_000.0, 5.805e6, 395_000.0, 5.815e6)
    got = store.read("buildings", bbox=box)
    inside = old[old.intersects(shapely.box(*box))].reset_index(drop=True)
    assert_identical(got, inside)
    where = store.read("buildings", where={"owner_type": ["privat", None]})
    want = old[old["owner_type"].isna() | (old["owner_type"] == "privat")].reset_index(drop=True)
    assert_identical(where, want)
    some = store.read("buildings", columns=["storeys", "id"])
    assert list(some.columns) == ["storeys", "id", GEOMETRY_COLUMN]


def test_points_from_wkb_equal_shapely() -> None:
    pts = shapely.points(np.random.default_rng(2).uniform(0, 1e6, (1000, 2)))
    wkb = shapely.to_wkb(pts, flavor="iso", byte_order=1)
    chunked = pa.chunked_array([pa.array(wkb[:300].tolist()), pa.array(wkb[300:].tolist())])
    got = gpkg_geometry.from_wkb_arrow(chunked)
    assert shapely.equals_exact(got, pts, tolerance=0).all()
    sliced = pa.array(wkb.tolist()).slice(10, 50)  # an offset into the buffers
    assert shapely.equals_exact(gpkg_geometry.from_wkb_arrow(sliced), pts[10:60], tolerance=0).all()
    big = shapely.to_wkb(pts[:3], byte_order=0)  # big-endian: parsed as WKB
    assert shapely.equals_exact(
        gpkg_geometry.from_wkb_arrow(pa.array(big.tolist())), pts[:3], tolerance=0
    ).all()


def rtree_rows(path: Path) -> list[tuple[float, ...]]:
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT rtreecheck('rtree_buildings_geometry')").fetchone() == ("ok",)
        return conn.execute("SELECT * FROM rtree_buildings_geometry ORDER BY id").fetchall()


def trigger_rtree_rows(path: Path) -> list[tuple[float, ...]]:
    """The R-tree as the GeoPackage triggers fill it, built in a copy of the file."""
    copy = path.with_name("copy.gpkg")
    copy.write_bytes(path.read_bytes())
    with sqlite3.connect(copy) as conn:
        gpkg_geometry.register_functions(conn)
        conn.execute("DROP TABLE rtree_buildings_geometry")
        conn.execute(
            "CREATE VIRTUAL TABLE rtree_buildings_geometry USING rtree(id, minx, maxx, miny, maxy)"
        )
        conn.execute(
            "INSERT INTO rtree_buildings_geometry SELECT fid, ST_MinX(geometry), "
            "ST_MaxX(geometry), ST_MinY(geometry), ST_MaxY(geometry) FROM buildings "
            "WHERE geometry NOT NULL AND NOT ST_IsEmpty(geometry)"
        )
        rows = conn.execute("SELECT * FROM rtree_buildings_geometry ORDER BY id").fetchall()
    copy.unlink()
    return rows


def assert_rtree_sound(store: GeoPackageStore) -> None:
    """SQLite's check passes, the entries are the triggers' and GDAL filters as shapely does."""
    rows = rtree_rows(store.path)
    assert rows == trigger_rtree_rows(store.path)
    with sqlite3.connect(store.path) as conn:  # the extent is the tree's
        extent = conn.execute(
            "SELECT min_x, max_x, min_y, max_y FROM gpkg_contents WHERE table_name = 'buildings'"
        ).fetchone()
        tree = conn.execute(
            "SELECT min(minx), max(maxx), min(miny), max(maxy) FROM rtree_buildings_geometry"
        ).fetchone()
    assert extent == tree
    frame = pyogrio.read_dataframe(store.path, layer="buildings", fid_as_index=True)
    rng = np.random.default_rng(5)
    for _ in range(5):
        x, y = rng.uniform(380_000, 400_000), rng.uniform(5.8e6, 5.82e6)
        box = (x, y, x + 3000, y + 2000)
        got = pyogrio.read_dataframe(store.path, layer="buildings", bbox=box, fid_as_index=True)
        want = frame[frame.intersects(shapely.box(*box))]
        assert sorted(got.index) == sorted(want.index)
        assert sorted(store.read("buildings", bbox=box)["id"]) == sorted(want["id"])


def test_write_packs_an_rtree_equal_to_the_triggers_one(store: GeoPackageStore) -> None:
    frame = buildings(6000)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    geoms[7] = None
    geoms[8] = shapely.Point()
    geoms[9:30] = [shapely.box(380_000 + i, 5.8e6, 381_000 + i, 5.801e6) for i in range(21)]
    frame = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=CRS))
    store.write("buildings", frame)
    assert_rtree_sound(store)
    assert len(rtree_rows(store.path)) == 6000 - 2
    store.write("buildings", buildings(100, start=10_000))  # few: into the tree
    assert_rtree_sound(store)
    store.write("buildings", buildings(7000, start=20_000))  # many: the tree packed anew
    assert_rtree_sound(store)
    with store.transaction() as tx:  # the triggers are back: edits keep the tree
        tx.delete("buildings", where={"id": ["B20001", "B10002"]})
        tx.update("buildings", {"id": "B20003"}, {GEOMETRY_COLUMN: shapely.Point(1, 2)})
    assert_rtree_sound(store)
    got = store.read("buildings")
    assert len(got) == 6000 + 100 + 7000 - 2
    info = pyogrio.read_info(store.path, layer="buildings")
    assert info["features"] == len(got)


def test_replace_empties_the_tree_and_keeps_the_triggers(store: GeoPackageStore) -> None:
    store.write("buildings", buildings(3000))
    new = buildings(200, start=50_000)
    store.write("buildings", new, mode="replace")
    assert_rtree_sound(store)
    assert len(rtree_rows(store.path)) == 200
    assert_identical(store.read("buildings"), old_read(store, "buildings"))
    store.write("buildings", new.iloc[:0], mode="replace")
    assert rtree_rows(store.path) == [] and len(store.read("buildings")) == 0
    with sqlite3.connect(store.path) as conn:
        triggers = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'buildings'"
        ).fetchone()
    assert triggers == (7,)


def test_failing_write_leaves_the_file_unchanged(store: GeoPackageStore) -> None:
    store.write("buildings", buildings(3000))
    before = store.path.read_bytes()
    duplicate = buildings(5000, start=50_000)
    duplicate.loc[duplicate.index[4000], "id"] = "B1"  # there already
    with pytest.raises(StoreError):
        store.write("buildings", duplicate)
    with pytest.raises(StoreError), store.transaction() as tx:
        tx.write("buildings", buildings(4000, start=90_000), mode="replace")
        raise StoreError("the import fails after the write")
    assert store.path.read_bytes() == before
    assert_rtree_sound(store)


def test_written_in_key_order_and_read_back_equal(store: GeoPackageStore) -> None:
    frame = buildings(2000).sample(frac=1, random_state=3)
    store.write("buildings", frame)
    got = store.read("buildings")
    assert_identical(got, old_read(store, "buildings"))
    with sqlite3.connect(store.path) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM buildings ORDER BY fid")]
    assert ids == sorted(ids) == got["id"].tolist()


def old_encode(geoms: list[object], srs_id: int) -> list[bytes | None]:
    """The blobs as they were built, one struct.pack per row."""
    out: list[bytes | None] = []
    for g in geoms:
        if g is None:
            out.append(None)
            continue
        wkb = shapely.to_wkb(g, flavor="iso", byte_order=1, output_dimension=2)
        if g.is_empty or g.geom_type == "Point":
            flags = 0x01 | (0x10 if g.is_empty else 0)
            out.append(struct.pack("<2sBBi", b"GP", 0, flags, srs_id) + wkb)
        else:
            minx, miny, maxx, maxy = g.bounds
            head = struct.pack("<2sBBi4d", b"GP", 0, 0x03, srs_id, minx, maxx, miny, maxy)
            out.append(head + wkb)
    return out


def test_blobs_equal_the_row_by_row_ones() -> None:
    geoms = [
        shapely.Point(1.5, -2),
        None,
        shapely.Point(),
        shapely.Point(3, 4, 5),
        shapely.box(0, 0, 1, 2),
        shapely.Polygon(),
        shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 3)]),
        shapely.LineString([(0, 0), (1, 5)]),
        shapely.MultiPoint([(1, 1), (2, 0)]),
        shapely.GeometryCollection(),
        *shapely.points(np.random.default_rng(4).uniform(-1e6, 1e6, (500, 2))),
    ]
    assert gpkg_geometry.encode(geoms, 25833) == old_encode(geoms, 25833)
    assert gpkg_geometry.encode([None, None], 25833) == [None, None]
