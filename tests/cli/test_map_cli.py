"""``qmon map``: the Karte view as PDF or PNG, on both stores; refusals in German."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from cli.main import main
from tests.app.test_own_levels import own_city


def test_map_prints_a_pdf_and_a_png_of_a_city_level(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own_city(store_url)
    pdf = tmp_path / "karte.pdf"
    query = "ebene=Stadtteil&indikator=unemployment_rate&klassen=equal_interval&anzahl=3"
    assert main(["map", "--store", store_url, "--out", str(pdf), "--url-params", query,
                 "--format", "a3", "--ausrichtung", "hoch"]) == 0  # fmt: skip
    assert "Karte gespeichert:" in capsys.readouterr().out
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info and "841.89 x 1190.55 pts (A3)" in info
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Arbeitslosenanteil nach Stadtteilen" in text
    # an option given beside --url-params wins: four classes, as a PNG at 80 dpi
    png = tmp_path / "karte.png"
    assert main(["map", "--store", store_url, "--out", str(png), "--url-params", query,
                 "--anzahl", "4", "--dpi", "80"]) == 0  # fmt: skip
    image = Image.open(io.BytesIO(png.read_bytes()))
    assert image.size == (round(297 / 25.4 * 80), round(210 / 25.4 * 80))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--indikator", "kaffeesatz"],
         "qmon map: Abgelehnt: Der Indikator „kaffeesatz“ ist für die Ebene Stadtteil nicht "
         "gespeichert; gespeichert sind: "),
        (["--ebene", "Block"],
         "qmon map: Abgelehnt: Die Gebietsebene „Block“ ist nicht gespeichert; gespeichert sind: "
         "Stadtteil"),
        (["--url-params", "farbe=rot"], "Der Kartenparameter „farbe“ ist unbekannt"),
        (["--klassen", "kaffeesatz"], "erlaubt sind: quantiles, natural_breaks, equal_interval"),
    ],
)  # fmt: skip
def test_map_refuses_what_is_not_there_in_german(
    gpkg_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    own_city(gpkg_url)
    out = tmp_path / "karte.pdf"
    assert main(["map", "--store", gpkg_url, "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert not out.exists() and not list(tmp_path.glob("*.pdf"))  # nothing half-written


def test_unknown_indicator_lists_the_stored_ones(
    gpkg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own_city(gpkg_url)
    out = tmp_path / "karte.pdf"
    assert main(["map", "--store", gpkg_url, "--out", str(out), "--indikator", "x"]) == 2
    err = capsys.readouterr().err
    assert "unemployment_rate (Arbeitslosenanteil)" in err


def test_map_refuses_an_unknown_file_ending(
    gpkg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["map", "--store", gpkg_url, "--out", str(tmp_path / "karte.svg")]) == 2
    assert "hat keine bekannte Endung; erlaubt sind .pdf, .png" in capsys.readouterr().err
