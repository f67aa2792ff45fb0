"""Benchmark inputs: real Berlin planning areas from ../shared/data, seeded synthetic buildings."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

REPO = Path(__file__).resolve().parents[1]
REAL_DATA = Path(os.environ.get("QMON_REAL_DATA", REPO.parent / "shared" / "data"))
PG_DSN = os.environ.get("QMON_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/qmon_bench")


@cache
def berlin_planning_areas() -> gpd.GeoDataFrame:
    """The 542 Berlin planning areas (LOR 2021), EPSG:25833, as areas of the data model."""
    folder = REAL_DATA / "berlin_lor_shapes" / "lor_post2021_PLR"
    shp = next(folder.glob("*.shp"))
    raw = gpd.read_file(shp)
    return gpd.GeoDataFrame(
        {
            "id": raw["PLR_ID"].astype(str),
            "level": "Planungsraum",
            "vintage": "2021",
            "name": raw["PLR_NAME"].astype(str),
        },
        geometry=raw.geometry.values,
        crs=raw.crs,
    )


def synthetic_buildings(n: int, *, seed: int = 42) -> gpd.GeoDataFrame:
    """``n`` building points spread over Berlin's extent, with dwellings and owner type."""
    areas = berlin_planning_areas()
    minx, miny, maxx, maxy = areas.total_bounds
    rng = np.random.default_rng(seed)
    xs = rng.uniform(minx, maxx, n)
    ys = rng.uniform(miny, maxy, n)
    owners = np.array(["kommunale Wohnungsgesellschaft", "Genossenschaft", "privater Eigentümer"])
    return gpd.GeoDataFrame(
        {
            "id": np.char.add("B", np.arange(n).astype(str)).astype(object),
            "dwellings": rng.integers(1, 60, n),
            "vacant_dwellings": rng.integers(0, 3, n),
            "year_built": rng.integers(1870, 2024, n),
            "owner_type": owners[rng.integers(0, 3, n)].astype(object),
            "storeys": rng.integers(1, 12, n),
        },
        geometry=shapely.points(xs, ys),
        crs=areas.crs,
    )


#: Vertex spacing of the seeded areas' edges, as in Berlin's planning areas (15 m).
EDGE_SPACING_M = 15.0
#: Waves (amplitude, wavelength in metres) that bend the seeded edges like real ones;
#: the displacement stays far below 1 m per m, so edges never cross.
EDGE_WAVES = ((6.0, 150.0), (2.0, 40.0))


def synthetic_areas(n: int, *, seed: int = 3) -> gpd.GeoDataFrame:
    """``n`` areas tiling Berlin's extent, for the scale cases.

    Voronoi cells of seeded points, with edges as detailed as real boundaries: the
    shared edges are noded once, a vertex set every ``EDGE_SPACING_M`` and moved by a
    smooth seeded displacement (``EDGE_WAVES``), then the cells are rebuilt from those
    edges. Neighbours therefore share every vertex: the areas form a valid coverage,
    with about as many vertices per km of edge as Berlin's planning areas. (Plain
    Voronoi cells have a handful of vertices each, which would flatter every method
    that ships or tests geometry.)
    """
    areas = berlin_planning_areas()
    minx, miny, maxx, maxy = areas.total_bounds
    rng = np.random.default_rng(seed)
    seeds = shapely.multipoints(np.c_[rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)])
    frame = shapely.box(minx, miny, maxx, maxy)
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame))
    cells = shapely.intersection(cells, frame)
    edges = shapely.segmentize(shapely.union_all(shapely.boundary(cells)), EDGE_SPACING_M)
    xy = shapely.get_coordinates(edges)
    shift = np.zeros_like(xy)
    for amplitude, wavelength in EDGE_WAVES:
        for axis in (0, 1):
            angle, phase = rng.uniform(0, 2 * np.pi, 2)
            k = 2 * np.pi / wavelength * np.array([np.cos(angle), np.sin(angle)])
            shift[:, axis] += amplitude * np.sin(xy @ k + phase)
    edges = shapely.set_coordinates(edges, xy + shift)
    cells = shapely.get_parts(shapely.polygonize(shapely.get_parts(edges)))
    return gpd.GeoDataFrame(
        {"id": [f"A{i:05d}" for i in range(len(cells))], "level": "Test", "vintage": "1"},
        geometry=cells,
        crs=areas.crs,
    )
