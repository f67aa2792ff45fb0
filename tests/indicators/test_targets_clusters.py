"""Targets, funding area against the rest of the city, and local Moran clusters."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely import box

from indicators.clusters import local_moran
from indicators.errors import AggregationError, FrameError, TargetError
from indicators.registry import load_registry
from indicators.targets import attainment, compare_with_rest

REG = load_registry()


def targets_frame(**overrides: list[object]) -> pd.DataFrame:
    base: dict[str, list[object]] = {
        "indicator": ["vacancy_rate"],
        "baseline_period": [2016],
        "baseline_value": [10.0],
        "target_period": [2026],
        "target_value": [5.0],
    }
    return pd.DataFrame(base | overrides)


def test_attainment_statuses() -> None:
    t = pd.concat(
        [
            targets_frame(),
            targets_frame(indicator=["residents"], baseline_value=[1000.0], target_value=[1100.0]),
            targets_frame(indicator=["share_u15"]),
            targets_frame(indicator=["sgb2_rate"], target_value=[10.0]),
        ],
        ignore_index=True,
    )
    t.index = ["v", "r", "u", "s"]
    values = pd.DataFrame(
        {
            "indicator": ["vacancy_rate", "vacancy_rate", "residents", "share_u15", "sgb2_rate"],
            "period": [2014, 2021, 2021, 2015, 2021],
            "value": [12.0, 8.0, 1120.0, 3.0, 9.0],
        }
    )
    out = attainment(t, values)
    assert list(out.index) == ["v", "r", "u", "s"]
    assert out.loc["v", "attainment_pct"] == pytest.approx(40.0)
    assert out.loc["v", "expected_pct"] == pytest.approx(50.0)
    assert out.loc["v", "path_value"] == pytest.approx(7.5)
    assert out["status"].tolist() == ["off_track", "reached", "no_data", "undefined"]
    assert out.loc["v", "status_label"] == "nicht im Plan"
    assert out["on_track"].tolist() == [False, True, pd.NA, pd.NA]
    assert out.loc["r", "latest_period"] == 2021


def test_attainment_with_dates_and_refusals() -> None:
    t = targets_frame(baseline_period=["2020-12-31"], target_period=["2024-12-31"])
    v = pd.DataFrame({"indicator": ["vacancy_rate"], "period": ["2022-12-31"], "value": [7.4]})
    out = attainment(t, v)
    assert out.loc[0, "expected_pct"] == pytest.approx(50.0, abs=0.1)
    assert out.loc[0, "status"] == "on_track"
    with pytest.raises(TargetError, match="nicht nach dem Ausgangszeitraum"):
        attainment(targets_frame(target_period=[2016]), v)
    with pytest.raises(FrameError, match="target_value"):
        attainment(targets_frame().drop(columns="target_value"), v)


@given(
    st.floats(0, 100), st.floats(0, 100), st.floats(0, 100),
    st.integers(2000, 2010), st.integers(1, 20), st.integers(0, 25),
)  # fmt: skip
def test_on_track_means_at_or_beyond_the_straight_path(b, z, x, t0, span, dt) -> None:
    t = targets_frame(baseline_period=[t0], baseline_value=[b], target_period=[t0 + span],
                      target_value=[z])  # fmt: skip
    v = pd.DataFrame({"indicator": ["vacancy_rate"], "period": [t0 + dt], "value": [x]})
    row = attainment(t, v).iloc[0]
    if dt == 0:
        assert row["status"] == "no_data"
    elif b == z:
        assert row["status"] == "undefined"
    else:
        path = b + (z - b) * min(1.0, dt / span)  # the straight path, computed here
        margin = (x - path) * np.sign(z - b)
        if abs(margin) > 1e-9 * max(1.0, abs(z - b)):  # not on the path itself
            assert (row["status"] in ("on_track", "reached")) == (margin > 0)
        assert row["path_value"] == pytest.approx(path)


def test_funding_area_against_the_rest() -> None:
    rows = []
    data = {2016: (40, 400, 40, 1600), 2019: (30, 400, 40, 1600), 2022: (20, 400, 36, 1600)}
    for year, (ua, ra, ub, rb) in data.items():
        rows += [("a", "unemployed", year, ua), ("a", "residents_15_64", year, ra),
                 ("b", "unemployed", year, ub), ("b", "residents_15_64", year, rb)]  # fmt: skip
    long = pd.DataFrame(rows, columns=["area_id", "indicator", "period", "value"])
    out = compare_with_rest(long, ["a"], REG, indicator="unemployment_rate", start_period=2017)
    assert out["area_value"].tolist() == pytest.approx([10.0, 7.5, 5.0])
    assert out["rest_value"].tolist() == pytest.approx([2.5, 2.5, 2.25])
    assert out["city_value"].tolist() == pytest.approx([4.0, 3.5, 2.8])
    assert out["gap_change"].tolist() == pytest.approx([0.0, -2.5, -4.75])
    assert set(out["baseline_period"]) == {2016}
    half = compare_with_rest(
        long, {"a": 0.5}, REG, indicator="unemployment_rate", start_period=2015
    )
    assert half["area_value"].tolist() == pytest.approx([10.0, 7.5, 5.0])
    assert half["rest_value"].iloc[0] == pytest.approx(100 * 60 / 1800)
    with pytest.raises(AggregationError, match="kein Verhältnis von Anzahlen"):
        compare_with_rest(long, ["a"], REG, indicator="mss_s1", start_period=2017)
    with pytest.raises(FrameError, match="ohne Werte"):
        compare_with_rest(long, ["zz"], REG, indicator="unemployment_rate", start_period=2017)


# --- local Moran's I ------------------------------------------------------------


def checkerboard(n: int = 5) -> gpd.GeoDataFrame:
    cells = [box(x, y, x + 1, y + 1) for y in range(n) for x in range(n)]
    values = [float((x < 2) and (y < 2)) * 10 + (x + y) % 2 for y in range(n) for x in range(n)]
    return gpd.GeoDataFrame({"v": values}, geometry=cells, crs="EPSG:25833")


def test_moran_is_reproducible_and_handles_gaps() -> None:
    g = checkerboard()
    g.loc[24, "v"] = np.nan
    island = gpd.GeoDataFrame({"v": [3.0]}, geometry=[box(50, 50, 51, 51)], crs=g.crs)
    g = pd.concat([g, island], ignore_index=True)
    g.index = [f"a{k}" for k in range(len(g))]
    first = local_moran(g, "v", seed=7)
    again = local_moran(g, "v", seed=7)
    pd.testing.assert_frame_equal(first, again)
    assert list(first.index) == list(g.index)
    assert first.loc["a24", "cluster"] is None and first.loc[["a24"], "p_value"].isna().all()
    assert first.loc["a25", "cluster"] == "ns"  # an island has no neighbours
    assert set(first.loc[["a0", "a1", "a5", "a6"], "cluster"]) == {"HH"}
    assert set(first["cluster"].dropna()) <= {"HH", "LL", "HL", "LH", "ns"}
    with pytest.raises(FrameError, match="keine Spalte"):
        local_moran(g, "nope")
    with pytest.raises(FrameError, match="mindestens drei"):
        local_moran(g.iloc[:2], "v")


def test_moran_on_berlin_child_poverty_matches_esda(real_data: Path) -> None:
    import esda
    from libpysal.weights import Queen

    plr = gpd.read_file(
        real_data / "berlin_lor_shapes/lor_post2021_PLR/lor_planungsraeume_2021.shp"
    )
    mss = pd.read_csv(real_data / "berlin_mss_2021/mss_2021_index_indikatoren.csv",
                      dtype={"PLR_ID": str})  # fmt: skip
    areas = plr.merge(mss[["PLR_ID", "S4"]], on="PLR_ID", validate="1:1")
    areas["S4"] = areas["S4"].where(areas["S4"] != -9999)
    result = local_moran(areas, "S4", permutations=199, seed=42)
    assert result["cluster"].isna().sum() == 6  # the six invalid planning areas
    valid = areas[areas["S4"].notna()].reset_index(drop=True)
    w = Queen.from_dataframe(valid, use_index=False)
    w.transform = "r"
    direct = esda.Moran_Local(valid["S4"].to_numpy(), w, permutations=199, seed=42)
    ours = result[result["value"].notna()].reset_index(drop=True)
    np.testing.assert_allclose(ours["moran_i"], direct.Is)
    np.testing.assert_allclose(ours["p_value"], direct.p_sim)
    counts = result["cluster"].value_counts()
    assert counts["HH"] > 30 and counts["LL"] > 30
    means = result.groupby("cluster")["value"].mean()
    assert means["HH"] > 2 * means["LL"]
