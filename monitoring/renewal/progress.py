"""Progress of a Gesamtmaßnahme: money, measures, outputs, goals and a timeline.

Pure functions over the frames of one funding area (read by the services); each
returns a frame a report or the app shows as it is.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable
from typing import Any

import pandas as pd

from geo import german
from monitoring.messages import render
from monitoring.renewal.funding import AMOUNTS, SOURCES
from monitoring.renewal.measures import STATUSES


def _upto(lines: pd.DataFrame, year: int | None) -> pd.DataFrame:
    if year is None:
        return lines
    return lines[pd.to_numeric(lines["programme_year"]) <= year]


def funding_by_year(lines: pd.DataFrame, *, year: int | None = None) -> pd.DataFrame:
    """Sum planned, approved and paid money per source and programme year, with running totals.

    Parameters
    ----------
    lines
        Funding lines with ``source``, ``programme_year``, ``planned``, ``approved``,
        ``paid``.
    year
        Leave out programme years after this one.

    Returns
    -------
    pandas.DataFrame
        ``source, programme_year, planned, approved, paid, planned_cum, approved_cum,
        paid_cum``; sources in the order of :data:`~monitoring.renewal.funding.SOURCES`
        (unknown ones after), years ascending; missing amounts count as 0; the
        running totals add up each source's years so far.

    Notes
    -----
    x_cum(s, y) = Σ_{y' ≤ y} x(s, y') for x in planned, approved, paid.

    Examples
    --------
    >>> lines = pd.DataFrame({"source": ["Bund", "Bund", "Land"],
    ...                       "programme_year": [2020, 2021, 2020],
    ...                       "planned": [10.0, 5.0, 10.0], "approved": [10.0, None, 8.0],
    ...                       "paid": [4.0, 0.0, 0.0]})
    >>> funding_by_year(lines)[["source", "programme_year", "planned_cum", "approved"]]
      source  programme_year  planned_cum  approved
    0   Bund            2020         10.0      10.0
    1   Bund            2021         15.0       0.0
    2   Land            2020         10.0       8.0
    """
    work = _upto(lines, year)
    columns = ["source", "programme_year", *AMOUNTS, *(f"{a}_cum" for a in AMOUNTS)]
    if work.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype=object if c == "source" else float) for c in columns}
        ).astype({"programme_year": "Int64"})
    amounts = work[list(AMOUNTS)].apply(pd.to_numeric).fillna(0.0).astype(float)
    frame = pd.concat([work[["source", "programme_year"]], amounts], axis=1)
    sums = frame.groupby(["source", "programme_year"], as_index=False)[list(AMOUNTS)].sum()
    order = {s: i for i, s in enumerate(SOURCES)}
    sums["_order"] = sums["source"].map(lambda s: order.get(s, len(order)))
    sums = sums.sort_values(["_order", "source", "programme_year"]).drop(columns="_order")
    for name in AMOUNTS:
        sums[f"{name}_cum"] = sums.groupby("source")[name].cumsum()
    sums["programme_year"] = sums["programme_year"].astype("Int64")
    return sums.reset_index(drop=True)[columns]


def funding_totals(lines: pd.DataFrame, *, year: int | None = None) -> pd.DataFrame:
    """Sum planned, approved and paid money per source, with each source's share of the total.

    Returns
    -------
    pandas.DataFrame
        Indexed by source (every source of :data:`~monitoring.renewal.funding.SOURCES`, 0 where
        none), columns ``planned, approved, paid, planned_share`` (% of all planned money);
        a last row ``Summe``.

    Examples
    --------
    >>> lines = pd.DataFrame({"source": ["Bund", "Land"], "programme_year": [2020, 2020],
    ...                       "planned": [30.0, 10.0], "approved": [0.0, 0.0], "paid": [0.0, 0.0]})
    >>> funding_totals(lines).loc[["Bund", "Summe"], "planned_share"].tolist()
    [75.0, 100.0]
    """
    by_year = funding_by_year(lines, year=year)
    sources = list(SOURCES) + sorted(set(by_year["source"]) - set(SOURCES))
    totals = by_year.groupby("source")[list(AMOUNTS)].sum().reindex(sources, fill_value=0.0)
    totals.loc["Summe"] = totals.sum()
    all_planned = float(totals["planned"].iloc[-1])
    totals["planned_share"] = totals["planned"] * (100.0 / all_planned) if all_planned else math.nan
    totals.index.name = "source"
    return totals


def measures_by_status(measures: pd.DataFrame) -> pd.Series:
    """Count measures per status, every status listed (0 where none), unknown last.

    Examples
    --------
    >>> measures_by_status(pd.DataFrame({"status": ["geplant", "geplant", None]})).to_dict()
    {'geplant': 2, 'bewilligt': 0, 'in Umsetzung': 0, 'abgeschlossen': 0, 'abgerechnet': 0, \
'ohne Status': 1}
    """
    status = measures["status"].fillna("ohne Status")
    counts = status.value_counts()
    order = list(STATUSES) + sorted(set(counts.index) - set(STATUSES))
    out = counts.reindex(order, fill_value=0).astype(int)
    out.index.name = "status"
    return out.rename("measures")


def _year_of(value: Any) -> int | None:
    stamp = pd.to_datetime(value, errors="coerce")
    return None if pd.isna(stamp) else int(stamp.year)


def measures_by_status_over_time(
    measures: pd.DataFrame, lines: pd.DataFrame, *, today: dt.date
) -> pd.DataFrame:
    """Count the measures per status at the end of each year, up to today's status.

    There is no record of past status changes, so a past year's status is derived from
    the dates and the money: ``abgeschlossen`` once the end date has passed, ``in
    Umsetzung`` once the start date has passed, ``bewilligt`` once money of a programme
    year up to then is approved, else ``geplant``; never further along than the status
    the measure has today (a measure still ``geplant`` was not under way, whatever its
    dates say). The year of ``today`` shows the stored status itself. A measure is counted
    from the first year it has a start date or a funding line in (or only today).

    Parameters
    ----------
    measures
        ``id, status, start_date, end_date``.
    lines
        Funding lines ``measure_id, programme_year, approved``.
    today
        The day whose year shows the stored statuses.

    Returns
    -------
    pandas.DataFrame
        ``year, status, measures``: every year from the first to today's, every status
        of :data:`~monitoring.renewal.measures.STATUSES` (0 where none), unknown ones
        and ``ohne Status`` after them.

    Examples
    --------
    >>> m = pd.DataFrame({"id": ["a", "b"], "status": ["abgeschlossen", "geplant"],
    ...     "start_date": pd.to_datetime(["2023-03-01", "2023-01-01"]),
    ...     "end_date": pd.to_datetime(["2024-06-30", None])})
    >>> fl = pd.DataFrame({"measure_id": ["a"], "programme_year": [2022], "approved": [5.0]})
    >>> t = measures_by_status_over_time(m, fl, today=dt.date(2025, 5, 1))
    >>> shown = t[t["measures"] > 0]
    >>> {y: dict(zip(g["status"], g["measures"])) for y, g in shown.groupby("year")}
    {2022: {'bewilligt': 1}, 2023: {'geplant': 1, 'in Umsetzung': 1}, \
2024: {'geplant': 1, 'abgeschlossen': 1}, 2025: {'geplant': 1, 'abgeschlossen': 1}}
    """
    rank = {s: i for i, s in enumerate(STATUSES)}
    years_of_lines = pd.to_numeric(lines["programme_year"], errors="coerce")
    approved = pd.to_numeric(lines["approved"], errors="coerce").fillna(0.0) > 0
    first_line = years_of_lines.groupby(lines["measure_id"]).min()
    first_approval = years_of_lines[approved].groupby(lines["measure_id"][approved]).min()
    rows: list[tuple[int, str]] = []
    for m in measures.to_dict("records"):
        now = m["status"] if isinstance(m["status"], str) and m["status"] else "ohne Status"
        start = _year_of(m["start_date"])
        start_day = pd.to_datetime(m["start_date"], errors="coerce")
        end_day = pd.to_datetime(m["end_date"], errors="coerce")
        known = [y for y in (start, first_line.get(m["id"])) if y is not None and not pd.isna(y)]
        first = min(int(min(known)), today.year) if known else today.year
        money = first_approval.get(m["id"])
        for year in range(first, today.year):
            close = pd.Timestamp(year, 12, 31)
            if not pd.isna(end_day) and end_day <= close:
                then = "abgeschlossen"
            elif not pd.isna(start_day) and start_day <= close:
                then = "in Umsetzung"
            elif money is not None and not pd.isna(money) and money <= year:
                then = "bewilligt"
            else:
                then = "geplant"
            if now in rank:
                then = STATUSES[min(rank[then], rank[now])]
            else:
                then = now
            rows.append((year, then))
        rows.append((today.year, now))
    found = pd.DataFrame(rows, columns=["year", "status"])
    order = list(STATUSES) + sorted(set(found["status"]) - set(STATUSES))
    years = sorted(set(found["year"])) if len(found) else [today.year]
    counts = found.groupby(["year", "status"]).size()
    grid = pd.MultiIndex.from_product([years, order], names=["year", "status"])
    out = counts.reindex(grid, fill_value=0).rename("measures").reset_index()
    return out.astype({"year": int, "measures": int})


def measures_by_field(
    measures: pd.DataFrame, measure_fields: pd.DataFrame, fields: pd.DataFrame
) -> pd.DataFrame:
    """Count measures per field of action; a measure with two fields counts in each.

    Returns
    -------
    pandas.DataFrame
        ``field_id, name, measures, cost_estimate`` for the fields the measures serve,
        most measures first; measures without a field under ``field_id`` None
        ("ohne Handlungsfeld").

    Examples
    --------
    >>> m = pd.DataFrame({"id": ["M1", "M2", "M3"], "cost_estimate": [1.0, 2.0, 4.0]})
    >>> mf = pd.DataFrame({"measure_id": ["M1", "M1", "M2"], "field_id": ["a", "b", "a"]})
    >>> f = pd.DataFrame({"id": ["a", "b"], "name": ["Grün", "Bildung"]})
    >>> measures_by_field(m, mf, f).values.tolist()
    [['a', 'Grün', 2, 3.0], ['b', 'Bildung', 1, 1.0], [None, 'ohne Handlungsfeld', 1, 4.0]]
    """
    links = measure_fields[measure_fields["measure_id"].isin(measures["id"])]
    costs = dict(zip(measures["id"], pd.to_numeric(measures["cost_estimate"]).fillna(0.0)))
    names = dict(zip(fields["id"], fields["name"]))
    rows: list[tuple[Any, Any, int, float]] = []
    for field_id, group in links.groupby("field_id", sort=True):
        ids = group["measure_id"].unique()
        rows.append(
            (field_id, names.get(field_id, field_id), len(ids), float(sum(costs[i] for i in ids)))
        )
    rows.sort(key=lambda r: (-r[2], str(r[0])))
    lonely = measures[~measures["id"].isin(links["measure_id"])]
    if len(lonely):
        rows.append(
            (None, "ohne Handlungsfeld", len(lonely), float(sum(costs[i] for i in lonely["id"])))
        )
    return pd.DataFrame(
        {
            "field_id": pd.Series([r[0] for r in rows], dtype=object),
            "name": pd.Series([r[1] for r in rows], dtype=object),
            "measures": pd.Series([r[2] for r in rows], dtype=int),
            "cost_estimate": pd.Series([r[3] for r in rows], dtype=float),
        }
    )


def outputs_delivered(measures: pd.DataFrame, outputs: pd.DataFrame) -> pd.DataFrame:
    """Sum the planned and delivered output quantities of the measures.

    Returns
    -------
    pandas.DataFrame
        ``quantity, unit, planned, actual, measures, actual_pct`` (delivered as % of
        planned), by quantity.

    Examples
    --------
    >>> m = pd.DataFrame({"id": ["M1", "M2"]})
    >>> o = pd.DataFrame({"measure_id": ["M1", "M2"], "quantity": ["gruen_m2"] * 2,
    ...                   "unit": ["m²"] * 2, "planned": [100.0, 300.0], "actual": [100.0, None]})
    >>> out = outputs_delivered(m, o)
    >>> out[["planned", "actual", "actual_pct"]].values.tolist(), out["measures"].tolist()
    ([[400.0, 100.0, 25.0]], [2])
    """
    mine = outputs[outputs["measure_id"].isin(measures["id"])]
    rows = []
    for quantity, group in mine.groupby("quantity", sort=True):
        planned = float(pd.to_numeric(group["planned"]).fillna(0).sum())
        actual = float(pd.to_numeric(group["actual"]).fillna(0).sum())
        units = group["unit"].dropna().unique()
        rows.append(
            (
                quantity,
                units[0] if len(units) else None,
                planned,
                actual,
                int(group["measure_id"].nunique()),
                actual / planned * 100 if planned else math.nan,
            )
        )
    return pd.DataFrame(
        rows, columns=["quantity", "unit", "planned", "actual", "measures", "actual_pct"]
    )


# --- goals and targets --------------------------------------------------------------


def attainment(baseline: float, target: float, latest: float) -> float:
    """Return how far the way from baseline to target has been gone, in %.

    Notes
    -----
    attainment = (latest − baseline) / (target − baseline) × 100; negative when the
    value moved away from the target, above 100 when it overshot.

    Examples
    --------
    >>> attainment(100.0, 80.0, 90.0)
    50.0
    >>> attainment(100.0, 80.0, 110.0)
    -50.0
    >>> attainment(5.0, 5.0, 5.0)
    Traceback (most recent call last):
    ...
    ValueError: Der Zielwert 5 ist gleich dem Ausgangswert 5: die Zielerreichung ist nicht \
bestimmt; korrigieren Sie den Zielwert
    """
    if target == baseline:
        raise ValueError(
            render(
                "progress.target_is_baseline",
                target=_shown(target),
                baseline=_shown(baseline),
            )
        )
    return (latest - baseline) / (target - baseline) * 100.0


def _shown(value: float) -> str:
    """A target or baseline as a user reads it: „5“, „1.250“, „12,5“, „0,25“."""
    if float(value).is_integer():
        return german.number(value)
    return german.number(value, decimals=2).rstrip("0")


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def elapsed(start: pd.Timestamp, end: pd.Timestamp, at: pd.Timestamp) -> float:
    """Return the share (%) of the time from ``start`` to ``end`` that has passed at ``at``.

    Examples
    --------
    >>> elapsed(pd.Timestamp("2020-12-31"), pd.Timestamp("2030-12-31"), pd.Timestamp("2025-12-31"))
    50.0
    """
    return (at - start) / (end - start) * 100.0


def goal_attainment(
    goals: pd.DataFrame,
    targets: pd.DataFrame,
    series: pd.DataFrame,
    *,
    at: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Attach to each goal its targets, the latest value and the attainment.

    Parameters
    ----------
    goals
        ``id, title, field_id``.
    targets
        ``id, goal_id, indicator, baseline_period, baseline_value, target_period,
        target_value``.
    series
        The funding area's values: ``indicator, period, value``.
    at
        Use values up to this date (default: all).

    Returns
    -------
    pandas.DataFrame
        One row per target (a goal without target gets one row without indicator):
        ``goal_id, title, field_id, target_id, indicator, baseline, baseline_period,
        target, target_period, latest, latest_period, attainment_pct, expected_pct,
        on_track``.

    Notes
    -----
    expected_pct = elapsed time share at the latest period along the straight path from
    baseline to target; on_track = attainment_pct ≥ expected_pct (the value is at least
    as far as the straight line says it should be by then).

    Examples
    --------
    >>> goals = pd.DataFrame({"id": ["Z1"], "title": ["Arbeit"], "field_id": ["b"]})
    >>> targets = pd.DataFrame({"id": ["T1"], "goal_id": ["Z1"], "indicator": ["unemployed"],
    ...     "baseline_period": [pd.Timestamp("2014-12-31")], "baseline_value": [100.0],
    ...     "target_period": [pd.Timestamp("2024-12-31")], "target_value": [80.0]})
    >>> series = pd.DataFrame({"indicator": ["unemployed"] * 2,
    ...     "period": pd.to_datetime(["2018-12-31", "2019-12-31"]), "value": [95.0, 88.0]})
    >>> row = goal_attainment(goals, targets, series).iloc[0]
    >>> float(row["attainment_pct"]), round(float(row["expected_pct"]), 1), bool(row["on_track"])
    (60.0, 50.0, True)
    """
    if at is not None:
        series = series[pd.to_datetime(series["period"]) <= at]
    usable = series[series["value"].notna()].sort_values("period")
    last = usable.groupby("indicator").tail(1)
    latest: dict[Any, tuple[float, pd.Timestamp]] = {
        k: (float(v), pd.Timestamp(p))
        for k, v, p in zip(last["indicator"], last["value"], last["period"])
    }
    all_targets: list[dict[Hashable, Any]] = targets.sort_values("id").to_dict("records")
    rows: list[dict[str, Any]] = []
    goal: dict[Hashable, Any]
    for goal in goals.sort_values("id").to_dict("records"):
        head = {"goal_id": goal["id"], "title": goal["title"], "field_id": goal["field_id"]}
        mine = [t for t in all_targets if t["goal_id"] == goal["id"]]
        if not mine:
            rows.append(head)
        for t in mine:
            row = head | {
                "target_id": t["id"],
                "indicator": t["indicator"],
                "baseline": _num(t["baseline_value"]),
                "baseline_period": t["baseline_period"],
                "target": _num(t["target_value"]),
                "target_period": t["target_period"],
            }
            if t["indicator"] in latest:
                value, period = latest[t["indicator"]]
                row["latest"], row["latest_period"] = value, period
                base, goal_value = row["baseline"], row["target"]
                if base is not None and goal_value is not None and base != goal_value:
                    pct = attainment(base, goal_value, value)
                    row["attainment_pct"] = pct
                    if not (pd.isna(t["baseline_period"]) or pd.isna(t["target_period"])):
                        exp = elapsed(
                            pd.Timestamp(t["baseline_period"]),
                            pd.Timestamp(t["target_period"]),
                            period,
                        )
                        row["expected_pct"] = exp
                        row["on_track"] = bool(pct >= exp)
            rows.append(row)
    columns = [
        "goal_id",
        "title",
        "field_id",
        "target_id",
        "indicator",
        "baseline",
        "baseline_period",
        "target",
        "target_period",
        "latest",
        "latest_period",
        "attainment_pct",
        "expected_pct",
        "on_track",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for c in ("baseline", "target", "latest", "attainment_pct", "expected_pct"):
        frame[c] = pd.to_numeric(frame[c]).astype(float)
    frame["on_track"] = frame["on_track"].astype("boolean")
    return frame
