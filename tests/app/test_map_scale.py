"""Every map of the app (geo.webmap and the pages' maps) has a metric scale bar only."""

from __future__ import annotations

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
