"""Case 1: assigning buildings to areas, in memory and in PostGIS (and the benchmark database)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql

from benchmarks.data import PG_DSN, berlin_planning_areas, synthetic_buildings
from benchmarks.harness import Result, median_seconds, timed
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


#: the peer in its strongest configuration: "within" runs geopandas' tree on the points
#: (``sjoin`` asks ``left_df.sindex`` with the areas and "contains"), built before timing
ASSIGN_BASELINE = 'geopandas.sjoin(predicate="within"), sindex cached'
ASSIGN_GOAL = "ratio ≤ 0.7"
ASSIGN_RATIO = 0.7


def sjoin_within(buildings: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The baseline of the assignment cases (``buildings.sindex`` built beforehand)."""
    return gpd.sjoin(buildings, areas[["id", "geometry"]], predicate="within", how="left")


def same_as_sjoin(ours: pd.Series, joined: gpd.GeoDataFrame, index: pd.Index) -> bool:
    """Whether our ids equal sjoin's for every point sjoin places inside an area, and
    sjoin places none twice (a point on a shared edge, which "within" leaves out and we
    give the smallest id, does not occur among the seeded points; if one did, this
    would say so)."""
    if joined.index.duplicated().any():
        return False
    ref = joined["id_right"].reindex(index)
    return bool(
        ours.notna().sum() == ref.notna().sum() and (ours[ref.notna()] == ref.dropna()).all()
    )


def assign_in_memory(n: int, *, runs: int = 3) -> Result:
    """Case 1 (in memory): our assignment against ``geopandas.sjoin(predicate="within")``
    with geopandas' spatial index of the points built and cached before timing.

    Both sides get the same cached tree (ours uses ``buildings.sindex`` when the features
    are points); the time to build it once is in the notes.
    """
    areas = berlin_planning_areas()
    buildings = synthetic_buildings(n)
    points = np.asarray(buildings.geometry.values, dtype=object)
    tree_build = timed(lambda: shapely.STRtree(points), runs=runs)
    assert buildings.sindex is not None  # built and cached on the frame, for both sides
    same = same_as_sjoin(
        assign_to_areas(buildings, areas), sjoin_within(buildings, areas), buildings.index
    )
    a = timed(lambda: assign_to_areas(buildings, areas), runs=runs)
    b = timed(lambda: sjoin_within(buildings, areas), runs=runs)
    return Result.timed(
        "assign buildings to areas",
        f"{n:,} points × {len(areas)} areas",
        a,
        b,
        ASSIGN_BASELINE,
        ASSIGN_GOAL,
        ASSIGN_RATIO,
        holds=same,
        notes={
            "same_results": same,
            "runs": runs,
            "tree build seconds (once, not timed on either side)": round(tree_build.wall, 3),
        },
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
