"""Hilfe page: the glossary with a search box, the help texts of the inputs, the roles.

All texts come from :mod:`ui.help_texts` (the same words the inputs show as tooltips) and
:mod:`monitoring.auth` (roles and what they may do). The search term is in the link
(``/hilfe?suche=Stichtag``), so a page or a colleague can point to a term.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.german import NO_VALUE_SHORT, count
from monitoring.auth import ACTION_LABELS, ACTIONS, PERMISSIONS, ROLE_LABELS, ROLES
from ui import state
from ui.common import md
from ui.help_texts import GLOSSARY, HELP, INPUT_LABELS, search

PAGE = "hilfe"
SPEC = [state.Param("suche", default="")]


def roles_frame() -> pd.DataFrame:
    """Return what each role may do: one row per action, one column per role (German).

    Examples
    --------
    >>> f = roles_frame()
    >>> f.columns.tolist() == ["Recht", *[ROLE_LABELS[r] for r in ROLES]]
    True
    >>> f.set_index("Recht").loc["Daten lesen"].tolist()
    ['ja', 'ja', 'ja', 'ja']
    """
    rows = [
        {
            "Recht": ACTION_LABELS[action],
            **{ROLE_LABELS[r]: "ja" if action in PERMISSIONS[r] else "–" for r in ROLES},
        }
        for action in ACTIONS
    ]
    return pd.DataFrame(rows, columns=["Recht", *[ROLE_LABELS[r] for r in ROLES]])


def render() -> None:
    """Draw the page."""
    st.title("Hilfe")
    st.caption(
        "Die Begriffe der Städtebauförderung, des Quartiersmanagements und des "
        "Sozialmonitorings, die Erklärungen zu den Eingaben (dieselben wie beim Fragezeichen "
        "neben den Feldern) und die Rollen."
    )
    state.start_view(PAGE, SPEC)
    glossary, inputs, roles = st.tabs(["Glossar", "Eingaben", "Rollen"])
    with glossary:
        query = st.text_input(
            "Begriff suchen",
            key=state.key(PAGE, "suche"),
            placeholder="z. B. Stichtag, Verfügungsfonds, KuF",
            live=True,  # results while typing, and no English "Press Enter to apply"
            help="Sucht in den Begriffen und ihren Erklärungen; Groß-/Kleinschreibung und "
            "ä/ae spielen keine Rolle.",
        )
        found = search(query)
        if not found:
            st.info(f"Kein Begriff passt zu „{md(query.strip())}“.")
        elif query.strip():
            st.caption(count(len(found), "Begriff gefunden", "Begriffe gefunden"))
        for term in found:
            st.markdown(f"**{term}**  \n{GLOSSARY[term]}")
    with inputs:
        st.caption("Was die Eingaben der Seiten bedeuten.")
        for key, label in sorted(INPUT_LABELS.items(), key=lambda item: item[1].casefold()):
            st.markdown(f"**{label}**  \n{HELP[key]}")
    with roles:
        st.caption("Was jede Rolle darf (ja) und was nicht (–).")
        st.dataframe(roles_frame(), hide_index=True, width="stretch", placeholder=NO_VALUE_SHORT)
    state.write_view(PAGE, SPEC)
