"""Applications for money (Anträge): what resident projects ask of which source, and when.

A resident project applies to any source: the area's local fund, a foundation, a
Land programme, the Bezirk, or another. Each application has an amount requested
and (once decided) granted, a status and a deadline; the neighbourhood manager
keeps an eye on the open deadlines (:func:`open_deadlines`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from geo import german
from monitoring.findings import Finding

SOURCE_KINDS: tuple[str, ...] = (
    "lokaler Fonds",
    "Stiftung",
    "Landesprogramm",
    "Bezirk",
    "sonstige",
)
"""Kinds of source a project applies to; ``lokaler Fonds`` names one of the area's funds."""
LOCAL_FUND = "lokaler Fonds"
STATUSES: tuple[str, ...] = ("geplant", "eingereicht", "bewilligt", "abgelehnt", "zurückgezogen")
OPEN_STATUSES: tuple[str, ...] = ("geplant", "eingereicht")
"""Statuses whose deadline is still to be kept (to submit, or to hear back)."""
SUBMITTED_STATUSES: tuple[str, ...] = ("eingereicht", "bewilligt", "abgelehnt")


def _given(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return False
    if isinstance(value, float) and value != value:
        return False
    return not (isinstance(value, str) and not value.strip())


def _euro(value: float) -> str:
    return german.number(value, decimals=2) + " €"


def check_application(record: Mapping[str, Any]) -> list[Finding]:
    """Check an application: source, status, amounts and dates.

    Errors: an unknown source kind or status; a local-fund application without its
    fund, another without the name of the source; negative amounts; a granted amount
    without the status ``bewilligt`` (or ``bewilligt`` without the amount); a
    submitted application without its submission date. Warning: more granted than
    requested, or submitted after the deadline.

    Examples
    --------
    >>> rec = {"id": "AN1", "project_id": "P1", "source_kind": "Stiftung",
    ...        "status": "bewilligt", "requested": 2000.0}
    >>> [f.code for f in check_application(rec)]
    ['source_name', 'granted', 'submitted']
    >>> ok = {"id": "AN2", "project_id": "P1", "source_kind": "lokaler Fonds", "fund_id": "F1",
    ...       "status": "eingereicht", "submitted": "2025-03-01", "requested": 800.0}
    >>> check_application(ok)
    []
    """
    rid = str(record.get("id"))
    out: list[Finding] = []

    def add(code: str, message: str, level: str = "error") -> None:
        out.append(Finding(level, code, "applications", rid, f"Antrag {rid!r}: {message}"))  # type: ignore[arg-type]

    kind, status = record.get("source_kind"), record.get("status")
    if kind not in SOURCE_KINDS:
        add("source_kind", f"Geldgeber-Art {kind!r} ist nicht eine von {', '.join(SOURCE_KINDS)}")
    elif kind == LOCAL_FUND and not _given(record.get("fund_id")):
        add("fund", "ein Antrag an den lokalen Fonds nennt den Fonds; wählen Sie ihn aus")
    elif kind != LOCAL_FUND and not _given(record.get("source_name")):
        add("source_name", f"nennen Sie den Geldgeber ({kind}), z. B. den Namen der Stiftung")
    if status not in STATUSES:
        add("status", f"Status {status!r} ist nicht einer von {', '.join(STATUSES)}")
    amounts: dict[str, float | None] = {}
    for name, label in (("requested", "beantragt"), ("granted", "bewilligt")):
        value: Any = record.get(name)
        number = float(value) if _given(value) else None
        amounts[name] = number
        if number is not None and number < 0:
            add(name, f"der Betrag {label} ({_euro(number)}) ist negativ")
    granted, requested = amounts["granted"], amounts["requested"]
    if status == "bewilligt" and not granted:
        add("granted", "ein bewilligter Antrag braucht den bewilligten Betrag (> 0 €)")
    if status != "bewilligt" and granted:
        add(
            "granted",
            f"bewilligt sind {_euro(granted)}, der Status ist aber {status!r}; "
            "setzen Sie den Status auf 'bewilligt' oder lassen Sie den Betrag leer",
        )
    if granted and requested is not None and granted > requested + 0.005:
        add(
            "granted_more",
            f"bewilligt ({_euro(granted)}) ist mehr als beantragt ({_euro(requested)})",
            "warning",
        )
    submitted, deadline = record.get("submitted"), record.get("deadline")
    if status in SUBMITTED_STATUSES and not _given(submitted):
        add("submitted", f"ein Antrag mit Status {status!r} braucht das Datum der Einreichung")
    if (
        _given(submitted) and _given(deadline) and pd.Timestamp(submitted) > pd.Timestamp(deadline)  # type: ignore[arg-type]
    ):
        add(
            "late",
            f"eingereicht am {pd.Timestamp(submitted):%d.%m.%Y}, nach der Frist "  # type: ignore[arg-type]
            f"{pd.Timestamp(deadline):%d.%m.%Y}",  # type: ignore[arg-type]
            "warning",
        )
    return out


def open_deadlines(applications: pd.DataFrame, *, today: dt.date) -> pd.DataFrame:
    """Return the applications with a deadline still to keep, soonest first.

    Parameters
    ----------
    applications
        ``id, project_id, source_kind, source_name, deadline, status`` (more columns
        are kept).
    today
        The day the deadlines are judged at.

    Returns
    -------
    pandas.DataFrame
        The open applications (status geplant or eingereicht, with a deadline) sorted
        by deadline, with ``days_left`` (negative: overdue) and ``overdue``.

    Examples
    --------
    >>> a = pd.DataFrame({"id": ["A", "B", "C"], "status": ["geplant", "eingereicht", "bewilligt"],
    ...                   "deadline": pd.to_datetime(["2025-06-01", "2025-04-01", "2025-01-01"])})
    >>> open_deadlines(a, today=dt.date(2025, 5, 1))[["id", "days_left", "overdue"]].values.tolist()
    [['B', -30, True], ['A', 31, False]]
    """
    deadline = pd.to_datetime(applications["deadline"])
    mine = applications[applications["status"].isin(OPEN_STATUSES) & deadline.notna()].copy()
    mine["deadline"] = pd.to_datetime(mine["deadline"])
    mine["days_left"] = (mine["deadline"] - pd.Timestamp(today)).dt.days.astype(int)
    mine["overdue"] = mine["days_left"] < 0
    return mine.sort_values(["deadline", "id"], ignore_index=True)
