"""Housing stock per area: dwellings, vacancy rate, owner structure and building age.

Buildings (footprints or points) are assigned to areas (planning areas or funding
areas) by one spatial join (:func:`geo.joins.assign_to_areas`: an STRtree query on
the buildings' representative points, so each building counts for exactly one area).
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.joins import assign_to_areas

AGE_CLASSES: tuple[tuple[str, int | None, int | None], ...] = (
    ("vor 1919", None, 1918),
    ("1919–1948", 1919, 1948),
    ("1949–1978", 1949, 1978),
    ("1979–1990", 1979, 1990),
    ("1991–2000", 1991, 2000),
    ("2001–2010", 2001, 2010),
    ("2011 und später", 2011, None),
)
"""Building age classes (label, first year, last year), as in the census tables."""

UNKNOWN = "unbekannt"


def age_class(years: pd.Series) -> pd.Series:
    """Return the age class label of each year built (``unbekannt`` where missing).

    Examples
    --------
    >>> age_class(pd.Series([1900, 1960, 2015, None], dtype="Int64")).tolist()
    ['vor 1919', '1949–1978', '2011 und später', 'unbekannt']
    """
    values = pd.to_numeric(years).astype("Float64")
    out = pd.Series(UNKNOWN, index=years.index, dtype=object)
    for label, first, last in AGE_CLASSES:
        hit = values.notna()
        if first is not None:
            hit &= values >= first
        if last is not None:
            hit &= values <= last
        out[hit.fillna(False).astype(bool)] = label
    return out


def housing_stock(
    buildings: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    area_id: str = "id",
    owner_types: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Sum the housing stock per area.

    Parameters
    ----------
    buildings
        ``dwellings, vacant_dwellings, year_built, owner_type`` and geometry.
    areas
        Polygons with the id column ``area_id``, in the CRS of ``buildings``.
    area_id
        The id column of ``areas``.
    owner_types
        Owner types to report (default: those present, sorted).

    Returns
    -------
    pandas.DataFrame
        Indexed by area id (every area, 0 where no building): ``buildings, dwellings,
        vacant_dwellings, vacancy_rate`` (%), one column ``owner: TYPE`` per owner type
        and one ``age: CLASS`` per age class, each the share (%) of the area's dwellings.

    Notes
    -----
    vacancy_rate = Σ vacant dwellings / Σ dwellings × 100; shares are dwelling-weighted:
    share_k = Σ_{buildings of k} dwellings / Σ dwellings × 100.

    Examples
    --------
    >>> import shapely
    >>> areas = gpd.GeoDataFrame({"id": ["A", "B"]}, crs="EPSG:25832",
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> b = gpd.GeoDataFrame({"dwellings": [10, 30], "vacant_dwellings": [1, 3],
    ...     "year_built": [1900, 1965], "owner_type": ["Genossenschaft", "privat"]},
    ...     geometry=[shapely.box(1, 1, 3, 3), shapely.box(5, 5, 6, 6)], crs="EPSG:25832")
    >>> s = housing_stock(b, areas)
    >>> s.loc["A", ["dwellings", "vacancy_rate", "owner: privat", "age: vor 1919"]].tolist()
    [40.0, 10.0, 75.0, 25.0]
    >>> float(s.loc["B", "dwellings"]), bool(np.isnan(s.loc["B", "vacancy_rate"]))
    (0.0, True)
    """
    where = assign_to_areas(buildings, areas, area_id=area_id)
    dwellings = pd.to_numeric(buildings["dwellings"]).astype("Float64").fillna(0).astype(float)
    vacant = pd.to_numeric(buildings["vacant_dwellings"]).astype("Float64").fillna(0)
    owners = buildings["owner_type"].fillna(UNKNOWN).astype(object)
    kinds = list(owner_types) if owner_types is not None else sorted(set(owners))
    ages = age_class(buildings["year_built"])
    frame = pd.DataFrame(
        {
            "area": where,
            "dwellings": dwellings,
            "vacant_dwellings": vacant.astype(float),
            "buildings": 1.0,
        }
    )
    for kind in kinds:
        frame[f"owner: {kind}"] = np.where(owners == kind, dwellings, 0.0)
    age_labels = [label for label, _, _ in AGE_CLASSES] + [UNKNOWN]
    for label in age_labels:
        frame[f"age: {label}"] = np.where(ages == label, dwellings, 0.0)
    sums = frame.dropna(subset=["area"]).groupby("area").sum()
    sums = sums.reindex(areas[area_id].tolist(), fill_value=0.0)
    total = sums["dwellings"].where(sums["dwellings"] > 0)
    sums["vacancy_rate"] = sums["vacant_dwellings"] / total * 100
    shares = [c for c in sums.columns if c.startswith(("owner: ", "age: "))]
    sums[shares] = sums[shares].div(total, axis=0) * 100
    sums.index.name = area_id
    order = ["buildings", "dwellings", "vacant_dwellings", "vacancy_rate", *shares]
    return sums[order]
