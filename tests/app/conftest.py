"""Fixtures of the app tests: the small city in a fresh GeoPackage, and AppTest helpers."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.city import build_city

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def city_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small city, built once per session (read-only: copy it to change it)."""
    path = tmp_path_factory.mktemp("city") / "stadt.gpkg"
    build_city(str(path))
    return path


@pytest.fixture
def city_url(city_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A private copy of the small city, set as the app's store (QMON_STORE).

    The app runs as the single local user with all rights (``QMON_LOCAL_ADMIN=1``, as
    ``make app`` runs the demo); a test of the read-only app without login deletes it.
    """
    path = tmp_path / "stadt.gpkg"
    shutil.copy(city_file, path)
    monkeypatch.setenv("QMON_STORE", str(path))
    monkeypatch.setenv("QMON_LOCAL_ADMIN", "1")
    monkeypatch.delenv("QMON_BASEMAP", raising=False)
    monkeypatch.delenv("QMON_MAP_SERVICES", raising=False)
    return str(path)


@pytest.fixture
def open_page(city_url: str) -> Callable[..., AppTest]:
    """Return a function that runs the app on one page with the given query parameters."""

    def run(page: str, **query: str | list[str]) -> AppTest:
        return run_page(page, query)

    return run


def run_page(page: str, query: Mapping[str, str | list[str]], *, timeout: float = 60) -> AppTest:
    """Run the app on ``page`` with the query parameters ``query``; it must not fail."""
    at = AppTest.from_string(
        f"import streamlit as st\nst.set_page_config(layout='wide')\n"
        f"from ui.pages import run\nrun(start={page!r})\n",
        default_timeout=timeout,
    )
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
