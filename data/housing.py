"""The housing stock of Musterstadt: building footprints with dwellings and vacancy.

Buildings are laid out per planning area on a jittered grid turned to a random
street direction, so they line up like blocks; the land use of the area decides
the grid, the building forms (detached house, old block, post-war row, high-rise,
new block), year of construction, owner and vacancy. Footprints keep clear of the
river and lie wholly inside their planning area.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from data.townscape import Townscape

OWNER_TYPES: tuple[str, ...] = (
    "kommunale Wohnungsgesellschaft",
    "Genossenschaft",
    "privater Eigentümer",
    "sonstiges Unternehmen",
    "öffentliche Hand",
)

FORMS: tuple[str, ...] = ("EFH", "Zechenhaus", "Altbau", "Zeile", "Hochhaus", "Neubau")
"""Building forms: detached house, miners' cottage, pre-war block, post-war row,
high-rise slab, new block."""


@dataclass(frozen=True)
class _Use:
    grid: tuple[float, float]  # cell size (m) along and across the street
    fill: float  # share of grid cells built on
    forms: dict[str, float]
    vacancy: float  # share of dwellings vacant in the latest year


_USES: dict[str, _Use] = {
    "Altstadt": _Use((24, 26), 0.55, {"Altbau": 0.8, "Neubau": 0.2}, 0.04),
    "Gründerzeit": _Use((22, 28), 0.5, {"Altbau": 0.6, "Zeile": 0.15, "EFH": 0.25}, 0.03),
    "Zeilenbau": _Use((40, 62), 0.45, {"Zeile": 0.75, "EFH": 0.25}, 0.03),
    "Großsiedlung": _Use((60, 95), 0.55, {"Hochhaus": 0.5, "Zeile": 0.5}, 0.05),
    "Arbeitersiedlung": _Use(
        (22, 26), 0.45, {"Zechenhaus": 0.6, "Altbau": 0.3, "Zeile": 0.1}, 0.09
    ),
    "Einfamilienhaus": _Use((24, 30), 0.32, {"EFH": 0.95, "Neubau": 0.05}, 0.012),
    "Dorfkern": _Use((30, 36), 0.3, {"EFH": 0.85, "Altbau": 0.15}, 0.02),
    "Neubaugebiet": _Use((26, 30), 0.5, {"EFH": 0.6, "Neubau": 0.4}, 0.015),
    "Gewerbe": _Use((60, 60), 0.02, {"EFH": 0.6, "Zeile": 0.4}, 0.03),
    "Grünfläche": _Use((40, 40), 0.006, {"EFH": 1.0}, 0.02),
}

# form: (footprint length range, depth range, storeys range, dwellings per storey range)
_SHAPES: dict[
    str, tuple[tuple[float, float], tuple[float, float], tuple[int, int], tuple[float, float]]
] = {
    "EFH": ((9, 14), (8, 12), (1, 2), (0.5, 1.0)),
    "Zechenhaus": ((10, 16), (8, 10), (2, 2), (1.0, 2.0)),
    "Altbau": ((14, 20), (11, 15), (3, 5), (1.0, 2.0)),
    "Zeile": ((28, 48), (10, 12), (3, 5), (2.0, 4.0)),
    "Hochhaus": ((35, 70), (13, 16), (8, 16), (5.0, 9.0)),
    "Neubau": ((16, 24), (12, 16), (3, 5), (2.0, 4.0)),
}

# form: ((first year, last year, weight), ...)
_YEARS: dict[str, tuple[tuple[int, int, float], ...]] = {
    "EFH": (
        (1900, 1948, 0.1),
        (1949, 1978, 0.35),
        (1979, 1994, 0.25),
        (1995, 2010, 0.2),
        (2011, 2023, 0.1),
    ),
    "Zechenhaus": ((1895, 1930, 0.85), (1949, 1960, 0.15)),
    "Altbau": ((1870, 1918, 0.7), (1919, 1948, 0.2), (1949, 1960, 0.1)),
    "Zeile": ((1950, 1978, 0.85), (1979, 1990, 0.15)),
    "Hochhaus": ((1965, 1978, 0.85), (1979, 1985, 0.15)),
    "Neubau": ((1991, 2010, 0.55), (2011, 2023, 0.45)),
}

# form: weights over OWNER_TYPES
_OWNERS: dict[str, tuple[float, ...]] = {
    "EFH": (0.0, 0.0, 0.97, 0.02, 0.01),
    "Zechenhaus": (0.05, 0.2, 0.45, 0.3, 0.0),
    "Altbau": (0.08, 0.1, 0.72, 0.08, 0.02),
    "Zeile": (0.3, 0.3, 0.14, 0.25, 0.01),
    "Hochhaus": (0.4, 0.1, 0.05, 0.45, 0.0),
    "Neubau": (0.15, 0.15, 0.4, 0.29, 0.01),
}
_SOCIAL_OWNERS = (0.68, 0.08, 0.04, 0.2, 0.0)  # post-war estates of the Soziale Stadt area


def _grid_points(
    rng: np.random.Generator, cell: shapely.Polygon, grid: tuple[float, float]
) -> tuple[np.ndarray, float]:
    """Return candidate building centres on a jittered, turned grid, and the grid angle."""
    angle = rng.uniform(0, np.pi)
    c, s = np.cos(angle), np.sin(angle)
    centre = np.array([cell.centroid.x, cell.centroid.y])
    local = (shapely.get_coordinates(cell) - centre) @ np.array([[c, -s], [s, c]])
    (x0, y0), (x1, y1) = local.min(axis=0), local.max(axis=0)
    gx = np.arange(x0 + rng.uniform(0, grid[0]), x1, grid[0])
    gy = np.arange(y0 + rng.uniform(0, grid[1]), y1, grid[1])
    xx, yy = np.meshgrid(gx, gy)
    pts = np.column_stack([xx.ravel(), yy.ravel()])
    pts += rng.uniform(-0.08, 0.08, pts.shape) * np.array(grid)
    return pts @ np.array([[c, s], [-s, c]]) + centre, angle


def _footprints(
    centres: np.ndarray, length: np.ndarray, depth: np.ndarray, angle: float
) -> np.ndarray:
    """Return rectangles of ``length`` × ``depth`` around ``centres`` turned by ``angle``."""
    corners = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5]])
    local = corners[None, :, :] * np.column_stack([length, depth])[:, None, :]
    c, s = np.cos(angle), np.sin(angle)
    world = local @ np.array([[c, s], [-s, c]]) + centres[:, None, :]
    return shapely.polygons(np.round(world, 2))


def _years(rng: np.random.Generator, form: str, n: int) -> np.ndarray:
    """Draw construction years for ``n`` buildings of one form."""
    spans = _YEARS[form]
    weights = np.array([w for *_, w in spans])
    pick = rng.choice(len(spans), size=n, p=weights / weights.sum())
    lo = np.array([a for a, _, _ in spans])[pick]
    hi = np.array([b for _, b, _ in spans])[pick]
    return rng.integers(lo, hi + 1)


def make_buildings(
    rng: np.random.Generator, town: Townscape, *, target: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """Lay out about ``target`` residential buildings over the planning areas.

    Returns
    -------
    (pandas.DataFrame, numpy.ndarray)
        The attribute frame (``id`` and the columns of the layer ``buildings`` plus
        ``area`` , the index of the planning area holding the building) and the
        footprint polygons in the same order.
    """
    river_zone = shapely.buffer(town.river, 35.0)
    candidates: list[tuple[int, np.ndarray, float]] = []
    expected = 0.0
    for i, cell in enumerate(town.cells):
        use = _USES[town.land_use[i]]
        pts, angle = _grid_points(rng, cell, use.grid)
        inner = shapely.buffer(cell, -0.2 * max(use.grid))
        keep = shapely.contains_xy(inner, pts[:, 0], pts[:, 1])
        keep &= ~shapely.contains_xy(river_zone, pts[:, 0], pts[:, 1])
        pts = pts[keep]
        candidates.append((i, pts, angle))
        expected += len(pts) * use.fill
    scale = target / expected

    frames: list[pd.DataFrame] = []
    shapes: list[np.ndarray] = []
    for i, pts, angle in candidates:
        use = _USES[town.land_use[i]]
        chosen = pts[rng.uniform(size=len(pts)) < min(0.95, use.fill * scale)]
        if town.land_use[i] in ("Gewerbe", "Grünfläche") and len(chosen) < 3 <= len(pts):
            chosen = pts[rng.choice(len(pts), size=3, replace=False)]
        if not len(chosen):
            continue
        names = list(use.forms)
        probs = np.array(list(use.forms.values()))
        form_idx = rng.choice(len(names), size=len(chosen), p=probs / probs.sum())
        for f, form in enumerate(names):
            at = chosen[form_idx == f]
            if not len(at):
                continue
            frame, geoms = _buildings_of_form(rng, form, at, angle, use, i, town)
            fits = shapely.within(geoms, town.cells[i]) & ~shapely.intersects(geoms, river_zone)
            frames.append(frame[fits])
            shapes.append(geoms[fits])
    table = pd.concat(frames, ignore_index=True)
    geoms = np.concatenate(shapes)
    order = np.lexsort((table["year_built"].to_numpy(), table["area"].to_numpy()))
    table = table.iloc[order].reset_index(drop=True)
    geoms = geoms[order]
    table.insert(0, "id", [f"GB-{k + 1:06d}" for k in range(len(table))])
    return table, geoms


def _buildings_of_form(
    rng: np.random.Generator,
    form: str,
    at: np.ndarray,
    angle: float,
    use: _Use,
    area: int,
    town: Townscape,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Draw the attributes and footprints of the buildings of one form in one area."""
    n = len(at)
    (l0, l1), (d0, d1), (s0, s1), (w0, w1) = _SHAPES[form]
    length = np.minimum(rng.uniform(l0, l1, n), 0.8 * use.grid[0])
    depth = np.minimum(rng.uniform(d0, d1, n), 0.8 * use.grid[1])
    storeys = rng.integers(s0, s1 + 1, n)
    per_storey = rng.uniform(w0, w1, n) * length / np.mean((l0, l1))
    dwellings = np.maximum(1, np.round(storeys * per_storey)).astype(int)
    if form == "EFH":
        dwellings = np.where(rng.uniform(size=n) < 0.8, 1, 2)
    weights = (
        _SOCIAL_OWNERS
        if area in town.social_area and form in ("Zeile", "Hochhaus")
        else _OWNERS[form]
    )
    owner = rng.choice(len(OWNER_TYPES), size=n, p=np.array(weights) / np.sum(weights))
    years = _years(rng, form, n)
    rate = use.vacancy * rng.lognormal(0.0, 0.35, n)
    if area in town.renewal_area:
        rate *= np.where(years < 1979, 1.3, 0.6)
    vacant = rng.binomial(dwellings, np.clip(rate, 0, 0.6))
    frame = pd.DataFrame(
        {
            "dwellings": dwellings,
            "vacant_dwellings": vacant,
            "year_built": years,
            "owner_type": [OWNER_TYPES[k] for k in owner],
            "storeys": storeys,
            "area": area,
            "form": form,
        }
    )
    return frame, _footprints(at, length, depth, angle)
