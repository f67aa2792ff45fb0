"""The Förderung page in a real browser: a clerk records a grant notice and a drawdown
with German amounts and dates, and sees both listed (and stored exactly)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from geo.store import open_store
from tests.browser.conftest import ARTIFACTS, STORES
from tests.browser.test_quarter_week import Form, settled, tab

pytestmark = pytest.mark.browser


def test_a_notice_and_a_drawdown_are_recorded_and_listed(open_app: Any, app_url: str) -> None:
    page, watch = open_app("/foerderung?gebiet=SSZ-01")
    settled(page)
    page.get_by_text("Kostengruppen-Katalog").first.wait_for(timeout=30_000)
    assert page.locator("[data-testid=stException]").count() == 0
    tab(page, "Bescheide")
    form = Form(page, "Bescheid anlegen")
    form.fill("Aktenzeichen", "ZB 2025/42").date("Bescheid vom", dt.date(2025, 4, 3))
    form.fill("Programmjahr", "2025").fill("Bundesmittel (€)", "120.000,50")
    form.fill("Landesmittel (€)", "60.000")
    form.submit("Zuwendungsbescheid „ZB 2025/42“ gespeichert")
    page.wait_for_function(  # the new notice is chosen, and the address says so
        "() => new URLSearchParams(location.search).get('bescheid') === 'SSZ-01/ZB/1'",
        timeout=30_000,
    )
    tab(page, "Bescheide")
    table = page.locator("[data-testid=stDataFrame]").filter(has_text="Aktenzeichen").first
    table.wait_for(timeout=30_000)
    draw = Form(page, "Mittelabruf erfassen")
    draw.fill("Betrag (€)", "50.000,25").fill("Verwendungszweck", "Abschlag Platzgestaltung")
    draw.submit("Mittelabruf über 50.000,25")
    tab(page, "Bescheide")
    left = page.locator("[data-testid=stMarkdownContainer]").filter(has_text="noch abrufbar")
    left.filter(has_text="130.000,25\xa0€").first.wait_for(timeout=30_000)
    # listed in the tables (canvas cells: present, hidden to 'visible' waits)
    cells = page.locator("td[role=gridcell]")
    cells.filter(has_text="ZB 2025/42").first.wait_for(state="attached", timeout=30_000)
    cells.filter(has_text="50.000,25\xa0€").first.wait_for(state="attached", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "seite-foerderung-bescheid.png"), full_page=True)
    with open_store(STORES[app_url]) as store:
        notices = store.read("grant_notices", where={"funding_area_id": "SSZ-01"})
        draws = store.read("drawdowns", where={"notice_id": notices["id"].tolist()})
    assert notices["file_number"].tolist() == ["ZB 2025/42"]
    assert notices["amount_bund"].tolist() == [120000.5]
    assert str(notices["notice_date"].iloc[0])[:10] == "2025-04-03"
    assert draws["amount"].tolist() == [50000.25]
    assert page.locator("[data-testid=stException]").count() == 0
    assert not watch.foreign and not watch.dialogs and not watch.errors
