"""Fixtures of the interop tests: the demo city once per session, as a GeoPackage file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.store import open_store
from geo.store.base import Store

#: Run by Debian's Python with QGIS in a subprocess, never imported here (no doctests).
collect_ignore = ["qgis_render.py"]


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo city built once per session (read-only in tests: copy it to change it)."""
    from data.musterstadt import load_musterstadt

    path: Path = tmp_path_factory.mktemp("interop-demo") / "musterstadt.gpkg"
    store = open_store(str(path))
    store.init(crs="EPSG:25832")
    load_musterstadt(store)
    store.close()
    return path


@pytest.fixture
def demo_store(demo_path: Path) -> Iterator[Store]:
    store = open_store(str(demo_path))
    yield store
    store.close()
