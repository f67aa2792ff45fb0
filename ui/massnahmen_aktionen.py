"""Gemeinsame Bausteine der Maßnahmenseite: Speichern mit deutscher Meldung, Rückfrage, Hinweise.

Jede Schreibaktion der Seite läuft über :func:`attempt`: Sie ruft den Dienst auf und
zeigt jedes Ergebnis auf Deutsch – gespeichert, Rückfrage bei einer Verzehnfachung
(„Trotzdem speichern“), Konflikt mit einer anderen Person, Regelverstoß, abgelehnte
Datei. Nach dem Speichern wird die Seite neu gezeichnet; die Meldung überlebt das als
„Hinweis für den nächsten Lauf“ (:func:`flash`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from monitoring.errors import (
    AttachmentRefused,
    ConfirmationNeeded,
    EditConflict,
    MonitoringError,
    PermissionDenied,
    RuleViolation,
)
from ui import data
from ui.common import md
from ui.massnahmen_texte import attachment_text, confirmation_text, conflict_text

_FLASH = "massnahmen._meldungen"


def flash(kind: str, text: str) -> None:
    """Keep a message for the next run of the page (after ``st.rerun``)."""
    st.session_state.setdefault(_FLASH, []).append((kind, text))


def show_flashes() -> None:
    """Show and forget the kept messages."""
    for kind, text in st.session_state.pop(_FLASH, []):
        getattr(st, kind)(text)


def pending_key(what: str) -> str:
    """Return the session key that marks a change waiting for "Trotzdem speichern"."""
    return f"massnahmen._bestaetigen.{what}"


def confirm_box(what: str, *, key: str) -> bool:
    """Draw the "Trotzdem speichern" checkbox when a change of ``what`` waits; return it."""
    if not st.session_state.get(pending_key(what)):
        return False
    st.warning(f"Bitte bestätigen: {st.session_state[pending_key(what)]}")
    return bool(st.checkbox("Trotzdem speichern", key=key))


def attempt(
    action: Callable[[], Any], *, what: str, subject: str, done: str, shown: str | None = None
) -> bool:
    """Run a writing service call; show its outcome in German; rerun the page when stored.

    Parameters
    ----------
    action
        The call of the service.
    what
        Names the form, for the confirmation ("Trotzdem speichern").
    subject
        The record in a German sentence ("Die Maßnahme", "Die Finanzierungszeile").
    done
        The message after saving.
    shown
        The form name under which the page remembers the record it showed
        (:func:`ui.data.as_shown`); after a save the next run shows the stored record.
    """
    try:
        result = action()
    except ConfirmationNeeded as exc:
        st.session_state[pending_key(what)] = confirmation_text(exc.reasons)
        flash(
            "warning",
            "Nicht gespeichert – bitte prüfen: "
            + confirmation_text(exc.reasons)
            + ". Ist das richtig, setzen Sie „Trotzdem speichern“ und speichern Sie erneut.",
        )
        st.rerun()
    except EditConflict as exc:
        data.clear()
        st.error(md(conflict_text(exc, what=subject)))
        return False
    except AttachmentRefused as exc:
        st.error(md(attachment_text(exc)))
        return False
    except PermissionDenied as exc:
        st.error(md(f"Nicht erlaubt: {exc}"))
        return False
    except RuleViolation as exc:
        st.error(md("Nicht gespeichert: " + "; ".join(exc.problems)))
        return False
    except MonitoringError as exc:
        st.error(md(f"Nicht gespeichert: {exc}"))
        return False
    st.session_state.pop(pending_key(what), None)
    if shown is not None:
        data.forget_shown(shown)
    data.clear()
    flash("success", done)
    for w in getattr(result, "warnings", ()):
        flash("warning", f"Hinweis: {w.message}")
    st.rerun()
    return True  # pragma: no cover - st.rerun does not return
