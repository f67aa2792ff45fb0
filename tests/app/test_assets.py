"""The map's scripts and stylesheets point at the app's own copies, never at a CDN."""

from __future__ import annotations

import branca.colormap
import folium
import folium.plugins
import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.webmap import ChoroplethSpec, MapLayers, monitoring_map
from ui.assets import ASSETS, AssetError, localize, missing_files


def _links(fmap: folium.Map) -> list[str]:
    out = []
    stack = [fmap]
    while stack:
        element = stack.pop()
        out += [url for _, url in getattr(element, "default_js", [])]
        out += [url for _, url in getattr(element, "default_css", [])]
        stack += list(getattr(element, "_children", {}).values())
    return out


def test_every_link_of_the_monitoring_map_is_local() -> None:
    measures = gpd.GeoDataFrame(
        {"id": [f"M{i}" for i in range(80)], "title": "T", "status": "geplant"},
        geometry=[shapely.Point(500000 + 10 * i, 5700000) for i in range(80)],
        crs="EPSG:25832",
    )
    areas = gpd.GeoDataFrame(
        {"id": ["1"], "name": ["A"]}, geometry=[shapely.box(9, 51, 9.1, 51.1)], crs=4326
    )
    fmap = monitoring_map(
        MapLayers(
            areas=areas, values=pd.Series({"1": 1.0}), spec=ChoroplethSpec("A"), measures=measures
        )
    )
    assert any("cdn" in url or "cloudflare" in url for url in _links(fmap))  # folium's default
    links = _links(localize(fmap, base_url="/app/static/vendor"))
    assert links and all(url.startswith("/app/static/vendor/") for url in links)
    assert any(url.endswith("leaflet.markercluster.js") for url in links)  # clustered
    html = fmap.get_root().render()
    assert "https://" not in html.split("<body>")[0]  # no remote script or stylesheet
    # the class defaults stay untouched for other maps
    assert folium.Map.default_js[0][1].startswith("https://")


def test_unknown_resources_and_colormaps_are_refused() -> None:
    fmap = folium.Map(tiles=None)
    folium.plugins.Fullscreen().add_to(fmap)
    with pytest.raises(AssetError, match="no local copy"):
        localize(fmap)
    other = folium.Map(tiles=None)
    branca.colormap.LinearColormap(["#ffffff", "#000000"], vmin=0, vmax=1).add_to(other)
    with pytest.raises(AssetError, match="d3"):
        localize(other)


def test_vendored_files_are_installed() -> None:
    assert "leaflet" in ASSETS
    assert missing_files() == [], "run scripts/vendor_assets.sh"
