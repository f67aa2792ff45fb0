"""The social index engine: profiles, properties, and Berlin MSS 2021 reproduced."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli.main import main
from indicators.errors import FrameError, IndicatorError, ProfileError, TableReadError
from indicators.social_index import (
    class_counts,
    classify,
    compute_index,
    load_profile,
    profile_names,
    standardise,
)
from indicators.tables import numeric_columns, read_id_list, read_table

BERLIN = load_profile("berlin-mss-2021")
MSS_COLUMNS = ["EW", "S1", "S3", "S4", "D1", "D3", "D4"]


def test_shipped_profiles_load() -> None:
    assert {"berlin-mss-2021", "berlin-mss-2017", "hamburg-rise", "muenster"} <= set(
        profile_names()
    )
    assert [i.column for i in load_profile("berlin-mss-2017").status] == ["S1", "S2", "S3", "S4"]
    hamburg = load_profile("hamburg-rise")
    assert len(hamburg.status) == 7 and hamburg.dynamics_window_years == 3
    assert hamburg.status[-1].sign == -1.0  # Abitur: higher is better
    muenster = load_profile("muenster")
    assert muenster.aggregation == "mean" and not muenster.dynamics


def test_profile_errors(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="mitgeliefert sind: berlin-mss-2017"):
        load_profile("berlin-mss-1999")
    with pytest.raises(ProfileError, match="gibt es nicht"):
        load_profile(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text(BERLIN_TOML.replace('aggregation = "sum_then_z"', 'aggregation = "median"'))
    with pytest.raises(ProfileError, match="aggregation = 'median' ist nicht möglich"):
        load_profile(bad)
    bad.write_text(BERLIN_TOML.replace("below = 1.5", "below = 0.5"))
    with pytest.raises(ProfileError, match="müssen streng steigen"):
        load_profile(bad)


BERLIN_TOML = (
    Path(__file__).resolve().parents[2] / "indicators/profiles/berlin-mss-2021.toml"
).read_text()


def test_profile_from_file_with_other_columns(tmp_path: Path) -> None:
    """An edition with two status indicators needs a file, not code."""
    text = BERLIN_TOML.replace('[[status]]\ncolumn = "S4"', '[[unused]]\ncolumn = "S4"')
    text = (
        text.split("[[unused]]")[0] + "[[status_classes]]" + text.split("[[status_classes]]", 1)[1]
    )
    path = tmp_path / "two.toml"
    path.write_text(text)
    profile = load_profile(path)
    assert [i.column for i in profile.status] == ["S1", "S3"]
    table = pd.DataFrame(
        {"id": ["a", "b", "c"], "EW": [500, 600, 700], "S1": [1, 2, 3], "S3": [3, 1, 2],
         "D1": [0, 1, 2], "D3": [1, 1, 0], "D4": [0, 0, 1]}
    )  # fmt: skip
    result = compute_index(table, profile, id_column="id", population_column="EW")
    assert result["valid"].all()


def test_standardise_and_refusals() -> None:
    assert standardise(pd.Series([2.0, 4.0]), ddof=0).tolist() == [-1.0, 1.0]
    with pytest.raises(ProfileError, match="lässt sich nicht standardisieren"):
        standardise(pd.Series([3.0, 3.0, 3.0]), name="S1")
    table = pd.DataFrame({"id": ["a"], "EW": [500], "S1": [1.0]})
    with pytest.raises(FrameError, match="fehlen die Spalte"):
        compute_index(table, BERLIN, id_column="id", population_column="EW")
    with pytest.raises(ProfileError, match="3 Status-Indikator"):
        compute_index(table, BERLIN, id_column="id", population_column="EW", status_columns=["S1"])
    dup = pd.DataFrame({"id": ["a", "a"], "EW": [1, 1]} | {c: [1, 2] for c in MSS_COLUMNS[1:]})
    with pytest.raises(FrameError, match="wiederholt die ID"):
        compute_index(dup, BERLIN, id_column="id", population_column="EW")
    text = pd.DataFrame({"id": ["a", "b"], "EW": ["x", 400]} | {c: [1, 2] for c in MSS_COLUMNS[1:]})
    with pytest.raises(FrameError, match="Zeile 1 den Wert 'x'"):
        compute_index(text, BERLIN, id_column="id", population_column="EW")


def test_direction_and_mean_aggregation() -> None:
    table = pd.DataFrame(
        {"id": list("abcd"), "EW": [1000] * 4, "arbeitslose": [1.0, 2.0, 3.0, 10.0],
         "sgb2": [2.0, 1.0, 3.0, 9.0], "kinderarmut": [5.0, 6.0, 4.0, 30.0]}
    )  # fmt: skip
    result = compute_index(
        table, load_profile("muenster"), id_column="id", population_column="EW", details=True
    )
    expected = (
        standardise(table["arbeitslose"], ddof=1)
        + standardise(table["sgb2"], ddof=1)
        + standardise(table["kinderarmut"], ddof=1)
    ) / 3
    np.testing.assert_allclose(result["status_score"], expected)
    assert result["status_class"].tolist()[-1] == 4
    assert result["dynamics_class"].isna().all()
    assert result["index_code"].tolist() == result["status_class"].tolist()


scores = st.lists(st.floats(min_value=-5, max_value=5, allow_nan=False), min_size=1, max_size=40)


@given(scores)
def test_classes_are_monotone_in_the_score(values: list[float]) -> None:
    series = pd.Series(sorted(values))
    for classes in (BERLIN.status_classes, BERLIN.dynamics_classes):
        codes, _ = classify(series, classes)
        assert codes.is_monotonic_increasing


rows = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5000),
        # published indicators have two decimals: percentages and percentage points
        *[st.integers(min_value=0, max_value=6000).map(lambda v: v / 100) for _ in range(3)],
        *[st.integers(min_value=-1000, max_value=1000).map(lambda v: v / 100) for _ in range(3)],
    ),
    min_size=4,
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(rows, st.randoms(use_true_random=False))
def test_index_is_invariant_to_row_order(data, rnd) -> None:
    table = pd.DataFrame(data, columns=MSS_COLUMNS)
    table.insert(0, "id", [f"{i:08d}" for i in range(len(table))])
    try:
        first = compute_index(table, BERLIN, id_column="id", population_column="EW")
    except ProfileError:
        return  # too few valid areas that differ: refused, fine
    order = list(table.index)
    rnd.shuffle(order)
    second = compute_index(table.loc[order], BERLIN, id_column="id", population_column="EW")
    assert list(second.index) == order  # results keep the input's index
    second = second.loc[first.index]
    for part, bounds in (("status", (-1.0, 1.0, 1.5)), ("dynamics", (-1.0, 1.0))):
        a, b = first[f"{part}_score"], second[f"{part}_score"]
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)
        # summing in another order may move a score by 1e-16; only a score on a bound
        # could change class through that
        clear = a.isna() | (np.abs(a.to_numpy()[:, None] - np.array(bounds)) > 1e-9).all(axis=1)
        assert (
            first.loc[clear, f"{part}_class"].fillna(0)
            == second.loc[clear, f"{part}_class"].fillna(0)
        ).all()
    assert first["valid"].equals(second["valid"]) and first["id"].equals(second["id"])
    valid = first[first["valid"]]
    by_score = valid.sort_values("status_score")
    assert by_score["status_class"].is_monotonic_increasing


# --- Berlin MSS 2021 on the real data -----------------------------------------------


@pytest.fixture(scope="module")
def mss_table(real_data: Path) -> pd.DataFrame:
    table, decimal = read_table(real_data / "berlin_mss_2021" / "mss_2021_index_indikatoren.csv")
    grades = [c for c in table.columns if c.endswith("_SD_GR")]
    return numeric_columns(table, MSS_COLUMNS + grades, decimal=decimal)


def test_berlin_mss_2021_class_counts(mss_table: pd.DataFrame) -> None:
    result = compute_index(
        mss_table, BERLIN, id_column="PLR_ID", population_column="EW", na_values=[-9999]
    )
    counts = class_counts(result)
    assert counts["status"] == {"hoch": 75, "mittel": 366, "niedrig": 46, "sehr niedrig": 49}
    assert counts["dynamics"] == {"positiv": 48, "stabil": 436, "negativ": 52}
    assert counts["unassigned"] == {"": 6}
    invalid = set(mss_table.loc[mss_table["KOM"] != "gültig", "PLR_ID"])
    assert set(result.loc[~result["valid"], "id"]) == invalid
    assert (result["index_code"] == 10 * result["status_class"] + result["dynamics_class"]).all()
    # the sample SD gives the same class for every area in 2021
    sample = compute_index(
        mss_table, replace(BERLIN, sd="sample"), id_column="PLR_ID", population_column="EW",
        na_values=[-9999],
    )  # fmt: skip
    assert (sample["status_class"] == result["status_class"]).fillna(True).all()
    assert (sample["dynamics_class"] == result["dynamics_class"]).fillna(True).all()


def test_berlin_mss_2021_published_indicator_classes_per_area(mss_table: pd.DataFrame) -> None:
    """Berlin publishes a class per indicator (S*_SD_GR, D*_SD_GR); compare every area."""
    result = compute_index(
        mss_table, BERLIN, id_column="PLR_ID", population_column="EW", na_values=[-9999],
        details=True,
    )  # fmt: skip
    valid = result["valid"]
    for col in ("S1", "S3", "S4"):
        codes, _ = classify(result.loc[valid, f"z_{col}"], BERLIN.status_classes)
        published = mss_table.loc[valid, f"{col}_SD_GR"].astype(int)
        assert (codes == published).all(), col  # all 536 areas, every status indicator
    mismatches = {}
    for col in ("D1", "D3", "D4"):
        codes, _ = classify(result.loc[valid, f"z_{col}"], BERLIN.dynamics_classes)
        published = mss_table.loc[valid, f"{col}_SD_GR"].astype(int).map({1: 1, 2: 3, 3: 5})
        bad = codes != published
        mismatches[col] = (
            result.loc[valid & bad.reindex(result.index, fill_value=False), "id"].tolist(),
            result.loc[bad[bad].index, f"z_{col}"].round(4).tolist(),
        )
    # two published dynamics classes sit on the other side of the ±1 bound than the
    # published values give (|z| within 0.005 of it): Berlin classified unrounded data
    assert mismatches == {
        "D1": (["11501339"], [-0.9957]),
        "D3": (["10300734"], [1.0008]),
        "D4": ([], []),
    }


def test_cli_compute_from_file(real_data: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "result.csv"
    source = real_data / "berlin_mss_2021" / "mss_2021_index_indikatoren.csv"
    code = main(
        ["index", "compute", str(source), "--profile", "berlin-mss-2021", "--id", "PLR_ID",
         "--population", "EW", "--status", "S1,S3,S4", "--dynamics", "D1,D3,D4",
         "--na", "-9999", "--exclude", "10100205", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    result = pd.read_csv(out, dtype={"id": str})
    assert list(result.columns) == [
        "id", "status_score", "status_class", "status_label", "dynamics_score",
        "dynamics_class", "dynamics_label", "index_code", "valid", "reason",
    ]  # fmt: skip
    assert len(result) == 542 and result["id"].iloc[0] == "01100101"
    assert result["status_label"].value_counts().to_dict() == {
        "mittel": 366, "hoch": 75, "sehr niedrig": 49, "niedrig": 46,
    }  # fmt: skip
    row = result.set_index("id").loc["10100205"]
    assert row["reason"] == "excluded (flagged as outlier)" and not row["valid"]
    assert "fewer than 300 residents" in set(result["reason"].dropna())
    assert "hoch 75 / mittel 366 / niedrig 46 / sehr niedrig 49" in capsys.readouterr().err


def test_cli_reads_semicolons_and_decimal_commas(tmp_path: Path, capsys) -> None:
    table = tmp_path / "de.csv"
    table.write_text(
        "Gebiet;Einw;S1;S3;S4;D1;D3;D4\n"
        "0001;1.200;4,5;10,1;20,0;0,1;-0,2;1,0\n"
        "0002;800;2,5;5,0;10,0;-0,5;0,2;0,0\n"
        "0003;950;9,5;20,2;40,5;0,9;0,7;2,0\n"
        "0004;120;1,0;1,0;1,0;0,0;0,0;0,0\n",
        encoding="cp1252",
    )
    ids = tmp_path / "ids.txt"
    ids.write_text("# flagged\n0002\n")
    code = main(
        ["index", "compute", str(table), "--profile", "berlin-mss-2021", "--id", "Gebiet",
         "--population", "Einw", "--exclude", f"@{ids}"]
    )  # fmt: skip
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("0001,") and lines[4].endswith("False,fewer than 300 residents")
    assert lines[2].endswith("False,excluded (flagged as outlier)")
    bad = tmp_path / "bad.csv"
    bad.write_text("id;EW;S1;S3;S4;D1;D3;D4\n1;1.000;x;1;1;1;1;1\n")
    assert main(["index", "compute", str(bad), "--profile", "berlin-mss-2021", "--id", "id",
                 "--population", "EW"]) == 2  # fmt: skip
    assert "die Spalte 'S1' enthält in Zeile 1 den Wert 'x', keine Zahl" in capsys.readouterr().err


def test_table_reader_errors(tmp_path: Path) -> None:
    with pytest.raises(TableReadError, match="gibt es nicht"):
        read_table(tmp_path / "none.csv")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a;b\n1;2;3\n")
    with pytest.raises(TableReadError, match="Zeile 2: 3 Zellen"):
        read_table(ragged)
    assert read_id_list("a, b,,c") == ["a", "b", "c"]
    with pytest.raises(IndicatorError, match="ID-Liste"):
        read_id_list("@/nonexistent")


def test_every_profile_indicator_is_a_registry_key() -> None:
    """So that every shipped profile can also run on stored values."""
    from indicators.registry import load_registry

    registry = load_registry()
    for name in profile_names():
        profile = load_profile(name)
        for item in profile.status:
            assert item.indicator in registry, (name, item.column)
        for item in profile.dynamics:
            assert (item.indicator or item.change_of) in registry, (name, item.column)
