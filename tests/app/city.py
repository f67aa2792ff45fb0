"""A small hand-made city for the app tests: 3 x 3 planning areas, two funding areas,
measures (one titled with an HTML injection), counts for the social index over three
years, a few buildings, actors, a fund and activities.

Small on purpose: AppTest and the browser tests build it fresh, in a second.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.store import open_store
from monitoring.defaults import seed_defaults

CRS = "EPSG:25832"
X0, Y0, CELL = 500_000.0, 5_700_000.0, 1_000.0
XSS_TITLE = "<img src=x onerror=alert(1)>"
AREA_IDS = [f"PR-{i}{j}" for j in range(3) for i in range(3)]


def _cell(i: int, j: int) -> shapely.Polygon:
    return shapely.box(X0 + i * CELL, Y0 + j * CELL, X0 + (i + 1) * CELL, Y0 + (j + 1) * CELL)


def build_city(url: str) -> None:
    """Create the store at ``url`` and fill it with the small city."""
    store = open_store(url)
    store.init(crs=CRS)
    seed_defaults(store, user="test")
    rng = np.random.default_rng(7)
    areas = gpd.GeoDataFrame(
        {
            "id": AREA_IDS,
            "level": "Planungsraum",
            "vintage": "2020",
            "name": [f"Quartier {k}" for k in range(1, 10)],
            "parent_id": None,
        },
        geometry=[_cell(i, j) for j in range(3) for i in range(3)],
        crs=CRS,
    )
    areas.loc[4, "name"] = "Mitte <b>fett</b>"
    funding = gpd.GeoDataFrame(
        {
            "id": ["SSZ-01", "WNE-01"],
            "name": ["Soziale Mitte", "Nordstadt"],
            "programme_id": ["sozialer_zusammenhalt", "wachstum_nachhaltige_erneuerung"],
            "start_year": [2015, 2019],
            "funding_status": ["laufend", "laufend"],
        },
        geometry=[
            shapely.box(X0 + 800, Y0 + 800, X0 + 2200, Y0 + 2200),
            shapely.box(X0 + 200, Y0 + 2100, X0 + 2900, Y0 + 2900),
        ],
        crs=CRS,
    )
    statuses = ["geplant", "bewilligt", "in Umsetzung", "abgeschlossen", "abgerechnet"]
    n = 24
    measures = gpd.GeoDataFrame(
        {
            "id": [f"M-{k:03d}" for k in range(n)],
            "funding_area_id": ["SSZ-01" if k % 3 else "WNE-01" for k in range(n)],
            "title": [XSS_TITLE] + [f"Maßnahme {k}" for k in range(1, n)],
            "description": ["Beschreibung <script>alert(2)</script>"] + [None] * (n - 1),
            "status": [statuses[k % 5] for k in range(n)],
            "start_date": pd.to_datetime([f"{2016 + k % 8}-03-01" for k in range(n)]),
            "end_date": pd.to_datetime([f"{2018 + k % 8}-10-31" for k in range(n)]),
            "cost_estimate": [100_000.0 + 5_000 * k for k in range(n)],
            "cost_actual": [None] * n,
        },
        geometry=[
            shapely.Point(X0 + 1000 + 40 * k, Y0 + 1000 + 35 * (k % 7))
            if k % 3
            else shapely.Point(X0 + 400 + 90 * k, Y0 + 2500)
            for k in range(n)
        ],
        crs=CRS,
    )
    fields = pd.DataFrame(
        {
            "measure_id": measures["id"],
            "field_id": [
                "ss_wohnen_wohnumfeld" if k % 2 else "ss_schule_bildung" for k in range(n)
            ],
        }
    )
    periods = pd.to_datetime(["2018-12-31", "2020-12-31", "2022-12-31"])
    rows = []
    for a, area in enumerate(AREA_IDS):
        residents = 2000 + 300 * a if area != "PR-22" else 150  # one area under 300
        for t, period in enumerate(periods):
            u15 = int(residents * 0.15)
            working = int(residents * 0.65)
            unemployed = int(working * (0.03 + 0.01 * a + 0.002 * t * (a % 3)))
            sgb2 = int(residents * (0.05 + 0.015 * a + 0.003 * t * (a % 4)) + rng.integers(0, 10))
            children = int(u15 * (0.1 + 0.03 * a + 0.01 * t * (a % 2)))
            for key, value in (
                ("residents", residents),
                ("residents_u15", u15),
                ("residents_15_64", working),
                ("unemployed", unemployed),
                ("sgb2_recipients", sgb2),
                ("sgb2_children_u15", children),
                ("dwellings", residents // 2),
                ("vacant_dwellings", int(residents // 2 * 0.03 * (1 + a % 4))),
            ):
                rows.append((area, key, period, float(value)))
    values = pd.DataFrame(rows, columns=["area_id", "indicator", "period", "value"])
    values["level"] = "Planungsraum"
    values["vintage"] = "2020"
    values["edition"] = "test"
    buildings = gpd.GeoDataFrame(
        {
            "id": [f"B-{k}" for k in range(12)],
            "dwellings": [6 + k for k in range(12)],
            "vacant_dwellings": [k % 3 for k in range(12)],
            "year_built": [1900 + 10 * k for k in range(12)],
            "owner_type": ["Genossenschaft"] * 11 + ["<i>privat</i>"],
        },
        geometry=[
            shapely.box(
                X0 + 1100 + 60 * (k % 4),
                Y0 + 1100 + 60 * (k // 4),
                X0 + 1140 + 60 * (k % 4),
                Y0 + 1140 + 60 * (k // 4),
            )
            for k in range(12)
        ],
        crs=CRS,
    )
    actors = pd.DataFrame(
        {
            "id": ["A-1", "A-2", "A-3"],
            "funding_area_id": "SSZ-01",
            "name": ["Nachbarschaftsverein", "Grundschule Mitte", "Erika Muster"],
            "type": ["Verein", "Schule", "Bewohnerin"],
            "is_person": [False, False, True],
            "contact_name": ["Hans Kontakt", "Frau Rektorin", "Erika Muster"],
            "email": ["verein@example.org", "schule@example.org", "erika@example.org"],
        }
    )
    bodies = pd.DataFrame(
        {
            "id": ["G-1"],
            "funding_area_id": "SSZ-01",
            "name": ["Quartiersrat"],
            "kind": "Quartiersrat",
        }
    )
    projects = pd.DataFrame(
        {
            "id": ["P-1", "P-2"],
            "funding_area_id": "SSZ-01",
            "title": ["Hoffest", "Lesepaten"],
            "status": ["laufend", "bewilligt"],
            "amount": [1500.0, 8000.0],
        }
    )
    participation = pd.DataFrame(
        {
            "actor_id": ["A-1", "A-2", "A-1", "A-3"],
            "target_kind": ["project", "project", "body", "body"],
            "target_id": ["P-1", "P-1", "G-1", "G-1"],
            "role": ["Träger", "Partner", "Mitglied", "Mitglied"],
        }
    )
    funds = pd.DataFrame(
        {
            "id": ["F-1"],
            "funding_area_id": "SSZ-01",
            "kind": "Aktionsfonds",
            "year": [2022],
            "name": ["Aktionsfonds 2022"],
        }
    )
    income = pd.DataFrame(
        {
            "id": ["E-1", "E-2"],
            "fund_id": "F-1",
            "source": ["Städtebauförderung", "privat"],
            "amount": [5000.0, 5000.0],
            "received": pd.to_datetime(["2022-02-01", "2022-03-01"]),
        }
    )
    decisions = pd.DataFrame(
        {
            "id": ["D-1"],
            "fund_id": "F-1",
            "body_id": "G-1",
            "title": ["Hoffest"],
            "amount": [1500.0],
            "investive": [False],
            "project_id": ["P-1"],
            "financed_from": ["privat"],
            "decided": pd.to_datetime(["2022-05-02"]),
        }
    )
    activities = gpd.GeoDataFrame(
        {
            "id": ["AK-1"],
            "funding_area_id": "SSZ-01",
            "kind": ["Fest"],
            "title": ["Hoffest"],
            "date": pd.to_datetime(["2022-06-18"]),
            "place": ["Hof"],
            "participants": [120],
        },
        geometry=[shapely.Point(X0 + 1500, Y0 + 1500)],
        crs=CRS,
    )
    with store.transaction(user="test") as tx:
        tx.write("areas", areas)
        tx.write("funding_areas", funding)
        tx.write("measures", measures)
        tx.write("measure_fields", fields)
        tx.write("indicator_values", values)
        tx.write("buildings", buildings)
        tx.write("actors", actors)
        tx.write("bodies", bodies)
        tx.write("projects", projects)
        tx.write("participation", participation)
        tx.write("local_funds", funds)
        tx.write("fund_income", income)
        tx.write("fund_decisions", decisions)
        tx.write("activities", activities)
    store.close()
