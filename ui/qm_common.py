"""Helpers of the Quartiersmanagement forms: saving with German messages, ids, amounts.

Every form saves through :mod:`monitoring.services` (role, rules, version, audit in one
transaction). What the services refuse is shown in German: rule violations with every
problem, conflicts naming who changed what and when (:func:`conflict_text`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from geo import german
from geo.schema import SCHEMA
from monitoring import services
from monitoring.auth import User
from monitoring.errors import EditConflict, MonitoringError, PermissionDenied, RuleViolation
from ui import data
from ui.common import md
from ui.tables import stored_time

T = TypeVar("T")
FLASH = "qm._flash"
GENERATION = "qm._generation"


@st.cache_data(show_spinner=False)
def qm_actors(url: str, user_name: str, role: str, area_id: str) -> pd.DataFrame:
    return services.qm_actors(data.store(url), User(user_name, role), area_id)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False)
def qm_network(
    url: str, user_name: str, role: str, area_id: str, types: tuple[str, ...], around: str | None
) -> dict[str, Any]:
    user = User(user_name, role)  # type: ignore[arg-type]
    return services.qm_network(data.store(url), user, area_id, types=types, around=around)


def euro(value: Any) -> str:
    """Return an amount the German way, cents only when there are any.

    Examples
    --------
    >>> euro(8500.0), euro(123456.78), euro(None)
    ('8.500\\xa0€', '123.456,78\\xa0€', '–')
    """
    if german.is_missing(value):
        return german.NO_VALUE_SHORT
    number = float(value)
    return german.euro(number, decimals=0 if round(number, 2).is_integer() else 2)


def next_id(existing: Iterable[Any], prefix: str) -> str:
    """Return the next free id ``PREFIX-NNN`` after the highest number used with ``prefix``.

    Examples
    --------
    >>> next_id(["AK-001", "AK-017", "X-99", None], "AK")
    'AK-018'
    >>> next_id([], "AN")
    'AN-001'
    """
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
    numbers = [int(m.group(1)) for v in existing if (m := pattern.match(str(v)))]
    return f"{prefix}-{max(numbers, default=0) + 1:03d}"


def label_of(layer: str, column: str) -> str:
    """Return the German title of a column (the column name when it has none).

    Examples
    --------
    >>> label_of("actors", "email"), label_of("actors", "nope")
    ('E-Mail', 'nope')
    """
    for col in SCHEMA.layer(layer).columns:
        if col.name == column:
            return col.title or column
    return column


def _shown(value: Any) -> str:
    """Return a value of a conflict as a clerk reads it (numbers and dates German).

    Examples
    --------
    >>> _shown(None), _shown(1500.0), _shown(pd.Timestamp("2025-03-01")), _shown("Hof")
    ('leer', '„1.500,00“', '„01.03.2025“', '„Hof“')
    """
    if value is None:
        return "leer"
    if isinstance(value, float):
        return f"„{german.number(value, decimals=2)}“"
    if isinstance(value, dt.date):
        return f"„{german.date(value)}“"
    return f"„{value}“"


def _when(value: Any) -> str:
    return "Zeit unbekannt" if german.is_missing(value) else stored_time(value)


def conflict_text(exc: EditConflict) -> str:
    """Return the German message of a conflict: who changed which record, when, and what.

    Examples
    --------
    >>> err = EditConflict("x", layer="actors", key={"id": "AK-1"}, expected_version=1,
    ...     stored_version=2, changed_by="carla", changed_at="2025-05-01T10:00:00",
    ...     differences={"phone": ("0000 1", "0000 2")})
    >>> print(conflict_text(err))
    Konflikt: Der Datensatz „AK-1“ (Akteure) wurde inzwischen von carla geändert \
(01.05.2025, 12:00 Uhr, Version 2 statt Ihrer Version 1). Geändert: Telefon: Sie sahen \
„0000 1“, gespeichert ist „0000 2“. Nichts wurde gespeichert; laden Sie den Datensatz neu \
und geben Sie Ihre Änderung erneut ein.
    """
    title = SCHEMA.layer(exc.layer).title if exc.layer in SCHEMA.layers else exc.layer
    name = ", ".join(str(v) for v in exc.key.values())
    if exc.stored_version is None:
        return (
            f"Konflikt: Der Datensatz „{name}“ ({title}) wurde inzwischen von "
            f"{exc.changed_by or 'jemandem'} gelöscht ({_when(exc.changed_at)}). "
            "Nichts wurde gespeichert."
        )
    changes = (
        "; ".join(
            f"{label_of(exc.layer, f)}: Sie sahen {_shown(a)}, gespeichert ist {_shown(b)}"
            for f, (a, b) in exc.differences.items()
        )
        or "welche Felder, ist nicht bekannt"
    )
    return (
        f"Konflikt: Der Datensatz „{name}“ ({title}) wurde inzwischen von "
        f"{exc.changed_by or 'jemandem'} geändert ({_when(exc.changed_at)}, "
        f"Version {exc.stored_version} statt Ihrer Version {exc.expected_version}). "
        f"Geändert: {changes}. Nichts wurde gespeichert; laden Sie den Datensatz neu und "
        "geben Sie Ihre Änderung erneut ein."
    )


def attempt(action: Callable[[], T], *, done: str, forget: Iterable[str] = ()) -> T | None:
    """Run a saving service call; on success remember ``done`` and rerun, else show why.

    ``forget`` names session keys (the records a form was opened with, the typed
    numbers of a form: a name ending in "." drops every key starting with it) to drop
    after a success or a conflict, so the next run shows what is stored now.
    """
    try:
        result = action()
    except EditConflict as exc:
        st.error(md(conflict_text(exc)))
        _forget(forget)
        data.clear()
        return None
    except RuleViolation as exc:
        st.error("Nicht gespeichert:\n\n" + "\n".join(f"- {md(p)}" for p in exc.problems))
        return None
    except PermissionDenied as exc:
        st.error(f"Nicht erlaubt: {md(exc)}")
        return None
    except MonitoringError as exc:
        st.error(f"Nicht gespeichert: {md(exc)}")
        return None
    _forget(forget)
    data.clear()
    st.session_state[GENERATION] = generation() + 1  # the forms for new records start empty
    warnings = [w.message for w in getattr(result, "warnings", ())]
    st.session_state[FLASH] = (done, warnings)
    st.rerun()
    return result  # pragma: no cover (st.rerun does not return)


def generation() -> int:
    """Return how many saves this session made; part of the keys of forms for new records."""
    return int(st.session_state.get(GENERATION, 0))


def _forget(keys: Iterable[str]) -> None:
    """Drop session keys; a key ending in "." drops every key that starts with it."""
    for name in list(keys):
        if name.endswith("."):
            for found in [k for k in st.session_state if str(k).startswith(name)]:
                st.session_state.pop(found, None)
        else:
            st.session_state.pop(name, None)


def show_flash() -> None:
    """Show the outcome of the last save (kept over the rerun that refreshed the page)."""
    flash = st.session_state.pop(FLASH, None)
    if flash:
        done, warnings = flash
        st.success(done)
        for w in warnings:
            st.warning(md(w))


def seen_record(name: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """Return the record as the user first saw it in this form (kept in the session).

    The version a save expects is the one the user read, not what a later rerun
    reads: so a colleague's save in between is reported as a conflict.
    """
    if name not in st.session_state:
        st.session_state[name] = dict(record)
    return dict(st.session_state[name])


def form_errors(errors: list[str]) -> bool:
    """Show the German errors of typed numbers; return True when there were any."""
    if errors:
        st.error("Nicht gespeichert:\n\n" + "\n".join(f"- {md(e)}" for e in errors))
    return bool(errors)


def text_or_none(value: Any) -> str | None:
    """Return typed text stripped, None when empty.

    Examples
    --------
    >>> text_or_none("  Hof "), text_or_none("   ")
    ('Hof', None)
    """
    text = str(value or "").strip()
    return text or None
