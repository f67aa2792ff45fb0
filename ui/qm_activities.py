"""Reiter „Aktivitäten“: Zahlen je Jahr, Liste, und neue Aktivität mit Ort auf der Karte.

Eine Aufräum- oder Verschönerungsaktion, ein Fest, ein Treffen: Art, Datum, Ort (als
Text und als Punkt: ein Klick auf die Karte setzt ihn), Veranstalter (Akteure),
Teilnehmende und Ehrenamtliche. Die Aktivitäten erscheinen auch auf der Seite „Karte“.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st
from streamlit_folium import st_folium

from geo import german
from geo.webmap import WEB_CRS, activity_layer, base_map, web_frame
from monitoring import services
from monitoring.auth import ROLE_LABELS, User
from monitoring.neighbourhood.activities import ACTIVITY_KINDS
from ui import assets, charts, data
from ui.common import names, static_url
from ui.inputs import number_field, read_numbers
from ui.qm_common import attempt, form_errors, generation, next_id, text_or_none
from ui.tables import german_table

PICKED = "qm.aktivitaet.punkt"
SEEN = "qm.aktivitaet.klick"
YEAR_COLUMNS = {
    "year": "Jahr",
    "activities": "Aktivitäten",
    "participants": "Teilnehmende",
    "volunteers": "Ehrenamtliche",
}


def pick_map(
    area: gpd.GeoDataFrame,
    activities: gpd.GeoDataFrame,
    picked: tuple[float, float] | None,
) -> folium.Map:
    """Return the map to place an activity on: the area, its activities, the point picked.

    ``picked`` is (latitude, longitude) in WGS84.

    Examples
    --------
    >>> a = gpd.GeoDataFrame({"id": ["FA"]}, geometry=[shapely.box(500000, 5700000,
    ...     501000, 5701000)], crs="EPSG:25832")
    >>> none = gpd.GeoDataFrame({"title": [], "kind": [], "date": [], "participants": []},
    ...     geometry=[], crs="EPSG:25832")
    >>> page = pick_map(a, none, (51.45, 9.0)).get_root().render()
    >>> "gewählter Ort" in page, "Aktivitäten" in page
    (True, False)
    """
    outline = web_frame(area.assign(id=area["id"].astype(str)), columns=["id"])
    bounds = tuple(float(v) for v in outline.total_bounds) if len(outline) else None
    fmap = base_map(bounds)  # type: ignore[arg-type]
    if len(outline):
        folium.GeoJson(
            outline.__geo_interface__,
            name="Gesamtmaßnahme",
            style_function=lambda _: {"color": "#0072B2", "weight": 2, "fillOpacity": 0.05},
            interactive=False,
        ).add_to(fmap)
    if len(activities):
        layer, _ = activity_layer(activities)
        layer.add_to(fmap)
    if picked is not None:
        folium.Marker(list(picked), tooltip="gewählter Ort").add_to(fmap)
    return fmap


def to_store_point(lat: float, lng: float, crs: Any) -> shapely.Point:
    """Return a clicked WGS84 position as a point in the store's CRS (rounded to cm).

    Examples
    --------
    >>> p = to_store_point(51.4, 9.0, "EPSG:25832")
    >>> round(p.x), round(p.y)
    (500000, 5694308)
    """
    one = gpd.GeoSeries([shapely.Point(lng, lat)], crs=WEB_CRS).to_crs(crs).iloc[0]
    return shapely.Point(round(one.x, 2), round(one.y, 2))


def clicked(out: Mapping[str, Any] | None) -> tuple[float, float] | None:
    """Return (lat, lng) of st_folium's ``last_clicked``, None without a click.

    Examples
    --------
    >>> clicked({"last_clicked": {"lat": 51.4, "lng": 9.0}}), clicked(None)
    ((51.4, 9.0), None)
    """
    point = (out or {}).get("last_clicked")
    if not point:
        return None
    return float(point["lat"]), float(point["lng"])


def render(url: str, area: str, user: User, *, today: dt.date) -> None:
    """Draw the year's figures, the activities and (for editors) the form."""
    activities = data.layer(url, "activities")
    activities = activities[activities["funding_area_id"] == area]
    figures = services.activity_figures(data.store(url), user, area)
    years = figures["years"]
    this_year = years[years["year"] == today.year]
    counts = this_year.iloc[0] if len(this_year) else None
    c = st.columns(3)
    for place, (column, label) in zip(c, list(YEAR_COLUMNS.items())[1:]):
        figure = 0 if counts is None else counts[column]
        place.metric(f"{label} {today.year}", german.number(figure))
    if activities.empty:
        st.info("Für dieses Gebiet sind keine Aktivitäten erfasst.")
    else:
        counted = list(YEAR_COLUMNS.values())[1:]
        st.markdown("**Je Jahr**")
        if len(years):
            st.altair_chart(charts.participation_chart(years), width="stretch")
        _table(years.rename(columns=YEAR_COLUMNS), counted)
        st.markdown("**Je Jahr und Art**")
        _table(figures["kinds"].rename(columns=YEAR_COLUMNS | {"kind": "Art"}), counted)
        shown = pd.DataFrame(activities.drop(columns="geometry")).sort_values(
            "date", ascending=False
        )
        _table(
            shown[["date", "kind", "title", "place", "participants", "volunteers"]].rename(
                columns={
                    "date": "Datum",
                    "kind": "Art",
                    "title": "Titel",
                    "place": "Ort",
                    "participants": "Teilnehmende",
                    "volunteers": "Ehrenamtliche",
                }
            ),
            ["Teilnehmende", "Ehrenamtliche"],
            dates=["Datum"],
        )
    if not user.may("edit_qm"):
        st.caption(f"Ihre Rolle ({ROLE_LABELS[user.role]}) darf Aktivitäten nicht erfassen.")
        return
    _form(url, area, user, activities)


def _table(frame: pd.DataFrame, counted: list[str], *, dates: list[str] | None = None) -> None:
    """Show a table with its counts (and dates) written the German way."""
    shown, config = german_table(frame, numbers=counted, dates=dates or ())
    st.dataframe(shown, column_config=config, hide_index=True, width="stretch")


def _form(url: str, area: str, user: User, activities: gpd.GeoDataFrame) -> None:
    st.subheader("Aktivität erfassen")
    funding = data.layer(url, "funding_areas")
    st.caption("Klicken Sie auf die Karte, um den Ort der Aktivität zu setzen.")
    picked = st.session_state.get(PICKED)
    fmap = assets.localize(
        pick_map(funding[funding["id"] == area], activities, picked), base_url=static_url()
    )
    out = st_folium(
        fmap,
        key="qm_aktivitaet_karte",
        height=380,
        use_container_width=True,
        returned_objects=["last_clicked"],
    )
    point = clicked(out)
    if point is not None and point != st.session_state.get(SEEN):
        st.session_state[SEEN] = point  # the map repeats its last click on every run
        st.session_state[PICKED] = point
        st.rerun()
    if picked is not None:
        st.caption(f"Gewählter Ort: {picked[0]:.5f} N, {picked[1]:.5f} O".replace(".", ","))
    actors = data.all_actors(url, user.name, user.role)
    people = names(actors[actors["funding_area_id"] == area])
    with st.form(f"qm-aktivitaet-{generation()}"):
        title = st.text_input("Titel")
        c1, c2 = st.columns(2)
        kind = c1.selectbox("Art", list(ACTIVITY_KINDS))
        when = c2.date_input("Datum", value=dt.date.today(), format="DD.MM.YYYY")
        place = st.text_input("Ort (Beschreibung)")
        c3, c4 = st.columns(2)
        participants = number_field(
            "Teilnehmende", key="qm.aktivitaet.teilnehmende", kind="integer", container=c3
        )
        volunteers = number_field(
            "Ehrenamtliche", key="qm.aktivitaet.ehrenamtliche", kind="integer", container=c4
        )
        organisers = st.multiselect(
            "Veranstalter (Akteure)", list(people), format_func=lambda v: people[v]
        )
        go = st.form_submit_button("Aktivität speichern", type="primary")
    if not go:
        return
    numbers, errors = read_numbers(
        {
            "participants": ("Teilnehmende", participants, "integer"),
            "volunteers": ("Ehrenamtliche", volunteers, "integer"),
        }
    )
    if form_errors(errors):
        return
    ident = next_id(data.layer(url, "activities")["id"], "AT")
    store = data.store(url)
    record: dict[str, Any] = {
        "id": ident,
        "funding_area_id": area,
        "title": text_or_none(title),
        "kind": kind,
        "date": when,
        "place": text_or_none(place),
        "participants": None if numbers["participants"] is None else int(numbers["participants"]),
        "volunteers": None if numbers["volunteers"] is None else int(numbers["volunteers"]),
        "geometry": None if picked is None else to_store_point(picked[0], picked[1], store.crs),
    }
    attempt(
        lambda: services.save_activity(store, user, record, organisers),
        done=f"Aktivität {ident} gespeichert.",
        forget=[PICKED, "qm.aktivitaet.teilnehmende", "qm.aktivitaet.ehrenamtliche"],
    )
