"""The Streamlit app: one module per page (see ui.pages), no computation of the domain."""
