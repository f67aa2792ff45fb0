"""Area levels by their stored names: how maps, tables and messages speak of them.

A city stores its own levels (``Stadtteil``, ``Ortsteil``, ``Statistischer Bezirk`` …);
Berlin's are ``Planungsraum``, ``Bezirksregion``, ``Bezirk``. Every label that names a
level is made from the stored name, never from a fixed one: a Stadtteil is never
called a Planungsraum.
"""

from __future__ import annotations

#: German plurals of the level names we know; any other level is named neutrally
#: (see :func:`level_plural`).
LEVEL_PLURALS: dict[str, str] = {
    "Planungsraum": "Planungsräume",
    "Bezirksregion": "Bezirksregionen",
    "Prognoseraum": "Prognoseräume",
    "Bezirk": "Bezirke",
    "Stadtbezirk": "Stadtbezirke",
    "Stadtteil": "Stadtteile",
    "Ortsteil": "Ortsteile",
    "Ortsamtsbereich": "Ortsamtsbereiche",
    "Stadtviertel": "Stadtviertel",
    "Viertel": "Viertel",
    "Quartier": "Quartiere",
    "Statistischer Bezirk": "Statistische Bezirke",
    "Statistisches Gebiet": "Statistische Gebiete",
    "Gemeinde": "Gemeinden",
    "Kreis": "Kreise",
}


def level_plural(level: str) -> str:
    """Return the German plural of a level name (a neutral phrase for unknown levels).

    Examples
    --------
    >>> level_plural("Stadtteil"), level_plural("Statistischer Bezirk")
    ('Stadtteile', 'Statistische Bezirke')
    >>> level_plural("Sozialraum")
    'Gebiete der Ebene „Sozialraum“'
    >>> level_plural("")
    'Gebiete'
    """
    name = str(level).strip()
    if not name:
        return "Gebiete"
    return LEVEL_PLURALS.get(name, f"Gebiete der Ebene „{name}“")


def level_dative_plural(level: str) -> str:
    """Return the plural after "aus den" / "in den" (dative), neutral for unknown levels.

    Examples
    --------
    >>> level_dative_plural("Planungsraum"), level_dative_plural("Statistischer Bezirk")
    ('Planungsräumen', 'Statistischen Bezirken')
    >>> level_dative_plural("Stadtviertel"), level_dative_plural("Sozialraum")
    ('Stadtvierteln', 'Gebieten der Ebene „Sozialraum“')
    """
    name = str(level).strip()
    if name not in LEVEL_PLURALS:
        return f"Gebieten der Ebene „{name}“" if name else "Gebieten"
    words = LEVEL_PLURALS[name].split(" ")
    words = [w + "n" if w.endswith("e") else w for w in words[:-1]] + [
        words[-1] if words[-1].endswith("n") else words[-1] + "n"
    ]
    return " ".join(words)


def level_label(level: str | None) -> str:
    """Return the name of one area of a level, as a column or tooltip heading.

    Examples
    --------
    >>> level_label("Ortsteil"), level_label(None)
    ('Ortsteil', 'Gebiet')
    """
    name = str(level).strip() if level is not None else ""
    return name or "Gebiet"
