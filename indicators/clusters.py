"""Local spatial autocorrelation: clusters of disadvantage with local Moran's I (esda)."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import german
from indicators.errors import FrameError

CLUSTER_LABELS: dict[str, str] = {
    "HH": "hoch, umgeben von hoch",
    "LL": "niedrig, umgeben von niedrig",
    "HL": "hoch, umgeben von niedrig",
    "LH": "niedrig, umgeben von hoch",
    "ns": "nicht signifikant",
}
_QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}


def _blank(labels: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Copy of an object array with None where ``mask`` is true."""
    out = labels.astype(object).copy()
    out[mask] = None
    return out


def local_moran(
    areas: gpd.GeoDataFrame,
    column: str,
    *,
    permutations: int = 999,
    seed: int = 20240601,
    significance: float = 0.05,
) -> pd.DataFrame:
    """Compute local Moran's I with Queen contiguity and label the clusters.

    Parameters
    ----------
    areas
        Polygons with the indicator column.
    column
        The indicator to test (e.g. ``child_poverty_rate``).
    permutations
        Conditional permutations for the pseudo p-values.
    seed
        Seed of the permutations, so that a result can be reproduced.
    significance
        Areas with a pseudo p-value above this are ``ns``.

    Returns
    -------
    pandas.DataFrame
        Same index as ``areas``: ``value, moran_i, p_value, quadrant, cluster,
        cluster_label``. Areas without a value get no cluster (None); areas without
        a neighbour (islands) are ``ns``.

    Raises
    ------
    FrameError
        When the column is missing or not numeric, or fewer than three areas have
        a value, or ``significance`` is not in (0, 1).

    Notes
    -----
    Row-standardised Queen weights :math:`w_{ij}` over the areas with a value;
    :math:`z_i = (x_i - \\bar x)`, :math:`I_i = z_i \\sum_j w_{ij} z_j / m_2` with
    :math:`m_2 = \\sum_i z_i^2 / n` (esda ``Moran_Local``). The quadrant compares
    :math:`z_i` and its spatial lag: HH (high among high), LL, HL, LH; the pseudo
    p-value comes from ``permutations`` conditional permutations.

    Examples
    --------
    >>> from shapely import box
    >>> cells = [box(x, y, x + 1, y + 1) for y in range(4) for x in range(4)]
    >>> values = [9, 9, 1, 1, 9, 9, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    >>> g = gpd.GeoDataFrame({"v": values}, geometry=cells, crs="EPSG:25833")
    >>> r = local_moran(g, "v", permutations=99, seed=1, significance=0.1)
    >>> r["quadrant"].tolist()[:6]
    ['HH', 'HH', 'LH', 'LL', 'HH', 'HH']
    """
    if column not in areas.columns:
        raise FrameError(
            code="clusters.no_column", column=column, columns=", ".join(map(str, areas.columns))
        )
    if not pd.api.types.is_numeric_dtype(areas[column]):
        raise FrameError(code="clusters.not_numeric", column=column, dtype=str(areas[column].dtype))
    if not 0 < significance < 1:
        raise FrameError(
            code="clusters.significance", value=german.number(significance, decimals=3)
        )
    from esda.moran import Moran_Local
    from libpysal.weights import Queen

    has_value = areas[column].notna().to_numpy()
    if has_value.sum() < 3:
        raise FrameError(code="clusters.too_few", column=column, count=int(has_value.sum()))
    subset = areas.loc[has_value].reset_index(drop=True)
    y = subset[column].to_numpy(dtype=float)
    with warnings.catch_warnings():
        # islands and disconnected components are reported by libpysal as warnings;
        # an island simply has no neighbours and is labelled "ns" below
        warnings.simplefilter("ignore")
        w = Queen.from_dataframe(subset, use_index=False)
        w.transform = "r"
        lisa = Moran_Local(y, w, permutations=permutations, seed=seed, n_jobs=1)
    island = np.array([w.cardinalities[k] == 0 for k in range(len(subset))], dtype=bool)
    quadrant = np.array([_QUADRANTS.get(int(q), "ns") for q in lisa.q], dtype=object)
    significant = (lisa.p_sim <= significance) & ~island
    cluster = np.where(significant, quadrant, "ns")

    out = pd.DataFrame(index=areas.index)
    out["value"] = areas[column].astype(float)
    for name, data, dtype in (
        ("moran_i", np.where(island, np.nan, lisa.Is), float),
        ("p_value", np.where(island, np.nan, lisa.p_sim), float),
        ("quadrant", _blank(quadrant, island), object),
        ("cluster", cluster, object),
    ):
        full = np.full(len(areas), np.nan if dtype is float else None, dtype=dtype)
        full[has_value] = data
        out[name] = pd.Series(
            full, index=areas.index, dtype="float64" if dtype is float else "object"
        )
    out["cluster_label"] = out["cluster"].map(CLUSTER_LABELS)
    return out
