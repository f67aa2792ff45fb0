"""The Förderung page: renders for every Gesamtmaßnahme, records notices, drawdowns and
revenues through its forms (German amounts), refuses an over-large drawdown, and shows a
viewer no writing control."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.store import open_store
from monitoring.auth import LOCAL_USER
from monitoring.grants import service
from tests.app.conftest import run_page

WRITE_LABELS = {
    "KuF festschreiben",
    "Kostengruppen speichern",
    "Einnahme hinzufügen",
    "Einnahme speichern",
    "Einnahme löschen",
    "Förderantrag stellen",
    "Bescheid anlegen",
    "Bescheid speichern",
    "Mittelabruf erfassen",
}


def _field(at: AppTest, kind: str, label: str) -> Any:
    found = [w for w in getattr(at, kind) if w.label == label]
    assert found, f"kein Feld „{label}“"
    return found[-1]


def _press(at: AppTest, label: str) -> AppTest:
    found = [b for b in at.button if b.label == label]
    assert found, f"kein Knopf „{label}“: {[b.label for b in at.button]}"
    found[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _read(url: str, layer: str, **where: Any) -> pd.DataFrame:
    with open_store(url) as store:
        return store.read(layer, where=where or None)


def _new_notice(at: AppTest, file_number: str, bund: str, land: str) -> AppTest:
    _field(at, "text_input", "Aktenzeichen").input(file_number)
    _field(at, "date_input", "Bescheid vom").set_value(dt.date(2025, 5, 12))
    _field(at, "text_input", "Programmjahr").input("2025")
    _field(at, "text_input", "Bundesmittel (€)").input(bund)
    _field(at, "text_input", "Landesmittel (€)").input(land)
    _field(at, "date_input", "Mittel abzurufen bis").set_value(dt.date(2027, 12, 31))
    return _press(at, "Bescheid anlegen")


@pytest.mark.parametrize("area", ["SSZ-01", "WNE-01"])
def test_the_page_renders_for_each_area(city_url: str, area: str) -> None:
    at = run_page("foerderung", {"gebiet": area})
    assert at.title[0].value == "Förderung"
    assert at.selectbox(key="foerderung.gebiet").value == area
    assert any("Kostengruppen-Katalog" in m.value for m in at.markdown)
    assert [t.label for t in at.tabs][:3] == ["KuF", "Kostengruppen", "Einnahmen"]
    assert not at.error


def test_a_notice_and_a_drawdown_are_recorded_through_the_forms(city_url: str) -> None:
    at = run_page("foerderung", {"gebiet": "SSZ-01"})
    _new_notice(at, "ZB 2025/17", "120.000,50", "60.000")
    stored = _read(city_url, "grant_notices", funding_area_id="SSZ-01")
    assert stored["file_number"].tolist() == ["ZB 2025/17"]
    notice = stored.iloc[0]
    assert notice["amount_bund"] == 120000.5  # typed 120.000,50: never ×100
    assert notice["amount_land"] == 60000.0
    assert pd.Timestamp(notice["notice_date"]).date() == dt.date(2025, 5, 12)
    nid = str(notice["id"])
    assert at.selectbox(key="foerderung.bescheid").value == nid  # the new notice is chosen
    assert at.query_params["bescheid"] in (nid, [nid])
    assert any("Zuwendungsbescheid „ZB 2025/17“ gespeichert" in s.value for s in at.success)

    _field(at, "text_input", "Betrag (€)").input("50.000,25")
    _field(at, "text_input", "Verwendungszweck").input("Abschlag Platzgestaltung")
    _press(at, "Mittelabruf erfassen")
    draws = _read(city_url, "drawdowns", notice_id=nid)
    assert draws["amount"].tolist() == [50000.25]
    assert draws["purpose"].tolist() == ["Abschlag Platzgestaltung"]
    left = 120000.5 + 60000.0 - 50000.25
    shown = " ".join(m.value for m in at.markdown)
    assert "130.000,25\xa0€" in shown and round(left, 2) == 130000.25


def test_an_over_large_drawdown_is_refused_in_german_and_stores_nothing(city_url: str) -> None:
    at = run_page("foerderung", {"gebiet": "SSZ-01"})
    _new_notice(at, "ZB 2025/18", "10.000", "5.000")
    nid = str(_read(city_url, "grant_notices", funding_area_id="SSZ-01").iloc[0]["id"])
    _field(at, "text_input", "Betrag (€)").input("15.000,01")
    _press(at, "Mittelabruf erfassen")
    assert _read(city_url, "drawdowns", notice_id=nid).empty
    errors = " ".join(e.value for e in at.error).replace("\\", "")  # shown as literal markdown
    assert errors.startswith("Nicht gespeichert"), errors
    assert "15.000,01" in errors and "ZB 2025/18" in errors, errors


def test_a_revenue_typed_the_german_way_is_stored_exactly(city_url: str) -> None:
    at = run_page("foerderung", {"gebiet": "WNE-01"})
    _field(at, "text_input", "Jahr").input("2026")
    _field(at, "text_input", "geplant (€)").input("120.000,50")
    _field(at, "text_input", "Erläuterung").input("Ausgleichsbeträge Block 4")
    _press(at, "Einnahme hinzufügen")
    stored = _read(city_url, "revenues", funding_area_id="WNE-01")
    assert stored["planned"].tolist() == [120000.5]
    assert stored["year"].astype(int).tolist() == [2026]
    assert not at.error


def test_a_viewer_sees_everything_but_no_writing_control(
    city_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store(city_url) as store:
        nid = service.next_notice_id(store, "SSZ-01")
        service.save_notice(
            store,
            LOCAL_USER,
            {
                "id": nid,
                "funding_area_id": "SSZ-01",
                "file_number": "ZB 2024/3",
                "notice_date": pd.Timestamp("2024-06-01"),
                "programme_year": 2024,
                "amount_bund": 40000.0,
                "amount_land": 20000.0,
            },
        )
        service.add_drawdown(store, LOCAL_USER, nid, amount=1000.0, requested=dt.date(2024, 7, 1))
    monkeypatch.delenv("QMON_LOCAL_ADMIN")
    at = run_page("foerderung", {"gebiet": "SSZ-01", "bescheid": nid})
    labels = {b.label for b in at.button}
    assert not labels & WRITE_LABELS, labels & WRITE_LABELS
    assert not [t for t in at.text_input if t.label in ("Aktenzeichen", "Betrag (€)")]
    assert any("nur lesend" in i.value for i in at.info)
    tables = [d.value for d in at.dataframe]
    assert any("ZB 2024/3" in t.get("Aktenzeichen", pd.Series(dtype=str)).tolist() for t in tables)
    assert any("1.000,00\xa0€" in t.get("Betrag", pd.Series(dtype=str)).tolist() for t in tables)


def _lines(url: str) -> None:
    """Funding lines of two SSZ-01 measures, one of them without cost group."""
    from monitoring import services

    with open_store(url) as store:
        for ident, mid, source, year, planned, paid in (
            ("FL-1", "M-001", "Bund", 2024, 100_000.5, 10_000.0),
            ("FL-2", "M-001", "Gemeinde", 2025, 50_000.0, 0.0),
            ("FL-3", "M-002", "Land", 2025, 20_000.25, 0.0),
        ):
            services.save_funding_line(
                store,
                LOCAL_USER,
                {"id": ident, "measure_id": mid, "source": source, "programme_year": year,
                 "planned": planned, "approved": planned, "paid": paid},
            )  # fmt: skip
        m = store.read("measures", where={"id": "M-001"}).iloc[0]
        services.save(
            store, LOCAL_USER, "measures", {"cost_group": "oeffentlicher_raum"},
            key={"id": "M-001"}, expected_version=int(m["version"]),
        )  # fmt: skip


def test_the_kuf_tab_shows_the_funding_lines_sums(city_url: str) -> None:
    _lines(city_url)
    at = run_page("foerderung", {"gebiet": "SSZ-01"})
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Kosten geplant"] == "170.000,75\xa0€"  # 100.000,50 + 50.000 + 20.000,25
    assert metrics["Kosten ausgezahlt"] == "10.000,00\xa0€"
    costs = next(d.value for d in at.dataframe if "Kostengruppe" in d.value.columns)
    total = costs[costs["Kostengruppe"] == "Summe"].iloc[0]
    assert (total["2024"], total["2025"], total["Summe"]) == (
        "100.000,50\xa0€", "70.000,25\xa0€", "170.000,75\xa0€",
    )  # fmt: skip
    assert "ohne Kostengruppe" in costs["Kostengruppe"].tolist()  # M-002 has none
    without = next(
        d.value for d in at.dataframe if list(d.value.columns)[:2] == ["Maßnahme", "Titel"]
    )
    assert without["Maßnahme"].tolist() == ["M-002"]
    assert any("ohne Kostengruppe" in w.value for w in at.warning)
    at.radio(key="foerderung.kuf.betrag").set_value("paid").run()
    costs = next(d.value for d in at.dataframe if "Kostengruppe" in d.value.columns)
    assert costs[costs["Kostengruppe"] == "Summe"].iloc[0]["Summe"] == "10.000,00\xa0€"


def test_cost_groups_are_saved_and_a_conflict_is_named_in_german(city_url: str) -> None:
    from monitoring import services
    from monitoring.auth import User
    from ui.foerderung_kuf import save_cost_groups

    with open_store(city_url) as store:
        seen = store.read("measures", where={"id": ["M-001", "M-002"]}).set_index("id")["version"]
        services.save(  # a colleague changes M-002 in between
            store, User("carla", "editor"), "measures", {"title": "Platz am Markt"},
            key={"id": "M-002"}, expected_version=int(seen["M-002"]),
        )  # fmt: skip
        stored, problems = save_cost_groups(
            store,
            LOCAL_USER,
            [("M-001", "vorbereitung", int(seen["M-001"])), ("M-002", "bau", int(seen["M-002"]))],
        )
        groups = store.read("measures", where={"id": ["M-001", "M-002"]}).set_index("id")
    assert stored == ["M-001"]
    assert groups.loc["M-001", "cost_group"] == "vorbereitung"
    assert groups.loc["M-002", "cost_group"] is None or pd.isna(groups.loc["M-002", "cost_group"])
    assert len(problems) == 1 and "Die Maßnahme „M-002“" in problems[0]
    assert "carla" in problems[0], problems[0]


def test_an_edited_notice_and_its_deadlines(city_url: str) -> None:
    at = run_page("foerderung", {"gebiet": "SSZ-01"})
    _new_notice(at, "ZB 2023/9", "30.000", "10.000")  # Abruf bis 31.12.2027
    nid = str(_read(city_url, "grant_notices", funding_area_id="SSZ-01").iloc[0]["id"])
    _field(at, "text_input", "Landesmittel (€)").input("12.345,67")
    _field(at, "date_input", "Mittel abzurufen bis").set_value(dt.date(2025, 12, 31))
    _press(at, "Bescheid speichern")
    notice = _read(city_url, "grant_notices", id=nid).iloc[0]
    assert notice["amount_land"] == 12345.67 and notice["amount_bund"] == 30000.0
    assert int(notice["version"]) == 2
    # the money was not drawn by the deadline: red in the tab, a warning on top
    assert any("Fristen:" in w.value and "verfallen" in w.value for w in at.warning)
    red = " ".join(e.value for e in at.error).replace("\\", "")
    assert "Mittelabruf: verfallen" in red and "42.345,67" in red, red
    at.date_input(key="foerderung.dokumente.stand").set_value(dt.date(2025, 11, 1)).run()
    orange = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "Mittelabruf: verfällt bald" in orange, orange
    assert "verfallen" not in " ".join(e.value for e in at.error)


def test_freezing_the_kuf_and_an_application_through_the_forms(city_url: str) -> None:
    _lines(city_url)
    at = run_page("foerderung", {"gebiet": "SSZ-01"})
    _field(at, "text_input", "Anlass").input("Stadtratsvorlage")
    _press(at, "KuF festschreiben")
    versions = _read(city_url, "kuf_versions", funding_area_id="SSZ-01")
    assert versions["purpose"].tolist() == ["Stadtratsvorlage"]
    shown = next(d.value for d in at.dataframe if "Fassung" in d.value.columns)
    assert shown["aktuell"].tolist() == ["ja"]
    at.text_input(key="foerderung.dokumente.neu.SSZ-01.0.jahr").input("2026")
    _press(at, "Förderantrag stellen")
    apps = _read(city_url, "grant_applications", funding_area_id="SSZ-01")
    assert apps["programme_year"].astype(int).tolist() == [2026]
    # nothing changed since the freeze: the application is based on the same version
    assert apps["kuf_version_id"].tolist() == versions["id"].tolist()
    assert len(_read(city_url, "kuf_versions", funding_area_id="SSZ-01")) == 1
    assert any(b.label == "Anlage (Excel)" for b in at.get("download_button"))


def test_a_revenue_is_changed_and_deleted(city_url: str) -> None:
    at = run_page("foerderung", {"gebiet": "SSZ-01"})
    _field(at, "text_input", "Jahr").input("2025")
    _field(at, "text_input", "geplant (€)").input("1.000")
    _press(at, "Einnahme hinzufügen")
    rid = str(_read(city_url, "revenues", funding_area_id="SSZ-01").iloc[0]["id"])
    at.selectbox(key="foerderung.einnahmen.wahl.SSZ-01").set_value(rid).run()
    _field(at, "text_input", "eingegangen (€)").input("999,99")
    _press(at, "Einnahme speichern")
    assert _read(city_url, "revenues", id=rid)["actual"].tolist() == [999.99]
    at.selectbox(key="foerderung.einnahmen.wahl.SSZ-01").set_value(rid).run()
    _press(at, "Einnahme löschen")
    assert _read(city_url, "revenues", funding_area_id="SSZ-01").empty


def test_the_downloads_make_real_files(city_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's download functions, once monitoring.grants.documents has landed."""
    import io
    import zipfile

    pytest.importorskip("monitoring.grants.documents")
    pytest.importorskip("monitoring.grants.sachbericht")
    from openpyxl import load_workbook

    from ui import foerderung_dokumente as files

    _lines(city_url)
    with open_store(city_url) as store:
        saved = service.submit_application(store, LOCAL_USER, "SSZ-01", programme_year=2025)
        nid = service.next_notice_id(store, "SSZ-01")
        service.save_notice(
            store,
            LOCAL_USER,
            {"id": nid, "funding_area_id": "SSZ-01", "file_number": "ZB 2025/1",
             "notice_date": pd.Timestamp("2025-03-01"), "programme_year": 2025,
             "amount_bund": 100_000.5, "amount_land": 20_000.25},
            measure_ids=["M-001", "M-002"],
        )  # fmt: skip
        service.add_drawdown(store, LOCAL_USER, nid, amount=5000.0, requested=dt.date(2025, 4, 1))
    monkeypatch.setattr(files.data, "store", lambda url: open_store(url))
    app_id = str(saved.record["id"])
    for made in (
        files.kuf_xlsx(city_url, LOCAL_USER, "SSZ-01"),
        files.annex_xlsx(city_url, LOCAL_USER, app_id),
        files.statement_xlsx(city_url, LOCAL_USER, "SSZ-01", 2025, False),
    ):
        book = load_workbook(io.BytesIO(made))
        texts = [str(c.value) for s in book for row in s.iter_rows() for c in row if c.value]
        assert texts, "leere Arbeitsmappe"
    csv = files.kuf_csv_file(city_url, LOCAL_USER, "SSZ-01").decode("utf-8-sig")
    assert "2024" in csv and "2025" in csv
    docx = files.sachbericht_file(city_url, LOCAL_USER, "SSZ-01", 2025)
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        assert "ZB 2025/1" in archive.read("word/document.xml").decode("utf-8")
