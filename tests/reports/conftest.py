"""Fixtures of the report tests: the demo city built once per session, copies to change."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.store import open_store
from geo.store.base import Store
from monitoring.auth import User
from monitoring.reports.generate import build_report
from monitoring.reports.report import Report

CRS = "EPSG:25832"
YEAR = 2024


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo city in a GeoPackage, with the social index computed for 2024 (built once)."""
    from data.musterstadt import load_musterstadt
    from indicators.social_index import load_profile
    from indicators.stored import compute_stored_index

    path: Path = tmp_path_factory.mktemp("demo") / "musterstadt.gpkg"
    with open_store(str(path)) as store:
        store.init(crs=CRS)
        load_musterstadt(store)
        compute_stored_index(store, load_profile("berlin-mss-2021"), period="2024-12-31")
    return path


@pytest.fixture(scope="session")
def demo_store(demo_path: Path) -> Iterator[Store]:
    """The demo store, read-only in tests."""
    store = open_store(str(demo_path))
    yield store
    store.close()


@pytest.fixture
def demo_copy(demo_path: Path, tmp_path: Path) -> Iterator[Store]:
    """A private copy of the demo store that a test may change."""
    path = tmp_path / "copy.gpkg"
    shutil.copy(demo_path, path)
    store = open_store(str(path))
    yield store
    store.close()


@pytest.fixture(scope="session")
def admin() -> User:
    return User("anna", "admin")


@pytest.fixture(scope="session")
def demo_reports(demo_store: Store, admin: User) -> dict[str, Report]:
    """The 2024 report of both demo Gesamtmaßnahmen (assembled once)."""
    return {a: build_report(demo_store, admin, a, year=YEAR) for a in ("SSZ-01", "WNE-01")}
