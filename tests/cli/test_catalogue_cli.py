"""``qmon indicators`` and ``qmon profiles``, and ``qmon index compute`` with a stored profile."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli.main import main
from geo.store import open_store
from indicators.social_index import load_profile, profile_to_toml


@pytest.fixture
def url(store_url: str) -> str:
    assert main(["init", "--store", store_url]) == 0
    return store_url


def test_indicators_set_list_show(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--store", url, "--user", "ben", "--role", "editor"]
    assert main(["indicators", "set", "wohnflaeche", *args, "--label", "Wohnfläche je Einwohner",
                 "--unit", "m²", "--kind", "value"]) == 0  # fmt: skip
    assert "gespeichert (Version 1)" in capsys.readouterr().out
    assert main(["indicators", "set", "residents", *args, "--label", "Bevölkerung"]) == 0
    assert main(["indicators", "list", "--store", url, "--own"]) == 0
    out = capsys.readouterr().out
    assert "wohnflaeche" in out and "Wohnfläche je Einwohner" in out and "Stadt" in out
    assert "Bevölkerung" in out and "von der Stadt geändert" in out
    assert "unemployment_rate" not in out
    assert main(["indicators", "show", "wohnflaeche", "--store", url]) == 0
    assert "Einheit: m²" in capsys.readouterr().out
    # refusals: German, exit 2, nothing stored
    assert main(["indicators", "set", "x", *args, "--label", "X", "--kind", "rate",
                 "--numerator", "fehlt", "--denominator", "residents"]) == 2  # fmt: skip
    assert "der Zähler „fehlt“ ist nicht im Katalog" in capsys.readouterr().err
    viewer = ["--store", url, "--user", "gast", "--role", "viewer"]
    assert main(["indicators", "set", "y", *viewer, "--label", "Y", "--kind", "count"]) == 2
    assert "„Bearbeitung“ und „Verwaltung“" in capsys.readouterr().err
    with open_store(url) as st:
        assert sorted(st.read("indicator_defs")["key"]) == ["residents", "wohnflaeche"]


def test_profiles_import_show_compute_delete(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(3)
    rows = []
    for i in range(30):
        for key, value in (("residents", float(rng.integers(400, 5000))),
                           ("sgb2_rate", float(rng.uniform(2, 30))),
                           ("unemployment_rate", float(rng.uniform(1, 15))),
                           ("child_poverty_rate", float(rng.uniform(5, 45)))):  # fmt: skip
            rows.append((f"A{i:02d}", key, value))
    values = pd.DataFrame(rows, columns=["area_id", "indicator", "value"]).assign(
        level="Stadtteil", vintage="2022", period=pd.Timestamp("2022-12-31"), edition="amt",
        numerator=np.nan, denominator=np.nan, source="Statistikamt", flag=None,
    )  # fmt: skip
    with open_store(url) as st:
        st.write("indicator_values", values)
    text = profile_to_toml(load_profile("muenster")).replace('"muenster"', '"unsere-stadt"')
    (tmp_path / "p.toml").write_text(text, encoding="utf-8")
    args = ["--store", url, "--user", "ben", "--role", "editor"]
    assert main(["profiles", "import", str(tmp_path / "p.toml"), *args]) == 0
    assert "Profil unsere-stadt" in capsys.readouterr().out
    assert main(["profiles", "import", str(tmp_path / "p.toml"), *args]) == 2
    assert "--replace" in capsys.readouterr().err
    assert main(["profiles", "list", "--store", url, "--level", "Stadtteil"]) == 0
    out = capsys.readouterr().out
    assert "unsere-stadt: Münster" in out and "(gespeichert; berechenbar)" in out
    assert main(["profiles", "show", "unsere-stadt", "--store", url]) == 0
    assert capsys.readouterr().out == text
    assert main(["index", "compute", "--store", url, "--profile", "unsere-stadt",
                 "--period", "2022-12-31", "--level", "Stadtteil", "--dry-run"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "unsere-stadt am 31.12.2022 (Stadtteil" in out and "30 Gebiete, 30 gültig" in out
    assert main(["profiles", "delete", "unsere-stadt", *args]) == 0
    assert main(["profiles", "delete", "muenster", *args]) == 2
    assert "mitgeliefertes Profil" in capsys.readouterr().err
    with open_store(url) as st:
        assert st.read("index_profiles").empty
