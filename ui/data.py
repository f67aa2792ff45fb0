"""Cached reads for the pages: one-line wrappers keyed by small hashable arguments.

``st.cache_resource`` holds the store (one per URL, shared by all sessions: the
connection, not its data). Every cached frame is keyed by the store URL, the store's
change token (:meth:`geo.store.Store.change_token`) and the view's parameters: a
filter change reuses what is already computed, and any committed write (a save in
another browser session, a ``qmon import`` by another process, another app server
on the same PostGIS) changes the token, so the next rerun reads afresh.

The token is read once per rerun (:func:`begin_run`, called by the navigation before
each page runs) and kept in the session for the rest of that run, so one run sees one
state of the store throughout. :func:`clear` after a write is only a speed-up (old
entries go at once instead of ageing out); correctness never depends on it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import streamlit as st

from geo.store import Store, open_store
from geo.store.base import ChangeToken, empty_frame
from geo.webmap import display_geometry
from indicators import stored
from indicators.clusters import local_moran
from indicators.registry import Registry
from indicators.social_index import IndexProfile
from monitoring import catalogue, services
from monitoring.auth import User
from monitoring.maps.cache import RenderedMaps, shared_table, view_key
from monitoring.maps.content import MapContent, MapFrames, geobasis, social_index_at
from monitoring.maps.content import map_content as content_of
from monitoring.maps.view import MapView
from monitoring.services import ProgressReport
from ui import frames

DEFAULT_PROFILE = catalogue.DEFAULT_PROFILE
#: Session key of the change tokens read in the current run (store URL -> token).
TOKENS_KEY = "_qmon_change_tokens"
#: Cached frames of old tokens age out: at most this many per function, for this long.
MAX_ENTRIES = 64
TTL_SECONDS = 3600

_cache = st.cache_data(show_spinner=False, max_entries=MAX_ENTRIES, ttl=TTL_SECONDS)


# --- resources (no store data) -----------------------------------------------------------


@st.cache_resource(show_spinner=False)
def store(url: str) -> Store:
    return open_store(url)


@st.cache_resource(show_spinner=False)
def rendered_maps() -> RenderedMaps:
    """The rendered maps of this app server, shared by all sessions (bounded LRU)."""
    return RenderedMaps()


def registry(url: str) -> Registry:
    """The indicator registry of the store: shipped defaults and the store's catalogue."""
    return _registry(url, change_token(url))


def profiles(url: str) -> dict[str, IndexProfile]:
    """The social index profiles usable on the store (shipped and stored), by name."""
    return _profiles(url, change_token(url))


def profile_names(url: str) -> list[str]:
    """The names of :func:`profiles`, the default first."""
    names = sorted(profiles(url))
    return sorted(names, key=lambda n: n != DEFAULT_PROFILE)


def profile(url: str, name: str = DEFAULT_PROFILE) -> IndexProfile:
    """One profile of the store; an unknown name gives the default profile."""
    found = profiles(url)
    return found.get(name) or found[DEFAULT_PROFILE]


def stored_profiles(url: str) -> pd.DataFrame:
    """The rows of the store's own profiles (name, label, definition, version)."""
    return _layer(url, change_token(url), "index_profiles")


# --- the change token of this run ----------------------------------------------------------


def begin_run() -> None:
    """Forget the tokens of the last run: the next read of each store asks it again."""
    st.session_state[TOKENS_KEY] = {}


def change_token(url: str) -> ChangeToken:
    """Return the change token of the store at ``url`` as read once in this run."""
    tokens: dict[str, ChangeToken] = st.session_state.setdefault(TOKENS_KEY, {})
    if url not in tokens:
        tokens[url] = store(url).change_token()
    return tokens[url]


def clear() -> None:
    """Drop every cached frame at once (a speed-up after a write; not needed to be right)."""
    st.cache_data.clear()
    rendered_maps().clear()
    begin_run()


# --- what a form showed: the version a save expects ----------------------------------------

#: Session key of the records as the edit forms last showed them (form key -> record).
SHOWN_KEY = "_qmon_shown_records"


def as_shown(form: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``record`` as the form ``form`` showed it in the last run; remember this run's.

    Reads are fresh on every rerun, so when the user presses "Speichern" the record may
    already be someone else's newer version. A save must expect the version the user
    edited, the one shown before the click: then a change in between is a conflict,
    never a silent overwrite. Call it where the form is drawn, before the form.
    """
    shown: dict[str, dict[str, Any]] = st.session_state.setdefault(SHOWN_KEY, {})
    before = shown.get(form)
    shown[form] = dict(record)
    return dict(before) if before is not None else dict(record)


def forget_shown(form: str) -> None:
    """After the user's own save: the next run shows (and expects) the record as stored."""
    st.session_state.setdefault(SHOWN_KEY, {}).pop(form, None)


def remember_shown(form: str, record: Mapping[str, Any]) -> None:
    """Record what the user knows after their own save (the record as stored)."""
    st.session_state.setdefault(SHOWN_KEY, {})[form] = dict(record)


# --- the wrappers the pages call ---------------------------------------------------------


def layer(url: str, name: str) -> pd.DataFrame:
    return _layer(url, change_token(url), name)


def areas(url: str, level: str) -> gpd.GeoDataFrame:
    return _areas(url, change_token(url), level)


def area_display(url: str, level: str) -> gpd.GeoDataFrame:
    return _area_display(url, change_token(url), level)


def funding_area_display(url: str) -> gpd.GeoDataFrame:
    return _funding_area_display(url, change_token(url))


def levels(url: str) -> list[str]:
    return _levels(url, change_token(url))


def indicator_values(url: str, level: str) -> pd.DataFrame:
    return _indicator_values(url, change_token(url), level)


def indicator_series(url: str, level: str, indicator: str) -> pd.DataFrame:
    return _indicator_series(url, change_token(url), level, indicator)


def social_index(url: str, level: str, period: pd.Timestamp, profile_name: str) -> pd.DataFrame:
    """The social index recomputed from the stored counts, indexed by area id."""
    return _social_index(url, change_token(url), level, period, profile_name)


def measures(url: str) -> gpd.GeoDataFrame:
    return _measures(url, change_token(url))


def buildings_in_area(url: str, level: str, area_id: str) -> gpd.GeoDataFrame:
    return _buildings_in_area(url, change_token(url), level, area_id)


def progress(url: str, user_name: str, role: str, area_id: str) -> ProgressReport:
    return _progress(url, change_token(url), user_name, role, area_id)


def comparison(url: str, user_name: str, role: str, area_id: str, indicator: str) -> pd.DataFrame:
    return _comparison(url, change_token(url), user_name, role, area_id, indicator)


def network(url: str, user_name: str, role: str, area_id: str) -> dict[str, pd.DataFrame]:
    return _network(url, change_token(url), user_name, role, area_id)


def actors(url: str, user_name: str, role: str, area_id: str) -> pd.DataFrame:
    return _actors(url, change_token(url), user_name, role, area_id)


def all_actors(url: str, user_name: str, role: str) -> pd.DataFrame:
    """Every actor, as the user may see them (personal data masked by the services)."""
    return _all_actors(url, change_token(url), user_name, role)


def clusters(
    url: str, level: str, indicator: str, period: pd.Timestamp, minimum: int
) -> pd.DataFrame:
    """Local Moran's I over the values that may be shown: suppressed small areas take no
    part, so their values cannot colour their neighbours' labels either."""
    return _clusters(url, change_token(url), level, indicator, period, minimum)


def housing(url: str, user_name: str, role: str, level: str) -> pd.DataFrame:
    return _housing(url, change_token(url), user_name, role, level)


def map_frames(url: str, level: str) -> MapFrames:
    """The stored frames of a map of ``level`` (:class:`monitoring.maps.content.MapFrames`)."""
    return _map_frames(url, change_token(url), level)


def map_content(url: str, view: MapView) -> MapContent:
    """What a view of the Karte page shows (:func:`monitoring.maps.content.map_content`)."""
    level = view.level if view.level is not None else levels(url)[0]
    return _map_content(url, change_token(url), level, view.to_query())


def rendered_map(
    url: str, user: User, parts: Mapping[str, Any], make: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """The rendered map of a view (:mod:`monitoring.maps.cache`): made once per data
    version, view, scope and role, shared by every session and, on PostGIS, by every app
    server. ``parts`` must name everything the map depends on besides the data."""
    key = view_key(role=user.role, scope=user.scope, parts=parts)
    return rendered_maps().get_or_make(url, change_token(url), key, make, shared=shared_table(url))


def map_print(url: str, view: MapView, paper: str, orientation: str, file_format: str) -> bytes:
    """The printed map of a view (:func:`monitoring.maps.printing.print_map`), as bytes."""
    return _map_print(url, change_token(url), view.to_query(), paper, orientation, file_format)


# --- the cached work, keyed by (url, token, parameters) -----------------------------------
# ``token`` is not used in the bodies: it is part of the cache key.


@_cache
def _registry(url: str, token: ChangeToken) -> Registry:
    return catalogue.registry_for(store(url))


@_cache
def _profiles(url: str, token: ChangeToken) -> dict[str, IndexProfile]:
    return catalogue.profiles_for(store(url))


@_cache
def _layer(url: str, token: ChangeToken, name: str) -> pd.DataFrame:
    return store(url).read(name)


@_cache
def _areas(url: str, token: ChangeToken, level: str) -> gpd.GeoDataFrame:
    return store(url).read("areas", where={"level": level})


@_cache
def _area_display(url: str, token: ChangeToken, level: str) -> gpd.GeoDataFrame:
    return display_geometry(_areas(url, token, level)[["id", "name", "geometry"]])


@_cache
def _funding_area_display(url: str, token: ChangeToken) -> gpd.GeoDataFrame:
    funding = _layer(url, token, "funding_areas")
    return display_geometry(funding[["id", "name", "programme_id", "geometry"]])


@_cache
def _levels(url: str, token: ChangeToken) -> list[str]:
    return sorted(_layer(url, token, "indicator_values")["level"].unique()) or sorted(
        store(url).read("areas", columns=["level"])["level"].unique()
    )


@_cache
def _indicator_values(url: str, token: ChangeToken, level: str) -> pd.DataFrame:
    return store(url).read("indicator_values", where={"level": level})


@_cache
def _indicator_series(url: str, token: ChangeToken, level: str, indicator: str) -> pd.DataFrame:
    values = _indicator_values(url, token, level)
    return stored.indicator_series(values, _registry(url, token), indicator)


@_cache
def _social_index(
    url: str, token: ChangeToken, level: str, period: pd.Timestamp, profile_name: str
) -> pd.DataFrame:
    found = _profiles(url, token)
    chosen = found.get(profile_name) or found[DEFAULT_PROFILE]
    values = _indicator_values(url, token, level)
    return social_index_at(values, _registry(url, token), chosen, period)


@_cache
def _measures(url: str, token: ChangeToken) -> gpd.GeoDataFrame:
    return frames.measure_frame(
        _layer(url, token, "measures"),
        _layer(url, token, "funding_areas"),
        _layer(url, token, "measure_fields"),
    )


@_cache
def _buildings_in_area(url: str, token: ChangeToken, level: str, area_id: str) -> gpd.GeoDataFrame:
    shape = _areas(url, token, level).set_index("id").geometry.get(area_id)
    if shape is None:
        return empty_frame(store(url).layer("buildings"), store(url).crs)
    found = store(url).read("buildings", bbox=tuple(shape.bounds))
    return found[shapely.intersects(np.asarray(found.geometry.values), shape)]


def _user(user_name: str, role: str) -> User:
    return User(user_name, role)  # type: ignore[arg-type]


@_cache
def _progress(
    url: str, token: ChangeToken, user_name: str, role: str, area_id: str
) -> ProgressReport:
    user = _user(user_name, role)
    return services.progress_report(store(url), user, area_id, registry=_registry(url, token))


@_cache
def _comparison(
    url: str, token: ChangeToken, user_name: str, role: str, area_id: str, indicator: str
) -> pd.DataFrame:
    user = _user(user_name, role)
    reg = _registry(url, token)
    return services.compare_area(store(url), user, area_id, indicator, registry=reg)


@_cache
def _network(
    url: str, token: ChangeToken, user_name: str, role: str, area_id: str
) -> dict[str, pd.DataFrame]:
    return services.actor_network(store(url), _user(user_name, role), area_id)


@_cache
def _actors(url: str, token: ChangeToken, user_name: str, role: str, area_id: str) -> pd.DataFrame:
    return services.area_actors(store(url), _user(user_name, role), area_id)


@_cache
def _all_actors(url: str, token: ChangeToken, user_name: str, role: str) -> pd.DataFrame:
    return services.read(store(url), _user(user_name, role), "actors")


@_cache
def _clusters(
    url: str,
    token: ChangeToken,
    level: str,
    indicator: str,
    period: pd.Timestamp,
    minimum: int,
) -> pd.DataFrame:
    series = _indicator_series(url, token, level, indicator)
    at_period = series[series["period"] == period][["area_id", "period", "value"]]
    judged = frames.disclosed(
        at_period,
        _indicator_values(url, token, level),
        indicator=indicator,
        minimum=minimum,
        without_population="show",  # the page says that no resident counts are stored
    )
    at = judged.set_index("area_id")["value"]
    frame = _areas(url, token, level)[["id", "geometry"]]
    frame = frame.assign(wert=frame["id"].map(at).astype("float64"))
    result = local_moran(frame, "wert")
    return result.assign(id=frame["id"].to_numpy())


@_cache
def _map_frames(url: str, token: ChangeToken, level: str) -> MapFrames:
    return MapFrames(
        level=level,
        levels=tuple(_levels(url, token)),
        values=_indicator_values(url, token, level),
        areas=_areas(url, token, level),
        funding_areas=_layer(url, token, "funding_areas"),
        programmes=_layer(url, token, "programmes"),
        measures=_measures(url, token),
        registry=_registry(url, token),
        profile=_profiles(url, token).get(DEFAULT_PROFILE)
        or next(iter(_profiles(url, token).values())),
        geobasis=geobasis(store(url), level),
    )


@_cache
def _map_content(url: str, token: ChangeToken, level: str, query: str) -> MapContent:
    return content_of(_map_frames(url, token, level), MapView.from_query(query))


@st.cache_data(show_spinner=False, max_entries=8, ttl=TTL_SECONDS)
def _map_print(
    url: str, token: ChangeToken, query: str, paper: str, orientation: str, file_format: str
) -> bytes:
    from monitoring.maps.printing import print_map  # matplotlib: only when a map is printed

    view = MapView.from_query(query)
    level = view.level if view.level is not None else _levels(url, token)[0]
    return print_map(
        _map_content(url, token, level, query),
        paper=paper,
        orientation=orientation,
        file_format=file_format,
    )


@_cache
def _housing(url: str, token: ChangeToken, user_name: str, role: str, level: str) -> pd.DataFrame:
    return services.housing(store(url), _user(user_name, role), level=level)
