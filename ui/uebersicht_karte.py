"""Abschnitt „Karte“ der Länderübersicht: die bundesweite Karte, leicht in jeder Ansicht.

The page „Länderübersicht“ (ui/uebersicht*.py) calls :func:`render_overview_map` with its
filters and the reporting status; the map is composed by
:func:`monitoring.maps.national.national_map` (generalised for the view, cached per
change token) and drawn with st_folium without sending events back.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import german
from monitoring.auth import User
from monitoring.maps.national import national_map
from ui import assets, data
from ui.common import guarded, static_url

MAP_WIDTH_PX = 900
VIEW_LABELS = {
    "Bund": "Bund",
    "Land": "Land",
    "Kreis": "Kreis",
    "Gemeinde": "Gemeinde",
}


def render_overview_map(
    url: str,
    user: User,
    *,
    status: pd.DataFrame | None,
    land: str | None,
    kreis: str | None,
    ags: str | None,
    programme: str | None,
) -> None:
    """Draw the national map of the selection (Bund, Land, Kreis or Gemeinde)."""
    with guarded():
        result = national_map(
            data.store(url),
            user,
            land=land,
            kreis=kreis,
            ags=ags,
            programme=programme,
            status=status,
            width_px=MAP_WIDTH_PX,
        )
        view = result.view
        shown = (
            f"{german.number(result.points)} Gesamtmaßnahmen als Punkte"
            if result.points or view.level in ("Bund", "Land")
            else f"{german.number(result.polygons)} Gesamtmaßnahmen als Flächen"
        )
        st.caption(
            f"Ansicht {VIEW_LABELS[view.level]} · {shown} · Grenzen vereinfacht auf "
            f"{german.number(view.tolerance)} m (ein Bildpunkt) · "
            f"{german.number(result.payload_bytes / 1e6, decimals=1)} MB"
        )
        st_folium(
            assets.localize(result.map, base_url=static_url()),
            key="uebersicht_karte",
            height=620,
            use_container_width=True,
            returned_objects=[],
        )


__all__ = ["render_overview_map"]
