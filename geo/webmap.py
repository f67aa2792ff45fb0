"""Web-map building blocks: folium layers in WGS84 with escaped text and light geometry.

Everything here is pure: frames in, a :class:`folium.Map` (or one of its layers) out.
The app only hands the result to ``st_folium``.

- Every text that comes from data is HTML-escaped here, before folium sees it: folium
  puts tooltip and popup values into the page as HTML (:func:`web_frame`).
- Display geometry is simplified as a *coverage*: edges shared by two neighbours are
  simplified once, so the map shows no gaps or overlaps between planning areas, and
  coordinates are rounded to what a screen can show (:func:`display_geometry`).
- Choropleths are classified with numpy (:func:`classify`: mapclassify's classes
  without its 1.7 s import), coloured with colour-blind-safe palettes; the social
  index uses a neutral one.
- Nothing is loaded from elsewhere at run time except what the layers list in their
  ``default_js``/``default_css`` (the app rewrites those to its own copies) and the
  basemap, which is optional (:func:`parse_basemap`; ``none`` works offline).
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from jinja2.utils import htmlsafe_json_dumps

from geo import german
from geo.crs import WEB_CRS
from geo.errors import WebMapError
from geo.levels import level_label, level_plural
from geo.mapservices import MapServices, add_map_services
from geo.messages import render
from geo.topology import TOPOLOGY_JS, coverage_topology

#: Decimal places of WGS84 coordinates on the web map: 5 places are about 1 m.
COORD_PRECISION = 5
#: The fixed simplification tolerance display geometry had before it followed the view
#: (metres); still the finest a view gets.
DISPLAY_TOLERANCE_M = 10.0
#: The Karte's map frame in screen pixels: a wide page's column by st_folium's height.
MAP_SIZE_PX = (1000, 620)
#: Display geometry is simplified for this many zoom levels in from the framed view: one
#: pixel at zoom + 2 is a quarter pixel of the first view, so zooming in twice still
#: shows no corners.
ZOOM_RESERVE = 2
#: Metres of a degree of latitude (and of longitude at the equator; less further north).
METRES_PER_DEGREE = 111_320.0
#: Ground metres of one pixel at zoom 0 of the web map at the equator (256-px tiles).
ZOOM0_PIXEL_M = 2 * math.pi * 6_378_137.0 / 256

Scheme = Literal["quantiles", "natural_breaks", "equal_interval"]
SCHEMES: tuple[str, ...] = ("quantiles", "natural_breaks", "equal_interval")
SCHEME_LABELS: dict[str, str] = {
    "quantiles": "Quantile (gleich viele Gebiete je Klasse)",
    "natural_breaks": "Natürliche Brüche (Fisher-Jenks)",
    "equal_interval": "Gleiche Intervalle",
}
Palette = Literal["viridis", "cividis", "blau", "neutral"]
PALETTES: dict[str, tuple[str, ...]] = {
    # Sequential palettes, light to dark, safe for the common colour-vision deficiencies
    # (viridis and cividis: matplotlib; blau: ColorBrewer Blues). 7 stops; fewer classes
    # take evenly spaced stops.
    "viridis": ("#fde725", "#90d743", "#35b779", "#21918c", "#31688e", "#443983", "#440154"),
    "cividis": ("#fee838", "#d3c164", "#a69d75", "#7c7b78", "#575d6d", "#31446b", "#00224e"),
    "blau": ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"),
    # Neutral greys for the social situation of people: no red/green, no alarm colours.
    "neutral": ("#f0f0f0", "#d9d9d9", "#bdbdbd", "#969696", "#737373", "#525252", "#252525"),
}
PALETTE_LABELS: dict[str, str] = {
    "viridis": "Viridis (gelb–violett)",
    "cividis": "Cividis (gelb–blau)",
    "blau": "Blautöne",
    "neutral": "Grautöne (neutral)",
}
#: Okabe–Ito: eight colours distinguishable with every common colour-vision deficiency.
QUALITATIVE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)
#: Line patterns that tell funding programmes apart without colour.
DASHES: tuple[str | None, ...] = (None, "8 4", "2 4", "12 4 2 4", "4 4")
NO_DATA_COLOUR = "#ffffff"
#: Id of the SVG hatch pattern that fills areas whose value is suppressed (small numbers).
HATCH_ID = "qmon-hatch"
#: Fill of suppressed areas: the hatch pattern, plain grey where the pattern is missing
#: (SVG paint fallback).
SUPPRESSED_FILL = f"url(#{HATCH_ID}) #d9d9d9"
#: The same hatching for the legend swatch (CSS).
SUPPRESSED_CSS = "repeating-linear-gradient(45deg, #8c8c8c 0 1.5px, #e6e6e6 1.5px 5px)"
SUPPRESSED_TEXT = "unterdrückt"
NO_VALUE_TEXT = german.NO_VALUE
ColourBy = Literal["status", "programme"]
COLOUR_BY: tuple[str, ...] = ("status", "programme")


def _check_choice(value: str, allowed: Sequence[str], *, what: str) -> None:
    """Raise WebMapError unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise WebMapError(code="webmap.choice", what=what, value=value, allowed=", ".join(allowed))


# --- frames ------------------------------------------------------------------------


def escape_text(value: Any) -> Any:
    """Return ``value`` HTML-escaped when it is text; other values unchanged.

    Examples
    --------
    >>> escape_text("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> escape_text(3)
    3
    """
    return html.escape(value) if isinstance(value, str) else value


def web_frame(frame: gpd.GeoDataFrame, *, columns: Sequence[str]) -> gpd.GeoDataFrame:
    """Return the given columns in WGS84, text escaped and coordinates rounded.

    Parameters
    ----------
    frame
        Any GeoDataFrame with a CRS.
    columns
        The attribute columns to keep; text in them is HTML-escaped.

    Examples
    --------
    >>> f = gpd.GeoDataFrame({"name": ["<b>x</b>"]}, geometry=[shapely.Point(500000, 5700000)],
    ...                      crs="EPSG:25832")
    >>> out = web_frame(f, columns=["name"])
    >>> out["name"].iloc[0]
    '&lt;b&gt;x&lt;/b&gt;'
    >>> out.geometry.iloc[0].x
    9.0
    """
    out = frame[list(columns) + [frame.geometry.name]].to_crs(WEB_CRS)
    for col in columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(escape_text).astype(object)
    return out.set_geometry(round_coordinates(out.geometry.values, decimals=COORD_PRECISION))


def round_coordinates(geoms: Any, *, decimals: int = COORD_PRECISION) -> np.ndarray:
    """Round every vertex to ``decimals`` places, dropping repeated points.

    Rounding vertex by vertex keeps edges that neighbours share identical, so a
    coverage stays free of gaps (``set_precision`` would re-node each polygon on its
    own).

    Examples
    --------
    >>> round_coordinates([shapely.Point(9.123456, 51.0)])[0].x
    9.12346
    >>> hole = shapely.box(9.000001, 51.000001, 9.000003, 51.000003).exterior.coords
    >>> with_hole = shapely.Polygon(shapely.box(9, 51, 9.1, 51.1).exterior.coords, [hole])
    >>> round_coordinates([with_hole])[0].area > 0  # the collapsed hole does not fail
    True
    """
    arr = np.asarray(geoms, dtype=object)
    rounded = np.asarray(shapely.transform(arr, lambda c: np.round(c, decimals)), dtype=object)
    try:
        return np.asarray(shapely.remove_repeated_points(rounded, 0.0), dtype=object)
    except shapely.errors.GEOSException:  # a ring shorter than the rounding step collapses
        return np.asarray([_without_repeats(g) for g in rounded], dtype=object)


def _without_repeats(geom: Any) -> Any:
    """Drop repeated points of one geometry; keep it as it is if a ring would collapse."""
    try:
        return shapely.remove_repeated_points(geom, 0.0)
    except shapely.errors.GEOSException:
        return geom


def framed_zoom(
    bounds: tuple[float, float, float, float], *, size_px: tuple[int, int] = MAP_SIZE_PX
) -> tuple[int, float]:
    """Return the zoom at which Leaflet frames WGS84 ``bounds``, and a pixel there (metres).

    The zoom is ``fitBounds``'s: the largest whole zoom whose Web Mercator extent of the
    bounds fits ``size_px`` (width, height); the pixel is the ground size of one screen
    pixel at that zoom at the middle latitude of the bounds.

    Examples
    --------
    >>> zoom, pixel = framed_zoom((13.088, 52.338, 13.761, 52.675))  # Berlin
    >>> zoom, round(pixel)
    (10, 93)
    """
    minx, miny, maxx, maxy = bounds
    width, height = size_px

    def merc_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    dx = max(math.radians(maxx - minx), 1e-9)
    dy = max(merc_y(maxy) - merc_y(miny), 1e-9)
    # at zoom z one radian of Mercator spans 256 * 2**z / (2 pi) pixels
    scale = min(width / dx, height / dy) * 2 * math.pi / 256
    zoom = max(0, min(19, math.floor(math.log2(scale))))
    lat = math.radians((miny + maxy) / 2)
    return zoom, ZOOM0_PIXEL_M * math.cos(lat) / 2**zoom


def view_display_tolerance(
    bounds: tuple[float, float, float, float],
    *,
    size_px: tuple[int, int] = MAP_SIZE_PX,
    reserve: int = ZOOM_RESERVE,
) -> float:
    """Return the tolerance (metres) of display geometry for the view framing WGS84 ``bounds``.

    One pixel at ``reserve`` zoom levels in from the framed view (:func:`framed_zoom`),
    never finer than :data:`DISPLAY_TOLERANCE_M`.

    Examples
    --------
    >>> round(view_display_tolerance((13.088, 52.338, 13.761, 52.675)), 1)  # Berlin
    23.3
    """
    _, pixel = framed_zoom(bounds, size_px=size_px)
    return max(DISPLAY_TOLERANCE_M, pixel / 2**reserve)


def coordinate_decimals(tolerance: float) -> int:
    """Return the WGS84 decimals whose step is at most a third of ``tolerance`` metres.

    Examples
    --------
    >>> coordinate_decimals(1000.0), coordinate_decimals(60.0), coordinate_decimals(10.0)
    (3, 4, 5)
    """
    step_deg = tolerance / 3 / METRES_PER_DEGREE
    return max(1, min(COORD_PRECISION, math.ceil(-math.log10(step_deg))))


def display_geometry(
    frame: gpd.GeoDataFrame,
    *,
    tolerance: float | None = None,
    decimals: int | None = None,
) -> gpd.GeoDataFrame:
    """Return ``frame`` with light geometry for the web map, in WGS84.

    Without a ``tolerance`` the geometry is as fine as the Karte's view of it needs: one
    screen pixel two zoom levels in from the view that frames the frame
    (:func:`view_display_tolerance`; Berlin's planning areas: 23 m), coordinates to the
    :func:`coordinate_decimals` of that tolerance. Closer in (street level) the lines
    are smoothed more than a pixel; the areas stay gap and overlap free at every zoom.

    Polygons that tile the plane (planning areas) are simplified as a coverage with
    :func:`shapely.coverage_simplify` (GEOS >= 3.12): each shared edge is simplified
    once, so neighbours keep touching without gaps or overlaps. Layers whose polygons
    overlap (funding areas) are simplified one by one, topology preserved. The
    geometry is then reprojected to WGS84 and rounded to ``decimals`` places.

    Parameters
    ----------
    frame
        Polygons in a projected CRS (metres); other columns are kept unchanged.
    tolerance
        Simplification tolerance in metres (Visvalingam–Whyatt area tolerance is
        ``tolerance`` squared for coverages, Douglas–Peucker distance otherwise);
        None: for the view (see above).
    decimals
        Decimal places of the WGS84 coordinates; None: :func:`coordinate_decimals` of
        the tolerance. A coverage gets more places where rounding would make neighbours
        overlap (very small areas).

    Raises
    ------
    WebMapError
        When the frame has no CRS or a geographic one (a tolerance in metres needs a
        projected CRS).

    Examples
    --------
    >>> left = shapely.Polygon([(0, 0), (50, 1), (100, 0), (100, 100), (0, 100)])
    >>> right = shapely.Polygon([(100, 0), (150, 1), (200, 0), (200, 100), (100, 100)])
    >>> f = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[left, right], crs="EPSG:25832")
    >>> out = display_geometry(f, tolerance=5.0)
    >>> str(out.crs), bool(shapely.coverage_is_valid(out.geometry.values))
    ('EPSG:4326', True)
    """
    if frame.crs is None or not frame.crs.is_projected:
        raise WebMapError(code="webmap.not_projected", crs=str(frame.crs))
    if tolerance is None:
        framed = framing_bounds(frame.geometry.to_crs(WEB_CRS))
        tolerance = DISPLAY_TOLERANCE_M if framed is None else view_display_tolerance(framed)
    if decimals is None:
        decimals = coordinate_decimals(tolerance)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    out = geoms.copy()
    coverage = False
    if present.any():
        parts = geoms[present]
        polygonal = bool(np.isin(shapely.get_type_id(parts), [3, 6]).all())
        coverage = polygonal and len(parts) > 1 and bool(shapely.coverage_is_valid(parts))
        if coverage:
            out[present] = shapely.coverage_simplify(parts, tolerance, simplify_boundary=True)
        else:
            out[present] = shapely.simplify(parts, tolerance, preserve_topology=True)
    web = gpd.GeoSeries(out, index=frame.index, crs=frame.crs).to_crs(WEB_CRS)
    rounded = round_coordinates(web.values, decimals=decimals)
    # rounding can fold a short edge of a small area over its neighbour's: then one
    # more decimal, until the coverage holds again (or the 7 places of 1 cm)
    while coverage and decimals < 7 and not shapely.coverage_is_valid(rounded[present]):
        decimals += 1
        rounded = round_coordinates(web.values, decimals=decimals)
    result = frame.copy()
    result = result.set_geometry(gpd.GeoSeries(rounded, index=frame.index), crs=WEB_CRS)
    return result


# --- classification ------------------------------------------------------------------


@dataclass(frozen=True)
class Classification:
    """Classes of a choropleth: upper bounds per class and each value's class (0-based).

    ``classes`` keeps the index of the values; missing values have class -1.
    """

    scheme: str
    lower: float
    bins: tuple[float, ...]
    classes: pd.Series

    @property
    def k(self) -> int:
        return len(self.bins)

    def ranges(self) -> list[tuple[float, float]]:
        """Return (lower, upper) per class."""
        lows = (self.lower,) + self.bins[:-1]
        return list(zip(lows, self.bins))


def classify(values: pd.Series, *, scheme: Scheme = "quantiles", k: int = 5) -> Classification:
    """Classify values for a choropleth, with numpy only (the classes mapclassify gives).

    Importing mapclassify costs about 1.7 s (scipy.stats, scikit-learn) on the first map
    of a process, so the classes are computed here: quantiles and equal intervals the way
    ``mapclassify.Quantiles`` and ``mapclassify.EqualInterval`` compute them (the tests
    compare them, bin for bin), natural breaks with :func:`fisher_jenks_bins`.

    Parameters
    ----------
    values
        Numbers per area; NaN means no value (class -1).
    scheme
        ``quantiles`` (equal counts), ``natural_breaks`` (Fisher–Jenks, optimal and
        deterministic) or ``equal_interval``.
    k
        Number of classes (2 to 7); fewer when there are fewer distinct values.

    Raises
    ------
    WebMapError
        For an unknown scheme or a k outside 2..7.

    Examples
    --------
    >>> c = classify(pd.Series([1.0, 2.0, 3.0, 4.0, None]), scheme="equal_interval", k=3)
    >>> c.bins
    (2.0, 3.0, 4.0)
    >>> c.classes.tolist()
    [0, 0, 1, 2, -1]
    """
    _check_choice(scheme, SCHEMES, what="Die Klasseneinteilung")
    if not 2 <= k <= 7:
        raise WebMapError(code="webmap.classes", k=k)
    numeric = pd.to_numeric(values, errors="coerce").astype(float)
    valid = numeric.dropna()
    classes = pd.Series(-1, index=values.index, dtype="int64")
    if valid.empty:
        return Classification(scheme, float("nan"), (), classes)
    k_eff = min(k, valid.nunique())
    if k_eff < 2:
        only = float(valid.iloc[0])
        classes[valid.index] = 0
        return Classification(scheme, only, (only,), classes)
    data = valid.to_numpy()
    if scheme == "quantiles":
        bins = quantile_bins(data, k=k_eff)
    elif scheme == "natural_breaks":
        # many areas (thousands of municipalities): the breaks of a seeded sample that
        # keeps the extremes, as mapclassify's FisherJenksSampled does, but with a local
        # generator (no global state) and our numpy Fisher-Jenks
        sample = data
        if len(data) > JENKS_NUMPY_MAX:
            rng = np.random.default_rng(0)
            picked = rng.choice(len(data), size=JENKS_NUMPY_MAX - 2, replace=False)
            sample = np.concatenate([data[picked], [data.min(), data.max()]])
        bins = fisher_jenks_bins(sample, k=min(k_eff, len(np.unique(sample))))
        bins = bins[:-1] + (float(data.max()),)
    else:
        bins = equal_interval_bins(data, k=k_eff)
    # class i holds bins[i-1] < x <= bins[i] (mapclassify's bin1d)
    classes[valid.index] = np.searchsorted(np.asarray(bins), data, side="left")
    return Classification(scheme, float(data.min()), bins, classes)


def quantile_bins(values: np.ndarray, *, k: int) -> tuple[float, ...]:
    """Return the upper bounds of ``k`` quantile classes, as ``mapclassify.Quantiles`` does.

    The percentiles ``100/k, 200/k … 100`` are taken with linear interpolation between
    the sorted values, the same arithmetic as ``scipy.stats.scoreatpercentile``
    (weights ``j - idx`` and ``idx - i``, divided by their sum); repeated bounds
    collapse (fewer classes where values tie).

    Examples
    --------
    >>> quantile_bins(np.arange(1000.0), k=4)
    (249.75, 499.5, 749.25, 999.0)
    >>> quantile_bins(np.array([1.0, 1.0, 1.0, 1.0, 2.0]), k=4)  # ties: fewer classes
    (1.0, 2.0)
    """
    x = np.sort(np.asarray(values, dtype="float64"))
    w = 100.0 / k
    pcts = np.arange(w, 100 + w, w)
    if pcts[-1] > 100.0:
        pcts[-1] = 100.0
    scores = []
    for per in pcts:
        idx = per / 100.0 * (len(x) - 1)
        i = int(idx)
        if i == idx:
            scores.append(float(x[i]))
        else:
            weights = np.array([(i + 1 - idx), (idx - i)], float)
            scores.append(float(np.add.reduce(x[i : i + 2] * weights) / weights.sum()))
    return tuple(float(v) for v in np.unique(scores))


def equal_interval_bins(values: np.ndarray, *, k: int) -> tuple[float, ...]:
    """Return the upper bounds of ``k`` classes of equal width, as ``mapclassify.EqualInterval``.

    Examples
    --------
    >>> equal_interval_bins(np.array([0.0, 1.0, 10.0]), k=4)
    (2.5, 5.0, 7.5, 10.0)
    """
    y = np.asarray(values, dtype="float64")
    high, low = max(y), min(y)
    width = (high - low) * 1.0 / k
    cuts = np.arange(low + width, high + width, width)
    if len(cuts) > k:  # floating point overshoot
        cuts = cuts[0:k]
    cuts[-1] = high
    return tuple(float(v) for v in cuts)


#: Above this many values natural breaks come from a sample (the exact optimum takes
#: k·n² steps).
JENKS_NUMPY_MAX = 4000
#: Cells of the cost matrix a natural-breaks step holds at once (8 MB of float64): the
#: memory stays O(n·k) whatever the n.
JENKS_BLOCK_CELLS = 1_000_000


def fisher_jenks_bins(values: np.ndarray, *, k: int) -> tuple[float, ...]:
    """Return the upper bounds of the optimal k classes (Fisher 1958), vectorised with numpy.

    The same classes as ``mapclassify.FisherJenks`` (exact, deterministic), computed by
    dynamic programming over the sorted values: the cost of a class is the sum of the
    squared deviations from its mean, from prefix sums; each step takes the best split
    for a block of end points at once. The cost matrix is never held whole: a block of
    end points at a time (at most :data:`JENKS_BLOCK_CELLS` cells), so memory is
    O(n·k) plus that block (4,000 values: about 10 MB, where the whole matrix took 1 GB).

    Notes
    -----
    With sorted :math:`x_1..x_n`, :math:`SSD(i, j)` of :math:`x_i..x_j` and
    :math:`D_c(j) = \\min_{i \\le j} D_{c-1}(i - 1) + SSD(i, j)`; the bins are the
    largest value of each class of the optimal :math:`D_k(n)`.

    Examples
    --------
    >>> fisher_jenks_bins(np.array([1.0, 1.1, 9.0, 9.5, 20.0]), k=3)
    (1.1, 9.5, 20.0)
    """
    x = np.sort(np.asarray(values, dtype="float64"))
    n = len(x)
    s1 = np.concatenate([[0.0], np.cumsum(x)])
    s2 = np.concatenate([[0.0], np.cumsum(x * x)])
    block = max(1, JENKS_BLOCK_CELLS // max(n, 1))

    def ssd(j0: int, j1: int) -> np.ndarray:
        """SSD(i, j) for every start i < j1 and end j in [j0, j1); inf where i > j."""
        i = np.arange(j1)[:, None]
        j = np.arange(j0, j1)[None, :]
        count = (j - i + 1).astype("float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            total = s1[j + 1] - s1[i]
            cost = (s2[j + 1] - s2[i]) - total * total / count
        return np.where(j >= i, np.maximum(cost, 0.0), np.inf)

    best = np.empty(n)  # D_1(j)
    for j0 in range(0, n, block):
        j1 = min(n, j0 + block)
        best[j0:j1] = ssd(j0, j1)[0]
    starts = np.zeros((k, n), dtype=np.int64)
    for c in range(1, k):
        prev = np.concatenate([[np.inf], best[:-1]])  # D_{c-1}(i - 1)
        new = np.empty(n)
        for j0 in range(0, n, block):
            j1 = min(n, j0 + block)
            total_cost = prev[:j1, None] + ssd(j0, j1)
            pick = np.argmin(total_cost, axis=0)
            starts[c, j0:j1] = pick
            new[j0:j1] = total_cost[pick, np.arange(j1 - j0)]
        best = new
    bins: list[float] = []
    end = n - 1
    for c in range(k - 1, -1, -1):
        bins.append(float(x[end]))
        end = starts[c][end] - 1
    return tuple(reversed(bins))


def sequential_colours(k: int, *, palette: Palette = "viridis") -> list[str]:
    """Return ``k`` colours from light to dark of a sequential palette.

    Examples
    --------
    >>> sequential_colours(3, palette="neutral")
    ['#f0f0f0', '#969696', '#252525']
    """
    _check_choice(palette, tuple(PALETTES), what="Die Farbpalette")
    stops = PALETTES[palette]
    if k < 1 or k > len(stops):
        raise WebMapError(code="webmap.palette_size", most=len(stops), k=k)
    if k == 1:
        return [stops[len(stops) // 2]]
    picks = np.linspace(0, len(stops) - 1, k).round().astype(int)
    return [stops[i] for i in picks]


def category_colours(categories: Sequence[str]) -> dict[str, str]:
    """Assign Okabe–Ito colours to categories in the given order (cycling after 8).

    Examples
    --------
    >>> category_colours(["geplant", "bewilligt"])
    {'geplant': '#0072B2', 'bewilligt': '#E69F00'}
    """
    return {c: QUALITATIVE[i % len(QUALITATIVE)] for i, c in enumerate(categories)}


def format_value(value: float | None, *, decimals: int = 1, unit: str = "") -> str:
    """Write a value the German way, with its unit; ``keine Angabe`` for no value.

    The figure is :func:`geo.german.number`'s (commercial rounding); the unit follows
    after a space.

    Examples
    --------
    >>> format_value(1234.56, decimals=1, unit="%")
    '1.234,6 %'
    >>> format_value(float("nan")), format_value(0.05, decimals=1)
    ('keine Angabe', '0,1')
    """
    text = german.number(value, decimals=decimals, missing="")
    if not text:
        return NO_VALUE_TEXT
    return f"{text} {unit}".strip()


# --- legend --------------------------------------------------------------------------

Swatch = Literal["fill", "line", "dot", "hatch"]


@dataclass(frozen=True)
class LegendEntry:
    """One row of a legend: a colour sample and its label."""

    colour: str
    label: str
    swatch: Swatch = "fill"
    dash: str | None = None
    #: What the row stands for (a status, a programme id), for a drawing that styles by it.
    key: str = ""


@dataclass(frozen=True)
class LegendSection:
    """A titled group of legend rows (one per layer)."""

    title: str
    entries: tuple[LegendEntry, ...] = field(default_factory=tuple)


def legend_html(sections: Sequence[LegendSection]) -> str:
    """Return the legend as HTML, every text escaped.

    Examples
    --------
    >>> s = LegendSection("<Anteil>", (LegendEntry("#fff", "a & b"),))
    >>> "&lt;Anteil&gt;" in legend_html([s]) and "a &amp; b" in legend_html([s])
    True
    >>> "repeating-linear-gradient" in legend_html([LegendSection("x", (
    ...     LegendEntry("", "unterdrückt", "hatch"),))])
    True
    """
    parts: list[str] = []
    for section in sections:
        parts.append(
            f'<div style="font-weight:600;margin-top:4px">{html.escape(section.title)}</div>'
        )
        for entry in section.entries:
            colour = html.escape(entry.colour)
            if entry.swatch == "line":
                dash = f";border-top-style:{'dashed' if entry.dash else 'solid'}"
                sample = (
                    f'<span style="display:inline-block;width:18px;height:0;'
                    f'border-top:3px solid {colour}{dash};margin:0 6px 3px 0"></span>'
                )
            elif entry.swatch == "hatch":
                sample = (
                    f'<span style="display:inline-block;width:18px;height:12px;'
                    f'background:{SUPPRESSED_CSS};border:1px solid #777;margin-right:6px">'
                    "</span>"
                )
            elif entry.swatch == "dot":
                sample = (
                    f'<span style="display:inline-block;width:10px;height:10px;border-radius:50%;'
                    f'background:{colour};border:1px solid #222;margin:0 6px 0 4px"></span>'
                )
            else:
                sample = (
                    f'<span style="display:inline-block;width:18px;height:12px;'
                    f'background:{colour};border:1px solid #777;margin-right:6px"></span>'
                )
            parts.append(f"<div>{sample}{html.escape(entry.label)}</div>")
    return "".join(parts)


class Legend(MacroElement):
    """A legend as a Leaflet control (no external scripts; branca's colormaps need d3)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
{{ this.get_name() }}.onAdd = function () {
    var div = L.DomUtil.create("div", "qmon-legend");
    div.style.cssText = {{ this.css|tojson }};
    div.innerHTML = {{ this.html|tojson }};
    L.DomEvent.disableClickPropagation(div);
    return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, sections: Sequence[LegendSection], *, position: str = "bottomright"):
        super().__init__()
        self._name = "Legend"
        self.html = legend_html(sections)
        self.position = position
        self.css = (
            "background:rgba(255,255,255,0.92);padding:6px 8px;font:12px/1.4 sans-serif;"
            "border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,0.3);max-width:260px;"
            # at most 45 % of the map's height (the map is its own frame: vh is the map),
            # scrolling within: it never covers the layer control above it in the same corner
            "max-height:45vh;overflow-y:auto"
        )


class MetricScale(MacroElement):
    """A scale bar in metres and kilometres only (Leaflet's ``imperial: false``).

    folium's ``control_scale=True`` adds ``L.control.scale()`` with Leaflet's defaults,
    which show miles and feet next to the metric bar; folium offers no option for it.

    Examples
    --------
    >>> m = folium.Map(tiles=None)
    >>> _ = MetricScale().add_to(m)
    >>> '"imperial": false' in m.get_root().render()
    True
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
L.control.scale({{ this.options|tojson }}).addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, *, position: str = "bottomleft"):
        super().__init__()
        self._name = "MetricScale"
        self.options = {"position": position, "metric": True, "imperial": False}


class ZoomControl(MacroElement):
    """Leaflet's zoom buttons with German tooltips (folium's own says "Zoom in")."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
L.control.zoom({{ this.options|tojson }}).addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, *, position: str = "topleft"):
        super().__init__()
        self._name = "ZoomControl"
        self.options = {
            "position": position,
            "zoomInTitle": "Vergrößern",
            "zoomOutTitle": "Verkleinern",
        }


class HatchPattern(MacroElement):
    """The SVG hatch pattern suppressed areas are filled with (defined once per page)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
    if (document.getElementById({{ this.pattern_id|tojson }})) { return; }
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", "0");
    svg.setAttribute("height", "0");
    svg.setAttribute("aria-hidden", "true");
    svg.style.position = "absolute";
    svg.innerHTML = {{ this.defs|tojson }};
    document.body.appendChild(svg);
})();
{% endmacro %}
"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "HatchPattern"
        self.pattern_id = HATCH_ID
        self.defs = (
            f'<defs><pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="6" '
            'height="6" patternTransform="rotate(45)">'
            '<rect width="6" height="6" fill="#e6e6e6"></rect>'
            '<line x1="0" y1="0" x2="0" y2="6" stroke="#8c8c8c" stroke-width="2"></line>'
            "</pattern></defs>"
        )


# --- layers --------------------------------------------------------------------------


def _geojson(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return a WGS84 frame as a GeoJSON mapping (properties already escaped).

    Geometry is written by GEOS (``shapely.to_geojson``), four times faster than
    ``GeoDataFrame.to_json`` on the planning areas of a city and with the same text.
    """
    geoms = shapely.to_geojson(np.asarray(frame.geometry.values, dtype=object))
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name)).astype(object)
    props = table.where(table.notna(), None).to_dict("records")  # NaN is not JSON: null
    features = [
        {"type": "Feature", "properties": p, "geometry": None if g is None else json.loads(g)}
        for p, g in zip(props, geoms)
    ]
    return {"type": "FeatureCollection", "features": features}


def compact_json(value: Any) -> str:
    """Compact JSON for a script in the page, safe in HTML (as Jinja's ``tojson``)."""
    return str(
        htmlsafe_json_dumps(value, dumps=json.dumps, separators=(",", ":"), ensure_ascii=False)
    )


def compact_properties(features: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Return the features' properties (and ids) by column: ``c`` constant, ``p`` varying.

    ``n`` is the number of features.

    A property every feature has with the same value is sent once; the others as one
    list per property (the names once, not once per feature); ``i`` the feature ids
    where they have one.

    Examples
    --------
    >>> compact_properties([{"properties": {"kind": "a", "id": "1"}},
    ...                     {"properties": {"kind": "a", "id": "2"}}])
    {'n': 2, 'c': {'kind': 'a'}, 'p': {'id': ['1', '2']}}
    """
    props = [dict(f.get("properties") or {}) for f in features]
    keys = list(dict.fromkeys(k for p in props for k in p))
    constant: dict[str, Any] = {}
    varying: dict[str, list[Any]] = {}
    for key in keys:
        column = [p.get(key) for p in props]
        if len(column) > 1 and all(v == column[0] and type(v) is type(column[0]) for v in column):
            constant[key] = column[0]
        else:
            varying[key] = column
    out: dict[str, Any] = {"n": len(props), "c": constant, "p": varying}
    if any("id" in f for f in features):
        out["i"] = [f.get("id") for f in features]
    return out


#: The page's builder of GeoJSON features from :func:`compact_properties` and geometry.
FEATURES_JS = """
function qmonFeatures(c, geometry) {
    var out = [];
    for (var n = 0; n < geometry.length; n++) {
        var p = Object.assign({}, c.c);
        for (var k in c.p) { p[k] = c.p[k][n]; }
        var f = {type: "Feature", properties: p, geometry: geometry[n]};
        if (c.i) { f.id = c.i[n]; }
        out.push(f);
    }
    return {type: "FeatureCollection", features: out};
}
"""


#: The page's decoder of points as integer steps (:meth:`PointLayer.page_data`).
POINTS_JS = """
function qmonPoints(d) {
    var x = 0, y = 0, out = [];
    for (var i = 0; i < d.x.length; i++) {
        x += d.x[i]; y += d.y[i];
        out.push({type: "Point", coordinates: [x / d.s, y / d.s]});
    }
    return out;
}
"""


def coordinate_places(coords: np.ndarray, *, most: int = 7) -> int:
    """Return the fewest decimal places that write every coordinate exactly (at most ``most``).

    Examples
    --------
    >>> coordinate_places(np.array([[13.4, 52.51], [13.405, 52.5]]))
    3
    """
    values = np.asarray(coords, dtype="float64").ravel()
    for places in range(most):
        scaled = values * 10**places
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return places
    return most


_TOPOLOGIES: OrderedDict[bytes, dict[str, Any]] = OrderedDict()
_TOPOLOGIES_LOCK = threading.Lock()
#: How many topologies the process keeps (a few levels and funding-area layers).
TOPOLOGY_CACHE_SIZE = 16


def _topology_of(geometry: np.ndarray) -> dict[str, Any]:
    """:func:`geo.topology.coverage_topology` of ``geometry`` at its own decimals, cached."""
    wkb = shapely.to_wkb(geometry)
    digest = hashlib.blake2b(b"|".join(b"" if w is None else w for w in wkb)).digest()
    with _TOPOLOGIES_LOCK:
        if digest in _TOPOLOGIES:
            _TOPOLOGIES.move_to_end(digest)
            return _TOPOLOGIES[digest]
    present = geometry[~shapely.is_missing(geometry)]
    coords = shapely.get_coordinates(present)
    places = coordinate_places(coords) if len(coords) else 0
    topology = coverage_topology(geometry, decimals=places)
    with _TOPOLOGIES_LOCK:
        _TOPOLOGIES[digest] = topology
        while len(_TOPOLOGIES) > TOPOLOGY_CACHE_SIZE:
            _TOPOLOGIES.popitem(last=False)
    return topology


class TopoGeoJson(folium.GeoJson):
    """A :class:`folium.GeoJson` of polygons whose page carries them as quantised arcs.

    In Python it is a GeoJson like any other (``data`` holds the features, styles,
    highlights and tooltips are folium's). In the page the geometry travels as
    :func:`geo.topology.coverage_topology` (each shared edge once, integer steps) and
    the properties by column (:func:`compact_properties`); a few lines of script turn
    them back into the same GeoJSON features before Leaflet adds them, so clicks,
    tooltips and ``st_folium``'s ``last_active_drawing`` see what they saw before.

    ``geometry`` are the features' WGS84 geometries in order (what ``data`` holds).
    """

    def __init__(self, data: dict[str, Any], *, geometry: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.geometry = np.asarray(geometry, dtype=object)

    def compact(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The page's data: properties by column and the topology of the geometry.

        The topology is computed once per geometry (a filter change redraws the same
        areas with other measures): shared by every layer of the process with the same
        geometry, in a small LRU cache keyed by the geometry's WKB digest.
        """
        return compact_properties(self.data["features"]), _topology_of(self.geometry)

    def page_script(self) -> str:
        """The script that adds the features to the layer (after folium's script of it)."""
        props, topology = self.compact()
        return (
            f"\n(function () {{{TOPOLOGY_JS}{FEATURES_JS}{self.get_name()}_add("
            f"qmonFeatures({compact_json(props)}, qmonTopology({compact_json(topology)})));}})();\n"
        )


class _CompactTemplate:
    """folium.GeoJson's template, the features left out of it and added by a script after.

    Stands in for the Jinja template: folium renders ``module.script`` (and
    ``streamlit_folium`` calls it directly for each element), so the swap is there.
    """

    def __init__(self, base: Any) -> None:
        self.base = base
        self.module = SimpleNamespace(script=self.script)

    def script(self, this: TopoGeoJson, kwargs: Any = None) -> str:
        text = str(self.base.module.script(_WithoutFeatures(this), kwargs or {}))
        return text + this.page_script()


class _WithoutFeatures:
    """The layer as its template sees it, without features (the layer is not changed:
    one map object may be rendered by several sessions at once)."""

    def __init__(self, layer: TopoGeoJson) -> None:
        self._layer = layer
        self.data: dict[str, Any] = {"type": "FeatureCollection", "features": []}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._layer, name)


TopoGeoJson._template = _CompactTemplate(folium.GeoJson._template)  # type: ignore[assignment]


def _tooltip(fields: Sequence[str], aliases: Sequence[str]) -> folium.GeoJsonTooltip:
    return folium.GeoJsonTooltip(
        list(fields), aliases=[html.escape(a) for a in aliases], sticky=True, localize=False
    )


@dataclass(frozen=True)
class ChoroplethSpec:
    """What a choropleth shows: title, unit, classification and palette."""

    title: str
    unit: str = ""
    scheme: Scheme = "quantiles"
    k: int = 5
    palette: Palette = "viridis"
    decimals: int = 1
    #: Fixed classes instead of a classification: value -> (label, colour), in order.
    categories: tuple[tuple[float, str, str], ...] = ()
    #: Legend label of areas whose value is suppressed (disclosure control).
    suppressed_label: str = SUPPRESSED_TEXT


@dataclass(frozen=True)
class Shading:
    """How a choropleth shades its areas: per area its colour and text, and the legend rows.

    Every series keeps the index of the ids it was made for. ``colours`` of suppressed
    areas is the colour they would have without a value (they are hatched instead);
    ``entries`` are the legend rows in order (classes, ``keine Angabe``, suppressed).
    """

    values: pd.Series
    hidden: pd.Series
    colours: pd.Series
    text: pd.Series
    entries: tuple[LegendEntry, ...]
    no_value: str


def choropleth_shading(
    ids: pd.Series,
    values: pd.Series,
    *,
    spec: ChoroplethSpec,
    suppressed: Collection[str] = (),
) -> Shading:
    """Return the colours, value texts and legend rows of a choropleth, without drawing it.

    The one place that turns values into classes, colours and legend labels: the web
    map (:func:`choropleth_layer`) and the printed map draw what it returns, so their
    legends are the same for the same view.

    Parameters
    ----------
    ids
        Area ids (as text), indexed like the areas drawn.
    values
        Numbers indexed by area id; suppressed areas' values are ignored.
    spec
        Classification, palette, unit and labels (see :class:`ChoroplethSpec`).
    suppressed
        Ids of areas whose value is withheld.

    Raises
    ------
    WebMapError
        For an unknown classification or palette.

    Examples
    --------
    >>> s = choropleth_shading(pd.Series(["1", "2", "3"]), pd.Series({"1": 2.0, "2": 5.0}),
    ...     spec=ChoroplethSpec("Anteil", unit="%", k=2), suppressed=["3"])
    >>> [e.label for e in s.entries], s.colours.tolist()
    (['2,0 – 3,5 %', '3,5 – 5,0 %', 'unterdrückt'], ['#fde725', '#440154', '#ffffff'])
    """
    hidden = pd.Series(ids.isin({str(i) for i in suppressed}).to_numpy(), index=ids.index)
    aligned = pd.Series(values, dtype="float64").reindex(ids.to_numpy())
    aligned.index = ids.index
    aligned = aligned.where(~hidden)  # never classify or show a suppressed value
    missing = aligned.isna() & ~hidden
    entries: list[LegendEntry] = []
    if spec.categories:
        colours_by_code = {code: colour for code, _, colour in spec.categories}
        labels = {code: label for code, label, _ in spec.categories}
        colour = aligned.map(lambda v: colours_by_code.get(v, NO_DATA_COLOUR))
        text = aligned.map(lambda v: labels.get(v, "ohne Zuordnung"))
        entries = [LegendEntry(c, label) for _, label, c in spec.categories]
        no_value = "ohne Zuordnung"
    else:
        cls = classify(aligned, scheme=spec.scheme, k=spec.k)
        palette = sequential_colours(max(cls.k, 1), palette=spec.palette)
        colour = cls.classes.map(lambda i: palette[i] if i >= 0 else NO_DATA_COLOUR)
        text = aligned.map(lambda v: format_value(v, decimals=spec.decimals, unit=spec.unit))
        for (low, high), col in zip(cls.ranges(), palette):
            lo = format_value(low, decimals=spec.decimals)
            hi = format_value(high, decimals=spec.decimals, unit=spec.unit)
            entries.append(LegendEntry(col, f"{lo} – {hi}"))
        no_value = NO_VALUE_TEXT
    if missing.any():
        entries.append(LegendEntry(NO_DATA_COLOUR, no_value))
    if hidden.any():
        entries.append(LegendEntry(SUPPRESSED_FILL, spec.suppressed_label, "hatch"))
    return Shading(aligned, hidden, colour, text, tuple(entries), no_value)


def choropleth_layer(
    areas: gpd.GeoDataFrame,
    values: pd.Series,
    *,
    spec: ChoroplethSpec,
    suppressed: Collection[str] = (),
    level: str = "",
    notes: Mapping[str, str] | None = None,
    name: str | None = None,
) -> tuple[folium.GeoJson, LegendSection]:
    """Return the areas coloured by ``values`` and the legend section that explains them.

    Parameters
    ----------
    areas
        Display geometry in WGS84 (see :func:`display_geometry`) with ``id`` and ``name``.
    values
        Numbers indexed by area id; areas without a value are drawn white
        (``keine Angabe``).
    spec
        Title and unit (shown in the legend and tooltip), classification and palette.
        With ``spec.categories`` the values are class codes shown with fixed labels
        and colours (the social index classes).
    suppressed
        Ids of areas whose value is withheld (disclosure control, e.g. fewer than 300
        residents). They get no class and are left out of the classification, are
        hatched grey with a legend entry of their own (``spec.suppressed_label``),
        and their tooltip says ``unterdrückt``; a value given for them is ignored.
        Areas without a value (not stored) are white with the legend entry ``keine
        Angabe``: the two never look alike.
    level
        The stored name of the areas' level (``Stadtteil``, ``Planungsraum`` …): the
        tooltip heading and, in the plural, the layer's name (``Stadtteile``). Empty:
        ``Gebiet``.
    notes
        Area id -> a German note on its value (e.g. the reason of a statistics flag,
        :func:`indicators.flags.flag_text`), shown in brackets after the value in the
        tooltip, or instead of ``keine Angabe`` where there is no value.
    name
        The layer's name in the layer control (default: the plural of ``level``).

    Returns
    -------
    tuple
        The layer (each feature with ``kind``, ``id``, ``name``, ``wert`` (the text
        shown), ``farbe`` and ``unterdrueckt``) and its legend section.

    Raises
    ------
    WebMapError
        For an unknown classification or palette.

    Examples
    --------
    >>> a = gpd.GeoDataFrame({"id": ["1", "2", "3"], "name": ["A", "B", "C"]},
    ...     geometry=[shapely.box(9 + i / 10, 51, 9.1 + i / 10, 51.1) for i in range(3)],
    ...     crs="EPSG:4326")
    >>> layer, legend = choropleth_layer(a, pd.Series({"1": 2.0, "2": 5.0, "3": 0.0}),
    ...     spec=ChoroplethSpec("Anteil", unit="%", k=2), suppressed=["3"])
    >>> [e.label for e in legend.entries]
    ['2,0 – 3,5 %', '3,5 – 5,0 %', 'unterdrückt']
    >>> [f["properties"]["wert"] for f in layer.data["features"]]
    ['2,0 %', '5,0 %', 'unterdrückt']
    >>> layer, legend = choropleth_layer(a, pd.Series({"1": 2.0, "2": 5.0}),
    ...     spec=ChoroplethSpec("Anteil", unit="%", k=2), suppressed=["2"], level="Stadtteil",
    ...     notes={"1": "eingeschränkt aussagefähig", "3": "geheim"})
    >>> tip = next(c for c in layer._children.values() if isinstance(c, folium.GeoJsonTooltip))
    >>> layer.layer_name, tip.aliases[0]
    ('Stadtteile', 'Stadtteil')
    >>> [f["properties"]["wert"] for f in layer.data["features"]]
    ['2,0 % (eingeschränkt aussagefähig)', 'unterdrückt', 'keine Angabe: geheim']
    >>> [e.label for e in legend.entries][-2:]
    ['keine Angabe', 'unterdrückt']
    """
    ids = areas["id"].astype(str)
    shading = choropleth_shading(ids, values, spec=spec, suppressed=suppressed)
    hidden, aligned = shading.hidden, shading.values
    text = _with_notes(shading.text, ids, aligned, notes or {}, no_value=shading.no_value)
    frame = gpd.GeoDataFrame(
        {
            "kind": "gebiet",
            "id": ids.map(html.escape),
            "name": areas["name"].map(escape_text),
            "wert": text.where(~hidden, SUPPRESSED_TEXT).map(html.escape),
            "farbe": shading.colours.where(~hidden, SUPPRESSED_FILL),
            "unterdrueckt": hidden,
        },
        geometry=areas.geometry,
        crs=areas.crs,
    )
    layer = TopoGeoJson(
        _geojson(frame),
        geometry=frame.geometry.values,
        name=name if name is not None else level_plural(level),
        style_function=lambda f: {
            "fillColor": f["properties"]["farbe"],
            "color": "#444444",
            "weight": 0.6,
            "fillOpacity": 0.75,
        },
        highlight_function=lambda _: {"weight": 2.5, "color": "#000000"},
        tooltip=_tooltip(["name", "id", "wert"], [level_label(level), "Kennung", spec.title]),
        zoom_on_click=False,
    )
    if hidden.any():
        layer.add_child(HatchPattern())
    return layer, LegendSection(spec.title, shading.entries)


def _with_notes(
    text: pd.Series, ids: pd.Series, values: pd.Series, notes: Mapping[str, str], *, no_value: str
) -> pd.Series:
    """Add each area's note to its value text: ``4,5 % (note)``, ``keine Angabe: note``."""
    if not notes:
        return text
    out = text.copy()
    for pos, ident in zip(text.index, ids):
        note = notes.get(ident)
        if not note:
            continue
        out[pos] = f"{no_value}: {note}" if pd.isna(values[pos]) else f"{text[pos]} ({note})"
    return out


def funding_area_layer(
    funding_areas: gpd.GeoDataFrame, *, programme_names: Mapping[str, str]
) -> tuple[folium.GeoJson, LegendSection]:
    """Return funding areas outlined by programme (colour and line pattern) and a legend.

    Parameters
    ----------
    funding_areas
        Display geometry in WGS84 with ``id``, ``name`` and ``programme_id``.
    programme_names
        Programme id -> name, in legend order; programmes not in it are shown by id.
    """
    section = funding_area_legend(funding_areas, programme_names=programme_names)
    colours = {e.key: e.colour for e in section.entries}
    dashes = {e.key: e.dash for e in section.entries}
    frame = gpd.GeoDataFrame(
        {
            "kind": "foerdergebiet",
            "id": funding_areas["id"].map(escape_text),
            "name": funding_areas["name"].map(escape_text),
            "programm": funding_areas["programme_id"].map(
                lambda p: escape_text(programme_names.get(p, p) if p else "ohne Programm")
            ),
            "farbe": funding_areas["programme_id"].map(lambda p: colours.get(p, "#333333")),
            "strich": funding_areas["programme_id"].map(lambda p: dashes.get(p) or ""),
        },
        geometry=funding_areas.geometry,
        crs=funding_areas.crs,
    )
    layer = TopoGeoJson(
        _geojson(frame),
        geometry=frame.geometry.values,
        name="Fördergebiete",
        style_function=lambda f: {
            "color": f["properties"]["farbe"],
            "weight": 3,
            "dashArray": f["properties"]["strich"] or None,
            "fill": False,  # outline only: a click inside reaches the planning area
        },
        highlight_function=lambda _: {"weight": 5},
        tooltip=_tooltip(["name", "programm"], ["Fördergebiet", "Programm"]),
        zoom_on_click=False,
    )
    return layer, section


def funding_area_legend(
    funding_areas: pd.DataFrame, *, programme_names: Mapping[str, str]
) -> LegendSection:
    """Return the legend of funding areas by programme: one line style per programme present.

    Each entry's ``key`` is the programme id; colour and dash pattern (SVG dash array)
    are the ones :func:`funding_area_layer` draws.

    Examples
    --------
    >>> fa = pd.DataFrame({"programme_id": ["wne", "ssz", "ssz"]})
    >>> [(e.key, e.label, e.dash) for e in funding_area_legend(fa,
    ...     programme_names={"ssz": "Sozialer Zusammenhalt"}).entries]
    [('ssz', 'Sozialer Zusammenhalt', None), ('wne', 'wne', '8 4')]
    """
    order = list(programme_names) + sorted(
        set(funding_areas["programme_id"].dropna().astype(str)) - set(programme_names)
    )
    present = [p for p in order if p in set(funding_areas["programme_id"].astype(str))]
    colours = category_colours(present)
    entries = tuple(
        LegendEntry(colours[p], programme_names.get(p, p), "line", DASHES[i % len(DASHES)], p)
        for i, p in enumerate(present)
    )
    return LegendSection("Fördergebiete nach Programm", entries)


class PointLayer(JSCSSMixin, folium.map.Layer):
    """Points as circle markers from GeoJSON, clustered where many.

    The points travel as one compact GeoJSON document (not one JavaScript statement
    per marker); each marker's colour is an index into ``colours``. Tooltips show the
    ``title`` property, which must already be escaped.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
    var colours = {{ this.colours|tojson }};
    var group = {% if this.cluster %}L.markerClusterGroup({{ this.cluster_options|tojson }})
        {%- else %}L.featureGroup(){% endif %};
    {{ this.decoders() }}
    L.geoJson(qmonFeatures({{ this.page_data() }}), {
        pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, {radius: 7, weight: 1, color: "#222222",
                fillColor: colours[feature.properties.c], fillOpacity: 0.95});
        },
        onEachFeature: function (feature, layer) {
            layer.bindTooltip(feature.properties.title, {sticky: true});
        }
    }).eachLayer(function (layer) { group.addLayer(layer); });
    return group;
})();
{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
{% endmacro %}
"""
    )
    default_js = [
        (
            "markerclusterjs",
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js",
        )
    ]
    default_css = [
        (
            "markerclustercss",
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css",
        ),
        (
            "markerclusterdefaultcss",
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css",
        ),
    ]

    def __init__(
        self,
        data: dict[str, Any],
        *,
        colours: Sequence[str],
        name: str,
        cluster: bool,
        show: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "PointLayer"
        self.data = data
        self.colours = list(colours)
        self.cluster = cluster
        self.cluster_options = {
            "showCoverageOnHover": False,
            "maxClusterRadius": 40,
            "disableClusteringAtZoom": 17,
        }

    @staticmethod
    def decoders() -> str:
        """The page's functions that rebuild the features from :meth:`page_data`."""
        return FEATURES_JS + POINTS_JS

    def page_data(self) -> str:
        """The arguments of ``qmonFeatures``: properties by column, points as integer steps.

        Coordinates are written with the fewest decimals that keep them exact, as steps
        from the previous point (a few characters each instead of 18).
        """
        features = self.data["features"]
        coords = np.array(
            [f["geometry"]["coordinates"] for f in features], dtype="float64"
        ).reshape(-1, 2)
        places = coordinate_places(coords) if len(coords) else 0
        q = np.round(coords * 10**places).astype(np.int64)
        points = {
            "s": 10**places,
            "x": [int(v) for v in np.diff(q[:, 0], prepend=0)],
            "y": [int(v) for v in np.diff(q[:, 1], prepend=0)],
        }
        return f"{compact_json(compact_properties(features))}, qmonPoints({compact_json(points)})"


STATUS_ORDER: tuple[str, ...] = (
    "geplant",
    "bewilligt",
    "in Umsetzung",
    "abgeschlossen",
    "abgerechnet",
)


def measure_layer(
    measures: gpd.GeoDataFrame,
    *,
    colour_by: ColourBy = "status",
    programme_names: Mapping[str, str] | None = None,
    cluster_from: int = 60,
) -> tuple[PointLayer, LegendSection]:
    """Return measures as markers coloured by status or programme, and a legend.

    Lines and polygons are shown at a point inside them. Above ``cluster_from``
    markers they are clustered.

    Parameters
    ----------
    measures
        Measures in any CRS with ``id``, ``title``, ``status`` and (for
        ``colour_by="programme"``) ``programme_id``.
    colour_by
        ``status`` or ``programme``.

    Raises
    ------
    WebMapError
        For an unknown ``colour_by``.

    Examples
    --------
    >>> m = gpd.GeoDataFrame({"id": ["m1"], "title": ["<b>Spielplatz</b>"],
    ...     "status": ["geplant"]}, geometry=[shapely.Point(500000, 5700000)], crs="EPSG:25832")
    >>> layer, legend = measure_layer(m)
    >>> layer.data["features"][0]["properties"]["title"]
    '&lt;b&gt;Spielplatz&lt;/b&gt;'
    >>> [e.label for e in legend.entries]
    ['geplant']
    """
    keys, section = measure_legend(measures, colour_by=colour_by, programme_names=programme_names)
    order = [e.key for e in section.entries]
    colours = [e.colour for e in section.entries]
    index = {k: i for i, k in enumerate(order)}
    points = measures.geometry.representative_point() if len(measures) else measures.geometry
    frame = gpd.GeoDataFrame(
        {
            "kind": "massnahme",
            "id": measures["id"],
            "title": measures["title"],
            "c": keys.map(index).astype("int64") if len(measures) else [],
        },
        geometry=gpd.GeoSeries(points.values, index=measures.index, crs=measures.crs),
        crs=measures.crs,
    )
    web = web_frame(frame, columns=["kind", "id", "title", "c"])
    data = _geojson(web)
    layer = PointLayer(
        data, colours=colours, name="Maßnahmen", cluster=len(measures) > cluster_from
    )
    return layer, section


def measure_legend(
    measures: pd.DataFrame,
    *,
    colour_by: ColourBy = "status",
    programme_names: Mapping[str, str] | None = None,
) -> tuple[pd.Series, LegendSection]:
    """Return each measure's colour key and the legend of the measures by status or programme.

    The keys (status or programme id; ``""`` for none) keep the index of ``measures``;
    each legend entry's ``key`` is one of them, in legend order.

    Raises
    ------
    WebMapError
        For an unknown ``colour_by``.

    Examples
    --------
    >>> m = pd.DataFrame({"status": ["bewilligt", None, "geplant"]})
    >>> keys, legend = measure_legend(m)
    >>> keys.tolist(), [(e.key, e.label, e.colour) for e in legend.entries][:2]
    (['bewilligt', '', 'geplant'], [('geplant', 'geplant', '#0072B2'), \
('bewilligt', 'bewilligt', '#E69F00')])
    """
    _check_choice(colour_by, COLOUR_BY, what="Die Einfärbung der Marker")
    names = dict(programme_names or {})
    if colour_by == "status":
        column, title = "status", "Maßnahmen nach Status"
        present = set(measures["status"].dropna().astype(str))
        order = [s for s in STATUS_ORDER if s in present] + sorted(present - set(STATUS_ORDER))
        label = dict(zip(order, order))
    else:
        column, title = "programme_id", "Maßnahmen nach Programm"
        present = set(measures["programme_id"].dropna().astype(str))
        order = [p for p in names if p in present] + sorted(present - set(names))
        label = {p: names.get(p, p) for p in order}
    keys = measures[column].astype(object).where(measures[column].notna(), None)
    if keys.isna().any():
        order.append("")
        label[""] = "ohne Angabe"
        keys = keys.fillna("")
    colours = category_colours(order)
    entries = tuple(LegendEntry(colours[k], label[k], "dot", key=k) for k in order)
    return keys, LegendSection(title, entries)


def building_layer(buildings: gpd.GeoDataFrame) -> folium.GeoJson:
    """Return building footprints with dwellings, vacancy, year built and owner as tooltip.

    Parameters
    ----------
    buildings
        Buildings in a projected CRS with the columns of the ``buildings`` layer.
    """
    frame = buildings[["id", "dwellings", "vacant_dwellings", "year_built", "owner_type"]].copy()
    frame["kind"] = "gebaeude"
    for col in ("dwellings", "vacant_dwellings", "year_built"):  # 1.200 Wohnungen, Baujahr 1965
        grouping = col != "year_built"
        frame[col] = frame[col].map(lambda v, g=grouping: german.number(v, grouping=g, missing="–"))
    frame["owner_type"] = frame["owner_type"].fillna("–")
    frame = gpd.GeoDataFrame(frame, geometry=buildings.geometry, crs=buildings.crs)
    web = web_frame(
        frame, columns=["kind", "id", "dwellings", "vacant_dwellings", "year_built", "owner_type"]
    )
    return folium.GeoJson(
        _geojson(web),
        name="Gebäude",
        style_function=lambda _: {
            "color": "#333333",
            "weight": 0.5,
            "fillColor": "#9e9e9e",
            "fillOpacity": 0.8,
        },
        tooltip=_tooltip(
            ["dwellings", "vacant_dwellings", "year_built", "owner_type"],
            ["Wohnungen", "davon leer", "Baujahr", "Eigentümer"],
        ),
        zoom_on_click=False,
    )


ACTIVITY_COLOUR = "#CC79A7"


def activity_layer(activities: gpd.GeoDataFrame) -> tuple[folium.GeoJson, LegendSection]:
    """Return the activities of quarter management (campaigns, festivals …) as dots.

    Parameters
    ----------
    activities
        Activities in any CRS with ``title``, ``kind``, ``date`` and ``participants``;
        rows without a point are left out.

    Examples
    --------
    >>> a = gpd.GeoDataFrame({"title": ["<b>Fest</b>"], "kind": ["Fest"],
    ...     "date": pd.to_datetime(["2025-06-01"]), "participants": [120]},
    ...     geometry=[shapely.Point(500000, 5700000)], crs="EPSG:25832")
    >>> layer, legend = activity_layer(a)
    >>> layer.data["features"][0]["properties"]["titel"], legend.title
    ('&lt;b&gt;Fest&lt;/b&gt;', 'Aktivitäten')
    """
    shown = activities[activities.geometry.notna() & ~activities.geometry.is_empty]
    frame = gpd.GeoDataFrame(
        {
            "titel": shown["title"].astype(str),
            "art": shown["kind"].fillna("").astype(str),
            "datum": shown["date"].map(lambda d: german.date(d, missing="")),
            "teilnehmende": shown["participants"].map(lambda n: german.number(n, missing="")),
        },
        geometry=shown.geometry,
        crs=activities.crs,
    )
    web = web_frame(frame, columns=["titel", "art", "datum", "teilnehmende"])
    layer = folium.GeoJson(
        _geojson(web),
        name="Aktivitäten",
        marker=folium.CircleMarker(
            radius=6,
            fill=True,
            fill_opacity=0.9,
            color="#ffffff",
            weight=1,
            fill_color=ACTIVITY_COLOUR,
        ),
        tooltip=_tooltip(
            ["titel", "art", "datum", "teilnehmende"], ["Aktivität", "Art", "Datum", "Teilnehmende"]
        ),
        zoom_on_click=False,
    )
    return layer, LegendSection(
        "Aktivitäten", (LegendEntry(ACTIVITY_COLOUR, "Aktivität (Quartiersmanagement)", "dot"),)
    )


# --- basemap and map -----------------------------------------------------------------


@dataclass(frozen=True)
class Basemap:
    """A background map: XYZ/WMTS tiles (``url`` template) or a WMS with ``layers``."""

    kind: Literal["xyz", "wms"]
    url: str
    attribution: str
    layers: str = ""


OSM = Basemap(
    "xyz",
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>-Mitwirkende',
)


def parse_basemap(value: str | None, *, attribution: str = "") -> Basemap | None:
    """Return the basemap named by a setting (``QMON_BASEMAP``), None for none.

    ``none`` (or empty): no basemap, works offline. ``osm``: OpenStreetMap tiles (needs
    internet). An ``http(s)`` URL with ``{z}``, ``{x}`` and ``{y}`` (or WMTS REST
    ``{TileMatrix}``, ``{TileCol}``, ``{TileRow}``) is a tile template; a URL prefixed
    with ``wms:`` and a ``layers=`` parameter is a WMS.

    Raises
    ------
    WebMapError
        For any other value.

    Examples
    --------
    >>> parse_basemap("none") is None
    True
    >>> parse_basemap("https://geo.stadt.de/wmts/{TileMatrix}/{TileCol}/{TileRow}.png").url
    'https://geo.stadt.de/wmts/{z}/{x}/{y}.png'
    >>> b = parse_basemap("wms:https://geo.stadt.de/wms?layers=stadtplan&format=image/png")
    >>> b.kind, b.url, b.layers
    ('wms', 'https://geo.stadt.de/wms?format=image%2Fpng', 'stadtplan')
    """
    text = (value or "").strip()
    if text.lower() in ("", "none", "keine"):
        return None
    if text.lower() == "osm":
        return OSM
    allowed = render("webmap.basemap_allowed")
    if text.lower().startswith("wms:"):
        url = text[4:]
        parts = urlsplit(url)
        query = parse_qsl(parts.query)
        layers = [v for k, v in query if k.lower() == "layers"]
        if parts.scheme not in ("http", "https") or not layers:
            raise WebMapError(code="webmap.basemap_wms", value=value, allowed=allowed)
        rest = urlencode([(k, v) for k, v in query if k.lower() != "layers"])
        return Basemap("wms", urlunsplit(parts._replace(query=rest)), attribution, layers[0])
    template = (
        text.replace("{TileMatrix}", "{z}").replace("{TileCol}", "{x}").replace("{TileRow}", "{y}")
    )
    if urlsplit(template).scheme in ("http", "https") and all(
        p in template for p in ("{z}", "{x}", "{y}")
    ):
        return Basemap("xyz", template, attribution)
    raise WebMapError(code="webmap.basemap_unknown", value=value, allowed=allowed)


#: An area part is far out when its distance from the centre is more than this many
#: times the (area-weighted) median distance of all parts.
FAR_OUT_FACTOR = 4.0
#: Far-out parts are left out of the frame only while the rest holds this share of the area.
FRAMED_AREA_SHARE = 2 / 3


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The value at which half of the total weight is reached (lower median)."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, cum[-1] / 2.0)])


def framing_bounds(
    geoms: gpd.GeoSeries,
    *,
    factor: float = FAR_OUT_FACTOR,
    keep_share: float = FRAMED_AREA_SHARE,
) -> tuple[float, float, float, float] | None:
    """Return the bounds that frame the main body of the areas, far-out exclaves left out.

    An island or exclave far away (Hamburg's Neuwerk, about 100 km out at sea;
    Bremen's Bremerhaven) would shrink the city into a corner of a map fitted to all
    bounds. Polygons are split into their parts; a part is *far out* when its
    representative point lies more than ``factor`` times the median distance from
    the centre. The far-out parts are left out of the frame (never out of the map)
    as long as the remaining parts hold at least ``keep_share`` of the area;
    otherwise, and for non-polygonal geometry, the bounds of everything are returned.

    Parameters
    ----------
    geoms
        Geometry with a CRS; in WGS84 (or any geographic CRS) east-west distances
        are scaled by the cosine of the latitude.
    factor
        How many median distances away a part counts as far out.
    keep_share
        The share of the total area the framed parts must hold.

    Returns
    -------
    tuple or None
        ``(minx, miny, maxx, maxy)`` in the CRS of ``geoms``; None without geometry.

    Notes
    -----
    With parts i of area a_i and representative point p_i: the centre c is the
    coordinate-wise a-weighted median of the p_i, d_i = |p_i − c|, m the a-weighted
    median of the d_i; part i is far out when d_i > factor · m.

    Examples
    --------
    >>> city = [shapely.box(x, y, x + 1000, y + 1000) for x in range(0, 8000, 1000)
    ...         for y in range(0, 5000, 1000)]
    >>> island = shapely.box(100_000, 0, 101_000, 1000)
    >>> framing_bounds(gpd.GeoSeries(city + [island], crs="EPSG:25832"))
    (0.0, 0.0, 8000.0, 5000.0)
    >>> framing_bounds(gpd.GeoSeries([shapely.box(0, 0, 1, 1), island], crs="EPSG:25832"))
    (0.0, 0.0, 101000.0, 1000.0)
    """
    present = geoms[geoms.notna() & ~geoms.is_empty]
    if present.empty:
        return None
    everything = tuple(float(v) for v in present.total_bounds)
    parts = np.asarray(shapely.get_parts(np.asarray(present.values, dtype=object)), dtype=object)
    parts = parts[shapely.get_type_id(parts) == 3]  # polygons
    if len(parts) < 3:
        return everything  # type: ignore[return-value]
    points = shapely.point_on_surface(parts)
    x, y = shapely.get_x(points), shapely.get_y(points)
    area = shapely.area(parts)
    if area.sum() <= 0:
        return everything  # type: ignore[return-value]
    scale = 1.0
    if present.crs is not None and present.crs.is_geographic:
        scale = float(np.cos(np.radians(_weighted_median(y, area))))
    cx, cy = _weighted_median(x, area), _weighted_median(y, area)
    dist = np.hypot((x - cx) * scale, y - cy)
    typical = _weighted_median(dist, area)
    if typical <= 0:
        return everything  # type: ignore[return-value]
    kept = dist <= factor * typical
    if kept.all() or area[kept].sum() < keep_share * area.sum():
        return everything  # type: ignore[return-value]
    minx, miny, maxx, maxy = shapely.total_bounds(parts[kept])
    return (float(minx), float(miny), float(maxx), float(maxy))


def base_map(
    bounds: tuple[float, float, float, float] | None,
    *,
    basemap: Basemap | None = None,
    services: MapServices | None = None,
) -> folium.Map:
    """Return an empty map fitted to WGS84 ``bounds`` (minx, miny, maxx, maxy).

    Without a basemap the map has a plain light background and stays usable. With
    ``services`` (the city's map services, :mod:`geo.mapservices`; the ``basemap`` is
    then one of them, see :func:`geo.mapservices.with_basemap`) their backgrounds and
    overlays are added instead of ``basemap``.
    """
    # maxZoom is needed without a tile layer: marker clustering refuses a map without it
    # (folium's max_zoom goes to its tile layer only, so it is passed as a map option)
    zoom_limits: dict[str, Any] = {"maxZoom": 19, "minZoom": 5}
    fmap = folium.Map(tiles=None, prefer_canvas=False, zoom_control=False, **zoom_limits)
    ZoomControl().add_to(fmap)  # German tooltips
    MetricScale().add_to(fmap)  # not control_scale=True: that shows miles as well
    if services:
        add_map_services(fmap, services)
    elif basemap is not None and basemap.kind == "xyz":
        folium.TileLayer(
            tiles=basemap.url, attr=basemap.attribution or " ", name="Hintergrundkarte"
        ).add_to(fmap)
    elif basemap is not None:
        folium.WmsTileLayer(
            url=basemap.url,
            layers=basemap.layers,
            attr=basemap.attribution or " ",
            name="Hintergrundkarte",
            fmt="image/png",
            transparent=False,
        ).add_to(fmap)
    if bounds is not None and all(np.isfinite(bounds)):
        minx, miny, maxx, maxy = bounds
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap


@dataclass(frozen=True)
class MapLayers:
    """What the Karte page shows; every frame optional (None: layer left out)."""

    areas: gpd.GeoDataFrame | None = None
    values: pd.Series | None = None
    spec: ChoroplethSpec | None = None
    funding_areas: gpd.GeoDataFrame | None = None
    programme_names: Mapping[str, str] = field(default_factory=dict)
    measures: gpd.GeoDataFrame | None = None
    colour_by: ColourBy = "status"
    buildings: gpd.GeoDataFrame | None = None
    #: Ids of areas whose value is suppressed (see :func:`choropleth_layer`).
    suppressed: frozenset[str] = frozenset()
    #: Activities of quarter management (see :func:`activity_layer`).
    activities: gpd.GeoDataFrame | None = None
    #: The stored level name of ``areas`` (tooltip heading, layer name).
    level: str = ""
    #: Area id -> note on its value (see :func:`choropleth_layer`).
    notes: Mapping[str, str] = field(default_factory=dict)


def monitoring_map(
    layers: MapLayers,
    *,
    basemap: Basemap | None = None,
    services: MapServices | None = None,
) -> folium.Map:
    """Return the map of the Karte page: choropleth, funding areas, measures, buildings.

    ``services`` are the city's map services (backgrounds and overlays, see
    :func:`base_map`); without them the map shows ``basemap`` or no background.

    Area and funding-area frames are display geometry in WGS84 (see
    :func:`display_geometry`); measures and buildings may be in any CRS. Each feature
    carries ``kind`` and ``id`` so that a click can be resolved to a record.

    Examples
    --------
    >>> a = gpd.GeoDataFrame({"id": ["1"], "name": ["A"]},
    ...     geometry=[shapely.box(9, 51, 9.1, 51.1)], crs="EPSG:4326")
    >>> m = monitoring_map(MapLayers(areas=a, values=pd.Series({"1": 3.0}),
    ...     spec=ChoroplethSpec("Anteil", unit="%")))
    >>> html_text = m.get_root().render()
    >>> "qmon-legend" in html_text and "3,0 %" in html_text
    True
    """
    frames = [f for f in (layers.areas, layers.funding_areas) if f is not None and len(f)]
    bounds = None
    if frames:
        web = pd.concat([f.to_crs(WEB_CRS).geometry for f in frames])
        bounds = framing_bounds(gpd.GeoSeries(web.values, crs=WEB_CRS))
    fmap = base_map(bounds, basemap=basemap, services=services)
    legend: list[LegendSection] = []
    if layers.areas is not None and layers.spec is not None:
        values = layers.values if layers.values is not None else pd.Series(dtype="float64")
        layer, section = choropleth_layer(
            layers.areas,
            values,
            spec=layers.spec,
            suppressed=layers.suppressed,
            level=layers.level,
            notes=layers.notes,
        )
        layer.add_to(fmap)
        legend.append(section)
    if layers.funding_areas is not None and len(layers.funding_areas):
        layer, section = funding_area_layer(
            layers.funding_areas, programme_names=layers.programme_names
        )
        layer.add_to(fmap)
        legend.append(section)
    if layers.buildings is not None and len(layers.buildings):
        building_layer(layers.buildings).add_to(fmap)
        legend.append(LegendSection("Gebäude", (LegendEntry("#9e9e9e", "Wohngebäude"),)))
    if layers.measures is not None and len(layers.measures):
        points, section = measure_layer(
            layers.measures,
            colour_by=layers.colour_by,
            programme_names=layers.programme_names,
        )
        points.add_to(fmap)
        legend.append(section)
    if layers.activities is not None and len(layers.activities):
        dots, section = activity_layer(layers.activities)
        dots.add_to(fmap)
        legend.append(section)
    if legend:
        Legend(legend).add_to(fmap)
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    return fmap


def preview_map(
    frame: gpd.GeoDataFrame,
    *,
    columns: Sequence[str],
    limit: int = 2000,
    basemap: Basemap | None = None,
) -> folium.Map:
    """Return a map of (the first ``limit``) features of a file about to be imported.

    Text of the given columns is shown, escaped, in the tooltip; points are circle
    markers, lines and polygons outlines.

    Raises
    ------
    WebMapError
        When the frame has no CRS (the import needs one as well).

    Examples
    --------
    >>> f = gpd.GeoDataFrame({"name": ["<b>A</b>"]}, geometry=[shapely.Point(500000, 5700000)],
    ...                      crs="EPSG:25832")
    >>> page = preview_map(f, columns=["name"]).get_root().render()
    >>> "lt;b" in page, "<b>A</b>" in page  # escaped; folium writes & as \\u0026
    (True, False)
    """
    if frame.crs is None:
        raise WebMapError(code="webmap.preview_no_crs")
    shown = frame.iloc[:limit]
    shown = shown[shown.geometry.notna() & ~shown.geometry.is_empty]
    labels = [str(c) for c in columns][:4]
    text = shown[list(columns)[:4]].astype(str)
    text.columns = labels
    web = web_frame(gpd.GeoDataFrame(text, geometry=shown.geometry, crs=frame.crs), columns=labels)
    bounds = tuple(float(v) for v in web.total_bounds) if len(web) else None
    fmap = base_map(bounds, basemap=basemap)  # type: ignore[arg-type]
    if len(web):
        folium.GeoJson(
            _geojson(web),
            name="Vorschau",
            style_function=lambda _: {"color": "#0072B2", "weight": 2, "fillOpacity": 0.2},
            marker=folium.CircleMarker(radius=5, fill=True, fill_opacity=0.9, color="#0072B2"),
            tooltip=_tooltip(labels, labels) if labels else None,
        ).add_to(fmap)
    return fmap
