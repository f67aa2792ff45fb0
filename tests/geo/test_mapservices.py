"""The city's map services: the TOML file, its checks, and the layers on the folium map."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.errors import WebMapError
from geo.mapservices import (
    NO_SERVICES,
    MapServices,
    basemap_service,
    load_map_services,
    parse_map_services,
    with_basemap,
)
from geo.webmap import ChoroplethSpec, MapLayers, monitoring_map
from ui.assets import localize

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "kartendienste.example.toml"
WMS = """
[[map.layer]]
id = "fnp"
title = "Flächennutzungsplan"
kind = "wms"
group = "Überlagerung"
url = "https://geodienste.stadt.de/wms/fnp"
layers = "fnp_wirksam"
"""


def _areas() -> MapLayers:
    areas = gpd.GeoDataFrame(
        {"id": ["1"], "name": ["A"]}, geometry=[shapely.box(9, 51, 9.1, 51.1)], crs="EPSG:4326"
    )
    return MapLayers(areas=areas, values=pd.Series({"1": 3.0}), spec=ChoroplethSpec("Anteil"))


def _page(services: MapServices | None) -> str:
    return monitoring_map(_areas(), services=services).get_root().render()


def _var_of(page: str, label: str) -> str:
    """The JavaScript variable of the layer that the layer control lists as ``label``."""
    found = re.search(rf"{re.escape(json.dumps(label))} : (\w+),", page)
    assert found, label
    return found.group(1)


# --- the file ------------------------------------------------------------------------------


def test_the_example_file_reads_as_documented() -> None:
    services = load_map_services(EXAMPLE)
    assert [s.label for s in services.backgrounds] == [
        "Stadtplan",
        "Luftbild 2019",
        "Luftbild 2023",
    ]
    assert [s.label for s in services.overlays] == ["Flächennutzungsplan", "Bebauungspläne"]
    plan = services.backgrounds[0]
    assert plan.visible and plan.kind == "wmts" and plan.url.endswith("/{z}/{y}/{x}.png")
    assert not services.backgrounds[1].transparent and services.overlays[0].transparent
    assert services.overlays[0].opacity == 0.6
    assert all(s.featureinfo and s.info_format == "text/html" for s in services.overlays)
    assert services.source == str(EXAMPLE)


def test_values_are_read_with_their_defaults() -> None:
    text = WMS + 'featureinfo = true\ninfo_format = "Text/Plain"\nyear = 2021\ngroup_ = 1'
    with pytest.raises(WebMapError, match="group_"):
        parse_map_services(text, source="k.toml")
    service = parse_map_services(text.replace("group_ = 1", ""), source="k.toml").services[0]
    assert service.info_format == "text/plain"
    assert (service.format, service.transparent, service.visible) == ("image/png", True, False)
    assert service.label == "Flächennutzungsplan 2021"
    assert parse_map_services("", source="k.toml") == MapServices((), source="k.toml")
    ue = parse_map_services(WMS.replace("Überlagerung", "ueberlagerung"), source="k.toml")
    assert ue.services[0].group == "Überlagerung"


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ('title = "Flächennutzungsplan"\n', "", ["es fehlt title", 'title = "Luftbild"']),
        ("title =", "titel =", ["unbekannte Angabe(n) titel", "möglich sind: id, title"]),
        ('kind = "wms"', 'kind = "wfs"', ["kind = 'wfs'", "möglich sind: wms, wmts, xyz"]),
        ('group = "Überlagerung"', 'group = "Basis"', ["Hintergrund, Überlagerung"]),
        ("https://geodienste", "ftp://geodienste", ["keine http(s)-Adresse", "https://"]),
        ('layers = "fnp_wirksam"\n', "", ["es fehlt layers", "GetCapabilities"]),
        ('kind = "wms"', 'kind = "xyz"', ["braucht {z}, {x} und {y}", 'kind = "wms"']),
        ('id = "fnp"', 'id = "F N P"', ["die id 'F N P'", "luftbild-2023"]),
        ('layers = "fnp_wirksam"', "layers = 3", ["layers = 3", "erwartet wird Text"]),
        ('layers = "fnp_wirksam"', 'layers = "a"\nopacity = 1.5', ["opacity = 1.5", "0 (durch"]),
        ('layers = "fnp_wirksam"', 'layers = "a"\nyear = "2023"', ["year = '2023'", "2023"]),
        ('layers = "fnp_wirksam"', 'layers = "a"\nvisible = "ja"', ["true oder false"]),
        ('layers = "fnp_wirksam"', 'layers = "a"\nformat = "image/tiff"', ["image/png, "]),
        ('layers = "fnp_wirksam"', 'layers = "a"\ninfo_format = "xml"', ["text/html, "]),
    ],
)
def test_a_bad_entry_is_refused_naming_file_entry_and_fix(
    old: str, new: str, says: list[str]
) -> None:
    assert old in WMS
    with pytest.raises(WebMapError) as caught:
        parse_map_services(WMS + WMS.replace(old, new).replace('"fnp"', '"fnp2"'), source="k.toml")
    message = str(caught.value)
    assert message.startswith("Kartendienste k.toml, Eintrag Nr. 2"), message
    assert all(part in message for part in says), message


def test_feature_info_only_for_wms() -> None:
    tiles = 'id = "t"\ntitle = "T"\nkind = "xyz"\ngroup = "Überlagerung"\n'
    text = f'[[map.layer]]\n{tiles}url = "https://k.de/{{z}}/{{x}}/{{y}}.png"\nfeatureinfo = true'
    with pytest.raises(WebMapError, match='nur bei kind = "wms", nicht bei xyz'):
        parse_map_services(text, source="k.toml")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[[map.layer]\nid = 1", "kein gültiges TOML"),
        ("[karte]\nx = 1", "unbekannte Angabe(n) karte"),
        ('[map]\nlayer = "x"', "[[map.layer]]"),
        (WMS + WMS, "die id 'fnp' kommt mehrfach vor"),
    ],
)
def test_a_bad_file_is_refused(text: str, says: str) -> None:
    with pytest.raises(WebMapError, match=re.escape(says)) as caught:
        parse_map_services(text, source="k.toml")
    assert str(caught.value).startswith("Kartendienste k.toml: ")


def test_at_most_one_background_is_visible() -> None:
    back = WMS.replace("Überlagerung", "Hintergrund") + "visible = true\n"
    with pytest.raises(WebMapError, match=r"mehrere Hintergründe sind sichtbar \(fnp, fnp2\)"):
        parse_map_services(back + back.replace('"fnp"', '"fnp2"'), source="k.toml")
    # overlays may all be visible
    shown = WMS + "visible = true\n"
    assert len(parse_map_services(shown + shown.replace('"fnp"', '"f2"'), source="k").overlays) == 2


def test_a_missing_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(WebMapError, match="QMON_MAP_SERVICES") as caught:
        load_map_services(tmp_path / "fehlt.toml")
    assert "fehlt.toml" in str(caught.value) and "kartendienste.example.toml" in str(caught.value)
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('title = "Fl\xe4che"'.encode("latin-1"))
    with pytest.raises(WebMapError, match="UTF-8"):
        load_map_services(bad)


def test_the_basemap_setting_becomes_the_first_background() -> None:
    osm = basemap_service("xyz", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "OSM")
    alone = with_basemap(parse_map_services(WMS, source="k.toml"), osm)
    assert [s.id for s in alone.services] == ["basemap", "fnp"]
    assert alone.backgrounds[0].visible and alone.backgrounds[0].label == "Hintergrundkarte"
    shown = WMS.replace("Überlagerung", "Hintergrund") + "visible = true\n"
    second = with_basemap(parse_map_services(shown, source="k.toml"), osm)
    assert [s.visible for s in second.backgrounds] == [False, True]
    assert with_basemap(NO_SERVICES, None) is NO_SERVICES
    taken = WMS.replace('id = "fnp"', 'id = "basemap"')
    with pytest.raises(WebMapError, match="auch QMON_BASEMAP"):
        with_basemap(parse_map_services(taken, source="k.toml"), osm)


# --- the map -------------------------------------------------------------------------------


def test_without_services_the_map_is_as_before() -> None:
    def ids_away(page: str) -> str:
        return re.sub(r"_[0-9a-f]{32}", "_ID", page)

    page = _page(None)
    assert ids_away(page) == ids_away(_page(NO_SERVICES))
    assert ids_away(page) == ids_away(monitoring_map(_areas()).get_root().render())
    assert "L.tileLayer" not in page and "GetFeatureInfo" not in page
    assert "ohne Hintergrund" not in page and "sessionStorage" not in page


def test_backgrounds_are_exclusive_and_overlays_switchable_with_attribution() -> None:
    page = _page(load_map_services(EXAMPLE))
    base = page[page.index("base_layers") : page.index("overlays :")]
    overlays = page[page.index("overlays :") :]
    for label in ("Stadtplan", "Luftbild 2019", "Luftbild 2023", "ohne Hintergrund"):
        assert f"{json.dumps(label)} :" in base, label
    for label in ("Flächennutzungsplan", "Bebauungspläne"):
        assert f"{json.dumps(label)} :" in overlays, label
    # only the visible background is on the map at the start, the overlays are off
    shown = set(re.findall(r"(\w+)\.addTo\(map_\w+\)", page))
    assert _var_of(page, "Stadtplan") in shown
    for label in ("Luftbild 2019", "ohne Hintergrund", "Flächennutzungsplan", "Bebauungspläne"):
        assert _var_of(page, label) not in shown, label
    assert '"attribution": "\\u00a9 Stadt Musterstadt, Luftbild 2023"' in page
    assert '"attribution": "Fl\\u00e4chennutzungsplan: Stadtplanungsamt Musterstadt"' in page
    fnp = page[page.index(f"var {_var_of(page, 'Flächennutzungsplan')} = L.tileLayer.wms(") :]
    options = fnp[: fnp.index(");")]
    for option in ('"layers": "fnp_wirksam"', '"version": "1.3.0"', '"transparent": true',
                   '"opacity": 0.6', '"format": "image/png"'):  # fmt: skip
        assert option in options, option
    plan = page[page.index(f"var {_var_of(page, 'Stadtplan')} = L.tileLayer(") :]
    assert "GLOBAL_WEBMERCATOR/{z}/{y}/{x}.png" in plan[: plan.index(");")]
    assert '"autoZIndex": true' in page  # overlays stay above the chosen background


def test_no_visible_background_selects_ohne_hintergrund() -> None:
    text = WMS.replace("Überlagerung", "Hintergrund")
    page = _page(parse_map_services(text, source="k.toml"))
    shown = set(re.findall(r"(\w+)\.addTo\(map_\w+\)", page))
    assert _var_of(page, "ohne Hintergrund") in shown
    assert _var_of(page, "Flächennutzungsplan") not in shown


def test_feature_info_asks_the_visible_wms_overlays_with_featureinfo() -> None:
    text = (
        WMS
        + "featureinfo = true\n"
        + WMS.replace('"fnp"', '"ohne"').replace(
            'title = "Flächennutzungsplan"', 'title = "Ohne Auskunft"'
        )
    )
    page = _page(parse_map_services(text, source="k.toml"))
    script = page[page.index("var sources = [") :]
    sources = re.findall(r"\{layer: (\w+), url: \"([^\"]+)\"", script)
    assert sources == [
        (_var_of(page, "Flächennutzungsplan"), "https://geodienste.stadt.de/wms/fnp")
    ]
    for part in ('REQUEST: "GetFeatureInfo"', 'CRS: "EPSG:3857"', "QUERY_LAYERS: s.layers",
                 "I: Math.round(e.containerPoint.x)", "map.hasLayer(s.layer)",
                 'frame.setAttribute("sandbox", "")', 'VERSION: "1.3.0"'):  # fmt: skip
        assert part in script, part
    assert "GetFeatureInfo" not in _page(parse_map_services(WMS, source="k.toml"))


def test_the_choice_of_layers_is_remembered_by_the_ids_of_the_file() -> None:
    page = _page(load_map_services(EXAMPLE))
    script = page[page.index('var key = "qmon.kartendienste";') :]
    script = script[: script.index("})(map_")]
    entries = re.findall(r'\{id: "([^"]*)", layer: (\w+)\}', script)
    assert entries == [
        ("stadtplan", _var_of(page, "Stadtplan")),
        ("luftbild-2019", _var_of(page, "Luftbild 2019")),
        ("luftbild-2023", _var_of(page, "Luftbild 2023")),
        ("", _var_of(page, "ohne Hintergrund")),
        ("fnp", _var_of(page, "Flächennutzungsplan")),
        ("bebauungsplaene", _var_of(page, "Bebauungspläne")),
    ]
    backgrounds = script[script.index("var backgrounds") : script.index("var overlays")]
    assert '"fnp"' not in backgrounds and '""' in backgrounds
    for part in ("window.sessionStorage.getItem(key)", 'map.on("baselayerchange"',
                 'map.on("overlayadd overlayremove"', "} catch (err) {"):  # fmt: skip
        assert part in script, part
    # applied after the layers are on the map and before the layer control reads them
    last_layer = page.index(f"var {_var_of(page, 'Bebauungspläne')} = L.tileLayer.wms(")
    assert last_layer < page.index("qmon.kartendienste") < page.index("L.control.layers(")


def test_the_map_with_services_needs_no_foreign_scripts() -> None:
    fmap = localize(monitoring_map(_areas(), services=load_map_services(EXAMPLE)))
    page = fmap.get_root().render()
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert sources and all(s.startswith("/app/static/vendor/") for s in sources), sources


def test_the_readme_example_is_a_valid_file() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### The city's map services") :]
    block = section[section.index("```toml") + len("```toml") : section.index("```\n", 10)]
    services = parse_map_services(block, source="README.md")
    assert [s.label for s in services.services] == ["Luftbild 2023", "Bebauungspläne"]
    assert services.overlays[0].featureinfo and services.backgrounds[0].visible
