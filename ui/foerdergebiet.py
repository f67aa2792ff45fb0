"""Seite „Fördergebiet“: Profil einer Gesamtmaßnahme.

Ziele des Konzepts mit Zielerreichung, Maßnahmen mit Status und Geld, Finanzierung nach
Jahr und Mittelgeber, das Gebiet gegen die übrige Stadt im Zeitverlauf, Zeitleiste.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from monitoring import progress
from monitoring.comparison import area_vs_rest
from monitoring.measures import timeline
from ui import data, frames, state
from ui.common import OUR_ERRORS, guarded, md, names, store_url

PAGE = "foerdergebiet"
SPEC = [state.Param("gebiet"), state.Param("indikator"), state.Param("ebene")]


def render() -> None:
    """Draw the page."""
    url = store_url()
    st.title("Fördergebiet")
    with guarded():
        funding = data.layer(url, "funding_areas")
        if funding.empty:
            st.info("Es sind noch keine Gesamtmaßnahmen erfasst (Seite Import).")
            return
        labels = names(funding)
        state.start_view(PAGE, SPEC, allowed={"gebiet": list(labels)})
        key = state.key(PAGE, "gebiet")
        if st.session_state.get(key) not in labels:
            st.session_state[key] = next(iter(labels))
        ident = str(
            st.selectbox("Gesamtmaßnahme", list(labels), format_func=lambda f: labels[f], key=key)
        )
        row = funding[funding["id"] == ident].iloc[0]
        programmes = names(data.layer(url, "programmes"))
        c1, c2, c3, c4 = st.columns(4)
        c1.metric("Programm", programmes.get(row["programme_id"], row["programme_id"] or "–"))
        c2.metric("Aufnahmejahr", md(row["start_year"]))
        c3.metric("voraussichtliches Ende", md(row["expected_end"]))
        c4.metric("Förderstatus", row["funding_status"] or "–")
        measures = data.measures(url)
        mine = measures[measures["funding_area_id"] == ident]
        tabs = st.tabs(["Ziele", "Maßnahmen", "Finanzierung", "Gebiet und Stadt", "Zeitleiste"])
        with tabs[0]:
            _goals(url, ident)
        with tabs[1]:
            _measures(url, mine)
        with tabs[2]:
            _funding(url, mine)
        with tabs[3]:
            _comparison(url, row)
        with tabs[4]:
            _timeline(mine)
        state.write_view(PAGE, SPEC)


def _goals(url: str, ident: str) -> None:
    concepts = data.layer(url, "concepts")
    mine = concepts[concepts["funding_area_id"] == ident]
    if mine.empty:
        st.info("Für diese Gesamtmaßnahme ist kein Entwicklungskonzept erfasst.")
        return
    goals = data.layer(url, "goals")
    goals = goals[goals["concept_id"].isin(mine["id"])]
    targets = data.layer(url, "targets")
    targets = targets[targets["goal_id"].isin(goals["id"])]
    series = _area_series(url, ident, sorted(targets["indicator"].dropna().unique()))
    table = progress.goal_attainment(goals, targets, series)
    st.caption(
        "Zielerreichung: Anteil des Wegs vom Basiswert zum Zielwert, der erreicht ist; "
        "„im Plan“, wenn mindestens so weit wie der zeitliche Fortschritt."
    )
    fields = names(data.layer(url, "fields_of_action"))
    shown = pd.DataFrame(
        {
            "Ziel": table["title"],
            "Handlungsfeld": table["field_id"].map(lambda f: fields.get(f, f or "–")),
            "Indikator": table["indicator"],
            "Basiswert": table["baseline"],
            "Zielwert": table["target"],
            "aktuell": table["latest"],
            "erreicht (%)": table["attainment_pct"],
            "erwartet (%)": table["expected_pct"],
            "im Plan": table["on_track"],
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")


def _area_series(url: str, ident: str, indicators: list[str]) -> pd.DataFrame:
    """Return the funding area's values (interpolated from the statistical areas)."""
    levels = data.levels(url)
    parts = []
    for key in indicators if levels else []:
        try:
            comp = _comparison_frame(url, levels[0], ident, key)
        except OUR_ERRORS as exc:
            st.warning(f"Indikator {key}: {exc}")
            continue
        parts.append(
            pd.DataFrame({"indicator": key, "period": comp.index, "value": comp["area"].values})
        )
    if not parts:
        return pd.DataFrame({"indicator": [], "period": [], "value": []})
    return pd.concat(parts, ignore_index=True)


@st.cache_data(show_spinner=False)
def _comparison_frame(url: str, level: str, ident: str, indicator: str) -> pd.DataFrame:
    shape = data.layer(url, "funding_areas").set_index("id").geometry[ident]
    values = data.indicator_values(url, level)
    return area_vs_rest(values, data.areas(url, level), shape, indicator, registry=data.registry())


def _measures(url: str, mine: pd.DataFrame) -> None:
    counts = progress.measures_by_status(mine)
    st.bar_chart(counts.rename("Maßnahmen"), horizontal=True, height=220)
    programmes = names(data.layer(url, "programmes"))
    fields = names(data.layer(url, "fields_of_action"))
    table = frames.measure_table(mine, programme_names=programmes, field_names=fields)
    st.dataframe(table, hide_index=True, width="stretch")


def _funding(url: str, mine: pd.DataFrame) -> None:
    lines = data.layer(url, "funding_lines")
    lines = lines[lines["measure_id"].isin(mine["id"])]
    if lines.empty:
        st.info("Für die Maßnahmen dieser Gesamtmaßnahme ist keine Finanzierung erfasst.")
        return
    by_year = progress.funding_by_year(lines)
    chart = (
        alt.Chart(by_year)
        .mark_bar()
        .encode(
            x=alt.X("programme_year:O", title="Programmjahr"),
            y=alt.Y("planned:Q", title="geplant (€)"),
            color=alt.Color("source:N", title="Mittelgeber", scale=alt.Scale(scheme="tableau10")),
            tooltip=["source", "programme_year", "planned", "approved", "paid"],
        )
    )
    st.altair_chart(chart, width="stretch")
    totals = progress.funding_totals(lines).rename(
        columns={
            "planned": "geplant (€)",
            "approved": "bewilligt (€)",
            "paid": "ausgezahlt (€)",
            "planned_share": "Anteil geplant (%)",
        }
    )
    st.dataframe(totals, width="stretch")


def _comparison(url: str, row: pd.Series) -> None:
    levels = data.levels(url)
    if not levels:
        st.info("Es sind keine Indikatorwerte gespeichert.")
        return
    level = levels[0]
    values = data.indicator_values(url, level)
    choices = frames.indicator_choices(data.registry(), values["indicator"].unique())
    by_key = {c.key: c for c in choices}
    key = state.key(PAGE, "indikator")
    if st.session_state.get(key) not in by_key:
        st.session_state[key] = next(iter(by_key))
    chosen = st.selectbox("Indikator", list(by_key), format_func=lambda k: by_key[k].label, key=key)
    comp = _comparison_frame(url, level, row["id"], chosen)
    unit = by_key[chosen].unit
    shown = comp[["area", "rest", "city"]].rename(
        columns={"area": "Fördergebiet", "rest": "übrige Stadt", "city": "Stadt insgesamt"}
    )
    st.line_chart(shown, y_label=f"{by_key[chosen].label} ({unit})", height=300)
    st.caption(
        "Werte des Fördergebiets aus den Planungsräumen flächengewichtet geschätzt; Anteile "
        "aus geschätzten Zählern und Nennern neu berechnet."
    )


def _timeline(mine: pd.DataFrame) -> None:
    bars = timeline(mine, today=dt.date.today())
    if bars.empty:
        st.info("Keine Maßnahmen mit Beginn erfasst.")
        return
    chart = (
        alt.Chart(bars)
        .mark_bar()
        .encode(
            x=alt.X("start:T", title="Zeit"),
            x2="end:T",
            y=alt.Y("title:N", sort=None, title=None),
            color=alt.Color("status:N", title="Status", scale=alt.Scale(scheme="tableau10")),
            tooltip=["title", "status", "start", "end"],
        )
        .properties(height=max(160, 18 * len(bars)))
    )
    st.altair_chart(chart, width="stretch")
