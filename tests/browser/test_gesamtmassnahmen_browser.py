"""The page Gesamtmaßnahmen in a real Chromium: a funding area created by uploading its
boundary, designated as § 142 Sanierungsgebiet (vereinfachtes Verfahren) with the date
of its by-law; no request leaves localhost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely

from geo.store import open_store
from tests.app.city import CRS, X0, Y0
from tests.browser.conftest import ARTIFACTS, STORES

pytestmark = pytest.mark.browser
AREA = shapely.box(X0 + 3200, Y0 + 200, X0 + 3900, Y0 + 700)


def _settled(page: Any) -> None:
    page.wait_for_selector("h1", timeout=30_000)
    page.wait_for_timeout(1000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=30_000
    )


def _select(page: Any, label: str, option: str) -> None:
    """Choose ``option`` in the Streamlit selectbox labelled ``label``."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.get_by_role("combobox", name=label, exact=True)
    for _ in range(3):  # the first click after typing elsewhere may only move the focus
        box.click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=3_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    assert box.input_value() == option


def _date(page: Any, label: str, day_month_year: str) -> None:
    """Type a date into the Streamlit date field labelled ``label`` (its segments)."""
    field = page.get_by_role("group", name=label, exact=True)
    field.locator("[role=spinbutton]").first.click()
    page.keyboard.type(day_month_year)


def test_create_a_sanierungsgebiet_by_uploading_its_boundary(
    open_app: Any, tmp_path: Path, app_url: str
) -> None:
    path = tmp_path / "altstadt.geojson"
    frame = gpd.GeoDataFrame({"name": ["Altstadt"]}, geometry=[AREA], crs=CRS)
    frame.to_crs("EPSG:4326").to_file(path, driver="GeoJSON")
    page, watch = open_app("/gesamtmassnahmen")
    _settled(page)
    page.locator("input[type=file]").first.set_input_files(str(path))
    page.get_by_text("Grenze aus altstadt.geojson").wait_for(timeout=30_000)
    page.get_by_role("textbox", name="Kennung *", exact=True).first.fill("SAN-07")
    page.get_by_role("textbox", name="Name *", exact=True).first.fill("Altstadt")
    _select(page, "Programm", "Lebendige Zentren")
    page.get_by_role("textbox", name="Aufnahmejahr", exact=True).first.fill("2021")
    _select(page, "Festlegung", "Sanierungsgebiet (§ 142 BauGB)")
    _select(page, "Verfahren (nur Sanierungsgebiet, § 142)", "vereinfachtes Verfahren")
    _date(page, "Satzung vom", "15032022")
    page.get_by_role("button", name="Gesamtmaßnahme anlegen").click()
    page.get_by_text("Gespeichert: Die Gesamtmaßnahme").wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "gesamtmassnahme-angelegt.png"), full_page=True)
    with open_store(STORES[app_url]) as store:
        row = store.read("funding_areas", where={"id": "SAN-07"}).iloc[0]
    assert (row["name"], row["programme_id"], row["start_year"]) == (
        "Altstadt",
        "lebendige_zentren",
        2021,
    )
    assert row["legal_designation"] == "Sanierungsgebiet (§ 142 BauGB)"
    assert row["legal_procedure"] == "vereinfachtes Verfahren"
    assert str(row["bylaw_date"])[:10] == "2022-03-15"
    assert row.geometry.symmetric_difference(AREA).area < 1.0
    assert page.locator("[data-testid=stException]").count() == 0
    assert not watch.foreign and not watch.dialogs and not watch.errors
