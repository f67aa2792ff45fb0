"""Statistics flags of stored values and how they read in German.

A stored indicator value may carry a flag (``indicator_values.flag``): the reason why
a value is missing or how far it can be trusted, as the statistics offices mark it
with their symbols (the Zeichenerklärung, ../shared/DOMAIN.md §9), plus our own
``suppressed`` (disclosure control, :mod:`indicators.disclosure`). This is the one
place that turns a flag into the words a user reads; a flag not known here is shown
as it is stored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from indicators.disclosure import FLAG_SUPPRESSED

#: Flag -> German text (the symbol of the statistics offices in brackets).
FLAG_TEXTS: Mapping[str, str] = {
    "secret": "unbekannt oder geheim gehalten (.)",
    "unknown": "unbekannt (.)",
    "later": "noch nicht verfügbar (…)",
    "not_applicable": "kein sinnvoller Wert (x)",
    "unreliable": "nicht sicher genug (/)",
    "limited": "eingeschränkt aussagefähig ( )",
    "rounded": "weniger als die Hälfte der kleinsten Einheit (0)",
    "missing": "nicht geliefert",
    "zero_denominator": "Bezugsgröße null",
    FLAG_SUPPRESSED: "unterdrückt (zu wenige Einwohner)",
}


def flag_text(flag: object) -> str | None:
    """Return the German text of a value's flag; None for no flag, the raw flag if unknown.

    Examples
    --------
    >>> flag_text("later"), flag_text("limited")
    ('noch nicht verfügbar (…)', 'eingeschränkt aussagefähig ( )')
    >>> flag_text("amt_sonderfall"), flag_text(None), flag_text(float("nan"))
    ('amt_sonderfall', None, None)
    """
    if flag is None or flag is pd.NA or (isinstance(flag, float) and math.isnan(flag)):
        return None
    text = str(flag).strip()
    if not text:
        return None
    return FLAG_TEXTS.get(text, text)
