"""The report's charts are vector drawings: text a reader can search, German numbers, gaps."""

from __future__ import annotations

import subprocess
from pathlib import Path

from reportlab.graphics.shapes import Circle, PolyLine, Rect, String
from reportlab.platypus import SimpleDocTemplate

from monitoring.reports.pdf import BOLD, FONT, _fonts
from monitoring.reports.pdf_charts import chart_drawing, nice_ticks
from monitoring.reports.report import Chart

BARS = Chart(
    "kosten",
    "Förderung nach Mittelgeber",
    "€",
    "bars",
    ("2021", "2022", "2023"),
    (("Bund", (120_000.0, None, 80_000.0)), ("Land", (60_000.0, 30_000.0, 40_000.0))),
)
LINES = Chart(
    "alq",
    "Arbeitslosenquote",
    "%",
    "lines",
    ("2019", "2020", "2021", "2022"),
    (("Fördergebiet", (8.5, None, 9.25, 10.0)), ("Gesamtstadt", (6.0, 6.5, 7.0, 7.5))),
)


def _texts(drawing) -> list[str]:  # type: ignore[no-untyped-def]
    return [s.text for s in drawing.contents if isinstance(s, String)]


def test_stacked_bars_reach_the_sum_and_label_euros_the_german_way() -> None:
    d = chart_drawing(BARS, width=400, height=160)
    texts = _texts(d)
    assert "Förderung nach Mittelgeber" in texts and {"Bund", "Land"} <= set(texts)
    assert "180 Tsd. €" in texts or "200 Tsd. €" in texts  # the axis reaches 120 + 60
    bars = [r for r in d.contents if isinstance(r, Rect) and r.width > 9]
    assert len(bars) == 5  # a missing value draws no bar
    tallest = max(r.y + r.height for r in bars)
    assert tallest <= 160


def test_a_missing_value_breaks_the_line() -> None:
    d = chart_drawing(LINES, width=240, height=150)
    lines = [p for p in d.contents if isinstance(p, PolyLine)]
    points = [c for c in d.contents if isinstance(c, Circle)]
    assert len(points) == 7  # one value missing
    # Gesamtstadt one line of 4 points, Fördergebiet two pieces: 1 point (no line) and 2 points
    assert sorted(len(p.points) // 2 for p in lines) == [2, 4]
    assert "9,0 %" in _texts(d) or "10,0 %" in _texts(d)


def test_ticks_are_round_and_cover_the_values() -> None:
    assert nice_ticks(0, 180_000) == [0.0, 50_000.0, 100_000.0, 150_000.0, 200_000.0]
    ticks = nice_ticks(-2.5, 7.5)
    assert ticks[0] <= -2.5 and ticks[-1] >= 7.5 and 0.0 in ticks


def test_chart_text_is_in_the_pdf(tmp_path: Path) -> None:
    _fonts()
    pdf = tmp_path / "charts.pdf"
    drawings = [chart_drawing(c, width=400, height=160, font=FONT, bold=BOLD) for c in (BARS,)]
    drawings.append(chart_drawing(LINES, width=400, height=160, font=FONT, bold=BOLD))
    SimpleDocTemplate(str(pdf)).build(drawings)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for phrase in ("Förderung nach Mittelgeber", "Arbeitslosenquote", "Gesamtstadt", "Tsd. €"):
        assert phrase in text
