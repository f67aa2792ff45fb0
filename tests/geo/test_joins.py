"""Assigning features to areas: against geopandas.sjoin, and as properties."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
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
