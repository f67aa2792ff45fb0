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
from monitoring.messages import render

Level = Literal["error", "warning"]
LEVELS: tuple[str, ...] = ("error", "warning")
LEVEL_LABELS = {"error": "Fehler", "warning": "Hinweis"}


@dataclass(frozen=True)
class Finding:
    """One result of a check: level, a short code, the record and a message.

    Examples
    --------
    >>> Finding("error", "dates", "measures", "M1", "das Ende liegt vor dem Beginn").level
    'error'
    >>> Finding("fatal", "x", "measures", "M1", "m")
    Traceback (most recent call last):
    ...
    ValueError: Die Stufe „fatal“ eines Befunds ist keine von error (Fehler) oder warning (Hinweis)
    """

    level: Level
    code: str
    layer: str
    record: str
    message: str

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            levels = [f"{k} ({LEVEL_LABELS[k]})" for k in LEVELS]
            raise ValueError(
                render("finding.bad_level", level=self.level, levels=" oder ".join(levels))
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
    >>> raise_errors([Finding("warning", "w", "measures", "M1", "weit weg")], what="M1")
    [Finding(level='warning', code='w', layer='measures', record='M1', message='weit weg')]
    >>> raise_errors([Finding("error", "e", "measures", "M1", "Ende vor Beginn")], what="M1")
    Traceback (most recent call last):
    ...
    monitoring.errors.RuleViolation: M1 – nicht gespeichert: Ende vor Beginn
    """
    bad = errors(findings)
    if bad:
        messages = [f.message for f in bad]
        text = render("finding.refused", what=what, problems="; ".join(messages))
        raise RuleViolation(text, problems=messages)
    return warnings(findings)


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """Return findings as a frame with the columns level, code, layer, record, message."""
    rows = [(f.level, f.code, f.layer, f.record, f.message) for f in findings]
    return pd.DataFrame(rows, columns=["level", "code", "layer", "record", "message"])
