"""Light national layers: many points and boundary lines as quantised integer deltas.

A national map shows 10,000 Gesamtmaßnahmen as points and the 401 Kreise as boundaries.
As GeoJSON each point carries about 80 bytes of structure and each coordinate 18
characters (``[9.492, 54.822], ``). Here coordinates are quantised to ``decimals``
places and sent as integer steps from the previous vertex (as TopoJSON does), a few
characters each; the page adds them up again. Points are drawn as circle markers on one
canvas, not as 10,000 SVG elements; boundaries as polylines with each shared edge once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from jinja2 import Template

from geo.webmap import WEB_CRS, compact_json, escape_text

_DECODE = """
function qmonDecode(d, s) { var out = [], v = 0; for (var i = 0; i < d.length; i++) {
    v += d[i]; out.push(v / s); } return out; }
"""


def _deltas(values: np.ndarray, decimals: int) -> list[int]:
    """Quantise to ``decimals`` places and return integer steps (the first from 0)."""
    q = np.round(np.asarray(values, dtype=float) * 10**decimals).astype(np.int64)
    return [int(v) for v in np.diff(q, prepend=0)]


class CompactPoints(folium.map.Layer):
    """Circle markers from columns: fill colour by one key, ring colour by another.

    The tooltip is composed in the page from small tables (a place name, the fill's
    label and the ring's label), so each point sends a few integers only.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
    """
        + _DECODE
        + """
    var d = {{ this.json_data() }};
    var x = qmonDecode(d.x, d.s), y = qmonDecode(d.y, d.s);
    var fills = {{ this.fills|tojson }}, rings = {{ this.rings|tojson }};
    var fl = {{ this.fill_labels|tojson }}, rl = {{ this.ring_labels|tojson }};
    var renderer = L.canvas({padding: 0.2});
    var group = L.featureGroup();
    for (var i = 0; i < x.length; i++) {
        L.circleMarker([y[i], x[i]], {renderer: renderer, radius: {{ this.radius }},
            weight: 2.5, color: rings[d.r[i]], fillColor: fills[d.f[i]], fillOpacity: 0.9})
            .bindTooltip(d.p[d.a[i]] + "<br>" + fl[d.f[i]] + " · " + rl[d.r[i]],
                         {sticky: true}).addTo(group);
    }
    return group;
})();
{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
{% endmacro %}
"""
    )

    def __init__(
        self,
        data: dict[str, Any],
        *,
        fills: Sequence[str],
        rings: Sequence[str],
        fill_labels: Sequence[str],
        ring_labels: Sequence[str],
        name: str,
        radius: float = 4.0,
        show: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "CompactPoints"
        self.data = data
        self.fills = list(fills)
        self.rings = list(rings)
        self.fill_labels = [escape_text(v) for v in fill_labels]
        self.ring_labels = [escape_text(v) for v in ring_labels]
        self.radius = radius

    def json_data(self) -> str:
        """The data as compact JSON (no spaces: about one byte per number less)."""
        return compact_json(self.data)


def compact_points(
    frame: gpd.GeoDataFrame,
    *,
    fill: pd.Series,
    ring: pd.Series,
    place: pd.Series,
    decimals: int,
) -> dict[str, Any]:
    """Return the data of :class:`CompactPoints` for ``frame`` (a point inside each shape).

    ``fill`` and ``ring`` are integer indexes into the colour lists; ``place`` the text
    of each point's tooltip first line (HTML-escaped here, sent once per distinct text).

    Examples
    --------
    >>> f = gpd.GeoDataFrame(geometry=[shapely.Point(500000, 5700000),
    ...     shapely.Point(501000, 5700000)], crs="EPSG:25832")
    >>> d = compact_points(f, fill=pd.Series([1, 0]), ring=pd.Series([0, 0]),
    ...     place=pd.Series(["<b>A</b>", "<b>A</b>"]), decimals=3)
    >>> d["s"], d["x"], d["y"], d["p"], d["a"]
    (1000, [9000, 14], [51451, 0], ['&lt;b&gt;A&lt;/b&gt;'], [0, 0])
    """
    points = frame.geometry.representative_point().to_crs(WEB_CRS)
    codes, uniques = pd.factorize(place.astype(str).to_numpy())
    return {
        "s": 10**decimals,
        "x": _deltas(points.x.to_numpy(), decimals),
        "y": _deltas(points.y.to_numpy(), decimals),
        "f": [int(v) for v in fill],
        "r": [int(v) for v in ring],
        "a": [int(v) for v in codes],
        "p": [escape_text(str(v)) for v in uniques],
    }


class CompactLines(folium.map.Layer):
    """Polylines from quantised integer steps, one style, no tooltip (a backdrop)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
    """
        + _DECODE
        + """
    var d = {{ this.json_data() }};
    var x = qmonDecode(d.x, d.s), y = qmonDecode(d.y, d.s), lines = [], k = 0;
    for (var i = 0; i < d.n.length; i++) {
        var line = [];
        for (var j = 0; j < d.n[i]; j++, k++) { line.push([y[k], x[k]]); }
        lines.push(line);
    }
    return L.polyline(lines, {{ this.style|tojson }});
})();
{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
{% endmacro %}
"""
    )

    def __init__(
        self, data: dict[str, Any], *, style: dict[str, Any], name: str, show: bool = True
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "CompactLines"
        self.data = data
        self.style = {"interactive": False, **style}

    def json_data(self) -> str:
        """The data as compact JSON (no spaces: about one byte per number less)."""
        return compact_json(self.data)


def boundary_lines(polygons: Any, *, decimals: int) -> dict[str, Any]:
    """Return the data of :class:`CompactLines`: the edges of WGS84 ``polygons``, each once.

    Edges two neighbours share are drawn once (the union of the boundaries, merged into
    lines), so a coverage's lines weigh about half its polygons.

    Examples
    --------
    >>> a, b = shapely.box(9.0, 51.0, 9.1, 51.1), shapely.box(9.1, 51.0, 9.2, 51.1)
    >>> boundary_lines([a, b], decimals=2)["n"]  # the shared edge x = 9.1 once, 2 vertices
    [4, 2, 4]
    """
    geoms = np.asarray(polygons, dtype=object)
    if not len(geoms):
        return {"s": 10**decimals, "x": [], "y": [], "n": []}
    edges = shapely.line_merge(shapely.union_all(shapely.boundary(geoms)))
    parts = shapely.get_parts(edges)
    coords, index = shapely.get_coordinates(parts, return_index=True)
    counts = np.bincount(index, minlength=len(parts))
    return {
        "s": 10**decimals,
        "x": _deltas(coords[:, 0], decimals),
        "y": _deltas(coords[:, 1], decimals),
        "n": [int(c) for c in counts],
    }


__all__ = ["CompactLines", "CompactPoints", "boundary_lines", "compact_points"]
