"""A neighbourhood manager's week in a real browser (Debian Chromium, foreign hosts blocked).

Add an actor with consent, log a clean-up campaign with 23 participants at a place
clicked on the map, record a resident group's application to the local fund, the
jury's decision, the payment and the proof of use; then the fund's balance and the
year's activity count have changed, in the page and in the store. Run against the
small city in a GeoPackage and in PostGIS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from tests.app.city import build_city
from tests.browser.conftest import ARTIFACTS, LOCAL_HOSTS, running_app

pytestmark = pytest.mark.browser
YEAR = dt.date.today().year


@pytest.fixture(scope="module", params=["gpkg", "postgis"])
def week_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, str]]:
    """The app against a fresh small city: (base URL, store URL, store kind)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if request.param == "gpkg":
        store = str(tmp_path_factory.mktemp("week") / "stadt.gpkg")
        build_city(store)
        with running_app(store) as base:
            yield base, store, "gpkg"
        return
    import uuid

    import psycopg
    from psycopg import sql

    from tests.conftest import PG_DSN

    schema = f"t_{uuid.uuid4().hex[:12]}"
    store = f"{PG_DSN}?schema={schema}"
    build_city(store)
    try:
        with running_app(store) as base:
            yield base, store, "postgis"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


# --- driving Streamlit widgets ------------------------------------------------------------


def settled(page: Any) -> None:
    """Wait until the app has finished its run."""
    page.wait_for_timeout(600)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000
    )


def tab(page: Any, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()
    settled(page)


class Form:
    """One Streamlit form, found by its submit button; its widgets found by their labels."""

    def __init__(self, page: Any, button: str) -> None:
        self.page, self.button = page, button
        self.scope = page.locator("[data-testid=stForm]").filter(
            has=page.get_by_role("button", name=button, exact=True)
        )

    def fill(self, label: str, text: str) -> Form:
        self.scope.get_by_label(label, exact=True).fill(text)
        return self

    def choose(self, label: str, option: str) -> Form:
        box = self.scope.get_by_role("combobox", name=label, exact=True)
        opener = box.locator("xpath=ancestor::div[@role='group'][1]//button[@aria-label='Open']")
        wanted = self.page.get_by_role("option", name=option).first
        for _ in range(3):  # a rerun of the app may redraw the list away: open it again
            opener.click()
            try:
                wanted.click(timeout=5_000)
                break
            except Exception:  # noqa: BLE001 (playwright's TimeoutError)
                self.page.keyboard.press("Escape")
                settled(self.page)
        else:
            wanted.click()
        self.page.keyboard.press("Escape")  # a multiselect stays open
        return self

    def tick(self, label: str) -> Form:
        self.scope.locator("[data-testid=stCheckbox]").filter(has_text=label).locator(
            "label"
        ).click()
        return self

    def date(self, label: str, when: dt.date) -> Form:
        """Type a date into Streamlit's date field (day, month and year segments)."""
        field = self.scope.get_by_role("group", name=label, exact=True)
        field.locator("[role=spinbutton]").first.click()
        self.page.keyboard.type(when.strftime("%d%m%Y"))
        self.page.keyboard.press("Escape")
        return self

    def submit(self, expect: str) -> None:
        self.scope.get_by_role("button", name=self.button, exact=True).click()
        self.page.get_by_text(expect).first.wait_for(timeout=60_000)
        settled(self.page)


def metric(page: Any, label: str) -> str:
    box = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return str(box.locator("[data-testid=stMetricValue]").inner_text()).strip()


def expand(page: Any, title: str) -> None:
    header = page.locator("[data-testid=stExpander] summary").filter(has_text=title)
    if header.first.get_attribute("aria-expanded") != "true":
        header.first.click()
        settled(page)


# --- the week ------------------------------------------------------------------------------


def the_week(page: Any, shots: str) -> dict[str, str]:
    """Do the week on the Quartiersmanagement page; return what the page showed after it."""
    page.get_by_role("heading", name="Quartiersmanagement").wait_for(timeout=60_000)
    settled(page)
    today = dt.date.today()
    # Monday: a residents' group joins, with consent to be contacted
    Form(page, "Akteur speichern").fill("Name bzw. Organisation", "Hofgemeinschaft Lindenweg 5")
    form = Form(page, "Akteur speichern").choose("Typ", "Bewohnergruppe")
    form.fill("Ansprechperson", "Jana Beispiel").fill("E-Mail", "hof5@example.org")
    form.tick("Einwilligung zur Kontaktaufnahme liegt vor").date("Einwilligung vom", today)
    form.submit("Akteur AK-001 gespeichert")
    page.get_by_text("Hofgemeinschaft Lindenweg 5").first.wait_for(state="attached")
    # Tuesday: the clean-up campaign, placed with a click on the map
    tab(page, "Aktivitäten")
    before = int(metric(page, f"Aktivitäten {YEAR}"))
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    frame.locator(".leaflet-container").scroll_into_view_if_needed()  # below the charts
    page.wait_for_timeout(1500)
    # the map is fitted to the funding area: a click near its middle lies inside the area
    box = frame.locator(".leaflet-container").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2 - 40)
    page.get_by_text("Gewählter Ort:").wait_for(timeout=60_000)
    settled(page)
    form = Form(page, "Aktivität speichern").fill("Titel", "Frühjahrsputz im Hof")
    form.choose("Art", "Aufräumaktion").fill("Ort (Beschreibung)", "Hof Lindenweg 5")
    form.fill("Teilnehmende", "23").fill("Ehrenamtliche", "6")
    form.choose("Veranstalter (Akteure)", "Hofgemeinschaft Lindenweg 5")
    page.wait_for_timeout(800)  # the list of organisers has closed
    page.screenshot(path=f"{shots}-aktivitaet.png", full_page=True)
    form.submit("Aktivität AT-001 gespeichert")
    after = int(metric(page, f"Aktivitäten {YEAR}"))
    page.screenshot(path=f"{shots}-aktivitaet-gespeichert.png", full_page=True)
    # Wednesday: the group's project applies to the local fund
    tab(page, "Projekte und Anträge")
    expand(page, "Neues Projekt einer Bewohnergruppe")
    form = Form(page, "Projekt speichern").fill("Titel des Projekts", "Hochbeete im Hof")
    form.choose("Träger (Akteur)", "Hofgemeinschaft Lindenweg 5").choose("Status", "Antrag")
    form.submit("Projekt PJ-001 gespeichert")
    form = Form(page, "Antrag speichern").choose("Projekt", "Hochbeete im Hof")
    form.choose("Fonds (bei lokalem Fonds)", "Aktionsfonds 2022").choose("Status", "eingereicht")
    form.date("eingereicht am", today).date("Frist", today + dt.timedelta(days=14))
    form.fill("beantragt (€)", "1.200,00")
    form.submit("Antrag AN-001 gespeichert")
    page.get_by_text("in 14 Tagen").first.wait_for(state="attached", timeout=30_000)
    # Thursday: the jury decides, the money is paid
    tab(page, "Fonds")
    shown = {"vorher": metric(page, "verfügbar"), "Kontostand vorher": metric(page, "Kontostand")}
    form = Form(page, "Entscheidung speichern").choose("über Antrag", "AN-001")
    form.choose("Gremium", "Quartiersrat").fill("Vorhaben", "Hochbeete im Hof")
    form.fill("Betrag (€)", "1.200").choose("finanziert aus", "privat")
    form.fill("Ja-Stimmen", "5").fill("Nein-Stimmen", "0").fill("Enthaltungen", "1")
    form.submit("Antrag AN-001: bewilligt")
    form = Form(page, "Auszahlung speichern").choose("Entscheidung", "Hochbeete im Hof")
    form.fill("Betrag (€)", "1200").submit("gespeichert")
    # Friday: the proof of use comes in
    Form(page, "Nachweis speichern").choose("Entscheidung", "Hochbeete im Hof").submit(
        "Verwendungsnachweis zu"
    )
    shown |= {
        "verfügbar": metric(page, "verfügbar"),
        "Kontostand": metric(page, "Kontostand"),
        "ausgezahlt": metric(page, "ausgezahlt"),
        "activities_before": str(before),
        "activities_after": str(after),
    }
    page.screenshot(path=f"{shots}-fonds.png", full_page=True)
    return shown


def test_a_neighbourhood_managers_week(browser: Any, week_app: tuple[str, str, str]) -> None:
    from geo.store import open_store

    base, store_url, kind = week_app
    foreign: list[str] = []
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="de-DE")

    def guard(route: Any) -> None:
        from urllib.parse import urlsplit

        host = urlsplit(route.request.url).hostname or ""
        if host in LOCAL_HOSTS or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(60_000)
    page.goto(f"{base}/quartiersmanagement")
    try:
        shown = the_week(page, str(ARTIFACTS / f"quartier-woche-{kind}"))
    finally:
        page.screenshot(path=str(ARTIFACTS / f"quartier-woche-{kind}-ende.png"), full_page=True)
        context.close()
    assert int(shown["activities_after"]) == int(shown["activities_before"]) + 1
    # the city's fund: 10,000 € in, 1,500 € approved before; now 1,200 € more approved and paid
    assert (shown["vorher"], shown["Kontostand vorher"]) == ("8.500\xa0€", "10.000\xa0€")
    assert (shown["verfügbar"], shown["Kontostand"], shown["ausgezahlt"]) == (
        "7.300\xa0€",
        "8.800\xa0€",
        "1.200\xa0€",
    )
    store = open_store(store_url)
    actor = store.read("actors", where={"id": "AK-001"}).iloc[0]
    assert (actor["email"], bool(actor["consent"])) == ("hof5@example.org", True)
    activity = store.read("activities", where={"id": "AT-001"})
    assert int(activity["participants"].iloc[0]) == 23
    area = store.read("funding_areas", where={"id": "SSZ-01"}).geometry.iloc[0]
    assert area.contains(activity.geometry.iloc[0])  # the place clicked lies in the area
    assert list(store.read("activity_partners", where={"activity_id": "AT-001"})["actor_id"]) == [
        "AK-001"
    ]
    app = store.read("applications").iloc[0]
    assert (app["status"], app["granted"], app["requested"]) == ("bewilligt", 1200.0, 1200.0)
    decision = store.read("fund_decisions", where={"application_id": "AN-001"}).iloc[0]
    assert (decision["outcome"], int(decision["votes_yes"]), decision["proof_of_use"]) == (
        "bewilligt",
        5,
        "eingereicht",
    )
    assert list(store.read("fund_payments")["amount"]) == [1200.0]
    log = store.read("audit_log")
    assert set(log["layer"]) >= {
        "actors",
        "activities",
        "activity_partners",
        "projects",
        "applications",
        "fund_decisions",
        "fund_payments",
    }
    assert not foreign and not errors, (foreign, errors)
