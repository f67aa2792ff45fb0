"""Polygons as quantised arcs, each edge two neighbours share sent once (as TopoJSON does).

A coverage of planning areas written as GeoJSON carries every shared edge twice and
every coordinate as 18 characters (``[13.40123,52.51234],``). :func:`coverage_topology`
quantises the coordinates to integers, cuts the rings into arcs at the junctions and
keeps each arc once, as integer steps from the previous vertex: about a third of the
bytes for the same geometry. The page turns it back into GeoJSON geometry
(:data:`TOPOLOGY_JS`, the same steps as :func:`decode_topology`) before Leaflet sees it,
so styles, tooltips and clicks work on ordinary GeoJSON features.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely


def coverage_topology(polygons: Any, *, decimals: int) -> dict[str, Any]:
    """Return WGS84 ``polygons`` as quantised arcs, each shared edge once (as TopoJSON).

    Coordinates are quantised to ``decimals`` places (integers). A vertex is a
    *junction* where the rings through it do not all have the same two neighbours there
    (three areas meet, or a shared edge ends at the outer boundary); rings are cut at
    junctions into arcs, and an arc two neighbours share is stored once (the second
    refers to it reversed, ``~i``). Rings without a junction (an island, an area inside
    one other) are one closed arc.

    Returns
    -------
    dict
        ``s`` the scale (``10**decimals``); ``x``, ``y`` the integer steps of every arc's
        vertices from the previous vertex (the first from 0); ``n`` the vertex count per
        arc; ``g`` per polygon its parts, each a list of rings, each a list of arc
        references (``i`` forward, ``~i`` reversed); ``None`` for no geometry.

    Examples
    --------
    >>> a, b = shapely.box(9.0, 51.0, 9.1, 51.1), shapely.box(9.1, 51.0, 9.2, 51.1)
    >>> t = coverage_topology([a, b], decimals=2)
    >>> t["n"], t["g"]  # the shared edge x = 9.1 once: arc 0, reversed in b
    ([2, 4, 4], [[[[0, 1]]], [[[-1, 2]]]])
    >>> bool(shapely.equals(decode_topology(t)[1], b))
    True
    """
    geoms = np.asarray(polygons, dtype=object)
    scale = 10**decimals
    out: dict[str, Any] = {"s": scale, "x": [], "y": [], "n": [], "g": [None] * len(geoms)}
    present = np.flatnonzero(~shapely.is_missing(geoms) & ~shapely.is_empty(geoms))
    if not len(present):
        return out
    parts, part_geom = shapely.get_parts(geoms[present], return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    q = np.round(coords * scale).astype(np.int64)
    # drop each ring's closing vertex (it repeats the first)
    counts = np.bincount(ring_of, minlength=len(rings))
    ends = np.cumsum(counts)
    keep = np.ones(len(q), dtype=bool)
    keep[ends - 1] = False
    q, ring_of = q[keep], ring_of[keep]
    counts = counts - 1
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    # point ids, and each occurrence's neighbours (previous, next) as an unordered pair
    points, pid = np.unique(q, axis=0, return_inverse=True)
    pid = pid.ravel()
    pos = np.arange(len(pid)) - starts[ring_of]
    size = counts[ring_of]
    prev = pid[starts[ring_of] + (pos - 1) % size]
    nxt = pid[starts[ring_of] + (pos + 1) % size]
    pairs = np.unique(np.column_stack([pid, np.minimum(prev, nxt), np.maximum(prev, nxt)]), axis=0)
    junction = np.bincount(pairs[:, 0], minlength=len(points)) > 1

    arcs: dict[tuple[int, ...], int] = {}
    arc_list: list[tuple[int, ...]] = []

    def ref(arc: tuple[int, ...]) -> int:
        if arc in arcs:
            return arcs[arc]
        back = arc[::-1]
        if back in arcs:
            return ~arcs[back]
        arcs[arc] = len(arc_list)
        arc_list.append(arc)
        return arcs[arc]

    ring_refs: list[list[int]] = []
    for r in range(len(rings)):
        ring = pid[starts[r] : starts[r] + counts[r]]
        cuts = np.flatnonzero(junction[ring])
        if not len(cuts):  # no junction: one closed arc, from its smallest point id
            first = int(np.argmin(ring))
            turned = np.concatenate([ring[first:], ring[:first]])
            forward = tuple(int(v) for v in np.append(turned, turned[0]))
            backward = tuple(int(v) for v in np.append(turned[0], turned[::-1]))
            if backward in arcs:
                ring_refs.append([~arcs[backward]])
            else:
                ring_refs.append([ref(forward)])
            continue
        turned = np.concatenate([ring[cuts[0] :], ring[: cuts[0]], ring[cuts[0] : cuts[0] + 1]])
        marks = np.append(cuts - cuts[0], len(ring))
        ring_refs.append(
            [ref(tuple(int(v) for v in turned[a : b + 1])) for a, b in zip(marks[:-1], marks[1:])]
        )
    geometry: list[list[list[list[int]]]] = [[] for _ in range(len(present))]
    part_rings: list[list[list[int]]] = [[] for _ in range(len(parts))]
    for r, p in enumerate(ring_part):
        part_rings[p].append(ring_refs[r])
    for p, g in enumerate(part_geom):
        geometry[g].append(part_rings[p])
    for slot, g in zip(present, geometry):
        out["g"][int(slot)] = g
    flat = np.asarray([v for arc in arc_list for v in arc], dtype=np.int64)
    xy = points[flat]
    out["x"] = [int(v) for v in np.diff(xy[:, 0], prepend=0)]
    out["y"] = [int(v) for v in np.diff(xy[:, 1], prepend=0)]
    out["n"] = [len(arc) for arc in arc_list]
    return out


def decode_topology(topology: dict[str, Any]) -> list[Any]:
    """Return the (Multi)Polygons of :func:`coverage_topology` (what the page draws).

    Examples
    --------
    >>> t = coverage_topology([shapely.box(9.0, 51.0, 9.1, 51.1), None], decimals=2)
    >>> [g.wkt if g is not None else None for g in decode_topology(t)]
    ['POLYGON ((9 51, 9.1 51, 9.1 51.1, 9 51.1, 9 51))', None]
    """
    s = topology["s"]
    x = np.cumsum(np.asarray(topology["x"], dtype=np.int64)) / s
    y = np.cumsum(np.asarray(topology["y"], dtype=np.int64)) / s
    bounds = np.concatenate([[0], np.cumsum(topology["n"])]).astype(int)
    arcs = [np.column_stack([x[a:b], y[a:b]]) for a, b in zip(bounds[:-1], bounds[1:])]

    def ring(refs: list[int]) -> np.ndarray:
        pieces = [arcs[r] if r >= 0 else arcs[~r][::-1] for r in refs]
        return np.concatenate([pieces[0]] + [p[1:] for p in pieces[1:]])

    out: list[Any] = []
    for g in topology["g"]:
        if g is None:
            out.append(None)
            continue
        polys = [shapely.Polygon(ring(rs[0]), [ring(h) for h in rs[1:]]) for rs in g]
        out.append(polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys))
    return out


#: The page's decoder of :func:`coverage_topology`: GeoJSON geometry per feature.
TOPOLOGY_JS = """
function qmonTopology(t) {
    var x = 0, y = 0, k = 0, arcs = [];
    for (var a = 0; a < t.n.length; a++) {
        var arc = [];
        for (var j = 0; j < t.n[a]; j++, k++) {
            x += t.x[k]; y += t.y[k]; arc.push([x / t.s, y / t.s]);
        }
        arcs.push(arc);
    }
    function ring(refs) {
        var out = [];
        for (var i = 0; i < refs.length; i++) {
            var r = refs[i], arc = r >= 0 ? arcs[r] : arcs[~r].slice().reverse();
            out = out.concat(i ? arc.slice(1) : arc);
        }
        return out;
    }
    return t.g.map(function (g) {
        if (g === null) { return null; }
        var polys = g.map(function (rings) { return rings.map(ring); });
        return polys.length === 1 ? {type: "Polygon", coordinates: polys[0]}
            : {type: "MultiPolygon", coordinates: polys};
    });
}
"""


__all__ = ["TOPOLOGY_JS", "coverage_topology", "decode_topology"]
