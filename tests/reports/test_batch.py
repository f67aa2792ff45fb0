"""``report --all`` for many Gesamtmaßnahmen: inputs read once, worker processes, failures.

The stores hold the demo city's two Gesamtmaßnahmen and two copies of them (records
copied in bulk), so a batch has four areas. Few tests start processes (1–2 s each).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from cli.main import main
from geo.store import open_store
from monitoring.auth import User
from monitoring.catalogue import registry_for
from monitoring.reports import generate
from monitoring.reports.batch_inputs import BatchInputs
from monitoring.reports.catalogue import load_catalogue
from monitoring.reports.inputs import read_inputs

YEAR = 2024
NOW = dt.datetime(2025, 3, 1, 9, 30)
LAYERS = (
    "programmes",
    "fields_of_action",
    "funding_areas",
    "measures",
    "measure_fields",
    "measure_outputs",
    "funding_lines",
    "report_sender",
)


def _copy_of(frames: dict[str, pd.DataFrame], template: str, new: str) -> dict[str, pd.DataFrame]:
    """The records of Gesamtmaßnahme ``template`` under the id ``new`` (measures suffixed)."""
    suffix = "-" + new
    area = frames["funding_areas"][frames["funding_areas"]["id"] == template]
    ms = frames["measures"][frames["measures"]["funding_area_id"] == template]
    out = {
        "funding_areas": area.assign(id=new),
        "measures": ms.assign(id=ms["id"] + suffix, funding_area_id=new),
    }
    for name in ("measure_fields", "measure_outputs", "funding_lines"):
        rows = frames[name][frames[name]["measure_id"].isin(ms["id"])]
        rows = rows.assign(measure_id=rows["measure_id"] + suffix)
        out[name] = rows.assign(id=rows["id"] + suffix) if "id" in rows else rows
    return out


@pytest.fixture
def four_areas(demo_path: Path, store_url: str) -> str:
    """A store (GeoPackage or PostGIS) with four Gesamtmaßnahmen; returns its URL."""
    return _fill(demo_path, store_url)


def _fill(demo_path: Path, store_url: str) -> str:
    with open_store(str(demo_path)) as demo:
        frames = {name: demo.read(name) for name in LAYERS}
    with open_store(store_url) as store:
        store.init(crs="EPSG:25832")
        for name in LAYERS:
            store.write(name, frames[name])
        for template, new in (("SSZ-01", "SSZ-02"), ("WNE-01", "WNE-02")):
            for name, rows in _copy_of(frames, template, new).items():
                store.write(name, rows)
    return store_url


def _reports(result: generate.BatchResult) -> dict[str, dict[str, object]]:
    return {d.report.area_id: d.report.to_dict() for d in result.downloads}


def test_batch_inputs_are_what_each_report_reads(demo_store, admin: User):
    catalogue, registry = load_catalogue(), registry_for(demo_store)
    inputs = BatchInputs(demo_store, admin, catalogue=catalogue, registry=registry)
    some = BatchInputs(
        demo_store, admin, catalogue=catalogue, registry=registry, area_ids=["WNE-01"]
    )
    assert inputs.area_ids == ["SSZ-01", "WNE-01"] and some.area_ids == ["WNE-01"]
    for batch_inputs, area_id in ((inputs, "SSZ-01"), (inputs, "WNE-01"), (some, "WNE-01")):
        alone = read_inputs(demo_store, admin, area_id, catalogue=catalogue, registry=registry)
        sliced = batch_inputs.inputs(area_id)
        assert sliced.sender == alone.sender and sliced.crs == alone.crs
        assert sliced.area["geometry"].equals(alone.area["geometry"])
        assert {k: v for k, v in sliced.area.items() if k != "geometry"} == {
            k: v for k, v in alone.area.items() if k != "geometry"
        }
        for name, frame in alone.frames.items():
            assert type(sliced[name]) is type(frame), name
            pd.testing.assert_frame_equal(sliced[name], frame, check_exact=True, obj=name)
    assert len(inputs.inputs("SSZ-01")["measures"]) != len(inputs.inputs("WNE-01")["measures"])


def test_batch_is_the_per_area_report(demo_store, admin: User):
    result = generate.batch(demo_store, admin, year=YEAR, fmt="json", now=NOW)
    assert result.workers == 1 and result.total == 2 and not result.failures
    for made in result.downloads:
        alone = generate.download(demo_store, admin, made.report.area_id, year=YEAR, fmt="json")
        expected = alone.report.to_dict() | {"generated_at": made.report.generated_at}
        assert made.report.to_dict() == expected
        assert made.report.fingerprint == alone.report.fingerprint


def test_two_processes_make_the_same_reports_as_one(four_areas: str, admin: User):
    with open_store(four_areas) as store:
        one = generate.batch(store, admin, year=YEAR, fmt="json", workers=1, now=NOW)
        two = generate.batch(
            store, admin, year=YEAR, fmt="json", workers=2, url=four_areas, now=NOW
        )
    assert (one.workers, two.workers) == (1, 2)
    assert [d.name for d in two.downloads] == [d.name for d in one.downloads]
    assert len(one.downloads) == 4 and not one.failures and not two.failures
    assert _reports(two) == _reports(one)
    assert [d.data for d in two.downloads] == [d.data for d in one.downloads]
    money = {a: [p for p in r["parts"] if p["key"] == "B"] for a, r in _reports(one).items()}
    assert money["SSZ-02"] == money["SSZ-01"] != money["WNE-01"]  # a copy has the same money


def test_progress_is_called_for_every_area_with_the_total(four_areas: str, admin: User):
    seen: list[tuple[str, int, int]] = []
    with open_store(four_areas) as store:
        result = generate.batch(
            store, admin, year=YEAR, fmt="json", progress=lambda *a: seen.append(a)
        )
    assert [done for _, done, _ in seen] == [1, 2, 3, 4]
    assert {total for _, _, total in seen} == {4}
    assert sorted(a for a, _, _ in seen) == ["SSZ-01", "SSZ-02", "WNE-01", "WNE-02"]
    assert result.made == 4


def test_a_corrupt_record_fails_its_area_only(demo_path: Path, tmp_path: Path, admin: User):
    path = tmp_path / "kaputt.gpkg"
    with open_store(str(demo_path)) as demo:
        frames = {name: demo.read(name) for name in LAYERS}
    with open_store(str(path)) as store:
        store.init(crs="EPSG:25832")
        for name in LAYERS:
            store.write(name, frames[name])
        for name, rows in _copy_of(frames, "SSZ-01", "SSZ-02").items():
            store.write(name, rows)
    bad = frames["funding_lines"]
    bad_line = bad[bad["measure_id"].isin(frames["measures"]["id"])]["id"].iloc[0]
    with sqlite3.connect(path) as conn:  # SQLite keeps any type: text in a money column
        conn.execute("UPDATE funding_lines SET planned = 'viel' WHERE id = ?", (bad_line,))
    bad_area = (
        frames["measures"]
        .set_index("id")
        .loc[bad.set_index("id").loc[bad_line, "measure_id"], "funding_area_id"]
    )
    seen: list[str] = []
    with open_store(str(path)) as store:
        result = generate.batch(
            store, admin, year=YEAR, fmt="json", progress=lambda a, d, t: seen.append(a)
        )
    assert [f.area_id for f in result.failures] == [bad_area]
    assert f"Der Bericht für „{bad_area}“ konnte nicht erstellt werden" in (
        result.failures[0].message
    )
    assert "--area" in result.failures[0].message
    made = [d.report.area_id for d in result.downloads]
    assert bad_area not in made and len(made) == 2 and len(seen) == 3


@pytest.mark.slow  # two processes start (about 6 s)
def test_cli_report_all_with_two_processes(
    demo_path: Path, gpkg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    four_areas = _fill(demo_path, gpkg_url)
    folder = tmp_path / "berichte"
    argv = ["report", "--store", four_areas, "--all", "--year", str(YEAR), "--format", "json"]
    assert main([*argv, "--prozesse", "2", "--out", str(folder)]) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        f"Monitoringbericht_{a}_{YEAR}.json" for a in ("SSZ-01", "SSZ-02", "WNE-01", "WNE-02")
    ]
    first = json.loads((folder / names[0]).read_text(encoding="utf-8"))
    assert first["area_id"] == "SSZ-01"
    captured = capsys.readouterr()
    assert "4 Berichte (json) für 2024" in captured.out and "2 Prozesse" in captured.out
    assert "Berichte 2024: 4 von 4" in captured.err
    assert main([*argv, "--prozesse", "0", "--out", str(folder)]) != 0
    assert "--prozesse 2" in capsys.readouterr().err
