"""A small store for the grant documents: cost groups, funding lines, revenues, notices."""

from __future__ import annotations

from collections.abc import Iterator

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.store import open_store
from geo.store.base import Store
from monitoring.auth import User
from tests.monitoring.conftest import CRS, X0, Y0, seed_tiny

FORMULA_TITLE = '=HYPERLINK("http://example.org","klick")'

LINES = [
    # id, measure, source, year, planned, approved, paid, own cost group
    ("F1", "M1", "Bund", 2023, 40_000.33, 40_000.33, 39_000.10, None),
    ("F2", "M1", "Land", 2023, 40_000.33, 40_000.33, 39_000.10, None),
    ("F3", "M1", "Gemeinde", 2023, 20_000.17, 20_000.17, 19_500.05, None),
    ("F4", "M1", "Bund", 2024, 5_000.01, 5_000.01, 0.0, "vorbereitung"),
    ("F5", "M2", "Bund", 2024, 300_000.45, 250_000.45, 100_000.99, None),
    ("F6", "M2", "Land", 2024, 300_000.45, 250_000.45, 100_000.99, None),
    ("F7", "M2", "Gemeinde", 2024, 150_000.22, 125_000.22, 50_000.50, None),
    ("F8", "M3", "Bund", 2024, 12_345.67, 0.0, 0.0, None),
    ("F9", "M3", "Dritte", 2025, 999.99, 0.0, 0.0, None),
]


def seed_grants(store: Store) -> None:
    """seed_tiny plus three measures with cost groups, money, revenues, notices and more."""
    seed_tiny(store)
    store.delete("measures")
    store.write(
        "measures",
        gpd.GeoDataFrame(
            {
                "id": ["M1", "M2", "M3"],
                "funding_area_id": ["FA", "FA", "FA"],
                "title": ["Spielplatz Lindenweg", "Kita Erweiterung", FORMULA_TITLE],
                "status": ["abgeschlossen", "in Umsetzung", "geplant"],
                "start_date": pd.to_datetime(["2023-03-01", "2024-01-01", "2026-01-01"]),
                "end_date": pd.to_datetime(["2024-10-31", "2026-06-30", "2027-06-30"]),
                "cost_estimate": [300_000.0, 900_000.0, 20_000.0],
                "cost_group": ["oeffentlicher_raum", "bau", None],
            },
            geometry=[
                shapely.Point(X0 + 100, Y0 + 100),
                shapely.Point(X0 + 500, Y0 + 500),
                shapely.Point(X0 + 700, Y0 + 700),
            ],
            crs=CRS,
        ),
    )
    store.write(
        "funding_lines",
        pd.DataFrame(
            LINES,
            columns=[
                "id",
                "measure_id",
                "source",
                "programme_year",
                "planned",
                "approved",
                "paid",
                "cost_group",
            ],
        ),  # fmt: skip
    )
    store.write(
        "revenues",
        pd.DataFrame(
            {
                "id": ["E1", "E2"],
                "funding_area_id": ["FA", "FA"],
                "kind": ["ausgleichsbetraege", "veraeusserung"],
                "year": [2024, 2023],
                "planned": [5_000.5, 10_000.0],
                "actual": [1_234.56, None],
            }
        ),
    )
    store.write(
        "grant_notices",
        pd.DataFrame(
            {
                "id": ["FA/ZB/1", "FA/ZB/2"],
                "funding_area_id": ["FA", "FA"],
                "file_number": ["AZ 23/001", "=AZ 24/002"],
                "notice_date": pd.to_datetime(["2023-05-02", "2024-06-14"]),
                "programme_year": [2023, 2024],
                "amount_bund": [40_000.33, 250_000.45],
                "amount_land": [40_000.33, 250_000.45],
                "amount_gemeinde": [20_000.17, 125_000.22],
            }
        ),
    )
    store.write(
        "notice_measures",
        pd.DataFrame({"notice_id": ["FA/ZB/1", "FA/ZB/2"], "measure_id": ["M1", "M2"]}),
    )
    store.write(
        "drawdowns",
        pd.DataFrame(
            {
                "id": ["FA/ZB/1/MA/1", "FA/ZB/1/MA/2", "FA/ZB/2/MA/1"],
                "notice_id": ["FA/ZB/1", "FA/ZB/1", "FA/ZB/2"],
                "requested": pd.to_datetime(["2023-09-01", "2024-02-01", "2024-11-15"]),
                "amount": [50_000.0, 28_000.2, 200_001.98],
                "received": pd.to_datetime(["2023-09-20", None, None]),
                "purpose": ["Abschlag", "Schlussrate", "-Abschlag Kita"],
            }
        ),
    )
    store.write(
        "measure_outputs",
        pd.DataFrame(
            {
                "measure_id": ["M1"],
                "quantity": ["spielflaeche_m2"],
                "unit": ["m²"],
                "planned": [800.0],
                "actual": [750.0],
            }
        ),
    )
    # goals: one with a target on the residents (a planning area equal to the funding area)
    store.write(
        "concepts",
        pd.DataFrame(
            {
                "id": ["K1"],
                "funding_area_id": ["FA"],
                "kind": ["ISEK"],
                "title": ["ISEK Nordstadt"],
                "valid_from_year": [2020],
            }
        ),
    )
    store.write(
        "goals",
        pd.DataFrame(
            {
                "id": ["Z1", "Z2"],
                "concept_id": ["K1", "K1"],
                "field_id": ["ss_oeffentlicher_raum", "ss_schule_bildung"],
                "title": ["Mehr Menschen wohnen im Quartier", "Bildungsorte öffnen"],
            }
        ),
    )
    store.write(
        "targets",
        pd.DataFrame(
            {
                "id": ["T1"],
                "goal_id": ["Z1"],
                "indicator": ["residents"],
                "baseline_period": [pd.Timestamp("2020-12-31")],
                "baseline_value": [1000.0],
                "target_period": [pd.Timestamp("2028-12-31")],
                "target_value": [1200.0],
            }
        ),
    )
    store.write(
        "areas",
        gpd.GeoDataFrame(
            {"id": ["P1"], "level": "PR", "vintage": "2020"},
            geometry=[shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)],
            crs=CRS,
        ),
    )
    store.write(
        "indicator_values",
        pd.DataFrame(
            {
                "area_id": ["P1", "P1"],
                "level": "PR",
                "vintage": "2020",
                "indicator": "residents",
                "period": pd.to_datetime(["2020-12-31", "2024-12-31"]),
                "value": [1000.0, 1150.0],
                "edition": "Amt für Statistik",
            }
        ),
    )
    store.write(
        "activities",
        gpd.GeoDataFrame(
            {
                "id": ["AK1", "AK2", "AK3"],
                "funding_area_id": ["FA"] * 3,
                "kind": ["Fest", "Workshop", "Workshop"],
                "title": ["Stadtteilfest", "Planungswerkstatt Kita", "Vorjahrestreffen"],
                "date": pd.to_datetime(["2024-06-01", "2024-09-10", "2023-03-03"]),
                "participants": [250, 35, 12],
            },
            geometry=[shapely.Point(X0 + 200, Y0 + 200)] * 3,
            crs=CRS,
        ),
    )
    store.write(
        "actors",
        pd.DataFrame(
            {
                "id": ["A1", "A2", "A3"],
                "funding_area_id": ["FA"] * 3,
                "name": ["Erika Mustermann", "Kiezverein Nordstadt e. V.", "Max Beispiel"],
                "type": ["Bewohner/in", "Verein", "Bewohner/in"],
                "is_person": [True, False, True],
                "consent": [True, None, True],
            }
        ),
    )
    store.write(
        "bodies",
        pd.DataFrame(
            {
                "id": ["G1"],
                "funding_area_id": ["FA"],
                "name": ["Quartiersbeirat"],
                "kind": ["Beirat"],
            }
        ),
    )


@pytest.fixture
def admin() -> User:
    return User("anna", "admin")


@pytest.fixture
def grants_gpkg(gpkg_url: str) -> Iterator[Store]:
    store = open_store(gpkg_url)
    store.init(crs=CRS)
    seed_grants(store)
    yield store
    store.close()


@pytest.fixture
def grants_pg(pg_url: str) -> Iterator[Store]:
    store = open_store(pg_url)
    store.init(crs=CRS)
    seed_grants(store)
    yield store
    store.close()
