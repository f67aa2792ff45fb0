"""Case 1: assigning buildings to areas, in memory and in PostGIS (and the benchmark database)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import geopandas as gpd
import psycopg
from psycopg import sql

from benchmarks.data import PG_DSN, berlin_planning_areas, synthetic_buildings
from benchmarks.harness import Result, median_seconds
from geo.joins import assign_to_areas
from geo.store.postgis import PostGISStore


def ensure_bench_database() -> None:
    base, _, name = PG_DSN.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")


@contextmanager
def pg_schema() -> Iterator[str]:
    """A fresh schema in the benchmark database, dropped afterwards."""
    ensure_bench_database()
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        yield schema
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def assign_in_memory(n: int, *, runs: int = 3) -> Result:
    """Case 1 (in memory): our bulk STRtree assignment against geopandas.sjoin."""
    areas = berlin_planning_areas()
    buildings = synthetic_buildings(n)

    def ours() -> None:
        assign_to_areas(buildings, areas)

    def baseline() -> None:
        gpd.sjoin(buildings, areas[["id", "geometry"]], predicate="intersects", how="left")

    a = median_seconds(ours, runs=runs)
    b = median_seconds(baseline, runs=runs)
    return Result(
        "assign buildings to areas",
        f"{n:,} points × {len(areas)} areas",
        "seconds",
        a,
        b,
        "geopandas.sjoin",
        "ratio ≤ 1.0",
        1.0,
    )


def assign_postgis(n: int, *, runs: int = 3) -> Result:
    """Case 1 (PostGIS): our in-database assignment against a plain ST_Contains join."""
    areas = berlin_planning_areas()
    buildings = synthetic_buildings(n)
    with pg_schema() as schema:
        store = PostGISStore(f"{PG_DSN}?schema={schema}")
        store.init(crs=buildings.crs)
        store.write("areas", areas)
        store.write("buildings", buildings)
        naive = sql.SQL(
            "SELECT b.id, a.id FROM {s}.buildings b JOIN {s}.areas a "
            "ON ST_Contains(a.geometry, b.geometry)"
        ).format(s=sql.Identifier(schema))

        def ours() -> None:
            with store.transaction() as tx:
                tx.assign("buildings")

        def baseline() -> None:
            with psycopg.connect(PG_DSN) as conn:
                conn.execute(naive).fetchall()

        a = median_seconds(ours, runs=runs)
        b = median_seconds(baseline, runs=runs)
        with store.transaction() as tx:
            assigned = len(tx.assign("buildings"))
        with psycopg.connect(PG_DSN) as conn:
            rows = conn.execute(naive).fetchall()
        store.close()
    return Result(
        "assign buildings to areas in PostGIS",
        f"{n:,} points × {len(areas)} areas",
        "seconds",
        a,
        b,
        "ST_Contains join",
        "≥ 2× faster (ratio ≤ 0.5)",
        0.5,
        notes={"assigned": assigned, "naive_rows": len(rows)},
    )
