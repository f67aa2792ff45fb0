"""Activities of quarter management: campaigns, festivals, workshops, with participants."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from monitoring.findings import Finding

ACTIVITY_KINDS: tuple[str, ...] = (
    "Aufräumaktion",
    "Verschönerungsaktion",
    "Fest",
    "Workshop",
    "Beteiligungsveranstaltung",
    "Sprechstunde",
    "Stadtteilspaziergang",
    "sonstige",
)


def check_activity(record: Mapping[str, Any]) -> list[Finding]:
    """Check an activity: a title, a known kind, participants and volunteers ≥ 0.

    Examples
    --------
    >>> [f.code for f in check_activity({"id": "AK1", "title": "Fest", "kind": "Fest",
    ...                                  "participants": -3})]
    ['participants']
    """
    rid = str(record.get("id"))
    out: list[Finding] = []

    def add(code: str, message: str) -> None:
        out.append(Finding("error", code, "activities", rid, f"Aktivität „{rid}“: {message}"))

    if not str(record.get("title") or "").strip():
        add("title", "der Titel ist leer; geben Sie der Aktivität einen Titel")
    kind = record.get("kind")
    if kind is not None and kind not in ACTIVITY_KINDS:
        add("kind", f"die Art „{kind}“ ist keine von {', '.join(ACTIVITY_KINDS)}")
    people = record.get("participants")
    if people is not None and not pd.isna(people) and int(people) < 0:
        add("participants", f"{people} Teilnehmende; die Zahl muss 0 oder größer sein")
    helpers = record.get("volunteers")
    if helpers is not None and not pd.isna(helpers) and int(helpers) < 0:
        add("volunteers", f"{helpers} Ehrenamtliche; die Zahl muss 0 oder größer sein")
    return out


def activities_by_year(activities: pd.DataFrame) -> pd.DataFrame:
    """Count activities, participants and volunteers per year and kind.

    Activities without a date count under no year and are left out.

    Examples
    --------
    >>> a = pd.DataFrame({"date": pd.to_datetime(["2024-05-01", "2024-06-01"]),
    ...                   "kind": ["Fest", "Fest"], "participants": [100, 50],
    ...                   "volunteers": [8, None]})
    >>> activities_by_year(a).values.tolist()
    [[2024, 'Fest', 2, 150, 8]]
    """
    helpers = activities.get("volunteers")
    frame = pd.DataFrame(
        {
            "year": pd.to_datetime(activities["date"]).dt.year.astype("Int64"),
            "kind": activities["kind"].fillna("sonstige"),
            "participants": pd.to_numeric(activities["participants"]).fillna(0).astype(int),
            "volunteers": (
                pd.to_numeric(helpers).fillna(0).astype(int) if helpers is not None else 0
            ),
        },
        index=activities.index,
    )
    frame = frame[frame["year"].notna()]
    out = frame.groupby(["year", "kind"], as_index=False).agg(
        activities=("participants", "size"),
        participants=("participants", "sum"),
        volunteers=("volunteers", "sum"),
    )
    return out.astype({"activities": int, "participants": int, "volunteers": int})


def year_totals(activities: pd.DataFrame) -> pd.DataFrame:
    """Sum :func:`activities_by_year` over the kinds: one row per year.

    Examples
    --------
    >>> a = pd.DataFrame({"date": pd.to_datetime(["2024-05-01", "2024-06-01", "2025-01-09"]),
    ...                   "kind": ["Fest", "Aufräumaktion", "Fest"], "participants": [100, 23, 40],
    ...                   "volunteers": [8, 5, None]})
    >>> year_totals(a).values.tolist()
    [[2024, 2, 123, 13], [2025, 1, 40, 0]]
    """
    by_kind = activities_by_year(activities)
    counts = ["activities", "participants", "volunteers"]
    out = by_kind.groupby("year", as_index=False)[counts].sum()
    return out.astype({"year": int})
