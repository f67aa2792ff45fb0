"""Deutsche Meldungen der Maßnahmenseite: aus den Feldern der Fehler gebaut, nicht übersetzt.

Die Dienste melden Fakten (Feld, alter und neuer Wert, Grund); hier werden daraus die
Sätze, die eine Planerin liest. Rein und getestet (keine Streamlit-Aufrufe).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from geo import german
from geo.schema import SCHEMA
from monitoring.errors import AttachmentRefused, Confirmation, EditConflict
from monitoring.renewal.attachments import MEDIA_TYPES
from ui.tables import stored_time

FIELD_LABELS: dict[str, str] = {
    c.name: c.title
    for layer in ("measures", "funding_lines")
    for c in SCHEMA.layer(layer).columns
    if c.title
}
FIELD_LABELS |= {"geometry": "Lage", "version": "Version", "cost_group": "Kostengruppe"}


def euro(value: Any) -> str:
    """Return an amount as Germans read it: ``123.456,78 €`` (– when missing).

    Examples
    --------
    >>> euro(123456.78), euro(None), euro(5)
    ('123.456,78\\xa0€', '–', '5,00\\xa0€')
    """
    return german.euro(value, missing=german.NO_VALUE_SHORT)


def _shown(value: Any) -> str:
    """Return a value of a conflict as the form showed it (numbers, dates German).

    Examples
    --------
    >>> _shown(None), _shown(1234.5), _shown(2025), _shown(dt.date(2025, 3, 1)), _shown(True)
    ('leer', '1.234,50', '2025', '01.03.2025', 'ja')
    """
    if value is None:
        return "leer"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return german.number(value, grouping=abs(value) >= 10000)
    if isinstance(value, float):
        return german.number(value, decimals=2)
    if isinstance(value, dt.date):
        return german.date(value)
    text = str(value)
    return f"„{text if len(text) <= 60 else text[:57] + '…'}“"


def confirmation_text(reasons: Sequence[Confirmation]) -> str:
    """Return why a change needs confirmation, one amount per line part.

    Examples
    --------
    >>> confirmation_text([Confirmation("cost_estimate", 12345.0, 1234500.0, "big_change")])
    'Kostenschätzung (€): 12.345,00\\xa0€ → 1.234.500,00\\xa0€ (mehr als das Zehnfache)'
    """
    parts = []
    for c in reasons:
        label = FIELD_LABELS.get(c.field, c.field)
        factor = (
            "mehr als das Zehnfache" if (c.new or 0) > (c.old or 0) else "weniger als ein Zehntel"
        )
        parts.append(f"{label}: {euro(c.old)} → {euro(c.new)} ({factor})")
    return "; ".join(parts)


def conflict_text(exc: EditConflict, *, what: str = "Die Maßnahme") -> str:
    """Return the German conflict message: who changed what since the user read it.

    Examples
    --------
    >>> exc = EditConflict("x", layer="measures", key={"id": "M-1"}, expected_version=1,
    ...     stored_version=2, changed_by="carla", changed_at="2025-03-01T10:00:00",
    ...     differences={"title": ("Alt", "Neu")})
    >>> conflict_text(exc)
    'Konflikt: Die Maßnahme wurde inzwischen von carla geändert (01.03.2025, 11:00 Uhr; \
Ihre Version 1, gespeichert ist Version 2). Unterschiede: Titel: Sie sahen „Alt“, \
gespeichert ist „Neu“. Nichts wurde gespeichert: Laden Sie die Seite neu und geben Sie \
Ihre Änderung erneut ein.'
    """
    if exc.stored_version is None:
        head = (
            f"Konflikt: {what} wurde inzwischen von {exc.changed_by or 'jemand anderem'} gelöscht"
            + ("." if german.is_missing(exc.changed_at) else f" ({_when(exc.changed_at)}).")
        )
    else:
        head = (
            f"Konflikt: {what} wurde inzwischen von {exc.changed_by or 'jemand anderem'} "
            f"geändert ({_when(exc.changed_at)}; Ihre Version "
            f"{exc.expected_version}, gespeichert ist Version {exc.stored_version})."
        )
    diffs = "; ".join(
        f"{FIELD_LABELS.get(f, f)}: Sie sahen {_shown(a)}, gespeichert ist {_shown(b)}"
        for f, (a, b) in exc.differences.items()
    )
    body = f" Unterschiede: {diffs}." if diffs else ""
    return (
        head + body + " Nichts wurde gespeichert: Laden Sie die Seite neu und geben Sie Ihre "
        "Änderung erneut ein."
    )


def _when(value: Any) -> str:
    """When a record was changed, in local time (the store writes UTC)."""
    return "Zeitpunkt unbekannt" if german.is_missing(value) else stored_time(value)


def _megabytes(value: Any) -> str:
    return german.number(float(value) / 1024 / 1024, decimals=1, unit="MB")


def attachment_text(exc: AttachmentRefused) -> str:
    """Return why a file was not attached, and what to do.

    Examples
    --------
    >>> attachment_text(AttachmentRefused("x", filename="a.jpg", reason="unknown_type",
    ...                                   value="4d5a9000"))[:60]
    'Datei „a.jpg“ nicht angehängt: Ihr Inhalt ist kein erlaubter'
    >>> attachment_text(AttachmentRefused("x", filename="b.png", reason="too_large",
    ...                                   value=12 * 2**20, limit=10 * 2**20))[31:75]
    'Sie ist 12,0\\xa0MB groß, erlaubt sind höchstens'
    """
    name = f"Datei „{exc.filename}“ nicht angehängt: "
    allowed = ", ".join(MEDIA_TYPES.values())
    if exc.reason == "too_large":
        return name + (
            f"Sie ist {_megabytes(exc.value or 0)} groß, erlaubt sind höchstens "
            f"{_megabytes(exc.limit or 0)}. Verkleinern Sie sie (z. B. ein Foto mit "
            "geringerer Auflösung) oder bitten Sie die Administration, "
            "QMON_ATTACHMENT_MAX_MB zu erhöhen."
        )
    if exc.reason == "not_a_photo":
        return name + (
            f"Sie ist kein Bild ({MEDIA_TYPES.get(str(exc.value), exc.value)}). Hängen Sie "
            "sie als Dokument an oder wählen Sie ein Foto."
        )
    reasons: Mapping[str, str] = {
        "empty": "Sie ist leer. Wählen Sie die Datei erneut.",
        "unknown_type": (
            f"Ihr Inhalt ist kein erlaubter Dateityp (geprüft wird der Inhalt, nicht der "
            f"Name). Erlaubt: {allowed}."
        ),
        "kind": "Die Art des Anhangs ist unbekannt.",
        "owner": "Dieser Datensatz nimmt keine Anhänge.",
        "damaged": "Der gespeicherte Inhalt passt nicht zu seiner Prüfsumme; bitte neu anhängen.",
    }
    return name + reasons.get(exc.reason, str(exc))
