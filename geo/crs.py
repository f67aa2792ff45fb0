"""CRS policy: one storage CRS per installation, WGS84 for the web map.

The storage CRS is a setting (``QMON_CRS``, default EPSG:25832, ETRS89 / UTM 32N);
Berlin and the east use EPSG:25833. It is fixed when a store is created and recorded
in the store, so data is reprojected at the edges (import, web map) only.
"""

from __future__ import annotations

import os

from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from geo.errors import CRSError

DEFAULT_STORAGE_CRS = "EPSG:25832"
WEB_CRS = "EPSG:4326"


def parse_crs(value: str | int | CRS, *, what: str = "Das Bezugssystem") -> CRS:
    """Return the CRS named by ``value``, or raise a CRSError that says how to write one.

    Examples
    --------
    >>> parse_crs("EPSG:25833").to_epsg()
    25833
    >>> parse_crs(25832).to_epsg()
    25832
    """
    if isinstance(value, CRS):
        return value
    try:
        return CRS.from_user_input(value)
    except PyprojCRSError as exc:
        raise CRSError(code="crs.unknown", what=what, value=value) from exc


def storage_crs_setting(environ: dict[str, str] | None = None) -> CRS:
    """Return the storage CRS configured for new stores (``QMON_CRS``).

    Examples
    --------
    >>> storage_crs_setting({}).to_epsg()
    25832
    >>> storage_crs_setting({"QMON_CRS": "EPSG:25833"}).to_epsg()
    25833
    """
    env = os.environ if environ is None else environ
    crs = parse_crs(env.get("QMON_CRS", DEFAULT_STORAGE_CRS), what="QMON_CRS")
    if not crs.is_projected:
        raise CRSError(code="crs.geographic_storage", value=crs.to_string())
    return crs
