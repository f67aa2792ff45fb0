"""Indicator tables keyed by district name: aggregate and merged rows, re-imports, imports list.

A small Hamburg: two Bezirke and ten Stadtteile inside them (with parent ids), one
Stadtteil name twice (as Berlin has "Schloßstraße" twice). The tables are written
here as a statistics office delivers them: names in other spellings, a Bezirk row,
a "Hamburg insgesamt" row, "Waltershof und Finkenwerder", in cp1252 and UTF-8.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from cli.main import main
from geo.errors import ImportRefused
from geo.store import Store
from tests.imports._util import (
    assert_unchanged,
    fresh_store,
    import_areas,
    import_indicators,
    snapshot,
)

BEZIRKE = {"01": ("Hamburg-Mitte", 0), "02": ("Altona", 1)}
STADTTEILE = {
    "101": ("Hamburg-Altstadt", "01"),
    "102": ("St. Georg", "01"),
    "103": ("Waltershof", "01"),
    "104": ("Finkenwerder", "01"),
    "105": ("Schloßstraße", "01"),
    "201": ("Altona-Altstadt", "02"),
    "202": ("Ottensen", "02"),
    "203": ("Groß Flottbek", "02"),
    "204": ("Sülldorf", "02"),
    "205": ("Schloßstraße", "02"),
}
X0, Y0 = 560000, 5930000


def _districts() -> gpd.GeoDataFrame:
    rows = []
    for bezirk, (name, col) in BEZIRKE.items():
        rows.append(
            {
                "id": bezirk,
                "name": name,
                "geometry": shapely.box(X0 + 3000 * col, Y0, X0 + 3000 * (col + 1), Y0 + 3000),
            }
        )
    return gpd.GeoDataFrame(rows, crs=25832)


def _stadtteile() -> gpd.GeoDataFrame:
    rows = []
    seen: dict[str, int] = {}
    for sid, (name, parent) in STADTTEILE.items():
        n = seen.get(parent, 0)
        seen[parent] = n + 1
        col = BEZIRKE[parent][1]
        x = X0 + 3000 * col + 1000 * (n % 3)
        y = Y0 + 1000 * (n // 3)
        rows.append(
            {
                "id": sid,
                "name": name,
                "bezirk": parent,
                "geometry": shapely.box(x, y, x + 1000, y + 1000),
            }
        )
    return gpd.GeoDataFrame(rows, crs=25832)


@pytest.fixture
def hh(store_url: str, tmp_path: Path) -> Iterator[Store]:
    """A store with Bezirke and Stadtteile (parent ids set), vintage 2020."""
    st = fresh_store(store_url, crs="EPSG:25832")
    _districts().to_file(tmp_path / "bezirke.geojson")
    _stadtteile().to_file(tmp_path / "stadtteile.geojson")
    import_areas(
        st,
        tmp_path / "bezirke.geojson",
        level="Bezirk",
        id_col="id",
        name_col="name",
        valid_from="2020-01-01",
    )
    import_areas(
        st,
        tmp_path / "stadtteile.geojson",
        level="Stadtteil",
        id_col="id",
        name_col="name",
        parent_col="bezirk",
        valid_from="2020-01-01",
    )
    yield st
    st.close()


def _csv(path: Path, text: str, encoding: str = "cp1252") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _by_name(store: Store, source: Path, **options: object):
    defaults: dict[str, object] = {
        "id_col": "Stadtteil",
        "match": "name",
        "period": "2021-12-31",
        "columns": ["Einwohner", "Anteil"],
        "rename": {"Einwohner": "residents", "Anteil": "al_anteil"},
    }
    return import_indicators(store, source, **(defaults | options))


PROFILE = (
    "Stadtteil;Einwohner;Anteil\n"
    "HAMBURG ALTSTADT;2.500;5,1\n"
    "Sankt Georg;11.000;6,2\n"
    "Altona Altstadt;29.000;7,0\n"
    "ottensen;35.000;4,0\n"
    "Gross-Flottbek;11.100;2,0\n"
    "Sulldorf;9.000;1,5\n"
)


def _values(store: Store, indicator: str = "residents") -> dict[str, float]:
    stored = store.read("indicator_values", where={"indicator": indicator})
    return dict(zip(stored["area_id"], stored["value"]))


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8"])
def test_names_match_whatever_the_spelling(hh: Store, tmp_path: Path, encoding: str):
    text = PROFILE if encoding == "cp1252" else PROFILE.replace("Sulldorf", "Suelldorf")
    result = _by_name(hh, _csv(tmp_path / "profil.csv", text, encoding))
    assert result.details["level"] == "Stadtteil" and result.details["vintage"] == "2020"
    assert _values(hh) == {
        "101": 2500.0,
        "102": 11000.0,
        "201": 29000.0,
        "202": 35000.0,
        "203": 11100.0,
        "204": 9000.0,
    }
    assert result.details["areas_without_value"] == 4
    assert "skipped" not in result.details


def test_unknown_name_lists_closest_and_duplicate_name_names_both_ids(hh: Store, tmp_path: Path):
    csv = _csv(
        tmp_path / "profil.csv",
        "Stadtteil;Einwohner;Anteil\nOttensenn;35.000;4,0\nSchlossstrasse;5.000;3,0\n"
        "St. Georg;11.000;6,2\n",
    )
    before = snapshot(hh)
    with pytest.raises(ImportRefused) as refused:
        _by_name(hh, csv)
    text = str(refused.value)
    assert "Zeile 2, Spalte 'Stadtteil', Wert 'Ottensenn': kein gespeichertes Gebiet" in text
    assert "ähnlich: „Ottensen“" in text
    assert "Zeile 3" in text and "passt zu 2 gespeicherten Gebieten" in text
    assert "„Schloßstraße“ (ID 105), „Schloßstraße“ (ID 205)" in text
    assert "--match id" in text
    assert_unchanged(before, hh)


def test_aggregate_rows_recognised_and_checked(hh: Store, tmp_path: Path):
    csv = _csv(
        tmp_path / "profil.csv",
        "Stadtteil;Einwohner;Anteil\n"
        "Hamburg-Altstadt;2.500;5,1\n"
        "St. Georg;11.000;6,2\n"
        "Hamburg-Mitte;99.999;5,9\n"  # wrong: the parts give 13.500
        "Altona-Altstadt;29.000;7,0\n"
        "Ottensen;35.000;4,0\n"
        "Bezirk Altona;64.000;5,2\n"  # right
        "Hamburg insgesamt;77.500;5,5\n",  # right: every district row
        "utf-8",
    )
    result = _by_name(hh, csv)
    assert sorted(_values(hh)) == ["101", "102", "201", "202"]
    reasons = {s["row"]: s["reason"] for s in result.details["skipped"]}
    assert sorted(reasons) == [4, 7, 8]
    assert "Summenzeile (Gebiet 01 der Ebene „Bezirk“)" in reasons[4]
    assert "Summe aller Gebiete" in reasons[8]
    wrong = [n for n in result.notes if "nennt für" in n]
    assert wrong == [
        "profil.csv, Zeile 4: die Summenzeile „Hamburg-Mitte“ nennt für „residents“ 99.999, "
        "die Summe ihrer 2 Teilgebiete in der Datei ist 13.500 (Differenz 86.499)"
    ]
    assert result.details["aggregate_differences"][0]["sum"] == 13500.0
    assert any("Zeile 7: „Bezirk Altona“ ist eine Summenzeile" in n for n in result.notes)


def test_merged_row_refused_then_skipped_on_request(hh: Store, tmp_path: Path):
    csv = _csv(
        tmp_path / "profil.csv",
        "Stadtteil;Einwohner;Anteil\n"
        "Hamburg-Altstadt;2.500;5,1\n"
        "Waltershof und Finkenwerder;11.800;3,3\n"
        "Ottensen;35.000;4,0\n"
        "Nirgendwo;1;1,0\n",
    )
    before = snapshot(hh)
    with pytest.raises(ImportRefused) as refused:
        _by_name(hh, csv)
    text = str(refused.value)
    assert "die Zeile umfasst 2 Gebiete („Waltershof“ (ID 103), „Finkenwerder“ (ID 104))" in text
    assert "Wert 'Nirgendwo'" in text and "--skip-unmatched" in text
    assert_unchanged(before, hh)
    dry = _by_name(hh, csv, skip_unmatched=True, dry_run=True)
    assert [(s["row"], s["name"]) for s in dry.details["skipped"]] == [
        (3, "Waltershof und Finkenwerder"),
        (5, "Nirgendwo"),
    ]
    assert dry.details["areas_without_value"] == 8
    assert_unchanged(before, hh)
    result = _by_name(hh, csv, skip_unmatched=True)
    assert result.rows == 4
    assert _values(hh) == {"101": 2500.0, "202": 35000.0}


def test_reimport_shows_differences_and_replaces_never_appends(hh: Store, tmp_path: Path):
    first = _by_name(hh, _csv(tmp_path / "profil_2021.csv", PROFILE))
    assert first.details["edition"] == "profil_2021"
    corrected = _csv(
        tmp_path / "profil_2021_korrigiert.csv",
        PROFILE.replace("ottensen;35.000", "ottensen;35.100").replace("Sulldorf;9.000;1,5\n", ""),
    )
    before = snapshot(hh)
    with pytest.raises(ImportRefused) as refused:
        _by_name(hh, corrected)
    text = str(refused.value)
    assert "gegenüber den 12 gespeicherten Werten der Ausgabe „profil_2021“" in text
    assert "1 Wert ändert sich, 0 sind neu, 2 entfallen, 9 bleiben gleich" in text
    assert "Ottensen, Einwohnerinnen und Einwohner: 35.000 -> 35.100" in text
    assert "Sülldorf, Einwohnerinnen und Einwohner: 9.000 entfällt" in text
    assert_unchanged(before, hh)
    dry = _by_name(hh, corrected, replace=True, dry_run=True)
    assert dry.details["differences"]["changed"] == 1 and dry.details["differences"]["gone"] == 2
    assert_unchanged(before, hh)
    result = _by_name(hh, corrected, replace=True)
    assert result.details["edition"] == "profil_2021" and result.details["replaced"] == 12
    stored = hh.read("indicator_values")
    assert set(stored["edition"]) == {"profil_2021"} and len(stored) == 10
    assert _values(hh)["202"] == 35100.0
    other = _by_name(hh, corrected, edition="Sozialatlas 2022")
    assert other.details["edition"] == "Sozialatlas 2022" and "differences" not in other.details
    assert set(hh.read("indicator_values")["edition"]) == {"profil_2021", "Sozialatlas 2022"}


def test_recomputed_edition_is_not_replaced(hh: Store, tmp_path: Path):
    csv = _csv(tmp_path / "profil.csv", PROFILE)
    _by_name(hh, csv, edition="berlin-mss-2021 (neu berechnet)")
    result = _by_name(hh, csv)
    assert result.details["edition"] == "profil" and "differences" not in result.details
    assert len(hh.read("indicator_values")) == 24


def test_cli_match_name_imports_list_and_undo(
    hh: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    csv = _csv(
        tmp_path / "profil.csv",
        PROFILE + "Waltershof und Finkenwerder;11.800;3,3\nHamburg insgesamt;97.600;4,9\n",
    )
    args = ["import", "indicators", str(csv), "--store", hh.url, "--id", "Stadtteil"]
    args += ["--match", "name", "--period", "2021-12-31", "--columns", "Einwohner,Anteil"]
    args += ["--rename", "Einwohner=residents,Anteil=al_anteil"]
    assert main(args) == 2
    assert "die Zeile umfasst 2 Gebiete" in capsys.readouterr().err
    assert main([*args, "--skip-unmatched", "--user", "erika", "--role", "editor"]) == 0
    out = capsys.readouterr().out
    assert "nicht gespeichert: Zeile 8 „Waltershof und Finkenwerder“" in out
    assert "4 gespeicherte Gebiete der Ebene haben keinen Wert" in out
    batch = hh.read("import_batches").sort_values("at")["id"].iloc[-1]
    summary = json.loads(hh.read("import_batches", where={"id": batch})["summary"].iloc[0])
    sha = hashlib.sha256(csv.read_bytes()).hexdigest()[:12]
    assert summary["fingerprint"] == sha
    url = ["--store", hh.url]
    for listing in (["imports", *url], ["import", "list", *url], ["imports", *url, "list"]):
        assert main(listing) == 0
        out = capsys.readouterr().out
        assert batch in out and sha in out and "erika" in out and "12 Zeilen" in out
    assert main(["imports", "undo", batch, "--store", hh.url, "--role", "viewer"]) == 2
    assert "(Rolle „Lesen“) darf " in capsys.readouterr().err
    assert main(["imports", "undo", batch, "--store", hh.url]) == 0
    assert "rückgängig gemacht" in capsys.readouterr().out
    assert hh.read("indicator_values").empty
    assert main(["import", "undo", batch, "--store", hh.url]) == 2
    assert "schon" in capsys.readouterr().err


def test_id_keys_recognise_aggregate_rows_too(hh: Store, tmp_path: Path):
    csv = _csv(
        tmp_path / "ids.csv",
        "Nr;Einwohner\n101;2.500\n102;11.000\n01;13.500\nInsgesamt;14.000\n",
    )
    result = import_indicators(
        hh,
        csv,
        id_col="Nr",
        period="2021",
        columns=["Einwohner"],
        rename={"Einwohner": "residents"},
    )
    assert _values(hh) == {"101": 2500.0, "102": 11000.0}
    assert [s["row"] for s in result.details["skipped"]] == [4, 5]
    assert [d["row"] for d in result.details["aggregate_differences"]] == [5]
    assert any("„Insgesamt“ nennt für „residents“ 14.000" in n for n in result.notes)


def test_nothing_left_to_store_is_refused(hh: Store, tmp_path: Path):
    csv = _csv(tmp_path / "p.csv", "Stadtteil;Einwohner;Anteil\nNirgendwo;1;1,0\n")
    with pytest.raises(ImportRefused, match="keine Zeile der Datei ist ein gespeichertes Gebiet"):
        _by_name(hh, csv, skip_unmatched=True, level="Stadtteil")


def test_berlin_ortsteile_by_name_real_data(store_url: str, real_data: Path, tmp_path: Path):
    """Berlin's population table by Ortsteil name, with a Bezirk row and a total added."""
    folder = real_data / "berlin_lor_shapes"
    st = fresh_store(store_url, crs="EPSG:25833")
    import_areas(
        st,
        folder / "districts" / "bezirksgrenzen.shp",
        level="Bezirk",
        id_col="Gemeinde_s",
        name_col="Gemeinde_n",
        valid_from="2023-01-01",
    )
    shapes = folder / "local_districts" / "lor_ortsteile.shp"
    import_areas(
        st, shapes, level="Ortsteil", id_col="spatial_na", name_col="OTEIL", valid_from="2023-01-01"
    )
    table = folder / "local_districts" / "population_age_gender_Berlin_local_districts_20231231.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    totals = {line.split(",")[0]: int(line.split(",")[1]) for line in lines[1:]}
    in_mitte = gpd.read_file(shapes).query("BEZIRK == 'Mitte'")["OTEIL"]
    mitte = sum(totals[n] for n in in_mitte)
    pad = "," * (lines[0].count(",") - 1)
    lines += [f"Bezirk Mitte,{mitte}{pad}", f"Berlin insgesamt,{sum(totals.values())}{pad}"]
    csv = _csv(tmp_path / "ortsteile.csv", "\n".join(lines) + "\n", "utf-8")
    options = {"id_col": "local_district_name", "match": "name", "period": "2023-12-31"}
    options |= {"columns": ["total"], "rename": {"total": "residents"}}
    with pytest.raises(ImportRefused, match="Wert 'Schlachtensee': kein gespeichertes Gebiet"):
        import_indicators(st, csv, **options)
    result = import_indicators(st, csv, skip_unmatched=True, **options)
    assert result.rows == 96 and result.details["areas_without_value"] == 0
    skipped = {s["name"]: s["reason"] for s in result.details["skipped"]}
    assert sorted(skipped) == ["Berlin insgesamt", "Bezirk Mitte", "Schlachtensee"]
    assert "Gebiet 001 der Ebene „Bezirk“" in skipped["Bezirk Mitte"]
    # the published total counts Schlachtensee, which the stored Ortsteile do not have
    assert [
        (d["name"], d["stated"] - d["sum"]) for d in result.details["aggregate_differences"]
    ] == [("Berlin insgesamt", totals["Schlachtensee"])]
    st.close()


def test_several_stored_editions_ask_which_one(hh: Store, tmp_path: Path):
    csv = _csv(tmp_path / "profil.csv", PROFILE)
    _by_name(hh, csv, edition="Profil A")
    _by_name(hh, csv, edition="Profil B")
    before = snapshot(hh)
    with pytest.raises(ImportRefused) as refused:
        _by_name(hh, csv, replace=True)
    text = str(refused.value)
    assert "schon Werte mehrerer Ausgaben gespeichert: „Profil A“, „Profil B“" in text
    assert "--edition" in text
    assert_unchanged(before, hh)
    result = _by_name(hh, csv, edition="Profil B", replace=True)
    assert result.details["differences"]["unchanged"] == 12
    assert sorted(set(hh.read("indicator_values")["edition"])) == ["Profil A", "Profil B"]
