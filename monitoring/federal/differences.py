"""Year-on-year differences of two reports of one Gesamtmaßnahme, beyond a threshold.

A Land checks each incoming report against the same Gesamtmaßnahme's report of the
year before: a figure that grew or shrank by more than the threshold (half, by
default), or that was given last year and is missing now (or the other way round),
is listed for a question back to the municipality. Text fields and rates are not
compared: only numbers whose change means something in its own unit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from monitoring.reports.report import Report, Row, Value

DEFAULT_THRESHOLD = 0.5
"""A relative change above which a figure is listed (0.5 = by more than half)."""

COMPARED_PARTS: tuple[str, ...] = ("B", "C", "D")
"""The parts whose figures are compared (A holds facts of the area, BI texts)."""

NOT_COMPARED_UNITS: frozenset[str] = frozenset({"%", "Prozentpunkte", "Jahr", "Klasse"})
"""Units whose figures are not compared: shares and their changes (a rate that moves by
half is not news a Land asks about the way money is), years and classes."""


@dataclass(frozen=True)
class Difference:
    """One figure that changed beyond the threshold since the year before."""

    field: str
    number: str
    label: str
    unit: str
    before: Value
    after: Value
    kind: str
    """``gestiegen``, ``gesunken``, ``neu`` (no value last year) or ``entfallen``."""

    @property
    def relative(self) -> float | None:
        """The change as a share of last year's value (None without two numbers or from 0)."""
        if not _number(self.before) or not _number(self.after) or self.before == 0:
            return None
        return (float(self.after) - float(self.before)) / abs(float(self.before))  # type: ignore[arg-type]


def _number(value: Value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _figures(report: Report, parts: tuple[str, ...]) -> Iterator[Row]:
    for part, _section, row in report.rows():
        if part.key in parts and row.unit not in NOT_COMPARED_UNITS:
            yield row


def year_on_year(
    previous: Report,
    current: Report,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    parts: tuple[str, ...] = COMPARED_PARTS,
) -> tuple[Difference, ...]:
    """List the figures of ``current`` that differ from ``previous`` beyond ``threshold``.

    A figure counts when both reports give a number and the change is more than
    ``threshold`` of last year's value (any change from 0), or when one of the two
    reports gives a number and the other gives none. Shares (per cent, percentage
    points), years, classes and texts are not compared.

    Examples
    --------
    >>> from monitoring.reports.report import Part, Section
    >>> def rep(year, *values):
    ...     rows = tuple(
    ...         Row(f"B.{k}", f"F{k}", v, "€", reason=None if v is not None else "nicht gemeldet")
    ...         for k, v in enumerate(values, start=1)
    ...     )
    ...     return Report("FA", "x", "01001000", None, year, "", "", "", "fp", {},
    ...                   (Part("B", "B", (Section("B", "Mittel", rows),)),))
    >>> found = year_on_year(rep(2023, 100.0, 100.0, 0.0, 5.0), rep(2024, 140.0, 160.0, 1.0, None))
    >>> [(d.field, d.kind) for d in found]
    [('B.2', 'gestiegen'), ('B.3', 'gestiegen'), ('B.4', 'entfallen')]
    >>> round(found[0].relative, 2)
    0.6
    """
    before = {row.field: row for row in _figures(previous, parts)}
    out: list[Difference] = []
    for row in _figures(current, parts):
        old = before.get(row.field)
        old_value = old.value if old is not None else None
        if _number(row.value) and _number(old_value):
            new, was = float(row.value), float(old_value)  # type: ignore[arg-type]
            if new == was:
                continue
            if was != 0 and abs(new - was) <= threshold * abs(was):
                continue
            kind = "gestiegen" if new > was else "gesunken"
        elif _number(row.value) and old is not None and not _number(old_value):
            kind = "neu"
        elif _number(old_value) and not _number(row.value):
            kind = "entfallen"
        else:
            continue
        out.append(
            Difference(row.field, row.shown_number, row.label, row.unit, old_value, row.value, kind)
        )
    return tuple(out)
