"""Dry runs: every check of the real import, the same result or refusal, nothing written.

Each use case is run dry on a store that already holds data (both backends), and the
store's bytes (the GeoPackage file, ``pg_dump`` of the PostGIS schema) must be
identical afterwards. The same call without ``dry_run`` must then return the same
result and change those bytes, so the comparison is shown to see a write.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely

from cli.main import main
from geo.errors import GeoError, ImportRefused
from geo.store import Store
from monitoring.imports import ImportResult
from tests.imports._util import (
    assert_unchanged,
    boxes,
    import_areas,
    import_buildings,
    import_funding_areas,
    import_indicators,
    import_measures,
    snapshot,
    store_bytes,
)

Call = tuple[Callable[..., ImportResult], Path, dict[str, Any]]


def dry_then_real(store: Store, call: Call) -> tuple[ImportResult, ImportResult]:
    """Run ``call`` dry (store must stay byte-identical), then for real (store changes)."""
    use_case, source, options = call
    before = snapshot(store)
    raw = store_bytes(store)
    steps: list[str] = []
    dry = use_case(store, source, dry_run=True, progress=lambda f, m: steps.append(m), **options)
    assert store_bytes(store) == raw, "the dry run changed the store"
    assert_unchanged(before, store)
    assert dry.dry_run and "Zeilen würden in" in dry.summary()
    assert any("Probelauf" in m for m in steps), steps  # the writes ran, then rolled back
    real = use_case(store, source, **options)
    assert not real.dry_run
    assert dataclasses.replace(dry, dry_run=False) == real
    assert store_bytes(store) != raw, "the real import wrote nothing: the check is blind"
    return dry, real


def bowtie_areas(tmp_path: Path) -> Call:
    """Three new BZR areas, one with a self-intersection that the import repairs."""
    frame = boxes(["B1", "B2", "B3"])
    frame.loc[1, "geometry"] = shapely.Polygon(
        [(391000, 5819000), (392000, 5820000), (392000, 5819000), (391000, 5820000)]
    )
    frame.to_file(tmp_path / "bzr.gpkg")
    options = {"level": "BZR", "id_col": "PLR_ID", "name_col": "PLR_NAME", "valid_from": "2023"}
    return import_areas, tmp_path / "bzr.gpkg", options


def test_areas(store: Store, tmp_path: Path) -> None:
    dry, _ = dry_then_real(store, bowtie_areas(tmp_path))
    assert dry.rows == 3 and dry.layer == "areas"
    assert dry.details == {"level": "BZR", "vintage": "2023"}
    repaired = "1 ungültige Geometrie mit make_valid repariert"
    assert any(repaired in n and "B2" in n for n in dry.notes)
    assert len(store.read("areas", where={"level": "BZR"})) == 3


def test_funding_areas(store: Store, tmp_path: Path) -> None:
    frame = boxes(["QM02", "QM03"]).rename(columns={"PLR_ID": "id", "PLR_NAME": "name"})
    frame["ha"] = ["100", "150"]  # the second states 50 % more than its polygon has
    frame.to_file(tmp_path / "fa.geojson")
    options = {"id_col": "id", "name_col": "name", "programme": "lebendige_zentren"}
    dry, _ = dry_then_real(
        store, (import_funding_areas, tmp_path / "fa.geojson", options | {"area_col": "ha"})
    )
    assert dry.rows == 2
    assert dry.details == {"programme": "lebendige_zentren", "new": 2, "changed": 0, "unchanged": 0}
    assert any("(ID QM03): die Spalte „ha“ nennt 150,0 ha" in n for n in dry.notes)
    assert sorted(store.read("funding_areas")["id"]) == ["QM01", "QM02", "QM03"]


def test_indicators_choose_level_and_vintage(store: Store, tmp_path: Path) -> None:
    csv = tmp_path / "werte.csv"
    csv.write_text(
        "PLR_ID;EW;S1\n01100101;1.700;4,5\n01100102;-9999;5,0\n01100103;1.001;0,5\n",
        encoding="cp1252",
    )
    options = {
        "id_col": "PLR_ID",
        "period": "31.12.2021",
        "columns": ["EW", "S1"],
        "rename": {"EW": "residents"},
        "na": ["-9999"],
    }
    dry, _ = dry_then_real(store, (import_indicators, csv, options))
    assert dry.rows == 6
    assert dry.details == {
        "level": "PLR",
        "vintage": "2021",
        "edition": "werte",
        "missing": 1,
        "indicators": 2,
    }
    assert any("Dezimalzeichen ','" in n for n in dry.notes), dry.notes
    stored = store.read("indicator_values", where={"period": "2021-12-31"})
    assert sorted(stored["value"].dropna()) == [0.5, 4.5, 5.0, 1001.0, 1700.0]


def test_measures_from_a_table(store: Store, tmp_path: Path) -> None:
    csv = tmp_path / "massnahmen.csv"
    csv.write_text(
        "id;titel;status;x;y;kosten\n"
        "M1;Spielplatz;geplant;390500,5;5819500,25;12.500,50\n"
        "M2;Bank <b>;bewilligt;391500;5819500;\n",
        encoding="utf-8",
    )
    options = {
        "id_col": "id",
        "title_col": "titel",
        "funding_area": "QM01",
        "status_col": "status",
        "x_col": "x",
        "y_col": "y",
        "cost_estimate_col": "kosten",
        "crs": "EPSG:25833",
    }
    dry, _ = dry_then_real(store, (import_measures, csv, options))
    assert dry.rows == 2 and dry.layer == "measures"
    stored = store.read("measures").set_index("id")
    assert stored.loc["M1", "cost_estimate"] == 12500.5
    assert stored.geometry.x["M1"] == 390500.5


def test_buildings(store: Store, tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"oid": ["G1", "G2"], "we": [12, 3], "leer": [1, 0]},
        geometry=[shapely.Point(390100, 5819100), shapely.Point(390200, 5819200)],
        crs=25833,
    ).to_crs(4326)
    frame.to_file(tmp_path / "haeuser.geojson")
    options = {"id_col": "oid", "dwellings_col": "we", "vacant_col": "leer"}
    dry, _ = dry_then_real(store, (import_buildings, tmp_path / "haeuser.geojson", options))
    assert dry.rows == 2 and dry.layer == "buildings"
    stored = store.read("buildings").set_index("id")
    assert gpd.GeoDataFrame(stored).distance(shapely.Point(390100, 5819100))["G1"] < 0.01


# --- refusals: the same problems as the real import, the checks against stored data too --


def refusals(tmp_path: Path) -> dict[str, Call]:
    """Imports that break only against what the store holds (plus one broken cell)."""
    csv = tmp_path / "werte.csv"
    csv.write_text("PLR_ID;S1\n01100101;4,5\n0110O102;k.A.\n", encoding="utf-8")
    measures = tmp_path / "m.csv"
    measures.write_text("id;title;x;y\nM1;Bank;390500;5819500\n", encoding="utf-8")
    fa = boxes(["QM09"]).rename(columns={"PLR_ID": "id", "PLR_NAME": "name"})
    fa.to_file(tmp_path / "fa.geojson")
    return {
        "indicators": (
            import_indicators,
            csv,
            {"id_col": "PLR_ID", "period": "2021", "columns": ["S1"]},
        ),
        "measures": (
            import_measures,
            measures,
            {
                "id_col": "id",
                "title_col": "title",
                "funding_area": "QM10",
                "x_col": "x",
                "y_col": "y",
                "crs": "EPSG:25833",
            },
        ),
        "funding_areas": (
            import_funding_areas,
            tmp_path / "fa.geojson",
            {"id_col": "id", "name_col": "name", "programme": "soziale_stadtt"},
        ),
    }


# what follows "die ID ist nicht unter den" is worded by each import (monitoring/imports)
EXPECTED = {
    "indicators": ["ist keine Zahl", "gespeicherten Gebieten der Ebene"],
    "measures": ["gespeicherten Gesamtmaßnahmen"],
    "funding_areas": ["gespeicherten Programmen"],
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_refused_dry_run_lists_every_problem(store: Store, tmp_path: Path, case: str) -> None:
    use_case, source, options = refusals(tmp_path)[case]
    raw = store_bytes(store)
    with pytest.raises(ImportRefused) as dry:
        use_case(store, source, dry_run=True, **options)
    assert store_bytes(store) == raw
    with pytest.raises(ImportRefused) as real:
        use_case(store, source, **options)
    assert dry.value.problems == real.value.problems
    messages = [p.message for p in dry.value.problems]
    for expected in EXPECTED[case]:
        assert any(expected in m for m in messages), messages
    assert store_bytes(store) == raw


def test_dry_run_reaches_the_store_checks(store: Store, tmp_path: Path) -> None:
    """A value only the store refuses (a NUL byte in a title) fails the dry run too."""
    frame = gpd.GeoDataFrame(
        {"id": ["M1"], "title": ["Bank\x00Platz"]},
        geometry=[shapely.Point(390500, 5819500)],
        crs=25833,
    )
    from geo.readers import Table

    table = Table(frame, "m.geojson", "feature", crs=frame.crs)
    raw = store_bytes(store)
    with pytest.raises(GeoError, match="nicht als Text speichern"):
        import_measures(
            store, table, id_col="id", title_col="title", funding_area="QM01", dry_run=True
        )
    assert store_bytes(store) == raw


# --- the command line ------------------------------------------------------------------


def test_cli_dry_run(store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    boxes().to_file(tmp_path / "plr.shp")
    args = ["import", "areas", str(tmp_path / "plr.shp"), "--store", store.url]
    args += ["--level", "BZR", "--id", "PLR_ID", "--valid-from", "2021-01-01"]
    raw = store_bytes(store)
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert (
        "plr.shp: 3 Zeilen würden in Gebiete gespeichert (Ebene BZR, Gebietsstand 2021, Probelauf"
        in out
    )
    assert store_bytes(store) == raw
    assert main(args) == 0
    assert "3 Zeilen in Gebiete gespeichert" in capsys.readouterr().out
    assert store_bytes(store) != raw
    bad = tmp_path / "v.csv"
    bad.write_text("PLR_ID;S1\n01100199;4,5\n", encoding="utf-8")
    raw = store_bytes(store)
    code = main(
        ["import", "indicators", str(bad), "--store", store.url, "--id", "PLR_ID"]
        + ["--period", "2021", "--columns", "S1", "--level", "PLR", "--dry-run"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "'01100199'" in err and "Traceback" not in err
    assert store_bytes(store) == raw
