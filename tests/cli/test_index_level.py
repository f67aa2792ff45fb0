"""``qmon index compute --store``: the area level is the stored one, never a fixed name."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from cli.index_cmds import stored_level
from cli.main import main
from geo.store import open_store
from indicators.errors import ProfileError
from tests.indicators.test_stored import synthetic_values

ARGS = ["index", "compute", "--period", "2020-12-31", "--profile", "berlin-mss-2021"]


def test_the_only_stored_level_is_the_default(store_url: str, capsys) -> None:
    values = synthetic_values(n=8).assign(level="Stadtteil")
    with open_store(store_url) as store:
        store.init(crs="EPSG:25832")
        store.write("indicator_values", values)
    assert main([*ARGS, "--store", store_url]) == 0
    out = capsys.readouterr().out
    assert "(Stadtteil, Gebietsstand 2021" in out and "8 Gebiete" in out
    assert "am 31.12.2020 (Stadtteil" in out and "2020-12-31" not in out  # a German date
    assert re.search(r"\d+ Indikatorwerte? geschrieben, Ausgabe „", out), out
    with open_store(store_url) as store:
        written = store.read("indicator_values")
    assert set(written["level"]) == {"Stadtteil"}


def test_several_levels_need_a_choice_and_the_message_lists_them(gpkg_url: str, capsys) -> None:
    values = synthetic_values(n=8)
    both = pd.concat(
        [values.assign(level="Stadtteil"), values.assign(level="Statistischer Bezirk")],
        ignore_index=True,
    )
    with open_store(gpkg_url) as store:
        store.init(crs="EPSG:25832")
        store.write("indicator_values", both)
        before = store.counts()["indicator_values"]
    assert main([*ARGS, "--store", gpkg_url, "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "mehreren Gebietsebenen (Stadtteil, Statistischer Bezirk)" in err, err
    assert "--level" in err
    assert main([*ARGS, "--store", gpkg_url, "--level", "Planungsraum"]) == 2
    assert "gespeichert sind Werte auf: Stadtteil, Statistischer Bezirk" in capsys.readouterr().err
    with open_store(gpkg_url) as store:
        assert store.counts()["indicator_values"] == before  # nothing written
    assert main([*ARGS, "--store", gpkg_url, "--level", "Statistischer Bezirk", "--dry-run"]) == 0
    assert "(Statistischer Bezirk, " in capsys.readouterr().out


def test_stored_level_choice() -> None:
    assert stored_level(None, ["Ortsteil"]) == "Ortsteil"
    assert stored_level("Ortsteil", ["Ortsteil", "Bezirk"]) == "Ortsteil"
    with pytest.raises(ProfileError, match="keine Indikatorwerte; importieren"):
        stored_level(None, [])
    with pytest.raises(ProfileError, match="Bezirk, Ortsteil"):
        stored_level(None, ["Ortsteil", "Bezirk"])
