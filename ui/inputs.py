"""Form inputs that read what Germans type: numbers with decimal comma, amounts in euro.

Streamlit's ``number_input`` follows the browser's idea of a number, so ``123456,78``
typed into a cost field could arrive as 12,345,678. Every number a user types goes
through a text field and :func:`monitoring.numbers.parse_german_number` instead, which
refuses what it cannot read unambiguously and says what to type.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from geo import german
from monitoring.numbers import NumberInputError, NumberKind, parse_german_number


def shown_number(value: Any, *, kind: NumberKind = "amount") -> str:
    """Return a stored number as the text a German user reads in the field ("" if missing).

    Examples
    --------
    >>> shown_number(123456.78), shown_number(12.5, kind="percent"), shown_number(None)
    ('123.456,78', '12,5', '')
    >>> shown_number(23.0, kind="integer")
    '23'
    """
    if german.is_missing(value):
        return ""
    number = float(value)
    if kind == "integer" or number.is_integer() and kind != "amount":
        return german.number(number, decimals=0)
    decimals = 2 if kind == "amount" else max(0, min(6, len(repr(number).split(".")[-1])))
    text = german.number(number, decimals=decimals)
    return text.removesuffix(",00") if kind == "amount" and number.is_integer() else text


def number_field(
    label: str,
    value: Any = None,
    *,
    key: str,
    kind: NumberKind = "amount",
    container: Any = None,
    help: str | None = None,
) -> str:
    """Draw a text field for a number typed the German way; return the text as typed.

    Read the text with :func:`read_numbers` when the form is submitted.
    """
    target = container if container is not None else st
    hint = (
        help
        or {
            "amount": "z. B. 123.456,78 oder 123456,78 (€ darf dabeistehen)",
            "percent": "z. B. 12,5",
            "integer": "eine ganze Zahl, z. B. 23",
            "number": "z. B. 1.234,5",
        }[kind]
    )
    return str(target.text_input(label, value=shown_number(value, kind=kind), key=key, help=hint))


def year_field(label: str, value: Any = None, *, key: str, container: Any = None) -> str:
    """Draw a text field for a year (``2025``, never ``2.025``); read it as ``"integer"``.

    Examples
    --------
    >>> shown_year(2025.0), shown_year(None)
    ('2025', '')
    """
    target = container if container is not None else st
    return str(
        target.text_input(
            label, value=shown_year(value), key=key, help="eine Jahreszahl, z. B. 2025"
        )
    )


def shown_year(value: Any) -> str:
    """Return a stored year as typed (no thousands separator; "" if missing)."""
    return "" if german.is_missing(value) else str(int(float(value)))


def read_numbers(
    typed: dict[str, tuple[str, str, NumberKind]],
) -> tuple[dict[str, float | None], list[str]]:
    """Parse ``{field: (label, text, kind)}``; return the numbers and the German errors.

    Examples
    --------
    >>> read_numbers({"cost": ("Kosten (€)", "123456,78", "amount")})
    ({'cost': 123456.78}, [])
    >>> read_numbers({"n": ("Teilnehmende", "2,5", "integer")})[1]
    ['Teilnehmende: „2,5“ ist keine ganze Zahl; geben Sie eine ganze Zahl ein.']
    """
    out: dict[str, float | None] = {}
    errors: list[str] = []
    for name, (label, text, kind) in typed.items():
        try:
            out[name] = parse_german_number(text, field=label, kind=kind)
        except NumberInputError as exc:
            errors.append(str(exc))
    return out, errors
