"""Activities with organisers and a place, the year's figures, and a readable network."""

from __future__ import annotations

import json
import math
from itertools import combinations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.store.base import Store
from monitoring import services
from monitoring.auth import User
from monitoring.errors import EditConflict, PermissionDenied, RuleViolation
from monitoring.neighbourhood import network
from tests.monitoring.conftest import X0, Y0

CLEAN_UP = {
    "id": "AT-1",
    "funding_area_id": "FA",
    "kind": "Aufräumaktion",
    "title": "Frühjahrsputz Lindenweg",
    "date": "2025-04-05",
    "place": "Spielplatz Lindenweg",
    "participants": 23,
    "volunteers": 6,
    "geometry": shapely.Point(X0 + 120, Y0 + 130),
}


def _actors(store: Store, qm: User) -> None:
    for ident, name in (("AK-1", "Hofgruppe"), ("AK-2", "Kiezclub")):
        services.save(
            store,
            qm,
            "actors",
            {"id": ident, "funding_area_id": "FA", "name": name, "type": "Verein"},
        )


def test_activity_round_trip_with_organisers_and_place(tiny_store: Store, qm: User) -> None:
    _actors(tiny_store, qm)
    saved = services.save_activity(tiny_store, qm, CLEAN_UP, ["AK-1", "AK-2"])
    assert saved.record["participants"] == 23 and saved.record["volunteers"] == 6
    stored = tiny_store.read("activities")
    assert stored.geometry.iloc[0].equals(shapely.Point(X0 + 120, Y0 + 130))
    assert pd.Timestamp(stored["date"].iloc[0]) == pd.Timestamp("2025-04-05")
    partners = tiny_store.read("activity_partners")
    assert sorted(partners["actor_id"]) == ["AK-1", "AK-2"]
    services.save_activity(
        tiny_store, qm, {"participants": 25}, ["AK-2"], key={"id": "AT-1"}, expected_version=1
    )
    assert list(tiny_store.read("activity_partners")["actor_id"]) == ["AK-2"]
    assert int(tiny_store.read("activities")["participants"].iloc[0]) == 25
    log = tiny_store.read("audit_log")
    rows = log[log["layer"].isin(["activities", "activity_partners"])]
    assert list(zip(rows["layer"], rows["action"])) == [
        ("activities", "create"),
        ("activity_partners", "update"),
        ("activities", "update"),
        ("activity_partners", "update"),
    ]
    assert json.loads(rows["after"].iloc[2])["participants"] == 25


def test_activity_rules_refuse_and_store_nothing(tiny_store: Store, qm: User) -> None:
    _actors(tiny_store, qm)
    with pytest.raises(RuleViolation) as info:
        services.save_activity(tiny_store, qm, CLEAN_UP | {"volunteers": -1}, ["AK-9"])
    assert len(info.value.problems) == 2
    assert "-1 Ehrenamtliche; die Zahl muss 0 oder größer sein" in info.value.problems[0]
    assert "Akteur „AK-9“ gibt es nicht" in info.value.problems[1]
    assert tiny_store.read("activities").empty and tiny_store.read("activity_partners").empty


def test_activity_conflict_and_roles(tiny_store: Store, qm: User, viewer: User) -> None:
    _actors(tiny_store, qm)
    services.save_activity(tiny_store, qm, CLEAN_UP, ["AK-1"])
    services.save_activity(
        tiny_store,
        User("carla", "qm"),
        {"place": "Hof"},
        ["AK-1"],
        key={"id": "AT-1"},
        expected_version=1,
    )
    with pytest.raises(EditConflict) as info:
        services.save_activity(
            tiny_store,
            qm,
            {"participants": 30},
            ["AK-1"],
            key={"id": "AT-1"},
            expected_version=1,
        )
    assert info.value.changed_by == "carla"
    assert info.value.differences == {"place": ("Spielplatz Lindenweg", "Hof")}
    with pytest.raises(PermissionDenied):
        services.save_activity(tiny_store, viewer, CLEAN_UP | {"id": "AT-2"}, [])
    assert len(tiny_store.read("activities")) == 1


def test_year_figures_count_activities_participants_and_volunteers(
    tiny_store: Store, qm: User
) -> None:
    _actors(tiny_store, qm)
    services.save_activity(tiny_store, qm, CLEAN_UP, ["AK-1"])
    services.save_activity(
        tiny_store,
        qm,
        CLEAN_UP
        | {
            "id": "AT-2",
            "kind": "Fest",
            "title": "Hoffest",
            "participants": 120,
            "volunteers": None,
            "date": "2025-06-21",
        },
        [],
    )
    services.save_activity(
        tiny_store, qm, CLEAN_UP | {"id": "AT-3", "date": "2024-10-12", "participants": 17}, []
    )
    figures = services.activity_figures(tiny_store, qm, "FA")
    assert figures["years"].values.tolist() == [[2024, 1, 17, 6], [2025, 2, 143, 6]]
    assert figures["kinds"].values.tolist() == [
        [2024, "Aufräumaktion", 1, 17, 6],
        [2025, "Aufräumaktion", 1, 23, 6],
        [2025, "Fest", 1, 120, 0],
    ]


def generated_network(n: int = 100, seed: int = 3) -> nx.Graph:
    """A quarter of ``n`` actors in 24 projects and 3 bodies, a few actors on their own."""
    rng = np.random.default_rng(seed)
    types = ["Bewohnergruppe", "Verein", "Gewerbe", "Schule/Bildung", "Verwaltung"]
    actors = pd.DataFrame(
        {
            "id": [f"AK-{k:03d}" for k in range(n)],
            "name": [f"Akteur {k} mit einem langen Namen" for k in range(n)],
            "type": [types[k % len(types)] for k in range(n)],
        }
    )
    rows = []
    for t in range(27):
        members = rng.choice(n - 8, size=int(rng.integers(2, 7)), replace=False)
        kind = "body" if t < 3 else "project"
        rows += [(f"AK-{m:03d}", kind, f"{kind}-{t}", None) for m in members]
    part = pd.DataFrame(rows, columns=["actor_id", "target_kind", "target_id", "role"])
    return network.actor_network(actors, part)


def test_network_of_100_actors_is_readable() -> None:
    graph = generated_network()
    pos = network.network_layout(graph)
    assert pos == network.network_layout(generated_network())  # same network, same picture
    assert set(pos) == set(graph.nodes)
    points = np.array(list(pos.values()))
    gaps = [math.dist(a, b) for a, b in combinations(points, 2)]
    assert min(gaps) > 0.15  # no two actors on top of each other (nodes are 0.22 in wide)
    side = float(np.ptp(points, axis=0).max())
    lengths = [math.dist(pos[a], pos[b]) for a, b in graph.edges]
    # links are short against the picture: none crosses it from side to side
    assert np.median(lengths) < side / 5 and max(lengths) < side * 0.75
    alone = [v for v in graph.nodes if graph.degree(v) == 0]
    linked_bottom = min(pos[v][1] for v in graph.nodes if graph.degree(v))
    assert alone and all(pos[v][1] < linked_bottom for v in alone)


def test_network_filters_by_type_and_neighbourhood() -> None:
    graph = generated_network()
    clubs = network.subnetwork(graph, types=["Verein"])
    assert clubs.number_of_nodes() == 20
    assert {d["type"] for _, d in clubs.nodes(data=True)} == {"Verein"}
    hub = max(graph.nodes, key=graph.degree)
    near = network.subnetwork(graph, around=hub)
    assert set(near.nodes) == {hub, *graph.neighbors(hub)}
    assert network.subnetwork(graph, around="AK-999").number_of_nodes() == 0


def test_network_picture_pins_every_actor_and_draws_straight_links() -> None:
    from ui.qm_network import network_dot

    graph = generated_network()
    pos = network.network_layout(graph)
    actors, links = network.network_table(graph), network.links_table(graph)
    dot = network_dot(actors, links, pos)
    assert "layout=neato" in dot and "splines=line" in dot and "splines=true" not in dot
    assert dot.count('!", fillcolor') == 100  # every node pinned at its position
    assert dot.count(" -- ") == len(links) == graph.number_of_edges()
    assert dot == network_dot(actors, links, network.network_layout(generated_network()))


def test_activities_are_a_layer_of_the_karte_map() -> None:
    import geopandas as gpd

    from geo.webmap import MapLayers, monitoring_map

    acts = gpd.GeoDataFrame(
        {
            "title": ["Frühjahrsputz <script>x</script>", "ohne Ort"],
            "kind": ["Aufräumaktion", "Fest"],
            "date": pd.to_datetime(["2025-04-05", "2025-06-01"]),
            "participants": pd.array([23, None], dtype="Int64"),
        },
        geometry=[shapely.Point(500_100, 5_700_100), None],
        crs="EPSG:25832",
    )
    page = monitoring_map(MapLayers(activities=acts)).get_root().render()
    assert "(Quartiersmanagement)" in page  # the legend
    assert "Fr\\u00fchjahrsputz" in page and "<script>x</script>" not in page
    assert "ohne Ort" not in page  # an activity without a point is not drawn
    assert "(Quartiersmanagement)" not in monitoring_map(MapLayers()).get_root().render()
