"""The demo city: deterministic, plausible, consistent, and writable into the model."""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from pandas.testing import assert_frame_equal
from pyproj import CRS

from data.musterstadt import DERIVED, RECORDS_OF_WORK, build_musterstadt
from data.neighbourhood import INCOME_SOURCES, PROJECT_STATUSES
from data.population import INDICATORS
from data.renewal import REFERENCE_DATE, RENEWAL_ID, SOCIAL_ID, SOURCES, STATUSES
from geo.errors import CRSError
from geo.schema import EDIT_COLUMNS, SCHEMA
from geo.store.base import prepare_for_write
from monitoring.neighbourhood.actors import ACTOR_TYPES

CRS_25832 = CRS.from_epsg(25832)
EDIT = {c.name for c in EDIT_COLUMNS}


@pytest.fixture(scope="module")
def city() -> dict[str, pd.DataFrame]:
    start = time.perf_counter()
    frames = build_musterstadt()
    elapsed = time.perf_counter() - start
    assert elapsed < 10, f"building the demo city took {elapsed:.1f} s"
    return frames


def _level(city: dict[str, pd.DataFrame], level: str) -> gpd.GeoDataFrame:
    areas = city["areas"]
    return areas[areas["level"] == level].reset_index(drop=True)


def _wide(city: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return city["indicator_values"].pivot_table(
        index=["area_id", "period"], columns="indicator", values="value", aggfunc="sum"
    )


def _area_series(city: dict[str, pd.DataFrame], funding_area: str) -> pd.DataFrame:
    geom = city["funding_areas"].set_index("id").geometry[funding_area]
    prs = _level(city, "Planungsraum")
    inside = prs[prs.representative_point().within(geom)]["id"]
    wide = _wide(city)
    return wide[wide.index.get_level_values("area_id").isin(inside)].groupby(level="period").sum()


# --- determinism and shape ---------------------------------------------------------


def test_same_seed_gives_identical_frames(city: dict[str, pd.DataFrame]) -> None:
    again = build_musterstadt()
    assert list(again) == list(city)
    for name, frame in city.items():
        if isinstance(frame, gpd.GeoDataFrame):
            assert_geodataframe_equal(again[name], frame, check_less_precise=False)
        else:
            assert_frame_equal(again[name], frame)


def test_another_seed_gives_another_city(city: dict[str, pd.DataFrame]) -> None:
    other = build_musterstadt(seed=7)
    assert len(other["buildings"]) != len(city["buildings"]) or not other[
        "buildings"
    ].geometry.equals(city["buildings"].geometry)


def test_every_layer_but_the_records_of_work_is_built_and_writable(
    city: dict[str, pd.DataFrame],
) -> None:
    assert set(city) == set(SCHEMA.layers) - RECORDS_OF_WORK - DERIVED
    for name, frame in city.items():
        layer = SCHEMA.layer(name)
        columns = set(frame.columns) - ({"geometry"} if layer.spatial else set())
        assert columns == set(layer.column_names) - EDIT, name
        if layer.spatial:
            assert isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name == "geometry", name
            assert CRS.from_user_input(frame.crs).equals(CRS_25832), name
            assert frame.geometry.notna().all() and frame.geometry.is_valid.all(), name
        ready = prepare_for_write(layer, frame, crs=CRS_25832, user="test")
        assert len(ready) == len(frame)
        key = list(layer.key)
        assert not frame.duplicated(key).any(), f"{name}: duplicated key {key}"


def test_counts_are_in_the_ranges_of_the_issue(city: dict[str, pd.DataFrame]) -> None:
    assert 80 <= len(_level(city, "Planungsraum")) <= 150
    assert 10 <= len(_level(city, "Stadtteil")) <= 15
    assert len(_level(city, "Gemeinde")) == 1
    assert 20_000 <= len(city["buildings"]) <= 40_000
    assert 60 <= len(city["measures"]) <= 150
    assert 25 <= len(city["actors"]) <= 40
    goals = city["goals"].groupby("concept_id").size()
    assert goals.between(6, 10).all()
    concepts = city["concepts"].groupby("funding_area_id").size()
    assert concepts[SOCIAL_ID] == 2 and concepts[RENEWAL_ID] == 1
    assert set(city["measures"].geometry.geom_type) == {"Point", "LineString", "Polygon"}


def test_the_city_has_a_plausible_size_and_place(city: dict[str, pd.DataFrame]) -> None:
    outline = _level(city, "Gemeinde").geometry.iloc[0]
    assert 60e6 <= outline.area <= 90e6
    assert outline.area < 0.97 * shapely.envelope(outline).area  # not a square
    assert 385_000 < outline.centroid.x < 405_000 and 5_690_000 < outline.centroid.y < 5_710_000


def test_other_crs_is_reprojected_and_geographic_is_refused(city: dict[str, pd.DataFrame]) -> None:
    utm33 = build_musterstadt(crs="EPSG:25833")
    assert CRS.from_user_input(utm33["buildings"].crs).to_epsg() == 25833
    back = utm33["areas"].to_crs(25832)
    assert (back.geometry.area - city["areas"].geometry.area).abs().max() < 1.0
    assert_frame_equal(
        utm33["buildings"].drop(columns="geometry"), city["buildings"].drop(columns="geometry")
    )
    with pytest.raises(CRSError, match="geographic"):
        build_musterstadt(crs="EPSG:4326")
    with pytest.raises(CRSError, match="ist kein Koordinatenbezugssystem"):
        build_musterstadt(crs="EPSG:0")


# --- geometry ----------------------------------------------------------------------


def test_planning_areas_tile_the_city_without_gaps_or_overlaps(
    city: dict[str, pd.DataFrame],
) -> None:
    cells = _level(city, "Planungsraum").geometry.values
    outline = _level(city, "Gemeinde").geometry.iloc[0]
    union = shapely.union_all(cells)
    total = shapely.area(cells).sum()
    assert abs(union.area - total) < 1.0  # m² over ~75 km²
    assert shapely.symmetric_difference(union, outline).area < 1.0
    left, right = shapely.STRtree(cells).query(cells, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(cells[left[pairs]], cells[right[pairs]]))
    assert overlap.max() < 1e-3
    assert len(pairs) > 0 and pairs.sum() > len(cells)  # neighbours do touch


def test_districts_are_connected_exact_unions_of_their_planning_areas(
    city: dict[str, pd.DataFrame],
) -> None:
    districts = _level(city, "Stadtteil")
    prs = _level(city, "Planungsraum")
    assert set(prs["parent_id"]) == set(districts["id"])
    assert (districts["parent_id"] == _level(city, "Gemeinde")["id"].iloc[0]).all()
    for district in districts.itertuples():
        children = shapely.union_all(prs[prs["parent_id"] == district.id].geometry.values)
        assert shapely.symmetric_difference(children, district.geometry).area < 1.0, district.id
        assert len(shapely.get_parts(district.geometry)) == 1, f"{district.id} is not connected"
    areas = city["areas"]
    assert (areas["vintage"] == "2020").all()
    assert (areas["valid_from"] == pd.Timestamp(2020, 1, 1)).all()


def test_buildings_lie_inside_the_city_and_are_denser_in_the_centre(
    city: dict[str, pd.DataFrame],
) -> None:
    outline = _level(city, "Gemeinde").geometry.iloc[0]
    buildings = city["buildings"]
    assert buildings.within(outline).all()
    centre = outline.centroid
    dist = buildings.centroid.distance(centre)
    reach = np.sqrt(outline.area / np.pi)
    inner = (dist < 0.3 * reach).sum() / (np.pi * (0.3 * reach) ** 2)
    ring = ((dist >= 0.3 * reach) & (dist < 0.9 * reach)).sum() / (
        np.pi * ((0.9 * reach) ** 2 - (0.3 * reach) ** 2)
    )
    assert buildings.loc[dist < 0.3 * reach, "dwellings"].mean() > buildings["dwellings"].mean()
    assert inner > ring


def test_building_attributes_are_plausible(city: dict[str, pd.DataFrame]) -> None:
    b = city["buildings"]
    assert (b["dwellings"] >= 1).all() and (b["vacant_dwellings"] >= 0).all()
    assert (b["vacant_dwellings"] <= b["dwellings"]).all()
    assert b["year_built"].between(1850, 2024).all() and b["storeys"].between(1, 20).all()
    assert set(b["owner_type"]) == {
        "kommunale Wohnungsgesellschaft",
        "Genossenschaft",
        "privater Eigentümer",
        "sonstiges Unternehmen",
        "öffentliche Hand",
    }
    assert (b["year_built"] < 1919).mean() > 0.05 and (b["year_built"] > 1990).mean() > 0.05
    fa = city["funding_areas"].set_index("id").geometry
    social = b[b.within(fa[SOCIAL_ID])]
    postwar_big = social[(social["year_built"].between(1950, 1985)) & (social["dwellings"] >= 20)]
    municipal = postwar_big["owner_type"] == "kommunale Wohnungsgesellschaft"
    assert len(postwar_big) > 50 and municipal.mean() > 0.4
    renewal = b[b.within(fa[RENEWAL_ID])]
    rate = renewal["vacant_dwellings"].sum() / renewal["dwellings"].sum()
    assert rate > 2 * b["vacant_dwellings"].sum() / b["dwellings"].sum()


def test_measures_lie_inside_their_funding_area(city: dict[str, pd.DataFrame]) -> None:
    fa = city["funding_areas"].set_index("id").geometry
    for m in city["measures"].itertuples():
        assert fa[m.funding_area_id].buffer(0.01).contains(m.geometry), m.id


def test_funding_areas_are_unions_of_planning_areas(city: dict[str, pd.DataFrame]) -> None:
    fa = city["funding_areas"].set_index("id")
    prs = _level(city, "Planungsraum")
    for geom in fa.geometry:
        inside = prs[prs.representative_point().within(geom)]
        assert 3 <= len(inside) <= 8
        assert (
            shapely.symmetric_difference(shapely.union_all(inside.geometry.values), geom).area < 1
        )
    assert fa.loc[SOCIAL_ID, "start_year"] == 2001 and fa.loc[RENEWAL_ID, "start_year"] == 2005
    assert set(fa["programme_id"]) == {"sozialer_zusammenhalt", "wachstum_nachhaltige_erneuerung"}
    assert fa["ags"].str.fullmatch(r"\d{8}").all() and (fa["fund_public_share_max"] == 0.5).all()


# --- statistics --------------------------------------------------------------------


def test_series_cover_every_planning_area_indicator_and_year(city: dict[str, pd.DataFrame]) -> None:
    values = city["indicator_values"]
    prs = _level(city, "Planungsraum")
    assert set(values["indicator"]) == set(INDICATORS)
    assert set(values["area_id"]) == set(prs["id"])
    assert sorted(values["period"].unique()) == [
        pd.Timestamp(year, 12, 31) for year in range(2010, 2025)
    ]
    assert len(values) == len(prs) * len(INDICATORS) * 15
    assert (values["level"] == "Planungsraum").all() and (values["vintage"] == "2020").all()
    assert (values["edition"] == "musterstadt-demo").all()
    assert (values["value"] >= 0).all() and (values["value"] == values["value"].round()).all()


def test_age_groups_sum_to_residents_and_subgroups_fit(city: dict[str, pd.DataFrame]) -> None:
    w = _wide(city)
    assert (
        w["residents_u15"] + w["residents_15_64"] + w["residents_65plus"] == w["residents"]
    ).all()
    assert (w["unemployed"] <= w["residents_15_64"]).all()
    assert (w["sgb2_children_u15"] <= w["residents_u15"]).all()
    assert (w["sgb2_children_u15"] <= w["sgb2_recipients"]).all()
    assert (w["vacant_dwellings"] <= w["dwellings"]).all()
    assert 120_000 < w.xs(pd.Timestamp(2024, 12, 31), level="period")["residents"].sum() < 300_000


def test_latest_dwellings_match_the_buildings(city: dict[str, pd.DataFrame]) -> None:
    prs = _level(city, "Planungsraum")[["id", "geometry"]]
    points = city["buildings"].copy()
    points["geometry"] = points.representative_point()
    joined = gpd.sjoin(points, prs, predicate="within")
    stock = joined.groupby("id_right")[["dwellings", "vacant_dwellings"]].sum()
    latest = _wide(city).xs(pd.Timestamp(2024, 12, 31), level="period")
    stock = stock.reindex(latest.index, fill_value=0)
    assert (stock["dwellings"] == latest["dwellings"]).all()
    assert (stock["vacant_dwellings"] == latest["vacant_dwellings"]).all()


def test_some_planning_areas_are_too_small_to_publish(city: dict[str, pd.DataFrame]) -> None:
    latest = _wide(city).xs(pd.Timestamp(2024, 12, 31), level="period")
    small = (latest["residents"] < 300).sum()
    assert 2 <= small <= 0.15 * len(latest)


def test_trends_social_area_improves_and_renewal_area_shrinks(
    city: dict[str, pd.DataFrame],
) -> None:
    social = _area_series(city, SOCIAL_ID)
    rate = social["unemployed"] / social["residents_15_64"]
    y = pd.Timestamp
    assert rate[y(2024, 12, 31)] < 0.85 * rate[y(2015, 12, 31)]
    city_rate = _wide(city).groupby(level="period").sum().eval("unemployed / residents_15_64")
    assert rate[y(2015, 12, 31)] > 1.5 * city_rate[y(2015, 12, 31)]
    renewal = _area_series(city, RENEWAL_ID)
    vacancy = renewal["vacant_dwellings"] / renewal["dwellings"]
    assert vacancy[y(2024, 12, 31)] < 0.8 * vacancy[y(2010, 12, 31)]
    assert renewal["dwellings"][y(2024, 12, 31)] < renewal["dwellings"][y(2010, 12, 31)]
    assert renewal["residents"][y(2024, 12, 31)] < renewal["residents"][y(2010, 12, 31)]


def test_targets_start_from_the_series(city: dict[str, pd.DataFrame]) -> None:
    targets = city["targets"].merge(city["goals"], left_on="goal_id", right_on="id")
    targets = targets.merge(city["concepts"], left_on="concept_id", right_on="id")
    assert len(targets) >= 5 and set(targets["indicator"]) <= set(INDICATORS)
    assert set(targets["direction"]) == {"decrease", "increase"}
    for t in targets.itertuples():
        series = _area_series(city, t.funding_area_id)
        assert series.loc[t.baseline_period, t.indicator] == t.baseline_value
        assert t.target_period > t.baseline_period
        better = t.target_value < t.baseline_value
        assert better == (t.direction == "decrease")


# --- measures and funding ----------------------------------------------------------


def test_status_agrees_with_dates(city: dict[str, pd.DataFrame]) -> None:
    m = city["measures"]
    today = pd.Timestamp(REFERENCE_DATE)
    assert set(m["status"]) == set(STATUSES)
    assert (m["start_date"] < m["end_date"]).all()
    future = m["status"].isin(["geplant", "bewilligt"])
    assert (m.loc[future, "start_date"] > today).all()
    running = m["status"] == "in Umsetzung"
    assert ((m.loc[running, "start_date"] <= today) & (m.loc[running, "end_date"] > today)).all()
    done = m["status"].isin(["abgeschlossen", "abgerechnet"])
    assert (m.loc[done, "end_date"] <= today).all()
    assert m.loc[done, "cost_actual"].notna().all() and m.loc[~done, "cost_actual"].isna().all()
    miles = city["milestones"]
    reached = miles["done_date"].notna()
    assert (miles.loc[reached, "done_date"] <= today).all()
    assert set(miles["measure_id"]) == set(m["id"])


def test_funding_lines_are_ordered_and_split_in_thirds(city: dict[str, pd.DataFrame]) -> None:
    f = city["funding_lines"]
    assert set(f["source"]) == set(SOURCES)
    assert (f["planned"] >= f["approved"]).all() and (f["approved"] >= f["paid"]).all()
    assert (f.loc[f["programme_year"] >= REFERENCE_DATE.year, "paid"] == 0).all()
    assert f.loc[f["programme_year"] < REFERENCE_DATE.year, "paid"].sum() > 0
    public = f[f["source"].isin(["Bund", "Land", "Gemeinde"])]
    per = public.pivot_table(
        index=["measure_id", "programme_year"], columns="source", values="planned"
    )
    assert (per.max(axis=1) - per.min(axis=1)).max() <= 100.0  # thirds, rounded to 100 €
    status = city["measures"].set_index("id")["status"]
    planned_only = f[f["measure_id"].map(status) == "geplant"]
    assert (planned_only["approved"] == 0).all()
    history = public.assign(
        area=public["measure_id"].map(city["measures"].set_index("id")["funding_area_id"])
    )
    early = history[(history["area"] == SOCIAL_ID) & (history["programme_year"] < 2020)]
    assert set(early["programme_id"]) == {"soziale_stadt"}
    late = history[(history["area"] == RENEWAL_ID) & (history["programme_year"] >= 2020)]
    assert set(late["programme_id"]) == {"wachstum_nachhaltige_erneuerung"}


def test_links_reference_existing_records_and_leave_gaps(city: dict[str, pd.DataFrame]) -> None:
    measures, goals = city["measures"], city["goals"]
    fields = set(city["fields_of_action"]["id"])
    assert set(city["measure_fields"]["field_id"]) <= fields and set(goals["field_id"]) <= fields
    assert set(city["measure_fields"]["measure_id"]) == set(measures["id"])
    links = city["measure_goals"]
    assert set(links["goal_id"]) <= set(goals["id"])
    assert set(links["measure_id"]) <= set(measures["id"])
    assert len(set(goals["id"]) - set(links["goal_id"])) >= 2, "goals without measures"
    assert 1 <= len(set(measures["id"]) - set(links["measure_id"])) <= 5, "measures without goal"
    outputs = city["measure_outputs"]
    assert {
        "gruenflaeche_m2",
        "wohnungen_modernisiert",
        "wohnungen_rueckgebaut",
        "plaetze_einrichtung",
    } <= set(outputs["quantity"])
    assert outputs["unit"].notna().all()
    assert (outputs["actual"].dropna() <= outputs.loc[outputs["actual"].notna(), "planned"]).all()


# --- quarter management ------------------------------------------------------------


def test_actors_have_every_type_and_fictional_contacts(city: dict[str, pd.DataFrame]) -> None:
    actors = city["actors"]
    assert set(actors["type"]) == set(ACTOR_TYPES)
    assert actors["email"].str.endswith("@example.org").all()
    assert actors["phone"].str.startswith("0000 ").all()
    assert actors["address"].str.contains("00000 Musterstadt").all()
    assert not actors["name"].duplicated().any()
    assert set(city["bodies"]["kind"]) == {"Quartiersrat", "Aktionsfonds-Jury"}


def test_projects_and_participation(city: dict[str, pd.DataFrame]) -> None:
    projects, part = city["projects"], city["participation"]
    assert set(projects["status"]) == set(PROJECT_STATUSES)
    funded = projects["status"].isin(["bewilligt", "laufend", "abgeschlossen"])
    assert projects.loc[funded, "fund_id"].isin(city["local_funds"]["id"]).all()
    assert projects.loc[~funded, "fund_id"].isna().all()
    assert set(part["actor_id"]) <= set(city["actors"]["id"])
    targets = {"project": set(projects["id"]), "body": set(city["bodies"]["id"])}
    for row in part.itertuples():
        assert row.target_id in targets[row.target_kind]
    assert set(projects["id"]) <= set(part.loc[part["target_kind"] == "project", "target_id"])


def test_local_funds_follow_the_rules(city: dict[str, pd.DataFrame]) -> None:
    income, decisions = city["fund_income"], city["fund_decisions"]
    assert len(city["local_funds"]) >= 3 and set(income["source"]) == set(INCOME_SOURCES)
    by_fund = income.pivot_table(index="fund_id", columns="source", values="amount", aggfunc="sum")
    share = by_fund["Städtebauförderung"] / by_fund.sum(axis=1)
    assert share.between(0.4, 0.5).all()
    assert set(decisions["financed_from"]) == {"Städtebauförderung", "privat"}
    public = decisions[decisions["financed_from"] == "Städtebauförderung"]
    assert public["investive"].all()
    spent = decisions.pivot_table(
        index="fund_id", columns="financed_from", values="amount", aggfunc="sum"
    )
    private_income = by_fund.drop(columns="Städtebauförderung").sum(axis=1)
    assert (spent["Städtebauförderung"].fillna(0) <= by_fund["Städtebauförderung"]).all()
    assert (spent["privat"].fillna(0) <= private_income.reindex(spent.index)).all()
    assert set(decisions["body_id"]) == set(city["bodies"]["id"])
    assert set(decisions["project_id"].dropna()) <= set(city["projects"]["id"])


def test_activities_lie_in_the_area_with_partners(city: dict[str, pd.DataFrame]) -> None:
    acts = city["activities"]
    area = city["funding_areas"].set_index("id").geometry[SOCIAL_ID]
    assert acts.within(area).all() and (acts["participants"] > 0).all()
    assert (acts["date"] <= pd.Timestamp(REFERENCE_DATE)).all()
    partners = city["activity_partners"]
    assert set(partners["activity_id"]) == set(acts["id"])
    assert set(partners["actor_id"]) <= set(city["actors"]["id"])
