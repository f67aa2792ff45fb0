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

from monitoring.errors import PermissionDenied

Role = Literal["viewer", "qm", "editor", "admin"]
ROLES: tuple[str, ...] = ("viewer", "qm", "editor", "admin")
ROLE_LABELS: Mapping[str, str] = {
    "viewer": "Lesen",
    "qm": "Quartiersmanagement",
    "editor": "Bearbeiten",
    "admin": "Administration",
}

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
    "edit_settings": "Programme und Handlungsfelder bearbeiten",
    "read_audit": "das Änderungsprotokoll lesen",
}

PERMISSIONS: Mapping[str, frozenset[str]] = {
    "viewer": frozenset({"read"}),
    "qm": frozenset({"read", "read_personal", "edit_qm"}),
    "editor": frozenset({"read", "read_personal", "edit_funding", "edit_qm", "read_audit"}),
    "admin": frozenset(ACTIONS),
}
"""The permission table: role -> the actions it allows."""

PERSONAL_COLUMNS: tuple[str, ...] = ("contact_name", "email", "phone", "address")
"""Columns of the layer ``actors`` that hold personal data."""

MASK = "•••"


@dataclass(frozen=True)
class User:
    """The acting user: a name (recorded in the audit log) and a role.

    Examples
    --------
    >>> User("anna", "editor").may("edit_funding")
    True
    >>> User("gast", "viewer").may("read_personal")
    False
    >>> User("x", "boss")
    Traceback (most recent call last):
    ...
    monitoring.errors.PermissionDenied: user 'x' has the unknown role 'boss'; \
allowed roles: viewer, qm, editor, admin
    """

    name: str
    role: Role

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise PermissionDenied(
                f"a user needs a name (got {self.name!r}); log in or pass --user NAME"
            )
        if self.role not in ROLES:
            raise PermissionDenied(
                f"user {self.name!r} has the unknown role {self.role!r}; "
                f"allowed roles: {', '.join(ROLES)}"
            )

    def may(self, action: str) -> bool:
        """Return whether the role allows ``action``."""
        check_action(action)
        return action in PERMISSIONS[self.role]


LOCAL_USER = User("lokal", "admin")
"""The single local user of the demo, with all rights."""


def check_action(action: str) -> None:
    """Raise ValueError unless ``action`` is one of :data:`ACTIONS`."""
    if action not in ACTIONS:
        raise ValueError(f"action {action!r} is not one of {', '.join(ACTIONS)}")


def require(user: User, action: str) -> None:
    """Raise PermissionDenied unless ``user`` may do ``action``.

    Raises
    ------
    PermissionDenied
        Naming the user, the role, the action and the roles that would allow it.

    Examples
    --------
    >>> require(User("anna", "editor"), "edit_qm")
    >>> require(User("gast", "viewer"), "edit_funding")
    Traceback (most recent call last):
    ...
    monitoring.errors.PermissionDenied: user 'gast' (role viewer) may not \
Gesamtmaßnahmen, Konzepte, Maßnahmen und Finanzierung bearbeiten; roles that may: \
editor, admin
    """
    if not isinstance(user, User):
        raise PermissionDenied(f"the acting user must be a User, got {user!r}")
    if not user.may(action):
        allowed = [r for r in ROLES if action in PERMISSIONS[r]]
        raise PermissionDenied(
            f"user {user.name!r} (role {user.role}) may not {ACTION_LABELS[action]}; "
            f"roles that may: {', '.join(allowed)}"
        )


def user_from_claims(
    claims: Mapping[str, object], *, role_claim: str = "role", default_role: Role = "viewer"
) -> User:
    """Build the acting user from the claims of an OIDC login (e.g. ``st.user``).

    The name is ``preferred_username``, else ``email``, else ``name``; the role is
    the claim ``role_claim`` (a string or a list whose strongest known role wins),
    else ``default_role``.

    Raises
    ------
    PermissionDenied
        When the claims name no user.

    Examples
    --------
    >>> user_from_claims({"email": "a@b.de", "role": ["viewer", "editor"]})
    User(name='a@b.de', role='editor')
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
    return User(name, role)  # type: ignore[arg-type]


def mask_personal(actors: pd.DataFrame, user: User) -> pd.DataFrame:
    """Return ``actors`` with personal data masked unless ``user`` may read it.

    Masked cells hold :data:`MASK` where a value exists and stay empty where none
    does; the input frame is not changed.

    Examples
    --------
    >>> frame = pd.DataFrame({"name": ["Verein"], "email": ["a@b.de"], "phone": [None]})
    >>> mask_personal(frame, User("g", "viewer")).iloc[0].tolist()
    ['Verein', '•••', None]
    >>> mask_personal(frame, User("q", "qm")).iloc[0].tolist()
    ['Verein', 'a@b.de', None]
    """
    if user.may("read_personal"):
        return actors.copy()
    out = actors.copy()
    for column in PERSONAL_COLUMNS:
        if column in out:
            out[column] = out[column].map(lambda v: None if v is None or pd.isna(v) else MASK)
    return out
