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

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
import pytest
import shapely
from pandas.testing import assert_frame_equal

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
