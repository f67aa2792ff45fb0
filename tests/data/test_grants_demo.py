"""The demo city's grant procedure: cost groups, revenues, notices, drawdowns, KuF versions."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from data.grants import LAPSE_IN, PROOF_DUE_IN
from data.musterstadt import build_musterstadt, summary
from data.renewal import AGS, REFERENCE_DATE, RENEWAL_ID, SOCIAL_ID
from monitoring.grants.cost_groups import UNASSIGNED, catalogue_for, load_cost_catalogue
from monitoring.grants.kuf import compute_kuf, kuf_from_dict
from monitoring.grants.notices import check_drawdown, check_notice, deadlines

GRANT_LAYERS = (
    "revenues",
    "kuf_versions",
    "grant_applications",
    "grant_notices",
    "notice_measures",
    "drawdowns",
)


@pytest.fixture(scope="module")
def city() -> dict[str, pd.DataFrame]:
    return build_musterstadt()


def test_counts(city: dict[str, pd.DataFrame]) -> None:
    counts = summary(city)
    assert 6 <= counts["grant_notices"] <= 10
    assert counts["grant_applications"] == counts["grant_notices"]
    assert counts["kuf_versions"] == 2  # the latest programme year of each area
    assert counts["notice_measures"] >= counts["grant_notices"]
    assert counts["drawdowns"] >= 2 * counts["grant_notices"]
    assert set(city["grant_notices"]["funding_area_id"]) == {SOCIAL_ID, RENEWAL_ID}


def test_every_measure_has_a_known_cost_group(city: dict[str, pd.DataFrame]) -> None:
    default = load_cost_catalogue()
    land = catalogue_for(AGS)
    assert land.land == "05"
    keys = city["measures"]["cost_group"]
    assert keys.notna().all()
    assert {default.resolve(k) for k in keys} == set(keys)  # keys of the default catalogue
    assert UNASSIGNED not in {land.resolve(k) for k in keys}
    # the Land's KuF shows no money "ohne Kostengruppe"
    for area_id in (SOCIAL_ID, RENEWAL_ID):
        area = city["funding_areas"].set_index("id").loc[area_id]
        ms = city["measures"][city["measures"]["funding_area_id"] == area_id]
        kuf = compute_kuf(
            {"id": area_id, "name": area["name"]},
            ms,
            city["funding_lines"],
            city["revenues"][city["revenues"]["funding_area_id"] == area_id],
            land,
        )
        assert UNASSIGNED not in set(kuf.costs["cost_group"])


def test_notice_amounts_equal_the_approved_lines_of_their_measures(
    city: dict[str, pd.DataFrame],
) -> None:
    lines = (
        city["funding_lines"]
        .merge(city["notice_measures"], on="measure_id", how="inner")
        .merge(
            city["grant_notices"][["id", "programme_year"]].rename(
                columns={"id": "notice_id", "programme_year": "notice_year"}
            ),
            on="notice_id",
        )
    )
    lines = lines[lines["programme_year"] == lines["notice_year"]]
    sums = lines.pivot_table(
        index="notice_id", columns="source", values="approved", aggfunc="sum"
    ).fillna(0.0)
    notices = city["grant_notices"].set_index("id")
    for nid, notice in notices.iterrows():
        assert notice["amount_bund"] == pytest.approx(sums.loc[nid, "Bund"], abs=0.005), nid
        assert notice["amount_land"] == pytest.approx(sums.loc[nid, "Land"], abs=0.005), nid
        assert notice["amount_gemeinde"] == pytest.approx(sums.loc[nid, "Gemeinde"], abs=0.005)
        assert notice["amount_bund"] > 0
        measures = city["measures"].set_index("id")
        linked = city["notice_measures"].loc[city["notice_measures"]["notice_id"] == nid]
        assert (
            measures.loc[linked["measure_id"], "funding_area_id"] == notice["funding_area_id"]
        ).all()


def test_notices_and_drawdowns_pass_the_rules(city: dict[str, pd.DataFrame]) -> None:
    draws = city["drawdowns"]
    for notice in city["grant_notices"].to_dict(orient="records"):
        mine = draws[draws["notice_id"] == notice["id"]]
        drawn = float(mine["amount"].sum())
        grant = notice["amount_bund"] + notice["amount_land"]
        assert drawn <= grant + 0.005, notice["id"]
        errors = [f for f in check_notice(notice, drawn=drawn) if f.level == "error"]
        assert not errors, errors
        for draw in mine.to_dict(orient="records"):
            findings = check_drawdown(draw, notice, mine)
            assert not findings, findings
        if notice["programme_year"] <= REFERENCE_DATE.year - 4:
            assert drawn == pytest.approx(grant, abs=0.005), notice["id"]  # old: fully drawn


def test_old_notices_have_their_statement_of_use(city: dict[str, pd.DataFrame]) -> None:
    notices = city["grant_notices"]
    old = notices[notices["programme_year"] <= REFERENCE_DATE.year - 4]
    assert len(old) >= 3
    assert old["proof_submitted"].notna().sum() == len(old) - 1  # one is due soon
    new = notices[notices["programme_year"] > REFERENCE_DATE.year - 4]
    assert new["proof_submitted"].isna().all()


@pytest.mark.parametrize("today", [REFERENCE_DATE, dt.date(2026, 11, 26), dt.date(2031, 2, 3)])
def test_one_statement_due_and_one_notice_lapsing_relative_to_today(today: dt.date) -> None:
    frames = build_musterstadt(today=today) if today != REFERENCE_DATE else build_musterstadt()
    found = deadlines(
        frames["grant_notices"],
        frames["drawdowns"],
        frames["notice_measures"],
        frames["measures"],
        today=today,
    )
    assert list(found["state"]) == ["upcoming", "lapsing"]
    assert list(found["kind"]) == ["proof_deadline", "drawdown_deadline"]
    assert list(found["days"]) == [PROOF_DUE_IN, LAPSE_IN]
    assert found["undrawn"].iloc[1] > 0
    assert "Verwendungsnachweis" in found["message"].iloc[0]


def test_only_the_deadlines_depend_on_today(city: dict[str, pd.DataFrame]) -> None:
    later = build_musterstadt(today=dt.date(2027, 3, 1))
    deadline_columns = ["drawdown_deadline", "proof_deadline", "proof_submitted", "conditions"]
    for name, frame in city.items():
        if name == "grant_notices":
            assert_frame_equal(
                later[name].drop(columns=deadline_columns), frame.drop(columns=deadline_columns)
            )
        elif not hasattr(frame, "geometry"):
            assert_frame_equal(later[name], frame, obj=name)


def test_revenues_mostly_in_the_renewal_area(city: dict[str, pd.DataFrame]) -> None:
    rev = city["revenues"]
    per_area = rev.groupby("funding_area_id")["planned"].sum()
    assert per_area[RENEWAL_ID] > 5 * per_area[SOCIAL_ID] > 0
    assert "veraeusserung" in set(rev.loc[rev["funding_area_id"] == RENEWAL_ID, "kind"])
    # a Stadtumbaugebiet is no Sanierungsgebiet: no Ausgleichsbeträge
    assert "ausgleichsbetraege" not in set(rev["kind"])
    assert rev.loc[rev["year"] >= REFERENCE_DATE.year, "actual"].isna().all()


def test_frozen_kuf_versions_match_their_applications(city: dict[str, pd.DataFrame]) -> None:
    versions = city["kuf_versions"].set_index("id")
    apps = city["grant_applications"]
    with_kuf = apps[apps["kuf_version_id"].notna()]
    assert set(with_kuf["funding_area_id"]) == {SOCIAL_ID, RENEWAL_ID}
    for app in with_kuf.to_dict(orient="records"):
        area_id = app["funding_area_id"]
        latest = apps.loc[apps["funding_area_id"] == area_id, "programme_year"].max()
        assert app["programme_year"] == latest
        version = versions.loc[app["kuf_version_id"]]
        kuf = kuf_from_dict(json.loads(version["payload"]))
        ms = city["measures"][city["measures"]["funding_area_id"] == area_id]
        lines = city["funding_lines"][city["funding_lines"]["measure_id"].isin(ms["id"])]
        expected = float(lines["planned"].sum())
        assert kuf.totals()["costs_planned"] == pytest.approx(expected, abs=0.005)
        assert version["fingerprint"] == kuf.fingerprint
        area = city["funding_areas"].set_index("id").loc[area_id]
        now = compute_kuf(
            {"id": area_id, "name": area["name"]},
            ms,
            lines,
            city["revenues"][city["revenues"]["funding_area_id"] == area_id],
            catalogue_for(AGS),
        )
        assert now.fingerprint == version["fingerprint"]  # nothing changed since


def test_every_default_cost_group_has_money_in_some_area(city: dict[str, pd.DataFrame]) -> None:
    default = load_cost_catalogue()
    with_money: set[str] = set()
    for area_id in (SOCIAL_ID, RENEWAL_ID):
        ms = city["measures"][city["measures"]["funding_area_id"] == area_id]
        kuf = compute_kuf(
            {"id": area_id, "name": area_id},
            ms,
            city["funding_lines"],
            city["revenues"][city["revenues"]["funding_area_id"] == area_id],
            default,
        )
        sums = kuf.costs.groupby("cost_group")["planned"].sum()
        with_money |= set(sums[sums > 0].index)
    assert with_money == {g.key for g in default.cost_groups}
    # a line's own group only where it differs, and always a group of the catalogue
    own = city["funding_lines"]["cost_group"].dropna()
    assert 0 < len(own) < len(city["funding_lines"]) / 10
    assert set(own) <= {"grunderwerb", "vorbereitung"}
