"""The national map and the national set at scale: payload, build time, memory, filters.

Input: the national set of :mod:`data.national` on the real VG5000 2021 (16 Länder,
401 Kreise, 10,997 municipalities, 10,000 seeded Gesamtmaßnahmen) in PostGIS; ``--quick``
takes Schleswig-Holstein (1,108 municipalities) with 500.

- Map at national view, ours: :func:`monitoring.maps.national.national_map` (geometry
  generalised to the view's pixel, Länder and Kreise as lines, Gesamtmaßnahmen as
  compact circle markers); baseline, today's approach: display geometry at a fixed 10 m
  (:func:`geo.webmap.display_geometry`) of all municipalities and the Gesamtmaßnahmen
  as polygons in :func:`geo.webmap.monitoring_map`, folium HTML. Both read the same
  store; each side runs in a fresh process (spawn) so its peak memory is its own.
  Goals: payload ≤ 10 % of the baseline's and ≤ 1.5 MB; build time ≤ half.
- The same two maps drawn in headless Chromium (the HTML as a file with the vendored
  Leaflet): seconds from navigation to the first frame after the map's scripts ran.
- Filters on PostGIS (Land, Kreis, AGS, programme): the map of each view, cached
  boundaries (a session's second view), goal ≤ 1 s each.
- Building the national set into PostGIS (``qmon demo --bund``), for the record.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.data import PG_DSN, REAL_DATA
from benchmarks.harness import Result, in_child, median_seconds, peak_rss_mb, reset_peak_rss

PAYLOAD_RATIO = 0.10
PAYLOAD_LIMIT = 1_500_000
TIME_RATIO = 0.5
FILTER_LIMIT_S = 1.0
#: the views of the filter case (Land, Kreis, AGS, programme); Schleswig-Holstein in --quick
FILTERS: dict[str, dict[str, str]] = {
    "Land": {"land": "09"},
    "Kreis": {"kreis": "09162"},
    "AGS": {"ags": "09162000"},
    "Programm": {"programme": "lebendige_zentren"},
}
QUICK_FILTERS: dict[str, dict[str, str]] = {
    "Land": {"land": "01"},
    "Kreis": {"kreis": "01054"},
    "AGS": {"ags": "01054056"},
    "Programm": {"programme": "lebendige_zentren"},
}


def _draw_seconds(html: str, folder: Path, *, runs: int) -> tuple[float, int] | None:
    """Median seconds from navigation to the first frame after the map's scripts ran.

    The page is the map's HTML with the vendored Leaflet (a file, no network), opened in
    headless Chromium; ``None`` when Chromium or Playwright is missing.
    """
    from benchmarks.app import CHROMIUM, CHROMIUM_ARGS

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(CHROMIUM).exists():
        return None
    page_file = folder / f"map-{uuid.uuid4().hex[:8]}.html"
    page_file.write_text(html, encoding="utf-8")
    times = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1000, "height": 800})
                page.goto(page_file.as_uri(), wait_until="load", timeout=300_000)
                # two animation frames after load: the canvas and the SVG are painted
                drawn = page.evaluate(
                    "() => new Promise(r => requestAnimationFrame(() => "
                    "requestAnimationFrame(() => r(performance.now()))))"
                )
                times.append(float(drawn) / 1000)
                shown = int(
                    page.evaluate(
                        "() => document.querySelectorAll('path.leaflet-interactive, "
                        "path, canvas.leaflet-zoom-animated').length"
                    )
                )
                page.close()
        finally:
            browser.close()
    page_file.unlink()
    return statistics.median(times), shown


def _local_html(fmap: Any) -> str:
    """The map's HTML with the vendored scripts as files (as the app serves them)."""
    from ui import assets

    base = (Path(__file__).resolve().parents[1] / "static" / "vendor").as_uri()
    return str(assets.localize(fmap, base_url=base).get_root().render())


def map_side(*, url: str, side: str, draw_runs: int = 3) -> dict[str, Any]:
    """One side of the national map case (run in a child process): bytes and seconds."""
    from geo.store import open_store
    from monitoring.auth import User

    user = User("bund", "viewer")
    store = open_store(url)
    store.change_token()  # connect before the clock starts
    reset_peak_rss()
    start = time.perf_counter()
    if side == "ours":
        from monitoring.maps.national import national_map

        result = national_map(store, user)
        payload = result.payload_bytes
        fmap = result.map
        first = time.perf_counter() - start
        start = time.perf_counter()
        national_map(store, user)
        warm = time.perf_counter() - start
        out = {"seconds": first, "warm_seconds": warm, "points": result.points}
    else:
        from geo.webmap import MapLayers, display_geometry, monitoring_map

        gem = store.read("areas", where={"level": "Gemeinde"}, columns=["id", "name"])
        fa = store.read("funding_areas", columns=["id", "name", "programme_id"])
        names = store.read("programmes", columns=["id", "name"])
        fmap = monitoring_map(
            MapLayers(
                areas=display_geometry(gem),
                funding_areas=display_geometry(fa),
                programme_names=dict(zip(names["id"], names["name"])),
            )
        )
        payload = len(fmap.get_root().render().encode())
        out = {"seconds": time.perf_counter() - start}
    store.close()
    out["payload_bytes"] = payload
    out["peak_rss_mb"] = peak_rss_mb()  # before the browser (its own processes)
    with tempfile.TemporaryDirectory() as tmp:
        drawn = _draw_seconds(_local_html(fmap), Path(tmp), runs=draw_runs)
    out["draw_s"], out["drawn_elements"] = drawn if drawn else (None, 0)
    return out


def figures(*, quick: bool = False, runs: int = 3) -> dict[str, Any]:
    """Build the set into a fresh PostGIS schema and measure every figure."""
    from benchmarks.stores import pg_schema
    from data.national import build_national
    from geo.store import open_store
    from monitoring.auth import User
    from monitoring.maps import national

    admin = User("bund", "admin")
    subset, count = ("01", 500) if quick else (None, 10_000)
    out: dict[str, Any] = {}
    with pg_schema() as schema:
        url = f"{PG_DSN}?schema={schema}"
        store = open_store(url)
        store.init(crs="EPSG:25832")
        source = REAL_DATA / "germany_vg5000_2021"
        start = time.perf_counter()
        written = build_national(
            store, admin, municipalities=subset, n_funding_areas=count, source=source
        )
        out["build_s"] = time.perf_counter() - start
        out["written"] = written
        draw_runs = 1 if quick else 3
        out["ours"] = in_child(map_side, url=url, side="ours", draw_runs=draw_runs)
        out["baseline"] = in_child(map_side, url=url, side="baseline", draw_runs=draw_runs)
        filters = QUICK_FILTERS if quick else FILTERS
        reader = User("bund", "viewer")
        national.national_map(store, reader)  # the page's first view fills the caches
        out["filters"] = {}
        for label, kwargs in filters.items():
            view = national.national_view(store, **kwargs)
            out["filters"][label] = {
                "read_s": median_seconds(
                    lambda v=view: national.read_funding_areas(store, v), runs=runs
                ),
                "map_s": median_seconds(
                    lambda k=kwargs: national.national_map(store, reader, **k), runs=runs
                ),
                "payload_bytes": national.national_map(store, reader, **kwargs).payload_bytes,
            }
        store.close()
    return out


def run(*, quick: bool = False) -> list[Result]:
    """The benchmark cases for ``python -m benchmarks``."""
    f = figures(quick=quick, runs=2 if quick else 3)
    ours, base = f["ours"], f["baseline"]
    w = f["written"]
    size = f"{w['areas']:,} areas, {w['funding_areas']:,} Gesamtmaßnahmen"
    results = [
        Result(
            "national map payload",
            size,
            "bytes",
            ours["payload_bytes"],
            base["payload_bytes"],
            "display_geometry 10 m + monitoring_map",
            f"≤ {PAYLOAD_RATIO:.0%} of today's and ≤ {PAYLOAD_LIMIT / 1e6:.1f} MB",
            PAYLOAD_RATIO,
            notes={"ours": ours, "baseline": base},
            limit=PAYLOAD_LIMIT,
            peak_rss_mb=ours["peak_rss_mb"],
            baseline_peak_rss_mb=base["peak_rss_mb"],
        ),
        Result(
            "national map build",
            size,
            "seconds",
            ours["seconds"],
            base["seconds"],
            "display_geometry 10 m + monitoring_map",
            f"≤ {TIME_RATIO:.0%} of today's (store read to rendered map, cold)",
            TIME_RATIO,
            notes={"warm_seconds": ours["warm_seconds"]},
            peak_rss_mb=ours["peak_rss_mb"],
            baseline_peak_rss_mb=base["peak_rss_mb"],
        ),
    ]
    if ours["draw_s"] is not None and base["draw_s"] is not None:
        results.append(
            Result(
                "national map drawn in Chromium",
                size,
                "seconds",
                ours["draw_s"],
                base["draw_s"],
                "display_geometry 10 m + monitoring_map",
                f"≤ {TIME_RATIO:.0%} of today's (navigation to the first frame after the "
                "scripts ran, the HTML as a file)",
                TIME_RATIO,
                notes={
                    "drawn_elements": ours["drawn_elements"],
                    "baseline_drawn_elements": base["drawn_elements"],
                },
                holds=ours["drawn_elements"] > 0 and base["drawn_elements"] > 0,
            )
        )
    for label, fig in f["filters"].items():
        results.append(
            Result(
                f"national filter {label} (PostGIS)",
                size,
                "seconds",
                fig["map_s"],
                None,
                "",
                f"map of the view ≤ {FILTER_LIMIT_S:.0f} s",
                None,
                notes=fig,
                limit=FILTER_LIMIT_S,
            )
        )
    results.append(
        Result(
            "national set build (PostGIS)",
            size,
            "seconds",
            f["build_s"],
            None,
            "",
            "for the record",
            None,
            notes=w,
        )
    )
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(figures(quick=True), indent=2, default=str))
