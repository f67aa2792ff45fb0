"""Measures (Einzelmaßnahmen): statuses, checks of dates and status, place in the area.

A measure belongs to one Gesamtmaßnahme, serves goals of its development concept,
has a status (:data:`STATUSES`), dates, a cost estimate and a geometry that should
lie inside the funding area (../shared/DOMAIN.md §3).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from monitoring.errors import Confirmation
from monitoring.findings import Finding
from monitoring.numbers import big_change, german_number

STATUSES: tuple[str, ...] = ("geplant", "bewilligt", "in Umsetzung", "abgeschlossen", "abgerechnet")
"""Statuses of a measure, in the order a measure passes through them."""

DONE_STATUSES: tuple[str, ...] = ("abgeschlossen", "abgerechnet")

STARTED_STATUSES: tuple[str, ...] = ("in Umsetzung", *DONE_STATUSES)
"""Statuses of a measure whose works have begun."""


def completed_and_running(ms: pd.DataFrame, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the measures completed in ``year`` and those running in it.

    Both have begun (status in :data:`STARTED_STATUSES`, start by the end of the year);
    completed ones are done with their end in the year, running ones are not done by
    its end. The federal report (part C) and the Sachbericht count with this.

    Examples
    --------
    >>> ms = pd.DataFrame({"id": ["A", "B", "C"], "status": ["abgeschlossen", "in Umsetzung",
    ...     "geplant"], "start_date": ["2022-01-01", "2023-05-01", "2024-01-01"],
    ...     "end_date": ["2024-06-30", None, None]})
    >>> done, running = completed_and_running(ms, 2024)
    >>> done["id"].tolist(), running["id"].tolist()
    (['A'], ['B'])
    """
    first, last = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31, 23, 59, 59)
    start = pd.to_datetime(ms["start_date"])
    end = pd.to_datetime(ms["end_date"])
    done = ms["status"].isin(DONE_STATUSES)
    begun = ms["status"].isin(STARTED_STATUSES) & (start <= last)
    completed = begun & done & (end >= first) & (end <= last)
    running = begun & ~completed & (~done | (end > last))
    return ms[completed], ms[running]


def as_date(value: Any) -> dt.date | None:
    """Return a stored or entered date as a date, None when it is missing.

    Examples
    --------
    >>> as_date("2024-03-01"), as_date(None), as_date(pd.NaT)
    (datetime.date(2024, 3, 1), None, None)
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def as_number(value: Any) -> float | None:
    """Return a stored or entered amount as a float, None when it is missing."""
    if value is None or pd.isna(value):
        return None
    return float(value)


def check_measure(record: Mapping[str, Any], *, today: dt.date) -> list[Finding]:
    """Check one measure's title, status, dates and costs.

    Rules (errors): a title; a status from :data:`STATUSES`; start not after end;
    costs not negative; "in Umsetzung" has begun (start on or before ``today``);
    "abgeschlossen"/"abgerechnet" have an end date on or before ``today``.
    Warnings: "geplant"/"bewilligt" whose end date has passed, and "geplant" whose
    start has passed.

    Parameters
    ----------
    record
        The measure's fields (as stored, or as about to be stored).
    today
        The date the status is judged at.

    Returns
    -------
    list of Finding

    Examples
    --------
    >>> rec = {"id": "M1", "title": "Spielplatz", "status": "abgeschlossen",
    ...        "start_date": "2024-05-01", "end_date": "2024-03-01"}
    >>> [f.message for f in check_measure(rec, today=dt.date(2025, 1, 1))]
    ['Maßnahme „M1“: der Beginn 01.05.2024 liegt nach dem Ende 01.03.2024; korrigieren Sie \
eines der beiden Daten']
    >>> rec = {"id": "M2", "title": "Kita", "status": "in Umsetzung",
    ...        "start_date": "2026-01-01"}
    >>> check_measure(rec, today=dt.date(2025, 1, 1))[0].code
    'status_dates'
    """
    rid = str(record.get("id"))
    out: list[Finding] = []

    def add(level: str, code: str, message: str) -> None:
        out.append(Finding(level, code, "measures", rid, f"Maßnahme „{rid}“: {message}"))  # type: ignore[arg-type]

    if not str(record.get("title") or "").strip():
        add("error", "title", "der Titel ist leer; geben Sie der Maßnahme einen Titel")
    if _true(record.get("archived")) and not str(record.get("archive_reason") or "").strip():
        add("error", "archive_reason", "sie ist ohne Grund archiviert; geben Sie den Grund an")
    status = record.get("status")
    if status is not None and status not in STATUSES:
        add("error", "status", f"der Status „{status}“ ist keiner von {', '.join(STATUSES)}")
    start, end = as_date(record.get("start_date")), as_date(record.get("end_date"))
    if start and end and start > end:
        add(
            "error",
            "dates",
            (
                f"der Beginn {_day(start)} liegt nach dem Ende {_day(end)}; korrigieren Sie "
                "eines der beiden Daten"
            ),
        )
    for column, label in (
        ("cost_estimate", "die Kostenschätzung von {} ist"),
        ("cost_actual", "die tatsächlichen Kosten von {} sind"),
    ):
        value = as_number(record.get(column))
        if value is not None and value < 0:
            add(
                "error",
                "cost",
                (
                    label.format(german_number(value, decimals=2, unit=" €"))
                    + " negativ; Kosten sind 0 € oder mehr"
                ),
            )
    if status == "in Umsetzung" and (start is None or start > today):
        add(
            "error",
            "status_dates",
            f"Status „in Umsetzung“, aber der Beginn ist {_day(start)} (heute ist "
            f"{_day(today)}); tragen Sie den tatsächlichen Beginn ein oder setzen Sie den "
            "Status „bewilligt“",
        )
    if status in DONE_STATUSES and (end is None or end > today):
        add(
            "error",
            "status_dates",
            f"Status „{status}“, aber das Ende ist {_day(end)} (heute ist {_day(today)}); "
            "tragen Sie das tatsächliche Ende ein oder setzen Sie den Status „in Umsetzung“",
        )
    if status in ("geplant", "bewilligt") and end is not None and end < today:
        add(
            "warning",
            "status_dates",
            f"Status „{status}“, aber das geplante Ende {_day(end)} ist vorbei; "
            "aktualisieren Sie den Status oder die Daten",
        )
    elif status == "geplant" and start is not None and start < today:
        add(
            "warning",
            "status_dates",
            f"Status „geplant“, aber der geplante Beginn {_day(start)} ist vorbei; "
            "aktualisieren Sie den Status oder den Beginn",
        )
    return out


def _day(value: dt.date | None) -> str:
    """Return a date as 02.05.2022, or „nicht gesetzt“."""
    return "nicht gesetzt" if value is None else f"{value:%d.%m.%Y}"


def _true(value: Any) -> bool:
    """Return whether a stored boolean is set (missing values are not)."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return False
    return bool(value)


AMOUNT_COLUMNS: tuple[str, ...] = ("cost_estimate", "cost_actual")
"""The amounts of a measure whose change by more than ×10 asks for confirmation."""


def big_changes(
    before: Mapping[str, Any] | None, values: Mapping[str, Any], columns: tuple[str, ...]
) -> list[Confirmation]:
    """Return the amounts among ``columns`` that ``values`` changes by more than ×10.

    Such a change is more often a slip (a lost or extra comma) than a real one, so
    the services ask for confirmation (:func:`monitoring.numbers.big_change`).

    Examples
    --------
    >>> big_changes({"cost_estimate": 12_345.0}, {"cost_estimate": 1_234_500.0},
    ...             AMOUNT_COLUMNS)
    [Confirmation(field='cost_estimate', old=12345.0, new=1234500.0, rule='big_change')]
    >>> big_changes({"cost_estimate": 100.0}, {"cost_estimate": 150.0}, AMOUNT_COLUMNS)
    []
    >>> big_changes({"cost_actual": 0.0}, {"cost_actual": 5e6}, AMOUNT_COLUMNS)
    []
    """
    if before is None:
        return []
    out = []
    for column in columns:
        if column not in values:
            continue
        old, new = as_number(before.get(column)), as_number(values.get(column))
        if old and big_change(old, new):  # a first amount (after 0 or none) is no slip
            out.append(Confirmation(column, old, new, "big_change"))
    return out


def next_id(existing: Any, *, prefix: str = "M-", width: int = 4) -> str:
    """Propose the next free id after the highest ``prefix<number>`` among ``existing``.

    The number keeps the width of the existing ids (``width`` when there are none).

    Examples
    --------
    >>> next_id(["M-0001", "M-0099", "X-7"])
    'M-0100'
    >>> next_id(["M-022", "M-023"])
    'M-024'
    >>> next_id([], prefix="FL-", width=6)
    'FL-000001'
    """
    taken = {str(i) for i in existing}
    found = [m.group(1) for i in taken if (m := re.fullmatch(re.escape(prefix) + r"(\d+)", i))]
    width = max(len(d) for d in found) if found else width
    n = max((int(d) for d in found), default=0) + 1
    while f"{prefix}{n:0{width}d}" in taken:  # pragma: no cover - max + 1 is free
        n += 1
    return f"{prefix}{n:0{width}d}"


def outside_distance(geometry: BaseGeometry, area: BaseGeometry) -> float:
    """Return how far (m) ``geometry`` reaches outside ``area``: 0 when it lies within.

    For a geometry wholly outside this is the distance to the area; for one partly
    outside, the largest distance of a vertex of the outside part.

    Examples
    --------
    >>> area = shapely.box(0, 0, 100, 100)
    >>> outside_distance(shapely.Point(50, 50), area)
    0.0
    >>> outside_distance(shapely.Point(130, 50), area)
    30.0
    >>> outside_distance(shapely.LineString([(50, 50), (50, 140)]), area)
    40.0
    """
    if geometry is None or geometry.is_empty or area.covers(geometry):
        return 0.0
    if not geometry.intersects(area):
        return float(geometry.distance(area))
    outside = geometry.difference(area)
    coords = shapely.get_coordinates(outside)
    if not len(coords):
        return 0.0
    return float(np.max(shapely.distance(shapely.points(coords), area)))


def placement_findings(
    measures: gpd.GeoDataFrame, funding_areas: gpd.GeoDataFrame, *, tolerance: float = 0.5
) -> list[Finding]:
    """Warn for every measure that lies (partly) outside its funding area, naming metres.

    Parameters
    ----------
    measures
        With ``id``, ``funding_area_id`` and geometry.
    funding_areas
        With ``id`` and geometry, in the same projected CRS.
    tolerance
        Distances up to this many metres are taken as inside (digitising noise).

    Returns
    -------
    list of Finding
        Warnings with code ``outside_area``; an error ``funding_area`` for a measure
        whose funding area is unknown.

    Examples
    --------
    >>> fa = gpd.GeoDataFrame({"id": ["FA"]}, geometry=[shapely.box(0, 0, 100, 100)])
    >>> ms = gpd.GeoDataFrame({"id": ["M1", "M2"], "funding_area_id": ["FA", "FA"]},
    ...                       geometry=[shapely.Point(10, 10), shapely.Point(100, 250)])
    >>> [f.message for f in placement_findings(ms, fa)]
    ['Maßnahme „M2“ liegt außerhalb ihrer Gesamtmaßnahme „FA“, 150 m von ihr entfernt; prüfen \
Sie die Geometrie der Maßnahme oder die zugeordnete Gesamtmaßnahme']
    """
    areas = dict(zip(funding_areas["id"], funding_areas.geometry))
    out: list[Finding] = []
    for mid, fa, geom in zip(measures["id"], measures["funding_area_id"], measures.geometry):
        if fa not in areas:
            out.append(
                Finding(
                    "error",
                    "funding_area",
                    "measures",
                    str(mid),
                    f"Maßnahme „{mid}“ gehört zur unbekannten Gesamtmaßnahme „{fa}“; "
                    f"bekannt sind: {', '.join(map(str, areas)) or 'keine'}; wählen Sie eine "
                    "davon",
                )
            )
            continue
        if geom is None or geom.is_empty:
            continue
        distance = outside_distance(geom, areas[fa])
        if distance <= tolerance:
            continue
        where = "außerhalb" if not geom.intersects(areas[fa]) else "teilweise außerhalb"
        reach = "von ihr entfernt" if where == "außerhalb" else "über ihren Rand hinaus"
        out.append(
            Finding(
                "warning",
                "outside_area",
                "measures",
                str(mid),
                f"Maßnahme „{mid}“ liegt {where} ihrer Gesamtmaßnahme „{fa}“, "
                f"{german_number(distance)} m {reach}; prüfen Sie die Geometrie der Maßnahme "
                "oder die zugeordnete Gesamtmaßnahme",
            )
        )
    return out


def timeline(measures: pd.DataFrame, *, today: dt.date) -> pd.DataFrame:
    """Return the measures as a timeline: one bar per measure, ordered by start.

    Returns
    -------
    pandas.DataFrame
        ``id, title, status, start, end, open_end`` with the input's index; a missing
        end is drawn to ``today`` (``open_end`` True); measures without a start are
        left out.

    Examples
    --------
    >>> m = pd.DataFrame({"id": ["a", "b"], "title": ["A", "B"], "status": ["geplant"] * 2,
    ...                   "start_date": pd.to_datetime(["2024-02-01", "2023-01-01"]),
    ...                   "end_date": pd.to_datetime(["2024-12-31", None])})
    >>> timeline(m, today=dt.date(2025, 1, 1))[["id", "open_end"]].values.tolist()
    [['b', True], ['a', False]]
    """
    frame = measures[measures["start_date"].notna()]
    end = pd.to_datetime(frame["end_date"])
    out = pd.DataFrame(
        {
            "id": frame["id"],
            "title": frame["title"],
            "status": frame["status"],
            "start": pd.to_datetime(frame["start_date"]),
            "end": end.fillna(pd.Timestamp(today)),
            "open_end": end.isna(),
        },
        index=frame.index,
    )
    return out.sort_values(["start", "id"], kind="stable")


def hide_archived(measures: pd.DataFrame, *, show_archived: bool = False) -> pd.DataFrame:
    """Return the measures without the archived ones (all of them with ``show_archived``).

    Examples
    --------
    >>> m = pd.DataFrame({"id": ["a", "b", "c"],
    ...                   "archived": pd.array([True, pd.NA, False], dtype="boolean")})
    >>> hide_archived(m)["id"].tolist(), len(hide_archived(m, show_archived=True))
    (['b', 'c'], 3)
    """
    if show_archived or "archived" not in measures.columns:
        return measures
    archived = measures["archived"].map(_true).astype(bool)
    return measures[~archived]
