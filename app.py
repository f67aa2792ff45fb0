"""Quartiersmonitor: the Streamlit app (UI only; everything it computes lives in the packages)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.errors import GeoError
from geo.store import Store, open_store, store_url
from geo.webmap import ChoroplethSpec, MapLayers, display_geometry, monitoring_map

st.set_page_config(page_title="Quartiersmonitor", page_icon="🗺️", layout="wide")


@st.cache_resource
def get_store(url: str) -> Store:
    return open_store(url)


@st.cache_data
def layer_counts(url: str) -> pd.DataFrame:
    store = get_store(url)
    counts = store.counts()
    return pd.DataFrame(
        {
            "Ebene": [store.schema.layer(n).title for n in counts],
            "Tabelle": list(counts),
            "Anzahl": list(counts.values()),
        }
    )


@st.cache_data
def read_layer(url: str, layer: str) -> pd.DataFrame:
    return get_store(url).read(layer)


url = store_url()
st.title("Quartiersmonitor")
st.caption(f"Datenbestand: {url}")
try:
    counts = layer_counts(url)
    areas = read_layer(url, "areas")
    funding = read_layer(url, "funding_areas")
except GeoError as exc:
    st.error(str(exc))
    st.stop()

left, right = st.columns([1, 2])
with left:
    st.subheader("Ebenen")
    st.dataframe(counts, hide_index=True, use_container_width=True)
with right:
    st.subheader("Gebiete und Fördergebiete")
    level = st.selectbox("Ebene", sorted(areas["level"].unique()) if len(areas) else [])
    shown = areas[areas["level"] == level] if level else areas
    st_folium(
        monitoring_map(
            MapLayers(
                areas=display_geometry(shown),
                spec=ChoroplethSpec("Gebiet"),
                funding_areas=display_geometry(funding),
            )
        ),
        height=560,
        use_container_width=True,
        returned_objects=[],
    )
