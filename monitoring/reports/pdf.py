"""The report as a PDF (A4, German): cover with the area map, the tables, the charts.

Drawn with reportlab; the map and the charts are matplotlib figures (the object API
with the Agg canvas, no pyplot state, no network, no map tiles). Text is set in
DejaVu Sans, which matplotlib ships, so every German character and unit prints.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from monitoring.reports.layout import (
    blocks,
    column_unit,
    generated_text,
    grid,
    subtitle,
    value_text,
)
from monitoring.reports.pdf_charts import chart_drawing
from monitoring.reports.report import REASON_NOTES, AreaMap, Report, Row, Section
from monitoring.reports.sender import sender_lines

FONT, BOLD, ITALIC = "QMDejaVu", "QMDejaVu-Bold", "QMDejaVu-Oblique"
_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
INK = colors.HexColor("#1F2933")
ACCENT = colors.HexColor("#3A5A78")
PALE = colors.HexColor("#DCE6F0")
GREY = colors.HexColor("#808080")
MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
CODE_W = 17 * mm
"""Width of the column of field numbers (``B.1.10``, ``BI.2.12``)."""
HEAD_SIZE = 7.5
CELL_PAD = 3
"""Left and right padding of a table cell, in points."""
SERIES_COLOURS = ("#1f3b57", "#4f7394", "#8aa9c4", "#c5a46d", "#9a9a9a", "#5b5b5b")
"""Neutral blues, an ochre and greys: no red/green for people (DOMAIN.md §6)."""


def _fonts() -> None:
    """Register DejaVu Sans with reportlab (once per process)."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for name, file in (
        (FONT, "DejaVuSans.ttf"),
        (BOLD, "DejaVuSans-Bold.ttf"),
        (ITALIC, "DejaVuSans-Oblique.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(_FONT_DIR / file)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic=BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=11.5, textColor=INK)
    return {
        "base": base,
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=20, leading=25),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=12, leading=16),
        "part": ParagraphStyle(
            "part", base, fontName=BOLD, fontSize=14, leading=18, textColor=ACCENT, spaceAfter=4
        ),
        "section": ParagraphStyle(
            "section", base, fontName=BOLD, fontSize=10.5, leading=13, spaceBefore=8, spaceAfter=2
        ),
        "note": ParagraphStyle("note", base, fontName=ITALIC, fontSize=7.5, leading=9.5),
        "cell": ParagraphStyle("cell", base, fontSize=8, leading=10),
        "code": ParagraphStyle("code", base, fontSize=6.3, leading=8, textColor=GREY),
        "head": ParagraphStyle(
            "head",
            base,
            fontName=BOLD,
            fontSize=HEAD_SIZE,
            leading=9,
            textColor=colors.white,
            splitLongWords=0,  # a heading breaks between words only, never "Kostenschätzu ng"
        ),
        "warn": ParagraphStyle(
            "warn", base, fontName=BOLD, fontSize=9, leading=11.5, textColor=ACCENT
        ),
        "num": ParagraphStyle("num", base, fontSize=8, leading=10, alignment=TA_RIGHT),
        "missing": ParagraphStyle(
            "missing",
            base,
            fontName=ITALIC,
            fontSize=7.5,
            leading=10,
            textColor=GREY,
            alignment=TA_RIGHT,
        ),
    }


def pdf_bytes(report: Report) -> bytes:
    """Render the report as an A4 PDF.

    Returns
    -------
    bytes
        Cover (facts, map), one chapter per part with its tables, the charts of the
        main series, and the notes with the legend of missing values.
    """
    _fonts()
    st = _styles()
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 4 * mm,
        bottomMargin=MARGIN,
        title=f"Monitoringbericht {report.area_name} {report.year}",
        author="Quartiersmonitor",
        subject="Jährlicher Monitoringbericht Städtebauförderung (eMo, Begleitinformationen)",
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates(
        [
            PageTemplate("cover", [frame], onPage=lambda c, d: _footer(c, d, report, cover=True)),
            PageTemplate("body", [frame], onPage=lambda c, d: _footer(c, d, report, cover=False)),
        ]
    )
    story: list[Any] = [NextPageTemplate("body")]
    story += _cover(report, st)
    for part in report.parts:
        story += [CondPageBreak(110 * mm), Paragraph(_esc(part.title), st["part"])]
        for section in blocks(part.sections):
            story += _section(section, st)
    story += _charts(report, st)
    story += _notes(report, st)
    doc.build(story)
    return out.getvalue()


def _esc(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _footer(canvas: Any, doc: Any, report: Report, *, cover: bool) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(GREY)
    if not cover:
        canvas.drawString(MARGIN, A4[1] - MARGIN, subtitle(report))
        canvas.setStrokeColor(PALE)
        canvas.line(MARGIN, A4[1] - MARGIN - 2 * mm, A4[0] - MARGIN, A4[1] - MARGIN - 2 * mm)
    canvas.drawString(
        MARGIN, MARGIN - 8 * mm, f"Fingerabdruck der Eingangsdaten: {report.fingerprint[:16]}…"
    )
    canvas.drawRightString(A4[0] - MARGIN, MARGIN - 8 * mm, f"Seite {doc.page}")
    canvas.restoreState()


# --- cover ---------------------------------------------------------------------------------


def _sender(report: Report, st: dict[str, ParagraphStyle]) -> list[Any]:
    """The sender block at the top of the cover (or a line saying it is not set)."""
    lines = sender_lines(report.sender)
    if not lines:
        return [
            Paragraph(
                "Absender: nicht hinterlegt (Seite Berichte oder qmon report sender set)",
                st["note"],
            ),
            Spacer(1, 3 * mm),
        ]
    table = Table(
        [[Paragraph(_esc(k), st["code"]), Paragraph(_esc(v), st["cell"])] for k, v in lines],
        colWidths=[28 * mm, 90 * mm],
        hAlign="RIGHT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
                ("LINEBEFORE", (0, 0), (0, -1), 0.8, ACCENT),
            ]
        )
    )
    return [table, Spacer(1, 4 * mm)]


def _cover(report: Report, st: dict[str, ParagraphStyle]) -> list[Any]:
    story: list[Any] = [
        *_sender(report, st),
        Paragraph("Jährlicher Monitoringbericht Städtebauförderung", st["title"]),
        Spacer(1, 2 * mm),
        Paragraph(_esc(report.area_name), st["subtitle"]),
        Paragraph(
            _esc(f"{report.programme or 'Programm nicht gemeldet'} – Berichtsjahr {report.year}"),
            st["subtitle"],
        ),
        Spacer(1, 3 * mm),
    ]
    for warning in report.warnings:
        story.append(Paragraph("Achtung: " + _esc(warning), st["warn"]))
        story.append(Spacer(1, 2 * mm))
    story.append(Spacer(1, 2 * mm))
    if report.area_map is not None:
        png = area_map_png(report.area_map, title=report.area_name)
        story.append(Image(io.BytesIO(png), width=WIDTH, height=WIDTH * 0.62))
        story.append(
            Paragraph(
                "Abgrenzung des Fördergebiets (dunkel) und der statistischen Gebiete, "
                "aus denen die Kontextwerte übertragen sind.",
                st["note"],
            )
        )
        story.append(Spacer(1, 4 * mm))
    facts = [
        ("Gesamtmaßnahme", f"{report.area_name} ({report.area_id})"),
        ("Gemeindeschlüssel (AGS)", report.ags or "(nicht gemeldet)"),
        ("Förderprogramm", report.programme or "(nicht gemeldet)"),
        ("Berichtsjahr", str(report.year)),
    ]
    if any(p.key == "A" for p in report.parts):
        for row in report.part("A").rows:
            if row.field in ("A.5", "A.6", "A.7", "A.8", "A.10"):
                facts.append((row.label, value_text(row, unit=row.unit not in ("Jahr",))))
    facts += [
        ("Feldkatalog", f"{report.catalogue} (Fassung {report.catalogue_version})"),
        ("erstellt am", generated_text(report)),
        ("Fingerabdruck (SHA-256)", report.fingerprint),
    ]
    if report.catalogue_note:
        facts.insert(-2, ("Hinweis zum Feldkatalog", report.catalogue_note))
    table = Table(
        [[Paragraph(_esc(k), st["cell"]), Paragraph(_esc(v), st["cell"])] for k, v in facts],
        colWidths=[55 * mm, WIDTH - 55 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (0, -1), BOLD),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, PALE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    story.append(table)
    return story


def area_map_png(area_map: AreaMap, *, title: str = "", dpi: int = 200) -> bytes:
    """Draw the funding area over the statistical areas it overlaps, as a PNG.

    Examples
    --------
    >>> m = AreaMap("EPSG:25832", "POLYGON ((0 0, 1000 0, 1000 800, 0 800, 0 0))",
    ...             (("PR-1", "Nord", "POLYGON ((-1 -1, 600 -1, 600 900, -1 900, -1 -1))"),))
    >>> area_map_png(m, dpi=40)[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    fig = Figure(figsize=(7.2, 4.46), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
    area = shapely.from_wkt(area_map.area)
    for wkt in area_map.surroundings:
        _fill(ax, shapely.from_wkt(wkt), face="#f4f4f4", edge="#d0d0d0", width=0.4)
    for _, name, wkt in area_map.districts:
        geom = shapely.from_wkt(wkt)
        _fill(ax, geom, face="#eef2f6", edge="#9aa8b5", width=0.6)
        inside = geom.intersection(area)
        where = (inside if not inside.is_empty else geom).representative_point()
        ax.annotate(
            name, (where.x, where.y), ha="center", va="center", fontsize=6.5, color="#3d4a57"
        )
    _fill(ax, area, face="#3A5A78", edge="#1f3b57", width=2.0, alpha=0.28)
    x0, y0, x1, y1 = area.bounds
    pad = 0.12 * max(x1 - x0, y1 - y0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w, half_h = (x1 - x0) / 2 + pad, (y1 - y0) / 2 + pad
    ratio = 7.2 / 4.46  # the axes' width / height: metres per inch equal both ways
    half_w, half_h = max(half_w, half_h * ratio), max(half_h, half_w / ratio)
    ax.set_xlim(cx - half_w, cx + half_w)
    ax.set_ylim(cy - half_h, cy + half_h)
    ax.set_aspect("equal")
    ax.set_axis_off()
    _scale_bar(ax)
    ax.annotate(
        "N",
        xy=(0.97, 0.93),
        xytext=(0.97, 0.80),
        xycoords="axes fraction",
        ha="center",
        fontsize=9,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "#1F2933"},
    )
    ax.text(
        0.01,
        0.01,
        f"Koordinatensystem: {area_map.crs}",
        transform=ax.transAxes,
        fontsize=6,
        color="#555555",
    )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _fill(ax: Any, geom: Any, *, face: str, edge: str, width: float, alpha: float = 1.0) -> None:
    """Draw the polygons of a geometry (holes as white)."""
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon":
            continue
        x, y = poly.exterior.xy
        ax.fill(x, y, facecolor=face, edgecolor="none", alpha=alpha)
        ax.plot(x, y, color=edge, linewidth=width)
        for ring in poly.interiors:
            hx, hy = ring.xy
            ax.fill(hx, hy, facecolor="white", edgecolor=edge, linewidth=width / 2)


def _scale_bar(ax: Any) -> None:
    """A scale bar of a round length, about a fifth of the map width."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    target = (x1 - x0) / 5
    length = max(
        (v for v in (50, 100, 200, 250, 500, 1000, 2000, 5000, 10000) if v <= target), default=50
    )
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.07
    ax.plot([bx, bx + length], [by, by], color="#1F2933", linewidth=3, solid_capstyle="butt")
    label = f"{length / 1000:g} km".replace(".", ",") if length >= 1000 else f"{length} m"
    ax.text(bx + length / 2, by + (y1 - y0) * 0.025, label, ha="center", va="bottom", fontsize=7)


# --- tables ---------------------------------------------------------------------------------


def _cell(row: Row | None, st: dict[str, ParagraphStyle]) -> Any:
    if row is None:
        return ""
    if row.value is None:
        return Paragraph(_esc(row.reason), st["missing"])
    if isinstance(row.value, str):
        return Paragraph(_esc(row.value), st["cell"])
    return Paragraph(_esc(value_text(row)), st["num"])


def word_width(text: str, *, font: str = BOLD, size: float = HEAD_SIZE) -> float:
    """The width in points of the longest word of ``text`` (where a heading may not break)."""
    _fonts()
    words = text.replace("/", "/ ").replace("-", "- ").split() or [""]
    return max(pdfmetrics.stringWidth(w, font, size) for w in words)


def grid_widths(line_header: str, titles: Sequence[str]) -> tuple[float, float, float, float]:
    """Return the widths of the number, the line and each value column of a grid, and
    the font size of its headings.

    Every value column is made at least as wide as the longest word of its heading
    (plus padding), so a heading breaks between words, at a space, a slash or a
    hyphen, and never inside one; the line column gives up the room (down to 30 mm).
    Where even that is too narrow, the headings are set smaller (down to 5.5 pt) until
    their longest word fits.

    Examples
    --------
    >>> code, label, value, size = grid_widths("Handlungsfeld", ["abgeschlossen im Berichtsjahr",
    ...     "in Umsetzung im Berichtsjahr", "Kostenschätzung (€)"])
    >>> value >= word_width("Kostenschätzung") + 2 * CELL_PAD, size
    (True, 7.5)
    >>> round(code + label + 3 * value) == round(WIDTH)
    True
    >>> titles = ["Einnahmen (€)", "davon Städtebauförderung (€)", "Entscheidungen",
    ...           "bewilligt (€)", "davon investiv (€)"]
    >>> code, label, value, size = grid_widths("Fonds", titles)
    >>> value >= word_width("Städtebauförderung", size=size) + 2 * CELL_PAD, size < HEAD_SIZE
    (True, True)
    """
    n = max(len(titles), 1)
    longest = max([word_width(t) for t in titles] + [0.0])
    need = longest + 2 * CELL_PAD + 1
    label_w = (44 if n > 4 else 64) * mm
    value_w = max((WIDTH - CODE_W - label_w) / n, need)
    label_w = max(30 * mm, WIDTH - CODE_W - n * value_w)
    label_w = max(label_w, word_width(line_header) + 2 * CELL_PAD + 1)
    value_w = max((WIDTH - CODE_W - label_w) / n, 0.0)
    size = HEAD_SIZE
    if longest and value_w < need:
        size = max(5.5, math.floor(HEAD_SIZE * (value_w - 2 * CELL_PAD - 1) / longest * 10) / 10)
    return CODE_W, label_w, value_w, size


def _table_style(n_rows: int, *, sum_rows: Sequence[int] = ()) -> TableStyle:
    commands: list[Any] = [
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, PALE),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
    ]
    for i in range(2, n_rows, 2):
        commands.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#F6F8FA")))
    for i in sum_rows:
        commands.append(("LINEABOVE", (0, i), (-1, i), 0.8, INK))
    return TableStyle(commands)


def _section(section: Section, st: dict[str, ParagraphStyle]) -> list[Any]:
    head: list[Any] = (
        [Paragraph(_esc(f"{section.code}  {section.title}"), st["section"])]
        if section.title
        else [Spacer(1, 2 * mm)]
    )
    if section.note:
        head.append(Paragraph(_esc(section.note), st["note"]))
    head.append(Spacer(1, 1.5 * mm))
    if section.is_grid:
        g = grid(section)
        n = len(g.columns)
        titles = []
        for j, column in enumerate(g.columns):
            unit = column_unit([cells[j] for cells in g.cells])
            suffix = " (€)" if unit == "€" and "(" not in column else ""
            titles.append(column + suffix)
        code_w, label_w, value_w, size = grid_widths(section.line_header, titles)
        small = ParagraphStyle("head_small", st["head"], fontSize=size, leading=size * 1.2)
        header = [Paragraph("Feld", st["head"]), Paragraph(_esc(section.line_header), st["head"])]
        header += [Paragraph(_esc(t), small) for t in titles]
        body = [
            [Paragraph(_esc(code), st["code"]), Paragraph(_esc(line), st["cell"])]
            + [_cell(c, st) for c in cells]
            for code, line, cells in zip(g.codes, g.lines, g.cells)
        ]
        sums = [i + 1 for i, line in enumerate(g.lines) if line == "Summe"]
        table = Table([header, *body], colWidths=[code_w, label_w] + [value_w] * n, repeatRows=1)
        table.setStyle(_table_style(len(body) + 1, sum_rows=sums))
    else:
        header = [Paragraph(h, st["head"]) for h in ("Feld", "Bezeichnung", "Wert", "Einheit")]
        body = [
            [
                Paragraph(_esc(r.shown_number), st["code"]),
                Paragraph(_esc(r.label), st["cell"]),
                _cell(r, st),
                Paragraph(
                    _esc(r.unit if r.value is not None and r.unit != "Jahr" else ""), st["cell"]
                ),
            ]
            for r in section.rows
        ]
        table = Table(
            [header, *body],
            colWidths=[CODE_W, WIDTH - CODE_W - 36 * mm - 24 * mm, 36 * mm, 24 * mm],
            repeatRows=1,
        )
        table.setStyle(_table_style(len(body) + 1))
    if len(section.rows) <= 40:
        return [KeepTogether([*head, table])]
    return [CondPageBreak(45 * mm), *head, table]  # a long table splits across pages


# --- charts ---------------------------------------------------------------------------------


def _charts(report: Report, st: dict[str, ParagraphStyle]) -> list[Any]:
    if not report.charts:
        return []
    story: list[Any] = [PageBreak(), Paragraph("Zeitreihen", st["part"])]
    bars = [c for c in report.charts if c.kind == "bars"]
    lines = [c for c in report.charts if c.kind == "lines"]
    for chart in bars:
        story.append(
            chart_drawing(chart, width=WIDTH, height=WIDTH * 2.9 / 7.0, font=FONT, bold=BOLD)
        )
        story.append(Spacer(1, 3 * mm))
    cell_w = WIDTH / 2 - 2 * mm
    cells = [
        chart_drawing(c, width=cell_w, height=cell_w * 2.3 / 3.5, font=FONT, bold=BOLD)
        for c in lines
    ]
    rows = [cells[i : i + 2] + [""] * (2 - len(cells[i : i + 2])) for i in range(0, len(cells), 2)]
    if rows:
        grid_table = Table(rows, colWidths=[WIDTH / 2] * 2)
        grid_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(
            Paragraph(
                "Fördergebiet gegenüber der Gesamtstadt (fehlende Punkte: unterdrückt oder "
                "nicht gemeldet)",
                st["note"],
            )
        )
        story.append(grid_table)
    return story


def _notes(report: Report, st: dict[str, ParagraphStyle]) -> list[Any]:
    story: list[Any] = [CondPageBreak(60 * mm), Paragraph("Hinweise", st["section"])]
    for note in report.notes:
        story.append(Paragraph("• " + _esc(note), st["base"]))
    story.append(Spacer(1, 3 * mm))
    story.append(Paragraph("Gründe fehlender Werte", st["section"]))
    for reason, text in REASON_NOTES.items():
        story.append(Paragraph(f"<i>{_esc(reason)}</i>: {_esc(text)}", st["base"]))
    return story
