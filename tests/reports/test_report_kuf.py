"""Part B of the federal report is the KuF: the same figures, to the cent."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.store.base import Store
from monitoring.auth import User
from monitoring.grants import service
from monitoring.grants.cost_groups import catalogue_for
from monitoring.renewal.funding import AMOUNTS, SOURCES
from monitoring.reports.assemble import slug
from monitoring.reports.catalogue import load_catalogue
from monitoring.reports.generate import build_report

AREAS = ("SSZ-01", "WNE-01")
YEARS = (2012, 2019, 2024, 2026)


def _cents(value: float) -> int:
    return int(round(float(value) * 100))


@pytest.fixture(scope="module")
def reports(demo_store: Store, admin: User) -> dict[tuple[str, int], dict]:
    return {
        (area, year): build_report(demo_store, admin, area, year=year).values()
        for area in AREAS
        for year in YEARS
    }


@pytest.mark.parametrize("area_id", AREAS)
@pytest.mark.parametrize("year", YEARS)
def test_part_b_equals_the_kuf_to_the_cent(
    demo_store: Store, admin: User, reports: dict, area_id: str, year: int
) -> None:
    values = reports[(area_id, year)]
    kuf = service.kuf(demo_store, admin, area_id, year=year)
    catalogue = catalogue_for("05999000")
    assert catalogue.land == "05"
    code = next(e.code for e in load_catalogue().entries if e.source == "funds.cost_groups")
    costs = kuf.costs.groupby("cost_group")[list(AMOUNTS)].sum()
    for group in catalogue.cost_groups:
        for amount in AMOUNTS:
            expected = float(costs[amount].get(group.key, 0.0))
            got = values[f"{code}.{slug(group.key)}.{amount}"]
            assert _cents(got) == _cents(expected), (area_id, year, group.key, amount)
    totals = kuf.totals()
    for amount in AMOUNTS:
        assert _cents(values[f"{code}.summe.{amount}"]) == _cents(totals[f"costs_{amount}"])
    # B.2 (cumulated by source) is the KuF's financing up to the year
    fin = kuf.financing.groupby("source")[list(AMOUNTS)].sum()
    for source in SOURCES:
        for amount in AMOUNTS:
            expected = float(fin[amount].get(source, 0.0))
            assert _cents(values[f"B.2.{slug(source)}.{amount}"]) == _cents(expected)
    # B.1 (the programme year) is the KuF's financing of that year
    this = kuf.financing[kuf.financing["programme_year"] == year]
    for amount in AMOUNTS:
        assert _cents(values[f"B.1.summe.{amount}"]) == _cents(this[amount].sum())
    # B.4 (all sources by programme year) is the KuF's financing matrix
    matrix = kuf.financing.groupby("programme_year")[list(AMOUNTS)].sum()
    for py, row in matrix.iterrows():
        for amount in AMOUNTS:
            assert _cents(values[f"B.4.{int(py)}.{amount}"]) == _cents(row[amount])


@pytest.mark.parametrize("area_id", AREAS)
@pytest.mark.parametrize("year", YEARS)
def test_kuf_costs_equal_financing_equal_the_stored_lines(
    demo_store: Store, admin: User, area_id: str, year: int
) -> None:
    kuf = service.kuf(demo_store, admin, area_id, year=year)
    ms = demo_store.read("measures", where={"funding_area_id": area_id}, columns=["id"])
    lines = demo_store.read("funding_lines")
    lines = lines[lines["measure_id"].isin(ms["id"])]
    lines = lines[pd.to_numeric(lines["programme_year"]) <= year]
    totals = kuf.totals()
    for amount in AMOUNTS:
        independent = float(pd.to_numeric(lines[amount]).fillna(0.0).sum())
        assert _cents(totals[f"costs_{amount}"]) == _cents(totals[f"financing_{amount}"])
        assert _cents(totals[f"costs_{amount}"]) == _cents(independent), (area_id, year, amount)
    assert totals["costs_planned"] > 0
    assert "ohne_kostengruppe" not in set(kuf.costs["cost_group"])


def test_the_year_scope_shows_one_programme_year(demo_store: Store, admin: User) -> None:
    from dataclasses import replace

    catalogue = load_catalogue()
    entry = next(e for e in catalogue.entries if e.source == "funds.cost_groups")
    year_entry = replace(entry, code="B.9", options={**entry.options, "scope": "year"})
    one = replace(catalogue, entries=(*catalogue.entries, year_entry))
    values = build_report(demo_store, admin, "WNE-01", year=2024, catalogue=one).values()
    kuf = service.kuf(demo_store, admin, "WNE-01", year=2024)
    this = kuf.costs[kuf.costs["programme_year"] == 2024]
    for amount in AMOUNTS:
        assert _cents(values[f"B.9.summe.{amount}"]) == _cents(this[amount].sum())
    assert values["B.9.summe.planned"] < values[f"{entry.code}.summe.planned"]


def test_the_stored_demo_kuf_is_its_frozen_version(demo_copy: Store, admin: User) -> None:
    for area_id in AREAS:
        before = service.kuf_versions(demo_copy, admin, area_id)
        assert len(before) == 1
        version = service.freeze_kuf(demo_copy, admin, area_id, purpose="Prüfung")
        assert version["id"] == before["id"].iloc[0]  # nothing changed: nothing new stored
        assert len(service.kuf_versions(demo_copy, admin, area_id)) == 1
        frozen = service.load_kuf_version(demo_copy, admin, str(version["id"]))
        now = service.kuf(demo_copy, admin, area_id)
        assert frozen.totals() == now.totals()


def test_the_stored_demo_deadlines_and_statement(demo_store: Store, admin: User) -> None:
    from data.renewal import REFERENCE_DATE

    found = service.deadlines(demo_store, admin, today=REFERENCE_DATE)
    assert list(found["state"]) == ["upcoming", "lapsing"]
    assert set(found["funding_area_id"]) == set(AREAS)
    for area_id in AREAS:
        table = service.statement(demo_store, admin, area_id).table
        notices = table[table["file_number"] != "Summe"]
        assert len(notices) >= 3
        assert (notices["drawn"] <= notices["approved"] + 0.005).all()
        assert (notices["spent"] <= notices["approved"] + 0.005).all()
        assert (notices["spent"] > 0).any()
