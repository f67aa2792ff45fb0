"""Indicator definitions as data: a registry loaded from TOML.

The defaults ship as ``indicators/indicators.toml`` (package data). A city adds
indicators or overrides fields of the defaults with a file of its own in the same
format, passed to :func:`load_registry`, or with rows of its store's catalogue
(layer ``indicator_defs``), laid over the defaults by :func:`registry_with`.
"""

from __future__ import annotations

import contextlib
import math
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from geo import german
from indicators.errors import RegistryError, UnknownIndicatorError

Kind = Literal["count", "share", "rate", "index", "value"]
Direction = Literal["higher_is_better", "higher_is_worse", "neutral"]
Formula = Literal["ratio", "change"]
KINDS: tuple[str, ...] = ("count", "share", "rate", "index", "value")
KIND_LABELS: Mapping[str, str] = {
    "count": "Anzahl",
    "share": "Anteil",
    "rate": "Quote/Rate",
    "index": "Index",
    "value": "Wert",
}
"""German names of the kinds, for messages and forms."""
DIRECTIONS: tuple[str, ...] = ("higher_is_better", "higher_is_worse", "neutral")
FORMULAS: tuple[str, ...] = ("ratio", "change")
DEFAULT_FILE = "indicators.toml"


@dataclass(frozen=True)
class IndicatorDef:
    """One indicator: what it measures and how it is computed.

    ``kind`` is ``count`` for extensive values (they add up over areas), ``share``
    or ``rate`` for intensive ones (recomputed from ``numerator`` and
    ``denominator``; a share without them is a published value that cannot be
    aggregated), ``index`` for scores and classes of a composite index, ``value``
    for any other measure published per area (an average, an amount in euros)
    that is neither summed nor recomputed.
    """

    key: str
    label: str
    unit: str
    kind: Kind
    numerator: str | None = None
    denominator: str | None = None
    direction: Direction = "neutral"
    source: str = ""
    min_value: float | None = None
    max_value: float | None = None
    formula: Formula = "ratio"
    factor: float = 100.0

    @property
    def intensive(self) -> bool:
        """True for shares and rates (values that must not be summed)."""
        return self.kind in ("share", "rate")

    @property
    def derived(self) -> bool:
        """True when the value is computed from a numerator and a denominator."""
        return self.numerator is not None and self.denominator is not None

    def check_value(self, value: float) -> str | None:
        """Return why ``value`` is impossible for this indicator, or None when it is fine.

        Examples
        --------
        >>> d = IndicatorDef("x", "X", "%", "share", min_value=0, max_value=100)
        >>> d.check_value(50.0) is None
        True
        >>> d.check_value(120.0)
        'value 120.0 of x is above the maximum 100'
        """
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if self.min_value is not None and value < self.min_value:
            return f"value {value} of {self.key} is below the minimum {self.min_value:g}"
        if self.max_value is not None and value > self.max_value:
            return f"value {value} of {self.key} is above the maximum {self.max_value:g}"
        return None


_FIELDS = {f.name for f in fields(IndicatorDef)} - {"key"}


class Registry(Mapping[str, IndicatorDef]):
    """The indicators known to an installation, by key (read-only)."""

    def __init__(self, defs: Mapping[str, IndicatorDef]) -> None:
        self._defs = dict(defs)
        _check_consistency(self._defs)

    def get(self, key: str) -> IndicatorDef:  # type: ignore[override]
        """Return the definition of ``key``; raise UnknownIndicatorError if there is none.

        Unlike ``dict.get`` there is no default: an unknown key is an error (test
        membership with ``key in registry``).

        Examples
        --------
        >>> reg = load_registry()
        >>> reg.get("unemployment_rate").denominator
        'residents_15_64'
        """
        try:
            return self._defs[key]
        except KeyError:
            raise UnknownIndicatorError(
                code="registry.unknown", key=key, known=", ".join(sorted(self._defs)[:12])
            ) from None

    def __getitem__(self, key: str) -> IndicatorDef:
        return self.get(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._defs)

    def __len__(self) -> int:
        return len(self._defs)

    def of_kind(self, *kinds: str) -> list[IndicatorDef]:
        """Return the definitions of the given kinds, in registry order."""
        return [d for d in self._defs.values() if d.kind in kinds]

    def derived(self) -> list[IndicatorDef]:
        """Return the shares and rates computed from a numerator and a denominator."""
        return [d for d in self._defs.values() if d.derived]


def load_registry(path: str | Path | None = None) -> Registry:
    """Load the shipped defaults, extended or overridden by a city file.

    Parameters
    ----------
    path
        A TOML file with one table per indicator key. A key that is already a
        default overrides the fields it names; a new key must give at least
        ``label``, ``unit`` and ``kind``.

    Returns
    -------
    Registry

    Raises
    ------
    RegistryError
        When a file is missing or malformed, a field is unknown, a kind, direction
        or formula is not allowed, or a rate names a numerator or denominator that
        is not a count in the registry.

    Examples
    --------
    >>> reg = load_registry()
    >>> d = reg.get("vacancy_rate")
    >>> (d.kind, d.numerator, d.denominator, d.unit)
    ('rate', 'vacant_dwellings', 'dwellings', '%')
    >>> reg.get("residents").label
    'Einwohnerinnen und Einwohner'
    """
    text = (Path(__file__).resolve().parent / DEFAULT_FILE).read_text(encoding="utf-8")
    defs = _parse(text, source="indicators/indicators.toml (defaults)", base={})
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise RegistryError(code="registry.missing_file", file=str(file))
        defs = _parse(file.read_text(encoding="utf-8"), source=str(file), base=defs)
    return Registry(defs)


def _parse(text: str, *, source: str, base: dict[str, IndicatorDef]) -> dict[str, IndicatorDef]:
    """Parse TOML text into definitions on top of ``base``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(code="registry.not_toml", source=source, detail=str(exc)) from exc
    out = dict(base)
    for key, table in data.items():
        if not isinstance(table, dict):
            raise RegistryError(
                code="registry.not_table", source=source, key=key, found=type(table).__name__
            )
        unknown = sorted(set(table) - _FIELDS)
        if unknown:
            raise RegistryError(
                code="registry.unknown_fields",
                source=source,
                key=key,
                fields=", ".join(unknown),
                allowed=", ".join(sorted(_FIELDS)),
            )
        if key in out:
            values = {f: getattr(out[key], f) for f in _FIELDS} | table
        else:
            missing = [f for f in ("label", "unit", "kind") if f not in table]
            if missing:
                raise RegistryError(
                    code="registry.new_lacks", source=source, key=key, missing=", ".join(missing)
                )
            values = dict(table)
        out[key] = _make_def(key, values, source=source)
    return out


def _make_def(key: str, values: dict[str, Any], *, source: str) -> IndicatorDef:
    """Build and check one definition."""
    for name, allowed in (("kind", KINDS), ("direction", DIRECTIONS), ("formula", FORMULAS)):
        if name in values and values[name] not in allowed:
            raise RegistryError(
                code="registry.choice",
                source=source,
                key=key,
                name=name,
                value=values[name],
                allowed=", ".join(allowed),
            )
    for name in ("min_value", "max_value", "factor"):
        if values.get(name) is not None and not isinstance(values[name], (int, float)):
            raise RegistryError(
                code="registry.not_number", source=source, key=key, name=name, value=values[name]
            )
    for name in ("min_value", "max_value"):
        if values.get(name) is not None:
            values[name] = float(values[name])
    if "factor" in values:
        values["factor"] = float(values["factor"])
    d = IndicatorDef(key=key, **values)
    if (d.numerator is None) != (d.denominator is None):
        raise RegistryError(code="registry.one_of_pair", source=source, key=key)
    if d.derived and d.kind not in ("share", "rate"):
        raise RegistryError(code="registry.derived_kind", source=source, key=key, kind=d.kind)
    if d.formula == "change" and d.numerator != d.denominator:
        raise RegistryError(
            code="registry.change",
            source=source,
            key=key,
            numerator=d.numerator,
            denominator=d.denominator,
        )
    if d.min_value is not None and d.max_value is not None and d.min_value > d.max_value:
        raise RegistryError(
            code="registry.bounds",
            source=source,
            key=key,
            low=german.number(d.min_value, decimals=2),
            high=german.number(d.max_value, decimals=2),
        )
    return d


_ROLES = {"numerator": "Zähler", "denominator": "Nenner"}


def _check_consistency(defs: Mapping[str, IndicatorDef]) -> None:
    """Every numerator and denominator must be a count of the registry."""
    for d in defs.values():
        for role in ("numerator", "denominator"):
            ref = getattr(d, role)
            if ref is None:
                continue
            if ref not in defs:
                raise RegistryError(
                    code="registry.reference_missing", key=d.key, role=_ROLES[role], ref=ref
                )
            if defs[ref].kind != "count":
                raise RegistryError(
                    code="registry.reference_not_count",
                    key=d.key,
                    role=_ROLES[role],
                    ref=ref,
                    kind=f"„{KIND_LABELS.get(defs[ref].kind, defs[ref].kind)}“",
                )


def with_overrides(registry: Registry, key: str, **changes: Any) -> Registry:
    """Return a new registry with some fields of one definition changed.

    Examples
    --------
    >>> reg = with_overrides(load_registry(), "residents", label="Bevölkerung")
    >>> reg.get("residents").label
    'Bevölkerung'
    """
    d = registry.get(key)
    defs = dict(registry.items())
    defs[key] = _make_def(
        key, {f: getattr(replace(d, **changes), f) for f in _FIELDS}, source="override"
    )
    return Registry(defs)


# --- the store's catalogue over the defaults ---------------------------------------------

ROW_FIELDS: tuple[str, ...] = (
    "label",
    "unit",
    "kind",
    "numerator",
    "denominator",
    "formula",
    "factor",
    "direction",
    "source",
    "min_value",
    "max_value",
)
"""Fields of an ``indicator_defs`` row that make up a definition (others are ignored)."""


def _given(value: Any) -> bool:
    """True for a value a row really holds (not None, NaN or blank text)."""
    if value is None or value is pd.NA:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return not (isinstance(value, str) and not value.strip())


def def_problems(key: str, values: Mapping[str, Any]) -> list[str]:
    """Return in German what is wrong with one catalogue definition (empty when fine).

    ``values`` holds the fields of the definition as it would be (defaults and the
    row merged). The checks are those of the TOML registry: allowed kind, direction
    and formula, numbers where numbers belong, numerator and denominator together
    and only for shares and rates, ``change`` with one count, min not above max.

    Examples
    --------
    >>> def_problems("x", {"label": "X", "unit": "%", "kind": "anteil"})
    ['Indikator „x“: die Art „anteil“ gibt es nicht; erlaubt: count (Anzahl), \
share (Anteil), rate (Quote/Rate), index (Index), value (Wert)']
    >>> def_problems("x", {"label": "X", "unit": "%", "kind": "share"})
    []
    """
    out: list[str] = []
    head = f"Indikator „{key}“"
    if not key or not str(key).strip() or str(key) != str(key).strip():
        out.append(f"der Schlüssel „{key}“ ist leer oder hat Leerzeichen am Rand")
    if not _given(values.get("label")):
        out.append(f"{head}: die Bezeichnung fehlt; geben Sie eine deutsche Bezeichnung an")
    allowed = {
        "kind": [f"{k} ({KIND_LABELS[k]})" for k in KINDS],
        "direction": list(DIRECTIONS),
        "formula": list(FORMULAS),
    }
    names = {"kind": "die Art", "direction": "die Richtung", "formula": "die Formel"}
    for name, options in allowed.items():
        value = values.get(name)
        if _given(value) and value not in (KINDS if name == "kind" else options):
            out.append(
                f"{head}: {names[name]} „{value}“ gibt es nicht; erlaubt: {', '.join(options)}"
            )
    if not _given(values.get("kind")):
        out.append(f"{head}: die Art fehlt; erlaubt: {', '.join(allowed['kind'])}")
    for name, what in (("min_value", "der kleinste Wert"), ("max_value", "der größte Wert"),
                       ("factor", "der Faktor")):  # fmt: skip
        value = values.get(name)
        if _given(value) and (isinstance(value, bool) or not isinstance(value, (int, float))):
            out.append(f"{head}: {what} „{value}“ ist keine Zahl")
    num, den = _given(values.get("numerator")), _given(values.get("denominator"))
    if num != den:
        out.append(
            f"{head}: nur Zähler oder nur Nenner ist angegeben; geben Sie beide an oder keinen"
        )
    if num and den and values.get("kind") not in ("share", "rate"):
        out.append(
            f"{head}: hat einen Zähler, ist aber „{values.get('kind')}“; nur Anteile (share) "
            "und Raten (rate) werden aus Zählwerten berechnet"
        )
    if values.get("formula") == "change" and values.get("numerator") != values.get("denominator"):
        out.append(
            f"{head}: die Formel „change“ braucht Zähler = Nenner (die Anzahl, die sich ändert)"
        )
    low, high = values.get("min_value"), values.get("max_value")
    if (
        isinstance(low, (int, float))
        and isinstance(high, (int, float))
        and _given(low)
        and _given(high)
        and low > high
    ):
        out.append(f"{head}: der kleinste Wert {low:g} liegt über dem größten {high:g}")
    return out


def registry_with(base: Registry, rows: Iterable[Mapping[str, Any]]) -> Registry:
    """Return ``base`` with the rows of a store's catalogue laid over it.

    A row whose ``key`` is in ``base`` overrides the fields it gives (empty fields
    keep the default); a new key adds an indicator and must give at least ``label``
    and ``kind``. Each definition is checked as :func:`load_registry` checks a city
    file, and every numerator and denominator must be a count of the result.

    Parameters
    ----------
    base
        The shipped registry (:func:`load_registry`).
    rows
        Mappings with ``key`` and the fields of :data:`ROW_FIELDS` (other columns,
        such as the audit columns of the store, are ignored).

    Returns
    -------
    Registry

    Raises
    ------
    RegistryError
        Listing in German every definition that is wrong and why.

    Examples
    --------
    >>> reg = registry_with(load_registry(), [
    ...     {"key": "anteil_u18", "label": "Anteil der unter 18-Jährigen", "unit": "%",
    ...      "kind": "share", "numerator": None, "min_value": float("nan")},
    ...     {"key": "residents", "label": "Bevölkerung insgesamt"}])
    >>> reg.get("anteil_u18").kind, reg.get("residents").label, reg.get("residents").kind
    ('share', 'Bevölkerung insgesamt', 'count')
    >>> registry_with(load_registry(), [{"key": "x", "label": "X", "kind": "anteil"}])
    Traceback (most recent call last):
    ...
    indicators.errors.RegistryError: Indikator „x“: die Art „anteil“ gibt es nicht; \
erlaubt: count (Anzahl), share (Anteil), rate (Quote/Rate), index (Index), value (Wert)
    """
    defs, problems = _lay_over(base, rows)
    if problems:
        raise RegistryError("; ".join(problems))
    return Registry(defs)


def registry_problems(base: Registry, rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Return in German every problem :func:`registry_with` would raise (empty when none).

    Examples
    --------
    >>> registry_problems(load_registry(), [{"key": "q", "label": "Q", "kind": "rate",
    ...     "numerator": "q_count", "denominator": "residents"}])
    ['Indikator „q“: der Zähler „q_count“ ist nicht im Katalog; legen Sie „q_count“ als Anzahl \
(count) an']
    """
    return _lay_over(base, rows)[1]


def _lay_over(
    base: Registry, rows: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, IndicatorDef], list[str]]:
    """The definitions of ``base`` with ``rows`` laid over them, and the problems found."""
    defs = dict(base.items())
    problems: list[str] = []
    for row in rows:
        key = str(row.get("key") or "")
        given = {f: row[f] for f in ROW_FIELDS if f in row and _given(row[f])}
        for name in ("factor", "min_value", "max_value"):
            if name in given and not isinstance(given[name], (int, float, bool)):
                with contextlib.suppress(ValueError):  # def_problems names it
                    given[name] = float(str(given[name]).replace(",", "."))
        if key in defs:
            values = {f: getattr(defs[key], f) for f in _FIELDS} | given
        else:
            values = {"unit": ""} | given
        found = def_problems(key, values)
        if found:
            problems += found
            continue
        defs[key] = _make_def(key, dict(values), source="Indikatorkatalog")
    problems += _german_consistency(defs)
    return defs, problems


def _german_consistency(defs: Mapping[str, IndicatorDef]) -> list[str]:
    """Every numerator and denominator must be a count (German messages)."""
    out = []
    for d in defs.values():
        for role, name in (("numerator", "Zähler"), ("denominator", "Nenner")):
            ref = getattr(d, role)
            if ref is None:
                continue
            if ref not in defs:
                out.append(
                    f"Indikator „{d.key}“: der {name} „{ref}“ ist nicht im Katalog; legen "
                    f"Sie „{ref}“ als Anzahl (count) an"
                )
            elif defs[ref].kind != "count":
                out.append(
                    f"Indikator „{d.key}“: der {name} „{ref}“ ist keine Anzahl, sondern "
                    f"„{defs[ref].kind}“; Anteile und Raten werden nur aus Anzahlen berechnet"
                )
    return out
