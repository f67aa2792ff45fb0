"""The actor network of a quarter: who works with whom through shared projects and bodies.

Two actors are linked when they take part in the same project or body; the weight
of a link is the number of projects and bodies they share. Actors without any link
are isolated: the people quarter management still has to bring in.

For 40–100 actors the reader filters by type or looks at one actor's neighbourhood
(:func:`subnetwork`), and the picture uses a stable force-directed layout with
straight links (:func:`network_layout`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations

import networkx as nx
import numpy as np
import pandas as pd


def actor_network(actors: pd.DataFrame, participation: pd.DataFrame) -> nx.Graph:
    """Build the network of the given actors (nodes) from their participation (links).

    Parameters
    ----------
    actors
        ``id, name, type`` of the actors of the area.
    participation
        ``actor_id, target_kind, target_id, role``; rows of other actors are ignored.

    Returns
    -------
    networkx.Graph
        Nodes are actor ids with ``name`` and ``type``; edges carry ``weight`` and
        ``via`` (the shared ``kind:id`` targets, sorted).

    Examples
    --------
    >>> actors = pd.DataFrame({"id": ["a", "b", "c"], "name": ["A", "B", "C"],
    ...                        "type": ["Verein"] * 3})
    >>> part = pd.DataFrame({"actor_id": ["a", "b", "a", "b"],
    ...                      "target_kind": ["project", "project", "body", "body"],
    ...                      "target_id": ["P1", "P1", "G1", "G1"], "role": [None] * 4})
    >>> g = actor_network(actors, part)
    >>> g["a"]["b"]["weight"], sorted(nx.isolates(g))
    (2, ['c'])
    """
    graph = nx.Graph()
    for aid, name, kind in zip(actors["id"], actors["name"], actors["type"]):
        graph.add_node(aid, name=name, type=kind)
    mine = participation[participation["actor_id"].isin(actors["id"])]
    for (kind, target), group in mine.groupby(["target_kind", "target_id"], sort=True):
        members = sorted(set(group["actor_id"]))
        for a, b in combinations(members, 2):
            if graph.has_edge(a, b):
                graph[a][b]["weight"] += 1
                graph[a][b]["via"] = sorted([*graph[a][b]["via"], f"{kind}:{target}"])
            else:
                graph.add_edge(a, b, weight=1, via=[f"{kind}:{target}"])
    return graph


def network_table(graph: nx.Graph) -> pd.DataFrame:
    """Return one row per actor: partners, links, group (connected component) and isolation.

    Returns
    -------
    pandas.DataFrame
        ``id, name, type, partners`` (number of actors it works with), ``links`` (sum of
        the weights), ``group`` (1 = the largest group), ``isolated``; most partners
        first.

    Examples
    --------
    >>> g = nx.Graph(); g.add_node("a", name="A", type="Verein")
    >>> g.add_node("b", name="B", type="Gewerbe"); g.add_node("c", name="C", type="Politik")
    >>> g.add_edge("a", "b", weight=3, via=["project:P1"])
    >>> network_table(g)[["id", "partners", "links", "group", "isolated"]].values.tolist()
    [['a', 1, 3, 1, False], ['b', 1, 3, 1, False], ['c', 0, 0, 2, True]]
    """
    components = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    group = {node: i for i, comp in enumerate(components, start=1) for node in comp}
    rows = [
        (
            node,
            data.get("name"),
            data.get("type"),
            int(graph.degree(node)),
            int(graph.degree(node, weight="weight")),
            group[node],
            graph.degree(node) == 0,
        )
        for node, data in graph.nodes(data=True)
    ]
    frame = pd.DataFrame(
        rows, columns=["id", "name", "type", "partners", "links", "group", "isolated"]
    )
    return frame.sort_values(
        ["partners", "links", "id"], ascending=[False, False, True], ignore_index=True
    )


def links_table(graph: nx.Graph) -> pd.DataFrame:
    """Return the links: ``actor_a, actor_b, weight, via`` (via joined by ', ').

    Examples
    --------
    >>> g = nx.Graph(); g.add_edge("b", "a", weight=1, via=["body:G1"])
    >>> links_table(g).values.tolist()
    [['a', 'b', 1, 'body:G1']]
    """
    rows = [
        (min(a, b), max(a, b), d["weight"], ", ".join(d["via"]))
        for a, b, d in graph.edges(data=True)
    ]
    return pd.DataFrame(rows, columns=["actor_a", "actor_b", "weight", "via"]).sort_values(
        ["actor_a", "actor_b"], ignore_index=True
    )


def subnetwork(
    graph: nx.Graph,
    *,
    types: Sequence[str] = (),
    around: str | None = None,
    radius: int = 1,
) -> nx.Graph:
    """Return the part of the network a reader asked for.

    Parameters
    ----------
    types
        Keep only actors of these types (empty: every type).
    around
        Keep only this actor and the actors within ``radius`` links of it (after the
        type filter); an actor not in the network gives an empty graph.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_nodes_from([("a", {"type": "Verein"}), ("b", {"type": "Gewerbe"}),
    ...                   ("c", {"type": "Verein"}), ("d", {"type": "Verein"})])
    >>> g.add_edges_from([("a", "b"), ("b", "c"), ("c", "d")])
    >>> sorted(subnetwork(g, types=["Verein"]).edges())
    [('c', 'd')]
    >>> sorted(subnetwork(g, around="b").nodes())
    ['a', 'b', 'c']
    """
    kept = graph
    if types:
        wanted = set(types)
        kept = graph.subgraph([n for n, d in graph.nodes(data=True) if d.get("type") in wanted])
    if around is not None:
        if around not in kept:
            return nx.Graph()
        kept = nx.ego_graph(kept, around, radius=radius)
    return nx.Graph(kept)


def network_layout(
    graph: nx.Graph, *, seed: int = 7, spacing: float = 1.3
) -> dict[str, tuple[float, float]]:
    """Return a stable position (in inches) of every actor: straight, short links.

    Connected actors are placed by a force-directed (spring) layout with a fixed seed,
    so the same network is always drawn the same way; linked actors end up close, so
    no link runs across the page. Actors without any link sit in rows below, apart
    from the rest.

    Parameters
    ----------
    seed
        The seed of the layout (same seed, same picture).
    spacing
        About the distance between neighbouring actors, in inches.

    Examples
    --------
    >>> g = nx.path_graph(["a", "b", "c"]); g.add_node("z")
    >>> pos = network_layout(g)
    >>> pos == network_layout(g), pos["z"][1] < min(pos[n][1] for n in "abc")
    (True, True)
    """
    linked = sorted(n for n in graph.nodes if graph.degree(n) > 0)
    alone = sorted(n for n in graph.nodes if graph.degree(n) == 0)
    side = spacing * max(2.0, math.sqrt(len(linked)) * 1.2)
    pos: dict[str, tuple[float, float]] = {}
    if linked:
        sub = nx.Graph()
        sub.add_nodes_from(linked)
        sub.add_edges_from(graph.subgraph(linked).edges(data=True))
        raw = nx.spring_layout(
            sub, seed=seed, iterations=200, k=2.0 / math.sqrt(len(linked)), weight=None
        )
        xy = np.array([raw[n] for n in linked], dtype=float)
        xy -= xy.min(axis=0)
        extent = float(xy.max()) or 1.0
        xy = xy / extent * side
        pos = {n: (round(float(x), 2), round(float(y), 2)) for n, (x, y) in zip(linked, xy)}
    per_row = max(1, int(side // spacing) + 1)
    for k, node in enumerate(alone):
        row, col = divmod(k, per_row)
        pos[node] = (round(col * spacing, 2), round(-spacing * (row + 1.5), 2))
    return pos
