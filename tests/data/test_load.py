"""The demo city and the defaults written into a real store (GeoPackage; PostGIS too)."""

from __future__ import annotations

import time

import pandas as pd
import pytest
import shapely

from data.musterstadt import build_musterstadt, load_musterstadt
from geo.schema import SCHEMA
from geo.store import open_store
from monitoring.defaults import (
    FEDERAL_CATEGORIES,
    TAXONOMIES,
    default_fields_of_action,
    default_programmes,
    seed_defaults,
)

EDIT = {"created_at", "updated_at", "updated_by", "version"}


def test_default_programmes_have_the_layer_columns_and_a_consistent_history() -> None:
    programmes = default_programmes().set_index("id")
    assert (
        set(programmes.reset_index().columns) == set(SCHEMA.layer("programmes").column_names) - EDIT
    )
    assert set(programmes.index) >= {
        "soziale_stadt",
        "sozialer_zusammenhalt",
        "stadtumbau_west",
        "stadtumbau_ost",
        "stadtumbau",
        "wachstum_nachhaltige_erneuerung",
        "lebendige_zentren",
    }
    for pid, row in programmes.iterrows():
        if pd.notna(row["predecessor_id"]):
            before = programmes.loc[row["predecessor_id"]]
            assert before["until_year"] + 1 == row["since_year"], pid
    assert programmes.loc["sozialer_zusammenhalt", "predecessor_id"] == "soziale_stadt"
    assert programmes.loc["wachstum_nachhaltige_erneuerung", "predecessor_id"] == "stadtumbau"


def test_default_fields_of_action_cover_three_taxonomies_with_federal_categories() -> None:
    fields = default_fields_of_action()
    assert set(fields.columns) == set(SCHEMA.layer("fields_of_action").column_names) - EDIT
    assert not fields["id"].duplicated().any()
    assert set(fields["taxonomy"]) == set(TAXONOMIES)
    assert set(fields["federal_category"]) <= set(FEDERAL_CATEGORIES)
    assert set(FEDERAL_CATEGORIES) == set(fields["federal_category"])  # every group is used
    counts = fields.groupby("taxonomy").size()
    assert counts["soziale_stadt"] == 8 and counts["berlin_qm"] == 6 and counts["stadtumbau"] == 6
    assert fields["active"].all()


def test_seed_defaults_is_idempotent_and_keeps_edits(gpkg_url: str) -> None:
    store = open_store(gpkg_url)
    store.init()
    first = seed_defaults(store)
    assert first == {"programmes": 12, "fields_of_action": 20}
    with store.transaction(user="city") as tx:
        tx.update("fields_of_action", {"id": "qm_klima"}, {"active": False}, user="city")
    assert seed_defaults(store) == {"programmes": 0, "fields_of_action": 0}
    fields = store.read("fields_of_action").set_index("id")
    assert not fields.loc["qm_klima", "active"] and len(fields) == 20
    assert seed_defaults(store, overwrite=True)["fields_of_action"] == 20
    assert store.read("fields_of_action").set_index("id").loc["qm_klima", "active"]
    assert store.counts()["programmes"] == 12


def _load_and_compare(url: str) -> None:
    store = open_store(url)
    store.init()
    seen: list[str] = []
    start = time.perf_counter()
    written = load_musterstadt(store, progress=lambda layer, done, total: seen.append(layer))
    elapsed = time.perf_counter() - start
    print(f"load_musterstadt into {url.split('?')[0]}: {elapsed:.1f} s")
    frames = build_musterstadt()
    expected = {name: len(frame) for name, frame in frames.items()}
    assert written == expected
    assert seen == list(frames)
    counts = store.counts()
    assert {k: counts[k] for k in expected} == expected
    # loading again replaces, it does not add
    load_musterstadt(store)
    assert {k: store.counts()[k] for k in expected} == expected
    areas = store.read("areas", where={"level": "Stadtteil"})
    original = frames["areas"].set_index("id")
    for row in areas.itertuples():
        assert shapely.symmetric_difference(row.geometry, original.geometry[row.id]).area < 1e-3
    store.close()


def test_load_into_geopackage_gives_the_built_counts(gpkg_url: str) -> None:
    _load_and_compare(gpkg_url)


@pytest.mark.postgis
def test_load_into_postgis_gives_the_built_counts(pg_url: str) -> None:
    _load_and_compare(pg_url)
