"""Seite „Maßnahmen“: filterbare Tabelle und Bearbeitungsformular für berechtigte Nutzer.

Gespeichert wird über die Dienste (monitoring.services.save: Prüfregeln der Maßnahme,
Berechtigung, optimistisches Sperren, Änderungsprotokoll); Konflikte und Regelverstöße
erscheinen als Meldung, nichts wird halb gespeichert.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from monitoring import editing, services
from monitoring.auth import User
from monitoring.errors import EditConflict, MonitoringError, RuleViolation
from monitoring.renewal.measures import STATUSES, as_date, as_number
from ui import data, frames, state
from ui.common import current_user, guarded, md, measure_filters, names, store_url

PAGE = "massnahmen"
SPEC = [
    state.Param("programm", "many", ()),
    state.Param("gebiet", "many", ()),
    state.Param("handlungsfeld", "many", ()),
    state.Param("status", "many", ()),
    state.Param("jahr", "int", None),
    state.Param("suche", default=""),
    state.Param("auswahl"),
]


def render() -> None:
    """Draw the page."""
    url = store_url()
    st.title("Maßnahmen")
    with guarded():
        measures = data.measures(url)
        programmes = names(data.layer(url, "programmes"))
        fields = names(data.layer(url, "fields_of_action"))
        state.start_view(PAGE, SPEC, allowed={"status": STATUSES, "auswahl": list(measures["id"])})
        shown = measure_filters(url, PAGE, st.columns([2, 2, 2, 2, 1]))
        st.text_input("Suche im Titel", key=state.key(PAGE, "suche"))
        view = state.current_view(PAGE, SPEC)
        if view["suche"]:
            shown = shown[shown["title"].str.contains(view["suche"], case=False, regex=False)]
        table = frames.measure_table(shown, programme_names=programmes, field_names=fields)
        st.caption(f"{len(shown)} von {len(measures)} Maßnahmen")
        event = st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            on_select="rerun",
            selection_mode="single-row",
            key="massnahmen.tabelle",
        )
        rows = event.selection.rows if event is not None else []  # type: ignore[attr-defined]
        if rows:
            st.session_state[state.key(PAGE, "auswahl")] = str(table.iloc[rows[0]]["Kennung"])
        state.write_view(PAGE, SPEC)
        chosen = st.session_state.get(state.key(PAGE, "auswahl"))
        if chosen:
            _edit(url, str(chosen))
        else:
            st.info("Wählen Sie eine Zeile der Tabelle, um die Maßnahme zu sehen oder zu ändern.")


def _edit(url: str, ident: str) -> None:
    """Show one measure, and the edit form when the user may edit."""
    stored = data.layer(url, "measures")
    row = stored[stored["id"] == ident]
    if row.empty:
        st.warning(f"Die Maßnahme {md(ident)} gibt es nicht (mehr).")
        return
    record = editing.row_dict(row.reset_index(drop=True))
    st.subheader("Maßnahme")
    st.markdown(f"**{md(record['title'])}** ({md(ident)}, Version {md(record['version'])})")
    user = current_user()
    if not user.may("edit_funding"):
        st.caption(f"Ihre Rolle ({user.role}) darf Maßnahmen nicht ändern.")
        return
    # the version the user edits is the one shown before the click (fresh reads each run)
    seen = data.as_shown(f"massnahmen.{ident}", record)
    with st.form(f"massnahme-{ident}"):
        title = st.text_input("Titel", value=record["title"] or "")
        description = st.text_area("Beschreibung", value=record["description"] or "")
        status = st.selectbox(
            "Status",
            list(STATUSES),
            index=list(STATUSES).index(record["status"]) if record["status"] in STATUSES else 0,
        )
        c1, c2 = st.columns(2)
        start = c1.date_input("Beginn", value=as_date(record["start_date"]), format="DD.MM.YYYY")
        end = c2.date_input("Ende", value=as_date(record["end_date"]), format="DD.MM.YYYY")
        c3, c4 = st.columns(2)
        estimate = c3.number_input(
            "Kostenschätzung (€)", value=as_number(record["cost_estimate"]), step=1000.0
        )
        actual = c4.number_input(
            "tatsächliche Kosten (€)", value=as_number(record["cost_actual"]), step=1000.0
        )
        submitted = st.form_submit_button("Speichern", type="primary")
    if submitted:
        values: dict[str, Any] = {
            "title": title.strip(),
            "description": description or None,
            "status": status,
            "start_date": start,
            "end_date": end,
            "cost_estimate": estimate,
            "cost_actual": actual,
        }
        save(url, user, ident, seen, values)


def save(url: str, user: User, ident: str, seen: dict[str, Any], values: dict[str, Any]) -> bool:
    """Check and store the changed fields; show the outcome. Return True when stored."""
    changed = {k: v for k, v in values.items() if _differs(seen.get(k), v)}
    if not changed:
        st.info("Keine Änderung.")
        return False
    try:
        saved = services.save(
            data.store(url),
            user,
            "measures",
            changed,
            key={"id": ident},
            expected_version=int(seen["version"]),
            seen=seen,
        )
    except EditConflict as exc:
        st.error(
            "Konflikt: Die Maßnahme wurde inzwischen von jemand anderem geändert; "
            f"nichts wurde gespeichert. Bitte laden Sie sie neu. ({exc})"
        )
        data.clear()
        return False
    except RuleViolation as exc:
        st.error("Nicht gespeichert: " + "; ".join(exc.problems))
        return False
    except MonitoringError as exc:
        st.error(f"Nicht gespeichert: {exc}")
        return False
    data.clear()
    data.remember_shown(f"massnahmen.{ident}", saved.record)
    st.success(f"Gespeichert: {', '.join(sorted(changed))}.")
    for w in saved.warnings:
        st.warning(w.message)
    return True


def _differs(old: Any, new: Any) -> bool:
    """Return whether a form value differs from the stored one (compared as plain values)."""
    return bool(editing.plain(old) != editing.plain(None if new == "" else new))
