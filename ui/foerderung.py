"""Seite „Förderung“: das Förderverfahren einer Gesamtmaßnahme.

Kosten- und Finanzierungsübersicht (KuF) mit Kostengruppen und Einnahmen, Förderanträge,
Zuwendungsbescheide mit Mittelabrufen, Fristen und die Dokumente (KuF, Verwendungsnachweis,
Sachbericht). Gelesen und gespeichert wird nur über :mod:`monitoring.grants.service` und
:mod:`monitoring.services` (Rolle, Prüfregeln, Version, Änderungsprotokoll). Wer nur lesen
darf, sieht alles ohne Formulare.

Die Ansicht steht in der Adresse: ``?gebiet=SSZ-01&bescheid=SSZ-01/ZB/1``.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo.store.base import Store
from monitoring.auth import User
from monitoring.grants import service
from monitoring.grants.notices import HORIZON_DAYS
from ui import data, state
from ui.common import (
    choose_funding_area,
    current_user,
    guarded,
    md,
    roles_that_may,
    store_url,
)
from ui.foerderung_bescheide import render_notices
from ui.foerderung_dokumente import render_applications, render_deadlines, render_documents
from ui.foerderung_einnahmen import render_revenues
from ui.foerderung_kuf import render_cost_groups, render_kuf
from ui.massnahmen_aktionen import show_flashes

PAGE = "foerderung"
SPEC = [state.Param("gebiet"), state.Param("bescheid", default="__neu__")]
TABS = ["KuF", "Kostengruppen", "Einnahmen", "Anträge", "Bescheide", "Fristen", "Dokumente"]


def render() -> None:
    """Draw the page."""
    url = store_url()
    st.title("Förderung")
    show_flashes()
    with guarded():
        chosen = choose_funding_area(
            url,
            PAGE,
            SPEC,
            empty="Es sind noch keine Gesamtmaßnahmen erfasst (Seite Gesamtmaßnahmen).",
        )
        if chosen is None:
            return
        area_id = chosen
        user = current_user()
        store = data.store(url)
        catalogue = service.cost_catalogue(store, user, area_id)
        st.markdown(
            f"**Kostengruppen-Katalog:** {md(catalogue.name)} (Stand {md(catalogue.version)})"
        )
        if catalogue.note:
            st.caption(md(catalogue.note))
        if not user.may("edit_funding"):
            st.info(
                "Sie sehen die Förderung nur lesend; bearbeiten dürfen "
                f"{roles_that_may('edit_funding')}."
            )
        _deadline_warning(store, user, area_id)
        kuf = service.kuf(store, user, area_id, catalogue=catalogue)
        tabs = st.tabs(TABS)
        with tabs[0], guarded():
            render_kuf(url, user, kuf)
        with tabs[1], guarded():
            render_cost_groups(url, user, area_id, catalogue)
        with tabs[2], guarded():
            render_revenues(url, user, area_id, catalogue)
        with tabs[3], guarded():
            render_applications(url, user, area_id)
        with tabs[4], guarded():
            render_notices(url, user, area_id, page=PAGE)
        with tabs[5], guarded():
            render_deadlines(url, user, area_id)
        with tabs[6], guarded():
            render_documents(url, user, area_id, kuf)
        state.write_view(PAGE, SPEC)


def _deadline_warning(store: Store, user: User, area_id: str) -> None:
    """Warn at the top when a deadline is missed or money lapses soon (as of today)."""
    found = service.deadlines(
        store,
        user,
        area_id=area_id,
        today=dt.date.today(),
        horizon_days=HORIZON_DAYS,
    )
    urgent = found[found["state"].isin(["missed", "lapsed", "lapsing"])]
    if urgent.empty:
        return
    missed = int(urgent["state"].isin(["missed", "lapsed"]).sum())
    soon = len(urgent) - missed
    parts = []
    if missed:
        parts.append(f"{missed} versäumt oder verfallen")
    if soon:
        parts.append(f"bei {soon} verfallen bald Mittel")
    st.warning(
        f"Fristen: {', '.join(parts)} – Einzelheiten im Reiter „Fristen“.",
        icon=":material/alarm:",
    )
