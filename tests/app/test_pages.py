"""AppTest of every page: it renders without exceptions, and its filters change what is shown."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import open_store


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


@pytest.mark.parametrize(
    "page",
    [
        "karte",
        "foerdergebiet",
        "massnahmen",
        "indikatoren",
        "quartiersmanagement",
        "import",
        "berichte",
    ],
)
def test_every_page_renders(open_page, page: str) -> None:
    at = open_page(page)
    assert not at.exception
    assert not _errors(at), _errors(at)
    assert at.title[0].value


def test_berichte_is_no_placeholder(open_page) -> None:
    at = open_page("berichte")
    assert not at.exception
    assert not any("Platzhalter" in w.value for w in at.warning)
    assert at.dataframe  # the report's parts are shown (tests/app/test_berichte.py checks them)


def test_foerdergebiet_profile_follows_the_link(open_page) -> None:
    at = open_page("foerdergebiet", gebiet="WNE-01")
    assert at.selectbox(key="foerdergebiet.gebiet").value == "WNE-01"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Aufnahmejahr"] == "2019"
    tables = [df.value for df in at.dataframe]
    # the measures table of WNE-01 lists its 8 measures
    assert any(len(t) == 8 and "Titel" in t.columns for t in tables)
    at.selectbox(key="foerdergebiet.gebiet").set_value("SSZ-01").run()
    tables = [df.value for df in at.dataframe]
    assert any(len(t) == 16 and "Titel" in t.columns for t in tables)
    assert at.query_params["gebiet"] in ("SSZ-01", ["SSZ-01"])


def test_massnahmen_filters_and_search(open_page) -> None:
    at = open_page("massnahmen")
    assert len(at.dataframe[0].value) == 24
    at.multiselect(key="massnahmen.status").set_value(["abgerechnet"]).run()
    assert set(at.dataframe[0].value["Status"]) == {"abgerechnet"}
    assert len(at.dataframe[0].value) == 4
    at.multiselect(key="massnahmen.status").set_value([]).run()
    at.text_input(key="massnahmen.suche").set_value("Maßnahme 1").run()
    assert len(at.dataframe[0].value) == 11  # 1, 10..19
    assert "<img" not in "".join(at.dataframe[0].value["Titel"])


def test_massnahme_edit_is_stored_with_a_new_version(open_page, city_url: str) -> None:
    at = open_page("massnahmen", auswahl="M-005")
    form_title = next(t for t in at.text_input if t.label == "Titel")
    form_title.set_value("Neuer Spielplatz")
    next(b for b in at.button if b.label == "Speichern").click().run()
    assert not _errors(at), _errors(at)
    assert any("Gespeichert" in s.value for s in at.success)
    stored = open_store(city_url).read("measures", where={"id": "M-005"})
    assert stored["title"].iloc[0] == "Neuer Spielplatz"
    assert int(stored["version"].iloc[0]) == 2
    log = open_store(city_url).read("audit_log")
    assert list(log["user_name"]) == ["lokal"]


def test_massnahme_validation_error_is_a_message_and_nothing_is_stored(
    open_page, city_url: str
) -> None:
    at = open_page("massnahmen", auswahl="M-005")
    next(t for t in at.text_input if t.label == "Titel").set_value("   ")
    next(b for b in at.button if b.label == "Speichern").click().run()
    assert any("Nicht gespeichert" in e for e in _errors(at))
    stored = open_store(city_url).read("measures", where={"id": "M-005"})
    assert stored["title"].iloc[0] == "Maßnahme 5" and int(stored["version"].iloc[0]) == 1


def test_massnahme_conflict_is_a_message(open_page, city_url: str) -> None:
    at = open_page("massnahmen", auswahl="M-006")
    # someone else saves the same measure after the form was opened
    from monitoring import editing
    from monitoring.auth import User

    editing.update(
        open_store(city_url),
        User("kollegin", "editor"),
        "measures",
        {"id": "M-006"},
        {"title": "Von Kollegin geändert"},
        expected_version=1,
    )
    next(t for t in at.text_input if t.label == "Titel").set_value("Meine Änderung")
    next(b for b in at.button if b.label == "Speichern").click().run()
    assert any("Konflikt" in e for e in _errors(at))
    stored = open_store(city_url).read("measures", where={"id": "M-006"})
    assert stored["title"].iloc[0] == "Von Kollegin geändert"


def test_viewer_gets_no_edit_form_and_no_personal_data(city_url: str) -> None:
    script = (
        "import streamlit as st\nfrom monitoring.auth import User\n"
        "st.session_state['user'] = User('gast', 'viewer')\n"
        "from ui.pages import run\nrun(start={page!r})\n"
    )
    at = AppTest.from_string(script.format(page="massnahmen"), default_timeout=60)
    at.query_params["auswahl"] = "M-001"
    at.run()
    assert not at.exception
    assert not [b for b in at.button if b.label == "Speichern"]
    assert any("darf Maßnahmen nicht ändern" in c.value for c in at.caption)
    at = AppTest.from_string(script.format(page="quartiersmanagement"), default_timeout=60)
    at.run()
    actors = at.dataframe[0].value
    assert set(actors["E-Mail"]) == {"•••"}
    assert "erika@example.org" not in actors.to_string()


def test_quartiersmanagement_shows_actors_network_and_fund(open_page) -> None:
    at = open_page("quartiersmanagement")
    actors = at.dataframe[0].value
    assert "erika@example.org" in set(actors["E-Mail"])  # the local user may see it
    dot = at.get("graphviz_chart")[0].proto.spec
    assert '"A-1" -- "A-2"' in dot and '"A-1" -- "A-3"' in dot  # project P-1, body G-1
    assert "erika@example.org" not in dot
    texts = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert "Aktionsfonds" in " ".join(s.label for s in at.selectbox) or "Hoffest" in texts
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["verfügbar"] == "8.500\xa0€"


def test_indikatoren_series_and_index(open_page) -> None:
    at = open_page("indikatoren", indikator="vacancy_rate", gebiete=["PR-00", "PR-11"])
    wide = at.dataframe[0].value
    assert list(wide.columns) == ["Quartier 1", "Mitte <b>fett</b>"]
    assert len(wide) == 3
    index = next(df.value for df in at.dataframe if "Gebiet" in df.value.columns)
    assert len(index) == 9
    reasons = index.set_index("Gebiet")["ohne Zuordnung, weil"]
    assert reasons["Quartier 9 (PR-22)"] == "weniger als 300 Einwohner"
    at.selectbox(key="indikatoren.stichtag").set_value("2018-12-31").run()
    assert not at.exception
    # local Moran's I: every area with a value gets a cluster or "nicht signifikant"
    clusters = next(df.value for df in at.dataframe if df.value.columns.tolist() == ["Gebiete"])
    assert int(clusters["Gebiete"].sum()) == 9
    # the area under 300 residents is withheld, and takes no part in the statistic
    assert clusters.loc["unterdrückt", "Gebiete"] == 1
    at.selectbox(key="indikatoren.cluster").set_value("child_poverty_rate").run()
    assert not at.exception
    assert not [w for w in at.warning if "Cluster" in w.value]
    # 2018 has no earlier period for the dynamics: the index says why instead of failing
    assert any("Sozialindex" in w.value for w in at.warning)


def test_import_page_waits_for_a_file_and_offers_every_kind(open_page) -> None:
    at = open_page("import")
    assert any("Laden Sie eine Datei hoch" in i.value for i in at.info)
    assert at.selectbox(key="import.art").options == [
        "Maßnahmen",
        "Gebäude (Wohnungsbestand)",
        "Fördergebiete (Gesamtmaßnahmen)",
        "Indikatortabelle",
        "Statistische Gebiete (Grenzen)",
    ]
    # uploads, the dry run's report and the confirmation: tests/app/test_import_page.py


def test_import_report_frame_lists_every_problem() -> None:
    from geo.errors import ImportRefused
    from geo.validation import Problem
    from ui.import_page import report_frame

    exc = ImportRefused(
        "m.csv",
        [
            Problem("m.csv", "id is empty", fix="fill it", row=3, column="id"),
            Problem("m.csv", "unknown status", row=4, column="status", value="fertig"),
        ],
    )
    frame = report_frame(exc)
    assert frame["Zeile"].tolist() == [3, 4]
    assert frame["Wert"].isna().tolist() == [True, False] and frame["Wert"][1] == "fertig"


def test_indikatoren_with_one_stichtag_shows_a_change_indicator_without_values(
    city_url: str, open_page
) -> None:
    """A new city with one Stichtag: the change against the previous period has no value
    at all; the page says so instead of failing (the empty table once broke it)."""
    store = open_store(city_url)
    periods = sorted(store.read("indicator_values")["period"].astype(str).unique())
    for period in periods[:-1]:
        store.delete("indicator_values", where={"period": period})
    at = open_page("indikatoren", indikator="population_change", gebiete=["PR-00", "PR-11"])
    assert not at.exception
    assert not _errors(at), _errors(at)
