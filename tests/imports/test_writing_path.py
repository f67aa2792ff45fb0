"""Imports through the one writing path, on both stores.

Roles, re-imports that change only the mapped columns, refusal without ``replace``
(store content unchanged), audit rows with the batch id, the same record rules as
the app's form, bulk layers never appended twice, and undo as a whole.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from cli.main import main
from geo.errors import ImportRefused
from geo.store import Store
from monitoring import editing, imports, services
from monitoring.auth import ROLE_LABELS, User
from monitoring.errors import PermissionDenied, RuleViolation
from tests.imports._util import (
    ADMIN,
    assert_unchanged,
    boxes,
    import_areas,
    import_buildings,
    import_funding_areas,
    import_indicators,
    import_measures,
    snapshot,
)

EDITOR = User("erika", "editor")

MEASURES = (
    "Nr;Titel;X;Y;Status;Beginn;Ende;Kosten\n"
    "M1;Spielplatz;390500;5819500;geplant;01.03.2030;30.09.2030;120.000,00\n"
    "M2;Treff;390600;5819600;bewilligt;;;1.500,50\n"
)


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _measures(store: Store, path: Path, **options: Any) -> imports.ImportResult:
    full = {
        "status_col": "Status",
        "start_col": "Beginn",
        "end_col": "Ende",
        "cost_estimate_col": "Kosten",
    }
    return import_measures(
        store,
        path,
        id_col="Nr",
        title_col="Titel",
        x_col="X",
        y_col="Y",
        crs="EPSG:25833",
        funding_area="QM01",
        **(full | options),
    )


def _short(store: Store, path: Path, **options: Any) -> imports.ImportResult:
    """Import measures mapping only id, title and coordinates."""
    return import_measures(
        store,
        path,
        id_col="Nr",
        title_col="Titel",
        x_col="X",
        y_col="Y",
        crs="EPSG:25833",
        funding_area="QM01",
        **options,
    )


def content(store: Store) -> dict[str, pd.DataFrame]:
    """The store's data: every layer but the logs, without the columns the store keeps."""
    out = {}
    for name, frame in snapshot(store).items():
        if name in ("audit_log", "import_batches"):
            continue
        out[name] = frame.drop(columns=list(editing.EDIT_MANAGED), errors="ignore")
    return out


def assert_same_content(before: dict[str, pd.DataFrame], store: Store) -> None:
    after = content(store)
    assert set(after) == set(before)
    for name, frame in before.items():
        assert_frame_equal(after[name], frame, obj=f"layer {name}")


def _log(store: Store, batch_id: str | None = None) -> pd.DataFrame:
    log = store.read("audit_log")
    return log if batch_id is None else log[log["batch_id"] == batch_id]


# --- roles ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        ("viewer", "measures"),
        ("qm", "measures"),
        ("viewer", "funding_areas"),
        ("viewer", "indicators"),
        ("qm", "buildings"),
        ("editor", "areas"),
    ],
)
def test_roles_refused_store_unchanged(store: Store, tmp_path: Path, role: str, kind: str):
    csv = _csv(tmp_path / "m.csv", MEASURES)
    boxes(["X1"]).rename(columns={"PLR_ID": "id", "PLR_NAME": "name"}).to_file(tmp_path / "v.gpkg")
    vals = _csv(tmp_path / "v.csv", "PLR_ID;EW\n01100101;5\n")
    calls = {
        "measures": lambda u: _measures(store, csv, user=u),
        "funding_areas": lambda u: import_funding_areas(
            store, tmp_path / "v.gpkg", id_col="id", name_col="name", user=u
        ),
        "indicators": lambda u: import_indicators(
            store, vals, id_col="PLR_ID", period="2022-12-31", columns=["EW"], user=u
        ),
        "buildings": lambda u: import_buildings(store, tmp_path / "v.gpkg", id_col="id", user=u),
        "areas": lambda u: import_areas(
            store, tmp_path / "v.gpkg", level="X", id_col="id", valid_from="2020", user=u
        ),
    }
    before = snapshot(store)
    with pytest.raises(PermissionDenied, match=rf"\(Rolle „{ROLE_LABELS[role]}“\) darf .* nicht "):
        calls[kind](User("gast", role))  # type: ignore[arg-type]
    assert_unchanged(before, store)
    allowed = ADMIN if kind == "areas" else EDITOR
    assert calls[kind](allowed).rows >= 1  # the same call passes with a role that may


def test_cli_viewer_is_refused_and_store_unchanged(
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
):
    csv = _csv(tmp_path / "m.csv", MEASURES)
    before = snapshot(store)
    monkeypatch.setenv("QMON_ROLE", "viewer")
    args = ["import", "measures", str(csv), "--store", store.url, "--id", "Nr", "--title"]
    args += ["Titel", "--x", "X", "--y", "Y", "--crs", "EPSG:25833", "--funding-area", "QM01"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "(Rolle „Lesen“) darf " in err and "Traceback" not in err
    assert_unchanged(before, store)
    monkeypatch.setenv("QMON_ROLE", "editor")
    monkeypatch.setenv("QMON_USER", "erika")
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "qmon import undo" in out
    log = store.read("audit_log")
    assert set(log.loc[log["layer"] == "measures", "user_name"]) == {"erika"}


# --- editable layers: create, update only the mapped columns, refuse without replace ------


def test_first_import_creates_with_one_audit_row_per_record(store: Store, tmp_path: Path):
    result = _measures(store, _csv(tmp_path / "m.csv", MEASURES))
    assert result.details == {"new": 2, "changed": 0, "unchanged": 0}
    assert result.batch_id
    log = _log(store, result.batch_id)
    assert sorted(log["record_key"]) == ["M1", "M2"]
    assert set(log["action"]) == {"create"} and set(log["layer"]) == {"measures"}
    batch = store.read("import_batches", where={"id": result.batch_id})
    assert batch["kind"].tolist() == ["measures"] and batch["user_name"].tolist() == ["tester"]
    assert batch["source"].tolist() == ["m.csv"]
    assert json.loads(batch["summary"].iloc[0])["details"]["new"] == 2
    assert store.read("measures", where={"id": "M1"})["version"].tolist() == [1]


def test_identical_reimport_changes_nothing(store: Store, tmp_path: Path):
    csv = _csv(tmp_path / "m.csv", MEASURES)
    _measures(store, csv)
    before = snapshot(store)
    again = _measures(store, csv)
    assert again.details == {"new": 0, "changed": 0, "unchanged": 2} and again.changes == ()
    after = snapshot(store)
    for name in before:
        if name != "import_batches":  # the batch itself is recorded
            assert_frame_equal(after[name], before[name], obj=name)


def test_reimport_with_fewer_columns_keeps_the_other_fields(store: Store, tmp_path: Path):
    _measures(store, _csv(tmp_path / "m.csv", MEASURES))
    stored = store.read("measures").sort_values("id").reset_index(drop=True)
    short = _csv(tmp_path / "s.csv", "Nr;Titel;X;Y\nM1;Spielplatz;390500;5819500\n")
    result = _short(store, short)
    assert result.details == {"new": 0, "changed": 0, "unchanged": 1}
    after = store.read("measures").sort_values("id").reset_index(drop=True)
    assert_frame_equal(after, stored)  # status, dates and cost are all still there


def test_changed_values_refused_without_replace_then_applied(store: Store, tmp_path: Path):
    _measures(store, _csv(tmp_path / "m.csv", MEASURES))
    before = snapshot(store)
    changed = _csv(
        tmp_path / "c.csv",
        "Nr;Titel;X;Y\nM1;Spielplatz Nord;390500;5819500\nM2;Treff;390700;5819600\n",
    )
    with pytest.raises(ImportRefused) as info:
        _short(store, changed)
    problems = {(p.row, p.column): p for p in info.value.problems}
    title = problems[(2, "Titel")]
    assert "Maßnahme „M1“ gibt es schon" in title.message and "'Spielplatz'" in title.message
    assert title.value == "Spielplatz Nord" and "--replace" in title.fix
    assert (
        "Maßnahme „M2“ gibt es schon: geometry ist gespeichert als 'POINT (390600 5819600)'"
        in problems[(3, "X/Y")].message
    )
    assert_unchanged(before, store)  # content, not only counts
    dry = _short(store, changed, replace=True, dry_run=True)
    assert dry.details["changed"] == 2
    assert_unchanged(before, store)
    result = _short(store, changed, replace=True)
    assert {(c.record, c.field) for c in result.changes} == {("M1", "title"), ("M2", "geometry")}
    got = store.read("measures").set_index("id")
    assert got.loc["M1", "title"] == "Spielplatz Nord"
    assert got.loc["M1", "status"] == "geplant" and got.loc["M1", "cost_estimate"] == 120000.0
    assert got.loc["M1", "version"] == 2 and got.loc["M1", "updated_by"] == "tester"
    log = _log(store, result.batch_id)
    assert sorted(log["record_key"]) == ["M1", "M2"] and set(log["action"]) == {"update"}
    m1 = log[log["record_key"] == "M1"].iloc[0]
    assert json.loads(m1["before"])["title"] == "Spielplatz"
    assert json.loads(m1["after"])["title"] == "Spielplatz Nord"


def test_funding_areas_keep_unmapped_fields(store: Store, tmp_path: Path):
    services.save(
        store,
        ADMIN,
        "funding_areas",
        {"funding_status": "laufend", "start_year": 2019},
        key={"id": "QM01"},
        expected_version=1,
    )
    stored = store.read("funding_areas", where={"id": "QM01"})
    boxes(["QM01"]).rename(columns={"PLR_ID": "id", "PLR_NAME": "name"}).to_file(
        tmp_path / "fa.geojson"
    )
    result = import_funding_areas(store, tmp_path / "fa.geojson", id_col="id", name_col="name")
    assert result.details["unchanged"] == 1
    assert_frame_equal(store.read("funding_areas", where={"id": "QM01"}), stored)


# --- one set of record rules, through both paths -----------------------------------------

RULES = [
    ("dates", "M9;Weg;390500;5819500;geplant;01.05.2030;01.03.2030;", "liegt nach dem Ende"),
    ("cost", "M9;Weg;390500;5819500;geplant;;;-5", "ist negativ; Kosten sind 0 € oder mehr"),
    (
        "status_dates",
        "M9;Weg;390500;5819500;in Umsetzung;;;",
        "Status „in Umsetzung“, aber der Beginn",
    ),
    ("done", "M9;Weg;390500;5819500;abgeschlossen;01.01.2020;;", "aber das Ende ist nicht gesetzt"),
]


@pytest.mark.parametrize(("rule", "line", "message"), RULES, ids=[r[0] for r in RULES])
def test_measure_rules_apply_to_save_and_import(
    store: Store, tmp_path: Path, rule: str, line: str, message: str
):
    header = "Nr;Titel;X;Y;Status;Beginn;Ende;Kosten\n"
    before = snapshot(store)
    with pytest.raises(ImportRefused) as info:
        _measures(store, _csv(tmp_path / "r.csv", header + line + "\n"))
    (problem,) = info.value.problems
    assert problem.row == 2 and message in problem.message
    assert problem.column == {"dates": "Ende", "cost": "Kosten"}.get(rule, "Status")
    assert_unchanged(before, store)
    status, start, end, cost = line.split(";")[4:]
    record = {
        "id": "M9",
        "funding_area_id": "QM01",
        "title": "Weg",
        "status": status or None,
        "start_date": start and dt.datetime.strptime(start, "%d.%m.%Y").date() or None,
        "end_date": end and dt.datetime.strptime(end, "%d.%m.%Y").date() or None,
        "cost_estimate": float(cost) if cost else None,
        "geometry": "POINT (390500 5819500)",
    }
    with pytest.raises(RuleViolation, match=message.replace("(", r"\(")):
        services.save(store, ADMIN, "measures", record)
    assert_unchanged(before, store)


def test_funding_area_rule_applies_to_save_and_import(store: Store, tmp_path: Path):
    frame = boxes(["QM05"]).rename(columns={"PLR_ID": "id", "PLR_NAME": "name"})
    frame["start"], frame["ende"] = [2020], [2012]
    frame.to_file(tmp_path / "fa.geojson")
    before = snapshot(store)
    with pytest.raises(
        ImportRefused, match="das Aufnahmejahr 2020 liegt nach dem voraussichtlichen Ende 2012"
    ):
        import_funding_areas(
            store,
            tmp_path / "fa.geojson",
            id_col="id",
            name_col="name",
            start_year_col="start",
            expected_end_col="ende",
        )
    assert_unchanged(before, store)
    with pytest.raises(
        RuleViolation, match="das Aufnahmejahr 2020 liegt nach dem voraussichtlichen Ende 2012"
    ):
        services.save(
            store,
            ADMIN,
            "funding_areas",
            {"id": "QM05", "name": "Neu", "start_year": 2020, "expected_end": 2012},
        )
    assert_unchanged(before, store)


def test_unknown_programme_names_an_existing_command(store: Store, tmp_path: Path):
    boxes(["QM07"]).rename(columns={"PLR_ID": "id", "PLR_NAME": "name"}).to_file(
        tmp_path / "fa.geojson"
    )
    with pytest.raises(ImportRefused, match="qmon programmes list"):
        import_funding_areas(
            store, tmp_path / "fa.geojson", id_col="id", name_col="name", programme="gibtsnicht"
        )


# --- bulk layers ---------------------------------------------------------------------------


def test_same_level_and_vintage_refused_unless_replace(store: Store, tmp_path: Path):
    src = tmp_path / "plr.geojson"
    frame = boxes()
    frame["PLR_NAME"] = ["Neu A", "Neu B", "Neu C"]
    frame.to_file(src)
    options = {"level": "PLR", "id_col": "PLR_ID", "name_col": "PLR_NAME", "valid_from": "2021"}
    before = snapshot(store)
    with pytest.raises(
        ImportRefused, match="es sind schon 3 Zeilen gespeichert \\(Gebiete der Ebene „PLR“"
    ):
        import_areas(store, src, **options)
    assert_unchanged(before, store)
    result = import_areas(store, src, replace=True, **options)
    assert result.details["replaced"] == 3
    assert sorted(store.read("areas")["name"]) == ["Neu A", "Neu B", "Neu C"]
    log = _log(store, result.batch_id)
    assert log["action"].tolist() == ["import"] and log["layer"].tolist() == ["areas"]
    assert json.loads(log["after"].iloc[0])["replaced"] == 3


def test_same_indicator_values_and_buildings_refused(store: Store, tmp_path: Path):
    csv = _csv(tmp_path / "seed.csv", "PLR_ID;EW\n01100101;1.675\n")
    before = snapshot(store)
    with pytest.raises(
        ImportRefused, match="gegenüber den 3 gespeicherten Werten der Ausgabe „seed“"
    ):
        import_indicators(
            store,
            csv,
            id_col="PLR_ID",
            period="2020-12-31",
            columns=["EW"],
            rename={"EW": "residents"},
            edition="seed",
        )
    assert_unchanged(before, store)
    frame = boxes(["B1", "B2"]).rename(columns={"PLR_ID": "id"})
    frame.to_file(tmp_path / "b.gpkg")
    import_buildings(store, tmp_path / "b.gpkg", id_col="id")
    before = snapshot(store)
    with pytest.raises(ImportRefused, match="es sind schon 2 Zeilen gespeichert \\(Gebäude"):
        import_buildings(store, tmp_path / "b.gpkg", id_col="id")
    assert_unchanged(before, store)


# --- undo --------------------------------------------------------------------------------


def test_undo_editable_import_restores_the_store(store: Store, tmp_path: Path):
    _measures(store, _csv(tmp_path / "m.csv", MEASURES))
    before = content(store)
    changed = _csv(
        tmp_path / "c.csv",
        "Nr;Titel;X;Y\nM1;Spielplatz Nord;390500.25;5819500\nM3;Neu;390800;5819600\n",
    )
    result = _short(store, changed, replace=True)
    assert result.details == {"new": 1, "changed": 1, "unchanged": 0}
    assert result.batch_id is not None
    counts = imports.undo(store, EDITOR, result.batch_id)
    assert counts["deleted"] == 1 and counts["restored"] == 1
    assert_same_content(before, store)
    batch = store.read("import_batches", where={"id": result.batch_id})
    assert batch["undone_by"].tolist() == ["erika"]
    log = _log(store, result.batch_id)
    assert {"delete", "update", "undo"} <= set(log["action"])
    with pytest.raises(
        RuleViolation, match="wurde schon .* rückgängig gemacht; nichts wurde geändert"
    ):
        imports.undo(store, EDITOR, result.batch_id)


def test_undo_refused_when_a_record_changed_after_the_import(store: Store, tmp_path: Path):
    result = _measures(store, _csv(tmp_path / "m.csv", MEASURES))
    editing.update(
        store, EDITOR, "measures", {"id": "M2"}, {"title": "Treff 2"}, expected_version=1
    )
    before = snapshot(store)
    assert result.batch_id is not None
    with pytest.raises(RuleViolation, match="Maßnahme „M2“ wurde nach dem Import von erika"):
        imports.undo(store, ADMIN, result.batch_id)
    assert_unchanged(before, store)
    with pytest.raises(PermissionDenied):
        imports.undo(store, User("gast", "viewer"), result.batch_id)


@pytest.mark.parametrize("kind", ["areas", "indicators", "buildings"])
def test_undo_bulk_import_restores_replaced_rows(store: Store, tmp_path: Path, kind: str):
    frame = boxes(["01100101", "01100102", "01100199"])
    frame["PLR_NAME"] = ["Neu A", "Neu B", "Neu C"]
    frame["WE"] = [10, 20, 30]
    frame.to_file(tmp_path / "v.gpkg")
    csv = _csv(tmp_path / "seed.csv", "PLR_ID;EW;S1\n01100101;1.700;4,0\n01100102;2.020;5,6\n")
    if kind == "buildings":
        import_buildings(store, tmp_path / "v.gpkg", id_col="PLR_ID", dwellings_col="WE")
    before = content(store)
    if kind == "areas":
        result = import_areas(
            store,
            tmp_path / "v.gpkg",
            level="PLR",
            id_col="PLR_ID",
            name_col="PLR_NAME",
            valid_from="2021-01-01",
            replace=True,
        )
    elif kind == "indicators":
        result = import_indicators(
            store,
            csv,
            id_col="PLR_ID",
            period="2020-12-31",
            columns=["EW", "S1"],
            rename={"EW": "residents"},
            edition="seed",
            replace=True,
        )
    else:
        frame["WE"] = [11, 21, 31]
        frame.to_file(tmp_path / "v2.gpkg")
        result = import_buildings(
            store, tmp_path / "v2.gpkg", id_col="PLR_ID", dwellings_col="WE", replace=True
        )
    assert result.details["replaced"] >= 2
    changed = content(store)
    assert not all(changed[n].equals(before[n]) for n in before)  # the import did change it
    assert result.batch_id is not None
    imports.undo(store, ADMIN, result.batch_id)
    assert_same_content(before, store)


def test_undo_of_an_earlier_bulk_import_waits_for_the_later(store: Store, tmp_path: Path):
    src = tmp_path / "plr.geojson"
    boxes().to_file(src)
    options = {"level": "PLR", "id_col": "PLR_ID", "name_col": "PLR_NAME", "valid_from": "2021"}
    first = import_areas(store, src, replace=True, **options)
    import_areas(store, src, replace=True, **options)
    assert first.batch_id is not None
    with pytest.raises(RuleViolation, match="solange spätere Importe in „Gebiete"):
        imports.undo(store, ADMIN, first.batch_id)


def test_cli_list_undo_and_history(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    csv = _csv(tmp_path / "m.csv", MEASURES)
    args = ["import", "measures", str(csv), "--store", store.url, "--id", "Nr", "--title"]
    args += ["Titel", "--x", "X", "--y", "Y", "--crs", "EPSG:25833", "--funding-area", "QM01"]
    assert main([*args, "--user", "erika", "--role", "editor"]) == 0
    capsys.readouterr()
    assert main(["import", "list", "--store", store.url]) == 0
    out = capsys.readouterr().out
    batch = store.read("import_batches").sort_values("at")["id"].iloc[-1]
    assert batch in out and "m.csv" in out and "erika" in out
    assert main(["history", "--store", store.url, "--layer", "measures"]) == 0
    out = capsys.readouterr().out
    assert "erika" in out and "M1" in out and "angelegt" in out
    assert main(["import", "undo", batch, "--store", store.url, "--role", "viewer"]) == 2
    assert "(Rolle „Lesen“) darf " in capsys.readouterr().err
    assert main(["import", "undo", batch, "--store", store.url]) == 0
    assert "rückgängig gemacht" in capsys.readouterr().out
    assert store.read("measures").empty
    assert main(["import", "undo", "I-gibtsnicht", "--store", store.url]) == 2
    assert "qmon import list" in capsys.readouterr().err


def test_reimport_never_overwrites_another_users_edit_silently(store: Store, tmp_path: Path):
    csv = _csv(tmp_path / "m.csv", MEASURES)
    _measures(store, csv)
    editing.update(
        store, EDITOR, "measures", {"id": "M1"}, {"cost_estimate": 99_000.0}, expected_version=1
    )
    before = snapshot(store)
    with pytest.raises(ImportRefused) as info:
        _measures(store, csv)  # the original file again
    (problem,) = info.value.problems
    assert problem.row == 2 and problem.column == "Kosten" and problem.value == 120000.0
    assert "cost_estimate ist gespeichert als 99000.0, die Datei hat 120000.0" in problem.message
    assert_unchanged(before, store)
    result = _measures(store, csv, replace=True)
    assert [(c.record, c.field, c.stored, c.imported) for c in result.changes] == [
        ("M1", "cost_estimate", 99000.0, 120000.0)
    ]
    assert store.read("measures", where={"id": "M1"})["version"].tolist() == [3]


def test_funding_status_rule_applies_to_save_and_import(store: Store, tmp_path: Path):
    frame = boxes(["QM06"]).rename(columns={"PLR_ID": "id", "PLR_NAME": "name"})
    frame["status"] = ["irgendwie"]
    frame.to_file(tmp_path / "fa.geojson")
    before = snapshot(store)
    with pytest.raises(
        ImportRefused, match="den Förderstatus „irgendwie“ gibt es nicht; erlaubt"
    ) as info:
        import_funding_areas(
            store, tmp_path / "fa.geojson", id_col="id", name_col="name", status_col="status"
        )
    assert info.value.problems[0].row == 1 and info.value.problems[0].column == "status"
    assert info.value.problems[0].value == "irgendwie"
    with pytest.raises(RuleViolation, match="den Förderstatus „irgendwie“ gibt es nicht; erlaubt"):
        services.save(
            store,
            ADMIN,
            "funding_areas",
            {"id": "QM06", "name": "N", "funding_status": "irgendwie"},
        )
    assert_unchanged(before, store)


def test_undo_refused_when_new_records_refer_to_created_ones(store: Store, tmp_path: Path):
    result = _measures(store, _csv(tmp_path / "m.csv", MEASURES))
    services.save(
        store,
        EDITOR,
        "funding_lines",
        {
            "id": "F1",
            "measure_id": "M2",
            "source": "Bund",
            "programme_year": 2030,
            "planned": 500.0,
        },
    )
    before = snapshot(store)
    assert result.batch_id is not None
    with pytest.raises(RuleViolation, match="Maßnahme „M2“ aus dem Import wird von 1 Datensatz"):
        imports.undo(store, EDITOR, result.batch_id)
    assert_unchanged(before, store)


def test_an_edit_during_the_import_is_a_conflict_not_lost(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Another editor saves between the import's read and its update (real PostGIS)."""
    from geo.store import open_store
    from monitoring.defaults import seed_defaults
    from monitoring.errors import EditConflict
    from tests.imports._util import fresh_store

    store = fresh_store(pg_url, crs="EPSG:25833")
    seed_defaults(store)
    boxes(["QM01"]).rename(columns={"PLR_ID": "id", "PLR_NAME": "name"}).to_file(
        tmp_path / "fa.geojson"
    )
    import_funding_areas(store, tmp_path / "fa.geojson", id_col="id", name_col="name")
    _measures(store, _csv(tmp_path / "m.csv", MEASURES))
    changed = _csv(tmp_path / "c.csv", "Nr;Titel;X;Y\nM1;Spielplatz Nord;390500;5819500\n")
    rules = services.check_record
    other = open_store(pg_url)

    def meanwhile(*args: Any, **kwargs: Any) -> Any:
        editing.update(
            other, EDITOR, "measures", {"id": "M1"}, {"title": "Von Erika"}, expected_version=1
        )
        monkeypatch.setattr(services, "check_record", rules)
        return rules(*args, **kwargs)

    monkeypatch.setattr(services, "check_record", meanwhile)
    with pytest.raises(EditConflict, match="von erika geändert"):
        _short(store, changed, replace=True)
    got = store.read("measures", where={"id": "M1"})
    assert got["title"].tolist() == ["Von Erika"] and got["version"].tolist() == [2]
    assert store.read("import_batches")["kind"].tolist().count("measures") == 1
    other.close()
    store.close()
