"""Seite „Indikatoren“: Zeitreihen, Sozialindex (Klassen, Werte, Gründe), Cluster (LISA),
und ein Editor für eigene Sozialindex-Profile der Stadt (Rollen editor und admin).

Die Cluster rechnet indicators.clusters.local_moran (esda); die Karte zeigt sie in
neutralen Grautönen. Die Methoden sind die mitgelieferten Profile und die im
Datenbestand gespeicherten (monitoring.catalogue).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.german import count
from geo.webmap import ChoroplethSpec, MapLayers, monitoring_map, sequential_colours
from indicators.clusters import CLUSTER_LABELS
from indicators.errors import IndicatorError
from indicators.social_index import (
    DIRECTIONS,
    IndexProfile,
    class_distribution,
    profile_to_toml,
    simple_profile,
)
from indicators.stored import INDEX_KEYS, city_series
from monitoring import catalogue
from monitoring.numbers import NumberKind
from ui import assets, charts, data, frames, state
from ui.common import (
    OUR_ERRORS,
    current_user,
    guarded,
    names,
    period_label,
    static_url,
    store_url,
)
from ui.inputs import number_field, read_numbers

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
        state.start_view(PAGE, SPEC, allowed={"ebene": levels, "profil": data.profile_names(url)})
        level = state.choose(st, "Gebietsebene", levels, PAGE, "ebene")
        tabs = st.tabs(["Zeitreihen", "Sozialindex", "Räumliche Cluster", "Eigenes Profil"])
        with tabs[0]:
            _series(url, level)
        with tabs[1]:
            _index(url, level)
        with tabs[2]:
            _clusters(url, level)
        with tabs[3]:
            _profile_editor(url, level)
        state.write_view(PAGE, SPEC)


def _minimum(url: str) -> int:
    """The minimum population of the chosen method profile (disclosure control)."""
    return int(data.profile(url, state.current_view(PAGE, SPEC)["profil"]).min_population)


def _series(url: str, level: str) -> None:
    values = data.indicator_values(url, level)
    choices = frames.indicator_choices(data.registry(url), values["indicator"].unique())
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
    minimum = _minimum(url)
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
    notes = frames.value_notes(values, data.registry(url), chosen)
    series = frames.with_notes(series, notes)
    series = series[series["area_id"].isin(picked)]
    choice = by_key[chosen]
    decimals = 0 if choice.unit in ("Personen", "Wohnungen", "Klasse") else 1
    _series_chart(url, values, series, chosen, area_names=area_names, decimals=decimals)
    table = frames.series_table(series, area_names=area_names, decimals=decimals, unit=choice.unit)
    st.dataframe(table.rename(index=lambda p: period_label(p)), width="stretch")
    if series["note"].notna().any():
        st.caption("In Klammern: Hinweise der Statistik zum Wert (Zeichen des Amts).")
    if series["suppressed"].any():
        st.caption(
            f"unterdrückt: weniger als {minimum} Einwohner im Gebiet (Geheimhaltung, "
            "kleine Zahlen lassen auf Personen schließen)."
        )


CITY = "Stadt"


def _series_chart(
    url: str,
    values: pd.DataFrame,
    series: pd.DataFrame,
    key: str,
    *,
    area_names: dict[str, str],
    decimals: int,
) -> None:
    """The chosen areas over the Stichtage, with the city's value where there is one."""
    registry = data.registry(url)
    choice = {c.key: c for c in frames.indicator_choices(registry, [key])}.get(key)
    label = choice.label if choice else key
    unit = choice.unit if choice else ""
    shown = pd.DataFrame(
        {
            "period": series["period"],
            "series": series["area_id"].map(lambda a: area_names.get(a, a)),
            "value": series["value"],
            "suppressed": series["suppressed"],
        }
    )
    classes = _classes_of(url, key)
    if classes is not None:
        title = "Statusklasse" if key == INDEX_KEYS["status_class"] else "Dynamikklasse"
        st.altair_chart(
            charts.class_grid_chart(shown, title=title, classes=classes), width="stretch"
        )
        return
    reference = None
    try:
        city = city_series(values, registry, key)
    except IndicatorError:
        city = None
        kind = registry.get(key).kind if key in registry else ""
        st.caption(
            "Ohne Stadtwert: Für Zählwerte ist die Stadt nur als Summe, nicht als "
            "Vergleichswert darstellbar."
            if kind == "count"
            else "Ohne Stadtwert: Er lässt sich nur für Anteile und Quoten berechnen, deren "
            "Zähler und Nenner gespeichert sind."
        )
    if city is not None and city["value"].notna().any():
        reference = CITY
        shown = pd.concat([shown, city.assign(series=CITY, suppressed=False)[list(shown.columns)]])
        st.caption(
            f"{CITY}: aus den Zählern und Nennern aller Gebiete der Ebene berechnet "
            "(einwohnergewichtet), gestrichelt."
        )
    title = f"{label} ({unit})" if unit else label
    st.altair_chart(
        charts.series_chart(shown, title=title, decimals=decimals, reference=reference),
        width="stretch",
    )


def _classes_of(url: str, key: str) -> list[tuple[float, str, str]] | None:
    """The (code, label, colour) of a stored class index, None for any other indicator."""
    if key not in (INDEX_KEYS["status_class"], INDEX_KEYS["dynamics_class"]):
        return None
    profile = data.profile(url, state.current_view(PAGE, SPEC)["profil"])
    if key == INDEX_KEYS["status_class"]:
        greys = sequential_colours(len(profile.status_classes), palette="neutral")
        return list(frames.index_categories(profile, colours=greys))
    greys = sequential_colours(len(profile.dynamics_classes), palette="neutral")
    return [
        (float(c.code), f"{c.code} {c.label}", colour)
        for c, colour in zip(profile.dynamics_classes, greys)
    ]


def _class_charts(index: pd.DataFrame, profile: IndexProfile) -> None:
    """How many areas fall in each status and dynamics class, in the map's class colours."""
    distribution = class_distribution(index, profile)
    parts = [
        (part, title)
        for part, title in (("status", "Statusklasse"), ("dynamics", "Dynamikklasse"))
        if (distribution["part"] == part).any()
    ]
    cols = st.columns(max(1, len(parts)))
    for col, (part, title) in zip(cols, parts):
        mine = distribution[distribution["part"] == part]
        greys = sequential_colours(len(mine), palette="neutral")  # as the map (Karte)
        colours = (
            [c[2] for c in frames.index_categories(profile, colours=greys)]
            if part == "status"
            else greys
        )
        col.altair_chart(charts.class_chart(mine, title=title, colours=colours), width="stretch")
    unassigned = int((~index["valid"].astype(bool)).sum())
    if unassigned:
        st.caption(f"ohne Zuordnung: {count(unassigned, 'Gebiet', 'Gebiete')} (siehe Tabelle).")


def _index(url: str, level: str) -> None:
    values = data.indicator_values(url, level)
    periods = [pd.Timestamp(p).date().isoformat() for p in sorted(values["period"].unique())]
    c1, c2 = st.columns(2)
    period = state.choose(
        c1, "Stichtag", periods, PAGE, "stichtag", default=periods[-1], format_func=period_label
    )
    profile_name = c2.selectbox("Methode", data.profile_names(url), key=state.key(PAGE, "profil"))
    profile = data.profile(url, profile_name)
    try:
        index = data.social_index(url, level, pd.Timestamp(period), profile.name)
    except IndicatorError as exc:
        st.warning(f"Der Sozialindex lässt sich hier nicht berechnen: {exc}")
        return
    st.caption(
        f"{profile.label}; Ausgabe: neu berechnet aus den gespeicherten Werten "
        f"({period_label(period)}), nicht die veröffentlichte Einstufung."
    )
    _class_charts(index, profile)
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
    choices = frames.indicator_choices(data.registry(url), values["indicator"].unique())
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
    minimum = _minimum(url)
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


DIRECTION_LABELS = {
    "higher_is_worse": "höher ist ungünstiger",
    "higher_is_better": "höher ist günstiger",
}
EDITOR = f"{PAGE}.profil_editor"


def _profile_editor(url: str, level: str) -> None:
    """A simple editor of the city's own social index profiles (Berlin method, SD bands)."""
    user = current_user()
    st.caption(
        "Ein eigenes Profil nach der Berliner Methode (z-Standardisierung, Summe, erneut "
        "standardisiert; Klassengrenzen bei −1, 1 und 1,5 Standardabweichungen) aus den "
        "gespeicherten oder aus Zählwerten berechenbaren Indikatoren."
    )
    stored = data.stored_profiles(url)
    if len(stored):
        st.markdown("**Gespeicherte Profile der Stadt**")
        st.dataframe(
            stored[["name", "label", "version", "updated_by"]].rename(
                columns={
                    "name": "Name",
                    "label": "Bezeichnung",
                    "version": "Version",
                    "updated_by": "geändert von",
                }
            ),
            hide_index=True,
            width="stretch",
        )
    if not user.may("edit_funding"):
        st.info("Eigene Profile legen die Rollen editor und admin an.")
        return
    values = data.indicator_values(url, level)
    choices = [
        c
        for c in frames.indicator_choices(data.registry(url), values["indicator"].unique())
        if c.key != frames.INDEX_STATUS and not c.key.startswith("social_")
    ]
    by_key = {c.key: c for c in choices}
    c1, c2 = st.columns(2)
    name = c1.text_input("Name (Kleinbuchstaben, Ziffern, -)", key=f"{EDITOR}.name")
    label = c2.text_input("Bezeichnung", key=f"{EDITOR}.label")
    picked = st.multiselect(
        "Statusindikatoren",
        list(by_key),
        format_func=lambda k: f"{by_key[k].label} ({k})",
        key=f"{EDITOR}.status",
    )
    directions = {
        k: st.selectbox(
            f"Richtung: {by_key[k].label}",
            list(DIRECTIONS),
            format_func=DIRECTION_LABELS.__getitem__,
            key=f"{EDITOR}.dir.{k}",
        )
        for k in picked
    }
    changes = st.multiselect(
        "Dynamikindikatoren (Veränderung, optional)",
        picked,
        format_func=lambda k: by_key[k].label,
        key=f"{EDITOR}.dynamics",
    )
    c3, c4 = st.columns(2)
    fields = {
        "minimum": ("Mindestbevölkerung", 300, "min", c3),
        "window": ("Zeitraum der Dynamik (Jahre)", 2, "window", c4),
    }
    typed: dict[str, tuple[str, str, NumberKind]] = {
        name_: (
            label_,
            number_field(label_, default, kind="integer", key=f"{EDITOR}.{k}", container=box),
            "integer",
        )
        for name_, (label_, default, k, box) in fields.items()
    }
    if not (name and picked):
        st.caption("Name und mindestens ein Statusindikator fehlen noch.")
        return
    numbers, errors = read_numbers(typed)
    minimum, window = numbers["minimum"], numbers["window"]
    if errors or minimum is None or window is None or minimum < 0 or window < 1:
        st.error(
            "\n".join(errors)
            or "Mindestbevölkerung (ab 0) und Zeitraum der Dynamik (ab 1 Jahr) eintragen."
        )
        return
    try:
        profile = simple_profile(
            name.strip(),
            label.strip() or name.strip(),
            [(k, by_key[k].label, directions[k]) for k in picked],
            [(k, by_key[k].label, directions[k]) for k in changes],
            min_population=float(minimum),
            dynamics_window_years=int(window),
        )
    except OUR_ERRORS as exc:
        st.error(str(exc))
        return
    text = profile_to_toml(profile)
    st.code(text, language="toml")
    st.download_button(
        "TOML herunterladen", text, file_name=f"{profile.name}.toml", key=f"{EDITOR}.download"
    )
    replace = st.checkbox("ein gespeichertes Profil gleichen Namens ersetzen", key=f"{EDITOR}.rep")
    if st.button("Profil speichern", type="primary", key=f"{EDITOR}.save"):
        try:
            saved = catalogue.save_profile(data.store(url), user, text, replace=replace)
        except OUR_ERRORS as exc:
            problems = getattr(exc, "problems", None) or (str(exc),)
            st.error("Nicht gespeichert:\n" + "\n".join(f"- {p}" for p in problems))
            return
        data.clear()
        st.success(
            f"Profil „{saved['name']}“ gespeichert (Version {saved['version']}); es steht "
            "jetzt unter „Sozialindex“ als Methode zur Wahl."
        )
