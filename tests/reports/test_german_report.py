"""The federal report read as a clerk reads it (issue 14): the PDF's text and the workbook's
cells pass the same German audit as the app's pages (``tests/german_audit.py``)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from monitoring.reports.generate import render
from monitoring.reports.report import Report
from tests.german_audit import Finding, text_findings

#: values a report shows as keys by design: the municipality key (AGS)
ALLOWED: set[str] = set()


@pytest.mark.parametrize("area", ["SSZ-01", "WNE-01"])
def test_pdf_text_reads_german(demo_reports: dict[str, Report], area: str, tmp_path: Path):
    pdf = tmp_path / "bericht.pdf"
    pdf.write_bytes(render(demo_reports[area], "pdf"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    found: list[Finding] = []
    for number, line in enumerate(text.splitlines(), start=1):
        found += text_findings(f"PDF Zeile {number}", line, allowed=ALLOWED)
    assert not found, "\n".join(map(str, found[:60]))


@pytest.mark.parametrize("area", ["SSZ-01", "WNE-01"])
def test_workbook_cells_read_german(demo_reports: dict[str, Report], area: str):
    book = load_workbook(io.BytesIO(render(demo_reports[area], "xlsx")))
    found: list[Finding] = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    found += text_findings(f"{sheet.title}!{cell.coordinate}", cell.value)
                elif isinstance(cell.value, float) and cell.number_format == "General":
                    found.append(
                        Finding(
                            f"{sheet.title}!{cell.coordinate}",
                            "Zahl ohne Format",
                            str(cell.value),
                            "",
                        )
                    )
    assert not found, "\n".join(map(str, found[:60]))
