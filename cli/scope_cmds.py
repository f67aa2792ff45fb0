"""``qmon gemeinde``: several municipalities in one PostGIS store.

``anlegen`` creates a scope's database roles and row-level security, ``zugang`` a LOGIN
role in a scope (for QGIS, psql or an app server of the town), ``liste`` shows them.
Administration only; each change has its audit row (:mod:`monitoring.scopes`). A
password is read from an environment variable and never printed.
"""

from __future__ import annotations

import argparse
import os

import pandas as pd

from cli.monitoring_cmds import _common, acting_user, table
from geo.municipality import scope_label
from geo.store import open_store
from monitoring import scopes
from monitoring.errors import RuleViolation


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    group = sub.add_parser(
        "gemeinde",
        help="mehrere Gemeinden in einem PostGIS-Datenbestand: Bereiche und Zugänge",
    )
    gsub = group.add_subparsers(dest="gemeinde_command", required=True, metavar="COMMAND")

    p = gsub.add_parser(
        "anlegen",
        help="Datenbankrollen und Zeilensicherheit eines Bereichs anlegen (Rolle admin)",
        description="Legt für einen Bereich (Gemeinde: 8 Ziffern, Kreis: 5, Land: 2) die "
        "Datenbankrollen qmon_<schema>_<ags>_lesen und (nur für eine Gemeinde) _schreiben "
        "und die Zeilensicherheit aller Ebenen mit Gemeindeschlüssel an. Wiederholbar.",
    )
    _common(p)
    p.add_argument(
        "--ags", required=True, help="Gemeindeschlüssel oder sein Präfix, z. B. 05315000"
    )
    p.add_argument("--name", default=None, help="Name des Bereichs, z. B. Köln")
    p.add_argument(
        "--lesen", action="store_true", help="nur die lesende Rolle anlegen (keine Änderungen)"
    )
    p.set_defaults(func=cmd_create, command_path="gemeinde anlegen")

    p = gsub.add_parser(
        "zugang",
        help="eine Anmeldung (LOGIN-Rolle) für einen Bereich anlegen, z. B. für QGIS",
    )
    _common(p)
    p.add_argument("--ags", required=True, help="der Bereich (wie bei anlegen)")
    p.add_argument("--login", required=True, help="Name der Anmeldung (Kleinbuchstaben, _)")
    p.add_argument(
        "--passwort-aus",
        dest="password_env",
        metavar="ENVVAR",
        default=None,
        help="Name der Umgebungsvariable, die das Passwort enthält (es wird nie ausgegeben)",
    )
    p.add_argument("--lesen", action="store_true", help="nur lesen, auch wenn der Bereich schreibt")
    p.set_defaults(func=cmd_login, command_path="gemeinde zugang")

    p = gsub.add_parser("liste", help="die Bereiche mit ihren Rollen und Anmeldungen auflisten")
    _common(p)
    p.set_defaults(func=cmd_list, command_path="gemeinde liste")


def cmd_create(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        roles = scopes.create_scope(store, user, args.ags, name=args.name, read_only=args.lesen)
    print(f"{scope_label(args.ags)}: Rollen {', '.join(roles)} und Zeilensicherheit eingerichtet")
    return 0


def cmd_login(args: argparse.Namespace) -> int:
    user = acting_user(args)
    password = None
    if args.password_env is not None:
        password = os.environ.get(args.password_env)
        if not password:
            raise RuleViolation(
                f"Die Umgebungsvariable {args.password_env} ist leer oder nicht gesetzt; "
                f"setzen Sie das Passwort dort (export {args.password_env}=…) und rufen Sie "
                "den Befehl noch einmal auf"
            )
    with open_store(args.store) as store:
        role = scopes.grant_login(
            store, user, args.ags, args.login, password=password, read_only=args.lesen
        )
    what = "mit Passwort" if password else "ohne Passwort (Anmeldung über pg_hba)"
    print(f"Anmeldung {args.login} ({what}) hat die Rolle {role} ({scope_label(args.ags)})")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        found = scopes.list_scopes(store, user)
    if not found:
        print("Noch keine Bereiche angelegt (qmon gemeinde anlegen --ags …)")
        return 0
    frame = pd.DataFrame(
        {
            "scope": [scope_label(s.ags) for s in found],
            "name": [s.name or "" for s in found],
            "role": [s.role for s in found],
            "write": ["ja" if s.may_write else "nein" for s in found],
            "logins": [", ".join(s.logins) for s in found],
        }
    )
    columns = {
        "scope": "Bereich",
        "name": "Name",
        "role": "Datenbankrolle",
        "write": "ändert",
        "logins": "Anmeldungen",
    }
    print(table(frame, columns, {}))
    return 0
