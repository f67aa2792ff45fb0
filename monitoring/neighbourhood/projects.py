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
from monitoring.numbers import german_number

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
    ['Bewohnerprojekt „P1“: der Status kann nicht von „Idee“ auf „laufend“ wechseln; von \
„Idee“ geht es nur weiter zu „Antrag“ oder „abgelehnt“']
    >>> check_transition("P2", None, "bewilligt")[0].code
    'initial_status'
    """

    def err(code: str, message: str) -> list[Finding]:
        return [
            Finding(
                "error", code, "projects", project_id, f"Bewohnerprojekt „{project_id}“: {message}"
            )
        ]

    if new is not None and new not in STATUSES:
        return err("status", f"der Status „{new}“ ist keiner von {', '.join(STATUSES)}")
    if old is None:
        if new is not None and new not in INITIAL_STATUSES:
            return err(
                "initial_status",
                f"ein neues Projekt beginnt als „Idee“ oder „Antrag“, nicht als „{new}“; "
                "legen Sie es als „Antrag“ an und setzen Sie den Status Schritt für Schritt weiter",
            )
        return []
    if new is None or new == old:
        return []
    allowed = TRANSITIONS.get(old, ())
    if new not in allowed:
        options = (
            "nur weiter zu " + " oder ".join(f"„{s}“" for s in allowed)
            if allowed
            else "nicht mehr weiter (der Status ist endgültig)"
        )
        return err(
            "transition",
            f"der Status kann nicht von „{old}“ auf „{new}“ wechseln; von „{old}“ geht es "
            f"{options}",
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
        out.append(Finding("error", code, "projects", rid, f"Bewohnerprojekt „{rid}“: {message}"))

    if not str(record.get("title") or "").strip():
        add("title", "der Titel ist leer; geben Sie dem Projekt einen Titel")
    amount = record.get("amount")
    amount = None if amount is None or pd.isna(amount) else float(amount)
    if amount is not None and amount < 0:
        add(
            "amount",
            f"der Betrag {german_number(amount, decimals=2, unit=' €')} ist negativ; tragen Sie "
            "einen Betrag ab 0 € ein",
        )
    if record.get("status") in FUNDED_STATUSES:
        if not record.get("fund_id"):
            add(
                "fund",
                f"ein Projekt mit Status „{record.get('status')}“ braucht den Fonds, aus dem "
                "es bezahlt wird (fund_id); wählen Sie ihn aus",
            )
        if not amount:
            add(
                "amount",
                f"ein Projekt mit Status „{record.get('status')}“ braucht den bewilligten "
                "Betrag (> 0 €); tragen Sie ihn ein",
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
            f"der Beginn {pd.Timestamp(start):%d.%m.%Y} liegt nach dem Ende "
            f"{pd.Timestamp(end):%d.%m.%Y}; korrigieren Sie eines der beiden Daten",
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
