"""The rendered map of the Karte page: the same as st_folium sends, made once, shared
by sessions of one role, and on PostGIS by app servers (monitoring.maps.cache)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import psycopg
import pytest
import shapely
import streamlit_folium as sf
from streamlit.testing.v1 import AppTest

from geo.store import ChangeToken, open_store
from geo.webmap import ChoroplethSpec, MapLayers, monitoring_map
from monitoring.maps.cache import (
    SCHEMA,
    TABLE,
    PostGISMapTable,
    RenderedMaps,
    shared_table,
    view_key,
)
from tests.conftest import PG_DSN
from ui import assets, leaflet

TOKEN = ChangeToken("store-1", 3)


def _map() -> Any:
    areas = gpd.GeoDataFrame(
        {"id": ["1", "2"], "name": ["A <b>", "B"]},
        geometry=[shapely.box(9, 51, 9.1, 51.1), shapely.box(9.1, 51, 9.2, 51.1)],
        crs="EPSG:4326",
    )
    layers = MapLayers(
        areas=areas,
        values=pd.Series({"1": 3.0, "2": 5.0}),
        spec=ChoroplethSpec("Anteil", unit="%"),
        level="Planungsraum",
    )
    return assets.localize(monitoring_map(layers))


def _component_args(monkeypatch: pytest.MonkeyPatch, call: Any) -> dict[str, Any]:
    got: dict[str, Any] = {}

    def capture(**kwargs: Any) -> None:
        got.update(kwargs)

    monkeypatch.setattr(sf, "_component_func", capture)
    call()
    got.pop("on_change")
    return got


def test_rendered_map_sends_what_st_folium_sends(monkeypatch: pytest.MonkeyPatch) -> None:
    fmap = _map()
    ids = {e._id for e in leaflet._walk(fmap)} | {fmap._id}
    ours_map = _map()
    # the same element ids on both maps: folium draws them at random
    for a, b in zip(_all(fmap), _all(ours_map), strict=True):
        b._id = a._id
    assert ids
    returned = ["last_active_drawing"]
    theirs = _component_args(
        monkeypatch,
        lambda: sf.st_folium(
            fmap, key="k", height=620, use_container_width=True, returned_objects=returned
        ),
    )
    payload = leaflet.rendered(ours_map)
    ours = _component_args(
        monkeypatch,
        lambda: leaflet.show(payload, key="k", height=620, returned_objects=returned),
    )
    assert ours.keys() == theirs.keys()
    for name in theirs:
        assert ours[name] == theirs[name], name
    assert "Anteil" in ours["script"] and len(ours["script"]) > 1000


def _all(element: Any) -> list[Any]:
    out = [element]
    for child in element._children.values():
        out += _all(child)
    return out


def test_a_map_is_made_once_for_many_sessions_at_once() -> None:
    maps = RenderedMaps()
    calls: list[int] = []

    def make() -> dict[str, Any]:
        calls.append(1)
        time.sleep(0.05)
        return {"script": "x"}

    key = view_key(role="viewer", scope=None, parts={"query": ""})
    threads = [
        threading.Thread(target=maps.get_or_make, args=("u", TOKEN, key, make)) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and maps.made == 1
    assert maps.get_or_make("u", TOKEN, key, make) == {"script": "x"}
    # another data version, another role, another scope: made again
    maps.get_or_make("u", TOKEN._replace(counter=4), key, make)
    maps.get_or_make("u", TOKEN, view_key(role="qm", scope=None, parts={"query": ""}), make)
    maps.get_or_make("u", TOKEN, view_key(role="viewer", scope="11", parts={"query": ""}), make)
    assert len(calls) == 4


def test_the_cache_is_bounded() -> None:
    maps = RenderedMaps(max_entries=3)
    for i in range(10):
        maps.get_or_make("u", TOKEN, str(i), lambda i=i: {"n": i})
    assert len(maps) == 3
    assert maps.get_or_make("u", TOKEN, "9", lambda: {"n": -1}) == {"n": 9}
    assert maps.get_or_make("u", TOKEN, "0", lambda: {"n": -1}) == {"n": -1}


def test_the_role_and_scope_are_part_of_every_key() -> None:
    parts = {"query": "ebene=PR"}
    keys = {
        view_key(role=r, scope=s, parts=parts)
        for r in ("viewer", "qm", "editor", "admin")
        for s in (None, "11", "05315000")
    }
    assert len(keys) == 12


def test_a_geopackage_keeps_its_maps_in_process(tmp_path: Path) -> None:
    assert shared_table(str(tmp_path / "s.gpkg")) is None
    assert shared_table(str(tmp_path / "s.gpkg") + "?scope=05&lesen=1") is None


def test_postgis_shares_maps_across_app_servers(pg_url: str) -> None:
    store = open_store(pg_url)
    store.init(crs="EPSG:25833")
    token = store.change_token()
    store.close()
    table = shared_table(pg_url + "&scope=11&lesen=1")
    assert table == PostGISMapTable(PG_DSN)
    key = view_key(role="viewer", scope="11", parts={"query": f"test={token.store_id}"})
    assert table.get(token, key) is None
    # app server 1 makes the map; app server 2 (its own process cache) finds it
    server1, server2 = RenderedMaps(), RenderedMaps()
    payload = {"script": "L.map(…) ä", "links": ["/a.js"]}
    assert server1.get_or_make(pg_url, token, key, lambda: payload, shared=table) == payload
    got = server2.get_or_make(pg_url, token, key, lambda: {"other": 1}, shared=table)
    assert got == payload and server2.made == 0
    # another role does not get it
    other = view_key(role="admin", scope="11", parts={"query": f"test={token.store_id}"})
    assert table.get(token, other) is None
    # a newer data version drops the maps of older ones
    newer = token._replace(counter=token.counter + 1)
    table.put(newer, key, {"script": "new"})
    assert table.get(token, key) is None
    assert table.get(newer, key) == {"script": "new"}
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"DELETE FROM {SCHEMA}.{TABLE} WHERE store_id = %s", (token.store_id,))


def test_an_unreachable_shared_table_is_a_miss() -> None:
    table = PostGISMapTable("postgresql://nobody@127.0.0.1:1/none")
    maps = RenderedMaps()
    assert maps.get_or_make("u", TOKEN, "k", lambda: {"a": 1}, shared=table) == {"a": 1}


def _karte(timeout: float = 60) -> AppTest:
    at = AppTest.from_string(
        "import streamlit as st\nst.set_page_config(layout='wide')\n"
        "from ui.pages import run\nrun(start='karte')\n",
        default_timeout=timeout,
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _script(at: AppTest) -> str:
    import json

    maps = [e for e in at.get("component_instance") if "st_folium" in e.proto.component_name]
    args = json.loads(maps[0].proto.json_args)
    return leaflet.full_script(args["script"], args["js_links"])


def test_sessions_of_one_role_share_the_map_and_roles_do_not(
    city_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import data

    before = data.rendered_maps().made
    first = _script(_karte())  # admin (QMON_LOCAL_ADMIN=1)
    made = data.rendered_maps().made
    assert made == before + 1
    assert _script(_karte()) == first  # a new session of the same role: not made again
    assert data.rendered_maps().made == made
    monkeypatch.delenv("QMON_LOCAL_ADMIN")  # the read-only viewer
    assert _script(_karte()) == first  # the same map today, but made for the viewer
    assert data.rendered_maps().made == made + 1
    # a write changes the token: the next session gets a map of the new data
    store = open_store(city_url)
    with store.transaction(user="test") as tx:
        fa = store.read("funding_areas")
        tx.update("funding_areas", {"id": fa["id"].iloc[0]}, {"name": "Umbenannt <neu>"})
    store.close()
    assert "Umbenannt" in _script(_karte())
    assert data.rendered_maps().made == made + 2


def _big_map() -> Any:
    boxes = [shapely.box(9 + i * 0.001, 51, 9.001 + i * 0.001, 51.1) for i in range(400)]
    areas = gpd.GeoDataFrame(
        {"id": [str(i) for i in range(400)], "name": [f"Gebiet {i}" for i in range(400)]},
        geometry=boxes,
        crs="EPSG:4326",
    )
    values = pd.Series({str(i): float(i) for i in range(400)})
    layers = MapLayers(
        areas=areas, values=values, spec=ChoroplethSpec("Anteil", unit="%"), level="Planungsraum"
    )
    return assets.localize(monitoring_map(layers))


def test_large_layers_go_into_files_and_come_back_unchanged(tmp_path: Path) -> None:
    whole = leaflet.rendered(_big_map())
    split = leaflet.split_layers(whole, base_url="/app/static/vendor")
    # the topology of the 400 areas is the one large literal; the rest stays in the script
    assert len(split["layers"]) == 1 and len(split["script"]) < len(whole["script"]) * 0.6
    (sha,) = split["layers"]
    assert split["js_links"][-1] == f"/app/static/layers/{sha}.js"
    assert split["js_links"][:-1] == whole["js_links"]
    assert f'window.qmonLayers["{sha}"]' in split["script"]
    assert leaflet.inline_layers(split)["script"] == whole["script"]
    assert leaflet.write_layers(split["layers"], folder=tmp_path)
    assert (tmp_path / f"{sha}.js").is_file()
    sent = leaflet.full_script(split["script"], split["js_links"], folder=tmp_path)
    assert sent == whole["script"]
    # the same layer, the same file: a filter change that keeps the areas keeps the file
    again = leaflet.split_layers(leaflet.rendered(_big_map()), base_url="/app/static/vendor")
    assert set(again["layers"]) == {sha}
    # small collections stay in the script
    small = leaflet.split_layers(leaflet.rendered(_map()), base_url="/app/static/vendor")
    assert small["layers"] == {} and small["script"] == leaflet.rendered(_map())["script"]


def test_an_unwritable_layer_folder_sends_the_layers_inline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not_a_folder"
    blocked.write_text("x")
    monkeypatch.setattr(leaflet, "LAYER_DIR", blocked)
    whole = leaflet.rendered(_big_map())
    split = leaflet.split_layers(whole, base_url="/app/static/vendor")
    assert not leaflet.write_layers(split["layers"], folder=blocked)
    sent = _component_args(
        monkeypatch,
        lambda: leaflet.show(split, key="k", height=620, returned_objects=["last_active_drawing"]),
    )
    assert sent["script"] == whole["script"] and sent["js_links"] == whole["js_links"]


def test_old_layer_files_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(leaflet, "MAX_LAYER_FILES", 3)
    for i in range(5):
        leaflet.write_layers({f"{i:064x}": f"// {i}\n"}, folder=tmp_path)
        time.sleep(0.02)  # the order of writing (ctime)
    left = sorted(p.stem for p in tmp_path.glob("*.js"))
    assert left == [f"{i:064x}" for i in (2, 3, 4)]
