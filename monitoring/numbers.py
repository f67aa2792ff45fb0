"""Numbers as German readers write them: 1.234.567,89 (for tables, reports and the CLI)."""

from __future__ import annotations

from typing import Any

import pandas as pd


def german_number(value: Any, *, decimals: int = 0, unit: str = "", missing: str = "") -> str:
    """Format a number the German way: thousands with '.', decimals with ','.

    Parameters
    ----------
    value
        A number; None, NaN and pandas' NA count as missing.
    decimals
        Places after the decimal comma.
    unit
        Appended as given (e.g. ``" €"``, ``" %"``).
    missing
        The text for a missing value.

    Examples
    --------
    >>> german_number(1234567.891, decimals=2, unit=" €")
    '1.234.567,89 €'
    >>> german_number(-5.25, decimals=1), german_number(-0.04, decimals=1)
    ('-5,2', '0,0')
    >>> german_number(None, missing="–")
    '–'
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return missing
    number = round(float(value), decimals) + 0.0  # no "-0,0"
    text = f"{number:,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return text + unit
