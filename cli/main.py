"""``qmon``: the command-line entry point.

Each command group lives in a module of its own with a ``register(subparsers)``
function; this module only wires them up and turns every error into a German message
on stderr and an exit code (:mod:`cli.faults`): 2 for a refusal (our errors, bad
input, a broken or missing file, a database that is not reachable), 1 for a bug, which
is asked to be reported. No stack traces for a clerk; ``QMON_DEBUG=1`` shows them to
a developer. Passwords in database URLs never reach the output.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
from collections.abc import Sequence

from cli import argparse_de
from cli.faults import EXIT_BUG, EXIT_REFUSED, explain, our_errors, redacted_output
from geo.store import store_url

COMMAND_MODULES = (
    "cli.store_cmds",
    "cli.index_cmds",
    "cli.import_cmds",
    "cli.monitoring_cmds",
    "cli.report_cmds",
    "cli.programme_cmds",
    "cli.catalogue_cmds",
    "cli.grant_cmds",
    "cli.grant_doc_cmds",
    "cli.serve_cmds",
    "cli.map_cmds",
    "cli.qgis_cmds",
    "cli.federal_cmds",
    "cli.overview_cmds",
    "cli.scope_cmds",
)

__all__ = ["EXIT_BUG", "EXIT_REFUSED", "build_parser", "main", "user_errors"]


def build_parser() -> argparse.ArgumentParser:
    argparse_de.install()  # "Aufruf:", "Optionen", argparse's errors in German
    parser = argparse.ArgumentParser(
        prog="qmon",
        description="Quartiersmonitor: Fördergebiete, Maßnahmen, Indikatoren und Berichte.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def user_errors() -> tuple[type[BaseException], ...]:
    """Our base errors: these are shown as a message, anything else is explained too."""
    return our_errors()


def _stores(args: argparse.Namespace) -> str | None:
    """Name the store file(s) a command works on, for messages about a broken file."""
    named = [getattr(args, "store", None)]
    with contextlib.suppress(Exception):  # the default store, as open_store resolves it
        named[0] = store_url(named[0]) if "store" in vars(args) else None
    named.append(getattr(args, "to", None))
    files = [str(n) for n in named if n]
    return " oder ".join(files) or None


def main(argv: Sequence[str] | None = None) -> int:
    if hasattr(signal, "SIGPIPE"):  # `qmon layers | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    parser = build_parser()
    args = parser.parse_args(argv)
    with redacted_output():  # no output line ever shows a password
        try:
            return int(args.func(args) or 0)
        except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - the one place that answers
            if os.environ.get("QMON_DEBUG") == "1":
                raise
            code, message = explain(exc, store=_stores(args))
            name = getattr(args, "command_path", None) or args.command  # "notice add"
            print(f"qmon {name}: {message}", file=sys.stderr)
            return code


if __name__ == "__main__":
    sys.exit(main())
