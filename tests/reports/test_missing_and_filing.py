"""Missing values keep their reason, and filing freezes a report; on both stores.

A tiny hand-made city: two planning areas side by side, a funding area over half of
the first (200 residents: under the disclosure minimum of 300), no money, no
measures and no quarter management.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.store import open_store
from geo.store.base import Store
from monitoring import services
from monitoring.auth import User
from monitoring.errors import PermissionDenied
from monitoring.reports import filing
from monitoring.reports.errors import FilingError
from monitoring.reports.generate import build_report

CRS = "EPSG:25832"
X0, Y0 = 360_000.0, 5_700_000.0


def _box(x0: float, x1: float) -> shapely.Polygon:
    return shapely.box(X0 + x0, Y0, X0 + x1, Y0 + 1000)


def seed(store: Store) -> None:
    store.write(
        "programmes",
        pd.DataFrame({"id": ["sozialer_zusammenhalt"], "name": ["Sozialer Zusammenhalt"]}),
    )
    store.write(
        "areas",
        gpd.GeoDataFrame(
            {
                "id": ["PA", "PB"],
                "level": ["Planungsraum"] * 2,
                "vintage": ["2020"] * 2,
                "name": ["Nord", "Süd"],
            },
            geometry=[_box(0, 1000), _box(1000, 2000)],
            crs=CRS,
        ),
    )
    store.write(
        "funding_areas",
        gpd.GeoDataFrame(
            {
                "id": ["FA"],
                "name": ["Nordhälfte"],
                "ags": ["05999000"],
                "programme_id": ["sozialer_zusammenhalt"],
                "start_year": [2015],
                "funding_status": ["laufend"],
            },
            geometry=[_box(0, 500)],
            crs=CRS,
        ),
    )
    rows = []
    for period, values in (
        ("2015-12-31", {"PA": (380, 40, 300), "PB": (5000, 230, 3500)}),
        ("2024-12-31", {"PA": (400, 40, 300), "PB": (5000, 200, 3500)}),
    ):
        for area, (residents, unemployed, working_age) in values.items():
            for key, value in (
                ("residents", residents),
                ("unemployed", unemployed),
                ("residents_15_64", working_age),
            ):
                rows.append(
                    {
                        "area_id": area,
                        "level": "Planungsraum",
                        "vintage": "2020",
                        "indicator": key,
                        "period": pd.Timestamp(period),
                        "value": float(value),
                        "edition": "test",
                    }
                )
    store.write("indicator_values", pd.DataFrame(rows))


@pytest.fixture
def tiny(store_url: str) -> Iterator[Store]:
    store = open_store(store_url)
    store.init(crs=CRS)
    seed(store)
    yield store
    store.close()


@pytest.fixture
def admin() -> User:
    return User("anna", "admin")


def test_missing_values_carry_their_reason_never_zero(tiny: Store, admin: User):
    report = build_report(tiny, admin, "FA", year=2024)
    rows = {r.field: r for _, _, r in report.rows()}
    # not reported: no expected end, no money, no vacancy counts, no social index
    assert (rows["A.7"].value, rows["A.7"].reason) == (None, "nicht gemeldet")
    assert rows["B.1.fehlt"].reason == "nicht gemeldet"
    assert rows["D.3.vacancy_rate.area"].reason == "nicht gemeldet"
    assert rows["D.4.area"].reason == "nicht gemeldet"
    # suppressed: the funding area has 200 residents (half of PA), under 300
    assert rows["A.10"].value == 200 and rows["D.1.residents.area"].value == 200
    assert rows["D.1.residents.change_area"].value == 10
    for column in ("area", "change_area"):
        cell = rows[f"D.2.unemployment_rate.{column}"]
        assert (cell.value, cell.reason) == (None, "unterdrückt")
    # the city is large enough: 240 of 3800 at 2024, 270 of 3800 at 2015
    assert rows["D.2.unemployment_rate.city"].value == pytest.approx(240 / 3800 * 100, abs=1e-4)
    assert rows["D.2.unemployment_rate.change_city"].value == pytest.approx(
        -30 / 3800 * 100, abs=1e-4
    )
    # not applicable: no measure in the year, no quarter management at all
    assert rows["C.1.fehlt"].reason == "entfällt"
    sections = {x.code: x for p in report.parts for x in p.sections}
    qm = [r for code in ("BI.3", "BI.4", "C.7", "C.8", "C.9") for r in sections[code].rows]
    assert qm and all(r.reason == "entfällt" for r in qm)
    # no concept recorded: the Begleitinformationen on the area are not reported
    assert rows["BI.1.fehlt"].reason == "nicht gemeldet"
    # a missing value is never a number
    assert all(r.value is None for r in rows.values() if r.reason is not None)
    assert all(r.reason is None for r in rows.values() if r.value is not None)


def test_filing_freezes_the_report_and_the_diff_names_what_changed(tiny: Store, admin: User):
    filed = filing.file_report(tiny, admin, "FA", year=2024, now=dt.datetime(2025, 3, 1, 9, 30))
    assert filed.id == "FA/2024/1" and len(filed.fingerprint) == 64
    with pytest.raises(FilingError, match="mit denselben Eingangsdaten"):
        filing.file_report(tiny, admin, "FA", year=2024)
    # later: the city's unemployment count of PB for 2024 is corrected
    corrected = tiny.read("indicator_values", where={"area_id": "PB", "indicator": "unemployed"})
    corrected = corrected.assign(
        value=[
            v + 100.0 if p == pd.Timestamp("2024-12-31") else v
            for v, p in zip(corrected["value"], corrected["period"])
        ]
    )
    tiny.write("indicator_values", corrected, mode="upsert")
    again = filing.load_filed(tiny, admin, "FA/2024/1")
    assert again.report == filed.report  # the filed report did not move
    assert again.filed_at == pd.Timestamp("2025-03-01 09:30")
    current, diff = filing.compare_with_filed(tiny, admin, "FA", year=2024)
    assert diff is not None and not diff.unchanged
    assert diff.changed_inputs == ("indicator_values",)
    changed = {c.field: c for c in diff.changes}
    assert set(changed) == {"D.2.unemployment_rate.city", "D.2.unemployment_rate.change_city"}
    assert changed["D.2.unemployment_rate.city"].after == pytest.approx(340 / 3800 * 100, abs=1e-4)
    # filing again is a correction with the next number
    second = filing.file_report(tiny, admin, "FA", year=2024)
    assert second.id == "FA/2024/2" and second.fingerprint == current.fingerprint
    assert filing.latest_filed(tiny, admin, "FA", 2024).id == "FA/2024/2"  # type: ignore[union-attr]
    assert filing.filed_reports(tiny, admin, area_id="FA")["id"].tolist() == [
        "FA/2024/2",
        "FA/2024/1",
    ]


def test_only_editors_may_file(tiny: Store):
    with pytest.raises(PermissionDenied):
        filing.file_report(tiny, User("gast", "viewer"), "FA", year=2024)


def test_a_filed_demo_report_ignores_later_edits_through_the_services(demo_copy: Store):
    editor = User("ben", "editor")
    filed = filing.file_report(demo_copy, editor, "SSZ-01", year=2024)
    lines = demo_copy.read("funding_lines", where={"programme_year": 2024, "source": "Bund"})
    ours = set(demo_copy.read("measures", where={"funding_area_id": "SSZ-01"})["id"])
    line = lines[lines["measure_id"].isin(ours)].iloc[0]
    paid = float(line["paid"]) + 500.0
    services.save(
        demo_copy,
        editor,
        "funding_lines",
        {
            "paid": paid,
            "approved": max(paid, float(line["approved"])),
            "planned": max(paid, float(line["planned"])),
        },
        key={"id": line["id"]},
        expected_version=int(line["version"]),
    )
    before = filed.report.values()["B.1.bund.paid"]
    assert filing.load_filed(demo_copy, editor, filed.id).report.values()["B.1.bund.paid"] == before
    _, diff = filing.compare_with_filed(demo_copy, editor, "SSZ-01", year=2024)
    assert diff is not None
    assert "funding_lines" in diff.changed_inputs
    change = {c.field: c for c in diff.changes}["B.1.bund.paid"]
    assert change.after == pytest.approx(float(before) + 500.0)  # type: ignore[arg-type]
