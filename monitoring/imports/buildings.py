"""Import buildings (the housing stock) as footprints or points into layer ``buildings``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
from pyproj import CRS

from geo.schema import SCHEMA
from geo.validation import check_unique
from monitoring.imports import pipeline
from monitoring.imports.pipeline import ImportResult, Progress, Source

if TYPE_CHECKING:
    from geo.store.base import Store
    from monitoring.auth import User


_TITLES = {c.name: c.title for c in SCHEMA.layer("buildings").columns if c.title}
"""German column titles of the layer buildings, for messages."""


def import_buildings(
    store: Store,
    source: Source,
    *,
    user: User,
    id_col: str,
    dwellings_col: str | None = None,
    vacant_col: str | None = None,
    year_built_col: str | None = None,
    owner_type_col: str | None = None,
    storeys_col: str | None = None,
    crs: str | CRS | None = None,
    layer: str | None = None,
    strict: bool = False,
    progress: Progress = None,
    dry_run: bool = False,
    replace: bool = False,
) -> ImportResult:
    """Import buildings into ``buildings`` (right ``edit_funding``).

    Counts (dwellings, vacant dwellings, storeys) must be whole numbers ≥ 0 and
    vacant dwellings cannot exceed dwellings; the year built lies between 1000 and
    next year. Building ids already stored are refused unless ``replace`` (then
    those buildings are replaced). Other parameters as :func:`~.areas.import_areas`.

    Returns
    -------
    ImportResult
        What was stored (or, dry, would be).

    Raises
    ------
    PermissionDenied
        When the user may not import buildings.
    ImportRefused
        Listing every problem (see :func:`~.areas.import_areas`), plus impossible
        counts and years and ids stored already.
    """
    run = pipeline.start(
        store,
        user,
        kind="buildings",
        layer="buildings",
        progress=progress,
        dry_run=dry_run,
        replace=replace,
    )
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
    tab, report = pipeline.open_input(run, lambda: pipeline.vector(source, layer=layer), needed)
    frame_in = tab.frame
    ids = pipeline.texts(frame_in, id_col)
    check_unique(ids, report, column=id_col)
    geoms, source_crs = pipeline.geometries(
        tab,
        report,
        crs=crs,
        kinds=["polygon", "point"],
        layer="buildings",
        ids=ids,
        strict=strict,
    )
    values = pipeline.numbers(
        frame_in, [c for c in counts.values() if c], report, fmt=None, delimiter=None
    ).values
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
                f"unmöglicher Wert für „{_TITLES.get(target, target)}“: nötig ist eine ganze "
                f"Zahl {f'von {low} bis {high}' if high else f'ab {low}'}",
                row=row,
                column=column,
                value=series[row],
                fix="korrigieren Sie den Wert",
            )
        out[target] = series.where(~bad).round().astype("Int64")
    if dwellings_col and vacant_col:
        over = (out["vacant_dwellings"] > out["dwellings"]).fillna(False)
        for row in over.index[over.astype(bool)]:
            report.add(
                f"{out['vacant_dwellings'][row]} leere von {out['dwellings'][row]} Wohnungen",
                row=row,
                column=vacant_col,
                value=out["vacant_dwellings"][row],
                fix="es können nicht mehr Wohnungen leer stehen, als das Gebäude hat; "
                "korrigieren Sie eine der beiden Zahlen",
            )
    report.raise_if_problems()
    columns = {"id": ids, **out, "owner_type": pipeline.texts(frame_in, owner_type_col)}
    frame = pipeline.features(run, columns, geoms, source_crs, frame_in.index)
    chunks = [ids.tolist()[i : i + 500] for i in range(0, len(ids), 500)]
    return pipeline.store_bulk(
        run,
        frame,
        tab,
        report,
        scopes=[{"id": chunk} for chunk in chunks],
        what="Gebäude mit den IDs der Datei",
    )
