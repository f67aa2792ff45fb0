"""The public layers of a store as OGC API – Features, served by pygeoapi.

pygeoapi (a reference implementation of OGC API – Features, kept by OSGeo) does the
protocol: landing page, conformance, collections, items, paging, CRS negotiation, the
OpenAPI document, HTML. This module is the adapter between it and a store:

- :class:`PublicFeatureProvider`, a pygeoapi feature provider that reads nothing but
  :func:`monitoring.interop.public.read_public` (the one place that decides what is
  public; disclosure control applied there), so GeoPackage and PostGIS are served alike
  and nothing private can leak;
- :func:`service_config`, the pygeoapi configuration of a store: one collection per
  public layer, German title and description, extent from the data in CRS84, CRS84 and
  the store's CRS offered, the store's CRS as storage CRS;
- :func:`wsgi_app`, pygeoapi's Flask app behind a guard (:func:`read_only`) that refuses
  every method but GET, HEAD and OPTIONS, so the service is read-only whatever pygeoapi
  offers, and allows browsers on other hosts to read it (CORS).

pygeoapi builds a provider per request from its configuration, so the frames are kept
in :data:`LAYERS`, one cache per serving process keyed by the store URL and its change
token: a request rereads the store only when something was written to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pygeoapi.provider.base import (
    BaseProvider,
    ProviderInvalidQueryError,
    ProviderItemNotFoundError,
    ProviderQueryError,
)
from pyproj import CRS

from geo.store import open_store
from geo.store.base import ChangeToken, Store
from monitoring.interop.public import PublicLayer, public_layers, read_public

CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CRS84 = CRS.from_user_input("OGC:CRS84")
PROVIDER = f"{__name__}.PublicFeatureProvider"
ID_FIELD = "kennung"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_ITEMS = 100
MAX_ITEMS = 10_000

#: JSON types of the fields pygeoapi shows as queryables; "date" is a string with format date.
FieldKind = Literal["string", "number", "integer", "boolean", "date"]


def crs_uri(crs: CRS) -> str:
    """Return the OGC URI of a CRS with an EPSG code.

    Examples
    --------
    >>> crs_uri(CRS.from_epsg(25832))
    'http://www.opengis.net/def/crs/EPSG/0/25832'
    """
    epsg = crs.to_epsg()
    if epsg is None:
        raise ValueError(
            f"Das Koordinatenreferenzsystem des Datenbestands ({crs.name}) hat keinen "
            "EPSG-Code; der Dienst kann es nicht anbieten"
        )
    return f"http://www.opengis.net/def/crs/EPSG/0/{epsg}"


@dataclass
class _Entry:
    token: ChangeToken
    frames: dict[tuple[str, str], gpd.GeoDataFrame] = field(default_factory=dict)


class LayerCache:
    """The public layers of the served stores, read once per change token.

    One store connection per URL, one lock per cache: the WSGI server answers on
    several threads, a store connection is used by one at a time.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stores: dict[str, Store] = {}
        self._entries: dict[str, _Entry] = {}

    def frame(self, url: str, layer_id: str, crs: CRS | None = None) -> gpd.GeoDataFrame:
        """Return a public layer of the store at ``url``, in ``crs`` (default: the store's).

        The store is asked for its change token on every call and reread only when the
        token moved. The frame returned is shared: never change it.
        """
        with self._lock:
            store = self._stores.get(url)
            if store is None:
                store = self._stores[url] = open_store(url)
            token = store.change_token()
            entry = self._entries.get(url)
            if entry is None or entry.token != token:
                entry = self._entries[url] = _Entry(token)
            base_key = (layer_id, "")
            if base_key not in entry.frames:
                try:
                    entry.frames[base_key] = read_public(store, layer_id)
                except KeyError as exc:  # the layer is gone since the service started
                    raise ProviderItemNotFoundError(user_msg=str(exc.args[0])) from exc
            base = entry.frames[base_key]
            if crs is None or (base.crs is not None and base.crs.equals(crs)):
                return base
            key = (layer_id, crs.to_wkt())
            if key not in entry.frames:
                entry.frames[key] = base.to_crs(crs)
            return entry.frames[key]

    def layers(self, url: str) -> list[PublicLayer]:
        """Return the public layers of the store at ``url``."""
        with self._lock:
            store = self._stores.get(url)
            if store is None:
                store = self._stores[url] = open_store(url)
            return public_layers(store)

    def store_crs(self, url: str) -> CRS:
        """Return the storage CRS of the store at ``url``."""
        with self._lock:
            store = self._stores.get(url)
            if store is None:
                store = self._stores[url] = open_store(url)
            return store.crs

    def close(self) -> None:
        """Close every store connection and forget the frames."""
        with self._lock:
            for store in self._stores.values():
                store.close()
            self._stores.clear()
            self._entries.clear()


#: The cache of this process (pygeoapi makes a provider per request; the frames outlive it).
LAYERS = LayerCache()


# --------------------------------------------------------------------------- features


def field_kinds(frame: pd.DataFrame) -> dict[str, FieldKind]:
    """Return the JSON type of each attribute column: string, number, integer, boolean, date.

    Examples
    --------
    >>> f = pd.DataFrame({"a": ["x"], "b": [1.5], "c": pd.array([2], dtype="Int64"),
    ...                   "d": [True], "e": [dt.date(2020, 12, 31)],
    ...                   "f": pd.to_datetime(["2021-01-01"])})
    >>> field_kinds(f)
    {'a': 'string', 'b': 'number', 'c': 'integer', 'd': 'boolean', 'e': 'date', 'f': 'date'}
    """
    kinds: dict[str, FieldKind] = {}
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    for name in frame.columns:
        if name == geometry:
            continue
        series = frame[name]
        if pd.api.types.is_bool_dtype(series.dtype):
            kinds[str(name)] = "boolean"
        elif pd.api.types.is_integer_dtype(series.dtype):
            kinds[str(name)] = "integer"
        elif pd.api.types.is_float_dtype(series.dtype):
            kinds[str(name)] = "number"
        elif pd.api.types.is_datetime64_any_dtype(series.dtype):
            kinds[str(name)] = "date"
        else:
            sample = series.dropna()
            first = sample.iloc[0] if len(sample) else None
            if isinstance(first, dt.date):
                kinds[str(name)] = "date"
            elif isinstance(first, bool | np.bool_):
                kinds[str(name)] = "boolean"
            else:
                kinds[str(name)] = "string"
    return kinds


def pygeoapi_fields(kinds: dict[str, FieldKind]) -> dict[str, dict[str, str]]:
    """Return pygeoapi's field description for the column kinds.

    Examples
    --------
    >>> pygeoapi_fields({"stichtag": "date", "wert": "number"})
    {'stichtag': {'type': 'string', 'format': 'date'}, 'wert': {'type': 'number'}}
    """
    out: dict[str, dict[str, str]] = {}
    for name, kind in kinds.items():
        out[name] = {"type": "string", "format": "date"} if kind == "date" else {"type": kind}
    return out


def _as_dates(series: pd.Series) -> pd.Series:
    """ISO dates (YYYY-MM-DD) of a date column, None where missing."""
    stamps = pd.to_datetime(series, errors="coerce")
    text = stamps.dt.strftime("%Y-%m-%d")
    return text.where(stamps.notna(), None).astype(object)


def _json_value(value: Any, kind: FieldKind) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        return bool(value)
    return str(value)


def _parse_filter_value(name: str, text: str, kind: FieldKind) -> Any:
    """The value of a property filter (``?status=abgeschlossen``) in the column's type."""
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
        if kind == "boolean":
            lowered = text.strip().lower()
            if lowered not in ("true", "false", "1", "0", "wahr", "falsch"):
                raise ValueError(text)
            return lowered in ("true", "1", "wahr")
        if kind == "date":
            return dt.date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise ProviderInvalidQueryError(
            user_msg=f"Filter {name}={text}: kein gültiger Wert für ein Feld vom Typ {kind}"
        ) from exc
    return text


def select_features(
    frame: gpd.GeoDataFrame,
    *,
    properties: Sequence[tuple[str, str]] = (),
    bbox: Sequence[float] | None = None,
    sortby: Sequence[dict[str, str]] = (),
) -> gpd.GeoDataFrame:
    """Return the features of ``frame`` that match every property filter and the bbox, sorted.

    Parameters
    ----------
    frame
        A public layer.
    properties
        ``(column, value)`` pairs as the URL gives them; a value is compared in the
        column's type (``aufnahme=2015``, ``unterdr=true``, ``stichtag=2020-12-31``).
    bbox
        ``minx, miny, maxx, maxy`` in the frame's CRS: the features whose geometry
        intersects the box (not only its envelope).
    sortby
        pygeoapi's sort keys: ``{"property": name, "order": "+" or "-"}``.

    Examples
    --------
    >>> f = gpd.GeoDataFrame({"kennung": ["a", "b", "c"], "n": [1, 2, 2]},
    ...     geometry=[shapely.Point(0, 0), shapely.Point(5, 5), shapely.Point(9, 9)])
    >>> select_features(f, properties=[("n", "2")])["kennung"].tolist()
    ['b', 'c']
    >>> select_features(f, bbox=(4, 4, 10, 10), sortby=[{"property": "kennung",
    ...     "order": "-"}])["kennung"].tolist()
    ['c', 'b']
    """
    kinds = field_kinds(frame)
    keep = np.ones(len(frame), dtype=bool)
    for name, text in properties:
        kind = kinds.get(name)
        if kind is None:
            continue  # pygeoapi passes only known fields
        wanted = _parse_filter_value(name, text, kind)
        column = frame[name]
        if kind == "date":
            keep &= (_as_dates(column) == wanted).to_numpy(dtype=bool)
        elif kind == "string":
            keep &= (column.astype(object) == wanted).fillna(False).to_numpy(dtype=bool)
        else:
            keep &= (column == wanted).fillna(False).to_numpy(dtype=bool)
    if bbox is not None and len(bbox) >= 4:
        coords = list(bbox)
        if len(coords) == 6:  # 3D bbox: minx, miny, minz, maxx, maxy, maxz
            coords = [coords[0], coords[1], coords[3], coords[4]]
        box = shapely.box(coords[0], coords[1], coords[2], coords[3])
        geoms = frame.geometry.to_numpy()
        hit = np.zeros(len(frame), dtype=bool)
        present = ~shapely.is_missing(geoms)
        hit[present] = shapely.intersects(geoms[present], box)
        keep &= hit
    out = frame[keep]
    if sortby:
        names = [s["property"] for s in sortby]
        ascending = [s.get("order", "+") != "-" for s in sortby]
        out = out.sort_values(names, ascending=ascending, kind="stable")
    return out


def to_features(
    frame: gpd.GeoDataFrame,
    *,
    kinds: dict[str, FieldKind],
    select: Sequence[str] = (),
    skip_geometry: bool = False,
) -> list[dict[str, Any]]:
    """Return the rows of ``frame`` as GeoJSON features (``id`` from ``kennung``).

    Examples
    --------
    >>> f = gpd.GeoDataFrame({"kennung": ["a"], "wert": [float("nan")],
    ...     "stichtag": [dt.date(2020, 12, 31)]}, geometry=[shapely.Point(1, 2)])
    >>> to_features(f, kinds=field_kinds(f))[0]["properties"]
    {'kennung': 'a', 'wert': None, 'stichtag': '2020-12-31'}
    >>> to_features(f, kinds=field_kinds(f), select=["wert"], skip_geometry=True)[0]
    {'type': 'Feature', 'id': 'a', 'geometry': None, 'properties': {'wert': None}}
    """
    names = [n for n in kinds if not select or n in select]
    columns: dict[str, list[Any]] = {}
    for name in names:
        series = frame[name]
        if kinds[name] == "date":
            columns[name] = list(_as_dates(series))
        else:
            columns[name] = [_json_value(v, kinds[name]) for v in series.astype(object)]
    ids = [str(v) for v in frame[ID_FIELD].astype(object)]
    geoms: Iterable[Any]
    if skip_geometry:
        geoms = [None] * len(frame)
    else:
        geoms = (
            None if g is None or g.is_empty else shapely.geometry.mapping(g)
            for g in frame.geometry.to_numpy()
        )
    features = []
    for i, geometry in enumerate(geoms):
        features.append(
            {
                "type": "Feature",
                "id": ids[i],
                "geometry": geometry,
                "properties": {n: columns[n][i] for n in names},
            }
        )
    return features


def _requested_bbox() -> tuple[list[float], CRS] | None:
    """The bbox of the current request as the client sent it, and its CRS.

    pygeoapi hands the provider the bbox moved into the storage CRS by its two corners;
    a CRS84 rectangle is not a rectangle in a projected CRS, so the features are tested
    against the box in the CRS the client drew it in.
    """
    from flask import has_request_context, request

    if not has_request_context() or not request.args.get("bbox"):
        return None
    try:
        coords = [float(x) for x in request.args["bbox"].split(",")]
    except ValueError:
        return None
    uri = request.args.get("bbox-crs") or CRS84_URI
    from pygeoapi.util import get_crs_from_uri

    return coords, get_crs_from_uri(uri)


STORE_URLS: dict[str, str] = {}
"""Store handle -> store URL, for the providers of this process. pygeoapi's configuration is
a file; it names a store by handle only, so no password of a database URL is written there."""


def store_handle(url: str) -> str:
    """Return the handle pygeoapi's configuration names the store by (registered here).

    Examples
    --------
    >>> h = store_handle("postgresql://qmon:geheim@db/stadt")
    >>> "geheim" in h, STORE_URLS[h].endswith("@db/stadt")
    (False, True)
    """
    handle = "store-" + hashlib.sha256(url.encode()).hexdigest()[:16]
    STORE_URLS[handle] = url
    return handle


class PublicFeatureProvider(BaseProvider):
    """A pygeoapi feature provider over one public layer of a store (read-only).

    The provider definition's ``data`` is a handle of the store (:data:`STORE_URLS`; a
    plain store URL is taken as it is), ``options.layer`` the public layer's id.
    """

    def __init__(self, provider_def: dict[str, Any]) -> None:
        super().__init__(provider_def)
        self.url = STORE_URLS.get(str(self.data), str(self.data))
        self.layer_id = str((self.options or {})["layer"])
        self.id_field = ID_FIELD
        self.editable = False
        self._kinds = field_kinds(self._frame())
        self._fields = pygeoapi_fields(self._kinds)

    def _frame(self, crs: CRS | None = None) -> gpd.GeoDataFrame:
        return LAYERS.frame(self.url, self.layer_id, crs)

    def get_fields(self) -> dict[str, dict[str, str]]:
        return self._fields

    def query(
        self,
        offset: int = 0,
        limit: int = 10,
        resulttype: str = "results",
        bbox: Sequence[float] | None = None,
        datetime_: str | None = None,
        properties: Sequence[tuple[str, str]] = (),
        sortby: Sequence[dict[str, str]] = (),
        select_properties: Sequence[str] = (),
        skip_geometry: bool = False,
        q: str | None = None,
        filterq: Any = None,
        crs_transform_spec: Any = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Return a page of the layer's features as a GeoJSON FeatureCollection."""
        if filterq is not None:
            raise ProviderInvalidQueryError(
                user_msg="CQL-Filter werden nicht unterstützt; bitte Eigenschaftsfilter "
                "verwenden (z. B. ?status=abgeschlossen)"
            )
        frame = self._frame()
        if bbox:
            asked = _requested_bbox()
            if asked is not None:  # test in the CRS the client drew the box in
                coords, bbox_crs = asked
                picked = select_features(self._frame(bbox_crs), properties=properties, bbox=coords)
            else:
                picked = select_features(frame, properties=properties, bbox=bbox)
            picked = frame.loc[picked.index]
        else:
            picked = select_features(frame, properties=properties)
        if sortby:
            picked = select_features(picked, sortby=sortby)
        matched = len(picked)
        collection: dict[str, Any] = {
            "type": "FeatureCollection",
            "numberMatched": matched,
            "features": [],
        }
        if resulttype == "hits":
            collection["numberReturned"] = 0
            return collection
        page = picked.iloc[offset : offset + limit]
        if not skip_geometry:
            page = self._in_output_crs(page, crs_transform_spec)
        collection["features"] = to_features(
            page, kinds=self._kinds, select=select_properties, skip_geometry=skip_geometry
        )
        collection["numberReturned"] = len(page)
        return collection

    def get(self, identifier: str, **kwargs: Any) -> dict[str, Any]:
        """Return the feature with this ``kennung``."""
        frame = self._frame()
        hit = frame[frame[ID_FIELD].astype(str) == str(identifier)]
        if hit.empty:
            raise ProviderItemNotFoundError(
                user_msg=f"Das Objekt „{identifier}“ gibt es in „{self.layer_id}“ nicht"
            )
        page = self._in_output_crs(hit.iloc[:1], kwargs.get("crs_transform_spec"))
        return to_features(page, kinds=self._kinds)[0]

    def _in_output_crs(self, page: gpd.GeoDataFrame, spec: Any) -> gpd.GeoDataFrame:
        if spec is None:
            return page
        target = CRS.from_wkt(spec.target_crs_wkt)
        try:
            return self._frame(target).loc[page.index]
        except Exception as exc:  # noqa: BLE001 - PROJ refused: the client's CRS is the cause
            raise ProviderQueryError(user_msg=f"Umprojektion nicht möglich: {exc}") from exc

    def create(self, item: Any) -> Any:
        raise ProviderInvalidQueryError(user_msg="Der Dienst ist schreibgeschützt")

    def update(self, identifier: Any, item: Any) -> Any:
        raise ProviderInvalidQueryError(user_msg="Der Dienst ist schreibgeschützt")

    def delete(self, identifier: Any) -> Any:
        raise ProviderInvalidQueryError(user_msg="Der Dienst ist schreibgeschützt")

    def __repr__(self) -> str:
        return f"<PublicFeatureProvider> {self.layer_id}"


# --------------------------------------------------------------------------- configuration


def _extent(frame: gpd.GeoDataFrame) -> list[float]:
    if frame.empty or frame.geometry.isna().all():
        return [-180.0, -90.0, 180.0, 90.0]
    bounds = frame.to_crs(CRS84).total_bounds
    return [float(round(b, 7)) for b in bounds]


def service_config(
    url: str,
    *,
    host: str,
    port: int,
    base_url: str | None = None,
    cache: LayerCache = LAYERS,
) -> dict[str, Any]:
    """Return pygeoapi's configuration for the public layers of the store at ``url``.

    Parameters
    ----------
    url
        The store URL (GeoPackage path or PostGIS URL).
    host, port
        Where the server listens.
    base_url
        The address clients reach the service at (behind a proxy); default
        ``http://host:port``.
    cache
        The frames are read through it (the extents), so the first requests find them.
    """
    store_crs = cache.store_crs(url)
    storage = crs_uri(store_crs)
    handle = store_handle(url)
    resources: dict[str, Any] = {}
    for layer in cache.layers(url):
        frame = cache.frame(url, layer.id)
        resources[layer.id] = {
            "type": "collection",
            "title": layer.title,
            "description": layer.abstract,
            "keywords": ["Städtebauförderung", "Quartiersmonitor", layer.kind],
            "links": [],
            "extents": {"spatial": {"bbox": _extent(frame), "crs": CRS84_URI}},
            "providers": [
                {
                    "type": "feature",
                    "name": PROVIDER,
                    "data": handle,
                    "options": {"layer": layer.id},
                    "id_field": ID_FIELD,
                    "title_field": "name" if "name" in frame.columns else "titel",
                    "crs": [CRS84_URI, storage],
                    "storage_crs": storage,
                }
            ],
        }
    address = base_url or f"http://{host}:{port}"
    return {
        "server": {
            "bind": {"host": host, "port": port},
            "url": address.rstrip("/"),
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": ["de-DE"],
            "limits": {"default_items": DEFAULT_ITEMS, "max_items": MAX_ITEMS},
            "pretty_print": False,
            "admin": False,
            "map": {
                "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                "attribution": "© OpenStreetMap-Mitwirkende",
            },
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "Quartiersmonitor – öffentliche Ebenen",
                "description": "Fördergebiete, Maßnahmen, Gebiete und Indikatorwerte der "
                "Städtebauförderung als OGC API – Features (nur lesend; Werte kleiner Gebiete "
                "nach der Geheimhaltung unterdrückt, keine personenbezogenen Daten).",
                "keywords": ["Städtebauförderung", "Monitoring", "Indikatoren"],
                "keywords_type": "theme",
                "terms_of_service": "",
                "url": address,
            },
            "license": {"name": "Nutzungsbedingungen der Kommune", "url": address},
            "provider": {"name": "Quartiersmonitor", "url": address},
            "contact": {"name": "Quartiersmonitor", "role": "pointOfContact"},
        },
        "resources": resources,
    }


def read_only(app: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a WSGI app: every method but GET, HEAD and OPTIONS gets 405, every answer CORS.

    ``Access-Control-Allow-Origin: *`` lets a geoportal in the browser (Masterportal,
    OpenLayers, Leaflet) on another host read the public layers.
    """

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("REQUEST_METHOD", "GET").upper() not in READ_METHODS:
            body = "Der Dienst ist schreibgeschützt: nur GET, HEAD und OPTIONS.\n".encode()
            start_response(
                "405 Method Not Allowed",
                [
                    ("Allow", "GET, HEAD, OPTIONS"),
                    ("Access-Control-Allow-Origin", "*"),
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(body))),
                ],
            )
            return [body]

        def with_cors(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            if not any(k.lower() == "access-control-allow-origin" for k, _ in headers):
                headers = [*headers, ("Access-Control-Allow-Origin", "*")]
            return start_response(status, headers, *exc)

        return app(environ, with_cors)

    return guarded


def wsgi_app(config: dict[str, Any], workdir: Path) -> Callable[..., Any]:
    """Return pygeoapi's Flask app for ``config``, read-only.

    pygeoapi reads its configuration and OpenAPI document from files named by
    environment variables when its Flask module is imported; both are written to
    ``workdir`` (readable by the owner only; the store is named by a handle, not its URL).
    One app per process.
    """
    import yaml
    from pygeoapi.openapi import generate_openapi_document

    config_path = workdir / "pygeoapi-config.yml"
    openapi_path = workdir / "pygeoapi-openapi.yml"
    with open(os.open(config_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as fh:
        yaml.safe_dump(config, fh, allow_unicode=True, sort_keys=False)
    openapi = generate_openapi_document(config_path, "yaml")
    openapi_path.write_text(openapi, encoding="utf-8")
    os.environ["PYGEOAPI_CONFIG"] = str(config_path)
    os.environ["PYGEOAPI_OPENAPI"] = str(openapi_path)
    from pygeoapi.api import itemtypes

    _claim_read_only(itemtypes.CONFORMANCE_CLASSES_FEATURES)
    from pygeoapi.flask_app import APP

    return read_only(APP)


def _claim_read_only(classes: list[str]) -> None:
    """Drop the transactions class (Part 4) from pygeoapi's conformance list: we refuse writes."""
    classes[:] = [c for c in classes if not c.endswith("/conf/create-replace-delete")]


@dataclass(frozen=True)
class Service:
    """Where a running feature service answers."""

    url: str
    collections: tuple[str, ...]


def serve(
    url: str,
    *,
    host: str,
    port: int,
    base_url: str | None = None,
    threads: int = 4,
    announce: Callable[[Service], None] | None = None,
) -> None:
    """Serve the public layers of the store at ``url`` until interrupted (waitress).

    ``announce`` is called once the port is bound. An OSError (port taken, no right to
    bind it) comes before that.
    """
    import waitress

    config = service_config(url, host=host, port=port, base_url=base_url)
    try:
        with tempfile.TemporaryDirectory(prefix="qmon-serve-") as tmp:
            app = wsgi_app(config, Path(tmp))
            server = waitress.create_server(
                app, host=host, port=port, threads=threads, ident="qmon"
            )
            if announce is not None:
                announce(Service(config["server"]["url"], tuple(config["resources"])))
            try:
                server.run()
            finally:
                server.close()
    finally:
        LAYERS.close()
