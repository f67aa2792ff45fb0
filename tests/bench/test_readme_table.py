"""The README's benchmark table is the last complete run, and the table shows CPU and load."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.harness import RESULTS, Result, Timing, table
from benchmarks.readme import BEGIN, END, README, section, update


def test_readme_shows_exactly_the_latest_run() -> None:
    payload = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
    text = README.read_text(encoding="utf-8")
    shown = text.split(BEGIN, 1)[1].split(END, 1)[0]
    assert shown.strip() == section(payload).strip(), "make bench (python -m benchmarks.readme)"


def test_update_rewrites_only_the_marked_section(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Titel\n\nvorher\n{BEGIN}\nalt\n{END}\nnachher\n", encoding="utf-8")
    results = tmp_path / "latest.json"
    case = Result.timed(
        "assign", "10 points", Timing(1.0, 1.5), Timing(2.0, 2.0), "sjoin(within)", "≤ 0.7", 0.7
    )
    case.load = (0.4, 1.2)
    results.write_text(
        json.dumps(
            {
                "when": "2026-11-27 07:00:00",
                "machine": {"cpus": 2, "memory_gb": 23.5, "python": "3.11.7"},
                "cases": [case.as_dict()],
            }
        ),
        encoding="utf-8",
    )
    assert update(readme, results)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Titel\n\nvorher\n") and text.endswith(f"{END}\nnachher\n")
    assert "alt" not in text
    row = "| assign | 10 points | 1.000 s | 2.000 s (sjoin(within)) | 0.500 | ≤ 0.7 | yes |"
    assert row in text
    assert "1.500 / 2.000 (0.75)" in text and "0.4 → 1.2" in text
    assert "1 of 1 goals met" in text
    assert not update(readme, results)  # a second run changes nothing


def test_table_marks_a_missed_goal() -> None:
    case = Result.timed("x", "n", Timing(2.0, 2.0), Timing(1.0, 1.0), "peer", "≤ 1.0", 1.0)
    assert "| **no** |" in table([case])
