"""Seeded report packages for the national set: what a Land or the Bund has collected.

:func:`seed_packages` builds the real reports of a few Gesamtmaßnahmen of the store
(:func:`monitoring.reports.generate.build_report`), and from them one sealed package per
Gesamtmaßnahme and year, as the municipality would send it: the identity (id, name, AGS,
programme, year) is the Gesamtmaßnahme's own, its figures of parts B–D are the
template's scaled by a factor drawn per Gesamtmaßnahme (0.5–1.5, whole units stay whole),
and a share of each year's reports is missing (``reported``: the latest year first). The
packages carry row checksums, header checksums and the seal of
:mod:`monitoring.federal.packages`, so :func:`monitoring.federal.packages.read_package`
accepts every one; they are written to ``collected_reports`` in one transaction through
the change set, in chunks of :data:`CHUNK` (one audit row per chunk). Deterministic: the
same store, seed and years give the same packages (the collection and generation times are
the only clocks in them).

The figures are invented; only their shape is a real report's.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from monitoring.auth import User, require
from monitoring.catalogue import registry_for
from monitoring.federal import packages
from monitoring.federal.collect import LAYER
from monitoring.federal.overview import expected_in
from monitoring.reports.catalogue import load_catalogue
from monitoring.reports.generate import build_report

if TYPE_CHECKING:
    from geo.store.base import Store

SCALED_PARTS = ("B", "C", "D")
KEPT_UNITS = frozenset({"%", "Prozentpunkte", "Jahr", "Klasse", ""})
"""Figures not scaled: shares, years, classes and texts stay the template's."""
AREA_COLUMNS = ("id", "name", "ags", "programme_id", "start_year", "expected_end", "funding_status")
CHUNK = 500
"""Packages written at a time (in the one transaction): memory stays at one chunk."""
DEFAULT_REPORTED = (0.9, 0.97)
"""Share of Gesamtmaßnahmen that reported: the latest year, then the years before."""


def _scaled(value: Any, factor: float, decimals: int) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    scaled = round(float(value) * factor, max(decimals, 0))
    return int(scaled) if isinstance(value, int) or decimals <= 0 else scaled


def adapt_report(
    template: dict[str, Any], area: dict[str, Any], *, year: int, factor: float
) -> dict[str, Any]:
    """Return a copy of a report's dict made the report of ``area`` for ``year``.

    Examples
    --------
    >>> rows = [{"field": "B.1", "value": 1000, "unit": "€", "decimals": 0},
    ...         {"field": "D.1", "value": 12.5, "unit": "%", "decimals": 1}]
    >>> tpl = {"area_id": "x", "area_name": "x", "ags": None, "programme": None, "year": 2023,
    ...        "parts": [{"key": "B", "sections": [{"rows": rows[:1]}]},
    ...                  {"key": "D", "sections": [{"rows": rows[1:]}]}]}
    >>> out = adapt_report(tpl, {"id": "GM-1", "name": "Nord", "ags": "01001000",
    ...                          "programme_id": "sz"}, year=2024, factor=1.5)
    >>> out["area_id"], out["year"], [r["value"] for p in out["parts"]
    ...                                for s in p["sections"] for r in s["rows"]]
    ('GM-1', 2024, [1500, 12.5])
    """
    report = copy.deepcopy(template)
    report.update(
        area_id=str(area["id"]),
        area_name=str(area["name"]),
        ags=area["ags"],
        programme=area["programme_id"],
        year=int(year),
    )
    for part in report["parts"]:
        if part["key"] not in SCALED_PARTS:
            continue
        for section in part["sections"]:
            for row in section["rows"]:
                if row.get("unit", "") not in KEPT_UNITS and row.get("value") is not None:
                    row["value"] = _scaled(row["value"], factor, int(row.get("decimals", 0)))
    return report


def sealed(
    report: dict[str, Any], *, area: dict[str, Any], municipality: str, filed_at: pd.Timestamp
) -> dict[str, Any]:
    """Wrap a report dict into a sealed package (the keys of monitoring.federal.packages)."""
    package: dict[str, Any] = {
        "art": packages.KIND,
        "formatversion": packages.PACKAGE_FORMAT,
        "ags": area["ags"],
        "gemeinde": municipality,
        "gesamtmassnahme": str(area["id"]),
        "name": str(area["name"]),
        "programm": area["programme_id"],
        "berichtsjahr": int(report["year"]),
        "fassung": 1,
        "eingereicht_am": filed_at.isoformat(),
        "fingerabdruck": report["fingerprint"],
        "katalog": report["catalogue"],
        "katalogversion": report["catalogue_version"],
        "bericht": report,
    }
    package["pruefsummen"] = packages.row_checksums(report)
    package["kopfpruefsummen"] = packages.header_checksums(package)
    package["siegel"] = packages.seal_of(package)
    return package


def seed_packages(
    store: Store,
    user: User,
    *,
    years: Sequence[int] = (2023, 2024),
    seed: int = 1,
    templates: int = 3,
    reported: Sequence[float] = DEFAULT_REPORTED,
    now: dt.datetime | None = None,
) -> int:
    """Write one collected package per Gesamtmaßnahme and year of the store; return the count.

    Only Gesamtmaßnahmen in their programme that year report (the overview's rule,
    :func:`monitoring.federal.overview.expected_in`).

    ``templates`` real reports per year are built from the first Gesamtmaßnahmen (by id);
    each Gesamtmaßnahme gets the figures of one of them, scaled. ``reported[0]`` is the
    share of Gesamtmaßnahmen with a package for the latest year, ``reported[1]`` for each
    earlier one. Names of municipalities come from the store's areas of level „Gemeinde“.

    Raises
    ------
    PermissionDenied
        Without the right to edit funding data.
    RuleViolation
        When packages of these Gesamtmaßnahmen and years are already collected.
    """
    require(user, "edit_funding")
    from monitoring.editing import ChangeSet

    when = (now or dt.datetime.now()).replace(microsecond=0)
    areas = pd.DataFrame(store.read("funding_areas", columns=[*AREA_COLUMNS])).sort_values(
        "id", ignore_index=True
    )
    if areas.empty:
        return 0
    towns = store.read("areas", where={"level": "Gemeinde"}, columns=["id", "name"])
    town_names = dict(zip(towns["id"].astype(str), towns["name"].astype(str), strict=True))
    catalogue = load_catalogue()
    registry = registry_for(store)
    chosen = areas["id"].iloc[: max(1, templates)].tolist()
    ordered = sorted(int(y) for y in years)
    built = {
        year: [
            json.loads(
                json.dumps(
                    build_report(
                        store, user, a, year=year, catalogue=catalogue, registry=registry, now=when
                    ).to_dict(),
                    ensure_ascii=False,
                )
            )
            for a in chosen
        ]
        for year in ordered
    }
    rng = np.random.default_rng(seed)
    factors = rng.uniform(0.5, 1.5, len(areas))
    draws = rng.random((len(areas), len(ordered)))
    days = rng.integers(0, 150, (len(areas), len(ordered)))
    # only a Gesamtmaßnahme in its programme that year reports (the overview's own rule)
    expected = {year: expected_in(areas, year).to_numpy() for year in ordered}
    records: list[dict[str, Any]] = [
        {str(c): v for c, v in r.items()} for r in areas.to_dict("records")
    ]
    name = f"Berichtspakete {ordered[0]}–{ordered[-1]} (erfunden)"
    written = 0
    with store.transaction(user=user.name) as tx:  # all or nothing, written in chunks
        change_set = ChangeSet(tx, user, crs=store.crs)
        rows: list[dict[str, Any]] = []
        for k, area in enumerate(records):
            for j, year in enumerate(ordered):
                share = reported[0] if year == ordered[-1] else reported[min(1, len(reported) - 1)]
                if draws[k, j] >= share or not expected[year][k]:
                    continue
                rows.append(
                    _record(
                        built[year][k % len(chosen)],
                        area,
                        year=year,
                        factor=float(factors[k]),
                        filed=pd.Timestamp(year + 1, 2, 1) + pd.Timedelta(days=int(days[k, j])),
                        municipality=town_names.get(str(area["ags"]), ""),
                        collected=pd.Timestamp(when),
                        user=user,
                    )
                )
            if len(rows) >= CHUNK or (k == len(records) - 1 and rows):
                written += change_set.append_many(LAYER, pd.DataFrame(rows), name=name)
                rows = []
    return written


def _record(
    template: dict[str, Any],
    area: dict[str, Any],
    *,
    year: int,
    factor: float,
    filed: pd.Timestamp,
    municipality: str,
    collected: pd.Timestamp,
    user: User,
) -> dict[str, Any]:
    """The collected_reports row of one seeded package."""
    report = adapt_report(template, area, year=year, factor=factor)
    package = sealed(report, area=area, municipality=municipality, filed_at=filed)
    return {
        "id": f"{area['ags']}/{area['id']}/{year}/1",
        "ags": area["ags"],
        "municipality": municipality or None,
        "funding_area_id": area["id"],
        "funding_area_name": area["name"],
        "programme_id": area["programme_id"],
        "year": year,
        "revision": 1,
        "filed_at": filed,
        "collected_at": collected,
        "collected_by": user.name,
        "file_name": packages.package_file_name(package),
        "fingerprint": report["fingerprint"],
        "catalogue_version": report["catalogue_version"],
        "seal": package["siegel"],
        "superseded_by": None,
        "findings": None,
        "payload": json.dumps(package, ensure_ascii=False, sort_keys=True),
        "format_version": packages.PACKAGE_FORMAT,
    }


__all__ = ["adapt_report", "sealed", "seed_packages"]
