"""Areal interpolation: move indicators from statistical areas onto other polygons.

Counts (extensive values) are apportioned by weights :math:`w_{ij}`, the share of
source area :math:`i` that falls into target :math:`j`; rates are recomputed from
the apportioned numerator and denominator. The weights are the share of the
source's *area* (area-weighted) or of its *dwellings* (dasymetric, from building
points or footprints with a dwellings column).

The intersections are found with one STRtree query and computed in one vectorised
shapely call; pairs where one polygon lies inside the other skip the intersection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import german
from indicators.errors import InterpolationError
from indicators.rates import flag_series

FLAG_AREA_FALLBACK = "area_fallback"
WEIGHT_COLUMNS: tuple[str, ...] = ("source", "target", "weight")


def _check_layers(source: gpd.GeoDataFrame, target: gpd.GeoDataFrame) -> None:
    """Both layers must be GeoDataFrames in the same projected CRS."""
    crs = {}
    for label, frame in (("Quelle", source), ("Ziel", target)):
        if not isinstance(frame, gpd.GeoDataFrame):
            raise InterpolationError(code="interpolation.not_polygons", layer=label)
        crs[label] = frame.crs  # (each look-up builds the geometry column anew)
        if crs[label] is None:
            raise InterpolationError(code="interpolation.no_crs", layer=label)
        if not crs[label].is_projected:
            raise InterpolationError(
                code="interpolation.geographic", layer=label, crs=crs[label].to_string()
            )
        if not frame.index.is_unique:
            raise InterpolationError(code="interpolation.index_repeats", layer=label)
    if not crs["Quelle"].equals(crs["Ziel"]):
        raise InterpolationError(
            code="interpolation.crs_differ",
            source=crs["Quelle"].to_string(),
            target=crs["Ziel"].to_string(),
        )


@dataclass(frozen=True)
class _Pool:
    """A thread pool and its size."""

    executor: ThreadPoolExecutor
    size: int


def _threaded(
    func: Callable[..., np.ndarray], *arrays: np.ndarray, pool: _Pool | None
) -> np.ndarray:
    """Apply a vectorised shapely function in chunks over threads (it releases the GIL)."""
    if pool is None or pool.size <= 1 or len(arrays[0]) < 64:
        return np.asarray(func(*arrays))
    cost = sum(shapely.get_num_coordinates(a) for a in arrays)
    order = np.argsort(cost)
    chunks = [order[k :: pool.size] for k in range(pool.size)]  # cheap and dear items in each
    parts = list(pool.executor.map(lambda c: np.asarray(func(*(a[c] for a in arrays))), chunks))
    out = np.empty(len(arrays[0]), dtype=parts[0].dtype)
    for idx, res in zip(chunks, parts):
        out[idx] = res
    return out


def _intersection_area(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Area of a ∩ b, elementwise."""
    return np.asarray(shapely.area(shapely.intersection(a, b)), dtype=float)


def _geoms(frame: gpd.GeoDataFrame, *, pool: _Pool | None = None) -> np.ndarray:
    """Geometries as a shapely array; invalid ones repaired with make_valid."""
    geoms = np.asarray(frame.geometry.values, dtype=object)
    invalid = ~_threaded(shapely.is_valid, geoms, pool=pool).astype(bool)
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    return geoms


def intersection_areas(
    source: gpd.GeoDataFrame, target: gpd.GeoDataFrame, *, workers: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return positions (source, target) of overlapping pairs, their overlap area, and
    the area of every source polygon (after repairing invalid ones).

    Notes
    -----
    :math:`a_{ij} = |S_i \\cap T_j|`. Pairs are found with an STRtree query on the
    larger layer; a pair where one polygon properly contains the other (tested only
    where its bounding box lies in the other's) takes the smaller polygon's area
    without computing the intersection; the others are intersected in one vectorised
    call. With ``workers`` > 1 that call is split over threads: shorter waits with a
    free core, but more CPU time in all (the default is one thread, as tobler's
    ``n_jobs=1``).
    """
    _check_layers(source, target)
    if workers <= 1:
        return _intersection_areas(source, target, pool=None)
    with ThreadPoolExecutor(workers) as executor:
        return _intersection_areas(source, target, pool=_Pool(executor, workers))


def _query_pairs(src: np.ndarray, tgt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of intersecting (source, target) pairs, sorted; tree on the larger side."""
    if len(src) >= len(tgt):
        j, i = shapely.STRtree(src).query(tgt, predicate="intersects")
    else:
        i, j = shapely.STRtree(tgt).query(src, predicate="intersects")
    order = np.lexsort((j, i))
    return i[order], j[order]


def _repair(geoms: np.ndarray, used: np.ndarray, pool: _Pool | None) -> np.ndarray:
    """Repair the invalid geometries among ``geoms[used]``; return the (copied) array."""
    invalid = ~_threaded(shapely.is_valid, geoms[used], pool=pool).astype(bool)
    if not invalid.any():
        return geoms
    fixed = geoms.copy()
    fixed[used[invalid]] = shapely.make_valid(geoms[used[invalid]])
    return fixed


def _box_within(inner: np.ndarray, outer: np.ndarray) -> np.ndarray:
    """Where the bounds ``inner`` (rows of xmin, ymin, xmax, ymax) lie within ``outer``."""
    return (
        (inner[:, 0] >= outer[:, 0])
        & (inner[:, 1] >= outer[:, 1])
        & (inner[:, 2] <= outer[:, 2])
        & (inner[:, 3] <= outer[:, 3])
    )


def _intersection_areas(
    source: gpd.GeoDataFrame, target: gpd.GeoDataFrame, *, pool: _Pool | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The work of :func:`intersection_areas` (on a thread pool if one is given)."""
    src = np.asarray(source.geometry.values, dtype=object)
    tgt = np.asarray(target.geometry.values, dtype=object)
    if len(src) == 0 or len(tgt) == 0:
        empty = np.array([], dtype=np.int64)
        return empty, empty, np.array([], dtype=float), np.asarray(shapely.area(src))
    i, j = _query_pairs(src, tgt)
    # only geometries that take part are checked; invalid ones are repaired (make_valid)
    src_fixed = _repair(src, np.unique(i), pool)
    tgt_fixed = _repair(tgt, np.unique(j), pool)
    if src_fixed is not src or tgt_fixed is not tgt:
        src, tgt = src_fixed, tgt_fixed
        i, j = _query_pairs(src, tgt)
    a_src, a_tgt = shapely.area(src), shapely.area(tgt)
    b_src, b_tgt = shapely.bounds(src)[i], shapely.bounds(tgt)[j]
    inside_tgt = _box_within(b_src, b_tgt)  # the source may lie inside the target
    inside_tgt[inside_tgt] = shapely.contains_properly(tgt[j[inside_tgt]], src[i[inside_tgt]])
    inside_src = ~inside_tgt & _box_within(b_tgt, b_src)
    inside_src[inside_src] = shapely.contains_properly(src[i[inside_src]], tgt[j[inside_src]])
    rest = ~(inside_tgt | inside_src)
    areas = np.empty(len(i), dtype=float)
    areas[inside_tgt] = a_src[i[inside_tgt]]
    areas[inside_src] = a_tgt[j[inside_src]]
    areas[rest] = _threaded(_intersection_area, src[i[rest]], tgt[j[rest]], pool=pool)
    keep = areas > 0
    return i[keep], j[keep], areas[keep], a_src


def area_weights(
    source: gpd.GeoDataFrame, target: gpd.GeoDataFrame, *, allocate_total: bool = False
) -> pd.DataFrame:
    """Return the area weights: the share of each source area that lies in each target.

    Parameters
    ----------
    source, target
        Polygon layers in the same projected CRS, each with a unique index.
    allocate_total
        If True, divide by the part of the source covered by targets, so that the
        whole source value is allocated (tobler's default); if False (default),
        divide by the whole source area, so that the share outside every target
        is not allocated.

    Returns
    -------
    pandas.DataFrame
        Columns ``source`` and ``target`` (index labels of the layers) and
        ``weight``, one row per overlapping pair.

    Raises
    ------
    InterpolationError
        When a layer has no or a geographic CRS, the CRSs differ or an index repeats.

    Notes
    -----
    :math:`w_{ij} = a_{ij} / |S_i|`, or with ``allocate_total``
    :math:`w_{ij} = a_{ij} / \\sum_k a_{ik}`.

    Examples
    --------
    >>> from shapely import box
    >>> src = gpd.GeoDataFrame(geometry=[box(0, 0, 2, 1)], crs="EPSG:25833")
    >>> tgt = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(1, 0, 3, 1)], crs="EPSG:25833")
    >>> area_weights(src, tgt)
       source  target  weight
    0       0       0     0.5
    1       0       1     0.5
    """
    i, j, a, a_src = intersection_areas(source, target)
    return _weight_table(source, target, i, j, a, a_src, allocate_total=allocate_total)


def _weight_table(
    source: gpd.GeoDataFrame,
    target: gpd.GeoDataFrame,
    i: np.ndarray,
    j: np.ndarray,
    a: np.ndarray,
    a_src: np.ndarray,
    *,
    allocate_total: bool,
) -> pd.DataFrame:
    """Area weights from the overlap pairs (see :func:`area_weights`)."""
    if allocate_total:
        den = np.bincount(i, weights=a, minlength=len(source))[i]
    else:
        den = a_src[i]
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(den > 0, a / den, 0.0)
    return pd.DataFrame({"source": source.index[i], "target": target.index[j], "weight": weight})


def dasymetric_weights(
    source: gpd.GeoDataFrame,
    target: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    *,
    dwellings: str = "dwellings",
    fallback: bool = True,
) -> pd.DataFrame:
    """Return dwelling weights: the share of each source's dwellings in each target.

    Parameters
    ----------
    source, target
        Polygon layers in the same projected CRS.
    buildings
        Building points or footprints in that CRS with a dwellings column. A
        footprint that crosses a boundary is split by area.
    dwellings
        Name of the dwellings column.
    fallback
        For a source without any dwellings, use its area weights (flagged
        ``area_fallback``); if False such a source gets no weights.

    Returns
    -------
    pandas.DataFrame
        Columns ``source``, ``target``, ``weight`` and ``flag``.

    Raises
    ------
    InterpolationError
        When the layers do not fit (CRS, index) or the dwellings column is missing
        or negative.

    Notes
    -----
    With :math:`d_b` dwellings in building :math:`b` and :math:`B_b` its footprint
    (a point counts whole where it lies):

    .. math:: d_{ij} = \\sum_b d_b \\, |B_b \\cap S_i \\cap T_j| / |B_b|, \\qquad
              w_{ij} = d_{ij} / d_i, \\quad d_i = \\sum_b d_b |B_b \\cap S_i| / |B_b|

    Examples
    --------
    >>> from shapely import box, Point
    >>> src = gpd.GeoDataFrame(geometry=[box(0, 0, 2, 1)], crs="EPSG:25833")
    >>> tgt = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(1, 0, 3, 1)], crs="EPSG:25833")
    >>> houses = gpd.GeoDataFrame({"dwellings": [30, 10]},
    ...     geometry=[Point(0.5, 0.5), Point(1.5, 0.5)], crs="EPSG:25833")
    >>> dasymetric_weights(src, tgt, houses)[["source", "target", "weight"]]
       source  target  weight
    0       0       0    0.75
    1       0       1    0.25
    """
    _check_layers(source, target)
    _check_layers(source, buildings)
    if dwellings not in buildings.columns:
        raise InterpolationError(
            code="interpolation.no_dwellings_column",
            column=dwellings,
            columns=", ".join(map(str, buildings.columns)),
        )
    dw = pd.to_numeric(buildings[dwellings], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    if (dw < 0).any():
        raise InterpolationError(code="interpolation.negative_dwellings", column=dwellings)
    src, tgt, bld = _geoms(source), _geoms(target), _geoms(buildings)
    keep = dw > 0
    bld, dw = bld[keep], dw[keep]
    b_i, s_i, share_bs = _building_shares(bld, src)
    d_i = np.bincount(s_i, weights=dw[b_i] * share_bs, minlength=len(src))
    pieces_b, pieces_s = b_i, s_i
    piece_geoms = bld[b_i]
    polygonal = shapely.get_dimensions(piece_geoms) == 2
    # for footprints crossing a source boundary, split them by the source first
    split = polygonal & (share_bs < 1.0)
    if split.any():
        piece_geoms = piece_geoms.copy()
        piece_geoms[split] = shapely.intersection(piece_geoms[split], src[s_i[split]])
    p_idx, t_j, share_pt = _building_shares(piece_geoms, tgt)
    # share of the whole building in (i, j) = share of piece in j * share of building in i
    frac = share_pt * share_bs[p_idx]
    d_ij = (
        pd.DataFrame({"s": pieces_s[p_idx], "t": t_j, "d": dw[pieces_b[p_idx]] * frac})
        .groupby(["s", "t"], sort=True)["d"]
        .sum()
    )
    s_pos = d_ij.index.get_level_values("s").to_numpy()
    t_pos = d_ij.index.get_level_values("t").to_numpy()
    dwelling = pd.Series(
        d_ij.to_numpy() / d_i[s_pos],
        index=pd.MultiIndex.from_arrays([source.index[s_pos], target.index[t_pos]]),
    )
    # every overlapping pair is listed, with weight 0 where no dwellings are, so that a
    # target without dwellings gets 0 rather than "no data"
    out = area_weights(source, target)
    pairs = pd.MultiIndex.from_frame(out[["source", "target"]])
    empty_source = pd.Index(source.index[d_i == 0])
    use_area = out["source"].isin(empty_source).to_numpy() & fallback
    out["flag"] = flag_series(use_area, FLAG_AREA_FALLBACK, out.index)
    out["weight"] = np.where(
        use_area, out["weight"], dwelling.reindex(pairs).fillna(0.0).to_numpy()
    )
    return out


def _building_shares(
    buildings: np.ndarray, polygons: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (building, polygon) and the share of the building in the polygon.

    A point (or line) counts whole in the first polygon that covers it; a
    footprint by the share of its area.
    """
    if len(buildings) == 0 or len(polygons) == 0:
        empty = np.array([], dtype=np.int64)
        return empty, empty, np.array([], dtype=float)
    tree = shapely.STRtree(polygons)
    dims = shapely.get_dimensions(buildings)
    b_parts, p_parts, s_parts = [], [], []
    point_pos = np.flatnonzero(dims < 2)
    if len(point_pos):
        b, p = tree.query(buildings[point_pos], predicate="intersects")
        first = np.unique(b, return_index=True)[1]  # a point on a shared edge counts once
        b_parts.append(point_pos[b[first]])
        p_parts.append(p[first])
        s_parts.append(np.ones(len(first)))
    foot_pos = np.flatnonzero(dims == 2)
    if len(foot_pos):
        b, p = tree.query(buildings[foot_pos], predicate="intersects")
        geoms_b = buildings[foot_pos][b]
        full = shapely.contains_properly(polygons[p], geoms_b)
        area_b = shapely.area(geoms_b)
        inter = np.where(full, area_b, 0.0)
        rest = ~full
        inter[rest] = shapely.area(shapely.intersection(geoms_b[rest], polygons[p[rest]]))
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(area_b > 0, inter / area_b, 0.0)
        ok = share > 0
        b_parts.append(foot_pos[b[ok]])
        p_parts.append(p[ok])
        s_parts.append(share[ok])
    return np.concatenate(b_parts), np.concatenate(p_parts), np.concatenate(s_parts)


def apply_weights(
    values: pd.DataFrame,
    weights: pd.DataFrame,
    *,
    extensive: Sequence[str] = (),
    rates: Mapping[str, tuple[str, str]] | None = None,
    factor: float = 100.0,
    target_index: pd.Index | None = None,
) -> pd.DataFrame:
    """Apportion source values to targets with a weight table.

    Parameters
    ----------
    values
        One row per source (indexed like the weights' ``source``), numeric columns.
    weights
        From :func:`area_weights` or :func:`dasymetric_weights` (or a crosswalk).
    extensive
        Count columns to apportion.
    rates
        ``{name: (numerator column, denominator column)}``: rates recomputed from the
        apportioned numerator and denominator (which need not be in ``extensive``).
    factor
        Multiplier of the rates (100 for percentages).
    target_index
        All targets, so that targets without any overlap appear, with NaN: no source
        says anything about them (unknown, not zero).

    Returns
    -------
    pandas.DataFrame
        One row per target, the apportioned counts and the rates; a target that
        receives a share of a missing (NaN) source value is NaN.

    Notes
    -----
    :math:`v_j = \\sum_i w_{ij} v_i` for counts; :math:`r_j = f \\cdot N_j / D_j` with
    :math:`N_j = \\sum_i w_{ij} N_i` and :math:`D_j = \\sum_i w_{ij} D_i` for rates.

    Examples
    --------
    >>> w = pd.DataFrame({"source": ["a", "a", "b"], "target": ["x", "y", "y"],
    ...                   "weight": [0.5, 0.5, 1.0]})
    >>> v = pd.DataFrame({"unemployed": [10.0, 30.0], "residents_15_64": [100.0, 100.0]},
    ...                  index=["a", "b"])
    >>> apply_weights(v, w, extensive=["unemployed"],
    ...               rates={"rate": ("unemployed", "residents_15_64")}).round(2)
       unemployed   rate
    x         5.0  10.00
    y        35.0  23.33
    """
    rates = dict(rates or {})
    columns = list(dict.fromkeys([*extensive, *(c for pair in rates.values() for c in pair)]))
    missing = [c for c in columns if c not in values.columns]
    if missing:
        raise InterpolationError(
            code="interpolation.missing_value_columns",
            missing=", ".join(missing),
            columns=", ".join(map(str, values.columns)),
        )
    unknown = pd.Index(weights["source"]).difference(values.index)
    if len(unknown):
        raise InterpolationError(
            code="interpolation.sources_without_values",
            count=german.count(len(unknown), "Quellgebiet", "Quellgebiete"),
            examples=", ".join(map(str, unknown[:5])),
        )
    targets = target_index if target_index is not None else pd.Index(pd.unique(weights["target"]))
    t_codes = targets.get_indexer(pd.Index(weights["target"]))
    if (t_codes < 0).any():
        raise InterpolationError(code="interpolation.unknown_targets")
    w = weights["weight"].to_numpy(dtype=float)
    src_rows = values.index.get_indexer(pd.Index(weights["source"]))
    out = pd.DataFrame(index=targets)
    sums: dict[str, np.ndarray] = {}
    for col in columns:
        v = pd.to_numeric(values[col], errors="coerce").to_numpy(dtype=float)[src_rows]
        contrib = w * v
        total = np.bincount(t_codes, weights=np.nan_to_num(contrib), minlength=len(targets)).astype(
            float
        )  # (integers when there are no weights at all)
        poisoned = np.bincount(
            t_codes, weights=(np.isnan(contrib) & (w > 0)).astype(float), minlength=len(targets)
        )
        reached = np.bincount(t_codes, minlength=len(targets)) > 0
        total[(poisoned > 0) | ~reached] = np.nan
        sums[col] = total
    for col in extensive:
        out[col] = sums[col]
    for name, (num, den) in rates.items():
        with np.errstate(divide="ignore", invalid="ignore"):
            out[name] = np.where(sums[den] > 0, factor * sums[num] / sums[den], np.nan)
    return out


def area_interpolate(
    source: gpd.GeoDataFrame,
    target: gpd.GeoDataFrame,
    *,
    extensive: Sequence[str] = (),
    intensive: Sequence[str] = (),
    rates: Mapping[str, tuple[str, str]] | None = None,
    factor: float = 100.0,
    allocate_total: bool = False,
) -> gpd.GeoDataFrame:
    """Interpolate source values onto target polygons by area.

    Parameters
    ----------
    source, target
        Polygon layers in the same projected CRS.
    extensive
        Count columns: apportioned by area share (totals are kept where the
        targets cover the sources).
    intensive
        Columns averaged by area within each target (tobler's intensive variables;
        prefer ``rates`` for rates whose counts you have).
    rates
        ``{name: (numerator, denominator)}`` recomputed from apportioned counts.
    factor
        Multiplier of the rates.
    allocate_total
        See :func:`area_weights`.

    Returns
    -------
    geopandas.GeoDataFrame
        The target index and geometry with the interpolated columns; NaN in every
        column for a target that no source overlaps (see Notes).

    Raises
    ------
    InterpolationError
        When the layers do not fit or a column is missing.

    Notes
    -----
    Extensive: :math:`v_j = \\sum_i v_i \\, a_{ij} / |S_i|` (``allocate_total``:
    :math:`/\\sum_k a_{ik}`). Intensive: :math:`v_j = \\sum_i v_i \\, a_{ij} /
    \\sum_k a_{kj}`. Rates: :math:`r_j = f N_j / D_j` from the extensive
    :math:`N_j, D_j`.

    The sources are the area the data describe. A target that no source overlaps
    (or only touches along an edge) lies outside it: its Einwohner are *unknown*, not
    zero — a grid cell beyond the city boundary has residents, the city's statistics
    just do not count them — so it is NaN, and a sum or mean over targets does not
    take a made-up 0 into it. A target partly covered gets what the sources hold in the
    covered part (the study area's residents in it); the part outside adds nothing.
    tobler's ``area_interpolate`` returns 0 for the former; otherwise the results are
    equal for the same ``allocate_total`` up to float32 precision (about 1e-7,
    relative): tobler keeps the overlap areas in a float32 matrix, these are float64
    (its formula on these areas rounded to float32 gives its results exactly; the
    tests check both).

    Examples
    --------
    >>> from shapely import box
    >>> src = gpd.GeoDataFrame({"residents": [100.0, 300.0], "u15": [10.0, 60.0]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:25833")
    >>> tgt = gpd.GeoDataFrame(geometry=[box(0.5, 0, 1.5, 1)], crs="EPSG:25833")
    >>> r = area_interpolate(src, tgt, extensive=["residents"],
    ...                      rates={"share_u15": ("u15", "residents")})
    >>> float(r.loc[0, "residents"]), float(r.loc[0, "share_u15"])
    (200.0, 17.5)
    """
    i, j, a, a_src = intersection_areas(source, target)
    weights = _weight_table(source, target, i, j, a, a_src, allocate_total=allocate_total)
    values = _value_frame(
        source, [*extensive, *intensive, *(c for pair in (rates or {}).values() for c in pair)]
    )
    out = apply_weights(
        values,
        weights,
        extensive=extensive,
        rates=rates,
        factor=factor,
        target_index=target.index,
    )
    if intensive:
        covered = np.bincount(j, weights=a, minlength=len(target))
        with np.errstate(divide="ignore", invalid="ignore"):
            w_int = np.where(covered[j] > 0, a / covered[j], 0.0)
        int_weights = pd.DataFrame(
            {"source": source.index[i], "target": target.index[j], "weight": w_int}
        )
        out_int = apply_weights(
            values,
            int_weights,
            extensive=intensive,
            target_index=target.index,
        )
        for col in intensive:
            out[col] = out_int[col]
    geometry = target.geometry
    out[geometry.name] = geometry.values  # (with its CRS)
    return gpd.GeoDataFrame(out, geometry=geometry.name)


def _value_frame(source: gpd.GeoDataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The value columns of ``source`` as a plain frame (all its columns if one is
    missing, so that the error lists what there is)."""
    if all(c in source.columns for c in columns):
        return pd.DataFrame({c: source[c] for c in dict.fromkeys(columns)}, index=source.index)
    return pd.DataFrame(source.drop(columns=source.geometry.name))
