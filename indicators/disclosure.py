"""Disclosure control: suppress values of areas too small to publish.

Small numbers identify people. Values of areas below a minimum population (300
residents by default, as in Berlin's MSS) and, optionally, cells with a small
count are suppressed: the row stays, its value becomes NaN and its flag
``suppressed``. Nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from geo import german
from indicators.errors import FrameError
from indicators.rates import check_long

FLAG_SUPPRESSED = "suppressed"
DEFAULT_MINIMUM = 300


def suppress(
    frame: pd.DataFrame,
    *,
    minimum: int = DEFAULT_MINIMUM,
    population: str = "residents",
    keep: Sequence[str] = ("residents",),
    min_count: int | None = None,
) -> pd.DataFrame:
    """Suppress the values of areas under a minimum population, and small counts.

    Parameters
    ----------
    frame
        Long frame (``area_id, indicator, period, value``; optional ``numerator``,
        ``denominator``, ``flag``) that includes the population indicator.
    minimum
        Areas (per period) with fewer residents than this are suppressed.
    population
        Key of the population indicator in ``frame``.
    keep
        Indicators left visible even in small areas (by default the resident count
        itself, which the statistics offices publish).
    min_count
        If given, a cell whose count (the value of a count, the numerator of a
        rate) is between 1 and ``min_count - 1`` is suppressed too.

    Returns
    -------
    pandas.DataFrame
        A copy with the same rows and index; suppressed rows have value (and
        numerator, denominator) NaN and flag ``suppressed``; other flags are kept.

    Raises
    ------
    FrameError
        When the frame is malformed, has no row of ``population`` at all, or
        ``minimum``/``min_count`` is negative.

    Notes
    -----
    Row :math:`(a, k, t)` is suppressed if :math:`k \\notin keep` and
    :math:`P_{a,t} < m` (or the population of :math:`a, t` is unknown), or if
    :math:`0 < n_{a,k,t} < c` for the cell count :math:`n` and ``min_count``
    :math:`c`.

    Examples
    --------
    >>> long = pd.DataFrame({
    ...     "area_id": ["a", "a", "b", "b"],
    ...     "indicator": ["residents", "unemployed"] * 2,
    ...     "period": [2020] * 4, "value": [250.0, 12.0, 5000.0, 300.0]})
    >>> suppress(long)
      area_id   indicator  period   value        flag
    0       a   residents    2020   250.0        None
    1       a  unemployed    2020     NaN  suppressed
    2       b   residents    2020  5000.0        None
    3       b  unemployed    2020   300.0        None
    """
    check_long(frame)
    if minimum < 0 or (min_count is not None and min_count < 0):
        raise FrameError(
            code="disclosure.negative",
            minimum=german.number(minimum),
            min_count=german.number(min_count, missing="keine"),
        )
    is_pop = frame["indicator"] == population
    if not is_pop.any():
        raise FrameError(code="disclosure.no_population", population=population)
    pops = frame.loc[is_pop].set_index(["area_id", "period"])["value"]
    keys = pd.MultiIndex.from_frame(frame[["area_id", "period"]])
    pop = pops.reindex(keys).to_numpy(dtype=float)
    small = ~(pop >= minimum)  # NaN (unknown population) counts as small
    hide = small & ~frame["indicator"].isin(list(keep)).to_numpy()
    if min_count is not None:
        if "numerator" in frame.columns:
            cell = frame["numerator"].where(frame["numerator"].notna(), frame["value"])
        else:
            cell = frame["value"]
        cell_values = cell.to_numpy(dtype=float)
        small_cell = (cell_values > 0) & (cell_values < min_count)
        hide |= small_cell & ~frame["indicator"].isin(list(keep)).to_numpy()
    out = frame.copy()
    for col in ("value", "numerator", "denominator"):
        if col in out.columns:
            out[col] = out[col].astype(float).where(~hide, np.nan)
    if "flag" in out.columns:
        flags = np.array([None if pd.isna(f) else f for f in out["flag"]], dtype=object)
    else:
        flags = np.full(len(out), None, dtype=object)
    flags[hide] = FLAG_SUPPRESSED
    out["flag"] = pd.Series(flags, index=out.index, dtype=object)
    return out


def has_population(values: pd.DataFrame, *, population: str = "residents") -> bool:
    """Return whether the stored values hold a resident count (disclosure can judge).

    Examples
    --------
    >>> has_population(pd.DataFrame({"indicator": ["residents"], "value": [5.0]}))
    True
    >>> has_population(pd.DataFrame({"indicator": ["residents"], "value": [None]}))
    False
    """
    rows = values[values["indicator"] == population]
    return bool(rows["value"].notna().any())


def disclosed(
    series: pd.DataFrame,
    values: pd.DataFrame,
    *,
    indicator: str,
    minimum: int = DEFAULT_MINIMUM,
    population: str = "residents",
    without_population: Literal["raise", "show"] = "raise",
) -> pd.DataFrame:
    """Return one indicator's values after disclosure control, with a ``suppressed`` column.

    The values of areas with fewer than ``minimum`` residents in a period (or no
    known residents) are withheld by :func:`indicators.disclosure.suppress`; the
    resident count itself stays visible, as the statistics offices publish it.

    Parameters
    ----------
    series
        ``area_id, period, value`` of the indicator (e.g.
        :func:`indicators.stored.indicator_series`, or a social index class).
    values
        Long stored values of the same level holding the population rows.
    indicator
        The indicator's key (the population key itself is never suppressed).
    minimum
        The minimum population (the method profile's ``min_population``).
    population
        The key of the residents' count.
    without_population
        When ``values`` hold no resident count at all (a city that imported only
        published shares): ``raise`` a FrameError, or ``show`` the values as they
        were published, none suppressed (the page then says so, see
        :func:`population_note`).

    Returns
    -------
    pandas.DataFrame
        ``area_id, period, value, suppressed`` with the index of ``series``; a
        suppressed row has value NaN.

    Raises
    ------
    FrameError
        When ``values`` hold no resident counts and ``without_population`` is
        ``raise`` (no area can be judged), or the series repeats an area and period.

    Examples
    --------
    >>> when = pd.Timestamp(2020, 12, 31)
    >>> values = pd.DataFrame({"area_id": ["a", "b"], "indicator": "residents",
    ...     "period": [when, when], "value": [250.0, 5000.0]})
    >>> series = pd.DataFrame({"area_id": ["a", "b", "c"], "period": when,
    ...     "value": [0.0, 4.5, 3.0]})
    >>> disclosed(series, values, indicator="unemployment_rate")[["value", "suppressed"]]
       value  suppressed
    0    NaN        True
    1    4.5       False
    2    NaN        True
    """
    cols = ["area_id", "indicator", "period", "value"]
    own = series.assign(
        indicator=indicator,
        area_id=series["area_id"].astype(str),
        period=pd.to_datetime(series["period"]),
        value=pd.to_numeric(series["value"], errors="coerce").astype("float64"),
    )[cols]
    if without_population not in ("raise", "show"):
        raise FrameError(f"without_population={without_population!r}; allowed: raise, show")
    if without_population == "show" and not has_population(values, population=population):
        return own.drop(columns="indicator").assign(suppressed=False)
    if indicator == population:
        judged = suppress(own, minimum=minimum, population=population)
    else:
        # several editions of the count: judge by the smallest (never show too much)
        pops = values.loc[values["indicator"] == population, cols].assign(
            area_id=lambda f: f["area_id"].astype(str),
            period=lambda f: pd.to_datetime(f["period"]),
        )
        pops = pops.groupby(["area_id", "indicator", "period"])["value"].min().reset_index()
        both = pd.concat([own.reset_index(drop=True), pops], ignore_index=True)
        judged = suppress(both, minimum=minimum, population=population).iloc[: len(own)]
    out = own.drop(columns="indicator").copy()
    out["value"] = judged["value"].to_numpy()
    out["suppressed"] = (judged["flag"] == FLAG_SUPPRESSED).to_numpy()
    return out
