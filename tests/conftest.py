"""Shared fixtures: the real-data folder, a fresh GeoPackage and a fresh PostGIS schema.

PostGIS tests run against the real server named by ``QMON_TEST_PG`` (``make test``
creates a throwaway database and sets it). Each test gets a schema of its own that
is dropped afterwards. Without a reachable server the PostGIS tests fail, they are
not skipped: the contract must hold on both stores.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# CI gates a landing: there the property tests replay a fixed set of examples. Locally
# they draw new ones each run and keep hunting (that is how the 2**53 integer bug showed).
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
REAL_DATA = Path(os.environ.get("QMON_REAL_DATA", REPO.parent / "shared" / "data"))
PG_DSN = os.environ.get("QMON_TEST_PG", "postgresql://postgres@127.0.0.1:5432/qmon_test")


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The folder of real public data (``QMON_REAL_DATA``, default ../shared/data)."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real data folder {REAL_DATA} is absent; set QMON_REAL_DATA")
    return REAL_DATA


@pytest.fixture
def gpkg_url(tmp_path: Path) -> str:
    return str(tmp_path / "store.gpkg")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL for a fresh, empty schema in the test database; dropped after the test."""
    import psycopg
    from psycopg import sql

    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield f"{PG_DSN}?schema={schema}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        # the QGIS styles of the schema's layers live database-wide in public.layer_styles
        if conn.execute("SELECT to_regclass('public.layer_styles')").fetchone() != (None,):
            conn.execute("DELETE FROM public.layer_styles WHERE f_table_schema = %s", (schema,))


@pytest.fixture(params=["gpkg", "postgis"])
def store_url(request: pytest.FixtureRequest) -> str:
    """Both stores, one after the other: the contract suite runs unchanged on each."""
    if request.param == "gpkg":
        return str(request.getfixturevalue("gpkg_url"))
    return str(request.getfixturevalue("pg_url"))
