"""Urban renewal in Musterstadt: funding areas, ISEKs, goals, targets, measures, funding.

Two Gesamtmaßnahmen: a Soziale Stadt area (since 2001, now Sozialer Zusammenhalt)
around the post-war estates, and a Stadtumbau West area (since 2005, now Wachstum
und nachhaltige Erneuerung) on the old industrial side. Each is the union of a few
adjacent planning areas. Measures are drawn from templates per field of action,
placed inside their area, and given dates, a status consistent with the demo's
reference date, milestones, outputs and funding lines (Bund, Land and Gemeinde a
third each of the public share; Dritte and other programmes on top).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from data.townscape import GRID, Townscape
from monitoring.renewal import funding as funding_rules
from monitoring.renewal import measures as measure_rules

REFERENCE_DATE = dt.date(2025, 6, 30)
"""The demo's "today": statuses, paid amounts and milestones are as of this date."""

AGS = "05999000"  # fictional: NRW (05) has no Regierungsbezirk 9; no real municipality
SOCIAL_ID = "SSZ-01"
RENEWAL_ID = "WNE-01"
STATUSES = measure_rules.STATUSES  # the domain's vocabularies, defined once in monitoring
SOURCES = funding_rules.SOURCES
_PUBLIC = ("Bund", "Land", "Gemeinde")
UNITS: dict[str, str] = {
    "gruenflaeche_m2": "m²",
    "platzflaeche_m2": "m²",
    "spielflaeche_m2": "m²",
    "strassenlaenge_m": "m",
    "wohnungen_modernisiert": "WE",
    "wohnungen_rueckgebaut": "WE",
    "plaetze_einrichtung": "Plätze",
}


@dataclass(frozen=True)
class _Template:
    title: str  # with {place}, {street}
    kind: str  # point, line, polygon
    fields: tuple[str, ...]
    output: str | None
    cost: tuple[float, float]  # € range
    years: int  # typical duration


_SOCIAL_TEMPLATES = (
    _Template(
        "Umgestaltung Quartiersplatz {place}",
        "polygon",
        ("ss_oeffentlicher_raum",),
        "platzflaeche_m2",
        (300e3, 1.5e6),
        2,
    ),
    _Template(
        "Grünzug {place}",
        "polygon",
        ("ss_oeffentlicher_raum", "ss_wohnen_wohnumfeld"),
        "gruenflaeche_m2",
        (400e3, 2e6),
        3,
    ),
    _Template(
        "Spielplatz {place}",
        "polygon",
        ("ss_oeffentlicher_raum",),
        "spielflaeche_m2",
        (80e3, 400e3),
        1,
    ),
    _Template(
        "Verkehrsberuhigung {street}",
        "line",
        ("ss_oeffentlicher_raum", "ss_wohnen_wohnumfeld"),
        "strassenlaenge_m",
        (250e3, 1.2e6),
        2,
    ),
    _Template(
        "Wohnumfeld Innenhöfe {street}",
        "polygon",
        ("ss_wohnen_wohnumfeld",),
        "gruenflaeche_m2",
        (150e3, 800e3),
        2,
    ),
    _Template(
        "Modernisierung Wohnanlage {street}",
        "point",
        ("ss_wohnen_wohnumfeld",),
        "wohnungen_modernisiert",
        (1e6, 4e6),
        2,
    ),
    _Template(
        "Stadtteilzentrum {place}",
        "point",
        ("ss_soziokultur", "ss_integration"),
        "plaetze_einrichtung",
        (1.5e6, 5e6),
        3,
    ),
    _Template(
        "Familienzentrum Grundschule {place}",
        "point",
        ("ss_schule_bildung", "ss_integration"),
        "plaetze_einrichtung",
        (600e3, 2.5e6),
        2,
    ),
    _Template(
        "Erweiterung Kita {place}",
        "point",
        ("ss_schule_bildung",),
        "plaetze_einrichtung",
        (800e3, 2.5e6),
        2,
    ),
    _Template(
        "Jugendtreff {place}",
        "point",
        ("ss_soziokultur",),
        "plaetze_einrichtung",
        (300e3, 1.2e6),
        2,
    ),
    _Template(
        "Beleuchtung Fußwege {street}",
        "line",
        ("ss_oeffentlicher_raum",),
        "strassenlaenge_m",
        (60e3, 250e3),
        1,
    ),
    _Template(
        "Bewegungsparcours {place}",
        "polygon",
        ("ss_gesundheit", "ss_oeffentlicher_raum"),
        "spielflaeche_m2",
        (60e3, 200e3),
        1,
    ),
    _Template(
        "Ladenlokal-Aktivierung {street}", "point", ("ss_lokale_oekonomie",), None, (40e3, 150e3), 2
    ),
    _Template(
        "Beschäftigungsprojekt Grünpflege {place}",
        "point",
        ("ss_beschaeftigung",),
        None,
        (80e3, 300e3),
        3,
    ),
)

_RENEWAL_TEMPLATES = (
    _Template(
        "Rückbau Wohngebäude {street}",
        "point",
        ("su_rueckbau", "su_leerstand"),
        "wohnungen_rueckgebaut",
        (600e3, 2.5e6),
        1,
    ),
    _Template(
        "Modernisierung Altbau {street}",
        "point",
        ("su_aufwertung",),
        "wohnungen_modernisiert",
        (400e3, 2e6),
        2,
    ),
    _Template(
        "Hof- und Fassadenprogramm {street}",
        "point",
        ("su_aufwertung", "su_wohnumfeld"),
        None,
        (80e3, 300e3),
        2,
    ),
    _Template(
        "Zwischennutzung Brache {place}",
        "polygon",
        ("su_brachflaechen",),
        "gruenflaeche_m2",
        (150e3, 700e3),
        1,
    ),
    _Template(
        "Grünzug ehemalige Zechenbahn {place}",
        "polygon",
        ("su_brachflaechen", "su_wohnumfeld"),
        "gruenflaeche_m2",
        (700e3, 3e6),
        3,
    ),
    _Template(
        "Umbau Schule zum Familienzentrum {place}",
        "point",
        ("su_infrastruktur",),
        "plaetze_einrichtung",
        (1e6, 3.5e6),
        2,
    ),
    _Template(
        "Wohnumfeld {place}", "polygon", ("su_wohnumfeld",), "gruenflaeche_m2", (200e3, 900e3), 2
    ),
    _Template(
        "Straßenumbau {street}", "line", ("su_wohnumfeld",), "strassenlaenge_m", (400e3, 1.8e6), 2
    ),
    _Template("Leerstandsmanagement {place}", "point", ("su_leerstand",), None, (50e3, 200e3), 3),
)

# concept id -> (funding area, version label, adopted, valid from, valid to, goals)
# goal: (field id, title, gap) — a "gap" goal deliberately has no measure
_CONCEPTS: dict[
    str, tuple[str, str, dt.date, int, int | None, tuple[tuple[str, str, bool], ...]]
] = {
    f"ISEK-{SOCIAL_ID}-2001": (
        SOCIAL_ID,
        "2001",
        dt.date(2001, 11, 20),
        2001,
        2014,
        (
            ("ss_wohnen_wohnumfeld", "Wohnumfeld der Großsiedlung aufwerten", False),
            ("ss_oeffentlicher_raum", "Öffentliche Räume sicher und nutzbar gestalten", False),
            ("ss_soziokultur", "Ein Quartierszentrum als Treffpunkt schaffen", False),
            ("ss_schule_bildung", "Bildungschancen der Kinder verbessern", False),
            ("ss_integration", "Zusammenleben und Integration stärken", False),
            ("ss_beschaeftigung", "Arbeitslosigkeit im Quartier senken", True),
        ),
    ),
    f"ISEK-{SOCIAL_ID}-2015": (
        SOCIAL_ID,
        "2015 (Fortschreibung)",
        dt.date(2015, 6, 24),
        2015,
        None,
        (
            ("ss_wohnen_wohnumfeld", "Wohnungsbestand modernisieren, Leerstand abbauen", False),
            ("ss_oeffentlicher_raum", "Grün- und Freiflächen qualifizieren und vernetzen", False),
            ("ss_schule_bildung", "Bildungskette von der Kita bis zum Beruf stärken", False),
            ("ss_integration", "Nachbarschaft und Integration fördern", False),
            ("ss_gesundheit", "Gesundheit und Bewegung im Quartier fördern", False),
            ("ss_lokale_oekonomie", "Nahversorgung und lokale Ökonomie sichern", True),
            ("ss_beschaeftigung", "Zugang zu Arbeit und Ausbildung verbessern", False),
            ("ss_soziokultur", "Treffpunkte und Quartierszentrum dauerhaft sichern", True),
        ),
    ),
    f"ISEK-{RENEWAL_ID}-2005": (
        RENEWAL_ID,
        "2005",
        dt.date(2005, 9, 14),
        2005,
        None,
        (
            ("su_rueckbau", "Nicht mehr marktfähige Wohnungen zurückbauen", False),
            ("su_leerstand", "Wohnungsleerstand auf ein marktübliches Maß senken", False),
            ("su_aufwertung", "Erhaltenswerte Altbauten aufwerten", False),
            ("su_wohnumfeld", "Wohnumfeld und Straßenräume verbessern", False),
            ("su_brachflaechen", "Industriebrachen wieder nutzbar machen", False),
            ("su_infrastruktur", "Soziale Infrastruktur an die Nachfrage anpassen", False),
            ("su_rueckbau", "Rückgebaute Flächen dauerhaft begrünen", True),
        ),
    ),
}

# goal (concept, field) -> targets: (indicator, direction, factor on the baseline)
_TARGETS: dict[tuple[str, str], tuple[tuple[str, str, float], ...]] = {
    (f"ISEK-{SOCIAL_ID}-2015", "ss_beschaeftigung"): (
        ("unemployed", "decrease", 0.8),
        ("sgb2_recipients", "decrease", 0.85),
    ),
    (f"ISEK-{SOCIAL_ID}-2015", "ss_schule_bildung"): (("sgb2_children_u15", "decrease", 0.8),),
    (f"ISEK-{SOCIAL_ID}-2015", "ss_wohnen_wohnumfeld"): (("vacant_dwellings", "decrease", 0.75),),
    (f"ISEK-{SOCIAL_ID}-2015", "ss_integration"): (("residents_u15", "increase", 1.05),),
    (f"ISEK-{RENEWAL_ID}-2005", "su_leerstand"): (("vacant_dwellings", "decrease", 0.5),),
    (f"ISEK-{RENEWAL_ID}-2005", "su_rueckbau"): (("dwellings", "decrease", 0.93),),
    (f"ISEK-{RENEWAL_ID}-2005", "su_aufwertung"): (("residents_u15", "increase", 1.05),),
}
_TARGET_BASELINE = {f"ISEK-{SOCIAL_ID}-2015": 2014, f"ISEK-{RENEWAL_ID}-2005": 2010}
_TARGET_YEAR = {f"ISEK-{SOCIAL_ID}-2015": 2026, f"ISEK-{RENEWAL_ID}-2005": 2025}

# programme in force per area and year: (first year, programme id)
_PROGRAMME_HISTORY: dict[str, tuple[tuple[int, str], ...]] = {
    SOCIAL_ID: ((1999, "soziale_stadt"), (2020, "sozialer_zusammenhalt")),
    RENEWAL_ID: (
        (2004, "stadtumbau_west"),
        (2017, "stadtumbau"),
        (2020, "wachstum_nachhaltige_erneuerung"),
    ),
}


def programme_in(area_id: str, year: int) -> str:
    """Return the programme an area was funded from in ``year``."""
    current = _PROGRAMME_HISTORY[area_id][0][1]
    for first, programme in _PROGRAMME_HISTORY[area_id]:
        if year >= first:
            current = programme
    return current


@dataclass(frozen=True)
class Renewal:
    """The frames of the measures, ready for the layers of the same names."""

    measures: pd.DataFrame
    measure_fields: pd.DataFrame
    measure_goals: pd.DataFrame
    milestones: pd.DataFrame
    measure_outputs: pd.DataFrame
    funding_lines: pd.DataFrame
    demolitions: pd.DataFrame  # area (cell index), year, dwellings: for the statistics


def funding_area_names(town: Townscape) -> dict[str, str]:
    """Name both funding areas after their largest planning areas."""

    def name(cells: list[int]) -> str:
        big = sorted(cells, key=lambda i: -float(shapely.area(town.cells[i])))[:2]
        return " / ".join(town.cell_names[i] for i in big)

    return {SOCIAL_ID: name(town.social_area), RENEWAL_ID: name(town.renewal_area)}


def make_funding_areas(town: Townscape, crs: str) -> pd.DataFrame:
    """Return the two Gesamtmaßnahmen as a GeoDataFrame (unions of planning areas)."""
    import geopandas as gpd

    names = funding_area_names(town)
    frame = pd.DataFrame(
        {
            "id": [SOCIAL_ID, RENEWAL_ID],
            "name": [
                f"{names[SOCIAL_ID]} (Sozialer Zusammenhalt)",
                f"{names[RENEWAL_ID]} (Wachstum und nachhaltige Erneuerung)",
            ],
            "ags": [AGS, AGS],
            "programme_id": ["sozialer_zusammenhalt", "wachstum_nachhaltige_erneuerung"],
            "start_year": pd.array([2001, 2005], dtype="Int64"),
            "expected_end": pd.array([2030, 2028], dtype="Int64"),
            "funding_status": ["laufend", "laufend"],
            "legal_designation": [
                "Soziale-Stadt-Gebiet (§171e BauGB)",
                "Stadtumbaugebiet (§171b BauGB)",
            ],
            "fund_public_share_max": [0.5, 0.5],
        }
    )
    geoms = [
        shapely.union_all(town.cells[town.social_area], grid_size=GRID),
        shapely.union_all(town.cells[town.renewal_area], grid_size=GRID),
    ]
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=crs)


def make_concepts() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the development concepts and their goals."""
    concepts, goals = [], []
    for cid, (area, label, adopted, start, end, goal_list) in _CONCEPTS.items():
        concepts.append(
            {
                "id": cid,
                "funding_area_id": area,
                "kind": "ISEK",
                "version_label": label,
                "title": f"Integriertes städtebauliches Entwicklungskonzept {area} ({label})",
                "adopted": pd.Timestamp(adopted),
                "valid_from_year": start,
                "valid_to_year": end,
            }
        )
        for k, (field, title, _gap) in enumerate(goal_list, start=1):
            goals.append(
                {
                    "id": f"{cid}-Z{k:02d}",
                    "concept_id": cid,
                    "field_id": field,
                    "title": title,
                    "description": f"Ziel {k} des ISEK {area} (Fassung {label}).",
                }
            )
    frame = pd.DataFrame(concepts)
    frame["valid_from_year"] = frame["valid_from_year"].astype("Int64")
    frame["valid_to_year"] = pd.array(
        [None if v is None or pd.isna(v) else int(v) for v in frame["valid_to_year"]], dtype="Int64"
    )
    return frame, pd.DataFrame(goals)


def _gap_goals() -> set[str]:
    """Ids of the goals that deliberately have no measure."""
    out = set()
    for cid, (*_, goal_list) in _CONCEPTS.items():
        for k, (_field, _title, gap) in enumerate(goal_list, start=1):
            if gap:
                out.add(f"{cid}-Z{k:02d}")
    return out


def make_targets(
    goals: pd.DataFrame, series: pd.DataFrame, area_cells: dict[str, list[str]]
) -> pd.DataFrame:
    """Return indicator targets whose baselines are the area's sums in the baseline year."""
    rows: list[dict[str, object]] = []
    first = goals.drop_duplicates(["concept_id", "field_id"])  # targets go to the first goal
    for goal_id, concept_id, field_id in zip(
        first["id"].tolist(), first["concept_id"].tolist(), first["field_id"].tolist()
    ):
        for indicator, direction, factor in _TARGETS.get((concept_id, field_id), ()):
            area = _CONCEPTS[concept_id][0]
            base_year = _TARGET_BASELINE[concept_id]
            period = pd.Timestamp(year=base_year, month=12, day=31)
            chosen = series[
                series["area_id"].isin(area_cells[area])
                & (series["indicator"] == indicator)
                & (series["period"] == period)
            ]
            baseline = float(chosen["value"].sum())
            rows.append(
                {
                    "id": f"{goal_id}-T{len([r for r in rows if r['goal_id'] == goal_id]) + 1}",
                    "goal_id": goal_id,
                    "indicator": indicator,
                    "baseline_period": period,
                    "baseline_value": baseline,
                    "target_period": pd.Timestamp(year=_TARGET_YEAR[concept_id], month=12, day=31),
                    "target_value": float(round(baseline * factor)),
                    "direction": direction,
                }
            )
    return pd.DataFrame(rows)


def _random_point(rng: np.random.Generator, area: BaseGeometry) -> np.ndarray:
    """Draw a point uniformly inside ``area``."""
    minx, miny, maxx, maxy = area.bounds
    while True:
        p = rng.uniform([minx, miny], [maxx, maxy], size=(64, 2))
        inside = shapely.contains_xy(area, p[:, 0], p[:, 1])
        if inside.any():
            return p[np.flatnonzero(inside)[0]]


def _geometry(rng: np.random.Generator, kind: str, area: BaseGeometry) -> BaseGeometry:
    """Draw a point, a street line or a square/park polygon inside ``area``."""
    inner = area.buffer(-15.0)
    for _ in range(200):
        p = _random_point(rng, inner)
        if kind == "point":
            return shapely.Point(np.round(p, 2))
        angle = rng.uniform(0, np.pi)
        axis = np.array([np.cos(angle), np.sin(angle)])
        if kind == "line":
            half = rng.uniform(100, 300)
            bend = np.array([-axis[1], axis[0]]) * rng.uniform(-30, 30)
            line = shapely.LineString(np.round([p - half * axis, p + bend, p + half * axis], 2))
            if area.contains(line):
                return line
            continue
        size = np.sqrt(rng.uniform(2_000, 25_000))
        ring = np.array([[-1, -0.6], [1, -0.6], [1, 0.6], [-1, 0.6]]) * size / 2
        ring *= rng.uniform(0.8, 1.2, (4, 2))
        c, s = axis
        poly = shapely.Polygon(np.round(ring @ np.array([[c, s], [-s, c]]) + p, 2))
        if area.contains(poly):
            return poly
    raise RuntimeError(f"no {kind} fits into the funding area")  # pragma: no cover


def _status(start: dt.date, end: dt.date, rng: np.random.Generator) -> str:
    """Return the status a measure with these dates has on the reference date."""
    today = REFERENCE_DATE
    if start > today:
        return "bewilligt" if (start - today).days < 540 and rng.uniform() < 0.7 else "geplant"
    if end > today:
        return "in Umsetzung"
    return "abgerechnet" if (today - end).days > 1_100 else "abgeschlossen"


def make_measures(
    rng: np.random.Generator,
    town: Townscape,
    funding_areas: pd.DataFrame,
    goals: pd.DataFrame,
    *,
    counts: dict[str, int],
    cell_ids: list[str],
) -> Renewal:
    """Draw the measures of both areas with fields, goals, milestones, outputs and funding."""
    streets = [
        h + t
        for h in (
            "Linden",
            "Eichen",
            "Kastanien",
            "Zechen",
            "Hütten",
            "Bergmann",
            "Schacht",
            "Kirch",
            "Schul",
            "Markt",
            "Amsel",
            "Falken",
            "Ahorn",
            "Birken",
            "Mühlen",
            "Garten",
        )
        for t in ("straße", "weg", "allee", "ring")
    ]
    gaps = _gap_goals()
    Rows = list[dict[str, object]]
    measures: Rows = []
    fields: Rows = []
    links: Rows = []
    miles: Rows = []
    outputs: Rows = []
    lines: Rows = []
    demolitions: Rows = []
    number = 0
    for area_id, templates, cells, since in (
        (SOCIAL_ID, _SOCIAL_TEMPLATES, town.social_area, 2001),
        (RENEWAL_ID, _RENEWAL_TEMPLATES, town.renewal_area, 2005),
    ):
        area_geom = funding_areas.set_index("id").geometry[area_id]
        places = [town.cell_names[i] for i in cells]
        no_goal = set(rng.choice(counts[area_id], size=1, replace=False).tolist())
        for k in range(counts[area_id]):
            number += 1
            mid = f"M-{number:04d}"
            tpl = (
                templates[k % len(templates)]
                if k < len(templates)
                else templates[int(rng.integers(len(templates)))]
            )
            title = tpl.title.format(place=str(rng.choice(places)), street=str(rng.choice(streets)))
            year = since + int((2028 - since) * rng.uniform() ** 0.55)  # more measures lately
            start = dt.date(year, int(rng.integers(1, 13)), 1)
            end = start + dt.timedelta(days=int(365 * tpl.years * rng.uniform(0.6, 1.4)))
            status = _status(start, end, rng)
            estimate = float(round(rng.uniform(*tpl.cost), -3))
            done = status in ("abgeschlossen", "abgerechnet")
            actual = float(round(estimate * rng.uniform(0.9, 1.15), -2)) if done else None
            geom = _geometry(rng, tpl.kind, area_geom)
            measures.append(
                {
                    "id": mid,
                    "funding_area_id": area_id,
                    "title": title,
                    "description": f"{title}: Maßnahme im Fördergebiet {area_id}.",
                    "status": status,
                    "start_date": pd.Timestamp(start),
                    "end_date": pd.Timestamp(end),
                    "cost_estimate": estimate,
                    "cost_actual": actual,
                    "geometry": geom,
                }
            )
            fields += [{"measure_id": mid, "field_id": f} for f in tpl.fields]
            concept = _concept_for(area_id, start.year)
            if k not in no_goal:
                links += [
                    {"measure_id": mid, "goal_id": g}
                    for g in _served_goals(goals, concept, tpl.fields, gaps)
                ]
            miles += _milestones(rng, mid, start, end, status, len(miles))
            if tpl.output:
                planned, achieved = _output(rng, tpl.output, geom, estimate, status)
                outputs.append(
                    {
                        "measure_id": mid,
                        "quantity": tpl.output,
                        "unit": UNITS[tpl.output],
                        "planned": planned,
                        "actual": achieved,
                    }
                )
                if tpl.output == "wohnungen_rueckgebaut" and done and end.year <= 2024:
                    cell = next(i for i in cells if town.cells[i].covers(geom))
                    demolitions.append(
                        {"area": cell, "year": end.year, "dwellings": int(achieved or 0)}
                    )
            lines += _funding(rng, mid, area_id, start, end, status, estimate, actual, len(lines))
    import geopandas as gpd

    table = pd.DataFrame(measures)
    measure_frame = gpd.GeoDataFrame(
        table.drop(columns="geometry"), geometry=list(table["geometry"]), crs=funding_areas.crs
    )
    return Renewal(
        measures=measure_frame,
        measure_fields=pd.DataFrame(fields),
        measure_goals=pd.DataFrame(links, columns=["measure_id", "goal_id"]),
        milestones=pd.DataFrame(miles),
        measure_outputs=pd.DataFrame(outputs),
        funding_lines=pd.DataFrame(lines),
        demolitions=pd.DataFrame(demolitions, columns=["area", "year", "dwellings"]),
    )


def _served_goals(
    goals: pd.DataFrame, concept: str, fields: tuple[str, ...], gaps: set[str]
) -> list[str]:
    """Goals of ``concept`` a measure serves: same field, else same federal category."""
    from monitoring.defaults import default_fields_of_action

    open_goals = goals[(goals["concept_id"] == concept) & ~goals["id"].isin(gaps)]
    same = open_goals[open_goals["field_id"].isin(fields)]
    if len(same):
        return list(same["id"])
    category = default_fields_of_action().set_index("id")["federal_category"]
    wanted = {category[f] for f in fields}
    near = open_goals[open_goals["field_id"].map(category).isin(wanted)]
    return list(near["id"][:1])


def _concept_for(area_id: str, year: int) -> str:
    """Return the id of the concept of an area that is valid in ``year``."""
    valid = [
        cid
        for cid, (area, _l, _a, start, end, _g) in _CONCEPTS.items()
        if area == area_id and start <= year and (end is None or year <= end)
    ]
    return valid[-1]


def _output(
    rng: np.random.Generator, quantity: str, geom: BaseGeometry, estimate: float, status: str
) -> tuple[float, float | None]:
    """Return planned and achieved output of a measure."""
    if quantity.endswith("_m2"):
        planned = float(round(geom.area if geom.area > 0 else rng.uniform(1_000, 8_000), -1))
    elif quantity == "strassenlaenge_m":
        planned = float(round(geom.length, -1))
    elif quantity == "wohnungen_rueckgebaut":
        planned = float(int(rng.integers(40, 160)))
    elif quantity == "wohnungen_modernisiert":
        planned = float(int(estimate / rng.uniform(25_000, 45_000)))
    else:
        planned = float(int(rng.integers(2, 9)) * 10)
    if status in ("abgeschlossen", "abgerechnet"):
        achieved: float | None = float(round(planned * rng.uniform(0.9, 1.0)))
    elif status == "in Umsetzung" and quantity != "wohnungen_rueckgebaut":
        achieved = float(round(planned * rng.uniform(0.1, 0.6)))
    else:
        achieved = None
    return planned, achieved


def _milestones(
    rng: np.random.Generator, mid: str, start: dt.date, end: dt.date, status: str, offset: int
) -> list[dict[str, object]]:
    """Return the milestones of one measure; those reached carry a done date."""
    steps = (
        ("Planung abgeschlossen", start - dt.timedelta(days=180), 0),
        ("Förderbescheid", start - dt.timedelta(days=60), 1),
        ("Baubeginn", start, 2),
        ("Fertigstellung", end, 3),
        ("Verwendungsnachweis geprüft", end + dt.timedelta(days=300), 4),
    )
    reached = {
        "geplant": 1,
        "bewilligt": 2,
        "in Umsetzung": 3,
        "abgeschlossen": 4,
        "abgerechnet": 5,
    }[status]
    out: list[dict[str, object]] = []
    for title, due, rank in steps:
        done = None
        if rank < reached:
            done = min(due + dt.timedelta(days=int(rng.integers(-20, 45))), REFERENCE_DATE)
        out.append(
            {
                "id": f"MS-{offset + len(out) + 1:05d}",
                "measure_id": mid,
                "title": title,
                "due_date": pd.Timestamp(due),
                "done_date": pd.Timestamp(done) if done else None,
            }
        )
    return out


def _funding(
    rng: np.random.Generator,
    mid: str,
    area_id: str,
    start: dt.date,
    end: dt.date,
    status: str,
    estimate: float,
    actual: float | None,
    offset: int,
) -> list[dict[str, object]]:
    """Return the funding lines of one measure per source and programme year."""
    years = list(range(start.year, end.year + 1))
    weights = rng.uniform(0.5, 1.5, len(years))
    weights /= weights.sum()
    third_party = rng.uniform(0.1, 0.4) if rng.uniform() < 0.3 else 0.0
    other = rng.uniform(0.05, 0.2) if rng.uniform() < 0.2 else 0.0
    public = 1.0 - third_party - other
    shares = {
        "Bund": public / 3,
        "Land": public / 3,
        "Gemeinde": public / 3,
        "Dritte": third_party,
        "andere Programme": other,
    }
    realised = min(1.0, (actual or estimate) / estimate)
    out: list[dict[str, object]] = []
    for year, weight in zip(years, weights):
        for source, share in shares.items():
            if share <= 0:
                continue
            planned = float(round(estimate * weight * share, -2))
            if status == "geplant":
                approved = 0.0
            elif status in ("bewilligt", "in Umsetzung"):
                approved = (
                    planned if (status == "bewilligt" or year <= REFERENCE_DATE.year) else 0.0
                )
            else:
                approved = float(round(planned * realised, -2))
            paid = 0.0
            if year < REFERENCE_DATE.year and status != "geplant":
                ratio = {
                    "bewilligt": 0.0,
                    "in Umsetzung": rng.uniform(0.5, 1.0),
                    "abgeschlossen": rng.uniform(0.9, 1.0),
                    "abgerechnet": 1.0,
                }[status]
                paid = float(round(approved * ratio, -2))
            out.append(
                {
                    "id": f"FL-{offset + len(out) + 1:06d}",
                    "measure_id": mid,
                    "source": source,
                    "programme_id": programme_in(area_id, year) if source in _PUBLIC else None,
                    "programme_year": year,
                    "planned": planned,
                    "approved": approved,
                    "paid": min(paid, approved),
                }
            )
    return out
