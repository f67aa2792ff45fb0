"""Targets and change: attainment of a development concept's targets, and a funding
area against the rest of the city over time."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from geo import german
from indicators.errors import AggregationError, FrameError, TargetError
from indicators.rates import check_long
from indicators.registry import Registry

TARGET_COLUMNS: tuple[str, ...] = (
    "indicator",
    "baseline_period",
    "baseline_value",
    "target_period",
    "target_value",
)
STATUS_LABELS: dict[str, str] = {
    "reached": "Ziel erreicht",
    "on_track": "im Plan",
    "off_track": "nicht im Plan",
    "no_data": "keine aktuellen Daten",
    "undefined": "nicht bewertbar (Zielwert = Basiswert)",
}


def _time(values: pd.Series) -> np.ndarray:
    """Periods as numbers: years stay years, dates become fractional years."""
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype=float)
    stamps = pd.to_datetime(values, errors="raise")
    return (stamps.dt.year + (stamps.dt.day_of_year - 1) / 365.25).to_numpy(dtype=float)


def attainment(targets: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """Evaluate targets against the latest value of their indicator.

    Parameters
    ----------
    targets
        One row per target with ``indicator, baseline_period, baseline_value,
        target_period, target_value`` (periods as years or dates).
    values
        The observed values of the area: ``indicator, period, value``.

    Returns
    -------
    pandas.DataFrame
        ``targets`` (same index) plus ``latest_period, latest_value,
        attainment_pct, expected_pct, path_value, on_track, status, status_label``.

    Raises
    ------
    FrameError
        When a column is missing.
    TargetError
        When a target period is not after its baseline period.

    Notes
    -----
    With baseline :math:`(t_0, b)`, target :math:`(t_1, z)` and latest value
    :math:`(t, x)`: attainment :math:`A = 100 (x - b) / (z - b)`; the straight path
    expects :math:`E = 100 \\min(1, \\max(0, (t - t_0)/(t_1 - t_0)))` and the value
    :math:`p = b + (z - b) E / 100`. On track when :math:`A \\ge E` (the sign of
    :math:`z - b` gives the direction, so falling targets work alike); reached when
    :math:`A \\ge 100`. Only values after the baseline period count as latest.

    Examples
    --------
    >>> t = pd.DataFrame({"indicator": ["unemployment_rate"], "baseline_period": [2018],
    ...     "baseline_value": [12.0], "target_period": [2026], "target_value": [8.0]})
    >>> v = pd.DataFrame({"indicator": ["unemployment_rate"] * 2, "period": [2020, 2022],
    ...                   "value": [11.0, 10.5]})
    >>> r = attainment(t, v)
    >>> r[["latest_value", "attainment_pct", "expected_pct", "path_value", "status"]]
       latest_value  attainment_pct  expected_pct  path_value     status
    0          10.5            37.5          50.0        10.0  off_track
    """
    missing = [c for c in TARGET_COLUMNS if c not in targets.columns]
    missing += [f"values.{c}" for c in ("indicator", "period", "value") if c not in values]
    if missing:
        raise FrameError(
            code="targets.missing_columns",
            missing=", ".join(missing),
            target_columns=", ".join(TARGET_COLUMNS),
        )
    t0 = _time(targets["baseline_period"])
    t1 = _time(targets["target_period"])
    bad = ~(t1 > t0)
    if bad.any():
        row = targets.index[np.flatnonzero(bad)[0]]
        raise TargetError(
            code="targets.period_order",
            row=row,
            indicator=targets.loc[row, "indicator"],
            target=targets.loc[row, "target_period"],
            baseline=targets.loc[row, "baseline_period"],
        )
    obs = values.dropna(subset=["value"]).copy()
    obs["_t"] = _time(obs["period"])
    latest_t = np.full(len(targets), np.nan)
    latest_v = np.full(len(targets), np.nan)
    latest_p: list[object] = [None] * len(targets)
    for pos, (indicator, base_t) in enumerate(zip(targets["indicator"], t0)):
        rows = obs[(obs["indicator"] == indicator) & (obs["_t"] > base_t)]
        if len(rows):
            last = rows.loc[rows["_t"].idxmax()]
            latest_t[pos], latest_v[pos], latest_p[pos] = last["_t"], last["value"], last["period"]
    base = targets["baseline_value"].to_numpy(dtype=float)
    goal = targets["target_value"].to_numpy(dtype=float)
    span = goal - base
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        achieved = np.where(span != 0, 100 * (latest_v - base) / span, np.nan)
    expected = 100 * np.clip((latest_t - t0) / (t1 - t0), 0, 1)
    path = base + span * expected / 100
    status = np.where(
        np.isnan(latest_v),
        "no_data",
        np.where(
            span == 0,
            "undefined",
            np.where(
                achieved >= 100, "reached", np.where(achieved >= expected, "on_track", "off_track")
            ),
        ),
    )
    out = targets.copy()
    out["latest_period"] = pd.Series(latest_p, index=targets.index, dtype="object")
    out["latest_value"] = latest_v
    out["attainment_pct"] = achieved
    out["expected_pct"] = expected
    out["path_value"] = path
    out["on_track"] = pd.array(
        [None if s in ("no_data", "undefined") else s in ("reached", "on_track") for s in status],
        dtype="boolean",
    )
    out["status"] = pd.Series(status, index=targets.index, dtype="object")
    out["status_label"] = out["status"].map(STATUS_LABELS)
    return out


def compare_with_rest(
    frame: pd.DataFrame,
    members: Collection[str] | Mapping[str, float],
    registry: Registry,
    *,
    indicator: str,
    start_period: object,
) -> pd.DataFrame:
    """Compare a funding area with the rest of the city, period by period.

    Parameters
    ----------
    frame
        Long frame of counts for every statistical area of the city
        (``area_id, indicator, period, value``).
    members
        The statistical areas that make up the funding area, or a mapping
        area id -> share of that area inside the funding area (e.g. population or
        area weights from :mod:`indicators.interpolation`).
    registry
        Indicator definitions.
    indicator
        A share or rate defined from counts (e.g. ``unemployment_rate``).
    start_period
        When the area entered the programme (a year or a date).

    Returns
    -------
    pandas.DataFrame
        One row per period: ``period, area_value, rest_value, city_value, gap,
        gap_change``, and ``baseline_period`` (the last period at or before the
        start, else the first period).

    Raises
    ------
    AggregationError
        When the indicator is not defined from counts.
    FrameError
        When the frame is malformed or a member is not in it.

    Notes
    -----
    With shares :math:`s_a` of statistical area :math:`a` in the funding area F:
    :math:`r_F = f \\sum_a s_a N_a / \\sum_a s_a D_a`,
    :math:`r_R = f \\sum_a (1-s_a) N_a / \\sum_a (1-s_a) D_a`; gap
    :math:`g_t = r_{F,t} - r_{R,t}` and change :math:`g_t - g_{t_0}` at the baseline
    period :math:`t_0`. A falling gap of a "higher is worse" indicator means the
    area catches up.

    Examples
    --------
    >>> from indicators.registry import load_registry
    >>> rows = []
    >>> for year, (ua, ra, ub, rb) in {2018: (30, 200, 20, 800), 2022: (20, 200, 20, 800)}.items():
    ...     rows += [("a", "unemployed", year, ua), ("a", "residents_15_64", year, ra),
    ...              ("b", "unemployed", year, ub), ("b", "residents_15_64", year, rb)]
    >>> long = pd.DataFrame(rows, columns=["area_id", "indicator", "period", "value"])
    >>> compare_with_rest(long, ["a"], load_registry(), indicator="unemployment_rate",
    ...                   start_period=2019)[["period", "area_value", "rest_value", "gap",
    ...                                       "gap_change"]]
       period  area_value  rest_value   gap  gap_change
    0    2018        15.0         2.5  12.5         0.0
    1    2022        10.0         2.5   7.5        -5.0
    """
    check_long(frame)
    d = registry.get(indicator)
    if not d.derived or d.formula != "ratio":
        raise AggregationError(code="targets.not_ratio", indicator=indicator)
    share = (
        pd.Series(dict(members), dtype=float)
        if isinstance(members, Mapping)
        else pd.Series(1.0, index=pd.Index(list(members), dtype="object"))
    )
    if ((share < 0) | (share > 1)).any():
        raise FrameError(code="targets.member_shares")
    absent = sorted(set(share.index) - set(frame["area_id"]))
    if absent:
        raise FrameError(
            code="targets.members_without_values",
            count=german.count(len(absent), "Teilgebiet", "Teilgebiete"),
            examples=", ".join(map(str, absent[:5])),
        )
    counts = frame[frame["indicator"].isin([d.numerator, d.denominator])]
    wide = counts.pivot_table(
        index=["period", "area_id"], columns="indicator", values="value", aggfunc="first"
    )
    s = wide.index.get_level_values("area_id").map(lambda a: share.get(a, 0.0)).to_numpy()
    num = wide[d.numerator].to_numpy(dtype=float)
    den = wide[d.denominator].to_numpy(dtype=float)
    parts = pd.DataFrame(
        {"an": s * num, "ad": s * den, "rn": (1 - s) * num, "rd": (1 - s) * den},
        index=wide.index,
    )
    sums = parts.groupby(level="period").sum(min_count=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        area = d.factor * sums["an"] / sums["ad"]
        rest = d.factor * sums["rn"] / sums["rd"]
        city = d.factor * (sums["an"] + sums["rn"]) / (sums["ad"] + sums["rd"])
    out = pd.DataFrame({"area_value": area, "rest_value": rest, "city_value": city})
    out["gap"] = out["area_value"] - out["rest_value"]
    periods = out.index.to_series()
    times = _time(periods.reset_index(drop=True))
    start = float(_time(pd.Series([start_period]))[0])
    before = np.flatnonzero(times <= start)
    base_pos = before[np.argmax(times[before])] if len(before) else int(np.argmin(times))
    out["gap_change"] = out["gap"] - out["gap"].iloc[base_pos]
    out["baseline_period"] = periods.iloc[base_pos]
    return out.reset_index()
