"""``qmon import …``: bring a city's own files and databases into the store.

Subcommands: ``areas``, ``funding-areas``, ``indicators``, ``measures``,
``buildings``. Each is one transaction: exit 0 when everything was stored; exit 2
with the list of every problem on stderr (nothing stored) when the input is refused.
``--dry-run`` runs every check (and the writes, rolled back) and says what would be
stored, without changing the store: exit 0 when the import would pass, 2 otherwise.
``--replace`` lets an import change stored records (listed field by field) or replace
stored rows (counted). Every import acts as a user (``--user``/``--role``, default
``$QMON_USER``/``$QMON_ROLE``) whose role is checked.

``list`` shows the imports of the store (who, when, the file's fingerprint, counts),
``undo BATCH`` undoes one as a whole; ``qmon imports`` and ``qmon imports undo BATCH``
are the same, as top-level commands.

``import indicators --match name`` matches the rows by the names in ``--id COL``;
``--skip-unmatched`` stores the rows that match and lists the others (rows for
several areas, names or ids that fit no area). Without ``--edition``, a re-import of
the same indicators, level, vintage and periods replaces the stored values (with
``--replace``, after showing the differences) under their edition; an explicit
different ``--edition`` is stored as an edition of its own.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd

from cli.monitoring_cmds import _logged_at, acting_user
from geo import german
from geo.errors import ImportRefused
from geo.readers import NumberFormat, Table, read_sql
from geo.store import open_store, store_url
from geo.validation import Problem
from monitoring import imports
from monitoring.auth import ROLES

_TAB_NAMES = {"tab": "\t", "\\t": "\t", "TAB": "\t"}


def register(subparsers: Any) -> None:
    """Add ``qmon import`` and its subcommands."""
    parser = subparsers.add_parser(
        "import",
        help="Gebiete, Fördergebiete, Indikatoren, Maßnahmen oder Gebäude importieren",
        description="Eigene Daten der Stadt importieren. Jeder Import ist eine Transaktion: "
        "entweder wird alles gespeichert oder nichts, und jedes gefundene Problem wird "
        "aufgeführt.",
    )
    sub = parser.add_subparsers(dest="what", required=True, metavar="WHAT")

    areas = _command(sub, "areas", "Statistische Gebiete (Grenzen) importieren", _areas)
    _vector_source(areas)
    areas.add_argument("--level", required=True, help="Ebene, z. B. PLR, BZR, Stadtteil")
    areas.add_argument("--id", required=True, dest="id_col", metavar="COL")
    areas.add_argument("--name", dest="name_col", metavar="COL")
    areas.add_argument("--parent", dest="parent_col", metavar="COL")
    areas.add_argument("--valid-from", metavar="DATE")
    areas.add_argument("--valid-to", metavar="DATE")
    areas.add_argument("--vintage", help="Gebietsstand (Standard: Jahr von --valid-from)")

    funding = _command(
        sub, "funding-areas", "Fördergebiete (Gesamtmaßnahmen) importieren", _funding_areas
    )
    _vector_source(funding)
    funding.add_argument("--id", required=True, dest="id_col", metavar="COL")
    funding.add_argument("--name", required=True, dest="name_col", metavar="COL")
    group = funding.add_mutually_exclusive_group()
    group.add_argument("--programme", metavar="ID", help="Kennung des Programms für alle Gebiete")
    group.add_argument("--programme-col", metavar="COL")
    funding.add_argument(
        "--start-year",
        dest="start_year_col",
        metavar="COL",
        help="Spalte mit dem Startjahr oder einem Datum (24.05.2016)",
    )
    funding.add_argument("--expected-end", dest="expected_end_col", metavar="COL")
    funding.add_argument("--status", dest="status_col", metavar="COL")
    group = funding.add_mutually_exclusive_group()
    group.add_argument(
        "--designation",
        metavar="TEXT",
        help="z. B. 'Erhaltungsgebiet (§172 BauGB)' für alle Gebiete",
    )
    group.add_argument("--designation-col", metavar="COL")
    group = funding.add_mutually_exclusive_group()
    group.add_argument("--ags", metavar="AGS", help="Gemeindeschlüssel (AGS) für alle Gebiete")
    group.add_argument("--ags-col", metavar="COL")
    funding.add_argument(
        "--area",
        dest="area_col",
        metavar="COL",
        help="Spalte mit der amtlichen Fläche in ha (gegen das Polygon geprüft)",
    )

    ind = _command(
        sub, "indicators", "Indikatorwerte (CSV, XLSX, Datenbank) importieren", _indicators
    )
    _table_source(ind)
    ind.add_argument("--id", required=True, dest="id_col", metavar="COL")
    ind.add_argument("--period", metavar="DATE", help="Stichtag aller Werte (2020-12-31)")
    ind.add_argument("--period-col", metavar="COL", help="Spalte mit dem Stichtag je Zeile")
    ind.add_argument(
        "--columns",
        type=_list,
        metavar="A,B,C",
        help="Indikatorspalten einer breiten Tabelle (Standard: jede Spalte mit Zahlen; die "
        "Kopfzeile gibt Bezeichnung, Einheit und Art eines neuen Indikators)",
    )
    ind.add_argument("--rename", type=_pairs, default={}, metavar="A=key,…")
    ind.add_argument(
        "--na",
        type=_list,
        default=[],
        metavar="VALUE,…",
        help="Codes für fehlende Werte, als fehlend gespeichert, z. B. -9999",
    )
    ind.add_argument("--level")
    ind.add_argument("--vintage")
    ind.add_argument(
        "--match",
        choices=["id", "name"],
        default="id",
        help="--id SPALTE enthält Gebietskennungen (Standard) oder Gebietsnamen (zugeordnet "
        "zu den gespeicherten Namen über Groß-/Kleinschreibung, Umlaute, Bindestriche, "
        "St./Sankt; nie über Ähnlichkeit)",
    )
    ind.add_argument(
        "--skip-unmatched",
        action="store_true",
        help="die Zeilen speichern, die zu einem gespeicherten Gebiet passen, und die übrigen "
        "auflisten (Namen oder Kennungen ohne Gebiet, Zeilen für mehrere Gebiete), statt die "
        "Datei abzulehnen",
    )
    ind.add_argument(
        "--edition",
        help="Ausgabe, z. B. 'MSS 2021' (Standard: die Ausgabe der Werte, die die Datei "
        "erneut bringt, sonst der Dateiname); ein anderer Name wird als eigene Ausgabe "
        "gespeichert",
    )
    ind.add_argument("--source", dest="source_label", help="Quelle (Standard: Dateiname)")
    ind.add_argument(
        "--indicator-col", metavar="COL", help="lange Tabelle: der Schlüssel des Indikators"
    )
    ind.add_argument("--value-col", metavar="COL", help="lange Tabelle: der Wert")
    ind.add_argument(
        "--header-row",
        type=_row_number,
        metavar="N",
        help="Zeile (CSV: Zeilennummer) der letzten Kopfzeile, wo Titelzeilen und eine "
        "Kopfzeile über mehrere Zeilen nicht sicher erkannt werden",
    )
    _number_options(ind)

    measures = _command(sub, "measures", "Maßnahmen importieren", _measures)
    _vector_source(measures)
    _table_source(measures, file=False)
    measures.add_argument("--id", required=True, dest="id_col", metavar="COL")
    measures.add_argument("--title", required=True, dest="title_col", metavar="COL")
    group = measures.add_mutually_exclusive_group()
    group.add_argument("--funding-area", metavar="ID")
    group.add_argument("--funding-area-col", metavar="COL")
    measures.add_argument("--x", dest="x_col", metavar="COL")
    measures.add_argument("--y", dest="y_col", metavar="COL")
    measures.add_argument("--wkt", dest="wkt_col", metavar="COL")
    for option in (
        "description", "status", "start", "end", "cost-estimate", "cost-actual", "cost-group",
    ):  # fmt: skip
        measures.add_argument(f"--{option}", dest=option.replace("-", "_") + "_col", metavar="COL")
    _number_options(measures)

    buildings = _command(sub, "buildings", "Gebäude (Wohnungsbestand) importieren", _buildings)
    _vector_source(buildings)
    buildings.add_argument("--id", required=True, dest="id_col", metavar="COL")
    for option in ("dwellings", "vacant", "year-built", "owner-type", "storeys"):
        buildings.add_argument(f"--{option}", dest=option.replace("-", "_") + "_col", metavar="COL")

    _batch_commands(sub, inherit=False)
    alias = subparsers.add_parser(
        "imports",
        help="Importe anzeigen (wer, wann, Fingerabdruck der Datei, Anzahlen) oder einen "
        "rückgängig machen",
        description="Importe anzeigen (qmon imports) oder einen rückgängig machen (qmon "
        "imports undo ID); dasselbe wie qmon import list / qmon import undo.",
    )
    _acting(alias)
    alias.set_defaults(func=_list_batches)
    subs = alias.add_subparsers(dest="what", required=False, metavar="list|undo")
    _batch_commands(subs, inherit=True)


def _batch_commands(sub: Any, *, inherit: bool) -> None:
    """Add ``list`` and ``undo`` (under ``qmon import`` and ``qmon imports``)."""
    listing = sub.add_parser("list", help="Importe anzeigen", description="Importe anzeigen.")
    _acting(listing, inherit=inherit)
    listing.set_defaults(func=_list_batches)
    undo = sub.add_parser(
        "undo",
        help="einen Import als Ganzes rückgängig machen",
        description="Einen Import als Ganzes rückgängig machen, in einer Transaktion "
        "(protokolliert).",
    )
    _acting(undo, inherit=inherit)
    undo.add_argument("batch", metavar="BATCH", help="die Kennung des Imports (siehe qmon imports)")
    undo.set_defaults(func=_undo)


def _acting(parser: argparse.ArgumentParser, *, inherit: bool = False) -> None:
    """Add --store, --user, --role (``inherit``: keep the values given before a subcommand)."""
    default: Any = argparse.SUPPRESS if inherit else None
    parser.add_argument(
        "--store",
        default=default,
        help="URL des Datenbestands (.gpkg-Pfad oder postgresql://…?schema=…); "
        "Standard: QMON_STORE",
    )
    parser.add_argument(
        "--user", default=default, help="handelnder Benutzer (Standard: $QMON_USER oder lokal)"
    )
    parser.add_argument(
        "--role",
        default=default,
        choices=ROLES,
        help="Rolle des Benutzers (Standard: $QMON_ROLE oder admin)",
    )


def _command(sub: Any, name: str, help_: str, func: Callable[..., int]) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_, description=help_)
    _acting(parser)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="alles prüfen und zeigen, was gespeichert würde, aber nichts schreiben",
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="gespeicherte Datensätze ändern / gespeicherte Zeilen ersetzen, die die Datei "
        "erneut bringt (der Bericht listet sie auf)",
    )
    parser.set_defaults(func=func)
    return parser


def _vector_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", nargs="?", metavar="FILE", help="Shapefile (auch .zip), GeoPackage, GeoJSON"
    )
    parser.add_argument(
        "--crs",
        metavar="EPSG:…",
        help="Koordinatenreferenzsystem, wenn die Datei keins (oder ein falsches) hat",
    )
    parser.add_argument("--layer", metavar="NAME", help="Ebene eines GeoPackage oder zip")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="ungültige Geometrien ablehnen statt sie zu reparieren",
    )


def _table_source(parser: argparse.ArgumentParser, *, file: bool = True) -> None:
    if file:
        parser.add_argument("file", nargs="?", metavar="FILE", help="CSV- oder XLSX-Datei")
    parser.add_argument(
        "--sql", metavar="QUERY", help="stattdessen aus einer Datenbankabfrage lesen"
    )
    parser.add_argument("--dsn", metavar="URL", help="Datenbank von --sql (postgresql://…)")
    parser.add_argument("--sheet", metavar="NAME", help="Arbeitsblatt einer XLSX-Datei")
    parser.add_argument(
        "--delimiter", metavar="CHAR", help="';', ',' oder Tabulator (wird erkannt)"
    )
    parser.add_argument("--encoding", help="utf-8, cp1252, latin-1 (wird erkannt)")


def _number_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--decimal", choices=[".", ","], help="Dezimalzeichen (wird erkannt)")
    parser.add_argument(
        "--thousands",
        choices=["none", ".", ",", "space", "'"],
        help="Tausendertrennzeichen (wird erkannt)",
    )


def _row_number(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} ist keine Zeilennummer; geben Sie die Nummer der letzten Kopfzeile an, "
            "wie das Tabellenprogramm sie zeigt (1, 2, 3 …)"
        )
    return number


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _pairs(text: str) -> dict[str, str]:
    out = {}
    for part in _list(text):
        if "=" not in part:
            raise argparse.ArgumentTypeError(
                f"„{part}“ hat nicht die Form ALT=NEU (z. B. EW=residents)"
            )
        old, new = part.split("=", 1)
        out[old.strip()] = new.strip()
    return out


def _number_format(args: argparse.Namespace) -> NumberFormat | None:
    if args.decimal is None and args.thousands is None:
        return None
    decimal = args.decimal or ("," if args.thousands in (".",) else ".")
    thousands = {"none": "", "space": " ", None: ""}.get(args.thousands, args.thousands)
    try:
        return NumberFormat(decimal, thousands)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ImportRefused(
            "the options",
            [Problem("--decimal/--thousands", str(exc), "wählen Sie zwei verschiedene Zeichen")],
        ) from None


def _source(args: argparse.Namespace) -> str | Table:
    sql = getattr(args, "sql", None)
    if sql:
        if args.file:
            raise _usage("geben Sie entweder DATEI oder --sql an, nicht beides")
        if not args.dsn:
            raise _usage("--sql braucht --dsn postgresql://benutzer@host/datenbank")
        return read_sql(sql, dsn=args.dsn)
    if not args.file:
        raise _usage(
            "nennen Sie die DATEI, die importiert wird"
            + (", oder geben Sie --sql und --dsn an" if hasattr(args, "sql") else "")
        )
    return str(args.file)


def _usage(message: str) -> ImportRefused:
    return ImportRefused(
        "the command line", [Problem("qmon import", message, "see qmon import --help")]
    )


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[float, str], None]]:
    from tqdm import tqdm

    bar = tqdm(total=100, desc=label, unit="%", file=sys.stderr, leave=False, disable=None)

    def update(fraction: float, message: str) -> None:
        bar.set_description(f"{label}: {message}")
        bar.update(max(0, round(fraction * 100) - bar.n))

    try:
        yield update
    finally:
        bar.close()


def _run(
    args: argparse.Namespace, use_case: Callable[..., imports.ImportResult], **options: Any
) -> int:
    user = acting_user(args)
    source = _source(args)
    store = open_store(store_url(args.store))
    try:
        with _progress_bar(f"import {args.what}") as progress:
            result = use_case(
                store,
                source,
                user=user,
                progress=progress,
                dry_run=args.dry_run,
                replace=args.replace,
                **options,
            )
    finally:
        store.close()
    print(result.summary())
    for change in result.changes:
        verb = "würde geändert" if result.dry_run else "geändert"
        print(
            f"  {verb}: {change.record} (Zeile {change.row}), {change.field}: "
            f"{_value(change.stored)} -> {_value(change.imported)}"
        )
    for note in result.notes:
        print(f"  Hinweis: {note}")
    for line in _skipped_lines(result):
        print(f"  {line}")
    if result.batch_id:
        print(f"Import {result.batch_id} (rückgängig: qmon import undo {result.batch_id})")
    return 0


def _skipped_lines(result: imports.ImportResult) -> list[str]:
    """Return the rows not stored and the areas without value, as the CLI prints them."""
    lines = [
        f"nicht gespeichert: Zeile {s['row']} „{s['name']}“: {s['reason']}"
        for s in result.details.get("skipped", [])
    ]
    if "areas_without_value" in result.details:
        n = int(result.details["areas_without_value"])
        lines.append(
            f"{german.count(n, 'gespeichertes Gebiet', 'gespeicherte Gebiete')} der Ebene "
            f"{'hat' if n == 1 else 'haben'} keinen Wert aus dieser Datei"
        )
    return lines


KIND_LABELS = {
    "areas": "Gebiete",
    "buildings": "Gebäude",
    "funding-areas": "Gesamtmaßnahmen",
    "indicators": "Indikatorwerte",
    "measures": "Maßnahmen",
}
"""What a user reads for the kind of an import (``qmon import KIND``)."""

UNDO_LABELS = {
    "deleted": "gelöscht",
    "restored": "wiederhergestellt",
    "rows_removed": "Zeilen entfernt",
    "rows_restored": "Zeilen wiederhergestellt",
    "definitions_removed": "Indikatoren aus dem Katalog entfernt",
}
"""What a user reads for the counts of an undone import."""


def _value(value: Any) -> str:
    """A stored or imported value as a clerk reads it: 1.234,5, 31.12.2024, „Text“, leer.

    Examples
    --------
    >>> _value(1234.5), _value("Spielplatz"), _value(None), _value(pd.Timestamp(2024, 12, 31))
    ('1.234,5', '„Spielplatz“', 'leer', '31.12.2024')
    """
    if value is None or (not isinstance(value, str) and german.is_missing(value)):
        return "leer"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int | float):
        if float(value).is_integer():
            return german.number(value)
        return german.number(value, decimals=2).rstrip("0").rstrip(",")
    if isinstance(value, pd.Timestamp):
        return german.date(value)
    return f"„{value}“"


def _counts(summary: str | None) -> str:
    """Return the counts of a batch summary (rows, replaced) as a short German text."""
    data = json.loads(summary or "{}")
    details = data.get("details") or {}
    parts = [german.count(int(data.get("rows", 0)), "Zeile", "Zeilen")]
    for key, label in (("replaced", "ersetzt"), ("new", "neu"), ("changed", "geändert")):
        if details.get(key):
            parts.append(f"{german.number(details[key])} {label}")
    if details.get("skipped"):
        parts.append(f"{german.number(len(details['skipped']))} ausgelassen")
    return ", ".join(parts)


def _list_batches(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(store_url(args.store)) as store:
        batches = imports.list_batches(store, user)
    if batches.empty:
        print("Keine Importe.")
        return 0
    shown = pd.DataFrame(
        {
            "Import": batches["id"],
            "Zeitpunkt": batches["at"].map(_logged_at),
            "Benutzer": batches["user_name"],
            "Art": batches["kind"].map(lambda k: KIND_LABELS.get(k, k)),
            "Quelle": batches["source"],
            "Fingerabdruck": batches["summary"].map(
                lambda v: json.loads(v or "{}").get("fingerprint") or "–"
            ),
            "Anzahlen": batches["summary"].map(_counts),
            "rückgängig": [
                "" if pd.isna(at) else f"{_logged_at(at)} von {by}"
                for at, by in zip(batches["undone_at"], batches["undone_by"])
            ],
        }
    )
    print(shown.to_string(index=False))
    return 0


def _undo(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(store_url(args.store)) as store:
        counts = imports.undo(store, user, args.batch)
    done = ", ".join(f"{UNDO_LABELS.get(k, k)} {german.number(v)}" for k, v in counts.items() if v)
    print(f"Import {args.batch} rückgängig gemacht ({done or 'nichts zu ändern'}).")
    return 0


def _table_options(args: argparse.Namespace) -> dict[str, Any]:
    delimiter = _TAB_NAMES.get(args.delimiter or "", args.delimiter)
    return {"sheet": args.sheet, "delimiter": delimiter, "encoding": args.encoding}


def _areas(args: argparse.Namespace) -> int:
    return _run(
        args,
        imports.import_areas,
        level=args.level,
        id_col=args.id_col,
        name_col=args.name_col,
        parent_col=args.parent_col,
        valid_from=args.valid_from,
        valid_to=args.valid_to,
        vintage=args.vintage,
        crs=args.crs,
        layer=args.layer,
        strict=args.strict,
    )


def _funding_areas(args: argparse.Namespace) -> int:
    return _run(
        args,
        imports.import_funding_areas,
        id_col=args.id_col,
        name_col=args.name_col,
        programme=args.programme,
        programme_col=args.programme_col,
        start_year_col=args.start_year_col,
        expected_end_col=args.expected_end_col,
        status_col=args.status_col,
        designation=args.designation,
        designation_col=args.designation_col,
        ags=args.ags,
        ags_col=args.ags_col,
        area_col=args.area_col,
        crs=args.crs,
        layer=args.layer,
        strict=args.strict,
    )


def _indicators(args: argparse.Namespace) -> int:
    return _run(
        args,
        imports.import_indicators,
        id_col=args.id_col,
        period=args.period,
        period_col=args.period_col,
        columns=args.columns,
        rename=args.rename,
        na=args.na,
        level=args.level,
        vintage=args.vintage,
        edition=args.edition,
        source_label=args.source_label,
        indicator_col=args.indicator_col,
        value_col=args.value_col,
        number_format=_number_format(args),
        match=args.match,
        skip_unmatched=args.skip_unmatched,
        header_row=args.header_row,
        **_table_options(args),
    )


def _measures(args: argparse.Namespace) -> int:
    return _run(
        args,
        imports.import_measures,
        id_col=args.id_col,
        title_col=args.title_col,
        funding_area=args.funding_area,
        funding_area_col=args.funding_area_col,
        x_col=args.x_col,
        y_col=args.y_col,
        wkt_col=args.wkt_col,
        description_col=args.description_col,
        status_col=args.status_col,
        start_col=args.start_col,
        end_col=args.end_col,
        cost_estimate_col=args.cost_estimate_col,
        cost_actual_col=args.cost_actual_col,
        cost_group_col=args.cost_group_col,
        crs=args.crs,
        layer=args.layer,
        strict=args.strict,
        number_format=_number_format(args),
        **_table_options(args),
    )


def _buildings(args: argparse.Namespace) -> int:
    return _run(
        args,
        imports.import_buildings,
        id_col=args.id_col,
        dwellings_col=args.dwellings_col,
        vacant_col=args.vacant_col,
        year_built_col=args.year_built_col,
        owner_type_col=args.owner_type_col,
        storeys_col=args.storeys_col,
        crs=args.crs,
        layer=args.layer,
        strict=args.strict,
    )
