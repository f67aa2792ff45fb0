"""The national set on the real VG5000 2021: deterministic, inside its municipalities, counts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from data.national import (
    LAENDER,
    build_national,
    national_frames,
    read_boundaries,
    select_municipalities,
)
from geo.store import open_store
from monitoring.auth import User
from monitoring.errors import PermissionDenied, RuleViolation

ADMIN = User("bund", "admin")


@pytest.fixture(scope="module")
def vg5000(real_data: Path) -> Path:
    return real_data / "germany_vg5000_2021"


@pytest.fixture(scope="module")
def boundaries(vg5000: Path):  # type: ignore[no-untyped-def]
    return read_boundaries(vg5000)


@pytest.fixture(scope="module")
def raw(vg5000: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The VG5000 attribute tables as read by geopandas, for the counts to check against."""
    import pyogrio

    gem = pyogrio.read_dataframe(vg5000 / "VG5000_GEM.shp", read_geometry=False)
    krs = pyogrio.read_dataframe(vg5000 / "VG5000_KRS.shp", read_geometry=False)
    return gem, krs


def test_same_seed_same_set_other_seed_other_set(boundaries) -> None:  # type: ignore[no-untyped-def]
    a = national_frames(boundaries, seed=3, n_funding_areas=80, municipalities="10")
    b = national_frames(boundaries, seed=3, n_funding_areas=80, municipalities="10")
    c = national_frames(boundaries, seed=4, n_funding_areas=80, municipalities="10")
    for layer in ("funding_areas", "measures"):
        assert list(a[layer]["id"]) == list(b[layer]["id"])
        assert (
            shapely.to_wkb(a[layer].geometry.values).tolist()
            == shapely.to_wkb(b[layer].geometry.values).tolist()
        )
    pd.testing.assert_frame_equal(a["funding_lines"], b["funding_lines"])
    assert list(a["funding_areas"]["id"]) != list(c["funding_areas"]["id"]) or not np.array_equal(
        shapely.to_wkb(a["funding_areas"].geometry.values),
        shapely.to_wkb(c["funding_areas"].geometry.values),
    )


def test_funding_areas_lie_in_their_municipality_with_a_valid_ags(boundaries) -> None:  # type: ignore[no-untyped-def]
    frames = national_frames(boundaries, seed=1, n_funding_areas=400, municipalities="01")
    fa = frames["funding_areas"]
    gem = frames["areas"].query("level == 'Gemeinde'").set_index("id")
    assert len(fa) == 400 and fa["id"].is_unique
    assert fa["ags"].str.fullmatch(r"\d{8}").all()
    assert fa["ags"].isin(gem.index).all()
    assert all(i.startswith(f"GM-{a}-") for i, a in zip(fa["id"], fa["ags"]))
    home = gem.geometry.loc[fa["ags"]].to_numpy()
    geoms = fa.geometry.to_numpy()
    assert not shapely.is_empty(geoms).any() and shapely.is_valid(geoms).all()
    assert shapely.covered_by(geoms, shapely.buffer(home, 0.01)).all()
    # each lies in no other municipality (beyond its border)
    owner = gem.sindex.query(shapely.point_on_surface(geoms), predicate="within")
    assert (gem.index.to_numpy()[owner[1]] == fa["ags"].to_numpy()[owner[0]]).all()
    assert set(fa["programme_id"]) <= {
        "sozialer_zusammenhalt",
        "wachstum_nachhaltige_erneuerung",
        "lebendige_zentren",
    }
    assert (fa["expected_end"] > fa["start_year"]).all()
    # measures and their funding lines: a third each of Bund, Land, Gemeinde per year
    lines = frames["funding_lines"]
    assert set(frames["measures"]["funding_area_id"]) == set(fa["id"])
    assert set(lines["programme_year"]) == {2023, 2024}
    shares = lines.groupby(["measure_id", "programme_year"])["planned"].nunique()
    assert (shares == 1).all()


@pytest.mark.parametrize("prefix", ["01", "10"])
def test_counts_per_level_match_vg5000(boundaries, raw, prefix: str) -> None:  # type: ignore[no-untyped-def]
    gem, krs = raw
    areas = national_frames(boundaries, n_funding_areas=10, municipalities=prefix)["areas"]
    counts = areas["level"].value_counts().to_dict()
    assert counts == {
        "Land": 1,
        "Kreis": int(krs["AGS"].str.startswith(prefix).sum()),
        "Gemeinde": int(gem["AGS"].str.startswith(prefix).sum()),
    }
    land = areas.query("level == 'Land'").iloc[0]
    assert (land["id"], land["name"]) == (prefix, LAENDER[prefix])
    kreise = areas.query("level == 'Kreis'")
    # the Land is the union of its Kreise (same area to a square metre per km²)
    assert land.geometry.area == pytest.approx(kreise.geometry.area.sum(), rel=1e-6)
    gemeinden = areas.query("level == 'Gemeinde'")
    assert set(gemeinden["parent_id"]) == set(kreise["id"])
    assert set(kreise["parent_id"]) == {prefix}


def test_the_whole_country_and_its_spread(boundaries) -> None:  # type: ignore[no-untyped-def]
    frames = national_frames(boundaries, n_funding_areas=10_000)
    counts = frames["areas"]["level"].value_counts().to_dict()
    assert counts == {"Land": 16, "Kreis": 401, "Gemeinde": 10_997}
    assert frames["areas"].geometry.is_valid.all()  # the three invalid ones repaired
    assert frames["areas"]["id"].is_unique
    fa = frames["funding_areas"]
    assert len(fa) == 10_000
    funded = fa["ags"].nunique()
    assert 3_700 <= funded <= 4_100
    # weighted towards larger ones: towns get more per municipality than villages
    gem = boundaries.municipalities.set_index("AGS")
    per = fa["ags"].value_counts()
    town = gem.loc[per.index, "BEZ"].str.contains("Stadt")
    assert per[town.to_numpy()].mean() > per[~town.to_numpy()].mean()
    assert not fa["ags"].isin(gem.index[gem["BEZ"] == "Gemeindefreies Gebiet"]).any()


def test_a_first_n_subset_and_bad_choices(boundaries) -> None:  # type: ignore[no-untyped-def]
    chosen = select_municipalities(boundaries.municipalities, 250)
    assert len(chosen) == 250 and chosen["AGS"].is_monotonic_increasing
    areas = national_frames(boundaries, n_funding_areas=5, municipalities=250)["areas"]
    assert (areas["level"] == "Kreis").sum() == chosen["AGS"].str[:5].nunique()
    for bad in (0, "x1", True):
        with pytest.raises(RuleViolation, match="Auswahl der Gemeinden"):
            select_municipalities(boundaries.municipalities, bad)
    with pytest.raises(RuleViolation, match="„99“"):
        select_municipalities(boundaries.municipalities, "99")
    with pytest.raises(RuleViolation, match="Gesamtmaßnahmen -1"):
        national_frames(boundaries, n_funding_areas=-1, municipalities="10")


def test_build_writes_through_the_change_set_and_refuses_a_viewer(
    store_url: str, vg5000: Path
) -> None:
    store = open_store(store_url)
    store.init(crs="EPSG:25832")
    before = store.counts()
    with pytest.raises(PermissionDenied):
        build_national(
            store, User("gast", "viewer"), municipalities="10", n_funding_areas=5, source=vg5000
        )
    assert store.counts() == before
    written = build_national(store, ADMIN, municipalities="10", n_funding_areas=30, source=vg5000)
    assert written["funding_areas"] == 30 and written["areas"] == 1 + 6 + 52
    assert len(store.read("funding_areas")) == 30
    areas = store.read("areas", columns=["id", "level"])
    assert areas["level"].value_counts().to_dict() == {"Gemeinde": 52, "Kreis": 6, "Land": 1}
    audit = store.read("audit_log")
    assert list(audit["user_name"]) == ["bund"] and list(audit["action"]) == ["import"]
    # a second build replaces, it does not add
    build_national(store, ADMIN, municipalities="10", n_funding_areas=30, source=vg5000)
    assert len(store.read("funding_areas")) == 30
    assert len(store.read("areas", columns=["id"])) == 59
    store.close()


def test_missing_source_is_named(tmp_path: Path) -> None:
    with pytest.raises(RuleViolation, match="VG5000_GEM.shp"):
        read_boundaries(tmp_path)
