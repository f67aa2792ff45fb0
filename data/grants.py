"""The grant procedure of the demo city: cost groups, revenues, notices, drawdowns.

Everything is derived deterministically from the measures and funding lines of
:mod:`data.renewal`: a measure's cost group from its title, a notice's amounts from the
approved Bund/Land/Gemeinde money of its measures in its programme year (so the
statement of use adds up), drawdowns from that grant.

Only the deadlines of the notices still open depend on ``today`` (default
:data:`data.renewal.REFERENCE_DATE`, so builds stay deterministic): one statement of use
falls due about three weeks after ``today`` and money of one notice lapses about six
weeks after ``today``. ``qmon demo`` passes the real date.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from data.renewal import AGS, REFERENCE_DATE, RENEWAL_ID, SOCIAL_ID

# title prefix of a demo measure -> key of monitoring/grants/catalogues/default.toml
COST_GROUP_BY_TITLE: tuple[tuple[str, str], ...] = (
    ("Umgestaltung Quartiersplatz", "oeffentlicher_raum"),
    ("Grünzug", "oeffentlicher_raum"),
    ("Spielplatz", "oeffentlicher_raum"),
    ("Verkehrsberuhigung", "oeffentlicher_raum"),
    ("Wohnumfeld", "oeffentlicher_raum"),
    ("Beleuchtung Fußwege", "oeffentlicher_raum"),
    ("Bewegungsparcours", "oeffentlicher_raum"),
    ("Modernisierung", "bau"),
    ("Hof- und Fassadenprogramm", "bau"),
    ("Stadtteilzentrum", "bau"),
    ("Familienzentrum", "bau"),
    ("Erweiterung Kita", "bau"),
    ("Jugendtreff", "bau"),
    ("Umbau Schule", "bau"),
    ("Rückbau", "ordnung"),
    ("Zwischennutzung Brache", "ordnung"),
    ("Straßenumbau", "ordnung"),
    ("Leerstandsmanagement", "verguetung"),
    ("Ladenlokal-Aktivierung", "sonstiges"),
    ("Beschäftigungsprojekt", "sonstiges"),
)

# programme years that get a notice, per area (a year without approved money is skipped)
NOTICE_YEARS: Mapping[str, tuple[int, ...]] = {
    SOCIAL_ID: (2019, 2021, 2023, 2024, 2025),
    RENEWAL_ID: (2018, 2020, 2022, 2024, 2025),
}
FILE_PREFIX: Mapping[str, str] = {SOCIAL_ID: "34.1", RENEWAL_ID: "34.2"}
PROOF_DUE_IN = 21  # days after ``today``: the statement of use of one notice falls due
LAPSE_IN = 42  # days after ``today``: undrawn money of one notice lapses


def cost_group_of(title: str) -> str:
    """Return the cost group of a demo measure, from its title.

    Examples
    --------
    >>> cost_group_of("Rückbau Wohngebäude Lindenweg"), cost_group_of("Jugendtreff Nord")
    ('ordnung', 'bau')
    """
    for prefix, key in COST_GROUP_BY_TITLE:
        if title.startswith(prefix):
            return key
    raise ValueError(f"Die Demomaßnahme „{title}“ hat keine Kostengruppe in COST_GROUP_BY_TITLE")


def with_cost_groups(measures: pd.DataFrame) -> pd.DataFrame:
    """Return the measures with their ``cost_group``."""
    out = measures.copy()
    out["cost_group"] = [cost_group_of(str(t)) for t in out["title"]]
    return out


# title prefix -> cost group of the lines of the measure's first programme year, when the
# measure runs over more than one year: the land is bought, the building planned first
FIRST_YEAR_GROUP: tuple[tuple[str, str], ...] = (
    ("Grünzug ehemalige Zechenbahn", "grunderwerb"),
    ("Stadtteilzentrum", "vorbereitung"),
    ("Umbau Schule", "vorbereitung"),
)


def with_line_cost_groups(measures: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Return the funding lines with ``cost_group`` set where it differs from the measure's.

    The first programme year of a land purchase or a building's planning counts under
    Grunderwerb or Vorbereitung (:data:`FIRST_YEAR_GROUP`); every other line keeps
    ``None`` (its measure's group). Amounts stay as they are.
    """
    out = lines.copy()
    out["cost_group"] = pd.Series([None] * len(out), index=out.index, dtype=object)
    years = out.groupby("measure_id")["programme_year"].agg(["min", "max"])
    for mid, title in zip(measures["id"], measures["title"]):
        group = next((g for p, g in FIRST_YEAR_GROUP if str(title).startswith(p)), None)
        if group is None or mid not in years.index:
            continue
        first, last = years.loc[mid, "min"], years.loc[mid, "max"]
        if first < last:
            mask = (out["measure_id"] == mid) & (out["programme_year"] == first)
            out.loc[mask, "cost_group"] = group
    return out


def make_revenues() -> pd.DataFrame:
    """Revenues of both areas: sale proceeds and lease income, planned and received.

    The Stadtumbaugebiet is no Sanierungsgebiet, so it has no Ausgleichsbeträge; it sells
    cleared plots after demolition. The Soziale-Stadt-Gebiet lets rooms of its centre.
    """
    rows: list[tuple[str, str, int, float, str]] = [
        (RENEWAL_ID, "veraeusserung", 2012, 185_000.0, "Verkauf freigelegter Grundstücke"),
        (RENEWAL_ID, "veraeusserung", 2016, 240_000.0, "Verkauf freigelegter Grundstücke"),
        (RENEWAL_ID, "veraeusserung", 2021, 312_000.0, "Verkauf Baugrundstück Zechenbahn"),
        (RENEWAL_ID, "veraeusserung", 2026, 280_000.0, "geplanter Verkauf Brachfläche"),
        (RENEWAL_ID, "sonstige_einnahmen", 2019, 18_500.0, "Pacht Zwischennutzung"),
        (RENEWAL_ID, "sonstige_einnahmen", 2023, 21_000.0, "Pacht Zwischennutzung"),
        (SOCIAL_ID, "sonstige_einnahmen", 2018, 9_600.0, "Raummieten Stadtteilzentrum"),
        (SOCIAL_ID, "sonstige_einnahmen", 2024, 12_000.0, "Raummieten Stadtteilzentrum"),
    ]
    out = []
    for k, (area, kind, year, planned, text) in enumerate(rows, start=1):
        received = year < REFERENCE_DATE.year
        out.append(
            {
                "id": f"E-{k:03d}",
                "funding_area_id": area,
                "kind": kind,
                "year": year,
                "planned": planned,
                "actual": round(planned * (0.96 if k % 2 else 1.0), 2) if received else None,
                "description": text,
            }
        )
    return pd.DataFrame(out)


@dataclass(frozen=True)
class Grants:
    """The frames of the grant procedure, ready for the layers of the same names."""

    revenues: pd.DataFrame
    kuf_versions: pd.DataFrame
    grant_applications: pd.DataFrame
    grant_notices: pd.DataFrame
    notice_measures: pd.DataFrame
    drawdowns: pd.DataFrame


def _approved(lines: pd.DataFrame, source: str) -> float:
    return round(float(lines.loc[lines["source"] == source, "approved"].sum()), 2)


def make_grants(
    funding_areas: pd.DataFrame,
    measures: pd.DataFrame,
    funding_lines: pd.DataFrame,
    *,
    today: dt.date = REFERENCE_DATE,
) -> Grants:
    """Build notices, links, drawdowns, applications and frozen KuF versions.

    ``measures`` must carry ``cost_group`` (:func:`with_cost_groups`), ``funding_lines``
    may (:func:`with_line_cost_groups`).
    """
    from monitoring.grants.cost_groups import catalogue_for
    from monitoring.grants.kuf import FORMAT_VERSION, compute_kuf

    revenues = make_revenues()
    if "cost_group" not in funding_lines.columns:  # as stored: the measure's group counts
        funding_lines = funding_lines.assign(cost_group=None)
    notices: list[dict[str, object]] = []
    links: list[dict[str, object]] = []
    draws: list[dict[str, object]] = []
    apps: list[dict[str, object]] = []
    versions: list[dict[str, object]] = []
    areas = funding_areas.set_index("id")
    for area_id, years in NOTICE_YEARS.items():
        area_measures = measures[measures["funding_area_id"] == area_id]
        area_lines = funding_lines[funding_lines["measure_id"].isin(area_measures["id"])]
        chosen = []
        for year in years:
            in_year = area_lines[area_lines["programme_year"] == year]
            granted = in_year[in_year["source"].isin(["Bund", "Land"]) & (in_year["approved"] > 0)]
            if len(granted):
                chosen.append((year, sorted(set(granted["measure_id"]))))
        latest_year = chosen[-1][0]
        for number, (year, mids) in enumerate(chosen, start=1):
            lines = area_lines[
                (area_lines["programme_year"] == year) & area_lines["measure_id"].isin(mids)
            ]
            nid = f"{area_id}/ZB/{year}"
            app_id = f"{area_id}/FA/{year}"
            issued = dt.date(year, 4 + number % 3, 10 + 3 * number)
            submitted = dt.date(year - 1, 11, 20 + number)
            approval_to = dt.date(year + 2, 12, 31)
            bund, land = _approved(lines, "Bund"), _approved(lines, "Land")
            gemeinde = _approved(lines, "Gemeinde")
            grant = round(bund + land, 2)
            old = year <= REFERENCE_DATE.year - 4
            proof_due = dt.date(year + 3, 6, 30)
            drawdown_due = approval_to
            proof_done: dt.date | None = dt.date(year + 3, 3, 15) if old else None
            conditions = "ANBest-G; Baubeginn innerhalb eines Jahres nach Bekanntgabe"
            if not old:  # still open: its deadlines follow ``today``
                drawdown_due = max(drawdown_due, today + dt.timedelta(days=400))
                proof_due = max(proof_due, today + dt.timedelta(days=500))
            if area_id == SOCIAL_ID and year == chosen[-4][0]:
                # all money drawn; the statement of use falls due in three weeks
                proof_due = today + dt.timedelta(days=PROOF_DUE_IN)
                proof_done = None
                conditions += "; Frist für den Verwendungsnachweis verlängert"
            if area_id == RENEWAL_ID and year == chosen[-2][0]:
                drawdown_due = today + dt.timedelta(days=LAPSE_IN)  # money about to lapse
            fully = old or (area_id == SOCIAL_ID and year == chosen[-4][0])
            share = 1.0 if fully else (0.4 if year == latest_year else 0.7)
            if area_id == RENEWAL_ID and year == chosen[-2][0]:
                share = 0.55
            started = measures["status"].isin(["in Umsetzung", "abgeschlossen", "abgerechnet"])
            any_started = bool(measures[measures["id"].isin(mids) & started].shape[0])
            notices.append(
                {
                    "id": nid,
                    "funding_area_id": area_id,
                    "file_number": f"{FILE_PREFIX[area_id]}-{year}/{3 * number + 11:03d}",
                    "notice_date": pd.Timestamp(issued),
                    "programme_id": lines["programme_id"].dropna().iloc[0],
                    "programme_year": year,
                    "application_id": app_id,
                    "eligible_costs": round(bund + land + gemeinde, 2),
                    "amount_bund": bund,
                    "amount_land": land,
                    "amount_gemeinde": gemeinde,
                    "approval_from": pd.Timestamp(issued),
                    "approval_to": pd.Timestamp(approval_to),
                    "conditions": conditions,
                    "works_start_deadline": (
                        pd.Timestamp(issued + dt.timedelta(days=365)) if any_started else None
                    ),
                    "drawdown_deadline": pd.Timestamp(drawdown_due),
                    "proof_deadline": pd.Timestamp(proof_due),
                    "proof_submitted": pd.Timestamp(proof_done) if proof_done else None,
                }
            )
            links += [{"notice_id": nid, "measure_id": m} for m in mids]
            parts = (0.3, 0.45, 0.25) if fully else (share / 2, share / 2)
            drawn = 0.0
            for k, part in enumerate(parts, start=1):
                amount = (
                    round(grant - drawn, 2) if fully and k == len(parts) else round(grant * part, 2)
                )
                drawn = round(drawn + amount, 2)
                requested = issued + dt.timedelta(days=75 + 150 * k)
                draws.append(
                    {
                        "id": f"{nid}/MA/{k}",
                        "notice_id": nid,
                        "requested": pd.Timestamp(min(requested, REFERENCE_DATE)),
                        "amount": amount,
                        "received": pd.Timestamp(
                            min(requested + dt.timedelta(days=14), REFERENCE_DATE)
                        ),
                        "purpose": f"{k}. Mittelabruf für fällige Zahlungen",
                    }
                )
            kuf_version = None
            if year == latest_year:
                catalogue = catalogue_for(AGS)
                area = {"id": area_id, "name": areas.loc[area_id, "name"]}
                kuf = compute_kuf(
                    area, area_measures, area_lines, revenues_of(revenues, area_id), catalogue
                )
                kuf_version = f"{area_id}/KuF/1"
                versions.append(
                    {
                        "id": kuf_version,
                        "funding_area_id": area_id,
                        "purpose": f"Förderantrag {year}",
                        "frozen_at": pd.Timestamp(dt.datetime(year - 1, 11, 20 + number, 10)),
                        "frozen_by": "demo",
                        "fingerprint": kuf.fingerprint,
                        "payload": json.dumps(kuf.to_dict(), ensure_ascii=False, sort_keys=True),
                        "format_version": FORMAT_VERSION,
                    }
                )
            apps.append(
                {
                    "id": app_id,
                    "funding_area_id": area_id,
                    "programme_id": notices[-1]["programme_id"],
                    "programme_year": year,
                    "submitted": pd.Timestamp(submitted),
                    "kuf_version_id": kuf_version,
                    "notes": f"Antrag auf Städtebaufördermittel für das Programmjahr {year}",
                }
            )
    return Grants(
        revenues=revenues,
        kuf_versions=pd.DataFrame(versions),
        grant_applications=pd.DataFrame(apps),
        grant_notices=pd.DataFrame(notices),
        notice_measures=pd.DataFrame(links),
        drawdowns=pd.DataFrame(draws),
    )


def revenues_of(revenues: pd.DataFrame, area_id: str) -> pd.DataFrame:
    """The revenue rows of one funding area."""
    return revenues[revenues["funding_area_id"] == area_id]


__all__ = [
    "Grants",
    "cost_group_of",
    "make_grants",
    "make_revenues",
    "with_cost_groups",
    "with_line_cost_groups",
]
