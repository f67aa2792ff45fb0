"""Fixtures of the map tests: the demo city once per session, in a GeoPackage and in PostGIS."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.store import open_store
from tests.conftest import PG_DSN


def _load(url: str) -> None:
    from data.musterstadt import load_musterstadt

    store = open_store(url)
    store.init(crs="EPSG:25832")
    load_musterstadt(store)
    store.close()


@pytest.fixture(scope="session")
def demo_gpkg(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo city as a GeoPackage (read-only in tests)."""
    path: Path = tmp_path_factory.mktemp("maps-demo") / "musterstadt.gpkg"
    _load(str(path))
    return str(path)


@pytest.fixture(scope="session")
def demo_pg() -> Iterator[str]:
    """The demo city in a schema of the PostGIS test database (read-only; dropped after)."""
    import psycopg
    from psycopg import sql

    schema = f"t_maps_{uuid.uuid4().hex[:10]}"
    url = f"{PG_DSN}?schema={schema}"
    _load(url)
    yield url
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture(params=["gpkg", "postgis"])
def demo_url(request: pytest.FixtureRequest) -> str:
    """The demo city in both stores, one after the other."""
    name = "demo_gpkg" if request.param == "gpkg" else "demo_pg"
    return str(request.getfixturevalue(name))
