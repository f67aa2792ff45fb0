"""Each page's own path opens that page, not Streamlit's English "Page not found"."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ui.pages import PAGES

pytestmark = pytest.mark.browser


def _title(page: Any) -> str:
    page.wait_for_selector("h1", timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=30_000
    )
    page.wait_for_timeout(1000)
    return page.locator("h1").first.inner_text().strip()


@pytest.mark.parametrize("path", ["karte", "massnahmen", "berichte"])
def test_a_page_opens_at_its_own_path(open_app, path: str) -> None:
    page, watch = open_app(f"/{path}")
    assert _title(page) == PAGES[path][0]
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_text("does not seem to exist").count() == 0
    assert page.url.split("?")[0].endswith(f"/{path}")
    # the page is the current one in the navigation
    current = page.locator("[data-testid=stSidebarNav] a[aria-current=page]")
    assert current.count() == 1 and PAGES[path][0] in current.inner_text()
    assert not watch.errors


def test_the_root_opens_the_map_and_keeps_the_link(open_app) -> None:
    page, _ = open_app("/?stichtag=2018-12-31")
    assert _title(page) == "Karte"
    page.wait_for_url("**/karte?**", timeout=30_000)
    assert "stichtag=2018-12-31" in page.url
    assert page.get_by_text("Page not found").count() == 0


def test_the_map_scale_bar_is_metric_only(open_app) -> None:
    page, _ = open_app("/karte")
    _title(page)
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    frame.locator(".leaflet-control-scale-line").first.wait_for(timeout=60_000)
    lines = frame.locator(".leaflet-control-scale-line").all_inner_texts()
    assert len(lines) == 1, lines
    assert re.fullmatch(r"\d+ k?m", lines[0].strip()), lines
    zoom_in = frame.locator(".leaflet-control-zoom-in")
    assert zoom_in.get_attribute("title") == "Vergrößern"


def test_the_file_uploader_reads_german(open_app) -> None:
    """Streamlit writes "Upload" and "200MB per file"; the page shows German in their place."""
    page, _ = open_app("/import")
    _title(page)
    zone = page.locator("[data-testid=stFileUploaderDropzone]").first
    zone.wait_for(timeout=30_000)
    shown = page.evaluate(
        """() => {
        const after = (sel) => {
            const el = document.querySelector(sel);
            return el ? getComputedStyle(el, '::after').content : null;
        };
        const size = (sel) => getComputedStyle(document.querySelector(sel)).fontSize;
        const button = '[data-testid=stFileUploaderDropzone] [data-testid=stBaseButton-secondary]'
            + ' [data-testid=stMarkdownContainer] p';
        const hint = '[data-testid=stFileUploaderDropzoneInstructions] span';
        return {button: after(button), hint: after(hint),
                buttonSize: size(button), hintSize: size(hint)};
    }"""
    )
    assert shown["button"] == '"Datei wählen"', shown
    assert shown["hint"] == '"höchstens 200 MB je Datei"', shown
    assert shown["buttonSize"] == "0px" and shown["hintSize"] == "0px", shown  # English hidden
