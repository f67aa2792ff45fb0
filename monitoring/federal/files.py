"""Input of a collection from the command line: package files and the threshold as written.

``qmon collect`` takes files and folders (a folder: its ``*.json`` files) and a threshold
written the German way (``0,5`` or ``50 %``).
"""

from __future__ import annotations

from pathlib import Path

from geo.readers import NumberFormat, parse_number
from monitoring.errors import RuleViolation
from monitoring.federal.differences import DEFAULT_THRESHOLD
from monitoring.messages import render


def parse_threshold(text: str | None) -> float:
    """Return the threshold written the German way (``0,5`` or ``50 %``) as a share.

    Examples
    --------
    >>> parse_threshold("0,5"), parse_threshold("25 %"), parse_threshold(None)
    (0.5, 0.25, 0.5)
    >>> parse_threshold("abc")
    Traceback (most recent call last):
    ...
    monitoring.errors.RuleViolation: Die Schwelle „abc“ ist kein Anteil zwischen 0 und 10; \
geben Sie z. B. 0,5 für 50 % an
    """
    if text is None:
        return DEFAULT_THRESHOLD
    try:
        value = parse_number(text, NumberFormat(",", "."))
    except ValueError:
        raise RuleViolation(render("collect.threshold", value=text)) from None
    if "%" in text:
        value /= 100
    if not 0 <= value <= 10:
        raise RuleViolation(render("collect.threshold", value=text))
    return value


def package_files(paths: list[str]) -> list[tuple[str, bytes]]:
    """Read the files named (a folder: its ``*.json`` files, sorted by name)."""
    if not paths:
        raise RuleViolation(render("collect.nothing"))
    files: list[tuple[str, bytes]] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = sorted(path.glob("*.json"))
            if not found:
                raise RuleViolation(render("collect.no_files_in", folder=str(path)))
            files.extend((f.name, f.read_bytes()) for f in found)
        else:
            files.append((path.name, path.read_bytes()))
    return files
