"""Case 5: reading and writing the GeoPackage store against pyogrio with Arrow.

Both sides run alternately (ours, baseline, ours, …) on the same input and the
medians count, so that a busy machine slows both alike. Preparing a run (a fresh
store, a fresh file) is not timed.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

from benchmarks.data import synthetic_buildings
from benchmarks.harness import Result, Timing, _cpu_now
from geo.store import open_store
from geo.store.gpkg import GeoPackageStore

READ_BASELINE = "pyogrio.read_dataframe(use_arrow=True)"
WRITE_BASELINE = "pyogrio.write_dataframe(use_arrow=True), R-tree"


def alternated(
    ours: Callable[[], object],
    baseline: Callable[[], object],
    *,
    runs: int,
    before: Callable[[], object] | None = None,
) -> tuple[Timing, Timing]:
    """Median wall and CPU time of ``ours`` and ``baseline``, run in turn after a warm-up each.

    ``before`` (untimed) runs ahead of every call of either side.
    """
    samples: dict[str, tuple[list[float], list[float]]] = {"a": ([], []), "b": ([], [])}
    for i in range(runs + 1):
        for key, fn in (("a", ours), ("b", baseline)):
            if before is not None:
                before()
            cpu = _cpu_now()
            start = time.perf_counter()
            fn()
            wall = time.perf_counter() - start
            if i:  # the first round warms up
                samples[key][0].append(wall)
                samples[key][1].append(_cpu_now() - cpu)
    a, b = samples["a"], samples["b"]
    return (
        Timing(statistics.median(a[0]), statistics.median(a[1])),
        Timing(statistics.median(b[0]), statistics.median(b[1])),
    )


def read_gpkg(n: int, *, runs: int = 5) -> Result:
    """Reading the buildings layer of the store against pyogrio's Arrow read of the same file."""
    buildings = synthetic_buildings(n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.gpkg"
        store = open_store(str(path))
        store.init(crs=buildings.crs)
        store.write("buildings", buildings)
        same = _same_frame(store.read("buildings"), buildings)
        ours, base = alternated(
            lambda: store.read("buildings"),
            lambda: pyogrio.read_dataframe(path, layer="buildings", use_arrow=True),
            runs=runs,
        )
    return Result.timed(
        "read buildings from the GeoPackage store",
        f"{n:,} buildings",
        ours,
        base,
        READ_BASELINE,
        "ratio ≤ 0.8",
        0.8,
        holds=same,
        notes={
            "ours": "store.read('buildings'): GDAL's Arrow table to the frame of our dtypes, "
            "sorted by key",
            "holds": "the frame read equals the frame written (dtypes, values, geometry)",
        },
    )


def write_gpkg(sizes: tuple[int, ...], *, runs: int = 3) -> list[Result]:
    """Writing buildings into a fresh store's empty layer against pyogrio's Arrow write."""
    return [_write_once(n, runs=runs) for n in sizes]


def _write_once(n: int, *, runs: int) -> Result:
    buildings = synthetic_buildings(n)
    with tempfile.TemporaryDirectory() as tmp:
        ours_path, base_path = Path(tmp) / "ours.gpkg", Path(tmp) / "pyogrio.gpkg"
        state: dict[str, GeoPackageStore] = {}

        def fresh() -> None:
            for p in (ours_path, base_path):
                p.unlink(missing_ok=True)
            store = GeoPackageStore(ours_path)
            store.init(crs=buildings.crs)
            state["store"] = store

        ours, base = alternated(
            lambda: state["store"].write("buildings", buildings),
            lambda: pyogrio.write_dataframe(
                buildings, base_path, layer="buildings", use_arrow=True
            ),
            runs=runs,
            before=fresh,
        )
        fresh()
        state["store"].write("buildings", buildings)
        same = _same_frame(state["store"].read("buildings"), buildings)
    return Result.timed(
        "write buildings to the GeoPackage store (fresh layer)",
        f"{n:,} buildings",
        ours,
        base,
        WRITE_BASELINE,
        "ratio ≤ 1.0",
        1.0,
        holds=same,
        notes={
            "ours": "store.write('buildings', frame) into an initialised store's empty "
            "layer, one SQLite transaction, R-tree packed in bulk",
            "baseline": "a new file with the same columns, SPATIAL_INDEX=YES (GDAL's "
            "default); creating our store (init) is not timed",
            "holds": "reading the layer back gives the frame written",
        },
    )


def _same_frame(got: gpd.GeoDataFrame, written: gpd.GeoDataFrame) -> bool:
    want = written.sort_values("id").reset_index(drop=True)
    got = got.reset_index(drop=True)
    columns = [c for c in want.columns if c != want.geometry.name]
    return bool(
        len(got) == len(want)
        and all((got[c].astype(object) == want[c].astype(object)).all() for c in columns)
        and shapely.equals_exact(got.geometry.values, want.geometry.values, tolerance=0).all()
    )
