"""Development concepts (ISEK/IHEK): versions, goals, indicator targets, and their gaps.

A concept states goals per field of action; measures must serve them
(../shared/DOMAIN.md §1). A goal that no measure serves, and a measure that serves
no goal, are gaps in the concept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from monitoring.findings import Finding

CONCEPT_KINDS: tuple[str, ...] = ("ISEK", "IHEK")
DIRECTIONS: tuple[str, ...] = ("increase", "decrease")
DIRECTION_LABELS: Mapping[str, str] = {"increase": "steigern", "decrease": "senken"}
GAP_LABELS: Mapping[str, str] = {
    "goal_without_measure": "Ziel ohne Maßnahme",
    "measure_without_goal": "Maßnahme ohne Ziel",
}


def check_concept(record: Mapping[str, Any]) -> list[Finding]:
    """Check a concept: known kind, validity years in order.

    Examples
    --------
    >>> [f.code for f in check_concept({"id": "K", "kind": "Plan", "valid_from_year": 2020,
    ...                                 "valid_to_year": 2010})]
    ['kind', 'years']
    """
    rid = str(record.get("id"))
    out: list[Finding] = []
    kind = record.get("kind")
    if kind is not None and kind not in CONCEPT_KINDS:
        out.append(
            Finding(
                "error",
                "kind",
                "concepts",
                rid,
                f"concept {rid!r}: kind {kind!r} is not one of {', '.join(CONCEPT_KINDS)}",
            )
        )
    start, end = record.get("valid_from_year"), record.get("valid_to_year")
    if (
        start is not None
        and end is not None
        and not pd.isna(start)
        and not pd.isna(end)
        and int(start) > int(end)
    ):
        out.append(
            Finding(
                "error",
                "years",
                "concepts",
                rid,
                f"concept {rid!r}: valid from {start} is after valid to {end}; "
                "correct one of the years",
            )
        )
    return out


def check_target(record: Mapping[str, Any]) -> list[Finding]:
    """Check an indicator target: direction, periods in order, target on the right side.

    Examples
    --------
    >>> t = {"id": "T1", "indicator": "unemployed", "direction": "decrease",
    ...      "baseline_period": "2014-12-31", "baseline_value": 100.0,
    ...      "target_period": "2026-12-31", "target_value": 120.0}
    >>> [f.message for f in check_target(t)]
    ["target 'T1': direction 'decrease' but the target 120 is not below the baseline 100; \
swap the direction or correct the target value"]
    """
    rid = str(record.get("id"))
    out: list[Finding] = []

    def add(code: str, message: str) -> None:
        out.append(Finding("error", code, "targets", rid, f"target {rid!r}: {message}"))

    if not str(record.get("indicator") or "").strip():
        add("indicator", "names no indicator; give the indicator key, e.g. 'unemployed'")
    direction = record.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        add("direction", f"direction {direction!r} is not one of {', '.join(DIRECTIONS)}")
    b_period, t_period = record.get("baseline_period"), record.get("target_period")
    if (
        b_period is not None
        and t_period is not None
        and not pd.isna(b_period)
        and not pd.isna(t_period)
        and pd.Timestamp(b_period) >= pd.Timestamp(t_period)
    ):
        add(
            "periods",
            f"the target period {pd.Timestamp(t_period).date()} is not after the "
            f"baseline period {pd.Timestamp(b_period).date()}",
        )
    base, target = record.get("baseline_value"), record.get("target_value")
    if base is not None and target is not None and not pd.isna(base) and not pd.isna(target):
        base, target = float(base), float(target)
        if (direction == "decrease" and target >= base) or (
            direction == "increase" and target <= base
        ):
            side = "below" if direction == "decrease" else "above"
            add(
                "direction",
                f"direction {direction!r} but the target {target:g} is not {side} "
                f"the baseline {base:g}; swap the direction or correct the target value",
            )
    return out


def gaps(goals: pd.DataFrame, measures: pd.DataFrame, measure_goals: pd.DataFrame) -> pd.DataFrame:
    """List the goals no measure serves and the measures that serve no goal.

    Parameters
    ----------
    goals
        ``id, title`` (the goals of the concepts in question).
    measures
        ``id, title`` (the measures of the funding area).
    measure_goals
        ``measure_id, goal_id`` links.

    Returns
    -------
    pandas.DataFrame
        ``kind`` ('goal_without_measure' or 'measure_without_goal'), ``label``
        (German), ``id``, ``title``; goals first, each part ordered by id.

    Examples
    --------
    >>> g = pd.DataFrame({"id": ["Z1", "Z2"], "title": ["Grün", "Arbeit"]})
    >>> m = pd.DataFrame({"id": ["M1", "M2"], "title": ["Park", "Fest"]})
    >>> links = pd.DataFrame({"measure_id": ["M1"], "goal_id": ["Z1"]})
    >>> gaps(g, m, links)[["kind", "id"]].values.tolist()
    [['goal_without_measure', 'Z2'], ['measure_without_goal', 'M2']]
    """
    linked = measure_goals[
        measure_goals["measure_id"].isin(measures["id"])
        & measure_goals["goal_id"].isin(goals["id"])
    ]
    lonely_goals = goals[~goals["id"].isin(linked["goal_id"])].sort_values("id")
    lonely_measures = measures[~measures["id"].isin(linked["measure_id"])].sort_values("id")
    parts = [
        pd.DataFrame(
            {
                "kind": "goal_without_measure",
                "id": lonely_goals["id"],
                "title": lonely_goals["title"],
            }
        ),
        pd.DataFrame(
            {
                "kind": "measure_without_goal",
                "id": lonely_measures["id"],
                "title": lonely_measures["title"],
            }
        ),
    ]
    out = pd.concat(parts, ignore_index=True)
    out.insert(1, "label", out["kind"].map(GAP_LABELS))
    return out.astype({"kind": object, "label": object, "id": object, "title": object})


def current_concepts(concepts: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """Return the concepts valid in ``year`` (valid_from_year ≤ year ≤ valid_to_year or open).

    Examples
    --------
    >>> c = pd.DataFrame({"id": ["old", "new"], "valid_from_year": [2001, 2015],
    ...                   "valid_to_year": pd.array([2014, None], dtype="Int64")})
    >>> current_concepts(c, year=2020)["id"].tolist()
    ['new']
    """
    start = pd.to_numeric(concepts["valid_from_year"]).astype("Float64")
    end = pd.to_numeric(concepts["valid_to_year"]).astype("Float64")
    ok = (start.isna() | (start <= year)) & (end.isna() | (end >= year))
    return concepts[ok.fillna(False).astype(bool)]
