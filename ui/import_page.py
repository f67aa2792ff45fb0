"""Seite „Import“: hochladen, Art wählen, Spalten zuordnen, Vorschau, Prüfbericht, bestätigen.

Gelesen wird mit geo.readers, geprüft und importiert mit monitoring.imports. Sobald
die Pflichtangaben zugeordnet sind, läuft die Prüfung als Probelauf
(``dry_run=True``): derselbe Weg wie der Import, alle Prüfungen auch gegen den
Datenbestand, die Schreibvorgänge werden zurückgerollt. Ihr Bericht (jedes Problem
mit Zeile, Spalte, Wert und Korrektur, dazu die Hinweise) steht vor der Bestätigung;
„Importieren“ ist nur nach bestandener Prüfung möglich. Erst dann wird gespeichert,
in einer Transaktion, mit Fortschrittsbalken. Text aus der Datei erscheint nur als
Text (Tabellen, maskiertes Markdown).

Eine Tabelle, wie ein Statistikamt sie liefert: Tabellenblatt und Kopfzeile sind
wählbar (sonst erkannt; gelesen wird damit, der Prüfschlüssel enthält beide), was
das Lesen über die Tabelle fand (Kopfzeile, Titel, Fußnoten) steht unter der
Vorschau. Indikatortabellen: Gebiete nach Kennung oder Name, je Wertspalte ein
Indikator des Katalogs (leer: ein neuer aus der Kopfzeile), und nach einer nicht
bestandenen Prüfung die Wahl, nur die passenden Zeilen zu speichern
(``skip_unmatched``). Ausgelassene Zeilen, Unterschiede zu gespeicherten Werten,
abweichende Summenzeilen und neue Katalogeinträge erscheinen als Tabellen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import german
from geo.errors import ImportRefused
from geo.german import NO_VALUE_SHORT
from geo.readers import (
    NumberFormat,
    Table,
    detect_number_format,
    is_vector_path,
    parse_number,
    sheets,
)
from geo.schema import SCHEMA
from geo.store import Store
from geo.validation import Problem
from geo.webmap import preview_map
from monitoring import imports
from monitoring.auth import User
from monitoring.imports import pipeline
from monitoring.imports.indicators import numeric_columns
from ui import assets, data, frames
from ui.common import OUR_ERRORS, current_user, guarded, md, role_label, static_url, store_url
from ui.help_texts import COLUMN_HELP, HELP

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
    """One kind of import: its function, its columns, whether it takes vector files only."""

    label: str
    function: Callable[..., imports.ImportResult]
    options: tuple[Option, ...]
    vector: bool
    action: str = "edit_funding"


#: Headers of a column with the areas' names (a statistics office's table).
NAME_GUESSES = ("name", "stadtteil", "ortsteil", "bezirk", "stadtbezirk")

#: How the rows of an indicator table name their areas (``match`` of the import).
MATCH_CHOICES = {"id": "Kennung", "name": "Name"}

#: The checkbox that skips rows fitting no stored area (``skip_unmatched``).
SKIP_KEY = "import.indikatoren.auslassen"

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
            Option("cost_actual_col", "Ist-Kosten", False, ("cost_actual", "istkosten")),
            Option("cost_group_col", "Kostengruppe (KuF)", False, ("cost_group", "kostengruppe")),
            Option("description_col", "Beschreibung", False, ("description", "beschreibung")),
            Option("wkt_col", "Geometrie (WKT)", False, ("wkt", "geometrie")),
            Option("x_col", "Ostwert (x)", False, ("x", "ostwert", "rechtswert", "easting", "lon")),
            Option(
                "y_col", "Nordwert (y)", False, ("y", "nordwert", "hochwert", "northing", "lat")
            ),
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
            Option("storeys_col", "Geschosse", False, ("storeys", "geschosse")),
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
            Option("expected_end_col", "voraussichtliches Ende", False, ("expected_end", "ende")),
            Option("status_col", "Förderstatus", False, ("funding_status", "status")),
            Option("area_col", "amtliche Fläche (ha)", False, ("area_ha", "flaeche", "ha")),
        ),
        vector=True,
    ),
    "indikatoren": Kind(
        "Indikatortabelle",
        imports.import_indicators,
        (
            Option(
                "id_col",
                "Gebietskennung oder -name",
                True,
                ("id", "area_id", "plr_id", "gebiet", *NAME_GUESSES),
            ),
            Option("period_col", "Stichtag je Zeile", False, ("period", "stichtag", "datum")),
        ),
        vector=False,
    ),
    "gebiete": Kind(
        "Statistische Gebiete (Grenzen)",
        imports.import_areas,
        (
            Option("id_col", "Kennung", True, ("id", "plr_id", "schluessel", "kennung")),
            Option("name_col", "Name", False, ("name", "plr_name", "gebietsname")),
            Option("parent_col", "übergeordnetes Gebiet", False, ("parent_id", "bzr_id")),
        ),
        vector=True,
        action="edit_settings",
    ),
}

#: Number formats the user can choose instead of the detected one.
NUMBER_FORMATS: dict[str, NumberFormat | None] = {
    "automatisch erkennen": None,
    "1.234,5 (Dezimalkomma)": NumberFormat(",", "."),
    "1,234.5 (Dezimalpunkt)": NumberFormat(".", ","),
}

#: The choice "no column" / "none" of a selectbox (an empty string: None would show as
#: Streamlit's "Choose an option" placeholder after a rerun).
NONE = "– keine –"

DETAIL_LABELS = pipeline.DETAIL_LABELS
LAYER_LABELS = pipeline.LAYER_LABELS


@dataclass(frozen=True)
class Check:
    """The outcome of a dry run: the result it would store, or the problems found."""

    result: imports.ImportResult | None
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    total: int | None = None  # problems found, also those beyond the listed ones

    @property
    def found(self) -> int:
        return len(self.problems) if self.total is None else self.total

    @property
    def passed(self) -> bool:
        return self.result is not None


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


def parse_list(text: str) -> list[str]:
    """Split a comma-separated entry into its non-empty parts.

    Examples
    --------
    >>> parse_list(" -9999, ,-1 ")
    ['-9999', '-1']
    """
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_rename(text: str) -> tuple[dict[str, str], list[str]]:
    """Return the pairs ``ALT=neu`` of an entry and the parts that are no such pair.

    Examples
    --------
    >>> parse_rename("EW=residents, S1 = share_unemployed, kaputt")
    ({'EW': 'residents', 'S1': 'share_unemployed'}, ['kaputt'])
    """
    pairs: dict[str, str] = {}
    bad: list[str] = []
    for part in parse_list(text):
        old, sep, new = part.partition("=")
        if sep and old.strip() and new.strip():
            pairs[old.strip()] = new.strip()
        else:
            bad.append(part)
    return pairs, bad


def as_numbers(series: pd.Series) -> pd.Series:
    """Return the cells of a column as floats in the format most of them are written in.

    Cells that are no number become NaN (the import's check reports them).

    Examples
    --------
    >>> as_numbers(pd.Series(["500.000,5", "kaputt", 7])).tolist()
    [500000.5, nan, 7.0]
    """
    fmt = detect_number_format(series.tolist(), delimiter=";")
    out = []
    for cell in series.tolist():
        try:
            out.append(parse_number(cell, fmt))
        except (ValueError, TypeError):
            out.append(float("nan"))
    return pd.Series(out, index=series.index, dtype="float64", name=series.name)


def value_text(value: Any) -> str:
    """Return a value an import reads or stores as a German reader reads it.

    Text stays as it is (the user's own text); numbers get German separators with the
    decimals they have (at most six), dates read ``31.12.2024``.

    Examples
    --------
    >>> value_text(14619100), value_text(29.9132), value_text(2.0), value_text("1.5")
    ('14.619.100', '29,9132', '2', '1.5')
    >>> value_text(dt.date(2024, 12, 31)), value_text(True), value_text(None), value_text(2024)
    ('31.12.2024', 'ja', '–', '2024')
    """
    if german.is_missing(value):
        return german.NO_VALUE_SHORT
    if isinstance(value, str):
        return value
    if pd.api.types.is_bool(value):
        return "ja" if value else "nein"
    if isinstance(value, dt.date | pd.Timestamp):
        return german.date(value)
    if pd.api.types.is_integer(value) and 1900 <= value <= 2100:
        return str(value)  # a year
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    places = f"{number:.6f}".rstrip("0").split(".")[1] if not number.is_integer() else ""
    return german.number(number, decimals=len(places))


def preview_frame(frame: pd.DataFrame, *, limit: int = 200) -> pd.DataFrame:
    """Return the first rows of a file as read, for the preview: text as it is in the file,
    numbers (of a vector file's attributes) and dates the German way, empty cells empty.

    Examples
    --------
    >>> f = pd.DataFrame({"Name": ["Hof", None], "Fläche": [14619100.5, 3.0]})
    >>> preview_frame(f).values.tolist()
    [['Hof', '14.619.100,5'], [None, '3']]
    >>> preview_frame(f.rename_axis("line")).index.name  # the file's line numbers
    'Zeile'
    """
    shown = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).head(limit)
    columns: dict[Any, list[Any]] = {}
    for column in shown.columns:
        series = shown[column]
        written = pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(
            series
        )
        columns[column] = [
            None if german.is_missing(v) else (value_text(v) if written else str(v)) for v in series
        ]
    index = shown.index.rename("Zeile" if shown.index.name == "line" else shown.index.name)
    return pd.DataFrame(columns, index=index, columns=shown.columns, dtype=object)


def _rows(n: int) -> str:
    return german.count(n, "Zeile", "Zeilen")


def _problems(n: int) -> str:
    return german.count(n, "Problem", "Probleme")


def report_frame(problems: ImportRefused | tuple[Problem, ...] | list[Problem]) -> pd.DataFrame:
    """Return the problems of a refused import as a table, one row per problem, by row.

    Problems of the whole file (no row) come first.

    Examples
    --------
    >>> p = Problem("a.csv", "is not a number", "correct it", row=3, column="S1", value="x")
    >>> report_frame([p]).iloc[0].to_dict()["Wert"]
    'x'
    >>> report_frame([Problem("a.csv", "zu groß", "prüfen", row=2, value=140.5)])["Wert"][0]
    '140,5'
    """
    found = problems.problems if isinstance(problems, ImportRefused) else problems
    rows = [
        {
            "Zeile": p.row,
            "Spalte": p.column,
            "Wert": None if german.is_missing(p.value) else value_text(p.value),
            "Problem": p.message,
            "Korrektur": p.fix,
        }
        for p in found
    ]
    columns = ["Zeile", "Spalte", "Wert", "Problem", "Korrektur"]
    frame = pd.DataFrame(rows, columns=columns).astype({"Zeile": "Int64"})
    return frame.sort_values("Zeile", kind="stable", na_position="first").reset_index(drop=True)


#: The kinds of an indicator of the catalogue, in German.
INDICATOR_KINDS = {
    "count": "Anzahl (summierbar)",
    "share": "Anteil",
    "rate": "Rate",
    "index": "Index",
    "value": "Wert",
}

#: Details shown as their own table or sentence, not as a line of :func:`details_frame`.
OWN_DETAILS = frozenset({"areas_without_value", *pipeline.QUIET_DETAILS})


def details_frame(result: imports.ImportResult) -> pd.DataFrame:
    """Return what an import stores (or would store) as a two-column table, in German.

    Lists and tables among the details (skipped rows, differences, new indicators)
    are shown by :func:`detail_tables`, not here.

    Examples
    --------
    >>> r = imports.ImportResult("areas", "a.gpkg", 3, details={"level": "PLR"})
    >>> details_frame(r).values.tolist()
    [['Zeilen', '3'], ['Ziel', 'Gebiete'], ['Ebene', 'PLR']]
    >>> r = imports.ImportResult("measures", "m.csv", 12000, details={"new": 12000})
    >>> details_frame(r).values.tolist()
    [['Zeilen', '12.000'], ['Ziel', 'Maßnahmen'], ['neue Datensätze', '12.000']]
    >>> r = imports.ImportResult("indicator_values", "w.xlsx", 2,
    ...     details={"skipped": [{"row": 9, "name": "X", "reason": "?"}], "indicators": 1})
    >>> details_frame(r).values.tolist()[2:]
    [['Indikatoren', '1']]
    """
    rows = [
        ("Zeilen", german.number(result.rows)),
        ("Ziel", LAYER_LABELS.get(result.layer, result.layer)),
    ]
    rows += [
        (DETAIL_LABELS.get(k, k), value_text(v))
        for k, v in result.details.items()
        if v is not None and not isinstance(v, list | dict | tuple) and k not in OWN_DETAILS
    ]
    return pd.DataFrame(rows, columns=["Angabe", "Wert"])


def without_value_sentence(result: imports.ImportResult) -> str | None:
    """Say how many stored areas of the level the import gives no value, if it says.

    Examples
    --------
    >>> r = imports.ImportResult("indicator_values", "w.csv", 2,
    ...     details={"areas_without_value": 3, "level": "Ortsteil"})
    >>> without_value_sentence(r)
    '3 gespeicherte Gebiete der Ebene „Ortsteil“ bekommen aus dieser Datei keinen Wert.'
    >>> without_value_sentence(imports.ImportResult("areas", "a.gpkg", 1)) is None
    True
    """
    count = result.details.get("areas_without_value")
    if count is None:
        return None
    level = result.details.get("level")
    where = f" der Ebene „{level}“" if level else ""
    if count == 0:
        return f"Jedes gespeicherte Gebiet{where} bekommt aus dieser Datei einen Wert."
    areas = "gespeichertes Gebiet" if count == 1 else "gespeicherte Gebiete"
    verb = "bekommt" if count == 1 else "bekommen"
    return f"{german.number(count)} {areas}{where} {verb} aus dieser Datei keinen Wert."


def detail_tables(
    result: imports.ImportResult, registry: Mapping[str, Any] | None = None
) -> list[tuple[str, pd.DataFrame]]:
    """Return the details of an indicator import that are tables, each with its caption.

    Skipped rows (Zeile, Name, Grund), the differences to stored values of a
    re-import (counts, then examples), the aggregate rows whose values differ from
    the sum of their parts, the new catalogue entries (label, unit and kind from
    ``registry`` when it knows the key).

    Examples
    --------
    >>> r = imports.ImportResult("indicator_values", "w.xlsx", 2, details={
    ...     "skipped": [{"row": 9, "name": "Neuland", "reason": "kein gespeichertes Gebiet"}],
    ...     "aggregate_differences": [{"row": 8, "name": "Bezirk Nord", "indicator": "ew",
    ...                                "stated": 10.0, "sum": 9.0}],
    ...     "differences": {"edition": "A", "stored": 2, "changed": 1, "new": 0, "gone": 0,
    ...                     "unchanged": 1, "examples": ["X, ew: 1,0 -> 2,0"]},
    ...     "new_indicators": ["ew"], "new_definitions": [{"key": "ew",
    ...         "label": "Einwohner", "unit": "Personen", "kind": "count"}]})
    >>> [(caption.split(" (")[0], frame.values.tolist()) for caption, frame in detail_tables(r)]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('Ausgelassene Zeilen', [[9, 'Neuland', 'kein gespeichertes Gebiet']]),
     ('Unterschiede zu den gespeicherten Werten der Ausgabe „A“',
      [['geändert', '1'], ['neu', '0'], ['entfällt', '0'], ['unverändert', '1'],
       ['Beispiel', 'X, ew: 1,0 -> 2,0']]),
     ('Summenzeilen, deren Wert nicht die Summe ihrer Teile ist',
      [[8, 'Bezirk Nord', 'ew', '10', '9']]),
     ('Neue Indikatoren im Katalog', [['ew', 'Einwohner', 'Personen', 'Anzahl (summierbar)']])]
    """
    details = result.details
    out: list[tuple[str, pd.DataFrame]] = []
    skipped = details.get("skipped") or []
    if skipped:
        frame = pd.DataFrame(
            [
                {"Zeile": s.get("row"), "Name": s.get("name"), "Grund": s.get("reason")}
                for s in skipped
            ],
            columns=["Zeile", "Name", "Grund"],
        ).astype({"Zeile": "Int64"})
        out.append(("Ausgelassene Zeilen (nicht gespeichert)", frame))
    diff = details.get("differences")
    if isinstance(diff, dict) and diff:
        rows = [
            (label, german.number(diff.get(k, 0)))
            for k, label in (
                ("changed", "geändert"),
                ("new", "neu"),
                ("gone", "entfällt"),
                ("unchanged", "unverändert"),
            )
        ]
        rows += [("Beispiel", str(e)) for e in diff.get("examples") or []]
        edition = diff.get("edition")
        caption = "Unterschiede zu den gespeicherten Werten" + (
            f" der Ausgabe „{edition}“" if edition else ""
        )
        out.append((caption, pd.DataFrame(rows, columns=["Werte", "Anzahl"])))
    sums = details.get("aggregate_differences") or []
    if sums:
        frame = pd.DataFrame(
            [
                {
                    "Zeile": d.get("row"),
                    "Summenzeile": d.get("name"),
                    "Indikator": d.get("indicator"),
                    "genannt": value_text(d.get("stated")),
                    "Summe der Teile": value_text(d.get("sum")),
                }
                for d in sums
            ],
            columns=["Zeile", "Summenzeile", "Indikator", "genannt", "Summe der Teile"],
        ).astype({"Zeile": "Int64"})
        out.append(("Summenzeilen, deren Wert nicht die Summe ihrer Teile ist", frame))
    new = details.get("new_indicators") or []
    if new:
        entries: list[dict[str, Any]] = []
        inferred = {str(d.get("key")): d for d in details.get("new_definitions") or []}
        for key in new:
            known = registry.get(key) if registry is not None and key in registry else None
            guess = inferred.get(str(key), {})
            kind = getattr(known, "kind", None) or guess.get("kind")
            entries.append(
                {
                    "Schlüssel": str(key),
                    "Bezeichnung": getattr(known, "label", None) or guess.get("label"),
                    "Einheit": getattr(known, "unit", None) or guess.get("unit"),
                    "Art": None if kind is None else INDICATOR_KINDS.get(kind, kind),
                }
            )
        frame = pd.DataFrame(entries, columns=["Schlüssel", "Bezeichnung", "Einheit", "Art"])
        out.append(("Neue Indikatoren im Katalog", frame))
    return out


def check_key(content: bytes, kind: str, options: dict[str, Any]) -> str:
    """Return a key for the dry run of this file, kind and mapping.

    Examples
    --------
    >>> check_key(b"a", "gebiete", {"x": 1}) == check_key(b"a", "gebiete", {"x": 1})
    True
    >>> check_key(b"a", "gebiete", {"x": 1}) == check_key(b"a", "gebiete", {"x": 2})
    False
    """
    digest = hashlib.sha256(content)
    digest.update(repr((kind, sorted(options.items()))).encode())
    return digest.hexdigest()


def changes_frame(result: imports.ImportResult) -> pd.DataFrame:
    """Return the stored values an import replaces, one row per record and field.

    Examples
    --------
    >>> r = imports.ImportResult("measures", "m.csv", 1,
    ...     changes=(imports.Change("M1", "title", "Alt", "Neu", 2),))
    >>> changes_frame(r).values.tolist()
    [['M1', 2, 'Titel', 'Alt', 'Neu']]
    >>> r = imports.ImportResult("measures", "m.csv", 1,
    ...     changes=(imports.Change("M1", "cost_estimate", 1500000.0, 1250000.5, 2),))
    >>> changes_frame(r).values.tolist()
    [['M1', 2, 'Kostenschätzung (€)', '1.500.000', '1.250.000,5']]
    """
    titles = {c.name: c.title for c in SCHEMA.layer(result.layer).columns if c.title}
    rows = [
        {
            "Datensatz": c.record,
            "Zeile": c.row,
            "Feld": titles.get(c.field, c.field),
            "gespeichert": None if c.stored is None else value_text(c.stored),
            "aus der Datei": None if c.imported is None else value_text(c.imported),
        }
        for c in result.changes
    ]
    columns = ["Datensatz", "Zeile", "Feld", "gespeichert", "aus der Datei"]
    return pd.DataFrame(rows, columns=columns).astype({"Zeile": "Int64"})


def dry_run(
    store: Store, kind: Kind, table: Table, options: dict[str, Any], *, user: User
) -> Check:
    """Run the import as a dry run and return what it would store or every problem found."""
    try:
        result = kind.function(store, table, user=user, dry_run=True, **options)
    except ImportRefused as exc:
        return Check(None, tuple(exc.problems), tuple(exc.notes), total=exc.total)
    except OUR_ERRORS as exc:  # a refusal of the store itself (e.g. text it cannot keep)
        return Check(None, (Problem(table.source, str(exc)),))
    return Check(result, notes=result.notes)


# --- the page ------------------------------------------------------------------------


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
            st.warning(f"Ihre Rolle ({role_label(user)}) darf {kind.label} nicht importieren.")
            return
        kinds = "GeoPackage, GeoJSON, Shapefile als ZIP" if kind.vector else "CSV, XLSX"
        if kind_key == "massnahmen":
            kinds = "CSV, XLSX mit Koordinaten oder WKT, GeoPackage, GeoJSON, Shapefile als ZIP"
        upload = st.file_uploader(
            f"Datei ({kinds})",
            type=["csv", "xlsx", "gpkg", "geojson", "json", "zip"],
            key="import.datei",
        )
        if upload is None:
            st.info("Laden Sie eine Datei hoch. Gespeichert wird erst nach Ihrer Bestätigung.")
            return
        content = upload.getvalue()
        layout: dict[str, Any] = {}
        try:
            layout = _layout(upload.name, content) if not kind.vector else {}
            table = _read(upload.name, content, **layout)
        except ImportRefused as exc:
            where = f" (Tabellenblatt „{md(layout['sheet'])}“)" if "sheet" in layout else ""
            st.error(f"Die Datei {md(upload.name)}{where} kann nicht gelesen werden.")
            st.dataframe(
                report_frame(exc), hide_index=True, width="stretch", placeholder=NO_VALUE_SHORT
            )
            return
        _preview(table)
        options = _mapping(url, kind_key, kind, table)
        if options is None:
            return
        if kind_key == "indikatoren" and st.session_state.get(SKIP_KEY, False):
            options["skip_unmatched"] = True
        options["replace"] = st.checkbox(
            "Vorhandene Datensätze ändern bzw. ersetzen",
            key=f"import.{kind_key}.ersetzen",
            help="Ohne diese Wahl wird ein Import abgelehnt, der gespeicherte Werte ändern "
            "oder gespeicherte Zeilen ein zweites Mal bringen würde. Der Prüfbericht "
            "zeigt jede Änderung.",
        )
        _located_preview(table, options)
        key = check_key(content, kind_key, options | {"read": layout})
        check = _checked(url, key, kind, table, options, user)
        _report(check, url)
        if kind_key == "indikatoren" and (not check.passed or options.get("skip_unmatched")):
            st.checkbox(
                "Nur passende Zeilen speichern, die aufgeführten Zeilen auslassen",
                key=SKIP_KEY,
                help="Zeilen, die kein gespeichertes Gebiet sind (unbekannte Namen oder "
                "Kennungen, zusammengefasste Gebiete), werden nicht gespeichert und im "
                "Prüfbericht aufgeführt; alle anderen Zeilen werden importiert.",
            )
        done = st.session_state.get("import.erledigt") == key
        confirmed = st.button(
            "Importieren",
            type="primary",
            disabled=not check.passed or done,
            key="import.los",
            help="Nur möglich, wenn die Prüfung bestanden ist."
            if not check.passed
            else "Speichert alle Zeilen in einem Schritt.",
        )
        if done:
            st.success("Diese Datei ist mit dieser Zuordnung importiert.")
        if confirmed and check.passed and not done:
            _run(url, kind, table, options, user, key)


@st.cache_data(show_spinner=False, max_entries=4)
def _read(
    name: str, content: bytes, sheet: str | None = None, header_row: int | None = None
) -> Table:
    """Read the upload from a temporary folder that is removed right after reading.

    ``sheet`` and ``header_row`` (a table's worksheet and the row of its last header
    row, None: detect) are part of the cache key.
    """
    with tempfile.TemporaryDirectory(prefix="qmon-import-") as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(content)
        if is_vector_path(path):  # the pipeline's readers record the file's fingerprint
            return pipeline.vector(path, layer=None)
        return pipeline.table(
            path, sheet=sheet, delimiter=None, encoding=None, header_row=header_row
        )


@st.cache_data(show_spinner=False, max_entries=4)
def _sheets(name: str, content: bytes) -> list[str]:
    """Return the worksheets of an uploaded workbook (none for other files)."""
    if Path(name).suffix.lower() not in (".xlsx", ".xlsm"):
        return []
    with tempfile.TemporaryDirectory(prefix="qmon-import-") as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(content)
        return sheets(path)


def _layout(name: str, content: bytes) -> dict[str, Any]:
    """Draw the choice of worksheet and header row of a table; return them for reading."""
    if is_vector_path(Path(name)):
        return {}
    chosen: dict[str, Any] = {}
    cols = st.columns(2)
    books = _sheets(name, content)
    if len(books) > 1:
        chosen["sheet"] = cols[0].selectbox("Tabellenblatt", books, key="import.blatt")
    header = cols[1].number_input(
        "Kopfzeile in Zeile",
        min_value=0,
        value=None,
        step=1,
        placeholder="automatisch erkennen",
        help="Die Zeile (wie in Excel gezählt) der letzten Kopfzeile, wenn die Tabelle "
        "Titelzeilen oder eine mehrzeilige Kopfzeile hat und die Erkennung nicht stimmt. "
        "Leer oder 0: automatisch erkennen.",
        key="import.kopfzeile",
    )
    if header:
        chosen["header_row"] = int(header)
    return chosen


def _preview(table: Table) -> None:
    """Show the file as read: its features on a map (vector files) and as a table."""
    frame = table.frame
    st.subheader("Vorschau")
    crs = f", Koordinatensystem {table.crs.to_string()}" if table.crs is not None else ""
    st.caption(f"{_rows(len(frame))} in {md(table.source)}{md(crs)}")
    if "geometry" in frame.columns and table.crs is not None:
        columns = [c for c in frame.columns if c != "geometry"][:4]
        fmap = assets.localize(preview_map(frame, columns=columns), base_url=static_url())
        st_folium(fmap, key="import_map", height=380, use_container_width=True, returned_objects=[])
    st.dataframe(preview_frame(frame), width="stretch", placeholder=NO_VALUE_SHORT)
    notes = table_notes(table)
    if notes:
        st.caption("Zur Tabelle")
        st.dataframe(
            pd.DataFrame({"Hinweis zur Tabelle": notes}),
            hide_index=True,
            placeholder=NO_VALUE_SHORT,
        )


def table_notes(table: Table) -> list[str]:
    """Return what reading found about a table: layout notes, its title, its footnotes.

    Examples
    --------
    >>> t = Table(pd.DataFrame({"a": ["1"]}), "w.xlsx", "row", notes=["w.xlsx: Kopf erkannt"],
    ...     details={"title": "Einwohner 2023", "footnotes": ["Quelle: Amt"]})
    >>> table_notes(t)
    ['w.xlsx: Kopf erkannt', 'Titel: Einwohner 2023', 'Fußnote: Quelle: Amt']
    """
    out = [str(n) for n in table.notes]
    title = table.details.get("title")
    if title:
        out.append(f"Titel: {title}")
    out += [f"Fußnote: {f}" for f in table.details.get("footnotes") or [] if str(f).strip()]
    return out


def _mapping(url: str, kind_key: str, kind: Kind, table: Table) -> dict[str, Any] | None:
    """Draw the column mapping and the settings; return the options, None if incomplete."""
    st.subheader("Spalten zuordnen")
    names = [str(c) for c in table.frame.columns if c != "geometry"]
    chosen: dict[str, Any] = {}
    if kind_key == "indikatoren":
        match = st.radio(
            "Gebiete erkennen an",
            list(MATCH_CHOICES),
            format_func=MATCH_CHOICES.__getitem__,
            horizontal=True,
            key="import.indikatoren.match",
            help=HELP["gebiete_erkennen"],
        )
        if match != "id":
            chosen["match"] = match
    cols = st.columns(3)
    for i, option in enumerate(kind.options):
        default = guess(names, option)
        _forget_stale(f"import.{kind_key}.{option.arg}", names)
        value = cols[i % 3].selectbox(
            option.label + (" *" if option.required else ""),
            ["", *names],
            index=0 if default is None else names.index(default) + 1,
            format_func=lambda c: c or NONE,
            key=f"import.{kind_key}.{option.arg}",
            help=HELP.get(COLUMN_HELP.get(option.arg, "")),
        )
        if value:
            chosen[option.arg] = value
    missing = [o.label for o in kind.options if o.required and o.arg not in chosen]
    by_kind: dict[str, Callable[[str, list[str], dict[str, Any]], list[str]]] = {
        "gebiete": _area_settings,
        "foerdergebiete": _funding_settings,
        "indikatoren": partial(_indicator_settings, frame=table.frame),
        "massnahmen": _measure_settings,
        "gebaeude": _no_settings,
    }
    settings = by_kind[kind_key]
    missing += settings(url, names, chosen)
    has_geometry = "geometry" in table.frame.columns
    if has_geometry or kind_key == "massnahmen":
        crs = st.text_input(
            "Koordinatensystem der Datei (z. B. EPSG:25832)",
            value="" if table.crs is not None else data.store(url).crs.to_string(),
            help="Nur nötig, wenn die Datei selbst keines angibt (CSV/XLSX mit x/y oder WKT, "
            "Shapefile ohne .prj) oder ein falsches.",
            key=f"import.{kind_key}.crs",
        )
        if crs.strip():
            chosen["crs"] = crs.strip()
    if has_geometry:
        chosen["strict"] = st.checkbox(
            "Ungültige Geometrien ablehnen (statt sie zu reparieren)",
            key=f"import.{kind_key}.strict",
        )
    if missing:
        st.warning(f"Bitte angeben: {', '.join(missing)}. Dann wird die Datei geprüft.")
        return None
    return chosen


def _forget_stale(key: str, names: list[str]) -> None:
    """Forget a column choice naming columns the table no longer has (read anew).

    Then the widget proposes its guess again for the table as read now (another
    header row or sheet) instead of keeping a choice it cannot show.
    """
    value = st.session_state.get(key)
    chosen = value if isinstance(value, list) else [value]
    if value is not None and any(c and c not in names for c in chosen):
        del st.session_state[key]


def _no_settings(url: str, names: list[str], chosen: dict[str, Any]) -> list[str]:
    return []


def _area_settings(url: str, names: list[str], chosen: dict[str, Any]) -> list[str]:
    """Level, validity and vintage of a boundary set."""
    cols = st.columns(4)
    level = (
        cols[0]
        .text_input("Ebene * (z. B. PLR)", key="import.gebiete.ebene", help=HELP["ebene_import"])
        .strip()
    )
    for place, arg, label, hint in (
        (cols[1], "valid_from", "gültig ab (Datum)", "gueltig_ab"),
        (cols[2], "valid_to", "gültig bis (Datum)", "gueltig_bis"),
        (cols[3], "vintage", "Gebietsstand (sonst Jahr von „gültig ab“)", "gebietsstand_grenzen"),
    ):
        value = place.text_input(label, key=f"import.gebiete.{arg}", help=HELP[hint]).strip()
        if value:
            chosen[arg] = value
    if level:
        chosen["level"] = level
    missing = [] if level else ["Ebene"]
    if "valid_from" not in chosen and "vintage" not in chosen:
        missing.append("gültig ab oder Gebietsstand")
    return missing


def _funding_settings(url: str, names: list[str], chosen: dict[str, Any]) -> list[str]:
    """The programme of all areas, when no column gives it per area."""
    if "programme_col" in chosen:
        return []
    programmes = data.layer(url, "programmes")
    label = dict(zip(programmes["id"], programmes["name"]))
    value = st.selectbox(
        "Programm für alle Gebiete",
        ["", *label],
        format_func=lambda p: str(label[p]) if p else NONE,
        key="import.foerdergebiete.programm",
    )
    if value:
        chosen["programme"] = value
    return []


def _indicator_settings(
    url: str, names: list[str], chosen: dict[str, Any], *, frame: pd.DataFrame | None = None
) -> list[str]:
    """Shape, value columns, period, no-data codes, number format, level and vintage."""
    missing: list[str] = []
    wide = (
        st.radio(
            "Aufbau der Tabelle",
            ["breit", "lang"],
            format_func=lambda s: {
                "breit": "breit: eine Spalte je Indikator",
                "lang": "lang: Spalten Indikator und Wert",
            }[s],
            horizontal=True,
            key="import.indikatoren.form",
            help=HELP["aufbau"],
        )
        == "breit"
    )
    used = {chosen.get("id_col"), chosen.get("period_col")}
    if wide:
        every = [n for n in names if n not in used]
        _forget_stale("import.indikatoren.spalten", names)
        columns = st.multiselect(
            "Indikatorspalten *",
            names,
            default=every,
            key="import.indikatoren.spalten",
            select_all=False,
        )
        if columns and columns == every:
            st.caption(
                "Alle Spalten mit Zahlen werden Indikatoren (Textspalten wie Namen bleiben "
                "außen vor); neue Indikatoren kommen mit Bezeichnung, Einheit und Art aus "
                "der Kopfzeile in den Indikatorkatalog."
            )
        elif columns:
            chosen["columns"] = columns
        else:
            missing.append("Indikatorspalten")
    else:
        pair = st.columns(2)
        for place, arg, label, default in (
            (pair[0], "indicator_col", "Spalte mit dem Indikator *", "indicator"),
            (pair[1], "value_col", "Spalte mit dem Wert *", "value"),
        ):
            _forget_stale(f"import.indikatoren.{arg}", names)
            value = place.selectbox(
                label,
                ["", *names],
                index=names.index(default) + 1 if default in names else 0,
                format_func=lambda c: c or NONE,
                key=f"import.indikatoren.{arg}",
            )
            if not value:
                missing.append(label.rstrip(" *"))
            else:
                chosen[arg] = value
    cols = st.columns(3)
    if "period_col" not in chosen:
        period = (
            cols[0]
            .text_input(
                "Stichtag aller Werte * (z. B. 31.12.2021)",
                key="import.indikatoren.stichtag",
                help=HELP["stichtag_import"],
            )
            .strip()
        )
        if period:
            chosen["period"] = period
        else:
            missing.append("Stichtag (oder eine Spalte mit dem Stichtag)")
    na = parse_list(
        cols[1].text_input(
            "Kennungen für fehlende Werte (z. B. -9999)",
            key="import.indikatoren.na",
            help=HELP["fehlende_werte"],
        )
    )
    if na:
        chosen["na"] = na
    number = cols[2].selectbox(
        "Zahlenformat",
        list(NUMBER_FORMATS),
        key="import.indikatoren.zahlen",
        help=HELP["zahlenformat"],
    )
    if NUMBER_FORMATS[number] is not None:
        chosen["number_format"] = NUMBER_FORMATS[number]
    if wide:
        value_columns = list(chosen.get("columns") or every)
        if "columns" not in chosen and frame is not None:  # the import takes the numbers
            value_columns = numeric_columns(frame, exclude=[str(c) for c in used if c])
        rename = _catalogue_mapping(url, value_columns)
    else:
        rename = {}
    typed, bad = parse_rename(
        st.text_input(
            "oder per Tastatur: Spalten umbenennen in Indikatorschlüssel (ALT=neu, …)",
            key="import.indikatoren.umbenennen",
            help="Gilt vor der Tabelle darüber.",
        )
    )
    if bad:
        st.warning(f"Nicht als ALT=neu lesbar: {md(', '.join(bad))}")
    rename |= typed
    if rename:
        chosen["rename"] = rename
    areas = data.layer(url, "areas")
    where = st.columns(3)
    level = where[0].selectbox(
        "Ebene der Gebiete",
        ["", *sorted(areas["level"].dropna().unique())],
        format_func=lambda v: v or "automatisch (beste Übereinstimmung)",
        key="import.indikatoren.ebene",
        help=HELP["ebene_werte"],
    )
    vintages = areas.loc[areas["level"] == level, "vintage"] if level else areas["vintage"]
    vintage = where[1].selectbox(
        "Gebietsstand",
        ["", *sorted(vintages.dropna().unique())],
        format_func=lambda v: v or "automatisch",
        key="import.indikatoren.stand",
        help=HELP["gebietsstand"],
    )
    edition = (
        where[2]
        .text_input(
            "Ausgabe (sonst der Dateiname)", key="import.indikatoren.ausgabe", help=HELP["ausgabe"]
        )
        .strip()
    )
    for arg, value in (("level", level), ("vintage", vintage), ("edition", edition)):
        if value:
            chosen[arg] = value
    return missing


def mapping_frame(columns: list[str], rename: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Return the table the user maps value columns onto catalogue keys with.

    Examples
    --------
    >>> mapping_frame(["EW", "Anteil"], {"EW": "residents"}).values.tolist()
    [['EW', 'residents'], ['Anteil', '']]
    """
    rename = rename or {}
    return pd.DataFrame(
        {"Spalte": columns, "Indikator im Katalog": [rename.get(c, "") for c in columns]}
    )


def rename_of(frame: pd.DataFrame) -> dict[str, str]:
    """Return the columns mapped onto a catalogue key (empty: a new indicator).

    Examples
    --------
    >>> rename_of(pd.DataFrame({"Spalte": ["EW", "A"], "Indikator im Katalog": ["ew", None]}))
    {'EW': 'ew'}
    """
    out: dict[str, str] = {}
    for column, key in zip(frame["Spalte"], frame["Indikator im Katalog"]):
        if isinstance(key, str) and key.strip():
            out[str(column)] = key.strip()
    return out


def _catalogue_mapping(url: str, columns: list[str]) -> dict[str, str]:
    """Draw one row per value column with its catalogue indicator; return the mapping."""
    if not columns:
        return {}
    registry = data.registry(url)
    labels = {str(k): f"{registry[k].label} ({k})" for k in registry}
    st.caption(
        "Indikator im Katalog je Spalte: leer lassen für einen neuen eigenen Indikator "
        "(Schlüssel, Bezeichnung, Einheit und Art aus der Kopfzeile)."
    )
    edited = st.data_editor(
        mapping_frame(columns),
        column_config={
            "Spalte": st.column_config.TextColumn("Spalte", disabled=True),
            "Indikator im Katalog": st.column_config.SelectboxColumn(
                "Indikator im Katalog",
                options=["", *sorted(labels, key=lambda k: labels[k].lower())],
                format_func=lambda k: labels.get(str(k), "") if k else "– neuer Indikator –",
                required=False,
            ),
        },
        hide_index=True,
        num_rows="fixed",
        width="stretch",
        key=f"import.indikatoren.katalog.{hashlib.sha256(repr(columns).encode()).hexdigest()[:8]}",
        placeholder=NO_VALUE_SHORT,
    )
    return rename_of(edited)


def _measure_settings(url: str, names: list[str], chosen: dict[str, Any]) -> list[str]:
    """The funding area of all measures (unless a column gives it) and the number format."""
    missing: list[str] = []
    if "funding_area_col" not in chosen:
        funding = data.layer(url, "funding_areas")
        if funding.empty:
            st.warning("Erfassen Sie zuerst Fördergebiete; jede Maßnahme gehört zu einem.")
            return ["Gesamtmaßnahme"]
        label = dict(zip(funding["id"], funding["name"]))
        chosen["funding_area"] = st.selectbox(
            "Gesamtmaßnahme für alle Zeilen",
            list(label),
            format_func=lambda f: f"{label[f]} ({f})",
            key="import.massnahmen.gebiet",
        )
    number = st.selectbox(
        "Zahlenformat (Kosten, Koordinaten)",
        list(NUMBER_FORMATS),
        key="import.massnahmen.zahlen",
        help=HELP["zahlenformat"],
    )
    if NUMBER_FORMATS[number] is not None:
        chosen["number_format"] = NUMBER_FORMATS[number]
    return missing


def _located_preview(table: Table, options: dict[str, Any]) -> None:
    """Map the rows of a table with x/y or WKT columns (vector files are mapped above)."""
    frame = table.frame
    if "geometry" in frame.columns or "crs" not in options:
        return
    x, y, wkt = options.get("x_col"), options.get("y_col"), options.get("wkt_col")
    if wkt is None and (x is None or y is None):
        return
    if wkt is None and x is not None and y is not None:
        frame = frame.assign(**{x: as_numbers(frame[x]), y: as_numbers(frame[y])})
    with guarded():
        points = frames.table_points(frame, x=x, y=y, wkt=wkt, crs=options["crs"])
        if not len(points):
            return
        names = [str(c) for c in frame.columns]
        shown = [c for c in names if c in (options.get("id_col"), options.get("title_col"))]
        fmap = preview_map(points, columns=shown or names[:2])
        st_folium(
            assets.localize(fmap, base_url=static_url()),
            key="import_points",
            height=320,
            use_container_width=True,
            returned_objects=[],
        )


def _checked(
    url: str, key: str, kind: Kind, table: Table, options: dict[str, Any], user: User
) -> Check:
    """Return the dry run of this file and mapping (run once, then kept for the session)."""
    kept = st.session_state.get("import.pruefung")
    if isinstance(kept, tuple) and kept[:2] == (url, key):
        return kept[2]
    with st.spinner("Die Datei wird geprüft (Probelauf, es wird nichts gespeichert) …"):
        check = dry_run(data.store(url), kind, table, options, user=user)
    st.session_state["import.pruefung"] = (url, key, check)
    return check


def _details(url: str, result: imports.ImportResult) -> None:
    """Show the details of a result: the summary table, a sentence, the detail tables."""
    st.dataframe(details_frame(result), hide_index=True, placeholder=NO_VALUE_SHORT)
    sentence = without_value_sentence(result)
    if sentence:
        st.info(sentence)
    right = st.column_config.TextColumn(alignment="right")
    for caption, frame in detail_tables(result, data.registry(url)):
        st.caption(caption)
        config = {c: right for c in ("Anzahl", "genannt", "Summe der Teile") if c in frame}
        st.dataframe(
            frame,
            column_config=config,
            hide_index=True,
            width="stretch",
            placeholder=NO_VALUE_SHORT,
        )


def _report(check: Check, url: str) -> None:
    """Show the dry run's report: what would be stored, or every problem; the notes."""
    st.subheader("Prüfbericht")
    if check.result is not None:
        st.success(
            f"Prüfung bestanden: {_rows(check.result.rows)} "
            f"{'würde' if check.result.rows == 1 else 'würden'} gespeichert. "
            "Noch ist nichts gespeichert; bestätigen Sie mit „Importieren“."
        )
        _details(url, check.result)
        if check.result.changes:
            st.caption("Diese gespeicherten Werte werden geändert")
            st.dataframe(
                changes_frame(check.result),
                hide_index=True,
                width="stretch",
                placeholder=NO_VALUE_SHORT,
            )
    else:
        st.error(
            f"{_problems(check.found)} gefunden: so wird die Datei nicht importiert. "
            "Der Datenbestand ist unverändert. Korrigieren Sie die Datei oder die Zuordnung."
        )
        st.dataframe(
            report_frame(check.problems),
            hide_index=True,
            width="stretch",
            placeholder=NO_VALUE_SHORT,
        )
    if check.notes:
        st.caption("Hinweise")
        st.dataframe(
            pd.DataFrame({"Hinweis": list(check.notes)}),
            hide_index=True,
            placeholder=NO_VALUE_SHORT,
        )


def _run(url: str, kind: Kind, table: Table, options: dict[str, Any], user: User, key: str) -> None:
    """Import for real, with a progress bar; show the result or the refusal."""
    bar = st.progress(0.0, text="Import beginnt")

    def progress(fraction: float, message: str) -> None:
        bar.progress(fraction, text=message)

    try:
        result = kind.function(data.store(url), table, user=user, progress=progress, **options)
    except ImportRefused as exc:  # the store changed since the dry run
        bar.empty()
        st.error(
            f"Nicht importiert: {_problems(exc.total)} gefunden. Der Datenbestand ist unverändert."
        )
        st.dataframe(
            report_frame(exc), hide_index=True, width="stretch", placeholder=NO_VALUE_SHORT
        )
        return
    bar.progress(1.0, text="fertig")
    data.clear()
    st.session_state["import.erledigt"] = key
    st.success(
        f"{_rows(result.rows)} gespeichert ({kind.label}). Import {result.batch_id}; "
        f"rückgängig mit: qmon import undo {result.batch_id}"
    )
    _details(url, result)
