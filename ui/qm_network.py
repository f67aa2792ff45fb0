"""Reiter „Netzwerk“: wer mit wem zusammenarbeitet, lesbar auch bei 40–100 Akteuren.

Filter nach Akteurstyp und die Nachbarschaft eines Akteurs verkleinern das Bild; die
Anordnung ist stabil (kräftebasiert mit festem Startwert) und jede Verbindung eine
gerade, kurze Linie (:func:`network_dot`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from geo import german
from monitoring.auth import User
from monitoring.neighbourhood.actors import ACTOR_TYPES
from ui.qm_common import qm_actors, qm_network

#: Colours per actor type (Okabe–Ito and greys: tell types apart, not good from bad).
TYPE_COLOURS: tuple[str, ...] = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#999999",
    "#BBBBBB",
    "#DDDDDD",
    "#66C2A5",
)
TYPE_COLOUR: Mapping[str, str] = {
    t: TYPE_COLOURS[i % len(TYPE_COLOURS)] for i, t in enumerate(ACTOR_TYPES)
}
ALL = "__alle__"


def _escape(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _short(name: object, limit: int = 22) -> str:
    text = str(name)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def network_dot(
    actors: pd.DataFrame,
    links: pd.DataFrame,
    positions: Mapping[str, tuple[float, float]],
    *,
    focus: str | None = None,
) -> str:
    r"""Return the network as Graphviz DOT with fixed positions and straight links.

    Every actor is pinned at its position (``pos="x,y!"``, inches, drawn by neato
    without moving anything), links are straight lines (``splines=line``) whose width
    is the number of shared projects and bodies, actors are coloured by type, and a
    long name is shortened on the node (the full name is its tooltip).

    Examples
    --------
    >>> actors = pd.DataFrame({"id": ["a", "b"], "name": ['Verein "Hof"', "Schule"],
    ...                        "type": ["Verein", "Schule/Bildung"]})
    >>> links = pd.DataFrame({"actor_a": ["a"], "actor_b": ["b"], "weight": [2]})
    >>> dot = network_dot(actors, links, {"a": (0.0, 0.0), "b": (1.5, 0.5)}).splitlines()
    >>> dot[1]
    '  graph [layout=neato, splines=line, outputorder=edgesfirst];'
    >>> print(dot[4].split(", fillcolor")[0], dot[4].split("xlabel=")[1].split(",")[0])
      "a" [pos="0.0,0.0!" "Verein \"Hof\""
    >>> dot[-2]
    '  "a" -- "b" [penwidth=2];'
    """
    lines = [
        "graph {",
        "  graph [layout=neato, splines=line, outputorder=edgesfirst];",
        '  node [shape=circle, style=filled, fixedsize=true, width=0.22, label="", '
        'fontname="sans-serif", fontsize=9];',
        '  edge [color="#00000055"];',
    ]
    for ident, name, kind in zip(actors["id"], actors["name"], actors["type"].astype(str)):
        x, y = positions[ident]
        extra = ", penwidth=3" if ident == focus else ""
        lines.append(
            f'  "{_escape(ident)}" [pos="{x},{y}!", fillcolor="{TYPE_COLOUR.get(kind, "#999999")}"'
            f', xlabel="{_escape(_short(name))}", tooltip="{_escape(name)} ({_escape(kind)})"'
            f"{extra}];"
        )
    for a, b, weight in zip(links["actor_a"], links["actor_b"], links["weight"]):
        width = min(6, max(1, int(weight)))
        lines.append(f'  "{_escape(a)}" -- "{_escape(b)}" [penwidth={width}];')
    lines.append("}")
    return "\n".join(lines)


def legend(types: list[str]) -> str:
    """Return the colour legend of the types shown as HTML (type names escaped).

    Examples
    --------
    >>> legend(["Verein", "<b>x</b>"])
    '<span style="color:#56B4E9">●</span> Verein &nbsp; <span style="color:#999999">●</span> \
&lt;b&gt;x&lt;/b&gt;'
    """
    return " &nbsp; ".join(
        f'<span style="color:{TYPE_COLOUR.get(t, "#999999")}">●</span> {html.escape(t)}'
        for t in types
    )


def render(url: str, area: str, user: User) -> None:
    """Draw the filters, the network picture and the table of actors."""
    actors = qm_actors(url, user.name, user.role, area)
    if actors.empty:
        st.info("Für dieses Gebiet sind keine Akteure erfasst.")
        return
    st.caption(
        "Verbunden sind Akteure, die im selben Projekt oder Gremium mitwirken; die Linienstärke "
        "ist die Zahl der gemeinsamen Projekte und Gremien. Akteure ohne Verbindung stehen "
        "unten."
    )
    present = [t for t in ACTOR_TYPES if t in set(actors["type"])]
    present += sorted(set(actors["type"].astype(str)) - set(present))
    c1, c2 = st.columns([2, 2])
    types = c1.multiselect("Akteurstypen", present, placeholder="alle", key="qm.netz.typen")
    names = dict(zip(actors["id"].astype(str), actors["name"].astype(str)))
    around = c2.selectbox(
        "Nachbarschaft von",
        [ALL, *sorted(names, key=lambda k: names[k].lower())],
        format_func=lambda v: "allen Akteuren" if v == ALL else f"{names[v]} ({v})",
        key="qm.netz.um",
    )
    focus = None if around == ALL else str(around)
    net = qm_network(url, user.name, user.role, area, tuple(types), focus)
    if net["actors"].empty:
        st.info("Keine Akteure für diese Auswahl.")
        return
    st.caption(
        f"{german.count(len(net['actors']), 'Akteur', 'Akteure')}, "
        f"{german.count(len(net['links']), 'Verbindung', 'Verbindungen')}"
    )
    st.markdown(legend(sorted(set(net["actors"]["type"].astype(str)))), unsafe_allow_html=True)
    st.graphviz_chart(
        network_dot(net["actors"], net["links"], net["positions"], focus=focus), width="stretch"
    )
    st.dataframe(
        net["actors"].rename(
            columns={
                "id": "Kennung",
                "name": "Name",
                "type": "Typ",
                "partners": "Partner",
                "links": "Verbindungen",
                "group": "Gruppe",
                "isolated": "ohne Verbindung",
            }
        ),
        hide_index=True,
        width="stretch",
    )
