"""The report catalogue: which stored figure or aggregation fills which report field.

The official field lists differ between the Länder and change over time, so the
report is driven by data: the shipped ``default_catalogue.toml`` (format described at
its top), overridden by a Land's or a city's file passed to :func:`load_catalogue`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitoring.messages import render
from monitoring.renewal.funding import AMOUNTS, SOURCES
from monitoring.reports.errors import CatalogueError

DEFAULT_FILE = Path(__file__).resolve().parent / "default_catalogue.toml"
PARTS: tuple[str, ...] = ("A", "B", "C", "D", "BI")
"""The parts of the report, in order: eMo A–D and the Begleitinformationen."""

GROUPS: tuple[str, ...] = ("field", "federal_category")
SCOPES: tuple[str, ...] = ("year", "cumulated")
AREA_FIELDS: tuple[str, ...] = (
    "programme",
    "ags",
    "name",
    "id",
    "size_ha",
    "start_year",
    "expected_end",
    "funding_status",
    "legal_designation",
)

# source -> the options it takes (with their kind)
SOURCE_OPTIONS: Mapping[str, Mapping[str, str]] = {
    **{f"area.{name}": {} for name in AREA_FIELDS},
    "context.value": {"indicator": "text"},
    "funds.sources": {"scope": "text", "amounts": "list"},
    "funds.programme_years": {"sources": "list", "amounts": "list"},
    "funds.cost_groups": {"scope": "text", "amounts": "list"},
    "measures.status": {},
    "measures.fields": {"group": "text"},
    "measures.outputs": {"group": "text", "quantities": "list"},
    "context.compare": {"indicators": "list"},
    "context.social_index": {"indicator": "text"},
    "concept.document": {},
    "concept.goals": {},
    "participation.actors": {},
    "participation.bodies": {},
    "participation.funds": {},
    "participation.activities": {},
    "participation.projects": {},
}
SOURCES_KNOWN: tuple[str, ...] = tuple(SOURCE_OPTIONS)
_ENTRY_KEYS = ("part", "code", "label", "source")


@dataclass(frozen=True)
class Entry:
    """One catalogue entry: a report section filled by one source with its options."""

    part: str
    code: str
    label: str
    source: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def option(self, name: str, default: Any = None) -> Any:
        """Return an option of the entry, or ``default``."""
        return self.options.get(name, default)


@dataclass(frozen=True)
class Catalogue:
    """A report catalogue: settings, part titles, output labels and entries in order."""

    name: str
    version: str
    parts: Mapping[str, str]
    entries: tuple[Entry, ...]
    output_labels: Mapping[str, str] = field(default_factory=dict)
    disclosure_minimum: int = 300
    disclosure_min_count: int | None = None
    note: str = ""
    """What the catalogue is, printed on the cover and in the notes of every report."""

    def entries_of(self, part: str) -> tuple[Entry, ...]:
        """Return the entries of one part, in catalogue order."""
        return tuple(e for e in self.entries if e.part == part)

    def indicators(self) -> list[str]:
        """Return every indicator key the entries name (in first-use order).

        Examples
        --------
        >>> load_catalogue().indicators()[:3]
        ['residents', 'share_u15', 'share_65plus']
        """
        keys: list[str] = []
        for e in self.entries:
            for key in e.option("indicators", []) + (
                [e.option("indicator")] if e.option("indicator") else []
            ):
                if key not in keys:
                    keys.append(key)
        return keys


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load the shipped catalogue, overridden by a Land's or city's file.

    Parameters
    ----------
    path
        A TOML file in the format of ``default_catalogue.toml``: its ``[catalogue]``
        settings, ``[parts]`` titles and ``[output_labels]`` override the defaults; a
        ``[[field]]`` with a known code replaces that entry, a new code is added at the
        end of its part; codes listed in ``remove`` are dropped.

    Returns
    -------
    Catalogue

    Raises
    ------
    CatalogueError
        When the file is missing or malformed, or an entry names an unknown part,
        source or option, or repeats a code.

    Examples
    --------
    >>> cat = load_catalogue()
    >>> [e.code for e in cat.entries_of("A")][:3]
    ['A.1', 'A.2', 'A.3']
    >>> cat.disclosure_minimum
    300
    """
    base = _read(DEFAULT_FILE, what="Der mitgelieferte Berichtskatalog")
    data = _parse(base, source=str(DEFAULT_FILE.name), prior=None)
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise CatalogueError(render("catalogue.missing_file", file=file))
        data = _parse(_read(file, what="Der Berichtskatalog"), source=str(file), prior=data)
    return data


def _read(path: Path, *, what: str) -> dict[str, Any]:
    """Read a TOML file or raise CatalogueError naming it."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueError(
            render("catalogue.bad_toml", what=what, file=path, problem=exc)
        ) from None


def _parse(data: Mapping[str, Any], *, source: str, prior: Catalogue | None) -> Catalogue:
    """Build a catalogue from parsed TOML on top of ``prior``."""
    unknown = set(data) - {"catalogue", "parts", "output_labels", "field", "remove"}
    if unknown:
        raise CatalogueError(
            render("catalogue.unknown_tables", source=source, tables=", ".join(sorted(unknown)))
        )
    head = dict(data.get("catalogue", {}))
    parts = dict(prior.parts if prior else {})
    for key, title in dict(data.get("parts", {})).items():
        if key not in PARTS:
            hint = render("catalogue.remove_first") if key == "remove" else ""
            raise CatalogueError(
                render("catalogue.unknown_part", source=source, part=key, parts=", ".join(PARTS))
                + hint
            )
        parts[key] = str(title)
    labels = dict(prior.output_labels if prior else {}) | {
        str(k): str(v) for k, v in dict(data.get("output_labels", {})).items()
    }
    entries = list(prior.entries if prior else ())
    codes = {e.code: i for i, e in enumerate(entries)}
    seen: set[str] = set()
    for k, raw in enumerate(data.get("field", []), start=1):
        entry = _entry(raw, where=render("catalogue.field", number=k, source=source))
        if entry.code in seen:
            raise CatalogueError(render("catalogue.code_twice", source=source, code=entry.code))
        seen.add(entry.code)
        if entry.code in codes:
            entries[codes[entry.code]] = entry
        else:
            codes[entry.code] = len(entries)
            entries.append(entry)
    removed = [str(c) for c in data.get("remove", [])]
    absent = [c for c in removed if c not in codes]
    if absent:
        raise CatalogueError(
            render(
                "catalogue.remove_unknown",
                source=source,
                codes=", ".join(absent),
                known=", ".join(codes),
            )
        )
    entries = [e for e in entries if e.code not in removed]
    entries.sort(key=lambda e: PARTS.index(e.part))  # stable: file order within a part
    minimum = head.get("disclosure_minimum", prior.disclosure_minimum if prior else 300)
    min_count = head.get("disclosure_min_count", prior.disclosure_min_count if prior else None)
    for name, value in (("disclosure_minimum", minimum), ("disclosure_min_count", min_count)):
        if value is not None and (not isinstance(value, int) or value < 0):
            raise CatalogueError(
                render("catalogue.not_whole", source=source, name=name, value=repr(value))
            )
    missing_parts = [p for p in PARTS if p not in parts]
    if missing_parts:
        raise CatalogueError(
            render("catalogue.part_titles", source=source, parts=", ".join(missing_parts))
        )
    name = str(head.get("name", prior.name if prior else source))
    if "note" in head:
        note = str(head["note"])
    elif prior is not None and prior.note:  # a Land's file that says nothing about itself
        note = f"{prior.note} Angepasst durch den Katalog „{head.get('name') or source}“."
    else:
        note = ""
    return Catalogue(
        name=name,
        version=str(head.get("version", prior.version if prior else "")),
        parts=parts,
        entries=tuple(entries),
        output_labels=labels,
        disclosure_minimum=int(minimum),
        disclosure_min_count=None if min_count is None else int(min_count),
        note=" ".join(note.split()),
    )


def _entry(raw: Any, *, where: str) -> Entry:
    """Check one [[field]] table and return it as an Entry."""
    if not isinstance(raw, Mapping):
        raise CatalogueError(render("catalogue.not_a_table", where=where))
    missing = [k for k in _ENTRY_KEYS if not str(raw.get(k, "")).strip()]
    if missing:
        raise CatalogueError(render("catalogue.lacks", where=where, keys=", ".join(missing)))
    part, code, source = str(raw["part"]), str(raw["code"]), str(raw["source"])
    where = f"{where} ({code})"
    if part not in PARTS:
        raise CatalogueError(
            render("catalogue.entry_part", where=where, part=part, parts=", ".join(PARTS))
        )
    if source not in SOURCE_OPTIONS:
        raise CatalogueError(
            render(
                "catalogue.unknown_source",
                where=where,
                source=source,
                known=", ".join(SOURCES_KNOWN),
            )
        )
    allowed = SOURCE_OPTIONS[source]
    options = {k: v for k, v in raw.items() if k not in _ENTRY_KEYS}
    for name, value in options.items():
        if name not in allowed:
            raise CatalogueError(
                render(
                    "catalogue.no_option",
                    where=where,
                    source=source,
                    name=name,
                    allowed=", ".join(allowed) or "keine",
                )
            )
        if allowed[name] == "list" and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise CatalogueError(
                render("catalogue.option_list", where=where, name=name, value=repr(value))
            )
        if allowed[name] == "text" and not isinstance(value, str):
            raise CatalogueError(
                render("catalogue.option_text", where=where, name=name, value=repr(value))
            )
    _check_choices(options.get("amounts", []), AMOUNTS, "amounts", where)
    _check_choices(options.get("sources", []), SOURCES, "sources", where)
    _check_choices([options["scope"]] if "scope" in options else [], SCOPES, "scope", where)
    _check_choices([options["group"]] if "group" in options else [], GROUPS, "group", where)
    need = {
        "context.value": "indicator",
        "context.compare": "indicators",
        "context.social_index": "indicator",
    }.get(source)
    if need is not None and not options.get(need):
        raise CatalogueError(
            render("catalogue.needs_option", where=where, source=source, name=need)
        )
    return Entry(part, code, str(raw["label"]), source, options)


def _check_choices(values: Sequence[str], allowed: Sequence[str], name: str, where: str) -> None:
    """Raise CatalogueError for the first value of option ``name`` not in ``allowed``."""
    for value in values:
        if value not in allowed:
            raise CatalogueError(
                render(
                    "catalogue.choice",
                    where=where,
                    value=value,
                    name=name,
                    allowed=", ".join(allowed),
                )
            )
