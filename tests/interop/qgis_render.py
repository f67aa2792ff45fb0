"""Open store layers in QGIS itself (headless), apply their default style and render them.

Run by Debian's Python with QGIS (``/usr/bin/python3``), never imported by the tests'
own Python::

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 qgis_render.py job.json

``job.json``: ``{"source": {"gpkg": PATH} | {"postgis": {host, port, dbname, user,
password, schema}}, "layers": [...], "out": DIR, "named": {layer: [style names]},
"geometry_types": {layer: "Point"}, "keys": {layer: "fid"}}`` (PostGIS layers with a
generic geometry column open one geometry type at a time, as QGIS's browser offers them;
a PostGIS view opens with the key column chosen, as in QGIS's data source manager).
For each layer it writes ``DIR/<layer>.png`` (and ``DIR/<layer>__<n>.png`` for each
named style), and prints one JSON document: per layer whether it is valid, its
feature count, renderer type, the message of ``loadDefaultStyle`` and the styles QGIS
lists in the database.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsDataSourceUri,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtXml import QDomDocument

SIZE = 500


def open_layer(
    source: dict, name: str, job_types: dict[str, str], keys: dict[str, str]
) -> QgsVectorLayer:
    options = QgsVectorLayer.LayerOptions(loadDefaultStyle=False)
    if "gpkg" in source:
        return QgsVectorLayer(f"{source['gpkg']}|layername={name}", name, "ogr", options)
    pg = source["postgis"]
    uri = QgsDataSourceUri()
    uri.setConnection(
        pg["host"], str(pg["port"]), pg["dbname"], pg["user"], pg.get("password") or ""
    )
    uri.setDataSource(pg["schema"], name, "geometry", "", keys.get(name, ""))
    if name in job_types:  # a generic geometry column: QGIS opens one type at a time
        uri.setWkbType(getattr(QgsWkbTypes, job_types[name]))
    return QgsVectorLayer(uri.uri(False), name, "postgres", options)


def render(layer: QgsVectorLayer, path: Path) -> None:
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    extent = layer.extent()
    extent.scale(1.05)
    settings.setExtent(extent)
    settings.setOutputSize(QSize(SIZE, SIZE))
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setFlag(QgsMapSettings.Antialiasing, False)
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(str(path), "PNG")


def main() -> None:
    job = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    out = Path(job["out"])
    app = QgsApplication([], False)
    QgsApplication.setPrefixPath("/usr", True)
    QgsApplication.initQgis()
    report: dict[str, dict] = {}
    for name in job["layers"]:
        layer = open_layer(job["source"], name, job.get("geometry_types", {}), job.get("keys", {}))
        entry: dict = {"valid": layer.isValid()}
        report[name] = entry
        if not layer.isValid():
            continue
        before = layer.renderer().type() if layer.renderer() else None
        message, loaded = layer.loadDefaultStyle()
        count, ids, names, _descriptions, _msg = layer.listStylesInDatabase()
        entry.update(
            features=layer.featureCount(),
            renderer_before=before,
            renderer=layer.renderer().type() if layer.renderer() else None,
            loaded=bool(loaded),
            message=message,
            styles=list(names),
            default_count=int(count),
            aliases={f.name(): layer.attributeAlias(i) for i, f in enumerate(layer.fields())},
        )
        if layer.renderer() is not None and layer.renderer().type() == "RuleRenderer":
            root = layer.renderer().rootRule()
            entry["rules"] = [r.label() for r in root.children()]
        render(layer, out / f"{name}.png")
        for n, wanted in enumerate(job.get("named", {}).get(name, [])):
            sid = ids[list(names).index(wanted)]
            qml, _ = layer.getStyleFromDatabase(sid)
            doc = QDomDocument()
            doc.setContent(qml)
            ok, err = layer.importNamedStyle(doc)
            entry.setdefault("named", []).append(
                {"name": wanted, "ok": bool(ok), "error": err, "renderer": layer.renderer().type()}
            )
            render(layer, out / f"{name}__{n}.png")
    print(json.dumps(report, ensure_ascii=False), flush=True)
    sys.stderr.flush()
    del app
    # QGIS 3.22's Python bindings crash while tearing down (exitQgis, then the
    # interpreter); everything is written by now, so leave without the teardown.
    os._exit(0)


if __name__ == "__main__":
    main()
