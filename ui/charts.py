"""Charts of the app: Altair (Vega-Lite, which Streamlit ships) with German axes.

Each function takes a tidy frame computed by the core and returns a chart for
``st.altair_chart``. Every chart

- carries the German d3 locale (:data:`geo.german.D3_LOCALE` as ``config.locale``), so
  numbers read ``1.234.567``, amounts ``4.000.000 €`` and months ``März``;
- writes years as years (an ordinal axis: ``2024``, not ``2,024``) and Stichtage as
  ``31.12.2024`` (or the year, when every Stichtag is a 31 December);
- colours categories with Okabe–Ito (:data:`geo.webmap.QUALITATIVE`) and classes of an
  index with the class colours of the map, as classes (an ordinal scale), never as a
  continuous gradient;
- has German titles and tooltips;
- shows a single Stichtag or year as bars, never as a line with one point.

The charts stay free of Streamlit: the pages draw them (``st.altair_chart``), and the
tests read their Vega-Lite specification (``chart.to_dict()``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from geo.german import D3_LOCALE, NO_VALUE
from geo.webmap import NO_DATA_COLOUR, QUALITATIVE, SUPPRESSED_TEXT, category_colours
from monitoring.renewal.funding import SOURCES
from monitoring.renewal.measures import STATUSES

#: Amounts in whole euros: with the German locale's currency ``["", " €"]`` this writes
#: ``4.000.000 €`` (d3 ``,.0f`` plus the unit).
AMOUNT_FORMAT = "$,.0f"
#: Amounts in tooltips, to the cent.
AMOUNT_TOOLTIP = "$,.2f"
DATE_FORMAT = "%d.%m.%Y"
YEAR_FORMAT = "%Y"
#: The line of the city (or any reference series): black and dashed, apart from the
#: Okabe–Ito colours of the areas.
REFERENCE_COLOUR = "#000000"
REFERENCE_DASH = [6, 3]
#: An outline for bars whose fill may be nearly white (the lightest class colours).
BAR_OUTLINE = "#525252"
#: Colours of measure statuses, in the order a measure passes through them.
STATUS_COLOURS: dict[str, str] = category_colours(list(STATUSES))
NO_STATUS_COLOUR = "#999999"
#: Cells withheld for small numbers (the map hatches them; a chart cell is plain grey).
SUPPRESSED_COLOUR = "#d9d9d9"
AMOUNT_LABELS: dict[str, str] = {
    "planned": "geplant",
    "approved": "bewilligt",
    "paid": "ausgezahlt",
}
PLAN_LABELS: dict[str, str] = {
    "on": "im Plan",
    "behind": "hinter dem Plan",
    "unknown": "ohne Zeitplan",
}
PLAN_COLOURS: dict[str, str] = {
    "on": QUALITATIVE[0],
    "behind": QUALITATIVE[1],
    "unknown": NO_STATUS_COLOUR,
}
PARTICIPATION_LABELS: dict[str, str] = {
    "participants": "Teilnehmende",
    "volunteers": "Ehrenamtliche",
}


def german(chart: Any) -> Any:
    """Configure a finished chart with the German locale and a readable legend.

    Examples
    --------
    >>> c = german(alt.Chart(pd.DataFrame({"x": [1]})).mark_bar().encode(x="x:Q"))
    >>> c.to_dict()["config"]["locale"]["number"]["decimal"]
    ','
    """
    return chart.configure(locale=D3_LOCALE).configure_legend(labelLimit=0, titleLimit=0)


def _number_format(decimals: int) -> str:
    return f",.{max(0, decimals)}f"


def _ordered(values: Sequence[Any], order: Sequence[Any]) -> list[Any]:
    """The values in ``order`` first (as given there), the others after them sorted."""
    present = list(dict.fromkeys(values))
    known = [v for v in order if v in present]
    return known + sorted((v for v in present if v not in set(order)), key=str)


def _palette(names: Sequence[str], colours: Mapping[str, str]) -> alt.Scale:
    return alt.Scale(domain=list(names), range=[colours.get(n, NO_STATUS_COLOUR) for n in names])


def _rows_height(rows: int) -> int:
    """The height of a chart with one bar per row: Streamlit fits axes and titles into it.

    Examples
    --------
    >>> _rows_height(1), _rows_height(16)
    (140, 508)
    """
    return max(140, 28 * rows + 60)


def _stichtag_axis(periods: Sequence[pd.Timestamp]) -> alt.Axis:
    """A date axis with a tick at each Stichtag: ``2024`` when all are 31.12., else dates."""
    year_ends = all(p.month == 12 and p.day == 31 for p in periods)
    return alt.Axis(
        values=[alt.DateTime(year=p.year, month=p.month, date=p.day) for p in periods],
        format=YEAR_FORMAT if year_ends else DATE_FORMAT,
        labelAngle=0,
    )


def series_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    decimals: int = 1,
    reference: str | None = None,
) -> alt.Chart:
    """Chart the values of some areas (and a reference such as the city) over Stichtage.

    Parameters
    ----------
    frame
        ``period`` (dates), ``series`` (the name shown: area or "Stadt") and ``value``.
    title
        The value axis: indicator and unit, e.g. ``"Arbeitslosenquote (%)"``.
    decimals
        Decimal places of the value axis and tooltip.
    reference
        The series drawn black and dashed (the city), if any.

    Returns
    -------
    altair.Chart
        Lines with points over the Stichtage; with only one Stichtag bars, one per series
        (a line needs two points).

    Examples
    --------
    >>> f = pd.DataFrame({"period": pd.to_datetime(["2020-12-31", "2022-12-31"] * 2),
    ...     "series": ["Nord", "Nord", "Stadt", "Stadt"], "value": [5.0, 6.0, 4.0, 4.5]})
    >>> spec = series_chart(f, title="Quote (%)", reference="Stadt").to_dict()
    >>> spec["mark"]["type"], spec["encoding"]["x"]["axis"]["format"]
    ('line', '%Y')
    >>> series_chart(f.iloc[[0, 2]], title="Quote (%)").to_dict()["mark"]["type"]
    'bar'
    """
    data = pd.DataFrame(
        {
            "period": pd.to_datetime(frame["period"]),
            "series": frame["series"].astype(str),
            "value": pd.to_numeric(frame["value"], errors="coerce").astype(float),
        }
    )
    names = list(dict.fromkeys(data["series"]))
    areas = [n for n in names if n != reference]
    colours = {n: QUALITATIVE[i % (len(QUALITATIVE) - 1)] for i, n in enumerate(areas)}
    if reference is not None:
        colours[reference] = REFERENCE_COLOUR
    colour = alt.Color("series:N", title="Gebiet", scale=_palette(names, colours))
    periods = sorted(pd.Timestamp(p) for p in data["period"].dropna().unique())
    number = _number_format(decimals)
    tooltip = [
        alt.Tooltip("series:N", title="Gebiet"),
        alt.Tooltip("period:T", title="Stichtag", format=DATE_FORMAT),
        alt.Tooltip("value:Q", title=title, format=number),
    ]
    base = alt.Chart(data)
    if len(periods) <= 1:
        chart = base.mark_bar(stroke=BAR_OUTLINE, strokeWidth=0.5).encode(
            x=alt.X("series:N", title=None, sort=names, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=title, axis=alt.Axis(format=number)),
            color=colour.legend(None),
            tooltip=tooltip,
        )
    else:
        dashes = [REFERENCE_DASH if n == reference else [1, 0] for n in names]
        lines = alt.Legend(symbolType="stroke", symbolStrokeWidth=2, symbolSize=300)
        chart = base.mark_line(point=True).encode(
            x=alt.X("period:T", title="Stichtag", axis=_stichtag_axis(periods)),
            y=alt.Y("value:Q", title=title, axis=alt.Axis(format=number)),
            color=colour.legend(lines),
            # same field and title as the colour: one legend shows colour and dash
            strokeDash=alt.StrokeDash(
                "series:N",
                title="Gebiet",
                scale=alt.Scale(domain=names, range=dashes),
                legend=lines,
            ),
            tooltip=tooltip,
        )
    return german(chart.properties(height=320))


def class_chart(frame: pd.DataFrame, *, title: str, colours: Sequence[str]) -> alt.Chart:
    """Chart how many areas fall in each class of an index, coloured as the map colours it.

    Parameters
    ----------
    frame
        ``code``, ``label`` and ``areas`` of every class, in the classes' order (e.g.
        one part of :func:`indicators.social_index.class_distribution`).
    title
        The class axis, e.g. ``"Statusklasse"``.
    colours
        One colour per class, in the same order (the map's class colours).

    Examples
    --------
    >>> f = pd.DataFrame({"code": [1, 2], "label": ["hoch", "mittel"], "areas": [3, 5]})
    >>> spec = class_chart(f, title="Statusklasse", colours=["#eee", "#333"]).to_dict()
    >>> spec["encoding"]["color"]["type"], spec["encoding"]["color"]["scale"]["range"]
    ('ordinal', ['#eee', '#333'])
    """
    labels = [f"{c} {lbl}" for c, lbl in zip(frame["code"], frame["label"])]
    if len(colours) != len(labels):
        raise ValueError(f"{len(labels)} classes need {len(labels)} colours, not {len(colours)}")
    data = pd.DataFrame({"class": labels, "areas": frame["areas"].astype(int).to_numpy()})
    chart = (
        alt.Chart(data)
        .mark_bar(stroke=BAR_OUTLINE, strokeWidth=0.8)
        .encode(
            x=alt.X("class:O", title=title, sort=labels, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("areas:Q", title="Gebiete", axis=alt.Axis(format="d", tickMinStep=1)),
            color=alt.Color(
                "class:O",
                title=title,
                sort=labels,
                scale=alt.Scale(domain=labels, range=list(colours)),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("class:O", title=title),
                alt.Tooltip("areas:Q", title="Gebiete", format=",d"),
            ],
        )
        .properties(height=220)
    )
    return german(chart)


def class_grid_chart(
    frame: pd.DataFrame, *, title: str, classes: Sequence[tuple[float, str, str]]
) -> alt.Chart:
    """Chart the class of each area at each Stichtag as coloured cells (a class index).

    A class code is no measurement: a line through codes 1 … 4 would suggest values
    between the classes. Each cell shows the class in the map's class colour instead.

    Parameters
    ----------
    frame
        ``period`` (dates), ``series`` (the area's name) and ``value`` (the class code;
        NaN: no value), optionally ``suppressed`` (True: withheld, small numbers).
    title
        The legend title, e.g. ``"Statusklasse"``.
    classes
        ``(code, label, colour)`` of every class in order (:func:`ui.frames.index_categories`);
        codes found in the data but not listed are shown by their code, in grey.

    Examples
    --------
    >>> f = pd.DataFrame({"period": pd.to_datetime(["2020-12-31", "2022-12-31"]),
    ...                   "series": ["Nord", "Nord"], "value": [1.0, None]})
    >>> spec = class_grid_chart(f, title="Statusklasse",
    ...     classes=[(1.0, "1 hoch", "#eee"), (2.0, "2 mittel", "#333")]).to_dict()
    >>> spec["mark"]["type"], spec["encoding"]["color"]["type"]
    ('rect', 'ordinal')
    >>> spec["encoding"]["color"]["scale"]["domain"]
    ['1 hoch', '2 mittel', 'unterdrückt', 'keine Angabe']
    """
    periods = pd.to_datetime(frame["period"])
    year_ends = bool(len(periods)) and all(p.month == 12 and p.day == 31 for p in periods)
    codes = pd.to_numeric(frame["value"], errors="coerce")
    by_code = {float(code): (label, colour) for code, label, colour in classes}
    for code in sorted(set(codes.dropna()) - set(by_code)):
        by_code[float(code)] = (f"Klasse {code:g}", NO_STATUS_COLOUR)
    hidden = (
        frame["suppressed"].fillna(False).astype(bool).to_numpy()
        if "suppressed" in frame.columns
        else [False] * len(frame)
    )
    labels = [
        SUPPRESSED_TEXT if h else (by_code[float(c)][0] if pd.notna(c) else NO_VALUE)
        for c, h in zip(codes, hidden)
    ]
    data = pd.DataFrame(
        {
            "stichtag": [str(p.year) if year_ends else p.strftime("%d.%m.%Y") for p in periods],
            "order": periods.to_numpy(),
            "series": frame["series"].astype(str).to_numpy(),
            "class": labels,
        }
    )
    domain = [label for label, _ in by_code.values()] + [SUPPRESSED_TEXT, NO_VALUE]
    range_ = [colour for _, colour in by_code.values()] + [SUPPRESSED_COLOUR, NO_DATA_COLOUR]
    columns = list(dict.fromkeys(data.sort_values("order")["stichtag"]))
    chart = (
        alt.Chart(data)
        .mark_rect(stroke=BAR_OUTLINE, strokeWidth=0.5)
        .encode(
            x=alt.X("stichtag:O", title="Stichtag", sort=columns, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("series:N", title=None, sort=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color(
                "class:O", title=title, sort=domain, scale=alt.Scale(domain=domain, range=range_)
            ),
            tooltip=[
                alt.Tooltip("series:N", title="Gebiet"),
                alt.Tooltip("stichtag:O", title="Stichtag"),
                alt.Tooltip("class:O", title=title),
            ],
        )
        .properties(height=_rows_height(data["series"].nunique()))
    )
    return german(chart)


def funding_chart(funding: pd.DataFrame, *, amount: str = "planned") -> alt.Chart:
    """Chart money per programme year as bars stacked by source (Bund, Land, …).

    Parameters
    ----------
    funding
        ``source, programme_year`` and the amount columns
        (:func:`monitoring.renewal.progress.funding_by_year`).
    amount
        ``planned``, ``approved`` or ``paid``.

    Examples
    --------
    >>> f = pd.DataFrame({"source": ["Bund", "Land"], "programme_year": [2020, 2020],
    ...                   "planned": [4e6, 2e6]})
    >>> spec = funding_chart(f).to_dict()
    >>> spec["encoding"]["y"]["stack"], spec["encoding"]["y"]["axis"]["format"]
    ('zero', '$,.0f')
    """
    if amount not in AMOUNT_LABELS:
        raise ValueError(f"amount {amount!r} is none of {', '.join(AMOUNT_LABELS)}")
    label = AMOUNT_LABELS[amount]
    data = pd.DataFrame(
        {
            "source": funding["source"].astype(str),
            "year": pd.to_numeric(funding["programme_year"]).astype(int).to_numpy(),
            "amount": pd.to_numeric(funding[amount]).fillna(0.0).astype(float).to_numpy(),
        }
    )
    sources = _ordered(data["source"], SOURCES)
    colours = category_colours(list(SOURCES) + [s for s in sources if s not in SOURCES])
    data["rank"] = data["source"].map({s: i for i, s in enumerate(sources)})
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Programmjahr", axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                "amount:Q", title=f"{label} (€)", stack="zero", axis=alt.Axis(format=AMOUNT_FORMAT)
            ),
            color=alt.Color("source:N", title="Mittelgeber", scale=_palette(sources, colours)),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("source:N", title="Mittelgeber"),
                alt.Tooltip("year:O", title="Programmjahr"),
                alt.Tooltip("amount:Q", title=label, format=AMOUNT_TOOLTIP),
            ],
        )
        .properties(height=300)
    )
    return german(chart)


def goal_chart(goals: pd.DataFrame, *, labels: Mapping[Any, str]) -> alt.LayerChart:
    """Chart the attainment of each target against the target (100 %) and the time plan.

    Parameters
    ----------
    goals
        :func:`monitoring.renewal.progress.goal_attainment`: ``target_id,
        attainment_pct, expected_pct, on_track`` and ``title``. Targets without an
        attainment (qualitative goals, no value yet) are left out.
    labels
        The text shown for each ``target_id`` (goal and indicator).

    Returns
    -------
    altair.LayerChart
        A bar per target (blue: im Plan, orange: hinter dem Plan, grey: ohne Zeitplan),
        a black tick where the time plan expects it, a dashed line at 100 % (target
        reached) and a line at 0 % (baseline).

    Examples
    --------
    >>> g = pd.DataFrame({"target_id": ["T1"], "title": ["Arbeit"], "attainment_pct": [60.0],
    ...                   "expected_pct": [50.0], "on_track": [True]})
    >>> spec = goal_chart(g, labels={"T1": "Arbeit: Arbeitslose"}).to_dict()
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['bar', 'tick', 'rule']
    """
    shown = goals[goals["attainment_pct"].notna()]
    plan = [
        "unknown" if v is None or pd.isna(v) else ("on" if bool(v) else "behind")
        for v in shown["on_track"]
    ]
    data = pd.DataFrame(
        {
            "target": [labels.get(t, str(t)) for t in shown["target_id"]],
            "attainment": shown["attainment_pct"].astype(float).to_numpy(),
            "expected": pd.to_numeric(shown["expected_pct"]).astype(float).to_numpy(),
            "plan": [PLAN_LABELS[p] for p in plan],
        }
    )
    order = list(data["target"])
    names = [PLAN_LABELS[k] for k in PLAN_LABELS]
    y = alt.Y("target:N", title=None, sort=order, axis=alt.Axis(labelLimit=360))
    tooltip = [
        alt.Tooltip("target:N", title="Ziel"),
        alt.Tooltip("attainment:Q", title="erreicht (%)", format=",.1f"),
        alt.Tooltip("expected:Q", title="erwartet (%)", format=",.1f"),
        alt.Tooltip("plan:N", title="Stand"),
    ]
    # every layer titles the shared axis alike: Vega-Lite joins differing titles with ", "
    axis_title = "Zielerreichung (%)"
    base = alt.Chart(data)
    bars = base.mark_bar().encode(
        x=alt.X("attainment:Q", title=axis_title, axis=alt.Axis(format=",.0f")),
        y=y,
        color=alt.Color(
            "plan:N",
            title="Stand",
            scale=alt.Scale(domain=names, range=[PLAN_COLOURS[k] for k in PLAN_LABELS]),
        ),
        tooltip=tooltip,
    )
    ticks = base.mark_tick(color="#000000", thickness=2).encode(
        x=alt.X("expected:Q", title=axis_title), y=y, tooltip=tooltip
    )
    marks = pd.DataFrame({"at": [0.0, 100.0], "what": ["Basiswert", "Zielwert"]})
    rules = (
        alt.Chart(marks)
        .mark_rule(color="#000000")
        .encode(
            x=alt.X("at:Q", title=axis_title),
            strokeDash=alt.StrokeDash(
                "what:N",
                title="Bezug",
                scale=alt.Scale(domain=["Basiswert", "Zielwert"], range=[[1, 0], REFERENCE_DASH]),
                legend=None,  # lines without colour show no legend symbols: the page says it
            ),
            tooltip=[alt.Tooltip("what:N", title="Bezug")],
        )
    )
    height = _rows_height(len(data))
    return german(alt.layer(bars, ticks, rules).properties(height=height))


def status_chart(frame: pd.DataFrame) -> alt.Chart:
    """Chart measures per status over the years as stacked bars (one year: a bar per status).

    Parameters
    ----------
    frame
        ``year, status, measures``
        (:func:`monitoring.renewal.progress.measures_by_status_over_time`).

    Examples
    --------
    >>> f = pd.DataFrame({"year": [2024, 2024, 2025, 2025], "status": ["geplant",
    ...     "bewilligt"] * 2, "measures": [2, 0, 1, 1]})
    >>> spec = status_chart(f).to_dict()
    >>> spec["encoding"]["x"]["field"], spec["encoding"]["y"]["stack"]
    ('year', 'zero')
    >>> status_chart(f[f["year"] == 2025]).to_dict()["encoding"]["y"]["field"]
    'status'
    """
    data = pd.DataFrame(
        {
            "year": pd.to_numeric(frame["year"]).astype(int).to_numpy(),
            "status": frame["status"].astype(str).to_numpy(),
            "measures": pd.to_numeric(frame["measures"]).astype(int).to_numpy(),
        }
    )
    statuses = _ordered(data["status"], STATUSES)
    data["rank"] = data["status"].map({s: i for i, s in enumerate(statuses)})
    colour = alt.Color("status:N", title="Status", scale=_palette(statuses, STATUS_COLOURS))
    count = alt.Axis(format="d", tickMinStep=1)
    tooltip = [
        alt.Tooltip("year:O", title="Jahr"),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("measures:Q", title="Maßnahmen", format=",d"),
    ]
    base = alt.Chart(data)
    if data["year"].nunique() <= 1:
        chart = base.mark_bar().encode(
            y=alt.Y("status:N", title=None, sort=statuses),
            x=alt.X("measures:Q", title="Maßnahmen", axis=count),
            color=colour.legend(None),
            tooltip=tooltip,
        )
        return german(chart.properties(height=_rows_height(len(statuses))))
    chart = base.mark_bar().encode(
        x=alt.X("year:O", title="Jahresende", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("measures:Q", title="Maßnahmen", stack="zero", axis=count),
        color=colour,
        order=alt.Order("rank:Q"),
        tooltip=tooltip,
    )
    return german(chart.properties(height=280))


def count_chart(counts: pd.Series, *, category: str, unit: str) -> alt.Chart:
    """Chart counts per category as horizontal bars in the given order (e.g. projects by status).

    Examples
    --------
    >>> s = pd.Series({"Idee": 2, "laufend": 1})
    >>> spec = count_chart(s, category="Status", unit="Projekte").to_dict()
    >>> spec["mark"]["type"], spec["encoding"]["x"]["title"]
    ('bar', 'Projekte')
    """
    order = [str(k) for k in counts.index]
    data = pd.DataFrame({"category": order, "count": counts.astype(int).to_numpy()})
    chart = (
        alt.Chart(data)
        .mark_bar(color=QUALITATIVE[0])
        .encode(
            y=alt.Y("category:N", title=category, sort=order),
            x=alt.X("count:Q", title=unit, axis=alt.Axis(format="d", tickMinStep=1)),
            tooltip=[
                alt.Tooltip("category:N", title=category),
                alt.Tooltip("count:Q", title=unit, format=",d"),
            ],
        )
        .properties(height=_rows_height(len(order)))
    )
    return german(chart)


def participation_chart(years: pd.DataFrame) -> alt.Chart:
    """Chart participants and volunteers of the activities per year as grouped bars.

    Parameters
    ----------
    years
        ``year, activities, participants, volunteers``
        (:func:`monitoring.neighbourhood.activities.year_totals`).

    Examples
    --------
    >>> y = pd.DataFrame({"year": [2024, 2025], "activities": [2, 1],
    ...                   "participants": [123, 40], "volunteers": [13, 0]})
    >>> spec = participation_chart(y).to_dict()
    >>> spec["encoding"]["x"]["type"], spec["encoding"]["xOffset"]["field"]
    ('ordinal', 'who')
    """
    rows = [
        {
            "year": int(r["year"]),
            "who": label,
            "people": int(r[key]),
            "activities": int(r["activities"]),
        }
        for r in years.to_dict("records")
        for key, label in PARTICIPATION_LABELS.items()
    ]
    data = pd.DataFrame(rows, columns=["year", "who", "people", "activities"])
    who = list(PARTICIPATION_LABELS.values())
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Jahr", axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("who:N", sort=who),
            y=alt.Y("people:Q", title="Personen", axis=alt.Axis(format=",d", tickMinStep=1)),
            color=alt.Color(
                "who:N", title=None, scale=alt.Scale(domain=who, range=list(QUALITATIVE[:2]))
            ),
            tooltip=[
                alt.Tooltip("year:O", title="Jahr"),
                alt.Tooltip("who:N", title="Personen"),
                alt.Tooltip("people:Q", title="Anzahl", format=",d"),
                alt.Tooltip("activities:Q", title="Aktivitäten", format=",d"),
            ],
        )
        .properties(height=260)
    )
    return german(chart)


def timeline_chart(bars: pd.DataFrame) -> alt.Chart:
    """Chart the measures as bars from start to end, coloured by status.

    Parameters
    ----------
    bars
        ``title, status, start, end, open_end`` (:func:`monitoring.renewal.measures.timeline`).

    Examples
    --------
    >>> b = pd.DataFrame({"title": ["Platz"], "status": ["geplant"],
    ...     "start": pd.to_datetime(["2020-03-01"]), "end": pd.to_datetime(["2024-06-30"]),
    ...     "open_end": [False]})
    >>> timeline_chart(b).to_dict()["encoding"]["x"]["axis"]["format"]
    '%Y'
    """
    data = pd.DataFrame(
        {
            "title": bars["title"].astype(str).to_numpy(),
            "status": bars["status"].fillna("ohne Status").astype(str).to_numpy(),
            "start": pd.to_datetime(bars["start"]).to_numpy(),
            "end": pd.to_datetime(bars["end"]).to_numpy(),
            "open": ["ja" if v else "nein" for v in bars["open_end"]],
        }
    )
    span = (data["end"].max() - data["start"].min()) if len(data) else pd.Timedelta(0)
    years = span >= pd.Timedelta(days=2 * 365)
    statuses = _ordered(data["status"], STATUSES)
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "start:T",
                title="Zeit",
                axis=alt.Axis(format=YEAR_FORMAT if years else DATE_FORMAT, labelAngle=0),
            ),
            x2=alt.X2("end:T", title="Zeit"),
            y=alt.Y("title:N", sort=None, title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("status:N", title="Status", scale=_palette(statuses, STATUS_COLOURS)),
            tooltip=[
                alt.Tooltip("title:N", title="Maßnahme"),
                alt.Tooltip("status:N", title="Status"),
                alt.Tooltip("start:T", title="Beginn", format=DATE_FORMAT),
                alt.Tooltip("end:T", title="Ende", format=DATE_FORMAT),
                alt.Tooltip("open:N", title="Ende offen"),
            ],
        )
        .properties(height=_rows_height(len(data)))
    )
    return german(chart)
