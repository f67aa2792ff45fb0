"""STUB — Seite „Berichte“ (issue 7). The reports engineer replaces this module.

Nothing here generates a report: the page says so, so that nobody mistakes it for the
federal reports (eMo, Begleitinformationen), which come with issue 7.
"""

from __future__ import annotations

import streamlit as st


def render() -> None:
    """Draw the placeholder page (not the reports)."""
    st.title("Berichte")
    st.warning(
        "Die Bundesberichte (Elektronisches Monitoring, Begleitinformationen) sind in dieser "
        "Version noch nicht enthalten. Diese Seite ist ein Platzhalter."
    )
