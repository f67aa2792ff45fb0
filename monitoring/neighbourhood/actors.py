"""Actors of a quarter (Akteure): their types and the checks of a record.

Organisations and persons of the types the field knows (../shared/DOMAIN.md §5).
Contact data (contact person, e-mail, phone, address) is personal data; the
services mask it for roles that may not see it (:func:`monitoring.auth.mask_personal`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from monitoring.findings import Finding

ACTOR_TYPES: tuple[str, ...] = (
    "Bewohnergruppe",
    "Verein",
    "Wohnungsunternehmen",
    "private Eigentümer",
    "Gewerbe",
    "Religionsgemeinschaft",
    "Schule/Bildung",
    "Polizei",
    "Politik",
    "Verwaltung",
)
"""Residents' groups, associations, housing companies, private owners, businesses,
religious communities, schools and education providers, police, politics, administration."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_actor(record: Mapping[str, Any]) -> list[Finding]:
    """Check an actor: a name, a known type, a plausible e-mail address.

    Examples
    --------
    >>> [f.message for f in check_actor({"id": "A1", "name": "Kiezclub", "type": "Club"})]
    ["actor 'A1': type 'Club' is not one of Bewohnergruppe, Verein, Wohnungsunternehmen, \
private Eigentümer, Gewerbe, Religionsgemeinschaft, Schule/Bildung, Polizei, Politik, Verwaltung"]
    >>> check_actor({"id": "A2", "name": "Verein", "type": "Verein", "email": "x@y"})[0].code
    'email'
    """
    rid = str(record.get("id"))
    out: list[Finding] = []

    def add(code: str, message: str) -> None:
        out.append(Finding("error", code, "actors", rid, f"actor {rid!r}: {message}"))

    if not str(record.get("name") or "").strip():
        add("name", "the name is empty; give the actor a name")
    kind = record.get("type")
    if kind not in ACTOR_TYPES:
        add("type", f"type {kind!r} is not one of {', '.join(ACTOR_TYPES)}")
    email = record.get("email")
    if isinstance(email, str) and email and not _EMAIL.match(email):
        add("email", f"e-mail {email!r} is not an address like name@example.org")
    return out
