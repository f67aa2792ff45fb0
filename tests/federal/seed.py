"""A seeded Land/Bund store for the overview: 6 Gesamtmaßnahmen in 3 municipalities of
2 Kreise and 2 Länder, packages written straight into ``collected_reports`` (the import
that fills it is another module's), one report filed in the store itself."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.store.base import Store
from monitoring.auth import User
from monitoring.reports.filing import file_report
from monitoring.reports.generate import build_report

CRS = "EPSG:25832"
YEAR = 2024
ADMIN = User("anna", "admin")
HOSTILE = '=HYPERLINK("http://böse.example","klick")'
SZ, LZ = "sozialer_zusammenhalt", "lebendige_zentren"
COUNT = "C.6.summe"  # Maßnahmen insgesamt (Anzahl)
GREEN = "C.4.gruenflaeche_m2.actual"  # Grünfläche erreicht (m²)
RATE = "D.2.unemployment_rate.area"  # a share in %: never summed

#: (id, name, ags, programme, start_year)
AREAS: list[tuple[str, str, str, str, int]] = [
    ("A1", "Köln Nord", "05315000", SZ, 2015),
    ("A2", HOSTILE, "05315000", LZ, 2016),
    ("A3", "Aachen Ost", "05334002", SZ, 2018),
    ("A4", "Aachen Mitte", "05334002", LZ, 2012),
    ("B1", "München West", "09162000", SZ, 2019),
    ("B2", "München Süd", "09162000", LZ, 2020),
    ("X9", "noch nicht aufgenommen", "09162000", SZ, 2026),
]
MUNICIPALITY = {"05315000": "Köln", "05334002": "Aachen", "09162000": "München"}


def seed_register(store: Store) -> None:
    store.declare_register()  # a Land's register: Gesamtmaßnahmen of several municipalities
    store.write(
        "programmes",
        pd.DataFrame({"id": [SZ, LZ], "name": ["Sozialer Zusammenhalt", "Lebendige Zentren"]}),
    )
    x0, y0 = 360_000.0, 5_700_000.0
    store.write(
        "funding_areas",
        gpd.GeoDataFrame(
            {
                "id": [a[0] for a in AREAS],
                "name": [a[1] for a in AREAS],
                "ags": [a[2] for a in AREAS],
                "programme_id": [a[3] for a in AREAS],
                "start_year": [a[4] for a in AREAS],
                "funding_status": ["laufend"] * len(AREAS),
            },
            geometry=[
                shapely.box(x0 + 2000 * i, y0, x0 + 2000 * i + 1000, y0 + 1000)
                for i in range(len(AREAS))
            ],
            crs=CRS,
        ),
    )
    store.write(
        "areas",
        gpd.GeoDataFrame(
            {
                "id": ["05315", "05334"],
                "level": ["Kreis", "Kreis"],
                "vintage": ["2024"] * 2,
                "name": ["Köln, Stadt", "Städteregion Aachen"],
            },
            geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 1, 2, 2)],
            crs=CRS,
        ),
    )


def set_value(report: dict[str, Any], field: str, value: float) -> None:
    """Set one figure of a report dict (and clear its reason)."""
    for part in report["parts"]:
        for section in part["sections"]:
            for row in section["rows"]:
                if row["field"] == field:
                    row["value"], row["reason"] = value, None
                    return
    raise KeyError(field)


def variant(
    base: dict[str, Any], area: str, ags: str, programme: str, year: int, **values: float
) -> dict[str, Any]:
    out = copy.deepcopy(base)
    out.update(area_id=area, ags=ags, programme=programme, year=year)
    for field, value in values.items():
        set_value(out, field.replace("__", "."), value)
    return out


def package(
    report: dict[str, Any], revision: int, superseded_by: str | None = None, name: str | None = None
) -> dict[str, Any]:
    ags, area, year = report["ags"], report["area_id"], report["year"]
    when = pd.Timestamp(dt.datetime(year + 1, 3, 1 + revision))
    return {
        "id": f"{ags}/{area}/{year}/{revision}",
        "ags": ags,
        "municipality": MUNICIPALITY.get(ags),
        "funding_area_id": area,
        "funding_area_name": name or area,
        "programme_id": report["programme"],
        "year": year,
        "revision": revision,
        "filed_at": when,
        "collected_at": when,
        "collected_by": "land",
        "fingerprint": report["fingerprint"],
        "catalogue_version": report["catalogue_version"],
        "seal": f"seal-{ags}-{area}-{year}-{revision}",
        "superseded_by": superseded_by,
        "payload": json.dumps({"bericht": report, "gemeinde": MUNICIPALITY.get(ags)}),
        "format_version": 1,
    }


def k(field: str) -> str:
    return field.replace(".", "__")


def seed_overview(store: Store) -> dict[str, Any]:
    """Seed the register, the packages and one own filed report; return the hand figures."""
    store.init(crs=CRS)
    seed_register(store)
    base = build_report(store, ADMIN, "A1", year=YEAR).to_dict()
    a1_first = variant(base, "A1", "05315000", SZ, YEAR, **{k(COUNT): 2.0, k(RATE): 10.0})
    a1 = variant(
        base, "A1", "05315000", SZ, YEAR, **{k(COUNT): 5.0, k(GREEN): 1000.5, k(RATE): 12.0}
    )
    a2 = variant(base, "A2", "05315000", LZ, YEAR, **{k(COUNT): 3.0, k(GREEN): 250.0})
    a4_before = variant(base, "A4", "05334002", LZ, YEAR - 1, **{k(COUNT): 4.0, k(GREEN): 100.0})
    a4 = variant(base, "A4", "05334002", LZ, YEAR, **{k(COUNT): 4.0, k(GREEN): 400.0})
    z9 = variant(base, "Z9", "09162000", SZ, YEAR, **{k(COUNT): 7.0})
    rows = [
        package(a1_first, 1, superseded_by="05315000/A1/2024/2", name="Köln Nord"),
        package(a1, 2, name="Köln Nord"),
        package(a2, 1, name=HOSTILE),
        package(a4_before, 1, name="Aachen Mitte"),
        package(a4, 1, name="Aachen Mitte"),
        package(z9, 1, name="unbekannt"),
    ]
    store.write("collected_reports", pd.DataFrame(rows))
    filed = file_report(store, ADMIN, "B1", year=YEAR)
    b1 = filed.report.values()
    b1_count = float(b1[COUNT] or 0)  # type: ignore[arg-type]
    return {"b1_count": b1_count, "b1_green": float(b1.get(GREEN) or 0)}  # type: ignore[arg-type]
