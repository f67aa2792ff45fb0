"""Programmes, funding areas (Gesamtmaßnahmen), concepts, goals and targets kept through
the services, on both stores: create, edit, rules, conflicts, roles and the audit log."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pandas as pd
import pytest
import shapely

from cli.main import main
from geo.store import open_store
from geo.store.base import Store
from monitoring import services
from monitoring.auth import User
from monitoring.defaults import seed_defaults
from monitoring.errors import EditConflict, NotFound, PermissionDenied, RuleViolation
from monitoring.renewal.programmes import lineage, predecessors
from tests.monitoring.conftest import CRS, X0, Y0, seed_tiny

TODAY = dt.date(2025, 6, 30)
SQUARE = shapely.box(X0 + 2000, Y0, X0 + 2500, Y0 + 400)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """The tiny store with the shipped programmes, on both backends."""
    st = open_store(store_url)
    st.init(crs=CRS)
    seed_tiny(st)
    seed_defaults(st)
    yield st
    st.close()


def _log(store: Store, layer: str) -> pd.DataFrame:
    log = store.read("audit_log", where={"layer": layer})
    return log.sort_values("at", kind="stable").reset_index(drop=True)


def _snapshot(store: Store, *layers: str) -> dict[str, list[dict[str, object]]]:
    out = {}
    for layer in layers:
        frame = store.read(layer)
        out[layer] = services.records_of(frame.sort_values(frame.columns[0]))
    return out


# --- programmes -------------------------------------------------------------------------


def test_qmon_init_seeds_the_federal_programmes_with_their_links(store_url: str) -> None:
    assert main(["init", "--store", store_url]) == 0
    with open_store(store_url) as st:
        programmes = st.read("programmes")
    assert {
        "soziale_stadt",
        "sozialer_zusammenhalt",
        "stadtumbau_ost",
        "stadtumbau_west",
        "stadtumbau",
        "wachstum_nachhaltige_erneuerung",
        "aktive_zentren",
        "staedtebaulicher_denkmalschutz",
        "lebendige_zentren",
        "kleinere_staedte",
        "zukunft_stadtgruen",
        "sanierung_entwicklung",
    } == set(programmes["id"])
    assert predecessors(programmes, "sozialer_zusammenhalt") == ["soziale_stadt"]
    assert predecessors(programmes, "stadtumbau") == ["stadtumbau_ost", "stadtumbau_west"]
    assert predecessors(programmes, "lebendige_zentren") == [
        "aktive_zentren",
        "staedtebaulicher_denkmalschutz",
    ]
    assert lineage(programmes, "wachstum_nachhaltige_erneuerung") == [
        "stadtumbau",
        "stadtumbau_ost",
        "stadtumbau_west",
    ]
    # a second init (a migration run) does not seed again or duplicate anything
    with open_store(store_url) as st, st.transaction(user="city") as tx:
        tx.delete("programmes", {"id": "zukunft_stadtgruen"})
    assert main(["init", "--store", store_url]) == 0
    with open_store(store_url) as st:
        assert len(st.read("programmes")) == 11


def test_admin_adds_a_land_programme_with_audit(store: Store, admin: User) -> None:
    saved = services.save(
        store,
        admin,
        "programmes",
        {
            "id": "nrw_starke_quartiere",
            "name": "Starke Quartiere",
            "land": "Nordrhein-Westfalen",
            "since_year": 2021,
            "predecessor_id": "soziale_stadt",
            "federal": False,
        },
        today=TODAY,
    )
    assert saved.record["version"] == 1 and saved.record["land"] == "Nordrhein-Westfalen"
    log = _log(store, "programmes")
    assert log["action"].tolist() == ["create"] and log["user_name"].tolist() == ["anna"]
    assert json.loads(log["after"].iloc[0])["name"] == "Starke Quartiere"


def test_only_admins_keep_programmes(store: Store, editor: User, viewer: User) -> None:
    before = _snapshot(store, "programmes", "audit_log")
    for user in (editor, viewer, User("q", "qm")):
        with pytest.raises(PermissionDenied):
            services.save(store, user, "programmes", {"id": "x_prog", "name": "X"})
    assert _snapshot(store, "programmes", "audit_log") == before


def test_programme_rules_list_every_problem_in_german(store: Store, admin: User) -> None:
    before = _snapshot(store, "programmes", "audit_log")
    with pytest.raises(RuleViolation) as info:
        services.save(
            store,
            admin,
            "programmes",
            {
                "id": "Schöne Städte",
                "name": " ",
                "land": "NRW",
                "since_year": 2025,
                "until_year": 2020,
                "predecessor_id": "gibt_es_nicht",
            },
            today=TODAY,
        )
    text = "\n".join(info.value.problems)
    assert "Kleinbuchstaben" in text and "Name fehlt" in text
    assert "„seit“ 2025 liegt nach „bis“ 2020" in text
    assert "„NRW“ ist kein Land" in text and "Nordrhein-Westfalen" in text
    assert "Vorgängerprogramm „gibt_es_nicht“ gibt es nicht" in text
    assert len(info.value.problems) == 5
    assert _snapshot(store, "programmes", "audit_log") == before


def test_programme_links_may_not_form_a_cycle(store: Store, admin: User) -> None:
    stored = store.read("programmes", where={"id": "soziale_stadt"})
    with pytest.raises(RuleViolation, match="Kreis"):
        services.save(
            store,
            admin,
            "programmes",
            {"predecessor_id": "sozialer_zusammenhalt"},
            key={"id": "soziale_stadt"},
            expected_version=int(stored["version"].iloc[0]),
            today=TODAY,
        )


def test_programme_edit_conflict_names_who_changed_what(store: Store, admin: User) -> None:
    other = User("bernd", "admin")
    services.save(
        store,
        other,
        "programmes",
        {"name": "Soziale Stadt (1999–2019)"},
        key={"id": "soziale_stadt"},
        expected_version=1,
    )
    with pytest.raises(EditConflict) as info:
        services.save(
            store,
            admin,
            "programmes",
            {"until_year": 2020},
            key={"id": "soziale_stadt"},
            expected_version=1,
        )
    text = services.conflict_text(info.value, what="Das Programm „soziale_stadt“")
    assert "von bernd geändert" in text and "Ihre Version 1, gespeichert ist Version 2" in text
    assert "Name: Sie sahen „Soziale Stadt“, jetzt gespeichert „Soziale Stadt (1999–2019)“" in text
    assert "Nichts wurde gespeichert" in text
    row = store.read("programmes", where={"id": "soziale_stadt"}).iloc[0]
    assert row["until_year"] == 2019 and row["name"] == "Soziale Stadt (1999–2019)"


# --- funding areas ----------------------------------------------------------------------


def _area(**extra: object) -> dict[str, object]:
    return {
        "id": "SAN-01",
        "name": "Altstadt",
        "ags": "05315000",
        "programme_id": "lebendige_zentren",
        "start_year": 2021,
        "expected_end": 2033,
        "funding_status": "laufend",
        "geometry": SQUARE,
    } | extra


def test_editor_creates_and_designates_a_funding_area(store: Store, editor: User) -> None:
    saved = services.save(store, editor, "funding_areas", _area(), today=TODAY)
    assert saved.record["version"] == 1
    changed = services.save(
        store,
        editor,
        "funding_areas",
        {
            "legal_designation": "Sanierungsgebiet (§ 142 BauGB)",
            "legal_procedure": "vereinfachtes Verfahren",
            "bylaw_date": dt.date(2022, 3, 15),
            "fund_public_share_max": 1.0,
        },
        key={"id": "SAN-01"},
        expected_version=1,
        today=TODAY,
    )
    assert changed.warnings == ()
    row = store.read("funding_areas", where={"id": "SAN-01"}).iloc[0]
    assert row["legal_procedure"] == "vereinfachtes Verfahren" and row["version"] == 2
    assert pd.Timestamp(row["bylaw_date"]) == pd.Timestamp("2022-03-15")
    assert row.geometry.equals(SQUARE)
    log = _log(store, "funding_areas")
    assert log["action"].tolist() == ["create", "update"]
    after = json.loads(log["after"].iloc[1])
    assert (
        after["bylaw_date"] == "2022-03-15"
        and after["legal_procedure"] == "vereinfachtes Verfahren"
    )


def test_a_sanierungsgebiet_without_procedure_is_saved_with_a_warning(
    store: Store, editor: User
) -> None:
    saved = services.save(
        store,
        editor,
        "funding_areas",
        _area(legal_designation="Sanierungsgebiet (§ 142 BauGB)"),
        today=TODAY,
    )
    assert [w.code for w in saved.warnings] == ["procedure"]
    assert "umfassendes oder vereinfachtes" in saved.warnings[0].message


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            {
                "legal_designation": "Erhaltungsgebiet (§ 172 BauGB)",
                "legal_procedure": "vereinfachtes Verfahren",
            },
            "nur bei einem Sanierungsgebiet nach § 142 BauGB",
        ),
        (
            {
                "legal_designation": "Sanierungsgebiet (§ 142 BauGB)",
                "legal_procedure": "umfassendes Verfahren",
                "bylaw_date": dt.date(2025, 7, 1),
            },
            "liegt in der Zukunft",
        ),
        ({"bylaw_date": dt.date(2020, 1, 1)}, "Satzungsdatum ohne Gebietsfestlegung"),
        ({"legal_procedure": "schnelles Verfahren"}, "„schnelles Verfahren“ gibt es nicht"),
        ({"start_year": 2030, "expected_end": 2025}, "Aufnahmejahr 2030 liegt nach"),
        ({"programme_id": "gibt_es_nicht"}, "qmon programmes add"),
        ({"geometry": shapely.LineString([(0, 0), (1, 1)])}, "gültiges Polygon"),
    ],
)
def test_funding_area_rules_refuse_and_store_nothing(
    store: Store, editor: User, extra: dict[str, object], expected: str
) -> None:
    before = _snapshot(store, "funding_areas", "audit_log")
    with pytest.raises(RuleViolation) as info:
        services.save(store, editor, "funding_areas", _area(**extra), today=TODAY)
    assert any(expected in p for p in info.value.problems), info.value.problems
    assert _snapshot(store, "funding_areas", "audit_log") == before


def test_the_same_rules_hold_when_an_existing_area_is_edited(store: Store, editor: User) -> None:
    with pytest.raises(RuleViolation, match="nur bei einem Sanierungsgebiet"):
        services.save(
            store,
            editor,
            "funding_areas",
            {"legal_procedure": "umfassendes Verfahren"},
            key={"id": "FA"},
            expected_version=1,
            today=TODAY,
        )
    assert store.read("funding_areas", where={"id": "FA"})["version"].tolist() == [1]


def test_second_editor_of_a_funding_area_gets_a_conflict(store: Store, editor: User) -> None:
    carla = User("carla", "editor")
    services.save(
        store, carla, "funding_areas", {"name": "Nordstadt-Ost"}, key={"id": "FA"},
        expected_version=1,
    )  # fmt: skip
    with pytest.raises(EditConflict) as info:
        services.save(
            store,
            editor,
            "funding_areas",
            {"expected_end": 2030},
            key={"id": "FA"},
            expected_version=1,
        )
    assert info.value.changed_by == "carla"
    assert info.value.differences["name"] == ("Nordstadt", "Nordstadt-Ost")
    row = store.read("funding_areas", where={"id": "FA"}).iloc[0]
    assert row["name"] == "Nordstadt-Ost" and pd.isna(row["expected_end"])


def test_viewers_and_qm_may_not_keep_funding_areas(store: Store, viewer: User, qm: User) -> None:
    before = _snapshot(store, "funding_areas", "audit_log")
    for user in (viewer, qm):
        with pytest.raises(PermissionDenied):
            services.save(store, user, "funding_areas", _area(), today=TODAY)
    assert _snapshot(store, "funding_areas", "audit_log") == before


# --- concepts, goals, targets ------------------------------------------------------------


def _concept(cid: str = "K1", **extra: object) -> dict[str, object]:
    return {
        "id": cid,
        "funding_area_id": "FA",
        "kind": "ISEK",
        "title": "ISEK Nordstadt",
        "version_label": "2016",
        "adopted": dt.date(2016, 5, 4),
        "valid_from_year": 2016,
        "valid_to_year": 2025,
    } | extra


def _goal_and_target(store: Store, user: User) -> None:
    services.save(
        store,
        user,
        "goals",
        {"id": "Z1", "concept_id": "K1", "field_id": "ss_schule_bildung", "title": "Bildung"},
    )
    services.save(store, user, "goals", {"id": "Z2", "concept_id": "K1", "title": "Nachbarschaft"})
    services.save(
        store,
        user,
        "targets",
        {
            "id": "T1",
            "goal_id": "Z1",
            "indicator": "unemployment_rate",
            "baseline_period": dt.date(2016, 12, 31),
            "baseline_value": 12.5,
            "target_period": dt.date(2025, 12, 31),
            "target_value": 9.0,
            "direction": "decrease",
        },
    )


def test_concept_goals_and_targets_are_kept_with_audit(store: Store, editor: User) -> None:
    saved = services.new_concept_version(store, editor, _concept(), today=TODAY)
    assert saved.record["kind"] == "ISEK"
    _goal_and_target(store, editor)
    goals = store.read("goals", where={"concept_id": "K1"}).set_index("id")
    assert goals.loc["Z1", "field_id"] == "ss_schule_bildung"
    assert pd.isna(goals.loc["Z2", "field_id"])  # a goal of no field of action is fine
    targets = store.read("targets").set_index("id")
    assert targets.loc["T1", "target_value"] == 9.0
    assert targets.index.tolist() == ["T1"]  # Z2 is a qualitative goal: no target
    for layer in ("concepts", "goals", "targets"):
        assert set(_log(store, layer)["action"]) == {"create"}
        assert set(_log(store, layer)["user_name"]) == {"ben"}


def test_new_version_copies_the_goals_of_the_previous_in_one_transaction(
    store: Store, editor: User
) -> None:
    services.new_concept_version(store, editor, _concept(), today=TODAY)
    _goal_and_target(store, editor)
    services.new_concept_version(
        store,
        editor,
        _concept("K2", version_label="2026", valid_from_year=2026, valid_to_year=2035),
        copy_goals_from="K1",
        today=TODAY,
    )
    goals = store.read("goals", where={"concept_id": "K2"}).set_index("id")
    assert sorted(goals.index) == ["K2-Z1", "K2-Z2"]
    assert goals.loc["K2-Z1", "title"] == "Bildung" and goals["version"].tolist() == [1, 1]
    targets = store.read("targets", where={"goal_id": ["K2-Z1", "K2-Z2"]})
    assert targets[["id", "goal_id", "target_value"]].values.tolist() == [["K2-T1", "K2-Z1", 9.0]]
    assert len(store.read("goals", where={"concept_id": "K1"})) == 2  # the old stay


def test_a_refused_copy_stores_nothing(store: Store, editor: User) -> None:
    services.new_concept_version(store, editor, _concept(), today=TODAY)
    _goal_and_target(store, editor)
    services.save(store, editor, "funding_areas", _area(), today=TODAY)
    before = _snapshot(store, "concepts", "goals", "targets", "audit_log")
    with pytest.raises(RuleViolation, match="anderen Gesamtmaßnahme"):
        services.new_concept_version(
            store, editor, _concept("K9", funding_area_id="SAN-01"), copy_goals_from="K1"
        )
    with pytest.raises(RuleViolation, match="gültig ab 2030 liegt nach gültig bis 2020"):
        services.new_concept_version(
            store, editor, _concept("K9", valid_from_year=2030, valid_to_year=2020)
        )
    with pytest.raises(NotFound):
        services.new_concept_version(store, editor, _concept("K9"), copy_goals_from="K7")
    assert _snapshot(store, "concepts", "goals", "targets", "audit_log") == before


@pytest.mark.parametrize(
    ("layer", "values", "expected"),
    [
        ("concepts", _concept("K3", kind="Masterplan"), "die Art „Masterplan“ gibt es nicht"),
        ("concepts", _concept("K3", funding_area_id="XX"), "Gesamtmaßnahme „XX“ gibt es nicht"),
        ("goals", {"id": "Z9", "concept_id": "K1", "title": ""}, "Text des Ziels fehlt"),
        ("goals", {"id": "Z9", "concept_id": "K8", "title": "x"}, "Konzept „K8“ gibt es nicht"),
        (
            "goals",
            {"id": "Z9", "concept_id": "K1", "title": "x", "field_id": "hf"},
            "Handlungsfeld „hf“ gibt es nicht",
        ),
        (
            "targets",
            {
                "id": "T9",
                "goal_id": "Z1",
                "indicator": "unemployment_rate",
                "baseline_value": 10.0,
                "target_value": 12.0,
                "direction": "decrease",
            },
            "Zielwert 12 liegt nicht unter dem Basiswert 10",
        ),
        (
            "targets",
            {
                "id": "T9",
                "goal_id": "Z1",
                "indicator": "residents",
                "baseline_period": dt.date(2024, 12, 31),
                "target_period": dt.date(2020, 12, 31),
            },
            "Zielzeitpunkt 31.12.2020 liegt nicht nach dem Basiszeitpunkt 31.12.2024",
        ),
        ("targets", {"id": "T9", "goal_id": "Z7", "indicator": "residents"}, "Ziel „Z7“"),
    ],
)
def test_concept_goal_and_target_rules(
    store: Store, editor: User, layer: str, values: dict[str, object], expected: str
) -> None:
    services.new_concept_version(store, editor, _concept(), today=TODAY)
    _goal_and_target(store, editor)
    before = _snapshot(store, layer, "audit_log")
    with pytest.raises(RuleViolation) as info:
        services.save(store, editor, layer, values, today=TODAY)
    assert any(expected in p for p in info.value.problems), info.value.problems
    assert _snapshot(store, layer, "audit_log") == before


def test_unknown_indicator_is_a_warning_not_a_refusal(store: Store, editor: User) -> None:
    services.new_concept_version(store, editor, _concept(), today=TODAY)
    _goal_and_target(store, editor)
    saved = services.save(
        store, editor, "targets", {"id": "T5", "goal_id": "Z2", "indicator": "eigener_wert"}
    )
    assert [w.code for w in saved.warnings] == ["indicator"]


def test_goal_conflict_and_removal_with_its_targets(store: Store, editor: User) -> None:
    services.new_concept_version(store, editor, _concept(), today=TODAY)
    _goal_and_target(store, editor)
    carla = User("carla", "editor")
    services.save(
        store, carla, "goals", {"title": "Bildung für alle"}, key={"id": "Z1"}, expected_version=1
    )
    with pytest.raises(EditConflict):
        services.save(
            store, editor, "goals", {"description": "x"}, key={"id": "Z1"}, expected_version=1
        )
    with pytest.raises(EditConflict):
        services.remove_goal(store, editor, "Z1", expected_version=1)
    assert len(store.read("targets", where={"goal_id": "Z1"})) == 1  # the refused delete kept it
    assert services.remove_goal(store, editor, "Z1", expected_version=2) == 1
    assert store.read("goals", where={"id": "Z1"}).empty
    assert store.read("targets", where={"goal_id": "Z1"}).empty
    deleted = _log(store, "targets")
    assert deleted["action"].tolist()[-1] == "delete"


def test_viewers_and_qm_may_not_keep_concepts(store: Store, viewer: User, qm: User) -> None:
    for user in (viewer, qm):
        with pytest.raises(PermissionDenied):
            services.new_concept_version(store, user, _concept())
        with pytest.raises(PermissionDenied):
            services.save(store, user, "goals", {"id": "Z", "concept_id": "K1", "title": "x"})
    assert store.read("concepts").empty
