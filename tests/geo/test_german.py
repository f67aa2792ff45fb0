"""The one German formatter (``geo/german.py``) on its edge cases (issue 14)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from geo import german

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234567, 0, "1.234.567"),
        (-1234567.891, 2, "-1.234.567,89"),
        (0, 0, "0"),
        (0.0, 2, "0,00"),
        (-0.0, 1, "0,0"),
        (-0.04, 1, "0,0"),  # never "-0,0"
        (0.05, 1, "0,1"),  # commercial rounding, not half to even
        (0.15, 1, "0,2"),  # rounded as written, although the float is a hair below
        (0.25, 1, "0,3"),
        (2.5, 0, "3"),
        (-2.5, 0, "-3"),  # half away from zero
        (-0.05, 1, "-0,1"),
        (2.675, 2, "2,68"),
        (1e9, 0, "1.000.000.000"),
        (1e20, 0, "100.000.000.000.000.000.000"),
        (999.5, 0, "1.000"),
        (np.int64(14619100), 0, "14.619.100"),
        (np.float32(29.5), 1, "29,5"),
        (Decimal("123456.785"), 2, "123.456,79"),
    ],
)
def test_number(value: object, decimals: int, expected: str) -> None:
    assert german.number(value, decimals=decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT, "", "  "])
def test_no_value_reads_keine_angabe(missing: object) -> None:
    assert german.number(missing) == "keine Angabe"
    assert german.euro(missing) == "keine Angabe"
    assert german.percent(missing, missing="–") == "–"


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), True, "abc"])
def test_what_is_no_figure_is_not_written_as_one(value: object) -> None:
    assert german.number(value) == "keine Angabe"


def test_units_amounts_and_shares() -> None:
    assert german.euro(123456.78) == f"123.456,78{NBSP}€"
    assert german.euro(1500, decimals=0) == f"1.500{NBSP}€"
    assert german.euro(-0.004) == f"0,00{NBSP}€"
    assert german.percent(12.5) == f"12,5{NBSP}%"
    assert german.number(457.1, decimals=2, unit="ha") == f"457,10{NBSP}ha"
    assert german.number(2024, grouping=False) == "2024"


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "0 Hinweise"), (1, "1 Hinweis"), (2, "2 Hinweise"), (1200, "1.200 Hinweise")],
)
def test_counts_agree_with_their_noun(n: int, expected: str) -> None:
    assert german.count(n, "Hinweis", "Hinweise") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-12-31", "31.12.2024"),
        ("2021-02-11 00:00:00", "11.02.2021"),
        (dt.date(2021, 2, 1), "01.02.2021"),
        (pd.Timestamp("2020-01-05T13:00"), "05.01.2020"),
        (np.datetime64("2019-03-04"), "04.03.2019"),
        ("2024", "2024"),  # a year stays a year
        (None, "–"),
        (pd.NaT, "–"),
        ("kein Datum", "kein Datum"),  # text is shown as it is, never turned into a date
    ],
)
def test_date(value: object, expected: str) -> None:
    assert german.date(value) == expected


def test_long_date_and_timestamps() -> None:
    assert german.date("2024-03-01", style="long") == "1. März 2024"
    assert german.timestamp("2026-11-26T08:36:59") == "26.11.2026, 08:36 Uhr"
    assert german.timestamp("2026-11-26T08:36:59", seconds=True) == "26.11.2026, 08:36:59 Uhr"
    # a time with a zone is shown in Berlin time (summer and winter)
    assert german.timestamp("2026-07-01T10:00:00+00:00") == "01.07.2026, 12:00 Uhr"
    assert german.timestamp("2026-01-01T10:00:00Z") == "01.01.2026, 11:00 Uhr"
    assert german.timestamp(None) == "–"


def test_chart_locale_is_german() -> None:
    assert german.D3_LOCALE["number"]["decimal"] == ","
    assert german.D3_LOCALE["number"]["thousands"] == "."
    assert german.D3_LOCALE["time"]["months"][2] == "März"
    assert len(german.D3_LOCALE["time"]["shortMonths"]) == 12
