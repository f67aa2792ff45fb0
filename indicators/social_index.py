"""The social index engine: one method, many profiles (Berlin MSS, Hamburg, Münster).

A profile (TOML, see ``indicators/profiles/``) names the status and dynamics
indicators with their direction and weight, the standardisation, the way the
standardised values are combined, the class cut-offs, the minimum population and
the outlier rule. :func:`compute_index` applies it to one table row per area.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from indicators.errors import FrameError, ProfileError
from indicators.registry import Registry

Standardisation = Literal["z"]
SDKind = Literal["population", "sample"]
Aggregation = Literal["sum_then_z", "sum", "mean"]
OutlierRule = Literal["list", "zscore"]
STANDARDISATIONS: tuple[str, ...] = ("z",)
SD_KINDS: tuple[str, ...] = ("population", "sample")
AGGREGATIONS: tuple[str, ...] = ("sum_then_z", "sum", "mean")
OUTLIER_RULES: tuple[str, ...] = ("list", "zscore")
DIRECTIONS: tuple[str, ...] = ("higher_is_worse", "higher_is_better")

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
RESULT_COLUMNS: tuple[str, ...] = (
    "id",
    "status_score",
    "status_class",
    "status_label",
    "dynamics_score",
    "dynamics_class",
    "dynamics_label",
    "index_code",
    "valid",
    "reason",
)


@dataclass(frozen=True)
class IndexIndicator:
    """One indicator of a profile.

    ``column`` is its column in a table (e.g. ``S1``); ``indicator`` its registry key
    in a store (e.g. ``unemployment_rate``); for a dynamics indicator ``change_of``
    names the stored key whose change over the profile's window it is.
    """

    column: str
    label: str = ""
    indicator: str | None = None
    change_of: str | None = None
    direction: Literal["higher_is_worse", "higher_is_better"] = "higher_is_worse"
    weight: float = 1.0

    @property
    def sign(self) -> float:
        """+1 when a higher value means more disadvantage, else -1."""
        return 1.0 if self.direction == "higher_is_worse" else -1.0


@dataclass(frozen=True)
class IndexClass:
    """One class: scores below ``below`` (strict) or up to ``at_most`` (inclusive).

    The last class of a profile has neither bound and takes every higher score.
    """

    code: int
    label: str
    below: float | None = None
    at_most: float | None = None

    @property
    def upper(self) -> float:
        """The upper bound (inf for the last class)."""
        if self.below is not None:
            return self.below
        return math.inf if self.at_most is None else self.at_most

    def takes(self, score: np.ndarray) -> np.ndarray:
        """Boolean mask of the scores at or under this class's upper bound."""
        if self.below is not None:
            return score < self.below
        if self.at_most is not None:
            return score <= self.at_most
        return np.ones_like(score, dtype=bool)


@dataclass(frozen=True)
class IndexProfile:
    """A method profile of the social index."""

    name: str
    label: str
    status: tuple[IndexIndicator, ...]
    dynamics: tuple[IndexIndicator, ...]
    status_classes: tuple[IndexClass, ...]
    dynamics_classes: tuple[IndexClass, ...]
    min_population: float = 300.0
    standardisation: Standardisation = "z"
    sd: SDKind = "population"
    aggregation: Aggregation = "sum_then_z"
    dynamics_window_years: int = 2
    outlier_rule: OutlierRule = "list"
    outlier_threshold: float | None = None
    edition: str = ""

    @property
    def ddof(self) -> int:
        """Delta degrees of freedom of the standard deviation (0 population, 1 sample)."""
        return 0 if self.sd == "population" else 1


# --- loading -----------------------------------------------------------------------


def profile_names() -> list[str]:
    """Return the names of the shipped profiles.

    Examples
    --------
    >>> "berlin-mss-2021" in profile_names()
    True
    """
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


def load_profile(name_or_path: str | Path) -> IndexProfile:
    """Load a shipped profile by name, or a profile file by path.

    Parameters
    ----------
    name_or_path
        A shipped name such as ``berlin-mss-2021``, or a path to a ``.toml`` file.

    Returns
    -------
    IndexProfile

    Raises
    ------
    ProfileError
        When the name is unknown, the file is missing or malformed, or a value is
        not allowed (the message lists the allowed ones).

    Examples
    --------
    >>> p = load_profile("berlin-mss-2021")
    >>> [i.column for i in p.status], [c.label for c in p.status_classes]
    (['S1', 'S3', 'S4'], ['hoch', 'mittel', 'niedrig', 'sehr niedrig'])
    """
    text: str
    source: str
    candidate = Path(name_or_path)
    if str(name_or_path).endswith(".toml") or candidate.is_file():
        if not candidate.is_file():
            raise ProfileError(
                f"profile file {str(candidate)!r} does not exist; give a path to a .toml file "
                f"or one of the shipped profiles: {', '.join(profile_names())}"
            )
        text, source = candidate.read_text(encoding="utf-8"), str(candidate)
    else:
        name = str(name_or_path)
        if name not in profile_names():
            raise ProfileError(
                f"there is no profile {name!r}; shipped profiles: {', '.join(profile_names())}; "
                "or give a path to a profile .toml file"
            )
        text, source = (PROFILE_DIR / f"{name}.toml").read_text(encoding="utf-8"), name
    return profile_from_toml(text, source=source)


def profile_from_toml(text: str, *, source: str = "TOML") -> IndexProfile:
    """Parse a profile from its TOML text (the format of ``indicators/profiles/``).

    Parameters
    ----------
    text
        The TOML text, e.g. of a profile kept in a store.
    source
        How messages name the text (a file name, ``gespeichertes Profil „x“``).

    Returns
    -------
    IndexProfile

    Raises
    ------
    ProfileError
        When the text is not TOML or the profile is malformed (see :func:`load_profile`).

    Examples
    --------
    >>> p = profile_from_toml(profile_to_toml(load_profile("hamburg-rise")))
    >>> p == load_profile("hamburg-rise")
    True
    >>> profile_from_toml("name = ", source="p.toml")
    Traceback (most recent call last):
    ...
    indicators.errors.ProfileError: profile p.toml: not valid TOML (Invalid value (at end of \
document))
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"profile {source}: not valid TOML ({exc})") from exc
    return _profile_from_dict(data, source=source)


def _toml_value(value: Any) -> str:
    """One TOML value: text quoted (JSON escapes are valid TOML), numbers as they are."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value)) if isinstance(value, float) else str(value)
    return json.dumps(str(value), ensure_ascii=False)


def profile_to_toml(profile: IndexProfile) -> str:
    """Return the TOML text of a profile (what :func:`profile_from_toml` reads back).

    Examples
    --------
    >>> print(profile_to_toml(load_profile("muenster")).splitlines()[0])
    name = "muenster"
    """
    head: list[tuple[str, Any]] = [
        ("name", profile.name),
        ("label", profile.label),
        ("edition", profile.edition),
        ("min_population", profile.min_population),
        ("standardisation", profile.standardisation),
        ("sd", profile.sd),
        ("aggregation", profile.aggregation),
        ("dynamics_window_years", profile.dynamics_window_years),
        ("outlier_rule", profile.outlier_rule),
    ]
    if profile.outlier_threshold is not None:
        head.append(("outlier_threshold", profile.outlier_threshold))
    lines = [f"{k} = {_toml_value(v)}" for k, v in head]
    for part, items in (("status", profile.status), ("dynamics", profile.dynamics)):
        for item in items:
            lines += ["", f"[[{part}]]", f"column = {_toml_value(item.column)}"]
            if item.label:
                lines.append(f"label = {_toml_value(item.label)}")
            for name in ("indicator", "change_of"):
                if getattr(item, name):
                    lines.append(f"{name} = {_toml_value(getattr(item, name))}")
            lines.append(f"direction = {_toml_value(item.direction)}")
            if item.weight != 1.0:
                lines.append(f"weight = {_toml_value(item.weight)}")
    for part, classes in (
        ("status_classes", profile.status_classes),
        ("dynamics_classes", profile.dynamics_classes),
    ):
        for cls in classes:
            lines += ["", f"[[{part}]]", f"code = {cls.code}", f"label = {_toml_value(cls.label)}"]
            if cls.below is not None:
                lines.append(f"below = {_toml_value(cls.below)}")
            if cls.at_most is not None:
                lines.append(f"at_most = {_toml_value(cls.at_most)}")
    return "\n".join(lines) + "\n"


BERLIN_STATUS_CLASSES: tuple[IndexClass, ...] = (
    IndexClass(1, "hoch", below=-1.0),
    IndexClass(2, "mittel", below=1.0),
    IndexClass(3, "niedrig", below=1.5),
    IndexClass(4, "sehr niedrig"),
)
"""Berlin's SD bands of the status index (MSS), the default cut-offs of a new profile."""
BERLIN_DYNAMICS_CLASSES: tuple[IndexClass, ...] = (
    IndexClass(1, "positiv", below=-1.0),
    IndexClass(3, "stabil", at_most=1.0),
    IndexClass(5, "negativ"),
)
"""Berlin's SD bands of the dynamics index (MSS)."""


def simple_profile(
    name: str,
    label: str,
    status: Sequence[tuple[str, str, str]],
    dynamics: Sequence[tuple[str, str, str]] = (),
    *,
    min_population: float = 300.0,
    dynamics_window_years: int = 2,
) -> IndexProfile:
    """Return a profile of the Berlin method (z, sum, z; Berlin's SD bands) over given keys.

    Parameters
    ----------
    name, label
        The profile's name (``a-z0-9-``) and German label.
    status
        ``(key, label, direction)`` of each status indicator (a stored or derivable key).
    dynamics
        ``(key, label, direction)`` of each indicator whose change over
        ``dynamics_window_years`` is a dynamics indicator.
    min_population
        Areas with fewer residents get no class.

    Raises
    ------
    ProfileError
        When no status indicator is given or a direction is not allowed.

    Examples
    --------
    >>> p = simple_profile("eigen", "Eigener Index",
    ...     [("sgb2_rate", "SGB II", "higher_is_worse"), ("abitur_share", "Abitur",
    ...       "higher_is_better")], [("sgb2_rate", "SGB II", "higher_is_worse")])
    >>> [(i.column, i.indicator) for i in p.status], p.dynamics[0].change_of
    ([('sgb2_rate', 'sgb2_rate'), ('abitur_share', 'abitur_share')], 'sgb2_rate')
    >>> profile_from_toml(profile_to_toml(p)) == p
    True
    """
    if not status:
        raise ProfileError(f"profile {name}: give at least one status indicator")
    for _, _, direction in (*status, *dynamics):
        if direction not in DIRECTIONS:
            raise ProfileError(
                f"profile {name}: direction {direction!r} is not allowed; use one of "
                f"{', '.join(DIRECTIONS)}"
            )
    return IndexProfile(
        name=name,
        label=label,
        status=tuple(IndexIndicator(k, lab, indicator=k, direction=d) for k, lab, d in status),  # type: ignore[arg-type]
        dynamics=tuple(
            IndexIndicator(f"d_{k}", f"Veränderung {lab}", change_of=k, direction=d)  # type: ignore[arg-type]
            for k, lab, d in dynamics
        ),
        status_classes=BERLIN_STATUS_CLASSES,
        dynamics_classes=BERLIN_DYNAMICS_CLASSES if dynamics else (),
        min_population=float(min_population),
        dynamics_window_years=int(dynamics_window_years),
    )


def profile_keys(profile: IndexProfile) -> list[str]:
    """Return the indicator keys a profile reads from a store (status, then dynamics).

    Examples
    --------
    >>> profile_keys(load_profile("berlin-mss-2021"))
    ['unemployment_rate', 'sgb2_rate', 'child_poverty_rate']
    """
    keys: list[str] = []
    for item in (*profile.status, *profile.dynamics):
        for key in (item.indicator, item.change_of):
            if key and key not in keys:
                keys.append(key)
    return keys


def missing_indicators(
    profile: IndexProfile,
    registry: Registry,
    stored_keys: Collection[str],
    *,
    population: str = "residents",
) -> list[str]:
    """Return in German which indicators the profile needs that a store lacks, and how to get them.

    An indicator is there when it is stored under its key, or when it is a share or
    rate of the registry whose numerator and denominator are both stored. The
    residents (``population``) are needed for the minimum population.

    Parameters
    ----------
    profile
        The method profile.
    registry
        The indicator definitions (shipped and the store's own).
    stored_keys
        The indicator keys that have stored values (of the level, vintage and
        edition the index is computed on).
    population
        The key of the residents' count.

    Returns
    -------
    list of str
        One message per missing indicator; empty when the profile can be computed.

    Examples
    --------
    >>> from indicators.registry import load_registry
    >>> p = load_profile("muenster")
    >>> have = ["residents", "unemployment_rate", "child_poverty_rate"]
    >>> print(missing_indicators(p, load_registry(), have)[0])
    „Transferbezug (SGB II)“ (sgb2_rate) ist nicht gespeichert und nicht aus Zählwerten \
berechenbar (es fehlt sgb2_recipients): importieren Sie die Spalte mit qmon import indicators … \
--rename SPALTE=sgb2_rate, oder die Zählwerte sgb2_recipients und residents
    >>> missing_indicators(p, load_registry(), have + ["sgb2_recipients"])
    []
    """
    have = set(stored_keys)
    labels = {
        k: i.label
        for i in (*profile.status, *profile.dynamics)
        for k in (i.indicator, i.change_of)
        if k
    }
    out: list[str] = []
    for key in [population, *profile_keys(profile)]:
        if key in have:
            continue
        known = key in registry
        label = registry.get(key).label if known else labels.get(key) or key
        how = f"importieren Sie die Spalte mit qmon import indicators … --rename SPALTE={key}"
        if known and registry.get(key).derived:
            d = registry.get(key)
            if d.numerator in have and d.denominator in have:
                continue
            lacking = [k for k in dict.fromkeys((d.numerator, d.denominator)) if k not in have]
            out.append(
                f"„{label}“ ({key}) ist nicht gespeichert und nicht aus Zählwerten berechenbar "
                f"(es fehlt {' und '.join(str(k) for k in lacking)}): {how}, oder die "
                f"Zählwerte {d.numerator} und {d.denominator}"
            )
        elif key == population:
            out.append(
                f"„{label}“ ({key}) ist nicht gespeichert; das Profil braucht die Einwohnerzahl "
                f"für die Mindestbevölkerung ({profile.min_population:g}): {how}"
            )
        else:
            out.append(f"„{label}“ ({key}) ist nicht gespeichert: {how}")
    return out


def _choice(
    data: dict[str, Any], key: str, allowed: tuple[str, ...], default: str, src: str
) -> Any:
    """Return ``data[key]`` if allowed (default when absent), else raise ProfileError."""
    value = data.get(key, default)
    if value not in allowed:
        raise ProfileError(
            f"profile {src}: {key} = {value!r} is not allowed; use one of {', '.join(allowed)}"
        )
    return value


def _indicators(items: Any, *, part: str, src: str) -> tuple[IndexIndicator, ...]:
    """Parse the [[status]] or [[dynamics]] tables."""
    if not isinstance(items, list):
        raise ProfileError(f"profile {src}: {part} must be a list of [[{part}]] tables")
    out = []
    allowed = {"column", "label", "indicator", "change_of", "direction", "weight"}
    for i, item in enumerate(items, 1):
        unknown = sorted(set(item) - allowed)
        if unknown or "column" not in item:
            raise ProfileError(
                f"profile {src}: [[{part}]] number {i} "
                + (f"has unknown field(s) {', '.join(unknown)}" if unknown else "lacks 'column'")
                + f"; allowed: {', '.join(sorted(allowed))}"
            )
        _choice(item, "direction", DIRECTIONS, "higher_is_worse", src)
        weight = item.get("weight", 1.0)
        if not isinstance(weight, (int, float)) or weight <= 0:
            raise ProfileError(f"profile {src}: [[{part}]] {item['column']}: weight must be > 0")
        out.append(IndexIndicator(**(item | {"weight": float(weight)})))
    return tuple(out)


def _classes(items: Any, *, part: str, src: str) -> tuple[IndexClass, ...]:
    """Parse class tables and check that their bounds increase."""
    if not isinstance(items, list) or not items:
        raise ProfileError(f"profile {src}: give at least one [[{part}]] table")
    out = []
    for i, item in enumerate(items, 1):
        if set(item) - {"code", "label", "below", "at_most"} or "code" not in item:
            raise ProfileError(
                f"profile {src}: [[{part}]] number {i} needs code and label and at most one "
                "of below / at_most"
            )
        if "below" in item and "at_most" in item:
            raise ProfileError(
                f"profile {src}: [[{part}]] {item['code']} has both below and at_most"
            )
        out.append(
            IndexClass(
                code=int(item["code"]),
                label=str(item.get("label", item["code"])),
                below=float(item["below"]) if "below" in item else None,
                at_most=float(item["at_most"]) if "at_most" in item else None,
            )
        )
    uppers = [c.upper for c in out]
    if any(b <= a for a, b in zip(uppers, uppers[1:])) or not math.isinf(uppers[-1]):
        raise ProfileError(
            f"profile {src}: the bounds of [[{part}]] must increase strictly and the last "
            f"class must have no bound (got {uppers})"
        )
    if len({c.code for c in out}) != len(out):
        raise ProfileError(f"profile {src}: [[{part}]] codes must be distinct")
    return tuple(out)


def _profile_from_dict(data: dict[str, Any], *, source: str) -> IndexProfile:
    """Build and check a profile from parsed TOML."""
    known = {
        "name", "label", "edition", "status", "dynamics", "status_classes", "dynamics_classes",
        "min_population", "standardisation", "sd", "aggregation", "dynamics_window_years",
        "outlier_rule", "outlier_threshold",
    }  # fmt: skip
    unknown = sorted(set(data) - known)
    if unknown:
        raise ProfileError(
            f"profile {source}: unknown field(s) {', '.join(unknown)}; allowed: "
            f"{', '.join(sorted(known))}"
        )
    status = _indicators(data.get("status", []), part="status", src=source)
    if not status:
        raise ProfileError(f"profile {source}: give at least one [[status]] indicator")
    dynamics = _indicators(data.get("dynamics", []), part="dynamics", src=source)
    rule = _choice(data, "outlier_rule", OUTLIER_RULES, "list", source)
    threshold = data.get("outlier_threshold")
    if rule == "zscore" and not isinstance(threshold, (int, float)):
        raise ProfileError(
            f"profile {source}: outlier_rule 'zscore' needs outlier_threshold (e.g. 5.0)"
        )
    return IndexProfile(
        name=str(data.get("name", source)),
        label=str(data.get("label", data.get("name", source))),
        edition=str(data.get("edition", "")),
        status=status,
        dynamics=dynamics,
        status_classes=_classes(data.get("status_classes"), part="status_classes", src=source),
        dynamics_classes=(
            _classes(data.get("dynamics_classes"), part="dynamics_classes", src=source)
            if dynamics
            else ()
        ),
        min_population=float(data.get("min_population", 300)),
        standardisation=_choice(data, "standardisation", STANDARDISATIONS, "z", source),
        sd=_choice(data, "sd", SD_KINDS, "population", source),
        aggregation=_choice(data, "aggregation", AGGREGATIONS, "sum_then_z", source),
        dynamics_window_years=int(data.get("dynamics_window_years", 2)),
        outlier_rule=rule,
        outlier_threshold=float(threshold) if threshold is not None else None,
    )


# --- computing ---------------------------------------------------------------------


def standardise(values: pd.Series, *, ddof: int = 0, name: str = "value") -> pd.Series:
    """Return the z-values of ``values`` (NaN stays NaN).

    Raises
    ------
    ProfileError
        When fewer than two values are present or all are equal (SD is 0).

    Notes
    -----
    :math:`z_a = (x_a - \\bar{x}) / s` with the unweighted mean :math:`\\bar{x}` and
    the standard deviation :math:`s = \\sqrt{\\sum_a (x_a-\\bar{x})^2 / (n - ddof)}`.

    Examples
    --------
    >>> standardise(pd.Series([1.0, 2.0, 3.0])).round(4).tolist()
    [-1.2247, 0.0, 1.2247]
    >>> standardise(pd.Series([1.0, 2.0, 3.0]), ddof=1).tolist()
    [-1.0, 0.0, 1.0]
    """
    valid = values.dropna()
    sd = float(valid.std(ddof=ddof)) if len(valid) > ddof else float("nan")
    if len(valid) < 2 or not sd > 0:
        raise ProfileError(
            f"indicator {name} cannot be standardised: {len(valid)} valid value(s) with "
            f"standard deviation {sd}; the index needs at least two areas that differ"
        )
    return (values - float(valid.mean())) / sd


def classify(score: pd.Series, classes: Sequence[IndexClass]) -> tuple[pd.Series, pd.Series]:
    """Return the class code (Int64) and label of every score; NaN scores get none.

    Examples
    --------
    >>> p = load_profile("berlin-mss-2021")
    >>> codes, labels = classify(pd.Series([-1.2, -1.0, 0.99, 1.0, 1.5, None]), p.status_classes)
    >>> codes.tolist()
    [1, 2, 2, 3, 4, <NA>]
    >>> codes, _ = classify(pd.Series([-1.0, 1.0, 1.0001]), p.dynamics_classes)
    >>> codes.tolist()
    [3, 3, 5]
    """
    values = score.to_numpy(dtype=float)
    codes = np.full(len(values), -1, dtype=np.int64)
    labels = np.full(len(values), None, dtype=object)
    todo = ~np.isnan(values)
    for cls in classes:
        hit = todo & cls.takes(values)
        codes[hit] = cls.code
        labels[hit] = cls.label
        todo &= ~hit
    missing = np.isnan(values)
    code_series = pd.Series(
        pd.array([None if m else int(c) for c, m in zip(codes, missing)], dtype="Int64"),
        index=score.index,
    )
    return code_series, pd.Series(labels, index=score.index, dtype="object")


def _combine(z: pd.DataFrame, weights: np.ndarray, profile: IndexProfile, part: str) -> pd.Series:
    """Combine the standardised indicators into one score."""
    weighted = z * weights
    if profile.aggregation == "mean":
        return weighted.sum(axis=1) / weights.sum()
    total = weighted.sum(axis=1)
    if profile.aggregation == "sum":
        return total
    return standardise(total, ddof=profile.ddof, name=f"{part} sum")


def compute_index(
    table: pd.DataFrame,
    profile: IndexProfile,
    *,
    id_column: str,
    population_column: str,
    status_columns: Sequence[str] | None = None,
    dynamics_columns: Sequence[str] | None = None,
    na_values: Iterable[float] = (),
    exclude: Iterable[str] = (),
    details: bool = False,
) -> pd.DataFrame:
    """Compute status and dynamics scores and classes, one row per input row.

    Parameters
    ----------
    table
        One row per area with an id, the population and the indicator columns.
    profile
        The method profile (see :func:`load_profile`).
    id_column, population_column
        Column names of the area id and of the residents.
    status_columns, dynamics_columns
        Columns of the profile's status and dynamics indicators, in the profile's
        order; default: the columns the profile names.
    na_values
        Codes that mean "no value" (Berlin publishes -9999).
    exclude
        Ids to leave out (e.g. those the statistics office flagged as outliers).
    details
        Also return the z-value of each indicator (columns ``z_<column>``).

    Returns
    -------
    pandas.DataFrame
        Same index and order as ``table``, columns ``id, status_score,
        status_class, status_label, dynamics_score, dynamics_class, dynamics_label,
        index_code, valid, reason``. Invalid rows keep their id, have empty scores
        and classes, ``valid`` False and a reason.

    Raises
    ------
    FrameError
        When a column is missing, holds a non-number or the ids repeat.
    ProfileError
        When the column lists do not fit the profile, or an indicator has no
        spread among the valid areas.

    Notes
    -----
    Valid areas :math:`V`: population :math:`\\ge` ``min_population``, not excluded,
    every indicator present (and, with ``outlier_rule = "zscore"``, no
    :math:`|z| >` ``outlier_threshold``). For each indicator :math:`k` with sign
    :math:`s_k` (+1 if higher is worse) and weight :math:`w_k`, over :math:`V`:

    .. math:: z_{a,k} = s_k (x_{a,k} - \\bar{x}_k) / sd_k

    ``sum_then_z`` (Berlin MSS): :math:`SI_a = z(\\sum_k w_k z_{a,k})`;
    ``mean`` (Münster): :math:`SI_a = \\sum_k w_k z_{a,k} / \\sum_k w_k`;
    ``sum``: :math:`SI_a = \\sum_k w_k z_{a,k}`. The same for the dynamics
    indicators gives :math:`DI`. Classes follow the profile's cut-offs (Berlin:
    status 1 if SI < -1, 2 if < 1, 3 if < 1.5, else 4; dynamics 1 if DI < -1,
    3 if DI <= 1, else 5) and ``index_code`` = 10 · status + dynamics.

    Examples
    --------
    >>> p = load_profile("berlin-mss-2021")
    >>> t = pd.DataFrame({"id": list("abcdef"), "EW": [900, 800, 700, 600, 500, 100],
    ...     "S1": [1, 2, 3, 4, 12, 5], "S3": [2, 1, 3, 5, 10, 5], "S4": [1, 1, 2, 2, 9, 5],
    ...     "D1": [0, 1, 0, -1, 2, 5], "D3": [0, 0, 1, -1, 2, 5], "D4": [0, 1, 1, -2, 3, 5]})
    >>> r = compute_index(t, p, id_column="id", population_column="EW")
    >>> r[["id", "status_class", "dynamics_class", "index_code", "valid"]]
      id  status_class  dynamics_class  index_code  valid
    0  a             2               3          23   True
    1  b             2               3          23   True
    2  c             2               3          23   True
    3  d             2               1          21   True
    4  e             4               5          45   True
    5  f          <NA>            <NA>        <NA>  False
    >>> r.loc[5, "reason"]
    'fewer than 300 residents'
    """
    status_cols = _columns_for(profile.status, status_columns, part="status")
    dyn_cols = _columns_for(profile.dynamics, dynamics_columns, part="dynamics")
    needed = [id_column, population_column, *status_cols, *dyn_cols]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise FrameError(
            f"the table lacks column(s) {', '.join(missing)}; it has "
            f"{', '.join(map(str, table.columns))}; name the right ones with --id, "
            "--population, --status and --dynamics"
        )
    ids = table[id_column].astype("object").map(lambda v: None if pd.isna(v) else str(v))
    dup = ids[ids.duplicated(keep=False) & ids.notna()]
    if len(dup):
        raise FrameError(
            f"column {id_column!r} repeats id(s) {', '.join(sorted(set(dup))[:5])}; "
            "each area must appear once"
        )
    na = [float(v) for v in na_values]
    values = pd.DataFrame(index=table.index)
    for col in [population_column, *status_cols, *dyn_cols]:
        numbers = _numeric(table[col], col)
        values[col] = numbers.mask(numbers.isin(na)) if na else numbers

    reason = pd.Series(None, index=table.index, dtype="object")

    def mark(mask: pd.Series, text: str) -> None:
        reason[mask & reason.isna()] = text

    excluded = set(map(str, exclude))
    mark(ids.isna(), "no id")
    mark(ids.isin(excluded), "excluded (flagged as outlier)")
    pop = values[population_column]
    mark(pop.isna(), "no population")
    mark(pop < profile.min_population, f"fewer than {profile.min_population:g} residents")
    for col in [*status_cols, *dyn_cols]:
        mark(values[col].isna(), f"no value of {col}")

    if profile.outlier_rule == "zscore" and profile.outlier_threshold is not None:
        base = reason.isna()
        for col in [*status_cols, *dyn_cols]:
            z = standardise(values.loc[base, col], ddof=profile.ddof, name=col)
            far = pd.Series(False, index=table.index)
            far[z.index] = z.abs() > profile.outlier_threshold
            mark(far, f"outlier in {col} (|z| > {profile.outlier_threshold:g})")

    valid = reason.isna()
    out = pd.DataFrame(index=table.index)
    out["id"] = ids
    zcols: dict[str, pd.Series] = {}
    for part, items, cols, classes in (
        ("status", profile.status, status_cols, profile.status_classes),
        ("dynamics", profile.dynamics, dyn_cols, profile.dynamics_classes),
    ):
        if not items:
            out[f"{part}_score"] = np.nan
            out[f"{part}_class"] = pd.Series(pd.NA, index=table.index, dtype="Int64")
            out[f"{part}_label"] = pd.Series(None, index=table.index, dtype="object")
            continue
        zs = pd.DataFrame(index=table.index[valid.to_numpy()])
        for item, col in zip(items, cols):
            zs[col] = item.sign * standardise(values.loc[valid, col], ddof=profile.ddof, name=col)
            zcols[f"z_{col}"] = zs[col]
        weights = np.array([item.weight for item in items])
        score = _combine(zs, weights, profile, part).reindex(table.index)
        codes, labels = classify(score, classes)
        out[f"{part}_score"] = score
        out[f"{part}_class"] = codes
        out[f"{part}_label"] = labels
    if profile.dynamics:
        out["index_code"] = 10 * out["status_class"] + out["dynamics_class"]
    else:
        out["index_code"] = out["status_class"]
    out["valid"] = valid.astype(bool)
    out["reason"] = reason
    if details:
        for name, series in zcols.items():
            out[name] = series.reindex(table.index)
    return out


def _columns_for(
    items: Sequence[IndexIndicator], given: Sequence[str] | None, *, part: str
) -> list[str]:
    """The table columns of the profile's indicators (given ones replace the profile's)."""
    if given is None:
        return [i.column for i in items]
    given = [g for g in given if g]
    if len(given) != len(items):
        raise ProfileError(
            f"the profile has {len(items)} {part} indicator(s) "
            f"({', '.join(i.column for i in items) or 'none'}) but {len(given)} column(s) were "
            f"given ({', '.join(given) or 'none'}); give one column per indicator, in that order"
        )
    return list(given)


def _numeric(series: pd.Series, name: str) -> pd.Series:
    """Return ``series`` as float, or raise FrameError naming the first bad cell."""
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna() & series.notna() & (series.astype(str).str.strip() != "")
    if bad.any():
        row = bad.to_numpy().nonzero()[0][0]
        raise FrameError(
            f"column {name!r} row {row + 1} holds {series.iloc[row]!r}, not a number; "
            "fix the cell or declare the code with --na"
        )
    return converted.astype(float)


def class_counts(result: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Return the number of areas per status and dynamics label, and the unassigned.

    Examples
    --------
    >>> r = pd.DataFrame({"status_label": ["hoch", None], "dynamics_label": ["stabil", None],
    ...                   "valid": [True, False]})
    >>> class_counts(r)
    {'status': {'hoch': 1}, 'dynamics': {'stabil': 1}, 'unassigned': {'': 1}}
    """
    return {
        "status": {str(k): int(v) for k, v in result["status_label"].value_counts().items()},
        "dynamics": {str(k): int(v) for k, v in result["dynamics_label"].value_counts().items()},
        "unassigned": {"": int((~result["valid"].astype(bool)).sum())},
    }


def class_distribution(result: pd.DataFrame, profile: IndexProfile) -> pd.DataFrame:
    """Return the number of areas in each status and dynamics class of the profile.

    Every class of the profile is listed in its order, 0 where no area falls in it, so a
    chart of the distribution shows the classes as classes (not as a continuous scale).
    Areas without a class (too few residents, values missing) are not counted here.

    Returns
    -------
    pandas.DataFrame
        ``part`` (``status`` or ``dynamics``), ``code``, ``label`` and ``areas``.

    Examples
    --------
    >>> p = load_profile("berlin-mss-2021")
    >>> r = pd.DataFrame({"status_class": [1, 1, 4, None],
    ...                   "dynamics_class": [2, None, 2, None]})
    >>> d = class_distribution(r, p)
    >>> d[d["part"] == "status"][["code", "areas"]].values.tolist()
    [[1, 2], [2, 0], [3, 0], [4, 1]]
    """
    rows: list[tuple[str, int, str, int]] = []
    for part, classes in (
        ("status", profile.status_classes),
        ("dynamics", profile.dynamics_classes),
    ):
        codes = pd.to_numeric(result[f"{part}_class"], errors="coerce")
        counts = codes.dropna().astype(int).value_counts()
        rows += [(part, c.code, c.label, int(counts.get(c.code, 0))) for c in classes]
    return pd.DataFrame(rows, columns=["part", "code", "label", "areas"])
