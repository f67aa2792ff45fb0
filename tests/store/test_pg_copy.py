"""The column-wise binary COPY encoder against a plain row-by-row reference."""

from __future__ import annotations

import datetime as dt
import struct
from typing import Any

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.schema import Column, Layer
from geo.store import pg_copy
from geo.store.base import conform

PG_EPOCH = dt.datetime(2000, 1, 1)
SRID = 25832


def reference_field(type_: str, value: Any) -> bytes:
    """One field the obvious way: struct for numbers, shapely's own EWKB writer."""
    if value is None:
        return struct.pack(">i", -1)
    if type_ == "integer":
        payload = struct.pack(">q", value)
    elif type_ == "real":
        payload = struct.pack(">d", value)
    elif type_ == "boolean":
        payload = bytes([value])
    elif type_ == "date":
        payload = struct.pack(">i", (value - PG_EPOCH.date()).days)
    elif type_ == "datetime":
        payload = struct.pack(">q", (value - PG_EPOCH) // dt.timedelta(microseconds=1))
    elif type_ == "text":
        payload = value.encode("utf-8")
    else:
        tagged = shapely.set_srid(value, SRID)
        payload = shapely.to_wkb(tagged, include_srid=True, output_dimension=2, byte_order=1)
    return struct.pack(">i", len(payload)) + payload


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


coords = st.floats(-1e7, 1e7, allow_nan=False)
geometries = st.one_of(
    st.builds(shapely.Point, coords, coords),
    st.builds(lambda x, y, w: shapely.box(x, y, x + w, y + w), coords, coords, st.floats(0.1, 1e3)),
    st.builds(
        lambda x, y: shapely.LineString([(x, y), (x + 1, y - 2), (x, y + 3)]), coords, coords
    ),
    st.builds(
        lambda x, y: shapely.MultiPolygon(
            [shapely.box(x, y, x + 1, y + 1), shapely.box(x + 5, y, x + 6, y + 2)]
        ),
        coords,
        coords,
    ),
)
VALUES: dict[str, st.SearchStrategy[Any]] = {
    # storable text: no NUL, no lone surrogates (prepare_for_write refuses those first)
    "text": st.text(
        st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=12
    ),
    "integer": st.integers(-(2**63), 2**63 - 1),
    "real": st.floats(allow_nan=False),
    "boolean": st.booleans(),
    "date": st.dates(dt.date(1700, 1, 1), dt.date(2200, 12, 31)),
    "datetime": st.datetimes(dt.datetime(1700, 1, 1), dt.datetime(2200, 1, 1)).map(
        lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000)  # the store keeps ms
    ),
    "geometry": geometries,
}


@settings(max_examples=60, deadline=None)
@given(
    type_=st.sampled_from(sorted(VALUES)),
    data=st.data(),
)
def test_fields_match_the_reference(type_: str, data: st.DataObject) -> None:
    values = data.draw(st.lists(maybe(VALUES[type_]), min_size=1, max_size=8))
    if type_ == "geometry":
        got = pg_copy.ewkb_field(np.array(values, dtype=object), SRID).to_pylist()
    else:
        layer = Layer("t", "t", (Column("c", type_),), ("c",))  # type: ignore[arg-type]
        series = conform(layer, pd.DataFrame({"c": pd.Series(values, dtype=object)}))["c"]
        got = pg_copy.column_field(type_, series).to_pylist()
    assert got == [reference_field(type_, v) for v in values]


points = st.one_of(
    st.builds(shapely.Point, coords, coords),
    st.builds(shapely.Point, coords, coords, coords),  # z is dropped, as for every geometry
    st.just(shapely.Point()),  # empty: not the fast path
)


@settings(max_examples=60, deadline=None)
@given(st.lists(maybe(points), min_size=1, max_size=8))
def test_points_match_the_reference(values: list[shapely.Point | None]) -> None:
    """Points are written from their coordinates; the bytes are shapely's EWKB."""
    got = pg_copy.ewkb_field(np.array(values, dtype=object), SRID).to_pylist()
    assert got == [reference_field("geometry", v) for v in values]


def test_points_take_the_fast_path_and_others_do_not(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = shapely.to_wkb
    monkeypatch.setattr(shapely, "to_wkb", lambda *a, **k: calls.append(1) or real(*a, **k))
    pg_copy.ewkb_field(np.array([shapely.Point(1, 2), None], dtype=object), SRID)
    assert calls == []
    pg_copy.ewkb_field(np.array([shapely.Point(1, 2), shapely.box(0, 0, 1, 1)]), SRID)
    assert calls == [1]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(maybe(VALUES["integer"]), maybe(VALUES["text"])), min_size=1, max_size=6))
def test_rows_join_fields_in_order(rows: list[tuple[int | None, str | None]]) -> None:
    ints = pd.array([r[0] for r in rows], dtype="Int64")
    texts = pd.Series([r[1] for r in rows], dtype=object)
    fields = [
        pg_copy.column_field("integer", pd.Series(ints)),
        pg_copy.column_field("text", texts),
    ]
    want = b"".join(
        struct.pack(">h", 2) + reference_field("integer", i) + reference_field("text", t)
        for i, t in rows
    )
    assert bytes(pg_copy.encode_rows(fields)) == want


def test_stream_has_signature_chunks_and_trailer() -> None:
    layer = Layer("t", "t", (Column("id", "text", nullable=False),), ("id",), geometry="POINT")
    frame = conform(
        layer,
        pd.DataFrame(
            {"id": ["a", "b", "c"], "geometry": [shapely.Point(0, 0), None, shapely.Point(1, 1)]}
        ),
    )
    chunks = [bytes(c) for c in pg_copy.copy_chunks(layer, frame, srid=SRID, chunk_rows=2)]
    assert chunks[0] == pg_copy.SIGNATURE and chunks[-1] == pg_copy.TRAILER
    assert len(chunks) == 4  # signature, rows 0-1, row 2, trailer
    assert chunks[1].count(b"\xff\xff\xff\xff") == 1  # the NULL geometry


def test_unknown_type_is_refused() -> None:
    with pytest.raises(ValueError, match="no binary COPY encoding"):
        pg_copy.column_field("money", pd.Series([1]))
