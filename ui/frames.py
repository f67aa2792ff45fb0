"""Presentation frames of the app: pure functions from store frames to what a page shows.

No Streamlit here (so every function has a unit test). What computes the domain
lives in ``indicators`` and ``monitoring``; these functions select, join and label.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import german
from geo.webmap import NO_VALUE_TEXT, SUPPRESSED_TEXT
from indicators.disclosure import (  # noqa: F401 (disclosed: the pages call frames.disclosed)
    DEFAULT_MINIMUM,
    disclosed,
    has_population,
)
from indicators.registry import Registry
from monitoring.maps.measures import filter_measures, measure_frame  # noqa: F401 (re-exported)
from monitoring.maps.values import (  # noqa: F401 (re-exported: the pages call frames.*)
    INDEX_STATUS,
    IndicatorChoice,
    ShownValues,
    index_categories,
    index_gaps,
    indicator_choices,
    population_note,
    value_notes,
    values_at,
)
from monitoring.renewal.comparison import comparison_text

MEASURE_COLUMNS: dict[str, str] = {
    "id": "Kennung",
    "title": "Titel",
    "funding_area": "Gesamtmaßnahme",
    "programme": "Programm",
    "fields": "Handlungsfelder",
    "status": "Status",
    "year": "Beginn (Jahr)",
    "cost_estimate": "Kostenschätzung (€)",
    "cost_actual": "tatsächliche Kosten (€)",
}


def measure_table(
    frame: pd.DataFrame,
    *,
    programme_names: Mapping[str, str],
    field_names: Mapping[str, str],
) -> pd.DataFrame:
    """Return measures as a table with German headings and names instead of ids.

    Examples
    --------
    >>> f = pd.DataFrame({"id": ["m1"], "title": ["T"], "funding_area": ["Nord"],
    ...     "programme_id": ["ssz"], "field_ids": [("a",)], "status": ["geplant"],
    ...     "year": [2020], "cost_estimate": [1.0], "cost_actual": [None]})
    >>> t = measure_table(f, programme_names={"ssz": "SZ"}, field_names={"a": "Bildung"})
    >>> t.iloc[0, 3:5].tolist()
    ['SZ', 'Bildung']
    """
    out = pd.DataFrame(index=frame.index)
    out["id"] = frame["id"]
    out["title"] = frame["title"]
    out["funding_area"] = frame["funding_area"]
    out["programme"] = frame["programme_id"].map(lambda p: programme_names.get(p, p))
    out["fields"] = frame["field_ids"].map(
        lambda ids: ", ".join(field_names.get(i, i) for i in ids)
    )
    out["status"] = frame["status"].map(lambda v: "" if v is None or pd.isna(v) else v)
    out["year"] = frame["year"]
    out["cost_estimate"] = frame["cost_estimate"]
    out["cost_actual"] = frame["cost_actual"]
    return out.rename(columns=MEASURE_COLUMNS)


def comparable_choices(registry: Registry, available: Collection[str]) -> list[IndicatorChoice]:
    """Return the indicators a funding area can be compared on from the stored values.

    The area-vs-city comparison carries counts onto the funding area
    (:func:`monitoring.renewal.comparison.area_vs_rest`): a stored count, or a rate
    whose numerator and denominator counts are stored. Rates come first (the first
    is the page's default); stored shares without their counts cannot be carried.

    Examples
    --------
    >>> from indicators.registry import load_registry
    >>> keys = [c.key for c in comparable_choices(load_registry(),
    ...     ["unemployed", "residents_15_64", "nicht_im_katalog"])]
    >>> keys
    ['unemployment_rate', 'unemployed', 'residents_15_64']
    >>> comparable_choices(load_registry(), ["nicht_im_katalog"])
    []
    """
    have = {k for k in available if k in registry}
    rates = sorted(
        (
            d
            for d in registry.derived()
            if d.formula == "ratio" and d.numerator in have and d.denominator in have
        ),
        key=lambda d: d.label,
    )
    counts = sorted(
        (registry.get(k) for k in have if registry.get(k).kind == "count"), key=lambda d: d.label
    )
    return [IndicatorChoice(d.key, d.label, d.unit) for d in rates + counts]


def shown_text(
    frame: pd.DataFrame,
    *,
    decimals: int = 1,
    unit: str = "",
    suppressed_text: str = SUPPRESSED_TEXT,
) -> pd.Series:
    """Return each value of a :func:`disclosed` frame as table text (German numbers).

    A ``note`` column (see :func:`with_notes`) adds the reason of a flagged value.

    Examples
    --------
    >>> f = pd.DataFrame({"value": [None, 4.5, None], "suppressed": [True, False, False]})
    >>> shown_text(f, unit="%").tolist()
    ['unterdrückt', '4,5\\xa0%', 'keine Angabe']
    >>> shown_text(f.assign(note=[None, "gerundet", "geheim"]), unit="%").tolist()
    ['unterdrückt', '4,5\\xa0% (gerundet)', 'keine Angabe: geheim']
    >>> shown_text(f.iloc[:0].assign(note=pd.Series(dtype=object))).tolist()
    []
    """
    # object dtype: an indicator without any value (one Stichtag only) gives an empty frame
    text = frame["value"].map(lambda v: german.number(v, decimals=decimals, unit=unit))
    text = text.astype(object).where(frame["value"].notna(), NO_VALUE_TEXT)
    if "note" in frame.columns:
        noted = frame["note"].notna()
        with_value = noted & frame["value"].notna()
        text = text.where(~with_value, text + " (" + frame["note"].astype(str) + ")")
        text = text.where(~(noted & ~with_value), NO_VALUE_TEXT + ": " + frame["note"].astype(str))
    return text.where(~frame["suppressed"].astype(bool), suppressed_text).astype(object)


def with_notes(frame: pd.DataFrame, notes: pd.DataFrame) -> pd.DataFrame:
    """Return a :func:`disclosed` frame with a ``note`` column from :func:`value_notes`.

    Areas and periods that have a note but no row (a flagged value that could not be
    computed) are added without a value, so a table shows their reason.

    Examples
    --------
    >>> when = pd.Timestamp(2020, 12, 31)
    >>> f = pd.DataFrame({"area_id": ["a"], "period": [when], "value": [4.5],
    ...     "suppressed": [False]})
    >>> n = pd.DataFrame({"area_id": ["a", "b"], "period": when, "note": ["gerundet", "geheim"]})
    >>> with_notes(f, n)[["area_id", "value", "note"]].values.tolist()
    [['a', 4.5, 'gerundet'], ['b', nan, 'geheim']]
    """
    keyed = notes.assign(
        area_id=notes["area_id"].astype(str),
        period=pd.to_datetime(notes["period"]).astype("datetime64[ns]"),
    )[["area_id", "period", "note"]]
    base = frame.assign(
        area_id=frame["area_id"].astype(str),
        period=pd.to_datetime(frame["period"]).astype("datetime64[ns]"),
    )
    out = base.merge(keyed, on=["area_id", "period"], how="outer", sort=False)
    out["suppressed"] = out["suppressed"].eq(True)
    out["note"] = out["note"].where(~out["suppressed"], None)
    return out


#: Columns of the area-vs-city table on the Fördergebiet page.
COMPARISON_COLUMNS: dict[str, str] = {
    "area": "Fördergebiet",
    "rest": "übrige Stadt",
    "city": "Stadt insgesamt",
}


def comparison_table(
    shown: pd.DataFrame,
    *,
    decimals: int = 1,
    unit: str = "",
    minimum: int = DEFAULT_MINIMUM,
    level: str | None = None,
) -> pd.DataFrame:
    """Return a :func:`monitoring.renewal.comparison.disclosed_comparison` frame as text.

    The wording is :func:`monitoring.renewal.comparison.comparison_text`'s; the
    columns get the page's headings.

    Examples
    --------
    >>> when = pd.to_datetime(["2023-12-31"])
    >>> d = pd.DataFrame({"area": [None], "rest": [3.14], "city": [None],
    ...     "area_reason": ["suppressed"], "rest_reason": [None], "city_reason": ["no_value"],
    ...     "area_missing": [0], "rest_missing": [0], "city_missing": [2]}, index=when)
    >>> comparison_table(d, unit="%", level="Stadtteil").iloc[0].tolist()
    ['unterdrückt (weniger als 300 Einwohner)', '3,1 %', 'keine Angabe (ohne Wert: 2 Stadtteile)']
    """
    text = comparison_text(shown, decimals=decimals, unit=unit, minimum=minimum, level=level)
    return text[list(COMPARISON_COLUMNS)].rename(columns=COMPARISON_COLUMNS).rename_axis("Stichtag")


def series_table(
    frame: pd.DataFrame,
    *,
    area_names: Mapping[str, str],
    decimals: int = 1,
    unit: str = "",
) -> pd.DataFrame:
    """Return a :func:`disclosed` frame as text, one row per period and one column per area.

    Examples
    --------
    >>> when = pd.to_datetime(["2020-12-31", "2022-12-31"])
    >>> f = pd.DataFrame({"area_id": ["a", "a", "b", "b"], "period": list(when) * 2,
    ...     "value": [3.0, 4.0, None, 5.0], "suppressed": [False, False, True, False]})
    >>> series_table(f, area_names={"a": "Nord"}).values.tolist()
    [['3,0', 'unterdrückt'], ['4,0', '5,0']]
    >>> list(series_table(f, area_names={"a": "Nord"}).columns)
    ['Nord', 'b']
    >>> series_table(f, area_names={}).index.name
    'Stichtag'
    """
    text = frame.assign(text=shown_text(frame, decimals=decimals, unit=unit))
    wide = text.pivot(index="period", columns="area_id", values="text")
    wide = wide.fillna(NO_VALUE_TEXT)
    wide.columns = [area_names.get(str(c), str(c)) for c in wide.columns]
    wide.columns.name = None
    return wide.rename_axis("Stichtag")


def _dot_escape(value: object) -> str:
    """Escape text for the inside of a quoted Graphviz DOT string."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return text.replace("\n", " ").replace("\r", " ")


def network_dot(actors: pd.DataFrame, links: pd.DataFrame) -> str:
    r"""Return the actor network as Graphviz DOT (labels quoted; nothing read as markup).

    Node shape tells the actor type apart; the line width is the number of shared
    projects and bodies.

    Parameters
    ----------
    actors
        ``id, name, type`` (e.g. :func:`monitoring.neighbourhood.network.network_table`).
    links
        ``actor_a, actor_b, weight`` (e.g. :func:`monitoring.neighbourhood.network.links_table`).

    Examples
    --------
    >>> actors = pd.DataFrame({"id": ["a", "b"], "name": ['Verein "Hof"', "Schule"],
    ...                        "type": ["Verein", "Schule"]})
    >>> links = pd.DataFrame({"actor_a": ["a"], "actor_b": ["b"], "weight": [2]})
    >>> print(network_dot(actors, links))
    graph {
      graph [overlap=false, splines=true];
      node [style=filled, fillcolor="#e8eef7", fontname="sans-serif", fontsize=10];
      "a" [label="Verein \"Hof\"\n(Verein)", shape=box];
      "b" [label="Schule\n(Schule)", shape=ellipse];
      "a" -- "b" [penwidth=2];
    }
    """
    shapes = ("ellipse", "box", "hexagon", "octagon", "diamond", "house", "component")
    types = sorted(set(actors["type"].astype(str)))
    shape = {t: shapes[i % len(shapes)] for i, t in enumerate(types)}
    lines = [
        "graph {",
        "  graph [overlap=false, splines=true];",
        '  node [style=filled, fillcolor="#e8eef7", fontname="sans-serif", fontsize=10];',
    ]
    for ident, name, kind in zip(actors["id"], actors["name"], actors["type"].astype(str)):
        label = f'"{_dot_escape(name)}\\n({_dot_escape(kind)})"'
        lines.append(f'  "{_dot_escape(ident)}" [label={label}, shape={shape[kind]}];')
    for a, b, weight in zip(links["actor_a"], links["actor_b"], links["weight"]):
        width = min(6, max(1, int(weight)))
        lines.append(f'  "{_dot_escape(a)}" -- "{_dot_escape(b)}" [penwidth={width}];')
    lines.append("}")
    return "\n".join(lines)


def fund_ledger(income: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """Return a fund's income and decisions as one ledger in date order, with the balance.

    Examples
    --------
    >>> inc = pd.DataFrame({"received": pd.to_datetime(["2024-01-10"]), "source": ["privat"],
    ...                     "amount": [500.0]})
    >>> dec = pd.DataFrame({"decided": pd.to_datetime(["2024-03-01"]), "title": ["Fest"],
    ...                     "amount": [200.0]})
    >>> fund_ledger(inc, dec)[["Vorgang", "Saldo (€)"]].values.tolist()
    [['Einnahme: privat', 500.0], ['Entscheidung: Fest', 300.0]]
    """
    rows = pd.concat(
        [
            pd.DataFrame(
                {
                    "Datum": pd.to_datetime(income["received"]),
                    "Vorgang": "Einnahme: " + income["source"].astype(str),
                    "Betrag (€)": income["amount"].astype(float),
                }
            ),
            pd.DataFrame(
                {
                    "Datum": pd.to_datetime(decisions["decided"]),
                    "Vorgang": "Entscheidung: " + decisions["title"].fillna("").astype(str),
                    "Betrag (€)": -decisions["amount"].astype(float),
                }
            ),
        ],
        ignore_index=True,
    )
    rows = rows.sort_values("Datum", kind="stable", na_position="last").reset_index(drop=True)
    rows["Saldo (€)"] = rows["Betrag (€)"].cumsum()
    return rows


def table_points(
    frame: pd.DataFrame,
    *,
    x: str | None = None,
    y: str | None = None,
    wkt: str | None = None,
    crs: str,
) -> gpd.GeoDataFrame:
    """Return the rows of a table with a geometry from x/y or WKT columns, for a preview.

    Rows whose coordinates do not parse are left out (the import reports them).

    Examples
    --------
    >>> t = pd.DataFrame({"id": ["a", "b"], "x": ["500000", "kaputt"], "y": [5700000, 1]})
    >>> table_points(t, x="x", y="y", crs="EPSG:25832")["id"].tolist()
    ['a']
    """
    if wkt is not None:
        geoms = shapely.from_wkt(frame[wkt].astype(str).to_numpy(), on_invalid="ignore")
    elif x is not None and y is not None:
        xs = pd.to_numeric(frame[x], errors="coerce").to_numpy(dtype="float64")
        ys = pd.to_numeric(frame[y], errors="coerce").to_numpy(dtype="float64")
        geoms = np.asarray(shapely.points(xs, ys), dtype=object)
        geoms[np.isnan(xs) | np.isnan(ys)] = None
    else:
        geoms = np.full(len(frame), None, dtype=object)
    out = gpd.GeoDataFrame(frame.copy(), geometry=list(geoms), crs=crs)
    return out[out.geometry.notna() & ~out.geometry.is_empty]


#: Local Moran clusters on the map: code, quadrant, colour (neutral greys, no alarm colours)
CLUSTER_CODES: tuple[tuple[float, str, str], ...] = (
    (1.0, "HH", "#404040"),
    (2.0, "HL", "#7f7f7f"),
    (3.0, "LH", "#b2b2b2"),
    (4.0, "LL", "#dcdcdc"),
    (0.0, "ns", "#f7f7f7"),
)


def cluster_categories(labels: Mapping[str, str]) -> tuple[tuple[float, str, str], ...]:
    """Return (code, label, colour) of the cluster classes for the map legend.

    Examples
    --------
    >>> cluster_categories({"HH": "hoch, umgeben von hoch"})[0]
    (1.0, 'HH: hoch, umgeben von hoch', '#404040')
    """
    return tuple(
        (code, f"{quad}: {labels.get(quad, quad)}", colour) for code, quad, colour in CLUSTER_CODES
    )


def cluster_values(clusters: pd.Series) -> pd.Series:
    """Return the map code of each area's cluster (NaN where the area has no value).

    Examples
    --------
    >>> cluster_values(pd.Series(["HH", "ns", None], index=["a", "b", "c"])).tolist()
    [1.0, 0.0, nan]
    """
    codes = {quad: code for code, quad, _ in CLUSTER_CODES}
    return clusters.map(lambda q: codes.get(q, np.nan) if isinstance(q, str) else np.nan).astype(
        "float64"
    )


_REASONS: tuple[tuple[str, str], ...] = (
    (r"^no id$", "keine Kennung"),
    (r"^excluded \(flagged as outlier\)$", "ausgeschlossen (als Ausreißer gekennzeichnet)"),
    (r"^no population$", "keine Einwohnerzahl"),
    (r"^fewer than (\S+) residents$", r"weniger als \1 Einwohner"),
    (r"^no value of (\S+)$", r"kein Wert für \1"),
    (r"^outlier in (\S+) \(\|z\| > (\S+)\)$", r"Ausreißer bei \1 (|z| > \2)"),
)


def german_reason(reason: object) -> str | None:
    """Return the social index's reason for an unassigned area in German.

    The index engine states its reasons in English (they are part of its CSV output);
    the app shows them in German. An unknown text is shown as it is.

    Examples
    --------
    >>> german_reason("fewer than 300 residents")
    'weniger als 300 Einwohner'
    >>> german_reason("outlier in S1 (|z| > 3)")
    'Ausreißer bei S1 (|z| > 3)'
    >>> german_reason(None) is None
    True
    """
    if not isinstance(reason, str):
        return None
    for pattern, text in _REASONS:
        if re.match(pattern, reason):
            return re.sub(pattern, text, reason)
    return reason
