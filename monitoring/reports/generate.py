"""Make reports: the entry point of ``qmon report`` and of the app's Berichte page.

:func:`build_report` reads the stored rows and assembles the report;
:func:`render` turns it into the bytes of a format; :func:`download` does both for one
Gesamtmaßnahme and :func:`batch` for all of a store, calling a progress callback.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from geo.german import ordinal_list
from indicators.registry import Registry
from monitoring import messages
from monitoring.auth import User, require
from monitoring.catalogue import registry_for
from monitoring.reports import csv as csv_format
from monitoring.reports.assemble import assemble, check_year
from monitoring.reports.batch import BatchResult, Job
from monitoring.reports.batch import run as run_batch
from monitoring.reports.catalogue import Catalogue, load_catalogue
from monitoring.reports.errors import ReportOptionError
from monitoring.reports.inputs import read_inputs
from monitoring.reports.report import Report

if TYPE_CHECKING:
    from geo.store.base import Store

Format = Literal["xlsx", "pdf", "csv", "json"]
FORMATS: tuple[str, ...] = ("xlsx", "pdf", "csv", "json")
FORMAT_LABELS = {
    "xlsx": "Excel-Arbeitsmappe",
    "pdf": "PDF (A4)",
    "csv": "CSV je Teil (ZIP)",
    "json": "JSON",
}
MIME_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "application/zip",
    "json": "application/json",
}
Progress = Callable[[str, int, int], None]
"""Called as ``progress(area_id, done, total)`` after each report of a batch."""


def check_format(fmt: str) -> str:
    """Return ``fmt`` if it is a report format, else raise ReportOptionError.

    Examples
    --------
    >>> check_format("pdf")
    'pdf'
    >>> check_format("docx")
    Traceback (most recent call last):
    ...
    monitoring.reports.errors.ReportOptionError: Das Berichtsformat „docx“ ist keins von \
xlsx, pdf, csv oder json; wählen Sie eins mit --format
    """
    if fmt not in FORMATS:
        raise ReportOptionError(
            messages.render(
                "report.format",
                format=fmt,
                formats=ordinal_list(list(FORMATS), conjunction="oder"),
            )
        )
    return fmt


def default_year(today: dt.date | None = None) -> int:
    """The usual reporting year: the previous budget year.

    Examples
    --------
    >>> default_year(dt.date(2025, 6, 30))
    2024
    """
    return (today or dt.date.today()).year - 1


def now_text(now: dt.datetime | None = None) -> str:
    """The generation time as shown in a report (local time, minutes)."""
    return (now or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")


def build_report(
    store: Store,
    user: User,
    area_id: str,
    *,
    year: int,
    catalogue: Catalogue | None = None,
    registry: Registry | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Read the stored rows of a Gesamtmaßnahme and assemble its report for ``year``.

    Raises
    ------
    PermissionDenied, NotFound
        Without the right to read, or for an unknown funding area.
    ReportOptionError
        For a year outside 1971–2100.
    """
    year = check_year(year)
    cat = catalogue or load_catalogue()
    reg = registry or registry_for(store)
    inputs = read_inputs(store, user, area_id, catalogue=cat, registry=reg)
    return assemble(inputs, year=year, catalogue=cat, registry=reg, generated_at=now_text(now))


def render(report: Report, fmt: str) -> bytes:
    """Return the report in a format: xlsx, pdf, csv (a ZIP of one CSV per part) or json.

    Raises
    ------
    ReportOptionError
        For an unknown format.
    """
    fmt = check_format(fmt)
    if fmt == "xlsx":
        from monitoring.reports.xlsx import workbook_bytes

        return workbook_bytes(report)
    if fmt == "pdf":
        from monitoring.reports.pdf import pdf_bytes

        return pdf_bytes(report)
    if fmt == "csv":
        return zip_bytes(csv_format.csv_files(report))
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=1).encode("utf-8")


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """Pack ``{name: bytes}`` into a ZIP archive (deflated)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def file_name(report: Report, fmt: str) -> str:
    """The download name of a report file.

    Examples
    --------
    >>> rep = Report("SSZ-01", "x", None, None, 2024, "", "", "", "", {}, ())
    >>> file_name(rep, "pdf"), file_name(rep, "csv")
    ('Monitoringbericht_SSZ-01_2024.pdf', 'Monitoringbericht_SSZ-01_2024_csv.zip')
    """
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in report.area_id)
    stem = f"Monitoringbericht_{safe}_{report.year}"
    return f"{stem}_csv.zip" if fmt == "csv" else f"{stem}.{fmt}"


@dataclass(frozen=True)
class Download:
    """A generated report file: its name, MIME type and bytes, and the report itself."""

    name: str
    mime: str
    data: bytes
    report: Report


def download(
    store: Store,
    user: User,
    area_id: str,
    *,
    year: int,
    fmt: str,
    catalogue: Catalogue | None = None,
    registry: Registry | None = None,
) -> Download:
    """Generate one report file (what the app's download button serves).

    Raises
    ------
    ReportOptionError, PermissionDenied, NotFound
    """
    fmt = check_format(fmt)
    report = build_report(store, user, area_id, year=year, catalogue=catalogue, registry=registry)
    return Download(file_name(report, fmt), MIME_TYPES[fmt], render(report, fmt), report)


def batch(
    store: Store,
    user: User,
    *,
    year: int,
    fmt: str,
    catalogue: Catalogue | None = None,
    registry: Registry | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    url: str | None = None,
    sink: Callable[[Download], None] | None = None,
    now: dt.datetime | None = None,
) -> BatchResult:
    """Generate the report of every funding area in the store.

    The inputs are read once per batch (per worker process) and sliced per area
    (:mod:`monitoring.reports.batch`); ``workers`` processes share the work (None:
    every CPU from 50 areas on, else one), each opening the store from ``url``.
    ``progress(area_id, done, total)`` is called as reports complete, ``sink`` with
    each report (the result then keeps none). An error in one area is a
    :class:`~monitoring.reports.batch.Failure` in the result; the others are made.

    Returns
    -------
    BatchResult
        The reports in id order, the failures, the number of areas and processes.

    Raises
    ------
    ReportOptionError, PermissionDenied
    """
    fmt = check_format(fmt)
    year = check_year(year)
    require(user, "read")
    job = Job(
        user=user,
        year=year,
        fmt=fmt,
        catalogue=catalogue or load_catalogue(),
        registry=registry,
        generated_at=now_text(now),
    )
    return run_batch(store, job, workers=workers, url=url, progress=progress, sink=sink)


def batch_zip(downloads: Sequence[Download]) -> bytes:
    """Pack a batch into one ZIP (for a single download in the app)."""
    return zip_bytes({d.name: d.data for d in downloads})
