"""The Land's overview as a file: an Excel workbook, German CSV, and JSON for machines.

The workbook has one sheet per table of :class:`monitoring.federal.overview.Rollup`
(Stand der Meldungen, Gesamtmaßnahmen, verspätet, Abweichungen, nicht im Verzeichnis,
Summen by programme, Kreis, Land and in total), German headers, numbers as number
cells with a format; every text goes through :func:`monitoring.reports.cells.put`, so a
name like ``=HYPERLINK(…)`` stays text. The CSV is German like the report's
(:mod:`monitoring.reports.csv`): ``;``, decimal comma, UTF-8 with BOM, formula starts
escaped; ``summen`` holds the sums of all levels in one long table, ``meldungen`` one
line per Gesamtmaßnahme with its status.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from geo import german
from monitoring.federal.overview import Rollup
from monitoring.reports.cells import csv_field, put
from monitoring.reports.csv import BOM, DELIMITER

CsvTable = Literal["summen", "meldungen"]
CSV_TABLES: tuple[str, ...] = ("summen", "meldungen")
LEVEL_TITLES: Mapping[str, str] = {
    "programm": "Summen nach Programm",
    "kreis": "Summen nach Kreis",
    "land": "Summen nach Land",
    "gesamt": "Summen insgesamt",
}
HEAD = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="3A5A78")
TITLE = Font(bold=True, size=14)
EXCEL_UNITS = ("€", "m²", "m", "ha")


def title(rollup: Rollup) -> str:
    """The heading of the overview (year, filters)."""
    filters = rollup.filters.described()
    return f"Übersicht der Meldungen {rollup.year}" + (f" ({filters})" if filters else "")


def note(rollup: Rollup) -> str:
    """The assumptions behind the figures, in German."""
    return (
        f"Stand {german.date(rollup.today)}; Frist {german.date(rollup.deadline)} (Annahme: "
        f"30. Juni des Folgejahres, wenn keine andere angegeben ist); Abweichungen zum Vorjahr "
        f"über {german.number(rollup.threshold * 100)} %. Summiert sind nur Beträge, Anzahlen "
        "und Flächen der Teile B–D, keine Anteile (%)."
    )


def sheets(rollup: Rollup) -> dict[str, pd.DataFrame]:
    """The tables of the overview by sheet name, in order."""
    out = {
        "Stand der Meldungen": rollup.completeness,
        "Gesamtmaßnahmen": rollup.areas,
        "verspätet": rollup.late,
        "Abweichungen": rollup.differences,
        "nicht im Verzeichnis": rollup.unregistered,
    }
    for level, name in LEVEL_TITLES.items():
        out[name] = rollup.sums[level]
    return out


def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _number_format(column: str, unit: str) -> str | None:
    if column in ("Summe", "Vorjahr", "Berichtsjahr"):
        base = "#,##0.##"
        return f'{base}" {unit}"' if unit in EXCEL_UNITS else base
    if column == "Veränderung":
        return "0%"
    return None


def _sheet(sheet: Worksheet, frame: pd.DataFrame, heading: str, subtitle: str) -> None:
    put(sheet, 1, 1, heading).font = TITLE
    put(sheet, 2, 1, subtitle)
    widths = [len(str(c)) for c in frame.columns]
    for j, column in enumerate(frame.columns, start=1):
        cell = put(sheet, 4, j, str(column))
        cell.font, cell.fill = HEAD, HEAD_FILL
    units = frame["Einheit"] if "Einheit" in frame.columns else None
    for i, row in enumerate(frame.itertuples(index=False), start=5):
        for j, (column, value) in enumerate(zip(frame.columns, row), start=1):
            cell = put(sheet, i, j, _cell_value(value))
            unit = str(units.iloc[i - 5]) if units is not None else ""
            fmt = _number_format(str(column), unit)
            if fmt and isinstance(cell.value, int | float):
                cell.number_format = fmt
            widths[j - 1] = max(widths[j - 1], min(len(str(value)), 60))
    for j, w in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = w + 2
    sheet.freeze_panes = "A5"


def workbook_bytes(rollup: Rollup) -> bytes:
    """Return the overview as an .xlsx workbook (one sheet per table)."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for name, frame in sheets(rollup).items():
        _sheet(book.create_sheet(name[:31]), frame, f"{title(rollup)}: {name}", note(rollup))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    value = _cell_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value).replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return csv_field(str(value))


def csv_frame(rollup: Rollup, table: CsvTable = "summen") -> pd.DataFrame:
    """Return the table a CSV export writes (``summen``: all levels in one long table)."""
    if table not in CSV_TABLES:
        raise ValueError(f"table {table!r} is not one of {', '.join(CSV_TABLES)}")
    if table == "meldungen":
        return rollup.areas
    parts = []
    for level, frame in rollup.sums.items():
        key = frame.columns[0]
        parts.append(
            pd.DataFrame(
                {
                    "Ebene": level,
                    "Einheit_Schlüssel": frame[key],
                    "Name": frame["Name"] if "Name" in frame.columns else frame[key],
                    "Feld": frame["Feld"],
                    "Schlüssel": frame["Schlüssel"],
                    "Bezeichnung": frame["Bezeichnung"],
                    "Einheit": frame["Einheit"],
                    "Summe": frame["Summe"],
                    "Meldungen": frame["Meldungen"],
                }
            )
        )
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return out.rename(columns={"Einheit_Schlüssel": "Gebietsschlüssel"})


def csv_bytes(rollup: Rollup, table: CsvTable = "summen") -> bytes:
    """Return a table of the overview as German CSV (``;``, decimal comma, BOM, CRLF)."""
    frame = csv_frame(rollup, table)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([csv_field(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow([_csv_value(v) for v in row])
    return (BOM + buffer.getvalue()).encode("utf-8")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _cell_value(v) for k, v in rec.items()} for rec in frame.to_dict("records")]


def json_data(rollup: Rollup) -> dict[str, Any]:
    """Return the overview as JSON-able data (German keys)."""
    return {
        "jahr": rollup.year,
        "stand": rollup.today.isoformat(),
        "frist": rollup.deadline.isoformat(),
        "schwelle": rollup.threshold,
        "filter": {
            "land": rollup.filters.land,
            "kreis": rollup.filters.kreis,
            "ags": rollup.filters.ags,
            "programm": rollup.filters.programme,
        },
        "kennzahlen": rollup.metrics,
        "stand_der_meldungen": _records(rollup.completeness),
        "gesamtmassnahmen": _records(rollup.areas),
        "verspaetet": _records(rollup.late),
        "abweichungen": _records(rollup.differences),
        "nicht_im_verzeichnis": _records(rollup.unregistered),
        "summen": {level: _records(frame) for level, frame in rollup.sums.items()},
    }
