"""The workbook, the PDF and the CSVs of a demo report: opened, rendered and parsed back."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from PIL import Image

from monitoring.reports import csv as csv_format
from monitoring.reports.generate import render
from monitoring.reports.report import REASONS, Report


@pytest.fixture(scope="module")
def report(demo_reports: dict[str, Report]) -> Report:
    return demo_reports["SSZ-01"]


def test_workbook_has_a_sheet_per_part_with_numbers_and_frozen_titles(report: Report):
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    assert book.sheetnames == [
        "Deckblatt",
        "Teil A",
        "Teil B",
        "Teil C",
        "Teil D",
        "Begleitinformationen",
    ]
    for name in book.sheetnames[1:]:
        sheet = book[name]
        assert sheet.freeze_panes == "A4"
        assert sheet["A2"].value.endswith("Berichtsjahr 2024")
        widths = [sheet.column_dimensions[c].width for c in "ABC"]
        assert all(w and w >= 8 for w in widths)
    a = book["Teil A"]
    by_code = {row[0].value: row for row in a.iter_rows(min_row=4) if row[0].value}
    size = by_code["A.5"][2]
    assert size.value == report.values()["A.5"] and size.number_format == '#,##0.00" ha"'
    assert isinstance(size.value, float)  # a number with a format, not text
    # column B is wide enough for the longest label of part A
    longest = max(len(r.label) for r in report.part("A").rows)
    assert a.column_dimensions["B"].width >= longest
    # a grid: the Summe line of B.1 holds the three amounts as numbers
    b = book["Teil B"]
    summe = next(row for row in b.iter_rows(min_row=4) if row[1].value == "Summe")
    assert summe[0].value == "B.1.6"  # the sixth line of B.1: Bund … andere Programme, Summe
    got = [c.value for c in summe[2:5]]
    values = report.values()
    assert got == [values[f"B.1.summe.{a}"] for a in ("planned", "approved", "paid")]
    assert all(isinstance(v, int | float) for v in got)
    assert summe[2].number_format == '#,##0" €"'
    headers = [
        c.value for c in next(row for row in b.iter_rows(min_row=4) if row[0].value == "Feld")
    ]
    assert headers[:5] == ["Feld", "Mittelgeber", "Geplant (€)", "Bewilligt (€)", "Ausgezahlt (€)"]


def test_workbook_shows_missing_values_with_their_reason(demo_reports: dict[str, Report]):
    report = demo_reports["WNE-01"]
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    sheet = book["Begleitinformationen"]
    missing = [row for row in sheet.iter_rows(min_row=4) if row[0].value == "BI.4"]
    assert missing and missing[0][2].value == "entfällt" and missing[0][2].font.i


def _grey(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("L"))


def test_pdf_renders_to_pages_that_are_not_blank(report: Report, tmp_path: Path):
    pdf = tmp_path / "bericht.pdf"
    pdf.write_bytes(render(report, "pdf"))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(
        next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages"))
    )
    assert "595.276 x 841.89 pts (A4)" in info.stdout
    assert pages >= 6  # cover, A–D and Begleitinformationen, charts
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    for image in images:
        dark = float((_grey(image) < 200).mean())
        assert dark > 0.005, f"{image.name} is (almost) blank"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for phrase in (
        "Berichtsjahr 2024",
        "Kinderarmut",
        "Bundesfinanzhilfen",
        "Zeitreihen",
        "Quartiersrat",
        "Gebietsgröße",
        "457,",
    ):
        assert phrase in text
    # the cover has the map: a large non-white area on page 1
    assert float((_grey(images[0]) < 245).mean()) > 0.15


def test_csv_parts_parse_back_to_the_same_numbers(report: Report):
    archive = zipfile.ZipFile(io.BytesIO(render(report, "csv")))
    names = archive.namelist()
    assert names == [f"SSZ-01_2024_teil_{k}.csv" for k in ("A", "B", "C", "D", "BI")]
    parsed: dict[str, dict[str, str]] = {}
    for name in names:
        raw = archive.read(name)
        # UTF-8 with BOM (German spreadsheets read the umlauts), CRLF line ends
        assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";")
        assert tuple(reader.fieldnames or ()) == csv_format.COLUMNS
        for line in reader:
            parsed[line["schluessel"]] = line
    rows = {r.field: r for _, _, r in report.rows()}
    assert parsed.keys() == rows.keys()
    for code, row in rows.items():
        line = parsed[code]
        assert line["berichtsjahr"] == "2024" and line["ags"] == "05999000"
        assert line["feld"] == row.number and re.fullmatch(r"(A|B|C|D|BI)(\.\d+)+", row.number)
        if row.value is None:
            assert line["wert"] == "" and line["grund"] == row.reason
        elif isinstance(row.value, str):
            assert line["wert"] == row.value and line["grund"] == ""
        else:  # a decimal comma, no thousands point: what a German spreadsheet reads
            assert "." not in line["wert"]
            assert float(line["wert"].replace(",", ".")) == pytest.approx(row.value, abs=1e-9)


def test_csv_missing_values_are_empty_with_a_reason_never_zero(demo_reports: dict[str, Report]):
    files = csv_format.csv_files(demo_reports["SSZ-01"])
    lines = list(
        csv.DictReader(
            io.StringIO(files["SSZ-01_2024_teil_D.csv"].decode("utf-8-sig")), delimiter=";"
        )
    )
    city_class = next(x for x in lines if x["schluessel"] == "D.4.city")
    assert (city_class["wert"], city_class["grund"]) == ("", "entfällt")
    assert all(x["grund"] in ("", *REASONS) for x in lines)


def test_json_round_trip_keeps_every_value(report: Report):
    import json

    back = Report.from_dict(json.loads(render(report, "json")))
    assert back == report


# --- issue 14: catalogue numbers, German dates and numbers, headers, sender, warnings ----

FIELD_NUMBER = re.compile(r"^(A|B|C|D|BI)(\.\d+)+$")
INTERNAL_KEY = re.compile(r"\b(?:A|B|C|D|BI)\.\d+\.[a-z_][a-z0-9_]*")
ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}")


def _pdf_text(report: Report, tmp_path: Path, *, layout: bool = True) -> str:
    pdf = tmp_path / "bericht.pdf"
    pdf.write_bytes(render(report, "pdf"))
    args = ["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_pdf_shows_catalogue_numbers_german_dates_and_numbers(report: Report, tmp_path: Path):
    text = _pdf_text(report, tmp_path)
    assert not INTERNAL_KEY.search(text), INTERNAL_KEY.search(text)
    assert not ISO_STAMP.search(text), ISO_STAMP.search(text)
    for number in ("A.5", "B.1.1", "B.1.6", "C.2.1", "D.2.3", "BI.2.1"):
        assert re.search(rf"^\s*{re.escape(number)}\s", text, re.M), number
    # the time of making, the German way ("26.11.2026, 08:36 Uhr")
    assert re.search(r"erstellt am\s+\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} Uhr", text)
    # German numbers: grouped thousands with points, decimals with a comma
    assert "457,10 ha" in text.replace("\xa0", " ")
    total = report.values()["B.2.summe.approved"]
    assert f"{int(total):,}".replace(",", ".") in text
    # the catalogue says what it is, on the cover and in the notes
    assert text.count("Modell der Plattform") >= 2


def test_pdf_headers_break_between_words_never_inside_one(report: Report, tmp_path: Path):
    from monitoring.reports.layout import grid

    words = set(_pdf_text(report, tmp_path, layout=False).split())
    headers = {
        w
        for _, s in ((p, s) for p in report.parts for s in p.sections)
        if s.is_grid
        for column in grid(s).columns
        for w in column.replace("(", " ").replace(")", " ").split()
    }
    assert "Kostenschätzung" in headers and "Städtebauförderung" in headers
    broken = sorted(w for w in headers if len(w) > 3 and w not in words)
    assert not broken, broken


def test_workbook_field_numbers_are_catalogue_numbers(report: Report):
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    numbers = [
        row[0].value
        for name in book.sheetnames[1:]
        for row in book[name].iter_rows(min_row=4)
        if isinstance(row[0].value, str)
        and re.match(r"^(A|B|C|D|BI)\.", row[0].value)
        and "  " not in row[0].value  # not a section title ("B.1  Finanzmittel …")
    ]
    assert numbers and all(FIELD_NUMBER.match(n) for n in numbers), [
        n for n in numbers if not FIELD_NUMBER.match(n)
    ]
    assert {"A.1", "B.1.1", "C.2.1", "BI.1.1"} <= set(numbers)
    cover = [str(c.value) for row in book["Deckblatt"].iter_rows() for c in row if c.value]
    made = next(cover[i + 1] for i, v in enumerate(cover) if v == "erstellt am")
    assert re.fullmatch(r"\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} Uhr", made)
    assert not any(ISO_STAMP.search(v) for v in cover)


def test_sender_block_on_top_of_pdf_and_workbook(demo_copy, admin, tmp_path: Path):
    from monitoring.reports.generate import build_report
    from monitoring.reports.sender import save_sender

    bare = build_report(demo_copy, admin, "SSZ-01", year=2024)
    assert bare.sender == {} and "Absender: nicht hinterlegt" in _pdf_text(bare, tmp_path)
    save_sender(
        demo_copy,
        admin,
        {
            "municipality": "Stadt Musterstadt",
            "office": "Amt für Stadterneuerung",
            "contact": "Erika Muster",
            "phone": "0123 456-789",
            "email": "stadterneuerung@musterstadt.de",
        },
    )
    report = build_report(demo_copy, admin, "SSZ-01", year=2024)
    assert report.fingerprint == bare.fingerprint  # letterhead, not an input of a figure
    text = _pdf_text(report, tmp_path)
    first_page = text.split("\f")[0]
    top = first_page.index("Jährlicher Monitoringbericht")
    for value in ("Stadt Musterstadt", "Amt für Stadterneuerung", "Erika Muster", "0123 456-789"):
        assert 0 <= first_page.index(value) < top, value
    assert "stadterneuerung@musterstadt.de" in first_page
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    cover = book["Deckblatt"]
    cells = {str(row[0].value): row[1].value for row in cover.iter_rows(min_row=4, max_row=12)}
    assert cells["Gemeinde"] == "Stadt Musterstadt" and cells["Telefon"] == "0123 456-789"
    assert cells["E-Mail"] == "stadterneuerung@musterstadt.de"
    # the sender is kept in the filed JSON: a report filed earlier keeps its sender
    import json

    assert Report.from_dict(json.loads(render(report, "json"))).sender == report.sender


def test_a_year_before_admission_is_warned_in_the_report(demo_store, admin, tmp_path: Path):
    from monitoring.reports.generate import build_report

    start = int(demo_store.read("funding_areas", where={"id": "SSZ-01"})["start_year"].iloc[0])
    early = build_report(demo_store, admin, "SSZ-01", year=start - 1)
    assert early.warnings and f"vor dem Aufnahmejahr {start}" in early.warnings[0]
    assert early.warnings[0] in early.notes
    text = " ".join(_pdf_text(early, tmp_path).split())
    assert f"Achtung: Das Berichtsjahr {start - 1} liegt vor dem Aufnahmejahr {start}" in text
    assert build_report(demo_store, admin, "SSZ-01", year=start).warnings == ()


ENGLISH = re.compile(
    r"\b(None|nan|NaN|True|False|the|and|of|is|not|per|total|area|year|value|planned|paid|"
    r"approved|missing|suppressed)\b"
)
ENGLISH_NUMBER = re.compile(r"\d,\d{3}\b(?!,)|\b\d+\.\d{1,2}(?:\s?(?:%|€|ha|m²))")


@pytest.mark.parametrize("area", ["SSZ-01", "WNE-01"])
def test_pdf_and_workbook_read_german_only(
    demo_reports: dict[str, Report], area: str, tmp_path: Path
):
    report = demo_reports[area]
    text = _pdf_text(report, tmp_path).replace("\xa0", " ")
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    cells = [c for name in book.sheetnames for row in book[name].iter_rows() for c in row]
    texts = [str(c.value) for c in cells if isinstance(c.value, str)]
    for where, found in (("PDF", text), ("Arbeitsmappe", "\n".join(texts))):
        assert not ENGLISH.search(found), (where, ENGLISH.search(found))
        assert not ENGLISH_NUMBER.search(found), (where, ENGLISH_NUMBER.search(found))
        assert not ISO_STAMP.search(found), (where, ISO_STAMP.search(found))
        assert not INTERNAL_KEY.search(found), (where, INTERNAL_KEY.search(found))
    # numbers in the workbook are number cells with a grouping format, never number text
    numbers = [
        c for c in cells if isinstance(c.value, int | float) and not isinstance(c.value, bool)
    ]
    assert numbers
    for cell in numbers:
        if abs(cell.value) >= 1000 and cell.number_format != "0":  # "0": years
            assert cell.number_format.startswith("#,##0"), (cell.coordinate, cell.number_format)
