"""Reports that travel: ``qmon report package``, ``qmon collect`` and ``qmon report collected``.

``qmon report package --area ID --year Y --out FILE.json [--fassung N]`` writes the
sealed package of a filed report (:mod:`monitoring.federal.packages`);
``qmon collect DIR_OR_FILES --store URL [--schwelle 0,5]`` collects packages in a Land's
store (:mod:`monitoring.federal.collect`), prints a table of what became of each file
and its notes, and ends with exit code 2 when a file was refused (then nothing is
stored); ``qmon collect --list`` and ``qmon report collected`` list what was collected.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cli.faults import EXIT_REFUSED
from cli.monitoring_cmds import acting_user, table
from geo import german
from geo.store import open_store
from monitoring.auth import ROLES
from monitoring.federal import collect as collecting
from monitoring.federal import packages
from monitoring.federal.files import package_files, parse_threshold
from monitoring.reports.catalogue import load_catalogue

STORE_HELP = "URL des Datenbestands: ein .gpkg-Pfad oder postgresql://… (Standard: $QMON_STORE)"

LIST_HEADERS = {
    "id": "Kennung",
    "ags": "AGS",
    "municipality": "Gemeinde",
    "funding_area_id": "Gesamtmaßnahme",
    "year": "Jahr",
    "revision": "Fassung",
    "filed_at": "eingereicht am",
    "collected_at": "eingegangen am",
    "superseded_by": "ersetzt durch",
}


def register_report_commands(
    rsub: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: Callable[..., None],
) -> None:
    """Add ``report package`` and ``report collected`` to the ``report`` command."""
    q = rsub.add_parser(
        "package",
        help="den eingereichten Bericht als versiegeltes Berichtspaket (JSON) für das Land "
        "speichern",
    )
    common(q, suppress=True)
    q.add_argument("--area", required=True, help="Kennung der Gesamtmaßnahme")
    q.add_argument("--out", required=True, help="Ausgabedatei (.json)")
    q.add_argument(
        "--fassung", type=int, default=None, help="Fassung N (Standard: die neueste eingereichte)"
    )
    q.set_defaults(func=cmd_package, command_path="report package")

    q = rsub.add_parser("collected", help="die gesammelten Berichtspakete auflisten")
    common(q, suppress=True)
    _list_options(q)
    q.set_defaults(func=cmd_collected, command_path="report collected")


def _list_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ags", default=None, help="nur diese Gemeinde (AGS)")
    parser.add_argument(
        "--alle", action="store_true", help="auch die Fassungen, die eine spätere ersetzt"
    )


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "collect",
        help="Berichtspakete der Gemeinden einsammeln (prüfen und im Datenbestand speichern)",
        description="Berichtspakete (.json) aus Dateien oder Ordnern einlesen: Siegel, "
        "Prüfsummen, Katalog, Plausibilität und Unterschiede zum Vorjahr werden geprüft; "
        "alle Dateien werden gemeinsam oder gar nicht gespeichert.",
    )
    p.add_argument("paths", nargs="*", metavar="DATEI_ODER_ORDNER", help="Pakete oder Ordner")
    p.add_argument("--store", default=None, help=STORE_HELP)
    p.add_argument("--user", default=None, help="handelnder Benutzer (Standard: $QMON_USER)")
    p.add_argument("--role", default=None, choices=ROLES, help="Rolle des Benutzers")
    p.add_argument(
        "--schwelle",
        default=None,
        help="Anteil, ab dem ein Unterschied zum Vorjahr gemeldet wird (Standard: 0,5 = 50 %%)",
    )
    p.add_argument("--catalogue", default=None, help="Berichtskatalog des Landes (TOML)")
    p.add_argument("--list", action="store_true", help="die gesammelten Pakete auflisten")
    p.add_argument("--year", type=int, default=None, help="mit --list: nur dieses Berichtsjahr")
    _list_options(p)
    p.set_defaults(func=cmd_collect)


def cmd_package(args: argparse.Namespace) -> int:
    user = acting_user(args)
    year = args.year
    if year is None:
        from monitoring.reports.generate import default_year

        year = default_year()
    with open_store(args.store) as store:
        package = packages.make_package(store, user, args.area, year, revision=args.fassung)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(packages.package_bytes(package))
    print(
        f"Berichtspaket gespeichert: {out} (AGS {package['ags']}, {package['gesamtmassnahme']}, "
        f"{package['berichtsjahr']}, Fassung {package['fassung']}; Siegel "
        f"{package['siegel'][:16]}…)"
    )
    return 0


def cmd_collect(args: argparse.Namespace) -> int:
    if args.list:
        return cmd_collected(args)
    user = acting_user(args)
    threshold = parse_threshold(args.schwelle)
    files = package_files(list(args.paths))
    catalogue = load_catalogue(args.catalogue)
    with open_store(args.store) as store:
        result = collecting.collect(store, user, files, threshold=threshold, catalogue=catalogue)
    frame = collecting.result_rows(result)
    print(table(frame, {c: c for c in frame.columns}, {}))
    for outcome in result.outcomes:
        notes = collecting.notes_of(outcome, result.threshold)
        if notes:
            print(f"\n{outcome.file_name}:")
            for note in notes:
                print(f"  {note}")
    if result.refused:
        print(
            "\nNichts gespeichert: "
            + german.count(len(result.refused), "Datei wurde", "Dateien wurden")
            + " abgelehnt."
        )
        return EXIT_REFUSED
    return 0


def cmd_collected(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        listed = collecting.collected(
            store, user, year=args.year, ags=args.ags, current_only=not args.alle
        )
    if listed.empty:
        print("Keine gesammelten Berichtspakete.")
        return 0
    shown: dict[str, Any] = {
        "filed_at": [german.timestamp(t) for t in listed["filed_at"]],
        "collected_at": [german.timestamp(t) for t in listed["collected_at"]],
        "superseded_by": listed["superseded_by"].where(listed["superseded_by"].notna(), ""),
        "municipality": listed["municipality"].where(listed["municipality"].notna(), ""),
    }
    print(table(listed.assign(**shown), LIST_HEADERS, {}))
    return 0
