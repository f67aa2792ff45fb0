"""Seite „Indikatoren“: Zeitreihen, Sozialindex (Klassen, Werte, Gründe), Cluster (LISA).

Die Cluster rechnet indicators.clusters.local_moran (esda); die Karte zeigt sie in
neutralen Grautönen.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.webmap import ChoroplethSpec, MapLayers, monitoring_map
from indicators.clusters import CLUSTER_LABELS
from indicators.errors import IndicatorError
from indicators.social_index import class_counts, profile_names
from ui import assets, data, frames, state
from ui.common import guarded, names, period_label, static_url, store_url

PAGE = "indikatoren"
SPEC = [
    state.Param("ebene"),
    state.Param("indikator"),
    state.Param("gebiete", "many", ()),
    state.Param("stichtag"),
    state.Param("profil", default=data.DEFAULT_PROFILE),
    state.Param("cluster"),
]
INDEX_COLUMNS = {
    "area": "Gebiet",
    "status_score": "Statusindex",
    "status_label": "Status",
    "dynamics_score": "Dynamikindex",
    "dynamics_label": "Dynamik",
    "index_code": "Gesamtindex",
    "reason": "ohne Zuordnung, weil",
}


def render() -> None:
    """Draw the page."""
    url = store_url()
    st.title("Indikatoren")
    with guarded():
        levels = data.levels(url)
        if not levels:
            st.info("Es sind keine Indikatorwerte gespeichert (Seite Import).")
            return
        state.start_view(PAGE, SPEC, allowed={"ebene": levels, "profil": profile_names()})
        level = state.choose(st, "Gebietsebene", levels, PAGE, "ebene")
        tabs = st.tabs(["Zeitreihen", "Sozialindex", "Räumliche Cluster"])
        with tabs[0]:
            _series(url, level)
        with tabs[1]:
            _index(url, level)
        with tabs[2]:
            _clusters(url, level)
        state.write_view(PAGE, SPEC)


def _minimum() -> int:
    """The minimum population of the chosen method profile (disclosure control)."""
    return int(data.profile(state.current_view(PAGE, SPEC)["profil"]).min_population)


def _series(url: str, level: str) -> None:
    values = data.indicator_values(url, level)
    choices = frames.indicator_choices(data.registry(), values["indicator"].unique())
    by_key = {c.key: c for c in choices}
    chosen = state.choose(
        st, "Indikator", list(by_key), PAGE, "indikator", format_func=lambda k: by_key[k].label
    )
    area_names = names(data.areas(url, level))
    st.multiselect(
        "Gebiete",
        list(area_names),
        format_func=lambda a: f"{area_names[a]} ({a})",
        key=state.key(PAGE, "gebiete"),
        placeholder="Gebiete wählen (ohne Auswahl: die ersten fünf)",
    )
    picked = list(st.session_state[state.key(PAGE, "gebiete")]) or list(area_names)[:5]
    minimum = _minimum()
    series = frames.disclosed(
        data.indicator_series(url, level, chosen),
        values,
        indicator=chosen,
        minimum=minimum,
        without_population="show",
    )
    note = frames.population_note(values, minimum=minimum, level=level)
    if note:
        st.caption(note)
    notes = frames.value_notes(values, data.registry(), chosen)
    series = frames.with_notes(series, notes)
    series = series[series["area_id"].isin(picked)]
    wide = series.pivot_table(index="period", columns="area_id", values="value", dropna=False)
    wide.columns = [area_names.get(c, c) for c in wide.columns]
    choice = by_key[chosen]
    st.line_chart(wide, y_label=f"{choice.label} ({choice.unit})", height=320)
    decimals = 0 if choice.unit in ("Personen", "Wohnungen") else 1
    table = frames.series_table(series, area_names=area_names, decimals=decimals, unit=choice.unit)
    st.dataframe(table.rename(index=lambda p: period_label(p)), width="stretch")
    if series["note"].notna().any():
        st.caption("In Klammern: Hinweise der Statistik zum Wert (Zeichen des Amts).")
    if series["suppressed"].any():
        st.caption(
            f"unterdrückt: weniger als {minimum} Einwohner im Gebiet (Geheimhaltung, "
            "kleine Zahlen lassen auf Personen schließen)."
        )


def _index(url: str, level: str) -> None:
    values = data.indicator_values(url, level)
    periods = [pd.Timestamp(p).date().isoformat() for p in sorted(values["period"].unique())]
    c1, c2 = st.columns(2)
    period = state.choose(
        c1, "Stichtag", periods, PAGE, "stichtag", default=periods[-1], format_func=period_label
    )
    profile_name = c2.selectbox("Methode", profile_names(), key=state.key(PAGE, "profil"))
    profile = data.profile(profile_name)
    try:
        index = data.social_index(url, level, pd.Timestamp(period), profile.name)
    except IndicatorError as exc:
        st.warning(f"Der Sozialindex lässt sich hier nicht berechnen: {exc}")
        return
    st.caption(
        f"{profile.label}; Ausgabe: neu berechnet aus den gespeicherten Zählwerten "
        f"({period_label(period)}), nicht die veröffentlichte Einstufung."
    )
    counts = class_counts(index)
    cols = st.columns(max(1, len(counts)))
    for col, (part, by_class) in zip(cols, counts.items()):
        col.markdown(f"**{'Status' if part.startswith('status') else 'Dynamik'}**")
        col.dataframe(pd.Series(by_class, name="Gebiete"), width="stretch")
    area_names = names(data.areas(url, level))
    table = index.reset_index().rename(columns={"id": "area"})
    table["area"] = table["area"].map(lambda a: f"{area_names.get(a, a)} ({a})")
    table["reason"] = table["reason"].map(frames.german_reason)
    st.dataframe(
        table[list(INDEX_COLUMNS)].rename(columns=INDEX_COLUMNS),
        hide_index=True,
        width="stretch",
    )


def _clusters(url: str, level: str) -> None:
    values = data.indicator_values(url, level)
    choices = frames.indicator_choices(data.registry(), values["indicator"].unique())
    rates = [c for c in choices if c.unit == "%"] or choices
    by_key = {c.key: c for c in rates}
    chosen = state.choose(
        st,
        "Indikator für die Clusteranalyse",
        list(by_key),
        PAGE,
        "cluster",
        format_func=lambda k: by_key[k].label,
    )
    period = pd.Timestamp(max(values["period"]))
    minimum = _minimum()
    try:
        result = data.clusters(url, level, chosen, period, minimum)
    except IndicatorError as exc:
        st.warning(f"Die Clusteranalyse lässt sich nicht berechnen: {exc}")
        return
    st.caption(
        f"Lokales Moran's I (Queen-Nachbarschaft, 999 Permutationen, p ≤ 0,05), "
        f"Stichtag {period_label(period)}. Cluster sind statistische Muster, keine Bewertung "
        "der Menschen in einem Gebiet."
    )
    areas = data.area_display(url, level)
    codes = frames.cluster_values(result.set_index("id")["cluster"])
    judged = frames.disclosed(
        pd.DataFrame({"area_id": codes.index, "period": period, "value": codes.to_numpy()}),
        values,
        indicator=chosen,
        minimum=minimum,
        without_population="show",
    )
    shown = frames.values_at(judged, period)
    spec = ChoroplethSpec(
        f"Cluster: {by_key[chosen].label}",
        categories=frames.cluster_categories(CLUSTER_LABELS),
        suppressed_label=f"unterdrückt (weniger als {minimum} Einwohner)",
    )
    fmap = monitoring_map(
        MapLayers(
            areas=areas,
            values=shown.values,
            spec=spec,
            suppressed=shown.suppressed,
            level=level,
        )
    )
    st_folium(
        assets.localize(fmap, base_url=static_url()),
        key="indikatoren_cluster_map",
        height=460,
        use_container_width=True,
        returned_objects=[],
    )
    labels = result["cluster_label"].fillna("ohne Wert").where(~judged["suppressed"].to_numpy())
    counts = labels.fillna("unterdrückt").value_counts().rename("Gebiete")
    st.dataframe(counts, width="stretch")
