"""A seeded national data set on the real VG5000 boundaries (BKG, Stand 1.1.2021).

:func:`national_frames` is pure and deterministic: the same seed and subset give the same
frames. From the real VG5000 2021 municipalities (10,997) and Kreise (401) it makes the
areas at levels „Land“ (16, dissolved from the Kreise by ``AGS[:2]``), „Kreis“ and
„Gemeinde“, and a seeded set of Gesamtmaßnahmen: ``n_funding_areas`` spread over about
3,900 municipalities (a share of 0.355 of those chosen, weighted towards larger ones and
towns), each a small polygon inside its municipality (a buffered point clipped to it), in
the three federal programmes since 2020, with one to three measures and their funding
lines (Bund, Land, Gemeinde a third each) per programme year. Light on purpose: the point
is scale, not richness.

:func:`build_national` writes them into a store in one transaction through the change
set of :mod:`monitoring.editing` (role checks; one audit row for the whole build, as an
import logs itself), with the stores' bulk writes (COPY on PostGIS).

The Gesamtmaßnahmen, their names, measures and figures are invented; the boundaries are
real (© GeoBasis-DE / BKG 2021, dl-de/by-2-0).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.municipality import LAENDER
from monitoring.auth import User, require
from monitoring.defaults import default_programmes
from monitoring.federal.selection import check_count, check_selection, check_source, no_match
from monitoring.renewal.funding_areas import FUNDING_STATUSES
from monitoring.renewal.measures import STATUSES as MEASURE_STATUSES

if TYPE_CHECKING:
    from geo.store.base import Store

DEFAULT_SEED = 1
DEFAULT_COUNT = 10_000
VINTAGE = "2021"
VALID_FROM = pd.Timestamp(2021, 1, 1)
SOURCE_DIR = "germany_vg5000_2021"
LEVELS: tuple[str, str, str] = ("Land", "Kreis", "Gemeinde")
#: Share of the municipalities with at least one Gesamtmaßnahme (about 3,900 of 10,997).
FUNDED_SHARE = 0.355
#: VG5000 ``GF`` (Geofaktor) of land areas; 1 and 2 are water areas.
LAND_GF: tuple[int, ...] = (3, 4, 9)
#: The federal programmes since 2020 and the share of Gesamtmaßnahmen in each.
PROGRAMMES: tuple[tuple[str, float], ...] = (
    ("sozialer_zusammenhalt", 0.36),
    ("wachstum_nachhaltige_erneuerung", 0.34),
    ("lebendige_zentren", 0.30),
)
PROGRAMME_SHORT = {
    "sozialer_zusammenhalt": "Sozialer Zusammenhalt",
    "wachstum_nachhaltige_erneuerung": "Wachstum und nachhaltige Erneuerung",
    "lebendige_zentren": "Lebendige Zentren",
}
_SOURCES = ("Bund", "Land", "Gemeinde")
_MEASURE_TITLES = (
    "Umgestaltung Marktplatz",
    "Sanierung Bürgerhaus",
    "Grünverbindung",
    "Modernisierung Wohnanlage",
    "Stadtteilzentrum",
    "Verkehrsberuhigung Ortsmitte",
    "Spielplatz",
    "Rückbau Leerstand",
)


@dataclass(frozen=True)
class Boundaries:
    """The VG5000 municipalities and Kreise in a projected CRS, valid geometry."""

    municipalities: gpd.GeoDataFrame  # AGS, GEN, BEZ, geometry
    kreise: gpd.GeoDataFrame  # AGS, GEN, BEZ, geometry


def source_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Return the VG5000 folder: ``path``, else ``$QMON_REAL_DATA/germany_vg5000_2021``.

    Raises
    ------
    monitoring.errors.RuleViolation
        When the folder or its shapefiles are missing.
    """
    if path is None:
        path = Path(os.environ.get("QMON_REAL_DATA", "data/real")) / SOURCE_DIR
    return check_source(path)


def read_boundaries(
    folder: str | os.PathLike[str] | None = None, *, crs: str = "EPSG:25832"
) -> Boundaries:
    """Read the VG5000 municipalities and Kreise, land areas only, valid, in ``crs``.

    One row per AGS: where VG5000 has several rows of an AGS (land and water), the land
    row (``GF`` in :data:`LAND_GF`) is kept. The three invalid municipality geometries are
    repaired (``make_valid``, polygonal parts only).
    """
    src = source_dir(folder)
    frames = []
    for name in ("VG5000_GEM.shp", "VG5000_KRS.shp"):
        raw = gpd.read_file(src / name, columns=["AGS", "GEN", "BEZ", "GF"])
        raw = raw[raw["GF"].astype(int).isin(LAND_GF)]
        raw = raw.sort_values(["AGS", "GF"]).drop_duplicates("AGS", keep="last")
        geoms = _polygonal(shapely.make_valid(np.asarray(raw.geometry.values)))
        frame = gpd.GeoDataFrame(
            raw[["AGS", "GEN", "BEZ"]].reset_index(drop=True),
            geometry=geoms,
            crs=raw.crs,
        ).to_crs(crs)
        frame = frame.set_geometry(_polygonal(shapely.make_valid(frame.geometry.values)))
        frames.append(frame)
    return Boundaries(frames[0], frames[1])


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep the polygonal parts of each geometry (make_valid may add lines or points)."""
    out = np.asarray(geoms, dtype=object).copy()
    mixed = shapely.get_type_id(out) == 7  # GeometryCollection
    for i in np.flatnonzero(mixed):
        parts = shapely.get_parts(out[i])
        out[i] = shapely.MultiPolygon(list(parts[shapely.get_type_id(parts) == 3]))
    return out


def select_municipalities(
    municipalities: gpd.GeoDataFrame, which: int | str | None
) -> gpd.GeoDataFrame:
    """Return the municipalities of the set: all, the first ``which`` by AGS, or an AGS prefix.

    Raises
    ------
    monitoring.errors.RuleViolation
        For a count below 1, a prefix that is not digits, or a prefix no AGS starts with.
    """
    which = check_selection(which)
    ordered = municipalities.sort_values("AGS").reset_index(drop=True)
    if which is None:
        return ordered
    if isinstance(which, int):
        return ordered.head(which).reset_index(drop=True)
    chosen = ordered[ordered["AGS"].str.startswith(which)].reset_index(drop=True)
    if chosen.empty:
        raise no_match(which)
    return chosen


def national_frames(
    boundaries: Boundaries,
    *,
    seed: int = DEFAULT_SEED,
    n_funding_areas: int = DEFAULT_COUNT,
    years: Sequence[int] = (2023, 2024),
    municipalities: int | str | None = None,
) -> dict[str, pd.DataFrame]:
    """Build the national set: one frame per layer (areas, funding areas, measures, lines).

    Parameters
    ----------
    boundaries
        From :func:`read_boundaries`, in the store's CRS.
    seed
        Seed of the random generator; the same seed gives identical frames.
    n_funding_areas
        Number of Gesamtmaßnahmen over the chosen municipalities.
    years
        Programme years of the funding lines.
    municipalities
        All (None), the first N by AGS (an int), or those whose AGS starts with a prefix
        (a str: ``"10"`` Saarland). Kreise and Länder are those of the chosen ones.

    Returns
    -------
    dict[str, pandas.DataFrame]
        ``areas``, ``programmes``, ``funding_areas``, ``measures``, ``funding_lines``.

    Raises
    ------
    monitoring.errors.RuleViolation
        For a bad ``municipalities`` or a negative ``n_funding_areas``.
    """
    check_count(n_funding_areas)
    gem = select_municipalities(boundaries.municipalities, municipalities)
    kreis_ids = sorted(set(gem["AGS"].str[:5]))
    krs = (
        boundaries.kreise[boundaries.kreise["AGS"].isin(kreis_ids)]
        .sort_values("AGS")
        .reset_index(drop=True)
    )
    areas = _areas(gem, krs)
    rng_pick, rng_place, rng_measures = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)
    )
    funding = _funding_areas(gem, n_funding_areas, rng_pick, rng_place)
    measures, lines = _measures(funding, list(years), rng_measures)
    programmes = default_programmes()
    return {
        "areas": areas,
        "programmes": programmes,
        "funding_areas": funding,
        "measures": measures,
        "funding_lines": lines,
    }


def _areas(gem: gpd.GeoDataFrame, krs: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The three levels: Länder dissolved from their Kreise, Kreise, municipalities."""
    land_of = krs["AGS"].str[:2].to_numpy()
    land_ids = sorted(set(land_of))
    k_geoms = np.asarray(krs.geometry.values, dtype=object)
    land_geoms = [shapely.coverage_union_all(k_geoms[land_of == land]) for land in land_ids]
    rows = [
        pd.DataFrame(
            {
                "id": land_ids,
                "level": "Land",
                "name": [LAENDER.get(land, land) for land in land_ids],
                "parent_id": None,
                "geometry": land_geoms,
            }
        ),
        pd.DataFrame(
            {
                "id": krs["AGS"].to_numpy(),
                "level": "Kreis",
                "name": krs["GEN"].to_numpy(),
                "parent_id": land_of,
                "geometry": k_geoms,
            }
        ),
        pd.DataFrame(
            {
                "id": gem["AGS"].to_numpy(),
                "level": "Gemeinde",
                "name": gem["GEN"].to_numpy(),
                "parent_id": gem["AGS"].str[:5].to_numpy(),
                "geometry": np.asarray(gem.geometry.values, dtype=object),
            }
        ),
    ]
    table = pd.concat(rows, ignore_index=True)
    frame = gpd.GeoDataFrame(
        table.drop(columns="geometry").assign(
            vintage=VINTAGE, valid_from=VALID_FROM, valid_to=None
        ),
        geometry=list(table["geometry"]),
        crs=gem.crs,
    )
    columns = ["id", "level", "vintage", "name", "parent_id", "valid_from", "valid_to", "geometry"]
    return frame[columns]


def _weights(gem: gpd.GeoDataFrame) -> np.ndarray:
    """How likely a municipality has renewal areas: larger ones and towns more."""
    area_km2 = gem.geometry.area.to_numpy() / 1e6
    town = gem["BEZ"].str.contains("Stadt").to_numpy()
    w = np.sqrt(area_km2) * np.where(town, 4.0, 1.0)
    w[gem["BEZ"].eq("Gemeindefreies Gebiet").to_numpy()] = 0.0
    return w


def _funding_areas(
    gem: gpd.GeoDataFrame,
    n: int,
    rng_pick: np.random.Generator,
    rng_place: np.random.Generator,
) -> gpd.GeoDataFrame:
    """``n`` Gesamtmaßnahmen, each a small polygon clipped to its municipality."""
    columns = ["id", "name", "ags", "programme_id", "start_year", "expected_end"]
    columns += ["funding_status", "legal_designation", "fund_public_share_max"]
    weights = _weights(gem)
    eligible = int((weights > 0).sum())
    if n == 0 or eligible == 0:
        return gpd.GeoDataFrame(
            {c: pd.Series(dtype=object) for c in columns}, geometry=[], crs=gem.crs
        )
    n_funded = min(eligible, n, max(1, round(FUNDED_SHARE * len(gem))))
    p = weights / weights.sum()
    chosen = np.sort(rng_pick.choice(len(gem), size=n_funded, replace=False, p=p))
    extra = rng_pick.multinomial(n - n_funded, weights[chosen] / weights[chosen].sum())
    per_municipality = 1 + extra
    which = np.repeat(chosen, per_municipality)
    k_in = np.concatenate([np.arange(c) for c in per_municipality])
    ags = gem["AGS"].to_numpy()[which]
    towns = gem["GEN"].to_numpy()[which]
    shapes = np.asarray(gem.geometry.values, dtype=object)[which]
    centres = _points_inside(shapes, rng_place)
    size = np.sqrt(shapely.area(shapes))
    radius = np.minimum(rng_place.uniform(250.0, 900.0, len(which)), size / 5)
    discs = shapely.buffer(centres, radius, quad_segs=4)
    polygons = shapely.intersection(discs, shapes)
    polygons = _polygonal(polygons)
    progs, shares = zip(*PROGRAMMES)
    programme = rng_place.choice(list(progs), size=len(which), p=list(shares))
    start = rng_place.integers(2020, 2025, len(which))
    end = start + rng_place.integers(6, 13, len(which))
    status = np.where(start >= 2024, FUNDING_STATUSES[0], FUNDING_STATUSES[1])
    ids = [f"GM-{a}-{k + 1:02d}" for a, k in zip(ags, k_in)]
    names = [f"{t} – {PROGRAMME_SHORT[p]} {k + 1}" for t, p, k in zip(towns, programme, k_in)]
    return gpd.GeoDataFrame(
        {
            "id": ids,
            "name": names,
            "ags": ags,
            "programme_id": programme,
            "start_year": start.astype("int64"),
            "expected_end": end.astype("int64"),
            "funding_status": status,
            "legal_designation": None,
            "fund_public_share_max": None,
        },
        geometry=list(polygons),
        crs=gem.crs,
    )


def _points_inside(shapes: np.ndarray, rng: np.random.Generator, tries: int = 12) -> np.ndarray:
    """One random point inside each shape (its representative point when no try lands)."""
    out = shapely.point_on_surface(shapes)
    bounds = shapely.bounds(shapes)
    todo = np.ones(len(shapes), dtype=bool)
    draws = rng.random((tries, len(shapes), 2))
    for t in range(tries):
        x = bounds[:, 0] + draws[t, :, 0] * (bounds[:, 2] - bounds[:, 0])
        y = bounds[:, 1] + draws[t, :, 1] * (bounds[:, 3] - bounds[:, 1])
        pts = shapely.points(x, y)
        # keep points well inside: a disc around them stays mostly in the municipality
        inside = todo & shapely.contains(shapes, pts)
        out[inside] = pts[inside]
        todo &= ~inside
    return out


def _measures(
    funding: gpd.GeoDataFrame, years: list[int], rng: np.random.Generator
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """One to three point measures per Gesamtmaßnahme and their funding lines per year."""
    n_per = rng.integers(1, 4, len(funding))
    which = np.repeat(np.arange(len(funding)), n_per)
    k_in = np.concatenate([np.arange(c) for c in n_per]) if len(funding) else np.array([], int)
    fa_ids = funding["id"].to_numpy()[which]
    ids = [f"{f}-M{k + 1}" for f, k in zip(fa_ids, k_in)]
    where = np.asarray(funding.geometry.values, dtype=object)[which]
    points = shapely.point_on_surface(where) if len(where) else np.array([], dtype=object)
    cost = np.round(rng.uniform(80e3, 2.5e6, len(which)), -3)
    titles = rng.choice(list(_MEASURE_TITLES), size=len(which))
    status = rng.choice(list(MEASURE_STATUSES[:3]), size=len(which), p=[0.2, 0.4, 0.4])
    measures = gpd.GeoDataFrame(
        {
            "id": ids,
            "funding_area_id": fa_ids,
            "title": [str(t) for t in titles],
            "description": None,
            "status": status,
            "start_date": pd.Timestamp(min(years), 3, 1) if years else None,
            "end_date": None,
            "cost_estimate": cost,
            "cost_actual": None,
        },
        geometry=list(points),
        crs=funding.crs,
    )
    programme = funding["programme_id"].to_numpy()[which]
    rows: dict[str, list[object]] = {
        k: [] for k in ("id", "measure_id", "source", "programme_id", "programme_year")
    }
    money: dict[str, list[float]] = {"planned": [], "approved": [], "paid": []}
    per_year = cost / max(len(years), 1)
    for i, mid in enumerate(ids):
        third = round(per_year[i] / 3, 2)
        for year in years:
            for source in _SOURCES:
                rows["id"].append(f"{mid}-{year}-{source}")
                rows["measure_id"].append(mid)
                rows["source"].append(source)
                rows["programme_id"].append(programme[i])
                rows["programme_year"].append(year)
                money["planned"].append(third)
                money["approved"].append(third)
                money["paid"].append(round(third * (0.8 if year < max(years) else 0.3), 2))
    lines = pd.DataFrame({**rows, **money})
    lines["programme_year"] = lines["programme_year"].astype("int64")
    return measures, lines


def build_national(
    store: Store,
    user: User,
    *,
    seed: int = DEFAULT_SEED,
    n_funding_areas: int = DEFAULT_COUNT,
    years: Sequence[int] = (2023, 2024),
    municipalities: int | str | None = None,
    source: str | os.PathLike[str] | None = None,
) -> dict[str, int]:
    """Write the national set into ``store`` in one transaction; return rows per layer.

    The areas of levels Land, Kreis and Gemeinde (vintage 2021) are replaced, and so are
    the Gesamtmaßnahmen, measures and funding lines (the set is a national store of its
    own); the federal programmes are upserted. The user needs the rights to change
    boundaries and funding (``edit_settings``, ``edit_funding``); the build is logged as
    one audit row (layer ``areas``, action ``import``) with the counts.

    Parameters
    ----------
    store
        An initialised store (``store.init()`` has run); geometry goes in its CRS.
    user
        The acting user.
    seed, n_funding_areas, years, municipalities
        See :func:`national_frames`.
    source
        The VG5000 folder (default ``$QMON_REAL_DATA/germany_vg5000_2021``).

    Raises
    ------
    monitoring.errors.PermissionDenied
        When the user's role may not change boundaries or funding.
    monitoring.errors.RuleViolation
        For bad options or missing VG5000 files; nothing is written then.
    geo.errors.StoreError
        When the store cannot be written; nothing is written then.
    """
    from monitoring.editing import ChangeSet
    from monitoring.interop.qgis import refresh_in

    require(user, "edit_settings")
    require(user, "edit_funding")
    boundaries = read_boundaries(source, crs=store.crs.to_string())
    frames = national_frames(
        boundaries,
        seed=seed,
        n_funding_areas=n_funding_areas,
        years=years,
        municipalities=municipalities,
    )
    written: dict[str, int] = {}
    store.declare_register()  # the Gesamtmaßnahmen of every municipality, one authority's
    with store.transaction(user=user.name) as tx:
        cs = ChangeSet(tx, user, crs=store.crs)
        cs.bulk_delete("areas", {"level": list(LEVELS), "vintage": VINTAGE})
        written["areas"] = cs.bulk_write("areas", frames["areas"])
        written["programmes"] = tx.write("programmes", frames["programmes"], mode="upsert")
        for layer in ("funding_areas", "measures", "funding_lines"):
            written[layer] = tx.write(layer, frames[layer], mode="replace")
        cs.bulk_log(
            "areas",
            f"VG5000 {VINTAGE} (Bund, Startwert {seed})",
            "import",
            None,
            {"Quelle": "VG5000 2021 (BKG), Gesamtmaßnahmen erfunden", **written},
        )
        refresh_in(tx)
    return written


__all__ = [
    "DEFAULT_COUNT",
    "DEFAULT_SEED",
    "LAENDER",
    "LEVELS",
    "Boundaries",
    "build_national",
    "national_frames",
    "read_boundaries",
    "select_municipalities",
    "source_dir",
]
