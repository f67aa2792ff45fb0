"""`qmon export --to` never overwrites a store that holds data without `--replace`, in both
directions, and says what it would replace (layers with their rows, the audit log too)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from cli.main import main
from geo.errors import StoreError
from geo.schema import SCHEMA
from geo.store import open_store
from geo.store.transfer import copy_store
from tests.store.test_contract import CRS, sample_frame
from tests.store.test_transfer import assert_stores_equal

SOME = ("areas", "measures", "audit_log")


def fill(url: str, n: int, layers: tuple[str, ...] | None = None) -> None:
    with open_store(url) as store:
        store.init(crs=CRS)
        with store.transaction() as tx:
            for name in layers or tuple(SCHEMA.layers):
                tx.write(name, sample_frame(SCHEMA.layer(name), n))


def snapshot(url: str) -> dict[str, pd.DataFrame]:
    with open_store(url) as store:
        return {name: pd.DataFrame(store.read(name)) for name in SCHEMA.layers}


def assert_unchanged(url: str, before: dict[str, pd.DataFrame]) -> None:
    after = snapshot(url)
    for name in SCHEMA.layers:
        assert_frame_equal(after[name], before[name], obj=name)


@pytest.fixture(params=["gpkg-to-postgis", "postgis-to-gpkg"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    gpkg = str(tmp_path / "quelle.gpkg")
    pg = str(request.getfixturevalue("pg_url"))
    return (gpkg, pg) if request.param == "gpkg-to-postgis" else (pg, gpkg)


def test_export_refuses_a_target_with_data_and_names_what_it_holds(
    pair: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = pair
    fill(source, 5)
    fill(target, 3, SOME)  # someone's work, with its audit log
    before = snapshot(target)
    code = main(["export", "--store", source, "--to", target])
    err = capsys.readouterr().err
    assert code == 2
    assert "enthält schon Daten" in err and "--replace" in err
    for name in SOME:
        assert f"{name} ({SCHEMA.layer(name).title}): 3 Zeilen" in err
    assert "buildings" not in err  # only what is there
    assert "Traceback" not in err
    assert_unchanged(target, before)


def test_export_with_replace_says_what_it_replaced(
    pair: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = pair
    fill(source, 5)
    fill(target, 3, SOME)
    assert main(["export", "--store", source, "--to", target, "--replace"]) == 0
    out = capsys.readouterr().out
    assert "ersetzt wurde:" in out and "audit_log (" in out
    assert_stores_equal(source, target)


def test_export_into_an_empty_or_new_target_needs_no_replace(pair: tuple[str, str]) -> None:
    source, target = pair
    fill(source, 4)
    with open_store(target) as store:  # initialised, but holding nothing
        store.init(crs=CRS)
    assert main(["export", "--store", source, "--to", target]) == 0
    assert_stores_equal(source, target)


def test_copy_store_refuses_in_the_api_too(pair: tuple[str, str]) -> None:
    source, target = pair
    fill(source, 2, ("measures",))
    fill(target, 1, ("audit_log",))
    with open_store(source) as s, open_store(target) as t:
        with pytest.raises(StoreError, match=r"audit_log \(.*\): 1 Zeile\b"):
            copy_store(s, t)
        assert t.counts()["audit_log"] == 1 and t.counts()["measures"] == 0


def test_export_into_itself_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = str(tmp_path / "a.gpkg")
    fill(url, 2, SOME)
    before = snapshot(url)
    same = str(tmp_path / "." / "a.gpkg")
    assert main(["export", "--store", url, "--to", same, "--replace"]) == 2
    assert "derselbe Datenbestand" in capsys.readouterr().err
    assert_unchanged(url, before)


def test_a_target_made_by_qmon_init_is_empty_but_one_more_programme_is_not(
    pair: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = pair
    fill(source, 2, ("areas", "measures"))
    assert main(["init", "--store", target, "--crs", CRS]) == 0  # seeds the defaults
    assert main(["export", "--store", source, "--to", target]) == 0
    with open_store(target) as store:
        assert len(store.read("measures")) == 2
        assert store.counts()["programmes"] == 0  # the source's (none), not the seeds
    # a programme a Land added is someone's work: the target is occupied now
    with open_store(target) as store, store.transaction() as tx:
        tx.write("programmes", sample_frame(SCHEMA.layer("programmes"), 1))
    capsys.readouterr()
    assert main(["export", "--store", source, "--to", target]) == 2
    assert "programmes" in capsys.readouterr().err
