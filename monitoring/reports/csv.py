"""The report as CSV files for machine upload: one file per part.

The field list and file layout of the federal upload (eMo) are not public in our
sources (../shared/DOMAIN.md §4), so the format is defined here, made for a machine
to read without guessing:

- encoding UTF-8 with byte-order mark (so a German spreadsheet program reads the
  umlauts; the project's own readers take it too); lines end with CRLF (RFC 4180);
- separator ``;`` (the German spreadsheet default; labels contain commas); fields are
  quoted with ``"`` only where needed;
- one header line, then one line per report field, in report order, with the columns
  :data:`COLUMNS`;
- ``wert`` is a number as a German spreadsheet reads it: a decimal comma, no
  thousands separator (``1234,5``), whole numbers without decimals, text as it is;
  a missing value is empty and ``grund``
  says why (``unterdrückt``, ``nicht gemeldet`` or ``entfällt``); ``grund`` is empty
  when there is a value; there is never a 0 standing for a missing value;
- a text that a spreadsheet program would read as a formula (starting with ``=``,
  ``+``, ``-``, ``@``, tab or CR) gets a leading ``'`` (OWASP's guidance on CSV
  injection, :func:`monitoring.reports.cells.csv_field`); numbers, negative ones too,
  are written as numbers;
- ``feld`` is the field number in the catalogue's numbering (``B.1.2``; the cells of a
  table line share it, ``spalte`` tells them apart); ``schluessel`` is the stable
  machine key of the field (e.g. ``B.1.land.approved``); ``zeile`` and ``spalte``
  repeat the headings of a table layout.

File names: ``<Kennung>_<Berichtsjahr>_teil_<Teil>.csv`` (e.g. ``SSZ-01_2024_teil_B.csv``).
"""

from __future__ import annotations

import csv
import io

from monitoring.reports.cells import csv_field
from monitoring.reports.report import Part, Report, Row

COLUMNS: tuple[str, ...] = (
    "ags",
    "gesamtmassnahme",
    "berichtsjahr",
    "teil",
    "abschnitt",
    "feld",
    "schluessel",
    "bezeichnung",
    "zeile",
    "spalte",
    "wert",
    "einheit",
    "grund",
)
DELIMITER = ";"
BOM = "\ufeff"
WERT = COLUMNS.index("wert")


def machine_value(row: Row) -> str:
    """Return a value as spreadsheet text (decimal comma, no grouping; empty when missing).

    Examples
    --------
    >>> machine_value(Row("x", "", 1234.5, "€")), machine_value(Row("x", "", 12.0, ""))
    ('1234,5', '12')
    >>> machine_value(Row("x", "", -0.125, "%"))
    '-0,125'
    >>> machine_value(Row("x", "", None, "", reason="entfällt"))
    ''
    """
    value = row.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return (repr(value) if isinstance(value, float) else str(value)).replace(".", ",")


def part_file_name(report: Report, part: Part) -> str:
    """The file name of a part's CSV.

    Examples
    --------
    >>> rep = Report("SSZ-01", "x", None, None, 2024, "", "", "", "", {}, ())
    >>> part_file_name(rep, Part("B", "B", ()))
    'SSZ-01_2024_teil_B.csv'
    """
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in report.area_id)
    return f"{safe}_{report.year}_teil_{part.key}.csv"


def part_csv(report: Report, part: Part) -> bytes:
    """Return one part as CSV bytes in the format described in the module docstring."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for section in part.sections:
        for row in section.rows:
            value = machine_value(row)
            fields = (
                report.ags or "",
                report.area_id,
                report.year,
                part.key,
                section.code,
                row.shown_number,
                row.field,
                row.label,
                row.line,
                row.column,
                csv_field(value) if isinstance(row.value, str) else value,
                row.unit,
                row.reason or "",
            )
            writer.writerow([f if i == WERT else csv_field(f) for i, f in enumerate(fields)])
    return out.getvalue().encode("utf-8")


def csv_files(report: Report) -> dict[str, bytes]:
    """Return ``{file name: CSV bytes}``, one file per part of the report."""
    return {part_file_name(report, p): part_csv(report, p) for p in report.parts}
