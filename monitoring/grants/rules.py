"""The record rules of the grant procedure, run inside the write transaction.

:func:`check` is called by :func:`monitoring.services.check_record` (the one set of
record rules every writer passes) for the layers of :data:`LAYERS`, and
:func:`cost_group_findings` for measures and funding lines that name a cost group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from monitoring.findings import Finding
from monitoring.grants import notices as notice_rules
from monitoring.grants.cost_groups import CostCatalogue, catalogue_for
from monitoring.renewal.funding import YEAR_RANGE

if TYPE_CHECKING:
    from geo.store.base import Transaction

LAYERS: tuple[str, ...] = (
    "revenues",
    "grant_applications",
    "grant_notices",
    "notice_measures",
    "drawdowns",
)
"""The changeable layers of the grant procedure (all need the right ``edit_funding``);
frozen KuF versions (``kuf_versions``) are append-only (:meth:`ChangeSet.append`)."""


def _missing(layer: str, record: str, what: str, value: Any) -> Finding:
    return Finding(
        "error",
        "reference",
        layer,
        record,
        f"{what} „{value}“ gibt es nicht; legen Sie den Datensatz zuerst an oder "
        "korrigieren Sie die Kennung (ID)",
    )


def area_catalogue(tx: Transaction, area_id: Any) -> CostCatalogue | None:
    """The cost catalogue of a funding area (None when the area does not exist)."""
    area = tx.read("funding_areas", where={"id": area_id}, columns=["id", "ags"])
    if not len(area):
        return None
    return catalogue_for(area["ags"].iloc[0])


def cost_group_findings(tx: Transaction, layer: str, record: Mapping[str, Any]) -> list[Finding]:
    """An unknown cost group key of a measure or funding line is an error."""
    key = record.get("cost_group")
    if key is None or (isinstance(key, float) and pd.isna(key)) or not str(key).strip():
        return []
    area_id = record.get("funding_area_id")
    if layer == "funding_lines":
        ms = tx.read(
            "measures", where={"id": record.get("measure_id")}, columns=["id", "funding_area_id"]
        )
        area_id = ms["funding_area_id"].iloc[0] if len(ms) else None
    catalogue = area_catalogue(tx, area_id)
    if catalogue is None or catalogue.knows(key):
        return []
    options = ", ".join(f"{k} ({v})" for k, v in catalogue.options().items())
    return [
        Finding(
            "error",
            "cost_group",
            layer,
            str(record.get("id")),
            f"Die Kostengruppe „{key}“ gibt es in der Gliederung „{catalogue.name}“ nicht; "
            f"erlaubt sind {options}",
        )
    ]


def _year_finding(layer: str, rid: str, what: str, year: Any) -> list[Finding]:
    if year is not None and not pd.isna(year) and YEAR_RANGE[0] <= int(year) <= YEAR_RANGE[1]:
        return []
    shown = "leer" if year is None or pd.isna(year) else year
    return [
        Finding(
            "error",
            "year",
            layer,
            rid,
            f"{what}: das Jahr „{shown}“ ist kein Jahr von {YEAR_RANGE[0]} bis "
            f"{YEAR_RANGE[1]}; tragen Sie es vierstellig ein",
        )
    ]


def _area(tx: Transaction, layer: str, rid: str, area_id: Any) -> list[Finding]:
    found = tx.read("funding_areas", where={"id": area_id}, columns=["id"])
    return [] if len(found) else [_missing(layer, rid, "Die Gesamtmaßnahme", area_id)]


def _programme(tx: Transaction, layer: str, rid: str, programme_id: Any) -> list[Finding]:
    if programme_id is None or (isinstance(programme_id, float) and pd.isna(programme_id)):
        return []
    found = tx.read("programmes", where={"id": programme_id}, columns=["id"])
    return [] if len(found) else [_missing(layer, rid, "Das Förderprogramm", programme_id)]


def _revenue(tx: Transaction, record: Mapping[str, Any]) -> list[Finding]:
    rid = str(record.get("id"))
    out = _area(tx, "revenues", rid, record.get("funding_area_id"))
    out += _year_finding("revenues", rid, f"Einnahme „{rid}“", record.get("year"))
    for column, label in (("planned", "geplant"), ("actual", "eingegangen")):
        value = notice_rules._num(record.get(column))
        if value < 0:
            out.append(
                Finding(
                    "error",
                    "amount",
                    "revenues",
                    rid,
                    f"Einnahme „{rid}“: der Betrag „{label}“ ist negativ; Einnahmen sind 0 € "
                    "oder mehr",
                )
            )
    catalogue = area_catalogue(tx, record.get("funding_area_id"))
    kind = record.get("kind")
    if catalogue is not None and kind not in {g.key for g in catalogue.revenues} | {
        k for g in catalogue.revenues for k in g.includes
    }:
        options = ", ".join(f"{k} ({v})" for k, v in catalogue.revenue_options().items())
        out.append(
            Finding(
                "error",
                "kind",
                "revenues",
                rid,
                f"Einnahme „{rid}“: die Einnahmeart „{kind}“ gibt es in der Gliederung "
                f"„{catalogue.name}“ nicht; erlaubt sind {options}",
            )
        )
    return out


def _application(tx: Transaction, record: Mapping[str, Any]) -> list[Finding]:
    rid = str(record.get("id"))
    out = _area(tx, "grant_applications", rid, record.get("funding_area_id"))
    out += _programme(tx, "grant_applications", rid, record.get("programme_id"))
    out += _year_finding(
        "grant_applications", rid, f"Förderantrag „{rid}“", record.get("programme_year")
    )
    version = record.get("kuf_version_id")
    if version is not None and not (isinstance(version, float) and pd.isna(version)):
        found = tx.read("kuf_versions", where={"id": version}, columns=["id", "funding_area_id"])
        if not len(found):
            out.append(_missing("grant_applications", rid, "Die KuF-Fassung", version))
        elif found["funding_area_id"].iloc[0] != record.get("funding_area_id"):
            out.append(
                Finding(
                    "error",
                    "kuf_area",
                    "grant_applications",
                    rid,
                    f"Förderantrag „{rid}“: die KuF-Fassung „{version}“ gehört zur "
                    f"Gesamtmaßnahme „{found['funding_area_id'].iloc[0]}“, nicht zu "
                    f"„{record.get('funding_area_id')}“",
                )
            )
    return out


def _notice(tx: Transaction, record: Mapping[str, Any]) -> list[Finding]:
    rid = str(record.get("id"))
    out = _area(tx, "grant_notices", rid, record.get("funding_area_id"))
    out += _programme(tx, "grant_notices", rid, record.get("programme_id"))
    application = record.get("application_id")
    if application is not None and not (isinstance(application, float) and pd.isna(application)):
        found = tx.read("grant_applications", where={"id": application}, columns=["id"])
        if not len(found):
            out.append(_missing("grant_notices", rid, "Der Förderantrag", application))
    drawn = tx.read("drawdowns", where={"notice_id": record.get("id")}, columns=["id", "amount"])
    total = float(pd.to_numeric(drawn["amount"], errors="coerce").fillna(0).sum())
    same = tx.read(
        "grant_notices",
        where={"file_number": record.get("file_number")},
        columns=["id", "funding_area_id"],
    )
    twice = same[same["id"] != record.get("id")]
    if record.get("file_number") and len(twice):
        out.append(
            Finding(
                "error",
                "file_number_taken",
                "grant_notices",
                rid,
                f"Das Aktenzeichen „{record.get('file_number')}“ trägt schon der "
                f"Zuwendungsbescheid „{twice['id'].iloc[0]}“; ein Bescheid wird einmal "
                "erfasst: öffnen Sie den vorhandenen",
            )
        )
    return out + notice_rules.check_notice(record, drawn=round(total, 2))


def _drawdown(tx: Transaction, record: Mapping[str, Any]) -> list[Finding]:
    rid = str(record.get("id"))
    notice = tx.read("grant_notices", where={"id": record.get("notice_id")})
    if not len(notice):
        return [_missing("drawdowns", rid, "Der Zuwendungsbescheid", record.get("notice_id"))]
    others = tx.read(
        "drawdowns", where={"notice_id": record.get("notice_id")}, columns=["id", "amount"]
    )
    row = {k: notice[k].iloc[0] for k in notice.columns if k != "geometry"}
    return notice_rules.check_drawdown(record, row, others)


def check(
    tx: Transaction,
    layer: str,
    record: Mapping[str, Any],
    before: Mapping[str, Any] | None,
    *,
    today: dt.date,
) -> list[Finding]:
    """The findings of the grant layer ``layer`` on ``record`` as it would be stored."""
    del today  # the rules of these layers do not depend on the day
    if layer == "revenues":
        return _revenue(tx, record)
    if layer == "grant_applications":
        return _application(tx, record)
    if layer == "grant_notices":
        return _notice(tx, record)
    if layer == "drawdowns":
        return _drawdown(tx, record)
    del before
    return []
