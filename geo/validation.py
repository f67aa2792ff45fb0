"""Checks on imported data that collect every problem instead of stopping at the first.

An import first reads its input (:mod:`geo.readers`), then runs these checks, each
of which adds :class:`Problem` records to one :class:`ImportReport`. Only when the
report is empty is anything written; otherwise :meth:`ImportReport.raise_if_problems`
raises one :class:`~geo.errors.ImportRefused` that lists them all, each with file,
row or feature number, column, value and the fix.

Row numbers are the index of the frame the readers return: the line of a CSV file,
the row of a worksheet, the number of a feature (1-based) or of a query result row.

The checks here record each problem by its template code and fields
(:meth:`ImportReport.problem`); :mod:`geo.messages` writes the German text.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geo import german
from geo.errors import ImportRefused
from geo.messages import field_names, render

RowUnit = Literal["row", "line", "feature"]
GeometryKind = Literal["polygon", "point", "line"]
GEOMETRY_KINDS: tuple[str, ...] = ("polygon", "point", "line")

_TYPE_NAMES: dict[str, tuple[str, ...]] = {
    "polygon": ("Polygon", "MultiPolygon"),
    "point": ("Point", "MultiPoint"),
    "line": ("LineString", "MultiLineString"),
}
# how far outside a CRS's area of use coordinates may lie and still be plausible
# (degrees): data of a whole country is often kept in one UTM or Gauss-Krüger zone
_MARGIN_LON = 10.0
_MARGIN_LAT = 5.0


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, said so that a clerk can fix it.

    ``message`` and ``fix`` are the German texts; a problem made from a template
    (:meth:`of`) also keeps its ``code`` and ``fields``, so that the facts stay
    available next to the text (file, row, column and value are fields of their own).

    Examples
    --------
    >>> print(Problem("s.csv", "Anteil über 100 %", fix="prüfen Sie den Wert",
    ...               row=5, column="S1", value="140"))
    s.csv, Zeile 5, Spalte 'S1', Wert '140': Anteil über 100 %; Korrektur: prüfen Sie den Wert
    >>> p = Problem.of("s.csv", "cell.not_number", row=5, column="S1", value="x", value_="x")
    >>> print(p)
    s.csv, Zeile 5, Spalte 'S1', Wert 'x': 'x' ist keine Zahl
    >>> p.code, dict(p.fields)
    ('cell.not_number', {'value': 'x'})
    """

    source: str
    message: str
    fix: str = ""
    row: int | None = None
    column: str | None = None
    value: Any = None
    unit: RowUnit = "row"
    code: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def of(
        cls,
        source: str,
        code: str,
        *,
        fix: str = "",
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        unit: RowUnit = "row",
        **fields: Any,
    ) -> Problem:
        """Return the problem ``code`` with its text rendered from ``fields``.

        A template field that is named like a parameter here (``value``, ``column`` …)
        is passed with a trailing underscore (``value_=``).
        """
        given = field_names(fields)
        message = render(code, **given)
        return cls(source, message, fix, row, column, value, unit, code, given)

    def __str__(self) -> str:
        parts = [self.source]
        if self.row is not None:
            parts.append(f"{UNIT_LABELS[self.unit]} {self.row}")
        if self.column is not None:
            parts.append(f"Spalte {self.column!r}")
        if self.value is not None and not _is_missing(self.value):
            parts.append(f"Wert {_show(self.value)}")
        text = ", ".join(parts) + f": {self.message}"
        return f"{text}; Korrektur: {self.fix}" if self.fix else text


UNIT_LABELS: dict[str, str] = {"row": "Zeile", "line": "Zeile", "feature": "Objekt"}
"""What a row number counts, as a user reads it: worksheet row, CSV line, feature."""

UNIT_PLURALS: dict[str, str] = {"row": "Zeilen", "line": "Zeilen", "feature": "Objekte"}
"""The plural of :data:`UNIT_LABELS` ("Zeilen 3, 7")."""

UNIT_THIS: dict[str, str] = {
    "row": "diese Zeile",
    "line": "diese Zeile",
    "feature": "dieses Objekt",
}
""""this row" / "this feature" as the object of a sentence."""


MAX_PER_KIND = 100
"""How many problems of one kind (same column and fix) a report lists; the rest are counted."""


@dataclass
class ImportReport:
    """Collects the problems and notes of one import.

    ``unit`` says what a row number counts (CSV line, worksheet row, feature). Of
    each kind of problem (the same column and fix) only the first ``max_per_kind``
    are listed; the others are counted, and the refusal ends with one line per kind
    saying how many more there are. A file with a million bad ids is refused in
    seconds with a readable list.

    Examples
    --------
    >>> r = ImportReport("a.csv", unit="line")
    >>> r.problem("problem.id_empty", row=3, column="id", fix=render("fix.id_empty"))
    >>> r.ok
    False
    >>> try:
    ...     r.raise_if_problems()
    ... except ImportRefused as exc:
    ...     print(exc)
    Import von a.csv abgelehnt, nichts wurde gespeichert: 1 Problem gefunden
      - a.csv, Zeile 3, Spalte 'id': die ID ist leer; Korrektur: tragen Sie die ID ein
    >>> r = ImportReport("b.csv", unit="line", max_per_kind=2)
    >>> for line in range(2, 7):
    ...     r.problem("cell.not_number", row=line, column="S1", value="x", value_="x",
    ...               fix="korrigieren Sie den Wert")
    >>> len(r.problems), r.total
    (2, 5)
    >>> print(r.omitted()[0])  # doctest: +NORMALIZE_WHITESPACE
    b.csv, Spalte 'S1': … und 3 weitere Probleme dieser Art (aufgeführt sind die ersten 2);
    Korrektur: korrigieren Sie den Wert
    """

    source: str
    unit: RowUnit = "row"
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    max_per_kind: int = MAX_PER_KIND
    _counts: dict[tuple[str | None, str], int] = field(
        default_factory=dict, repr=False, compare=False
    )

    def add(
        self,
        message: str,
        *,
        fix: str = "",
        row: Any = None,
        column: str | None = None,
        value: Any = None,
        code: str | None = None,
        fields: Mapping[str, Any] | None = None,
    ) -> None:
        """Record one problem (listed while its kind has room, else only counted).

        ``message`` is the German text; prefer :meth:`problem`, which renders it from
        a template code (``code`` and ``fields`` here are that template's).
        """
        key = (column, fix)
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        if count > self.max_per_kind:
            return
        number = None if row is None else int(row)
        self.problems.append(
            Problem(
                self.source,
                message,
                fix,
                number,
                column,
                value,
                self.unit,
                code,
                dict(fields or {}),
            )
        )

    def problem(
        self,
        code: str,
        *,
        fix: str = "",
        row: Any = None,
        column: str | None = None,
        value: Any = None,
        **fields: Any,
    ) -> None:
        """Record the problem ``code`` of :mod:`geo.messages`, its text made from ``fields``.

        A template field named like a parameter is passed with a trailing underscore
        (``value_=``).
        """
        given = field_names(fields)
        self.add(
            render(code, **given),
            fix=fix,
            row=row,
            column=column,
            value=value,
            code=code,
            fields=given,
        )

    def room(self, *, column: str | None, fix: str = "") -> int:
        """Return how many more problems of this kind would still be listed."""
        return max(0, self.max_per_kind - self._counts.get((column, fix), 0))

    def count_more(self, count: int, *, column: str | None, fix: str = "") -> None:
        """Count ``count`` problems of a kind without listing them (past :meth:`room`)."""
        if count > 0:
            key = (column, fix)
            self._counts[key] = self._counts.get(key, 0) + count

    @property
    def total(self) -> int:
        """The number of problems found, listed or not."""
        return sum(self._counts.values()) + max(0, len(self.problems) - self._listed())

    def _listed(self) -> int:
        return sum(min(c, self.max_per_kind) for c in self._counts.values())

    def omitted(self) -> list[Problem]:
        """Return one line per kind of problem that had more than were listed."""
        return [
            Problem.of(
                self.source,
                "problem.omitted",
                fix=fix,
                column=column,
                unit=self.unit,
                more=german.number(count - self.max_per_kind),
                listed=german.number(self.max_per_kind),
            )
            for (column, fix), count in self._counts.items()
            if count > self.max_per_kind
        ]

    def note(self, text: str) -> None:
        """Record something the import did that the user should know (e.g. a repair)."""
        self.notes.append(text)

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_if_problems(self) -> None:
        """Raise ImportRefused listing the problems (at most ``max_per_kind`` of a kind).

        Raises
        ------
        ImportRefused
            When at least one problem was recorded.
        """
        if self.problems:
            raise ImportRefused(
                self.source, self.problems + self.omitted(), notes=self.notes, total=self.total
            )


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def closest(value: str, known: Iterable[str], *, n: int = 3) -> list[str]:
    """Return up to ``n`` known values most similar to ``value`` (difflib).

    Examples
    --------
    >>> closest("0110O101", ["01100101", "09999999"])
    ['01100101']
    """
    return difflib.get_close_matches(str(value), [str(k) for k in known], n=n, cutoff=0.6)


def check_columns(
    frame: pd.DataFrame, needed: Mapping[str, str | None], report: ImportReport
) -> bool:
    """Record a problem for every needed column that the frame lacks.

    ``needed`` maps the option that names the column (e.g. ``--id``) to the column.
    Returns True when all are present.

    Examples
    --------
    >>> r = ImportReport("t.csv")
    >>> check_columns(pd.DataFrame({"PLR_ID": [], "S1": []}), {"--id": "PLR_ID2"}, r)
    False
    >>> print(r.problems[0])  # doctest: +NORMALIZE_WHITESPACE
    t.csv, Spalte 'PLR_ID2': diese Spalte gibt es nicht (Option --id); die Datei hat die
    Spalten: PLR_ID, S1; Korrektur: meinten Sie 'PLR_ID'?
    """
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    have = [str(c) for c in frame.columns if c != geometry]
    ok = True
    for option, column in needed.items():
        if column is None or column in frame.columns:
            continue
        ok = False
        near = closest(column, have, n=2)
        fix = (
            render("fix.did_you_mean", names=" oder ".join(map(repr, near)))
            if near
            else render("fix.pass_option", option=option)
        )
        report.problem(
            "problem.no_column", column=column, fix=fix, option=option, columns=", ".join(have)
        )
    return ok


def check_unique(ids: pd.Series, report: ImportReport, *, column: str, scope: str = "") -> None:
    """Record one problem per id that occurs more than once, with its rows.

    Examples
    --------
    >>> r = ImportReport("p.shp", unit="feature")
    >>> check_unique(pd.Series(["a", "b", "a"], index=[1, 2, 3]), r, column="ID")
    >>> print(r.problems[0])  # doctest: +NORMALIZE_WHITESPACE
    p.shp, Spalte 'ID', Wert 'a': die ID kommt 2-mal vor (Objekte 1, 3); jede ID darf nur
    einmal vorkommen; Korrektur: vergeben Sie jede ID in der Datei nur einmal
    (oder entfernen Sie das doppelte Objekt)

    ``scope`` is appended to the sentence (German, e.g. " in der Ebene „Bezirke“").
    """
    double = "das doppelte Objekt" if report.unit == "feature" else "die doppelte Zeile"
    fix = render("fix.id_repeated", unit=double)
    present = ids.dropna()
    repeated = present[present.duplicated(keep=False)]
    groups = list(repeated.groupby(repeated, sort=False).groups.items())
    room = report.room(column=column, fix=fix)
    for value, index in groups[:room]:
        rows = [str(r) for r in index]
        more = f" … ({german.number(len(rows) - 20)} weitere)" if len(rows) > 20 else ""
        report.problem(
            "problem.id_repeated",
            column=column,
            value=value,
            fix=fix,
            times=german.number(len(rows)),
            rows=f"{UNIT_PLURALS[report.unit]} {', '.join(rows[:20])}{more}",
            scope=scope,
        )
    report.count_more(len(groups) - room, column=column, fix=fix)
    fill = render("fix.id_empty")
    empty = ids.index[ids.isna()]
    listed = empty[: report.room(column=column, fix=fill)]
    for row in listed:
        report.problem("problem.id_empty", row=row, column=column, fix=fill)
    report.count_more(len(empty) - len(listed), column=column, fix=fill)


def check_known(
    ids: pd.Series,
    known: Iterable[str],
    report: ImportReport,
    *,
    column: str,
    what: str,
    fix: str,
) -> pd.Series:
    """Record a problem for each id not in ``known``, with the closest known ids.

    Returns a boolean Series: True where the id is known.

    Examples
    --------
    >>> r = ImportReport("v.csv")
    >>> ok = check_known(pd.Series(["011001O1"], index=[2]), ["01100101"], r,
    ...                  column="PLR_ID", what="gespeicherten Gebieten",
    ...                  fix="korrigieren Sie die ID")
    >>> print(r.problems[0])  # doctest: +NORMALIZE_WHITESPACE
    v.csv, Zeile 2, Spalte 'PLR_ID', Wert '011001O1': die ID ist nicht unter den
    gespeicherten Gebieten; ähnlich: '01100101'; Korrektur: korrigieren Sie die ID

    ``what`` completes "die ID ist nicht unter den …" (German, dative plural).
    """
    known_set = {str(k) for k in known}
    present = ids.notna()
    mask = present & ids.astype(str).isin(known_set)
    unknown = ids[~mask]
    listed = unknown.iloc[: report.room(column=column, fix=fix)]
    for row, value in listed.items():
        if _is_missing(value):
            report.problem("problem.id_empty", row=row, column=column, value=value, fix=fix)
            continue
        near = closest(str(value), known_set)
        hint = (
            render("hint.closest", names=", ".join(map(repr, near)))
            if near
            else render("hint.none_close")
        )
        report.problem(
            "problem.id_unknown", row=row, column=column, value=value, fix=fix, what=what, hint=hint
        )
    report.count_more(len(unknown) - len(listed), column=column, fix=fix)
    return mask


def check_crs(file_crs: CRS | None, declared: CRS | None, report: ImportReport) -> CRS | None:
    """Return the CRS the coordinates are in: ``--crs`` if given, else the file's.

    Records a problem when neither is known.

    Examples
    --------
    >>> r = ImportReport("a.shp")
    >>> check_crs(None, None, r) is None
    True
    >>> print(r.problems[0])  # doctest: +NORMALIZE_WHITESPACE
    a.shp: die Datei hat kein Koordinatenbezugssystem (keine .prj-Datei, kein crs-Eintrag);
    Korrektur: geben Sie mit --crs an, in welchem Bezugssystem die Koordinaten liegen
    (z. B. EPSG:25833), oder legen Sie die .prj-Datei dazu
    """
    if declared is not None:
        if file_crs is not None and not file_crs.equals(declared):
            report.note(
                render(
                    "note.crs_overridden",
                    source=report.source,
                    declared=_crs_name(file_crs),
                    used=_crs_name(declared),
                )
            )
        return declared
    if file_crs is None:
        report.problem("problem.no_crs", fix=render("fix.no_crs"))
    return file_crs


def _crs_name(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.name


def plausible_bounds(crs: CRS) -> tuple[float, float, float, float]:
    """Return the box (in ``crs`` units) where coordinates of that CRS can lie.

    It is the CRS's area of use widened by a margin (10° east-west, 5° north-south),
    so that a whole country kept in one zone still passes, but degrees declared as
    metres (or metres declared as degrees) do not.

    Examples
    --------
    >>> x0, y0, x1, y1 = plausible_bounds(CRS.from_epsg(25833))
    >>> x0 < 390000 < x1 and y0 < 5820000 < y1, y0 > 52.5
    (True, True)
    """
    area = crs.area_of_use
    west, south, east, north = area.bounds if area is not None else (-180, -90, 180, 90)
    if east < west:  # crosses the antimeridian
        west, east = -180.0, 180.0
    west, east = max(west - _MARGIN_LON, -180.0), min(east + _MARGIN_LON, 180.0)
    south, north = max(south - _MARGIN_LAT, -90.0), min(north + _MARGIN_LAT, 90.0)
    if crs.is_geographic:
        return (west, south, east, north)
    to_crs = Transformer.from_crs(CRS.from_epsg(4326), crs, always_xy=True)
    x0, y0, x1, y1 = to_crs.transform_bounds(west, south, east, north, densify_pts=41)
    return (float(x0), float(y0), float(x1), float(y1))


def check_coordinates(
    geoms: gpd.GeoSeries, crs: CRS, report: ImportReport, *, ids: pd.Series | None = None
) -> None:
    """Record features whose coordinates cannot be in ``crs`` (e.g. degrees as UTM).

    When every feature is outside, one problem describes the layer; otherwise one
    problem per feature outside.
    """
    values = np.asarray(geoms.values, dtype=object)
    present = ~(shapely.is_missing(values) | shapely.is_empty(values))
    if not present.any():
        return
    bounds = shapely.bounds(values[present])
    x0, y0, x1, y1 = plausible_bounds(crs)
    outside = (bounds[:, 0] < x0) | (bounds[:, 2] > x1) | (bounds[:, 1] < y0) | (bounds[:, 3] > y1)
    if not outside.any():
        return
    name = f"{_crs_name(crs)} ({crs.name})"
    box = {"bx0": _coord(x0), "bx1": _coord(x1), "by0": _coord(y0), "by1": _coord(y1)}
    if outside.all():
        lo, hi = bounds.min(axis=0), bounds.max(axis=0)
        report.problem(
            "problem.layer_outside_crs",
            fix=render("fix.coordinates_crs"),
            x0=_coord(lo[0]),
            x1=_coord(hi[2]),
            y0=_coord(lo[1]),
            y1=_coord(hi[3]),
            crs=name,
            guess=_guess_units(lo[0], lo[1], hi[2], hi[3]),
            **box,
        )
        return
    rows = geoms.index[present][outside]
    for row, bnd in zip(rows, bounds[outside]):
        report.problem(
            "problem.feature_outside_crs",
            row=row,
            column=None if ids is None else str(ids.name),
            value=None if ids is None else ids.get(row),
            fix=render("fix.feature_coordinates"),
            x=_coord(bnd[0]),
            y=_coord(bnd[1]),
            crs=name,
            **box,
        )


def _coord(value: float) -> str:
    """Write a coordinate the German way, to six significant digits (``5.820.000``, ``13,4``).

    Examples
    --------
    >>> _coord(5819999.7), _coord(13.404953), _coord(-0.5)
    ('5.820.000', '13,405', '-0,5')
    """
    number = float(f"{value:.6g}")
    decimals = max(0, 6 - len(str(int(abs(number)))) - (0 if abs(number) >= 1 else -1))
    text = german.number(number, decimals=min(decimals, 6))
    return text.rstrip("0").rstrip(",") if "," in text else text


def _guess_units(x0: float, y0: float, x1: float, y1: float) -> str:
    if x0 >= -180 and x1 <= 180 and y0 >= -90 and y1 <= 90:
        return render("hint.looks_degrees")
    if x0 >= 100_000 and x1 <= 900_000 and y0 >= 5_000_000 and y1 <= 6_200_000:
        return render("hint.looks_utm")
    if x0 >= 2_000_000 and x1 <= 6_000_000 and y0 >= 5_000_000 and y1 <= 6_200_000:
        return render("hint.looks_gauss_krueger")
    return ""


def check_geometries(
    geoms: gpd.GeoSeries,
    report: ImportReport,
    *,
    kinds: Sequence[GeometryKind],
    layer: str,
    ids: pd.Series | None = None,
    strict: bool = False,
) -> gpd.GeoSeries:
    """Check geometries and return them 2D, with invalid ones repaired by ``make_valid``.

    Null, empty and wrong-type geometries and non-finite coordinates are problems.
    Invalid ones are problems with ``strict``; otherwise they are repaired (keeping
    the parts of the allowed kinds) and listed by id in the report's notes. Z and M
    coordinates are dropped (every layer of the data model is 2D), with a note.

    Examples
    --------
    >>> bowtie = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    >>> g = gpd.GeoSeries([shapely.box(0, 0, 1, 1), bowtie, None], index=[1, 2, 3])
    >>> r = ImportReport("x.gpkg", unit="feature")
    >>> out = check_geometries(g, r, kinds=["polygon"], layer="areas")
    >>> [p.message for p in r.problems]
    ['hat keine Geometrie']
    >>> out[2].geom_type, round(out[2].area, 3)
    ('MultiPolygon', 2.0)
    >>> r.notes[0]  # doctest: +ELLIPSIS
    '1 ungültige Geometrie mit make_valid repariert: Objekt 2 (Self-intersection...)'

    The reason in brackets is GEOS's own (``shapely.is_valid_reason``), kept as it is so
    that it can be looked up.
    """
    for kind in kinds:
        if kind not in GEOMETRY_KINDS:
            raise ValueError(f"geometry kind {kind!r} is not one of {', '.join(GEOMETRY_KINDS)}")
    allowed = {t for k in kinds for t in _TYPE_NAMES[k]}
    allowed_text = " oder ".join(sorted(allowed))
    layer_title = _layer_title(layer)
    remove = render("fix.draw_geometry", unit=UNIT_THIS[report.unit])
    values = np.asarray(geoms.values, dtype=object).copy()
    id_col = None if ids is None else str(ids.name)

    def who(row: Any) -> Any:
        return None if ids is None else ids.get(row)

    values = _drop_z_m(values, geoms.index, report)
    bad_coords = _non_finite_rows(values)
    repaired: list[str] = []
    for pos, row in enumerate(geoms.index):
        geom = values[pos]
        if geom is None:
            report.problem(
                "problem.no_geometry", row=row, column=id_col, value=who(row), fix=remove
            )
            continue
        if geom.is_empty:
            report.problem(
                "problem.empty_geometry", row=row, column=id_col, value=who(row), fix=remove
            )
            continue
        if pos in bad_coords:
            values[pos] = None  # so that the coordinate checks skip it
            report.problem(
                "problem.non_finite_coordinates",
                row=row,
                column=id_col,
                value=who(row),
                fix=render("fix.non_finite_coordinates"),
            )
            continue
        if geom.geom_type not in allowed:
            report.problem(
                "problem.wrong_geometry_type",
                row=row,
                column=id_col,
                value=who(row),
                fix=render("fix.wrong_geometry_type", found=geom.geom_type),
                found=geom.geom_type,
                layer=layer_title,
                allowed=allowed_text,
            )
            continue
        if geom.is_valid:
            continue
        reason = shapely.is_valid_reason(geom)
        label = f"{UNIT_LABELS[report.unit]} {row}" + ("" if ids is None else f" (ID {who(row)})")
        if strict:
            report.problem(
                "problem.invalid_geometry",
                row=row,
                column=id_col,
                value=who(row),
                fix=render("fix.invalid_geometry_strict"),
                reason=reason,
            )
            continue
        fixed = _keep_kinds(shapely.make_valid(geom), allowed)
        if fixed is None:
            report.problem(
                "problem.unrepairable_geometry",
                row=row,
                column=id_col,
                value=who(row),
                fix=render("fix.repair_in_gis"),
                reason=reason,
                allowed=allowed_text,
            )
            continue
        values[pos] = fixed
        repaired.append(f"{label} ({reason})")
    if repaired:
        count = len(repaired)
        more = (
            f"; … und {german.number(count - MAX_PER_KIND)} weitere" if count > MAX_PER_KIND else ""
        )
        report.note(
            render(
                "note.repaired_geometries",
                count=german.count(count, "ungültige Geometrie", "ungültige Geometrien"),
                listed="; ".join(repaired[:MAX_PER_KIND]),
                more=more,
            )
        )
    return gpd.GeoSeries(values, index=geoms.index, crs=geoms.crs, name=geoms.name)


def _layer_title(layer: str) -> str:
    """Return the German title of a layer of the data model (its name if it has none)."""
    from geo.schema import SCHEMA

    known = SCHEMA.layers.get(layer)
    return known.title if known is not None and known.title else layer


def _drop_z_m(values: np.ndarray, index: pd.Index, report: ImportReport) -> np.ndarray:
    """Return the geometries without Z and M coordinates; note which had them.

    Examples
    --------
    >>> r = ImportReport("p.gpkg", unit="feature")
    >>> points = np.array([shapely.Point(1, 2, 3), shapely.Point(1, 2)])
    >>> out = _drop_z_m(points, pd.Index([1, 2]), r)
    >>> [g.wkt for g in out], r.notes[0]  # doctest: +ELLIPSIS
    (['POINT (1 2)', 'POINT (1 2)'], 'p.gpkg: Z-Koordinaten (Höhe) entfernt bei 1 Objekt: 1; ...')
    """
    present = ~shapely.is_missing(values)
    has_z = np.zeros(len(values), dtype=bool)
    has_m = np.zeros(len(values), dtype=bool)
    has_z[present] = shapely.has_z(values[present])
    has_m[present] = shapely.has_m(values[present])
    both = has_z | has_m
    if not both.any():
        return values
    out = values.copy()
    out[both] = shapely.force_2d(values[both])
    kind = {
        (True, False): "Z-Koordinaten (Höhe)",
        (False, True): "M-Werte (Messwerte)",
        (True, True): "Z- und M-Koordinaten",
    }[(bool(has_z.any()), bool(has_m.any()))]
    rows = [str(r) for r in index[both]]
    count = len(rows)
    shown = ", ".join(rows[:10]) + (f" und {count - 10} weitere" if count > 10 else "")
    noun = "Objekt" if report.unit == "feature" else "Zeile"
    plural = noun if count == 1 else ("Objekten" if noun == "Objekt" else "Zeilen")
    report.note(
        f"{report.source}: {kind} entfernt bei {count} {plural}: {shown}; "
        "gespeichert werden nur x und y"
    )
    return out


def _non_finite_rows(values: np.ndarray) -> set[int]:
    """Return the positions of geometries with an infinite or NaN coordinate."""
    coords, where = shapely.get_coordinates(values, include_z=False, return_index=True)
    bad = ~np.isfinite(coords).all(axis=1)
    return {int(i) for i in np.unique(where[bad])}


def _keep_kinds(geom: Any, allowed: set[str]) -> Any:
    """Return the parts of ``geom`` of the allowed types as one geometry, or None."""
    if geom.geom_type in allowed and not geom.is_empty:
        if "MultiPolygon" in allowed and geom.geom_type == "Polygon":
            return shapely.MultiPolygon([geom])
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in allowed and not p.is_empty]
    if not parts:
        return None
    if "MultiPolygon" in allowed:
        polys = [q for p in parts for q in shapely.get_parts(p)]
        return shapely.MultiPolygon(polys)
    return shapely.union_all(parts)
