"""The one path every change takes: permission, optimistic locking and the audit log.

Every create, update and delete of a record goes through a :class:`ChangeSet`
opened with :func:`changes` (or the one-change helpers :func:`create`,
:func:`update`, :func:`delete`). Each change

1. checks that the acting user's role may change the layer (:data:`LAYER_ACTIONS`),
   and that the record's municipality (``ags``) lies in the user's scope: a new record
   takes the AGS of its Gesamtmaßnahme or parent (:data:`PARENT_COLUMNS`), else the
   user's municipality, else the store's one municipality (:meth:`ChangeSet.record_ags`);
2. for an update or delete of an editable layer, checks the version the user read
   (``expected_version``) against the stored one and lets the store apply the change
   only if it still matches (``tx.update(..., expected_version=...)``); otherwise it
   raises :class:`~monitoring.errors.EditConflict` naming the record, who changed it
   when, and which fields differ between what the user saw and what is stored now;
3. writes one row to ``audit_log`` with the record before and after as JSON, the
   user and the time, in the SAME transaction as the change, so the log never
   misses a change and never records one that did not happen.

Notes
-----
Why this is safe with concurrent writers on PostGIS: the store's update is
``UPDATE … SET version = version + 1 WHERE key AND version = expected``. Under READ
COMMITTED the second of two such statements waits for the first transaction's row
lock, re-evaluates its WHERE on the committed row, finds the version raised and
changes nothing (0 rows), which this module turns into the conflict error. The
before image is read first; it is correct because the update only succeeds if the
row still has the version that was read.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo import german
from geo.municipality import scope_label
from geo.schema import AGS_COLUMN, GEOMETRY_COLUMN, SCHEMA, Layer
from monitoring.auth import User, require
from monitoring.errors import EditConflict, NotFound, PermissionDenied, RuleViolation
from monitoring.messages import render

if TYPE_CHECKING:
    from geo.store.base import Store, Transaction

LAYER_ACTIONS: Mapping[str, str] = {
    "programmes": "edit_settings",
    "fields_of_action": "edit_settings",
    "funding_areas": "edit_funding",
    "concepts": "edit_funding",
    "goals": "edit_funding",
    "targets": "edit_funding",
    "measures": "edit_funding",
    "measure_fields": "edit_funding",
    "measure_goals": "edit_funding",
    "milestones": "edit_funding",
    "measure_outputs": "edit_funding",
    "funding_lines": "edit_funding",
    "attachments": "edit_funding",
    "actors": "edit_qm",
    "bodies": "edit_qm",
    "projects": "edit_qm",
    "participation": "edit_qm",
    "local_funds": "edit_qm",
    "fund_income": "edit_qm",
    "fund_decisions": "edit_qm",
    "activities": "edit_qm",
    "activity_partners": "edit_qm",
    "applications": "edit_qm",
    "fund_payments": "edit_qm",
    "indicator_defs": "edit_funding",
    "index_profiles": "edit_funding",
    "report_sender": "edit_funding",
    "revenues": "edit_funding",
    "grant_applications": "edit_funding",
    "grant_notices": "edit_funding",
    "notice_measures": "edit_funding",
    "drawdowns": "edit_funding",
}
"""Layer -> the action (see :mod:`monitoring.auth`) a user needs to change it."""

BULK_LAYER_ACTIONS: Mapping[str, str] = {
    "areas": "edit_settings",
    "indicator_values": "edit_funding",
    "buildings": "edit_funding",
}
"""Layers written in bulk by imports (no versions): layer -> the action needed."""

DERIVED_FROM: frozenset[str] = frozenset(
    {"areas", "indicator_values", "indicator_defs", "index_profiles"}
)
"""Layers the indicator map for QGIS is derived from (:mod:`monitoring.interop.qgis`):
a change set that wrote one of them rewrites the map before it commits."""

APPEND_LAYER_ACTIONS: Mapping[str, str] = {
    "filed_reports": "edit_funding",
    "kuf_versions": "edit_funding",
    "collected_reports": "edit_funding",
}
"""Append-only layers (frozen versions): layer -> the action needed to add a record.

Their records are never changed or deleted; :meth:`ChangeSet.append` adds one with its
audit row."""

SUPERSEDED_COLUMNS: Mapping[str, str] = {"collected_reports": "superseded_by"}
"""Append-only layers whose records name the later version that replaces them: the one
column :meth:`ChangeSet.supersede` may set (everything else stays frozen)."""

EDIT_MANAGED: tuple[str, ...] = ("created_at", "updated_at", "updated_by", "version")

PARENT_COLUMNS: Mapping[str, str] = {
    "funding_area_id": "funding_areas",
    "measure_id": "measures",
    "concept_id": "concepts",
    "goal_id": "goals",
    "fund_id": "local_funds",
    "notice_id": "grant_notices",
    "project_id": "projects",
    "activity_id": "activities",
    "actor_id": "actors",
    "decision_id": "fund_decisions",
}
"""Column -> the layer whose record it names: a new record takes that record's AGS
(the first of these columns with a value, in this order)."""
"""Columns the store keeps; users never set them."""

LAYER_LABELS: Mapping[str, str] = {name: layer.title for name, layer in SCHEMA.layers.items()}


def changeable_layer(layer: str) -> Layer:
    """Return the layer if the services change it, else raise RuleViolation.

    Examples
    --------
    >>> changeable_layer("measures").editable
    True
    >>> changeable_layer("audit_log")
    Traceback (most recent call last):
    ...
    monitoring.errors.RuleViolation: Die Ebene „Änderungsprotokoll“ (audit_log) wird nicht \
über die Dienste geändert; änderbar sind: programmes, fields_of_action, funding_areas, concepts, \
goals, targets, measures, measure_fields, measure_goals, milestones, measure_outputs, \
funding_lines, attachments, actors, bodies, projects, participation, local_funds, \
fund_income, fund_decisions, activities, activity_partners, applications, fund_payments, \
indicator_defs, index_profiles, report_sender, revenues, grant_applications, grant_notices, \
notice_measures, drawdowns
    """
    if layer not in LAYER_ACTIONS:
        hint = (
            "das Protokoll schreiben nur die Dienste selbst"
            if layer == "audit_log"
            else "bringen Sie solche Daten mit „qmon import“ ein"
        )
        raise RuleViolation(
            f"Die Ebene {_layer_name(layer)} wird nicht über die Dienste geändert; "
            f"änderbar sind: {', '.join(LAYER_ACTIONS)}",
            problems=(f"Ebene {_layer_name(layer)}: {hint}",),
        )
    return SCHEMA.layer(layer)


# --- values as JSON ----------------------------------------------------------------


def plain(value: Any) -> Any:
    """Return ``value`` as a plain JSON-able Python value (dates as ISO text, geometry as WKT).

    Examples
    --------
    >>> plain(pd.Timestamp("2024-05-01"))
    '2024-05-01'
    >>> plain(np.int64(3)), plain(float("nan")), plain(pd.NA)
    (3, None, None)
    >>> plain(shapely.Point(1, 2))
    'POINT (1 2)'
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, BaseGeometry):
        return None if value.is_empty else shapely.to_wkt(value, rounding_precision=3)
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        if stamp == stamp.normalize():
            return stamp.date().isoformat()
        return stamp.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def row_dict(frame: pd.DataFrame, i: int = 0) -> dict[str, Any]:
    """Return row ``i`` of a store frame as a dict of plain values (geometry as WKT)."""
    row = frame.iloc[i]
    return {str(k): plain(v) for k, v in row.items()}


def record_key(layer: Layer, key: Mapping[str, Any]) -> str:
    """Return the text that names a record in the audit log.

    Examples
    --------
    >>> record_key(SCHEMA.layer("measures"), {"id": "M-1"})
    'M-1'
    >>> record_key(SCHEMA.layer("measure_goals"), {"goal_id": "Z1", "measure_id": "M-1"})
    '{"measure_id": "M-1", "goal_id": "Z1"}'
    """
    if len(layer.key) == 1:
        return str(plain(key[layer.key[0]]))
    return json.dumps({k: plain(key[k]) for k in layer.key}, ensure_ascii=False)


def _check_key(layer: Layer, key: Mapping[str, Any]) -> dict[str, Any]:
    """Return the key with exactly the layer's key columns, or raise RuleViolation."""
    missing = [k for k in layer.key if k not in key or plain(key[k]) is None]
    extra = [k for k in key if k not in layer.key]
    if missing or extra:
        raise RuleViolation(
            f"Ein Datensatz der Ebene „{layer.title}“ ({layer.name}) wird durch "
            f"{', '.join(layer.key)} benannt; erhalten: {dict(key)!r}; geben Sie genau "
            "diese Schlüsselspalten mit Werten an"
        )
    return {k: key[k] for k in layer.key}


RECORD_LABELS: Mapping[str, str] = {
    "areas": "Gebiet",
    "programmes": "Förderprogramm",
    "fields_of_action": "Handlungsfeld",
    "funding_areas": "Gesamtmaßnahme",
    "concepts": "Entwicklungskonzept",
    "goals": "Ziel",
    "targets": "Zielwert",
    "measures": "Maßnahme",
    "milestones": "Meilenstein",
    "funding_lines": "Finanzierungszeile",
    "buildings": "Gebäude",
    "actors": "Akteur",
    "bodies": "Gremium",
    "projects": "Bewohnerprojekt",
    "local_funds": "Verfügungsfonds",
    "fund_income": "Fondseinnahme",
    "fund_decisions": "Fondsentscheidung",
    "activities": "Aktivität",
    "audit_log": "Protokolleintrag",
    "filed_reports": "Eingereichter Bericht",
    "attachments": "Anhang",
    "applications": "Antrag",
    "fund_payments": "Fondsauszahlung",
    "import_batches": "Import",
    "indicator_defs": "Indikator",
    "index_profiles": "Sozialindex-Profil",
    "report_sender": "Absender der Berichte",
}
"""The German name of one record of a layer (singular), for messages."""


AUDIT_ACTION_LABELS: Mapping[str, str] = {
    "create": "angelegt",
    "update": "geändert",
    "delete": "gelöscht",
    "anonymise": "anonymisiert",
}
"""What a user reads for the actions of the audit log (the log keeps the English keys)."""


def _layer_name(layer: str) -> str:
    """Return „German title“ (name) of a layer, or the name quoted when unknown."""
    if layer in SCHEMA.layers:
        return f"„{SCHEMA.layer(layer).title}“ ({layer})"
    return f"„{layer}“"


def column_title(layer: Layer, name: str) -> str:
    """Return the German title of a column, or its name when it has none."""
    try:
        return layer.column(name).title or name
    except Exception:  # a field the layer does not know: show its name
        return name


def describe(layer: Layer, key: Mapping[str, Any]) -> str:
    """Name one record in German: „Maßnahme „M-1““, compound keys with column titles."""
    if len(layer.key) == 1 and layer.key[0] in key:
        value = plain(key[layer.key[0]])
        return f"{RECORD_LABELS.get(layer.name, layer.title)} „{value}“"
    parts = ", ".join(f"{column_title(layer, k)} „{plain(key.get(k))}“" for k in layer.key)
    return f"Eintrag in „{layer.title}“ ({parts})"


_describe = describe


def stamp(value: Any) -> str:
    """Return a stored time (UTC) as „am 01.05.2025, 12:00 Uhr“ in German local time.

    Examples
    --------
    >>> stamp("2025-05-01T10:00:00"), stamp(None)
    ('am 01.05.2025, 12:00 Uhr', 'zu unbekannter Zeit')
    """
    if value is None or value == "":
        return "zu unbekannter Zeit"
    try:
        moment = pd.Timestamp(value)
    except (ValueError, TypeError):
        return f"am {value}"
    if pd.isna(moment):
        return "zu unbekannter Zeit"
    if moment.tzinfo is None:  # the store keeps UTC without a zone
        moment = moment.tz_localize("UTC")
    return f"am {german.timestamp(moment)}"


def shown_value(value: Any) -> str:
    """Return a field's value as a user reads it: „1.234,5“, „31.12.2024“, „Text“ or leer.

    Examples
    --------
    >>> v = shown_value
    >>> v(300000.0), v(12.25), v(None), v("Bolzplatz"), v(pd.Timestamp(2024, 5, 1))
    ('„300.000“', '„12,25“', 'leer', '„Bolzplatz“', '„01.05.2024“')
    """
    if value is None or (not isinstance(value, str) and german.is_missing(value)):
        return "leer"
    if isinstance(value, bool | np.bool_):
        shown = "ja" if value else "nein"
    elif isinstance(value, int | float | np.integer | np.floating):
        whole = float(value).is_integer()
        shown = german.number(value, decimals=0 if whole else 2)
    elif isinstance(value, dt.date | pd.Timestamp):
        shown = german.date(value)
    else:
        shown = str(value)
    text = f"„{shown}“"
    return text if len(text) <= 60 else text[:57] + "…“"


def differences(
    seen: Mapping[str, Any], stored: Mapping[str, Any], *, ignore: Sequence[str] = EDIT_MANAGED
) -> dict[str, tuple[Any, Any]]:
    """Return ``{field: (seen, stored)}`` for the fields whose plain values differ.

    Examples
    --------
    >>> differences({"title": "A", "cost": 1.0, "version": 1},
    ...             {"title": "B", "cost": 1.0, "version": 2})
    {'title': ('A', 'B')}
    """
    out: dict[str, tuple[Any, Any]] = {}
    for name, value in seen.items():
        if name in ignore or name not in stored:
            continue
        a, b = plain(value), plain(stored[name])
        if isinstance(a, float) and isinstance(b, float) and math.isclose(a, b, rel_tol=1e-12):
            continue
        if a != b:
            out[name] = (a, b)
    return out


# --- the change set ----------------------------------------------------------------


class ChangeSet:
    """Changes made by one user inside one store transaction, each with its audit row."""

    def __init__(
        self, tx: Transaction, user: User, *, crs: Any, batch_id: str | None = None
    ) -> None:
        self.tx = tx
        self.user = user
        self.crs = crs
        self.batch_id = batch_id
        self.log: list[dict[str, Any]] = []
        #: Why the user makes the changes (archive, delete): written to each audit row.
        self.reason: str | None = None
        #: Layers this change set wrote to (derived layers are refreshed from them).
        self.touched: set[str] = set()
        self._home: tuple[str | None, bool] | None = None  # (the one AGS, known?)

    # reading ----------------------------------------------------------------------

    def read(self, layer: str, key: Mapping[str, Any]) -> dict[str, Any] | None:
        """Return the stored record (plain values) or None."""
        lyr = SCHEMA.layer(layer)
        frame = self.tx.read(layer, where=_check_key(lyr, key))
        return row_dict(frame) if len(frame) else None

    def get(self, layer: str, key: Mapping[str, Any]) -> dict[str, Any]:
        """Return the stored record, or raise NotFound naming it."""
        found = self.read(layer, key)
        if found is None:
            lyr = SCHEMA.layer(layer)
            raise NotFound(render("edit.not_found", record=_describe(lyr, key)))
        return found

    # changing ---------------------------------------------------------------------

    def create(self, layer: str, record: Mapping[str, Any]) -> dict[str, Any]:
        """Store a new record and return it as stored (with version 1).

        A ``geometry`` value is a shapely geometry in the storage CRS.

        Raises
        ------
        PermissionDenied, RuleViolation
            When the user may not change the layer, the key is incomplete or taken,
            or the record sets a column the store keeps.
        """
        lyr = self._allowed(layer)
        managed = [c for c in record if c in EDIT_MANAGED]
        if managed:
            raise RuleViolation(
                f"Ein neuer Datensatz in „{lyr.title}“ setzt {', '.join(managed)}; diese "
                "Felder führt die Datenbank selbst, lassen Sie sie weg"
            )
        key = _check_key(lyr, {k: record.get(k) for k in lyr.key})
        record = self._with_ags(lyr, key, record, "anlegen")
        if self.read(layer, key) is not None:
            raise RuleViolation(
                f"{_describe(lyr, key)} gibt es schon; wählen Sie eine andere Kennung (ID) "
                "oder bearbeiten Sie den vorhandenen Datensatz"
            )
        self.tx.write(layer, self._frame(lyr, [record]))
        after = self.get(layer, key)
        self._audit(lyr, key, "create", None, after)
        return after

    def append(self, layer: str, record: Mapping[str, Any]) -> dict[str, Any]:
        """Add a record to an append-only layer (:data:`APPEND_LAYER_ACTIONS`) with its audit row.

        Raises
        ------
        PermissionDenied, RuleViolation
            When the user may not add to the layer, the layer is not append-only or the
            key is taken.
        """
        if layer not in APPEND_LAYER_ACTIONS:
            raise RuleViolation(
                f"Die Ebene {_layer_name(layer)} ist keine festgeschriebene Ebene; "
                f"festgeschrieben werden: {', '.join(APPEND_LAYER_ACTIONS)}"
            )
        require(self.user, APPEND_LAYER_ACTIONS[layer])
        lyr = SCHEMA.layer(layer)
        key = _check_key(lyr, {k: record.get(k) for k in lyr.key})
        record = self._with_ags(lyr, key, record, "anlegen")
        if self.read(layer, key) is not None:
            raise RuleViolation(
                f"{_describe(lyr, key)} gibt es schon; festgeschriebene Datensätze werden "
                "nicht überschrieben"
            )
        self.tx.write(layer, self._frame(lyr, [record]))
        after = self.get(layer, key)
        self._audit(lyr, key, "create", None, after)
        return after

    def append_many(self, layer: str, frame: pd.DataFrame, *, name: str) -> int:
        """Add many records to an append-only layer at once, with one audit row for all.

        For generated data (a seeded national set): the keys are checked against the
        stored ones in one read, the rows written in one go, and one audit row (action
        ``import``) names the set (``name``) and counts the rows.

        Raises
        ------
        PermissionDenied, RuleViolation
            When the user may not add to the layer, the layer is not append-only or a
            key is taken (in the frame or in the store).
        """
        if layer not in APPEND_LAYER_ACTIONS:
            raise RuleViolation(
                f"Die Ebene {_layer_name(layer)} ist keine festgeschriebene Ebene; "
                f"festgeschrieben werden: {', '.join(APPEND_LAYER_ACTIONS)}"
            )
        require(self.user, APPEND_LAYER_ACTIONS[layer])
        if not len(frame):
            return 0
        lyr = SCHEMA.layer(layer)
        keys = list(lyr.key)
        twice = frame.duplicated(subset=keys)
        stored = self.tx.read(layer, columns=keys)
        taken = frame[keys].merge(stored, on=keys, how="inner") if len(stored) else stored
        if twice.any() or len(taken):
            first = (frame[twice] if twice.any() else taken).iloc[0]
            raise RuleViolation(
                f"{_describe(lyr, {k: first[k] for k in keys})} gibt es schon; festgeschriebene "
                "Datensätze werden nicht überschrieben"
            )
        if self.user.scope and AGS_COLUMN in lyr.column_names:  # each municipality's rows
            for ags, rows in frame.groupby(AGS_COLUMN, dropna=False):
                first = rows.iloc[0]
                self._check_scope(lyr, {k: first[k] for k in keys}, ags, "anlegen")
        written = self.tx.write(layer, frame)
        self.touched.add(layer)
        self._audit_raw(lyr, name, "import", None, {"Datensätze": written})
        return written

    def supersede(self, layer: str, key: Mapping[str, Any], by: str) -> dict[str, Any]:
        """Mark a frozen record as replaced by the record ``by`` (a later version); return it.

        The only change a record of such a layer (:data:`SUPERSEDED_COLUMNS`) takes; the
        audit row holds it before and after.

        Raises
        ------
        PermissionDenied, RuleViolation, NotFound
            When the user may not add to the layer, the layer names no successor or
            the record is not there.
        """
        if layer not in SUPERSEDED_COLUMNS:
            raise RuleViolation(
                f"Die Ebene {_layer_name(layer)} kennt keine ersetzten Fassungen; das tun: "
                f"{', '.join(SUPERSEDED_COLUMNS)}"
            )
        require(self.user, APPEND_LAYER_ACTIONS[layer])
        lyr = SCHEMA.layer(layer)
        key = _check_key(lyr, key)
        before = self.get(layer, key)
        self.tx.update(layer, key, {SUPERSEDED_COLUMNS[layer]: by})
        after = self.get(layer, key)
        self._audit(lyr, key, "update", before, after)
        return after

    def update(
        self,
        layer: str,
        key: Mapping[str, Any],
        values: Mapping[str, Any],
        *,
        expected_version: int | None,
        seen: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Change fields of a record the user read at ``expected_version``; return it as stored.

        Parameters
        ----------
        layer, key
            The record.
        values
            The fields to set (``geometry`` as a shapely geometry in the storage CRS).
        expected_version
            The version the user read; required for editable layers, None for the
            plain link tables that have no version.
        seen
            The record as the user saw it; when given, the conflict error lists the
            fields whose stored value differs from it (otherwise the audit log tells).

        Raises
        ------
        EditConflict
            When the stored version differs from ``expected_version`` (someone else
            saved in between) or the record was deleted meanwhile.
        NotFound
            When the record never existed.
        PermissionDenied, RuleViolation
            When the user may not change the layer or the values set a kept column
            or a key column.
        """
        lyr = self._allowed(layer)
        key = _check_key(lyr, key)
        self._check_version_arg(lyr, expected_version)
        bad = [c for c in values if c in EDIT_MANAGED or c in lyr.key]
        if bad:
            raise RuleViolation(
                f"Die Änderung von {_describe(lyr, key)} setzt {', '.join(bad)}; "
                f"Schlüsselspalten und {', '.join(EDIT_MANAGED)} sind nicht änderbar; legen "
                "Sie einen neuen Datensatz an, um einen Schlüssel zu ändern"
            )
        lyr.check_columns(values)
        before = self.read(layer, key)
        if before is None:
            self._gone(lyr, key, expected_version)
            raise AssertionError("unreachable")  # pragma: no cover
        self._check_scope(lyr, key, before.get(AGS_COLUMN), "ändern")
        if AGS_COLUMN in values:  # moving a record: the new municipality must be in scope too
            self._check_scope(lyr, key, plain(values[AGS_COLUMN]), "ändern")
        if lyr.editable and before["version"] != expected_version:
            raise self._conflict(lyr, key, expected_version, before, seen)
        changed = self.tx.update(
            layer, key, dict(values), expected_version=expected_version, user=self.user.name
        )
        if changed != 1:
            now = self.read(layer, key)
            if now is None:
                self._gone(lyr, key, expected_version)
            raise self._conflict(lyr, key, expected_version, now or before, seen)
        after = self.get(layer, key)
        self._audit(lyr, key, "update", before, after)
        return after

    def delete(
        self, layer: str, key: Mapping[str, Any], *, expected_version: int | None
    ) -> dict[str, Any]:
        """Delete a record the user read at ``expected_version``; return it as it was.

        Raises
        ------
        EditConflict, NotFound, PermissionDenied
            As for :meth:`update`.
        """
        lyr = self._allowed(layer)
        key = _check_key(lyr, key)
        self._check_version_arg(lyr, expected_version)
        before = self.read(layer, key)
        if before is None:
            self._gone(lyr, key, expected_version)
            raise AssertionError("unreachable")  # pragma: no cover
        self._check_scope(lyr, key, before.get(AGS_COLUMN), "löschen")
        where = dict(key)
        if lyr.editable:
            if before["version"] != expected_version:
                raise self._conflict(lyr, key, expected_version, before, None)
            where["version"] = expected_version
        if self.tx.delete(layer, where) != 1:
            now = self.read(layer, key)
            if now is None:
                self._gone(lyr, key, expected_version)
            raise self._conflict(lyr, key, expected_version, now or before, None)
        self._audit(lyr, key, "delete", before, None)
        return before

    def erase(
        self,
        layer: str,
        key: Mapping[str, Any],
        values: Mapping[str, Any],
        *,
        expected_version: int | None,
    ) -> dict[str, Any]:
        """Erase personal fields of a record (GDPR); keep no copy of them anywhere.

        The fields named by ``values`` are set to the given values (None or a
        placeholder such as "anonymisiert"), like an update; the record and its links
        stay. The audit row of the erasure (action ``anonymise``) holds the record
        without the erased fields before and as it is after; every earlier audit row
        of the record gets the erased fields set to null in its before and after
        images, so the log says that and when it happened but not what was erased.

        Raises
        ------
        EditConflict, NotFound, PermissionDenied, RuleViolation
            As for :meth:`update`.
        """
        lyr = self._allowed(layer)
        key = _check_key(lyr, key)
        self._check_version_arg(lyr, expected_version)
        fields = [f for f in values if f not in lyr.key and f not in EDIT_MANAGED]
        if len(fields) != len(values):
            raise RuleViolation(
                f"Beim Anonymisieren von {_describe(lyr, key)} bleiben Schlüssel und "
                f"verwaltete Spalten ({', '.join(EDIT_MANAGED)}) erhalten; lassen Sie sie weg"
            )
        lyr.check_columns(fields)
        before = self.read(layer, key)
        if before is None:
            self._gone(lyr, key, expected_version)
            raise AssertionError("unreachable")  # pragma: no cover
        self._check_scope(lyr, key, before.get(AGS_COLUMN), "anonymisieren")
        if lyr.editable and before["version"] != expected_version:
            raise self._conflict(lyr, key, expected_version, before, None)
        changed = self.tx.update(
            layer, key, dict(values), expected_version=expected_version, user=self.user.name
        )
        if changed != 1:
            raise self._conflict(lyr, key, expected_version, self.get(layer, key), None)
        after = self.get(layer, key)
        history = self._history(lyr, key)
        for rid, old_before, old_after in zip(history["id"], history["before"], history["after"]):
            scrubbed = {
                "before": _scrub(old_before, fields),
                "after": _scrub(old_after, fields),
            }
            if scrubbed != {"before": old_before, "after": old_after}:
                self.tx.update("audit_log", {"id": rid}, scrubbed)
        kept = {k: v for k, v in before.items() if k not in fields}
        self._audit(lyr, key, "anonymise", kept, after)
        return after

    def replace_links(
        self, layer: str, where: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]
    ) -> int:
        """Replace the rows of a link table matching ``where`` by ``rows`` (one audit row).

        Used for the lists that belong to a record: the fields of action and goals of a
        measure, the partners of an activity, the participants of a project. Returns
        the number of rows written.
        """
        lyr = self._allowed(layer)
        if lyr.editable:
            raise RuleViolation(
                f"Die Ebene {_layer_name(layer)} hat versionierte Datensätze; ändern Sie "
                "sie einzeln"
            )
        lyr.check_columns(where)
        for row in rows:
            clash = {k: row.get(k) for k in where if plain(row.get(k)) != plain(where[k])}
            if clash:
                raise RuleViolation(
                    f"Eine neue Zeile für „{lyr.title}“ hat {clash!r}, außerhalb der Auswahl "
                    f"{dict(where)!r}; geben Sie jeder Zeile die Werte der Auswahl"
                )
        old = self.tx.read(layer, where=where)
        before = [row_dict(old, i) for i in range(len(old))]
        for row in before:
            self._check_scope(lyr, row, row.get(AGS_COLUMN), "ändern")
        rows = [self._with_ags(lyr, row, row, "anlegen") for row in rows]
        self.tx.delete(layer, where)
        written = self.tx.write(layer, self._frame(lyr, rows)) if rows else 0
        new = self.tx.read(layer, where=where)
        after = [row_dict(new, i) for i in range(len(new))]
        if before != after:
            self._audit_raw(
                lyr, json.dumps({k: plain(v) for k, v in where.items()}), "update", before, after
            )
        return written

    # bulk layers (imports) ----------------------------------------------------------

    def bulk_write(self, layer: str, frame: pd.DataFrame) -> int:
        """Append rows to a bulk layer (areas, indicator values, buildings); no audit row.

        The caller logs the whole import once with :meth:`bulk_log`.
        """
        self._bulk_allowed(layer)
        if not len(frame):
            return 0
        self.touched.add(layer)
        return self.tx.write(layer, frame)

    def bulk_delete(self, layer: str, where: Mapping[str, Any]) -> int:
        """Delete the rows of a bulk layer matching ``where``; no audit row (see bulk_log)."""
        self._bulk_allowed(layer)
        self.touched.add(layer)
        return self.tx.delete(layer, where)

    def bulk_log(self, layer: str, name: str, action: str, before: Any, after: Any) -> None:
        """Write the one audit row of a bulk change (e.g. action ``import`` with counts)."""
        self._bulk_allowed(layer)
        self._audit_raw(SCHEMA.layer(layer), name, action, before, after)

    def batch_log(self, action: str, after: Any) -> None:
        """Write one audit row about the import batch as a whole (e.g. its undo)."""
        if self.batch_id is None:
            raise RuleViolation(
                "Ein Protokolleintrag zu einem Import braucht die Kennung des Imports (batch_id)"
            )
        self._audit_raw(SCHEMA.layer("import_batches"), self.batch_id, action, None, after)

    def derived_log(self, layer: str, name: str, action: str, after: Any) -> None:
        """Write the audit row of a rewrite of derived data (the indicator map, QGIS styles).

        Derived layers are not user records; the row records who rewrote them and what.
        """
        self._audit_raw(SCHEMA.layer(layer), name, action, None, after)

    def _bulk_allowed(self, layer: str) -> None:
        if layer not in BULK_LAYER_ACTIONS:
            raise RuleViolation(
                f"Die Ebene {_layer_name(layer)} wird nicht als Ganzes geschrieben; "
                f"als Ganzes schreibbar sind: {', '.join(BULK_LAYER_ACTIONS)}"
            )
        require(self.user, BULK_LAYER_ACTIONS[layer])

    # municipality scopes -----------------------------------------------------------

    def home_municipality(self) -> str | None:
        """Return the store's one municipality: the AGS of its Gesamtmaßnahmen if all share one.

        None when there are none with an AGS or several (a store hosting several towns).
        """
        if self._home is None:
            found = self.tx.read("funding_areas", columns=[AGS_COLUMN])[AGS_COLUMN].dropna()
            distinct = sorted(set(found))
            self._home = (distinct[0] if len(distinct) == 1 else None, len(distinct) > 0)
        return self._home[0]

    def record_ags(self, lyr: Layer, record: Mapping[str, Any]) -> str | None:
        """Return the AGS a new record belongs to.

        Its own ``ags``; else that of the record it belongs to (its Gesamtmaßnahme,
        measure, fund …, :data:`PARENT_COLUMNS`; an attachment's owner); else the user's
        municipality (an 8-digit scope); else the store's one municipality; else None.
        """
        own = plain(record.get(AGS_COLUMN))
        if own is not None:
            return str(own)
        parents = [(PARENT_COLUMNS[c], record.get(c)) for c in PARENT_COLUMNS if c in record]
        if lyr.name == "attachments":
            parents.insert(0, (str(record.get("owner_layer")), record.get("owner_id")))
        for parent, value in parents:
            if plain(value) is None or parent not in SCHEMA.layers or parent == lyr.name:
                continue
            player = SCHEMA.layer(parent)
            if AGS_COLUMN not in player.column_names or player.key != ("id",):
                continue
            found = self.tx.read(parent, where={"id": value}, columns=[AGS_COLUMN])
            if len(found) and plain(found[AGS_COLUMN].iloc[0]) is not None:
                return str(found[AGS_COLUMN].iloc[0])
        if len(self.user.scope) == 8:
            return self.user.scope
        return self.home_municipality()

    def _with_ags(
        self, lyr: Layer, key: Mapping[str, Any], record: Mapping[str, Any], verb: str
    ) -> Mapping[str, Any]:
        """Return ``record`` with its AGS filled in, checked against the user's scope."""
        if AGS_COLUMN not in lyr.column_names:
            return record
        ags = self.record_ags(lyr, record)
        self._check_scope(lyr, key, ags, verb)
        return record if ags is None else {**record, AGS_COLUMN: ags}

    def _check_scope(self, lyr: Layer, key: Mapping[str, Any], ags: Any, verb: str) -> None:
        """Raise PermissionDenied unless the user's scope lets them change the record."""
        user = self.user
        if user.scope == "" or AGS_COLUMN not in lyr.column_names:
            return
        record = _describe(lyr, {k: key.get(k) for k in lyr.key})
        if not user.may_write_scope:
            raise PermissionDenied(
                render(
                    "scope.read_only",
                    user=user.name,
                    record=record,
                    layer=_layer_name(lyr.name),
                    verb=verb,
                    scope=scope_label(user.scope),
                )
            )
        value = plain(ags)
        if value is None and self.home_municipality() is None and self._home == (None, False):
            return  # a store that belongs to no municipality yet: nothing to keep apart
        if value is None:
            value = self.home_municipality()
        if not user.writes_in(value):
            raise PermissionDenied(
                render(
                    "scope.outside",
                    user=user.name,
                    record=record,
                    layer=_layer_name(lyr.name),
                    ags=value or "leer",
                    verb=verb,
                    scope=scope_label(user.scope),
                )
            )

    # helpers ----------------------------------------------------------------------

    def _allowed(self, layer: str) -> Layer:
        lyr = changeable_layer(layer)
        require(self.user, LAYER_ACTIONS[layer])
        return lyr

    @staticmethod
    def _check_version_arg(lyr: Layer, expected_version: int | None) -> None:
        if lyr.editable and not isinstance(expected_version, int | np.integer):
            raise RuleViolation(
                f"Eine Änderung in „{lyr.title}“ braucht die Version, die gelesen wurde "
                f"(expected_version), erhalten: {expected_version!r}; lesen Sie den "
                "Datensatz zuerst"
            )
        if not lyr.editable and expected_version is not None:
            raise RuleViolation(
                f"Die Ebene „{lyr.title}“ ({lyr.name}) hat keine Versionen; übergeben Sie "
                "expected_version=None"
            )

    def _frame(self, lyr: Layer, rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
        data = [{k: v for k, v in r.items() if k != GEOMETRY_COLUMN} for r in rows]
        frame = pd.DataFrame(data, index=range(len(rows)))
        if lyr.spatial:
            geoms = [_geometry(r.get(GEOMETRY_COLUMN)) for r in rows]
            return gpd.GeoDataFrame(frame, geometry=geoms, crs=self.crs)
        return frame

    def _history(self, lyr: Layer, key: Mapping[str, Any]) -> pd.DataFrame:
        log = self.tx.read(
            "audit_log", where={"layer": lyr.name, "record_key": record_key(lyr, key)}
        )
        return log.sort_values("at", kind="stable")

    def _conflict(
        self,
        lyr: Layer,
        key: Mapping[str, Any],
        expected: int | None,
        stored: Mapping[str, Any],
        seen: Mapping[str, Any] | None,
    ) -> EditConflict:
        if seen is None:  # what the user saw is the before image of the first later change
            for before in self._history(lyr, key)["before"].dropna():
                image = json.loads(before)
                if image.get("version") == expected:
                    seen = image
                    break
        diffs = differences(seen, stored) if seen is not None else {}
        who, when = stored.get("updated_by"), stored.get("updated_at")
        listed = (
            "; ".join(
                render(
                    "edit.conflict_field",
                    field=column_title(lyr, f),
                    seen=shown_value(a),
                    stored=shown_value(b),
                )
                for f, (a, b) in diffs.items()
            )
            if diffs
            else render("edit.conflict_unknown_fields")
        )
        message = render(
            "edit.conflict",
            record=_describe(lyr, key),
            when=stamp(when),
            who=who or "unbekannt",
            expected=expected,
            stored=stored.get("version"),
            differences=listed,
        )
        return EditConflict(
            message,
            layer=lyr.name,
            key=key,
            expected_version=expected,
            stored_version=stored.get("version"),
            changed_by=who,
            changed_at=when,
            differences=diffs,
        )

    def _gone(self, lyr: Layer, key: Mapping[str, Any], expected: int | None) -> None:
        deletions = self._history(lyr, key)
        deletions = deletions[deletions["action"] == "delete"]
        if len(deletions):
            last = deletions.iloc[-1]
            raise EditConflict(
                render(
                    "edit.deleted",
                    record=_describe(lyr, key),
                    when=stamp(plain(last["at"])),
                    who=last["user_name"],
                    expected=expected,
                ),
                layer=lyr.name,
                key=key,
                expected_version=expected,
                stored_version=None,
                changed_by=last["user_name"],
                changed_at=plain(last["at"]),
            )
        raise NotFound(render("edit.not_found", record=_describe(lyr, key)))

    def _audit(
        self,
        lyr: Layer,
        key: Mapping[str, Any],
        action: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
    ) -> None:
        self._audit_raw(lyr, record_key(lyr, key), action, before, after)

    def _audit_raw(self, lyr: Layer, name: str, action: str, before: Any, after: Any) -> None:
        now = dt.datetime.now(dt.UTC)
        images = [i for i in (after, before) if isinstance(i, Mapping)]
        ags = next((i[AGS_COLUMN] for i in images if i.get(AGS_COLUMN)), None)
        if ags is None:
            ags = self.user.scope if len(self.user.scope) == 8 else self.home_municipality()
        row = {
            "id": audit_id(now, len(self.log)),
            "at": pd.Timestamp(now).tz_localize(None),
            "user_name": self.user.name,
            "layer": lyr.name,
            "record_key": name,
            "action": action,
            "before": None if before is None else json.dumps(before, ensure_ascii=False),
            "after": None if after is None else json.dumps(after, ensure_ascii=False),
            "batch_id": self.batch_id,
            "reason": self.reason,
            AGS_COLUMN: ags,
        }
        self.tx.write("audit_log", pd.DataFrame([row]))
        self.log.append(row)
        self.touched.add(lyr.name)


def _scrub(image: Any, fields: Sequence[str]) -> Any:
    """Return an audit image (JSON text) with ``fields`` set to null; None stays None."""
    if image is None or (isinstance(image, float) and math.isnan(image)):
        return image
    data = json.loads(image)
    if not isinstance(data, dict) or not any(data.get(f) is not None for f in fields):
        return image
    return json.dumps({k: None if k in fields else v for k, v in data.items()}, ensure_ascii=False)


def audit_id(when: dt.datetime, seq: int) -> str:
    """Return an audit log id that sorts in the order the changes were made.

    The time to the microsecond, the change's place in its transaction, and a random
    tail so that two users' changes in the same microsecond never collide.

    Examples
    --------
    >>> a = audit_id(dt.datetime(2025, 3, 1, 10, 0, 0, 5), 0)
    >>> b = audit_id(dt.datetime(2025, 3, 1, 10, 0, 0, 5), 1)
    >>> a[:30], a < b
    ('20250301T100000.000005Z-000000', True)
    """
    return f"{when:%Y%m%dT%H%M%S.%fZ}-{seq:06d}-{uuid.uuid4().hex[:12]}"


def _geometry(value: Any) -> BaseGeometry | None:
    if value is None or isinstance(value, BaseGeometry):
        return value
    if isinstance(value, str):
        return shapely.from_wkt(value)
    raise RuleViolation(
        f"Eine Geometrie muss eine shapely-Geometrie oder WKT-Text sein, erhalten: {value!r}"
    )


@contextmanager
def changes(store: Store, user: User, *, batch_id: str | None = None) -> Iterator[ChangeSet]:
    """Open one transaction for several changes by ``user``; all are stored or none.

    ``batch_id`` (an import) is written into every audit row of the transaction.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from geo.store import open_store
    >>> from monitoring.auth import User
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "doc.gpkg"
    >>> store = open_store(str(path)); _ = store.init(crs="EPSG:25832")
    >>> anna = User("anna", "admin")
    >>> with changes(store, anna) as ch:
    ...     _ = ch.create("programmes", {"id": "p1", "name": "Soziale Stadt"})
    ...     _ = ch.update("programmes", {"id": "p1"}, {"since_year": 1999}, expected_version=1)
    >>> store.read("programmes")["version"].tolist()
    [2]
    >>> store.read("audit_log")["action"].tolist()
    ['create', 'update']
    """
    with store.transaction(user=user.name) as tx:
        ch = ChangeSet(tx, user, crs=store.crs, batch_id=batch_id)
        yield ch
        if ch.touched & DERIVED_FROM:  # the indicator map follows in the same transaction
            from monitoring.interop.qgis import refresh_after_changes

            refresh_after_changes(ch)


def create(store: Store, user: User, layer: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """Create one record in a transaction of its own (see :meth:`ChangeSet.create`)."""
    with changes(store, user) as ch:
        return ch.create(layer, record)


def update(
    store: Store,
    user: User,
    layer: str,
    key: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    expected_version: int | None,
    seen: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Update one record in a transaction of its own (see :meth:`ChangeSet.update`)."""
    with changes(store, user) as ch:
        return ch.update(layer, key, values, expected_version=expected_version, seen=seen)


def delete(
    store: Store, user: User, layer: str, key: Mapping[str, Any], *, expected_version: int | None
) -> dict[str, Any]:
    """Delete one record in a transaction of its own (see :meth:`ChangeSet.delete`)."""
    with changes(store, user) as ch:
        return ch.delete(layer, key, expected_version=expected_version)


def history(
    store: Store, user: User, *, layer: str | None = None, key: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Return the audit log (oldest first), optionally of one layer or one record.

    Raises
    ------
    PermissionDenied
        When the user may not read the audit log.
    """
    require(user, "read_audit")
    where: dict[str, Any] = {}
    if layer is not None:
        lyr = SCHEMA.layer(layer)
        where["layer"] = layer
        if key is not None:
            where["record_key"] = record_key(lyr, _check_key(lyr, key))
    log = store.read("audit_log", where=where or None)
    return log.sort_values("at", kind="stable").reset_index(drop=True)
