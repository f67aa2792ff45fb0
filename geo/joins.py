"""Assign features to the areas that contain them (buildings to planning areas, measures to
funding areas).

A feature counts for the one area that contains its representative point (for points: the
point itself), so every feature is assigned at most once even where areas share an edge:
a point on a shared edge goes to the area with the smallest key, deterministically.
"""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.errors import CRSError

Anchor = Literal["representative_point", "centroid"]
ANCHORS: tuple[str, ...] = ("representative_point", "centroid")


def anchor_points(geoms: gpd.GeoSeries, *, anchor: Anchor = "representative_point") -> np.ndarray:
    """Return one point per geometry: points as they are, others by ``anchor``."""
    if anchor not in ANCHORS:
        raise ValueError(f"anchor {anchor!r} is not one of {', '.join(ANCHORS)}")
    arr = np.asarray(geoms.values, dtype=object)
    other = _not_points(arr)
    if not other.any():
        return arr
    out = arr.copy()
    fn = shapely.point_on_surface if anchor == "representative_point" else shapely.centroid
    out[other] = fn(arr[other])
    return out


def _not_points(arr: np.ndarray) -> np.ndarray:
    """Where ``arr`` holds a geometry that is not a point (missing ones are -1, left out)."""
    types = shapely.get_type_id(arr)
    return (types != shapely.GeometryType.POINT) & (types != shapely.GeometryType.MISSING)


def assign_to_areas(
    features: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    area_id: str = "id",
    anchor: Anchor = "representative_point",
) -> pd.Series:
    """Return, for each feature, the id of the area that contains it (missing if none).

    Parameters
    ----------
    features
        Points or footprints.
    areas
        Polygons with the id column ``area_id``, in the same CRS as ``features``.
    area_id
        The column of ``areas`` to return.
    anchor
        How a non-point feature is reduced to a point.

    Returns
    -------
    pandas.Series
        Indexed like ``features``, named ``area_id``; missing where no area contains the
        feature.

    Raises
    ------
    CRSError
        When the two frames are in different CRSs.

    Notes
    -----
    The tree is over the anchor points and is asked only for the points in each area's
    bounding box; each area polygon is prepared once and tests its candidates by their
    coordinates (``shapely.intersects_xy``, which skips the per-point geometry
    dispatch of a predicate query). When every feature is a point, the tree is
    geopandas' spatial index of ``features`` (``features.sindex``: built on first use
    and cached with the frame, as ``geopandas.sjoin`` does). Where an anchor lies on a
    shared edge of several areas, the smallest area id wins: area ids are ranked once,
    and each point keeps the smallest rank it hit (integer work, no sort of the hits).

    Examples
    --------
    >>> areas = gpd.GeoDataFrame({"id": ["A", "B"]},
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], crs="EPSG:25832")
    >>> pts = gpd.GeoDataFrame(geometry=shapely.points([0.5, 1.0, 1.5, 5], [0.5, 0.5, 0.5, 5]),
    ...     crs="EPSG:25832")
    >>> assign_to_areas(pts, areas).tolist()
    ['A', 'A', 'B', None]
    """
    _check_same_crs(features.crs, areas.crs)
    geoms = np.asarray(features.geometry.values, dtype=object)
    polygons = np.asarray(areas.geometry.values, dtype=object)
    if _not_points(geoms).any():
        points = anchor_points(features.geometry, anchor=anchor)
        hit_area, hit_point = shapely.STRtree(points).query(polygons)
    else:  # the features are their own anchors: use (and cache) geopandas' tree
        points = geoms
        hit_area, hit_point = features.geometry.values.sindex.query(polygons)
    prepared_here = ~shapely.is_prepared(polygons) & ~shapely.is_missing(polygons)
    shapely.prepare(polygons[prepared_here])
    try:
        # read the coordinates in storage order (NaN where missing or empty), then gather:
        # reading them from the hits' geometries in hit order would miss the cache
        x, y = _point_xy(points)
        inside = shapely.intersects_xy(polygons[hit_area], x[hit_point], y[hit_point])
    finally:
        shapely.destroy_prepared(polygons[prepared_here])
    hit_area, hit_point = hit_area[inside], hit_point[inside]
    # rank the ids once (a stable sort, missing ids last); a point keeps its smallest rank
    ids = areas[area_id].to_numpy(dtype=object)
    order = pd.Series(ids).sort_values(kind="stable").index.to_numpy()
    rank = np.empty(len(areas), dtype=np.intp)
    rank[order] = np.arange(len(areas))
    best = np.full(len(features), len(areas), dtype=np.intp)  # len(areas): none
    np.minimum.at(best, hit_point, rank[hit_area])
    ids_by_rank = np.empty(len(areas) + 1, dtype=object)  # the last one stays None
    ids_by_rank[:-1] = ids[order]
    return pd.Series(ids_by_rank[best], index=features.index, name=area_id, dtype=object)


def _point_xy(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of each point, NaN where it is missing or empty."""
    try:
        return shapely.get_x(points), shapely.get_y(points)
    except shapely.errors.GEOSException:  # GEOS refuses an empty point: read the others
        present = points.copy()
        present[shapely.is_empty(points)] = None
        return shapely.get_x(present), shapely.get_y(present)


def _check_same_crs(a: object, b: object) -> None:
    if a is None or b is None or not CRS.from_user_input(a).equals(CRS.from_user_input(b)):
        raise CRSError(code="crs.join_mismatch", left=str(a), right=str(b))
