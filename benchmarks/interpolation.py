"""Case 2: areal interpolation of the Berlin planning areas onto the 175 Erhaltungsgebiete,
ours against tobler's ``area_interpolate`` on the same input, counts and rates."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd

from benchmarks.data import REAL_DATA, berlin_planning_areas
from benchmarks.harness import Result, median_seconds
from indicators.interpolation import area_interpolate


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


def run(*, quick: bool = False) -> list[Result]:
    from tobler.area_weighted import area_interpolate as tobler_interpolate

    source, target = berlin_inputs()
    runs = 3 if quick else 7

    def ours_counts() -> pd.DataFrame:
        return area_interpolate(source, target, extensive=["EW"], allocate_total=True)

    def tobler_counts() -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return tobler_interpolate(
                source, target, extensive_variables=["EW"], allocate_total=True
            )

    def ours_rates() -> pd.DataFrame:
        return area_interpolate(
            source, target, extensive=["EW", "unemployed"], intensive=["S1"], allocate_total=True
        )

    def tobler_rates() -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return tobler_interpolate(
                source,
                target,
                extensive_variables=["EW", "unemployed"],
                intensive_variables=["S1"],
                allocate_total=True,
            )

    same_counts = np.allclose(ours_counts()["EW"], tobler_counts()["EW"], rtol=1e-6)
    a, b = ours_rates(), tobler_rates()
    same_rates = all(np.allclose(a[c], b[c], rtol=1e-6) for c in ("EW", "unemployed", "S1"))
    size = f"{len(source)} planning areas → {len(target)} Erhaltungsgebiete"
    return [
        Result(
            "areal interpolation, counts",
            size,
            "seconds",
            median_seconds(ours_counts, runs=runs),
            median_seconds(tobler_counts, runs=runs),
            "tobler area_interpolate",
            "same results, ratio ≤ 1.0",
            1.0,
            notes={"same_results": bool(same_counts)},
        ),
        Result(
            "areal interpolation, counts and rates",
            size,
            "seconds",
            median_seconds(ours_rates, runs=runs),
            median_seconds(tobler_rates, runs=runs),
            "tobler area_interpolate",
            "same results, ratio ≤ 1.0",
            1.0,
            notes={"same_results": bool(same_rates)},
        ),
    ]
