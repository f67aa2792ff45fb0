"""Import funding areas (Gesamtmaßnahmen) through the editing path into ``funding_areas``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from geo.validation import ImportReport, check_known, check_unique
from monitoring.imports import pipeline
from monitoring.imports.pipeline import ImportResult, Progress, Source
from monitoring.messages import render
from monitoring.numbers import german_number

if TYPE_CHECKING:
    from geo.store.base import Store
    from monitoring.auth import User


def import_funding_areas(
    store: Store,
    source: Source,
    *,
    user: User,
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
    progress: Progress = None,
    dry_run: bool = False,
    replace: bool = False,
) -> ImportResult:
    """Import funding areas (Gesamtmaßnahmen) with their attributes (right ``edit_funding``).

    ``programme``, ``designation`` and ``ags`` give one value for all features; the
    ``*_col`` options take it per feature from a column. Start year and expected end
    may be years or dates (``24.05.2016`` gives 2016). ``area_col`` names a column
    with the official area in hectares: it is checked against the polygon's area
    and deviations above 5 % are listed in the notes. Only the attributes given are
    written: a stored area keeps every other field; changed values need ``replace``
    (see :func:`monitoring.imports.pipeline.store_records`).

    Returns
    -------
    ImportResult
        What was stored (or, dry, would be), with the counts of new, changed and
        unchanged areas.

    Raises
    ------
    PermissionDenied
        When the user may not edit funding areas.
    ImportRefused
        Listing every problem (see :func:`~.areas.import_areas`), plus programmes not in the
        store, start or end values that are neither a year nor a date, broken record
        rules and, without ``replace``, every stored value the file would change.
    """
    run = pipeline.start(
        store,
        user,
        kind="funding-areas",
        layer="funding_areas",
        progress=progress,
        dry_run=dry_run,
        replace=replace,
    )
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
    tab, report = pipeline.open_input(run, lambda: pipeline.vector(source, layer=layer), needed)
    frame_in = tab.frame
    ids = pipeline.texts(frame_in, id_col)
    check_unique(ids, report, column=id_col)
    names = pipeline.required_texts(frame_in, name_col, report, what="Name")
    geoms, source_crs = pipeline.geometries(
        tab, report, crs=crs, kinds=["polygon"], layer="funding_areas", ids=ids, strict=strict
    )
    programmes = pipeline.one_or_column(frame_in, programme, programme_col)
    if programmes.notna().any():
        known = store.read("programmes", columns=["id"])["id"].tolist()
        check_known(
            programmes.dropna(),
            known,
            report,
            column=programme_col or "--programme",
            what=render("import.known_programmes"),
            fix="verwenden Sie die ID eines gespeicherten Programms (siehe qmon programmes "
            "list) oder legen Sie das Programm zuerst an",
        )
    mapped: dict[str, tuple[str | None, Any]] = {
        "id": (id_col, ids),
        "name": (name_col, names),
        "programme_id": (programme_col or "--programme", programmes),
        "start_year": (
            start_year_col,
            pipeline.years(frame_in, start_year_col, report, option="--start-year"),
        ),
        "expected_end": (
            expected_end_col,
            pipeline.years(frame_in, expected_end_col, report, option="--expected-end"),
        ),
        "funding_status": (status_col, pipeline.texts(frame_in, status_col)),
        "legal_designation": (
            designation_col or "--designation",
            pipeline.one_or_column(frame_in, designation, designation_col),
        ),
        "ags": (ags_col or "--ags", pipeline.one_or_column(frame_in, ags, ags_col)),
    }
    given = {
        "programme_id": programme is not None or programme_col is not None,
        "legal_designation": designation is not None or designation_col is not None,
        "ags": ags is not None or ags_col is not None,
    }
    used = {
        name: (column, values)
        for name, (column, values) in mapped.items()
        if given.get(name, column is not None)
    }
    stated = None
    if area_col is not None:
        values = pipeline.numbers(frame_in, [area_col], report, fmt=None, delimiter=None).values
        stated = values[area_col]
    report.raise_if_problems()
    frame = pipeline.features(
        run, {k: v for k, (_, v) in used.items()}, geoms, source_crs, frame_in.index
    )
    if stated is not None:
        _compare_area(frame.geometry, stated, report, ids=ids, column=area_col or "")
    return pipeline.store_records(
        run,
        frame,
        tab,
        report,
        columns={k: str(c) for k, (c, _) in used.items()} | {"geometry": "geometry"},
        details={"programme": programme},
    )


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
            f"{report.source}, Objekt {row} (ID {ids[row]}): die Spalte „{column}“ "
            f"nennt {german_number(stated[row], decimals=1)} ha, das Polygon hat "
            f"{german_number(computed[row], decimals=1)} ha"
        )
    report.note(
        f"{report.source}: Fläche {german_number(computed.sum(), decimals=1)} ha nach den "
        f"Polygonen, {german_number(stated.sum(), decimals=1)} ha laut Spalte „{column}“"
    )
