"""Import statistical areas: one boundary vintage of one level into layer ``areas``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pyproj import CRS

from geo.validation import check_unique
from monitoring.imports import pipeline
from monitoring.imports.pipeline import ImportResult, Progress, Source

if TYPE_CHECKING:
    from geo.store.base import Store
    from monitoring.auth import User


def import_areas(
    store: Store,
    source: Source,
    *,
    user: User,
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
    progress: Progress = None,
    dry_run: bool = False,
    replace: bool = False,
) -> ImportResult:
    """Import statistical areas (a boundary vintage of one level) into layer ``areas``.

    Parameters
    ----------
    store, source
        The store (initialised) and a vector file (Shapefile, also zipped;
        GeoPackage; GeoJSON) or a read Table.
    user
        The acting user; boundaries need the right ``edit_settings`` (admin).
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
    progress, dry_run, replace
        See :mod:`monitoring.imports.pipeline`: a level and vintage already stored
        is replaced as a whole only with ``replace``.

    Returns
    -------
    ImportResult
        What was stored (or, dry, would be).

    Raises
    ------
    PermissionDenied
        When the user may not import boundaries.
    ImportRefused
        Listing every problem: unreadable file, missing columns, missing or impossible
        CRS, null/empty/wrong-type or (with ``strict``) invalid geometries, duplicate or
        empty ids, bad dates, no vintage, a level and vintage stored already.
    """
    run = pipeline.start(
        store,
        user,
        kind="areas",
        layer="areas",
        progress=progress,
        dry_run=dry_run,
        replace=replace,
    )
    tab, report = pipeline.open_input(
        run,
        lambda: pipeline.vector(source, layer=layer),
        {"--id": id_col, "--name": name_col, "--parent": parent_col},
    )
    ids = pipeline.texts(tab.frame, id_col)
    check_unique(ids, report, column=id_col, scope=f" within level {level!r}")
    geoms, source_crs = pipeline.geometries(
        tab, report, crs=crs, kinds=["polygon"], layer="areas", ids=ids, strict=strict
    )
    start = pipeline.one_date(valid_from, report, option="--valid-from")
    end = pipeline.one_date(valid_to, report, option="--valid-to")
    if start is not None and end is not None and end < start:
        report.add(
            f"--valid-to {end:%d.%m.%Y} liegt vor --valid-from {start:%d.%m.%Y}",
            fix="vertauschen Sie die beiden Daten",
        )
    if vintage is None:
        if start is None:
            report.add(
                "der Gebietsstand (Vintage) der Grenzen ist unbekannt",
                fix="geben Sie --valid-from DATUM (der Gebietsstand ist dessen Jahr) oder "
                "--vintage NAME an",
            )
        else:
            vintage = str(start.year)
    if not level.strip():
        report.add(
            "--level ist leer", fix="geben Sie --level mit dem Namen der Ebene an, z. B. PLR"
        )
    report.raise_if_problems()
    columns = {
        "id": ids,
        "level": level,
        "vintage": vintage,
        "name": pipeline.texts(tab.frame, name_col),
        "parent_id": pipeline.texts(tab.frame, parent_col),
        "valid_from": start,
        "valid_to": end,
    }
    frame = pipeline.features(run, columns, geoms, source_crs, tab.frame.index)
    return pipeline.store_bulk(
        run,
        frame,
        tab,
        report,
        scopes=[{"level": level, "vintage": vintage}],
        what=f"Gebiete der Ebene „{level}“, Gebietsstand „{vintage}“",
        details={"level": level, "vintage": vintage},
    )
