"""Reiter „Akteure“: Tabelle, neuer Akteur, Akteur bearbeiten, Person anonymisieren.

Kontaktdaten und Namen von Privatpersonen sieht nur, wessen Rolle es erlaubt. Eine
Privatperson ohne erfasste Einwilligung hat keine gespeicherten Kontaktdaten (Regel der
Dienste); auf Wunsch wird sie anonymisiert: Name und Kontaktdaten gelöscht, ihre
Mitwirkung bleibt, das Änderungsprotokoll behält keine gelöschten Werte.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from geo import german
from monitoring import editing, services
from monitoring.auth import ROLE_LABELS, User
from monitoring.neighbourhood.actors import ACTOR_TYPES, ANONYMOUS_NAME
from ui import data
from ui.qm_common import (
    attempt,
    generation,
    next_id,
    qm_actors,
    seen_record,
    text_or_none,
)

COLUMNS = {
    "id": "Kennung",
    "name": "Name bzw. Organisation",
    "type": "Typ",
    "contact_name": "Ansprechperson",
    "email": "E-Mail",
    "phone": "Telefon",
    "address": "Anschrift",
    "consent": "Einwilligung",
    "consent_date": "Einwilligung vom",
    "anonymised_at": "anonymisiert am",
}
NEW = "__neu__"


def table(actors: pd.DataFrame) -> pd.DataFrame:
    """Return the actors as the page shows them (German column names, consent as ja/nein).

    Examples
    --------
    >>> a = pd.DataFrame({"id": ["A1"], "name": ["Verein"], "type": ["Verein"],
    ...                   "consent": [True], "consent_date": pd.to_datetime(["2025-03-01"])})
    >>> table(a).iloc[0].tolist()
    ['A1', 'Verein', 'Verein', 'ja', '01.03.2025']
    """
    shown = pd.DataFrame(actors.drop(columns="geometry", errors="ignore")).copy()
    if "consent" in shown:
        shown["consent"] = [
            "" if v is None or pd.isna(v) else ("ja" if bool(v) else "nein")
            for v in shown["consent"]
        ]
    for column in ("consent_date", "anonymised_at"):
        if column in shown:
            shown[column] = [german.date(v, missing="") for v in shown[column]]
    columns = [c for c in COLUMNS if c in shown.columns]
    return shown[columns].rename(columns=COLUMNS).reset_index(drop=True)


def render(url: str, area: str, user: User) -> None:
    """Draw the actors of ``area`` and, for roles that may edit, the forms."""
    actors = qm_actors(url, user.name, user.role, area)
    if not user.may("read_personal"):
        st.caption(
            f"Kontaktdaten und Namen von Privatpersonen sind verborgen: Ihre Rolle "
            f"({ROLE_LABELS[user.role]}) darf personenbezogene Daten nicht sehen."
        )
    if actors.empty:
        st.info("Für dieses Gebiet sind keine Akteure erfasst.")
    else:
        st.dataframe(table(actors), hide_index=True, width="stretch")
    if not user.may("edit_qm"):
        st.caption(f"Ihre Rolle ({ROLE_LABELS[user.role]}) darf Akteure nicht ändern.")
        return
    _form(url, area, user, actors)
    _anonymise(url, user, actors)


def _form(url: str, area: str, user: User, actors: pd.DataFrame) -> None:
    st.subheader("Akteur erfassen oder bearbeiten")
    names = dict(zip(actors["id"].astype(str), actors["name"].astype(str)))
    choice = st.selectbox(
        "Akteur",
        [NEW, *names],
        format_func=lambda v: "neuer Akteur" if v == NEW else f"{names[v]} ({v})",
        key="qm.akteur.auswahl",
    )
    if choice == NEW:
        record: dict[str, Any] = {}
        form_key, seen_key = f"qm-akteur-neu-{generation()}", ""
    else:
        row = actors[actors["id"] == choice].reset_index(drop=True)
        seen_key = f"qm.seen.actors.{choice}"
        record = seen_record(seen_key, editing.row_dict(row))
        form_key = f"qm-akteur-{choice}-{record['version']}"
        if record.get("anonymised_at"):
            st.info("Dieser Akteur ist anonymisiert; Name und Kontaktdaten werden nicht erfasst.")
            return
    kinds = list(ACTOR_TYPES)
    if record.get("type") and record["type"] not in kinds:  # kept as stored, never swapped
        kinds.insert(0, str(record["type"]))
    with st.form(form_key):
        name = st.text_input("Name bzw. Organisation", value=record.get("name") or "")
        c1, c2 = st.columns(2)
        kind = c1.selectbox(
            "Typ",
            kinds,
            index=kinds.index(record["type"]) if record.get("type") in kinds else 0,
        )
        person = c2.checkbox("Privatperson", value=bool(record.get("is_person")))
        c3, c4 = st.columns(2)
        contact = c3.text_input("Ansprechperson", value=record.get("contact_name") or "")
        email = c4.text_input("E-Mail", value=record.get("email") or "")
        c5, c6 = st.columns(2)
        phone = c5.text_input("Telefon", value=record.get("phone") or "")
        address = c6.text_input("Anschrift", value=record.get("address") or "")
        c7, c8 = st.columns(2)
        consent = c7.checkbox(
            "Einwilligung zur Kontaktaufnahme liegt vor", value=bool(record.get("consent"))
        )
        consent_date = c8.date_input(
            "Einwilligung vom",
            value=pd.Timestamp(record["consent_date"]).date()
            if record.get("consent_date")
            else None,
            format="DD.MM.YYYY",
        )
        notes = st.text_area("Notizen", value=record.get("notes") or "")
        submitted = st.form_submit_button("Akteur speichern", type="primary")
    if not submitted:
        return
    values: dict[str, Any] = {
        "name": text_or_none(name),
        "type": kind,
        "is_person": person,
        "contact_name": text_or_none(contact),
        "email": text_or_none(email),
        "phone": text_or_none(phone),
        "address": text_or_none(address),
        "consent": consent,
        "consent_date": consent_date,
        "notes": text_or_none(notes),
    }
    store = data.store(url)
    if choice == NEW:
        ident = next_id(data.all_actors(url, user.name, user.role)["id"], "AK")
        attempt(
            lambda: services.save(
                store, user, "actors", values | {"id": ident, "funding_area_id": area}
            ),
            done=f"Akteur {ident} gespeichert.",
        )
        return
    changed = {k: v for k, v in values.items() if _differs(record.get(k), v)}
    if not changed:
        st.info("Keine Änderung.")
        return
    attempt(
        lambda: services.save(
            store,
            user,
            "actors",
            changed,
            key={"id": choice},
            expected_version=int(record["version"]),
            seen=record,
        ),
        done=f"Akteur {choice} gespeichert.",
        forget=[seen_key],
    )


def _anonymise(url: str, user: User, actors: pd.DataFrame) -> None:
    persons = actors[actors["anonymised_at"].isna()]
    if persons.empty:
        return
    st.subheader("Person anonymisieren")
    st.caption(
        "Auf Wunsch einer Person (DSGVO): Name, Kontaktdaten und Notizen werden gelöscht, "
        "auch aus dem Änderungsprotokoll; ihre Mitwirkung an Projekten, Gremien, "
        "Entscheidungen und Aktivitäten bleibt erhalten."
    )
    names = dict(zip(persons["id"].astype(str), persons["name"].astype(str)))
    with st.form("qm-anonymisieren"):
        who = st.selectbox("Akteur", list(names), format_func=lambda v: f"{names[v]} ({v})")
        sure = st.checkbox("Die Person hat die Löschung ihrer Daten verlangt")
        go = st.form_submit_button("Anonymisieren")
    if not go:
        return
    if not sure:
        st.error("Bitte bestätigen Sie, dass die Person die Löschung verlangt hat.")
        return
    version = int(persons.loc[persons["id"] == who, "version"].iloc[0])
    attempt(
        lambda: services.anonymise_actor(data.store(url), user, who, expected_version=version),
        done=f"Akteur {who} anonymisiert: Name jetzt „{ANONYMOUS_NAME}“, Kontaktdaten gelöscht.",
        forget=[f"qm.seen.actors.{who}"],
    )


def _differs(old: Any, new: Any) -> bool:
    if isinstance(new, dt.date) and old is not None:
        return bool(pd.Timestamp(old).date() != new)
    return bool(editing.plain(old) != editing.plain(None if new == "" else new))
