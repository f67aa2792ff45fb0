"""AppTest of the Karte page with the city's map services (QMON_MAP_SERVICES)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import REPO
from ui import leaflet

EXAMPLE = REPO / "docs" / "kartendienste.example.toml"


def _map_script(at: AppTest) -> str:
    maps = [e for e in at.get("component_instance") if "st_folium" in e.proto.component_name]
    assert len(maps) == 1
    args = json.loads(maps[0].proto.json_args)
    return leaflet.full_script(args["script"], args["js_links"])  # layer files put back


def test_the_configured_services_are_on_the_map_with_the_basemap(
    open_page: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QMON_MAP_SERVICES", str(EXAMPLE))
    monkeypatch.setenv("QMON_BASEMAP", "osm")
    at = open_page("karte")
    assert not at.exception and not at.error and not at.warning
    script = _map_script(at)
    for label in ("Hintergrundkarte", "Stadtplan", "Luftbild 2023", "ohne Hintergrund"):
        assert json.dumps(label) + " :" in script, label
    assert "tile.openstreetmap.org" in script and "fnp_wirksam" in script
    assert '"version": "1.3.0"' in script and "GetFeatureInfo" in script


def test_a_faulty_file_is_reported_and_the_map_drawn_without_it(
    open_page: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = tmp_path / "kartendienste.toml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace('kind = "wms"', 'kind = "wfs"'))
    monkeypatch.setenv("QMON_MAP_SERVICES", str(bad))
    at = open_page("karte")
    assert not at.exception and not at.error
    [warning] = at.warning
    assert warning.value.startswith("Die Kartendienste werden nicht angezeigt: Kartendienste ")
    assert "Eintrag Nr. 2 ('luftbild-2019'): kind = 'wfs' ist nicht möglich" in warning.value
    script = _map_script(at)
    assert "L.tileLayer" not in script and "GetFeatureInfo" not in script
    # fixed, the next run shows the services (the cache keys on the file's time)
    bad.write_text(EXAMPLE.read_text(encoding="utf-8"))
    os.utime(bad, (1_900_000_000, 1_900_000_000))
    at = open_page("karte")
    assert not at.warning and "fnp_wirksam" in _map_script(at)
