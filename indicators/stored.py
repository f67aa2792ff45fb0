"""The social index on stored indicator values: read, compute, write back.

:func:`index_inputs` and :func:`index_rows` are pure (frames in, frames out);
:func:`compute_stored_index` reads the store, computes with a profile and, unless
asked not to, writes the scores and classes back into ``indicator_values`` with an
edition of their own (``"<profile> (neu berechnet)"``), so recomputed classes are
never mixed up with published ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.store.base import Store
from indicators.errors import AggregationError, FrameError, ProfileError
from indicators.rates import LONG_COLUMNS, aggregate, compute_rates
from indicators.registry import Registry, load_registry
from indicators.social_index import (
    IndexProfile,
    compute_index,
    missing_indicators,
    profile_keys,
)

INDEX_KEYS: dict[str, str] = {
    "status_score": "social_status_score",
    "status_class": "social_status_class",
    "dynamics_score": "social_dynamics_score",
    "dynamics_class": "social_dynamics_class",
    "index_code": "social_index_code",
}
POPULATION_COLUMN = "population"


def recomputed_edition(profile: IndexProfile) -> str:
    """The edition under which recomputed index values are stored.

    Examples
    --------
    >>> from indicators.social_index import load_profile
    >>> recomputed_edition(load_profile("berlin-mss-2021"))
    'berlin-mss-2021 (neu berechnet)'
    """
    return f"{profile.name} (neu berechnet)"


def indicator_series(values: pd.DataFrame, registry: Registry, key: str) -> pd.DataFrame:
    """Return ``area_id, period, value`` of one indicator: stored, else computed from counts.

    Raises
    ------
    FrameError
        When the indicator is neither stored nor computable from the stored counts.

    Examples
    --------
    >>> v = pd.DataFrame({"area_id": ["a", "a"], "indicator": ["unemployed", "residents_15_64"],
    ...     "period": pd.to_datetime(["2020-12-31"] * 2), "value": [5.0, 100.0]})
    >>> indicator_series(v, load_registry(), "unemployment_rate")["value"].tolist()
    [5.0]
    """
    stored = values[values["indicator"] == key]
    if len(stored):
        return stored[["area_id", "period", "value"]]
    d = registry.get(key)
    if not d.derived:
        raise FrameError(
            f"indicator {key!r} has no stored values and is not computed from counts; "
            "import its values or use a profile whose indicators are stored"
        )
    present = set(values["indicator"])
    if d.numerator not in present or d.denominator not in present:
        raise FrameError(
            f"indicator {key!r} = {d.numerator} / {d.denominator}, but the store has no values "
            f"of {', '.join(str(k) for k in (d.numerator, d.denominator) if k not in present)}"
        )
    long = values.loc[
        values["indicator"].isin([d.numerator, d.denominator]),
        ["area_id", "indicator", "period", "value"],
    ]
    return compute_rates(long, registry, indicators=[key])[["area_id", "period", "value"]]


def city_series(values: pd.DataFrame, registry: Registry, key: str) -> pd.DataFrame:
    """Return ``period, value`` of a share or rate for the whole city (all areas of the level).

    The city's value is computed from the summed numerators and denominators of all
    areas (:func:`indicators.rates.aggregate`), so it is the population-weighted mean of
    the areas' rates, never their plain mean. A period in which an area lacks a count
    has no city value (NaN): a sum over part of the city would be too low.

    Raises
    ------
    AggregationError
        When the indicator is not computed from a numerator and a denominator (a count
        has a city total, not a comparable value; a published share or an index cannot
        be aggregated).

    Examples
    --------
    >>> v = pd.DataFrame({"area_id": ["a", "a", "b", "b"],
    ...     "indicator": ["vacant_dwellings", "dwellings"] * 2,
    ...     "period": pd.to_datetime(["2020-12-31"] * 4), "value": [10.0, 100.0, 90.0, 400.0]})
    >>> city_series(v, load_registry(), "vacancy_rate")["value"].tolist()
    [20.0]
    """
    d = registry.get(key)
    if not d.derived or d.numerator is None or d.denominator is None:
        raise AggregationError(
            f"indicator {key!r} is a {d.kind} without numerator and denominator: it has no "
            "city value comparable with the areas' values; choose a share or a rate"
        )
    long = values.loc[values["indicator"].isin([d.numerator, d.denominator]), list(LONG_COLUMNS)]
    if long.empty:
        return pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"), "value": []})
    city = aggregate(
        long, dict.fromkeys(long["area_id"].unique(), "city"), registry, indicators=[key]
    )
    rows = city[city["indicator"] == key]
    return rows[["period", "value"]].sort_values("period").reset_index(drop=True)


def index_inputs(
    values: pd.DataFrame,
    registry: Registry,
    profile: IndexProfile,
    *,
    period: pd.Timestamp,
    population: str = "residents",
) -> pd.DataFrame:
    """Build the table :func:`~indicators.social_index.compute_index` takes.

    Parameters
    ----------
    values
        Long frame (``area_id, indicator, period, value``; ``period`` as dates) of
        one level, vintage and edition.
    registry
        Indicator definitions (rates are computed from counts where not stored).
    profile
        Its status indicators name registry keys (``indicator``); its dynamics
        indicators either a stored change (``indicator``) or the key whose change
        over ``dynamics_window_years`` they are (``change_of``).
    period
        The reference date.
    population
        The residents' indicator key.

    Returns
    -------
    pandas.DataFrame
        One row per area with a value at ``period``: ``area_id``, ``population``
        and one column per profile indicator (named as in the profile).

    Raises
    ------
    ProfileError
        When a profile indicator names no registry key.
    FrameError
        When an indicator is neither stored nor computable.

    Notes
    -----
    Dynamics :math:`D_{a,k} = S_{a,k}(t) - S_{a,k}(t - w)` with the window
    :math:`w` in years; an area without a value at :math:`t - w` has no dynamics
    (and is then reported invalid by the index).

    Examples
    --------
    >>> from indicators.social_index import load_profile
    >>> rows = []
    >>> for year, u in ((2018, 10.0), (2020, 12.0)):
    ...     for key, v in (("residents", 1000.0), ("residents_15_64", 600.0), ("unemployed", u),
    ...                    ("sgb2_recipients", 90.0), ("residents_u15", 150.0),
    ...                    ("sgb2_children_u15", 30.0)):
    ...         rows.append(("a", key, pd.Timestamp(year, 12, 31), v))
    >>> long = pd.DataFrame(rows, columns=["area_id", "indicator", "period", "value"])
    >>> t = index_inputs(long, load_registry(), load_profile("berlin-mss-2021"),
    ...                  period=pd.Timestamp(2020, 12, 31))
    >>> t[["area_id", "population", "S1", "D1", "D4"]].round(3)
      area_id  population   S1     D1   D4
    0       a      1000.0  2.0  0.333  0.0
    """
    when = pd.Timestamp(period)
    earlier = when - pd.DateOffset(years=profile.dynamics_window_years)
    periods = pd.to_datetime(values["period"])
    work = values.assign(period=periods)
    ids = sorted(work.loc[work["period"] == when, "area_id"].astype(str).unique())
    table = pd.DataFrame({"area_id": ids})
    cache: dict[str, pd.DataFrame] = {}

    def at(key: str, date: pd.Timestamp) -> pd.Series:
        if key not in cache:
            cache[key] = indicator_series(work, registry, key)
        rows = cache[key]
        found = rows[rows["period"] == date].set_index("area_id")["value"]
        return table["area_id"].map(found).astype("float64")

    table[POPULATION_COLUMN] = at(population, when)
    for item in profile.status:
        if not item.indicator:
            raise ProfileError(
                f"profile {profile.name}: status indicator {item.column} names no registry key "
                "(indicator = …); it can only be computed from a table"
            )
        table[item.column] = at(item.indicator, when)
    for item in profile.dynamics:
        if item.indicator:
            table[item.column] = at(item.indicator, when)
        elif item.change_of:
            table[item.column] = at(item.change_of, when) - at(item.change_of, earlier)
        else:
            raise ProfileError(
                f"profile {profile.name}: dynamics indicator {item.column} names neither "
                "indicator nor change_of; it can only be computed from a table"
            )
    return table


def index_rows(
    result: pd.DataFrame,
    profile: IndexProfile,
    *,
    period: pd.Timestamp,
    level: str,
    vintage: str,
) -> pd.DataFrame:
    """Turn an index result into rows of ``indicator_values``.

    Every area gets its five values (scores, classes, code); an invalid area keeps
    them empty with the reason in ``flag`` (``ohne Zuordnung: …``).

    Examples
    --------
    >>> from indicators.social_index import load_profile
    >>> r = pd.DataFrame({"id": ["a"], "status_score": [0.2], "status_class": [2],
    ...     "dynamics_score": [1.2], "dynamics_class": [5], "index_code": [25],
    ...     "valid": [True], "reason": [None]})
    >>> rows = index_rows(r, load_profile("berlin-mss-2021"),
    ...                   period=pd.Timestamp(2020, 12, 31), level="Planungsraum", vintage="2021")
    >>> rows[["indicator", "value"]].values.tolist()[-1], rows["edition"].iloc[0]
    (['social_index_code', 25.0], 'berlin-mss-2021 (neu berechnet)')
    """
    parts = []
    for column, key in INDEX_KEYS.items():
        value = pd.to_numeric(result[column], errors="coerce").astype("float64")
        flag = [
            None if ok else f"ohne Zuordnung: {reason}"
            for ok, reason in zip(result["valid"].astype(bool), result["reason"].fillna(""))
        ]
        parts.append(
            pd.DataFrame(
                {
                    "area_id": result["id"].astype(str).to_numpy(),
                    "level": level,
                    "vintage": vintage,
                    "indicator": key,
                    "period": pd.Timestamp(period),
                    "value": value.to_numpy(),
                    "numerator": np.nan,
                    "denominator": np.nan,
                    "edition": recomputed_edition(profile),
                    "source": f"Quartiersmonitor, {profile.label}",
                    "flag": pd.Series(flag, dtype="object").to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class StoredIndex:
    """The result of :func:`compute_stored_index`."""

    result: pd.DataFrame
    rows: pd.DataFrame
    written: int
    vintage: str
    edition_in: str | None


def _pick(values: pd.Series, given: str | None, what: str, option: str) -> str | None:
    """The single value of a column, or the one given; refuse when ambiguous."""
    found = sorted(set(values.dropna().astype(str)))
    if given is not None:
        if given not in found:
            raise FrameError(
                f"the store has no indicator values with {what} {given!r}; "
                f"it has: {', '.join(found) or 'none'}"
            )
        return given
    if len(found) > 1:
        raise FrameError(
            f"the store holds several {what}s ({', '.join(found)}); choose one with {option}"
        )
    return found[0] if found else None


def _editions(values: pd.DataFrame, given: str | None) -> tuple[pd.DataFrame, str | None]:
    """Keep the values of one edition (``given``), or of the one edition of each indicator.

    A city imports its statistics from several files (residents from one, shares
    from another), each an edition of its own: without ``given`` each indicator must
    have exactly one edition; the editions used are returned joined by ``", "``.
    """
    if given is not None:
        chosen = _pick(values["edition"], given, "edition", "--edition")
        return values[values["edition"] == chosen], chosen
    editions = values.groupby("indicator")["edition"].unique()
    several = {str(k): sorted(map(str, v)) for k, v in editions.items() if len(v) > 1}
    if several:
        listed = "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(several.items()))
        raise FrameError(
            f"the store holds several editions of the same indicator ({listed}); choose one "
            "with --edition"
        )
    found = sorted({str(e) for v in editions for e in v})
    return values, (", ".join(found) if found else None)


def compute_stored_index(
    store: Store,
    profile: IndexProfile,
    *,
    period: pd.Timestamp | str,
    level: str = "Planungsraum",
    vintage: str | None = None,
    edition: str | None = None,
    registry: Registry | None = None,
    exclude: Iterable[str] = (),
    write: bool = True,
    user: str | None = None,
) -> StoredIndex:
    """Compute the social index on the values of a store and write it back.

    Parameters
    ----------
    store
        An open store.
    profile
        The method profile.
    period
        The reference date (e.g. ``2024-12-31``).
    level, vintage, edition
        Which stored values to use; vintage and edition may be left out when the
        store holds only one (recomputed index editions are never used as input).
    registry
        Indicator definitions (default: the shipped registry; the monitoring
        services pass the store's own, :func:`monitoring.catalogue.registry_for`).
    exclude
        Area ids to leave out (flagged outliers).
    write
        Write the results (upsert on the layer's key) in one transaction.
    user
        Who writes, for the audit columns.

    Returns
    -------
    StoredIndex
        The index result, the ``indicator_values`` rows and how many were written.

    Raises
    ------
    FrameError
        When the store has no values at the period, or vintage/edition is ambiguous
        (without ``edition`` each indicator may come from an edition of its own).
    ProfileError
        When the profile cannot be computed from stored values: the German message
        names each missing indicator and how to get it
        (:func:`~indicators.social_index.missing_indicators`). Shares and rates
        stored under their keys are used as they are; the residents are the stored
        ``residents`` count.
    """
    registry = registry or load_registry()
    when = pd.Timestamp(period)
    keys = {"residents"}
    for key in profile_keys(profile):
        keys.add(key)
        if key in registry:
            d = registry.get(key)
            keys |= {k for k in (d.numerator, d.denominator) if k is not None}
    values = store.read("indicator_values", where={"level": level, "indicator": sorted(keys)})
    values = values[~values["edition"].astype(str).str.endswith("(neu berechnet)")]
    if values.empty:
        raise ProfileError(
            f"Der Datenbestand hat auf der Ebene „{level}“ keine Werte, die das Profil "
            f"„{profile.name}“ braucht: "
            + "; ".join(missing_indicators(profile, registry, ()))
            + " (oder wählen Sie eine andere Ebene mit --level)"
        )
    chosen_vintage = _pick(values["vintage"], vintage, "vintage", "--vintage")
    values = values[values["vintage"] == chosen_vintage]
    values, chosen_edition = _editions(values, edition)
    if not (pd.to_datetime(values["period"]) == when).any():
        dates = sorted(pd.to_datetime(values["period"]).dt.date.astype(str).unique())
        raise FrameError(
            f"the store has no values at {when.date()} on level {level!r}; "
            f"periods present: {', '.join(dates[-8:])}"
        )
    at_period = values[pd.to_datetime(values["period"]) == when]
    lacking = missing_indicators(profile, registry, set(at_period["indicator"]))
    if lacking:
        raise ProfileError(
            f"Das Profil „{profile.name}“ lässt sich am {when:%d.%m.%Y} auf der Ebene "
            f"„{level}“ nicht berechnen: " + "; ".join(lacking)
        )
    long = values[["area_id", "indicator", "period", "value"]]
    table = index_inputs(long, registry, profile, period=when)
    result = compute_index(
        table,
        profile,
        id_column="area_id",
        population_column=POPULATION_COLUMN,
        exclude=exclude,
    )
    rows = index_rows(result, profile, period=when, level=level, vintage=str(chosen_vintage))
    written = 0
    if write:
        with store.transaction(user=user) as tx:
            written = tx.write("indicator_values", rows, mode="upsert")
    return StoredIndex(result, rows, written, str(chosen_vintage), chosen_edition)
