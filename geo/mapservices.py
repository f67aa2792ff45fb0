"""The city's own map services: WMS, WMTS and XYZ layers configured in a TOML file.

A city lists its services (basemap, aerial photographs by year, land-use plan,
Bebauungspläne …) in a file named by ``QMON_MAP_SERVICES``, one ``[[map.layer]]``
table per layer (see ``docs/kartendienste.example.toml``). :func:`parse_map_services`
validates the text once, with German messages that name the file, the entry and the
fix; :func:`with_basemap` adds the background of ``QMON_BASEMAP`` as one more entry.
:func:`add_map_services` puts the layers on a folium map: backgrounds are exclusive
(radio buttons, "ohne Hintergrund" included), overlays are switched one by one
(checkboxes), each with its attribution, and :class:`FeatureInfo` answers a click on
a visible WMS overlay with its GetFeatureInfo response in a popup. The user's choice of
background and overlays is kept in the browser tab (:class:`RememberChoice`), so that
it survives the redraws of the map after a click or a filter change.

Nothing is needed from any service for the map to work: without a configuration the
map is what it was, and a service that does not answer leaves empty tiles, no error.

Everything here is pure apart from :func:`load_map_services`, which reads the file.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import folium
from branca.element import MacroElement
from folium.template import Template

from geo.errors import WebMapError

Kind = Literal["wms", "wmts", "xyz"]
KINDS: tuple[str, ...] = ("wms", "wmts", "xyz")
Group = Literal["Hintergrund", "Überlagerung"]
GROUPS: tuple[str, ...] = ("Hintergrund", "Überlagerung")
INFO_FORMATS: tuple[str, ...] = ("text/html", "text/plain", "application/json")
IMAGE_FORMATS: tuple[str, ...] = ("image/png", "image/jpeg", "image/png8", "image/gif")
#: The keys of one ``[[map.layer]]`` table; any other key is a typo and refused.
KEYS: tuple[str, ...] = (
    "id",
    "title",
    "kind",
    "url",
    "group",
    "layers",
    "styles",
    "format",
    "transparent",
    "attribution",
    "year",
    "visible",
    "opacity",
    "featureinfo",
    "info_format",
)
#: The WMS version of GetMap and GetFeatureInfo (CRS=EPSG:3857, I/J).
WMS_VERSION = "1.3.0"
#: Label of the background choice that shows no background map.
NO_BACKGROUND = "ohne Hintergrund"
#: The id under which the browser remembers "ohne Hintergrund" (no configured id is empty).
NO_BACKGROUND_ID = ""
#: The ``sessionStorage`` key of the user's choice of background and overlays.
CHOICE_KEY = "qmon.kartendienste"
#: Title of the background that ``QMON_BASEMAP`` names.
BASEMAP_TITLE = "Hintergrundkarte"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_WMTS = (("{TileMatrix}", "{z}"), ("{TileCol}", "{x}"), ("{TileRow}", "{y}"))


@dataclass(frozen=True)
class MapService:
    """One configured layer of a map service.

    ``url`` of an ``xyz``/``wmts`` layer is a tile template with ``{z}``, ``{x}``,
    ``{y}`` (WMTS REST templates are rewritten to these); of a ``wms`` layer the
    service address, ``layers`` naming its layers.
    """

    id: str
    title: str
    kind: Kind
    url: str
    group: Group
    layers: str = ""
    styles: str = ""
    format: str = "image/png"
    transparent: bool = False
    attribution: str = ""
    year: int | None = None
    visible: bool = False
    opacity: float = 1.0
    featureinfo: bool = False
    info_format: str = "text/html"

    @property
    def label(self) -> str:
        """The name in the layer control: the title, with the year unless it says it."""
        if self.year is not None and str(self.year) not in self.title:
            return f"{self.title} {self.year}"
        return self.title

    @property
    def background(self) -> bool:
        return self.group == "Hintergrund"


@dataclass(frozen=True)
class MapServices:
    """The configured layers in the order of the file (``source`` names it)."""

    services: tuple[MapService, ...] = ()
    source: str = ""

    @property
    def backgrounds(self) -> tuple[MapService, ...]:
        return tuple(s for s in self.services if s.background)

    @property
    def overlays(self) -> tuple[MapService, ...]:
        return tuple(s for s in self.services if not s.background)

    def __bool__(self) -> bool:
        return bool(self.services)


NO_SERVICES = MapServices()


# --- parsing ---------------------------------------------------------------------------


def _entry_name(number: int, raw: Mapping[str, Any]) -> str:
    """How a message names an entry: its number, and its id when it has one."""
    ident = raw.get("id")
    return f"Nr. {number} ({ident!r})" if isinstance(ident, str) and ident else f"Nr. {number}"


def _text(raw: Mapping[str, Any], key: str, *, file: str, entry: str) -> str | None:
    """The text under ``key``, None when absent; anything else than text is refused."""
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise WebMapError(
            code="mapservices.type", file=file, entry=entry, key=key, value=value, expected="Text"
        )
    return value.strip()


def _flag(raw: Mapping[str, Any], key: str, default: bool, *, file: str, entry: str) -> bool:
    """The truth value under ``key`` (TOML ``true``/``false``)."""
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise WebMapError(
            code="mapservices.type",
            file=file,
            entry=entry,
            key=key,
            value=value,
            expected="true oder false",
        )
    return value


def _required(raw: Mapping[str, Any], key: str, fix: str, *, file: str, entry: str) -> str:
    """The non-empty text under ``key``."""
    value = _text(raw, key, file=file, entry=entry)
    if not value:
        raise WebMapError(code="mapservices.missing", file=file, entry=entry, key=key, fix=fix)
    return value


def _choice(value: str, allowed: tuple[str, ...], key: str, *, file: str, entry: str) -> str:
    """``value`` when it is one of ``allowed`` (case does not matter, nor ue for ü)."""
    for option in allowed:
        if value.casefold().replace("ue", "ü") == option.casefold().replace("ue", "ü"):
            return option
    raise WebMapError(
        code="mapservices.choice",
        file=file,
        entry=entry,
        key=key,
        value=value,
        allowed=", ".join(allowed),
    )


def _service(raw: Any, number: int, *, file: str) -> MapService:
    """Validate one ``[[map.layer]]`` table."""
    if not isinstance(raw, Mapping):
        raise WebMapError(code="mapservices.not_list", file=file)
    entry = _entry_name(number, raw)
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise WebMapError(
            code="mapservices.unknown_keys",
            file=file,
            entry=entry,
            keys=", ".join(unknown),
            allowed=", ".join(KEYS),
        )
    ident = _required(raw, "id", 'id = "luftbild-2023"', file=file, entry=entry)
    if not _ID.match(ident):
        raise WebMapError(code="mapservices.bad_id", file=file, entry=entry, value=ident)
    title = _required(raw, "title", 'title = "Luftbild"', file=file, entry=entry)
    kind = _choice(
        _required(raw, "kind", 'kind = "wms"', file=file, entry=entry),
        KINDS,
        "kind",
        file=file,
        entry=entry,
    )
    group = _choice(
        _required(raw, "group", 'group = "Überlagerung"', file=file, entry=entry),
        GROUPS,
        "group",
        file=file,
        entry=entry,
    )
    url = _required(raw, "url", 'url = "https://geodienste.stadt.de/wms"', file=file, entry=entry)
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise WebMapError(code="mapservices.url", file=file, entry=entry, value=url)
    layers = _text(raw, "layers", file=file, entry=entry) or ""
    if kind == "wms":
        if not layers:
            raise WebMapError(
                code="mapservices.missing",
                file=file,
                entry=entry,
                key="layers",
                fix='layers = "NAME" mit den Namen aus den GetCapabilities des Dienstes',
            )
    else:
        for old, new in _WMTS:
            url = url.replace(old, new)
        if not all(p in url for p in ("{z}", "{x}", "{y}")):
            raise WebMapError(code="mapservices.template", file=file, entry=entry, value=url)
    background = group == "Hintergrund"
    fmt = _choice(
        _text(raw, "format", file=file, entry=entry) or "image/png",
        IMAGE_FORMATS,
        "format",
        file=file,
        entry=entry,
    )
    year = raw.get("year")
    if year is not None and (
        isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100
    ):
        raise WebMapError(
            code="mapservices.type",
            file=file,
            entry=entry,
            key="year",
            value=year,
            expected="eine Jahreszahl wie 2023",
        )
    opacity = raw.get("opacity", 1.0)
    if (
        isinstance(opacity, bool)
        or not isinstance(opacity, (int, float))
        or not 0.0 <= opacity <= 1.0
    ):
        raise WebMapError(
            code="mapservices.type",
            file=file,
            entry=entry,
            key="opacity",
            value=opacity,
            expected="eine Zahl von 0 (durchsichtig) bis 1 (deckend), z. B. 0.7",
        )
    featureinfo = _flag(raw, "featureinfo", False, file=file, entry=entry)
    if featureinfo and kind != "wms":
        raise WebMapError(code="mapservices.featureinfo_kind", file=file, entry=entry, kind=kind)
    info_format = _choice(
        _text(raw, "info_format", file=file, entry=entry) or "text/html",
        INFO_FORMATS,
        "info_format",
        file=file,
        entry=entry,
    )
    return MapService(
        id=ident,
        title=title,
        kind=kind,  # type: ignore[arg-type]
        url=url,
        group=group,  # type: ignore[arg-type]
        layers=layers,
        styles=_text(raw, "styles", file=file, entry=entry) or "",
        format=fmt,
        transparent=_flag(raw, "transparent", not background, file=file, entry=entry),
        attribution=_text(raw, "attribution", file=file, entry=entry) or "",
        year=year,
        visible=_flag(raw, "visible", False, file=file, entry=entry),
        opacity=float(opacity),
        featureinfo=featureinfo,
        info_format=info_format,
    )


def _checked(services: tuple[MapService, ...], *, file: str) -> MapServices:
    """Refuse repeated ids and more than one visible background."""
    seen: set[str] = set()
    for service in services:
        if service.id in seen:
            raise WebMapError(code="mapservices.duplicate_id", file=file, value=service.id)
        seen.add(service.id)
    shown = [s.id for s in services if s.background and s.visible]
    if len(shown) > 1:
        raise WebMapError(code="mapservices.two_backgrounds", file=file, ids=", ".join(shown))
    return MapServices(services, source=file)


def parse_map_services(text: str, *, source: str) -> MapServices:
    """Return the map services of a TOML text (the ``[[map.layer]]`` tables).

    Parameters
    ----------
    text
        TOML with a ``[map]`` table holding a list ``layer`` of tables with the keys
        of :data:`KEYS`; ``id``, ``title``, ``kind``, ``group`` and ``url`` are needed,
        ``layers`` for a WMS.
    source
        The file the text comes from (named in every message).

    Raises
    ------
    WebMapError
        For invalid TOML, a missing or unknown key, a value that is not allowed, a
        repeated id or more than one background with ``visible = true``.

    Examples
    --------
    >>> s = parse_map_services('''
    ... [[map.layer]]
    ... id = "fnp"
    ... title = "Flächennutzungsplan"
    ... kind = "wms"
    ... group = "Überlagerung"
    ... url = "https://geodienste.stadt.de/fnp"
    ... layers = "fnp"
    ... featureinfo = true
    ... ''', source="karte.toml")
    >>> s.overlays[0].label, s.overlays[0].transparent, s.backgrounds
    ('Flächennutzungsplan', True, ())
    >>> parse_map_services('[[map.layer]]\\nid = "x"', source="karte.toml")
    Traceback (most recent call last):
    ...
    geo.errors.WebMapError: Kartendienste karte.toml, Eintrag Nr. 1 ('x'): es fehlt title; \
schreiben Sie z. B. title = "Luftbild"
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WebMapError(code="mapservices.not_toml", file=source, detail=str(exc)) from exc
    section = data.get("map", {})
    if not isinstance(section, Mapping):
        raise WebMapError(code="mapservices.not_list", file=source)
    unknown = sorted(set(data) - {"map"}) + sorted(set(section) - {"layer"})
    if unknown:
        raise WebMapError(code="mapservices.unknown_tables", file=source, keys=", ".join(unknown))
    entries = section.get("layer", [])
    if not isinstance(entries, list):
        raise WebMapError(code="mapservices.not_list", file=source)
    services = tuple(_service(raw, n, file=source) for n, raw in enumerate(entries, start=1))
    return _checked(services, file=source)


def load_map_services(path: str | Path) -> MapServices:
    """Read and validate the file of map services (``QMON_MAP_SERVICES``).

    Raises
    ------
    WebMapError
        When the file is missing or unreadable, or its content is not valid (see
        :func:`parse_map_services`).
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise WebMapError(code="mapservices.missing_file", file=str(file)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise WebMapError(code="mapservices.unreadable", file=str(file), detail=str(exc)) from exc
    return parse_map_services(text, source=str(file))


def basemap_service(kind: str, url: str, attribution: str, layers: str = "") -> MapService:
    """The background of ``QMON_BASEMAP`` (see :func:`geo.webmap.parse_basemap`) as a service."""
    return MapService(
        id="basemap",
        title=BASEMAP_TITLE,
        kind="wms" if kind == "wms" else "xyz",
        url=url,
        group="Hintergrund",
        layers=layers,
        attribution=attribution,
        visible=True,
    )


def with_basemap(services: MapServices, basemap: MapService | None) -> MapServices:
    """Return ``services`` with the ``QMON_BASEMAP`` background first.

    It is shown at the start unless the file makes another background visible.

    Examples
    --------
    >>> b = basemap_service("xyz", "https://kacheln.stadt.de/{z}/{x}/{y}.png", "Stadt")
    >>> [s.id for s in with_basemap(NO_SERVICES, b).backgrounds]
    ['basemap']
    """
    if basemap is None:
        return services
    if any(s.id == basemap.id for s in services.services):
        raise WebMapError(code="mapservices.duplicate_id", file=services.source, value=basemap.id)
    shown = any(s.visible for s in services.backgrounds)
    first = replace(basemap, visible=not shown)
    return MapServices((first, *services.services), source=services.source)


# --- the folium layers -------------------------------------------------------------------


class FeatureInfo(MacroElement):
    """Answer a click with the GetFeatureInfo response of every visible WMS overlay.

    The request is WMS 1.3.0 in the map's CRS (EPSG:3857): the BBOX of the current
    view, its WIDTH and HEIGHT in pixels, I/J of the click. The answer is shown in a
    sandboxed iframe in a popup (no scripts, no access to the page; it works across
    origins without CORS): HTML is displayed as the server formatted it, plain text and
    JSON as text. A click with no such overlay switched on shows nothing.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (map) {
    var sources = [
    {%- for layer, service in this.sources %}
        {layer: {{ layer.get_name() }}, url: {{ service.url|tojson }},
         layers: {{ service.layers|tojson }}, styles: {{ service.styles|tojson }},
         format: {{ service.info_format|tojson }}, title: {{ service.label|tojson }}},
    {%- endfor %}
    ];
    map.on("click", function (e) {
        var size = map.getSize(), view = map.getBounds(), crs = map.options.crs;
        var sw = crs.project(view.getSouthWest()), ne = crs.project(view.getNorthEast());
        var box = L.DomUtil.create("div", "qmon-featureinfo");
        var shown = 0;
        sources.forEach(function (s) {
            if (!map.hasLayer(s.layer)) { return; }
            var params = {
                SERVICE: "WMS", VERSION: {{ this.version|tojson }}, REQUEST: "GetFeatureInfo",
                LAYERS: s.layers, QUERY_LAYERS: s.layers, STYLES: s.styles, CRS: "EPSG:3857",
                BBOX: [sw.x, sw.y, ne.x, ne.y].join(","), WIDTH: size.x, HEIGHT: size.y,
                I: Math.round(e.containerPoint.x), J: Math.round(e.containerPoint.y),
                INFO_FORMAT: s.format, FEATURE_COUNT: 10
            };
            var head = L.DomUtil.create("div", "qmon-featureinfo-title", box);
            head.textContent = s.title;
            head.style.cssText = "font-weight:bold;margin:2px 0";
            var frame = L.DomUtil.create("iframe", "qmon-featureinfo-answer", box);
            frame.setAttribute("sandbox", "");
            frame.setAttribute("referrerpolicy", "no-referrer");
            frame.title = "Auskunft: " + s.title;
            frame.style.cssText = "width:320px;height:160px;border:1px solid #ccc";
            frame.src = s.url + L.Util.getParamString(params, s.url, true);
            shown += 1;
        });
        if (shown) {
            L.popup({maxWidth: 340, className: "qmon-featureinfo-popup"})
                .setLatLng(e.latlng).setContent(box).openOn(map);
        }
    });
})({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, sources: list[tuple[folium.map.Layer, MapService]]):
        super().__init__()
        self._name = "FeatureInfo"
        self.sources = sources
        self.version = WMS_VERSION


class RememberChoice(MacroElement):
    """Keep the user's choice of background and overlays when the map is drawn anew.

    Streamlit draws the map afresh after every click on an area and every change of a
    filter; without this each redraw would show the configured defaults again. The
    choice made in the layer control (``baselayerchange``, ``overlayadd``,
    ``overlayremove``) is kept in the browser tab's ``sessionStorage`` under
    :data:`CHOICE_KEY`, by the ids of the configuration (folium's variable names change
    with every drawing), and applied when the map is built, before the layer control
    reads which layers are shown. An id the configuration no longer has is ignored, a
    layer the user never switched keeps its default, and a storage that cannot be used
    (blocked, full, garbled) leaves the defaults: the map never depends on it.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (map) {
    var key = {{ this.key|tojson }};
    var backgrounds = [
    {%- for layer, ident in this.backgrounds %}
        {id: {{ ident|tojson }}, layer: {{ layer.get_name() }}},
    {%- endfor %}
    ];
    var overlays = [
    {%- for layer, ident in this.overlays %}
        {id: {{ ident|tojson }}, layer: {{ layer.get_name() }}},
    {%- endfor %}
    ];
    function isObject(value) {
        return value !== null && typeof value === "object" && !Array.isArray(value);
    }
    function read() {
        try {
            var stored = JSON.parse(window.sessionStorage.getItem(key) || "{}");
            return isObject(stored) ? stored : {};
        } catch (err) {
            return {};
        }
    }
    function write(choice) {
        try {
            window.sessionStorage.setItem(key, JSON.stringify(choice));
        } catch (err) {
            /* no storage: the next drawing shows the defaults */
        }
    }
    function byLayer(list, layer) {
        for (var n = 0; n < list.length; n += 1) {
            if (list[n].layer === layer) { return list[n]; }
        }
        return null;
    }
    var choice = read();
    var chosen = null;
    backgrounds.forEach(function (b) {
        if (b.id === choice.hintergrund) { chosen = b; }
    });
    if (chosen) {
        backgrounds.forEach(function (b) {
            if (b !== chosen && map.hasLayer(b.layer)) { map.removeLayer(b.layer); }
        });
        if (!map.hasLayer(chosen.layer)) { map.addLayer(chosen.layer); }
    }
    var shown = isObject(choice.ueberlagerungen) ? choice.ueberlagerungen : {};
    overlays.forEach(function (o) {
        if (shown[o.id] === true && !map.hasLayer(o.layer)) { map.addLayer(o.layer); }
        if (shown[o.id] === false && map.hasLayer(o.layer)) { map.removeLayer(o.layer); }
    });
    map.on("baselayerchange", function (e) {
        var b = byLayer(backgrounds, e.layer);
        if (!b) { return; }
        var now = read();
        now.hintergrund = b.id;
        write(now);
    });
    map.on("overlayadd overlayremove", function (e) {
        var o = byLayer(overlays, e.layer);
        if (!o) { return; }
        var now = read();
        if (!isObject(now.ueberlagerungen)) { now.ueberlagerungen = {}; }
        now.ueberlagerungen[o.id] = e.type === "overlayadd";
        write(now);
    });
})({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(
        self,
        backgrounds: list[tuple[folium.map.Layer, str]],
        overlays: list[tuple[folium.map.Layer, str]],
    ):
        super().__init__()
        self._name = "RememberChoice"
        self.key = CHOICE_KEY
        self.backgrounds = backgrounds
        self.overlays = overlays


def service_layer(service: MapService) -> folium.map.Layer:
    """Return the folium tile layer of one service (a base layer for backgrounds).

    Examples
    --------
    >>> s = MapService("a", "Luftbild", "xyz", "https://k.stadt.de/{z}/{x}/{y}.jpg",
    ...                "Hintergrund", year=2023)
    >>> layer = service_layer(s)
    >>> layer.layer_name, layer.overlay
    ('Luftbild 2023', False)
    """
    common: dict[str, Any] = {
        "attr": service.attribution or " ",
        "name": service.label,
        "overlay": not service.background,
        "show": service.visible,
        "opacity": service.opacity,
        "max_zoom": 19,
    }
    if service.kind == "wms":
        return folium.WmsTileLayer(
            url=service.url,
            layers=service.layers,
            styles=service.styles,
            fmt=service.format,
            transparent=service.transparent,
            version=WMS_VERSION,
            **common,
        )
    return folium.TileLayer(tiles=service.url, **common)


def add_map_services(fmap: folium.Map, services: MapServices) -> folium.Map:
    """Add the services' layers to ``fmap``; return it.

    Backgrounds come first, with an empty "ohne Hintergrund" choice that is selected
    when no background is visible; then the overlays; then :class:`RememberChoice`,
    which brings back the user's last choice of them after a redraw, and
    :class:`FeatureInfo` for the WMS overlays with ``featureinfo = true``. A
    ``folium.LayerControl`` added afterwards shows backgrounds as radio buttons and
    overlays as checkboxes (``autoZIndex`` keeps the overlays above whichever
    background is chosen); it reads which layers are shown when it is built, so it
    shows the remembered choice.
    """
    backgrounds: list[tuple[folium.map.Layer, str]] = []
    for service in services.backgrounds:
        layer = service_layer(service)
        layer.add_to(fmap)
        backgrounds.append((layer, service.id))
    if backgrounds:
        shown = any(s.visible for s in services.backgrounds)
        empty = folium.FeatureGroup(name=NO_BACKGROUND, overlay=False, show=not shown)
        empty.add_to(fmap)
        backgrounds.append((empty, NO_BACKGROUND_ID))
    overlays: list[tuple[folium.map.Layer, str]] = []
    queried: list[tuple[folium.map.Layer, MapService]] = []
    for service in services.overlays:
        layer = service_layer(service)
        layer.add_to(fmap)
        overlays.append((layer, service.id))
        if service.featureinfo:
            queried.append((layer, service))
    if backgrounds or overlays:
        RememberChoice(backgrounds, overlays).add_to(fmap)
    if queried:
        FeatureInfo(queried).add_to(fmap)
    return fmap
