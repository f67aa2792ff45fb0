"""On the demo city, the progress figures equal sums computed independently from stored rows.

The expected values are computed here with plain Python loops over the rows the
store returns (no pandas groupby), so a mistake in the frame code cannot hide in
both sides.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict

import pytest
import shapely

from cli.main import main
from geo.store.base import Store
from monitoring import services
from monitoring.auth import LOCAL_USER, User

TODAY = dt.date(2025, 6, 30)  # the demo's reference date
AREAS = ("SSZ-01", "WNE-01")


def rows(store: Store, layer: str) -> list[dict]:
    frame = store.read(layer)
    return [dict(zip(frame.columns, values)) for values in frame.itertuples(index=False)]


def num(value: object) -> float:
    return (
        0.0 if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
    )


@pytest.fixture(scope="module")
def reports(demo_store: Store) -> dict[str, services.ProgressReport]:
    return {a: services.progress_report(demo_store, LOCAL_USER, a, today=TODAY) for a in AREAS}


@pytest.mark.parametrize("area", AREAS)
def test_money_per_source_and_year_equals_the_stored_lines(
    demo_store: Store, reports: dict, area: str
) -> None:
    measure_ids = {m["id"] for m in rows(demo_store, "measures") if m["funding_area_id"] == area}
    expected: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for line in rows(demo_store, "funding_lines"):
        if line["measure_id"] in measure_ids:
            cell = expected[(line["source"], int(line["programme_year"]))]
            for i, name in enumerate(("planned", "approved", "paid")):
                cell[i] += num(line[name])
    got = reports[area].to_dict()["funding"]
    assert len(got) == len(expected) > 20
    running: dict[str, float] = defaultdict(float)
    for item in got:  # sorted by source, then year: the running total can be followed
        want = expected[(item["source"], item["programme_year"])]
        assert [item["planned"], item["approved"], item["paid"]] == pytest.approx(want)
        running[item["source"]] += want[2]
        assert item["paid_cum"] == pytest.approx(running[item["source"]])
    totals = {t["source"]: t for t in reports[area].to_dict()["funding_totals"]}
    assert totals["Summe"]["planned"] == pytest.approx(sum(v[0] for v in expected.values()))
    assert totals["Bund"]["paid"] == pytest.approx(
        sum(v[2] for (s, _), v in expected.items() if s == "Bund")
    )


def test_report_year_cuts_the_money(demo_store: Store) -> None:
    report = services.progress_report(demo_store, LOCAL_USER, "SSZ-01", year=2015, today=TODAY)
    years = {item["programme_year"] for item in report.to_dict()["funding"]}
    assert max(years) == 2015
    measure_ids = {
        m["id"] for m in rows(demo_store, "measures") if m["funding_area_id"] == "SSZ-01"
    }
    want = sum(
        num(r["paid"])
        for r in rows(demo_store, "funding_lines")
        if r["measure_id"] in measure_ids and r["programme_year"] <= 2015
    )
    assert report.funding_totals.loc["Summe", "paid"] == pytest.approx(want)


@pytest.mark.parametrize("area", AREAS)
def test_measure_counts_per_status_and_field(demo_store: Store, reports: dict, area: str) -> None:
    mine = [m for m in rows(demo_store, "measures") if m["funding_area_id"] == area]
    by_status: dict[str, int] = defaultdict(int)
    for m in mine:
        by_status[m["status"]] += 1
    data = reports[area].to_dict()["measures"]
    assert data["count"] == len(mine)
    assert {k: v for k, v in data["by_status"].items() if v} == dict(by_status)
    ids = {m["id"] for m in mine}
    by_field: dict[str, set] = defaultdict(set)
    for link in rows(demo_store, "measure_fields"):
        if link["measure_id"] in ids:
            by_field[link["field_id"]].add(link["measure_id"])
    got = {f["field_id"]: f["measures"] for f in data["by_field"] if f["field_id"]}
    assert got == {k: len(v) for k, v in by_field.items()}


@pytest.mark.parametrize("area", AREAS)
def test_outputs_delivered(demo_store: Store, reports: dict, area: str) -> None:
    ids = {m["id"] for m in rows(demo_store, "measures") if m["funding_area_id"] == area}
    planned: dict[str, float] = defaultdict(float)
    actual: dict[str, float] = defaultdict(float)
    for o in rows(demo_store, "measure_outputs"):
        if o["measure_id"] in ids:
            planned[o["quantity"]] += num(o["planned"])
            actual[o["quantity"]] += num(o["actual"])
    got = {o["quantity"]: (o["planned"], o["actual"]) for o in reports[area].to_dict()["outputs"]}
    assert set(got) == set(planned)
    for q, (p, a) in got.items():
        assert (p, a) == pytest.approx((planned[q], actual[q]))


@pytest.mark.parametrize("area", AREAS)
def test_goal_attainment_from_planning_area_sums(
    demo_store: Store, reports: dict, area: str
) -> None:
    """Latest = sum over the planning areas inside the funding area, at the latest period."""
    fa = next(r for r in rows(demo_store, "funding_areas") if r["id"] == area)["geometry"]
    inside = {
        a["id"]
        for a in rows(demo_store, "areas")
        if a["level"] == "Planungsraum" and fa.contains(shapely.point_on_surface(a["geometry"]))
    }
    values = rows(demo_store, "indicator_values")
    goals = [g for g in reports[area].to_dict()["goals"] if g["indicator"]]
    assert len(goals) >= 3
    for g in goals:
        mine = [v for v in values if v["indicator"] == g["indicator"] and v["area_id"] in inside]
        last = max(v["period"] for v in mine)
        latest = sum(v["value"] for v in mine if v["period"] == last)
        assert g["latest"] == pytest.approx(latest, rel=1e-9)
        assert g["latest_period"] == last.date().isoformat()
        want = (latest - g["baseline"]) / (g["target"] - g["baseline"]) * 100
        assert g["attainment_pct"] == pytest.approx(want)
        assert g["on_track"] == (g["attainment_pct"] >= g["expected_pct"])


def test_gaps_list_goals_without_measures_and_measures_without_goals(
    demo_store: Store, reports: dict
) -> None:
    linked_goals = {link["goal_id"] for link in rows(demo_store, "measure_goals")}
    linked_measures = {link["measure_id"] for link in rows(demo_store, "measure_goals")}
    for area, report in reports.items():
        data = report.to_dict()["gaps"]
        goal_gaps = {g["id"] for g in data if g["kind"] == "goal_without_measure"}
        measure_gaps = {g["id"] for g in data if g["kind"] == "measure_without_goal"}
        current = {g["id"] for g in report.to_dict()["goals"]}
        assert goal_gaps == current - linked_goals
        mine = {m["id"] for m in rows(demo_store, "measures") if m["funding_area_id"] == area}
        assert measure_gaps == mine - linked_measures
    assert any(r.gaps["kind"].eq("goal_without_measure").any() for r in reports.values())


def test_demo_passes_the_checks(demo_store: Store) -> None:
    for area in AREAS:
        found = services.check_area(demo_store, LOCAL_USER, area, today=TODAY)
        assert [f.message for f in found if f.level == "error"] == []


def test_cli_json_has_the_required_parts(demo_store: Store, capsys: pytest.CaptureFixture) -> None:
    code = main(
        [
            "progress",
            "--store",
            demo_store.url,
            "--area",
            "SSZ-01",
            "--today",
            "2025-06-30",
            "--format",
            "json",
            "--role",
            "viewer",
            "--user",
            "gast",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert {"funding", "measures", "goals", "gaps"} <= set(data)
    assert {"source", "programme_year", "planned", "approved", "paid"} <= set(data["funding"][0])
    assert {"by_status", "by_field"} <= set(data["measures"])
    assert {
        "id",
        "title",
        "indicator",
        "baseline",
        "target",
        "latest",
        "attainment_pct",
        "on_track",
    } <= set(data["goals"][0])


def test_cli_table_is_german(demo_store: Store, capsys: pytest.CaptureFixture) -> None:
    assert (
        main(["progress", "--store", demo_store.url, "--area", "WNE-01", "--today", "2025-06-30"])
        == 0
    )
    out = capsys.readouterr().out
    for label in (
        "Mittelgeber",
        "bewilligt",
        "ausgezahlt",
        "Maßnahmen nach Status",
        "Handlungsfeld",
        "Zielerreichung",
        "Lücken im Konzept",
    ):
        assert label in out
    assert " €" in out and "," in out


def test_cli_unknown_area_is_a_clear_error(
    demo_store: Store, capsys: pytest.CaptureFixture
) -> None:
    assert main(["progress", "--store", demo_store.url, "--area", "XYZ"]) == 2
    assert (
        "die Gesamtmaßnahme „XYZ“ gibt es nicht; bekannt sind: SSZ-01, WNE-01"
        in capsys.readouterr().err
    )


def test_viewer_sees_no_personal_data(demo_store: Store) -> None:
    shown = services.area_actors(demo_store, User("gast", "viewer"), "SSZ-01")
    raw = demo_store.read("actors", where={"funding_area_id": "SSZ-01"})
    assert raw["email"].notna().any()
    assert set(shown["email"].dropna()) == {"•••"}
    # organisations keep their names; private persons (is_person) do not
    person = raw["is_person"].fillna(True).astype(bool)
    assert person.any() and (~person).any()
    assert shown["name"][~person].tolist() == raw["name"][~person].tolist()
    assert set(shown["name"][person]) == {"•••"}
    full = services.area_actors(demo_store, User("q", "qm"), "SSZ-01")
    assert full["email"].tolist() == raw["email"].tolist()


def test_actor_network_of_the_demo(demo_store: Store) -> None:
    net = services.actor_network(demo_store, LOCAL_USER, "SSZ-01")
    actors, links = net["actors"], net["links"]
    part = rows(demo_store, "participation")
    members: dict[tuple, set] = defaultdict(set)
    for p in part:
        members[(p["target_kind"], p["target_id"])].add(p["actor_id"])
    pairs = {
        tuple(sorted((a, b))) for group in members.values() for a in group for b in group if a != b
    }
    assert {(a, b) for a, b in zip(links["actor_a"], links["actor_b"])} == pairs
    lonely = {a for a in actors["id"] if not any(a in p for p in pairs)}
    assert set(actors.loc[actors["isolated"], "id"]) == lonely


def test_housing_stock_per_funding_area(demo_store: Store) -> None:
    stock = services.housing(demo_store, LOCAL_USER)
    areas = {r["id"]: r["geometry"] for r in rows(demo_store, "funding_areas")}
    for area, geom in areas.items():
        dwellings = vacant = municipal = old = 0.0
        for b in rows(demo_store, "buildings"):
            if geom.contains(shapely.point_on_surface(b["geometry"])):
                d = num(b["dwellings"])
                dwellings += d
                vacant += num(b["vacant_dwellings"])
                municipal += d if b["owner_type"] == "kommunale Wohnungsgesellschaft" else 0.0
                old += d if b["year_built"] is not None and b["year_built"] < 1919 else 0.0
        row = stock.loc[area]
        assert row["dwellings"] == pytest.approx(dwellings) and dwellings > 1000
        assert row["vacancy_rate"] == pytest.approx(vacant / dwellings * 100)
        assert row["owner: kommunale Wohnungsgesellschaft"] == pytest.approx(
            municipal / dwellings * 100
        )
        assert row["age: vor 1919"] == pytest.approx(old / dwellings * 100)


def test_housing_stock_per_planning_area_keeps_the_city_total(demo_store: Store) -> None:
    stock = services.housing(demo_store, LOCAL_USER, level="Planungsraum")
    total = sum(num(b["dwellings"]) for b in rows(demo_store, "buildings"))
    assert stock["dwellings"].sum() == pytest.approx(total)
    assert len(stock) >= 80


def test_area_against_rest_of_city(demo_store: Store) -> None:
    fa = next(r for r in rows(demo_store, "funding_areas") if r["id"] == "SSZ-01")["geometry"]
    inside = {
        a["id"]
        for a in rows(demo_store, "areas")
        if a["level"] == "Planungsraum" and fa.contains(shapely.point_on_surface(a["geometry"]))
    }
    values = [
        v
        for v in rows(demo_store, "indicator_values")
        if v["indicator"] in ("unemployed", "residents_15_64")
    ]
    cmp = services.compare_area(demo_store, LOCAL_USER, "SSZ-01", "unemployment_rate")
    assert len(cmp) >= 10
    for period, row in cmp.iterrows():
        sums = defaultdict(float)
        for v in values:
            if v["period"] == period:
                sums[(v["indicator"], v["area_id"] in inside)] += v["value"]
        area = sums[("unemployed", True)] / sums[("residents_15_64", True)] * 100
        rest = sums[("unemployed", False)] / sums[("residents_15_64", False)] * 100
        assert (row["area"], row["rest"]) == pytest.approx((area, rest), rel=1e-9)
    assert (cmp["gap"] > 0).all()  # the Soziale Stadt area has more unemployment
