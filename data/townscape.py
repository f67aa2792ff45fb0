"""The shape of Musterstadt: outline, river, planning areas, districts, land use.

Pure and seeded: every function takes a ``numpy.random.Generator`` and returns
geometries or frames; nothing is read or written.

The outline is a smoothed star-shaped polygon (a radius that varies with the angle
by a few low harmonics). Planning areas are the Voronoi cells of seeded points,
denser towards the centre, clipped to the outline, so they tile the city without
gaps or overlaps. Districts are grown from seed cells over the adjacency graph, so
each is a connected union of its planning areas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

CENTRE = (395_000.0, 5_700_000.0)
"""Where the city centre lies in UTM 32N (the Ruhr area; the city is fictional)."""

GRID = 0.01
"""Coordinates are snapped to this grid (metres) so shared borders are identical."""

LAND_USES: tuple[str, ...] = (
    "Altstadt",
    "Gründerzeit",
    "Zeilenbau",
    "Großsiedlung",
    "Arbeitersiedlung",
    "Einfamilienhaus",
    "Dorfkern",
    "Neubaugebiet",
    "Gewerbe",
    "Grünfläche",
)
"""Land-use types of planning areas; they drive the building mix."""

_DISTRICT_NAMES = (
    "Hochfeld",
    "Lindenau",
    "Eichholz",
    "Kirchhörde",
    "Brückenfeld",
    "Mühlenbruch",
    "Sonnenberg",
    "Wiesental",
    "Buchholz",
    "Kaiserau",
    "Rosenthal",
    "Heidekamp",
)
_CARDINALS = (("Nordstadt", 90.0), ("Oststadt", 0.0), ("Südstadt", 270.0), ("Weststadt", 180.0))
_NAME_HEADS = (
    "Linden",
    "Eichen",
    "Birken",
    "Buchen",
    "Ulmen",
    "Rosen",
    "Mühlen",
    "Kirch",
    "Schul",
    "Markt",
    "Schloss",
    "Garten",
    "Wiesen",
    "Brunnen",
    "Tannen",
    "Weiden",
    "Erlen",
    "Ahorn",
    "Kastanien",
    "Sonnen",
    "Stern",
    "Kronen",
    "Hafen",
    "Post",
    "Kloster",
    "Zechen",
    "Hütten",
    "Fuchs",
    "Falken",
    "Amsel",
)
_NAME_TAILS = (
    "hof",
    "feld",
    "platz",
    "park",
    "viertel",
    "siedlung",
    "höhe",
    "grund",
    "au",
    "anger",
    "kamp",
    "berg",
)


@dataclass(frozen=True)
class Townscape:
    """The geometry of the city and its statistical areas (arrays aligned by cell)."""

    outline: BaseGeometry
    river: BaseGeometry
    cells: np.ndarray  # polygons of the planning areas
    cell_names: list[str]
    district_of: np.ndarray  # district index per cell
    districts: np.ndarray  # polygons of the districts (unions of their cells)
    district_names: list[str]
    land_use: list[str]  # per cell
    social_area: list[int]  # cells of the Soziale Stadt funding area
    renewal_area: list[int]  # cells of the Stadtumbau funding area
    neighbours: list[set[int]]


def make_outline(rng: np.random.Generator, *, area_km2: float) -> BaseGeometry:
    """Return a smooth irregular polygon of ``area_km2`` around :data:`CENTRE`."""
    theta = np.linspace(0.0, 2 * np.pi, 360, endpoint=False)
    radius = np.ones_like(theta)
    for k in range(2, 7):
        radius += rng.uniform(0.05, 0.17) / np.sqrt(k - 1) * np.cos(k * theta + rng.uniform(0, 7))
    radius = np.clip(radius, 0.55, None)
    ring = np.column_stack([np.cos(theta) * radius, np.sin(theta) * radius]) * 5_000.0
    shape = shapely.Polygon(ring).buffer(600.0).buffer(-600.0)
    factor = np.sqrt(area_km2 * 1e6 / shape.area)
    coords = shapely.get_coordinates(shape) * factor
    coords += np.array(CENTRE) + rng.uniform(-2_000, 2_000, 2)
    shape = shapely.simplify(shapely.Polygon(coords), 2.0)
    return shapely.set_precision(shape, GRID)


def make_river(rng: np.random.Generator, outline: BaseGeometry) -> BaseGeometry:
    """Return a meandering river line across the city, south of its centre."""
    minx, miny, maxx, maxy = outline.bounds
    cx, cy = outline.centroid.x, outline.centroid.y
    x = np.linspace(minx - 500, maxx + 500, 120)
    phase = rng.uniform(0, 2 * np.pi, 2)
    y = (
        cy
        - 0.12 * (maxy - miny)
        + 500 * np.sin((x - cx) / 1_400 + phase[0])
        + 180 * np.sin((x - cx) / 450 + phase[1])
    )
    return shapely.LineString(np.column_stack([x, y]))


def _seed_points(rng: np.random.Generator, outline: BaseGeometry, n: int) -> np.ndarray:
    """Dart-throw ``n`` points in the outline, closer together near the centre."""
    minx, miny, maxx, maxy = outline.bounds
    centre = np.array([outline.centroid.x, outline.centroid.y])
    reach = np.sqrt(outline.area / np.pi)
    points: list[np.ndarray] = [centre]
    spacing = 0.55 * np.sqrt(outline.area / n)
    while len(points) < n:
        cand = rng.uniform([minx, miny], [maxx, maxy], size=(400, 2))
        inside = shapely.contains_xy(outline, cand[:, 0], cand[:, 1])
        for p in cand[inside]:
            dist = np.linalg.norm(p - centre) / reach
            need = spacing * (0.3 + 1.3 * dist)
            if np.min(np.linalg.norm(np.asarray(points) - p, axis=1)) > need:
                points.append(p)
                if len(points) == n:
                    break
        spacing *= 0.97
    return np.asarray(points)


def _tile(outline: BaseGeometry, seeds: np.ndarray) -> np.ndarray:
    """Return the Voronoi cells of ``seeds`` clipped to ``outline`` (one polygon per seed)."""
    diagram = shapely.voronoi_polygons(
        shapely.multipoints(seeds), extend_to=outline.buffer(1_000), ordered=True
    )
    cells = shapely.intersection(shapely.get_parts(diagram), outline, grid_size=GRID)
    return _absorb_fragments(cells)


def _absorb_fragments(cells: np.ndarray) -> np.ndarray:
    """Give the small parts of multi-part cells to the neighbour they share most border with."""
    cells = cells.copy()
    for i, cell in enumerate(cells):
        parts = shapely.get_parts(cell)
        if len(parts) <= 1:
            continue
        order = np.argsort(-shapely.area(parts))
        cells[i] = parts[order[0]]
        for frag in parts[order[1:]]:
            shared = shapely.length(shapely.intersection(cells, frag.boundary, grid_size=GRID))
            shared[i] = -1.0
            j = int(np.argmax(shared))
            cells[j] = shapely.union(cells[j], frag, grid_size=GRID)
    return cells


def adjacency(cells: np.ndarray) -> list[set[int]]:
    """Return, per cell, the cells sharing a border of more than 1 m with it."""
    tree = shapely.STRtree(cells)
    left, right = tree.query(cells, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.length(shapely.intersection(cells[left], cells[right], grid_size=GRID))
    neighbours: list[set[int]] = [set() for _ in cells]
    for a, b, length in zip(left, right, shared):
        if length > 2.0:
            neighbours[int(a)].add(int(b))
            neighbours[int(b)].add(int(a))
    return neighbours


def _grow_districts(
    rng: np.random.Generator, centroids: np.ndarray, neighbours: list[set[int]], k: int
) -> np.ndarray:
    """Partition cells into ``k`` connected groups grown from spread-out seed cells."""
    n = len(centroids)
    seeds = [0]  # the central cell (the first seed point is the centre)
    dist = np.linalg.norm(centroids - centroids[0], axis=1)
    while len(seeds) < k:
        nxt = int(np.argmax(dist * rng.uniform(0.85, 1.0, n)))
        seeds.append(nxt)
        dist = np.minimum(dist, np.linalg.norm(centroids - centroids[nxt], axis=1))
    owner = np.full(n, -1)
    for d, s in enumerate(seeds):
        owner[s] = d
    sizes = np.ones(k)
    target = n / k
    while (owner < 0).any():
        grown = False
        for d in np.argsort(sizes + rng.uniform(0, 0.5, k)):
            frontier = sorted(
                {j for i in np.flatnonzero(owner == d) for j in neighbours[i] if owner[j] < 0}
            )
            if not frontier or (sizes[d] >= 1.4 * target and _others_can_grow(owner, neighbours)):
                continue
            pick = min(
                frontier,
                key=lambda j: (
                    np.linalg.norm(centroids[j] - centroids[seeds[d]]) * rng.uniform(0.9, 1.1)
                ),
            )
            owner[pick] = d
            sizes[d] += 1
            grown = True
            break
        if not grown:  # an unreachable island: join it to its nearest assigned cell
            i = int(np.flatnonzero(owner < 0)[0])
            assigned = np.flatnonzero(owner >= 0)
            near = assigned[np.argmin(np.linalg.norm(centroids[assigned] - centroids[i], axis=1))]
            owner[i] = owner[near]
    return owner


def _others_can_grow(owner: np.ndarray, neighbours: list[set[int]]) -> bool:
    """Tell whether some unassigned cell touches an assigned one."""
    return any(owner[j] >= 0 for i in np.flatnonzero(owner < 0) for j in neighbours[i])


def _grow_area(
    start: int, size: int, neighbours: list[set[int]], centroids: np.ndarray, taken: set[int]
) -> list[int]:
    """Return ``size`` connected cells around ``start`` that are not ``taken``."""
    area = [start]
    while len(area) < size:
        frontier = {j for i in area for j in neighbours[i]} - set(area) - taken
        if not frontier:
            break
        centre = centroids[area].mean(axis=0)
        area.append(min(frontier, key=lambda j: float(np.linalg.norm(centroids[j] - centre))))
    return sorted(area)


def _pick_start(
    rng: np.random.Generator,
    centroids: np.ndarray,
    centre: np.ndarray,
    reach: float,
    *,
    bearing: float,
    ring: tuple[float, float],
    exclude: set[int],
) -> int:
    """Pick the cell in a distance ring that lies closest to a compass bearing (degrees)."""
    rel = centroids - centre
    dist = np.linalg.norm(rel, axis=1) / reach
    angle = np.degrees(np.arctan2(rel[:, 1], rel[:, 0]))
    off = np.abs((angle - bearing + 180) % 360 - 180)
    score = off + 200 * ((dist < ring[0]) | (dist > ring[1])) + rng.uniform(0, 10, len(dist))
    score[list(exclude)] = np.inf
    return int(np.argmin(score))


def make_townscape(
    rng: np.random.Generator,
    *,
    area_km2: float,
    n_areas: int,
    n_districts: int,
) -> Townscape:
    """Build the whole geometry of the city.

    Parameters
    ----------
    rng
        The random generator (seeded by the caller).
    area_km2
        Area of the city.
    n_areas, n_districts
        Number of planning areas and districts.
    """
    outline = make_outline(rng, area_km2=area_km2)
    river = make_river(rng, outline)
    seeds = _seed_points(rng, outline, n_areas)
    cells = _tile(outline, seeds)
    neighbours = adjacency(cells)
    centroids = shapely.get_coordinates(shapely.centroid(cells))
    centre = centroids[0]
    reach = float(np.sqrt(outline.area / np.pi))

    owner = _grow_districts(rng, centroids, neighbours, n_districts)
    districts = np.array(
        [shapely.union_all(cells[owner == d], grid_size=GRID) for d in range(n_districts)]
    )

    social_start = _pick_start(
        rng, centroids, centre, reach, bearing=rng.uniform(30, 150), ring=(0.5, 0.85), exclude=set()
    )
    social = _grow_area(social_start, int(rng.integers(5, 7)), neighbours, centroids, set())
    renewal_start = _pick_start(
        rng,
        centroids,
        centre,
        reach,
        bearing=rng.uniform(190, 260),
        ring=(0.25, 0.6),
        exclude=set(social) | {j for i in social for j in neighbours[i]},
    )
    renewal = _grow_area(renewal_start, int(rng.integers(4, 6)), neighbours, centroids, set(social))

    land_use = _land_use(rng, centroids, centre, reach, social, renewal)
    names = _cell_names(rng, len(cells))
    district_names = _district_names(centroids, owner, centre, n_districts)
    return Townscape(
        outline=shapely.union_all(cells, grid_size=GRID),
        river=river,
        cells=cells,
        cell_names=names,
        district_of=owner,
        districts=districts,
        district_names=district_names,
        land_use=land_use,
        social_area=social,
        renewal_area=renewal,
        neighbours=neighbours,
    )


def _land_use(
    rng: np.random.Generator,
    centroids: np.ndarray,
    centre: np.ndarray,
    reach: float,
    social: list[int],
    renewal: list[int],
) -> list[str]:
    """Assign a land-use type per cell: dense centre, post-war ring, suburbs outside."""
    dist = np.linalg.norm(centroids - centre, axis=1) / reach
    uses: list[str] = []
    options: tuple[str, ...]
    weights: tuple[float, ...]
    for i, d in enumerate(dist):
        if i in social:
            uses.append("Großsiedlung" if rng.uniform() < 0.8 else "Zeilenbau")
            continue
        if i in renewal:
            uses.append("Arbeitersiedlung" if rng.uniform() < 0.7 else "Gewerbe")
            continue
        if d < 0.2:
            options, weights = ("Altstadt", "Gründerzeit"), (0.7, 0.3)
        elif d < 0.45:
            options, weights = ("Gründerzeit", "Zeilenbau", "Gewerbe"), (0.6, 0.35, 0.05)
        elif d < 0.75:
            options = ("Zeilenbau", "Einfamilienhaus", "Neubaugebiet", "Gewerbe", "Grünfläche")
            weights = (0.33, 0.44, 0.12, 0.06, 0.05)
        else:
            options = ("Einfamilienhaus", "Dorfkern", "Gewerbe", "Grünfläche")
            weights = (0.6, 0.28, 0.06, 0.06)
        uses.append(str(rng.choice(options, p=weights)))
    # at least three industrial and two green areas, so some areas have few residents
    free = [i for i in np.argsort(-dist) if i not in social and i not in renewal]
    for wanted, count in (("Gewerbe", 3), ("Grünfläche", 2)):
        for i in free:
            if uses.count(wanted) >= count:
                break
            if uses[i] in ("Einfamilienhaus", "Dorfkern"):
                uses[i] = wanted
    return uses


def street_names(town: Townscape, cells: list[int]) -> list[str]:
    """Return street names built from the names of the given planning areas."""
    heads = sorted({h for i in cells for h in _NAME_HEADS if town.cell_names[i].startswith(h)})
    return [f"{h}{tail}" for h in heads for tail in ("straße", "weg")]


def _cell_names(rng: np.random.Generator, n: int) -> list[str]:
    """Return ``n`` distinct fictional area names such as 'Lindenhof'."""
    combos = [h + t for h in _NAME_HEADS for t in _NAME_TAILS]
    picks = rng.choice(len(combos), size=n, replace=False)
    return [combos[int(i)] for i in picks]


def _district_names(
    centroids: np.ndarray, owner: np.ndarray, centre: np.ndarray, k: int
) -> list[str]:
    """Name districts: 'Innenstadt' in the centre, compass names, then place names."""
    names: list[str | None] = [None] * k
    names[int(owner[0])] = "Innenstadt"
    mids = np.array([centroids[owner == d].mean(axis=0) for d in range(k)]) - centre
    angle = np.degrees(np.arctan2(mids[:, 1], mids[:, 0]))
    for name, bearing in _CARDINALS:
        off = np.abs((angle - bearing + 180) % 360 - 180)
        for d in np.argsort(off):
            if names[d] is None:
                if off[d] < 30:
                    names[d] = name
                break
    rest = iter(_DISTRICT_NAMES)
    return [n if n is not None else next(rest) for n in names]
