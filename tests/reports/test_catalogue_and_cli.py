"""A Land's catalogue overrides the default; qmon report writes, files and compares."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from cli.main import main
from geo.store import open_store
from monitoring.reports.catalogue import load_catalogue
from monitoring.reports.errors import CatalogueError
from monitoring.reports.generate import build_report

LAND = """
remove = ["B.4", "BI.5"]

[catalogue]
name = "Land NRW – Musterkatalog"
version = "2025-NRW"
disclosure_minimum = 500

[parts]
BI = "Begleitinformationen (NRW)"

[[field]]
part = "A"
code = "A.1"
label = "Programm (Land)"
source = "area.programme"

[[field]]
part = "D"
code = "D.9"
label = "Altersarmut"
source = "context.compare"
indicators = ["old_age_poverty_rate"]
"""


def test_a_land_file_overrides_labels_removes_and_adds_fields(tmp_path: Path):
    path = tmp_path / "nrw.toml"
    path.write_text(LAND, encoding="utf-8")
    cat = load_catalogue(path)
    codes = [e.code for e in cat.entries]
    assert "B.4" not in codes and "BI.5" not in codes
    assert codes.index("D.9") == codes.index("D.4") + 1  # added at the end of its part
    assert cat.entries[0].label == "Programm (Land)"
    assert (cat.name, cat.disclosure_minimum, cat.parts["BI"]) == (
        "Land NRW – Musterkatalog",
        500,
        "Begleitinformationen (NRW)",
    )
    assert cat.parts["A"] == load_catalogue().parts["A"]


def test_a_land_catalogue_changes_the_report(tmp_path: Path, demo_store, admin):
    path = tmp_path / "nrw.toml"
    path.write_text(LAND, encoding="utf-8")
    report = build_report(demo_store, admin, "SSZ-01", year=2024, catalogue=load_catalogue(path))
    rows = {r.field: r for _, _, r in report.rows()}
    assert rows["A.1"].label == "Programm (Land)"
    assert not any(code.startswith("B.4.") for code in rows)
    # the demo has no counts of old-age basic income: the field is there, not reported
    assert rows["D.9.old_age_poverty_rate.area"].reason == "nicht gemeldet"
    assert report.catalogue_version == "2025-NRW"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[field]]\npart = "A"\ncode = "A.99"\nlabel = "x"\nsource = "area.size_m2"\n',
            "die Quelle „area.size_m2“ ist unbekannt; bekannt sind: area.programme",
        ),
        (
            '[[field]]\npart = "Z"\ncode = "Z.1"\nlabel = "x"\nsource = "area.ags"\n',
            "der Teil „Z“ ist keiner von A, B, C, D, BI",
        ),
        (
            '[[field]]\npart = "B"\ncode = "B.1"\nlabel = "x"\nsource = "funds.sources"\n'
            'amounts = ["spent"]\n',
            "der Wert „spent“ von amounts ist keiner von planned, approved, paid",
        ),
        (
            '[[field]]\npart = "A"\ncode = "A.1"\nlabel = "x"\nsource = "area.ags"\n'
            'scope = "year"\n',
            "die Quelle „area.ags“ nimmt keine Option „scope“",
        ),
        ('remove = ["X.1"]\n', "remove nennt unbekannte Codes X.1"),
        (
            '[parts]\nremove = ["B.4"]\n',
            "schreiben Sie remove = \\[...\\] vor die erste \\[Tabelle\\]",
        ),
        (
            '[[field]]\npart = "D"\ncode = "D.1"\nlabel = "x"\nsource = "context.compare"\n',
            "braucht die Option „indicators“",
        ),
        ("[catalogue\n", "ist kein gültiges TOML"),
    ],
)
def test_a_bad_catalogue_is_refused_with_what_to_fix(tmp_path: Path, text: str, message: str):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_catalogue(path)


def test_a_missing_catalogue_file_is_named(tmp_path: Path):
    with pytest.raises(CatalogueError, match="existiert nicht"):
        load_catalogue(tmp_path / "nope.toml")


def test_qmon_report_one_area_all_areas_file_and_diff(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    store = tmp_path / "demo.gpkg"
    shutil.copy(demo_path, store)
    s = str(store)
    out = tmp_path / "SSZ.xlsx"
    assert (
        main(
            [
                "report",
                "--store",
                s,
                "--area",
                "SSZ-01",
                "--year",
                "2024",
                "--format",
                "xlsx",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert out.read_bytes()[:2] == b"PK"
    folder = tmp_path / "alle"
    assert (
        main(
            [
                "report",
                "--store",
                s,
                "--all",
                "--year",
                "2024",
                "--format",
                "csv",
                "--out",
                str(folder),
            ]
        )
        == 0
    )
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 10 and names[0] == "SSZ-01_2024_teil_A.csv"
    captured = capsys.readouterr()
    assert "2 Berichte (csv) für 2024" in captured.out and "Berichte 2024" in captured.err
    # file, then change a measure's money, then compare
    assert main(["report", "file", "--store", s, "--area", "SSZ-01", "--year", "2024"]) == 0
    assert "eingereicht: SSZ-01/2024/1" in capsys.readouterr().out
    assert main(["report", "diff", "--store", s, "--area", "SSZ-01", "--year", "2024"]) == 0
    assert "Keine Änderungen" in capsys.readouterr().out
    with open_store(s) as st:
        ours = set(st.read("measures", where={"funding_area_id": "SSZ-01"})["id"])
        lines = st.read("funding_lines", where={"programme_year": 2024, "source": "Land"})
        line = lines[lines["measure_id"].isin(ours)].iloc[[0]]
        st.write("funding_lines", line.assign(paid=line["paid"] - 100.0), mode="upsert")
    assert main(["report", "diff", "--store", s, "--area", "SSZ-01", "--year", "2024"]) == 1
    text = capsys.readouterr().out
    assert "Finanzierung (Kosten- und Finanzierungsübersicht)" in text
    assert "B.1.land.paid" in text and "geändert" in text
    assert main(["report", "filed", "--store", s]) == 0
    assert "SSZ-01/2024/1" in capsys.readouterr().out


def test_qmon_report_refuses_unclear_options(demo_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["report", "--store", str(demo_path), "--year", "2024", "--out", "x.pdf"]) == 2
    assert "give either --area ID" in capsys.readouterr().err
    assert (
        main(
            [
                "report",
                "--store",
                str(demo_path),
                "--area",
                "SSZ-01",
                "--year",
                "1900",
                "--out",
                "x.pdf",
            ]
        )
        == 2
    )
    assert "outside 1971–2100" in capsys.readouterr().err


def test_csv_of_one_area_into_a_folder_parses(demo_path: Path, tmp_path: Path):
    folder = tmp_path / "csv"
    assert (
        main(
            [
                "report",
                "--store",
                str(demo_path),
                "--area",
                "WNE-01",
                "--year",
                "2024",
                "--format",
                "csv",
                "--out",
                str(folder),
            ]
        )
        == 0
    )
    text = (folder / "WNE-01_2024_teil_B.csv").read_text(encoding="utf-8")
    lines = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert lines and all(x["teil"] == "B" and x["gesamtmassnahme"] == "WNE-01" for x in lines)
