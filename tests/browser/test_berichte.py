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
        page.get_by_role("button", name=label).click()
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
