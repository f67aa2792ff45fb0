"""Report packages: a filed report, sealed, to send from a municipality to its Land.

A package is one JSON object. Its top-level keys are German and stable (other code,
e.g. a Land's overview, reads them):

``art``            always ``qmon-berichtspaket``
``formatversion``  :data:`PACKAGE_FORMAT`
``ags``            the municipality key (8 digits): the funding area's, else the report's
``gemeinde``       the municipality's name (the report's sender block)
``gesamtmassnahme`` the funding area's id in the municipality's store; ``name`` its name
``programm``       the programme id of the funding area (else the report's programme name)
``berichtsjahr``   the reporting year; ``fassung`` the N of the filed id ``AREA/YEAR/N``
``eingereicht_am`` when it was filed (ISO 8601)
``fingerabdruck``  the input fingerprint of the filed report
``katalog``, ``katalogversion``  the report catalogue it was made with
``bericht``        the filed report itself (:meth:`Report.to_dict`)
``pruefsummen``    ``{field code: sha256 of the canonical JSON of that report row}``
``kopfpruefsummen`` ``{key: sha256 of the canonical JSON of its value}`` for every key above
                   but ``bericht`` (so that a changed ``ags`` or ``berichtsjahr`` is named)
``siegel``         sha256 of the canonical JSON of everything but ``siegel``

Canonical JSON: ``sort_keys``, ``ensure_ascii=False``, ``separators=(",", ":")``, UTF-8.

What the seal detects: any change of the package after it was made, by an editor or a
broken transfer: a changed figure is named by its row checksum (field number, label,
the value in the package), a changed top-level key by its checksum, anything else
(an added key, a changed checksum) by the seal. What it does not detect: someone who
changes a figure and recomputes all checksums and the seal. That takes a signature
with a key the sender holds (and a Land that knows it); it is left out for now.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo import german
from monitoring.auth import User, require
from monitoring.errors import NotFound
from monitoring.federal.errors import PackageError
from monitoring.messages import render
from monitoring.reports import filing
from monitoring.reports.errors import PayloadError
from monitoring.reports.report import Report

if TYPE_CHECKING:
    from geo.store.base import Store

KIND = "qmon-berichtspaket"
PACKAGE_FORMAT = 1
"""The version of the package format this program writes and reads (and older ones)."""

HEADER_KEYS: tuple[str, ...] = (
    "art",
    "formatversion",
    "ags",
    "gemeinde",
    "gesamtmassnahme",
    "name",
    "programm",
    "berichtsjahr",
    "fassung",
    "eingereicht_am",
    "fingerabdruck",
    "katalog",
    "katalogversion",
)
"""The top-level keys that describe the package (each has a checksum of its own)."""

REQUIRED_KEYS: tuple[str, ...] = (
    *HEADER_KEYS,
    "bericht",
    "pruefsummen",
    "kopfpruefsummen",
    "siegel",
)

AGS_PATTERN = re.compile(r"\d{8}")


# --- canonical JSON and checksums ---------------------------------------------------------


def canonical(data: Any) -> bytes:
    """Return the canonical JSON of ``data`` as UTF-8 bytes (what checksums are taken of).

    Examples
    --------
    >>> canonical({"b": 1, "a": "ä"}).decode()
    '{"a":"ä","b":1}'
    """
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sha256(data: Any) -> str:
    """Return the SHA-256 (hex) of the canonical JSON of ``data``."""
    return hashlib.sha256(canonical(data)).hexdigest()


def _rows(report: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for part in report.get("parts") or ():
        for section in part.get("sections") or ():
            yield from section.get("rows") or ()


def row_checksums(report: Mapping[str, Any]) -> dict[str, str]:
    """Return ``{field code: sha256 of its row}`` of a report in its JSON form.

    Examples
    --------
    >>> rep = {"parts": [{"sections": [{"rows": [{"field": "B.1", "value": 3}]}]}]}
    >>> len(row_checksums(rep)["B.1"])
    64
    """
    return {str(row["field"]): sha256(row) for row in _rows(report)}


def header_checksums(package: Mapping[str, Any]) -> dict[str, str]:
    """Return ``{key: sha256 of its value}`` for the header keys present in ``package``."""
    return {key: sha256(package[key]) for key in HEADER_KEYS if key in package}


def seal_of(package: Mapping[str, Any]) -> str:
    """Return the seal of a package: the sha256 of everything but ``siegel``."""
    return sha256({k: v for k, v in package.items() if k != "siegel"})


# --- making a package ------------------------------------------------------------------


def valid_ags(value: Any) -> bool:
    """True for an 8-digit municipality key (AGS).

    Examples
    --------
    >>> valid_ags("05999000"), valid_ags("5999000"), valid_ags(None)
    (True, False, False)
    """
    return isinstance(value, str) and AGS_PATTERN.fullmatch(value) is not None


def _area(store: Store, area_id: str) -> dict[str, Any]:
    frame = store.read(
        "funding_areas", where={"id": area_id}, columns=["id", "name", "ags", "programme_id"]
    )
    if frame.empty:
        return {}
    return {str(k): (None if pd.isna(v) else v) for k, v in frame.iloc[0].to_dict().items()}


def _revision(report_id: str) -> int:
    return int(report_id.rsplit("/", 1)[1])


def make_package(
    store: Store, user: User, area_id: str, year: int, *, revision: int | None = None
) -> dict[str, Any]:
    """Return the package of a filed report (the latest version unless ``revision`` is given).

    Raises
    ------
    NotFound
        When no report of the area and year is filed, or not that revision.
    PackageError
        When neither the funding area nor the report gives a valid 8-digit AGS.
    """
    require(user, "read")
    listed = filing.filed_reports(store, user, area_id=area_id, year=year)
    if listed.empty:
        raise NotFound(render("package.not_filed", area=area_id, year=year))
    if revision is None:
        report_id = str(max(listed["id"], key=_revision))
    else:
        report_id = f"{area_id}/{year}/{revision}"
        if report_id not in set(listed["id"]):
            known = ", ".join(str(n) for n in sorted(_revision(i) for i in listed["id"]))
            raise NotFound(
                render(
                    "package.revision_unknown",
                    area=area_id,
                    year=year,
                    revision=revision,
                    known=known,
                )
            )
    filed = filing.load_filed(store, user, report_id)
    report = filed.report
    area = _area(store, area_id)
    ags = area.get("ags") if valid_ags(area.get("ags")) else report.ags
    if not valid_ags(ags):
        raise PackageError(
            render("package.no_ags", area=area_id, value=area.get("ags") or report.ags or "keiner"),
            field="ags",
        )
    package: dict[str, Any] = {
        "art": KIND,
        "formatversion": PACKAGE_FORMAT,
        "ags": ags,
        "gemeinde": str(report.sender.get("municipality", "")),
        "gesamtmassnahme": area_id,
        "name": str(area.get("name") or report.area_name),
        "programm": area.get("programme_id") or report.programme,
        "berichtsjahr": int(year),
        "fassung": _revision(report_id),
        "eingereicht_am": pd.Timestamp(filed.filed_at).isoformat(),
        "fingerabdruck": filed.fingerprint,
        "katalog": report.catalogue,
        "katalogversion": report.catalogue_version,
    }
    # the JSON round trip makes the report exactly what a reader will parse (tuples as lists)
    package["bericht"] = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    package["pruefsummen"] = row_checksums(package["bericht"])
    package["kopfpruefsummen"] = header_checksums(package)
    package["siegel"] = seal_of(package)
    return package


def package_bytes(package: Mapping[str, Any]) -> bytes:
    """Return the file content of a package (readable JSON; the seal does not depend on layout)."""
    return (json.dumps(package, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode()


def package_file_name(package: Mapping[str, Any]) -> str:
    """Return a file name for a package: ``AGS_AREA_YEAR_N.json`` (safe characters only).

    Examples
    --------
    >>> package_file_name({"ags": "05999000", "gesamtmassnahme": "SSZ-01", "berichtsjahr": 2024,
    ...                    "fassung": 2})
    'berichtspaket_05999000_SSZ-01_2024_2.json'
    """
    parts = [
        package["ags"],
        package["gesamtmassnahme"],
        package["berichtsjahr"],
        package["fassung"],
    ]
    safe = [re.sub(r"[^A-Za-z0-9.-]+", "-", str(p)) for p in parts]
    return "berichtspaket_" + "_".join(safe) + ".json"


# --- reading a package -------------------------------------------------------------------


def _shown(value: Any, row: Mapping[str, Any] | None = None) -> str:
    if row is None and isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # a year or a revision: no thousands point
    if isinstance(value, int | float) and not isinstance(value, bool):
        unit = str(row.get("unit") or "") if row else ""
        decimals = int(row.get("decimals") or 0) if row else 0
        return german.number(value, decimals=decimals, unit=unit)
    if value is None:
        return "leer"
    return f"„{value}“"


def read_package(data: bytes | str, *, file_name: str) -> dict[str, Any]:
    """Return the package in ``data`` after checking it (checksums, seal, report, AGS).

    Raises
    ------
    PackageError
        Naming the file and what is wrong: not JSON, not a package, a newer format
        version, missing keys, a report field whose value no longer matches its checksum
        (number, label and the value in the package), a top-level key that changed, a
        broken seal, a report that cannot be read, or no valid AGS.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        package = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(
            render("package.not_json", file=file_name, problem=str(exc)), file_name=file_name
        ) from None
    if not isinstance(package, dict) or package.get("art") != KIND:
        raise PackageError(
            render("package.not_a_package", file=file_name, kind=KIND), file_name=file_name
        )
    version = package.get("formatversion")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise PackageError(
            render("package.bad_format", file=file_name, value=_shown(version)),
            file_name=file_name,
            field="formatversion",
        )
    if version > PACKAGE_FORMAT:
        raise PackageError(
            render(
                "package.newer_format", file=file_name, version=version, supported=PACKAGE_FORMAT
            ),
            file_name=file_name,
            field="formatversion",
        )
    missing = [k for k in REQUIRED_KEYS if k not in package]
    if missing:
        raise PackageError(
            render("package.missing_keys", file=file_name, keys=", ".join(missing)),
            file_name=file_name,
        )
    _check_rows(package, file_name)
    _check_header(package, file_name)
    if package["siegel"] != seal_of(package):
        raise PackageError(
            render("package.seal_broken", file=file_name), file_name=file_name, field="siegel"
        )
    try:
        report = Report.from_dict(package["bericht"])
    except PayloadError as exc:
        raise PackageError(
            render("package.report_unreadable", file=file_name, problem=str(exc)),
            file_name=file_name,
        ) from None
    _check_consistent(package, report, file_name)
    return package


def report_of(package: Mapping[str, Any]) -> Report:
    """Return the report of a checked package (:func:`read_package`)."""
    return Report.from_dict(package["bericht"])


def _check_rows(package: Mapping[str, Any], file_name: str) -> None:
    sums = package["pruefsummen"]
    bericht = package["bericht"]
    if not isinstance(sums, dict) or not isinstance(bericht, dict):
        raise PackageError(
            render("package.seal_broken", file=file_name), file_name=file_name, field="pruefsummen"
        )
    try:
        rows = {str(r["field"]): r for r in _rows(bericht)}
    except (KeyError, TypeError, AttributeError) as exc:
        raise PackageError(
            render(
                "package.report_unreadable", file=file_name, problem=f"{type(exc).__name__}: {exc}"
            ),
            file_name=file_name,
        ) from None
    for code, row in rows.items():
        expected = sums.get(code)
        label = str(row.get("label", ""))
        number = str(row.get("number") or code)
        if expected is None:
            raise PackageError(
                render("package.field_added", file=file_name, number=number, label=label),
                file_name=file_name,
                field=code,
            )
        if sha256(row) != expected:
            value = row.get("value")
            raise PackageError(
                render(
                    "package.field_changed",
                    file=file_name,
                    number=number,
                    label=label,
                    value=_shown(value, row)
                    if value is not None
                    else f"leer ({row.get('reason')})",
                ),
                file_name=file_name,
                field=code,
            )
    gone = [code for code in sums if code not in rows]
    if gone:
        raise PackageError(
            render("package.field_removed", file=file_name, fields=", ".join(gone)),
            file_name=file_name,
            field=gone[0],
        )


def _check_header(package: Mapping[str, Any], file_name: str) -> None:
    sums = package["kopfpruefsummen"]
    if not isinstance(sums, dict):
        raise PackageError(
            render("package.seal_broken", file=file_name),
            file_name=file_name,
            field="kopfpruefsummen",
        )
    for key in HEADER_KEYS:
        if sums.get(key) != sha256(package[key]):
            raise PackageError(
                render("package.key_changed", file=file_name, key=key, value=_shown(package[key])),
                file_name=file_name,
                field=key,
            )


def _check_consistent(package: Mapping[str, Any], report: Report, file_name: str) -> None:
    if not valid_ags(package["ags"]):
        raise PackageError(
            render("package.bad_ags", file=file_name, value=_shown(package["ags"])),
            file_name=file_name,
            field="ags",
        )
    pairs = (
        ("berichtsjahr", package["berichtsjahr"], report.year),
        ("fingerabdruck", package["fingerabdruck"], report.fingerprint),
        ("katalog", package["katalog"], report.catalogue),
        ("katalogversion", package["katalogversion"], report.catalogue_version),
    )
    for key, given, in_report in pairs:
        if given != in_report:
            raise PackageError(
                render(
                    "package.report_mismatch",
                    file=file_name,
                    key=key,
                    value=_shown(given),
                    report_value=_shown(in_report),
                ),
                file_name=file_name,
                field=key,
            )
    if not isinstance(package["fassung"], int) or package["fassung"] < 1:
        raise PackageError(
            render("package.bad_revision", file=file_name, value=_shown(package["fassung"])),
            file_name=file_name,
            field="fassung",
        )
