"""Tables as a German reader reads them: numbers, amounts, shares and dates written by
``geo.german`` and aligned right, missing values as ``keine Angabe`` or ``–``.

Streamlit's number columns write English separators (``14619100``, ``29.9132``) whatever
the browser's language, so a shown table carries its figures as German text; the figures
stay numbers in the store, the downloads and the reports.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from geo import german


def german_table(
    frame: pd.DataFrame,
    *,
    euro: Collection[str] = (),
    whole_euro: Collection[str] = (),
    percent: Mapping[str, int] | Collection[str] = (),
    numbers: Mapping[str, int] | Collection[str] = (),
    dates: Collection[str] = (),
    timestamps: Collection[str] = (),
    missing: str = german.NO_VALUE_SHORT,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Return ``frame`` with the named columns written the German way, and a column config
    that aligns them right (pass both to ``st.dataframe``).

    ``percent`` and ``numbers`` map a column to its decimals (a plain list: 1 for shares,
    0 for numbers). Columns not named are left as they are.

    Examples
    --------
    >>> shown, config = german_table(
    ...     pd.DataFrame({"Kosten": [14619100.0, None], "Anteil": [29.9132, 5.0]}),
    ...     euro=["Kosten"], percent=["Anteil"])
    >>> shown.to_dict("list")
    {'Kosten': ['14.619.100,00\\xa0€', '–'], 'Anteil': ['29,9\\xa0%', '5,0\\xa0%']}
    """
    shown = frame.copy()
    right: list[str] = []

    def apply(columns: Collection[str] | Mapping[str, int], default: int, write: Any) -> None:
        places = columns if isinstance(columns, Mapping) else dict.fromkeys(columns, default)
        for column, decimals in places.items():
            if column in shown.columns:
                shown[column] = [write(v, decimals) for v in frame[column]]
                right.append(column)

    apply(euro, 2, lambda v, d: german.euro(v, decimals=d, missing=missing))
    apply(whole_euro, 0, lambda v, d: german.euro(v, decimals=d, missing=missing))
    apply(percent, 1, lambda v, d: german.percent(v, decimals=d, missing=missing))
    apply(numbers, 0, lambda v, d: german.number(v, decimals=d, missing=missing))
    for column in dates:
        if column in shown.columns:
            shown[column] = [german.date(v, missing=missing) for v in frame[column]]
    for column in timestamps:
        if column in shown.columns:
            shown[column] = [german.timestamp(v, missing=missing) for v in frame[column]]
    config = {c: st.column_config.TextColumn(c, alignment="right") for c in right}
    return shown, config


def stored_time(value: Any) -> str:
    """Return a time the store wrote (UTC, kept without a zone: the audit log, a conflict)
    as local German time: ``26.11.2026, 09:36 Uhr`` for ``2026-11-26T08:36:00``.

    Examples
    --------
    >>> stored_time("2026-11-26T08:36:00"), stored_time("2026-07-01 10:00"), stored_time(None)
    ('26.11.2026, 09:36 Uhr', '01.07.2026, 12:00 Uhr', '–')
    >>> stored_time("2026-11-26T08:36:00+01:00")
    '26.11.2026, 08:36 Uhr'
    """
    if german.is_missing(value):
        return german.NO_VALUE_SHORT
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    if pd.isna(stamp):
        return german.NO_VALUE_SHORT
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return german.timestamp(stamp)
