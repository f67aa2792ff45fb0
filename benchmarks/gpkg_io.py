"""Case 5: reading (and writing) the GeoPackage store."""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd

from benchmarks.data import synthetic_buildings
from benchmarks.harness import Result, median_seconds
from geo.store import open_store


def read_gpkg(n: int, *, runs: int = 3) -> Result:
    """Case 5: reading the buildings layer of the GeoPackage store against geopandas.read_file."""
    buildings = synthetic_buildings(n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.gpkg"
        store = open_store(str(path))
        store.init(crs=buildings.crs)
        store.write("buildings", buildings)

        def ours() -> None:
            store.read("buildings")

        def baseline() -> None:
            gpd.read_file(path, layer="buildings")

        a = median_seconds(ours, runs=runs)
        b = median_seconds(baseline, runs=runs)
    return Result(
        "read buildings from the GeoPackage store",
        f"{n:,} buildings",
        "seconds",
        a,
        b,
        "geopandas.read_file",
        "ratio ≤ 1.0",
        1.0,
    )
