"""Import batches: each import as a whole, listed and undone in one transaction.

Every import writes one row of ``import_batches`` (id, time, user, kind, source
file, summary JSON) in its own transaction, and every audit row it writes carries
the batch id. :func:`undo` reads those audit rows back and reverses them, newest
first, in ONE transaction of the acting user:

- records the import created are deleted, records it changed go back to their
  before-image, both through :mod:`monitoring.editing` with the version the
  import left, so a record changed since the import refuses the undo (naming it);
- rows a bulk import added (areas, indicator values, buildings) are deleted and
  the rows it replaced are written back from its audit row; the indicator
  catalogue entries an indicator import added go too, unless changed since or
  still used by values of another import.

The undo is audited (the editing path's rows, plus one row ``undo`` of the batch)
and marks the batch undone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.schema import GEOMETRY_COLUMN, SCHEMA, Layer
from monitoring import editing
from monitoring.auth import User, require
from monitoring.errors import NotFound, RuleViolation

if TYPE_CHECKING:
    from geo.store.base import Store, Transaction

REFERENCE_COLUMNS = {"measures": "measure_id", "funding_areas": "funding_area_id"}
"""Layer -> the column by which other layers refer to its records."""


def new_batch_id(now: dt.datetime) -> str:
    """Return a batch id that sorts by time and is short enough to type.

    Examples
    --------
    >>> new_batch_id(dt.datetime(2026, 11, 26, 10, 2, 3))[:16]
    'I20261126-100203'
    """
    return f"I{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"


def fingerprint(path: str | Path) -> str | None:
    """Return the first 12 hex digits of the SHA-256 of a file's bytes (None: no file).

    Two imports of the same bytes have the same fingerprint, whatever the file is
    called; ``qmon imports`` shows it.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(delete=False) as f:
    ...     _ = f.write(b"id;x")
    >>> fingerprint(f.name), fingerprint("/gibt/es/nicht.csv")
    ('ca80b79ca499', None)
    >>> Path(f.name).unlink()
    """
    file = Path(path)
    if not file.is_file():
        return None
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


# --- rows kept exactly (for the undo of bulk imports and replaced geometries) --------


def exact(value: Any) -> Any:
    """Return ``value`` as JSON that gives it back exactly (geometry as WKB hex).

    Examples
    --------
    >>> exact(shapely.Point(1.5, 2)), exact(float("nan")), exact(pd.Timestamp("2021-01-01"))
    ('0101000000000000000000F83F0000000000000040', None, '2021-01-01T00:00:00')
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, BaseGeometry):
        return None if value.is_empty else shapely.to_wkb(value, hex=True)
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def exact_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the rows of a store frame as exact JSON-able dicts."""
    return [{str(k): exact(v) for k, v in row.items()} for row in frame.to_dict("records")]


def rows_frame(layer: Layer, rows: Sequence[Mapping[str, Any]], *, crs: Any) -> pd.DataFrame:
    """Return rows made by :func:`exact_rows` as a frame the store writes back unchanged."""
    data = pd.DataFrame(
        [{k: v for k, v in r.items() if k != GEOMETRY_COLUMN} for r in rows],
        columns=list(layer.column_names),
    )
    if not layer.spatial:
        return data
    geoms = [
        None if r.get(GEOMETRY_COLUMN) is None else shapely.from_wkb(r[GEOMETRY_COLUMN])
        for r in rows
    ]
    return gpd.GeoDataFrame(data, geometry=geoms, crs=crs)


def key_wheres(layer: Layer, keys: Sequence[Sequence[Any]], *, chunk: int = 500) -> list[dict]:
    """Return ``where`` filters that select exactly the rows with these key values.

    Rows are grouped by all key columns but the last, whose values are listed (in
    chunks, so that no statement gets too many parameters).

    Examples
    --------
    >>> key_wheres(SCHEMA.layer("areas"), [["PLR", "2021", "a"], ["PLR", "2021", "b"]])
    [{'level': 'PLR', 'vintage': '2021', 'id': ['a', 'b']}]
    """
    groups: dict[tuple[Any, ...], list[Any]] = {}
    timed = [i for i, k in enumerate(layer.key) if layer.column(k).type in ("date", "datetime")]
    for key in keys:
        key = [pd.Timestamp(v) if i in timed and v is not None else v for i, v in enumerate(key)]
        groups.setdefault(tuple(key[:-1]), []).append(key[-1])
    out = []
    for head, lasts in groups.items():
        for begin in range(0, len(lasts), chunk):
            where = dict(zip(layer.key[:-1], head))
            where[layer.key[-1]] = lasts[begin : begin + chunk]
            out.append(where)
    return out


def write_batch(
    tx: Transaction,
    batch_id: str,
    user: User,
    *,
    kind: str,
    source: str,
    summary: Mapping[str, Any],
    now: dt.datetime,
) -> None:
    """Write the batch row of an import (inside the import's transaction)."""
    row = {
        "id": batch_id,
        "at": pd.Timestamp(now).tz_localize(None),
        "user_name": user.name,
        "kind": kind,
        "source": source,
        "summary": json.dumps(summary, ensure_ascii=False),
        "undone_at": None,
        "undone_by": None,
    }
    tx.write("import_batches", pd.DataFrame([row]))


# --- listing and undoing -------------------------------------------------------------


def list_batches(store: Store, user: User) -> pd.DataFrame:
    """Return the imports of the store, newest first.

    Raises
    ------
    PermissionDenied
        Without the right to read.
    """
    require(user, "read")
    frame = store.read("import_batches")
    return frame.sort_values("at", ascending=False, kind="stable").reset_index(drop=True)


def undo(store: Store, user: User, batch_id: str) -> dict[str, int]:
    """Undo one import as a whole, in one transaction; return counts of what was reversed.

    Raises
    ------
    NotFound
        When there is no such batch.
    RuleViolation
        When the batch was undone already, a later import of the same bulk layer is
        still in force, or records the import wrote were changed since (all named).
    PermissionDenied
        When the user may not change the batch's layer.
    """
    require(user, "read")
    with editing.changes(store, user, batch_id=batch_id) as ch:
        batch = _batch(ch.tx, batch_id)
        summary = json.loads(batch["summary"] or "{}")
        layer = str(summary.get("layer"))
        lyr = SCHEMA.layer(layer)
        require(user, _action(layer))
        log = ch.tx.read("audit_log", where={"batch_id": batch_id})
        log = log.sort_values("id", ascending=False, kind="stable")
        counts = {"deleted": 0, "restored": 0, "rows_removed": 0, "rows_restored": 0}
        if layer in editing.BULK_LAYER_ACTIONS:
            _refuse_if_later(ch.tx, batch, layer)
            for _, entry in log[log["action"] == "import"].iterrows():
                removed, restored = _undo_bulk(ch, lyr, entry, crs=store.crs)
                counts["rows_removed"] += removed
                counts["rows_restored"] += restored
            made = log[(log["layer"] == "indicator_defs") & (log["action"] == "create")]
            counts["definitions_removed"] = _undo_definitions(ch, made)
        else:
            entries = log[log["action"].isin(["create", "update"])]
            _refuse_if_changed(ch, lyr, entries)
            created = entries.loc[entries["action"] == "create", "record_key"].tolist()
            _refuse_if_referenced(ch.tx, lyr, created)
            geometries = summary.get("geometry", {})
            for _, entry in entries.iterrows():
                after = json.loads(entry["after"])
                key = {k: after[k] for k in lyr.key}
                if entry["action"] == "create":
                    ch.delete(layer, key, expected_version=after.get("version"))
                    counts["deleted"] += 1
                    continue
                before = json.loads(entry["before"])
                values = _restore_values(lyr, before, after, geometries.get(entry["record_key"]))
                if values:
                    ch.update(layer, key, values, expected_version=after.get("version"))
                counts["restored"] += 1
        now = dt.datetime.now(dt.UTC)
        ch.tx.update(
            "import_batches",
            {"id": batch_id},
            {"undone_at": pd.Timestamp(now).tz_localize(None), "undone_by": user.name},
        )
        ch.batch_log("undo", {"layer": layer, **counts})
    return counts


def _action(layer: str) -> str:
    return editing.BULK_LAYER_ACTIONS.get(layer) or editing.LAYER_ACTIONS.get(
        layer, "edit_settings"
    )


def _batch(tx: Transaction, batch_id: str) -> dict[str, Any]:
    found = tx.read("import_batches", where={"id": batch_id})
    if not len(found):
        recent = tx.read("import_batches", columns=["id"])["id"].sort_values().tolist()[-5:]
        raise NotFound(
            f"den Import „{batch_id}“ gibt es nicht; die letzten: {', '.join(recent) or 'keine'} "
            "(qmon import list zeigt alle)"
        )
    batch = editing.row_dict(found)
    if batch["undone_at"] is not None:
        raise RuleViolation(
            f"der Import „{batch_id}“ wurde schon {editing.stamp(batch['undone_at'])} von "
            f"{batch['undone_by']} rückgängig gemacht; nichts wurde geändert"
        )
    return batch


def _refuse_if_later(tx: Transaction, batch: Mapping[str, Any], layer: str) -> None:
    """Refuse when a later import of the same bulk layer is still in force."""
    batch_id, at = batch["id"], pd.Timestamp(batch["at"])
    batches = tx.read("import_batches")
    later = [
        str(b["id"])
        for _, b in batches.iterrows()
        if pd.Timestamp(b["at"]) > at
        and pd.isna(b["undone_at"])
        and json.loads(b["summary"] or "{}").get("layer") == layer
    ]
    if later:
        raise RuleViolation(
            f"der Import „{batch_id}“ kann nicht rückgängig gemacht werden, solange spätere "
            f"Importe in „{editing.LAYER_LABELS.get(layer, layer)}“ gelten: "
            f"{', '.join(sorted(later))}; machen Sie diese zuerst rückgängig (den neuesten "
            "zuerst)",
            problems=tuple(
                f"späterer Import „{b}“ in „{editing.LAYER_LABELS.get(layer, layer)}“"
                for b in sorted(later)
            ),
        )


def _refuse_if_changed(ch: editing.ChangeSet, lyr: Layer, entries: pd.DataFrame) -> None:
    """Refuse, naming every record, when records of the import were changed since."""
    problems = []
    for _, entry in entries.iterrows():
        after = json.loads(entry["after"])
        key = {k: after[k] for k in lyr.key}
        now = ch.read(lyr.name, key)
        if now is None:
            problems.append(f"{editing.describe(lyr, key)} wurde nach dem Import gelöscht")
        elif now.get("version") != after.get("version"):
            problems.append(
                f"{editing.describe(lyr, key)} wurde nach dem Import von "
                f"{now.get('updated_by')} {editing.stamp(now.get('updated_at'))} geändert "
                f"(Version {after.get('version')} → {now.get('version')})"
            )
    if problems:
        raise RuleViolation(
            "der Import kann nicht rückgängig gemacht werden: "
            + "; ".join(problems)
            + ". Nichts wurde geändert; machen Sie diese Änderungen zuerst von Hand "
            "rückgängig",
            problems=tuple(problems),
        )


def _refuse_if_referenced(tx: Transaction, lyr: Layer, created: Sequence[str]) -> None:
    """Refuse, naming them, when records made since refer to records the import created."""
    column = REFERENCE_COLUMNS.get(lyr.name)
    if column is None or not created:
        return
    problems = []
    for other in SCHEMA.layers.values():
        if column not in other.column_names or other.name == lyr.name:
            continue
        for begin in range(0, len(created), 500):
            found = tx.read(other.name, where={column: list(created[begin : begin + 500])})
            for rid, group in found.groupby(column):
                problems.append(
                    f"{editing.describe(lyr, {lyr.key[0]: rid})} aus dem Import wird von "
                    f"{len(group)} Datensatz/Datensätzen in „{other.title}“ ({other.name}) "
                    "verwendet"
                )
    attached = tx.read("attachments", where={"owner_layer": lyr.name, "owner_id": list(created)})
    for rid, group in attached.groupby("owner_id"):
        problems.append(
            f"{editing.describe(lyr, {lyr.key[0]: rid})} hat {len(group)} Anhang/Anhänge"
        )
    if problems:
        raise RuleViolation(
            "der Import kann nicht rückgängig gemacht werden: "
            + "; ".join(sorted(problems))
            + ". Nichts wurde geändert; entfernen Sie diese Datensätze zuerst oder behalten "
            "Sie den Import",
            problems=tuple(sorted(problems)),
        )


def _restore_values(
    lyr: Layer, before: Mapping[str, Any], after: Mapping[str, Any], geometry: str | None
) -> dict[str, Any]:
    """Return the fields to set so that the record is as ``before`` again."""
    values: dict[str, Any] = {}
    for name, (old, _) in editing.differences(before, after).items():
        if name in lyr.key:
            continue
        if name == GEOMETRY_COLUMN:
            values[name] = shapely.from_wkb(geometry) if geometry else shapely.from_wkt(old)
        elif old is not None and lyr.column(name).type in ("date", "datetime"):
            values[name] = pd.Timestamp(old)
        else:
            values[name] = old
    return values


def _undo_definitions(ch: editing.ChangeSet, entries: pd.DataFrame) -> int:
    """Remove the catalogue entries an indicator import added, where nothing else uses them.

    An entry stays when it was changed since the import, or when values of its key
    are still stored (from another import).
    """
    removed = 0
    for _, entry in entries.iterrows():
        after = json.loads(entry["after"])
        key = {"key": after["key"]}
        now = ch.read("indicator_defs", key)
        if now is None or now.get("version") != after.get("version"):
            continue
        if len(
            ch.tx.read("indicator_values", where={"indicator": after["key"]}, columns=["indicator"])
        ):
            continue
        ch.delete("indicator_defs", key, expected_version=now["version"])
        removed += 1
    return removed


def _undo_bulk(ch: editing.ChangeSet, lyr: Layer, entry: pd.Series, *, crs: Any) -> tuple[int, int]:
    after = json.loads(entry["after"])
    replaced = json.loads(entry["before"] or "[]")
    removed = 0
    for where in key_wheres(lyr, after.get("keys", [])):
        removed += ch.bulk_delete(lyr.name, where)
    restored = ch.bulk_write(lyr.name, rows_frame(lyr, replaced, crs=crs)) if replaced else 0
    ch.bulk_log(
        lyr.name, entry["record_key"], "undo", None, {"removed": removed, "restored": restored}
    )
    return removed, restored
