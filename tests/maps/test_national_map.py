"""The national map: light at national view, tolerance by view, no gaps, points vs polygons."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import folium
import pandas as pd
import pytest
import shapely

from data.national import build_national
from geo.generalise import coordinate_decimals, generalise, pixel_size, view_tolerance
from geo.store import open_store
from geo.store.base import Store
from geo.webmap import display_geometry
from monitoring.auth import User
from monitoring.errors import PermissionDenied, RuleViolation
from monitoring.maps import national
from tests.conftest import PG_DSN

ADMIN = User("bund", "admin")
READER = User("leser", "viewer")
LAND = "01"  # Schleswig-Holstein: 1,108 municipalities in 15 Kreise
N_FUNDING = 300


@pytest.fixture(scope="module", params=["gpkg", "postgis"])
def sh_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, real_data: Path
) -> Iterator[Store]:
    """Schleswig-Holstein with 300 Gesamtmaßnahmen, in both stores (read-only in tests)."""
    if request.param == "gpkg":
        url = str(tmp_path_factory.mktemp("national") / "sh.gpkg")
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        url = f"{PG_DSN}?schema={schema}"
    store = open_store(url)
    store.init(crs="EPSG:25832")
    build_national(
        store,
        ADMIN,
        municipalities=LAND,
        n_funding_areas=N_FUNDING,
        source=real_data / "germany_vg5000_2021",
    )
    yield store
    store.close()
    if request.param == "postgis":
        import psycopg
        from psycopg import sql

        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
            if conn.execute("SELECT to_regclass('public.layer_styles')").fetchone() != (None,):
                conn.execute("DELETE FROM public.layer_styles WHERE f_table_schema = %s", (schema,))


def _status(store: Store) -> pd.DataFrame:
    fa = store.read("funding_areas", columns=["id", "ags"])
    labels = ["gemeldet", "fehlt", "verspätet"]
    return pd.DataFrame(
        {
            "ags": fa["ags"],
            "funding_area_id": fa["id"],
            "status": [labels[i % 3] for i in range(len(fa))],
        }
    )


def _today(store: Store) -> int:
    """Bytes of today's approach: display geometry at 10 m of all municipalities and
    Gesamtmaßnahmen as polygons, drawn as folium GeoJSON."""
    gem = store.read("areas", where={"level": "Gemeinde"}, columns=["id", "name"])
    fa = store.read("funding_areas", columns=["id", "name", "programme_id"])
    fmap = folium.Map(tiles=None)
    folium.GeoJson(display_geometry(gem).to_geo_dict()).add_to(fmap)
    folium.GeoJson(display_geometry(fa).to_geo_dict()).add_to(fmap)
    return len(fmap.get_root().render().encode())


def test_payload_at_national_view_is_far_below_todays(sh_store: Store) -> None:
    ours = national.national_map(sh_store, READER, status=_status(sh_store))
    assert ours.view.level == "Bund"
    assert ours.payload_bytes < 0.1 * _today(sh_store)


def test_tolerance_grows_with_the_extent(sh_store: Store) -> None:
    bund = national.national_view(sh_store)
    kreis = national.national_view(sh_store, kreis="01054")  # Nordfriesland
    gemeinde = national.national_view(sh_store, ags="01054056")  # Husum
    assert gemeinde.tolerance < kreis.tolerance <= bund.tolerance
    assert gemeinde.decimals >= kreis.decimals >= bund.decimals
    germany = (280_000.0, 5_235_000.0, 920_000.0, 6_100_000.0)
    a_kreis = (500_000.0, 6_000_000.0, 550_000.0, 6_040_000.0)
    assert pixel_size(germany, width_px=900) == pytest.approx(961, abs=1)
    assert view_tolerance(germany, width_px=900) > 10 * view_tolerance(a_kreis, width_px=900)
    assert view_tolerance(germany, width_px=1800) < view_tolerance(germany, width_px=900)
    assert coordinate_decimals(1000.0) < coordinate_decimals(30.0)


@pytest.mark.parametrize("selection", [{}, {"kreis": "01054"}, {"ags": "01054056"}])
def test_tolerance_holds_two_zoom_levels_in(sh_store: Store, selection: dict[str, str]) -> None:
    """Zooming in twice from the framed view shows no corners: tolerance ≤ a quarter pixel."""
    import geopandas as gpd

    from geo.webmap import framed_zoom

    view = national.national_view(sh_store, **selection)
    minx, miny, maxx, maxy = view.bounds
    corners = gpd.GeoSeries.from_xy([minx, maxx], [miny, maxy], crs=view.crs).to_crs(4326)
    _, pixel = framed_zoom(tuple(corners.total_bounds), size_px=(900, 620))
    assert view.tolerance <= max(10.0, pixel / 4)
    assert view.tolerance > pixel / 8 or view.tolerance == 10.0  # not finer than it needs


@pytest.mark.parametrize("tolerance", [64.0, 512.0, 2048.0])
def test_no_gaps_between_neighbours_after_simplification(sh_store: Store, tolerance: float) -> None:
    gem = sh_store.read("areas", where={"level": "Gemeinde"}, columns=["id"])
    assert shapely.coverage_is_valid(gem.geometry.values)
    out = generalise(gem, tolerance=tolerance)
    assert shapely.coverage_is_valid(out.geometry.values)
    before = shapely.get_num_coordinates(gem.geometry.values).sum()
    after = shapely.get_num_coordinates(out.geometry.values).sum()
    # VG5000 is drawn for 1:5 million: at 64 m there is nothing to drop yet
    assert after < before if tolerance >= 512 else after <= before


def test_points_at_national_view_polygons_at_kreis_view(sh_store: Store) -> None:
    status = _status(sh_store)
    bund = national.national_map(sh_store, READER, status=status)
    assert (bund.points, bund.polygons) == (N_FUNDING, 0)
    assert set(bund.backdrop) == {"Land", "Kreis"}
    html = bund.map.get_root().render()
    assert "circleMarker" in html and "L.canvas" in html
    land = national.national_map(sh_store, READER, land=LAND, status=status)
    assert land.points == N_FUNDING and land.view.level == "Land"
    kreis = national.national_map(sh_store, READER, kreis="01054", status=status)
    n_kreis = int(status["ags"].str.startswith("01054").sum())
    assert (kreis.points, kreis.polygons) == (0, n_kreis) and n_kreis > 0
    assert set(kreis.backdrop) == {"Gemeinde"} and kreis.backdrop["Gemeinde"] > 100
    one = national.national_map(sh_store, READER, ags="01054056", status=status)
    assert one.polygons == int((status["ags"] == "01054056").sum())
    only = national.national_map(sh_store, READER, programme="lebendige_zentren")
    fa = sh_store.read("funding_areas", columns=["id", "programme_id"])
    assert only.points == int((fa["programme_id"] == "lebendige_zentren").sum()) < N_FUNDING


def test_status_colours_and_legend_are_german(sh_store: Store) -> None:
    status = _status(sh_store)
    m = national.national_map(sh_store, READER, land=LAND, status=status)
    titles = [s.title for s in m.legend]
    assert titles == ["Gesamtmaßnahmen nach Programm", "Meldestand"]
    assert [e.label for e in m.legend[1].entries] == [
        "gemeldet",
        "verspätet",
        "fehlt",
        "ohne Meldestand",
    ]
    assert {e.label for e in m.legend[0].entries} <= {
        "Sozialer Zusammenhalt",
        "Wachstum und nachhaltige Erneuerung",
        "Lebendige Zentren",
    }
    html = m.map.get_root().render()
    for colour in national.STATUS_COLOURS.values():
        assert colour in html
    bad = status.assign(status="erledigt")
    with pytest.raises(RuleViolation, match="„erledigt“ in Zeile 1"):
        national.national_map(sh_store, READER, status=bad)
    with pytest.raises(RuleViolation, match="„99“"):
        national.national_map(sh_store, READER, land="99")


def test_a_second_call_takes_the_generalised_geometry_from_the_cache(sh_store: Store) -> None:
    national.clear_caches()
    national.national_map(sh_store, READER)
    first = national.cache_misses()
    again = national.national_map(sh_store, READER)
    assert first > 0 and national.cache_misses() == first
    assert again.payload_bytes > 0


def test_a_store_without_laender_is_named(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "stadt.gpkg"))
    store.init(crs="EPSG:25832")
    with pytest.raises(RuleViolation, match="enthält keine Gebiete"):
        national.national_map(store, READER)
    store.close()


def test_a_user_without_read_is_refused(sh_store: Store) -> None:
    class Nobody(User):
        def may(self, action: str) -> bool:
            return False

    with pytest.raises(PermissionDenied):
        national.national_map(sh_store, Nobody("x", "viewer"))
