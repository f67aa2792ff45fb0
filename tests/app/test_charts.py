"""The charts of ui/charts.py on their Vega-Lite specification, and on the pages (AppTest).

A chart is judged by what Vega-Lite is told: the German locale, the mark (bars for one
Stichtag, lines for several), the axis formats, the colour scales (Okabe–Ito, the map's
class colours as an ordinal scale) and that no raw field name reaches an axis, a legend
or a tooltip.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.german import D3_LOCALE
from geo.store import open_store
from geo.webmap import QUALITATIVE, sequential_colours
from indicators.social_index import load_profile
from monitoring.renewal.funding import SOURCES
from monitoring.renewal.measures import STATUSES
from ui import charts, frames

YEARS = pd.to_datetime(["2018-12-31", "2020-12-31", "2022-12-31"])


def _series(periods: pd.DatetimeIndex, names: tuple[str, ...] = ("Nord", "Stadt")) -> pd.DataFrame:
    return pd.DataFrame(
        [(p, n, 4.0 + i + k) for i, p in enumerate(periods) for k, n in enumerate(names)],
        columns=["period", "series", "value"],
    )


FUNDING = pd.DataFrame(
    {
        "source": ["Land", "Bund", "Gemeinde", "Bund", "Stiftung X"],
        "programme_year": [2021, 2021, 2021, 2022, 2022],
        "planned": [2e6, 4e6, 1e6, 3e6, 5e5],
        "approved": [1e6, 4e6, 1e6, 0.0, 0.0],
        "paid": [0.0, 1e6, 0.0, 0.0, 0.0],
    }
)
GOALS = pd.DataFrame(
    {
        "target_id": ["T1", "T2", "T3", "T4"],
        "title": ["Arbeit", "Wohnen", "Grün", "Treffpunkt"],
        "attainment_pct": [60.0, 20.0, 80.0, None],
        "expected_pct": [50.0, 50.0, None, None],
        "on_track": pd.array([True, False, None, None], dtype="boolean"),
    }
)
STATUS_YEARS = pd.DataFrame(
    [(y, s, (y + i) % 3) for y in (2023, 2024, 2025) for i, s in enumerate(STATUSES)],
    columns=["year", "status", "measures"],
)
PARTICIPATION = pd.DataFrame(
    {"year": [2024, 2025], "activities": [2, 1], "participants": [123, 40], "volunteers": [13, 0]}
)
TIMELINE = pd.DataFrame(
    {
        "title": ["Platz", "Schule"],
        "status": ["geplant", "in Umsetzung"],
        "start": pd.to_datetime(["2019-03-01", "2021-01-01"]),
        "end": pd.to_datetime(["2024-06-30", "2025-06-30"]),
        "open_end": [False, True],
    }
)
CLASSES = pd.DataFrame(
    {
        "code": [1, 2, 3, 4],
        "label": ["hoch", "mittel", "niedrig", "sehr niedrig"],
        "areas": [2, 5, 1, 0],
    }
)

CLASS_CELLS = pd.DataFrame(
    {
        "period": list(YEARS[[2, 0]]) + list(YEARS[[0, 2]]),
        "series": ["Nord", "Nord", "Süd", "Süd"],
        "value": [4.0, 1.0, 7.0, None],
        "suppressed": [False, False, False, True],
    }
)


def _map_classes() -> list[tuple[float, str, str]]:
    """The status classes as the map (Karte) colours them."""
    profile = load_profile("berlin-mss-2021")
    greys = sequential_colours(len(profile.status_classes), palette="neutral")
    return list(frames.index_categories(profile, colours=greys))


BUILDERS: dict[str, Callable[[], Any]] = {
    "series": lambda: charts.series_chart(_series(YEARS), title="Quote (%)", reference="Stadt"),
    "series_one": lambda: charts.series_chart(_series(YEARS[:1]), title="Quote (%)"),
    "classes": lambda: charts.class_chart(
        CLASSES, title="Statusklasse", colours=sequential_colours(4, palette="neutral")
    ),
    "class_grid": lambda: charts.class_grid_chart(
        CLASS_CELLS, title="Statusklasse", classes=_map_classes()
    ),
    "funding": lambda: charts.funding_chart(FUNDING),
    "goals": lambda: charts.goal_chart(GOALS, labels={"T1": "Arbeit: Arbeitslose"}),
    "status": lambda: charts.status_chart(STATUS_YEARS),
    "status_one": lambda: charts.status_chart(STATUS_YEARS[STATUS_YEARS["year"] == 2025]),
    "counts": lambda: charts.count_chart(
        pd.Series({"Idee": 2, "laufend": 1}), category="Status", unit="Projekte"
    ),
    "participation": lambda: charts.participation_chart(PARTICIPATION),
    "timeline": lambda: charts.timeline_chart(TIMELINE),
}


def _views(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The single views of a spec (the spec itself, or each layer)."""
    if "layer" in spec:
        for layer in spec["layer"]:
            yield from _views(layer)
    else:
        yield spec


def _channels(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every encoding channel with a field, tooltips one by one."""
    for view in _views(spec):
        for name, enc in view.get("encoding", {}).items():
            for one in enc if isinstance(enc, list) else [enc]:
                if isinstance(one, dict) and "field" in one:
                    yield name, one


def _datasets(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


# --- the specifications -----------------------------------------------------------------


@pytest.mark.parametrize("name", list(BUILDERS))
def test_every_chart_speaks_german(name: str) -> None:
    spec = BUILDERS[name]().to_dict()
    assert spec["config"]["locale"] == D3_LOCALE
    for channel, enc in _channels(spec):
        if channel in ("order", "xOffset") or enc.get("legend", "") is None and channel != "x":
            continue
        # a title of its own on every axis, legend and tooltip (None: deliberately none)
        assert "title" in enc, (name, channel, enc)
        if enc["title"] is not None:
            assert enc["title"] != enc["field"], (name, channel, enc)


@pytest.mark.parametrize("name", list(BUILDERS))
def test_no_quantitative_year_axis(name: str) -> None:
    """A year is ordinal ("2024") or a date; a quantitative year would read "2.024"."""
    for _, enc in _channels(BUILDERS[name]().to_dict()):
        if enc["field"] in ("year", "programme_year"):
            assert enc["type"] == "ordinal", enc


def test_series_draws_a_line_over_stichtage_and_bars_for_one() -> None:
    spec = BUILDERS["series"]().to_dict()
    assert spec["mark"]["type"] == "line"
    x = spec["encoding"]["x"]
    assert x["type"] == "temporal" and x["title"] == "Stichtag"
    assert [v["year"] for v in x["axis"]["values"]] == [2018, 2020, 2022]
    assert x["axis"]["format"] == "%Y"  # every Stichtag a 31.12.: the year
    dashes = spec["encoding"]["strokeDash"]["scale"]
    assert dict(zip(dashes["domain"], dashes["range"]))["Stadt"] == charts.REFERENCE_DASH
    colours = spec["encoding"]["color"]["scale"]
    assert dict(zip(colours["domain"], colours["range"])) == {
        "Nord": QUALITATIVE[0],
        "Stadt": charts.REFERENCE_COLOUR,
    }
    one = BUILDERS["series_one"]().to_dict()
    assert one["mark"]["type"] == "bar"
    assert one["encoding"]["x"]["field"] == "series"


def test_series_writes_dates_when_a_stichtag_is_no_year_end() -> None:
    periods = pd.to_datetime(["2021-06-30", "2022-06-30"])
    x = charts.series_chart(_series(periods), title="Quote (%)").to_dict()["encoding"]["x"]
    assert x["axis"]["format"] == "%d.%m.%Y"
    assert {(v["month"], v["date"]) for v in x["axis"]["values"]} == {(6, 30)}


def test_series_value_axis_has_german_decimals() -> None:
    spec = charts.series_chart(_series(YEARS), title="Einwohner", decimals=0).to_dict()
    assert spec["encoding"]["y"]["axis"]["format"] == ",.0f"
    tip = next(t for t in spec["encoding"]["tooltip"] if t["field"] == "period")
    assert tip["format"] == "%d.%m.%Y"


def test_classes_are_an_ordinal_scale_in_the_maps_class_colours() -> None:
    profile = load_profile("berlin-mss-2021")
    greys = sequential_colours(len(profile.status_classes), palette="neutral")
    map_colours = [c[2] for c in frames.index_categories(profile, colours=greys)]
    spec = charts.class_chart(CLASSES, title="Statusklasse", colours=map_colours).to_dict()
    colour = spec["encoding"]["color"]
    assert colour["type"] == "ordinal"
    assert colour["scale"]["domain"] == ["1 hoch", "2 mittel", "3 niedrig", "4 sehr niedrig"]
    assert colour["scale"]["range"] == map_colours
    assert "scheme" not in colour["scale"]  # no continuous gradient
    assert spec["encoding"]["x"]["sort"] == colour["scale"]["domain"]
    assert [r["areas"] for r in _datasets(spec)] == [2, 5, 1, 0]
    with pytest.raises(ValueError, match="4 classes need 4 colours"):
        charts.class_chart(CLASSES, title="Statusklasse", colours=map_colours[:3])


def test_a_class_index_over_time_is_cells_in_class_colours_not_a_line() -> None:
    spec = BUILDERS["class_grid"]().to_dict()
    assert spec["mark"]["type"] == "rect"
    colour = spec["encoding"]["color"]
    assert colour["type"] == "ordinal" and "scheme" not in colour["scale"]
    pairs = dict(zip(colour["scale"]["domain"], colour["scale"]["range"]))
    for _, label, grey in _map_classes():
        assert pairs[label] == grey
    assert pairs["Klasse 7"] == charts.NO_STATUS_COLOUR  # a code the profile does not know
    cells = {(r["series"], r["stichtag"]): r["class"] for r in _datasets(spec)}
    assert cells == {
        ("Nord", "2022"): "4 sehr niedrig",
        ("Nord", "2018"): "1 hoch",
        ("Süd", "2018"): "Klasse 7",
        ("Süd", "2022"): "unterdrückt",
    }
    assert spec["encoding"]["x"]["sort"] == ["2018", "2022"]  # in time, not as given


def test_funding_is_stacked_by_source_in_euros() -> None:
    spec = BUILDERS["funding"]().to_dict()
    y, colour = spec["encoding"]["y"], spec["encoding"]["color"]
    assert spec["mark"]["type"] == "bar" and y["stack"] == "zero"
    assert y["axis"]["format"] == charts.AMOUNT_FORMAT
    assert D3_LOCALE["number"]["currency"] == ["", "\u00a0€"]  # "$" writes "4.000.000 €"
    assert (y["title"], spec["encoding"]["x"]["title"], colour["title"]) == (
        "geplant (€)",
        "Programmjahr",
        "Mittelgeber",
    )
    assert colour["field"] == "source"
    assert colour["scale"]["domain"] == ["Bund", "Land", "Gemeinde", "Stiftung X"]
    assert set(colour["scale"]["range"]) <= set(QUALITATIVE)
    assert len(set(colour["scale"]["range"])) == 4
    assert {r["year"] for r in _datasets(spec)} == {2021, 2022}
    paid = charts.funding_chart(FUNDING, amount="paid").to_dict()
    assert paid["encoding"]["y"]["title"] == "ausgezahlt (€)"
    assert sum(r["amount"] for r in _datasets(paid)) == 1e6
    with pytest.raises(ValueError, match="planned, approved, paid"):
        charts.funding_chart(FUNDING, amount="cost")


def test_funding_colours_keep_each_source_when_some_are_missing() -> None:
    only_land = charts.funding_chart(FUNDING[FUNDING["source"] == "Land"]).to_dict()
    scale = only_land["encoding"]["color"]["scale"]
    full = BUILDERS["funding"]().to_dict()["encoding"]["color"]["scale"]
    assert (
        dict(zip(scale["domain"], scale["range"]))["Land"]
        == dict(zip(full["domain"], full["range"]))["Land"]
    )
    assert SOURCES.index("Land") < len(QUALITATIVE)


def test_goals_against_the_target_and_the_time_plan() -> None:
    spec = BUILDERS["goals"]().to_dict()
    bars, ticks, rules = spec["layer"]
    targets = {r["target"]: r for r in _datasets(spec) if "target" in r}
    assert set(targets) == {"Arbeit: Arbeitslose", "T2", "T3"}  # T4 has no attainment
    assert targets["Arbeit: Arbeitslose"]["plan"] == "im Plan"
    assert targets["T2"]["plan"] == "hinter dem Plan"
    assert targets["T3"]["plan"] == "ohne Zeitplan"
    assert bars["encoding"]["x"]["title"] == "Zielerreichung (%)"
    assert ticks["encoding"]["x"]["field"] == "expected"
    marks = {r["what"]: r["at"] for r in _datasets(spec) if "what" in r}
    assert marks == {"Basiswert": 0.0, "Zielwert": 100.0}
    assert rules["mark"]["type"] == "rule"


def test_status_over_time_stacks_years_and_one_year_is_bars_per_status() -> None:
    spec = BUILDERS["status"]().to_dict()
    assert spec["encoding"]["x"]["field"] == "year" and spec["encoding"]["y"]["stack"] == "zero"
    scale = spec["encoding"]["color"]["scale"]
    assert scale["domain"] == list(STATUSES)
    assert scale["range"] == [charts.STATUS_COLOURS[s] for s in STATUSES]
    one = BUILDERS["status_one"]().to_dict()
    assert one["mark"]["type"] == "bar"
    assert one["encoding"]["y"]["field"] == "status"
    assert one["encoding"]["x"]["title"] == "Maßnahmen"


def test_participation_per_year_groups_participants_and_volunteers() -> None:
    spec = BUILDERS["participation"]().to_dict()
    rows = {(r["year"], r["who"]): r["people"] for r in _datasets(spec)}
    assert rows == {
        (2024, "Teilnehmende"): 123,
        (2024, "Ehrenamtliche"): 13,
        (2025, "Teilnehmende"): 40,
        (2025, "Ehrenamtliche"): 0,
    }


def test_timeline_dates() -> None:
    spec = BUILDERS["timeline"]().to_dict()
    assert spec["encoding"]["x"]["axis"]["format"] == "%Y"  # six years: years
    one = TIMELINE.iloc[:1]
    short = charts.timeline_chart(one.assign(end=one["start"] + pd.Timedelta(days=90)))
    assert short.to_dict()["encoding"]["x"]["axis"]["format"] == "%d.%m.%Y"
    tips = {t["title"]: t.get("format") for t in spec["encoding"]["tooltip"]}
    assert tips["Beginn"] == tips["Ende"] == "%d.%m.%Y"


# --- the pages ----------------------------------------------------------------------------


def _page_specs(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(node.proto.spec) for node in at.get("vega_lite_chart")]


def _fields(spec: dict[str, Any]) -> set[str]:
    return {enc["field"] for _, enc in _channels(spec)}


def test_indikatoren_page_shows_areas_against_the_city_and_the_classes(open_page) -> None:
    at = open_page("indikatoren", indikator="unemployment_rate", gebiete=["PR-11", "PR-00"])
    specs = _page_specs(at)
    assert specs and all(s["config"]["locale"] == D3_LOCALE for s in specs)
    series = next(s for s in specs if "series" in _fields(s))
    assert series["mark"]["type"] == "line"
    assert series["encoding"]["strokeDash"]["scale"]["domain"][-1] == "Stadt"
    assert any("einwohnergewichtet" in c.value for c in at.caption)
    classes = [s for s in specs if "class" in _fields(s)]
    assert classes and classes[0]["encoding"]["color"]["type"] == "ordinal"
    assert (
        classes[0]["encoding"]["color"]["scale"]["range"][0]
        == sequential_colours(4, palette="neutral")[0]
    )


def test_indikatoren_page_shows_a_stored_class_index_as_classes(city_url: str, open_page) -> None:
    store = open_store(city_url)
    rows = [
        (area, "social_status_class", period, float(1 + k % 4))
        for k, area in enumerate(["PR-00", "PR-11", "PR-22"])
        for period in YEARS
    ]
    values = pd.DataFrame(rows, columns=["area_id", "indicator", "period", "value"])
    values = values.assign(level="Planungsraum", vintage="2020", edition="test")
    with store.transaction(user="test") as tx:
        tx.write("indicator_values", values)
    store.close()
    at = open_page(
        "indikatoren", indikator="social_status_class", gebiete=["PR-00", "PR-11", "PR-22"]
    )
    grid = next(s for s in _page_specs(at) if s.get("mark", {}).get("type") == "rect")
    colour = grid["encoding"]["color"]
    assert colour["type"] == "ordinal"
    assert colour["scale"]["domain"][:4] == [label for _, label, _ in _map_classes()]
    assert not any(s.get("mark", {}).get("type") == "line" for s in _page_specs(at))


def test_indikatoren_page_says_why_a_count_has_no_city_line(open_page) -> None:
    at = open_page("indikatoren", indikator="residents", gebiete=["PR-11"])
    series = next(s for s in _page_specs(at) if "series" in _fields(s))
    assert (
        "strokeDash" not in series["encoding"]
        or "Stadt" not in (series["encoding"]["strokeDash"]["scale"]["domain"])
    )
    assert any("Ohne Stadtwert" in c.value for c in at.caption)


def _with_money_and_goals(url: str) -> None:
    store = open_store(url)
    with store.transaction(user="test") as tx:
        tx.write(
            "funding_lines",
            pd.DataFrame(
                {
                    "id": ["FL-1", "FL-2", "FL-3"],
                    "measure_id": ["M-001", "M-001", "M-002"],
                    "source": ["Bund", "Land", "Bund"],
                    "programme_year": [2020, 2020, 2021],
                    "planned": [400_000.0, 200_000.0, 4_000_000.0],
                    "approved": [400_000.0, 200_000.0, 0.0],
                    "paid": [100_000.0, 0.0, 0.0],
                }
            ),
        )
        tx.write(
            "concepts",
            pd.DataFrame(
                {
                    "id": ["K-1"],
                    "funding_area_id": ["SSZ-01"],
                    "kind": ["ISEK"],
                    "title": ["ISEK Soziale Mitte"],
                    "valid_from_year": [2015],
                    "valid_to_year": [2035],
                }
            ),
        )
        tx.write(
            "goals",
            pd.DataFrame(
                {"id": ["Z-1"], "concept_id": ["K-1"], "title": ["Arbeitslosigkeit senken"]}
            ),
        )
        tx.write(
            "targets",
            pd.DataFrame(
                {
                    "id": ["T-1"],
                    "goal_id": ["Z-1"],
                    "indicator": ["unemployment_rate"],
                    "baseline_period": pd.to_datetime(["2018-12-31"]),
                    "baseline_value": [9.0],
                    "target_period": pd.to_datetime(["2030-12-31"]),
                    "target_value": [3.0],
                }
            ),
        )
    store.close()


def test_foerdergebiet_page_shows_money_goals_statuses_comparison_and_timeline(
    city_url: str, open_page
) -> None:
    _with_money_and_goals(city_url)
    at = open_page("foerdergebiet", gebiet="SSZ-01")
    specs = _page_specs(at)
    assert all(s["config"]["locale"] == D3_LOCALE for s in specs)
    funding = next(s for s in specs if "source" in _fields(s))
    assert funding["encoding"]["y"]["stack"] == "zero"
    assert funding["encoding"]["y"]["axis"]["format"] == charts.AMOUNT_FORMAT
    assert any("layer" in s for s in specs)  # goal attainment against the target
    statuses = next(s for s in specs if {"year", "status"} <= _fields(s))
    assert statuses["encoding"]["x"]["type"] == "ordinal"
    comparison = next(s for s in specs if "series" in _fields(s))
    assert comparison["encoding"]["color"]["scale"]["domain"] == [
        "Fördergebiet",
        "übrige Stadt",
        "Stadt insgesamt",
    ]
    assert any("start" in _fields(s) for s in specs)  # the timeline
    at.radio(key="foerdergebiet.betrag").set_value("paid").run()
    assert not at.exception
    funding = next(s for s in _page_specs(at) if "source" in _fields(s))
    assert funding["encoding"]["y"]["title"] == "ausgezahlt (€)"


def test_quartiersmanagement_shows_participation_per_year_and_projects(open_page) -> None:
    at = open_page("quartiersmanagement", gebiet="SSZ-01")
    specs = _page_specs(at)
    assert all(s["config"]["locale"] == D3_LOCALE for s in specs)
    participation = next(s for s in specs if "who" in _fields(s))
    assert participation["encoding"]["x"]["type"] == "ordinal"
    projects = next(s for s in specs if "category" in _fields(s))
    assert projects["encoding"]["x"]["title"] == "Projekte"


def test_no_page_keeps_a_streamlit_line_or_bar_chart() -> None:
    """st.line_chart/st.bar_chart write English defaults ("Tue 31", "4,000,000")."""
    from pathlib import Path

    ui = Path(charts.__file__).parent
    for page in ui.glob("*.py"):
        text = page.read_text(encoding="utf-8")
        assert "st.line_chart" not in text and "st.bar_chart" not in text, page.name
        if page.name != "charts.py":
            assert "alt.Chart(" not in text, page.name
