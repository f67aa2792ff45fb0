"""Grant notices (Zuwendungsbescheide), drawdowns (Mittelabrufe), deadlines, statement of use.

A notice grants money of Bund and Land (its *Zuwendung* = ``amount_bund`` +
``amount_land``); ``amount_gemeinde`` is the municipality's own share. Drawdowns draw
the Zuwendung: their sum may never exceed it. A notice sets three deadlines: the start
of works, the drawdown of the money (money not drawn by then can lapse) and the
statement of use (Verwendungsnachweis).

All functions here are pure: they take the stored rows and a ``today``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from geo import german
from monitoring.findings import Finding
from monitoring.renewal.funding import YEAR_RANGE
from monitoring.renewal.measures import STARTED_STATUSES

GRANT_SOURCES: tuple[str, ...] = ("Bund", "Land")
"""The sources whose money a notice grants (the Zuwendung)."""

DEADLINES: Mapping[str, str] = {
    "works_start_deadline": "Baubeginn",
    "drawdown_deadline": "Mittelabruf",
    "proof_deadline": "Verwendungsnachweis",
}
"""Deadline columns of a notice → their German names."""

HORIZON_DAYS = 90
"""Deadlines this many days ahead are reported as coming up."""

STATES: Mapping[str, str] = {
    "missed": "versäumt",
    "lapsed": "verfallen",
    "lapsing": "verfällt bald",
    "upcoming": "steht bevor",
}


def _num(value: Any) -> float:
    if value is None or value is pd.NA:
        return 0.0
    try:
        out = float(value)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(out) else out


def _day(value: Any) -> dt.date | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    stamp = pd.Timestamp(value)
    return None if pd.isna(stamp) else stamp.date()


def grant(notice: Mapping[Any, Any]) -> float:
    """The Zuwendung of a notice: Bund + Land.

    Examples
    --------
    >>> grant({"amount_bund": 100.0, "amount_land": 50.0, "amount_gemeinde": 75.0})
    150.0
    """
    return round(_num(notice.get("amount_bund")) + _num(notice.get("amount_land")), 2)


def notice_name(notice: Mapping[Any, Any]) -> str:
    """How a notice is named in messages: its file number, else its ID."""
    number = notice.get("file_number")
    return f"Zuwendungsbescheid „{number or notice.get('id')}“"


def check_notice(record: Mapping[str, Any], drawn: float = 0.0) -> list[Finding]:
    """Check one notice as it would be stored; ``drawn`` is the sum already drawn against it.

    Examples
    --------
    >>> bad = {"id": "B1", "file_number": "AZ 1", "notice_date": "2024-05-02",
    ...        "programme_year": 2024, "amount_bund": 100.0, "amount_land": 100.0,
    ...        "eligible_costs": 150.0, "approval_from": "2024-06-01",
    ...        "approval_to": "2024-01-01"}
    >>> [f.code for f in check_notice(bad)]
    ['eligible', 'period']
    >>> fixed = dict(bad, eligible_costs=300.0, approval_to="2026-12-31")
    >>> check_notice(fixed, drawn=250.0)[0].message.split(" ist ")[1].split(";")[0]
    'kleiner als die schon abgerufenen 250,00\xa0€'
    """
    rid = str(record.get("id"))
    name = notice_name(record)
    out: list[Finding] = []

    def add(code: str, message: str, level: str = "error") -> None:
        out.append(Finding(level, code, "grant_notices", rid, f"{name}: {message}"))  # type: ignore[arg-type]

    if not str(record.get("file_number") or "").strip():
        out.append(
            Finding(
                "error",
                "file_number",
                "grant_notices",
                rid,
                f"Zuwendungsbescheid „{rid}“: das Aktenzeichen fehlt; tragen Sie es so ein, "
                "wie es auf dem Bescheid steht",
            )
        )
    if _day(record.get("notice_date")) is None:
        add("notice_date", "das Datum des Bescheids fehlt; tragen Sie es ein (TT.MM.JJJJ)")
    year = record.get("programme_year")
    if year is None or pd.isna(year) or not YEAR_RANGE[0] <= int(year) <= YEAR_RANGE[1]:
        add(
            "year",
            f"das Programmjahr „{'leer' if year is None or pd.isna(year) else year}“ ist "
            f"kein Jahr von {YEAR_RANGE[0]} bis {YEAR_RANGE[1]}; tragen Sie es vierstellig ein",
        )
    labels = {
        "amount_bund": "Bundesmittel",
        "amount_land": "Landesmittel",
        "amount_gemeinde": "Eigenanteil der Gemeinde",
        "eligible_costs": "zuwendungsfähige Kosten",
    }
    for column, label in labels.items():
        if _num(record.get(column)) < 0:
            add("amount", f"der Betrag „{label}“ ({german.euro(record.get(column))}) ist negativ")
    total = grant(record)
    if total <= 0:
        add("no_grant", "Bundes- und Landesmittel sind 0 €; tragen Sie die bewilligten Beträge ein")
    eligible = record.get("eligible_costs")
    if _num(eligible) > 0 and total > _num(eligible) + 0.005:
        add(
            "eligible",
            f"die Zuwendung (Bund und Land) von {german.euro(total)} ist höher als die "
            f"zuwendungsfähigen Kosten von {german.euro(eligible)}; prüfen Sie die Beträge",
        )
    start, end = _day(record.get("approval_from")), _day(record.get("approval_to"))
    if start and end and end < start:
        add(
            "period",
            f"der Bewilligungszeitraum endet ({german.date(end)}) vor seinem Beginn "
            f"({german.date(start)}); tauschen Sie die Daten",
        )
    issued = _day(record.get("notice_date"))
    for column, label in DEADLINES.items():
        due = _day(record.get(column))
        if issued and due and due < issued:
            add(
                "deadline",
                f"die Frist „{label}“ ({german.date(due)}) liegt vor dem Datum des Bescheids "
                f"({german.date(issued)}); prüfen Sie das Datum",
            )
    if drawn > total + 0.005:
        add(
            "below_drawn",
            f"die Zuwendung (Bund und Land) von {german.euro(total)} ist kleiner als die schon "
            f"abgerufenen {german.euro(drawn)}; senken Sie zuerst die Mittelabrufe oder lassen "
            "Sie die Beträge stehen",
        )
    return out


def check_drawdown(
    record: Mapping[str, Any], notice: Mapping[str, Any], others: pd.DataFrame
) -> list[Finding]:
    """Check a drawdown against its notice and the other drawdowns of that notice.

    Examples
    --------
    >>> notice = {"id": "B1", "file_number": "AZ 7", "notice_date": "2024-05-02",
    ...           "amount_bund": 60_000.0, "amount_land": 40_000.0,
    ...           "drawdown_deadline": "2025-12-31"}
    >>> others = pd.DataFrame({"id": ["A1"], "amount": [70_000.0]})
    >>> late = {"id": "A2", "amount": 40_000.0, "requested": "2025-03-01"}
    >>> check_drawdown(late, notice, others)[0].message.split(" des ")[0].replace("\xa0", " ")
    'Mittelabruf „A2“: 40.000,00 € übersteigen die noch abrufbaren 30.000,00 €'
    """
    rid = str(record.get("id"))
    out: list[Finding] = []

    def add(code: str, message: str, level: str = "error") -> None:
        out.append(Finding(level, code, "drawdowns", rid, f"Mittelabruf „{rid}“: {message}"))  # type: ignore[arg-type]

    amount = _num(record.get("amount"))
    if amount <= 0:
        add("amount", f"der Betrag {german.euro(amount)} ist nicht größer als 0 €")
    requested = _day(record.get("requested"))
    if requested is None:
        add("requested", "das Datum des Abrufs fehlt; tragen Sie es ein (TT.MM.JJJJ)")
    issued = _day(notice.get("notice_date"))
    if requested and issued and requested < issued:
        add(
            "before_notice",
            f"abgerufen am {german.date(requested)}, vor dem Bescheid vom "
            f"{german.date(issued)}; Mittel lassen sich erst nach der Bewilligung abrufen",
        )
    rest = others[others["id"] != record.get("id")] if len(others) else others
    before = round(sum(_num(v) for v in rest["amount"]) if len(rest) else 0.0, 2)
    total = grant(notice)
    left = round(total - before, 2)
    if amount > left + 0.005:
        number = notice.get("file_number") or notice.get("id")
        add(
            "exceeds",
            f"{german.euro(amount)} übersteigen die noch abrufbaren {german.euro(max(left, 0))} "
            f"des Zuwendungsbescheids „{number}“ (Zuwendung {german.euro(total)}, bereits "
            f"abgerufen {german.euro(before)}); rufen Sie höchstens "
            f"{german.euro(max(left, 0))} ab",
        )
    due = _day(notice.get("drawdown_deadline"))
    if requested and due and requested > due:
        add(
            "late",
            f"abgerufen am {german.date(requested)}, nach der Abruffrist "
            f"{german.date(due)}; klären Sie mit der Bewilligungsstelle, ob die Mittel noch "
            "ausgezahlt werden",
            "warning",
        )
    received = _day(record.get("received"))
    if received and requested and received < requested:
        add(
            "received",
            f"eingegangen am {german.date(received)}, vor dem Abruf am "
            f"{german.date(requested)}; prüfen Sie die Daten",
        )
    return out


def drawn_by_notice(drawdowns: pd.DataFrame) -> dict[str, float]:
    """Notice ID → sum drawn."""
    if drawdowns.empty:
        return {}
    sums = pd.to_numeric(drawdowns["amount"], errors="coerce").fillna(0.0)
    return {
        str(k): round(float(v), 2) for k, v in sums.groupby(drawdowns["notice_id"]).sum().items()
    }


def _started(measure_ids: list[str], measures: pd.DataFrame) -> bool:
    mine = measures[measures["id"].isin(measure_ids)]
    return bool(mine["status"].isin(STARTED_STATUSES).any())


def deadlines(
    notices: pd.DataFrame,
    drawdowns: pd.DataFrame,
    links: pd.DataFrame,
    measures: pd.DataFrame,
    *,
    today: dt.date,
    horizon_days: int = HORIZON_DAYS,
) -> pd.DataFrame:
    """List the deadlines of the notices that are missed or come up within ``horizon_days``.

    Met deadlines are left out: the drawdown deadline once the whole Zuwendung is drawn,
    the start of works once a linked measure is under way (status in
    :data:`STARTED_STATUSES`), the statement of use once ``proof_submitted`` is set.

    Returns
    -------
    pandas.DataFrame
        ``notice_id, funding_area_id, file_number, kind, kind_label, due, days, state,
        state_label, undrawn, message``, by due date; ``days`` is due − today (negative
        when missed); state ``missed`` or ``upcoming``, for the drawdown ``lapsed`` or
        ``lapsing`` (money not drawn).
    """
    columns = [
        "notice_id", "funding_area_id", "file_number", "kind", "kind_label", "due", "days",
        "state", "state_label", "undrawn", "message",
    ]  # fmt: skip
    drawn = drawn_by_notice(drawdowns)
    rows: list[dict[str, Any]] = []
    for notice in notices.to_dict(orient="records"):
        nid = str(notice["id"])
        name = notice_name(notice)
        undrawn = round(grant(notice) - drawn.get(nid, 0.0), 2)
        linked = links.loc[links["notice_id"] == nid, "measure_id"].astype(str).tolist()
        for column, label in DEADLINES.items():
            due = _day(notice.get(column))
            if due is None:
                continue
            days = (due - today).days
            if days > horizon_days:
                continue
            when = german.date(due)
            if column == "drawdown_deadline":
                if undrawn <= 0.005:
                    continue
                state = "lapsed" if days < 0 else "lapsing"
                message = (
                    f"{name}: {german.euro(undrawn)} der Zuwendung wurden bis zum Ende der "
                    f"Abruffrist am {when} nicht abgerufen und können verfallen sein; klären "
                    "Sie eine Verlängerung mit der Bewilligungsstelle"
                    if days < 0
                    else f"{name}: {german.euro(undrawn)} der Zuwendung sind noch nicht "
                    f"abgerufen; sie verfallen, wenn sie nicht bis {when} abgerufen werden "
                    f"({_in_days(days)})"
                )
            elif column == "works_start_deadline":
                if _started(linked, measures):
                    continue
                state = "missed" if days < 0 else "upcoming"
                what = (
                    "keine der verknüpften Maßnahmen ist begonnen"
                    if linked
                    else ("mit dem Bescheid ist keine Maßnahme verknüpft")
                )
                message = (
                    f"{name}: der Baubeginn war spätestens am {when} fällig; {what}"
                    if days < 0
                    else f"{name}: Baubeginn spätestens am {when} ({_in_days(days)}); {what}"
                )
            else:
                if _day(notice.get("proof_submitted")) is not None:
                    continue
                state = "missed" if days < 0 else "upcoming"
                message = (
                    f"{name}: der Verwendungsnachweis war am {when} fällig und ist nicht "
                    "als eingereicht vermerkt"
                    if days < 0
                    else f"{name}: der Verwendungsnachweis ist am {when} fällig ({_in_days(days)})"
                )
            rows.append(
                {
                    "notice_id": nid,
                    "funding_area_id": notice.get("funding_area_id"),
                    "file_number": notice.get("file_number"),
                    "kind": column,
                    "kind_label": label,
                    "due": pd.Timestamp(due),
                    "days": days,
                    "state": state,
                    "state_label": STATES[state],
                    "undrawn": undrawn if column == "drawdown_deadline" else None,
                    "message": message,
                }
            )
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["due", "notice_id", "kind"], kind="stable").reset_index(drop=True)


def _in_days(days: int) -> str:
    if days == 0:
        return "heute"
    if days == 1:
        return "morgen"
    return f"in {german.count(days, 'Tag', 'Tagen')}"


def statement_of_use(
    notices: pd.DataFrame,
    drawdowns: pd.DataFrame,
    links: pd.DataFrame,
    lines: pd.DataFrame,
) -> pd.DataFrame:
    """Compare, per notice, what was approved, drawn and spent (Verwendungsnachweis).

    ``spent`` is the money paid (``paid``) on the funding lines of the notice's measures
    in its programme year from the sources it grants (Bund, Land); ``spent_own`` the
    same from the Gemeinde.

    Returns
    -------
    pandas.DataFrame
        ``notice_id, file_number, notice_date, programme_year, approved_bund,
        approved_land, approved (Zuwendung), own_share, drawn, spent, spent_own,
        undrawn (approved − drawn), unspent (drawn − spent), measures`` plus a last row
        ``Summe`` (file_number) with the money columns summed.

    Examples
    --------
    >>> n = pd.DataFrame({"id": ["B1"], "file_number": ["AZ 1"], "notice_date": ["2024-05-02"],
    ...     "programme_year": [2024], "amount_bund": [60.0], "amount_land": [40.0],
    ...     "amount_gemeinde": [50.0]})
    >>> d = pd.DataFrame({"notice_id": ["B1", "B1"], "amount": [30.0, 20.0]})
    >>> l = pd.DataFrame({"notice_id": ["B1"], "measure_id": ["M1"]})
    >>> f = pd.DataFrame({"measure_id": ["M1"] * 3, "source": ["Bund", "Land", "Gemeinde"],
    ...     "programme_year": [2024] * 3, "paid": [20.0, 10.0, 15.0]})
    >>> s = statement_of_use(n, d, l, f)
    >>> s.loc[0, ["approved", "drawn", "spent", "undrawn", "unspent"]].tolist()
    [100.0, 50.0, 30.0, 50.0, 20.0]
    """
    drawn = drawn_by_notice(drawdowns)
    paid = lines.assign(paid=pd.to_numeric(lines["paid"], errors="coerce").fillna(0.0))
    rows = []
    for notice in notices.sort_values(["programme_year", "notice_date", "id"]).to_dict(
        orient="records"
    ):
        nid = str(notice["id"])
        linked = links.loc[links["notice_id"] == nid, "measure_id"].astype(str).tolist()
        mine = paid[
            paid["measure_id"].isin(linked)
            & (pd.to_numeric(paid["programme_year"]) == int(notice["programme_year"]))
        ]
        spent = float(mine.loc[mine["source"].isin(GRANT_SOURCES), "paid"].sum())
        spent_own = float(mine.loc[mine["source"] == "Gemeinde", "paid"].sum())
        approved = grant(notice)
        rows.append(
            {
                "notice_id": nid,
                "file_number": notice.get("file_number"),
                "notice_date": notice.get("notice_date"),
                "programme_year": int(notice["programme_year"]),
                "approved_bund": round(_num(notice.get("amount_bund")), 2),
                "approved_land": round(_num(notice.get("amount_land")), 2),
                "approved": approved,
                "own_share": round(_num(notice.get("amount_gemeinde")), 2),
                "drawn": drawn.get(nid, 0.0),
                "spent": round(spent, 2),
                "spent_own": round(spent_own, 2),
                "undrawn": round(approved - drawn.get(nid, 0.0), 2),
                "unspent": round(drawn.get(nid, 0.0) - spent, 2),
                "measures": ", ".join(sorted(linked)),
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "notice_id",
            "file_number",
            "notice_date",
            "programme_year",
            "approved_bund",
            "approved_land",
            "approved",
            "own_share",
            "drawn",
            "spent",
            "spent_own",
            "undrawn",
            "unspent",
            "measures",
        ],  # fmt: skip
    )
    if len(out):
        money = [
            "approved_bund", "approved_land", "approved", "own_share", "drawn", "spent",
            "spent_own", "undrawn", "unspent",
        ]  # fmt: skip
        total = {c: round(float(out[c].sum()), 2) for c in money}
        out.loc[len(out)] = {"file_number": "Summe", **total}
    return out
