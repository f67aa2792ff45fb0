"""The city's map services for the pages' maps: read once per file version, cached.

``QMON_MAP_SERVICES`` names the TOML file of the services (:mod:`geo.mapservices`),
``QMON_BASEMAP`` (and ``QMON_BASEMAP_ATTRIBUTION``) one more background. A file that
cannot be used is reported on the page and the map is drawn without its services,
as before: the map never depends on them.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from geo.errors import WebMapError
from geo.mapservices import (
    NO_SERVICES,
    MapServices,
    basemap_service,
    load_map_services,
    with_basemap,
)
from geo.webmap import parse_basemap


@st.cache_data(show_spinner=False, max_entries=8)
def _services(path: str, version: float, basemap: str, attribution: str) -> MapServices:
    """The services of the file at ``path`` (``version``: its mtime) with the basemap."""
    services = load_map_services(path) if path else NO_SERVICES
    chosen = parse_basemap(basemap, attribution=attribution)
    if chosen is None:
        return services
    return with_basemap(
        services, basemap_service(chosen.kind, chosen.url, chosen.attribution, chosen.layers)
    )


def configured() -> MapServices:
    """Return the configured map services; on a faulty file warn and use the basemap only.

    Raises
    ------
    WebMapError
        When ``QMON_BASEMAP`` itself is not valid (as before the services existed).
    """
    path = os.environ.get("QMON_MAP_SERVICES", "").strip()
    basemap = os.environ.get("QMON_BASEMAP", "")
    attribution = os.environ.get("QMON_BASEMAP_ATTRIBUTION", "")
    try:
        version = Path(path).stat().st_mtime if path else 0.0
    except OSError:
        version = -1.0  # missing: load_map_services says so
    try:
        return _services(path, version, basemap, attribution)
    except WebMapError as exc:
        if not path:
            raise
        st.warning(f"Die Kartendienste werden nicht angezeigt: {exc}")
        return _services("", 0.0, basemap, attribution)
