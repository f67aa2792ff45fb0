"""The Hilfe page (glossary, search, inputs, roles) and the help texts on the pages' inputs."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from monitoring.auth import ROLE_LABELS, ROLES
from tests.app.city import X0, Y0
from ui.help_texts import COLUMN_HELP, GLOSSARY, HELP, INPUT_LABELS, search
from ui.pages import PAGES


def _terms_shown(at: AppTest) -> list[str]:
    """The glossary terms the page's first tab shows (each entry starts with the bold term)."""
    shown = []
    for m in at.tabs[0].markdown:
        found = re.match(r"\*\*(.+?)\*\*  \n", m.value)
        if found and found.group(1) in GLOSSARY:
            shown.append(found.group(1))
    return shown


def test_hilfe_is_a_page_with_its_own_path() -> None:
    assert PAGES["hilfe"] == ("Hilfe", ":material/help:", "hilfe")


def test_hilfe_renders_the_glossary_the_inputs_and_the_roles(open_page) -> None:
    at = open_page("hilfe")
    assert at.title[0].value == "Hilfe"
    assert [t.label for t in at.tabs] == ["Glossar", "Eingaben", "Rollen"]
    assert _terms_shown(at) == list(GLOSSARY)  # no search: every term
    texts = [m.value for m in at.tabs[1].markdown]
    for key, label in INPUT_LABELS.items():
        assert f"**{label}**  \n{HELP[key]}" in texts
    roles = at.dataframe[0].value
    assert roles.columns.tolist() == ["Recht", *[ROLE_LABELS[r] for r in ROLES]]
    assert not set(ROLES) & set(roles.columns)  # no internal role keys


def test_glossary_search_filters_and_counts(open_page) -> None:
    at = open_page("hilfe")
    at.text_input(key="hilfe.suche").set_value("verfuegungsfonds").run()
    shown = _terms_shown(at)
    assert shown[0] == "Verfügungsfonds"  # the term itself before terms mentioning it
    assert set(shown) == set(search("Verfügungsfonds"))
    assert all("verfügungsfonds" in (t + GLOSSARY[t]).lower() for t in shown)
    assert len(shown) < len(GLOSSARY)
    noun = "Begriff" if len(shown) == 1 else "Begriffe"
    assert any(c.value == f"{len(shown)} {noun} gefunden" for c in at.caption)
    assert at.query_params["suche"] in ("verfuegungsfonds", ["verfuegungsfonds"])  # linkable
    at.text_input(key="hilfe.suche").set_value("<b>Bahnhof</b>").run()
    assert _terms_shown(at) == []
    assert any("Kein Begriff passt" in i.value and "<b>" not in i.value for i in at.info)


def test_a_link_opens_the_glossary_at_a_term(open_page) -> None:
    at = open_page("hilfe", suche="KuF")
    assert at.text_input(key="hilfe.suche").value == "KuF"
    assert _terms_shown(at)[0] == "Kosten- und Finanzierungsübersicht (KuF)"


@pytest.mark.parametrize(
    ("query", "term"),
    [
        ("Gesamtmaßnahme", "Gesamtmaßnahme"),
        ("ISEK", "ISEK (integriertes städtebauliches Entwicklungskonzept)"),
        ("Fördergebiet", "Fördergebiet"),
        ("Stadtumbau", "Wachstum und nachhaltige Erneuerung (früher Stadtumbau)"),
        ("Soziale Stadt", "Sozialer Zusammenhalt (früher Soziale Stadt)"),
        ("KuF", "Kosten- und Finanzierungsübersicht (KuF)"),
        ("Verfügungsfonds", "Verfügungsfonds"),
        ("Quartiersmanagement", "Quartiersmanagement"),
        ("Stichtag", "Stichtag"),
        ("LOR", "LOR (lebensweltlich orientierte Räume)"),
        ("MSS", "Monitoring Soziale Stadtentwicklung (MSS)"),
        ("Statusindex", "Statusindex"),
        ("Dynamikindex", "Dynamikindex"),
        ("eMo", "Elektronisches Monitoring (eMo)"),
        ("Begleitinformationen", "Begleitinformationen (eBI)"),
        ("Zuwendungsbescheid", "Zuwendungsbescheid"),
        ("Mittelabruf", "Mittelabruf"),
        ("Verwendungsnachweis", "Verwendungsnachweis (Schlussabrechnung)"),
        ("Quartiersrat", "Quartiersrat"),
        ("Handlungsfeld", "Handlungsfeld"),
        ("Leerstandsquote", "Leerstandsquote"),
        ("Gebietsstand", "Gebietsstand"),
        ("Geheimhaltung", "Geheimhaltung (Mindestbesetzung)"),
        ("Ostwert", "Ostwert und Nordwert"),
    ],
)
def test_the_domains_terms_are_in_the_glossary(query: str, term: str) -> None:
    assert search(query)[0] == term


def test_search_ignores_case_umlauts_and_hyphens() -> None:
    assert search("FOERDERGEBIET")[0] == "Fördergebiet"
    assert search("z standardisierung") == search("z-Standardisierung")
    assert search("kosten finanzierung")[0] == "Kosten- und Finanzierungsübersicht (KuF)"
    assert search("gibt es nicht") == []


def test_every_help_text_is_listed_and_every_reference_exists() -> None:
    assert set(HELP) == set(INPUT_LABELS)
    assert set(COLUMN_HELP.values()) <= set(HELP)
    assert all(text.strip() and text.strip()[-1] in ".)" for text in HELP.values())
    assert all(text.strip() for text in GLOSSARY.values())
    # the role names in the glossary are the ones the app shows
    assert all(ROLE_LABELS[r] in GLOSSARY["Rolle"] for r in ROLES)


def _help(widgets, label: str) -> str | None:
    return next(w.help for w in widgets if w.label == label)


def test_the_map_explains_its_inputs(open_page) -> None:
    at = open_page("karte")
    assert _help(at.selectbox, "Stichtag") == HELP["stichtag"]
    assert _help(at.selectbox, "Gebietsebene") == HELP["gebietsebene"]
    assert _help(at.selectbox, "Indikator") == HELP["indikator"]
    assert _help(at.multiselect, "Status") == HELP["massnahmenstatus"]


def test_the_indicator_page_explains_level_period_and_method(open_page) -> None:
    at = open_page("indikatoren")
    assert _help(at.selectbox, "Gebietsebene") == HELP["gebietsebene"]
    assert _help(at.selectbox, "Stichtag") == HELP["stichtag"]
    assert _help(at.selectbox, "Methode") == HELP["methode"]
    minimum = next(t for t in at.text_input if t.label == "Mindestbevölkerung")
    assert minimum.help == HELP["mindestbevoelkerung"]


def test_the_report_page_explains_the_reporting_year(open_page) -> None:
    at = open_page("berichte")
    assert _help(at.selectbox, "Berichtsjahr") == HELP["berichtsjahr"]


def _upload(at: AppTest, kind: str, name: str, content: bytes) -> AppTest:
    at.selectbox(key="import.art").set_value(kind).run()
    at.file_uploader(key="import.datei").set_value((name, content, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_indicator_import_explains_match_key_period_vintage_and_level(
    open_page: Callable[..., AppTest],
) -> None:
    csv = "Gebiet;share_u15\nPR-00;14,5\n"
    at = _upload(open_page("import"), "indikatoren", "werte.csv", csv.encode())
    assert at.radio(key="import.indikatoren.match").help == HELP["gebiete_erkennen"]
    assert at.text_input(key="import.indikatoren.stichtag").help == HELP["stichtag_import"]
    assert at.selectbox(key="import.indikatoren.stand").help == HELP["gebietsstand"]
    assert at.selectbox(key="import.indikatoren.ebene").help == HELP["ebene_werte"]
    assert at.text_input(key="import.indikatoren.na").help == HELP["fehlende_werte"]


def test_the_measure_import_asks_for_ostwert_and_nordwert(
    open_page: Callable[..., AppTest],
) -> None:
    csv = f"id;titel;status;ostwert;nordwert\nN-1;Bank;geplant;{X0 + 500:.0f};{Y0 + 500:.0f}\n"
    at = _upload(open_page("import"), "massnahmen", "m.csv", csv.encode())
    x = at.selectbox(key="import.massnahmen.x_col")
    y = at.selectbox(key="import.massnahmen.y_col")
    assert (x.label, x.value, x.help) == ("Ostwert (x)", "ostwert", HELP["ostwert"])
    assert (y.label, y.value, y.help) == ("Nordwert (y)", "nordwert", HELP["nordwert"])


# --- role names: the pages say Lesen, Quartiersmanagement … (monitoring.auth.ROLE_LABELS)


def _as(role: str, page: str, **query: str) -> AppTest:
    script = (
        "import streamlit as st\nfrom monitoring.auth import User\n"
        f"st.session_state['user'] = User('gast', {role!r})\n"
        f"from ui.pages import run\nrun(start={page!r})\n"
    )
    at = AppTest.from_string(script, default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _visible(at: AppTest) -> str:
    return " ".join(e.value for kind in ("caption", "info", "warning") for e in getattr(at, kind))


@pytest.mark.parametrize(
    ("role", "page", "says"),
    [
        ("viewer", "massnahmen", "darf Maßnahmen nicht ändern"),
        ("viewer", "gesamtmassnahmen", "darf Gesamtmaßnahmen nicht ändern"),
        ("viewer", "quartiersmanagement", "darf personenbezogene Daten nicht sehen"),
        ("qm", "berichte", "darf Berichte nicht einreichen"),
        ("viewer", "import", "nicht importieren"),
    ],
)
def test_pages_name_the_role_in_german(city_url: str, role: str, page: str, says: str) -> None:
    text = _visible(_as(role, page, auswahl="M-001"))
    assert says in text
    assert f"Ihre Rolle ({ROLE_LABELS[role]})" in text or f"({ROLE_LABELS[role]}) {says}" in text
    assert f"({role})" not in text


def test_the_profile_editor_names_the_roles_that_may_use_it(city_url: str) -> None:
    at = _as("viewer", "indikatoren")
    text = _visible(at)
    assert f"Rollen {ROLE_LABELS['editor']} und {ROLE_LABELS['admin']}" in text
    assert "editor" not in text and "admin" not in text


def test_the_sidebar_names_the_logged_in_role(monkeypatch: pytest.MonkeyPatch) -> None:
    from monitoring.auth import User
    from ui import common

    monkeypatch.setattr(common, "login_configured", lambda: True)
    for role in ROLES:
        line = common.access_mode(User("anna", role))  # type: ignore[arg-type]
        assert line.endswith(f"anna ({ROLE_LABELS[role]})") and f"({role})" not in line
