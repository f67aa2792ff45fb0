"""Fixtures of the monitoring tests: users, a tiny hand-made store, the demo city."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.store import open_store
from geo.store.base import Store
from monitoring.auth import User

CRS = "EPSG:25832"
X0, Y0 = 360_000.0, 5_700_000.0


@pytest.fixture
def admin() -> User:
    return User("anna", "admin")


@pytest.fixture
def editor() -> User:
    return User("ben", "editor")


@pytest.fixture
def viewer() -> User:
    return User("gast", "viewer")


@pytest.fixture
def qm() -> User:
    return User("quartiersmanagerin", "qm")


def seed_tiny(store: Store) -> None:
    """One funding area (a 1 km square), two measures with fields, goals and funding."""
    store.write(
        "programmes",
        pd.DataFrame({"id": ["sozialer_zusammenhalt"], "name": ["Sozialer Zusammenhalt"]}),
    )
    store.write(
        "fields_of_action",
        pd.DataFrame(
            {
                "id": ["ss_oeffentlicher_raum", "ss_schule_bildung"],
                "name": ["Öffentlicher Raum", "Schule und Bildung"],
            }
        ),
    )
    store.write(
        "funding_areas",
        gpd.GeoDataFrame(
            {
                "id": ["FA"],
                "name": ["Nordstadt"],
                "programme_id": ["sozialer_zusammenhalt"],
                "start_year": [2015],
                "fund_public_share_max": [0.5],
            },
            geometry=[shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)],
            crs=CRS,
        ),
    )
    store.write(
        "measures",
        gpd.GeoDataFrame(
            {
                "id": ["M1", "M2"],
                "funding_area_id": ["FA", "FA"],
                "title": ["Spielplatz Lindenweg", "Kita Erweiterung"],
                "status": ["in Umsetzung", "geplant"],
                "start_date": pd.to_datetime(["2023-03-01", "2026-01-01"]),
                "end_date": pd.to_datetime(["2025-12-31", "2027-06-30"]),
                "cost_estimate": [300_000.0, 900_000.0],
            },
            geometry=[shapely.Point(X0 + 100, Y0 + 100), shapely.Point(X0 + 500, Y0 + 500)],
            crs=CRS,
        ),
    )


@pytest.fixture
def tiny_gpkg(gpkg_url: str) -> Iterator[Store]:
    store = open_store(gpkg_url)
    store.init(crs=CRS)
    seed_tiny(store)
    yield store
    store.close()


@pytest.fixture
def tiny_store(store_url: str) -> Iterator[Store]:
    """The tiny store on both backends."""
    store = open_store(store_url)
    store.init(crs=CRS)
    seed_tiny(store)
    yield store
    store.close()


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The demo city, built once per test session into a GeoPackage (read-only in tests)."""
    from data.musterstadt import load_musterstadt

    path: Path = tmp_path_factory.mktemp("demo") / "musterstadt.gpkg"
    store = open_store(str(path))
    store.init(crs=CRS)
    load_musterstadt(store)
    yield store
    store.close()
