"""Tables of a statistics office as delivered: title rows, header over rows, footnotes, symbols.

Each test builds its workbook (openpyxl) or CSV (bytes in cp1252 and UTF-8) itself,
shaped like the district profiles a Land statistics office publishes.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from geo.errors import ImportRefused
from geo.readers import read_csv, read_table, read_xlsx, sheets
from geo.symbols import FLAG_LABELS, parse_cell, split_cell
from geo.validation import ImportReport
from monitoring.imports import pipeline

TITLE = "Statistisches Amt für Hamburg und Schleswig-Holstein"
SUBTITLE = "Stadtteilprofile 2020"
# two header rows: "Bevölkerung" spans two columns, "Anteil der Ausländer" / "in %" and
# "Wanderungs-" / "saldo" are split over the rows, " Fläche" has a leading space
TOP = ["Stadtteil", "Bevölkerung", None, "Anteil der Ausländer", "Wanderungs-", " Fläche"]
BOTTOM = [None, "insgesamt", "unter 18 Jahren", "in %", "saldo", "in km²"]
COLUMNS = [
    "Stadtteil",
    "Bevölkerung insgesamt",
    "Bevölkerung unter 18 Jahren",
    "Anteil der Ausländer in %",
    "Wanderungssaldo",
    "Fläche in km²",
]
DATA: list[list[Any]] = [
    ["Altona-Altstadt", "29 396", 4373, "25,3", "-  23", 2.8],
    ["Groß Flottbek", "11 306", "2 117", "(7,4)", "– 23", "2,4"],
    ["Sülldorf", "69 570", ".", "x", "—", "4,8"],
    ["Neuenfelde", "5 024", "…", "/", "-", "14,7"],
    ["Moorburg und Altenwerder", "770", "...", "0", "–", "X"],
    ["Billstedt", "71\u202f094", "14\u00a0212", "12,3¹", "12 1)", "0,0"],
]
FOOTNOTES = [
    "1) ohne Personen in Gemeinschaftsunterkünften",
    "Quelle: Statistisches Amt für Hamburg und Schleswig-Holstein",
    "Zeichenerklärung: - = nichts vorhanden, . = Zahlenwert unbekannt oder geheim",
]
ROWS = [6, 7, 8, 9, 10, 11]  # sheet rows / CSV lines of the data
# expected (value, flag) per value column, top to bottom
EXPECTED: dict[str, list[tuple[float, str | None]]] = {
    "Bevölkerung insgesamt": [
        (29396, None),
        (11306, None),
        (69570, None),
        (5024, None),
        (770, None),
        (71094, None),
    ],
    "Bevölkerung unter 18 Jahren": [
        (4373, None),
        (2117, None),
        (math.nan, "secret"),
        (math.nan, "later"),
        (math.nan, "later"),
        (14212, None),
    ],
    "Anteil der Ausländer in %": [
        (25.3, None),
        (7.4, "limited"),
        (math.nan, "not_applicable"),
        (math.nan, "unreliable"),
        (0.0, "rounded"),
        (12.3, None),
    ],
    "Wanderungssaldo": [
        (-23, None),
        (-23, None),
        (0.0, None),
        (0.0, None),
        (0.0, None),
        (12, None),
    ],
    "Fläche in km²": [
        (2.8, None),
        (2.4, None),
        (4.8, None),
        (14.7, None),
        (math.nan, "not_applicable"),
        (0.0, "rounded"),
    ],
}


def official_xlsx(path: Path) -> Path:
    """Write the district profile as a statistics office's workbook (merged header)."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Stadtteile"
    ws["A1"] = TITLE
    ws.merge_cells("A1:F1")
    ws["A2"] = SUBTITLE
    for j, (top, bottom) in enumerate(zip(TOP, BOTTOM), start=1):
        ws.cell(4, j, top)
        ws.cell(5, j, bottom)
    ws.merge_cells("A4:A5")
    ws.merge_cells("B4:C4")
    for i, row in enumerate(DATA, start=6):
        for j, value in enumerate(row, start=1):
            ws.cell(i, j, value)
    for i, note in enumerate(FOOTNOTES, start=13):
        ws.cell(i, 1, note)
    book.create_sheet("Erläuterungen")["A1"] = "Zeichenerklärung"
    book.save(path)
    return path


def official_csv(path: Path, encoding: str) -> Path:
    """Write the CSV export of the same table (';', decimal comma, blank line and footnotes)."""

    def line(cells: list[Any]) -> str:
        return ";".join(
            "" if c is None else str(c).replace(".", ",") if isinstance(c, float) else str(c)
            for c in cells
        )

    width = len(TOP)
    lines = [
        line([TITLE] + [None] * (width - 1)),
        line([SUBTITLE] + [None] * (width - 1)),
        "",
        line(TOP),
        line(BOTTOM),
        *(line(r) for r in DATA),
        "",
        *(line([n] + [None] * (width - 1)) for n in FOOTNOTES),
    ]
    text = "\r\n".join(lines) + "\r\n"
    if encoding == "cp1252":  # no narrow no-break space in Windows-1252: Excel writes a space
        text = text.replace("\u202f", " ")
    path.write_bytes(text.encode(encoding))
    return path


def assert_official(table: pipeline.Table, *, unit: str) -> None:
    frame = table.frame
    assert list(frame.columns) == COLUMNS
    assert list(frame.index) == ROWS
    assert frame.index.name == unit
    assert list(frame["Stadtteil"]) == [r[0] for r in DATA]
    assert table.details["footnotes"] == FOOTNOTES
    assert table.details["title"] == f"{TITLE} / {SUBTITLE}"
    assert table.details["header_rows"] == [4, 5]
    assert any(
        "Kopfzeile in Zeilen 4–5 erkannt; 2 Titelzeilen und 3 Fußnotenzeilen übersprungen" in n
        for n in table.notes
    ), table.notes
    report = ImportReport(table.source, unit=table.unit)
    parsed = pipeline.numbers(
        frame,
        COLUMNS[1:],
        report,
        fmt=None,
        delimiter=table.details.get("delimiter"),
        symbols=True,
    )
    assert report.ok, report.problems
    assert parsed.symbols
    assert parsed.format.decimal == ","
    for column, expected in EXPECTED.items():
        got = list(zip(parsed.values[column].tolist(), parsed.flags[column].tolist()))
        assert len(got) == len(expected)
        for row, (value, flag), (want, want_flag) in zip(ROWS, got, expected):
            where = f"{column}, row {row}"
            assert (math.isnan(value) and math.isnan(want)) or value == pytest.approx(want), where
            assert flag == want_flag, where
    assert [(r, c) for r, c, _ in parsed.footnotes] == [
        (11, "Anteil der Ausländer in %"),
        (11, "Wanderungssaldo"),
    ]


def test_workbook_with_title_merged_header_footnotes_and_symbols(tmp_path: Path) -> None:
    path = official_xlsx(tmp_path / "Stadtteilprofile.xlsx")
    table = read_xlsx(path)
    assert_official(table, unit="row")
    assert table.details["sheet"] == "Stadtteile"
    assert sheets(path) == ["Stadtteile", "Erläuterungen"]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8"])
def test_csv_export_of_the_same_table(tmp_path: Path, encoding: str) -> None:
    table = read_csv(official_csv(tmp_path / "Stadtteilprofile.csv", encoding))
    assert table.details["encoding"] in (encoding, "utf-8")
    assert table.details["delimiter"] == ";"
    assert_official(table, unit="line")


def test_given_header_row_reads_the_same(tmp_path: Path) -> None:
    path = official_xlsx(tmp_path / "profile.xlsx")
    assert_official(read_table(path, header_row=5), unit="row")


def test_header_row_that_is_empty_or_beyond_the_table_is_refused(tmp_path: Path) -> None:
    path = official_csv(tmp_path / "profile.csv", "utf-8")
    with pytest.raises(ImportRefused, match="--header-row genannte Zeile 3 ist leer"):
        read_csv(path, header_row=3)
    with pytest.raises(ImportRefused, match="Zeile 99 gibt es nicht"):
        read_csv(path, header_row=99)


def test_a_plain_table_reads_exactly_as_before(tmp_path: Path) -> None:
    csv = tmp_path / "plain.csv"
    csv.write_bytes("PLR_ID;Name;EW;S1\n01100101;Mitte;1.675;0\n01100102;Süd;2.010;-\n".encode())
    table = read_csv(csv)
    expected = pd.DataFrame(
        [["01100101", "Mitte", "1.675", "0"], ["01100102", "Süd", "2.010", "-"]],
        columns=["PLR_ID", "Name", "EW", "S1"],
        index=pd.Index([2, 3], name="line"),
        dtype=object,
    )
    pd.testing.assert_frame_equal(table.frame, expected)
    assert table.details == {"encoding": "utf-8", "delimiter": ";"}
    assert table.notes == []
    report = ImportReport(table.source, unit="line")
    plain = pipeline.numbers(table.frame, ["S1"], report, fmt=None, delimiter=";", symbols=False)
    assert not report.ok  # without symbols "-" is no number, as before
    report = ImportReport(table.source, unit="line")
    parsed = pipeline.numbers(table.frame.iloc[:1], ["S1"], report, fmt=None, delimiter=";")
    assert parsed.values["S1"].tolist() == [0.0] and parsed.flags["S1"].tolist() == [None]
    assert plain.values["S1"].tolist()[0] == 0.0

    book = openpyxl.Workbook()
    ws = book.active
    for row in (["PLR_ID", "EW", None], ["01100101", 1675, None], ["01100102", 0, None]):
        ws.append(row)
    book.save(tmp_path / "plain.xlsx")
    table = read_xlsx(tmp_path / "plain.xlsx")
    expected = pd.DataFrame(
        [["01100101", 1675], ["01100102", 0]],
        columns=["PLR_ID", "EW"],
        index=pd.Index([2, 3], name="row"),
        dtype=object,
    )
    pd.testing.assert_frame_equal(table.frame, expected)
    assert table.details == {"sheet": "Sheet"}
    assert table.notes == []


def test_plain_table_with_footnotes_below(tmp_path: Path) -> None:
    csv = tmp_path / "plain.csv"
    csv.write_bytes(
        "id;EW\n01;5\n02;-\n\nQuelle: Amt für Statistik\n1) Stichtag 31.12.\n".encode("cp1252")
    )
    table = read_csv(csv)
    assert list(table.frame.index) == [2, 3]
    assert table.details["footnotes"] == ["Quelle: Amt für Statistik", "1) Stichtag 31.12."]
    assert "1 Fußnotenzeile" not in " ".join(table.notes)
    assert "2 Fußnotenzeilen übersprungen" in " ".join(table.notes)


def test_two_candidate_header_blocks_are_refused_with_the_fix(tmp_path: Path) -> None:
    csv = tmp_path / "unsure.csv"
    csv.write_bytes(
        "Bevölkerung;nach;Stadtteilen\n\nStadtteil;insgesamt;Ausländer\n;Anzahl;%\n"
        "Mitte;1 200;12,5\nSüd;900;.\n".encode("cp1252")
    )
    with pytest.raises(ImportRefused) as caught:
        read_csv(csv)
    message = str(caught.value)
    assert "Zeile 1" in message and "Zeilen 3–4" in message
    assert "--header-row 4" in message
    table = read_csv(csv, header_row=4)
    assert list(table.frame.columns) == ["Stadtteil", "insgesamt Anzahl", "Ausländer %"]
    assert list(table.frame.index) == [5, 6]
    assert table.details["title"] == "Bevölkerung nach Stadtteilen"


def test_year_header_after_a_title(tmp_path: Path) -> None:
    csv = tmp_path / "years.csv"
    csv.write_bytes(b"Einwohner am 31.12.\n\nStadtteil;2019;2020\nMitte;1 200;1 250\n")
    table = read_csv(csv)
    assert list(table.frame.columns) == ["Stadtteil", "2019", "2020"]
    assert list(table.frame.index) == [4]
    assert table.details["title"] == "Einwohner am 31.12."


def test_section_rows_inside_the_data_are_skipped_and_named(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    for row in (
        ["Tabelle 3: Bevölkerung", None],
        ["Stadtteil", "Einwohner"],
        ["Bezirk Altona", None],
        ["Ottensen", 35690],
        ["Bahrenfeld", 29480],
        ["Bezirk Eimsbüttel", None],
        ["Eimsbüttel", 57520],
    ):
        ws.append(row)
    book.save(tmp_path / "sections.xlsx")
    table = read_xlsx(tmp_path / "sections.xlsx")
    assert list(table.frame.index) == [4, 5, 7]
    assert list(table.frame.columns) == ["Stadtteil", "Einwohner"]
    assert "2 Zwischenzeilen ohne Werte (Zeile 3, 6)" in " ".join(table.notes)


@pytest.mark.parametrize(
    ("cell", "value", "flag"),
    [
        ("-", 0.0, None),
        ("–", 0.0, None),
        ("—", 0.0, None),
        (".", math.nan, "secret"),
        ("…", math.nan, "later"),
        ("...", math.nan, "later"),
        ("x", math.nan, "not_applicable"),
        ("X", math.nan, "not_applicable"),
        ("/", math.nan, "unreliable"),
        ("(12,3)", 12.3, "limited"),
        ("-  23", -23.0, None),
        ("- 23", -23.0, None),
        ("– 23", -23.0, None),
        ("69 570", 69570.0, None),
        ("69\u00a0570", 69570.0, None),
        ("69\u202f570", 69570.0, None),
        ("12,3¹", 12.3, None),
        ("12,3 1)", 12.3, None),
        ("0", 0.0, "rounded"),
        ("0,0", 0.0, "rounded"),
    ],
)
def test_statistics_symbols(cell: str, value: float, flag: str | None) -> None:
    from geo.readers import NumberFormat, parse_number

    def parse(text: Any) -> float:
        return parse_number(text, NumberFormat(",", " "))

    got, got_flag, _ = parse_cell(cell, parse, symbols=True)
    assert (math.isnan(got) and math.isnan(value)) or got == value
    assert got_flag == flag
    assert got_flag is None or got_flag in FLAG_LABELS


def test_text_is_no_symbol() -> None:
    assert split_cell("Mitte").text == "Mitte"
    with pytest.raises(ValueError):
        parse_cell("Mitte", float)


@pytest.mark.parametrize(
    "text",
    [
        "id;Titel;Art\nM1;Bank;Möbel\nM2;Tisch;x\n",  # a text column ending in a symbol
        "id;EW\n;7\n02;x\n",  # the first data row lacks its key (refused later, by the import)
        "id;EW\n\n01;7\n",  # a blank line under the header
    ],
)
def test_plain_tables_stay_plain(tmp_path: Path, text: str) -> None:
    csv = tmp_path / "plain.csv"
    csv.write_bytes(text.encode("cp1252"))
    table = read_csv(csv)
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if line][1:]
    assert list(table.frame.columns) == text.splitlines()[0].split(";")
    assert list(table.frame.index) == lines
    assert table.notes == [] and "footnotes" not in table.details
