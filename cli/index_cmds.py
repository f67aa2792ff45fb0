"""Index commands: ``qmon index compute``, ``profiles`` and ``crosswalk-check``."""

from __future__ import annotations

import argparse
import sys

from indicators.errors import ProfileError
from indicators.social_index import (
    RESULT_COLUMNS,
    class_counts,
    compute_index,
    load_profile,
    profile_names,
)
from indicators.tables import numeric_columns, read_id_list, read_table

COMPUTE_EPILOG = """\
from a table (one row per area; ';' or ',' separated, decimal comma or point):
  qmon index compute mss_2021_index_indikatoren.csv --profile berlin-mss-2021 \\
      --id PLR_ID --population EW --status S1,S3,S4 --dynamics D1,D3,D4 \\
      --na -9999 --exclude 10100205 --out result.csv

on a store (rates from the stored counts of the Planungsräume; writes the scores
and classes back as indicator values, edition "<profile> (neu berechnet)"):
  qmon index compute --store data/musterstadt.gpkg --period 2024-12-31 \\
      --profile berlin-mss-2021

The output has one row per input row: id, status_score, status_class,
status_label, dynamics_score, dynamics_class, dynamics_label, index_code
(10 * status + dynamics), valid, reason.
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    index = sub.add_parser("index", help="social index (MSS and others), crosswalk checks")
    isub = index.add_subparsers(dest="index_command", required=True, metavar="SUBCOMMAND")

    p = isub.add_parser(
        "compute",
        help="compute status and dynamics classes from a table or a store",
        epilog=COMPUTE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", nargs="?", help="table with one row per area (CSV)")
    p.add_argument(
        "--profile",
        required=True,
        help=f"a shipped profile ({', '.join(profile_names())}) or a profile .toml file",
    )
    p.add_argument("--id", dest="id_column", help="id column of the table, e.g. PLR_ID")
    p.add_argument("--population", help="residents column of the table, e.g. EW")
    p.add_argument("--status", help="status columns in the profile's order, e.g. S1,S3,S4")
    p.add_argument("--dynamics", help="dynamics columns in the profile's order, e.g. D1,D3,D4")
    p.add_argument(
        "--na",
        action="append",
        default=[],
        help="code for a missing value, e.g. -9999 (repeatable)",
    )
    p.add_argument(
        "--exclude",
        default=None,
        help="ids to leave out (flagged outliers): ID,ID,… or @FILE with one id per line",
    )
    p.add_argument("--out", help="result CSV (default: print to standard output)")
    p.add_argument("--store", help="store URL: compute on stored indicator values instead")
    p.add_argument("--period", help="with --store: the reference date, e.g. 2024-12-31")
    p.add_argument(
        "--level", default="Planungsraum", help="with --store: area level (default Planungsraum)"
    )
    p.add_argument("--vintage", help="with --store: boundary vintage (default: the only one)")
    p.add_argument("--edition", help="with --store: edition of the input values (default: any)")
    p.add_argument(
        "--dry-run", action="store_true", help="with --store: compute and report, write nothing"
    )
    p.set_defaults(func=cmd_compute)

    p = isub.add_parser("profiles", help="list the shipped social index profiles")
    p.set_defaults(func=cmd_profiles)


def _split(value: str | None) -> list[str] | None:
    return None if value is None else [v.strip() for v in value.split(",") if v.strip()]


def cmd_profiles(args: argparse.Namespace) -> int:
    for name in profile_names():
        profile = load_profile(name)
        status = ", ".join(i.column for i in profile.status)
        dynamics = ", ".join(i.column for i in profile.dynamics) or "–"
        print(f"{name}: {profile.label} (Status: {status}; Dynamik: {dynamics})")
    return 0


def cmd_compute(args: argparse.Namespace) -> int:
    if args.store:
        if args.file:
            raise ProfileError(f"give either a table file ({args.file!r}) or --store, not both")
        return _compute_stored(args)
    if not args.file:
        raise ProfileError("give a table file to compute from, or --store URL --period DATE")
    return _compute_file(args)


def _compute_file(args: argparse.Namespace) -> int:
    profile = load_profile(args.profile)
    missing = [
        opt for opt, v in (("--id", args.id_column), ("--population", args.population)) if not v
    ]
    if missing:
        raise ProfileError(
            f"computing from a table needs {' and '.join(missing)} (the id and residents columns)"
        )
    status = _split(args.status)
    dynamics = _split(args.dynamics)
    table, decimal = read_table(args.file)
    numbers = [args.population, *(status or [i.column for i in profile.status])]
    numbers += dynamics or [i.column for i in profile.dynamics]
    table = numeric_columns(table, numbers, decimal=decimal)
    na = [float(v.replace(",", ".")) for v in args.na]
    exclude = read_id_list(args.exclude) if args.exclude else []
    unknown = sorted(set(exclude) - set(table[args.id_column].astype(str)))
    result = compute_index(
        table,
        profile,
        id_column=args.id_column,
        population_column=args.population,
        status_columns=status,
        dynamics_columns=dynamics,
        na_values=na,
        exclude=exclude,
    )
    out = result[list(RESULT_COLUMNS)]
    if args.out:
        out.to_csv(args.out, index=False, float_format="%.6f")
    else:
        out.to_csv(sys.stdout, index=False, float_format="%.6f")
    counts = class_counts(result)
    summary = (
        f"{profile.name}: {len(out)} areas, {int(out['valid'].sum())} valid; "
        f"status {_fmt(counts['status'], profile.status_classes)}"
    )
    if profile.dynamics:
        summary += f"; dynamics {_fmt(counts['dynamics'], profile.dynamics_classes)}"
    summary += f"; unassigned {counts['unassigned']['']}"
    print(summary, file=sys.stderr)
    if unknown:
        print(f"warning: --exclude ids not in the table: {', '.join(unknown)}", file=sys.stderr)
    return 0


def _fmt(counts: dict[str, int], classes: tuple) -> str:  # type: ignore[type-arg]
    return " / ".join(f"{c.label} {counts.get(c.label, 0)}" for c in classes)


def _compute_stored(args: argparse.Namespace) -> int:
    raise ProfileError("computing on a store is not available yet")
