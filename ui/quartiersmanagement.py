"""Seite „Quartiersmanagement“: die Woche einer Quartiersmanagerin, erfasst in der App.

Akteure (mit Einwilligung, auf Wunsch anonymisiert) und ihr Netzwerk, Projekte von
Bewohnergruppen und ihre Anträge mit Fristen, die lokalen Fonds mit Einnahmen,
Entscheidungen, Auszahlungen und Verwendungsnachweisen, Aktivitäten mit Ort auf der
Karte. Jeder Reiter ist ein Modul ``ui/qm_*.py``; gelesen und gespeichert wird über
die Dienste mit dem angemeldeten Nutzer: Wer nur lesen darf, sieht keine Formulare
und keine personenbezogenen Daten.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ui import data, qm_activities, qm_actors, qm_funds, qm_network, qm_projects, state
from ui.common import current_user, guarded, names, store_url
from ui.qm_common import show_flash

PAGE = "quartiersmanagement"
SPEC = [state.Param("gebiet"), state.Param("fonds")]


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
        show_flash()
        user = current_user()
        today = dt.date.today()
        # keyed: the open tab stays open over reruns (a save, a click on the map)
        tabs = st.tabs(
            ["Akteure", "Netzwerk", "Projekte und Anträge", "Fonds", "Aktivitäten"],
            key="qm.reiter",
            on_change="rerun",
        )
        with tabs[0]:
            qm_actors.render(url, area, user)
        with tabs[1]:
            qm_network.render(url, area, user)
        with tabs[2]:
            qm_projects.render(url, area, user, today=today)
        with tabs[3]:
            qm_funds.render(url, area, user)
        with tabs[4]:
            qm_activities.render(url, area, user, today=today)
        state.write_view(PAGE, SPEC)
