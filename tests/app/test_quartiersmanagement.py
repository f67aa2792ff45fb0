"""AppTest of the Quartiersmanagement forms: what a neighbourhood manager records in a week."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
from streamlit.testing.v1 import AppTest

from geo.store import open_store
from monitoring import services
from monitoring.auth import User

SCRIPT = (
    "import streamlit as st\nfrom monitoring.auth import User\n"
    "st.session_state['user'] = User({name!r}, {role!r})\n"
    "from ui.pages import run\nrun(start='quartiersmanagement')\n"
)


def _page(role: str = "qm", name: str = "quartiersmanagerin") -> AppTest:
    at = AppTest.from_string(SCRIPT.format(name=name, role=role), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _by_label(widgets: object, label: str, nth: int = 0) -> object:
    found = [w for w in widgets if w.label == label]  # type: ignore[attr-defined]
    assert len(found) > nth, f"no widget {label!r}"
    return found[nth]


def _click(at: AppTest, label: str) -> AppTest:
    _by_label(at.button, label).click().run()  # type: ignore[attr-defined]
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest, kind: str) -> list[str]:
    """The messages as a reader sees them (user text is shown Markdown-escaped)."""
    return [e.value.replace("\\", "") for e in getattr(at, kind)]


def test_add_an_actor_with_consent(city_url: str) -> None:
    at = _page()
    _by_label(at.text_input, "Name bzw. Organisation").set_value("Jana Beispiel")
    _by_label(at.selectbox, "Typ").set_value("Bewohner/in")
    _by_label(at.checkbox, "Privatperson").check()
    _by_label(at.text_input, "E-Mail").set_value("jana@example.org")
    # without the consent the contact data is refused, and nothing is stored
    _click(at, "Akteur speichern")
    assert any("ohne Einwilligung" in e for e in _texts(at, "error"))
    assert len(open_store(city_url).read("actors")) == 3
    _by_label(at.checkbox, "Einwilligung zur Kontaktaufnahme liegt vor").check()
    _by_label(at.date_input, "Einwilligung vom").set_value(dt.date(2025, 3, 1))
    _click(at, "Akteur speichern")
    assert any("Akteur AK-001 gespeichert" in s for s in _texts(at, "success"))
    stored = open_store(city_url).read("actors", where={"id": "AK-001"}).iloc[0]
    assert (stored["name"], stored["email"], bool(stored["consent"])) == (
        "Jana Beispiel",
        "jana@example.org",
        True,
    )
    assert pd.Timestamp(stored["consent_date"]) == pd.Timestamp("2025-03-01")
    assert "Jana Beispiel" in at.dataframe[0].value["Name bzw. Organisation"].tolist()


def test_edit_conflict_names_the_colleague(city_url: str) -> None:
    at = _page()
    _by_label(at.selectbox, "Akteur").set_value("A-1").run()
    _by_label(at.text_input, "Telefon").set_value("0000 1")
    services.save(
        open_store(city_url),
        User("carla", "qm"),
        "actors",
        {"phone": "0000 2"},
        key={"id": "A-1"},
        expected_version=1,
    )
    _click(at, "Akteur speichern")
    errors = " ".join(_texts(at, "error"))
    assert "Konflikt" in errors and "carla" in errors and "Telefon" in errors
    assert open_store(city_url).read("actors", where={"id": "A-1"}).iloc[0]["phone"] == "0000 2"


def test_application_decision_payment_proof_and_balance(city_url: str) -> None:
    at = _page()
    assert {m.label: m.value for m in at.metric}["verfügbar"] == "8.500\xa0€"
    _by_label(at.selectbox, "Projekt").set_value("P-2")
    _by_label(at.selectbox, "Fonds (bei lokalem Fonds)").set_value("F-1")
    _by_label(at.selectbox, "Status", nth=1).set_value("eingereicht")  # 0: the project form
    _by_label(at.date_input, "eingereicht am").set_value(dt.date(2025, 4, 2))
    _by_label(at.date_input, "Frist").set_value(dt.date(2025, 4, 15))
    at.text_input(key="qm.antrag.betrag").set_value("1.5")
    _click(at, "Antrag speichern")
    assert any("„1.5“ ist keine Zahl" in e for e in _texts(at, "error"))
    assert open_store(city_url).read("applications").empty
    at.text_input(key="qm.antrag.betrag").set_value("1.250,50")
    _click(at, "Antrag speichern")
    apps = open_store(city_url).read("applications")
    assert apps[["id", "requested", "status"]].values.tolist() == [
        ["AN-001", 1250.5, "eingereicht"]
    ]
    # the jury decides on the application
    _by_label(at.selectbox, "über Antrag").set_value("AN-001")
    _by_label(at.selectbox, "Gremium").set_value("G-1")
    _by_label(at.text_input, "Vorhaben").set_value("Lesepaten Material")
    at.text_input(key="qm.entscheidung.betrag").set_value("1.000")
    at.text_input(key="qm.entscheidung.ja").set_value("5")
    at.text_input(key="qm.entscheidung.nein").set_value("1")
    at.text_input(key="qm.entscheidung.enth").set_value("0")
    _by_label(at.selectbox, "finanziert aus").set_value("privat")
    _click(at, "Entscheidung speichern")
    assert any("Antrag AN-001: bewilligt" in s for s in _texts(at, "success")), _texts(at, "error")
    store = open_store(city_url)
    assert store.read("applications").iloc[0]["status"] == "bewilligt"
    decision = store.read("fund_decisions", where={"application_id": "AN-001"}).iloc[0]
    assert (decision["amount"], int(decision["votes_yes"]), decision["outcome"]) == (
        1000.0,
        5,
        "bewilligt",
    )
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["bewilligt"], metrics["verfügbar"]) == ("2.500\xa0€", "7.500\xa0€")
    # the payment, more than decided is refused
    did = decision["id"]
    _by_label(at.selectbox, "Entscheidung").set_value(did)
    at.text_input(key="qm.auszahlung.betrag").set_value("1.200")
    _click(at, "Auszahlung speichern")
    assert any("höchstens 1.000,00 €" in e for e in _texts(at, "error"))
    at.text_input(key="qm.auszahlung.betrag").set_value("1000")
    _click(at, "Auszahlung speichern")
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["ausgezahlt"], metrics["Kontostand"], metrics["verfügbar"]) == (
        "1.000\xa0€",
        "9.000\xa0€",
        "7.500\xa0€",
    )
    # and the proof of use
    _by_label(at.selectbox, "Entscheidung", nth=1).set_value(did)
    _click(at, "Nachweis speichern")
    stored = open_store(city_url).read("fund_decisions", where={"id": did}).iloc[0]
    assert stored["proof_of_use"] == "eingereicht" and not pd.isna(stored["proof_date"])
    book = next(df.value for df in at.dataframe if "Kontostand" in df.value.columns)
    assert any("Verwendungsnachweis" in v for v in book["Vorgang"])
    assert any(v.startswith(f"Auszahlung zu {did}") for v in book["Vorgang"])


def test_open_deadlines_sorted_and_overdue_marked(city_url: str) -> None:
    store = open_store(city_url)
    today = dt.date.today()
    for i, days in enumerate((20, -3, 5)):
        services.save(
            store,
            User("q", "qm"),
            "applications",
            {
                "id": f"AN-{i}",
                "project_id": "P-1",
                "source_kind": "Stiftung",
                "source_name": f"Stiftung {i}",
                "status": "geplant",
                "deadline": today + dt.timedelta(days=days),
            },
        )
    at = _page()
    table = next(df.value for df in at.dataframe if "noch" in df.value.columns)
    assert table["noch"].tolist() == ["überfällig seit 3 Tagen", "in 5 Tagen", "in 20 Tagen"]
    assert any("1 Frist überfällig" in w for w in _texts(at, "warning"))


def test_log_a_clean_up_with_23_participants_at_a_point(city_url: str) -> None:
    at = _page()
    year = dt.date.today().year
    before = {m.label: m.value for m in at.metric}[f"Aktivitäten {year}"]
    at.session_state["qm.aktivitaet.punkt"] = (51.4604, 9.0143)  # as a click on the map sets it
    _by_label(at.text_input, "Titel").set_value("Frühjahrsputz im Hof")
    _by_label(at.selectbox, "Art").set_value("Aufräumaktion")
    _by_label(at.text_input, "Ort (Beschreibung)").set_value("Hof Lindenweg")
    at.text_input(key="qm.aktivitaet.teilnehmende").set_value("23")
    at.text_input(key="qm.aktivitaet.ehrenamtliche").set_value("4")
    _by_label(at.multiselect, "Veranstalter (Akteure)").set_value(["A-1"])
    _click(at, "Aktivität speichern")
    assert any("Aktivität AT-001 gespeichert" in s for s in _texts(at, "success"))
    store = open_store(city_url)
    row = store.read("activities", where={"id": "AT-001"})
    assert int(row["participants"].iloc[0]) == 23 and int(row["volunteers"].iloc[0]) == 4
    point = row.to_crs("EPSG:4326").geometry.iloc[0]
    assert abs(point.y - 51.4604) < 1e-6 and abs(point.x - 9.0143) < 1e-6
    assert list(store.read("activity_partners", where={"activity_id": "AT-001"})["actor_id"]) == [
        "A-1"
    ]
    after = {m.label: m.value for m in at.metric}[f"Aktivitäten {year}"]
    assert int(after) == int(before) + 1
    assert "qm.aktivitaet.punkt" not in at.session_state


def test_viewer_sees_no_forms_and_no_personal_data(city_url: str) -> None:
    at = _page(role="viewer", name="gast")
    labels = {b.label for b in at.button}
    assert not labels & {
        "Akteur speichern",
        "Anonymisieren",
        "Antrag speichern",
        "Entscheidung speichern",
        "Aktivität speichern",
        "Einnahme speichern",
    }
    shown = " ".join(df.value.to_string() for df in at.dataframe)
    assert "erika@example.org" not in shown and "Hans Kontakt" not in shown
    assert any("darf Fonds nicht ändern" in c.value for c in at.caption)


def test_anonymise_a_person_in_the_app(city_url: str, open_page: Callable[..., AppTest]) -> None:
    at = _page()
    _by_label(at.selectbox, "Akteur", nth=1).set_value("A-3")
    _by_label(at.checkbox, "Die Person hat die Löschung ihrer Daten verlangt").check()
    _click(at, "Anonymisieren")
    assert any("A-3 anonymisiert" in s for s in _texts(at, "success"))
    row = open_store(city_url).read("actors", where={"id": "A-3"}).iloc[0]
    assert row["name"] == "anonymisiert" and pd.isna(row["email"])
    assert "Erika" not in at.dataframe[0].value.to_string()


def test_network_of_100_actors_filters_and_stays_straight(city_url: str) -> None:
    from tests.monitoring.test_neighbourhood_activities import generated_network

    graph = generated_network(100)
    actors = pd.DataFrame(
        [
            {"id": n, "funding_area_id": "SSZ-01", "name": d["name"], "type": d["type"]}
            for n, d in graph.nodes(data=True)
        ]
    )
    part = pd.DataFrame(
        [
            {"actor_id": a, "target_kind": "project", "target_id": f"L-{i}", "role": None}
            for i, (a, b) in enumerate(graph.edges)
            for a in (a, b)
        ]
    )
    projects = pd.DataFrame(
        {"id": sorted(set(part["target_id"])), "funding_area_id": "SSZ-01", "title": "Netz"}
    )
    store = open_store(city_url)
    with store.transaction(user="test") as tx:
        tx.write("actors", actors)
        tx.write("projects", projects)
        tx.write("participation", part)
    at = _page()
    dot = at.get("graphviz_chart")[0].proto.spec
    assert "splines=line" in dot and dot.count('!", fillcolor') == 103  # 100 + the city's 3
    edges = dot.count(" -- ")
    _by_label(at.multiselect, "Akteurstypen").set_value(["Verein"]).run()
    dot = at.get("graphviz_chart")[0].proto.spec
    assert dot.count('!", fillcolor') == 21  # 20 generated clubs and the city's one
    assert dot.count(" -- ") < edges
    _by_label(at.multiselect, "Akteurstypen").set_value([]).run()
    _by_label(at.selectbox, "Nachbarschaft von").set_value("AK-000").run()
    dot = at.get("graphviz_chart")[0].proto.spec
    assert dot.count('!", fillcolor') == 1 + graph.degree("AK-000")
    assert "penwidth=3" in dot  # the chosen actor stands out


def test_an_unknown_stored_type_is_kept_and_named_not_swapped(city_url: str) -> None:
    at = _page()
    _by_label(at.selectbox, "Akteur").set_value("A-2").run()
    assert _by_label(at.selectbox, "Typ").value == "Schule"  # as stored (imported data)
    _by_label(at.text_input, "Telefon").set_value("0000 77")
    _click(at, "Akteur speichern")
    assert any("die Art „Schule“ ist keine von" in e for e in _texts(at, "error"))
    stored = open_store(city_url).read("actors", where={"id": "A-2"}).iloc[0]
    assert stored["type"] == "Schule" and pd.isna(stored["phone"])
