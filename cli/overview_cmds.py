"""``qmon overview``: a Land's (or the Bund's) overview of one programme year.

Which Gesamtmaßnahmen of the register (``funding_areas``) have reported for the year
(collected packages and the store's own filed reports), which are late, which differ
from the year before beyond the threshold, and the sums of parts B–D by programme,
Kreis and Land (:mod:`monitoring.federal.overview`). ``--format table`` prints German
text tables, ``json`` the same for machines, ``csv`` and ``xlsx`` write the roll-up to
``--out``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import pandas as pd

from cli.monitoring_cmds import _common, acting_user, table
from geo import german
from geo.store import open_store
from monitoring.federal import overview_export
from monitoring.federal.differences import DEFAULT_THRESHOLD
from monitoring.federal.overview import Filters, Rollup, read_overview, roll_up
from monitoring.numbers import german_number

FORMATS = ("table", "json", "csv", "xlsx")
DESCRIPTION = (
    "Welche Gesamtmaßnahmen des Verzeichnisses für das Programmjahr gemeldet haben "
    "(gesammelte Pakete und eigene eingereichte Berichte), welche verspätet sind, welche "
    "Werte über der Schwelle vom Vorjahr abweichen, und die Summen der Teile B–D nach "
    "Programm, Kreis und Land. Erwartet wird eine Gesamtmaßnahme, die im Jahr im Programm "
    "ist (Aufnahme bis zum Jahr, voraussichtliches Ende nicht davor, nicht „in "
    "Vorbereitung“)."
)
DEADLINE_HELP = (
    "Frist der Meldungen als TT.MM.JJJJ (Standard: 30.06. des Folgejahres – eine Annahme, "
    "die Länder setzen eigene Fristen)"
)


def _deadline(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%d.%m.%Y").date()
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"„{text}“ ist kein Datum; schreiben Sie es als TT.MM.JJJJ, z. B. 30.06.2025"
        ) from None


def _threshold(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = -1.0
    if value < 0:
        raise argparse.ArgumentTypeError(
            f"„{text}“ ist keine Schwelle; geben Sie einen Anteil ab 0 an, z. B. 0,5 (= 50 %)"
        )
    return value


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "overview",
        help="Übersicht eines Landes (oder des Bundes): Meldungen, Verspätungen, Summen",
        description=DESCRIPTION,
    )
    _common(p)
    p.add_argument("--year", type=int, required=True, help="Programmjahr (Berichtsjahr)")
    p.add_argument("--format", choices=FORMATS, default="table", help="Ausgabeformat")
    p.add_argument("--out", default=None, help="Datei für csv und xlsx")
    p.add_argument(
        "--tabelle",
        choices=overview_export.CSV_TABLES,
        default="summen",
        help="bei csv: die Summen (Standard) oder die Meldungen je Gesamtmaßnahme",
    )
    p.add_argument("--land", default=None, help="nur ein Land (zwei Ziffern, z. B. 05)")
    p.add_argument("--kreis", default=None, help="nur ein Kreis (fünf Ziffern, z. B. 05315)")
    p.add_argument("--ags", default=None, help="nur eine Gemeinde (AGS, acht Ziffern)")
    p.add_argument("--programm", default=None, help="nur ein Programm (Kennung)")
    p.add_argument("--frist", type=_deadline, default=None, help=DEADLINE_HELP)
    p.add_argument(
        "--schwelle",
        type=_threshold,
        default=DEFAULT_THRESHOLD,
        help="Abweichung zum Vorjahr, ab der ein Wert gelistet wird (Standard 0,5 = 50 %%)",
    )
    p.set_defaults(func=cmd_overview)


def cmd_overview(args: argparse.Namespace) -> int:
    user = acting_user(args)
    filters = Filters(land=args.land, kreis=args.kreis, ags=args.ags, programme=args.programm)
    if args.format in ("csv", "xlsx") and not args.out:
        print(
            f"qmon overview: geben Sie --out DATEI an, z. B. --out uebersicht.{args.format}",
            file=sys.stderr,
        )
        return 2
    with open_store(args.store) as store:
        data = read_overview(store, user, args.year, threshold=args.schwelle)
    rollup = roll_up(data, filters=filters, deadline=args.frist)
    if args.format == "json":
        print(
            json.dumps(overview_export.json_data(rollup), ensure_ascii=False, indent=2, default=str)
        )
        return 0
    if args.format in ("csv", "xlsx"):
        out = Path(args.out)
        payload = (
            overview_export.csv_bytes(rollup, args.tabelle)
            if args.format == "csv"
            else overview_export.workbook_bytes(rollup)
        )
        out.write_bytes(payload)
        print(f"Übersicht {rollup.year} geschrieben: {out}")
        return 0
    print(text_report(rollup))
    return 0


def _figure(value: object) -> str:
    """A figure the German way: whole numbers without decimals, others with two."""
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return "–"
    number = float(value)  # type: ignore[arg-type]
    return german_number(number, decimals=0 if number.is_integer() else 2)


def _plain(frame: pd.DataFrame, numbers: tuple[str, ...] = ()) -> str:
    formats = {c: _figure for c in numbers if c in frame.columns}
    return table(frame, {c: c for c in frame.columns}, formats)


def text_report(rollup: Rollup) -> str:
    """The overview as German text tables."""
    lines = [overview_export.title(rollup), overview_export.note(rollup), ""]
    lines += ["Stand der Meldungen", _plain(rollup.completeness), ""]
    shown = ["AGS", "Gemeinde", "Gesamtmaßnahme", "Name", "Programm"]
    lines.append(f"Verspätet ({len(rollup.late)})")
    lines.append(_plain(rollup.late[shown]) if len(rollup.late) else "keine")
    lines.append("")
    if len(rollup.unregistered):
        lines += ["Pakete nicht im Verzeichnis", _plain(rollup.unregistered), ""]
    lines.append(f"Abweichungen zum Vorjahr ({len(rollup.differences)})")
    if len(rollup.differences):
        diffs = rollup.differences.assign(
            Veränderung=rollup.differences["Veränderung"].map(
                lambda v: german.percent(None if pd.isna(v) else v * 100, decimals=0)
            )
        )
        lines.append(_plain(diffs, ("Vorjahr", "Berichtsjahr")))
    else:
        lines.append("keine")
    lines.append("")
    for level, name in overview_export.LEVEL_TITLES.items():
        frame = rollup.sums[level].drop(columns=["Schlüssel"])
        lines += [name, _plain(frame, ("Summe",)) if len(frame) else "keine Meldungen", ""]
    return "\n".join(lines).rstrip()
