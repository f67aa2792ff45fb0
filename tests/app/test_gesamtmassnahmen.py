"""AppTest of the page Gesamtmaßnahmen: a funding area created from an uploaded boundary,
designated as § 142 Sanierungsgebiet (vereinfachtes Verfahren) with its by-law date, a
concept with a goal and a target, a Land programme; rules, roles and conflicts."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from geo.store import open_store
from monitoring import services
from monitoring.auth import User
from tests.app.city import CRS, X0, Y0

#: the boundary of the new area, in the storage CRS (the upload carries it in WGS84)
NEW_AREA = shapely.box(X0 + 3200, Y0 + 200, X0 + 3900, Y0 + 700)


def _errors(at: AppTest) -> list[str]:
    """The error messages as read (the Markdown escapes of ui.common.md removed)."""
    return [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]


def _click(at: AppTest, label: str) -> AppTest:
    button = next(b for b in at.button if b.label == label)
    at = button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _file(tmp_path: Path, name: str, frame: gpd.GeoDataFrame, driver: str) -> bytes:
    path = tmp_path / name
    frame.to_file(path, driver=driver)
    return path.read_bytes()


def _geojson(tmp_path: Path) -> bytes:
    frame = gpd.GeoDataFrame({"name": ["Altstadt"]}, geometry=[NEW_AREA], crs=CRS)
    return _file(tmp_path, "altstadt.geojson", frame.to_crs("EPSG:4326"), "GeoJSON")


def _read(url: str, layer: str) -> gpd.GeoDataFrame:
    with open_store(url) as st:
        return st.read(layer)


def _upload(at: AppTest, name: str, content: bytes, mime: str) -> AppTest:
    return at.file_uploader(key="gm.neu.grenze.datei").set_value((name, content, mime)).run()


def _fill_area(at: AppTest, **extra: object) -> None:
    at.text_input(key="gm.neu.kennung").set_value("SAN-01")
    at.text_input(key="gm.neu.name").set_value("Altstadt")
    at.text_input(key="gm.neu.ags").set_value("05315000")
    at.selectbox(key="gm.neu.programm").set_value("lebendige_zentren")
    at.selectbox(key="gm.neu.status").set_value("laufend")
    at.text_input(key="gm.neu.beginn").set_value("2021")
    at.text_input(key="gm.neu.ende").set_value("2033")
    at.text_input(key="gm.neu.anteil").set_value("50")
    at.selectbox(key="gm.neu.festlegung").set_value("Sanierungsgebiet (§ 142 BauGB)")
    at.selectbox(key="gm.neu.verfahren").set_value(
        extra.get("verfahren", "vereinfachtes Verfahren")
    )
    at.date_input(key="gm.neu.satzung").set_value(extra.get("satzung", dt.date(2022, 3, 15)))


def test_the_page_renders_for_every_role(open_page: Callable[..., AppTest]) -> None:
    at = open_page("gesamtmassnahmen")
    assert at.title[0].value == "Gesamtmaßnahmen" and not _errors(at)
    assert [t.label for t in at.tabs] == ["Fördergebiete", "Entwicklungskonzepte", "Programme"]
    table = at.dataframe[0].value
    assert sorted(table["Kennung"]) == ["SSZ-01", "WNE-01"]
    programmes = next(d.value for d in at.dataframe if "Vorgänger" in d.value.columns)
    row = programmes.set_index("Kennung").loc["lebendige_zentren"]
    assert row["Vorgänger"] == "Aktive Stadt- und Ortsteilzentren, Städtebaulicher Denkmalschutz"


def test_create_a_funding_area_from_an_uploaded_geojson_and_designate_it(
    open_page: Callable[..., AppTest], city_url: str, tmp_path: Path
) -> None:
    at = open_page("gesamtmassnahmen")
    assert at.selectbox(key="gm.auswahl").value == "__neu__"
    at = _upload(at, "altstadt.geojson", _geojson(tmp_path), "application/geo+json")
    assert not _errors(at), _errors(at)
    assert any("35,0\xa0ha" in c.value for c in at.caption)  # 700 m x 500 m, reprojected
    _fill_area(at)
    at = _click(at, "Gesamtmaßnahme anlegen")
    assert not _errors(at), _errors(at)
    assert [s.value for s in at.success] == ["Gespeichert: Die Gesamtmaßnahme „SAN\\-01“."]
    areas = _read(city_url, "funding_areas").set_index("id")
    new = areas.loc["SAN-01"]
    assert new["name"] == "Altstadt" and new["programme_id"] == "lebendige_zentren"
    assert (new["start_year"], new["expected_end"], new["fund_public_share_max"]) == (
        2021,
        2033,
        0.5,
    )
    assert new["legal_designation"] == "Sanierungsgebiet (§ 142 BauGB)"
    assert new["legal_procedure"] == "vereinfachtes Verfahren"
    assert str(new["bylaw_date"])[:10] == "2022-03-15"
    assert areas.crs.to_epsg() == 25832
    assert new.geometry.symmetric_difference(NEW_AREA).area < 1.0  # back in the storage CRS
    log = _read(city_url, "audit_log")
    created = log[(log["layer"] == "funding_areas") & (log["record_key"] == "SAN-01")]
    assert created["action"].tolist() == ["create"] and created["user_name"].tolist() == ["lokal"]
    assert json.loads(created["after"].iloc[0])["legal_procedure"] == "vereinfachtes Verfahren"


def test_a_file_with_several_features_asks_which_one(
    open_page: Callable[..., AppTest], city_url: str, tmp_path: Path
) -> None:
    other = shapely.box(X0 + 5000, Y0, X0 + 5100, Y0 + 100)
    frame = gpd.GeoDataFrame({"name": ["Altstadt", "Hafen"]}, geometry=[NEW_AREA, other], crs=CRS)
    content = _file(tmp_path, "gebiete.gpkg", frame.to_crs("EPSG:25833"), "GPKG")
    at = _upload(open_page("gesamtmassnahmen"), "gebiete.gpkg", content, "application/geopackage")
    pick = at.selectbox(key="gm.neu.grenze.objekt")
    assert "2 Objekte" in pick.label and pick.value == "alle"
    assert any("36,0\xa0ha" in c.value for c in at.caption)  # both, dissolved
    at = pick.set_value(2).run()
    assert any("1,0\xa0ha" in c.value for c in at.caption)
    _fill_area(at)
    at = _click(at, "Gesamtmaßnahme anlegen")
    assert not _errors(at), _errors(at)
    stored = _read(city_url, "funding_areas").set_index("id").loc["SAN-01"].geometry
    assert stored.symmetric_difference(other).area < 1.0


def test_rules_are_shown_in_german_and_nothing_is_stored(
    open_page: Callable[..., AppTest], city_url: str, tmp_path: Path
) -> None:
    at = _upload(open_page("gesamtmassnahmen"), "a.geojson", _geojson(tmp_path), "application/json")
    _fill_area(at, satzung=dt.date.today() + dt.timedelta(days=30))
    at.text_input(key="gm.neu.ende").set_value("2019")
    at = _click(at, "Gesamtmaßnahme anlegen")
    text = " ".join(_errors(at))
    assert "Nicht gespeichert" in text
    assert "liegt in der Zukunft" in text and "Aufnahmejahr 2021 liegt nach" in text
    at.text_input(key="gm.neu.ende").set_value("2033,5")
    at = _click(at, "Gesamtmaßnahme anlegen")
    assert any("voraussichtliches Ende: „2033,5“ ist keine ganze Zahl" in e for e in _errors(at))
    assert "SAN-01" not in set(_read(city_url, "funding_areas")["id"])
    assert _read(city_url, "audit_log").empty


def test_a_line_file_is_refused_in_german(
    open_page: Callable[..., AppTest], tmp_path: Path
) -> None:
    frame = gpd.GeoDataFrame(geometry=[shapely.LineString([(X0, Y0), (X0 + 9, Y0 + 9)])], crs=CRS)
    content = _file(tmp_path, "linie.geojson", frame, "GeoJSON")
    at = _upload(open_page("gesamtmassnahmen"), "linie.geojson", content, "application/json")
    assert any("ein Fördergebiet ist eine Fläche" in e for e in _errors(at))


def test_edit_designation_and_see_a_conflict_in_german(
    open_page: Callable[..., AppTest], city_url: str
) -> None:
    at = open_page("gesamtmassnahmen")
    at = at.selectbox(key="gm.auswahl").set_value("SSZ-01").run()
    at.selectbox(key="gm.SSZ-01.1.festlegung").set_value("Sanierungsgebiet (§ 142 BauGB)")
    at.selectbox(key="gm.SSZ-01.1.verfahren").set_value("umfassendes Verfahren")
    at.date_input(key="gm.SSZ-01.1.satzung").set_value(dt.date(2016, 9, 1))
    at = _click(at, "Speichern")
    assert not _errors(at), _errors(at)
    row = _read(city_url, "funding_areas").set_index("id").loc["SSZ-01"]
    assert (row["legal_procedure"], row["version"]) == ("umfassendes Verfahren", 2)
    # someone else saves version 3 while this form shows version 2
    with open_store(city_url) as st:
        services.save(
            st, User("carla", "editor"), "funding_areas", {"name": "Soziale Mitte Nord"},
            key={"id": "SSZ-01"}, expected_version=2,
        )  # fmt: skip
    at.text_input(key="gm.SSZ-01.2.ags").set_value("05315000")
    at = _click(at, "Speichern")
    text = " ".join(_errors(at))
    assert text.startswith("Konflikt: Die Gesamtmaßnahme „SSZ-01“ wurde inzwischen von carla")
    assert "Nichts wurde gespeichert" in text
    row = _read(city_url, "funding_areas").set_index("id").loc["SSZ-01"]
    assert row["name"] == "Soziale Mitte Nord" and row["ags"] is None


def test_concept_with_a_goal_and_a_target(open_page: Callable[..., AppTest], city_url: str) -> None:
    at = open_page("gesamtmassnahmen")
    at = at.selectbox(key="gm.konzepte.gebiet").set_value("SSZ-01").run()
    assert at.text_input(key="gm.konzept.kennung").value == "K-SSZ-01-01"
    at.selectbox(key="gm.konzept.art").set_value("IHEK")
    at.text_input(key="gm.konzept.titel").set_value("IHEK Soziale Mitte")
    at.text_input(key="gm.konzept.fassung").set_value("2023")
    at.date_input(key="gm.konzept.beschlossen").set_value(dt.date(2023, 2, 1))
    at.text_input(key="gm.konzept.ab").set_value("2023")
    at.text_input(key="gm.konzept.bis").set_value("2025")
    at = _click(at, "Konzept anlegen")
    assert not _errors(at), _errors(at)
    concept = _read(city_url, "concepts").set_index("id").loc["K-SSZ-01-01"]
    assert (concept["kind"], concept["valid_from_year"], concept["valid_to_year"]) == (
        "IHEK",
        2023,
        2025,
    )
    at.selectbox(key="gm.ziel.feld").set_value("ss_schule_bildung")
    at.text_input(key="gm.ziel.titel").set_value("Weniger Kinderarmut")
    at = _click(at, "Ziel speichern")
    assert not _errors(at), _errors(at)
    goal = _read(city_url, "goals").set_index("id").loc["K-SSZ-01-01-Z01"]
    assert (goal["concept_id"], goal["field_id"]) == ("K-SSZ-01-01", "ss_schule_bildung")
    at.selectbox(key="gm.zw.indikator").set_value("unemployment_rate")
    at.date_input(key="gm.zw.basis_am").set_value(dt.date(2022, 12, 31))
    at.text_input(key="gm.zw.basis").set_value("12,5")
    at.selectbox(key="gm.zw.richtung").set_value("decrease")
    at.date_input(key="gm.zw.ziel_am").set_value(dt.date(2025, 12, 31))
    at.text_input(key="gm.zw.wert").set_value("9,75")
    at = _click(at, "Zielwert speichern")
    assert not _errors(at), _errors(at)
    target = _read(city_url, "targets").set_index("id").loc["T-001"]
    assert (target["goal_id"], target["indicator"], target["direction"]) == (
        "K-SSZ-01-01-Z01",
        "unemployment_rate",
        "decrease",
    )
    assert (target["baseline_value"], target["target_value"]) == (12.5, 9.75)
    shown = next(d.value for d in at.dataframe if "Zielwert" in d.value.columns)
    assert shown["Richtung"].tolist() == ["senken"]
    # a second version takes the goals and targets over
    at.text_input(key="gm.konzept.titel").set_value("IHEK Soziale Mitte 2026")
    at.text_input(key="gm.konzept.ab").set_value("2026")
    at.text_input(key="gm.konzept.bis").set_value("2028")
    at.selectbox(key="gm.konzept.kopie").set_value("K-SSZ-01-01")
    at = _click(at, "Konzept anlegen")
    assert not _errors(at), _errors(at)
    goals = _read(city_url, "goals")
    assert sorted(goals["id"]) == ["K-SSZ-01-01-Z01", "K-SSZ-01-02-K-SSZ-01-01-Z01"]


def test_target_rules_and_numbers_in_german(
    open_page: Callable[..., AppTest], city_url: str
) -> None:
    with open_store(city_url) as st:
        user = User("ben", "editor")
        services.new_concept_version(
            st, user, {"id": "K1", "funding_area_id": "SSZ-01", "kind": "ISEK", "title": "ISEK"}
        )
        services.save(st, user, "goals", {"id": "Z1", "concept_id": "K1", "title": "Arbeit"})
    at = open_page("gesamtmassnahmen")
    at.selectbox(key="gm.zw.indikator").set_value("unemployment_rate")
    at.text_input(key="gm.zw.basis").set_value("10")
    at.selectbox(key="gm.zw.richtung").set_value("decrease")
    at.text_input(key="gm.zw.wert").set_value("12,5")
    at = _click(at, "Zielwert speichern")
    assert any("liegt nicht unter dem Basiswert 10" in e for e in _errors(at)), _errors(at)
    at.text_input(key="gm.zw.wert").set_value("1.5")
    at = _click(at, "Zielwert speichern")
    assert any("Zielwert" in e and "1.5" in e for e in _errors(at)), _errors(at)
    assert _read(city_url, "targets").empty


@pytest.mark.parametrize("role", ["viewer", "qm"])
def test_roles_without_the_right_see_no_forms(open_page: Callable[..., AppTest], role: str) -> None:
    at = AppTest.from_string(
        "import streamlit as st\nfrom ui.pages import run\nrun(start='gesamtmassnahmen')\n",
        default_timeout=60,
    )
    at.session_state["user"] = User("gast", role)  # type: ignore[arg-type]
    at.run()
    assert not at.exception and not _errors(at)
    assert not [b for b in at.button if b.label in ("Gesamtmaßnahme anlegen", "Konzept anlegen")]
    assert not at.file_uploader
    assert any("darf Gesamtmaßnahmen nicht ändern" in c.value for c in at.caption)


def test_admin_adds_a_land_programme(open_page: Callable[..., AppTest], city_url: str) -> None:
    at = open_page("gesamtmassnahmen")
    at.text_input(key="gm.programm.id").set_value("by_staedtebau")
    at.text_input(key="gm.programm.name").set_value("Bayerisches Städtebauförderungsprogramm")
    at.selectbox(key="gm.programm.land").set_value("Bayern")
    at.text_input(key="gm.programm.seit").set_value("1974")
    at = _click(at, "Programm anlegen")
    assert not _errors(at), _errors(at)
    row = _read(city_url, "programmes").set_index("id").loc["by_staedtebau"]
    assert (row["land"], row["since_year"], bool(row["federal"])) == ("Bayern", 1974, False)
    shown = next(d.value for d in at.dataframe if "Vorgänger" in d.value.columns)
    assert "Landesprogramm (Bayern)" in set(shown["Art"])


def test_change_and_delete_a_goal_with_its_targets(
    open_page: Callable[..., AppTest], city_url: str
) -> None:
    with open_store(city_url) as st:
        user = User("ben", "editor")
        services.new_concept_version(
            st, user, {"id": "K1", "funding_area_id": "SSZ-01", "kind": "ISEK", "title": "ISEK"}
        )
        services.save(st, user, "goals", {"id": "Z1", "concept_id": "K1", "title": "Arbeit"})
        services.save(st, user, "targets", {"id": "T1", "goal_id": "Z1", "indicator": "residents"})
    at = open_page("gesamtmassnahmen")
    at.selectbox(key="gm.ziel.Z1.1.feld").set_value("ss_beschaeftigung")
    at.text_input(key="gm.ziel.Z1.1.titel").set_value("Arbeit und Ausbildung")
    at = _click(at, "Ziel ändern")
    assert not _errors(at), _errors(at)
    goal = _read(city_url, "goals").set_index("id").loc["Z1"]
    assert (goal["title"], goal["field_id"], goal["version"]) == (
        "Arbeit und Ausbildung",
        "ss_beschaeftigung",
        2,
    )
    at = _click(at, "Ziel löschen")
    assert any("Häkchen" in w.value for w in at.warning)
    assert len(_read(city_url, "goals")) == 1
    at.checkbox(key="gm.ziel.Z1.2.sicher").check()
    at = _click(at, "Ziel löschen")
    assert not _errors(at), _errors(at)
    assert [s.value for s in at.success] == ["Gelöscht (mit seinen Zielwerten): Das Ziel „Z1“."]
    assert _read(city_url, "goals").empty and _read(city_url, "targets").empty
    log = _read(city_url, "audit_log")
    deleted = log[log["action"] == "delete"].sort_values("layer")
    assert deleted[["layer", "record_key"]].values.tolist() == [["goals", "Z1"], ["targets", "T1"]]


def test_years_show_without_a_thousands_dot(open_page: Callable[..., AppTest]) -> None:
    at = open_page("gesamtmassnahmen")
    at = at.selectbox(key="gm.auswahl").set_value("WNE-01").run()
    assert at.text_input(key="gm.WNE-01.1.beginn").value == "2019"


def test_change_a_concept_and_refuse_years_out_of_order(
    open_page: Callable[..., AppTest], city_url: str
) -> None:
    with open_store(city_url) as st:
        services.new_concept_version(
            st,
            User("ben", "editor"),
            {"id": "K1", "funding_area_id": "SSZ-01", "kind": "ISEK", "title": "ISEK",
             "valid_from_year": 2016},
        )  # fmt: skip
    at = open_page("gesamtmassnahmen")
    at.text_input(key="gm.konzept.K1.1.bis").set_value("2014")
    at = _click(at, "Konzept ändern")
    assert any("gültig ab 2016 liegt nach gültig bis 2014" in e for e in _errors(at))
    at.text_input(key="gm.konzept.K1.1.bis").set_value("2025")
    at.text_input(key="gm.konzept.K1.1.titel").set_value("ISEK Soziale Mitte")
    at = _click(at, "Konzept ändern")
    assert not _errors(at), _errors(at)
    row = _read(city_url, "concepts").set_index("id").loc["K1"]
    assert (row["title"], row["valid_to_year"], row["version"]) == ("ISEK Soziale Mitte", 2025, 2)
