"""The Berichte page in a real browser: the report shows, and a click downloads the file.

The download buttons generate their file only when clicked (in a thread of the
server, outside the page run); this checks that the served bytes are the report.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def _settled(page: Any) -> None:
    page.wait_for_selector("h1", timeout=30_000)
    page.wait_for_timeout(1500)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000
    )


def _download(page: Any, label: str) -> tuple[str, bytes]:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=label, exact=True).click()
    download = info.value
    path = download.path()
    assert download.failure() is None, download.failure()
    return download.suggested_filename, Path(path).read_bytes()


def test_berichte_shows_the_report_and_downloads_its_files(open_app) -> None:
    page, watch = open_app("/berichte?gebiet=SSZ-01&jahr=2024")
    _settled(page)
    assert page.locator("[data-testid=stException]").count() == 0
    page.get_by_text("Soziale Mitte (SSZ-01) – Berichtsjahr 2024").wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "seite-berichte.png"), full_page=True)
    name, pdf = _download(page, "PDF")
    assert name == "Monitoringbericht_SSZ-01_2024.pdf"
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    name, zipped = _download(page, "CSV (ZIP je Teil)")
    assert name == "Monitoringbericht_SSZ-01_2024_csv.zip"
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        assert "SSZ-01_2024_teil_C.csv" in archive.namelist()
    assert page.locator("[data-testid=stException]").count() == 0
    assert not watch.foreign and not watch.dialogs and not watch.errors


def test_berichte_files_a_report_and_makes_all_as_one_zip(open_app) -> None:
    page, watch = open_app("/berichte?gebiet=WNE-01&jahr=2024")
    _settled(page)
    page.get_by_text("Ich bestätige, dass ich den Bericht geprüft habe").click()  # the confirmation
    _settled(page)
    page.get_by_role("button", name="Bericht 2024 einreichen").click()
    page.get_by_text("Eingereicht als WNE-01/2024/1").wait_for(timeout=60_000)
    page.get_by_text("Keine Änderungen").wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "seite-berichte-eingereicht.png"), full_page=True)
    name, frozen = _download(page, "JSON (eingereicht)")
    assert name == "Monitoringbericht_WNE-01_2024_eingereicht_1.json"
    assert b'"area_id": "WNE-01"' in frozen
    page, watch2 = open_app("/berichte?gebiet=alle&jahr=2024")
    _settled(page)
    page.get_by_role("button", name="Berichte erzeugen").click()
    button = page.get_by_role(
        "button", name="Monitoringberichte_2024_xlsx.zip herunterladen (2 Berichte)"
    )
    button.wait_for(timeout=120_000)
    page.screenshot(path=str(ARTIFACTS / "seite-berichte-alle.png"), full_page=True)
    name, zipped = _download(page, "Monitoringberichte_2024_xlsx.zip herunterladen (2 Berichte)")
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        assert sorted(archive.namelist()) == [
            "Monitoringbericht_SSZ-01_2024.xlsx",
            "Monitoringbericht_WNE-01_2024.xlsx",
        ]
    for w in (watch, watch2):
        assert not w.foreign and not w.dialogs and not w.errors
