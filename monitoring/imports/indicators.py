"""Import indicator values from a wide or long table into ``indicator_values``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from geo import german
from geo.readers import NumberFormat, parse_number
from geo.symbols import FLAG_LABELS
from geo.validation import ImportReport, check_columns
from monitoring import catalogue
from monitoring.imports import editions, matching, pipeline
from monitoring.imports.matching import AreaMatch, MatchBy
from monitoring.imports.pipeline import ImportResult, Progress, Source
from monitoring.numbers import german_number

if TYPE_CHECKING:
    from geo.store.base import Store
    from indicators.registry import Registry
    from monitoring.auth import User
    from monitoring.editing import ChangeSet

Shape = Literal["wide", "long"]


def import_indicators(
    store: Store,
    source: Source,
    *,
    id_col: str,
    period: str | dt.date | None = None,
    period_col: str | None = None,
    columns: Sequence[str] | None = None,
    rename: Mapping[str, str] | None = None,
    na: Sequence[str] = (),
    level: str | None = None,
    vintage: str | None = None,
    edition: str | None = None,
    source_label: str | None = None,
    indicator_col: str | None = None,
    value_col: str | None = None,
    number_format: NumberFormat | None = None,
    sheet: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    header_row: int | None = None,
    registry: Registry | None = None,
    user: User,
    progress: Progress = None,
    dry_run: bool = False,
    replace: bool = False,
    match: MatchBy = "id",
    skip_unmatched: bool = False,
) -> ImportResult:
    """Import indicator values from a wide or long table into ``indicator_values``.

    Wide: one column per indicator (``columns``, keys renamed with ``rename``). Long:
    one row per value, the indicator key in ``indicator_col`` and the value in
    ``value_col`` (by default the columns ``indicator`` and ``value`` when
    ``columns`` is not given). The period is ``period`` for all rows or read per row
    from ``period_col``.

    A table as a statistics office delivers it (no ``columns``, no indicator/value
    columns): every column but the id and period columns whose cells are numbers
    or statistics symbols becomes an indicator. ``rename`` maps a column onto a
    catalogue key; any other column gets the key, German label, unit and kind its
    header says (:mod:`indicators.headers`), and a key the store's catalogue
    (:func:`monitoring.catalogue.registry_for`) lacks is added to it, in the same
    transaction as the values (a refused or dry import adds nothing).

    The areas must be stored first: level and vintage are the ones whose ids (or,
    with ``match="name"``, names) match the file best (and that are valid at the
    period), unless given. Names are compared by their normal form (case, umlauts
    and ß, hyphens, "St."/"Sankt", spaces: :mod:`.names`), never by similarity. Keys
    that fit no stored area are problems, listed with the closest stored ids or
    names; a name that fits two stored areas is a problem (use the ids).

    Rows that are not one area (:mod:`.matching`): aggregate rows (an area of a
    higher level, "Bezirk X", "insgesamt") are never stored, always noted, and their
    count-like values are checked against the sum of their parts (differences are
    notes); merged rows ("A und B") are problems like unknown keys. With
    ``skip_unmatched`` merged and unknown rows are skipped instead: the others are
    stored, ``details["skipped"]`` lists every row not stored (row, name, reason) and
    ``details["areas_without_value"]`` counts the stored areas of the level the
    import gives no value.

    Cells equal to a ``na`` sentinel (e.g. ``-9999``) and empty cells are stored as
    value NaN with flag ``missing``, so they are never averaged in. The symbols of
    official statistics are read as :func:`geo.symbols.parse_cell` does and their
    flag stored (:data:`geo.symbols.FLAG_LABELS`): ``-`` is 0, ``.`` ``…`` ``x``
    ``/`` are NaN flagged ``secret``, ``later``, ``not_applicable``, ``unreliable``,
    ``(12,3)`` is 12.3 flagged ``limited``, and in a table using symbols ``0`` is
    flagged ``rounded``. ``header_row`` names the (last) header row of a table whose
    layout (title rows, header over several rows) is not sure to detect. Values impossible
    for an indicator of the registry are problems: a share outside 0–100, a negative
    count, or outside the declared ``min_value``/``max_value``; keys unknown to the
    registry are taken as they come.

    Re-imports (:mod:`.editions`): without ``edition``, the values stored already
    for the same level, vintage, indicator and period, of any edition but recomputed
    ones, are the ones the file brings again; the import takes over their edition
    name (else the file name). An explicit ``edition`` counts only the values of
    that edition (a different one is a separate edition). Values brought again are
    refused unless ``replace`` (then they are replaced); the refusal and the result
    (``details["differences"]``) say how many values change, are new, are gone, with
    examples. The user needs the right ``edit_funding``.

    Returns
    -------
    ImportResult
        What was stored (or, dry, would be).

    Raises
    ------
    PermissionDenied
        When the user may not import indicator values.
    ImportRefused
        Listing every problem: unreadable file, missing columns, bad numbers, bad or
        missing periods, unknown ids, duplicates, impossible values, no stored areas,
        values stored already.
    """
    run = pipeline.start(
        store,
        user,
        kind="indicators",
        layer="indicator_values",
        progress=progress,
        dry_run=dry_run,
        replace=replace,
    )
    run.step(0.0, "Datei wird gelesen")
    table = pipeline.table(
        source, sheet=sheet, delimiter=delimiter, encoding=encoding, header_row=header_row
    )
    frame_in = table.frame
    report = table.report()
    rename = dict(rename or {})
    auto = not columns and _is_wide(frame_in, indicator_col=indicator_col, value_col=value_col)
    if auto:
        columns = numeric_columns(frame_in, exclude=[c for c in (id_col, period_col) if c])
        if not columns:
            report.add(
                "die Tabelle hat außer der ID- und der Stichtagsspalte keine Spalte mit Zahlen",
                fix="geben Sie --columns A,B,C mit den Indikatorspalten an oder prüfen Sie, ob "
                "die Kopfzeile richtig erkannt wurde",
            )
            report.raise_if_problems()
        left = [str(c) for c in frame_in.columns if str(c) not in (*columns, id_col, period_col)]
        if left:
            report.note(
                f"{table.source}: ohne Zahlen, daher kein Indikator: "
                + ", ".join(f"„{c}“" for c in left)
            )
    shape: Shape = "wide" if columns else "long"
    if shape == "long":
        indicator_col = indicator_col or "indicator"
        value_col = value_col or "value"
    needed: dict[str, str | None] = {"--id": id_col, "--period-col": period_col}
    if shape == "wide":
        needed |= {f"--columns ({c})": c for c in columns or ()}
    else:
        needed |= {"--indicator-col": indicator_col, "--value-col": value_col}
    if not matching.check_match_mode(match, report):
        report.raise_if_problems()
    if not check_columns(frame_in, needed, report):
        if shape == "long" and not (set(map(str, frame_in.columns)) & {"indicator", "value"}):
            report.add(
                "--columns fehlt, und die Tabelle ist nicht im Langformat (id, indicator, "
                "period, value)",
                fix="geben Sie --columns A,B,C mit den Indikatorspalten an",
            )
        report.raise_if_problems()
    for old in rename:
        if shape == "wide" and old not in (columns or ()):
            report.add(
                f"--rename nennt „{old}“, das nicht in --columns steht",
                fix="benennen Sie nur Spalten um, die in --columns stehen",
            )
    if period is None and period_col is None:
        report.add(
            "der Stichtag der Werte ist unbekannt",
            fix="geben Sie --period 31.12.2020 an (oder --period-col mit einer Datumsspalte)",
        )
    run.step(0.1, "Daten werden geprüft")
    ids = pipeline.texts(frame_in, id_col)
    for row in ids.index[ids.isna()]:
        report.add(
            "die ID ist leer", row=row, column=id_col, fix="tragen Sie die ID des Gebiets ein"
        )
    periods = (
        pipeline.dates(frame_in[period_col], report, option="--period-col")
        if period_col
        else pd.Series(
            pipeline.one_date(period, report, option="--period"),
            index=frame_in.index,
            dtype="datetime64[ns]",
        )
    )
    value_columns = list(columns or ()) if shape == "wide" else [str(value_col)]
    parsed = pipeline.numbers(
        frame_in,
        value_columns,
        report,
        fmt=number_format,
        delimiter=table.details.get("delimiter"),
        na=na,
        symbols=True,
    )
    values, declared, fmt = parsed.values, parsed.missing, parsed.format
    _note_symbols(parsed, report, source=table.source)
    catalogue_registry = registry or catalogue.registry_for(store)
    new_defs: list[dict[str, object]] = []
    if auto:
        new_defs = infer_definitions(
            value_columns,
            values,
            rename,
            catalogue_registry,
            report,
            source=source_label or table.source,
        )
    long = _to_long(
        frame_in,
        ids,
        periods,
        values,
        declared,
        shape=shape,
        indicator_col=indicator_col,
        value_col=value_col,
        rename=rename,
        flags=parsed.flags,
    )
    for key in long["indicator"].dropna().unique():
        if not long.loc[long["indicator"] == key, "value"].notna().any():
            report.note(
                f"{table.source}: der Indikator „{key}“ hat in keiner Zeile einen Wert (alle als "
                "fehlend gespeichert)"
            )
    _check_plausible(long, report, registry=catalogue_registry)
    run.step(0.3, "Gebiete werden abgeglichen")
    matched = matching.match_areas(
        store.read("areas"),
        ids,
        list(pd.to_datetime(long["period"].dropna().unique())),
        report,
        by=match,
        level=level,
        vintage=vintage,
        column=id_col,
        skip_unmatched=skip_unmatched,
    )
    level, vintage = matched.level, matched.vintage
    sums = matching.check_aggregates(long, matched, report, kinds=_kinds(catalogue_registry, long))
    long = _matched_rows(long, matched)
    dup = long.duplicated(["area_id", "indicator", "period"], keep=False) & long["area_id"].notna()
    for (area, key, when), group in long[dup].groupby(["area_id", "indicator", "period"]):
        lines = sorted({int(r) for r in group["row"]})
        report.add(
            f"Gebiet „{area}“, Indikator „{key}“, Stichtag "
            f"{pd.Timestamp(str(when)):%d.%m.%Y} kommt {len(lines)}-mal vor "
            f"(Zeilen {', '.join(map(str, lines))})",
            column=id_col,
            fix="behalten Sie eine Zeile je Gebiet, Indikator und Stichtag",
        )
    if not len(long) and not report.problems:
        report.add(
            "keine Zeile der Datei ist ein gespeichertes Gebiet (alle ausgelassen: "
            + "; ".join(f"Zeile {s.row} „{s.name}“" for s in matched.skipped[:5])
            + ")",
            column=id_col,
            fix="prüfen Sie --id, --match und --level/--vintage",
        )
    report.raise_if_problems()
    plan = _plan_reimport(
        store,
        long,
        report,
        matched,
        edition=edition,
        table=table,
        reg=catalogue_registry,
        replace=replace,
    )
    report.raise_if_problems()  # the differences name what a re-import would replace
    long["level"] = level
    long["vintage"] = vintage
    long["edition"] = plan.edition
    long["source"] = source_label or table.source
    long["numerator"] = np.nan
    long["denominator"] = np.nan
    out = long.drop(columns=["row"]).reset_index(drop=True)
    report.note(
        f"{table.source}: Zahlen gelesen mit {fmt.describe()}"
        + (f", Zeichenkodierung {table.details['encoding']}" if "encoding" in table.details else "")
    )
    scopes = out[["level", "vintage", "indicator", "period", "edition"]].drop_duplicates()
    return pipeline.store_bulk(
        run,
        out,
        table,
        report,
        scopes=[{str(k): v for k, v in r.items()} for r in scopes.to_dict("records")],
        what=f"Indikatorwerte der Ebene „{level}“, Gebietsstand „{vintage}“, Ausgabe "
        f"„{out['edition'].iloc[0]}“ für die Indikatoren und Stichtage der Datei",
        details={
            "level": level,
            "vintage": vintage,
            "edition": plan.edition,
            "missing": int(out["value"].isna().sum()),
            "indicators": len(out["indicator"].unique()),
        }
        | _match_details(out, matched, sums, plan, skip_unmatched=skip_unmatched)
        | (
            {
                "new_indicators": [str(d["key"]) for d in new_defs],
                "new_definitions": [
                    {f: d.get(f) for f in ("key", "label", "unit", "kind")} for d in new_defs
                ],
            }
            if new_defs
            else {}
        ),
        extra_records=_define(new_defs) if new_defs else None,
    )


def _to_long(
    frame: pd.DataFrame,
    ids: pd.Series,
    periods: pd.Series,
    values: Mapping[str, pd.Series],
    declared: Mapping[str, pd.Series],
    *,
    shape: Shape,
    indicator_col: str | None,
    value_col: str | None,
    rename: Mapping[str, str],
    flags: Mapping[str, pd.Series] | None = None,
) -> pd.DataFrame:
    flags = flags or {}
    none = pd.Series(None, index=frame.index, dtype=object)
    parts = []
    if shape == "wide":
        items = [(rename.get(c, c), c) for c in values]
        for key, column in items:
            parts.append(
                pd.DataFrame(
                    {
                        "row": frame.index,
                        "area_id": ids.values,
                        "indicator": key,
                        "period": periods.values,
                        "value": values[column].values,
                        "declared": declared[column].values,
                        "symbol": flags.get(column, none).values,
                    }
                )
            )
    else:
        keys = pipeline.texts(frame, indicator_col).map(lambda k: rename.get(k, k) if k else k)
        parts.append(
            pd.DataFrame(
                {
                    "row": frame.index,
                    "area_id": ids.values,
                    "indicator": keys.values,
                    "period": periods.values,
                    "value": values[str(value_col)].values,
                    "declared": declared[str(value_col)].values,
                    "symbol": flags.get(str(value_col), none).values,
                }
            )
        )
    long = pd.concat(parts, ignore_index=True)
    missing = long["value"].isna().map({True: "missing", False: None}).astype(object)
    long["flag"] = long["symbol"].where(long["symbol"].notna(), missing).astype(object)
    return long.drop(columns=["declared", "symbol"])


def _note_symbols(parsed: pipeline.Numbers, report: ImportReport, *, source: str) -> None:
    """Note how many values carry a statistics symbol, and footnote marks dropped."""
    counts: dict[str, int] = {}
    for series in parsed.flags.values():
        for flag in series.dropna():
            counts[str(flag)] = counts.get(str(flag), 0) + 1
    if counts:
        shown = ", ".join(f"{n}× {FLAG_LABELS.get(k, k)}" for k, n in sorted(counts.items()))
        report.note(f"{source}: Zeichenerklärung angewandt, als Kennzeichen gespeichert: {shown}")
    if parsed.footnotes:
        row, column, mark = parsed.footnotes[0]
        report.note(
            f"{source}: {len(parsed.footnotes)} Fußnotenzeichen an Zahlen entfernt (z. B. "
            f"Zeile {row}, Spalte „{column}“: „{mark}“); die Fußnoten stehen unter der Tabelle"
        )


# --- without --columns: every numeric column is an indicator -----------------------------

STATISTICS_SYMBOLS: frozenset[str] = frozenset({"-", "–", "—", ".", "x", "X", "…", "...", "/"})
"""The Zeichenerklärung of German official statistics: cells that stand for no number."""

_BRACKETED = re.compile(r"^\(\s*[-–]?\s*[\d.,\s]+\)$")
_TRY_FORMATS = (
    NumberFormat(",", "."),
    NumberFormat(".", ""),
    NumberFormat(",", " "),
    NumberFormat(".", ","),
    NumberFormat(",", ""),
)


def _is_wide(frame: pd.DataFrame, *, indicator_col: str | None, value_col: str | None) -> bool:
    """True when the table is not in the long form (no indicator and value columns)."""
    if indicator_col or value_col:
        return False
    return not {"indicator", "value"} <= set(map(str, frame.columns))


def number_cell(cell: object) -> bool | None:
    """Return True for a number, False for a statistics symbol, None for anything else.

    Empty cells are statistics symbols too (no number there).

    Examples
    --------
    >>> [number_cell(c) for c in ("1.675", "4,2", 12, "-  23", "(12,3)", ".", "x", "…", "Mitte")]
    [True, True, True, True, True, False, False, False, None]
    """
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return False
    if isinstance(cell, bool):
        return None
    if isinstance(cell, (int, float, np.integer, np.floating)):
        return True
    text = str(cell).strip().replace("\u00a0", " ")
    if not text or text in STATISTICS_SYMBOLS:
        return False
    if _BRACKETED.match(text):
        text = text.strip("()").strip()
    text = re.sub(r"^([-–])\s+(?=\d)", "-", text)
    for fmt in _TRY_FORMATS:
        try:
            parse_number(text, fmt)
        except ValueError:
            continue
        return True
    return None


def numeric_columns(frame: pd.DataFrame, *, exclude: Sequence[str] = ()) -> list[str]:
    """Return the columns of numbers: at least one number, and no more other text than numbers.

    Statistics symbols and empty cells count as neither. A column of numbers with a
    typo in a few cells stays a column of numbers, so the import reports those cells
    (row, column, value) instead of leaving the column out unnoticed; a column of
    names has no numbers and is left out.

    Examples
    --------
    >>> f = pd.DataFrame({"id": ["1", "2", "3"], "Name": ["Mitte", "Nord", "3"],
    ...     "EW": ["1.675", "2.010", "viele"], "Quote": ["4,2", ".", "x"],
    ...     "leer": [None, "-", "."]})
    >>> numeric_columns(f, exclude=["id"])
    ['EW', 'Quote']
    """
    out = []
    for column in frame.columns:
        if str(column) in exclude:
            continue
        kinds = [number_cell(c) for c in frame[column].tolist()]
        numbers, texts = kinds.count(True), kinds.count(None)
        if numbers and texts < numbers:
            out.append(str(column))
    return out


def infer_definitions(
    columns: Sequence[str],
    values: Mapping[str, pd.Series],
    rename: dict[str, str],
    registry: Registry | None,
    report: ImportReport,
    *,
    source: str,
) -> list[dict[str, object]]:
    """Give every column a key; return the catalogue rows of the keys the store lacks.

    A column ``--rename`` maps keeps that key (a catalogue key's definition is then
    checked against the values as always); any other column gets the key, label,
    unit and kind its header says (:func:`indicators.headers.infer_header`), and
    ``rename`` is extended with it. When the values contradict the inferred kind
    (a share above 100, a count with fractions) the kind falls back to ``value`` and
    the report gets a note.
    """
    from indicators.headers import check_kind, infer_header

    taken = set(rename.values())
    known = set(registry or ())
    out: list[dict[str, object]] = []
    for column in columns:
        numbers = values[column].dropna().tolist()
        guess = infer_header(column, numbers, taken=taken)
        key = rename.get(column, guess.key)
        rename[column] = key
        taken.add(key)
        if key in known:
            continue
        kind: str = guess.kind
        why = check_kind(kind, numbers)
        if why is not None:
            report.note(
                f"{report.source}: Spalte „{column}“: {why}; der Indikator „{key}“ wird als "
                "„Wert“ (value) angelegt, nicht als "
                f"{'Anteil' if kind == 'share' else 'Anzahl' if kind == 'count' else kind}"
            )
            kind = "value"
        row: dict[str, object] = {
            "key": key,
            "label": guess.label,
            "unit": guess.unit,
            "kind": kind,
            "source": source,
            "description": f"importiert aus Spalte „{column}“",
        }
        if kind == "share":
            row |= {"min_value": 0.0, "max_value": 100.0}
        elif kind == "count":
            row |= {"min_value": 0.0}
        out.append(row)
    if out:
        report.note(
            f"{report.source}: neue Indikatoren im Katalog: "
            + ", ".join(f"{d['key']} („{d['label']}“, {d['unit'] or 'ohne Einheit'})" for d in out)
        )
    return out


def _define(rows: Sequence[Mapping[str, object]]) -> Callable[[ChangeSet], None]:
    """The hook that writes new catalogue rows in the import's own transaction."""

    def write(ch: ChangeSet) -> None:
        from monitoring.catalogue import save_indicator_def_in

        for row in rows:
            if ch.read("indicator_defs", {"key": row["key"]}) is None:
                save_indicator_def_in(ch, row)

    return write


def _places(value: float) -> int:
    """Return the decimal places a bound or value needs (5 -> 0, 2.5 -> 1, 0.25 -> 2)."""
    text = f"{float(value):g}"
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def _check_plausible(
    long: pd.DataFrame, report: ImportReport, *, registry: Registry | None
) -> None:
    """Record values impossible for the indicator as the registry declares it."""
    if registry is None:
        return
    for key, group in long.groupby("indicator"):
        if key not in registry:
            continue
        definition = registry.get(str(key))
        low, high = definition.min_value, definition.max_value
        if definition.kind in ("share", "count") and low is None:
            low = 0.0  # declared bounds win (a change in percentage points may be < 0)
        if definition.kind == "share" and high is None:
            high = 100.0
        what = {"share": "ein Anteil", "count": "eine Anzahl", "rate": "eine Rate"}.get(
            definition.kind, definition.kind
        )
        lowest = "" if low is None else f"ab {german_number(low, decimals=_places(low))} "
        highest = "" if high is None else f"bis {german_number(high, decimals=_places(high))} "
        allowed = f"{lowest}{highest}{definition.unit}".strip()
        for _, item in group[group["value"].notna()].iterrows():
            value = float(item["value"])
            if (low is not None and value < low) or (high is not None and value > high):
                report.add(
                    f"{german_number(value, decimals=_places(value))} ist unmöglich für „{key}“ "
                    f"({definition.label}, {what}): erlaubt {allowed}",
                    row=item["row"],
                    column=str(key),
                    value=value,
                    fix="korrigieren Sie den Wert oder erklären Sie ihn mit --na als fehlend, "
                    "wenn er ein Code für „keine Angabe“ ist",
                )


def _kinds(registry: Registry | None, long: pd.DataFrame) -> dict[str, str]:
    """Return indicator key -> registry kind for the file's keys the registry knows."""
    if registry is None:
        return {}
    keys = [str(k) for k in long["indicator"].dropna().unique()]
    return {k: registry.get(k).kind for k in keys if k in registry}


def _matched_rows(long: pd.DataFrame, matched: AreaMatch) -> pd.DataFrame:
    """Return the rows of areas with their stored ids; drop skipped and aggregate rows."""
    skipped = {s.row for s in matched.skipped}
    out = long[~long["row"].isin(skipped)].copy()
    out["area_id"] = out["row"].map(matched.area_ids)
    return out


def _plan_reimport(
    store: Store,
    long: pd.DataFrame,
    report: ImportReport,
    matched: AreaMatch,
    *,
    edition: str | None,
    table: pipeline.Table,
    reg: Registry | None,
    replace: bool,
) -> editions.Reimport:
    """Find the values the file brings again; refuse (or note) them with the differences."""
    keys = sorted({str(k) for k in long["indicator"].dropna()})
    stored = (
        store.read(
            "indicator_values",
            where={"level": matched.level, "vintage": matched.vintage, "indicator": keys},
            columns=["area_id", "indicator", "period", "value", "edition"],
        )
        if keys and matched.level is not None
        else pd.DataFrame(columns=["area_id", "indicator", "period", "value", "edition"])
    )
    labels = {k: reg.get(k).label for k in keys if reg is not None and k in reg}
    plan = editions.plan_reimport(
        stored,
        long,
        edition=edition,
        default=Path(table.source).stem,
        names=matched.names,
        labels=labels,
    )
    if plan.edition is None:
        report.add(
            "für diese Indikatoren und Stichtage sind schon Werte mehrerer Ausgaben gespeichert: "
            + ", ".join(f"„{e}“" for e in plan.editions),
            fix="geben Sie mit --edition an, welche Ausgabe der Import ersetzt (mit --replace), "
            "oder einen neuen Namen für eine eigene Ausgabe",
        )
    elif plan.existing:
        text = (
            f"gegenüber den {german.number(plan.existing)} gespeicherten Werten der Ausgabe "
            f"„{plan.edition}“ "
            f"(gleiche Ebene, gleicher Gebietsstand, gleiche Indikatoren und Stichtage): "
            f"{plan.describe()}"
        )
        if replace:
            report.note(f"{table.source}: {text}")
        else:
            report.add(
                text,
                fix="geben Sie --replace an, um die gespeicherten Werte dieser Ausgabe zu "
                "ersetzen (qmon imports undo holt sie zurück), oder --edition NAME für eine "
                "eigene Ausgabe",
            )
    return plan


def _match_details(
    out: pd.DataFrame,
    matched: AreaMatch,
    sums: list[dict[str, Any]],
    plan: editions.Reimport,
    *,
    skip_unmatched: bool,
) -> dict[str, Any]:
    """Return what the app shows after a dry run: skipped rows, areas without value, changes."""
    details: dict[str, Any] = {}
    if matched.skipped:
        details["skipped"] = [s.as_dict() for s in matched.skipped]
    without = matched.areas - out["area_id"].dropna().nunique()
    if skip_unmatched or without > 0:
        details["areas_without_value"] = int(without)
    if sums:
        details["aggregate_differences"] = sums
    if plan.existing:
        details["differences"] = plan.as_dict()
    return details
