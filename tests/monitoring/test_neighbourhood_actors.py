"""Actors through the services on both stores: consent, anonymisation, conflicts, audit."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from geo.store.base import Store
from monitoring import services
from monitoring.auth import User
from monitoring.errors import EditConflict, PermissionDenied, RuleViolation

ERIKA = {
    "id": "AK-1",
    "funding_area_id": "FA",
    "name": "Erika Muster",
    "type": "Bewohner/in",
    "is_person": True,
    "contact_name": "Erika Muster",
    "email": "erika.muster@example.org",
    "phone": "0000 4711",
    "address": "Lindenweg 3, 00000 Musterstadt",
    "notes": "kommt zum Hoffest",
    "consent": True,
    "consent_date": "2025-03-01",
}
ERASED = ("Erika", "erika.muster@example.org", "0000 4711", "Lindenweg 3", "Hoffest", "0000 0815")


def _audit_text(store: Store) -> str:
    log = store.read("audit_log")
    return " ".join(str(v) for v in log[["record_key", "before", "after"]].to_numpy().ravel())


def test_actor_round_trip_with_consent_and_audit(tiny_store: Store, qm: User) -> None:
    saved = services.save(tiny_store, qm, "actors", ERIKA)
    assert saved.record["version"] == 1 and saved.record["consent"] is True
    stored = tiny_store.read("actors", where={"id": "AK-1"}).iloc[0]
    assert stored["email"] == "erika.muster@example.org"
    assert pd.Timestamp(stored["consent_date"]) == pd.Timestamp("2025-03-01")
    services.save(
        tiny_store, qm, "actors", {"phone": "0000 0815"}, key={"id": "AK-1"}, expected_version=1
    )
    log = tiny_store.read("audit_log")
    assert list(log["action"]) == ["create", "update"]
    assert json.loads(log["after"].iloc[1])["phone"] == "0000 0815"
    assert set(log["user_name"]) == {"quartiersmanagerin"}


def test_private_person_without_consent_keeps_no_contact_data(tiny_store: Store, qm: User) -> None:
    person = {k: v for k, v in ERIKA.items() if k not in ("consent", "consent_date")}
    with pytest.raises(RuleViolation) as info:
        services.save(tiny_store, qm, "actors", person)
    assert "ohne Einwilligung" in info.value.problems[0]
    assert "E-Mail" in info.value.problems[0] and "Telefon" in info.value.problems[0]
    with pytest.raises(RuleViolation, match="braucht ihr Datum"):
        services.save(tiny_store, qm, "actors", person | {"consent": True})
    assert tiny_store.read("actors").empty and tiny_store.read("audit_log").empty
    # without contact data the person may be recorded; an organisation needs no consent
    bare = {k: v for k, v in person.items() if k not in ("contact_name", "email", "phone")}
    services.save(tiny_store, qm, "actors", bare | {"address": None})
    club = {"id": "AK-2", "name": "Kiezclub", "type": "Verein", "email": "club@example.org"}
    services.save(tiny_store, qm, "actors", club | {"funding_area_id": "FA"})
    # withdrawing consent while contact data is stored is refused too
    services.save(tiny_store, qm, "actors", ERIKA | {"id": "AK-3"})
    with pytest.raises(RuleViolation, match="ohne Einwilligung"):
        services.save(
            tiny_store, qm, "actors", {"consent": False}, key={"id": "AK-3"}, expected_version=1
        )
    assert sorted(tiny_store.read("actors")["id"]) == ["AK-1", "AK-2", "AK-3"]


def test_second_editor_gets_a_conflict_naming_who_and_what(tiny_store: Store, qm: User) -> None:
    services.save(tiny_store, qm, "actors", ERIKA)
    carla = User("carla", "qm")
    services.save(
        tiny_store, carla, "actors", {"phone": "0000 0815"}, key={"id": "AK-1"}, expected_version=1
    )
    with pytest.raises(EditConflict) as info:
        services.save(
            tiny_store, qm, "actors", {"notes": "neu"}, key={"id": "AK-1"}, expected_version=1
        )
    err = info.value
    assert err.changed_by == "carla" and err.differences == {"phone": ("0000 4711", "0000 0815")}
    assert tiny_store.read("actors").iloc[0]["notes"] == "kommt zum Hoffest"  # nothing saved


def test_anonymise_keeps_links_and_leaves_no_erased_value_in_the_log(
    tiny_store: Store, qm: User, admin: User
) -> None:
    services.save(tiny_store, qm, "actors", ERIKA)
    services.save(
        tiny_store, qm, "actors", {"phone": "0000 0815"}, key={"id": "AK-1"}, expected_version=1
    )
    services.save(
        tiny_store,
        qm,
        "projects",
        {"id": "PJ-1", "funding_area_id": "FA", "title": "Hochbeete", "status": "Idee"},
    )
    services.set_links(
        tiny_store,
        qm,
        "participation",
        {"actor_id": "AK-1"},
        [{"actor_id": "AK-1", "target_kind": "project", "target_id": "PJ-1", "role": "Träger"}],
    )
    assert any(word in _audit_text(tiny_store) for word in ERASED)
    after = services.anonymise_actor(tiny_store, qm, "AK-1", expected_version=2)
    assert after["name"] == "anonymisiert" and after["anonymised_at"] is not None
    assert all(after[f] is None for f in ("contact_name", "email", "phone", "address", "notes"))
    assert after["type"] == "Bewohner/in" and after["version"] == 3
    stored = tiny_store.read("actors").iloc[0]
    assert stored["name"] == "anonymisiert" and pd.isna(stored["email"])
    assert list(tiny_store.read("participation")["actor_id"]) == ["AK-1"]  # links kept
    log = services.read(tiny_store, admin, "audit_log")
    text = _audit_text(tiny_store)
    for word in ERASED:
        assert word not in text, word
    actor_rows = log[log["layer"] == "actors"]
    assert list(actor_rows["action"]) == ["create", "update", "anonymise"]
    assert json.loads(actor_rows["before"].iloc[-1]).keys().isdisjoint({"name", "email", "phone"})
    assert len(log) == 5  # nothing deleted from the log: the erasure is recorded
    # an anonymised person gets no personal data again
    with pytest.raises(RuleViolation, match="anonymisiert"):
        services.save(
            tiny_store,
            qm,
            "actors",
            {"email": "neu@example.org"},
            key={"id": "AK-1"},
            expected_version=3,
        )


def test_viewer_sees_no_personal_data_and_changes_nothing(
    tiny_store: Store, qm: User, viewer: User
) -> None:
    services.save(tiny_store, qm, "actors", ERIKA)
    club = {"id": "AK-2", "funding_area_id": "FA", "name": "Kiezclub", "type": "Verein"}
    services.save(tiny_store, qm, "actors", club | {"notes": "Herr X. ist Kassenwart"})
    seen = services.qm_actors(tiny_store, viewer, "FA").set_index("id")
    assert seen.loc["AK-1", "name"] == "Privatperson (AK-1)"
    assert seen.loc["AK-1", "email"] == "•••" and seen.loc["AK-2", "notes"] == "•••"
    assert seen.loc["AK-2", "name"] == "Kiezclub"
    assert "Erika" not in seen.to_string() and "Kassenwart" not in seen.to_string()
    net = services.qm_network(tiny_store, viewer, "FA")
    assert "Erika" not in net["actors"].to_string()
    assert services.qm_actors(tiny_store, qm, "FA").set_index("id").loc["AK-1", "name"] == (
        "Erika Muster"
    )
    with pytest.raises(PermissionDenied):
        services.anonymise_actor(tiny_store, viewer, "AK-1", expected_version=1)
    with pytest.raises(PermissionDenied):
        services.save(
            tiny_store, viewer, "actors", {"name": "X"}, key={"id": "AK-2"}, expected_version=1
        )
    assert tiny_store.read("actors").set_index("id").loc["AK-1", "name"] == "Erika Muster"
