"""Re-imports of indicator values: the edition they belong to and what they would change.

An indicator value belongs to a level, a vintage, an indicator, a period and an
edition (the publication it comes from, e.g. "MSS 2021"). Importing the same data a
second time from another file must not add a second edition nobody uses. So when
the user names no edition, the values the import would bring again are all stored
values of the same level, vintage, indicator and period, of any edition but the
recomputed ones (edition ending in "(neu berechnet)", see
:func:`indicators.stored.recomputed_edition`). When there are such values, the new
ones take over their edition name, and the import shows what it changes: values
that change, that are new, that are gone. An explicit edition is a separate
edition: only the values of that edition count.

Everything here is pure: the stored rows come in as a frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from monitoring.numbers import german_number

RECOMPUTED_SUFFIX = "(neu berechnet)"
"""How the edition of recomputed index values ends (never replaced by an import)."""

EXAMPLES = 5
"""How many changed values a report shows as examples."""

_KEY = ["area_id", "indicator", "period"]


@dataclass(frozen=True)
class Reimport:
    """The stored values an import brings again, and what it would change in them.

    ``edition`` is the edition the import stores under (None when the stored values
    of the scope belong to several editions: then the user must choose one).
    """

    edition: str | None
    editions: tuple[str, ...] = ()
    existing: int = 0
    changed: int = 0
    new: int = 0
    gone: int = 0
    unchanged: int = 0
    examples: tuple[str, ...] = ()

    def describe(self) -> str:
        """Say in German what the import changes.

        Examples
        --------
        >>> Reimport("MSS", ("MSS",), 4, 1, 1, 1, 1, ("A, S1: 1,0 -> 2,0",)).describe()
        '1 Wert ändert sich, 1 ist neu, 1 entfällt, 1 bleibt gleich; z. B. A, S1: 1,0 -> 2,0'
        """
        parts = [
            f"{self.changed} {'Wert ändert' if self.changed == 1 else 'Werte ändern'} sich",
            f"{self.new} {'ist' if self.new == 1 else 'sind'} neu",
            f"{self.gone} {'entfällt' if self.gone == 1 else 'entfallen'}",
            f"{self.unchanged} {'bleibt' if self.unchanged == 1 else 'bleiben'} gleich",
        ]
        text = ", ".join(parts)
        if self.examples:
            text += "; z. B. " + "; ".join(self.examples)
        return text

    def as_dict(self) -> dict[str, Any]:
        """Return the counts and examples (for ``ImportResult.details``)."""
        return {
            "edition": self.edition,
            "stored": self.existing,
            "changed": self.changed,
            "new": self.new,
            "gone": self.gone,
            "unchanged": self.unchanged,
            "examples": list(self.examples),
        }


def is_recomputed(edition: str) -> bool:
    """Return whether an edition holds recomputed values (never touched by an import).

    Examples
    --------
    >>> is_recomputed("berlin-mss-2021 (neu berechnet)"), is_recomputed("MSS 2021")
    (True, False)
    """
    return str(edition).rstrip().endswith(RECOMPUTED_SUFFIX)


def _same(a: Any, b: Any) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    if pd.isna(a) or pd.isna(b):
        return False
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


def _places(value: Any) -> int:
    if pd.isna(value):
        return 0
    text = f"{float(value):.6f}".rstrip("0")
    return min(len(text.split(".")[1]), 3)


def _show(value: Any, places: int) -> str:
    return german_number(value, decimals=places, missing="fehlend")


def plan_reimport(
    stored: pd.DataFrame,
    new: pd.DataFrame,
    *,
    edition: str | None,
    default: str,
    names: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    examples: int = EXAMPLES,
) -> Reimport:
    """Return the edition an import stores under and what it changes in the stored values.

    Parameters
    ----------
    stored
        Stored indicator values of the import's level and vintage (any edition);
        only those of the file's indicators and periods count.
    new
        The values to import: columns area_id, indicator, period, value.
    edition
        The edition the user named, or None (then every edition but the recomputed
        ones counts, and the import takes over the one found).
    default
        The edition when none is named and nothing is stored (the file name).
    names, labels
        Area id -> name and indicator key -> label, for the examples.
    examples
        How many examples to give.

    Examples
    --------
    >>> stored = pd.DataFrame({"area_id": ["a", "b", "a"], "indicator": "S1",
    ...     "period": pd.Timestamp("2021-12-31"), "value": [1.0, 2.0, 9.0],
    ...     "edition": ["MSS", "MSS", "x (neu berechnet)"]})
    >>> new = pd.DataFrame({"area_id": ["a", "c"], "indicator": "S1",
    ...     "period": pd.Timestamp("2021-12-31"), "value": [1.5, 3.0]})
    >>> plan = plan_reimport(stored, new, edition=None, default="datei",
    ...                      names={"a": "Altona"}, labels={"S1": "Arbeitslose"})
    >>> plan.edition, plan.changed, plan.new, plan.gone
    ('MSS', 1, 1, 1)
    >>> plan.examples[0]
    'Altona, Arbeitslose: 1,0 -> 1,5'
    """
    names = names or {}
    labels = labels or {}
    scope = stored
    if len(scope):
        keys = set(new["indicator"].dropna().astype(str))
        periods = set(pd.to_datetime(new["period"].dropna()))
        scope = scope[
            scope["indicator"].astype(str).isin(keys)
            & pd.to_datetime(scope["period"]).isin(periods)
        ]
        if edition is not None:
            scope = scope[scope["edition"].astype(str) == edition]
        else:
            scope = scope[~scope["edition"].astype(str).map(is_recomputed)]
    found = tuple(sorted(set(scope["edition"].astype(str)))) if len(scope) else ()
    if edition is not None:
        chosen: str | None = edition
    elif len(found) > 1:
        chosen = None
    else:
        chosen = found[0] if found else default
    if not len(scope):
        return Reimport(chosen, found)
    old = scope.assign(period=pd.to_datetime(scope["period"])).set_index(_KEY)["value"]
    now = new.assign(period=pd.to_datetime(new["period"])).set_index(_KEY)["value"]
    old = old[~old.index.duplicated()]
    several = len(set(now.index.get_level_values("period"))) > 1
    changed, added, gone, same = [], [], [], 0
    before: dict[Any, Any] = dict(zip(old.index.tolist(), old.tolist()))
    after: dict[Any, Any] = dict(zip(now.index.tolist(), now.tolist()))
    for key, value in after.items():
        if key in before:
            if _same(before[key], value):
                same += 1
            else:
                changed.append((key, before[key], value))
        else:
            added.append((key, None, value))
    for key, value in before.items():
        if key not in after:
            gone.append((key, value, None))

    def example(item: tuple[Any, Any, Any]) -> str:
        (area, key, when), before, after = item
        where = f"{names.get(str(area), str(area))}, {labels.get(str(key), str(key))}"
        if several:
            where += f" ({pd.Timestamp(when):%d.%m.%Y})"
        places = max(_places(before), _places(after))
        if before is None:
            return f"{where}: neu {_show(after, places)}"
        if after is None:
            return f"{where}: {_show(before, places)} entfällt"
        return f"{where}: {_show(before, places)} -> {_show(after, places)}"

    shown = [example(i) for i in (changed + added + gone)[:examples]]
    return Reimport(
        chosen, found, len(scope), len(changed), len(added), len(gone), same, tuple(shown)
    )
