"""The measures a map shows: with programme, funding area, fields and year; filtered.

Moved here from the app's presentation frames so the app and ``qmon map`` share them
(:mod:`ui.frames` re-exports them).
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd


def measure_frame(
    measures: pd.DataFrame,
    funding_areas: pd.DataFrame,
    measure_fields: pd.DataFrame,
) -> pd.DataFrame:
    """Return measures with programme, funding-area name, fields of action and start year.

    Examples
    --------
    >>> m = pd.DataFrame({"id": ["m1"], "funding_area_id": ["F"], "title": ["T"],
    ...     "status": ["geplant"], "start_date": pd.to_datetime(["2021-03-01"])})
    >>> fa = pd.DataFrame({"id": ["F"], "name": ["Nord"], "programme_id": ["ssz"]})
    >>> mf = pd.DataFrame({"measure_id": ["m1", "m1"], "field_id": ["b", "a"]})
    >>> out = measure_frame(m, fa, mf)
    >>> out[["programme_id", "funding_area", "field_ids"]].iloc[0].tolist(), int(out["year"][0])
    (['ssz', 'Nord', ('a', 'b')], 2021)
    """
    out = measures.copy()
    fa = funding_areas.set_index("id")
    out["programme_id"] = out["funding_area_id"].map(fa["programme_id"])
    out["funding_area"] = out["funding_area_id"].map(fa["name"])
    grouped = measure_fields.groupby("measure_id")["field_id"]
    fields: dict[str, tuple[str, ...]] = {str(k): tuple(sorted(g)) for k, g in grouped}
    out["field_ids"] = out["id"].map(lambda i: fields.get(i, ()))
    out["year"] = pd.to_datetime(out["start_date"]).dt.year.astype("Int64")
    return out


def filter_measures(
    frame: pd.DataFrame,
    *,
    programmes: Collection[str] = (),
    funding_areas: Collection[str] = (),
    fields: Collection[str] = (),
    statuses: Collection[str] = (),
    year: int | None = None,
) -> pd.DataFrame:
    """Return the measures that pass every filter given (an empty filter passes all).

    ``year`` keeps measures running in that year (started by then, not ended before).

    Examples
    --------
    >>> f = pd.DataFrame({"programme_id": ["a", "b"], "funding_area_id": ["F", "G"],
    ...     "field_ids": [("x",), ("y", "z")], "status": ["geplant", "abgerechnet"],
    ...     "start_date": pd.to_datetime(["2019-01-01", "2022-01-01"]),
    ...     "end_date": pd.to_datetime(["2020-06-30", None])})
    >>> len(filter_measures(f, fields=["z"])), len(filter_measures(f, year=2021))
    (1, 0)
    >>> len(filter_measures(f, year=2023)), len(filter_measures(f, statuses=["geplant"]))
    (1, 1)
    """
    keep = pd.Series(True, index=frame.index)
    if programmes:
        keep &= frame["programme_id"].isin(list(programmes))
    if funding_areas:
        keep &= frame["funding_area_id"].isin(list(funding_areas))
    if fields:
        wanted = set(fields)
        keep &= frame["field_ids"].map(lambda ids: bool(wanted.intersection(ids)))
    if statuses:
        keep &= frame["status"].isin(list(statuses))
    if year is not None:
        start = pd.to_datetime(frame["start_date"]).dt.year
        end = pd.to_datetime(frame["end_date"]).dt.year
        keep &= (start.isna() | (start <= year)) & (end.isna() | (end >= year))
    return frame[keep]
