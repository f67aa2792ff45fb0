"""The funding area against the rest of the city: one edition of a series, never two summed."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.store.base import Store
from monitoring import services
from monitoring.auth import User
from tests.monitoring.conftest import CRS, X0, Y0


def test_two_editions_of_a_count_are_not_added_up(tiny_gpkg: Store, admin: User) -> None:
    # two planning areas: the funding area (1 km square at X0, Y0) covers the first one exactly
    cells = [
        shapely.box(X0, Y0, X0 + 1000, Y0 + 1000),
        shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000),
    ]
    tiny_gpkg.write(
        "areas",
        gpd.GeoDataFrame(
            {"id": ["P1", "P2"], "level": "PR", "vintage": "2020"}, geometry=cells, crs=CRS
        ),
    )
    rows = [
        (area, edition, value)
        for edition, scale in (("Amt für Statistik", 1.0), ("Einwohnermelderegister", 1.02))
        for area, value in (("P1", 1000.0 * scale), ("P2", 3000.0 * scale))
    ]
    tiny_gpkg.write(
        "indicator_values",
        pd.DataFrame(
            {
                "area_id": [r[0] for r in rows],
                "level": "PR",
                "vintage": "2020",
                "indicator": "residents",
                "period": pd.Timestamp("2024-12-31"),
                "value": [r[2] for r in rows],
                "edition": [r[1] for r in rows],
            }
        ),
    )
    got = services.compare_area(tiny_gpkg, admin, "FA", "residents")
    assert got["city"].tolist() in ([4000.0], [4080.0])  # one edition, never 8080
    assert got["area"].iloc[0] * 4 == got["city"].iloc[0]


def test_an_indicator_of_the_city_catalogue_is_compared(tiny_gpkg: Store, admin: User) -> None:
    """compare_area uses the store's catalogue: a city's own count is known there."""
    from indicators.errors import UnknownIndicatorError
    from monitoring import catalogue

    cells = [
        shapely.box(X0, Y0, X0 + 1000, Y0 + 1000),
        shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000),
    ]
    tiny_gpkg.write(
        "areas",
        gpd.GeoDataFrame(
            {"id": ["P1", "P2"], "level": "PR", "vintage": "2020"}, geometry=cells, crs=CRS
        ),
    )
    tiny_gpkg.write(
        "indicator_values",
        pd.DataFrame(
            {
                "area_id": ["P1", "P2"],
                "level": "PR",
                "vintage": "2020",
                "indicator": "kitaplaetze",
                "period": pd.Timestamp("2024-12-31"),
                "value": [120.0, 300.0],
                "edition": "Jugendamt",
            }
        ),
    )
    with pytest.raises(UnknownIndicatorError):  # without a catalogue entry the key is unknown
        services.compare_area(tiny_gpkg, admin, "FA", "kitaplaetze")
    catalogue.save_indicator_def(
        tiny_gpkg, admin, {"key": "kitaplaetze", "label": "Kitaplätze", "kind": "count"}
    )
    got = services.compare_area(tiny_gpkg, admin, "FA", "kitaplaetze")
    assert got["area"].tolist() == [120.0] and got["city"].tolist() == [420.0]
