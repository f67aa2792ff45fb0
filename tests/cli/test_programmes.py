"""``qmon programmes list`` and ``qmon programmes add``: roles, checks, audit, both stores."""

from __future__ import annotations

import argparse
import ast
import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from cli.main import build_parser, main
from geo.store import open_store

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def url(store_url: str) -> str:
    assert main(["init", "--store", store_url]) == 0
    return store_url


def _programmes(url: str) -> dict[str, dict[str, object]]:
    with open_store(url) as st:
        frame = st.read("programmes")
    return {str(r["id"]): r for r in frame.to_dict("records")}


def test_list_shows_the_federal_programmes_with_predecessors(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["programmes", "list", "--store", url]) == 0
    out = capsys.readouterr().out
    head, *rows = out.splitlines()
    assert head.split() == ["Kennung", "Name", "Zeitraum", "Art", "Vorgänger", "Nachfolger"]
    lz = next(r for r in rows if r.startswith("lebendige_zentren "))
    assert "seit 2020" in lz
    assert "Aktive Stadt- und Ortsteilzentren, Städtebaulicher Denkmalschutz" in lz
    assert main(["programmes", "list", "--store", url, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_id = {d["Kennung"]: d for d in data}
    assert len(by_id) == 12
    assert by_id["stadtumbau"]["Vorgänger"] == "Stadtumbau Ost, Stadtumbau West"
    assert by_id["stadtumbau"]["Nachfolger"] == "Wachstum und nachhaltige Erneuerung"


def test_admin_adds_a_land_programme_and_the_log_shows_it(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["programmes", "add", "--store", url, "--user", "anna", "--role", "admin"]
    code = main(
        [
            *args,
            "--id",
            "nrw_starke_quartiere",
            "--name",
            "Starke Quartiere",
            "--land",
            "Nordrhein-Westfalen",
            "--since",
            "2021",
            "--predecessor",
            "soziale_stadt",
        ]
    )
    assert code == 0
    assert "nrw_starke_quartiere „Starke Quartiere“ gespeichert" in capsys.readouterr().out
    row = _programmes(url)["nrw_starke_quartiere"]
    assert (row["land"], row["since_year"], row["predecessor_id"]) == (
        "Nordrhein-Westfalen",
        2021,
        "soziale_stadt",
    )
    assert not row["federal"]
    assert main(["history", "--store", url, "--layer", "programmes", "--format", "json"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert [(e["user_name"], e["record_key"], e["action"]) for e in log] == [
        ("anna", "nrw_starke_quartiere", "create")
    ]
    # the same id again is refused, nothing changes
    assert main([*args, "--id", "nrw_starke_quartiere", "--name", "Doppelt"]) == 2
    assert _programmes(url)["nrw_starke_quartiere"]["name"] == "Starke Quartiere"


@pytest.mark.parametrize("role", ["viewer", "qm", "editor"])
def test_only_admins_add_programmes(
    url: str, role: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QMON_ROLE", role)
    before = _programmes(url)
    code = main(["programmes", "add", "--store", url, "--id", "land_x", "--name", "X"])
    assert code == 2
    err = capsys.readouterr().err
    assert "nur die Rolle „Verwaltung“ (admin) legt Programme an" in err and "Traceback" not in err
    assert _programmes(url) == before


def test_bad_programme_lists_every_problem_in_german(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _programmes(url)
    code = main(
        [
            "programmes", "add", "--store", url, "--id", "Land X", "--name", "X",
            "--land", "Bayer", "--since", "2024", "--until", "2022", "--predecessor", "alt",
        ]
    )  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("qmon programmes add: nicht gespeichert:")
    assert err.count("\n- ") == 4, err
    assert "„Bayer“ ist kein Land" in err and "„seit“ 2024 liegt nach „bis“ 2022" in err
    assert "qmon programmes list zeigt sie" in err
    assert _programmes(url) == before


# --- every hint names a command that exists ----------------------------------------------

_HINT = re.compile(r"qmon((?: [a-z][a-z-]*)+)")
_SOURCES = ("geo", "indicators", "monitoring", "cli", "ui")


def _messages(path: Path) -> list[str]:
    """Return the string literals of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            out.append("".join(v.value for v in node.values if isinstance(v, ast.Constant)))
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
        ):
            out.append(node.value)
    return out


def _resolve(words: list[str]) -> str | None:
    """Return why ``qmon WORDS`` names no command, or None when it names one.

    A command group alone (``qmon import``) counts: it lists its subcommands. A word
    after a group that is none of its subcommands is a wrong hint.
    """
    parser = build_parser()
    for i, word in enumerate(words):
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            return None  # a command: the rest of the sentence follows
        if word not in subs[0].choices:
            where = "qmon " + " ".join(words[:i]) if i else "qmon"
            return f"{where} has no command {word!r}; it has {', '.join(subs[0].choices)}"
        parser = subs[0].choices[word]
    return None


def _bad_hints() -> dict[tuple[str, str], str]:
    bad = {}
    for package in _SOURCES:
        for path in sorted((REPO / package).rglob("*.py")):
            for text in _messages(path):
                for match in _HINT.finditer(text):
                    words = match.group(1).split()
                    why = _resolve(words)
                    if why:
                        bad[(str(path.relative_to(REPO)), match.group(0).strip())] = why
    return bad


def test_every_qmon_hint_in_a_message_names_a_command_that_exists() -> None:
    assert _bad_hints() == {}


def test_the_hint_check_finds_a_wrong_hint() -> None:
    assert _resolve(["programmes", "add"]) is None
    assert _resolve(["layers", "shows", "what"]) is None
    assert _resolve(["import"]) is None
    assert _resolve(["programme"]) is not None
    assert _resolve(["programmes", "lst"]) == (
        "qmon programmes has no command 'lst'; it has list, add"
    )


def test_demo_if_missing_still_builds_into_a_store_that_only_holds_the_defaults(
    gpkg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import data.musterstadt

    built: list[str] = []

    def fake(store: object, **_: object) -> dict[str, int]:
        built.append(str(store))
        return {"programmes": 0}

    monkeypatch.setattr(data.musterstadt, "load_musterstadt", fake)
    assert main(["init", "--store", gpkg_url]) == 0
    assert main(["demo", "--store", gpkg_url, "--if-missing"]) == 0
    assert len(built) == 1  # the seeded programmes are no reason to skip the demo
    with open_store(gpkg_url) as st:
        st.write(
            "funding_areas",
            gpd.GeoDataFrame(
                {"id": ["FA"], "name": ["x"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=st.crs
            ),
        )
    capsys.readouterr()
    assert main(["demo", "--store", gpkg_url, "--if-missing"]) == 0
    assert len(built) == 1 and "enthält schon Daten" in capsys.readouterr().out


def test_demo_if_missing_migrates_an_older_store_and_keeps_its_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After an update `make app` opens the existing demo store: it is migrated, not refused."""
    from geo.schema import MIGRATIONS

    url = str(tmp_path / "alt.gpkg")
    old = open_store(url, migrations=MIGRATIONS[:-1])
    old.init(crs="EPSG:25832")
    old.write(
        "funding_areas",
        gpd.GeoDataFrame(
            {"id": ["FA"], "name": ["x"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=old.crs
        ),
    )
    old.close()
    capsys.readouterr()
    assert main(["demo", "--store", url, "--if-missing"]) == 0
    out = capsys.readouterr().out
    assert f"von Version {len(MIGRATIONS) - 1} auf {len(MIGRATIONS)} migriert" in out
    with open_store(url) as store:
        assert store.schema_version() == len(MIGRATIONS)
        assert list(store.read("funding_areas")["id"]) == ["FA"]
