"""Seite „Karte“: Indikator als Choroplethe, Fördergebiete, Maßnahmen, Gebäude, Details."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import german
from geo.webmap import (
    PALETTE_LABELS,
    SCHEME_LABELS,
    SUPPRESSED_TEXT,
    ChoroplethSpec,
    MapLayers,
    monitoring_map,
    sequential_colours,
)
from indicators.errors import IndicatorError
from monitoring.renewal.measures import hide_archived
from ui import assets, data, frames, map_services, state
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
STATUSES = ("geplant", "bewilligt", "in Umsetzung", "abgeschlossen", "abgerechnet")
SPEC = [
    state.Param("ebene"),  # default: the first stored level with values (data.levels)
    state.Param("indikator"),
    state.Param("stichtag"),
    state.Param("klassen", default="quantiles"),
    state.Param("anzahl", "int", 5),
    state.Param("farben", default="viridis"),
    state.Param("massnahmen_nach", default="status"),
    state.Param("programm", "many", ()),
    state.Param("gebiet", "many", ()),
    state.Param("handlungsfeld", "many", ()),
    state.Param("status", "many", ()),
    state.Param("jahr", "int", None),
    state.Param("auswahl"),
]


def _filters(url: str, view: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Draw the filter widgets in the sidebar; return the filtered measures and programmes."""
    programmes = names(data.layer(url, "programmes"))
    sb = st.sidebar
    sb.subheader("Maßnahmen filtern")
    shown = hide_archived(measure_filters(url, PAGE, sb))  # the map shows work in hand
    sb.radio(
        "Maßnahmen einfärben nach",
        ["status", "programme"],
        format_func=lambda c: {"status": "Status", "programme": "Programm"}[c],
        key=state.key(PAGE, "massnahmen_nach"),
        horizontal=True,
    )
    return shown, programmes


def _indicator_widgets(url: str, level: str) -> tuple[frames.ShownValues, ChoroplethSpec, str]:
    """Draw the indicator choice; return the shown values per area, the spec, the period.

    Every value passes disclosure control: areas under the method profile's minimum
    population (``min_population``, 300 residents in every shipped profile) are
    suppressed.
    """
    values = data.indicator_values(url, level)
    profile = data.profile(url)
    minimum = int(profile.min_population)
    hidden_label = f"unterdrückt (weniger als {german.number(minimum)} Einwohner)"
    choices = frames.indicator_choices(
        data.registry(url),
        values["indicator"].unique(),
        profile=profile,
        periods=values["period"].nunique(),
    )
    if not choices:
        st.info("Für diese Ebene sind keine Indikatorwerte gespeichert.")
        nothing = frames.ShownValues(pd.Series(dtype="float64"), frozenset())
        return nothing, ChoroplethSpec("ohne Indikator"), ""
    by_key = {c.key: c for c in choices}
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
    periods = sorted(values["period"].unique())
    labels = [pd.Timestamp(p).date().isoformat() for p in periods]
    period = state.choose(
        col2,
        "Stichtag",
        labels,
        PAGE,
        "stichtag",
        default=labels[-1],
        format_func=german.date,
        help=HELP["stichtag"],
    )
    when = pd.Timestamp(period)
    choice = by_key[chosen]
    if chosen == frames.INDEX_STATUS:
        col3.caption(f"Methode: {profile.label}. Neutrale Grautöne, keine Ampelfarben.")
        try:
            index = data.social_index(url, level, when, profile.name)
            classes = pd.DataFrame(
                {"area_id": index.index, "period": when, "value": index["status_class"]}
            )
        except IndicatorError as exc:
            at = values.loc[pd.to_datetime(values["period"]) == when, "indicator"]
            gaps = frames.index_gaps(profile, data.registry(url), set(at))
            reason = (
                f"Es fehlen Werte für {german.ordinal_list(gaps)}" if gaps else str(exc).rstrip(".")
            )
            st.warning(f"Der Sozialindex lässt sich für diesen Stichtag nicht berechnen: {reason}.")
            classes = pd.DataFrame({"area_id": [], "period": [], "value": []})
        shown = frames.values_at(
            frames.disclosed(
                classes,
                values,
                indicator=frames.INDEX_STATUS,
                minimum=minimum,
                without_population="show",
            ),
            when,
        )
        categories = frames.index_categories(
            profile, colours=sequential_colours(len(profile.status_classes), palette="neutral")
        )
        spec = ChoroplethSpec(
            "Sozialindex (Status)", categories=categories, suppressed_label=hidden_label
        )
        return shown, spec, period
    col3.selectbox(
        "Klassifikation",
        list(SCHEME_LABELS),
        format_func=lambda s: SCHEME_LABELS[s],
        key=state.key(PAGE, "klassen"),
        help=HELP["klassifikation"],
    )
    col4.selectbox("Klassen", [3, 4, 5, 6, 7], key=state.key(PAGE, "anzahl"), help=HELP["klassen"])
    st.sidebar.selectbox(
        "Farbschema",
        list(PALETTE_LABELS),
        format_func=lambda p: PALETTE_LABELS[p],
        key=state.key(PAGE, "farben"),
        help=HELP["farbschema"],
    )
    view = state.current_view(PAGE, SPEC)
    long = frames.disclosed(
        data.indicator_series(url, level, chosen),
        values,
        indicator=chosen,
        minimum=minimum,
        without_population="show",
    )
    note = frames.population_note(values, minimum=minimum, level=level)
    if note:
        st.caption(note)
    spec = ChoroplethSpec(
        choice.label,
        unit=choice.unit,
        scheme=view["klassen"],
        k=int(view["anzahl"]),
        palette=view["farben"],
        decimals=0 if choice.unit in ("Personen", "Wohnungen") else 1,
        suppressed_label=hidden_label,
    )
    notes = frames.value_notes(values, data.registry(url), chosen)
    return frames.values_at(long, when, notes=notes), spec, period


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
        shown, spec, period = _indicator_widgets(url, level)
        measures, programmes = _filters(url, view)
        view = state.current_view(PAGE, SPEC)
        selection = state.split_selection(view["auswahl"])
        buildings = None
        if selection and selection[0] == "gebiet":
            buildings = data.buildings_in_area(url, level, selection[1])
        layers = MapLayers(
            areas=data.area_display(url, level),
            values=shown.values,
            spec=spec,
            suppressed=shown.suppressed,
            funding_areas=data.funding_area_display(url),
            programme_names=programmes,
            measures=measures,
            colour_by=view["massnahmen_nach"],
            buildings=buildings,
            activities=data.layer(url, "activities"),
            level=level,
            notes=shown.notes,
        )
        services = map_services.configured()  # QMON_MAP_SERVICES with QMON_BASEMAP
        fmap = assets.localize(monitoring_map(layers, services=services), base_url=static_url())
        left, right = st.columns([3, 1])
        with left:
            st.caption(
                f"{german.count(len(measures), 'Maßnahme', 'Maßnahmen')} angezeigt · "
                f"Stichtag {german.date(period)} · "
                "Klick auf ein Gebiet, ein Fördergebiet oder eine Maßnahme zeigt Details."
            )
            out = st_folium(
                fmap,
                key="karte_map",
                height=620,
                use_container_width=True,
                returned_objects=["last_active_drawing"],
            )
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
