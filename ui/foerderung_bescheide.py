"""Förderung, Reiter „Bescheide“: Zuwendungsbescheide und ihre Mittelabrufe.

Ein Bescheid wird über die Adresse gewählt (``?bescheid=SSZ-01/ZB/1``). Editoren pflegen
alle Felder des Bescheids und die geförderten Maßnahmen und erfassen Mittelabrufe; ein
Abruf über dem, was vom Bescheid noch abrufbar ist, wird mit einer deutschen Meldung
abgelehnt und nicht gespeichert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from geo import german
from monitoring import editing, services
from monitoring.auth import User
from monitoring.grants import service
from monitoring.grants.notices import DEADLINES
from ui import data, state
from ui.common import md, names
from ui.inputs import number_field, read_numbers, year_field
from ui.massnahmen_aktionen import attempt
from ui.tables import german_table

KEY = "foerderung.bescheide"
NEW = "__neu__"
PENDING = "foerderung.bescheid.neu"
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
AMOUNT_FIELDS: Mapping[str, str] = {
    "eligible_costs": "zuwendungsfähige Kosten (€)",
    "amount_bund": "Bundesmittel (€)",
    "amount_land": "Landesmittel (€)",
    "amount_gemeinde": "Eigenanteil der Gemeinde (€)",
}
DATE_FIELDS: Mapping[str, str] = {
    "approval_from": "Bewilligungszeitraum von",
    "approval_to": "Bewilligungszeitraum bis",
    "works_start_deadline": "Baubeginn spätestens",
    "drawdown_deadline": "Mittel abzurufen bis",
    "proof_deadline": "Verwendungsnachweis bis",
    "proof_submitted": "Verwendungsnachweis eingereicht am",
}


def deadline_text(notice: Mapping[Any, Any]) -> str:
    """Return the deadlines of a notice in one line.

    Examples
    --------
    >>> deadline_text({"works_start_deadline": pd.Timestamp("2027-03-31"),
    ...                "drawdown_deadline": None, "proof_deadline": pd.Timestamp("2029-06-30")})
    'Baubeginn 31.03.2027; Verwendungsnachweis 30.06.2029'
    """
    parts = [
        f"{label} {german.date(notice.get(column))}"
        for column, label in DEADLINES.items()
        if not german.is_missing(notice.get(column))
    ]
    return "; ".join(parts) or german.NO_VALUE_SHORT


def notice_table(found: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The notices as a German table (Aktenzeichen, Datum, Programmjahr, Beträge, Fristen)."""
    frame = pd.DataFrame(
        {
            "Aktenzeichen": found["file_number"].astype(str),
            "Bescheid vom": found["notice_date"],
            "Programmjahr": [str(int(y)) for y in found["programme_year"]],
            "Zuwendung": found["grant"],
            "abgerufen": found["drawn"],
            "noch abrufbar": found["undrawn"],
            "Fristen": [deadline_text(r) for r in found.to_dict("records")],
        }
    )
    return german_table(
        frame, euro=["Zuwendung", "abgerufen", "noch abrufbar"], dates=["Bescheid vom"]
    )


def _day(value: Any) -> dt.date | None:
    return None if german.is_missing(value) else pd.Timestamp(value).date()


def _date_input(label: str, value: Any, *, key: str, place: Any = st) -> dt.date | None:
    chosen = place.date_input(
        label,
        value=_day(value),
        min_value=EARLIEST,
        max_value=LATEST,
        format="DD.MM.YYYY",
        key=key,
    )
    return chosen if isinstance(chosen, dt.date) else None


def _stamp(day: dt.date | None) -> pd.Timestamp | None:
    return None if day is None else pd.Timestamp(day)


def render_notices(url: str, user: User, area_id: str, *, page: str) -> None:
    """List the notices; the chosen one (query ``bescheid``) with its form and drawdowns."""
    store = data.store(url)
    found = service.notices(store, user, area_id)
    if found.empty:
        st.caption("Noch kein Zuwendungsbescheid erfasst.")
    else:
        shown, config = notice_table(found)
        st.dataframe(
            shown,
            column_config=config,
            hide_index=True,
            width="stretch",
            key=KEY,
            placeholder=german.NO_VALUE_SHORT,
        )
    can_edit = user.may("edit_funding")
    labels = {
        str(r["id"]): f"{r['file_number']} vom {german.date(r['notice_date'])}"
        for r in found.to_dict("records")
    }
    options = [*labels, NEW] if can_edit else list(labels)
    if not options:
        return
    widget = state.key(page, "bescheid")
    pending = st.session_state.pop(PENDING, None)
    if pending in options:
        st.session_state[widget] = pending
    chosen = state.choose(
        st,
        "Zuwendungsbescheid",
        options,
        page,
        "bescheid",
        format_func=lambda v: "(neuer Bescheid)" if v == NEW else labels.get(v, v),
    )
    record: dict[str, Any] = (
        editing.row_dict(found[found["id"] == chosen].reset_index(drop=True))
        if chosen != NEW
        else {}
    )
    if can_edit:
        _notice_form(url, user, area_id, chosen, record)
    elif record:
        _notice_details(url, user, record)
    if record:
        _drawdowns(url, user, record, can_edit=can_edit)


def _measure_titles(url: str, user: User, area_id: str) -> dict[str, str]:
    ms = services.read(data.store(url), user, "measures", where={"funding_area_id": area_id})
    return {str(i): f"{t} ({i})" for i, t in sorted(zip(ms["id"], ms["title"]))}


def _notice_details(url: str, user: User, record: Mapping[str, Any]) -> None:
    rows = [
        ("Aktenzeichen", record.get("file_number")),
        ("Bescheid vom", german.date(record.get("notice_date"))),
        ("Programmjahr", record.get("programme_year")),
        *((label, german.euro(record.get(c))) for c, label in AMOUNT_FIELDS.items()),
        *((label, german.date(record.get(c))) for c, label in DATE_FIELDS.items()),
        ("Nebenbestimmungen", record.get("conditions")),
    ]
    frame = pd.DataFrame({"Feld": [r[0] for r in rows], "Wert": [md(r[1]) for r in rows]})
    st.table(frame.set_index("Feld"))
    titles = _measure_titles(url, user, str(record["funding_area_id"]))
    linked = service.notice_measures(data.store(url), user, str(record["id"]))
    st.markdown(
        "**Geförderte Maßnahmen:** "
        + (", ".join(md(titles.get(m, m)) for m in linked) or "keine verknüpft")
    )


def _same(old: Any, new: Any) -> bool:
    if german.is_missing(old) and german.is_missing(new):
        return True
    if german.is_missing(old) or german.is_missing(new):
        return False
    if isinstance(new, pd.Timestamp):
        return pd.Timestamp(old) == new
    return bool(editing.plain(new) == old)


def _notice_form(
    url: str, user: User, area_id: str, chosen: str, record: Mapping[str, Any]
) -> None:
    store = data.store(url)
    form = f"{KEY}.{chosen}"
    seen = data.as_shown(form, record) if record else {}
    programmes = names(data.layer(url, "programmes"))
    applications = service.applications(store, user, area_id)
    titles = _measure_titles(url, user, area_id)
    linked = service.notice_measures(store, user, chosen) if record else []
    version = int(record.get("version") or 0)
    prefix = f"{form}.{version}.{st.session_state.get(f'{KEY}.runde', 0)}"
    st.markdown("#### " + ("Neuer Bescheid" if chosen == NEW else "Bescheid bearbeiten"))
    with st.form(prefix, enter_to_submit=False):
        c1, c2, c3 = st.columns(3)
        file_number = c1.text_input("Aktenzeichen", value=record.get("file_number") or "")
        notice_date = _date_input(
            "Bescheid vom", record.get("notice_date"), key=f"{prefix}.datum", place=c2
        )
        year_text = year_field(
            "Programmjahr", record.get("programme_year"), key=f"{prefix}.jahr", container=c3
        )
        p1, p2 = st.columns(2)
        prog_options = [None, *programmes]
        programme = p1.selectbox(
            "Programm",
            prog_options,
            index=prog_options.index(record.get("programme_id"))
            if record.get("programme_id") in prog_options
            else 0,
            format_func=lambda p: "–" if p is None else programmes.get(p, p),
        )
        app_options = [None, *applications["id"].astype(str)]
        application = p2.selectbox(
            "Förderantrag",
            app_options,
            index=app_options.index(record.get("application_id"))
            if record.get("application_id") in app_options
            else 0,
            format_func=lambda a: "–" if a is None else a,
        )
        typed: dict[str, tuple[str, str, Any]] = {
            "programme_year": ("Programmjahr", year_text, "integer")
        }
        for place, (column, label) in zip(st.columns(4), AMOUNT_FIELDS.items()):
            typed[column] = (
                label,
                number_field(label, record.get(column), key=f"{prefix}.{column}", container=place),
                "amount",
            )
        days: dict[str, dt.date | None] = {}
        places = [*st.columns(3), *st.columns(3)]
        for place, (column, label) in zip(places, DATE_FIELDS.items()):
            days[column] = _date_input(
                label, record.get(column), key=f"{prefix}.{column}", place=place
            )
        conditions = st.text_area("Nebenbestimmungen", value=record.get("conditions") or "")
        measures = st.multiselect(
            "Geförderte Maßnahmen",
            list(titles),
            default=[m for m in linked if m in titles],
            format_func=lambda m: titles.get(m, m),
            placeholder="Maßnahmen wählen",
            select_all=False,
        )
        submitted = st.form_submit_button(
            "Bescheid anlegen" if chosen == NEW else "Bescheid speichern"
        )
    if not submitted:
        return
    numbers, errors = read_numbers(typed)
    if not file_number.strip():
        errors.append("Aktenzeichen: Geben Sie das Aktenzeichen des Bescheids ein.")
    if notice_date is None:
        errors.append("Bescheid vom: Wählen Sie das Datum des Bescheids.")
    if numbers.get("programme_year") is None and not any(
        e.startswith("Programmjahr") for e in errors
    ):
        errors.append("Programmjahr: Geben Sie das Programmjahr ein, z. B. 2025.")
    if errors:
        st.error(md("Nicht gespeichert: " + " ".join(errors)))
        return
    values: dict[str, Any] = {
        "file_number": file_number.strip(),
        "notice_date": _stamp(notice_date),
        "programme_id": programme,
        "programme_year": int(numbers.pop("programme_year") or 0),
        "application_id": application,
        "conditions": conditions.strip() or None,
        **numbers,
        **{c: _stamp(d) for c, d in days.items()},
    }

    def save() -> services.Saved:
        st.session_state[f"{KEY}.runde"] = int(st.session_state.get(f"{KEY}.runde", 0)) + 1
        if chosen == NEW:
            ident = service.next_notice_id(store, area_id)
            saved = service.save_notice(
                store,
                user,
                values | {"id": ident, "funding_area_id": area_id},
                measure_ids=measures,
            )
            st.session_state[PENDING] = ident
            return saved
        changed = {k: v for k, v in values.items() if not _same(seen.get(k), v)}
        return service.save_notice(
            store,
            user,
            changed,
            key={"id": chosen},
            expected_version=int(seen["version"]),
            seen=seen,
            measure_ids=measures,
        )

    attempt(
        save,
        what=form,
        subject=f"Der Zuwendungsbescheid „{record.get('file_number') or chosen}“",
        done=f"Zuwendungsbescheid „{values['file_number']}“ gespeichert.",
        shown=form,
    )


def _drawdowns(url: str, user: User, notice: Mapping[str, Any], *, can_edit: bool) -> None:
    store = data.store(url)
    nid = str(notice["id"])
    st.markdown(f"#### Mittelabrufe zu „{md(notice.get('file_number'))}“")
    st.markdown(
        f"Zuwendung {german.euro(notice.get('grant'))}, abgerufen "
        f"{german.euro(notice.get('drawn'))}, noch abrufbar "
        f"**{german.euro(notice.get('undrawn'))}**"
    )
    found = service.drawdowns(store, user, nid)
    if found.empty:
        st.caption("Noch kein Mittelabruf erfasst.")
    else:
        frame = pd.DataFrame(
            {
                "Kennung": found["id"].astype(str),
                "abgerufen am": found["requested"],
                "Betrag": found["amount"],
                "eingegangen am": found["received"],
                "Verwendungszweck": found["purpose"],
            }
        )
        shown, config = german_table(
            frame, euro=["Betrag"], dates=["abgerufen am", "eingegangen am"]
        )
        st.dataframe(
            shown,
            column_config=config,
            hide_index=True,
            width="stretch",
            key=f"{KEY}.abrufe",
            placeholder=german.NO_VALUE_SHORT,
        )
    if not can_edit:
        return
    prefix = f"{KEY}.abruf.{nid}.{st.session_state.get(f'{KEY}.abruf.runde', 0)}"
    with st.form(prefix, enter_to_submit=False):
        c1, c2, c3 = st.columns(3)
        amount = number_field("Betrag (€)", None, key=f"{prefix}.betrag", container=c1)
        requested = _date_input("abgerufen am", dt.date.today(), key=f"{prefix}.am", place=c2)
        received = _date_input("eingegangen am", None, key=f"{prefix}.eingang", place=c3)
        purpose = st.text_input("Verwendungszweck", key=f"{prefix}.zweck")
        submitted = st.form_submit_button("Mittelabruf erfassen")
    if not submitted:
        return
    numbers, errors = read_numbers({"amount": ("Betrag (€)", amount, "amount")})
    if numbers.get("amount") is None and not errors:
        errors.append("Betrag (€): Geben Sie den abgerufenen Betrag ein, z. B. 25.000,00.")
    if requested is None:
        errors.append("abgerufen am: Wählen Sie das Datum des Abrufs.")
    if errors:
        st.error(md("Nicht gespeichert: " + " ".join(errors)))
        return
    value = float(numbers["amount"] or 0.0)

    def save() -> services.Saved:
        saved = service.add_drawdown(
            store,
            user,
            nid,
            amount=value,
            requested=requested or dt.date.today(),
            received=received,
            purpose=purpose.strip() or None,
        )
        st.session_state[f"{KEY}.abruf.runde"] = (
            int(st.session_state.get(f"{KEY}.abruf.runde", 0)) + 1
        )
        return saved

    attempt(
        save,
        what=f"{KEY}.abruf.{nid}",
        subject=f"Der Mittelabruf zu „{notice.get('file_number')}“",
        done=f"Mittelabruf über {german.euro(value)} erfasst.",
    )
