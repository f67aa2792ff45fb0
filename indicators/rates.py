"""Rates from counts, and aggregation of counts to a higher level.

All functions take and return frames in the *long* format with the columns
``area_id, indicator, period, value`` (and, for derived values, ``numerator`` and
``denominator``; optionally ``flag``). :func:`pivot_wide` turns such a frame into
one column per indicator.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import cast

import numpy as np
import pandas as pd

from geo import german
from geo.messages import render
from indicators.errors import AggregationError, FrameError
from indicators.registry import KIND_LABELS, IndicatorDef, Registry

LONG_COLUMNS: tuple[str, ...] = ("area_id", "indicator", "period", "value")
RESULT_COLUMNS: tuple[str, ...] = (
    "area_id",
    "indicator",
    "period",
    "value",
    "numerator",
    "denominator",
    "flag",
)
FLAG_ZERO_DENOMINATOR = "zero_denominator"
FLAG_INCOMPLETE = "incomplete"


def _kind(kind: str) -> str:
    """The German name of an indicator kind, quoted (``„Anteil“``)."""
    return f"„{KIND_LABELS.get(kind, kind)}“"


def check_long(frame: pd.DataFrame, *, what: str = "Die Indikatortabelle") -> None:
    """Raise FrameError unless ``frame`` has the long-format columns and numeric values."""
    missing = [c for c in LONG_COLUMNS if c not in frame.columns]
    if missing:
        raise FrameError(
            code="frame.missing_columns",
            what=what,
            missing=", ".join(missing),
            columns=", ".join(map(str, frame.columns)),
            fix=render("fix.indicator_rows"),
        )
    if not pd.api.types.is_numeric_dtype(frame["value"]):
        raise FrameError(
            code="frame.not_numeric", what=what, column="value", dtype=str(frame["value"].dtype)
        )
    dup = frame.duplicated(["area_id", "indicator", "period"], keep=False)
    if dup.any():
        first = frame.loc[dup, ["area_id", "indicator", "period"]].iloc[0].tolist()
        raise FrameError(
            code="frame.repeated_keys",
            what=what,
            count=german.number(int(dup.sum())),
            first=", ".join(map(str, first)),
        )


def pivot_wide(frame: pd.DataFrame, *, values: str = "value") -> pd.DataFrame:
    """Return one row per (area_id, period) and one column per indicator.

    Parameters
    ----------
    frame
        Long frame (``area_id, indicator, period, value``).
    values
        The column to spread (``value``, ``numerator`` or ``denominator``).

    Returns
    -------
    pandas.DataFrame
        Indexed by (area_id, period), columns sorted by indicator key.

    Raises
    ------
    FrameError
        When columns are missing or an (area_id, indicator, period) repeats.

    Examples
    --------
    >>> long = pd.DataFrame({"area_id": ["a", "a", "b"], "indicator": ["x", "y", "x"],
    ...                      "period": [2020, 2020, 2020], "value": [1.0, 2.0, 3.0]})
    >>> wide = pivot_wide(long)
    >>> wide.columns.tolist(), wide.index.tolist()
    (['x', 'y'], [('a', 2020), ('b', 2020)])
    >>> wide.loc[("a", 2020), "y"], wide.loc[("b", 2020), "x"]
    (np.float64(2.0), np.float64(3.0))
    """
    check_long(frame)
    if values not in frame.columns:
        raise FrameError(code="frame.no_values_column", column=values)
    wide = frame.pivot(index=["area_id", "period"], columns="indicator", values=values)
    return wide.sort_index(axis=1).sort_index()


def to_long(wide: pd.DataFrame) -> pd.DataFrame:
    """Return the long frame of a wide one made by :func:`pivot_wide` (NaN cells dropped).

    Examples
    --------
    >>> wide = pd.DataFrame({"x": [1.0]}, index=pd.MultiIndex.from_tuples(
    ...     [("a", 2020)], names=["area_id", "period"]))
    >>> to_long(wide)
      area_id indicator  period  value
    0       a         x    2020    1.0
    """
    stacked = wide.rename_axis(columns="indicator").stack(future_stack=True).dropna()
    out = cast(pd.Series, stacked).to_frame("value").reset_index()
    return out[list(LONG_COLUMNS)]


def flag_series(mask: np.ndarray, label: str, index: pd.Index) -> pd.Series:
    """Object Series holding ``label`` where ``mask`` is true and None elsewhere."""
    flags = np.full(len(index), None, dtype=object)
    flags[np.asarray(mask, dtype=bool)] = label
    return pd.Series(flags, index=index, dtype="object")


def _counts(frame: pd.DataFrame, keys: Iterable[str]) -> pd.DataFrame:
    """Wide frame of the given count keys (missing keys become all-NaN columns)."""
    wide = pivot_wide(frame[frame["indicator"].isin(list(keys))])
    return wide.reindex(columns=sorted(set(keys)))


def _derived_defs(
    registry: Registry, indicators: Sequence[str] | None, available: set[str]
) -> list[IndicatorDef]:
    """The derived definitions to compute: those asked for, or all whose counts are there."""
    if indicators is None:
        return [
            d for d in registry.derived() if d.numerator in available and d.denominator in available
        ]
    defs = [registry.get(k) for k in indicators]
    for d in defs:
        if not d.derived:
            raise AggregationError(code="rates.not_from_counts", key=d.key, kind=_kind(d.kind))
        lacking = [k for k in (d.numerator, d.denominator) if k not in available]
        if lacking:
            raise FrameError(
                code="rates.lacking_counts",
                key=d.key,
                lacking=", ".join(map(str, lacking)),
                numerator=d.numerator,
                denominator=d.denominator,
            )
    return defs


def compute_rates(
    frame: pd.DataFrame,
    registry: Registry,
    *,
    indicators: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Compute shares and rates from the counts in ``frame``.

    Parameters
    ----------
    frame
        Long frame of counts (``area_id, indicator, period, value``).
    registry
        Where numerators, denominators and formulas are defined.
    indicators
        Keys to compute; default: every derived indicator whose counts are present.

    Returns
    -------
    pandas.DataFrame
        Long frame with ``area_id, indicator, period, value, numerator, denominator,
        flag``; one row per area and period where the counts exist. A zero
        denominator gives value NaN and flag ``zero_denominator``.

    Raises
    ------
    FrameError
        When the frame is malformed or lacks a count the indicator needs.
    AggregationError
        When a requested key is not defined from counts.

    Notes
    -----
    For ``formula = "ratio"``: :math:`r_{a,t} = f \\cdot N_{a,t} / D_{a,t}` with
    the factor :math:`f` (100 for percentages).

    For ``formula = "change"`` (e.g. population change) with the count :math:`x`:
    :math:`r_{a,t} = f \\cdot (x_{a,t} - x_{a,t'}) / x_{a,t'}`, where :math:`t'` is
    the latest earlier period of the same area; the first period has no value.
    Numerator and denominator are stored so that aggregation can recompute.

    Examples
    --------
    >>> from indicators.registry import load_registry
    >>> long = pd.DataFrame({
    ...     "area_id": ["a", "a", "b", "b"],
    ...     "indicator": ["unemployed", "residents_15_64"] * 2,
    ...     "period": [2020] * 4, "value": [50.0, 1000.0, 0.0, 0.0]})
    >>> out = compute_rates(long, load_registry(), indicators=["unemployment_rate"])
    >>> out[["area_id", "value", "numerator", "denominator", "flag"]]
      area_id  value  numerator  denominator              flag
    0       a    5.0       50.0       1000.0              None
    1       b    NaN        0.0          0.0  zero_denominator
    """
    check_long(frame)
    available = set(frame["indicator"].unique())
    defs = _derived_defs(registry, indicators, available)
    if not defs:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in RESULT_COLUMNS})
    keys = {k for d in defs for k in (d.numerator, d.denominator) if k is not None}
    wide = _counts(frame, keys)
    parts = [_rate_of(d, wide) for d in defs]
    out = pd.concat(parts, ignore_index=True)
    return out[list(RESULT_COLUMNS)]


def _rate_of(d: IndicatorDef, wide: pd.DataFrame) -> pd.DataFrame:
    """Long rows of one derived indicator from a wide count frame."""
    assert d.numerator is not None and d.denominator is not None
    if d.formula == "change":
        series = wide[d.numerator].dropna().sort_index()
        previous = series.groupby(level="area_id").shift(1)
        num = series - previous
        den = previous
        keep = previous.notna()
        num, den = num[keep], den[keep]
    else:
        pair = wide[[d.numerator, d.denominator]].dropna(how="all")
        num, den = pair[d.numerator], pair[d.denominator]
    with np.errstate(divide="ignore", invalid="ignore"):
        value = d.factor * num.to_numpy(dtype=float) / den.to_numpy(dtype=float)
    zero = den.to_numpy(dtype=float) == 0
    value[zero] = np.nan
    rows = pd.DataFrame(
        {
            "indicator": d.key,
            "value": value,
            "numerator": num.to_numpy(dtype=float),
            "denominator": den.to_numpy(dtype=float),
            "flag": flag_series(zero, FLAG_ZERO_DENOMINATOR, num.index),
        },
        index=num.index,
    )
    return rows.reset_index()


def aggregate(
    frame: pd.DataFrame,
    parents: Mapping[str, str] | pd.Series,
    registry: Registry,
    *,
    indicators: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Aggregate counts to parent areas and recompute shares and rates there.

    Parameters
    ----------
    frame
        Long frame of the child areas. Count indicators are summed; share and rate
        rows in it are ignored (they are recomputed from the counts).
    parents
        Child ``area_id`` -> parent ``area_id`` (e.g. Planungsraum -> Bezirksregion).
    registry
        Indicator definitions.
    indicators
        Derived keys to recompute at the parent level; default: all whose counts
        are present.

    Returns
    -------
    pandas.DataFrame
        Long frame (``area_id, indicator, period, value, numerator, denominator,
        flag``) of the parents: the summed counts, then the recomputed rates. A
        parent sum over a child whose count is missing is NaN, flag ``incomplete``.

    Raises
    ------
    FrameError
        When a child area has no parent or the frame is malformed.
    AggregationError
        When a requested indicator is not defined from counts (a published share
        cannot be aggregated; aggregate its numerator and denominator instead).

    Notes
    -----
    For a parent :math:`P` with children :math:`a \\in P`:
    :math:`N_P = \\sum_a N_a`, :math:`D_P = \\sum_a D_a`, :math:`r_P = f \\cdot N_P / D_P`.
    The rate of a parent is the population-weighted mean of the children's rates,
    never their unweighted mean.

    Examples
    --------
    >>> from indicators.registry import load_registry
    >>> long = pd.DataFrame({
    ...     "area_id": ["a", "a", "b", "b"],
    ...     "indicator": ["vacant_dwellings", "dwellings"] * 2,
    ...     "period": [2020] * 4, "value": [10.0, 100.0, 90.0, 400.0]})
    >>> out = aggregate(long, {"a": "P", "b": "P"}, load_registry())
    >>> out[["area_id", "indicator", "value"]]
      area_id         indicator  value
    0       P         dwellings  500.0
    1       P  vacant_dwellings  100.0
    2       P      vacancy_rate   20.0
    """
    check_long(frame)
    mapping = pd.Series(parents, dtype=object) if not isinstance(parents, pd.Series) else parents
    orphans = sorted(set(frame["area_id"]) - set(mapping.index))
    if orphans:
        raise FrameError(
            code="rates.orphans",
            count=german.count(len(orphans), "Gebiet", "Gebiete"),
            examples=", ".join(map(str, orphans[:5])),
        )
    count_keys = [
        k for k in frame["indicator"].unique() if k in registry and registry.get(k).kind == "count"
    ]
    if indicators is not None:
        for key in indicators:
            d = registry.get(key)
            if not d.derived:
                raise AggregationError(code="rates.not_aggregable", key=key, kind=_kind(d.kind))
    counts = frame[frame["indicator"].isin(count_keys)].copy()
    counts["parent"] = counts["area_id"].map(mapping)
    # every child with any value must contribute to each (indicator, period) of its parent
    children = counts.groupby("parent")["area_id"].nunique()
    grouped = counts.groupby(["parent", "indicator", "period"], sort=True)["value"]
    summed = grouped.sum(min_count=1)
    n_valid = grouped.count()
    expected = children.reindex(summed.index.get_level_values("parent")).to_numpy()
    incomplete = n_valid.to_numpy() < expected
    summed[incomplete] = np.nan
    parent_counts = summed.rename("value").reset_index().rename(columns={"parent": "area_id"})
    parent_counts["numerator"] = np.nan
    parent_counts["denominator"] = np.nan
    parent_counts["flag"] = flag_series(incomplete, FLAG_INCOMPLETE, parent_counts.index)
    rates = compute_rates(parent_counts[list(LONG_COLUMNS)], registry, indicators=indicators)
    if len(rates):
        lacking = rates["numerator"].isna() | rates["denominator"].isna()
        rates.loc[lacking, "flag"] = FLAG_INCOMPLETE
    out = pd.concat([parent_counts[list(RESULT_COLUMNS)], rates], ignore_index=True)
    return out
