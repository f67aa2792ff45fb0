"""Gesamtmaßnahmen (funding areas): statuses, legal designation, boundary, and the checks.

A Gesamtmaßnahme is one funding area in one programme (../shared/DOMAIN.md §1): a
polygon with municipality key, programme, start year, expected end, funding status
and the highest share of Städtebauförderung money its local fund may hold. Its legal
designation (Gebietsfestlegung, BauGB) is optional: a Sanierungsgebiet (§ 142) is
run in the comprehensive or the simplified procedure, and every designation rests on
a by-law (Satzung) of a given date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any, Literal

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from monitoring.errors import MonitoringError
from monitoring.findings import Finding

FUNDING_STATUSES: tuple[str, ...] = ("in Vorbereitung", "laufend", "ausfinanziert", "abgeschlossen")
"""Funding statuses of a Gesamtmaßnahme."""

DEFAULT_FUND_PUBLIC_SHARE_MAX = 0.5
"""At most half of a Verfügungsfonds from Städtebauförderung unless the area allows more."""


DESIGNATIONS: tuple[str, ...] = (
    "Sanierungsgebiet (§ 142 BauGB)",
    "Stadtumbaugebiet (§ 171b BauGB)",
    "Soziale-Stadt-Gebiet (§ 171e BauGB)",
    "Erhaltungsgebiet (§ 172 BauGB)",
)
"""The legal designations the app offers (imports may bring other wordings)."""

PROCEDURES: tuple[str, ...] = ("umfassendes Verfahren", "vereinfachtes Verfahren")
"""Procedure types of a Sanierungsgebiet (§ 142 Abs. 4 BauGB)."""

_PARAGRAPH = re.compile(r"§\s*(142|171\s*b|171\s*e|172)\b", re.IGNORECASE)


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str | BaseGeometry) and pd.isna(value))


def designation_paragraph(designation: Any) -> str | None:
    """Return the BauGB paragraph a designation names (``142``, ``171b``, ``171e``, ``172``).

    Examples
    --------
    >>> designation_paragraph("Sanierungsgebiet (§ 142 BauGB)")
    '142'
    >>> designation_paragraph("Soziale-Stadt-Gebiet (§171e BauGB)")
    '171e'
    >>> designation_paragraph("Sanierungsgebiet") is None, designation_paragraph(None) is None
    (True, True)
    """
    if _missing(designation):
        return None
    found = _PARAGRAPH.search(str(designation))
    return None if found is None else re.sub(r"\s", "", found.group(1)).lower()


def _as_date(value: Any) -> dt.date | None:
    if _missing(value) or value == "":
        return None
    return pd.Timestamp(value).date()


def check_funding_area(
    record: Mapping[str, Any], *, programmes: Collection[str], today: dt.date | None = None
) -> list[Finding]:
    """Check a Gesamtmaßnahme: name, programme, years, status, fund share, designation, polygon.

    Parameters
    ----------
    record
        The funding area's fields; ``geometry`` a shapely geometry (or None).
    programmes
        The ids of the programmes in the store.
    today
        The by-law date may not lie after it (default: today).

    Returns
    -------
    list[Finding]
        Errors and warnings, worded in German.

    Examples
    --------
    >>> rec = {"id": "FA", "name": "Nordstadt", "programme_id": "soziale_stadt",
    ...        "start_year": 2010, "expected_end": 2005, "fund_public_share_max": 1.5,
    ...        "legal_designation": "Erhaltungsgebiet (§ 172 BauGB)",
    ...        "legal_procedure": "vereinfachtes Verfahren", "bylaw_date": "2031-01-01"}
    >>> found = check_funding_area(rec, programmes={"soziale_stadt"}, today=dt.date(2025, 1, 1))
    >>> [f.code for f in found]
    ['years', 'fund_share', 'procedure', 'bylaw_date']
    """
    rid = str(record.get("id"))
    out: list[Finding] = []
    day = today or dt.date.today()

    def add(code: str, message: str, level: Literal["error", "warning"] = "error") -> None:
        out.append(Finding(level, code, "funding_areas", rid, f"Gesamtmaßnahme „{rid}“: {message}"))

    if not str(record.get("name") or "").strip():
        add("name", "der Name fehlt; geben Sie der Gesamtmaßnahme einen Namen")
    programme = record.get("programme_id")
    if not _missing(programme) and programme not in programmes:
        add(
            "programme",
            f"das Programm „{programme}“ gibt es nicht; bekannt sind: "
            f"{', '.join(sorted(programmes)) or 'keine'} (neue Programme legt die "
            "Administration auf der Seite Gesamtmaßnahmen oder mit qmon programmes add an)",
        )
    start: Any = record.get("start_year")
    end: Any = record.get("expected_end")
    if not _missing(start) and not _missing(end) and int(start) > int(end):
        add(
            "years",
            f"das Aufnahmejahr {int(start)} liegt nach dem voraussichtlichen Ende {int(end)}; "
            "korrigieren Sie eines der Jahre",
        )
    status = record.get("funding_status")
    if not _missing(status) and status not in FUNDING_STATUSES:
        add(
            "status",
            f"den Förderstatus „{status}“ gibt es nicht; erlaubt: {', '.join(FUNDING_STATUSES)}",
        )
    share: Any = record.get("fund_public_share_max")
    if not _missing(share) and not 0 < float(share) <= 1:
        add(
            "fund_share",
            f"der höchste Anteil der Städtebauförderung am Fonds ({float(share):g}) ist kein "
            "Anteil zwischen 0 und 1; 0,5 ist die Regel, 1,0 wo das Land 100 % erlaubt",
        )
    _designation_findings(record, add, day)
    geom = record.get("geometry")
    if isinstance(geom, BaseGeometry) and (
        geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon") or not geom.is_valid
    ):
        add(
            "geometry",
            f"das Gebiet muss ein gültiges Polygon sein, ist aber ein {geom.geom_type}"
            f"{'' if geom.is_valid else ' mit ungültiger Geometrie'}; zeichnen oder laden "
            "Sie die Grenze neu",
        )
    return out


def _designation_findings(
    record: Mapping[str, Any], add: Callable[..., None], today: dt.date
) -> None:
    """Add the findings of the legal designation, procedure and by-law date via ``add``."""
    designation = record.get("legal_designation")
    procedure = record.get("legal_procedure")
    paragraph = designation_paragraph(designation)
    if not _missing(procedure) and procedure != "":
        if procedure not in PROCEDURES:
            add(
                "procedure",
                f"das Verfahren „{procedure}“ gibt es nicht; erlaubt: {', '.join(PROCEDURES)}",
            )
        elif paragraph != "142":
            add(
                "procedure",
                "ein Verfahren (umfassend oder vereinfacht) gibt es nur bei einem "
                "Sanierungsgebiet nach § 142 BauGB; lassen Sie das Verfahren leer oder "
                "wählen Sie „Sanierungsgebiet (§ 142 BauGB)“",
            )
    elif paragraph == "142":
        add(
            "procedure",
            "beim Sanierungsgebiet fehlt das Verfahren (umfassendes oder vereinfachtes "
            "Verfahren, § 142 Abs. 4 BauGB)",
            "warning",
        )
    try:
        bylaw = _as_date(record.get("bylaw_date"))
    except ValueError:
        add("bylaw_date", f"„{record.get('bylaw_date')}“ ist kein Datum; schreiben Sie TT.MM.JJJJ")
        return
    if bylaw is not None:
        if bylaw > today:
            add(
                "bylaw_date",
                f"die Satzung vom {bylaw:%d.%m.%Y} liegt in der Zukunft; tragen Sie das "
                "Datum des Beschlusses erst ein, wenn die Satzung beschlossen ist",
            )
        if _missing(designation) or not str(designation).strip():
            add(
                "bylaw_date",
                "ein Satzungsdatum ohne Gebietsfestlegung; wählen Sie die Festlegung "
                "(§ 142, § 171b, § 171e oder § 172 BauGB) oder lassen Sie das Datum leer",
            )


class BoundaryError(MonitoringError, ValueError):
    """A boundary file that does not give one polygon (message in German)."""


def boundary_from_features(
    features: gpd.GeoDataFrame,
    *,
    store_crs: CRS | str,
    feature: Any = None,
    dissolve: bool = False,
    source: str = "Datei",
) -> BaseGeometry:
    """Return the one (multi)polygon of a funding area from the features of a file.

    The features are reprojected to ``store_crs``. A file with one feature gives it; a
    file with several needs ``feature`` (its index label) or ``dissolve=True``, which
    merges them all into one. Lines and points are refused.

    Parameters
    ----------
    features
        The features as read (``geo.readers.read_vector``), with their CRS.
    store_crs
        The storage CRS of the store.
    feature
        The index label of the feature to take.
    dissolve
        Merge every feature into one boundary.
    source
        The file name for messages.

    Returns
    -------
    shapely.geometry.base.BaseGeometry
        A valid Polygon or MultiPolygon in ``store_crs``.

    Raises
    ------
    BoundaryError
        In German, naming the file, the number of features and what to choose.

    Examples
    --------
    >>> two = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
    ...                        crs="EPSG:25832", index=[1, 2])
    >>> boundary_from_features(two, store_crs="EPSG:25832", dissolve=True).area
    2.0
    >>> boundary_from_features(two, store_crs="EPSG:25832", feature=2).bounds
    (1.0, 0.0, 2.0, 1.0)
    """
    if features.crs is None:
        raise BoundaryError(
            f"{source}: die Datei nennt kein Koordinatensystem; exportieren Sie sie mit "
            "Koordinatensystem (bei Shapefiles gehört die .prj-Datei dazu)"
        )
    frame = features[features.geometry.notna() & ~features.geometry.is_empty]
    if frame.empty:
        raise BoundaryError(f"{source}: die Datei enthält keine Geometrie")
    if feature is not None:
        if feature not in frame.index:
            raise BoundaryError(
                f"{source}: ein Objekt {feature!r} gibt es nicht; die Datei hat "
                f"{len(frame)} Objekte ({', '.join(map(str, frame.index[:20]))})"
            )
        frame = frame.loc[[feature]]
    elif len(frame) > 1 and not dissolve:
        raise BoundaryError(
            f"{source}: die Datei enthält {len(frame)} Objekte; wählen Sie das eine "
            "Fördergebiet aus oder lassen Sie alle zu einem Gebiet zusammenfassen"
        )
    kinds = sorted(set(frame.geometry.geom_type) - {"Polygon", "MultiPolygon"})
    if kinds:
        raise BoundaryError(
            f"{source}: ein Fördergebiet ist eine Fläche, die Datei enthält aber "
            f"{', '.join(kinds)}; laden Sie eine Datei mit Polygonen hoch"
        )
    projected = frame.to_crs(store_crs).geometry
    shape = shapely.force_2d(shapely.union_all(shapely.make_valid(projected.values)))
    if shape.geom_type == "GeometryCollection":
        parts = shapely.get_parts(shape)
        shape = shapely.union_all([g for g in parts if g.geom_type.endswith("Polygon")])
    if shape.is_empty or shape.geom_type not in ("Polygon", "MultiPolygon"):
        raise BoundaryError(f"{source}: aus der Datei ergibt sich keine Fläche")
    return shape


def fund_share_max(record: Mapping[str, Any]) -> float:
    """Return the funding area's highest Städtebauförderung share of the fund (default 0.5).

    Examples
    --------
    >>> fund_share_max({"fund_public_share_max": None})
    0.5
    >>> fund_share_max({"fund_public_share_max": 1.0})
    1.0
    """
    value: Any = record.get("fund_public_share_max")
    return DEFAULT_FUND_PUBLIC_SHARE_MAX if _missing(value) else float(value)
