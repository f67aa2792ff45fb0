"""``qmon overview`` through cli.main.main, on both stores."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cli.main import main
from geo.store import open_store
from tests.federal.seed import COUNT, HOSTILE, YEAR, seed_overview


@pytest.fixture
def seeded_url(store_url: str) -> str:
    with open_store(store_url) as store:
        seed_overview(store)
    return store_url


def test_table_and_json(seeded_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["overview", "--store", seeded_url, "--year", str(YEAR), "--frist", "01.01.2025"]) == 0
    )
    out = capsys.readouterr().out
    assert "Stand der Meldungen" in out and "Verspätet (2)" in out
    assert "Aachen Ost" in out and "Summen nach Land" in out and "Nordrhein-Westfalen" in out
    assert "Frist 01.01.2025" in out
    code = main(
        [
            "overview",
            "--store",
            seeded_url,
            "--year",
            str(YEAR),
            "--format",
            "json",
            "--land",
            "05",
            "--frist",
            "01.01.2025",
            "--schwelle",
            "0,5",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kennzahlen"]["erwartet"] == 4 and data["kennzahlen"]["verspätet"] == 1
    assert [d["Gesamtmaßnahme"] for d in data["abweichungen"]] == ["A4"]
    land = [s for s in data["summen"]["land"] if s["Schlüssel"] == COUNT]
    assert [(s["Land"], s["Summe"]) for s in land] == [("05", 12.0)]


def test_files_and_refusals(
    seeded_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xlsx, sums = tmp_path / "u.xlsx", tmp_path / "u.csv"
    assert (
        main(
            [
                "overview",
                "--store",
                seeded_url,
                "--year",
                str(YEAR),
                "--format",
                "xlsx",
                "--out",
                str(xlsx),
            ]
        )
        == 0
    )
    book = load_workbook(xlsx)
    cells = [c for s in book.worksheets for row in s.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert HOSTILE in [c.value for c in cells]
    assert (
        main(
            [
                "overview",
                "--store",
                seeded_url,
                "--year",
                str(YEAR),
                "--format",
                "csv",
                "--tabelle",
                "meldungen",
                "--out",
                str(sums),
            ]
        )
        == 0
    )
    rows = list(csv.reader(io.StringIO(sums.read_text("utf-8-sig")), delimiter=";"))
    assert "'" + HOSTILE in [r[rows[0].index("Name")] for r in rows[1:]]
    capsys.readouterr()
    assert main(["overview", "--store", seeded_url, "--year", str(YEAR), "--land", "NRW"]) == 2
    assert "zwei" not in capsys.readouterr().out
    assert main(["overview", "--store", seeded_url, "--year", str(YEAR), "--format", "csv"]) == 2
    assert "--out" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["overview", "--store", seeded_url, "--year", str(YEAR), "--frist", "2025-06-30"])
    assert "TT.MM.JJJJ" in capsys.readouterr().err
