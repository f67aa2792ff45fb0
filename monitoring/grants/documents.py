"""The generated documents of the grant procedure: KuF, application annex, Verwendungsnachweis.

Every workbook is written with :func:`monitoring.reports.cells.put`: a text from the
data (a measure title, an Aktenzeichen) stays text even when it starts with ``=``;
money is stored as a number cell with the exact cent value of the computed KuF and the
German number format :data:`EURO_FORMAT`. No cell holds a formula. The CSV follows the
house rules of :mod:`monitoring.reports.csv` (UTF-8 with BOM, ``;``, decimal comma).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from geo import german
from monitoring.grants.kuf import REVENUE_AMOUNTS, REVENUE_LABELS, Kuf
from monitoring.renewal.funding import AMOUNTS
from monitoring.reports.cells import csv_field, put
from monitoring.reports.csv import BOM, DELIMITER

if TYPE_CHECKING:
    from monitoring.grants.service import Statement

EURO_FORMAT = '#,##0.00" €"'
"""Money cells as in the federal report (:func:`monitoring.reports.layout.number_format`):
thousands separator, two decimals, the unit a quoted literal; a German Excel shows 1.234,50 €."""

AMOUNT_LABELS: Mapping[str, str] = {
    "planned": "geplant",
    "approved": "bewilligt",
    "paid": "ausgezahlt",
}
CSV_COLUMNS: tuple[str, ...] = (
    "Teil",
    "Kostengruppe/Einnahmeart/Mittelgeber",
    "Programmjahr",
    "geplant",
    "bewilligt",
    "ausgezahlt/eingegangen",
)
_BOLD = Font(bold=True)


# --- small writers ----------------------------------------------------------------------


class _Sheet:
    """A cursor over a worksheet: rows are appended, money cells get the euro format."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.row = 1

    def line(self, *values: Any, bold: bool = False, money: bool = True) -> int:
        for col, value in enumerate(values, start=1):
            if isinstance(value, float) and pd.isna(value):
                value = None
            cell = put(self.sheet, self.row, col, _plain(value))
            if money and isinstance(cell.value, float | int) and not isinstance(cell.value, bool):
                cell.number_format = EURO_FORMAT
            if bold:
                cell.font = _BOLD
        self.row += 1
        return self.row - 1

    def blank(self) -> None:
        self.row += 1

    def heading(self, text: str) -> None:
        self.line(text, bold=True)

    def matrix(self, title: str, frame: pd.DataFrame, first: str) -> None:
        """A titled table: the index in the first column, one column per frame column."""
        self.heading(title)
        self.line(first, *[_label(c) for c in frame.columns], bold=True)
        for name, values in frame.iterrows():
            self.line(str(name), *[_cents(v) for v in values], bold=name == "Summe")
        self.blank()

    def widths(self, first: int = 40, rest: int = 16) -> None:
        from openpyxl.utils import get_column_letter

        self.sheet.column_dimensions["A"].width = first
        for col in range(2, self.sheet.max_column + 1):
            self.sheet.column_dimensions[get_column_letter(col)].width = rest


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | bool):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return _cents(value)
    if isinstance(value, int):
        return value
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _cents(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return value
    return round(float(value), 2) + 0.0


def _label(column: Any) -> str:
    return str(int(column)) if isinstance(column, int | float) else str(column)


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header(out: _Sheet, title: str, kuf: Kuf) -> None:
    out.line(title, bold=True)
    out.line("Gesamtmaßnahme", f"{kuf.area_name} ({kuf.area_id})")
    out.line(
        "Gliederung",
        f"{kuf.catalogue_name}, Fassung {kuf.catalogue_version}"
        + (f" – {kuf.catalogue_note}" if kuf.catalogue_note else ""),
    )
    if kuf.year is not None:
        out.line("bis Programmjahr", kuf.year, money=False)
    if kuf.frozen:
        out.line(
            "Stand",
            f"festgeschriebene Fassung „{kuf.frozen.get('id')}“ vom "
            f"{german.timestamp(kuf.frozen.get('frozen_at'))}"
            + (f" ({kuf.frozen['purpose']})" if kuf.frozen.get("purpose") else ""),
        )
    else:
        out.line("Stand", "aus dem aktuellen Datenbestand berechnet (nicht festgeschrieben)")
    out.line("Fingerabdruck", kuf.fingerprint)
    out.blank()


# --- the KuF ------------------------------------------------------------------------------


def kuf_workbook(kuf: Kuf) -> bytes:
    """The KuF as a workbook: sheet „KuF“ (costs, revenues, financing, summary), „Maßnahmen“."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "KuF"
    out = _Sheet(sheet)
    _header(out, "Kosten- und Finanzierungsübersicht (KuF)", kuf)
    for amount in AMOUNTS:
        out.matrix(
            f"Kosten nach Kostengruppen und Programmjahr – {AMOUNT_LABELS[amount]}",
            kuf.cost_matrix(amount),
            "Kostengruppe",
        )
    for amount in REVENUE_AMOUNTS:
        out.matrix(
            f"Einnahmen nach Einnahmeart und Jahr – {REVENUE_LABELS[amount]}",
            kuf.revenue_matrix(amount),
            "Einnahmeart",
        )
    for amount in AMOUNTS:
        out.matrix(
            f"Finanzierung nach Mittelgebern und Programmjahr – {AMOUNT_LABELS[amount]}",
            kuf.financing_matrix(amount),
            "Mittelgeber",
        )
    totals = kuf.totals()
    out.heading("Zusammenfassung")
    out.line("", *AMOUNT_LABELS.values(), bold=True)
    out.line("Kosten gesamt", *[totals[f"costs_{a}"] for a in AMOUNTS])
    out.line("Einnahmen (geplant; eingegangen unter ausgezahlt)", totals["revenues_planned"],
             None, totals["revenues_actual"])  # fmt: skip
    out.line("durch Einnahmen nicht gedeckte Kosten (geplant)", totals["net_planned"])
    out.line("Finanzierung gesamt", *[totals[f"financing_{a}"] for a in AMOUNTS])
    out.line("davon öffentliche Mittel (Bund, Land, Gemeinde; geplant)", totals["public_planned"])
    out.widths(52)

    second = book.create_sheet("Maßnahmen")
    ms = _Sheet(second)
    ms.line("Maßnahme", "Titel", "Kostengruppe", *[AMOUNT_LABELS[a] for a in AMOUNTS], bold=True)
    for row in kuf.measures.to_dict(orient="records"):
        key = row.get("cost_group")
        ms.line(
            str(row["id"]),
            str(row.get("title") or ""),
            kuf.group_titles.get(str(key), str(key)),
            *[_cents(row.get(a)) for a in AMOUNTS],
        )
    if len(kuf.measures):
        ms.line("Summe", "", "", *[_cents(kuf.measures[a].sum()) for a in AMOUNTS], bold=True)
    ms.widths(16, 18)
    second.column_dimensions["B"].width = 40
    second.column_dimensions["C"].width = 36
    return _save(book)


def _decimal(value: Any) -> str:
    """A number as a German spreadsheet reads it: decimal comma, no grouping, two decimals.

    Examples
    --------
    >>> _decimal(1234.5), _decimal(-0.1), _decimal(None)
    ('1234,50', '-0,10', '')
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return f"{round(float(value), 2):.2f}".replace(".", ",")


def kuf_rows(kuf: Kuf) -> list[tuple[str, str, int, float, float | None, float]]:
    """The KuF as a long table: part, row title, year, planned, approved (None), paid/received."""
    rows: list[tuple[str, str, int, float, float | None, float]] = []
    for r in kuf.costs.to_dict(orient="records"):
        title = kuf.group_titles.get(str(r["cost_group"]), str(r["cost_group"]))
        rows.append(
            ("Kosten", title, int(r["programme_year"]), r["planned"], r["approved"], r["paid"])
        )
    for r in kuf.revenues.to_dict(orient="records"):
        title = kuf.revenue_titles.get(str(r["kind"]), str(r["kind"]))
        rows.append(("Einnahmen", title, int(r["year"]), r["planned"], None, r["actual"]))
    for r in kuf.financing.to_dict(orient="records"):
        if not any(float(r[a] or 0.0) for a in AMOUNTS):
            continue
        rows.append(
            (
                "Finanzierung",
                str(r["source"]),
                int(r["programme_year"]),
                r["planned"],
                r["approved"],
                r["paid"],
            )
        )
    return rows


def kuf_csv(kuf: Kuf) -> bytes:
    """The KuF as a long CSV table (UTF-8 with BOM, ``;``, decimal comma, CRLF).

    Columns :data:`CSV_COLUMNS`; ``Teil`` is Kosten, Einnahmen or Finanzierung; for
    Einnahmen ``bewilligt`` is empty and the last column holds what was received.
    """
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for part, title, year, planned, approved, last in kuf_rows(kuf):
        writer.writerow(
            [
                part,
                csv_field(title),
                year,
                _decimal(planned),
                _decimal(approved),
                _decimal(last),
            ]
        )
    return out.getvalue().encode("utf-8")


# --- the application's annex ----------------------------------------------------------------


def annex_workbook(application: Mapping[str, Any], kuf: Kuf) -> bytes:
    """The financial annex of a Förderantrag: measures × sources (planned) of its year."""
    year = int(application["programme_year"])
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Finanzierungsanlage"
    out = _Sheet(sheet)
    _header(out, f"Finanzierungsanlage zum Förderantrag „{application.get('id')}“", kuf)
    out.line("Programmjahr", year, money=False)
    if application.get("submitted") is not None:
        out.line("gestellt am", german.date(application.get("submitted")))
    if kuf.frozen:
        out.line("KuF-Fassung", str(kuf.frozen.get("id")))
    out.blank()
    annex = kuf.annex(year)
    out.heading(f"Maßnahmen und Mittelgeber im Programmjahr {year} (geplant)")
    out.line(*annex.columns, bold=True)
    if annex.empty:
        out.line(f"Keine Finanzierung im Programmjahr {year} in dieser KuF-Fassung.")
    for row in annex.itertuples(index=False):
        values = list(row)
        out.line(*[_cents(v) if not isinstance(v, str) else v for v in values],
                 bold=values[0] == "Summe")  # fmt: skip
    out.blank()
    totals = kuf.totals()
    out.heading("Summen der KuF (alle Programmjahre)")
    out.line("", *AMOUNT_LABELS.values(), bold=True)
    out.line("Kosten gesamt", *[totals[f"costs_{a}"] for a in AMOUNTS])
    out.line("Finanzierung gesamt", *[totals[f"financing_{a}"] for a in AMOUNTS])
    out.line("Einnahmen (geplant)", totals["revenues_planned"])
    out.line("durch Einnahmen nicht gedeckte Kosten (geplant)", totals["net_planned"])
    out.widths(22, 18)
    sheet.column_dimensions["B"].width = 40
    sheet.column_dimensions["C"].width = 30
    return _save(book)


# --- the Verwendungsnachweis ------------------------------------------------------------------

STATEMENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("file_number", "Aktenzeichen"),
    ("notice_date", "Bescheid vom"),
    ("programme_year", "Programmjahr"),
    ("approved_bund", "Bundesmittel"),
    ("approved_land", "Landesmittel"),
    ("approved", "Zuwendung"),
    ("own_share", "Eigenanteil"),
    ("drawn", "abgerufen"),
    ("spent", "verausgabt"),
    ("undrawn", "noch abrufbar"),
    ("unspent", "abgerufen, aber nicht verausgabt"),
    ("measures", "Maßnahmen"),
)


def _statement_cell(key: str, value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if key == "notice_date":
        return german.date(value)
    if key == "programme_year":
        return int(value)
    if key in ("file_number", "measures"):
        return str(value)
    return _cents(value)


def _by_year(frame: pd.DataFrame, column: str) -> dict[int, float]:
    years: list[int] = frame.index.astype(int).tolist()
    return dict(zip(years, frame[column].astype(float).tolist()))


def comparison(statement: Statement) -> pd.DataFrame:
    """Bund+Land per programme year: KuF approved and paid vs. notices approved and drawn."""
    fin = statement.kuf.financing
    fin = fin[fin["source"].isin(["Bund", "Land"])]
    kuf_sums = fin.groupby("programme_year")[["approved", "paid"]].sum()
    table = statement.table[statement.table["file_number"] != "Summe"]
    notice_sums = table.groupby("programme_year")[["approved", "drawn"]].sum()
    years = sorted({int(y) for y in kuf_sums.index} | {int(y) for y in notice_sums.index})
    k_approved = _by_year(kuf_sums, "approved")
    k_paid = _by_year(kuf_sums, "paid")
    n_approved = _by_year(notice_sums, "approved")
    n_drawn = _by_year(notice_sums, "drawn")
    rows = []
    for y in years:
        ka, kp = k_approved.get(y, 0.0), k_paid.get(y, 0.0)
        na, nd = n_approved.get(y, 0.0), n_drawn.get(y, 0.0)
        rows.append(
            {
                "Programmjahr": y,
                "KuF bewilligt (Bund+Land)": _cents(ka),
                "Bescheide: Zuwendung": _cents(na),
                "Differenz bewilligt": _cents(ka - na),
                "KuF ausgezahlt (Bund+Land)": _cents(kp),
                "Bescheide: abgerufen": _cents(nd),
                "Differenz ausgezahlt": _cents(kp - nd),
            }
        )
    return pd.DataFrame(rows)


def statement_workbook(statement: Statement) -> bytes:
    """The Verwendungsnachweis: notices, drawdowns and the comparison with the KuF."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Verwendungsnachweis"
    out = _Sheet(sheet)
    out.line(statement.title, bold=True)
    area = statement.area
    out.line("Gesamtmaßnahme", f"{area.get('name') or area['id']} ({area['id']})")
    out.line("Art", "Schlussabrechnung" if statement.final else "Zwischenabrechnung")
    if statement.year is not None:
        out.line("bis Programmjahr", statement.year, money=False)
    out.line("Fingerabdruck", statement.fingerprint)
    out.line("Fingerabdruck der KuF", statement.kuf.fingerprint)
    out.blank()
    out.line(*[label for _, label in STATEMENT_COLUMNS], bold=True)
    if statement.table.empty:
        out.line("Keine Zuwendungsbescheide erfasst.")
    for row in statement.table.to_dict(orient="records"):
        values = [_statement_cell(k, row.get(k)) for k, _ in STATEMENT_COLUMNS]
        last = out.line(*values, bold=row.get("file_number") == "Summe")
        sheet.cell(last, 3).number_format = "0"
    out.widths(24, 16)

    draws = book.create_sheet("Mittelabrufe")
    dw = _Sheet(draws)
    numbers = dict(zip(statement.table["notice_id"], statement.table["file_number"]))
    dw.line("Kennung", "Aktenzeichen", "abgerufen am", "Betrag", "eingegangen am",
            "Verwendungszweck", bold=True)  # fmt: skip
    total = 0.0
    for row in statement.drawdowns.to_dict(orient="records"):
        amount = _cents(row.get("amount")) or 0.0
        total += float(amount)
        dw.line(
            str(row["id"]),
            str(numbers.get(row["notice_id"], row["notice_id"])),
            german.date(row.get("requested")),
            amount,
            german.date(row.get("received"), missing=""),
            str(row.get("purpose") or ""),
        )
    dw.line("Summe", "", "", _cents(total), bold=True)
    dw.widths(24, 16)
    draws.column_dimensions["F"].width = 40

    compare = book.create_sheet("Abgleich KuF")
    cp = _Sheet(compare)
    cp.line("Abgleich mit der KuF (Bund und Land je Programmjahr)", bold=True)
    cp.line("Fingerabdruck der KuF", statement.kuf.fingerprint)
    cp.blank()
    table = comparison(statement)
    cp.line(*table.columns, bold=True)
    for compared in table.itertuples(index=False):
        last = cp.line(*compared)
        compare.cell(last, 1).number_format = "0"
    cp.widths(16, 22)
    return _save(book)
