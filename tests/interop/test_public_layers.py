"""The public layers: what a service, an export and QGIS may show, on the demo city."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.store.base import Store
from indicators.disclosure import suppress
from monitoring import catalogue
from monitoring.interop.public import find_layer, public_layers, read_public

PRIVATE = {"updated_by", "created_at", "updated_at", "contact", "email", "phone", "person"}


def test_layers_cover_funding_areas_measures_and_every_level(demo_store: Store) -> None:
    ids = [x.id for x in public_layers(demo_store)]
    areas = demo_store.read("areas")[["level", "vintage"]].drop_duplicates()
    assert ids[:2] == ["foerdergebiete", "massnahmen"]
    assert len([i for i in ids if i.startswith("gebiete_")]) == len(areas)
    assert "indikatoren_planungsraum_2020" in ids
    with pytest.raises(KeyError, match="vorhanden: foerdergebiete"):
        find_layer(demo_store, "akteure")


def test_no_column_names_a_person(demo_store: Store) -> None:
    for layer in public_layers(demo_store):
        columns = set(read_public(demo_store, layer).columns)
        assert not columns & PRIVATE, (layer.id, columns & PRIVATE)
        assert all(len(c) <= 10 for c in columns), layer.id  # a Shapefile keeps them


def test_suppressed_values_are_never_in_the_layer(demo_store: Store) -> None:
    frame = read_public(demo_store, "indikatoren_planungsraum_2020")
    stored = demo_store.read("indicator_values", where={"level": "Planungsraum"})
    minimum = int(catalogue.profiles_for(demo_store)["berlin-mss-2021"].min_population)
    # independent check: the stored rows of the small areas, judged by suppress() itself
    rows = stored[["area_id", "indicator", "period", "value"]].assign(
        period=lambda f: pd.to_datetime(f["period"])
    )
    judged = suppress(rows, minimum=minimum)
    hidden = judged.loc[judged["flag"] == "suppressed", ["area_id", "indicator", "period"]]
    assert len(hidden) > 0  # the demo has small areas, or this test proves nothing
    merged = hidden.merge(
        frame.assign(period=pd.to_datetime(frame["stichtag"])),
        left_on=["area_id", "indicator", "period"],
        right_on=["gebiet", "indikator", "period"],
    )
    assert len(merged) == len(hidden)
    assert merged["wert"].isna().all() and merged["unterdr"].all()
    shown = frame[~frame["unterdr"]]
    assert shown["wert"].notna().any()
    assert frame.loc[frame["unterdr"], "wert"].isna().all()


def test_derived_rates_are_published_and_match_the_counts(demo_store: Store) -> None:
    frame = read_public(demo_store, "indikatoren_planungsraum_2020")
    stored = demo_store.read("indicator_values", where={"level": "Planungsraum"})
    keys = set(frame["indikator"])
    derived = keys - set(stored["indicator"])
    assert derived, "the demo stores counts; their rates should be published"
    key = "child_poverty_rate" if "child_poverty_rate" in derived else sorted(derived)[0]
    d = catalogue.registry_for(demo_store).get(key)
    at = frame[(frame["indikator"] == key) & ~frame["unterdr"]].iloc[0]
    pick = stored[
        (stored["area_id"] == at["gebiet"])
        & (pd.to_datetime(stored["period"]) == pd.Timestamp(at["stichtag"]))
    ].set_index("indicator")["value"]
    expected = pick[d.numerator] / pick[d.denominator] * d.factor
    assert np.isclose(at["wert"], expected)
    assert at["bezeichn"] == d.label and at["ausgabe"] == "berechnet"


def test_archived_measures_and_those_without_geometry_are_left_out(demo_store: Store) -> None:
    measures = demo_store.read("measures")
    frame = read_public(demo_store, "massnahmen")
    archived = measures["archived"].fillna(False).astype(bool)
    expected = measures[~archived & measures.geometry.notna()]
    assert sorted(frame["kennung"]) == sorted(expected["id"])
    assert frame.crs == demo_store.crs
