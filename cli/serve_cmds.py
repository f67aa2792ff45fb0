"""``qmon serve``: the public layers of a store as OGC API – Features (read-only).

The service is pygeoapi (:mod:`cli.ogcapi`) served by waitress, a production WSGI server
in pure Python that runs the same on Linux and on Windows servers and is kept by the
Pylons project; Werkzeug's own server is meant for development only.
"""

from __future__ import annotations

import argparse
import errno
import sys

from cli.faults import EXIT_REFUSED
from cli.store_cmds import add_store_option
from geo.errors import StoreError
from geo.store import open_store, store_url

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "serve",
        help="die öffentlichen Ebenen als OGC API – Features bereitstellen (nur lesend)",
        description="Stellt Fördergebiete, Maßnahmen, Gebiete und Indikatorwerte (nach der "
        "Geheimhaltung) als OGC API – Features bereit, etwa für QGIS oder ein Geoportal. "
        "Der Dienst ist nur lesend und enthält keine personenbezogenen Daten.",
    )
    add_store_option(p)
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"Port (Standard {DEFAULT_PORT})")
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"Adresse, an der der Dienst lauscht (Standard {DEFAULT_HOST}, nur dieser "
        "Rechner; 0.0.0.0 öffnet ihn für das Netz)",
    )
    p.add_argument(
        "--url",
        default=None,
        help="Adresse, unter der Clients den Dienst erreichen, wenn er hinter einem "
        "Proxy steht (Standard http://HOST:PORT)",
    )
    p.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    from cli import ogcapi

    url = store_url(args.store)
    with open_store(url) as store:
        if store.schema_version() == 0:
            raise StoreError(
                f"{store.url} ist kein Datenbestand des Quartiersmonitors; zuerst "
                "`qmon init` oder `qmon demo` aufrufen"
            )

    def announce(service: ogcapi.Service) -> None:
        print(
            f"OGC API – Features für {url}: {service.url} "
            f"({len(service.collections)} Sammlungen: {', '.join(service.collections)}); "
            "Strg+C beendet den Dienst",
            flush=True,
        )

    try:
        ogcapi.serve(url, host=args.host, port=args.port, base_url=args.url, announce=announce)
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise
        why = {
            errno.EADDRINUSE: "ist schon belegt",
            errno.EACCES: "darf dieser Benutzer nicht öffnen",
            errno.EADDRNOTAVAIL: "gibt es auf diesem Rechner nicht",
        }[exc.errno]
        print(
            f"qmon serve: {args.host}:{args.port} {why}; einen anderen Port mit --port "
            "oder eine andere Adresse mit --host wählen",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    return 0
