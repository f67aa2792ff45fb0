"""AppTest of the Maßnahmen page: German amounts, confirmation, funding lines, attachments,
archive and delete, roles. Drawing needs a browser (tests/browser/test_planner.py)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from geo.store import open_store
from monitoring import editing
from monitoring.auth import User


def _errors(at: AppTest) -> list[str]:
    return [e.value.replace("\\", "") for e in at.error]  # shown as escaped Markdown


def _button(at: AppTest, label: str):  # noqa: ANN202 - AppTest's widget type
    return next(b for b in at.button if b.label == label)


def _text(at: AppTest, label: str):  # noqa: ANN202
    return next(t for t in at.text_input if t.label == label)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 20)).save(buffer, format="PNG")
    return buffer.getvalue()


def _measure(url: str, ident: str = "M-005") -> dict[str, object]:
    frame = open_store(url).read("measures", where={"id": ident})
    return editing.row_dict(frame) if len(frame) else {}


def test_costs_are_read_the_german_way(open_page: Callable[..., AppTest], city_url: str) -> None:
    at = open_page("massnahmen", auswahl="M-005")
    assert _text(at, "Kostenschätzung (€)").value == "125.000"
    _text(at, "Kostenschätzung (€)").set_value("123456,78")
    _button(at, "Speichern").click().run()
    assert not _errors(at), _errors(at)
    assert _measure(city_url)["cost_estimate"] == pytest.approx(123_456.78)
    assert any("Gespeichert" in s.value for s in at.success)
    _text(at, "Kostenschätzung (€)").set_value("1.5")
    _button(at, "Speichern").click().run()
    assert any("„1.5“" in e and "Nicht gespeichert" in e for e in _errors(at)), _errors(at)
    assert _measure(city_url)["version"] == 2


def test_the_cost_group_is_chosen_from_the_lands_groups(
    open_page: Callable[..., AppTest], city_url: str
) -> None:
    at = open_page("massnahmen", auswahl="M-005")
    box = next(s for s in at.selectbox if s.label == "Kostengruppe (KuF)")
    assert box.value is None and "5 Öffentlicher Raum" in box.options
    box.set_value("oeffentlicher_raum")
    _button(at, "Speichern").click().run()
    assert not _errors(at), _errors(at)
    assert _measure(city_url)["cost_group"] == "oeffentlicher_raum"
    assert any("Kostengruppe" in s.value for s in at.success), [s.value for s in at.success]


def test_a_tenfold_amount_asks_before_it_is_saved(
    open_page: Callable[..., AppTest], city_url: str
) -> None:
    at = open_page("massnahmen", auswahl="M-005")
    _text(at, "Kostenschätzung (€)").set_value("12.500.000")
    _button(at, "Speichern").click().run()
    assert _measure(city_url)["cost_estimate"] == 125_000.0  # not saved yet
    assert any("Zehnfache" in w.value for w in at.warning), [w.value for w in at.warning]
    box = next(c for c in at.checkbox if c.label == "Trotzdem speichern")
    box.check()
    _button(at, "Speichern").click().run()
    assert not _errors(at), _errors(at)
    assert _measure(city_url)["cost_estimate"] == 12_500_000.0


def test_end_before_start_is_refused_in_the_form(
    open_page: Callable[..., AppTest], city_url: str
) -> None:
    import datetime as dt

    at = open_page("massnahmen", auswahl="M-005")
    next(d for d in at.date_input if d.label == "Ende").set_value(dt.date(2020, 1, 1))
    _button(at, "Speichern").click().run()
    assert any("Nicht gespeichert" in e for e in _errors(at))
    assert _measure(city_url)["end_date"] == "2023-10-31"


def test_two_funding_lines_typed_with_decimal_commas(
    open_page: Callable[..., AppTest], city_url: str
) -> None:
    at = open_page("massnahmen", auswahl="M-005")
    for source, year, planned, approved in (
        ("Bund", "2024", "123.456,78", "100000"),
        ("Land", "2025", "98765,4", ""),
    ):
        next(s for s in at.selectbox if s.label == "Mittelgeber").set_value(source)
        _text(at, "Programmjahr").set_value(year)
        _text(at, "geplant (€)").set_value(planned)
        _text(at, "bewilligt (€)").set_value(approved)
        _button(at, "Finanzierung hinzufügen").click().run()
        assert not _errors(at), _errors(at)
    lines = open_store(city_url).read("funding_lines", where={"measure_id": "M-005"})
    assert sorted(lines["planned"].tolist()) == [pytest.approx(98_765.4), pytest.approx(123_456.78)]
    assert sorted(lines["source"]) == ["Bund", "Land"]
    table = next(df.value for df in at.dataframe if "Mittelgeber" in df.value.columns)
    assert "123.456,78\xa0€" in table["geplant"].tolist()
    assert table["geplant"].iloc[-1] == "222.222,18\xa0€"  # the sum row
    # a typo with a dot as decimal point is refused with the German hint
    _text(at, "Programmjahr").set_value("2026")
    _text(at, "geplant (€)").set_value("1.5")
    _button(at, "Finanzierung hinzufügen").click().run()
    assert any("„1.5“" in e for e in _errors(at)), _errors(at)
    assert len(open_store(city_url).read("funding_lines", where={"measure_id": "M-005"})) == 2


def test_a_photo_is_attached_shown_and_a_fake_refused(
    open_page: Callable[..., AppTest], city_url: str
) -> None:
    at = open_page("massnahmen", auswahl="M-005")
    uploader = at.file_uploader[0]
    uploader.set_value(("vorher.png", _png(), "image/png"))
    next(s for s in at.selectbox if s.label == "Art").set_value("photo_before")
    _button(at, "Anhang hochladen").click().run()
    assert not _errors(at), _errors(at)
    stored = open_store(city_url).read("attachments")
    assert stored["filename"].tolist() == ["vorher.png"]
    assert stored["media_type"].tolist() == ["image/png"]
    images = at.get("image")
    assert len(images) == 1 and images[0].captions == ["Foto vorher: vorher.png"]
    assert any(b.label == "Herunterladen" for b in at.get("download_button"))
    at.file_uploader[0].set_value(("foto.jpg", b"MZ\x90\x00 kein Bild", "image/jpeg"))
    _button(at, "Anhang hochladen").click().run()
    assert any("nicht angehängt" in e and "Inhalt" in e for e in _errors(at)), _errors(at)
    assert len(open_store(city_url).read("attachments")) == 1


def test_archive_hides_the_measure_and_delete_needs_a_reason(
    open_page: Callable[..., AppTest], city_url: str
) -> None:
    at = open_page("massnahmen", auswahl="M-005")
    _text(at, "Grund (wird im Änderungsprotokoll festgehalten)").set_value("doppelt")
    _button(at, "Archivieren").click().run()
    assert not _errors(at), _errors(at)
    assert _measure(city_url)["archived"] is True
    assert len(at.dataframe[0].value) == 23
    at.toggle(key="massnahmen.archivierte").set_value(True).run()
    assert len(at.dataframe[0].value) == 24
    next(c for c in at.checkbox if c.label.startswith("Endgültig löschen")).check().run()
    _text(at, "Grund (wird im Änderungsprotokoll festgehalten)").set_value("")
    _button(at, "Löschen").click().run()
    assert any("reason" in e or "Grund" in e for e in _errors(at)), _errors(at)
    _text(at, "Grund (wird im Änderungsprotokoll festgehalten)").set_value("falsch erfasst")
    _button(at, "Löschen").click().run()
    assert not _errors(at), _errors(at)
    assert _measure(city_url) == {}
    log = open_store(city_url).read("audit_log")
    assert log.loc[log["action"] == "delete", "reason"].tolist() == ["falsch erfasst"]


def test_new_measure_needs_a_drawn_place(open_page: Callable[..., AppTest], city_url: str) -> None:
    at = open_page("massnahmen")
    _button(at, "Neue Maßnahme anlegen").click().run()
    assert _text(at, "Kennung").value == "M-024"  # after M-023, in its width
    _text(at, "Titel").set_value("Neuer Platz")
    _button(at, "Maßnahme anlegen").click().run()
    assert any("Zeichnen Sie die Maßnahme auf der Karte" in e for e in _errors(at)), _errors(at)
    assert _measure(city_url, "M-024") == {}


def test_conflict_is_shown_in_german(open_page: Callable[..., AppTest], city_url: str) -> None:
    at = open_page("massnahmen", auswahl="M-006")
    editing.update(
        open_store(city_url),
        User("kollegin", "editor"),
        "measures",
        {"id": "M-006"},
        {"title": "Von Kollegin geändert"},
        expected_version=1,
    )
    _text(at, "Titel").set_value("Meine Änderung")
    _button(at, "Speichern").click().run()
    message = next(e for e in _errors(at) if "Konflikt" in e)
    assert "kollegin" in message and "Titel" in message and "Nichts wurde gespeichert" in message


@pytest.mark.parametrize("role", ["viewer", "qm"])
def test_viewer_and_qm_see_no_forms(city_url: str, role: str) -> None:
    script = (
        "import streamlit as st\nfrom monitoring.auth import User\n"
        f"st.session_state['user'] = User('x', {role!r})\n"
        "from ui.pages import run\nrun(start='massnahmen')\n"
    )
    at = AppTest.from_string(script, default_timeout=60)
    at.query_params["auswahl"] = "M-005"
    at.run()
    assert not at.exception
    labels = {b.label for b in at.button}
    assert not labels & {"Speichern", "Neue Maßnahme anlegen", "Finanzierung hinzufügen"}
    assert not at.file_uploader
    assert any("darf Maßnahmen nicht ändern" in c.value for c in at.caption)


def test_a_funding_line_is_changed_after_confirming_a_tenfold_amount(
    open_page: Callable[..., AppTest], city_url: str
) -> None:
    from monitoring import services

    services.save_funding_line(
        open_store(city_url),
        User("ben", "editor"),
        {
            "id": "FL-1",
            "measure_id": "M-005",
            "source": "Bund",
            "programme_year": 2024,
            "planned": 10_000.0,
        },
    )
    at = open_page("massnahmen", auswahl="M-005")
    at.selectbox(key="massnahmen.finanz.M-005.wahl").set_value("FL-1").run()
    assert _text(at, "geplant (€)").value == "10.000"
    _button(at, "Finanzierung speichern").click().run()
    assert any("Keine Änderung" in i.value for i in at.info)
    _text(at, "geplant (€)").set_value("1.000.000")
    _button(at, "Finanzierung speichern").click().run()
    assert any("10.000,00\xa0€ → 1.000.000,00\xa0€" in w.value for w in at.warning)
    assert open_store(city_url).read("funding_lines")["planned"].tolist() == [10_000.0]
    next(c for c in at.checkbox if c.label == "Trotzdem speichern").check()
    _button(at, "Finanzierung speichern").click().run()
    assert not _errors(at), _errors(at)
    stored = open_store(city_url).read("funding_lines")
    assert stored["planned"].tolist() == [1_000_000.0] and stored["version"].tolist() == [2]


def test_a_measure_changes_its_gesamtmassnahme(
    open_page: Callable[..., AppTest], city_url: str
) -> None:
    at = open_page("massnahmen", auswahl="M-005")
    box = next(s for s in at.selectbox if s.label == "Gesamtmaßnahme (Fördergebiet)")
    assert box.value == "SSZ-01"
    box.set_value("WNE-01")
    _button(at, "Speichern").click().run()
    assert not _errors(at), _errors(at)
    assert _measure(city_url)["funding_area_id"] == "WNE-01"
