"""Assigning features to areas: against geopandas.sjoin, and as properties."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.errors import CRSError
from geo.joins import assign_to_areas


def grid(n: int) -> gpd.GeoDataFrame:
    boxes = [shapely.box(i, j, i + 1, j + 1) for i in range(n) for j in range(n)]
    ids = [f"{i:02d}{j:02d}" for i in range(n) for j in range(n)]
    return gpd.GeoDataFrame({"id": ids}, geometry=boxes, crs="EPSG:25832")


def test_matches_sjoin_on_interior_points() -> None:
    rng = np.random.default_rng(7)
    areas = grid(6)
    pts = gpd.GeoDataFrame(
        {"n": range(500)}, geometry=shapely.points(rng.random((500, 2)) * 7 - 0.5), crs=25832
    )
    ours = assign_to_areas(pts, areas)
    ref = gpd.sjoin(pts, areas, predicate="within", how="left")["id"]
    ref = ref[~ref.index.duplicated()].reindex(pts.index)
    assert ours.isna().sum() == ref.isna().sum() > 0  # points outside the grid stay missing
    assert (ours.dropna() == ref.dropna()).all()


def test_footprints_use_a_point_inside() -> None:
    areas = grid(2)
    # an L-shaped footprint whose centroid lies outside it, in area 0001
    l_shape = shapely.Polygon(
        [(0.1, 0.1), (0.9, 0.1), (0.9, 0.2), (0.2, 0.2), (0.2, 0.9), (0.1, 0.9)]
    )
    feats = gpd.GeoDataFrame(geometry=[l_shape], crs=25832)
    assert assign_to_areas(feats, areas).tolist() == ["0000"]


def test_refuses_mixed_crs() -> None:
    with pytest.raises(CRSError, match="verschiedenen Bezugssystemen"):
        assign_to_areas(grid(1).to_crs(4326), grid(1))


@settings(max_examples=40, deadline=None)
@given(
    xs=st.lists(st.floats(-1, 4), min_size=1, max_size=60),
    seed=st.integers(0, 2**16),
)
def test_each_point_at_most_once_and_order_invariant(xs: list[float], seed: int) -> None:
    areas = grid(3)
    ys = list(reversed(xs))
    pts = gpd.GeoDataFrame(geometry=shapely.points(xs, ys), crs=25832)
    result = assign_to_areas(pts, areas)
    assert len(result) == len(pts) and result.index.equals(pts.index)
    shuffled = pts.sample(frac=1, random_state=seed)
    again = assign_to_areas(shuffled, areas.sample(frac=1, random_state=seed))
    assert again.reindex(result.index).equals(result)
    # points on shared edges go to exactly one area; inside the grid nothing is lost
    inside = (np.array(xs) >= 0) & (np.array(xs) <= 3) & (np.array(ys) >= 0) & (np.array(ys) <= 3)
    assert result[inside].notna().all() and result[~inside].isna().all()


def shuffled_grid(n: int, seed: int) -> gpd.GeoDataFrame:
    """A grid whose ids are not in the order of the rows (so "smallest id" is not "first")."""
    areas = grid(n)
    ids = areas["id"].to_numpy().copy()
    np.random.default_rng(seed).shuffle(ids)
    return areas.assign(id=ids).sample(frac=1, random_state=seed)


def sjoin_reference(pts: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, predicate: str) -> pd.Series:
    """The smallest id of the areas ``geopandas.sjoin`` matches to each point (None if none)."""
    joined = gpd.sjoin(pts, areas[["id", "geometry"]], predicate=predicate, how="inner")
    best = joined.groupby(level=0)["id"].min()
    return best.reindex(pts.index).astype(object).where(best.reindex(pts.index).notna(), None)


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(st.tuples(st.integers(-2, 8), st.integers(-2, 8)), min_size=1, max_size=80),
    jitter=st.lists(st.floats(0, 0.5, exclude_max=True), min_size=1, max_size=80),
    seed=st.integers(0, 2**16),
    cached=st.booleans(),
)
def test_equals_sjoin_within_and_smallest_id_on_edges(
    cells: list[tuple[int, int]], jitter: list[float], seed: int, cached: bool
) -> None:
    # coordinates on a half-unit lattice (many on edges and corners), some moved off it
    xy = np.array(cells, dtype=float) / 2
    xy[:, 0] += np.resize(np.array(jitter), len(xy))
    pts = gpd.GeoDataFrame(
        {"n": range(len(xy))}, geometry=shapely.points(xy), crs=25832, index=np.arange(len(xy)) * 3
    )
    areas = shuffled_grid(3, seed)
    if cached:
        assert pts.sindex is not None  # geopandas' cached tree is reused, not rebuilt
    ours = assign_to_areas(pts, areas)
    within = sjoin_reference(pts, areas, "within")
    inside = within.notna()
    # where a point lies inside one area, exactly sjoin(predicate="within")
    assert ours[inside].equals(within[inside])
    # on shared edges and corners (no area "contains" it): the smallest id of those it touches
    touching = sjoin_reference(pts, areas, "intersects")
    assert ours.equals(touching.rename("id"))
    assert ours.index.equals(pts.index) and ours.dtype == object


def test_footprints_and_missing_geometries_by_representative_point() -> None:
    areas = shuffled_grid(3, 5)
    rng = np.random.default_rng(3)
    centres = rng.random((50, 2)) * 4 - 0.5
    feats = gpd.GeoDataFrame(
        geometry=[shapely.box(x, y, x + 0.3, y + 0.2) for x, y in centres]
        + [None, shapely.Point(), shapely.Point(1.5, 1.5)],
        crs=25832,
    )
    ours = assign_to_areas(feats, areas)
    anchors = feats.geometry.representative_point()
    ref = assign_to_areas(gpd.GeoDataFrame(geometry=anchors, crs=25832), areas)
    assert ours.equals(ref)
    assert ours.iloc[-3:].tolist()[:2] == [None, None]
    assert (
        ours.iloc[-1]
        == areas.set_index("id")
        .index[areas.geometry.intersects(shapely.Point(1.5, 1.5)).to_numpy()]
        .min()
    )


def test_leaves_the_areas_unprepared_and_the_ids_as_they_are() -> None:
    areas = gpd.GeoDataFrame(
        {"id": [30, 10, 20]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(2, 0, 3, 1)],
        crs=25832,
    )
    pts = gpd.GeoDataFrame(geometry=shapely.points([0.5, 1.0, 2.0, 2.5], [0.5] * 4), crs=25832)
    assert assign_to_areas(pts, areas).tolist() == [30, 10, 10, 20]
    assert not shapely.is_prepared(areas.geometry.values).any()
