"""Measures per status over the years: derived from dates and money, capped by today's status."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.store.base import Store
from monitoring import services
from monitoring.auth import LOCAL_USER
from monitoring.renewal.measures import STATUSES
from monitoring.renewal.progress import measures_by_status_over_time

TODAY = dt.date(2025, 6, 30)
NO_LINES = pd.DataFrame({"measure_id": [], "programme_year": [], "approved": []})


def _measure(status: object, start: str | None, end: str | None, ident: str = "m") -> dict:
    return {
        "id": ident,
        "status": status,
        "start_date": pd.Timestamp(start) if start else pd.NaT,
        "end_date": pd.Timestamp(end) if end else pd.NaT,
    }


def _statuses(measures: list[dict], lines: pd.DataFrame = NO_LINES) -> dict[int, dict[str, int]]:
    out = measures_by_status_over_time(pd.DataFrame(measures), lines, today=TODAY)
    shown = out[out["measures"] > 0]
    return {
        int(y): dict(zip(g["status"], g["measures"].astype(int))) for y, g in shown.groupby("year")
    }


def test_a_finished_measure_walks_through_the_statuses() -> None:
    lines = pd.DataFrame({"measure_id": ["m"], "programme_year": [2019], "approved": [1.0]})
    got = _statuses([_measure("abgerechnet", "2021-04-01", "2023-05-31")], lines)
    assert got == {
        2019: {"bewilligt": 1},
        2020: {"bewilligt": 1},
        2021: {"in Umsetzung": 1},
        2022: {"in Umsetzung": 1},
        2023: {"abgeschlossen": 1},
        2024: {"abgeschlossen": 1},
        2025: {"abgerechnet": 1},  # today's year: the stored status
    }


def test_planned_money_alone_is_no_approval() -> None:
    lines = pd.DataFrame({"measure_id": ["m"], "programme_year": [2022], "approved": [0.0]})
    got = _statuses([_measure("bewilligt", None, None)], lines)
    assert got == {2022: {"geplant": 1}, 2023: {"geplant": 1}, 2024: {"geplant": 1},
                   2025: {"bewilligt": 1}}  # fmt: skip


def test_the_dates_never_carry_a_measure_past_its_status_today() -> None:
    """A measure still 'geplant' whose start date has passed was not under way."""
    got = _statuses([_measure("geplant", "2023-01-01", "2024-01-01")])
    assert got == {2023: {"geplant": 1}, 2024: {"geplant": 1}, 2025: {"geplant": 1}}


def test_measures_without_dates_count_today_and_unknown_statuses_keep_their_name() -> None:
    got = _statuses(
        [
            _measure(None, None, None, "a"),
            _measure("gestoppt", "2024-02-01", None, "b"),
            _measure("geplant", None, None, "c"),
        ]
    )
    assert got == {2024: {"gestoppt": 1}, 2025: {"geplant": 1, "gestoppt": 1, "ohne Status": 1}}


def test_every_status_of_every_year_is_listed() -> None:
    out = measures_by_status_over_time(
        pd.DataFrame([_measure("in Umsetzung", "2023-03-01", None)]), NO_LINES, today=TODAY
    )
    assert list(out.columns) == ["year", "status", "measures"]
    assert sorted(set(out["year"])) == [2023, 2024, 2025]
    for _, group in out.groupby("year"):
        assert list(group["status"]) == list(STATUSES)
        assert int(group["measures"].sum()) == 1


def test_no_measures_give_zero_counts_of_this_year() -> None:
    empty = pd.DataFrame({"id": [], "status": [], "start_date": [], "end_date": []})
    out = measures_by_status_over_time(empty, NO_LINES, today=TODAY)
    assert set(out["year"]) == {2025} and int(out["measures"].sum()) == 0


@pytest.mark.parametrize("area", ["SSZ-01", "WNE-01"])
def test_demo_the_last_year_is_todays_count_and_no_year_counts_more(
    demo_store: Store, area: str
) -> None:
    report = services.progress_report(demo_store, LOCAL_USER, area, today=TODAY)
    over_time = report.measures_over_time
    last = over_time[over_time["year"] == TODAY.year].set_index("status")["measures"]
    assert last.to_dict() == report.measures_by_status.to_dict()
    totals = over_time.groupby("year")["measures"].sum()
    assert totals.is_monotonic_increasing  # a measure, once counted, stays counted
    assert len(totals) > 3
    # nothing is "abgerechnet" before today: the dates cannot tell it
    before = over_time[over_time["year"] < TODAY.year]
    assert int(before.loc[before["status"] == "abgerechnet", "measures"].sum()) == 0
