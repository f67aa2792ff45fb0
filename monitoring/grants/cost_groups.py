"""The cost groups and revenue kinds of a KuF: a per-Land catalogue in TOML.

The Länder's Städtebauförderungsrichtlinien group the costs of a Gesamtmaßnahme each in
their own way. ``catalogues/default.toml`` is the platform's default; a file
``catalogues/land-NN.toml`` is a Land's variant, used for every funding area whose
Gemeindeschlüssel (AGS) starts with NN. Measures and funding lines store the ``key`` of
a cost group; a variant that splits a default group names the default key in
``includes`` of one of its groups, so records keyed for the default stay valid.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitoring.errors import RuleViolation

FOLDER = Path(__file__).resolve().parent / "catalogues"
DEFAULT_FILE = FOLDER / "default.toml"
UNASSIGNED = "ohne_kostengruppe"
"""The key under which costs without (or with an unknown) cost group are shown."""
UNASSIGNED_LABEL = "ohne Kostengruppe"


@dataclass(frozen=True)
class Group:
    """One cost group or revenue kind: stored key, number in the KuF, German label."""

    key: str
    code: str
    label: str
    description: str = ""
    includes: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """``code label``, as printed in the KuF (``3.2 Ordnungsmaßnahmen: Freilegung``)."""
        return f"{self.code} {self.label}"


@dataclass(frozen=True)
class CostCatalogue:
    """The cost groups and revenue kinds of one Land (or the default)."""

    name: str
    version: str
    land: str
    note: str
    cost_groups: tuple[Group, ...]
    revenues: tuple[Group, ...]
    source: str = ""

    def resolve(self, key: Any) -> str:
        """Return the cost group a stored key counts under (``UNASSIGNED`` if none).

        Examples
        --------
        >>> c = load_cost_catalogue(FOLDER / "land-05.toml")
        >>> c.resolve("bau"), c.resolve("bau.gemeinbedarf"), c.resolve(None), c.resolve("x")
        ('bau.modernisierung', 'bau.gemeinbedarf', 'ohne_kostengruppe', 'ohne_kostengruppe')
        """
        if key is None or not isinstance(key, str) or not key.strip():
            return UNASSIGNED
        key = key.strip()
        for group in self.cost_groups:
            if key == group.key or key in group.includes:
                return group.key
        return UNASSIGNED

    def resolve_revenue(self, key: Any) -> str:
        """Return the revenue kind a stored key counts under (the last kind if unknown)."""
        for group in self.revenues:
            if key == group.key or key in group.includes:
                return group.key
        return self.revenues[-1].key

    def knows(self, key: Any) -> bool:
        """True if ``key`` is a cost group of this catalogue (or included by one)."""
        return self.resolve(key) != UNASSIGNED

    def find(self, text: Any) -> str | None:
        """The cost group key a city's table names by key, number or label (any case).

        Examples
        --------
        >>> c = load_cost_catalogue()
        >>> c.find("bau"), c.find("4"), c.find("baumaßnahmen"), c.find("4 Baumaßnahmen")
        ('bau', 'bau', 'bau', 'bau')
        >>> c.find("Spielplatz") is None
        True
        """
        if text is None or not isinstance(text, str | int | float):
            return None
        wanted = " ".join(str(text).split()).casefold()
        if wanted.endswith(".0") and wanted[:-2].isdigit():  # "4.0" from a number cell
            wanted = wanted[:-2]
        for group in self.cost_groups:
            names = (group.key, group.code, group.label, group.title, *group.includes)
            if wanted in {n.casefold() for n in names}:
                return group.key if wanted not in group.includes else wanted
        return None

    def label(self, key: str) -> str:
        """The printed title of a cost group or revenue kind key."""
        for group in (*self.cost_groups, *self.revenues):
            if group.key == key:
                return group.title
        return UNASSIGNED_LABEL if key == UNASSIGNED else key

    def options(self) -> dict[str, str]:
        """Cost group keys → printed titles, for a select box."""
        return {g.key: g.title for g in self.cost_groups}

    def revenue_options(self) -> dict[str, str]:
        """Revenue kind keys → printed titles, for a select box."""
        return {g.key: g.title for g in self.revenues}


def _groups(rows: Any, *, table: str, source: str) -> tuple[Group, ...]:
    if not isinstance(rows, list) or not rows:
        raise RuleViolation(
            f"Die Kostengliederung „{source}“ hat keine Tabelle [[{table}]]; tragen Sie "
            "mindestens einen Eintrag mit key, code und label ein"
        )
    out: list[Group] = []
    for i, row in enumerate(rows, start=1):
        missing = [k for k in ("key", "code", "label") if not str(row.get(k, "")).strip()]
        if missing:
            raise RuleViolation(
                f"Die Kostengliederung „{source}“: Eintrag {i} von [[{table}]] hat kein "
                f"{', '.join(missing)}; jeder Eintrag braucht key, code und label"
            )
        out.append(
            Group(
                key=str(row["key"]).strip(),
                code=str(row["code"]).strip(),
                label=str(row["label"]).strip(),
                description=str(row.get("description", "")),
                includes=tuple(str(k) for k in row.get("includes", ())),
            )
        )
    keys = [g.key for g in out]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise RuleViolation(
            f"Die Kostengliederung „{source}“ nennt den Schlüssel {', '.join(twice)} in "
            f"[[{table}]] mehrmals; jeder Schlüssel darf nur einmal vorkommen"
        )
    return tuple(out)


def parse_cost_catalogue(data: Mapping[str, Any], *, source: str) -> CostCatalogue:
    """Build a catalogue from parsed TOML (see ``catalogues/default.toml`` for the format)."""
    unknown = set(data) - {"catalogue", "cost_group", "revenue"}
    if unknown:
        raise RuleViolation(
            f"Die Kostengliederung „{source}“ hat die unbekannten Tabellen "
            f"{', '.join(sorted(unknown))}; erlaubt sind [catalogue], [[cost_group]] und "
            "[[revenue]]"
        )
    head = dict(data.get("catalogue", {}))
    return CostCatalogue(
        name=str(head.get("name", source)),
        version=str(head.get("version", "")),
        land=str(head.get("land", "")),
        note=str(head.get("note", "")),
        cost_groups=_groups(data.get("cost_group"), table="cost_group", source=source),
        revenues=_groups(data.get("revenue"), table="revenue", source=source),
        source=source,
    )


def load_cost_catalogue(path: str | Path | None = None) -> CostCatalogue:
    """Load a cost catalogue file (default: the platform's default).

    Raises
    ------
    RuleViolation
        For a missing file, invalid TOML or a malformed entry (German, naming the file).

    Examples
    --------
    >>> c = load_cost_catalogue()
    >>> [g.code for g in c.cost_groups], c.revenues[0].label
    (['1', '2', '3', '4', '5', '6', '7'], 'Ausgleichsbeträge (§ 154 BauGB)')
    """
    file = Path(path) if path is not None else DEFAULT_FILE
    if not file.is_file():
        raise RuleViolation(
            f"Die Kostengliederung „{file}“ gibt es nicht; geben Sie eine TOML-Datei im "
            f"Format von {DEFAULT_FILE.name} an"
        )
    stat = file.stat()
    return _parsed(file, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _parsed(file: Path, mtime_ns: int, size: int) -> CostCatalogue:
    """Parse a catalogue file once per version of it (the record rules ask once per record)."""
    del mtime_ns, size  # the cache key: a changed file is read again
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleViolation(
            f"Die Kostengliederung „{file}“ ist kein gültiges TOML: {exc}"
        ) from None
    return parse_cost_catalogue(data, source=file.name)


def land_of(ags: Any) -> str:
    """The Land (two digits) of a Gemeindeschlüssel; '' when there is none.

    Examples
    --------
    >>> land_of("05999000"), land_of("01001000"), land_of(None), land_of("5")
    ('05', '01', '', '')
    """
    text = "" if ags is None else str(ags).strip()
    return text[:2] if len(text) >= 2 and text[:2].isdigit() else ""


def land_files() -> dict[str, Path]:
    """Land (two digits) → its shipped variant file."""
    return {p.stem.removeprefix("land-"): p for p in sorted(FOLDER.glob("land-*.toml"))}


def catalogue_for(ags: Any, *, path: str | Path | None = None) -> CostCatalogue:
    """The cost catalogue of a funding area: ``path`` if given, else its Land's, else the default.

    Examples
    --------
    >>> catalogue_for("05999000").land, catalogue_for("01001000").land
    ('05', '')
    """
    if path is not None:
        return load_cost_catalogue(path)
    return load_cost_catalogue(land_files().get(land_of(ags)))
