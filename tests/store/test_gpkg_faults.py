"""GeoPackage faults end in a German store error that names the file and what to do, never
in a traceback or a half-written store: a writer holding the file, a file that is not a
database, a truncated file, a full disk."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from cli.main import main
from geo.errors import StoreBusyError, StoreError
from geo.schema import SCHEMA
from geo.store import open_store
from geo.store.gpkg import GeoPackageStore, busy_seconds
from tests.store.test_contract import sample_frame
from tests.store.test_transfer import filled


@pytest.fixture
def gpkg(tmp_path: Path) -> str:
    url = str(tmp_path / "stadt.gpkg")
    filled(url)  # five rows in every layer
    return url


@contextmanager
def held(url: str, *, for_seconds: float | None = None) -> Iterator[None]:
    """Hold the file as a long import does when it commits (an exclusive lock)."""
    conn = sqlite3.connect(url, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN EXCLUSIVE")
    release = None
    if for_seconds is not None:
        release = threading.Timer(for_seconds, lambda: conn.execute("ROLLBACK"))
        release.start()
    try:
        yield
    finally:
        if release is not None:
            release.join()
        elif conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()


def snapshot(url: str) -> dict[str, pd.DataFrame]:
    with open_store(url) as store:
        return {name: pd.DataFrame(store.read(name)) for name in SCHEMA.layers}


def assert_unchanged(url: str, before: dict[str, pd.DataFrame]) -> None:
    after = snapshot(url)
    for name in SCHEMA.layers:
        assert_frame_equal(after[name], before[name], obj=name)


def operations(store: GeoPackageStore) -> dict[str, Callable[[], object]]:
    return {
        "read spatial": lambda: store.read("measures"),
        "read by bbox": lambda: store.read("measures", bbox=(0, 0, 1e7, 1e7)),
        "read table": lambda: store.read("programmes"),
        "counts": store.counts,
        "change token": store.change_token,
        "version": store.schema_version,
        "write": lambda: store.delete("programmes"),
    }


def test_busy_seconds_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QMON_GPKG_BUSY_SECONDS", raising=False)
    assert busy_seconds() == 10.0
    monkeypatch.setenv("QMON_GPKG_BUSY_SECONDS", "0,5")
    assert busy_seconds() == 0.5
    monkeypatch.setenv("QMON_GPKG_BUSY_SECONDS", "bald")
    with pytest.raises(StoreError, match="keine Wartezeit in Sekunden"):
        busy_seconds()


def test_readers_and_writers_wait_then_say_an_import_is_running(
    gpkg: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QMON_GPKG_BUSY_SECONDS", "0.5")
    before = snapshot(gpkg)
    store = GeoPackageStore(gpkg)
    with held(gpkg):
        for name, run in operations(store).items():
            start = time.monotonic()
            with pytest.raises(StoreBusyError) as caught:
                run()
            waited = time.monotonic() - start
            message = str(caught.value)
            assert waited >= 0.45, (name, waited)  # it waited for the writer first
            assert "Import oder einer Speicherung" in message and "erneut" in message, name
            assert gpkg in message and "QMON_GPKG_BUSY_SECONDS" in message
    assert_unchanged(gpkg, before)


def test_readers_wait_for_a_short_write_and_then_succeed(
    gpkg: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QMON_GPKG_BUSY_SECONDS", "10")
    store = GeoPackageStore(gpkg)
    for name, run in operations(store).items():
        with held(gpkg, for_seconds=0.3):
            run()  # no error: the lock went within the wait time
        assert name


def test_cli_says_so_in_german_without_traceback(
    gpkg: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QMON_GPKG_BUSY_SECONDS", "0.3")
    with held(gpkg):
        assert main(["layers", "--store", gpkg]) == 2
    err = capsys.readouterr().err
    assert "wird gerade von einem Import" in err and "Traceback" not in err


@pytest.mark.parametrize("what", ["not-a-database", "truncated", "empty-header"])
def test_broken_files_are_named_with_the_fix(
    what: str, gpkg: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"{what}.gpkg"
    content = Path(gpkg).read_bytes()
    if what == "not-a-database":
        path.write_bytes(b"PK\x03\x04 eigentlich eine Zip-Datei " * 200)
        expect = "ist kein GeoPackage"
    elif what == "truncated":
        path.write_bytes(content[: len(content) // 2])
        expect = "beschädigt oder unvollständig"
    else:
        path.write_bytes(content[:100] + b"\x00" * 50)
        expect = "GeoPackage"
    store = GeoPackageStore(str(path))
    failures = 0
    for name, run in {**operations(store), "init": store.init}.items():
        try:
            run()
        except StoreError as exc:
            failures += 1
            assert expect in str(exc) and str(path) in str(exc), (name, str(exc))
    assert failures >= 3  # the file is not usable; each failure says so, none is a crash
    assert main(["layers", "--store", str(path)]) == 2
    err = capsys.readouterr().err
    assert expect in err and "Traceback" not in err


class TinyDisk(GeoPackageStore):
    """A store whose file may grow by a few pages only: SQLite reports a full disk."""

    def _connect(self) -> sqlite3.Connection:
        conn = super()._connect()
        (pages,) = conn.execute("PRAGMA page_count").fetchone()
        conn.execute(f"PRAGMA max_page_count = {int(pages) + 2}")
        return conn


def test_a_full_disk_rolls_back_cleanly_and_says_what_to_do(gpkg: str) -> None:
    before = snapshot(gpkg)
    token = open_store(gpkg).change_token()
    full = TinyDisk(gpkg)
    big = sample_frame(SCHEMA.layer("measures"), 3000)
    big["id"] = [f"neu-{i:05d}" for i in range(len(big))]
    with pytest.raises(StoreError) as caught:
        full.write("measures", big)
    message = str(caught.value)
    assert "kein Platz" in message and gpkg in message and "nichts gespeichert" in message
    assert "cannot rollback" not in message
    # and in a transaction of several writes
    with pytest.raises(StoreError, match="kein Platz"), full.transaction(user="anna") as tx:
        tx.delete("programmes")
        tx.write("measures", big)
    assert_unchanged(gpkg, before)
    assert open_store(gpkg).change_token() == token
    # with room again, the same store writes as ever
    assert open_store(gpkg).write("measures", big) == len(big)
