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

from tests.german_audit import Finding, component_texts, page_findings

#: what the pages may show although a rule would match: examples of what to type
ALLOWED = {"123456,78"}

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
    ("gesamtmassnahmen", {}),
    ("indikatoren", {}),
    ("indikatoren", {"indikator": "vacancy_rate", "gebiete": ["PR-007", "PR-026", "PR-092"]}),
    ("indikatoren", {"profil": "berlin-mss-2017", "stichtag": "2018-12-31"}),
    ("indikatoren", {"indikator": "residents", "cluster": "child_poverty_rate"}),
    ("quartiersmanagement", {}),
    ("import", {}),
    ("berichte", {}),
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
        at = AppTest.from_string(
            "import streamlit as st\nst.set_page_config(layout='wide')\n"
            f"from ui.pages import run\nrun(start={page!r})\n",
            default_timeout=120,
        )
        for name, value in query.items():
            at.query_params[name] = value
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

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
