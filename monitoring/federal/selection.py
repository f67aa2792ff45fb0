"""Checks of a national selection: which municipalities, how many Gesamtmaßnahmen, the source.

The national demo set (:mod:`data.national`, ``qmon demo --bund``) is built for all
municipalities, the first N by AGS, or those whose AGS starts with a prefix (a Land
``10``, a Kreis ``01001``). These helpers refuse a bad choice with a German message
before any work.
"""

from __future__ import annotations

import os
from pathlib import Path

from monitoring.errors import RuleViolation
from monitoring.messages import render

#: The two VG5000 files a national set is built from.
VG5000_FILES: tuple[str, str] = ("VG5000_GEM.shp", "VG5000_KRS.shp")


def check_selection(which: object) -> int | str | None:
    """Return ``which`` if it selects municipalities: None, a count ≥ 1 or an AGS prefix.

    Raises
    ------
    monitoring.errors.RuleViolation
        For a count below 1, a bool, or a prefix that is not 1 to 8 digits.

    Examples
    --------
    >>> check_selection("10"), check_selection(300), check_selection(None)
    ('10', 300, None)
    >>> check_selection("Saarland")
    Traceback (most recent call last):
    ...
    monitoring.errors.RuleViolation: Die Auswahl der Gemeinden „Saarland“ ist nicht möglich; \
erlaubt ist eine Anzahl ab 1 (--gemeinden) oder der Anfang eines Gemeindeschlüssels (--land, \
z. B. 01 für Schleswig-Holstein, 10 für das Saarland)
    """
    if which is None:
        return None
    if isinstance(which, int) and not isinstance(which, bool) and which >= 1:
        return which
    if isinstance(which, str) and which.isdigit() and len(which) <= 8:
        return which
    return _refuse(which)


def _refuse(which: object) -> int:
    raise RuleViolation(render("national.municipalities", value=f"„{which}“"))


def no_match(prefix: str) -> RuleViolation:
    """Return the error for a prefix no municipality's AGS starts with."""
    return RuleViolation(render("national.no_match", value=prefix))


def check_count(n: object) -> int:
    """Return ``n`` if it is a number of Gesamtmaßnahmen (0 or more).

    Examples
    --------
    >>> check_count(10_000)
    10000
    """
    if isinstance(n, int) and not isinstance(n, bool) and n >= 0:
        return n
    raise RuleViolation(render("national.count", value=n))


def check_source(folder: str | os.PathLike[str]) -> Path:
    """Return the VG5000 folder if it holds both shapefiles; name the missing one otherwise."""
    path = Path(folder)
    for name in VG5000_FILES:
        if not (path / name).exists():
            raise RuleViolation(render("national.no_source", path=path / name))
    return path


__all__ = ["VG5000_FILES", "check_count", "check_selection", "check_source", "no_match"]
