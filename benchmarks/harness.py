"""Timing and reporting for the benchmarks: medians after a warm-up, ratios to a baseline.

Each case measures ours and a baseline in the same process, one after the other on the
same input, so that a noisy machine moves both; the figure that counts is the ratio.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import resource
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Timing:
    """Medians of one measured function: wall time and CPU time, in seconds.

    ``cpu`` is the CPU time of this process (every thread) and of the child processes
    it waited for during the run (``os.times``), so a parallel or multi-threaded side
    shows what it costs the machine, not only how long one waits. Work done by another
    server (PostgreSQL's backend) is not in it; such cases say so in their notes.
    """

    wall: float
    cpu: float


def _cpu_now() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(fn: Callable[[], Any], *, runs: int = 5, warmup: int = 1) -> Timing:
    """Return the median wall and CPU time of ``fn`` over ``runs`` runs after ``warmup``."""
    for _ in range(warmup):
        fn()
    walls, cpus = [], []
    for _ in range(runs):
        cpu = _cpu_now()
        start = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu_now() - cpu)
    return Timing(statistics.median(walls), statistics.median(cpus))


def median_seconds(fn: Callable[[], Any], *, runs: int = 5, warmup: int = 1) -> float:
    """Return the median wall time of ``fn`` over ``runs`` runs after ``warmup`` runs."""
    return timed(fn, runs=runs, warmup=warmup).wall


def load_average() -> float:
    """The machine's load over the last minute (how busy it was while a case ran)."""
    return round(os.getloadavg()[0], 2)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB.

    Linux's ``VmHWM`` (/proc/self/status), the high-water mark of this process's own
    memory. Not ``ru_maxrss``: that also keeps the peak of the process before its
    ``exec``, and a spawned child is forked from its parent first, so a child of a big
    parent would report at least the parent's size.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> float:
    """Reset this process's peak memory to what it holds now; return that, in MB.

    Linux's ``/proc/self/clear_refs`` (``5``) resets the high-water mark (``VmHWM``),
    so a later :func:`peak_rss_mb` is the peak of the work done since, with what was
    already held (its input) counted in.
    """
    Path("/proc/self/clear_refs").write_text("5")
    return peak_rss_mb()


def available_memory_gb() -> float:
    """Memory available for new work right now (``MemAvailable`` of /proc/meminfo), in GB."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 2**20
    return float("nan")


def in_child(fn: Callable[..., dict[str, Any]], /, **kwargs: Any) -> dict[str, Any]:
    """Run ``fn(**kwargs)`` in a fresh process (spawn) and return its figures.

    The child starts empty, so its peak memory (:func:`peak_rss_mb`) is that of this
    one point only (a forked child would inherit the parent's pages). ``fn`` must
    be importable at module level and return a dict; ``peak_rss_mb`` is added to it.
    """
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_measured, fn, kwargs).result()


def _measured(fn: Callable[..., dict[str, Any]], kwargs: dict[str, Any]) -> dict[str, Any]:
    out = fn(**kwargs)
    out["peak_rss_mb"] = peak_rss_mb()
    return out


@dataclass
class Result:
    """One benchmark case: ours against a baseline (seconds or bytes).

    The goal is met when every part of it that is set holds: ``ours / baseline <=
    goal_ratio``, ``ours <= limit`` (an absolute goal, in ``unit``) and ``holds`` (a
    condition checked by the case, e.g. "no gaps or overlaps"). With none set, ``met``
    is None (for the record). ``peak_rss_mb`` and ``baseline_peak_rss_mb`` are the peak
    memory of the process that measured each side, where the case ran it on its own.
    ``cpu_ours`` and ``cpu_baseline`` are the median CPU seconds beside the wall times
    (:func:`timed`); ``load`` is the machine's one-minute load before and after the case
    (set by ``python -m benchmarks`` for every case).
    """

    name: str
    size: str
    unit: str
    ours: float
    baseline: float | None
    baseline_name: str
    goal: str
    goal_ratio: float | None
    notes: dict[str, Any] = field(default_factory=dict)
    limit: float | None = None
    holds: bool | None = None
    peak_rss_mb: float | None = None
    baseline_peak_rss_mb: float | None = None
    cpu_ours: float | None = None
    cpu_baseline: float | None = None
    load: tuple[float, float] | None = None

    @classmethod
    def timed(
        cls,
        name: str,
        size: str,
        ours: Timing,
        baseline: Timing | None,
        baseline_name: str,
        goal: str,
        goal_ratio: float | None,
        **kwargs: Any,
    ) -> Result:
        """A result of wall times with their CPU times beside them."""
        return cls(
            name,
            size,
            "seconds",
            ours.wall,
            None if baseline is None else baseline.wall,
            baseline_name,
            goal,
            goal_ratio,
            cpu_ours=ours.cpu,
            cpu_baseline=None if baseline is None else baseline.cpu,
            **kwargs,
        )

    @property
    def cpu_ratio(self) -> float | None:
        if self.cpu_ours is None or not self.cpu_baseline:
            return None
        return self.cpu_ours / self.cpu_baseline

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.ours / self.baseline  # type: ignore[operator]

    @property
    def met(self) -> bool | None:
        parts: list[bool] = []
        if self.goal_ratio is not None:
            if self.ratio is None:
                return None
            parts.append(self.ratio <= self.goal_ratio)
        if self.limit is not None:
            parts.append(self.ours <= self.limit)
        if self.holds is not None:
            parts.append(self.holds)
        return all(parts) if parts else None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(ratio=self.ratio, cpu_ratio=self.cpu_ratio, met=self.met)
        return out


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        # the machine is shared: how busy it was (1, 5, 15 min) when the results were written
        "load_average": [round(x, 2) for x in os.getloadavg()],
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


def _mb(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def table(results: list[Result]) -> str:
    """Render results as a Markdown table (printed, and put into the README by
    ``python -m benchmarks.readme``).

    Columns of CPU time (ours / baseline, with their ratio), peak memory (ours /
    baseline, MB) and the machine's load (before → after the case) are added when a case
    recorded them.
    """
    cpu = any(r.cpu_ours is not None for r in results)
    memory = any(r.peak_rss_mb is not None for r in results)
    load = any(r.load is not None for r in results)
    head = "| case | size | ours | baseline | ratio | goal | met |"
    rule = "|---|---|---|---|---|---|---|"
    if cpu:
        head += " CPU s (ours / baseline, ratio) |"
        rule += "---|"
    if memory:
        head += " peak MB (ours / baseline) |"
        rule += "---|"
    if load:
        head += " load |"
        rule += "---|"
    lines = [head, rule]
    for r in results:
        ratio = "–" if r.ratio is None else f"{r.ratio:.3f}"
        met = {True: "yes", False: "**no**", None: "–"}[r.met]
        base = f"{_fmt(r.baseline, r.unit)} ({r.baseline_name})" if r.baseline_name else "–"
        ours = _fmt(r.ours, r.unit)
        line = f"| {r.name} | {r.size} | {ours} | {base} | {ratio} | {r.goal} | {met} |"
        if cpu:
            line += f" {_cpu(r)} |"
        if memory:
            peaks = (r.peak_rss_mb, r.baseline_peak_rss_mb)
            line += " – |" if peaks == (None, None) else f" {_mb(peaks[0])} / {_mb(peaks[1])} |"
        if load:
            line += " – |" if r.load is None else f" {r.load[0]:.1f} → {r.load[1]:.1f} |"
        lines.append(line)
    return "\n".join(lines)


def _cpu(r: Result) -> str:
    if r.cpu_ours is None:
        return "–"
    base = "–" if r.cpu_baseline is None else f"{r.cpu_baseline:.3f}"
    ratio = "" if r.cpu_ratio is None else f" ({r.cpu_ratio:.2f})"
    return f"{r.cpu_ours:.3f} / {base}{ratio}"
