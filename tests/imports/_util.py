"""Helpers of the import tests: open a fresh store, take and compare snapshots."""

from __future__ import annotations

import pandas as pd
from pandas.testing import assert_frame_equal

from geo.store import Store, open_store


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
