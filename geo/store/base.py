"""The one interface both stores implement, and the frame conventions they share.

A layer is read as a GeoDataFrame (spatial layers, in the storage CRS, geometry in
the column ``geometry``) or a DataFrame (attribute tables), with one dtype per
column type so that both stores return equal frames:

========  =====================
text      object (str or None)
integer   Int64
real      float64
boolean   boolean
date      datetime64[ms]
datetime  datetime64[ms] (UTC)
========  =====================

Writes happen inside a transaction: either every write of the transaction is
stored or none is.
"""

from __future__ import annotations

import abc
import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.errors import CRSError, StoreError, UnknownColumnError
from geo.schema import GEOMETRY_COLUMN, SCHEMA, Layer, Migration, Schema

WriteMode = Literal["append", "replace", "upsert"]
#: Columns an upsert leaves as they are on an existing record (it stays created when it was).
UPSERT_KEEPS: tuple[str, ...] = ("created_at",)
#: Columns the store keeps on editable layers; an update may not set them.
EDIT_MANAGED: tuple[str, ...] = ("version", "updated_at", "updated_by")
WRITE_MODES: tuple[str, ...] = ("append", "replace", "upsert")
Where = Mapping[str, Any]
BBox = tuple[float, float, float, float]

#: Keys of the store's metadata table that carry its change token.
STORE_ID_KEY = "store_id"
CHANGE_COUNTER_KEY = "change_counter"


#: The table QGIS keeps layer styles in (its own schema, not a layer of the model).
LAYER_STYLES = "layer_styles"
#: ``owner`` of the styles the Quartiersmonitor writes: a refresh replaces only these,
#: styles a user saved from QGIS stay.
STYLE_OWNER = "Quartiersmonitor"
#: Columns of :meth:`Transaction.read_layer_styles`, QGIS's names.
LAYER_STYLE_COLUMNS: tuple[str, ...] = (
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "useAsDefault",
    "description",
    "owner",
    "update_time",
)


@dataclass(frozen=True)
class LayerStyle:
    """A QGIS style of one spatial layer of the store, a row of QGIS's ``layer_styles``.

    ``qml`` is the QGIS style document (``<qgis>…</qgis>``, no DOCTYPE: PostgreSQL keeps
    it in an ``xml`` column); ``default`` marks the style QGIS applies when it opens the
    layer (one per layer).
    """

    layer: str
    name: str
    qml: str
    default: bool = False
    description: str = ""


class ChangeToken(NamedTuple):
    """Which store, and how many write transactions it has committed.

    ``counter`` rises by one with every committed transaction that wrote (writes,
    updates, deletes, migrations, imports), in that transaction itself, so a rolled
    back one leaves it as it was. ``store_id`` is made when the store is created, so
    a store deleted and built again does not repeat an old token. Cheap to read: the
    app keys its caches by it.
    """

    store_id: str
    counter: int


_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<netloc>[^/?#\s]*)")
_PASSWORD_PARAM = re.compile(r"(?P<key>\bpassword\s*=\s*)(?P<value>'[^']*'|[^&\s'\"]*)", re.I)
REDACTED = "***"


def redact_url(text: str) -> str:
    """Return ``text`` with every password in it replaced by ``***``.

    The one redaction for store URLs: the password of ``scheme://user:password@host``
    and every ``password=…`` parameter (URL query or libpq keyword string), wherever
    they stand in the text, so that a message, repr or log line that quotes a URL
    never shows a password.

    Examples
    --------
    >>> redact_url("postgresql://planung:geheim@gis-db:5432/quartiere?schema=a")
    'postgresql://planung:***@gis-db:5432/quartiere?schema=a'
    >>> redact_url("postgresql://u:p@ss@h/db?password=x&sslmode=require")
    'postgresql://u:***@h/db?password=***&sslmode=require'
    >>> redact_url("host=h password=geheim dbname=q")
    'host=h password=*** dbname=q'
    >>> redact_url("data/musterstadt.gpkg")
    'data/musterstadt.gpkg'
    """

    def userinfo(match: re.Match[str]) -> str:
        netloc = match["netloc"]
        info, at, host = netloc.rpartition("@")
        if not at or ":" not in info:
            return match[0]
        user = info.split(":", 1)[0]
        return f"{match['scheme']}{user}:{REDACTED}@{host}"

    out = _URL_USERINFO.sub(userinfo, str(text))
    return _PASSWORD_PARAM.sub(lambda m: m["key"] + REDACTED, out)


_DTYPES: dict[str, str] = {
    "integer": "Int64",
    "real": "float64",
    "boolean": "boolean",
    "date": "datetime64[ms]",
    "datetime": "datetime64[ms]",
}


def check_mode(mode: str) -> None:
    """Raise ValueError unless ``mode`` is one of the write modes."""
    if mode not in WRITE_MODES:
        raise ValueError(f"write mode {mode!r} is not one of {', '.join(WRITE_MODES)}")


def empty_frame(layer: Layer, crs: CRS) -> pd.DataFrame:
    """Return an empty frame with the layer's columns and dtypes."""
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in layer.column_names})
    if layer.spatial:
        frame = gpd.GeoDataFrame(
            frame, geometry=gpd.GeoSeries([], crs=crs, name=GEOMETRY_COLUMN), crs=crs
        )
    return conform(layer, frame, crs=crs)


def conform(layer: Layer, frame: pd.DataFrame, *, crs: CRS | None = None) -> pd.DataFrame:
    """Return ``frame`` with the layer's column order and canonical dtypes.

    Used on every read so that both stores return equal frames.
    """
    out: dict[str, pd.Series] = {}
    for col in layer.columns:
        series = frame[col.name] if col.name in frame else pd.Series(None, index=frame.index)
        out[col.name] = _as_dtype(series, col.type)
    result = pd.DataFrame(out, index=frame.index)
    if layer.spatial:
        geoms = frame.get(GEOMETRY_COLUMN, None)
        geo = gpd.GeoSeries(
            geoms.array if geoms is not None else [None] * len(frame), index=frame.index
        )
        gdf = gpd.GeoDataFrame(result, geometry=geo.values, crs=crs)
        gdf = gdf.rename_geometry(GEOMETRY_COLUMN) if gdf.geometry.name != GEOMETRY_COLUMN else gdf
        return gdf
    return result


def _as_dtype(series: pd.Series, type_: str) -> pd.Series:
    if type_ == "text":  # object dtype holding str or None, whatever pandas would infer
        missing = series.isna().to_numpy()
        values = series.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
            text = values.copy()  # never the input's own array
            text[missing] = None  # every other value is a str already: no loop per value
            return pd.Series(text, index=series.index, dtype=object)
        text = np.array(
            [None if m else (v if isinstance(v, str) else str(v)) for v, m in zip(values, missing)],
            dtype=object,
        )
        return pd.Series(text, index=series.index, dtype=object)
    if type_ in ("date", "datetime"):
        converted = pd.to_datetime(series, utc=True, errors="raise", format="mixed")
        if type_ == "date":
            converted = converted.dt.normalize()
        return converted.dt.tz_localize(None).astype("datetime64[ms]")
    if type_ == "boolean":
        return series.map(_to_bool, na_action="ignore").astype("boolean")
    if type_ == "integer":
        if series.dtype == object:  # Python ints straight to Int64: via float64 they would
            try:  # lose every digit past 2**53
                ints = [None if pd.isna(v) else v for v in series.tolist()]
                return pd.Series(pd.array(ints, dtype="Int64"), index=series.index)
            except (TypeError, ValueError):
                pass  # text such as "12": parsed below
        numeric = pd.to_numeric(series, errors="raise")
        return numeric.astype("Int64")
    return pd.to_numeric(series, errors="raise").astype("float64")


def _to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "t", "ja", "yes", "wahr")
    return bool(value)


def prepare_for_write(
    layer: Layer,
    frame: pd.DataFrame,
    *,
    crs: CRS,
    user: str | None = None,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """Check a frame against the layer and return it ready to be written.

    Checks the columns (unknown ones and missing required ones are errors), brings
    the geometry into the storage CRS, and fills the edit columns of editable
    layers (version 1, created and updated now) where the frame leaves them empty.
    The input frame is not changed.
    """
    extra = [c for c in frame.columns if c not in layer.column_names and c != GEOMETRY_COLUMN]
    if isinstance(frame, gpd.GeoDataFrame):
        extra = [c for c in extra if c != frame.geometry.name]
    if extra:
        raise UnknownColumnError(
            code="store.unknown_column",
            layer=layer.name,
            column=", ".join(map(repr, extra)),
            columns=", ".join(layer.column_names),
        )
    work = frame.copy()
    if layer.spatial:
        if not isinstance(work, gpd.GeoDataFrame):
            raise CRSError(code="crs.frame_not_spatial", layer=layer.title or layer.name)
        if work.crs is None and len(work) and work.geometry.notna().any():
            raise CRSError(code="crs.frame_without_crs", layer=layer.title or layer.name)
        if work.crs is not None and not CRS.from_user_input(work.crs).equals(crs):
            work = work.to_crs(crs)
        if work.geometry.name != GEOMETRY_COLUMN:
            work = work.rename_geometry(GEOMETRY_COLUMN)
    if layer.editable:
        stamp = pd.Timestamp(now or dt.datetime.now(dt.UTC)).tz_localize(None)
        for col, default in (
            ("created_at", stamp),
            ("updated_at", stamp),
            ("updated_by", user),
            ("version", 1),
        ):
            if col not in work:
                work[col] = default
            elif default is not None:
                work[col] = work[col].where(work[col].notna(), default)
    missing = [
        c.name
        for c in layer.columns
        if not c.nullable and (c.name not in work or work[c.name].isna().any())
    ]
    if missing:
        raise StoreError(
            code="store.required_missing",
            layer=layer.title or layer.name,
            columns=", ".join(missing),
        )
    out = conform(layer, work, crs=crs)
    _check_text(layer, out)
    if layer.spatial:
        out = _promote_multi(layer, out)
    return out


def _check_text(layer: Layer, frame: pd.DataFrame) -> None:
    """Refuse text no store can keep: not encodable as UTF-8 (lone surrogates) or with NUL."""
    for col in layer.columns:
        if col.type != "text" or not len(frame):
            continue
        values = [v for v in frame[col.name].tolist() if v is not None]
        try:
            joined = "".join(values)
            joined.encode("utf-8")
            if "\x00" not in joined:
                continue
        except UnicodeEncodeError:
            pass
        for row, value in enumerate(frame[col.name].tolist()):
            if value is None:
                continue
            bad = "\x00" in value
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                bad = True
            if bad:
                raise StoreError(
                    code="store.bad_text",
                    layer=layer.title or layer.name,
                    row=row,
                    column=col.name,
                    value=value,
                )


def _promote_multi(layer: Layer, frame: pd.DataFrame) -> pd.DataFrame:
    """Turn polygons into multipolygons for MULTIPOLYGON layers (one type per layer)."""
    if layer.geometry != "MULTIPOLYGON" or not len(frame):
        return frame
    geoms = np.asarray(frame.geometry.values, dtype=object)
    types = shapely.get_type_id(geoms)
    polys = types == shapely.GeometryType.POLYGON
    bad = ~np.isin(types, [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON, -1])
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise StoreError(
            code="store.not_polygon",
            layer=layer.title or layer.name,
            row=first,
            found=str(geoms[first].geom_type),
            wkt=shapely.to_wkt(geoms[first])[:40],
        )
    if polys.any():
        geoms = geoms.copy()
        geoms[polys] = shapely.multipolygons(geoms[polys].reshape(-1, 1))
        frame = frame.copy()
        frame[GEOMETRY_COLUMN] = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
    return frame


def check_where(layer: Layer, where: Where | None) -> dict[str, list[Any]]:
    """Normalise an attribute filter to column -> allowed values (equality or IN)."""
    if not where:
        return {}
    layer.check_columns(where)
    out: dict[str, list[Any]] = {}
    for name, value in where.items():
        if isinstance(value, (list, tuple, set, frozenset, np.ndarray, pd.Series)):
            out[name] = list(value)
        else:
            out[name] = [value]
    return out


def check_update(
    layer: Layer,
    key: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    expected_version: int | None,
) -> None:
    """Refuse an update the stores cannot carry out as asked, before any SQL runs.

    The key must name exactly the layer's key columns, with values; the store keeps
    ``version``, ``updated_at`` and ``updated_by`` of editable layers itself; only
    editable layers have a version to expect.
    """
    layer.check_columns(key)
    layer.check_columns(values)
    missing = [k for k in layer.key if k not in key or _missing(key[k])]
    if missing or set(key) - set(layer.key):
        raise StoreError(
            code="store.update_key",
            layer=layer.title or layer.name,
            key=", ".join(layer.key),
            given=repr(dict(key)),
        )
    if layer.editable and (managed := [c for c in values if c in EDIT_MANAGED]):
        raise StoreError(
            code="store.update_managed", layer=layer.title or layer.name, columns=", ".join(managed)
        )
    if not values and not layer.editable:
        raise StoreError(code="store.update_nothing", layer=layer.title or layer.name)
    if expected_version is not None and not layer.editable:
        raise StoreError(code="store.update_no_version", layer=layer.title or layer.name)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


class Transaction(abc.ABC):
    """Writes that are stored together or not at all."""

    @abc.abstractmethod
    def write(self, layer: str, frame: pd.DataFrame, *, mode: WriteMode = "append") -> int:
        """Write rows; ``replace`` empties the layer first, ``upsert`` matches on the key."""

    @abc.abstractmethod
    def delete(self, layer: str, where: Where | None = None) -> int:
        """Delete the rows matching ``where`` (every row when None); return how many."""

    @abc.abstractmethod
    def read(
        self,
        layer: str,
        *,
        bbox: BBox | None = None,
        where: Where | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Read inside the transaction (sees its own uncommitted writes)."""

    @abc.abstractmethod
    def update(
        self,
        layer: str,
        key: Mapping[str, Any],
        values: Mapping[str, Any],
        *,
        expected_version: int | None = None,
        user: str | None = None,
    ) -> int:
        """Update one record by key; with ``expected_version`` only if it still has it.

        Editable layers get ``version`` raised by one and ``updated_at``/``updated_by``
        set. Returns the number of rows changed (0 when the version did not match).
        """

    def write_layer_styles(self, styles: Sequence[LayerStyle]) -> int:
        """Replace the Quartiersmonitor's QGIS styles of this store by ``styles``.

        The table ``layer_styles`` (QGIS's own layout) is created when missing; rows of
        other owners (styles saved from QGIS) stay. Returns the number of styles written.
        """
        raise NotImplementedError(f"{type(self).__name__} keeps no QGIS styles")

    def read_layer_styles(self) -> pd.DataFrame:
        """Return the ``layer_styles`` rows of this store's layers (:data:`LAYER_STYLE_COLUMNS`).

        Empty when the table does not exist.
        """
        raise NotImplementedError(f"{type(self).__name__} keeps no QGIS styles")

    def assign(
        self,
        layer: str,
        *,
        areas: str = "areas",
        areas_where: Where | None = None,
        area_id: str = "id",
    ) -> pd.DataFrame:
        """Return the area each feature of ``layer`` lies in (see :mod:`geo.joins`).

        Features are reduced to a point on their surface; a point on a shared edge
        goes to the smallest area id. Features outside every area are left out.

        Returns
        -------
        pandas.DataFrame
            The key columns of ``layer`` and ``area_id``, ordered by the key.
        """
        from geo.joins import assign_to_areas

        lay = self._schema_layer(layer)
        features = self.read(layer, columns=list(lay.key))
        targets = self.read(areas, where=areas_where, columns=[area_id])
        found = assign_to_areas(features, targets, area_id=area_id)
        out = pd.DataFrame(features[list(lay.key)]).assign(area_id=found.to_numpy())
        return out[out["area_id"].notna()].reset_index(drop=True)

    def count(self, layer: str) -> int:
        """Return the number of rows of ``layer`` as this transaction sees it."""
        lay = self._schema_layer(layer)
        return len(self.read(layer, columns=list(lay.key)))

    @abc.abstractmethod
    def _schema_layer(self, name: str) -> Layer:
        """The layer of the store's schema called ``name``."""


class Store(abc.ABC):
    """A Quartiersmonitor store: the data model in a GeoPackage or in PostGIS.

    ``url`` is the store's URL as it may be shown: a password in it is masked
    (:func:`redact_url`); the connection keeps the real one to itself.
    """

    url: str
    schema: Schema
    migrations: Sequence[Migration]
    #: The AGS prefix the store object is limited to (None: not limited; see :meth:`scoped`).
    scope: str | None = None

    @abc.abstractmethod
    def scoped(self, ags: str, *, write: bool = False) -> Store:
        """Return the store as a user of municipality scope ``ags`` (an AGS prefix) uses it.

        PostGIS: limited by the database (row-level security, one role per scope).
        GeoPackage: one municipality per file; a scope that does not cover it is refused.
        """

    @abc.abstractmethod
    def municipalities(self) -> list[str]:
        """Return the distinct AGS of the store's own records, as this store may see them."""

    def declare_register(self) -> None:  # noqa: B027 - a no-op where several are allowed
        """Mark the store as a Land's or the Bund's register (Verzeichnis).

        A register holds the Gesamtmaßnahmen of many municipalities and the reports
        collected from them, owned by one authority with no access for single towns.
        PostGIS holds several municipalities anyway (row-level security keeps them apart);
        a GeoPackage otherwise holds one (see :meth:`is_register`).
        """

    def is_register(self) -> bool:
        """Return whether the store may hold records of several municipalities."""
        return True

    @property
    @abc.abstractmethod
    def crs(self) -> CRS:
        """The storage CRS recorded in the store."""

    @abc.abstractmethod
    def schema_version(self) -> int:
        """Return the version of the data model the store is at (0: not initialised)."""

    @abc.abstractmethod
    def init(self, *, crs: CRS | str | None = None) -> int:
        """Create the schema, or migrate an older one; return the new version."""

    @abc.abstractmethod
    def counts(self) -> dict[str, int]:
        """Return the number of rows per layer, in model order."""

    @abc.abstractmethod
    def change_token(self) -> ChangeToken:
        """Return the store's change token (one small query; see :class:`ChangeToken`).

        A store that is not initialised yet has the token ``("", 0)``.
        """

    @abc.abstractmethod
    def transaction(self, *, user: str | None = None) -> AbstractContextManager[Transaction]:
        """Open a transaction; it commits when the block ends and rolls back on error."""

    def read(
        self,
        layer: str,
        *,
        bbox: BBox | None = None,
        where: Where | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Read a layer (a GeoDataFrame for spatial layers), optionally filtered."""
        with self.transaction() as tx:
            return tx.read(layer, bbox=bbox, where=where, columns=columns)

    def write(
        self,
        layer: str,
        frame: pd.DataFrame,
        *,
        mode: WriteMode = "append",
        user: str | None = None,
    ) -> int:
        """Write a frame in a transaction of its own."""
        with self.transaction(user=user) as tx:
            return tx.write(layer, frame, mode=mode)

    def delete(self, layer: str, where: Where | None = None) -> int:
        """Delete rows in a transaction of its own."""
        with self.transaction() as tx:
            return tx.delete(layer, where)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({redact_url(self.url)!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def layer(self, name: str) -> Layer:
        return self.schema.layer(name)

    def iter_layers(self) -> Iterator[Layer]:
        yield from self.schema.layers.values()


def default_schema() -> tuple[Schema, Sequence[Migration]]:
    from geo.schema import MIGRATIONS

    return SCHEMA, MIGRATIONS
