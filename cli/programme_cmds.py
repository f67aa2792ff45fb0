"""Programme commands: ``qmon programmes list`` and ``qmon programmes add``.

A new store starts with the federal programmes (``qmon init``); a Land or a city adds
its own with ``qmon programmes add`` (role admin). The change goes through the same
service as the app (role, checks, audit log).
"""

from __future__ import annotations

import argparse
import json
import sys

from cli.monitoring_cmds import _common, acting_user, table
from geo.store import open_store
from monitoring import services
from monitoring.errors import PermissionDenied, RuleViolation
from monitoring.findings import LEVEL_LABELS
from monitoring.renewal.programmes import LAENDER

EXIT_REFUSED = 2


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    programmes = sub.add_parser(
        "programmes", help="Förderprogramme: auflisten, ein Landesprogramm anlegen"
    )
    psub = programmes.add_subparsers(dest="programmes_command", required=True, metavar="COMMAND")

    p = psub.add_parser("list", help="die Programme mit ihren Vorgängern auflisten")
    _common(p)
    p.add_argument("--format", choices=("json", "table"), default="table", help="Ausgabeformat")
    p.set_defaults(func=cmd_list)

    p = psub.add_parser(
        "add",
        help="ein Programm anlegen, z. B. ein Landesprogramm (Rolle Verwaltung/admin)",
        epilog=_EPILOG,
    )
    _common(p)
    p.add_argument(
        "--id", required=True, help="Kennung: Kleinbuchstaben, Ziffern, _ (ohne Umlaute)"
    )
    p.add_argument("--name", required=True, help="Name des Programms")
    p.add_argument("--land", default=None, help=f"das Land eines Landesprogramms ({LAENDER[0]} …)")
    p.add_argument("--since", type=int, default=None, help="erstes Programmjahr")
    p.add_argument("--until", type=int, default=None, help="letztes Programmjahr")
    p.add_argument("--predecessor", default=None, help="Kennung des Programms, das es fortsetzt")
    p.add_argument(
        "--federal",
        action="store_true",
        help="ein Bund-Länder-Programm (Standard: ein Programm des Landes oder der Stadt)",
    )
    p.set_defaults(func=cmd_add)


_EPILOG = (
    "Beispiel: qmon programmes add --id nrw_starke_quartiere --name 'Starke Quartiere' "
    "--land Nordrhein-Westfalen --since 2021"
)


def cmd_list(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        frame = services.programme_list(store, user)
    if args.format == "json":
        print(json.dumps(services.records_of(frame), ensure_ascii=False, indent=2))
        return 0
    if frame.empty:
        print("Der Datenbestand enthält keine Programme (qmon programmes add legt eines an).")
        return 0
    print(table(frame, {c: c for c in frame.columns}, {}))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    user = acting_user(args)
    values = {
        "id": args.id,
        "name": args.name,
        "land": args.land,
        "since_year": args.since,
        "until_year": args.until,
        "predecessor_id": args.predecessor,
        "federal": bool(args.federal),
    }
    with open_store(args.store) as store:
        try:
            saved = services.save(store, user, "programmes", values)
        except RuleViolation as exc:
            problems = "\n".join(f"- {p}" for p in exc.problems)
            print(f"qmon programmes add: nicht gespeichert:\n{problems}", file=sys.stderr)
            return EXIT_REFUSED
        except PermissionDenied as exc:
            print(
                f"qmon programmes add: nicht gespeichert: nur die Rolle „Verwaltung“ (admin) "
                f"legt Programme an ({exc})",
                file=sys.stderr,
            )
            return EXIT_REFUSED
    for w in saved.warnings:
        print(f"{LEVEL_LABELS[w.level]}: {w.message}", file=sys.stderr)
    record = saved.record
    print(f"Programm {record['id']} „{record['name']}“ gespeichert (Version {record['version']}).")
    return 0
