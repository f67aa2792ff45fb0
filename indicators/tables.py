"""Reading and writing the delimited tables that statistics offices publish.

German tables come with ``;`` as separator and decimal commas (``12,5``), often
with ``.`` as thousands separator; international ones with ``,`` and ``.``. The
reader sniffs which, keeps every cell as text (ids keep their leading zeros) and
converts the columns asked for to numbers, naming the row of a bad cell.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.errors import TableReadError

_DECIMAL_COMMA = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_DECIMAL_POINT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_ENCODINGS = ("utf-8-sig", "cp1252")


def read_table(path: str | Path) -> tuple[pd.DataFrame, str]:
    """Read a delimited text table with every cell as text.

    Parameters
    ----------
    path
        A ``.csv`` or ``.txt`` file separated by ``,``, ``;`` or tabs, in UTF-8 or
        Windows-1252.

    Returns
    -------
    (pandas.DataFrame, str)
        The table (all columns text, empty cells NaN) and the decimal mark the
        numbers use (``","`` or ``"."``).

    Raises
    ------
    TableReadError
        When the file is missing, empty or cannot be parsed.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
    ...     _ = f.write("PLR_ID;EW;S1\\n01100101;3.419;4,2\\n")
    >>> table, decimal = read_table(f.name)
    >>> table["PLR_ID"].tolist(), decimal
    (['01100101'], ',')
    >>> to_numbers(table["EW"], decimal=decimal, name="EW").tolist()
    [3419.0]
    >>> os.unlink(f.name)
    """
    file = Path(path)
    if not file.is_file():
        raise TableReadError(code="table.missing_file", file=str(file))
    text = ""
    raw = file.read_bytes()
    for encoding in _ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if not text.strip():
        raise TableReadError(code="table.empty", file=str(file))
    first = text.splitlines()[0]
    counts = {sep: first.count(sep) for sep in (";", "\t", ",")}
    sep = max(counts, key=lambda s: counts[s])
    if counts[sep] == 0:
        raise TableReadError(code="table.no_separator", file=str(file), header=first[:60])
    try:
        reader = csv.reader(text.splitlines(), delimiter=sep)
        rows = list(reader)
    except csv.Error as exc:
        raise TableReadError(code="table.unparsable", file=str(file), detail=str(exc)) from exc
    header, body = rows[0], [r for r in rows[1:] if any(cell.strip() for cell in r)]
    for number, row in enumerate(body, 2):
        if len(row) != len(header):
            raise TableReadError(
                code="table.cell_count",
                file=str(file),
                line=number,
                cells=len(row),
                header=len(header),
                sep=sep,
            )
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise TableReadError(code="table.repeated_columns", file=str(file), columns=", ".join(dup))
    frame = pd.DataFrame(body, columns=[h.strip() for h in header], dtype="object")
    frame = frame.apply(lambda col: col.str.strip()).replace("", np.nan)
    decimal = "," if sep != "," and _uses_decimal_comma(frame) else "."
    return frame, decimal


def _uses_decimal_comma(frame: pd.DataFrame) -> bool:
    """True when some cell looks like a number written with a decimal comma."""
    for col in frame.columns:
        sample = frame[col].dropna().astype(str).head(200)
        if (
            sample.str.contains(",").any()
            and sample.map(lambda v: bool(_DECIMAL_COMMA.match(v))).all()
        ):
            return True
    return False


def to_numbers(series: pd.Series, *, decimal: str, name: str) -> pd.Series:
    """Convert a text column to floats, or raise TableReadError naming the bad cell.

    Examples
    --------
    >>> to_numbers(pd.Series(["1.234,5", "-2", None]), decimal=",", name="x").tolist()
    [1234.5, -2.0, nan]
    >>> to_numbers(pd.Series(["1e3", "0.5"]), decimal=".", name="x").tolist()
    [1000.0, 0.5]
    """
    pattern = _DECIMAL_COMMA if decimal == "," else _DECIMAL_POINT
    values = np.full(len(series), np.nan)
    for i, cell in enumerate(series.tolist()):
        if cell is None or (isinstance(cell, float) and np.isnan(cell)):
            continue
        text = str(cell).strip()
        if not pattern.match(text):
            raise TableReadError(
                code="table.not_number", column=name, row=i + 1, value=text, decimal=decimal
            )
        if decimal == ",":
            text = text.replace(".", "").replace(",", ".")
        values[i] = float(text)
    return pd.Series(values, index=series.index, name=series.name)


def numeric_columns(frame: pd.DataFrame, columns: Sequence[str], *, decimal: str) -> pd.DataFrame:
    """Return a copy with ``columns`` converted to numbers (others untouched)."""
    out = frame.copy()
    for col in columns:
        if col not in out.columns:
            raise TableReadError(
                code="table.no_column", column=col, columns=", ".join(map(str, out.columns))
            )
        out[col] = to_numbers(out[col], decimal=decimal, name=col)
    return out


def read_id_list(value: str) -> list[str]:
    """Parse ``ID,ID,…`` or ``@FILE`` (one id per line, ``#`` comments) into ids.

    Examples
    --------
    >>> read_id_list("10100205, 03300515")
    ['10100205', '03300515']
    """
    if value.startswith("@"):
        file = Path(value[1:])
        if not file.is_file():
            raise TableReadError(code="table.missing_id_list", file=str(file))
        lines = file.read_text(encoding="utf-8").splitlines()
        ids = [line.split("#", 1)[0].strip() for line in lines]
        return [i.strip() for part in ids for i in part.replace(";", ",").split(",") if i.strip()]
    return [v.strip() for v in value.split(",") if v.strip()]
