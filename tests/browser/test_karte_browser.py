"""The Karte page in a real headless Chromium, offline (every non-local request blocked)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from pyproj import Transformer

from tests.app.city import CRS, X0, XSS_TITLE, Y0
from tests.browser.conftest import ARTIFACTS, REPO

pytestmark = pytest.mark.browser
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
TO_WGS84 = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)


def _map(page: Any) -> Any:
    """Wait until Leaflet has drawn the map; return the frame it lives in."""
    page.wait_for_selector(MAP_FRAME, timeout=30_000)
    frame = page.frame_locator(MAP_FRAME)
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
    return frame


def _click_at(page: Any, x: float, y: float) -> None:
    """Click the map where the storage-CRS point (x, y) is drawn."""
    lon, lat = TO_WGS84.transform(x, y)
    handle = page.locator(MAP_FRAME).element_handle()
    frame = handle.content_frame()
    px, py = frame.evaluate(
        "([lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]);"
        " const r = document.getElementById('map_div').getBoundingClientRect();"
        " return [p.x + r.left, p.y + r.top]; }",
        [lat, lon],
    )
    box = handle.bounding_box()
    page.mouse.click(box["x"] + px, box["y"] + py)


def test_map_draws_areas_and_a_click_shows_details(open_app) -> None:
    page, watch = open_app("/")
    frame = _map(page)
    paths = frame.locator("path.leaflet-interactive")
    assert paths.count() >= 9 + 2  # 9 planning areas, 2 funding areas (+ markers)
    assert frame.locator(".qmon-legend").inner_text().startswith("Sozialindex")
    page.screenshot(path=str(ARTIFACTS / "karte.png"), full_page=True)
    _click_at(page, X0 + 300, Y0 + 300)  # inside PR-00 "Quartier 1", outside funding areas
    page.get_by_text("Quartier 1", exact=True).wait_for(timeout=20_000)
    assert "auswahl=gebiet%3APR-00" in page.url or "auswahl=gebiet:PR-00" in page.url
    _map(page)  # redrawn with the buildings layer
    page.screenshot(path=str(ARTIFACTS / "karte-auswahl.png"), full_page=True)
    assert not watch.foreign, watch.foreign
    assert not watch.dialogs, watch.dialogs


def test_measure_title_with_html_is_shown_as_text_and_runs_nothing(open_app) -> None:
    page, watch = open_app("/")
    frame = _map(page)
    _click_at(page, X0 + 400, Y0 + 2500)  # the marker of M-000
    details = page.get_by_text(XSS_TITLE, exact=True)
    details.wait_for(timeout=20_000)
    # the tooltip on the map shows the title as text, too
    frame = _map(page)
    lon, lat = TO_WGS84.transform(X0 + 400, Y0 + 2500)
    handle = page.locator(MAP_FRAME).element_handle()
    inner = handle.content_frame()
    px, py = inner.evaluate(
        "([lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [lat, lon],
    )
    box = handle.bounding_box()
    page.mouse.move(box["x"] + px, box["y"] + py)
    tooltip = frame.locator(".leaflet-tooltip").first
    tooltip.wait_for(timeout=10_000)
    assert XSS_TITLE in tooltip.inner_text()
    page.screenshot(path=str(ARTIFACTS / "karte-xss.png"), full_page=True)
    # no element was made from the text, in the page or in the map
    assert page.locator("img[src='x']").count() == 0
    assert frame.locator("img[src='x']").count() == 0
    page.wait_for_timeout(500)
    assert not watch.dialogs, watch.dialogs
    assert not watch.foreign, watch.foreign
    assert not [e for e in watch.errors if "alert" in e], watch.errors


def test_map_scripts_are_served_by_the_app(open_app, app_url: str) -> None:
    page, watch = open_app("/?status=geplant&indikator=unemployment_rate")
    frame = _map(page)
    sources = frame.locator("script[src]").evaluate_all("els => els.map(e => e.src)")
    sheets = frame.locator("link[rel=stylesheet]").evaluate_all("els => els.map(e => e.href)")
    assert any("/app/static/vendor/leaflet/leaflet.js" in s for s in sources), sources
    assert all(s.startswith(app_url) for s in sources + sheets), sources + sheets
    assert frame.locator(".qmon-legend").inner_text().startswith("Arbeitslosenanteil")
    assert not watch.foreign, watch.foreign


@pytest.mark.slow
def test_screenshot_of_the_demo_city_for_the_readme(browser, tmp_path: Path) -> None:
    """Render the demo city Musterstadt; QMON_UPDATE_SCREENSHOT=1 also updates the README's."""
    from data.musterstadt import load_musterstadt
    from geo.store import open_store
    from tests.browser.conftest import running_app

    store_path = tmp_path / "musterstadt.gpkg"
    store = open_store(str(store_path))
    store.init(crs="EPSG:25832")
    load_musterstadt(store)
    store.close()
    with running_app(str(store_path)) as base:
        context = browser.new_context(viewport={"width": 1500, "height": 950}, locale="de-DE")
        page = context.new_page()
        page.goto(base + "/?indikator=unemployment_rate&klassen=natural_breaks")
        _map(page)
        page.wait_for_timeout(1500)
        shot = ARTIFACTS / "screenshot-karte.png"
        page.screenshot(path=str(shot))
        context.close()
    assert shot.stat().st_size > 20_000
    if os.environ.get("QMON_UPDATE_SCREENSHOT") == "1":
        shutil.copy(shot, REPO / "docs" / "screenshot-karte.png")
