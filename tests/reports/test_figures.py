"""The demo city's report figures against sums computed independently from the stored rows.

Every expected value here comes from plain loops over ``store.read`` rows (shapely for
the overlaps), not from the code path of the report.
"""

from __future__ import annotations

import math
from collections import defaultdict

import pandas as pd
import pytest

from geo.store.base import Store
from monitoring.reports.report import Report

from .conftest import YEAR

AREAS = ("SSZ-01", "WNE-01")


def _num(v: object) -> float:
    return 0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)  # type: ignore[arg-type]


def _lines(store: Store, area_id: str) -> list[dict]:
    ids = set(store.read("measures", where={"funding_area_id": area_id})["id"])
    return [r for r in store.read("funding_lines").to_dict("records") if r["measure_id"] in ids]


@pytest.mark.parametrize("area_id", AREAS)
def test_part_a_size_and_facts(demo_store: Store, demo_reports: dict[str, Report], area_id: str):
    rep = demo_reports[area_id]
    fa = demo_store.read("funding_areas", where={"id": area_id})
    values = rep.values()
    assert values["A.5"] == pytest.approx(fa.geometry.iloc[0].area / 10_000, abs=0.005)
    assert values["A.2"] == fa["ags"].iloc[0] == "05999000"
    assert values["A.6"] == int(fa["start_year"].iloc[0])
    assert values["A.7"] == int(fa["expected_end"].iloc[0])
    assert values["A.8"] == fa["funding_status"].iloc[0]
    programmes = dict(zip(*[demo_store.read("programmes")[c] for c in ("id", "name")]))
    assert values["A.1"] == programmes[fa["programme_id"].iloc[0]]


@pytest.mark.parametrize("area_id", AREAS)
def test_part_b_money_by_source(demo_store: Store, demo_reports: dict[str, Report], area_id: str):
    values = demo_reports[area_id].values()
    year_sums: dict[tuple[str, str], float] = defaultdict(float)
    cum_sums: dict[tuple[str, str], float] = defaultdict(float)
    federal_by_year: dict[tuple[int, str], float] = defaultdict(float)
    for line in _lines(demo_store, area_id):
        py = int(line["programme_year"])
        for amount in ("planned", "approved", "paid"):
            money = _num(line[amount])
            if py == YEAR:
                year_sums[(line["source"], amount)] += money
                year_sums[("Summe", amount)] += money
            if py <= YEAR:
                cum_sums[(line["source"], amount)] += money
                cum_sums[("Summe", amount)] += money
                if line["source"] == "Bund":
                    federal_by_year[(py, amount)] += money
    slug = {
        "Bund": "bund",
        "Land": "land",
        "Gemeinde": "gemeinde",
        "Dritte": "dritte",
        "andere Programme": "andere_programme",
        "Summe": "summe",
    }
    checked = 0
    for (source, amount), money in year_sums.items():
        assert values[f"B.1.{slug[source]}.{amount}"] == pytest.approx(money, abs=0.01)
        checked += 1
    for (source, amount), money in cum_sums.items():
        assert values[f"B.2.{slug[source]}.{amount}"] == pytest.approx(money, abs=0.01)
        checked += 1
    for (py, amount), money in federal_by_year.items():
        assert values[f"B.3.{py}.{amount}"] == pytest.approx(money, abs=0.01)
    assert checked >= 24  # every source of the demo has money in 2024 and before
    assert values["B.2.summe.approved"] > values["B.1.summe.approved"] > 0


def _year_measures(store: Store, area_id: str) -> tuple[set[str], set[str]]:
    """Completed in / running in the reporting year, by the rule written out in words."""
    first, last = pd.Timestamp(YEAR, 1, 1), pd.Timestamp(YEAR, 12, 31)
    done, running = set(), set()
    for m in store.read("measures", where={"funding_area_id": area_id}).to_dict("records"):
        start, end, status = m["start_date"], m["end_date"], m["status"]
        if status not in ("in Umsetzung", "abgeschlossen", "abgerechnet"):
            continue
        if pd.isna(start) or start > last:
            continue
        if status in ("abgeschlossen", "abgerechnet"):
            if first <= end <= last:
                done.add(m["id"])
            elif end > last:
                running.add(m["id"])
        else:
            running.add(m["id"])
    return done, running


@pytest.mark.parametrize("area_id", AREAS)
def test_part_c_measures_and_outputs(
    demo_store: Store, demo_reports: dict[str, Report], area_id: str
):
    values = demo_reports[area_id].values()
    done, running = _year_measures(demo_store, area_id)
    assert done | running, "the demo has measures in the reporting year"
    per_field: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for link in demo_store.read("measure_fields").to_dict("records"):
        if link["measure_id"] in done:
            per_field[link["field_id"]][0] += 1
        if link["measure_id"] in running:
            per_field[link["field_id"]][1] += 1
    for field_id, (n_done, n_running) in per_field.items():
        assert values[f"C.1.{field_id}.abgeschlossen"] == n_done
        assert values[f"C.1.{field_id}.laufend"] == n_running
    # outputs by the eMo's output areas: each quantity the catalogue names, summed over the
    # year's measures whatever their field of action (modernised dwellings: Wohnverhältnisse)
    from monitoring.reports.assemble import slug
    from monitoring.reports.catalogue import load_catalogue

    codes = {
        q: e.code
        for e in load_catalogue().entries
        if e.source == "measures.outputs"
        for q in e.option("quantities", [])
    }
    assert codes["wohnungen_modernisiert"] == "C.2" and "Wohnverhältnisse" in next(
        e.label for e in load_catalogue().entries if e.code == "C.2"
    )
    expected: dict[tuple[str, str], float] = defaultdict(float)
    for out in demo_store.read("measure_outputs").to_dict("records"):
        if out["measure_id"] in done | running:
            expected[(out["quantity"], "planned")] += _num(out["planned"])
            expected[(out["quantity"], "actual")] += _num(out["actual"])
    assert expected
    for quantity, code in codes.items():
        for column in ("planned", "actual"):
            value = values[f"{code}.{slug(quantity)}.{column}"]
            if (quantity, column) in expected:
                assert value == pytest.approx(expected[(quantity, column)])
            else:  # no measure of the year delivers it: not applicable, never 0
                assert value is None
    statuses = demo_store.read("measures", where={"funding_area_id": area_id})["status"]
    assert values["C.6.summe"] == len(statuses)
    assert values["C.6.abgerechnet"] == int((statuses == "abgerechnet").sum())


def _area_counts(store: Store, area_id: str, key: str) -> dict[pd.Timestamp, tuple[float, float]]:
    """Per period: (funding area, city) sums of a count, area-weighted by a shapely loop."""
    target = store.read("funding_areas", where={"id": area_id}).geometry.iloc[0]
    weight = {}
    for a in store.read("areas", where={"level": "Planungsraum"}).to_dict("records"):
        geom = a["geometry"]
        weight[a["id"]] = geom.intersection(target).area / geom.area
    out: dict[pd.Timestamp, list[float]] = defaultdict(lambda: [0.0, 0.0])
    rows = store.read("indicator_values", where={"indicator": key, "edition": "musterstadt-demo"})
    for r in rows.to_dict("records"):
        out[r["period"]][0] += weight[r["area_id"]] * r["value"]
        out[r["period"]][1] += r["value"]
    return {p: (v[0], v[1]) for p, v in out.items()}


RATES = {
    "D.2.unemployment_rate": ("unemployed", "residents_15_64"),
    "D.2.sgb2_rate": ("sgb2_recipients", "residents"),
    "D.2.child_poverty_rate": ("sgb2_children_u15", "residents_u15"),
    "D.3.vacancy_rate": ("vacant_dwellings", "dwellings"),
    "D.1.share_u15": ("residents_u15", "residents"),
}


@pytest.mark.parametrize("area_id", AREAS)
def test_part_d_context_rates_from_summed_counts(
    demo_store: Store, demo_reports: dict[str, Report], area_id: str
):
    values = demo_reports[area_id].values()
    start = int(demo_store.read("funding_areas", where={"id": area_id})["start_year"].iloc[0])
    now = pd.Timestamp(YEAR, 12, 31)
    for code, (num_key, den_key) in RATES.items():
        num, den = (
            _area_counts(demo_store, area_id, num_key),
            _area_counts(demo_store, area_id, den_key),
        )
        base = min(p for p in num if p.year >= start)
        area_now, city_now = (num[now][i] / den[now][i] * 100 for i in (0, 1))
        area_then, city_then = (num[base][i] / den[base][i] * 100 for i in (0, 1))
        assert values[f"{code}.area"] == pytest.approx(area_now, abs=1e-3)
        assert values[f"{code}.city"] == pytest.approx(city_now, abs=1e-3)
        assert values[f"{code}.base_year"] == base.year
        assert values[f"{code}.change_area"] == pytest.approx(area_now - area_then, abs=2e-3)
        assert values[f"{code}.change_city"] == pytest.approx(city_now - city_then, abs=2e-3)
    residents = _area_counts(demo_store, area_id, "residents")
    assert values["D.1.residents.area"] == round(residents[now][0])
    assert values["A.10"] == round(residents[now][0])
    assert values["D.1.residents.city"] == round(residents[now][1])


def test_part_d_social_index_class_where_most_residents_live(
    demo_store: Store, demo_reports: dict[str, Report]
):
    values = demo_reports["SSZ-01"].values()
    target = demo_store.read("funding_areas", where={"id": "SSZ-01"}).geometry.iloc[0]
    areas = demo_store.read("areas", where={"level": "Planungsraum"})
    weight = {a: g.intersection(target).area / g.area for a, g in zip(areas["id"], areas.geometry)}
    now = pd.Timestamp(YEAR, 12, 31)
    pop = {
        r["area_id"]: r["value"]
        for r in demo_store.read("indicator_values", where={"indicator": "residents"}).to_dict(
            "records"
        )
        if r["period"] == now
    }
    per_class: dict[int, float] = defaultdict(float)
    for r in demo_store.read(
        "indicator_values", where={"indicator": "social_status_class"}
    ).to_dict("records"):
        if r["period"] == now and not math.isnan(r["value"]):
            per_class[int(r["value"])] += weight[r["area_id"]] * pop[r["area_id"]]
    dominant = max(per_class, key=lambda c: per_class[c])
    assert values["D.4.area"] == dominant
    assert values["D.4.area_share"] == pytest.approx(
        per_class[dominant] / sum(per_class.values()) * 100, abs=0.05
    )
    rows = {r.field: r for _, _, r in demo_reports["SSZ-01"].rows()}
    assert rows["D.4.city"].value is None and rows["D.4.city"].reason == "entfällt"


def test_begleitinformationen(demo_store: Store, demo_reports: dict[str, Report]):
    values = demo_reports["SSZ-01"].values()
    actors = demo_store.read("actors", where={"funding_area_id": "SSZ-01"})
    counts: dict[str, int] = defaultdict(int)
    for t in actors["type"]:
        counts[t] += 1
    from monitoring.reports.assemble import slug

    for t, n in counts.items():
        assert values[f"BI.4.{slug(t)}"] == n
    assert values["BI.4.summe"] == len(actors)
    n_acts = people = 0
    for a in demo_store.read("activities", where={"funding_area_id": "SSZ-01"}).to_dict("records"):
        if a["date"].year == YEAR:
            n_acts += 1
            people += int(a["participants"] or 0)
    # what happened in the year is output (part C), not a Begleitinformation
    assert (values["C.8.summe.count"], values["C.8.summe.participants"]) == (n_acts, people)
    funds = set(demo_store.read("local_funds", where={"funding_area_id": "SSZ-01"})["id"])
    amount = investive = 0.0
    n_dec = 0
    for d in demo_store.read("fund_decisions").to_dict("records"):
        if d["fund_id"] in funds and d["decided"].year == YEAR:
            n_dec += 1
            amount += d["amount"]
            investive += d["amount"] if d["investive"] else 0.0
    assert values["C.7.verfuegungsfonds.decisions"] == n_dec
    assert values["C.7.verfuegungsfonds.amount"] == pytest.approx(amount)
    assert values["C.7.verfuegungsfonds.investive"] == pytest.approx(investive)
    members = demo_store.read("participation", where={"target_kind": "body", "target_id": "GR-01"})
    assert values["BI.3.gr_01.members"] == len(members)
    # the Begleitinformationen describe the area: its concept and its goals as recorded
    concepts = demo_store.read("concepts", where={"funding_area_id": "SSZ-01"})
    in_force = concepts[
        (concepts["valid_from_year"].fillna(0) <= YEAR)
        & (concepts["valid_to_year"].fillna(9999) >= YEAR)
    ].sort_values("valid_from_year")
    concept = in_force.iloc[-1]
    assert values["BI.1.title"] == concept["title"] and values["BI.1.kind"] == concept["kind"]
    goals = demo_store.read("goals", where={"concept_id": concept["id"]})
    shown = {r.value for r in demo_reports["SSZ-01"].part("BI").sections[1].rows}
    assert shown == set(goals["title"]) and len(goals) > 1


def test_area_without_quarter_management_says_not_applicable(demo_reports: dict[str, Report]):
    report = demo_reports["WNE-01"]
    sections = {s.code: s for p in report.parts for s in p.sections}
    rows = [r for code in ("BI.3", "BI.4", "C.7", "C.8", "C.9") for r in sections[code].rows]
    assert rows and all(r.value is None and r.reason == "entfällt" for r in rows)
