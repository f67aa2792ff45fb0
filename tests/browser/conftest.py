"""Fixtures of the browser tests: the app on a free localhost port, and headless Chromium.

The app runs against a freshly built small city (tests/app/city.py). Chromium is
Debian's (``/usr/bin/chromium``, installed by ``make test``); Playwright never
downloads a browser. Every request to a host other than localhost is blocked and
recorded, and every JavaScript dialog is recorded, so tests can assert that none
happened.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.app.city import build_city

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = os.environ.get("QMON_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
#: app URL -> the store it serves (for tests that look into the store)
STORES: dict[str, str] = {}


def free_port() -> int:
    """Return a TCP port on localhost that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_assets() -> None:
    """Install the vendored map scripts if they are missing (scripts/vendor_assets.sh)."""
    from ui.assets import missing_files

    if missing_files():
        subprocess.run(["bash", str(REPO / "scripts" / "vendor_assets.sh")], check=True)
    assert not missing_files(), missing_files()


@contextmanager
def running_app(store: str, *, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``streamlit run app.py`` on a free port against ``store``; yield its base URL.

    The app runs as the single local user with all rights (``QMON_LOCAL_ADMIN=1``, as
    ``make app`` runs the demo); pass ``env={"QMON_LOCAL_ADMIN": "0"}`` for the
    read-only app without login.
    """
    ensure_assets()
    port = free_port()
    environ = {
        **os.environ,
        "QMON_STORE": store,
        "QMON_BASEMAP": "none",
        "QMON_MAP_SERVICES": "",
        "QMON_LOCAL_ADMIN": "1",
        **(env or {}),
    }
    log = (ARTIFACTS / f"streamlit-{port}.log").open("w")
    proc = subprocess.Popen(
        [
            str(REPO / ".venv" / "bin" / "streamlit"),
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=REPO,
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {log.name}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@dataclass
class Watch:
    """What the page tried that it must not: foreign requests and dialogs."""

    foreign: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app, served from localhost against a freshly built small city."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    store = tmp_path_factory.mktemp("browser") / "stadt.gpkg"
    build_city(str(store))
    with running_app(str(store)) as base:
        STORES[base] = str(store)
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; install Debian's chromium (make test does)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_app(browser: Any, app_url: str) -> Iterator[Callable[[str], tuple[Any, Watch]]]:
    """Return a function that opens a path of the app in a fresh page with the guards on."""
    contexts: list[Any] = []

    def open_(path: str) -> tuple[Any, Watch]:
        watch = Watch()
        context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="de-DE")
        contexts.append(context)

        def guard(route: Any) -> None:
            host = urlsplit(route.request.url).hostname or ""
            if host in LOCAL_HOSTS or route.request.url.startswith(("data:", "blob:")):
                route.continue_()
            else:
                watch.foreign.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()

        def on_dialog(dialog: Any) -> None:
            watch.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
        page.goto(app_url + path)
        return page, watch

    yield open_
    for context in contexts:
        context.close()
