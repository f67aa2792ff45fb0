"""``qmon report --all`` at national scale: N seeded Gesamtmaßnahmen in PostGIS (1,000 in
``make bench``).

Three ways on the same store, in one run: today's per-area path (one
:func:`monitoring.reports.generate.download` after the other, each reading its own
inputs: what ``batch`` did before), the batch with one process (inputs read once,
sliced per area) and the batch with one process per CPU. Formats json and pdf.

The slow ways run on a subset of the areas (``SUBSET``; the per-area path and pdf
would take hours at 10,000 on 2 cores); the figure that counts is reports per second,
and ``ours / baseline`` is the ratio of seconds per report.

:func:`seed_areas` writes the seeded national set (:mod:`data.national`, the real VG5000
municipalities): N Gesamtmaßnahmen with one to three measures and their funding lines.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from benchmarks.data import PG_DSN
from benchmarks.harness import Result
from benchmarks.stores import pg_schema
from geo.store import open_store
from geo.store.base import Store
from monitoring.auth import User
from monitoring.catalogue import registry_for
from monitoring.reports import generate
from monitoring.reports.catalogue import load_catalogue

#: ``make bench`` runs 1,000 (the figure that counts, reports per second, does not depend
#: on N; 10,000 json reports take about 35 min for both batch runs on 2 cores, which
#: ``qmon report --all`` on the national set measures, see README)
FULL = 1_000
QUICK = 200
SUBSET = {"full": {"old": 100, "pdf": 100}, "quick": {"old": 50, "pdf": 30}}
YEAR = 2024


def seed_areas(store: Store, n: int) -> None:
    """Write the seeded national set with ``n`` Gesamtmaßnahmen (:mod:`data.national`)."""
    from data.national import build_national

    build_national(store, User("bench", "admin"), n_funding_areas=n, seed=1)


def _old_path(store: Store, user: User, ids: list[str], fmt: str) -> float:
    """Seconds for today's per-area path on ``ids`` (each report reads its own inputs)."""
    catalogue, registry = load_catalogue(), registry_for(store)
    start = time.perf_counter()
    for area_id in ids:
        generate.download(
            store, user, area_id, year=YEAR, fmt=fmt, catalogue=catalogue, registry=registry
        )
    return time.perf_counter() - start


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _batch_seconds(store: Store, url: str, user: User, fmt: str, workers: int) -> float:
    seconds, result = _timed(
        lambda: generate.batch(
            store, user, year=YEAR, fmt=fmt, workers=workers, url=url, sink=lambda d: None
        )
    )
    if result.failures:
        raise RuntimeError(f"{len(result.failures)} reports failed: {result.failures[0]}")
    return float(seconds)


def run(*, quick: bool = False) -> list[Result]:
    n = QUICK if quick else FULL
    subset = SUBSET["quick" if quick else "full"]
    cpus = os.cpu_count() or 1
    user = User("bench", "admin")
    results: list[Result] = []
    with pg_schema() as schema:
        url = f"{PG_DSN}?schema={schema}"
        with open_store(url) as store:
            store.init(crs="EPSG:25832")
            seed_seconds, _ = _timed(lambda: seed_areas(store, n))
            total = len(store.read("funding_areas", columns=["id"]))
            ids = sorted(store.read("funding_areas", columns=["id"])["id"])
            notes: dict[str, Any] = {"seed_seconds": round(seed_seconds, 1), "cpus": cpus}
            # the per-area path on a subset, json: reports per second before
            old_n = min(subset["old"], total)
            old = _old_path(store, user, ids[:old_n], "json") / old_n
            one = _batch_seconds(store, url, user, "json", 1) / total
            many = _batch_seconds(store, url, user, "json", cpus) / total
            size = f"{total:,} Gesamtmaßnahmen (PostGIS), json"
            for label, ours, base, base_name in (
                ("report --all, 1 process", one, old, f"per-area path ({old_n} areas)"),
                (f"report --all, {cpus} processes", many, old, f"per-area path ({old_n} areas)"),
                (f"report --all, {cpus} processes vs 1", many, one, "batch, 1 process"),
            ):
                results.append(
                    Result(
                        label,
                        size,
                        "seconds per report",
                        ours,
                        base,
                        base_name,
                        "ratio ≤ 0.5",
                        0.5,
                        notes
                        | {
                            "reports_per_second_ours": round(1 / ours, 1),
                            "reports_per_second_baseline": round(1 / base, 1),
                        },
                    )
                )
        # pdf on a subset: a store with only the first k seeded areas would need a second
        # seed; the batch runs on its own schema with pdf_n areas instead
    pdf_n = subset["pdf"]
    with pg_schema() as schema:
        url = f"{PG_DSN}?schema={schema}"
        with open_store(url) as store:
            store.init(crs="EPSG:25832")
            seed_areas(store, pdf_n)
            ids = sorted(store.read("funding_areas", columns=["id"])["id"])
            old_n = min(subset["old"] // 4, len(ids))
            old = _old_path(store, user, ids[:old_n], "pdf") / old_n
            one = _batch_seconds(store, url, user, "pdf", 1) / len(ids)
            many = _batch_seconds(store, url, user, "pdf", cpus) / len(ids)
            size = f"{len(ids):,} Gesamtmaßnahmen (PostGIS), pdf"
            baseline = f"per-area path ({old_n} areas)"
            for label, ours, base, base_name in (
                ("report --all pdf, 1 process", one, old, baseline),
                (f"report --all pdf, {cpus} processes", many, old, baseline),
            ):
                results.append(
                    Result(
                        label,
                        size,
                        "seconds per report",
                        ours,
                        base,
                        base_name,
                        "for the record",
                        None,
                        {
                            "cpus": cpus,
                            "reports_per_second_ours": round(1 / ours, 1),
                            "reports_per_second_baseline": round(1 / base, 1),
                        },
                    )
                )
    return results
