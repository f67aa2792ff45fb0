"""Areal interpolation: hand-made boxes with known answers, tobler on real Berlin data."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Point, box

from indicators.errors import InterpolationError
from indicators.interpolation import (
    FLAG_AREA_FALLBACK,
    apply_weights,
    area_interpolate,
    area_weights,
    dasymetric_weights,
    intersection_areas,
)

CRS = "EPSG:25833"


def grid(nx: int, ny: int, size: float = 1.0, **columns: list[float]) -> gpd.GeoDataFrame:
    cells = [
        box(x * size, y * size, (x + 1) * size, (y + 1) * size)
        for y in range(ny)
        for x in range(nx)
    ]
    return gpd.GeoDataFrame(columns, geometry=cells, crs=CRS)


def test_counts_and_rates_on_boxes() -> None:
    src = grid(2, 1, residents=[100.0, 300.0], u15=[10.0, 60.0])
    tgt = gpd.GeoDataFrame(
        geometry=[box(0.5, 0, 1.5, 1), box(1.5, 0, 2.5, 1)], crs=CRS, index=["x", "y"]
    )
    out = area_interpolate(
        src, tgt, extensive=["residents", "u15"], rates={"share": ("u15", "residents")}
    )
    assert out.index.tolist() == ["x", "y"]
    assert out["residents"].tolist() == pytest.approx([200.0, 150.0])
    assert out["share"].tolist() == pytest.approx([100 * 35 / 200, 20.0])
    # half of source 1 lies outside every target: not allocated unless asked
    total = area_interpolate(src, tgt, extensive=["residents"], allocate_total=True)
    assert total["residents"].sum() == pytest.approx(400.0)


def test_target_without_overlap_and_missing_values() -> None:
    src = grid(2, 1, residents=[100.0, np.nan])
    tgt = gpd.GeoDataFrame(
        geometry=[box(0, 0, 1, 1), box(1.2, 0, 1.8, 1), box(5, 5, 6, 6)], crs=CRS
    )
    out = area_interpolate(src, tgt, extensive=["residents"])
    assert out["residents"].iloc[0] == pytest.approx(100.0)
    assert np.isnan(out["residents"].iloc[1])  # a share of an unknown value is unknown
    assert np.isnan(out["residents"].iloc[2])  # no overlap at all


@pytest.mark.parametrize("allocate_total", [False, True])
def test_a_target_no_source_covers_is_unknown_not_zero(allocate_total: bool) -> None:
    # two sources side by side (0..2 x 0..1); targets: one outside both, one half covered
    src = grid(2, 1, residents=[100.0, 300.0], u15=[10.0, 60.0])
    tgt = gpd.GeoDataFrame(
        geometry=[box(5, 5, 6, 6), box(1.5, 0, 2.5, 1), box(0, 0, 1, 1)],
        crs=CRS,
        index=["outside", "half", "inside"],
    )
    out = area_interpolate(
        src,
        tgt,
        extensive=["residents"],
        intensive=["u15"],
        rates={"share": ("u15", "residents")},
        allocate_total=allocate_total,
    )
    # nothing is known about the people outside every source: no value, not 0
    assert out.loc["outside", ["residents", "u15", "share"]].isna().all()
    # half covered: the covered half holds half of source 1; the uncovered half adds nothing
    # (allocate_total: all of source 1 goes to the only target covering part of it)
    expected_half = 300.0 if allocate_total else 150.0
    assert out.loc["half", "residents"] == pytest.approx(expected_half)
    assert out.loc["half", "share"] == pytest.approx(20.0)
    assert out.loc["half", "u15"] == pytest.approx(60.0)  # the average over the covered part
    assert out.loc["inside", "residents"] == pytest.approx(100.0)
    # a target that only touches a source along an edge gets no share of it either
    edge = gpd.GeoDataFrame(geometry=[box(2, 0, 3, 1)], crs=CRS)
    assert area_interpolate(src, edge, extensive=["residents"])["residents"].isna().all()


def test_layers_are_checked() -> None:
    src = grid(1, 1, residents=[1.0])
    with pytest.raises(InterpolationError, match="unterscheiden sich"):
        area_weights(src, src.to_crs("EPSG:25832"))
    with pytest.raises(InterpolationError, match="geographischen Bezugssystem"):
        area_weights(src.to_crs("EPSG:4326"), src.to_crs("EPSG:4326"))
    with pytest.raises(InterpolationError, match="kein Koordinatenbezugssystem"):
        area_weights(src.set_crs(None, allow_override=True), src)
    with pytest.raises(InterpolationError, match="fehlen die Spalte"):
        area_interpolate(src, src, extensive=["nope"])


def test_invalid_geometry_is_repaired() -> None:
    bowtie = gpd.GeoDataFrame(
        {"residents": [100.0]},
        geometry=gpd.GeoSeries.from_wkt(["POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))"]).values,
        crs=CRS,
    )
    out = area_interpolate(bowtie, grid(2, 2), extensive=["residents"])
    assert out["residents"].sum() == pytest.approx(100.0)


def test_dasymetric_points_and_footprints() -> None:
    src = grid(2, 1, residents=[400.0, 100.0])
    tgt = gpd.GeoDataFrame(geometry=[box(0, 0, 1.5, 1), box(1.5, 0, 2, 1)], crs=CRS)
    points = gpd.GeoDataFrame(
        {"dwellings": [30, 10, 0, 5]},
        geometry=[Point(0.5, 0.5), Point(0.7, 0.2), Point(1.9, 0.5), Point(1.2, 0.5)],
        crs=CRS,
    )
    w = dasymetric_weights(src, tgt, points)
    values = pd.DataFrame({"residents": [400.0, 100.0]})
    out = apply_weights(values, w, extensive=["residents"], target_index=tgt.index)
    # source 0: all dwellings in target 0; source 1: its only dwelled point in target 0
    assert out["residents"].tolist() == pytest.approx([500.0, 0.0])
    # a footprint across the target boundary is split by area; source 1 without
    # dwellings falls back to area weights and says so
    foot = gpd.GeoDataFrame({"dwellings": [40]}, geometry=[box(0.25, 0.25, 0.75, 0.75)], crs=CRS)
    foot2 = gpd.GeoDataFrame({"dwellings": [40]}, geometry=[box(0.5, 0.2, 1.0, 0.4)], crs=CRS)
    w2 = dasymetric_weights(src, tgt, pd.concat([foot, foot2], ignore_index=True))
    assert set(w2.loc[w2["source"] == 1, "flag"]) == {FLAG_AREA_FALLBACK}
    out2 = apply_weights(values, w2, extensive=["residents"], target_index=tgt.index)
    assert out2["residents"].tolist() == pytest.approx([400.0 + 50.0, 50.0])
    crossing = gpd.GeoDataFrame({"dwellings": [10]}, geometry=[box(0.5, 0, 1.5, 1)], crs=CRS)
    w3 = dasymetric_weights(src, tgt, crossing)
    assert w3.set_index(["source", "target"])["weight"].to_dict() == pytest.approx(
        {(0, 0): 1.0, (1, 0): 1.0, (1, 1): 0.0}
    )
    with pytest.raises(InterpolationError, match="keine Spalte 'dwellings'"):
        dasymetric_weights(src, tgt, crossing.rename(columns={"dwellings": "we"}))


@st.composite
def partitions(draw: st.DrawFn) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    nx, ny = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    values = draw(st.lists(st.integers(0, 10_000), min_size=nx * ny, max_size=nx * ny))
    src = grid(nx, ny, residents=[float(v) for v in values])
    cuts = sorted(set(draw(st.lists(st.floats(0.05, nx - 0.05), max_size=4))))
    xs = [0.0, *cuts, float(nx)]
    tgt = gpd.GeoDataFrame(
        geometry=[box(a, 0, b, ny) for a, b in zip(xs, xs[1:]) if b - a > 1e-6], crs=CRS
    )
    return src, tgt


@settings(max_examples=40, deadline=None)
@given(partitions(), st.randoms(use_true_random=False))
def test_totals_are_preserved_and_row_order_does_not_matter(layers, rnd) -> None:
    src, tgt = layers
    out = area_interpolate(src, tgt, extensive=["residents"])
    assert out["residents"].sum() == pytest.approx(src["residents"].sum(), rel=1e-9, abs=1e-6)
    order = list(src.index)
    rnd.shuffle(order)
    again = area_interpolate(src.loc[order], tgt, extensive=["residents"])
    np.testing.assert_allclose(again["residents"], out["residents"], rtol=1e-12, atol=1e-9)


# --- against tobler on real Berlin data ---------------------------------------------


@pytest.fixture(scope="module")
def berlin(real_data: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    plr = gpd.read_file(
        real_data / "berlin_lor_shapes/lor_post2021_PLR/lor_planungsraeume_2021.shp"
    )
    mss = pd.read_csv(
        real_data / "berlin_mss_2021/mss_2021_index_indikatoren.csv", dtype={"PLR_ID": str}
    )
    source = plr.merge(mss[["PLR_ID", "EW", "S1"]], on="PLR_ID", how="left", validate="1:1")
    source["EW"] = source["EW"].fillna(0.0)  # one PLR has no published population
    source["S1"] = source["S1"].where(source["S1"] >= 0, 0.0)
    folder = real_data / "berlin_erhaltungsgebiete"
    parts = [
        gpd.read_file(folder / f"milieuschutz_WFS_{kind}_origin.geojson")
        for kind in ("residential_protection", "urban_character_preservation")
    ]
    for part in parts:
        assert part.crs is not None and part.crs.to_epsg() == 25833
    assert plr.crs is not None and plr.crs.to_epsg() == 25833
    target = pd.concat([p[["schluessel", "geometry"]] for p in parts], ignore_index=True)
    return source, gpd.GeoDataFrame(target, geometry="geometry", crs=parts[0].crs)


@pytest.mark.parametrize("allocate_total", [False, True])
def test_equals_tobler_on_berlin_erhaltungsgebiete(berlin, allocate_total: bool) -> None:
    tobler = pytest.importorskip("tobler.area_weighted")
    source, target = berlin
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        expected = tobler.area_interpolate(
            source, target, extensive_variables=["EW"], intensive_variables=["S1"],
            allocate_total=allocate_total,
        )  # fmt: skip
        t1 = time.perf_counter()
    ours = area_interpolate(
        source, target, extensive=["EW"], intensive=["S1"], allocate_total=allocate_total
    )
    t2 = time.perf_counter()
    assert len(ours) == len(target) == 175
    assert ours.index.equals(target.index)
    # tobler keeps the overlap areas in float32: agreement to float32 precision only ...
    np.testing.assert_allclose(ours["EW"], expected["EW"], rtol=2.5e-7)
    np.testing.assert_allclose(ours["S1"], expected["S1"], rtol=2.5e-7)
    # ... and that is the whole difference: tobler's formula on our overlap areas gives
    # tobler's results exactly in float32, and ours in float64
    for dtype, reference, rtol in ((np.float32, expected, 0.0), (np.float64, ours, 1e-12)):
        ew, s1 = tobler_formula(source, target, dtype, allocate_total=allocate_total)
        np.testing.assert_allclose(ew, reference["EW"], rtol=rtol, atol=0)
        np.testing.assert_allclose(s1, reference["S1"], rtol=rtol, atol=0)
    assert ours["EW"].sum() > 1_000_000  # the preservation areas hold > 1 million residents
    print(f"tobler {t1 - t0:.3f}s, qmon {t2 - t1:.3f}s")


def tobler_formula(
    source: gpd.GeoDataFrame, target: gpd.GeoDataFrame, dtype: type, *, allocate_total: bool
) -> tuple[np.ndarray, np.ndarray]:
    """tobler 0.13's weighting (EW extensive, S1 intensive) on our overlap areas."""
    from scipy.sparse import coo_matrix, diags

    i, j, a, _ = intersection_areas(source, target)
    table = coo_matrix((a, (i, j)), shape=(len(source), len(target)), dtype=dtype).tocsr()
    den = np.asarray(table.sum(axis=1)) if allocate_total else source.area.to_numpy()
    den = (1.0 / (den + (den == 0))).reshape(-1)
    ew = np.asarray(diags([source["EW"].to_numpy()], [0]).dot(diags([den], [0]).dot(table)).sum(0))
    area = np.asarray(table.sum(axis=0))
    weights = table.dot(diags([(1.0 / (area + (area == 0))).reshape(-1)], [0]))
    s1 = np.asarray(diags([source["S1"].to_numpy()], [0]).dot(weights).sum(axis=0))
    return ew[0], s1[0]
