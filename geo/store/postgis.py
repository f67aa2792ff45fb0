"""The PostGIS store: the data model in a PostgreSQL schema, through psycopg 3.

A store is named by a URL such as ``postgresql://user@host:5432/qmon?schema=musterstadt``;
the ``schema`` query parameter selects the PostgreSQL schema that holds the tables
(default ``public``). Every layer is a table of the same name, its key is the primary
key and spatial layers have a column ``geometry`` typed ``geometry(<TYPE>, <srid>)``
with a GiST index. The schema version and the storage CRS are recorded in the table
``qmon_meta(key, value)``.

Bulk writes go through binary ``COPY``; the stream is encoded a whole column at a
time by :mod:`geo.store.pg_copy` (geometry as EWKB), no Python code runs per row.
Large writes into an empty table build the primary key and the GiST index after
the COPY; a large replace empties the table with ``TRUNCATE`` inside the transaction
where that removes exactly what ``DELETE`` would (see ``_empty``). Upserts copy into
a temporary table and merge with ``INSERT … ON CONFLICT … DO UPDATE`` in key order,
so that two writers on the same keys wait for each other instead of deadlocking.
Identifiers always go through :mod:`psycopg.sql`, values always as parameters.
"""

from __future__ import annotations

import copy
import itertools
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import errors as pgerrors
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.copy import QueuedLibpqWriter
from psycopg_pool import ConnectionPool, PoolTimeout
from pyproj import CRS

from geo import german
from geo.crs import parse_crs, storage_crs_setting
from geo.errors import ConflictError, CRSError, SchemaError, StoreError, StoreURLError
from geo.messages import render
from geo.municipality import scope_label
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
    View,
    build_schema,
    municipal_layers,
)
from geo.store import base, pg_copy, pg_scopes
from geo.store.base import (
    CHANGE_COUNTER_KEY,
    LAYER_STYLE_COLUMNS,
    LAYER_STYLES,
    STORE_ID_KEY,
    STYLE_OWNER,
    BBox,
    ChangeToken,
    LayerStyle,
    Store,
    Transaction,
    Where,
    WriteMode,
    redact_url,
)

__all__ = ["PostGISStore", "PostGISTransaction", "split_url"]

META_TABLE = "qmon_meta"
DEFAULT_SCHEMA = "public"
POSTGIS_PACKAGE = "postgresql-15-postgis-3"
CONNECT_TIMEOUT_S = 5
POOL_TIMEOUT_S = 15.0
BULK_ROWS = 50_000
"""Writes of at least this many rows into an empty table (or with mode='replace')
lock it and build its primary key and GiST index after the COPY."""
INDEX_BUILD_MEMORY = "256MB"
"""``maintenance_work_mem`` for building those indexes (in this transaction only): the
key of a million rows sorts in memory (its build takes about a quarter less CPU than
with PostgreSQL's default 64 MB); the GiST build is no faster with more."""

_SQL_TYPES: dict[str, str] = {
    "text": "text",
    "integer": "bigint",
    "real": "double precision",
    "boolean": "boolean",
    "date": "date",
    "datetime": "timestamp",
}
#: Vertices per piece when areas are cut up for point-in-polygon joins.
SUBDIVIDE_VERTICES = 64
_INIT_LOCK = "quartiersmonitor:init"


# --- URL -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """Where a PostGIS store lives: the libpq DSN, the schema and a printable name."""

    dsn: str
    schema: str
    host: str
    port: str
    dbname: str
    user: str

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}, Datenbank {self.dbname!r}, Schema {self.schema!r}"


def split_url(url: str) -> tuple[str, str]:
    """Split a store URL into the libpq DSN and the schema name.

    Parameters
    ----------
    url
        ``postgresql://user@host:port/dbname?schema=NAME``; other query
        parameters (``sslmode`` …) are passed on to libpq.

    Returns
    -------
    tuple of str
        The DSN without the ``schema`` parameter, and the schema (default ``public``).

    Raises
    ------
    StoreURLError
        When the URL is not a ``postgresql://`` URL or names an empty schema.

    Examples
    --------
    >>> split_url("postgresql://postgres@127.0.0.1:5432/qmon?schema=demo")
    ('postgresql://postgres@127.0.0.1:5432/qmon', 'demo')
    >>> split_url("postgresql://h/qmon?sslmode=disable")
    ('postgresql://h/qmon?sslmode=disable', 'public')
    """
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise StoreURLError(code="store.url_not_postgis", url=redact_url(url))
    query = parse_qsl(parts.query, keep_blank_values=True)
    schemas = [value for key, value in query if key == "schema"]
    schema = schemas[-1] if schemas else DEFAULT_SCHEMA
    if not schema:
        raise StoreURLError(
            code="store.url_empty_schema", url=redact_url(url), default=DEFAULT_SCHEMA
        )
    rest = urlencode([(key, value) for key, value in query if key != "schema"])
    return urlunsplit(parts._replace(query=rest)), schema


def _target(url: str) -> _Target:
    dsn, schema = split_url(url)
    try:
        info = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise StoreURLError(
            code="store.url_unparsable", url=redact_url(url), detail=redact_url(str(exc))
        ) from None
    user = str(info.get("user") or "")
    return _Target(
        dsn=dsn,
        schema=schema,
        host=str(info.get("host") or "localhost"),
        port=str(info.get("port") or "5432"),
        dbname=str(info.get("dbname") or user or "?"),
        user=user,
    )


# --- the store -------------------------------------------------------------------


class PostGISStore(Store):
    """A Quartiersmonitor store in a PostgreSQL/PostGIS schema.

    Parameters
    ----------
    url
        ``postgresql://user@host:5432/dbname?schema=NAME`` (schema default ``public``).
    migrations
        The migrations that define the data model (default: the program's).

    Raises
    ------
    StoreURLError
        When ``url`` is not a PostgreSQL URL.

    Notes
    -----
    No connection is made until the store is first used; then a small pool
    (1 to 4 connections) is opened and kept until :meth:`close`. The store may be
    shared by threads (each transaction has a connection of its own); a process
    opens a store of its own rather than inheriting one through ``fork``.
    """

    def __init__(self, url: str, *, migrations: Sequence[Migration] = MIGRATIONS) -> None:
        # ``url`` is what every message and repr shows: the password masked. The real
        # one lives only in the DSN the connections are made with.
        self.url = redact_url(url)
        self._target = _target(url)
        self.migrations = tuple(migrations)
        self.schema = build_schema(self.migrations)
        self._pool: ConnectionPool | None = None
        self._lock = threading.Lock()
        self._crs: CRS | None = None
        self._meta_seen = False
        #: The AGS prefix this store object is limited to (None: the owner, no limit) and
        #: the database role its transactions take on (``SET LOCAL ROLE``).
        self.scope: str | None = None
        self._role: str | None = None

    def __repr__(self) -> str:
        limited = f", {scope_label(self.scope)}" if self.scope is not None else ""
        return f"PostGISStore({self._target.where}{limited})"

    # -- scopes (row-level security) ----------------------------------------------

    @property
    def schema_name(self) -> str:
        """The PostgreSQL schema that holds the store's tables."""
        return self._target.schema

    @contextmanager
    def owner_connection(self) -> Iterator[psycopg.Connection[Any]]:
        """Lend a connection in one transaction as the store's own login (no scope role).

        For the administration of scopes (:mod:`geo.store.pg_scopes`); refused on a
        scoped store.
        """
        if self.scope is not None:
            raise SchemaError(
                code="store.scoped_init", where=self._target.where, scope=scope_label(self.scope)
            )
        with self._connect() as conn:
            yield conn

    def scoped(self, ags: str, *, write: bool = False) -> PostGISStore:
        """Return this store limited to the municipality scope ``ags`` by the database.

        Every transaction of the returned store runs ``SET LOCAL ROLE`` to the scope's
        role (:mod:`geo.store.pg_scopes`), so row-level security decides what it reads and
        writes; ``write`` asks for the writing role (one municipality only; a scope without
        one reads). ``""`` returns the store itself (the owner sees everything). The
        returned store shares this one's connection pool; the role ends with each
        transaction, so pooled connections stay clean.

        Raises
        ------
        StoreError
            When ``ags`` is no scope, or the scope has no role the login may take on
            (create it with ``qmon gemeinde anlegen``).
        """
        pg_scopes.check_scope(ags)
        if ags == "":
            return self
        schema = self._target.schema
        names = [
            pg_scopes.role_name(schema, ags, write=w)
            for w in ((True, False) if write else (False,))
        ]
        with self._connect() as conn:
            present = {
                r.role_name for r in pg_scopes.list_scopes(conn, schema) if r.role_name in names
            }
            usable = [
                n
                for n in names
                if n in present
                and conn.execute("SELECT pg_has_role(current_user, %s, 'MEMBER')", (n,)).fetchone()
                == (True,)
            ]
        if not usable:
            raise StoreError(
                code="store.scope_missing",
                scope=scope_label(ags),
                where=self._target.where,
                role=names[-1],
                user=self._target.user,
                ags=ags,
            )
        limited = copy.copy(self)
        limited.scope, limited._role = ags, usable[0]
        return limited

    def municipalities(self) -> list[str]:
        """Return the distinct AGS of the store's own records (as this store may see them)."""
        own = [n for n in municipal_layers(self.schema) if n not in COLLECTED_LAYERS]
        query = sql.SQL(" UNION ").join(
            sql.SQL("SELECT DISTINCT {ags} FROM {t} WHERE {ags} IS NOT NULL").format(
                ags=sql.Identifier(AGS_COLUMN), t=self._table(n)
            )
            for n in own
        )
        with self._connect() as conn:
            return sorted(str(r[0]) for r in conn.execute(query).fetchall())

    # -- connections --------------------------------------------------------------

    def _connection_error(self, exc: BaseException) -> StoreError:
        """Turn a failed connection into a StoreError that says what to do."""
        t = self._target
        text = str(exc)
        where = {"host": t.host, "port": t.port, "dbname": t.dbname}
        if "does not exist" in text and "database" in text:
            user = f" -U {t.user}" if t.user else ""
            command = f"createdb -h {t.host} -p {t.port}{user} {t.dbname}"
            reason = render("store.no_database", command=command, **where)
        elif "authentication" in text or "password" in text:
            reason = render("store.login_refused", user=t.user, **where)
        else:
            reason = render("store.no_server", **where)
        detail = text.replace("connection failed: ", "").splitlines()[0] if text else ""
        detail = redact_url(detail)
        return StoreError(code="store.cannot_connect", reason=reason, detail=detail)

    def _probe(self) -> None:
        """Connect once directly, so that a missing server or database is named clearly."""
        try:
            with psycopg.connect(self._target.dsn, connect_timeout=CONNECT_TIMEOUT_S):
                pass
        except psycopg.OperationalError as exc:
            raise self._connection_error(exc) from None

    def _get_pool(self) -> ConnectionPool:
        with self._lock:
            if self._pool is None:
                self._probe()
                pool = ConnectionPool(
                    self._target.dsn,
                    min_size=1,
                    max_size=4,
                    open=False,
                    timeout=POOL_TIMEOUT_S,
                    check=ConnectionPool.check_connection,
                    kwargs={
                        "connect_timeout": CONNECT_TIMEOUT_S,
                        "application_name": "quartiersmonitor",
                    },
                    name=f"qmon-{self._target.dbname}-{self._target.schema}",
                )
                try:
                    pool.open(wait=True, timeout=POOL_TIMEOUT_S)
                except PoolTimeout:
                    pool.close()
                    self._probe()
                    raise StoreError(
                        code="store.pool_unavailable", where=self._target.where
                    ) from None
                self._pool = pool
            return self._pool

    @contextmanager
    def _connect(self) -> Iterator[psycopg.Connection[Any]]:
        """Lend a pooled connection inside one database transaction."""
        pool = self._get_pool()
        try:
            conn = pool.getconn()
        except PoolTimeout:
            self._probe()
            raise StoreError(
                code="store.pool_busy",
                size=pool.max_size,
                where=self._target.where,
                seconds=german.number(POOL_TIMEOUT_S),
            ) from None
        try:
            with conn.transaction():
                if self._role is not None:  # ends with the transaction: the pool stays clean
                    conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(self._role)))
                yield conn
        except psycopg.OperationalError as exc:
            if conn.closed or conn.broken:
                raise self._connection_error(exc) from None
            raise self._error(exc, "Vorgang") from None
        except psycopg.Error as exc:
            raise self._error(exc, "Vorgang") from None
        finally:
            pool.putconn(conn)

    def close(self) -> None:
        """Close the connection pool (the store opens a new one when used again)."""
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    # -- errors -------------------------------------------------------------------

    def _error(self, exc: psycopg.Error, what: str) -> StoreError:
        """Translate a database error into one of our errors with the fix."""
        where = self._target.where
        diag = exc.diag
        detail = diag.message_detail or ""
        primary = _primary(exc)
        if isinstance(exc, (pgerrors.UndefinedTable, pgerrors.UndefinedColumn)):
            return SchemaError(
                code="store.not_initialised",
                what=what,
                detail=primary,
                where=where,
                version=self.schema.version,
                url=self._display_url(),
            )
        if isinstance(exc, pgerrors.UniqueViolation):
            return StoreError(code="store.duplicate_key", what=what, detail=detail or primary)
        if isinstance(exc, pgerrors.NotNullViolation):
            return StoreError(
                code="store.not_null", what=what, column=diag.column_name, detail=primary
            )
        if isinstance(exc, (pgerrors.DeadlockDetected, pgerrors.SerializationFailure)):
            return ConflictError(code="store.conflict", what=what, detail=primary)
        if isinstance(exc, pgerrors.CardinalityViolation):
            return StoreError(code="store.key_twice", what=what, detail=primary)
        if isinstance(exc, psycopg.OperationalError):
            return self._connection_error(exc)
        return StoreError(
            code="store.failed",
            what=what,
            where=where,
            detail=redact_url(f"{primary} {detail}".strip()),
        )

    def _display_url(self) -> str:
        return self.url  # already without its password

    # -- identifiers --------------------------------------------------------------

    def _table(self, name: str) -> sql.Identifier:
        return sql.Identifier(self._target.schema, name)

    # -- metadata -----------------------------------------------------------------

    def _meta(self, conn: psycopg.Connection[Any]) -> dict[str, str]:
        """Return the metadata table as a dict ({} when the store is not initialised)."""
        exists = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables "
            "WHERE schemaname = %s AND tablename = %s)",
            (self._target.schema, META_TABLE),
        ).fetchone()
        if not exists or not exists[0]:
            return {}
        rows = conn.execute(
            sql.SQL("SELECT key, value FROM {}").format(self._table(META_TABLE))
        ).fetchall()
        return {str(k): str(v) for k, v in rows}

    def _set_meta(self, conn: psycopg.Connection[Any], values: Mapping[str, str]) -> None:
        for key, value in values.items():
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (key, value) VALUES (%s, %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
                ).format(self._table(META_TABLE)),
                (key, value),
            )

    def schema_version(self) -> int:
        """Return the version of the data model the store is at (0: not initialised)."""
        with self._connect() as conn:
            return int(self._meta(conn).get("schema_version", 0))

    def change_token(self) -> ChangeToken:
        """Return the change token: one query on the metadata table once it is known to exist."""
        query = sql.SQL("SELECT key, value FROM {} WHERE key IN (%s, %s)").format(
            self._table(META_TABLE)
        )
        with self._connect() as conn:
            if not self._meta_seen:
                exists = conn.execute(
                    "SELECT to_regclass(%s) IS NOT NULL",
                    (f'"{self._target.schema}"."{META_TABLE}"',),
                ).fetchone()
                if not (exists and exists[0]):
                    return ChangeToken("", 0)
                self._meta_seen = True
            rows = conn.execute(query, (STORE_ID_KEY, CHANGE_COUNTER_KEY)).fetchall()
        meta = {str(k): str(v) for k, v in rows}
        return ChangeToken(meta.get(STORE_ID_KEY, ""), int(meta.get(CHANGE_COUNTER_KEY) or 0))

    def _count_change(self, conn: psycopg.Connection[Any]) -> None:
        """Raise the change counter by one inside the writing transaction.

        One atomic statement: concurrent writers on one database each add their one
        (the row lock makes the second wait for the first to commit), none is lost.
        """
        conn.execute(
            sql.SQL(
                "INSERT INTO {} AS m (key, value) VALUES (%s, '1') ON CONFLICT (key) "
                "DO UPDATE SET value = (m.value::bigint + 1)::text"
            ).format(self._table(META_TABLE)),
            (CHANGE_COUNTER_KEY,),
        )

    @property
    def crs(self) -> CRS:
        """The storage CRS recorded in the store (the setting, before :meth:`init`)."""
        if self._crs is None:
            with self._connect() as conn:
                return self._crs_on(conn)
        return self._crs

    def _crs_on(self, conn: psycopg.Connection[Any]) -> CRS:
        """The storage CRS, read on ``conn`` when not known yet.

        A transaction asks on its own connection: taking a second one from the pool
        while holding one would let many threads starting at once (a fresh app
        server) hold every connection and wait for each other's.
        """
        if self._crs is None:
            recorded = self._meta(conn).get("crs")
            if recorded is None:
                return storage_crs_setting()
            self._crs = parse_crs(recorded, what=f"Das in {self!r} vermerkte Bezugssystem")
        return self._crs

    # -- schema -------------------------------------------------------------------

    def init(self, *, crs: CRS | str | None = None) -> int:
        """Create the schema, or migrate an older one; return the new version.

        Parameters
        ----------
        crs
            Storage CRS of a new store (default: ``QMON_CRS``, EPSG:25832). For an
            existing store it must match the recorded one.

        Returns
        -------
        int
            The model version the store is at afterwards.

        Raises
        ------
        SchemaError
            When the store is newer than this program.
        CRSError
            When ``crs`` has no EPSG code, is geographic, or differs from the store's.
        StoreError
            When PostGIS is not installed on the server or the server is unreachable.
        """
        if self.scope is not None:
            raise SchemaError(
                code="store.scoped_init", where=self._target.where, scope=scope_label(self.scope)
            )
        wanted = (
            parse_crs(crs, what="Das Bezugssystem der Datenhaltung") if crs is not None else None
        )
        target = self.schema.version
        with self._connect() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (_INIT_LOCK,))
            self._ensure_postgis(conn)
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    sql.Identifier(self._target.schema)
                )
            )
            meta = self._meta(conn)
            current = int(meta.get("schema_version", 0))
            if current > target:
                raise SchemaError(
                    code="store.newer", where=self._target.where, version=current, program=target
                )
            if current == 0:
                storage = wanted if wanted is not None else storage_crs_setting()
                srid = _epsg(storage)
                conn.execute(
                    sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {} (key text PRIMARY KEY, value text)"
                    ).format(self._table(META_TABLE))
                )
                for layer in self.schema.layers.values():
                    self._create_layer(conn, layer, srid)
                for view in self.schema.views.values():
                    self._create_view(conn, view, self.schema.layers)
                self._set_meta(
                    conn,
                    {
                        "schema_version": str(target),
                        "crs": f"EPSG:{srid}",
                        STORE_ID_KEY: uuid.uuid4().hex,
                    },
                )
                self._count_change(conn)
                self._crs = CRS.from_epsg(srid)
                return target
            recorded = parse_crs(meta["crs"], what="Das vermerkte Bezugssystem")
            if wanted is not None and not wanted.equals(recorded):
                raise SchemaError(
                    code="store.crs_fixed",
                    where=self._target.where,
                    stored=recorded.to_string(),
                    wanted=wanted.to_string(),
                )
            srid = _epsg(recorded)
            layers = build_schema(self.migrations, upto=current).layers
            for migration in self.migrations:
                if migration.version <= current:
                    continue
                for step in migration.steps:
                    if isinstance(step, AddLayer):
                        self._create_layer(conn, step.layer, srid)
                    elif isinstance(step, AddColumn):
                        self._add_column(conn, layers[step.layer], step.column, migration)
                    elif isinstance(step, AddView):  # its layers: those of its migration
                        upto = build_schema(self.migrations, upto=migration.version).layers
                        self._create_view(conn, step.view, upto)
                    elif isinstance(step, FillMunicipality):
                        self._fill_municipality(conn, step.layers)
                layers = build_schema(self.migrations, upto=migration.version).layers
            changed = current != target
            if changed and pg_scopes.list_scopes(conn, self._target.schema):
                pg_scopes.apply_policies(conn, self._target.schema, self.schema)
            if changed:
                self._set_meta(conn, {"schema_version": str(target)})
            if not meta.get(STORE_ID_KEY):  # a store made before change tokens
                self._set_meta(conn, {STORE_ID_KEY: uuid.uuid4().hex})
                changed = True
            if changed:
                self._count_change(conn)
            self._crs = recorded
        return target

    def _fill_municipality(self, conn: psycopg.Connection[Any], layers: Sequence[str]) -> None:
        """Migration step: the store's one AGS into ``layers`` where empty (none or several: no)."""
        ags = sql.Identifier(AGS_COLUMN)
        rows = conn.execute(
            sql.SQL("SELECT DISTINCT {} FROM {} WHERE {} IS NOT NULL LIMIT 2").format(
                ags, self._table("funding_areas"), ags
            )
        ).fetchall()
        if len(rows) != 1:
            return
        conn.execute(
            sql.SQL("; ").join(
                sql.SQL("UPDATE {} SET {} = {} WHERE {} IS NULL").format(
                    self._table(n), ags, sql.Literal(rows[0][0]), ags
                )
                for n in layers
            )
        )

    def _ensure_postgis(self, conn: psycopg.Connection[Any]) -> None:
        installed = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'postgis')"
        ).fetchone()
        if installed and installed[0]:
            return
        try:
            with conn.transaction():
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except (pgerrors.FeatureNotSupported, pgerrors.UndefinedFile) as exc:
            raise StoreError(
                code="store.postgis_missing",
                host=self._target.host,
                port=self._target.port,
                detail=_primary(exc),
                package=POSTGIS_PACKAGE,
            ) from None
        except pgerrors.InsufficientPrivilege:
            raise StoreError(
                code="store.postgis_forbidden", user=self._target.user, dbname=self._target.dbname
            ) from None

    def _create_layer(self, conn: psycopg.Connection[Any], layer: Layer, srid: int) -> None:
        table = self._table(layer.name)
        defs = [_column_def(col, layer) for col in layer.columns]
        if layer.spatial:
            defs.append(
                sql.SQL("{} geometry({}, {})").format(
                    sql.Identifier(GEOMETRY_COLUMN),
                    sql.SQL(_geometry_type(layer)),
                    sql.SQL(str(int(srid))),
                )
            )
        defs.append(_pkey_sql(layer))
        statements = [sql.SQL("CREATE TABLE {} ({})").format(table, sql.SQL(", ").join(defs))]
        if layer.spatial:
            statements.append(self._gist_sql(layer))
        statements.append(
            sql.SQL("COMMENT ON TABLE {} IS {}").format(table, sql.Literal(layer.title))
        )
        statements.extend(
            sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
                table, sql.Identifier(col.name), sql.Literal(col.title)
            )
            for col in layer.columns
            if col.title
        )
        conn.execute(sql.SQL("; ").join(statements))  # one round trip

    def _create_view(
        self, conn: psycopg.Connection[Any], view: View, layers: Mapping[str, Layer]
    ) -> None:
        """Create a spatial view; its first column ``fid`` (the integer column ``view.fid``)
        is the unique key QGIS takes for it (see README, "QGIS"); the source column
        ``view.fid`` is the layer's primary key, so QGIS fetches a feature by index."""
        columns = view.columns(dict(layers))
        cols = [
            sql.SQL("v.{} AS fid").format(sql.Identifier(view.fid)),
            *(
                sql.SQL("{}.{}").format(
                    sql.Identifier("a" if c in view.shown else "v"), sql.Identifier(c.name)
                )
                for c in columns
            ),
            sql.SQL("a.{}").format(sql.Identifier(GEOMETRY_COLUMN)),
        ]
        on = sql.SQL(" AND ").join(
            sql.SQL("a.{} = v.{}").format(sql.Identifier(b), sql.Identifier(a))
            for a, b in view.join
        )
        name = self._table(view.name)
        statements = [
            sql.SQL("CREATE VIEW {} AS SELECT {} FROM {} AS v JOIN {} AS a ON {}").format(
                name,
                sql.SQL(", ").join(cols),
                self._table(view.layer),
                self._table(view.geometry_layer),
                on,
            ),
            sql.SQL("COMMENT ON VIEW {} IS {}").format(name, sql.Literal(view.title)),
            sql.SQL("COMMENT ON COLUMN {}.fid IS {}").format(
                name, sql.Literal("Kennung des Objekts (für QGIS)")
            ),
        ]
        statements.extend(
            sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
                name, sql.Identifier(col.name), sql.Literal(col.title)
            )
            for col in columns
            if col.title
        )
        conn.execute(sql.SQL("; ").join(statements))

    def _gist_sql(self, layer: Layer) -> sql.Composed:
        return sql.SQL("CREATE INDEX {} ON {} USING GIST ({})").format(
            sql.Identifier(_gist_name(layer)),
            self._table(layer.name),
            sql.Identifier(GEOMETRY_COLUMN),
        )

    def _add_column(
        self, conn: psycopg.Connection[Any], layer: Layer, column: Column, migration: Migration
    ) -> None:
        try:
            with conn.transaction():
                conn.execute(
                    sql.SQL("ALTER TABLE {} ADD COLUMN {}").format(
                        self._table(layer.name), _column_def(column, layer)
                    )
                )
                if column.title:
                    conn.execute(
                        sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
                            self._table(layer.name),
                            sql.Identifier(column.name),
                            sql.Literal(column.title),
                        )
                    )
        except pgerrors.NotNullViolation:
            raise SchemaError(
                f"migration {migration.version} ({migration.description}) adds the required "
                f"column {column.name!r} to layer {layer.name!r}, which already has rows; "
                "the migration must give the column a default or make it nullable"
            ) from None

    # -- reading and writing ------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Return the number of rows per layer, in model order (one query).

        Raises
        ------
        SchemaError
            When the store is not initialised or at another model version.
        """
        layers = list(self.schema.layers)
        query = sql.SQL("SELECT (SELECT value FROM {} WHERE key = 'schema_version'), {}").format(
            self._table(META_TABLE),
            sql.SQL(", ").join(
                sql.SQL("(SELECT count(*) FROM {})").format(self._table(name)) for name in layers
            ),
        )
        with self._connect() as conn:
            try:
                row = conn.execute(query).fetchone()
            except psycopg.Error as exc:
                raise self._error(exc, "Zählen der Datensätze") from None
        assert row is not None
        self._check_version(int(row[0] or 0))
        return {name: int(n) for name, n in zip(layers, row[1:])}

    def _check_version(self, version: int) -> None:
        if version != self.schema.version:
            raise SchemaError(
                code="store.version_mismatch",
                where=self._target.where,
                version=version,
                program=self.schema.version,
                url=self._display_url(),
                newer=render("store.version_newer_hint") if version > self.schema.version else "",
            )

    @contextmanager
    def transaction(self, *, user: str | None = None) -> Iterator[PostGISTransaction]:
        """Open a transaction on one pooled connection.

        It commits when the block ends and rolls back on any exception, which is
        re-raised (database errors as :class:`StoreError`).
        """
        with self._connect() as conn:
            if self._crs is None:  # known from now on: ``store.crs`` inside the block
                self._crs_on(conn)  # must not wait for a second pooled connection
            tx = PostGISTransaction(self, conn, user=user)
            yield tx
            if tx.changed:  # in the same transaction: a rollback takes it back too
                self._count_change(conn)


# --- the transaction -------------------------------------------------------------


class PostGISTransaction(Transaction):
    """Reads and writes on one connection, inside one database transaction.

    Each write runs in a savepoint of its own: a write that fails leaves the
    transaction as it was before that write, and the error propagates.
    """

    def __init__(self, store: PostGISStore, conn: psycopg.Connection[Any], *, user: str | None):
        self.store = store
        self.conn = conn
        self.user = user
        self._temp = itertools.count(1)
        self.changed = False  # did this transaction write anything?

    def _layer(self, name: str) -> Layer:
        return self.store.schema.layer(name)

    def _crs(self) -> CRS:
        return self.store._crs_on(self.conn)

    def count(self, layer: str) -> int:
        """Return the number of rows of ``layer`` as this transaction sees it."""
        lyr = self._layer(layer)
        with self._step(f"Zählen der Datensätze der Ebene {layer!r}") as cur:
            row = cur.execute(sql.SQL("SELECT count(*) FROM {}").format(self._table(lyr.name)))
            found = row.fetchone()
        return int(found[0]) if found else 0

    _schema_layer = _layer

    def assign(
        self,
        layer: str,
        *,
        areas: str = "areas",
        areas_where: Where | None = None,
        area_id: str = "id",
    ) -> pd.DataFrame:
        """Return the area each feature lies in, computed in the database.

        Notes
        -----
        The areas are cut with ``ST_Subdivide`` into pieces of at most
        :data:`SUBDIVIDE_VERTICES` vertices with a GiST index of their own, and each
        feature's ``ST_PointOnSurface`` is tested against the few small pieces its
        index probe returns — instead of against whole planning-area polygons with
        thousands of vertices, as a plain ``ST_Contains`` join does. A point on a
        shared edge goes to the smallest area id, as in :func:`geo.joins.assign_to_areas`.
        """
        lyr, target = self._layer(layer), self._layer(areas)
        target.check_columns([area_id])
        clauses, params = _where_sql(target, areas_where)
        pieces = sql.Identifier(f"qmon_pieces_{next(self._temp)}")
        key = [sql.Identifier(k) for k in lyr.key]
        with self._step(f"Zuordnen der Ebene {layer!r} zu {areas!r}") as cur:
            cur.execute(
                sql.SQL(
                    "CREATE TEMP TABLE {pieces} ON COMMIT DROP AS "
                    "SELECT {aid}::text AS area_id, ST_Subdivide(geometry, %s) AS geom "
                    "FROM {areas}{where}"
                ).format(
                    pieces=pieces,
                    aid=sql.Identifier(area_id),
                    areas=self._table(areas),
                    where=_and(clauses),
                ),
                [SUBDIVIDE_VERTICES, *params],
            )
            cur.execute(sql.SQL("CREATE INDEX ON {} USING gist (geom)").format(pieces))
            cur.execute(sql.SQL("ANALYZE {}").format(pieces))
            # Points are joined on their own geometry, so the features' GiST index serves
            # each small piece; other features through a point on their surface.
            other = cur.execute(
                sql.SQL(
                    "SELECT EXISTS (SELECT 1 FROM {} WHERE GeometryType(geometry) <> 'POINT')"
                ).format(self._table(layer))
            ).fetchone()
            anchor = (
                sql.SQL("ST_PointOnSurface(f.geometry)")
                if other and other[0]
                else sql.SQL("f.geometry")
            )
            cur.execute(
                sql.SQL(
                    "SELECT {keys}, min(p.area_id) FROM {features} f "
                    "JOIN {pieces} p ON ST_Intersects(p.geom, {anchor}) "
                    "GROUP BY {keys} ORDER BY {order}"
                ).format(
                    keys=sql.SQL(", ").join(sql.SQL("f.") + k for k in key),
                    features=self._table(layer),
                    pieces=pieces,
                    anchor=anchor,
                    order=sql.SQL(", ").join(_order_key(lyr, k) for k in lyr.key),
                )
            )
            rows = cur.fetchall()
            cur.execute(sql.SQL("DROP TABLE {}").format(pieces))
        frame = pd.DataFrame(rows, columns=[*lyr.key, "area_id"], dtype=object)
        return frame

    def _table(self, name: str) -> sql.Identifier:
        return self.store._table(name)

    @contextmanager
    def _step(self, what: str, *, binary: bool = False) -> Iterator[psycopg.Cursor[Any]]:
        """Run one operation in a savepoint, translating database errors."""
        try:
            with self.conn.transaction(), self.conn.cursor(binary=binary) as cur:
                yield cur
        except psycopg.Error as exc:
            raise self.store._error(exc, what) from None

    # -- read ---------------------------------------------------------------------

    def read(
        self,
        layer: str,
        *,
        bbox: BBox | None = None,
        where: Where | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Read a layer (a GeoDataFrame for spatial layers), ordered by its key.

        Raises
        ------
        UnknownLayerError, UnknownColumnError
            For names that are not in the model.
        StoreError
            For a bbox on an attribute table or a malformed bbox.
        """
        lyr = self._layer(layer)
        wanted = list(lyr.column_names)
        if columns is not None:
            lyr.check_columns(columns)
            wanted = [c for c in lyr.column_names if c in columns]
        clauses, params = _where_sql(lyr, where)
        if bbox is not None:
            clauses.append(
                sql.SQL("{} && ST_MakeEnvelope(%s, %s, %s, %s, %s)").format(
                    sql.Identifier(GEOMETRY_COLUMN)
                )
            )
            params.extend([*_check_bbox(lyr, bbox), _epsg(self._crs())])
        select: list[sql.Composable] = [sql.Identifier(c) for c in wanted]
        if lyr.spatial:
            select.append(sql.SQL("ST_AsBinary({})").format(sql.Identifier(GEOMETRY_COLUMN)))
        query = sql.SQL("SELECT {} FROM {}{} ORDER BY {}").format(
            sql.SQL(", ").join(select) if select else sql.SQL("NULL"),
            self._table(layer),
            _and(clauses),
            sql.SQL(", ").join(_order_key(lyr, k) for k in lyr.key),
        )
        with self._step(f"Lesen der Ebene {layer!r}", binary=True) as cur:
            cur.execute(query, params)
            rows = cur.fetchall()
        arrays = list(zip(*rows)) if rows else [()] * len(select)
        data: dict[str, Any] = {
            name: _column_array(lyr.column(name), values) for name, values in zip(wanted, arrays)
        }
        crs = self._crs()
        if lyr.spatial:
            wkb = np.asarray(arrays[len(wanted)], dtype=object)
            geoms = shapely.from_wkb(wkb) if len(wkb) else np.empty(0, dtype=object)
            frame: pd.DataFrame = gpd.GeoDataFrame(
                pd.DataFrame(data, index=pd.RangeIndex(len(rows))),
                geometry=gpd.GeoSeries(geoms, crs=crs).values,
                crs=crs,
            )
        else:
            frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
        out = base.conform(lyr, frame, crs=crs)
        if columns is not None:
            keep = wanted + ([GEOMETRY_COLUMN] if lyr.spatial else [])
            out = out[keep]
        return out

    # -- write --------------------------------------------------------------------

    def write(self, layer: str, frame: pd.DataFrame, *, mode: WriteMode = "append") -> int:
        """Write rows by binary COPY; return how many rows were written.

        ``append`` adds rows (an existing key is an error), ``replace`` empties the
        layer first, ``upsert`` inserts new keys and overwrites every non-key column
        of existing ones.

        Raises
        ------
        ValueError
            For an unknown mode.
        UnknownColumnError, CRSError, StoreError
            For a frame that does not fit the layer (nothing is written).
        """
        base.check_mode(mode)
        lyr = self._layer(layer)
        crs = self._crs()
        prepared = base.prepare_for_write(lyr, frame, crs=crs, user=self.user)
        scope = self.store.scope
        if scope is not None and len(scope) == 8 and AGS_COLUMN in prepared:
            # a town's writer: its records are its municipality's unless they say otherwise
            prepared[AGS_COLUMN] = prepared[AGS_COLUMN].where(prepared[AGS_COLUMN].notna(), scope)
        if mode == "upsert":  # ON CONFLICT would take a repeated key for an update
            _check_unique_keys(lyr, prepared)
        srid = _epsg(crs)
        table = self._table(layer)
        n = len(prepared)
        with self._step(
            f"Schreiben von {german.count(n, 'Zeile', 'Zeilen')} in die Ebene {layer!r} ({mode})"
        ) as cur:
            if mode == "replace":
                self.changed = self._empty(cur, lyr, n) or self.changed
            if mode == "upsert":
                written = self._upsert(cur, lyr, prepared, srid=srid)
                self.changed = self.changed or written > 0
                return written
            try:
                if self.store._role is not None:  # COPY does not pass row-level security
                    self._insert_via_temp(cur, lyr, prepared, srid=srid)
                elif n >= BULK_ROWS and self._lock_if_empty(cur, table):
                    self._bulk_load(cur, lyr, prepared, srid=srid)
                else:
                    _copy(cur, table, lyr, prepared, srid=srid)
            except pgerrors.UniqueViolation:
                # The primary key refuses a repeated key anyway, so the frame is searched
                # for one (its row, for the message) only then, not on every write; the
                # savepoint takes the write back either way.
                _check_unique_keys(lyr, prepared)
                raise
        self.changed = self.changed or n > 0
        return n

    def _empty(self, cur: psycopg.Cursor[Any], lyr: Layer, n: int) -> bool:
        """Remove the rows a replace removes; say whether there were any.

        ``TRUNCATE`` (transactional: a rollback brings the rows back) where it removes
        exactly what ``DELETE`` would and nothing fires on a delete: row-level security
        does not apply to this login on the table (the owner, unscoped; a scope's role
        must delete only its own rows), no trigger of ours or anyone's, no foreign key
        points at it, and a big table or write (:data:`BULK_ROWS`): ``TRUNCATE`` locks
        the table against readers until the commit, as the bulk load does anyway.
        Otherwise one set-based ``DELETE``. After a ``TRUNCATE`` the layer is a new,
        empty table, so the load builds its indexes once instead of deleting a million
        entries from them and inserting a million more.
        """
        table = self._table(lyr.name)
        row = cur.execute(
            sql.SQL(
                "SELECT NOT row_security_active(c.oid) "
                "AND has_table_privilege(c.oid, 'TRUNCATE') "
                "AND NOT EXISTS (SELECT 1 FROM pg_trigger t "
                "WHERE t.tgrelid = c.oid AND NOT t.tgisinternal) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint f "
                "WHERE f.confrelid = c.oid AND f.contype = 'f') "
                "AND (%s OR c.reltuples >= %s), "
                "EXISTS (SELECT 1 FROM {}) "
                "FROM pg_class c WHERE c.oid = %s::regclass"
            ).format(table),
            [n >= BULK_ROWS, BULK_ROWS, table.as_string(cur)],
        ).fetchone()
        if row and row[0]:
            cur.execute(sql.SQL("TRUNCATE {}").format(table))
            return bool(row[1])
        cur.execute(sql.SQL("DELETE FROM {}").format(table))
        return cur.rowcount > 0

    def _insert_via_temp(
        self, cur: psycopg.Cursor[Any], lyr: Layer, frame: pd.DataFrame, *, srid: int
    ) -> None:
        """COPY into a temporary table, then INSERT: the policies check every row."""
        temp = sql.Identifier(f"qmon_insert_{lyr.name}_{next(self._temp)}")
        cur.execute(
            sql.SQL("CREATE TEMP TABLE {} (LIKE {}) ON COMMIT DROP").format(
                temp, self._table(lyr.name)
            )
        )
        _copy(cur, temp, lyr, frame, srid=srid)
        names = list(lyr.column_names) + ([GEOMETRY_COLUMN] if lyr.spatial else [])
        cols = sql.SQL(", ").join(map(sql.Identifier, names))
        cur.execute(
            sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {}").format(
                self._table(lyr.name), cols, cols, temp
            )
        )
        cur.execute(sql.SQL("DROP TABLE {}").format(temp))

    def _lock_if_empty(self, cur: psycopg.Cursor[Any], table: sql.Identifier) -> bool:
        """Lock the table against other writers and readers if it is empty; say whether.

        A table with rows is not locked: big appends to it keep its indexes.
        """
        query = sql.SQL("SELECT NOT EXISTS (SELECT 1 FROM {})").format(table)
        row = cur.execute(query).fetchone()
        if not (row and row[0]):
            return False
        cur.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(table))
        row = cur.execute(query).fetchone()  # again: someone may have written meanwhile
        return bool(row and row[0])

    def _bulk_load(
        self, cur: psycopg.Cursor[Any], lyr: Layer, frame: pd.DataFrame, *, srid: int
    ) -> None:
        """COPY into an empty, locked table with its indexes built afterwards.

        Building the primary key and the GiST index once over the loaded rows is
        about twice as fast as maintaining them row by row; the table is locked by
        the transaction, so nobody sees it without them.
        """
        store = self.store
        table = self._table(lyr.name)
        referenced = cur.execute(  # a foreign key onto the layer needs its key kept
            "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE confrelid = %s::regclass "
            "AND contype = 'f')",
            [table.as_string(cur)],
        ).fetchone()
        rebuild_key = not (referenced and referenced[0])
        if rebuild_key:
            cur.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                    table, sql.Identifier(_pkey_name(lyr))
                )
            )
        if lyr.spatial:
            cur.execute(
                sql.SQL("DROP INDEX {}").format(
                    sql.Identifier(store._target.schema, _gist_name(lyr))
                )
            )
        _copy(cur, table, lyr, frame, srid=srid)
        # the key's sort in memory, not in temporary files (never lowered; back afterwards)
        previous = cur.execute("SHOW maintenance_work_mem").fetchone()
        cur.execute(
            "SELECT set_config('maintenance_work_mem', %s, true) WHERE "
            "pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes(%s)",
            [INDEX_BUILD_MEMORY, INDEX_BUILD_MEMORY],
        )
        if rebuild_key:
            cur.execute(sql.SQL("ALTER TABLE {} ADD {}").format(table, _pkey_sql(lyr)))
        if lyr.spatial:
            cur.execute(store._gist_sql(lyr))
        if previous:
            cur.execute("SELECT set_config('maintenance_work_mem', %s, true)", [previous[0]])

    def _upsert(
        self,
        cur: psycopg.Cursor[Any],
        lyr: Layer,
        frame: pd.DataFrame,
        *,
        srid: int,
    ) -> int:
        temp = sql.Identifier(f"qmon_upsert_{lyr.name}_{next(self._temp)}")
        cur.execute(
            sql.SQL("CREATE TEMP TABLE {} (LIKE {}) ON COMMIT DROP").format(
                temp, self._table(lyr.name)
            )
        )
        _copy(cur, temp, lyr, frame, srid=srid)
        names = list(lyr.column_names) + ([GEOMETRY_COLUMN] if lyr.spatial else [])
        cols = sql.SQL(", ").join(map(sql.Identifier, names))
        key = sql.SQL(", ").join(map(sql.Identifier, lyr.key))
        others = [n for n in names if n not in lyr.key and n not in base.UPSERT_KEEPS]
        sets = [sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(n)) for n in others]
        if lyr.editable:  # an upsert is an edit: the record keeps its creation, gains a version
            sets = [
                sql.SQL("version = {}.version + 1").format(self._table(lyr.name))
                if n == "version"
                else part
                for n, part in zip(others, sets)
            ]
        action = (
            sql.SQL("DO UPDATE SET {}").format(sql.SQL(", ").join(sets))
            if others
            else sql.SQL("DO NOTHING")
        )
        # Key order: concurrent upserts of the same keys lock rows in the same order.
        cur.execute(
            sql.SQL(
                "INSERT INTO {table} ({cols}) SELECT {cols} FROM {temp} ORDER BY {order} "
                "ON CONFLICT ({key}) {action}"
            ).format(
                table=self._table(lyr.name),
                cols=cols,
                temp=temp,
                order=sql.SQL(", ").join(_order_key(lyr, k) for k in lyr.key),
                key=key,
                action=action,
            )
        )
        written = cur.rowcount
        cur.execute(sql.SQL("DROP TABLE {}").format(temp))
        return int(written)

    def delete(self, layer: str, where: Where | None = None) -> int:
        """Delete the rows matching ``where`` (every row when None); return how many."""
        lyr = self._layer(layer)
        clauses, params = _where_sql(lyr, where)
        query = sql.SQL("DELETE FROM {}{}").format(self._table(layer), _and(clauses))
        with self._step(f"Löschen aus der Ebene {layer!r}") as cur:
            cur.execute(query, params)
            self.changed = self.changed or cur.rowcount > 0
            return int(cur.rowcount)

    def write_layer_styles(self, styles: Sequence[LayerStyle]) -> int:
        """Replace the Quartiersmonitor's styles of this store's schema in ``public.layer_styles``.

        QGIS looks for ``layer_styles`` by its bare name (the ``public`` schema on a default
        search path) and picks a layer's rows by database, schema, table and geometry column.
        """
        schema = self.store._target.schema
        with self._step("Schreiben der QGIS-Stile (public.layer_styles)") as cur:
            cur.execute(_LAYER_STYLES_DDL)
            cur.execute(
                sql.SQL(
                    "DELETE FROM {} WHERE owner = %s AND f_table_catalog = current_database() "
                    "AND f_table_schema = %s"
                ).format(_STYLES_TABLE),
                (STYLE_OWNER, schema),
            )
            cur.executemany(
                sql.SQL(
                    "INSERT INTO {} (f_table_catalog, f_table_schema, f_table_name, "
                    "f_geometry_column, stylename, styleqml, stylesld, useasdefault, description, "
                    "owner, ui, update_time) VALUES (current_database(), %s, %s, %s, %s, "
                    "XMLPARSE(DOCUMENT %s), NULL, %s, %s, %s, NULL, now())"
                ).format(_STYLES_TABLE),
                [
                    (
                        schema,
                        s.layer,
                        GEOMETRY_COLUMN if self.store.schema.has_geometry(s.layer) else None,
                        s.name,
                        s.qml,
                        s.default,
                        s.description,
                        STYLE_OWNER,
                    )
                    for s in styles
                ],
            )
            self.changed = True
        return len(styles)

    def read_layer_styles(self) -> pd.DataFrame:
        with self._step("Lesen der QGIS-Stile (public.layer_styles)") as cur:
            cur.execute("SELECT to_regclass('public.layer_styles') IS NOT NULL")
            row = cur.fetchone()
            if not row or not row[0]:
                return pd.DataFrame({c: pd.Series(dtype=object) for c in LAYER_STYLE_COLUMNS})
            cols = sql.SQL(", ").join(
                sql.SQL("{}::text").format(sql.Identifier(c.lower()))
                if c == "styleQML"
                else sql.Identifier(c.lower())
                for c in LAYER_STYLE_COLUMNS
            )
            cur.execute(
                sql.SQL(
                    "SELECT {} FROM {} WHERE f_table_catalog = current_database() "
                    "AND f_table_schema = %s ORDER BY id"
                ).format(cols, _STYLES_TABLE),
                (self.store._target.schema,),
            )
            rows = cur.fetchall()
        return pd.DataFrame(rows, columns=list(LAYER_STYLE_COLUMNS), dtype=object)

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

        Editable layers get ``version`` raised by one, ``updated_at`` set to now (UTC)
        and ``updated_by`` to ``user`` (default: the transaction's user). Geometry
        values are shapely geometries in the storage CRS.

        Returns
        -------
        int
            Rows changed: 1, or 0 when the key is unknown or the version did not match.

        Raises
        ------
        UnknownColumnError
            For a column the layer does not have.
        StoreError
            For an incomplete key, no values, a value that does not fit its column,
            or an edit column set by hand.
        """
        lyr = self._layer(layer)
        base.check_update(lyr, key, values, expected_version=expected_version)
        sets: list[sql.Composable] = []
        params: list[Any] = []
        srid = _epsg(self._crs())
        for name, value in values.items():
            if name == GEOMETRY_COLUMN:
                sets.append(sql.SQL("{} = {}").format(sql.Identifier(name), _geom_param(lyr)))
                params.append(_ewkb(lyr, value, srid))
            else:
                sets.append(sql.SQL("{} = %s").format(sql.Identifier(name)))
                params.append(_param(lyr, lyr.column(name), value))
        if lyr.editable:
            sets.append(sql.SQL("version = version + 1"))
            sets.append(sql.SQL("updated_at = (now() AT TIME ZONE 'UTC')"))
            sets.append(sql.SQL("updated_by = %s"))
            params.append(user if user is not None else self.user)
        conds: list[sql.Composable] = [
            sql.SQL("{} = %s").format(sql.Identifier(k)) for k in lyr.key
        ]
        params.extend(_param(lyr, lyr.column(k), key[k]) for k in lyr.key)
        if expected_version is not None:
            conds.append(sql.SQL("version = %s"))
            params.append(int(expected_version))
        query = sql.SQL("UPDATE {} SET {}{}").format(
            self._table(layer), sql.SQL(", ").join(sets), _and(conds)
        )
        with self._step(f"Ändern der Ebene {layer!r}") as cur:
            cur.execute(query, params)
            self.changed = self.changed or cur.rowcount > 0
            return int(cur.rowcount)


# --- helpers ---------------------------------------------------------------------


_STYLES_TABLE = sql.Identifier("public", LAYER_STYLES)
#: QGIS's own definition of the table (QGIS 3.22, ``QgsPostgresProviderMetadata::saveStyle``).
_LAYER_STYLES_DDL = sql.SQL(
    "CREATE TABLE IF NOT EXISTS {} (id SERIAL PRIMARY KEY, f_table_catalog varchar, "
    "f_table_schema varchar, f_table_name varchar, f_geometry_column varchar, "
    "stylename text, styleqml xml, stylesld xml, useasdefault boolean, description text, "
    "owner varchar(63) DEFAULT CURRENT_USER, ui xml, "
    "update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)"
).format(_STYLES_TABLE)


def _primary(exc: psycopg.Error) -> str:
    """The server's one-line message of a database error."""
    return exc.diag.message_primary or (str(exc).splitlines() or [type(exc).__name__])[0]


def _epsg(crs: CRS) -> int:
    """Return the EPSG code of a storage CRS, or raise a CRSError."""
    code = crs.to_epsg()
    if code is None:
        raise CRSError(code="crs.no_epsg", value=crs.to_string())
    if not crs.is_projected:
        raise CRSError(code="crs.geographic_storage", value=f"EPSG:{code}")
    return int(code)


def _geometry_type(layer: Layer) -> str:
    gtype = str(layer.geometry)
    if gtype not in ("POINT", "LINESTRING", "POLYGON", "MULTIPOLYGON", "GEOMETRY"):
        raise SchemaError(f"layer {layer.name!r}: geometry type {gtype!r} is not supported")
    return gtype


def _pkey_name(layer: Layer) -> str:
    return f"{layer.name}_pkey"


def _pkey_sql(layer: Layer) -> sql.Composed:
    return sql.SQL("CONSTRAINT {} PRIMARY KEY ({})").format(
        sql.Identifier(_pkey_name(layer)), sql.SQL(", ").join(map(sql.Identifier, layer.key))
    )


def _gist_name(layer: Layer) -> str:
    return f"{layer.name}_geometry_gist"


def _column_def(col: Column, layer: Layer) -> sql.Composed:
    not_null = not col.nullable or col.name in layer.key
    return sql.SQL("{} {}{}").format(
        sql.Identifier(col.name),
        sql.SQL(_SQL_TYPES[col.type]),
        sql.SQL(" NOT NULL" if not_null else ""),
    )


def _order_key(layer: Layer, name: str) -> sql.Composable:
    """ORDER BY term: text keys in byte order, as the GeoPackage store sorts them."""
    if layer.column(name).type == "text":
        return sql.SQL('{} COLLATE "C"').format(sql.Identifier(name))
    return sql.Identifier(name)


def _and(clauses: Sequence[sql.Composable]) -> sql.Composable:
    if not clauses:
        return sql.SQL("")
    return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(clauses)


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and np.isnan(value)


def _param(layer: Layer, col: Column, value: Any) -> Any:
    """Convert one value to the Python object psycopg sends for the column's type."""
    if _is_missing(value):
        return None
    try:
        converted = base._as_dtype(pd.Series([value], dtype=object), col.type).iloc[0]
    except (ValueError, TypeError) as exc:
        raise StoreError(
            f"layer {layer.name!r}, column {col.name!r} ({col.type}): value {value!r} "
            f"does not fit ({exc})"
        ) from None
    if _is_missing(converted):
        return None
    if col.type == "date":
        return pd.Timestamp(converted).date()
    if col.type == "datetime":
        return pd.Timestamp(converted).to_pydatetime()
    if col.type == "integer":
        return int(converted)
    if col.type == "real":
        return float(converted)
    if col.type == "boolean":
        return bool(converted)
    return str(converted)


def _where_sql(layer: Layer, where: Where | None) -> tuple[list[sql.Composable], list[Any]]:
    """Build ``col = ANY(%s)`` / ``col IS NULL`` clauses from a normalised filter."""
    clauses: list[sql.Composable] = []
    params: list[Any] = []
    for name, values in base.check_where(layer, where).items():
        if name == GEOMETRY_COLUMN:
            raise StoreError(f"layer {layer.name!r}: filter on geometry with bbox=, not where=")
        col = layer.column(name)
        ident = sql.Identifier(name)
        given = [_param(layer, col, v) for v in values]
        present = [v for v in given if v is not None]
        terms: list[sql.Composable] = []
        if present:
            terms.append(sql.SQL("{} = ANY(%s::{}[])").format(ident, sql.SQL(_SQL_TYPES[col.type])))
            params.append(present)
        if len(present) < len(given):
            terms.append(sql.SQL("{} IS NULL").format(ident))
        if not terms:
            terms.append(sql.SQL("FALSE"))
        clauses.append(sql.SQL("({})").format(sql.SQL(" OR ").join(terms)))
    return clauses, params


def _check_bbox(layer: Layer, bbox: BBox) -> list[float]:
    if not layer.spatial:
        raise StoreError(f"layer {layer.name!r} has no geometry; leave out bbox")
    try:
        values = [float(v) for v in bbox]
    except (TypeError, ValueError):
        values = []
    if (
        len(values) != 4
        or not all(np.isfinite(values))
        or values[0] > values[2]
        or (values[1] > values[3])
    ):
        raise StoreError(
            f"bbox {bbox!r} for layer {layer.name!r} is not (minx, miny, maxx, maxy) with "
            "finite numbers and min <= max in the storage CRS"
        )
    return values


def _check_unique_keys(layer: Layer, frame: pd.DataFrame) -> None:
    dup = frame.duplicated(subset=list(layer.key), keep="first")
    if dup.any():
        first = int(np.flatnonzero(dup.to_numpy())[0])
        key = {k: frame[k].iloc[first] for k in layer.key}
        raise StoreError(
            code="store.key_repeated", layer=layer.title or layer.name, row=first, key=repr(key)
        )


def _column_array(col: Column, values: Sequence[Any]) -> Any:
    """Turn one fetched column into an array of the layer's dtype (cheaply)."""
    if col.type == "integer":
        return pd.array(list(values), dtype="Int64")
    if col.type == "boolean":
        return pd.array(list(values), dtype="boolean")
    if col.type == "real":
        return np.array(values, dtype="float64")
    return np.array(values, dtype=object)


def _copy(
    cur: psycopg.Cursor[Any],
    table: sql.Identifier,
    layer: Layer,
    frame: pd.DataFrame,
    *,
    srid: int,
) -> None:
    """Binary COPY of a conformed frame into ``table`` (layer columns, then geometry)."""
    names = list(layer.column_names) + ([GEOMETRY_COLUMN] if layer.spatial else [])
    query = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        table, sql.SQL(", ").join(map(sql.Identifier, names))
    )
    # the queued writer sends from a thread, so encoding the next chunk overlaps
    # with the server storing the last one
    with cur.copy(query, writer=QueuedLibpqWriter(cur)) as copy:
        for chunk in pg_copy.copy_chunks(layer, frame, srid=srid):
            copy.write(memoryview(chunk))


def _geom_param(layer: Layer) -> sql.Composable:
    if layer.geometry == "MULTIPOLYGON":
        return sql.SQL("ST_Multi(ST_GeomFromEWKB(%s))")
    return sql.SQL("ST_GeomFromEWKB(%s)")


def _ewkb(layer: Layer, value: Any, srid: int) -> bytes | None:
    if value is None:
        return None
    if not isinstance(value, shapely.Geometry):
        raise StoreError(
            f"layer {layer.name!r}: geometry value {value!r} is not a shapely geometry; "
            "pass e.g. shapely.Point(x, y) in the storage CRS"
        )
    tagged = shapely.set_srid(value, srid)
    return bytes(shapely.to_wkb(tagged, include_srid=True, output_dimension=2))
