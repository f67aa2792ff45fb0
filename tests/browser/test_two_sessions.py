"""Two browser sessions on one app server see each other's saves, and a `qmon import` by
another process, with the next rerun: no restart, no cache cleared by hand."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.app.city import X0, Y0
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]


def _settled(page: Any) -> None:
    page.wait_for_selector("h1", timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000
    )


def _rerun(page: Any, search: str) -> None:
    """Type into the table's search: one rerun of this session's script."""
    box = page.get_by_label("Suche im Titel", exact=True)
    box.fill(search)
    box.press("Enter")
    page.wait_for_timeout(500)
    _settled(page)


def test_a_save_in_one_browser_session_shows_in_the_other(
    open_app, app_url: str, tmp_path: Path
) -> None:
    from tests.browser import conftest

    store = conftest.STORES[app_url]
    planner, watch_a = open_app("/massnahmen?auswahl=M-005")
    colleague, watch_b = open_app("/massnahmen?auswahl=M-005")
    _settled(planner)
    _settled(colleague)
    colleague.get_by_text("Maßnahme 5").first.wait_for(timeout=30_000)

    planner.get_by_label("Titel", exact=True).fill("Spielplatz Lindenhof")
    planner.get_by_role("button", name="Speichern", exact=True).click()
    planner.get_by_text("Gespeichert").first.wait_for(timeout=60_000)

    _rerun(colleague, "Spielplatz")  # the colleague's next rerun, nothing else
    # in the colleague's table (its cells are a canvas with a hidden accessible copy)
    colleague.get_by_text("Spielplatz Lindenhof").first.wait_for(state="attached", timeout=30_000)

    # another process imports into the running app's store
    table = tmp_path / "massnahmen.csv"
    table.write_text(
        f"Nr;Titel;Gebiet;RW;HW\nM-777;Bänke am Teich;SSZ-01;{X0 + 500:.0f};{Y0 + 500:.0f}\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "cli.main", "import", "measures", str(table), "--store", store]
        + ["--id", "Nr", "--title", "Titel", "--funding-area-col", "Gebiet"]
        + ["--x", "RW", "--y", "HW", "--crs", "EPSG:25832", "--role", "editor"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    _rerun(colleague, "Teich")
    colleague.get_by_text("1 von").first.wait_for(timeout=30_000)  # "1 von N Maßnahmen"
    colleague.screenshot(path=str(ARTIFACTS / "zwei-sitzungen.png"), full_page=True)
    for watch in (watch_a, watch_b):
        assert not watch.foreign and not watch.dialogs and not watch.errors
