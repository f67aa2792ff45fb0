"""Seite „Fördergebiet“: Profil einer Gesamtmaßnahme.

Ziele des Konzepts mit Zielerreichung, Maßnahmen mit Status und Geld, Finanzierung nach
Jahr und Mittelgeber, das Gebiet gegen die übrige Stadt im Zeitverlauf, Zeitleiste.
Alles kommt aus den Diensten (monitoring.services.progress_report, compare_area).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from geo import german
from geo.german import NO_VALUE_SHORT
from geo.levels import level_dative_plural
from indicators.registry import Registry
from monitoring.renewal.comparison import disclosed_comparison
from monitoring.services import ProgressReport
from ui import charts, data, frames, state
from ui.common import OUR_ERRORS, choose_funding_area, current_user, guarded, md, names, store_url
from ui.tables import german_table

PAGE = "foerdergebiet"
SPEC = [state.Param("gebiet"), state.Param("indikator")]


def render() -> None:
    """Draw the page."""
    url = store_url()
    st.title("Fördergebiet")
    with guarded():
        chosen = choose_funding_area(
            url, PAGE, SPEC, empty="Es sind noch keine Gesamtmaßnahmen erfasst (Seite Import)."
        )
        if chosen is None:
            return
        ident = chosen
        user = current_user()
        report = data.progress(url, user.name, user.role, ident)
        area = report.area
        programmes = names(data.layer(url, "programmes"))
        programme = programmes.get(area["programme_id"], area["programme_id"] or "–")
        st.markdown(f"**Programm:** {md(programme)}")
        c1, c2, c3 = st.columns(3)
        for col, label, key in (
            (c1, "Aufnahmejahr", "start_year"),
            (c2, "voraussichtliches Ende", "expected_end"),
        ):
            col.metric(label, german.number(area[key], grouping=False, missing="–"))  # 2019
        c3.metric("Förderstatus", area["funding_status"] or "–")
        _findings(report)
        tabs = st.tabs(["Ziele", "Maßnahmen", "Finanzierung", "Gebiet und Stadt", "Zeitleiste"])
        with tabs[0]:
            _goals(url, report)
        with tabs[1]:
            _measures(url, report, ident)
        with tabs[2]:
            _funding(report)
        with tabs[3]:
            _comparison(url, ident)
        with tabs[4]:
            _timeline(report)
        state.write_view(PAGE, SPEC)


def _findings(report: ProgressReport) -> None:
    errors = [f for f in report.findings if f.level == "error"]
    warnings = [f for f in report.findings if f.level == "warning"]
    if not report.findings:
        return
    hints = german.count(len(warnings), "Hinweis", "Hinweise")
    found = f"{german.number(len(errors))} Fehler, {hints}"
    with st.expander(f"Prüfungen: {found}"):
        for f in errors:
            st.error(f.message)
        for f in warnings:
            st.warning(f.message)


def _goals(url: str, report: ProgressReport) -> None:
    if report.goals.empty:
        st.info(
            "Für diese Gesamtmaßnahme ist kein gültiges Entwicklungskonzept mit Zielen erfasst."
        )
        return
    st.caption(
        "Zielerreichung: Anteil des Wegs vom Basiswert zum Zielwert, der erreicht ist; "
        "„im Plan“, wenn mindestens so weit wie der zeitliche Fortschritt."
    )
    fields = names(data.layer(url, "fields_of_action"))
    registry = data.registry(url)
    if report.goals["attainment_pct"].notna().any():
        st.altair_chart(
            charts.goal_chart(report.goals, labels=target_labels(report.goals, registry)),
            width="stretch",
        )
        st.caption(
            "Balken: erreichter Anteil des Wegs vom Basiswert (0 %, durchgezogene Linie) zum "
            "Zielwert (100 %, gestrichelt); schwarzer Strich: wie weit der Zeitplan bis zum "
            "letzten Wert erwartet."
        )
    shown = goal_table(report.goals, registry=registry, field_names=fields)
    st.dataframe(shown, hide_index=True, width="stretch", placeholder=NO_VALUE_SHORT)
    if not report.gaps.empty:
        st.markdown("**Lücken zwischen Zielen und Maßnahmen**")
        st.dataframe(
            report.gaps[["label", "id", "title"]].rename(
                columns={"label": "Art", "id": "Kennung", "title": "Titel"}
            ),
            hide_index=True,
            width="stretch",
            placeholder=NO_VALUE_SHORT,
        )


def target_labels(goals: pd.DataFrame, registry: Registry) -> dict[object, str]:
    """Return the text of each target in the chart: the goal and its indicator.

    Examples
    --------
    >>> from indicators.registry import load_registry
    >>> g = pd.DataFrame({"target_id": ["T1"], "title": ["Leerstand abbauen"],
    ...                   "indicator": ["vacancy_rate"]})
    >>> target_labels(g, load_registry())
    {'T1': 'Leerstand abbauen: Leerstandsquote'}
    """
    return {
        t: f"{title}: {registry.get(k).label if k in registry else k}"
        for t, title, k in zip(goals["target_id"], goals["title"], goals["indicator"])
    }


def goal_table(
    goals: pd.DataFrame, *, registry: Registry, field_names: Mapping[str, str]
) -> pd.DataFrame:
    """Return the goals as a German table: labels, units and numbers as readers write them.

    Goals without an indicator are qualitative: their figures are left empty ("–").

    Examples
    --------
    >>> from indicators.registry import load_registry
    >>> g = pd.DataFrame({"title": ["Leerstand abbauen", "Treffpunkt sichern"],
    ...     "field_id": ["su_leerstand", None], "indicator": ["vacancy_rate", None],
    ...     "baseline": [12.25, None], "target": [8.0, None], "latest": [9.5, None],
    ...     "attainment_pct": [64.7, None], "expected_pct": [80.0, None],
    ...     "on_track": [False, None]})
    >>> t = goal_table(g, registry=load_registry(), field_names={})
    >>> t.iloc[0][["Indikator", "Basiswert", "erreicht", "im Plan"]].tolist()
    ['Leerstandsquote (%)', '12,3', '64,7\\xa0%', 'nein']
    >>> t.iloc[1][["Indikator", "Basiswert", "im Plan"]].tolist()
    ['– (qualitatives Ziel)', '–', '–']
    """

    def label(key: object) -> str:
        if not isinstance(key, str) or not key:
            return "– (qualitatives Ziel)"
        if key in registry:
            d = registry.get(key)  # counts need no unit: "Wohnungen", not "Wohnungen (Wohnungen)"
            return f"{d.label} ({d.unit})" if d.unit and d.kind != "count" else d.label
        return key

    def decimals(key: object) -> int:
        return (
            0
            if isinstance(key, str) and key in registry and registry.get(key).kind == "count"
            else 1
        )

    places = goals["indicator"].map(decimals)
    table = pd.DataFrame(
        {
            "Ziel": goals["title"],
            "Handlungsfeld": goals["field_id"].map(
                lambda f: field_names.get(f, f) if isinstance(f, str) else "–"
            ),
            "Indikator": goals["indicator"].map(label),
        }
    )
    for column, title in (("baseline", "Basiswert"), ("target", "Zielwert"), ("latest", "aktuell")):
        table[title] = [
            german.number(v, decimals=d, missing="–") for v, d in zip(goals[column], places)
        ]
    for column, title in (("attainment_pct", "erreicht"), ("expected_pct", "erwartet")):
        table[title] = goals[column].map(lambda v: german.percent(v, decimals=1, missing="–"))
    table["im Plan"] = goals["on_track"].map(
        lambda v: "–" if v is None or pd.isna(v) else ("ja" if v else "nein")
    )
    return table


def _measures(url: str, report: ProgressReport, ident: str) -> None:
    over_time = report.measures_over_time
    if len(over_time) and over_time["measures"].sum():
        st.altair_chart(charts.status_chart(over_time), width="stretch")
        st.caption(
            "Maßnahmen nach Status am Jahresende; das laufende Jahr zeigt den gespeicherten "
            "Status. Frühere Jahre sind aus Beginn, Ende und Bewilligungen abgeleitet "
            "(nie weiter als der heutige Status), denn Statuswechsel werden nicht datiert."
        )
    measures = data.measures(url)
    mine = measures[measures["funding_area_id"] == ident]
    programmes = names(data.layer(url, "programmes"))
    fields = names(data.layer(url, "fields_of_action"))
    table = frames.measure_table(mine, programme_names=programmes, field_names=fields)
    # the headers carry the unit (Kostenschätzung (€)): the cells are German figures
    shown, config = german_table(table, numbers={c: 2 for c in table.columns if "(€)" in c})
    st.dataframe(
        shown, column_config=config, hide_index=True, width="stretch", placeholder=NO_VALUE_SHORT
    )


def _funding(report: ProgressReport) -> None:
    by_year = report.funding
    if by_year.empty:
        st.info("Für die Maßnahmen dieser Gesamtmaßnahme ist keine Finanzierung erfasst.")
        return
    amount = st.radio(
        "Betrag",
        list(charts.AMOUNT_LABELS),
        format_func=charts.AMOUNT_LABELS.__getitem__,
        horizontal=True,
        key=f"{PAGE}.betrag",
    )
    st.altair_chart(charts.funding_chart(by_year, amount=amount), width="stretch")
    totals = report.funding_totals.rename(
        columns={
            "planned": "geplant (€)",
            "approved": "bewilligt (€)",
            "paid": "ausgezahlt (€)",
            "planned_share": "Anteil geplant (%)",
        }
    )
    shown, config = german_table(
        totals.rename_axis("Mittelgeber"),
        numbers={
            "geplant (€)": 2,
            "bewilligt (€)": 2,
            "ausgezahlt (€)": 2,
            "Anteil geplant (%)": 1,
        },
    )
    st.dataframe(shown, column_config=config, width="stretch", placeholder=NO_VALUE_SHORT)


def _comparison(url: str, ident: str) -> None:
    stored_keys = data.layer(url, "indicator_values")["indicator"].unique()
    choices = frames.comparable_choices(data.registry(url), stored_keys)
    if not choices:
        st.info(
            "Für den Vergleich mit der übrigen Stadt ist kein Indikator verfügbar: er braucht "
            "gespeicherte Zählwerte (z. B. Einwohner, Arbeitslose) oder einen Anteil, dessen "
            "Zähler und Nenner gespeichert sind. Importieren Sie sie auf der Seite Import "
            "(oder mit qmon import)."
        )
        return
    by_key = {c.key: c for c in choices}
    chosen = state.choose(
        st, "Indikator", list(by_key), PAGE, "indikator", format_func=lambda k: by_key[k].label
    )
    user = current_user()
    try:
        comp = data.comparison(url, user.name, user.role, ident, chosen)
    except OUR_ERRORS as exc:
        st.warning(f"Der Vergleich lässt sich nicht berechnen: {exc}")
        return
    try:
        residents = data.comparison(url, user.name, user.role, ident, "residents")
    except OUR_ERRORS:
        residents = None  # no population stored: nothing can be judged (said below)
    minimum = int(data.profile(url).min_population)
    judged = disclosed_comparison(comp, residents, indicator=chosen, minimum=minimum)
    unit = by_key[chosen].unit
    level = comp.attrs.get("level")
    st.altair_chart(
        charts.series_chart(
            comparison_series(judged),
            title=f"{by_key[chosen].label} ({unit})" if unit else by_key[chosen].label,
            decimals=0 if unit in ("Personen", "Wohnungen") else 1,
            reference=frames.COMPARISON_COLUMNS["city"],
        ),
        width="stretch",
    )
    table = frames.comparison_table(
        judged,
        decimals=0 if by_key[chosen].unit in ("Personen", "Wohnungen") else 1,
        unit=unit,
        minimum=minimum,
        level=level,
    )
    st.dataframe(table.rename(index=german.date), width="stretch", placeholder=NO_VALUE_SHORT)
    st.caption(comparison_note(level))
    if residents is None:
        st.caption(
            "Es sind keine Einwohnerzahlen gespeichert: die Mindestgröße von "
            f"{german.number(minimum)} Einwohnern lässt sich nicht prüfen. Importieren Sie die "
            "Einwohnerzahlen (Indikator residents), damit kleine Gebiete unterdrückt werden."
        )


def comparison_series(judged: pd.DataFrame) -> pd.DataFrame:
    """Return the comparison (indexed by period) as the long frame the series chart takes.

    Examples
    --------
    >>> j = pd.DataFrame({"area": [5.0], "rest": [4.0], "city": [4.1]},
    ...                  index=pd.to_datetime(["2022-12-31"]))
    >>> comparison_series(j)["series"].tolist()
    ['Fördergebiet', 'übrige Stadt', 'Stadt insgesamt']
    """
    return pd.concat(
        [
            pd.DataFrame(
                {"period": judged.index, "series": name, "value": judged[column].to_numpy()}
            )
            for column, name in frames.COMPARISON_COLUMNS.items()
        ],
        ignore_index=True,
    )


def comparison_note(level: str | None) -> str:
    """Return the caption under the comparison: from which areas the values are estimated.

    Examples
    --------
    >>> comparison_note("Stadtteil").split(";")[0]
    'Werte des Fördergebiets aus den Stadtteilen flächengewichtet geschätzt'
    >>> comparison_note("Sozialraum").split(";")[0]
    'Werte des Fördergebiets aus den Gebieten der Ebene „Sozialraum“ flächengewichtet geschätzt'
    """
    return (
        f"Werte des Fördergebiets aus den {level_dative_plural(level or '')} flächengewichtet "
        "geschätzt; Anteile aus geschätzten Zählern und Nennern neu berechnet."
    )


def _timeline(report: ProgressReport) -> None:
    bars = report.timeline
    if bars.empty:
        st.info("Keine Maßnahmen mit Beginn erfasst.")
        return
    st.altair_chart(charts.timeline_chart(bars), width="stretch")
