"""The city's own indicator catalogue and social index profiles, kept in the store.

The shipped registry (``indicators/indicators.toml``) and the shipped profiles
(``indicators/profiles/``) are the defaults. A store adds its own in the layers
``indicator_defs`` (one row per indicator key; a row with a shipped key overrides
the fields it gives) and ``index_profiles`` (one row per profile name, the TOML
text in ``definition``). :func:`registry_for` and :func:`profiles_for` return the
defaults with the store's rows laid over them: what the app, the CLI, the
comparisons and the reports use.

Every change goes through :mod:`monitoring.editing` (role ``edit_funding``:
editors and admins, version check, audit row in the same transaction).

Profile names: a stored profile may not take the name of a shipped one unless the
writer says so deliberately (``override_shipped=True``, ``qmon profiles import
--override``); then the stored one is used in place of the shipped one, and
deleting it brings the shipped one back.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from indicators.errors import ProfileError
from indicators.registry import (
    ROW_FIELDS,
    Registry,
    load_registry,
    registry_problems,
    registry_with,
)
from indicators.social_index import (
    IndexProfile,
    load_profile,
    missing_indicators,
    profile_from_toml,
    profile_names,
)
from monitoring import editing
from monitoring.auth import User, require
from monitoring.errors import NotFound, RuleViolation
from monitoring.findings import Finding

if TYPE_CHECKING:
    from geo.store.base import Store, Transaction

DEFAULT_PROFILE = "berlin-mss-2021"
"""The social index profile used where a user has not chosen one (the app's default)."""

DEF_FIELDS: tuple[str, ...] = (*ROW_FIELDS, "description")
"""Fields of an ``indicator_defs`` row a user sets (the key apart)."""


# --- reading -----------------------------------------------------------------------------


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [editing.row_dict(frame, i) for i in range(len(frame))]


def stored_defs(store: Store | Transaction) -> list[dict[str, Any]]:
    """Return the rows of the store's catalogue (plain values), by key."""
    frame = store.read("indicator_defs")
    return sorted(_rows(frame), key=lambda r: str(r["key"]))


def registry_for(store: Store | Transaction) -> Registry:
    """Return the shipped registry with the store's catalogue laid over it.

    Raises
    ------
    RegistryError
        When a stored definition is wrong (it cannot be, when written through
        :func:`save_indicator_def` or an import; the message names it).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from geo.store import open_store
    >>> store = open_store(str(pathlib.Path(tempfile.mkdtemp()) / "c.gpkg"))
    >>> _ = store.init(crs="EPSG:25832")
    >>> _ = save_indicator_def(store, User("anna", "editor"),
    ...     {"key": "wohnflaeche", "label": "Wohnfläche je Einwohner", "unit": "m²",
    ...      "kind": "value"})
    >>> registry_for(store).get("wohnflaeche").label
    'Wohnfläche je Einwohner'
    """
    return registry_with(load_registry(), stored_defs(store))


def stored_profile_rows(store: Store | Transaction) -> list[dict[str, Any]]:
    """Return the rows of ``index_profiles`` (plain values), by name."""
    return sorted(_rows(store.read("index_profiles")), key=lambda r: str(r["name"]))


def profiles_for(store: Store | Transaction) -> dict[str, IndexProfile]:
    """Return the profiles usable on a store: the shipped ones and the store's own.

    A stored profile with a shipped name (saved with ``override_shipped``) takes
    the shipped one's place.

    Raises
    ------
    ProfileError
        When a stored profile's text is not a valid profile.
    """
    out = {name: load_profile(name) for name in profile_names()}
    for row in stored_profile_rows(store):
        out[str(row["name"])] = _parse_stored(row)
    return out


def default_profile(store: Store | Transaction) -> IndexProfile:
    """Return the profile a store's maps and published layers judge by when none is chosen:
    :data:`DEFAULT_PROFILE` (a stored one of that name first), else the first there is."""
    profiles = profiles_for(store)
    return profiles.get(DEFAULT_PROFILE) or next(iter(profiles.values()))


def profile_for(store: Store | Transaction, name: str) -> IndexProfile:
    """Return one profile by name (stored ones first), or raise ProfileError in German."""
    profiles = profiles_for(store)
    if name not in profiles:
        raise ProfileError(
            f"Es gibt kein Sozialindex-Profil „{name}“; vorhanden: {', '.join(sorted(profiles))}. "
            "Legen Sie es an mit: qmon profiles import DATEI.toml"
        )
    return profiles[name]


def _parse_stored(row: Mapping[str, Any]) -> IndexProfile:
    return profile_from_toml(str(row["definition"]), source=f"gespeichertes Profil „{row['name']}“")


def stored_keys(store: Store | Transaction, *, level: str | None = None) -> set[str]:
    """Return the indicator keys that have stored values (of one level, if given)."""
    where = {"level": level} if level is not None else None
    return set(store.read("indicator_values", where=where, columns=["indicator"])["indicator"])


def profile_problems(
    store: Store | Transaction, profile: IndexProfile, *, level: str | None = None
) -> list[str]:
    """Return in German what the store lacks to compute ``profile`` (empty when nothing)."""
    return missing_indicators(profile, registry_for(store), stored_keys(store, level=level))


# --- indicator definitions ----------------------------------------------------------------


def record_findings(
    tx: Store | Transaction, layer: str, record: Mapping[str, Any]
) -> list[Finding]:
    """Return the errors of a catalogue row or profile saved through :func:`services.save`.

    The services' generic save runs these record rules, so a definition or profile
    written that way is checked as :func:`save_indicator_def` and
    :func:`save_profile` check it.
    """
    ident = str(record.get("key") if layer == "indicator_defs" else record.get("name"))
    if layer == "indicator_defs":
        row = {f: record.get(f) for f in ("key", *DEF_FIELDS)}
        others = [r for r in stored_defs(tx) if r["key"] != record.get("key")]
        problems = registry_problems(load_registry(), [*others, row])
    else:
        problems = []
        try:
            profile = check_profile_text(
                tx, str(record.get("definition") or ""), override_shipped=True
            )
        except RuleViolation as exc:
            problems = list(exc.problems)
        else:
            if profile.name != record.get("name"):
                problems.append(
                    f"der Name im Profil („{profile.name}“) ist nicht der Name des "
                    f"Datensatzes („{record.get('name')}“)"
                )
    return [Finding("error", "catalogue", layer, ident, p) for p in problems]


def _clean(record: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a definition, blank texts and NaN as None, numbers as floats."""
    out: dict[str, Any] = {}
    for name, value in record.items():
        if name not in ("key", *DEF_FIELDS):
            raise RuleViolation(
                f"Ein Indikator hat kein Feld „{name}“; erlaubt: key, {', '.join(DEF_FIELDS)}"
            )
        if isinstance(value, str):
            value = value.strip() or None
        if isinstance(value, float) and math.isnan(value):
            value = None
        if name in ("factor", "min_value", "max_value") and value is not None:
            if isinstance(value, str):
                try:
                    value = float(value.replace(",", "."))
                except ValueError:
                    raise RuleViolation(
                        f"Indikator „{record.get('key')}“: {name} „{value}“ ist keine Zahl"
                    ) from None
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                value = float(value)
        out[name] = value
    return out


def _check_defs(ch: editing.ChangeSet, rows: list[dict[str, Any]]) -> None:
    """Raise RuleViolation (German) when the catalogue with ``rows`` is not a valid registry."""
    problems = registry_problems(load_registry(), rows)
    if problems:
        raise RuleViolation(
            f"Der Indikator wurde nicht gespeichert: {'; '.join(problems)}", problems=problems
        )


def save_indicator_def_in(
    ch: editing.ChangeSet, record: Mapping[str, Any], *, expected_version: int | None = None
) -> dict[str, Any]:
    """Create or change one catalogue row inside an open change set; return it as stored.

    A new key needs ``label`` and ``kind``; an existing row gets the fields given
    (at ``expected_version``, default: the version read in this transaction).
    """
    values = _clean(record)
    key = values.get("key")
    if not key:
        raise RuleViolation("Ein Indikator braucht einen Schlüssel (key), z. B. anteil_u18")
    before = ch.read("indicator_defs", {"key": key})
    others = [r for r in stored_defs(ch.tx) if r["key"] != key]
    merged = (before or {}) | values
    _check_defs(ch, [*others, {f: merged.get(f) for f in ("key", *DEF_FIELDS)}])
    if before is None:
        return ch.create("indicator_defs", {k: v for k, v in values.items() if v is not None})
    changed = {k: v for k, v in values.items() if k != "key" and before.get(k) != v}
    if not changed:
        return before
    version = before["version"] if expected_version is None else expected_version
    return ch.update("indicator_defs", {"key": key}, changed, expected_version=version)


def save_indicator_def(
    store: Store,
    user: User,
    record: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Create or change one indicator of the store's catalogue; return it as stored.

    Parameters
    ----------
    store, user
        Where, and who acts (role editor or admin).
    record
        ``key`` and any of ``label, unit, kind, numerator, denominator, formula,
        factor, direction, source, min_value, max_value, description``. A shipped key
        overrides the fields given (e.g. a city's own label of ``residents``).
    expected_version
        The version the user read (forms); default: the stored one.

    Raises
    ------
    PermissionDenied
        For roles other than editor and admin.
    RuleViolation
        Listing in German what is wrong (unknown kind, a rate whose counts are not
        counts, min above max …); nothing is stored.
    EditConflict
        When the row changed since ``expected_version``.
    """
    require(user, editing.LAYER_ACTIONS["indicator_defs"])
    with editing.changes(store, user) as ch:
        return save_indicator_def_in(ch, record, expected_version=expected_version)


def delete_indicator_def(
    store: Store, user: User, key: str, *, expected_version: int | None = None
) -> dict[str, Any]:
    """Remove one row of the catalogue (a shipped key falls back to its default).

    Raises
    ------
    NotFound, PermissionDenied, RuleViolation
        When there is no such row, the role may not, or another row uses it as
        numerator or denominator.
    """
    require(user, editing.LAYER_ACTIONS["indicator_defs"])
    with editing.changes(store, user) as ch:
        before = ch.get("indicator_defs", {"key": key})
        _check_defs(ch, [r for r in stored_defs(ch.tx) if r["key"] != key])
        version = before["version"] if expected_version is None else expected_version
        return ch.delete("indicator_defs", {"key": key}, expected_version=version)


# --- profiles ------------------------------------------------------------------------------


def check_profile_text(
    store: Store | Transaction, toml_text: str, *, override_shipped: bool = False
) -> IndexProfile:
    """Parse and check a profile's TOML text against the store's catalogue (German errors).

    Every indicator the profile names must be in the catalogue (shipped or the
    store's own) or have stored values.

    Raises
    ------
    RuleViolation
        When the text is no valid profile, names unknown indicators, or takes a
        shipped name without ``override_shipped``.
    """
    try:
        profile = profile_from_toml(toml_text, source="(eingegebenes Profil)")
    except ProfileError as exc:
        raise RuleViolation(
            f"Das Profil ist nicht gültig: {exc}; Beispiele: indicators/profiles/*.toml"
        ) from None
    problems = []
    if not profile.name or profile.name != profile.name.strip() or "/" in profile.name:
        problems.append(f"der Name „{profile.name}“ ist leer oder enthält Leerzeichen am Rand/„/“")
    if profile.name in profile_names() and not override_shipped:
        problems.append(
            f"„{profile.name}“ ist der Name eines mitgelieferten Profils; wählen Sie einen "
            "anderen Namen (name = …) oder ersetzen Sie das mitgelieferte bewusst "
            "(qmon profiles import … --override)"
        )
    registry = registry_for(store)
    have = stored_keys(store)
    for item in (*profile.status, *profile.dynamics):
        for key in (item.indicator, item.change_of):
            if key and key not in registry and key not in have:
                problems.append(
                    f"„{item.label or item.column}“ nennt den Indikator „{key}“, den es weder "
                    "im Katalog noch unter den gespeicherten Werten gibt; importieren Sie ihn "
                    "zuerst (qmon import indicators) oder korrigieren Sie den Schlüssel"
                )
    if problems:
        raise RuleViolation(
            f"Das Profil „{profile.name}“ wurde nicht gespeichert: {'; '.join(problems)}",
            problems=tuple(problems),
        )
    return profile


def save_profile(
    store: Store,
    user: User,
    toml_text: str,
    *,
    replace: bool = False,
    override_shipped: bool = False,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Store a social index profile given as TOML text; return the stored row.

    Parameters
    ----------
    store, user
        Where, and who acts (role editor or admin).
    toml_text
        The profile in the format of ``indicators/profiles/*.toml``.
    replace
        Replace a stored profile of the same name (otherwise that is refused).
    override_shipped
        Allow the name of a shipped profile: the stored one is then used instead.
    expected_version
        With ``replace``: the version the user read (default: the stored one).

    Raises
    ------
    PermissionDenied
        For roles other than editor and admin.
    RuleViolation
        When the text is no valid profile, names indicators unknown to the store,
        takes a shipped name without ``override_shipped``, or the name is stored
        already without ``replace``.
    EditConflict
        When the stored profile changed since ``expected_version``.
    """
    require(user, editing.LAYER_ACTIONS["index_profiles"])
    with editing.changes(store, user) as ch:
        profile = check_profile_text(ch.tx, toml_text, override_shipped=override_shipped)
        before = ch.read("index_profiles", {"name": profile.name})
        record = {"label": profile.label, "definition": toml_text}
        if before is None:
            return ch.create("index_profiles", {"name": profile.name} | record)
        if not replace:
            raise RuleViolation(
                f"Ein Sozialindex-Profil „{profile.name}“ ist schon gespeichert "
                f"(Version {before['version']}); nichts wurde geändert. Ersetzen Sie es "
                "bewusst (qmon profiles import … --replace) oder wählen Sie einen anderen Namen"
            )
        version = before["version"] if expected_version is None else expected_version
        return ch.update("index_profiles", {"name": profile.name}, record, expected_version=version)


def delete_profile(
    store: Store, user: User, name: str, *, expected_version: int | None = None
) -> dict[str, Any]:
    """Delete a stored profile; return it as it was (a shipped one cannot be deleted).

    Raises
    ------
    NotFound, PermissionDenied, RuleViolation
    """
    require(user, editing.LAYER_ACTIONS["index_profiles"])
    with editing.changes(store, user) as ch:
        before = ch.read("index_profiles", {"name": name})
        if before is None:
            if name in profile_names():
                raise RuleViolation(
                    f"„{name}“ ist ein mitgeliefertes Profil und wird nicht gelöscht; "
                    "gelöscht werden nur gespeicherte Profile der Stadt"
                )
            raise NotFound(
                f"Ein gespeichertes Sozialindex-Profil „{name}“ gibt es nicht; qmon profiles "
                "list zeigt alle"
            )
        version = before["version"] if expected_version is None else expected_version
        return ch.delete("index_profiles", {"name": name}, expected_version=version)


def profile_text(store: Store | Transaction, name: str) -> str:
    """Return the TOML text of a profile (stored, else the shipped file)."""
    for row in stored_profile_rows(store):
        if row["name"] == name:
            return str(row["definition"])
    if name in profile_names():
        from indicators.social_index import PROFILE_DIR

        return (PROFILE_DIR / f"{name}.toml").read_text(encoding="utf-8")
    raise NotFound(f"Ein Sozialindex-Profil „{name}“ gibt es nicht; qmon profiles list zeigt alle")


def catalogue_frame(store: Store | Transaction) -> pd.DataFrame:
    """Return every indicator (shipped and stored) with its origin, for listings."""
    stored = {str(r["key"]): r for r in stored_defs(store)}
    registry = registry_for(store)
    shipped = load_registry()
    rows = []
    for key, d in registry.items():
        origin = (
            "Stadt"
            if key in stored and key not in shipped
            else "mitgeliefert, von der Stadt geändert"
            if key in stored
            else "mitgeliefert"
        )
        rows.append(
            {
                "key": key,
                "label": d.label,
                "unit": d.unit,
                "kind": d.kind,
                "numerator": d.numerator,
                "denominator": d.denominator,
                "direction": d.direction,
                "origin": origin,
                "description": (stored.get(key) or {}).get("description"),
            }
        )
    return pd.DataFrame(rows)


__all__ = [
    "catalogue_frame",
    "check_profile_text",
    "delete_indicator_def",
    "delete_profile",
    "profile_for",
    "profile_problems",
    "profile_text",
    "profiles_for",
    "registry_for",
    "save_indicator_def",
    "save_indicator_def_in",
    "save_profile",
    "stored_defs",
    "stored_keys",
]
