"""Index commands: ``qmon index compute``, ``profiles`` and ``crosswalk-check``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Collection
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import german
from geo.store.base import Store
from indicators.errors import ProfileError, TableReadError
from indicators.social_index import (
    RESULT_COLUMNS,
    IndexProfile,
    class_counts,
    compute_index,
    load_profile,
    profile_names,
)
from indicators.tables import numeric_columns, read_id_list, read_table
from monitoring import catalogue
from monitoring.auth import ROLES, require
from monitoring.numbers import german_number
from monitoring.reports.cells import csv_frame

COMPUTE_EPILOG = """\
aus einer Tabelle (eine Zeile je Gebiet; ';' oder ',' getrennt, Dezimalkomma oder -punkt):
  qmon index compute mss_2021_index_indikatoren.csv --profile berlin-mss-2021 \\
      --id PLR_ID --population EW --status S1,S3,S4 --dynamics D1,D3,D4 \\
      --na -9999 --exclude 10100205 --out result.csv

im Datenbestand (Quoten aus den gespeicherten Anzahlen der Gebiete einer Ebene; schreibt
Punktwerte und Klassen als Indikatorwerte zurück, Ausgabe "<Profil> (neu berechnet)"):
  qmon index compute --store data/musterstadt.gpkg --period 2024-12-31 \\
      --profile berlin-mss-2021

Die Ausgabe hat eine Zeile je Eingabezeile: id, status_score, status_class,
status_label, dynamics_score, dynamics_class, dynamics_label, index_code
(10 * Status + Dynamik), valid (gültig), reason (Grund).
"""


CROSSWALK_EPILOG = """\
Berlin 447 -> 542 Planungsräume (Einwohner zum 31.12.2020 auf beiden):
  qmon index crosswalk-check \\
      --old-areas lor_pre2021_PLR/lor_planungsraeume.shp --old-id "broker Dow" \\
      --fix-id 06010102:BEZIRKSNAM=Charlottenburg-Wilmersdorf:04030417 \\
      --new-areas lor_post2021_PLR/lor_planungsraeume_2021.shp --new-id PLR_ID \\
      --values berlin-lor-population-2020-02-t1-planning-areas.csv \\
      --values-id id --value inhabitants \\
      --known mss_2021_index_indikatoren.csv --known-id PLR_ID --known-value EW --na -9999 \\
      --density eigentumskonzentration_2022.csv:PLR_ID:wohmi_fl
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    index = sub.add_parser(
        "index", help="Sozialindex (MSS und andere), Prüfung von Umschlüsselungen"
    )
    isub = index.add_subparsers(dest="index_command", required=True, metavar="SUBCOMMAND")

    p = isub.add_parser(
        "compute",
        help="Status- und Dynamikklassen aus einer Tabelle oder dem Datenbestand berechnen",
        epilog=COMPUTE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", nargs="?", help="Tabelle mit einer Zeile je Gebiet (CSV)")
    p.add_argument(
        "--profile",
        required=True,
        help=f"ein mitgeliefertes Profil ({', '.join(profile_names())}), mit --store auch ein "
        "im Datenbestand gespeichertes Profil (qmon profiles list), oder eine .toml-Datei",
    )
    p.add_argument("--id", dest="id_column", help="Kennungsspalte der Tabelle, z. B. PLR_ID")
    p.add_argument("--population", help="Einwohnerspalte der Tabelle, z. B. EW")
    p.add_argument("--status", help="Statusspalten in der Reihenfolge des Profils, z. B. S1,S3,S4")
    p.add_argument(
        "--dynamics", help="Dynamikspalten in der Reihenfolge des Profils, z. B. D1,D3,D4"
    )
    p.add_argument(
        "--na",
        action="append",
        default=[],
        help="Code für einen fehlenden Wert, z. B. -9999 (wiederholbar)",
    )
    p.add_argument(
        "--exclude",
        default=None,
        help="auszulassende Kennungen (markierte Ausreißer): ID,ID,… oder @DATEI mit einer "
        "ID je Zeile",
    )
    p.add_argument("--out", help="Ergebnis-CSV (Standard: Ausgabe auf die Standardausgabe)")
    p.add_argument(
        "--store",
        help="URL des Datenbestands: stattdessen auf gespeicherten Indikatorwerten rechnen",
    )
    p.add_argument("--period", help="mit --store: der Stichtag, z. B. 2024-12-31")
    p.add_argument(
        "--level",
        default=None,
        help="mit --store: Gebietsebene wie gespeichert, z. B. Stadtteil (Standard: die "
        "einzige Ebene mit Werten)",
    )
    p.add_argument("--vintage", help="mit --store: Gebietsstand (Standard: der einzige)")
    p.add_argument("--edition", help="mit --store: Ausgabe der Eingangswerte (Standard: jede)")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="mit --store: berechnen und berichten, nichts schreiben",
    )
    p.add_argument(
        "--user", default=None, help="mit --store: handelnder Benutzer (Standard: $QMON_USER)"
    )
    p.add_argument(
        "--role",
        default=None,
        choices=ROLES,
        help="mit --store: Rolle des Benutzers; das Schreiben braucht editor (Bearbeitung) "
        "oder admin (Verwaltung)",
    )
    p.set_defaults(func=cmd_compute)

    p = isub.add_parser("profiles", help="die mitgelieferten Sozialindex-Profile auflisten")
    p.set_defaults(func=cmd_profiles)

    p = isub.add_parser(
        "crosswalk-check",
        help="Anzahlen über eine Grenzänderung übertragen und den Fehler je Gebiet messen",
        description=(
            "Eine Anzahl (z. B. Einwohner) mit einer Umschlüsselung von alten auf neue Gebiete "
            "übertragen und mit den bekannten Werten der neuen Gebiete desselben Stichtags "
            "vergleichen. Gibt die Summen der Stadt aus (genau erhalten: ganze Zahlen nach dem "
            "größten Rest) sowie Median und 90. Perzentil des absoluten Fehlers in %% je Gebiet, "
            "für die Flächengewichtung und jede Gewichtung mit --density, so dass eine bessere "
            "Gewichtung als bessere Zahl erscheint."
        ),
        epilog=CROSSWALK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--old-areas", required=True, help="alte Grenzebene (Shapefile, GeoPackage…)")
    p.add_argument("--old-id", required=True, help="Kennungsspalte der alten Ebene")
    p.add_argument("--new-areas", required=True, help="neue Grenzebene")
    p.add_argument("--new-id", required=True, help="Kennungsspalte der neuen Ebene")
    p.add_argument("--values", required=True, help="CSV mit der Anzahl auf den alten Gebieten")
    p.add_argument("--values-id", required=True, help="Kennungsspalte von --values")
    p.add_argument("--value", required=True, help="Anzahlspalte von --values")
    p.add_argument("--known", required=True, help="CSV mit der Anzahl auf den neuen Gebieten")
    p.add_argument("--known-id", required=True, help="Kennungsspalte von --known")
    p.add_argument("--known-value", required=True, help="Anzahlspalte von --known")
    p.add_argument("--na", action="append", default=[], help="Code für einen fehlenden Wert")
    p.add_argument(
        "--fix-id",
        action="append",
        default=[],
        metavar="OLD:COLUMN=VALUE:NEW",
        help="eine doppelte Kennung der alten Ebene korrigieren (wiederholbar)",
    )
    p.add_argument(
        "--density",
        action="append",
        default=[],
        metavar="CSV:ID:COLUMN",
        help="zusätzlich nach einer Größe je neuem Gebiet gewichten (z. B. Wohnfläche), "
        "wiederholbar",
    )
    p.add_argument(
        "--min-share",
        type=float,
        default=0.0,
        help="Überlappungen unter diesem Anteil eines alten Gebiets als Splitter verwerfen "
        "(z. B. 0.01)",
    )
    p.add_argument("--out", help="CSV der übertragenen Werte je neuem Gebiet und Gewichtung")
    p.set_defaults(func=cmd_crosswalk_check)


def _split(value: str | None) -> list[str] | None:
    return None if value is None else [v.strip() for v in value.split(",") if v.strip()]


def cmd_profiles(args: argparse.Namespace) -> int:
    for name in profile_names():
        profile = load_profile(name)
        status = ", ".join(i.column for i in profile.status)
        dynamics = ", ".join(i.column for i in profile.dynamics) or "–"
        print(f"{name}: {profile.label} (Status: {status}; Dynamik: {dynamics})")
    return 0


def cmd_compute(args: argparse.Namespace) -> int:
    if args.store:
        if args.file:
            raise ProfileError(
                f"geben Sie entweder eine Tabellendatei („{args.file}“) oder --store an, "
                "nicht beides"
            )
        return _compute_stored(args)
    if not args.file:
        raise ProfileError(
            "geben Sie eine Tabellendatei an, aus der berechnet wird, oder --store URL "
            "--period DATUM"
        )
    return _compute_file(args)


def _compute_file(args: argparse.Namespace) -> int:
    profile = load_profile(args.profile)
    missing = [
        opt for opt, v in (("--id", args.id_column), ("--population", args.population)) if not v
    ]
    if missing:
        raise ProfileError(
            f"die Berechnung aus einer Tabelle braucht {' und '.join(missing)} (die Spalten "
            "der Gebietskennung und der Einwohnerzahl)"
        )
    status = _split(args.status)
    dynamics = _split(args.dynamics)
    table, decimal = read_table(args.file)
    numbers = [args.population, *(status or [i.column for i in profile.status])]
    numbers += dynamics or [i.column for i in profile.dynamics]
    table = numeric_columns(table, numbers, decimal=decimal)
    na = [float(v.replace(",", ".")) for v in args.na]
    exclude = read_id_list(args.exclude) if args.exclude else []
    unknown = sorted(set(exclude) - set(table[args.id_column].astype(str)))
    result = compute_index(
        table,
        profile,
        id_column=args.id_column,
        population_column=args.population,
        status_columns=status,
        dynamics_columns=dynamics,
        na_values=na,
        exclude=exclude,
    )
    out = result[list(RESULT_COLUMNS)]
    if args.out:
        csv_frame(out).to_csv(args.out, index=False, float_format="%.6f")
    else:
        csv_frame(out).to_csv(sys.stdout, index=False, float_format="%.6f")
    counts = class_counts(result)
    summary = (
        f"{profile.name}: {german.count(len(out), 'Gebiet', 'Gebiete')}, "
        f"{german.number(int(out['valid'].sum()))} gültig; "
        f"Status {_fmt(counts['status'], profile.status_classes)}"
    )
    if profile.dynamics:
        summary += f"; Dynamik {_fmt(counts['dynamics'], profile.dynamics_classes)}"
    summary += f"; ohne Zuordnung {german.number(counts['unassigned'][''])}"
    print(summary, file=sys.stderr)
    if unknown:
        print(
            f"Hinweis: diese Kennungen aus --exclude stehen nicht in der Tabelle: "
            f"{', '.join(unknown)}",
            file=sys.stderr,
        )
    return 0


def _fmt(counts: dict[str, int], classes: tuple) -> str:  # type: ignore[type-arg]
    return " / ".join(f"{c.label} {german.number(counts.get(c.label, 0))}" for c in classes)


def stored_level(given: str | None, levels: Collection[str]) -> str:
    """Return the area level to compute on: the one given, else the only one with values.

    Raises
    ------
    ProfileError
        When no level is given and the store holds values of none or of several
        levels (the message lists them), or the given level has no values.

    Examples
    --------
    >>> stored_level(None, ["Stadtteil"]), stored_level("Bezirk", ["Bezirk", "Stadtteil"])
    ('Stadtteil', 'Bezirk')
    >>> stored_level(None, ["Stadtteil", "Bezirk"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    indicators.errors.ProfileError: ... mehreren Gebietsebenen (Bezirk, Stadtteil); ...
    """
    known = sorted(set(levels))
    if given is not None:
        if known and given not in known:
            raise ProfileError(
                f"auf der Gebietsebene {given!r} sind keine Indikatorwerte gespeichert; "
                f"gespeichert sind Werte auf: {', '.join(known)} (--level)"
            )
        return given
    if len(known) == 1:
        return known[0]
    if not known:
        raise ProfileError(
            "der Speicher hat keine Indikatorwerte; importieren Sie sie zuerst "
            "(qmon import indicators)"
        )
    raise ProfileError(
        f"der Speicher hat Indikatorwerte auf mehreren Gebietsebenen ({', '.join(known)}); "
        f'wählen Sie eine mit --level, z. B. --level "{known[0]}"'
    )


def _compute_stored(args: argparse.Namespace) -> int:
    from cli.monitoring_cmds import acting_user
    from geo.store import open_store
    from indicators.stored import compute_stored_index

    if not args.period:
        raise ProfileError(
            "die Berechnung im Datenbestand braucht den Stichtag --period, z. B. "
            "--period 2024-12-31"
        )
    try:
        period = pd.Timestamp(args.period)
    except ValueError:
        raise ProfileError(
            f"--period „{args.period}“ ist kein Datum; schreiben Sie es als JJJJ-MM-TT, "
            "z. B. 2024-12-31"
        ) from None
    if args.file or args.out or args.id_column or args.status or args.dynamics:
        print(
            "Hinweis: mit --store gelten die Tabellenoptionen (--id, --status, --dynamics, "
            "--out) nicht",
            file=sys.stderr,
        )
    user = acting_user(args)
    require(user, "read" if args.dry_run else "edit_funding")  # before any work
    exclude = read_id_list(args.exclude) if args.exclude else []
    with open_store(args.store) as store:
        profile = _store_profile(store, args.profile)
        stored_levels = store.read("indicator_values", columns=["level"])["level"]
        level = stored_level(args.level, stored_levels.dropna().astype(str).unique())
        done = compute_stored_index(
            store,
            profile,
            period=period,
            level=level,
            vintage=args.vintage,
            edition=args.edition,
            registry=catalogue.registry_for(store),
            exclude=exclude,
            write=not args.dry_run,
        )
        if not args.dry_run:  # the stored index joins the indicator map for QGIS
            from monitoring.interop.qgis import refresh_qgis

            refresh_qgis(store, user)
    counts = class_counts(done.result)
    summary = (
        f"{profile.name} am {german.date(period)} ({level}, Gebietsstand {done.vintage}, "
        f"Ausgabe {done.edition_in}): {german.count(len(done.result), 'Gebiet', 'Gebiete')}, "
        f"{german.number(int(done.result['valid'].sum()))} gültig; "
        f"Status {_fmt(counts['status'], profile.status_classes)}"
    )
    if profile.dynamics:
        summary += f"; Dynamik {_fmt(counts['dynamics'], profile.dynamics_classes)}"
    summary += f"; ohne Zuordnung {german.number(counts['unassigned'][''])}"
    print(summary)
    if args.dry_run:
        print("nichts geschrieben (--dry-run)")
    else:
        print(
            f"{german.count(done.written, 'Indikatorwert', 'Indikatorwerte')} geschrieben, "
            f"Ausgabe „{done.rows['edition'].iloc[0]}“"
        )
    return 0


def _store_profile(store: Store, name_or_path: str) -> IndexProfile:
    """A profile file by path, else a profile of the store (its own or a shipped one)."""
    if name_or_path.endswith(".toml") or Path(name_or_path).is_file():
        return load_profile(name_or_path)
    return catalogue.profile_for(store, name_or_path)


def _read_values(path: str, id_column: str, column: str, na: list[float]) -> pd.Series:
    """A numeric column of a CSV, indexed by its id column (as text)."""
    table, decimal = read_table(path)
    if id_column not in table.columns:
        raise TableReadError(
            f"die Tabelle „{path}“ hat keine Kennungsspalte „{id_column}“; sie hat "
            f"{', '.join(map(str, table.columns))}"
        )
    values = numeric_columns(table, [column], decimal=decimal)[column]
    values = values.mask(values.isin(na)) if na else values
    values.index = pd.Index(table[id_column].astype(str))
    return values


def cmd_crosswalk_check(args: argparse.Namespace) -> int:
    from indicators.crosswalk import IdFix, apply_crosswalk, compare, crosswalk_weights, fix_ids
    from indicators.registry import load_registry

    na = [float(v.replace(",", ".")) for v in args.na]
    old = _read_layer(args.old_areas, args.old_id)
    new = _read_layer(args.new_areas, args.new_id)
    if args.fix_id:
        old = fix_ids(old, args.old_id, [IdFix.parse(f) for f in args.fix_id])
    values = _read_values(args.values, args.values_id, args.value, na)
    known = _read_values(args.known, args.known_id, args.known_value, na)
    long = pd.DataFrame(
        {"area_id": values.index, "indicator": "residents", "period": 0, "value": values.values}
    )
    runs: list[tuple[str, dict[str, object]]] = [("Fläche", {})]
    for spec in args.density:
        try:
            path, id_col, col = spec.rsplit(":", 2)
        except ValueError:
            raise TableReadError(
                f"--density „{spec}“ hat nicht die Form CSV:ID:SPALTE, z. B. "
                "eigentum.csv:PLR_ID:wohmi_fl"
            ) from None
        mass = _read_values(path, id_col, col, na).fillna(0.0)
        runs.append((f"Dichte {col}", {"method": "density", "density": mass}))
    registry = load_registry()
    rows = []
    carried_all = {}
    for label, options in runs:
        weights = crosswalk_weights(
            old, new, old_id=args.old_id, new_id=args.new_id, min_share=args.min_share,
            **options,  # type: ignore[arg-type]
        )  # fmt: skip
        carried = apply_crosswalk(long, weights, registry, integers=True)
        estimate = carried.set_index("area_id")["value"]
        carried_all[label] = estimate
        rows.append((label, compare(estimate, known)))
    total_old = float(values.sum())
    carried_total, known_total = rows[0][1].total_estimated, rows[0][1].total_known
    print(
        f"Übertragung {len(old)} alte -> {len(new)} neue Gebiete; "
        f"Summe alt {german_number(total_old)}, übertragen {german_number(carried_total)}, "
        f"bekannt {german_number(known_total)}"
    )
    print(f"{'Gewichtung':<28} {'Gebiete':>7} {'Median |Fehler| %':>18} {'90. Perzentil %':>16}")
    for label, check in rows:
        print(
            f"{label:<28} {german.number(check.areas):>7} "
            f"{german.number(check.median_abs_pct_error, decimals=2):>18} "
            f"{german.number(check.p90_abs_pct_error, decimals=2):>16}"
        )
    print(
        f"(ohne {german.count(rows[0][1].excluded, 'Gebiet', 'Gebiete')} ohne bekannten Wert "
        "oder mit 0; "
        "90. Perzentil des absoluten prozentualen Fehlers je Gebiet)"
    )
    if args.out:
        frame = pd.DataFrame(carried_all)
        frame.insert(0, "known", known.reindex(frame.index))
        csv_frame(frame.rename_axis("id")).to_csv(args.out)
    return 0


def _read_layer(path: str, id_column: str) -> gpd.GeoDataFrame:
    """Read a boundary layer with its id column as text."""
    try:
        layer = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own DataSourceError and others
        raise TableReadError(f"die Ebene „{path}“ lässt sich nicht lesen: {exc}") from exc
    if id_column not in layer.columns:
        raise TableReadError(
            f"die Ebene „{path}“ hat keine Kennungsspalte „{id_column}“; sie hat "
            f"{', '.join(map(str, layer.columns))}"
        )
    layer[id_column] = layer[id_column].astype(str)
    return layer
