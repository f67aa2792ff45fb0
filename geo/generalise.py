"""View-dependent generalisation: geometry as light as the view can show.

A web map of Germany is about 900 km wide on about 800 screen pixels: one pixel is
about a kilometre on the ground, and a vertex closer than that to the line through its
neighbours cannot be seen. :func:`pixel_size` gives the ground size of a pixel for a
view's extent and the map's pixel width; :func:`view_tolerance` rounds it to a step of
a power-of-two ladder (so nearby views share a cache entry); :func:`coordinate_decimals`
the WGS84 decimals that pixel size needs; :func:`generalise` simplifies a layer at that
tolerance as a coverage (shared edges once, no gaps, :func:`geo.webmap.display_geometry`)
and rounds the coordinates to those decimals.
"""

from __future__ import annotations

import math

import geopandas as gpd

from geo.errors import WebMapError
from geo.webmap import ZOOM_RESERVE, coordinate_decimals, display_geometry, framed_zoom

#: The finest tolerance a view gets (a municipality on a wide screen): the 10 m of the
#: Karte's display geometry.
MIN_TOLERANCE_M = 10.0


def pixel_size(bounds: tuple[float, float, float, float], *, width_px: int) -> float:
    """Return the ground size of one screen pixel (metres) for a view of ``bounds``.

    The view fits the larger of width and height into ``width_px`` pixels (a map is about
    as high as it is wide on the pages).

    Parameters
    ----------
    bounds
        ``minx, miny, maxx, maxy`` of the view in a projected CRS (metres).
    width_px
        Width of the map in screen pixels.

    Raises
    ------
    WebMapError
        When ``width_px`` is not positive.

    Examples
    --------
    >>> round(pixel_size((280_000, 5_235_000, 920_000, 6_100_000), width_px=900))
    961
    """
    if width_px <= 0:
        raise WebMapError(code="webmap.width", value=width_px)
    minx, miny, maxx, maxy = bounds
    return max(maxx - minx, maxy - miny, 1.0) / width_px


def view_tolerance(bounds: tuple[float, float, float, float], *, width_px: int) -> float:
    """Return the simplification tolerance (metres) of a view: a pixel, on a 2ⁿ ladder.

    Rounded to the nearest power of two metres (at least :data:`MIN_TOLERANCE_M`), so views
    of nearly the same size share their generalised geometry.

    Examples
    --------
    >>> view_tolerance((0, 0, 900_000, 900_000), width_px=900)
    1024.0
    >>> view_tolerance((0, 0, 50_000, 40_000), width_px=900)
    64.0
    >>> view_tolerance((0, 0, 2_000, 2_000), width_px=900)
    10.0
    """
    pixel = pixel_size(bounds, width_px=width_px)
    return max(MIN_TOLERANCE_M, float(2 ** round(math.log2(max(pixel, 1.0)))))


def framed_tolerance(
    bounds: tuple[float, float, float, float],
    *,
    size_px: tuple[int, int],
    reserve: int = ZOOM_RESERVE,
) -> float:
    """Return the tolerance (metres) for a map that frames WGS84 ``bounds``, zoom-proof.

    One pixel ``reserve`` zoom levels in from the zoom Leaflet frames the bounds at in a
    map of ``size_px`` (:func:`geo.webmap.framed_zoom`), rounded down to the power-of-two
    ladder of :func:`view_tolerance` (nearby views share their generalised geometry),
    at least :data:`MIN_TOLERANCE_M`. Zooming in ``reserve`` times still shows no
    corners; further in, a selection (Land, Kreis) sends its own finer geometry.

    Examples
    --------
    >>> framed_tolerance((5.87, 47.27, 15.04, 55.06), size_px=(900, 620))  # Germany
    256.0
    """
    _, pixel = framed_zoom(bounds, size_px=size_px)
    step = pixel / 2**reserve
    return max(MIN_TOLERANCE_M, float(2 ** math.floor(math.log2(max(step, 1.0)))))


def generalise(frame: gpd.GeoDataFrame, *, tolerance: float) -> gpd.GeoDataFrame:
    """Return ``frame`` in WGS84 simplified at ``tolerance`` metres, coordinates quantised.

    A layer of polygons that tile the plane is simplified as a coverage (each shared edge
    once, so neighbours keep touching); its coordinates are rounded vertex by vertex to
    :func:`coordinate_decimals` places, which keeps shared edges identical.

    Parameters
    ----------
    frame
        Polygons in a projected CRS (metres).
    tolerance
        From :func:`view_tolerance`.

    Raises
    ------
    WebMapError
        When the frame has no projected CRS.

    Examples
    --------
    >>> import shapely
    >>> left = shapely.Polygon([(0, 0), (500, 60), (1000, 0), (1000, 1000), (0, 1000)])
    >>> right = shapely.Polygon([(1000, 0), (2000, 0), (2000, 1000), (1000, 1000)])
    >>> f = gpd.GeoDataFrame(geometry=[left, right], crs="EPSG:25832")
    >>> out = generalise(f, tolerance=200.0)
    >>> bool(shapely.coverage_is_valid(out.geometry.values)), out.crs.to_epsg()
    (True, 4326)
    >>> int(shapely.get_num_coordinates(out.geometry.values).sum())
    10
    """
    return display_geometry(frame, tolerance=tolerance, decimals=coordinate_decimals(tolerance))


__all__ = [
    "MIN_TOLERANCE_M",
    "coordinate_decimals",
    "framed_tolerance",
    "generalise",
    "pixel_size",
    "view_tolerance",
]
