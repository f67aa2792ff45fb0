"""The demo city "Musterstadt": a believable, fictional mid-size West German city.

:func:`build_musterstadt` is pure and deterministic: the same seed gives the same
frames, one per layer of the data model (names and columns as in
:mod:`geo.schema`; spatial layers as GeoDataFrames with the geometry column
``geometry``). :func:`load_musterstadt` writes them into a store in one transaction.

What it holds (counts for the default seed are in the tests):

- ``areas``: the city (level ``Gemeinde``), 10–15 districts (``Stadtteil``) and
  80–150 planning areas (``Planungsraum``) that tile the city exactly, vintage
  ``2020``; a district is the union of its planning areas.
- ``buildings``: 20,000–40,000 residential footprints, denser in the centre, with
  dwellings, vacancy, year built, owner type and storeys; post-war municipal estates
  in the Soziale Stadt area, high vacancy in the Stadtumbau area.
- Two Gesamtmaßnahmen with ISEKs, goals, targets, measures, milestones, outputs and
  funding lines; yearly indicator counts 2010–2024 per planning area; quarter
  management (actors, bodies, projects, Verfügungsfonds, activities).
- The grant procedure (:mod:`data.grants`): a cost group per measure, revenues,
  applications, grant notices with their measures and drawdowns, a frozen KuF for the
  latest application of each area; only the deadlines of open notices depend on the
  parameter ``today``.

The city sits in UTM zone 32N in the Ruhr area; it, its names, its AGS ``05999000``
and all contact data are fictional.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from data.grants import make_grants, with_cost_groups, with_line_cost_groups
from data.housing import make_buildings
from data.neighbourhood import make_neighbourhood
from data.population import make_series
from data.renewal import (
    AGS,
    REFERENCE_DATE,
    RENEWAL_ID,
    SOCIAL_ID,
    make_concepts,
    make_funding_areas,
    make_measures,
    make_targets,
)
from data.townscape import Townscape, make_townscape, street_names
from geo.schema import SCHEMA
from monitoring.defaults import default_fields_of_action, default_programmes

if TYPE_CHECKING:
    from geo.store.base import Store

DEFAULT_SEED = 2024
#: Layers that record work done in the platform (edits, filed reports): the demo leaves
#: them empty rather than inventing a history.
RECORDS_OF_WORK: frozenset[str] = frozenset(
    {"audit_log", "filed_reports", "attachments", "import_batches"}
)
#: Layers derived from the others (the indicator map for QGIS): written by
#: :func:`monitoring.interop.qgis.refresh_in` at the end of :func:`load_musterstadt`.
DERIVED: frozenset[str] = frozenset({"indicator_map_values"})
CITY_NAME = "Musterstadt"
VINTAGE = "2020"
VALID_FROM = pd.Timestamp(2020, 1, 1)

Progress = Callable[[str, int, int], None]
"""Called as ``progress(layer, done, total)`` after each layer is written."""


def _check_crs(crs: str) -> str:
    """Return ``crs`` if the city can be built in it; raise otherwise."""
    from geo.crs import parse_crs
    from geo.errors import CRSError

    parsed = parse_crs(crs, what="crs of the demo city")
    if not parsed.is_projected:
        raise CRSError(
            f"crs of the demo city {crs!r} is geographic; pass a projected CRS in metres "
            "such as EPSG:25832 (the city is built there and reprojected)"
        )
    return crs


def build_musterstadt(
    *, seed: int = DEFAULT_SEED, crs: str = "EPSG:25832", today: dt.date = REFERENCE_DATE
) -> dict[str, pd.DataFrame]:
    """Build the demo city: one frame per layer of the data model.

    Parameters
    ----------
    seed
        Seed of the random generator; the same seed gives identical frames.
    crs
        CRS of the spatial frames. The city is laid out in EPSG:25832 (UTM 32N)
        and reprojected when another projected CRS is asked for.
    today
        The day the deadlines of the open grant notices are set from (one statement of
        use due in three weeks, money lapsing in six); nothing else depends on it.

    Returns
    -------
    dict[str, pandas.DataFrame]
        Frames keyed by layer name, in model order; every layer except
        ``audit_log`` and ``filed_reports`` (:data:`RECORDS_OF_WORK`). Edit columns are left
        to the store.

    Raises
    ------
    geo.errors.CRSError
        When ``crs`` is not a projected coordinate reference system.

    Examples
    --------
    >>> city = build_musterstadt(seed=1)
    >>> sorted(city["areas"]["level"].unique())
    ['Gemeinde', 'Planungsraum', 'Stadtteil']
    """
    target_crs = _check_crs(crs)
    base = "EPSG:25832"
    seq = np.random.SeedSequence(seed)
    rng_town, rng_houses, rng_measures, rng_people, rng_quarter = (
        np.random.default_rng(s) for s in seq.spawn(5)
    )
    town = make_townscape(
        rng_town,
        area_km2=float(rng_town.uniform(68, 82)),
        n_areas=int(rng_town.integers(105, 126)),
        n_districts=int(rng_town.integers(11, 14)),
    )
    areas, cell_ids = _areas(town, base)
    houses, footprints = make_buildings(
        rng_houses, town, target=int(rng_houses.integers(26_000, 31_000))
    )
    buildings = gpd.GeoDataFrame(
        houses[["id", "dwellings", "vacant_dwellings", "year_built", "owner_type", "storeys"]],
        geometry=footprints,
        crs=base,
    )

    funding_areas = make_funding_areas(town, base)
    concepts, goals = make_concepts()
    counts = {
        SOCIAL_ID: int(rng_measures.integers(45, 60)),
        RENEWAL_ID: int(rng_measures.integers(32, 45)),
    }
    renewal = make_measures(
        rng_measures, town, funding_areas, goals, counts=counts, cell_ids=cell_ids
    )
    measures = with_cost_groups(renewal.measures)
    funding_lines = with_line_cost_groups(measures, renewal.funding_lines)
    grants = make_grants(funding_areas, measures, funding_lines, today=today)
    series = make_series(rng_people, town, houses, renewal.demolitions, area_ids=cell_ids)
    area_cells = {
        SOCIAL_ID: [cell_ids[i] for i in town.social_area],
        RENEWAL_ID: [cell_ids[i] for i in town.renewal_area],
    }
    targets = make_targets(goals, series, area_cells)
    social_geom = funding_areas.set_index("id").geometry[SOCIAL_ID]
    quarter = make_neighbourhood(
        rng_quarter,
        social_geom,
        places=[town.cell_names[i] for i in town.social_area],
        streets=street_names(town, town.social_area) + ["Bergmannsweg", "Schulstraße"],
        goals=goals,
        n_actors=int(rng_quarter.integers(28, 38)),
        crs=base,
    )
    frames: dict[str, pd.DataFrame] = {
        "areas": areas,
        "programmes": default_programmes(),
        "fields_of_action": default_fields_of_action(),
        "funding_areas": funding_areas,
        "concepts": concepts,
        "goals": goals,
        "targets": targets,
        "measures": measures,
        "measure_fields": renewal.measure_fields,
        "measure_goals": renewal.measure_goals,
        "milestones": renewal.milestones,
        "measure_outputs": renewal.measure_outputs,
        "funding_lines": funding_lines,
        "buildings": buildings,
        "indicator_values": series,
        "actors": quarter.actors,
        "bodies": quarter.bodies,
        "projects": quarter.projects,
        "participation": quarter.participation,
        "local_funds": quarter.local_funds,
        "fund_income": quarter.fund_income,
        "fund_decisions": quarter.fund_decisions,
        "activities": quarter.activities,
        "activity_partners": quarter.activity_partners,
        "applications": quarter.applications,
        "fund_payments": quarter.fund_payments,
        "report_sender": _sender(),
        "revenues": grants.revenues,
        "kuf_versions": grants.kuf_versions,
        "grant_applications": grants.grant_applications,
        "grant_notices": grants.grant_notices,
        "notice_measures": grants.notice_measures,
        "drawdowns": grants.drawdowns,
    }
    frames = _complete(frames)
    if target_crs != base:
        frames = {
            name: f.to_crs(target_crs) if isinstance(f, gpd.GeoDataFrame) else f
            for name, f in frames.items()
        }
    return frames


def _complete(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Return the frames with every layer of the model but the records of work, every column.

    Columns and layers the demo does not fill (added by later migrations) stay empty.
    """
    out: dict[str, pd.DataFrame] = {}
    for name, layer in SCHEMA.layers.items():
        if name in RECORDS_OF_WORK or name in DERIVED:
            continue
        frame = frames.get(name)
        if frame is None:
            frame = pd.DataFrame({c: pd.Series(dtype=object) for c in layer.key})
        frame = frame.copy()
        for column in layer.column_names:
            if column not in frame.columns and column not in _EDIT_COLUMNS:
                frame[column] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
        out[name] = frame
    return out


_EDIT_COLUMNS = frozenset({"created_at", "updated_at", "updated_by", "version"})


def _sender() -> pd.DataFrame:
    """The sender block of the demo city's reports (fictional office and contact)."""
    return pd.DataFrame(
        {
            "id": ["absender"],
            "municipality": [CITY_NAME],
            "office": ["Amt für Stadtentwicklung, Abteilung Städtebauförderung"],
            "contact": ["Erika Beispiel"],
            "phone": ["0000 123456"],
            "email": ["staedtebaufoerderung@musterstadt.example"],
            "address": ["Rathausplatz 1, 00000 Musterstadt"],
        }
    )


def _areas(town: Townscape, crs: str) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Return the areas layer (city, districts, planning areas) and the planning-area ids."""
    d_ids = [f"ST-{d + 1:02d}" for d in range(len(town.districts))]
    centroids = shapely.get_coordinates(shapely.centroid(town.cells))
    # number planning areas district by district, north-west to south-east
    order = sorted(
        range(len(town.cells)),
        key=lambda i: (town.district_of[i], -round(centroids[i, 1], -2), centroids[i, 0]),
    )
    cell_ids = [""] * len(town.cells)
    for k, i in enumerate(order):
        cell_ids[i] = f"PR-{k + 1:03d}"
    rows = [
        {
            "id": AGS,
            "level": "Gemeinde",
            "name": CITY_NAME,
            "parent_id": None,
            "geometry": town.outline,
        }
    ]
    rows += [
        {
            "id": d_ids[d],
            "level": "Stadtteil",
            "name": town.district_names[d],
            "parent_id": AGS,
            "geometry": town.districts[d],
        }
        for d in range(len(town.districts))
    ]
    rows += [
        {
            "id": cell_ids[i],
            "level": "Planungsraum",
            "name": town.cell_names[i],
            "parent_id": d_ids[int(town.district_of[i])],
            "geometry": town.cells[i],
        }
        for i in order
    ]
    table = pd.DataFrame(rows)
    frame = gpd.GeoDataFrame(
        table.drop(columns="geometry").assign(
            vintage=VINTAGE, valid_from=VALID_FROM, valid_to=None
        ),
        geometry=list(table["geometry"]),
        crs=crs,
    )
    columns = ["id", "level", "vintage", "name", "parent_id", "valid_from", "valid_to", "geometry"]
    return frame[columns], cell_ids


def load_musterstadt(
    store: Store,
    *,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
    today: dt.date = REFERENCE_DATE,
) -> dict[str, int]:
    """Replace the content of ``store`` with the demo city, in one transaction.

    Every layer the demo has (all but :data:`RECORDS_OF_WORK`) is replaced, the default
    programmes and fields of action included, and the indicator map and QGIS styles are
    derived from them (:mod:`monitoring.interop.qgis`); if any write fails, the store is
    left as it was.

    Parameters
    ----------
    store
        An initialised store (``store.init()`` has run).
    seed
        Seed of the demo city.
    progress
        Called as ``progress(layer, done, total)`` after each layer is written.
    today
        The day the open grant notices' deadlines are set from (:func:`build_musterstadt`).

    Returns
    -------
    dict[str, int]
        Rows written per layer of the built city (the derived indicator map not counted).

    Raises
    ------
    geo.errors.StoreError
        When the store cannot be written; nothing is written then.
    """
    from monitoring.interop.qgis import refresh_in

    frames = build_musterstadt(seed=seed, crs=store.crs.to_string(), today=today)
    written: dict[str, int] = {}
    with store.transaction(user="demo") as tx:
        for k, (layer, frame) in enumerate(frames.items(), start=1):
            written[layer] = tx.write(layer, frame, mode="replace")
            if progress is not None:
                progress(layer, k, len(frames))
        refresh_in(tx)  # the derived indicator map and the QGIS styles
    return written


def summary(frames: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Return the number of rows per layer of a built city.

    Examples
    --------
    >>> summary({"areas": pd.DataFrame({"id": ["a", "b"]})})
    {'areas': 2}
    """
    return {name: len(frame) for name, frame in frames.items()}


__all__ = ["DEFAULT_SEED", "build_musterstadt", "load_musterstadt", "summary"]
