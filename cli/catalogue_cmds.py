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
Beispiele:
  qmon indicators list --store stadt.gpkg
  qmon indicators show anteil_der_unter_18_jaehrigen --store stadt.gpkg
  qmon indicators set wohnflaeche_je_ew --store stadt.gpkg \\
      --label "Wohnfläche je Einwohner" --unit m² --kind value
  qmon indicators set residents --store stadt.gpkg --label "Bevölkerung insgesamt"
"""

_PROFILES_EPILOG = """\
Beispiele:
  qmon profiles list --store stadt.gpkg
  qmon profiles show hamburg-rise --store stadt.gpkg > mein-profil.toml
  qmon profiles import mein-profil.toml --store stadt.gpkg
  qmon index compute --store stadt.gpkg --profile mein-profil --period 2023-12-31
  qmon profiles delete mein-profil --store stadt.gpkg
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    ind = sub.add_parser(
        "indicators",
        help="der Indikatorkatalog: mitgelieferte und eigene Indikatoren der Stadt",
        epilog=_INDICATORS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    isub = ind.add_subparsers(dest="indicators_command", required=True, metavar="COMMAND")
    p = isub.add_parser(
        "list", help="alle Indikatoren auflisten (mitgelieferte und eigene des Datenbestands)"
    )
    _common(p)
    p.add_argument("--own", action="store_true", help="nur die eigenen und geänderten")
    p.add_argument("--format", choices=("json", "table"), default="table", help="Ausgabeformat")
    p.set_defaults(func=cmd_indicators_list)

    p = isub.add_parser("show", help="einen Indikator zeigen")
    _common(p)
    p.add_argument("key", help="der Schlüssel des Indikators")
    p.set_defaults(func=cmd_indicators_show)

    p = isub.add_parser("set", help="einen Indikator anlegen oder ändern (Bearbeitung, Verwaltung)")
    _common(p)
    p.add_argument("key", help="der Schlüssel des Indikators: Kleinbuchstaben, Ziffern, _")
    p.add_argument("--label", help="German label, e.g. 'Anteil der unter 18-Jährigen'")
    p.add_argument("--unit", help="Einheit, z. B. %%, Personen, 'je 1.000 Einwohner', m², Euro")
    p.add_argument(
        "--kind",
        choices=KINDS,
        help="; ".join(f"{k} = {v}" for k, v in KIND_LABELS.items()),
    )
    p.add_argument(
        "--numerator", help="Schlüssel der Anzahl über dem Bruchstrich (Anteile, Quoten)"
    )
    p.add_argument(
        "--denominator", help="Schlüssel der Anzahl unter dem Bruchstrich (Anteile, Quoten)"
    )
    p.add_argument(
        "--formula", choices=FORMULAS, help="ratio (Verhältnis, Standard) oder change (Veränderung)"
    )
    p.add_argument("--factor", type=float, help="Faktor des Verhältnisses (Standard 100)")
    p.add_argument("--direction", choices=DIRECTIONS, help="welche Richtung besser ist")
    p.add_argument("--source", help="woher die Zahlen stammen")
    p.add_argument("--min", dest="min_value", type=float, help="kleinster möglicher Wert")
    p.add_argument("--max", dest="max_value", type=float, help="größter möglicher Wert")
    p.add_argument("--description", help="eine längere Beschreibung")
    p.set_defaults(func=cmd_indicators_set)

    prof = sub.add_parser(
        "profiles",
        help="Sozialindex-Profile: mitgelieferte und eigene der Stadt (TOML)",
        epilog=_PROFILES_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    psub = prof.add_subparsers(dest="profiles_command", required=True, metavar="COMMAND")
    p = psub.add_parser(
        "list", help="die Profile auflisten und was dem Datenbestand für jedes fehlt"
    )
    _common(p)
    p.add_argument(
        "--level", default=None, help="nur die gespeicherten Werte dieser Ebene beurteilen"
    )
    p.set_defaults(func=cmd_profiles_list)

    p = psub.add_parser("show", help="das TOML eines Profils ausgeben")
    _common(p)
    p.add_argument("name", help="Name des Profils")
    p.set_defaults(func=cmd_profiles_show)

    p = psub.add_parser(
        "import", help="ein Profil aus einer TOML-Datei speichern (Bearbeitung, Verwaltung)"
    )
    _common(p)
    p.add_argument("file", help="das Profil (.toml), Format wie indicators/profiles/*.toml")
    p.add_argument(
        "--replace", action="store_true", help="ein gespeichertes Profil dieses Namens ersetzen"
    )
    p.add_argument(
        "--override",
        action="store_true",
        help="den Namen eines mitgelieferten Profils erlauben (das gespeicherte wird statt "
        "seiner verwendet)",
    )
    p.set_defaults(func=cmd_profiles_import)

    p = psub.add_parser("delete", help="ein gespeichertes Profil löschen (Bearbeitung, Verwaltung)")
    _common(p)
    p.add_argument("name", help="Name des Profils")
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
