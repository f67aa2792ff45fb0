"""Stores: the data model in a GeoPackage file or in PostgreSQL/PostGIS, behind one interface.

Open one by URL with :func:`open_store`: a path ending in ``.gpkg`` is a GeoPackage,
``postgresql://…`` is PostGIS; ``QMON_STORE`` gives the default.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from geo.errors import StoreURLError
from geo.schema import MIGRATIONS, Migration
from geo.store.base import ChangeToken, Store, Transaction, WriteMode, redact_url

DEFAULT_STORE = "data/musterstadt.gpkg"

__all__ = [
    "ChangeToken",
    "Store",
    "Transaction",
    "WriteMode",
    "open_store",
    "redact_url",
    "store_url",
    "scoped_url",
    "DEFAULT_STORE",
]

SCOPE_PARAM = "scope"
READ_ONLY_PARAM = "lesen"


def scoped_url(url: str, scope: str, *, write: bool) -> str:
    """Return the store URL of a user limited to ``scope`` (see :meth:`Store.scoped`).

    :func:`open_store` opens such a URL as the scoped store; the URL keys the app's
    caches too, so users of different scopes never share a cached frame.

    Examples
    --------
    >>> scoped_url("postgresql://h/q?schema=land", "05315000", write=True)
    'postgresql://h/q?schema=land&scope=05315000'
    >>> scoped_url("data/k.gpkg", "05", write=False)
    'data/k.gpkg?scope=05&lesen=1'
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(SCOPE_PARAM, scope)] + ([] if write else [(READ_ONLY_PARAM, "1")])
    return urlunsplit(parts._replace(query=urlencode(query)))


def split_scope(url: str) -> tuple[str, str | None, bool]:
    """Return the URL without its scope parameters, the scope (or None) and whether to write."""
    if "?" not in url:
        return url, None, True
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    scopes = [v for k, v in query if k == SCOPE_PARAM]
    if not scopes:
        return url, None, True
    write = not any(k == READ_ONLY_PARAM for k, _ in query)
    rest = [(k, v) for k, v in query if k not in (SCOPE_PARAM, READ_ONLY_PARAM)]
    return urlunsplit(parts._replace(query=urlencode(rest))), scopes[-1], write


def store_url(url: str | None = None, environ: dict[str, str] | None = None) -> str:
    """Return the store URL: the one given, else ``QMON_STORE``, else the demo store.

    Examples
    --------
    >>> store_url("x.gpkg")
    'x.gpkg'
    >>> store_url(None, {"QMON_STORE": "postgresql://localhost/qmon"})
    'postgresql://localhost/qmon'
    """
    env = os.environ if environ is None else environ
    return url or env.get("QMON_STORE") or DEFAULT_STORE


def open_store(url: str | None = None, *, migrations: Sequence[Migration] = MIGRATIONS) -> Store:
    """Open the store named by ``url`` (see :func:`store_url`).

    A URL made by :func:`scoped_url` (``…?scope=05315000``) opens the store limited to
    that scope (:meth:`Store.scoped`).

    Raises
    ------
    StoreURLError
        When the URL names neither a ``.gpkg`` file nor a ``postgresql://`` database.
    StoreError
        When the scope cannot be opened (see :meth:`Store.scoped`).
    """
    target, scope, write = split_scope(store_url(url))
    store: Store
    if target.startswith(("postgresql://", "postgres://")):
        from geo.store.postgis import PostGISStore

        store = PostGISStore(target, migrations=migrations)
    elif target.lower().endswith(".gpkg"):
        from geo.store.gpkg import GeoPackageStore

        store = GeoPackageStore(target, migrations=migrations)
    else:
        raise StoreURLError(code="store.url_unknown", url=redact_url(target))
    return store if scope is None else store.scoped(scope, write=write)
