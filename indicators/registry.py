"""Indicator definitions as data: a registry loaded from TOML.

The defaults ship as ``indicators/indicators.toml`` (package data). A city adds
indicators or overrides fields of the defaults with a file of its own in the same
format, passed to :func:`load_registry`.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal

from indicators.errors import RegistryError, UnknownIndicatorError

Kind = Literal["count", "share", "rate", "index"]
Direction = Literal["higher_is_better", "higher_is_worse", "neutral"]
Formula = Literal["ratio", "change"]
KINDS: tuple[str, ...] = ("count", "share", "rate", "index")
DIRECTIONS: tuple[str, ...] = ("higher_is_better", "higher_is_worse", "neutral")
FORMULAS: tuple[str, ...] = ("ratio", "change")
DEFAULT_FILE = "indicators.toml"


@dataclass(frozen=True)
class IndicatorDef:
    """One indicator: what it measures and how it is computed.

    ``kind`` is ``count`` for extensive values (they add up over areas), ``share``
    or ``rate`` for intensive ones (recomputed from ``numerator`` and
    ``denominator``; a share without them is a published value that cannot be
    aggregated), ``index`` for scores and classes of a composite index.
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
                f"indicator {key!r} is not in the registry; known keys include "
                f"{', '.join(sorted(self._defs)[:12])} …; add it to the city's "
                "indicator file (see indicators/indicators.toml for the format)"
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
            raise RegistryError(
                f"indicator file {str(file)!r} does not exist; give the path of a TOML file "
                "with one [key] table per indicator"
            )
        defs = _parse(file.read_text(encoding="utf-8"), source=str(file), base=defs)
    return Registry(defs)


def _parse(text: str, *, source: str, base: dict[str, IndicatorDef]) -> dict[str, IndicatorDef]:
    """Parse TOML text into definitions on top of ``base``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"indicator file {source}: not valid TOML ({exc})") from exc
    out = dict(base)
    for key, table in data.items():
        if not isinstance(table, dict):
            raise RegistryError(
                f"indicator file {source}: {key!r} must be a table ([{key}] with fields), "
                f"not {type(table).__name__}"
            )
        unknown = sorted(set(table) - _FIELDS)
        if unknown:
            raise RegistryError(
                f"indicator file {source}: [{key}] has unknown field(s) {', '.join(unknown)}; "
                f"allowed: {', '.join(sorted(_FIELDS))}"
            )
        if key in out:
            values = {f: getattr(out[key], f) for f in _FIELDS} | table
        else:
            missing = [f for f in ("label", "unit", "kind") if f not in table]
            if missing:
                raise RegistryError(
                    f"indicator file {source}: new indicator [{key}] lacks "
                    f"{', '.join(missing)}; give label, unit and kind"
                )
            values = dict(table)
        out[key] = _make_def(key, values, source=source)
    return out


def _make_def(key: str, values: dict[str, Any], *, source: str) -> IndicatorDef:
    """Build and check one definition."""
    for name, allowed in (("kind", KINDS), ("direction", DIRECTIONS), ("formula", FORMULAS)):
        if name in values and values[name] not in allowed:
            raise RegistryError(
                f"indicator file {source}: [{key}] {name} = {values[name]!r} is not allowed; "
                f"use one of {', '.join(allowed)}"
            )
    for name in ("min_value", "max_value", "factor"):
        if values.get(name) is not None and not isinstance(values[name], (int, float)):
            raise RegistryError(
                f"indicator file {source}: [{key}] {name} = {values[name]!r} must be a number"
            )
    for name in ("min_value", "max_value"):
        if values.get(name) is not None:
            values[name] = float(values[name])
    if "factor" in values:
        values["factor"] = float(values["factor"])
    d = IndicatorDef(key=key, **values)
    if (d.numerator is None) != (d.denominator is None):
        raise RegistryError(
            f"indicator file {source}: [{key}] gives only one of numerator and denominator; "
            "give both or neither"
        )
    if d.derived and d.kind not in ("share", "rate"):
        raise RegistryError(
            f"indicator file {source}: [{key}] has a numerator but kind {d.kind!r}; "
            "only share and rate indicators are computed from counts"
        )
    if d.formula == "change" and d.numerator != d.denominator:
        raise RegistryError(
            f"indicator file {source}: [{key}] formula 'change' needs numerator == "
            f"denominator (the count that changes), got {d.numerator!r} and {d.denominator!r}"
        )
    if d.min_value is not None and d.max_value is not None and d.min_value > d.max_value:
        raise RegistryError(
            f"indicator file {source}: [{key}] min_value {d.min_value:g} is above "
            f"max_value {d.max_value:g}"
        )
    return d


def _check_consistency(defs: Mapping[str, IndicatorDef]) -> None:
    """Every numerator and denominator must be a count of the registry."""
    for d in defs.values():
        for role in ("numerator", "denominator"):
            ref = getattr(d, role)
            if ref is None:
                continue
            if ref not in defs:
                raise RegistryError(
                    f"indicator {d.key!r}: its {role} {ref!r} is not in the registry; "
                    f"add [{ref}] with kind = 'count'"
                )
            if defs[ref].kind != "count":
                raise RegistryError(
                    f"indicator {d.key!r}: its {role} {ref!r} is a {defs[ref].kind}, "
                    "not a count; rates are computed from counts only"
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
