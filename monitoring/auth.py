"""Who may do what: users, roles, the permission table and personal-data masking.

The app's authentication (Streamlit's OIDC login, or the local single user of the
demo) decides who the user is; this module decides what that user may do. Every
service takes the acting :class:`User` and calls :func:`require` before it reads
or writes, so the UI only hides what the services would refuse anyway.

Roles
-----
``viewer``
    reads everything except the personal data of actors.
``qm``
    neighbourhood management (Quartiersmanagement): reads everything, edits the
    quarter-management records (actors, bodies, projects, funds, activities) and
    sees the contact data of actors.
``editor``
    administration staff: edits funding areas, concepts, measures and funding, and
    the quarter-management records; sees contact data.
``admin``
    everything, including programmes, fields of action and the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from geo.german import ordinal_list
from geo.municipality import in_scope, valid_scope
from monitoring.errors import PermissionDenied
from monitoring.messages import render

Role = Literal["viewer", "qm", "editor", "admin"]
ROLES: tuple[str, ...] = ("viewer", "qm", "editor", "admin")
ROLE_LABELS: Mapping[str, str] = {
    "viewer": "Lesen",
    "qm": "Quartiersmanagement",
    "editor": "Bearbeitung",
    "admin": "Verwaltung",
}
"""What a user reads for a role (the keys stay in the code, the store and the login claims)."""

Action = Literal[
    "read",
    "read_personal",
    "edit_funding",
    "edit_qm",
    "edit_settings",
    "read_audit",
]
ACTIONS: tuple[str, ...] = (
    "read",
    "read_personal",
    "edit_funding",
    "edit_qm",
    "edit_settings",
    "read_audit",
)
ACTION_LABELS: Mapping[str, str] = {
    "read": "Daten lesen",
    "read_personal": "personenbezogene Kontaktdaten sehen",
    "edit_funding": "Gesamtmaßnahmen, Konzepte, Maßnahmen und Finanzierung bearbeiten",
    "edit_qm": "Akteure, Projekte, Fonds und Aktivitäten bearbeiten",
    "edit_settings": "Programme, Handlungsfelder und Gebietsgrenzen bearbeiten",
    "read_audit": "das Änderungsprotokoll lesen",
}

PERMISSIONS: Mapping[str, frozenset[str]] = {
    "viewer": frozenset({"read"}),
    "qm": frozenset({"read", "read_personal", "edit_qm"}),
    "editor": frozenset({"read", "read_personal", "edit_funding", "edit_qm", "read_audit"}),
    "admin": frozenset(ACTIONS),
}
"""The permission table: role -> the actions it allows."""

PERSONAL_COLUMNS: tuple[str, ...] = ("contact_name", "email", "phone", "address", "notes")
"""Columns of the layer ``actors`` that can hold personal data (notes are free text)."""

PERSON_FLAG = "is_person"
"""The column that says an actor is a private person: then the name is personal data too."""

MASK = "•••"


@dataclass(frozen=True)
class User:
    """The acting user: a name (recorded in the audit log), a role and a municipality scope.

    ``scope`` is an AGS prefix (:mod:`geo.municipality`): ``""`` every municipality
    (the default: a single-city installation, the Bund, the store's administration),
    two digits a Land, five a Kreis, eight one municipality. The role says what the
    user may do, the scope to which records: reads reach every record inside the
    scope; changes need a record inside the scope and a scope of one municipality (or
    ``""``): a Land's or a Kreis' user reads its towns' records but does not change
    them, the towns own their data (the Land checks what they file).

    Examples
    --------
    >>> User("anna", "editor").may("edit_funding")
    True
    >>> User("gast", "viewer").may("read_personal")
    False
    >>> User("anna", "editor", "05315000").writes_in("05315000")
    True
    >>> User("lena", "editor", "05").writes_in("05315000")
    False
    >>> User("x", "viewer", "0531")
    Traceback (most recent call last):
    ...
    monitoring.errors.PermissionDenied: Benutzer „x“ hat den Bereich '0531'; ein Bereich ist \
leer (alle Gemeinden) oder ein Präfix des Gemeindeschlüssels aus 2 (Land), 5 (Kreis) oder 8 \
Ziffern (Gemeinde), z. B. „05315000“; korrigieren Sie die Angabe „ags“ der Anmeldung
    >>> User("x", "boss")
    Traceback (most recent call last):
    ...
    monitoring.errors.PermissionDenied: Benutzer „x“ hat die unbekannte Rolle „boss“; \
erlaubt sind die Rollen viewer (Lesen), qm (Quartiersmanagement), editor (Bearbeitung) und \
admin (Verwaltung)
    """

    name: str
    role: Role
    scope: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise PermissionDenied(render("auth.no_name", value=repr(self.name)))
        if self.role not in ROLES:
            raise PermissionDenied(
                render(
                    "auth.unknown_role",
                    user=self.name,
                    role=self.role,
                    roles=ordinal_list([f"{r} ({ROLE_LABELS[r]})" for r in ROLES]),
                )
            )
        if not valid_scope(self.scope):
            raise PermissionDenied(render("auth.bad_scope", user=self.name, value=repr(self.scope)))

    def reads(self, ags: str | None) -> bool:
        """Return whether a record with AGS ``ags`` lies inside the user's scope."""
        return in_scope(ags, self.scope)

    @property
    def may_write_scope(self) -> bool:
        """Whether the scope allows changes at all (one municipality, or every one)."""
        return len(self.scope) in (0, 8)

    def writes_in(self, ags: str | None) -> bool:
        """Return whether the scope allows changing a record with AGS ``ags``."""
        return self.may_write_scope and self.reads(ags)

    def may(self, action: str) -> bool:
        """Return whether the role allows ``action``."""
        check_action(action)
        return action in PERMISSIONS[self.role]


LOCAL_USER = User("lokal", "admin")
"""The single local user of a desktop (``QMON_LOCAL_ADMIN=1``, the demo), with all rights."""

GUEST_USER = User("gast", "viewer")
"""Who uses the app when no login is configured and it is no single-user desktop: read only."""

LOCAL_ADMIN_SETTING = "QMON_LOCAL_ADMIN"
"""The environment variable that makes an app without login a single-user desktop."""

MODE_LABELS: Mapping[str, str] = {
    "guest": "Nur lesen – keine Anmeldung eingerichtet",
    "local": "Lokaler Einzelplatz mit allen Rechten",
    "login": "Angemeldet",
}
"""What the sidebar says about how the user got their rights."""


def local_admin(environ: Mapping[str, str]) -> bool:
    """Return whether the settings make the app a single-user desktop with all rights.

    Only an explicit yes counts (``1``, ``true``, ``yes``, ``ja``, any case).

    Examples
    --------
    >>> local_admin({"QMON_LOCAL_ADMIN": "1"}), local_admin({"QMON_LOCAL_ADMIN": "0"})
    (True, False)
    >>> local_admin({})
    False
    """
    value = str(environ.get(LOCAL_ADMIN_SETTING, "")).strip().lower()
    return value in ("1", "true", "yes", "ja")


def user_without_login(environ: Mapping[str, str]) -> User:
    """Return the acting user of an app without a configured login.

    Read only (:data:`GUEST_USER`) unless :func:`local_admin` says this is a
    single-user desktop; then :data:`LOCAL_USER` with all rights.

    Examples
    --------
    >>> user_without_login({}).role, user_without_login({"QMON_LOCAL_ADMIN": "1"}).role
    ('viewer', 'admin')
    """
    return LOCAL_USER if local_admin(environ) else GUEST_USER


def check_action(action: str) -> None:
    """Raise ValueError unless ``action`` is one of :data:`ACTIONS`."""
    if action not in ACTIONS:
        raise ValueError(
            render(
                "auth.unknown_action",
                action=action,
                actions=ordinal_list(list(ACTIONS), conjunction="oder"),
            )
        )


def require(user: User, action: str) -> None:
    """Raise PermissionDenied unless ``user`` may do ``action``.

    Raises
    ------
    PermissionDenied
        Naming (in German) the user, the role, the action and the roles that would allow it.

    Examples
    --------
    >>> require(User("anna", "editor"), "edit_qm")
    >>> require(User("gast", "viewer"), "edit_funding")
    Traceback (most recent call last):
    ...
    monitoring.errors.PermissionDenied: Benutzer „gast“ (Rolle „Lesen“) darf Gesamtmaßnahmen, \
Konzepte, Maßnahmen und Finanzierung nicht bearbeiten; das dürfen die Rollen „Bearbeitung“ \
und „Verwaltung“
    >>> require(User("q", "qm"), "read_audit")
    Traceback (most recent call last):
    ...
    monitoring.errors.PermissionDenied: Benutzer „q“ (Rolle „Quartiersmanagement“) darf das \
Änderungsprotokoll nicht lesen; das dürfen die Rollen „Bearbeitung“ und „Verwaltung“
    """
    if not isinstance(user, User):
        raise PermissionDenied(render("auth.unknown_user", value=repr(user)))
    if not user.may(action):
        raise PermissionDenied(denied_message(user, action))


def denied_message(user: User, action: str) -> str:
    """Return the German sentence that ``user`` may not do ``action``, and who may.

    The action's label (:data:`ACTION_LABELS`, "das Änderungsprotokoll lesen") ends in
    its verb; "nicht" goes before it, as German puts it.

    Examples
    --------
    >>> denied_message(User("gast", "viewer"), "edit_settings")  # doctest: +NORMALIZE_WHITESPACE
    'Benutzer „gast“ (Rolle „Lesen“) darf Programme, Handlungsfelder und Gebietsgrenzen nicht
    bearbeiten; das darf nur die Rolle „Verwaltung“'
    """
    check_action(action)
    allowed = [ROLE_LABELS[r] for r in ROLES if action in PERMISSIONS[r]]
    what, _, verb = ACTION_LABELS[action].rpartition(" ")
    return render(
        "auth.denied",
        user=user.name,
        role=ROLE_LABELS[user.role],
        action_object=what,
        action_verb=verb,
        allowed=(
            render("auth.allowed_one", role=allowed[0])
            if len(allowed) == 1
            else render("auth.allowed_many", roles=ordinal_list([f"„{r}“" for r in allowed]))
        ),
    )


def user_from_claims(
    claims: Mapping[str, object], *, role_claim: str = "role", default_role: Role = "viewer"
) -> User:
    """Build the acting user from the claims of an OIDC login (e.g. ``st.user``).

    The name is ``preferred_username``, else ``email``, else ``name``; the role is
    the claim ``role_claim`` (a string or a list whose strongest known role wins),
    else ``default_role``; the scope is the claim ``ags`` (a string; none: ``""``).

    Raises
    ------
    PermissionDenied
        When the claims name no user, or ``ags`` is no AGS prefix.

    Examples
    --------
    >>> user_from_claims({"email": "a@b.de", "role": ["viewer", "editor"]})
    User(name='a@b.de', role='editor', scope='')
    >>> user_from_claims({"name": "Ute", "role": "editor", "ags": "05315000"}).scope
    '05315000'
    >>> user_from_claims({"name": "Gast"}).role
    'viewer'
    """
    name = next(
        (str(claims[k]) for k in ("preferred_username", "email", "name") if claims.get(k)), ""
    )
    raw = claims.get(role_claim)
    wanted = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list | tuple) else []
    known = [r for r in wanted if r in ROLES]
    role = max(known, key=ROLES.index) if known else default_role
    ags = claims.get("ags")
    scope = "" if ags is None else ags if isinstance(ags, str) else repr(ags)
    return User(name, role, scope.strip())  # type: ignore[arg-type]


def mask_personal(actors: pd.DataFrame, user: User) -> pd.DataFrame:
    """Return ``actors`` with personal data masked unless ``user`` may read it.

    This is the one place that masks: every read path that returns actors (the
    services, the network, the app's tables, the CLI) goes through it. For a role
    without ``read_personal`` every column of :data:`PERSONAL_COLUMNS` is masked, and
    the ``name`` of every actor that is a private person (:func:`is_private_person`).
    Id, type and every other column stay. Masked cells hold :data:`MASK` where a value
    exists and stay empty where none does; the input frame is not changed.

    Examples
    --------
    >>> frame = pd.DataFrame({"name": ["Verein", "Erika Muster"], "is_person": [False, True],
    ...                       "email": ["a@b.de", None], "notes": ["ruft abends an", None]})
    >>> mask_personal(frame, User("g", "viewer")).to_dict("list")
    {'name': ['Verein', '•••'], 'is_person': [False, True], 'email': ['•••', None], \
'notes': ['•••', None]}
    >>> mask_personal(frame, User("q", "qm")).equals(frame)
    True
    """
    if user.may("read_personal"):
        return actors.copy()
    out = actors.copy()
    for column in PERSONAL_COLUMNS:
        if column in out:
            out[column] = _masked(out[column], pd.Series(True, index=out.index))
    if "name" in out:
        person = [
            is_private_person({PERSON_FLAG: f, "type": t})
            for f, t in zip(
                out[PERSON_FLAG] if PERSON_FLAG in out else [None] * len(out),
                out["type"] if "type" in out else [None] * len(out),
            )
        ]
        out["name"] = _masked(out["name"], pd.Series(person, index=out.index, dtype=bool))
    return out


PERSON_TYPES: tuple[str, ...] = ("Bewohner/in", "private Eigentümer")
"""Actor types that are people, whatever the ``is_person`` flag says."""


def is_private_person(record: Mapping[str, object]) -> bool:
    """Return whether an actor is (or may be) a private person, whose name is personal data.

    A person when ``is_person`` is true or the type is one of :data:`PERSON_TYPES`; when
    neither the flag nor the type says anything, a name may be a person's and counts as one.

    Examples
    --------
    >>> is_private_person({"is_person": True, "type": "Verein"})
    True
    >>> is_private_person({"is_person": None, "type": "Verein"})
    False
    >>> is_private_person({"is_person": False, "type": "Bewohner/in"})
    True
    >>> is_private_person({"is_person": None, "type": None})
    True
    """
    flag, kind = record.get(PERSON_FLAG), record.get("type")
    known_flag = flag is not None and not (isinstance(flag, float) and flag != flag)
    known_flag = known_flag and flag is not pd.NA
    if known_flag and bool(flag):
        return True
    if isinstance(kind, str) and kind.strip():
        return kind in PERSON_TYPES
    return not known_flag


def _masked(values: pd.Series, where: pd.Series) -> pd.Series:
    """Return ``values`` with :data:`MASK` where ``where`` holds and a value exists."""
    shown = [
        None if v is None or pd.isna(v) else (MASK if hide else v) for v, hide in zip(values, where)
    ]
    return pd.Series(shown, index=values.index, dtype=object, name=values.name)
