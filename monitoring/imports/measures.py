"""Import measures (Einzelmaßnahmen) through the editing path into ``measures``."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS

from geo.readers import NumberFormat, Table, is_vector_path
from geo.validation import ImportReport, check_known, check_unique, closest
from monitoring.grants.cost_groups import catalogue_for
from monitoring.imports import pipeline
from monitoring.imports.pipeline import ImportResult, Progress, Source
from monitoring.messages import render
from monitoring.renewal.measures import STATUSES

if TYPE_CHECKING:
    from geo.store.base import Store
    from monitoring.auth import User

MEASURE_STATUSES = STATUSES
"""Statuses of a measure (from :mod:`monitoring.renewal.measures`)."""


def import_measures(
    store: Store,
    source: Source,
    *,
    user: User,
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
    cost_group_col: str | None = None,
    crs: str | CRS | None = None,
    layer: str | None = None,
    sheet: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    number_format: NumberFormat | None = None,
    strict: bool = False,
    progress: Progress = None,
    dry_run: bool = False,
    replace: bool = False,
) -> ImportResult:
    """Import measures (right ``edit_funding``) from a vector file or a table.

    From any vector file, or from a CSV/XLSX table with coordinates (``x_col``,
    ``y_col``; ``crs`` required) or WKT geometries (``wkt_col``). Each measure
    belongs to a stored funding area, given for all (``funding_area``) or per row
    (``funding_area_col``). Costs are parsed like indicator numbers. Only the
    columns given are written: a stored measure keeps every other field; changed
    values need ``replace`` (see :func:`monitoring.imports.pipeline.store_records`).
    Every measure passes the record rules of the app's form (e.g. start before end).

    Returns
    -------
    ImportResult
        What was stored (or, dry, would be), with the counts of new, changed and
        unchanged measures.

    Raises
    ------
    PermissionDenied
        When the user may not edit measures.
    ImportRefused
        Listing every problem: unreadable file, missing columns, missing CRS or
        coordinates, bad WKT, invalid geometries with ``strict``, duplicate ids, empty
        titles, unknown funding areas (with closest ids), unknown statuses, bad costs
        or dates, broken record rules and, without ``replace``, every stored value
        the file would change.
    """
    run = pipeline.start(
        store,
        user,
        kind="measures",
        layer="measures",
        progress=progress,
        dry_run=dry_run,
        replace=replace,
    )
    vector = (isinstance(source, Table) and isinstance(source.frame, gpd.GeoDataFrame)) or (
        not isinstance(source, Table) and is_vector_path(source)
    )
    options = {
        "description": ("--description", description_col),
        "status": ("--status", status_col),
        "start_date": ("--start", start_col),
        "end_date": ("--end", end_col),
        "cost_estimate": ("--cost-estimate", cost_estimate_col),
        "cost_actual": ("--cost-actual", cost_actual_col),
        "cost_group": ("--cost-group", cost_group_col),
    }
    needed = {
        "--id": id_col,
        "--title": title_col,
        "--funding-area-col": funding_area_col,
        "--x": x_col,
        "--y": y_col,
        "--wkt": wkt_col,
        **dict(options.values()),
    }
    tab, report = pipeline.open_input(
        run,
        lambda: (
            pipeline.vector(source, layer=layer)
            if vector
            else pipeline.table(source, sheet=sheet, delimiter=delimiter, encoding=encoding)
        ),
        needed,
    )
    frame_in = tab.frame
    if funding_area is None and funding_area_col is None:
        report.add(
            "die Gesamtmaßnahme der Maßnahmen ist unbekannt",
            fix="geben Sie --funding-area ID oder --funding-area-col SPALTE an",
        )
    if not vector and wkt_col is None and (x_col is None or y_col is None):
        report.add(
            "eine Tabelle mit Maßnahmen braucht Koordinaten oder WKT-Geometrien",
            fix="geben Sie --x und --y (Koordinatenspalten) oder --wkt (eine WKT-Spalte) an",
        )
        report.raise_if_problems()
    ids = pipeline.texts(frame_in, id_col)
    check_unique(ids, report, column=id_col)
    titles = pipeline.required_texts(frame_in, title_col, report, what="Titel")
    if not vector:
        located = _table_geometries(
            frame_in,
            report,
            x_col=x_col,
            y_col=y_col,
            wkt_col=wkt_col,
            fmt=number_format,
            delimiter=tab.details.get("delimiter"),
        )
        tab = Table(located, tab.source, tab.unit, crs=None, details=tab.details)
    geoms, source_crs = pipeline.geometries(
        tab,
        report,
        crs=crs,
        kinds=["point", "line", "polygon"],
        layer="measures",
        ids=ids,
        strict=strict,
    )
    areas = pipeline.one_or_column(frame_in, funding_area, funding_area_col)
    if areas.notna().any():
        check_known(
            areas.dropna(),
            store.read("funding_areas", columns=["id"])["id"].tolist(),
            report,
            column=funding_area_col or "--funding-area",
            what=render("import.known_funding_areas"),
            fix="importieren Sie zuerst die Gesamtmaßnahmen (qmon import funding-areas) oder "
            "korrigieren Sie die ID",
        )
    statuses = pipeline.texts(frame_in, status_col)
    for row, value in statuses.dropna().items():
        if value not in MEASURE_STATUSES:
            near = closest(value, MEASURE_STATUSES, n=1)
            report.add(
                f"unbekannter Status; erlaubt: {', '.join(MEASURE_STATUSES)}",
                row=row,
                column=status_col,
                value=value,
                fix=f"schreiben Sie „{near[0]}“"
                if near
                else "verwenden Sie einen der erlaubten Status",
            )
    cost_cols = [c for c in (cost_estimate_col, cost_actual_col) if c]
    costs = pipeline.numbers(
        frame_in, cost_cols, report, fmt=number_format, delimiter=tab.details.get("delimiter")
    ).values
    values: dict[str, Any] = {
        "description": pipeline.texts(frame_in, description_col),
        "status": statuses,
        "start_date": pipeline.optional_dates(frame_in, start_col, report, option="--start"),
        "end_date": pipeline.optional_dates(frame_in, end_col, report, option="--end"),
        "cost_estimate": costs.get(cost_estimate_col or ""),
        "cost_actual": costs.get(cost_actual_col or ""),
        "cost_group": _cost_groups(store, frame_in, cost_group_col, areas, report),
    }
    report.raise_if_problems()
    used = {"id": ids, "funding_area_id": areas, "title": titles}
    used |= {name: values[name] for name, (_, column) in options.items() if column}
    frame = pipeline.features(run, used, geoms, source_crs, frame_in.index)
    sources = {name: column or option for name, (option, column) in options.items()}
    return pipeline.store_records(
        run,
        frame,
        tab,
        report,
        columns=sources
        | {
            "id": id_col,
            "title": title_col,
            "funding_area_id": funding_area_col or "--funding-area",
            "geometry": wkt_col or (f"{x_col}/{y_col}" if x_col else "geometry"),
        },
    )


def _cost_groups(
    store: Store,
    frame: pd.DataFrame,
    column: str | None,
    areas: pd.Series,
    report: ImportReport,
) -> pd.Series | None:
    """The cost group keys a column names by key, number or label, per the area's Land."""
    if column is None:
        return None
    texts = pipeline.texts(frame, column)
    ags: dict[Any, Any] = dict(
        store.read("funding_areas", columns=["id", "ags"])[["id", "ags"]].itertuples(index=False)
    )
    out = pd.Series(None, index=texts.index, dtype=object)
    for row, value in texts.dropna().items():
        catalogue = catalogue_for(ags.get(areas.get(row)))
        key = catalogue.find(value)
        if key is None:
            options = [g.title for g in catalogue.cost_groups]
            near = closest(value, options, n=1)
            report.add(
                f"unbekannte Kostengruppe der Gliederung „{catalogue.name}“; erlaubt: "
                f"{', '.join(options)} (Nummer, Bezeichnung oder Schlüssel)",
                row=row,
                column=column,
                value=value,
                fix=f"schreiben Sie „{near[0]}“" if near else "verwenden Sie eine dieser Gruppen",
            )
        out.at[row] = key
    return out


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
            text = pipeline.text(cell)
            if text is None:
                geoms.append(None)
                continue
            try:
                geoms.append(shapely.from_wkt(text))
            except shapely.errors.GEOSException as exc:
                report.add(
                    f"ist keine WKT-Geometrie ({exc})",
                    row=row,
                    column=wkt_col,
                    value=text,
                    fix="schreiben Sie z. B. POINT (390000 5820000)",
                )
                geoms.append(shapely.Point())
    else:
        assert x_col is not None and y_col is not None
        values = pipeline.numbers(
            frame, [x_col, y_col], report, fmt=fmt, delimiter=delimiter
        ).values
        for x, y in zip(values[x_col], values[y_col]):
            geoms.append(None if math.isnan(x) or math.isnan(y) else shapely.Point(x, y))
    return gpd.GeoDataFrame(frame.copy(), geometry=geoms, index=frame.index)
