"""The printed map against the same view in the app: the Karte page's link, ``qmon map``, and
the page's own download."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from cli.main import main
from tests.app.test_karte import _legend, _map_script


@dataclass
class Offered:
    label: str
    data: Any
    file_name: str | None

    def payload(self) -> bytes:
        out = self.data() if callable(self.data) else self.data
        assert isinstance(out, bytes)
        return out


@pytest.fixture
def offered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Offered]]:
    """Record every download button (label, data, file name) the page draws."""
    seen: list[Offered] = []
    real = DeltaGenerator.download_button

    def spy(self: DeltaGenerator, label: str, data: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(Offered(label, data, kwargs.get("file_name")))
        return real(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    main_area = st.download_button

    def spy_main(label: str, data: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(Offered(label, data, kwargs.get("file_name")))
        return main_area(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy_main)
    yield seen


def _query(at: AppTest) -> str:
    """The app's address-bar parameters, as a planner copies them."""
    params = {k: at.query_params[k] for k in at.query_params}
    return urlencode(params, doseq=True)


def _pages(pdf: Path) -> tuple[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    info = dict(line.split(":", 1) for line in out.splitlines())
    return info["Pages"].strip(), info["Page size"].strip()


def _lines(pdf: Path) -> list[str]:
    args = ["pdftotext", str(pdf), "-"]
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]


def test_qmon_map_prints_the_view_of_the_apps_link(
    open_page: Callable[..., AppTest], city_url: str, tmp_path: Path
) -> None:
    at = open_page("karte", indikator="unemployment_rate", klassen="equal_interval")
    at.selectbox(key="karte.anzahl").set_value(4).run()
    at.multiselect(key="karte.status").set_value(["geplant", "bewilligt"]).run()
    assert not at.exception
    app_legend = _legend(_map_script(at))
    assert len(app_legend) >= 4 and app_legend[-1] == "unterdrückt (weniger als 300 Einwohner)"
    query = _query(at)
    assert "anzahl=4" in query and "status=geplant" in query
    pdf = tmp_path / "karte.pdf"
    assert main(["map", "--store", city_url, "--out", str(pdf), "--url-params", query]) == 0
    assert _pages(pdf) == ("1", "841.89 x 595.276 pts (A4)")
    lines = _lines(pdf)
    assert "Arbeitslosenanteil nach Planungsräumen" in lines
    for label in app_legend:  # the same legend as the app's, row by row
        assert label in lines, (label, lines)
    assert any(line.startswith("Maßstab 1:") for line in lines)
    assert re.search(r"\b0 (?:[\d,]+ k?m ){2}", " ".join(lines) + " ")  # the scale bar
    assert "N" in lines
    caption = next(c.value for c in at.caption if " angezeigt · Stichtag " in c.value)
    shown = caption.split(" angezeigt")[0]  # "5 Maßnahmen"
    assert any(line.startswith(f"{shown} gezeigt (gefiltert: Status geplant, bewilligt)")
               for line in lines), lines  # fmt: skip
    # rendered: one page, and the map is not blank
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "p")], check=True)
    assert len(list(tmp_path.glob("p*.png"))) == 1


def test_the_page_offers_the_print_of_its_view(
    open_page: Callable[..., AppTest], offered: list[Offered], tmp_path: Path
) -> None:
    at = open_page("karte", indikator="unemployment_rate")
    buttons = [b for b in at.get("download_button") if "Karte als" in b.proto.label]
    assert [b.proto.label for b in buttons] == ["Karte als PDF herunterladen"]
    made = next(o for o in offered if o.label == "Karte als PDF herunterladen")
    assert made.file_name == "karte_Planungsraum_a4_quer.pdf"
    pdf = tmp_path / "karte.pdf"
    pdf.write_bytes(made.payload())
    assert _pages(pdf) == ("1", "841.89 x 595.276 pts (A4)")
    lines = _lines(pdf)
    for label in _legend(_map_script(at)):
        assert label in lines, (label, lines)
    # A3 portrait as PNG
    offered.clear()
    at.radio(key="karte._druck_format").set_value("a3")
    at.radio(key="karte._druck_ausrichtung").set_value("hoch")
    at.radio(key="karte._druck_datei").set_value("png").run()
    made = next(o for o in offered if o.label == "Karte als PNG herunterladen")
    assert made.file_name == "karte_Planungsraum_a3_hoch.png"
    assert made.payload()[:8] == b"\x89PNG\r\n\x1a\n"
