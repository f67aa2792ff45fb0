"""The national map of the Länderübersicht: light at every view, from Bund to Gemeinde.

:func:`national_map` composes the map of a view (Bund, a Land, a Kreis or a municipality,
optionally one programme) from a store holding the levels „Land“, „Kreis“ and „Gemeinde“
(:mod:`data.national` builds such a store):

- the geometry is generalised for the view (:mod:`geo.generalise`): the tolerance is the
  ground size of a screen pixel two zoom levels in from the view Leaflet frames in the
  map (:func:`geo.generalise.framed_tolerance`; Germany: 256 m), simplified as a coverage
  and the coordinates quantised to what that pixel needs;
- at Bund and Land view the Gesamtmaßnahmen are circle markers (fill: programme, ring:
  reporting status, :mod:`geo.markers`); from Kreis view on their polygons are drawn
  (fill: programme, outline: reporting status);
- backdrop boundaries: Länder and Kreise at Bund and Land view, the municipalities of
  the Kreis at Kreis and Gemeinde view.

The generalised boundaries are cached per (store, change token, level, parent,
tolerance), so a second call for the same view only reads the Gesamtmaßnahmen.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.generalise import coordinate_decimals, framed_tolerance, generalise
from geo.markers import CompactLines, CompactPoints, boundary_lines, compact_points
from geo.store.base import Store
from geo.webmap import (
    WEB_CRS,
    Legend,
    LegendEntry,
    LegendSection,
    TopoGeoJson,
    base_map,
    escape_text,
)
from monitoring.auth import User, require
from monitoring.errors import RuleViolation
from monitoring.messages import render

ViewLevel = Literal["Bund", "Land", "Kreis", "Gemeinde"]
VINTAGE = "2021"
#: Reporting statuses of a Gesamtmaßnahme (the ``status`` column of a status frame).
REPORT_STATUSES: tuple[str, ...] = ("gemeldet", "verspätet", "fehlt")
NO_STATUS = "ohne Meldestand"
STATUS_COLOURS: dict[str, str] = {
    "gemeldet": "#000000",
    "verspätet": "#E69F00",
    "fehlt": "#D55E00",
    NO_STATUS: "#9E9E9E",
}
#: Fill colours of the programmes (Okabe–Ito without the status colours, so a marker's
#: fill never reads as its ring).
PROGRAMME_COLOURS: tuple[str, ...] = ("#0072B2", "#009E73", "#56B4E9", "#F0E442", "#CC79A7")
BACKDROP_STYLE: dict[str, dict[str, Any]] = {
    "Land": {"color": "#333333", "weight": 1.6, "fill": False},
    "Kreis": {"color": "#8a8a8a", "weight": 0.7, "fill": False},
    "Gemeinde": {"color": "#9a9a9a", "weight": 0.6, "fill": False},
}
BACKDROP_NAMES = {"Land": "Länder", "Kreis": "Kreise", "Gemeinde": "Gemeinden"}
FA_COLUMNS = ["id", "name", "ags", "programme_id"]


@dataclass(frozen=True)
class NationalView:
    """What a national map shows: its level, selection and how fine it is drawn."""

    level: ViewLevel
    land: str | None
    kreis: str | None
    ags: str | None
    programme: str | None
    bounds: tuple[float, float, float, float]  # in the store's CRS
    tolerance: float  # metres
    decimals: int  # of the WGS84 coordinates
    crs: str  # of the bounds: the store's


@dataclass
class NationalMap:
    """The composed map, its payload and what it holds."""

    map: folium.Map
    payload_bytes: int
    view: NationalView
    points: int
    polygons: int
    backdrop: dict[str, int] = field(default_factory=dict)
    legend: tuple[LegendSection, ...] = ()


# --- cache ---------------------------------------------------------------------------

T = TypeVar("T")


class _Cache:
    """A small LRU cache shared by the sessions of one process (thread-safe)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()
        self.misses = 0

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]  # type: ignore[no-any-return]
        value = make()
        with self.lock:
            self.misses += 1
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.misses = 0


_RAW = _Cache(8)  # areas of one level as read, per store and change token
_GENERALISED = _Cache(64)  # generalised boundaries per view


def clear_caches() -> None:
    """Forget every cached boundary (tests, or memory)."""
    _RAW.clear()
    _GENERALISED.clear()


def cache_misses() -> int:
    """How many generalisations were computed (not taken from the cache)."""
    return _GENERALISED.misses


def _level_areas(store: Store, level: str) -> gpd.GeoDataFrame:
    token = tuple(store.change_token())
    return _RAW.get(
        (store.url, token, level),
        lambda: store.read(
            "areas",
            where={"level": level, "vintage": VINTAGE},
            columns=["id", "name", "parent_id"],
        ),
    )


def _backdrop(
    store: Store, level: str, *, parent: str | None, tolerance: float
) -> gpd.GeoDataFrame:
    """Areas of ``level`` (those under ``parent`` when given), generalised, in WGS84."""
    token = tuple(store.change_token())

    def make() -> gpd.GeoDataFrame:
        areas = _level_areas(store, level)
        if parent is not None:
            areas = areas[areas["id"].str.startswith(parent)]
        return generalise(areas[["id", "name", "geometry"]], tolerance=tolerance)

    return _GENERALISED.get((store.url, token, level, parent, tolerance), make)


# --- the view --------------------------------------------------------------------------


def _pick(store: Store, level: str, value: str, what: str) -> gpd.GeoDataFrame:
    areas = _level_areas(store, level)
    row = areas[areas["id"] == value]
    if row.empty:
        raise RuleViolation(render("national.unknown_area", what=what, value=value))
    return row


def national_view(
    store: Store,
    *,
    land: str | None = None,
    kreis: str | None = None,
    ags: str | None = None,
    programme: str | None = None,
    width_px: int = 900,
    height_px: int = 620,
) -> NationalView:
    """Return the view of a selection: the finest of ``ags``, ``kreis``, ``land``, else Bund.

    Raises
    ------
    monitoring.errors.RuleViolation
        When the selected Land, Kreis or municipality is not in the store.
    """
    if ags:
        level: ViewLevel = "Gemeinde"
        chosen = _pick(store, "Gemeinde", ags, "Gemeinde")
    elif kreis:
        level, chosen = "Kreis", _pick(store, "Kreis", kreis, "Kreis")
    elif land:
        level, chosen = "Land", _pick(store, "Land", land, "Land")
    else:
        level, chosen = "Bund", _level_areas(store, "Land")
    if chosen.empty:  # a store without the level „Land“ (a city's store)
        raise RuleViolation(render("map.no_areas"))
    minx, miny, maxx, maxy = (float(v) for v in chosen.total_bounds)
    bounds = (minx, miny, maxx, maxy)
    corners = gpd.GeoSeries.from_xy([minx, maxx], [miny, maxy], crs=store.crs).to_crs(WEB_CRS)
    web_bounds = tuple(float(v) for v in corners.total_bounds)
    # one pixel two zoom levels in from the framed view: zooming in shows no corners
    tolerance = framed_tolerance(web_bounds, size_px=(width_px, height_px))  # type: ignore[arg-type]
    return NationalView(
        level,
        land or None,
        kreis or None,
        ags or None,
        programme or None,
        bounds,
        tolerance,
        coordinate_decimals(tolerance),
        store.crs.to_string(),
    )


def _municipality_ids(store: Store, prefix: str) -> list[str]:
    ids = _level_areas(store, "Gemeinde")["id"]
    return sorted(ids[ids.str.startswith(prefix)])


def read_funding_areas(store: Store, view: NationalView) -> gpd.GeoDataFrame:
    """Read the Gesamtmaßnahmen of a view, filtered in the store (``where``, few columns)."""
    where: dict[str, Any] = {}
    if view.ags:
        where["ags"] = view.ags
    elif view.kreis or view.land:
        where["ags"] = _municipality_ids(store, str(view.kreis or view.land))
        if not where["ags"]:
            where["ags"] = ["-"]
    if view.programme:
        where["programme_id"] = view.programme
    return store.read("funding_areas", where=where or None, columns=FA_COLUMNS)


def check_status(status: pd.DataFrame | None) -> pd.DataFrame | None:
    """Return the status frame checked (columns ags, funding_area_id, status).

    Raises
    ------
    monitoring.errors.RuleViolation
        For a missing column or a status not in :data:`REPORT_STATUSES`.
    """
    if status is None:
        return None
    for column in ("funding_area_id", "status"):
        if column not in status.columns:
            raise RuleViolation(
                render(
                    "national.status",
                    value=f"(Spalte {column} fehlt)",
                    row="–",
                    allowed=", ".join(REPORT_STATUSES),
                )
            )
    bad = ~status["status"].isin(REPORT_STATUSES)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise RuleViolation(
            render(
                "national.status",
                value=status["status"].iloc[row - 1],
                row=row,
                allowed=", ".join(REPORT_STATUSES),
            )
        )
    return status


def programme_colours(programmes: list[str]) -> dict[str, str]:
    """Assign the fill colours to programmes in order (cycling after five).

    Examples
    --------
    >>> programme_colours(["sozialer_zusammenhalt", "lebendige_zentren"])
    {'sozialer_zusammenhalt': '#0072B2', 'lebendige_zentren': '#009E73'}
    """
    return {p: PROGRAMME_COLOURS[i % len(PROGRAMME_COLOURS)] for i, p in enumerate(programmes)}


def status_legend() -> LegendSection:
    """The legend of reporting statuses (ring of a marker, fill of a polygon).

    Examples
    --------
    >>> [e.label for e in status_legend().entries]
    ['gemeldet', 'verspätet', 'fehlt', 'ohne Meldestand']
    """
    return LegendSection(
        "Meldestand",
        tuple(LegendEntry(STATUS_COLOURS[s], s, "dot", None, s) for s in STATUS_COLOURS),
    )


def _programme_names(store: Store) -> dict[str, str]:
    token = tuple(store.change_token())
    frame = _RAW.get(
        (store.url, token, "programmes"), lambda: store.read("programmes", columns=["id", "name"])
    )
    return dict(zip(frame["id"], frame["name"]))


def national_map(
    store: Store,
    user: User,
    *,
    land: str | None = None,
    kreis: str | None = None,
    ags: str | None = None,
    programme: str | None = None,
    status: pd.DataFrame | None = None,
    width_px: int = 900,
    height_px: int = 620,
) -> NationalMap:
    """Compose the national map of a view; return it with its payload size.

    Parameters
    ----------
    store
        A store with areas of the levels Land, Kreis and Gemeinde (vintage 2021).
    user
        The acting user (needs ``read``).
    land, kreis, ags
        The selection: a Land (``"01"``), a Kreis (``"01001"``) or a municipality
        (``"01001000"``); the finest given decides the view.
    programme
        Only the Gesamtmaßnahmen of this programme id.
    status
        Reporting status per Gesamtmaßnahme: columns ``ags``, ``funding_area_id`` and
        ``status`` (one of :data:`REPORT_STATUSES`); others are „ohne Meldestand“.
    width_px, height_px
        Size of the map in screen pixels (the tolerance follows it: one pixel two zoom
        levels in from the view Leaflet frames, :func:`geo.generalise.framed_tolerance`).

    Returns
    -------
    NationalMap
        The folium map, its rendered size in bytes and what it holds.

    Raises
    ------
    monitoring.errors.PermissionDenied
        When the user may not read.
    monitoring.errors.RuleViolation
        For an unknown selection or a bad status frame.
    """
    require(user, "read")
    checked = check_status(status)
    view = national_view(
        store,
        land=land,
        kreis=kreis,
        ags=ags,
        programme=programme,
        width_px=width_px,
        height_px=height_px,
    )
    funding = read_funding_areas(store, view)
    names = _programme_names(store)
    present = sorted(set(funding["programme_id"].dropna()), key=lambda p: (p not in names, p))
    programme_order: list[str] = [p for p in names if p in present] + [
        p for p in present if p not in names
    ]
    colours = programme_colours(programme_order)
    status_of = (
        pd.Series(dtype=object)
        if checked is None
        else checked.drop_duplicates("funding_area_id").set_index("funding_area_id")["status"]
    )
    mapped = funding["id"].map(status_of).astype(object)
    shown_status = mapped.where(mapped.notna(), NO_STATUS)

    fmap = _frame_map(view)
    backdrop: dict[str, int] = {}
    if view.level in ("Bund", "Land"):
        parent = view.land
        for level in ("Kreis", "Land"):
            frame = _backdrop(store, level, parent=parent, tolerance=view.tolerance)
            _lines_layer(frame, level, view.decimals).add_to(fmap)
            backdrop[level] = len(frame)
    else:
        kreis_id = view.kreis or str(view.ags)[:5]
        frame = _backdrop(store, "Gemeinde", parent=kreis_id, tolerance=view.tolerance)
        _outline_layer(frame, "Gemeinde").add_to(fmap)
        backdrop["Gemeinde"] = len(frame)

    status_keys = list(STATUS_COLOURS)
    programme_section = LegendSection(
        "Gesamtmaßnahmen nach Programm",
        tuple(
            LegendEntry(colours[p], str(names.get(p, p)), "dot", None, p) for p in programme_order
        ),
    )
    points = polygons = 0
    if view.level in ("Bund", "Land"):
        town = _level_areas(store, "Gemeinde").set_index("id")["name"]
        data = compact_points(
            funding,
            fill=funding["programme_id"].map({p: i for i, p in enumerate(programme_order)}),
            ring=shown_status.map({s: i for i, s in enumerate(status_keys)}),
            place=funding["ags"].map(town).fillna(funding["ags"]),
            decimals=view.decimals,
        )
        CompactPoints(
            data,
            fills=[colours[p] for p in programme_order],
            rings=list(STATUS_COLOURS.values()),
            fill_labels=[str(names.get(p, p)) for p in programme_order],
            ring_labels=status_keys,
            name="Gesamtmaßnahmen",
        ).add_to(fmap)
        points = len(funding)
    else:
        shapes = generalise(funding, tolerance=view.tolerance).assign(
            meldestand=shown_status.to_numpy()
        )
        _funding_layer(shapes, colours, names).add_to(fmap)
        polygons = len(funding)
    legend = (programme_section, status_legend())
    Legend(list(legend)).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    payload = len(fmap.get_root().render().encode())
    return NationalMap(fmap, payload, view, points, polygons, backdrop, legend)


def _frame_map(view: NationalView) -> folium.Map:
    """An empty map fitted to the view (its bounds reprojected to WGS84)."""
    minx, miny, maxx, maxy = view.bounds
    box = gpd.GeoSeries.from_xy([minx, maxx], [miny, maxy], crs=view.crs).to_crs(WEB_CRS)
    return base_map(tuple(float(v) for v in box.total_bounds))  # type: ignore[arg-type]


def _lines_layer(frame: gpd.GeoDataFrame, level: str, decimals: int) -> CompactLines:
    style = {k: v for k, v in BACKDROP_STYLE[level].items() if k != "fill"}
    data = boundary_lines(frame.geometry.values, decimals=decimals)
    return CompactLines(data, style=style, name=BACKDROP_NAMES[level])


def _outline_layer(frame: gpd.GeoDataFrame, level: str) -> folium.GeoJson:
    style = BACKDROP_STYLE[level]
    web = frame.assign(name=frame["name"].map(escape_text))[["name", "geometry"]]
    return TopoGeoJson(
        web.to_geo_dict(drop_id=True, show_bbox=False),
        geometry=web.geometry.values,
        name=BACKDROP_NAMES[level],
        style_function=lambda _f, s=style: s,
        tooltip=folium.GeoJsonTooltip(["name"], aliases=[level], sticky=True, localize=False),
        zoom_on_click=False,
    )


def _funding_layer(
    shapes: gpd.GeoDataFrame, colours: dict[str, str], names: dict[str, str]
) -> folium.GeoJson:
    frame = pd.DataFrame(
        {
            "name": shapes["name"].map(escape_text),
            "programm": shapes["programme_id"].map(lambda p: escape_text(names.get(p, p))),
            "meldestand": shapes["meldestand"],
            "farbe": shapes["programme_id"].map(lambda p: colours.get(p, "#333333")),
            "rand": shapes["meldestand"].map(STATUS_COLOURS),
        }
    )
    web = gpd.GeoDataFrame(frame, geometry=shapes.geometry, crs=shapes.crs)
    return TopoGeoJson(
        web.to_geo_dict(drop_id=True, show_bbox=False),
        geometry=web.geometry.values,
        name="Gesamtmaßnahmen",
        # as the markers: fill by programme, ring (outline) by reporting status
        style_function=lambda f: {
            "color": f["properties"]["rand"],
            "weight": 2.5,
            "fillColor": f["properties"]["farbe"],
            "fillOpacity": 0.6,
        },
        tooltip=folium.GeoJsonTooltip(
            ["name", "programm", "meldestand"],
            aliases=["Gesamtmaßnahme", "Programm", "Meldestand"],
            sticky=True,
            localize=False,
        ),
        zoom_on_click=False,
    )


__all__ = [
    "NO_STATUS",
    "REPORT_STATUSES",
    "STATUS_COLOURS",
    "NationalMap",
    "NationalView",
    "cache_misses",
    "check_status",
    "clear_caches",
    "national_map",
    "national_view",
    "read_funding_areas",
    "status_legend",
]
