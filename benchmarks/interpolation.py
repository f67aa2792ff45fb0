"""Case 2: areal interpolation of the Berlin planning areas onto the 175 Erhaltungsgebiete
and onto a 1 km grid over Berlin's extent, ours against tobler's ``area_interpolate`` on
the same input (counts, and counts with rates).

Like with like: both sides run on one thread (tobler's default ``n_jobs=1``; ours
``workers=1``, the default) with ``allocate_total=True`` (tobler's default). The
results are compared where the two can agree:

- tobler keeps its overlap areas in a float32 matrix (``coo_matrix(..., dtype=np.float32)``
  in ``_area_tables_binning``), so its results differ from ours (float64) by up to about
  1.4e-7, relative. ``same_results`` checks both halves of that explanation: ours agrees
  with tobler within float32 precision (``rtol=2.5e-7``), and tobler's own formula on
  the overlap areas rounded to float32 reproduces tobler's output exactly (difference
  0), while in float64 it reproduces ours to 1e-12.
- a target cell that no source overlaps is NaN in ours (no data: nothing is known about
  the people there) and 0 in tobler; such cells (the grid cells outside Berlin) are
  counted in the notes and left out of the comparison, all other cells are compared.

Timing: each sample is ``REPEAT`` calls (a call takes about a tenth of a second, and the
CPU clock of ``os.times`` ticks in hundredths), medians of the samples, per call.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from benchmarks.data import REAL_DATA, berlin_planning_areas
from benchmarks.harness import Result, Timing, timed
from indicators.interpolation import area_interpolate, intersection_areas

BASELINE = "tobler area_interpolate (n_jobs=1, allocate_total=True)"
GOAL = "same results, ratio ≤ 1.0 in wall and in CPU time"
REPEAT = 5
#: tobler's float32 table: agreement within this relative difference
FLOAT32_RTOL = 2.5e-7
GRID_M = 1000.0


def berlin_inputs() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    plr = berlin_planning_areas()
    mss = pd.read_csv(
        REAL_DATA / "berlin_mss_2021" / "mss_2021_index_indikatoren.csv", dtype={"PLR_ID": str}
    )
    mss = mss.rename(columns={"PLR_ID": "id"})[["id", "EW", "S1"]]
    source = plr.merge(mss, on="id", how="left", validate="1:1")
    source["EW"] = source["EW"].fillna(0.0)
    source["S1"] = source["S1"].where(source["S1"] >= 0, 0.0)
    source["unemployed"] = source["S1"] * source["EW"] / 100  # a count behind the share
    folder = REAL_DATA / "berlin_erhaltungsgebiete"
    parts = [
        gpd.read_file(folder / f"milieuschutz_WFS_{kind}_origin.geojson")
        for kind in ("residential_protection", "urban_character_preservation")
    ]
    target = pd.concat([p[["schluessel", "geometry"]] for p in parts], ignore_index=True)
    return source, gpd.GeoDataFrame(target, geometry="geometry", crs=parts[0].crs)


def km_grid(frame: gpd.GeoDataFrame, size: float = GRID_M) -> gpd.GeoDataFrame:
    """Square cells of ``size`` metres on the km lines, covering ``frame``'s extent."""
    minx, miny, maxx, maxy = frame.total_bounds
    xs = np.arange(np.floor(minx / size) * size, maxx, size)
    ys = np.arange(np.floor(miny / size) * size, maxy, size)
    x, y = (a.ravel() for a in np.meshgrid(xs, ys))
    return gpd.GeoDataFrame(geometry=shapely.box(x, y, x + size, y + size), crs=frame.crs)


def _per_call(fn: Callable[[], Any], runs: int) -> Timing:
    def repeated() -> None:
        for _ in range(REPEAT):
            fn()

    t = timed(repeated, runs=runs)
    return Timing(t.wall / REPEAT, t.cpu / REPEAT)


def _tobler_formula(
    source: gpd.GeoDataFrame,
    target: gpd.GeoDataFrame,
    extensive: list[str],
    intensive: list[str],
    dtype: type,
) -> dict[str, np.ndarray]:
    """tobler's formula (allocate_total=True) on the overlap areas in ``dtype``, our
    pairs with their areas computed as tobler does (``area(intersection)``)."""
    from scipy.sparse import coo_matrix, diags

    i, j, _, _ = intersection_areas(source, target)
    src, tgt = source.geometry.values, target.geometry.values
    a = shapely.area(shapely.intersection(src[i], tgt[j]))
    table = coo_matrix((a, (i, j)), shape=(len(source), len(target)), dtype=dtype).tocsr()
    out = {}
    den = np.asarray(table.sum(axis=1))
    weights = diags([(1.0 / (den + (den == 0))).reshape(-1)], [0]).dot(table)
    for col in extensive:
        out[col] = np.asarray(diags([source[col].to_numpy()], [0]).dot(weights).sum(axis=0))[0]
    area = np.asarray(table.sum(axis=0))
    weights = table.dot(diags([(1.0 / (area + (area == 0))).reshape(-1)], [0]))
    for col in intensive:
        out[col] = np.asarray(diags([source[col].to_numpy()], [0]).dot(weights).sum(axis=0))[0]
    return out


def _compare(
    source: gpd.GeoDataFrame,
    target: gpd.GeoDataFrame,
    ours: pd.DataFrame,
    theirs: pd.DataFrame,
    extensive: list[str],
    intensive: list[str],
) -> dict[str, Any]:
    """Our results against tobler's, where both have data (see the module docstring)."""
    cols = [*extensive, *intensive]
    no_overlap = ours[cols[0]].isna().to_numpy()
    zeros_there = bool((theirs.loc[no_overlap, cols].to_numpy() == 0).all())
    f32 = _tobler_formula(source, target, extensive, intensive, np.float32)
    f64 = _tobler_formula(source, target, extensive, intensive, np.float64)
    max_rel = 0.0
    exact32 = same64 = True
    for c in cols:
        a, b = ours[c].to_numpy()[~no_overlap], theirs[c].to_numpy()[~no_overlap]
        max_rel = max(max_rel, float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))))
        exact32 &= bool(np.array_equal(f32[c], theirs[c].to_numpy()))
        same64 &= bool(np.allclose(f64[c][~no_overlap], a, rtol=1e-12, atol=0))
    same = max_rel <= FLOAT32_RTOL and exact32 and same64 and zeros_there
    return {
        "same_results": same,
        "max relative difference to tobler": float(f"{max_rel:.3g}"),
        "tobler's formula on the overlap areas in float32 equals tobler exactly": exact32,
        "tobler's formula on the overlap areas in float64 equals ours (1e-12)": same64,
        "targets without any overlap (ours NaN, tobler 0; not compared)": int(no_overlap.sum()),
        "tobler gives 0 on all of them": zeros_there,
    }


def _case(
    name: str,
    source: gpd.GeoDataFrame,
    target: gpd.GeoDataFrame,
    size: str,
    extensive: list[str],
    intensive: list[str],
    runs: int,
) -> Result:
    from tobler.area_weighted import area_interpolate as tobler_interpolate

    def ours() -> pd.DataFrame:
        return area_interpolate(
            source, target, extensive=extensive, intensive=intensive, allocate_total=True
        )

    def tobler() -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return tobler_interpolate(
                source,
                target,
                extensive_variables=extensive,
                intensive_variables=intensive or None,
                allocate_total=True,
                n_jobs=1,
            )

    notes = _compare(source, target, ours(), tobler(), extensive, intensive)
    a, b = _per_call(ours, runs), _per_call(tobler, runs)
    cpu_ratio = a.cpu / b.cpu if b.cpu else float("inf")
    notes["samples"] = f"median of {runs} samples of {REPEAT} calls each, per call"
    return Result.timed(
        name,
        size,
        a,
        b,
        BASELINE,
        GOAL,
        1.0,
        holds=bool(notes["same_results"]) and cpu_ratio <= 1.0,
        notes=notes,
    )


def run(*, quick: bool = False) -> list[Result]:
    source, target = berlin_inputs()
    grid = km_grid(source)
    runs = 3 if quick else 7
    towards = f"{len(source)} planning areas → {len(target)} Erhaltungsgebiete"
    cells = f"{len(source)} planning areas → {len(grid):,} cells of 1 km (Berlin's extent)"
    rates = (["EW", "unemployed"], ["S1"])
    return [
        _case("areal interpolation, counts", source, target, towards, ["EW"], [], runs),
        _case("areal interpolation, counts and rates", source, target, towards, *rates, runs),
        _case("areal interpolation, counts onto a grid", source, grid, cells, ["EW"], [], runs),
    ]
