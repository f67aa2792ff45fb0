"""The fingerprint's canonical rows are the same whether converted by column or by value.

Filed reports keep the fingerprints of their inputs, so a faster conversion must give
exactly the rows of the value-by-value one (``_plain`` of every cell), or every filed
report would look changed.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.store.base import Store
from monitoring.auth import User
from monitoring.catalogue import registry_for
from monitoring.reports.catalogue import load_catalogue
from monitoring.reports.inputs import FRAMES, _plain, canonical_rows, read_inputs


def by_value(frame: pd.DataFrame) -> list[list[Any]]:
    """The conversion before: every cell through ``_plain``, row by row."""
    columns = sorted(
        str(c)
        for c in frame.columns
        if str(c) not in {"created_at", "updated_at", "updated_by", "version"}
    )
    rows = [[_plain(v) for v in row] for row in frame[columns].itertuples(index=False)]
    rows.sort(key=lambda r: json.dumps(r, ensure_ascii=False, default=str))
    return [columns, *rows]


def same(a: list[list[Any]], b: list[list[Any]]) -> bool:
    # types count: 1 and 1.0 hash alike in JSON only if both are written as 1
    return json.dumps(a, default=str) == json.dumps(b, default=str) and [
        [type(v) for v in row] for row in a
    ] == [[type(v) for v in row] for row in b]


def test_every_input_of_a_demo_report_converts_alike(demo_store: Store) -> None:
    inputs = read_inputs(
        demo_store,
        User("t", "admin"),
        "SSZ-01",
        catalogue=load_catalogue(),
        registry=registry_for(demo_store),
    )
    for name in FRAMES:
        frame = pd.DataFrame(inputs.frames[name])
        if "geometry" in frame:
            frame = frame.drop(columns="geometry")
        assert same(canonical_rows(frame), by_value(frame)), name


floats = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5))


@settings(deadline=None)  # a busy machine: the result counts, not the time
@given(
    st.lists(
        st.tuples(floats, st.one_of(st.none(), st.integers(-(2**40), 2**40)), st.text(max_size=3)),
        max_size=20,
    )
)
def test_mixed_columns_convert_alike(rows: list[tuple[Any, Any, str]]) -> None:
    frame = pd.DataFrame(
        {
            "f": pd.Series([r[0] for r in rows], dtype="float64"),
            "i": pd.Series([r[1] for r in rows], dtype="Int64"),
            "j": pd.Series([0 if r[1] is None else r[1] for r in rows], dtype="int64"),
            "s": pd.Series([r[2] for r in rows], dtype="string"),
            "b": pd.Series([r[1] is None for r in rows], dtype=bool),
            "d": pd.Series([pd.Timestamp("2024-01-01")] * len(rows), dtype="datetime64[ns]"),
        }
    )
    assert same(canonical_rows(frame), by_value(frame))


def test_negative_zero_and_whole_floats_are_integers() -> None:
    frame = pd.DataFrame({"x": np.array([-0.0, 2.0, 2.5, np.nan])})
    # rows sort by their JSON text: "[2.5]" before "[2]"
    assert canonical_rows(frame) == [["x"], [0], [2.5], [2], [None]]


@pytest.mark.parametrize("dtype", ["Int64", "int32", "float32"])
def test_other_number_dtypes(dtype: str) -> None:
    frame = pd.DataFrame({"x": pd.Series([3, 1], dtype=dtype)})
    assert same(canonical_rows(frame), by_value(frame))
