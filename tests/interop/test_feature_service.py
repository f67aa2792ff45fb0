"""The feature service (``qmon serve``) read by real clients, on GeoPackage and on PostGIS.

Each store gets one running service (a ``qmon serve`` subprocess on a free loopback port)
over a copy of the demo city; GDAL's OGC API driver (``ogrinfo OAPIF:…``) and plain HTTP
requests read it and are checked against :func:`monitoring.interop.public.read_public`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely

from geo.store import open_store
from geo.store.transfer import copy_store
from monitoring import editing
from monitoring.auth import User
from monitoring.interop.public import public_layers, read_public
from tests.conftest import PG_DSN

REPO = Path(__file__).resolve().parents[2]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_25832 = "http://www.opengis.net/def/crs/EPSG/0/25832"
# the driver's layer SRS: WGS 84 with longitude first (GDAL 3.6 names it EPSG:4326 with the
# axis mapping 2,1; newer GDAL calls it OGC:CRS84)
WGS84_LONLAT = re.compile(r'ID\["OGC","CRS84"\]|Data axis to CRS axis mapping: 2,1')

pytestmark = pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="needs GDAL's ogrinfo")


@dataclass(frozen=True)
class Service:
    url: str  # the service's address
    store: str  # the store it serves


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, **params: Any) -> dict[str, Any]:
    query = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{url}?{query}" if query else url, timeout=60) as resp:
        return dict(json.loads(resp.read()))


def _wait(proc: subprocess.Popen[str], url: str, seconds: float = 120) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"qmon serve ended: {proc.stdout.read() if proc.stdout else ''}")
        try:
            _get(f"{url}/collections", f="json")
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise TimeoutError(f"qmon serve did not answer on {url}")


def _pg_copy(demo_path: Path) -> Iterator[str]:
    import psycopg
    from psycopg import sql

    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = f"{PG_DSN}?schema={schema}"
    with open_store(str(demo_path)) as source, open_store(url) as target:
        copy_store(source, target)
    yield url
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture(scope="module", params=["gpkg", "postgis"])
def service(
    request: pytest.FixtureRequest, demo_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """A running ``qmon serve`` over a copy of the demo city (the tests may change it)."""
    if request.param == "gpkg":
        copy = tmp_path_factory.mktemp("served") / "musterstadt.gpkg"
        shutil.copyfile(demo_path, copy)
        stores: Iterator[str] = iter([str(copy)])
    else:
        stores = _pg_copy(demo_path)
    store = next(stores)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "cli.main", "serve", "--store", store, "--port", str(port)]
    proc = subprocess.Popen(
        cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(proc, url)
        yield Service(url, store)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()
        for _ in stores:  # drops the PostGIS schema
            pass


def _ogrinfo(service: Service, *options: str, layer: str | None = None) -> str:
    """Run ``ogrinfo -ro`` on the service (all layers, or one) and return what it prints."""
    cmd = ["ogrinfo", "-ro", *options, f"OAPIF:{service.url}", *([layer] if layer else [])]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=True).stdout


def _all_items(service: Service, layer: str, **params: Any) -> list[dict[str, Any]]:
    """Every feature of a collection, page by page as a client follows them."""
    features: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = _get(
            f"{service.url}/collections/{layer}/items",
            f="json",
            limit=10_000,
            offset=offset,
            **params,
        )
        features += page["features"]
        offset += len(page["features"])
        if not page["features"] or offset >= page["numberMatched"]:
            return features


def test_ogrinfo_lists_every_public_layer(service: Service) -> None:
    out = _ogrinfo(service, "-so")
    listed = re.findall(r"^\d+: (\S+) \(title: ", out, flags=re.M)
    with open_store(service.store) as store:
        expected = [x.id for x in public_layers(store)]
    assert sorted(listed) == sorted(expected)
    assert "Fördergebiete (Gesamtmaßnahmen)" in out  # German titles


def test_every_collection_has_its_count_and_crs(service: Service) -> None:
    with open_store(service.store) as store:
        layers = public_layers(store)
        counts = {x.id: len(read_public(store, x)) for x in layers}
    assert all(counts.values())  # or the counts prove nothing
    for layer in layers:
        out = _ogrinfo(service, "-so", layer=layer.id)
        assert f"Feature Count: {counts[layer.id]}\n" in out, (layer.id, out[:600])
        assert 'GEOGCRS["WGS 84"' in out and WGS84_LONLAT.search(out), layer.id
        described = _get(f"{service.url}/collections/{layer.id}", f="json")
        assert described["storageCrs"] == EPSG_25832
        assert set(described["crs"]) == {CRS84, EPSG_25832}
        assert described["title"] == layer.title


def test_geometry_comes_in_crs84_and_in_the_store_crs_when_asked(service: Service) -> None:
    with open_store(service.store) as store:
        stored = read_public(store, "foerdergebiete").set_index("kennung").geometry
    lonlat = _get(f"{service.url}/collections/foerdergebiete/items/SSZ-01", f="json")
    native = _get(
        f"{service.url}/collections/foerdergebiete/items/SSZ-01", f="json", crs=EPSG_25832
    )
    native_geom = shapely.geometry.shape(native["geometry"])
    assert native_geom.equals_exact(stored["SSZ-01"], tolerance=1e-6)
    expected = gpd.GeoSeries([stored["SSZ-01"]], crs=25832).to_crs("OGC:CRS84").iloc[0]
    got = shapely.geometry.shape(lonlat["geometry"])
    assert got.equals_exact(expected, tolerance=1e-9)
    assert 5 < got.centroid.x < 16 and 47 < got.centroid.y < 56  # lon first, Germany


def test_bbox_returns_exactly_the_intersecting_features(service: Service) -> None:
    layer = "gebiete_planungsraum_2020"
    with open_store(service.store) as store:
        frame = read_public(store, layer)
    lonlat = frame.to_crs("OGC:CRS84")
    x0, y0, x1, y1 = lonlat.total_bounds
    box = (x0 + 0.3 * (x1 - x0), y0 + 0.3 * (y1 - y0), x0 + 0.7 * (x1 - x0), y0 + 0.7 * (y1 - y0))
    expected = set(lonlat.loc[lonlat.intersects(shapely.box(*box)), "kennung"])
    assert 0 < len(expected) < len(frame)
    # over HTTP, bbox in CRS84 (a rectangle in lon/lat, not in the projected store CRS)
    got = _all_items(service, layer, bbox=",".join(map(str, box)), skipGeometry="true")
    assert {f["id"] for f in got} == expected
    # GDAL's spatial filter sends the same bbox
    out = _ogrinfo(service, "-al", "-q", "-spat", *map(str, box), layer=layer)
    assert set(re.findall(r"kennung \(String\) = (\S+)", out)) == expected
    # bbox in the store's CRS
    native = shapely.box(*frame.total_bounds).buffer(-1500)
    expected_native = set(frame.loc[frame.intersects(native), "kennung"])
    got = _all_items(
        service,
        layer,
        bbox=",".join(map(str, native.bounds)),
        **{"bbox-crs": EPSG_25832},
        skipGeometry="true",
    )
    assert {f["id"] for f in got} == expected_native


def test_property_filter_returns_the_subset(service: Service) -> None:
    with open_store(service.store) as store:
        measures = read_public(store, "massnahmen")
    expected = set(measures.loc[measures["status"] == "abgeschlossen", "kennung"])
    assert 0 < len(expected) < len(measures)
    got = _all_items(service, "massnahmen", status="abgeschlossen")
    assert {f["id"] for f in got} == expected
    assert {f["properties"]["status"] for f in got} == {"abgeschlossen"}
    out = _ogrinfo(service, "-so", "-where", "status = 'abgeschlossen'", layer="massnahmen")
    assert f"Feature Count: {len(expected)}\n" in out
    hits = _get(
        f"{service.url}/collections/massnahmen/items",
        f="json",
        status="abgeschlossen",
        resulttype="hits",
    )
    assert hits["numberMatched"] == len(expected) and hits["features"] == []
    top = _get(
        f"{service.url}/collections/massnahmen/items",
        f="json",
        sortby="-kosten",
        limit=3,
        properties="kosten",
        skipGeometry="true",
    )
    assert [f["properties"] for f in top["features"]] == [
        {"kosten": k} for k in measures["kosten"].nlargest(3).tolist()
    ]


def test_suppressed_values_come_out_null(service: Service) -> None:
    layer = "indikatoren_planungsraum_2020"
    with open_store(service.store) as store:
        frame = read_public(store, layer)
    hidden = frame[frame["unterdr"]]
    assert len(hidden) > 0  # the demo has small areas, or this proves nothing
    got = _all_items(service, layer, unterdr="true", skipGeometry="true")
    assert {f["id"] for f in got} == set(hidden["kennung"])
    assert all(f["properties"]["wert"] is None for f in got)
    assert all(f["properties"]["unterdr"] is True for f in got)
    shown = _all_items(service, layer, unterdr="false", skipGeometry="true")
    assert len(shown) == len(frame) - len(hidden)
    assert any(f["properties"]["wert"] is not None for f in shown)


def test_no_personal_data_of_actors_in_any_response(service: Service) -> None:
    with open_store(service.store) as store:
        actors = store.read("actors")
        layers = [x.id for x in public_layers(store)]
    secrets = {
        *actors["contact_name"].dropna(),
        *actors["email"].dropna(),
        *actors["phone"].dropna(),
        *actors.loc[actors["is_person"].fillna(False).astype(bool), "name"].dropna(),
        *actors["name"].dropna(),
    }
    assert "Seniorentreff Hafenau" in secrets and len(secrets) > 20
    texts = [
        json.dumps(_get(f"{service.url}{path}", f="json"), ensure_ascii=False)
        for path in ("/", "/collections", "/openapi")
    ]
    for layer in layers:
        items = _all_items(service, layer, skipGeometry="true")
        texts.append(json.dumps(items, ensure_ascii=False))
    everything = "\n".join(texts)
    assert "Hafenau" in everything  # a place name is public; the actor is not
    leaked = sorted(s for s in secrets if s in everything)
    assert not leaked
    assert service.store not in everything  # nor where the store is (a URL may hold a password)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_the_service_is_read_only(service: Service, method: str) -> None:
    for path in ("/collections/massnahmen/items", "/collections/massnahmen/items/M-0003"):
        body = json.dumps({"type": "Feature", "geometry": None, "properties": {}}).encode()
        req = urllib.request.Request(
            service.url + path,
            data=body,
            method=method,
            headers={"Content-Type": "application/geo+json"},
        )
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=30)
        with err.value:
            assert err.value.code == 405
            assert err.value.headers["Allow"] == "GET, HEAD, OPTIONS"
    classes = _get(f"{service.url}/conformance", f="json")["conformsTo"]
    assert not [c for c in classes if "create-replace-delete" in c]  # it claims no writes
    assert any(c.endswith("ogcapi-features-2/1.0/conf/crs") for c in classes)
    with urllib.request.urlopen(f"{service.url}/collections/massnahmen/items/M-0003") as resp:
        assert json.loads(resp.read())["id"] == "M-0003"
        assert resp.headers["Access-Control-Allow-Origin"] == "*"  # a geoportal may read it


def test_data_written_while_serving_appears(service: Service) -> None:
    url = f"{service.url}/collections/massnahmen/items/M-0003"
    before = _get(url, f="json")["properties"]["titel"]
    with open_store(service.store) as store:
        record = store.read("measures", where={"id": "M-0003"}).iloc[0]
        editing.update(
            store,
            User("anna", "admin"),
            "measures",
            {"id": "M-0003"},
            {"title": before + " (neu)"},
            expected_version=int(record["version"]),
        )
    assert _get(url, f="json")["properties"]["titel"] == before + " (neu)"


def test_serve_refuses_a_store_that_is_not_one(tmp_path: Path, capsys) -> None:
    from cli.main import main

    code = main(["serve", "--store", str(tmp_path / "leer.gpkg"), "--port", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert "kein Datenbestand des Quartiersmonitors" in err and "qmon init" in err


def test_serve_says_when_the_port_is_taken(demo_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cmd = [sys.executable, "-m", "cli.main", "serve", "--store", str(demo_path)]
        done = subprocess.run(
            [*cmd, "--port", str(port)],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert done.returncode == 2
    assert f"127.0.0.1:{port} ist schon belegt" in done.stderr
    assert "Strg+C" not in done.stdout  # it never said it was serving


def test_the_cache_rereads_a_layer_only_when_the_store_changed(
    demo_path: Path, tmp_path: Path
) -> None:
    from cli.ogcapi import CRS84, LayerCache

    url = str(tmp_path / "musterstadt.gpkg")
    shutil.copyfile(demo_path, url)
    cache = LayerCache()
    try:
        first = cache.frame(url, "massnahmen")
        assert cache.frame(url, "massnahmen") is first  # not read again
        lonlat = cache.frame(url, "massnahmen", CRS84)
        assert cache.frame(url, "massnahmen", CRS84) is lonlat
        assert lonlat.crs.equals(CRS84) and first.crs.to_epsg() == 25832
        with open_store(url) as store:
            version = int(store.read("measures", where={"id": "M-0003"})["version"].iloc[0])
            editing.update(
                store,
                User("anna", "admin"),
                "measures",
                {"id": "M-0003"},
                {"status": "abgerechnet"},
                expected_version=version,
            )
        again = cache.frame(url, "massnahmen")
        assert again is not first
        assert again.set_index("kennung").loc["M-0003", "status"] == "abgerechnet"
    finally:
        cache.close()


def test_the_configuration_file_names_no_store_url(demo_path: Path) -> None:
    """pygeoapi reads its configuration from a file: a database password must not be there."""
    import yaml

    from cli.ogcapi import STORE_URLS, service_config

    url = str(demo_path)
    text = yaml.safe_dump(service_config(url, host="127.0.0.1", port=5000))
    assert url not in text
    handles = {
        p["data"] for r in yaml.safe_load(text)["resources"].values() for p in r["providers"]
    }
    assert len(handles) == 1 and STORE_URLS[handles.pop()] == url
