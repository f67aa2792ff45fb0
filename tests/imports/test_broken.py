"""The broken-file corpus: each file is refused with its specific message, store unchanged.

Every test starts from a store that already holds areas, a funding area and
indicator values, so "unchanged" compares real content (row counts and every
value) before and after the refused import, in the GeoPackage and in PostGIS.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import shapely

from cli.main import main
from geo.errors import ImportRefused
from geo.store import Store
from tests.imports._util import (
    assert_unchanged,
    boxes,
    import_areas,
    import_buildings,
    import_indicators,
    import_measures,
    snapshot,
)


def refused(
    store: Store, use_case: Callable[..., Any], *args: Any, match: str, **kwargs: Any
) -> ImportRefused:
    """Run an import that must be refused; check the message and that nothing changed."""
    before = snapshot(store)
    with pytest.raises(ImportRefused, match=match) as info:
        use_case(store, *args, **kwargs)
    assert_unchanged(before, store)
    return info.value


AREA = {"level": "PLR", "id_col": "PLR_ID", "name_col": "PLR_NAME", "valid_from": "2023-01-01"}


def test_seed_values_were_read_the_german_way(store: Store):
    values = store.read("indicator_values").sort_values(["indicator", "area_id"])
    assert values["value"].tolist() == [4.2, 5.5, 1.0, 1675.0, 2010.0, 999.0]


def test_missing_prj(store: Store, tmp_path: Path):
    boxes().to_file(tmp_path / "plr.shp")
    (tmp_path / "plr.prj").unlink()
    exc = refused(
        store,
        import_areas,
        tmp_path / "plr.shp",
        **AREA,
        match=r"hat kein Koordinatenbezugssystem.*mit --crs an.*EPSG:25833.*\.prj-Datei",
    )
    assert len(exc.problems) == 1
    # and with --crs it is taken
    result = import_areas(store, tmp_path / "plr.shp", **AREA, crs="EPSG:25833")
    assert result.rows == 3


def test_degrees_declared_as_utm(store: Store, tmp_path: Path):
    frame = boxes().to_crs(4326).set_crs(25833, allow_override=True)
    frame.to_file(tmp_path / "plr.gpkg")
    refused(
        store,
        import_areas,
        tmp_path / "plr.gpkg",
        **AREA,
        match=r"angegebenen Bezugssystem EPSG:25833.*sehen aus wie Längen-/Breitengrade",
    )


def test_metres_declared_as_degrees(store: Store, tmp_path: Path):
    boxes().set_crs(4326, allow_override=True).to_file(tmp_path / "plr.geojson")
    refused(
        store,
        import_areas,
        tmp_path / "plr.geojson",
        **AREA,
        match=r"angegebenen Bezugssystem EPSG:4326.*sehen aus wie UTM-Meter",
    )


def test_invalid_geometry_with_strict(store: Store, tmp_path: Path):
    frame = boxes()
    frame.loc[1, "geometry"] = shapely.Polygon(
        [(390000, 5819000), (391000, 5820000), (391000, 5819000), (390000, 5820000)]
    )
    frame.to_file(tmp_path / "plr.gpkg")
    exc = refused(
        store,
        import_areas,
        tmp_path / "plr.gpkg",
        **AREA,
        strict=True,
        match=r"Objekt 2, Spalte 'PLR_ID', Wert '01100102': ungültige Geometrie: "
        r"Self-intersection",
    )
    assert len(exc.problems) == 1
    result = import_areas(store, tmp_path / "plr.gpkg", **AREA)
    note = "1 ungültige Geometrie mit make_valid repariert: Objekt 2 (ID 01100102)"
    assert note in result.notes[0]
    stored = store.read("areas", where={"id": "01100102", "vintage": "2023"})
    assert stored.geometry.iloc[0].is_valid
    assert stored.geometry.iloc[0].area == pytest.approx(500_000)


def test_empty_and_null_geometries(store: Store, tmp_path: Path):
    frame = boxes()
    frame.loc[0, "geometry"] = shapely.Polygon()
    frame.loc[2, "geometry"] = None
    frame.to_file(tmp_path / "plr.geojson")
    exc = refused(store, import_areas, tmp_path / "plr.geojson", **AREA, match="leere Geometrie")
    assert [(p.row, p.message) for p in exc.problems] == [
        (1, "hat eine leere Geometrie"),
        (3, "hat keine Geometrie"),
    ]


def test_wrong_geometry_type(store: Store, tmp_path: Path):
    frame = boxes()
    frame["geometry"] = frame.centroid
    frame.to_file(tmp_path / "plr.geojson")
    exc = refused(
        store,
        import_areas,
        tmp_path / "plr.geojson",
        **AREA,
        match=r"ist ein Point; die Ebene „Gebiete \(statistische Raumeinheiten\)“ nimmt nur "
        r"MultiPolygon oder Polygon",
    )
    assert len(exc.problems) == 3


def test_duplicate_ids(store: Store, tmp_path: Path):
    boxes(["A", "B", "A", "C", "C"]).to_file(tmp_path / "plr.gpkg")
    exc = refused(
        store,
        import_areas,
        tmp_path / "plr.gpkg",
        **AREA,
        match=r"Wert 'A': die ID kommt 2-mal vor \(Objekte 1, 3\)",
    )
    assert "Wert 'C': die ID kommt 2-mal vor (Objekte 4, 5)" in str(exc)


def test_missing_columns_name_the_existing_ones(store: Store, tmp_path: Path):
    boxes().to_file(tmp_path / "plr.gpkg")
    exc = refused(
        store,
        import_areas,
        tmp_path / "plr.gpkg",
        level="PLR",
        id_col="PLR_ID2",
        name_col="NAME",
        valid_from="2023-01-01",
        match=r"Spalte 'PLR_ID2': diese Spalte gibt es nicht \(Option --id\); die Datei hat die "
        r"Spalten: PLR_ID, PLR_NAME; Korrektur: meinten Sie 'PLR_ID'",
    )
    assert len(exc.problems) == 2


def test_truncated_shapefile(store: Store, tmp_path: Path):
    boxes().to_file(tmp_path / "plr.shp")
    shp = tmp_path / "plr.shp"
    shp.write_bytes(shp.read_bytes()[:-100])
    refused(
        store,
        import_areas,
        shp,
        **AREA,
        match=r"plr\.shp: die \.shp-Datei ist abgeschnitten: ihr Kopf nennt [\d.]+ Bytes, die "
        r"Datei hat [\d.]+",
    )


def test_empty_file(store: Store, tmp_path: Path):
    for name in ("plr.geojson", "plr.shp"):
        (tmp_path / name).write_bytes(b"")
        refused(store, import_areas, tmp_path / name, **AREA, match="die Datei ist leer")


def test_zip_without_dataset(store: Store, tmp_path: Path):
    with zipfile.ZipFile(tmp_path / "plr.zip", "w") as archive:
        archive.writestr("liesmich.txt", "Daten folgen")
        archive.writestr("plr.dbf", b"")
    refused(
        store,
        import_areas,
        tmp_path / "plr.zip",
        **AREA,
        match=r"die zip-Datei enthält keinen Datensatz \(sie enthält: liesmich\.txt, plr\.dbf\)",
    )


def test_zip_with_shapefile_is_read(store: Store, tmp_path: Path):
    boxes(["Z1", "Z2"]).to_file(tmp_path / "z.shp")
    with zipfile.ZipFile(tmp_path / "z.zip", "w") as archive:
        for part in tmp_path.glob("z.*"):
            if part.suffix != ".zip":
                archive.write(part, f"daten/{part.name}")
    calls: list[tuple[float, str]] = []
    result = import_areas(
        store, tmp_path / "z.zip", **AREA, progress=lambda f, m: calls.append((f, m))
    )
    assert (result.rows, result.source) == (2, "z.zip/daten/z.shp")
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert calls[-1][1] == "2 von 2 Zeilen geschrieben"


def test_corrupt_file(store: Store, tmp_path: Path):
    (tmp_path / "plr.gpkg").write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 4)
    refused(
        store, import_areas, tmp_path / "plr.gpkg", **AREA, match="ist als Vektordatei nicht lesbar"
    )


def test_geopackage_with_several_layers_needs_layer(store: Store, tmp_path: Path):
    boxes().to_file(tmp_path / "m.gpkg", layer="plr")
    boxes(["X"]).to_file(tmp_path / "m.gpkg", layer="other")
    refused(
        store,
        import_areas,
        tmp_path / "m.gpkg",
        **AREA,
        match=r"enthält 2 Layer: plr, other.*--layer",
    )
    assert import_areas(store, tmp_path / "m.gpkg", **AREA, layer="other").rows == 1


# --- indicators ------------------------------------------------------------------------


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


IND = {"id_col": "PLR_ID", "period": "2021-12-31"}


def test_unknown_ids_with_closest_matches(store: Store, tmp_path: Path):
    csv = write_csv(tmp_path / "v.csv", "PLR_ID;EW\n01100101;5\n0110O102;6\n99999999;7\n")
    exc = refused(
        store,
        import_indicators,
        csv,
        **IND,
        columns=["EW"],
        match=r"Zeile 3, Spalte 'PLR_ID', Wert '0110O102': .*"
        r"gespeicherten Gebieten der Ebene „PLR“, Gebietsstand „2021“.*'01100102'",
    )
    assert "Zeile 4, Spalte 'PLR_ID', Wert '99999999'" in str(exc)
    assert len(exc.problems) == 2


def test_sentinels_are_impossible_unless_declared(store: Store, tmp_path: Path):
    csv = write_csv(
        tmp_path / "mss.csv",
        "PLR_ID,S1,EW\n01100101,4.2,3419\n01100102,-9999,-9999\n01100103,1.5,300\n",
    )
    options = {**IND, "columns": ["S1", "EW"], "rename": {"S1": "mss_s1", "EW": "residents"}}
    exc = refused(
        store,
        import_indicators,
        csv,
        **options,
        match=r"-9.999 ist unmöglich für „mss_s1“.*mit --na als fehlend",
    )
    assert len(exc.problems) == 2
    result = import_indicators(store, csv, **options, na=["-9999"])
    assert result.details["missing"] == 2
    stored = store.read("indicator_values", where={"area_id": "01100102", "period": "2021-12-31"})
    assert stored["flag"].tolist() == ["missing", "missing"]
    assert stored["value"].isna().all()


def test_share_of_140_percent_and_negative_count(store: Store, tmp_path: Path):
    csv = write_csv(
        tmp_path / "v.csv", "PLR_ID;Anteil;EW\n01100101;140;3\n01100102;12,5;-4\n01100103;-0,5;10\n"
    )
    exc = refused(
        store,
        import_indicators,
        csv,
        **IND,
        columns=["Anteil", "EW"],
        rename={"Anteil": "migration_background_share", "EW": "residents"},
        match=r"Zeile 2, Spalte 'migration_background_share', Wert 140.0: 140 ist "
        r"unmöglich für „migration_background_share“ \(Anteil .*, ein Anteil\): erlaubt ab 0 "
        r"bis 100 %",
    )
    messages = [(p.row, p.column) for p in exc.problems]
    assert messages == [
        (2, "migration_background_share"),
        (4, "migration_background_share"),
        (3, "residents"),
    ]
    assert (
        "-4 ist unmöglich für „residents“ (Einwohnerinnen und Einwohner, eine Anzahl): erlaubt "
        "ab 0 Personen" in str(exc)
    )


def test_unknown_indicator_keys_are_taken_as_they_come(store: Store, tmp_path: Path):
    csv = write_csv(tmp_path / "v.csv", "PLR_ID;KI_01;KI_99\n01100101;-3;250\n")
    result = import_indicators(store, csv, **IND, columns=["KI_01", "KI_99"])
    assert result.rows == 2


def test_undecodable_bytes(store: Store, tmp_path: Path):
    path = tmp_path / "v.csv"
    path.write_bytes(b"PLR_ID;EW\n01100101;5\n01100102;\x81\x90\n")
    refused(
        store,
        import_indicators,
        path,
        **IND,
        columns=["EW"],
        match=r"v\.csv, Zeile 3: das Byte 0x81 ist weder UTF-8 noch Windows-1252",
    )


def test_missing_indicator_columns(store: Store, tmp_path: Path):
    csv = write_csv(tmp_path / "v.csv", "PLR_ID;EW;S1\n01100101;5;1\n")
    exc = refused(
        store,
        import_indicators,
        csv,
        **IND,
        columns=["EW", "S2", "S3"],
        match=r"Spalte 'S2': diese Spalte gibt es nicht.*die Datei hat die Spalten: PLR_ID, EW, S1",
    )
    assert len(exc.problems) == 2


def test_every_problem_is_listed_at_once(store: Store, tmp_path: Path):
    csv = write_csv(
        tmp_path / "v.csv",
        # "x" would be the statistics symbol "not applicable" (stored missing with its flag)
        "PLR_ID;EW;S1\n01100101;5;1\n01100101;6;2\n;7;k.A.\n01100199;-1;3\n",
    )
    exc = refused(
        store,
        import_indicators,
        csv,
        **IND,
        columns=["EW", "S1"],
        rename={"EW": "residents"},
        match="Probleme gefunden",
    )
    text = str(exc)
    assert "Zeile 4, Spalte 'PLR_ID': die ID ist leer" in text
    assert "Zeile 4, Spalte 'S1', Wert 'k.A.': ist keine Zahl" in text
    assert "Zeile 5, Spalte 'residents', Wert -1.0: -1 ist unmöglich" in text
    assert re.search(r"Wert '01100199': .*gespeicherten Gebieten der Ebene", text)
    assert (
        "Gebiet „01100101“, Indikator „residents“, Stichtag 31.12.2021 kommt 2-mal vor "
        "(Zeilen 2, 3)" in text
    )


def test_no_areas_stored_for_the_level(store: Store, tmp_path: Path):
    csv = write_csv(tmp_path / "v.csv", "PLR_ID;EW\n01100101;5\n")
    refused(
        store,
        import_indicators,
        csv,
        **IND,
        columns=["EW"],
        level="BZR",
        match=r"keine Gebiete der Ebene „BZR“ gespeichert.*qmon import areas",
    )


def test_empty_csv_and_header_only(store: Store, tmp_path: Path):
    refused(
        store,
        import_indicators,
        write_csv(tmp_path / "a.csv", ""),
        **IND,
        columns=["EW"],
        match="die Datei ist leer",
    )
    refused(
        store,
        import_indicators,
        write_csv(tmp_path / "b.csv", "PLR_ID;EW\n"),
        **IND,
        columns=["EW"],
        match="hat eine Kopfzeile, aber keine Datenzeilen",
    )


def test_xlsx_keeps_leading_zeros_and_numbers(store: Store, tmp_path: Path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Werte"
    sheet.append(["PLR_ID", "EW", "Anteil"])
    sheet.append(["01100101", 3419, "12,5"])
    sheet.append(["01100102", 1791.0, 7.25])
    book.save(tmp_path / "w.xlsx")
    result = import_indicators(store, tmp_path / "w.xlsx", **IND, columns=["EW", "Anteil"])
    assert result.rows == 4
    got = store.read("indicator_values", where={"period": "2021-12-31"}).sort_values(
        ["indicator", "area_id"]
    )
    assert got["area_id"].tolist() == ["01100101", "01100102"] * 2
    assert got["value"].tolist() == [12.5, 7.25, 3419.0, 1791.0]


def test_long_table(store: Store, tmp_path: Path):
    csv = write_csv(
        tmp_path / "long.csv",
        "area,indicator,period,value\n"
        "01100101,residents,2019,3000\n01100101,residents,2020,3100\n"
        "01100102,KI_01,2020,1.5\n",
    )
    # the seed holds residents at 2020 already: a separate edition is named explicitly
    result = import_indicators(store, csv, id_col="area", period_col="period", edition="long")
    assert result.rows == 3
    got = store.read("indicator_values", where={"area_id": "01100101", "indicator": "residents"})
    assert sorted(got["period"].dt.year.tolist()) == [2019, 2020, 2020]


# --- measures and buildings ----------------------------------------------------------------


def test_measures_from_csv_with_coordinates_and_wkt(store: Store, tmp_path: Path):
    csv = write_csv(
        tmp_path / "m.csv",
        "Nr;Titel;X;Y;Status;Kosten\n"
        "M1;Spielplatz;390500,5;5819500;geplant;120.000,00\n"
        "M2;Nachbarschaftstreff;391500;5819500;bewilligt;1.500,50\n",
        encoding="cp1252",
    )
    result = import_measures(
        store,
        csv,
        id_col="Nr",
        title_col="Titel",
        x_col="X",
        y_col="Y",
        crs="EPSG:25833",
        funding_area="QM01",
        status_col="Status",
        cost_estimate_col="Kosten",
    )
    assert result.rows == 2
    got = store.read("measures").sort_values("id")
    assert got["cost_estimate"].tolist() == [120000.0, 1500.5]
    assert got.geometry.iloc[0].x == pytest.approx(390500.5)
    wkt = write_csv(
        tmp_path / "w.csv", 'id,title,wkt\nM3,Weg,"LINESTRING (390000 5819000, 390500 5819500)"\n'
    )
    assert (
        import_measures(
            store,
            wkt,
            id_col="id",
            title_col="title",
            wkt_col="wkt",
            crs="EPSG:25833",
            funding_area="QM01",
        ).rows
        == 1
    )


def test_measures_refused_with_every_problem(store: Store, tmp_path: Path):
    csv = write_csv(
        tmp_path / "m.csv",
        "Nr;Titel;X;Y;Status;FA\nM1;;390500;5819500;gepalnt;QM0l\nM2;Treff;abc;5819500;;QM01\n",
    )
    exc = refused(
        store,
        import_measures,
        csv,
        id_col="Nr",
        title_col="Titel",
        x_col="X",
        y_col="Y",
        funding_area_col="FA",
        status_col="Status",
        match="Probleme gefunden",
    )
    text = str(exc)
    assert "hat kein Koordinatenbezugssystem" in text
    assert "Zeile 2, Spalte 'Titel': das Feld „Titel“ ist leer" in text
    assert "Wert 'gepalnt': unbekannter Status" in text
    assert "Korrektur: schreiben Sie „geplant“" in text
    assert re.search(r"Wert 'QM0l': .*gespeicherten Gesamtmaßnahmen.*'QM01'", text)
    assert "Zeile 3, Spalte 'X', Wert 'abc': ist keine Zahl" in text
    assert "Zeile 3, Spalte 'Nr', Wert 'M2': hat keine Geometrie" in text


def test_buildings_with_impossible_counts(store: Store, tmp_path: Path):
    frame = boxes(["B1", "B2", "B3"]).rename(columns={"PLR_ID": "id"})
    frame["wohnungen"] = [10, 4, -1]
    frame["leer"] = [2, 6, 0]
    frame["baujahr"] = [1910, 3020, 1975]
    frame.to_file(tmp_path / "b.gpkg")
    exc = refused(
        store,
        import_buildings,
        tmp_path / "b.gpkg",
        id_col="id",
        dwellings_col="wohnungen",
        vacant_col="leer",
        year_built_col="baujahr",
        match="Probleme gefunden",
    )
    assert [(p.row, p.column) for p in exc.problems] == [
        (3, "wohnungen"),
        (2, "baujahr"),
        (2, "leer"),
    ]


# --- the command line ---------------------------------------------------------------------


def test_cli_refusal_exit_2_and_clerk_readable(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    boxes().to_file(tmp_path / "plr.shp")
    (tmp_path / "plr.prj").unlink()
    before = snapshot(store)
    code = main(
        [
            "import",
            "areas",
            str(tmp_path / "plr.shp"),
            "--store",
            store.url,
            "--level",
            "PLR",
            "--id",
            "PLR_ID",
            "--name",
            "PLR_NAME",
            "--valid-from",
            "2023-01-01",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "plr.shp: die Datei hat kein Koordinatenbezugssystem" in err and "Traceback" not in err
    assert_unchanged(before, store)
    bad = write_csv(tmp_path / "v.csv", "PLR_ID;EW\n01100101;-5\n")
    code = main(
        [
            "import",
            "indicators",
            str(bad),
            "--store",
            store.url,
            "--id",
            "PLR_ID",
            "--period",
            "2021-12-31",
            "--columns",
            "EW",
            "--rename",
            "EW=residents",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "-5 ist unmöglich für „residents“" in err
    assert_unchanged(before, store)


def test_cli_success_exit_0(store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    boxes().to_file(tmp_path / "plr.shp")
    code = main(
        [
            "import",
            "areas",
            str(tmp_path / "plr.shp"),
            "--store",
            store.url,
            "--level",
            "BZR",
            "--id",
            "PLR_ID",
            "--name",
            "PLR_NAME",
            "--valid-from",
            "2021-01-01",
        ]
    )
    assert code == 0
    assert (
        "3 Zeilen in Gebiete gespeichert (Ebene BZR, Gebietsstand 2021)" in capsys.readouterr().out
    )
    csv = write_csv(tmp_path / "v.csv", "PLR_ID\tEW\n01100101\t-9999\n01100102\t1 675\n")
    code = main(
        [
            "import",
            "indicators",
            str(csv),
            "--store",
            store.url,
            "--id",
            "PLR_ID",
            "--period",
            "31.12.2022",
            "--columns",
            "EW",
            "--na",
            "-9999",
            "--level",
            "BZR",
            "--thousands",
            "space",
        ]
    )
    assert code == 0, capsys.readouterr().err
    got = store.read("indicator_values", where={"level": "BZR"}).sort_values("area_id")
    assert got["value"].tolist()[1] == 1675.0 and got["flag"].tolist()[0] == "missing"


def test_cli_needs_a_source(store: Store, capsys: pytest.CaptureFixture[str]):
    code = main(["import", "indicators", "--store", store.url, "--id", "x", "--period", "2020"])
    err = capsys.readouterr().err
    assert code == 2 and "nennen Sie die DATEI, die importiert wird, oder geben Sie --sql" in err


def test_measures_with_cost_groups_by_number_label_or_key(store: Store, tmp_path: Path):
    csv = write_csv(
        tmp_path / "kg.csv",
        "Nr;Titel;X;Y;Kostengruppe\n"
        "M1;Spielplatz;390500;5819500;5\n"
        "M2;Kita;391500;5819500;Baumassnahmen\n"
        "M3;Gutachten;391000;5819400;vorbereitung\n",
    )
    result = import_measures(
        store,
        csv,
        id_col="Nr",
        title_col="Titel",
        x_col="X",
        y_col="Y",
        crs="EPSG:25833",
        funding_area="QM01",
        cost_group_col="Kostengruppe",
    )
    assert result.rows == 3
    got = store.read("measures").sort_values("id")
    assert got["cost_group"].tolist() == ["oeffentlicher_raum", "bau", "vorbereitung"]


def test_an_unknown_cost_group_is_refused_with_the_groups(store: Store, tmp_path: Path):
    csv = write_csv(
        tmp_path / "kg.csv",
        "Nr;Titel;X;Y;Kostengruppe\nM1;Spielplatz;390500;5819500;Baumasnahmen\n",
    )
    exc = refused(
        store,
        import_measures,
        csv,
        id_col="Nr",
        title_col="Titel",
        x_col="X",
        y_col="Y",
        crs="EPSG:25833",
        funding_area="QM01",
        cost_group_col="Kostengruppe",
        match="unbekannte Kostengruppe",
    )
    text = str(exc)
    assert "Zeile 2" in text and "Kostengruppe" in text and "Baumasnahmen" in text
    assert "schreiben Sie „4 Baumaßnahmen“" in text
