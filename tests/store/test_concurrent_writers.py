"""20 concurrent writers per store through the one writing path: nothing lost, every
refusal an edit conflict (or, on the GeoPackage, the German busy message), no crash.
Bounded (5 saves per writer) and on loopback only; the same workload is a case of
``make bench`` (benchmarks/writers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.writers import exercise


def _assert_nothing_lost(got: dict[str, object]) -> None:
    assert got["problems"] == [], got["problems"]
    assert got["crashes"] == 0
    assert got["attempts"] == 100
    assert got["saved"] + got["conflicts"] + got["busy"] == got["attempts"]  # type: ignore[operator]
    assert got["saved"] >= 4  # type: ignore[operator]  # writers got through, not only refusals
    assert got["conflicts"] > 0  # they did collide: the check had work to do


def test_twenty_writer_threads(store_url: str) -> None:
    _assert_nothing_lost(exercise(store_url, writers=20, rounds=5))


def test_twenty_writers_in_two_processes_on_one_geopackage(tmp_path: Path) -> None:
    got = exercise(str(tmp_path / "writers.gpkg"), writers=20, rounds=5, procs=2)
    _assert_nothing_lost(got)


@pytest.mark.parametrize("rounds", [1])
def test_the_check_finds_a_lost_update(tmp_path: Path, rounds: int) -> None:
    """The check is not blind: a save that bypasses the audit log is reported."""
    from benchmarks.writers import LAYER, check, prepare, threads
    from geo.store import open_store

    url = str(tmp_path / "lost.gpkg")
    prepare(url)
    with open_store(url) as store:
        start = store.change_token().counter
    outcome = threads(url, writers=2, rounds=rounds)
    with open_store(url) as store:  # someone writes around the services: no audit row
        store.write(LAYER, store.read(LAYER).assign(name="überschrieben"), mode="upsert")
    problems = check(url, outcome, start_counter=start)
    assert any("holds 'überschrieben'" in p for p in problems)
    assert any("change counter rose" in p for p in problems)
