"""Documents of the grant procedure: ``qmon kuf``, ``qmon verwendungsnachweis``,
``qmon sachbericht``.

``qmon kuf --area ID --format xlsx|csv --out FILE`` writes the Kosten- und
Finanzierungsübersicht (computed now, or a frozen version with ``--version``);
``qmon kuf --area ID --versions`` lists the frozen versions.
``qmon verwendungsnachweis --area ID [--year Y] [--final] --out FILE.xlsx`` writes the
statement of use; ``qmon sachbericht --area ID --year Y --out FILE.docx`` the
pre-filled Sachbericht. All reads go through :mod:`monitoring.grants.service`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.monitoring_cmds import acting_user, table
from cli.report_cmds import STORE_HELP, check_out
from geo import german
from geo.store import open_store
from monitoring.auth import ROLES
from monitoring.errors import RuleViolation
from monitoring.grants import documents, sachbericht
from monitoring.grants import service as grants

FORMATS = ("xlsx", "csv")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", default=None, help=STORE_HELP)
    parser.add_argument("--user", default=None, help="handelnder Benutzer (Standard: $QMON_USER)")
    parser.add_argument("--role", default=None, choices=ROLES, help="Rolle des Benutzers")
    parser.add_argument("--area", required=True, help="Kennung der Gesamtmaßnahme")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "kuf",
        help="Kosten- und Finanzierungsübersicht (KuF) einer Gesamtmaßnahme schreiben",
        description="Die KuF aus dem Datenbestand berechnen (oder eine festgeschriebene "
        "Fassung lesen) und als Excel-Arbeitsmappe oder CSV-Datei schreiben.",
    )
    _common(p)
    p.add_argument(
        "--year", type=int, default=None, help="nur Programmjahre bis zu diesem (Standard: alle)"
    )
    p.add_argument(
        "--version", default=None, help="eine festgeschriebene Fassung (Kennung, siehe --versions)"
    )
    p.add_argument(
        "--versions", action="store_true", help="die festgeschriebenen Fassungen auflisten"
    )
    p.add_argument("--format", default="xlsx", choices=FORMATS, help="Ausgabeformat")
    p.add_argument("--out", default=None, help="Ausgabedatei (.xlsx oder .csv)")
    p.set_defaults(func=cmd_kuf)

    p = sub.add_parser(
        "verwendungsnachweis",
        help="Verwendungsnachweis (Zwischen- oder Schlussabrechnung) als Excel-Arbeitsmappe",
        description="Bewilligt, abgerufen und verausgabt je Zuwendungsbescheid, die "
        "Mittelabrufe und der Abgleich mit der KuF.",
    )
    _common(p)
    p.add_argument(
        "--year", type=int, default=None, help="nur Bescheide bis zu diesem Programmjahr"
    )
    p.add_argument(
        "--final", action="store_true", help="Schlussabrechnung (sonst Zwischenabrechnung)"
    )
    p.add_argument("--out", required=True, help="Ausgabedatei (.xlsx)")
    p.set_defaults(func=cmd_statement)

    p = sub.add_parser(
        "sachbericht",
        help="Sachbericht eines Jahres als Word-Dokument (vorausgefüllt, zum Ergänzen)",
        description="Den Sachbericht aus dem Datenbestand vorausfüllen; was nur die "
        "Verwaltung sagen kann, ist als „[Bitte ergänzen: …]“ markiert.",
    )
    _common(p)
    p.add_argument("--year", type=int, required=True, help="Berichtsjahr")
    p.add_argument("--out", required=True, help="Ausgabedatei (.docx)")
    p.set_defaults(func=cmd_sachbericht)


def _write(out: Path, data: bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)


def cmd_kuf(args: argparse.Namespace) -> int:
    user = acting_user(args)
    if args.versions:
        with open_store(args.store) as store:
            found = grants.kuf_versions(store, user, args.area)
        if not len(found):
            print(f"Für „{args.area}“ ist keine KuF-Fassung festgeschrieben.")
            return 0
        print(
            table(
                found,
                {
                    "id": "Fassung",
                    "purpose": "Anlass",
                    "frozen_at": "festgeschrieben am",
                    "frozen_by": "von",
                    "fingerprint": "Fingerabdruck",
                },
                {
                    "frozen_at": german.timestamp,
                    "fingerprint": lambda v: str(v)[:16] + "…",
                },
            )
        )
        return 0
    if not args.out:
        raise RuleViolation(
            "geben Sie --out DATEI an (die KuF als .xlsx oder .csv) oder --versions, um die "
            "festgeschriebenen Fassungen zu sehen"
        )
    if args.version and args.year is not None:
        raise RuleViolation(
            f"--version „{args.version}“ und --year {args.year} gehen nicht zusammen: eine "
            "festgeschriebene Fassung gilt, wie sie ist; lassen Sie eins weg"
        )
    out = Path(args.out)
    check_out(out)
    with open_store(args.store) as store:
        if args.version:
            computed = grants.load_kuf_version(store, user, args.version)
            if computed.area_id != args.area:
                raise RuleViolation(
                    f"die KuF-Fassung „{args.version}“ gehört zur Gesamtmaßnahme "
                    f"„{computed.area_id}“, nicht zu „{args.area}“; „qmon kuf --area "
                    f"{args.area} --versions“ listet die Fassungen"
                )
        else:
            computed = grants.kuf(store, user, args.area, year=args.year)
    data = documents.kuf_csv(computed) if args.format == "csv" else documents.kuf_workbook(computed)
    _write(out, data)
    totals = computed.totals()
    print(
        f"KuF „{computed.area_name}“ ({args.format}): Kosten geplant "
        f"{german.euro(totals['costs_planned'])}, Finanzierung geplant "
        f"{german.euro(totals['financing_planned'])} → {out}"
    )
    return 0


def cmd_statement(args: argparse.Namespace) -> int:
    user = acting_user(args)
    out = Path(args.out)
    check_out(out)
    with open_store(args.store) as store:
        made = grants.statement(store, user, args.area, year=args.year, final=args.final)
    _write(out, documents.statement_workbook(made))
    notices = made.table[made.table["file_number"] != "Summe"]
    print(
        f"{made.title}: {german.count(len(notices), 'Zuwendungsbescheid', 'Zuwendungsbescheide')}"
        f" → {out}"
    )
    return 0


def cmd_sachbericht(args: argparse.Namespace) -> int:
    user = acting_user(args)
    out = Path(args.out)
    check_out(out)
    with open_store(args.store) as store:
        data = sachbericht.sachbericht_docx(store, user, args.area, year=args.year)
    _write(out, data)
    print(f"Sachbericht {args.year} für „{args.area}“ → {out}")
    return 0
