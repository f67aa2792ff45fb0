"""Local copies of the map's scripts and stylesheets (the app runs without internet).

folium elements list the scripts and stylesheets they need as ``default_js`` and
``default_css`` (name, CDN URL); streamlit-folium hands those URLs to its component,
which loads them in the browser. :func:`localize` rewrites them to the copies that
``scripts/vendor_assets.sh`` installs from the npm registry into ``static/vendor/``,
which Streamlit serves at ``/app/static/vendor/`` (``server.enableStaticServing``).
A resource this module does not know is an error, so a new folium plugin cannot
quietly bring a CDN link back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import branca.colormap
import folium
from branca.element import Element
from folium.elements import JSCSSMixin

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
STATIC_URL = "/app/static/vendor"

#: folium resource name -> file under static/vendor/, or None when the map does not
#: need it (bootstrap 3 glyphicons and folium's rotate CSS serve only folium.Icon
#: glyphs, which our maps do not use; there is no npm package of either).
ASSETS: dict[str, str | None] = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "jquery": "jquery/jquery.min.js",
    "bootstrap": "bootstrap/bootstrap.bundle.min.js",
    "bootstrap_css": "bootstrap/bootstrap.min.css",
    "awesome_markers": "awesome-markers/leaflet.awesome-markers.js",
    "awesome_markers_css": "awesome-markers/leaflet.awesome-markers.css",
    "awesome_markers_font_css": "fontawesome/css/all.min.css",
    "markerclusterjs": "markercluster/leaflet.markercluster.js",
    "markerclustercss": "markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "markercluster/MarkerCluster.Default.css",
    "leaflet_draw_js": "leaflet-draw/leaflet.draw.js",
    "leaflet_draw_css": "leaflet-draw/leaflet.draw.css",
    "glyphicons_css": None,
    "awesome_rotate_css": None,
}


class AssetError(RuntimeError):
    """A map resource without a local copy (a CDN link would reach the browser)."""


def _elements(element: Element) -> Iterator[Element]:
    """Yield the element and all its descendants."""
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _elements(child)


def _local(pairs: list[tuple[str, str]], base_url: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, url in pairs:
        if name not in ASSETS:
            raise AssetError(
                f"the map needs {name!r} ({url}), which has no local copy; add it to "
                "scripts/vendor/package.json and ui/assets.ASSETS, or drop the element"
            )
        path = ASSETS[name]
        if path is not None:
            out.append((name, f"{base_url}/{path}"))
    return out


def localize(fmap: folium.Map, *, base_url: str = STATIC_URL) -> folium.Map:
    """Point every script and stylesheet of ``fmap`` at the app's own copies.

    The lists are replaced on the element instances (the classes keep folium's
    defaults). Returns the same map.

    Raises
    ------
    AssetError
        For a resource without a local copy, and for branca colormaps (they pull d3
        from a CDN; use :class:`geo.webmap.Legend` instead).
    """
    for element in _elements(fmap):
        if isinstance(element, branca.colormap.ColorMap):
            raise AssetError("branca colormaps load d3 from a CDN; use geo.webmap.Legend")
        if isinstance(element, JSCSSMixin):
            element.default_js = _local(list(element.default_js), base_url)
            element.default_css = _local(list(element.default_css), base_url)
        elif hasattr(element, "default_js") or hasattr(element, "default_css"):
            # streamlit-folium loads the default_js of any element; only folium's mixin
            # is known to keep them in these two lists
            raise AssetError(
                f"map element {type(element).__name__} lists scripts or stylesheets but is "
                "not a folium JSCSSMixin, so they cannot be pointed at local copies; "
                "derive it from folium.elements.JSCSSMixin or drop the element"
            )
    return fmap


def missing_files() -> list[str]:
    """Return the vendored files that are not installed (run scripts/vendor_assets.sh)."""
    return sorted(p for p in ASSETS.values() if p is not None and not (VENDOR_DIR / p).is_file())
