"""Collecting report packages in a Land's (or the Bund's) store.

:func:`collect` reads the files of one call, checks each package (its seal and
checksums, :func:`monitoring.federal.packages.read_package`), its catalogue, the
plausibility of its money (:mod:`monitoring.federal.plausibility`, the checks the
municipality saw at filing) and the differences to last year's package of the same
Gesamtmaßnahme (:func:`monitoring.federal.differences.year_on_year`), and stores them
in the layer ``collected_reports`` with their findings.

Rules:

- All files of one call are stored in ONE transaction through
  :mod:`monitoring.editing` (role ``edit_funding``, one audit row per record): when one
  file is refused, nothing is stored and the result names the file and why.
- A package whose seal is already stored under its id (``AGS/AREA/YEAR/N``) is
  „schon vorhanden“: nothing is written. The same id with another seal is refused
  (a correction is a new ``fassung``).
- Every version is kept. A higher ``fassung`` sets ``superseded_by`` on the current one
  of the same AGS, Gesamtmaßnahme and year; an older ``fassung`` that arrives after a
  newer one is stored already superseded by the newer one.
- Catalogue: the field codes of a package mean what its catalogue says. A package made
  with another catalogue NAME (e.g. the Bund's default where the Land asks for its own)
  is refused: its figures would be read under the wrong fields. Another VERSION of the
  same catalogue is kept with a finding (fields may be new or gone; the rest compare).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo import german
from monitoring.auth import User, require
from monitoring.editing import changes
from monitoring.errors import NotFound
from monitoring.federal.differences import DEFAULT_THRESHOLD, Difference, year_on_year
from monitoring.federal.errors import PackageError
from monitoring.federal.packages import read_package, report_of
from monitoring.federal.plausibility import finding_texts
from monitoring.messages import render
from monitoring.reports.catalogue import Catalogue, load_catalogue
from monitoring.reports.report import Report, Value

if TYPE_CHECKING:
    from geo.store.base import Store

LAYER = "collected_reports"
LIST_COLUMNS = [
    "id",
    "ags",
    "municipality",
    "funding_area_id",
    "funding_area_name",
    "programme_id",
    "year",
    "revision",
    "filed_at",
    "collected_at",
    "collected_by",
    "file_name",
    "catalogue_version",
    "superseded_by",
]

COLLECTED = "eingelesen"
ALREADY = "schon vorhanden"
REFUSED = "abgelehnt"
NOT_STORED = "nicht eingelesen"


@dataclass(frozen=True)
class Outcome:
    """What became of one file."""

    file_name: str
    status: str
    """:data:`COLLECTED`, :data:`ALREADY`, :data:`REFUSED` or :data:`NOT_STORED`."""
    id: str = ""
    ags: str = ""
    area_id: str = ""
    area_name: str = ""
    year: int | None = None
    revision: int | None = None
    reason: str = ""
    """Why the file was refused (or not stored)."""
    findings: tuple[str, ...] = ()
    """Plausibility and catalogue findings (German)."""
    differences: tuple[Difference, ...] = ()
    compared_with: str = ""
    """The id of last year's package the differences are against (empty without one)."""
    superseded_by: str = ""
    supersedes: str = ""


@dataclass(frozen=True)
class CollectResult:
    """The outcome of every file of one call, in the order given."""

    outcomes: tuple[Outcome, ...]
    threshold: float = DEFAULT_THRESHOLD
    stored: tuple[str, ...] = field(default_factory=tuple)
    """The ids written (empty when a file was refused)."""

    @property
    def refused(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.status == REFUSED)


@dataclass(frozen=True)
class _Checked:
    index: int
    file_name: str
    package: dict[str, Any]
    report: Report

    @property
    def id(self) -> str:
        p = self.package
        return f"{p['ags']}/{p['gesamtmassnahme']}/{p['berichtsjahr']}/{p['fassung']}"

    @property
    def group(self) -> tuple[str, str, int]:
        p = self.package
        return (str(p["ags"]), str(p["gesamtmassnahme"]), int(p["berichtsjahr"]))


def _outcome(checked: _Checked, status: str, **more: Any) -> Outcome:
    p = checked.package
    return Outcome(
        file_name=checked.file_name,
        status=status,
        id=checked.id,
        ags=str(p["ags"]),
        area_id=str(p["gesamtmassnahme"]),
        area_name=str(p["name"]),
        year=int(p["berichtsjahr"]),
        revision=int(p["fassung"]),
        **more,
    )


def collect(
    store: Store,
    user: User,
    files: Sequence[tuple[str, bytes]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    catalogue: Catalogue | None = None,
    now: dt.datetime | None = None,
) -> CollectResult:
    """Check and store the packages ``files`` (``(file name, content)``) all together or not at all.

    Raises
    ------
    PermissionDenied
        Without the right to edit funding data (``edit_funding``).
    """
    require(user, "edit_funding")
    ours = catalogue or load_catalogue()
    checked: list[_Checked] = []
    refused: dict[int, str] = {}
    for index, (name, data) in enumerate(files):
        try:
            package = read_package(data, file_name=name)
        except PackageError as exc:
            refused[index] = str(exc)
            continue
        if package["katalog"] != ours.name:
            refused[index] = render(
                "collect.catalogue_other", file=name, theirs=package["katalog"], ours=ours.name
            )
            continue
        checked.append(_Checked(index, name, package, report_of(package)))

    seals: dict[str, str] = {}  # id -> seal: stored ones, then the earlier files of this call
    stored = _read_ids(store, [c.id for c in checked])
    seals.update(stored)
    already: set[int] = set()
    for c in checked:
        seal = str(c.package["siegel"])
        known = seals.get(c.id)
        if known is None:
            seals[c.id] = seal
        elif known == seal:
            already.add(c.index)
        else:
            refused[c.index] = render(
                "collect.same_revision_other_seal",
                file=c.file_name,
                ident=c.id,
                stored=known[:12],
                seal=seal[:12],
            )

    if refused:
        names = german.ordinal_list([f"„{files[i][0]}“" for i in sorted(refused)])
        out: list[Outcome] = []
        by_index = {c.index: c for c in checked}
        for index, (name, _) in enumerate(files):
            if index in refused:
                out.append(Outcome(name, REFUSED, reason=refused[index]))
            elif index in by_index:
                out.append(
                    _outcome(
                        by_index[index],
                        NOT_STORED,
                        reason=render("collect.not_stored", refused=names),
                    )
                )
        return CollectResult(tuple(out), threshold)

    when = pd.Timestamp((now or dt.datetime.now()).replace(microsecond=0))
    outcomes: dict[int, Outcome] = {}
    written: list[str] = []
    todo = sorted(
        (c for c in checked if c.index not in already),
        key=lambda c: (c.group[2], c.group, int(c.package["fassung"])),
    )
    with changes(store, user) as ch:
        for c in todo:
            outcomes[c.index] = _store_one(ch, user, c, ours, threshold=threshold, when=when)
            written.append(c.id)
    for c in checked:
        if c.index in already:
            outcomes[c.index] = _outcome(c, ALREADY)
    return CollectResult(tuple(outcomes[i] for i in sorted(outcomes)), threshold, tuple(written))


def _read_ids(store: Store, ids: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for ident in dict.fromkeys(ids):
        frame = store.read(LAYER, where={"id": ident}, columns=["id", "seal"])
        if len(frame):
            found[ident] = str(frame["seal"].iloc[0])
    return found


def _versions(tx: Any, ags: str, area_id: str, year: int) -> pd.DataFrame:
    return tx.read(
        LAYER,
        where={"ags": ags, "funding_area_id": area_id, "year": int(year)},
        columns=["id", "revision", "superseded_by", "payload"],
    )


def _current(frame: pd.DataFrame) -> pd.Series | None:
    current = frame[frame["superseded_by"].isna()]
    if current.empty:
        return None
    return current.sort_values("revision").iloc[-1]


def _store_one(
    ch: Any, user: User, c: _Checked, ours: Catalogue, *, threshold: float, when: pd.Timestamp
) -> Outcome:
    ags, area_id, year = c.group
    revision = int(c.package["fassung"])
    findings = list(finding_texts(c.report))
    if c.package["katalogversion"] != ours.version:
        findings.append(
            render(
                "collect.catalogue_version", theirs=c.package["katalogversion"], ours=ours.version
            )
        )
    differences: tuple[Difference, ...] = ()
    compared = ""
    previous = _current(_versions(ch.tx, ags, area_id, year - 1))
    if previous is not None:
        compared = str(previous["id"])
        last = report_of(json.loads(previous["payload"]))
        differences = year_on_year(last, c.report, threshold=threshold)

    superseded_by = ""
    supersedes = ""
    current = _current(_versions(ch.tx, ags, area_id, year))
    if current is not None:
        if int(current["revision"]) < revision:
            supersedes = str(current["id"])
        else:
            superseded_by = str(current["id"])
    record = {
        "id": c.id,
        "ags": ags,
        "municipality": c.package["gemeinde"] or None,
        "funding_area_id": area_id,
        "funding_area_name": c.package["name"],
        "programme_id": c.package["programm"],
        "year": year,
        "revision": revision,
        "filed_at": _naive(c.package["eingereicht_am"]),
        "collected_at": when,
        "collected_by": user.name,
        "file_name": c.file_name,
        "fingerprint": c.package["fingerabdruck"],
        "catalogue_version": c.package["katalogversion"],
        "seal": c.package["siegel"],
        "superseded_by": superseded_by or None,
        "findings": json.dumps(
            _findings_json(findings, differences, compared, threshold), ensure_ascii=False
        ),
        "payload": json.dumps(c.package, ensure_ascii=False, sort_keys=True),
        "format_version": int(c.package["formatversion"]),
    }
    ch.append(LAYER, record)
    if supersedes:
        ch.supersede(LAYER, {"id": supersedes}, c.id)
    return _outcome(
        c,
        COLLECTED,
        findings=tuple(findings),
        differences=differences,
        compared_with=compared,
        superseded_by=superseded_by,
        supersedes=supersedes,
    )


def _naive(text: str) -> pd.Timestamp:
    stamp = pd.Timestamp(text)
    return stamp if stamp.tzinfo is None else stamp.tz_convert("UTC").tz_localize(None)


def _findings_json(
    findings: Sequence[str], differences: Sequence[Difference], compared: str, threshold: float
) -> dict[str, Any]:
    return {
        "hinweise": list(findings),
        "vorjahr": {
            "verglichen_mit": compared or None,
            "schwelle": threshold,
            "unterschiede": [
                {
                    "feld": d.field,
                    "nummer": d.number,
                    "bezeichnung": d.label,
                    "einheit": d.unit,
                    "vorher": d.before,
                    "nachher": d.after,
                    "art": d.kind,
                }
                for d in differences
            ],
        },
    }


# --- texts for a table ---------------------------------------------------------------------


def _value(value: Value, unit: str) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return german.number(value, decimals=0 if float(value).is_integer() else 1, unit=unit)
    return "–" if value is None else str(value)


def difference_text(d: Difference) -> str:
    """One year-on-year difference as a German line.

    Examples
    --------
    >>> difference_text(Difference("B.1.bund.paid", "B.1.1", "Bund, ausgezahlt", "€",
    ...                            100.0, 200.0, "gestiegen"))
    'B.1.1 „Bund, ausgezahlt“ gestiegen: 100\\xa0€ → 200\\xa0€'
    """
    return render(
        "collect.difference",
        number=d.number,
        label=d.label,
        kind=d.kind,
        before=_value(d.before, d.unit),
        after=_value(d.after, d.unit),
    )


def notes_of(outcome: Outcome, threshold: float) -> list[str]:
    """Everything a reader should know about one file: reason, findings, differences."""
    notes: list[str] = []
    if outcome.reason:
        notes.append(outcome.reason)
    if outcome.supersedes:
        notes.append(f"ersetzt {outcome.supersedes}")
    if outcome.superseded_by:
        notes.append(f"als ersetzt gespeichert: es gibt schon {outcome.superseded_by}")
    notes.extend(outcome.findings)
    if outcome.differences:
        notes.append(
            f"Unterschiede zum Vorjahr ({outcome.compared_with}) über "
            f"{german.percent(threshold * 100, decimals=0)}:"
        )
        notes.extend(f"  {difference_text(d)}" for d in outcome.differences)
    return notes


def result_rows(result: CollectResult) -> pd.DataFrame:
    """The result as a table with German headers (Datei, AGS, … Ergebnis, Hinweise)."""
    rows = []
    for o in result.outcomes:
        hints = []
        if o.findings:
            hints.append(german.count(len(o.findings), "Prüfhinweis", "Prüfhinweise"))
        if o.differences:
            hints.append(
                german.count(
                    len(o.differences), "Unterschied zum Vorjahr", "Unterschiede zum Vorjahr"
                )
            )
        if o.supersedes:
            hints.append(f"ersetzt {o.supersedes}")
        if o.superseded_by:
            hints.append(f"ersetzt durch {o.superseded_by}")
        rows.append(
            {
                "Datei": o.file_name,
                "AGS": o.ags,
                "Gesamtmaßnahme": o.area_id,
                "Jahr": "" if o.year is None else str(o.year),
                "Fassung": "" if o.revision is None else str(o.revision),
                "Ergebnis": o.status,
                "Hinweise": "; ".join(hints)
                or ("Grund: siehe Hinweise zur Datei" if o.reason else ""),
            }
        )
    return pd.DataFrame(
        rows, columns=["Datei", "AGS", "Gesamtmaßnahme", "Jahr", "Fassung", "Ergebnis", "Hinweise"]
    )


# --- reading --------------------------------------------------------------------------------


def collected(
    store: Store,
    user: User,
    *,
    year: int | None = None,
    ags: str | None = None,
    current_only: bool = True,
) -> pd.DataFrame:
    """List the collected packages (without content), by AGS, Gesamtmaßnahme, year, Fassung.

    ``current_only`` leaves out the versions a later Fassung replaced.
    """
    require(user, "read")
    where: dict[str, Any] = {}
    if year is not None:
        where["year"] = int(year)
    if ags is not None:
        where["ags"] = ags
    frame = store.read(LAYER, where=where or None, columns=LIST_COLUMNS)
    if current_only:
        frame = frame[frame["superseded_by"].isna()]
    return frame.sort_values(["ags", "funding_area_id", "year", "revision"]).reset_index(drop=True)


@dataclass(frozen=True)
class CollectedReport:
    """One collected package: its record, the checked package, its report and findings."""

    record: Mapping[str, Any]
    package: Mapping[str, Any]
    report: Report
    findings: Mapping[str, Any]


def load_collected(store: Store, user: User, ident: str) -> CollectedReport:
    """Return one collected package, checked again (seal and checksums) as it is read.

    Raises
    ------
    NotFound
        For an unknown id (the message lists the collected ones).
    PackageError
        When the stored package no longer matches its seal.
    """
    require(user, "read")
    frame = store.read(LAYER, where={"id": ident})
    if frame.empty:
        known = sorted(store.read(LAYER, columns=["id"])["id"].astype(str))
        raise NotFound(render("collect.unknown", ident=ident, known=", ".join(known) or "keine"))
    record = {str(k): v for k, v in frame.iloc[0].to_dict().items()}
    package = read_package(str(record["payload"]), file_name=ident)
    return CollectedReport(
        record=record,
        package=package,
        report=report_of(package),
        findings=json.loads(record["findings"]) if isinstance(record["findings"], str) else {},
    )
