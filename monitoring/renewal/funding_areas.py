"""Gesamtmaßnahmen (funding areas): statuses and the checks of a record.

A Gesamtmaßnahme is one funding area in one programme (../shared/DOMAIN.md §1): a
polygon with municipality key, programme, start year, expected end, funding status
and the highest share of Städtebauförderung money its local fund may hold.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd
from shapely.geometry.base import BaseGeometry

from monitoring.findings import Finding

FUNDING_STATUSES: tuple[str, ...] = ("in Vorbereitung", "laufend", "ausfinanziert", "abgeschlossen")
"""Funding statuses of a Gesamtmaßnahme."""

DEFAULT_FUND_PUBLIC_SHARE_MAX = 0.5
"""At most half of a Verfügungsfonds from Städtebauförderung unless the area allows more."""


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str | BaseGeometry) and pd.isna(value))


def check_funding_area(record: Mapping[str, Any], *, programmes: Collection[str]) -> list[Finding]:
    """Check a Gesamtmaßnahme: name, known programme, years in order, status, fund share, polygon.

    Parameters
    ----------
    record
        The funding area's fields; ``geometry`` a shapely geometry (or None).
    programmes
        The ids of the programmes in the store.

    Examples
    --------
    >>> rec = {"id": "FA", "name": "Nordstadt", "programme_id": "soziale_stadt",
    ...        "start_year": 2010, "expected_end": 2005, "fund_public_share_max": 1.5}
    >>> [f.code for f in check_funding_area(rec, programmes={"soziale_stadt"})]
    ['years', 'fund_share']
    """
    rid = str(record.get("id"))
    out: list[Finding] = []

    def add(code: str, message: str) -> None:
        out.append(Finding("error", code, "funding_areas", rid, f"funding area {rid!r}: {message}"))

    if not str(record.get("name") or "").strip():
        add("name", "the name is empty; give the Gesamtmaßnahme a name")
    programme = record.get("programme_id")
    if not _missing(programme) and programme not in programmes:
        add(
            "programme",
            f"programme {programme!r} is unknown; known: "
            f"{', '.join(sorted(programmes)) or 'none'} (add it first)",
        )
    start: Any = record.get("start_year")
    end: Any = record.get("expected_end")
    if not _missing(start) and not _missing(end) and int(start) > int(end):
        add("years", f"the start year {start} is after the expected end {end}")
    status = record.get("funding_status")
    if not _missing(status) and status not in FUNDING_STATUSES:
        add("status", f"funding status {status!r} is not one of {', '.join(FUNDING_STATUSES)}")
    share: Any = record.get("fund_public_share_max")
    if not _missing(share) and not 0 < float(share) <= 1:
        add(
            "fund_share",
            f"the highest Städtebauförderung share of the fund {share!r} is not "
            "a fraction in (0, 1]; write 0.5 (the rule) or 1.0 where the Land allows 100 %",
        )
    geom = record.get("geometry")
    if isinstance(geom, BaseGeometry) and (
        geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon") or not geom.is_valid
    ):
        add(
            "geometry",
            f"the area must be a valid polygon, got a {geom.geom_type}"
            f"{'' if geom.is_valid else ' that is not valid'}; redraw it",
        )
    return out


def fund_share_max(record: Mapping[str, Any]) -> float:
    """Return the funding area's highest Städtebauförderung share of the fund (default 0.5).

    Examples
    --------
    >>> fund_share_max({"fund_public_share_max": None})
    0.5
    >>> fund_share_max({"fund_public_share_max": 1.0})
    1.0
    """
    value: Any = record.get("fund_public_share_max")
    return DEFAULT_FUND_PUBLIC_SHARE_MAX if _missing(value) else float(value)
