"""The printed map: a view of the Karte page as a one-page PDF (vector) or a PNG.

The page is A4 or A3, landscape (``quer``) or portrait (``hoch``), in German: title
(indicator and level), the map at a round scale (1:25.000) with a scale bar and a north
arrow, the legend, sources, Stichtag and print date. The choropleth's classes, colours
and legend labels come from :func:`geo.webmap.choropleth_shading`, the funding areas' and
measures' styles from :func:`geo.webmap.funding_area_legend` and
:func:`geo.webmap.measure_legend`, the same functions the web map draws with: the print
and the app show the same legend for the same view.

Drawn with matplotlib's object API (no pyplot state, safe in a server of many sessions) in
DejaVu Sans, which matplotlib ships and the PDF reports use (:mod:`monitoring.reports.pdf`);
the PDF embeds it as TrueType, so every German character prints and can be searched.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import FigureCanvasPdf
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from pyproj import CRS, Transformer

from geo import german
from geo.levels import level_plural
from geo.webmap import (
    NO_DATA_COLOUR,
    LegendEntry,
    LegendSection,
    choropleth_shading,
    framing_bounds,
    funding_area_legend,
    measure_legend,
)
from monitoring.maps.content import MapContent
from monitoring.maps.paper import (
    FILE_FORMATS,
    MARGIN_MM,
    PAPER_LABELS,
    PrintLayout,
    check_dpi,
    page_layout,
)
from monitoring.maps.view import MapViewError
from monitoring.messages import render

#: Round map scales (the denominator): the map takes the smallest one that shows the extent.
SCALES: tuple[int, ...] = tuple(
    m * 10**e for e in range(2, 8) for m in (1, 1.5, 2, 2.5, 5, 7.5) if m * 10**e >= 500
)  # type: ignore[misc]
INK = "#1F2933"
EDGE = "#444444"
HATCH_FACE = "#e6e6e6"
HATCH_EDGE = "#8c8c8c"
HATCH = "//////"


def map_title(content: MapContent) -> str:
    """Return the title of the printed map: the indicator and the level.

    A one-word level takes the dative plural (``nach Stadtteilen``); a level of several
    words (``Statistische Bezirke``) follows after a dash, so no adjective is declined wrongly.

    Examples
    --------
    >>> from types import SimpleNamespace as N
    >>> map_title(N(spec=N(title="Arbeitslosenanteil"), level="Planungsraum"))
    'Arbeitslosenanteil nach Planungsräumen'
    >>> map_title(N(spec=N(title="Kinderarmut"), level="Statistischer Bezirk"))
    'Kinderarmut – Statistische Bezirke'
    >>> map_title(N(spec=N(title="Kinderarmut"), level="Bezirksregion"))
    'Kinderarmut nach Bezirksregionen'
    """
    plural = level_plural(content.level)
    if " " in plural.strip() or not plural.endswith(("e", "er", "el", "n")):
        return f"{content.spec.title} – {plural}"
    return f"{content.spec.title} nach {plural if plural.endswith('n') else plural + 'n'}"


def scale_label(metres: float) -> str:
    """Return a length of the scale bar in German: ``500 m``, ``1 km``, ``2,5 km``.

    Examples
    --------
    >>> scale_label(500), scale_label(1000), scale_label(1250)
    ('500 m', '1 km', '1,25 km')
    """
    if metres >= 1000:
        km = metres / 1000
        decimals = next(d for d in (0, 1, 2, 3) if round(km, d) == km)
        return f"{german.number(km, decimals=decimals)} km"
    return f"{german.number(metres, decimals=0 if metres == int(metres) else 1)} m"


def nice_length(target: float) -> float:
    """Return the largest round length (1, 2, 2.5 or 5 times a power of ten) up to ``target``.

    Examples
    --------
    >>> nice_length(1234.0), nice_length(740.0), nice_length(30.0)
    (1000.0, 500.0, 25.0)
    """
    exponent = math.floor(math.log10(target))
    for m in (5, 2.5, 2, 1):
        if m * 10**exponent <= target:
            return float(m * 10**exponent)
    return float(10 ** (exponent - 1) * 5)


def map_scale(extent_w: float, extent_h: float, paper_w_mm: float, paper_h_mm: float) -> int:
    """Return the smallest round scale denominator at which the extent fits the map frame.

    Examples
    --------
    >>> map_scale(5000, 3000, 250, 150)  # 5 km on 25 cm: 1:20.000
    20000
    """
    needed = max(extent_w / (paper_w_mm / 1000), extent_h / (paper_h_mm / 1000))
    return int(next((s for s in SCALES if s >= needed), math.ceil(needed)))


def print_map(
    content: MapContent,
    *,
    paper: str = "a4",
    orientation: str = "quer",
    file_format: str = "pdf",
    dpi: int = 150,
    today: dt.date | None = None,
) -> bytes:
    """Return the map of ``content`` as a one-page PDF or a PNG.

    Parameters
    ----------
    content
        What the view shows (:func:`monitoring.maps.content.map_content`).
    paper, orientation
        ``a4`` or ``a3``; ``quer`` (landscape) or ``hoch`` (portrait).
    file_format
        ``pdf`` (vector, one page) or ``png`` (``dpi`` pixels per inch).
    today
        The print date shown (default: today).

    Raises
    ------
    MapViewError
        For an unknown paper, orientation or format, or a resolution outside
        :data:`DPI_RANGE`.
    """
    layout = page_layout(paper, orientation)
    if file_format not in FILE_FORMATS:
        raise MapViewError(
            render("map.file_format", value=file_format, allowed=", ".join(FILE_FORMATS)),
            param="out",
            value=file_format,
        )
    if file_format == "png":
        check_dpi(dpi)
    with matplotlib.rc_context(
        {
            "font.family": "DejaVu Sans",
            "pdf.fonttype": 42,  # TrueType: text stays text (searchable, copyable)
            "hatch.linewidth": 0.5,
            "hatch.color": HATCH_EDGE,
        }
    ):
        fig = Figure(figsize=layout.size_inches, dpi=dpi)
        _draw(fig, content, layout, today or dt.date.today())
        buffer = io.BytesIO()
        if file_format == "pdf":
            FigureCanvasPdf(fig)
            fig.savefig(
                buffer,
                format="pdf",
                metadata={"Title": map_title(content), "Creator": "Quartiersmonitor"},
            )
        else:
            FigureCanvasAgg(fig)
            fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


# --- drawing ---------------------------------------------------------------------------------


def _draw(fig: Figure, content: MapContent, layout: PrintLayout, today: dt.date) -> None:
    """Draw title, map, legend and footer onto the page."""
    mx = MARGIN_MM / layout.width_mm
    top = 1 - MARGIN_MM / layout.height_mm
    fig.text(mx, top, map_title(content), fontsize=16, fontweight="bold", va="top", color=INK)
    subtitle = f"Stichtag {german.date(content.period)}" if content.period else "ohne Stichtag"
    fig.text(
        mx,
        top - 9.5 / layout.height_mm,
        f"{level_plural(content.level)} · {subtitle} · Quartiersmonitor",
        fontsize=9.5,
        va="top",
        color="#3d4a57",
    )
    ax = fig.add_axes(layout.map_box)
    sections, scale = _draw_map(ax, content, layout)
    legend_ax = fig.add_axes(layout.legend_box)
    _draw_legend(legend_ax, sections, columns=1 if layout.orientation == "quer" else 3)
    _draw_footer(fig, content, layout, scale, today)


def _store_extent(content: MapContent) -> tuple[float, float, float, float] | None:
    """The view's extent (WGS84) in the store's CRS, else the frame of areas and funding areas."""
    crs = content.areas.crs or content.funding_areas.crs
    if content.view.extent is not None and crs is not None:
        west, south, east, north = content.view.extent
        to_store = Transformer.from_crs(CRS.from_epsg(4326), crs, always_xy=True)
        xs, ys = to_store.transform([west, east, west, east], [south, south, north, north])
        return (min(xs), min(ys), max(xs), max(ys))
    frames = [f.geometry for f in (content.areas, content.funding_areas) if len(f)]
    if not frames:
        return None
    geoms = gpd.GeoSeries(pd.concat(frames).to_numpy(), crs=crs)
    return framing_bounds(geoms)


def _draw_map(
    ax: Axes, content: MapContent, layout: PrintLayout
) -> tuple[list[LegendSection], int | None]:
    """Draw the layers into the map frame; return the legend sections and the scale."""
    sections: list[LegendSection] = []
    areas = content.areas
    if len(areas):
        ids = areas["id"].astype(str)
        shading = choropleth_shading(
            ids, content.shown.values, spec=content.spec, suppressed=content.shown.suppressed
        )
        hidden = shading.hidden.to_numpy(dtype=bool)
        colours = shading.colours.where(~shading.hidden, NO_DATA_COLOUR).to_list()
        geoms = np.asarray(areas.geometry.to_numpy(), dtype=object)
        for geom, colour, suppressed in zip(geoms, colours, hidden):
            if geom is None or geom.is_empty:
                continue
            if suppressed:
                _polygon(ax, geom, face=HATCH_FACE, edge=EDGE, width=0.4, hatch=HATCH)
            else:
                _polygon(ax, geom, face=colour, edge=EDGE, width=0.4)
        sections.append(LegendSection(content.spec.title, shading.entries))
    funding = content.funding_areas
    if len(funding):
        section = funding_area_legend(funding, programme_names=content.programme_names)
        style = {e.key: e for e in section.entries}
        for geom, programme in zip(funding.geometry, funding["programme_id"]):
            entry = style.get(str(programme))
            if geom is None or geom.is_empty or entry is None:
                continue
            _outline(ax, geom, colour=entry.colour, dash=entry.dash, width=1.8)
        sections.append(section)
    measures = content.measures
    if len(measures):
        measures = measures[measures.geometry.notna() & ~measures.geometry.is_empty]
    if len(measures):
        keys, section = measure_legend(
            measures,
            colour_by=content.view.colour_by,  # type: ignore[arg-type]
            programme_names=content.programme_names,
        )
        colour_of = {e.key: e.colour for e in section.entries}
        for geom, key in zip(measures.geometry, keys):
            _measure(ax, geom, colour_of[key])
        sections.append(section)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)
        spine.set_color(INK)
    extent = _store_extent(content)
    scale = None
    if extent is not None:
        scale = _frame(ax, extent, layout)
        _scale_bar(ax, scale, layout)
    _north_arrow(ax)
    return sections, scale


def _frame(ax: Axes, extent: tuple[float, float, float, float], layout: PrintLayout) -> int:
    """Fit the extent into the frame at a round scale, centred; return the scale."""
    minx, miny, maxx, maxy = extent
    width_mm = layout.map_box[2] * layout.width_mm
    height_mm = layout.map_box[3] * layout.height_mm
    pad = 1.04
    scale = map_scale(max(maxx - minx, 1.0) * pad, max(maxy - miny, 1.0) * pad, width_mm, height_mm)
    half_w = width_mm / 1000 * scale / 2
    half_h = height_mm / 1000 * scale / 2
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    ax.set_xlim(cx - half_w, cx + half_w)
    ax.set_ylim(cy - half_h, cy + half_h)
    return scale


def _parts(geom: Any) -> list[Any]:
    return list(getattr(geom, "geoms", [geom]))


def _polygon(
    ax: Axes, geom: Any, *, face: str, edge: str, width: float, hatch: str | None = None
) -> None:
    """Fill the polygons of a geometry (holes left open) with an outline."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    for poly in _parts(geom):
        if poly.geom_type != "Polygon":
            continue
        rings = [poly.exterior, *poly.interiors]
        vertices: list[Any] = []
        codes: list[Any] = []
        for ring in rings:
            xy = np.asarray(ring.coords)
            vertices.extend(xy)
            codes += [Path.MOVETO] + [Path.LINETO] * (len(xy) - 2) + [Path.CLOSEPOLY]
        patch = PathPatch(
            Path(np.asarray(vertices), codes),
            facecolor=face,
            edgecolor=edge,
            linewidth=width,
            hatch=hatch,
        )
        if hatch:
            # the hatch takes the edge colour: hatch in grey, then the outline on top
            patch.set_edgecolor(HATCH_EDGE)
            patch.set_linewidth(0)
            ax.add_patch(patch)
            for ring in rings:
                x, y = ring.xy
                ax.plot(x, y, color=edge, linewidth=width)
        else:
            ax.add_patch(patch)


def _dashes(dash: str | None, width: float) -> Any:
    """An SVG dash array (``8 4``, in line widths of 3 px) as a matplotlib line style."""
    if not dash:
        return "solid"
    parts = tuple(float(v) / 3 * 2 for v in dash.split())
    return (0, parts)


def _outline(ax: Axes, geom: Any, *, colour: str, dash: str | None, width: float) -> None:
    """Draw the outline of polygons in a programme's colour and dash pattern."""
    for poly in _parts(geom):
        if poly.geom_type != "Polygon":
            continue
        for ring in [poly.exterior, *poly.interiors]:
            x, y = ring.xy
            ax.plot(x, y, color=colour, linewidth=width, linestyle=_dashes(dash, width))


def _measure(ax: Axes, geom: Any, colour: str) -> None:
    """Draw a measure: a point as a dot, a line as a line, a polygon tinted and outlined."""
    kind = shapely.get_type_id(geom)
    if kind in (0, 4):  # (multi)point
        for p in _parts(geom):
            ax.plot(
                p.x, p.y, "o", markersize=4.2, markerfacecolor=colour, markeredgecolor="#222222",
                markeredgewidth=0.5, zorder=5,
            )  # fmt: skip
    elif kind in (1, 5):  # (multi)line
        for line in _parts(geom):
            x, y = line.xy
            ax.plot(x, y, color=colour, linewidth=2.2, solid_capstyle="round", zorder=4)
    elif kind in (3, 6):  # (multi)polygon
        _polygon(ax, geom, face=colour + "59", edge=colour, width=1.2)
    else:  # a collection: its parts
        for part in _parts(geom):
            _measure(ax, part, colour)


def _scale_bar(ax: Axes, scale: int, layout: PrintLayout) -> None:
    """A scale bar of a round length (about a fifth of the frame) in four segments."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = nice_length((x1 - x0) / 5)
    bx, by = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.04
    h = (y1 - y0) * 0.008
    ax.add_patch(
        Rectangle(
            (bx - (x1 - x0) * 0.01, by - h * 1.5),
            length + (x1 - x0) * 0.02,
            (y1 - y0) * 0.07,
            facecolor="white",
            alpha=0.85,
            edgecolor="none",
            zorder=8,
        )
    )
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (bx + i * length / 4, by),
                length / 4,
                h,
                facecolor=INK if i % 2 == 0 else "white",
                edgecolor=INK,
                linewidth=0.5,
                zorder=9,
            )
        )
    for pos, text in (
        (0, "0"),
        (length / 2, scale_label(length / 2)),
        (length, scale_label(length)),
    ):
        ax.text(bx + pos, by + h * 1.6, text, ha="center", va="bottom", fontsize=6.5, zorder=9)
    ax.text(
        bx + length / 2,
        by + h * 4.2,
        f"Maßstab 1:{german.number(scale, decimals=0)}",
        ha="center",
        va="bottom",
        fontsize=6.5,
        zorder=9,
    )


def _north_arrow(ax: Axes) -> None:
    """A north arrow in the upper right corner (grid north of the store's projected CRS)."""
    ax.annotate(
        "",
        xy=(0.965, 0.95),
        xytext=(0.965, 0.86),
        xycoords="axes fraction",
        arrowprops={"arrowstyle": "-|>,head_width=0.5,head_length=0.9", "color": INK, "lw": 1.6},
        zorder=9,
    )
    ax.text(
        0.965,
        0.84,
        "N",
        transform=ax.transAxes,
        ha="center",
        va="top",
        fontsize=11,
        fontweight="bold",
        color=INK,
        zorder=9,
    )


def _draw_legend(ax: Axes, sections: Sequence[LegendSection], *, columns: int) -> None:
    """Write the legend sections top-down (in ``columns`` columns): title, then swatch rows."""
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.text(0, 1, "Legende", fontsize=10, fontweight="bold", va="top", color=INK)
    rows = sum(1.6 + len(s.entries) for s in sections)
    per_column = math.ceil(rows / columns) if rows else 1
    fig_h_in = ax.get_position().height * ax.figure.get_size_inches()[1]  # type: ignore[union-attr]
    step_in = min(0.2, max(0.09, (fig_h_in - 0.3) / max(per_column, 1)))
    step = step_in / fig_h_in
    size = 7.5 if step_in >= 0.16 else 6.0
    col_w = 1 / columns
    col, y = 0, 1 - 0.3 / fig_h_in
    used = 0.0
    for section in sections:
        need = 1.6 + len(section.entries)
        if columns > 1 and used and used + need > per_column + 0.5 and col < columns - 1:
            col, y, used = col + 1, 1 - 0.3 / fig_h_in, 0.0
        x = col * col_w
        y -= step * 0.6
        ax.text(x, y, section.title, fontsize=size + 0.5, fontweight="bold", va="center")
        y -= step
        for entry in section.entries:
            _swatch(ax, entry, x, y, step)
            ax.text(x + 0.06 * (1 if columns == 1 else 0.5) * 1.6, y, entry.label, fontsize=size,
                    va="center")  # fmt: skip
            y -= step
        used += need


def _swatch(ax: Axes, entry: LegendEntry, x: float, y: float, step: float) -> None:
    """The colour sample of a legend row (fill, hatch, line or dot)."""
    w = 0.07 if ax.get_position().width < 0.4 else 0.025
    h = step * 0.7
    if entry.swatch == "hatch":
        ax.add_patch(
            Rectangle(
                (x, y - h / 2),
                w,
                h,
                facecolor=HATCH_FACE,
                edgecolor=HATCH_EDGE,
                hatch=HATCH,
                linewidth=0,
            )  # fmt: skip
        )
        ax.add_patch(Rectangle((x, y - h / 2), w, h, fill=False, edgecolor=EDGE, linewidth=0.4))
    elif entry.swatch == "line":
        ax.add_line(
            Line2D(
                [x, x + w],
                [y, y],
                color=entry.colour,
                linewidth=1.8,
                linestyle=_dashes(entry.dash, 1.8),
            )  # fmt: skip
        )
    elif entry.swatch == "dot":
        ax.plot(
            [x + w / 2], [y], "o", markersize=5, markerfacecolor=entry.colour,
            markeredgecolor="#222222", markeredgewidth=0.5,
        )  # fmt: skip
    else:
        ax.add_patch(
            Rectangle((x, y - h / 2), w, h, facecolor=entry.colour, edgecolor=EDGE, linewidth=0.4)
        )


def _filters(content: MapContent) -> str:
    """The measure filters of the view in words (empty when every measure is shown)."""
    view = content.view
    parts: list[str] = []
    if view.statuses:
        parts.append("Status " + ", ".join(view.statuses))
    if view.programmes:
        parts.append(
            "Programm " + ", ".join(content.programme_names.get(p, p) for p in view.programmes)
        )
    if view.funding_areas:
        parts.append("Fördergebiet " + ", ".join(view.funding_areas))
    if view.fields:
        parts.append("Handlungsfeld " + ", ".join(view.fields))
    if view.year is not None:
        parts.append(f"laufend im Jahr {view.year}")
    return "; ".join(parts)


def _draw_footer(
    fig: Figure, content: MapContent, layout: PrintLayout, scale: int | None, today: dt.date
) -> None:
    """Sources, Stichtag, print date, CRS and the notes of the view, under the map."""
    mx = MARGIN_MM / layout.width_mm
    lines: list[str] = []
    sources = "; ".join(content.sources) or "keine Quellenangabe gespeichert"
    lines.append(f"Quellen: {sources}")
    crs = content.areas.crs
    crs_text = f"{crs.name} ({crs.to_string()})" if crs is not None else "unbekannt"
    stichtag = german.date(content.period) if content.period else "–"
    lines.append(
        f"Stichtag: {stichtag} · Gedruckt am {german.date(today)} · "
        f"Koordinatensystem: {crs_text}"
        + (
            f" · Maßstab 1:{german.number(scale, decimals=0)} bei Druck in "
            f"{PAPER_LABELS[layout.paper]}"
            if scale
            else ""
        )  # fmt: skip
    )
    shown = german.count(len(content.measures), "Maßnahme", "Maßnahmen")
    filters = _filters(content)
    lines.append(f"{shown} gezeigt" + (f" (gefiltert: {filters})" if filters else ""))
    if content.indicator is None:
        lines.append(render("map.no_values"))
    lines += [*content.messages, *content.warnings]
    y = MARGIN_MM / layout.height_mm
    height = layout.map_box[1] - 0.01 if layout.orientation == "quer" else layout.legend_box[1]
    step = min(3.6 / layout.height_mm, (height - y) / max(len(lines), 1))
    for i, line in enumerate(reversed(lines)):
        fig.text(mx, y + i * step, _clip(line, layout), fontsize=6.5, color="#3d4a57", va="bottom")


def _clip(text: str, layout: PrintLayout) -> str:
    """Cut a footer line to what fits the page width (about 2 mm per character at 6.5 pt)."""
    most = int((layout.width_mm - 2 * MARGIN_MM) / 1.25)
    return text if len(text) <= most else text[: most - 1] + "…"
