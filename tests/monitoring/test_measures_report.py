"""A measure recorded in the app shows in the federal report of its Gesamtmaßnahme."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import shapely

from geo.store import open_store
from monitoring import services
from monitoring.auth import User
from monitoring.reports.generate import build_report

CRS = "EPSG:25832"


def _values(report, code: str) -> dict[str, float]:  # noqa: ANN001 - a Report
    return {
        row.field: row.value
        for part in report.parts
        for section in part.sections
        if section.code == code
        for row in section.rows
    }


def test_a_new_measure_and_its_money_count_in_the_report(tmp_path: Path) -> None:
    from data.musterstadt import load_musterstadt

    store = open_store(str(tmp_path / "demo.gpkg"))
    store.init(crs=CRS)
    load_musterstadt(store)
    editor, admin = User("ben", "editor"), User("anna", "admin")
    before = build_report(store, admin, "SSZ-01", year=2024)
    area = store.read("funding_areas", where={"id": "SSZ-01"}).geometry.iloc[0]
    services.create_measure(
        store,
        editor,
        {
            "id": "M-NEU",
            "funding_area_id": "SSZ-01",
            "title": "Neuer Quartiersplatz",
            "status": "bewilligt",
            "start_date": dt.date(2025, 4, 1),
            "cost_estimate": 123_456.78,
            "geometry": area.representative_point().buffer(20),
        },
        today=dt.date(2025, 1, 1),
    )
    services.save_funding_line(
        store,
        editor,
        {
            "id": "FL-NEU",
            "measure_id": "M-NEU",
            "source": "Bund",
            "programme_year": 2024,
            "planned": 123_456.78,
            "approved": 100_000.0,
        },
    )
    after = build_report(store, admin, "SSZ-01", year=2024)
    from monitoring.reports.catalogue import load_catalogue

    code = next(e.code for e in load_catalogue().entries if e.source == "measures.status")
    status_before, status_after = _values(before, code), _values(after, code)
    assert status_after[f"{code}.bewilligt"] == status_before[f"{code}.bewilligt"] + 1
    assert status_after[f"{code}.summe"] == status_before[f"{code}.summe"] + 1
    money_before, money_after = _values(before, "B.1"), _values(after, "B.1")
    assert (
        round(money_after["B.1.bund.planned"] - money_before["B.1.bund.planned"], 2) == 123_456.78
    )
    assert money_after["B.1.bund.approved"] - money_before["B.1.bund.approved"] == 100_000.0
    assert shapely.is_valid(store.read("measures", where={"id": "M-NEU"}).geometry.iloc[0])
    store.close()
