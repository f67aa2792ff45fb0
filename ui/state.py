"""The view in the URL: query parameters <-> widget state, and the acting user.

A view (area, indicator, period, filters, selection) is described by a list of
:class:`Param`. :func:`read_view` turns query parameters into values (anything not
allowed falls back to the default, so an old or edited link still opens), and
:func:`encode_view` writes values back, leaving defaults out so links stay short.
:func:`bind` connects both to Streamlit widgets: a widget starts from the link, and
every change is written to ``st.query_params``, so the address bar always holds a
link to what the planner sees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import streamlit as st

from monitoring.auth import User

Kind = Literal["one", "many", "int"]
QueryValue = str | list[str]


@dataclass(frozen=True)
class Param:
    """One view parameter: its URL name, kind and default."""

    name: str
    kind: Kind = "one"
    default: Any = None


def _as_list(value: QueryValue | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def read_view(
    params: Mapping[str, QueryValue],
    spec: Sequence[Param],
    *,
    allowed: Mapping[str, Sequence[Any]] | None = None,
) -> dict[str, Any]:
    """Return the view the query parameters describe; bad values give the default.

    Examples
    --------
    >>> spec = [Param("ebene", default="Planungsraum"), Param("status", "many", ()),
    ...         Param("jahr", "int", None)]
    >>> read_view({"status": ["geplant", "x"], "jahr": "2021"}, spec,
    ...           allowed={"status": ["geplant", "bewilligt"]})
    {'ebene': 'Planungsraum', 'status': ('geplant',), 'jahr': 2021}
    >>> read_view({"jahr": "zwei"}, spec)["jahr"] is None
    True
    """
    allowed = allowed or {}
    view: dict[str, Any] = {}
    for p in spec:
        raw = _as_list(params.get(p.name))
        ok = allowed.get(p.name)
        if p.kind == "many":
            values = [v for v in raw if ok is None or v in ok]
            view[p.name] = tuple(dict.fromkeys(values)) if raw else p.default
        elif p.kind == "int":
            try:
                number = int(raw[-1]) if raw else None
            except ValueError:
                number = None
            view[p.name] = (
                number if number is not None and (ok is None or number in ok) else p.default
            )
        else:
            value = raw[-1] if raw else None
            view[p.name] = value if value is not None and (ok is None or value in ok) else p.default
    return view


def encode_view(view: Mapping[str, Any], spec: Sequence[Param]) -> dict[str, QueryValue]:
    """Return query parameters for a view, defaults left out.

    Examples
    --------
    >>> spec = [Param("ebene", default="Planungsraum"), Param("status", "many", ()),
    ...         Param("jahr", "int", None)]
    >>> encode_view({"ebene": "Planungsraum", "status": ("geplant",), "jahr": 2021}, spec)
    {'status': ['geplant'], 'jahr': '2021'}
    """
    out: dict[str, QueryValue] = {}
    for p in spec:
        value = view.get(p.name, p.default)
        if value == p.default or value is None:
            continue
        if p.kind == "many":
            out[p.name] = [str(v) for v in value]
        else:
            out[p.name] = str(value)
    return out


def selection_from_click(feature: Mapping[str, Any] | None) -> str | None:
    """Return ``kind:id`` of a clicked map feature (st_folium ``last_active_drawing``).

    The properties were HTML-escaped for the map; the id is unescaped here.

    Examples
    --------
    >>> selection_from_click({"properties": {"kind": "gebiet", "id": "PR-001"}})
    'gebiet:PR-001'
    >>> selection_from_click({"properties": {"name": "x"}}) is None
    True
    """
    import html

    if not feature:
        return None
    props = feature.get("properties") or {}
    kind, ident = props.get("kind"), props.get("id")
    if not kind or ident is None:
        return None
    return f"{kind}:{html.unescape(str(ident))}"


def split_selection(value: str | None) -> tuple[str, str] | None:
    """Return (kind, id) of a ``kind:id`` selection.

    Examples
    --------
    >>> split_selection("massnahme:M-1")
    ('massnahme', 'M-1')
    >>> split_selection("kaputt") is None
    True
    """
    if not value or ":" not in value:
        return None
    kind, ident = value.split(":", 1)
    return kind, ident


# --- Streamlit side ----------------------------------------------------------------


def start_view(
    page: str, spec: Sequence[Param], *, allowed: Mapping[str, Sequence[Any]] | None = None
) -> dict[str, Any]:
    """Seed the page's widget state from the link (first run only) and return the view.

    Widget keys are ``f"{page}.{name}"``; afterwards the widgets own the state.
    """
    view = read_view(query_params(), spec, allowed=allowed)
    for p in spec:
        key = f"{page}.{p.name}"
        if key not in st.session_state:
            value = view[p.name]
            st.session_state[key] = list(value) if p.kind == "many" else value
    return {p.name: st.session_state[f"{page}.{p.name}"] for p in spec}


def current_view(page: str, spec: Sequence[Param]) -> dict[str, Any]:
    """Return the widget values of the page's view."""
    out: dict[str, Any] = {}
    for p in spec:
        value = st.session_state.get(f"{page}.{p.name}", p.default)
        out[p.name] = tuple(value) if p.kind == "many" and value is not None else value
    return out


def query_params() -> dict[str, list[str]]:
    """Return every query parameter with all its values."""
    return {k: st.query_params.get_all(k) for k in st.query_params}


def write_view(page: str, spec: Sequence[Param]) -> None:
    """Put the page's current view into the URL (only when it changed)."""
    wanted = encode_view(current_view(page, spec), spec)
    as_lists = {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}
    if query_params() != as_lists:
        st.query_params.from_dict(wanted)


def key(page: str, name: str) -> str:
    """Return the widget key of a view parameter."""
    return f"{page}.{name}"


def acting_user() -> User:
    """Return the acting user (see :func:`ui.common.acting_user`, where the login lives)."""
    from ui.common import acting_user as login

    return login()


def choose(
    place: Any,
    label: str,
    options: Sequence[Any],
    page: str,
    name: str,
    *,
    default: Any = None,
    format_func: Any = str,
    help: str | None = None,
) -> Any:
    """Draw a selectbox bound to a view parameter and return its value.

    A value from the link that is not among ``options`` falls back to ``default`` (or
    the first option), so an old link still opens.
    """
    widget = key(page, name)
    choices = list(options)
    if st.session_state.get(widget) not in choices:
        st.session_state[widget] = default if default in choices else choices[0]
    return place.selectbox(label, choices, format_func=format_func, key=widget, help=help)
