"""AppTest of the Karte page and of the app's entry point."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest import REPO


def _shown(at: AppTest) -> int:
    caption = next(c.value for c in at.caption if "Maßnahmen angezeigt" in c.value)
    return int(caption.split()[0])


def test_app_entry_point_opens_the_karte_page(city_url: str) -> None:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Karte"
    assert any("Angemeldet: lokal" in c.value for c in at.sidebar.caption)


def test_karte_renders_and_filters_change_what_is_shown(open_page) -> None:
    at = open_page("karte")
    assert not at.error
    assert _shown(at) == 24
    at.multiselect(key="karte.status").set_value(["geplant"]).run()
    assert _shown(at) == 5
    assert at.query_params["status"] in ("geplant", ["geplant"])
    at.multiselect(key="karte.gebiet").set_value(["WNE-01"]).run()
    assert _shown(at) == 2  # M-000 and M-015: WNE-01 has every third, geplant every fifth
    at.multiselect(key="karte.status").set_value([]).run()
    assert _shown(at) == 8
    at.selectbox(key="karte.jahr").set_value(2016).run()
    assert 0 < _shown(at) < 8


def test_karte_link_restores_the_view(open_page) -> None:
    at = open_page(
        "karte",
        indikator="unemployment_rate",
        stichtag="2020-12-31",
        klassen="natural_breaks",
        anzahl="4",
        status=["geplant", "bewilligt"],
        auswahl="gebiet:PR-11",
    )
    assert at.selectbox(key="karte.indikator").value == "unemployment_rate"
    assert at.selectbox(key="karte.stichtag").value == "2020-12-31"
    assert at.selectbox(key="karte.klassen").value == "natural_breaks"
    assert at.selectbox(key="karte.anzahl").value == 4
    assert at.multiselect(key="karte.status").value == ["geplant", "bewilligt"]
    assert _shown(at) == 10
    # the details of the linked selection are shown beside the map
    assert any("Quartier" in m.value or "Mitte" in m.value for m in at.markdown)
    assert any(m.label == "Arbeitslosenanteil" for m in at.metric)


def test_karte_bad_link_values_fall_back_to_defaults(open_page) -> None:
    at = open_page("karte", klassen="kaffeesatz", anzahl="99", status=["erfunden"])
    assert at.selectbox(key="karte.indikator").value == "sozialindex_status"
    assert at.multiselect(key="karte.status").value == []
    assert _shown(at) == 24


def test_social_index_is_the_default_in_neutral_classes(open_page) -> None:
    at = open_page("karte", auswahl="gebiet:PR-22")
    assert any("Neutrale Grautöne" in c.value for c in at.caption)
    # PR-22 has 150 residents: no class
    assert any(m.value == "ohne Zuordnung" for m in at.metric)


def test_selected_measure_details_are_text(open_page) -> None:
    at = open_page("karte", auswahl="massnahme:M-000")
    texts = [m.value for m in at.markdown]
    assert any("onerror" in t and "\\<img" in t for t in texts)
    assert any("<script>" in t.value for t in at.text)  # shown as plain text


def test_selected_funding_area_links_to_its_profile(open_page) -> None:
    at = open_page("karte", auswahl="foerdergebiet:SSZ-01")
    assert any(m.label == "Maßnahmen" and m.value == "16" for m in at.metric)


def test_login_is_required_when_oidc_is_configured(city_url: str) -> None:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "geheim",
        "client_id": "quartiersmonitor",
        "client_secret": "geheim",
        "server_metadata_url": "https://idp.stadt.example/.well-known/openid-configuration",
    }
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Anmelden"]
    assert not at.title  # no page is shown before the login


def test_selected_area_shows_its_housing_stock(open_page) -> None:
    at = open_page("karte", auswahl="gebiet:PR-11")
    metrics = {m.label: m.value for m in at.metric}
    # PR-11 holds the 12 buildings of the test city: 6 + 7 + ... + 17 dwellings
    assert metrics["Wohnungen (Gebäudebestand)"] == "138"
