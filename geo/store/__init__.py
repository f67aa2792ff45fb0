"""Stores: the data model in a GeoPackage file or in PostgreSQL/PostGIS, behind one interface.

Open one by URL with :func:`open_store`: a path ending in ``.gpkg`` is a GeoPackage,
``postgresql://…`` is PostGIS; ``QMON_STORE`` gives the default.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

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
    "DEFAULT_STORE",
]


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

    Raises
    ------
    StoreURLError
        When the URL names neither a ``.gpkg`` file nor a ``postgresql://`` database.
    """
    target = store_url(url)
    if target.startswith(("postgresql://", "postgres://")):
        from geo.store.postgis import PostGISStore

        return PostGISStore(target, migrations=migrations)
    if target.lower().endswith(".gpkg"):
        from geo.store.gpkg import GeoPackageStore

        return GeoPackageStore(target, migrations=migrations)
    raise StoreURLError(code="store.url_unknown", url=redact_url(target))
