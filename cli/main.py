"""``qmon``: the command-line entry point.

Each command group lives in a module of its own with a ``register(subparsers)``
function; this module only wires them up and turns our errors into a message on
stderr and a non-zero exit code (no stack traces for a clerk).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import signal
import sys
from collections.abc import Sequence

from geo.errors import GeoError

COMMAND_MODULES = (
    "cli.store_cmds",
    "cli.index_cmds",
    "cli.import_cmds",
    "cli.monitoring_cmds",
    "cli.report_cmds",
    "cli.programme_cmds",
)

EXIT_REFUSED = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qmon",
        description="Quartiersmonitor: Fördergebiete, Maßnahmen, Indikatoren und Berichte.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def user_errors() -> tuple[type[BaseException], ...]:
    """Our base errors: these are shown as a message, anything else is a bug."""
    errors: list[type[BaseException]] = [GeoError]
    for module, name in (
        ("indicators.errors", "IndicatorError"),
        ("monitoring.errors", "MonitoringError"),
    ):
        with contextlib.suppress(ImportError, AttributeError):
            errors.append(getattr(importlib.import_module(module), name))
    return tuple(errors)


def main(argv: Sequence[str] | None = None) -> int:
    if hasattr(signal, "SIGPIPE"):  # `qmon layers | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except user_errors() as exc:
        print(f"qmon {args.command}: {exc}", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
