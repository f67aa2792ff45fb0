"""The city's value of a rate (population-weighted, from counts) and the class distribution."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators.errors import AggregationError
from indicators.registry import load_registry
from indicators.social_index import class_distribution, compute_index, load_profile
from indicators.stored import city_series

REGISTRY = load_registry()
PERIODS = pd.to_datetime(["2020-12-31", "2022-12-31"])


def _values(rows: list[tuple[str, str, pd.Timestamp, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["area_id", "indicator", "period", "value"])


def test_the_city_rate_weights_the_areas_by_their_denominators() -> None:
    # a: 10 of 100 (10 %), b: 90 of 900 ... then b grows: plain mean and weighted differ
    rows = [
        ("a", "unemployed", PERIODS[0], 10.0),
        ("a", "residents_15_64", PERIODS[0], 100.0),
        ("b", "unemployed", PERIODS[0], 18.0),
        ("b", "residents_15_64", PERIODS[0], 900.0),
        ("a", "unemployed", PERIODS[1], 20.0),
        ("a", "residents_15_64", PERIODS[1], 100.0),
        ("b", "unemployed", PERIODS[1], 27.0),
        ("b", "residents_15_64", PERIODS[1], 900.0),
    ]
    city = city_series(_values(rows), REGISTRY, "unemployment_rate")
    assert city["period"].tolist() == list(PERIODS)
    # (10 + 18) / 1000 and (20 + 27) / 1000, in percent; the plain means would be 6 and 11.5
    assert city["value"].tolist() == pytest.approx([2.8, 4.7])


def test_a_period_with_a_missing_count_has_no_city_value() -> None:
    rows = [
        ("a", "vacant_dwellings", PERIODS[0], 5.0),
        ("a", "dwellings", PERIODS[0], 100.0),
        ("b", "vacant_dwellings", PERIODS[0], 5.0),
        ("b", "dwellings", PERIODS[0], 100.0),
        ("a", "vacant_dwellings", PERIODS[1], 5.0),
        ("a", "dwellings", PERIODS[1], 100.0),
        ("b", "dwellings", PERIODS[1], 100.0),  # b's vacant dwellings are missing
    ]
    city = city_series(_values(rows), REGISTRY, "vacancy_rate")
    assert city["value"].iloc[0] == pytest.approx(5.0)
    assert np.isnan(city["value"].iloc[1])


def test_counts_and_published_shares_have_no_comparable_city_value() -> None:
    rows = [("a", "residents", PERIODS[0], 100.0)]
    with pytest.raises(AggregationError, match="residents.*count"):
        city_series(_values(rows), REGISTRY, "residents")
    published = next(d.key for d in REGISTRY.of_kind("share") if not d.derived)
    with pytest.raises(AggregationError, match="choose a share or a rate"):
        city_series(_values([("a", published, PERIODS[0], 12.0)]), REGISTRY, published)


def test_no_counts_stored_gives_an_empty_city_series() -> None:
    city = city_series(_values([("a", "residents", PERIODS[0], 1.0)]), REGISTRY, "vacancy_rate")
    assert city.empty and list(city.columns) == ["period", "value"]


def test_class_distribution_lists_every_class_and_counts_what_the_index_assigned() -> None:
    profile = load_profile("berlin-mss-2021")
    rng = np.random.default_rng(11)
    n = 40
    table = pd.DataFrame({"id": [f"A{k}" for k in range(n)], "population": 1000.0})
    for ind in profile.status:
        table[ind.column] = rng.normal(10, 3, n)
    for ind in profile.dynamics:
        table[ind.column] = rng.normal(0, 1, n)
    result = compute_index(table, profile, id_column="id", population_column="population")
    dist = class_distribution(result, profile)
    status = dist[dist["part"] == "status"]
    assert status["code"].tolist() == [c.code for c in profile.status_classes]
    assert status["label"].tolist() == [c.label for c in profile.status_classes]
    for code, areas in zip(status["code"], status["areas"]):
        assert areas == int((result["status_class"] == code).sum())
    assert int(status["areas"].sum()) == int(result["valid"].sum()) == n
    assert (status["areas"] > 0).sum() >= 3  # several classes are filled
    dynamics = dist[dist["part"] == "dynamics"]
    assert dynamics["code"].tolist() == [c.code for c in profile.dynamics_classes]
