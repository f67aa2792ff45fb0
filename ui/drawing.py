"""Zeichnen auf der Karte: ein Punkt, eine Linie oder eine Fläche, im Speicher-KBS zurück.

:func:`drawing_map` baut die Karte (rein, getestet): die Draw-Erweiterung von folium
(Leaflet.draw, lokal ausgeliefert, siehe :mod:`ui.assets`) mit nur den erlaubten
Werkzeugen, eine vorhandene Geometrie als bearbeitbares Objekt und auf Wunsch
Umrisse zur Orientierung. :func:`draw_geometry` zeigt sie mit ``st_folium`` und gibt
die zuletzt gezeichnete oder bearbeitete Geometrie zurück, umgerechnet von WGS84
(so liefert sie der Browser) in das Koordinatensystem des Datenbestands.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import shapely
from branca.element import MacroElement
from jinja2 import Template
from pyproj import CRS, Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.webmap import base_map

Kind = Literal["point", "line", "polygon"]
KINDS: tuple[str, ...] = ("point", "line", "polygon")
KIND_LABELS: Mapping[str, str] = {"point": "Punkt", "line": "Linie", "polygon": "Fläche"}
_TOOLS = {"point": "marker", "line": "polyline", "polygon": "polygon"}
_GEOJSON_KINDS = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
}
WGS84 = "EPSG:4326"

#: The texts of the drawing tools (Leaflet.draw's ``L.drawLocal``, English by default):
#: the buttons, their actions and the hints next to the mouse, in German.
DRAW_TEXTS: dict[str, Any] = {
    "draw": {
        "toolbar": {
            "actions": {"title": "Zeichnen abbrechen", "text": "Abbrechen"},
            "finish": {"title": "Zeichnen beenden", "text": "Fertig"},
            "undo": {"title": "Zuletzt gesetzten Punkt löschen", "text": "Letzten Punkt löschen"},
            "buttons": {
                "polyline": "Linie zeichnen",
                "polygon": "Fläche zeichnen",
                "rectangle": "Rechteck zeichnen",
                "circle": "Kreis zeichnen",
                "marker": "Punkt setzen",
                "circlemarker": "Kreispunkt setzen",
            },
        },
        "handlers": {
            "circle": {
                "tooltip": {"start": "Klicken und ziehen, um einen Kreis zu zeichnen."},
                "radius": "Radius",
            },
            "circlemarker": {
                "tooltip": {"start": "Klicken Sie in die Karte, um den Punkt zu setzen."}
            },
            "marker": {"tooltip": {"start": "Klicken Sie in die Karte, um den Punkt zu setzen."}},
            "polygon": {
                "tooltip": {
                    "start": "Klicken Sie, um mit der Fläche zu beginnen.",
                    "cont": "Klicken Sie, um den nächsten Eckpunkt zu setzen.",
                    "end": "Klicken Sie auf den ersten Punkt, um die Fläche zu schließen.",
                }
            },
            "polyline": {
                "error": "<strong>Fehler:</strong> Die Linien dürfen sich nicht kreuzen.",
                "tooltip": {
                    "start": "Klicken Sie, um mit der Linie zu beginnen.",
                    "cont": "Klicken Sie, um den nächsten Punkt zu setzen.",
                    "end": "Klicken Sie auf den letzten Punkt, um die Linie zu beenden.",
                },
            },
            "rectangle": {"tooltip": {"start": "Klicken und ziehen, um ein Rechteck zu zeichnen."}},
            "simpleshape": {"tooltip": {"end": "Maustaste loslassen, um fertig zu zeichnen."}},
        },
    },
    "edit": {
        "toolbar": {
            "actions": {
                "save": {"title": "Änderungen übernehmen", "text": "Übernehmen"},
                "cancel": {
                    "title": "Bearbeiten abbrechen, Änderungen verwerfen",
                    "text": "Abbrechen",
                },
                "clearAll": {"title": "Alles entfernen", "text": "Alles entfernen"},
            },
            "buttons": {
                "edit": "Zeichnung bearbeiten",
                "editDisabled": "Nichts zu bearbeiten",
                "remove": "Zeichnung entfernen",
                "removeDisabled": "Nichts zu entfernen",
            },
        },
        "handlers": {
            "edit": {
                "tooltip": {
                    "text": "Ziehen Sie die Eckpunkte oder den Punkt, um die Lage zu ändern.",
                    "subtext": "„Abbrechen“ verwirft die Änderungen.",
                }
            },
            "remove": {"tooltip": {"text": "Klicken Sie auf eine Zeichnung, um sie zu entfernen."}},
        },
    },
}


class GermanDrawTexts(MacroElement):
    """Sets Leaflet.draw's texts (``L.drawLocal``) to :data:`DRAW_TEXTS` before the tools
    are built (add it to the map before the ``Draw`` control)."""

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "(function merge(into, texts) {\n"
        "  for (var k in texts) {\n"
        "    if (typeof texts[k] === 'object') { merge(into[k] = into[k] || {}, texts[k]); }\n"
        "    else { into[k] = texts[k]; }\n"
        "  }\n"
        "})(L.drawLocal, {{ this.texts }});\n"
        "{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "GermanDrawTexts"
        self.texts = json.dumps(DRAW_TEXTS, ensure_ascii=False)


_STYLE: dict[str, Any] = {"color": "#d9480f", "weight": 4, "fillOpacity": 0.25}


def _check_kinds(kinds: Sequence[str]) -> tuple[str, ...]:
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise ValueError(f"kinds {list(kinds)!r}: allowed are one or more of {', '.join(KINDS)}")
    return tuple(kinds)


def _to(geom: BaseGeometry, source: Any, target: Any) -> BaseGeometry:
    """Return ``geom`` reprojected from ``source`` to ``target`` (x/y order, as GeoJSON)."""
    if CRS.from_user_input(source) == CRS.from_user_input(target):
        return geom
    transformer = Transformer.from_crs(source, target, always_xy=True)
    return shapely.transform(geom, lambda xy: _stack(transformer.transform(xy[:, 0], xy[:, 1])))


def _stack(xy: tuple[Any, Any]) -> Any:
    return np.column_stack(xy)


def _editable_parts(geom: BaseGeometry) -> list[folium.Marker | folium.PolyLine | folium.Polygon]:
    """Return the parts of a WGS84 geometry as Leaflet objects Leaflet.draw can edit."""
    out: list[folium.Marker | folium.PolyLine | folium.Polygon] = []
    for part in getattr(geom, "geoms", [geom]):
        if part.is_empty:
            continue
        if part.geom_type == "Point":
            out.append(folium.Marker([part.y, part.x]))
        elif part.geom_type == "LineString":
            out.append(folium.PolyLine([(y, x) for x, y in part.coords], **_STYLE))
        elif part.geom_type == "Polygon":
            ring = [(y, x) for x, y in list(part.exterior.coords)[:-1]]
            out.append(folium.Polygon(ring, **_STYLE))
    return out


def drawing_map(
    *,
    kinds: Sequence[str],
    existing: BaseGeometry | None = None,
    context: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """Return a map to draw one geometry of ``kinds`` on (all in WGS84).

    Parameters
    ----------
    kinds
        The tools offered: ``point``, ``line``, ``polygon``.
    existing
        A geometry (WGS84) shown as editable object: moving its vertices or the
        marker edits it.
    context
        Outlines shown for orientation (e.g. the funding areas), WGS84; not editable.
        The map is fitted to ``existing``, else to the context.

    Raises
    ------
    ValueError
        For an unknown kind.

    Examples
    --------
    >>> m = drawing_map(kinds=["point", "polygon"])
    >>> draw = [c for c in m._children.values() if type(c).__name__ == "Draw"][0]
    >>> sorted(k for k, v in draw.draw_options.items() if v is not False)
    ['marker', 'polygon']

    The tools speak German: their texts are set before the tools are built.

    >>> page = m.get_root().render()
    >>> page.index("Fläche zeichnen") < page.index("new L.Control.Draw")
    True
    """
    allowed = _check_kinds(kinds)
    bounds = None
    if existing is not None and not existing.is_empty:
        minx, miny, maxx, maxy = existing.bounds
        pad = 0.002
        bounds = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    elif context is not None and len(context):
        bounds = tuple(context.total_bounds)
    fmap = base_map(bounds)  # type: ignore[arg-type]
    if context is not None and len(context):
        folium.GeoJson(
            context[[context.geometry.name]].__geo_interface__,
            name="Orientierung",
            style_function=lambda _: {"color": "#1c7ed6", "weight": 2, "fillOpacity": 0.05},
            interactive=False,
        ).add_to(fmap)
    drawn = folium.FeatureGroup(name="Gezeichnet")
    if existing is not None:
        for part in _editable_parts(existing):
            part.add_to(drawn)
    drawn.add_to(fmap)
    tools: dict[str, Any] = {tool: False for tool in ("rectangle", "circle", "circlemarker")}
    for kind, tool in _TOOLS.items():
        tools[tool] = {"shapeOptions": _STYLE} if kind in allowed and tool != "marker" else False
        if kind in allowed and tool == "marker":
            tools[tool] = {}
    GermanDrawTexts().add_to(fmap)  # before the tools, which read their texts when built
    folium.plugins.Draw(
        feature_group=drawn,
        draw_options=tools,
        edit_options={"edit": {}, "remove": {}},
        show_geometry_on_click=False,
    ).add_to(fmap)
    return fmap


def drawn_geometry(
    features: Sequence[Mapping[str, Any]] | None, *, kinds: Sequence[str], store_crs: Any
) -> BaseGeometry | None:
    """Return the last drawn feature (GeoJSON, WGS84) in ``store_crs``; None when there is none.

    Features of a kind not in ``kinds`` are passed over.

    Examples
    --------
    >>> feature = {"type": "Feature", "properties": {},
    ...            "geometry": {"type": "Point", "coordinates": [9.0, 51.0]}}
    >>> p = drawn_geometry([feature], kinds=["point"], store_crs="EPSG:25832")
    >>> round(p.x), round(p.y)
    (500000, 5649825)
    >>> drawn_geometry([], kinds=["point"], store_crs="EPSG:25832") is None
    True
    """
    allowed = _check_kinds(kinds)
    for feature in reversed(list(features or [])):
        geometry = feature.get("geometry") if isinstance(feature, Mapping) else None
        if not geometry or _GEOJSON_KINDS.get(str(geometry.get("type"))) not in allowed:
            continue
        geom = shape(geometry)
        if geom.is_empty:
            continue
        return _to(geom, WGS84, store_crs)
    return None


def draw_geometry(
    key: str,
    *,
    kinds: Sequence[str],
    existing: BaseGeometry | None = None,
    store_crs: Any,
    context: gpd.GeoDataFrame | None = None,
    height: int = 420,
) -> BaseGeometry | None:
    """Show a map to draw a point, line or polygon; return what was drawn, in ``store_crs``.

    Parameters
    ----------
    key
        The widget key; give a new key (e.g. with the record's version) after saving.
    kinds
        Tools offered: ``point``, ``line``, ``polygon``.
    existing
        The record's geometry in ``store_crs``, shown editable (None: nothing yet).
    store_crs
        The storage CRS of the store (``store.crs``).
    context
        Outlines for orientation, in any CRS (e.g. the funding areas).

    Returns
    -------
    shapely geometry or None
        The last drawn or edited geometry; None while nothing was drawn or changed.
    """
    import streamlit as st
    from streamlit_folium import st_folium

    from ui import assets
    from ui.common import static_url

    shown = _to(existing, store_crs, WGS84) if existing is not None else None
    frame = context.to_crs(WGS84) if context is not None and context.crs is not None else None
    fmap = assets.localize(
        drawing_map(kinds=kinds, existing=shown, context=frame), base_url=static_url()
    )
    labels = ", ".join(KIND_LABELS[k] for k in kinds)
    st.caption(
        f"Zeichnen Sie mit den Werkzeugen links oben ({labels}). Zum Verschieben eine neue "
        "Geometrie zeichnen oder die vorhandene mit dem Bearbeiten-Werkzeug ändern."
    )
    out = st_folium(
        fmap, key=key, height=height, use_container_width=True, returned_objects=["all_drawings"]
    )
    return drawn_geometry((out or {}).get("all_drawings"), kinds=kinds, store_crs=store_crs)
