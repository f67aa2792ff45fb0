"""Rendered maps, computed once and shared: by every session of an app server and, on
PostGIS, by every app server on the same database.

What the Karte page sends to the browser for a map (the Leaflet script with its GeoJSON,
the header, the script and stylesheet links) depends only on the store's data version
(its :class:`geo.store.ChangeToken`), the view (level, indicator, filters, selection),
the scope of the store URL and the viewer's role; not on the session. It is derived
data: it can always be rebuilt from the store, so it is kept outside the domain writing
path (:mod:`monitoring.editing`), is never audited and is never part of a package.

- In process: :class:`RenderedMaps`, a bounded LRU dictionary keyed by (store URL,
  change token, view key). Two sessions asking for the same map at the same moment
  wait for one computation (a lock per key), instead of both computing it.
- Across app servers (PostGIS stores): :class:`PostGISMapTable`, the table
  ``qmon_derived.rendered_maps`` in the store's database, keyed by the store's id and
  change counter, the scope and the view key. Rows of older counters of the same store
  are deleted when a newer one is written; the table can be dropped at any time. A
  GeoPackage store keeps its maps in process only.

The role is part of every key the app builds (:func:`view_key`): a map is never
handed to a user of another role, so a layer that one day shows personal data
(masked for viewers by :func:`monitoring.auth.mask_personal`) cannot leak through the
cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from geo.store import ChangeToken

LOG = logging.getLogger(__name__)

#: Maps kept per app server (a Berlin map is about 1 MB of text).
MAX_ENTRIES = 48
#: Schema and table of the shared cache on PostGIS (derived data, not the store's schema).
SCHEMA = "qmon_derived"
TABLE = "rendered_maps"

Payload = dict[str, Any]


def view_key(*, role: str, scope: str | None, parts: Mapping[str, Any]) -> str:
    """Return the key of a rendered map: role, scope and the view's parts, as one string.

    Examples
    --------
    >>> view_key(role="viewer", scope=None, parts={"query": "ebene=PR", "auswahl": ""})
    'role=viewer&scope=&auswahl=&query=ebene%3DPR'
    """
    from urllib.parse import urlencode

    items = [("role", role), ("scope", scope or "")] + sorted(
        (str(k), str(v)) for k, v in parts.items()
    )
    return urlencode(items)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class PostGISMapTable:
    """The shared table of rendered maps in the database of a PostGIS store.

    ``dsn`` is the libpq connection string of the database (no schema or scope
    parameters). Every failure of the table (no right to create the schema, the
    database gone) is logged and treated as a miss: the map is then made and kept in
    process, as on a GeoPackage store.
    """

    dsn: str

    def _connect(self) -> Any:
        import psycopg

        return psycopg.connect(self.dsn, connect_timeout=5, autocommit=True)

    def _ensure(self, conn: Any) -> None:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {SCHEMA}.{TABLE} ("
            " store_id text NOT NULL, counter bigint NOT NULL, key_hash text NOT NULL,"
            " view_key text NOT NULL, payload bytea NOT NULL,"
            " made timestamptz NOT NULL DEFAULT now(),"
            " PRIMARY KEY (store_id, counter, key_hash))"
        )

    def get(self, token: ChangeToken, key: str) -> Payload | None:
        """Return the stored map of (token, key), or None."""
        try:
            with self._connect() as conn:
                row = conn.execute(
                    f"SELECT view_key, payload FROM {SCHEMA}.{TABLE}"
                    " WHERE store_id = %s AND counter = %s AND key_hash = %s",
                    (token.store_id, token.counter, _digest(key)),
                ).fetchone()
        except Exception as exc:  # an undefined table, no connection: a miss
            if "does not exist" not in str(exc):
                LOG.warning("shared map cache not readable: %s", exc)
            return None
        if row is None or row[0] != key:
            return None
        loaded: Payload = json.loads(zlib.decompress(bytes(row[1])))
        return loaded

    def put(self, token: ChangeToken, key: str, payload: Payload) -> None:
        """Store the map of (token, key); drop the maps of older data versions."""
        data = zlib.compress(json.dumps(payload).encode(), 6)
        try:
            with self._connect() as conn:
                self._ensure(conn)
                conn.execute(
                    f"INSERT INTO {SCHEMA}.{TABLE} (store_id, counter, key_hash, view_key, payload)"
                    " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (token.store_id, token.counter, _digest(key), key, data),
                )
                conn.execute(
                    f"DELETE FROM {SCHEMA}.{TABLE} WHERE store_id = %s AND counter < %s",
                    (token.store_id, token.counter),
                )
        except Exception as exc:
            LOG.warning("shared map cache not writable: %s", exc)


def shared_table(url: str) -> PostGISMapTable | None:
    """Return the shared table for a store URL: PostGIS only, else None (in process).

    Examples
    --------
    >>> shared_table("data/demo.gpkg") is None
    True
    >>> shared_table("postgresql://u@h:5432/qmon?schema=berlin&scope=11").dsn
    'postgresql://u@h:5432/qmon'
    """
    from geo.store import split_scope

    if not url.startswith(("postgresql://", "postgres://")):
        return None
    from geo.store.postgis import split_url

    return PostGISMapTable(split_url(split_scope(url)[0])[0])


class RenderedMaps:
    """A bounded, thread-safe LRU of rendered maps, keyed by (URL, token, view key)."""

    def __init__(self, *, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[tuple[str, ChangeToken, str], Payload] = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict[tuple[str, ChangeToken, str], threading.Lock] = {}
        #: how often a map was made here (for the tests and the benchmark)
        self.made = 0

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def _get(self, k: tuple[str, ChangeToken, str]) -> Payload | None:
        with self._lock:
            found = self._items.get(k)
            if found is not None:
                self._items.move_to_end(k)
            return found

    def _put(self, k: tuple[str, ChangeToken, str], payload: Payload) -> None:
        with self._lock:
            self._items[k] = payload
            self._items.move_to_end(k)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def get_or_make(
        self,
        url: str,
        token: ChangeToken,
        key: str,
        make: Callable[[], Payload],
        *,
        shared: PostGISMapTable | None = None,
    ) -> Payload:
        """Return the map of (url, token, key): from here, from ``shared``, or ``make()``.

        ``make`` runs at most once at a time per key; the others asking wait for it.
        """
        k = (url, token, key)
        found = self._get(k)
        if found is not None:
            return found
        with self._lock:
            making = self._making.setdefault(k, threading.Lock())
        with making:
            found = self._get(k)
            if found is None and shared is not None:
                found = shared.get(token, key)
            if found is None:
                found = make()
                self.made += 1
                if shared is not None:
                    shared.put(token, key, found)
            self._put(k, found)
        with self._lock:
            self._making.pop(k, None)
        return found
