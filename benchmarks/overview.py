"""Case: the Land's overview on PostGIS (issue 17): the first read of a year against a
filtered view of the cached overview, on seeded Gesamtmaßnahmen with two years of packages.

The store is the seeded national set (:mod:`data.national`, the real VG5000
municipalities) with its seeded packages (:mod:`data.national_reports`: real reports of a
few Gesamtmaßnahmen, figures scaled per Gesamtmaßnahme; 10 % of the year's reports and 3 %
of the year before's missing). The goal: every filtered view
(Land, Kreis, Gemeinde, Programm) well under a second once the year is read.
"""

from __future__ import annotations

import time

from benchmarks.harness import Result, median_seconds
from benchmarks.stores import PG_DSN, pg_schema
from geo.store import open_store
from monitoring.auth import User
from monitoring.federal.overview import Filters, read_overview, roll_up

ADMIN = User("bench", "admin")
YEAR = 2024
PROGRAMMES = ("sozialer_zusammenhalt", "lebendige_zentren")


def seed(url: str, n: int) -> list[str]:
    """Write the national set with ``n`` Gesamtmaßnahmen and its packages for YEAR - 1 and
    YEAR (:mod:`data.national_reports`); return the AGS of the Gesamtmaßnahmen."""
    from data.national import build_national
    from data.national_reports import seed_packages

    with open_store(url) as store:
        store.init(crs="EPSG:25832")
        build_national(store, ADMIN, n_funding_areas=n, seed=1, years=(YEAR - 1, YEAR))
        seed_packages(store, ADMIN, years=(YEAR - 1, YEAR), seed=1)
        return sorted(store.read("funding_areas", columns=["ags"])["ags"].astype(str))


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
