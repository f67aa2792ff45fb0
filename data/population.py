"""Yearly small-area statistics of Musterstadt, 2010–2024, as counts per planning area.

Dwellings follow from the buildings layer: a building counts from the year it was
built, and dwellings demolished by Stadtumbau measures count until the year of their
demolition, so the latest year equals the buildings layer exactly. Vacancy is high
in the Stadtumbau area before the demolitions and falls after them. Residents are
occupied dwellings times a household size that depends on the land use; age groups,
unemployed and SGB II figures are drawn as binomial counts from rates that follow the
labour market of a Ruhr city, with the Soziale Stadt area improving after 2015.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.townscape import Townscape

YEARS: tuple[int, ...] = tuple(range(2010, 2025))
INDICATORS: tuple[str, ...] = (
    "residents",
    "residents_u15",
    "residents_15_64",
    "residents_65plus",
    "unemployed",
    "sgb2_recipients",
    "sgb2_children_u15",
    "dwellings",
    "vacant_dwellings",
)
EDITION = "musterstadt-demo"
SOURCE = "Statistikstelle Musterstadt (synthetisch)"

# land use: household size, share under 15, share 65+, unemployment (of 15–64),
# SGB II recipients (of residents)
_PROFILE: dict[str, tuple[float, float, float, float, float]] = {
    "Altstadt": (1.7, 0.10, 0.17, 0.085, 0.13),
    "Gründerzeit": (1.8, 0.12, 0.17, 0.08, 0.12),
    "Zeilenbau": (1.9, 0.12, 0.26, 0.07, 0.10),
    "Großsiedlung": (2.2, 0.17, 0.19, 0.15, 0.26),
    "Arbeitersiedlung": (2.0, 0.13, 0.23, 0.12, 0.18),
    "Einfamilienhaus": (2.45, 0.14, 0.25, 0.035, 0.03),
    "Dorfkern": (2.35, 0.13, 0.24, 0.035, 0.035),
    "Neubaugebiet": (2.6, 0.19, 0.10, 0.03, 0.025),
    "Gewerbe": (1.8, 0.10, 0.15, 0.08, 0.10),
    "Grünfläche": (2.2, 0.12, 0.22, 0.05, 0.05),
}

# the city's labour market relative to 2019 (a Ruhr-like path with the 2020 bump)
_LABOUR = dict(
    zip(
        YEARS,
        (1.20, 1.17, 1.15, 1.16, 1.14, 1.10, 1.06, 1.02, 0.98, 0.95, 1.05, 1.03, 0.97, 1.00, 1.03),
    )
)


def _social_factor(year: int) -> float:
    """Relative improvement of the Soziale Stadt area: flat until 2015, then −2.5 %/year."""
    return 1.0 - 0.025 * max(0, year - 2015)


def make_series(
    rng: np.random.Generator,
    town: Townscape,
    buildings: pd.DataFrame,
    demolitions: pd.DataFrame,
    *,
    area_ids: list[str],
) -> pd.DataFrame:
    """Return the indicator series as rows of the layer ``indicator_values``.

    Parameters
    ----------
    rng
        The random generator.
    town
        The city (land use and funding-area cells).
    buildings
        Buildings with ``area`` (cell index), ``dwellings``, ``vacant_dwellings``
        and ``year_built``.
    demolitions
        Completed demolitions: ``area`` (cell index), ``year``, ``dwellings``.
    area_ids
        The id of each planning area (cell order).
    """
    n = len(town.cells)
    years = np.array(YEARS)
    # dwellings standing at the end of each year: built by then, plus demolished later
    built = np.zeros((n, len(years)))
    for k, year in enumerate(years):
        standing = buildings[buildings["year_built"] <= year]
        built[:, k] = standing.groupby("area")["dwellings"].sum().reindex(range(n), fill_value=0)
    gone = np.zeros_like(built)
    for cell, year, count in zip(
        demolitions["area"].tolist(),
        demolitions["year"].tolist(),
        demolitions["dwellings"].tolist(),
    ):
        gone[int(cell)] += np.where(years < int(year), int(count), 0)
    dwellings = (built + gone).astype(int)

    vacant_now = buildings.groupby("area")["vacant_dwellings"].sum().reindex(range(n), fill_value=0)
    rate_now = np.asarray(vacant_now, dtype=float) / np.maximum(dwellings[:, -1], 1)
    drift = 1 + 0.025 * (years[-1] - years)  # a slowly tightening market
    rate = rate_now[:, None] * drift[None, :] * rng.lognormal(0, 0.06, (n, len(years)))
    vacant = np.round(rate * (built + 0.0)).astype(int)
    vacant += np.round(0.85 * gone).astype(int)  # demolished blocks stood mostly empty
    vacant[:, -1] = np.asarray(vacant_now)
    vacant = np.minimum(vacant, dwellings)

    rows: list[dict[str, object]] = []
    for i in range(n):
        size, u15, o65, jobless, sgb2 = _PROFILE[town.land_use[i]]
        social = i in town.social_area
        renewal = i in town.renewal_area
        for k, year in enumerate(years):
            hh = size * (1 - 0.003 * (year - 2010)) * rng.normal(1, 0.01)
            if renewal:  # the old industrial side loses people until the turnaround
                hh *= 1 - 0.007 * min(year - 2010, 12)
            residents = int(round(max(dwellings[i, k] - vacant[i, k], 0) * hh))
            share_old = o65 + 0.002 * (year - 2010)
            young = int(rng.binomial(residents, u15))
            old = int(rng.binomial(residents - young, share_old / (1 - u15)))
            middle = residents - young - old
            labour = _LABOUR[int(year)]
            local = _social_factor(int(year)) if social else 1.0
            if renewal:
                local = 1.0 + 0.01 * min(year - 2010, 5)
            unemployed = int(rng.binomial(middle, min(jobless * labour * local, 0.9)))
            sgb2_share = min(sgb2 * labour * local, 0.9)
            recipients = int(rng.binomial(residents, sgb2_share))
            children = min(int(rng.binomial(young, min(1.6 * sgb2_share, 0.95))), recipients)
            values = (
                residents,
                young,
                middle,
                old,
                unemployed,
                recipients,
                children,
                int(dwellings[i, k]),
                int(vacant[i, k]),
            )
            period = pd.Timestamp(year=int(year), month=12, day=31)
            for key, value in zip(INDICATORS, values):
                rows.append(
                    {"area_id": area_ids[i], "indicator": key, "period": period, "value": value}
                )
    frame = pd.DataFrame(rows)
    frame["value"] = frame["value"].astype("float64")
    frame.insert(1, "level", "Planungsraum")
    frame.insert(2, "vintage", "2020")
    frame["numerator"] = np.nan
    frame["denominator"] = np.nan
    frame["edition"] = EDITION
    frame["source"] = SOURCE
    frame["flag"] = None
    return frame
