"""How a report looks on paper and in a sheet: grids of sections, German number text.

Shared by the workbook and the PDF so both show the same lines, columns and values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from monitoring.numbers import german_number
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

    Lines and columns keep the order in which they first occur; a line's code is the
    common prefix of its fields.

    Examples
    --------
    >>> rows = (Row("B.1.bund.planned", "", 1.0, "€", line="Bund", column="Geplant"),
    ...         Row("B.1.bund.paid", "", 0.5, "€", line="Bund", column="Ausgezahlt"),
    ...         Row("B.1.land.planned", "", 2.0, "€", line="Land", column="Geplant"))
    >>> g = grid(Section("B.1", "Mittel", rows))
    >>> g.lines, g.columns, g.codes
    (('Bund', 'Land'), ('Geplant', 'Ausgezahlt'), ('B.1.bund', 'B.1.land'))
    >>> g.cells[1][1] is None
    True
    """
    lines = tuple(dict.fromkeys(r.line for r in section.rows))
    columns = tuple(dict.fromkeys(r.column for r in section.rows))
    at = {(r.line, r.column): r for r in section.rows}
    codes = tuple(_prefix([r.field for r in section.rows if r.line == line]) for line in lines)
    cells = tuple(tuple(at.get((line, c)) for c in columns) for line in lines)
    return Grid(line_header, lines, codes, columns, cells)


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

    Years are printed without a thousands separator.

    Examples
    --------
    >>> value_text(Row("x", "", 1234.5, "€", decimals=2), unit=True)
    '1.234,50 €'
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
    text = german_number(row.value, decimals=row.decimals)
    return f"{text} {row.unit}" if unit and row.unit else text


def number_format(row: Row) -> str:
    """Return the Excel number format of a row's value.

    Examples
    --------
    >>> number_format(Row("x", "", 1.5, "%", decimals=1)), number_format(Row("x", "", 2024, "Jahr"))
    ('#,##0.0', '0')
    """
    if row.unit == "Jahr":
        return "0"
    return "#,##0" + ("." + "0" * row.decimals if row.decimals else "")


def column_unit(rows: Sequence[Row | None]) -> str:
    """Return the unit shared by all rows of a grid column, or '' when they differ."""
    units = {r.unit for r in rows if r is not None}
    return units.pop() if len(units) == 1 else ""


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
