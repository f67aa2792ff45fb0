"""Import use cases: a city's own boundaries, funding areas, indicators, measures, buildings.

Each import reads its input (:mod:`geo.readers`), maps the columns the user names,
checks everything (:mod:`geo.validation`) and collects every problem, and only
when there is none writes all rows in ONE store transaction. A refused import
raises :class:`~geo.errors.ImportRefused` listing every problem and leaves the
store exactly as it was.

Every use case takes ``progress``, a callable ``(fraction, message)`` that the CLI
turns into a progress bar and the app into ``st.progress``.

Rows are written with ``upsert`` on the layer's key, so importing the same file
twice stores it once, and a corrected file replaces the values it carries.

Every use case takes ``dry_run``: a dry run goes down exactly the same path as the
real import (every check, the checks against stored data included, and the writes
themselves inside the transaction) and then rolls the transaction back, so it
returns the result the import would have (or raises the same ImportRefused) while
the store stays exactly as it was. The app shows it as the report before the user
confirms; the CLI offers it as ``--dry-run``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.crs import parse_crs
from geo.errors import CRSError, ImportRefused
from geo.readers import (
    NumberFormat,
    Table,
    detect_number_format,
    is_vector_path,
    parse_date,
    parse_number,
    read_table,
    read_vector,
)
from geo.validation import (
    GeometryKind,
    ImportReport,
    Problem,
    check_columns,
    check_coordinates,
    check_crs,
    check_geometries,
    check_known,
    check_unique,
    closest,
)
from monitoring.renewal.measures import STATUSES

if TYPE_CHECKING:
    from geo.store.base import Store
    from indicators.registry import Registry

Progress = Callable[[float, str], None] | None
Source = str | Path | Table
Shape = Literal["wide", "long"]
MEASURE_STATUSES = STATUSES
"""Statuses of a measure (from :mod:`monitoring.renewal.measures`)."""

_CHUNKS = 20  # progress steps while writing


@dataclass(frozen=True)
class ImportResult:
    """What an import stored: layer, number of rows, and what the user should know."""

    layer: str
    source: str
    rows: int
    notes: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    dry_run: bool = False

    def summary(self) -> str:
        """One line for the user.

        Examples
        --------
        >>> ImportResult("areas", "plr.shp", 542, details={"level": "PLR"}).summary()
        'plr.shp: 542 rows stored in areas (level PLR)'
        >>> ImportResult("areas", "plr.shp", 542, dry_run=True).summary()
        'plr.shp: 542 rows would be stored in areas (dry run: nothing was written)'
        """
        extra = ", ".join(f"{k} {v}" for k, v in self.details.items() if v is not None)
        if self.dry_run:
            extra = ", ".join(filter(None, [extra, "dry run: nothing was written"]))
        verb = "would be stored" if self.dry_run else "stored"
        return f"{self.source}: {self.rows} rows {verb} in {self.layer}" + (
            f" ({extra})" if extra else ""
        )


class _DryRunRollback(Exception):
    """Raised after the last write of a dry run, so that its transaction rolls back."""


def _step(progress: Progress, fraction: float, message: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), message)


# --- reading -----------------------------------------------------------------------


def _vector(source: Source, *, layer: str | None) -> Table:
    if isinstance(source, Table):
        if not isinstance(source.frame, gpd.GeoDataFrame):
            raise ImportRefused(
                source.source,
                [
                    Problem(
                        source.source,
                        "has no geometry",
                        "import a vector file or a table with coordinates (measures) instead",
                    )
                ],
            )
        return source
    return read_vector(source, layer=layer)


def _table(
    source: Source, *, sheet: str | None, delimiter: str | None, encoding: str | None
) -> Table:
    if isinstance(source, Table):
        return source
    return read_table(source, sheet=sheet, delimiter=delimiter, encoding=encoding)


def _declared_crs(crs: str | CRS | None, report: ImportReport) -> CRS | None:
    if crs is None:
        return None
    try:
        return parse_crs(crs, what="--crs")
    except CRSError as exc:
        report.add(str(exc), fix="write the CRS as EPSG:25832, EPSG:25833 or EPSG:4326")
        return None


def _text(value: Any) -> str | None:
    """Return a cell as text: ids and names (never parsed as numbers)."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _texts(frame: pd.DataFrame, column: str | None) -> pd.Series:
    if column is None:
        return pd.Series(None, index=frame.index, dtype=object)
    return frame[column].map(_text).astype(object).rename(column)


def _numbers(
    frame: pd.DataFrame,
    columns: Sequence[str],
    report: ImportReport,
    *,
    fmt: NumberFormat | None,
    delimiter: str | None,
    na: Iterable[str] = (),
) -> tuple[dict[str, pd.Series], dict[str, pd.Series], NumberFormat]:
    """Parse number columns; return values, a 'declared missing' mask per column, the format.

    Empty cells become NaN (not a problem); cells equal to a ``na`` sentinel become
    NaN and are marked; anything else that is not a number is a problem.
    """
    cells = [v for c in columns for v in frame[c].tolist()]
    na_texts = {t.strip() for t in na if t.strip()}
    candidates = [v for v in cells if not (isinstance(v, str) and v.strip() in na_texts)]
    use = fmt or detect_number_format(candidates, delimiter=delimiter)
    na_values = set()
    for token in na_texts:
        for f in (use, NumberFormat()):
            with contextlib.suppress(ValueError):
                na_values.add(parse_number(token, f))
    values: dict[str, pd.Series] = {}
    missing: dict[str, pd.Series] = {}
    for column in columns:
        out = np.full(len(frame), np.nan)
        declared = np.zeros(len(frame), dtype=bool)
        for pos, (row, cell) in enumerate(frame[column].items()):
            if cell is None or (isinstance(cell, float) and math.isnan(cell)):
                continue
            if isinstance(cell, str) and not cell.strip():
                continue
            if isinstance(cell, str) and cell.strip() in na_texts:
                declared[pos] = True
                continue
            try:
                number = parse_number(cell, use)
            except ValueError as exc:
                report.add(
                    f"is not a number ({exc}; the file's numbers were read with {use.describe()})",
                    row=row,
                    column=column,
                    value=cell,
                    fix="correct the value, leave it empty, declare it with --na, or pass "
                    "--decimal/--thousands if the format was misread",
                )
                continue
            if number in na_values:
                declared[pos] = True
                continue
            out[pos] = number
        values[column] = pd.Series(out, index=frame.index)
        missing[column] = pd.Series(declared, index=frame.index)
    return values, missing, use


def _dates(series: pd.Series, report: ImportReport, *, option: str) -> pd.Series:
    out: list[Any] = []
    for row, cell in series.items():
        if _text(cell) is None:
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
                fix=f"correct the date in the column given with {option}",
            )
            out.append(pd.NaT)
    return pd.Series(out, index=series.index, dtype="datetime64[ns]")


def _one_date(value: Any, report: ImportReport, *, option: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(parse_date(value))
    except ValueError as exc:
        report.add(f"{option}: {exc}", fix=f"pass {option} as 2021-12-31, 31.12.2021 or 2021")
        return None


def _geometry_frame(
    table: Table,
    report: ImportReport,
    *,
    crs: str | CRS | None,
    kinds: Sequence[GeometryKind],
    layer: str,
    ids: pd.Series,
    strict: bool,
) -> tuple[gpd.GeoSeries, CRS | None]:
    """Check CRS, coordinates and geometries of a vector table; return repaired geometries."""
    gdf = table.frame
    assert isinstance(gdf, gpd.GeoDataFrame)
    source_crs = check_crs(table.crs, _declared_crs(crs, report), report)
    geoms = check_geometries(gdf.geometry, report, kinds=kinds, layer=layer, ids=ids, strict=strict)
    if source_crs is not None:
        check_coordinates(geoms, source_crs, report, ids=ids)
    return geoms, source_crs


def _require_store(store: Store) -> None:
    if store.schema_version() == 0:
        raise ImportRefused(
            store.url,
            [
                Problem(
                    store.url,
                    "the store has no data model yet",
                    f"create it first with: qmon init --store {store.url} --crs EPSG:25832",
                )
            ],
        )


def _open(
    store: Store,
    read: Callable[[], Table],
    needed: Mapping[str, str | None],
    *,
    progress: Progress,
) -> tuple[Table, ImportReport]:
    """Check the store, read the input and refuse at once when named columns are missing."""
    _require_store(store)
    _step(progress, 0.0, "Datei wird gelesen")
    table = read()
    report = table.report()
    if not check_columns(table.frame, needed, report):
        report.raise_if_problems()
    _step(progress, 0.2, "Daten werden geprüft")
    return table, report


def _store_features(
    store: Store,
    layer: str,
    columns: Mapping[str, Any],
    geoms: gpd.GeoSeries,
    source_crs: CRS | None,
    table: Table,
    report: ImportReport,
    *,
    user: str | None,
    progress: Progress,
    dry_run: bool,
    details: dict[str, Any] | None = None,
) -> ImportResult:
    """Build the frame in the storage CRS, write it in one transaction, report the result."""
    frame = gpd.GeoDataFrame(
        dict(columns), geometry=geoms.values, crs=source_crs, index=table.frame.index
    ).to_crs(store.crs)
    _step(progress, 0.5, "Daten werden gespeichert")
    rows = _write(store, layer, frame, user=user, progress=progress, dry_run=dry_run)
    return ImportResult(layer, table.source, rows, tuple(report.notes), details or {}, dry_run)


def _write(
    store: Store,
    layer: str,
    frame: pd.DataFrame,
    *,
    user: str | None,
    progress: Progress,
    dry_run: bool,
    start: float = 0.5,
    replace_where: Mapping[str, Any] | None = None,
) -> int:
    """Write all rows in one transaction (chunks only for the progress bar).

    A dry run writes the same way and then rolls the transaction back, so the
    store's own checks (required columns, storable text, keys) run as well.
    """
    count = len(frame)
    size = max(1, math.ceil(count / _CHUNKS))
    written = 0
    done = "geprüft (Probelauf, nichts gespeichert)" if dry_run else "geschrieben"
    try:
        with store.transaction(user=user) as tx:
            if replace_where is not None:
                tx.delete(layer, replace_where)
            for begin in range(0, count, size):
                chunk = frame.iloc[begin : begin + size]
                tx.write(layer, chunk, mode="upsert")
                written += len(chunk)
                _step(
                    progress,
                    start + (1 - start) * written / max(count, 1),
                    f"{written} von {count} Zeilen {done}",
                )
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return count


# --- areas -------------------------------------------------------------------------


def import_areas(
    store: Store,
    source: Source,
    *,
    level: str,
    id_col: str,
    name_col: str | None = None,
    parent_col: str | None = None,
    valid_from: str | dt.date | None = None,
    valid_to: str | dt.date | None = None,
    vintage: str | None = None,
    crs: str | CRS | None = None,
    layer: str | None = None,
    strict: bool = False,
    user: str | None = None,
    progress: Progress = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import statistical areas (a boundary vintage of one level) into layer ``areas``.

    Parameters
    ----------
    store
        The store to write to (initialised).
    source
        A vector file (Shapefile, also zipped; GeoPackage; GeoJSON) or a read Table.
    level
        The level the areas belong to (e.g. ``PLR``, ``BZR``, ``Stadtteil``).
    id_col, name_col, parent_col
        Columns holding the id, the name and the id of the enclosing area.
    valid_from, valid_to
        When the boundaries came into and went out of force.
    vintage
        The boundary vintage; by default the year of ``valid_from``.
    crs
        The CRS of the coordinates, when the file has none or declares the wrong one.
    layer
        The layer of a GeoPackage (or the dataset in a zip) holding several.
    strict
        Refuse invalid geometries instead of repairing them with ``make_valid``.
    user, progress
        Recorded with the change; called with ``(fraction, message)`` while working.
    dry_run
        Check and write as a real import would, then roll back (see the module).

    Returns
    -------
    ImportResult
        What was stored; with ``dry_run=True`` what would be stored (every check
        and write ran, then the transaction was rolled back: nothing is written).

    Raises
    ------
    ImportRefused
        Listing every problem: unreadable file, missing columns, missing or impossible
        CRS, null/empty/wrong-type or (with ``strict``) invalid geometries, duplicate or
        empty ids, bad dates, no vintage.
    """
    table, report = _open(
        store,
        lambda: _vector(source, layer=layer),
        {"--id": id_col, "--name": name_col, "--parent": parent_col},
        progress=progress,
    )
    ids = _texts(table.frame, id_col)
    check_unique(ids, report, column=id_col, scope=f" within level {level!r}")
    geoms, source_crs = _geometry_frame(
        table, report, crs=crs, kinds=["polygon"], layer="areas", ids=ids, strict=strict
    )
    start = _one_date(valid_from, report, option="--valid-from")
    end = _one_date(valid_to, report, option="--valid-to")
    if start is not None and end is not None and end < start:
        report.add(
            f"--valid-to {end.date()} lies before --valid-from {start.date()}",
            fix="swap the two dates",
        )
    if vintage is None:
        if start is None:
            report.add(
                "the boundary vintage is unknown",
                fix="pass --valid-from DATE (the vintage is its year) or --vintage NAME",
            )
        else:
            vintage = str(start.year)
    if not level.strip():
        report.add("--level is empty", fix="pass --level with the name of the level, e.g. PLR")
    report.raise_if_problems()
    return _store_features(
        store,
        "areas",
        {
            "id": ids,
            "level": level,
            "vintage": vintage,
            "name": _texts(table.frame, name_col),
            "parent_id": _texts(table.frame, parent_col),
            "valid_from": start,
            "valid_to": end,
        },
        geoms,
        source_crs,
        table,
        report,
        user=user,
        progress=progress,
        dry_run=dry_run,
        details={"level": level, "vintage": vintage},
    )


# --- funding areas -------------------------------------------------------------------


def import_funding_areas(
    store: Store,
    source: Source,
    *,
    id_col: str,
    name_col: str,
    programme: str | None = None,
    programme_col: str | None = None,
    start_year_col: str | None = None,
    expected_end_col: str | None = None,
    status_col: str | None = None,
    designation: str | None = None,
    designation_col: str | None = None,
    ags: str | None = None,
    ags_col: str | None = None,
    area_col: str | None = None,
    crs: str | CRS | None = None,
    layer: str | None = None,
    strict: bool = False,
    user: str | None = None,
    progress: Progress = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import funding areas (Gesamtmaßnahmen) with their attributes into ``funding_areas``.

    ``programme``, ``designation`` and ``ags`` give one value for all features; the
    ``*_col`` options take it per feature from a column. Start year and expected end
    may be years or dates (``24.05.2016`` gives 2016). ``area_col`` names a column
    with the official area in hectares: it is checked against the polygon's area
    and deviations above 5 % are listed in the notes.

    Returns
    -------
    ImportResult
        What was stored; with ``dry_run=True`` what would be stored (every check
        and write ran, then the transaction was rolled back: nothing is written).

    Raises
    ------
    ImportRefused
        Listing every problem (see :func:`import_areas`), plus programmes not in the
        store and start or end values that are neither a year nor a date.
    """
    needed = {
        "--id": id_col,
        "--name": name_col,
        "--programme-col": programme_col,
        "--start-year": start_year_col,
        "--expected-end": expected_end_col,
        "--status": status_col,
        "--designation-col": designation_col,
        "--ags-col": ags_col,
        "--area": area_col,
    }
    table, report = _open(store, lambda: _vector(source, layer=layer), needed, progress=progress)
    frame_in = table.frame
    ids = _texts(frame_in, id_col)
    check_unique(ids, report, column=id_col)
    names = _texts(frame_in, name_col)
    for row in names.index[names.isna()]:
        report.add(
            "the name is empty",
            row=row,
            column=name_col,
            value=None,
            fix="fill in the name of the funding area",
        )
    geoms, source_crs = _geometry_frame(
        table,
        report,
        crs=crs,
        kinds=["polygon"],
        layer="funding_areas",
        ids=ids,
        strict=strict,
    )
    programmes = (
        _texts(frame_in, programme_col)
        if programme_col
        else pd.Series(programme, index=frame_in.index, dtype=object)
    )
    if programmes.notna().any():
        known = store.read("programmes", columns=["id"])["id"].tolist()
        check_known(
            programmes.dropna(),
            known,
            report,
            column=programme_col or "--programme",
            what="programmes in the store",
            fix="use a programme id of the store (qmon programmes) or add the programme first",
        )
    years = {
        "start_year": _years(frame_in, start_year_col, report, option="--start-year"),
        "expected_end": _years(frame_in, expected_end_col, report, option="--expected-end"),
    }
    stated_area = None
    if area_col is not None:
        values, _, _ = _numbers(frame_in, [area_col], report, fmt=None, delimiter=None)
        stated_area = values[area_col]
    report.raise_if_problems()
    if stated_area is not None:
        _compare_area(geoms.to_crs(store.crs), stated_area, report, ids=ids, column=area_col or "")
    return _store_features(
        store,
        "funding_areas",
        {
            "id": ids,
            "name": names,
            "ags": _texts(frame_in, ags_col) if ags_col else ags,
            "programme_id": programmes,
            "start_year": years["start_year"],
            "expected_end": years["expected_end"],
            "funding_status": _texts(frame_in, status_col),
            "legal_designation": _texts(frame_in, designation_col)
            if designation_col
            else designation,
        },
        geoms,
        source_crs,
        table,
        report,
        user=user,
        progress=progress,
        dry_run=dry_run,
        details={"programme": programme},
    )


def _years(
    frame: pd.DataFrame, column: str | None, report: ImportReport, *, option: str
) -> pd.Series:
    if column is None:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    out: list[Any] = []
    for row, cell in frame[column].items():
        text = _text(cell)
        if text is None:
            out.append(pd.NA)
            continue
        try:
            out.append(parse_date(text).year if not text.isdigit() or len(text) != 4 else int(text))
        except ValueError as exc:
            report.add(
                str(exc),
                row=row,
                column=column,
                value=cell,
                fix=f"write a year (2016) or a date (24.05.2016) in {option}",
            )
            out.append(pd.NA)
    return pd.Series(out, index=frame.index, dtype="Int64")


def _compare_area(
    geoms: gpd.GeoSeries,
    stated_ha: pd.Series,
    report: ImportReport,
    *,
    ids: pd.Series,
    column: str,
) -> None:
    computed = geoms.area / 10_000
    stated = stated_ha.reindex(geoms.index)
    off = (stated.notna()) & ((computed - stated).abs() > 0.05 * stated.abs())
    for row in geoms.index[off]:
        report.note(
            f"{report.source}, {report.unit} {row} (id {ids[row]}): column {column!r} "
            f"states {stated[row]:g} ha, the polygon has {computed[row]:.1f} ha"
        )
    report.note(
        f"{report.source}: area {computed.sum():,.1f} ha by the polygons, "
        f"{stated.sum():,.1f} ha stated in column {column!r}"
    )


# --- indicators ------------------------------------------------------------------------


def import_indicators(
    store: Store,
    source: Source,
    *,
    id_col: str,
    period: str | dt.date | None = None,
    period_col: str | None = None,
    columns: Sequence[str] | None = None,
    rename: Mapping[str, str] | None = None,
    na: Sequence[str] = (),
    level: str | None = None,
    vintage: str | None = None,
    edition: str | None = None,
    source_label: str | None = None,
    indicator_col: str | None = None,
    value_col: str | None = None,
    number_format: NumberFormat | None = None,
    sheet: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    registry: Registry | None = None,
    user: str | None = None,
    progress: Progress = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import indicator values from a wide or long table into ``indicator_values``.

    Wide: one column per indicator (``columns``, keys renamed with ``rename``). Long:
    one row per value, the indicator key in ``indicator_col`` and the value in
    ``value_col`` (by default the columns ``indicator`` and ``value`` when
    ``columns`` is not given). The period is ``period`` for all rows or read per row
    from ``period_col``.

    The areas must be stored first: level and vintage are the ones whose ids match
    the file best (and that are valid at the period), unless given. Ids not among
    them are problems, listed with the closest stored ids.

    Cells equal to a ``na`` sentinel (e.g. ``-9999``) and empty cells are stored as
    value NaN with flag ``missing``, so they are never averaged in. Values impossible
    for an indicator of the registry are problems: a share outside 0–100, a negative
    count, or outside the declared ``min_value``/``max_value``; keys unknown to the
    registry are taken as they come.

    Returns
    -------
    ImportResult
        What was stored; with ``dry_run=True`` what would be stored (every check
        and write ran, then the transaction was rolled back: nothing is written).

    Raises
    ------
    ImportRefused
        Listing every problem: unreadable file, missing columns, bad numbers, bad or
        missing periods, unknown ids, duplicates, impossible values, no stored areas.
    """
    _require_store(store)
    _step(progress, 0.0, "Datei wird gelesen")
    table = _table(source, sheet=sheet, delimiter=delimiter, encoding=encoding)
    frame_in = table.frame
    report = table.report()
    rename = dict(rename or {})
    shape: Shape = "wide" if columns else "long"
    if shape == "long":
        indicator_col = indicator_col or "indicator"
        value_col = value_col or "value"
    needed: dict[str, str | None] = {"--id": id_col, "--period-col": period_col}
    if shape == "wide":
        needed |= {f"--columns ({c})": c for c in columns or ()}
    else:
        needed |= {"--indicator-col": indicator_col, "--value-col": value_col}
    if not check_columns(frame_in, needed, report):
        if shape == "long" and not (set(map(str, frame_in.columns)) & {"indicator", "value"}):
            report.add(
                "no --columns given, and the table is not long (id, indicator, period, value)",
                fix="pass --columns A,B,C with the indicator columns",
            )
        report.raise_if_problems()
    for old in rename:
        if shape == "wide" and old not in (columns or ()):
            report.add(
                f"--rename names {old!r}, which is not in --columns",
                fix="rename only columns listed in --columns",
            )
    if period is None and period_col is None:
        report.add(
            "the period (Stichtag) of the values is unknown",
            fix="pass --period 2020-12-31 (or --period-col with a date column)",
        )
    _step(progress, 0.1, "Daten werden geprüft")
    ids = _texts(frame_in, id_col)
    for row in ids.index[ids.isna()]:
        report.add("the id is empty", row=row, column=id_col, fix="fill in the area id")
    periods = (
        _dates(frame_in[period_col], report, option="--period-col")
        if period_col
        else pd.Series(
            _one_date(period, report, option="--period"),
            index=frame_in.index,
            dtype="datetime64[ns]",
        )
    )
    value_columns = list(columns or ()) if shape == "wide" else [str(value_col)]
    values, declared, fmt = _numbers(
        frame_in,
        value_columns,
        report,
        fmt=number_format,
        delimiter=table.details.get("delimiter"),
        na=na,
    )
    long = _to_long(
        frame_in,
        ids,
        periods,
        values,
        declared,
        shape=shape,
        indicator_col=indicator_col,
        value_col=value_col,
        rename=rename,
    )
    for key in long["indicator"].dropna().unique():
        if not long.loc[long["indicator"] == key, "value"].notna().any():
            report.note(
                f"{table.source}: indicator {key!r} has no value in any row (all stored as missing)"
            )
    _check_plausible(long, report, registry=_registry(registry))
    _step(progress, 0.3, "Gebiete werden abgeglichen")
    level, vintage = _match_areas(store, long, report, level=level, vintage=vintage, column=id_col)
    dup = long.duplicated(["area_id", "indicator", "period"], keep=False) & long["area_id"].notna()
    for (area, key, when), group in long[dup].groupby(["area_id", "indicator", "period"]):
        lines = sorted({int(r) for r in group["row"]})
        report.add(
            f"area {area!r}, indicator {key!r}, period {str(when)[:10]} occurs in "
            f"{len(lines)} {table.unit}s ({', '.join(map(str, lines))})",
            column=id_col,
            fix="keep one row per area, indicator and period",
        )
    report.raise_if_problems()
    long["level"] = level
    long["vintage"] = vintage
    long["edition"] = edition or Path(table.source).stem
    long["source"] = source_label or table.source
    long["numerator"] = np.nan
    long["denominator"] = np.nan
    out = long.drop(columns=["row"]).reset_index(drop=True)
    _step(progress, 0.5, "Daten werden gespeichert")
    rows = _write(store, "indicator_values", out, user=user, progress=progress, dry_run=dry_run)
    report.note(
        f"{table.source}: numbers read with {fmt.describe()}"
        + (f", encoding {table.details['encoding']}" if "encoding" in table.details else "")
    )
    missing = int((out["flag"] == "missing").sum())
    return ImportResult(
        "indicator_values",
        table.source,
        rows,
        tuple(report.notes),
        {
            "level": level,
            "vintage": vintage,
            "edition": long["edition"].iloc[0],
            "missing": missing,
            "indicators": len(out["indicator"].unique()),
        },
        dry_run,
    )


def _to_long(
    frame: pd.DataFrame,
    ids: pd.Series,
    periods: pd.Series,
    values: Mapping[str, pd.Series],
    declared: Mapping[str, pd.Series],
    *,
    shape: Shape,
    indicator_col: str | None,
    value_col: str | None,
    rename: Mapping[str, str],
) -> pd.DataFrame:
    parts = []
    if shape == "wide":
        items = [(rename.get(c, c), c) for c in values]
        for key, column in items:
            parts.append(
                pd.DataFrame(
                    {
                        "row": frame.index,
                        "area_id": ids.values,
                        "indicator": key,
                        "period": periods.values,
                        "value": values[column].values,
                        "declared": declared[column].values,
                    }
                )
            )
    else:
        keys = _texts(frame, indicator_col).map(lambda k: rename.get(k, k) if k else k)
        parts.append(
            pd.DataFrame(
                {
                    "row": frame.index,
                    "area_id": ids.values,
                    "indicator": keys.values,
                    "period": periods.values,
                    "value": values[str(value_col)].values,
                    "declared": declared[str(value_col)].values,
                }
            )
        )
    long = pd.concat(parts, ignore_index=True)
    long["flag"] = long["value"].isna().map({True: "missing", False: None}).astype(object)
    return long.drop(columns=["declared"])


def _registry(registry: Registry | None) -> Registry | None:
    if registry is not None:
        return registry
    try:
        from indicators.registry import load_registry
    except ImportError:  # pragma: no cover - the indicators package is part of the project
        return None
    return load_registry()


def _check_plausible(
    long: pd.DataFrame, report: ImportReport, *, registry: Registry | None
) -> None:
    """Record values impossible for the indicator as the registry declares it."""
    if registry is None:
        return
    for key, group in long.groupby("indicator"):
        if key not in registry:
            continue
        definition = registry.get(str(key))
        low, high = definition.min_value, definition.max_value
        if definition.kind in ("share", "count") and low is None:
            low = 0.0  # declared bounds win (a change in percentage points may be < 0)
        if definition.kind == "share" and high is None:
            high = 100.0
        what = {"share": "a share", "count": "a count", "rate": "a rate"}.get(
            definition.kind, definition.kind
        )
        lowest = "" if low is None else f"from {low:g} "
        highest = "" if high is None else f"up to {high:g} "
        allowed = f"{lowest}{highest}{definition.unit}".strip()
        for _, item in group[group["value"].notna()].iterrows():
            value = float(item["value"])
            if (low is not None and value < low) or (high is not None and value > high):
                report.add(
                    f"{value:g} is impossible for {key!r} ({definition.label}, {what}): "
                    f"allowed {allowed}",
                    row=item["row"],
                    column=str(key),
                    value=value,
                    fix="correct the value, or declare it missing with --na if it is a "
                    "no-data code",
                )


def _match_areas(
    store: Store,
    long: pd.DataFrame,
    report: ImportReport,
    *,
    level: str | None,
    vintage: str | None,
    column: str,
) -> tuple[str | None, str | None]:
    """Pick the stored (level, vintage) the ids belong to and record unknown ids."""
    where = {k: v for k, v in (("level", level), ("vintage", vintage)) if v is not None}
    areas = store.read(
        "areas", where=where or None, columns=["id", "level", "vintage", "valid_from", "valid_to"]
    )
    scope = " and ".join(f"{k} {v!r}" for k, v in where.items()) or "any level"
    if not len(areas):
        report.add(
            f"the store holds no areas of {scope}; indicator values belong to stored areas",
            fix="import the boundaries first: qmon import areas FILE --level LEVEL --id COL …",
        )
        return level, vintage
    file_ids = set(long["area_id"].dropna())
    periods = pd.to_datetime(long["period"].dropna().unique())
    scored = []
    for (lvl, vin), group in areas.groupby(["level", "vintage"]):
        matches = len(file_ids & set(group["id"]))
        start = group["valid_from"].min()
        end = group["valid_to"].max() if group["valid_to"].notna().all() else pd.NaT
        valid = sum(
            1 for p in periods if (pd.isna(start) or p >= start) and (pd.isna(end) or p <= end)
        )
        scored.append(((matches, valid), str(lvl), str(vin)))
    scored.sort(reverse=True)
    best_score, lvl, vin = scored[0]
    ties = [f"level {s[1]!r} vintage {s[2]!r}" for s in scored if s[0] == best_score]
    if len(ties) > 1:
        report.add(
            f"the ids fit several stored boundary sets equally well: {', '.join(ties)}",
            fix="pass --level and --vintage",
        )
        return level, vintage
    known = areas.loc[(areas["level"] == lvl) & (areas["vintage"] == vin), "id"]
    if best_score[1] < len(periods):
        report.note(
            f"{report.source}: vintage {vin!r} of level {lvl!r} is not valid at every "
            "period of the file (see its valid_from/valid_to)"
        )
    first = long.drop_duplicates("area_id")
    check_known(
        first.set_index("row")["area_id"].dropna(),
        known,
        report,
        column=column,
        what=f"stored areas of level {lvl!r}, vintage {vin!r}",
        fix="correct the id, or import the boundary vintage it belongs to (--level/--vintage)",
    )
    return lvl, vin


# --- measures ---------------------------------------------------------------------------


def import_measures(
    store: Store,
    source: Source,
    *,
    id_col: str,
    title_col: str,
    funding_area: str | None = None,
    funding_area_col: str | None = None,
    x_col: str | None = None,
    y_col: str | None = None,
    wkt_col: str | None = None,
    description_col: str | None = None,
    status_col: str | None = None,
    start_col: str | None = None,
    end_col: str | None = None,
    cost_estimate_col: str | None = None,
    cost_actual_col: str | None = None,
    crs: str | CRS | None = None,
    layer: str | None = None,
    sheet: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    number_format: NumberFormat | None = None,
    strict: bool = False,
    user: str | None = None,
    progress: Progress = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import measures (Einzelmaßnahmen) into layer ``measures``.

    From any vector file, or from a CSV/XLSX table with coordinates (``x_col``,
    ``y_col``; ``crs`` required) or WKT geometries (``wkt_col``). Each measure
    belongs to a stored funding area, given for all (``funding_area``) or per row
    (``funding_area_col``). Costs are parsed like indicator numbers.

    Returns
    -------
    ImportResult
        What was stored; with ``dry_run=True`` what would be stored (every check
        and write ran, then the transaction was rolled back: nothing is written).

    Raises
    ------
    ImportRefused
        Listing every problem: unreadable file, missing columns, missing CRS or
        coordinates, bad WKT, invalid geometries with ``strict``, duplicate ids, empty
        titles, unknown funding areas (with closest ids), unknown statuses, bad costs
        or dates.
    """
    vector = (isinstance(source, Table) and isinstance(source.frame, gpd.GeoDataFrame)) or (
        not isinstance(source, Table) and is_vector_path(source)
    )
    needed = {
        "--id": id_col,
        "--title": title_col,
        "--funding-area-col": funding_area_col,
        "--x": x_col,
        "--y": y_col,
        "--wkt": wkt_col,
        "--description": description_col,
        "--status": status_col,
        "--start": start_col,
        "--end": end_col,
        "--cost-estimate": cost_estimate_col,
        "--cost-actual": cost_actual_col,
    }
    table, report = _open(
        store,
        lambda: (
            _vector(source, layer=layer)
            if vector
            else _table(source, sheet=sheet, delimiter=delimiter, encoding=encoding)
        ),
        needed,
        progress=progress,
    )
    frame_in = table.frame
    if funding_area is None and funding_area_col is None:
        report.add(
            "the funding area (Gesamtmaßnahme) of the measures is unknown",
            fix="pass --funding-area ID or --funding-area-col COLUMN",
        )
    if not vector and wkt_col is None and (x_col is None or y_col is None):
        report.add(
            "a table of measures needs coordinates or WKT geometries",
            fix="pass --x and --y (coordinate columns) or --wkt (a WKT column)",
        )
        report.raise_if_problems()
    ids = _texts(frame_in, id_col)
    check_unique(ids, report, column=id_col)
    titles = _texts(frame_in, title_col)
    for row in titles.index[titles.isna()]:
        report.add(
            "the title is empty",
            row=row,
            column=title_col,
            value=None,
            fix="fill in the title of the measure",
        )
    if not vector:
        table = Table(
            _table_geometries(
                frame_in,
                report,
                x_col=x_col,
                y_col=y_col,
                wkt_col=wkt_col,
                fmt=number_format,
                delimiter=table.details.get("delimiter"),
            ),
            table.source,
            table.unit,
            crs=None,
            details=table.details,
        )
    geoms, source_crs = _geometry_frame(
        table,
        report,
        crs=crs,
        kinds=["point", "line", "polygon"],
        layer="measures",
        ids=ids,
        strict=strict,
    )
    fa = (
        _texts(frame_in, funding_area_col)
        if funding_area_col
        else pd.Series(funding_area, index=frame_in.index, dtype=object)
    )
    if fa.notna().any():
        known = store.read("funding_areas", columns=["id"])["id"].tolist()
        check_known(
            fa.dropna(),
            known,
            report,
            column=funding_area_col or "--funding-area",
            what="funding areas in the store",
            fix="import the funding areas first (qmon import funding-areas) or correct the id",
        )
    statuses = _texts(frame_in, status_col)
    for row, value in statuses.dropna().items():
        if value not in MEASURE_STATUSES:
            near = closest(value, MEASURE_STATUSES, n=1)
            report.add(
                f"unknown status; allowed: {', '.join(MEASURE_STATUSES)}",
                row=row,
                column=status_col,
                value=value,
                fix=f"write {near[0]!r}" if near else "use one of the allowed statuses",
            )
    cost_cols = [c for c in (cost_estimate_col, cost_actual_col) if c]
    costs, _, _ = _numbers(
        frame_in, cost_cols, report, fmt=number_format, delimiter=table.details.get("delimiter")
    )
    for column, series in costs.items():
        for row in series.index[series < 0]:
            report.add(
                "a cost cannot be negative",
                row=row,
                column=column,
                value=series[row],
                fix="correct the amount",
            )
    empty_dates = pd.Series(pd.NaT, index=frame_in.index, dtype="datetime64[ns]")
    starts = _dates(frame_in[start_col], report, option="--start") if start_col else empty_dates
    ends = _dates(frame_in[end_col], report, option="--end") if end_col else empty_dates
    report.raise_if_problems()
    nan = pd.Series(np.nan, index=frame_in.index)
    return _store_features(
        store,
        "measures",
        {
            "id": ids,
            "funding_area_id": fa,
            "title": titles,
            "description": _texts(frame_in, description_col),
            "status": statuses,
            "start_date": starts,
            "end_date": ends,
            "cost_estimate": costs.get(cost_estimate_col or "", nan),
            "cost_actual": costs.get(cost_actual_col or "", nan),
        },
        geoms,
        source_crs,
        table,
        report,
        user=user,
        progress=progress,
        dry_run=dry_run,
    )


def _table_geometries(
    frame: pd.DataFrame,
    report: ImportReport,
    *,
    x_col: str | None,
    y_col: str | None,
    wkt_col: str | None,
    fmt: NumberFormat | None,
    delimiter: str | None,
) -> gpd.GeoDataFrame:
    """Build point geometries from coordinate columns or parse a WKT column."""
    geoms: list[Any] = []
    if wkt_col is not None:
        for row, cell in frame[wkt_col].items():
            text = _text(cell)
            if text is None:
                geoms.append(None)
                continue
            try:
                geoms.append(shapely.from_wkt(text))
            except shapely.errors.GEOSException as exc:
                report.add(
                    f"is not a WKT geometry ({exc})",
                    row=row,
                    column=wkt_col,
                    value=text,
                    fix="write e.g. POINT (390000 5820000)",
                )
                geoms.append(shapely.Point())
    else:
        assert x_col is not None and y_col is not None
        values, _, _ = _numbers(frame, [x_col, y_col], report, fmt=fmt, delimiter=delimiter)
        for x, y in zip(values[x_col], values[y_col]):
            geoms.append(None if math.isnan(x) or math.isnan(y) else shapely.Point(x, y))
    return gpd.GeoDataFrame(frame.copy(), geometry=geoms, index=frame.index)


# --- buildings ----------------------------------------------------------------------------


def import_buildings(
    store: Store,
    source: Source,
    *,
    id_col: str,
    dwellings_col: str | None = None,
    vacant_col: str | None = None,
    year_built_col: str | None = None,
    owner_type_col: str | None = None,
    storeys_col: str | None = None,
    crs: str | CRS | None = None,
    layer: str | None = None,
    strict: bool = False,
    user: str | None = None,
    progress: Progress = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import buildings (the housing stock) as footprints or points into ``buildings``.

    Counts (dwellings, vacant dwellings, storeys) must be whole numbers ≥ 0 and
    vacant dwellings cannot exceed dwellings; the year built lies between 1000 and
    next year.

    Returns
    -------
    ImportResult
        What was stored; with ``dry_run=True`` what would be stored (every check
        and write ran, then the transaction was rolled back: nothing is written).

    Raises
    ------
    ImportRefused
        Listing every problem (see :func:`import_areas`), plus impossible counts and
        years.
    """
    counts = {
        "dwellings": dwellings_col,
        "vacant_dwellings": vacant_col,
        "storeys": storeys_col,
        "year_built": year_built_col,
    }
    needed = {
        "--id": id_col,
        "--dwellings": dwellings_col,
        "--vacant": vacant_col,
        "--year-built": year_built_col,
        "--owner-type": owner_type_col,
        "--storeys": storeys_col,
    }
    table, report = _open(store, lambda: _vector(source, layer=layer), needed, progress=progress)
    frame_in = table.frame
    ids = _texts(frame_in, id_col)
    check_unique(ids, report, column=id_col)
    geoms, source_crs = _geometry_frame(
        table,
        report,
        crs=crs,
        kinds=["polygon", "point"],
        layer="buildings",
        ids=ids,
        strict=strict,
    )
    cols = [c for c in counts.values() if c]
    values, _, _ = _numbers(frame_in, cols, report, fmt=None, delimiter=None)
    next_year = dt.date.today().year + 1
    out: dict[str, pd.Series] = {}
    for target, column in counts.items():
        if column is None:
            out[target] = pd.Series(pd.NA, index=frame_in.index, dtype="Int64")
            continue
        series = values[column]
        low, high = (1000, next_year) if target == "year_built" else (0, None)
        bad = series.notna() & (
            (series % 1 != 0) | (series < low) | ((series > high) if high else False)
        )
        for row in series.index[bad]:
            report.add(
                f"impossible {target.replace('_', ' ')}: a whole number "
                f"{f'from {low} to {high}' if high else f'of at least {low}'} is needed",
                row=row,
                column=column,
                value=series[row],
                fix="correct the value",
            )
        out[target] = series.where(~bad).round().astype("Int64")
    if dwellings_col and vacant_col:
        over = (out["vacant_dwellings"] > out["dwellings"]).fillna(False)
        for row in over.index[over.astype(bool)]:
            report.add(
                f"{out['vacant_dwellings'][row]} vacant of {out['dwellings'][row]} dwellings",
                row=row,
                column=vacant_col,
                value=out["vacant_dwellings"][row],
                fix="vacant dwellings cannot exceed the dwellings of the building",
            )
    report.raise_if_problems()
    columns = {"id": ids, **out, "owner_type": _texts(frame_in, owner_type_col)}
    return _store_features(
        store,
        "buildings",
        columns,
        geoms,
        source_crs,
        table,
        report,
        user=user,
        progress=progress,
        dry_run=dry_run,
    )
