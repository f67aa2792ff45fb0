"""Quartiersmonitor: the Streamlit app's entry point (``streamlit run app.py``).

Only page setup, the login and the navigation are here; every page is a module of
the ``ui`` package and everything it computes lives in the core packages.
"""

from __future__ import annotations

import streamlit as st

from ui import state
from ui.pages import run

st.set_page_config(page_title="Quartiersmonitor", page_icon="🗺️", layout="wide")
user = state.acting_user()
st.session_state["user"] = user
with st.sidebar:
    st.caption(f"Angemeldet: {user.name} ({user.role})")
run()
