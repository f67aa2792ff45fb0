"""The printed map, read back with poppler (pdfinfo, pdftotext, pdftoppm) and Pillow."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from geo.store import open_store
from geo.webmap import choropleth_layer, display_geometry
from monitoring.maps.content import MapContent, store_map_content
from monitoring.maps.paper import MM, PAPERS
from monitoring.maps.printing import print_map
from monitoring.maps.view import MapView, MapViewError

TODAY = dt.date(2026, 11, 27)
QUERY = "indikator=unemployment_rate&klassen=natural_breaks&anzahl=4&farben=viridis"


def _content(url: str, query: str = QUERY) -> MapContent:
    store = open_store(url)
    try:
        return store_map_content(store, MapView.from_query(query))
    finally:
        store.close()


def _app_legend(content: MapContent) -> list[str]:
    """The labels of the web map's legend for the same content (what the app shows)."""
    _, legend = choropleth_layer(
        display_geometry(content.areas),
        content.shown.values,
        spec=content.spec,
        suppressed=content.shown.suppressed,
    )
    return [e.label for e in legend.entries]


def _pdfinfo(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines())}


def _text(pdf: Path, *, layout: bool = False) -> str:
    args = ["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def content(demo_gpkg: str) -> MapContent:
    return _content(demo_gpkg)


@pytest.mark.parametrize(
    ("paper", "orientation", "size"),
    [
        ("a4", "quer", "841.89 x 595.276 pts (A4)"),
        ("a4", "hoch", "595.276 x 841.89 pts (A4)"),
        ("a3", "quer", "1190.55 x 841.89 pts (A3)"),
        ("a3", "hoch", "841.89 x 1190.55 pts (A3)"),
    ],
)
def test_the_pdf_is_one_page_of_the_paper_asked_for(
    content: MapContent, tmp_path: Path, paper: str, orientation: str, size: str
) -> None:
    pdf = tmp_path / "karte.pdf"
    pdf.write_bytes(print_map(content, paper=paper, orientation=orientation, today=TODAY))
    info = _pdfinfo(pdf)
    assert info["Pages"] == "1"
    assert info["Page size"] == size
    assert info["Title"] == "Arbeitslosenanteil nach Planungsräumen"


def test_the_pdf_holds_title_legend_scale_north_sources_and_dates(
    content: MapContent, tmp_path: Path
) -> None:
    pdf = tmp_path / "karte.pdf"
    pdf.write_bytes(print_map(content, paper="a4", orientation="quer", today=TODAY))
    text = _text(pdf)
    lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]
    assert "Arbeitslosenanteil nach Planungsräumen" in lines
    assert "Legende" in lines
    # every label of the app's legend for this view, the suppressed areas' among them
    labels = _app_legend(content)
    assert labels[-1] == "unterdrückt (weniger als 300 Einwohner)" and len(labels) == 5
    for label in labels:
        assert label in lines, (label, lines)
    for label in ("Sozialer Zusammenhalt", "Wachstum und nachhaltige Erneuerung", "geplant"):
        assert label in lines
    # scale bar: 0, half and the full length, and the round scale
    scale = re.search(r"Maßstab 1:(\d{1,3}(?:\.\d{3})*)", text)
    assert scale is not None
    bar = re.sub(r"\s+", " ", _text(pdf, layout=True))
    assert re.search(r" 0 [\d,]+ (?:km|m) [\d,]+ (?:km|m) ", bar), bar
    assert "N" in lines  # the north arrow's letter
    assert "Quellen: Statistikstelle Musterstadt (synthetisch)" in lines
    assert "Stichtag 31.12.2024" in text and "Stichtag: 31.12.2024" in text
    assert "Gedruckt am 27.11.2026" in text
    assert "(EPSG:25832)" in text


def _raster(pdf: Path, tmp_path: Path, dpi: int = 40) -> np.ndarray:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(tmp_path / "p")], check=True)
    (page,) = sorted(tmp_path.glob("p*.png"))  # one page: one image
    return np.asarray(Image.open(page).convert("RGB")).reshape(-1, 3).astype(int)


def _share(pixels: np.ndarray, colour: str) -> float:
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return float((np.abs(pixels - rgb).max(axis=1) <= 3).mean())


def test_pdftoppm_renders_the_class_colours_of_the_legend(
    content: MapContent, tmp_path: Path
) -> None:
    pdf = tmp_path / "karte.pdf"
    pdf.write_bytes(print_map(content, today=TODAY))
    pixels = _raster(pdf, tmp_path)
    _, legend = choropleth_layer(
        display_geometry(content.areas),
        content.shown.values,
        spec=content.spec,
        suppressed=content.shown.suppressed,
    )
    classes = [e.colour for e in legend.entries if e.swatch == "fill"]
    assert len(classes) == 4
    for colour in classes:
        assert _share(pixels, colour) > 0.002, colour  # areas of each class, not only a swatch
    assert _share(pixels, "#cc79a7") < 0.0001  # a colour the view does not use is absent


def test_the_png_has_the_size_of_the_paper_at_the_resolution(content: MapContent) -> None:
    for paper, orientation, dpi in (("a4", "quer", 100), ("a3", "hoch", 72)):
        png = print_map(content, paper=paper, orientation=orientation, file_format="png", dpi=dpi)
        image = Image.open(io.BytesIO(png))
        short, long = PAPERS[paper]
        width, height = (long, short) if orientation == "quer" else (short, long)
        assert image.format == "PNG"
        assert abs(image.size[0] - width * MM * dpi) <= 1
        assert abs(image.size[1] - height * MM * dpi) <= 1


def test_the_social_index_prints_its_classes(demo_gpkg: str, tmp_path: Path) -> None:
    content = _content(demo_gpkg, "")
    pdf = tmp_path / "index.pdf"
    pdf.write_bytes(print_map(content, orientation="hoch", today=TODAY))
    text = _text(pdf)
    assert "Sozialindex (Status) nach Planungsräumen" in text
    for label in _app_legend(content):
        assert label in text


def test_an_extent_prints_a_larger_scale(demo_gpkg: str, tmp_path: Path) -> None:
    whole = _content(demo_gpkg)
    store = open_store(demo_gpkg)
    area = store.read("funding_areas").to_crs(4326).geometry.iloc[0]
    store.close()
    west, south, east, north = area.bounds
    part = _content(demo_gpkg, f"{QUERY}&ausschnitt={west},{south},{east},{north}")
    scales = []
    for name, content in (("ganz", whole), ("teil", part)):
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(print_map(content, today=TODAY))
        found = re.search(r"Maßstab 1:([\d.]+)", _text(pdf))
        assert found is not None
        scales.append(int(found.group(1).replace(".", "")))
    assert scales[1] < scales[0] / 2, scales


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"paper": "a5"}, "Das Papierformat „a5“ ist keines von a4, a3"),
        ({"orientation": "schräg"}, "Die Ausrichtung „schräg“ ist keine von quer, hoch"),
        ({"file_format": "svg"}, "hat keine bekannte Endung"),
        ({"file_format": "png", "dpi": 2000}, "Die Auflösung 2000 dpi liegt nicht zwischen 72"),
    ],
)
def test_bad_print_options_are_refused(
    content: MapContent, options: dict[str, object], fragment: str
) -> None:
    with pytest.raises(MapViewError, match=fragment):
        print_map(content, **options)  # type: ignore[arg-type]
