"""Seite „Länderübersicht“: die Übersicht eines Landes (oder des Bundes) für ein Programmjahr.

Welche Gesamtmaßnahmen des Verzeichnisses (``funding_areas``) gemeldet haben (gesammelte
Pakete und die eigenen eingereichten Berichte), welche verspätet sind, welche Werte vom
Vorjahr abweichen, die Summen der Teile B–D nach Programm, Kreis und Land, eine Karte
aller Gesamtmaßnahmen nach Programm und Stand, und der Weg nach unten: Land → Kreis →
Gemeinde → Gesamtmaßnahme → ihr Bericht. Dasselbe wie ``qmon overview``; Lesen genügt.
Die Filter stehen in der Adresse (``jahr``, ``land``, ``kreis``, ``gemeinde``,
``programm``), eine Ansicht lässt sich also verlinken.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from geo import german
from geo.german import NO_VALUE_SHORT
from geo.store.base import ChangeToken
from monitoring.auth import User, require
from monitoring.federal import overview_export
from monitoring.federal.overview import (
    LAENDER_BY_CODE,
    SOURCE_FILED,
    Filters,
    OverviewData,
    Rollup,
    drill_down,
    read_overview,
    report_of,
    report_rows,
    roll_up,
)
from monitoring.reports import generate
from ui import data, state
from ui.common import guarded, md, page_link, store_url
from ui.tables import german_table
from ui.uebersicht_karte import render_overview_map

PAGE = "uebersicht"
ALL = ""
SPEC = [
    state.Param("jahr", "int", generate.default_year()),
    state.Param("land", default=ALL),
    state.Param("kreis", default=ALL),
    state.Param("gemeinde", default=ALL),
    state.Param("programm", default=ALL),
]


@st.cache_resource(show_spinner=False, max_entries=8)
def _overview(url: str, token: ChangeToken, year: int, _user: User) -> OverviewData:
    """The overview of a year, read once per store state (shared, never copied)."""
    return read_overview(data.store(url), _user, year)


def _options(values: pd.Series, names: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    keys = sorted({str(v) for v in values if v})
    return [ALL, *keys], {k: _label(names, k) for k in keys} | {ALL: "alle"}


def _label(names: dict[str, str], key: str) -> str:
    """A name with its key (AGS, Kreis), or the name alone where the key is an identifier."""
    name = names.get(key, key)
    return f"{name} ({key})" if key.isdigit() and name != key else name


MAX_SHOWN = 1000
"""Rows a table of the page shows at most (a Bund's overview has 100,000s of differences);
the Excel and CSV downloads hold every row."""


def _table(frame: pd.DataFrame, *, what: str, **numbers: int) -> None:
    """Show a frame with its figures written the German way (at most :data:`MAX_SHOWN` rows)."""
    if len(frame) > MAX_SHOWN:
        st.caption(
            f"Die ersten {german.number(MAX_SHOWN)} von {german.number(len(frame))} {what}; "
            "alle stehen in der Excel-Datei."
        )
        frame = frame.head(MAX_SHOWN)
    shown, config = german_table(frame, numbers=numbers)
    if "Veränderung" in shown.columns:
        shown["Veränderung"] = [
            german.percent(None if pd.isna(v) else v * 100, decimals=0, missing=NO_VALUE_SHORT)
            for v in frame["Veränderung"]
        ]
    st.dataframe(shown, hide_index=True, placeholder=NO_VALUE_SHORT, column_config=config)


def render() -> None:
    """Draw the page."""
    url = store_url()
    st.title("Länderübersicht")
    st.caption(
        "Stand der Meldungen aller Gesamtmaßnahmen eines Programmjahres: gemeldet, fehlt, "
        "verspätet, Abweichungen zum Vorjahr und Summen nach Programm, Kreis und Land."
    )
    with guarded():
        user = state.acting_user()
        require(user, "read")
        today = dt.date.today()
        years = list(range(today.year, today.year - 11, -1))
        state.start_view(PAGE, SPEC, allowed={"jahr": years})
        top = st.columns(5)
        year = int(state.choose(top[0], "Programmjahr", years, PAGE, "jahr"))
        overview = _overview(url, data.change_token(url), year, user)
        reg = overview.register[overview.register["expected"]]
        ags = reg["ags"].fillna("").astype(str)
        options, labels = _options(ags.str[:2], dict(LAENDER_BY_CODE))
        land = state.choose(top[1], "Land", options, PAGE, "land", format_func=labels.get)
        kreise = ags[ags.str[:2] == land] if land else ags
        options, labels = _options(kreise.str[:5], dict(overview.kreis_names))
        kreis = state.choose(top[2], "Kreis", options, PAGE, "kreis", format_func=labels.get)
        towns = kreise[kreise.str[:5] == kreis] if kreis else kreise
        options, labels = _options(towns, dict(overview.municipality_names))
        town = state.choose(top[3], "Gemeinde", options, PAGE, "gemeinde", format_func=labels.get)
        options, labels = _options(reg["programme_id"], dict(overview.programme_names))
        programme = state.choose(
            top[4], "Programm", options, PAGE, "programm", format_func=labels.get
        )
        state.write_view(PAGE, SPEC)
        filters = Filters(
            land=land or None, kreis=kreis or None, ags=town or None, programme=programme or None
        )
        rollup = roll_up(overview, filters=filters, today=today)
        _metrics(rollup.metrics)
        st.caption(overview_export.note(rollup))
        _downloads(rollup)
        tabs = st.tabs(["Stand", "Karte", "Abweichungen", "Summen", "Drill-down"])
        with tabs[0]:
            st.subheader("Stand der Meldungen nach Programm")
            st.dataframe(rollup.completeness, hide_index=True, placeholder=NO_VALUE_SHORT)
            st.subheader(f"Verspätet ({len(rollup.late)})")
            _table(
                rollup.late.drop(columns=["Quelle", "Schlüssel"]),
                what="verspäteten Gesamtmaßnahmen",
            )
            if len(rollup.unregistered):
                st.subheader("Pakete nicht im Verzeichnis")
                st.dataframe(rollup.unregistered, hide_index=True, placeholder=NO_VALUE_SHORT)
        with tabs[1]:
            status = rollup.areas.rename(
                columns={"AGS": "ags", "Gesamtmaßnahme": "funding_area_id", "Status": "status"}
            )[["ags", "funding_area_id", "status"]]
            render_overview_map(
                url,
                user,
                status=status,
                land=filters.land,
                kreis=filters.kreis,
                ags=filters.ags,
                programme=filters.programme,
            )
        with tabs[2]:
            biggest = rollup.differences.assign(
                _größe=rollup.differences["Veränderung"].abs().fillna(float("inf"))
            ).sort_values("_größe", ascending=False, kind="stable")
            _table(
                biggest.drop(columns=["_größe"]),
                what="Abweichungen, die größten zuerst",
                Vorjahr=2,
                Berichtsjahr=2,
            )
        with tabs[3]:
            for level, name in overview_export.LEVEL_TITLES.items():
                st.subheader(name)
                _table(rollup.sums[level].drop(columns=["Schlüssel"]), what="Summen", Summe=2)
        with tabs[4]:
            _drill(url, user, rollup, overview, year)


def _metrics(metrics: dict[str, int]) -> None:
    cols = st.columns(4)
    for col, name in zip(cols, ("erwartet", "gemeldet", "verspätet", "Abweichungen")):
        col.metric(name, german.number(metrics[name]))


def _downloads(rollup: Rollup) -> None:
    stem = f"uebersicht_{rollup.year}"
    cols = st.columns(3)
    cols[0].download_button(
        "Excel",
        lambda: overview_export.workbook_bytes(rollup),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{PAGE}.xlsx",
    )
    cols[1].download_button(
        "CSV (Summen)",
        lambda: overview_export.csv_bytes(rollup, "summen"),
        file_name=f"{stem}_summen.csv",
        mime="text/csv",
        key=f"{PAGE}.csv_summen",
    )
    cols[2].download_button(
        "CSV (Meldungen)",
        lambda: overview_export.csv_bytes(rollup, "meldungen"),
        file_name=f"{stem}_meldungen.csv",
        mime="text/csv",
        key=f"{PAGE}.csv_meldungen",
    )


_NEXT = {"Land": "land", "Kreis": "kreis", "Gemeinde": "gemeinde"}


def _open(widget: str, target: str) -> None:
    """Open the chosen unit one level down: set its filter, and empty the choice again."""
    choice = st.session_state.get(widget)
    if choice:
        st.session_state[target] = choice
    st.session_state[widget] = ""


def _drill(url: str, user: User, rollup: Rollup, overview: OverviewData, year: int) -> None:
    level, table = drill_down(rollup, overview)
    st.subheader(f"Nach {level}")
    st.dataframe(table, hide_index=True, placeholder=NO_VALUE_SHORT)
    if level in _NEXT:
        keys = table["Schlüssel"].tolist()
        names = dict(zip(table["Schlüssel"], table["Name"]))
        st.selectbox(
            f"{level} öffnen",
            ["", *keys],
            format_func=lambda k: "–" if not k else f"{names.get(k, k)} ({k})",
            key=f"{PAGE}.drill.{level}",
            on_change=_open,
            args=(f"{PAGE}.drill.{level}", state.key(PAGE, _NEXT[level])),
        )
        return
    reported = table[table["Schlüssel"] != ""]
    if reported.empty:
        st.info("Keine Gesamtmaßnahme dieser Gemeinde hat für das Jahr gemeldet.")
        return
    labels = dict(zip(reported["Gesamtmaßnahme"], reported["Name"]))
    area = st.selectbox(
        "Bericht der Gesamtmaßnahme",
        list(labels),
        format_func=lambda a: f"{labels[a]} ({a})",
        key=f"{PAGE}.drill.bericht",
    )
    row = reported[reported["Gesamtmaßnahme"] == area].iloc[0]
    report = report_of(data.store(url), user, str(row["Schlüssel"]))
    st.markdown(f"**{md(report.area_name)}** – Berichtsjahr {report.year}, {md(row['Quelle'])}")
    st.dataframe(
        report_rows(report, text=True).drop(columns=["Grund"]),
        hide_index=True,
        placeholder=NO_VALUE_SHORT,
    )
    if row["Quelle"] == SOURCE_FILED:
        page_link("berichte", "Auf der Seite Berichte öffnen", {"gebiet": area, "jahr": str(year)})
