"""Tests of the web-map builders: display geometry, classification, escaping, layers."""

from __future__ import annotations

import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.errors import GeoError, WebMapError
from geo.webmap import (
    HATCH_ID,
    PALETTES,
    SUPPRESSED_FILL,
    ChoroplethSpec,
    MapLayers,
    Scheme,
    choropleth_layer,
    classify,
    display_geometry,
    framing_bounds,
    funding_area_layer,
    measure_layer,
    monitoring_map,
    parse_basemap,
    sequential_colours,
)

XSS = "<img src=x onerror=alert(1)>"


def _jagged_grid(n: int = 4, size: float = 500.0, seed: int = 1) -> gpd.GeoDataFrame:
    """A coverage of n x n cells whose shared edges are jagged lines (many vertices)."""
    rng = np.random.default_rng(seed)
    # jagged vertical and horizontal edges shared by neighbours
    xs = [i * size for i in range(n + 1)]
    ys = [j * size for j in range(n + 1)]
    steps = 40

    def vline(i: int, j: int) -> list[tuple[float, float]]:
        x0 = xs[i]
        pts = [(x0, ys[j])]
        for s in range(1, steps):
            jitter = 0.0 if i in (0, n) or not 4 <= s <= steps - 4 else float(rng.normal(0, 9))
            pts.append((x0 + jitter, ys[j] + s * size / steps))
        pts.append((x0, ys[j + 1]))
        return pts

    def hline(i: int, j: int) -> list[tuple[float, float]]:
        y0 = ys[j]
        pts = [(xs[i], y0)]
        for s in range(1, steps):
            jitter = 0.0 if j in (0, n) or not 4 <= s <= steps - 4 else float(rng.normal(0, 9))
            pts.append((xs[i] + s * size / steps, y0 + jitter))
        pts.append((xs[i + 1], y0))
        return pts

    v = {(i, j): vline(i, j) for i in range(n + 1) for j in range(n)}
    h = {(i, j): hline(i, j) for i in range(n) for j in range(n + 1)}
    cells, ids = [], []
    for i in range(n):
        for j in range(n):
            ring = h[(i, j)] + v[(i + 1, j)][1:] + h[(i, j + 1)][::-1][1:] + v[(i, j)][::-1][1:]
            cells.append(shapely.Polygon(ring))
            ids.append(f"{i}{j}")
    polys = [shapely.affinity.translate(c, 500000.0, 5700000.0) for c in cells]
    return gpd.GeoDataFrame(
        {"id": ids, "name": [f"Gebiet {k}" for k in ids]}, geometry=polys, crs="EPSG:25832"
    )


def test_display_geometry_keeps_a_coverage_without_gaps_or_overlaps() -> None:
    grid = _jagged_grid()
    assert shapely.coverage_is_valid(grid.geometry.values)
    out = display_geometry(grid, tolerance=10.0)
    assert str(out.crs) == "EPSG:4326"
    assert list(out.index) == list(grid.index) and list(out["id"]) == list(grid["id"])
    before = shapely.get_num_coordinates(grid.geometry.values).sum()
    after = shapely.get_num_coordinates(out.geometry.values).sum()
    assert after < 0.7 * before, (before, after)
    assert shapely.coverage_is_valid(out.geometry.values)
    # no gaps: the union is one polygon without holes, of the same area as the parts
    union = shapely.union_all(out.geometry.values)
    assert isinstance(union, shapely.Polygon) and len(union.interiors) == 0
    assert union.area == pytest.approx(shapely.area(out.geometry.values).sum(), rel=1e-9)
    # coordinates rounded to 5 decimals
    coords = shapely.get_coordinates(out.geometry.values)
    assert np.allclose(coords, np.round(coords, 5), atol=1e-12)


def test_display_geometry_refuses_geographic_crs() -> None:
    frame = gpd.GeoDataFrame({"id": ["a"]}, geometry=[shapely.box(9, 51, 9.1, 51.1)], crs=4326)
    with pytest.raises(WebMapError, match="projizierten Bezugssystem"):
        display_geometry(frame)


def test_display_geometry_on_real_berlin_planning_areas(real_data) -> None:
    plr = gpd.read_file(real_data / "berlin_lor_shapes" / "lor_post2021_PLR")
    out = display_geometry(plr, tolerance=10.0)
    assert len(out) == 542
    assert shapely.coverage_is_valid(out.geometry.values)
    union = shapely.union_all(out.to_crs(plr.crs).geometry.values)
    assert union.area == pytest.approx(out.to_crs(plr.crs).geometry.area.sum(), rel=1e-6)
    # the property is not automatic: simplifying area by area overlaps and opens gaps
    naive = shapely.simplify(plr.geometry.values, 10.0, preserve_topology=True)
    assert not shapely.coverage_is_valid(naive)
    assert shapely.union_all(naive).area < shapely.area(naive).sum() - 100_000  # > 0.1 km²
    size = len(out[["PLR_ID", "geometry"]].to_json(drop_id=True, separators=(",", ":")))
    assert size < 1_000_000, size
    # the outline stays within a few metres of the original: compare areas in metres
    back = out.to_crs(plr.crs)
    rel = (back.geometry.area - plr.geometry.area).abs() / plr.geometry.area
    assert rel.median() < 0.01


@pytest.mark.parametrize("scheme", ["quantiles", "natural_breaks", "equal_interval"])
def test_classify_every_value_falls_in_its_class(scheme: Scheme) -> None:
    rng = np.random.default_rng(3)
    values = pd.Series(rng.gamma(2.0, 3.0, 200), index=[f"a{i}" for i in range(200)])
    values.iloc[5] = np.nan
    c = classify(values, scheme=scheme, k=5)
    assert c.k == 5 and list(c.bins) == sorted(c.bins)
    assert c.classes.iloc[5] == -1
    assert c.classes.index.equals(values.index)
    for (low, high), i in zip(c.ranges(), range(c.k)):
        members = values[c.classes == i]
        assert ((members >= low - 1e-9) & (members <= high + 1e-9)).all()
    if scheme == "quantiles":
        counts = c.classes[c.classes >= 0].value_counts()
        assert counts.max() - counts.min() <= 2


def test_classify_natural_breaks_finds_obvious_groups() -> None:
    values = pd.Series([1.0, 1.1, 1.2, 10.0, 10.1, 10.2, 50.0, 50.5])
    c = classify(values, scheme="natural_breaks", k=3)
    assert c.classes.tolist() == [0, 0, 0, 1, 1, 1, 2, 2]


def test_classify_few_distinct_values_and_bad_options() -> None:
    c = classify(pd.Series([2.0, 2.0, 3.0]), scheme="quantiles", k=5)
    assert c.k == 2
    assert classify(pd.Series([np.nan, np.nan])).k == 0
    with pytest.raises(WebMapError, match="natural_breaks"):
        classify(pd.Series([1.0]), scheme="jenks", k=3)  # type: ignore[arg-type]
    with pytest.raises(WebMapError, match="2 bis 7"):
        classify(pd.Series([1.0]), k=9)


def test_palettes_are_ordered_light_to_dark() -> None:
    def lightness(hex_colour: str) -> float:
        r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    for name in PALETTES:
        values = [lightness(c) for c in sequential_colours(7, palette=name)]  # type: ignore[arg-type]
        assert values == sorted(values, reverse=True), name


def _areas_web() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["1", "2", "3"], "name": [XSS, "B", "C"]},
        geometry=[shapely.box(9 + i * 0.1, 51, 9.1 + i * 0.1, 51.1) for i in range(3)],
        crs="EPSG:4326",
    )


def test_choropleth_escapes_names_and_shows_units_in_legend() -> None:
    layer, legend = choropleth_layer(
        _areas_web(),
        pd.Series({"1": 1.0, "2": 7.5}),
        spec=ChoroplethSpec("Arbeitslosenquote", unit="%", scheme="equal_interval", k=2),
    )
    data = layer.data
    props = {f["properties"]["id"]: f["properties"] for f in data["features"]}
    assert props["1"]["name"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert props["3"]["wert"] == "keine Angabe" and props["3"]["farbe"] == "#ffffff"
    assert props["2"]["wert"] == "7,5 %"
    # the class bound 4,25 is rounded commercially (geo.german, DIN 1333): 4,3
    assert [e.label for e in legend.entries] == ["1,0 – 4,3 %", "4,3 – 7,5 %", "keine Angabe"]


def test_choropleth_with_fixed_classes_for_the_social_index() -> None:
    neutral = sequential_colours(2, palette="neutral")
    spec = ChoroplethSpec(
        "Statusindex", categories=((1.0, "hoch", neutral[0]), (2.0, "mittel", neutral[1]))
    )
    layer, legend = choropleth_layer(_areas_web(), pd.Series({"1": 1.0, "2": 2.0}), spec=spec)
    props = [f["properties"] for f in layer.data["features"]]
    assert [p["wert"] for p in props] == ["hoch", "mittel", "ohne Zuordnung"]
    assert all(p["farbe"] in set(PALETTES["neutral"]) | {"#ffffff"} for p in props)


def test_suppressed_areas_get_no_class_a_hatch_and_their_own_legend_entry() -> None:
    areas = gpd.GeoDataFrame(
        {"id": [str(i) for i in range(6)], "name": list("ABCDEF")},
        geometry=[shapely.box(9 + i * 0.1, 51, 9.1 + i * 0.1, 51.1) for i in range(6)],
        crs="EPSG:4326",
    )
    values = pd.Series({"0": 2.0, "1": 4.0, "2": 6.0, "3": 8.0, "4": 0.0})  # "5": no value
    spec = ChoroplethSpec(
        "Arbeitslosenanteil",
        unit="%",
        scheme="equal_interval",
        k=3,
        suppressed_label="unterdrückt (weniger als 300 Einwohner)",
    )
    layer, legend = choropleth_layer(areas, values, spec=spec, suppressed={"4"})
    props = {f["properties"]["id"]: f["properties"] for f in layer.data["features"]}
    # the suppressed 0.0 takes no part in the classes: 2 .. 8 in three equal steps
    assert [e.label for e in legend.entries] == [
        "2,0 – 4,0 %",
        "4,0 – 6,0 %",
        "6,0 – 8,0 %",
        "keine Angabe",
        "unterdrückt (weniger als 300 Einwohner)",
    ]
    assert legend.entries[-1].swatch == "hatch"
    assert props["4"]["wert"] == "unterdrückt" and props["4"]["farbe"] == SUPPRESSED_FILL
    assert props["4"]["unterdrueckt"] is True
    assert props["5"]["wert"] == "keine Angabe" and props["5"]["farbe"] == "#ffffff"
    assert props["5"]["unterdrueckt"] is False
    assert props["0"]["wert"] == "2,0 %" and props["0"]["farbe"] == sequential_colours(3)[0]
    fmap = monitoring_map(
        MapLayers(areas=areas, values=values, spec=spec, suppressed=frozenset({"4"}))
    )
    page = fmap.get_root().render()
    assert page.count(f'"{HATCH_ID}"') == 1  # the pattern is defined once in the page
    assert f"url(#{HATCH_ID})" in page and "repeating-linear-gradient" in page
    plain = monitoring_map(MapLayers(areas=areas, values=values, spec=spec))
    assert HATCH_ID not in plain.get_root().render()  # nothing suppressed: no pattern


def test_suppressed_areas_of_the_social_index_are_not_ohne_zuordnung() -> None:
    spec = ChoroplethSpec("Statusindex", categories=((1.0, "hoch", "#f0f0f0"),))
    layer, legend = choropleth_layer(
        _areas_web(), pd.Series({"1": 1.0, "3": 1.0}), spec=spec, suppressed=["3"]
    )
    props = [f["properties"] for f in layer.data["features"]]
    assert [p["wert"] for p in props] == ["hoch", "ohne Zuordnung", "unterdrückt"]
    assert [e.label for e in legend.entries] == ["hoch", "ohne Zuordnung", "unterdrückt"]


def test_web_map_error_is_a_geo_error_and_a_value_error() -> None:
    assert issubclass(WebMapError, GeoError) and issubclass(WebMapError, ValueError)
    with pytest.raises(GeoError, match="neon"):
        sequential_colours(3, palette="neon")  # type: ignore[arg-type]


def test_funding_areas_outlined_per_programme_in_legend_order() -> None:
    fa = gpd.GeoDataFrame(
        {"id": ["F1", "F2"], "name": ["Nord", XSS], "programme_id": ["wne", "ssz"]},
        geometry=[shapely.box(9, 51, 9.1, 51.1), shapely.box(9.05, 51, 9.2, 51.1)],
        crs="EPSG:4326",
    )
    layer, legend = funding_area_layer(
        fa, programme_names={"ssz": "Sozialer Zusammenhalt", "wne": "Wachstum"}
    )
    assert [e.label for e in legend.entries] == ["Sozialer Zusammenhalt", "Wachstum"]
    assert legend.entries[0].dash != legend.entries[1].dash
    names = [f["properties"]["name"] for f in layer.data["features"]]
    assert XSS not in names and "&lt;img src=x onerror=alert(1)&gt;" in names


def _measures(n: int) -> gpd.GeoDataFrame:
    statuses = ["geplant", "in Umsetzung", None, "abgerechnet"]
    geoms: list[shapely.Geometry] = [shapely.Point(500000 + i * 10, 5700000) for i in range(n)]
    geoms[0] = shapely.box(500000, 5700000, 500100, 5700100)
    return gpd.GeoDataFrame(
        {
            "id": [f"M{i}" for i in range(n)],
            "title": [XSS] + [f"Maßnahme {i}" for i in range(1, n)],
            "status": [statuses[i % 4] for i in range(n)],
            "programme_id": ["ssz"] * n,
        },
        geometry=geoms,
        crs="EPSG:25832",
    )


def test_measure_layer_colours_by_status_and_clusters_when_many() -> None:
    few, legend = measure_layer(_measures(8), colour_by="status")
    assert not few.cluster
    assert [e.label for e in legend.entries] == [
        "geplant",
        "in Umsetzung",
        "abgerechnet",
        "ohne Angabe",
    ]
    feats = few.data["features"]
    assert feats[0]["geometry"]["type"] == "Point"  # a polygon is shown at a point inside
    assert feats[0]["properties"]["title"] == "&lt;img src=x onerror=alert(1)&gt;"
    colour_index = [f["properties"]["c"] for f in feats]
    assert colour_index[:4] == [0, 1, 3, 2]
    many, _ = measure_layer(_measures(200), colour_by="programme", programme_names={"ssz": "S"})
    assert many.cluster
    with pytest.raises(WebMapError, match="status, programme"):
        measure_layer(_measures(2), colour_by="kosten")  # type: ignore[arg-type]


def test_monitoring_map_puts_no_raw_data_text_into_the_page() -> None:
    fmap = monitoring_map(
        MapLayers(
            areas=_areas_web(),
            values=pd.Series({"1": 1.0, "2": 2.0}),
            spec=ChoroplethSpec("Anteil </script>", unit="%"),
            measures=_measures(5),
        )
    )
    page = fmap.get_root().render()
    assert XSS not in page
    assert "</script><" not in page.replace("</script>\n", "").replace("</script>\r", "")
    # every script tag of the page closes where folium closes it, not inside data
    assert len(re.findall(r"<script\b", page)) == len(re.findall(r"</script>", page))
    assert "LayerControl" not in page or "L.control.layers" in page
    assert "L.control.layers" in page and "qmon-legend" in page


def test_monitoring_map_features_carry_kind_and_id_for_clicks() -> None:
    fmap = monitoring_map(
        MapLayers(areas=_areas_web(), spec=ChoroplethSpec("Anteil"), measures=_measures(3))
    )
    page = fmap.get_root().render()
    assert '"kind":"gebiet"' in page.replace(" ", "")
    kinds = set(re.findall(r'"kind":\s*"(\w+)"', page))
    assert kinds == {"gebiet", "massnahme"}


def test_parse_basemap() -> None:
    assert parse_basemap(None) is None and parse_basemap("none") is None
    osm = parse_basemap("osm")
    assert osm is not None and "openstreetmap" in osm.url
    xyz = parse_basemap("https://tiles.stadt.de/{z}/{x}/{y}.png", attribution="Stadt")
    assert xyz is not None and xyz.kind == "xyz" and xyz.attribution == "Stadt"
    for bad in ("stadtplan", "https://tiles.stadt.de/tile.png", "wms:https://x.de/wms"):
        with pytest.raises(WebMapError, match="QMON_BASEMAP"):
            parse_basemap(bad)


def test_map_without_basemap_has_no_tile_layer() -> None:
    page = monitoring_map(MapLayers(areas=_areas_web(), spec=ChoroplethSpec("A"))).get_root()
    html_text = page.render()
    assert "L.tileLayer" not in html_text
    assert '"maxZoom": 19' in html_text  # clustering needs it when no tile layer gives one
    with_osm = monitoring_map(
        MapLayers(areas=_areas_web(), spec=ChoroplethSpec("A")), basemap=parse_basemap("osm")
    )
    assert "tile.openstreetmap.org" in with_osm.get_root().render()


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("k", [2, 4, 7])
def test_fisher_jenks_matches_mapclassify(seed: int, k: int) -> None:
    import warnings

    import mapclassify

    from geo.webmap import fisher_jenks_bins

    values = np.random.default_rng(seed).gamma(2.0, 3.0, 120).round(2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = mapclassify.FisherJenks(values, k=k).bins
    assert np.allclose(fisher_jenks_bins(values, k=k), expected)


def test_geojson_mapping_equals_geopandas_to_json() -> None:
    import json

    from geo.webmap import _geojson

    frame = gpd.GeoDataFrame(
        {"name": ["a", None], "n": [1, 2], "x": [1.5, np.nan]},
        geometry=[shapely.box(9, 51, 9.1, 51.1), shapely.Point(9.2, 51.2)],
        crs="EPSG:4326",
    )
    assert _geojson(frame) == json.loads(frame.to_json(drop_id=True))


def test_natural_breaks_for_thousands_of_areas_come_from_a_sample() -> None:
    from geo.webmap import JENKS_NUMPY_MAX, classify

    rng = np.random.default_rng(3)
    values = pd.Series(np.concatenate([rng.normal(5, 1, 6000), rng.normal(20, 2, 5000)])).sample(
        frac=1, random_state=1
    )
    assert len(values) > JENKS_NUMPY_MAX
    first = classify(values, scheme="natural_breaks", k=4)
    again = classify(values, scheme="natural_breaks", k=4)
    assert first.bins == again.bins  # seeded: the same link shows the same map
    assert first.bins[-1] == values.max()
    assert (first.classes >= 0).all() and first.classes.nunique() == 4
    # the two groups fall apart where they should
    assert first.classes[values < 10].max() < first.classes[values > 15].min()


def _mapclassify_samples() -> list[np.ndarray]:
    rng = np.random.default_rng(5)
    return [
        rng.gamma(2.0, 3.0, 137).round(2),  # skewed, some ties
        rng.integers(0, 6, 80).astype(float),  # many ties: fewer quantile classes
        np.arange(1000.0),
        rng.normal(0, 1e-3, 55),  # tiny spread
        np.array([1.0, 1.0, 1.0, 2.0, 50.0]),
        rng.uniform(-1e6, 1e6, 3001),
    ]


@pytest.mark.parametrize("sample", range(6))
@pytest.mark.parametrize("k", [2, 3, 5, 6, 7])
@pytest.mark.parametrize("scheme", ["quantiles", "equal_interval"])
def test_numpy_classes_are_mapclassify_classes(sample: int, k: int, scheme: str) -> None:
    """Bounds and every value's class equal mapclassify's, bit for bit."""
    import warnings

    import mapclassify

    from geo.webmap import classify

    values = _mapclassify_samples()[sample]
    k_eff = min(k, len(np.unique(values)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = (mapclassify.Quantiles if scheme == "quantiles" else mapclassify.EqualInterval)(
            values, k=k_eff
        )
    ours = classify(pd.Series(values), scheme=scheme, k=k)  # type: ignore[arg-type]
    assert ours.bins == tuple(float(b) for b in peer.bins)
    assert ours.classes.tolist() == np.asarray(peer.yb).tolist()


def test_fisher_jenks_in_blocks_equals_the_whole_matrix(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small blocks of end points give the classes of one block (the whole matrix)."""
    import geo.webmap as webmap

    values = np.random.default_rng(8).gamma(2.0, 3.0, 700).round(1)
    whole = webmap.fisher_jenks_bins(values, k=5)  # 700 ends in one block
    monkeypatch.setattr(webmap, "JENKS_BLOCK_CELLS", 700 * 13)  # 13 ends at a time
    assert webmap.fisher_jenks_bins(values, k=5) == whole
    monkeypatch.setattr(webmap, "JENKS_BLOCK_CELLS", 1)  # one end at a time
    assert webmap.fisher_jenks_bins(values, k=5) == whole


def test_classify_never_imports_mapclassify() -> None:
    """The app's first map must not pay mapclassify's import (scipy.stats, sklearn)."""
    import subprocess
    import sys

    code = (
        "import sys, pandas as pd\n"
        "from geo.webmap import classify\n"
        "for s in ('quantiles', 'natural_breaks', 'equal_interval'):\n"
        "    classify(pd.Series([1.0, 2.0, 5.0, 9.0, 20.0]), scheme=s, k=3)\n"
        "print('mapclassify' in sys.modules, 'scipy.stats' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def _coverage(n: int = 4) -> gpd.GeoDataFrame:
    cells = [
        shapely.box(9 + i / 100, 51 + j / 100, 9.01 + i / 100, 51.01 + j / 100)
        for i in range(n)
        for j in range(n)
    ]
    return gpd.GeoDataFrame(
        {
            "id": [f"a{i}" for i in range(len(cells))],
            "name": [f"<A{i}>" for i in range(len(cells))],
        },
        geometry=cells,
        crs="EPSG:4326",
    )


def test_topology_round_trip_keeps_every_polygon_and_shares_edges_once() -> None:
    from geo.topology import coverage_topology, decode_topology

    areas = _coverage(4)
    geoms = list(areas.geometry.values) + [
        shapely.Polygon(
            shapely.box(9.2, 51.2, 9.3, 51.3).exterior.coords,
            [shapely.box(9.22, 51.22, 9.24, 51.24).exterior.coords],
        ),
        shapely.box(9.22, 51.22, 9.24, 51.24),  # the island filling the hole
        shapely.MultiPolygon(
            [shapely.box(9.5, 51, 9.51, 51.01), shapely.box(9.6, 51, 9.61, 51.01)]
        ),
        None,
    ]
    topology = coverage_topology(geoms, decimals=5)
    back = decode_topology(topology)
    assert back[-1] is None
    for ours, original in zip(back[:-1], geoms[:-1]):
        assert shapely.hausdorff_distance(ours, original) < 1e-9
        assert ours.geom_type == original.geom_type
        assert shapely.get_num_coordinates(ours) == shapely.get_num_coordinates(original)
    # 4x4 grid: 2*4*5 unit edges, each once; hole and island share one closed arc
    assert sum(topology["n"]) < sum(int(shapely.get_num_coordinates(g)) for g in geoms[:-1])
    hole_ref = topology["g"][16][0][1]
    island_ref = topology["g"][17][0][0]
    assert len(hole_ref) == len(island_ref) == 1 and hole_ref[0] in (island_ref[0], ~island_ref[0])


def test_choropleth_page_carries_arcs_not_geojson_and_keeps_properties() -> None:
    import streamlit_folium as sf

    areas = _coverage(3)
    layer, _ = choropleth_layer(
        areas, pd.Series({f"a{i}": float(i) for i in range(9)}), spec=ChoroplethSpec("A", k=3)
    )
    fmap = folium.Map(tiles=None)
    layer.add_to(fmap)
    page = fmap.get_root().render()
    assert "qmonTopology(" in page and '"coordinates"' not in page
    assert "&lt;A1&gt;" in page or "\\u0026lt;A1\\u0026gt;" in page  # escaped names
    assert [f["properties"]["id"] for f in layer.data["features"]][:2] == ["a0", "a1"]
    # streamlit_folium renders each element's script itself: the same compact data
    script = sf._get_map_string(fmap)
    assert "qmonTopology(" in script and '"coordinates"' not in script
    assert f"{layer.get_name()}_add(qmonFeatures(" in script


def test_measure_page_carries_point_steps() -> None:
    m = gpd.GeoDataFrame(
        {"id": ["m1", "m2"], "title": ["A", "B"], "status": ["geplant", "bewilligt"]},
        geometry=[shapely.Point(500000, 5700000), shapely.Point(500100, 5700000)],
        crs="EPSG:25832",
    )
    layer, _ = measure_layer(m)
    fmap = folium.Map(tiles=None)
    layer.add_to(fmap)
    page = fmap.get_root().render()
    assert "qmonPoints(" in page and '"coordinates"' not in page
    assert '"id":["m1","m2"]' in page


def test_display_geometry_follows_the_view() -> None:
    from benchmarks.data import berlin_planning_areas
    from geo.webmap import view_display_tolerance

    areas = berlin_planning_areas()[["id", "geometry"]]
    framed = framing_bounds(areas.geometry.to_crs("EPSG:4326"))
    tolerance = view_display_tolerance(framed)
    assert 15 < tolerance < 40  # a quarter of Berlin's 93-m pixel
    default = display_geometry(areas)
    explicit = display_geometry(areas, tolerance=tolerance)
    assert default.geometry.equals(explicit.geometry)
    assert bool(shapely.coverage_is_valid(default.geometry.values))


def test_rounding_never_folds_small_areas_over_their_neighbours() -> None:
    """11,000 seeded cells over Berlin: 5 decimals made 7-8 of them overlap a neighbour."""
    from benchmarks.data import synthetic_areas

    areas = synthetic_areas(11_000)[["id", "geometry"]]
    assert bool(shapely.coverage_is_valid(areas.geometry.values))
    out = display_geometry(areas, tolerance=23.0, decimals=5)
    assert bool(shapely.coverage_is_valid(out.geometry.values))
    edges = shapely.coverage_invalid_edges(out.geometry.values, gap_width=1e-5)
    assert not (~shapely.is_empty(edges)).any()
