"""A metadata record per public layer: what a geoportal needs to list, cite and license it.

One :class:`LayerRecord` per exported layer holds title, abstract, source, publisher,
licence, Stichtag, CRS, bounding box (CRS84), feature count, the attributes with German
descriptions and the files written. It is written twice:

- as ISO 19139 XML (``gmd:MD_Metadata``, :func:`iso19139`), the form a catalogue service
  (GeoNetwork, a CSW of the GDI-DE) imports and QGIS/GDAL show from a GeoPackage;
- as a small JSON sidecar (:func:`as_json`), the form a script or a person reads without an
  XML toolkit.

Both are built from the same record, so they cannot disagree. The licence follows the
GDI-DE convention: ``useConstraints`` ``otherRestrictions`` with the licence text and its
JSON form (``id``, ``name``, ``url``, ``quelle``) as two ``otherConstraints``.

No person is named: the publisher is the municipality and its office (``report_sender``),
never the contact person, phone or e-mail.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import german
from monitoring.interop.errors import InterchangeError
from monitoring.interop.public import PublicLayer
from monitoring.messages import render

DEFAULT_LICENCE = "Datenlizenz Deutschland – Namensnennung – Version 2.0"
DEFAULT_LICENCE_URL = "https://www.govdata.de/dl-de/by-2-0"
DEFAULT_LICENCE_ID = "dl-by-de/2.0"
CRS84 = "OGC:CRS84"

NS = {
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
    "gml": "http://www.opengis.net/gml/3.2",
    "xlink": "http://www.w3.org/1999/xlink",
}
CODELISTS = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml"

#: German description of every public column, per layer kind (``PublicLayer.kind``)
ATTRIBUTES: Mapping[str, Mapping[str, str]] = {
    "funding_areas": {
        "kennung": "Kennung der Gesamtmaßnahme",
        "name": "Name des Fördergebiets",
        "ags": "Amtlicher Gemeindeschlüssel (AGS)",
        "programm": "Kennung des Förderprogramms",
        "prog_name": "Name des Förderprogramms",
        "aufnahme": "Jahr der Aufnahme in das Programm",
        "ende": "voraussichtliches Ende (Jahr)",
        "status": "Förderstatus (z. B. laufend, ausfinanziert, abgeschlossen)",
        "festlegung": "Gebietsfestlegung nach BauGB (z. B. Sanierungsgebiet)",
    },
    "measures": {
        "kennung": "Kennung der Maßnahme",
        "gesamtmn": "Kennung der Gesamtmaßnahme (Fördergebiet)",
        "titel": "Titel der Maßnahme",
        "beschreib": "Beschreibung",
        "status": "Status (geplant, bewilligt, in Umsetzung, abgeschlossen, abgerechnet)",
        "beginn": "Beginn (Datum)",
        "ende": "Ende (Datum)",
        "kosten": "Kostenschätzung in Euro",
        "kosten_ist": "tatsächliche Kosten in Euro",
        "kostengrp": "Kostengruppe",
    },
    "areas": {
        "kennung": "Kennung des Gebiets",
        "name": "Name des Gebiets",
        "ebene": "Ebene (z. B. Planungsraum)",
        "stand": "Gebietsstand",
        "ueber": "Kennung der übergeordneten Einheit",
        "gilt_ab": "gültig ab (Datum)",
        "gilt_bis": "gültig bis (Datum)",
    },
    "indicators": {
        "kennung": "Kennung des Werts (Gebiet|Indikator|Stichtag|Ausgabe)",
        "gebiet": "Kennung des Gebiets",
        "name": "Name des Gebiets",
        "ebene": "Ebene",
        "stand": "Gebietsstand",
        "indikator": "Kennung des Indikators",
        "bezeichn": "Bezeichnung des Indikators",
        "einheit": "Einheit des Werts",
        "stichtag": "Stichtag des Werts",
        "wert": "Wert (leer, wenn aus Gründen der Geheimhaltung unterdrückt)",
        "unterdr": "unterdrückt (wahr: Wert wegen zu kleiner Einwohnerzahl nicht veröffentlicht)",
        "ausgabe": "Ausgabe (Datenlieferung; „berechnet“: aus Zählwerten berechnet)",
        "quelle": "Quelle des Werts",
    },
}

#: what the Stichtag of a record is
STICHTAG_BASIS = {
    "indicators": "letzter Stichtag der Indikatorwerte",
    "last_change": "letzte Änderung der Daten",
    "export": "Tag des Exports",
}
PROVENANCE_KEYS = {
    "lizenz": "licence",
    "lizenz_url": "licence_url",
    "quelle": "source",
    "herausgeber": "publisher",
}


@dataclass(frozen=True)
class Provenance:
    """Who publishes the layers, under which licence, citing which source.

    ``source`` and ``publisher`` left empty are taken from the data: the indicator values'
    ``quelle`` and the store's sender (municipality and office).

    Examples
    --------
    >>> Provenance().licence_url
    'https://www.govdata.de/dl-de/by-2-0'
    >>> Provenance().with_options(licence="CC BY 4.0").licence_url is None
    True
    """

    licence: str = DEFAULT_LICENCE
    licence_url: str | None = DEFAULT_LICENCE_URL
    source: str | None = None
    publisher: str | None = None

    def with_options(
        self,
        *,
        licence: str | None = None,
        licence_url: str | None = None,
        source: str | None = None,
        publisher: str | None = None,
    ) -> Provenance:
        """Return this provenance with the given options laid over it.

        A licence other than the default loses the default's URL unless one is given.
        """
        out = self
        if licence is not None:
            url = out.licence_url if licence == out.licence else None
            out = replace(out, licence=licence, licence_url=url)
        if licence_url is not None:
            out = replace(out, licence_url=licence_url)
        if source is not None:
            out = replace(out, source=source)
        if publisher is not None:
            out = replace(out, publisher=publisher)
        return out

    @property
    def licence_id(self) -> str | None:
        """The GDI-DE licence id of the default licence, else None."""
        return DEFAULT_LICENCE_ID if self.licence == DEFAULT_LICENCE else None


def load_provenance(path: Path) -> Provenance:
    """Read a provenance from a TOML file with ``lizenz``, ``lizenz_url``, ``quelle``,
    ``herausgeber`` (each optional).

    Raises
    ------
    InterchangeError
        For a file that is not TOML in UTF-8, an unknown key or a value that is no text.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise InterchangeError(
            render("interchange.bad_toml", file=str(path), reason=str(exc)),
            reason="bad_toml",
            value=str(path),
        ) from exc
    options: dict[str, str] = {}
    for key, value in data.items():
        if key not in PROVENANCE_KEYS:
            allowed = ", ".join(PROVENANCE_KEYS)
            message = render("interchange.unknown_key", file=str(path), key=key, allowed=allowed)
            raise InterchangeError(message, reason="unknown_key", value=key)
        if not isinstance(value, str):
            message = render("interchange.not_text", file=str(path), key=key, value=repr(value))
            raise InterchangeError(message, reason="not_text", value=value)
        options[PROVENANCE_KEYS[key]] = value
    return Provenance().with_options(**options)


@dataclass(frozen=True)
class LayerRecord:
    """The metadata record of one exported public layer."""

    identifier: str
    layer: str
    title: str
    abstract: str
    source: str
    publisher: str
    licence: str
    licence_url: str | None
    licence_id: str | None
    stichtag: dt.date
    stichtag_basis: str
    period: tuple[dt.date, dt.date] | None
    crs: str
    bbox: tuple[float, float, float, float] | None
    count: int
    geometry_counts: tuple[tuple[str, int], ...]
    attributes: tuple[tuple[str, str], ...]
    created: dt.datetime
    formats: tuple[str, ...] = ()
    files: tuple[str, ...] = field(default=())


def describe(
    layer: PublicLayer,
    frame: gpd.GeoDataFrame,
    *,
    provenance: Provenance,
    publisher: str,
    last_change: dt.date | None,
    now: dt.datetime,
    formats: tuple[str, ...] = (),
    files: tuple[str, ...] = (),
) -> LayerRecord:
    """Return the metadata record of ``layer`` from its public features ``frame``.

    Parameters
    ----------
    layer, frame
        The public layer and its features (:func:`monitoring.interop.public.read_public`).
    provenance
        Licence, and source and publisher where the user gave them.
    publisher
        The publisher taken from the store (municipality and office), used when the
        provenance names none.
    last_change
        The day the layer's records last changed, if the store knows it.
    now
        When the export runs (the record's creation time).

    Notes
    -----
    The Stichtag is the latest Stichtag of an indicator layer's values; for the other
    layers the day of the data's last change, else the day of the export.

    Examples
    --------
    >>> import shapely
    >>> layer = PublicLayer("massnahmen", "Maßnahmen", "Alle Maßnahmen.", "measures")
    >>> frame = gpd.GeoDataFrame({"kennung": ["M1", "M2"], "titel": ["A & B", "C"]},
    ...     geometry=[shapely.Point(500000, 5700000), shapely.box(500000, 5700000, 500010,
    ...     5700010)], crs="EPSG:25832")
    >>> r = describe(layer, frame, provenance=Provenance(), publisher="Musterstadt",
    ...     last_change=dt.date(2026, 3, 1), now=dt.datetime(2026, 11, 27, 0, 0))
    >>> r.stichtag, r.stichtag_basis, r.count, r.geometry_counts, r.crs
    (datetime.date(2026, 3, 1), 'letzte Änderung der Daten', 2, (('point', 1), ('surface', 1)), 'EPSG:25832')
    >>> [round(x, 4) for x in r.bbox]
    [9.0, 51.4512, 9.0001, 51.4513]
    """  # noqa: E501
    descriptions = ATTRIBUTES.get(layer.kind, {})
    columns = [c for c in frame.columns if c != frame.geometry.name]
    attributes = tuple((c, descriptions.get(c, c)) for c in columns)
    period: tuple[dt.date, dt.date] | None = None
    if layer.kind == "indicators" and len(frame):
        days = pd.to_datetime(frame["stichtag"])
        period = (days.min().date(), days.max().date())
        stichtag, basis = period[1], STICHTAG_BASIS["indicators"]
    elif last_change is not None:
        stichtag, basis = last_change, STICHTAG_BASIS["last_change"]
    else:
        stichtag, basis = now.date(), STICHTAG_BASIS["export"]
    publisher = provenance.publisher or publisher
    return LayerRecord(
        identifier=str(uuid.uuid5(uuid.NAMESPACE_URL, f"quartiersmonitor:{publisher}:{layer.id}")),
        layer=layer.id,
        title=layer.title,
        abstract=layer.abstract,
        source=provenance.source or _source(layer, frame, publisher),
        publisher=publisher,
        licence=provenance.licence,
        licence_url=provenance.licence_url,
        licence_id=provenance.licence_id,
        stichtag=stichtag,
        stichtag_basis=basis,
        period=period,
        crs=_crs_name(frame),
        bbox=_bbox(frame),
        count=len(frame),
        geometry_counts=_geometry_counts(frame),
        attributes=attributes,
        created=now,
        formats=formats,
        files=files,
    )


def _source(layer: PublicLayer, frame: gpd.GeoDataFrame, publisher: str) -> str:
    """The source named by the data: the indicator values' ``quelle``, else the publisher."""
    own = f"Quartiersmonitor, {publisher}"
    if layer.kind != "indicators" or not len(frame):
        return own
    stored = frame[frame["ausgabe"] != "berechnet"]["quelle"].dropna().astype(str)
    sources = sorted(set(stored) - {""})
    if (frame["ausgabe"] == "berechnet").any():
        sources.append(f"Quoten aus Zählwerten berechnet: {own}")
    return "; ".join(sources) or own


def _crs_name(frame: gpd.GeoDataFrame) -> str:
    if frame.crs is None:
        return "unbekannt"
    epsg = frame.crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else frame.crs.to_string()


def _bbox(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    shapes = frame.geometry[frame.geometry.notna() & ~frame.geometry.is_empty]
    if shapes.empty:
        return None
    west, south, east, north = shapes.to_crs(CRS84).total_bounds
    return tuple(round(float(v), 7) for v in (west, south, east, north))  # type: ignore[return-value]


GEOMETRY_OBJECTS = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "curve",
    "MultiLineString": "curve",
    "Polygon": "surface",
    "MultiPolygon": "surface",
}


def _geometry_counts(frame: gpd.GeoDataFrame) -> tuple[tuple[str, int], ...]:
    kinds = frame.geometry.geom_type.dropna().map(lambda t: GEOMETRY_OBJECTS.get(t, "complex"))
    counts = kinds.value_counts()
    return tuple((str(k), int(counts[k])) for k in sorted(counts.index))


def as_json(record: LayerRecord) -> dict[str, Any]:
    """Return the record as the JSON sidecar's object (German keys, ISO dates).

    Examples
    --------
    >>> r = LayerRecord("id", "x", "Titel", "Text", "Quelle", "Stadt", DEFAULT_LICENCE,
    ...     DEFAULT_LICENCE_URL, DEFAULT_LICENCE_ID, dt.date(2024, 12, 31), "Tag des Exports",
    ...     None, "EPSG:25832", None, 0, (), (("kennung", "Kennung"),),
    ...     dt.datetime(2025, 1, 2, 3, 4, 5))
    >>> d = as_json(r)
    >>> d["stichtag"], d["lizenz"]["url"], d["attribute"][0]
    ('2024-12-31', 'https://www.govdata.de/dl-de/by-2-0', {'name': 'kennung', 'beschreibung': 'Kennung'})
    """  # noqa: E501
    return {
        "kennung": record.identifier,
        "ebene": record.layer,
        "titel": record.title,
        "beschreibung": record.abstract,
        "quelle": record.source,
        "herausgeber": record.publisher,
        "lizenz": {"name": record.licence, "url": record.licence_url, "id": record.licence_id},
        "stichtag": record.stichtag.isoformat(),
        "stichtag_art": record.stichtag_basis,
        "zeitraum": [d.isoformat() for d in record.period] if record.period else None,
        "koordinatenreferenzsystem": record.crs,
        "bbox_crs84": list(record.bbox) if record.bbox else None,
        "anzahl_objekte": record.count,
        "geometrien": dict(record.geometry_counts),
        "attribute": [{"name": n, "beschreibung": d} for n, d in record.attributes],
        "formate": list(record.formats),
        "dateien": list(record.files),
        "erstellt": record.created.isoformat(timespec="seconds"),
    }


def write_json(record: LayerRecord, path: Path) -> Path:
    """Write the JSON sidecar of ``record`` to ``path`` (UTF-8, umlauts as they are)."""
    text = json.dumps(as_json(record), ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")
    return path


# --- ISO 19139 -------------------------------------------------------------------------

for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _el(parent: ET.Element, name: str, text: str | None = None, **attrib: str) -> ET.Element:
    child = ET.SubElement(
        parent, _q(name), {_q(k.replace("__", ":")): v for k, v in attrib.items()}
    )
    if text is not None:
        child.text = text
    return child


def _text(parent: ET.Element, name: str, value: str) -> ET.Element:
    """``<name><gco:CharacterString>value</gco:CharacterString></name>``."""
    wrapper = _el(parent, name)
    _el(wrapper, "gco:CharacterString", value)
    return wrapper


def _code(parent: ET.Element, name: str, codelist: str, value: str) -> ET.Element:
    wrapper = _el(parent, name)
    element = ET.SubElement(wrapper, _q(f"gmd:{codelist}"))
    element.set("codeList", f"{CODELISTS}#{codelist}")
    element.set("codeListValue", value)
    element.text = value
    return wrapper


def _party(parent: ET.Element, name: str, organisation: str, role: str) -> None:
    party = _el(_el(parent, name), "gmd:CI_ResponsibleParty")
    _text(party, "gmd:organisationName", organisation)
    _code(party, "gmd:role", "CI_RoleCode", role)


def _date(parent: ET.Element, day: dt.date, kind: str) -> None:
    ci_date = _el(_el(parent, "gmd:date"), "gmd:CI_Date")
    _el(_el(ci_date, "gmd:date"), "gco:Date", day.isoformat())
    _code(ci_date, "gmd:dateType", "CI_DateTypeCode", kind)


def supplemental(record: LayerRecord) -> str:
    """Return the German text of ``supplementalInformation``: Stichtag, count, attributes."""
    lines = [
        f"Stichtag: {german.date(record.stichtag)} ({record.stichtag_basis})",
        f"Anzahl der Objekte: {german.number(record.count)}",
        f"Quelle: {record.source}",
        "Attribute:",
        *(f"- {name}: {text}" for name, text in record.attributes),
    ]
    if record.files:
        lines.append("Dateien: " + ", ".join(record.files))
    return "\n".join(lines)


def iso19139(record: LayerRecord) -> str:
    """Return the record as an ISO 19139 ``gmd:MD_Metadata`` document (UTF-8 XML text).

    Text is escaped by the XML writer, so ``<`` and ``&`` in a title stay text.

    Examples
    --------
    >>> r = LayerRecord("id-1", "x", "Wege <neu> & alt", "Text", "Quelle", "Stadt",
    ...     DEFAULT_LICENCE, DEFAULT_LICENCE_URL, DEFAULT_LICENCE_ID, dt.date(2024, 12, 31),
    ...     "Tag des Exports", None, "EPSG:25832", (7.0, 51.0, 7.1, 51.1), 1,
    ...     (("point", 1),), (), dt.datetime(2025, 1, 2))
    >>> text = iso19139(r)
    >>> "Wege &lt;neu&gt; &amp; alt" in text, text.startswith('<?xml version="1.0"')
    (True, True)
    >>> root = ET.fromstring(text.encode("utf-8"))
    >>> root.find(".//gmd:title/gco:CharacterString", NS).text
    'Wege <neu> & alt'
    """
    root = ET.Element(_q("gmd:MD_Metadata"))
    _text(root, "gmd:fileIdentifier", record.identifier)
    _code(root, "gmd:language", "LanguageCode", "ger")
    _code(root, "gmd:characterSet", "MD_CharacterSetCode", "utf8")
    _code(root, "gmd:hierarchyLevel", "MD_ScopeCode", "dataset")
    _party(root, "gmd:contact", record.publisher, "pointOfContact")
    _el(_el(root, "gmd:dateStamp"), "gco:Date", record.created.date().isoformat())
    _text(root, "gmd:metadataStandardName", "ISO 19115:2003/19139")
    _text(root, "gmd:metadataStandardVersion", "1.0")
    if record.geometry_counts:
        vector = _el(
            _el(root, "gmd:spatialRepresentationInfo"), "gmd:MD_VectorSpatialRepresentation"
        )
        for kind, count in record.geometry_counts:
            objects = _el(_el(vector, "gmd:geometricObjects"), "gmd:MD_GeometricObjects")
            _code(objects, "gmd:geometricObjectType", "MD_GeometricObjectTypeCode", kind)
            _el(_el(objects, "gmd:geometricObjectCount"), "gco:Integer", str(count))
    ident = _el(
        _el(_el(_el(root, "gmd:referenceSystemInfo"), "gmd:MD_ReferenceSystem"),
            "gmd:referenceSystemIdentifier"),
        "gmd:RS_Identifier",
    )  # fmt: skip
    space, _, code = record.crs.rpartition(":")
    _text(ident, "gmd:code", code)
    if space:
        _text(ident, "gmd:codeSpace", space)

    data = _el(_el(root, "gmd:identificationInfo"), "gmd:MD_DataIdentification")
    citation = _el(_el(data, "gmd:citation"), "gmd:CI_Citation")
    _text(citation, "gmd:title", record.title)
    _date(citation, record.created.date(), "publication")
    _date(citation, record.stichtag, "revision")
    _text(_el(_el(citation, "gmd:identifier"), "gmd:MD_Identifier"), "gmd:code", record.layer)
    _party(citation, "gmd:citedResponsibleParty", record.publisher, "publisher")
    _text(data, "gmd:abstract", record.abstract)
    _text(data, "gmd:credit", record.source)
    _party(data, "gmd:pointOfContact", record.publisher, "pointOfContact")
    for name, version in _format_versions(record.formats):
        fmt = _el(_el(data, "gmd:resourceFormat"), "gmd:MD_Format")
        _text(fmt, "gmd:name", name)
        _text(fmt, "gmd:version", version)
    keywords = _el(_el(data, "gmd:descriptiveKeywords"), "gmd:MD_Keywords")
    for word in ("Städtebauförderung", "Quartiersmonitor", "opendata"):
        _text(keywords, "gmd:keyword", word)
    access = _el(_el(data, "gmd:resourceConstraints"), "gmd:MD_LegalConstraints")
    _code(access, "gmd:accessConstraints", "MD_RestrictionCode", "otherRestrictions")
    _text(access, "gmd:otherConstraints", "Es gelten keine Zugriffsbeschränkungen")
    use = _el(_el(data, "gmd:resourceConstraints"), "gmd:MD_LegalConstraints")
    _code(use, "gmd:useConstraints", "MD_RestrictionCode", "otherRestrictions")
    licence = record.licence + (f" ({record.licence_url})" if record.licence_url else "")
    _text(use, "gmd:otherConstraints", f"{licence}; Quellenvermerk: {record.source}")
    as_licence = {"name": record.licence, "url": record.licence_url, "quelle": record.source}
    if record.licence_id:
        as_licence = {"id": record.licence_id, **as_licence}
    _text(use, "gmd:otherConstraints", json.dumps(as_licence, ensure_ascii=False))
    _code(data, "gmd:spatialRepresentationType", "MD_SpatialRepresentationTypeCode", "vector")
    _code(data, "gmd:language", "LanguageCode", "ger")
    _code(data, "gmd:characterSet", "MD_CharacterSetCode", "utf8")
    _el(_el(data, "gmd:topicCategory"), "gmd:MD_TopicCategoryCode", "planningCadastre")
    extent = _el(_el(data, "gmd:extent"), "gmd:EX_Extent")
    if record.bbox is not None:
        box = _el(_el(extent, "gmd:geographicElement"), "gmd:EX_GeographicBoundingBox")
        west, south, east, north = record.bbox
        for name, value in (
            ("westBoundLongitude", west),
            ("eastBoundLongitude", east),
            ("southBoundLatitude", south),
            ("northBoundLatitude", north),
        ):
            _el(_el(box, f"gmd:{name}"), "gco:Decimal", repr(float(value)))
    time = _el(_el(_el(extent, "gmd:temporalElement"), "gmd:EX_TemporalExtent"), "gmd:extent")
    gml_id = "zeit_" + "".join(c if c.isalnum() else "_" for c in record.layer)
    if record.period and record.period[0] != record.period[1]:
        span = _el(time, "gml:TimePeriod", gml__id=gml_id)
        _el(span, "gml:beginPosition", record.period[0].isoformat())
        _el(span, "gml:endPosition", record.period[1].isoformat())
    else:
        instant = _el(time, "gml:TimeInstant", gml__id=gml_id)
        _el(instant, "gml:timePosition", record.stichtag.isoformat())
    _text(data, "gmd:supplementalInformation", supplemental(record))

    if record.formats:
        distribution = _el(_el(root, "gmd:distributionInfo"), "gmd:MD_Distribution")
        for name, version in _format_versions(record.formats):
            fmt = _el(_el(distribution, "gmd:distributionFormat"), "gmd:MD_Format")
            _text(fmt, "gmd:name", name)
            _text(fmt, "gmd:version", version)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


FORMAT_NAMES = {
    "geojson": ("GeoJSON", "RFC 7946"),
    "gpkg": ("GeoPackage", "1.2"),
    "shp": ("ESRI Shapefile", "-"),
}


def _format_versions(formats: tuple[str, ...]) -> list[tuple[str, str]]:
    return [FORMAT_NAMES[f] for f in formats if f in FORMAT_NAMES]


def write_xml(record: LayerRecord, path: Path) -> Path:
    """Write the ISO 19139 document of ``record`` to ``path``."""
    path.write_text(iso19139(record), encoding="utf-8")
    return path
