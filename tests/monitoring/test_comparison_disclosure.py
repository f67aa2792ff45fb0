"""Area vs city: which statistical areas lack a value, and suppressed vs no value."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from indicators.registry import load_registry
from monitoring.renewal.comparison import area_vs_rest, comparison_text, disclosed_comparison

CRS = "EPSG:25832"
WHEN = pd.to_datetime(["2022-12-31", "2023-12-31"])


def _areas() -> gpd.GeoDataFrame:
    """Four districts of 1 km² in a row."""
    return gpd.GeoDataFrame(
        {"id": ["A", "B", "C", "D"]},
        geometry=[shapely.box(k * 1000, 0, (k + 1) * 1000, 1000) for k in range(4)],
        crs=CRS,
    )


def _values(*, secret: str | None = None) -> pd.DataFrame:
    rows = []
    for t, period in enumerate(WHEN):
        for k, area in enumerate("ABCD"):
            working = 1000.0 * (k + 1)
            unemployed = None if (area == secret and t == 1) else 50.0 * (k + 1) + t
            rows += [
                (area, "residents", period, working * 1.5),
                (area, "residents_15_64", period, working),
                (area, "unemployed", period, unemployed),
            ]
    return pd.DataFrame(rows, columns=["area_id", "indicator", "period", "value"])


def test_areas_without_a_value_are_counted_per_part_and_period() -> None:
    target = shapely.box(0, 0, 1500, 1000)  # A wholly, half of B
    out = area_vs_rest(
        _values(secret="B"), _areas(), target, "unemployment_rate", registry=load_registry()
    )
    assert out[["area_missing", "rest_missing", "city_missing"]].values.tolist() == [
        [0, 0, 0],
        [1, 1, 1],  # B overlaps the funding area and the rest
    ]
    out = area_vs_rest(
        _values(secret="D"), _areas(), target, "unemployed", registry=load_registry()
    )
    assert out[["area_missing", "rest_missing", "city_missing"]].values.tolist() == [
        [0, 0, 0],
        [0, 1, 1],  # D lies outside the funding area: its figure is complete
    ]


def test_no_value_and_suppressed_stay_apart_and_are_never_numbers() -> None:
    registry = load_registry()
    target = shapely.box(3900, 0, 4000, 1000)  # a sliver of D: 10 % of 6000 residents
    values = _values(secret="C")
    table = area_vs_rest(values, _areas(), target, "unemployment_rate", registry=registry)
    residents = area_vs_rest(values, _areas(), target, "residents", registry=registry)
    shown = disclosed_comparison(table, residents, indicator="unemployment_rate", minimum=700)
    assert shown["area_reason"].tolist() == ["suppressed", "suppressed"]  # 600 residents
    assert shown["rest_reason"].tolist() == [None, "no_value"]
    assert shown["city_reason"].tolist() == [None, "no_value"]
    assert shown["area"].isna().all() and shown.iloc[1][["rest", "city"]].isna().all()
    assert shown.iloc[0]["city"] == table.iloc[0]["city"]
    text = comparison_text(shown, unit="%", minimum=700, level="Ortsteil")
    assert text["area"].tolist() == ["unterdrückt (weniger als 700 Einwohner)"] * 2
    assert text.iloc[1]["city"] == "keine Angabe (ohne Wert: 1 Ortsteil)"
    assert text["gap"].tolist() == ["–", "–"]
    # the resident count itself is never suppressed
    own = disclosed_comparison(residents, residents, indicator="residents", minimum=700)
    assert own["area"].tolist() == [600.0, 600.0]
    # without any resident count nothing can be judged: shown as computed, only the
    # missing figures stay missing
    blind = disclosed_comparison(table, None, indicator="unemployment_rate")
    assert blind["area_reason"].tolist() == [None, None]
    assert blind["city_reason"].tolist() == [None, "no_value"]
