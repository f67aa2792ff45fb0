"""What a statistics office's column header says: key, German label, unit and kind.

Statistics offices head their columns for people ("Anteil der unter 18-Jährigen in
%", "Arbeitslose je 1 000 Einwohner", "Wohnungen Anzahl"). :func:`infer_header`
reads such a header into a :class:`HeaderGuess`: an ASCII key (umlauts
transliterated), the label (the header with whitespace normalised and a trailing
unit removed), the unit and the kind. :func:`infer_headers` does it for all columns
of a table with unique keys, :func:`check_kind` says when the values contradict the
kind.

Kinds: ``share`` for a percentage (``%``, ``Prozent``, ``Anteil``, ``Quote``),
``rate`` for a value per something (``je``, ``pro``), ``count`` for a header
saying ``Anzahl`` or ``insgesamt`` and for whole, non-negative numbers, ``value``
otherwise (averages, amounts).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from indicators.registry import Kind

MAX_KEY_LENGTH = 48

_TRANSLIT = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}

# trailing units: "in %", "(%)", "in m²", "in Euro", "Anzahl", "in Jahren" …
_UNIT_SUFFIX = re.compile(
    r"""\s*[(\[]?\s*(?:in\s+)?
        (?P<unit>%|Prozent|v\.\s?H\.|m²|m2|qm|Quadratmeter|Euro|EUR|€|Jahren|Jahre|Anzahl)
        \s*[)\]]?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_PER = re.compile(r"\b(je|pro)\b\s+(?P<what>.+)$", re.IGNORECASE)
_FOOTNOTE = re.compile(r"(\s*(\d\)|\*+|(?<![mM])[¹²³⁴⁵⁶⁷⁸⁹]))+$")
_UNITS = {
    "%": "%",
    "prozent": "%",
    "v.h.": "%",
    "m²": "m²",
    "m2": "m²",
    "qm": "m²",
    "quadratmeter": "m²",
    "euro": "Euro",
    "eur": "Euro",
    "€": "Euro",
    "jahren": "Jahre",
    "jahre": "Jahre",
    "anzahl": "Anzahl",
}
_PERSON_WORDS = (
    "einwohner",
    "bevölkerung",
    "personen",
    "menschen",
    "arbeitslose",
    "beschäftigte",
    "empfänger",
    "leistungsberechtigte",
    "kinder",
    "jugendliche",
    "schüler",
    "ausländer",
    "deutsche",
    "männer",
    "frauen",
    "jährige",
    "bewohner",
)


@dataclass(frozen=True)
class HeaderGuess:
    """What a column header says: key, German label, unit and kind."""

    header: str
    key: str
    label: str
    unit: str
    kind: Kind


def normalise_header(header: object) -> str:
    """Return a header with whitespace (line breaks, non-breaking spaces) collapsed.

    Examples
    --------
    >>> normalise_header(" Wohnungen\\n Anzahl ")
    'Wohnungen Anzahl'
    >>> normalise_header("Arbeitslose je 1\\xa0000 Einwohner")
    'Arbeitslose je 1 000 Einwohner'
    """
    text = unicodedata.normalize("NFC", str(header)).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


def slug(text: str, *, max_length: int = MAX_KEY_LENGTH) -> str:
    """Return an ASCII key: lower case, umlauts transliterated, ``_`` between words.

    Digits grouped by spaces or points ("1 000", "1.000") are joined; a key never
    starts with a digit.

    Examples
    --------
    >>> slug("Anteil der unter 18-Jährigen")
    'anteil_der_unter_18_jaehrigen'
    >>> slug("Arbeitslose je 1 000 Einwohner")
    'arbeitslose_je_1000_einwohner'
    >>> slug("2021: Straßen")
    'i_2021_strassen'
    """
    text = re.sub(r"(?<=\d)[ .](?=\d{3}\b)", "", text)
    text = "".join(_TRANSLIT.get(c, c) for c in text)
    text = text.replace("%", " prozent ").replace("²", "2").replace("€", " euro ")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    key = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not key:
        key = "indikator"
    if key[0].isdigit():
        key = f"i_{key}"
    if len(key) > max_length:
        key = key[:max_length].rstrip("_")
    return key


def _whole(values: Sequence[float]) -> bool:
    """True when every value is a whole number of at least 0."""
    return all(v >= 0 and float(v).is_integer() for v in values)


def _numbers(values: Iterable[object] | None) -> list[float] | None:
    """The finite numbers among ``values`` (None when no values were given)."""
    if values is None:
        return None
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        if math.isfinite(float(v)):
            out.append(float(v))
    return out


def infer_header(
    header: object, values: Iterable[object] | None = None, *, taken: Collection[str] = ()
) -> HeaderGuess:
    """Read a statistics-office column header into key, label, unit and kind.

    Parameters
    ----------
    header
        The column header as delivered.
    values
        The column's numbers, when known: a column whose header names no unit
        is a count when all are whole and not negative, a value otherwise.
    taken
        Keys already in use: the key gets ``_2``, ``_3`` … until it is free.

    Returns
    -------
    HeaderGuess

    Examples
    --------
    >>> g = infer_header("Anteil der unter 18-Jährigen in %")
    >>> g.key, g.label, g.unit, g.kind
    ('anteil_der_unter_18_jaehrigen', 'Anteil der unter 18-Jährigen', '%', 'share')
    >>> g = infer_header("Arbeitslose je 1 000 Einwohner")
    >>> g.key, g.label, g.unit, g.kind
    ('arbeitslose_je_1000_einwohner', 'Arbeitslose je 1 000 Einwohner', 'je 1.000 Einwohner', \
'rate')
    >>> g = infer_header("Bevölkerung insgesamt", [1675, 2010])
    >>> g.key, g.label, g.unit, g.kind
    ('bevoelkerung_insgesamt', 'Bevölkerung insgesamt', 'Personen', 'count')
    >>> g = infer_header("Wohnungen Anzahl", [812, 1020])
    >>> g.key, g.label, g.unit, g.kind
    ('wohnungen', 'Wohnungen', 'Anzahl', 'count')
    >>> g = infer_header("Durchschnittliche Wohnfläche je Einwohner in m²", [38.2, 41.0])
    >>> g.label, g.unit, g.kind
    ('Durchschnittliche Wohnfläche je Einwohner', 'm²', 'rate')
    >>> g = infer_header("Haushalte mit Kindern in %", taken={"haushalte_mit_kindern"})
    >>> g.key, g.label, g.unit, g.kind
    ('haushalte_mit_kindern_2', 'Haushalte mit Kindern', '%', 'share')
    >>> infer_header("Durchschnittsalter in Jahren", [41.3, 44.0]).kind
    'value'
    """
    text = normalise_header(header)
    text = _FOOTNOTE.sub("", text).strip() or text
    label, unit = text, ""
    found = _UNIT_SUFFIX.search(text)
    if found and _age_words(found):
        found = None  # "unter 6 Jahren", "65 Jahre und älter": an age group, not a unit
    if found and found.start() > 0:
        raw = re.sub(r"\s", "", found.group("unit")).lower()
        unit = _UNITS.get(raw, found.group("unit"))
        label = text[: found.start()].strip(" ,;:-–")
    lowered = label.lower()
    per = _PER.search(label)
    numbers = _numbers(values)
    kind: Kind
    if unit == "%" or re.search(r"\b(anteil|quote)\b", lowered):
        kind, unit = "share", unit or "%"
    elif per is not None:
        kind = "rate"
        if not unit:
            what = re.sub(r"(?<=\d) (?=\d{3}\b)", ".", per.group("what").strip())
            unit = f"{per.group(1).lower()} {what}"
    elif unit == "Anzahl" or re.search(r"\b(insgesamt|anzahl)\b", lowered):
        kind = "count"  # the header says so: values that contradict are for check_kind
    elif numbers is not None and numbers and _whole(numbers):
        kind = "count"
    else:
        kind = "value"
    if kind == "count" and unit in ("", "Anzahl"):
        persons = any(word in lowered for word in _PERSON_WORDS)
        unit = "Personen" if persons and unit == "" else (unit or "Anzahl")
    base = slug(label)
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}_{n}"
    return HeaderGuess(str(header), key, label or text, unit, kind)


def _age_words(found: re.Match[str]) -> bool:
    """Return whether a trailing "Jahre(n)" is part of an age group, not the unit.

    Examples
    --------
    >>> _age_words(_UNIT_SUFFIX.search("unter 6 Jahren"))
    True
    >>> _age_words(_UNIT_SUFFIX.search("Durchschnittsalter in Jahren"))
    False
    """
    if not found.group("unit").lower().startswith("jahr"):
        return False
    said = found.group(0)
    return not re.search(r"\bin\s|[(\[]", said, re.IGNORECASE)


def infer_headers(
    columns: Sequence[object],
    values: Sequence[Iterable[object] | None] | None = None,
    *,
    taken: Collection[str] = (),
) -> list[HeaderGuess]:
    """Read several headers at once; keys are unique among them and against ``taken``.

    Examples
    --------
    >>> [g.key for g in infer_headers(["Anteil Ausländer in %", "Anteil Ausländer (%)"])]
    ['anteil_auslaender', 'anteil_auslaender_2']
    """
    used = set(taken)
    out = []
    for i, column in enumerate(columns):
        guess = infer_header(column, None if values is None else values[i], taken=used)
        used.add(guess.key)
        out.append(guess)
    return out


def _german(value: float) -> str:
    """A number as German text (decimal comma, at most two places)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def check_kind(kind: str, values: Iterable[object]) -> str | None:
    """Return in German why ``values`` contradict ``kind``, or None when they fit.

    A share lies within 0–100 (per cent); a count is whole and not negative. Other
    kinds are not judged here (their bounds are the catalogue's ``min_value`` and
    ``max_value``).

    Examples
    --------
    >>> check_kind("share", [12.5, 40.0]) is None
    True
    >>> check_kind("share", [12.5, 140.0])
    'ein Anteil in % liegt zwischen 0 und 100, die Spalte hat 140 (1 Wert außerhalb)'
    >>> check_kind("count", [3, 2.5, -1])
    'eine Anzahl ist ganz und nicht negativ, die Spalte hat 2,5 und -1 (2 Werte)'
    """
    numbers = _numbers(values) or []
    if kind == "share":
        bad = [v for v in numbers if v < 0 or v > 100]
        if bad:
            n = len(bad)
            return (
                f"ein Anteil in % liegt zwischen 0 und 100, die Spalte hat "
                f"{' und '.join(_german(v) for v in bad[:2])} "
                f"({n} {'Wert' if n == 1 else 'Werte'} außerhalb)"
            )
    if kind == "count":
        bad = [v for v in numbers if v < 0 or not float(v).is_integer()]
        if bad:
            n = len(bad)
            return (
                f"eine Anzahl ist ganz und nicht negativ, die Spalte hat "
                f"{' und '.join(_german(v) for v in bad[:2])} ({n} {'Wert' if n == 1 else 'Werte'})"
            )
    return None
