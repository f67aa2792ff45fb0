"""Every page of the demo app, walked as a clerk reads it: no English, no raw identifiers of
the data model, no number without German separators, no ISO timestamp (issue 14).

The rules are in ``tests/german_audit.py``; a failure lists every finding with the page,
the element and the text.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import run_page
from tests.german_audit import Finding, component_texts, page_findings

#: what the pages may show although a rule would match: examples of what to type, and
#: the import's choice of number format that names the English one ("1,234.5
#: (Dezimalpunkt)": the option for a file written that way)
#: (Berlin's AGS and a UTM Ostwert with its zone are keys and file values in help texts)
ALLOWED = {"123456,78", "1,234.5", "11000000", "32390123,4"}

#: each page in the states a clerk sees most: (page, query parameters)
VIEWS: list[tuple[str, dict[str, str | list[str]]]] = [
    ("karte", {}),
    (
        "karte",
        {"indikator": "unemployment_rate", "stichtag": "2018-12-31", "klassen": "natural_breaks"},
    ),
    ("karte", {"indikator": "residents", "auswahl": "gebiet:PR-007", "farben": "cividis"}),
    ("karte", {"indikator": "vacancy_rate", "auswahl": "massnahme:M-0001"}),
    ("karte", {"auswahl": "foerdergebiet:SSZ-01", "massnahmen_nach": "programme"}),
    ("foerdergebiet", {}),
    ("foerdergebiet", {"gebiet": "WNE-01"}),
    ("foerdergebiet", {"gebiet": "SSZ-01", "indikator": "unemployed"}),
    ("massnahmen", {}),
    ("massnahmen", {"auswahl": "M-001"}),
    # a measure with its funding lines (25 of them), milestones, outputs and attachments
    ("massnahmen", {"auswahl": "M-0076"}),
    ("massnahmen", {"auswahl": "M-0005", "status": "geplant"}),
    ("gesamtmassnahmen", {}),
    ("foerderung", {}),
    ("foerderung", {"gebiet": "WNE-01"}),
    ("indikatoren", {}),
    ("indikatoren", {"indikator": "vacancy_rate", "gebiete": ["PR-007", "PR-026", "PR-092"]}),
    ("indikatoren", {"profil": "berlin-mss-2017", "stichtag": "2018-12-31"}),
    ("indikatoren", {"indikator": "residents", "cluster": "child_poverty_rate"}),
    ("quartiersmanagement", {}),
    ("quartiersmanagement", {"gebiet": "SSZ-01", "fonds": "VF-2023"}),
    ("quartiersmanagement", {"gebiet": "WNE-01"}),
    ("import", {}),
    ("berichte", {}),
    ("hilfe", {}),
    ("hilfe", {"suche": "Stichtag"}),
    ("berichte", {"gebiet": "WNE-01"}),
    ("berichte", {"gebiet": "alle"}),
]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo city (``qmon demo``), built once for this module."""
    from data.musterstadt import load_musterstadt
    from geo.store import open_store

    path = tmp_path_factory.mktemp("demo") / "musterstadt.gpkg"
    with open_store(str(path)) as store:  # as `qmon demo` builds it
        store.init(crs="EPSG:25832")
        load_musterstadt(store)
    return path


@pytest.fixture
def open_demo(
    demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., AppTest]:
    path = tmp_path / "musterstadt.gpkg"
    shutil.copy(demo_file, path)
    monkeypatch.setenv("QMON_STORE", str(path))
    monkeypatch.setenv("QMON_LOCAL_ADMIN", "1")
    monkeypatch.delenv("QMON_BASEMAP", raising=False)

    def run(page: str, query: dict[str, str | list[str]]) -> AppTest:
        return run_page(page, query, timeout=120)

    return run


def _report(findings: list[Finding]) -> str:
    unique = dict.fromkeys(str(f) for f in findings)
    return f"{len(unique)} Befunde:\n" + "\n".join(list(unique)[:80])


@pytest.mark.parametrize(("page", "query"), VIEWS, ids=lambda v: str(v) if v else "")
def test_page_reads_german(open_demo, page: str, query: dict) -> None:
    at = open_demo(page, query)
    findings = page_findings(at, page, allowed=ALLOWED)
    assert not findings, _report(findings)


def test_gesamtmassnahmen_with_records_chosen_reads_german(open_demo) -> None:
    """The forms a clerk opens: a funding area, a concept with its goals and targets."""
    at = open_demo("gesamtmassnahmen", {})
    at.selectbox(key="gm.auswahl").set_value("SSZ-01")
    at.selectbox(key="gm.konzepte.gebiet").set_value("SSZ-01").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="gm.SSZ-01.1.name").value  # the form of the chosen record
    assert any("Zielwert" in d.value.columns for d in at.dataframe)  # the targets are shown
    findings = page_findings(at, "gesamtmassnahmen", allowed=ALLOWED)
    assert not findings, _report(findings)


def test_foerderung_with_a_notice_reads_german(open_demo) -> None:
    """The Förderung page with a notice, a drawdown, a revenue and a due deadline chosen."""
    import datetime as dt
    import os

    import pandas as pd

    from geo.store import open_store
    from monitoring import services
    from monitoring.auth import LOCAL_USER
    from monitoring.grants import service

    with open_store(os.environ["QMON_STORE"]) as store:
        services.save(
            store,
            LOCAL_USER,
            "revenues",
            {"id": "SSZ-01/EN/1", "funding_area_id": "SSZ-01", "kind": "ausgleichsbetraege",
             "year": 2024, "planned": 25000.0, "actual": 12500.5},
        )  # fmt: skip
        nid = service.next_notice_id(store, "SSZ-01")
        service.save_notice(
            store,
            LOCAL_USER,
            {"id": nid, "funding_area_id": "SSZ-01", "file_number": "ZB 2024/3",
             "notice_date": pd.Timestamp("2024-06-01"), "programme_year": 2024,
             "amount_bund": 40000.0, "amount_land": 20000.0, "amount_gemeinde": 30000.0,
             "drawdown_deadline": pd.Timestamp(dt.date.today() + dt.timedelta(days=20)),
             "proof_deadline": pd.Timestamp("2024-12-31")},
        )  # fmt: skip
        service.add_drawdown(store, LOCAL_USER, nid, amount=1000.0, requested=dt.date(2024, 7, 1))
    at = open_demo("foerderung", {"gebiet": "SSZ-01", "bescheid": nid})
    assert any("ZB 2024/3" in str(d.value) for d in at.dataframe)
    findings = page_findings(at, "foerderung", allowed=ALLOWED)
    assert not findings, _report(findings)


def test_choices_read_german_and_the_address_keeps_the_keys(open_demo) -> None:
    """Stichtage read 31.12.2018 and methods their title; the query keeps ISO dates and keys."""
    at = open_demo("indikatoren", {"stichtag": "2018-12-31", "profil": "berlin-mss-2017"})
    stichtag, method = (
        at.selectbox(key="indikatoren.stichtag"),
        at.selectbox(key="indikatoren.profil"),
    )
    assert (stichtag.value, method.value) == ("2018-12-31", "berlin-mss-2017")
    assert "31.12.2018" in stichtag.options and "2018-12-31" not in stichtag.options
    assert method.options[1].startswith("Berlin, Monitoring Soziale Stadtentwicklung 2013")
    assert at.query_params["stichtag"] in ("2018-12-31", ["2018-12-31"])
    assert at.query_params["profil"] in ("berlin-mss-2017", ["berlin-mss-2017"])


def test_the_walk_sees_the_map(open_demo) -> None:
    """The audit reads the map: its legend and its tooltips' headings and values."""
    texts = component_texts(open_demo("karte", {}))
    assert "Kennung" in texts  # a tooltip heading
    assert any(t.startswith("Sozialindex") for t in texts), texts[:30]  # legend or tooltip


def test_the_walk_finds_what_a_clerk_would_not_forward() -> None:
    """Planted faults of every kind are found: the audit can fail."""
    script = (
        "import pandas as pd\nimport streamlit as st\n"
        "st.caption('status is not allowed')\n"
        "st.dataframe(pd.DataFrame({'period': ['2021-02-11 00:00:00'], 'Wert': [29.9132],"
        " 'Summe': [14619100], 'Schlüssel': ['gruenflaeche_m2']}))\n"
        "st.selectbox('Methode', ['berlin-mss-2021'])\n"
        "st.line_chart(pd.DataFrame({'a': [1, 2]}))\n"
        "d = pd.DataFrame({'Frist': pd.to_datetime(['2024-01-02']),"
        " 'Termin': pd.to_datetime(['2024-03-04'])})\n"
        "st.data_editor(d, column_config={"
        "'Frist': st.column_config.DateColumn(format='YYYY-MM-DD'),"
        " 'Termin': st.column_config.DateColumn(format='DD.MM.YYYY')})\n"
    )
    at = AppTest.from_string(script, default_timeout=60).run()
    found = {(f.rule, f.match) for f in page_findings(at, "probe")}
    assert {("englisch", "status"), ("englisch", "allowed"), ("englisch", "period")} <= found
    assert ("ISO-Datum", "2021-02-11 00:00:00") in found
    assert ("Zahl ohne deutsches Format", "29.9132") in found
    assert ("Zahl ohne deutsches Format", "14619100") in found
    assert ("Methodenschlüssel", "berlin-mss-2021") in found
    assert ("Diagramm ohne deutsches Zahlenformat", "config.locale") in found
    assert not any(m == "gruenflaeche_m2" for _, m in found)  # a key column may show keys
    # a date column of an editor passes only where its config writes 04.03.2024
    dates = {f.where for f in page_findings(at, "probe") if f.rule.startswith("Datum")}
    assert "probe/dataframe [Frist]" in dates and "probe/dataframe [Termin]" not in dates


# --- states a clerk reaches by a click, an upload or another role ------------------------

#: a table of measures as a clerk exports it from a spreadsheet, with two faulty rows
#: (a status the catalogue does not know, a cost that is no number)
MEASURES_WITH_ERRORS = (
    "Kennung;Titel;Status;Beginn;Kosten;Rechtswert;Hochwert\n"
    "N-1;Neue Bänke am Markt;geplant;01.03.2025;12.500,50;500100;5700100\n"
    "N-2;Baumscheiben;fertig;01.04.2025;1.336.000;500200;5700200\n"
    "N-3;Spielplatz;geplant;01.05.2025;viel;500300;5700300\n"
)


def test_the_import_report_reads_german(open_demo) -> None:
    """The dry run's report of a measures table with errors: headers, values, counts."""
    at = open_demo("import", {})
    at.selectbox(key="import.art").set_value("massnahmen").run()
    upload = ("massnahmen.csv", MEASURES_WITH_ERRORS.encode(), "text/csv")
    at.file_uploader(key="import.datei").set_value(upload).run()
    assert not at.exception, [e.value for e in at.exception]
    report = next(df.value for df in at.dataframe if "Korrektur" in df.value.columns)
    assert len(report) >= 2, report  # the audit below reads a report, not an empty page
    assert any("Probleme gefunden" in e.value for e in at.error), [e.value for e in at.error]
    # the preview and the report show the file's cells as the clerk wrote them (its
    # coordinates 500100, say): only what the page writes itself must be German
    cells = {c for line in MEASURES_WITH_ERRORS.splitlines() for c in line.split(";")}
    findings = [
        f
        for f in page_findings(at, "import (Prüfbericht)", allowed=ALLOWED)
        if not ("dataframe" in f.where and f.text in cells)
    ]
    assert not findings, _report(findings)


def test_a_measure_with_an_attachment_reads_german(open_demo, tmp_path: Path) -> None:
    """A measure with a photo: the attachment's caption (type, size) is German."""
    from geo.store import open_store
    from monitoring import services
    from monitoring.auth import User

    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
    with open_store(str(tmp_path / "musterstadt.gpkg")) as store:
        services.add_attachment(
            store, User("anna", "editor"), "measures", "M-0076", png * 2000,
            filename="vorher.png", kind="photo_before", title="Markt vorher",
        )  # fmt: skip
    at = open_demo("massnahmen", {"auswahl": "M-0076"})
    captions = [c.value for c in at.caption]
    assert any("PNG-Bild" in c and "KB" in c for c in captions), captions
    findings = page_findings(at, "massnahmen (Anhang)", allowed=ALLOWED)
    assert not findings, _report(findings)


@pytest.mark.parametrize(
    ("key", "value"),
    [("qm.akteur.auswahl", "AK-004"), ("qm.netz.um", "AK-002")],
    ids=["Akteur gewählt", "Netzwerk um einen Akteur"],
)
def test_quartiersmanagement_after_a_choice_reads_german(open_demo, key: str, value: str) -> None:
    at = open_demo("quartiersmanagement", {"gebiet": "SSZ-01"})
    at.selectbox(key=key).set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]
    findings = page_findings(at, f"quartiersmanagement ({key})", allowed=ALLOWED)
    assert not findings, _report(findings)


@pytest.mark.parametrize("role", ["viewer", "qm"])
@pytest.mark.parametrize("page", ["massnahmen", "quartiersmanagement", "import", "berichte"])
def test_pages_of_other_roles_read_german(
    demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: str, role: str
) -> None:
    """What a reader or the neighbourhood management sees, their role named in German."""
    from monitoring.auth import ROLE_LABELS

    path = tmp_path / "musterstadt.gpkg"
    shutil.copy(demo_file, path)
    monkeypatch.setenv("QMON_STORE", str(path))
    monkeypatch.delenv("QMON_LOCAL_ADMIN", raising=False)
    monkeypatch.delenv("QMON_BASEMAP", raising=False)
    at = AppTest.from_string(
        "import streamlit as st\nst.set_page_config(layout='wide')\n"
        "from monitoring.auth import User\n"
        f"st.session_state['user'] = User('gast', {role!r})\n"
        f"from ui.pages import run\nrun(start={page!r})\n",
        default_timeout=120,
    )
    at.query_params["auswahl"] = "M-0076"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    findings = page_findings(at, f"{page} ({role})", allowed=ALLOWED)
    assert not findings, _report(findings)
    shown = " ".join(str(e.value) for e in [*at.caption, *at.warning, *at.markdown])
    assert f"({role})" not in shown
    if page in ("massnahmen", "import"):  # these pages say which role may not edit
        assert f"({ROLE_LABELS[role]})" in shown, shown[:2000]
