"""Case 4: bulk writes to PostGIS: a fresh load against ``to_postgis``, a replace against
a fresh load.

Both sides end with the same table: the layer's primary key (``id``) and a GiST index
on the geometry. GeoAlchemy2 (under ``GeoDataFrame.to_postgis``) already creates the
GiST index (``idx_<table>_geometry``) with the table, before the rows arrive; the
baseline adds the primary key after its load, the cheapest place for it, and the
timing includes both. Each run starts from the same state, prepared outside the
timing: no table for ``to_postgis`` (it creates it), an empty layer for the store.
The two sides of a case run in turn, round after round (:func:`alternated`).

The process CPU time does not hold the work of PostgreSQL's backend, so the server's
CPU time of the connection that wrote (``/proc/<backend pid>/stat``; parallel workers
of an index build not counted) is recorded beside it in the notes.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import psycopg
from psycopg import sql

from benchmarks.data import PG_DSN, synthetic_buildings
from benchmarks.harness import Result, Timing
from benchmarks.stores import pg_schema
from geo.store.postgis import PostGISStore

BASELINE = "GeoDataFrame.to_postgis + same PRIMARY KEY + GiST index"
FRESH = "PostGISStore.write into the empty layer (fresh load)"
_TICKS = os.sysconf("SC_CLK_TCK")
MIN_RUNS = 5
"""Medians of at least this many rounds, ours and the baseline alternated."""


def backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) a local PostgreSQL backend has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _cpu_now() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


Side = tuple[Callable[[], None], Callable[[], float]]
"""An untimed setup and the timed run, which returns the server CPU seconds it took."""


def alternated(sides: list[Side], *, runs: int, warmup: int = 1) -> list[tuple[Timing, float]]:
    """Median wall, CPU and server CPU time of each side, the sides run in turn.

    Each round runs every side once (its setup untimed before it), so that the load of a
    shared machine moves all of them alike; as :func:`benchmarks.harness.timed` otherwise.
    """
    for _ in range(warmup):
        for setup, fn in sides:
            setup()
            fn()
    walls: list[list[float]] = [[] for _ in sides]
    cpus: list[list[float]] = [[] for _ in sides]
    server: list[list[float]] = [[] for _ in sides]
    for _ in range(runs):
        for i, (setup, fn) in enumerate(sides):
            setup()
            cpu = _cpu_now()
            start = time.perf_counter()
            server[i].append(fn())
            walls[i].append(time.perf_counter() - start)
            cpus[i].append(_cpu_now() - cpu)
    return [
        (Timing(statistics.median(w), statistics.median(c)), statistics.median(s))
        for w, c, s in zip(walls, cpus, server)
    ]


class _Sides:
    """Both writers on one schema of the benchmark database."""

    def __init__(self, schema: str, buildings: gpd.GeoDataFrame) -> None:
        from sqlalchemy import create_engine

        self.schema = schema
        self.buildings = buildings
        self.store = PostGISStore(f"{PG_DSN}?schema={schema}")
        self.store.init(crs=buildings.crs)
        self.engine = create_engine(PG_DSN.replace("postgresql://", "postgresql+psycopg://"))
        self.theirs = sql.Identifier(schema, "buildings_to_postgis")

    def _admin(self, query: sql.Composable) -> None:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(query)

    def empty_layer(self) -> None:
        self._admin(sql.SQL("TRUNCATE {}").format(sql.Identifier(self.schema, "buildings")))

    def drop_theirs(self) -> None:
        self._admin(sql.SQL("DROP TABLE IF EXISTS {}").format(self.theirs))

    def ours(self, mode: str = "append") -> float:
        """What ``store.write`` does (one transaction), with the backend's CPU time."""
        with self.store.transaction() as tx:
            pid = tx.conn.info.backend_pid
            before = backend_cpu(pid)
            tx.write("buildings", self.buildings, mode=mode)  # type: ignore[arg-type]
        return backend_cpu(pid) - before

    def baseline(self) -> float:
        with self.engine.begin() as conn:
            pid = conn.connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
            before = backend_cpu(pid)
            self.buildings.to_postgis(
                "buildings_to_postgis", conn, schema=self.schema, if_exists="fail"
            )
            conn.exec_driver_sql(
                sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (id)")
                .format(self.theirs)
                .as_string(conn.connection.dbapi_connection)
            )
        return backend_cpu(pid) - before

    def indexes(self) -> dict[str, list[str]]:
        """The index definitions of both tables (the same keys and indexes on both sides)."""
        with psycopg.connect(PG_DSN) as conn:
            rows = conn.execute(
                "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = %s ORDER BY 1, 2",
                (self.schema,),
            ).fetchall()
        out: dict[str, list[str]] = {}
        for table, definition in rows:
            out.setdefault(table, []).append(definition.replace(f"{self.schema}.", ""))
        return out

    def close(self) -> None:
        self.store.close()
        self.engine.dispose()


def bulk_write_postgis(n: int, *, runs: int = 3) -> Result:
    """Case 4: a fresh load through the store against to_postgis, same keys and indexes."""
    buildings = synthetic_buildings(n)
    with pg_schema() as schema:
        sides = _Sides(schema, buildings)
        (ours, ours_server), (theirs, theirs_server) = alternated(
            [(sides.empty_layer, sides.ours), (sides.drop_theirs, sides.baseline)],
            runs=max(runs, MIN_RUNS),
        )
        indexes = sides.indexes()
        sides.close()
    theirs_indexes = indexes.get("buildings_to_postgis", [])
    return Result.timed(
        "bulk write to PostGIS (fresh load)",
        f"{n:,} buildings",
        ours,
        theirs,
        BASELINE,
        "≥ 3× faster (ratio ≤ 0.33)",
        1 / 3,
        notes={
            "server_cpu_ours_s": round(ours_server, 3),
            "server_cpu_baseline_s": round(theirs_server, 3),
            "indexes_ours": indexes.get("buildings", []),
            "indexes_baseline": theirs_indexes,
        },
        holds=len(theirs_indexes) == 2 and any("gist" in d for d in theirs_indexes),
    )


def replace_postgis(n: int, *, runs: int = 3) -> Result:
    """Case 4b: ``mode="replace"`` of a full layer against a load into the empty layer."""
    buildings = synthetic_buildings(n)
    with pg_schema() as schema:
        sides = _Sides(schema, buildings)

        def replace() -> float:  # after a fresh load: n rows replaced by n rows
            return sides.ours("replace")

        (fresh, fresh_server), (replaced, replace_server) = alternated(
            [(sides.empty_layer, sides.ours), (lambda: None, replace)],
            runs=max(runs, MIN_RUNS),
        )
        count = sides.store.counts()["buildings"]
        sides.close()
    return Result.timed(
        "replace a PostGIS layer (mode='replace')",
        f"{n:,} buildings replacing {n:,}",
        replaced,
        fresh,
        FRESH,
        "as fast as a fresh load (ratio ≤ 1.05)",
        1.05,
        notes={
            "server_cpu_ours_s": round(replace_server, 3),
            "server_cpu_baseline_s": round(fresh_server, 3),
            "rows_after": count,
        },
        holds=count == n,
    )
