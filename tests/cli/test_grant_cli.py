"""``qmon notice``, ``drawdown``, ``application``, ``revenue``, ``cost-group`` and ``deadlines``.

A hand-built GeoPackage store (one funding area FA, measure M1 under way, M2 planned);
every command is called through :func:`cli.main.main`, and what it stored is read back
from the store itself.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pandas as pd
import pytest

from cli.main import main
from geo.store import open_store
from tests.monitoring.conftest import CRS, seed_tiny

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _seeded(url: str) -> str:
    with open_store(url) as store:
        store.init(crs=CRS)
        seed_tiny(store)
    return url


@pytest.fixture
def tiny(gpkg_url: str) -> str:
    return _seeded(gpkg_url)


@pytest.fixture
def tiny_both(store_url: str) -> str:
    """The tiny store as a GeoPackage and in PostGIS."""
    return _seeded(store_url)


def _read(url: str, layer: str, **kw) -> pd.DataFrame:
    with open_store(url) as store:
        return store.read(layer, **kw)


def _notice(url: str, *extra: str, number: str = "AZ 34-2025/17") -> list[str]:
    return [
        "notice", "add", "--store", url, "--area", "FA", "--file-number", number,
        "--date", "15.05.2025", "--programme-year", "2025", *extra,
    ]  # fmt: skip


# --- notices and drawdowns ---------------------------------------------------------------


def test_a_notice_is_recorded_with_german_amounts_and_its_measures(tiny: str, capsys) -> None:
    args = _notice(
        tiny,
        "--bund", "60.000", "--land", "40.000,50", "--gemeinde", "50.000 €",
        "--eligible", "150.000,00", "--from", "2025-06-01", "--to", "31.12.2026",
        "--drawdown-by", "31.12.2025", "--measure", "M1", "--measure", "M2",
    )  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "FA/ZB/1" in out and "100.000,50\xa0€" in out, out

    stored = _read(tiny, "grant_notices").iloc[0]
    assert stored["amount_bund"] == 60_000.0
    assert stored["amount_land"] == 40_000.5
    assert stored["amount_gemeinde"] == 50_000.0
    assert stored["eligible_costs"] == 150_000.0
    assert pd.Timestamp(stored["notice_date"]) == pd.Timestamp("2025-05-15")
    assert pd.Timestamp(stored["approval_from"]) == pd.Timestamp("2025-06-01")
    assert pd.Timestamp(stored["drawdown_deadline"]) == pd.Timestamp("2025-12-31")
    links = _read(tiny, "notice_measures")
    assert sorted(links["measure_id"]) == ["M1", "M2"]

    assert main(["notice", "list", "--store", tiny]) == 0
    out = capsys.readouterr().out
    header, row = out.splitlines()[:2]
    assert "Zuwendung" in header and "abgerufen" in header and "noch abrufbar" in header
    assert "15.05.2025" in row and row.count("100.000,50\xa0€") == 2 and "0,00\xa0€" in row
    assert not ISO_DATE.search(out), out


def test_a_wrong_amount_names_the_option_and_the_value(tiny: str, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(_notice(tiny, "--bund", "60.000", "--land", "1.5"))
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--land" in err and "„1.5“ ist keine Zahl in deutscher Schreibweise" in err, err
    assert "1,5" in err  # what to type instead
    with pytest.raises(SystemExit):
        main(_notice(tiny, "--bund", "60.000", "--works-start", "2025"))
    err = capsys.readouterr().err
    assert "--works-start" in err and "„2025“ ist kein Tagesdatum" in err, err
    assert _read(tiny, "grant_notices").empty


def test_a_drawdown_above_the_grant_is_refused_and_nothing_is_stored(
    tiny_both: str, capsys
) -> None:
    tiny = tiny_both
    assert main(_notice(tiny, "--bund", "60.000", "--land", "40.000,50")) == 0
    good = ["drawdown", "add", "--store", tiny, "--notice", "FA/ZB/1"]
    assert main([*good, "--amount", "25.000,00", "--date", "01.08.2025"]) == 0
    out = capsys.readouterr().out
    assert "25.000,00\xa0€" in out and "noch abrufbar: 75.000,50\xa0€" in out, out

    audit_before = _read(tiny, "audit_log")
    code = main([*good, "--amount", "75.000,51", "--date", "02.08.2025", "--purpose", "Kita"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("qmon drawdown add: Abgelehnt: "), err
    assert "nicht gespeichert" in err, err
    assert "75.000,51\xa0€ übersteigen die noch abrufbaren 75.000,50\xa0€" in err, err
    assert "„AZ 34-2025/17“" in err and "bereits abgerufen 25.000,00\xa0€" in err, err

    draws = _read(tiny, "drawdowns")
    assert draws["id"].tolist() == ["FA/ZB/1/MA/1"]
    assert draws["amount"].sum() == 25_000.0
    audit = _read(tiny, "audit_log")
    assert len(audit) == len(audit_before)  # the refusal wrote no audit row
    rows = audit[audit["layer"] == "drawdowns"]
    assert rows["record_key"].tolist() == ["FA/ZB/1/MA/1"]
    assert rows["action"].tolist() == ["create"] and rows["user_name"].tolist() == ["lokal"]
    assert json.loads(rows["after"].iloc[0])["amount"] == 25_000.0

    # exactly what is left is allowed
    assert main([*good, "--amount", "75.000,50", "--date", "03.08.2025"]) == 0
    capsys.readouterr()
    assert main(["drawdown", "list", "--store", tiny, "--notice", "FA/ZB/1"]) == 0
    out = capsys.readouterr().out
    assert "abgerufen 100.000,50\xa0€, noch abrufbar 0,00\xa0€" in out, out
    assert "01.08.2025" in out and "03.08.2025" in out and not ISO_DATE.search(out)


def test_a_viewer_is_refused_in_german(tiny: str, capsys) -> None:
    code = main([*_notice(tiny, "--bund", "1.000"), "--user", "gast", "--role", "viewer"])
    assert code == 2
    err = capsys.readouterr().err
    assert "Keine Berechtigung" in err and "„gast“ (Rolle „Lesen“)" in err, err
    assert _read(tiny, "grant_notices").empty
    assert main(_notice(tiny, "--bund", "1.000")) == 0
    capsys.readouterr()
    viewer = ["--user", "gast", "--role", "viewer"]
    for args in (
        ["drawdown", "add", "--store", tiny, "--notice", "FA/ZB/1", "--amount", "10",
         "--date", "01.06.2025"],
        ["cost-group", "set", "--store", tiny, "--measure", "M1", "--group", "bau"],
        ["application", "submit", "--store", tiny, "--area", "FA", "--programme-year", "2025"],
        ["revenue", "add", "--store", tiny, "--area", "FA", "--kind", "veraeusserung",
         "--year", "2025", "--planned", "5.000"],
    ):  # fmt: skip
        assert main([*args, *viewer]) == 2, args
        assert "Keine Berechtigung" in capsys.readouterr().err
    assert _read(tiny, "drawdowns").empty and _read(tiny, "grant_applications").empty
    assert _read(tiny, "revenues").empty
    assert _read(tiny, "measures")["cost_group"].isna().all()
    # reading is allowed
    assert main(["notice", "list", "--store", tiny, *viewer]) == 0


def test_a_notice_is_changed_only_at_the_version_read(tiny: str, capsys) -> None:
    assert main(_notice(tiny, "--bund", "60.000", "--land", "40.000")) == 0
    change = ["notice", "set", "--store", tiny, "--id", "FA/ZB/1"]
    assert main([*change, "--version", "1", "--land", "45.000,00", "--measure", "M2"]) == 0
    assert "105.000,00\xa0€" in capsys.readouterr().out
    assert main([*change, "--version", "1", "--land", "1.000"]) == 2
    assert "Konflikt" in capsys.readouterr().err
    stored = _read(tiny, "grant_notices").iloc[0]
    assert stored["amount_land"] == 45_000.0 and stored["version"] == 2
    assert stored["amount_bund"] == 60_000.0  # untouched
    assert _read(tiny, "notice_measures")["measure_id"].tolist() == ["M2"]


# --- deadlines -----------------------------------------------------------------------------


@pytest.fixture
def due(tiny_both: str) -> str:
    """Three notices whose deadlines fall around 01.12.2025."""
    notices = [
        ("AZ 1", "--bund", "50.000", "--drawdown-by", "31.12.2025", "--proof-by", "31.01.2026",
         "--measure", "M1"),
        ("AZ 2", "--bund", "20.000", "--works-start", "01.11.2025", "--measure", "M2"),
        ("AZ 3", "--bund", "10.000", "--drawdown-by", "30.11.2025", "--proof-by", "30.06.2027"),
    ]  # fmt: skip
    for number, *extra in notices:
        assert main(_notice(tiny_both, *extra, number=number)) == 0
    draw = ["--notice", "FA/ZB/1", "--amount", "20.000", "--date", "01.09.2025"]
    assert main(["drawdown", "add", "--store", tiny_both, *draw]) == 0
    return tiny_both


def test_deadlines_list_missed_lapsing_and_upcoming_with_exit_code_3(due: str, capsys) -> None:
    capsys.readouterr()
    assert main(["deadlines", "--store", due, "--at", "01.12.2025"]) == 3
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4, lines
    # by due date: lapsed AZ 3 (30.11.), missed works start AZ 2 (01.11.) comes first
    assert lines[0].startswith("01.11.2025  Baubeginn") and "versäumt" in lines[0]
    assert "„AZ 2“" in lines[0] and "keine der verknüpften Maßnahmen ist begonnen" in lines[0]
    assert lines[1].startswith("30.11.2025  Mittelabruf") and "verfallen" in lines[1]
    assert "„AZ 3“: 10.000,00\xa0€" in lines[1]
    assert lines[2].startswith("31.12.2025  Mittelabruf") and "verfällt bald" in lines[2]
    assert "  FA  " in lines[2] and "„AZ 1“: 30.000,00\xa0€" in lines[2]  # 50.000 − 20.000
    assert "in 30 Tagen" in lines[2]
    assert lines[3].startswith("31.01.2026  Verwendungsnachweis") and "steht bevor" in lines[3]
    assert not any(ISO_DATE.search(x) for x in lines)


def test_deadlines_exit_0_when_nothing_is_missed(due: str, capsys) -> None:
    capsys.readouterr()
    assert main(["deadlines", "--store", due, "--at", "2025-10-15", "--days", "50"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [x[:10] for x in lines] == ["01.11.2025", "30.11.2025"], lines
    assert all("steht bevor" in x or "verfällt bald" in x for x in lines)
    assert main(["deadlines", "--store", due, "--at", "01.06.2025", "--days", "30"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Keine versäumten Fristen und keine Fristen bis 01.07.2025"), out


def test_deadlines_as_csv_and_json(due: str, capsys) -> None:
    capsys.readouterr()
    assert main(["deadlines", "--store", due, "--at", "01.12.2025", "--format", "csv"]) == 3
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out), delimiter=";"))
    assert [r["faellig"] for r in rows] == ["01.11.2025", "30.11.2025", "31.12.2025", "31.01.2026"]
    assert [r["nicht_abgerufen"] for r in rows] == ["", "10000,00", "30000,00", ""]
    assert [r["tage"] for r in rows] == ["-30", "-1", "30", "61"]
    assert main(["deadlines", "--store", due, "--at", "01.12.2025", "--format", "json",
                 "--area", "FA"]) == 3  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert [d["state"] for d in data] == ["missed", "lapsed", "lapsing", "upcoming"]
    assert data[2]["due"] == "2025-12-31" and data[2]["undrawn"] == 30_000.0


def test_deadlines_of_an_unknown_area_are_refused(due: str, capsys) -> None:
    capsys.readouterr()
    assert main(["deadlines", "--store", due, "--area", "XX"]) == 2
    assert "„XX“ gibt es nicht" in capsys.readouterr().err


# --- cost groups, revenues, applications ---------------------------------------------------


def test_a_cost_group_is_set_and_an_unknown_one_refused(tiny: str, capsys) -> None:
    assert main(["cost-group", "set", "--store", tiny, "--measure", "M1", "--group", "bau"]) == 0
    assert "4 Baumaßnahmen" in capsys.readouterr().out
    ms = _read(tiny, "measures").set_index("id")
    assert ms.loc["M1", "cost_group"] == "bau" and ms.loc["M1", "version"] == 2

    code = main(["cost-group", "set", "--store", tiny, "--measure", "M2", "--group", "bauen"])
    assert code == 2
    err = capsys.readouterr().err
    assert "„bauen“" in err and "nicht gespeichert" in err, err
    assert "bau (4 Baumaßnahmen)" in err and "vorbereitung (1 Vorbereitung)" in err, err
    ms = _read(tiny, "measures").set_index("id")
    assert pd.isna(ms.loc["M2", "cost_group"]) and ms.loc["M2", "version"] == 1

    stale = ["cost-group", "set", "--store", tiny, "--measure", "M1", "--group", "ordnung"]
    assert main([*stale, "--version", "1"]) == 2
    assert "Konflikt" in capsys.readouterr().err
    assert _read(tiny, "measures").set_index("id").loc["M1", "cost_group"] == "bau"

    assert main(["cost-group", "list", "--store", tiny, "--area", "FA"]) == 0
    out = capsys.readouterr().out
    bau = next(x for x in out.splitlines() if x.startswith("4 "))
    assert bau.split()[-1] == "1", bau
    assert "Maßnahmen ohne Kostengruppe (1;" in out and "- M2 „Kita Erweiterung“" in out
    assert "ausgleichsbetraege" in out

    # the number or the label of a group is stored as its key
    by_number = ["cost-group", "set", "--store", tiny, "--measure", "M2", "--group", "5"]
    assert main(by_number) == 0
    assert "5 Öffentlicher Raum" in capsys.readouterr().out
    assert _read(tiny, "measures").set_index("id").loc["M2", "cost_group"] == "oeffentlicher_raum"
    assert main(["cost-group", "list", "--store", tiny, "--area", "FA"]) == 0
    assert "Jede Maßnahme hat eine Kostengruppe." in capsys.readouterr().out


def test_a_revenue_kind_must_be_in_the_catalogue(tiny: str, capsys) -> None:
    base = ["revenue", "add", "--store", tiny, "--area", "FA", "--year", "2025"]
    assert main([*base, "--kind", "spende", "--planned", "1.000"]) == 2
    err = capsys.readouterr().err
    assert "„spende“" in err and "ausgleichsbetraege (E1 Ausgleichsbeträge" in err, err
    assert _read(tiny, "revenues").empty
    assert main([*base, "--kind", "ausgleichsbetraege", "--planned", "12.500,75"]) == 0
    capsys.readouterr()
    stored = _read(tiny, "revenues").iloc[0]
    assert stored["planned"] == 12_500.75 and stored["kind"] == "ausgleichsbetraege"
    assert main(["revenue", "list", "--store", tiny, "--area", "FA"]) == 0
    assert "12.500,75\xa0€" in capsys.readouterr().out


def test_an_application_freezes_the_kuf(tiny: str, capsys) -> None:
    args = ["application", "submit", "--store", tiny, "--area", "FA", "--programme-year", "2025"]
    assert main([*args, "--date", "01.03.2025"]) == 0
    out = capsys.readouterr().out
    assert "FA/Antrag/2025" in out and "01.03.2025" in out and "FA/KuF/1" in out, out
    versions = _read(tiny, "kuf_versions")
    apps = _read(tiny, "grant_applications")
    assert versions["id"].tolist() == ["FA/KuF/1"]
    assert apps["kuf_version_id"].tolist() == ["FA/KuF/1"]
    assert pd.Timestamp(apps["submitted"].iloc[0]) == pd.Timestamp("2025-03-01")
    assert main(["application", "list", "--store", tiny, "--area", "FA"]) == 0
    out = capsys.readouterr().out
    assert "FA/Antrag/2025" in out and "01.03.2025" in out and not ISO_DATE.search(out)


def test_deadlines_csv_never_starts_a_field_with_a_formula(tiny: str, capsys) -> None:
    args = _notice(tiny, "--bund", "1.000", "--proof-by", "01.07.2025", number="=HYPERLINK(1)")
    assert main(args) == 0
    capsys.readouterr()
    assert main(["deadlines", "--store", tiny, "--at", "01.06.2025", "--format", "csv"]) == 0
    (row,) = csv.DictReader(io.StringIO(capsys.readouterr().out), delimiter=";")
    assert row["aktenzeichen"] == "'=HYPERLINK(1)", row
    assert row["stand"] == "steht bevor" and row["tage"] == "30"


def test_met_deadlines_are_no_longer_listed(due: str, capsys) -> None:
    # the statement of use of AZ 1 is handed in, the rest of its money drawn down
    mark = ["notice", "set", "--store", due, "--id", "FA/ZB/1", "--version", "1"]
    assert main([*mark, "--proof-submitted", "20.11.2025"]) == 0
    draw = ["--notice", "FA/ZB/1", "--amount", "30.000", "--date", "25.11.2025"]
    assert main(["drawdown", "add", "--store", due, *draw]) == 0
    capsys.readouterr()
    assert main(["deadlines", "--store", due, "--at", "01.12.2025"]) == 3
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all("„AZ 1“" not in x for x in lines), lines
    assert "„AZ 2“" in lines[0] and "„AZ 3“" in lines[1]
