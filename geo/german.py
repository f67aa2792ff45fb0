"""German forms of numbers, amounts, shares, dates and counts: the one formatter that the
app's pages, the CLI's tables and the reports all use.

Babel (CLDR ``de_DE``) writes the numbers and dates, so the separators, the non-breaking
space before ``%`` and ``€`` and the month names are the ones German software uses. Two
things are decided here rather than by Babel's defaults:

- **Rounding** is the commercial rounding of DIN 1333 (half away from zero: 0,05 → 0,1,
  2,5 → 3), which is what a clerk checking a figure by hand expects; Babel rounds half to
  even (0,05 → 0,0). The value is rounded as it is written in decimal (``repr``), so
  0,15 rounds up although the binary float is a hair below it.
- **No value** is written as ``keine Angabe`` (not ``nan``, not an empty cell, never
  ``0``); ``-0,0`` is written ``0,0``.

Examples
--------
>>> number(1234567), number(-1675.5, decimals=1), number(float("nan"))
('1.234.567', '-1.675,5', 'keine Angabe')
>>> percent(12.5), euro(123456.78), date("2024-12-31"), timestamp("2026-11-26 08:36")
('12,5\\xa0%', '123.456,78\\xa0€', '31.12.2024', '26.11.2026, 08:36 Uhr')
>>> count(1, "Hinweis", "Hinweise"), count(1200, "Fläche", "Flächen")
('1 Hinweis', '1.200 Flächen')
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import pandas as pd
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_decimal as _babel_decimal

LOCALE = "de_DE"
#: how a missing value reads everywhere
NO_VALUE = "keine Angabe"
#: a short form for narrow table cells and the CLI
NO_VALUE_SHORT = "–"
#: the space between a number and its unit (CLDR: a no-break space)
UNIT_SPACE = "\u00a0"


def is_missing(value: Any) -> bool:
    """Return whether ``value`` is no value at all (None, NaN, pandas' NA or NaT, "").

    Examples
    --------
    >>> [is_missing(v) for v in (None, float("nan"), pd.NA, pd.NaT, "", 0, "x")]
    [True, True, True, True, True, False, False]
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    if isinstance(value, str):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _rounded(value: Any, decimals: int) -> Decimal:
    """Round commercially (half away from zero) on the value's shortest decimal form."""
    if isinstance(value, Decimal):
        exact = value
    else:
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{value!r} is not a finite number")
        exact = Decimal(repr(number))
    step = Decimal(1).scaleb(-decimals)
    try:
        result = exact.quantize(step, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than the context holds: a huge value
        result = exact
    return result + 0 if result else abs(result)  # no "-0,0"


def number(
    value: Any,
    *,
    decimals: int = 0,
    unit: str = "",
    missing: str = NO_VALUE,
    grouping: bool = True,
) -> str:
    """Write a number the German way: ``1.234.567,89``, with ``unit`` after a space.

    Parameters
    ----------
    value
        A number (int, float, Decimal, numpy); None, NaN and NA count as missing.
    decimals
        Places after the decimal comma, always written (``12,0``).
    unit
        ``"%"``, ``"€"``, ``"m²"`` …, written after a no-break space.
    missing
        The text for no value; infinite values read the same (they are not a figure).
    grouping
        Thousands points; off for years and keys (``2024``, not ``2.024``).

    Examples
    --------
    >>> number(0.05, decimals=1), number(2.5), number(-2.5), number(-0.04, decimals=1)
    ('0,1', '3', '-3', '0,0')
    >>> number(1e9), number(0), number(12, decimals=1, unit="m²")
    ('1.000.000.000', '0', '12,0\\xa0m²')
    >>> number(None, missing="–"), number(float("inf"))
    ('–', 'keine Angabe')
    >>> number(2024, grouping=False)
    '2024'
    """
    if is_missing(value) or isinstance(value, bool):
        return missing
    try:
        rounded = _rounded(value, decimals)
    except (TypeError, ValueError):
        return missing
    pattern = ("#,##0" if grouping else "0") + ("." + "0" * decimals if decimals else "")
    text = _babel_decimal(rounded, format=pattern, locale=LOCALE, decimal_quantization=True)
    return f"{text}{UNIT_SPACE}{unit}" if unit else text


def percent(value: Any, *, decimals: int = 1, missing: str = NO_VALUE) -> str:
    """Write a share given in percent points: ``12,5 %`` (``value`` 12.5, not 0.125).

    Examples
    --------
    >>> percent(12.5), percent(100, decimals=0), percent(None)
    ('12,5\\xa0%', '100\\xa0%', 'keine Angabe')
    """
    return number(value, decimals=decimals, unit="%", missing=missing)


def euro(value: Any, *, decimals: int = 2, missing: str = NO_VALUE) -> str:
    """Write an amount in euros: ``123.456,78 €``; ``decimals=0`` for whole euros.

    Examples
    --------
    >>> euro(123456.78), euro(1500, decimals=0), euro(-0.004)
    ('123.456,78\\xa0€', '1.500\\xa0€', '0,00\\xa0€')
    """
    return number(value, decimals=decimals, unit="€", missing=missing)


def count(n: int, singular: str, plural: str, *, word_only: bool = False) -> str:
    """Write a count with the noun agreeing: ``1 Hinweis``, ``2 Hinweise``, ``0 Hinweise``.

    ``word_only`` returns only the noun (for headings that write the number elsewhere).

    Examples
    --------
    >>> count(0, "Maßnahme", "Maßnahmen"), count(1, "Maßnahme", "Maßnahmen")
    ('0 Maßnahmen', '1 Maßnahme')
    >>> count(1, "Zeile", "Zeilen", word_only=True)
    'Zeile'
    """
    noun = singular if n == 1 else plural
    return noun if word_only else f"{number(n)} {noun}"


def _timestamp(value: Any) -> pd.Timestamp | None:
    if is_missing(value):
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(stamp) else stamp


def date(value: Any, *, missing: str = NO_VALUE_SHORT, style: str = "short") -> str:
    """Write a date as ``31.12.2024`` (``style="long"``: ``31. Dezember 2024``).

    Accepts ISO text (``2024-12-31``, also with a time), dates, datetimes and Timestamps;
    text that is no date is returned as it is (a period such as ``2024`` stays ``2024``).

    Examples
    --------
    >>> date("2024-12-31"), date(pd.Timestamp(2021, 2, 11)), date("2021-02-11 00:00:00")
    ('31.12.2024', '11.02.2021', '11.02.2021')
    >>> date(None), date("2024-12-31", style="long"), date("2024")
    ('–', '31. Dezember 2024', '2024')
    """
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip()
    stamp = _timestamp(value)
    if stamp is None:
        return missing if is_missing(value) else str(value)
    pattern = "d. MMMM y" if style == "long" else "dd.MM.yyyy"
    return _babel_date(stamp.date(), pattern, locale=LOCALE)


def timestamp(value: Any, *, missing: str = NO_VALUE_SHORT, seconds: bool = False) -> str:
    """Write a point in time as ``26.11.2026, 08:36 Uhr`` (local time as stored).

    A time zone aware value is shown in Europe/Berlin.

    Examples
    --------
    >>> timestamp("2026-11-26T08:36:12"), timestamp("2026-11-26T08:36:12", seconds=True)
    ('26.11.2026, 08:36 Uhr', '26.11.2026, 08:36:12 Uhr')
    >>> timestamp("2026-11-26T07:36:00+00:00")
    '26.11.2026, 08:36 Uhr'
    """
    stamp = _timestamp(value)
    if stamp is None:
        return missing if is_missing(value) else str(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("Europe/Berlin").tz_localize(None)
    pattern = "dd.MM.yyyy, HH:mm:ss 'Uhr'" if seconds else "dd.MM.yyyy, HH:mm 'Uhr'"
    return _babel_datetime(stamp.to_pydatetime(), pattern, locale=LOCALE)


def ordinal_list(items: list[str], *, conjunction: str = "und") -> str:
    """Join items as a German sentence does: ``A, B und C``.

    Examples
    --------
    >>> ordinal_list(["A"]), ordinal_list(["A", "B"])
    ('A', 'A und B')
    >>> ordinal_list(["A", "B", "C"], conjunction="oder")
    'A, B oder C'
    """
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


#: d3-format / d3-time-format locale for Vega-Lite charts (``config.locale``): German
#: separators on every axis and German month and day names.
D3_LOCALE: dict[str, Any] = {
    "number": {
        "decimal": ",",
        "thousands": ".",
        "grouping": [3],
        "currency": ["", "\u00a0€"],
        "percent": "\u202f%",
    },
    "time": {
        "dateTime": "%A, der %e. %B %Y, %X",
        "date": "%d.%m.%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
        "shortDays": ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
        "months": [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
        "shortMonths": [
            "Jan",
            "Feb",
            "Mrz",
            "Apr",
            "Mai",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Okt",
            "Nov",
            "Dez",
        ],
    },
}
