"""The composition of a Karte view in the core: the URL parameters and what the view shows."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.store import open_store
from geo.webmap import choropleth_layer, classify, display_geometry, sequential_colours
from indicators import stored
from indicators.disclosure import disclosed
from monitoring import catalogue
from monitoring.maps.content import geobasis, map_content, read_map_frames, store_map_content
from monitoring.maps.measures import filter_measures, measure_frame
from monitoring.maps.values import values_at
from monitoring.maps.view import MapView, MapViewError
from monitoring.renewal.measures import hide_archived

LAST = "2024-12-31"


# --- the view's parameters ---------------------------------------------------------------


def test_a_link_of_the_app_reads_as_its_view_and_back() -> None:
    link = (
        "http://localhost:8501/karte?ebene=Planungsraum&indikator=unemployment_rate"
        "&stichtag=2020-12-31&klassen=natural_breaks&anzahl=4&farben=blau"
        "&status=geplant&status=in+Umsetzung&jahr=2021&auswahl=gebiet%3APR-11"
    )
    view = MapView.from_query(link)
    assert view == MapView(
        level="Planungsraum",
        indicator="unemployment_rate",
        period="2020-12-31",
        scheme="natural_breaks",
        k=4,
        palette="blau",
        statuses=("geplant", "in Umsetzung"),
        year=2021,
        selection="gebiet:PR-11",
    )
    assert MapView.from_query(view.to_query()) == view
    assert MapView.from_query("") == MapView()  # no parameter: every default


@pytest.mark.parametrize(
    ("query", "param", "fragment"),
    [
        ("farbe=blau", "farbe", "Der Kartenparameter „farbe“ ist unbekannt; bekannt sind: ebene"),
        ("klassen=kaffeesatz", "klassen", "erlaubt sind: quantiles, natural_breaks"),
        (
            "anzahl=zwei",
            "anzahl",
            "„zwei“ ist für „anzahl“ nicht erlaubt; erlaubt sind ganze Zahlen",
        ),
        ("status=fertig", "status", "erlaubt sind: geplant, bewilligt"),
        ("stichtag=Silvester", "stichtag", "Daten wie 2024-12-31 oder 31.12.2024"),
        ("ausschnitt=1,2,3", "ausschnitt", "vier Zahlen West,Süd,Ost,Nord"),
        ("ausschnitt=10,50,9,51", "ausschnitt", "vier Zahlen West,Süd,Ost,Nord"),
    ],
)
def test_a_bad_parameter_is_refused_in_german(query: str, param: str, fragment: str) -> None:
    with pytest.raises(MapViewError, match=fragment) as caught:
        MapView.from_query(query)
    assert caught.value.param == param
    assert isinstance(caught.value, ValueError)


# --- what a view shows ---------------------------------------------------------------------


def _before(url: str, indicator: str, period: str) -> tuple[pd.Series, frozenset[str]]:
    """The values the Karte page showed before the move, computed as it did."""
    store = open_store(url)
    values = store.read("indicator_values", where={"level": "Planungsraum"})
    registry = catalogue.registry_for(store)
    minimum = int(catalogue.profiles_for(store)["berlin-mss-2021"].min_population)
    store.close()
    long = disclosed(
        stored.indicator_series(values, registry, indicator),
        values,
        indicator=indicator,
        minimum=minimum,
        without_population="show",
    )
    shown = values_at(long, pd.Timestamp(period))
    return shown.values, shown.suppressed


@pytest.mark.parametrize(
    ("query", "indicator", "period"),
    [
        ("indikator=unemployment_rate&klassen=natural_breaks&anzahl=4", "unemployment_rate", LAST),
        (
            "indikator=share_65plus&stichtag=2020-12-31&klassen=equal_interval&anzahl=3"
            "&farben=cividis",
            "share_65plus",
            "2020-12-31",
        ),  # fmt: skip
        ("indikator=residents&anzahl=6", "residents", LAST),
    ],
)
def test_the_view_shows_the_values_and_classes_the_page_showed(
    demo_url: str, query: str, indicator: str, period: str
) -> None:
    view = MapView.from_query(query)
    store = open_store(demo_url)
    content = store_map_content(store, view)
    store.close()
    values, suppressed = _before(demo_url, indicator, period)
    assert content.indicator == indicator and content.period == period
    pd.testing.assert_series_equal(
        content.shown.values.sort_index(), values.sort_index(), check_names=False
    )
    assert content.shown.suppressed == suppressed
    # small areas are suppressed, except in the resident counts themselves
    assert (len(suppressed) >= 5) == (indicator != "residents")
    spec = content.spec
    assert (spec.scheme, spec.k, spec.palette) == (view.scheme, view.k, view.palette)
    assert spec.suppressed_label == "unterdrückt (weniger als 300 Einwohner)"
    assert spec.decimals == (0 if indicator == "residents" else 1)
    # the web map's legend for these values: classes of the shown values only
    _, legend = choropleth_layer(
        display_geometry(content.areas),
        content.shown.values,
        spec=spec,
        suppressed=content.shown.suppressed,
    )
    expected = classify(values, scheme=view.scheme, k=view.k)  # type: ignore[arg-type]
    colours = sequential_colours(expected.k, palette=view.palette)  # type: ignore[arg-type]
    assert [e.colour for e in legend.entries][: expected.k] == colours
    if suppressed:
        assert legend.entries[-1].label == spec.suppressed_label
    assert content.sources == ("Statistikstelle Musterstadt (synthetisch)",)


def test_the_social_index_is_the_default_view(demo_url: str) -> None:
    store = open_store(demo_url)
    content = store_map_content(store, MapView())
    store.close()
    assert (content.level, content.indicator, content.period) == (
        "Planungsraum",
        "sozialindex_status",
        LAST,
    )
    assert [c[1] for c in content.spec.categories] == [
        "1 hoch",
        "2 mittel",
        "3 niedrig",
        "4 sehr niedrig",
    ]
    assert set(content.shown.values.unique()) <= {1.0, 2.0, 3.0, 4.0}
    assert content.shown.suppressed and not content.warnings


def test_measures_are_filtered_as_on_the_page(demo_gpkg: str) -> None:
    store = open_store(demo_gpkg)
    frames = read_map_frames(store)
    everything = measure_frame(
        store.read("measures"), store.read("funding_areas"), store.read("measure_fields")
    )
    store.close()
    content = map_content(frames, MapView.from_query("status=geplant&status=bewilligt"))
    expected = hide_archived(filter_measures(everything, statuses=("geplant", "bewilligt")))
    assert sorted(content.measures["id"]) == sorted(expected["id"])
    assert 0 < len(content.measures) < len(hide_archived(everything))
    assert set(content.measures["status"]) <= {"geplant", "bewilligt"}
    in_2018 = map_content(frames, MapView(year=2018)).measures
    expected = hide_archived(filter_measures(everything, year=2018))
    assert sorted(in_2018["id"]) == sorted(expected["id"]) and len(in_2018)
    assert len(map_content(frames, MapView()).measures) == len(hide_archived(everything))


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("indikator=kaffeesatz", "Der Indikator „kaffeesatz“ ist für die Ebene Planungsraum "
         "nicht gespeichert; gespeichert sind: sozialindex_status (Sozialindex (Statusklasse)), "),
        ("stichtag=2019-06-30", "Für den Stichtag 30.06.2019 sind auf der Ebene Planungsraum "
         "keine Werte gespeichert; Stichtage: 31.12.2010, 31.12.2011"),
        ("ebene=Block", "Die Gebietsebene „Block“ ist nicht gespeichert; gespeichert sind: "),
    ],
)  # fmt: skip
def test_what_is_not_stored_is_refused_with_what_is(
    demo_gpkg: str, query: str, fragment: str
) -> None:
    store = open_store(demo_gpkg)
    try:
        with pytest.raises(MapViewError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
            store_map_content(store, MapView.from_query(query))
    finally:
        store.close()


def test_both_stores_show_the_same(demo_gpkg: str, demo_pg: str) -> None:
    view = MapView.from_query("indikator=sgb2_rate&klassen=quantiles&anzahl=5&status=geplant")
    shown = []
    for url in (demo_gpkg, demo_pg):
        store = open_store(url)
        shown.append(store_map_content(store, view))
        store.close()
    a, b = shown
    pd.testing.assert_series_equal(a.shown.values.sort_index(), b.shown.values.sort_index())
    assert a.shown.suppressed == b.shown.suppressed
    assert sorted(a.measures["id"]) == sorted(b.measures["id"])
    assert a.spec == b.spec and a.sources == b.sources


def test_geobasis_names_the_file_the_level_was_imported_from(
    store_url: str, tmp_path: Path
) -> None:
    from monitoring.auth import User
    from monitoring.imports.areas import import_areas

    path = tmp_path / "bloecke_2024.geojson"
    gpd.GeoDataFrame(
        {"blk": ["1", "2"]},
        geometry=[
            shapely.box(500_000, 5_700_000, 500_100, 5_700_100),
            shapely.box(500_100, 5_700_000, 500_200, 5_700_100),
        ],  # fmt: skip
        crs="EPSG:25832",
    ).to_file(path)
    store = open_store(store_url)
    store.init(crs="EPSG:25832")
    try:
        assert geobasis(store, "Block") is None  # nothing imported yet
        import_areas(
            store, path, user=User("admin", "admin"), level="Block", id_col="blk", vintage="2024"
        )
        assert geobasis(store, "Block") == "bloecke_2024.geojson"
        assert geobasis(store, "Stadtteil") is None  # another level: not from this file
    finally:
        store.close()
