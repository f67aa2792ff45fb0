"""Importing a statistics office's table without --columns: every numeric column becomes
an indicator, with its German label, unit and kind in the store's catalogue, written in the
same transaction as the values (a refused or dry import leaves no definition behind)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from geo.errors import ImportRefused
from geo.store import Store
from monitoring.catalogue import registry_for
from monitoring.imports.indicators import number_cell, numeric_columns
from tests.imports._util import assert_unchanged, import_indicators, snapshot

HEADERS = [
    "PLR_ID",
    "Name",
    "Bevölkerung insgesamt",
    "Anteil der unter 18-Jährigen in %",
    "Arbeitslose je 1 000 Einwohner",
    "Durchschnittliche Wohnfläche je Einwohner in m²",
    "Haushalte mit Kindern in %",
]
ROWS = [
    ["01100101", "Gebiet 0", 1675, 14.2, 61.3, 38.5, 18.0],
    ["01100102", "Gebiet 1", 2010, 17.9, 83.0, 34.25, 21.5],
    ["01100103", "Gebiet 2", 999, 11.0, 40.1, 41.0, 12.25],
]


def _workbook(path: Path, rows: list[list[object]] = ROWS) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _csv(path: Path) -> Path:
    lines = [";".join(HEADERS)]
    for row in ROWS:
        cells = [
            f"{v:,.2f}".replace(",", " ").replace(".", ",") if isinstance(v, float) else str(v)
            for v in row
        ]
        lines.append(";".join(cells).replace("1675", "1.675").replace("2010", "2.010"))
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    return path


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_numeric_columns_become_catalogue_indicators(
    store: Store, tmp_path: Path, kind: str
) -> None:
    source = _workbook(tmp_path / "profile.xlsx") if kind == "xlsx" else _csv(tmp_path / "p.csv")
    result = import_indicators(store, source, id_col="PLR_ID", period="2021-12-31")
    defs = store.read("indicator_defs").set_index("key")
    expected = {
        "bevoelkerung_insgesamt": ("Bevölkerung insgesamt", "Personen", "count"),
        "anteil_der_unter_18_jaehrigen": ("Anteil der unter 18-Jährigen", "%", "share"),
        "arbeitslose_je_1000_einwohner": (
            "Arbeitslose je 1 000 Einwohner",
            "je 1.000 Einwohner",
            "rate",
        ),
        "durchschnittliche_wohnflaeche_je_einwohner": (
            "Durchschnittliche Wohnfläche je Einwohner",
            "m²",
            "rate",
        ),
        "haushalte_mit_kindern": ("Haushalte mit Kindern", "%", "share"),
    }
    assert sorted(defs.index) == sorted(expected)
    for key, (label, unit, kind_) in expected.items():
        assert (defs.loc[key, "label"], defs.loc[key, "unit"], defs.loc[key, "kind"]) == (
            label,
            unit,
            kind_,
        ), key
    assert sorted(result.details["new_indicators"]) == sorted(expected)
    values = store.read("indicator_values", where={"indicator": "anteil_der_unter_18_jaehrigen"})
    assert sorted(values["value"].tolist()) == [11.0, 14.2, 17.9]
    assert "Name" not in set(store.read("indicator_values")["indicator"])
    # the registry of the store knows them, with their German labels
    reg = registry_for(store)
    assert reg.get("haushalte_mit_kindern").label == "Haushalte mit Kindern"
    # each definition has its audit row, carrying the import's batch id
    log = store.read("audit_log", where={"layer": "indicator_defs"})
    assert sorted(log["record_key"]) == sorted(expected)
    assert set(log["batch_id"]) == {result.batch_id}
    assert set(log["action"]) == {"create"}


def test_rename_maps_a_column_onto_a_catalogue_key_and_checks_it(
    store: Store, tmp_path: Path
) -> None:
    source = _workbook(tmp_path / "profile.xlsx")
    import_indicators(
        store,
        source,
        id_col="PLR_ID",
        period="2021-12-31",
        rename={"Bevölkerung insgesamt": "residents", "Haushalte mit Kindern in %": "hh_kinder"},
    )
    keys = set(store.read("indicator_defs")["key"])
    assert "residents" not in keys  # shipped: no row of its own
    assert "hh_kinder" in keys  # a city key of the user's choice gets the header's label
    row = store.read("indicator_defs", where={"key": "hh_kinder"}).iloc[0]
    assert (row["label"], row["unit"], row["kind"]) == ("Haushalte mit Kindern", "%", "share")
    stored = store.read(
        "indicator_values",
        where={"indicator": "residents", "area_id": "01100102", "edition": "profile"},
    )
    assert stored["value"].tolist() == [2010.0]


def test_a_renamed_catalogue_key_is_checked_against_its_definition(
    store: Store, tmp_path: Path
) -> None:
    rows = [r[:] for r in ROWS]
    rows[0][4] = 140.0  # unemployment_rate is a rate of 0–100 %
    before = snapshot(store)
    with pytest.raises(ImportRefused, match="unemployment_rate"):
        import_indicators(
            store,
            _workbook(tmp_path / "p.xlsx", rows),
            id_col="PLR_ID",
            period="2021-12-31",
            rename={"Arbeitslose je 1 000 Einwohner": "unemployment_rate"},
        )
    assert_unchanged(before, store)


def test_a_contradicted_kind_falls_back_to_value_with_a_note(store: Store, tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS]
    rows[1][3] = 117.5  # a "share" above 100
    rows[2][2] = 999.5  # a "count" with a fraction
    result = import_indicators(
        store, _workbook(tmp_path / "p.xlsx", rows), id_col="PLR_ID", period="2021-12-31"
    )
    defs = store.read("indicator_defs").set_index("key")["kind"]
    assert defs["anteil_der_unter_18_jaehrigen"] == "value"
    assert defs["bevoelkerung_insgesamt"] == "value"
    notes = " ".join(result.notes)
    assert "117,5" in notes and "Spalte „Anteil der unter 18-Jährigen in %“" in notes
    assert "999,5" in notes


def test_a_typo_in_a_column_of_numbers_is_reported_not_dropped(
    store: Store, tmp_path: Path
) -> None:
    rows = [r[:] for r in ROWS]
    rows[1][4] = "viele"
    before = snapshot(store)
    with pytest.raises(ImportRefused) as err:
        import_indicators(
            store, _workbook(tmp_path / "p.xlsx", rows), id_col="PLR_ID", period="2021-12-31"
        )
    problems = [p for p in err.value.problems if p.value == "viele"]
    assert len(problems) == 1 and problems[0].column == "Arbeitslose je 1 000 Einwohner"
    assert_unchanged(before, store)


def test_a_refused_import_leaves_no_definition_behind(store: Store, tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS]
    rows[2][0] = "99999999"  # an area the store does not have
    before = snapshot(store)
    with pytest.raises(ImportRefused, match="99999999"):
        import_indicators(
            store, _workbook(tmp_path / "p.xlsx", rows), id_col="PLR_ID", period="2021-12-31"
        )
    assert_unchanged(before, store)
    assert store.read("indicator_defs").empty


def test_a_dry_run_reports_the_new_indicators_and_stores_none(store: Store, tmp_path: Path) -> None:
    before = snapshot(store)
    dry = import_indicators(
        store, _workbook(tmp_path / "p.xlsx"), id_col="PLR_ID", period="2021-12-31", dry_run=True
    )
    assert dry.dry_run and len(dry.details["new_indicators"]) == 5
    assert any("neue Indikatoren im Katalog" in n for n in dry.notes)
    assert_unchanged(before, store)


def test_a_reimport_reuses_the_definitions(store: Store, tmp_path: Path) -> None:
    source = _workbook(tmp_path / "p.xlsx")
    import_indicators(store, source, id_col="PLR_ID", period="2021-12-31")
    again = import_indicators(store, source, id_col="PLR_ID", period="2022-12-31")
    assert "new_indicators" not in again.details
    assert len(store.read("indicator_defs")) == 5
    assert len(store.read("audit_log", where={"layer": "indicator_defs"})) == 5


def test_numeric_columns_take_statistics_symbols_and_leave_names() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "Nr": ["1", "2", "3", "4"],
            "Stadtteil": ["Altstadt", "St. Georg", "Hammerbrook", "Borgfelde"],
            "Einwohner": ["1 675", "2 010", "-", "12"],
            "Anteil Ausländer in %": [".", "x", "(12,3)", "4,2"],
            "Veränderung": ["-  23", "…", "/", "3"],
            "nur Zeichen": ["-", ".", "x", "…"],
        }
    )
    assert numeric_columns(frame, exclude=["Nr"]) == [
        "Einwohner",
        "Anteil Ausländer in %",
        "Veränderung",
    ]
    assert "Nr" in numeric_columns(frame)
    assert number_cell("St. Georg") is None and number_cell("–") is False


def test_undo_removes_the_definitions_the_import_added(store: Store, tmp_path: Path) -> None:
    from monitoring.imports import batches
    from tests.imports._util import ADMIN

    before = snapshot(store)
    result = import_indicators(
        store, _workbook(tmp_path / "p.xlsx"), id_col="PLR_ID", period="2021-12-31"
    )
    assert len(store.read("indicator_defs")) == 5
    assert result.batch_id is not None
    counts = batches.undo(store, ADMIN, result.batch_id)
    assert counts["definitions_removed"] == 5
    assert store.read("indicator_defs").empty
    after = snapshot(store)
    for name in ("indicator_values", "indicator_defs", "areas"):
        assert len(after[name]) == len(before[name]), name
