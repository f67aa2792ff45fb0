"""The social index on stored values, on both stores, through the service and the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cli.main import main
from geo.store import open_store
from indicators.errors import FrameError
from indicators.registry import load_registry
from indicators.social_index import compute_index, load_profile
from indicators.stored import compute_stored_index, index_inputs, recomputed_edition

PROFILE = load_profile("berlin-mss-2021")
KEYS = ("residents", "residents_15_64", "residents_u15", "unemployed", "sgb2_recipients",
        "sgb2_children_u15")  # fmt: skip


def synthetic_values(n: int = 14, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(n):
        residents = 200.0 if a == 0 else float(rng.integers(800, 9000))
        for year in (2018, 2020):
            u15 = round(residents * 0.15)
            work = round(residents * 0.6)
            vals = (residents, work, u15, rng.binomial(work, 0.03 + 0.01 * (a % 5)),
                    rng.binomial(int(residents), 0.05 + 0.02 * (a % 4)),
                    rng.binomial(u15, 0.1 + 0.05 * (a % 3)))  # fmt: skip
            for key, value in zip(KEYS, vals):
                rows.append(
                    {"area_id": f"P{a:03d}", "level": "Planungsraum", "vintage": "2021",
                     "indicator": key, "period": pd.Timestamp(year, 12, 31),
                     "value": float(value), "edition": "test", "source": "synthetisch"}
                )  # fmt: skip
    return pd.DataFrame(rows)


def test_stored_index_round_trip(store_url: str, capsys) -> None:
    values = synthetic_values()
    with open_store(store_url) as store:
        store.init(crs="EPSG:25833")
        store.write("indicator_values", values)
    # the CLI computes and writes; a second run updates instead of duplicating
    for _ in range(2):
        code = main(["index", "compute", "--store", store_url, "--period", "2020-12-31",
                     "--profile", "berlin-mss-2021", "--exclude", "P005"])  # fmt: skip
        assert code == 0
    out = capsys.readouterr().out
    assert "14 Gebiete, 12 gültig" in out and "70 Indikatorwerte geschrieben" in out
    with open_store(store_url) as store:
        stored = store.read("indicator_values", where={"edition": recomputed_edition(PROFILE)})
    assert len(stored) == 14 * 5
    assert set(stored["vintage"]) == {"2021"} and set(stored["level"]) == {"Planungsraum"}
    # the same numbers as the pure engine on the same inputs
    long = values[["area_id", "indicator", "period", "value"]]
    table = index_inputs(long, load_registry(), PROFILE, period=pd.Timestamp(2020, 12, 31))
    expected = compute_index(table, PROFILE, id_column="area_id", population_column="population",
                             exclude=["P005"]).set_index("id")  # fmt: skip
    got = stored.pivot(index="area_id", columns="indicator", values="value")
    np.testing.assert_allclose(got["social_status_score"], expected["status_score"].astype(float))
    np.testing.assert_allclose(got["social_index_code"], expected["index_code"].astype(float))
    flags = stored.set_index(["area_id", "indicator"])["flag"]
    assert flags[("P000", "social_status_class")] == "ohne Zuordnung: fewer than 300 residents"
    assert flags[("P005", "social_status_class")].endswith("excluded (flagged as outlier)")
    assert flags[("P001", "social_status_class")] is None


def test_stored_index_refuses_ambiguous_or_missing_input(gpkg_url: str) -> None:
    values = synthetic_values(n=6)
    other = values.assign(edition="zweite", value=values["value"] + 1)
    with open_store(gpkg_url) as store:
        store.init(crs="EPSG:25833")
        store.write("indicator_values", pd.concat([values, other], ignore_index=True))
        with pytest.raises(FrameError, match="mehrere Ausgaben .*--edition"):
            compute_stored_index(store, PROFILE, period="2020-12-31", write=False)
        with pytest.raises(FrameError, match="am 31.12.2030 .* keine Werte"):
            compute_stored_index(store, PROFILE, period="2030-12-31", edition="test", write=False)
        done = compute_stored_index(store, PROFILE, period="2020-12-31", edition="test",
                                    write=False)  # fmt: skip
        assert done.written == 0 and len(done.result) == 6
        assert store.counts()["indicator_values"] == 2 * len(values)
    assert main(["index", "compute", "--store", gpkg_url, "--profile", "berlin-mss-2021"]) == 2
