"""AppTest of the import page: upload, mapping, the dry run's report, then the import.

The store is the small city in a GeoPackage; "nothing written" compares the file's
bytes, so any write before the confirmation (even one rolled back badly) shows.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from openpyxl import Workbook
from streamlit.testing.v1 import AppTest

from geo.store import open_store
from monitoring.catalogue import stored_defs
from tests.app.city import X0, Y0
from tests.app.test_own_levels import own_city

GOOD = (
    "Gebiet;Stichtag;share_u15;residents\n"
    "PR-00;31.12.2023;14,5;2.100\n"
    "PR-10;31.12.2023;15,25;2.400\n"
    "PR-20;31.12.2023;9,0;12.700\n"
)
BROKEN = (
    "Gebiet;Stichtag;share_u15;residents\n"
    "PR-00;31.12.2023;140,5;2.100\n"
    "PR-99;31.12.2023;15,2;2.400\n"
    "PR-20;31.12.2023;<b>viele</b>;2.700\n"
)


def _upload(at: AppTest, kind: str, name: str, content: bytes, mime: str) -> AppTest:
    at.selectbox(key="import.art").set_value(kind).run()
    at.file_uploader(key="import.datei").set_value((name, content, mime)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _frame(at: AppTest, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _details(at: AppTest) -> dict[str, str]:
    return dict(_frame(at, "Angabe").itertuples(index=False, name=None))


def test_indicator_csv_is_checked_then_stored_on_confirmation(
    open_page: Callable[..., AppTest], city_url: str
) -> None:
    before = Path(city_url).read_bytes()
    at = _upload(open_page("import"), "indikatoren", "werte.csv", GOOD.encode("cp1252"), "text/csv")
    # the mapping was guessed, the preview shows the file as read
    assert at.selectbox(key="import.indikatoren.id_col").value == "Gebiet"
    assert at.selectbox(key="import.indikatoren.period_col").value == "Stichtag"
    assert at.multiselect(key="import.indikatoren.spalten").value == ["share_u15", "residents"]
    assert _frame(at, "share_u15")["share_u15"].tolist() == ["14,5", "15,25", "9,0"]
    # the dry run's report, before any confirmation
    assert any("Prüfung bestanden: 6 Zeilen würden gespeichert" in s.value for s in at.success)
    details = _details(at)
    assert details["Ebene"] == "Planungsraum" and details["Gebietsstand"] == "2020"
    notes = _frame(at, "Hinweis")["Hinweis"].tolist()
    assert any("Dezimalzeichen ','" in n for n in notes), notes
    assert not at.error
    assert Path(city_url).read_bytes() == before, "something was written before confirmation"
    button = at.button(key="import.los")
    assert not button.disabled
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("6 Zeilen gespeichert" in s.value for s in at.success)
    stored = open_store(city_url).read("indicator_values", where={"period": "2023-12-31"})
    values = stored.set_index(["area_id", "indicator"])["value"]
    assert values["PR-10", "share_u15"] == 15.25
    assert values["PR-20", "residents"] == 12700.0
    assert len(stored) == 6 and set(stored["edition"]) == {"werte"}
    # the same file again: the button stays off (already imported)
    at.run()
    assert at.button(key="import.los").disabled


def test_broken_file_shows_every_problem_and_cannot_be_imported(
    open_page: Callable[..., AppTest], city_url: str
) -> None:
    before = Path(city_url).read_bytes()
    at = _upload(open_page("import"), "indikatoren", "kaputt.csv", BROKEN.encode(), "text/csv")
    assert any("3 Probleme gefunden" in e.value for e in at.error), [e.value for e in at.error]
    report = _frame(at, "Korrektur")
    assert list(report.columns) == ["Zeile", "Spalte", "Wert", "Problem", "Korrektur"]
    rows = {
        (int(z), str(c), str(w)): str(p)
        for z, c, w, p in report[["Zeile", "Spalte", "Wert", "Problem"]].itertuples(index=False)
    }
    assert "ist keine Zahl" in rows[4, "share_u15", "<b>viele</b>"]  # shown as text
    assert "unmöglich" in rows[2, "share_u15", "140,5"]  # the number as the user wrote it
    assert "gespeicherten Gebieten der Ebene" in rows[3, "Gebiet", "PR-99"]
    assert all(report["Korrektur"].str.len() > 0)
    assert at.button(key="import.los").disabled
    assert not at.success
    assert Path(city_url).read_bytes() == before


def test_unreadable_file_shows_its_report(open_page: Callable[..., AppTest]) -> None:
    at = _upload(open_page("import"), "indikatoren", "leer.csv", b"", "text/csv")
    assert any("kann nicht gelesen werden" in e.value for e in at.error)
    assert len(_frame(at, "Korrektur")) >= 1


def test_areas_from_a_vector_file(
    open_page: Callable[..., AppTest], city_url: str, tmp_path: Path
) -> None:
    frame = gpd.GeoDataFrame(
        {"schluessel": ["BL-1", "BL-2"], "name": ["Block <i>1</i>", "Block 2"]},
        geometry=[
            shapely.box(X0, Y0, X0 + 1500, Y0 + 3000),
            shapely.box(X0 + 1500, Y0, X0 + 3000, Y0 + 3000),
        ],
        crs="EPSG:25832",
    )
    frame.to_file(tmp_path / "bloecke.geojson")
    content = (tmp_path / "bloecke.geojson").read_bytes()
    before = Path(city_url).read_bytes()
    at = _upload(open_page("import"), "gebiete", "bloecke.geojson", content, "application/json")
    assert any("Bitte angeben: Ebene" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "import.los"]  # no check without a level
    at.text_input(key="import.gebiete.ebene").set_value("Block").run()
    at.text_input(key="import.gebiete.valid_from").set_value("01.01.2024").run()
    assert any("2 Zeilen würden gespeichert" in s.value for s in at.success)
    assert _details(at)["Gebietsstand"] == "2024"
    assert Path(city_url).read_bytes() == before
    at.button(key="import.los").click().run()
    assert any("2 Zeilen gespeichert" in s.value for s in at.success)
    stored = open_store(city_url).read("areas", where={"level": "Block"})
    assert sorted(stored["id"]) == ["BL-1", "BL-2"]
    assert set(stored["name"]) == {"Block <i>1</i>", "Block 2"}


def test_measures_table_with_decimal_commas(
    open_page: Callable[..., AppTest], city_url: str
) -> None:
    csv = (
        "id;titel;status;x;y;kosten\n"
        f"N-1;Neue Bank;geplant;{X0 + 500:.0f},5;{Y0 + 500:.0f};1.250,50\n"
        f"N-2;Baumscheiben;fertig;{X0 + 600:.0f};{Y0 + 600:.0f};\n"
    )
    at = _upload(open_page("import"), "massnahmen", "m.csv", csv.encode(), "text/csv")
    assert at.selectbox(key="import.massnahmen.x_col").value == "x"
    report = _frame(at, "Korrektur")
    assert report["Wert"].tolist() == ["fertig"] and report["Zeile"].tolist() == [3]
    assert at.button(key="import.los").disabled
    fixed = csv.replace("fertig", "bewilligt").encode()
    at.file_uploader(key="import.datei").set_value(("m.csv", fixed, "text/csv")).run()
    assert any("2 Zeilen würden gespeichert" in s.value for s in at.success)
    at.button(key="import.los").click().run()
    stored = open_store(city_url).read("measures").set_index("id")
    assert stored.loc["N-1", "cost_estimate"] == 1250.5
    assert stored.loc["N-1", "funding_area_id"] == "SSZ-01"
    assert gpd.GeoDataFrame(stored).geometry.x["N-1"] == X0 + 500.5


def test_viewer_may_not_import(city_url: str) -> None:
    script = (
        "import streamlit as st\nfrom monitoring.auth import User\n"
        "st.session_state['user'] = User('gast', 'viewer')\n"
        "from ui.pages import run\nrun(start='import')\n"
    )
    at = AppTest.from_string(script, default_timeout=60)
    at.run()
    assert any("darf" in w.value and "nicht importieren" in w.value for w in at.warning)
    assert not at.file_uploader


def test_import_acts_as_the_app_user_and_leaves_no_temp_files(
    city_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uploads = tmp_path / "tmp"
    uploads.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(uploads))
    script = (
        "import streamlit as st\nfrom monitoring.auth import User\n"
        "st.session_state['user'] = User('erika', 'editor')\n"
        "from ui.pages import run\nrun(start='import')\n"
    )
    at = AppTest.from_string(script, default_timeout=60)
    at.run()
    csv = f"id;titel;status;x;y\nN-7;Neue Bank;geplant;{X0 + 500:.0f};{Y0 + 500:.0f}\n"
    _upload(at, "massnahmen", "bank.csv", csv.encode(), "text/csv")
    assert any("1 Zeile würde gespeichert" in s.value for s in at.success)
    at.button(key="import.los").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not list(uploads.glob("qmon-import-*")), "the uploaded file was left behind"
    store = open_store(city_url)
    log = store.read("audit_log", where={"layer": "measures", "record_key": "N-7"})
    assert log["user_name"].tolist() == ["erika"] and log["action"].tolist() == ["create"]
    batch = store.read("import_batches", where={"id": log["batch_id"].iloc[0]})
    assert batch["user_name"].tolist() == ["erika"] and batch["source"].tolist() == ["bank.csv"]
    # the same measure with another title: refused until the user allows changes
    changed = csv.replace("Neue Bank", "Bank am Teich").encode()
    at.file_uploader(key="import.datei").set_value(("bank.csv", changed, "text/csv")).run()
    assert at.button(key="import.los").disabled
    assert "Neue Bank" in _frame(at, "Korrektur")["Problem"].iloc[0]
    at.checkbox(key="import.massnahmen.ersetzen").check().run()
    assert _frame(at, "Feld")["aus der Datei"].tolist() == ["Bank am Teich"]
    at.button(key="import.los").click().run()
    assert store.read("measures", where={"id": "N-7"})["title"].tolist() == ["Bank am Teich"]
    assert store.read("measures", where={"id": "N-7"})["status"].tolist() == ["geplant"]


def _office_workbook() -> bytes:
    """A statistics office's table: title rows, a header over two rows, a footnote,
    names with umlauts, a row for the Bezirk, a name no stored area has, a second sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Stadtteile"
    sheet.append(["Statistisches Jahrbuch 2024"])
    sheet.append(["Haushalte und Wohnungen am 31.12.2024"])
    sheet.append([])
    sheet.append(["Stadtteil", "Haushalte", "Wohnungen"])
    sheet.append([None, "Anzahl", "Anzahl"])
    for row in (
        ("Altstadt", 1200, 1300),
        ("Jürgensby", 800, 850),
        ("MÜRWIK", 2100, 2200),
        ("Südstadt", 950, "."),
        ("Neuland", 10, 12),
        ("Bezirk Nord", 5000, 4000),
    ):
        sheet.append(list(row))
    sheet.append([])
    sheet.append(["Quelle: Statistikamt; . = geheim gehalten"])
    book.create_sheet("Erläuterungen").append(["Zeichenerklärung"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_statistics_office_workbook_by_names_skipping_unknown_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = str(tmp_path / "eigene.gpkg")
    own_city(url)
    monkeypatch.setenv("QMON_STORE", url)
    monkeypatch.setenv("QMON_LOCAL_ADMIN", "1")
    monkeypatch.delenv("QMON_BASEMAP", raising=False)
    at = AppTest.from_string(
        "from ui.pages import run\nrun(start='import')\n", default_timeout=60
    ).run()
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at = _upload(at, "indikatoren", "haushalte.xlsx", _office_workbook(), mime)
    # the layout as read: the sheet, the header over two rows, title and footnote
    assert at.selectbox(key="import.blatt").options == ["Stadtteile", "Erläuterungen"]
    assert at.number_input(key="import.kopfzeile").value is None
    notes = _frame(at, "Hinweis zur Tabelle")["Hinweis zur Tabelle"].tolist()
    assert any("Kopfzeile in Zeilen 4–5 erkannt" in n for n in notes), notes
    assert "Titel: Statistisches Jahrbuch 2024 / Haushalte und Wohnungen am 31.12.2024" in notes
    assert "Fußnote: Quelle: Statistikamt; . = geheim gehalten" in notes
    assert at.selectbox(key="import.indikatoren.id_col").value == "Stadtteil"
    # one row per value column to map onto the catalogue; empty: a new indicator
    mapping = _frame(at, "Indikator im Katalog")
    assert mapping.values.tolist() == [["Haushalte Anzahl", ""], ["Wohnungen Anzahl", ""]]
    at.text_input(key="import.indikatoren.stichtag").set_value("31.12.2024").run()
    # by name; the unknown name fails the check and is named
    at.radio(key="import.indikatoren.match").set_value("name").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("1 Problem gefunden" in e.value for e in at.error), [e.value for e in at.error]
    report = _frame(at, "Korrektur")
    assert report["Wert"].tolist() == ["Neuland"] and report["Zeile"].tolist() == [10]
    assert at.button(key="import.los").disabled
    skip = at.checkbox(key="import.indikatoren.auslassen")
    assert not skip.value
    # skip the rows that are no stored area: the check passes and lists them
    skip.check().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Prüfung bestanden: 8 Zeilen würden gespeichert" in s.value for s in at.success)
    assert at.checkbox(key="import.indikatoren.auslassen").value  # still there, to uncheck
    at.checkbox(key="import.indikatoren.auslassen").uncheck().run()
    assert any("1 Problem gefunden" in e.value for e in at.error)
    at.checkbox(key="import.indikatoren.auslassen").check().run()
    assert any("Prüfung bestanden: 8 Zeilen" in s.value for s in at.success)
    skipped = _frame(at, "Grund")
    assert skipped[["Zeile", "Name"]].values.tolist() == [[10, "Neuland"], [11, "Bezirk Nord"]]
    assert "Summenzeile" in skipped["Grund"].iloc[1]
    sums = _frame(at, "Summe der Teile")
    assert sums.values.tolist() == [[11, "Bezirk Nord", "haushalte", "5.000", "5.050"]]
    assert _frame(at, "Schlüssel")["Schlüssel"].tolist() == ["haushalte", "wohnungen"]
    assert any("5 gespeicherte Gebiete der Ebene „Stadtteil“" in i.value for i in at.info)
    assert "[" not in "".join(_details(at).values())  # no list printed raw
    assert not open_store(url).read("indicator_values", where={"period": "2024-12-31"}).shape[0]
    at.button(key="import.los").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("8 Zeilen gespeichert" in s.value for s in at.success)
    store = open_store(url)
    stored = store.read("indicator_values", where={"period": "2024-12-31"})
    values = stored.set_index(["area_id", "indicator"])
    names = store.read("areas", where={"level": "Stadtteil"}).set_index("name")["id"]
    assert values.loc[(names["Jürgensby"], "haushalte"), "value"] == 800.0
    assert values.loc[(names["Mürwik"], "wohnungen"), "value"] == 2200.0
    secret = values.loc[(names["Südstadt"], "wohnungen")]
    assert pd.isna(secret["value"]) and secret["flag"] == "secret"
    assert set(stored["area_id"]) == {
        names[n] for n in ("Altstadt", "Jürgensby", "Mürwik", "Südstadt")
    }
    catalogue = {d["key"]: d for d in stored_defs(store)}
    assert catalogue["haushalte"]["label"] == "Haushalte"
    assert catalogue["haushalte"]["kind"] == "count"
    # after the import the new indicators show their label from the catalogue
    shown = [df.value for df in at.dataframe if "Schlüssel" in df.value.columns][-1]
    assert shown["Bezeichnung"].tolist() == ["Haushalte", "Wohnungen"]
    assert shown["Einheit"].tolist() == ["Anzahl", "Anzahl"]
    assert shown["Art"].tolist() == ["Anzahl (summierbar)"] * 2


def test_office_workbook_columns_onto_catalogue_keys_by_keyboard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = str(tmp_path / "eigene.gpkg")
    own_city(url)
    monkeypatch.setenv("QMON_STORE", url)
    monkeypatch.setenv("QMON_LOCAL_ADMIN", "1")
    at = AppTest.from_string(
        "from ui.pages import run\nrun(start='import')\n", default_timeout=60
    ).run()
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at = _upload(at, "indikatoren", "haushalte.xlsx", _office_workbook(), mime)
    # the other sheet is no table: its report, then back to the first sheet
    at.selectbox(key="import.blatt").set_value("Erläuterungen").run()
    assert any("Tabellenblatt „Erläuterungen“" in e.value for e in at.error)
    assert len(_frame(at, "Korrektur")) >= 1
    at.selectbox(key="import.blatt").set_value("Stadtteile").run()
    at.number_input(key="import.kopfzeile").set_value(5).run()  # as detected: same table
    columns = ["Stadtteil", "Haushalte Anzahl", "Wohnungen Anzahl"]
    assert list(_frame(at, "Stadtteil").columns) == columns
    at.number_input(key="import.kopfzeile").set_value(4).run()  # the units row left out
    assert list(_frame(at, "Stadtteil").columns) == ["Stadtteil", "Haushalte", "Wohnungen"]
    assert _frame(at, "Indikator im Katalog")["Spalte"].tolist() == ["Haushalte", "Wohnungen"]
    at.text_input(key="import.indikatoren.stichtag").set_value("31.12.2024").run()
    at.radio(key="import.indikatoren.match").set_value("name").run()
    at.checkbox(key="import.indikatoren.auslassen").check().run()
    at.text_input(key="import.indikatoren.umbenennen").set_value("Wohnungen=dwellings").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Prüfung bestanden: 8 Zeilen würden gespeichert" in s.value for s in at.success)
    assert _frame(at, "Schlüssel")["Schlüssel"].tolist() == ["haushalte"]
    at.button(key="import.los").click().run()
    stored = open_store(url).read("indicator_values", where={"period": "2024-12-31"})
    assert sorted(stored["indicator"].unique()) == ["dwellings", "haushalte"]
    assert "dwellings" not in {d["key"] for d in stored_defs(open_store(url))}
