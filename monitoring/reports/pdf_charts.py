"""The time-series charts of the PDF report, drawn as vector graphics by ReportLab itself.

Each chart (stacked bars or lines, :class:`~monitoring.reports.report.Chart`) becomes a
ReportLab :class:`~reportlab.graphics.shapes.Drawing` that flows in the story like any
other element: sharp at every zoom and in print, its labels are text a reader can search
and copy, and nothing is rasterised. Drawing PNGs with matplotlib took about 1.1 s of the
1.7 s a demo report needed (``make bench``, case "reports (pdf)"); these drawings take a
few milliseconds.

Layout: the title top left, the y axis with German number labels (``1.234,5``,
``Tsd. €``/``Mio. €``) and light grid lines, the x labels thinned to fit, the legend
below. A missing value (None) is a gap in a line and an empty slot in a bar.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from geo import german
from monitoring.reports.report import Chart

SERIES_COLOURS = ("#1f3b57", "#4f7394", "#8aa9c4", "#c5a46d", "#9a9a9a", "#5b5b5b")
GRID = colors.HexColor("#dddddd")
AXIS = colors.HexColor("#555555")
INK = colors.HexColor("#222222")
TICK_SIZE, TITLE_SIZE, LEGEND_SIZE = 6.5, 8.5, 6.5
Scale = Callable[[int], float]
FloatScale = Callable[[float], float]


def nice_ticks(low: float, high: float, *, most: int = 6) -> list[float]:
    """Round tick values covering ``low``..``high`` (steps of 1, 2, 2.5 or 5 × 10^n).

    The range always includes 0, so bars start at the axis.

    Examples
    --------
    >>> nice_ticks(0, 97)
    [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    >>> nice_ticks(-3, 12)
    [-5.0, 0.0, 5.0, 10.0, 15.0]
    >>> nice_ticks(0, 0)
    [0.0, 1.0]
    """
    low, high = min(low, 0.0), max(high, 0.0)
    if high - low <= 0:
        return [0.0, 1.0]
    raw = (high - low) / max(1, most - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    k = 0
    while True:
        value = round(first + k * step, 10)
        ticks.append(float(value))
        if value >= high - 1e-12:
            return ticks
        k += 1


def axis_number(value: float, unit: str) -> str:
    """A y-axis label the German way: € in Tsd. or Mio., shares with %.

    Examples
    --------
    >>> axis_number(2_500_000, "€"), axis_number(40_000, "€"), axis_number(12.5, "%")
    ('2,5 Mio. €', '40 Tsd. €', '12,5 %')
    >>> axis_number(0, "€")
    '0 €'
    """
    if unit == "€":
        if value == 0:
            return "0 €"
        if abs(value) >= 1e6:
            return german.number(value / 1e6, decimals=1) + " Mio. €"
        return german.number(value / 1e3, decimals=0) + " Tsd. €"
    return german.number(value, decimals=1 if abs(value) < 100 else 0) + (
        " %" if unit == "%" else ""
    )


def chart_drawing(
    chart: Chart, *, width: float, height: float, font: str = "Helvetica", bold: str = ""
) -> Drawing:
    """Draw ``chart`` in a box of ``width`` × ``height`` points.

    Examples
    --------
    >>> c = Chart("x", "Test", "%", "lines", ("2020", "2021"), (("A", (1.0, None)),))
    >>> d = chart_drawing(c, width=200, height=120)
    >>> (d.width, d.height), sorted(s.text for s in d.contents if isinstance(s, String))[-1]
    ((200, 120), 'Test')
    """
    drawing = Drawing(width, height)
    bold = bold or font
    values = [v for _, series in chart.series for v in series if v is not None]
    if chart.kind == "bars":  # stacked: the top of each bar is the sum of its parts
        tops = [sum(series[i] or 0.0 for _, series in chart.series) for i in range(len(chart.x))]
        values = [*values, *tops]
    ticks = nice_ticks(min(values, default=0.0), max(values, default=0.0))
    labels = [axis_number(t, chart.unit) for t in ticks]
    legend_rows = _legend_rows(chart, width, font)
    left = max(stringWidth(s, font, TICK_SIZE) for s in labels) + 6
    right, top = 4.0, TITLE_SIZE + 6
    bottom = TICK_SIZE + 6 + legend_rows * (LEGEND_SIZE + 4) + 4
    plot_w, plot_h = max(10.0, width - left - right), max(10.0, height - top - bottom)
    y0 = bottom

    def y_at(value: float) -> float:
        return y0 + (value - ticks[0]) / (ticks[-1] - ticks[0]) * plot_h

    drawing.add(
        String(
            0, height - TITLE_SIZE, chart.title, fontName=bold, fontSize=TITLE_SIZE, fillColor=INK
        )
    )
    for value, label in zip(ticks, labels):
        y = y_at(value)
        drawing.add(Line(left, y, left + plot_w, y, strokeColor=GRID, strokeWidth=0.5))
        drawing.add(
            String(
                left - 4,
                y - TICK_SIZE / 3,
                label,
                fontName=font,
                fontSize=TICK_SIZE,
                fillColor=AXIS,
                textAnchor="end",
            )
        )
    drawing.add(Line(left, y0, left, y0 + plot_h, strokeColor=AXIS, strokeWidth=0.6))
    n = max(1, len(chart.x))
    slot = plot_w / n

    def x_at(i: int) -> float:
        return left + (i + 0.5) * slot

    step = max(1, math.ceil(n / max(3, int(plot_w / 45))))
    for i in range(0, len(chart.x), step):
        drawing.add(
            String(
                x_at(i),
                y0 - TICK_SIZE - 3,
                chart.x[i],
                fontName=font,
                fontSize=TICK_SIZE,
                fillColor=AXIS,
                textAnchor="middle",
            )
        )
    if chart.kind == "bars":
        _bars(drawing, chart, x_at, y_at, slot * 0.75)
    else:
        _lines(drawing, chart, x_at, y_at)
    drawing.add(Line(left, y_at(0.0), left + plot_w, y_at(0.0), strokeColor=AXIS, strokeWidth=0.6))
    _legend(drawing, chart, width, font, legend_rows)
    return drawing


def _colour(chart: Chart, k: int) -> colors.Color:
    index = k if chart.kind == "bars" else k * 2
    return colors.HexColor(SERIES_COLOURS[index % len(SERIES_COLOURS)])


def _bars(drawing: Drawing, chart: Chart, x_at: Scale, y_at: FloatScale, bar_w: float) -> None:
    bottom = [0.0] * len(chart.x)
    for k, (_, series) in enumerate(chart.series):
        fill = _colour(chart, k)
        for i, value in enumerate(series):
            if not value:
                continue
            y_low, y_high = y_at(bottom[i]), y_at(bottom[i] + value)
            drawing.add(
                Rect(
                    x_at(i) - bar_w / 2,
                    min(y_low, y_high),
                    bar_w,
                    abs(y_high - y_low),
                    fillColor=fill,
                    strokeColor=None,
                )
            )
            bottom[i] += value


def _lines(drawing: Drawing, chart: Chart, x_at: Scale, y_at: FloatScale) -> None:
    for k, (_, series) in enumerate(chart.series):
        colour = _colour(chart, k)
        run: list[float] = []
        for i, value in enumerate([*series, None]):
            if value is None:  # a gap ends the line drawn so far
                if len(run) >= 4:
                    drawing.add(PolyLine(run, strokeColor=colour, strokeWidth=1.2))
                run = []
                continue
            x, y = x_at(i), y_at(value)
            run += [x, y]
            drawing.add(Circle(x, y, 1.6, fillColor=colour, strokeColor=None))


def _legend_entries(chart: Chart, font: str) -> list[tuple[str, float]]:
    return [(name, stringWidth(name, font, LEGEND_SIZE) + 14) for name, _ in chart.series]


def _legend_rows(chart: Chart, width: float, font: str) -> int:
    return len(_pack(_legend_entries(chart, font), width))


def _pack(entries: Sequence[tuple[str, float]], width: float) -> list[list[int]]:
    rows: list[list[int]] = []
    used = width
    for k, (_, w) in enumerate(entries):
        if used + w > width and (not rows or rows[-1]):
            rows.append([])
            used = 0.0
        rows[-1].append(k)
        used += w
    return rows


def _legend(drawing: Drawing, chart: Chart, width: float, font: str, n_rows: int) -> None:
    entries = _legend_entries(chart, font)
    for r, row in enumerate(_pack(entries, width)):
        y = n_rows * (LEGEND_SIZE + 4) - r * (LEGEND_SIZE + 4) - LEGEND_SIZE
        used = sum(entries[k][1] for k in row)
        x = max(0.0, (width - used) / 2)
        for k in row:
            name, w = entries[k]
            drawing.add(
                Rect(x, y, 8, LEGEND_SIZE - 1, fillColor=_colour(chart, k), strokeColor=None)
            )
            drawing.add(String(x + 11, y, name, fontName=font, fontSize=LEGEND_SIZE, fillColor=INK))
            x += w
