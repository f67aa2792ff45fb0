"""Roles in every write path, and personal data masked on every read path.

Every writing service (``services.save``/``remove``/``set_links`` for each layer of
``editing.LAYER_ACTIONS``, report filing) and every CLI command that writes is called
as each role (viewer, qm, editor, admin): the allowed ones succeed (with an audit row
naming the user), the refused ones raise PermissionDenied (exit code 2 and a German
message at the CLI) and the store is unchanged, content and not only counts. As a
viewer, no personal value of an actor appears on any read path.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import shapely

from geo.schema import SCHEMA
from geo.store import open_store
from geo.store.base import Store
from indicators.social_index import profile_to_toml, simple_profile
from monitoring import editing, services
from monitoring.auth import MASK, PERMISSIONS, ROLE_LABELS, ROLES, User
from monitoring.errors import PermissionDenied
from monitoring.renewal.attachments import prepare
from monitoring.reports import filing
from monitoring.reports.generate import build_report, render
from monitoring.reports.inputs import canonical_rows
from tests.monitoring.conftest import CRS, X0, Y0, seed_tiny

REPO = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4 Beschluss"
ADMIN = User("anna", "admin")
USERS = {role: User(f"nutzer-{role}", role) for role in ROLES}  # type: ignore[arg-type]
TODAY = dt.date(2025, 6, 30)


def may(role: str, layer: str) -> bool:
    return editing.LAYER_ACTIONS[layer] in PERMISSIONS[role]


# --- a small world with one record of every kind ------------------------------------


def _profile(name: str) -> str:
    """The TOML text of a small profile of the city (for the layer index_profiles)."""
    status = [("sgb2_rate", "SGB II", "higher_is_worse")]
    return profile_to_toml(simple_profile(name, f"Index {name}", status))


EXISTING: dict[str, dict[str, Any]] = {
    "programmes": {"id": "land_p", "name": "Landesprogramm Quartiere"},
    "fields_of_action": {"id": "klima", "name": "Klima"},
    "funding_areas": {
        "id": "FA0",
        "name": "Südstadt",
        "programme_id": "sozialer_zusammenhalt",
        "start_year": 2018,
        "fund_public_share_max": 0.5,
        "geometry": shapely.box(X0 + 2000, Y0, X0 + 3000, Y0 + 1000),
    },
    "concepts": {"id": "K0", "funding_area_id": "FA", "title": "ISEK 2020"},
    "goals": {"id": "Z0", "concept_id": "K0", "title": "Mehr Grün"},
    "targets": {"id": "T0", "goal_id": "Z0", "indicator": "residents"},
    "milestones": {"id": "MS0", "measure_id": "M1", "title": "Ausschreibung"},
    "funding_lines": {
        "id": "FL0",
        "measure_id": "M1",
        "source": "Bund",
        "programme_year": 2023,
        "planned": 1000.0,
    },
    "actors": {
        "id": "A0",
        "funding_area_id": "FA",
        "name": "Nachbarschaftsverein",
        "type": "Verein",
        "is_person": False,
        "contact_name": "Hans Kontakt",
        "email": "verein@example.org",
        "phone": "0000 111",
        "address": "Lindenweg 1",
        "notes": "Vorsitz wechselt im Herbst",
    },
    "bodies": {"id": "B0", "funding_area_id": "FA", "name": "Quartiersrat", "kind": "Quartiersrat"},
    "projects": {"id": "P0", "funding_area_id": "FA", "title": "Hoffest", "status": "Idee"},
    "local_funds": {"id": "F0", "funding_area_id": "FA", "kind": "Verfügungsfonds", "year": 2025},
    "fund_income": {
        "id": "I0",
        "fund_id": "F0",
        "source": "Städtebauförderung",
        "amount": 5000.0,
        "received": dt.date(2025, 2, 1),
    },
    "fund_decisions": {
        "id": "D0",
        "fund_id": "F0",
        "body_id": "B0",
        "decided": dt.date(2025, 3, 1),
        "title": "Bänke",
        "amount": 500.0,
        "investive": True,
        "financed_from": "Städtebauförderung",
        "proof_of_use": "eingereicht",
    },
    "activities": {
        "id": "AC0",
        "funding_area_id": "FA",
        "kind": "Aufräumaktion",
        "title": "Frühjahrsputz",
        "date": dt.date(2025, 4, 5),
        "participants": 23,
        "geometry": shapely.Point(X0 + 300, Y0 + 300),
    },
    "applications": {
        "id": "AP0",
        "project_id": "P0",
        "source_kind": "Stiftung",
        "source_name": "Bürgerstiftung",
        "requested": 800.0,
        "status": "geplant",
    },
    "fund_payments": {
        "id": "PY0",
        "fund_id": "F0",
        "decision_id": "D0",
        "paid": dt.date(2025, 3, 15),
        "amount": 200.0,
    },
    "attachments": prepare(
        PDF, ident="AT0", owner_layer="measures", owner_id="M1", filename="a.pdf", kind="decision"
    ),
    "indicator_defs": {"key": "wohnflaeche", "label": "Wohnfläche", "unit": "m²", "kind": "value"},
    "index_profiles": {"name": "stadt-a", "label": "Index A", "definition": _profile("stadt-a")},
    "report_sender": {"id": "absender", "municipality": "Stadt A", "phone": "0123 45"},
    "revenues": {"id": "E0", "funding_area_id": "FA", "kind": "veraeusserung", "year": 2024},
    "grant_applications": {"id": "GA0", "funding_area_id": "FA", "programme_year": 2024},
    "grant_notices": {
        "id": "ZB0",
        "funding_area_id": "FA",
        "file_number": "34.1-2024/001",
        "notice_date": dt.date(2024, 5, 2),
        "programme_year": 2024,
        "amount_bund": 10_000.0,
        "amount_land": 10_000.0,
    },
    "drawdowns": {
        "id": "MA0",
        "notice_id": "ZB0",
        "requested": dt.date(2024, 9, 1),
        "amount": 5_000.0,
    },
}
"""One record per versioned layer, stored by the admin before each test."""

MORE: dict[str, list[dict[str, Any]]] = {
    "fund_income": [  # the fund holds the 50 % rule: as much private money as public
        {
            "id": "I1",
            "fund_id": "F0",
            "source": "privat",
            "amount": 6000.0,
            "received": dt.date(2025, 2, 2),
        },
    ],
}
"""Further records a layer needs so that the rules of the next layers hold."""

NEW: dict[str, dict[str, Any]] = {
    "programmes": {"id": "land_q", "name": "Landesprogramm Zentren"},
    "fields_of_action": {"id": "kultur", "name": "Kultur"},
    "funding_areas": {
        "id": "FA9",
        "name": "Westend",
        "programme_id": "sozialer_zusammenhalt",
        "start_year": 2021,
        "geometry": shapely.box(X0 - 2000, Y0, X0 - 1000, Y0 + 1000),
    },
    "concepts": {"id": "K9", "funding_area_id": "FA", "title": "ISEK 2025"},
    "goals": {"id": "Z9", "concept_id": "K0", "title": "Weniger Lärm"},
    "targets": {"id": "T9", "goal_id": "Z0", "indicator": "unemployed"},
    "measures": {
        "id": "M9",
        "funding_area_id": "FA",
        "title": "Baumpflanzungen",
        "status": "geplant",
        "start_date": dt.date(2026, 3, 1),
        "end_date": dt.date(2026, 11, 30),
        "cost_estimate": 50_000.0,
        "geometry": shapely.Point(X0 + 700, Y0 + 200),
    },
    "milestones": {"id": "MS9", "measure_id": "M2", "title": "Baubeginn"},
    "funding_lines": {
        "id": "FL9",
        "measure_id": "M2",
        "source": "Land",
        "programme_year": 2025,
        "planned": 2000.0,
    },
    "actors": {"id": "A9", "funding_area_id": "FA", "name": "Kita Sonnenschein", "type": "Verein"},
    "bodies": {"id": "B9", "funding_area_id": "FA", "name": "Jury", "kind": "Aktionsfonds-Jury"},
    "projects": {"id": "P9", "funding_area_id": "FA", "title": "Lesepaten", "status": "Idee"},
    "local_funds": {"id": "F9", "funding_area_id": "FA", "kind": "Aktionsfonds", "year": 2025},
    "fund_income": {
        "id": "I9",
        "fund_id": "F0",
        "source": "privat",
        "amount": 800.0,
        "received": dt.date(2025, 5, 1),
    },
    "fund_decisions": {
        "id": "D9",
        "fund_id": "F0",
        "body_id": "B0",
        "decided": dt.date(2025, 5, 2),
        "title": "Spielgeräte",
        "amount": 300.0,
        "investive": True,
        "financed_from": "Städtebauförderung",
        "proof_of_use": "eingereicht",
    },
    "activities": {
        "id": "AC9",
        "funding_area_id": "FA",
        "kind": "Fest",
        "title": "Sommerfest",
        "date": dt.date(2025, 7, 5),
        "participants": 120,
        "geometry": shapely.Point(X0 + 400, Y0 + 400),
    },
    "applications": {
        "id": "AP9",
        "project_id": "P0",
        "source_kind": "Bezirk",
        "source_name": "Bezirksamt Mitte",
        "requested": 300.0,
        "status": "geplant",
    },
    "fund_payments": {
        "id": "PY9",
        "fund_id": "F0",
        "decision_id": "D0",
        "paid": dt.date(2025, 4, 1),
        "amount": 100.0,
    },
    "attachments": prepare(
        PDF, ident="AT9", owner_layer="measures", owner_id="M1", filename="b.pdf", kind="plan"
    ),
    "indicator_defs": {"key": "hh_kinder", "label": "Haushalte mit Kindern", "kind": "share"},
    "index_profiles": {"name": "stadt-b", "label": "Index B", "definition": _profile("stadt-b")},
    "report_sender": {"id": "zweiter", "municipality": "Stadt B"},
    "revenues": {"id": "E1", "funding_area_id": "FA", "kind": "ausgleichsbetraege", "year": 2025},
    "grant_applications": {"id": "GA1", "funding_area_id": "FA", "programme_year": 2025},
    "grant_notices": {
        "id": "ZB1",
        "funding_area_id": "FA",
        "file_number": "34.1-2025/002",
        "notice_date": dt.date(2025, 4, 1),
        "programme_year": 2025,
        "amount_bund": 20_000.0,
    },
    "drawdowns": {
        "id": "MA1",
        "notice_id": "ZB0",
        "requested": dt.date(2024, 11, 1),
        "amount": 2_500.0,
    },
}
"""A new record per versioned layer, created by the role under test."""

CHANGE: dict[str, dict[str, Any]] = {
    "programmes": {"name": "Landesprogramm Quartiere (neu)"},
    "fields_of_action": {"name": "Klima und Umwelt"},
    "funding_areas": {"name": "Südstadt-Ost"},
    "concepts": {"title": "ISEK 2020, 1. Fortschreibung"},
    "goals": {"title": "Mehr Grün im Quartier"},
    "targets": {"target_value": 1000.0},
    "measures": {"title": "Spielplatz Lindenweg, 2. Bauabschnitt"},
    "milestones": {"title": "Ausschreibung veröffentlicht"},
    "funding_lines": {"planned": 1200.0},
    "actors": {"phone": "0000 222"},
    "bodies": {"name": "Quartiersrat Südstadt"},
    "projects": {"title": "Hoffest 2025"},
    "local_funds": {"name": "Verfügungsfonds 2025"},
    "fund_income": {"amount": 5500.0},
    "fund_decisions": {"title": "Bänke am Platz"},
    "activities": {"participants": 25},
    "applications": {"requested": 900.0},
    "fund_payments": {"amount": 250.0},
    "attachments": {"title": "Beschluss des Ausschusses"},
    "indicator_defs": {"unit": "m² je Einwohner"},
    "index_profiles": {"label": "Index A (neu)"},
    "report_sender": {"office": "Amt für Stadterneuerung"},
    "revenues": {"planned": 2_000.0},
    "grant_applications": {"notes": "mit Kostenschätzung"},
    "grant_notices": {"conditions": "Baubeginn anzeigen"},
    "drawdowns": {"purpose": "Abschlagszahlung"},
}
"""A change of the existing record of each versioned layer."""

LINKS: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {
    "measure_fields": (
        {"measure_id": "M1"},
        [{"measure_id": "M1", "field_id": "ss_schule_bildung"}],
    ),
    "measure_goals": ({"measure_id": "M1"}, [{"measure_id": "M1", "goal_id": "Z0"}]),
    "measure_outputs": (
        {"measure_id": "M1"},
        [{"measure_id": "M1", "quantity": "Spielgeräte", "unit": "Stück", "planned": 4.0}],
    ),
    "participation": (
        {"actor_id": "A0"},
        [{"actor_id": "A0", "target_kind": "body", "target_id": "B0", "role": "Mitglied"}],
    ),
    "activity_partners": (
        {"activity_id": "AC0"},
        [{"activity_id": "AC0", "actor_id": "A0"}],
    ),
    "notice_measures": ({"notice_id": "ZB0"}, [{"notice_id": "ZB0", "measure_id": "M1"}]),
}
"""The rows of each link table that belong to one record, set by the role under test."""

VERSIONED = [n for n in editing.LAYER_ACTIONS if SCHEMA.layer(n).editable]
LINK_LAYERS = [n for n in editing.LAYER_ACTIONS if not SCHEMA.layer(n).editable]


def test_every_changeable_layer_has_a_sample():
    """A new layer of LAYER_ACTIONS needs a sample here, so its roles are tested too."""
    missing = [n for n in VERSIONED if n not in NEW or n not in CHANGE]
    missing += [n for n in VERSIONED if n not in EXISTING and n != "measures"]
    missing += [n for n in LINK_LAYERS if n not in LINKS]
    assert not missing, f"add samples for {missing} to tests/monitoring/test_roles.py"


def build_world(store: Store) -> None:
    store.init(crs=CRS)
    seed_tiny(store)
    for layer, record in EXISTING.items():
        services.save(store, ADMIN, layer, record, today=TODAY)
        for extra in MORE.get(layer, ()):
            services.save(store, ADMIN, layer, extra, today=TODAY)


def snapshot(store: Store) -> dict[str, list[list[Any]]]:
    """The content of every layer (rows as plain values, geometry as WKT)."""
    out = {}
    for name in SCHEMA.layers:
        frame = store.read(name)
        if "geometry" in frame:
            frame = pd.DataFrame(frame.drop(columns="geometry")).assign(wkt=frame.geometry.to_wkt())
        out[name] = canonical_rows(frame)
    return out


@pytest.fixture(scope="module")
def world_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("roles") / "welt.gpkg"
    with open_store(str(path)) as store:
        build_world(store)
    return path


@pytest.fixture
def world(world_file: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "welt.gpkg"
    path.write_bytes(world_file.read_bytes())
    with open_store(str(path)) as store:
        yield store


def _version(store: Store, layer: str, key: dict[str, Any]) -> int:
    return int(store.read(layer, where=key)["version"].iloc[0])


def _key(layer: str, record: dict[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in SCHEMA.layer(layer).key}


def exercise_versioned(store: Store, user: User, layer: str) -> None:
    """Create, change and remove a record of ``layer`` as ``user`` (and check each)."""
    new = NEW[layer]
    stored = services.save(store, user, layer, new, today=TODAY).record
    assert stored["version"] == 1 and stored["updated_by"] == user.name
    old = EXISTING.get(layer) or {"id": "M1"}
    key = _key(layer, old)
    before = _version(store, layer, key)
    changed = services.save(
        store, user, layer, CHANGE[layer], key=key, expected_version=before, today=TODAY
    ).record
    assert changed["version"] == before + 1
    for name, value in CHANGE[layer].items():
        assert changed[name] == value
    services.remove(store, user, layer, _key(layer, new), expected_version=1)
    assert store.read(layer, where=_key(layer, new)).empty
    log = store.read("audit_log", where={"layer": layer, "user_name": user.name})
    assert sorted(log["action"]) == ["create", "delete", "update"]


def refuse_versioned(store: Store, user: User, layer: str) -> None:
    """Every write of ``layer`` as ``user`` is refused; nothing changes."""
    before = snapshot(store)
    old = EXISTING.get(layer) or {"id": "M1"}
    key = _key(layer, old)
    version = _version(store, layer, key)
    attempts = [
        lambda: services.save(store, user, layer, NEW[layer], today=TODAY),
        lambda: services.save(
            store, user, layer, CHANGE[layer], key=key, expected_version=version, today=TODAY
        ),
        lambda: services.remove(store, user, layer, key, expected_version=version),
    ]
    for attempt in attempts:
        with pytest.raises(
            PermissionDenied, match=f"Rolle „{ROLE_LABELS[user.role]}“\\) darf .* nicht "
        ):
            attempt()
    assert snapshot(store) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("layer", VERSIONED)
def test_versioned_layers_as_each_role(world: Store, layer: str, role: str):
    user = USERS[role]
    if may(role, layer):
        exercise_versioned(world, user, layer)
    else:
        refuse_versioned(world, user, layer)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("layer", LINK_LAYERS)
def test_link_tables_as_each_role(world: Store, layer: str, role: str):
    user = USERS[role]
    where, rows = LINKS[layer]
    if may(role, layer):
        assert services.set_links(world, user, layer, where, rows) == len(rows)
        stored = world.read(layer, where=where)
        assert len(stored) == len(rows)
        log = world.read("audit_log", where={"layer": layer, "user_name": user.name})
        assert len(log) == 1
        return
    before = snapshot(world)
    with pytest.raises(
        PermissionDenied, match=f"Rolle „{ROLE_LABELS[user.role]}“\\) darf .* nicht "
    ):
        services.set_links(world, user, layer, where, rows)
    # the role is checked before the rows: even invalid rows are refused for the role
    with pytest.raises(PermissionDenied):
        services.set_links(world, user, layer, where, [{"nonsense": 1}])
    assert snapshot(world) == before


@pytest.mark.parametrize("role", ROLES)
def test_unknown_and_audit_layers_are_never_written(world: Store, role: str):
    before = snapshot(world)
    for layer in ("audit_log", "filed_reports", "indicator_values"):
        with pytest.raises((PermissionDenied, editing.RuleViolation)):
            services.save(world, USERS[role], layer, {"id": "x"})
    assert snapshot(world) == before


# --- reports: filing ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_filing_a_report_as_each_role(world: Store, role: str):
    user = USERS[role]
    before = snapshot(world)
    if "edit_funding" in PERMISSIONS[role]:
        filed = filing.file_report(world, user, "FA", year=2024)
        assert filed.filed_by == user.name
        assert len(world.read("filed_reports")) == 1
        return
    with pytest.raises(PermissionDenied):
        filing.file_report(world, user, "FA", year=2024)
    assert snapshot(world) == before


# --- PostGIS: a representative subset ---------------------------------------------------


@pytest.mark.postgis
@pytest.mark.parametrize("role", ROLES)
def test_roles_on_postgis(pg_url: str, role: str):
    with open_store(pg_url) as store:
        build_world(store)
        user = USERS[role]
        for layer in ("measures", "actors", "programmes"):
            if may(role, layer):
                exercise_versioned(store, user, layer)
            else:
                refuse_versioned(store, user, layer)
        where, rows = LINKS["participation"]
        if may(role, "participation"):
            services.set_links(store, user, "participation", where, rows)
        else:
            before = snapshot(store)
            with pytest.raises(PermissionDenied):
                services.set_links(store, user, "participation", where, rows)
            assert snapshot(store) == before


# --- the CLI: every command that writes -------------------------------------------------


def qmon(*args: str, role: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": str(REPO), "QMON_USER": f"cli-{role}"}
    environ["QMON_ROLE"] = role
    environ.pop("QMON_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=environ,
        timeout=300,
    )


@pytest.mark.parametrize("role", ROLES)
def test_cli_commands_that_write_as_each_role(world: Store, role: str, tmp_path: Path):
    url = world.url
    before = snapshot(world)
    commands = {
        "report file": (
            ["report", "file", "--store", url, "--area", "FA", "--year", "2024"],
            "edit_funding",
        ),
        "index compute": (
            [
                "index",
                "compute",
                "--store",
                url,
                "--profile",
                "berlin-mss-2021",
                "--period",
                "2024-12-31",
            ],
            "edit_funding",
        ),
    }
    for name, (args, action) in commands.items():
        run = qmon(*args, role=role)
        out = run.stdout + run.stderr
        assert "Traceback" not in out, out
        if action in PERMISSIONS[role]:
            # allowed: the command gets past the role (it may still refuse the data)
            assert "Keine Berechtigung" not in run.stderr, (name, out)
        else:
            assert run.returncode == 2, (name, out)
            assert "Keine Berechtigung" in run.stderr, (name, out)
            assert snapshot(world) == before, name
    if "edit_funding" in PERMISSIONS[role]:
        assert world.read("filed_reports")["filed_by"].tolist() == [f"cli-{role}"]
    else:
        assert snapshot(world) == before


# --- personal data on every read path ---------------------------------------------------

PERSON = {
    "id": "A1",
    "funding_area_id": "FA",
    "name": "Erika Mustermann",
    "type": "Bewohnergruppe",
    "is_person": True,
    "contact_name": "Erika Mustermann",
    "email": "erika@example.org",
    "phone": "0000 987654",
    "address": "Hofweg 7, 00000 Musterstadt",
    "notes": "kommt nur dienstags",
    "consent": True,  # a private person's contact data is kept only with consent
    "consent_date": dt.date(2025, 1, 10),
}
UNFLAGGED = {  # no person flag, but a type that is people: the name is personal data
    "id": "A2",
    "funding_area_id": "FA",
    "name": "Max Ohneflagge",
    "type": "private Eigentümer",
}
PERSONAL_VALUES = [
    *(EXISTING["actors"][c] for c in ("contact_name", "email", "phone", "address", "notes")),
    *(PERSON[c] for c in ("name", "email", "phone", "address", "notes")),
    UNFLAGGED["name"],
]


@pytest.fixture
def people(world: Store) -> Store:
    for record in (PERSON, UNFLAGGED):
        services.save(world, ADMIN, "actors", record)
    services.set_links(
        world,
        ADMIN,
        "participation",
        {"target_kind": "body", "target_id": "B0"},
        [
            {"actor_id": a, "target_kind": "body", "target_id": "B0", "role": "Mitglied"}
            for a in ("A0", "A1", "A2")
        ],
    )
    return world


def _text(value: Any) -> str:
    if isinstance(value, pd.DataFrame):
        return value.to_csv()
    if isinstance(value, dict):
        return "\n".join(_text(v) for v in value.values())
    return str(value)


def _no_personal_value(text: str, where: str) -> None:
    for value in PERSONAL_VALUES:
        assert value not in text, f"{value!r} shown to a viewer in {where}"


def test_viewer_sees_no_personal_value_on_any_read_path(people: Store, tmp_path: Path):
    viewer, qm = USERS["viewer"], USERS["qm"]
    paths = {
        "services.read": lambda u: services.read(people, u, "actors"),
        "services.area_actors": lambda u: services.area_actors(people, u, "FA"),
        "services.actor_network": lambda u: services.actor_network(people, u, "FA"),
    }
    for where, read in paths.items():
        _no_personal_value(_text(read(viewer)), where)
        full = _text(read(qm))  # the test can fail: a role that may see them does
        assert PERSON["name"] in full, where
    shown = services.read(people, viewer, "actors").set_index("id")
    assert shown.loc["A1", "name"] == MASK and shown.loc["A2", "name"] == MASK
    assert shown.loc["A0", "name"] == "Nachbarschaftsverein"
    assert shown.loc["A1", "type"] == "Bewohnergruppe"  # id and type stay
    # the federal report in every format; its inputs hold no name or contact of an actor
    from indicators.registry import load_registry
    from monitoring.auth import PERSONAL_COLUMNS
    from monitoring.reports.catalogue import load_catalogue
    from monitoring.reports.inputs import read_inputs

    inputs = read_inputs(people, viewer, "FA", catalogue=load_catalogue(), registry=load_registry())
    assert not {"name", *PERSONAL_COLUMNS} & set(inputs["actors"].columns)
    assert len(inputs["actors"]) == 3
    report = build_report(people, viewer, "FA", year=2024)
    assert report.fingerprint == build_report(people, qm, "FA", year=2024).fingerprint
    for fmt in ("json", "csv", "xlsx"):
        data = render(report, fmt)
        if data[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                text = "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist())
        else:
            text = data.decode("utf-8")
        _no_personal_value(text, f"report {fmt}")
    assert "Bewohnergruppe" in json.dumps(json.loads(render(report, "json")), ensure_ascii=False)


def test_cli_output_as_viewer_has_no_personal_value(people: Store):
    for args in (["network", "--area", "FA"], ["network", "--area", "FA", "--format", "json"]):
        run = qmon(*args, "--store", people.url, role="viewer")
        assert run.returncode == 0, run.stderr
        _no_personal_value(run.stdout + run.stderr, f"qmon {' '.join(args)}")
        full = qmon(*args, "--store", people.url, role="qm")
        assert PERSON["name"] in full.stdout
    refused = qmon("history", "--store", people.url, "--format", "json", role="viewer")
    assert refused.returncode == 2 and "Keine Berechtigung" in refused.stderr


def test_no_page_reads_actors_around_the_masking():
    """The app reads actors only through the services (ui/data.actors, all_actors, network)."""
    offenders = []
    for path in sorted((REPO / "ui").glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            reads = ("layer(" in line or ".read(" in line) and '"actors"' in line
            if reads and "services." not in line:
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert not offenders, offenders


@pytest.mark.parametrize(
    "role",
    ["viewer", "qm", "editor", "admin"],
)
def test_cli_import_as_each_role(world: Store, role: str, tmp_path: Path):
    table = tmp_path / "massnahmen.csv"
    table.write_text(
        f"Nr;Titel;Gebiet;RW;HW\nM-900;Neue Bänke;FA;{X0 + 500:.0f};{Y0 + 500:.0f}\n",
        encoding="utf-8",
    )
    before = snapshot(world)
    run = qmon(
        *["import", "measures", str(table), "--store", world.url, "--id", "Nr"],
        *["--title", "Titel", "--funding-area-col", "Gebiet", "--x", "RW", "--y", "HW"],
        *["--crs", CRS],
        role=role,
    )
    out = run.stdout + run.stderr
    assert "Traceback" not in out, out
    if "edit_funding" in PERMISSIONS[role]:
        assert run.returncode == 0, out
        assert len(world.read("measures", where={"id": "M-900"})) == 1
    else:
        assert run.returncode == 2 and "Keine Berechtigung" in run.stderr, out
        assert snapshot(world) == before
