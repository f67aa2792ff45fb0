"""Store commands: ``qmon init``, ``qmon demo``, ``qmon layers``, ``qmon export``
(``--public``: the public layers as interchange files for a geoportal)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from geo import german
from geo.store import DEFAULT_STORE, open_store, store_url
from geo.store.transfer import copy_store, describe_rows, held_rows
from monitoring.defaults import default_fields_of_action, default_programmes, seed_defaults
from monitoring.interop.interchange import FORMATS, export_public
from monitoring.interop.metadata import DEFAULT_LICENCE, Provenance, load_provenance

STORE_HELP = (
    "URL des Datenbestands: ein .gpkg-Pfad oder "
    "postgresql://benutzer@host:5432/db[?schema=NAME] "
    f"(Standard: $QMON_STORE, sonst {DEFAULT_STORE})"
)


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """Add the --store option every store-backed command takes."""
    parser.add_argument("--store", default=None, help=STORE_HELP)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("init", help="einen Datenbestand anlegen oder einen älteren migrieren")
    add_store_option(p)
    p.add_argument(
        "--crs",
        default=None,
        help="Koordinatenreferenzsystem eines neuen Datenbestands (Standard: $QMON_CRS oder "
        "EPSG:25832)",
    )
    p.add_argument(
        "--verzeichnis",
        action="store_true",
        help="der Datenbestand ist das Verzeichnis eines Landes oder des Bundes: "
        "Gesamtmaßnahmen vieler Gemeinden und ihre gesammelten Berichte, ohne Zugänge "
        "einzelner Gemeinden (ein GeoPackage hält sonst genau eine Gemeinde)",
    )
    p.set_defaults(func=cmd_init)

    p = sub.add_parser(
        "demo",
        help="die Demostadt Musterstadt (oder mit --bund den bundesweiten Demobestand) "
        "in einen Datenbestand aufbauen",
    )
    add_store_option(p)
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        help="Startwert des Zufallsgenerators (Standard 2024, mit --bund 1)",
    )
    bund = p.add_argument_group("Bundesweiter Demobestand (--bund)")
    bund.add_argument(
        "--bund",
        action="store_true",
        help="Länder, Kreise und Gemeinden der VG5000 2021 mit erfundenen Gesamtmaßnahmen "
        "(Zielsystem in dieser Größe: PostGIS)",
    )
    bund.add_argument(
        "--anzahl",
        type=int,
        default=10_000,
        help="Zahl der Gesamtmaßnahmen (Standard 10000)",
    )
    bund.add_argument(
        "--gemeinden",
        type=int,
        default=None,
        metavar="N",
        help="nur die ersten N Gemeinden nach Gemeindeschlüssel (Standard: alle)",
    )
    bund.add_argument(
        "--land",
        default=None,
        metavar="AGS",
        help="nur die Gemeinden, deren Schlüssel so beginnt: ein Land (z. B. 10 für das "
        "Saarland) oder ein Kreis (z. B. 01001)",
    )
    bund.add_argument(
        "--berichte",
        action="store_true",
        help="dazu je Gesamtmaßnahme gesammelte Berichtspakete für 2023 und 2024 (Zahlen "
        "erfunden nach echten Berichten; 97 %% bzw. 90 %% gemeldet), für die Länderübersicht",
    )
    bund.add_argument(
        "--vg5000",
        default=None,
        metavar="ORDNER",
        help="Ordner mit VG5000_GEM.shp und VG5000_KRS.shp "
        "(Standard: $QMON_REAL_DATA/germany_vg5000_2021)",
    )
    p.add_argument(
        "--if-missing",
        action="store_true",
        help="nichts tun, wenn der Datenbestand schon Daten enthält",
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("layers", help="die Ebenen mit ihrer Zeilenzahl auflisten")
    add_store_option(p)
    p.set_defaults(func=cmd_layers)

    p = sub.add_parser(
        "export",
        help="alle Ebenen in einen anderen Datenbestand kopieren (GeoPackage <-> PostGIS) "
        "oder mit --public die öffentlichen Ebenen für ein Geoportal schreiben",
        description="Ohne --public: alle Ebenen in einen anderen Datenbestand kopieren (--to). "
        "Mit --public: nur die öffentlichen Ebenen (Fördergebiete, Maßnahmen, Gebiete, "
        "Indikatoren nach der Geheimhaltung) als GeoJSON, GeoPackage und/oder Shapefile in "
        "einen Ordner schreiben (--out), je Ebene mit Metadaten (ISO 19139 und JSON).",
    )
    add_store_option(p)
    p.add_argument(
        "--to", metavar="URL", help="URL des Zieldatenbestands (.gpkg oder postgresql://…)"
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="ersetzen, was das Ziel enthält, samt Änderungsprotokoll (ohne diese Option wird "
        "ein Ziel mit Daten abgelehnt und bleibt, wie es ist)",
    )
    public = p.add_argument_group("Öffentliche Ebenen für ein Geoportal (--public)")
    public.add_argument(
        "--public",
        action="store_true",
        help="nur die öffentlichen Ebenen als Austauschdateien in den Ordner --out schreiben",
    )
    public.add_argument("--out", metavar="ORDNER", help="Zielordner (wird angelegt)")
    public.add_argument(
        "--format",
        action="append",
        choices=FORMATS,
        metavar="FORMAT",
        help="geojson, gpkg oder shp; mehrfach angebbar (Standard: alle drei)",
    )
    public.add_argument(
        "--ebene",
        action="append",
        metavar="KENNUNG",
        help="nur diese öffentliche Ebene, z. B. massnahmen; mehrfach angebbar (Standard: alle)",
    )
    public.add_argument(
        "--metadaten",
        metavar="DATEI",
        help="TOML-Datei mit lizenz, lizenz_url, quelle, herausgeber (die Optionen unten "
        "gehen vor)",
    )
    public.add_argument(
        "--lizenz",
        metavar="TEXT",
        help=f"Lizenz der Daten (Standard: {DEFAULT_LICENCE})",
    )
    public.add_argument("--lizenz-url", metavar="URL", help="Adresse des Lizenztexts")
    public.add_argument(
        "--quelle",
        metavar="TEXT",
        help="Quellenvermerk (Standard: die Quelle der Indikatorwerte bzw. der Herausgeber)",
    )
    public.add_argument(
        "--herausgeber",
        metavar="TEXT",
        help="herausgebende Stelle (Standard: Gemeinde und Dienststelle des Berichtsabsenders)",
    )
    p.set_defaults(func=cmd_export, parser=p)


def cmd_init(args: argparse.Namespace) -> int:
    with open_store(args.store) as store:
        before = store.schema_version()
        after = store.init(crs=args.crs)
        if before == 0:  # a new store starts with the federal programmes and fields of action
            seed_defaults(store, user="qmon init")
        if args.verzeichnis:
            store.declare_register()
        _refresh_qgis(store, "qmon init")
        what = "angelegt" if before == 0 else ("migriert" if after != before else "aktuell")
        print(
            f"{store.url}: Datenmodell Version {after} ({what}), Koordinatenreferenzsystem "
            f"{store.crs.to_string()}"
            + ("; Verzeichnis (mehrere Gemeinden)" if args.verzeichnis else "")
        )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from data.musterstadt import load_musterstadt

    if args.bund:
        return _demo_bund(args)
    seed = 2024 if args.seed is None else args.seed

    with open_store(args.store) as store:
        seeded = ("programmes", "fields_of_action")  # qmon init writes these defaults
        before = store.schema_version()
        if args.if_missing and before > 0:
            after = store.init()  # after an update, `make app` migrates the demo store
            if after != before:
                _refresh_qgis(store, "qmon demo")
            if any(n for k, n in store.counts().items() if k not in seeded):
                moved = f"; Datenmodell von Version {before} auf {after} migriert"
                print(
                    f"{store.url}: enthält schon Daten; sie bleiben, wie sie sind"
                    + moved * (after != before)
                )
                return 0
        store.init(crs="EPSG:25832") if store.schema_version() == 0 else store.init()
        start = time.perf_counter()
        counts = load_musterstadt(store, seed=seed, today=dt.date.today())
        seconds = time.perf_counter() - start
        print(f"{store.url}: Musterstadt in {german.number(seconds, decimals=1)} s aufgebaut")
        _print_counts(store, counts)
    return 0


def _refresh_qgis(store, user: str) -> None:  # type: ignore[no-untyped-def]
    """Write the indicator map and the QGIS styles (a new or migrated store opens in QGIS
    ready to use; see :mod:`monitoring.interop.qgis`)."""
    from monitoring.interop.qgis import refresh_in

    with store.transaction(user=user) as tx:
        refresh_in(tx)


def _write_qgis_styles(store, user: str) -> None:  # type: ignore[no-untyped-def]
    """Write the QGIS styles of a copied store (the indicator map came with its layers).

    The copy is done by then; styles that cannot be derived (e.g. a stored index profile
    that does not parse) are reported, not an error of the export.
    """
    from cli.faults import our_errors
    from monitoring.interop.qgis import store_styles

    try:
        with store.transaction(user=user) as tx:
            tx.write_layer_styles(store_styles(tx))
    except our_errors() as exc:
        print(
            f"Hinweis: Die Daten sind kopiert, die QGIS-Stile aber nicht geschrieben ({exc}); "
            "nach der Korrektur schreibt sie 'qmon qgis'.",
            file=sys.stderr,
        )


def _demo_bund(args: argparse.Namespace) -> int:
    """``qmon demo --bund``: the national set (:mod:`data.national`) as the local admin."""
    from data.national import DEFAULT_SEED, build_national
    from monitoring.auth import LOCAL_USER

    subset: int | str | None = args.land if args.land is not None else args.gemeinden
    with open_store(args.store) as store:
        store.init(crs="EPSG:25832") if store.schema_version() == 0 else store.init()
        start = time.perf_counter()
        counts = build_national(
            store,
            LOCAL_USER,
            seed=DEFAULT_SEED if args.seed is None else args.seed,
            n_funding_areas=args.anzahl,
            municipalities=subset,
            source=args.vg5000,
        )
        if args.berichte:
            from data.national_reports import seed_packages

            counts["collected_reports"] = seed_packages(
                store, LOCAL_USER, seed=DEFAULT_SEED if args.seed is None else args.seed
            )
        seconds = time.perf_counter() - start
        print(
            f"{store.url}: bundesweiter Demobestand in {german.number(seconds, decimals=1)} s "
            "aufgebaut"
        )
        _print_counts(store, counts)
    return 0


def cmd_layers(args: argparse.Namespace) -> int:
    with open_store(args.store) as store:
        _print_counts(store, store.counts())
        print(municipality_line(store.municipalities()))
    return 0


def municipality_line(found: list[str]) -> str:
    """Say which municipalities the store holds: „eine Gemeinde (AGS …)“.

    Examples
    --------
    >>> municipality_line(["05315000"])
    'Gemeinde: eine Gemeinde (AGS 05315000)'
    >>> municipality_line(["05315000", "05334002"])
    'Gemeinden: 2 Gemeinden (AGS 05315000, 05334002)'
    >>> municipality_line([])
    'Gemeinde: noch keine (kein Datensatz mit Gemeindeschlüssel)'
    """
    if not found:
        return "Gemeinde: noch keine (kein Datensatz mit Gemeindeschlüssel)"
    if len(found) == 1:
        return f"Gemeinde: eine Gemeinde (AGS {found[0]})"
    return f"Gemeinden: {len(found)} Gemeinden (AGS {', '.join(found)})"


def cmd_export(args: argparse.Namespace) -> int:
    check_export_args(args)
    if args.public:
        return cmd_export_public(args)
    source_url, target_url = store_url(args.store), args.to
    with open_store(source_url) as source, open_store(target_url) as target:
        replaced = held_rows(target) if args.replace else {}
        seeded = {
            "programmes": default_programmes()["id"].tolist(),
            "fields_of_action": default_fields_of_action()["id"].tolist(),
        }
        counts = copy_store(
            source, target, progress=_progress, replace=args.replace, defaults=seeded
        )
        _write_qgis_styles(target, "qmon export")
        print(file=sys.stderr)
        print(f"{source.url} -> {target.url}")
        if replaced:
            print(f"ersetzt wurde: {describe_rows(target, replaced)}")
        _print_counts(target, counts)
    return 0


PUBLIC_ONLY = (
    "out",
    "format",
    "ebene",
    "metadaten",
    "lizenz",
    "lizenz_url",
    "quelle",
    "herausgeber",
)


def check_export_args(args: argparse.Namespace) -> None:
    """Refuse a mix of the store copy (--to) and the public export (--public) options."""
    parser: argparse.ArgumentParser = args.parser
    if args.public:
        if args.to or args.replace:
            parser.error(
                "--to und --replace gehören zur Kopie eines Datenbestands, nicht zu --public"
            )
        if not args.out:
            parser.error("mit --public braucht es einen Zielordner: --out ORDNER")
        return
    given = [f"--{name.replace('_', '-')}" for name in PUBLIC_ONLY if getattr(args, name)]
    if given:
        parser.error(f"{', '.join(given)} gilt nur zusammen mit --public")
    if not args.to:
        parser.error("diese Angaben fehlen: --to (oder --public --out ORDNER)")


def cmd_export_public(args: argparse.Namespace) -> int:
    provenance = load_provenance(Path(args.metadaten)) if args.metadaten else Provenance()
    provenance = provenance.with_options(
        licence=args.lizenz,
        licence_url=args.lizenz_url,
        source=args.quelle,
        publisher=args.herausgeber,
    )
    folder = Path(args.out)
    with open_store(args.store) as store:
        result = export_public(
            store,
            folder,
            formats=args.format or FORMATS,
            layers=args.ebene,
            provenance=provenance,
        )
        print(f"{store.url} -> {folder} (öffentliche Ebenen)")
    width = max((len(w.layer) for w in result.layers), default=0)
    for written in result.layers:
        count = german.count(written.count, "Objekt", "Objekte")
        print(f"{written.layer:<{width}}  {count:>15}  {written.title}")
        print(f"{'':<{width}}  Dateien: {', '.join(written.files)}")
        print(
            f"{'':<{width}}  Metadaten: {written.layer}.iso19139.xml, {written.layer}.metadata.json"
        )
    total = sum(w.count for w in result.layers)
    print(
        f"geschrieben: {german.count(len(result.layers), 'Ebene', 'Ebenen')}, "
        f"{german.count(total, 'Objekt', 'Objekte')}, "
        f"{german.count(len(result.files), 'Datei', 'Dateien')} (ohne Begleitdateien "
        f".shx/.dbf/.prj/.cpg); Lizenz: {provenance.licence}"
    )
    return 0


def _progress(fraction: float, name: str) -> None:
    print(f"\r{fraction:5.0%} {name:<20}", end="", file=sys.stderr, flush=True)


def _print_counts(store, counts: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    width = max(len(n) for n in counts)
    for name, count in counts.items():
        title = store.schema.layer(name).title
        print(f"{name:<{width}}  {german.number(count):>9}  {title}")
