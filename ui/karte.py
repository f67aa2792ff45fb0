"""Seite „Karte“: Indikator als Choroplethe, Fördergebiete, Maßnahmen, Gebäude, Details."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from geo import german
from geo.webmap import (
    PALETTE_LABELS,
    SCHEME_LABELS,
    SUPPRESSED_TEXT,
    ChoroplethSpec,
    MapLayers,
    monitoring_map,
)
from monitoring.maps import view as mapview
from monitoring.maps.content import MapOptions, map_options
from monitoring.maps.paper import (
    FILE_FORMATS,
    ORIENTATION_LABELS,
    ORIENTATIONS,
    PAPER_LABELS,
    PAPERS,
)
from monitoring.messages import render as message
from ui import assets, data, frames, leaflet, map_services, state
from ui.common import (
    current_user,
    guarded,
    md,
    measure_filters,
    names,
    page_link,
    static_url,
    store_url,
)
from ui.help_texts import HELP

PAGE = "karte"
STATUSES = mapview.ALLOWED["status"]
#: The view in the URL: the parameters of monitoring.maps.view (which ``qmon map`` takes
#: too); ``ebene`` defaults to the first stored level with values (data.levels).
SPEC = [state.Param(p.name, p.kind, p.default) for p in mapview.PARAMS if p.in_app]


def _filters(url: str) -> None:
    """Draw the measure filter widgets in the sidebar (the view's measure parameters)."""
    sb = st.sidebar
    sb.subheader("Maßnahmen filtern")
    measure_filters(url, PAGE, sb)
    sb.radio(
        "Maßnahmen einfärben nach",
        ["status", "programme"],
        format_func=lambda c: {"status": "Status", "programme": "Programm"}[c],
        key=state.key(PAGE, "massnahmen_nach"),
        horizontal=True,
    )


def _indicator_widgets(options: MapOptions) -> None:
    """Draw the indicator choice (indicator, Stichtag, classes, colours) of a level.

    What the map shows comes from :func:`monitoring.maps.content.map_content`: every
    value passes disclosure control there (areas under the method profile's minimum
    population, 300 residents in every shipped profile, are suppressed).
    """
    if not options.choices:
        st.info(message("map.no_values"))
        return
    by_key = {c.key: c for c in options.choices}
    col1, col2, col3, col4 = st.columns([3, 2, 3, 2])
    chosen = state.choose(
        col1,
        "Indikator",
        list(by_key),
        PAGE,
        "indikator",
        format_func=lambda k: by_key[k].label,
        help=HELP["indikator"],
    )
    labels = list(options.periods)
    state.choose(
        col2,
        "Stichtag",
        labels,
        PAGE,
        "stichtag",
        default=labels[-1],
        format_func=german.date,
        help=HELP["stichtag"],
    )
    if chosen == frames.INDEX_STATUS:
        col3.caption(f"Methode: {options.profile.label}. Neutrale Grautöne, keine Ampelfarben.")
        return
    col3.selectbox(
        "Klassifikation",
        list(SCHEME_LABELS),
        format_func=lambda s: SCHEME_LABELS[s],
        key=state.key(PAGE, "klassen"),
        help=HELP["klassifikation"],
    )
    col4.selectbox(
        "Klassen", list(mapview.CLASS_COUNTS), key=state.key(PAGE, "anzahl"), help=HELP["klassen"]
    )
    st.sidebar.selectbox(
        "Farbschema",
        list(PALETTE_LABELS),
        format_func=lambda p: PALETTE_LABELS[p],
        key=state.key(PAGE, "farben"),
        help=HELP["farbschema"],
    )


def _print_section(url: str, view: mapview.MapView) -> None:
    """The print of the current view: paper, orientation and file format, and the download."""
    with st.expander("Karte drucken"):
        c1, c2, c3 = st.columns(3)
        paper = c1.radio(
            "Papierformat",
            list(PAPERS),
            format_func=lambda p: PAPER_LABELS[p],
            key="karte._druck_format",
            horizontal=True,
        )
        orientation = c2.radio(
            "Ausrichtung",
            list(ORIENTATIONS),
            format_func=lambda o: ORIENTATION_LABELS[o],
            key="karte._druck_ausrichtung",
            horizontal=True,
        )
        kind = c3.radio(
            "Dateiformat",
            list(FILE_FORMATS),
            format_func=str.upper,
            key="karte._druck_datei",
            horizontal=True,
        )
        st.caption(
            "Die Karte dieser Ansicht mit Titel, Legende, Maßstabsleiste, Nordpfeil, "
            "Quellen, Stichtag und Druckdatum; PDF als Vektorgrafik auf einer Seite. "
            "Dieselbe Karte druckt `qmon map --url-params '…'` mit den Parametern der "
            "Adresszeile."
        )
        st.download_button(
            f"Karte als {kind.upper()} herunterladen",
            data=lambda: data.map_print(url, view, paper, orientation, kind),
            file_name=f"karte_{view.level or 'ansicht'}_{paper}_{orientation}.{kind}",
            mime="application/pdf" if kind == "pdf" else "image/png",
            key="karte._druck_download",
            on_click="ignore",
        )


def render() -> None:
    """Draw the page."""
    url = store_url()
    st.title("Karte")
    with guarded():
        levels = data.levels(url)
        view = state.start_view(
            PAGE,
            SPEC,
            allowed={
                "ebene": levels,
                "klassen": list(SCHEME_LABELS),
                "anzahl": list(mapview.CLASS_COUNTS),
                "farben": list(PALETTE_LABELS),
                "massnahmen_nach": ["status", "programme"],
                "status": STATUSES,
            },
        )
        if view["ebene"] not in levels and levels:
            st.session_state[state.key(PAGE, "ebene")] = levels[0]
        st.sidebar.selectbox(
            "Gebietsebene", levels, key=state.key(PAGE, "ebene"), help=HELP["gebietsebene"]
        )
        level = st.session_state[state.key(PAGE, "ebene")]
        _indicator_widgets(map_options(data.map_frames(url, level)))
        _filters(url)
        view = state.current_view(PAGE, SPEC)
        shown_view = mapview.MapView.from_params(state.encode_view(view, SPEC))
        content = data.map_content(url, shown_view)
        for note in content.messages:
            st.caption(note)
        for warning in content.warnings:
            st.warning(warning)
        shown, spec, measures = content.shown, content.spec, content.measures
        selection = state.split_selection(view["auswahl"])
        area = selection[1] if selection and selection[0] == "gebiet" else None
        services = map_services.configured()  # QMON_MAP_SERVICES with QMON_BASEMAP

        def make() -> dict[str, Any]:
            layers = MapLayers(
                areas=data.area_display(url, level),
                values=shown.values,
                spec=spec,
                suppressed=shown.suppressed,
                funding_areas=data.funding_area_display(url),
                programme_names=content.programme_names,
                measures=measures,
                colour_by=view["massnahmen_nach"],
                buildings=None if area is None else data.buildings_in_area(url, level, area),
                activities=data.layer(url, "activities"),
                level=level,
                notes=shown.notes,
            )
            fmap = monitoring_map(layers, services=services)
            payload = leaflet.rendered(assets.localize(fmap, base_url=static_url()))
            return leaflet.split_layers(payload, base_url=static_url())

        user = current_user()
        payload = data.rendered_map(
            url,
            user,
            {
                "query": shown_view.to_query(),
                "level": level,
                "colour_by": view["massnahmen_nach"],
                "buildings_of": area or "",
                "services": repr(services),
                "static": static_url(),
            },
            make,
        )
        left, right = st.columns([3, 1])
        with left:
            st.caption(
                f"{german.count(len(measures), 'Maßnahme', 'Maßnahmen')} angezeigt · "
                f"Stichtag {german.date(content.period)} · "
                "Klick auf ein Gebiet, ein Fördergebiet oder eine Maßnahme zeigt Details."
            )
            out = leaflet.show(
                payload,
                key="karte_map",
                height=620,
                use_container_width=True,
                returned_objects=["last_active_drawing"],
            )
            _print_section(url, shown_view)
        clicked = state.selection_from_click((out or {}).get("last_active_drawing"))
        if clicked and clicked != st.session_state.get("karte._last_click"):
            st.session_state["karte._last_click"] = clicked
            st.session_state[state.key(PAGE, "auswahl")] = clicked
            state.write_view(PAGE, SPEC)
            st.rerun()
        state.write_view(PAGE, SPEC)
        with right:
            _details(url, level, selection, shown, spec)


def _details(
    url: str,
    level: str,
    selection: tuple[str, str] | None,
    shown: frames.ShownValues,
    spec: ChoroplethSpec,
) -> None:
    """Show the details of the selected area, funding area or measure."""
    st.subheader("Details")
    if selection is None:
        st.info("Nichts ausgewählt. Klicken Sie auf die Karte.")
        return
    kind, ident = selection
    if kind == "gebiet":
        rows = data.areas(url, level)
        row = rows[rows["id"] == ident]
        if row.empty:
            st.warning(f"Gebiet {md(ident)} gibt es auf dieser Ebene nicht.")
            return
        st.markdown(f"**{md(row['name'].iloc[0])}**  \n{md(level)} {md(ident)}")
        value = shown.values.get(ident)
        if ident in shown.suppressed:
            st.metric(spec.title, SUPPRESSED_TEXT, help=spec.suppressed_label)
        elif spec.categories:
            labels = {c: lab for c, lab, _ in spec.categories}
            label = (
                labels.get(float(value), "ohne Zuordnung") if pd.notna(value) else "ohne Zuordnung"
            )
            st.metric(spec.title, label)
        else:
            st.metric(
                spec.title,
                german.number(value, decimals=spec.decimals, unit=spec.unit),
                help=shown.notes.get(ident),
            )
        if ident in shown.notes:
            st.caption(f"Hinweis der Statistik: {md(shown.notes[ident])}")
        user = current_user()
        stock = data.housing(url, user.name, user.role, level)
        if ident in stock.index:
            dwellings = float(stock["dwellings"].astype(float)[ident])
            vacancy = float(stock["vacancy_rate"].astype(float)[ident])
            st.metric("Wohnungen (Gebäudebestand)", german.number(dwellings))
            st.metric("Leerstandsquote", german.percent(vacancy))
        n = len(data.buildings_in_area(url, level, ident))
        st.caption(f"{german.number(n)} Gebäude auf der Karte eingeblendet.")
    elif kind == "foerdergebiet":
        fa = data.layer(url, "funding_areas")
        row = fa[fa["id"] == ident]
        if row.empty:
            st.warning("Dieses Fördergebiet gibt es nicht mehr.")
            return
        r = row.iloc[0]
        programmes = names(data.layer(url, "programmes"))
        st.markdown(f"**{md(r['name'])}**")
        st.markdown(
            f"Programm: {md(programmes.get(r['programme_id'], r['programme_id']))}  \n"
            f"Aufnahmejahr: {german.number(r['start_year'], grouping=False, missing='–')}  \n"
            f"Förderstatus: {md(r['funding_status'])}"
        )
        m = data.measures(url)
        st.metric("Maßnahmen", int((m["funding_area_id"] == ident).sum()))
        page_link("foerdergebiet", "Profil des Fördergebiets öffnen", {"gebiet": ident})
    elif kind == "massnahme":
        m = data.measures(url)
        row = m[m["id"] == ident]
        if row.empty:
            st.warning("Diese Maßnahme gibt es nicht mehr.")
            return
        r = row.iloc[0]
        st.markdown(f"**{md(r['title'])}**")
        st.markdown(
            f"Status: {md(r['status'])}  \nFördergebiet: {md(r['funding_area'])}  \n"
            f"Beginn: {md(r['year'])}"
        )
        st.metric("Kostenschätzung", german.euro(r["cost_estimate"], decimals=0))
        if isinstance(r["description"], str):
            st.text(r["description"])
        page_link("massnahmen", "In der Maßnahmenliste öffnen", {"auswahl": ident})
    else:
        st.info("Für dieses Objekt gibt es keine Details.")
