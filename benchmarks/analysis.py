"""Case 6: the social index for 542 areas over 5 editions, and the federal reports of the
demo city.

The reports have no peer to compare with. One goal is absolute (issue 18): the PDF of one
Gesamtmaßnahme, as the Berichte page and ``qmon report --area`` make it (store read,
figures, fingerprint, PDF), within 1 s; the median over every Gesamtmaßnahme of the demo,
with its CPU time beside it. The batches of every area in one call are for the record.
"""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.data import REAL_DATA
from benchmarks.harness import Result, median_seconds, timed
from data.musterstadt import load_musterstadt
from geo.store import open_store
from indicators.social_index import compute_index, load_profile
from monitoring.auth import User
from monitoring.reports.generate import batch, download

STATUS, DYNAMICS = ["S1", "S3", "S4"], ["D1", "D3", "D4"]


def editions(n: int = 5) -> list[pd.DataFrame]:
    """MSS 2021 and four seeded variations of it standing in for other editions."""
    mss = pd.read_csv(
        REAL_DATA / "berlin_mss_2021" / "mss_2021_index_indikatoren.csv", dtype={"PLR_ID": str}
    )
    rng = np.random.default_rng(5)
    out = [mss]
    for _ in range(n - 1):
        other = mss.copy()
        for col in STATUS + DYNAMICS:
            valid = other[col] != -9999
            other.loc[valid, col] = other.loc[valid, col] * rng.normal(1, 0.05, valid.sum())
        out.append(other)
    return out


def run(*, quick: bool = False) -> list[Result]:
    profile = load_profile("berlin-mss-2021")
    tables = editions()

    def index() -> None:
        for table in tables:
            compute_index(
                table,
                profile,
                id_column="PLR_ID",
                population_column="EW",
                status_columns=STATUS,
                dynamics_columns=DYNAMICS,
                na_values=[-9999],
            )

    results = [
        Result(
            "social index",
            f"{len(tables[0])} areas × {len(tables)} editions",
            "seconds",
            median_seconds(index, runs=5),
            None,
            "",
            "for the record",
            None,
        )
    ]
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "demo.gpkg"))
        store.init(crs="EPSG:25832")
        load_musterstadt(store)
        user = User("bench", "admin")
        ids = store.read("funding_areas", columns=["id"])["id"].tolist()
        n = len(ids)

        def each_pdf() -> None:
            for area_id in ids:
                download(store, user, area_id, year=2024, fmt="pdf")

        one = timed(each_pdf, runs=1 if quick else 5)
        results.append(
            Result(
                "report (pdf) of one Gesamtmaßnahme",
                f"{n} Gesamtmaßnahmen of the demo city, one after the other",
                "seconds",
                one.wall / n,
                None,
                "",
                "≤ 1 s per PDF",
                None,
                limit=1.0,
                cpu_ours=one.cpu / n,
            )
        )
        for fmt in ("xlsx", "pdf", "csv"):
            seconds = median_seconds(
                partial(batch, store, user, year=2024, fmt=fmt), runs=1 if quick else 3
            )
            results.append(
                Result(
                    f"reports ({fmt})",
                    f"{n} funding areas of the demo city",
                    "seconds",
                    seconds,
                    None,
                    "",
                    "for the record",
                    None,
                )
            )
    return results
