"""Read the files cities really have into frames, refusing unreadable ones clearly.

Vector data: Shapefile (also inside a .zip), GeoPackage (``layer``), GeoJSON and
anything else GDAL reads. Tables: CSV as exported from Excel (delimiter, encoding
and number format detected, or given), XLSX workbooks (openpyxl), and the result of
a database query (psycopg). Every reader returns a :class:`Table` whose index is
the number a user sees: the CSV line, the worksheet row, the feature number.

Table cells are not converted: a CSV cell stays the string it was, so that ids
with leading zeros stay ids; numbers are parsed by :func:`parse_number` with the
file's :class:`NumberFormat`, found by :func:`detect_number_format`.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import math
import os
import re
import struct
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from pyproj import CRS

from geo.errors import CellError, ImportRefused
from geo.layout import Layout, Merged, detect_layout
from geo.validation import ImportReport, Problem, RowUnit

Decimal_ = Literal[".", ","]
Thousands = Literal["", ".", ",", " ", "'"]
DECIMALS: tuple[str, ...] = (".", ",")
THOUSANDS: tuple[str, ...] = ("", ".", ",", " ", "'")
DELIMITERS: tuple[str, ...] = (";", ",", "\t")
VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".gml", ".kml", ".fgb", ".sqlite")
TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
_SPACES = "\u00a0\u202f\u2009"  # no-break, narrow no-break and thin space (Excel, LibreOffice)
_MINUS = "\u2212"


@dataclass
class Table:
    """What a reader read: the frame (index = row/line/feature number) and how."""

    frame: pd.DataFrame
    source: str
    unit: RowUnit
    crs: CRS | None = None
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def report(self) -> ImportReport:
        """Return an empty report for this input that carries the reader's notes."""
        return ImportReport(self.source, unit=self.unit, notes=list(self.notes))


def _refuse(
    source: str, message: str, fix: str, *, row: int | None = None, unit: RowUnit = "row"
) -> ImportRefused:
    return ImportRefused(source, [Problem(source, message, fix, row, None, None, unit)])


# --- input limits ------------------------------------------------------------------

DEFAULT_MAX_UNPACKED_MB = 1024
DEFAULT_MAX_RATIO = 200
DEFAULT_SQL_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class InputLimits:
    """How much input a reader accepts before it reads anything.

    ``max_unpacked_mb``: the largest file, or sum of the members of a zip (or .xlsx)
    as its directory declares them (``QMON_MAX_UNPACKED_MB``). ``max_ratio``: the
    largest ratio of unpacked to packed size of a zip (``QMON_MAX_ZIP_RATIO``; real
    data compresses about 3-30 fold, a zip bomb a thousand fold). ``sql_timeout_s``:
    the statement timeout of ``--sql`` queries (``QMON_SQL_TIMEOUT_S``).

    Examples
    --------
    >>> InputLimits.from_env({"QMON_MAX_UNPACKED_MB": "5"}).max_unpacked_mb
    5.0
    >>> InputLimits.from_env({}).max_bytes == 1024 * 1024 * 1024
    True
    """

    max_unpacked_mb: float = DEFAULT_MAX_UNPACKED_MB
    max_ratio: float = DEFAULT_MAX_RATIO
    sql_timeout_s: float = DEFAULT_SQL_TIMEOUT_S

    @property
    def max_bytes(self) -> int:
        return int(self.max_unpacked_mb * 1024 * 1024)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> InputLimits:
        """Return the limits set in the environment (defaults where unset).

        Raises
        ------
        ImportRefused
            When a setting is not a positive number.
        """
        env = os.environ if environ is None else environ
        values: dict[str, float] = {}
        for name, attr, default in (
            ("QMON_MAX_UNPACKED_MB", "max_unpacked_mb", DEFAULT_MAX_UNPACKED_MB),
            ("QMON_MAX_ZIP_RATIO", "max_ratio", DEFAULT_MAX_RATIO),
            ("QMON_SQL_TIMEOUT_S", "sql_timeout_s", DEFAULT_SQL_TIMEOUT_S),
        ):
            text = env.get(name, "").strip()
            if not text:
                values[attr] = float(default)
                continue
            try:
                number = float(text.replace(",", "."))
            except ValueError:
                number = math.nan
            if not math.isfinite(number) or number <= 0:
                raise _refuse(
                    name,
                    f"die Einstellung {name}={text!r} ist keine positive Zahl",
                    f"setzen Sie {name} auf eine Zahl größer 0 (Standard: {default:g}) "
                    "oder entfernen Sie die Variable",
                )
            values[attr] = number
        return cls(**values)


# --- numbers -------------------------------------------------------------------


@dataclass(frozen=True)
class NumberFormat:
    """How numbers are written: decimal mark and thousands separator.

    Examples
    --------
    >>> NumberFormat(decimal=",", thousands=".")
    NumberFormat(decimal=',', thousands='.')
    """

    decimal: Decimal_ = "."
    thousands: Thousands = ""

    def __post_init__(self) -> None:
        if self.decimal not in DECIMALS:
            raise ValueError(f"decimal mark {self.decimal!r} is not one of {DECIMALS}")
        if self.thousands not in THOUSANDS:
            raise ValueError(f"thousands separator {self.thousands!r} is not one of {THOUSANDS}")
        if self.decimal == self.thousands:
            raise ValueError("decimal mark and thousands separator must differ")

    def describe(self) -> str:
        if not self.thousands:
            return f"Dezimalzeichen {self.decimal!r}, ohne Tausendertrennzeichen"
        sep = {" ": "Leerzeichen"}.get(self.thousands, repr(self.thousands))
        return f"Dezimalzeichen {self.decimal!r}, Tausendertrennzeichen {sep}"


GERMAN = NumberFormat(",", ".")
_FORMATS_GERMAN_FIRST = (
    NumberFormat(",", ""),
    NumberFormat(",", "."),
    NumberFormat(",", " "),
    NumberFormat(".", ""),
    NumberFormat(".", ","),
    NumberFormat(".", " "),
    NumberFormat(".", "'"),
)
_FORMATS_ENGLISH_FIRST = (
    NumberFormat(".", ""),
    NumberFormat(".", ","),
    NumberFormat(".", " "),
    NumberFormat(".", "'"),
    NumberFormat(",", ""),
    NumberFormat(",", "."),
    NumberFormat(",", " "),
)
_PATTERNS: dict[NumberFormat, re.Pattern[str]] = {}


def _pattern(fmt: NumberFormat) -> re.Pattern[str]:
    cached = fmt.__dict__.get("_compiled")  # per instance: hashing a dataclass per cell is slow
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    if fmt not in _PATTERNS:
        dec = re.escape(fmt.decimal)
        if fmt.thousands:
            sep = re.escape(fmt.thousands)
            integer = rf"(?:[1-9]\d{{0,2}}(?:{sep}\d{{3}})+|\d+)"
        else:
            integer = r"\d+"
        exp = r"(?:[eE][+-]?\d+)?"
        _PATTERNS[fmt] = re.compile(rf"^[+-]?(?:{integer}(?:{dec}\d*)?|{dec}\d+){exp}(?:\s*%)?$")
    fmt.__dict__["_compiled"] = _PATTERNS[fmt]  # not a field: equality and hash ignore it
    return _PATTERNS[fmt]


def _clean(text: str) -> str:
    if text.isascii():
        return text.strip()
    out = text.strip().replace(_MINUS, "-")
    for space in _SPACES:
        out = out.replace(space, " ")
    return out


def parse_number(value: Any, fmt: NumberFormat = NumberFormat()) -> float:
    """Return the number written in ``value`` in format ``fmt``.

    Numbers (from XLSX or a database) are returned as floats; strings must match the
    format exactly, thousands groups included, so a misread format fails loudly
    instead of turning 1,5 into 15. A trailing ``%`` is allowed (the value stays in %).

    Raises
    ------
    CellError
        A ValueError: when ``value`` is empty, not a number in this format, or not finite
        (``inf``, ``NaN``, ``1e309``, also as a float from a workbook or database).

    Examples
    --------
    >>> parse_number("1.675,5", NumberFormat(",", "."))
    1675.5
    >>> parse_number("1 675", NumberFormat(",", " "))
    1675.0
    >>> parse_number("-3,25 %", NumberFormat(","))
    -3.25
    >>> parse_number("1.67", NumberFormat(",", "."))
    Traceback (most recent call last):
    ...
    geo.errors.CellError: '1.67' ist keine Zahl mit Dezimalzeichen ',', Tausendertrennzeichen '.'

    Infinity and NaN are refused in any spelling, ``1e309`` (too large for a float,
    so it would read as infinity) as well:

    >>> parse_number("1e309")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geo.errors.CellError: '1e309' ist keine endliche Zahl (unendlich, zu groß für eine Zahl ...
    """
    if isinstance(value, bool):
        raise CellError(code="cell.truth_value", value=value)
    if isinstance(value, (int, float, Decimal, np.integer, np.floating)):
        return _finite(float(value), value)
    if not isinstance(value, str):
        raise CellError(code="cell.not_number", value=value)
    text = _clean(value)
    if not text:
        raise CellError(code="cell.empty")
    if _NON_FINITE.match(text):
        raise CellError(code="cell.not_finite", value=value)
    if not _pattern(fmt).match(text):
        raise CellError(code="cell.not_number_in_format", value=value, format=fmt.describe())
    text = text.rstrip("%").strip()
    if fmt.thousands:
        text = text.replace(fmt.thousands, "")
    return _finite(float(text.replace(fmt.decimal, ".")), value)


_NON_FINITE = re.compile(r"^[+-]?(?:inf(?:inity)?|nan|#num!|#zahl!)$", re.IGNORECASE)


def _finite(number: float, value: Any) -> float:
    """Return ``number`` unless it is infinite or NaN (``1e309`` reads as infinity)."""
    if not math.isfinite(number):
        raise CellError(code="cell.not_finite", value=value)
    return number


def format_number(value: float, fmt: NumberFormat, *, decimals: int = 2) -> str:
    """Write ``value`` in format ``fmt`` (the inverse of :func:`parse_number`).

    Examples
    --------
    >>> format_number(-1675.5, GERMAN, decimals=1)
    '-1.675,5'
    """
    text = f"{value:,.{decimals}f}"  # -1,675.50
    return text.replace(",", "\0").replace(".", fmt.decimal).replace("\0", fmt.thousands)


def detect_number_format(values: Iterable[Any], *, delimiter: str | None = None) -> NumberFormat:
    """Return the number format under which the most (ideally all) cells parse.

    Ties are broken by the delimiter: a ``;`` file comes from German Excel, so
    ``1.675`` there is one thousand six hundred seventy-five; in a ``,`` file it is
    one point six seven five. Thousands groups must be exact, so ``2.5`` is never
    read as German and ``3,2`` never as English. Numbers that are already numbers
    (XLSX, databases) do not count.

    Examples
    --------
    >>> detect_number_format(["1.675", "3,2"], delimiter=";")
    NumberFormat(decimal=',', thousands='.')
    >>> detect_number_format(["1.675", "2.5"], delimiter=";")
    NumberFormat(decimal='.', thousands='')
    >>> detect_number_format(["1 675", "12"], delimiter=",")
    NumberFormat(decimal='.', thousands=' ')
    """
    texts = [_clean(v) for v in values if isinstance(v, str) and v.strip()]
    order = _FORMATS_GERMAN_FIRST if delimiter == ";" else _FORMATS_ENGLISH_FIRST
    if not texts:
        return order[0]
    best, best_count = order[0], -1
    for fmt in order:
        pattern = _pattern(fmt)
        count = sum(1 for t in texts if pattern.match(t))
        if count > best_count:
            best, best_count = fmt, count
        if count == len(texts):
            return fmt
    return best


# --- dates ---------------------------------------------------------------------

_DATE_FORMATS = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"),
    (re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$"), "%d.%m.%Y"),
    (re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$"), None),
)


def parse_date(value: Any) -> dt.date:
    """Return the date in ``value``: ISO, German ``dd.mm.yyyy``, a year or a month.

    A bare year means its last day (31 December), ``YYYY-MM`` and ``YYYYMM`` the
    last day of the month: statistics are counted at the end of a period.

    Raises
    ------
    CellError
        A ValueError: when the value is not one of these forms.

    Examples
    --------
    >>> parse_date("24.05.2016"), parse_date("2021"), parse_date(202012)
    (datetime.date(2016, 5, 24), datetime.date(2021, 12, 31), datetime.date(2020, 12, 31))
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, (int, np.integer)) or (isinstance(value, float) and value.is_integer()):
        value = str(int(value))
    if not isinstance(value, str):
        raise CellError(code="cell.not_date", value=value)
    text = value.strip()
    if re.fullmatch(r"\d{4}", text):
        return dt.date(int(text), 12, 31)
    month = re.fullmatch(r"(\d{4})-?(\d{2})", text)
    if month and 1 <= int(month.group(2)) <= 12:
        start = pd.Timestamp(int(month.group(1)), int(month.group(2)), 1)
        return (start + pd.offsets.MonthEnd(0)).date()
    for pattern, fmt in _DATE_FORMATS:
        if pattern.match(text):
            try:
                if fmt is None:
                    return dt.datetime.fromisoformat(text).date()
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                break
    raise CellError(code="cell.not_date", value=value)


# --- text files ------------------------------------------------------------------


def _line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def decode_text(data: bytes, *, source: str, encoding: str | None = None) -> tuple[str, str]:
    """Return the text of a file and the encoding it was in.

    Tries UTF-8 (with or without BOM), then Windows-1252 (cp1252, the superset of
    latin-1 that German Excel writes). With ``encoding`` only that one is tried.

    Raises
    ------
    ImportRefused
        When the bytes are not text (NUL bytes), mix UTF-8 and another encoding, or
        fit none of the encodings; the message names the line and the fix.

    Examples
    --------
    >>> decode_text("Straße;1".encode("cp1252"), source="a.csv")
    ('Straße;1', 'cp1252')
    >>> decode_text(b"\\xef\\xbb\\xbfid;x", source="a.csv")
    ('id;x', 'utf-8-sig')
    """
    fix_enc = (
        "geben Sie die Zeichenkodierung mit --encoding an (utf-8, cp1252, latin-1) oder "
        "speichern Sie die Datei als UTF-8"
    )
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise _refuse(
                source,
                f"{encoding!r} ist keine bekannte Zeichenkodierung",
                "verwenden Sie utf-8, utf-8-sig, cp1252 oder latin-1",
            ) from None
        except UnicodeDecodeError as exc:
            bad = data[exc.start : exc.start + 1].hex()
            raise _refuse(
                source,
                f"das Byte 0x{bad} ist in {encoding} nicht lesbar",
                fix_enc,
                row=_line_of(data, exc.start),
                unit="line",
            ) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data:
        raise _refuse(
            source,
            "ist keine Textdatei (sie enthält NUL-Bytes; vielleicht eine Arbeitsmappe oder "
            "UTF-16 ohne BOM)",
            "speichern Sie sie in der Tabellenkalkulation als CSV (UTF-8), oder importieren "
            "Sie die .xlsx-Datei selbst",
            row=_line_of(data, data.index(b"\x00")),
            unit="line",
        )
    try:
        text = data.decode("utf-8-sig")
        return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    utf8_lines = [
        n
        for n, line in enumerate(data.split(b"\n"), start=1)
        if not line.isascii() and _is_utf8(line)
    ]
    if utf8_lines:
        raise _refuse(
            source,
            f"mischt Zeichenkodierungen: Zeile {utf8_lines[0]} ist UTF-8, Zeile "
            f"{_line_of(data, first_bad)} nicht (Byte 0x{data[first_bad]:02x})",
            "speichern Sie die ganze Datei in einer Kodierung (UTF-8), z. B. durch einen "
            "neuen Export aus der Quelle",
            row=_line_of(data, first_bad),
            unit="line",
        )
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise _refuse(
            source,
            f"das Byte 0x{data[exc.start]:02x} ist weder UTF-8 noch Windows-1252 (cp1252); "
            "die Zeichenkodierung ist nicht zu erkennen",
            fix_enc,
            row=_line_of(data, exc.start),
            unit="line",
        ) from None


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def detect_delimiter(text: str) -> str | None:
    """Return the delimiter (``;``, ``,`` or tab) that splits the lines most consistently.

    Examples
    --------
    >>> detect_delimiter('id;name;value\\n"01";Mitte;1,5\\n')
    ';'
    >>> detect_delimiter("id,value\\n1,2\\n") , detect_delimiter("just text\\n") is None
    (',', True)
    """
    sample = [line for line in text.splitlines()[:50] if line.strip()]
    if not sample:
        return None
    best: tuple[float, int] = (0.0, 1)
    chosen = None
    for delim in DELIMITERS:
        rows = list(csv.reader(sample, delimiter=delim))
        width = len(rows[0])
        if width < 2:  # a title line above the table: the width most lines have
            widths = [len(r) for r in rows if len(r) > 1]
            if len(widths) < 2:
                continue
            width = max(set(widths), key=widths.count)
        share = sum(1 for r in rows if len(r) == width) / len(rows)
        if (share, width) > best:
            best, chosen = (share, width), delim
    return chosen


def read_csv(
    path: Path | str,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    header_row: int | None = None,
    limits: InputLimits | None = None,
) -> Table:
    """Read a CSV file into a frame of strings indexed by line number.

    Title lines above the table, a header over several lines and footnotes below
    the data are found by :func:`geo.layout.detect_layout` (a plain table, header in
    the first line, reads as it always did); ``header_row`` names the line of the
    (last) header line where that detection is not sure. The title and the
    footnotes are kept in ``details["title"]`` and ``details["footnotes"]``.

    Raises
    ------
    ImportRefused
        For an empty file, an undecodable encoding, an undetectable delimiter, a
        file without data rows, rows with the wrong number of fields (all listed),
        or a header that is not sure to find (the fix names ``--header-row``).
    """
    path = Path(path)
    source = path.name
    data = _read_bytes(path, limits)
    text, used = decode_text(data, source=source, encoding=encoding)
    if delimiter is None:
        delimiter = detect_delimiter(text)
        if delimiter is None:
            raise _refuse(
                source,
                "das Trennzeichen ist nicht zu erkennen: keine Zeile teilt sich an ';', ',' "
                "oder Tabulator in Spalten",
                "geben Sie --delimiter ';' (oder ',' oder tab) an, oder prüfen Sie, ob das "
                "eine Tabelle ist",
            )
    elif delimiter not in (*DELIMITERS, "|"):
        raise _refuse(
            source,
            f"das Trennzeichen {delimiter!r} wird nicht unterstützt",
            "verwenden Sie ';', ',', '|' oder tab",
        )
    report = ImportReport(source, unit="line")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = [(reader.line_num, record) for record in reader]
    if not any(cell.strip() for _, record in records for cell in record):
        raise _refuse(
            source,
            "enthält weder Kopfzeile noch Zeilen",
            "exportieren Sie die Tabelle mit einer Kopfzeile",
        )
    layout = detect_layout(records, source=source, unit="line", header_row=header_row)
    header = list(layout.header)
    rows: list[list[str]] = []
    lines: list[int] = []
    for pos in layout.data:
        number, record = records[pos]
        if layout.plain:
            fits = len(record) == len(header)
        else:  # an exported sheet: cells right of the table must be empty
            fits = len(record) >= layout.width and not any(
                c.strip() for c in record[layout.width :]
            )
        if not fits:
            report.add(
                f"hat {len(record)} Felder, die Kopfzeile {layout.width}",
                row=number,
                fix="prüfen Sie Anführungszeichen und Trennzeichen in dieser Zeile (ein Wert "
                f"mit {delimiter!r} muss in doppelten Anführungszeichen stehen)",
            )
            continue
        rows.append(record if layout.plain else [record[j] for j in layout.columns])
        lines.append(number)
    _check_header(header, report)
    if not rows and report.ok:
        report.add(
            "hat eine Kopfzeile, aber keine Datenzeilen",
            fix="exportieren Sie die Tabelle mit ihren Zeilen",
        )
    report.raise_if_problems()
    frame = pd.DataFrame(rows, columns=header, index=pd.Index(lines, name="line"), dtype=object)
    details: dict[str, Any] = {"encoding": used, "delimiter": delimiter}
    return Table(
        frame,
        source,
        "line",
        details=details | _layout_details(layout),
        notes=_layout_notes(layout, source),
    )


def _layout_details(layout: Layout) -> dict[str, Any]:
    """Return what the layout detection found, for ``Table.details`` (nothing if plain)."""
    out: dict[str, Any] = {}
    if not layout.plain:
        out["header_rows"] = list(layout.header_rows)
        out["title"] = layout.title
    if layout.footnotes or not layout.plain:
        out["footnotes"] = list(layout.footnotes)
    return out


def _layout_notes(layout: Layout, source: str) -> list[str]:
    note = layout.note(source)
    return [] if note is None else [note]


def _check_header(header: Sequence[str], report: ImportReport) -> None:
    seen: set[str] = set()
    for pos, name in enumerate(header, start=1):
        if not name:
            report.add(
                f"Spalte {pos} hat in der Kopfzeile keinen Namen",
                fix="geben Sie jeder Spalte in der ersten Zeile einen Namen",
            )
        elif name in seen:
            report.add(
                f"der Spaltenname {name!r} kommt in der Kopfzeile zweimal vor",
                fix="geben Sie jeder Spalte einen eigenen Namen",
            )
        seen.add(name)


def _check_file(path: Path) -> None:
    """Refuse a path that is not an existing, non-empty file."""
    source = path.name
    if not path.exists():
        raise _refuse(source, f"die Datei {str(path)!r} gibt es nicht", "prüfen Sie den Pfad")
    if path.is_dir():
        raise _refuse(
            source,
            f"{str(path)!r} ist ein Ordner, keine Datei",
            "nennen Sie die Datei darin (z. B. die .shp- oder .csv-Datei)",
        )
    if path.stat().st_size == 0:
        raise _refuse(
            source,
            "die Datei ist leer (0 Bytes Inhalt)",
            "exportieren Sie die Daten erneut; die Datei wurde nicht vollständig geschrieben",
        )


def _read_bytes(path: Path, limits: InputLimits | None = None) -> bytes:
    """Return the bytes of a file after checking it exists and is not too large."""
    _check_file(path)
    _check_size(path.name, path.stat().st_size, limits or InputLimits.from_env())
    data = path.read_bytes()
    if not data.strip():
        raise _refuse(
            path.name,
            "die Datei ist leer (0 Bytes Inhalt)",
            "exportieren Sie die Daten erneut; die Datei wurde nicht vollständig geschrieben",
        )
    return data


def _open_book(path: Path, limits: InputLimits, *, read_only: bool = True) -> Any:
    """Open a workbook (values, not formulas), refusing a corrupt or too large file."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    source = path.name
    _check_file(path)
    _check_size(source, path.stat().st_size, limits)
    try:
        with zipfile.ZipFile(path) as archive:  # a workbook is a zip of XML files
            check_zip_size(archive, source, limits)
        return openpyxl.load_workbook(path, read_only=read_only, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise _refuse(
            source,
            f"ist als Excel-Arbeitsmappe nicht lesbar ({exc})",
            "speichern Sie sie erneut als .xlsx (Excel 2007 oder neuer) oder exportieren Sie "
            "sie als CSV",
        ) from None


def sheets(path: Path | str, *, limits: InputLimits | None = None) -> list[str]:
    """Return the names of the worksheets of an .xlsx file, in their order.

    Raises
    ------
    ImportRefused
        For a missing, empty, corrupt or too large workbook.
    """
    book = _open_book(Path(path), limits or InputLimits.from_env())
    try:
        return [str(n) for n in book.sheetnames]
    finally:
        book.close()


_MERGES_MAX_BYTES = 10 * 1024 * 1024  # read merged ranges (a full load) up to this size


def _merged_ranges(path: Path, sheet: str, limits: InputLimits) -> list[Merged] | None:
    """Return the merged ranges of a sheet (None when the file is too large to load fully)."""
    if path.stat().st_size > _MERGES_MAX_BYTES:
        return None
    book = _open_book(path, limits, read_only=False)
    try:
        ranges = book[sheet].merged_cells.ranges
        return [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ranges]
    finally:
        book.close()


def read_xlsx(
    path: Path | str,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    limits: InputLimits | None = None,
) -> Table:
    """Read the first (or the named) worksheet of an .xlsx file, indexed by sheet row.

    Cells keep their type: text stays text (ids with leading zeros survive), numbers
    stay numbers. Title rows, a header over several rows (merged cells spread over
    the columns they span) and footnotes are found by
    :func:`geo.layout.detect_layout`; ``header_row`` names the sheet row of the
    (last) header row where that is not sure.

    Raises
    ------
    ImportRefused
        For an empty or corrupt workbook, an unknown sheet, a sheet without rows,
        or a header that is not sure to find (the fix names ``--header-row``).
    """
    path = Path(path)
    source = path.name
    limits = limits or InputLimits.from_env()
    book = _open_book(path, limits)
    try:
        names = book.sheetnames
        if sheet is not None and sheet not in names:
            raise _refuse(
                source,
                f"hat kein Tabellenblatt {sheet!r}; ihre Blätter sind: {', '.join(names)}",
                "geben Sie mit --sheet einen dieser Namen an",
            )
        ws = book[sheet] if sheet is not None else book[names[0]]
        title = ws.title
        records: list[tuple[int, list[Any]]] = [
            (number, ["" if v is None else v for v in values])
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1)
        ]
    finally:
        book.close()
    if not any(str(c).strip() for _, cells in records for c in cells):
        raise _refuse(
            source,
            f"das Tabellenblatt „{title}“ ist leer",
            "wählen Sie mit --sheet das Blatt mit der Tabelle",
        )
    layout = detect_layout(records, source=source, unit="row", header_row=header_row)
    if len(layout.header_rows) > 1:
        merged = _merged_ranges(path, title, limits)
        if merged:
            layout = detect_layout(
                records, source=source, unit="row", header_row=header_row, merged=merged
            )
    report = ImportReport(source, unit="row")
    header = list(layout.header)
    columns = list(layout.columns)
    if layout.plain:
        while header and not header[-1]:
            header.pop()
        columns = columns[: len(header)]
    width = max(columns, default=-1) + 1
    rows: list[list[Any]] = []
    numbers: list[int] = []
    for pos in layout.data:
        number, cells = records[pos]
        if any(str(c).strip() for c in cells[width:]):
            report.add(
                "hat Werte rechts der letzten benannten Spalte",
                row=number,
                fix="geben Sie diesen Spalten in der Kopfzeile einen Namen",
            )
            continue
        cells = cells + [""] * (width - len(cells))
        rows.append([cells[j] for j in columns])
        numbers.append(number)
    _check_header(header, report)
    if not rows and report.ok:
        report.add(
            f"das Tabellenblatt „{title}“ hat eine Kopfzeile, aber keine Datenzeilen",
            fix="füllen Sie die Zeilen aus oder wählen Sie mit --sheet ein anderes Blatt",
        )
    report.raise_if_problems()
    frame = pd.DataFrame(rows, columns=header, index=pd.Index(numbers, name="row"), dtype=object)
    notes = (
        [f"{source}: Tabellenblatt „{title}“ gelesen (eines von {len(names)}; andere mit --sheet)"]
        if len(names) > 1
        else []
    )
    return Table(
        frame,
        source,
        "row",
        details={"sheet": title} | _layout_details(layout),
        notes=notes + _layout_notes(layout, source),
    )


def read_table(
    path: Path | str,
    *,
    sheet: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    header_row: int | None = None,
    limits: InputLimits | None = None,
) -> Table:
    """Read a CSV or XLSX file (by its suffix) with :func:`read_csv` / :func:`read_xlsx`.

    ``header_row`` is the row (line) number of the last header row, for tables whose
    layout (title rows, header over several rows) is not sure to detect.

    Raises
    ------
    ImportRefused
        For an unsupported suffix or an unreadable file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, sheet=sheet, header_row=header_row, limits=limits)
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(
            path, delimiter=delimiter, encoding=encoding, header_row=header_row, limits=limits
        )
    if suffix == ".xls":
        raise _refuse(
            path.name,
            "ist eine alte Excel-97-2003-Arbeitsmappe (.xls)",
            "speichern Sie sie als .xlsx oder CSV und importieren Sie diese",
        )
    raise _refuse(
        path.name,
        f"eine Tabelle muss .csv oder .xlsx sein, nicht {suffix or 'ohne Endung'!r}",
        "exportieren Sie die Tabelle als CSV oder XLSX",
    )


# --- databases --------------------------------------------------------------------

_CURSOR = "qmon_import"
_FETCH_ROWS = 10_000
_SQL_FIX = (
    "geben Sie mit --sql genau eine SELECT-Abfrage an (ohne COMMIT, ohne zweite Anweisung, "
    "ohne INSERT/UPDATE/DELETE/COPY); zum Ändern der Quelldatenbank ist der Import nicht da"
)


def _one_query(query: str, source: str) -> str:
    """Return the query without one trailing semicolon, refusing an empty one."""
    text = query.strip()
    if text.endswith(";"):
        text = text[:-1].rstrip()
    if not text:
        raise _refuse(source, "die Abfrage (--sql) ist leer", _SQL_FIX)
    if "\x00" in text:
        raise _refuse(source, "die Abfrage (--sql) enthält ein NUL-Zeichen", _SQL_FIX)
    return text


def _sql_refusal(source: str, exc: Exception, *, timeout_s: float) -> ImportRefused:
    """Turn a server error of the import query into a German refusal."""
    state = getattr(exc, "sqlstate", None)
    said = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if state == "57014":
        return _refuse(
            source,
            f"die Abfrage lief länger als {f'{timeout_s:g}'.replace('.', ',')} s und wurde "
            f"abgebrochen (Server: {said})",
            "schränken Sie die Abfrage ein (WHERE, weniger Spalten) oder erhöhen Sie das "
            "Zeitlimit mit der Umgebungsvariablen QMON_SQL_TIMEOUT_S",
        )
    if state == "25006":
        return _refuse(
            source,
            f"die Abfrage versucht zu schreiben; der Import liest nur (Server: {said})",
            _SQL_FIX,
        )
    if state in ("42601", "0A000", "34000", "42P03"):
        return _refuse(
            source,
            f"die Abfrage ist nicht genau eine SELECT-Abfrage (Server: {said})",
            _SQL_FIX,
        )
    return _refuse(
        source,
        f"die Abfrage ist fehlgeschlagen (Server: {said})",
        "korrigieren Sie die mit --sql übergebene SELECT-Abfrage",
    )


def read_sql(query: str, *, dsn: str, limits: InputLimits | None = None) -> Table:
    """Run one SELECT on a PostgreSQL database, read-only; rows are numbered from 1.

    The query cannot write or end its transaction: the session starts with
    ``default_transaction_read_only=on`` and a ``statement_timeout``, the query runs in
    ``BEGIN READ ONLY`` as the body of a server-side cursor (``DECLARE … CURSOR FOR``,
    which takes only a SELECT or VALUES), sent with the extended protocol (a prepared
    statement, so a second statement behind a ``;`` is a server error), and the
    transaction is rolled back at the end. One trailing ``;`` is allowed. The DSN
    should still name a role that may only read.

    Raises
    ------
    ImportRefused
        When the database cannot be reached, the query is not exactly one SELECT,
        tries to write, runs longer than the limit (``QMON_SQL_TIMEOUT_S``), fails,
        or returns no rows; the message is German and passes the server's words on.
    """
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    limits = limits or InputLimits.from_env()
    source = f"Abfrage auf {_safe_dsn(dsn)}"
    body = _one_query(query, source)
    timeout_ms = max(1, round(limits.sql_timeout_s * 1000))
    options = f"-c default_transaction_read_only=on -c statement_timeout={timeout_ms}"
    rows: list[tuple[Any, ...]] = []
    columns: list[str] = []
    try:
        params = conninfo_to_dict(dsn)
        # ours come last, so a DSN's own options (search_path, …) cannot switch them off
        params["options"] = f"{params.get('options') or ''} {options}".strip()
        params.setdefault("connect_timeout", 10)
        conn = psycopg.connect(make_conninfo("", **params), autocommit=True)
    except psycopg.Error as exc:
        raise _refuse(
            source,
            f"keine Verbindung zur Datenbank: {str(exc).strip()}",
            "prüfen Sie --dsn (Rechner, Port, Datenbank, Benutzer)",
        ) from None
    try:
        with conn.cursor() as cur:
            cur.execute("BEGIN READ ONLY", prepare=False)
            cur.execute(f"DECLARE {_CURSOR} NO SCROLL CURSOR FOR {body}".encode(), prepare=True)
            fetch = f"FETCH FORWARD {_FETCH_ROWS} FROM {_CURSOR}"
            while True:
                cur.execute(fetch, prepare=True)
                if cur.description is not None and not columns:
                    columns = [d.name for d in cur.description]
                chunk = cur.fetchall()
                rows.extend(chunk)
                if len(chunk) < _FETCH_ROWS:
                    break
    except psycopg.Error as exc:
        raise _sql_refusal(source, exc, timeout_s=limits.sql_timeout_s) from None
    finally:
        with contextlib.suppress(psycopg.Error):
            conn.execute("ROLLBACK")
        conn.close()
    if not rows:
        raise _refuse(
            source, "die Abfrage liefert keine Zeilen", "prüfen Sie die WHERE-Bedingung der Abfrage"
        )
    frame = pd.DataFrame(
        [tuple(_not_a_gap(v) for v in row) for row in rows],
        columns=columns,
        index=pd.RangeIndex(1, len(rows) + 1, name="row"),
        dtype=object,
    )
    return Table(frame, source, "row")


def _not_a_gap(value: Any) -> Any:
    """Return a float NaN or infinity of the database as text, so it is refused, not empty.

    A database's ``'NaN'::float8`` is a value somebody computed (0/0), not a NULL;
    in a frame a float NaN would read as an empty cell.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _safe_dsn(dsn: str) -> str:
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", dsn)


# --- vector files ------------------------------------------------------------------


def read_vector(
    path: Path | str, *, layer: str | None = None, limits: InputLimits | None = None
) -> Table:
    """Read a vector file (Shapefile, also zipped; GeoPackage; GeoJSON) with its CRS.

    The frame is a GeoDataFrame indexed by feature number (from 1); ``Table.crs`` is
    the CRS the file declares (None when, e.g., the .prj file is missing). Before
    anything is read, the file's size (a zip's: the sum of its members as the zip
    directory declares them, and their compression ratio) is checked against
    ``limits`` (default: :meth:`InputLimits.from_env`), and a Shapefile's parts
    (.shp, .shx, .dbf) must agree on the number of records.

    Raises
    ------
    ImportRefused
        For a missing, empty, truncated, corrupt or too large file, a zip without a
        dataset, a Shapefile whose parts disagree, a GeoPackage with several layers
        and no ``layer``, or no features.
    """
    path = Path(path)
    source = path.name
    limits = limits or InputLimits.from_env()
    _check_file(path)
    target = str(path)
    if path.suffix.lower() == ".zip":
        target, source = _zip_member(path, layer=layer, limits=limits)
        layer = None if target.lower().endswith(".shp") else layer
    elif path.suffix.lower() == ".shp":
        parts = _file_parts(path.parent, path.stem)
        total = sum(size for size, _ in parts.values())
        _check_size(source, total, limits, what="das Shapefile ist mit allen Teilen")
        _check_shapefile_parts(path.name, path.name, parts)
    else:
        _check_size(source, path.stat().st_size, limits)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            layers = pyogrio.list_layers(target)
        except pyogrio.errors.DataSourceError as exc:
            raise _refuse(
                source,
                f"ist als Vektordatei nicht lesbar ({_gdal(exc, caught)})",
                "prüfen Sie, ob die Datei vollständig ist und ein Shapefile, GeoPackage oder "
                "GeoJSON",
            ) from None
        names = [str(n) for n in layers[:, 0]]
        if layer is None and len(names) > 1:
            raise _refuse(
                source,
                f"enthält {len(names)} Layer: {', '.join(names)}",
                "geben Sie mit --layer den zu importierenden an",
            )
        if layer is not None and layer not in names and target.lower().endswith(".gpkg"):
            raise _refuse(
                source,
                f"hat keinen Layer {layer!r}; ihre Layer sind: {', '.join(names)}",
                "geben Sie mit --layer einen dieser Namen an",
            )
        try:
            frame = gpd.read_file(target, layer=layer if layer in names else None)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            raise _refuse(
                source,
                f"ist nicht lesbar ({_gdal(exc, caught)})",
                "exportieren Sie die Datei erneut; sie ist vielleicht abgeschnitten oder "
                "beschädigt",
            ) from None
    notes = [_reader_note(source, str(w.message)) for w in caught]
    if not len(frame):
        raise _refuse(
            source, "enthält keine Objekte", "exportieren Sie den Layer mit seinen Objekten"
        )
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="feature")
    crs = CRS.from_user_input(frame.crs) if frame.crs is not None else None
    return Table(frame, source, "feature", crs=crs, details={"layer": layer}, notes=notes)


_MEASURED = re.compile(r"Original type '([^']+)' is converted to '([^']+)'")


def _reader_note(source: str, said: str) -> str:
    """Return GDAL's warning as a note; the dropped M values in German."""
    measured = _MEASURED.search(said)
    if "Measured (M)" in said and measured:
        return (
            f"{source}: M-Werte (Messwerte) entfernt: die Datei hat den Geometrietyp "
            f"{measured.group(1)!r}; gespeichert werden nur x und y"
        )
    return f"{source}: {said}"


def _gdal(exc: Exception, caught: Sequence[warnings.WarningMessage] = ()) -> str:
    said = [str(w.message) for w in caught]
    return "; ".join([str(exc).split(";")[0].strip(), *said])


def _megabytes(size: float) -> str:
    return format_number(size / (1024 * 1024), GERMAN, decimals=1) + " MB"


def _check_size(source: str, size: int, limits: InputLimits, *, what: str = "") -> None:
    """Refuse input larger than the limit, naming its size, the limit and the setting."""
    if size <= limits.max_bytes:
        return
    raise _refuse(
        source,
        f"{what or 'die Datei ist'} {_megabytes(size)} groß; erlaubt sind höchstens "
        f"{_megabytes(limits.max_bytes)} (Einstellung QMON_MAX_UNPACKED_MB="
        f"{limits.max_unpacked_mb:g})",
        "teilen Sie die Daten auf mehrere Dateien auf, oder erhöhen Sie das Limit mit der "
        "Umgebungsvariablen QMON_MAX_UNPACKED_MB, wenn der Rechner genug Speicher hat",
    )


def check_zip_size(archive: zipfile.ZipFile, source: str, limits: InputLimits) -> None:
    """Refuse a zip whose members unpack to more than the limit, or pack suspiciously well.

    Only the zip directory is read (the sizes it declares), nothing is unpacked.
    Python's zipfile stops at the declared size, so a lying directory cannot make a
    later read use more.

    Raises
    ------
    ImportRefused
        When the sum of the members' sizes exceeds ``limits.max_bytes``, or the zip
        unpacks to more than ``limits.max_ratio`` times its packed size (and to more
        than 10 MB: small files may pack well).
    """
    infos = [i for i in archive.infolist() if not i.is_dir()]
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    _check_size(source, unpacked, limits, what="der Inhalt der zip-Datei ist entpackt")
    ratio = unpacked / max(packed, 1)
    if unpacked > 10 * 1024 * 1024 and ratio > limits.max_ratio:
        raise _refuse(
            source,
            f"die zip-Datei packt {_megabytes(packed)} zu {_megabytes(unpacked)} aus, "
            f"{format_number(ratio, GERMAN, decimals=0)}-fach; Geodaten werden höchstens "
            f"etwa 30-fach kleiner, erlaubt ist {limits.max_ratio:g}-fach "
            "(Einstellung QMON_MAX_ZIP_RATIO); das sieht nach einer Zip-Bombe aus",
            "entpacken und prüfen Sie die Datei, oder erhöhen Sie QMON_MAX_ZIP_RATIO, wenn "
            "Sie ihr vertrauen",
        )


def _zip_member(path: Path, *, layer: str | None, limits: InputLimits) -> tuple[str, str]:
    """Return the GDAL path of the dataset inside a zip and a display name."""
    try:
        with zipfile.ZipFile(path) as archive:
            check_zip_size(archive, path.name, limits)
            members = [m for m in archive.namelist() if not m.endswith("/")]
            bad = archive.testzip()
            if bad is not None:
                raise _refuse(
                    path.name,
                    f"die zip-Datei ist beschädigt (die Prüfsumme von {bad!r} stimmt nicht)",
                    "laden oder packen Sie die Daten erneut",
                )
            datasets = [
                m
                for m in members
                if m.lower().endswith(VECTOR_SUFFIXES) and not m.startswith("__MACOSX")
            ]
            if not datasets:
                raise _refuse(
                    path.name,
                    "die zip-Datei enthält keinen Datensatz (sie enthält: "
                    f"{', '.join(members) or 'nichts'})",
                    "packen Sie die .shp mit ihren .shx, .dbf und .prj, oder eine .gpkg/.geojson",
                )
            if len(datasets) > 1:
                stems = [Path(m).stem for m in datasets]
                matching = [m for m, s in zip(datasets, stems) if layer in (s, m)]
                if not matching:
                    raise _refuse(
                        path.name,
                        f"die zip-Datei enthält {len(datasets)} Datensätze: {', '.join(datasets)}",
                        "geben Sie mit --layer einen ihrer Namen an",
                    )
                datasets = matching
            member = datasets[0]
            if member.lower().endswith(".shp"):
                _check_shapefile_parts(
                    path.name + "/" + member, member, _zip_parts(archive, members)
                )
    except zipfile.BadZipFile:
        raise _refuse(
            path.name,
            "ist kein lesbares zip-Archiv (beschädigt oder abgeschnitten)",
            "laden oder packen Sie die Daten erneut",
        ) from None
    return f"/vsizip/{path}/{member}", f"{path.name}/{member}"


# a part of a dataset: its size and a function reading its first n bytes (None: all)
_Part = tuple[int, Callable[[int | None], bytes]]


def _zip_parts(archive: zipfile.ZipFile, members: Sequence[str]) -> dict[str, _Part]:
    def opener(name: str) -> Callable[[int | None], bytes]:
        def read(n: int | None) -> bytes:
            with archive.open(name) as handle:
                return handle.read() if n is None else handle.read(n)

        return read

    return {m.lower(): (archive.getinfo(m).file_size, opener(m)) for m in members}


def _file_parts(folder: Path, stem: str) -> dict[str, _Part]:
    def opener(part: Path) -> Callable[[int | None], bytes]:
        def read(n: int | None) -> bytes:
            with part.open("rb") as handle:
                return handle.read() if n is None else handle.read(n)

        return read

    return {
        p.name.lower(): (p.stat().st_size, opener(p))
        for p in folder.iterdir()
        if p.stem == stem and p.is_file()
    }


def _n(count: int) -> str:
    """Return a count with German thousands dots: ``_n(12345) == '12.345'``."""
    return f"{count:,}".replace(",", ".")


def _check_shapefile_parts(source: str, shp: str, parts: Mapping[str, _Part]) -> None:
    """Refuse a shapefile whose parts are missing, cut off or disagree with each other.

    The .shx index counts the geometries of the .shp ((size - 100) / 8 entries, each
    pointing into the .shp), the .dbf header counts the attribute records and gives
    their length. All three must agree; GDAL would otherwise read as many features as
    the shortest part has, or fill the rest with empty values, without a word.
    """
    stem = shp[:-4]
    name = Path(stem).name

    def part(ext: str) -> _Part | None:
        return parts.get((stem + ext).lower()) or parts.get((name + ext).lower())

    problems = [
        Problem(
            source,
            f"die {ext}-Datei, die zur .shp-Datei gehört, fehlt",
            f"kopieren Sie {name}{ext} neben die .shp-Datei (ein Shapefile besteht aus "
            "mehreren Dateien)",
        )
        for ext in (".shx", ".dbf")
        if part(ext) is None
    ]
    again = "exportieren oder kopieren Sie das Shapefile erneut (alle Teile zusammen)"
    shp_part = part(".shp")
    assert shp_part is not None
    shp_size, shp_read = shp_part
    head = shp_read(100)
    if len(head) < 100:
        problems.append(
            Problem(
                source,
                f"die .shp-Datei ist abgeschnitten ({len(head)} Bytes, kürzer als ihr "
                "100-Byte-Kopf)",
                again,
            )
        )
        raise ImportRefused(source, problems)
    (declared,) = struct.unpack(">i", head[24:28])
    if declared * 2 > shp_size:
        problems.append(
            Problem(
                source,
                f"die .shp-Datei ist abgeschnitten: ihr Kopf nennt {_n(declared * 2)} Bytes, "
                f"die Datei hat {_n(shp_size)}",
                again,
            )
        )
    shx_part, dbf_part = part(".shx"), part(".dbf")
    shapes = None
    if shx_part is not None:
        shapes = _shx_count(source, shx_part, min(declared * 2, shp_size), problems, again)
    if dbf_part is not None:
        records = _dbf_count(source, dbf_part, problems, again)
        if shapes is not None and records is not None and shapes != records:
            problems.append(
                Problem(
                    source,
                    f"die Teile des Shapefiles passen nicht zusammen: die .shp/.shx-Datei "
                    f"enthält {_n(shapes)} Geometrien, die .dbf-Datei {_n(records)} "
                    "Datensätze (Attribute); es würden Objekte ohne Attribute oder "
                    "Attribute ohne Geometrie gelesen",
                    again,
                )
            )
    if problems:
        raise ImportRefused(source, problems)


def _shx_count(
    source: str, shx: _Part, shp_end: int, problems: list[Problem], fix: str
) -> int | None:
    """Return the number of geometries the .shx indexes; record where it is broken."""
    size, read = shx
    if size < 100 or (size - 100) % 8:
        problems.append(
            Problem(
                source,
                f"die .shx-Datei ist beschädigt: {_n(size)} Bytes sind kein 100-Byte-Kopf mit "
                "ganzen 8-Byte-Einträgen",
                fix,
            )
        )
        return None
    data = read(None)
    entries = np.frombuffer(data[100:size], dtype=">i4").reshape(-1, 2).astype(np.int64)
    count = len(entries)
    if count:
        ends = (entries[:, 0] + 4 + entries[:, 1]) * 2
        beyond = np.flatnonzero(ends > shp_end)
        if beyond.size:
            problems.append(
                Problem(
                    source,
                    f"die .shx-Datei verzeichnet {_n(count)} Geometrien, aber "
                    f"{_n(beyond.size)} davon {'liegt' if beyond.size == 1 else 'liegen'} "
                    "hinter dem Ende der .shp-Datei "
                    f"({_n(shp_end)} Bytes), ab Geometrie {_n(int(beyond[0]) + 1)}; die "
                    ".shp-Datei ist abgeschnitten oder gehört nicht zur .shx-Datei",
                    fix,
                )
            )
    return count


def _dbf_count(source: str, dbf: _Part, problems: list[Problem], fix: str) -> int | None:
    """Return the number of records the .dbf header declares; record where it is broken."""
    size, read = dbf
    head = read(32)
    if len(head) < 32:
        problems.append(
            Problem(
                source,
                f"die .dbf-Datei ist abgeschnitten ({len(head)} Bytes, kürzer als ihr "
                "32-Byte-Kopf)",
                fix,
            )
        )
        return None
    records, header_len, record_len = struct.unpack("<IHH", head[4:12])
    expected = header_len + records * record_len
    room = (size - header_len) // record_len if record_len and size >= header_len else 0
    if size < expected:
        problems.append(
            Problem(
                source,
                f"die .dbf-Datei ist abgeschnitten: ihr Kopf nennt {_n(records)} Datensätze "
                f"({_n(expected)} Bytes), die Datei hat {_n(size)} Bytes (Platz für "
                f"{_n(room)} Datensätze)",
                fix,
            )
        )
    elif size > expected + 1 and room > records:  # one byte more is the end marker 0x1A
        problems.append(
            Problem(
                source,
                f"die .dbf-Datei enthält {_n(room)} Datensätze, ihr Kopf nennt nur {_n(records)}",
                fix,
            )
        )
    return records


def is_vector_path(path: Path | str) -> bool:
    """Return True when the file's suffix is a vector format (or a zip).

    Examples
    --------
    >>> is_vector_path("Stadtteile.zip"), is_vector_path("werte.csv")
    (True, False)
    """
    suffix = Path(path).suffix.lower()
    return suffix in VECTOR_SUFFIXES or suffix == ".zip"
