"""Plausibility of a report's money (part B): the same checks at filing and at collecting.

Modest and real: a municipality sees the findings when it files (they do not stop
the filing), a Land sees the same findings when it collects the package. Three checks
over the money tables of part B (rows keyed ``SECTION.LINE.AMOUNT`` with the amounts
``planned``, ``approved``, ``paid``):

- a negative amount;
- more paid than approved on one line (per source, programme year or cost group);
- a ``summe`` line that is not the sum of the other lines of its table.

Other parts (C outputs, D context) hold counts and shares whose plausibility depends
on the catalogue; they are compared with last year's package instead
(:mod:`monitoring.federal.differences`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from geo import german
from monitoring.messages import render
from monitoring.reports.report import Report, Row, Section

AMOUNTS: tuple[str, ...] = ("planned", "approved", "paid")
SUM_LINE = "summe"
TOLERANCE = 0.5
"""Euros a sum may differ from its parts (rounding of amounts in whole euros)."""


@dataclass(frozen=True)
class Finding:
    """One implausible figure: the field, its number and the German text."""

    field: str
    number: str
    text: str


def _money(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _split(section: Section, row: Row) -> tuple[str, str] | None:
    """``(line, amount)`` of a money row of ``section``, else None."""
    prefix = section.code + "."
    if not row.field.startswith(prefix):
        return None
    line, _, amount = row.field[len(prefix) :].rpartition(".")
    if not line or amount not in AMOUNTS:
        return None
    return line, amount


def _money_rows(report: Report) -> Iterator[tuple[Section, Row, str, str, float]]:
    for part, section, row in report.rows():
        if part.key != "B" or row.unit != "€":
            continue
        split = _split(section, row)
        value = _money(row.value)
        if split is not None and value is not None:
            yield section, row, split[0], split[1], value


def _euro(value: float) -> str:
    return german.euro(value, decimals=0)


def check_report(report: Report) -> tuple[Finding, ...]:
    """Return the plausibility findings of a report's money (empty when all is plausible).

    Examples
    --------
    >>> from monitoring.reports.report import Part
    >>> rows = (
    ...     Row("B.1.bund.approved", "Bund, bewilligt", 100.0, "€", number="B.1.1"),
    ...     Row("B.1.bund.paid", "Bund, ausgezahlt", 120.0, "€", number="B.1.1"),
    ...     Row("B.1.land.approved", "Land, bewilligt", -5.0, "€", number="B.1.2"),
    ...     Row("B.1.land.paid", "Land, ausgezahlt", 0.0, "€", number="B.1.2"),
    ...     Row("B.1.summe.approved", "Summe", 100.0, "€", number="B.1.3"),
    ...     Row("B.1.summe.paid", "Summe", 120.0, "€", number="B.1.3"),
    ... )
    >>> rep = Report("FA", "x", "05999000", None, 2024, "", "", "", "fp", {},
    ...              (Part("B", "B", (Section("B.1", "Mittel", rows),)),))
    >>> for f in check_report(rep):
    ...     print(f.field, "|", f.text.replace(chr(160), " "))
    B.1.land.approved | B.1.2 „Land, bewilligt“: der Betrag ist negativ (-5 €)
    B.1.bund.paid | B.1.1 „Bund, ausgezahlt“: ausgezahlt 120 € ist mehr als bewilligt 100 €
    B.1.summe.approved | B.1.3 „Summe“: 100 € ist nicht die Summe der Zeilen darüber (95 €)
    """
    rows = list(_money_rows(report))
    found: list[Finding] = []
    for _, row, _, _, value in rows:
        if value < 0:
            found.append(
                Finding(
                    row.field,
                    row.shown_number,
                    render(
                        "plausibility.negative",
                        number=row.shown_number,
                        label=row.label,
                        value=_euro(value),
                    ),
                )
            )
    by_line = {(s.code, line, amount): (row, value) for s, row, line, amount, value in rows}
    for (code, line, amount), (row, paid) in by_line.items():
        if amount != "paid" or line == SUM_LINE:
            continue
        approved = by_line.get((code, line, "approved"))
        if approved is not None and 0 <= approved[1] < paid - TOLERANCE:
            found.append(
                Finding(
                    row.field,
                    row.shown_number,
                    render(
                        "plausibility.paid_over_approved",
                        number=row.shown_number,
                        label=row.label,
                        paid=_euro(paid),
                        approved=_euro(approved[1]),
                    ),
                )
            )
    for (code, line, amount), (row, total) in by_line.items():
        if line != SUM_LINE:
            continue
        parts = [
            v
            for (c, li, a), (_, v) in by_line.items()
            if c == code and a == amount and li != SUM_LINE
        ]
        if parts and abs(sum(parts) - total) > TOLERANCE:
            found.append(
                Finding(
                    row.field,
                    row.shown_number,
                    render(
                        "plausibility.sum",
                        number=row.shown_number,
                        label=row.label,
                        value=_euro(total),
                        parts=_euro(sum(parts)),
                    ),
                )
            )
    return tuple(found)


def finding_texts(report: Report) -> tuple[str, ...]:
    """The German texts of :func:`check_report` (what a page or a command prints)."""
    return tuple(f.text for f in check_report(report))
