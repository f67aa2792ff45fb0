"""Seeded report packages of the national set: sealed, deterministic, the overview reads them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from data.national import build_national
from data.national_reports import CHUNK, seed_packages
from geo.store import open_store
from monitoring.auth import User
from monitoring.errors import PermissionDenied, RuleViolation
from monitoring.federal import packages
from monitoring.federal.overview import read_overview, roll_up

ADMIN = User("bund", "admin")
WHEN = dt.datetime(2025, 9, 1, 12, 0)


def _national(url: str, real_data: Path):  # type: ignore[no-untyped-def]
    store = open_store(url)
    store.init(crs="EPSG:25832")
    build_national(
        store,
        ADMIN,
        n_funding_areas=40,
        municipalities="10",
        source=real_data / "germany_vg5000_2021",
    )
    return store


def test_every_package_is_sealed_and_names_its_gesamtmassnahme(
    store_url: str, real_data: Path
) -> None:
    store = _national(store_url, real_data)
    written = seed_packages(store, ADMIN, years=(2023, 2024), templates=2, now=WHEN)
    stored = store.read("collected_reports")
    areas = store.read("funding_areas", columns=["id", "ags", "programme_id"]).set_index("id")
    assert written == len(stored) > 0
    for row in stored.itertuples():
        package = packages.read_package(row.payload, file_name=row.id)  # seal and checksums
        assert package["siegel"] == row.seal
        assert package["gesamtmassnahme"] == row.funding_area_id
        assert package["ags"] == row.ags == areas.loc[row.funding_area_id, "ags"]
        assert package["bericht"]["year"] == row.year
        assert row.id == f"{row.ags}/{row.funding_area_id}/{row.year}/1"
    # some reports of the latest year are missing, never more than were drawn
    per_year = stored.groupby("year").size()
    assert per_year.loc[2024] < len(areas) and per_year.loc[2023] <= len(areas)
    log = store.read("audit_log", where={"layer": "collected_reports"})
    logged = sum(json.loads(after)["Datensätze"] for after in log["after"])
    assert logged == written and len(log) == -(-written // CHUNK)  # one audit row per chunk


def test_the_figures_are_the_templates_scaled_and_the_same_for_the_same_seed(
    gpkg_url: str, tmp_path: Path, real_data: Path
) -> None:
    one = _national(gpkg_url, real_data)
    other = _national(str(tmp_path / "zwei.gpkg"), real_data)
    seed_packages(one, ADMIN, templates=1, now=WHEN)
    seed_packages(other, ADMIN, templates=1, now=WHEN)
    a = one.read("collected_reports", columns=["id", "seal"])
    b = other.read("collected_reports", columns=["id", "seal"])
    pd.testing.assert_frame_equal(
        a.sort_values("id", ignore_index=True), b.sort_values("id", ignore_index=True)
    )
    money = [
        packages.report_of(json.loads(p)).values().get("B.1.bund.planned")
        for p in one.read("collected_reports", where={"year": 2024})["payload"]
    ]
    given = [m for m in money if isinstance(m, int | float)]
    assert len(set(given)) > 1  # one template, different figures per Gesamtmaßnahme


def test_the_overview_counts_the_seeded_packages(gpkg_url: str, real_data: Path) -> None:
    store = _national(gpkg_url, real_data)
    seed_packages(store, ADMIN, templates=1, now=WHEN)
    data = read_overview(store, ADMIN, 2024)
    rollup = roll_up(data, today=dt.date(2025, 9, 1))
    reported = store.read("collected_reports", where={"year": 2024})
    expected = rollup.metrics["erwartet"]
    assert rollup.metrics["gemeldet"] == len(reported)
    assert rollup.metrics["verspätet"] == expected - len(reported) > 0


def test_seeding_twice_or_as_a_viewer_is_refused(gpkg_url: str, real_data: Path) -> None:
    store = _national(gpkg_url, real_data)
    with pytest.raises(PermissionDenied):
        seed_packages(store, User("gast", "viewer"), now=WHEN)
    seed_packages(store, ADMIN, templates=1, now=WHEN)
    before = len(store.read("collected_reports", columns=["id"]))
    with pytest.raises(RuleViolation, match="gibt es schon"):
        seed_packages(store, ADMIN, templates=1, now=WHEN)
    assert len(store.read("collected_reports", columns=["id"])) == before


def test_a_plain_geopackage_collects_the_packages_of_several_municipalities(
    gpkg_url: str, tmp_path: Path, real_data: Path
) -> None:
    """Collected packages (and their audit rows) are no second municipality of a GeoPackage."""
    from monitoring.federal.collect import collect

    register = _national(gpkg_url, real_data)
    seed_packages(register, ADMIN, templates=1, now=WHEN)
    sent = register.read("collected_reports", columns=["id", "ags", "payload"])
    two = sent.drop_duplicates("ags").head(2)
    assert two["ags"].nunique() == 2
    land = open_store(str(tmp_path / "land.gpkg"))
    land.init(crs="EPSG:25832")
    assert not land.is_register()
    files = [(f"{i}.json", p.encode()) for i, p in zip(two["id"], two["payload"], strict=True)]
    result = collect(land, ADMIN, files)
    assert [o.status for o in result.outcomes] == ["eingelesen", "eingelesen"]
    assert sorted(land.read("collected_reports")["ags"]) == sorted(two["ags"])
