"""Findings of the domain checks: errors refuse a change, warnings are shown with it.

Every check of the monitoring domain (dates, statuses, funding sums and shares, fund
rules, measures outside their area) returns a list of :class:`Finding`. The services
refuse a change when a finding is an error (:func:`raise_errors`) and hand the
warnings back to the user.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from monitoring.errors import RuleViolation

Level = Literal["error", "warning"]
LEVELS: tuple[str, ...] = ("error", "warning")
LEVEL_LABELS = {"error": "Fehler", "warning": "Hinweis"}


@dataclass(frozen=True)
class Finding:
    """One result of a check: level, a short code, the record and a message.

    Examples
    --------
    >>> Finding("error", "dates", "measures", "M1", "end before start").level
    'error'
    >>> Finding("fatal", "x", "measures", "M1", "m")
    Traceback (most recent call last):
    ...
    ValueError: Die Stufe 'fatal' eines Befunds ist keine von error, warning
    """

    level: Level
    code: str
    layer: str
    record: str
    message: str

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(
                f"Die Stufe {self.level!r} eines Befunds ist keine von {', '.join(LEVELS)}"
            )


def errors(findings: Iterable[Finding]) -> list[Finding]:
    """Return the findings that are errors."""
    return [f for f in findings if f.level == "error"]


def warnings(findings: Iterable[Finding]) -> list[Finding]:
    """Return the findings that are warnings."""
    return [f for f in findings if f.level == "warning"]


def raise_errors(findings: Sequence[Finding], *, what: str) -> list[Finding]:
    """Raise RuleViolation listing every error; return the warnings when there is none.

    Raises
    ------
    RuleViolation
        With all error messages, so the user fixes everything at once.

    Examples
    --------
    >>> raise_errors([Finding("warning", "w", "measures", "M1", "far away")], what="M1")
    [Finding(level='warning', code='w', layer='measures', record='M1', message='far away')]
    >>> raise_errors([Finding("error", "e", "measures", "M1", "end before start")], what="M1")
    Traceback (most recent call last):
    ...
    monitoring.errors.RuleViolation: M1 – nicht gespeichert: end before start
    """
    bad = errors(findings)
    if bad:
        messages = [f.message for f in bad]
        raise RuleViolation(f"{what} – nicht gespeichert: {'; '.join(messages)}", problems=messages)
    return warnings(findings)


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """Return findings as a frame with the columns level, code, layer, record, message."""
    rows = [(f.level, f.code, f.layer, f.record, f.message) for f in findings]
    return pd.DataFrame(rows, columns=["level", "code", "layer", "record", "message"])
