"""Web-map building blocks: layers for folium in WGS84 with escaped, rounded properties.

Every text that comes from data is HTML-escaped here, before folium sees it: folium
puts tooltip and popup values into the page as HTML.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import folium
import geopandas as gpd
import pandas as pd

from geo.crs import WEB_CRS

#: Decimal places of WGS84 coordinates on the web map: 5 places are about 1 m.
COORD_PRECISION = 5


def web_frame(frame: gpd.GeoDataFrame, *, columns: Sequence[str]) -> gpd.GeoDataFrame:
    """Return the given columns in WGS84, text escaped and coordinates rounded.

    Examples
    --------
    >>> import shapely
    >>> f = gpd.GeoDataFrame({"name": ["<b>x</b>"]}, geometry=[shapely.Point(500000, 5700000)],
    ...                      crs="EPSG:25832")
    >>> out = web_frame(f, columns=["name"])
    >>> out["name"].iloc[0]
    '&lt;b&gt;x&lt;/b&gt;'
    >>> out.geometry.iloc[0].x
    9.0
    """
    out = frame[list(columns) + [frame.geometry.name]].to_crs(WEB_CRS)
    for col in columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: v if v is None else html.escape(str(v)))
    out = out.set_geometry(out.geometry.set_precision(10**-COORD_PRECISION))
    return out


def overview_map(
    areas: gpd.GeoDataFrame,
    funding_areas: gpd.GeoDataFrame,
    *,
    tiles: str | None = None,
    attribution: str | None = None,
) -> folium.Map:
    """Return a map of the statistical areas with the funding areas outlined on top.

    Parameters
    ----------
    areas
        Statistical areas with ``id``, ``name`` and ``level``.
    funding_areas
        Funding areas with ``id``, ``name`` and ``programme_id``.
    tiles
        A tile URL template, or None for no basemap (the map stays usable offline).
    attribution
        Required by most tile servers when ``tiles`` is given.
    """
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    if tiles:
        folium.TileLayer(tiles=tiles, attr=attribution or "", name="Hintergrund").add_to(fmap)
    if len(areas):
        web = web_frame(areas, columns=["id", "name", "level"])
        folium.GeoJson(
            web.to_json(),
            name="Gebiete",
            style_function=lambda _: {"color": "#555555", "weight": 1, "fillOpacity": 0.05},
            tooltip=folium.GeoJsonTooltip(["name", "id", "level"], ["Gebiet", "Kennung", "Ebene"]),
        ).add_to(fmap)
    if len(funding_areas):
        web = web_frame(funding_areas, columns=["id", "name", "programme_id"])
        folium.GeoJson(
            web.to_json(),
            name="Fördergebiete",
            style_function=lambda _: {"color": "#1f4e99", "weight": 3, "fillOpacity": 0.1},
            tooltip=folium.GeoJsonTooltip(["name", "programme_id"], ["Fördergebiet", "Programm"]),
        ).add_to(fmap)
    bounds = pd.concat([areas.to_crs(WEB_CRS).geometry, funding_areas.to_crs(WEB_CRS).geometry])
    if len(bounds):
        minx, miny, maxx, maxy = bounds.total_bounds
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap
