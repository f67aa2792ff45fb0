"""Crosswalks between two boundary vintages (e.g. Berlin's 447 -> 542 planning areas).

A crosswalk is a table ``old_id, new_id, weight``: the share of each old area's
counts that goes to each new area; the weights of an old area sum to 1, so totals
are kept exactly. Counts are carried with the weights, rates recomputed from the
carried numerators and denominators, and every value that is not a whole old area
carried unchanged is flagged ``estimated``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import german
from indicators.errors import AggregationError, DuplicateAreaIdError, InterpolationError
from indicators.interpolation import dasymetric_weights, intersection_areas
from indicators.rates import RESULT_COLUMNS, check_long, compute_rates, flag_series
from indicators.registry import Registry

Method = Literal["area", "density", "dwellings"]
METHODS: tuple[str, ...] = ("area", "density", "dwellings")
FLAG_ESTIMATED = "estimated"
FLAG_AREA_FALLBACK = "area_fallback"


@dataclass(frozen=True)
class IdFix:
    """Give the row with id ``old_id`` and ``column`` == ``value`` the id ``new_id``."""

    old_id: str
    column: str
    value: str
    new_id: str

    @classmethod
    def parse(cls, text: str) -> IdFix:
        """Parse ``OLD:COLUMN=VALUE:NEW``.

        Examples
        --------
        >>> IdFix.parse("06010102:BEZIRKSNAM=Charlottenburg-Wilmersdorf:04030417").new_id
        '04030417'
        """
        try:
            old, cond, new = text.split(":")
            column, value = cond.split("=", 1)
        except ValueError:
            raise DuplicateAreaIdError(code="crosswalk.bad_id_fix", text=text) from None
        return cls(old.strip(), column.strip(), value.strip(), new.strip())


def check_unique_ids(layer: pd.DataFrame, id_column: str, *, what: str = "Die Ebene") -> None:
    """Raise DuplicateAreaIdError if ``id_column`` repeats, naming the rows.

    Examples
    --------
    >>> check_unique_ids(pd.DataFrame({"id": ["a", "a"], "name": ["x", "y"]}), "id")
    Traceback (most recent call last):
    ...
    indicators.errors.DuplicateAreaIdError: Die Ebene: die ID 'a' kommt 2-mal vor (Zeilen 0, 1); ...
    """
    if id_column not in layer.columns:
        raise DuplicateAreaIdError(
            code="crosswalk.no_id_column",
            what=what,
            column=id_column,
            columns=", ".join(map(str, layer.columns)),
        )
    ids = layer[id_column].astype(str)
    dup = ids[ids.duplicated(keep=False)]
    if len(dup):
        first = dup.iloc[0]
        rows = [int(p) for p in np.flatnonzero(ids.to_numpy() == first)]
        raise DuplicateAreaIdError(
            code="crosswalk.duplicate_id",
            what=what,
            id=first,
            times=len(rows),
            rows=", ".join(map(str, rows)),
            repeated=german.number(dup.nunique()),
        )


def fix_ids(layer: gpd.GeoDataFrame, id_column: str, fixes: Sequence[IdFix]) -> gpd.GeoDataFrame:
    """Return a copy with the given ids corrected; each fix must hit exactly one row.

    Raises
    ------
    DuplicateAreaIdError
        When a fix matches no row or more than one.

    Examples
    --------
    >>> t = pd.DataFrame({"id": ["a", "a"], "district": ["N", "S"]})
    >>> fix_ids(t, "id", [IdFix("a", "district", "S", "b")])["id"].tolist()
    ['a', 'b']
    """
    out = layer.copy()
    for fix in fixes:
        if fix.column not in out.columns:
            raise DuplicateAreaIdError(
                code="crosswalk.fix_no_column", id=fix.old_id, column=fix.column
            )
        hit = (out[id_column].astype(str) == fix.old_id) & (
            out[fix.column].astype(str) == fix.value
        )
        if int(hit.sum()) != 1:
            raise DuplicateAreaIdError(
                code="crosswalk.fix_matches",
                fix=f"{fix.old_id}:{fix.column}={fix.value}:{fix.new_id}",
                count=german.count(int(hit.sum()), "Zeile", "Zeilen"),
            )
        out.loc[hit, id_column] = fix.new_id
    return out


def crosswalk_weights(
    old: gpd.GeoDataFrame,
    new: gpd.GeoDataFrame,
    *,
    old_id: str,
    new_id: str,
    method: Method = "area",
    density: pd.Series | None = None,
    buildings: gpd.GeoDataFrame | None = None,
    dwellings: str = "dwellings",
    min_share: float = 0.0,
) -> pd.DataFrame:
    """Build the crosswalk from old areas to new areas.

    Parameters
    ----------
    old, new
        The two vintages (polygons, same projected CRS), ids unique.
    old_id, new_id
        Their id columns.
    method
        ``area``: by overlap area; ``density``: by overlap area times a density
        of the new area (``density``: new id -> a measure such as residential land
        or residents of a later date; divided by the new area's size); ``dwellings``:
        by the dwellings of ``buildings`` in each overlap.
    density
        For ``method="density"``: a mass per new area id (not per m²).
    buildings, dwellings
        For ``method="dwellings"``: building points or footprints and the column of
        their dwellings.
    min_share
        Overlaps smaller than this share of the old area's covered area are
        digitising slivers of two boundary layers that were meant to agree; they
        are dropped before the weights are normalised (e.g. 0.001).

    Returns
    -------
    pandas.DataFrame
        ``old_id, new_id, weight, flag``; the weights of every old area that
        overlaps a new one sum to 1. ``flag`` is ``area_fallback`` where the density
        or dwellings were zero in the whole old area and area weights were used.

    Raises
    ------
    DuplicateAreaIdError
        When an id repeats in either layer (see :func:`fix_ids`).
    InterpolationError
        When the method is unknown, its input is missing, or the layers do not fit.

    Notes
    -----
    With overlap areas :math:`a_{ij}` and new areas :math:`T_j`:
    area: :math:`w_{ij} = a_{ij} / \\sum_k a_{ik}`;
    density: :math:`w_{ij} = a_{ij} \\rho_j / \\sum_k a_{ik} \\rho_k` with
    :math:`\\rho_j = m_j / |T_j|`; dwellings: :math:`w_{ij} = d_{ij} / \\sum_k d_{ik}`.
    Normalising by the covered part of the old area (not its full area) keeps the
    totals exactly when slivers of the two vintages do not match.

    Examples
    --------
    >>> from shapely import box
    >>> old = gpd.GeoDataFrame({"id": ["A"]}, geometry=[box(0, 0, 2, 1)], crs="EPSG:25833")
    >>> new = gpd.GeoDataFrame({"id": ["x", "y"]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:25833")
    >>> crosswalk_weights(old, new, old_id="id", new_id="id")[["old_id", "new_id", "weight"]]
      old_id new_id  weight
    0      A      x     0.5
    1      A      y     0.5
    >>> w = crosswalk_weights(old, new, old_id="id", new_id="id", method="density",
    ...                       density=pd.Series({"x": 300.0, "y": 100.0}))
    >>> w["weight"].tolist()
    [0.75, 0.25]
    """
    if method not in METHODS:
        raise InterpolationError(code="crosswalk.method", method=method, allowed=", ".join(METHODS))
    check_unique_ids(old, old_id, what="Die alte Ebene")
    check_unique_ids(new, new_id, what="Die neue Ebene")
    old_ids = old[old_id].astype(str).to_numpy()
    new_ids = new[new_id].astype(str).to_numpy()
    old_r = old.reset_index(drop=True)
    new_r = new.reset_index(drop=True)
    if method == "dwellings":
        if buildings is None:
            raise InterpolationError(code="crosswalk.needs_buildings")
        table = dasymetric_weights(old_r, new_r, buildings, dwellings=dwellings)
        i, j = table["source"].to_numpy(), table["target"].to_numpy()
        mass = table["weight"].to_numpy(dtype=float)
        fallback = table["flag"].eq(FLAG_AREA_FALLBACK).to_numpy()
    else:
        i, j, a, _ = intersection_areas(old_r, new_r)
        if min_share > 0:
            covered = np.bincount(i, weights=a, minlength=len(old_r))
            keep = a >= min_share * covered[i]
            i, j, a = i[keep], j[keep], a[keep]
        mass = a
        fallback = np.zeros(len(i), dtype=bool)
        if method == "density":
            if density is None:
                raise InterpolationError(code="crosswalk.needs_density")
            rho_mass = pd.Series(density).astype(float)
            rho_mass.index = rho_mass.index.astype(str)
            absent = sorted(set(new_ids) - set(rho_mass.dropna().index))
            if absent:
                raise InterpolationError(
                    code="crosswalk.density_lacks",
                    count=german.count(len(absent), "neues Gebiet", "neue Gebiete"),
                    examples=", ".join(absent[:5]),
                )
            rho = rho_mass.reindex(new_ids).to_numpy() / new_r.geometry.area.to_numpy()
            weighted = a * rho[j]
            per_old = np.bincount(i, weights=weighted, minlength=len(old_r))
            fallback = per_old[i] == 0
            mass = np.where(fallback, a, weighted)
    total = np.bincount(i, weights=mass, minlength=len(old_r))
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(total[i] > 0, mass / total[i], 0.0)
    return pd.DataFrame(
        {
            "old_id": old_ids[i],
            "new_id": new_ids[j],
            "weight": weight,
            "flag": flag_series(fallback, FLAG_AREA_FALLBACK, pd.RangeIndex(len(i))),
        }
    )


def apply_crosswalk(
    frame: pd.DataFrame,
    weights: pd.DataFrame,
    registry: Registry,
    *,
    indicators: Sequence[str] | None = None,
    integers: bool = False,
) -> pd.DataFrame:
    """Carry long-format values of old areas onto new areas.

    Parameters
    ----------
    frame
        Long frame (``area_id, indicator, period, value``) on the old ids. Counts
        are carried; shares and rates are recomputed from carried counts.
    weights
        From :func:`crosswalk_weights`.
    registry
        Indicator definitions.
    indicators
        Derived keys to recompute (default: all whose counts are present).
    integers
        Apportion whole counts by the largest-remainder method: every new area gets
        a whole number and every old area's count is kept exactly (counts must be
        whole numbers).

    Returns
    -------
    pandas.DataFrame
        Long frame on the new ids with ``numerator, denominator, flag``; ``flag`` is
        ``estimated`` unless the new area is exactly one whole old area.

    Raises
    ------
    AggregationError
        When the frame holds shares or rates without counts (they cannot be carried).

    Notes
    -----
    :math:`v_j = \\sum_i w_{ij} v_i` for counts, :math:`r_j = f N_j / D_j` for rates.
    With ``integers``: each part :math:`w_{ij} v_i` is rounded down and the
    :math:`v_i - \\sum_j \\lfloor w_{ij} v_i \\rfloor` remaining units go to the parts
    with the largest fractions (ties: the larger weight, then the new id).

    Examples
    --------
    >>> from indicators.registry import load_registry
    >>> w = pd.DataFrame({"old_id": ["A", "A", "B"], "new_id": ["x", "y", "z"],
    ...                   "weight": [0.25, 0.75, 1.0]})
    >>> long = pd.DataFrame({"area_id": ["A", "B"], "indicator": "residents",
    ...                      "period": 2020, "value": [400.0, 50.0]})
    >>> apply_crosswalk(long, w, load_registry())[["area_id", "value", "flag"]]
      area_id  value       flag
    0       x  100.0  estimated
    1       y  300.0  estimated
    2       z   50.0       None
    """
    check_long(frame)
    kinds = {k: registry.get(k).kind for k in frame["indicator"].unique()}
    uncarried = sorted(k for k, kind in kinds.items() if kind != "count")
    if uncarried:
        raise AggregationError(code="crosswalk.not_counts", keys=", ".join(uncarried))
    merged = frame.merge(weights[["old_id", "new_id", "weight"]], left_on="area_id",
                         right_on="old_id", how="inner")  # fmt: skip
    lost = sorted(set(frame["area_id"]) - set(weights["old_id"]))
    if lost:
        raise AggregationError(
            code="crosswalk.no_weights",
            count=german.count(len(lost), "altes Gebiet", "alte Gebiete"),
            examples=", ".join(lost[:5]),
        )
    merged["part"] = merged["value"] * merged["weight"]
    if integers:
        merged["part"] = _largest_remainder(merged)
    counts = (
        merged.groupby(["new_id", "indicator", "period"], sort=True)["part"]
        .sum(min_count=1)
        .reset_index()
        .rename(columns={"new_id": "area_id", "part": "value"})
    )
    # exact: a new area that is one whole old area (a single source with weight 1)
    used = weights[weights["weight"] > 0]
    n_sources = used.groupby("new_id")["old_id"].nunique()
    whole = used.groupby("old_id")["weight"].max()
    single = used.assign(w_max=used["old_id"].map(whole))
    exact_ids = set(
        single.loc[
            single["new_id"].map(n_sources).eq(1) & np.isclose(single["w_max"], 1.0), "new_id"
        ]
    )
    exact = counts["area_id"].isin(exact_ids).to_numpy()
    counts["numerator"] = np.nan
    counts["denominator"] = np.nan
    counts["flag"] = flag_series(~exact, FLAG_ESTIMATED, counts.index)
    rates = compute_rates(counts[["area_id", "indicator", "period", "value"]], registry,
                          indicators=indicators)  # fmt: skip
    if len(rates):
        rate_exact = rates["area_id"].isin(exact_ids).to_numpy()
        flags = flag_series(~rate_exact, FLAG_ESTIMATED, rates.index)
        rates["flag"] = rates["flag"].where(rates["flag"].notna(), flags)
    return pd.concat([counts[list(RESULT_COLUMNS)], rates], ignore_index=True)


def _largest_remainder(merged: pd.DataFrame) -> pd.Series:
    """Whole parts per (old area, indicator, period) that add up to the old count."""
    values = merged["value"].to_numpy(dtype=float)
    known = ~np.isnan(values)
    if not np.allclose(values[known], np.round(values[known])):
        raise AggregationError(code="crosswalk.fractions")
    part = merged["part"].to_numpy(dtype=float)
    floor = np.floor(part + 1e-9)
    work = merged[["old_id", "indicator", "period", "new_id", "weight"]].copy()
    work["frac"] = part - floor
    work["floor"] = floor
    key = ["old_id", "indicator", "period"]
    left = np.round(
        work.groupby(key, sort=False)["floor"].transform("sum").to_numpy() * -1 + np.round(values)
    )
    order = work.sort_values(["frac", "weight", "new_id"], ascending=[False, False, True])
    rank = order.groupby(key, sort=False).cumcount().reindex(work.index).to_numpy()
    extra = (rank < left).astype(float)
    result = floor + extra
    result[~known] = np.nan
    return pd.Series(result, index=merged.index)


@dataclass(frozen=True)
class CrosswalkCheck:
    """How well carried values match the values known on the new areas."""

    areas: int
    excluded: int
    total_estimated: float
    total_known: float
    median_abs_pct_error: float
    p90_abs_pct_error: float


def compare(estimate: pd.Series, known: pd.Series) -> CrosswalkCheck:
    """Compare estimates with known values per new area (both indexed by new id).

    Areas without a known value, or with a known value of 0, are excluded from the
    error figures (their number is reported).

    Notes
    -----
    Absolute percentage error :math:`e_j = 100 |\\hat v_j - v_j| / v_j`; the check
    reports its median and 90th percentile (linear interpolation).

    Examples
    --------
    >>> c = compare(pd.Series({"x": 110.0, "y": 90.0, "z": 5.0}),
    ...             pd.Series({"x": 100.0, "y": 100.0, "z": 0.0}))
    >>> (c.areas, c.excluded, c.median_abs_pct_error)
    (2, 1, 10.0)
    """
    est = estimate.astype(float)
    ref = known.astype(float).reindex(est.index)
    usable = ref.notna() & (ref > 0) & est.notna()
    err = (100 * (est[usable] - ref[usable]).abs() / ref[usable]).to_numpy()
    return CrosswalkCheck(
        areas=int(usable.sum()),
        excluded=int((~usable).sum()),
        total_estimated=float(est.sum()),
        total_known=float(known.astype(float).sum()),
        median_abs_pct_error=float(np.median(err)) if len(err) else float("nan"),
        p90_abs_pct_error=float(np.percentile(err, 90)) if len(err) else float("nan"),
    )
