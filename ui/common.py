"""Helpers every page uses: error display, safe text, names, links between pages."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pandas as pd
import streamlit as st

from geo import german
from geo.errors import GeoError
from geo.municipality import scope_label
from geo.store import scoped_url
from geo.store import store_url as _store_url
from indicators.errors import IndicatorError
from monitoring.auth import (
    LOCAL_USER,
    MODE_LABELS,
    PERMISSIONS,
    ROLE_LABELS,
    ROLES,
    User,
    user_from_claims,
    user_without_login,
)
from monitoring.errors import MonitoringError
from monitoring.maps.content import names  # noqa: F401 (the pages import names from here)
from ui.help_texts import HELP

#: Our base errors: their message is shown; anything else is a bug and surfaces.
OUR_ERRORS = (GeoError, IndicatorError, MonitoringError)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def current_user() -> User:
    """Return the acting user (set by app.py); run on its own, the user without login."""
    user = st.session_state.get("user")
    return user if isinstance(user, User) else user_without_login(os.environ)


def login_configured() -> bool:
    """Return whether ``.streamlit/secrets.toml`` has an ``[auth]`` section (OIDC login)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all, or one that does not parse
        return False


def acting_user() -> User:
    """Return the acting user: the OIDC login when configured, else the user without login.

    With ``[auth]`` in ``.streamlit/secrets.toml`` the app asks for a login
    (``st.login``) and takes name and role from the identity provider's claims (claim
    ``role``). Without it the app is read-only (viewer) unless ``QMON_LOCAL_ADMIN=1``
    makes it a single-user desktop with all rights (``make app`` sets it for the demo).
    """
    if not login_configured():
        return user_without_login(os.environ)
    if not getattr(st.user, "is_logged_in", False):
        st.info("Bitte melden Sie sich an, um den Quartiersmonitor zu nutzen.")
        st.button("Anmelden", on_click=st.login, type="primary")
        st.stop()
    return user_from_claims(st.user.to_dict())


def access_mode(user: User) -> str:
    """Return the sidebar line saying how the user got their rights (German)."""
    if login_configured():
        scope = f", {scope_label(user.scope)}" if user.scope else ""
        return f"{MODE_LABELS['login']}: {user.name} ({role_label(user)}{scope})"
    if user == LOCAL_USER:
        return MODE_LABELS["local"]
    return MODE_LABELS["guest"]


def role_label(user: User) -> str:
    """Return the German name of the user's role, as every page shows it.

    Examples
    --------
    >>> role_label(User("gast", "viewer")) == ROLE_LABELS["viewer"]
    True
    """
    return ROLE_LABELS[user.role]


def roles_that_may(action: str) -> str:
    """Return the German names of the roles that allow ``action``, joined with "und".

    Examples
    --------
    >>> roles_that_may("edit_settings") == ROLE_LABELS["admin"]
    True
    >>> roles_that_may("edit_qm").count(" und ")
    1
    """
    names_ = [ROLE_LABELS[r] for r in ROLES if action in PERMISSIONS[r]]
    return " und ".join([", ".join(names_[:-1]), names_[-1]] if len(names_) > 1 else names_)


def static_url() -> str:
    """Return the URL path of the vendored map assets (respects ``server.baseUrlPath``)."""
    from ui.assets import STATIC_URL

    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{STATIC_URL}" if base else STATIC_URL


def store_url() -> str:
    """Return the store URL of this app (``QMON_STORE`` or the demo store) for the user.

    A user with a municipality scope gets the URL of the scoped store
    (:func:`geo.store.scoped_url`): on PostGIS every read and write of every page runs
    through the database's row-level security, and the caches are kept per scope.
    """
    from monitoring.scopes import wants_write

    user = current_user()
    if not user.scope:
        return _store_url()
    return scoped_url(_store_url(), user.scope, write=wants_write(user))


@contextmanager
def guarded() -> Iterator[None]:
    """Show our errors as a message instead of a traceback."""
    try:
        yield
    except OUR_ERRORS as exc:
        st.error(str(exc))


def md(value: Any) -> str:
    """Return ``value`` as Markdown that shows it literally (no links, HTML or markup).

    Examples
    --------
    >>> md("<img src=x onerror=alert(1)>")
    '\\\\<img src=x onerror=alert\\\\(1\\\\)\\\\>'
    >>> md(None)
    '–'
    """
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return "–"
    return _MD_SPECIAL.sub(r"\\\1", str(value))


def period_label(value: str | pd.Timestamp) -> str:
    """Write a period (ISO date) the German way: :func:`geo.german.date`, kept for callers.

    Examples
    --------
    >>> period_label("2020-12-31"), period_label("")
    ('31.12.2020', '–')
    """
    return german.date(value)


def page_link(page: str, label: str, query: Mapping[str, str] | None = None) -> None:
    """Link to another page of the app, opening it with the given view parameters."""
    from ui.pages import page_objects

    st.page_link(page_objects()[page], label=label, query_params=dict(query or {}))


#: The view parameters of the measure filters (Karte and Maßnahmen share them).
MEASURE_FILTERS = ("programm", "gebiet", "handlungsfeld", "status", "jahr")


def measure_filters(url: str, page: str, containers: Any) -> pd.DataFrame:
    """Draw the measure filters (programme, funding area, field, status, year); filter.

    ``containers`` is one Streamlit container (e.g. ``st.sidebar``) or five (columns).
    Widget keys are the page's view parameters of :data:`MEASURE_FILTERS`. Returns the
    measures that pass.
    """
    from monitoring.renewal.measures import STATUSES
    from ui import data, frames, state

    places = list(containers) if isinstance(containers, list | tuple) else [containers] * 5
    measures = data.measures(url)
    programmes = names(data.layer(url, "programmes"))
    fields = names(data.layer(url, "fields_of_action"))
    funding = names(data.layer(url, "funding_areas"))
    used_programmes = [p for p in programmes if p in set(measures["programme_id"].dropna())]
    used_fields = sorted({f for ids in measures["field_ids"] for f in ids})
    years = sorted(int(y) for y in measures["year"].dropna().unique())
    for place, (name, label, options, show, hint) in zip(
        places,
        (
            ("programm", "Programm", used_programmes, programmes, "programm"),
            ("gebiet", "Fördergebiet", list(funding), funding, "foerdergebiet"),
            ("handlungsfeld", "Handlungsfeld", used_fields, fields, "handlungsfeld"),
            ("status", "Status", list(STATUSES), {}, "massnahmenstatus"),
        ),
    ):
        place.multiselect(
            label,
            options,
            format_func=lambda v, show=show: show.get(v, v),
            key=state.key(page, name),
            placeholder="alle",
            help=HELP[hint],
            select_all=False,
        )
    places[4].selectbox(
        "Jahr (laufende Maßnahmen)",
        [None, *years],
        format_func=lambda y: "alle Jahre" if y is None else str(y),
        key=state.key(page, "jahr"),
        placeholder="alle Jahre",
        help=HELP["jahr_laufend"],
    )
    view = {n: st.session_state.get(state.key(page, n)) for n in MEASURE_FILTERS}
    return frames.filter_measures(
        measures,
        programmes=view["programm"] or (),
        funding_areas=view["gebiet"] or (),
        fields=view["handlungsfeld"] or (),
        statuses=view["status"] or (),
        year=view["jahr"],
    )


def choose_funding_area(url: str, page: str, spec: Any, *, empty: str) -> str | None:
    """The Gesamtmaßnahme select box of a page (query parameter ``gebiet``); None without one.

    ``spec`` is the page's list of :class:`ui.state.Param`; ``empty`` the note shown when no
    Gesamtmaßnahme is stored yet.
    """
    from ui import data, state

    funding = data.layer(url, "funding_areas")
    if funding.empty:
        st.info(empty)
        return None
    labels = names(funding)
    state.start_view(page, spec, allowed={"gebiet": list(labels)})
    return str(
        state.choose(
            st,
            "Gesamtmaßnahme",
            list(labels),
            page,
            "gebiet",
            format_func=labels.__getitem__,
            help=HELP["gesamtmassnahme"],
        )
    )
