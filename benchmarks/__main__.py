"""``make bench``: run every benchmark case, print a table, write results/latest.json.

``python -m benchmarks --quick`` runs the same cases on smaller inputs (a smoke test,
written to results/quick.json); ``--only NAME`` runs the cases whose name contains NAME
(written to results/only.json, so that latest.json always holds a complete run).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Callable
from functools import partial

from benchmarks.harness import RESULTS, Result, load_average, table, write_results

FULL = 1_000_000
QUICK = 50_000


def cases(quick: bool) -> list[tuple[str, Callable[[], Result | list[Result]]]]:
    n = QUICK if quick else FULL
    runs = 3
    stores = importlib.import_module("benchmarks.stores")
    postgis_io = importlib.import_module("benchmarks.postgis_io")
    gpkg_io = importlib.import_module("benchmarks.gpkg_io")
    out: list[tuple[str, Callable[[], Result | list[Result]]]] = [
        ("assign", lambda: stores.assign_in_memory(n, runs=runs)),
        ("assign-postgis", lambda: stores.assign_postgis(n, runs=runs)),
        ("write-postgis", lambda: postgis_io.bulk_write_postgis(n, runs=runs)),
        ("replace-postgis", lambda: postgis_io.replace_postgis(n, runs=runs)),
        ("read-gpkg", lambda: gpkg_io.read_gpkg(n, runs=5)),
        ("write-gpkg", lambda: gpkg_io.write_gpkg((QUICK,) if quick else (200_000, n), runs=runs)),
    ]
    for module, name in (
        ("benchmarks.interpolation", "interpolation"),
        ("benchmarks.map_payload", "map"),
        ("benchmarks.analysis", "index-and-reports"),
        ("benchmarks.report_batch", "report-batch"),
        ("benchmarks.app", "app"),
        ("benchmarks.load", "load"),
        ("benchmarks.scale", "scale"),
        ("benchmarks.writers", "concurrent-writers"),
        ("benchmarks.national", "national"),
        ("benchmarks.overview", "overview"),
    ):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError:
            continue
        out.append((name, partial(mod.run, quick=quick)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small inputs, for a smoke run")
    parser.add_argument("--only", default=None, help="run only cases whose name contains this")
    args = parser.parse_args(argv)
    results: list[Result] = []
    failed = []
    for name, run in cases(args.quick):
        if args.only and args.only not in name:
            continue
        print(f"-- {name}", file=sys.stderr, flush=True)
        before = load_average()
        try:
            got = run()
        except Exception:  # one failing case must not hide the others
            traceback.print_exc()
            failed.append(name)
            continue
        after = load_average()
        for result in got if isinstance(got, list) else [got]:
            if result.load is None:
                result.load = (before, after)
            results.append(result)
    # latest.json holds complete runs only; a smoke run or a subset goes elsewhere
    name = "quick.json" if args.quick else "only.json" if args.only else "latest.json"
    path = write_results(results, path=RESULTS / name)
    print(table(results))
    print(f"\nwritten to {path}", file=sys.stderr)
    if failed:
        print(f"failed cases: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
