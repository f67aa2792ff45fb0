"""Every map of the app (geo.webmap and the pages' maps) has a metric scale bar only."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
import shapely

from geo.webmap import MapLayers, base_map, monitoring_map, preview_map

SCALE = re.compile(r"L\.control\.scale\((.*?)\)\.addTo")


def _scale_options(html: str) -> list[str]:
    return SCALE.findall(html)


def _frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["A"], "name": ["Quartier"]},
        geometry=[shapely.box(500000, 5700000, 501000, 5701000)],
        crs="EPSG:25832",
    )


def _maps() -> dict[str, str]:
    from ui.drawing import drawing_map
    from ui.qm_activities import pick_map

    frame = _frame()
    none = gpd.GeoDataFrame(
        {"title": [], "kind": [], "date": [], "participants": []}, geometry=[], crs=frame.crs
    )
    maps = {
        "base_map": base_map((9.0, 51.4, 9.1, 51.5)),
        "monitoring_map": monitoring_map(MapLayers(areas=frame)),
        "preview_map": preview_map(frame, columns=["name"]),
        "drawing_map": drawing_map(kinds=["point"]),
        "pick_map": pick_map(frame, none, None),
    }
    return {name: m.get_root().render() for name, m in maps.items()}


@pytest.mark.parametrize(
    "name", ["base_map", "monitoring_map", "preview_map", "drawing_map", "pick_map"]
)
def test_every_map_has_one_metric_scale_bar(name: str) -> None:
    html = _maps()[name]
    options = _scale_options(html)
    assert len(options) == 1, options  # folium's own control_scale is off
    assert '"imperial": false' in options[0] and '"metric": true' in options[0]


@pytest.mark.parametrize(
    "name", ["base_map", "monitoring_map", "preview_map", "drawing_map", "pick_map"]
)
def test_every_map_has_german_zoom_buttons_only(name: str) -> None:
    html = _maps()[name]
    assert '"zoomControl": false' in html  # Leaflet's own buttons say "Zoom in"
    assert html.count("L.control.zoom(") == 1
    assert f'"zoomInTitle": {json.dumps("Vergrößern")}' in html  # tojson escapes umlauts
    assert '"zoomOutTitle": "Verkleinern"' in html


def test_the_drawing_tools_speak_german_before_the_tool_is_built() -> None:
    from ui.drawing import DRAW_TEXTS

    html = _maps()["drawing_map"]
    assert html.index("L.drawLocal") < html.index("new L.Control.Draw")
    assert DRAW_TEXTS["draw"]["toolbar"]["finish"]["text"] == "Fertig"
    assert '"Fertig"' in html and json.dumps("Fläche zeichnen") in html


def _leaves(tree: dict, path: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out |= _leaves(value, f"{path}.{key}")
        else:
            out[f"{path}.{key}"] = value
    return out


def test_every_text_of_leaflet_draw_is_translated() -> None:
    """Each key of the vendored Leaflet.draw's L.drawLocal has a German text."""
    from ui.assets import STATIC_DIR
    from ui.drawing import DRAW_TEXTS

    script = (STATIC_DIR / "vendor" / "leaflet-draw" / "leaflet.draw.js").read_text()
    start = script.index("drawLocal=") + len("drawLocal=")
    end = script.index(",L.Draw.Event={}", start)
    as_json = re.sub(r"([{,])(\w+):", r'\1"\2":', script[start:end])
    english = _leaves(json.loads(as_json))
    german = _leaves(DRAW_TEXTS)
    assert set(german) == set(english)
    same = [k for k in english if german[k] == english[k] and k != ".draw.handlers.circle.radius"]
    assert not same, same
