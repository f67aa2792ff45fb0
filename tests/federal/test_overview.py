"""The Land's overview on a seeded set, on both stores: completeness, late list, packages
outside the register, differences, sums by programme/Kreis/Land, exports read back."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook

from geo.store import open_store
from geo.store.base import Store
from monitoring.federal import overview_export
from monitoring.federal.overview import (
    STATUS_LATE,
    STATUS_MISSING,
    STATUS_REPORTED,
    Filters,
    OverviewCache,
    drill_down,
    read_overview,
    report_of,
    roll_up,
)
from monitoring.reports.errors import ReportOptionError
from tests.federal.seed import ADMIN, COUNT, GREEN, HOSTILE, RATE, YEAR, seed_overview

AFTER = dt.date(2025, 7, 15)  # after the assumed deadline (30.06.2025)
BEFORE = dt.date(2025, 3, 15)


@pytest.fixture
def seeded(store_url: str) -> Iterator[tuple[Store, dict[str, Any]]]:
    store = open_store(store_url)
    hand = seed_overview(store)
    yield store, hand
    store.close()


def _status(rollup: Any) -> dict[str, str]:
    return dict(zip(rollup.areas["Gesamtmaßnahme"], rollup.areas["Status"]))


def _sum(frame: Any, key_col: str, key: str, field: str) -> float:
    hit = frame[(frame[key_col] == key) & (frame["Schlüssel"] == field)]
    return float(hit["Summe"].sum())


def test_completeness_and_late(seeded: tuple[Store, dict[str, Any]]) -> None:
    store, _ = seeded
    data = read_overview(store, ADMIN, YEAR)
    late = roll_up(data, today=AFTER)
    assert _status(late) == {
        "A1": STATUS_REPORTED,
        "A2": STATUS_REPORTED,
        "A3": STATUS_LATE,
        "A4": STATUS_REPORTED,
        "B1": STATUS_REPORTED,
        "B2": STATUS_LATE,
    }  # X9 (admitted 2026) is not expected
    assert late.late["Gesamtmaßnahme"].tolist() == ["A3", "B2"]
    total = late.completeness.set_index("Programm").loc["insgesamt"]
    assert (total["erwartet"], total["gemeldet"], total["verspätet"]) == (6, 4, 2)
    # the corrected package /2 counts, not /1; B1 is the store's own filed report
    keys = dict(zip(late.areas["Gesamtmaßnahme"], late.areas["Schlüssel"]))
    assert keys["A1"].endswith("/A1/2024/2") and keys["B1"].startswith("eigener Bericht:")
    # before the deadline the same gaps are only missing, not late
    early = roll_up(data, today=BEFORE)
    assert early.late.empty
    assert _status(early)["A3"] == STATUS_MISSING and _status(early)["B2"] == STATUS_MISSING
    # an explicit deadline decides
    assert roll_up(data, today=BEFORE, deadline=dt.date(2025, 3, 1)).metrics["verspätet"] == 2
    assert late.unregistered["Gesamtmaßnahme"].tolist() == ["Z9"]


def test_sums_by_programme_kreis_land(seeded: tuple[Store, dict[str, Any]]) -> None:
    store, hand = seeded
    rollup = roll_up(read_overview(store, ADMIN, YEAR), today=AFTER)
    b1 = hand["b1_count"]
    sums = rollup.sums
    # A1 is 5 (its correction, not the 2 of /1), A2 3, A4 4, B1 (filed), Z9 7
    assert _sum(sums["kreis"], "Kreis", "05315", COUNT) == 5 + 3
    assert _sum(sums["kreis"], "Kreis", "05334", COUNT) == 4
    assert _sum(sums["kreis"], "Kreis", "09162", COUNT) == b1 + 7
    assert _sum(sums["land"], "Land", "05", COUNT) == 12
    assert _sum(sums["land"], "Land", "09", COUNT) == b1 + 7
    assert _sum(sums["gesamt"], "Gebiet", "insgesamt", COUNT) == 19 + b1
    assert _sum(sums["programm"], "Programm", "Lebendige Zentren", COUNT) == 3 + 4
    assert _sum(sums["land"], "Land", "05", GREEN) == pytest.approx(1000.5 + 250 + 400)
    names = dict(zip(sums["land"]["Land"], sums["land"]["Name"]))
    assert names["05"] == "Nordrhein-Westfalen" and names["09"] == "Bayern"
    assert dict(zip(sums["kreis"]["Kreis"], sums["kreis"]["Name"]))["05334"] == (
        "Städteregion Aachen"
    )
    for frame in sums.values():  # shares are never summed
        assert RATE not in set(frame["Schlüssel"]) and "%" not in set(frame["Einheit"])


def test_differences_filters_and_drill_down(seeded: tuple[Store, dict[str, Any]]) -> None:
    store, _ = seeded
    data = read_overview(store, ADMIN, YEAR)
    rollup = roll_up(data, today=AFTER)
    diffs = rollup.differences
    assert diffs[["Gesamtmaßnahme", "Art"]].values.tolist() == [["A4", "gestiegen"]]
    assert diffs["Veränderung"].iloc[0] == pytest.approx(3.0)
    assert roll_up(read_overview(store, ADMIN, YEAR, threshold=5.0)).differences.empty

    level, table = drill_down(rollup, data)
    assert level == "Land" and table.set_index("Schlüssel").loc["05", "erwartet"] == 4
    land = roll_up(data, filters=Filters(land="05"), today=AFTER)
    level, table = drill_down(land, data)
    assert level == "Kreis" and sorted(table["Schlüssel"]) == ["05315", "05334"]
    kreis = roll_up(data, filters=Filters(kreis="05334"), today=AFTER)
    level, table = drill_down(kreis, data)
    assert level == "Gemeinde" and table["Name"].tolist() == ["Aachen"]
    town = roll_up(data, filters=Filters(ags="05334002"), today=AFTER)
    level, table = drill_down(town, data)
    assert level == "Gesamtmaßnahme" and table["Gesamtmaßnahme"].tolist() == ["A3", "A4"]
    key = table.set_index("Gesamtmaßnahme").loc["A4", "Schlüssel"]
    report = report_of(store, ADMIN, key)
    assert report.area_id == "A4" and report.values()[GREEN] == 400.0
    only = roll_up(data, filters=Filters(programme="lebendige_zentren"), today=AFTER)
    assert set(only.areas["Gesamtmaßnahme"]) == {"A2", "A4", "B2"}
    with pytest.raises(ReportOptionError, match="Ziffern"):
        roll_up(data, filters=Filters(land="NRW"))


def test_cache_follows_the_change_token(seeded: tuple[Store, dict[str, Any]]) -> None:
    store, _ = seeded
    cache = OverviewCache()
    first = cache.get(store, ADMIN, YEAR)
    assert cache.get(store, ADMIN, YEAR) is first
    store.delete("collected_reports", where={"funding_area_id": "A2"})
    again = cache.get(store, ADMIN, YEAR)
    assert again is not first
    assert _status(roll_up(again, today=AFTER))["A2"] == STATUS_LATE


def test_exports_read_back_without_formulas(seeded: tuple[Store, dict[str, Any]]) -> None:
    store, _ = seeded
    rollup = roll_up(read_overview(store, ADMIN, YEAR), today=AFTER)
    book = load_workbook(io.BytesIO(overview_export.workbook_bytes(rollup)))
    assert "Summen nach Land" in book.sheetnames and "Stand der Meldungen" in book.sheetnames
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    listed = [c.value for row in book["Gesamtmaßnahmen"].iter_rows() for c in row]
    assert HOSTILE in listed
    land = book["Summen nach Land"]
    header = [c.value for c in land[4]]
    assert header[:2] == ["Land", "Name"] and "Summe" in header
    numbers = [r[header.index("Summe")] for r in land.iter_rows(min_row=5, values_only=True)]
    assert all(isinstance(v, int | float) for v in numbers)

    text = overview_export.csv_bytes(rollup, "meldungen").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Land", "Kreis", "AGS"]
    names = [r[rows[0].index("Name")] for r in rows[1:]]
    assert "'" + HOSTILE in names and HOSTILE not in names
    sums = list(
        csv.reader(
            io.StringIO(overview_export.csv_bytes(rollup).decode("utf-8-sig")), delimiter=";"
        )
    )
    head = sums[0]
    green = [
        r
        for r in sums[1:]
        if r[head.index("Ebene")] == "land"
        and r[head.index("Gebietsschlüssel")] == "05"
        and r[head.index("Schlüssel")] == GREEN
    ]
    assert green[0][head.index("Summe")] == "1650,5"
    data = overview_export.json_data(rollup)
    assert data["kennzahlen"]["verspätet"] == 2 and data["frist"] == "2025-06-30"


def test_register_without_reports(gpkg_url: str) -> None:
    """A register and no report yet: everything expected is missing, nothing is summed."""
    from tests.federal.seed import CRS, seed_register

    with open_store(gpkg_url) as store:
        store.init(crs=CRS)
        seed_register(store)
        rollup = roll_up(read_overview(store, ADMIN, YEAR), today=BEFORE)
    assert rollup.metrics["erwartet"] == 6 and rollup.metrics["fehlt"] == 6
    assert all(frame.empty for frame in rollup.sums.values()) and rollup.differences.empty
    assert overview_export.workbook_bytes(rollup) and overview_export.csv_bytes(rollup)


def test_reading_the_payloads_in_chunks_changes_nothing(
    seeded: tuple[Store, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One Gesamtmaßnahme per chunk (both of its years together) gives the same overview."""
    import pandas as pd

    from monitoring.federal import overview

    store, _ = seeded
    whole = read_overview(store, ADMIN, YEAR)
    monkeypatch.setattr(overview, "PAYLOAD_CHUNK", 1)
    chunked = read_overview(store, ADMIN, YEAR)
    assert len(whole.differences) > 0 and len(whole.figures) > 0
    for name in ("figures", "differences"):
        a, b = getattr(whole, name), getattr(chunked, name)
        key = list(a.columns[:4])
        pd.testing.assert_frame_equal(
            a.sort_values(key, ignore_index=True), b.sort_values(key, ignore_index=True)
        )
