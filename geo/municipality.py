"""Municipality keys (AGS) and scopes: which records a user or a database role may see.

A scope is a prefix of the 8-digit Amtlicher Gemeindeschlüssel: ``""`` is every
municipality (the Bund, or the owner of a store), two digits a Land, five a Kreis, eight
one municipality. A record is inside a scope when its AGS starts with it.
"""

from __future__ import annotations

from collections.abc import Mapping

LAENDER: Mapping[str, str] = {
    "01": "Schleswig-Holstein",
    "02": "Hamburg",
    "03": "Niedersachsen",
    "04": "Bremen",
    "05": "Nordrhein-Westfalen",
    "06": "Hessen",
    "07": "Rheinland-Pfalz",
    "08": "Baden-Württemberg",
    "09": "Bayern",
    "10": "Saarland",
    "11": "Berlin",
    "12": "Brandenburg",
    "13": "Mecklenburg-Vorpommern",
    "14": "Sachsen",
    "15": "Sachsen-Anhalt",
    "16": "Thüringen",
}
"""The 16 Länder by their key, the first two digits of the AGS."""

SCOPE_LENGTHS: tuple[int, ...] = (0, 2, 5, 8)
SCOPE_LEVELS: dict[int, str] = {0: "Bund", 2: "Land", 5: "Kreis", 8: "Gemeinde"}


def valid_scope(value: object) -> bool:
    """Return whether ``value`` is a scope: digits only, of length 0, 2, 5 or 8.

    Examples
    --------
    >>> valid_scope(""), valid_scope("05"), valid_scope("05315000")
    (True, True, True)
    >>> valid_scope("0531"), valid_scope("05a15000"), valid_scope(5)
    (False, False, False)
    """
    return (
        isinstance(value, str)
        and len(value) in SCOPE_LENGTHS
        and (value == "" or (value.isascii() and value.isdigit()))
    )


def in_scope(ags: object, scope: str) -> bool:
    """Return whether a record's AGS lies inside ``scope`` (an empty AGS only in ``""``).

    Examples
    --------
    >>> in_scope("05315000", "05"), in_scope("05315000", "09"), in_scope(None, "")
    (True, False, True)
    >>> in_scope(None, "05315000")
    False
    """
    if scope == "":
        return True
    return isinstance(ags, str) and ags.startswith(scope)


def scope_label(scope: str) -> str:
    """Return how a user reads a scope: „Gemeinde 05315000“, „Land 05“, „alle Gemeinden“.

    Examples
    --------
    >>> scope_label("05315000"), scope_label("05"), scope_label("")
    ('Gemeinde 05315000', 'Land 05', 'alle Gemeinden')
    """
    if scope == "":
        return "alle Gemeinden"
    return f"{SCOPE_LEVELS.get(len(scope), 'Bereich')} {scope}"
