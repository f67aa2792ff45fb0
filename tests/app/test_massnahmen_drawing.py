"""The drawing map: Leaflet.draw served locally, only the tools asked for, the existing
geometry editable, and drawn WGS84 coordinates back in the store's CRS."""

from __future__ import annotations

import folium
import pytest
import shapely
from pyproj import Transformer

from ui.assets import localize
from ui.drawing import drawing_map, drawn_geometry


def _links(fmap: folium.Map) -> list[str]:
    out, stack = [], [fmap]
    while stack:
        element = stack.pop()
        out += [url for _, url in getattr(element, "default_js", [])]
        out += [url for _, url in getattr(element, "default_css", [])]
        stack += list(getattr(element, "_children", {}).values())
    return out


def _draw(fmap: folium.Map) -> folium.plugins.Draw:
    return next(c for c in fmap._children.values() if isinstance(c, folium.plugins.Draw))


def test_the_draw_plugin_is_served_from_the_local_copy() -> None:
    fmap = localize(drawing_map(kinds=["point", "line", "polygon"]), base_url="/app/static/vendor")
    links = _links(fmap)
    assert "/app/static/vendor/leaflet-draw/leaflet.draw.js" in links
    assert "/app/static/vendor/leaflet-draw/leaflet.draw.css" in links
    assert all(url.startswith("/app/static/vendor/") for url in links), links
    html = fmap.get_root().render()
    assert "cdnjs" not in html and "https://" not in html.split("<body>")[0]


def test_only_the_tools_asked_for_are_offered() -> None:
    options = _draw(drawing_map(kinds=["line"])).draw_options
    assert options["polyline"] is not False
    assert all(options[t] is False for t in ("marker", "polygon", "rectangle", "circle"))
    with pytest.raises(ValueError, match="allowed"):
        drawing_map(kinds=["circle"])


def test_the_existing_geometry_is_editable_in_the_draw_group() -> None:
    polygon = shapely.box(9.0, 51.0, 9.01, 51.01)
    fmap = drawing_map(kinds=["polygon"], existing=polygon)
    draw = _draw(fmap)
    parts = list(draw.feature_group._children.values())
    assert len(parts) == 1 and isinstance(parts[0], folium.Polygon)
    assert len(parts[0].locations) == 4  # the ring without its closing point, as (lat, lon)
    assert (51.0, 9.0) in [tuple(p) for p in parts[0].locations]


def test_drawn_wgs84_comes_back_in_the_store_crs() -> None:
    to_wgs = Transformer.from_crs("EPSG:25833", "EPSG:4326", always_xy=True)
    corners = [(390_000.0, 5_820_000.0), (390_300.0, 5_820_000.0), (390_300.0, 5_820_200.0)]
    ring = [list(to_wgs.transform(x, y)) for x, y in corners]
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
    }
    point = {"type": "Feature", "geometry": {"type": "Point", "coordinates": ring[0]}}
    got = drawn_geometry([point, feature], kinds=["polygon"], store_crs="EPSG:25833")
    assert got.geom_type == "Polygon"
    for (x, y), (gx, gy) in zip(corners, got.exterior.coords):
        assert abs(x - gx) < 0.01 and abs(y - gy) < 0.01
    # the last feature of an allowed kind wins; none at all is None
    assert drawn_geometry([feature, point], kinds=["point"], store_crs="EPSG:25833").geom_type == (
        "Point"
    )
    assert drawn_geometry(None, kinds=["point"], store_crs="EPSG:25833") is None
