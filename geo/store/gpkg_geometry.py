"""GeoPackage geometry blobs: the ``GP`` header in front of ISO WKB.

Writing through plain sqlite3 (not GDAL) is what lets one SQLite transaction span
every write of an import. GDAL and QGIS read these blobs as their own; the R-tree
triggers they install call the ``ST_*`` functions registered here.

Notes
-----
Header (GeoPackage 1.4, §2.1.3): magic ``GP``, version 0, a flags byte (bit 0:
little endian; bits 1-3: envelope kind, 1 = [minx, maxx, miny, maxy]; bit 4: empty),
the int32 SRS id, the envelope as doubles, then the geometry as WKB.
"""

from __future__ import annotations

import math
import sqlite3
import struct
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import shapely

_MAGIC = b"GP"
_ENVELOPE_SIZES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def encode(geoms: Sequence[object] | np.ndarray, srs_id: int) -> list[bytes | None]:
    """Return GeoPackage blobs for shapely geometries (None stays None).

    Built in numpy, not row by row: points (no envelope) straight from their
    coordinates, other geometries as a header with envelope in front of their WKB.

    Examples
    --------
    >>> blob = encode([shapely.box(0, 0, 2, 1)], 25832)[0]
    >>> blob[:2], envelope(blob)
    (b'GP', (0.0, 2.0, 0.0, 1.0))
    >>> decode([blob])[0].area
    2.0
    """
    arr = np.asarray(geoms, dtype=object)
    out: list[bytes | None] = [None] * len(arr)
    present = ~shapely.is_missing(arr)
    if not present.any():
        return out
    idx = np.flatnonzero(present)
    valid = arr[idx]
    empty = shapely.is_empty(valid)
    points = shapely.get_type_id(valid) == shapely.GeometryType.POINT
    plain = points & ~empty  # a point: no envelope, its WKB is 21 bytes
    if len(idx) == len(arr) and plain.all():  # only points (the buildings)
        return _point_blobs(shapely.get_coordinates(valid), srs_id)
    if plain.any():
        _put(out, idx[plain], _point_blobs(shapely.get_coordinates(valid[plain]), srs_id))
    rest = ~plain
    if rest.any():
        geoms_rest = valid[rest]
        wkbs = shapely.to_wkb(geoms_rest, flavor="iso", byte_order=1, output_dimension=2)
        with_env = ~empty[rest]  # layers are 2D; empty ones carry the empty flag, no envelope
        blobs = np.empty(len(geoms_rest), dtype=object)
        if with_env.any():
            heads = np.zeros(int(with_env.sum()), dtype=_HEADER_ENV)
            heads["magic"], heads["flags"], heads["srs_id"] = _MAGIC, 0x03, srs_id
            bounds = shapely.bounds(geoms_rest[with_env])
            heads["env"] = bounds[:, [0, 2, 1, 3]]  # minx, maxx, miny, maxy
            blobs[with_env] = [
                h + w
                for h, w in zip(heads.view(f"V{_HEADER_ENV.itemsize}").tolist(), wkbs[with_env])
            ]
        if (~with_env).any():
            head = _HEADER.pack(_MAGIC, 0, 0x11, srs_id)  # little endian, empty
            blobs[~with_env] = [head + w for w in wkbs[~with_env]]
        _put(out, idx[rest], blobs)
    return out


_HEADER = struct.Struct("<2sBBi")
_HEADER_ENV = np.dtype(
    [("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs_id", "<i4"), ("env", "<f8", (4,))]
)
_POINT_BLOB = np.dtype(
    [
        ("magic", "S2"),
        ("version", "u1"),
        ("flags", "u1"),
        ("srs_id", "<i4"),
        ("order", "u1"),
        ("kind", "<u4"),
        ("xy", "<f8", (2,)),
    ]
)


def _point_blobs(xy: np.ndarray, srs_id: int) -> list[bytes | None]:
    """Blobs of 2D points: header without envelope, little-endian ISO WKB (29 bytes each)."""
    rows = np.zeros(len(xy), dtype=_POINT_BLOB)
    rows["magic"], rows["flags"], rows["srs_id"] = _MAGIC, 0x01, srs_id
    rows["order"], rows["kind"], rows["xy"] = 1, 1, xy
    return rows.view(f"V{_POINT_BLOB.itemsize}").tolist()  # type: ignore[no-any-return]


def _put(
    out: list[bytes | None], positions: np.ndarray, values: Sequence[bytes | None] | np.ndarray
) -> None:
    for i, value in zip(positions.tolist(), values):
        out[i] = value


def _wkb_offset(blob: bytes) -> int:
    flags = blob[3]
    return 8 + _ENVELOPE_SIZES.get((flags >> 1) & 0x07, 0)


def decode(blobs: Sequence[bytes | None]) -> np.ndarray:
    """Return shapely geometries for GeoPackage blobs (None stays None)."""
    wkbs = [None if b is None else bytes(b)[_wkb_offset(b) :] for b in blobs]
    return np.asarray(shapely.from_wkb(wkbs), dtype=object)


#: Size of a 2D point in little-endian ISO WKB: byte order, type, x, y.
_POINT_WKB_SIZE = 21


def from_wkb_arrow(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Return shapely geometries for an Arrow column of WKB as GDAL reads it (null: None).

    The same geometries as ``shapely.from_wkb``; a chunk of little-endian 2D points
    (the buildings) is read straight from the buffer as coordinates, without parsing
    each WKB on its own.

    Examples
    --------
    >>> col = pa.array([shapely.to_wkb(shapely.Point(1, 2)), None], pa.binary())
    >>> [None if g is None else g.wkt for g in from_wkb_arrow(col)]
    ['POINT (1 2)', None]
    """
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    parts = [_from_wkb_chunk(chunk) for chunk in chunks if len(chunk)]
    if not parts:
        return np.empty(0, dtype=object)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _from_wkb_chunk(chunk: pa.Array) -> np.ndarray:
    xy = _point_coordinates(chunk)
    if xy is None:
        return np.asarray(shapely.from_wkb(chunk.to_numpy(zero_copy_only=False)), dtype=object)
    out = np.asarray(shapely.points(xy), dtype=object)
    nan = np.isnan(xy).any(axis=1)  # POINT EMPTY is NaN, NaN in WKB: parsed as WKB
    if nan.any():
        out[nan] = shapely.from_wkb(chunk.filter(pa.array(nan)).to_numpy(zero_copy_only=False))
    return out


def _point_coordinates(chunk: pa.Array) -> np.ndarray | None:
    """Return the (n, 2) coordinates when every value is a little-endian 2D WKB point."""
    if chunk.null_count or not (
        pa.types.is_binary(chunk.type) or pa.types.is_large_binary(chunk.type)
    ):
        return None
    n = len(chunk)
    offset_type = np.int64 if pa.types.is_large_binary(chunk.type) else np.int32
    _, offsets_buf, data_buf = chunk.buffers()
    offsets = np.frombuffer(
        offsets_buf,
        dtype=offset_type,
        count=n + 1,
        offset=chunk.offset * np.dtype(offset_type).itemsize,
    )
    start, stop = int(offsets[0]), int(offsets[-1])
    if stop - start != n * _POINT_WKB_SIZE or (np.diff(offsets) != _POINT_WKB_SIZE).any():
        return None
    raw = np.frombuffer(data_buf, dtype=np.uint8, count=stop - start, offset=start).reshape(
        n, _POINT_WKB_SIZE
    )
    if (raw[:, 0] != 1).any():  # big-endian
        return None
    kinds = raw[:, 1:5].copy().view("<u4").ravel()
    if (kinds != 1).any():
        return None
    return raw[:, 5:].copy().view("<f8").reshape(n, 2)


def envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """Return (minx, maxx, miny, maxy) of a blob, or None for null and empty geometry."""
    if blob is None or blob[3] & 0x10:
        return None
    flags = blob[3]
    if (flags >> 1) & 0x07:
        order = "<" if flags & 0x01 else ">"
        minx, maxx, miny, maxy = struct.unpack_from(order + "4d", blob, 8)
        return (minx, maxx, miny, maxy)
    start = _wkb_offset(blob)
    little = blob[start] == 1
    kind = struct.unpack_from("<I" if little else ">I", blob, start + 1)[0]
    if kind == 1:  # a point: read x, y straight from the WKB
        x, y = struct.unpack_from("<2d" if little else ">2d", blob, start + 5)
        return None if math.isnan(x) else (x, x, y, y)
    geom = decode([blob])[0]
    if geom is None or geom.is_empty:
        return None
    minx, miny, maxx, maxy = geom.bounds
    return (minx, maxx, miny, maxy)


def _part(index: int):  # type: ignore[no-untyped-def]
    def fn(blob: bytes | None) -> float | None:
        env = envelope(blob)
        return None if env is None or math.isnan(env[index]) else env[index]

    return fn


def register_functions(conn: sqlite3.Connection) -> None:
    """Register the ST_* functions that the GeoPackage R-tree triggers call."""
    conn.create_function(
        "ST_IsEmpty",
        1,
        lambda b: None if b is None else int(envelope(b) is None),
        deterministic=True,
    )
    for name, index in (("ST_MinX", 0), ("ST_MaxX", 1), ("ST_MinY", 2), ("ST_MaxY", 3)):
        conn.create_function(name, 1, _part(index), deterministic=True)
