"""Case 4: bulk writes to PostGIS."""

from __future__ import annotations

from benchmarks.data import PG_DSN, synthetic_buildings
from benchmarks.harness import Result, median_seconds
from benchmarks.stores import pg_schema
from geo.store.postgis import PostGISStore


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
