"""The real sets of ../shared/data, each imported into both stores and checked.

Counts, ids, CRS, areas and sample values are compared with what PROVENANCE.md of
each folder states (and with the files read directly), never with numbers taken
from the importer itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import psycopg
import pytest
from psycopg import sql

from cli.main import main
from geo.errors import ImportRefused
from geo.store import Store
from tests.conftest import PG_DSN
from tests.imports._util import (
    fresh_store,
    import_areas,
    import_buildings,
    import_funding_areas,
    import_indicators,
)

LOR = "berlin_lor_shapes"
MSS = "berlin_mss_2021"
POP = "berlin_population_lor"


def import_plr_2021(store: Store, data: Path) -> None:
    import_areas(
        store,
        data / LOR / "lor_post2021_PLR/lor_planungsraeume_2021.shp",
        level="PLR",
        id_col="PLR_ID",
        name_col="PLR_NAME",
        valid_from="2021-01-01",
    )


def import_plr_pre2021(store: Store, data: Path, tmp_path: Path) -> ImportRefused:
    """Import the old planning areas: refused for the duplicated id, then corrected."""
    path = data / LOR / "lor_pre2021_PLR/lor_planungsraeume.shp"
    options = {
        "level": "PLR",
        "id_col": "broker Dow",
        "name_col": "PLANUNGSRA",
        "vintage": "pre2021",
        "valid_to": "2020-12-31",
    }
    with pytest.raises(ImportRefused) as info:
        import_areas(store, path, **options)
    # the upstream error: the Charlottenburg-Wilmersdorf "Schloßstraße" carries 06010102
    fixed = gpd.read_file(path)
    wrong = (fixed["broker Dow"] == "06010102") & (
        fixed["BEZIRKSNAM"] == "Charlottenburg-Wilmersdorf"
    )
    fixed.loc[wrong, "broker Dow"] = "04030417"
    fixed.to_file(tmp_path / "plr_pre2021_fixed.gpkg")
    import_areas(store, tmp_path / "plr_pre2021_fixed.gpkg", **options)
    return info.value


def area_km2(store: Store, **where: str) -> float:
    return float(store.read("areas", where=where).geometry.area.sum() / 1e6)


def test_berlin_lor_all_levels(store_url: str, real_data: Path, tmp_path: Path):
    store = fresh_store(store_url, crs="EPSG:25833")
    import_plr_2021(store, real_data)
    plr = store.read("areas", where={"level": "PLR"})
    assert len(plr) == 542 and plr["id"].is_unique
    assert set(plr["vintage"]) == {"2021"}
    assert store.crs.to_epsg() == 25833 and plr.crs.to_epsg() == 25833
    assert area_km2(store, level="PLR") == pytest.approx(890.67, abs=0.01)
    names = plr.set_index("id")["name"]
    assert names["01100101"] == "Stülerstraße"
    assert names["06100102"] == names["04300414"] == "Schloßstraße"
    assert plr["id"].str.fullmatch(r"\d{8}").all()  # leading zeros kept

    for sub, level, id_col, count in [
        ("lor_post2021_BZR/lor_bezirksregionen_2021.shp", "BZR", "BZR_ID", 143),
        ("lor_post2021_PGR/lor_prognoseraeume_2021.shp", "PGR", "PGR_ID", 58),
    ]:
        result = import_areas(
            store, real_data / LOR / sub, level=level, id_col=id_col, valid_from="2021-01-01"
        )
        assert result.rows == count
    bzr = set(store.read("areas", where={"level": "BZR"})["id"])
    assert {i[:6] for i in plr["id"]} == bzr  # BZR_ID == PLR_ID[:6]
    assert area_km2(store, level="BZR") == pytest.approx(890.67, abs=0.05)

    refusal = import_plr_pre2021(store, real_data, tmp_path)
    assert len(refusal.problems) == 1
    assert "Wert '06010102': die ID kommt 2-mal vor (Objekte 124, 205)" in str(refusal)
    old = store.read("areas", where={"level": "PLR", "vintage": "pre2021"})
    assert len(old) == 448 and old["id"].is_unique
    assert old["valid_to"].dt.date.astype(str).unique().tolist() == ["2020-12-31"]

    # Bezirke come in EPSG:4326 and are reprojected to the storage CRS
    result = import_areas(
        store,
        real_data / LOR / "districts/bezirksgrenzen.shp",
        level="Bezirk",
        id_col="Gemeinde_s",
        name_col="Gemeinde_n",
        valid_from="2021-01-01",
    )
    districts = store.read("areas", where={"level": "Bezirk"})
    assert result.rows == 12 and sorted(districts["id"]) == [f"{i:03d}" for i in range(1, 13)]
    direct = gpd.read_file(real_data / LOR / "districts/bezirksgrenzen.shp").to_crs(25833)
    assert area_km2(store, level="Bezirk") == pytest.approx(direct.area.sum() / 1e6, rel=1e-9)
    assert area_km2(store, level="Bezirk") == pytest.approx(890.67, abs=0.5)
    mitte = districts.set_index("id").geometry["001"]
    assert mitte.contains(plr.set_index("id").geometry["01100101"].representative_point())


def test_berlin_indicators_on_the_right_vintage(store_url: str, real_data: Path, tmp_path: Path):
    store = fresh_store(store_url, crs="EPSG:25833")
    import_plr_2021(store, real_data)
    import_plr_pre2021(store, real_data, tmp_path)

    index = import_indicators(
        store,
        real_data / MSS / "mss_2021_index_indikatoren.csv",
        id_col="PLR_ID",
        period="2020-12-31",
        columns=["S1", "S3", "S4", "D1", "D3", "D4", "EW"],
        rename={
            "S1": "mss_s1",
            "S3": "mss_s3",
            "S4": "mss_s4",
            "D1": "mss_d1",
            "D3": "mss_d3",
            "D4": "mss_d4",
            "EW": "residents",
        },
        na=["-9999"],
        edition="MSS 2021",
    )
    assert (index.rows, index.details["level"], index.details["vintage"]) == (
        542 * 7,
        "PLR",
        "2021",
    )
    assert index.details["missing"] == 6 * 6 + 1  # six invalid areas, one empty EW
    mss = store.read("indicator_values", where={"edition": "MSS 2021"})
    s1 = mss[mss["indicator"] == "mss_s1"].set_index("area_id")
    assert s1.loc["01100101", "value"] == pytest.approx(4.22594)
    assert s1.loc["10100205", "flag"] == "missing" and pd.isna(s1.loc["10100205", "value"])
    assert (s1["flag"] == "missing").sum() == 6
    assert s1["value"].min() >= 0  # no -9999 averaged in
    ew = mss[mss["indicator"] == "residents"]["value"]
    assert ew.sum() == 3_769_962

    context = import_indicators(
        store,
        real_data / MSS / "mss_2021_kontext_indikatoren.csv",
        id_col="PLR_ID",
        period="2020-12-31",
        na=["-9999"],
        edition="MSS 2021 Kontext",
        columns=[f"KI_{i:02d}" for i in range(1, 18)],
    )
    assert context.rows == 542 * 17
    assert any("„KI_08“ hat in keiner Zeile einen Wert" in n for n in context.notes)
    ki = store.read(
        "indicator_values", where={"edition": "MSS 2021 Kontext", "indicator": "KI_02"}
    ).set_index("area_id")
    assert ki.loc["01100101", "value"] == pytest.approx(25.62)

    expected = {
        "2020": (448, 3_769_962, "pre2021"),
        "2021": (542, 3_775_480, "2021"),
        "2024": (542, 3_897_145, "2021"),
    }
    for year, (count, total, vintage) in expected.items():
        result = import_indicators(
            store,
            real_data / POP / f"berlin-lor-population-{year}-02-t1-planning-areas.csv",
            id_col="id",
            period=f"31.12.{year}",
            columns=["inhabitants"],
            rename={"inhabitants": "residents"},
            edition=f"EWR {year}-02",
        )
        assert (result.rows, result.details["vintage"]) == (count, vintage)
        got = store.read("indicator_values", where={"edition": f"EWR {year}-02"})
        assert got["value"].sum() == total and set(got["vintage"]) == {vintage}
    pop21 = store.read("indicator_values", where={"edition": "EWR 2021-02"}).set_index("area_id")
    assert pop21.loc["01100101", "value"] == 3406

    ownership = import_indicators(
        store,
        real_data / "berlin_eigentum_2022_542plr/eigentumskonzentration_2022.csv",
        id_col="PLR_ID",
        period="2022-11-30",
        edition="Eigentum 2022",
        columns=["nat_pers", "genossen", "stwbg"],
        rename={
            "nat_pers": "own_individuals_land_share",
            "genossen": "own_cooperative_land_share",
            "stwbg": "own_municipal_land_share",
        },
    )
    assert (ownership.rows, ownership.details["vintage"]) == (542 * 3, "2021")
    own = store.read(
        "indicator_values", where={"edition": "Eigentum 2022", "area_id": "01100101"}
    ).set_index("indicator")
    assert own.loc["own_municipal_land_share", "value"] == pytest.approx(5.04)


def test_berlin_erhaltungsgebiete_as_funding_areas(store_url: str, real_data: Path):
    store = fresh_store(store_url, crs="EPSG:25833")
    folder = real_data / "berlin_erhaltungsgebiete"
    kinds = {
        "residential_protection": "soziales Erhaltungsgebiet (§172 Abs. 1 Nr. 2 BauGB)",
        "urban_character_preservation": "städtebauliches Erhaltungsgebiet (§172 Abs. 1 Nr. 1 "
        "BauGB)",
    }
    results = {}
    for kind, designation in kinds.items():
        results[kind] = import_funding_areas(
            store,
            folder / f"milieuschutz_WFS_{kind}_origin.geojson",
            id_col="schluessel",
            name_col="gebietsname",
            start_year_col="f_in_kraft",
            designation=designation,
            ags="11000000",
            area_col="fl_in_ha",
        )
    assert results["residential_protection"].rows == 81
    assert results["urban_character_preservation"].rows == 94
    fa = store.read("funding_areas").set_index("id")
    assert len(fa) == 175 and fa.crs.to_epsg() == 25833
    assert fa.loc["EM0105", "name"] == "Sparrplatz" and fa.loc["EM0105", "start_year"] == 2016
    assert fa.loc["ES0101", "start_year"] == 1988
    assert fa.loc["EM0105", "legal_designation"].startswith("soziales Erhaltungsgebiet")
    em = fa[fa.index.str.startswith("EM")]
    assert em.geometry.area.sum() / 1e4 == pytest.approx(5222.0, abs=0.5)  # PROVENANCE
    assert any("5.224,8 ha laut Spalte" in n for n in results["residential_protection"].notes)


@pytest.fixture
def sozialatlas_dsn(real_data: Path) -> Iterator[str]:
    """The Flensburg INSERT statements loaded into a scratch schema of the test database."""
    schema = f"fl_{uuid.uuid4().hex[:10]}"
    text = (real_data / "flensburg_sozialatlas/flensburg_sozialatlas.sql").read_text("utf-8")
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("SET search_path TO {}, public").format(sql.Identifier(schema)))
        conn.execute(text.encode("utf-8"))
    yield f"{PG_DSN}?options=-csearch_path%3D{schema},public"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


SOZIALATLAS_SQL = " UNION ALL ".join(
    f"SELECT 'STGT' || lpad(district_id::text, 2, '0') AS area, '{key}' AS indicator, "
    f"year, residents AS value FROM {table}"
    for key, table in [
        ("residents", "fl_residents_by_district"),
        ("unemployed", "fl_unemployed_residents_by_district"),
        ("sgb2_recipients", "fl_beneficiaries_by_district"),
        ("housing_benefit_recipients", "fl_housing_benefit_by_district"),
    ]
)


def test_flensburg(
    store_url: str, real_data: Path, sozialatlas_dsn: str, capsys: pytest.CaptureFixture[str]
):
    store = fresh_store(store_url, crs="EPSG:25832")
    folder = real_data / "flensburg_sozialatlas"
    teile = import_areas(
        store,
        folder / "flensburg_stadtteile.zip",
        level="Stadtteil",
        id_col="AREA_ID",
        name_col="AREA_NAME",
        valid_from="2018-01-01",
    )
    assert teile.rows == 13 and teile.notes == ()
    bezirke = import_areas(
        store,
        folder / "flensburg_stadtbezirke.zip",
        level="Bezirk",
        id_col="AREA_ID",
        name_col="AREA_NAME",
        parent_col="PARENT_ARE",
        valid_from="2018-01-01",
    )
    assert bezirke.rows == 41
    assert bezirke.notes[0].startswith("2 ungültige Geometrien mit make_valid repariert")
    stored = store.read("areas", where={"level": "Bezirk"})
    assert stored.geometry.is_valid.all() and stored.crs.to_epsg() == 25832
    assert set(stored["parent_id"]) == {f"STGT{i:02d}" for i in range(1, 14)}
    teile_area = area_km2(store, level="Stadtteil")
    assert area_km2(store, level="Bezirk") == pytest.approx(teile_area, rel=1e-3)
    direct = gpd.read_file(f"zip://{folder / 'flensburg_stadtteile.zip'}")
    assert teile_area == pytest.approx(direct.area.sum() / 1e6, rel=1e-9)  # 49.0 km² of land

    code = main(
        [
            "import",
            "indicators",
            "--sql",
            SOZIALATLAS_SQL,
            "--dsn",
            sozialatlas_dsn,
            "--store",
            store.url,
            "--id",
            "area",
            "--period-col",
            "year",
            "--indicator-col",
            "indicator",
            "--value-col",
            "value",
            "--edition",
            "Sozialatlas 2022",
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "Ebene Stadtteil, Gebietsstand 2018" in out.out
    values = store.read("indicator_values", where={"edition": "Sozialatlas 2022"})
    counts = values.groupby("indicator").size().to_dict()
    assert counts == {
        "residents": 91,
        "unemployed": 78,
        "sgb2_recipients": 65,
        "housing_benefit_recipients": 104,
    }
    altstadt = values[(values["area_id"] == "STGT01") & (values["indicator"] == "residents")]
    by_year = dict(zip(altstadt["period"].dt.year, altstadt["value"]))
    assert by_year[2011] == 3323 and by_year[2022] == 3907
    assert (values["period"].dt.strftime("%m-%d") == "12-31").all()


def test_germany_vg5000_municipalities(store_url: str, real_data: Path):
    store = fresh_store(store_url, crs="EPSG:25832")
    result = import_areas(
        store,
        real_data / "germany_vg5000_2021/VG5000_GEM.shp",
        level="Gemeinde",
        id_col="AGS",
        name_col="GEN",
        valid_from="2021-01-01",
    )
    assert result.rows == 10_997
    note = result.notes[0]
    assert note.startswith("3 ungültige Geometrien mit make_valid repariert")
    assert all(ags in note for ags in ("09677452", "16071004", "16076039"))
    gem = store.read("areas", where={"level": "Gemeinde"})
    assert len(gem) == 10_997 and gem["id"].is_unique and gem.geometry.is_valid.all()
    assert gem.crs.to_epsg() == 25832
    assert gem.geometry.area.sum() / 1e6 == pytest.approx(357_200.7, abs=1.0)
    berlin = gem.set_index("id").loc["11000000"]
    assert berlin["name"] == "Berlin"
    # Berlin lies outside UTM 32N: its area there is 0.4 % too large, as expected
    assert berlin.geometry.area / 1e6 == pytest.approx(894.4, abs=0.5)


def test_moosburg_buildings(store_url: str, real_data: Path):
    store = fresh_store(store_url, crs="EPSG:25832")
    path = real_data / "osm_buildings_moosburg/buildings.geojson"
    result = import_buildings(store, path, id_col="id")
    assert result.rows == 6980 and result.notes == ()
    got = store.read("buildings").set_index("id")
    assert len(got) == 6980 and got.index.str.startswith("w").all()
    assert got.crs.to_epsg() == 25832
    direct = gpd.read_file(path).set_index("id").to_crs(25832)
    assert got.geometry["w25378514"].area == pytest.approx(direct.geometry["w25378514"].area)
    x0, y0, x1, y1 = got.total_bounds
    assert 700_000 < x0 < x1 < 730_000 and 5_360_000 < y0 < y1 < 5_380_000
