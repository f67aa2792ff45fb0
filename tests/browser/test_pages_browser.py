"""Every page in the browser, and the import with a real file upload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
PATHS = ["/foerdergebiet", "/massnahmen", "/indikatoren", "/quartiersmanagement", "/import"]


def _settled(page: Any) -> None:
    page.wait_for_selector("h1", timeout=30_000)
    page.wait_for_timeout(1500)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=30_000
    )


@pytest.mark.parametrize("path", PATHS)
def test_page_renders_in_the_browser(open_app, path: str) -> None:
    page, watch = open_app(path)
    _settled(page)
    assert page.locator("[data-testid=stException]").count() == 0
    page.screenshot(path=str(ARTIFACTS / f"seite{path.replace('/', '-')}.png"), full_page=True)
    assert not watch.foreign and not watch.dialogs and not watch.errors


def _upload(page: Any, path: Path) -> None:
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_text("Spalten zuordnen").wait_for(timeout=30_000)


def test_import_shows_the_report_and_stores_only_after_confirmation(
    open_app, tmp_path: Path, app_url: str
) -> None:
    from geo.store import open_store
    from tests.app.city import X0, Y0

    store_path = _store_of(app_url)
    before = len(open_store(store_path).read("measures"))
    bad = tmp_path / "massnahmen.csv"
    bad.write_text(
        "id;title;status;x;y\n"
        f"N-1;Neue Bank;geplant;{X0 + 500};{Y0 + 500}\n"
        f"N-2;;fertig;{X0 + 600};{Y0 + 600}\n",
        encoding="utf-8",
    )
    page, watch = open_app("/import")
    _settled(page)
    _upload(page, bad)
    page.get_by_text("N-2").first.wait_for(state="attached", timeout=20_000)  # the preview table
    page.get_by_text("Nicht importiert").wait_for(timeout=30_000)  # the dry run's report
    assert page.get_by_role("button", name="Importieren", exact=True).is_disabled()
    page.screenshot(path=str(ARTIFACTS / "import-bericht.png"), full_page=True)
    assert len(open_store(store_path).read("measures")) == before
    good = tmp_path / "massnahmen_gut.csv"
    good.write_text(
        "id;title;status;x;y\n"
        f"N-1;Neue Bank;geplant;{X0 + 500};{Y0 + 500}\n"
        f"N-2;Baumscheiben;bewilligt;{X0 + 600};{Y0 + 600}\n",
        encoding="utf-8",
    )
    _upload(page, good)
    page.get_by_text("Baumscheiben").first.wait_for(state="attached", timeout=20_000)
    page.get_by_text("Prüfung bestanden").wait_for(timeout=30_000)
    assert len(open_store(store_path).read("measures")) == before  # nothing yet
    page.screenshot(path=str(ARTIFACTS / "import-geprueft.png"), full_page=True)
    page.get_by_role("button", name="Importieren", exact=True).click()
    page.get_by_text("2 Zeilen gespeichert").wait_for(timeout=30_000)
    stored = open_store(store_path).read("measures")
    assert len(stored) == before + 2
    assert set(stored.loc[stored["id"].isin(["N-1", "N-2"]), "title"]) == {
        "Neue Bank",
        "Baumscheiben",
    }
    assert not watch.foreign and not watch.dialogs


def _store_of(app_url: str) -> str:
    """Return the store the app under test serves (the fixture records it)."""
    from tests.browser import conftest

    return conftest.STORES[app_url]
