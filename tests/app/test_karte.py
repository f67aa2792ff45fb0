"""AppTest of the Karte page and of the app's entry point."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import folium
import pandas as pd
import pytest
from branca.element import MacroElement
from streamlit.testing.v1 import AppTest

from geo import german
from geo.store import open_store
from geo.webmap import (
    SUPPRESSED_FILL,
    ChoroplethSpec,
    MapLayers,
    classify,
    format_value,
    monitoring_map,
    sequential_colours,
)
from indicators import stored
from indicators.registry import load_registry
from tests.app.conftest import REPO
from ui import frames, leaflet
from ui.assets import AssetError, localize

LAST = pd.Timestamp(2024, 12, 31)


def _map_script(at: AppTest) -> str:
    """The map's script as streamlit-folium hands it to the browser."""
    maps = [e for e in at.get("component_instance") if "st_folium" in e.proto.component_name]
    assert len(maps) == 1
    args = json.loads(maps[0].proto.json_args)
    return leaflet.full_script(args["script"], args["js_links"])  # layer files put back


def _collections(script: str) -> list[dict[str, Any]]:
    """Every GeoJSON FeatureCollection written into a map script (their properties).

    Compact layers (``qmonFeatures(...)``, :func:`geo.webmap.compact_properties`) carry
    their properties by column; they are turned back into features here.
    """
    decoder = json.JSONDecoder()
    out = [decoder.raw_decode(script, m.start())[0] for m in re.finditer(r'\{"features"', script)]
    for m in re.finditer(r"qmonFeatures\(\{", script):
        cols = decoder.raw_decode(script, m.end() - 1)[0]
        rows = [{**cols["c"], **{k: v[i] for k, v in cols["p"].items()}} for i in range(cols["n"])]
        out.append({"features": [{"properties": p} for p in rows]})
    return out


def _features(script: str, kind: str) -> dict[str, dict[str, Any]]:
    """The properties of the features of one kind, by (unescaped) id."""
    return {
        html.unescape(f["properties"]["id"]): f["properties"]
        for c in _collections(script)
        for f in c["features"]
        if f["properties"].get("kind") == kind
    }


def _legend(script: str) -> list[str]:
    """The rows of the choropleth's legend section (the first one), as text."""
    start = script.index("div.innerHTML = ") + len("div.innerHTML = ")
    markup = json.JSONDecoder().raw_decode(script, start)[0]
    rows = [
        html.unescape(re.sub(r"<[^>]+>", "", row))
        for row in re.findall(r"<div[^>]*>(.*?)</div>", markup)
    ]
    end = (
        rows.index("Fördergebiete nach Programm") if "Fördergebiete nach Programm" in rows else None
    )
    return rows[1:end]


def _shown(at: AppTest) -> int:
    caption = next(c.value for c in at.caption if " angezeigt · Stichtag " in c.value)
    return int(caption.split()[0].replace(".", ""))  # "1 Maßnahme", "1.024 Maßnahmen"


def test_app_entry_point_opens_the_karte_page(city_url: str) -> None:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Karte"
    assert any("Lokaler Einzelplatz mit allen Rechten" in c.value for c in at.sidebar.caption)


def test_karte_renders_and_filters_change_what_is_shown(open_page) -> None:
    at = open_page("karte")
    assert not at.error
    assert _shown(at) == 24
    at.multiselect(key="karte.status").set_value(["geplant"]).run()
    assert _shown(at) == 5
    assert at.query_params["status"] in ("geplant", ["geplant"])
    at.multiselect(key="karte.gebiet").set_value(["WNE-01"]).run()
    assert _shown(at) == 2  # M-000 and M-015: WNE-01 has every third, geplant every fifth
    at.multiselect(key="karte.status").set_value([]).run()
    assert _shown(at) == 8
    at.selectbox(key="karte.jahr").set_value(2016).run()
    assert 0 < _shown(at) < 8


def test_karte_link_restores_the_view(open_page) -> None:
    at = open_page(
        "karte",
        indikator="unemployment_rate",
        stichtag="2020-12-31",
        klassen="natural_breaks",
        anzahl="4",
        status=["geplant", "bewilligt"],
        auswahl="gebiet:PR-11",
    )
    assert at.selectbox(key="karte.indikator").value == "unemployment_rate"
    assert at.selectbox(key="karte.stichtag").value == "2020-12-31"
    assert at.selectbox(key="karte.klassen").value == "natural_breaks"
    assert at.selectbox(key="karte.anzahl").value == 4
    assert at.multiselect(key="karte.status").value == ["geplant", "bewilligt"]
    assert _shown(at) == 10
    # the details of the linked selection are shown beside the map
    assert any("Quartier" in m.value or "Mitte" in m.value for m in at.markdown)
    assert any(m.label == "Arbeitslosenanteil" for m in at.metric)


def test_karte_bad_link_values_fall_back_to_defaults(open_page) -> None:
    at = open_page("karte", klassen="kaffeesatz", anzahl="99", status=["erfunden"])
    assert at.selectbox(key="karte.indikator").value == "sozialindex_status"
    assert at.multiselect(key="karte.status").value == []
    assert _shown(at) == 24


def test_social_index_is_the_default_in_neutral_classes(open_page) -> None:
    at = open_page("karte", auswahl="gebiet:PR-22")
    assert any("Neutrale Grautöne" in c.value for c in at.caption)
    # PR-22 has 150 residents: no class, suppressed like every value of a small area
    assert any(m.value == "unterdrückt" for m in at.metric)
    script = _map_script(at)
    areas = _features(script, "gebiet")
    assert areas["PR-22"]["farbe"] == SUPPRESSED_FILL and areas["PR-22"]["wert"] == "unterdrückt"
    others = {k: p for k, p in areas.items() if k != "PR-22"}
    assert not any(p["unterdrueckt"] for p in others.values())
    assert all(p["wert"].split()[0] in "1234" for p in others.values()), others
    assert _legend(script)[-1] == "unterdrückt (weniger als 300 Einwohner)"


def test_selected_measure_details_are_text(open_page) -> None:
    at = open_page("karte", auswahl="massnahme:M-000")
    texts = [m.value for m in at.markdown]
    assert any("onerror" in t and "\\<img" in t for t in texts)
    assert any("<script>" in t.value for t in at.text)  # shown as plain text


def test_selected_funding_area_links_to_its_profile(open_page) -> None:
    at = open_page("karte", auswahl="foerdergebiet:SSZ-01")
    assert any(m.label == "Maßnahmen" and m.value == "16" for m in at.metric)


def test_login_is_required_when_oidc_is_configured(city_url: str) -> None:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "geheim",
        "client_id": "quartiersmonitor",
        "client_secret": "geheim",
        "server_metadata_url": "https://idp.stadt.example/.well-known/openid-configuration",
    }
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Anmelden"]
    assert not at.title  # no page is shown before the login


def test_selected_area_shows_its_housing_stock(open_page) -> None:
    at = open_page("karte", auswahl="gebiet:PR-11")
    metrics = {m.label: m.value for m in at.metric}
    # PR-11 holds the 12 buildings of the test city: 6 + 7 + ... + 17 dwellings
    assert metrics["Wohnungen (Gebäudebestand)"] == "138"


# --- disclosure control on the demo city -----------------------------------------------


def _demo_rates(url: str) -> tuple[pd.Series, pd.Series]:
    """Residents and unemployment rate (%) per planning area at the last date, from the rows."""
    store = open_store(url)
    rows = store.read("indicator_values", where={"level": "Planungsraum"})
    store.close()
    at = rows[pd.to_datetime(rows["period"]) == LAST]
    wide = at.pivot(index="area_id", columns="indicator", values="value")
    rate: pd.Series = wide["unemployed"] / wide["residents_15_64"] * 100
    return wide["residents"], rate


class TestDemoCity:
    """The Karte page on the demo city Musterstadt (12 planning areas under 300 residents)."""

    @pytest.fixture(scope="class")
    @classmethod
    def city_file(cls, tmp_path_factory: pytest.TempPathFactory) -> Path:
        """The demo city instead of the small test city, for open_page (read-only)."""
        from data.musterstadt import load_musterstadt

        path = tmp_path_factory.mktemp("musterstadt") / "musterstadt.gpkg"
        store = open_store(str(path))
        store.init(crs="EPSG:25832")
        load_musterstadt(store)
        store.close()
        return path

    def test_small_areas_are_suppressed_on_the_map(self, open_page, city_url: str) -> None:
        residents, rate = _demo_rates(city_url)
        small = set(residents[residents < 300].index)
        large = residents[residents >= 300].index
        assert len(small) >= 5 and len(large) >= 50  # the demo city has both
        at = open_page(
            "karte", indikator="unemployment_rate", stichtag="2024-12-31", klassen="quantiles"
        )
        assert not at.error, [e.value for e in at.error]
        script = _map_script(at)
        areas = _features(script, "gebiet")
        assert set(areas) == set(residents.index)
        assert {k for k, p in areas.items() if p["unterdrueckt"]} == small
        assert {areas[k]["wert"] for k in small} == {"unterdrückt"}
        assert {areas[k]["farbe"] for k in small} == {SUPPRESSED_FILL}
        # every area with 300 residents or more shows its own value
        for area in large:
            assert areas[area]["wert"] == format_value(rate[area], decimals=1, unit="%"), area
        # classes come from the shown values only: the colours follow their quantiles ...
        expected = classify(rate[large], scheme="quantiles", k=5)
        palette = sequential_colours(expected.k, palette="viridis")
        assert {a: areas[a]["farbe"] for a in large} == {
            a: palette[c] for a, c in expected.classes.items()
        }
        # ... which differ from the quantiles with the small areas' raw values in them
        assert classify(rate, scheme="quantiles", k=5).bins != expected.bins
        legend = _legend(script)
        assert legend[0].startswith(format_value(rate[large].min(), decimals=1) + " – ")
        assert "0,0 – 0,0 %" not in legend
        assert legend[-1] == "unterdrückt (weniger als 300 Einwohner)"
        assert "keine Angabe" not in legend  # every area has a value or is suppressed
        assert "qmon-hatch" in script  # the hatch pattern is defined in the page

    def test_a_selected_small_area_shows_no_number(self, open_page, city_url: str) -> None:
        residents, rate = _demo_rates(city_url)
        small = residents[residents < 300].index[0]
        large = residents[residents >= 300].index[0]
        at = open_page("karte", indikator="unemployment_rate", auswahl=f"gebiet:{small}")
        assert {m.label: m.value for m in at.metric}["Arbeitslosenanteil"] == "unterdrückt"
        at = open_page("karte", indikator="unemployment_rate", auswahl=f"gebiet:{large}")
        shown = {m.label: m.value for m in at.metric}["Arbeitslosenanteil"]
        assert shown == german.percent(rate[large])  # the value of the map, as geo.german writes it


def test_resident_counts_stay_visible_and_a_higher_minimum_hides_more() -> None:
    from data.musterstadt import build_musterstadt

    values = build_musterstadt()["indicator_values"]
    values = values[values["level"] == "Planungsraum"]
    registry = load_registry()
    counts = stored.indicator_series(values, registry, "residents")
    assert not frames.disclosed(counts, values, indicator="residents")["suppressed"].any()
    series = stored.indicator_series(values, registry, "unemployment_rate")
    at_300 = frames.values_at(frames.disclosed(series, values, indicator="x"), LAST)
    at_1000 = frames.values_at(frames.disclosed(series, values, indicator="x", minimum=1000), LAST)
    assert at_300.suppressed < at_1000.suppressed
    assert set(at_300.values.index).isdisjoint(at_300.suppressed)
    pops = counts[counts["period"] == LAST].set_index("area_id")["value"]
    assert at_1000.suppressed == frozenset(pops[pops < 1000].index)


def test_map_elements_with_scripts_outside_folium_mixin_are_refused() -> None:
    """ui.assets: an element listing scripts without folium's JSCSSMixin cannot be localised."""

    class Foreign(MacroElement):
        default_js = [("leaflet", "https://cdn.example/leaflet.js")]

    fmap = folium.Map(tiles=None)
    Foreign().add_to(fmap)
    with pytest.raises(AssetError, match="JSCSSMixin"):
        localize(fmap)
    areas = monitoring_map(MapLayers(spec=ChoroplethSpec("x")))
    assert localize(areas) is areas


def test_indikatoren_page_suppresses_small_areas_in_tables_and_cluster_map(open_page) -> None:
    """The Indikatoren page applies the same disclosure control (PR-22: 150 residents)."""
    at = open_page(
        "indikatoren", indikator="unemployment_rate", gebiete=["PR-11", "PR-22"], cluster=""
    )
    wide = at.dataframe[0].value
    assert list(wide.columns) == ["Mitte <b>fett</b>", "Quartier 9"]
    assert wide["Quartier 9"].tolist() == ["unterdrückt"] * 3
    assert all(re.fullmatch(r"\d+,\d\xa0%", v) for v in wide["Mitte <b>fett</b>"]), wide
    assert wide.index.name == "Stichtag" and wide.index[0] == "31.12.2018"
    assert any("weniger als 300 Einwohner" in c.value for c in at.caption)
    areas = _features(_map_script(at), "gebiet")
    assert areas["PR-22"]["wert"] == "unterdrückt"
    assert not any(p["unterdrueckt"] for k, p in areas.items() if k != "PR-22")
    counts = next(df.value for df in at.dataframe if df.value.index.name == "Cluster")
    assert int(counts.loc["unterdrückt", "Gebiete"]) == 1 and int(counts["Gebiete"].sum()) == 9
