"""Funding lines (Kosten- und Finanzierungsübersicht): sources, amounts and their checks.

A funding line is the money of one source for one measure in one programme year,
planned, approved (bewilligt) and paid (ausgezahlt). Städtebauförderung is usually
split one third each between Bund, Land and Gemeinde (../shared/DOMAIN.md §1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from monitoring.findings import Finding
from monitoring.numbers import german_number

SOURCES: tuple[str, ...] = ("Bund", "Land", "Gemeinde", "Dritte", "andere Programme")
"""Sources of money (Mittelgeber)."""

PUBLIC_SOURCES: tuple[str, ...] = ("Bund", "Land", "Gemeinde")
"""The three sources of the Städtebauförderung split."""

AMOUNTS: tuple[str, ...] = ("planned", "approved", "paid")
AMOUNT_LABELS: Mapping[str, str] = {
    "planned": "geplant",
    "approved": "bewilligt",
    "paid": "ausgezahlt",
}
YEAR_RANGE = (1971, 2100)  # Städtebauförderungsgesetz 1971


def _amount(value: Any) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return 0.0
    return float(value)


_LABELS = {"planned": "geplant", "approved": "bewilligt", "paid": "ausgezahlt"}


def _euro(value: float) -> str:
    return german_number(value, decimals=2, unit=" €")


def _year(value: Any) -> str:
    return "leer" if value is None or pd.isna(value) else str(value)


def check_funding_line(record: Mapping[str, Any]) -> list[Finding]:
    """Check one funding line: known source, plausible year, planned ≥ approved ≥ paid ≥ 0.

    Missing amounts count as 0.

    Returns
    -------
    list of Finding
        Errors only; each names the line, the bad value and the rule.

    Examples
    --------
    >>> line = {"id": "F1", "source": "Bund", "programme_year": 2024,
    ...         "planned": 100.0, "approved": 120.0, "paid": 50.0}
    >>> [f.message for f in check_funding_line(line)]
    ['Finanzierungszeile „F1“: bewilligt 120,00 € ist mehr als geplant 100,00 €; es muss \
geplant ≥ bewilligt ≥ ausgezahlt gelten: erhöhen Sie den Betrag „geplant“ oder senken Sie \
den Betrag „bewilligt“']
    >>> [f.code for f in check_funding_line({"id": "F2", "source": "EU", "programme_year": 1900})]
    ['source', 'year']
    """
    rid = str(record.get("id"))
    out: list[Finding] = []

    def add(code: str, message: str) -> None:
        out.append(
            Finding("error", code, "funding_lines", rid, f"Finanzierungszeile „{rid}“: {message}")
        )

    source = record.get("source")
    if source not in SOURCES:
        add("source", f"die Quelle „{source}“ ist keine von {', '.join(SOURCES)}")
    year = record.get("programme_year")
    if year is None or pd.isna(year) or not YEAR_RANGE[0] <= int(year) <= YEAR_RANGE[1]:
        add(
            "year",
            f"das Programmjahr „{_year(year)}“ ist kein Jahr von {YEAR_RANGE[0]} bis "
            f"{YEAR_RANGE[1]}; tragen Sie das Jahr vierstellig ein",
        )
    amounts = {name: _amount(record.get(name)) for name in AMOUNTS}
    for name, value in amounts.items():
        if value < 0:
            add(
                "amount",
                (
                    f"der Betrag „{_LABELS[name]}“ ({_euro(value)}) ist negativ; Beträge sind "
                    "0 € oder mehr"
                ),
            )
    for bigger, smaller in (("planned", "approved"), ("approved", "paid")):
        if amounts[smaller] > amounts[bigger] + 0.005:
            add(
                "order",
                f"{_LABELS[smaller]} {_euro(amounts[smaller])} ist mehr als {_LABELS[bigger]} "
                f"{_euro(amounts[bigger])}; es muss geplant ≥ bewilligt ≥ ausgezahlt gelten: "
                f"erhöhen Sie den Betrag „{_LABELS[bigger]}“ oder senken Sie den Betrag "
                f"„{_LABELS[smaller]}“",
            )
    return out


def share_findings(lines: pd.DataFrame, *, tolerance: float = 0.05) -> list[Finding]:
    """Warn for measures whose public money departs from one third each of Bund, Land, Gemeinde.

    The shares are taken over the planned amounts of all years of a measure.

    Parameters
    ----------
    lines
        Funding lines with ``measure_id``, ``source`` and ``planned``.
    tolerance
        Allowed departure of a share from 1/3 (0.05 = 5 percentage points).

    Returns
    -------
    list of Finding
        Warnings (code ``shares``): the split is usual, not a rule.

    Notes
    -----
    share_s = Σ planned_s / Σ_{s ∈ {Bund, Land, Gemeinde}} planned_s per measure.

    Examples
    --------
    >>> lines = pd.DataFrame({"measure_id": ["M1"] * 3, "source": ["Bund", "Land", "Gemeinde"],
    ...                       "planned": [60.0, 20.0, 20.0]})
    >>> [f.message for f in share_findings(lines)]
    ['Maßnahme „M1“: die öffentlichen Mittel teilen sich auf in Bund 60,0 %, Land 20,0 %, \
Gemeinde 20,0 %, nicht je ein Drittel wie in der Städtebauförderung üblich; prüfen Sie die \
Finanzierungszeilen']
    """
    public = lines[lines["source"].isin(PUBLIC_SOURCES)]
    out: list[Finding] = []
    for measure, group in public.groupby("measure_id", sort=True):
        sums = {
            s: float(group.loc[group["source"] == s, "planned"].fillna(0).sum())
            for s in PUBLIC_SOURCES
        }
        total = sum(sums.values())
        if total <= 0:
            continue
        shares = {s: v / total for s, v in sums.items()}
        if all(abs(v - 1 / 3) <= tolerance for v in shares.values()):
            continue
        split = ", ".join(
            f"{s} {german_number(shares[s] * 100, decimals=1)} %" for s in PUBLIC_SOURCES
        )
        out.append(
            Finding(
                "warning",
                "shares",
                "measures",
                str(measure),
                f"Maßnahme „{measure}“: die öffentlichen Mittel teilen sich auf in {split}, "
                "nicht je ein Drittel wie in der Städtebauförderung üblich; prüfen Sie die "
                "Finanzierungszeilen",
            )
        )
    return out


def sum_findings(
    lines: pd.DataFrame, measures: pd.DataFrame, *, tolerance: float = 0.01
) -> list[Finding]:
    """Compare the planned funding of each measure with its cost estimate.

    Parameters
    ----------
    lines
        Funding lines with ``measure_id`` and ``planned``.
    measures
        With ``id`` and ``cost_estimate``.
    tolerance
        Relative difference taken as equal (0.01 = 1 %).

    Returns
    -------
    list of Finding
        Warnings: ``overfunded`` (more planned than the estimate), ``funding_gap``
        (less); errors ``unknown_measure`` for lines of a measure that does not exist.

    Examples
    --------
    >>> lines = pd.DataFrame({"measure_id": ["M1", "M1", "M2"], "planned": [50.0, 30.0, 10.0]})
    >>> measures = pd.DataFrame({"id": ["M1", "M2"], "cost_estimate": [100.0, 10.0]})
    >>> [f.message for f in sum_findings(lines, measures)]
    ['Maßnahme „M1“: die Finanzierungszeilen planen 80,00 €, die Kostenschätzung beträgt \
aber 100,00 €; 20,00 € sind noch nicht finanziert']
    """
    planned = lines.groupby("measure_id")["planned"].sum(min_count=1)
    estimates = dict(zip(measures["id"], measures["cost_estimate"]))
    out: list[Finding] = []
    for measure, total in planned.items():
        if measure not in estimates:
            out.append(
                Finding(
                    "error",
                    "unknown_measure",
                    "funding_lines",
                    str(measure),
                    f"Finanzierungszeilen nennen die unbekannte Maßnahme „{measure}“; "
                    "korrigieren Sie die Kennung der Maßnahme",
                )
            )
            continue
        estimate = estimates[measure]
        if pd.isna(estimate) or pd.isna(total) or estimate <= 0:
            continue
        diff = float(total) - float(estimate)
        if abs(diff) <= tolerance * float(estimate):
            continue
        text = (
            f"Maßnahme „{measure}“: die Finanzierungszeilen planen {_euro(float(total))}, "
            f"die Kostenschätzung beträgt aber {_euro(float(estimate))}; "
        )
        if diff > 0:
            code, text = "overfunded", text + f"{_euro(diff)} mehr als die Kosten sind geplant"
        else:
            code, text = "funding_gap", text + f"{_euro(-diff)} sind noch nicht finanziert"
        out.append(Finding("warning", code, "measures", str(measure), text))
    return out
