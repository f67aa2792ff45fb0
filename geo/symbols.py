"""The symbols of German official statistics (Zeichenerklärung) in table cells.

Statistics offices write tables for people: ``-`` alone means *nothing there*
(exactly zero), ``.`` a value unknown or kept secret, ``…`` one not yet available,
``x`` a locked cell, ``/`` a value not reliable enough, ``(12,3)`` a value of
limited reliability, and in a table that uses these symbols a ``0`` means *less
than half the smallest unit shown*. Numbers are written with spaces between the
thousands (``69 570``), negative numbers with a gap after the sign (``-  23``,
``– 23``) and footnote marks glued on (``12,3¹``, ``12,3 1)``).

:func:`split_cell` turns such a cell into the plain number text (parsed then with
the file's :class:`~geo.readers.NumberFormat`) and the flag; :func:`parse_cell`
does both. :data:`FLAG_LABELS` says in German what each flag means.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import numpy as np

from geo.errors import CellError

Flag = Literal["rounded", "secret", "later", "not_applicable", "unreliable", "limited"]

FLAG_LABELS: Mapping[str, str] = {
    "rounded": "weniger als die Hälfte der kleinsten dargestellten Einheit, aber mehr als "
    "nichts (0)",
    "secret": "Zahlenwert unbekannt oder geheim zu halten (.)",
    "later": "Zahlenwert lag bei Redaktionsschluss noch nicht vor (…)",
    "not_applicable": "Tabellenfach gesperrt, weil Aussage nicht sinnvoll (x)",
    "unreliable": "keine Angabe, da Zahlenwert nicht sicher genug (/)",
    "limited": "Aussagewert eingeschränkt, da der Wert statistisch relativ unsicher ist ( )",
    "missing": "kein Wert (leere Zelle oder mit --na als fehlend erklärt)",
}
"""Flag of a stored value -> its German meaning (the Zeichenerklärung), for the UI."""

MISSING_SYMBOLS: Mapping[str, Flag] = {
    ".": "secret",
    "…": "later",
    "...": "later",
    "x": "not_applicable",
    "X": "not_applicable",
    "/": "unreliable",
}
"""A cell holding only this symbol is missing, for the reason its flag names."""

_DASHES = "-\u2013\u2014\u2212"  # hyphen-minus, en dash, em dash, minus sign
_SPACES = "\u00a0\u202f\u2009\u2007"  # no-break, narrow no-break, thin and figure space
_SUPERSCRIPTS = "\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079"
_SIGN_GAP = re.compile(rf"^[{_DASHES}]\s+(?=[\d(.,])")
_LEADING_DASH = re.compile(rf"^[{_DASHES}](?=[\d(.,])")
_FOOTNOTE = re.compile(rf"(?:\s*[{_SUPERSCRIPTS}]+|\s+\d{{1,2}}\)|\s*\*+\)?)$")
_BRACKETS = re.compile(r"^\((.+)\)$")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Cell:
    """A cell taken apart: the number text left (None: no number), flag and footnote mark."""

    text: str | None
    flag: Flag | None = None
    zero: bool = False  # "-" alone: nothing there, exactly zero
    footnote: str | None = None

    @property
    def symbol(self) -> bool:
        """Return whether the cell used a statistics symbol (not only a number)."""
        return self.zero or self.flag is not None


def _normal(text: str) -> str:
    out = text.strip()
    for space in _SPACES:
        out = out.replace(space, " ")
    return out


def split_cell(value: Any) -> Cell:
    """Return the number text of a text cell and the symbol's flag.

    Numbers (from a workbook) are returned as they are, as text. The number text
    keeps its decimal mark and thousands separator; a gap after a minus sign is
    closed and dashes become ``-``.

    Examples
    --------
    >>> split_cell("–")
    Cell(text=None, flag=None, zero=True, footnote=None)
    >>> split_cell(" . ").flag, split_cell("…").flag, split_cell("x").flag
    ('secret', 'later', 'not_applicable')
    >>> split_cell("-  23").text, split_cell("– 1 234,5").text
    ('-23', '-1 234,5')
    >>> split_cell("(12,3)")
    Cell(text='12,3', flag='limited', zero=False, footnote=None)
    >>> split_cell("12,3¹"), split_cell("12,3 1)").footnote
    (Cell(text='12,3', flag=None, zero=False, footnote='¹'), '1)')
    """
    if not isinstance(value, str):
        return Cell(None if value is None else str(value))
    text = _normal(value)
    if not text:
        return Cell(None)
    if text in MISSING_SYMBOLS:
        return Cell(None, MISSING_SYMBOLS[text])
    if len(text) == 1 and text in _DASHES:
        return Cell(None, zero=True)
    footnote = None
    mark = _FOOTNOTE.search(text)
    if mark and mark.start() > 0 and _DIGIT.search(text[: mark.start()]):
        footnote = mark.group(0).strip()
        text = text[: mark.start()].rstrip()
    flag: Flag | None = None
    inner = _BRACKETS.match(text)
    if inner and _DIGIT.search(inner.group(1)):
        flag = "limited"
        text = inner.group(1).strip()
    text = _SIGN_GAP.sub("-", text)
    text = _LEADING_DASH.sub("-", text)
    return Cell(text, flag, footnote=footnote)


def is_symbol(value: Any) -> bool:
    """Return whether a cell uses a statistics symbol (``-``, ``.``, ``x``, ``(12)`` …).

    Examples
    --------
    >>> is_symbol("-"), is_symbol("(3)"), is_symbol("3"), is_symbol(3.0), is_symbol("")
    (True, True, False, False, False)
    """
    return isinstance(value, str) and split_cell(value).symbol


def uses_symbols(cells: Iterable[Any]) -> bool:
    """Return whether any cell uses a statistics symbol (then ``0`` means rounded)."""
    return any(is_symbol(c) for c in cells)


def is_zero(value: Any) -> bool:
    """Return whether a cell holds the number 0 (``0``, ``0,0``, ``0.00``, 0.0).

    Examples
    --------
    >>> is_zero("0,0"), is_zero(0), is_zero("0,5"), is_zero("-"), is_zero(True)
    (True, True, False, False, False)
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, Decimal, np.integer, np.floating)):
        return float(value) == 0.0
    if not isinstance(value, str):
        return False
    return bool(re.fullmatch(r"[+-]?(?:0+(?:[.,]0*)?|[.,]0+)", _normal(value)))


def parse_cell(
    value: Any, parse: Any, *, symbols: bool = True
) -> tuple[float, Flag | None, str | None]:
    """Return the value of a cell, its flag and a footnote mark glued to it.

    ``parse`` turns the number text into a float (e.g. ``lambda t: parse_number(t,
    fmt)``); ``symbols`` says that the table uses statistics symbols, so that a
    ``0`` is flagged ``rounded``.

    Raises
    ------
    CellError
        A ValueError: when the cell is neither a symbol nor a number ``parse`` accepts.

    Examples
    --------
    >>> from geo.readers import NumberFormat, parse_number
    >>> fmt = NumberFormat(",", " ")
    >>> def parse(t):
    ...     return parse_number(t, fmt)
    >>> parse_cell("69 570", parse), parse_cell("-  23", parse), parse_cell("-", parse)
    ((69570.0, None, None), (-23.0, None, None), (0.0, None, None))
    >>> parse_cell("(12,3)", parse), parse_cell("0", parse), parse_cell("0", parse, symbols=False)
    ((12.3, 'limited', None), (0.0, 'rounded', None), (0.0, None, None))
    >>> parse_cell(".", parse)
    (nan, 'secret', None)
    """
    if not isinstance(value, str):
        number = float(parse(value))
        return number, ("rounded" if symbols and number == 0.0 else None), None
    cell = split_cell(value)
    if cell.zero:
        return 0.0, None, None
    if cell.text is None:
        if cell.flag is None:
            raise CellError(code="cell.empty")
        return math.nan, cell.flag, None
    number = float(parse(cell.text))
    flag = cell.flag
    if flag is None and symbols and number == 0.0:
        flag = "rounded"
    return number, flag, cell.footnote


def number_text(value: Any) -> Any:
    """Return the number text of a cell for detecting the number format (symbols: None).

    Examples
    --------
    >>> number_text("(1 234,5)"), number_text("x"), number_text(7)
    ('1 234,5', None, 7)
    """
    if not isinstance(value, str):
        return value
    return split_cell(value).text
