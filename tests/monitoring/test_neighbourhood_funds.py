"""Applications, fund decisions, payments and proofs of use through the services, both stores."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from geo.store.base import Store
from monitoring import services
from monitoring.auth import User
from monitoring.errors import EditConflict, PermissionDenied, RuleViolation

TODAY = dt.date(2025, 6, 1)


def _quarter(store: Store, qm: User, *, kind: str = "Verfügungsfonds") -> None:
    """A fund of ``kind`` with 6,000 € income (half public), a body, a group and its project."""
    services.save(
        store, qm, "local_funds", {"id": "F", "funding_area_id": "FA", "kind": kind, "year": 2025}
    )
    for i, (source, amount) in enumerate((("Städtebauförderung", 3_000.0), ("Gewerbe", 3_000.0))):
        services.save(
            store,
            qm,
            "fund_income",
            {"id": f"E{i}", "fund_id": "F", "source": source, "amount": amount},
        )
    services.save(
        store,
        qm,
        "bodies",
        {"id": "G", "funding_area_id": "FA", "name": "Jury", "kind": "Aktionsfonds-Jury"},
    )
    services.save(
        store,
        qm,
        "actors",
        {"id": "AK-1", "funding_area_id": "FA", "name": "Hofgruppe", "type": "Bewohnergruppe"},
    )
    services.save(
        store,
        qm,
        "projects",
        {
            "id": "PJ-1",
            "funding_area_id": "FA",
            "title": "Hochbeete im Hof",
            "status": "Antrag",
            "applicant_id": "AK-1",
            "start_date": "2025-05-01",
            "end_date": "2025-10-31",
        },
    )


APPLICATION = {
    "id": "AN-1",
    "project_id": "PJ-1",
    "source_kind": "lokaler Fonds",
    "fund_id": "F",
    "status": "eingereicht",
    "submitted": "2025-04-20",
    "deadline": "2025-05-15",
    "requested": 1_200.0,
}
DECISION = {
    "id": "FD-1",
    "application_id": "AN-1",
    "body_id": "G",
    "decided": "2025-05-20",
    "title": "Hochbeete",
    "amount": 1_000.0,
    "investive": True,
    "financed_from": "Städtebauförderung",
    "outcome": "bewilligt",
    "votes_yes": 5,
    "votes_no": 1,
    "votes_abstain": 1,
}


def test_application_round_trip_rules_and_deadlines(tiny_store: Store, qm: User) -> None:
    _quarter(tiny_store, qm)
    saved = services.save(tiny_store, qm, "applications", APPLICATION)
    assert saved.record["requested"] == 1_200.0 and saved.record["version"] == 1
    with pytest.raises(RuleViolation) as info:
        services.save(
            tiny_store,
            qm,
            "applications",
            APPLICATION | {"id": "AN-2", "fund_id": None, "granted": 50.0},
        )
    assert [p.split(": ", 1)[1][:20] for p in info.value.problems] == [
        "ein Antrag an den lo",
        "bewilligt sind 50,00",
    ]
    with pytest.raises(RuleViolation, match="Bewohnerprojekt „PJ-9“ gibt es nicht"):
        services.save(
            tiny_store, qm, "applications", APPLICATION | {"id": "AN-2", "project_id": "PJ-9"}
        )
    foundation = {
        "id": "AN-3",
        "project_id": "PJ-1",
        "source_kind": "Stiftung",
        "source_name": "Bürgerstiftung",
        "status": "geplant",
        "deadline": "2025-07-01",
        "requested": 2_000.0,
    }
    services.save(tiny_store, qm, "applications", foundation)
    services.save(
        tiny_store,
        qm,
        "applications",
        foundation
        | {
            "id": "AN-4",
            "source_kind": "Bezirk",
            "source_name": "Bezirksamt",
            "status": "abgelehnt",
            "submitted": "2025-02-01",
            "deadline": "2025-03-01",
        },
    )
    due = services.open_deadlines(tiny_store, qm, "FA", today=TODAY)
    assert due[["id", "days_left", "overdue"]].values.tolist() == [
        ["AN-1", -17, True],
        ["AN-3", 30, False],
    ]
    assert list(due["project_title"]) == ["Hochbeete im Hof"] * 2
    assert sorted(tiny_store.read("applications")["id"]) == ["AN-1", "AN-3", "AN-4"]


def test_decision_payment_proof_and_balance(tiny_store: Store, qm: User, admin: User) -> None:
    _quarter(tiny_store, qm)
    services.save(tiny_store, qm, "applications", APPLICATION)
    services.decide_application(tiny_store, qm, DECISION, today=TODAY)
    app = tiny_store.read("applications").iloc[0]
    assert (app["status"], app["granted"], app["version"]) == ("bewilligt", 1_000.0, 2)
    decision = tiny_store.read("fund_decisions").iloc[0]
    assert (decision["fund_id"], decision["project_id"], int(decision["votes_yes"])) == (
        "F",
        "PJ-1",
        5,
    )
    status = services.fund_status(tiny_store, qm, "F")
    assert status["balance"] == {
        "income": 6_000.0,
        "approved": 1_000.0,
        "paid": 0.0,
        "committed": 1_000.0,
        "balance": 6_000.0,
        "free": 5_000.0,
    }
    payment = {"id": "FZ-1", "fund_id": "F", "decision_id": "FD-1", "paid": "2025-05-25"}
    with pytest.raises(RuleViolation, match="höchstens 1.000,00 € können noch ausgezahlt"):
        services.save(tiny_store, qm, "fund_payments", payment | {"amount": 1_000.01})
    services.save(tiny_store, qm, "fund_payments", payment | {"amount": 600.0})
    with pytest.raises(RuleViolation, match="schon ausgezahlte 600,00 €"):
        services.save(tiny_store, qm, "fund_payments", payment | {"id": "FZ-2", "amount": 500.0})
    services.save(tiny_store, qm, "fund_payments", payment | {"id": "FZ-2", "amount": 400.0})
    status = services.fund_status(tiny_store, qm, "F")
    assert (status["balance"]["paid"], status["balance"]["balance"], status["balance"]["free"]) == (
        1_000.0,
        5_000.0,
        5_000.0,
    )
    # the decision cannot be lowered below what was paid, nor turned into a rejection
    with pytest.raises(RuleViolation, match="ausgezahlt sind schon 1.000,00 €"):
        services.save(
            tiny_store,
            qm,
            "fund_decisions",
            {"amount": 900.0},
            key={"id": "FD-1"},
            expected_version=1,
        )
    with pytest.raises(RuleViolation, match="nicht mehr abgelehnt"):
        services.save(
            tiny_store,
            qm,
            "fund_decisions",
            {"outcome": "abgelehnt"},
            key={"id": "FD-1"},
            expected_version=1,
        )
    services.save(
        tiny_store,
        qm,
        "fund_decisions",
        {"proof_date": "2025-11-02", "proof_of_use": "eingereicht"},
        key={"id": "FD-1"},
        expected_version=1,
    )
    stored = tiny_store.read("fund_decisions").iloc[0]
    assert pd.Timestamp(stored["proof_date"]) == pd.Timestamp("2025-11-02")
    log = services.read(tiny_store, admin, "audit_log")
    mine = log[log["layer"].isin(["applications", "fund_decisions", "fund_payments"])]
    assert list(zip(mine["layer"], mine["action"])) == [
        ("applications", "create"),
        ("fund_decisions", "create"),
        ("applications", "update"),
        ("fund_payments", "create"),
        ("fund_payments", "create"),
        ("fund_decisions", "update"),
    ]
    assert json.loads(mine["after"].iloc[2])["status"] == "bewilligt"


def test_no_payment_without_a_positive_decision(tiny_store: Store, qm: User) -> None:
    _quarter(tiny_store, qm)
    services.save(tiny_store, qm, "applications", APPLICATION)
    services.decide_application(
        tiny_store,
        qm,
        DECISION | {"outcome": "abgelehnt", "votes_yes": 1, "votes_no": 6},
        today=TODAY,
    )
    assert tiny_store.read("applications").iloc[0]["status"] == "abgelehnt"
    assert pd.isna(tiny_store.read("applications").iloc[0]["granted"])
    with pytest.raises(RuleViolation, match="ausgezahlt wird nur auf eine positive Entscheidung"):
        services.save(
            tiny_store,
            qm,
            "fund_payments",
            {"id": "FZ-1", "fund_id": "F", "decision_id": "FD-1", "amount": 100.0},
        )
    with pytest.raises(RuleViolation, match="ohne Entscheidung des Gremiums"):
        services.save(
            tiny_store,
            qm,
            "fund_payments",
            {"id": "FZ-1", "fund_id": "F", "decision_id": "FD-9", "amount": 100.0},
        )
    assert tiny_store.read("fund_payments").empty
    # a rejected application stays listed, and spends nothing of the fund
    assert services.fund_status(tiny_store, qm, "F")["balance"]["free"] == 6_000.0
    assert list(services.fund_status(tiny_store, qm, "F")["applications"]["status"]) == [
        "abgelehnt"
    ]


def test_a_refused_decision_leaves_the_application_unchanged(tiny_store: Store, qm: User) -> None:
    _quarter(tiny_store, qm)
    services.save(tiny_store, qm, "applications", APPLICATION)
    foundation = APPLICATION | {
        "id": "AN-2",
        "source_kind": "Stiftung",
        "source_name": "Bürgerstiftung",
        "fund_id": None,
    }
    services.save(tiny_store, qm, "applications", foundation)
    with pytest.raises(RuleViolation, match="nicht an einen lokalen Fonds"):
        services.decide_application(tiny_store, qm, DECISION | {"application_id": "AN-2"})
    with pytest.raises(RuleViolation, match="ist nicht investiv"):
        services.decide_application(tiny_store, qm, DECISION | {"investive": False}, today=TODAY)
    with pytest.raises(RuleViolation, match="-1 Nein-Stimmen"):
        services.decide_application(tiny_store, qm, DECISION | {"votes_no": -1}, today=TODAY)
    assert tiny_store.read("fund_decisions").empty
    assert set(tiny_store.read("applications")["status"]) == {"eingereicht"}


def test_fund_rules_know_the_fund_type(tiny_store: Store, qm: User) -> None:
    # an Aktionsfonds may be all public money: the 50 % rule is the Verfügungsfonds'
    _quarter(tiny_store, qm, kind="Aktionsfonds")
    saved = services.save(
        tiny_store,
        qm,
        "fund_income",
        {"id": "E9", "fund_id": "F", "source": "Städtebauförderung", "amount": 20_000.0},
    )
    assert saved.warnings == ()
    assert services.check_funds(tiny_store, qm, fund_id="F", today=TODAY) == []
    services.save(
        tiny_store,
        qm,
        "local_funds",
        {"kind": "Verfügungsfonds"},
        key={"id": "F"},
        expected_version=1,
    )
    assert [f.code for f in services.check_funds(tiny_store, qm, fund_id="F", today=TODAY)] == [
        "public_share"
    ]


def test_projektfonds_from_5000_euro_and_at_most_4_years(tiny_store: Store, qm: User) -> None:
    _quarter(tiny_store, qm, kind="Projektfonds")
    services.save(
        tiny_store,
        qm,
        "fund_income",
        {"id": "E9", "fund_id": "F", "source": "Gewerbe", "amount": 20_000.0},
    )
    small = DECISION | {"application_id": None, "project_id": "PJ-1", "fund_id": "F"}
    with pytest.raises(RuleViolation, match="ab 5.000,00 €"):
        services.save(tiny_store, qm, "fund_decisions", small)
    services.save(
        tiny_store,
        qm,
        "projects",
        {"end_date": "2030-01-31"},
        key={"id": "PJ-1"},
        expected_version=1,
    )
    with pytest.raises(RuleViolation, match="länger als die 4 Jahre"):
        services.save(tiny_store, qm, "fund_decisions", small | {"amount": 6_000.0})
    services.save(
        tiny_store,
        qm,
        "projects",
        {"end_date": "2029-04-30"},
        key={"id": "PJ-1"},
        expected_version=2,
    )
    services.save(tiny_store, qm, "fund_decisions", small | {"amount": 6_000.0})
    # a rejected small application is recorded: the minimum is for what is granted
    services.save(
        tiny_store,
        qm,
        "fund_decisions",
        small | {"id": "FD-2", "amount": 800.0, "outcome": "abgelehnt"},
    )
    assert sorted(tiny_store.read("fund_decisions")["id"]) == ["FD-1", "FD-2"]


def test_application_conflict_and_roles(tiny_store: Store, qm: User, viewer: User) -> None:
    _quarter(tiny_store, qm)
    services.save(tiny_store, qm, "applications", APPLICATION)
    carla = User("carla", "qm")
    services.save(
        tiny_store,
        carla,
        "applications",
        {"deadline": "2025-06-30"},
        key={"id": "AN-1"},
        expected_version=1,
    )
    with pytest.raises(EditConflict) as info:
        services.save(
            tiny_store,
            qm,
            "applications",
            {"requested": 1_500.0},
            key={"id": "AN-1"},
            expected_version=1,
        )
    assert info.value.changed_by == "carla" and "deadline" in info.value.differences
    assert tiny_store.read("applications").iloc[0]["requested"] == 1_200.0
    with pytest.raises(PermissionDenied):
        services.save(tiny_store, viewer, "applications", APPLICATION | {"id": "AN-2"})
    with pytest.raises(PermissionDenied):
        services.decide_application(tiny_store, viewer, DECISION, today=TODAY)
    with pytest.raises(PermissionDenied):
        services.save(
            tiny_store,
            viewer,
            "fund_payments",
            {"id": "FZ-1", "fund_id": "F", "decision_id": "FD-1", "amount": 1.0},
        )
    assert len(tiny_store.read("applications")) == 1
