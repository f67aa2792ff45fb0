"""A Land's catalogue overrides the default; qmon report writes, files and compares."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from cli.main import main
from geo.store import open_store
from monitoring.auth import User
from monitoring.reports.catalogue import load_catalogue
from monitoring.reports.errors import CatalogueError
from monitoring.reports.generate import build_report

LAND = """
remove = ["B.4", "C.9"]

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
    assert "B.4" not in codes and "C.9" not in codes
    assert codes.index("D.9") == codes.index("D.4") + 1  # added at the end of its part
    assert cat.entries[0].label == "Programm (Land)"
    assert (cat.name, cat.disclosure_minimum, cat.parts["BI"]) == (
        "Land NRW – Musterkatalog",
        500,
        "Begleitinformationen (NRW)",
    )
    assert cat.parts["A"] == load_catalogue().parts["A"]
    # the Land's file says nothing about itself: the note names it as an adaptation
    assert cat.note.startswith(load_catalogue().note)
    assert cat.note.endswith("Angepasst durch den Katalog „Land NRW – Musterkatalog“.")
    path.write_text(LAND.replace('version = "2025-NRW"', 'version = "2025-NRW"\nnote = "NRW"'))
    assert load_catalogue(path).note == "NRW"


def test_the_default_catalogue_says_it_is_the_platforms_model():
    cat = load_catalogue()
    assert "Modell der Plattform" in cat.note and "Land" in cat.note and "A–D" in cat.note
    from monitoring.reports.catalogue import DEFAULT_FILE

    header = DEFAULT_FILE.read_text(encoding="utf-8").split("[catalogue]")[0]
    assert "THIS IS THE PLATFORM'S MODEL" in header and "varies by Land and year" in header
    # each part's content where it belongs: dwellings are Wohnverhältnisse, and the
    # Begleitinformationen describe the area (concept, goals, structures), no yearly counts
    by_code = {e.code: e for e in cat.entries}
    dwellings = next(
        e for e in cat.entries if "wohnungen_modernisiert" in e.option("quantities", [])
    )
    assert "Wohnverhältnisse" in dwellings.label
    assert "Wohnumfeld" not in dwellings.label
    bi = [e.source for e in cat.entries_of("BI")]
    assert bi[:2] == ["concept.document", "concept.goals"]
    assert not {"participation.activities", "participation.funds"} & set(bi)
    assert by_code["C.8"].source == "participation.activities"


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
    # the field number of the Land line of B.1 (catalogue numbering), not an internal key
    assert "B.1.2 " in text and "B.1.land.paid" not in text and "geändert" in text
    assert main(["report", "filed", "--store", s]) == 0
    listed = capsys.readouterr().out
    assert "SSZ-01/2024/1" in listed and " Uhr" in listed


def test_qmon_report_sender_set_and_shown_on_the_report(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    store = tmp_path / "demo.gpkg"
    shutil.copy(demo_path, store)
    s = str(store)
    assert main(["report", "sender", "--store", s]) == 0
    assert "Erika Beispiel" in capsys.readouterr().out  # the demo city's sender
    with open_store(s) as st:  # a store without one says so
        st.delete("report_sender", where={"id": "absender"})
    assert main(["report", "sender", "--store", s]) == 0
    assert "Kein Absender hinterlegt" in capsys.readouterr().out
    args = ["report", "sender", "set", "--store", s, "--municipality", "Stadt Musterstadt"]
    args += ["--office", "Amt für Stadterneuerung", "--contact", "Erika Muster"]
    args += ["--phone", "0123 456-789", "--email", "stadterneuerung@musterstadt.de"]
    assert main(args) == 0
    assert "Absender gespeichert" in capsys.readouterr().out
    assert main(["report", "sender", "--store", s]) == 0
    assert "Amt für Stadterneuerung" in capsys.readouterr().out
    # a viewer may not change it; a bad e-mail address is refused in German
    viewer = ["report", "sender", "set", "--store", s, "--role", "viewer", "--phone", "1234"]
    assert main(viewer) != 0
    assert main(["report", "sender", "set", "--store", s, "--email", "kein-at"]) != 0
    assert "keine E-Mail-Adresse" in capsys.readouterr().err
    with open_store(s) as st:
        audit = st.read("audit_log", where={"layer": "report_sender"})
        report = build_report(st, User("anna", "admin"), "SSZ-01", year=2024)
    assert len(audit) == 1  # written through the one writing path, with its audit row
    assert report.sender["office"] == "Amt für Stadterneuerung"


def test_qmon_report_warns_for_a_year_before_admission(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    with open_store(str(demo_path)) as st:
        start = int(st.read("funding_areas", where={"id": "SSZ-01"})["start_year"].iloc[0])
    out = tmp_path / "alt.json"
    args = ["report", "--store", str(demo_path), "--area", "SSZ-01", "--year", str(start - 1)]
    assert main([*args, "--format", "json", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"Achtung: Das Berichtsjahr {start - 1} liegt vor dem Aufnahmejahr {start}" in err
    assert main([*args[:-1], str(start), "--format", "json", "--out", str(out)]) == 0
    assert "Achtung" not in capsys.readouterr().err


def test_qmon_report_refuses_unclear_options(demo_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["report", "--store", str(demo_path), "--year", "2024", "--out", "x.pdf"]) == 2
    assert "geben Sie entweder --area ID" in capsys.readouterr().err
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
    assert "außerhalb von 1971–2100" in capsys.readouterr().err


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
    text = (folder / "WNE-01_2024_teil_B.csv").read_text(encoding="utf-8-sig")
    lines = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert lines and all(x["teil"] == "B" and x["gesamtmassnahme"] == "WNE-01" for x in lines)
