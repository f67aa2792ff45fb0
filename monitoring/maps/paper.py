"""The paper of a printed map: sizes, orientations, file formats and the page layout.

Kept apart from the drawing (:mod:`monitoring.maps.printing`, which needs matplotlib) so
that a page can offer the choices without loading it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from monitoring.maps.view import MapViewError
from monitoring.messages import render

Paper = Literal["a4", "a3"]
Orientation = Literal["quer", "hoch"]
FileFormat = Literal["pdf", "png"]
PAPERS: dict[str, tuple[float, float]] = {"a4": (210.0, 297.0), "a3": (297.0, 420.0)}
"""Paper sizes in millimetres, short side first."""
ORIENTATIONS: tuple[str, ...] = ("quer", "hoch")
FILE_FORMATS: tuple[str, ...] = ("pdf", "png")
PAPER_LABELS: dict[str, str] = {"a4": "A4", "a3": "A3"}
ORIENTATION_LABELS: dict[str, str] = {"quer": "Querformat", "hoch": "Hochformat"}
DPI_RANGE: tuple[int, int] = (72, 600)
MM = 1 / 25.4  # inches per millimetre
MARGIN_MM = 10.0


@dataclass(frozen=True)
class PrintLayout:
    """The page: paper, orientation and where title, map, legend and footer go (figure
    fractions: left, bottom, width, height)."""

    paper: str
    orientation: str
    width_mm: float
    height_mm: float
    map_box: tuple[float, float, float, float]
    legend_box: tuple[float, float, float, float]

    @property
    def size_inches(self) -> tuple[float, float]:
        return self.width_mm * MM, self.height_mm * MM


def page_layout(paper: str = "a4", orientation: str = "quer") -> PrintLayout:
    """Return the layout of a page; landscape puts the legend right, portrait below the map.

    Raises
    ------
    MapViewError
        For an unknown paper size or orientation.

    Examples
    --------
    >>> p = page_layout("a3", "hoch")
    >>> p.width_mm, p.height_mm
    (297.0, 420.0)
    >>> page_layout("a5")
    Traceback (most recent call last):
    ...
    monitoring.maps.view.MapViewError: Das Papierformat „a5“ ist keines von a4, a3
    """
    if paper not in PAPERS:
        raise MapViewError(
            render("map.paper", value=paper, allowed=", ".join(PAPERS)), param="format", value=paper
        )
    if orientation not in ORIENTATIONS:
        raise MapViewError(
            render("map.orientation", value=orientation, allowed=", ".join(ORIENTATIONS)),
            param="ausrichtung",
            value=orientation,
        )
    short, long = PAPERS[paper]
    width, height = (long, short) if orientation == "quer" else (short, long)
    mx, my = MARGIN_MM / width, MARGIN_MM / height
    title_h = 22.0 / height
    footer_h = 18.0 / height
    if orientation == "quer":
        legend_w = 0.25
        top = 1 - my - title_h
        bottom = my + footer_h
        map_box = (mx, bottom, 1 - 2 * mx - legend_w - 0.01, top - bottom)
        legend_box = (1 - mx - legend_w, bottom, legend_w, top - bottom)
    else:
        legend_h = 0.15
        top = 1 - my - title_h
        bottom = my + footer_h
        map_box = (mx, bottom + legend_h + 0.01, 1 - 2 * mx, top - bottom - legend_h - 0.01)
        legend_box = (mx, bottom, 1 - 2 * mx, legend_h)
    return PrintLayout(paper, orientation, width, height, map_box, legend_box)


def check_dpi(dpi: int) -> int:
    """Return ``dpi`` if it is a sensible resolution for a PNG.

    Raises
    ------
    MapViewError
        Outside :data:`DPI_RANGE`.
    """
    least, most = DPI_RANGE
    if not least <= dpi <= most:
        raise MapViewError(
            render("map.dpi", value=dpi, least=least, most=most), param="dpi", value=dpi
        )
    return dpi
