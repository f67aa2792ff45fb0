"""Case 8: how cost grows — cases 1 and 3 over more buildings and more areas, with memory.

- Assign buildings to areas (ours :func:`geo.joins.assign_to_areas` against
  ``geopandas.sjoin(predicate="within")``, the points' spatial index cached on both
  sides): 10k, 100k, 1M and 5M seeded buildings on Berlin's 542 planning areas, and 1M
  buildings on 5,000 and 11,000 seeded areas tiling Berlin's extent (11,000 stands for
  the German municipalities).
- Map payload (ours: display geometry, :func:`geo.webmap.monitoring_map` and the HTML
  ``st_folium`` sends; baseline: ``GeoDataFrame.explore`` of the same layers): 542 real
  planning areas, 5,000 and 11,000 seeded areas, each with the 81 funding areas and
  2,000 measures of case 3. A second row per point holds the payload against the screen
  need of the view (:func:`benchmarks.map_payload.screen_need`, goal ≤ 3×); both rows
  also ask for a peak memory of the map build no higher than explore's.

Every side of every point runs in a fresh process (spawn), so the peak memory
reported (``VmHWM``, :func:`benchmarks.harness.peak_rss_mb`) is that point's alone.
The high-water mark is reset once the input is built, so the figure is the peak of
the work with its input held (the input alone is in the notes, ``input_rss_mb``).
Big points are timed with fewer repetitions (stated in the notes), and the 5M point
runs only when the machine has the memory free for it.
"""

from __future__ import annotations

import time
from typing import Any, Literal

import geopandas as gpd
import numpy as np

from benchmarks.data import berlin_planning_areas, synthetic_areas, synthetic_buildings
from benchmarks.harness import (
    Result,
    available_memory_gb,
    in_child,
    median_seconds,
    reset_peak_rss,
    timed,
)

Side = Literal["ours", "baseline"]
#: free memory asked for before the biggest point (measured: about 4 GB per side at 5M)
BIG_POINT_GB = 10.0
BIG = 2_000_000


def _areas(n_areas: int | None) -> gpd.GeoDataFrame:
    """Berlin's planning areas (``None``) or ``n_areas`` seeded cells over Berlin."""
    if n_areas is None:
        return berlin_planning_areas()
    areas = synthetic_areas(n_areas)
    return areas.assign(name=[f"Gebiet {i}" for i in range(len(areas))])


def _repetitions(n_buildings: int) -> tuple[int, int]:
    """(runs, warm-up runs) for a point of this size."""
    if n_buildings >= BIG:
        return 1, 0
    if n_buildings >= 500_000:
        return 2, 1
    return 5, 1


def assign_point(*, n_buildings: int, n_areas: int | None, side: Side) -> dict[str, Any]:
    """One side of one assignment point (run in a child process).

    The points' spatial index (``buildings.sindex``) is built and cached before the
    peak memory is reset and before timing, on both sides (the baseline's strongest
    configuration; ours reuses the same cache).
    """
    from benchmarks.stores import sjoin_within
    from geo.joins import assign_to_areas

    areas = _areas(n_areas)
    buildings = synthetic_buildings(n_buildings)
    assert buildings.sindex is not None
    input_mb = reset_peak_rss()
    runs, warmup = _repetitions(n_buildings)
    counts: list[int] = []
    if side == "ours":

        def work() -> None:
            counts.append(int(assign_to_areas(buildings, areas).notna().sum()))
    else:

        def work() -> None:
            joined = sjoin_within(buildings, areas)
            counts.append(int(joined.index[joined["index_right"].notna()].nunique()))

    timing = timed(work, runs=runs, warmup=warmup)
    return {
        "seconds": timing.wall,
        "cpu": timing.cpu,
        "assigned": counts[-1],
        "areas": len(areas),
        "input_rss_mb": input_mb,
        "runs": runs,
        "warmup": warmup,
    }


def map_point(*, n_areas: int | None, side: Side, n_measures: int) -> dict[str, Any]:
    """One side of one map point (run in a child process): page bytes and seconds."""
    from benchmarks.map_payload import (
        _inputs,
        _map,
        _page_html,
        coverage_check,
        explore_page,
        screen_need,
    )
    from geo.webmap import display_geometry
    from ui import assets

    data = _inputs(n_measures)
    areas = _areas(n_areas)[["id", "name", "geometry"]]
    if n_areas is None:
        values = data["values"]
    else:
        rng = np.random.default_rng(17)
        values = areas.set_index("id")["name"].map(lambda _: float(rng.gamma(2.0, 3.0)))
    funding, measures = data["funding"], data["measures"]
    input_mb = reset_peak_rss()
    runs = 3 if len(areas) < 2000 else 1
    out: dict[str, Any] = {"areas": len(areas), "runs": runs, "input_rss_mb": input_mb}
    if side == "ours":

        def page() -> str:
            start = time.perf_counter()
            d_areas = display_geometry(areas)
            out.setdefault("display_seconds", time.perf_counter() - start)
            out["display"] = d_areas
            fmap = _map(d_areas, values, display_geometry(funding), measures)
            return _page_html(assets.localize(fmap))

    else:

        def page() -> str:
            return explore_page(areas, values, funding, measures)

    start = time.perf_counter()
    html = page()
    out["first_seconds"] = time.perf_counter() - start
    out["seconds"] = median_seconds(page, runs=runs, warmup=0) if runs > 1 else out["first_seconds"]
    out["bytes"] = len(html.encode())
    if side == "ours":
        out.update(coverage_check(areas, out.pop("display")))
        out["need_bytes"] = screen_need(areas, values, funding, measures)["bytes"]
    return out


def _assign_result(n_buildings: int, n_areas: int | None) -> Result:
    from benchmarks.stores import ASSIGN_BASELINE, ASSIGN_GOAL, ASSIGN_RATIO

    kwargs = {"n_buildings": n_buildings, "n_areas": n_areas}
    ours = in_child(assign_point, side="ours", **kwargs)
    base = in_child(assign_point, side="baseline", **kwargs)
    same = ours["assigned"] == base["assigned"]
    notes = {
        "runs": ours["runs"],
        "warmup": ours["warmup"],
        "input_rss_mb (ours, sjoin)": [round(ours["input_rss_mb"]), round(base["input_rss_mb"])],
        "assigned (ours, sjoin)": [ours["assigned"], base["assigned"]],
    }
    if ours["runs"] == 1:
        notes["repetitions"] = "one timed run, no warm-up (big point; keeps make bench short)"
    return Result(
        "scale: assign buildings to areas",
        f"{n_buildings:,} points × {ours['areas']:,} areas",
        "seconds",
        ours["seconds"],
        base["seconds"],
        ASSIGN_BASELINE,
        ASSIGN_GOAL,
        ASSIGN_RATIO,
        notes=notes,
        holds=same,
        peak_rss_mb=ours["peak_rss_mb"],
        baseline_peak_rss_mb=base["peak_rss_mb"],
        cpu_ours=ours["cpu"],
        cpu_baseline=base["cpu"],
    )


def _map_result(n_areas: int | None, n_measures: int) -> list[Result]:
    from benchmarks.map_payload import NEED_RATIO

    ours = in_child(map_point, n_areas=n_areas, side="ours", n_measures=n_measures)
    base = in_child(map_point, n_areas=n_areas, side="baseline", n_measures=n_measures)
    kind = "planning areas (Berlin)" if n_areas is None else "seeded areas"
    size = f"{ours['areas']:,} {kind}, {n_measures:,} measures"
    no_gaps = ours["areas_with_invalid_edges_after"] <= ours["areas_with_invalid_edges_before"]
    lighter = ours["peak_rss_mb"] <= base["peak_rss_mb"]
    need = Result(
        "scale: map payload against the screen need",
        size,
        "bytes",
        ours["bytes"],
        ours["need_bytes"],
        "screen need of the framed view (benchmarks/map_payload.py)",
        f"≤ {NEED_RATIO:.0f}× the screen need, no gaps or overlaps, "
        "peak memory ≤ GeoDataFrame.explore's",
        NEED_RATIO,
        notes={"explore_bytes": base["bytes"], "peak memory ≤ explore's": lighter},
        holds=no_gaps and lighter,
        peak_rss_mb=ours["peak_rss_mb"],
        baseline_peak_rss_mb=base["peak_rss_mb"],
    )
    return [_explore_result(size, ours, base, no_gaps and lighter), need]


def _explore_result(size: str, ours: dict[str, Any], base: dict[str, Any], holds: bool) -> Result:
    from benchmarks.map_payload import PAYLOAD_GOAL, PAYLOAD_RATIO

    return Result(
        "scale: map payload",
        size,
        "bytes",
        ours["bytes"],
        base["bytes"],
        "GeoDataFrame.explore",
        f"≤ {PAYLOAD_RATIO:.0%} of explore, no gaps or overlaps, peak memory ≤ explore's",
        PAYLOAD_RATIO,
        notes={
            "seconds (ours, explore)": [round(ours["seconds"], 3), round(base["seconds"], 3)],
            "first build seconds (ours, explore)": [
                round(ours["first_seconds"], 3),
                round(base["first_seconds"], 3),
            ],
            "runs": ours["runs"],
            "within the page goal of case 3 (≤ 1.5 MB)": ours["bytes"] <= PAYLOAD_GOAL,
            "display geometry seconds (ours, first build)": round(ours["display_seconds"], 3),
            **{k: v for k, v in ours.items() if k.startswith("areas_with_invalid_edges")},
        },
        holds=holds,
        peak_rss_mb=ours["peak_rss_mb"],
        baseline_peak_rss_mb=base["peak_rss_mb"],
    )


def run(*, quick: bool = False) -> list[Result]:
    """The benchmark cases for ``python -m benchmarks``."""
    # None: Berlin's planning areas; a number: that many seeded areas
    map_areas: list[int | None]
    if quick:
        buildings, area_counts, area_buildings = [10_000, 50_000], [2_000], 50_000
        map_areas, n_measures = [None, 2_000], 500
    else:
        buildings = [10_000, 100_000, 1_000_000, 5_000_000]
        area_counts, area_buildings = [5_000, 11_000], 1_000_000
        map_areas, n_measures = [None, 5_000, 11_000], 2000
    results: list[Result] = []
    for n in buildings:
        if n >= BIG and available_memory_gb() < BIG_POINT_GB:
            print(
                f"scale: {n:,} buildings skipped, {available_memory_gb():.1f} GB free "
                f"(needs {BIG_POINT_GB:.0f} GB)",
                flush=True,
            )
            continue
        results.append(_assign_result(n, None))
    for k in area_counts:
        results.append(_assign_result(area_buildings, k))
    for m in map_areas:
        results.extend(_map_result(m, n_measures))
    return results
