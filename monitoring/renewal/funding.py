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
    ["funding line 'F1': approved 120.00 € exceeds planned 100.00 €; planned ≥ approved ≥ \
paid must hold: raise the planned amount or lower the approved one"]
    >>> [f.code for f in check_funding_line({"id": "F2", "source": "EU", "programme_year": 1900})]
    ['source', 'year']
    """
    rid = str(record.get("id"))
    out: list[Finding] = []

    def add(code: str, message: str) -> None:
        out.append(Finding("error", code, "funding_lines", rid, f"funding line {rid!r}: {message}"))

    source = record.get("source")
    if source not in SOURCES:
        add("source", f"source {source!r} is not one of {', '.join(SOURCES)}")
    year = record.get("programme_year")
    if year is None or pd.isna(year) or not YEAR_RANGE[0] <= int(year) <= YEAR_RANGE[1]:
        add(
            "year",
            f"programme year {year!r} is not a year from {YEAR_RANGE[0]} to {YEAR_RANGE[1]}",
        )
    amounts = {name: _amount(record.get(name)) for name in AMOUNTS}
    for name, value in amounts.items():
        if value < 0:
            add("amount", f"{name} {value:,.2f} € is negative; amounts are ≥ 0")
    for bigger, smaller in (("planned", "approved"), ("approved", "paid")):
        if amounts[smaller] > amounts[bigger] + 0.005:
            add(
                "order",
                f"{smaller} {amounts[smaller]:,.2f} € exceeds {bigger} {amounts[bigger]:,.2f} €; "
                f"planned ≥ approved ≥ paid must hold: raise the {bigger} amount or lower the "
                f"{smaller} one",
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
    ["measure 'M1': the public money is split Bund 60.0 %, Land 20.0 %, Gemeinde 20.0 %, \
not one third each as usual in Städtebauförderung; check the funding lines"]
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
        split = ", ".join(f"{s} {shares[s] * 100:.1f} %" for s in PUBLIC_SOURCES)
        out.append(
            Finding(
                "warning",
                "shares",
                "measures",
                str(measure),
                f"measure {measure!r}: the public money is split {split}, not one third each "
                "as usual in Städtebauförderung; check the funding lines",
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
    ["measure 'M1': the funding lines plan 80.00 € but the cost estimate is 100.00 €; \
20.00 € are not financed yet"]
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
                    f"funding lines name the unknown measure {measure!r}; correct the measure id",
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
            f"measure {measure!r}: the funding lines plan {float(total):,.2f} € but the cost "
            f"estimate is {float(estimate):,.2f} €; "
        )
        if diff > 0:
            code, text = "overfunded", text + f"{diff:,.2f} € more than the costs are planned"
        else:
            code, text = "funding_gap", text + f"{-diff:,.2f} € are not financed yet"
        out.append(Finding("warning", code, "measures", str(measure), text))
    return out
