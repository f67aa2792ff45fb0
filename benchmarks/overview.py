"""Case: the Land's overview on PostGIS (issue 17): the first read of a year against a
filtered view of the cached overview, on seeded Gesamtmaßnahmen with two years of packages.

Each package carries a real report (``build_report`` on a small store, figures varied per
Gesamtmaßnahme); 10 % of the year's reports are missing. The goal: every filtered view
(Land, Kreis, Gemeinde, Programm) well under a second once the year is read.
"""

from __future__ import annotations

import copy
import json
import tempfile
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from benchmarks.harness import Result, median_seconds
from benchmarks.stores import PG_DSN, pg_schema
from geo.store import open_store
from monitoring.federal.overview import Filters, read_overview, roll_up
from monitoring.reports.generate import build_report
from tests.federal.seed import ADMIN, COUNT, GREEN, YEAR, seed_overview, set_value

PROGRAMMES = ("sozialer_zusammenhalt", "lebendige_zentren")


def seed(url: str, n: int) -> list[str]:
    """Seed ``n`` Gesamtmaßnahmen with packages for YEAR - 1 and YEAR; return their AGS."""
    with tempfile.TemporaryDirectory() as tmp:
        small = open_store(f"{tmp}/small.gpkg")
        seed_overview(small)
        base = build_report(small, ADMIN, "A1", year=YEAR).to_dict()
        small.close()
    rng = np.random.default_rng(17)
    ags = [
        f"{land:02d}{kreis:03d}{town:03d}"
        for land, kreis, town in zip(
            rng.integers(1, 17, n), rng.integers(1, 30, n), rng.integers(1, 40, n)
        )
    ]
    ids = [f"GM-{i:05d}" for i in range(n)]
    programmes = rng.choice(PROGRAMMES, n)
    x = 300_000 + (np.arange(n) % 100) * 3000.0
    y = 5_300_000 + (np.arange(n) // 100) * 3000.0
    with open_store(url) as store:
        store.init(crs="EPSG:25832")
        store.write("programmes", pd.DataFrame({"id": list(PROGRAMMES), "name": ["SZ", "LZ"]}))
        store.write(
            "funding_areas",
            gpd.GeoDataFrame(
                {
                    "id": ids,
                    "name": ids,
                    "ags": ags,
                    "programme_id": programmes,
                    "start_year": 2015,
                    "funding_status": "laufend",
                },
                geometry=shapely.box(x, y, x + 1000, y + 1000),
                crs="EPSG:25832",
            ),
        )
        for year in (YEAR - 1, YEAR):
            rows = []
            for i in range(n):
                if year == YEAR and i % 10 == 0:
                    continue
                report = copy.deepcopy(base)
                report.update(area_id=ids[i], ags=ags[i], programme=programmes[i], year=year)
                set_value(report, COUNT, float(rng.integers(0, 20)))
                set_value(report, GREEN, float(rng.integers(0, 5000)))
                when = pd.Timestamp(f"{year + 1}-03-01")
                rows.append(
                    {
                        "id": f"{ags[i]}/{ids[i]}/{year}/1",
                        "ags": ags[i],
                        "municipality": ags[i],
                        "funding_area_id": ids[i],
                        "funding_area_name": ids[i],
                        "programme_id": programmes[i],
                        "year": year,
                        "revision": 1,
                        "filed_at": when,
                        "collected_at": when,
                        "fingerprint": report["fingerprint"],
                        "seal": "-",
                        "payload": json.dumps({"bericht": report}),
                        "format_version": 1,
                    }
                )
                if len(rows) == 2000:
                    store.write("collected_reports", pd.DataFrame(rows))
                    rows = []
            if rows:
                store.write("collected_reports", pd.DataFrame(rows))
    return ags


def run(*, quick: bool = False) -> list[Result]:
    n = 500 if quick else 10_000
    with pg_schema() as schema:
        url = f"{PG_DSN}?schema={schema}"
        ags = seed(url, n)
        with open_store(url) as store:
            start = time.perf_counter()
            data = read_overview(store, ADMIN, YEAR)
            first = time.perf_counter() - start
        land, kreis, town = ags[1][:2], ags[1][:5], ags[1]
        views = [
            Filters(),
            Filters(land=land),
            Filters(kreis=kreis),
            Filters(ags=town),
            Filters(programme=PROGRAMMES[1]),
        ]
        times = {
            (f.described() or "alle"): median_seconds(lambda f=f: roll_up(data, filters=f), runs=3)
            for f in views
        }
        slowest = max(times.values())
    size = f"{n:,} Gesamtmaßnahmen × 2 years"
    return [
        Result(
            "overview: slowest filtered view (cached) vs first read",
            size,
            "seconds",
            slowest,
            first,
            "read_overview (every payload parsed)",
            "every filtered view < 1 s",
            None,
            notes={k: round(v, 3) for k, v in times.items()} | {"reports": len(data.reports)},
            limit=1.0,
        )
    ]
