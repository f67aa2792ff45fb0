"""Case: 20 concurrent writers per store, through the one writing path, nothing lost.

Each writer (a thread; on the GeoPackage also threads in two processes) changes a few
shared records with :func:`monitoring.services.save`, always with the version it just
read, so writers collide on purpose. Every save either succeeds or is refused with an
:class:`~monitoring.errors.EditConflict` (on the GeoPackage also the German busy
message); anything else counts as a crash. Afterwards the store is checked: every
successful save has its audit row (user, record, value, version), each record's
version is 1 + the saves that succeeded on it, its value is the last successful one,
and the change token rose by exactly the number of successful saves.

Used by ``tests/store/test_concurrent_writers.py`` (bounded, loopback only) and by
``make bench`` (:func:`run`), which records throughput and the slowest save.
"""

from __future__ import annotations

import json
import multiprocessing
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.errors import StoreBusyError
from geo.store import open_store
from monitoring import services
from monitoring.auth import User
from monitoring.errors import EditConflict

LAYER = "programmes"  # every writer is an admin; the record rules of programmes are few
RECORDS = 4


@dataclass
class Outcome:
    """What the writers did: successes as (user, record, value, version), refusals, crashes."""

    saved: list[tuple[str, str, str, int]] = field(default_factory=list)
    conflicts: int = 0
    busy: int = 0
    crashes: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        self.saved += other.saved
        self.conflicts += other.conflicts
        self.busy += other.busy
        self.crashes += other.crashes
        self.seconds += other.seconds


def record_ids() -> list[str]:
    return [f"wp_{k}" for k in range(RECORDS)]


def prepare(url: str) -> None:
    """Create the store (if new) and the shared records, each at version 1."""
    with open_store(url) as store:
        if store.schema_version() == 0:
            store.init(crs="EPSG:25832")
        else:
            store.init()
        admin = User("vorbereitung", "admin")
        for ident in record_ids():
            services.save(store, admin, LAYER, {"id": ident, "name": "Anfang"})


def writer(url: str, store: Any, name: str, rounds: int) -> Outcome:
    """One writer: read a record's version, save a new name with it; ``rounds`` times."""
    out = Outcome()
    user = User(name, "admin")
    ids = record_ids()
    for r in range(rounds):
        ident = ids[(hash(name) + r) % len(ids)]
        value = f"{name}/{r}"
        start = time.perf_counter()
        try:
            current = store.read(LAYER, where={"id": ident})
            version = int(current["version"].iloc[0])
            saved = services.save(
                store, user, LAYER, {"name": value}, key={"id": ident}, expected_version=version
            )
            out.saved.append((name, ident, value, int(saved.record["version"])))
        except EditConflict:
            out.conflicts += 1
        except StoreBusyError:
            out.busy += 1
        except Exception as exc:  # noqa: BLE001 - a crash is what this case looks for
            out.crashes.append(f"{name}: {type(exc).__name__}: {exc}")
        out.seconds.append(time.perf_counter() - start)
    return out


def threads(url: str, *, writers: int, rounds: int, prefix: str = "t") -> Outcome:
    """Run ``writers`` threads on one shared store object (as one app server does)."""
    total = Outcome()
    lock = threading.Lock()
    barrier = threading.Barrier(writers)
    with open_store(url) as store:

        def work(i: int) -> None:
            barrier.wait()  # all start together
            got = writer(url, store, f"{prefix}{i:02d}", rounds)
            with lock:
                total.add(got)

        pool = [threading.Thread(target=work, args=(i,)) for i in range(writers)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
    return total


def _process(url: str, writers: int, rounds: int, prefix: str) -> Outcome:
    return threads(url, writers=writers, rounds=rounds, prefix=prefix)


def processes(url: str, *, count: int, writers: int, rounds: int) -> Outcome:
    """Run ``count`` processes with ``writers`` threads each (spawned, stores of their own)."""
    total = Outcome()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(count, mp_context=context) as pool:
        futures = [pool.submit(_process, url, writers, rounds, f"p{p}-") for p in range(count)]
        for future in futures:
            total.add(future.result())
    return total


def check(url: str, outcome: Outcome, *, start_counter: int) -> list[str]:
    """Return every way the store disagrees with the writers' successes (empty: none lost)."""
    problems = list(outcome.crashes)
    with open_store(url) as store:
        records = store.read(LAYER).set_index("id")
        log = store.read("audit_log", where={"layer": LAYER, "action": "update"})
        token = store.change_token()
    logged = set()
    for row in log.itertuples():
        after = json.loads(row.after)
        logged.add((row.user_name, row.record_key, after.get("name"), after.get("version")))
    for user, ident, value, version in outcome.saved:
        key = services.editing.record_key(services.editing.changeable_layer(LAYER), {"id": ident})
        if (user, key, value, version) not in logged:
            problems.append(f"save of {ident} by {user} (v{version}) has no audit row")
    if len(log) != len(outcome.saved):
        problems.append(f"{len(log)} audit rows for {len(outcome.saved)} successful saves")
    for ident in record_ids():
        mine = [s for s in outcome.saved if s[1] == ident]
        want = 1 + len(mine)
        got = int(records.loc[ident, "version"])
        if got != want:
            problems.append(f"{ident}: version {got}, but 1 + {len(mine)} saves succeeded")
        last = max(mine, key=lambda s: s[3])[2] if mine else "Anfang"
        if records.loc[ident, "name"] != last:
            problems.append(f"{ident}: holds {records.loc[ident, 'name']!r}, last save {last!r}")
        versions = sorted(s[3] for s in mine)
        if versions != list(range(2, 2 + len(mine))):
            problems.append(f"{ident}: versions saved {versions} are not 2, 3, … without gaps")
    if token.counter - start_counter != len(outcome.saved):
        problems.append(
            f"change counter rose by {token.counter - start_counter}, "
            f"{len(outcome.saved)} saves succeeded"
        )
    return problems


def exercise(url: str, *, writers: int = 20, rounds: int = 5, procs: int = 0) -> dict[str, Any]:
    """Prepare ``url``, run the writers (threads, or ``procs`` processes), check; return figures."""
    prepare(url)
    with open_store(url) as store:
        start_counter = store.change_token().counter
    began = time.perf_counter()
    if procs:
        outcome = processes(url, count=procs, writers=writers // procs, rounds=rounds)
    else:
        outcome = threads(url, writers=writers, rounds=rounds)
    wall = time.perf_counter() - began
    problems = check(url, outcome, start_counter=start_counter)
    attempts = len(outcome.seconds)
    return {
        "attempts": attempts,
        "saved": len(outcome.saved),
        "conflicts": outcome.conflicts,
        "busy": outcome.busy,
        "crashes": len(outcome.crashes),
        "problems": problems,
        "seconds": wall,
        "median_save": statistics.median(outcome.seconds) if outcome.seconds else 0.0,
        "worst_save": max(outcome.seconds, default=0.0),
    }


@contextmanager
def gpkg_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="qmon-writers-") as folder:
        yield str(Path(folder) / "writers.gpkg")


@contextmanager
def postgis_url() -> Iterator[str]:
    from benchmarks.data import PG_DSN
    from benchmarks.stores import pg_schema

    with pg_schema() as schema:
        yield f"{PG_DSN}?schema={schema}"


def run(*, quick: bool = False) -> list[Any]:
    """``make bench``: 20 writers per store (GeoPackage: threads, and two processes)."""
    from benchmarks.harness import Result

    rounds = 3 if quick else 10
    results = []
    setups = (
        ("GeoPackage, 20 threads", gpkg_url, 0),
        ("GeoPackage, 2 processes × 10 threads", gpkg_url, 2),
        ("PostGIS, 20 threads", postgis_url, 0),
    )
    for label, where, procs in setups:
        with where() as url:
            got = exercise(url, writers=20, rounds=rounds, procs=procs)
        results.append(
            Result(
                f"concurrent writers ({label})",
                f"{got['attempts']} saves on {RECORDS} records "
                f"({got['saved']} stored, {got['conflicts']} conflicts, {got['busy']} busy)",
                "seconds",
                got["seconds"],
                None,
                "",
                "nothing lost, every refusal a conflict or busy message",
                None,
                notes={
                    "median_save_s": round(got["median_save"], 4),
                    "worst_save_s": round(got["worst_save"], 4),
                    "crashes": got["crashes"],
                    "problems": got["problems"][:20],
                },
                holds=not got["problems"] and got["crashes"] == 0,
            )
        )
    return results
