"""Filing a report: freeze it, keep it, and show what changed since.

A filed report is stored in the layer ``filed_reports`` as the JSON of the whole
report (every value as it was) with the SHA-256 fingerprint of its inputs. Later
edits of measures, money or indicators change nothing in it. Generating the same
year again and comparing (:func:`compare_with_filed`) lists every field whose value
changed and the inputs (layers) whose content changed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo.schema import SCHEMA
from indicators.registry import Registry
from monitoring.auth import User, require
from monitoring.editing import changes
from monitoring.errors import NotFound
from monitoring.federal.plausibility import finding_texts
from monitoring.messages import render
from monitoring.reports.catalogue import Catalogue
from monitoring.reports.errors import FilingError, PayloadError
from monitoring.reports.generate import build_report
from monitoring.reports.report import FORMAT_VERSION, Report, Value

if TYPE_CHECKING:
    from geo.store.base import Store

LAYER = "filed_reports"
LIST_COLUMNS = ["id", "funding_area_id", "year", "filed_at", "filed_by", "fingerprint"]


@dataclass(frozen=True)
class FiledReport:
    """A filed report: its record and the frozen report."""

    id: str
    funding_area_id: str
    year: int
    filed_at: pd.Timestamp
    filed_by: str | None
    fingerprint: str
    report: Report
    findings: tuple[str, ...] = ()
    """Plausibility findings at filing (:mod:`monitoring.federal.plausibility`): shown, they
    do not stop the filing; a Land collecting the package sees the same ones."""


@dataclass(frozen=True)
class Change:
    """One report field whose value (or reason) differs between two reports."""

    field: str
    label: str
    before: Value
    after: Value
    reason_before: str | None = None
    reason_after: str | None = None
    kind: str = "geändert"
    """``geändert``, ``neu`` (only in the new report) or ``entfallen`` (only in the filed one)."""
    number: str = ""
    """The field number shown to people (catalogue numbering, e.g. ``B.1.2``)."""


@dataclass(frozen=True)
class ReportDiff:
    """What changed between a filed report and the report generated now."""

    filed_id: str
    filed_at: str
    filed_fingerprint: str
    current_fingerprint: str
    changed_inputs: tuple[str, ...]
    changes: tuple[Change, ...]

    @property
    def unchanged(self) -> bool:
        """True when the inputs are the same (so every value is too)."""
        return self.filed_fingerprint == self.current_fingerprint and not self.changes


def diff_reports(
    filed: Report, current: Report, *, filed_id: str = "", filed_at: str = ""
) -> ReportDiff:
    """Compare two reports field by field (pure).

    Examples
    --------
    >>> from monitoring.reports.report import Part, Row, Section
    >>> def rep(value, fp):
    ...     rows = (Row("B.1", "Bund", value, "€"),)
    ...     return Report("FA", "x", None, None, 2024, "", "", "", fp, {"funding_lines": fp},
    ...                   (Part("B", "B", (Section("B.1", "Mittel", rows),)),))
    >>> d = diff_reports(rep(100.0, "a"), rep(120.0, "b"))
    >>> [(c.field, c.before, c.after) for c in d.changes], d.changed_inputs
    ([('B.1', 100.0, 120.0)], ('funding_lines',))
    """
    old = {r.field: r for _, _, r in filed.rows()}
    new = {r.field: r for _, _, r in current.rows()}
    changes: list[Change] = []
    for code, row in new.items():
        before = old.get(code)
        if before is None:
            changes.append(
                Change(code, row.label, None, row.value, None, row.reason, "neu", row.shown_number)
            )
        elif before.value != row.value or before.reason != row.reason:
            changes.append(
                Change(
                    code,
                    row.label,
                    before.value,
                    row.value,
                    before.reason,
                    row.reason,
                    number=row.shown_number,
                )
            )
    for code, row in old.items():
        if code not in new:
            changes.append(
                Change(
                    code,
                    row.label,
                    row.value,
                    None,
                    row.reason,
                    None,
                    "entfallen",
                    row.shown_number,
                )
            )
    inputs = sorted(
        set(filed.input_fingerprints) | set(current.input_fingerprints),
    )
    changed = tuple(
        k for k in inputs if filed.input_fingerprints.get(k) != current.input_fingerprints.get(k)
    )
    return ReportDiff(
        filed_id=filed_id,
        filed_at=filed_at,
        filed_fingerprint=filed.fingerprint,
        current_fingerprint=current.fingerprint,
        changed_inputs=changed,
        changes=tuple(changes),
    )


def filed_reports(
    store: Store, user: User, *, area_id: str | None = None, year: int | None = None
) -> pd.DataFrame:
    """List the filed reports (without their content), newest first."""
    require(user, "read")
    where: dict[str, Any] = {}
    if area_id is not None:
        where["funding_area_id"] = area_id
    if year is not None:
        where["year"] = int(year)
    frame = store.read(LAYER, where=where or None, columns=LIST_COLUMNS)
    return frame.sort_values(["filed_at", "id"], ascending=False).reset_index(drop=True)


def _record_to_filed(record: dict[str, Any]) -> FiledReport:
    try:
        data = json.loads(record["payload"])
    except (TypeError, json.JSONDecodeError) as exc:
        raise PayloadError(
            render("report.filed_not_json", ident=record["id"], problem=exc)
        ) from None
    report = Report.from_dict(data)
    if report.fingerprint != record["fingerprint"]:
        raise PayloadError(
            render(
                "report.filed_altered",
                ident=record["id"],
                stored=record["fingerprint"][:12],
                actual=report.fingerprint[:12],
            )
        )
    return FiledReport(
        id=str(record["id"]),
        funding_area_id=str(record["funding_area_id"]),
        year=int(record["year"]),
        filed_at=pd.Timestamp(record["filed_at"]),
        filed_by=record.get("filed_by"),
        fingerprint=str(record["fingerprint"]),
        report=report,
    )


def load_filed(store: Store, user: User, report_id: str) -> FiledReport:
    """Return one filed report as it was filed.

    Raises
    ------
    NotFound
        For an unknown id (the message lists the filed ones).
    PayloadError
        When the stored content cannot be read back or does not match its fingerprint.
    """
    require(user, "read")
    frame = store.read(LAYER, where={"id": report_id})
    if frame.empty:
        known = store.read(LAYER, columns=["id"])["id"].tolist()
        raise NotFound(
            render(
                "report.filed_unknown",
                ident=report_id,
                known=", ".join(sorted(known)) or "keine",
            )
        )
    return _record_to_filed({str(k): v for k, v in frame.iloc[0].to_dict().items()})


def latest_filed(store: Store, user: User, area_id: str, year: int) -> FiledReport | None:
    """Return the latest filed report of an area and year, or None if none was filed."""
    listed = filed_reports(store, user, area_id=area_id, year=year)
    if listed.empty:
        return None
    return load_filed(store, user, str(listed["id"].iloc[0]))


def file_report(
    store: Store,
    user: User,
    area_id: str,
    *,
    year: int,
    catalogue: Catalogue | None = None,
    registry: Registry | None = None,
    now: dt.datetime | None = None,
) -> FiledReport:
    """Generate the report of ``area_id`` for ``year`` and file it (freeze it in the store).

    A second filing of the same area and year is a correction and gets the next
    number; filing again with unchanged inputs is refused. The plausibility findings of
    its money (the checks a Land runs when it collects the package) come back in
    ``findings``; they do not stop the filing.

    Raises
    ------
    PermissionDenied
        Without the right to edit funding data (``edit_funding``).
    FilingError
        When the latest filed report of the area and year has the same fingerprint.
    """
    require(user, "edit_funding")
    when = (now or dt.datetime.now()).replace(microsecond=0)
    report = build_report(
        store, user, area_id, year=year, catalogue=catalogue, registry=registry, now=when
    )
    listed = filed_reports(store, user, area_id=area_id, year=year)
    if len(listed) and listed["fingerprint"].iloc[0] == report.fingerprint:
        raise FilingError(
            render(
                "report.filed_twice",
                area=area_id,
                year=year,
                ident=listed["id"].iloc[0],
                fingerprint=report.fingerprint[:12],
            )
        )
    number = len(
        store.read(LAYER, where={"funding_area_id": area_id, "year": int(year)}, columns=["id"])
    )
    record_id = f"{area_id}/{year}/{number + 1}"
    area = store.read("funding_areas", where={"id": area_id}, columns=["ags"])
    record = {
        "id": record_id,
        "ags": area["ags"].iloc[0] if len(area) else None,  # the municipality the area is in
        "funding_area_id": area_id,
        "year": int(year),
        "filed_at": pd.Timestamp(when),
        "filed_by": user.name,
        "fingerprint": report.fingerprint,
        "payload": json.dumps(report.to_dict(), ensure_ascii=False, sort_keys=True),
        "format_version": FORMAT_VERSION,
    }
    with changes(store, user) as change_set:  # the one writing path: role, key, audit row
        change_set.append(LAYER, record)
    return FiledReport(
        record_id,
        area_id,
        int(year),
        pd.Timestamp(when),
        user.name,
        report.fingerprint,
        report,
        finding_texts(report),
    )


def compare_with_filed(
    store: Store,
    user: User,
    area_id: str,
    *,
    year: int,
    catalogue: Catalogue | None = None,
    registry: Registry | None = None,
) -> tuple[Report, ReportDiff | None]:
    """Generate the report now and compare it with the latest filed one (None if none)."""
    current = build_report(store, user, area_id, year=year, catalogue=catalogue, registry=registry)
    filed = latest_filed(store, user, area_id, year)
    if filed is None:
        return current, None
    return current, diff_reports(
        filed.report,
        current,
        filed_id=filed.id,
        filed_at=filed.filed_at.strftime("%Y-%m-%d %H:%M"),
    )


INPUT_TITLES = {"settings": "Einstellungen (Berichtsjahr, Feldkatalog, Indikatordefinitionen)"}


def input_titles(keys: Sequence[str]) -> list[str]:
    """Return the German names of a report's inputs (layers and settings), for a diff.

    Examples
    --------
    >>> input_titles(["funding_lines", "settings", "unbekannt"])[1:]
    ['Einstellungen (Berichtsjahr, Feldkatalog, Indikatordefinitionen)', 'unbekannt']
    """
    return [SCHEMA.layers[k].title if k in SCHEMA.layers else INPUT_TITLES.get(k, k) for k in keys]
