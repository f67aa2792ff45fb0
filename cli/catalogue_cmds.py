"""Catalogue commands: ``qmon indicators list|show|set``, ``qmon profiles list|show|import|delete``.

The store keeps the city's own indicators (with German label, unit and kind) and
social index profiles (TOML) next to the shipped ones. Changes go through the same
service as the app and the imports (:mod:`monitoring.catalogue`: role editor or
admin, checks, audit log).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cli.monitoring_cmds import _common, acting_user, table
from geo.store import open_store
from indicators.registry import DIRECTIONS, FORMULAS, KIND_LABELS, KINDS
from indicators.social_index import profile_names
from monitoring import catalogue
from monitoring.auth import require
from monitoring.errors import RuleViolation

EXIT_REFUSED = 2

_INDICATORS_EPILOG = """\
examples:
  qmon indicators list --store stadt.gpkg
  qmon indicators show anteil_der_unter_18_jaehrigen --store stadt.gpkg
  qmon indicators set wohnflaeche_je_ew --store stadt.gpkg \\
      --label "Wohnfläche je Einwohner" --unit m² --kind value
  qmon indicators set residents --store stadt.gpkg --label "Bevölkerung insgesamt"
"""

_PROFILES_EPILOG = """\
examples:
  qmon profiles list --store stadt.gpkg
  qmon profiles show hamburg-rise --store stadt.gpkg > mein-profil.toml
  qmon profiles import mein-profil.toml --store stadt.gpkg
  qmon index compute --store stadt.gpkg --profile mein-profil --period 2023-12-31
  qmon profiles delete mein-profil --store stadt.gpkg
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    ind = sub.add_parser(
        "indicators",
        help="the indicator catalogue: shipped indicators and the city's own",
        epilog=_INDICATORS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    isub = ind.add_subparsers(dest="indicators_command", required=True, metavar="COMMAND")
    p = isub.add_parser("list", help="list every indicator (shipped and the store's own)")
    _common(p)
    p.add_argument("--own", action="store_true", help="only the store's own and changed ones")
    p.add_argument("--format", choices=("json", "table"), default="table", help="output format")
    p.set_defaults(func=cmd_indicators_list)

    p = isub.add_parser("show", help="show one indicator")
    _common(p)
    p.add_argument("key", help="the indicator key")
    p.set_defaults(func=cmd_indicators_show)

    p = isub.add_parser("set", help="add an indicator or change its fields (editor, admin)")
    _common(p)
    p.add_argument("key", help="the indicator key: lower-case letters, digits, _")
    p.add_argument("--label", help="German label, e.g. 'Anteil der unter 18-Jährigen'")
    p.add_argument("--unit", help="unit, e.g. %%, Personen, 'je 1.000 Einwohner', m², Euro")
    p.add_argument(
        "--kind",
        choices=KINDS,
        help="; ".join(f"{k} = {v}" for k, v in KIND_LABELS.items()),
    )
    p.add_argument("--numerator", help="key of the count above the line (shares, rates)")
    p.add_argument("--denominator", help="key of the count below the line (shares, rates)")
    p.add_argument("--formula", choices=FORMULAS, help="ratio (default) or change")
    p.add_argument("--factor", type=float, help="factor of the ratio (default 100)")
    p.add_argument("--direction", choices=DIRECTIONS, help="which way is better")
    p.add_argument("--source", help="where the numbers come from")
    p.add_argument("--min", dest="min_value", type=float, help="smallest possible value")
    p.add_argument("--max", dest="max_value", type=float, help="largest possible value")
    p.add_argument("--description", help="a longer description")
    p.set_defaults(func=cmd_indicators_set)

    prof = sub.add_parser(
        "profiles",
        help="social index profiles: shipped ones and the city's own (TOML)",
        epilog=_PROFILES_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    psub = prof.add_subparsers(dest="profiles_command", required=True, metavar="COMMAND")
    p = psub.add_parser("list", help="list the profiles and what the store lacks for each")
    _common(p)
    p.add_argument("--level", default=None, help="judge the stored values of this level only")
    p.set_defaults(func=cmd_profiles_list)

    p = psub.add_parser("show", help="print a profile's TOML")
    _common(p)
    p.add_argument("name", help="profile name")
    p.set_defaults(func=cmd_profiles_show)

    p = psub.add_parser("import", help="store a profile from a TOML file (editor, admin)")
    _common(p)
    p.add_argument("file", help="the profile (.toml), format as indicators/profiles/*.toml")
    p.add_argument("--replace", action="store_true", help="replace a stored profile of that name")
    p.add_argument(
        "--override",
        action="store_true",
        help="allow the name of a shipped profile (the stored one is used instead of it)",
    )
    p.set_defaults(func=cmd_profiles_import)

    p = psub.add_parser("delete", help="delete a stored profile (editor, admin)")
    _common(p)
    p.add_argument("name", help="profile name")
    p.set_defaults(func=cmd_profiles_delete)


def _refused(command: str, exc: RuleViolation) -> int:
    problems = "\n".join(f"- {p}" for p in exc.problems)
    print(f"qmon {command}: nicht gespeichert:\n{problems}", file=sys.stderr)
    return EXIT_REFUSED


# --- indicators --------------------------------------------------------------------------


def cmd_indicators_list(args: argparse.Namespace) -> int:
    require(acting_user(args), "read")
    with open_store(args.store) as store:
        frame = catalogue.catalogue_frame(store)
    if args.own:
        frame = frame[frame["origin"] != "mitgeliefert"]
    if args.format == "json":
        print(json.dumps(frame.to_dict("records"), ensure_ascii=False, indent=2, default=str))
        return 0
    if frame.empty:
        print("Der Datenbestand hat keine eigenen Indikatoren (qmon indicators set legt einen an).")
        return 0
    columns = {
        "key": "Schlüssel",
        "label": "Bezeichnung",
        "unit": "Einheit",
        "kind": "Art",
        "origin": "Herkunft",
    }
    print(table(frame, columns, {"kind": lambda k: KIND_LABELS.get(k, k)}))
    return 0


def cmd_indicators_show(args: argparse.Namespace) -> int:
    require(acting_user(args), "read")
    with open_store(args.store) as store:
        frame = catalogue.catalogue_frame(store)
    found = frame[frame["key"] == args.key]
    if found.empty:
        close = sorted(k for k in frame["key"] if args.key.lower()[:4] in k)[:8]
        print(
            f"qmon indicators show: den Indikator „{args.key}“ gibt es nicht"
            + (f"; ähnlich: {', '.join(close)}" if close else "")
            + " (qmon indicators list zeigt alle)",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    row = found.iloc[0].to_dict()
    names = {
        "key": "Schlüssel",
        "label": "Bezeichnung",
        "unit": "Einheit",
        "kind": "Art",
        "numerator": "Zähler",
        "denominator": "Nenner",
        "direction": "Richtung",
        "origin": "Herkunft",
        "description": "Beschreibung",
    }
    for name, title in names.items():
        value = row.get(name)
        if value is None or value != value:  # NaN
            continue
        shown = f"{value} ({KIND_LABELS[value]})" if name == "kind" else value
        print(f"{title}: {shown}")
    return 0


def cmd_indicators_set(args: argparse.Namespace) -> int:
    user = acting_user(args)
    fields = (
        "label", "unit", "kind", "numerator", "denominator", "formula", "factor",
        "direction", "source", "min_value", "max_value", "description",
    )  # fmt: skip
    record = {"key": args.key} | {
        f: getattr(args, f) for f in fields if getattr(args, f) is not None
    }
    with open_store(args.store) as store:
        try:
            saved = catalogue.save_indicator_def(store, user, record)
        except RuleViolation as exc:
            return _refused("indicators set", exc)
    print(
        f"Indikator {saved['key']} „{saved.get('label') or ''}“ gespeichert "
        f"(Version {saved['version']})."
    )
    return 0


# --- profiles ------------------------------------------------------------------------------


def cmd_profiles_list(args: argparse.Namespace) -> int:
    require(acting_user(args), "read")
    with open_store(args.store) as store:
        profiles = catalogue.profiles_for(store)
        stored = {r["name"] for r in catalogue.stored_profile_rows(store)}
        for name, profile in sorted(profiles.items()):
            origin = (
                "gespeichert, ersetzt das mitgelieferte"
                if name in stored and name in profile_names()
                else "gespeichert"
                if name in stored
                else "mitgeliefert"
            )
            lacking = catalogue.profile_problems(store, profile, level=args.level)
            state = "berechenbar" if not lacking else f"es fehlen {len(lacking)} Indikator(en)"
            print(f"{name}: {profile.label} ({origin}; {state})")
            for line in lacking:
                print(f"    - {line}")
    return 0


def cmd_profiles_show(args: argparse.Namespace) -> int:
    require(acting_user(args), "read")
    with open_store(args.store) as store:
        text = catalogue.profile_text(store, args.name)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cmd_profiles_import(args: argparse.Namespace) -> int:
    user = acting_user(args)
    path = Path(args.file)
    if not path.is_file():
        print(
            f"qmon profiles import: die Datei „{path}“ gibt es nicht; geben Sie den Pfad einer "
            ".toml-Datei an (Beispiele: indicators/profiles/*.toml)",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        print(
            f"qmon profiles import: „{path}“ ist keine UTF-8-Textdatei; speichern Sie das "
            "Profil als UTF-8",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    with open_store(args.store) as store:
        try:
            saved = catalogue.save_profile(
                store, user, text, replace=args.replace, override_shipped=args.override
            )
        except RuleViolation as exc:
            return _refused("profiles import", exc)
        lacking = catalogue.profile_problems(store, catalogue.profile_for(store, saved["name"]))
    print(f"Profil {saved['name']} „{saved['label']}“ gespeichert (Version {saved['version']}).")
    for line in lacking:
        print(f"Hinweis: {line}", file=sys.stderr)
    return 0


def cmd_profiles_delete(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        try:
            gone = catalogue.delete_profile(store, user, args.name)
        except RuleViolation as exc:
            return _refused("profiles delete", exc)
    print(f"Profil {gone['name']} gelöscht.")
    return 0
