"""Faults at the entry points: every ``qmon`` command answers in German, never a traceback.

The CLI runs as a subprocess, as a clerk runs it. Bad input and a broken environment
(an unwritable output path, an invalid year, a store file that is not a database or
is cut short, a database server that does not answer) are refusals: exit code 2 and
a German message saying what happened and what to do. A bug is exit code 1 with one
German line asking to report it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cli import faults
from cli.main import main
from tests.app.city import build_city

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "stadt.gpkg"
    build_city(str(path))
    return path


@pytest.fixture(scope="module")
def broken(city: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A file of random bytes and a GeoPackage cut short, both named .gpkg."""
    folder = tmp_path_factory.mktemp("broken")
    noise = folder / "rauschen.gpkg"
    noise.write_bytes(os.urandom(8192))
    cut = folder / "abgeschnitten.gpkg"
    data = city.read_bytes()
    cut.write_bytes(data[: len(data) // 3])
    return {"noise": noise, "cut": cut}


def qmon(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    environ.pop("QMON_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=environ,
        timeout=300,
    )


def refused(run: subprocess.CompletedProcess[str], *expected: str) -> str:
    out = run.stdout + run.stderr
    assert "Traceback" not in out, out
    assert run.returncode == 2, (run.returncode, out)
    for text in expected:
        assert text in run.stderr, run.stderr
    return run.stderr


def test_report_to_an_unwritable_path(city: Path, tmp_path: Path):
    for out in ("/proc/unwritable.xlsx", "/proc/nicht/da/bericht.pdf"):
        refused(
            qmon(
                "report",
                "--store",
                str(city),
                "--area",
                "SSZ-01",
                "--year",
                "2024",
                "--format",
                "xlsx",
                "--out",
                out,
            ),
            "dorthin kann kein Bericht geschrieben werden",
            out,
        )
    refused(
        qmon(
            "report",
            "--store",
            str(city),
            "--all",
            "--year",
            "2024",
            "--format",
            "csv",
            "--out",
            "/proc/berichte",
        ),
        "dorthin kann kein Bericht geschrieben werden",
    )
    # a path that can be written still works
    ok = qmon(
        "report",
        "--store",
        str(city),
        "--area",
        "SSZ-01",
        "--year",
        "2024",
        "--format",
        "xlsx",
        "--out",
        str(tmp_path / "neu" / "b.xlsx"),
    )
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "neu" / "b.xlsx").stat().st_size > 0


@pytest.mark.parametrize("year", ["0", "-5", "99999"])
def test_progress_with_an_invalid_year_lists_the_allowed_years(city: Path, year: str):
    err = refused(
        qmon("progress", "--store", str(city), "--area", "SSZ-01", "--year", year),
        f"Berichtsjahr {int(year)} ist ungültig",
        "erlaubt sind die Jahre 1971 bis 2100",
    )
    assert "--year" in err


COMMANDS = [
    ("layers",),
    ("init",),
    ("progress", "--area", "SSZ-01"),
    ("check", "--area", "SSZ-01"),
    ("network", "--area", "SSZ-01"),
    ("history",),
    ("report", "--area", "SSZ-01", "--year", "2024", "--format", "json", "--out", "{tmp}/b.json"),
    ("report", "filed"),
    (
        "import",
        "areas",
        "{city}",
        "--level",
        "X",
        "--id",
        "id",
        "--name",
        "name",
        "--valid-from",
        "2020-01-01",
    ),
]


@pytest.mark.parametrize("kind, says", [("noise", "ist kein GeoPackage"), ("cut", "beschädigt")])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_store_that_is_not_a_database(
    broken: dict[str, Path], city: Path, tmp_path: Path, kind: str, says: str, command: tuple
):
    store = broken[kind]
    before = store.read_bytes()
    args = [a.format(tmp=tmp_path, city=city) for a in command]
    err = refused(qmon(*args, "--store", str(store)), says, str(store))
    assert "Sicherung" in err  # what to do
    assert store.read_bytes() == before  # nothing written into it


def test_the_default_store_from_the_environment_is_named(broken: dict[str, Path]):
    refused(qmon("layers", env={"QMON_STORE": str(broken["noise"])}), str(broken["noise"]))


def test_export_into_a_broken_file_names_both(city: Path, broken: dict[str, Path], tmp_path):
    source = tmp_path / "quelle.gpkg"
    shutil.copy(city, source)
    refused(
        qmon("export", "--store", str(source), "--to", str(broken["noise"])),
        "kein GeoPackage",
        str(broken["noise"]),
    )


def test_a_database_server_that_does_not_answer_and_no_password_shown():
    err = refused(
        qmon("layers", "--store", "postgresql://planung:Geheim123@127.0.0.1:9/quartiere"),
    )
    assert "Geheim123" not in err and "127.0.0.1" in err


def test_missing_and_broken_input_files(city: Path, tmp_path: Path):
    store = tmp_path / "s.gpkg"
    shutil.copy(city, store)
    before = store.read_bytes()
    refused(
        qmon(
            "import",
            "areas",
            str(tmp_path / "fehlt.shp"),
            "--store",
            str(store),
            "--level",
            "X",
            "--id",
            "a",
            "--name",
            "b",
            "--valid-from",
            "2020-01-01",
        ),
    )
    junk = tmp_path / "kaputt.gpkg"
    junk.write_bytes(os.urandom(4096))
    refused(
        qmon(
            "import",
            "areas",
            str(junk),
            "--store",
            str(store),
            "--level",
            "X",
            "--id",
            "a",
            "--name",
            "b",
            "--valid-from",
            "2020-01-01",
        ),
    )
    refused(
        qmon(
            "index",
            "compute",
            str(tmp_path / "fehlt.csv"),
            "--profile",
            "berlin-mss-2021",
            "--id",
            "PLR",
            "--population",
            "EW",
        )
    )
    assert store.read_bytes() == before


# --- in process: the catch-all itself -------------------------------------------------


def _boom(exc: BaseException):
    def run(args):
        raise exc

    return run


@pytest.mark.parametrize(
    "exc, code, says",
    [
        (RuntimeError("unerwartet"), 1, "bitte melden"),
        (KeyError("x"), 1, "bitte melden"),
        (PermissionError(13, "Permission denied", "/srv/x.gpkg"), 2, "Keine Berechtigung"),
        (FileNotFoundError(2, "No such file", "/x/y.csv"), 2, "/x/y.csv"),
        (OSError(28, "No space left on device", "/tmp/x"), 2, "Datenträger ist voll"),
        (ValueError("bad"), 2, "Ungültige Eingabe"),
        (KeyboardInterrupt(), 130, "Abgebrochen"),
    ],
)
def test_every_exception_is_answered_in_german(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], exc, code, says
):
    import cli.store_cmds as store_cmds

    monkeypatch.delenv("QMON_DEBUG", raising=False)
    monkeypatch.setattr(store_cmds, "cmd_layers", _boom(exc))
    assert main(["layers", "--store", "x.gpkg"]) == code
    captured = capsys.readouterr()
    assert says in captured.err and "Traceback" not in captured.err + captured.out


def test_library_errors_are_refusals():
    import sqlite3

    import psycopg
    import pyogrio.errors

    for exc, says in [
        (sqlite3.OperationalError("database is locked"), "gesperrt"),
        (sqlite3.OperationalError("database or disk is full"), "voll"),
        (pyogrio.errors.DataSourceError("not recognized as a supported file"), "Geodaten"),
        (psycopg.OperationalError("connection to postgresql://a:pw@h/db failed"), "PostgreSQL"),
    ]:
        code, text = faults.explain(exc)
        assert code == 2 and says in text, text
        assert "pw@" not in text


@pytest.mark.postgis
def test_no_output_shows_a_password(pg_url: str):
    """`qmon init` used to print the store URL with its password."""
    url = pg_url.replace("://postgres@", "://postgres:Geheim123@")
    assert "Geheim123" in url
    for args in (("init",), ("layers",), ("progress", "--area", "FEHLT")):
        run = qmon(*args, "--store", url)
        out = run.stdout + run.stderr
        assert "Geheim123" not in out and "Traceback" not in out, out
    assert "postgres:***@" in qmon("init", "--store", url).stdout
