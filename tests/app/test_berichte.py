"""AppTest of the Berichte page: the federal report of the small city on the page, its
downloads, filing (only for roles that may) and the differences after an edit."""

from __future__ import annotations

import doctest
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from openpyxl import load_workbook
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from geo.store import open_store
from monitoring import services
from monitoring.auth import LOCAL_USER, User
from monitoring.reports import filing, generate
from monitoring.reports.layout import grid, value_text
from monitoring.reports.report import Report

YEAR = 2024


@dataclass
class Offered:
    """One download button as the page drew it (recorded by a spy)."""

    label: str
    data: Any
    file_name: str | None
    mime: str | None

    def payload(self) -> bytes:
        out = self.data() if callable(self.data) else self.data
        assert isinstance(out, bytes)
        return out


@pytest.fixture
def offered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Offered]]:
    """Record every download button (label, data, name, MIME) the page draws."""
    seen: list[Offered] = []
    real = DeltaGenerator.download_button

    def spy(self: DeltaGenerator, label: str, data: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(Offered(label, data, kwargs.get("file_name"), kwargs.get("mime")))
        return real(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    main = st.download_button  # bound to the main area, not looked up on the class

    def spy_main(label: str, data: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(Offered(label, data, kwargs.get("file_name"), kwargs.get("mime")))
        return main(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy_main)
    yield seen


def _as(user: User, **query: str) -> AppTest:
    script = (
        "import streamlit as st\nfrom monitoring.auth import User\n"
        f"st.session_state['user'] = User({user.name!r}, {user.role!r})\n"
        "from ui.pages import run\nrun(start='berichte')\n"
    )
    at = AppTest.from_string(script, default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _report(url: str, area: str = "SSZ-01", year: int = YEAR) -> Report:
    return generate.build_report(open_store(url), LOCAL_USER, area, year=year)


def _table_with(at: AppTest, column: str) -> Any:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def _confirm(at: AppTest) -> None:
    """Tick "Ich bestätige …" above the filing button."""
    box = at.checkbox(key="berichte.bestaetigt")
    assert box.label.startswith("Ich bestätige")
    box.check().run()


def test_page_shows_the_report_of_the_chosen_area_and_year(open_page, city_url: str) -> None:
    at = open_page("berichte", gebiet="SSZ-01", jahr=str(YEAR))
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="berichte.gebiet").value == "SSZ-01"
    assert at.selectbox(key="berichte.jahr").value == YEAR
    report = _report(city_url)
    assert [t.label for t in at.tabs] == [p.title for p in report.parts]
    # part C: the grid of measures by field of action, each cell the report's figure
    section = next(s for s in report.part("C").sections if s.code == "C.1")
    g = grid(section)
    table = _table_with(at, section.line_header).set_index(section.line_header)
    assert list(table.index) == list(g.lines)
    cost = g.columns.index("Kostenschätzung (€)")
    for line, cells in zip(g.lines, g.cells):
        row = cells[cost]
        assert row is not None
        assert table.loc[line, "Kostenschätzung (€)"] == value_text(row)
    # school and education in 2024: M-002 and M-022 in Umsetzung, M-014 finished in 2024
    estimates = open_store(city_url).read("measures", where={"id": ["M-002", "M-014", "M-022"]})
    assert table.loc["Schule und Bildung", "Kostenschätzung (€)"] == "490.000"
    assert float(estimates["cost_estimate"].sum()) == 490_000.0
    # part A: a list, a missing value stands with its reason, never as 0
    facts = _table_with(at, "Bezeichnung").set_index("Feld")
    assert facts.loc["A.3", "Wert"] == "Soziale Mitte"
    assert facts.loc["A.5", "Wert"] == "196,00" and facts.loc["A.5", "Einheit"] == "ha"
    assert facts.loc["A.2", "Wert"] == "(nicht gemeldet)"
    # part D: the area's rate against the city's, as in the report
    rows = {r.field: r for _, _, r in report.rows()}
    # field numbers in the catalogue's own numbering (D.2.1), never internal keys
    number = rows["D.2.unemployment_rate.area"].number
    assert number == "D.2.1"
    social = next(
        df.value.set_index("Feld")
        for df in at.dataframe
        if "Feld" in df.value.columns and number in set(df.value["Feld"])
    )
    assert social.loc[number, "Gebiet"] == value_text(rows["D.2.unemployment_rate.area"])
    assert social.loc[number, "Stadt"] == "7,4"
    shown = {str(v) for df in at.dataframe if "Feld" in df.value.columns for v in df.value["Feld"]}
    assert shown and all(re.fullmatch(r"(A|B|C|D|BI)(\.\d+)+", v) for v in shown), shown
    # part B: no money stored in the small city, so every B section says why
    money = next(
        df.value.set_index("Feld")
        for df in at.dataframe
        if "Wert" in df.value.columns and "B.1" in set(df.value["Feld"])
    )
    assert money.loc["B.1", "Wert"] == "(nicht gemeldet)"


def test_default_year_is_the_previous_one_and_the_view_is_in_the_url(open_page) -> None:
    at = open_page("berichte")
    assert at.selectbox(key="berichte.jahr").value == generate.default_year()
    assert at.selectbox(key="berichte.gebiet").value == "SSZ-01"
    assert "jahr" not in at.query_params  # the default stays out of the link
    at.selectbox(key="berichte.gebiet").set_value("WNE-01").run()
    at.selectbox(key="berichte.jahr").set_value(2022).run()
    assert not at.exception
    assert at.query_params["gebiet"] in ("WNE-01", ["WNE-01"])
    assert at.query_params["jahr"] in ("2022", ["2022"])
    facts = _table_with(at, "Bezeichnung").set_index("Feld")
    assert facts.loc["A.3", "Wert"] == "Nordstadt"
    # a link with an unknown area or year opens the default view instead of failing
    at = open_page("berichte", gebiet="GIBT-ES-NICHT", jahr="1800")
    assert at.selectbox(key="berichte.gebiet").value == "SSZ-01"
    assert at.selectbox(key="berichte.jahr").value == generate.default_year()


def test_a_download_per_format_with_the_report_file(
    open_page, city_url: str, offered: list[Offered], monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page("berichte", gebiet="SSZ-01", jahr=str(YEAR))
    buttons = at.get("download_button")
    assert [b.label for b in buttons] == ["Excel", "PDF", "CSV (ZIP je Teil)", "JSON"]
    by_name = {o.file_name: o for o in offered}
    assert set(by_name) == {
        "Monitoringbericht_SSZ-01_2024.xlsx",
        "Monitoringbericht_SSZ-01_2024.pdf",
        "Monitoringbericht_SSZ-01_2024_csv.zip",
        "Monitoringbericht_SSZ-01_2024.json",
    }
    report = _report(city_url)
    workbook = by_name["Monitoringbericht_SSZ-01_2024.xlsx"]
    assert workbook.mime == generate.MIME_TYPES["xlsx"]
    book = load_workbook(io.BytesIO(workbook.payload()))
    assert len(book.sheetnames) >= len(report.parts)
    pdf = by_name["Monitoringbericht_SSZ-01_2024.pdf"].payload()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    with zipfile.ZipFile(
        io.BytesIO(by_name["Monitoringbericht_SSZ-01_2024_csv.zip"].payload())
    ) as z:
        assert sorted(z.namelist()) == sorted(f"SSZ-01_2024_teil_{p.key}.csv" for p in report.parts)
        part_c = z.read("SSZ-01_2024_teil_C.csv").decode("utf-8")
    assert "C.1.ss_schule_bildung.kosten" in part_c and ";490000;" in part_c
    shown = json.loads(by_name["Monitoringbericht_SSZ-01_2024.json"].payload())
    assert shown["area_id"] == "SSZ-01" and shown["year"] == YEAR
    assert shown["fingerprint"] == report.fingerprint
    # the files are made once: a rerun and a second click neither rebuild nor re-render
    calls: list[str] = []

    def counted(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(filing, "compare_with_filed", counted("build", filing.compare_with_filed))
    monkeypatch.setattr(generate, "render", counted("render", generate.render))
    at.run()
    assert not at.exception
    assert by_name["Monitoringbericht_SSZ-01_2024.pdf"].payload() == pdf
    assert calls == []


def test_viewer_sees_the_report_but_no_file_button(city_url: str) -> None:
    at = _as(User("gast", "viewer"), gebiet="SSZ-01", jahr=str(YEAR))
    assert not at.error
    assert not [b for b in at.button if "einreichen" in b.label]
    assert any("darf Berichte nicht einreichen" in c.value for c in at.caption)
    assert len(at.get("download_button")) == 4
    assert _table_with(at, "Bezeichnung").set_index("Feld").loc["A.3", "Wert"] == "Soziale Mitte"
    editor = _as(User("ben", "editor"), gebiet="SSZ-01", jahr=str(YEAR))
    assert [b.label for b in editor.button if "einreichen" in b.label] == [
        f"Bericht {YEAR} einreichen"
    ]


def _plain(markdown: str) -> str:
    """Text shown from Markdown that escapes data (ui.common.md)."""
    return markdown.replace("\\", "")


def _json_values(payload: bytes) -> dict[str, Any]:
    data = json.loads(payload)
    return {r["field"]: r["value"] for p in data["parts"] for s in p["sections"] for r in s["rows"]}


def test_filing_then_an_edit_shows_what_changed(
    open_page, city_url: str, offered: list[Offered]
) -> None:
    at = open_page("berichte", gebiet="SSZ-01", jahr=str(YEAR))
    assert any("noch kein Bericht eingereicht" in i.value for i in at.info)
    _confirm(at)
    _button(at, f"Bericht {YEAR} einreichen").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Eingereicht als SSZ-01/2024/1" in _plain(s.value) for s in at.success)
    listed = _table_with(at, "Fingerabdruck")
    assert listed["Bericht"].tolist() == ["SSZ-01/2024/1"] and listed["von"].tolist() == ["lokal"]
    assert any("Keine Änderungen" in s.value for s in at.success)
    # someone edits a measure that counts in 2024 (M-007: in Umsetzung 2023–2025)
    store = open_store(city_url)
    measure = store.read("measures", where={"id": "M-007"}).iloc[0]
    services.save(
        store,
        User("ben", "editor"),
        "measures",
        {"cost_estimate": float(measure["cost_estimate"]) + 10_000.0},
        key={"id": "M-007"},
        expected_version=int(measure["version"]),
    )
    _button(at, "Neu berechnen").click().run()
    assert not at.exception and not at.error
    assert any("Maßnahmen" in w.value for w in at.warning)  # the changed input
    changes = _table_with(at, "eingereicht").set_index("Feld")
    _, diff = filing.compare_with_filed(store, LOCAL_USER, "SSZ-01", year=YEAR)
    assert diff is not None and diff.changes
    assert list(changes.index) == [c.number for c in diff.changes]
    field = "C.1.ss_wohnen_wohnumfeld.kosten"  # M-007 is odd: Wohnen und Wohnumfeld
    change = {c.field: c for c in diff.changes}[field]
    assert change.after == pytest.approx(float(change.before) + 10_000.0)  # type: ignore[arg-type]
    assert re.fullmatch(r"C\.1\.\d+", change.number)
    mine = changes[changes["Bezeichnung"] == change.label]
    assert mine["eingereicht"].tolist() == ["535.000"] and mine["jetzt"].tolist() == ["545.000"]
    # the filed report itself is frozen, and its filed version is offered as it was
    assert filing.load_filed(store, LOCAL_USER, "SSZ-01/2024/1").report.values()[field] == 535_000.0
    frozen = [
        o for o in offered if o.file_name == "Monitoringbericht_SSZ-01_2024_eingereicht_1.json"
    ]
    now = [o for o in offered if o.file_name == "Monitoringbericht_SSZ-01_2024.json"]
    assert _json_values(frozen[-1].payload())[field] == 535_000.0
    assert _json_values(now[-1].payload())[field] == 545_000.0
    # filing again is a correction; a third time with the same data the service refuses
    _confirm(at)
    _button(at, f"Bericht {YEAR} einreichen").click().run()
    assert any("Eingereicht als SSZ-01/2024/2" in _plain(s.value) for s in at.success)
    assert _table_with(at, "Fingerabdruck")["Bericht"].tolist() == [
        "SSZ-01/2024/2",
        "SSZ-01/2024/1",
    ]
    listed = _table_with(at, "Fingerabdruck")["eingereicht am"].tolist()
    assert all(re.fullmatch(r"\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} Uhr", t) for t in listed)
    _confirm(at)
    _button(at, f"Bericht {YEAR} einreichen").click().run()
    assert not at.exception
    assert any("Nicht eingereicht" in e.value for e in at.error)
    assert len(filing.filed_reports(store, LOCAL_USER, area_id="SSZ-01")) == 2


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_all_areas_as_one_zip_with_progress(open_page, offered: list[Offered], fmt: str) -> None:
    at = open_page("berichte", gebiet="alle", jahr=str(YEAR))
    assert not at.get("download_button")  # nothing made before the click
    at.selectbox(key="berichte.format").set_value(fmt).run()
    _button(at, "Berichte erzeugen").click().run()
    assert not at.exception and not at.error
    assert at.get("progress"), "the batch shows its progress"
    zipped = [o for o in offered if o.file_name == f"Monitoringberichte_{YEAR}_{fmt}.zip"]
    assert zipped and zipped[-1].mime == "application/zip"
    with zipfile.ZipFile(io.BytesIO(zipped[-1].payload())) as z:
        names = sorted(z.namelist())
    if fmt == "xlsx":
        assert names == [f"Monitoringbericht_{a}_{YEAR}.xlsx" for a in ("SSZ-01", "WNE-01")]
    else:
        assert len(names) == 2 * 5 and all(n.endswith(".csv") for n in names)
        assert "WNE-01_2024_teil_BI.csv" in names
    # the ZIP stays offered on the next run without making it again
    at.run()
    assert any(
        b.label.startswith(f"Monitoringberichte_{YEAR}_{fmt}.zip")
        for b in at.get("download_button")
    )


def test_pure_helpers_doctests() -> None:
    import ui.berichte

    result = doctest.testmod(ui.berichte, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 6 and result.failed == 0


LAND = """
remove = ["B.4"]

[catalogue]
name = "Land NRW – Musterkatalog"
version = "2025-NRW"

[[field]]
part = "A"
code = "A.1"
label = "Programm (Land)"
source = "area.programme"
"""


def test_a_land_catalogue_from_the_environment_shapes_the_page(
    open_page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    land = tmp_path / "nrw.toml"
    land.write_text(LAND, encoding="utf-8")
    monkeypatch.setenv("QMON_CATALOGUE", str(land))
    at = open_page("berichte", gebiet="SSZ-01", jahr=str(YEAR))
    facts = _table_with(at, "Bezeichnung").set_index("Feld")
    assert facts.loc["A.1", "Bezeichnung"] == "Programm (Land)"
    assert any("Land NRW" in c.value for c in at.caption)
    assert not any("B.4" in str(df.value.to_dict()) for df in at.dataframe)
    # a broken file is named in a message, not a traceback
    monkeypatch.setenv("QMON_CATALOGUE", str(tmp_path / "fehlt.toml"))
    at = open_page("berichte", gebiet="SSZ-01", jahr=str(YEAR))
    assert any("fehlt.toml" in e.value and "existiert nicht" in e.value for e in at.error)


def test_a_store_without_funding_areas_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitoring.defaults import seed_defaults

    path = tmp_path / "leer.gpkg"
    store = open_store(str(path))
    store.init(crs="EPSG:25832")
    seed_defaults(store, user="test")
    monkeypatch.setenv("QMON_STORE", str(path))
    at = _as(LOCAL_USER)
    assert not at.error
    assert any("noch keine Gesamtmaßnahmen" in i.value for i in at.info)


def test_filed_versions_follow_the_chosen_area(open_page, city_url: str) -> None:
    store = open_store(city_url)
    for area in ("SSZ-01", "WNE-01"):
        filing.file_report(store, LOCAL_USER, area, year=YEAR)
    at = open_page("berichte", gebiet="SSZ-01", jahr=str(YEAR))
    assert at.selectbox(key="berichte.fassung").value == "SSZ-01/2024/1"
    at.selectbox(key="berichte.gebiet").set_value("WNE-01").run()
    assert not at.exception
    assert at.selectbox(key="berichte.fassung").options == ["WNE-01/2024/1"]
    assert at.selectbox(key="berichte.fassung").value == "WNE-01/2024/1"
    # every year's filed reports are listed; the comparison is with the chosen year's
    at.selectbox(key="berichte.jahr").set_value(2023).run()
    assert _table_with(at, "Fingerabdruck")["Jahr"].tolist() == [2024]
    assert any("Für 2023 ist noch kein Bericht eingereicht" in i.value for i in at.info)


def test_filing_without_confirmation_is_refused(open_page, city_url: str) -> None:
    at = open_page("berichte", gebiet="SSZ-01", jahr=str(YEAR))
    assert at.checkbox(key="berichte.bestaetigt").value is False
    _button(at, f"Bericht {YEAR} einreichen").click().run()
    assert not at.exception
    assert any("Nicht eingereicht" in e.value and "bestätigen" in e.value for e in at.error)
    assert filing.filed_reports(open_store(city_url), LOCAL_USER).empty
    # confirmed, it is filed; the confirmation does not carry over to the next filing
    _confirm(at)
    _button(at, f"Bericht {YEAR} einreichen").click().run()
    assert any("Eingereicht als SSZ-01/2024/1" in _plain(s.value) for s in at.success)
    assert at.checkbox(key="berichte.bestaetigt").value is False


def test_a_year_before_admission_is_warned_on_the_page(open_page, city_url: str) -> None:
    start = int(open_store(city_url).read("funding_areas", where={"id": "WNE-01"})["start_year"][0])
    at = open_page("berichte", gebiet="WNE-01", jahr=str(start - 1))
    assert at.selectbox(key="berichte.jahr").value == start - 1
    assert any(f"vor dem Aufnahmejahr {start}" in _plain(w.value) for w in at.warning), [
        w.value for w in at.warning
    ]
    at = open_page("berichte", gebiet="WNE-01", jahr=str(start))
    assert not any("Aufnahmejahr" in _plain(w.value) for w in at.warning)


def test_editor_sets_the_sender_block_on_the_page(city_url: str) -> None:
    viewer = _as(User("gast", "viewer"), gebiet="SSZ-01", jahr=str(YEAR))
    assert not [b for b in viewer.button if b.label == "Absender speichern"]
    at = _as(User("ben", "editor"), gebiet="SSZ-01", jahr=str(YEAR))
    assert any("noch kein Absender" in i.value for i in at.info)
    at.text_input(key="berichte.absender.municipality").input("Stadt Musterstadt")
    at.text_input(key="berichte.absender.office").input("Amt für Stadterneuerung")
    at.text_input(key="berichte.absender.phone").input("0123 456-789")
    at.text_input(key="berichte.absender.email").input("stadterneuerung@musterstadt.de")
    _button(at, "Absender speichern").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Absender gespeichert" in s.value for s in at.success)
    store = open_store(city_url)
    from monitoring.reports.sender import read_sender

    assert read_sender(store)["office"] == "Amt für Stadterneuerung"
    assert len(store.read("audit_log", where={"layer": "report_sender"})) == 1
    assert _report(city_url).sender["municipality"] == "Stadt Musterstadt"
    # a bad e-mail address is refused with a German message, nothing changes
    at.text_input(key="berichte.absender.email").input("kein-at")
    _button(at, "Absender speichern").click().run()
    assert any("keine E-Mail-Adresse" in _plain(e.value) for e in at.error)
    assert read_sender(store)["email"] == "stadterneuerung@musterstadt.de"
