"""AppTest of the Länderübersicht page on the seeded Land store: metrics, filters from the
link, the late list, the drill-down to a report, the downloads (no formula cells)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from geo.store import open_store
from tests.app.conftest import run_page
from tests.federal.seed import HOSTILE, YEAR, seed_overview


@pytest.fixture
def land_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    path = str(tmp_path / "land.gpkg")
    with open_store(path) as store:
        seed_overview(store)
    monkeypatch.setenv("QMON_STORE", path)
    monkeypatch.setenv("QMON_LOCAL_ADMIN", "1")
    monkeypatch.delenv("QMON_BASEMAP", raising=False)
    monkeypatch.delenv("QMON_MAP_SERVICES", raising=False)
    return path


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_page(land_store: str) -> None:
    at = run_page("uebersicht", {"jahr": str(YEAR)})
    assert not at.exception
    assert at.title[0].value == "Länderübersicht"
    metrics = _metrics(at)
    assert metrics["erwartet"] == "6" and metrics["gemeldet"] == "4"
    assert metrics["Abweichungen"] == "1"
    late = at.dataframe[1].value
    assert late["Gesamtmaßnahme"].tolist() == ["A3", "B2"]  # the deadline (30.06.2025) is past

    # a linked view: one Land only, and its Kreise in the drill-down
    at = run_page("uebersicht", {"jahr": str(YEAR), "land": "05"})
    assert not at.exception
    assert _metrics(at)["erwartet"] == "4"
    assert any("Nach Kreis" in s.value for s in at.subheader)
    at.selectbox(key="uebersicht.drill.Kreis").set_value("05334").run()  # open a Kreis
    assert not at.exception
    assert at.selectbox(key="uebersicht.kreis").value == "05334"
    assert _metrics(at)["erwartet"] == "2"
    assert any("Nach Gemeinde" in s.value for s in at.subheader)

    # down to a municipality and the report of a Gesamtmaßnahme
    at = run_page("uebersicht", {"jahr": str(YEAR), "gemeinde": "05334002"})
    assert not at.exception
    assert _metrics(at)["erwartet"] == "2"
    rows = [
        d.value
        for d in at.dataframe
        if "Bezeichnung" in d.value.columns and "Teil" in d.value.columns
    ]
    assert rows and set(rows[0]["Teil"]) >= {"A", "C"}


def test_overview_downloads(land_store: str) -> None:
    at = run_page("uebersicht", {"jahr": str(YEAR)})
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Excel", "CSV (Summen)", "CSV (Meldungen)"]
    from monitoring.federal import overview_export

    book = load_workbook(io.BytesIO(overview_export.workbook_bytes(_rollup(land_store))))  # type: ignore[arg-type]
    cells = [c for s in book.worksheets for row in s.iter_rows() for c in row]
    assert HOSTILE in [c.value for c in cells] and not [c for c in cells if c.data_type == "f"]


def _rollup(url: str) -> object:
    from monitoring.federal.overview import read_overview, roll_up
    from tests.federal.seed import ADMIN

    with open_store(url) as store:
        return roll_up(read_overview(store, ADMIN, YEAR))


def test_overview_reads_german(land_store: str) -> None:
    from tests.app.test_german import ALLOWED
    from tests.german_audit import page_findings

    for query in ({"jahr": str(YEAR)}, {"jahr": str(YEAR), "gemeinde": "05334002"}):
        at = run_page("uebersicht", query)
        findings = page_findings(at, "uebersicht", allowed=ALLOWED)
        assert not findings, "\n".join(dict.fromkeys(str(f) for f in findings))
