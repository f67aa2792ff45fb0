"""Write the public layers to a folder for a geoportal: GeoJSON, GeoPackage, Shapefile.

What is public is decided by :mod:`monitoring.interop.public` alone; this module only
writes those layers (disclosure already applied) in the interchange formats and a
metadata record per layer (:mod:`monitoring.interop.metadata`):

- **GeoJSON** (``<ebene>.geojson``, RFC 7946): longitude/latitude in CRS84, coordinates
  rounded to 7 decimals (about 1 cm), polygons wound right-hand;
- **GeoPackage** (``oeffentliche_ebenen.gpkg``): all layers in one file in the store's CRS,
  the German title and abstract in ``gpkg_contents`` and the ISO 19139 record of each
  layer in ``gpkg_metadata``/``gpkg_metadata_reference`` (the GeoPackage metadata
  extension, shown by ``ogrinfo -mdd all`` and QGIS);
- **Shapefile** (``<ebene>.shp``): the store's CRS in ``.prj``, UTF-8 declared in ``.cpg``,
  dates as DBF dates, yes/no as DBF logicals. A Shapefile holds one geometry type, and the
  measures are points, lines and areas: they are split into ``massnahmen_punkte``,
  ``massnahmen_linien`` and ``massnahmen_flaechen`` (only the parts that have features).
  Text longer than a DBF field takes (254 bytes) is cut at a character and ends in ``…``.

Each layer gets ``<ebene>.iso19139.xml`` and ``<ebene>.metadata.json`` next to its files.
All layers are read and checked before the first file is written.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast, get_args

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyogrio

from geo.store.base import Store
from monitoring.errors import NotFound
from monitoring.interop.errors import InterchangeError
from monitoring.interop.metadata import (
    CRS84,
    LayerRecord,
    Provenance,
    describe,
    iso19139,
    write_json,
    write_xml,
)
from monitoring.interop.public import PublicLayer, public_layers, read_public
from monitoring.messages import render

Format = Literal["geojson", "gpkg", "shp"]
FORMATS: tuple[Format, ...] = get_args(Format)
GPKG_NAME = "oeffentliche_ebenen.gpkg"
GPKG_VERSION = "1.2"  # read by every GDAL and QGIS still in use (GDAL 3.6 warns on 1.4)
GEOJSON_DECIMALS = 7
SHAPE_PARTS = {"point": "punkte", "curve": "linien", "surface": "flaechen"}
SHAPE_KIND = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "curve",
    "MultiLineString": "curve",
    "Polygon": "surface",
    "MultiPolygon": "surface",
}
DBF_TEXT_BYTES = 254
ISO_19139 = "http://www.isotc211.org/2005/gmd"
DATE = pd.ArrowDtype(pa.date32())
EDITED_TABLES = {"funding_areas": "funding_areas", "measures": "measures"}


@dataclass(frozen=True)
class WrittenLayer:
    """One exported layer: its id, title, feature count, the files and its record."""

    layer: str
    title: str
    count: int
    files: tuple[str, ...]
    record: LayerRecord


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_public` wrote into ``folder``."""

    folder: Path
    layers: tuple[WrittenLayer, ...]

    @property
    def files(self) -> tuple[str, ...]:
        """Every file written (data and metadata), each once, in order."""
        seen: dict[str, None] = {}
        for written in self.layers:
            for name in written.files:
                seen.setdefault(name.split(" ")[0], None)
            seen.setdefault(f"{written.layer}.iso19139.xml", None)
            seen.setdefault(f"{written.layer}.metadata.json", None)
        return tuple(seen)


def check_formats(formats: Sequence[str]) -> tuple[Format, ...]:
    """Return the formats in the order of :data:`FORMATS`; refuse an unknown one.

    Examples
    --------
    >>> check_formats(["shp", "geojson", "shp"])
    ('geojson', 'shp')
    >>> check_formats(["kml"])
    Traceback (most recent call last):
    ...
    monitoring.interop.errors.InterchangeError: Das Austauschformat „kml“ gibt es nicht; möglich sind: geojson, gpkg, shp
    """  # noqa: E501
    for value in formats:
        if value not in FORMATS:
            allowed = ", ".join(FORMATS)
            message = render("interchange.unknown_format", value=value, allowed=allowed)
            raise InterchangeError(message, reason="unknown_format", value=value)
    return tuple(f for f in FORMATS if f in formats)


def select_layers(store: Store, ids: Sequence[str] | None = None) -> list[PublicLayer]:
    """Return the public layers named by ``ids`` (all when None or empty).

    Raises
    ------
    NotFound
        For an id that is not a public layer; the message lists the public layers.
    """
    layers = public_layers(store)
    if not ids:
        return layers
    by_id = {x.id: x for x in layers}
    for layer_id in ids:
        if layer_id not in by_id:
            known = ", ".join(by_id)
            raise NotFound(render("interchange.unknown_layer", layer=layer_id, known=known))
    return [by_id[i] for i in dict.fromkeys(ids)]


def store_publisher(store: Store) -> str:
    """Return the publisher named by the store: the sender's municipality and office.

    The contact person, phone and e-mail are never used (no person in public metadata).
    """
    sender = store.read("report_sender")
    if sender.empty:
        return "Quartiersmonitor"
    row = sender.iloc[0]
    parts = [str(row[c]).strip() for c in ("municipality", "office") if pd.notna(row.get(c))]
    return ", ".join(p for p in parts if p) or "Quartiersmonitor"


def last_change(store: Store, layer: PublicLayer) -> dt.date | None:
    """Return the day the records behind ``layer`` last changed, if the store keeps it."""
    table = EDITED_TABLES.get(layer.kind)
    if table is None:
        return None
    stamps = pd.to_datetime(store.read(table, columns=["updated_at"])["updated_at"], utc=True)
    latest = stamps.max()
    return None if pd.isna(latest) else latest.date()


def export_public(
    store: Store,
    folder: Path,
    *,
    formats: Sequence[str] = FORMATS,
    layers: Sequence[str] | None = None,
    provenance: Provenance | None = None,
    now: dt.datetime | None = None,
) -> ExportResult:
    """Write the public layers of ``store`` into ``folder`` with a metadata record each.

    Parameters
    ----------
    store
        The store to read (only its public layers are read).
    folder
        The folder to write into; created if missing. Files of the same names are replaced.
    formats
        Any of ``geojson``, ``gpkg``, ``shp``.
    layers
        Ids of public layers (:func:`monitoring.interop.public.public_layers`); all if None.
    provenance
        Licence, source, publisher (default: Datenlizenz Deutschland – Namensnennung 2.0,
        source and publisher from the data).
    now
        The time of the export (the records' creation time); the current time if None.

    Returns
    -------
    ExportResult
        The layers with their feature counts and files.

    Raises
    ------
    NotFound
        For a layer id that is not public (the message lists the public layers).
    InterchangeError
        For an unknown format, a folder that is a file, or a geometry a Shapefile cannot take.
    """
    chosen_formats = check_formats(formats)
    chosen = select_layers(store, layers)
    if folder.exists() and not folder.is_dir():
        message = render("interchange.out_not_folder", path=str(folder))
        raise InterchangeError(message, reason="out_not_folder", value=str(folder))
    provenance = provenance or Provenance()
    now = now or dt.datetime.now().astimezone()
    publisher = store_publisher(store)
    frames = {layer.id: read_public(store, layer) for layer in chosen}
    shape_parts = {}
    if "shp" in chosen_formats:  # refuse before the first file is written
        shape_parts = {x.id: _shape_parts(x, frames[x.id]) for x in chosen}
    folder.mkdir(parents=True, exist_ok=True)
    gpkg = folder / GPKG_NAME
    if "gpkg" in chosen_formats:
        gpkg.unlink(missing_ok=True)
    written: list[WrittenLayer] = []
    for layer in chosen:
        frame = _for_files(frames[layer.id])
        files: list[str] = []
        if "geojson" in chosen_formats:
            files.append(_write_geojson(layer, frame, folder).name)
        if "gpkg" in chosen_formats:
            _write_gpkg_layer(layer, frame, gpkg)
            files.append(f"{GPKG_NAME} (Ebene {layer.id})")
        if "shp" in chosen_formats:
            files.extend(p.name for p in _write_shapes(layer, frame, shape_parts[layer.id], folder))
        record = describe(
            layer,
            frames[layer.id],
            provenance=provenance,
            publisher=publisher,
            last_change=last_change(store, layer),
            now=now,
            formats=chosen_formats,
            files=tuple(files),
        )
        write_xml(record, folder / f"{layer.id}.iso19139.xml")
        write_json(record, folder / f"{layer.id}.metadata.json")
        written.append(WrittenLayer(layer.id, layer.title, len(frame), tuple(files), record))
    if "gpkg" in chosen_formats and written:
        write_gpkg_metadata(gpkg, [w.record for w in written], now=now)
    return ExportResult(folder, tuple(written))


def _for_files(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Dates as Arrow dates (date fields in every format, also where a part has none),
    other text as strings."""
    out = frame.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        series = out[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            if (series.dropna() == series.dropna().dt.normalize()).all():
                out[column] = series.dt.tz_localize(None) if series.dt.tz else series
                out[column] = out[column].astype(DATE)
        elif series.dtype == object:
            known = series.dropna()
            is_date = len(known) and all(
                isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in known
            )
            out[column] = series.astype(DATE) if is_date else series.astype("string")
    return out


def _write_geojson(layer: PublicLayer, frame: gpd.GeoDataFrame, folder: Path) -> Path:
    path = folder / f"{layer.id}.geojson"
    path.unlink(missing_ok=True)
    pyogrio.write_dataframe(
        frame.to_crs(CRS84),
        path,
        layer=layer.id,
        driver="GeoJSON",
        use_arrow=True,
        geometry_type=_geometry_type(layer),
        layer_options={
            "RFC7946": "YES",
            "COORDINATE_PRECISION": str(GEOJSON_DECIMALS),
            "DESCRIPTION": layer.title,
        },
    )
    return path


def _geometry_type(layer: PublicLayer) -> str:
    return "Unknown" if layer.geometry_type == "Geometry" else layer.geometry_type


def _write_gpkg_layer(layer: PublicLayer, frame: gpd.GeoDataFrame, path: Path) -> None:
    pyogrio.write_dataframe(
        frame,
        path,
        layer=layer.id,
        driver="GPKG",
        use_arrow=True,
        geometry_type=_geometry_type(layer),
        promote_to_multi=layer.geometry_type == "MultiPolygon",
        dataset_options={"VERSION": GPKG_VERSION} if not path.exists() else None,
        layer_options={"IDENTIFIER": layer.title, "DESCRIPTION": layer.abstract},
    )


def _shape_parts(layer: PublicLayer, frame: gpd.GeoDataFrame) -> dict[str, pd.Series]:
    """Split the features by Shapefile geometry kind; refuse a kind a Shapefile cannot hold."""
    kinds = frame.geometry.geom_type.map(SHAPE_KIND)
    odd = frame.geometry.geom_type[kinds.isna() & frame.geometry.notna()]
    if len(odd):
        kind = str(odd.iloc[0])
        message = render("interchange.mixed_geometry", layer=layer.id, kind=kind)
        raise InterchangeError(message, reason="mixed_geometry", value=kind)
    if layer.kind != "measures":
        return {"": pd.Series(True, index=frame.index)}
    return {SHAPE_PARTS[k]: kinds == k for k in SHAPE_PARTS if (kinds == k).any()}


def _write_shapes(
    layer: PublicLayer, frame: gpd.GeoDataFrame, parts: dict[str, pd.Series], folder: Path
) -> list[Path]:
    frame = _dbf_text(frame)
    paths: list[Path] = []
    for suffix, rows in parts.items():
        stem = f"{layer.id}_{suffix}" if suffix else layer.id
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            (folder / f"{stem}.{ext}").unlink(missing_ok=True)
        path = folder / f"{stem}.shp"
        part = frame[rows.to_numpy()]
        pyogrio.write_dataframe(
            part,
            path,
            layer=stem,
            driver="ESRI Shapefile",
            use_arrow=True,
            encoding="UTF-8",
            promote_to_multi=None,
            geometry_type=None if len(part) else "MultiPolygon",
        )
        paths.append(path)
    return paths


def _dbf_text(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Cut text a DBF field cannot take (254 bytes) at a character, ending in ``…``."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column]) and column != out.geometry.name:
            out[column] = out[column].map(_cut, na_action="ignore").astype("string")
    return out


def _cut(text: str) -> str:
    """Return ``text`` fitting 254 UTF-8 bytes.

    Examples
    --------
    >>> _cut("kurz"), len(_cut("ä" * 200).encode("utf-8")) <= 254, _cut("ä" * 200)[-1]
    ('kurz', True, '…')
    """
    if len(text.encode("utf-8")) <= DBF_TEXT_BYTES:
        return text
    room = DBF_TEXT_BYTES - len("…".encode())
    cut = text.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return cut + "…"


def write_gpkg_metadata(path: Path, records: Sequence[LayerRecord], *, now: dt.datetime) -> None:
    """Put the ISO 19139 record of each layer into the GeoPackage's metadata tables.

    The GeoPackage metadata extension: one ``gpkg_metadata`` row per record
    (``md_scope`` dataset, ``md_standard_uri`` ISO 19139, ``text/xml``), referenced from
    ``gpkg_metadata_reference`` with scope ``table`` and the layer's table name, and the
    extension registered in ``gpkg_extensions``. This is an export file, not the store.
    """
    stamp = now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.executescript(_METADATA_TABLES)
            for table in ("gpkg_metadata", "gpkg_metadata_reference"):
                conn.execute(
                    "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, "
                    "definition, scope) SELECT ?, NULL, 'gpkg_metadata', "
                    "'http://www.geopackage.org/spec120/#extension_metadata', 'read-write' "
                    "WHERE NOT EXISTS (SELECT 1 FROM gpkg_extensions WHERE table_name = ? "
                    "AND extension_name = 'gpkg_metadata')",
                    (table, table),
                )
            for record in records:
                cursor = conn.execute(
                    "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
                    "VALUES ('dataset', ?, 'text/xml', ?)",
                    (ISO_19139, iso19139(record)),
                )
                conn.execute(
                    "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, "
                    "timestamp, md_file_id) VALUES ('table', ?, ?, ?)",
                    (record.layer, stamp, cast(int, cursor.lastrowid)),
                )
    finally:
        conn.close()


_METADATA_TABLES = """
CREATE TABLE IF NOT EXISTS gpkg_extensions (
  table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
  scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
CREATE TABLE IF NOT EXISTS gpkg_metadata (
  id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,
  md_scope TEXT NOT NULL DEFAULT 'dataset',
  md_standard_uri TEXT NOT NULL,
  mime_type TEXT NOT NULL DEFAULT 'text/xml',
  metadata TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (
  reference_scope TEXT NOT NULL,
  table_name TEXT,
  column_name TEXT,
  row_id_value INTEGER,
  timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  md_file_id INTEGER NOT NULL,
  md_parent_id INTEGER,
  CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),
  CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id));
"""
