"""AppTest: an imported indicator appears on the Karte with its German label, and a
city's own profile made on the Indikatoren page is saved and offered as a method."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from geo.store import open_store
from monitoring import catalogue
from monitoring.auth import User
from monitoring.imports import import_indicators
from tests.app.city import AREA_IDS


def _import_profile_table(url: str, tmp_path: Path) -> None:
    """A statistics office's table with German headers, imported without --columns."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Planungsraum", "Name", "Haushalte mit Kindern in %", "Wohnfläche je EW in m²"])
    for k, area in enumerate(AREA_IDS):
        sheet.append([area, f"Quartier {k + 1}", 12.5 + k, 30.0 + k / 2])
    book.save(tmp_path / "profile.xlsx")
    with open_store(url) as store:
        import_indicators(
            store,
            tmp_path / "profile.xlsx",
            id_col="Planungsraum",
            period="2022-12-31",
            user=User("anna", "admin"),
        )


def test_karte_lists_an_imported_indicator_by_its_german_label(
    open_page, city_url: str, tmp_path: Path
) -> None:
    _import_profile_table(city_url, tmp_path)
    at = open_page("karte", indikator="haushalte_mit_kindern", stichtag="2022-12-31")
    box = at.selectbox(key="karte.indikator")
    assert box.value == "haushalte_mit_kindern"
    assert "Haushalte mit Kindern" in box.options
    assert "Wohnfläche je EW" in box.options
    assert "haushalte_mit_kindern" not in box.options  # the label, not the key


def test_indikatoren_page_saves_an_own_profile_and_offers_it(
    open_page, city_url: str, tmp_path: Path
) -> None:
    _import_profile_table(city_url, tmp_path)
    at = open_page("indikatoren")
    at.text_input(key="indikatoren.profil_editor.name").input("eigener-index")
    at.text_input(key="indikatoren.profil_editor.label").input("Eigener Index")
    at.multiselect(key="indikatoren.profil_editor.status").select("haushalte_mit_kindern").select(
        "unemployment_rate"
    )
    at.run()
    assert not at.exception
    assert any('indicator = "haushalte_mit_kindern"' in c.value for c in at.code)
    at.button(key="indikatoren.profil_editor.save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("eigener-index" in s.value for s in at.success), [e.value for e in at.error]
    with open_store(city_url) as store:
        profile = catalogue.profile_for(store, "eigener-index")
        log = store.read("audit_log", where={"layer": "index_profiles"})
    assert [i.indicator for i in profile.status] == ["haushalte_mit_kindern", "unemployment_rate"]
    assert log["action"].tolist() == ["create"]
    at.run()  # the next run offers it as a method
    assert "Eigener Index" in at.selectbox(key="indikatoren.profil").options  # by its label
    at.selectbox(key="indikatoren.profil").set_value("eigener-index").run()
    assert not at.exception
    assert not any("nicht berechnen" in w.value for w in at.warning), [w.value for w in at.warning]
