"""Helpers of the import tests: small areas, a fresh store, snapshots to compare."""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs

import geopandas as gpd
import pandas as pd
import shapely
from pandas.testing import assert_frame_equal

from geo.store import Store, open_store
from monitoring import imports
from monitoring.auth import User
from monitoring.imports import ImportResult

ADMIN = User("tester", "admin")
"""The acting user of the import tests that are not about roles."""


def as_admin(use_case: Callable[..., ImportResult]) -> Callable[..., ImportResult]:
    """Return the import use case acting as :data:`ADMIN` unless a user is given."""

    @functools.wraps(use_case)
    def run(*args: object, **options: object) -> ImportResult:
        options.setdefault("user", ADMIN)
        return use_case(*args, **options)

    return run


import_areas = as_admin(imports.import_areas)
import_funding_areas = as_admin(imports.import_funding_areas)
import_indicators = as_admin(imports.import_indicators)
import_measures = as_admin(imports.import_measures)
import_buildings = as_admin(imports.import_buildings)


def fresh_store(url: str, crs: str = "EPSG:25832") -> Store:
    """Open the store at ``url`` and create the data model in ``crs``."""
    store = open_store(url)
    store.init(crs=crs)
    return store


def snapshot(store: Store) -> dict[str, pd.DataFrame]:
    """Every layer's rows, in key order, as plain frames (geometry as WKB hex)."""
    out: dict[str, pd.DataFrame] = {}
    for layer in store.iter_layers():
        frame = pd.DataFrame(store.read(layer.name))
        if "geometry" in frame:
            frame["geometry"] = frame["geometry"].map(lambda g: None if g is None else g.wkb_hex)
        out[layer.name] = frame.sort_values(list(layer.key)).reset_index(drop=True)
    return out


def assert_unchanged(before: dict[str, pd.DataFrame], store: Store) -> None:
    """Assert that the store holds exactly the rows of ``before`` (counts and content)."""
    after = snapshot(store)
    assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in before.items()}
    for name, frame in before.items():
        assert_frame_equal(after[name], frame, check_dtype=True, obj=f"layer {name}")


IDS = ["01100101", "01100102", "01100103"]


def boxes(ids: list[str] = IDS, *, crs: int | None = 25833) -> gpd.GeoDataFrame:
    """Square areas of 1 km² side by side, with columns PLR_ID and PLR_NAME."""
    geoms = [
        shapely.box(390000 + 1000 * i, 5819000, 391000 + 1000 * i, 5820000) for i in range(len(ids))
    ]
    frame = gpd.GeoDataFrame(
        {"PLR_ID": ids, "PLR_NAME": [f"Gebiet {i}" for i in range(len(ids))]},
        geometry=geoms,
    )
    return frame.set_crs(crs) if crs else frame


def store_bytes(store: Store) -> bytes:
    """Return the store's bytes: the GeoPackage file, or pg_dump of the PostGIS schema.

    pg_dump writes every table, sequence and index of the schema, so two equal dumps
    mean the schema holds exactly the same content. The ``\\restrict`` lines newer
    pg_dump versions add carry a random key per dump and are left out.
    """
    if not store.url.startswith("postgresql://"):
        return Path(store.url).read_bytes()
    dsn, _, query = store.url.partition("?")
    schema = parse_qs(query)["schema"][0]
    done = subprocess.run(
        ["pg_dump", "--dbname", dsn, "--schema", schema, "--no-owner"],
        check=True,
        capture_output=True,
    )
    assert b"CREATE TABLE" in done.stdout
    lines = done.stdout.splitlines(keepends=True)
    return b"".join(x for x in lines if not x.startswith((b"\\restrict ", b"\\unrestrict ")))
