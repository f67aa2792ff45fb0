"""``qmon qgis``: rewrite the indicator map layer and the QGIS styles of a store.

The store carries what QGIS needs to open it ready to use (see
:mod:`monitoring.interop.qgis`); ``qmon demo`` and every import of indicator values or
areas keep it in step. This command rewrites it on demand, e.g. after the indicator
catalogue changed or to put back styles QGIS users overwrote. An editing action:
``--user``/``--role`` (default ``$QMON_USER``/``$QMON_ROLE``), role ``editor`` or
``admin``; the rewrite is logged in the audit log.
"""

from __future__ import annotations

import argparse

from cli.monitoring_cmds import acting_user
from cli.store_cmds import add_store_option
from geo import german
from geo.store import open_store
from monitoring.auth import ROLES
from monitoring.interop.qgis import refresh_qgis, style_summary


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "qgis",
        help="QGIS-Stile und Indikatorkarte aktualisieren",
        description="Die Ebene „Indikatorkarte“ (indicator_map) aus den gespeicherten "
        "Indikatorwerten neu schreiben und die QGIS-Stile aller Kartenebenen in der Tabelle "
        "layer_styles erneuern (Klassen, Farben und Legende wie in der Karte der Anwendung).",
    )
    add_store_option(p)
    p.add_argument("--user", default=None, help="handelnder Benutzer (Standard: $QMON_USER)")
    p.add_argument("--role", default=None, choices=ROLES, help="Rolle des Benutzers")
    p.set_defaults(func=cmd_qgis)


def cmd_qgis(args: argparse.Namespace) -> int:
    user = acting_user(args)
    with open_store(args.store) as store:
        done = refresh_qgis(store, user)
        with store.transaction() as tx:
            styles = tx.read_layer_styles()
    print(
        f"{store.url}: Indikatorkarte mit "
        f"{german.count(done.rows, 'Zeile', 'Zeilen')}, "
        f"{german.count(done.styles, 'QGIS-Stil', 'QGIS-Stile')} geschrieben"
    )
    for layer, names in style_summary(styles[styles["owner"] == "Quartiersmonitor"]).items():
        view = store.schema.views.get(layer)
        title = view.title if view else store.schema.layer(layer).title
        print(
            f"  {title} ({layer}): {german.count(len(names), 'Stil', 'Stile')}, "
            f"Standard „{names[0]}“"
        )
    return 0
