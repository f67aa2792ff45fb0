"""Rule checks through the services: specific messages, nothing stored when refused."""

from __future__ import annotations

import datetime as dt

import pytest
import shapely

from geo.store.base import Store
from monitoring import services
from monitoring.auth import User
from monitoring.errors import PermissionDenied, RuleViolation

TODAY = dt.date(2025, 6, 30)


def _line(i: str, **amounts: float) -> dict:
    return {"id": i, "measure_id": "M1", "programme_year": 2024, **amounts}


def test_funding_line_order_is_enforced(tiny_gpkg: Store, editor: User) -> None:
    with pytest.raises(RuleViolation) as info:
        services.save(
            tiny_gpkg,
            editor,
            "funding_lines",
            _line("F1", source="Bund", planned=100_000.0, approved=120_000.0, paid=130_000.0),
        )
    assert info.value.problems == (
        "Finanzierungszeile „F1“: bewilligt 120.000,00 € ist mehr als geplant 100.000,00 €; "
        "es muss geplant ≥ bewilligt ≥ ausgezahlt gelten: erhöhen Sie den Betrag „geplant“ "
        "oder senken Sie den Betrag „bewilligt“",
        "Finanzierungszeile „F1“: ausgezahlt 130.000,00 € ist mehr als bewilligt 120.000,00 €; "
        "es muss geplant ≥ bewilligt ≥ ausgezahlt gelten: erhöhen Sie den Betrag „bewilligt“ "
        "oder senken Sie den Betrag „ausgezahlt“",
    )
    with pytest.raises(RuleViolation, match="die Quelle „EU“ ist keine von Bund, Land"):
        services.save(tiny_gpkg, editor, "funding_lines", _line("F2", source="EU"))
    with pytest.raises(
        RuleViolation, match="Maßnahme „M9“ gibt es nicht; legen Sie den Datensatz zuerst an"
    ):
        services.save(
            tiny_gpkg, editor, "funding_lines", {**_line("F3", source="Bund"), "measure_id": "M9"}
        )
    assert tiny_gpkg.counts()["funding_lines"] == 0
    assert tiny_gpkg.counts()["audit_log"] == 0


def test_funding_shares_and_sums_are_warnings(tiny_gpkg: Store, editor: User) -> None:
    saved = services.save(
        tiny_gpkg, editor, "funding_lines", _line("F1", source="Bund", planned=100_000.0)
    )
    codes = {w.code for w in saved.warnings}
    assert codes == {"shares", "funding_gap"}
    gap = next(w for w in saved.warnings if w.code == "funding_gap")
    assert "200.000,00 € sind noch nicht finanziert" in gap.message
    for i, source in ((2, "Land"), (3, "Gemeinde")):
        saved = services.save(
            tiny_gpkg, editor, "funding_lines", _line(f"F{i}", source=source, planned=100_000.0)
        )
    assert saved.warnings == ()  # 300,000 € in thirds: as estimated and as usual
    saved = services.save(
        tiny_gpkg,
        editor,
        "funding_lines",
        {"planned": 200_000.0},
        key={"id": "F3"},
        expected_version=1,
    )
    assert {w.code for w in saved.warnings} == {"shares", "overfunded"}
    assert "Gemeinde 50,0 %" in next(w for w in saved.warnings if w.code == "shares").message


def test_measure_checks_and_distance_warning(tiny_gpkg: Store, editor: User) -> None:
    with pytest.raises(RuleViolation) as info:
        services.save(
            tiny_gpkg,
            editor,
            "measures",
            {"start_date": "2025-05-01", "end_date": "2025-03-01", "status": "abgeschlossen"},
            key={"id": "M1"},
            expected_version=1,
            today=TODAY,
        )
    assert any(
        "der Beginn 01.05.2025 liegt nach dem Ende 01.03.2025" in p for p in info.value.problems
    )
    saved = services.save(
        tiny_gpkg,
        editor,
        "measures",
        {"geometry": shapely.Point(360_000 + 1_250, 5_700_000 + 500)},
        key={"id": "M1"},
        expected_version=1,
        today=TODAY,
    )
    assert [w.message for w in saved.warnings] == [
        "Maßnahme „M1“ liegt außerhalb ihrer Gesamtmaßnahme „FA“, 250 m von ihr entfernt; "
        "prüfen Sie die Geometrie der Maßnahme oder die zugeordnete Gesamtmaßnahme"
    ]
    assert saved.record["version"] == 2


def test_project_lifecycle(tiny_gpkg: Store, qm: User) -> None:
    services.save(
        tiny_gpkg,
        qm,
        "local_funds",
        {"id": "VF", "funding_area_id": "FA", "kind": "Verfügungsfonds", "year": 2025},
    )
    project = {"id": "P1", "funding_area_id": "FA", "title": "Hochbeete", "status": "Idee"}
    services.save(tiny_gpkg, qm, "projects", project)
    with pytest.raises(
        RuleViolation,
        match="von „Idee“ auf „laufend“ wechseln; von „Idee“ geht es nur weiter zu „Antrag“ "
        "oder „abgelehnt“",
    ):
        services.save(
            tiny_gpkg, qm, "projects", {"status": "laufend"}, key={"id": "P1"}, expected_version=1
        )
    version = 1
    for status, extra in (
        ("Antrag", {}),
        ("bewilligt", {"fund_id": "VF", "amount": 900.0}),
        ("laufend", {}),
        ("abgeschlossen", {}),
    ):
        saved = services.save(
            tiny_gpkg,
            qm,
            "projects",
            {"status": status, **extra},
            key={"id": "P1"},
            expected_version=version,
        )
        version = saved.record["version"]
    with pytest.raises(
        RuleViolation, match="geht es nicht mehr weiter \\(der Status ist endgültig\\)"
    ):
        services.save(
            tiny_gpkg,
            qm,
            "projects",
            {"status": "Idee"},
            key={"id": "P1"},
            expected_version=version,
        )
    with pytest.raises(RuleViolation, match="braucht den bewilligten Betrag"):
        services.save(tiny_gpkg, qm, "projects", {**project, "id": "P2", "status": "Antrag"})
        services.save(
            tiny_gpkg,
            qm,
            "projects",
            {"status": "bewilligt", "fund_id": "VF"},
            key={"id": "P2"},
            expected_version=1,
        )
    assert [a for a in tiny_gpkg.read("audit_log")["layer"] if a == "projects"].count(
        "projects"
    ) == 6  # P1 create + 4 steps, P2 create


def _fund(store: Store, user: User, share_max: float | None = None) -> None:
    if share_max is not None:
        services.save(
            store,
            User("a", "admin"),
            "funding_areas",
            {"fund_public_share_max": share_max},
            key={"id": "FA"},
            expected_version=1,
        )
    services.save(
        store,
        user,
        "local_funds",
        {"id": "VF", "funding_area_id": "FA", "kind": "Verfügungsfonds", "year": 2025},
    )


def test_fund_public_share_rule(tiny_gpkg: Store, qm: User) -> None:
    _fund(tiny_gpkg, qm)
    saved = services.save(
        tiny_gpkg,
        qm,
        "fund_income",
        {"id": "I1", "fund_id": "VF", "source": "Städtebauförderung", "amount": 6_000.0},
    )
    assert [w.code for w in saved.warnings] == ["public_share"]  # income arrives piece by piece
    services.save(
        tiny_gpkg,
        qm,
        "fund_income",
        {"id": "I2", "fund_id": "VF", "source": "Gewerbe", "amount": 4_000.0},
    )
    found = services.check_funds(tiny_gpkg, qm, area_id="FA", today=TODAY)
    assert [f.message for f in found] == [
        "Fonds „VF“: 60,0 % der Einnahmen (6.000,00 € von 10.000,00 €) stammen aus der "
        "Städtebauförderung, erlaubt sind höchstens 50 %; nehmen Sie mindestens 2.000,00 € "
        "von Gewerbe, Eigentümern, privaten Quellen oder zusätzlichen kommunalen Mitteln ein "
        "oder senken Sie die Einnahmen aus der Städtebauförderung"
    ]
    with pytest.raises(RuleViolation, match="erlaubt sind höchstens 50 %"):
        services.save(
            tiny_gpkg,
            qm,
            "fund_decisions",
            {
                "id": "D1",
                "fund_id": "VF",
                "title": "Sitzbänke",
                "amount": 500.0,
                "investive": True,
                "financed_from": "Städtebauförderung",
            },
        )


def test_fund_may_be_all_public_where_the_area_allows(tiny_gpkg: Store, qm: User) -> None:
    _fund(tiny_gpkg, qm, share_max=1.0)
    saved = services.save(
        tiny_gpkg,
        qm,
        "fund_income",
        {"id": "I1", "fund_id": "VF", "source": "Städtebauförderung", "amount": 6_000.0},
    )
    assert saved.warnings == ()
    assert services.check_funds(tiny_gpkg, qm, fund_id="VF", today=TODAY) == []


def test_fund_investive_and_budget_rules(tiny_gpkg: Store, qm: User) -> None:
    _fund(tiny_gpkg, qm)
    for i, (source, amount) in enumerate(
        (("Städtebauförderung", 5_000.0), ("Eigentümer", 5_000.0))
    ):
        services.save(
            tiny_gpkg,
            qm,
            "fund_income",
            {"id": f"I{i}", "fund_id": "VF", "source": source, "amount": amount},
        )
    decision = {
        "id": "D1",
        "fund_id": "VF",
        "title": "Honorar Workshop",
        "amount": 800.0,
        "investive": False,
        "financed_from": "Städtebauförderung",
        "decided": "2025-05-01",
    }
    with pytest.raises(RuleViolation) as info:
        services.save(tiny_gpkg, qm, "fund_decisions", decision)
    assert info.value.problems == (
        "Fonds „VF“: Entscheidung „D1“ („Honorar Workshop“, 800,00 €) ist nicht investiv, "
        "wird aber aus Städtebauförderungsmitteln bezahlt, die nur investive oder "
        "investitionsbegleitende Ausgaben tragen dürfen; bezahlen Sie sie aus den anderen "
        "Mitteln („privat“) oder setzen Sie „investiv“, wenn sie es ist",
    )
    services.save(tiny_gpkg, qm, "fund_decisions", {**decision, "financed_from": "privat"})
    with pytest.raises(
        RuleViolation,
        match="die Entscheidungen geben 5.800,00 € aus anderen Mitteln aus, der Fonds hat "
        "davon aber nur 5.000,00 €; 800,00 € zu viel",
    ):
        services.save(
            tiny_gpkg,
            qm,
            "fund_decisions",
            {**decision, "id": "D2", "amount": 5_000.0, "financed_from": "privat"},
        )
    with pytest.raises(
        RuleViolation,
        match="geben 800,00 € aus anderen Mitteln aus, der Fonds hat davon aber nur 0,00 €",
    ):
        services.save(
            tiny_gpkg, qm, "fund_income", {"amount": 0.0}, key={"id": "I1"}, expected_version=1
        )
    assert len(tiny_gpkg.read("fund_decisions")) == 1


def test_viewer_cannot_save_and_qm_cannot_touch_funding(
    tiny_gpkg: Store, viewer: User, qm: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.save(tiny_gpkg, viewer, "actors", {"id": "A", "name": "X", "type": "Verein"})
    with pytest.raises(PermissionDenied):
        services.save(
            tiny_gpkg, qm, "measures", {"title": "x"}, key={"id": "M1"}, expected_version=1
        )
    with pytest.raises(RuleViolation, match="die Art „Club“ ist keine von Bewohnergruppe"):
        services.save(tiny_gpkg, qm, "actors", {"id": "A", "name": "X", "type": "Club"})


def test_cli_funds_check_reports_the_violation(
    tiny_gpkg: Store, qm: User, capsys: pytest.CaptureFixture
) -> None:
    from cli.main import main

    _fund(tiny_gpkg, qm)
    services.save(
        tiny_gpkg,
        qm,
        "fund_income",
        {"id": "I1", "fund_id": "VF", "source": "Städtebauförderung", "amount": 900.0},
    )
    assert main(["funds", "check", "--store", tiny_gpkg.url, "--area", "FA"]) == 1
    assert "Fehler: Fonds „VF“: 100,0 % der Einnahmen" in capsys.readouterr().out
    assert main(["funds", "check", "--store", tiny_gpkg.url, "--fund", "nope"]) == 2
    assert "den Verfügungsfonds „nope“ gibt es nicht" in capsys.readouterr().err
