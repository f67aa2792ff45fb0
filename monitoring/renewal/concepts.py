"""Development concepts (ISEK/IHEK): versions, goals, indicator targets, and their gaps.

A concept states goals per field of action; measures must serve them
(../shared/DOMAIN.md §1). A goal that no measure serves, and a measure that serves
no goal, are gaps in the concept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from monitoring.findings import Finding
from monitoring.numbers import german_number

CONCEPT_KINDS: tuple[str, ...] = ("ISEK", "IHEK")
DIRECTIONS: tuple[str, ...] = ("increase", "decrease")
DIRECTION_LABELS: Mapping[str, str] = {"increase": "steigern", "decrease": "senken"}
GAP_LABELS: Mapping[str, str] = {
    "goal_without_measure": "Ziel ohne Maßnahme",
    "measure_without_goal": "Maßnahme ohne Ziel",
}


def _given(value: Any) -> bool:
    return value is not None and value != "" and not bool(pd.isna(value))


def _num(value: float) -> str:
    return german_number(value, decimals=0 if float(value).is_integer() else 2)


def check_concept(record: Mapping[str, Any]) -> list[Finding]:
    """Check a concept: known kind, a title, validity years in order (messages in German).

    Examples
    --------
    >>> [f.code for f in check_concept({"id": "K", "kind": "Plan", "title": "ISEK",
    ...                                 "valid_from_year": 2020, "valid_to_year": 2010})]
    ['kind', 'years']
    """
    rid = str(record.get("id"))
    out: list[Finding] = []

    def add(code: str, message: str) -> None:
        out.append(Finding("error", code, "concepts", rid, f"Konzept „{rid}“: {message}"))

    kind = record.get("kind")
    if _given(kind) and kind not in CONCEPT_KINDS:
        add("kind", f"die Art „{kind}“ gibt es nicht; erlaubt: {', '.join(CONCEPT_KINDS)}")
    if "title" in record and not str(record.get("title") or "").strip():
        add("title", "der Titel fehlt; geben Sie dem Konzept einen Titel")
    start: Any = record.get("valid_from_year")
    end: Any = record.get("valid_to_year")
    if _given(start) and _given(end) and int(start) > int(end):
        add(
            "years",
            f"gültig ab {int(start)} liegt nach gültig bis {int(end)}; korrigieren Sie eines "
            "der Jahre",
        )
    return out


def check_goal(record: Mapping[str, Any]) -> list[Finding]:
    """Check a goal: it has a title (a goal without targets is a qualitative goal).

    Examples
    --------
    >>> [f.message for f in check_goal({"id": "Z1", "title": " "})]
    ['Ziel „Z1“: der Text des Ziels fehlt; schreiben Sie, was erreicht werden soll']
    """
    if str(record.get("title") or "").strip():
        return []
    rid = str(record.get("id"))
    return [
        Finding(
            "error",
            "title",
            "goals",
            rid,
            f"Ziel „{rid}“: der Text des Ziels fehlt; schreiben Sie, was erreicht werden soll",
        )
    ]


def check_target(record: Mapping[str, Any]) -> list[Finding]:
    """Check an indicator target: direction, periods in order, target on the right side.

    Examples
    --------
    >>> t = {"id": "T1", "indicator": "unemployed", "direction": "decrease",
    ...      "baseline_period": "2014-12-31", "baseline_value": 100.0,
    ...      "target_period": "2026-12-31", "target_value": 120.0}
    >>> print(*[f.message for f in check_target(t)])
    Zielwert „T1“: Richtung „senken“, aber der Zielwert 120 liegt nicht unter dem Basiswert \
100; drehen Sie die Richtung um oder korrigieren Sie den Zielwert
    """
    rid = str(record.get("id"))
    out: list[Finding] = []

    def add(code: str, message: str) -> None:
        out.append(Finding("error", code, "targets", rid, f"Zielwert „{rid}“: {message}"))

    if not str(record.get("indicator") or "").strip():
        add("indicator", "es ist kein Indikator gewählt; wählen Sie einen Indikator")
    direction = record.get("direction")
    if _given(direction) and direction not in DIRECTIONS:
        add(
            "direction",
            f"die Richtung „{direction}“ gibt es nicht; erlaubt: "
            f"{', '.join(DIRECTION_LABELS.values())}",
        )
    b_period: Any = record.get("baseline_period")
    t_period: Any = record.get("target_period")
    if _given(b_period) and _given(t_period) and pd.Timestamp(b_period) >= pd.Timestamp(t_period):
        add(
            "periods",
            f"der Zielzeitpunkt {pd.Timestamp(t_period):%d.%m.%Y} liegt nicht nach dem "
            f"Basiszeitpunkt {pd.Timestamp(b_period):%d.%m.%Y}",
        )
    base: Any = record.get("baseline_value")
    target: Any = record.get("target_value")
    if _given(base) and _given(target):
        base, target = float(base), float(target)
        if (direction == "decrease" and target >= base) or (
            direction == "increase" and target <= base
        ):
            side = "unter" if direction == "decrease" else "über"
            add(
                "direction",
                f"Richtung „{DIRECTION_LABELS[direction]}“, aber der Zielwert "
                f"{_num(target)} liegt nicht {side} dem Basiswert "
                f"{_num(base)}; drehen Sie die Richtung um oder korrigieren Sie "
                "den Zielwert",
            )
    return out


def copy_goals(
    goals: pd.DataFrame, targets: pd.DataFrame, *, concept_id: str, prefix: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the goals and targets of an earlier concept as new records of ``concept_id``.

    New ids are ``prefix`` + the old id; each target follows its goal.

    Examples
    --------
    >>> g = pd.DataFrame({"id": ["Z1"], "concept_id": ["K1"], "field_id": ["f"],
    ...                   "title": ["Grün"], "description": [None], "version": [3]})
    >>> t = pd.DataFrame({"id": ["T1"], "goal_id": ["Z1"], "indicator": ["residents"],
    ...                   "version": [1]})
    >>> new_goals, new_targets = copy_goals(g, t, concept_id="K2", prefix="K2-")
    >>> new_goals
    [{'id': 'K2-Z1', 'concept_id': 'K2', 'field_id': 'f', 'title': 'Grün', 'description': None}]
    >>> new_targets
    [{'id': 'K2-T1', 'goal_id': 'K2-Z1', 'indicator': 'residents'}]
    """
    kept = ("created_at", "updated_at", "updated_by", "version")

    def plain(row: Mapping[Any, Any]) -> dict[str, Any]:
        return {
            str(k): (None if not isinstance(v, str) and pd.isna(v) else v)
            for k, v in row.items()
            if k not in kept
        }

    new_goals, new_targets = [], []
    for goal in goals.sort_values("id").to_dict("records"):
        new_goals.append(plain(goal) | {"id": prefix + str(goal["id"]), "concept_id": concept_id})
    for target in targets.sort_values("id").to_dict("records"):
        new_targets.append(
            plain(target)
            | {"id": prefix + str(target["id"]), "goal_id": prefix + str(target["goal_id"])}
        )
    return new_goals, new_targets


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


def next_id(ids: Iterable[Any], prefix: str, *, width: int = 2) -> str:
    """Propose the next free id ``prefix`` + number (one above the highest in use).

    Examples
    --------
    >>> next_id(["Z-01", "Z-07", "T-99", "Z-x"], "Z-")
    'Z-08'
    >>> next_id([], "K-SSZ-01-")
    'K-SSZ-01-01'
    """
    numbers = [
        int(text[len(prefix) :])
        for text in map(str, ids)
        if text.startswith(prefix) and text[len(prefix) :].isdigit()
    ]
    return f"{prefix}{(max(numbers) + 1) if numbers else 1:0{width}d}"
