"""No login means read-only: the app without ``[auth]`` and without QMON_LOCAL_ADMIN=1.

Without a configured login every visitor is a viewer, unless the explicit setting of a
single-user desktop (``QMON_LOCAL_ADMIN=1``, which ``make app`` sets for the demo)
says otherwise; the sidebar says which.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import open_store
from tests.app.conftest import REPO

READ_ONLY = "Nur lesen – keine Anmeldung eingerichtet"
DESKTOP = "Lokaler Einzelplatz mit allen Rechten"


def _app() -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _page(page: str, **query: str) -> AppTest:
    """A page on its own (no app.py): the pages fall back to the same rule."""
    at = AppTest.from_string(f"from ui.pages import run\nrun(start={page!r})\n", default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("setting", [None, "0", "nein", ""])
def test_without_login_the_app_is_read_only(
    city_url: str, monkeypatch: pytest.MonkeyPatch, setting: str | None
) -> None:
    if setting is None:
        monkeypatch.delenv("QMON_LOCAL_ADMIN", raising=False)
    else:
        monkeypatch.setenv("QMON_LOCAL_ADMIN", setting)
    at = _app()
    captions = [c.value for c in at.sidebar.caption]
    assert READ_ONLY in captions and DESKTOP not in captions
    assert at.session_state["user"].role == "viewer"


def test_read_only_app_offers_no_edit_and_hides_personal_data(
    city_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("QMON_LOCAL_ADMIN", raising=False)
    at = _page("massnahmen", auswahl="M-005")
    assert not [b for b in at.button if b.label == "Speichern"]
    assert any("darf Maßnahmen nicht ändern" in c.value for c in at.caption)
    at = _page("quartiersmanagement")
    shown = " ".join(df.value.to_string() for df in at.dataframe)
    assert "erika@example.org" not in shown and "Erika Muster" not in shown
    assert "Nachbarschaftsverein" in shown  # organisations keep their names
    assert "Erika Muster" not in at.get("graphviz_chart")[0].proto.spec
    stored = open_store(city_url).read("measures", where={"id": "M-005"})
    assert int(stored["version"].iloc[0]) == 1


def test_local_desktop_has_all_rights_and_says_so(city_url: str) -> None:
    # QMON_LOCAL_ADMIN=1 comes from the city_url fixture, as `make app` sets it
    at = _app()
    captions = [c.value for c in at.sidebar.caption]
    assert DESKTOP in captions and READ_ONLY not in captions
    assert at.session_state["user"].role == "admin"
    at = _page("massnahmen", auswahl="M-005")
    assert [b for b in at.button if b.label == "Speichern"]
    at = _page("quartiersmanagement")
    assert "erika@example.org" in " ".join(df.value.to_string() for df in at.dataframe)


def test_make_app_runs_the_demo_as_local_desktop() -> None:
    recipe = (REPO / "Makefile").read_text(encoding="utf-8").split("\napp:", 1)[1]
    recipe = recipe.split("\n\n", 1)[0]
    assert "QMON_LOCAL_ADMIN=1" in recipe and "streamlit run app.py" in recipe


def test_a_user_of_another_municipality_reads_why_and_gets_no_page(city_url: str) -> None:
    from monitoring import editing
    from monitoring.auth import User

    store = open_store(city_url)
    area = store.read("funding_areas").iloc[0]
    editing.update(
        store,
        User("verwaltung", "admin"),
        "funding_areas",
        {"id": area["id"]},
        {"ags": "05315000"},
        expected_version=int(area["version"]),
    )
    for scope, refused in (("09162000", True), ("05315000", False)):
        at = AppTest.from_string("from ui.pages import run\nrun(start='massnahmen')\n")
        at.session_state["user"] = User("max", "editor", scope)
        at.run(timeout=60)
        assert not at.exception, [e.value for e in at.exception]
        errors = " ".join(e.value for e in at.error)
        assert ("Kein Zugang" in errors and "gehört der Gemeinde 05315000" in errors) is refused
