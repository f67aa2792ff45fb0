"""The overview map: every Gesamtmaßnahme filled by its reporting status, names escaped."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from geo.webmap import display_geometry
from monitoring.federal.overview_map import STATUS_COLOURS, overview_map, status_frame


def test_map_by_status_and_programme() -> None:
    x0, y0 = 360_000.0, 5_700_000.0
    register = gpd.GeoDataFrame(
        {
            "id": ["A", "B", "C"],
            "name": ["<script>alert(1)</script>", "Nord", "Süd"],
            "programme_id": ["sz", "lz", "sz"],
        },
        geometry=[shapely.box(x0 + 2000 * i, y0, x0 + 2000 * i + 900, y0 + 900) for i in range(3)],
        crs="EPSG:25832",
    )
    areas = pd.DataFrame({"Gesamtmaßnahme": ["A", "B"], "Status": ["gemeldet", "verspätet"]})
    display = display_geometry(register)
    assert status_frame(display, areas)["status"].tolist() == [
        "gemeldet",
        "verspätet",
        "nicht erwartet",
    ]
    page = overview_map(display, areas, programme_names={"sz": "Sozialer Zusammenhalt"})
    html = page.get_root().render()
    assert "<script>alert(1)</script>" not in html
    assert "Stand der Meldungen" in html and "Sozialer Zusammenhalt" in html
    for status in ("gemeldet", "verspätet", "nicht erwartet"):
        assert STATUS_COLOURS[status] in html
