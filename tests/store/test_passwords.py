"""No password of a store URL is ever shown: not in output, messages, reprs or log lines.

The test server trusts loopback connections, so a URL with a password still connects
(its password is simply not needed); a wrong port and an unknown role stand for a
server that refuses.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from cli.main import main
from geo.errors import StoreError
from geo.store import open_store, redact_url
from geo.store.postgis import PostGISStore
from tests.conftest import PG_DSN
from tests.store.test_transfer import filled

SECRET = "Geh31m-secret"
REPO = Path(__file__).resolve().parents[2]


def with_password(url: str, *, user: str | None = None, port: int | None = None) -> str:
    """``url`` with the password SECRET (and another user or port)."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{user or parts.username or 'postgres'}:{SECRET}@{host}:{port or parts.port or 5432}"
    return urlunsplit(parts._replace(netloc=netloc))


def _commands(url: str, tmp: Path) -> list[list[str]]:
    measures = tmp / "m.csv"
    measures.write_text("Nr;Titel;RW;HW\nM-1;Platz;391000;5821000\n", encoding="utf-8")
    return [
        ["init", "--store", url],
        ["layers", "--store", url],
        ["history", "--store", url],
        ["progress", "--store", url, "--area", "SSZ-01"],
        ["check", "--store", url, "--area", "SSZ-01"],
        ["export", "--store", url, "--to", str(tmp / "kopie.gpkg")],
        ["export", "--store", str(tmp / "quelle.gpkg"), "--to", url],
        [
            "import",
            "measures",
            str(measures),
            "--store",
            url,
            "--id",
            "Nr",
            "--title",
            "Titel",
            "--x",
            "RW",
            "--y",
            "HW",
            "--crs",
            "EPSG:25833",
            "--funding-area",
            "SSZ-01",
        ],  # fmt: skip
        [
            "report",
            "--store",
            url,
            "--area",
            "SSZ-01",
            "--year",
            "2024",
            "--format",
            "csv",
            "--out",
            str(tmp / "bericht"),
        ],  # fmt: skip
    ]


@pytest.fixture
def refusing_urls(pg_url: str) -> list[str]:
    return [
        with_password(pg_url, port=1),  # nobody listens
        with_password(pg_url, user="niemand_hier"),  # the server refuses the role
    ]


def test_cli_shows_no_password_when_the_server_refuses(
    refusing_urls: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    filled(str(tmp_path / "quelle.gpkg"))
    for url in refusing_urls:
        for argv in _commands(url, tmp_path):
            code = main(argv)
            out = capsys.readouterr()
            text = out.out + out.err
            assert code != 0, (argv, text)
            assert SECRET not in text, (argv, text)
            assert "Traceback" not in text
            assert ":***@" in text or "PostGIS" in text, (argv, text)
    assert not [r for r in caplog.records if SECRET in r.getMessage()]


def test_cli_shows_no_password_when_it_works(
    pg_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    url = with_password(pg_url)
    filled(str(tmp_path / "quelle.gpkg"))
    for argv in _commands(url, tmp_path):
        main(argv)  # some succeed, some refuse (no such area): either way, no password
        out = capsys.readouterr()
        assert SECRET not in out.out + out.err, (argv, out)
    assert main(["layers", "--store", url]) == 0
    assert "areas" in capsys.readouterr().out
    assert not [r for r in caplog.records if SECRET in r.getMessage()]


def test_qmon_init_as_a_process_prints_the_url_masked(pg_url: str) -> None:
    for url, expect in ((with_password(pg_url), 0), (with_password(pg_url, port=1), 2)):
        done = subprocess.run(
            [sys.executable, "-m", "cli.main", "init", "--store", url],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        text = done.stdout + done.stderr
        assert done.returncode == expect, text
        assert SECRET not in text and "Traceback" not in text
        if expect == 0:
            assert "postgres:***@127.0.0.1" in done.stdout


def test_store_objects_and_errors_show_no_password(pg_url: str) -> None:
    url = with_password(pg_url, port=1)
    store = open_store(url)
    assert SECRET not in repr(store) and SECRET not in store.url and SECRET not in str(store)
    with pytest.raises(StoreError) as caught:
        store.counts()
    assert SECRET not in str(caught.value)
    with pytest.raises(StoreError, match="leeres Schema") as caught:  # a URL quoted in a message
        PostGISStore(f"postgresql://postgres:{SECRET}@127.0.0.1/db?schema=")
    assert SECRET not in str(caught.value)
    with pytest.raises(StoreError) as caught:
        open_store(f"mysql://root:{SECRET}@host/db")
    assert SECRET not in str(caught.value)
    working = PostGISStore(with_password(pg_url))
    try:
        working.init(crs="EPSG:25833")
        assert working.counts()["areas"] == 0  # it connects: the password reached libpq
        assert SECRET not in repr(working) and SECRET not in working.url
    finally:
        working.close()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"postgresql://u:{SECRET}@h:5432/db", "postgresql://u:***@h:5432/db"),
        (f"postgres://u:{SECRET}@h/db?schema=s", "postgres://u:***@h/db?schema=s"),
        (f"nicht: 'postgresql://u:{SECRET}@h/db' x", "nicht: 'postgresql://u:***@h/db' x"),
        (f"postgresql://h/db?password={SECRET}&ssl=1", "postgresql://h/db?password=***&ssl=1"),
        (f"host=h password={SECRET} dbname=q", "host=h password=*** dbname=q"),
        (f"postgresql://u:{SECRET}@bad@h/db", "postgresql://u:***@h/db"),
        (PG_DSN, PG_DSN),
        ("data/musterstadt.gpkg", "data/musterstadt.gpkg"),
    ],
)  # fmt: skip
def test_redact_url(text: str, shown: str) -> None:
    assert redact_url(text) == shown
    assert redact_url(redact_url(text)) == shown
