"""Safe cells for spreadsheets: data never becomes a formula, in workbooks or CSV.

A name typed by a user (a funding area, a body, a measure title) that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a formula by
spreadsheet programs (OWASP, "CSV Injection"). Every workbook the project writes puts
its cells through :func:`put`, every CSV writer its fields through :func:`csv_field`
(or a whole frame through :func:`csv_frame`). Numbers stay numbers: a negative
amount is a number cell (workbook) or the plain number text (CSV).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""Characters that make a spreadsheet program read a text as a formula."""

CSV_ESCAPE = "'"
"""Put before a text that starts with one of :data:`FORMULA_PREFIXES` (OWASP)."""

# characters a workbook cannot hold (XML 1.0 control characters, openpyxl refuses them)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_formula_like(text: str) -> bool:
    """Return whether a spreadsheet program would read ``text`` as a formula.

    Examples
    --------
    >>> is_formula_like("=SUMME(A1:A3)"), is_formula_like("-5"), is_formula_like("Kita")
    (True, True, False)
    """
    return text.startswith(FORMULA_PREFIXES)


def put(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write ``value`` into a cell: text always as text, never as a formula; return the cell.

    Text is stored with the type ``s`` (a string), whatever it starts with, and a text
    that looks like a formula also gets Excel's quote prefix, so editing the cell
    later keeps it text. Characters a workbook cannot hold become ``�``. Numbers,
    dates, booleans and None are written as they are.

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> sheet = Workbook().active
    >>> cell = put(sheet, 1, 1, "=HYPERLINK(\\"http://x\\")")
    >>> cell.data_type, cell.value, cell.quotePrefix
    ('s', '=HYPERLINK("http://x")', True)
    >>> put(sheet, 1, 2, -12.5).data_type
    'n'
    >>> put(sheet, 1, 3, "#DIV/0!").data_type
    's'
    """
    cell = sheet.cell(row, column)
    if isinstance(value, str):
        text = _ILLEGAL.sub("\ufffd", value)[:32767]
        cell.value = None
        cell._value = text  # bypass openpyxl's guess ("=…" formula, "#N/A" error)
        cell.data_type = "s"
        if is_formula_like(text):
            cell.quotePrefix = True
        return cell
    cell.value = value
    return cell


def csv_field(value: Any) -> Any:
    """Return a CSV field that no spreadsheet program reads as a formula.

    A text starting with one of :data:`FORMULA_PREFIXES` gets a leading ``'``; other
    values (numbers included, negative ones too) come back unchanged.

    Examples
    --------
    >>> csv_field("=1+2"), csv_field("@SUM(A1)"), csv_field("Kita"), csv_field(-3.5)
    ("'=1+2", "'@SUM(A1)", 'Kita', -3.5)
    """
    if isinstance(value, str) and is_formula_like(value):
        return CSV_ESCAPE + value
    return value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` with every text cell (and column name) made safe for CSV.

    The index is kept; number columns are not touched.

    Examples
    --------
    >>> f = pd.DataFrame({"id": ["=A1", "B"], "wert": [-1.0, 2.0]}, index=["-x", "y"])
    >>> out = csv_frame(f)
    >>> out["id"].tolist(), out["wert"].tolist(), out.index.tolist()
    (["'=A1", 'B'], [-1.0, 2.0], ["'-x", 'y'])
    """
    out = frame.copy()
    for name in out.columns:
        if _texts(out[name]):
            out[name] = out[name].map(csv_field)
    out.columns = [csv_field(c) for c in out.columns]
    if _texts(out.index):
        out.index = pd.Index([csv_field(v) for v in out.index], name=csv_field(out.index.name))
    return out


def _texts(values: pd.Series | pd.Index) -> bool:
    """Return whether a column or index may hold text (object or string dtype)."""
    return values.dtype == object or pd.api.types.is_string_dtype(values.dtype)
