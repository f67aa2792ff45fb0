"""Other users' changes show up: a second session, another app server, or a ``qmon import``
by another process are seen within one rerun, on both stores, with no restart and no
cache cleared by hand.

Two ``AppTest`` sessions in one process share the ``st.cache_data`` caches, as two
browser sessions on one app server do; a save through a store object of its own plays
another app server (it clears no cache of ours), and the import runs as a subprocess.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import open_store
from monitoring import services
from monitoring.auth import User
from tests.app.city import build_city
from ui.data import TOKENS_KEY

REPO = Path(__file__).resolve().parents[2]
SCRIPT = (
    "import streamlit as st\nst.set_page_config(layout='wide')\n"
    "from ui.pages import run\nrun(start={page!r})\n"
)


@pytest.fixture(params=["gpkg", "postgis"])
def live_url(
    request: pytest.FixtureRequest, city_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The small city in either store, set as the app's store (QMON_STORE)."""
    if request.param == "gpkg":
        url = str(tmp_path / "stadt.gpkg")
        shutil.copy(city_file, url)
    else:
        url = str(request.getfixturevalue("pg_url"))
        build_city(url)
    monkeypatch.setenv("QMON_STORE", url)
    monkeypatch.setenv("QMON_LOCAL_ADMIN", "1")  # a single-user desktop: the editor may save
    monkeypatch.delenv("QMON_BASEMAP", raising=False)
    yield url


def _session(page: str, **query: str) -> AppTest:
    at = AppTest.from_string(SCRIPT.format(page=page), default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table_titles(at: AppTest) -> list[str]:
    return sorted(at.dataframe[0].value["Titel"].tolist())


def test_a_save_in_one_session_is_seen_by_the_other_after_one_rerun(live_url: str) -> None:
    watcher = _session("massnahmen")
    assert "Maßnahme 5" in _table_titles(watcher)
    editor = _session("massnahmen", auswahl="M-005")
    next(t for t in editor.text_input if t.label == "Titel").set_value("Neuer Spielplatz")
    next(b for b in editor.button if b.label == "Speichern").click().run()
    assert any("Gespeichert" in s.value for s in editor.success), [e.value for e in editor.error]
    watcher.run()
    assert not watcher.exception
    titles = _table_titles(watcher)
    assert "Neuer Spielplatz" in titles and "Maßnahme 5" not in titles


def test_a_save_by_another_app_server_is_seen_after_one_rerun(live_url: str) -> None:
    """A save that clears none of our caches (another server on the same store)."""
    watcher = _session("massnahmen")
    token = watcher.session_state[TOKENS_KEY][live_url]
    watcher.run()  # nothing changed: the same token, the cached frames serve
    assert watcher.session_state[TOKENS_KEY][live_url] == token
    with open_store(live_url) as other_server:
        before = services.read(other_server, User("kollegin", "editor"), "measures")
        version = int(before.set_index("id").loc["M-007", "version"])
        services.save(
            other_server,
            User("kollegin", "editor"),
            "measures",
            {"title": "Von Kollegin geändert"},
            key={"id": "M-007"},
            expected_version=version,
        )
    watcher.run()
    assert not watcher.exception
    assert watcher.session_state[TOKENS_KEY][live_url].counter == token.counter + 1
    assert "Von Kollegin geändert" in _table_titles(watcher)


def test_an_import_by_another_process_is_seen_after_one_rerun(
    live_url: str, tmp_path: Path
) -> None:
    watcher = _session("massnahmen")
    assert len(watcher.dataframe[0].value) == 24
    csv = tmp_path / "neue_massnahmen.csv"
    csv.write_text(
        "Nr;Titel;Gebiet;RW;HW\n"
        "M-900;Importierter Quartiersplatz;SSZ-01;501500;5701500\n"
        "M-901;Importierte Radstation;SSZ-01;501600;5701400\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "QMON_USER": "import-test",
        "QMON_ROLE": "admin",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli.main",
            "import",
            "measures",
            str(csv),
            "--store",
            live_url,
            "--id",
            "Nr",
            "--title",
            "Titel",
            "--funding-area-col",
            "Gebiet",
            "--x",
            "RW",
            "--y",
            "HW",
            "--crs",
            "EPSG:25832",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    watcher.run()
    assert not watcher.exception
    titles = _table_titles(watcher)
    assert len(titles) == 26
    assert {"Importierter Quartiersplatz", "Importierte Radstation"} <= set(titles)


def test_own_saves_in_a_row_are_no_conflict_and_a_colleagues_is(live_url: str) -> None:
    """The form expects the version it showed: own saves follow on, a colleague's is caught."""
    editor = _session("massnahmen", auswahl="M-008")
    next(t for t in editor.text_input if t.label == "Titel").set_value("Erste Fassung")
    next(b for b in editor.button if b.label == "Speichern").click().run()
    assert any("Gespeichert" in s.value for s in editor.success), [e.value for e in editor.error]
    editor.run()  # the form is drawn again with the stored record (the user reads it)
    next(t for t in editor.text_input if t.label == "Titel").set_value("Zweite Fassung")
    next(b for b in editor.button if b.label == "Speichern").click().run()
    assert any("Gespeichert" in s.value for s in editor.success), [e.value for e in editor.error]
    with open_store(live_url) as other_server:
        stored = other_server.read("measures", where={"id": "M-008"})
        assert (stored["title"].iloc[0], int(stored["version"].iloc[0])) == ("Zweite Fassung", 3)
        # a colleague saves while the form is open: the next click is a conflict
        services.save(
            other_server,
            User("kollegin", "editor"),
            "measures",
            {"description": "Kollegin war hier"},
            key={"id": "M-008"},
            expected_version=3,
        )
        next(t for t in editor.text_input if t.label == "Titel").set_value("Dritte Fassung")
        next(b for b in editor.button if b.label == "Speichern").click().run()
        assert any("Konflikt" in e.value for e in editor.error)
        stored = other_server.read("measures", where={"id": "M-008"})
    assert stored["title"].iloc[0] == "Zweite Fassung"
    assert stored["description"].iloc[0] == "Kollegin war hier"


@pytest.mark.parametrize("page", ["karte", "massnahmen", "foerdergebiet", "quartiersmanagement"])
def test_a_running_import_is_a_german_message_not_a_traceback(
    page: str, city_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = str(tmp_path / "stadt.gpkg")
    shutil.copy(city_file, url)
    monkeypatch.setenv("QMON_STORE", url)
    monkeypatch.setenv("QMON_GPKG_BUSY_SECONDS", "0.2")
    lock = sqlite3.connect(url, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # a long import committing
    try:
        at = AppTest.from_string(SCRIPT.format(page=page), default_timeout=60)
        at.run()
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Import oder einer Speicherung" in e.value for e in at.error)
    at.run()  # the import is done: the page works again
    assert not at.exception and not at.error
