"""The map component: a folium map rendered once into what ``st_folium`` sends, and shown.

``st_folium`` (streamlit-folium) renders the folium map on every rerun, twice (the
figure, then the map again), compiles folium's and branca's Jinja templates for the
figure's elements and walks every GeoJSON coordinate for the map's bounds. None of it
depends on the session: :func:`rendered` does it once and returns the component's
arguments as plain data (script, header, html, links, bounds), which the page keeps in
the shared cache of :mod:`monitoring.maps.cache`; :func:`show` hands them to the same
component as ``st_folium`` does, with the same key, defaults and return value, so the
browser gets exactly what ``st_folium(fmap)`` would send
(``tests/app/test_karte_cache.py`` compares both).

It uses streamlit-folium's module functions (``_get_html``, ``_get_header``,
``_get_map_string``, ``_component_func``); the test above fails when a new version
changes what they produce.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import branca.colormap
import folium
import folium.elements
import streamlit as st
import streamlit_folium as sf

Payload = dict[str, Any]


def rendered(fmap: folium.Map) -> Payload:
    """Return what ``st_folium`` sends for ``fmap`` (rendered once; ``fmap`` is used up)."""
    fmap.get_root().render()
    html = sf._get_html(fmap)
    header = sf._get_header(fmap)
    script = sf._get_map_string(fmap)
    map_id = sf.get_full_id(fmap)
    southwest, northeast = fmap.get_bounds()
    css: list[str] = []
    js: list[str] = []
    for element in _walk(fmap):
        if isinstance(element, branca.colormap.ColorMap):  # ui.assets refuses them anyway
            raise ValueError("branca colormaps load d3 from a CDN")
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
    return {
        "script": script,
        "header": header,
        "html": html,
        "id": map_id,
        "bounds": {
            "_southWest": {"lat": southwest[0], "lng": southwest[1]},
            "_northEast": {"lat": northeast[0], "lng": northeast[1]},
        },
        "zoom": fmap.options.get("zoom"),
        "css_links": list(dict.fromkeys(css)),
        "js_links": list(dict.fromkeys(js)),
    }


def _walk(element: Any) -> Any:
    if isinstance(element, (branca.colormap.ColorMap, folium.elements.JSCSSMixin)):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def show(
    payload: Payload,
    *,
    key: str,
    height: int,
    returned_objects: Sequence[str],
    use_container_width: bool = True,
    width: int | None = 500,
) -> Any:
    """Show a rendered map; return what ``st_folium`` returns (the user's interaction)."""
    defaults_all: dict[str, Any] = {
        "last_clicked": None,
        "last_object_clicked": None,
        "last_object_clicked_count": None,
        "last_object_clicked_tooltip": None,
        "last_object_clicked_popup": None,
        "all_drawings": None,
        "last_active_drawing": None,
        "bounds": payload["bounds"],
        "zoom": payload["zoom"],
        "last_circle_radius": None,
        "last_circle_polygon": None,
        "selected_layers": None,
        "selected_tags": None,
        "last_geocoder_result": None,
    }
    defaults = {k: v for k, v in defaults_all.items() if k in returned_objects}
    hash_key = sf.generate_js_hash(payload["script"], key, False)

    def on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    return sf._component_func(
        script=payload["script"],
        header=payload["header"],
        html=payload["html"],
        id=payload["id"],
        key=hash_key,
        height=height,
        width=None if use_container_width else width,
        returned_objects=list(returned_objects),
        default=defaults,
        zoom=None,
        center=None,
        feature_group=None,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=payload["css_links"],
        js_links=payload["js_links"],
        on_change=on_change,
        wrap_longitude=False,
    )
