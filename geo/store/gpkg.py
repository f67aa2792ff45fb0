"""The embedded store: the data model in one GeoPackage file that QGIS opens as it is.

Writes go through sqlite3 so that one SQLite transaction spans every write of an
import (GDAL would commit each layer on its own); bulk reads go through pyogrio
with Arrow, from GDAL's Arrow table straight to our dtypes. Layers are registered in
``gpkg_contents`` with German titles, have an R-tree spatial index, and attribute
tables are registered as ``attributes`` so QGIS lists them too. A bulk write of a
spatial layer inserts many rows per statement in key order and packs the R-tree
afresh (:mod:`geo.store.gpkg_rtree`), as GDAL does for a new layer.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import shapely
from pyproj import CRS

from geo.crs import parse_crs, storage_crs_setting
from geo.errors import SchemaError, StoreBusyError, StoreError
from geo.messages import render
from geo.municipality import scope_label, valid_scope
from geo.schema import (
    AGS_COLUMN,
    COLLECTED_LAYERS,
    GEOMETRY_COLUMN,
    MIGRATIONS,
    AddColumn,
    AddLayer,
    AddView,
    Column,
    FillMunicipality,
    Layer,
    Migration,
    Schema,
    View,
    build_schema,
    municipal_layers,
)
from geo.store import gpkg_geometry, gpkg_rtree
from geo.store.base import (
    CHANGE_COUNTER_KEY,
    LAYER_STYLE_COLUMNS,
    LAYER_STYLES,
    STORE_ID_KEY,
    STYLE_OWNER,
    UPSERT_KEEPS,
    BBox,
    ChangeToken,
    LayerStyle,
    Store,
    Transaction,
    Where,
    WriteMode,
    check_mode,
    check_update,
    check_where,
    conform,
    empty_frame,
    prepare_for_write,
)

_SQL_TYPES = {
    "text": "TEXT",
    "integer": "INTEGER",
    "real": "REAL",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "DATETIME",
}
_APPLICATION_ID = 0x47504B47  # 'GPKG'
_USER_VERSION = 10400  # GeoPackage 1.4.0
_META = "qmon_meta"
REGISTER_KEY = "register"
"""Meta key: "1" when the file is a Land's or the Bund's register (several municipalities)."""
#: Environment variable: seconds a reader or writer waits for a GeoPackage another
#: process is writing (an import, a save) before it gives up with a message.
BUSY_SECONDS_ENV = "QMON_GPKG_BUSY_SECONDS"
DEFAULT_BUSY_SECONDS = 10.0


def busy_seconds(environ: Mapping[str, str] | None = None) -> float:
    """Return how long to wait for a GeoPackage locked by a writer (``QMON_GPKG_BUSY_SECONDS``).

    Raises
    ------
    StoreError
        When the setting is not a number of seconds of at least 0.

    Examples
    --------
    >>> busy_seconds({})
    10.0
    >>> busy_seconds({"QMON_GPKG_BUSY_SECONDS": "2,5"})
    2.5
    """
    env = os.environ if environ is None else environ
    raw = env.get(BUSY_SECONDS_ENV, "").strip()
    if not raw:
        return DEFAULT_BUSY_SECONDS
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise StoreError(
            f"Die Einstellung {BUSY_SECONDS_ENV}={raw!r} ist keine Wartezeit in Sekunden; "
            f"geben Sie eine Zahl ab 0 an (z. B. {BUSY_SECONDS_ENV}=10) oder lassen Sie sie weg."
        )
    return value


def q(name: str) -> str:
    """Quote an SQLite identifier (names come from the schema, never from users)."""
    return '"' + name.replace('"', '""') + '"'


class GeoPackageStore(Store):
    """The data model in a GeoPackage file.

    Parameters
    ----------
    path
        The ``.gpkg`` file; created with its folder on :meth:`init`.
    migrations
        The model's migrations (the default is the current model).
    """

    def __init__(self, path: str | Path, *, migrations: Sequence[Migration] = MIGRATIONS) -> None:
        self.path = Path(path)
        self.url = str(path)
        self.migrations = tuple(migrations)
        self.schema = build_schema(self.migrations)
        self._crs: CRS | None = None

    # --- connections -----------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if not self.path.parent.exists():
            raise StoreError(
                code="store.folder_missing", folder=str(self.path.parent), url=self.url
            )
        try:
            conn = sqlite3.connect(self.path, timeout=busy_seconds(), isolation_level=None)
        except sqlite3.Error as exc:
            raise self._fault(exc) from None
        try:
            gpkg_geometry.register_functions(conn)
            conn.execute("PRAGMA foreign_keys = OFF")
        except sqlite3.Error as exc:
            conn.close()
            raise self._fault(exc) from None
        return conn

    @contextmanager
    def _begin(self, *, write: bool = True) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
            except BaseException:
                _rollback(conn)
                raise
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(conn)
            raise self._fault(exc) from None
        finally:
            conn.close()

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A connection for a few reads outside a transaction; SQLite errors said in German."""
        conn = self._connect()
        try:
            yield conn
        except sqlite3.Error as exc:
            raise self._fault(exc) from None
        finally:
            conn.close()

    def _fault(self, exc: BaseException) -> StoreError:
        """Turn an SQLite or GDAL error into a store error that says in German what to do."""
        return gpkg_fault(self.url, exc)

    # --- schema ------------------------------------------------------------------

    def schema_version(self) -> int:
        if not self.path.exists():
            return 0
        with self._reading() as conn:
            return _read_version(conn)

    def change_token(self) -> ChangeToken:
        """Return the change token: one query on the metadata table."""
        if not self.path.exists():
            return ChangeToken("", 0)
        with self._reading() as conn:
            try:
                rows = conn.execute(
                    f"SELECT key, value FROM {_META} WHERE key IN (?, ?)",
                    (STORE_ID_KEY, CHANGE_COUNTER_KEY),
                ).fetchall()
            except sqlite3.OperationalError as exc:
                if "no such table" not in str(exc):
                    raise
                return ChangeToken("", 0)
        meta = {str(k): str(v) for k, v in rows}
        return ChangeToken(meta.get(STORE_ID_KEY, ""), int(meta.get(CHANGE_COUNTER_KEY) or 0))

    @property
    def crs(self) -> CRS:
        if self._crs is None:
            with self._reading() as conn:
                row = _meta(conn, "crs")
            if row is None:
                raise SchemaError(code="store.not_ready", url=self.url)
            self._crs = parse_crs(row)
        return self._crs

    def init(self, *, crs: CRS | str | None = None) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._begin() as conn:
            current = _read_version(conn)
            latest = self.migrations[-1].version if self.migrations else 0
            if current > latest:
                raise SchemaError(
                    code="store.newer", where=repr(self.url), version=current, program=latest
                )
            if current == 0:
                target = parse_crs(crs) if crs is not None else storage_crs_setting()
                _create_gpkg_tables(conn)
                _register_srs(conn, target)
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {_META} (key TEXT PRIMARY KEY, value TEXT)"
                )
                _set_meta(conn, "crs", target.to_string())
            else:
                stored = parse_crs(_meta(conn, "crs") or "")
                if crs is not None and not parse_crs(crs).equals(stored):
                    raise SchemaError(
                        code="store.crs_fixed",
                        where=repr(self.url),
                        stored=stored.to_string(),
                        wanted=parse_crs(crs).to_string(),
                    )
                target = stored
            if not _meta(conn, STORE_ID_KEY):
                _set_meta(conn, STORE_ID_KEY, uuid.uuid4().hex)
            srs_id = int(target.to_epsg() or 0)
            layers: dict[str, Layer] = dict(build_schema(self.migrations, upto=current).layers)
            for migration in self.migrations:
                if migration.version <= current:
                    continue
                for step in migration.steps:
                    if isinstance(step, AddLayer):
                        _create_layer(conn, step.layer, srs_id)
                        layers[step.layer.name] = step.layer
                    elif isinstance(step, AddColumn):
                        _add_column(conn, step.layer, step.column)
                    elif isinstance(step, AddView):
                        _create_view(conn, step.view, layers, srs_id)
                    elif isinstance(step, FillMunicipality):
                        _fill_municipality(conn, step.layers)
                _set_meta(conn, "schema_version", str(migration.version))
            conn.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {_USER_VERSION}")
            version = _read_version(conn)
            if conn.total_changes:  # created, migrated or given its id: a change
                _count_change(conn)
        self._crs = target
        return version

    def _check_ready(self) -> None:
        version = self.schema_version()
        if version == 0:
            raise SchemaError(code="store.not_ready", url=self.url)
        if version != self.schema.version:
            raise SchemaError(
                code="store.version_mismatch",
                where=repr(self.url),
                version=version,
                program=self.schema.version,
                url=self.url,
                newer=render("store.version_newer_hint") if version > self.schema.version else "",
            )

    # --- the one municipality -------------------------------------------------------

    def municipalities(self) -> list[str]:
        """Return the distinct AGS of the store's own records (one at most in a GeoPackage)."""
        self._check_ready()
        with self._reading() as conn:
            return sorted(_own_ags(conn, self.schema))

    def scoped(self, ags: str, *, write: bool = False) -> GeoPackageStore:
        """Return the store for a user of scope ``ags`` if it covers the file's municipality.

        A GeoPackage holds one municipality and has no database roles: a scope that covers
        its municipality (or a store without one yet) sees the whole file; any other is
        refused.

        Raises
        ------
        StoreError
            When ``ags`` is no scope, or the file belongs to a municipality outside it.
        """
        if not valid_scope(ags):
            raise StoreError(code="store.scope_invalid", value=ags)
        own = self.municipalities()
        outside = [m for m in own if not m.startswith(ags)]
        if outside:
            raise StoreError(
                code="store.other_municipality",
                url=self.url,
                ags=", ".join(outside),
                scope=scope_label(ags),
            )
        limited = copy.copy(self)
        limited.scope = ags
        return limited

    def declare_register(self) -> None:
        """Mark the file as a Land's or the Bund's register: several municipalities allowed.

        Such a file has no access for single towns (:meth:`scoped` refuses a scope that
        does not cover every municipality in it).
        """
        self._check_ready()
        with self._begin() as conn:
            _set_meta(conn, REGISTER_KEY, "1")

    def is_register(self) -> bool:
        self._check_ready()
        with self._reading() as conn:
            return _meta(conn, REGISTER_KEY) == "1"

    def _check_one_municipality(self, conn: sqlite3.Connection) -> None:
        if _meta(conn, REGISTER_KEY) == "1":  # a Land's or the Bund's register
            return
        found = _own_ags(conn, self.schema)
        if len(found) > 1:
            raise StoreError(
                code="store.second_municipality",
                url=self.url,
                found=", ".join(f"{ags} ({', '.join(layers)})" for ags, layers in found.items()),
            )

    # --- reading and writing -------------------------------------------------------

    def counts(self) -> dict[str, int]:
        self._check_ready()
        with self._reading() as conn:
            sql = " UNION ALL ".join(
                f"SELECT {i}, count(*) FROM {q(name)}" for i, name in enumerate(self.schema.layers)
            )
            rows = dict(conn.execute(sql).fetchall())
        return {name: int(rows[i]) for i, name in enumerate(self.schema.layers)}

    @contextmanager
    def transaction(self, *, user: str | None = None) -> Iterator[Transaction]:
        self._check_ready()
        crs = self.crs
        with self._begin() as conn:
            tx = _GpkgTransaction(self, conn, crs, user)
            yield tx
            if tx.ags_written:  # one municipality per GeoPackage, checked before commit
                self._check_one_municipality(conn)
            if tx.changed:  # in the same transaction: a rollback takes it back too
                _count_change(conn)

    def read(
        self,
        layer: str,
        *,
        bbox: BBox | None = None,
        where: Where | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Read a layer; spatial layers in bulk through pyogrio and Arrow."""
        lay = self.schema.layer(layer)
        self._check_ready()
        crs = self.crs
        if not lay.spatial:
            with self._begin(write=False) as conn:
                tx = _GpkgTransaction(self, conn, crs, None)
                return tx.read(layer, bbox=bbox, where=where, columns=columns)
        if columns is not None:
            lay.check_columns(columns)
        fids: list[int] | None = None
        if bbox is not None or where:
            with self._reading() as conn:
                fids = _matching_fids(conn, lay, bbox, check_where(lay, where))
            if not fids:
                return _select(empty_frame(lay, crs), lay, columns)
        if all(c.type in _ARROW_TYPES for c in lay.columns):
            out = _frame_from_arrow(lay, self._read_ogr(layer, fids, arrow=True), crs)
            return _select(out, lay, columns)
        frame = self._read_ogr(layer, fids)
        frame = (
            frame.rename_geometry(GEOMETRY_COLUMN)
            if frame.geometry.name != GEOMETRY_COLUMN
            else frame
        )
        out = conform(lay, frame, crs=crs)
        out = out.sort_values(list(lay.key), kind="stable").reset_index(drop=True)
        return _select(out, lay, columns)

    def _read_ogr(self, layer: str, fids: list[int] | None, *, arrow: bool = False) -> Any:
        """Read a layer through GDAL, waiting (as SQLite does) while a writer holds the file.

        With ``arrow`` the Arrow table as GDAL gives it (geometry as WKB), else a frame.
        """
        deadline = time.monotonic() + busy_seconds()
        while True:
            try:
                if arrow:
                    meta, table = pyogrio.read_arrow(self.path, layer=layer, fids=fids)
                    return table.rename_columns(
                        [
                            GEOMETRY_COLUMN if c == meta["geometry_name"] else c
                            for c in table.column_names
                        ]
                    )
                return pyogrio.read_dataframe(
                    self.path,
                    layer=layer,
                    fids=fids,
                    use_arrow=True,
                    fid_as_index=False,
                    # integers with gaps as Python ints: via float64 they lose digits past 2**53
                    arrow_to_pandas_kwargs={"integer_object_nulls": True},
                )
            except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
                fault = self._fault(exc)
                if not isinstance(fault, StoreBusyError) or time.monotonic() >= deadline:
                    raise fault from None
                time.sleep(0.05)


#: Column types that :func:`_frame_from_arrow` turns into their canonical dtypes straight
#: from Arrow; a layer with any other (dates, booleans) is read through pandas and
#: :func:`conform`.
_ARROW_TYPES = frozenset({"text", "integer", "real"})


def _frame_from_arrow(layer: Layer, table: pa.Table, crs: CRS) -> pd.DataFrame:
    """Return the frame :func:`conform` would make of a layer's Arrow table, sorted by key.

    The same columns, dtypes, nulls and geometry as reading through pandas and
    :func:`conform`, without a Python loop per value: the rows are sorted by the key in
    Arrow (stable, nulls last, strings by code point as in pandas), text comes out as
    str or None, integers as ``Int64`` from their values and validity, geometry from WKB
    (points straight from their coordinates).
    """
    import geopandas as gpd
    from geopandas.array import GeometryArray

    if layer.key and table.num_rows > 1:
        order = pc.sort_indices(table, sort_keys=[(k, "ascending", "at_end") for k in layer.key])
        if not _is_identity(order):
            table = table.take(order)
    index = pd.RangeIndex(table.num_rows)
    data: dict[str, Any] = {}
    for col in layer.columns:
        if col.name not in table.column_names:
            data[col.name] = _as_canonical(pa.nulls(table.num_rows), col.type, index)
        else:
            data[col.name] = _as_canonical(table.column(col.name), col.type, index)
    if GEOMETRY_COLUMN in table.column_names:
        geoms = gpkg_geometry.from_wkb_arrow(table.column(GEOMETRY_COLUMN))
    else:
        geoms = np.full(table.num_rows, None, dtype=object)
    data[GEOMETRY_COLUMN] = pd.Series(GeometryArray(geoms, crs=crs), index=index, copy=False)
    # columns as they are: no block consolidation, no copies (a million rows: 0.5 s less)
    return gpd.GeoDataFrame(pd.DataFrame(data, index=index, copy=False), copy=False)


def _in_key_order(frame: pd.DataFrame, layer: Layer) -> pd.DataFrame:
    """Return ``frame`` sorted by the layer's key (as :func:`_frame_from_arrow` sorts).

    Rows written in key order fill the key's unique index at its end (not all over it)
    and come back from GDAL already in order, so a read need not move them.
    """
    if len(frame) < 2 or not layer.key:
        return frame
    keys = pa.table({k: pa.array(frame[k], from_pandas=True) for k in layer.key})
    order = pc.sort_indices(keys, sort_keys=[(k, "ascending", "at_end") for k in layer.key])
    return frame if _is_identity(order) else frame.take(order.to_numpy())


def _is_identity(order: pa.Array) -> bool:
    """True when sort indices leave the rows where they are (a file written in key order)."""
    values = order.to_numpy()
    return bool((values == np.arange(len(values))).all())


def _as_canonical(column: pa.ChunkedArray | pa.Array, type_: str, index: pd.Index) -> pd.Series:
    """Return one Arrow column in the dtype :func:`conform` gives ``type_``."""
    if type_ == "text":
        if not (
            pa.types.is_null(column.type)
            or pa.types.is_string(column.type)
            or pa.types.is_large_string(column.type)
        ):
            column = pc.cast(column, pa.string())
        values = column.to_numpy(zero_copy_only=False)
        if values.dtype != object:
            values = values.astype(object)
        return pd.Series(values, index=index, dtype=object, copy=False)
    if type_ == "integer":
        ints = pc.cast(column, pa.int64())
        mask = ints.is_null().to_numpy(zero_copy_only=False)
        values = pc.fill_null(ints, 0).to_numpy(zero_copy_only=False)
        return pd.Series(pd.arrays.IntegerArray(values, mask), index=index, copy=False)
    floats = pc.cast(column, pa.float64())
    return pd.Series(
        floats.to_numpy(zero_copy_only=False), index=index, dtype="float64", copy=False
    )


def _select(frame: pd.DataFrame, layer: Layer, columns: Sequence[str] | None) -> pd.DataFrame:
    if columns is None:
        return frame
    keep = [c for c in columns if c != GEOMETRY_COLUMN]
    if layer.spatial:
        keep = keep + [GEOMETRY_COLUMN]
    return frame[keep]


class _GpkgTransaction(Transaction):
    def __init__(
        self, store: GeoPackageStore, conn: sqlite3.Connection, crs: CRS, user: str | None
    ):
        self.store = store
        self.conn = conn
        self.crs = crs
        self.srs_id = int(crs.to_epsg() or 0)
        self.user = user
        self.changed = False  # did this transaction write anything?
        self.ags_written = False  # did it write a municipality key (checked at commit)?

    def _schema_layer(self, name: str) -> Layer:
        return self.store.schema.layer(name)

    def count(self, layer: str) -> int:
        lay = self.store.schema.layer(layer)
        (n,) = self.conn.execute(f"SELECT count(*) FROM {q(lay.name)}").fetchone()
        return int(n)

    def read(
        self,
        layer: str,
        *,
        bbox: BBox | None = None,
        where: Where | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        lay = self.store.schema.layer(layer)
        if columns is not None:
            lay.check_columns(columns)
        cols = list(lay.column_names) + ([GEOMETRY_COLUMN] if lay.spatial else [])
        sql = f"SELECT {', '.join(q(c) for c in cols)} FROM {q(layer)}"
        params: list[Any] = []
        if bbox is not None or where:
            fids = _matching_fids(self.conn, lay, bbox, check_where(lay, where))
            sql += " WHERE fid IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(fids))
        sql += " ORDER BY " + ", ".join(q(k) for k in lay.key)
        rows = self.conn.execute(sql, params).fetchall()
        data = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
        if lay.spatial:
            data[GEOMETRY_COLUMN] = list(gpkg_geometry.decode(data[GEOMETRY_COLUMN]))
        frame = pd.DataFrame(data, columns=cols)
        if lay.spatial:
            import geopandas as gpd

            frame = gpd.GeoDataFrame(frame, geometry=GEOMETRY_COLUMN, crs=self.crs)
        return _select(conform(lay, frame, crs=self.crs), lay, columns)

    def write(self, layer: str, frame: pd.DataFrame, *, mode: WriteMode = "append") -> int:
        check_mode(mode)
        lay = self.store.schema.layer(layer)
        ready = prepare_for_write(lay, frame, crs=self.crs, user=self.user)
        if mode == "replace":
            self.changed = True
            if lay.spatial:
                _clear_spatial(self.conn, lay)
            else:
                self.conn.execute(f"DELETE FROM {q(layer)}")
        if not len(ready):
            return 0
        if AGS_COLUMN in ready and layer not in COLLECTED_LAYERS:
            self.ags_written = self.ags_written or bool(ready[AGS_COLUMN].notna().any())
        if lay.spatial and mode != "upsert":
            ready = _in_key_order(ready, lay)
        cols = list(lay.column_names)
        values = [_sql_values(ready[c], lay.column(c).type) for c in cols]
        if lay.spatial:
            cols.append(GEOMETRY_COLUMN)
            values.append(gpkg_geometry.encode(np.asarray(ready.geometry.values), self.srs_id))
        placeholders = ", ".join("?" for _ in cols)
        sql = f"INSERT INTO {q(layer)} ({', '.join(q(c) for c in cols)}) VALUES ({placeholders})"
        if mode == "upsert":
            updates = [c for c in cols if c not in lay.key and c not in UPSERT_KEEPS]
            sets = [
                '"version" = "version" + 1'  # an upsert is an edit: one more version
                if lay.editable and c == "version"
                else f"{q(c)} = excluded.{q(c)}"
                for c in updates
            ]
            conflict = ", ".join(q(k) for k in lay.key)
            sql += f" ON CONFLICT ({conflict}) " + (
                f"DO UPDATE SET {', '.join(sets)}" if sets else "DO NOTHING"
            )
        self.changed = True
        try:
            extent: gpkg_rtree.Extent | None = None
            if lay.spatial and mode != "upsert":
                extent = _bulk_insert_indexed(self.conn, lay, cols, values, ready.geometry.values)
            else:
                self.conn.executemany(sql, zip(*values))
        except sqlite3.IntegrityError as exc:
            raise StoreError(
                code="store.integrity",
                layer=lay.title or layer,
                detail=str(exc),
                key=", ".join(lay.key),
            ) from exc
        if lay.spatial:
            _update_extent(self.conn, lay, self.store.schema, extent)
        return len(ready)

    def delete(self, layer: str, where: Where | None = None) -> int:
        lay = self.store.schema.layer(layer)
        clause, params = _where_sql(lay, check_where(lay, where))
        cur = self.conn.execute(f"DELETE FROM {q(layer)}{clause}", params)
        self.changed = self.changed or cur.rowcount > 0
        return int(cur.rowcount)

    def write_layer_styles(self, styles: Sequence[LayerStyle]) -> int:
        """Replace the Quartiersmonitor's styles in ``layer_styles`` (QGIS reads them there)."""
        _create_layer_styles(self.conn)
        self.conn.execute(f"DELETE FROM {LAYER_STYLES} WHERE owner = ?", (STYLE_OWNER,))
        now = _now_text()
        rows = [
            (
                s.layer,
                GEOMETRY_COLUMN if self.store.schema.has_geometry(s.layer) else "",
                s.name,
                s.qml,
                int(s.default),
                s.description,
                STYLE_OWNER,
                now,
            )
            for s in styles
        ]
        self.conn.executemany(
            f"INSERT INTO {LAYER_STYLES} (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
            "owner, ui, update_time) VALUES ('', '', ?, ?, ?, ?, NULL, ?, ?, ?, NULL, ?)",
            rows,
        )
        self.conn.execute(
            "UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?", (now, LAYER_STYLES)
        )
        self.changed = True
        return len(rows)

    def read_layer_styles(self) -> pd.DataFrame:
        exists = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (LAYER_STYLES,)
        ).fetchone()
        if not exists:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in LAYER_STYLE_COLUMNS})
        cols = ", ".join(q(c) for c in LAYER_STYLE_COLUMNS)
        rows = self.conn.execute(f"SELECT {cols} FROM {LAYER_STYLES} ORDER BY id").fetchall()
        frame = pd.DataFrame(rows, columns=list(LAYER_STYLE_COLUMNS), dtype=object)
        return frame.assign(useAsDefault=frame["useAsDefault"].astype(bool))

    def update(
        self,
        layer: str,
        key: Mapping[str, Any],
        values: Mapping[str, Any],
        *,
        expected_version: int | None = None,
        user: str | None = None,
    ) -> int:
        lay = self.store.schema.layer(layer)
        check_update(lay, key, values, expected_version=expected_version)
        if AGS_COLUMN in values and layer not in COLLECTED_LAYERS:
            self.ags_written = True
        if GEOMETRY_COLUMN in values and lay.geometry == "MULTIPOLYGON":
            geom = values[GEOMETRY_COLUMN]
            if geom is not None and geom.geom_type == "Polygon":
                values = {**values, GEOMETRY_COLUMN: shapely.MultiPolygon([geom])}
        sets: list[str] = []
        params: list[Any] = []
        for name, value in values.items():
            sets.append(f"{q(name)} = ?")
            if name == GEOMETRY_COLUMN:
                params.append(gpkg_geometry.encode([value], self.srs_id)[0])
            else:
                params.append(_sql_values(pd.Series([value]), lay.column(name).type)[0])
        if lay.editable:
            sets += ['"version" = "version" + 1', '"updated_at" = ?', '"updated_by" = ?']
            params += [_now_text(), user or self.user]
        clause, where_params = _where_sql(lay, {k: [v] for k, v in key.items()})
        if expected_version is not None:
            clause += ' AND "version" = ?'
            where_params.append(int(expected_version))
        cur = self.conn.execute(
            f"UPDATE {q(layer)} SET {', '.join(sets)}{clause}", params + where_params
        )
        self.changed = self.changed or cur.rowcount > 0
        if lay.spatial and GEOMETRY_COLUMN in values:
            _update_extent(self.conn, lay, self.store.schema)
        return int(cur.rowcount)


# --- helpers ---------------------------------------------------------------------------


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open (SQLite ends one itself on a full disk)."""
    if conn.in_transaction:  # if ROLLBACK fails, the journal undoes it on close
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def _count_change(conn: sqlite3.Connection) -> None:
    """Raise the change counter by one, inside the writing transaction."""
    cur = conn.execute(
        f"UPDATE {_META} SET value = CAST(value AS INTEGER) + 1 WHERE key = ?",
        (CHANGE_COUNTER_KEY,),
    )
    if not cur.rowcount:
        conn.execute(f"INSERT INTO {_META} (key, value) VALUES (?, '1')", (CHANGE_COUNTER_KEY,))


_SQLITE_KINDS = {
    "SQLITE_BUSY": "busy",
    "SQLITE_LOCKED": "busy",
    "SQLITE_NOTADB": "notadb",
    "SQLITE_CORRUPT": "corrupt",
    "SQLITE_FULL": "full",
    "SQLITE_READONLY": "readonly",
    "SQLITE_CANTOPEN": "cantopen",
    "SQLITE_PERM": "readonly",
}
_MESSAGE_KINDS = (
    ("database is locked", "busy"),
    ("database table is locked", "busy"),
    ("busy", "busy"),
    ("not a database", "notadb"),
    ("malformed", "corrupt"),
    ("corrupt", "corrupt"),
    ("disk is full", "full"),
    ("no space left", "full"),
    ("readonly", "readonly"),
    ("read-only", "readonly"),
    ("unable to open", "cantopen"),
    ("permission denied", "readonly"),
    ("disk i/o error", "ioerr"),
)


def gpkg_fault(url: str, exc: BaseException) -> StoreError:
    """Say in German what went wrong with the GeoPackage ``url`` and what to do.

    Used for SQLite and GDAL errors alike; a locked file gives :class:`StoreBusyError`.

    Examples
    --------
    >>> err = gpkg_fault("a.gpkg", sqlite3.OperationalError("database is locked"))
    >>> type(err).__name__, "erneut" in str(err)
    ('StoreBusyError', True)
    >>> bad = sqlite3.DatabaseError("file is not a database")
    >>> "kein GeoPackage" in str(gpkg_fault("a.gpkg", bad))
    True
    """
    text = str(exc).strip()
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    kind = next((k for prefix, k in _SQLITE_KINDS.items() if name.startswith(prefix)), "")
    if not kind or kind == "ioerr":
        low = text.lower()
        kind = next((k for needle, k in _MESSAGE_KINDS if needle in low), kind or "other")
    where = f"Das GeoPackage {url!r}"
    detail = f" (SQLite/GDAL: {text.splitlines()[0] if text else type(exc).__name__})"
    if kind == "busy":
        return StoreBusyError(
            f"{where} wird gerade von einem Import oder einer Speicherung beschrieben; nach "
            f"{busy_seconds():g} s Warten ist es noch immer belegt. Bitte versuchen Sie es in "
            "einigen Sekunden erneut (die Wartezeit lässt sich mit "
            f"{BUSY_SECONDS_ENV} einstellen).{detail}"
        )
    if kind == "notadb":
        return StoreError(
            f"Die Datei {url!r} ist kein GeoPackage (keine SQLite-Datenbank). Prüfen Sie den "
            "Pfad (--store bzw. QMON_STORE) oder stellen Sie die Datei aus einer Sicherung "
            f"wieder her; ein neuer Datenbestand entsteht mit 'qmon init'.{detail}"
        )
    if kind == "corrupt":
        return StoreError(
            f"{where} ist beschädigt oder unvollständig (etwa beim Kopieren abgeschnitten). "
            "Stellen Sie die Datei aus einer Sicherung wieder her; vorher lässt sich mit "
            f"'sqlite3 {url} .recover' retten, was noch lesbar ist.{detail}"
        )
    if kind == "full":
        return StoreError(
            f"Auf dem Datenträger des GeoPackages {url!r} ist kein Platz mehr (oder die Datei "
            "hat ihre Größengrenze erreicht). Es wurde nichts gespeichert, der "
            "Datenbestand ist unverändert. Schaffen Sie Platz und wiederholen Sie den "
            f"Vorgang.{detail}"
        )
    if kind == "readonly":
        return StoreError(
            f"{where} ist schreibgeschützt oder der Ordner erlaubt kein Schreiben. Prüfen Sie "
            f"die Dateirechte oder arbeiten Sie mit einer Kopie.{detail}"
        )
    if kind == "cantopen":
        return StoreError(
            f"{where} lässt sich nicht öffnen. Prüfen Sie Pfad und Zugriffsrechte.{detail}"
        )
    return StoreError(
        f"{where} meldet einen Fehler beim Lesen oder Schreiben; der Vorgang wurde "
        f"abgebrochen, nichts wurde gespeichert. Prüfen Sie die Datei und den Datenträger "
        f"und versuchen Sie es erneut.{detail}"
    )


def _bulk_insert_indexed(
    conn: sqlite3.Connection, layer: Layer, cols: list[str], values: list[list[Any]], geoms: Any
) -> gpkg_rtree.Extent | None:
    """Insert rows with the R-tree insert trigger paused and the index filled in bulk.

    Inside the transaction only: the trigger is back before anyone else can write.
    Fids of AUTOINCREMENT tables grow one by one under the write lock, so the new
    rows have fids last+1 … last+n in the order given. The rows go in many to a
    statement; the R-tree is packed anew (:mod:`gpkg_rtree`) when the new rows are at
    least as many as those it holds, else they are inserted into it. Returns the
    R-tree's extent when it was packed anew (None: not known here).
    """
    rtree = _rtree(layer)
    trigger = f"{rtree}_insert"
    (trigger_sql,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)
    ).fetchone()
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (layer.name,)).fetchone()
    last = max(int(row[0]) if row else 0, _max_fid(conn, layer))
    conn.execute(f"DROP TRIGGER {q(trigger)}")
    _insert_rows(conn, layer.name, cols, values)
    conn.execute(trigger_sql)
    arr = np.asarray(geoms, dtype=object)
    present = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    fids = np.arange(last + 1, last + 1 + len(arr))[present]
    bounds = shapely.bounds(arr[present])[:, [0, 2, 1, 3]]  # minx, maxx, miny, maxy
    (held,) = conn.execute(f'SELECT count(*) FROM "{rtree}_rowid"').fetchone()
    if len(fids) >= int(held):
        if held:  # the float32 envelopes it holds, kept as they are
            old = np.array(
                conn.execute(f"SELECT id, minx, maxx, miny, maxy FROM {q(rtree)}").fetchall(),
                dtype=np.float64,
            ).reshape(-1, 5)
            fids = np.concatenate([old[:, 0].astype(np.int64), fids])
            bounds = np.concatenate([old[:, 1:], bounds])
        return gpkg_rtree.load(conn, rtree, fids, bounds)
    conn.executemany(
        f"INSERT INTO {q(rtree)} VALUES (?, ?, ?, ?, ?)",
        zip(fids.tolist(), *(bounds[:, i].tolist() for i in range(4))),
    )
    return None


#: Bound values per INSERT statement of :func:`_insert_rows` (SQLite allows 32,766).
_VALUES_PER_STATEMENT = 480


def _insert_rows(
    conn: sqlite3.Connection, table: str, cols: list[str], values: list[list[Any]]
) -> None:
    """Insert the rows (one list of values per column) in order, many rows per statement."""
    width = len(cols)
    n = len(values[0]) if values else 0
    flat: list[Any] = [None] * (n * width)
    for j, column in enumerate(values):
        flat[j::width] = column
    names = ", ".join(q(c) for c in cols)
    one = "(" + ", ".join("?" for _ in cols) + ")"
    per = max(1, _VALUES_PER_STATEMENT // width)
    full = n // per * per
    if full:
        step = per * width
        conn.executemany(
            f"INSERT INTO {q(table)} ({names}) VALUES {', '.join([one] * per)}",
            (flat[a : a + step] for a in range(0, full * width, step)),
        )
    if n > full:
        rest = n - full
        conn.execute(
            f"INSERT INTO {q(table)} ({names}) VALUES {', '.join([one] * rest)}",
            flat[full * width :],
        )


def _clear_spatial(conn: sqlite3.Connection, layer: Layer) -> None:
    """Delete every row of a spatial layer and empty its R-tree, in the open transaction.

    The delete trigger would take each row out of the R-tree one by one; paused, SQLite
    empties the table at once, and the R-tree is created anew, empty.
    """
    rtree = _rtree(layer)
    trigger = f"{rtree}_delete"
    (trigger_sql,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)
    ).fetchone()
    conn.execute(f"DROP TRIGGER {q(trigger)}")
    conn.execute(f"DELETE FROM {q(layer.name)}")
    conn.execute(trigger_sql)
    gpkg_rtree.load(conn, rtree, np.empty(0, dtype=np.int64), np.empty((0, 4)))


def _max_fid(conn: sqlite3.Connection, layer: Layer) -> int:
    row = conn.execute(f"SELECT max(fid) FROM {q(layer.name)}").fetchone()
    return int(row[0] or 0)


def _where_sql(layer: Layer, where: dict[str, list[Any]]) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    for name, allowed in where.items():
        type_ = layer.column(name).type
        nulls = any(v is None for v in allowed)
        vals = [v for v in allowed if v is not None]
        alts: list[str] = []
        if vals:
            encoded = _sql_values(pd.Series(vals, dtype=object), type_)
            alts.append(f"{q(name)} IN ({', '.join('?' for _ in encoded)})")
            params.extend(encoded)
        if nulls:
            alts.append(f"{q(name)} IS NULL")
        parts.append("(" + (" OR ".join(alts) or "0") + ")")
    return ((" WHERE " + " AND ".join(parts)) if parts else "", params)


def _matching_fids(
    conn: sqlite3.Connection, layer: Layer, bbox: BBox | None, where: dict[str, list[Any]]
) -> list[int]:
    clause, params = _where_sql(layer, where)
    sql = f"SELECT fid FROM {q(layer.name)}{clause}"
    if bbox is not None:
        if not layer.spatial:
            raise StoreError(f"layer {layer.name!r} has no geometry; a bbox filter needs one")
        minx, miny, maxx, maxy = (float(v) for v in bbox)
        sql += (" AND " if clause else " WHERE ") + (
            f"fid IN (SELECT id FROM {q(_rtree(layer))} "
            "WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ?)"
        )
        params += [minx, maxx, miny, maxy]
    return [int(r[0]) for r in conn.execute(sql + " ORDER BY fid", params)]


def _sql_values(series: pd.Series, type_: str) -> list[Any]:
    """Turn a column into plain Python values SQLite stores (None for missing)."""
    missing = series.isna().to_numpy()
    vals: list[Any]
    if type_ == "date":
        vals = pd.to_datetime(series).dt.strftime("%Y-%m-%d").tolist()
    elif type_ == "datetime":
        text = pd.to_datetime(series).dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        vals = [None if v is None or v != v else v[:-4] + "Z" for v in text.tolist()]
    elif type_ == "boolean":
        vals = [int(bool(v)) if v is not None and v is not pd.NA else None for v in series.tolist()]
    elif type_ == "integer" and (series.dtype.kind in "iu" or str(series.dtype) == "Int64"):
        vals = series.to_numpy(dtype="int64", na_value=0).tolist()  # Python ints, exact
    elif type_ == "integer":
        vals = [None if m else int(v) for v, m in zip(series.tolist(), missing)]
    elif type_ == "real":
        vals = np.asarray(series, dtype="float64").tolist()
    else:
        vals = series.tolist()
    return _with_nulls(vals, missing)


def _with_nulls(values: list[Any], missing: np.ndarray) -> list[Any]:
    """``values`` with None where ``missing`` (in place: a loop over the missing only)."""
    for i in np.flatnonzero(missing).tolist():
        values[i] = None
    return values


def _now_text() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _rtree(layer: Layer) -> str:
    return f"rtree_{layer.name}_{GEOMETRY_COLUMN}"


def _read_version(conn: sqlite3.Connection) -> int:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (_META,)
    ).fetchone()
    if not exists:
        return 0
    value = _meta(conn, "schema_version")
    return int(value) if value else 0


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    try:
        row = conn.execute(f"SELECT value FROM {_META} WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError:
        return None
    return None if row is None else str(row[0])


def _set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        f"INSERT INTO {_META} (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def _create_gpkg_tables(conn: sqlite3.Connection) -> None:
    """Create the GeoPackage core tables (spec 1.4, §1.1) unless they exist."""
    for statement in _CORE_TABLES:
        conn.execute(statement)
    _register_srs(conn, CRS.from_epsg(4326))


# executescript() would commit the open transaction, so statements go one by one.
_CORE_TABLES = (
    """CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
          srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
          organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
          definition TEXT NOT NULL, description TEXT)""",
    """CREATE TABLE IF NOT EXISTS gpkg_contents (
          table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
          identifier TEXT UNIQUE, description TEXT DEFAULT '',
          last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
          min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
          CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id)
            REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    """CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
          table_name TEXT NOT NULL, column_name TEXT NOT NULL,
          geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
          z TINYINT NOT NULL, m TINYINT NOT NULL,
          CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
          CONSTRAINT uk_gc_table_name UNIQUE (table_name),
          CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
          CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""",
    """CREATE TABLE IF NOT EXISTS gpkg_extensions (
          table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
          definition TEXT NOT NULL, scope TEXT NOT NULL,
          CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))""",
    """INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES
          ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined',
           'undefined cartesian coordinate reference system'),
          ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined',
           'undefined geographic coordinate reference system')""",
)


def _register_srs(conn: sqlite3.Connection, crs: CRS) -> None:
    epsg = crs.to_epsg()
    if epsg is None:
        raise SchemaError(code="crs.no_epsg", value=crs.to_string())
    conn.execute(
        "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, 'EPSG', ?, ?, NULL)",
        (crs.name, epsg, epsg, crs.to_wkt("WKT1_GDAL")),
    )


def _create_layer(conn: sqlite3.Connection, layer: Layer, srs_id: int) -> None:
    cols = ['"fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL']
    if layer.spatial:
        cols.append(f"{q(GEOMETRY_COLUMN)} {layer.geometry}")
    cols += [
        f"{q(c.name)} {_SQL_TYPES[c.type]}{'' if c.nullable else ' NOT NULL'}"
        for c in layer.columns
    ]
    conn.execute(f"CREATE TABLE {q(layer.name)} ({', '.join(cols)})")
    conn.execute(
        f"CREATE UNIQUE INDEX {q('uk_' + layer.name)} ON {q(layer.name)} "
        f"({', '.join(q(k) for k in layer.key)})"
    )
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
        "VALUES (?, ?, ?, ?, ?)",
        (
            layer.name,
            "features" if layer.spatial else "attributes",
            layer.title,
            layer.description,
            srs_id if layer.spatial else None,
        ),
    )
    if layer.spatial:
        conn.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)",
            (layer.name, GEOMETRY_COLUMN, layer.geometry, srs_id),
        )
        _create_rtree(conn, layer)


def _create_view(
    conn: sqlite3.Connection, view: View, layers: Mapping[str, Layer], srs_id: int
) -> None:
    """Create a spatial view and register it as a features layer (GDAL and QGIS open it).

    Its first column ``fid`` is the row id of the values table: GDAL takes a view's
    first integer column as its feature id. The extent is the geometry layer's, kept in
    step by :func:`_update_extent`.
    """
    own = [c.name for c in view.columns(dict(layers)) if c not in view.shown]
    cols = ", ".join(
        [
            'v."fid" AS "fid"',
            *(f"v.{q(c)}" for c in own),
            *(f"a.{q(c.name)}" for c in view.shown),
            f"a.{q(GEOMETRY_COLUMN)}",
        ]
    )
    on = " AND ".join(f"a.{q(b)} = v.{q(a)}" for a, b in view.join)
    conn.execute(
        f"CREATE VIEW {q(view.name)} AS SELECT {cols} FROM {q(view.layer)} AS v "
        f"JOIN {q(view.geometry_layer)} AS a ON {on}"
    )
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id, "
        "min_x, min_y, max_x, max_y) SELECT ?, 'features', ?, ?, ?, min_x, min_y, max_x, max_y "
        "FROM gpkg_contents WHERE table_name = ?",
        (view.name, view.title, view.description, srs_id, view.geometry_layer),
    )
    conn.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)",
        (view.name, GEOMETRY_COLUMN, view.geometry, srs_id),
    )


def _create_rtree(conn: sqlite3.Connection, layer: Layer) -> None:
    """Create the R-tree index and its triggers (GeoPackage 1.4 Annex F.3)."""
    t, c, r = q(layer.name), q(GEOMETRY_COLUMN), q(_rtree(layer))
    name = _rtree(layer)
    env = f'NEW."fid", ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), ST_MaxY(NEW.{c})'
    has_new = f"(NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c}))"
    no_new = f"(NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c}))"
    has_old = f"(OLD.{c} NOTNULL AND NOT ST_IsEmpty(OLD.{c}))"
    no_old = f"(OLD.{c} ISNULL OR ST_IsEmpty(OLD.{c}))"
    same = 'OLD."fid" = NEW."fid"'
    other = 'OLD."fid" != NEW."fid"'
    statements = [
        f"CREATE VIRTUAL TABLE {r} USING rtree(id, minx, maxx, miny, maxy)",
        f"""
        CREATE TRIGGER "{name}_insert" AFTER INSERT ON {t} WHEN {has_new}
          BEGIN INSERT OR REPLACE INTO {r} VALUES ({env}); END""",
        f"""CREATE TRIGGER "{name}_update6" AFTER UPDATE OF {c} ON {t}
          WHEN {same} AND {has_new} AND {has_old}
          BEGIN UPDATE {r} SET minx = ST_MinX(NEW.{c}), maxx = ST_MaxX(NEW.{c}),
            miny = ST_MinY(NEW.{c}), maxy = ST_MaxY(NEW.{c}) WHERE id = NEW."fid"; END""",
        f"""CREATE TRIGGER "{name}_update7" AFTER UPDATE OF {c} ON {t}
          WHEN {same} AND {has_new} AND {no_old}
          BEGIN INSERT INTO {r} VALUES ({env}); END""",
        f"""CREATE TRIGGER "{name}_update2" AFTER UPDATE OF {c} ON {t}
          WHEN {same} AND {no_new}
          BEGIN DELETE FROM {r} WHERE id = OLD."fid"; END""",
        f"""CREATE TRIGGER "{name}_update5" AFTER UPDATE ON {t} WHEN {other} AND {has_new}
          BEGIN DELETE FROM {r} WHERE id = OLD."fid";
            INSERT OR REPLACE INTO {r} VALUES ({env}); END""",
        f"""CREATE TRIGGER "{name}_update4" AFTER UPDATE ON {t} WHEN {other} AND {no_new}
          BEGIN DELETE FROM {r} WHERE id IN (OLD."fid", NEW."fid"); END""",
        f"""CREATE TRIGGER "{name}_delete" AFTER DELETE ON {t} WHEN OLD.{c} NOT NULL
          BEGIN DELETE FROM {r} WHERE id = OLD."fid"; END""",
    ]
    for statement in statements:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', "
        "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
        (layer.name, GEOMETRY_COLUMN),
    )


def _create_layer_styles(conn: sqlite3.Connection) -> None:
    """Create QGIS's ``layer_styles`` table (as QGIS does) and list it as attributes."""
    conn.execute(
        f"""CREATE TABLE IF NOT EXISTS {LAYER_STYLES} (
          id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
          f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256),
          f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
          useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
          update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""
    )
    conn.execute(
        "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) "
        "VALUES (?, 'attributes', ?, ?)",
        (LAYER_STYLES, "QGIS-Stile", "Darstellungsstile der Ebenen für QGIS"),
    )


def _own_ags(conn: sqlite3.Connection, schema: Schema) -> dict[str, list[str]]:
    """Return each distinct AGS of the store's own records with the layers that hold it.

    Collected packages are others' records, and the audit log only follows the records it
    logs (collecting a town's package logs that town's AGS): neither counts.
    """
    own = [n for n in municipal_layers(schema) if n not in (*COLLECTED_LAYERS, "audit_log")]
    union = " UNION ALL ".join(
        f"SELECT DISTINCT {q(AGS_COLUMN)}, ? FROM {q(n)} WHERE {q(AGS_COLUMN)} IS NOT NULL"
        for n in own
    )
    found: dict[str, list[str]] = {}
    for ags, layer in conn.execute(union, own).fetchall():
        found.setdefault(str(ags), []).append(str(layer))
    return found


def _fill_municipality(conn: sqlite3.Connection, layers: Sequence[str]) -> None:
    """Migration step: give ``layers`` the store's one AGS where empty (none or several: no)."""
    rows = conn.execute(
        f"SELECT DISTINCT {q(AGS_COLUMN)} FROM funding_areas WHERE {q(AGS_COLUMN)} IS NOT NULL "
        "LIMIT 2"
    ).fetchall()
    if len(rows) != 1:
        return
    for name in layers:
        conn.execute(
            f"UPDATE {q(name)} SET {q(AGS_COLUMN)} = ? WHERE {q(AGS_COLUMN)} IS NULL", (rows[0][0],)
        )


def _add_column(conn: sqlite3.Connection, layer: str, column: Column) -> None:
    if not column.nullable:
        raise SchemaError(
            f"migration adds required column {column.name!r}; added columns must allow NULL"
        )
    conn.execute(f"ALTER TABLE {q(layer)} ADD COLUMN {q(column.name)} {_SQL_TYPES[column.type]}")


def _update_extent(
    conn: sqlite3.Connection,
    layer: Layer,
    schema: Schema,
    extent: gpkg_rtree.Extent | None = None,
) -> None:
    """Set the layer's extent in ``gpkg_contents``: ``extent`` if known, else the R-tree's."""
    if extent is None:
        conn.execute(
            f"UPDATE gpkg_contents SET (min_x, max_x, min_y, max_y) = "
            f"(SELECT min(minx), max(maxx), min(miny), max(maxy) FROM {q(_rtree(layer))}), "
            "last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = ?",
            (layer.name,),
        )
    else:
        conn.execute(
            "UPDATE gpkg_contents SET (min_x, max_x, min_y, max_y) = (?, ?, ?, ?), "
            "last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = ?",
            (*extent, layer.name),
        )
    views = [v.name for v in schema.views.values() if v.geometry_layer == layer.name]
    for name in views:  # a view showing this layer's geometry has its extent
        conn.execute(
            "UPDATE gpkg_contents SET (min_x, max_x, min_y, max_y, last_change) = "
            "(SELECT min_x, max_x, min_y, max_y, last_change FROM gpkg_contents "
            "WHERE table_name = ?) WHERE table_name = ?",
            (layer.name, name),
        )
