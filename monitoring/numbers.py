"""Numbers as Germans write them: 1.234.567,89 shown in tables, reports and the CLI, and
read back from what a user types into a form."""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from babel.numbers import NumberFormatError, parse_decimal

from geo import german
from monitoring.errors import MonitoringError


def german_number(value: Any, *, decimals: int = 0, unit: str = "", missing: str = "") -> str:
    """Format a number the German way: thousands with '.', decimals with ','.

    Kept for its callers; the writing is :func:`geo.german.number` (Babel, commercial
    rounding), the one formatter of the platform. Unlike there, ``unit`` is appended as
    given and a missing value is empty unless ``missing`` says otherwise.

    Parameters
    ----------
    value
        A number; None, NaN and pandas' NA count as missing.
    decimals
        Places after the decimal comma.
    unit
        Appended as given (e.g. ``" €"``, ``" %"``).
    missing
        The text for a missing value.

    Examples
    --------
    >>> german_number(1234567.891, decimals=2, unit=" €")
    '1.234.567,89 €'
    >>> german_number(-5.25, decimals=1), german_number(-0.04, decimals=1)
    ('-5,3', '0,0')
    >>> german_number(None, missing="–"), german_number(0.05, decimals=1)
    ('–', '0,1')
    """
    text = german.number(value, decimals=decimals, missing=missing)
    if german.is_missing(value) or text == missing:
        return missing
    return text + unit


# --- numbers as Germans type them ------------------------------------------------------

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_SPACE_GROUPS = re.compile(r"^[+-]?\d{1,3}( \d{3})+(,\d+)?$")
_UNITS: dict[str, tuple[str, ...]] = {
    "amount": ("€", "eur", "euro"),
    "percent": ("%", "prozent"),
    "number": (),
    "integer": (),
}

NumberKind = Literal["amount", "percent", "number", "integer"]


class NumberInputError(MonitoringError, ValueError):
    """A number typed by a user that is not a number in German notation.

    ``field`` names the input, ``value`` the text typed and ``fix`` what to type instead.
    """

    def __init__(self, message: str, *, field: str, value: str, fix: str) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
        self.fix = fix


def parse_german_number(
    text: str | None, *, field: str = "Zahl", kind: NumberKind = "number"
) -> float | None:
    """Read a number typed the German way; None for an empty input.

    Thousands are grouped with ``.`` or a space, decimals follow a comma:
    ``123.456,78``, ``123456,78``, ``1 234``, ``12,5 %``, ``1.500 €``. Anything that a
    German reader would not read as exactly one number is refused rather than guessed:
    ``1.5`` (a point is never a decimal point here), ``1,234.56``, ``1e309``, ``12a``.

    Parameters
    ----------
    text
        What the user typed.
    field
        The label of the input, for the message.
    kind
        ``amount`` allows a trailing ``€``/``EUR``, ``percent`` a trailing ``%``,
        ``integer`` refuses decimals.

    Raises
    ------
    NumberInputError
        In German, naming the field, the text and what to type instead.

    Examples
    --------
    >>> parse_german_number("123.456,78", kind="amount")
    123456.78
    >>> parse_german_number("123456,78 €", kind="amount")
    123456.78
    >>> parse_german_number("1 234"), parse_german_number("12,5 %", kind="percent")
    (1234.0, 12.5)
    >>> parse_german_number("  ") is None
    True
    >>> parse_german_number("1.5", field="Kostenschätzung (€)")
    Traceback (most recent call last):
    ...
    monitoring.numbers.NumberInputError: Kostenschätzung (€): „1.5“ ist keine Zahl in \
deutscher Schreibweise. Der Punkt trennt Tausender, das Komma Dezimalstellen: \
schreiben Sie 1,5 oder 15.
    """
    if text is None:
        return None
    raw = str(text)
    cleaned = _SPACES.sub(" ", raw).strip()
    if not cleaned:
        return None
    lowered = cleaned.lower()
    for unit in _UNITS[kind]:
        if lowered.endswith(unit):
            cleaned = cleaned[: len(cleaned) - len(unit)].strip()
            break
    if _SPACE_GROUPS.match(cleaned):
        cleaned = cleaned.replace(" ", ".")
    try:
        value = parse_decimal(cleaned, locale="de_DE", strict=True)
    except NumberFormatError as exc:
        raise _refuse(raw, field, exc.suggestions) from None
    if not value.is_finite():
        raise _refuse(raw, field, [])
    number = float(value)
    if not math.isfinite(number):
        raise _refuse(raw, field, [])
    if kind == "integer" and value != value.to_integral_value():
        raise NumberInputError(
            f"{field}: „{raw.strip()}“ ist keine ganze Zahl; geben Sie eine ganze Zahl ein.",
            field=field,
            value=raw,
            fix="eine ganze Zahl",
        )
    return number


def _refuse(raw: str, field: str, suggestions: list[str] | None) -> NumberInputError:
    """Return the error for text that is not a German number, with what to type instead."""
    shown = raw.strip()
    ideas = sorted((s for s in (suggestions or []) if s), key=lambda s: "," not in s)
    fix = (
        f"schreiben Sie {' oder '.join(ideas)}"
        if ideas
        else "schreiben Sie z. B. 1.234,56 (Tausenderpunkt, Dezimalkomma)"
    )
    return NumberInputError(
        f"{field}: „{shown}“ ist keine Zahl in deutscher Schreibweise. Der Punkt trennt "
        f"Tausender, das Komma Dezimalstellen: {fix}.",
        field=field,
        value=raw,
        fix=fix,
    )


def big_change(old: float | None, new: float | None, *, factor: float = 10.0) -> bool:
    """Return whether ``new`` differs from a stored ``old`` by ``factor`` or more either way.

    Such a change is more often a typing slip (a lost or extra zero, a lost comma) than a
    real change, so the forms ask for confirmation. The typical slip, one zero too many,
    is exactly ``factor``: it asks too.

    Examples
    --------
    >>> big_change(1_234.5, 123_450.0), big_change(1_000.0, 1_500.0), big_change(None, 5.0)
    (True, False, False)
    >>> big_change(1_300_000.0, 13_000_000.0), big_change(1_000.0, 9_999.0)
    (True, False)
    >>> big_change(100.0, 0.0), big_change(0.0, 100.0)
    (True, True)
    """
    if old is None or new is None or old == new:
        return False
    a, b = abs(old), abs(new)
    if a == 0 or b == 0:
        return True
    return max(a, b) / min(a, b) >= factor
