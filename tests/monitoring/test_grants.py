"""The grant procedure on both stores: KuF, notices, drawdowns, deadlines, roles, audit."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from geo.store.base import Store
from monitoring import services
from monitoring.auth import User
from monitoring.errors import EditConflict, PermissionDenied, RuleViolation
from monitoring.grants import service as grants
from monitoring.grants.cost_groups import FOLDER, catalogue_for, load_cost_catalogue

AREA = "FA"


def _lines() -> pd.DataFrame:
    rows = []
    n = 0
    for measure, years in (("M1", (2023, 2024, 2025)), ("M2", (2026, 2027))):
        for year in years:
            for source, planned in (
                ("Bund", 40_000.10),
                ("Land", 40_000.10),
                ("Gemeinde", 40_000.10),
                ("Dritte", 5_000.0),
            ):
                n += 1
                rows.append(
                    {
                        "id": f"F{n:03d}",
                        "measure_id": measure,
                        "source": source,
                        "programme_id": "sozialer_zusammenhalt" if source != "Dritte" else None,
                        "programme_year": year,
                        "planned": planned + year - 2023,
                        "approved": planned if year < 2026 else 0.0,
                        "paid": planned / 2 if year < 2025 else 0.0,
                        # one line of M1 counts under another cost group than its measure
                        "cost_group": "vorbereitung" if n == 1 else None,
                    }
                )
    return pd.DataFrame(rows)


@pytest.fixture
def grant_store(tiny_store: Store, editor: User) -> Store:
    """The tiny store with cost groups, funding lines and two revenue rows."""
    tiny_store.write("funding_lines", _lines(), user="test")
    for mid, group in (("M1", "oeffentlicher_raum"), ("M2", "bau")):
        version = int(tiny_store.read("measures", where={"id": mid})["version"].iloc[0])
        services.save(
            tiny_store,
            editor,
            "measures",
            {"cost_group": group},
            key={"id": mid},
            expected_version=version,
            today=dt.date(2025, 6, 30),
        )
    for rid, kind, year, planned in (
        ("E1", "ausgleichsbetraege", 2025, 12_345.67),
        ("E2", "veraeusserung", 2026, 50_000.0),
    ):
        services.save(
            tiny_store,
            editor,
            "revenues",
            {"id": rid, "funding_area_id": AREA, "kind": kind, "year": year, "planned": planned},
        )
    return tiny_store


def _notice(**changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "id": "ZB-1",
        "funding_area_id": AREA,
        "file_number": "34.1-2024/017",
        "notice_date": dt.date(2024, 5, 2),
        "programme_id": "sozialer_zusammenhalt",
        "programme_year": 2024,
        "eligible_costs": 150_000.0,
        "amount_bund": 40_000.10,
        "amount_land": 40_000.10,
        "amount_gemeinde": 40_000.10,
        "approval_from": dt.date(2024, 5, 2),
        "approval_to": dt.date(2026, 12, 31),
        "works_start_deadline": dt.date(2024, 12, 31),
        "drawdown_deadline": dt.date(2025, 12, 31),
        "proof_deadline": dt.date(2026, 6, 30),
    }
    record.update(changes)
    return record


# --- the KuF -----------------------------------------------------------------------------


def test_kuf_equals_independent_sums_of_the_funding_lines(grant_store: Store, editor: User) -> None:
    kuf = grants.kuf(grant_store, editor, AREA)
    lines = grant_store.read("funding_lines")
    group_of_measure = {"M1": "5 Öffentlicher Raum", "M2": "4 Baumaßnahmen"}
    lines["group"] = [
        "1 Vorbereitung" if own == "vorbereitung" else group_of_measure[m]
        for own, m in zip(lines["cost_group"], lines["measure_id"])
    ]
    for amount in ("planned", "approved", "paid"):
        expected = lines.groupby(["group", "programme_year"])[amount].sum()
        matrix = kuf.cost_matrix(amount)
        for (group, year), value in expected.items():
            assert matrix.loc[group, int(year)] == pytest.approx(round(value, 2), abs=0.005)
        assert matrix.loc["Summe", "Summe"] == pytest.approx(lines[amount].sum(), abs=0.005)
        by_source = lines.groupby("source")[amount].sum()
        financing = kuf.financing_matrix(amount)
        for source, value in by_source.items():
            assert financing.loc[source, "Summe"] == pytest.approx(value, abs=0.005)
    totals = kuf.totals()
    assert totals["costs_planned"] == totals["financing_planned"]
    assert totals["revenues_planned"] == pytest.approx(62_345.67)
    assert totals["net_planned"] == pytest.approx(lines["planned"].sum() - 62_345.67, abs=0.005)
    assert kuf.revenue_matrix("planned").loc["E1 Ausgleichsbeträge (§ 154 BauGB)", 2025] == (
        pytest.approx(12_345.67)
    )


def test_the_annex_lists_the_measures_of_a_programme_year(grant_store: Store, editor: User) -> None:
    annex = grants.kuf(grant_store, editor, AREA).annex(2026)
    assert annex["Maßnahme"].tolist() == ["M2", "Summe"]
    assert annex.loc[0, "Bund"] == pytest.approx(40_003.10)
    assert annex.loc[1, "Summe"] == pytest.approx(3 * 40_003.10 + 5_003.0)


def test_an_unknown_cost_group_is_refused_naming_the_groups(
    grant_store: Store, editor: User
) -> None:
    version = int(grant_store.read("measures", where={"id": "M1"})["version"].iloc[0])
    with pytest.raises(RuleViolation) as err:
        services.save(
            grant_store,
            editor,
            "measures",
            {"cost_group": "spielplatz"},
            key={"id": "M1"},
            expected_version=version,
        )
    text = str(err.value)
    assert (
        "Kostengruppe „spielplatz“" in text and "oeffentlicher_raum (5 Öffentlicher Raum)" in text
    )
    assert grant_store.read("measures", where={"id": "M1"})["cost_group"].iloc[0] == (
        "oeffentlicher_raum"
    )


def test_a_revenue_of_an_unknown_kind_is_refused(grant_store: Store, editor: User) -> None:
    with pytest.raises(RuleViolation, match="Einnahmeart „Spende“ gibt es"):
        services.save(
            grant_store,
            editor,
            "revenues",
            {"id": "E9", "funding_area_id": AREA, "kind": "Spende", "year": 2025},
        )


def test_frozen_versions_keep_their_figures(grant_store: Store, editor: User) -> None:
    first = grants.freeze_kuf(grant_store, editor, AREA, purpose="Förderantrag 2025")
    again = grants.freeze_kuf(grant_store, editor, AREA, purpose="noch einmal")
    assert again["id"] == first["id"]  # nothing changed: no second version
    before = grants.kuf(grant_store, editor, AREA).totals()
    services.save(
        grant_store,
        editor,
        "revenues",
        {"id": "E3", "funding_area_id": AREA, "kind": "sonstige_einnahmen", "year": 2027,
         "planned": 1_000.0},
    )  # fmt: skip
    second = grants.freeze_kuf(grant_store, editor, AREA, purpose="Förderantrag 2026")
    assert second["id"] != first["id"]
    frozen = grants.load_kuf_version(grant_store, editor, str(first["id"]))
    assert frozen.totals() == before
    assert frozen.frozen["purpose"] == "Förderantrag 2025"
    assert list(grants.kuf_versions(grant_store, editor, AREA)["id"]) == [
        second["id"],
        first["id"],
    ]


def test_an_application_freezes_the_kuf_it_is_based_on(grant_store: Store, editor: User) -> None:
    saved = grants.submit_application(
        grant_store, editor, AREA, programme_year=2026, programme_id="sozialer_zusammenhalt"
    )
    record, frozen = grants.application_annex(grant_store, editor, str(saved.record["id"]))
    assert record["kuf_version_id"] == frozen.frozen["id"]
    assert frozen.fingerprint == grants.kuf(grant_store, editor, AREA).fingerprint


# --- notices and drawdowns ------------------------------------------------------------------


def test_a_drawdown_above_the_notice_is_refused_in_german(grant_store: Store, editor: User) -> None:
    grants.save_notice(grant_store, editor, _notice(), measure_ids=["M1"])
    grants.add_drawdown(grant_store, editor, "ZB-1", amount=50_000.0, requested=dt.date(2024, 9, 2))
    with pytest.raises(RuleViolation) as err:
        grants.add_drawdown(
            grant_store, editor, "ZB-1", amount=30_000.31, requested=dt.date(2024, 11, 4)
        )
    text = str(err.value).replace("\xa0", " ")
    assert "30.000,31 € übersteigen die noch abrufbaren 30.000,20 €" in text
    assert "Zuwendungsbescheids „34.1-2024/017“" in text
    stored = grant_store.read("drawdowns")
    assert stored["amount"].tolist() == [50_000.0]
    audit = grant_store.read("audit_log", where={"layer": "drawdowns"})
    assert audit["action"].tolist() == ["create"] and audit["user_name"].tolist() == ["ben"]
    # the rest can be drawn, to the cent
    grants.add_drawdown(
        grant_store, editor, "ZB-1", amount=30_000.20, requested=dt.date(2024, 11, 4)
    )
    assert grants.notices(grant_store, editor, AREA)["undrawn"].tolist() == [0.0]


def test_a_notice_cannot_be_lowered_below_what_was_drawn(grant_store: Store, editor: User) -> None:
    saved = grants.save_notice(grant_store, editor, _notice())
    grants.add_drawdown(grant_store, editor, "ZB-1", amount=70_000.0, requested=dt.date(2024, 9, 2))
    with pytest.raises(RuleViolation, match="kleiner als die schon"):
        grants.save_notice(
            grant_store,
            editor,
            {"amount_land": 10_000.0},
            key={"id": "ZB-1"},
            expected_version=int(saved.record["version"]),
        )


def test_a_notice_is_changed_only_at_the_version_read(grant_store: Store, editor: User) -> None:
    saved = grants.save_notice(grant_store, editor, _notice())
    version = int(saved.record["version"])
    grants.save_notice(
        grant_store, editor, {"conditions": "Baubeginn anzeigen"}, key={"id": "ZB-1"},
        expected_version=version,
    )  # fmt: skip
    with pytest.raises(EditConflict):
        grants.save_notice(
            grant_store,
            User("clara", "editor"),
            {"conditions": "anders"},
            key={"id": "ZB-1"},
            expected_version=version,
        )
    assert grant_store.read("grant_notices")["conditions"].tolist() == ["Baubeginn anzeigen"]


@pytest.mark.parametrize("role", ["viewer", "qm"])
def test_only_editors_keep_notices_and_drawdowns(grant_store: Store, role: str) -> None:
    with pytest.raises(PermissionDenied, match="nicht bearbeiten"):
        grants.save_notice(grant_store, User("x", role), _notice())
    with pytest.raises(PermissionDenied):
        grants.freeze_kuf(grant_store, User("x", role), AREA, purpose="Antrag")
    assert grant_store.read("grant_notices").empty
    assert grants.notices(grant_store, User("x", role), AREA).empty  # reading is allowed


def test_a_notice_funds_only_measures_of_its_area(grant_store: Store, editor: User) -> None:
    with pytest.raises(RuleViolation, match="die Maßnahme „M9“ gibt es nicht"):
        grants.save_notice(grant_store, editor, _notice(), measure_ids=["M1", "M9"])
    assert grant_store.read("grant_notices").empty  # the notice is not stored either


def test_the_same_file_number_is_recorded_once(grant_store: Store, editor: User) -> None:
    grants.save_notice(grant_store, editor, _notice())
    with pytest.raises(RuleViolation, match="trägt schon der Zuwendungsbescheid „ZB-1“"):
        grants.save_notice(grant_store, editor, _notice(id="ZB-2"))


# --- deadlines and the statement of use -------------------------------------------------


def test_missed_lapsing_and_coming_deadlines_are_reported(grant_store: Store, editor: User) -> None:
    grants.save_notice(grant_store, editor, _notice(), measure_ids=["M2"])  # M2 is only planned
    grants.save_notice(
        grant_store,
        editor,
        _notice(
            id="ZB-2",
            file_number="34.1-2025/003",
            programme_year=2025,
            notice_date=dt.date(2025, 4, 1),
            works_start_deadline=None,
            drawdown_deadline=dt.date(2026, 1, 15),
            proof_deadline=dt.date(2027, 6, 30),
        ),
    )
    grants.add_drawdown(grant_store, editor, "ZB-2", amount=80_000.0, requested=dt.date(2025, 6, 1))
    found = grants.deadlines(grant_store, editor, today=dt.date(2026, 1, 2))
    got = list(zip(found["notice_id"], found["kind"], found["state"]))
    assert got == [
        ("ZB-1", "works_start_deadline", "missed"),
        ("ZB-1", "drawdown_deadline", "lapsed"),
        ("ZB-2", "drawdown_deadline", "lapsing"),
    ]
    messages = [m.replace("\xa0", " ") for m in found["message"]]
    assert (
        "80.000,20 € der Zuwendung wurden bis zum Ende der Abruffrist am 31.12.2025"
        in (messages[1])
    )
    assert "0,20 € der Zuwendung sind noch nicht abgerufen" in messages[2]
    assert "(in 13 Tagen)" in messages[2]
    # the proof is due within the horizon half a year later; submitting it clears the line
    later = grants.deadlines(grant_store, editor, today=dt.date(2026, 6, 1))
    assert ("ZB-1", "proof_deadline") in set(zip(later["notice_id"], later["kind"]))
    version = int(grant_store.read("grant_notices", where={"id": "ZB-1"})["version"].iloc[0])
    grants.save_notice(
        grant_store, editor, {"proof_submitted": dt.date(2026, 5, 30)}, key={"id": "ZB-1"},
        expected_version=version,
    )  # fmt: skip
    later = grants.deadlines(grant_store, editor, today=dt.date(2026, 6, 1))
    assert ("ZB-1", "proof_deadline") not in set(zip(later["notice_id"], later["kind"]))


def test_the_statement_of_use_compares_approved_drawn_and_spent(
    grant_store: Store, editor: User
) -> None:
    grants.save_notice(grant_store, editor, _notice(), measure_ids=["M1"])
    grants.add_drawdown(grant_store, editor, "ZB-1", amount=60_000.0, requested=dt.date(2024, 9, 2))
    table = grants.statement(grant_store, editor, AREA).table
    lines = grant_store.read("funding_lines")
    spent = lines[
        (lines["measure_id"] == "M1")
        & (lines["programme_year"] == 2024)
        & lines["source"].isin(["Bund", "Land"])
    ]["paid"].sum()
    row = table.iloc[0]
    assert row["approved"] == pytest.approx(80_000.20)
    assert row["drawn"] == pytest.approx(60_000.0)
    assert row["spent"] == pytest.approx(round(spent, 2))
    assert row["undrawn"] == pytest.approx(20_000.20)
    assert table.iloc[-1]["file_number"] == "Summe"


# --- the catalogue --------------------------------------------------------------------------


def test_the_land_variant_takes_records_keyed_for_the_default() -> None:
    nrw = catalogue_for("05999000")
    assert nrw.land == "05" and catalogue_for("01001000").land == ""
    default = load_cost_catalogue()
    for group in default.cost_groups:
        assert nrw.knows(group.key), group.key


def test_a_broken_catalogue_file_is_named_in_german(tmp_path: Path) -> None:
    bad = tmp_path / "land.toml"
    bad.write_text('[catalogue]\nname = "x"\n[[cost_group]]\nkey = "a"\n', encoding="utf-8")
    with pytest.raises(RuleViolation, match="Eintrag 1 von \\[\\[cost_group\\]\\] hat kein code"):
        load_cost_catalogue(bad)
    bad.write_text("kein toml [", encoding="utf-8")
    with pytest.raises(RuleViolation, match="ist kein gültiges TOML"):
        load_cost_catalogue(bad)
    assert sorted(p.name for p in FOLDER.glob("*.toml")) == ["default.toml", "land-05.toml"]


def test_frozen_payload_is_json(grant_store: Store, editor: User) -> None:
    first = grants.freeze_kuf(grant_store, editor, AREA, purpose="Antrag")
    stored = grant_store.read("kuf_versions", where={"id": first["id"]})
    data = json.loads(stored["payload"].iloc[0])
    assert data["area_id"] == AREA and data["fingerprint"] == stored["fingerprint"].iloc[0]
