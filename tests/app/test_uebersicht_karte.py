"""The map section of the Länderübersicht draws the national map through st_folium."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.national import build_national
from geo.store import open_store
from monitoring.auth import User

SCRIPT = """
import pandas as pd
from monitoring.auth import User
from ui.uebersicht_karte import render_overview_map

status = pd.DataFrame({{"ags": ["10041100"], "funding_area_id": ["x"], "status": ["fehlt"]}})
render_overview_map({url!r}, User("leser", "viewer"), status=status, land={land!r},
                    kreis={kreis!r}, ags=None, programme=None)
"""


@pytest.fixture(scope="module")
def saarland(tmp_path_factory: pytest.TempPathFactory, real_data: Path) -> str:
    url = str(tmp_path_factory.mktemp("saarland") / "saar.gpkg")
    store = open_store(url)
    store.init(crs="EPSG:25832")
    build_national(
        store,
        User("bund", "admin"),
        municipalities="10",
        n_funding_areas=25,
        source=real_data / "germany_vg5000_2021",
    )
    store.close()
    return url


@pytest.mark.parametrize(
    ("land", "kreis", "shown"), [("10", None, "Punkte"), (None, "10041", "Flächen")]
)
def test_the_section_draws_the_map_of_the_view(
    saarland: str, land: str | None, kreis: str | None, shown: str
) -> None:
    at = AppTest.from_string(
        SCRIPT.format(url=saarland, land=land, kreis=kreis), default_timeout=60
    )
    at.run()
    assert not at.exception and not at.error
    caption = at.caption[0].value
    assert shown in caption and "Grenzen vereinfacht auf" in caption


def test_an_unknown_land_is_a_german_message(saarland: str) -> None:
    at = AppTest.from_string(SCRIPT.format(url=saarland, land="99", kreis=None), default_timeout=60)
    at.run()
    assert not at.exception
    assert "„99“ gibt es im Datenbestand nicht" in at.error[0].value
