"""Quarter management in the Soziale Stadt area of Musterstadt.

Actors of every type the field knows, the two bodies (Quartiersrat and
Aktionsfonds-Jury) with their members, resident projects in every status, a
Verfügungsfonds per year with income about half from Städtebauförderung and half
from local sources, the bodies' decisions (Städtebauförderung money only for
investive items), and activities with their partners. All names are fictional;
contact data is obviously fictional (``@example.org``, phone numbers starting with
0000, postcode 00000).

Codes used in the frames: ``participation.target_kind`` is ``'body'`` or
``'project'``; ``fund_decisions.financed_from`` is ``'Städtebauförderung'`` or
``'privat'``; ``proof_of_use`` is ``'geprüft'``, ``'eingereicht'`` or ``'ausstehend'``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from data.renewal import REFERENCE_DATE, SOCIAL_ID
from monitoring.neighbourhood import projects as project_rules

# the vocabularies are the domain's: one definition each, in monitoring
PROJECT_STATUSES = project_rules.STATUSES
INCOME_SOURCES: tuple[str, ...] = (
    "Städtebauförderung",
    "Gewerbe",
    "Eigentümer",
    "private Spenden",
    "kommunale Sondermittel",
)
FUND_YEARS: tuple[int, ...] = (2021, 2022, 2023, 2024, 2025)

# type -> name patterns ({p}: place, {s}: street, {n}: house number); is_person
_ACTORS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    (
        "Bewohnergruppe",
        (
            "Mieterbeirat {s}",
            "Nachbarschaftsinitiative {p}",
            "Elterncafé {p}",
            "Gemeinschaftsgarten {p}",
            "Seniorentreff {p}",
            "Mieterinitiative {s} {n}",
        ),
        False,
    ),
    (
        "Verein",
        (
            "Bürgerverein {p} e.V.",
            "SV {p} 1921 e.V.",
            "Kulturverein Brücke e.V.",
            "Förderverein Grundschule {p} e.V.",
            "Interkultureller Frauentreff e.V.",
            "Jugendhilfe {p} e.V.",
            "Stadtteiltafel {p} e.V.",
        ),
        False,
    ),
    (
        "Wohnungsunternehmen",
        (
            "Musterstädter Wohnungsgesellschaft mbH",
            "Wohnungsgenossenschaft {p} eG",
            "Rhein-Ruhr Wohnen GmbH",
        ),
        False,
    ),
    (
        "private Eigentümer",
        (
            "Eigentümergemeinschaft {s} {n}",
            "Privateigentümer {s} {n}",
            "Privateigentümerin {s} {n}",
        ),
        True,
    ),
    ("Gewerbe", ("Bäckerei {p}", "Apotheke {p}", "Werbegemeinschaft {p}", "Kiosk {s}"), False),
    ("Religionsgemeinschaft", ("Ev. Kirchengemeinde {p}", "Moscheegemeinde {p} e.V."), False),
    (
        "Schule/Bildung",
        ("Grundschule {p}", "Gesamtschule {p}", "Kita {p}", "Volkshochschule, Stadtteilbüro {p}"),
        False,
    ),
    ("Polizei", ("Polizei, Bezirksdienst {p}",), False),
    ("Politik", ("Bezirksvertretung {p}", "Bezirksbürgermeisterin {p}"), True),
    (
        "Verwaltung",
        (
            "Stadt Musterstadt, Amt für Stadterneuerung",
            "Stadt Musterstadt, Jugendamt",
            "Quartiersbüro {p}",
        ),
        False,
    ),
)
_FIRST = (
    "Anna",
    "Ben",
    "Clara",
    "Deniz",
    "Elif",
    "Finn",
    "Greta",
    "Hakan",
    "Ida",
    "Jonas",
    "Karin",
    "Lukas",
    "Mira",
    "Nils",
    "Olga",
    "Paul",
    "Rana",
    "Sven",
    "Tanja",
    "Yusuf",
)
_LAST = (
    "Beispiel",
    "Muster",
    "Probe",
    "Platzhalter",
    "Exempel",
    "Testfeld",
    "Vorlage",
    "Entwurf",
    "Skizze",
    "Modell",
)
_PROJECTS = (
    ("Nachbarschaftsfest {p}", "ss_integration"),
    ("Hausaufgabenhilfe im Stadtteilzentrum", "ss_schule_bildung"),
    ("Hochbeete für den Innenhof {s}", "ss_wohnen_wohnumfeld"),
    ("Sprachcafé für Eltern", "ss_integration"),
    ("Bewegungstreff {p}", "ss_gesundheit"),
    ("Offener Bücherschrank {p}", "ss_soziokultur"),
    ("Lastenrad für den Quartiersverein", "ss_oeffentlicher_raum"),
    ("Graffiti-Workshop Unterführung {s}", "ss_oeffentlicher_raum"),
    ("Bewerbungstraining für Jugendliche", "ss_beschaeftigung"),
    ("Repair-Café {p}", "ss_lokale_oekonomie"),
    ("Sitzbänke {p}", "ss_oeffentlicher_raum"),
    ("Mädchentreff-Ausstattung", "ss_soziokultur"),
    ("Stadtteilzeitung {p}", "ss_integration"),
    ("Spielgeräte Kita {p}", "ss_schule_bildung"),
    ("Seniorenfrühstück", "ss_integration"),
    ("Fahrradwerkstatt im Hof {s}", "ss_beschaeftigung"),
    ("Pflanzaktion Baumscheiben {s}", "ss_wohnen_wohnumfeld"),
    ("Kulturabend im Gemeindesaal", "ss_soziokultur"),
    ("Schachtreff {p}", "ss_integration"),
    ("Fußballturnier der Nachbarschaften", "ss_gesundheit"),
)
_INVESTIVE_WORDS = (
    "Hochbeete",
    "Bücherschrank",
    "Lastenrad",
    "Sitzbänke",
    "Spielgeräte",
    "Ausstattung",
    "Fahrradwerkstatt",
    "Pflanzaktion",
)
_ACTIVITIES = (
    ("Fest", "Stadtteilfest {p}"),
    ("Aufräumaktion", "Frühjahrsputz {p}"),
    ("Aufräumaktion", "Müllsammelaktion {s}"),
    ("Beteiligungsveranstaltung", "Planungswerkstatt {p}"),
    ("Workshop", "Zukunftswerkstatt Quartier"),
    ("Sprechstunde", "Mietersprechstunde im Quartiersbüro"),
    ("Stadtteilspaziergang", "Stadtteilspaziergang {p}"),
    ("Fest", "Interkulturelles Sommerfest"),
)


@dataclass(frozen=True)
class Neighbourhood:
    """The frames of quarter management, ready for the layers of the same names."""

    actors: pd.DataFrame
    bodies: pd.DataFrame
    projects: pd.DataFrame
    participation: pd.DataFrame
    local_funds: pd.DataFrame
    fund_income: pd.DataFrame
    fund_decisions: pd.DataFrame
    activities: pd.DataFrame
    activity_partners: pd.DataFrame
    applications: pd.DataFrame
    fund_payments: pd.DataFrame


def _fill(pattern: str, rng: np.random.Generator, places: list[str], streets: list[str]) -> str:
    """Fill a name pattern with a place, a street and a house number."""
    return pattern.format(
        p=str(rng.choice(places)), s=str(rng.choice(streets)), n=int(rng.integers(1, 120))
    )


def _date(rng: np.random.Generator, year: int) -> pd.Timestamp:
    """Draw a date in ``year``, not after the reference date."""
    day = dt.date(year, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365)))
    return pd.Timestamp(min(day, REFERENCE_DATE))


def make_neighbourhood(
    rng: np.random.Generator,
    area: BaseGeometry,
    *,
    places: list[str],
    streets: list[str],
    goals: pd.DataFrame,
    n_actors: int,
    crs: str,
) -> Neighbourhood:
    """Draw the quarter management of the Soziale Stadt area."""
    actors = _actors(rng, places, streets, n_actors)
    bodies = pd.DataFrame(
        {
            "id": ["GR-01", "GR-02"],
            "funding_area_id": [SOCIAL_ID, SOCIAL_ID],
            "name": [f"Quartiersrat {places[0]}", f"Aktionsfonds-Jury {places[0]}"],
            "kind": ["Quartiersrat", "Aktionsfonds-Jury"],
        }
    )
    participation = _members(rng, actors)
    funds = pd.DataFrame(
        {
            "id": [f"VF-{year}" for year in FUND_YEARS],
            "funding_area_id": SOCIAL_ID,
            "kind": "Verfügungsfonds",
            "year": pd.array(list(FUND_YEARS), dtype="Int64"),
            "name": [f"Verfügungsfonds {places[0]} {year}" for year in FUND_YEARS],
        }
    )
    income = _income(rng)
    projects, project_people = _projects(rng, actors, goals, places, streets)
    decisions = _decisions(rng, projects, income, actors)
    activities, partners = _activities(rng, area, actors, places, streets, crs)
    # drawn after everything else, without the generator: the draws above stay as they were
    actors = _with_consent(pd.concat([actors, _RESIDENT], ignore_index=True))
    decisions["outcome"] = "bewilligt"
    return Neighbourhood(
        actors=actors,
        bodies=bodies,
        projects=projects,
        participation=pd.concat([participation, project_people], ignore_index=True),
        local_funds=funds,
        fund_income=income,
        fund_decisions=decisions,
        activities=activities,
        activity_partners=partners,
        applications=_applications(projects),
        fund_payments=_payments(decisions),
    )


#: A single resident among the actors: a private person, kept with her consent.
_RESIDENT = pd.DataFrame(
    {
        "id": ["AK-900"],
        "funding_area_id": [SOCIAL_ID],
        "name": ["Erika Beispiel"],
        "type": ["Bewohner/in"],
        "is_person": [True],
        "contact_name": ["Erika Beispiel"],
        "email": ["erika.beispiel@example.org"],
        "phone": ["0000 424242"],
        "address": ["Schulstraße 1, 00000 Musterstadt"],
        "notes": [None],
    }
)


def _with_consent(actors: pd.DataFrame) -> pd.DataFrame:
    """Record the consent of every private person (their contact data needs it)."""
    out = actors.copy()
    out["is_person"] = out["is_person"].astype("boolean")
    person = out["is_person"].fillna(False).astype(bool)
    out["consent"] = pd.array([True if p else None for p in person], dtype="boolean")
    out["consent_date"] = [pd.Timestamp(2021, 1, 15) if p else pd.NaT for p in person]
    return out


def _applications(projects: pd.DataFrame) -> pd.DataFrame:
    """One application per project that asked for money: to its fund, or to a foundation.

    Funded projects applied to the fund that pays them; projects in 'Antrag' wait for
    the decision (deadline ahead); rejected ones were refused by a foundation.
    """
    status_of = {
        "Antrag": "eingereicht",
        "bewilligt": "bewilligt",
        "laufend": "bewilligt",
        "abgeschlossen": "bewilligt",
        "abgelehnt": "abgelehnt",
    }
    rows: list[dict[str, object]] = []
    for p in projects.to_dict("records"):
        status = status_of.get(str(p["status"]))
        if status is None:
            continue
        start = p["start_date"] if not pd.isna(p["start_date"]) else pd.Timestamp(REFERENCE_DATE)
        local = p["fund_id"] is not None and not pd.isna(p["fund_id"])
        submitted = pd.Timestamp(start) - pd.DateOffset(months=2)
        rows.append(
            {
                "id": f"AN-{len(rows) + 1:03d}",
                "project_id": p["id"],
                "source_kind": "lokaler Fonds" if local else "Stiftung",
                "source_name": None if local else "Bürgerstiftung Musterstadt",
                "fund_id": p["fund_id"] if local else None,
                "submitted": submitted,
                "deadline": submitted + pd.DateOffset(days=14),
                "requested": float(p["amount"]),
                "granted": float(p["amount"]) if status == "bewilligt" else None,
                "status": status,
            }
        )
    return pd.DataFrame(rows)


def _payments(decisions: pd.DataFrame) -> pd.DataFrame:
    """Payments of the decisions: paid in full a month after the decision (the last
    year's decisions from before the reference date only)."""
    rows: list[dict[str, object]] = []
    for d in decisions.to_dict("records"):
        paid = pd.Timestamp(d["decided"]) + pd.DateOffset(months=1)
        if paid > pd.Timestamp(REFERENCE_DATE):
            continue
        rows.append(
            {
                "id": f"FZ-{len(rows) + 1:03d}",
                "fund_id": d["fund_id"],
                "decision_id": d["id"],
                "paid": paid,
                "amount": float(d["amount"]),
            }
        )
    return pd.DataFrame(rows)


def _actors(
    rng: np.random.Generator, places: list[str], streets: list[str], n: int
) -> pd.DataFrame:
    """Draw ``n`` actors, every type at least once, with fictional contact data."""
    rows: list[dict[str, object]] = []
    names: set[str] = set()
    k = 0
    while len(rows) < n:
        kind, patterns, person_type = (
            _ACTORS[k % len(_ACTORS)]
            if k < len(_ACTORS)
            else _ACTORS[int(rng.choice(len(_ACTORS), p=_ACTOR_WEIGHTS))]
        )
        k += 1
        name = _fill(str(rng.choice(patterns)), rng, places, streets)
        if name in names:
            continue
        names.add(name)
        number = len(rows) + 1
        first, last = str(rng.choice(_FIRST)), str(rng.choice(_LAST))
        rows.append(
            {
                "id": f"AK-{number:03d}",
                "funding_area_id": SOCIAL_ID,
                "name": name,
                "type": kind,
                "is_person": person_type and ("eigentümer" in name.lower() or "meister" in name),
                "contact_name": f"{first} {last}",
                "email": f"{first.lower()}.{last.lower()}.{number}@example.org",
                "phone": f"0000 {int(rng.integers(100000, 999999))}",
                "address": f"{rng.choice(streets)} {int(rng.integers(1, 120))}, 00000 Musterstadt",
                "notes": None,
            }
        )
    frame = pd.DataFrame(rows)
    frame["is_person"] = frame["is_person"].astype("boolean")
    return frame


_ACTOR_WEIGHTS = np.array([0.22, 0.22, 0.06, 0.08, 0.12, 0.05, 0.12, 0.02, 0.04, 0.07])


def _members(rng: np.random.Generator, actors: pd.DataFrame) -> pd.DataFrame:
    """Seat actors in the Quartiersrat and the Aktionsfonds-Jury."""
    council = actors.sample(n=min(13, len(actors)), random_state=rng)
    residents = actors[actors["type"].isin(["Bewohnergruppe", "Verein"])]
    jury = residents.sample(n=min(6, len(residents)), random_state=rng)
    return pd.DataFrame(_seat(council, "GR-01", "Vorsitz") + _seat(jury, "GR-02", "Sprecherin"))


def _seat(members: pd.DataFrame, body: str, chair: str) -> list[dict[str, object]]:
    """Participation rows of ``members`` in ``body``; the first by id takes the chair."""
    return [
        {
            "actor_id": actor,
            "target_kind": "body",
            "target_id": body,
            "role": chair if k == 0 else "Mitglied",
        }
        for k, actor in enumerate(sorted(members["id"]))
    ]


def _projects(
    rng: np.random.Generator,
    actors: pd.DataFrame,
    goals: pd.DataFrame,
    places: list[str],
    streets: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw resident projects, every status at least twice, and who takes part."""
    current = goals[goals["concept_id"].str.endswith("2015")]
    applicants = actors[~actors["type"].isin(["Polizei", "Politik", "Verwaltung"])]["id"].tolist()
    rows, people = [], []
    for k, (pattern, field) in enumerate(_PROJECTS):
        status = PROJECT_STATUSES[k % len(PROJECT_STATUSES)]
        year = (
            int(rng.choice(FUND_YEARS[:-1]))
            if status in ("abgeschlossen",)
            else int(
                rng.choice(FUND_YEARS[-2:])
                if status in ("laufend", "bewilligt")
                else FUND_YEARS[-1]
            )
        )
        start = end = None
        if status not in ("Idee", "abgelehnt"):
            start = pd.Timestamp(dt.date(year, int(rng.integers(1, 7)), 1))
            end = start + pd.DateOffset(months=int(rng.integers(2, 10)))
            if status == "laufend":
                start = min(start, pd.Timestamp(REFERENCE_DATE) - pd.DateOffset(months=1))
                end = max(end, pd.Timestamp(REFERENCE_DATE) + pd.DateOffset(months=2))
            if status == "bewilligt":
                start = pd.Timestamp(REFERENCE_DATE) + pd.DateOffset(months=int(rng.integers(1, 4)))
                end = start + pd.DateOffset(months=int(rng.integers(2, 8)))
            if status == "Antrag":
                start = pd.Timestamp(REFERENCE_DATE) + pd.DateOffset(months=int(rng.integers(2, 6)))
                end = start + pd.DateOffset(months=int(rng.integers(2, 8)))
        funded = status in ("bewilligt", "laufend", "abgeschlossen")
        goal = current[current["field_id"] == field]["id"]
        pid = f"PJ-{k + 1:03d}"
        applicant = str(rng.choice(applicants))
        rows.append(
            {
                "id": pid,
                "funding_area_id": SOCIAL_ID,
                "title": _fill(pattern, rng, places, streets),
                "status": status,
                "fund_id": f"VF-{start.year if start is not None else year}" if funded else None,
                "amount": float(round(rng.uniform(300, 6_000), -1)),
                "field_id": field,
                "goal_id": goal.iloc[0] if len(goal) else None,
                "applicant_id": applicant,
                "start_date": start,
                "end_date": end,
            }
        )
        people.append(
            {"actor_id": applicant, "target_kind": "project", "target_id": pid, "role": "Träger"}
        )
        others = [
            a
            for a in rng.choice(applicants, size=int(rng.integers(0, 4)), replace=False)
            if a != applicant
        ]
        people += [
            {"actor_id": a, "target_kind": "project", "target_id": pid, "role": "Partner"}
            for a in others
        ]
    return pd.DataFrame(rows), pd.DataFrame(people)


def _income(rng: np.random.Generator) -> pd.DataFrame:
    """Fund income per year: about half Städtebauförderung, the rest from local sources."""
    rows: list[dict[str, object]] = []
    for year in FUND_YEARS:
        total = float(round(rng.uniform(20_000, 40_000), -2))
        public = float(round(total * rng.uniform(0.44, 0.5), -2))
        local = rng.dirichlet([3, 2, 1.5, 1])
        amounts = [public] + [float(round((total - public) * s, -2)) for s in local]
        for source, amount in zip(INCOME_SOURCES, amounts):
            rows.append(
                {
                    "id": f"FE-{len(rows) + 1:03d}",
                    "fund_id": f"VF-{year}",
                    "source": source,
                    "amount": amount,
                    "received": _date(rng, year),
                }
            )
    return pd.DataFrame(rows)


def _decisions(
    rng: np.random.Generator, projects: pd.DataFrame, income: pd.DataFrame, actors: pd.DataFrame
) -> pd.DataFrame:
    """Decisions of the bodies on the funds, within each fund's income per money type."""
    rows: list[dict[str, object]] = []
    for fund_key, money in income.groupby("fund_id"):
        fund_id = str(fund_key)
        year = int(fund_id.split("-")[1])
        budget = {
            "Städtebauförderung": float(
                money.loc[money["source"] == "Städtebauförderung", "amount"].sum()
            ),
            "privat": float(money.loc[money["source"] != "Städtebauförderung", "amount"].sum()),
        }
        mine = projects[projects["fund_id"] == fund_id]
        items: list[tuple[str | None, str, float, str]] = list(
            zip(
                mine["id"].tolist(),
                mine["title"].tolist(),
                mine["amount"].tolist(),
                mine["applicant_id"].tolist(),
            )
        )
        for _ in range(int(rng.integers(5, 9))):
            items.append(
                (
                    None,
                    str(
                        rng.choice(
                            [
                                "Material Nachbarschaftsfest",
                                "Pflanzgut",
                                "Spielgeräte Innenhof",
                                "Druckkosten Flyer",
                                "Werkzeug Repair-Café",
                                "Honorar Workshop",
                            ]
                        )
                    ),
                    float(round(rng.uniform(200, 2_500), -1)),
                    str(rng.choice(actors["id"])),
                )
            )
        for project_id, title, amount, applicant in items:
            investive = any(
                w in title for w in _INVESTIVE_WORDS + ("Pflanzgut", "Spielgeräte", "Werkzeug")
            )
            source = "Städtebauförderung" if investive else "privat"
            if budget[source] < amount:
                source = "privat" if budget["privat"] >= amount else source
                if budget[source] < amount:
                    continue
            budget[source] -= amount
            proof = "geprüft" if year <= 2023 else ("eingereicht" if year == 2024 else "ausstehend")
            rows.append(
                {
                    "id": f"FD-{len(rows) + 1:03d}",
                    "fund_id": fund_id,
                    "body_id": "GR-01" if amount > 1_500 else "GR-02",
                    "decided": _date(rng, year),
                    "applicant_id": applicant,
                    "project_id": project_id,
                    "title": title,
                    "amount": amount,
                    "investive": investive,
                    "financed_from": source,
                    "proof_of_use": proof,
                }
            )
    frame = pd.DataFrame(rows)
    frame["investive"] = frame["investive"].astype("boolean")
    return frame


def _activities(
    rng: np.random.Generator,
    area: BaseGeometry,
    actors: pd.DataFrame,
    places: list[str],
    streets: list[str],
    crs: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw activities (points in the area) from 2019 to the reference date, with partners."""
    import geopandas as gpd

    minx, miny, maxx, maxy = area.bounds
    rows: list[dict[str, object]] = []
    partners: list[dict[str, str]] = []
    points: list[shapely.Point] = []
    n = int(rng.integers(35, 50))
    while len(rows) < n:
        x, y = rng.uniform([minx, miny], [maxx, maxy])
        if not area.contains(shapely.Point(x, y)):
            continue
        kind, pattern = _ACTIVITIES[int(rng.integers(len(_ACTIVITIES)))]
        aid = f"AT-{len(rows) + 1:03d}"
        place = str(rng.choice(places))
        rows.append(
            {
                "id": aid,
                "funding_area_id": SOCIAL_ID,
                "kind": kind,
                "title": _fill(pattern, rng, [place], streets),
                "date": _date(rng, int(rng.integers(2019, REFERENCE_DATE.year + 1))),
                "place": f"{place}, {rng.choice(streets)}",
                "participants": int(
                    rng.integers(8, 25) if kind == "Sprechstunde" else rng.integers(15, 400)
                ),
            }
        )
        points.append(shapely.Point(round(x, 2), round(y, 2)))
        for actor in rng.choice(actors["id"], size=int(rng.integers(1, 4)), replace=False):
            partners.append({"activity_id": aid, "actor_id": str(actor)})
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=points, crs=crs)
    frame["participants"] = frame["participants"].astype("Int64")
    return frame, pd.DataFrame(partners)
