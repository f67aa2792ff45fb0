"""The actor network of a quarter: who works with whom through shared projects and bodies.

Two actors are linked when they take part in the same project or body; the weight
of a link is the number of projects and bodies they share. Actors without any link
are isolated: the people quarter management still has to bring in.
"""

from __future__ import annotations

from itertools import combinations

import networkx as nx
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
