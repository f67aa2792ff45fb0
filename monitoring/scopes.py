"""Several municipalities in one store: the user's store, and the administration of scopes.

A user's scope (:attr:`monitoring.auth.User.scope`, an AGS prefix) decides which
records they reach. :func:`store_for` gives every page and command the store as that
user may use it: on PostGIS limited by the database itself (row-level security, one
role per scope, :mod:`geo.store.pg_scopes`); a GeoPackage holds one municipality and
refuses a user of another. The writing path (:mod:`monitoring.editing`) checks the
scope too, on both stores, and names the record, its AGS and the scope when it refuses.

:func:`create_scope`, :func:`grant_login` and :func:`list_scopes` are what
``qmon gemeinde`` calls: administration only (role ``admin`` without a scope), on
PostGIS only, each with its audit row in the same transaction as the change.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.errors import StoreError
from geo.municipality import scope_label
from geo.store.base import Store
from monitoring.auth import User, require
from monitoring.editing import changes
from monitoring.errors import PermissionDenied, RuleViolation
from monitoring.messages import render

WRITING_ACTIONS: tuple[str, ...] = ("edit_funding", "edit_qm", "edit_settings")


@dataclass(frozen=True)
class Scope:
    """A scope of a store as ``qmon gemeinde liste`` shows it."""

    ags: str
    name: str | None
    role: str
    may_write: bool
    logins: tuple[str, ...]


def wants_write(user: User) -> bool:
    """Return whether ``user`` needs the writing role of their scope (role and scope allow it)."""
    return any(user.may(a) for a in WRITING_ACTIONS) and user.may_write_scope


def store_for(store: Store, user: User) -> Store:
    """Return ``store`` as ``user`` may use it (limited to the user's scope).

    Raises
    ------
    PermissionDenied
        When the store cannot be opened for the user's scope: a GeoPackage of another
        municipality, or a PostGIS store without the scope's role.
    """
    if user.scope == "":
        return store
    try:
        return store.scoped(user.scope, write=wants_write(user))
    except StoreError as exc:
        raise PermissionDenied(
            render("scope.other_store", user=user.name, scope=scope_label(user.scope), reason=exc)
        ) from None


def _postgis(store: Store, user: User, what: str) -> None:
    require(user, "edit_settings")
    if user.scope != "":
        raise PermissionDenied(
            render("scope.admin_only", user=user.name, scope=scope_label(user.scope), what=what)
        )
    if not hasattr(store, "owner_connection"):
        raise RuleViolation(render("scope.needs_postgis", url=store.url))


def create_scope(
    store: Store, user: User, ags: str, *, name: str | None = None, read_only: bool = False
) -> list[str]:
    """Create the database roles and row-level security of scope ``ags``; return the roles.

    Idempotent. A writing role only for one municipality (8 digits) and without
    ``read_only``.

    Raises
    ------
    PermissionDenied
        Unless the user is an administrator without scope.
    RuleViolation
        On a GeoPackage (one municipality per file).
    StoreError
        When ``ags`` is no AGS prefix.
    """
    _postgis(store, user, "Bereiche anlegen")
    from geo.store import pg_scopes

    with changes(store, user) as ch:
        roles = pg_scopes.create_scope(
            ch.tx.conn,  # type: ignore[attr-defined]  # a PostGIS transaction
            store.schema_name,  # type: ignore[attr-defined]
            store.schema,
            ags,
            read_only=read_only,
            name=name,
        )
        ch.derived_log(
            "audit_log",
            f"Bereich {ags or 'Bund'}",
            "scope_create",
            {"bereich": ags, "name": name, "roles": roles},  # no "ags": the owner's row
        )
    return roles


def grant_login(
    store: Store,
    user: User,
    ags: str,
    login: str,
    *,
    password: str | None = None,
    read_only: bool = False,
) -> str:
    """Create or update the LOGIN role ``login`` in scope ``ags``; return the scope role.

    The password is set in the database and written nowhere else (not in the audit row).

    Raises
    ------
    PermissionDenied, RuleViolation
        As :func:`create_scope`.
    StoreError
        When the scope was not created or the login name is unfit.
    """
    _postgis(store, user, "Zugänge anlegen")
    from geo.store import pg_scopes

    with changes(store, user) as ch:
        role = pg_scopes.grant_login(
            ch.tx.conn,  # type: ignore[attr-defined]
            store.schema_name,  # type: ignore[attr-defined]
            ags,
            login,
            password=password,
            read_only=read_only,
        )
        ch.derived_log(
            "audit_log",
            f"Zugang {login}",
            "scope_login",
            {"bereich": ags, "login": login, "role": role, "password_set": password is not None},
        )
    return role


def list_scopes(store: Store, user: User) -> list[Scope]:
    """Return the scopes of the store with their roles and logins.

    Raises
    ------
    PermissionDenied, RuleViolation
        As :func:`create_scope`.
    """
    _postgis(store, user, "Bereiche auflisten")
    from geo.store import pg_scopes

    with store.owner_connection() as conn:  # type: ignore[attr-defined]
        rows = pg_scopes.list_scopes(conn, store.schema_name)  # type: ignore[attr-defined]
        logins = pg_scopes.logins_of(conn, [r.role_name for r in rows])
    return [
        Scope(r.ags_prefix, r.name, r.role_name, r.may_write, tuple(logins[r.role_name]))
        for r in rows
    ]
