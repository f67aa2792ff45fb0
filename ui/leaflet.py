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

**Layers as files.** The GeoJSON collections of a map are 98 % of its script (Berlin:
areas 0.76 MB, measures 0.46 MB, funding areas 0.06 MB). :func:`split_layers` moves each
large one into a file named by the SHA-256 of its text under ``static/layers/``, which
Streamlit serves next to the vendored scripts (``server.enableStaticServing``); the script
refers to it (``window.qmonLayers[…]``) and lists the file among its ``js_links``, which
the component loads before it runs the script. So the websocket carries a script of about
20 KB, and when a filter changes only the measures, the browser keeps the areas' file
(same name, same content) and fetches only the new measures. The files are derived data:
written when a map is shown and missing (:func:`show`), at most :data:`MAX_LAYER_FILES`
kept (the oldest go first), rebuilt on demand. Their names are unguessable without the
content; like the vendored scripts they are served without a login, so whoever holds a
file's address (a shared browser cache, a proxy log) can read that layer. If the folder
cannot be written, the layers go inline into the script as before.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import branca.colormap
import folium
import folium.elements
import streamlit as st
import streamlit_folium as sf

from ui.assets import STATIC_DIR

LOG = logging.getLogger(__name__)
Payload = dict[str, Any]
#: where the layer files are written; served at ``<static url>/layers/``
LAYER_DIR = STATIC_DIR / "layers"
#: GeoJSON collections larger than this (characters) go into a file of their own
MIN_LAYER_CHARS = 20_000
#: layer files kept at most (the oldest are deleted first)
MAX_LAYER_FILES = 400
#: the modification time of every layer file (2001-01-01): see :func:`write_layers`
IMMUTABLE_SINCE = 978_307_200
#: where a JSON object literal may start: GeoJSON collections, and the compact layers'
#: properties and topology (geo.webmap.TopoGeoJson); only the large ones become files
_COLLECTION = re.compile(r'\{"')
_REFERENCE = 'window.qmonLayers["{}"]'


def split_layers(payload: Payload, *, base_url: str) -> Payload:
    """Return ``payload`` with its large JSON literals (layer data) moved into layer files.

    ``base_url`` is the URL path of the vendored assets (``…/static/vendor``); the layer
    files are served beside it at ``…/static/layers/<sha256>.js``. The returned payload
    keeps the files' texts under ``"layers"`` (sha -> JavaScript) so that another app
    server can write them from the shared cache; :func:`show` writes missing ones.
    """
    script = payload["script"]
    decoder = json.JSONDecoder()
    parts: list[str] = []
    layers: dict[str, str] = {}
    pos = 0
    for match in _COLLECTION.finditer(script):
        if match.start() < pos:
            continue
        try:
            _, end = decoder.raw_decode(script, match.start())
        except ValueError:
            continue
        text = script[match.start() : end]
        if len(text) < MIN_LAYER_CHARS:
            continue
        sha = hashlib.sha256(text.encode()).hexdigest()
        layers[sha] = (
            f"(window.qmonLayers = window.qmonLayers || {{}})[{json.dumps(sha)}] = {text};\n"
        )
        parts += [script[pos : match.start()], _REFERENCE.format(sha)]
        pos = end
    parts.append(script[pos:])
    root = base_url.rstrip("/").rsplit("/", 1)[0] + "/layers"
    return {
        **payload,
        "script": "".join(parts),
        "js_links": [*payload["js_links"], *(f"{root}/{sha}.js" for sha in layers)],
        "layers": layers,
    }


def inline_layers(payload: Payload) -> Payload:
    """Return ``payload`` with its layer files put back into the script (one message)."""
    layers: dict[str, str] = payload.get("layers") or {}
    script = payload["script"]
    for sha, text in layers.items():
        literal = text.split(" = ", 2)[-1].rstrip().removesuffix(";")
        script = script.replace(_REFERENCE.format(sha), literal)
    links = [link for link in payload["js_links"] if not _is_layer_link(link, layers)]
    return {**payload, "script": script, "js_links": links, "layers": {}}


def full_script(script: str, js_links: Sequence[str], *, folder: Path = LAYER_DIR) -> str:
    """Return a sent script with its layer files put back in (what the browser runs)."""
    layers = {}
    for link in js_links:
        if "/layers/" in link:
            sha = link.rsplit("/", 1)[-1].removesuffix(".js")
            layers[sha] = (folder / f"{sha}.js").read_text(encoding="utf-8")
    payload = {"script": script, "js_links": list(js_links), "layers": layers}
    return str(inline_layers(payload)["script"])


def _is_layer_link(link: str, layers: dict[str, str]) -> bool:
    return "/layers/" in link and link.rsplit("/", 1)[-1].removesuffix(".js") in layers


def write_layers(layers: dict[str, str], *, folder: Path = LAYER_DIR) -> bool:
    """Write the layer files that are missing; False when the folder cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        wrote = False
        for sha, text in layers.items():
            path = folder / f"{sha}.js"
            if path.exists():
                continue
            part = folder / f".{sha}.{os.getpid()}.tmp"
            part.write_text(text, encoding="utf-8")
            # the content never changes under its name: an old Last-Modified lets the
            # browser keep the file (heuristic freshness, 10 % of its age), since
            # Streamlit's static files carry no Cache-Control
            os.utime(part, (IMMUTABLE_SINCE, IMMUTABLE_SINCE))
            os.replace(part, path)
            wrote = True
        if wrote:
            _prune(folder, keep=set(layers))
        return True
    except OSError as exc:
        LOG.warning("map layers not written to %s (sent inline): %s", folder, exc)
        return False


def _prune(folder: Path, *, keep: set[str]) -> None:
    files = sorted(folder.glob("*.js"), key=lambda p: p.stat().st_ctime)  # when written
    for path in files[: max(0, len(files) - MAX_LAYER_FILES)]:
        if path.stem not in keep:
            path.unlink(missing_ok=True)


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
    """Show a rendered map; return what ``st_folium`` returns (the user's interaction).

    Layer files of the payload (:func:`split_layers`) are written first where missing;
    if they cannot be, the layers are sent inline.
    """
    if payload.get("layers") and not write_layers(payload["layers"], folder=LAYER_DIR):
        payload = inline_layers(payload)
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
