"""``qmon demo --bund``: the national set from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import main
from geo.store import open_store


def test_demo_bund_builds_one_land(
    tmp_path: Path, real_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(tmp_path / "bund.gpkg")
    vg5000 = str(real_data / "germany_vg5000_2021")
    args = ["demo", "--bund", "--store", url, "--land", "10", "--anzahl", "12", "--vg5000", vg5000]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "bundesweiter Demobestand in" in out and "funding_areas" in out
    with open_store(url) as store:
        assert len(store.read("funding_areas")) == 12
        assert store.read("areas", columns=["id"])["id"].str.startswith("10").all()


def test_demo_bund_names_a_bad_land(tmp_path: Path, real_data: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    url = str(tmp_path / "bund.gpkg")
    vg5000 = str(real_data / "germany_vg5000_2021")
    assert main(["demo", "--bund", "--store", url, "--land", "99", "--vg5000", vg5000]) != 0
    assert "Kein Gemeindeschlüssel der VG5000 beginnt mit „99“" in capsys.readouterr().err
