"""Several municipalities in one store: row-level security on PostGIS, one town per GeoPackage.

The PostGIS tests log in as a town's (or a Land's) LOGIN role through plain psycopg, the
way QGIS or psql would, and check what the database itself lets them see and write; the
service tests check the same scopes through the app's writing path. Roles are
cluster-wide: their names carry the test's schema and every role is dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import geopandas as gpd
import psycopg
import pytest
import shapely
from psycopg import errors as pgerrors
from psycopg import sql

from cli.main import main
from geo.errors import StoreError
from geo.schema import MIGRATIONS
from geo.store import open_store, scoped_url
from geo.store.base import Store
from geo.store.postgis import PostGISStore, split_url
from monitoring import editing, scopes, services
from monitoring.auth import User
from monitoring.errors import NotFound, PermissionDenied
from tests.conftest import PG_DSN

ADMIN = User("verwaltung", "admin")
KOELN, BONN, MUENCHEN = "05315000", "05314000", "09162000"
TOWNS = {KOELN: "Köln", BONN: "Bonn", MUENCHEN: "München"}


def _area(ags: str, i: int) -> dict[str, object]:
    box = shapely.box(i * 100.0, 0.0, i * 100.0 + 50.0, 50.0)
    return {"id": f"FG-{ags}", "name": f"Gebiet {TOWNS[ags]}", "ags": ags, "geometry": box}


def _seed(store: Store, towns: tuple[str, ...] = (KOELN, BONN, MUENCHEN)) -> None:
    """One Gesamtmaßnahme with one measure per town; the measures take the area's AGS."""
    with editing.changes(store, ADMIN) as ch:
        for i, ags in enumerate(towns):
            ch.create("funding_areas", _area(ags, i))
            ch.create(
                "measures", {"id": f"M-{ags}", "funding_area_id": f"FG-{ags}", "title": "Platz"}
            )


def _frame(rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:25832")


@dataclass
class Land:
    """A PostGIS store hosting three towns in two Länder, with its scopes set up."""

    url: str
    store: PostGISStore
    schema: str
    logins: dict[str, str]  # login name -> password

    def connect(self, login: str) -> psycopg.Connection:  # type: ignore[type-arg]
        return psycopg.connect(
            split_url(self.url)[0], user=login, password=self.logins[login], autocommit=True
        )


@pytest.fixture
def land(pg_url: str) -> Iterator[Land]:
    store = open_store(pg_url)
    assert isinstance(store, PostGISStore)
    store.init(crs="EPSG:25832")
    _seed(store)
    editing.create(store, ADMIN, "programmes", {"id": "SZ", "name": "Sozialer Zusammenhalt"})
    schema = store.schema_name
    scopes.create_scope(store, ADMIN, KOELN, name="Köln")
    scopes.create_scope(store, ADMIN, BONN, name="Bonn")
    scopes.create_scope(store, ADMIN, "05", name="Nordrhein-Westfalen")
    logins: dict[str, str] = {}
    for who, ags in (("koeln", KOELN), ("nrw", "05")):
        login, password = f"l_{schema}_{who}", uuid.uuid4().hex
        scopes.grant_login(store, ADMIN, ags, login, password=password)
        logins[login] = password
    try:
        yield Land(pg_url, store, schema, logins)
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            roles = [
                r
                for (r,) in conn.execute(
                    "SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (f"%{schema}%",)
                ).fetchall()
            ]
            for role in sorted(roles, key=lambda r: not r.startswith("l_")):  # logins first
                conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
                conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
        store.close()


def _ids(conn: psycopg.Connection, schema: str, layer: str) -> list[str]:  # type: ignore[type-arg]
    query = sql.SQL("SELECT id FROM {} ORDER BY id").format(sql.Identifier(schema, layer))
    return [r[0] for r in conn.execute(query).fetchall()]


def test_a_town_login_sees_and_writes_only_its_own_rows(land: Land) -> None:
    with land.connect(f"l_{land.schema}_koeln") as conn:
        assert _ids(conn, land.schema, "funding_areas") == [f"FG-{KOELN}"]
        assert _ids(conn, land.schema, "measures") == [f"M-{KOELN}"]
        assert _ids(conn, land.schema, "programmes") == ["SZ"]  # shared reference layers
        insert = sql.SQL(
            "INSERT INTO {} (id, funding_area_id, title, ags, version) VALUES (%s, %s, 'x', %s, 1)"
        ).format(sql.Identifier(land.schema, "measures"))
        conn.execute(insert, ("M-neu", f"FG-{KOELN}", KOELN))  # its own town: allowed
        with pytest.raises(pgerrors.InsufficientPrivilege, match="row-level security"):
            conn.execute(insert, ("M-fremd", f"FG-{BONN}", BONN))
        moved = sql.SQL("UPDATE {} SET ags = %s WHERE id = %s").format(
            sql.Identifier(land.schema, "measures")
        )
        with pytest.raises(pgerrors.InsufficientPrivilege, match="row-level security"):
            conn.execute(moved, (BONN, "M-neu"))
        gone = conn.execute(
            sql.SQL("DELETE FROM {} WHERE id = %s").format(sql.Identifier(land.schema, "measures")),
            (f"M-{BONN}",),
        )
        assert gone.rowcount == 0  # another town's row is not even there to delete
    assert set(land.store.read("measures")["id"]) == {f"M-{t}" for t in TOWNS} | {"M-neu"}


def test_a_land_login_reads_its_land_and_nothing_else(land: Land) -> None:
    with land.connect(f"l_{land.schema}_nrw") as conn:
        assert _ids(conn, land.schema, "measures") == [f"M-{BONN}", f"M-{KOELN}"]
        assert set(_ids(conn, land.schema, "audit_log")) and all(
            a in (KOELN, BONN)
            for (a,) in conn.execute(
                sql.SQL("SELECT DISTINCT ags FROM {}").format(
                    sql.Identifier(land.schema, "audit_log")
                )
            ).fetchall()
        )
        with pytest.raises(pgerrors.InsufficientPrivilege):  # a Land reads, it does not write
            conn.execute(
                sql.SQL("UPDATE {} SET title = 'x'").format(sql.Identifier(land.schema, "measures"))
            )


def test_the_app_through_a_scope_reads_and_writes_like_the_database_says(land: Land) -> None:
    town = open_store(scoped_url(land.url, KOELN, write=True))
    editor = User("ute", "editor", KOELN)
    assert list(services.read(town, editor, "measures")["id"]) == [f"M-{KOELN}"]
    before = town.change_token()
    created = editing.create(
        town, editor, "measures", {"id": "M-2", "funding_area_id": f"FG-{KOELN}", "title": "Weg"}
    )
    assert created["ags"] == KOELN
    assert town.change_token().counter == before.counter + 1  # the counter, as a town's writer
    assert land.store.change_token() == town.change_token()
    # another town's measure: the database does not show it, the service says so
    with pytest.raises(NotFound):
        editing.update(
            town, editor, "measures", {"id": f"M-{BONN}"}, {"title": "x"}, expected_version=1
        )
    # the Land reads all of its towns, through the same services
    nrw = open_store(scoped_url(land.url, "05", write=False))
    reader = User("lena", "viewer", "05")
    assert sorted(services.read(nrw, reader, "measures")["id"]) == sorted(
        ["M-2", f"M-{BONN}", f"M-{KOELN}"]
    )
    assert set(services.read(nrw, reader, "funding_areas")["ags"]) == {KOELN, BONN}
    with pytest.raises(NotFound) as unknown:  # and the ids it lists are its Land's only
        services.funding_area(nrw, reader, f"FG-{MUENCHEN}")
    assert f"FG-{BONN}, FG-{KOELN} (" in str(unknown.value)
    # a scope without roles is refused with the command that makes them
    with pytest.raises(StoreError, match="qmon gemeinde anlegen"):
        land.store.scoped(MUENCHEN)
    listed = scopes.list_scopes(land.store, ADMIN)
    assert {(s.ags, s.may_write) for s in listed} >= {(KOELN, True), ("05", False)}
    assert any(f"l_{land.schema}_koeln" in s.logins for s in listed)


def test_a_town_editor_cannot_change_another_towns_measure(land: Land) -> None:
    editor = User("ute", "editor", KOELN)
    with pytest.raises(PermissionDenied) as refused:
        editing.update(
            land.store, editor, "measures", {"id": f"M-{BONN}"}, {"title": "x"}, expected_version=1
        )
    text = str(refused.value)
    assert f"„M-{BONN}“" in text and BONN in text and f"Gemeinde {KOELN}" in text
    assert "(measures)" in text
    with pytest.raises(PermissionDenied, match="Land 05"):  # a Land's editor reads only
        editing.update(
            land.store,
            User("lena", "editor", "05"),
            "measures",
            {"id": f"M-{BONN}"},
            {"title": "x"},
            expected_version=1,
        )
    assert set(land.store.read("measures")["title"]) == {"Platz"}


def _migrated_measures(url: str, towns: tuple[str, ...]) -> list[object]:
    """Build a store at version 8 with a measure per town, migrate it, return the AGS."""
    old = open_store(url, migrations=MIGRATIONS[:8])
    old.init(crs="EPSG:25832")
    with old.transaction(user="alt") as tx:  # version 8 knows no ags on measures
        for i, ags in enumerate(towns):
            area = {**_area(ags, i), "version": 1}
            measure = {"id": f"M-{ags}", "funding_area_id": area["id"], "title": "t", "version": 1}
            tx.write("funding_areas", _frame([area]))
            tx.write("measures", _frame([{**measure, "geometry": shapely.Point(i, 0)}]))
    old.close()
    new = open_store(url)
    assert new.init() == 9
    try:
        return new.read("measures")["ags"].tolist()
    finally:
        new.close()


def test_migration_9_gives_a_one_town_store_its_municipality(store_url: str) -> None:
    assert _migrated_measures(store_url, (KOELN,)) == [KOELN]


def test_migration_9_leaves_a_store_of_several_towns_to_a_person(pg_url: str) -> None:
    assert _migrated_measures(pg_url, (KOELN, BONN)) == [None, None]


def test_a_geopackage_holds_one_municipality(
    gpkg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(gpkg_url)
    store.init(crs="EPSG:25832")
    _seed(store, (KOELN,))
    with pytest.raises(StoreError, match="PostGIS") as refused:
        _seed(store, (BONN,))
    assert BONN in str(refused.value) and KOELN in str(refused.value)
    assert list(store.read("funding_areas")["ags"]) == [KOELN]  # nothing was stored
    with pytest.raises(PermissionDenied, match=f"gehört der Gemeinde {KOELN}"):
        scopes.store_for(store, User("max", "viewer", MUENCHEN))
    assert scopes.store_for(store, User("lena", "viewer", "05")).scope == "05"
    assert main(["layers", "--store", gpkg_url]) == 0
    assert f"eine Gemeinde (AGS {KOELN})" in capsys.readouterr().out


def test_qmon_gemeinde_sets_up_a_login_without_showing_its_password(
    land: Land, gpkg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    password, login = uuid.uuid4().hex, f"l_{land.schema}_bonn"
    monkeypatch.setenv("QMON_TEST_PW", password)
    args = ["--store", land.url, "--ags", BONN]
    assert (
        main(["gemeinde", "zugang", *args, "--login", login, "--passwort-aus", "QMON_TEST_PW"]) == 0
    )
    assert main(["gemeinde", "liste", "--store", land.url]) == 0
    assert main(["gemeinde", "anlegen", *args, "--role", "editor"]) == 2  # admin only
    assert main(["gemeinde", "anlegen", "--store", gpkg_url, "--ags", BONN]) == 2
    out = capsys.readouterr()
    assert password not in out.out + out.err
    assert login in out.out and "Gemeinde 05314000" in out.out
    assert "GeoPackage" in out.err and "Verwaltung" in out.err
    land.logins[login] = password
    with land.connect(login) as conn:
        assert _ids(conn, land.schema, "measures") == [f"M-{BONN}"]


def test_a_towns_replace_removes_only_its_own_rows(
    land: Land, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Row-level security holds for a replace however big: no TRUNCATE past the policies."""
    from geo.store import postgis

    monkeypatch.setattr(postgis, "BULK_ROWS", 1)
    town = land.store.scoped(KOELN, write=True)  # shares the owner's pool
    new = {**_area(KOELN, 7), "id": f"FG-{KOELN}-neu", "version": 1}
    assert town.write("funding_areas", _frame([new]), mode="replace") == 1
    got = land.store.read("funding_areas").set_index("id")["ags"].to_dict()
    assert got == {f"FG-{KOELN}-neu": KOELN, f"FG-{BONN}": BONN, f"FG-{MUENCHEN}": MUENCHEN}
    # the owner, unscoped, replaces the whole layer
    assert land.store.write("funding_areas", _frame([new]), mode="replace") == 1
    assert list(land.store.read("funding_areas")["id"]) == [f"FG-{KOELN}-neu"]
