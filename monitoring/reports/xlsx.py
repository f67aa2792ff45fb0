"""The report as an Excel workbook: a cover sheet and one sheet per part.

Each part sheet has the part title, the Gesamtmaßnahme and year on top (frozen, so
they stay in view), then its sections: a list (Feld, Bezeichnung, Wert, Einheit,
Hinweis) or a grid (lines × columns). Numbers are stored as numbers with a number
format; a missing value is the text of its reason in grey italics, never 0.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from monitoring.reports.cells import put
from monitoring.reports.layout import (
    LIST_HEADERS,
    blocks,
    column_unit,
    generated_text,
    grid,
    number_format,
    subtitle,
    value_text,
)
from monitoring.reports.report import REASON_NOTES, Part, Report, Row, Section
from monitoring.reports.sender import sender_lines

TITLE = Font(bold=True, size=14)
SUB = Font(size=10, color="444444")
HEAD = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="3A5A78")
SECTION = Font(bold=True, size=11)
SECTION_FILL = PatternFill("solid", fgColor="DCE6F0")
NOTE = Font(italic=True, size=9, color="555555")
MISSING = Font(italic=True, color="808080")
THIN = Side(style="thin", color="B0B0B0")
BOX = Border(bottom=THIN)
MAX_WIDTH = 70
TOP_ROWS = 3  # title, subtitle, blank: frozen on every part sheet


def workbook_bytes(report: Report) -> bytes:
    """Render the report as an .xlsx file.

    Returns
    -------
    bytes
        The workbook: sheet ``Deckblatt`` and one sheet per part (``Teil A`` …,
        ``Begleitinformationen``).
    """
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Deckblatt"
    _cover(cover, report)
    for part in report.parts:
        sheet = book.create_sheet(sheet_name(part))
        _part(sheet, report, part)
    book.properties.title = f"Monitoringbericht {report.area_id} {report.year}"
    book.properties.creator = "Quartiersmonitor"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_name(part: Part) -> str:
    """The sheet name of a part (at most 31 characters).

    Examples
    --------
    >>> sheet_name(Part("A", "A  Allgemeine Angaben", ())), sheet_name(Part("BI", "x", ()))
    ('Teil A', 'Begleitinformationen')
    """
    return "Begleitinformationen" if part.key == "BI" else f"Teil {part.key}"


def _cover(sheet: Worksheet, report: Report) -> None:
    put(sheet, 1, 1, "Jährlicher Monitoringbericht Städtebauförderung").font = TITLE
    put(sheet, 2, 1, subtitle(report)).font = SUB
    row = 4
    put(sheet, row, 1, "Absender").font = SECTION
    row += 1
    lines = sender_lines(report.sender) or [
        ("nicht hinterlegt", "Seite Berichte oder qmon report sender set")
    ]
    for label, text in lines:
        put(sheet, row, 1, label).font = Font(bold=True)
        put(sheet, row, 2, text)
        row += 1
    row += 1
    for warning in report.warnings:
        put(sheet, row, 1, "Achtung").font = Font(bold=True, color="9C4A00")
        put(sheet, row, 2, warning).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    if report.warnings:
        row += 1
    facts: list[tuple[str, Any]] = [
        ("Gesamtmaßnahme", report.area_name),
        ("Kennung", report.area_id),
        ("Gemeindeschlüssel (AGS)", report.ags or "(nicht gemeldet)"),
        ("Förderprogramm", report.programme or "(nicht gemeldet)"),
        ("Berichtsjahr", report.year),
        ("Feldkatalog", f"{report.catalogue} (Fassung {report.catalogue_version})"),
        ("erstellt am", generated_text(report)),
        ("Fingerabdruck der Eingangsdaten (SHA-256)", report.fingerprint),
    ]
    if report.catalogue_note:
        facts.insert(-2, ("Hinweis zum Feldkatalog", report.catalogue_note))
    for label, value in facts:
        put(sheet, row, 1, label).font = Font(bold=True)
        put(sheet, row, 2, value)
        if label == "Berichtsjahr":
            sheet.cell(row, 2).number_format = "0"
            sheet.cell(row, 2).alignment = Alignment(horizontal="left")
        if label == "Hinweis zum Feldkatalog":
            sheet.cell(row, 2).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    row += 1
    put(sheet, row, 1, "Fehlende Werte").font = SECTION
    row += 1
    for reason, text in REASON_NOTES.items():
        put(sheet, row, 1, reason).font = MISSING
        put(sheet, row, 2, text)
        row += 1
    row += 1
    put(sheet, row, 1, "Hinweise").font = SECTION
    row += 1
    for note in report.notes:
        put(sheet, row, 1, "•")
        put(sheet, row, 2, note).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    sheet.column_dimensions["A"].width = 42
    sheet.column_dimensions["B"].width = 90


def _part(sheet: Worksheet, report: Report, part: Part) -> None:
    put(sheet, 1, 1, part.title).font = TITLE
    put(sheet, 2, 1, subtitle(report)).font = SUB
    sheet.freeze_panes = f"A{TOP_ROWS + 1}"
    widths: dict[int, int] = {}
    row = TOP_ROWS + 1
    for section in blocks(part.sections):
        row = _section(sheet, section, row, widths) + 1
    for col, width in widths.items():
        sheet.column_dimensions[get_column_letter(col)].width = min(MAX_WIDTH, max(8, width + 2))
    sheet.sheet_view.showGridLines = False
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"1:{TOP_ROWS}"


def _fit(widths: dict[int, int], col: int, text: Any) -> None:
    widths[col] = max(widths.get(col, 0), len(str(text)))


def _section(sheet: Worksheet, section: Section, row: int, widths: dict[int, int]) -> int:
    """Write one section from ``row``; return the next free row."""
    if section.title:
        title = put(sheet, row, 1, f"{section.code}  {section.title}")
        title.font = SECTION
        span = 2 + (len(grid(section).columns) if section.is_grid else 2)
        for col in range(1, span + 1):
            sheet.cell(row, col).fill = SECTION_FILL
        row += 1
    if section.note:
        put(sheet, row, 1, section.note).font = NOTE
        row += 1
    if section.is_grid:
        return _grid(sheet, section, row, widths)
    headers = LIST_HEADERS
    _header(sheet, row, headers, widths)
    row += 1
    for r in section.rows:
        put(sheet, row, 1, r.shown_number)
        put(sheet, row, 2, r.label)
        _value(sheet, row, 3, r)
        put(sheet, row, 4, r.unit if r.value is not None and r.unit != "Jahr" else "")
        for col, text in ((1, r.shown_number), (2, r.label), (4, r.unit)):
            _fit(widths, col, text)
        _fit(widths, 3, _shown(r))
        row += 1
    return row


def _grid(sheet: Worksheet, section: Section, row: int, widths: dict[int, int]) -> int:
    g = grid(section)
    headers = ["Feld", section.line_header]
    for j, column in enumerate(g.columns):
        unit = column_unit([cells[j] for cells in g.cells])
        suffix = " (€)" if unit == "€" and "(" not in column else ""
        headers.append(f"{column}{suffix}")
    _header(sheet, row, headers, widths)
    row += 1
    for code, line, cells in zip(g.codes, g.lines, g.cells):
        put(sheet, row, 1, code)
        put(sheet, row, 2, line)
        _fit(widths, 1, code)
        _fit(widths, 2, line)
        bold = line == "Summe"
        for j, cell in enumerate(cells, start=3):
            if cell is not None:
                _value(sheet, row, j, cell)
                _fit(widths, j, _shown(cell))
            if bold:
                sheet.cell(row, j).font = Font(bold=True)
        if bold:
            sheet.cell(row, 2).font = Font(bold=True)
        row += 1
    return row


def _header(sheet: Worksheet, row: int, headers: Any, widths: dict[int, int]) -> None:
    for col, text in enumerate(headers, start=1):
        cell = put(sheet, row, col, text)
        cell.font = HEAD
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(horizontal="center" if col > 2 else "left")
        _fit(widths, col, text)


def _value(sheet: Worksheet, row: int, col: int, r: Row) -> None:
    if r.value is None:
        cell = put(sheet, row, col, r.reason)
        cell.font = MISSING
        cell.alignment = Alignment(horizontal="right")
        return
    cell = put(sheet, row, col, r.value)
    if not isinstance(r.value, str):
        cell.number_format = number_format(r)
    cell.border = BOX


def _shown(r: Row) -> str:
    if r.value is None:
        return str(r.reason)
    if isinstance(r.value, str):
        return r.value
    return value_text(r, unit=True)
