"""The map of the overview: every Gesamtmaßnahme, filled by reporting status, outlined by
programme (:func:`geo.webmap.funding_area_layer`), with a legend.

Drawn from the register's geometry as :func:`geo.webmap.display_geometry` makes it light
(the app caches that); texts are escaped for the map like every other layer.
"""

from __future__ import annotations

from collections.abc import Mapping

import folium
import geopandas as gpd
import pandas as pd

from geo.webmap import (
    Legend,
    LegendEntry,
    LegendSection,
    base_map,
    funding_area_layer,
    web_frame,
)
from monitoring.federal.overview import STATUS_LATE, STATUS_MISSING, STATUS_REPORTED

NOT_EXPECTED = "nicht erwartet"
STATUS_COLOURS: Mapping[str, str] = {
    STATUS_REPORTED: "#009E73",
    STATUS_MISSING: "#E69F00",
    STATUS_LATE: "#D55E00",
    NOT_EXPECTED: "#BBBBBB",
}
"""Okabe–Ito colours (readable with colour blindness) per reporting status."""


def status_frame(display: gpd.GeoDataFrame, areas: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the display geometry with each Gesamtmaßnahme's status (``nicht erwartet``
    for those not in the roll-up).

    Examples
    --------
    >>> import shapely
    >>> d = gpd.GeoDataFrame({"id": ["A", "B"], "name": ["a", "b"], "programme_id": ["p", "p"]},
    ...                      geometry=[shapely.Point(0, 0)] * 2, crs="EPSG:4326")
    >>> a = pd.DataFrame({"Gesamtmaßnahme": ["A"], "Status": ["gemeldet"]})
    >>> status_frame(d, a)["status"].tolist()
    ['gemeldet', 'nicht erwartet']
    """
    status = dict(zip(areas["Gesamtmaßnahme"], areas["Status"]))
    return display.assign(status=display["id"].map(lambda i: status.get(i, NOT_EXPECTED)))


def overview_map(
    display: gpd.GeoDataFrame,
    areas: pd.DataFrame,
    *,
    programme_names: Mapping[str, str],
) -> folium.Map:
    """Return the map of all Gesamtmaßnahmen by reporting status and programme.

    ``display`` is the funding areas' display geometry (WGS84; ``id``, ``name``,
    ``programme_id``); ``areas`` the roll-up's table of Gesamtmaßnahmen with their status.
    """
    shown = status_frame(display, areas)
    shown = shown[shown.geometry.notna() & ~shown.geometry.is_empty]
    bounds = tuple(float(v) for v in shown.total_bounds) if len(shown) else None
    fmap = base_map(bounds)  # type: ignore[arg-type]
    if len(shown):
        web = web_frame(shown, columns=["name", "status"])
        folium.GeoJson(
            web.to_json(),
            name="Stand der Meldungen",
            style_function=lambda f: {
                "fillColor": STATUS_COLOURS.get(f["properties"]["status"], "#BBBBBB"),
                "fillOpacity": 0.55,
                "weight": 0,
            },
            tooltip=folium.GeoJsonTooltip(["name", "status"], aliases=["Gesamtmaßnahme", "Stand"]),
        ).add_to(fmap)
        layer, programmes = funding_area_layer(shown, programme_names=programme_names)
        layer.add_to(fmap)
        present = [s for s in STATUS_COLOURS if s in set(shown["status"])]
        statuses = LegendSection(
            "Stand der Meldungen",
            tuple(LegendEntry(STATUS_COLOURS[s], s, key=s) for s in present),
        )
        Legend([statuses, programmes]).add_to(fmap)
    return fmap
