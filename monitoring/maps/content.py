"""What a map view shows, read from a store: values after disclosure, classes, layers.

:func:`map_content` composes a view of the Karte page (:class:`~monitoring.maps.view.MapView`)
from the store: the indicator values of one level and Stichtag after disclosure control
(:func:`indicators.disclosure.disclosed`, the method profile's minimum population), the
suppressed areas, the :class:`geo.webmap.ChoroplethSpec` with its classes, the funding
areas, the filtered measures and the sources. The app's Karte page draws it as a web map,
``qmon map`` and the page's print button as a PDF or PNG (:mod:`monitoring.maps.printing`):
one composition, so both show the same.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

import geopandas as gpd
import pandas as pd

from geo import german
from geo.store.base import Store
from geo.webmap import ChoroplethSpec, Palette, sequential_colours
from indicators import stored
from indicators.disclosure import disclosed
from indicators.errors import IndicatorError, ProfileError
from indicators.registry import Registry
from indicators.social_index import IndexProfile, compute_index, missing_indicators
from monitoring import catalogue
from monitoring.maps.measures import filter_measures, measure_frame
from monitoring.maps.values import (
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
from monitoring.maps.view import MapView, MapViewError
from monitoring.messages import render
from monitoring.renewal.measures import hide_archived

#: Units whose values are whole numbers on the map.
WHOLE_UNITS: tuple[str, ...] = ("Personen", "Wohnungen")
#: The palette of the social index status classes (greys: a class is no judgement).
STATUS_PALETTE: Palette = "neutral"


def value_decimals(unit: str) -> int:
    """Decimals of an indicator's values on the map: none for counts of people and dwellings.

    Examples
    --------
    >>> value_decimals("Personen"), value_decimals("%")
    (0, 1)
    """
    return 0 if unit in WHOLE_UNITS else 1


def status_categories(profile: IndexProfile) -> tuple[tuple[float, str, str], ...]:
    """(code, label, colour) of the social index status classes as the map shows them.

    Examples
    --------
    >>> from indicators.social_index import load_profile
    >>> [c[1] for c in status_categories(load_profile("berlin-mss-2021"))][:2]
    ['1 hoch', '2 mittel']
    """
    colours = sequential_colours(len(profile.status_classes), palette=STATUS_PALETTE)
    return index_categories(profile, colours=colours)


@dataclass(frozen=True)
class MapOptions:
    """What a level offers to choose from: indicators and Stichtage (ISO dates, in order)."""

    level: str
    levels: tuple[str, ...]
    choices: tuple[IndicatorChoice, ...]
    periods: tuple[str, ...]
    profile: IndexProfile
    minimum: int


@dataclass(frozen=True)
class MapContent:
    """What a map view shows; geometry in the store's CRS.

    ``shown`` holds the values after disclosure control (suppressed ids apart); ``spec``
    the choropleth's title, unit, classes and colours (with the suppressed label);
    ``messages`` German notes for the reader (no values stored, no resident counts, an
    index that cannot be computed): the app shows them beside the map, the print under it.
    """

    view: MapView
    level: str
    indicator: str | None
    period: str
    shown: ShownValues
    spec: ChoroplethSpec
    areas: gpd.GeoDataFrame
    funding_areas: gpd.GeoDataFrame
    programme_names: Mapping[str, str]
    measures: gpd.GeoDataFrame
    sources: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)


def names(frame: pd.DataFrame, *, label: str = "name") -> dict[str, str]:
    """Return id -> name of a frame with ``id`` and a name column, in id order.

    Examples
    --------
    >>> names(pd.DataFrame({"id": ["b", "a"], "name": ["B", None]}))
    {'a': 'a', 'b': 'B'}
    """
    if frame.empty:
        return {}
    ordered = frame.sort_values("id")
    return {
        str(i): str(n) if isinstance(n, str) and n else str(i)
        for i, n in zip(ordered["id"], ordered[label])
    }


def stored_levels(store: Store) -> list[str]:
    """Return the levels with indicator values (or, without any, the levels of the areas)."""
    with_values = store.read("indicator_values", columns=["level"])["level"].unique()
    return sorted(with_values) or sorted(store.read("areas", columns=["level"])["level"].unique())


def hidden_label(minimum: int) -> str:
    """Return the legend label of suppressed areas.

    Examples
    --------
    >>> hidden_label(300)
    'unterdrückt (weniger als 300 Einwohner)'
    """
    return f"unterdrückt (weniger als {german.number(minimum)} Einwohner)"


def social_index_at(
    values: pd.DataFrame, registry: Registry, profile: IndexProfile, period: pd.Timestamp
) -> pd.DataFrame:
    """Return the social index recomputed from the stored counts at ``period``, by area id.

    Raises
    ------
    ProfileError
        When the stored values lack an indicator of the profile (the message lists them).
    """
    at_period = values.loc[pd.to_datetime(values["period"]) == pd.Timestamp(period), "indicator"]
    lacking = missing_indicators(profile, registry, set(at_period))
    if lacking:
        raise ProfileError("; ".join(lacking))
    table = stored.index_inputs(values, registry, profile, period=period)
    result = compute_index(
        table, profile, id_column="area_id", population_column=stored.POPULATION_COLUMN
    )
    return result.set_index("id")


@dataclass(frozen=True)
class MapFrames:
    """The stored frames a map of one level is composed from (see :func:`read_map_frames`).

    ``measures`` are :func:`monitoring.maps.measures.measure_frame`'s (with programme,
    funding-area name, fields and year); ``geobasis`` names the file the level's areas
    were imported from, where the store recorded it.
    """

    level: str
    levels: tuple[str, ...]
    values: pd.DataFrame
    areas: gpd.GeoDataFrame
    funding_areas: gpd.GeoDataFrame
    programmes: pd.DataFrame
    measures: gpd.GeoDataFrame
    registry: Registry
    profile: IndexProfile
    geobasis: str | None = None


def check_level(levels: list[str] | tuple[str, ...], level: str | None) -> str:
    """Return ``level``, or the first of ``levels`` for None.

    Raises
    ------
    MapViewError
        For a level that is not stored, or when no level is.

    Examples
    --------
    >>> check_level(["Bezirk", "Planungsraum"], None)
    'Bezirk'
    >>> check_level(["Bezirk"], "Block")
    Traceback (most recent call last):
    ...
    monitoring.maps.view.MapViewError: Die Gebietsebene „Block“ ist nicht gespeichert; \
gespeichert sind: Bezirk
    """
    if not levels:
        raise MapViewError(render("map.no_areas"), param="ebene", value=level)
    chosen = level if level is not None else levels[0]
    if chosen not in levels:
        raise MapViewError(
            render("map.no_level", value=chosen, known=", ".join(levels)),
            param="ebene",
            value=chosen,
        )
    return chosen


def read_map_frames(store: Store, level: str | None = None) -> MapFrames:
    """Read what a map of ``level`` (None: the first stored level) is composed from.

    Raises
    ------
    MapViewError
        For a level that is not stored, or a store without areas.
    """
    levels = stored_levels(store)
    chosen = check_level(levels, level)
    funding = store.read("funding_areas")
    return MapFrames(
        level=chosen,
        levels=tuple(levels),
        values=store.read("indicator_values", where={"level": chosen}),
        areas=store.read("areas", where={"level": chosen}),
        funding_areas=funding,
        programmes=store.read("programmes"),
        measures=measure_frame(store.read("measures"), funding, store.read("measure_fields")),
        registry=catalogue.registry_for(store),
        profile=catalogue.default_profile(store),
        geobasis=geobasis(store, chosen),
    )


def map_options(frames: MapFrames) -> MapOptions:
    """Return the indicators and Stichtage the level of ``frames`` offers, in the app's order."""
    values = frames.values
    choices = indicator_choices(
        frames.registry,
        values["indicator"].unique(),
        profile=frames.profile,
        periods=values["period"].nunique(),
    )
    periods = tuple(sorted({pd.Timestamp(p).date().isoformat() for p in values["period"]}))
    return MapOptions(
        frames.level,
        frames.levels,
        tuple(choices),
        periods,
        frames.profile,
        int(frames.profile.min_population),
    )


def map_content(frames: MapFrames, view: MapView) -> MapContent:
    """Return what ``view`` shows: values after disclosure, classes, funding areas, measures.

    A level, indicator or Stichtag of None is the first level, the first indicator the
    app offers (the social index where it can be computed) and the latest Stichtag.

    Parameters
    ----------
    frames
        The stored frames of the view's level (:func:`read_map_frames`; the app passes
        its cached ones).
    view
        The view (the Karte page's URL parameters).

    Raises
    ------
    MapViewError
        For a level other than the frames', or an indicator or Stichtag that is not
        stored (the message lists the stored ones).
    """
    if view.level is not None and view.level != frames.level:
        check_level(frames.levels, view.level)  # an unknown level: its own message
        raise MapViewError(
            render("map.no_level", value=view.level, known=frames.level),
            param="ebene",
            value=view.level,
        )
    options = map_options(frames)
    level, profile, registry = frames.level, frames.profile, frames.registry
    minimum = options.minimum
    values = frames.values
    messages: list[str] = []
    warnings: list[str] = []
    sources: list[str] = []
    indicator: str | None = None
    period = ""
    if not options.choices:
        shown = ShownValues(pd.Series(dtype="float64"), frozenset())
        spec = ChoroplethSpec("ohne Indikator")
    else:
        by_key = {c.key: c for c in options.choices}
        indicator = view.indicator if view.indicator is not None else options.choices[0].key
        if indicator not in by_key:
            known = ", ".join(f"{c.key} ({c.label})" for c in options.choices)
            raise MapViewError(
                render("map.no_indicator", value=indicator, level=level, known=known),
                param="indikator",
                value=indicator,
            )
        period = view.period if view.period is not None else options.periods[-1]
        if period not in options.periods:
            known = ", ".join(german.date(p) for p in options.periods)
            raise MapViewError(
                render("map.no_period", value=german.date(period), level=level, known=known),
                param="stichtag",
                value=period,
            )
        when = pd.Timestamp(period)
        choice = by_key[indicator]
        label = hidden_label(minimum)
        if indicator == INDEX_STATUS:
            shown, failure = _index_values(values, registry, profile, when, minimum)
            if failure:
                warnings.append(failure)
            categories = status_categories(profile)
            spec = ChoroplethSpec(
                "Sozialindex (Status)", categories=categories, suppressed_label=label
            )
            keys = [str(i.indicator) for i in profile.status]
        else:
            long = disclosed(
                stored.indicator_series(values, registry, indicator),
                values,
                indicator=indicator,
                minimum=minimum,
                without_population="show",
            )
            note = population_note(values, minimum=minimum, level=level)
            if note:
                messages.append(note)
            spec = ChoroplethSpec(
                choice.label,
                unit=choice.unit,
                scheme=view.scheme,  # type: ignore[arg-type]
                k=view.k,
                palette=view.palette,  # type: ignore[arg-type]
                decimals=value_decimals(choice.unit),
                suppressed_label=label,
            )
            notes = value_notes(values, registry, indicator)
            shown = values_at(long, when, notes=notes)
            keys = [indicator]
        sources = _sources(values, registry, keys, when)
    if frames.geobasis:
        sources.append(f"Geobasis: {frames.geobasis}")
    measures = hide_archived(
        filter_measures(
            frames.measures,
            programmes=view.programmes,
            funding_areas=view.funding_areas,
            fields=view.fields,
            statuses=view.statuses,
            year=view.year,
        )
    )
    funding = frames.funding_areas
    return MapContent(
        view=view,
        level=level,
        indicator=indicator,
        period=period,
        shown=shown,
        spec=spec,
        areas=frames.areas[["id", "name", "geometry"]],
        funding_areas=funding[["id", "name", "programme_id", "geometry"]],
        programme_names=names(frames.programmes),
        measures=measures,
        sources=tuple(sources),
        messages=tuple(messages),
        warnings=tuple(warnings),
    )


def store_map_content(store: Store, view: MapView) -> MapContent:
    """Return what ``view`` shows of ``store`` (:func:`read_map_frames`, :func:`map_content`).

    Raises
    ------
    MapViewError
        For a level, indicator or Stichtag that is not stored.
    """
    return map_content(read_map_frames(store, view.level), view)


def _index_values(
    values: pd.DataFrame,
    registry: Registry,
    profile: IndexProfile,
    when: pd.Timestamp,
    minimum: int,
) -> tuple[ShownValues, str | None]:
    """The status classes of the social index at ``when`` after disclosure; why not, if not."""
    failure = None
    try:
        index = social_index_at(values, registry, profile, when)
        classes = pd.DataFrame(
            {"area_id": index.index, "period": when, "value": index["status_class"]}
        )
    except IndicatorError as exc:
        at = values.loc[pd.to_datetime(values["period"]) == when, "indicator"]
        gaps = index_gaps(profile, registry, set(at))
        reason = (
            render("map.index_gaps", gaps=german.ordinal_list(gaps))
            if gaps
            else str(exc).rstrip(".")
        )
        failure = render("map.index_failed", reason=reason)
        classes = pd.DataFrame({"area_id": [], "period": [], "value": []})
    shown = values_at(
        disclosed(
            classes, values, indicator=INDEX_STATUS, minimum=minimum, without_population="show"
        ),
        when,
    )
    return shown, failure


def _sources(
    values: pd.DataFrame, registry: Registry, keys: list[str], when: pd.Timestamp
) -> list[str]:
    """The stored sources of the values behind ``keys`` at ``when`` (a rate: its counts)."""
    if "source" not in values.columns:
        return []
    wanted: list[str] = []
    for key in keys:
        if key in set(values["indicator"]):
            wanted.append(key)
        elif key in registry:
            d = registry.get(key)
            wanted += [k for k in (d.numerator, d.denominator) if k]
    rows = values[values["indicator"].isin(wanted)]
    at = rows[pd.to_datetime(rows["period"]) == when]
    found = (at if len(at) else rows)["source"].dropna().astype(str)
    return sorted({s.strip() for s in found if s.strip()})


def geobasis(store: Store, level: str) -> str | None:
    """The file the areas of ``level`` were last imported from (its name), if recorded."""
    batches = store.read("import_batches")
    batches = batches[(batches["kind"] == "areas") & batches["undone_at"].isna()]
    for _, row in batches.sort_values("at", ascending=False, kind="stable").iterrows():
        try:
            summary = json.loads(row["summary"] or "{}")
        except ValueError:
            summary = {}
        levels = {str(v) for k, v in _flat(summary) if k in ("level", "ebene")}
        if levels and level not in levels:
            continue
        source = str(row["source"] or "").strip()
        if source:
            return PurePath(source.split("|")[0]).name or source
    return None


def _flat(data: object) -> list[tuple[str, object]]:
    """Every (key, value) of nested dicts and lists."""
    out: list[tuple[str, object]] = []
    if isinstance(data, dict):
        for k, v in data.items():
            out.append((str(k), v))
            out += _flat(v)
    elif isinstance(data, list):
        for v in data:
            out += _flat(v)
    return out
