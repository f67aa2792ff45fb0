"""Grant procedure commands: ``qmon deadlines``, ``qmon notice``, ``qmon drawdown``,
``qmon application``, ``qmon revenue`` and ``qmon cost-group``.

The clerk records on the command line what the app's Förderung page records: the
Zuwendungsbescheide (notices) with their amounts and deadlines, the Mittelabrufe
(drawdowns), the Förderanträge (each freezes the KuF), the revenues of the KuF and the
cost group of each measure. Every command calls :mod:`monitoring.grants.service` (or
:mod:`monitoring.services`) and nothing below it: role, record rules, version and the
audit row are theirs. A refusal prints the German reason and ends with exit code 2;
nothing is stored. ``qmon deadlines`` ends with exit code 3 when a deadline is missed
or money may have lapsed (0 when nothing is missed, even with deadlines coming up), so
a clerk's daily cron job reports only what needs action.

``qmon notice set`` changes only the fields given; it does not empty a field.

Amounts are typed the German way (``120.000,50``, ``120000,50 €``), dates as
``TT.MM.JJJJ`` or ``JJJJ-MM-TT``. Every command acts as a user: ``--user``/``--role``
(default ``$QMON_USER``/``$QMON_ROLE``, else the local user with all rights).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from cli.monitoring_cmds import _common, acting_user, table
from geo import german
from geo.readers import parse_date
from geo.store import open_store
from monitoring import services
from monitoring.auth import User
from monitoring.errors import NotFound, RuleViolation
from monitoring.findings import LEVEL_LABELS, Finding
from monitoring.grants import notices as notice_rules
from monitoring.grants import service
from monitoring.grants.cost_groups import UNASSIGNED
from monitoring.numbers import NumberInputError, parse_german_number
from monitoring.reports.cells import csv_field

EXIT_MISSED = 3
"""Exit code of ``qmon deadlines`` when a deadline is missed or money may have lapsed."""

_FULL_DATE = re.compile(r"^\s*(\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2})\s*$")


# --- input ----------------------------------------------------------------------------


def german_day(text: str) -> dt.date:
    """Read a date typed as ``TT.MM.JJJJ`` or ``JJJJ-MM-TT`` (an argparse type).

    A bare year or month is refused: a deadline or the date of a notice is a day.

    Examples
    --------
    >>> german_day("31.12.2025"), german_day("2025-06-30")
    (datetime.date(2025, 12, 31), datetime.date(2025, 6, 30))
    >>> german_day("2025")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: „2025“ ist kein Tagesdatum; schreiben Sie TT.MM.JJJJ, \
z. B. 30.06.2025
    """
    if _FULL_DATE.match(text):
        try:
            return parse_date(text.strip())
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(
        f"„{text}“ ist kein Tagesdatum; schreiben Sie TT.MM.JJJJ, z. B. 30.06.2025"
    )


def german_amount(text: str) -> float:
    """Read an amount typed the German way (an argparse type; ``120.000,50``, ``5000 €``).

    Examples
    --------
    >>> german_amount("120.000,50"), german_amount("5000 €")
    (120000.5, 5000.0)
    >>> german_amount("1.5")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: „1.5“ ist keine Zahl in deutscher Schreibweise. Der Punkt \
trennt Tausender, das Komma Dezimalstellen: schreiben Sie 1,5 oder 15.
    """
    try:
        value = parse_german_number(text, field="Betrag", kind="amount")
    except NumberInputError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("Betrag: ")) from None
    if value is None:
        raise argparse.ArgumentTypeError("der Betrag ist leer; schreiben Sie z. B. 50.000,00")
    return value


def _days(text: str) -> int:
    """A number of days ahead (an argparse type): a whole number, 0 or more."""
    try:
        days = int(text)
    except ValueError:
        days = -1
    if days < 0:
        raise argparse.ArgumentTypeError(
            f"„{text}“ ist keine Zahl von Tagen; geben Sie eine ganze Zahl ab 0 an, z. B. 90"
        )
    return days


def _warn(warnings: tuple[Finding, ...]) -> None:
    for w in warnings:
        print(f"{LEVEL_LABELS[w.level]}: {w.message}", file=sys.stderr)


def _dump(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _day_text(value: Any) -> str:
    return german.date(value, missing="")


def _euro(value: Any) -> str:
    return german.euro(value, missing="")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Plain JSON records: dates as ``JJJJ-MM-TT``, missing values as null."""
    out = []
    for row in frame.drop(columns=["geometry"], errors="ignore").to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for column, value in row.items():
            key = str(column)
            if isinstance(value, pd.Timestamp):
                if pd.isna(value):
                    clean[key] = None
                elif value == value.normalize():
                    clean[key] = value.date().isoformat()
                else:
                    clean[key] = value.isoformat()
            elif value is None or (not isinstance(value, str) and pd.isna(value)):
                clean[key] = None
            elif hasattr(value, "item"):
                clean[key] = value.item()
            else:
                clean[key] = value
        out.append(clean)
    return out


# --- registration -----------------------------------------------------------------------

_DEADLINES_EPILOG = (
    "Exit-Code: 0, wenn keine Frist versäumt ist (auch wenn Fristen bevorstehen oder "
    "nichts fällig ist); 3, wenn mindestens eine Frist versäumt ist oder Mittel verfallen "
    "sein können – so meldet sich ein regelmäßiger Aufruf (cron) nur dann mit einem Fehler; "
    "2 bei einer abgelehnten Eingabe. Beispiel: qmon deadlines --store stadt.gpkg --at "
    "01.12.2025 --days 60"
)

_NOTICE_EPILOG = (
    "Beträge in deutscher Schreibweise (120.000,50), Daten als TT.MM.JJJJ. Die Zuwendung "
    "ist die Summe aus Bundes- und Landesmitteln. Beispiel: qmon notice add --store "
    "stadt.gpkg --area SSZ-01 --file-number 'AZ 34-2025/17' --date 15.05.2025 "
    "--programme-year 2025 --bund 60.000 --land 40.000 --gemeinde 50.000 --drawdown-by "
    "31.12.2026 --measure M1 --measure M2"
)


def _notice_options(p: argparse.ArgumentParser, *, new: bool) -> None:
    """The fields of a notice (required ones only when a notice is created)."""
    p.add_argument(
        "--file-number",
        required=new,
        metavar="AZ",
        help="Aktenzeichen, wie es auf dem Bescheid steht",
    )
    p.add_argument(
        "--date", type=german_day, metavar="DATUM", required=new, help="Datum des Bescheids"
    )
    p.add_argument(
        "--programme-year",
        type=int,
        metavar="JAHR",
        required=new,
        help="Programmjahr (vierstellig)",
    )
    p.add_argument("--programme", metavar="ID", default=None, help="Kennung des Förderprogramms")
    p.add_argument("--application", metavar="ID", default=None, help="Kennung des Förderantrags")
    p.add_argument(
        "--bund", type=german_amount, metavar="BETRAG", default=None, help="Bundesmittel (€)"
    )
    p.add_argument(
        "--land", type=german_amount, metavar="BETRAG", default=None, help="Landesmittel (€)"
    )
    p.add_argument(
        "--gemeinde",
        type=german_amount,
        metavar="BETRAG",
        default=None,
        help="Eigenanteil der Gemeinde (€)",
    )
    p.add_argument(
        "--eligible",
        type=german_amount,
        metavar="BETRAG",
        default=None,
        help="zuwendungsfähige Kosten (€)",
    )
    p.add_argument(
        "--from",
        dest="approval_from",
        type=german_day,
        metavar="DATUM",
        help="Bewilligungszeitraum von",
    )
    p.add_argument(
        "--to",
        dest="approval_to",
        type=german_day,
        metavar="DATUM",
        help="Bewilligungszeitraum bis",
    )
    p.add_argument("--conditions", default=None, metavar="TEXT", help="Nebenbestimmungen (Text)")
    p.add_argument(
        "--works-start", type=german_day, metavar="DATUM", help="Baubeginn spätestens am"
    )
    p.add_argument("--drawdown-by", type=german_day, metavar="DATUM", help="Mittel abzurufen bis")
    p.add_argument(
        "--proof-by", type=german_day, metavar="DATUM", help="Verwendungsnachweis einzureichen bis"
    )
    p.add_argument(
        "--proof-submitted",
        type=german_day,
        metavar="DATUM",
        help="Verwendungsnachweis eingereicht am",
    )
    p.add_argument(
        "--measure",
        action="append",
        default=None,
        metavar="ID",
        help="eine geförderte Maßnahme (mehrmals angeben; ersetzt die bisherige Auswahl)",
    )


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "deadlines",
        help="versäumte und anstehende Fristen der Zuwendungsbescheide",
        description="Versäumte und anstehende Fristen der Zuwendungsbescheide: Baubeginn, "
        "Mittelabruf (nicht abgerufene Mittel können verfallen) und Verwendungsnachweis.",
        epilog=_DEADLINES_EPILOG,
    )
    _common(p)
    p.add_argument(
        "--area", metavar="ID", default=None, help="nur die Bescheide dieser Gesamtmaßnahme"
    )
    p.add_argument(
        "--at",
        type=german_day,
        metavar="DATUM",
        default=None,
        help="Stichtag, an dem die Fristen beurteilt werden (Standard: heute)",
    )
    p.add_argument(
        "--days",
        type=_days,
        metavar="N",
        default=notice_rules.HORIZON_DAYS,
        help=f"so viele Tage im Voraus melden (Standard: {notice_rules.HORIZON_DAYS})",
    )
    p.add_argument(
        "--format", choices=("text", "csv", "json"), default="text", help="Ausgabeformat"
    )
    p.set_defaults(func=cmd_deadlines)

    notice = sub.add_parser("notice", help="Zuwendungsbescheide erfassen, ändern, auflisten")
    nsub = notice.add_subparsers(dest="notice_command", required=True, metavar="COMMAND")
    p = nsub.add_parser(
        "add",
        help="einen Zuwendungsbescheid erfassen (Rollen Bearbeitung, Verwaltung)",
        epilog=_NOTICE_EPILOG,
    )
    _common(p)
    p.add_argument("--area", metavar="ID", required=True, help="Kennung der Gesamtmaßnahme")
    p.add_argument(
        "--id", metavar="ID", default=None, help="Kennung (Standard: GESAMTMASSNAHME/ZB/n)"
    )
    _notice_options(p, new=True)
    p.set_defaults(func=cmd_notice_add, command_path="notice add")
    p = nsub.add_parser("list", help="die Zuwendungsbescheide mit Zuwendung und Abrufen")
    _common(p)
    p.add_argument(
        "--area", metavar="ID", default=None, help="nur die Bescheide dieser Gesamtmaßnahme"
    )
    p.add_argument("--format", choices=("table", "json"), default="table", help="Ausgabeformat")
    p.set_defaults(func=cmd_notice_list, command_path="notice list")
    p = nsub.add_parser(
        "set",
        help="einen Zuwendungsbescheid ändern (nur die angegebenen Angaben)",
        epilog="Die Version steht in „qmon notice list“; hat jemand den Bescheid seitdem "
        "geändert, wird nichts gespeichert.",
    )
    _common(p)
    p.add_argument("--id", metavar="ID", required=True, help="Kennung des Bescheids")
    p.add_argument(
        "--version",
        type=int,
        metavar="N",
        required=True,
        help="die gelesene Version (qmon notice list)",
    )
    _notice_options(p, new=False)
    p.set_defaults(func=cmd_notice_set, command_path="notice set")

    draw = sub.add_parser("drawdown", help="Mittelabrufe zu einem Zuwendungsbescheid")
    dsub = draw.add_subparsers(dest="drawdown_command", required=True, metavar="COMMAND")
    p = dsub.add_parser(
        "add",
        help="einen Mittelabruf erfassen (höchstens die noch abrufbare Zuwendung)",
        epilog="Beispiel: qmon drawdown add --store stadt.gpkg --notice SSZ-01/ZB/1 "
        "--amount 25.000,00 --date 01.08.2025",
    )
    _common(p)
    p.add_argument("--notice", metavar="ID", required=True, help="Kennung des Zuwendungsbescheids")
    p.add_argument(
        "--amount", type=german_amount, metavar="BETRAG", required=True, help="Betrag (€)"
    )
    p.add_argument("--date", type=german_day, metavar="DATUM", required=True, help="abgerufen am")
    p.add_argument(
        "--received", type=german_day, metavar="DATUM", default=None, help="eingegangen am"
    )
    p.add_argument("--purpose", default=None, metavar="TEXT", help="Verwendungszweck")
    p.set_defaults(func=cmd_drawdown_add, command_path="drawdown add")
    p = dsub.add_parser("list", help="die Mittelabrufe eines Zuwendungsbescheids")
    _common(p)
    p.add_argument("--notice", metavar="ID", required=True, help="Kennung des Zuwendungsbescheids")
    p.add_argument("--format", choices=("table", "json"), default="table", help="Ausgabeformat")
    p.set_defaults(func=cmd_drawdown_list, command_path="drawdown list")

    app = sub.add_parser("application", help="Förderanträge (jeder schreibt die KuF fest)")
    asub = app.add_subparsers(dest="application_command", required=True, metavar="COMMAND")
    p = asub.add_parser("submit", help="einen Förderantrag erfassen und die KuF dazu festschreiben")
    _common(p)
    p.add_argument("--area", metavar="ID", required=True, help="Kennung der Gesamtmaßnahme")
    p.add_argument("--programme-year", type=int, metavar="JAHR", required=True, help="Programmjahr")
    p.add_argument("--programme", metavar="ID", default=None, help="Kennung des Förderprogramms")
    p.add_argument(
        "--date",
        type=german_day,
        metavar="DATUM",
        default=None,
        help="gestellt am (Standard: heute)",
    )
    p.add_argument("--notes", default=None, metavar="TEXT", help="Bemerkungen")
    p.set_defaults(func=cmd_application_submit, command_path="application submit")
    p = asub.add_parser("list", help="die Förderanträge einer Gesamtmaßnahme")
    _common(p)
    p.add_argument("--area", metavar="ID", required=True, help="Kennung der Gesamtmaßnahme")
    p.add_argument("--format", choices=("table", "json"), default="table", help="Ausgabeformat")
    p.set_defaults(func=cmd_application_list, command_path="application list")

    rev = sub.add_parser("revenue", help="Einnahmen der KuF (Ausgleichsbeträge, Erlöse, …)")
    rsub = rev.add_subparsers(dest="revenue_command", required=True, metavar="COMMAND")
    p = rsub.add_parser("add", help="eine Einnahme erfassen (geplant und/oder eingegangen)")
    _common(p)
    p.add_argument("--area", metavar="ID", required=True, help="Kennung der Gesamtmaßnahme")
    p.add_argument(
        "--kind",
        metavar="ART",
        required=True,
        help="Einnahmeart aus der Gliederung (qmon cost-group list)",
    )
    p.add_argument("--year", type=int, metavar="JAHR", required=True, help="Jahr")
    p.add_argument(
        "--planned", type=german_amount, metavar="BETRAG", default=None, help="geplant (€)"
    )
    p.add_argument(
        "--actual", type=german_amount, metavar="BETRAG", default=None, help="eingegangen (€)"
    )
    p.add_argument("--text", default=None, metavar="TEXT", help="Erläuterung")
    p.set_defaults(func=cmd_revenue_add, command_path="revenue add")
    p = rsub.add_parser("list", help="die Einnahmen einer Gesamtmaßnahme")
    _common(p)
    p.add_argument("--area", metavar="ID", required=True, help="Kennung der Gesamtmaßnahme")
    p.set_defaults(func=cmd_revenue_list, command_path="revenue list")

    cg = sub.add_parser("cost-group", help="Kostengruppen der KuF: Gliederung und Zuordnung")
    csub = cg.add_subparsers(dest="cost_group_command", required=True, metavar="COMMAND")
    p = csub.add_parser("set", help="einer Maßnahme eine Kostengruppe zuordnen")
    _common(p)
    p.add_argument("--measure", metavar="ID", required=True, help="Kennung der Maßnahme")
    p.add_argument(
        "--group",
        metavar="SCHLÜSSEL",
        required=True,
        help="die Kostengruppe: ihr Schlüssel, ihre Nummer oder Bezeichnung (bau, 4, Baumaßnahmen)",
    )
    p.add_argument(
        "--version",
        type=int,
        metavar="N",
        default=None,
        help="die gelesene Version der Maßnahme (Standard: die gespeicherte)",
    )
    p.set_defaults(func=cmd_cost_group_set, command_path="cost-group set")
    p = csub.add_parser(
        "list", help="die Kostengruppen und Einnahmearten, und Maßnahmen ohne Kostengruppe"
    )
    _common(p)
    p.add_argument("--area", metavar="ID", required=True, help="Kennung der Gesamtmaßnahme")
    p.set_defaults(func=cmd_cost_group_list, command_path="cost-group list")


# --- deadlines ---------------------------------------------------------------------------


def deadline_lines(found: pd.DataFrame) -> list[str]:
    """One German line per deadline: due date, kind, state, funding area, message.

    Examples
    --------
    >>> f = pd.DataFrame({"due": [pd.Timestamp("2025-12-31")], "kind_label": ["Mittelabruf"],
    ...     "state_label": ["verfällt bald"], "funding_area_id": ["SSZ-01"],
    ...     "message": ["Zuwendungsbescheid „AZ 1“: …"]})
    >>> deadline_lines(f)
    ['31.12.2025  Mittelabruf  verfällt bald  SSZ-01  Zuwendungsbescheid „AZ 1“: …']
    """
    cells = [
        [
            german.date(r["due"]),
            str(r["kind_label"]),
            str(r["state_label"]),
            str(r["funding_area_id"] or ""),
            str(r["message"]),
        ]
        for r in found.to_dict(orient="records")
    ]
    widths = [max((len(c[i]) for c in cells), default=0) for i in range(4)]
    return ["  ".join([*(c[i].ljust(widths[i]) for i in range(4)), c[4]]) for c in cells]


def _csv_amount(value: Any) -> str:
    """An amount as a German spreadsheet reads it: decimal comma, no grouping."""
    if value is None or pd.isna(value):
        return ""
    return f"{float(value):.2f}".replace(".", ",")


def _deadlines_csv(found: pd.DataFrame) -> None:
    writer = csv.writer(sys.stdout, delimiter=";", lineterminator="\n")
    writer.writerow(
        ["faellig", "frist", "stand", "gesamtmassnahme", "bescheid", "aktenzeichen",
         "tage", "nicht_abgerufen", "meldung"]
    )  # fmt: skip
    for r in found.to_dict(orient="records"):
        writer.writerow(
            [
                german.date(r["due"]),
                r["kind_label"],
                r["state_label"],
                csv_field(str(r["funding_area_id"] or "")),
                csv_field(str(r["notice_id"])),
                csv_field(str(r["file_number"] or "")),
                int(r["days"]),
                _csv_amount(r["undrawn"]),
                csv_field(str(r["message"])),
            ]
        )


def cmd_deadlines(args: argparse.Namespace) -> int:
    user = acting_user(args)
    today = args.at or dt.date.today()
    with open_store(args.store) as store:
        if args.area is not None:
            services.funding_area(store, user, args.area)  # an unknown area is named
        found = service.deadlines(
            store, user, area_id=args.area, today=today, horizon_days=args.days
        )
    missed = bool(found["state"].isin(["missed", "lapsed"]).any())
    if args.format == "json":
        _dump(_records(found))
    elif args.format == "csv":
        _deadlines_csv(found)
    elif found.empty:
        print(
            "Keine versäumten Fristen und keine Fristen bis "
            f"{german.date(today + dt.timedelta(args.days))} (Stichtag {german.date(today)})."
        )
    else:
        print("\n".join(deadline_lines(found)))
    return EXIT_MISSED if missed else 0


# --- notices ------------------------------------------------------------------------------

_NOTICE_FIELDS: Mapping[str, str] = {
    "file_number": "file_number",
    "date": "notice_date",
    "programme_year": "programme_year",
    "programme": "programme_id",
    "application": "application_id",
    "bund": "amount_bund",
    "land": "amount_land",
    "gemeinde": "amount_gemeinde",
    "eligible": "eligible_costs",
    "approval_from": "approval_from",
    "approval_to": "approval_to",
    "conditions": "conditions",
    "works_start": "works_start_deadline",
    "drawdown_by": "drawdown_deadline",
    "proof_by": "proof_deadline",
    "proof_submitted": "proof_submitted",
}
"""Option (argparse dest) → column of ``grant_notices``."""


def _notice_values(args: argparse.Namespace) -> dict[str, Any]:
    """The notice's fields the user gave (dates as timestamps)."""
    values: dict[str, Any] = {}
    for dest, column in _NOTICE_FIELDS.items():
        value = getattr(args, dest)
        if value is None:
            continue
        values[column] = pd.Timestamp(value) if isinstance(value, dt.date) else value
    return values


def _saved_notice(saved: services.Saved, verb: str) -> None:
    _warn(saved.warnings)
    r = saved.record
    grant = notice_rules.grant(r)
    print(
        f"Zuwendungsbescheid {r['id']} „{r['file_number']}“ {verb} (Version {r['version']}): "
        f"Zuwendung {german.euro(grant)}."
    )


def cmd_notice_add(args: argparse.Namespace) -> int:
    user = acting_user(args)
    values = {"funding_area_id": args.area, **_notice_values(args)}
    with open_store(args.store) as store:
        values["id"] = args.id or service.next_notice_id(store, args.area)
        saved = service.save_notice(store, user, values, measure_ids=args.measure)
    _saved_notice(saved, "gespeichert")
    return 0


def cmd_notice_set(args: argparse.Namespace) -> int:
    user = acting_user(args)
    values = _notice_values(args)
    if not values and args.measure is None:
        raise RuleViolation(
            f"Zuwendungsbescheid „{args.id}“ – nicht geändert: es ist keine Angabe zu ändern "
            "genannt; geben Sie mindestens eine an, z. B. --land 45.000,00"
        )
    with open_store(args.store) as store:
        saved = service.save_notice(
            store,
            user,
            values,
            key={"id": args.id},
            expected_version=args.version,
            measure_ids=args.measure,
        )
    _saved_notice(saved, "geändert")
    return 0


def cmd_notice_list(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        if args.area is not None:
            services.funding_area(store, user, args.area)
        found = service.notices(store, user, args.area)
    if args.format == "json":
        _dump(_records(found))
        return 0
    if found.empty:
        where = f" der Gesamtmaßnahme {args.area}" if args.area else ""
        print(f"Keine Zuwendungsbescheide{where} (qmon notice add erfasst einen).")
        return 0
    money: dict[str, Callable[[Any], str]] = {
        "grant": _euro,
        "drawn": _euro,
        "undrawn": _euro,
        "programme_year": str,
        "version": str,
    }
    shown = found.assign(notice_date=[_day_text(v) for v in found["notice_date"]])
    print(
        table(
            shown,
            {
                "id": "Kennung",
                "funding_area_id": "Gesamtmaßnahme",
                "file_number": "Aktenzeichen",
                "notice_date": "Bescheid vom",
                "programme_year": "Programmjahr",
                "grant": "Zuwendung",
                "drawn": "abgerufen",
                "undrawn": "noch abrufbar",
                "version": "Version",
            },
            money,
        )
    )
    print(
        f"Summe: Zuwendung {german.euro(found['grant'].sum())}, abgerufen "
        f"{german.euro(found['drawn'].sum())}, noch abrufbar "
        f"{german.euro(found['undrawn'].sum())}"
    )
    return 0


# --- drawdowns ----------------------------------------------------------------------------


def _notice_record(store: Any, user: User, notice_id: str) -> dict[str, Any]:
    found = services.read(store, user, "grant_notices", where={"id": notice_id})
    if not len(found):
        raise NotFound(
            f"Den Zuwendungsbescheid „{notice_id}“ gibt es nicht; „qmon notice list“ zeigt "
            "die Kennungen"
        )
    return dict(found.drop(columns=["geometry"], errors="ignore").iloc[0])


def cmd_drawdown_add(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        notice = _notice_record(store, user, args.notice)
        saved = service.add_drawdown(
            store,
            user,
            args.notice,
            amount=args.amount,
            requested=args.date,
            received=args.received,
            purpose=args.purpose,
        )
        left = service.notices(store, user, notice["funding_area_id"])
    _warn(saved.warnings)
    rest = left.loc[left["id"] == args.notice, "undrawn"]
    r = saved.record
    print(
        f"Mittelabruf {r['id']} über {german.euro(r['amount'])} vom "
        f"{german.date(r['requested'])} gespeichert; noch abrufbar: "
        f"{german.euro(rest.iloc[0] if len(rest) else None)}."
    )
    return 0


def cmd_drawdown_list(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        notice = _notice_record(store, user, args.notice)
        found = service.drawdowns(store, user, args.notice)
    if args.format == "json":
        _dump(_records(found))
        return 0
    name = notice_rules.notice_name(notice)
    grant = notice_rules.grant(notice)
    drawn = round(float(pd.to_numeric(found["amount"]).sum()), 2) if len(found) else 0.0
    print(f"{name}: Zuwendung {german.euro(grant)}")
    if found.empty:
        print("Noch keine Mittelabrufe (qmon drawdown add erfasst einen).")
    else:
        shown = found.assign(
            requested=[_day_text(v) for v in found["requested"]],
            received=[_day_text(v) for v in found["received"]],
        )
        print(
            table(
                shown,
                {
                    "id": "Kennung",
                    "requested": "abgerufen am",
                    "amount": "Betrag",
                    "received": "eingegangen am",
                    "purpose": "Verwendungszweck",
                },
                {"amount": _euro},
            )
        )
    print(f"abgerufen {german.euro(drawn)}, noch abrufbar {german.euro(round(grant - drawn, 2))}")
    return 0


# --- applications -------------------------------------------------------------------------


def cmd_application_submit(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        saved = service.submit_application(
            store,
            user,
            args.area,
            programme_year=args.programme_year,
            programme_id=args.programme,
            submitted=args.date,
            notes=args.notes,
        )
    _warn(saved.warnings)
    r = saved.record
    print(
        f"Förderantrag {r['id']} für das Programmjahr {r['programme_year']} vom "
        f"{german.date(r['submitted'])} gespeichert; zugrunde liegt die festgeschriebene "
        f"KuF-Fassung {r['kuf_version_id']}."
    )
    return 0


def cmd_application_list(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        services.funding_area(store, user, args.area)
        found = service.applications(store, user, args.area)
    if args.format == "json":
        _dump(_records(found))
        return 0
    if found.empty:
        print(f"Keine Förderanträge der Gesamtmaßnahme {args.area} (qmon application submit).")
        return 0
    shown = found.assign(submitted=[_day_text(v) for v in found["submitted"]])
    print(
        table(
            shown,
            {
                "id": "Kennung",
                "programme_year": "Programmjahr",
                "programme_id": "Programm",
                "submitted": "gestellt am",
                "kuf_version_id": "KuF-Fassung",
                "notes": "Bemerkungen",
            },
            {},
        )
    )
    return 0


# --- revenues -----------------------------------------------------------------------------


def cmd_revenue_add(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        catalogue = service.cost_catalogue(store, user, args.area)
        kinds = catalogue.revenue_options()
        known = set(kinds) | {k for g in catalogue.revenues for k in g.includes}
        if args.kind not in known:
            listed = ", ".join(f"{k} ({v})" for k, v in kinds.items())
            raise RuleViolation(
                f"Einnahme – nicht gespeichert: --kind „{args.kind}“: diese Einnahmeart gibt "
                f"es in der Gliederung „{catalogue.name}“ nicht; erlaubt sind {listed}"
            )
        taken = set(
            services.read(store, user, "revenues", where={"funding_area_id": args.area})["id"]
        )
        n = len(taken) + 1
        while f"{args.area}/E/{n}" in taken:
            n += 1
        record = {
            "id": f"{args.area}/E/{n}",
            "funding_area_id": args.area,
            "kind": args.kind,
            "year": args.year,
            "planned": args.planned,
            "actual": args.actual,
            "description": args.text,
        }
        saved = services.save(store, user, "revenues", record)
    _warn(saved.warnings)
    r = saved.record
    print(
        f"Einnahme {r['id']} ({catalogue.label(args.kind)}, {r['year']}) gespeichert: geplant "
        f"{german.euro(r['planned'], missing='–')}, eingegangen "
        f"{german.euro(r['actual'], missing='–')}."
    )
    return 0


def cmd_revenue_list(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        catalogue = service.cost_catalogue(store, user, args.area)
        found = services.read(store, user, "revenues", where={"funding_area_id": args.area})
    if found.empty:
        print(f"Keine Einnahmen der Gesamtmaßnahme {args.area} (qmon revenue add).")
        return 0
    found = found.sort_values(["year", "id"]).assign(
        kind=lambda f: [catalogue.label(k) for k in f["kind"]]
    )
    print(
        table(
            found,
            {
                "id": "Kennung",
                "year": "Jahr",
                "kind": "Einnahmeart",
                "planned": "geplant",
                "actual": "eingegangen",
                "description": "Erläuterung",
            },
            {"planned": _euro, "actual": _euro, "year": str},
        )
    )
    return 0


# --- cost groups --------------------------------------------------------------------------


def cmd_cost_group_set(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        found = services.read(store, user, "measures", where={"id": args.measure})
        if not len(found):
            raise NotFound(f"Die Maßnahme „{args.measure}“ gibt es nicht; prüfen Sie die Kennung")
        before = found.iloc[0]
        catalogue = service.cost_catalogue(store, user, str(before["funding_area_id"]))
        key = catalogue.find(args.group)
        if key is None:
            listed = ", ".join(f"{k} ({v})" for k, v in catalogue.options().items())
            raise RuleViolation(
                f"Maßnahme „{args.measure}“ – nicht gespeichert: --group „{args.group}“: diese "
                f"Kostengruppe gibt es in der Gliederung „{catalogue.name}“ nicht; erlaubt "
                f"sind {listed}"
            )
        version = args.version if args.version is not None else int(before["version"])
        saved = services.update_measure(
            store, user, args.measure, {"cost_group": key}, expected_version=version
        )
    _warn(saved.warnings)
    r = saved.record
    print(
        f"Maßnahme {r['id']} „{r.get('title') or ''}“: Kostengruppe "
        f"{catalogue.label(catalogue.resolve(key))} (Version {r['version']})."
    )
    return 0


def cmd_cost_group_list(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        catalogue = service.cost_catalogue(store, user, args.area)
        ms = services.read(store, user, "measures", where={"funding_area_id": args.area})
    resolved = [catalogue.resolve(k) for k in ms["cost_group"]] if len(ms) else []
    ms = ms.assign(resolved=resolved)
    print(f"Kostengliederung „{catalogue.name}“ (Version {catalogue.version})")
    groups = pd.DataFrame(
        {
            "key": [g.key for g in catalogue.cost_groups],
            "code": [g.code for g in catalogue.cost_groups],
            "label": [g.label for g in catalogue.cost_groups],
            "measures": [int((ms["resolved"] == g.key).sum()) for g in catalogue.cost_groups],
        }
    )
    print(
        table(
            groups,
            {"code": "Nr.", "key": "Schlüssel", "label": "Kostengruppe", "measures": "Maßnahmen"},
            {"measures": str},
        )
    )
    print()
    print("Einnahmearten")
    kinds = pd.DataFrame(
        {
            "key": [g.key for g in catalogue.revenues],
            "code": [g.code for g in catalogue.revenues],
            "label": [g.label for g in catalogue.revenues],
        }
    )
    print(table(kinds, {"code": "Nr.", "key": "Schlüssel", "label": "Einnahmeart"}, {}))
    print()
    without = ms[ms["resolved"] == UNASSIGNED].sort_values("id")
    if without.empty:
        print("Jede Maßnahme hat eine Kostengruppe.")
        return 0
    print(f"Maßnahmen ohne Kostengruppe ({len(without)}; qmon cost-group set ordnet sie zu):")
    for r in without.to_dict(orient="records"):
        key = r.get("cost_group")
        unknown = (
            f" (unbekannter Schlüssel „{key}“)" if isinstance(key, str) and key.strip() else ""
        )
        print(f"- {r['id']} „{r.get('title') or ''}“{unknown}")
    return 0
