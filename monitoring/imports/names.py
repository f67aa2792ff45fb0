"""District names as statistics offices write them: one normal form to compare by.

A statistics office keys its tables by the district's name, written as people write
it: "St. Georg", "Sankt Georg", "ST. GEORG"; "Schloßstraße" or "Schlossstrasse";
"Rotherbaum" or "Rotherbaum " with a stray space; "Hamm-Nord" or "Hamm Nord". Two
names are the same when their normal forms (:func:`name_key`) are equal, or, for a
file written without umlauts ("Mulheim" for "Mülheim"), their plain forms
(:func:`plain_key`). Nothing here guesses: a name either has the same normal form as
a stored name or it does not. Suggestions for a name that fits nothing are made
elsewhere (difflib) and are only ever shown, never used.

The module also tells rows that are not one district: a generic total
(:func:`is_generic_total`), a name with a prefix or suffix that names a bigger area
("Bezirk Altona", "Altona insgesamt": :func:`aggregate_core`), and a name that lists
several districts ("Waltershof und Finkenwerder": :func:`merged_parts`).
"""

from __future__ import annotations

import re
import unicodedata

_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"}
_SEPARATORS = re.compile(r"[\-‐‑‒–—―−/\\._]+")
_SPACES = re.compile(r"\s+")
_SANKT = re.compile(r"\b(sankt|st)\b")
_TOTALS = frozenset(
    {
        "insgesamt",
        "gesamt",
        "summe",
        "zusammen",
        "total",
        "stadt",
        "stadt insgesamt",
        "stadt gesamt",
        "gesamtstadt",
        "stadt zusammen",
        "summe stadt",
        "alle",
        "alle gebiete",
    }
)
_TOTAL_WORDS = ("insgesamt", "gesamt", "zusammen", "summe")
_AREA_WORDS = ("stadtbezirk", "bezirk", "stadt", "landkreis", "kreis", "gemeinde")
_JOINERS = re.compile(r"\s*(?:,|/|&|\bund\b|\bu\.\s)\s*", re.IGNORECASE)


def _tidy(text: str) -> str:
    """Casefold, turn separators into spaces, tidy brackets and spaces."""
    out = _SEPARATORS.sub(" ", str(text).casefold())
    out = out.replace("(", " (").replace(")", ") ")
    out = _SPACES.sub(" ", out).strip()
    out = out.replace("( ", "(").replace(" )", ")")
    return _SANKT.sub("st", out)


def _strip_marks(text: str) -> str:
    """Drop accents other than the German umlauts already spelled out (é -> e)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_key(name: str) -> str:
    """Return the normal form two names are compared by.

    Case is folded; ä, ö, ü, ß are written ae, oe, ue, ss; hyphens, dashes, slashes
    and dots become one space, as do runs of spaces; "St.", "St" and "Sankt" are the
    same word. A suffix in brackets is kept: "Neustadt (Nord)" is not "Neustadt". A
    district number written before the name, as many GIS layers and statistics
    tables do ("01 Altstadt", "011 St. Nikolai"), is not part of it; two stored areas
    that then share a name are reported as such, never picked between.

    Examples
    --------
    >>> name_key("  Schloßstraße ")
    'schlossstrasse'
    >>> name_key("St. Georg") == name_key("Sankt  Georg") == name_key("ST GEORG")
    True
    >>> name_key("Hamm–Nord"), name_key("Hamm - Nord"), name_key("hamm/nord")
    ('hamm nord', 'hamm nord', 'hamm nord')
    >>> name_key("Neustadt(Nord)"), name_key("Neustadt ( Nord )")
    ('neustadt (nord)', 'neustadt (nord)')
    >>> name_key("Mühlenkamp") == name_key("Muehlenkamp")
    True
    >>> name_key("Stadtpark")  # "St" only as a word of its own
    'stadtpark'
    >>> name_key("01 Altstadt"), name_key("011 St. Nikolai"), name_key("1000 Wohnungen")
    ('altstadt', 'st nikolai', '1000 wohnungen')
    """
    folded = str(name).casefold()
    for letter, spelled in _UMLAUTS.items():
        folded = folded.replace(letter, spelled)
    return _number_dropped(_tidy(_strip_marks(folded)))


_DISTRICT_NUMBER = re.compile(r"^0\d{0,3} (?=[a-z])|^\d{1,3} (?=[a-z]{3,}$|[a-z]{3,} )")


def _number_dropped(key: str) -> str:
    """Drop a district number before the name ("01 altstadt" -> "altstadt")."""
    return _DISTRICT_NUMBER.sub("", key, count=1)


def plain_key(name: str) -> str:
    """Return the normal form with umlauts as plain vowels, for files written without them.

    Examples
    --------
    >>> plain_key("Mühlenkamp"), plain_key("Muhlenkamp"), plain_key("Muehlenkamp")
    ('muhlenkamp', 'muhlenkamp', 'muehlenkamp')
    >>> plain_key("Schloßstraße")
    'schlossstrasse'
    """
    folded = str(name).casefold().replace("ß", "ss").replace("ẞ", "ss")
    return _tidy(_strip_marks(folded))


def is_generic_total(name: str) -> bool:
    """Return whether a row name is a total of the whole file ("insgesamt", "Summe").

    Examples
    --------
    >>> [is_generic_total(n) for n in ["Insgesamt", "Summe", "Stadt insgesamt", "Altona"]]
    [True, True, True, False]
    >>> is_generic_total("Hamburg insgesamt"), is_generic_total("Summe Hamburg")
    (True, True)
    """
    key = name_key(name)
    if key in _TOTALS:
        return True
    words = key.split(" ")
    return len(words) > 1 and (words[-1] in _TOTAL_WORDS or words[0] in _TOTAL_WORDS)


def aggregate_core(name: str) -> str | None:
    """Return the area a total names ("Bezirk Altona", "Altona insgesamt" -> "altona").

    None when the name has no such prefix or suffix. The caller decides whether the
    rest names a stored area of a higher level.

    Examples
    --------
    >>> aggregate_core("Bezirk Altona"), aggregate_core("Altona insgesamt")
    ('altona', 'altona')
    >>> aggregate_core("Summe Bezirk Hamburg-Nord"), aggregate_core("Altona")
    ('hamburg nord', None)
    """
    words = name_key(name).split(" ")
    changed = True
    stripped = False
    while changed and len(words) > 1:
        changed = False
        if words[-1] in _TOTAL_WORDS:
            words, changed = words[:-1], True
        elif words[0] in (*_TOTAL_WORDS, *_AREA_WORDS):
            words, changed = words[1:], True
        stripped = stripped or changed
    return " ".join(words) if stripped else None


def merged_parts(name: str) -> list[str]:
    """Split a name that lists several areas ("A und B", "A, B und C", "A/B").

    Returns the parts as written (at least two), or ``[]`` when the name lists
    nothing. Whether every part is a stored area decides the caller.

    Examples
    --------
    >>> merged_parts("Waltershof und Finkenwerder")
    ['Waltershof', 'Finkenwerder']
    >>> merged_parts("Moorburg, Altenwerder und Neuland")
    ['Moorburg', 'Altenwerder', 'Neuland']
    >>> merged_parts("Hamm-Nord/Hamm-Süd"), merged_parts("Altona")
    (['Hamm-Nord', 'Hamm-Süd'], [])
    """
    parts = [p.strip() for p in _JOINERS.split(str(name)) if p and p.strip()]
    return parts if len(parts) > 1 else []
