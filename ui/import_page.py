"""Seite „Import“: Datei hochladen, Vorschau (Karte und Tabelle), Spalten zuordnen, bestätigen.

Gelesen wird mit geo.readers, importiert mit monitoring.imports. Vor der Bestätigung
wird nichts gespeichert; eine abgelehnte Datei zeigt den vollständigen Prüfbericht
(jede Zeile mit Spalte, Wert und Korrektur), und der Datenbestand bleibt unverändert.
"""

from __future__ import annotations

import inspect
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.errors import ImportRefused
from geo.readers import Table, is_vector_path, read_table, read_vector
from geo.webmap import preview_map
from monitoring import imports
from ui import assets, data, frames
from ui.common import current_user, guarded, static_url, store_url

PAGE = "import"


@dataclass(frozen=True)
class Option:
    """A column the import needs (``required``) or can use."""

    arg: str
    label: str
    required: bool = False
    guesses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    """One kind of import: its function, columns, fixed settings and the right it needs."""

    label: str
    function: Callable[..., imports.ImportResult]
    options: tuple[Option, ...]
    vector: bool
    action: str = "edit_funding"


KINDS: dict[str, Kind] = {
    "massnahmen": Kind(
        "Maßnahmen",
        imports.import_measures,
        (
            Option("id_col", "Kennung", True, ("id", "kennung", "nr")),
            Option("title_col", "Titel", True, ("title", "titel", "name", "bezeichnung")),
            Option("funding_area_col", "Gesamtmaßnahme", False, ("funding_area_id", "gebiet")),
            Option("status_col", "Status", False, ("status",)),
            Option("start_col", "Beginn", False, ("start_date", "beginn", "start")),
            Option("end_col", "Ende", False, ("end_date", "ende")),
            Option("cost_estimate_col", "Kostenschätzung", False, ("cost_estimate", "kosten")),
            Option("description_col", "Beschreibung", False, ("description", "beschreibung")),
            Option("wkt_col", "Geometrie (WKT)", False, ("wkt", "geometrie")),
            Option("x_col", "Rechtswert / x", False, ("x", "rechtswert", "lon")),
            Option("y_col", "Hochwert / y", False, ("y", "hochwert", "lat")),
        ),
        vector=False,
    ),
    "gebaeude": Kind(
        "Gebäude (Wohnungsbestand)",
        imports.import_buildings,
        (
            Option("id_col", "Kennung", True, ("id", "kennung")),
            Option("dwellings_col", "Wohnungen", False, ("dwellings", "wohnungen", "we")),
            Option("vacant_col", "leerstehende Wohnungen", False, ("vacant_dwellings", "leer")),
            Option("year_built_col", "Baujahr", False, ("year_built", "baujahr")),
            Option("owner_type_col", "Eigentümer", False, ("owner_type", "eigentuemer")),
        ),
        vector=True,
    ),
    "foerdergebiete": Kind(
        "Fördergebiete (Gesamtmaßnahmen)",
        imports.import_funding_areas,
        (
            Option("id_col", "Kennung", True, ("id", "kennung", "schluessel")),
            Option("name_col", "Name", True, ("name", "gebietsname")),
            Option("programme_col", "Programm", False, ("programme_id", "programm")),
            Option("start_year_col", "Aufnahmejahr", False, ("start_year", "aufnahme")),
            Option("status_col", "Förderstatus", False, ("funding_status", "status")),
        ),
        vector=True,
    ),
}


def guess(columns: list[str], option: Option) -> str | None:
    """Return the file column that looks like ``option`` (case-insensitive), if any.

    Examples
    --------
    >>> guess(["ID", "Titel"], Option("title_col", "Titel", True, ("title", "titel")))
    'Titel'
    >>> guess(["a"], Option("x", "X", False, ("x",))) is None
    True
    """
    lower = {c.lower(): c for c in columns}
    return next((lower[g] for g in option.guesses if g in lower), None)


def render() -> None:
    """Draw the page."""
    url = store_url()
    st.title("Import")
    user = current_user()
    with guarded():
        kind_key = st.selectbox(
            "Was wird importiert?",
            list(KINDS),
            format_func=lambda k: KINDS[k].label,
            key="import.art",
        )
        kind = KINDS[kind_key]
        if not user.may(kind.action):
            st.warning(f"Ihre Rolle ({user.role}) darf {kind.label} nicht importieren.")
            return
        upload = st.file_uploader(
            "Datei (CSV, XLSX, GeoPackage, GeoJSON, Shapefile als ZIP)",
            type=["csv", "xlsx", "gpkg", "geojson", "json", "zip"],
            key="import.datei",
        )
        if upload is None:
            st.info("Laden Sie eine Datei hoch. Gespeichert wird erst nach Ihrer Bestätigung.")
            return
        table = _read(upload.name, upload.getvalue())
        frame = table.frame
        st.subheader("Vorschau")
        st.caption(
            f"{len(frame)} Zeilen in {table.source}" + (f", {table.crs}" if table.crs else "")
        )
        if "geometry" in frame.columns and table.crs is not None:
            columns = [c for c in frame.columns if c != "geometry"][:4]
            fmap = assets.localize(preview_map(frame, columns=columns), base_url=static_url())
            st_folium(
                fmap, key="import_map", height=380, use_container_width=True, returned_objects=[]
            )
        st.dataframe(
            pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).head(200), width="stretch"
        )
        st.subheader("Spalten zuordnen")
        names = [str(c) for c in frame.columns if c != "geometry"]
        chosen: dict[str, Any] = {}
        cols = st.columns(3)
        for i, option in enumerate(kind.options):
            label = option.label + (" *" if option.required else "")
            default = guess(names, option)
            value = cols[i % 3].selectbox(
                label,
                [None, *names],
                index=0 if default is None else names.index(default) + 1,
                format_func=lambda c: "– keine –" if c is None else c,
                key=f"import.{kind_key}.{option.arg}",
            )
            if value is not None:
                chosen[option.arg] = value
        if kind_key == "massnahmen" and "funding_area_col" not in chosen:
            funding = data.layer(url, "funding_areas")
            if funding.empty:
                st.warning("Erfassen Sie zuerst Fördergebiete; jede Maßnahme gehört zu einem.")
                return
            chosen["funding_area"] = st.selectbox(
                "Gesamtmaßnahme für alle Zeilen",
                list(funding["id"]),
                format_func=lambda f: str(funding.set_index("id")["name"][f]),
                key="import.massnahmen.gebiet",
            )
        crs = st.text_input(
            "Koordinatensystem der Datei (z. B. EPSG:25832)",
            value="" if table.crs is not None else data.store(url).crs.to_string(),
            help="Nur nötig, wenn die Datei selbst keines angibt (CSV/XLSX mit x/y oder WKT).",
            key=f"import.{kind_key}.crs",
        )
        if crs.strip():
            chosen["crs"] = crs.strip()
        missing = [o.label for o in kind.options if o.required and o.arg not in chosen]
        located = any(k in chosen for k in ("wkt_col", "x_col")) and "crs" in chosen
        if "geometry" not in frame.columns and located:
            with guarded():
                points = frames.table_points(
                    frame,
                    x=chosen.get("x_col"),
                    y=chosen.get("y_col"),
                    wkt=chosen.get("wkt_col"),
                    crs=chosen["crs"],
                )
                if len(points):
                    shown = [
                        c for c in names if c in (chosen.get("id_col"), chosen.get("title_col"))
                    ]
                    fmap = preview_map(points, columns=shown or names[:2])
                    st_folium(
                        assets.localize(fmap, base_url=static_url()),
                        key="import_points",
                        height=320,
                        use_container_width=True,
                        returned_objects=[],
                    )
        if missing:
            st.warning(f"Bitte zuordnen: {', '.join(missing)}.")
            return
        if not st.button("Prüfen und importieren", type="primary", key="import.los"):
            st.caption(
                "Die Datei wird vollständig geprüft. Nur wenn sie fehlerfrei ist, werden alle "
                "Zeilen in einem Schritt gespeichert; sonst bleibt der Datenbestand unverändert."
            )
            return
        _run(url, kind, table, chosen, user.name)


@st.cache_data(show_spinner=False, max_entries=4)
def _read(name: str, content: bytes) -> Table:
    folder = Path(tempfile.mkdtemp(prefix="qmon-import-"))
    path = folder / Path(name).name
    path.write_bytes(content)
    return read_vector(path) if is_vector_path(path) else read_table(path)


def _run(url: str, kind: Kind, table: Table, chosen: dict[str, Any], user: str) -> None:
    bar = st.progress(0.0, text="Import beginnt")

    def progress(fraction: float, message: str) -> None:
        bar.progress(fraction, text=message)

    kwargs: dict[str, Any] = dict(chosen)
    if "progress" in inspect.signature(kind.function).parameters:
        kwargs["progress"] = progress
    try:
        result = kind.function(data.store(url), table, user=user, **kwargs)
    except ImportRefused as exc:
        bar.empty()
        st.error(
            f"Nicht importiert: {len(exc.problems)} Problem(e) gefunden. "
            "Der Datenbestand ist unverändert."
        )
        st.dataframe(report_frame(exc), hide_index=True, width="stretch")
        return
    bar.progress(1.0, text="fertig")
    data.clear()
    st.success(f"{result.rows} Zeilen gespeichert ({kind.label}).")
    for note in result.notes:
        st.info(note)


def report_frame(exc: ImportRefused) -> pd.DataFrame:
    """Return the problems of a refused import as a table (one row per problem)."""
    rows = []
    for p in exc.problems:
        rows.append(
            {
                "Zeile": getattr(p, "row", None),
                "Spalte": getattr(p, "column", None),
                "Wert": None if getattr(p, "value", None) is None else str(p.value),
                "Problem": getattr(p, "message", str(p)),
                "Korrektur": getattr(p, "fix", ""),
            }
        )
    return pd.DataFrame(rows)
