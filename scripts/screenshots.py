"""Screenshots of every page of the demo app and of the first two pages of a federal report,
for the README and ``docs/screens/`` (``make screenshots``).

Builds the demo city in a temporary store, starts the app on a free local port, opens each
page by its path in Debian's headless Chromium (Playwright, never a downloaded browser) and
writes ``docs/screens/<page>.png``; the report is generated with ``qmon report --format pdf``
and its pages rendered with ``pdftoppm``. No network is used: the map has no basemap.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "screens"
BIN = REPO / ".venv" / "bin"
CHROMIUM = os.environ.get("QMON_CHROMIUM", "/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, proc: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            break
    raise RuntimeError("die App ist nicht gestartet")


def _pages() -> list[str]:
    sys.path.insert(0, str(REPO))
    from ui.pages import PAGES

    return list(PAGES)


def shoot_pages(store: str) -> list[Path]:
    """Open every page of the app on ``store`` and write one PNG per page."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = {**os.environ, "QMON_STORE": store, "QMON_BASEMAP": "none", "QMON_LOCAL_ADMIN": "1"}
    proc = subprocess.Popen(
        [str(BIN / "streamlit"), "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    written = []
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base, proc)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="de-DE")
            for name in _pages():
                page.goto(f"{base}/{name}")
                page.wait_for_selector("h1", timeout=60_000)
                page.wait_for_timeout(1500)
                page.wait_for_function(
                    "() => !document.querySelector('[data-testid=stStatusWidget]')",
                    timeout=120_000,
                )
                page.wait_for_timeout(2500)  # the map's tiles and the charts settle
                target = OUT / f"{name}.png"
                page.screenshot(path=str(target), full_page=False)
                written.append(target)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return written


def shoot_report(store: str, workdir: Path) -> list[Path]:
    """Render the first two pages of the first funding area's report to PNG."""
    pdf = workdir / "bericht.pdf"
    subprocess.run(
        [str(BIN / "qmon"), "report", "--store", store, "--role", "admin", "--area", "SSZ-01",
         "--format", "pdf", "--out", str(pdf)],
        check=True, cwd=REPO,
    )  # fmt: skip
    prefix = OUT / "bericht"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", str(pdf), str(prefix)], check=True
    )
    return sorted(OUT.glob("bericht-*.png"))


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "musterstadt.gpkg")
        subprocess.run([str(BIN / "qmon"), "demo", "--store", store], check=True, cwd=REPO)
        written = shoot_pages(store) + shoot_report(store, Path(tmp))
    for path in written:
        print(f"{path.relative_to(REPO)} geschrieben")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
