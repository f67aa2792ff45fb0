"""QGIS opens the store ready to use: the indicator map layer, the styles, QGIS itself.

QGIS runs as it is installed (Debian's ``python3-qgis`` for ``/usr/bin/python3``),
headless, in a subprocess (:file:`qgis_render.py`): it opens each spatial layer of the
store, applies the default style it finds in ``layer_styles``, renders the layer to a
PNG, and the test counts the pixels of the app's class colours in it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from geo.schema import SCHEMA
from geo.store import open_store
from geo.store.base import Store
from geo.webmap import ChoroplethSpec, choropleth_layer, sequential_colours
from monitoring import editing
from monitoring.auth import User
from monitoring.interop.public import public_layers, read_public
from monitoring.interop.qgis import (
    HATCH_COLOUR,
    MAP_LAYER,
    VALUES_LAYER,
    indicator_rules,
    map_views,
    refresh_qgis,
    status_categories,
    suppressed_label,
)

QGIS_PYTHON = "/usr/bin/python3"
SCRIPT = Path(__file__).with_name("qgis_render.py")
SPATIAL = [name for name, layer in SCHEMA.layers.items() if layer.spatial] + list(SCHEMA.views)
EDITOR = User("erika", "editor")


def run_qgis(job: dict[str, Any], tmp: Path) -> dict[str, Any]:
    """Run the QGIS script on ``job``; return its report (PNGs land in ``job['out']``)."""
    path = tmp / "job.json"
    path.write_text(json.dumps(job), encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp)}
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        [QGIS_PYTHON, str(SCRIPT), str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def pixels(png: Path, colour: str, *, tolerance: int = 3) -> int:
    """Count the pixels of ``png`` within ``tolerance`` of ``#rrggbb`` in every channel."""
    image = np.asarray(Image.open(png).convert("RGB"), dtype=int)
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(image - rgb).max(axis=2) <= tolerance).sum())


def drawn(png: Path) -> int:
    """Count the pixels that are not the white background."""
    image = np.asarray(Image.open(png).convert("RGB"), dtype=int)
    return int((image.min(axis=2) < 250).sum())


def default_colours(qml: str) -> list[str]:
    """Return the fill/line/marker colours of a QML document's symbols, as ``#rrggbb``."""
    out: list[str] = []
    for opt in ET.fromstring(qml).iter("Option"):
        if opt.get("name") in ("color", "line_color") and opt.get("value"):
            r, g, b, _ = (int(v) for v in opt.get("value", "").split(","))
            colour = f"#{r:02x}{g:02x}{b:02x}"
            if colour not in out:
                out.append(colour)
    return out


def styles_of(store: Store) -> pd.DataFrame:
    with store.transaction() as tx:
        return tx.read_layer_styles()


@pytest.fixture(scope="module")
def qgis_demo(
    demo_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    """The demo GeoPackage as QGIS renders it: the report and the folder of PNGs."""
    out = tmp_path_factory.mktemp("qgis-png")
    job = {
        "source": {"gpkg": str(demo_path)},
        "layers": SPATIAL,
        "out": str(out),
        "named": {MAP_LAYER: ["Arbeitslosenanteil"]},
    }
    return out, run_qgis(job, out)


# --- the store -----------------------------------------------------------------------


def test_demo_store_has_the_map_and_a_default_style_per_spatial_layer(store_url: str) -> None:
    from data.musterstadt import load_musterstadt

    store = open_store(store_url)
    store.init(crs="EPSG:25832")
    load_musterstadt(store)
    try:
        rows = store.read(VALUES_LAYER)
        expected = pd.concat(
            [read_public(store, x) for x in public_layers(store) if x.kind == "indicators"],
            ignore_index=True,
        )
        assert len(rows) == len(expected) > 1000
        got = rows.set_index(["ebene", "stand", "kennung"]).sort_index()
        want = expected.set_index(["ebene", "stand", "kennung"]).sort_index()
        assert got.index.equals(want.index)
        np.testing.assert_allclose(got["wert"], want["wert"].astype(float), equal_nan=True)
        assert (got["unterdr"].astype(bool) == want["unterdr"]).all()
        assert got.loc[got["unterdr"].astype(bool), "wert"].isna().all()  # never a hidden value
        assert got["unterdr"].astype(bool).any()
        assert sorted(rows["nr"]) == list(range(1, len(rows) + 1))  # the view's fid

        styles = styles_of(store)
        defaults = styles[styles["useAsDefault"].astype(bool)]
        assert sorted(defaults["f_table_name"]) == sorted(SPATIAL)  # one default per layer
        assert set(styles["f_geometry_column"]) == {"geometry"}
        ours = styles[styles["f_table_name"] == MAP_LAYER]
        assert len(ours) == rows["indikator"].nunique()  # one style per indicator
        labels = set(rows["bezeichn"])
        assert set(ours["styleName"]) <= labels
        for qml in styles["styleQML"]:
            ET.fromstring(qml)  # each one a well-formed QML document
        aliases = ET.fromstring(defaults.set_index("f_table_name").loc["areas", "styleQML"])
        assert {a.get("field"): a.get("name") for a in aliases.iter("alias")}["vintage"] == (
            "Gebietsstand"
        )
        if store_url.startswith("postgresql"):
            assert set(styles["f_table_schema"]) == {store_url.split("schema=")[1]}
    finally:
        store.close()


def test_legend_of_an_indicator_reads_as_the_apps(demo_store: Store) -> None:
    rows = demo_store.read(VALUES_LAYER)
    areas_of = demo_store.read("areas").set_index("id")
    shapes = areas_of.geometry
    view = next(v for v in map_views(rows) if v.indicator == "unemployment_rate")
    at = rows[
        (rows["indikator"] == view.indicator)
        & (pd.to_datetime(rows["stichtag"]) == view.period)
        & (rows["ausgabe"] == view.edition)
    ]
    hidden = at["unterdr"].astype(bool)
    label = suppressed_label(300)
    rules = indicator_rules(view, rows, minimum=300)
    # the app's own legend for the same values (ui/karte.py's defaults)
    areas = gpd.GeoDataFrame(
        {"id": at["gebiet"].to_numpy(), "name": at["gebiet"].map(areas_of["name"]).to_numpy()},
        geometry=gpd.GeoSeries(at["gebiet"].map(shapes), crs=shapes.crs).to_crs(4326).to_numpy(),
        crs=4326,
    )
    _, legend = choropleth_layer(
        areas,
        at.loc[~hidden].set_index("gebiet")["wert"],
        spec=ChoroplethSpec(view.label, unit=view.unit, suppressed_label=label),
        suppressed=at.loc[hidden, "gebiet"],
    )
    assert [r.label for r in rules] == [e.label for e in legend.entries]
    colours = [r.symbol.colour for r in rules[:-1]]  # type: ignore[union-attr]
    assert colours == [e.colour for e in legend.entries[:-1]] == sequential_colours(5)
    assert rules[-1].symbol.hatch == HATCH_COLOUR  # type: ignore[union-attr]


def test_status_classes_use_the_apps_neutral_greys(demo_store: Store) -> None:
    cats = status_categories(demo_store)
    assert [c[1] for c in cats] == ["1 hoch", "2 mittel", "3 niedrig", "4 sehr niedrig"]
    assert [c[2] for c in cats] == sequential_colours(4, palette="neutral")


def test_a_stored_social_index_is_the_default_style_in_neutral_greys(
    demo_path: Path, tmp_path: Path
) -> None:
    from cli.main import main

    path = tmp_path / "index.gpkg"
    shutil.copy(demo_path, path)
    args = ["index", "compute", "--store", str(path), "--period", "2024-12-31"]
    assert main([*args, "--profile", "berlin-mss-2021", "--role", "editor"]) == 0
    store = open_store(str(path))
    styles = styles_of(store)
    ours = styles[styles["f_table_name"] == MAP_LAYER]
    default = ours[ours["useAsDefault"].astype(bool)]
    assert len(default) == 1
    rules = [r.get("label") for r in ET.fromstring(default["styleQML"].iloc[0]).iter("rule")]
    assert rules[:4] == ["1 hoch", "2 mittel", "3 niedrig", "4 sehr niedrig"]
    assert rules[-1] == "unterdrückt (weniger als 300 Einwohner)"
    colours = default_colours(default["styleQML"].iloc[0])
    assert colours[:4] == sequential_colours(4, palette="neutral")
    store.close()


# --- kept in step --------------------------------------------------------------------


def test_the_map_follows_a_change_of_values_in_the_same_transaction(
    demo_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "copy.gpkg"
    shutil.copy(demo_path, path)
    store = open_store(str(path))
    before = store.read(VALUES_LAYER)
    assert (before["indikator"] == "unemployment_rate").any()
    with pytest.raises(RuntimeError, match="abgebrochen"), editing.changes(store, EDITOR) as ch:
        ch.bulk_delete("indicator_values", {"indicator": "unemployed"})
        raise RuntimeError("abgebrochen")
    assert len(store.read(VALUES_LAYER)) == len(before)  # rolled back together
    with editing.changes(store, EDITOR) as ch:
        ch.bulk_delete("indicator_values", {"indicator": "unemployed"})
    after = store.read(VALUES_LAYER)
    gone = {"unemployed", "unemployment_rate"}  # the count and the rate computed from it
    assert not set(after["indikator"]) & gone
    assert len(after) == len(before) - before["indikator"].isin(gone).sum()
    styles = styles_of(store)
    names = set(styles.loc[styles["f_table_name"] == MAP_LAYER, "styleName"])
    assert "Arbeitslosenanteil" not in names and "Kinderarmut" in names
    store.close()


def test_qmon_qgis_needs_an_editor_and_writes_an_audit_row(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import main

    path = tmp_path / "copy.gpkg"
    shutil.copy(demo_path, path)
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM layer_styles")
    assert main(["qgis", "--store", str(path), "--user", "gast", "--role", "viewer"]) == 2
    assert "Keine Berechtigung" in capsys.readouterr().err
    assert main(["qgis", "--store", str(path), "--user", "erika", "--role", "editor"]) == 0
    out = capsys.readouterr().out
    assert "QGIS-Stile geschrieben" in out and "Standard „Kinderarmut“" in out
    store = open_store(str(path))
    log = store.read("audit_log")
    assert log[["user_name", "layer", "action"]].values.tolist()[-1] == [
        "erika",
        VALUES_LAYER,
        "refresh",
    ]
    assert len(styles_of(store)) == 21
    store.close()


def test_a_refresh_keeps_styles_saved_from_qgis(demo_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "copy.gpkg"
    shutil.copy(demo_path, path)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, useAsDefault, owner) "
            "VALUES ('', '', 'areas', 'geometry', 'Mein Stil', '<qgis/>', 0, 'anna')"
        )
    store = open_store(str(path))
    refresh_qgis(store, EDITOR)
    styles = styles_of(store)
    assert "Mein Stil" in set(styles["styleName"])
    assert (styles["styleName"] == "Gebietsgrenzen").sum() == 1
    store.close()


def test_an_exported_store_carries_the_styles_too(demo_path: Path, tmp_path: Path) -> None:
    from cli.main import main

    target = tmp_path / "kopie.gpkg"
    assert main(["export", "--store", str(demo_path), "--to", str(target)]) == 0
    store = open_store(str(target))
    styles = styles_of(store)
    assert sorted(styles.loc[styles["useAsDefault"].astype(bool), "f_table_name"]) == sorted(
        SPATIAL
    )
    assert len(store.read(VALUES_LAYER)) == len(open_store(str(demo_path)).read(VALUES_LAYER))
    store.close()


# --- QGIS itself ---------------------------------------------------------------------


def test_qgis_applies_the_stored_default_style_of_every_layer(
    qgis_demo: tuple[Path, dict[str, Any]],
) -> None:
    _, report = qgis_demo
    assert sorted(report) == sorted(SPATIAL)
    for name, entry in report.items():
        assert entry["valid"], name
        assert entry["loaded"] and entry["message"] == "Loaded from Provider", (name, entry)
        assert entry["features"] > 0, name
    # the store's renderers, not QGIS's single-symbol default
    for name in ("funding_areas", "measures", MAP_LAYER):
        assert report[name]["renderer_before"] == "singleSymbol"
        assert report[name]["renderer"] == "RuleRenderer", name
    assert report[MAP_LAYER]["rules"][-1] == "unterdrückt (weniger als 300 Einwohner)"
    assert report["measures"]["rules"][:2] == ["geplant", "bewilligt"]
    assert report["areas"]["aliases"]["vintage"] == "Gebietsstand"
    assert report[MAP_LAYER]["aliases"]["unterdr"] == "unterdrückt (Geheimhaltung)"
    assert "Arbeitslosenanteil" in report[MAP_LAYER]["styles"]
    assert report[MAP_LAYER]["named"][0]["ok"]


def test_qgis_renders_each_layer_in_the_styles_colours(
    qgis_demo: tuple[Path, dict[str, Any]], demo_store: Store
) -> None:
    out, _ = qgis_demo
    styles = styles_of(demo_store)
    defaults = styles[styles["useAsDefault"].astype(bool)].set_index("f_table_name")
    for name in SPATIAL:
        png = out / f"{name}.png"
        assert drawn(png) > 500, name  # not empty
        colours = default_colours(defaults.loc[name, "styleQML"])
        counts = {c: pixels(png, c) for c in colours}
        if name == "measures":  # a colour per status, each drawn
            assert sum(n > 20 for n in counts.values()) >= 4, counts
        elif name == "funding_areas":
            assert all(n > 50 for c, n in counts.items() if c != "#333333"), counts
        else:
            assert all(n > 50 for c, n in counts.items() if c != "#ffffff"), (name, counts)
    # the indicator map: the five classes and the hatching of suppressed areas
    qml = defaults.loc[MAP_LAYER, "styleQML"]
    for colour in sequential_colours(5):
        assert colour in default_colours(qml)
        assert pixels(out / f"{MAP_LAYER}.png", colour) > 300, colour
    assert pixels(out / f"{MAP_LAYER}.png", HATCH_COLOUR) > 50
    # another indicator's style from the style manager draws other areas in those colours
    a = np.asarray(Image.open(out / f"{MAP_LAYER}.png").convert("RGB"))
    b = np.asarray(Image.open(out / f"{MAP_LAYER}__0.png").convert("RGB"))
    assert (a != b).any(axis=2).mean() > 0.05
    assert all(pixels(out / f"{MAP_LAYER}__0.png", c) > 300 for c in sequential_colours(5))


def test_without_the_stored_styles_qgis_draws_none_of_the_colours(
    demo_path: Path, tmp_path: Path
) -> None:
    """The control: the colour counts above come from the stored styles, not by chance."""
    path = tmp_path / "plain.gpkg"
    shutil.copy(demo_path, path)
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM layer_styles")
    report = run_qgis(
        {"source": {"gpkg": str(path)}, "layers": [MAP_LAYER], "out": str(tmp_path)}, tmp_path
    )
    assert report[MAP_LAYER]["renderer"] == "singleSymbol"
    png = tmp_path / f"{MAP_LAYER}.png"
    assert drawn(png) > 500
    assert sum(pixels(png, c) > 300 for c in sequential_colours(5)) <= 1


def test_qgis_reads_the_styles_from_postgis(pg_url: str, tmp_path: Path) -> None:
    from psycopg.conninfo import conninfo_to_dict

    from data.musterstadt import load_musterstadt

    store = open_store(pg_url)
    store.init(crs="EPSG:25832")
    load_musterstadt(store)
    try:
        dsn, schema = pg_url.split("?schema=")
        info = conninfo_to_dict(dsn)
        source = {
            "postgis": {
                "host": info.get("host", "127.0.0.1"),
                "port": info.get("port", 5432),
                "dbname": info["dbname"],
                "user": info.get("user", "postgres"),
                "password": info.get("password", ""),
                "schema": schema,
            }
        }
        layers = ["areas", "funding_areas", "measures", MAP_LAYER]
        job = {
            "source": source,
            "layers": layers,
            "out": str(tmp_path),
            "geometry_types": {"measures": "Point"},
            "keys": {MAP_LAYER: "fid"},  # a view's key, chosen as QGIS offers it
        }
        report = run_qgis(job, tmp_path)
        for name in layers:
            assert report[name]["valid"] and report[name]["loaded"], (name, report[name])
        assert report[MAP_LAYER]["renderer"] == "RuleRenderer"
        assert report[MAP_LAYER]["features"] == len(store.read(VALUES_LAYER))
        png = tmp_path / f"{MAP_LAYER}.png"
        assert all(pixels(png, c) > 300 for c in sequential_colours(5))
        assert pixels(png, HATCH_COLOUR) > 50
    finally:
        store.close()
