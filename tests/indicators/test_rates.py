"""Rates, aggregation and disclosure control on small frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.disclosure import suppress
from indicators.errors import AggregationError, FrameError
from indicators.rates import aggregate, compute_rates, pivot_wide, to_long
from indicators.registry import load_registry

REG = load_registry()


def long_counts(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["area_id", "indicator", "period", "value"])


def test_rates_from_counts() -> None:
    frame = long_counts(
        [
            ("a", "residents", 2020, 1000.0),
            ("a", "residents_u15", 2020, 200.0),
            ("a", "sgb2_children_u15", 2020, 50.0),
            ("a", "sgb2_recipients", 2020, 150.0),
        ]
    )
    out = compute_rates(frame, REG).set_index("indicator")
    assert out.loc["child_poverty_rate", "value"] == pytest.approx(25.0)
    assert out.loc["sgb2_rate", "value"] == pytest.approx(15.0)
    assert out.loc["share_u15", "value"] == pytest.approx(20.0)
    assert "unemployment_rate" not in out.index  # its counts are absent


def test_population_change_uses_previous_period() -> None:
    frame = long_counts(
        [
            ("a", "residents", 2018, 1000.0),
            ("a", "residents", 2020, 1100.0),
            ("a", "residents", 2022, 990.0),
            ("b", "residents", 2022, 50.0),
        ]
    )
    out = compute_rates(frame, REG, indicators=["population_change"])
    assert out["period"].tolist() == [2020, 2022]
    assert out["value"].tolist() == pytest.approx([10.0, -10.0])
    assert out["denominator"].tolist() == [1000.0, 1100.0]


def test_missing_counts_and_published_shares_are_refused() -> None:
    frame = long_counts([("a", "unemployed", 2020, 5.0)])
    with pytest.raises(FrameError, match="residents_15_64"):
        compute_rates(frame, REG, indicators=["unemployment_rate"])
    with pytest.raises(AggregationError, match="mss_s1"):
        aggregate(frame, {"a": "P"}, REG, indicators=["mss_s1"])
    with pytest.raises(FrameError, match="ohne übergeordnetes Gebiet"):
        aggregate(frame, {"b": "P"}, REG)
    with pytest.raises(FrameError, match="wiederholen"):
        pivot_wide(pd.concat([frame, frame]))
    with pytest.raises(FrameError, match="fehlen die Spalte"):
        compute_rates(frame.drop(columns="period"), REG)


def test_aggregation_recomputes_instead_of_averaging() -> None:
    frame = long_counts(
        [
            ("a", "unemployed", 2020, 10.0),
            ("a", "residents_15_64", 2020, 100.0),  # 10 %
            ("b", "unemployed", 2020, 10.0),
            ("b", "residents_15_64", 2020, 900.0),  # 1.11 %
        ]
    )
    out = aggregate(frame, {"a": "P", "b": "P"}, REG).set_index("indicator")
    assert out.loc["unemployment_rate", "value"] == pytest.approx(2.0)  # not 5.56
    assert out.loc["unemployment_rate", "numerator"] == 20.0


def test_aggregation_marks_incomplete_parents() -> None:
    frame = long_counts(
        [
            ("a", "dwellings", 2020, 100.0),
            ("a", "vacant_dwellings", 2020, 5.0),
            ("b", "dwellings", 2020, 100.0),
        ]
    )
    out = aggregate(frame, {"a": "P", "b": "P"}, REG).set_index("indicator")
    assert out.loc["dwellings", "value"] == 200.0
    assert out.loc[["vacant_dwellings"], "value"].isna().all()
    assert out.loc["vacant_dwellings", "flag"] == "incomplete"
    assert out.loc["vacancy_rate", "flag"] == "incomplete"
    assert out.loc[["vacancy_rate"], "value"].isna().all()


area_rows = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5000),
        st.integers(min_value=0, max_value=5000),
        st.sampled_from(["P", "Q", "R"]),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(area_rows, st.randoms(use_true_random=False))
def test_aggregation_preserves_totals_and_ignores_row_order(rows, rnd) -> None:
    records = []
    parents = {}
    for i, (unemployed, extra, parent) in enumerate(rows):
        area = f"a{i}"
        parents[area] = parent
        records.append((area, "unemployed", 2020, float(unemployed)))
        records.append((area, "residents_15_64", 2020, float(unemployed + extra)))
    frame = long_counts(records)
    out = aggregate(frame, parents, REG)
    counts = out[out["indicator"] == "unemployed"]
    assert counts["value"].sum() == pytest.approx(
        frame.loc[frame.indicator == "unemployed", "value"].sum()
    )
    shuffled = frame.sample(frac=1.0, random_state=rnd.randint(0, 10_000))
    again = aggregate(shuffled, parents, REG)
    key = ["area_id", "indicator", "period"]
    pd.testing.assert_frame_equal(
        out.sort_values(key).reset_index(drop=True), again.sort_values(key).reset_index(drop=True)
    )
    rates = out[out["indicator"] == "unemployment_rate"].set_index("area_id")
    for parent, rate in rates["value"].items():
        members = [a for a, p in parents.items() if p == parent]
        num = sum(v for a, k, _, v in records if a in members and k == "unemployed")
        den = sum(v for a, k, _, v in records if a in members and k == "residents_15_64")
        if den == 0:
            assert np.isnan(rate)
        else:
            assert rate == pytest.approx(100 * num / den)


def test_pivot_roundtrip() -> None:
    frame = long_counts([("a", "x", 1, 1.0), ("b", "y", 1, 2.0)])
    back = to_long(pivot_wide(frame))
    pd.testing.assert_frame_equal(back, frame.sort_values(["area_id"]).reset_index(drop=True))


def test_suppression_keeps_rows_and_flags_them() -> None:
    frame = long_counts(
        [
            ("a", "residents", 2020, 299.0),
            ("a", "unemployed", 2020, 40.0),
            ("b", "residents", 2020, 300.0),
            ("b", "unemployed", 2020, 2.0),
            ("c", "unemployed", 2020, 80.0),  # population unknown
        ]
    )
    frame.index = [10, 11, 12, 13, 14]
    out = suppress(frame)
    assert list(out.index) == [10, 11, 12, 13, 14]
    assert out["flag"].tolist() == [None, "suppressed", None, None, "suppressed"]
    assert out["value"].isna().tolist() == [False, True, False, False, True]
    strict = suppress(frame, min_count=3, minimum=100)
    assert strict["flag"].tolist() == [None, None, None, "suppressed", "suppressed"]
    assert frame["value"].notna().all()  # input unchanged
    with pytest.raises(FrameError, match="Einwohner-Indikators 'residents'"):
        suppress(frame[frame.indicator == "unemployed"])


def test_suppression_blanks_numerators_of_rates() -> None:
    counts = long_counts(
        [
            ("a", "residents", 2020, 200.0),
            ("a", "residents_15_64", 2020, 150.0),
            ("a", "unemployed", 2020, 9.0),
        ]
    )
    rates = compute_rates(counts, REG, indicators=["unemployment_rate"])
    both = pd.concat([counts, rates], ignore_index=True)
    out = suppress(both, minimum=300).set_index("indicator")
    assert out.loc[["unemployment_rate"], "numerator"].isna().all()
    assert out.loc["unemployment_rate", "flag"] == "suppressed"
    assert out.loc["residents", "value"] == 200.0
