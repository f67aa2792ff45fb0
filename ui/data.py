"""Cached reads for the pages: one-line wrappers keyed by small hashable arguments.

``st.cache_resource`` holds the store (one per URL, shared by all sessions);
``st.cache_data`` holds frames keyed by the store URL and the view's parameters, so
a filter change reuses what is already computed. :func:`clear` drops the frames
after a write.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import streamlit as st

from geo.store import Store, open_store
from geo.store.base import empty_frame
from geo.webmap import display_geometry
from indicators import stored
from indicators.clusters import local_moran
from indicators.registry import Registry, load_registry
from indicators.social_index import IndexProfile, compute_index, load_profile, profile_names
from monitoring import services
from monitoring.auth import User
from monitoring.services import ProgressReport
from ui import frames

DEFAULT_PROFILE = "berlin-mss-2021"


@st.cache_resource(show_spinner=False)
def store(url: str) -> Store:
    return open_store(url)


@st.cache_resource(show_spinner=False)
def registry() -> Registry:
    return load_registry()


@st.cache_resource(show_spinner=False)
def profile(name: str = DEFAULT_PROFILE) -> IndexProfile:
    return load_profile(name if name in profile_names() else DEFAULT_PROFILE)


@st.cache_data(show_spinner=False)
def layer(url: str, name: str) -> pd.DataFrame:
    return store(url).read(name)


@st.cache_data(show_spinner=False)
def areas(url: str, level: str) -> gpd.GeoDataFrame:
    return store(url).read("areas", where={"level": level})


@st.cache_data(show_spinner=False)
def area_display(url: str, level: str) -> gpd.GeoDataFrame:
    return display_geometry(areas(url, level)[["id", "name", "geometry"]])


@st.cache_data(show_spinner=False)
def funding_area_display(url: str) -> gpd.GeoDataFrame:
    return display_geometry(layer(url, "funding_areas")[["id", "name", "programme_id", "geometry"]])


@st.cache_data(show_spinner=False)
def levels(url: str) -> list[str]:
    return sorted(layer(url, "indicator_values")["level"].unique()) or sorted(
        store(url).read("areas", columns=["level"])["level"].unique()
    )


@st.cache_data(show_spinner=False)
def indicator_values(url: str, level: str) -> pd.DataFrame:
    return store(url).read("indicator_values", where={"level": level})


@st.cache_data(show_spinner=False)
def indicator_series(url: str, level: str, indicator: str) -> pd.DataFrame:
    return stored.indicator_series(indicator_values(url, level), registry(), indicator)


@st.cache_data(show_spinner=False)
def social_index(url: str, level: str, period: pd.Timestamp, profile_name: str) -> pd.DataFrame:
    """The social index recomputed from the stored counts, indexed by area id."""
    chosen = profile(profile_name)
    table = stored.index_inputs(indicator_values(url, level), registry(), chosen, period=period)
    result = compute_index(
        table, chosen, id_column="area_id", population_column=stored.POPULATION_COLUMN
    )
    return result.set_index("id")


@st.cache_data(show_spinner=False)
def measures(url: str) -> gpd.GeoDataFrame:
    return frames.measure_frame(
        layer(url, "measures"), layer(url, "funding_areas"), layer(url, "measure_fields")
    )


@st.cache_data(show_spinner=False)
def buildings_in_area(url: str, level: str, area_id: str) -> gpd.GeoDataFrame:
    shape = areas(url, level).set_index("id").geometry.get(area_id)
    if shape is None:
        return empty_frame(store(url).layer("buildings"), store(url).crs)
    found = store(url).read("buildings", bbox=tuple(shape.bounds))
    return found[shapely.intersects(np.asarray(found.geometry.values), shape)]


@st.cache_data(show_spinner=False)
def progress(url: str, user_name: str, role: str, area_id: str) -> ProgressReport:
    user = User(user_name, role)  # type: ignore[arg-type]
    return services.progress_report(store(url), user, area_id, registry=registry())


@st.cache_data(show_spinner=False)
def comparison(url: str, user_name: str, role: str, area_id: str, indicator: str) -> pd.DataFrame:
    user = User(user_name, role)  # type: ignore[arg-type]
    return services.compare_area(store(url), user, area_id, indicator, registry=registry())


@st.cache_data(show_spinner=False)
def network(url: str, user_name: str, role: str, area_id: str) -> dict[str, pd.DataFrame]:
    return services.actor_network(store(url), User(user_name, role), area_id)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False)
def actors(url: str, user_name: str, role: str, area_id: str) -> pd.DataFrame:
    return services.area_actors(store(url), User(user_name, role), area_id)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False)
def all_actors(url: str, user_name: str, role: str) -> pd.DataFrame:
    """Every actor, as the user may see them (personal data masked by the services)."""
    return services.read(store(url), User(user_name, role), "actors")  # type: ignore[arg-type]


@st.cache_data(show_spinner=False)
def clusters(
    url: str, level: str, indicator: str, period: pd.Timestamp, minimum: int
) -> pd.DataFrame:
    """Local Moran's I over the values that may be shown: suppressed small areas take no
    part, so their values cannot colour their neighbours' labels either."""
    series = indicator_series(url, level, indicator)
    at_period = series[series["period"] == period][["area_id", "period", "value"]]
    judged = frames.disclosed(
        at_period, indicator_values(url, level), indicator=indicator, minimum=minimum
    )
    at = judged.set_index("area_id")["value"]
    frame = areas(url, level)[["id", "geometry"]]
    frame = frame.assign(wert=frame["id"].map(at).astype("float64"))
    result = local_moran(frame, "wert")
    return result.assign(id=frame["id"].to_numpy())


@st.cache_data(show_spinner=False)
def housing(url: str, user_name: str, role: str, level: str) -> pd.DataFrame:
    return services.housing(store(url), User(user_name, role), level=level)  # type: ignore[arg-type]


def clear() -> None:
    """Drop every cached frame (after a write)."""
    st.cache_data.clear()
