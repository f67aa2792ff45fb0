"""The funding area against the rest of the city, over time, for any indicator.

Indicator counts are kept per statistical area (e.g. Planungsraum). A funding area
rarely follows those boundaries exactly, so its counts are estimated by areal
weighting: each statistical area contributes the share of its surface that lies in
the funding area. Rates are then recomputed from the interpolated numerators and
denominators, never averaged (../shared/DOMAIN.md §6, indicators issue).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo import german
from geo.levels import level_label, level_plural
from geo.webmap import NO_VALUE_TEXT, SUPPRESSED_TEXT, format_value
from indicators.disclosure import DEFAULT_MINIMUM
from indicators.errors import AggregationError
from indicators.interpolation import area_weights
from indicators.registry import KIND_LABELS, Registry
from monitoring.messages import render


def overlap_weights(areas: gpd.GeoDataFrame, target: BaseGeometry) -> pd.Series:
    """Return, per area id, the share of the area's surface that lies inside ``target``.

    The weights come from :func:`indicators.interpolation.area_weights` (the areal
    interpolation the indicators package tests against tobler); areas outside get 0.

    Notes
    -----
    w_i = |A_i ∩ T| / |A_i|.

    Examples
    --------
    >>> import shapely
    >>> areas = gpd.GeoDataFrame({"id": ["a", "b"]}, crs="EPSG:25832",
    ...                          geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> overlap_weights(areas, shapely.box(5, 0, 20, 10)).to_dict()
    {'a': 0.5, 'b': 1.0}
    """
    ids = areas["id"].to_numpy()
    source = gpd.GeoDataFrame(geometry=areas.geometry.to_numpy(), index=ids, crs=areas.crs)
    target_layer = gpd.GeoDataFrame(geometry=[target], crs=areas.crs)
    table = area_weights(source, target_layer)
    weights = table.groupby("source")["weight"].sum().reindex(ids, fill_value=0.0)
    return pd.Series(np.clip(weights.to_numpy(dtype=float), 0.0, 1.0), index=ids, name="weight")


def _count_series(values: pd.DataFrame, key: str, weights: pd.Series) -> pd.DataFrame:
    """Return per period the weighted sum (area), the rest and the city total of a count."""
    rows = values[(values["indicator"] == key) & values["area_id"].isin(weights.index)]
    rows = rows[rows["value"].notna()]
    if rows.empty:
        raise AggregationError(render("comparison.no_values", indicator=key))
    w = rows["area_id"].map(weights).to_numpy(dtype=float)
    v = rows["value"].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "period": pd.to_datetime(rows["period"]).to_numpy(),
            "area": w * v,
            "rest": (1 - w) * v,
            "city": v,
        }
    )
    return frame.groupby("period").sum().sort_index()


def _lacking(values: pd.DataFrame, keys: list[str], weights: pd.Series) -> pd.DataFrame:
    """Per period, how many areas lack a value of any of ``keys`` that would contribute.

    ``area_missing`` counts areas overlapping the target (w > 0), ``rest_missing``
    those not wholly inside it (w < 1), ``city_missing`` all areas.
    """
    rows = values[values["indicator"].isin(keys) & values["area_id"].isin(weights.index)]
    periods = sorted(pd.to_datetime(rows["period"]).unique())
    known = rows[rows["value"].notna()]
    # per (area, period): how many of the keys have a value; fewer than all = lacking
    present = (
        pd.DataFrame(
            {
                "area": known["area_id"].astype(str).to_numpy(),
                "period": pd.to_datetime(known["period"]).to_numpy(),
                "indicator": known["indicator"].astype(str).to_numpy(),
            }
        )
        .drop_duplicates()
        .groupby(["area", "period"])
        .size()
        .unstack("period", fill_value=0)
    )
    needed = len({str(k) for k in keys})
    ids = [str(a) for a in weights.index]
    w = weights.to_numpy(dtype=float)
    out = []
    for period in periods:
        when = pd.Timestamp(period)
        counts = (
            present[when].reindex(ids, fill_value=0).to_numpy()
            if when in present.columns
            else np.zeros(len(ids))
        )
        lack = counts < needed
        out.append(
            {
                "period": when,
                "area_missing": int((lack & (w > 0)).sum()),
                "rest_missing": int((lack & (w < 1)).sum()),
                "city_missing": int(lack.sum()),
            }
        )
    return pd.DataFrame(out, columns=["period", *MISSING_COLUMNS]).set_index("period")


#: Columns of :func:`area_vs_rest` that count the areas without a value per period.
MISSING_COLUMNS: tuple[str, ...] = ("area_missing", "rest_missing", "city_missing")


def area_vs_rest(
    values: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    target: BaseGeometry,
    indicator: str,
    *,
    registry: Registry,
    weights: pd.Series | None = None,
) -> pd.DataFrame:
    """Return an indicator for the funding area, the rest of the city and the city, per period.

    Parameters
    ----------
    values
        Long indicator values on ``areas``: ``area_id, indicator, period, value``.
    areas
        The statistical areas of one level and vintage (``id``, geometry), covering the
        city, in the CRS of ``target``.
    target
        The funding area's polygon.
    indicator
        A count, or a share/rate with numerator and denominator in ``registry``.
    registry
        The indicator definitions.
    weights
        :func:`overlap_weights` of ``areas`` and ``target``, if already computed (a
        report compares many indicators for the same funding area).

    Returns
    -------
    pandas.DataFrame
        Indexed by period: ``area, rest, city, gap`` (gap = area − rest), for
        rates the numerators and denominators (``area_num``, ``area_den``, …), and
        ``area_missing, rest_missing, city_missing``: how many statistical areas that
        would contribute to the part have no value in that period (the part's figure
        is then incomplete; see :func:`disclosed_comparison`).

    Raises
    ------
    indicators.errors.AggregationError
        For an indicator that is neither a count nor derived from counts, or without
        values on the areas.

    Notes
    -----
    counts: X_FA = Σ_i w_i x_i, X_rest = Σ_i (1 − w_i) x_i; rates:
    R = factor · Σ_i w_i n_i / Σ_i w_i d_i (and with 1 − w_i for the rest).

    Examples
    --------
    >>> import shapely
    >>> from indicators.registry import load_registry
    >>> areas = gpd.GeoDataFrame({"id": ["a", "b"]}, crs="EPSG:25832",
    ...                          geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> values = pd.DataFrame({"area_id": ["a", "b", "a", "b"],
    ...     "indicator": ["unemployed", "unemployed", "residents_15_64", "residents_15_64"],
    ...     "period": pd.to_datetime(["2020-12-31"] * 4), "value": [30.0, 10.0, 300.0, 500.0]})
    >>> out = area_vs_rest(values, areas, shapely.box(0, 0, 10, 10), "unemployment_rate",
    ...                    registry=load_registry())
    >>> out[["area", "rest", "city", "gap"]].round(1).values.tolist()
    [[10.0, 2.0, 5.0, 8.0]]
    """
    definition = registry.get(indicator)
    if weights is None:
        weights = overlap_weights(areas, target)
    if definition.kind == "count":
        out = _count_series(values, indicator, weights)
    elif definition.derived and definition.formula == "ratio":
        assert definition.numerator is not None and definition.denominator is not None
        num = _count_series(values, definition.numerator, weights)
        den = _count_series(values, definition.denominator, weights)
        num, den = num.align(den, join="inner")
        ratio = num / den.where(den != 0) * definition.factor
        out = ratio.copy()
        for part in ("area", "rest", "city"):
            out[f"{part}_num"], out[f"{part}_den"] = num[part], den[part]
    else:
        raise AggregationError(
            render(
                "comparison.not_carried",
                indicator=indicator,
                label=definition.label,
                kind=KIND_LABELS.get(definition.kind, definition.kind),
            )
        )
    out["gap"] = out["area"] - out["rest"]
    keys = [indicator]
    if definition.kind != "count":
        keys = [str(definition.numerator), str(definition.denominator)]
    lacking = _lacking(values, keys, weights)
    lacking.index = lacking.index.astype(out.index.dtype)
    out = out.join(lacking, how="left")
    out.index.name = "period"
    return out


Reason = Literal["suppressed", "no_value"]
PARTS: tuple[str, ...] = ("area", "rest", "city")


def disclosed_comparison(
    table: pd.DataFrame,
    residents: pd.DataFrame | None,
    *,
    indicator: str,
    minimum: int = DEFAULT_MINIMUM,
    population: str = "residents",
) -> pd.DataFrame:
    """Return the comparison as it may be shown: suppressed and missing figures kept apart.

    A part (funding area, rest of the city, city) whose estimated residents are
    fewer than ``minimum`` (or unknown) is *suppressed*, as any small area is (the
    resident count itself stays visible). A part for which a contributing
    statistical area has no value is *no value*: its sum would silently leave that
    area out.

    Parameters
    ----------
    table
        :func:`area_vs_rest` of the indicator.
    residents
        :func:`area_vs_rest` of the residents, or None when the store holds no
        resident counts at all: then nothing can be judged and the figures are shown
        as computed (the caller says so, as the map does for published shares).
    indicator
        The indicator's key (the population's own figures are never suppressed).
    minimum
        The minimum population (the method profile's ``min_population``).
    population
        The key of the residents' count.

    Returns
    -------
    pandas.DataFrame
        Indexed by period: ``area, rest, city`` (NaN where not shown) and
        ``area_reason, rest_reason, city_reason``: None (shown), ``"suppressed"``
        or ``"no_value"``; ``*_missing`` as in ``table``.

    Examples
    --------
    >>> when = pd.to_datetime(["2022-12-31", "2023-12-31"])
    >>> t = pd.DataFrame({"area": [4.0, 5.0], "rest": [3.0, 3.1], "city": [3.2, 3.3],
    ...     "area_missing": [0, 1], "rest_missing": [0, 0], "city_missing": [0, 1]}, index=when)
    >>> r = pd.DataFrame({"area": [250.0, 400.0], "rest": [9000.0] * 2, "city": [9250.0, 9400.0]},
    ...     index=when)
    >>> out = disclosed_comparison(t, r, indicator="unemployment_rate")
    >>> out[["area", "rest", "city"]].values.tolist()
    [[nan, 3.0, 3.2], [nan, 3.1, nan]]
    >>> out[["area_reason", "city_reason"]].values.tolist()
    [['suppressed', None], ['no_value', 'no_value']]
    """
    out = pd.DataFrame(index=table.index)
    for part in PARTS:
        values = table[part].astype(float)
        lacking = table.get(f"{part}_missing", pd.Series(0, index=table.index)).fillna(0) > 0
        no_value = values.isna() | lacking
        if indicator == population or residents is None:
            small = pd.Series(False, index=table.index)
        else:
            pop = residents[part].astype(float).reindex(table.index)
            small = ~(pop >= minimum)  # unknown population counts as small
        absent, small_ = values.isna().to_numpy(), small.to_numpy(dtype=bool)
        reason: list[Reason | None] = [
            "no_value" if a else "suppressed" if m else "no_value" if n else None
            for a, m, n in zip(absent, small_, no_value.to_numpy(dtype=bool))
        ]
        shown = np.array([r is None for r in reason], dtype=bool)
        out[part] = values.where(shown)
        out[f"{part}_reason"] = pd.Series(reason, index=table.index, dtype=object)
        out[f"{part}_missing"] = table.get(f"{part}_missing", pd.Series(0, index=table.index))
    return out


def gap_change(comparison: pd.DataFrame, *, since: pd.Timestamp) -> Mapping[str, float]:
    """Return the gap at the first period on or after ``since`` and at the latest, and the change.

    Examples
    --------
    >>> c = pd.DataFrame({"gap": [5.0, 4.0, 3.0]},
    ...                  index=pd.to_datetime(["2014-12-31", "2015-12-31", "2016-12-31"]))
    >>> gap_change(c, since=pd.Timestamp("2015-01-01"))
    {'start': 4.0, 'latest': 3.0, 'change': -1.0}
    """
    after = comparison[comparison.index >= since]["gap"].dropna()
    if after.empty:
        raise AggregationError(render("comparison.nothing_since", since=german.date(since)))
    start, latest = float(after.iloc[0]), float(after.iloc[-1])
    return {"start": start, "latest": latest, "change": latest - start}


def pick_values(values: pd.DataFrame) -> tuple[pd.DataFrame, str | None, str | None]:
    """Keep the level and vintage with the most values, and per indicator one edition.

    Returns
    -------
    tuple
        The kept rows, the level and the vintage (None, None when there are no rows).

    Examples
    --------
    >>> v = pd.DataFrame({"level": ["PR", "PR", "PR", "BZ"], "vintage": ["2020"] * 4,
    ...     "indicator": ["residents"] * 4, "area_id": ["a", "a", "b", "x"],
    ...     "edition": ["amt", "neu", "amt", "amt"], "value": [1.0, 2.0, 3.0, 4.0]})
    >>> kept, level, vintage = pick_values(v)
    >>> (level, vintage, kept["value"].tolist())
    ('PR', '2020', [1.0, 3.0])
    """
    if values.empty:
        return values, None, None
    sizes = values.groupby(["level", "vintage"]).size().reset_index(name="n")
    best = sizes.sort_values(["n", "level", "vintage"], ascending=[False, True, True]).iloc[0]
    level, vintage = str(best["level"]), str(best["vintage"])
    rows = values[(values["level"] == level) & (values["vintage"] == vintage)]
    editions = rows.groupby(["indicator", "edition"]).size().reset_index(name="n")
    editions = editions.sort_values(["indicator", "n", "edition"], ascending=[True, False, True])
    chosen = set(map(tuple, editions.drop_duplicates("indicator")[["indicator", "edition"]].values))
    keep = [(i, e) in chosen for i, e in zip(rows["indicator"], rows["edition"])]
    return rows[keep], level, vintage


def comparison_text(
    shown: pd.DataFrame,
    *,
    decimals: int = 1,
    unit: str = "",
    minimum: int = DEFAULT_MINIMUM,
    level: str | None = None,
) -> pd.DataFrame:
    """Return the figures of :func:`disclosed_comparison` as German text, with the gap.

    A suppressed figure reads ``unterdrückt (weniger als N Einwohner)``, a missing
    one ``keine Angabe`` with the number of statistical areas (named by their
    ``level``) whose value is missing; the gap is shown only where both the funding
    area and the rest are.

    Examples
    --------
    >>> when = pd.to_datetime(["2023-12-31"])
    >>> d = pd.DataFrame({"area": [4.0], "rest": [3.14], "city": [None],
    ...     "area_reason": [None], "rest_reason": [None], "city_reason": ["no_value"],
    ...     "area_missing": [0], "rest_missing": [0], "city_missing": [1]}, index=when)
    >>> comparison_text(d, unit="%", level="Ortsteil").iloc[0].tolist()
    ['4,0 %', '3,1 %', 'keine Angabe (ohne Wert: 1 Ortsteil)', '0,9 %']
    """
    out = pd.DataFrame(index=shown.index)
    for part in PARTS:
        missing = shown.get(f"{part}_missing", pd.Series(0, index=shown.index)).fillna(0)
        out[part] = [
            _cell_text(v, r, int(n), decimals=decimals, unit=unit, minimum=minimum, level=level)
            for v, r, n in zip(shown[part], shown[f"{part}_reason"], missing)
        ]
    gap = shown["area"].astype(float) - shown["rest"].astype(float)
    out["gap"] = [
        format_value(g, decimals=decimals, unit=unit) if pd.notna(g) else "–" for g in gap
    ]
    return out


def _cell_text(
    value: object,
    reason: object,
    missing: int,
    *,
    decimals: int,
    unit: str,
    minimum: int,
    level: str | None,
) -> str:
    """One figure of the comparison as text (see :func:`comparison_text`)."""
    if reason == "suppressed":
        return f"{SUPPRESSED_TEXT} (weniger als {minimum} Einwohner)"
    if reason == "no_value" or value is None or pd.isna(value):  # type: ignore[call-overload]
        if not missing:
            return NO_VALUE_TEXT
        what = level_label(level) if missing == 1 else level_plural(level or "")
        return f"{NO_VALUE_TEXT} (ohne Wert: {missing} {what})"
    return format_value(float(value), decimals=decimals, unit=unit)  # type: ignore[arg-type]
