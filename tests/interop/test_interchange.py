"""The public layers as interchange files for a geoportal (``qmon export --public``).

Every file is read back twice, with pyogrio and with the real ``ogrinfo`` of Debian's
gdal-bin, and compared with :func:`read_public`, the one definition of what is public.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from cli.main import main
from geo.store import open_store
from geo.store.base import Store
from monitoring.errors import NotFound
from monitoring.interop.errors import InterchangeError
from monitoring.interop.interchange import GPKG_NAME, export_public
from monitoring.interop.metadata import NS, Provenance
from monitoring.interop.public import public_layers, read_public

CRS = "EPSG:25832"
X0, Y0 = 390_000.0, 5_700_000.0
TITLE = "Spielplatz <Nord> & Süd „Größe“"
NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)
PRIVATE = {"updated_by", "created_at", "updated_at", "contact", "email", "phone", "archived"}


def seed_small(store: Store) -> None:
    """Two funding areas, four measures (point, line, area, one archived), two areas of
    which one is too small to publish, two Stichtage of values."""
    store.write("programmes", pd.DataFrame({"id": ["sz"], "name": ["Sozialer Zusammenhalt"]}))
    store.write(
        "funding_areas",
        gpd.GeoDataFrame(
            {"id": ["FA"], "name": ["Südstadt"], "programme_id": ["sz"], "start_year": [2015]},
            geometry=[shapely.box(X0, Y0, X0 + 2000, Y0 + 1000)],
            crs=CRS,
        ),
    )
    store.write(
        "measures",
        gpd.GeoDataFrame(
            {
                "id": ["M1", "M2", "M3", "M4"],
                "funding_area_id": ["FA"] * 4,
                "title": [TITLE, "Grünzug Mühlbach", "Schulhof Öffnung", "verworfen"],
                "status": ["in Umsetzung", "geplant", "abgeschlossen", "geplant"],
                "start_date": pd.to_datetime(["2023-03-01", None, "2020-05-04", None]),
                "cost_estimate": [300_000.0, np.nan, 1_250_000.5, 1.0],
                "archived": [False, False, False, True],
            },
            geometry=[
                shapely.Point(X0 + 100.123456, Y0 + 100.987654),
                shapely.LineString([(X0, Y0), (X0 + 500, Y0 + 300)]),
                shapely.box(X0 + 600, Y0 + 600, X0 + 700, Y0 + 700),
                shapely.Point(X0 + 5, Y0 + 5),
            ],
            crs=CRS,
        ),
    )
    store.write(
        "areas",
        gpd.GeoDataFrame(
            {
                "id": ["A1", "A2"],
                "level": "Planungsraum",
                "vintage": "2021",
                "name": ["Altstadt", "Mühlenviertel"],
            },
            geometry=[
                shapely.box(X0, Y0, X0 + 1000, Y0 + 1000),
                shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000),
            ],  # fmt: skip
            crs=CRS,
        ),
    )
    rows = [
        (area, key, period, value)
        for period in ("2020-12-31", "2021-12-31")
        for area, key, value in (
            ("A1", "residents", 5000.0),
            ("A2", "residents", 120.0),
            ("A1", "unemployed", 250.0),
            ("A2", "unemployed", 9.0),
        )
    ]
    store.write(
        "indicator_values",
        pd.DataFrame(rows, columns=["area_id", "indicator", "period", "value"]).assign(
            level="Planungsraum", vintage="2021", edition="amt", source="Statistikamt Süd"
        ),
    )


@pytest.fixture
def small(store_url: str) -> str:
    with open_store(store_url) as store:
        store.init(crs=CRS)
        seed_small(store)
    return store_url


def ogrinfo(path: Path, layer: str, *options: str) -> str:
    """The summary of one layer by the real GDAL command-line tool (Debian gdal-bin)."""
    assert shutil.which("ogrinfo"), "gdal-bin is missing; run scripts/ensure_gis.sh"
    done = subprocess.run(
        ["ogrinfo", "-ro", "-so", *options, str(path), layer],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def feature_count(text: str) -> int:
    match = re.search(r"Feature Count: (\d+)", text)
    assert match, text
    return int(match.group(1))


# --- the files: counts, CRS, fields, text -----------------------------------------------


def test_every_format_reads_back_as_the_public_layer(small: str, tmp_path: Path) -> None:
    with open_store(small) as store:
        result = export_public(store, tmp_path, now=NOW)
        expected = {x.id: read_public(store, x) for x in public_layers(store)}
    assert [w.layer for w in result.layers] == list(expected)
    assert "indikatoren_planungsraum_2021" in expected
    gpkg = tmp_path / GPKG_NAME
    for layer_id, frame in expected.items():
        columns = [c for c in frame.columns if c != "geometry"]
        assert not set(columns) & PRIVATE
        # GeoJSON: CRS84 lon/lat, same features and fields
        path = tmp_path / f"{layer_id}.geojson"
        back = pyogrio.read_dataframe(path)
        assert len(back) == len(frame) and back.crs.to_epsg() == 4326, layer_id
        assert [c for c in back.columns if c != "geometry"] == columns
        info = ogrinfo(path, layer_id)
        assert feature_count(info) == len(frame) and "WGS 84" in info
        assert all(f"{c}: " in info for c in columns), info
        # GeoPackage: the store's CRS
        back = pyogrio.read_dataframe(gpkg, layer=layer_id)
        assert len(back) == len(frame) and back.crs == frame.crs, layer_id
        assert [c for c in back.columns if c != "geometry"] == columns
        info = ogrinfo(gpkg, layer_id)
        assert feature_count(info) == len(frame) and 'ID["EPSG",25832]' in info
        assert all(f"{c}: " in info for c in columns), info
    # the measures: archived one left out, the others split by geometry for Shapefile
    assert sorted(expected["massnahmen"]["kennung"]) == ["M1", "M2", "M3"]
    parts = {"punkte": ["M1"], "linien": ["M2"], "flaechen": ["M3"]}
    for suffix, ids in parts.items():
        path = tmp_path / f"massnahmen_{suffix}.shp"
        back = pyogrio.read_dataframe(path)
        assert sorted(back["kennung"]) == ids and back.crs.to_epsg() == 25832
        assert (tmp_path / f"massnahmen_{suffix}.cpg").read_text().strip() == "UTF-8"
        info = ogrinfo(path, path.stem)
        assert feature_count(info) == len(ids) and 'ID["EPSG",25832]' in info
        assert "beginn: Date" in info and "kosten: Real" in info, info
    assert not (tmp_path / "massnahmen.shp").exists()
    for layer_id in (
        "foerdergebiete",
        "gebiete_planungsraum_2021",
        "indikatoren_planungsraum_2021",
    ):
        path = tmp_path / f"{layer_id}.shp"
        back = pyogrio.read_dataframe(path)
        assert len(back) == len(expected[layer_id]) and back.crs.to_epsg() == 25832
        assert list(back.columns[:-1]) == list(expected[layer_id].columns[:-1])
        assert feature_count(ogrinfo(path, layer_id)) == len(expected[layer_id])


def test_text_with_umlauts_and_markup_survives_every_format(small: str, tmp_path: Path) -> None:
    with open_store(small) as store:
        export_public(store, tmp_path, layers=["massnahmen", "gebiete_planungsraum_2021"])
    files = {
        "geojson": pyogrio.read_dataframe(tmp_path / "massnahmen.geojson"),
        "gpkg": pyogrio.read_dataframe(tmp_path / GPKG_NAME, layer="massnahmen"),
        "shp": pyogrio.read_dataframe(tmp_path / "massnahmen_punkte.shp"),
    }
    for name, frame in files.items():
        titles = frame.set_index("kennung")["titel"]
        assert titles["M1"] == TITLE, name
        assert frame.set_index("kennung").loc["M1", "kosten"] == 300_000.0, name
    raw = (tmp_path / "massnahmen.geojson").read_text(encoding="utf-8")
    titles = {f["properties"]["titel"] for f in json.loads(raw)["features"]}
    assert TITLE in titles and "\\u" not in raw  # umlauts written as they are
    areas = pyogrio.read_dataframe(tmp_path / "gebiete_planungsraum_2021.shp")
    assert "Mühlenviertel" in set(areas["name"])
    # the DBF itself holds UTF-8 bytes (what the .cpg declares), not a code page
    assert "Mühlenviertel".encode() in (tmp_path / "gebiete_planungsraum_2021.dbf").read_bytes()
    # a date stays a date, a missing one stays missing
    shp = files["shp"]
    assert str(pd.Timestamp(shp["beginn"].iloc[0]).date()) == "2023-03-01"
    gpkg = files["gpkg"].set_index("kennung")
    assert pd.isna(gpkg.loc["M2", "beginn"]) and pd.isna(gpkg.loc["M2", "kosten"])


def test_geojson_is_rfc7946_lon_lat_rounded_to_seven_decimals(small: str, tmp_path: Path) -> None:
    with open_store(small) as store:
        export_public(store, tmp_path, formats=["geojson"], layers=["massnahmen"])
        expected = read_public(store, "massnahmen").to_crs("OGC:CRS84").set_index("kennung")
    data = json.loads((tmp_path / "massnahmen.geojson").read_text(encoding="utf-8"))
    assert "crs" not in data  # RFC 7946: CRS84, never named
    point = next(f for f in data["features"] if f["properties"]["kennung"] == "M1")
    lon, lat = point["geometry"]["coordinates"]
    assert 5 < lon < 16 and 47 < lat < 56  # Germany, longitude first
    assert lon == round(expected.loc["M1"].geometry.x, 7) != expected.loc["M1"].geometry.x
    assert lat == round(expected.loc["M1"].geometry.y, 7)
    assert not list(tmp_path.glob("*.shp")) and not (tmp_path / GPKG_NAME).exists()


def test_suppressed_values_are_null_in_every_format(small: str, tmp_path: Path) -> None:
    layer = "indikatoren_planungsraum_2021"
    with open_store(small) as store:
        export_public(store, tmp_path, layers=[layer])
        expected = read_public(store, layer).set_index("kennung")
    hidden = expected.index[expected["unterdr"]]
    assert len(hidden) and all(i.startswith("A2|") for i in hidden)  # the small area only
    assert expected.loc[~expected["unterdr"], "wert"].notna().all()
    for frame in (
        pyogrio.read_dataframe(tmp_path / f"{layer}.geojson"),
        pyogrio.read_dataframe(tmp_path / GPKG_NAME, layer=layer),
        pyogrio.read_dataframe(tmp_path / f"{layer}.shp"),
    ):
        frame = frame.set_index("kennung")
        assert frame.loc[hidden, "wert"].isna().all()
        assert frame.loc[hidden, "unterdr"].astype(bool).all()
        shown = expected.index[~expected["unterdr"]]
        assert np.allclose(frame.loc[shown, "wert"], expected.loc[shown, "wert"])


# --- metadata ---------------------------------------------------------------------------


def test_metadata_names_title_abstract_licence_and_stichtag(small: str, tmp_path: Path) -> None:
    with open_store(small) as store:
        export_public(store, tmp_path, now=NOW)
        layers = {x.id: x for x in public_layers(store)}
        count = len(read_public(store, "indikatoren_planungsraum_2021"))
    layer = layers["indikatoren_planungsraum_2021"]
    root = ET.parse(tmp_path / f"{layer.id}.iso19139.xml").getroot()
    assert root.tag == "{http://www.isotc211.org/2005/gmd}MD_Metadata"
    ident = root.find("gmd:identificationInfo/gmd:MD_DataIdentification", NS)
    assert ident is not None
    assert (
        ident.findtext("gmd:citation/gmd:CI_Citation/gmd:title/gco:CharacterString", None, NS)
        == layer.title
    )  # noqa: E501
    assert ident.findtext("gmd:abstract/gco:CharacterString", None, NS) == layer.abstract
    constraints = [
        e.text or "" for e in ident.iterfind(".//gmd:otherConstraints/gco:CharacterString", NS)
    ]  # noqa: E501
    licence = "Datenlizenz Deutschland – Namensnennung – Version 2.0"
    assert any(licence in c and "https://www.govdata.de/dl-de/by-2-0" in c for c in constraints)
    as_json = json.loads(next(c for c in constraints if c.startswith("{")))
    assert as_json["id"] == "dl-by-de/2.0" and "Statistikamt Süd" in as_json["quelle"]
    period = ident.find(".//gml:TimePeriod", NS)
    assert period is not None
    assert period.findtext("gml:beginPosition", None, NS) == "2020-12-31"
    assert period.findtext("gml:endPosition", None, NS) == "2021-12-31"  # the latest Stichtag
    note = ident.findtext("gmd:supplementalInformation/gco:CharacterString", "", NS)
    assert "Stichtag: 31.12.2021" in note and "- wert: " in note
    box = ident.find(".//gmd:EX_GeographicBoundingBox", NS)
    assert box is not None
    west = float(box.findtext("gmd:westBoundLongitude/gco:Decimal", "nan", NS))
    north = float(box.findtext("gmd:northBoundLatitude/gco:Decimal", "nan", NS))
    assert 5 < west < 16 and 47 < north < 56
    assert (
        root.findtext("gmd:referenceSystemInfo//gmd:code/gco:CharacterString", None, NS) == "25832"
    )  # noqa: E501
    # the JSON sidecar says the same
    side = json.loads((tmp_path / f"{layer.id}.metadata.json").read_text(encoding="utf-8"))
    assert side["titel"] == layer.title and side["stichtag"] == "2021-12-31"
    assert side["lizenz"]["name"] == licence and side["koordinatenreferenzsystem"] == CRS
    assert side["anzahl_objekte"] == count > 0
    assert {a["name"] for a in side["attribute"]} >= {"wert", "unterdr", "stichtag"}
    assert all(a["beschreibung"] != a["name"] for a in side["attribute"])
    # a layer without Stichtag: the day its records last changed
    measures = json.loads((tmp_path / "massnahmen.metadata.json").read_text(encoding="utf-8"))
    assert measures["stichtag_art"] == "letzte Änderung der Daten"
    assert measures["geometrien"] == {"point": 1, "curve": 1, "surface": 1}
    areas = json.loads((tmp_path / "gebiete_planungsraum_2021.metadata.json").read_text("utf-8"))
    assert areas["stichtag"] == "2026-11-27" and areas["stichtag_art"] == "Tag des Exports"


def test_every_public_column_has_a_german_description(demo_store: Store) -> None:
    from monitoring.interop.metadata import ATTRIBUTES

    for layer in public_layers(demo_store):
        columns = set(read_public(demo_store, layer).columns) - {"geometry"}
        assert columns <= set(ATTRIBUTES[layer.kind]), (
            layer.id,
            columns - set(ATTRIBUTES[layer.kind]),
        )  # noqa: E501


def test_markup_in_user_text_is_escaped_in_the_metadata(small: str, tmp_path: Path) -> None:
    provenance = Provenance(source="Amt <Statistik> & Wahlen", publisher="Stadt A&B <Süd>")
    with open_store(small) as store:
        export_public(store, tmp_path, layers=["massnahmen"], provenance=provenance, now=NOW)
    raw = (tmp_path / "massnahmen.iso19139.xml").read_text(encoding="utf-8")
    assert "Amt &lt;Statistik&gt; &amp; Wahlen" in raw and "<Statistik>" not in raw
    root = ET.fromstring(raw.encode("utf-8"))
    assert root.findtext(".//gmd:credit/gco:CharacterString", None, NS) == provenance.source
    names = {e.text for e in root.iterfind(".//gmd:organisationName/gco:CharacterString", NS)}
    assert names == {"Stadt A&B <Süd>"}
    # in the GeoPackage the same record, still escaped, for GDAL and QGIS
    info = ogrinfo(tmp_path / GPKG_NAME, "massnahmen", "-mdd", "all")
    assert "GPKG_METADATA_ITEM_1=<?xml" in info and "Stadt A&amp;B &lt;Süd&gt;" in info
    assert "DESCRIPTION=Maßnahmen der Gesamtmaßnahmen" in info


def test_geopackage_carries_descriptions_and_the_metadata_extension(
    small: str, tmp_path: Path
) -> None:
    with open_store(small) as store:
        result = export_public(store, tmp_path, formats=["gpkg"])
        layers = {x.id: x for x in public_layers(store)}
    with sqlite3.connect(tmp_path / GPKG_NAME) as conn:
        contents = dict(
            (t, (i, d))
            for t, i, d in conn.execute(
                "SELECT table_name, identifier, description FROM gpkg_contents"
            )
        )
        refs = conn.execute(
            "SELECT r.table_name, m.md_standard_uri, m.mime_type, m.metadata FROM "
            "gpkg_metadata_reference r JOIN gpkg_metadata m ON m.id = r.md_file_id "
            "WHERE r.reference_scope = 'table'"
        ).fetchall()
        registered = conn.execute(
            "SELECT table_name FROM gpkg_extensions WHERE extension_name = 'gpkg_metadata'"
        )
        extensions = {r[0] for r in registered}
    assert set(contents) == set(layers) == {w.layer for w in result.layers}
    for layer_id, layer in layers.items():
        assert contents[layer_id] == (layer.title, layer.abstract)
    assert sorted(r[0] for r in refs) == sorted(layers)
    for table, uri, mime, text in refs:
        assert uri == "http://www.isotc211.org/2005/gmd" and mime == "text/xml"
        title = ET.fromstring(text.encode("utf-8")).findtext(
            ".//gmd:title/gco:CharacterString", None, NS
        )  # noqa: E501
        assert title == layers[table].title
    assert extensions == {"gpkg_metadata", "gpkg_metadata_reference"}


def test_licence_source_and_publisher_from_options_and_a_toml_file(
    small: str, tmp_path: Path, capsys
) -> None:
    toml = tmp_path / "metadaten.toml"
    toml.write_text(
        'lizenz = "CC BY 4.0"\nlizenz_url = "https://creativecommons.org/licenses/by/4.0/"\n'
        'herausgeber = "Stadt Musterstadt"\n',
        encoding="utf-8",
    )
    out = tmp_path / "portal"
    args = ["export", "--public", "--store", small, "--out", str(out), "--format", "geojson"]
    assert main([*args, "--metadaten", str(toml), "--quelle", "Eigene Erhebung"]) == 0
    side = json.loads((out / "foerdergebiete.metadata.json").read_text(encoding="utf-8"))
    assert side["lizenz"] == {
        "name": "CC BY 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
        "id": None,
    }
    assert side["herausgeber"] == "Stadt Musterstadt" and side["quelle"] == "Eigene Erhebung"
    printed = capsys.readouterr().out
    assert "Lizenz: CC BY 4.0" in printed
    # only --lizenz: the default licence's URL does not stick to another licence
    assert main([*args, "--lizenz", "Eigene Lizenz"]) == 0
    side = json.loads((out / "foerdergebiete.metadata.json").read_text(encoding="utf-8"))
    assert side["lizenz"]["url"] is None
    toml.write_text('lizenz = "x"\nfarbe = "rot"\n', encoding="utf-8")
    assert main([*args, "--metadaten", str(toml)]) == 2
    err = capsys.readouterr().err
    assert "enthält den Eintrag „farbe“; erlaubt sind: lizenz, lizenz_url" in err, err


# --- the command line -------------------------------------------------------------------


def test_unknown_layer_is_refused_in_german_naming_the_public_layers(
    small: str, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "nichts"
    args = ["export", "--public", "--store", small, "--out", str(out)]
    assert main([*args, "--ebene", "massnahmen", "--ebene", "akteure"]) == 2
    err = capsys.readouterr().err
    assert "Die Ebene „akteure“ ist keine öffentliche Ebene" in err, err
    assert "foerdergebiete, massnahmen, gebiete_planungsraum_2021" in err, err
    assert not out.exists()  # checked before anything is written
    with open_store(small) as store, pytest.raises(NotFound, match="öffentlich sind"):
        export_public(store, out, layers=["audit_log"])
    with open_store(small) as store, pytest.raises(InterchangeError, match="möglich sind"):
        export_public(store, out, formats=["kml"])


def test_a_geometry_a_shapefile_cannot_hold_is_refused_before_writing(
    gpkg_url: str, tmp_path: Path
) -> None:
    with open_store(gpkg_url) as store:
        store.init(crs=CRS)
        seed_small(store)
        odd = shapely.GeometryCollection(
            [shapely.Point(X0, Y0), shapely.box(X0, Y0, X0 + 9, Y0 + 9)]
        )
        store.write(
            "measures",
            gpd.GeoDataFrame(
                {"id": ["M9"], "funding_area_id": ["FA"], "title": ["Sammlung"]},
                geometry=[odd],
                crs=CRS,
            ),
        )
        out = tmp_path / "portal"
        with pytest.raises(InterchangeError, match="„GeometryCollection“.*--format gpkg") as err:
            export_public(store, out)
        assert err.value.reason == "mixed_geometry" and not out.exists()
        result = export_public(store, out, formats=["gpkg", "geojson"])  # these take it
    assert {w.layer: w.count for w in result.layers}["massnahmen"] == 4


def test_public_and_store_copy_options_do_not_mix(small: str, tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["export", "--store", small, "--out", str(tmp_path)])
    assert "--out gilt nur zusammen mit --public" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["export", "--public", "--store", small])
    assert "braucht es einen Zielordner: --out ORDNER" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["export", "--public", "--store", small, "--out", "x", "--to", "y.gpkg"])
    assert "--to und --replace gehören zur Kopie" in capsys.readouterr().err
    target = tmp_path / "kopie.gpkg"  # the store copy works as before
    assert main(["export", "--store", small, "--to", str(target)]) == 0
    with open_store(str(target)) as copy:
        assert copy.counts()["measures"] == 4


def test_demo_city_export_from_the_command_line(demo_path: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "geoportal"
    assert main(["export", "--public", "--store", str(demo_path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    with open_store(str(demo_path)) as store:
        expected = {x.id: len(read_public(store, x)) for x in public_layers(store)}
    for layer_id, count in expected.items():
        line = next(x for x in printed.splitlines() if x.startswith(layer_id + " "))
        assert re.search(rf"\s{count:,}".replace(",", ".") + " Objekt", line), line
        assert (
            len(pyogrio.read_dataframe(out / f"{layer_id}.geojson", read_geometry=False)) == count
        )
        assert feature_count(ogrinfo(out / GPKG_NAME, layer_id)) == count
        assert (out / f"{layer_id}.iso19139.xml").exists()
    shapes = sum(feature_count(ogrinfo(p, p.stem)) for p in out.glob("massnahmen_*.shp"))
    assert shapes == expected["massnahmen"]
    total = sum(expected.values())
    german_total = f"{total:,}".replace(",", ".")
    assert f"geschrieben: {len(expected)} Ebenen, {german_total} Objekte" in printed
    # nothing but the public layers left the store
    stems = {p.name.split(".")[0] for p in out.iterdir() if p.suffix != ".gpkg"}
    assert {s.removesuffix("_punkte").removesuffix("_linien").removesuffix("_flaechen")
            for s in stems} == set(expected)  # fmt: skip
