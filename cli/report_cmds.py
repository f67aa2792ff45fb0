"""Federal report commands: ``qmon report`` (generate), ``report file``, ``report diff``,
``report filed``, ``report package`` and ``report collected`` (:mod:`cli.federal_cmds`).

``qmon report --area ID --year YYYY --format xlsx|pdf|csv|json --out PATH`` writes one
report; ``--all --out DIR`` writes the report of every funding area into DIR
(``--prozesse N`` worker processes), with progress lines in German on stderr (exit
code 3 when some reports failed; the others are written). ``report file`` freezes a
report in the store, ``report diff`` shows what changed since the filed version (exit
code 1 when something changed, like ``diff``), ``report filed`` lists the filed reports.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from cli import federal_cmds
from cli.faults import os_reason
from cli.monitoring_cmds import acting_user, table
from geo import german
from geo.store import open_store, store_url
from indicators.registry import Registry, load_registry
from monitoring.auth import ROLES
from monitoring.reports import csv as csv_format
from monitoring.reports import filing, generate
from monitoring.reports.catalogue import Catalogue, load_catalogue
from monitoring.reports.errors import ReportOptionError
from monitoring.reports.filing import ReportDiff
from monitoring.reports.report import SENDER_FIELDS, Report, Value
from monitoring.reports.sender import read_sender, save_sender, sender_lines

STORE_HELP = "URL des Datenbestands: ein .gpkg-Pfad oder postgresql://… (Standard: $QMON_STORE)"
EXIT_CHANGED = 1
EXIT_FAILED = 3
"""``report --all``: some reports could not be made (the others were written)."""


def _common(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """Options every report command takes (``suppress``: keep the parent's value if absent)."""
    default: Any = argparse.SUPPRESS if suppress else None
    parser.add_argument("--store", default=default, help=STORE_HELP)
    parser.add_argument(
        "--user", default=default, help="handelnder Benutzer (Standard: $QMON_USER)"
    )
    parser.add_argument("--role", default=default, choices=ROLES, help="Rolle des Benutzers")
    parser.add_argument(
        "--catalogue", default=default, help="Berichtskatalog eines Landes oder der Stadt (TOML)"
    )
    parser.add_argument(
        "--indicators", default=default, help="Indikatordatei der Stadt (TOML) für den Katalog"
    )
    parser.add_argument(
        "--year",
        type=int,
        default=default,
        help="Berichtsjahr (Standard: das vorige Haushaltsjahr)",
    )


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "report",
        help="Bundesbericht je Gesamtmaßnahme und Jahr (eMo A–D, Begleitinformationen)",
        description="Den jährlichen Bundesbericht erstellen. Optionen eines Unterbefehls "
        "stehen nach ihm.",
    )
    _common(p)
    p.add_argument("--area", default=None, help="Kennung der Gesamtmaßnahme")
    p.add_argument("--all", action="store_true", help="alle Gesamtmaßnahmen des Datenbestands")
    p.add_argument("--format", default="pdf", choices=generate.FORMATS, help="Ausgabeformat")
    p.add_argument(
        "--out",
        default=None,
        help="Ausgabedatei (mit --all: ein Ordner; csv: ein Ordner oder eine .zip-Datei)",
    )
    p.add_argument(
        "--prozesse",
        type=int,
        default=None,
        metavar="N",
        help="mit --all: so viele Prozesse teilen sich die Arbeit (Standard: einer je CPU ab "
        "50 Gesamtmaßnahmen, sonst einer)",
    )
    p.set_defaults(func=cmd_report)
    rsub = p.add_subparsers(dest="report_command", metavar="COMMAND")

    q = rsub.add_parser(
        "file",
        help="den Bericht einer Gesamtmaßnahme und eines Jahres im Datenbestand einreichen "
        "(einfrieren)",
    )
    _common(q, suppress=True)
    q.add_argument("--area", required=True, help="Kennung der Gesamtmaßnahme")
    q.set_defaults(func=cmd_file)

    q = rsub.add_parser(
        "diff",
        help="was sich seit dem eingereichten Bericht geändert hat (Rückgabewert 1, wenn etwas)",
    )
    _common(q, suppress=True)
    q.add_argument("--area", required=True, help="Kennung der Gesamtmaßnahme")
    q.set_defaults(func=cmd_diff)

    q = rsub.add_parser("filed", help="die eingereichten Berichte auflisten")
    _common(q, suppress=True)
    q.add_argument("--area", default=None, help="nur diese Gesamtmaßnahme")
    q.set_defaults(func=cmd_filed)

    federal_cmds.register_report_commands(rsub, _common)

    q = rsub.add_parser(
        "sender",
        help="den Absender zeigen, der auf jedem Bericht steht; 'sender set' ändert ihn",
        description="Der Absender (Gemeinde, Dienststelle, Ansprechperson, Telefon, E-Mail, "
        "Anschrift) steht oben auf jedem Bericht.",
    )
    _common(q, suppress=True)
    q.set_defaults(func=cmd_sender)
    ssub = q.add_subparsers(dest="sender_command", metavar="COMMAND")
    r = ssub.add_parser("set", help='Felder des Absenders setzen ("" leert eines)')
    _common(r, suppress=True)
    for key, label in SENDER_FIELDS:
        r.add_argument(f"--{key}", default=None, help=label)
    r.set_defaults(func=cmd_sender_set)


def _settings(args: argparse.Namespace) -> tuple[Catalogue, Registry | None, int]:
    """The report catalogue, the registry and the year of a report command.

    Without ``--indicators`` the registry is None: the services then use the store's
    own (:func:`monitoring.catalogue.registry_for`). A file is laid over the defaults
    as before (the store's catalogue is then not used).
    """
    catalogue = load_catalogue(args.catalogue)
    registry = load_registry(args.indicators) if getattr(args, "indicators", None) else None
    year = args.year if args.year is not None else generate.default_year()
    return catalogue, registry, year


def cmd_report(args: argparse.Namespace) -> int:
    if bool(args.area) == bool(args.all):
        raise ReportOptionError(
            "geben Sie entweder --area ID (eine Gesamtmaßnahme) oder --all (alle "
            f"Gesamtmaßnahmen) an, {'nicht beides' if args.area else 'eins von beiden'}"
        )
    if not args.out:
        raise ReportOptionError(
            "geben Sie --out an: eine Datei für einen Bericht (bei csv ein Ordner oder eine "
            ".zip-Datei), einen Ordner mit --all"
        )
    user = acting_user(args)
    catalogue, registry, year = _settings(args)
    out = Path(args.out)
    check_out(out)
    with open_store(args.store) as store:
        if args.area:
            made = generate.download(
                store,
                user,
                args.area,
                year=year,
                fmt=args.format,
                catalogue=catalogue,
                registry=registry,
            )
            written = _write(made, out, single=True)
            _warn(made.report)
            print(f"{made.report.area_id} {year}: {', '.join(map(str, written))}")
            return 0
        out.mkdir(parents=True, exist_ok=True)
        shown = ProgressLine(year)

        def write(made: generate.Download) -> None:
            _write(made, out, single=False)
            _warn(made.report)

        result = generate.batch(
            store,
            user,
            year=year,
            fmt=args.format,
            catalogue=catalogue,
            registry=registry,
            progress=shown,
            workers=args.prozesse,
            url=store_url(args.store),
            sink=write,
        )
    processes = german.count(result.workers, "Prozess", "Prozesse")
    print(
        f"{german.count(result.made, 'Bericht', 'Berichte')} ({args.format}) für {year} in "
        f"{out} ({processes}, {german.number(shown.elapsed(), decimals=1)} s)"
    )
    if result.failures:
        print(
            f"{german.count(len(result.failures), 'Bericht', 'Berichte')} von "
            f"{german.number(result.total)} konnten nicht erstellt werden:",
            file=sys.stderr,
        )
        for failed in result.failures:
            print(f"  {failed.area_id}: {failed.message}", file=sys.stderr)
        return EXIT_FAILED
    return 0


class ProgressLine:
    """Progress of ``report --all`` in German on stderr: a line every 1 % or every second.

    Examples
    --------
    >>> import io
    >>> shown = ProgressLine(2024, stream=io.StringIO(), clock=iter(range(100)).__next__)
    >>> for k in range(1, 4):
    ...     shown(f"SSZ-{k:04d}", k, 10_000)
    >>> print(shown.stream.getvalue(), end="")
    Berichte 2024: 1 von 10.000 (SSZ-0001) …
    Berichte 2024: 2 von 10.000 (SSZ-0002) …
    Berichte 2024: 3 von 10.000 (SSZ-0003) …
    """

    def __init__(
        self,
        year: int,
        *,
        stream: Any = None,
        clock: Any = None,
    ) -> None:
        import time

        self.year = year
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock or time.monotonic
        self.start = self.clock()
        self.last_time = self.start - 1.0
        self.last_step = -1

    def __call__(self, area_id: str, done: int, total: int) -> None:
        now = self.clock()
        step = done * 100 // max(total, 1)
        if done == total or step > self.last_step or now - self.last_time >= 1.0:
            self.last_step, self.last_time = step, now
            print(
                f"Berichte {self.year}: {german.number(done)} von {german.number(total)} "
                f"({area_id}) …",
                file=self.stream,
                flush=True,
            )

    def elapsed(self) -> float:
        """Seconds since the batch started."""
        return float(self.clock() - self.start)


def _warn(report: Report) -> None:
    """Print what the reader of a report must know (year before admission) to stderr."""
    for warning in report.warnings:
        print(f"Achtung: {warning}", file=sys.stderr)


def cmd_sender(args: argparse.Namespace) -> int:
    with open_store(args.store) as store:
        lines = sender_lines(read_sender(store))
    if not lines:
        print("Kein Absender hinterlegt; setzen mit: qmon report sender set --municipality …")
        return 0
    width = max(len(label) for label, _ in lines)
    for label, text in lines:
        print(f"{label:<{width}}  {text}")
    return 0


def cmd_sender_set(args: argparse.Namespace) -> int:
    values = {k: getattr(args, k) for k, _ in SENDER_FIELDS if getattr(args, k) is not None}
    if not values:
        raise ReportOptionError(
            "geben Sie mindestens ein Feld an, z. B. --municipality Musterstadt --phone "
            "'0123 456-0'; möglich: " + ", ".join(f"--{k}" for k, _ in SENDER_FIELDS)
        )
    user = acting_user(args)
    with open_store(args.store) as store:
        save_sender(store, user, values)
        lines = sender_lines(read_sender(store))
    print("Absender gespeichert:")
    for label, text in lines:
        print(f"  {label}: {text}")
    return 0


def check_out(out: Path) -> None:
    """Refuse an output path no report can be written to, before any work is done.

    The nearest folder of ``out`` that exists must take a new file (tried with a
    temporary file that is removed at once); a missing folder below it is created
    when the report is written.

    Raises
    ------
    ReportOptionError
        In German, naming the path, the reason and what to do.
    """
    folder = out if out.is_dir() else out.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    problem = None
    if out.exists() and not out.is_dir() and not os.access(out, os.W_OK):
        problem = "die Datei ist schreibgeschützt"
    elif not folder.is_dir():
        problem = f"{folder} ist kein Ordner"
    else:
        try:
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            problem = os_reason(exc)
    if problem:
        raise ReportOptionError(
            f"--out {out}: dorthin kann kein Bericht geschrieben werden ({problem}); wählen "
            "Sie eine Datei oder einen Ordner, in den Sie schreiben dürfen."
        )


def _write(made: generate.Download, out: Path, *, single: bool) -> list[Path]:
    """Write a generated report: to ``out`` (one report) or into the folder ``out``."""
    if made.name.endswith("_csv.zip") and not (single and out.suffix.lower() == ".zip"):
        folder = out if single else out
        folder.mkdir(parents=True, exist_ok=True)
        files = csv_format.csv_files(made.report)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        return [folder / name for name in files]
    target = out if single else out / made.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(made.data)
    return [target]


def cmd_file(args: argparse.Namespace) -> int:
    user = acting_user(args)
    catalogue, registry, year = _settings(args)
    with open_store(args.store) as store:
        filed = filing.file_report(
            store, user, args.area, year=year, catalogue=catalogue, registry=registry
        )
    _warn(filed.report)
    print(
        f"eingereicht: {filed.id} am {german.timestamp(filed.filed_at)} von {filed.filed_by}; "
        f"Fingerabdruck {filed.fingerprint}"
    )
    if filed.findings:
        print("Prüfhinweise (dieselben sieht das Land beim Einsammeln des Pakets):")
        for finding in filed.findings:
            print(f"  {finding}")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    user = acting_user(args)
    catalogue, registry, year = _settings(args)
    with open_store(args.store) as store:
        _, diff = filing.compare_with_filed(
            store, user, args.area, year=year, catalogue=catalogue, registry=registry
        )
    if diff is None:
        print(f"Für {args.area} ist für {year} noch kein Bericht eingereicht (qmon report file).")
        return 0
    print(diff_text(diff))
    return 0 if diff.unchanged else EXIT_CHANGED


def _shown(value: Value, reason: str | None) -> str:
    if value is None:
        return f"({reason})" if reason else "–"
    if isinstance(value, str):
        return value
    decimals = 0 if float(value).is_integer() else 2
    return german.number(value, decimals=decimals)


def diff_text(diff: ReportDiff) -> str:
    """Render a comparison with the filed report as German text.

    Examples
    --------
    >>> from monitoring.reports.filing import Change
    >>> d = ReportDiff("FA/2024/1", "2025-03-01 10:00", "a", "b", ("funding_lines",),
    ...                (Change("B.1.bund.paid", "Bund, ausgezahlt", 100.0, 1100.0,
    ...                        number="B.1.1"),))
    >>> print(diff_text(d))
    Vergleich mit dem eingereichten Bericht FA/2024/1 (01.03.2025, 10:00 Uhr)
    Geänderte Eingangsdaten: Finanzierung (Kosten- und Finanzierungsübersicht)
    Feld   Bezeichnung       eingereicht  jetzt  Art
    B.1.1  Bund, ausgezahlt          100  1.100  geändert
    """
    head = (
        f"Vergleich mit dem eingereichten Bericht {diff.filed_id} "
        f"({german.timestamp(diff.filed_at)})"
    )
    if diff.unchanged:
        return head + "\nKeine Änderungen: die Eingangsdaten sind unverändert."
    titles = filing.input_titles(diff.changed_inputs)
    lines = [head, f"Geänderte Eingangsdaten: {', '.join(titles) or 'keine'}"]
    if not diff.changes:
        lines.append("Alle Berichtswerte sind gleich geblieben.")
        return "\n".join(lines)
    frame = pd.DataFrame(
        {
            "field": [c.number or c.field for c in diff.changes],
            "label": [c.label for c in diff.changes],
            "before": [_shown(c.before, c.reason_before) for c in diff.changes],
            "after": [_shown(c.after, c.reason_after) for c in diff.changes],
            "kind": [c.kind for c in diff.changes],
        }
    )
    right = {"before": str, "after": str}
    lines.append(
        table(
            frame,
            {
                "field": "Feld",
                "label": "Bezeichnung",
                "before": "eingereicht",
                "after": "jetzt",
                "kind": "Art",
            },
            right,
        )
    )
    return "\n".join(lines)


def cmd_filed(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        listed = filing.filed_reports(store, user, area_id=args.area, year=args.year)
    if listed.empty:
        print("Keine eingereichten Berichte.")
        return 0
    listed = listed.assign(
        filed_at=[german.timestamp(t) for t in listed["filed_at"]],
        fingerprint=listed["fingerprint"].str[:16] + "…",
    )
    print(
        table(
            listed,
            {
                "id": "Bericht",
                "funding_area_id": "Gesamtmaßnahme",
                "year": "Jahr",
                "filed_at": "eingereicht am",
                "filed_by": "von",
                "fingerprint": "Fingerabdruck",
            },
            {},
        )
    )
    return 0
