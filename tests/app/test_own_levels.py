"""A city's own areas on the pages: levels by their stored name, no value vs suppressed.

The store holds a city that is not Berlin: nine districts of the level "Stadtteil",
counts for two years, one district under 300 residents (suppressed), one whose count
the statistics office kept secret (no value, flag ``secret``) and one with a value of
limited reliability (flag ``limited``).
"""

from __future__ import annotations

import html
from collections.abc import Callable

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from geo.store import open_store
from geo.webmap import NO_DATA_COLOUR, NO_VALUE_TEXT, SUPPRESSED_FILL, SUPPRESSED_TEXT
from monitoring.defaults import seed_defaults
from tests.app.test_karte import _features, _legend, _map_script

CRS = "EPSG:25832"
X0, Y0, CELL = 560_000.0, 6_070_000.0, 1_000.0
IDS = [f"ST-{i}{j}" for j in range(3) for i in range(3)]
NAMES = [
    "Altstadt",
    "Jürgensby",
    "Fruerlund",
    "Mürwik",
    "Sandberg",
    "Weiche",
    "Südstadt",
    "Friesischer Berg",
    "Tarup",
]
SMALL, SECRET, LIMITED = "ST-22", "ST-02", "ST-10"
PERIODS = pd.to_datetime(["2022-12-31", "2023-12-31"])


def _cell(k: int) -> shapely.Polygon:
    i, j = k % 3, k // 3
    return shapely.box(X0 + i * CELL, Y0 + j * CELL, X0 + (i + 1) * CELL, Y0 + (j + 1) * CELL)


def own_city(url: str, *, counts: bool = True) -> None:
    """Create the store at ``url`` with the Stadtteile (``counts`` False: only a share)."""
    store = open_store(url)
    store.init(crs=CRS)
    seed_defaults(store, user="test")
    districts = gpd.GeoDataFrame(
        {"id": IDS, "level": "Stadtteil", "vintage": "2023", "name": NAMES, "parent_id": "B1"},
        geometry=[_cell(k) for k in range(9)],
        crs=CRS,
    )
    borough = gpd.GeoDataFrame(  # a level without values: never the default
        {"id": ["B1"], "level": "Bezirk", "vintage": "2023", "name": ["Nord"], "parent_id": None},
        geometry=[shapely.box(X0, Y0, X0 + 3 * CELL, Y0 + 3 * CELL)],
        crs=CRS,
    )
    areas = pd.concat([borough, districts], ignore_index=True)
    funding = gpd.GeoDataFrame(
        {
            "id": ["SZ-1", "SZ-2"],
            "name": ["Soziale Stadt Neustadt", "Hafenkante"],
            "programme_id": ["sozialer_zusammenhalt"] * 2,
            "start_year": [2020, 2021],
            "funding_status": ["laufend"] * 2,
        },
        geometry=[
            shapely.box(X0 + 500, Y0 + 500, X0 + 1500, Y0 + 1500),  # quarters of four districts
            shapely.box(X0 + 2200, Y0 + 2200, X0 + 2800, Y0 + 2800),  # inside the small one
        ],
        crs=CRS,
    )
    rows: list[tuple[str, str, pd.Timestamp, float | None, str | None]] = []
    for k, area in enumerate(IDS):
        residents = 150.0 if area == SMALL else 2000.0 + 250 * k
        for t, period in enumerate(PERIODS):
            working = round(residents * 0.65)
            unemployed: float | None = float(round(working * (0.04 + 0.01 * k + 0.002 * t)))
            flag = None
            if area == SECRET and t == 1:
                unemployed, flag = None, "secret"  # "." in the office's table
            elif area == LIMITED:
                flag = "limited"  # "(123)" in the office's table
            if counts:
                rows += [
                    (area, "residents", period, residents, None),
                    (area, "residents_15_64", period, float(working), None),
                    (area, "unemployed", period, unemployed, flag),
                ]
            else:
                share = None if unemployed is None else unemployed / working * 100
                rows += [(area, "unemployment_rate", period, share, flag)]
    values = pd.DataFrame(rows, columns=["area_id", "indicator", "period", "value", "flag"])
    values = values.assign(level="Stadtteil", vintage="2023", edition="Statistikamt")
    with store.transaction(user="test") as tx:
        tx.write("areas", areas)
        tx.write("funding_areas", funding)
        tx.write("indicator_values", values)
    store.close()


@pytest.fixture
def run_page(monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Return a function that runs one page of the app on the store at ``url``."""

    def run(url: str, page: str, **query: str) -> AppTest:
        monkeypatch.setenv("QMON_STORE", url)
        monkeypatch.setenv("QMON_LOCAL_ADMIN", "1")
        monkeypatch.delenv("QMON_BASEMAP", raising=False)
        at = AppTest.from_string(
            "import streamlit as st\nst.set_page_config(layout='wide')\n"
            f"from ui.pages import run\nrun(start={page!r})\n",
            default_timeout=60,
        )
        for name, value in query.items():
            at.query_params[name] = value
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        return at

    return run


def _page_text(at: AppTest) -> str:
    """Every text the page shows outside the map, and the map's script."""
    parts = [e.value for kind in ("markdown", "caption", "info", "warning") for e in at.get(kind)]
    parts += [str(m.label) + " " + str(m.value) for m in at.metric]
    parts += [str(s.label) for s in at.selectbox]
    return "\n".join(parts) + "\n" + _map_script(at)


def test_karte_speaks_of_stadtteile_and_keeps_no_value_apart_from_suppressed(
    store_url: str, run_page
) -> None:
    own_city(store_url)
    at = run_page(store_url, "karte", indikator="unemployment_rate", stichtag="2023-12-31")
    assert at.sidebar.selectbox[0].value == "Stadtteil"  # the level with values, by default
    script = _map_script(at)
    text = html.unescape(_page_text(at))
    assert "Planungsr" not in text
    assert '"Stadtteile"' in script  # the layer's name in the layer control
    assert '["Stadtteil", "Kennung", "Arbeitslosenanteil"]' in script  # tooltip headings
    areas = _features(script, "gebiet")
    assert set(areas) == set(IDS)
    # suppressed: hatched, "unterdrückt"; no value: white, "keine Angabe" with the reason
    assert areas[SMALL]["unterdrueckt"] and areas[SMALL]["wert"] == SUPPRESSED_TEXT
    assert areas[SMALL]["farbe"] == SUPPRESSED_FILL
    assert not areas[SECRET]["unterdrueckt"] and areas[SECRET]["farbe"] == NO_DATA_COLOUR
    assert html.unescape(areas[SECRET]["wert"]) == (
        f"{NO_VALUE_TEXT}: unbekannt oder geheim gehalten (.)"
    )
    assert areas[SMALL]["farbe"] != areas[SECRET]["farbe"]
    # a value of limited reliability keeps its value and says so
    assert html.unescape(areas[LIMITED]["wert"]).endswith(" % (eingeschränkt aussagefähig ( ))")
    legend = _legend(script)
    assert legend[-2:] == [NO_VALUE_TEXT, "unterdrückt (weniger als 300 Einwohner)"]


def test_karte_details_of_a_secret_value_name_the_reason(own_gpkg: str, run_page) -> None:
    at = run_page(own_gpkg, "karte", indikator="unemployment_rate", auswahl=f"gebiet:{SECRET}")
    metric = next(m for m in at.metric if m.label == "Arbeitslosenanteil")
    assert metric.value == NO_VALUE_TEXT
    assert any("unbekannt oder geheim gehalten" in c.value for c in at.caption)
    assert any(f"Stadtteil {SECRET}" in m.value.replace("\\", "") for m in at.markdown)
    at = run_page(own_gpkg, "karte", indikator="unemployment_rate", auswahl=f"gebiet:{SMALL}")
    metric = next(m for m in at.metric if m.label == "Arbeitslosenanteil")
    assert metric.value == SUPPRESSED_TEXT


def test_indikatoren_table_shows_reasons_apart_from_suppression(own_gpkg: str, run_page) -> None:
    at = run_page(
        own_gpkg, "indikatoren", indikator="unemployment_rate", gebiete=[SECRET, SMALL, LIMITED]
    )
    wide = at.dataframe[0].value
    by_name = dict(zip(NAMES, IDS))
    secret = wide[next(n for n in wide.columns if by_name[n] == SECRET)].tolist()
    small = wide[next(n for n in wide.columns if by_name[n] == SMALL)].tolist()
    limited = wide[next(n for n in wide.columns if by_name[n] == LIMITED)].tolist()
    assert secret[1] == f"{NO_VALUE_TEXT}: unbekannt oder geheim gehalten (.)"
    assert secret[0].endswith("\xa0%")  # geo.german: a no-break space before the unit
    assert small == [SUPPRESSED_TEXT, SUPPRESSED_TEXT]
    assert all(v.endswith("(eingeschränkt aussagefähig ( ))") for v in limited)
    assert "Planungsr" not in html.unescape(_map_script(at))


def test_foerdergebiet_compares_on_a_stored_indicator_from_the_stadtteile(
    own_gpkg: str, run_page
) -> None:
    at = run_page(own_gpkg, "foerdergebiet", gebiet="SZ-1")
    assert at.selectbox(key="foerdergebiet.indikator").value == "unemployment_rate"
    captions = [c.value for c in at.caption]
    assert any("aus den Stadtteilen flächengewichtet geschätzt" in c for c in captions), captions
    assert not any("Planungsr" in c for c in captions)
    table = next(df.value for df in at.dataframe if "übrige Stadt" in df.value.columns)
    assert list(table.index) == ["31.12.2022", "31.12.2023"]
    # 2023: the secret count of one district leaves the rest of the city and the city
    # without a value; the funding area does not overlap that district
    assert table.loc["31.12.2023", "übrige Stadt"] == "keine Angabe (ohne Wert: 1 Stadtteil)"
    assert table.loc["31.12.2023", "Stadt insgesamt"] == "keine Angabe (ohne Wert: 1 Stadtteil)"
    assert table.loc["31.12.2023", "Fördergebiet"].endswith(" %")
    assert all(v.endswith(" %") for v in table.loc["31.12.2022"])


def test_foerdergebiet_in_a_small_district_is_suppressed_not_missing(
    own_gpkg: str, run_page
) -> None:
    at = run_page(own_gpkg, "foerdergebiet", gebiet="SZ-2", indikator="unemployed")
    table = next(df.value for df in at.dataframe if "übrige Stadt" in df.value.columns)
    hidden = "unterdrückt (weniger als 300 Einwohner)"
    assert table["Fördergebiet"].tolist() == [hidden, hidden]
    assert table.loc["31.12.2022", "Stadt insgesamt"] != hidden
    at = run_page(own_gpkg, "foerdergebiet", gebiet="SZ-2", indikator="residents")
    table = next(df.value for df in at.dataframe if "übrige Stadt" in df.value.columns)
    assert table["Fördergebiet"].tolist() == ["54 Personen"] * 2  # the count stays visible


def test_foerdergebiet_says_when_no_indicator_can_be_compared(tmp_path, run_page) -> None:
    url = str(tmp_path / "anteile.gpkg")
    own_city(url, counts=False)  # only a published share, no counts to carry
    at = run_page(url, "foerdergebiet", gebiet="SZ-1")
    assert any("kein Indikator verfügbar" in i.value for i in at.info)
    assert not at.warning


@pytest.fixture
def own_gpkg(tmp_path) -> str:
    url = str(tmp_path / "stadt.gpkg")
    own_city(url)
    return url


def test_karte_of_published_shares_without_resident_counts_says_so(tmp_path, run_page) -> None:
    url = str(tmp_path / "anteile.gpkg")
    own_city(url, counts=False)  # the office's shares only: no resident counts to judge by
    at = run_page(url, "karte", indikator="unemployment_rate", stichtag="2023-12-31")
    assert any("keine Einwohnerzahlen gespeichert" in c.value for c in at.caption)
    assert any("Für die Stadtteile" in c.value for c in at.caption)
    areas = _features(_map_script(at), "gebiet")
    assert not any(p["unterdrueckt"] for p in areas.values())
    assert html.unescape(areas[SECRET]["wert"]).startswith(f"{NO_VALUE_TEXT}: unbekannt")
    assert areas[SMALL]["wert"].endswith(" %")  # shown as published
    at = run_page(url, "indikatoren", indikator="unemployment_rate")
    assert any("keine Einwohnerzahlen gespeichert" in c.value for c in at.caption)
