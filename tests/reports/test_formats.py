"""The workbook, the PDF and the CSVs of a demo report: opened, rendered and parsed back."""

from __future__ import annotations

import csv
import io
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
    assert size.value == report.values()["A.5"] and size.number_format == "#,##0.00"
    # column B is wide enough for the longest label of part A
    longest = max(len(r.label) for r in report.part("A").rows)
    assert a.column_dimensions["B"].width >= longest
    # a grid: the Summe line of B.1 holds the three amounts as numbers
    b = book["Teil B"]
    summe = next(row for row in b.iter_rows(min_row=4) if row[0].value == "B.1.summe")
    got = [c.value for c in summe[2:5]]
    values = report.values()
    assert got == [values[f"B.1.summe.{a}"] for a in ("planned", "approved", "paid")]
    assert all(isinstance(v, int | float) for v in got) and summe[2].number_format == "#,##0"
    headers = [
        c.value for c in next(row for row in b.iter_rows(min_row=4) if row[0].value == "Feld")
    ]
    assert headers[:5] == ["Feld", "Mittelgeber", "Geplant (€)", "Bewilligt (€)", "Ausgezahlt (€)"]


def test_workbook_shows_missing_values_with_their_reason(demo_reports: dict[str, Report]):
    report = demo_reports["WNE-01"]
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    sheet = book["Begleitinformationen"]
    missing = [row for row in sheet.iter_rows(min_row=4) if row[0].value == "BI.1.fehlt"]
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
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8")), delimiter=";")
        assert tuple(reader.fieldnames or ()) == csv_format.COLUMNS
        for line in reader:
            parsed[line["feld"]] = line
    rows = {r.field: r for _, _, r in report.rows()}
    assert parsed.keys() == rows.keys()
    for code, row in rows.items():
        line = parsed[code]
        assert line["berichtsjahr"] == "2024" and line["ags"] == "05999000"
        if row.value is None:
            assert line["wert"] == "" and line["grund"] == row.reason
        elif isinstance(row.value, str):
            assert line["wert"] == row.value and line["grund"] == ""
        else:
            assert float(line["wert"]) == pytest.approx(row.value, abs=1e-9)
            assert "," not in line["wert"]


def test_csv_missing_values_are_empty_with_a_reason_never_zero(demo_reports: dict[str, Report]):
    files = csv_format.csv_files(demo_reports["SSZ-01"])
    lines = list(
        csv.DictReader(io.StringIO(files["SSZ-01_2024_teil_D.csv"].decode()), delimiter=";")
    )
    city_class = next(x for x in lines if x["feld"] == "D.4.city")
    assert (city_class["wert"], city_class["grund"]) == ("", "entfällt")
    assert all(x["grund"] in ("", *REASONS) for x in lines)


def test_json_round_trip_keeps_every_value(report: Report):
    import json

    back = Report.from_dict(json.loads(render(report, "json")))
    assert back == report
