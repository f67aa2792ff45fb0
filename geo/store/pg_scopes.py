"""Row-level security on a PostGIS store: one database role per municipality scope.

A scope is an AGS prefix (:mod:`geo.municipality`). For each scope of a schema there
are NOLOGIN roles ``qmon_<schema>_<ags>_lesen`` (reads the scope) and, for one
municipality, ``qmon_<schema>_<ags>_schreiben`` (also writes it); the Bund scope ``""``
is spelled ``bund``. The table ``qmon_scopes(role_name, ags_prefix, may_write)`` in the
store's schema says which role reaches which prefix, and every layer with ``ags`` has
row-level security with two policies that read it::

    USING (EXISTS (SELECT 1 FROM qmon_scopes s
                   WHERE pg_has_role(current_user, s.role_name, 'MEMBER')
                     AND ags LIKE s.ags_prefix || '%'))

the write policy with ``AND s.may_write`` in USING and WITH CHECK. No SECURITY DEFINER
function: the policy runs with the rights of whoever asks, so a LOGIN role granted a
scope role (QGIS, psql) sees exactly what the app sees through ``SET LOCAL ROLE``.
The store's owner (the app's login) is not subject to its own policies (no FORCE).
Records without AGS are seen by the owner only. ``qmon_meta`` gets policies too:
scope roles read it and may raise only the change counter.

Role names are checked (:func:`role_name`) and always quoted with
:class:`psycopg.sql.Identifier`; a password is sent as a quoted literal and never shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from geo.errors import StoreError
from geo.municipality import valid_scope
from geo.schema import AGS_COLUMN, Schema, municipal_layers
from geo.store.base import CHANGE_COUNTER_KEY

SCOPES_TABLE = "qmon_scopes"
META_TABLE = "qmon_meta"
READ_POLICY = "qmon_bereich_lesen"
WRITE_POLICY = "qmon_bereich_schreiben"
_SCHEMA_NAME = re.compile(r"^[a-z0-9_]{1,40}$")
_LOGIN_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class ScopeRole:
    """One row of ``qmon_scopes``: a database role and the AGS prefix it reaches."""

    role_name: str
    ags_prefix: str
    may_write: bool
    name: str | None = None


def check_scope(ags: str) -> str:
    """Return ``ags`` if it is a scope (see :func:`geo.municipality.valid_scope`), else raise."""
    if not valid_scope(ags):
        raise StoreError(code="store.scope_invalid", value=ags)
    return ags


def role_name(schema: str, ags: str, *, write: bool) -> str:
    """Return the name of the scope role of ``ags`` in ``schema``.

    Raises
    ------
    StoreError
        When the scope is no AGS prefix or the schema name does not fit a role name.

    Examples
    --------
    >>> role_name("musterland", "05315000", write=True)
    'qmon_musterland_05315000_schreiben'
    >>> role_name("musterland", "", write=False)
    'qmon_musterland_bund_lesen'
    """
    check_scope(ags)
    if not _SCHEMA_NAME.match(schema):
        raise StoreError(code="store.schema_name_unfit", schema=schema)
    return f"qmon_{schema}_{ags or 'bund'}_{'schreiben' if write else 'lesen'}"


def check_login(name: str) -> str:
    """Return a login name if it is lower-case letters, digits and ``_``, else raise."""
    if not _LOGIN_NAME.match(name):
        raise StoreError(code="store.login_name_unfit", login=name)
    return name


def _t(schema: str, name: str) -> sql.Identifier:
    return sql.Identifier(schema, name)


def _policy_test(schema: str, *, write: bool) -> sql.Composed:
    return sql.SQL(
        "EXISTS (SELECT 1 FROM {scopes} s WHERE pg_has_role(current_user, s.role_name, "
        "'MEMBER') AND {ags} LIKE s.ags_prefix || '%'{write})"
    ).format(
        scopes=_t(schema, SCOPES_TABLE),
        ags=sql.Identifier(AGS_COLUMN),
        write=sql.SQL(" AND s.may_write" if write else ""),
    )


def apply_policies(conn: psycopg.Connection[Any], schema: str, model: Schema) -> None:
    """Create ``qmon_scopes`` and (again) the policies of every layer with ``ags``.

    Idempotent: run by ``qmon gemeinde anlegen`` and after each migration of a store
    that has scopes, so that a new layer is never left without them.
    """
    conn.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (role_name text PRIMARY KEY, "
            "ags_prefix text NOT NULL, may_write boolean NOT NULL DEFAULT false, name text)"
        ).format(_t(schema, SCOPES_TABLE))
    )
    statements: list[sql.Composable] = []
    for layer in municipal_layers(model):
        table = _t(schema, layer)
        statements += [
            sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(table),
            sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(sql.Identifier(READ_POLICY), table),
            sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(sql.Identifier(WRITE_POLICY), table),
            sql.SQL("CREATE POLICY {} ON {} FOR SELECT USING ({})").format(
                sql.Identifier(READ_POLICY), table, _policy_test(schema, write=False)
            ),
            sql.SQL("CREATE POLICY {} ON {} FOR ALL USING ({}) WITH CHECK ({})").format(
                sql.Identifier(WRITE_POLICY),
                table,
                _policy_test(schema, write=True),
                _policy_test(schema, write=True),
            ),
        ]
    meta = _t(schema, META_TABLE)
    counter = sql.Literal(CHANGE_COUNTER_KEY)
    statements += [
        sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(meta),
        *(
            sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(sql.Identifier(name), meta)
            for name in ("qmon_meta_lesen", "qmon_meta_zaehler_neu", "qmon_meta_zaehler")
        ),
        sql.SQL("CREATE POLICY qmon_meta_lesen ON {} FOR SELECT USING (true)").format(meta),
        sql.SQL(
            "CREATE POLICY qmon_meta_zaehler_neu ON {} FOR INSERT WITH CHECK (key = {})"
        ).format(meta, counter),
        sql.SQL(
            "CREATE POLICY qmon_meta_zaehler ON {} FOR UPDATE USING (key = {}) "
            "WITH CHECK (key = {})"
        ).format(meta, counter, counter),
    ]
    conn.execute(sql.SQL("; ").join(statements))


def create_scope(
    conn: psycopg.Connection[Any],
    schema: str,
    model: Schema,
    ags: str,
    *,
    read_only: bool,
    name: str | None = None,
) -> list[str]:
    """Create the roles, grants and policies of scope ``ags``; return the role names.

    A writing role is made only for one municipality (8 digits) or the Bund (``""``), and
    only without ``read_only``: a Land or a Kreis reads its towns' records, it does not
    change them. Idempotent.
    """
    check_scope(ags)
    apply_policies(conn, schema, model)
    wanted = [(role_name(schema, ags, write=False), False)]
    if not read_only and len(ags) in (0, 8):
        wanted.append((role_name(schema, ags, write=True), True))
    layers = list(model.layers) + list(model.views)
    own = municipal_layers(model)
    for rname, write in wanted:
        role = sql.Identifier(rname)
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (rname,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(role))
        _let_owner_take(conn, role)
        conn.execute(
            sql.SQL(
                "INSERT INTO {} (role_name, ags_prefix, may_write, name) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (role_name) DO UPDATE SET ags_prefix = EXCLUDED.ags_prefix, "
                "may_write = EXCLUDED.may_write, name = coalesce(EXCLUDED.name, {}.name)"
            ).format(_t(schema, SCOPES_TABLE), sql.Identifier(SCOPES_TABLE)),
            (rname, ags, write, name),
        )
        grants: list[sql.Composable] = [
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), role),
            sql.SQL("GRANT SELECT ON {} TO {}").format(
                sql.SQL(", ").join(_t(schema, n) for n in [*layers, META_TABLE, SCOPES_TABLE]),
                role,
            ),
        ]
        if write:
            grants += [
                sql.SQL("GRANT INSERT, UPDATE, DELETE ON {} TO {}").format(
                    sql.SQL(", ").join(_t(schema, n) for n in own), role
                ),
                sql.SQL("GRANT INSERT, UPDATE ON {} TO {}").format(_t(schema, META_TABLE), role),
                sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(
                    sql.Identifier(schema), role
                ),
            ]
        conn.execute(sql.SQL("; ").join(grants))
    return [rname for rname, _ in wanted]


def _let_owner_take(conn: psycopg.Connection[Any], role: sql.Identifier) -> None:
    """Let the store's own login take on ``role`` (``SET ROLE``), as the app does per scope.

    A superuser may anyway; since PostgreSQL 16 the creator of a role is not allowed to
    SET it unless granted so explicitly.
    """
    row = conn.execute(
        "SELECT rolsuper, current_setting('server_version_num')::int FROM pg_roles "
        "WHERE rolname = current_user"
    ).fetchone()
    if row is None or row[0]:
        return
    options = sql.SQL(" WITH SET TRUE, INHERIT FALSE" if row[1] >= 160000 else "")
    conn.execute(sql.SQL("GRANT {} TO CURRENT_USER{}").format(role, options))


def grant_login(
    conn: psycopg.Connection[Any],
    schema: str,
    ags: str,
    login: str,
    *,
    password: str | None,
    read_only: bool,
) -> str:
    """Create (or update) the LOGIN role ``login`` and grant it the scope role; return that.

    The writing role when the scope has one and ``read_only`` is not set, else the reading
    role. The password, when given, is set as a quoted literal; it is never printed.
    """
    check_login(login)
    known = {r.role_name: r for r in list_scopes(conn, schema)}
    write_name = role_name(schema, ags, write=True)
    read_name = role_name(schema, ags, write=False)
    scope_role = write_name if (write_name in known and not read_only) else read_name
    if scope_role not in known:
        raise StoreError(
            code="store.scope_missing",
            scope=f"den Bereich {ags or 'Bund'}",
            where=schema,
            role=scope_role,
            user=login,
            ags=ags,
        )
    ident = sql.Identifier(login)
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone()
    verb = "ALTER" if exists else "CREATE"
    if password is not None:
        conn.execute(
            sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(ident, sql.Literal(password))
        )
    else:
        conn.execute(sql.SQL(verb + " ROLE {} LOGIN").format(ident))
    conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(scope_role), ident))
    conn.execute(
        sql.SQL("ALTER ROLE {} SET search_path = {}, public").format(ident, sql.Identifier(schema))
    )
    return scope_role


def list_scopes(conn: psycopg.Connection[Any], schema: str) -> list[ScopeRole]:
    """Return the scope roles of ``schema`` (none when no scope was ever created)."""
    exists = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL", (f'"{schema}"."{SCOPES_TABLE}"',)
    ).fetchone()
    if not (exists and exists[0]):
        return []
    rows = conn.execute(
        sql.SQL(
            "SELECT role_name, ags_prefix, may_write FROM {} ORDER BY ags_prefix, role_name"
        ).format(_t(schema, SCOPES_TABLE))
    ).fetchall()
    return [ScopeRole(str(a), str(b), bool(c)) for a, b, c in rows]


def logins_of(conn: psycopg.Connection[Any], roles: Sequence[str]) -> dict[str, list[str]]:
    """Return the LOGIN roles that are members of each of ``roles``."""
    rows = conn.execute(
        "SELECT g.rolname, m.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
        "JOIN pg_roles m ON m.oid = a.member WHERE g.rolname = ANY(%s) AND m.rolcanlogin "
        "ORDER BY 1, 2",
        (list(roles),),
    ).fetchall()
    out: dict[str, list[str]] = {r: [] for r in roles}
    for group, member in rows:
        out[str(group)].append(str(member))
    return out
