"""Monitoring commands: ``qmon progress``, ``qmon check``, ``qmon funds``, ``qmon network``,
``qmon compare`` and ``qmon history``.

Every command acts as a user: ``--user``/``--role`` (default ``$QMON_USER``/``$QMON_ROLE``,
else the local single user with all rights, as in the demo).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from geo import german
from geo.levels import level_dative_plural
from geo.store import open_store
from monitoring import editing, services
from monitoring.auth import LOCAL_USER, ROLES, User
from monitoring.findings import LEVEL_LABELS, Finding
from monitoring.numbers import german_number

STORE_HELP = "URL des Datenbestands: ein .gpkg-Pfad oder postgresql://… (Standard: $QMON_STORE)"
FORMATS = ("json", "table")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", default=None, help=STORE_HELP)
    parser.add_argument(
        "--user", default=None, help="handelnder Benutzer (Standard: $QMON_USER oder lokal)"
    )
    parser.add_argument(
        "--role",
        default=None,
        choices=ROLES,
        help="Rolle des Benutzers (Standard: $QMON_ROLE oder admin)",
    )


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"„{text}“ ist kein Datum; schreiben Sie es als JJJJ-MM-TT, z. B. 2025-06-30"
        ) from None


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("progress", help="Fortschritt einer Gesamtmaßnahme: Geld, Maßnahmen, Ziele")
    _common(p)
    p.add_argument("--area", required=True, help="Kennung der Gesamtmaßnahme")
    p.add_argument("--year", type=int, default=None, help="Berichtsjahr (Geld und Werte bis dahin)")
    p.add_argument(
        "--today", type=_date, default=None, help="Datum, an dem die Status beurteilt werden"
    )
    p.add_argument("--format", choices=FORMATS, default="table", help="Ausgabeformat")
    p.set_defaults(func=cmd_progress)

    p = sub.add_parser(
        "check", help="alle Prüfungen einer Gesamtmaßnahme (Maßnahmen, Finanzierung, Fonds)"
    )
    _common(p)
    p.add_argument("--area", required=True, help="Kennung der Gesamtmaßnahme")
    p.add_argument(
        "--today", type=_date, default=None, help="Datum, an dem die Status beurteilt werden"
    )
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_check)

    funds = sub.add_parser("funds", help="local funds (Verfügungsfonds)")
    fsub = funds.add_subparsers(dest="funds_command", required=True, metavar="COMMAND")
    p = fsub.add_parser("check", help="Fonds gegen die Regeln prüfen (50 %%, investiv, Budget)")
    _common(p)
    p.add_argument("--area", default=None, help="nur die Fonds dieser Gesamtmaßnahme")
    p.add_argument("--fund", default=None, help="nur dieser Fonds")
    p.add_argument(
        "--today",
        type=_date,
        default=None,
        help="Datum, an dem die Verwendungsnachweise beurteilt werden",
    )
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_funds_check)
    p = fsub.add_parser(
        "show", help="Einnahmen eines Fonds nach Herkunft mit Anteilen, und seine Entscheidungen"
    )
    _common(p)
    p.add_argument("--fund", required=True, help="Kennung des Fonds")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_funds_show)

    p = sub.add_parser(
        "network", help="Akteursnetzwerk einer Gesamtmaßnahme (wer arbeitet mit wem)"
    )
    _common(p)
    p.add_argument("--area", required=True, help="Kennung der Gesamtmaßnahme")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_network)

    p = sub.add_parser(
        "compare", help="eine Gesamtmaßnahme gegenüber der übrigen Stadt im Zeitverlauf"
    )
    _common(p)
    p.add_argument("--area", required=True, help="Kennung der Gesamtmaßnahme")
    p.add_argument(
        "--indicator", required=True, help="Schlüssel des Indikators, z. B. unemployment_rate"
    )
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("history", help="das Änderungsprotokoll: wer hat wann was geändert")
    _common(p)
    p.add_argument("--layer", default=None, help="nur diese Ebene")
    p.add_argument(
        "--id", default=None, help="nur dieser Datensatz (mit --layer; einfacher Schlüssel)"
    )
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_history)


def acting_user(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> User:
    """Return the user the command acts as (options, then environment, then the local user)."""
    env = os.environ if environ is None else environ
    name = args.user or env.get("QMON_USER") or LOCAL_USER.name
    role = args.role or env.get("QMON_ROLE") or LOCAL_USER.role
    return User(name, role)  # type: ignore[arg-type]  # checked by User


# --- formatting ------------------------------------------------------------------------


def table(frame: pd.DataFrame, columns: Mapping[str, str], formats: Mapping[str, Any]) -> str:
    """Render ``frame`` as an aligned text table with German headers.

    Examples
    --------
    >>> f = pd.DataFrame({"a": ["x", "yy"], "b": [1000.0, 2.5]})
    >>> print(table(f, {"a": "Name", "b": "Betrag"}, {"b": lambda v: german_number(v, decimals=1)}))
    Name   Betrag
    x     1.000,0
    yy        2,5
    """
    headers = list(columns.values())
    cells = [
        [
            formats[c](v) if c in formats else ("" if v is None or v is pd.NA else str(v))
            for c, v in zip(columns, row)
        ]
        for row in frame[list(columns)].itertuples(index=False)
    ]
    numeric = [c in formats for c in columns]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)
        ).rstrip()

    return "\n".join([line(headers), *(line(r) for r in cells)])


def _euro(v: Any) -> str:
    return german_number(v, decimals=0, unit=" €")


def _pct(v: Any) -> str:
    return german_number(v, decimals=1, unit=" %")


def _int(v: Any) -> str:
    return german_number(v)


def _logged_at(v: Any) -> str:
    """A time of the audit log (stored in UTC) in German local time.

    Examples
    --------
    >>> _logged_at("2026-11-26 07:36:05")
    '26.11.2026, 08:36:05 Uhr'
    """
    moment = pd.Timestamp(v)
    if pd.isna(moment):
        return german.NO_VALUE_SHORT
    if moment.tzinfo is None:
        moment = moment.tz_localize("UTC")
    return german.timestamp(moment, seconds=True)


def _yes(v: Any) -> str:
    return "" if v is None or v is pd.NA or pd.isna(v) else ("ja" if v else "nein")


def _findings_text(found: Sequence[Finding]) -> str:
    if not found:
        return "Keine Beanstandungen."
    return "\n".join(f"- {LEVEL_LABELS[f.level]}: {f.message}" for f in found)


def _dump(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


# --- commands ----------------------------------------------------------------------------


def cmd_progress(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        report = services.progress_report(store, user, args.area, year=args.year, today=args.today)
    if args.format == "json":
        _dump(report.to_dict())
        return 0
    print(progress_text(report))
    return 0


def progress_text(report: services.ProgressReport) -> str:
    """Render a progress report as readable German tables."""
    area = report.area
    head = f"Fortschritt der Gesamtmaßnahme {area['id']}: {area.get('name') or ''}"
    if report.year is not None:
        head += f" (Berichtsjahr {report.year})"
    parts = [head, "=" * len(head), ""]
    parts += [
        "Finanzierung je Mittelgeber (Summe aller Programmjahre)",
        table(
            report.funding_totals.reset_index(),
            {
                "source": "Mittelgeber",
                "planned": "geplant",
                "approved": "bewilligt",
                "paid": "ausgezahlt",
                "planned_share": "Anteil geplant",
            },
            {"planned": _euro, "approved": _euro, "paid": _euro, "planned_share": _pct},
        ),
        "",
    ]
    parts += [
        "Finanzierung je Programmjahr und Mittelgeber (kumuliert: bis einschließlich Jahr)",
        table(
            report.funding,
            {
                "source": "Mittelgeber",
                "programme_year": "Programmjahr",
                "planned": "geplant",
                "approved": "bewilligt",
                "paid": "ausgezahlt",
                "paid_cum": "ausgezahlt kumuliert",
            },
            {
                "programme_year": str,
                "planned": _euro,
                "approved": _euro,
                "paid": _euro,
                "paid_cum": _euro,
            },
        ),
        "",
    ]
    status = report.measures_by_status.reset_index()
    parts += [
        f"Maßnahmen nach Status ({int(report.measures_by_status.sum())} insgesamt)",
        table(status, {"status": "Status", "measures": "Anzahl"}, {"measures": _int}),
        "",
    ]
    parts += [
        "Maßnahmen nach Handlungsfeld (eine Maßnahme kann mehreren dienen)",
        table(
            report.measures_by_field,
            {"name": "Handlungsfeld", "measures": "Anzahl", "cost_estimate": "Kostenschätzung"},
            {"measures": _int, "cost_estimate": _euro},
        ),
        "",
    ]
    if len(report.outputs):
        parts += [
            "Output der Maßnahmen",
            table(
                report.outputs,
                {
                    "quantity": "Größe",
                    "unit": "Einheit",
                    "planned": "geplant",
                    "actual": "erreicht",
                    "actual_pct": "erreicht in %",
                },
                {"planned": _int, "actual": _int, "actual_pct": _pct},
            ),
            "",
        ]
    goals = report.goals.assign(
        on_track_text=report.goals["on_track"].map(
            lambda v: "" if v is None or v is pd.NA else ("im Plan" if v else "hinter Plan")
        )
    )
    parts += [
        "Ziele und Zielerreichung",
        table(
            goals,
            {
                "goal_id": "Ziel",
                "title": "Titel",
                "indicator": "Indikator",
                "baseline": "Basis",
                "target": "Zielwert",
                "latest": "aktuell",
                "attainment_pct": "Zielerreichung",
                "on_track_text": "Verlauf",
            },
            {"baseline": _int, "target": _int, "latest": _int, "attainment_pct": _pct},
        ),
        "",
    ]
    parts += [
        "Lücken im Konzept",
        table(report.gaps, {"label": "Art", "id": "Kennung", "title": "Titel"}, {})
        if len(report.gaps)
        else "Keine.",
        "",
    ]
    parts += ["Prüfungen", _findings_text(report.findings)]
    return "\n".join(parts)


def _print_findings(found: Sequence[Finding], fmt: str) -> int:
    if fmt == "json":
        _dump([f.__dict__ for f in found])
    else:
        print(_findings_text(found))
    return 1 if any(f.level == "error" for f in found) else 0


def cmd_check(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        found = services.check_area(store, user, args.area, today=args.today)
    return _print_findings(found, args.format)


def cmd_funds_check(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        found = services.check_funds(
            store, user, area_id=args.area, fund_id=args.fund, today=args.today
        )
    return _print_findings(found, args.format)


def cmd_funds_show(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        parts = services.fund_overview(store, user, args.fund)
    if args.format == "json":
        _dump(
            {
                k: services.records_of(v.drop(columns=[c for c in ("geometry",) if c in v]))
                for k, v in parts.items()
            }
        )
        return 0
    print(f"Fonds {args.fund}: Einnahmen nach Herkunft")
    print(
        table(
            parts["income"],
            {"source": "Herkunft", "amount": "Betrag", "share": "Anteil"},
            {"amount": _euro, "share": _pct},
        )
    )
    print()
    print("Entscheidungen")
    print(
        table(
            parts["decisions"].sort_values("decided"),
            {
                "id": "Kennung",
                "decided": "Datum",
                "body_id": "Gremium",
                "title": "Vorhaben",
                "amount": "Betrag",
                "investive": "investiv",
                "financed_from": "finanziert aus",
                "proof_of_use": "Verwendungsnachweis",
            },
            {
                "amount": _euro,
                "investive": _yes,
                "decided": lambda v: german.date(v, missing=""),
            },
        )
    )
    return 0


def cmd_network(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        net = services.actor_network(store, user, args.area)
    if args.format == "json":
        _dump({k: services.records_of(v) for k, v in net.items()})
        return 0
    actors = net["actors"]
    print(
        f"Akteursnetzwerk {args.area}: {german.count(len(actors), 'Akteur', 'Akteure')}, "
        f"{german.count(len(net['links']), 'Verbindung', 'Verbindungen')}, "
        f"{german.number(int(actors['isolated'].sum()))} ohne Verbindung"
    )
    print(
        table(
            actors,
            {
                "name": "Akteur",
                "type": "Typ",
                "partners": "Partner",
                "links": "gemeinsame Projekte/Gremien",
                "group": "Gruppe",
                "isolated": "isoliert",
            },
            {"partners": _int, "links": _int, "group": str, "isolated": _yes},
        )
    )
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from indicators.disclosure import DEFAULT_MINIMUM
    from indicators.errors import IndicatorError
    from monitoring.renewal.comparison import comparison_text, disclosed_comparison

    user = acting_user(args)
    with open_store(args.store) as store:
        cmp = services.compare_area(store, user, args.area, args.indicator)
        try:
            residents = services.compare_area(store, user, args.area, "residents")
        except IndicatorError:
            residents = None  # no population stored: nothing can be judged (said below)
    # small numbers are withheld here as on the map: suppressed and missing stay apart
    shown = disclosed_comparison(
        cmp, residents, indicator=args.indicator, minimum=DEFAULT_MINIMUM
    ).assign(gap=lambda f: f["area"] - f["rest"])
    if args.format == "json":
        _dump(services.records_of(shown.reset_index()))
        return 0
    level = cmp.attrs.get("level")
    print(f"{args.indicator}: Gesamtmaßnahme {args.area} gegenüber der übrigen Stadt")
    text = comparison_text(shown, decimals=1, minimum=DEFAULT_MINIMUM, level=level)
    frame = text.reset_index()
    same = {c: str for c in ("area", "rest", "city", "gap")}
    print(
        table(
            frame,
            {
                "period": "Stichtag",
                "area": "Gebiet",
                "rest": "übrige Stadt",
                "city": "Stadt",
                "gap": "Abstand",
            },
            {"period": german.date, **same},
        )
    )
    if level:
        print(f"Werte aus den {level_dative_plural(level)} flächengewichtet geschätzt.")
    if residents is None:
        print(
            f"Keine Einwohnerzahlen gespeichert: die Mindestgröße von {DEFAULT_MINIMUM} "
            "Einwohnern lässt sich nicht prüfen (importieren Sie den Indikator residents)."
        )
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    user = acting_user(args)
    key = {"id": args.id} if args.id is not None else None
    with open_store(args.store) as store:
        log = editing.history(store, user, layer=args.layer, key=key)
    if args.format == "json":
        _dump(services.records_of(log))
        return 0
    print(
        table(
            log,
            {
                "at": "Zeitpunkt",
                "user_name": "Benutzer",
                "layer": "Ebene",
                "record_key": "Datensatz",
                "action": "Aktion",
                "batch_id": "Import",
            },
            {
                "at": _logged_at,
                "action": lambda v: editing.AUDIT_ACTION_LABELS.get(v, v),
            },
        )
    )
    return 0
