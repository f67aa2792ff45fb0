"""Safe editing: permissions, optimistic locking with clear conflicts, and the audit log."""

from __future__ import annotations

import json
import threading

import pytest
import shapely

from geo.errors import ConflictError
from geo.store import open_store
from geo.store.base import Store
from monitoring import editing
from monitoring.auth import User
from monitoring.errors import EditConflict, NotFound, PermissionDenied, RuleViolation


def test_update_writes_record_and_audit_in_one_go(tiny_store: Store, editor: User) -> None:
    after = editing.update(
        tiny_store,
        editor,
        "measures",
        {"id": "M1"},
        {"title": "Spielplatz neu"},
        expected_version=1,
    )
    assert (after["title"], after["version"], after["updated_by"]) == ("Spielplatz neu", 2, "ben")
    log = tiny_store.read("audit_log")
    assert len(log) == 1
    entry = log.iloc[0]
    assert (entry["user_name"], entry["layer"], entry["record_key"], entry["action"]) == (
        "ben",
        "measures",
        "M1",
        "update",
    )
    before, stored = json.loads(entry["before"]), json.loads(entry["after"])
    assert before["title"] == "Spielplatz Lindenweg" and before["version"] == 1
    assert stored["title"] == "Spielplatz neu" and stored["version"] == 2
    assert before["start_date"] == "2023-03-01"


def test_second_editor_gets_conflict_naming_who_and_what(tiny_store: Store, editor: User) -> None:
    other = User("carla", "editor")
    seen = editing.update(
        tiny_store, editor, "measures", {"id": "M1"}, {"status": "geplant"}, expected_version=1
    )
    assert seen["version"] == 2
    editing.update(
        tiny_store,
        other,
        "measures",
        {"id": "M1"},
        {"title": "Bolzplatz", "cost_estimate": 350_000.0},
        expected_version=2,
    )
    with pytest.raises(EditConflict) as info:
        editing.update(
            tiny_store,
            editor,
            "measures",
            {"id": "M1"},
            {"status": "abgeschlossen"},
            expected_version=2,
        )
    err = info.value
    assert isinstance(err, ConflictError)  # the store's conflict class catches it too
    assert err.changed_by == "carla" and err.stored_version == 3 and err.expected_version == 2
    assert err.differences == {
        "title": ("Spielplatz Lindenweg", "Bolzplatz"),
        "cost_estimate": (300_000.0, 350_000.0),
    }
    message = str(err)
    assert "Maßnahme „M1“ wurde am " in message and " Uhr von carla geändert" in message
    assert "Kostenschätzung (€): Sie sahen „300.000“, gespeichert ist „350.000“" in message
    assert "Titel: Sie sahen „Spielplatz Lindenweg“, gespeichert ist „Bolzplatz“" in message
    assert "(Ihre Version 2, gespeichert ist Version 3)" in message
    assert "Nichts wurde gespeichert; laden Sie den Datensatz neu" in message
    row = tiny_store.read("measures", where={"id": "M1"}).iloc[0]
    assert row["status"] == "geplant" and row["version"] == 3  # nothing lost, nothing half-done
    assert len(tiny_store.read("audit_log")) == 2


def test_conflict_differences_from_what_the_user_saw(tiny_gpkg: Store, editor: User) -> None:
    seen = tiny_gpkg.read("measures", where={"id": "M2"})
    seen_row = editing.row_dict(seen)
    tiny_gpkg.write("measures", seen.assign(title="direkt geändert", version=5), mode="upsert")
    with pytest.raises(EditConflict) as info:
        editing.update(
            tiny_gpkg,
            editor,
            "measures",
            {"id": "M2"},
            {"status": "bewilligt"},
            expected_version=1,
            seen=seen_row,
        )
    assert info.value.differences == {"title": ("Kita Erweiterung", "direkt geändert")}


def test_delete_then_update_is_a_conflict_not_a_resurrection(
    tiny_gpkg: Store, admin: User, editor: User
) -> None:
    editing.delete(tiny_gpkg, admin, "measures", {"id": "M2"}, expected_version=1)
    with pytest.raises(
        EditConflict, match=r"am \d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr von anna gelöscht"
    ):
        editing.update(
            tiny_gpkg, editor, "measures", {"id": "M2"}, {"title": "x"}, expected_version=1
        )
    with pytest.raises(NotFound, match="Maßnahme „M9“ gibt es nicht"):
        editing.update(
            tiny_gpkg, editor, "measures", {"id": "M9"}, {"title": "x"}, expected_version=1
        )
    log = tiny_gpkg.read("audit_log")
    assert log["action"].tolist() == ["delete"]
    assert json.loads(log.iloc[0]["before"])["title"] == "Kita Erweiterung"
    assert log.iloc[0]["after"] is None


def test_stale_delete_is_refused(tiny_gpkg: Store, editor: User, admin: User) -> None:
    editing.update(tiny_gpkg, editor, "measures", {"id": "M1"}, {"title": "a"}, expected_version=1)
    with pytest.raises(EditConflict, match="gespeichert ist Version 2"):
        editing.delete(tiny_gpkg, admin, "measures", {"id": "M1"}, expected_version=1)
    assert len(tiny_gpkg.read("measures")) == 2


def test_create_with_geometry_and_duplicate_refused(tiny_gpkg: Store, editor: User) -> None:
    rec = {
        "id": "M3",
        "funding_area_id": "FA",
        "title": "Grünzug",
        "geometry": shapely.box(360_100, 5_700_100, 360_200, 5_700_200),
    }
    stored = editing.create(tiny_gpkg, editor, "measures", rec)
    assert stored["version"] == 1 and stored["geometry"].startswith("POLYGON")
    with pytest.raises(RuleViolation, match="gibt es schon; wählen Sie eine andere Kennung"):
        editing.create(tiny_gpkg, editor, "measures", rec)
    with pytest.raises(RuleViolation, match="version"):
        editing.create(tiny_gpkg, editor, "measures", {**rec, "id": "M4", "version": 7})
    assert tiny_gpkg.read("audit_log")["action"].tolist() == ["create"]


def test_roles_are_enforced_by_the_service(tiny_gpkg: Store, viewer: User, qm: User) -> None:
    with pytest.raises(
        PermissionDenied, match="gast.*Lesen.* nicht bearbeiten.*„Bearbeitung“ und „Verwaltung“"
    ):
        editing.update(
            tiny_gpkg, viewer, "measures", {"id": "M1"}, {"title": "x"}, expected_version=1
        )
    with pytest.raises(PermissionDenied, match="quartiersmanagerin"):
        editing.create(
            tiny_gpkg,
            qm,
            "funding_lines",
            {"id": "F1", "measure_id": "M1", "source": "Bund", "programme_year": 2024},
        )
    editing.create(tiny_gpkg, qm, "actors", {"id": "A1", "name": "Kiezverein", "type": "Verein"})
    with pytest.raises(PermissionDenied):
        editing.history(tiny_gpkg, qm)
    with pytest.raises(RuleViolation, match="wird nicht über die Dienste geändert"):
        editing.create(tiny_gpkg, User("root", "admin"), "audit_log", {"id": "x"})
    assert tiny_gpkg.read("measures", where={"id": "M1"}).iloc[0]["title"] == (
        "Spielplatz Lindenweg"
    )


def test_changes_roll_back_together_with_their_audit(tiny_gpkg: Store, editor: User) -> None:
    with pytest.raises(NotFound), editing.changes(tiny_gpkg, editor) as ch:
        ch.update("measures", {"id": "M1"}, {"title": "x"}, expected_version=1)
        ch.update("measures", {"id": "nope"}, {"title": "y"}, expected_version=1)
    assert tiny_gpkg.read("measures", where={"id": "M1"}).iloc[0]["title"] == (
        "Spielplatz Lindenweg"
    )
    assert tiny_gpkg.counts()["audit_log"] == 0


def test_link_tables_are_replaced_with_one_audit_row(tiny_gpkg: Store, editor: User) -> None:
    with editing.changes(tiny_gpkg, editor) as ch:
        ch.replace_links(
            "measure_fields",
            {"measure_id": "M1"},
            [{"measure_id": "M1", "field_id": "ss_oeffentlicher_raum"}],
        )
    with editing.changes(tiny_gpkg, editor) as ch:
        ch.replace_links(
            "measure_fields",
            {"measure_id": "M1"},
            [
                {"measure_id": "M1", "field_id": "ss_schule_bildung"},
                {"measure_id": "M1", "field_id": "ss_oeffentlicher_raum"},
            ],
        )
        with pytest.raises(RuleViolation, match="außerhalb der Auswahl"):
            ch.replace_links(
                "measure_fields",
                {"measure_id": "M1"},
                [{"measure_id": "M2", "field_id": "ss_schule_bildung"}],
            )
    assert sorted(tiny_gpkg.read("measure_fields")["field_id"]) == [
        "ss_oeffentlicher_raum",
        "ss_schule_bildung",
    ]
    log = editing.history(tiny_gpkg, editor, layer="measure_fields")
    assert len(log) == 2
    assert len(json.loads(log.iloc[1]["before"])) == 1
    assert len(json.loads(log.iloc[1]["after"])) == 2


@pytest.mark.postgis
def test_concurrent_updates_on_postgis_one_wins(pg_url: str) -> None:
    """Two threads update the same record from the same version: one wins, one conflicts."""
    from tests.monitoring.conftest import CRS, seed_tiny

    setup = open_store(pg_url)
    setup.init(crs=CRS)
    seed_tiny(setup)
    setup.close()
    rounds = 5
    barrier = threading.Barrier(2)
    outcomes: list[list[str]] = [[] for _ in range(rounds)]
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        store = open_store(pg_url)
        user = User(name, "editor")
        try:
            for r in range(rounds):
                barrier.wait(timeout=30)
                version = r + 1
                try:
                    editing.update(
                        store,
                        user,
                        "measures",
                        {"id": "M1"},
                        {"title": f"{name} {r}"},
                        expected_version=version,
                    )
                    outcomes[r].append(f"won:{name}")
                except EditConflict as exc:
                    assert exc.stored_version == version + 1
                    outcomes[r].append(f"conflict:{name}")
        except BaseException as exc:  # surfaced below
            errors.append(exc)
            barrier.abort()
        finally:
            store.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("anna", "ben")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    store = open_store(pg_url)
    row = store.read("measures", where={"id": "M1"}).iloc[0]
    log = store.read("audit_log").sort_values("at")
    store.close()
    winners = []
    for r, result in enumerate(outcomes):
        assert len(result) == 2, result
        won = [o.split(":")[1] for o in result if o.startswith("won")]
        assert len(won) == 1, f"round {r}: {result}"
        winners.append(won[0])
    assert row["version"] == rounds + 1
    assert row["title"] == f"{winners[-1]} {rounds - 1}"
    # every successful change is logged, with its winner, in order, and nothing else is
    assert log["user_name"].tolist() == winners
    versions = [json.loads(a)["version"] for a in log["after"]]
    assert versions == list(range(2, rounds + 2))
