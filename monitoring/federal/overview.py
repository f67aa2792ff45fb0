"""A Land's (or the Bund's) overview of one programme year: who reported, who is late, sums.

The register is the store's ``funding_areas`` (every Gesamtmaßnahme with its AGS and
programme); the reports are the current collected packages (``collected_reports``,
``superseded_by`` empty) and the store's own filed reports (``filed_reports``: a Land
hosting its towns). :func:`read_overview` reads both once per call (only the columns it
needs, each payload parsed once) into :class:`OverviewData`; everything else here is
pandas over those frames: :func:`roll_up` filters by Land, Kreis, municipality and
programme and returns the tables of the overview (:class:`Rollup`).

Working assumptions (the federal rules vary by Land and are not public in one place):

- A Gesamtmaßnahme is expected to report for year ``Y`` when it is in its programme in
  ``Y``: admitted in or before ``Y`` (no admission year: yes), its expected end not
  before ``Y`` (none: open-ended) and its funding status not ``in Vorbereitung``.
- The deadline is 30 June of the following year (:func:`default_deadline`) unless one
  is given; a report still missing after it is late (``verspätet``).
- Only additive figures of parts B–D are summed (:data:`ADDITIVE_UNITS`: money, counts,
  lengths and areas, people, dwellings); shares (%), changes in percentage points,
  years, classes and the city-wide comparison values are never summed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from geo.municipality import LAENDER
from geo.store.base import ChangeToken, Store
from monitoring.auth import User, require
from monitoring.errors import NotFound
from monitoring.federal.differences import COMPARED_PARTS, DEFAULT_THRESHOLD, year_on_year
from monitoring.messages import render
from monitoring.reports.errors import PayloadError, ReportOptionError
from monitoring.reports.layout import value_text
from monitoring.reports.report import Report

LAENDER_BY_CODE: Mapping[str, str] = LAENDER
"""The 16 Länder by the first two digits of the AGS (:data:`geo.municipality.LAENDER`)."""

ADDITIVE_UNITS: tuple[str, ...] = (
    "€",
    "Anzahl",
    "m²",
    "m",
    "ha",
    "Personen",
    "Wohnungen",
    "WE",
    "Plätze",
)
"""Units whose figures add up across Gesamtmaßnahmen (never %, Prozentpunkte, Jahr, Klasse)."""

CITY_WIDE_FIELDS: tuple[str, ...] = (".city", ".change_city")
"""Field key endings of the city-wide comparison values (summed, a city would count once
per Gesamtmaßnahme): never summed."""

SUMMED_PARTS: tuple[str, ...] = ("B", "C", "D")

STATUS_REPORTED = "gemeldet"
STATUS_MISSING = "fehlt"
STATUS_LATE = "verspätet"
STATUSES: tuple[str, ...] = (STATUS_REPORTED, STATUS_MISSING, STATUS_LATE)
"""The reporting status of an expected Gesamtmaßnahme (``fehlt``: not yet, within the deadline)."""
NOT_IN_REGISTER = "nicht im Verzeichnis"
NOT_EXPECTED_STATUS = "in Vorbereitung"
NO_AGS = "ohne Gemeindeschlüssel"

SOURCE_PACKAGE = "Paket"
SOURCE_FILED = "eigener Bericht"

Level = Literal["programm", "kreis", "land", "gesamt"]
LEVELS: tuple[str, ...] = ("programm", "kreis", "land", "gesamt")

_REGISTER_COLUMNS = [
    "id",
    "name",
    "ags",
    "programme_id",
    "start_year",
    "expected_end",
    "funding_status",
]
_PACKAGE_COLUMNS = [
    "id",
    "ags",
    "municipality",
    "funding_area_id",
    "funding_area_name",
    "programme_id",
    "year",
    "revision",
    "filed_at",
    "payload",
]
_FILED_COLUMNS = ["id", "funding_area_id", "year", "filed_at", "payload"]


def default_deadline(year: int) -> dt.date:
    """Return the assumed deadline of the reports of ``year``: 30 June of the next year.

    Examples
    --------
    >>> default_deadline(2024)
    datetime.date(2025, 6, 30)
    """
    return dt.date(int(year) + 1, 6, 30)


def land_name(code: str) -> str:
    """Return the name of a Land by its two-digit code (the code itself when unknown).

    Examples
    --------
    >>> land_name("05"), land_name("99")
    ('Nordrhein-Westfalen', '99')
    """
    return LAENDER_BY_CODE.get(str(code), str(code))


@dataclass(frozen=True)
class OverviewData:
    """What the overview of one year is computed from (read once, filtered many times).

    ``register``: one row per Gesamtmaßnahme of the store (``ags``, ``area_id``, ``name``,
    ``programme_id`` …, ``expected``); ``reports``: the current report of each
    (``ags``, ``area_id``, ``year``) for the year and the year before, with ``key`` (which
    record: ``Paket:<id>`` or ``eigener Bericht:<id>``); ``figures``: the additive figures
    of the year's reports (long: ``key``, ``field``, ``number``, ``label``, ``unit``,
    ``value``); ``differences``: the year-on-year differences of the year's reports.
    """

    year: int
    threshold: float
    register: pd.DataFrame
    reports: pd.DataFrame
    figures: pd.DataFrame
    differences: pd.DataFrame
    programme_names: Mapping[str, str] = field(default_factory=dict)
    kreis_names: Mapping[str, str] = field(default_factory=dict)
    municipality_names: Mapping[str, str] = field(default_factory=dict)


# --- reading ---------------------------------------------------------------------------


def read_overview(
    store: Store, user: User, year: int, *, threshold: float = DEFAULT_THRESHOLD
) -> OverviewData:
    """Read the register and the reports of ``year`` and ``year - 1`` into :class:`OverviewData`.

    Raises
    ------
    PermissionDenied
        Without the right to read.
    """
    require(user, "read")
    year = int(year)
    years = [year - 1, year]
    register = pd.DataFrame(store.read("funding_areas", columns=_REGISTER_COLUMNS))
    register = register.drop(columns=["geometry"], errors="ignore").rename(
        columns={"id": "area_id"}
    )
    register["ags"] = register["ags"].fillna("").astype(str)
    register["expected"] = expected_in(register, year)
    programmes = store.read("programmes", columns=["id", "name"])
    programme_names = dict(zip(programmes["id"].astype(str), programmes["name"].astype(str)))

    # which report is current is decided without the payloads; they are read afterwards in
    # chunks of Gesamtmaßnahmen, so memory holds one chunk of reports, not a Land's worth
    packages = pd.DataFrame(
        store.read(
            "collected_reports",
            where={"year": years, "superseded_by": None},
            columns=[c for c in _PACKAGE_COLUMNS if c != "payload"],
        )
    ).assign(payload=None)
    filed = pd.DataFrame(
        store.read(
            "filed_reports",
            where={"year": years},
            columns=[c for c in _FILED_COLUMNS if c != "payload"],
        )
    ).assign(payload=None)
    current = _current_reports(packages, filed, register)
    figures, differences = _analyse_in_chunks(store, current, year=year, threshold=threshold)
    reports = current.drop(columns=["payload"])
    for frame in (register, reports):  # the keys the filters compare, worked out once
        frame["land"] = frame["ags"].str[:2]
        frame["kreis"] = frame["ags"].str[:5]
    municipality_names = {
        str(a): str(m)
        for a, m in zip(reports["ags"], reports["municipality"])
        if isinstance(m, str) and m.strip()
    }
    for level, target in (("Kreis", "kreis"), ("Gemeinde", "gemeinde")):
        named = pd.DataFrame(store.read("areas", where={"level": level}, columns=["id", "name"]))
        names = {str(i): str(n) for i, n in zip(named["id"], named["name"]) if isinstance(n, str)}
        if target == "kreis":
            kreis_names = names
        else:
            municipality_names = names | municipality_names
    return OverviewData(
        year=year,
        threshold=float(threshold),
        register=register.reset_index(drop=True),
        reports=reports,
        figures=figures,
        differences=differences,
        programme_names=programme_names,
        kreis_names=kreis_names,
        municipality_names=municipality_names,
    )


class OverviewCache:
    """The overviews already read, keyed by the store's change token, year and threshold.

    An explicit object (the app keeps one per store, the CLI needs none): any committed
    write changes the token, so a stale overview is never returned.
    """

    def __init__(self, max_entries: int = 4) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[ChangeToken, int, float], OverviewData] = OrderedDict()

    def get(
        self, store: Store, user: User, year: int, *, threshold: float = DEFAULT_THRESHOLD
    ) -> OverviewData:
        require(user, "read")
        key = (store.change_token(), int(year), float(threshold))
        if key in self._entries:
            self._entries.move_to_end(key)
            return self._entries[key]
        data = read_overview(store, user, year, threshold=threshold)
        self._entries[key] = data
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return data


def expected_in(register: pd.DataFrame, year: int) -> pd.Series:
    """Return which Gesamtmaßnahmen are in their programme in ``year`` (see the module).

    Examples
    --------
    >>> reg = pd.DataFrame({"start_year": [2010, 2025, None, 2010, 2010],
    ...                     "expected_end": [2030, None, None, 2020, 2030],
    ...                     "funding_status": ["laufend", "laufend", None, "laufend",
    ...                                        "in Vorbereitung"]})
    >>> expected_in(reg, 2024).tolist()
    [True, False, True, False, False]
    """
    start = pd.to_numeric(register["start_year"], errors="coerce")
    end = pd.to_numeric(register["expected_end"], errors="coerce")
    status = register["funding_status"].fillna("").astype(str)
    ok = (start.isna() | (start <= year)) & (end.isna() | (end >= year))
    return (ok & (status != NOT_EXPECTED_STATUS)).astype(bool)


def _payload(text: Any, ident: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (TypeError, json.JSONDecodeError) as exc:
        raise PayloadError(
            render("overview.payload_unreadable", ident=ident, problem=exc)
        ) from None
    return data if isinstance(data, dict) else {}


def _current_reports(
    packages: pd.DataFrame, filed: pd.DataFrame, register: pd.DataFrame
) -> pd.DataFrame:
    """Return the current report per (ags, area, year), its payload still as text.

    Packages and the store's own filed reports together; where both exist for the same
    Gesamtmaßnahme and year, the later one counts. Nothing is parsed here.
    """
    from_packages = pd.DataFrame(
        {
            "key": SOURCE_PACKAGE + ":" + packages["id"].astype(str),
            "source": SOURCE_PACKAGE,
            "record_id": packages["id"].astype(str),
            "ags": packages["ags"].fillna("").astype(str),
            "area_id": packages["funding_area_id"].astype(str),
            "area_name": packages["funding_area_name"],
            "municipality": packages["municipality"],
            "programme_id": packages["programme_id"],
            "year": packages["year"].astype("int64"),
            "filed_at": packages["filed_at"],
            "payload": packages["payload"],
        }
    )
    areas = register.drop_duplicates("area_id").set_index("area_id")
    area = filed["funding_area_id"].astype(str)
    from_filed = pd.DataFrame(
        {
            "key": SOURCE_FILED + ":" + filed["id"].astype(str),
            "source": SOURCE_FILED,
            "record_id": filed["id"].astype(str),
            "ags": area.map(areas["ags"]).fillna("").astype(str),
            "area_id": area,
            "area_name": area.map(areas["name"]),
            "municipality": None,
            "programme_id": area.map(areas["programme_id"]),
            "year": filed["year"].astype("int64"),
            "filed_at": filed["filed_at"],
            "payload": filed["payload"],
        }
    )
    parts = [f.astype(object) for f in (from_packages, from_filed) if len(f)]
    if not parts:
        return from_packages.astype(object).astype({"year": "int64"})
    frame = pd.concat(parts, ignore_index=True).astype({"year": "int64"})
    frame = frame.sort_values(["filed_at", "record_id"], kind="stable")
    frame = frame.drop_duplicates(["ags", "area_id", "year"], keep="last")
    return frame.sort_values(["ags", "area_id", "year"]).reset_index(drop=True)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _report_dict(source: str, text: Any, ident: str) -> dict[str, Any]:
    """The report of a stored payload as a dict (a package holds it under ``bericht``)."""
    data = _payload(text, ident)
    if source == SOURCE_PACKAGE:
        inner = data.get("bericht")
        return inner if isinstance(inner, dict) else {}
    return data


PAYLOAD_CHUNK = 250
"""Gesamtmaßnahmen whose reports (both years) are read and parsed at a time."""


def _with_payloads(store: Store, chunk: pd.DataFrame) -> pd.DataFrame:
    """Return ``chunk`` with the payload text of each report read from its layer."""
    texts: dict[str, Any] = {}
    for source, layer in ((SOURCE_PACKAGE, "collected_reports"), (SOURCE_FILED, "filed_reports")):
        ids = chunk.loc[chunk["source"] == source, "record_id"].tolist()
        if ids:
            read = store.read(layer, where={"id": ids}, columns=["id", "payload"])
            texts.update({f"{source}:{i}": t for i, t in zip(read["id"], read["payload"])})
    return chunk.assign(payload=chunk["key"].map(texts))


def _analyse_in_chunks(
    store: Store, current: pd.DataFrame, *, year: int, threshold: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`_analyse` over chunks of :data:`PAYLOAD_CHUNK` Gesamtmaßnahmen (both years
    of one Gesamtmaßnahme always in the same chunk)."""
    areas = current[["ags", "area_id"]].drop_duplicates()
    if areas.empty:
        return _analyse(current, year=year, threshold=threshold)
    parts = []
    for start in range(0, len(areas), PAYLOAD_CHUNK):
        chosen = areas.iloc[start : start + PAYLOAD_CHUNK]
        chunk = current.merge(chosen, on=["ags", "area_id"], how="inner")
        parts.append(_analyse(_with_payloads(store, chunk), year=year, threshold=threshold))
    figures = pd.concat([f for f, _ in parts], ignore_index=True)
    found = [d for _, d in parts if len(d)]
    differences = pd.concat(found, ignore_index=True) if found else parts[0][1]
    return figures, differences


def _analyse(
    reports: pd.DataFrame, *, year: int, threshold: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the additive figures and the year-on-year differences of the year's reports.

    Each report of the year is parsed once, the year before's only when the same
    Gesamtmaßnahme reported in both years, and nothing parsed is kept: memory stays at
    one pair of reports however many there are.
    """
    figures: dict[str, list[Any]] = {k: [] for k in ("key", "field", "number", "label", "unit")}
    values: list[float] = []
    diffs: list[dict[str, Any]] = []
    before = reports[reports["year"] == year - 1].set_index(["ags", "area_id"])
    now_rows: Any = reports[reports["year"] == year].itertuples(index=False)
    for rec in now_rows:
        report = _report_dict(rec.source, rec.payload, rec.record_id)
        _add_figures(rec.key, report, figures, values)
        if (rec.ags, rec.area_id) not in before.index:
            continue
        prev: Any = before.loc[(rec.ags, rec.area_id)]
        previous = _report_dict(prev["source"], prev["payload"], prev["record_id"])
        if not previous.get("parts") or not report.get("parts"):
            continue
        fields = _numeric_fields(previous) | _numeric_fields(report)
        found = year_on_year(_slim(previous, fields), _slim(report, fields), threshold=threshold)
        for d in found:
            diffs.append(
                {
                    "key": rec.key,
                    "ags": rec.ags,
                    "area_id": rec.area_id,
                    "field": d.field,
                    "number": d.number,
                    "label": d.label,
                    "unit": d.unit,
                    "before": d.before,
                    "after": d.after,
                    "kind": d.kind,
                    "relative": d.relative,
                }
            )
    figure_frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in figures.items()})
    figure_frame["value"] = pd.Series(values, dtype="float64")
    columns = ["key", "ags", "area_id", "field", "number", "label", "unit", "before", "after"]
    columns += ["kind", "relative"]
    if not diffs:
        return figure_frame, pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return figure_frame, pd.DataFrame(diffs, columns=columns)


def _add_figures(
    key: str, report: Mapping[str, Any], out: dict[str, list[Any]], values: list[float]
) -> None:
    """Append the additive figures of parts B–D of one report to ``out`` and ``values``."""
    for part in report.get("parts", ()):
        if part.get("key") not in SUMMED_PARTS:
            continue
        for section in part.get("sections", ()):
            for row in section.get("rows", ()):
                value, unit, name = row.get("value"), row.get("unit", ""), row.get("field", "")
                if not _number(value) or unit not in ADDITIVE_UNITS:
                    continue
                if str(name).endswith(CITY_WIDE_FIELDS):
                    continue
                out["key"].append(key)
                out["field"].append(str(name))
                out["number"].append(str(row.get("number") or name))
                out["label"].append(str(row.get("label", "")))
                out["unit"].append(str(unit))
                values.append(float(value))


def _numeric_fields(report: Mapping[str, Any]) -> set[str]:
    """The fields of parts B–D that hold a number (all a comparison can list)."""
    return {
        str(r.get("field"))
        for p in report.get("parts", ())
        if p.get("key") in COMPARED_PARTS
        for sec in p.get("sections", ())
        for r in sec.get("rows", ())
        if _number(r.get("value"))
    }


def _slim(report: Mapping[str, Any], fields: set[str]) -> Report:
    """The rows of ``fields`` in the compared parts, as a :class:`Report`.

    :func:`~monitoring.federal.differences.year_on_year` lists only a field that holds a
    number in one of the two reports, so the other rows are left out before the report
    is built (its rows are most of the cost).
    """
    parts = [
        {
            **p,
            "sections": [
                {**sec, "rows": [r for r in sec.get("rows", ()) if r.get("field") in fields]}
                for sec in p.get("sections", ())
            ],
        }
        for p in report.get("parts", ())
        if p.get("key") in COMPARED_PARTS
    ]
    return Report.from_dict({**report, "parts": parts, "charts": [], "area_map": None})


def report_of(store: Store, user: User, key: str) -> Report:
    """Return the report behind an overview ``key`` (``Paket:<id>`` or ``eigener Bericht:<id>``).

    Raises
    ------
    NotFound
        For a key that names no stored report.
    """
    require(user, "read")
    source, _, ident = str(key).partition(":")
    layer = {SOURCE_PACKAGE: "collected_reports", SOURCE_FILED: "filed_reports"}.get(source)
    frame = (
        store.read(layer, where={"id": ident}, columns=["id", "payload"])
        if layer
        else pd.DataFrame()
    )
    if frame.empty:
        raise NotFound(render("overview.no_report", key=key))
    data = _payload(frame["payload"].iloc[0], ident)
    return Report.from_dict(data["bericht"] if source == SOURCE_PACKAGE else data)


def report_rows(report: Report, *, text: bool = False) -> pd.DataFrame:
    """Return a report's rows as a table (Teil, Feld, Bezeichnung, Wert, Einheit, Grund).

    With ``text`` the value is German text (:func:`monitoring.reports.layout.value_text`,
    a missing one its reason in brackets), for a page to show.
    """
    return pd.DataFrame(
        [
            {
                "Teil": p.key,
                "Feld": r.shown_number,
                "Bezeichnung": r.label,
                "Wert": value_text(r) if text else r.value,
                "Einheit": r.unit,
                "Grund": r.reason or "",
            }
            for p, _s, r in report.rows()
        ],
        columns=["Teil", "Feld", "Bezeichnung", "Wert", "Einheit", "Grund"],
    )


# --- the roll-up -----------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Which part of the overview to show (None: all)."""

    land: str | None = None
    kreis: str | None = None
    ags: str | None = None
    programme: str | None = None

    def keep(self, frame: pd.DataFrame) -> pd.Series:
        """Return which rows of ``frame`` (``ags``, ``programme_id``; ``land`` and ``kreis``
        where :func:`read_overview` added them) the filters keep."""
        ags = frame["ags"].fillna("").astype(str)
        mask = pd.Series(True, index=frame.index)
        if self.land:
            land = frame["land"] if "land" in frame.columns else ags.str[:2]
            mask &= land == self.land
        if self.kreis:
            kreis = frame["kreis"] if "kreis" in frame.columns else ags.str[:5]
            mask &= kreis == self.kreis
        if self.ags:
            mask &= ags == self.ags
        if self.programme:
            mask &= frame["programme_id"] == self.programme
        return mask

    def described(self) -> str:
        """The filters as German text ("" without any)."""
        parts = [
            f"Land {self.land}" if self.land else "",
            f"Kreis {self.kreis}" if self.kreis else "",
            f"Gemeinde {self.ags}" if self.ags else "",
            f"Programm {self.programme}" if self.programme else "",
        ]
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class Rollup:
    """The overview of one year as tables (German column names, ready to show or export)."""

    year: int
    deadline: dt.date
    today: dt.date
    threshold: float
    filters: Filters
    areas: pd.DataFrame
    """Every expected Gesamtmaßnahme with its status (and the report key when reported)."""
    completeness: pd.DataFrame
    """Per programme: erwartet, gemeldet, fehlt, verspätet."""
    late: pd.DataFrame
    unregistered: pd.DataFrame
    differences: pd.DataFrame
    sums: Mapping[str, pd.DataFrame]
    """Sums of the additive figures by ``programm``, ``kreis``, ``land`` and ``gesamt``."""

    @property
    def metrics(self) -> dict[str, int]:
        """erwartet, gemeldet, fehlt, verspätet, Abweichungen, nicht im Verzeichnis."""
        status = self.areas["Status"]
        return {
            "erwartet": len(self.areas),
            "gemeldet": int((status == STATUS_REPORTED).sum()),
            "fehlt": int((status == STATUS_MISSING).sum()),
            "verspätet": int((status == STATUS_LATE).sum()),
            "Abweichungen": len(self.differences),
            NOT_IN_REGISTER: len(self.unregistered),
        }


AREA_COLUMNS: tuple[str, ...] = (
    "Land",
    "Kreis",
    "AGS",
    "Gemeinde",
    "Gesamtmaßnahme",
    "Name",
    "Programm",
    "Status",
    "Quelle",
    "Schlüssel",
)
SUM_COLUMNS: tuple[str, ...] = ("Feld", "Schlüssel", "Bezeichnung", "Einheit", "Summe", "Meldungen")


def check_filters(filters: Filters) -> None:
    """Raise ReportOptionError for a malformed Land, Kreis or municipality key."""
    checks = (
        ("land", filters.land, 2, "--land 05"),
        ("kreis", filters.kreis, 5, "--kreis 05315"),
        ("ags", filters.ags, 8, "--ags 05315000"),
    )
    for name, value, length, example in checks:
        if value is not None and (len(value) != length or not value.isdigit()):
            raise ReportOptionError(
                render("overview.bad_key", name=name, value=value, length=length, example=example)
            )


def roll_up(
    data: OverviewData,
    *,
    filters: Filters | None = None,
    today: dt.date | None = None,
    deadline: dt.date | None = None,
) -> Rollup:
    """Return the overview of ``data`` for ``filters``: status, late list, differences, sums.

    ``deadline`` defaults to :func:`default_deadline` of the year, ``today`` to today.
    """
    chosen = filters or Filters()
    check_filters(chosen)
    day = today or dt.date.today()
    due = deadline or default_deadline(data.year)
    reg = data.register
    reg = reg[reg["expected"] & chosen.keep(reg)]
    now = data.reports[data.reports["year"] == data.year]
    now = now[chosen.keep(now)]
    merged = reg.merge(
        now[["ags", "area_id", "key", "source", "municipality"]],
        on=["ags", "area_id"],
        how="left",
    )
    status = pd.Series(STATUS_MISSING, index=merged.index, dtype=object)
    status[merged["key"].notna()] = STATUS_REPORTED
    if day > due:
        status[merged["key"].isna()] = STATUS_LATE
    areas = pd.DataFrame(
        {
            "Land": merged["land"],
            "Kreis": merged["kreis"],
            "AGS": merged["ags"],
            "Gemeinde": _named(merged["ags"], data.municipality_names),
            "Gesamtmaßnahme": merged["area_id"],
            "Name": merged["name"],
            "Programm": _programmes(data, merged["programme_id"]),
            "Status": status,
            "Quelle": merged["source"].fillna(""),
            "Schlüssel": merged["key"].fillna(""),
        },
        columns=list(AREA_COLUMNS),
    )
    areas = areas.sort_values(["AGS", "Gesamtmaßnahme"], kind="stable").reset_index(drop=True)
    completeness = _completeness(areas)
    late = areas[areas["Status"] == STATUS_LATE].reset_index(drop=True)

    registered = pd.MultiIndex.from_frame(data.register[["ags", "area_id"]])
    known = pd.MultiIndex.from_frame(now[["ags", "area_id"]]).isin(registered)
    outside = now[~known]
    unregistered = pd.DataFrame(
        {
            "AGS": outside["ags"],
            "Gemeinde": outside["municipality"].fillna(outside["ags"]),
            "Gesamtmaßnahme": outside["area_id"],
            "Name": outside["area_name"],
            "Programm": _programmes(data, outside["programme_id"]),
            "Status": NOT_IN_REGISTER,
            "Schlüssel": outside["key"],
        }
    ).reset_index(drop=True)

    diffs = data.differences[data.differences["key"].isin(set(now["key"]))]
    differences = pd.DataFrame(
        {
            "AGS": diffs["ags"],
            "Gesamtmaßnahme": diffs["area_id"],
            "Feld": diffs["number"],
            "Bezeichnung": diffs["label"],
            "Einheit": diffs["unit"],
            "Vorjahr": diffs["before"],
            "Berichtsjahr": diffs["after"],
            "Art": diffs["kind"],
            "Veränderung": diffs["relative"],
        }
    ).reset_index(drop=True)
    sums = _sums(data, now)
    return Rollup(
        year=data.year,
        deadline=due,
        today=day,
        threshold=data.threshold,
        filters=chosen,
        areas=areas,
        completeness=completeness,
        late=late,
        unregistered=unregistered,
        differences=differences,
        sums=sums,
    )


def _named(keys: pd.Series, names: Mapping[str, str]) -> pd.Series:
    """The name of each key (the key itself where there is none), vectorised."""
    plain = keys.astype(object)
    mapped = plain.map(dict(names)).astype(object)
    return mapped.where(mapped.notna(), plain)


def _programmes(data: OverviewData, programmes: pd.Series) -> pd.Series:
    """Programme names, ``ohne Programm`` for none."""
    text = programmes.where(programmes.notna() & (programmes != ""), None)
    return _named(text, data.programme_names).fillna("ohne Programm")


def _completeness(areas: pd.DataFrame) -> pd.DataFrame:
    counts = pd.crosstab(areas["Programm"], areas["Status"]).reindex(
        columns=list(STATUSES), fill_value=0
    )
    counts.insert(0, "erwartet", counts.sum(axis=1))
    out = counts.reset_index().rename_axis(columns=None)
    total = {"Programm": "insgesamt"} | {c: int(out[c].sum()) for c in out.columns[1:]}
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    return out.astype({c: "int64" for c in ["erwartet", *STATUSES]})


def _sums(data: OverviewData, now: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Sum the figures of the reports ``now`` per programme, Kreis, Land and in total.

    The group of each report is worked out once per report (not per figure), and the
    figures are grouped by it and the field (a categorical column): vectorised throughout.
    """
    figures = data.figures[data.figures["key"].isin(now["key"])]
    position = pd.Series(np.arange(len(now)), index=now["key"].to_numpy())
    row_of = position.reindex(figures["key"].to_numpy()).to_numpy()
    meta = data.figures.drop_duplicates("field").set_index("field")[["number", "label", "unit"]]
    groups: dict[str, tuple[str, pd.Series, Mapping[str, str] | None]] = {
        "programm": ("Programm", _programmes(data, now["programme_id"]), None),
        "kreis": ("Kreis", now["kreis"], data.kreis_names),
        "land": ("Land", now["land"], LAENDER_BY_CODE),
        "gesamt": ("Gebiet", pd.Series("insgesamt", index=now.index, dtype=object), None),
    }
    field = figures["field"].astype(str).to_numpy()
    out: dict[str, pd.DataFrame] = {}
    for level, (title, labels, names) in groups.items():
        group = labels.to_numpy(dtype=object)[row_of] if len(figures) else []
        summed = (
            pd.DataFrame({"_group": group, "field": field, "value": figures["value"].to_numpy()})
            .groupby(["_group", "field"], sort=False)["value"]
            .agg(["sum", "count"])
            .reset_index()
        )
        summed = summed.join(meta, on="field")
        summed = summed.sort_values(["_group", "number", "field"], kind="stable")
        frame = pd.DataFrame(
            {
                title: summed["_group"].astype(object),
                "Feld": summed["number"],
                "Schlüssel": summed["field"].astype(object),
                "Bezeichnung": summed["label"],
                "Einheit": summed["unit"],
                "Summe": summed["sum"].astype("float64"),
                "Meldungen": summed["count"].astype("int64"),
            }
        )
        if names is not None:
            frame.insert(1, "Name", _named(frame[title], names))
        out[level] = frame.reset_index(drop=True)
    return out


# --- drill-down --------------------------------------------------------------------------


def drill_down(rollup: Rollup, data: OverviewData) -> tuple[str, pd.DataFrame]:
    """Return the next level below the rollup's filters and its table of counts.

    No filter: the Länder; a Land: its Kreise; a Kreis: its municipalities; a
    municipality: its Gesamtmaßnahmen (with the report key of each reported one).
    """
    f = rollup.filters
    areas = rollup.areas
    if f.ags:
        cols = ["Gesamtmaßnahme", "Name", "Programm", "Status", "Quelle", "Schlüssel"]
        return "Gesamtmaßnahme", areas[cols].reset_index(drop=True)
    if f.kreis:
        level, column, names = "Gemeinde", "AGS", data.municipality_names
    elif f.land:
        level, column, names = "Kreis", "Kreis", data.kreis_names
    else:
        level, column, names = "Land", "Land", LAENDER_BY_CODE
    counts = pd.crosstab(areas[column], areas["Status"]).reindex(
        columns=list(STATUSES), fill_value=0
    )
    counts.insert(0, "erwartet", counts.sum(axis=1))
    out = counts.reset_index().rename_axis(columns=None).rename(columns={column: "Schlüssel"})
    out.insert(1, "Name", out["Schlüssel"].map(lambda k: names.get(k, k) or NO_AGS))
    return level, out


def with_filters(filters: Filters, **changes: str | None) -> Filters:
    """Return ``filters`` with some values changed (a drill-down step)."""
    return replace(filters, **changes)
