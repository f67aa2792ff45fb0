"""The sender block of the federal reports: who sends them, configured once per store.

The store keeps the city's settings as records (its indicator catalogue, its index
profiles), so the sender is one record too, in the layer ``report_sender`` with the
id :data:`SENDER_ID`, written like every other record through the one writing path
(:func:`monitoring.editing.changes`: permission, version check, audit row). Roles that
may edit funding data (editor, admin) set it; the app's Berichte page and ``qmon
report sender set`` do, and every report prints it at its top (PDF, workbook).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from monitoring import editing
from monitoring.auth import User, require
from monitoring.errors import RuleViolation
from monitoring.reports.report import SENDER_FIELDS

if TYPE_CHECKING:
    from geo.store.base import Store

LAYER = "report_sender"
SENDER_ID = "absender"
"""The id of the one sender record."""
FIELDS: tuple[str, ...] = tuple(k for k, _ in SENDER_FIELDS)
LABELS: Mapping[str, str] = dict(SENDER_FIELDS)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+()/\-. ]{4,}$")


def read_sender(store: Store) -> dict[str, str]:
    """Return the sender block as ``{field: text}`` (only fields that are set; {} if none).

    Reading needs no right beyond opening the store: the block is printed on every
    report, which every role may read.
    """
    frame = store.read(LAYER, where={"id": SENDER_ID})
    if frame.empty:
        return {}
    row = frame.iloc[0]
    return {k: str(row[k]).strip() for k in FIELDS if _text(row.get(k))}


def _text(value: Any) -> bool:
    return (
        value is not None
        and not (isinstance(value, float) and value != value)
        and bool(str(value).strip())
    )


def check_sender(values: Mapping[str, Any]) -> dict[str, str | None]:
    """Return the sender fields cleaned (blank -> None), or raise RuleViolation in German.

    Examples
    --------
    >>> check_sender({"municipality": " Musterstadt ", "email": ""})
    {'municipality': 'Musterstadt', 'email': None}
    >>> check_sender({"email": "amt-at-musterstadt.de"})
    Traceback (most recent call last):
    ...
    monitoring.errors.RuleViolation: Der Absender wurde nicht gespeichert: E-Mail: \
„amt-at-musterstadt.de“ ist keine E-Mail-Adresse (z. B. stadterneuerung@musterstadt.de)
    """
    unknown = [k for k in values if k not in FIELDS]
    problems = [f"unbekanntes Feld „{k}“; möglich sind: {', '.join(FIELDS)}" for k in unknown]
    out: dict[str, str | None] = {}
    for key, raw in values.items():
        if key in unknown:
            continue
        text = " ".join(str(raw).split()) if raw is not None else ""
        out[key] = text or None
        if not text:
            continue
        if key == "email" and not _EMAIL.match(text):
            problems.append(
                f"E-Mail: „{text}“ ist keine E-Mail-Adresse (z. B. stadterneuerung@musterstadt.de)"
            )
        if key == "phone" and not _PHONE.match(text):
            problems.append(
                f"Telefon: „{text}“ ist keine Telefonnummer (Ziffern, Leerzeichen, + / - ( ))"
            )
    if problems:
        raise RuleViolation(
            f"Der Absender wurde nicht gespeichert: {'; '.join(problems)}", problems=problems
        )
    return out


def save_sender(
    store: Store,
    user: User,
    values: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Set fields of the sender block (a blank text clears a field); return the record.

    Parameters
    ----------
    store, user
        Where, and who acts (a role that may edit funding data: editor, admin).
    values
        Any of :data:`FIELDS`.
    expected_version
        The version the user read (forms); default: the stored one.

    Raises
    ------
    PermissionDenied
        For roles that may not edit funding data.
    RuleViolation
        For an unknown field, an e-mail address or a phone number that is none.
    EditConflict
        When someone else changed the block since ``expected_version``.
    """
    require(user, editing.LAYER_ACTIONS[LAYER])
    cleaned = check_sender(values)
    with editing.changes(store, user) as ch:
        before = ch.read(LAYER, {"id": SENDER_ID})
        if before is None:
            return ch.create(
                LAYER, {"id": SENDER_ID} | {k: v for k, v in cleaned.items() if v is not None}
            )
        changed = {k: v for k, v in cleaned.items() if before.get(k) != v}
        if not changed:
            return before
        version = before["version"] if expected_version is None else expected_version
        return ch.update(LAYER, {"id": SENDER_ID}, changed, expected_version=version)


def sender_lines(sender: Mapping[str, str]) -> list[tuple[str, str]]:
    """Return the sender block as ``(label, text)`` lines in print order.

    Examples
    --------
    >>> sender_lines({"phone": "0123 45", "municipality": "Musterstadt"})
    [('Gemeinde', 'Musterstadt'), ('Telefon', '0123 45')]
    """
    return [(label, sender[k]) for k, label in SENDER_FIELDS if sender.get(k)]
