"""``qmon compare``: the area against the city, suppressed and missing figures kept apart."""

from __future__ import annotations

import json

from cli.main import main
from tests.app.test_own_levels import own_city


def test_compare_names_the_level_and_keeps_suppressed_apart_from_missing(
    store_url: str, capsys
) -> None:
    own_city(store_url)
    assert main(["compare", "--store", store_url, "--area", "SZ-1",
                 "--indicator", "unemployment_rate"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    lines = out.splitlines()
    row_2023 = next(line for line in lines if line.startswith("31.12.2023"))
    assert row_2023.count("keine Angabe (ohne Wert: 1 Stadtteil)") == 2  # rest and city
    assert "Werte aus den Stadtteilen flächengewichtet geschätzt." in out
    assert "Planungsr" not in out
    assert main(["compare", "--store", store_url, "--area", "SZ-2",
                 "--indicator", "unemployed"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("31.12.")]
    assert len(rows) == 2 and all("unterdrückt (weniger als 300 Einwohner)" in r for r in rows)
    assert main(["compare", "--store", store_url, "--area", "SZ-2",
                 "--indicator", "unemployed", "--format", "json"]) == 0  # fmt: skip
    records = json.loads(capsys.readouterr().out)
    assert {r["area_reason"] for r in records} == {"suppressed"}
    assert all(r["area"] is None and r["gap"] is None for r in records)
    assert all(r["city"] is not None for r in records if r["city_reason"] is None)
