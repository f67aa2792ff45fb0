"""The map frames the main body of the areas; levels are named by their stored names."""

from __future__ import annotations

import re

import folium
import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.levels import level_dative_plural, level_label, level_plural
from geo.webmap import (
    NO_DATA_COLOUR,
    NO_VALUE_TEXT,
    SUPPRESSED_FILL,
    SUPPRESSED_TEXT,
    ChoroplethSpec,
    MapLayers,
    choropleth_layer,
    framing_bounds,
    monitoring_map,
)

CRS = "EPSG:25832"
X0, Y0 = 560_000.0, 5_930_000.0


def _city(*, island_km: float | None = 100.0) -> gpd.GeoDataFrame:
    """40 squares of 1 km (8 x 5) and, optionally, a 1 km² island ``island_km`` east."""
    cells = [
        shapely.box(X0 + i * 1000, Y0 + j * 1000, X0 + (i + 1) * 1000, Y0 + (j + 1) * 1000)
        for j in range(5)
        for i in range(8)
    ]
    ids = [f"S{k:02d}" for k in range(40)]
    if island_km is not None:
        x = X0 + island_km * 1000
        cells.append(shapely.box(x, Y0 + 2000, x + 1000, Y0 + 3000))
        ids.append("INSEL")
    return gpd.GeoDataFrame({"id": ids, "name": ids, "level": "Stadtteil"}, geometry=cells, crs=CRS)


def test_an_island_far_out_does_not_push_the_city_into_a_corner() -> None:
    city = _city()
    assert framing_bounds(city.geometry) == (X0, Y0, X0 + 8000, Y0 + 5000)
    # in WGS84 as the web map has it: the frame is the 40 squares, not the island
    web = city.to_crs("EPSG:4326")
    body = tuple(float(v) for v in web.iloc[:40].total_bounds)
    got = framing_bounds(web.geometry)
    assert got == pytest.approx(body)
    assert got[2] < float(web.total_bounds[2]) - 1.0  # more than a degree west of the island


def test_an_exclave_as_part_of_a_multipolygon_is_left_out_of_the_frame() -> None:
    city = _city(island_km=None)
    island = shapely.box(X0 + 100_000, Y0, X0 + 101_000, Y0 + 1000)
    city.loc[39, "geometry"] = shapely.MultiPolygon([city.geometry.iloc[39], island])
    assert framing_bounds(city.geometry) == (X0, Y0, X0 + 8000, Y0 + 5000)


def test_nothing_is_left_out_when_the_far_part_holds_much_of_the_area() -> None:
    city = _city(island_km=None)
    big = shapely.box(X0 + 100_000, Y0, X0 + 130_000, Y0 + 30_000)  # far bigger than the city
    both = pd.concat([city.geometry, gpd.GeoSeries([big], crs=CRS)], ignore_index=True)
    assert framing_bounds(both) == tuple(float(v) for v in both.total_bounds)


def test_a_compact_city_keeps_all_its_bounds_and_empty_input_has_none() -> None:
    city = _city(island_km=None)
    assert framing_bounds(city.geometry) == tuple(float(v) for v in city.total_bounds)
    assert framing_bounds(gpd.GeoSeries([], crs=CRS)) is None
    points = gpd.GeoSeries([shapely.Point(0, 0), shapely.Point(100_000, 0)], crs=CRS)
    assert framing_bounds(points) == (0.0, 0.0, 100_000.0, 0.0)


def test_the_monitoring_map_is_fitted_to_the_main_body() -> None:
    city = _city().to_crs("EPSG:4326")
    fmap = monitoring_map(MapLayers(areas=city, spec=ChoroplethSpec("Anteil"), level="Stadtteil"))
    page = fmap.get_root().render()
    fitted = re.search(r"fitBounds\(\s*\[\[([^\]]+)\],\s*\[([^\]]+)\]\]", page)
    assert fitted is not None
    south_west = [float(v) for v in fitted.group(1).split(",")]
    north_east = [float(v) for v in fitted.group(2).split(",")]
    body = city.iloc[:40].total_bounds
    assert south_west == pytest.approx([body[1], body[0]])
    assert north_east == pytest.approx([body[3], body[2]])


def test_real_berlin_planning_areas_are_framed_whole(real_data) -> None:
    plr = gpd.read_file(real_data / "berlin_lor_shapes" / "lor_post2021_PLR")
    assert len(plr) == 542
    for frame in (plr, plr.to_crs("EPSG:4326")):
        assert framing_bounds(frame.geometry) == tuple(float(v) for v in frame.total_bounds)


# --- level names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "plural", "dative"),
    [
        ("Planungsraum", "Planungsräume", "Planungsräumen"),
        ("Stadtteil", "Stadtteile", "Stadtteilen"),
        ("Ortsteil", "Ortsteile", "Ortsteilen"),
        ("Bezirk", "Bezirke", "Bezirken"),
        ("Bezirksregion", "Bezirksregionen", "Bezirksregionen"),
        ("Statistischer Bezirk", "Statistische Bezirke", "Statistischen Bezirken"),
        ("Sozialraum", "Gebiete der Ebene „Sozialraum“", "Gebieten der Ebene „Sozialraum“"),
    ],
)
def test_level_plurals(level: str, plural: str, dative: str) -> None:
    assert level_plural(level) == plural
    assert level_dative_plural(level) == dative
    assert level_label(level) == level


def test_choropleth_names_the_level_and_keeps_no_value_apart_from_suppressed() -> None:
    city = _city(island_km=None).to_crs("EPSG:4326")
    values = pd.Series({f"S{k:02d}": float(k) for k in range(38)})  # S38 no value, S39 small
    layer, legend = choropleth_layer(
        city,
        values,
        spec=ChoroplethSpec("Arbeitslosenanteil", unit="%", suppressed_label="unterdrückt (x)"),
        suppressed=["S39"],
        level="Ortsteil",
        notes={"S38": "noch nicht verfügbar (…)", "S01": "eingeschränkt aussagefähig ( )"},
    )
    assert layer.layer_name == "Ortsteile"
    tooltip = next(c for c in layer._children.values() if isinstance(c, folium.GeoJsonTooltip))
    assert tooltip.aliases == ["Ortsteil", "Kennung", "Arbeitslosenanteil"]
    props = {f["properties"]["id"]: f["properties"] for f in layer.data["features"]}
    assert props["S39"]["farbe"] == SUPPRESSED_FILL and props["S39"]["wert"] == SUPPRESSED_TEXT
    assert props["S38"]["farbe"] == NO_DATA_COLOUR
    assert props["S38"]["wert"] == f"{NO_VALUE_TEXT}: noch nicht verfügbar (…)"
    assert props["S01"]["wert"] == "1,0 % (eingeschränkt aussagefähig ( ))"
    labels = [e.label for e in legend.entries]
    assert labels[-2:] == [NO_VALUE_TEXT, "unterdrückt (x)"]
    assert [e.swatch for e in legend.entries][-2:] == ["fill", "hatch"]
