"""``qmon kuf``, ``qmon verwendungsnachweis`` and ``qmon sachbericht`` write their files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from cli.main import main
from geo.store import open_store
from monitoring.auth import User
from monitoring.grants import service as grants
from tests.grants.conftest import CRS, seed_grants


@pytest.fixture
def store(gpkg_url: str) -> str:
    with open_store(gpkg_url) as s:
        s.init(crs=CRS)
        seed_grants(s)
    return gpkg_url


def test_kuf_writes_a_workbook_and_a_csv(store: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "kuf.xlsx"
    assert (
        main(["kuf", "--store", store, "--area", "FA", "--format", "xlsx", "--out", str(out)]) == 0
    )
    printed = capsys.readouterr().out
    assert "Kosten geplant 868.347,62\xa0€" in printed or "Kosten geplant 868.347,62 €" in printed
    book = load_workbook(out)
    assert book.sheetnames == ["KuF", "Maßnahmen"]
    with open_store(store) as s:
        lines = s.read("funding_lines")
    summe = [r for r in book["KuF"].iter_rows(values_only=True) if r[0] == "Summe"][0]
    assert summe[-1] == pytest.approx(round(lines["planned"].sum(), 2))

    out_csv = tmp_path / "sub" / "kuf.csv"
    args = ["kuf", "--store", store, "--area", "FA", "--year", "2023", "--format", "csv"]
    assert main([*args, "--out", str(out_csv)]) == 0
    rows = list(csv.reader(io.StringIO(out_csv.read_text("utf-8-sig")), delimiter=";"))
    years = {int(r[2]) for r in rows[1:]}
    assert years == {2023}  # --year leaves out later programme years
    paid = sum(float(r[5].replace(",", ".")) for r in rows[1:] if r[0] == "Kosten")
    assert paid == pytest.approx(lines.loc[lines["programme_year"] == 2023, "paid"].sum())


def test_kuf_lists_and_writes_frozen_versions(store: str, tmp_path: Path, capsys) -> None:
    assert main(["kuf", "--store", store, "--area", "FA", "--versions"]) == 0
    assert "keine KuF-Fassung" in capsys.readouterr().out
    with open_store(store) as s:
        version = grants.freeze_kuf(s, User("anna", "admin"), "FA", purpose="Förderantrag 2024")
    assert main(["kuf", "--store", store, "--area", "FA", "--versions"]) == 0
    listing = capsys.readouterr().out
    assert version["id"] in listing and "Förderantrag 2024" in listing
    out = tmp_path / "frozen.xlsx"
    args = ["kuf", "--store", store, "--area", "FA", "--version", version["id"]]
    assert main([*args, "--out", str(out)]) == 0
    stand = [r[1] for r in load_workbook(out)["KuF"].iter_rows(values_only=True) if r[0] == "Stand"]
    assert version["id"] in stand[0]
    assert main([*args[:-2], "--version", "FA/KuF/99", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "„FA/KuF/99“ gibt es nicht" in err and "--versions" in err
    other = ["kuf", "--store", store, "--area", "XY", "--version", version["id"]]
    assert main([*other, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"„{version['id']}“ gehört zur Gesamtmaßnahme „FA“, nicht zu „XY“" in err, err
    assert main(["kuf", "--store", store, "--area", "FA"]) == 2
    assert "--out" in capsys.readouterr().err


def test_verwendungsnachweis_and_sachbericht_write_their_files(
    store: str, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "vn.xlsx"
    args = ["verwendungsnachweis", "--store", store, "--area", "FA", "--final"]
    assert main([*args, "--out", str(out)]) == 0
    assert "Schlussabrechnung" in capsys.readouterr().out
    book = load_workbook(out)
    assert book.sheetnames == ["Verwendungsnachweis", "Mittelabrufe", "Abgleich KuF"]
    with open_store(store) as s:
        drawn = s.read("drawdowns")["amount"].sum()
    assert list(book["Mittelabrufe"].iter_rows(values_only=True))[-1][3] == pytest.approx(drawn)

    doc_out = tmp_path / "sb.docx"
    args = ["sachbericht", "--store", store, "--area", "FA", "--year", "2024", "--user", "dora"]
    assert main([*args, "--role", "viewer", "--out", str(doc_out)]) == 0
    doc = docx.Document(str(doc_out))
    assert doc.core_properties.author == "dora"
    assert any(p.text[2:] == "Zielerreichung" for p in doc.paragraphs)
    assert main(["sachbericht", "--store", store, "--area", "XX", "--year", "2024",
                 "--out", str(doc_out)]) == 2  # fmt: skip
    assert "XX" in capsys.readouterr().err
