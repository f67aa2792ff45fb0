"""The public layers of a store: what may leave the house for a geoportal, a service, QGIS.

One place decides what is public, so the feature service (``qmon serve``), the
interchange export (``qmon export --public``) and the QGIS layers show the same:

- ``foerdergebiete``: the funding areas (Gesamtmaßnahmen) with programme and status;
- ``massnahmen``: the measures, public fields only (no ``updated_by``, no notes of the
  administration), archived measures left out;
- ``gebiete_<ebene>_<stand>``: the areas of each level and vintage;
- ``indikatoren_<ebene>_<stand>``: the indicator values per area and Stichtag with the
  area's geometry, stored values and the shares and rates computed from stored counts,
  after disclosure control (:func:`indicators.disclosure.disclosed`, the method profile's
  minimum population): a suppressed value is NaN with ``unterdrueckt`` true, never served.

Personal data never enters these layers: actors, participation, projects, applications and
the audit log are not public layers at all, and no column names a person.

Column names are short German names (at most ten characters, so a Shapefile keeps them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.store.base import Store, Transaction
from indicators.disclosure import disclosed
from indicators.errors import FrameError, UnknownIndicatorError
from indicators.rates import compute_rates
from indicators.registry import Registry
from monitoring import catalogue
from monitoring.renewal.measures import hide_archived

FUNDING_AREAS = "foerdergebiete"
MEASURES = "massnahmen"
AREAS_PREFIX = "gebiete_"
INDICATORS_PREFIX = "indikatoren_"
POPULATION = "residents"

FUNDING_AREA_COLUMNS: dict[str, str] = {
    "id": "kennung",
    "name": "name",
    "ags": "ags",
    "programme_id": "programm",
    "programme": "prog_name",
    "start_year": "aufnahme",
    "expected_end": "ende",
    "funding_status": "status",
    "legal_designation": "festlegung",
}
MEASURE_COLUMNS: dict[str, str] = {
    "id": "kennung",
    "funding_area_id": "gesamtmn",
    "title": "titel",
    "description": "beschreib",
    "status": "status",
    "start_date": "beginn",
    "end_date": "ende",
    "cost_estimate": "kosten",
    "cost_actual": "kosten_ist",
    "cost_group": "kostengrp",
}
AREA_COLUMNS: dict[str, str] = {
    "id": "kennung",
    "name": "name",
    "level": "ebene",
    "vintage": "stand",
    "parent_id": "ueber",
    "valid_from": "gilt_ab",
    "valid_to": "gilt_bis",
}
INDICATOR_COLUMNS: tuple[str, ...] = (
    "kennung",
    "gebiet",
    "name",
    "ebene",
    "stand",
    "indikator",
    "bezeichn",
    "einheit",
    "stichtag",
    "wert",
    "unterdr",
    "ausgabe",
    "quelle",
)
"""Columns of an indicator layer: feature id (``gebiet|indikator|stichtag|ausgabe``), the
area's id and name, level, vintage, indicator key, German label, unit, Stichtag, value (NaN
when suppressed), suppressed (bool), edition, source."""


@dataclass(frozen=True)
class PublicLayer:
    """One public layer: its id (a collection id, a file name), German title and abstract."""

    id: str
    title: str
    abstract: str
    kind: str  # funding_areas | measures | areas | indicators
    level: str | None = None
    vintage: str | None = None

    @property
    def geometry_type(self) -> str:
        """The geometry type the layer's features have."""
        return "Geometry" if self.kind == "measures" else "MultiPolygon"


def slug(text: str) -> str:
    """Return a lower-case ASCII id part for a level or vintage name.

    Examples
    --------
    >>> slug("Planungsraum"), slug("LOR 2021"), slug("Straßen-Block")
    ('planungsraum', 'lor_2021', 'strassen_block')
    """
    text = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_") or "x"


def public_layers(store: Store | Transaction) -> list[PublicLayer]:
    """Return the public layers of ``store``: funding areas, measures, areas and indicators
    per level and vintage (an indicator layer only where values are stored).

    ``store`` may be an open transaction too (the indicator map is rewritten inside one).
    """
    layers = [
        PublicLayer(
            FUNDING_AREAS,
            "Fördergebiete (Gesamtmaßnahmen)",
            "Gebiete der Städtebauförderung mit Programm, Aufnahmejahr und Förderstatus.",
            "funding_areas",
        ),
        PublicLayer(
            MEASURES,
            "Maßnahmen",
            "Maßnahmen der Gesamtmaßnahmen mit Status, Zeitraum und Kosten "
            "(ohne archivierte Maßnahmen).",
            "measures",
        ),
    ]
    areas = store.read("areas", columns=["level", "vintage"])
    stored = store.read("indicator_values", columns=["level", "vintage"])
    with_values = set(map(tuple, stored[["level", "vintage"]].drop_duplicates().to_numpy()))
    pairs = sorted(set(map(tuple, areas[["level", "vintage"]].drop_duplicates().to_numpy())))
    for level, vintage in pairs:
        part = f"{slug(level)}_{slug(vintage)}"
        layers.append(
            PublicLayer(
                AREAS_PREFIX + part,
                f"Gebiete: {level} (Gebietsstand {vintage})",
                f"Statistische Raumeinheiten der Ebene {level}, Gebietsstand {vintage}.",
                "areas",
                level,
                vintage,
            )
        )
        if (level, vintage) in with_values:
            layers.append(
                PublicLayer(
                    INDICATORS_PREFIX + part,
                    f"Indikatoren: {level} (Gebietsstand {vintage})",
                    f"Indikatorwerte je Gebiet der Ebene {level} und Stichtag; Werte kleiner "
                    "Gebiete sind nach der Geheimhaltung unterdrückt (unterdr = wahr).",
                    "indicators",
                    level,
                    vintage,
                )
            )
    return layers


def find_layer(store: Store | Transaction, layer_id: str) -> PublicLayer:
    """Return the public layer with this id; KeyError naming the known ids if there is none."""
    layers = public_layers(store)
    for layer in layers:
        if layer.id == layer_id:
            return layer
    known = ", ".join(x.id for x in layers)
    raise KeyError(f"Die Ebene „{layer_id}“ gibt es nicht; vorhanden: {known}")


def read_public(store: Store | Transaction, layer: PublicLayer | str) -> gpd.GeoDataFrame:
    """Return the features of a public layer in the store's CRS, public columns only."""
    if isinstance(layer, str):
        layer = find_layer(store, layer)
    if layer.kind == "funding_areas":
        return _funding_areas(store)
    if layer.kind == "measures":
        return _measures(store)
    assert layer.level is not None and layer.vintage is not None
    areas = store.read("areas", where={"level": layer.level, "vintage": layer.vintage})
    if layer.kind == "areas":
        return _select(areas, AREA_COLUMNS)
    values = store.read("indicator_values", where={"level": layer.level, "vintage": layer.vintage})
    min_population = _min_population(store)
    registry = catalogue.registry_for(store)
    long = public_values(values, registry, minimum=min_population)
    return indicator_features(
        long, areas, level=layer.level, vintage=layer.vintage, registry=registry
    )


def _min_population(store: Store | Transaction) -> int:
    return int(catalogue.default_profile(store).min_population)


def _select(frame: gpd.GeoDataFrame, columns: dict[str, str]) -> gpd.GeoDataFrame:
    keep = [c for c in columns if c in frame.columns]
    out = frame[[*keep, "geometry"]].rename(columns=columns)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=frame.crs).reset_index(drop=True)


def _funding_areas(store: Store | Transaction) -> gpd.GeoDataFrame:
    frame = store.read("funding_areas")
    names = store.read("programmes", columns=["id", "name"]).set_index("id")["name"]
    frame = frame.assign(programme=frame["programme_id"].map(names))
    return _select(frame, FUNDING_AREA_COLUMNS)


def _measures(store: Store | Transaction) -> gpd.GeoDataFrame:
    frame = hide_archived(store.read("measures"))
    frame = frame[frame.geometry.notna()]
    return _select(frame, MEASURE_COLUMNS)


def public_values(values: pd.DataFrame, registry: Registry, *, minimum: int) -> pd.DataFrame:
    """Return every stored and derivable indicator of a level after disclosure control.

    Parameters
    ----------
    values
        Stored ``indicator_values`` rows of one level and vintage.
    registry
        The store's indicator registry (shares and rates computed from stored counts).
    minimum
        The minimum population; values of smaller areas become NaN, ``suppressed`` True.

    Returns
    -------
    pandas.DataFrame
        ``area_id, indicator, period, edition, source, value, suppressed``.

    Examples
    --------
    >>> from indicators.registry import load_registry
    >>> when = pd.Timestamp("2020-12-31")
    >>> v = pd.DataFrame({"area_id": ["a", "b", "a", "b", "a", "b"],
    ...     "indicator": ["residents"] * 2 + ["unemployed"] * 2 + ["residents_15_64"] * 2,
    ...     "period": when, "value": [250.0, 5000.0, 10.0, 200.0, 150.0, 4000.0],
    ...     "edition": "amt", "source": "Statistikamt"})
    >>> out = public_values(v, load_registry(), minimum=300)
    >>> rate = out[out["indicator"] == "unemployment_rate"].set_index("area_id")
    >>> rate["value"].tolist(), rate["suppressed"].tolist()
    ([nan, 5.0], [True, False])
    """
    cols = ["area_id", "indicator", "period", "edition", "source", "value", "suppressed"]
    if values.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    values = values.assign(period=pd.to_datetime(values["period"]))
    stored_keys = set(values["indicator"])
    parts: list[pd.DataFrame] = []
    for (key, edition), rows in values.groupby(["indicator", "edition"], sort=True):
        judged = _judge(rows[["area_id", "period", "value"]], values, str(key), minimum)
        sources = rows["source"].to_numpy() if "source" in rows else np.full(len(rows), None)
        parts.append(judged.assign(indicator=str(key), edition=str(edition), source=sources))
    derivable = [
        d.key
        for d in registry.derived()
        if d.key not in stored_keys and d.numerator in stored_keys and d.denominator in stored_keys
    ]
    for key in derivable:
        try:
            rates = compute_rates(
                values[["area_id", "indicator", "period", "value"]],
                registry,
                indicators=[key],
            )
        except FrameError:  # counts of several editions for one area and period
            continue
        judged = _judge(rates[["area_id", "period", "value"]], values, key, minimum)
        parts.append(judged.assign(indicator=key, edition="berechnet", source="aus Zählwerten"))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    return pd.concat(parts, ignore_index=True)[cols]


def _judge(series: pd.DataFrame, values: pd.DataFrame, key: str, minimum: int) -> pd.DataFrame:
    out = disclosed(
        series.reset_index(drop=True),
        values,
        indicator=key,
        minimum=minimum,
        population=POPULATION,
        without_population="show",
    )
    return out.reset_index(drop=True)


def indicator_features(
    long: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    level: str,
    vintage: str,
    registry: Registry,
) -> gpd.GeoDataFrame:
    """Join public values to their areas: one feature per area, indicator, Stichtag, edition.

    Values of areas that are not in ``areas`` are dropped (no geometry to show them on).
    """
    shapes = areas.set_index("id")
    known = long[long["area_id"].isin(shapes.index)]
    labels = {k: _label(registry, k) for k in known["indicator"].unique()}
    period = pd.to_datetime(known["period"])
    frame = pd.DataFrame(
        {
            "kennung": known["area_id"].astype(str)
            + "|"
            + known["indicator"].astype(str)
            + "|"
            + period.dt.strftime("%Y-%m-%d")
            + "|"
            + known["edition"].astype(str),
            "gebiet": known["area_id"].astype(str),
            "name": known["area_id"].map(shapes["name"]),
            "ebene": level,
            "stand": vintage,
            "indikator": known["indicator"].astype(str),
            "bezeichn": known["indicator"].map(lambda k: labels[k][0]),
            "einheit": known["indicator"].map(lambda k: labels[k][1]),
            "stichtag": period.dt.date,
            "wert": pd.to_numeric(known["value"], errors="coerce").astype("float64"),
            "unterdr": known["suppressed"].astype(bool),
            "ausgabe": known["edition"].astype(str),
            "quelle": known["source"],
        }
    )
    geometry = gpd.GeoSeries(known["area_id"].map(shapes.geometry), crs=areas.crs)
    out = gpd.GeoDataFrame(frame, geometry=geometry.to_numpy(), crs=areas.crs)
    return out.sort_values(["indikator", "stichtag", "gebiet", "ausgabe"]).reset_index(drop=True)


def _label(registry: Registry, key: str) -> tuple[str, str]:
    try:
        d = registry.get(key)
    except UnknownIndicatorError:
        return key, ""
    return d.label, d.unit
