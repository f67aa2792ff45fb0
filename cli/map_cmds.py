"""Map print: ``qmon map --store URL --out karte.pdf|karte.png``.

The view is the Karte page's: ``--url-params 'ebene=…&indikator=…'`` takes the
parameters from the app's address bar (or the whole link), or the same parameters as
options (``--ebene``, ``--indikator``, ``--stichtag`` …); an option given as well wins.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

from geo.store import open_store
from monitoring.maps.content import store_map_content
from monitoring.maps.paper import DPI_RANGE, ORIENTATIONS, PAPERS
from monitoring.maps.printing import print_map
from monitoring.maps.view import ALLOWED, PARAMS, MapView, MapViewError
from monitoring.messages import render

STORE_HELP = "URL des Datenbestands: ein .gpkg-Pfad oder postgresql://… (Standard: $QMON_STORE)"

#: German help of each view parameter (the option is named like the URL parameter).
PARAM_HELP: dict[str, str] = {
    "ebene": "Gebietsebene (Standard: die erste gespeicherte)",
    "indikator": "Indikator, Schlüssel wie in der App-Adresse (Standard: der erste der App)",
    "stichtag": "Stichtag, z. B. 2024-12-31 oder 31.12.2024 (Standard: der letzte)",
    "klassen": "Klassifikation: " + ", ".join(ALLOWED["klassen"]),
    "anzahl": "Anzahl der Klassen (3 bis 7, Standard: 5)",
    "farben": "Farbschema: " + ", ".join(ALLOWED["farben"]),
    "massnahmen_nach": "Maßnahmen einfärben nach: status oder programme",
    "programm": "nur Maßnahmen dieses Programms (Kennung; mehrfach möglich)",
    "gebiet": "nur Maßnahmen dieses Fördergebiets (Kennung; mehrfach möglich)",
    "handlungsfeld": "nur Maßnahmen dieses Handlungsfelds (Kennung; mehrfach möglich)",
    "status": "nur Maßnahmen mit diesem Status (mehrfach möglich)",
    "jahr": "nur Maßnahmen, die in diesem Jahr laufen",
    "auswahl": "ausgewähltes Objekt der App (für den Druck ohne Wirkung)",
    "ausschnitt": "Kartenausschnitt West,Süd,Ost,Nord in Grad (WGS84); Standard: die ganze Stadt",
}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "map",
        help="Karte drucken: die Ansicht der Seite „Karte“ als PDF oder PNG",
        description="Die Ansicht der Seite „Karte“ als PDF (eine Seite, Vektorgrafik) oder "
        "PNG drucken: Titel, Legende, Maßstabsleiste, Nordpfeil, Quellen, Stichtag und "
        "Druckdatum. Die Ansicht kommt aus --url-params (aus der Adresszeile der App "
        "kopiert) oder aus den gleichnamigen Optionen.",
    )
    p.add_argument("--store", default=None, help=STORE_HELP)
    p.add_argument("--out", required=True, help="Ausgabedatei: karte.pdf oder karte.png")
    p.add_argument(
        "--format", dest="paper", default="a4", choices=list(PAPERS), help="Papierformat"
    )
    p.add_argument(
        "--ausrichtung",
        default="quer",
        choices=list(ORIENTATIONS),
        help="quer (Querformat) oder hoch (Hochformat)",
    )
    p.add_argument(
        "--dpi",
        type=int,
        default=150,
        help=f"Auflösung eines PNG in dpi ({DPI_RANGE[0]} bis {DPI_RANGE[1]}, Standard: 150)",
    )
    p.add_argument(
        "--url-params",
        default=None,
        help="Ansicht wie in der Adresszeile der App, z. B. "
        "'ebene=Planungsraum&indikator=unemployment_rate' (oder der ganze Link)",
    )
    for param in PARAMS:
        option = "--" + param.name.replace("_", "-")
        p.add_argument(
            option,
            dest=f"v_{param.name}",
            metavar=param.name.upper(),
            action="append" if param.kind == "many" else "store",
            default=None,
            help=PARAM_HELP[param.name],
        )
    p.set_defaults(func=cmd_map)


def view_of(args: argparse.Namespace) -> MapView:
    """Return the view of ``--url-params`` with the options given on top.

    Raises
    ------
    MapViewError
        For an unknown parameter or a value that is not allowed.
    """
    base = MapView.from_query(args.url_params) if args.url_params else MapView()
    params: dict[str, Any] = base.to_params()
    for param in PARAMS:
        value = getattr(args, f"v_{param.name}", None)
        if value is not None:
            params[param.name] = value
    return MapView.from_params(params)


def file_format(out: Path) -> str:
    """Return ``pdf`` or ``png`` by the file's ending.

    Raises
    ------
    MapViewError
        For another ending.
    """
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in ("pdf", "png"):
        raise MapViewError(
            render("map.file_format", value=str(out), allowed=".pdf, .png"),
            param="out",
            value=str(out),
        )
    return suffix


def cmd_map(args: argparse.Namespace) -> int:
    out = Path(args.out)
    kind = file_format(out)
    view = view_of(args)
    store = open_store(args.store)
    try:
        content = store_map_content(store, view)
    finally:
        store.close()
    data = print_map(
        content, paper=args.paper, orientation=args.ausrichtung, file_format=kind, dpi=args.dpi
    )
    folder = out.parent if str(out.parent) else Path(".")
    with tempfile.NamedTemporaryFile(dir=folder, suffix=f".{kind}", delete=False) as tmp:
        tmp.write(data)
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, out)  # never a half-written map under the wanted name
    pages = "eine Seite, " if kind == "pdf" else ""
    print(f"Karte gespeichert: {out} ({pages}{args.paper.upper()} {args.ausrichtung})")
    return 0
