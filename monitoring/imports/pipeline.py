"""The one import pipeline: read -> map -> check -> write through the editing path.

Each record kind (:mod:`.areas`, :mod:`.funding_areas`, :mod:`.indicators`,
:mod:`.measures`, :mod:`.buildings`) reads its input with :func:`open_input`, maps
the columns the user names with the cell helpers here (:func:`texts`,
:func:`numbers`, :func:`dates`, …), checks everything and collects every problem,
and then hands a frame to one of the two writers:

:func:`store_records`
    editable layers (measures, funding areas): new records through
    :meth:`ChangeSet.create <monitoring.editing.ChangeSet.create>`, existing ones
    through :meth:`ChangeSet.update <monitoring.editing.ChangeSet.update>` of ONLY
    the mapped columns, with the version just read in the same transaction. Every
    record passes the record rules of :func:`monitoring.services.check_record`.
    An import that would change stored values is refused record by record (id,
    field, stored value, imported value) unless ``replace`` is given; an identical
    re-import changes nothing. One audit row per record.
:func:`store_bulk`
    bulk layers (areas, indicator values, buildings): rows that the file would add
    again (the same level and vintage; the same level, vintage, indicator, period and
    edition; the same building ids) are refused with counts unless ``replace``
    is given, which replaces them. One audit row per import (action ``import``,
    with counts and what is needed to undo it).

Both run in ONE transaction of the acting user that also writes the batch row of
``import_batches`` (see :mod:`.batches`); every audit row carries the batch id. A
refused import raises :class:`~geo.errors.ImportRefused` listing every problem and
leaves the store exactly as it was. A dry run goes down exactly the same path and
rolls the transaction back at the end.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geo import german
from geo.crs import parse_crs
from geo.errors import CRSError, ImportRefused
from geo.readers import (
    NumberFormat,
    Table,
    detect_number_format,
    parse_date,
    parse_number,
    read_table,
    read_vector,
)
from geo.schema import GEOMETRY_COLUMN, SCHEMA
from geo.symbols import number_text, parse_cell, uses_symbols
from geo.validation import (
    GeometryKind,
    ImportReport,
    Problem,
    check_columns,
    check_coordinates,
    check_crs,
    check_geometries,
)
from monitoring import editing, services
from monitoring.auth import User, require
from monitoring.imports import batches

if TYPE_CHECKING:
    from geo.store.base import Store

Progress = Callable[[float, str], None] | None
Source = str | Path | Table

_CHUNKS = 20  # progress steps while writing

RULE_FIELDS: Mapping[tuple[str, str], str] = {
    ("measures", "title"): "title",
    ("measures", "status"): "status",
    ("measures", "dates"): "end_date",
    ("measures", "cost"): "cost_estimate",
    ("measures", "status_dates"): "status",
    ("funding_areas", "name"): "name",
    ("funding_areas", "programme"): "programme_id",
    ("funding_areas", "years"): "expected_end",
    ("funding_areas", "status"): "funding_status",
}
"""(layer, code of a record rule) -> the field the report names for a broken rule."""


#: German names of the layers an import writes.
LAYER_LABELS = {
    "areas": "Gebiete",
    "funding_areas": "Fördergebiete",
    "indicator_values": "Indikatorwerte",
    "measures": "Maßnahmen",
    "buildings": "Gebäude",
}

#: German labels of the details an import reports.
DETAIL_LABELS = {
    "level": "Ebene",
    "vintage": "Gebietsstand",
    "edition": "Ausgabe",
    "missing": "Werte ohne Zahl (leer, fehlend oder Zeichen der Statistik)",
    "indicators": "Indikatoren",
    "programme": "Programm",
    "new": "neue Datensätze",
    "changed": "geänderte Datensätze",
    "unchanged": "unveränderte Datensätze",
    "replaced": "ersetzte Zeilen",
    "areas_without_value": "Gebiete der Ebene ohne Wert",
    "flagged": "Werte mit Zeichen der amtlichen Statistik",
    "new_indicators": "neue Indikatoren im Katalog",
}

#: Details kept for the programme, not shown in the one-line summary.
QUIET_DETAILS = frozenset({"fingerprint", "sha256"})


#: Details that are names (a vintage 2021 is no count: never "2.021").
NAME_DETAILS = frozenset({"level", "vintage", "edition", "programme"})


def _detail(key: str, value: Any) -> str:
    """A detail of the summary as a user reads it: counts German (1.200), names as they are."""
    numeric = isinstance(value, int | float | np.integer | np.floating)
    if numeric and not isinstance(value, bool) and key not in NAME_DETAILS:
        return german.number(value, decimals=0 if float(value).is_integer() else 2)
    return str(value)


@dataclass(frozen=True)
class Change:
    """One stored value of an existing record that an import changes (or would change)."""

    record: str
    field: str
    stored: Any
    imported: Any
    row: int | None = None


@dataclass(frozen=True)
class ImportResult:
    """What an import stored: layer, number of rows, and what the user should know.

    ``details`` holds the counts (new, changed, unchanged records; replaced rows) and
    the level/vintage/edition; ``changes`` every stored value replaced (``replace``);
    ``batch_id`` names the import for ``qmon import undo``.
    """

    layer: str
    source: str
    rows: int
    notes: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    dry_run: bool = False
    changes: tuple[Change, ...] = ()
    batch_id: str | None = field(default=None, compare=False)

    def summary(self) -> str:
        """One line for the user, in German.

        Examples
        --------
        >>> ImportResult("areas", "plr.shp", 542, details={"level": "PLR"}).summary()
        'plr.shp: 542 Zeilen in Gebiete gespeichert (Ebene PLR)'
        >>> ImportResult("areas", "plr.shp", 542, dry_run=True).summary()
        'plr.shp: 542 Zeilen würden in Gebiete gespeichert (Probelauf: nichts wurde geschrieben)'
        >>> ImportResult("measures", "m.csv", 1, details={"new": 1200}).summary()
        'm.csv: 1 Zeile in Maßnahmen gespeichert (neue Datensätze 1.200)'
        """
        extra = ", ".join(
            f"{DETAIL_LABELS.get(k, k)} {_detail(k, v)}"
            for k, v in self.details.items()
            if v is not None and not isinstance(v, list | dict) and k not in QUIET_DETAILS
        )
        if self.dry_run:
            extra = ", ".join(filter(None, [extra, "Probelauf: nichts wurde geschrieben"]))
        layer = LAYER_LABELS.get(self.layer, self.layer)
        verb = "würden in {} gespeichert" if self.dry_run else "in {} gespeichert"
        rows = german.count(self.rows, "Zeile", "Zeilen")
        if self.rows == 1:
            verb = "würde in {} gespeichert" if self.dry_run else "in {} gespeichert"
        return f"{self.source}: {rows} {verb.format(layer)}" + (f" ({extra})" if extra else "")


@dataclass(frozen=True)
class Run:
    """One import being run: where, by whom, and how (dry run, replace)."""

    store: Store
    user: User
    kind: str
    layer: str
    progress: Progress = None
    dry_run: bool = False
    replace: bool = False

    def step(self, fraction: float, message: str) -> None:
        """Report progress (fraction 0–1 and a German message)."""
        if self.progress is not None:
            self.progress(min(max(fraction, 0.0), 1.0), message)


def start(
    store: Store,
    user: User,
    *,
    kind: str,
    layer: str,
    progress: Progress,
    dry_run: bool,
    replace: bool,
) -> Run:
    """Check the user's right and the store before any work; return the run.

    Raises
    ------
    PermissionDenied
        When the user's role may not write ``layer`` (checked again when writing).
    ImportRefused
        When the store has no data model yet.
    """
    action = editing.BULK_LAYER_ACTIONS.get(layer) or editing.LAYER_ACTIONS[layer]
    require(user, action)
    if store.schema_version() == 0:
        raise ImportRefused(
            store.url,
            [
                Problem(
                    store.url,
                    "die Datenbank hat noch kein Datenmodell",
                    f"legen Sie es zuerst an mit: qmon init --store {store.url} --crs EPSG:25832",
                )
            ],
        )
    return Run(store, user, kind, layer, progress, dry_run, replace)


class _DryRunRollback(Exception):
    """Raised after the last write of a dry run, so that its transaction rolls back."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__("dry run")
        self.result = result


# --- read ----------------------------------------------------------------------------


def vector(source: Source, *, layer: str | None) -> Table:
    """Return a vector input as a Table (or refuse a table without geometry)."""
    if isinstance(source, Table):
        if not isinstance(source.frame, gpd.GeoDataFrame):
            raise ImportRefused(
                source.source,
                [
                    Problem(
                        source.source,
                        "hat keine Geometrie",
                        "importieren Sie stattdessen eine Vektordatei oder eine Tabelle mit "
                        "Koordinaten (Maßnahmen)",
                    )
                ],
            )
        return source
    return _fingerprinted(read_vector(source, layer=layer), source)


def table(
    source: Source,
    *,
    sheet: str | None,
    delimiter: str | None,
    encoding: str | None,
    header_row: int | None = None,
) -> Table:
    """Return a CSV/XLSX input (or an already read Table); ``header_row``: last header row."""
    if isinstance(source, Table):
        return source
    return _fingerprinted(
        read_table(
            source, sheet=sheet, delimiter=delimiter, encoding=encoding, header_row=header_row
        ),
        source,
    )


def _fingerprinted(tab: Table, path: str | Path) -> Table:
    """Record the fingerprint of the file's bytes with the table (for the batch row)."""
    if "sha256" not in tab.details:
        sha = batches.fingerprint(path)
        if sha is not None:
            tab.details["sha256"] = sha
    return tab


def open_input(
    run: Run, read: Callable[[], Table], needed: Mapping[str, str | None]
) -> tuple[Table, ImportReport]:
    """Read the input and refuse at once when named columns are missing."""
    run.step(0.0, "Datei wird gelesen")
    tab = read()
    report = tab.report()
    if not check_columns(tab.frame, needed, report):
        report.raise_if_problems()
    run.step(0.2, "Daten werden geprüft")
    return tab, report


# --- map: cells to values ---------------------------------------------------------


def text(value: Any) -> str | None:
    """Return a cell as text: ids and names (never parsed as numbers).

    Examples
    --------
    >>> text(12.0), text("  a "), text(float("nan")), text("")
    ('12', 'a', None, None)
    """
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.isoformat()
    out = str(value).strip()
    return out or None


def texts(frame: pd.DataFrame, column: str | None) -> pd.Series:
    """Return a column as text cells (all None when no column is named)."""
    if column is None:
        return pd.Series(None, index=frame.index, dtype=object)
    return frame[column].map(text).astype(object).rename(column)


def one_or_column(frame: pd.DataFrame, value: Any, column: str | None) -> pd.Series:
    """Return the text of ``column`` per row, or ``value`` for every row."""
    if column:
        return texts(frame, column)
    return pd.Series(value, index=frame.index, dtype=object)


def required_texts(
    frame: pd.DataFrame, column: str, report: ImportReport, *, what: str
) -> pd.Series:
    """Return a text column and record a problem for each empty cell."""
    values = texts(frame, column)
    for row in values.index[values.isna()]:
        report.add(
            f"das Feld „{what}“ ist leer",
            row=row,
            column=column,
            fix=f"füllen Sie das Feld „{what}“ aus",
        )
    return values


@dataclass(frozen=True)
class Numbers:
    """Parsed number columns: values, 'declared missing' masks, symbol flags, the format.

    ``flags`` holds per column the flag of each cell written with a statistics symbol
    (:data:`geo.symbols.FLAG_LABELS`; None for a plain number), ``footnotes`` the
    footnote marks glued to numbers (``12,3¹``) as ``(row, column, mark)``.
    """

    values: dict[str, pd.Series]
    missing: dict[str, pd.Series]
    flags: dict[str, pd.Series]
    format: NumberFormat
    symbols: bool = False
    footnotes: tuple[tuple[Any, str, str], ...] = ()


def numbers(
    frame: pd.DataFrame,
    columns: Sequence[str],
    report: ImportReport,
    *,
    fmt: NumberFormat | None,
    delimiter: str | None,
    na: Iterable[str] = (),
    symbols: bool = False,
) -> Numbers:
    """Parse number columns; return values, 'declared missing' masks, flags and the format.

    Empty cells become NaN (not a problem); cells equal to a ``na`` sentinel become
    NaN and are marked; anything else that is not a number is a problem. With
    ``symbols`` (tables of official statistics), the symbols of the Zeichenerklärung
    are read as :func:`geo.symbols.parse_cell` does: ``-`` alone is 0, ``.``, ``…``,
    ``x`` and ``/`` are NaN with their flag, ``(12,3)`` is 12.3 flagged ``limited``,
    ``-  23`` is -23, footnote marks after a number are dropped; when any cell uses
    a symbol, a ``0`` is flagged ``rounded``. Symbol cells do not count when the
    number format is detected.
    """
    cells = [v for c in columns for v in frame[c].tolist()]
    na_texts = {t.strip() for t in na if t.strip()}
    candidates = [v for v in cells if not (isinstance(v, str) and v.strip() in na_texts)]
    if symbols:
        candidates = [number_text(v) for v in candidates]
        candidates = [v for v in candidates if v is not None]
    use = fmt or detect_number_format(candidates, delimiter=delimiter)
    uses = symbols and uses_symbols(
        c for c in cells if not (isinstance(c, str) and c.strip() in na_texts)
    )
    na_values = set()
    for token in na_texts:
        for f in (use, NumberFormat()):
            with contextlib.suppress(ValueError):
                na_values.add(parse_number(token, f))

    def parse(cell: Any) -> float:
        return parse_number(cell, use)

    values: dict[str, pd.Series] = {}
    missing: dict[str, pd.Series] = {}
    flags: dict[str, pd.Series] = {}
    marks: list[tuple[Any, str, str]] = []
    for column in columns:
        out = np.full(len(frame), np.nan)
        declared = np.zeros(len(frame), dtype=bool)
        flagged: list[str | None] = [None] * len(frame)
        for pos, (row, cell) in enumerate(frame[column].items()):
            if text(cell) is None:
                continue
            if isinstance(cell, str) and cell.strip() in na_texts:
                declared[pos] = True
                continue
            try:
                if symbols:
                    number, flag, mark = parse_cell(cell, parse, symbols=uses)
                else:
                    number, flag, mark = parse(cell), None, None
            except ValueError as exc:
                report.add(
                    f"ist keine Zahl ({exc}; die Zahlen der Datei wurden gelesen mit "
                    f"{use.describe()})",
                    row=row,
                    column=column,
                    value=cell,
                    fix="korrigieren Sie den Wert, lassen Sie ihn leer, erklären Sie ihn mit --na "
                    "als fehlend oder geben Sie --decimal/--thousands an, wenn das Zahlenformat "
                    "falsch erkannt wurde",
                )
                continue
            if flag is None and number in na_values:
                declared[pos] = True
                continue
            out[pos] = number
            flagged[pos] = flag
            if mark:
                marks.append((row, column, mark))
        values[column] = pd.Series(out, index=frame.index)
        missing[column] = pd.Series(declared, index=frame.index)
        flags[column] = pd.Series(flagged, index=frame.index, dtype=object)
    return Numbers(values, missing, flags, use, uses, tuple(marks))


def dates(series: pd.Series, report: ImportReport, *, option: str) -> pd.Series:
    """Parse a date column; record a problem for each cell that is no date."""
    out: list[Any] = []
    for row, cell in series.items():
        if text(cell) is None:
            out.append(pd.NaT)
            continue
        try:
            out.append(pd.Timestamp(parse_date(cell)))
        except ValueError as exc:
            report.add(
                str(exc),
                row=row,
                column=str(series.name),
                value=cell,
                fix=f"korrigieren Sie das Datum in der mit {option} angegebenen Spalte",
            )
            out.append(pd.NaT)
    return pd.Series(out, index=series.index, dtype="datetime64[ns]")


def optional_dates(
    frame: pd.DataFrame, column: str | None, report: ImportReport, *, option: str
) -> pd.Series:
    """Parse the dates of ``column``, or return no dates when no column is named."""
    if column is None:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return dates(frame[column], report, option=option)


def one_date(value: Any, report: ImportReport, *, option: str) -> pd.Timestamp | None:
    """Parse the date of an option (the same for every row)."""
    if value is None:
        return None
    try:
        return pd.Timestamp(parse_date(value))
    except ValueError as exc:
        report.add(
            f"{option}: {exc}", fix=f"geben Sie {option} als 31.12.2021, 2021-12-31 oder 2021 an"
        )
        return None


def years(
    frame: pd.DataFrame, column: str | None, report: ImportReport, *, option: str
) -> pd.Series:
    """Parse a column of years or dates (``24.05.2016`` gives 2016)."""
    if column is None:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    out: list[Any] = []
    for row, cell in frame[column].items():
        value = text(cell)
        if value is None:
            out.append(pd.NA)
            continue
        try:
            out.append(
                parse_date(value).year if not value.isdigit() or len(value) != 4 else int(value)
            )
        except ValueError as exc:
            report.add(
                str(exc),
                row=row,
                column=column,
                value=cell,
                fix=f"schreiben Sie ein Jahr (2016) oder ein Datum (24.05.2016) in {option}",
            )
            out.append(pd.NA)
    return pd.Series(out, index=frame.index, dtype="Int64")


def geometries(
    tab: Table,
    report: ImportReport,
    *,
    crs: str | CRS | None,
    kinds: Sequence[GeometryKind],
    layer: str,
    ids: pd.Series,
    strict: bool,
) -> tuple[gpd.GeoSeries, CRS | None]:
    """Check CRS, coordinates and geometries of a vector table; return repaired geometries."""
    gdf = tab.frame
    assert isinstance(gdf, gpd.GeoDataFrame)
    declared = None
    if crs is not None:
        try:
            declared = parse_crs(crs, what="--crs")
        except CRSError as exc:
            report.add(
                str(exc),
                fix="geben Sie das Koordinatensystem als EPSG:25832, EPSG:25833 oder EPSG:4326 an",
            )
    source_crs = check_crs(tab.crs, declared, report)
    geoms = check_geometries(gdf.geometry, report, kinds=kinds, layer=layer, ids=ids, strict=strict)
    if source_crs is not None:
        check_coordinates(geoms, source_crs, report, ids=ids)
    return geoms, source_crs


def features(
    run: Run,
    columns: Mapping[str, Any],
    geoms: gpd.GeoSeries,
    source_crs: CRS | None,
    index: pd.Index,
) -> gpd.GeoDataFrame:
    """Return the mapped columns and geometries as a frame in the storage CRS."""
    frame = gpd.GeoDataFrame(dict(columns), geometry=geoms.values, crs=source_crs, index=index)
    return frame.to_crs(run.store.crs)


# --- write ---------------------------------------------------------------------------


def _transaction(
    run: Run,
    tab: Table,
    report: ImportReport,
    body: Callable[[editing.ChangeSet], tuple[int, dict[str, Any], tuple[Change, ...]]],
    *,
    summary: Mapping[str, Any] | None = None,
) -> ImportResult:
    """Run ``body`` in one transaction with the batch row; roll back a dry run."""
    now = dt.datetime.now(dt.UTC)
    batch_id = batches.new_batch_id(now)
    try:
        with editing.changes(run.store, run.user, batch_id=batch_id) as ch:
            rows, details, changes = body(ch)
            extra = dict(summary or {})
            batches.write_batch(
                ch.tx,
                batch_id,
                run.user,
                kind=run.kind,
                source=tab.source,
                summary={
                    "layer": run.layer,
                    "rows": rows,
                    "details": details,
                    "fingerprint": tab.details.get("sha256"),
                    **extra,
                },
                now=now,
            )
            result = ImportResult(
                run.layer,
                tab.source,
                rows,
                tuple(report.notes),
                details,
                run.dry_run,
                changes,
                None if run.dry_run else batch_id,
            )
            if run.dry_run:
                raise _DryRunRollback(result)
    except _DryRunRollback as rolled_back:
        return rolled_back.result
    return result


def _done(run: Run) -> str:
    return "geprüft (Probelauf, nichts gespeichert)" if run.dry_run else "geschrieben"


def _cell(value: Any) -> Any:
    """Return a frame cell as a value for the editing path (missing as None)."""
    if isinstance(value, BaseGeometry):
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _same_geometry(a: Any, b: Any) -> bool:
    """Return whether two geometries are the same to the millimetre (single = multi of one)."""
    if a is None or b is None:
        return a is None and b is None
    a, b = (shapely.normalize(_multi(g)) for g in (a, b))
    return bool(shapely.equals_exact(a, b, tolerance=1e-3))


def _multi(geom: BaseGeometry) -> BaseGeometry:
    if isinstance(geom, shapely.Polygon):
        return shapely.MultiPolygon([geom])
    return geom


def _differences(
    imported: Mapping[str, Any], stored: Mapping[str, Any]
) -> dict[str, tuple[Any, Any]]:
    """Return ``{field: (stored, imported)}`` for the mapped fields that differ."""
    out: dict[str, tuple[Any, Any]] = {}
    for name, value in imported.items():
        if name == GEOMETRY_COLUMN:
            if not _same_geometry(value, stored.get(name)):
                out[name] = (editing.plain(stored.get(name)), editing.plain(value))
            continue
        diff = editing.differences({name: value}, {name: stored.get(name)}, ignore=())
        if diff:
            out[name] = (diff[name][1], diff[name][0])
    return out


def store_records(
    run: Run,
    frame: gpd.GeoDataFrame,
    tab: Table,
    report: ImportReport,
    *,
    columns: Mapping[str, str],
    details: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Write records of an editable layer through the editing path (see the module).

    Parameters
    ----------
    run
        The import.
    frame
        One row per record, indexed by the file's row numbers, holding ONLY the
        mapped columns (and the key); geometry in the storage CRS.
    tab, report
        The input and its report (problems are added to it, notes go with the result).
    columns
        Field -> the file column (or option) it came from, for the report.
    details
        Shown with the result.
    today
        The date the record rules judge statuses at (default: today).

    Raises
    ------
    ImportRefused
        Listing every record rule broken (with row numbers) and, without
        ``run.replace``, every stored value the import would change.
    """
    layer = run.layer
    lyr = SCHEMA.layer(layer)
    day = today or dt.date.today()
    label = editing.RECORD_LABELS.get(lyr.name, lyr.title)

    def body(ch: editing.ChangeSet) -> tuple[int, dict[str, Any], tuple[Change, ...]]:
        ids = [str(i) for i in frame["id"]]
        befores: dict[str, dict[str, Any]] = {}
        for begin in range(0, len(ids), 500):
            stored = ch.tx.read(layer, where={"id": ids[begin : begin + 500]})
            for i, rid in enumerate(stored["id"]):
                image = editing.row_dict(stored, i)
                befores[str(rid)] = image | {GEOMETRY_COLUMN: stored.geometry.iloc[i]}
        plan: list[tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any]]] = []
        changes: list[Change] = []
        geometry: dict[str, str] = {}
        for row, item in frame.iterrows():
            values = {str(k): _cell(v) for k, v in item.items()}
            before = befores.get(str(values["id"]))
            diff = {} if before is None else _differences(values, before)
            record = values if before is None else before | values
            for finding in services.check_record(ch.tx, layer, record, before, today=day):
                if finding.level == "error":
                    name = RULE_FIELDS.get((layer, finding.code), "id")
                    name = name if name in columns else "id"
                    report.add(
                        finding.message,
                        row=row,
                        column=columns.get(name),
                        value=record.get(name),
                        fix="korrigieren Sie die Zeile (es gelten dieselben Regeln wie im "
                        "Formular der App)",
                    )
                else:
                    report.note(f"{tab.source}, {tab.unit} {row}: {finding.message}")
            for name, (old, new) in diff.items():
                changes.append(Change(str(values["id"]), name, old, new, int(row)))
                if name == GEOMETRY_COLUMN and before is not None:
                    geometry[str(values["id"])] = batches.exact(before[GEOMETRY_COLUMN])
            plan.append((values, before, diff))
        if changes and not run.replace:
            for change in changes:
                report.add(
                    f"{label} „{change.record}“ gibt es schon: {change.field} ist gespeichert "
                    f"als {_show(change.stored)}, die Datei hat {_show(change.imported)}",
                    row=change.row,
                    column=columns.get(change.field, change.field),
                    value=change.imported,
                    fix="geben Sie --replace an, um die gespeicherten Werte zu überschreiben "
                    "(nur die zugeordneten Spalten ändern sich, der Bericht listet jede), oder "
                    "korrigieren Sie die Zeile",
                )
        report.raise_if_problems()
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        total = len(plan)
        for n, (values, before, diff) in enumerate(plan, start=1):
            if before is None:
                ch.create(layer, values)
                counts["new"] += 1
            elif diff:
                new_values = {k: values[k] for k in diff}
                ch.update(
                    layer, {"id": values["id"]}, new_values, expected_version=before["version"]
                )
                counts["changed"] += 1
            else:
                counts["unchanged"] += 1
            if n % max(1, total // _CHUNKS) == 0 or n == total:
                run.step(
                    0.5 + 0.5 * n / total,
                    f"{german.number(n)} von {german.number(total)} Datensätzen {_done(run)}",
                )
        summary_extra["geometry"] = geometry
        return total, dict(details or {}) | counts, tuple(changes)

    summary_extra: dict[str, Any] = {}
    run.step(0.5, "Daten werden gespeichert")
    return _transaction(run, tab, report, body, summary=summary_extra)


def _show(value: Any) -> str:
    shown = "empty" if value is None else repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "…"


def store_bulk(
    run: Run,
    frame: pd.DataFrame,
    tab: Table,
    report: ImportReport,
    *,
    scopes: Sequence[Mapping[str, Any]],
    what: str,
    details: Mapping[str, Any] | None = None,
    extra_records: Callable[[editing.ChangeSet], None] | None = None,
) -> ImportResult:
    """Write rows of a bulk layer; refuse (or with ``replace`` replace) rows already there.

    Parameters
    ----------
    run
        The import.
    frame
        The rows to add, with every column of the layer.
    tab, report
        The input and its report.
    scopes
        ``where`` filters selecting the stored rows this import would add again
        (e.g. ``{"level": "PLR", "vintage": "2021"}``); with ``replace`` these rows
        are deleted first and kept in the audit row, so that undo restores them.
    what
        How the report names those rows (e.g. "areas of level 'PLR', vintage '2021'").
    details
        Shown with the result.
    extra_records
        Called with the change set after the rows are written, in the same
        transaction: records the rows need (e.g. the catalogue entries of new
        indicators) are written through the editing path, each with its audit row
        carrying the batch id; a dry run rolls them back with the rest.

    Raises
    ------
    ImportRefused
        Without ``run.replace``, when the store already holds rows in the scopes.
    """
    layer = run.layer
    lyr = SCHEMA.layer(layer)

    def body(ch: editing.ChangeSet) -> tuple[int, dict[str, Any], tuple[Change, ...]]:
        found = [ch.tx.read(layer, where=dict(w)) for w in scopes]
        existing = pd.concat([f for f in found if len(f)]) if any(len(f) for f in found) else None
        replaced = 0 if existing is None else len(existing)
        if replaced and not run.replace:
            report.add(
                f"es {'ist' if replaced == 1 else 'sind'} schon "
                f"{german.count(replaced, 'Zeile', 'Zeilen')} gespeichert ({what}); die Datei "
                f"hat {german.number(len(frame))}. Ein Import hängt sie nie noch einmal an und "
                "überschreibt sie nie stillschweigend",
                fix="geben Sie --replace an, um die gespeicherten Zeilen zu ersetzen (der "
                "Bericht zeigt, wie viele; qmon import undo holt sie zurück), oder importieren "
                "Sie eine andere Ebene, einen anderen Gebietsstand oder eine andere Ausgabe",
            )
        report.raise_if_problems()
        kept = [] if existing is None else batches.exact_rows(existing)
        for where in scopes if replaced else ():
            ch.bulk_delete(layer, dict(where))
        count = len(frame)
        size = max(1, math.ceil(count / _CHUNKS))
        for begin in range(0, count, size):
            ch.bulk_write(layer, frame.iloc[begin : begin + size])
            written = min(begin + size, count)
            run.step(
                0.5 + 0.5 * written / count,
                f"{german.number(written)} von {german.number(count)} Zeilen {_done(run)}",
            )
        if extra_records is not None:
            extra_records(ch)
        keys = frame[list(lyr.key)].map(batches.exact).values.tolist() if count else []
        counts = {"added": count, "replaced": replaced}
        ch.bulk_log(layer, str(ch.batch_id), "import", kept, counts | {"keys": keys})
        return count, dict(details or {}) | ({"replaced": replaced} if replaced else {}), ()

    run.step(0.5, "Daten werden gespeichert")
    return _transaction(run, tab, report, body)
