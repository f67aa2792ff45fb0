"""Reiter „Projekte und Anträge“: Bewohnerprojekte, ihre Anträge auf Geld, offene Fristen.

Ein Projekt einer Bewohnergruppe beantragt Geld bei einer beliebigen Stelle (lokaler
Fonds, Stiftung, Landesprogramm, Bezirk, sonstige): beantragt, bewilligt, Status, Frist.
Die offenen Fristen stehen oben, nach Datum sortiert, überfällige markiert.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from geo import german
from monitoring import services
from monitoring.auth import ROLE_LABELS, User
from monitoring.neighbourhood import applications as app_rules
from monitoring.neighbourhood.projects import INITIAL_STATUSES, projects_by_status
from ui import charts, data
from ui.common import names
from ui.inputs import number_field, read_numbers
from ui.qm_common import attempt, euro, form_errors, generation, next_id, text_or_none
from ui.tables import german_table

#: the amounts of the tables, written as text: aligned right
RIGHT = st.column_config.TextColumn(alignment="right")


def deadline_table(open_apps: pd.DataFrame) -> pd.DataFrame:
    """Return the open deadlines as shown: soonest first, overdue ones marked.

    Examples
    --------
    >>> a = pd.DataFrame({"id": ["AN-1"], "project_title": ["Hochbeete"],
    ...     "source_kind": ["Stiftung"], "source_name": ["Bürgerstiftung"],
    ...     "status": ["geplant"], "deadline": pd.to_datetime(["2025-04-01"]),
    ...     "requested": [800.0], "days_left": [-3], "overdue": [True]})
    >>> deadline_table(a).iloc[0].tolist()
    ['01.04.2025', 'überfällig seit 3 Tagen', 'Hochbeete', 'Stiftung: Bürgerstiftung', \
'geplant', '800\\xa0€']
    """
    rows = []
    for r in open_apps.to_dict("records"):
        days = int(r["days_left"])
        when = (
            f"überfällig seit {-days} Tag{'en' if days != -1 else ''}"
            if days < 0
            else ("heute" if days == 0 else f"in {days} Tag{'en' if days != 1 else ''}")
        )
        source = str(r.get("source_kind") or "")
        if r.get("source_name") and not pd.isna(r.get("source_name")):
            source += f": {r['source_name']}"
        rows.append(
            {
                "Frist": german.date(r["deadline"]),
                "noch": when,
                "Projekt": r.get("project_title") or r.get("project_id"),
                "Geldgeber": source,
                "Status": r.get("status"),
                "beantragt": euro(r.get("requested")),
            }
        )
    columns = ["Frist", "noch", "Projekt", "Geldgeber", "Status", "beantragt"]
    return pd.DataFrame(rows, columns=columns)


def render(url: str, area: str, user: User, *, today: dt.date) -> None:
    """Draw the deadlines, projects, applications and (for editors) their forms."""
    store = data.store(url)
    apps = services.area_applications(store, user, area)
    due = app_rules.open_deadlines(apps, today=today)
    st.subheader("Offene Fristen")
    if due.empty:
        st.caption("Keine offenen Fristen.")
    else:
        overdue = int(due["overdue"].sum())
        if overdue:
            st.warning(f"{german.count(overdue, 'Frist', 'Fristen')} überfällig.")
        st.dataframe(
            deadline_table(due),
            column_config={"beantragt": RIGHT},
            hide_index=True,
            width="stretch",
        )
    projects = data.layer(url, "projects")
    projects = projects[projects["funding_area_id"] == area]
    st.subheader("Projekte")
    if projects.empty:
        st.info("Für dieses Gebiet sind keine Projekte erfasst.")
    else:
        st.altair_chart(
            charts.count_chart(projects_by_status(projects), category="Status", unit="Projekte"),
            width="stretch",
        )
        shown, config = german_table(
            projects[["id", "title", "status", "amount", "start_date", "end_date"]].rename(
                columns={
                    "id": "Kennung",
                    "title": "Titel",
                    "status": "Status",
                    "amount": "Betrag",
                    "start_date": "Beginn",
                    "end_date": "Ende",
                }
            ),
            dates=["Beginn", "Ende"],
        )
        shown["Betrag"] = [euro(v) for v in projects["amount"]]
        config["Betrag"] = RIGHT
        st.dataframe(shown, column_config=config, hide_index=True, width="stretch")
    st.subheader("Anträge")
    if apps.empty:
        st.caption("Noch keine Anträge erfasst.")
    else:
        all_funds = data.layer(url, "local_funds")
        st.dataframe(
            _app_table(apps, fund_names=names(all_funds)),
            column_config={"beantragt": RIGHT, "bewilligt": RIGHT},
            hide_index=True,
            width="stretch",
        )
    if not user.may("edit_qm"):
        st.caption(f"Ihre Rolle ({ROLE_LABELS[user.role]}) darf Projekte und Anträge nicht ändern.")
        return
    _project_form(url, area, user)
    if not projects.empty:
        _application_form(url, area, user, projects)
    if not apps.empty:
        _status_form(url, user, apps)


def _app_table(apps: pd.DataFrame, *, fund_names: dict[str, str]) -> pd.DataFrame:
    funds = apps["fund_id"].map(lambda f: fund_names.get(f, f) if isinstance(f, str) else None)
    shown = pd.DataFrame(
        {
            "Kennung": apps["id"],
            "Projekt": apps["project_title"].fillna(apps["project_id"]),
            "Art": apps["source_kind"],
            "Geldgeber": apps["source_name"].fillna(funds),
            "Status": apps["status"],
            "eingereicht": [german.date(v, missing="") for v in apps["submitted"]],
            "Frist": [german.date(v, missing="") for v in apps["deadline"]],
            "beantragt": [euro(v) for v in apps["requested"]],
            "bewilligt": [euro(v) for v in apps["granted"]],
        }
    )
    return shown.fillna("")


def _project_form(url: str, area: str, user: User) -> None:
    actors = data.all_actors(url, user.name, user.role)
    actors = actors[actors["funding_area_id"] == area]
    groups = names(actors)
    with (
        st.expander("Neues Projekt einer Bewohnergruppe"),
        st.form(f"qm-projekt-neu-{generation()}"),
    ):
        title = st.text_input("Titel des Projekts")
        c1, c2 = st.columns(2)
        applicant = c1.selectbox(
            "Träger (Akteur)", [None, *groups], format_func=lambda v: groups.get(v, "–")
        )
        status = c2.selectbox("Status", list(INITIAL_STATUSES))
        c3, c4 = st.columns(2)
        start = c3.date_input("Beginn", value=None, format="DD.MM.YYYY")
        end = c4.date_input("Ende", value=None, format="DD.MM.YYYY")
        go = st.form_submit_button("Projekt speichern", type="primary")
    if not go:
        return
    ident = next_id(data.layer(url, "projects")["id"], "PJ")
    record = {
        "id": ident,
        "funding_area_id": area,
        "title": text_or_none(title),
        "status": status,
        "applicant_id": applicant,
        "start_date": start,
        "end_date": end,
    }
    attempt(
        lambda: services.save(data.store(url), user, "projects", record),
        done=f"Projekt {ident} gespeichert.",
    )


def _application_form(url: str, area: str, user: User, projects: pd.DataFrame) -> None:
    titles = names(projects, label="title")
    all_funds = data.layer(url, "local_funds")
    funds = names(all_funds[all_funds["funding_area_id"] == area])
    with (
        st.expander("Neuer Antrag auf Fördermittel", expanded=True),
        st.form(f"qm-antrag-neu-{generation()}"),
    ):
        c1, c2 = st.columns(2)
        project = c1.selectbox("Projekt", list(titles), format_func=lambda v: f"{titles[v]} ({v})")
        kind = c2.selectbox("Geldgeber", list(app_rules.SOURCE_KINDS))
        c3, c4 = st.columns(2)
        fund = c3.selectbox(
            "Fonds (bei lokalem Fonds)", [None, *funds], format_func=lambda v: funds.get(v, "–")
        )
        source_name = c4.text_input("Name des Geldgebers (Stiftung, Programm …)")
        c5, c6, c7 = st.columns(3)
        status = c5.selectbox("Status", ["geplant", "eingereicht"])
        submitted = c6.date_input("eingereicht am", value=None, format="DD.MM.YYYY")
        deadline = c7.date_input("Frist", value=None, format="DD.MM.YYYY")
        requested = number_field("beantragt (€)", key="qm.antrag.betrag")
        go = st.form_submit_button("Antrag speichern", type="primary")
    if not go:
        return
    numbers, errors = read_numbers({"requested": ("beantragt (€)", requested, "amount")})
    if form_errors(errors):
        return
    ident = next_id(data.layer(url, "applications")["id"], "AN")
    record: dict[str, Any] = {
        "id": ident,
        "project_id": project,
        "source_kind": kind,
        "source_name": text_or_none(source_name),
        "fund_id": fund if kind == app_rules.LOCAL_FUND else None,
        "status": status,
        "submitted": submitted,
        "deadline": deadline,
        "requested": numbers["requested"],
    }
    attempt(
        lambda: services.save(data.store(url), user, "applications", record),
        done=f"Antrag {ident} gespeichert.",
        forget=["qm.antrag."],
    )


def _status_form(url: str, user: User, apps: pd.DataFrame) -> None:
    labels = {
        str(i): f"{i}: {t} ({s})"
        for i, t, s in zip(apps["id"], apps["project_title"].fillna(""), apps["status"])
    }
    with st.expander("Status eines Antrags ändern"), st.form(f"qm-antrag-status-{generation()}"):
        ident = st.selectbox("Antrag", list(labels), format_func=labels.__getitem__)
        c1, c2, c3 = st.columns(3)
        status = c1.selectbox("neuer Status", list(app_rules.STATUSES))
        submitted = c2.date_input("eingereicht am", value=None, format="DD.MM.YYYY")
        granted = number_field("bewilligt (€)", key="qm.antrag.bewilligt", container=c3)
        go = st.form_submit_button("Status speichern")
    if not go:
        return
    numbers, errors = read_numbers({"granted": ("bewilligt (€)", granted, "amount")})
    if form_errors(errors):
        return
    row = apps[apps["id"] == ident].iloc[0]
    values: dict[str, Any] = {"status": status, "granted": numbers["granted"]}
    if submitted is not None:
        values["submitted"] = submitted
    attempt(
        lambda: services.save(
            data.store(url),
            user,
            "applications",
            values,
            key={"id": ident},
            expected_version=int(row["version"]),
        ),
        done=f"Antrag {ident}: Status „{status}“ gespeichert.",
        forget=["qm.antrag."],
    )
