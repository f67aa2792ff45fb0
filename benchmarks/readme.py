"""Put the table of ``benchmarks/results/latest.json`` into the README.

``python -m benchmarks.readme`` (run by ``make bench`` after the cases) replaces what
stands between the markers ``<!-- bench:begin -->`` and ``<!-- bench:end -->`` in
README.md with the run's date, machine and table, so the README shows exactly what the
last complete run measured and nothing it did not.
"""

from __future__ import annotations

import json
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

from benchmarks.harness import RESULTS, Result, table

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"


def results_from(payload: dict[str, Any]) -> list[Result]:
    """The cases of a results file as :class:`Result` (derived keys such as ``ratio`` dropped)."""
    names = {f.name for f in fields(Result)}
    out = []
    for case in payload["cases"]:
        kwargs = {k: v for k, v in case.items() if k in names}
        if kwargs.get("load") is not None:
            kwargs["load"] = tuple(kwargs["load"])
        out.append(Result(**kwargs))
    return out


def section(payload: dict[str, Any]) -> str:
    """The README text for one run: when, where, and the table."""
    m = payload["machine"]
    results = results_from(payload)
    met = sum(1 for r in results if r.met)
    goals = sum(1 for r in results if r.met is not None)
    return (
        f"Latest complete run: {payload['when']} on {m['cpus']} cores, {m['memory_gb']} GB, "
        f"Python {m['python']}; {met} of {goals} goals met.\n\n{table(results)}\n"
    )


def update(readme: Path = README, results: Path = RESULTS / "latest.json") -> bool:
    """Rewrite the marked section of ``readme``; return whether it changed."""
    payload = json.loads(results.read_text(encoding="utf-8"))
    text = readme.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{readme}: the markers {BEGIN} and {END} are missing")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    new = f"{head}{BEGIN}\n{section(payload)}{END}{tail}"
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    changed = update()
    print("README.md: benchmark table " + ("updated" if changed else "unchanged"), file=sys.stderr)
