"""How a report looks on paper and in a sheet: grids of sections, German number text.

Shared by the workbook and the PDF so both show the same lines, columns and values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from geo import german
from monitoring.reports.report import Report, Row, Section

LIST_HEADERS: tuple[str, ...] = ("Feld", "Bezeichnung", "Wert", "Einheit")
"""Column headings of a list section."""


@dataclass(frozen=True)
class Grid:
    """A section laid out as lines × columns; ``cells[i][j]`` is None where no row exists."""

    line_header: str
    lines: tuple[str, ...]
    codes: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[Row | None, ...], ...]


def grid(section: Section, *, line_header: str = "") -> Grid:
    """Lay out a section whose rows carry ``line`` and ``column`` headings.

    Lines and columns keep the order in which they first occur; a line's code is its
    field number (``B.1.2``), or for a report filed before there were numbers, the
    common prefix of its fields.

    Examples
    --------
    >>> rows = (Row("B.1.bund.planned", "", 1.0, "€", line="Bund", column="Geplant",
    ...             number="B.1.1"),
    ...         Row("B.1.bund.paid", "", 0.5, "€", line="Bund", column="Ausgezahlt",
    ...             number="B.1.1"),
    ...         Row("B.1.land.planned", "", 2.0, "€", line="Land", column="Geplant",
    ...             number="B.1.2"))
    >>> g = grid(Section("B.1", "Mittel", rows))
    >>> g.lines, g.columns, g.codes
    (('Bund', 'Land'), ('Geplant', 'Ausgezahlt'), ('B.1.1', 'B.1.2'))
    >>> g.cells[1][1] is None
    True
    """
    lines = tuple(dict.fromkeys(r.line for r in section.rows))
    columns = tuple(dict.fromkeys(r.column for r in section.rows))
    at = {(r.line, r.column): r for r in section.rows}
    codes = tuple(_line_code([r for r in section.rows if r.line == line]) for line in lines)
    cells = tuple(tuple(at.get((line, c)) for c in columns) for line in lines)
    return Grid(line_header, lines, codes, columns, cells)


def _line_code(rows: Sequence[Row]) -> str:
    """The field number of a line of a grid (the key prefix for payloads without numbers)."""
    numbers = {r.number for r in rows if r.number}
    if len(numbers) == 1:
        return numbers.pop()
    return _prefix([r.field for r in rows])


def _prefix(fields: Sequence[str]) -> str:
    """The longest common dotted prefix of field codes."""
    parts = [f.split(".") for f in fields]
    out: list[str] = []
    for pieces in zip(*parts):
        if len(set(pieces)) != 1:
            break
        out.append(pieces[0])
    if len(parts) == 1 and len(out) > 1:
        out = out[:-1]
    return ".".join(out)


def value_text(row: Row, *, unit: bool = False) -> str:
    """Return the value of a row as German text (the reason in brackets when missing).

    Years are printed without a thousands separator; numbers by :mod:`geo.german`
    (commercial rounding, a no-break space before the unit).

    Examples
    --------
    >>> value_text(Row("x", "", 1234.5, "€", decimals=2), unit=True)
    '1.234,50\xa0€'
    >>> value_text(Row("x", "", 14619100, "Anzahl"))
    '14.619.100'
    >>> value_text(Row("x", "", 2024, "Jahr"))
    '2024'
    >>> value_text(Row("x", "", None, "%", reason="unterdrückt"))
    '(unterdrückt)'
    """
    if row.value is None:
        return f"({row.reason})"
    if isinstance(row.value, str):
        return row.value
    if row.unit == "Jahr":
        return str(int(row.value))
    return german.number(
        row.value, decimals=row.decimals, unit=row.unit if unit and row.unit != "Anzahl" else ""
    )


EXCEL_UNITS: tuple[str, ...] = ("€", "%", "ha", "m²", "m")
"""Units written into the Excel number format (the cell keeps the number)."""


def number_format(row: Row) -> str:
    """Return the Excel number format of a row's value.

    The format is written in Excel's neutral notation (``,`` groups, ``.`` decimals);
    Excel shows it with the separators of the reader's locale, so a German Excel
    reads ``1.234,50 €``. The unit is a quoted literal, so the cell stays a number
    (``%`` too: the values are percent points, not fractions).

    Examples
    --------
    >>> number_format(Row("x", "", 1.5, "%", decimals=1)), number_format(Row("x", "", 2024, "Jahr"))
    ('#,##0.0" %"', '0')
    >>> number_format(Row("x", "", 1.5, "€", decimals=2)), number_format(Row("x", "", 3, "Anzahl"))
    ('#,##0.00" €"', '#,##0')
    """
    if row.unit == "Jahr":
        return "0"
    base = "#,##0" + ("." + "0" * row.decimals if row.decimals else "")
    return f'{base}" {row.unit}"' if row.unit in EXCEL_UNITS else base


def column_unit(rows: Sequence[Row | None]) -> str:
    """Return the unit shared by all rows of a grid column, or '' when they differ."""
    units = {r.unit for r in rows if r is not None}
    return units.pop() if len(units) == 1 else ""


def generated_text(report: Report) -> str:
    """When the report was made, the German way (``26.11.2026, 08:36 Uhr``).

    Examples
    --------
    >>> rep = Report("FA", "x", None, None, 2024, "", "", "2026-11-26 08:36", "", {}, ())
    >>> generated_text(rep)
    '26.11.2026, 08:36 Uhr'
    """
    return german.timestamp(report.generated_at)


def subtitle(report: Report) -> str:
    """The line naming the Gesamtmaßnahme and the year, shown on every page and sheet."""
    ags = f", AGS {report.ags}" if report.ags else ""
    return f"{report.area_name} ({report.area_id}{ags}) – Berichtsjahr {report.year}"


def blocks(sections: Sequence[Section]) -> tuple[Section, ...]:
    """Merge runs of one-field list sections into one untitled list (e.g. part A's facts).

    Examples
    --------
    >>> one = [Section(f"A.{i}", f"x{i}", (Row(f"A.{i}", f"x{i}", i),)) for i in (1, 2)]
    >>> big = Section("B.1", "Mittel", (Row("B.1.a", "a", 1), Row("B.1.b", "b", 2)))
    >>> [(b.code, b.title, len(b.rows)) for b in blocks([*one, big])]
    [('A.1', '', 2), ('B.1', 'Mittel', 2)]
    """
    out: list[Section] = []
    run: list[Row] = []
    first = ""
    for section in sections:
        if len(section.rows) == 1 and not section.is_grid and not section.note:
            first = first or section.code
            run.append(section.rows[0])
            continue
        if run:
            out.append(Section(first, "", tuple(run)))
            run, first = [], ""
        out.append(section)
    if run:
        out.append(Section(first, "", tuple(run)))
    return tuple(out)
