"""Seite „Quartiersmanagement“: Akteure und ihr Netzwerk, Projekte, Fonds, Aktivitäten.

Gelesen wird über die Dienste mit dem angemeldeten Nutzer: personenbezogene Kontaktdaten
der Akteure sieht nur, wessen Rolle es erlaubt; alle anderen sehen „•••“.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from monitoring import services
from monitoring.neighbourhood.activities import activities_by_year
from monitoring.neighbourhood.projects import projects_by_status
from ui import data, frames, state
from ui.common import current_user, guarded, names, store_url

PAGE = "quartiersmanagement"
SPEC = [state.Param("gebiet"), state.Param("fonds")]
ACTOR_COLUMNS = {
    "id": "Kennung",
    "name": "Name",
    "type": "Typ",
    "contact_name": "Ansprechperson",
    "email": "E-Mail",
    "phone": "Telefon",
    "address": "Anschrift",
}


def render() -> None:
    """Draw the page."""
    url = store_url()
    st.title("Quartiersmanagement")
    with guarded():
        funding = data.layer(url, "funding_areas")
        labels = names(funding)
        if not labels:
            st.info("Es sind noch keine Gesamtmaßnahmen erfasst.")
            return
        state.start_view(PAGE, SPEC, allowed={"gebiet": list(labels)})
        user = current_user()
        actors = data.all_actors(url, user.name, user.role)
        with_actors = [f for f in labels if f in set(actors["funding_area_id"])]
        area = state.choose(
            st,
            "Gesamtmaßnahme",
            list(labels),
            PAGE,
            "gebiet",
            default=(with_actors or list(labels))[0],
            format_func=labels.__getitem__,
        )
        tabs = st.tabs(["Akteure und Netzwerk", "Projekte", "Fonds", "Aktivitäten"])
        with tabs[0]:
            _actors(url, area)
        with tabs[1]:
            _projects(url, area)
        with tabs[2]:
            _funds(url, area)
        with tabs[3]:
            _activities(url, area)
        state.write_view(PAGE, SPEC)


def _of(url: str, layer: str, area: str) -> pd.DataFrame:
    frame = data.layer(url, layer)
    return frame[frame["funding_area_id"] == area]


def _actors(url: str, area: str) -> None:
    user = current_user()
    actors = data.actors(url, user.name, user.role, area)
    if actors.empty:
        st.info("Für dieses Gebiet sind keine Akteure erfasst.")
        return
    if not user.may("read_personal"):
        st.caption(
            f"Kontaktdaten sind verborgen: Ihre Rolle ({user.role}) darf personenbezogene "
            "Daten nicht sehen."
        )
    columns = [c for c in ACTOR_COLUMNS if c in actors.columns]
    st.dataframe(actors[columns].rename(columns=ACTOR_COLUMNS), hide_index=True, width="stretch")
    net = data.network(url, user.name, user.role, area)
    st.subheader("Netzwerk")
    st.caption(
        "Verbunden sind Akteure, die im selben Projekt oder Gremium mitwirken; die Linienstärke "
        "ist die Zahl der gemeinsamen Projekte und Gremien."
    )
    st.graphviz_chart(frames.network_dot(net["actors"], net["links"]), width="stretch")
    table = net["actors"].rename(
        columns={
            "id": "Kennung",
            "name": "Name",
            "type": "Typ",
            "partners": "Partner",
            "links": "Verbindungen",
            "group": "Gruppe",
            "isolated": "ohne Verbindung",
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")


def _projects(url: str, area: str) -> None:
    projects = _of(url, "projects", area)
    if projects.empty:
        st.info("Für dieses Gebiet sind keine Projekte erfasst.")
        return
    st.bar_chart(projects_by_status(projects).rename("Projekte"), horizontal=True, height=200)
    st.dataframe(
        projects[["id", "title", "status", "amount", "start_date", "end_date"]].rename(
            columns={
                "id": "Kennung",
                "title": "Titel",
                "status": "Status",
                "amount": "Betrag (€)",
                "start_date": "Beginn",
                "end_date": "Ende",
            }
        ),
        hide_index=True,
        width="stretch",
    )


def _funds(url: str, area: str) -> None:
    funds = _of(url, "local_funds", area)
    if funds.empty:
        st.info("Für dieses Gebiet ist kein Verfügungsfonds erfasst.")
        return
    fund_names = names(funds)
    fund_id = state.choose(
        st, "Fonds", list(fund_names), PAGE, "fonds", format_func=fund_names.__getitem__
    )
    income = data.layer(url, "fund_income")
    income = income[income["fund_id"] == fund_id]
    decisions = data.layer(url, "fund_decisions")
    decisions = decisions[decisions["fund_id"] == fund_id]
    user = current_user()
    findings = services.check_funds(data.store(url), user, fund_id=fund_id)
    for f in findings:
        (st.error if f.level == "error" else st.warning)(f.message)
    if not findings:
        st.success("Der Fonds hält die Regeln ein (Anteil Städtebauförderung, Verwendung).")
    c1, c2, c3 = st.columns(3)
    total_in = float(income["amount"].sum())
    total_out = float(decisions["amount"].sum())
    c1.metric("Einnahmen", f"{total_in:,.0f} €".replace(",", "."))
    c2.metric("bewilligt", f"{total_out:,.0f} €".replace(",", "."))
    c3.metric("verfügbar", f"{total_in - total_out:,.0f} €".replace(",", "."))
    st.markdown("**Einnahmen nach Herkunft**")
    st.dataframe(
        services.fund_overview(data.store(url), user, fund_id)["income"].rename(
            columns={"source": "Herkunft", "amount": "Betrag (€)", "share": "Anteil (%)"}
        ),
        hide_index=True,
        width="stretch",
    )
    st.markdown("**Kassenbuch (Einnahmen und Entscheidungen)**")
    ledger = frames.fund_ledger(income, decisions)
    st.dataframe(ledger, hide_index=True, width="stretch")


def _activities(url: str, area: str) -> None:
    activities = _of(url, "activities", area)
    if activities.empty:
        st.info("Für dieses Gebiet sind keine Aktivitäten erfasst.")
        return
    st.dataframe(
        activities_by_year(activities).rename(
            columns={
                "year": "Jahr",
                "kind": "Art",
                "activities": "Aktivitäten",
                "participants": "Teilnehmende",
            }
        ),
        hide_index=True,
        width="stretch",
    )
    shown = pd.DataFrame(activities.drop(columns="geometry"))
    st.dataframe(
        shown[["date", "kind", "title", "place", "participants"]].rename(
            columns={
                "date": "Datum",
                "kind": "Art",
                "title": "Titel",
                "place": "Ort",
                "participants": "Teilnehmende",
            }
        ),
        hide_index=True,
        width="stretch",
    )
