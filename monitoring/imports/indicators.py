"""Import indicator values from a wide or long table into ``indicator_values``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from geo.readers import NumberFormat
from geo.symbols import FLAG_LABELS
from geo.validation import ImportReport, check_columns, check_known
from monitoring.imports import pipeline
from monitoring.imports.pipeline import ImportResult, Progress, Source
from monitoring.numbers import german_number

if TYPE_CHECKING:
    from geo.store.base import Store
    from indicators.registry import Registry
    from monitoring.auth import User

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
) -> ImportResult:
    """Import indicator values from a wide or long table into ``indicator_values``.

    Wide: one column per indicator (``columns``, keys renamed with ``rename``). Long:
    one row per value, the indicator key in ``indicator_col`` and the value in
    ``value_col`` (by default the columns ``indicator`` and ``value`` when
    ``columns`` is not given). The period is ``period`` for all rows or read per row
    from ``period_col``.

    The areas must be stored first: level and vintage are the ones whose ids match
    the file best (and that are valid at the period), unless given. Ids not among
    them are problems, listed with the closest stored ids.

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

    Values of the same level, vintage, indicator, period and edition stored already
    are refused unless ``replace`` (then they are replaced). The user needs the
    right ``edit_funding``.

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
    shape: Shape = "wide" if columns else "long"
    if shape == "long":
        indicator_col = indicator_col or "indicator"
        value_col = value_col or "value"
    needed: dict[str, str | None] = {"--id": id_col, "--period-col": period_col}
    if shape == "wide":
        needed |= {f"--columns ({c})": c for c in columns or ()}
    else:
        needed |= {"--indicator-col": indicator_col, "--value-col": value_col}
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
    _check_plausible(long, report, registry=_registry(registry))
    run.step(0.3, "Gebiete werden abgeglichen")
    level, vintage = _match_areas(store, long, report, level=level, vintage=vintage, column=id_col)
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
    report.raise_if_problems()
    long["level"] = level
    long["vintage"] = vintage
    long["edition"] = edition or Path(table.source).stem
    long["source"] = source_label or table.source
    long["numerator"] = np.nan
    long["denominator"] = np.nan
    out = long.drop(columns=["row"]).reset_index(drop=True)
    report.note(
        f"{table.source}: numbers read with {fmt.describe()}"
        + (f", encoding {table.details['encoding']}" if "encoding" in table.details else "")
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
            "edition": long["edition"].iloc[0],
            "missing": int((out["flag"] == "missing").sum()),
            "indicators": len(out["indicator"].unique()),
        },
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


def _registry(registry: Registry | None) -> Registry | None:
    if registry is not None:
        return registry
    try:
        from indicators.registry import load_registry
    except ImportError:  # pragma: no cover - the indicators package is part of the project
        return None
    return load_registry()


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


def _match_areas(
    store: Store,
    long: pd.DataFrame,
    report: ImportReport,
    *,
    level: str | None,
    vintage: str | None,
    column: str,
) -> tuple[str | None, str | None]:
    """Pick the stored (level, vintage) the ids belong to and record unknown ids."""
    where = {k: v for k, v in (("level", level), ("vintage", vintage)) if v is not None}
    areas = store.read(
        "areas", where=where or None, columns=["id", "level", "vintage", "valid_from", "valid_to"]
    )
    names = {"level": "Ebene", "vintage": "Gebietsstand"}
    scope = (
        " und ".join(f"{names.get(k, k)} „{v}“" for k, v in where.items()) or "irgendeiner Ebene"
    )
    if not len(areas):
        report.add(
            f"es sind keine Gebiete der {scope} gespeichert; Indikatorwerte gehören zu "
            "gespeicherten Gebieten",
            fix="importieren Sie zuerst die Grenzen: qmon import areas DATEI --level EBENE "
            "--id SPALTE …",
        )
        return level, vintage
    file_ids = set(long["area_id"].dropna())
    periods = pd.to_datetime(long["period"].dropna().unique())
    scored = []
    for (lvl, vin), group in areas.groupby(["level", "vintage"]):
        matches = len(file_ids & set(group["id"]))
        start = group["valid_from"].min()
        end = group["valid_to"].max() if group["valid_to"].notna().all() else pd.NaT
        valid = sum(
            1 for p in periods if (pd.isna(start) or p >= start) and (pd.isna(end) or p <= end)
        )
        scored.append(((matches, valid), str(lvl), str(vin)))
    scored.sort(reverse=True)
    best_score, lvl, vin = scored[0]
    ties = [f"Ebene „{s[1]}“ Gebietsstand „{s[2]}“" for s in scored if s[0] == best_score]
    if len(ties) > 1:
        report.add(
            f"die IDs passen gleich gut zu mehreren gespeicherten Gebietsständen: "
            f"{', '.join(ties)}",
            fix="geben Sie --level und --vintage an",
        )
        return level, vintage
    known = areas.loc[(areas["level"] == lvl) & (areas["vintage"] == vin), "id"]
    if best_score[1] < len(periods):
        report.note(
            f"{report.source}: der Gebietsstand „{vin}“ der Ebene „{lvl}“ gilt nicht an jedem "
            "Stichtag der Datei (siehe valid_from/valid_to)"
        )
    first = long.drop_duplicates("area_id")
    check_known(
        first.set_index("row")["area_id"].dropna(),
        known,
        report,
        column=column,
        what=f"stored areas of level {lvl!r}, vintage {vin!r}",
        fix="korrigieren Sie die ID oder importieren Sie den Gebietsstand, zu dem sie gehört "
        "(--level/--vintage)",
    )
    return lvl, vin
