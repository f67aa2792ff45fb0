"""Fixtures of the import tests: a store that already holds data on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.store import Store
from monitoring.defaults import seed_defaults
from tests.imports._util import (
    boxes,
    fresh_store,
    import_areas,
    import_funding_areas,
    import_indicators,
)


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> Iterator[Store]:
    """A store holding 3 areas, the default programmes, a funding area and 6 values."""
    st = fresh_store(store_url, crs="EPSG:25833")
    seed_defaults(st)
    src = tmp_path / "seed.geojson"
    boxes().to_file(src)
    import_areas(
        st, src, level="PLR", id_col="PLR_ID", name_col="PLR_NAME", valid_from="2021-01-01"
    )
    fa = boxes(["QM01"]).rename(columns={"PLR_ID": "id", "PLR_NAME": "name"})
    fa.to_file(tmp_path / "fa.geojson")
    import_funding_areas(
        st, tmp_path / "fa.geojson", id_col="id", name_col="name", programme="sozialer_zusammenhalt"
    )
    csv = tmp_path / "seed.csv"
    csv.write_text(
        "PLR_ID;EW;S1\n01100101;1.675;4,2\n01100102;2.010;5,5\n01100103;999;1,0\n",
        encoding="cp1252",
    )
    import_indicators(
        st,
        csv,
        id_col="PLR_ID",
        period="2020-12-31",
        columns=["EW", "S1"],
        rename={"EW": "residents"},
    )
    yield st
    st.close()
