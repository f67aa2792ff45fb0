"""Timing and reporting for the benchmarks: medians after a warm-up, ratios to a baseline.

Each case measures ours and a baseline in the same process, one after the other on the
same input, so that a noisy machine moves both; the figure that counts is the ratio.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


def median_seconds(fn: Callable[[], Any], *, runs: int = 5, warmup: int = 1) -> float:
    """Return the median wall time of ``fn`` over ``runs`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Result:
    """One benchmark case: ours against a baseline (seconds or bytes)."""

    name: str
    size: str
    unit: str
    ours: float
    baseline: float | None
    baseline_name: str
    goal: str
    goal_ratio: float | None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.ours / self.baseline  # type: ignore[operator]

    @property
    def met(self) -> bool | None:
        if self.goal_ratio is None or self.ratio is None:
            return None
        return self.ratio <= self.goal_ratio

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(ratio=self.ratio, met=self.met)
        return out


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }


def write_results(results: list[Result], path: Path = RESULTS / "latest.json") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": machine(),
        "cases": [r.as_dict() for r in results],
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "bytes":
        return f"{value / 1e6:.2f} MB"
    return f"{value:.3f} s" if value < 100 else f"{value:.0f} s"


def table(results: list[Result]) -> str:
    """Render results as a Markdown table (printed and pasted into the README)."""
    lines = [
        "| case | size | ours | baseline | ratio | goal | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ratio = "–" if r.ratio is None else f"{r.ratio:.2f}"
        met = {True: "yes", False: "NO", None: "–"}[r.met]
        base = f"{_fmt(r.baseline, r.unit)} ({r.baseline_name})" if r.baseline_name else "–"
        ours = _fmt(r.ours, r.unit)
        lines.append(f"| {r.name} | {r.size} | {ours} | {base} | {ratio} | {r.goal} | {met} |")
    return "\n".join(lines)
