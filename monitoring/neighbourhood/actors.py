"""Actors of a quarter (Akteure): their types and the checks of a record.

Organisations and persons of the types the field knows (../shared/DOMAIN.md §5).
Contact data (contact person, e-mail, phone, address) is personal data; the
services mask it for roles that may not see it (:func:`monitoring.auth.mask_personal`).

GDPR (DOMAIN.md §5): a private person's contact data is kept only with a recorded
consent to being contacted (``consent`` with ``consent_date``); on request a person is
anonymised (:func:`anonymised_values`): name, contact data and notes are erased, the
links to projects, bodies, decisions and activities stay, ``anonymised_at`` says when.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from monitoring.auth import PERSONAL_COLUMNS, is_private_person
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
    "Bewohner/in",
)
"""Residents' groups, associations, housing companies, private owners, businesses,
religious communities, schools and education providers, police, politics, administration,
and single residents (private persons)."""

ANONYMOUS_NAME = "anonymisiert"
"""The name an anonymised actor keeps (the record and its links stay)."""
CONTACT_COLUMNS: tuple[str, ...] = tuple(c for c in PERSONAL_COLUMNS if c != "notes")
"""The contact data of an actor: kept for a private person only with consent."""
ERASED_FIELDS: tuple[str, ...] = ("name", *CONTACT_COLUMNS, "notes", "consent", "consent_date")
"""The fields an anonymisation erases (``name`` becomes :data:`ANONYMOUS_NAME`)."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_actor(record: Mapping[str, Any]) -> list[Finding]:
    """Check an actor: a name, a known type, a plausible e-mail address, consent for contacts.

    A private person (``is_person``) without a recorded consent may not have contact
    data stored; a consent needs its date; an anonymised actor gets no personal data
    again.

    Examples
    --------
    >>> [f.message for f in check_actor({"id": "A1", "name": "Kiezclub", "type": "Club"})]
    ['Akteur „A1“: die Art „Club“ ist keine von Bewohnergruppe, Verein, Wohnungsunternehmen, \
private Eigentümer, Gewerbe, Religionsgemeinschaft, Schule/Bildung, Polizei, Politik, Verwaltung, \
Bewohner/in']
    >>> check_actor({"id": "A2", "name": "Verein", "type": "Verein", "email": "x@y"})[0].code
    'email'
    >>> person = {"id": "A3", "name": "Erika", "type": "Bewohner/in", "is_person": True,
    ...           "phone": "0000 123"}
    >>> [f.code for f in check_actor(person)]
    ['consent']
    >>> check_actor(person | {"consent": True, "consent_date": "2025-03-01"})
    []
    """
    rid = str(record.get("id"))
    out: list[Finding] = []

    def add(code: str, message: str) -> None:
        out.append(Finding("error", code, "actors", rid, f"Akteur „{rid}“: {message}"))

    if not str(record.get("name") or "").strip():
        add("name", "der Name ist leer; geben Sie dem Akteur einen Namen")
    kind = record.get("type")
    if kind not in ACTOR_TYPES:
        add("type", f"die Art „{kind}“ ist keine von {', '.join(ACTOR_TYPES)}")
    email = record.get("email")
    if isinstance(email, str) and email and not _EMAIL.match(email):
        add("email", f"die E-Mail „{email}“ ist keine Adresse wie name@example.org")
    contact = [c for c in CONTACT_COLUMNS if _given(record.get(c))]
    consent = _given(record.get("consent")) and bool(record.get("consent"))
    if _given(record.get("anonymised_at")):
        kept = [c for c in ("notes", *CONTACT_COLUMNS) if _given(record.get(c))]
        if kept or record.get("name") != ANONYMOUS_NAME:
            add(
                "anonymised",
                "die Person wurde anonymisiert; Name und Kontaktdaten werden nicht wieder "
                "gespeichert (legen Sie bei neuer Einwilligung einen neuen Akteur an)",
            )
    elif is_private_person(record) and contact and not consent:
        add(
            "consent",
            f"Privatperson ohne Einwilligung zur Kontaktaufnahme: Kontaktdaten "
            f"({', '.join(_LABELS[c] for c in contact)}) dürfen nicht gespeichert werden; "
            "erfassen Sie die Einwilligung mit Datum oder lassen Sie die Kontaktdaten leer",
        )
    if consent and not _given(record.get("consent_date")):
        add("consent_date", "die Einwilligung braucht ihr Datum (Einwilligung vom)")
    return out


_LABELS = {
    "contact_name": "Ansprechperson",
    "email": "E-Mail",
    "phone": "Telefon",
    "address": "Anschrift",
}


def _given(value: Any) -> bool:
    """Return whether a field holds a value (not None, NaN, NA or blank text)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return False
    if isinstance(value, float) and value != value:
        return False
    return not (isinstance(value, str) and not value.strip())


def anonymised_values(now: dt.datetime) -> dict[str, Any]:
    """Return the values that anonymise an actor at ``now`` (UTC).

    Examples
    --------
    >>> v = anonymised_values(dt.datetime(2025, 3, 1, 12, 0))
    >>> v["name"], v["email"], v["consent"], v["anonymised_at"]
    ('anonymisiert', None, None, datetime.datetime(2025, 3, 1, 12, 0))
    """
    values: dict[str, Any] = {f: None for f in ERASED_FIELDS}
    values["name"] = ANONYMOUS_NAME
    values["anonymised_at"] = now
    return values


def hide_persons(actors: pd.DataFrame) -> pd.DataFrame:
    """Return ``actors`` with private persons' names and everyone's notes hidden.

    For readers without the right to see personal data: a private person is shown as
    "Privatperson" with the actor's id; notes may name people, so they are hidden too.

    Examples
    --------
    >>> a = pd.DataFrame({"id": ["A1", "A2"], "name": ["Erika Muster", "Kiezclub e.V."],
    ...                   "type": ["Bewohner/in", "Verein"], "is_person": [True, False],
    ...                   "notes": ["ruft abends an", None]})
    >>> hide_persons(a)[["name", "notes"]].values.tolist()
    [['Privatperson (A1)', '•••'], ['Kiezclub e.V.', None]]
    """
    from monitoring.auth import MASK

    out = actors.copy()
    person = [
        is_private_person({"is_person": p, "type": t})
        for p, t in zip(out.get("is_person", pd.Series(None, out.index)), out["type"])
    ]
    if len(out):
        out.loc[person, "name"] = [f"Privatperson ({i})" for i in out.loc[person, "id"]]
    if "notes" in out:
        out["notes"] = pd.Series(
            [MASK if _given(v) else None for v in out["notes"]], index=out.index, dtype=object
        )
    return out
