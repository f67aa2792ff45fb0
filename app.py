"""Quartiersmonitor: the Streamlit app's entry point (``streamlit run app.py``).

Only page setup, the login and the navigation are here; every page is a module of
the ``ui`` package and everything it computes lives in the core packages. Without a
configured login the app is read-only unless ``QMON_LOCAL_ADMIN=1`` (a single-user
desktop, as ``make app`` runs the demo); the sidebar says which.
"""

from __future__ import annotations

import streamlit as st

from ui.common import access_mode, acting_user
from ui.pages import run

st.set_page_config(page_title="Quartiersmonitor", page_icon="🗺️", layout="wide")
user = acting_user()
st.session_state["user"] = user
with st.sidebar:
    st.caption(access_mode(user))
run()
