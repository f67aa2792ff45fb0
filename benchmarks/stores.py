"""Cases 1, 4 and 5: assigning buildings to areas, bulk writes to PostGIS, GeoPackage reads."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import psycopg
from psycopg import sql

from benchmarks.data import PG_DSN, berlin_planning_areas, synthetic_buildings
from benchmarks.harness import Result, median_seconds
from geo.joins import assign_to_areas
from geo.store import open_store
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


def bulk_write_postgis(n: int, *, runs: int = 3) -> Result:
    """Case 4: our binary COPY write against GeoDataFrame.to_postgis."""
    from sqlalchemy import create_engine

    buildings = synthetic_buildings(n)
    with pg_schema() as schema:
        store = PostGISStore(f"{PG_DSN}?schema={schema}")
        store.init(crs=buildings.crs)
        engine = create_engine(PG_DSN.replace("postgresql://", "postgresql+psycopg://"))

        def ours() -> None:
            store.write("buildings", buildings, mode="replace")

        def baseline() -> None:
            buildings.to_postgis("buildings_to_postgis", engine, schema=schema, if_exists="replace")

        a = median_seconds(ours, runs=runs)
        b = median_seconds(baseline, runs=max(1, runs - 2), warmup=0 if n > 200_000 else 1)
        store.close()
        engine.dispose()
    return Result(
        "bulk write to PostGIS",
        f"{n:,} buildings",
        "seconds",
        a,
        b,
        "GeoDataFrame.to_postgis",
        "≥ 3× faster (ratio ≤ 0.33)",
        1 / 3,
    )


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
