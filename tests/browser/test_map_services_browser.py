"""The city's map services on the Karte page, in headless Chromium, served by a local WMS.

Two WMS overlays of a stub on a loopback port (tests/browser/wms_stub.py) are switched
in the layer control: the stub must be asked for the tiles of the layer switched on,
its colour must show on the map and its attribution under it. A click on the map asks
the visible overlay for GetFeatureInfo and shows its answer in the popup. A service
that does not answer (a closed port) leaves the page working. The background and the
overlay a user chose stay chosen when a click on an area draws the map anew.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest
from PIL import Image
from pyproj import Transformer

from tests.app.city import CRS, X0, Y0, build_city
from tests.browser.conftest import ARTIFACTS, LOCAL_HOSTS, Watch, free_port, running_app
from tests.browser.wms_stub import WmsStub, running_wms

pytestmark = pytest.mark.browser
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
MAGENTA, CYAN, GREEN = (255, 0, 255), (0, 255, 255), (0, 128, 0)
#: A background of the stub; off at the start ("ohne Hintergrund" is chosen).
BACKGROUND = "Grundkarte (Test)"
TO_WGS84 = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
TITLES = {
    "eins": "Bebauungspläne (Test)",
    "zwei": "Flächennutzungsplan (Test)",
    "drei": "Lärmkartierung (Test)",
}
INFO_FORMATS = {"drei": "text/plain"}


def _config(path: Path, url: str, *, visible: bool = False) -> Path:
    background = f"""
[[map.layer]]
id = "grund"
title = "{BACKGROUND}"
kind = "wms"
group = "Hintergrund"
url = "{url}"
layers = "grund"
visible = {str(visible).lower()}
attribution = "Test-WMS grund"
"""
    text = background + "".join(
        f"""
[[map.layer]]
id = "{name}"
title = "{title}"
kind = "wms"
group = "Überlagerung"
url = "{url}"
layers = "{name}"
transparent = false
visible = {str(visible).lower()}
attribution = "Test-WMS {name}"
featureinfo = true
info_format = "{INFO_FORMATS.get(name, "text/html")}"
"""
        for name, title in TITLES.items()
    )
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def stub() -> Iterator[WmsStub]:
    colours = {"eins": MAGENTA, "zwei": CYAN, "drei": (255, 255, 0), "grund": GREEN}
    with running_wms(colours) as wms:
        yield wms


def _app(tmp: Path, config: Path) -> Iterator[str]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    store = tmp / "stadt.gpkg"
    build_city(str(store))
    with running_app(str(store), env={"QMON_MAP_SERVICES": str(config)}) as base:
        yield base


@pytest.fixture(scope="module")
def services_app(tmp_path_factory: pytest.TempPathFactory, stub: WmsStub) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("wms")
    yield from _app(tmp, _config(tmp / "kartendienste.toml", stub.url))


@pytest.fixture(scope="module")
def unreachable_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("wms-closed")
    closed = f"http://127.0.0.1:{free_port()}/wms"  # nobody listens there
    yield from _app(tmp, _config(tmp / "kartendienste.toml", closed, visible=True))


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[[str], tuple[Any, Watch]]]:
    """Open a URL in a fresh page; requests to other hosts are blocked and recorded."""
    contexts: list[Any] = []

    def open_(url: str) -> tuple[Any, Watch]:
        watch = Watch()
        context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="de-DE")
        contexts.append(context)

        def guard(route: Any) -> None:
            if (urlsplit(route.request.url).hostname or "") in LOCAL_HOSTS:
                route.continue_()
            else:
                watch.foreign.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
        page.on("dialog", lambda d: (watch.dialogs.append(d.message), d.dismiss()))
        page.goto(url)
        return page, watch

    yield open_
    for context in contexts:
        context.close()


def _map(page: Any) -> Any:
    """Wait until Leaflet has drawn the areas; return the map's frame."""
    page.wait_for_selector(MAP_FRAME, timeout=30_000)
    frame = page.frame_locator(MAP_FRAME)
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
    return frame


def _switch(frame: Any, title: str, *, on: bool) -> None:
    """Tick or untick an overlay in the layer control."""
    label = frame.locator(".leaflet-control-layers-overlays label", has_text=title)
    box = label.locator("input[type=checkbox]")
    if box.is_checked() != on:
        box.click()
    assert box.is_checked() == on


def _choose(frame: Any, title: str) -> None:
    """Choose a background in the layer control."""
    label = frame.locator(".leaflet-control-layers-base label", has_text=title)
    label.locator("input[type=radio]").click()
    assert label.locator("input[type=radio]").is_checked()


def _state(frame: Any) -> tuple[str, list[str]]:
    """The chosen background and the switched-on service overlays, as the control shows them.

    The Karte's own layers (areas, measures …) are in the control as well; they are left out.
    """
    chosen = frame.locator(".leaflet-control-layers-base label:has(input:checked)")
    overlays = frame.locator(".leaflet-control-layers-overlays label:has(input:checked)")
    on = [t.strip() for t in overlays.all_inner_texts()]
    return chosen.inner_text().strip(), [t for t in on if t in TITLES.values()]


def _click_at(page: Any, x: float, y: float) -> None:
    """Click the map where the storage-CRS point (x, y) is drawn."""
    lon, lat = TO_WGS84.transform(x, y)
    handle = page.locator(MAP_FRAME).element_handle()
    px, py = handle.content_frame().evaluate(
        "([lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]);"
        " const r = document.getElementById('map_div').getBoundingClientRect();"
        " return [p.x + r.left, p.y + r.top]; }",
        [lat, lon],
    )
    box = handle.bounding_box()
    page.mouse.click(box["x"] + px, box["y"] + py)


def _mark_map(page: Any) -> None:
    """Mark the drawn map, so that a new drawing can be told from it."""
    handle = page.locator(MAP_FRAME).element_handle()
    handle.content_frame().evaluate("() => { window.map.qmonOld = true; }")


def _redrawn(page: Any) -> bool:
    """Whether the map was drawn anew since :func:`_mark_map` (and has its areas)."""
    try:
        handle = page.locator(MAP_FRAME).element_handle(timeout=1000)
        inner = handle.content_frame()
        return bool(
            inner
            and inner.evaluate(
                "() => !!window.map && !window.map.qmonOld"
                " && document.querySelectorAll('path.leaflet-interactive').length > 0"
            )
        )
    except Exception:  # the frame is replaced meanwhile
        return False


def _wait_for(condition: Callable[[], Any], what: str, *, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"nicht eingetreten: {what}")


def _share_of(page: Any, rgb: tuple[int, int, int]) -> float:
    """Share of the map's pixels that have exactly the colour ``rgb``."""
    shot = Image.open(io.BytesIO(page.locator(MAP_FRAME).screenshot())).convert("RGB")
    pixels = np.asarray(shot).reshape(-1, 3)
    return float((pixels == np.asarray(rgb)).all(axis=1).mean())


def _tile_loaded(page: Any, layer: str) -> bool:
    handle = page.locator(MAP_FRAME).element_handle()
    return bool(
        handle.content_frame().evaluate(
            "(layer) => Array.from(document.querySelectorAll('img.leaflet-tile-loaded'))"
            ".some(img => img.src.includes('layers=' + layer) && img.naturalWidth > 0)",
            layer,
        )
    )


def test_two_wms_overlays_switch_and_a_click_shows_feature_info(
    open_page: Callable[[str], tuple[Any, Watch]], services_app: str, stub: WmsStub
) -> None:
    stub.requests.clear()
    page, watch = open_page(services_app + "/")
    frame = _map(page)
    control = frame.locator(".leaflet-control-layers")
    assert TITLES["eins"] in control.inner_text() and TITLES["zwei"] in control.inner_text()
    assert not stub.asked("GetMap")  # overlays are off by default
    assert _share_of(page, MAGENTA) == 0

    _switch(frame, TITLES["eins"], on=True)
    first = _wait_for(lambda: stub.asked("GetMap", LAYERS="eins"), "GetMap für eins")[0]
    assert (first["VERSION"], first["CRS"], first["FORMAT"]) == ("1.3.0", "EPSG:3857", "image/png")
    _wait_for(lambda: _tile_loaded(page, "eins"), "Kachel von eins geladen")
    page.wait_for_timeout(500)  # Leaflet fades tiles in
    assert _share_of(page, MAGENTA) > 0.05
    assert "Test-WMS eins" in frame.locator(".leaflet-control-attribution").inner_text()
    assert not stub.asked("GetMap", LAYERS="zwei")
    page.screenshot(path=str(ARTIFACTS / "karte-wms-eins.png"))

    _switch(frame, TITLES["eins"], on=False)
    _switch(frame, TITLES["zwei"], on=True)
    _wait_for(lambda: stub.asked("GetMap", LAYERS="zwei"), "GetMap für zwei")
    _wait_for(lambda: _tile_loaded(page, "zwei"), "Kachel von zwei geladen")
    page.wait_for_timeout(500)
    assert _share_of(page, CYAN) > 0.05
    assert _share_of(page, MAGENTA) == 0
    attribution = frame.locator(".leaflet-control-attribution").inner_text()
    assert "Test-WMS zwei" in attribution and "Test-WMS eins" not in attribution
    page.screenshot(path=str(ARTIFACTS / "karte-wms-zwei.png"))

    # a click left of the city (no area there, so no selection and no rerun)
    handle = page.locator(MAP_FRAME).element_handle()
    inner = handle.content_frame()
    left, top, width, height = inner.evaluate(
        "() => { const r = document.getElementById('map_div').getBoundingClientRect();"
        " const s = window.map.getSize(); return [r.left, r.top, s.x, s.y]; }"
    )
    city_left = inner.evaluate(
        "() => { let x = Infinity; document.querySelectorAll('path.leaflet-interactive')"
        ".forEach(p => { x = Math.min(x, p.getBoundingClientRect().left); }); return x; }"
    )
    i, j = 60, height // 2
    assert left + i < city_left - 20, "the click must miss the areas"
    box = handle.bounding_box()
    page.mouse.click(box["x"] + left + i, box["y"] + top + j)
    answer = frame.frame_locator(".qmon-featureinfo-popup iframe").locator("#antwort")
    answer.wait_for(timeout=15_000)
    asked = stub.asked("GetFeatureInfo")
    assert len(asked) == 1, asked  # only the visible overlay is asked
    info = asked[0]
    assert (info["QUERY_LAYERS"], info["INFO_FORMAT"], info["CRS"]) == (
        "zwei",
        "text/html",
        "EPSG:3857",
    )
    assert (int(info["WIDTH"]), int(info["HEIGHT"])) == (width, height)
    assert abs(int(info["I"]) - i) <= 1 and abs(int(info["J"]) - j) <= 1
    minx, miny, maxx, maxy = (float(v) for v in info["BBOX"].split(","))
    assert minx < maxx and miny < maxy and 1e6 < minx < 2e6  # metres, EPSG:3857 near 9° E
    assert answer.inner_text() == f"Ebene zwei an I={info['I']}, J={info['J']}"
    title = frame.locator(".qmon-featureinfo-title").inner_text()
    assert title == TITLES["zwei"]
    assert frame.locator(".qmon-featureinfo-popup iframe").get_attribute("sandbox") == ""
    page.screenshot(path=str(ARTIFACTS / "karte-wms-auskunft.png"))
    assert "auswahl=" not in page.url

    # a plain-text answer is shown as text: its markup is not made into elements
    frame.locator(".leaflet-popup-close-button").click()
    _switch(frame, TITLES["zwei"], on=False)
    _switch(frame, TITLES["drei"], on=True)
    page.mouse.click(box["x"] + left + i, box["y"] + top + j)
    text = frame.frame_locator(".qmon-featureinfo-popup iframe").locator("body")
    _wait_for(lambda: "kein HTML" in text.inner_text(), "Textantwort von drei")
    assert text.inner_text() == "Ebene drei: <b>kein HTML</b>"
    assert text.locator("b").count() == 0
    plain = stub.asked("GetFeatureInfo", QUERY_LAYERS="drei")
    assert [a["INFO_FORMAT"] for a in plain] == ["text/plain"]
    assert len(stub.asked("GetFeatureInfo")) == 2  # zwei is off now and was not asked again
    assert not watch.foreign, watch.foreign
    assert not watch.dialogs, watch.dialogs
    assert not watch.errors, watch.errors


def test_map_works_when_the_services_do_not_answer(
    open_page: Callable[[str], tuple[Any, Watch]], unreachable_app: str
) -> None:
    page, watch = open_page(unreachable_app + "/")
    frame = _map(page)  # the areas are drawn
    control = frame.locator(".leaflet-control-layers-overlays")
    assert TITLES["eins"] in control.inner_text()
    assert frame.locator(".leaflet-control-layers-overlays input:checked").count() >= 2
    page.wait_for_timeout(1500)  # the tiles fail meanwhile
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.get_by_text("Kartendienste werden nicht angezeigt").count() == 0
    assert frame.locator(".qmon-legend").inner_text().startswith("Sozialindex")
    assert not watch.foreign, watch.foreign
    assert not watch.errors, watch.errors


def test_the_chosen_background_and_overlay_stay_when_a_click_draws_the_map_anew(
    open_page: Callable[[str], tuple[Any, Watch]], services_app: str, stub: WmsStub
) -> None:
    stub.requests.clear()
    page, watch = open_page(services_app + "/")
    frame = _map(page)
    assert _state(frame) == ("ohne Hintergrund", [])
    _choose(frame, BACKGROUND)
    _switch(frame, TITLES["eins"], on=True)
    _wait_for(lambda: _tile_loaded(page, "eins"), "Kachel von eins geladen")
    _wait_for(lambda: _tile_loaded(page, "grund"), "Kachel von grund geladen")
    assert _state(frame) == (BACKGROUND, [TITLES["eins"]])

    _mark_map(page)
    asked = len(stub.requests)
    # PR-11 is selected; its buildings are added, so Streamlit draws the map anew
    _click_at(page, X0 + 1700, Y0 + 1700)
    page.wait_for_url(re.compile(r"auswahl=gebiet(:|%3A)PR-11"), timeout=20_000)
    _wait_for(lambda: _redrawn(page), "Karte neu gezeichnet", timeout=30)
    frame = _map(page)
    assert _state(frame) == (BACKGROUND, [TITLES["eins"]])
    # the new map asks the stub for both layers again and shows the overlay's colour
    _wait_for(lambda: _tile_loaded(page, "eins"), "Kachel von eins nach dem Neuzeichnen")
    again = stub.requests[asked:]
    for layer in ("eins", "grund"):
        assert any(r.get("REQUEST") == "GetMap" and r.get("LAYERS") == layer for r in again)
    assert not any(r.get("LAYERS") == "zwei" for r in again)
    page.wait_for_timeout(500)  # Leaflet fades tiles in
    assert _share_of(page, MAGENTA) > 0.05
    attribution = frame.locator(".leaflet-control-attribution").inner_text()
    assert "Test-WMS eins" in attribution and "Test-WMS grund" in attribution
    page.screenshot(path=str(ARTIFACTS / "karte-wms-nach-auswahl.png"))

    # switched back, the defaults are what the next drawing shows
    _choose(frame, "ohne Hintergrund")
    _switch(frame, TITLES["eins"], on=False)
    _mark_map(page)
    page.reload()
    _wait_for(lambda: _redrawn(page), "Karte nach dem Neuladen gezeichnet", timeout=30)
    assert _state(_map(page)) == ("ohne Hintergrund", [])
    assert not watch.foreign, watch.foreign
    assert not watch.errors, watch.errors


@pytest.mark.parametrize(
    "stored",
    [
        '{"hintergrund": "weg", "ueberlagerungen": {"weg": true, "zwei": true, "eins": false}}',
        "{kaputt",
        '["grund"]',
    ],
)
def test_a_remembered_choice_the_file_no_longer_has_leaves_the_map_working(
    open_page: Callable[[str], tuple[Any, Watch]], services_app: str, stored: str
) -> None:
    page, watch = open_page(services_app + "/")
    _map(page)
    page.evaluate("(value) => window.sessionStorage.setItem('qmon.kartendienste', value)", stored)
    page.reload()
    frame = _map(page)
    expected = [TITLES["zwei"]] if "zwei" in stored else []
    assert _state(frame) == ("ohne Hintergrund", expected)
    assert frame.locator(".qmon-legend").inner_text().startswith("Sozialindex")
    # the control still records a choice over the stale one
    _switch(frame, TITLES["drei"], on=True)
    inner = page.locator(MAP_FRAME).element_handle().content_frame()
    remembered = inner.evaluate("() => JSON.parse(sessionStorage.getItem('qmon.kartendienste'))")
    assert remembered["ueberlagerungen"]["drei"] is True
    assert not watch.errors, watch.errors
