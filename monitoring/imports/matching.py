"""Match a table's rows to stored areas: by id or by name, and tell rows that are not one area.

A statistics office's table has one row per district, keyed by an id or by the
district's name, and rows that are not one district:

- **aggregate rows**: a row for a bigger area (a Bezirk, the city: a stored area of
  another, higher level, by id or by name, also written "Bezirk Altona" or "Altona
  insgesamt") or a generic total ("insgesamt", "Summe", "Stadt insgesamt"). They are
  never stored as a district; each is noted, and :func:`check_aggregates` compares
  its count-like values with the sum of its parts in the file.
- **merged rows**: "Waltershof und Finkenwerder", "A, B und C", "A/B" where every
  part is a stored area of the level: a value of two areas is not the value of either.
- **unmatched rows**: a key that fits no stored area; listed with the closest stored
  names or ids (as a suggestion only: nothing is ever matched by similarity).

Merged and unmatched rows are problems unless the user asks to skip them
(``skip_unmatched``); then they are listed with their reason. A name that fits two
stored areas of the level (Berlin has two "Schloßstraße") is always a problem: only
the ids can tell them apart.

Everything here is pure: the stored areas come in as a frame.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import pandas as pd

from geo.validation import UNIT_LABELS, ImportReport, check_known
from monitoring.imports.names import (
    aggregate_core,
    is_generic_total,
    merged_parts,
    name_key,
    plain_key,
)
from monitoring.messages import render
from monitoring.numbers import german_number

MatchBy = Literal["id", "name"]
"""How the key column of a table names its areas."""

MATCH_MODES: tuple[str, ...] = get_args(MatchBy)


@dataclass(frozen=True)
class Skipped:
    """A row of the file that is not stored, and why (German)."""

    row: int
    name: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """Return the row as a plain dict (for ``ImportResult.details``)."""
        return {"row": self.row, "name": self.name, "reason": self.reason}


@dataclass(frozen=True)
class Aggregate:
    """A row for a bigger area (``area_id`` of ``level``) or a total of the file (None)."""

    row: int
    name: str
    area_id: str | None
    level: str | None
    parts: tuple[int, ...] = ()


@dataclass(frozen=True)
class AreaMatch:
    """Which stored area each row of the file is, and the rows that are none."""

    level: str | None
    vintage: str | None
    area_ids: pd.Series
    skipped: tuple[Skipped, ...] = ()
    aggregates: tuple[Aggregate, ...] = ()
    areas: int = 0
    names: Mapping[str, str] = field(default_factory=dict)


def check_match_mode(match: str, report: ImportReport) -> bool:
    """Record a problem unless ``match`` is one of :data:`MATCH_MODES`."""
    if match in MATCH_MODES:
        return True
    report.add(
        f"--match {match!r} gibt es nicht; erlaubt: {', '.join(MATCH_MODES)}",
        fix="geben Sie --match id (die Spalte hat IDs) oder --match name (Gebietsnamen) an",
    )
    return False


def _where(level: str | None, vintage: str | None) -> str:
    names = {"level": "Ebene", "vintage": "Gebietsstand"}
    given = [(k, v) for k, v in (("level", level), ("vintage", vintage)) if v is not None]
    return " und ".join(f"{names[k]} „{v}“" for k, v in given) or "irgendeiner Ebene"


class _Index:
    """The areas of one level and vintage, looked up by id or by normalised name."""

    def __init__(self, group: pd.DataFrame) -> None:
        self.frame = group
        self.level = str(group["level"].iloc[0]) if len(group) else ""
        self.ids = [str(i) for i in group["id"]]
        names = group["name"] if "name" in group else pd.Series(None, index=group.index)
        self.names = {
            str(i): (str(n) if isinstance(n, str) and n.strip() else str(i))
            for i, n in zip(group["id"], names)
        }
        self.by_key: dict[str, list[str]] = {}
        self.by_plain: dict[str, list[str]] = {}
        for area_id, name in self.names.items():
            self.by_key.setdefault(name_key(name), []).append(area_id)
            self.by_plain.setdefault(plain_key(name), []).append(area_id)

    def find(self, key: str, by: MatchBy) -> list[str]:
        """Return the ids a key fits (by id, or by name: normal form, then plain form)."""
        if by == "id":
            return [key] if key in self.names else []
        found = self.by_key.get(name_key(key))
        if found:
            return found
        return self.by_plain.get(plain_key(key), [])

    def find_core(self, core: str) -> list[str]:
        """Return the ids whose name has the normal form ``core``."""
        return self.by_key.get(core) or self.by_plain.get(core, [])

    def closest(self, key: str, by: MatchBy) -> list[str]:
        """Return up to 3 stored names (or ids) similar to ``key``: a suggestion only."""
        if by == "id":
            return difflib.get_close_matches(key, self.ids, n=3, cutoff=0.6)
        keys = {name_key(n): n for n in self.names.values()}
        near = difflib.get_close_matches(name_key(key), list(keys), n=3, cutoff=0.5)
        return [keys[k] for k in near]

    def show(self, area_id: str) -> str:
        name = self.names.get(area_id, area_id)
        return f"„{name}“ (ID {area_id})" if name != area_id else f"ID {area_id}"


def _valid(group: pd.DataFrame, periods: Sequence[pd.Timestamp]) -> int:
    start = group["valid_from"].min() if "valid_from" in group else pd.NaT
    end = (
        group["valid_to"].max()
        if "valid_to" in group and group["valid_to"].notna().all()
        else pd.NaT
    )
    return sum(1 for p in periods if (pd.isna(start) or p >= start) and (pd.isna(end) or p <= end))


def _higher(areas: pd.DataFrame, chosen: pd.DataFrame, level: str, vintage: str) -> list[_Index]:
    """Return the other levels' areas that are bigger than the chosen ones (same vintage first)."""
    parents = set(chosen["parent_id"].dropna().astype(str)) if "parent_id" in chosen else set()
    own = _median_area(chosen)
    out: list[tuple[int, _Index]] = []
    for (lvl, vin), group in areas.groupby(["level", "vintage"]):
        if str(lvl) == level:
            continue
        is_parent = bool(parents & set(group["id"].astype(str)))
        size = _median_area(group)
        if is_parent or (size is not None and own is not None and size > own):
            out.append((0 if str(vin) == vintage else 1, _Index(group)))
    out.sort(key=lambda item: item[0])
    return [index for _, index in out]


def _median_area(group: pd.DataFrame) -> float | None:
    if "geometry" not in group:
        return None
    sizes = [g.area for g in group["geometry"] if g is not None and not g.is_empty]
    return float(pd.Series(sizes).median()) if sizes else None


def match_areas(
    areas: pd.DataFrame,
    keys: pd.Series,
    periods: Sequence[pd.Timestamp],
    report: ImportReport,
    *,
    by: MatchBy = "id",
    level: str | None = None,
    vintage: str | None = None,
    column: str,
    skip_unmatched: bool = False,
) -> AreaMatch:
    """Match each row's key to a stored area; tell aggregate, merged and unmatched rows.

    Parameters
    ----------
    areas
        The stored areas (columns id, level, vintage, name, parent_id, valid_from,
        valid_to, geometry), of every level: aggregate rows are found among the other
        levels.
    keys
        The key of each row (an id or a name, by ``by``), indexed by row number.
    periods
        The dates of the file's values (the level and vintage valid then win).
    report
        Problems (unmatched and merged rows unless ``skip_unmatched``, names that fit
        two areas) and notes (aggregate rows) are added here.
    by
        ``"id"`` or ``"name"``.
    level, vintage
        The stored areas to match; when not given, those that fit the keys best.
    column
        The key column, for the report.
    skip_unmatched
        List merged and unmatched rows as skipped instead of refusing them.

    Returns
    -------
    AreaMatch
        The chosen level and vintage, the stored id of each row (None where the row
        is not one area), the skipped rows and the aggregate rows with their parts.

    Examples
    --------
    >>> import shapely
    >>> areas = pd.DataFrame({"id": ["1", "2", "B"], "level": ["OT", "OT", "Bezirk"],
    ...     "vintage": "2020", "name": ["Groß Borstel", "St. Georg", "Nord"],
    ...     "parent_id": ["B", "B", None],
    ...     "geometry": [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1),
    ...                  shapely.box(0, 0, 2, 1)]})
    >>> keys = pd.Series(["GROSS-BORSTEL", "Sankt Georg", "Bezirk Nord"], index=[2, 3, 4])
    >>> m = match_areas(areas, keys, [], ImportReport("t.csv"), by="name", column="Name")
    >>> m.level, m.area_ids.tolist(), m.aggregates[0].area_id, m.aggregates[0].parts
    ('OT', ['1', '2', None], 'B', (2, 3))
    """
    ids = pd.Series([None] * len(keys), index=keys.index, dtype=object)
    where = {k: v for k, v in (("level", level), ("vintage", vintage)) if v is not None}
    pool = areas
    for name, value in where.items():
        pool = pool[pool[name].astype(str) == str(value)]
    if not len(pool):
        report.add(
            f"es sind keine Gebiete der {_where(level, vintage)} gespeichert; Indikatorwerte "
            "gehören zu gespeicherten Gebieten",
            fix="importieren Sie zuerst die Grenzen: qmon import areas DATEI --level EBENE "
            "--id SPALTE …",
        )
        return AreaMatch(level, vintage, ids)
    present = keys.dropna().astype(str)
    distinct = list(dict.fromkeys(present))
    scored = []
    for (lvl, vin), group in pool.groupby(["level", "vintage"]):
        index = _Index(group)
        matches = sum(1 for k in distinct if index.find(k, by))
        scored.append(((matches, _valid(group, periods)), str(lvl), str(vin)))
    scored.sort(reverse=True)
    best, lvl, vin = scored[0]
    ties = [f"Ebene „{s[1]}“ Gebietsstand „{s[2]}“" for s in scored if s[0] == best]
    if len(ties) > 1:
        what = "IDs" if by == "id" else "Namen"
        report.add(
            f"die {what} passen gleich gut zu mehreren gespeicherten Gebietsständen: "
            f"{', '.join(ties)}",
            fix="geben Sie --level und --vintage an",
        )
        return AreaMatch(level, vintage, ids)
    if best[1] < len(periods):
        report.note(
            f"{report.source}: der Gebietsstand „{vin}“ der Ebene „{lvl}“ gilt nicht an jedem "
            "Stichtag der Datei (siehe valid_from/valid_to)"
        )
    chosen = pool[(pool["level"].astype(str) == lvl) & (pool["vintage"].astype(str) == vin)]
    index = _Index(chosen)
    higher = _higher(areas, chosen, lvl, vin)
    unit = UNIT_LABELS.get(report.unit, "Zeile")
    skipped: list[Skipped] = []
    aggregates: list[Aggregate] = []
    unknown_ids: dict[int, str] = {}
    fix_name = (
        "korrigieren Sie den Namen (Vorschläge oben), importieren Sie die Gebiete, zu denen er "
        "gehört (--level/--vintage), oder geben Sie --skip-unmatched an, um die passenden "
        "Zeilen zu speichern und diese auszulassen"
    )
    pairs: list[tuple[Any, str]] = list(zip(present.index.tolist(), present.tolist()))
    for row, key in pairs:
        found = index.find(key, by)
        if len(found) == 1:
            ids[row] = found[0]
            continue
        if len(found) > 1:
            report.add(
                f"der Name passt zu {len(found)} gespeicherten Gebieten der Ebene „{lvl}“: "
                + ", ".join(index.show(i) for i in found),
                row=row,
                column=column,
                value=key,
                fix="Namen sind hier nicht eindeutig: importieren Sie mit einer Spalte der "
                "Gebiets-IDs (--id SPALTE --match id)",
            )
            continue
        aggregate = _aggregate(int(row), key, by, higher)
        if aggregate is not None:
            aggregates.append(aggregate)
            continue
        parts = [index.find(p, "name") for p in merged_parts(key)] if by == "name" else []
        if parts and all(len(p) == 1 for p in parts):
            shown = ", ".join(index.show(p[0]) for p in parts)
            reason = (
                f"die Zeile umfasst {len(parts)} Gebiete ({shown}); ein Wert mehrerer Gebiete "
                "ist der Wert keines von ihnen"
            )
            if skip_unmatched:
                skipped.append(Skipped(int(row), key, reason))
            else:
                report.add(
                    reason,
                    row=row,
                    column=column,
                    value=key,
                    fix="liefern Sie die Werte je Gebiet, oder geben Sie --skip-unmatched an, "
                    "um die übrigen Zeilen zu speichern und diese auszulassen",
                )
            continue
        if by == "id" and not skip_unmatched:
            unknown_ids[int(row)] = key
            continue
        near = index.closest(key, by)
        hint = f"; ähnlich: {', '.join(f'„{n}“' for n in near)}" if near else "; nichts Ähnliches"
        what = "ID" if by == "id" else "Namen"
        reason = (
            f"kein gespeichertes Gebiet der Ebene „{lvl}“, Gebietsstand „{vin}“ hat diesen "
            f"{what}{hint}"
        )
        if skip_unmatched:
            skipped.append(Skipped(int(row), key, reason))
        else:
            report.add(reason, row=row, column=column, value=key, fix=fix_name)
    if unknown_ids:
        check_known(
            pd.Series(unknown_ids, dtype=object),
            index.ids,
            report,
            column=column,
            what=render("import.known_areas", level=lvl, vintage=vin),
            fix="korrigieren Sie die ID oder importieren Sie den Gebietsstand, zu dem sie gehört "
            "(--level/--vintage)",
        )
    with_parts = tuple(_with_parts(a, ids, chosen, higher) for a in aggregates)
    for aggregate in with_parts:
        what = (
            f"Gebiet {aggregate.area_id} der Ebene „{aggregate.level}“"
            if aggregate.area_id
            else "Summe aller Gebiete der Datei"
        )
        reason = f"Summenzeile ({what}), nicht als Gebiet gespeichert"
        report.note(
            f"{report.source}, {unit} {aggregate.row}: „{aggregate.name}“ ist eine {reason}"
        )
        skipped.append(Skipped(aggregate.row, aggregate.name, reason))
    skipped.sort(key=lambda s: s.row)
    return AreaMatch(lvl, vin, ids, tuple(skipped), with_parts, len(index.ids), index.names)


def _aggregate(row: int, key: str, by: MatchBy, higher: Sequence[_Index]) -> Aggregate | None:
    """Return the aggregate a key names (a bigger stored area or a total), else None."""
    core = aggregate_core(key) if by == "name" else None
    for other in higher:
        found = other.find(key, by) or (other.find_core(core) if core else [])
        if found:
            return Aggregate(row, key, found[0], other.level)
    if is_generic_total(key):
        return Aggregate(row, key, None, None)
    return None


def _with_parts(
    aggregate: Aggregate, ids: pd.Series, chosen: pd.DataFrame, higher: Sequence[_Index]
) -> Aggregate:
    """Return the aggregate with the file's rows that are its parts."""
    matched = ids.dropna()
    if aggregate.area_id is None:
        return Aggregate(**{**aggregate.__dict__, "parts": tuple(int(r) for r in matched.index)})
    by_id = chosen.assign(id=chosen["id"].astype(str)).set_index("id")
    inside: set[str] = set()
    if "parent_id" in by_id:
        parents = by_id["parent_id"].astype(str)
        inside = set(parents.index[parents == aggregate.area_id])
    if not inside and "geometry" in by_id:
        frame = next(h.frame for h in higher if h.level == aggregate.level)
        shapes = frame.loc[frame["id"].astype(str) == aggregate.area_id, "geometry"]
        outer = shapes.iloc[0] if len(shapes) else None
        if outer is not None:
            inside = {
                str(i)
                for i, g in by_id["geometry"].items()
                if g is not None and not g.is_empty and outer.contains(g.representative_point())
            }
    rows = tuple(int(r) for r, a in zip(matched.index.tolist(), matched.tolist()) if a in inside)
    return Aggregate(**{**aggregate.__dict__, "parts": rows})


def _places(values: Sequence[float]) -> int:
    """Return the decimal places to show numbers with (0 for whole numbers, at most 3)."""
    for places in range(4):
        if all(abs(v * 10**places - round(v * 10**places)) < 1e-6 for v in values):
            return places
    return 3


def check_aggregates(
    long: pd.DataFrame,
    match: AreaMatch,
    report: ImportReport,
    *,
    kinds: Mapping[str, str],
) -> list[dict[str, Any]]:
    """Compare each aggregate row's count-like values with the sum of its parts; note differences.

    A column is count-like when the registry says its kind is ``count`` (``kinds``)
    or, for keys the registry does not know, when every value in it is a whole
    number. Parts are the file's rows of the areas inside the aggregate (by
    ``parent_id``, else by geometry); for a total of the file, every district row.
    Differences are notes, not problems (a published total may include areas the
    table leaves out); each names both numbers in German format.

    Parameters
    ----------
    long
        Columns row, indicator, value (one row per file row and indicator).
    match
        The result of :func:`match_areas`.
    report
        Where the notes go.
    kinds
        Indicator key -> registry kind, for the keys the registry knows.

    Returns
    -------
    list of dict
        One entry per difference: row, name, indicator, stated, sum.

    Examples
    --------
    >>> m = AreaMatch("OT", "2020", pd.Series(["1", "2", None], index=[2, 3, 4]),
    ...     aggregates=(Aggregate(4, "Insgesamt", None, None, (2, 3)),))
    >>> long = pd.DataFrame({"row": [2, 3, 4], "indicator": "EW", "value": [10.0, 5.0, 16.0]})
    >>> r = ImportReport("t.csv")
    >>> check_aggregates(long, m, r, kinds={})[0]["sum"]
    15.0
    >>> print(r.notes[0])  # doctest: +NORMALIZE_WHITESPACE
    t.csv, Zeile 4: die Summenzeile „Insgesamt“ nennt für „EW“ 16, die Summe ihrer 2
    Teilgebiete in der Datei ist 15 (Differenz 1)
    """
    out: list[dict[str, Any]] = []
    if not match.aggregates:
        return out
    unit = UNIT_LABELS.get(report.unit, "Zeile")
    for aggregate in match.aggregates:
        if not aggregate.parts:
            report.note(
                f"{report.source}, {unit} {aggregate.row}: die Summenzeile „{aggregate.name}“ "
                "hat keine Teilgebiete in der Datei; ihre Summen wurden nicht geprüft"
            )
    for key, group in long.groupby("indicator", sort=False):
        values = group.set_index("row")["value"]
        kind = kinds.get(str(key))
        present = values.dropna()
        whole = bool(len(present)) and all(float(v).is_integer() for v in present)
        if not (kind == "count" or (kind is None and whole)):
            continue
        for aggregate in match.aggregates:
            stated = values.get(aggregate.row)
            if stated is None or pd.isna(stated):
                continue
            if not aggregate.parts:
                continue
            parts = values.reindex(list(aggregate.parts))
            if parts.isna().any():
                continue  # a part without value: the sum says nothing
            total = float(parts.sum())
            if abs(total - float(stated)) <= 1e-6 * max(1.0, abs(total)):
                continue
            places = _places([total, float(stated)])
            report.note(
                f"{report.source}, {unit} {aggregate.row}: die Summenzeile „{aggregate.name}“ "
                f"nennt für „{key}“ {german_number(stated, decimals=places)}, die Summe ihrer "
                f"{len(parts)} Teilgebiete in der Datei ist {german_number(total, decimals=places)}"
                f" (Differenz {german_number(float(stated) - total, decimals=places)})"
            )
            out.append(
                {
                    "row": aggregate.row,
                    "name": aggregate.name,
                    "indicator": str(key),
                    "stated": float(stated),
                    "sum": total,
                }
            )
    return out
