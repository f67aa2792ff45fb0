"""Resident projects (Bewohnerprojekte): the lifecycle from idea to done, and its checks.

A project goes Idee → Antrag → bewilligt → laufend → abgeschlossen; an idea or an
application can be rejected (abgelehnt). Other steps are refused, so the history of
a project is one of the paths of :data:`TRANSITIONS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from monitoring.findings import Finding

STATUSES: tuple[str, ...] = ("Idee", "Antrag", "bewilligt", "laufend", "abgeschlossen", "abgelehnt")
INITIAL_STATUSES: tuple[str, ...] = ("Idee", "Antrag")
TRANSITIONS: Mapping[str, tuple[str, ...]] = {
    "Idee": ("Antrag", "abgelehnt"),
    "Antrag": ("bewilligt", "abgelehnt"),
    "bewilligt": ("laufend",),
    "laufend": ("abgeschlossen",),
    "abgeschlossen": (),
    "abgelehnt": (),
}
"""Allowed steps: status -> the statuses it may move to."""

FUNDED_STATUSES: tuple[str, ...] = ("bewilligt", "laufend", "abgeschlossen")


def check_transition(project_id: str, old: str | None, new: str | None) -> list[Finding]:
    """Check a change of status (``old`` None: a new project).

    Examples
    --------
    >>> check_transition("P1", "Idee", "Antrag")
    []
    >>> [f.message for f in check_transition("P1", "Idee", "laufend")]
    ["project 'P1': status cannot go from 'Idee' to 'laufend'; from 'Idee' it can go to \
'Antrag' or 'abgelehnt'"]
    >>> check_transition("P2", None, "bewilligt")[0].code
    'initial_status'
    """

    def err(code: str, message: str) -> list[Finding]:
        return [
            Finding("error", code, "projects", project_id, f"project {project_id!r}: {message}")
        ]

    if new is not None and new not in STATUSES:
        return err("status", f"status {new!r} is not one of {', '.join(STATUSES)}")
    if old is None:
        if new is not None and new not in INITIAL_STATUSES:
            return err(
                "initial_status",
                f"a new project starts as 'Idee' or 'Antrag', not {new!r}; "
                "create it as 'Antrag' and move it on step by step",
            )
        return []
    if new is None or new == old:
        return []
    allowed = TRANSITIONS.get(old, ())
    if new not in allowed:
        options = " or ".join(repr(s) for s in allowed) or "nowhere (it is final)"
        return err(
            "transition",
            f"status cannot go from {old!r} to {new!r}; from {old!r} it can go to {options}",
        )
    return []


def check_project(record: Mapping[str, Any]) -> list[Finding]:
    """Check a project's title, amount and dates; funded projects need a fund and an amount.

    Examples
    --------
    >>> rec = {"id": "P1", "title": "Hochbeete", "status": "bewilligt", "amount": 0.0}
    >>> [f.code for f in check_project(rec)]
    ['fund', 'amount']
    """
    rid = str(record.get("id"))
    out: list[Finding] = []

    def add(code: str, message: str) -> None:
        out.append(Finding("error", code, "projects", rid, f"project {rid!r}: {message}"))

    if not str(record.get("title") or "").strip():
        add("title", "the title is empty; give the project a title")
    amount = record.get("amount")
    amount = None if amount is None or pd.isna(amount) else float(amount)
    if amount is not None and amount < 0:
        add("amount", f"the amount {amount:,.2f} € is negative")
    if record.get("status") in FUNDED_STATUSES:
        if not record.get("fund_id"):
            add(
                "fund",
                f"a project with status {record.get('status')!r} needs the fund it is "
                "paid from (fund_id)",
            )
        if not amount:
            add(
                "amount",
                f"a project with status {record.get('status')!r} needs the approved amount (> 0 €)",
            )
    start, end = record.get("start_date"), record.get("end_date")
    if (
        start is not None
        and end is not None
        and not pd.isna(start)
        and not pd.isna(end)
        and pd.Timestamp(start) > pd.Timestamp(end)
    ):
        add(
            "dates",
            f"the start {pd.Timestamp(start).date()} is after the end {pd.Timestamp(end).date()}",
        )
    return out


def projects_by_status(projects: pd.DataFrame) -> pd.Series:
    """Count projects per status, every status listed.

    Examples
    --------
    >>> int(projects_by_status(pd.DataFrame({"status": ["Idee", "Idee", "laufend"]}))["Idee"])
    2
    """
    counts = projects["status"].value_counts()
    return counts.reindex(list(STATUSES), fill_value=0).astype(int).rename("projects")
