"""What the map shows of the indicator values: the choices, the values of one Stichtag, notes.

Pure functions from stored frames to what a map (the app's Karte page, the printed map)
shows; moved here from the app's presentation frames so the app and ``qmon map`` share
them (:mod:`ui.frames` re-exports them).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo import german
from geo.levels import level_plural
from indicators.disclosure import has_population
from indicators.flags import flag_text
from indicators.registry import Registry
from indicators.social_index import IndexProfile, profile_keys

#: Pseudo-indicator key of the social index (status class) on the map.
INDEX_STATUS = "sozialindex_status"


@dataclass(frozen=True)
class IndicatorChoice:
    """An indicator the map can show: key, label and unit."""

    key: str
    label: str
    unit: str


def indicator_choices(
    registry: Registry,
    available: Collection[str],
    *,
    profile: IndexProfile | None = None,
    periods: int | None = None,
) -> list[IndicatorChoice]:
    """Return the indicators that can be shown: stored ones, derivable rates, the index.

    Stored keys the registry does not know (a city's values imported under keys of
    its own, without a catalogue entry) are listed too, labelled by their key; with
    a catalogue entry (the store's registry, :func:`monitoring.catalogue.registry_for`)
    they show its German label and unit. A change over time (``formula = "change"``)
    is offered only when ``periods`` (the number of stored Stichtage, if given) is at
    least two: with one Stichtag it has no value anywhere.

    Examples
    --------
    >>> from indicators.registry import load_registry, registry_with
    >>> keys = [c.key for c in indicator_choices(load_registry(),
    ...     ["unemployed", "residents_15_64", "residents"])]
    >>> keys
    ['unemployment_rate', 'population_change', 'unemployed', 'residents_15_64', 'residents']
    >>> reg = registry_with(load_registry(), [{"key": "hh_kinder",
    ...     "label": "Haushalte mit Kindern", "unit": "%", "kind": "share"}])
    >>> [(c.key, c.label, c.unit) for c in indicator_choices(reg, ["hh_kinder", "S7"])]
    [('hh_kinder', 'Haushalte mit Kindern', '%'), ('S7', 'S7', '')]
    >>> [c.key for c in indicator_choices(load_registry(), ["residents"], periods=1)]
    ['residents']
    """
    have = set(available)
    out: list[IndicatorChoice] = []
    if profile is not None and all(
        i.indicator in _derivable(registry, have) for i in profile.status
    ):
        out.append(IndicatorChoice(INDEX_STATUS, "Sozialindex (Statusklasse)", "Klasse"))
    derived = sorted(
        (
            d
            for d in registry.derived()
            if d.numerator in have
            and d.denominator in have
            and not (d.formula == "change" and periods is not None and periods < 2)
        ),
        key=lambda d: d.label,
    )
    out += [IndicatorChoice(d.key, d.label, d.unit) for d in derived]
    stored = sorted((registry.get(k) for k in have if k in registry), key=lambda d: d.label)
    out += [IndicatorChoice(d.key, d.label, d.unit) for d in stored]
    unknown = sorted(str(k) for k in have if k not in registry)
    out += [IndicatorChoice(k, k, "") for k in unknown]
    return out


def _derivable(registry: Registry, have: set[str]) -> set[str]:
    return have | {
        d.key for d in registry.derived() if d.numerator in have and d.denominator in have
    }


def index_gaps(
    profile: IndexProfile,
    registry: Registry,
    stored_keys: Collection[str],
    *,
    population: str = "residents",
) -> list[str]:
    """Return what a social index profile lacks in the stored values, by German label.

    The page's words for :func:`indicators.social_index.missing_indicators` (which
    writes the keys a command line needs): a rate whose counts are missing names the
    counts.

    Examples
    --------
    >>> from indicators.registry import load_registry
    >>> from indicators.social_index import load_profile
    >>> have = ["residents", "unemployed", "residents_15_64", "sgb2_recipients"]
    >>> index_gaps(load_profile("berlin-mss-2017"), load_registry(), have)[:1]
    ['Langzeitarbeitslosigkeit (Zählwert Langzeitarbeitslose fehlt)']
    >>> index_gaps(load_profile("berlin-mss-2021"), load_registry(), have + ["sgb2_children_u15",
    ...     "residents_u15"])
    []
    """
    have = set(stored_keys)
    labels = {
        k: i.label for i in (*profile.status, *profile.dynamics) for k in (i.indicator, i.change_of)
    }

    def label(key: str) -> str:
        return registry.get(key).label if key in registry else labels.get(key) or key

    out: list[str] = []
    for key in dict.fromkeys([population, *profile_keys(profile)]):
        if key in have:
            continue
        definition = registry.get(key) if key in registry else None
        if definition is not None and definition.derived:
            lacking = [
                k
                for k in dict.fromkeys((definition.numerator, definition.denominator))
                if k and k not in have
            ]
            if not lacking:
                continue
            counts = german.ordinal_list([label(k) for k in lacking])
            lack = f"Zählwert {counts} fehlt" if len(lacking) == 1 else f"Zählwerte {counts} fehlen"
            out.append(f"{label(key)} ({lack})")
        else:
            out.append(label(key))
    return out


def index_categories(
    profile: IndexProfile, *, colours: Sequence[str]
) -> tuple[tuple[float, str, str], ...]:
    """Return (code, label, colour) of the status classes shown on the map.

    Examples
    --------
    >>> from indicators.social_index import load_profile
    >>> p = load_profile("berlin-mss-2021")
    >>> [c[1] for c in index_categories(p, colours=list("abcd"))]
    ['1 hoch', '2 mittel', '3 niedrig', '4 sehr niedrig']
    """
    classes = [(float(c.code), f"{c.code} {c.label}") for c in profile.status_classes]
    picks = np.linspace(0, len(colours) - 1, len(classes)).round().astype(int)
    return tuple((code, label, colours[i]) for (code, label), i in zip(classes, picks))


def value_notes(values: pd.DataFrame, registry: Registry, indicator: str) -> pd.DataFrame:
    """Return the German notes of the flagged stored values behind one indicator.

    A stored indicator's notes are its own rows' flags; an indicator computed from
    counts (a rate) takes the flags of its numerator's and denominator's rows. The
    text comes from :func:`indicators.flags.flag_text` (unknown flags as stored).

    Parameters
    ----------
    values
        Long stored values of one level (``area_id, indicator, period, value`` and,
        where the store has it, ``flag``).
    registry
        The indicator definitions.
    indicator
        The indicator shown.

    Returns
    -------
    pandas.DataFrame
        ``area_id, period, note``: one row per area and period with a flag.

    Examples
    --------
    >>> from indicators.registry import load_registry
    >>> when = pd.Timestamp(2022, 12, 31)
    >>> v = pd.DataFrame({"area_id": ["a", "a", "b", "b"],
    ...     "indicator": ["unemployed", "residents_15_64"] * 2, "period": when,
    ...     "value": [None, 100.0, 5.0, 80.0], "flag": ["secret", None, "limited", "x9"]})
    >>> value_notes(v, load_registry(), "unemployment_rate")[["area_id", "note"]].values.tolist()
    [['a', 'unbekannt oder geheim gehalten (.)'], ['b', 'eingeschränkt aussagefähig ( ); x9']]
    >>> value_notes(v.drop(columns="flag"), load_registry(), "unemployed").empty
    True
    """
    out = pd.DataFrame({"area_id": [], "period": [], "note": []}).astype(
        {"area_id": object, "period": "datetime64[ns]", "note": object}
    )
    if "flag" not in values.columns:
        return out
    keys = [indicator]
    if indicator not in set(values["indicator"]) and indicator in registry:
        d = registry.get(indicator)
        if d.derived and d.numerator and d.denominator:
            keys = [d.numerator, d.denominator]
    rows = values[values["indicator"].isin(keys)]
    texts = rows["flag"].map(flag_text)
    rows = rows.assign(note=texts)[texts.notna()]
    if rows.empty:
        return out
    rows = rows.assign(area_id=rows["area_id"].astype(str), period=pd.to_datetime(rows["period"]))
    notes = rows.groupby(["area_id", "period"], sort=True)["note"].agg(
        lambda t: "; ".join(dict.fromkeys(t))
    )
    return notes.reset_index()


def population_note(values: pd.DataFrame, *, minimum: int, level: str | None = None) -> str | None:
    """Return the German note a page shows when no resident counts are stored, else None.

    Examples
    --------
    >>> v = pd.DataFrame({"indicator": ["unemployment_rate"], "value": [5.0]})
    >>> population_note(v, minimum=300, level="Stadtteil")[:60]
    'Für die Stadtteile sind keine Einwohnerzahlen gespeichert: d'
    """
    if has_population(values):
        return None
    return (
        f"Für die {level_plural(level or '')} sind keine Einwohnerzahlen gespeichert: die "
        f"Mindestgröße von {german.number(minimum)} Einwohnern lässt sich nicht prüfen, die "
        "Werte werden gezeigt, wie sie veröffentlicht wurden. Importieren Sie die Einwohnerzahlen "
        "(Indikator residents), damit kleine Gebiete unterdrückt werden."
    )


@dataclass(frozen=True)
class ShownValues:
    """The values of one period as the map shows them: numbers, suppressed ids and notes.

    ``notes`` holds, per area id, the German reason of a flagged value (see
    :func:`value_notes`), for areas with a value and for areas without one.
    """

    values: pd.Series
    suppressed: frozenset[str]
    notes: Mapping[str, str] = field(default_factory=dict)


def values_at(
    frame: pd.DataFrame, period: pd.Timestamp, *, notes: pd.DataFrame | None = None
) -> ShownValues:
    """Return the values at ``period`` of a :func:`disclosed` frame, by area id.

    ``notes`` (from :func:`value_notes`) add each area's note at that period; a
    suppressed area gets none (its reason is the suppression).

    Examples
    --------
    >>> when = pd.Timestamp(2020, 12, 31)
    >>> f = pd.DataFrame({"area_id": ["a", "b"], "period": when,
    ...     "value": [None, 4.5], "suppressed": [True, False]})
    >>> shown = values_at(f, when)
    >>> shown.values.to_dict(), sorted(shown.suppressed)
    ({'b': 4.5}, ['a'])
    >>> n = pd.DataFrame({"area_id": ["a", "c"], "period": when, "note": ["x", "noch offen"]})
    >>> dict(values_at(f, when, notes=n).notes)
    {'c': 'noch offen'}
    """
    at = frame[pd.to_datetime(frame["period"]) == pd.Timestamp(period)]
    hidden = at["suppressed"].astype(bool)
    values = at.loc[~hidden].set_index("area_id")["value"].astype("float64")
    suppressed = frozenset(at.loc[hidden, "area_id"].astype(str))
    shown_notes: dict[str, str] = {}
    if notes is not None and len(notes):
        now = notes[pd.to_datetime(notes["period"]) == pd.Timestamp(period)]
        shown_notes = {
            str(a): str(n) for a, n in zip(now["area_id"], now["note"]) if str(a) not in suppressed
        }
    return ShownValues(values, suppressed, shown_notes)
