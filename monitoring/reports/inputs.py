"""The stored rows a report is made from, read in one place, and their fingerprint.

:func:`read_inputs` is the only I/O of a report: it reads the records of one
Gesamtmaßnahme (measures, funding lines, outputs, quarter management) and the
indicator counts of the statistical areas. :func:`fingerprint` hashes them in a
canonical form (SHA-256), so a filed report can say exactly which inputs it was made
from and a later report which of them changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.schema import EDIT_COLUMNS
from indicators.registry import Registry
from monitoring import editing, services
from monitoring.auth import User
from monitoring.renewal.comparison import pick_values
from monitoring.reports.catalogue import Catalogue
from monitoring.reports.sender import read_sender

if TYPE_CHECKING:
    from geo.store.base import Store

_EDIT = {c.name for c in EDIT_COLUMNS}

FRAMES: tuple[str, ...] = (
    "programmes",
    "fields_of_action",
    "measures",
    "measure_fields",
    "measure_outputs",
    "funding_lines",
    "indicator_values",
    "areas",
    "actors",
    "bodies",
    "participation",
    "local_funds",
    "fund_income",
    "fund_decisions",
    "activities",
    "projects",
    "concepts",
    "goals",
)
"""The layers a report reads, besides the funding area itself (and its sender block,
which is letterhead, not an input of a figure)."""

# The report counts actors by type. It never reads personal data, not even the names
# (a private person's name is personal data, see monitoring.auth.mask_personal), so the
# report is the same for every role and anonymising a person leaves its inputs unchanged.
ACTOR_COLUMNS = ["id", "funding_area_id", "type"]


@dataclass(frozen=True)
class ReportInputs:
    """Everything a report of one Gesamtmaßnahme is made from (frames as read).

    ``frames`` holds one frame per name of :data:`FRAMES`: the area's own records,
    the indicator values of one level and vintage (one edition per indicator) and the
    statistical areas of that level and vintage.
    """

    area: Mapping[str, Any]
    crs: str
    frames: Mapping[str, pd.DataFrame]
    sender: Mapping[str, str] = field(default_factory=dict)
    known_prints: Mapping[str, str] = field(default_factory=dict)
    """Fingerprints of frames already hashed (a batch hashes the shared layers once,
    :func:`shared_fingerprints`); a frame not named here is hashed when needed."""

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]


def indicator_keys(catalogue: Catalogue, registry: Registry) -> list[str]:
    """Return the stored indicators a catalogue needs: its keys and their counts.

    Examples
    --------
    >>> from indicators.registry import load_registry
    >>> from monitoring.reports.catalogue import load_catalogue
    >>> keys = indicator_keys(load_catalogue(), load_registry())
    >>> {"residents", "unemployed", "residents_15_64", "vacant_dwellings"} <= set(keys)
    True
    """
    keys: list[str] = ["residents"]
    for key in catalogue.indicators():
        definition = registry.get(key)
        parts = [key]
        if definition.derived:
            parts = [str(definition.numerator), str(definition.denominator)]
        keys += [k for k in parts if k not in keys]
    return keys


def read_shared_frames(
    store: Store, *, catalogue: Catalogue, registry: Registry
) -> dict[str, pd.DataFrame]:
    """Read the layers every report of the store shares: programmes, fields of action, the
    indicator values the catalogue needs and the statistical areas they are on."""
    values, level, vintage = pick_values(
        store.read("indicator_values", where={"indicator": indicator_keys(catalogue, registry)})
    )
    areas = (
        store.read("areas", where={"level": level, "vintage": vintage}, columns=["id", "name"])
        if level is not None
        else gpd.GeoDataFrame({"id": [], "name": []}, geometry=[], crs=store.crs)
    )
    return {
        "programmes": store.read("programmes", columns=["id", "name"]),
        "fields_of_action": store.read(
            "fields_of_action", columns=["id", "name", "federal_category", "sort"]
        ),
        "indicator_values": values,
        "areas": areas,
    }


def read_inputs(
    store: Store, user: User, area_id: str, *, catalogue: Catalogue, registry: Registry
) -> ReportInputs:
    """Read the rows a report of the funding area ``area_id`` is made from.

    Raises
    ------
    PermissionDenied
        Without the right to read.
    NotFound
        For an unknown funding area (the message lists the known ones).
    """
    area = services.funding_area(store, user, area_id)  # checks the right to read
    ms = store.read("measures", where={"funding_area_id": area_id})
    ids = ms["id"].tolist()
    own = {"funding_area_id": area_id}
    funds = store.read("local_funds", where=own)
    bodies = store.read("bodies", where=own)
    actors = store.read("actors", where=own, columns=ACTOR_COLUMNS)
    concepts = store.read("concepts", where=own)
    shared = read_shared_frames(store, catalogue=catalogue, registry=registry)
    frames: dict[str, pd.DataFrame] = {
        "programmes": shared["programmes"],
        "fields_of_action": shared["fields_of_action"],
        "measures": pd.DataFrame(ms.drop(columns="geometry")),
        "measure_fields": store.read("measure_fields", where={"measure_id": ids}),
        "measure_outputs": store.read("measure_outputs", where={"measure_id": ids}),
        "funding_lines": store.read("funding_lines", where={"measure_id": ids}),
        "indicator_values": shared["indicator_values"],
        "areas": shared["areas"],
        "actors": actors,
        "bodies": bodies,
        "participation": store.read(
            "participation", where={"target_kind": "body", "target_id": bodies["id"].tolist()}
        ),
        "local_funds": funds,
        "fund_income": store.read("fund_income", where={"fund_id": funds["id"].tolist()}),
        "fund_decisions": store.read("fund_decisions", where={"fund_id": funds["id"].tolist()}),
        "activities": pd.DataFrame(store.read("activities", where=own).drop(columns="geometry")),
        "projects": store.read("projects", where=own),
        "concepts": concepts,
        "goals": store.read("goals", where={"concept_id": concepts["id"].tolist()}),
    }
    return ReportInputs(
        area=area, crs=store.crs.to_string(), frames=frames, sender=read_sender(store)
    )


# --- fingerprint --------------------------------------------------------------------


def canonical_rows(frame: pd.DataFrame) -> list[list[Any]]:
    """Return a frame as sorted rows of plain values, columns sorted, edit columns left out.

    Row order, column order, ``created_at``/``updated_at``/``updated_by``/``version``
    and the dtype do not change the result; the content does.

    Examples
    --------
    >>> a = pd.DataFrame({"id": ["b", "a"], "x": [2.0, 1.0], "version": [3, 1]})
    >>> b = pd.DataFrame({"x": [1, 2], "id": ["a", "b"]})
    >>> canonical_rows(a) == canonical_rows(b)
    True
    >>> canonical_rows(a)
    [['id', 'x'], ['a', 1], ['b', 2]]
    """
    columns = sorted(str(c) for c in frame.columns if str(c) not in _EDIT)
    values = [_column(frame[c]) for c in columns]
    rows = [list(row) for row in zip(*values)] if columns else [[] for _ in range(len(frame))]
    rows.sort(key=lambda r: json.dumps(r, ensure_ascii=False, default=str))
    return [columns, *rows]


def _column(series: pd.Series) -> list[Any]:
    """The values of one column as :func:`_plain` gives them, numbers a column at a time.

    The fingerprint of every report hashes the indicator values (tens of thousands of
    cells); converting a float or integer column as one array is what keeps that below a
    tenth of a second. Other columns go value by value. The result is the same either way
    (``tests/reports/test_fingerprint_values.py``).
    """
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return [
            None if v != v else int(v) if v.is_integer() else v for v in series.to_numpy().tolist()
        ]
    if pd.api.types.is_integer_dtype(dtype):
        missing = series.isna().to_numpy()
        if not missing.any():
            return series.astype("int64").to_numpy().tolist()
        return [None if m else int(v) for v, m in zip(series.to_numpy(dtype=object), missing)]
    if isinstance(dtype, pd.StringDtype) or (isinstance(dtype, np.dtype) and dtype.kind == "O"):
        return [v if type(v) is str else _plain(v) for v in series]  # text as it is
    return [_plain(v) for v in series]


def _plain(value: Any) -> Any:
    """A JSON value where 1.0 and 1 are the same (stores differ in integer dtypes)."""
    out = editing.plain(value)
    if isinstance(out, float) and out.is_integer():
        return int(out)
    return out


def digest(data: Any) -> str:
    """Return the SHA-256 of ``data`` as canonical JSON (sorted keys, no spaces).

    Examples
    --------
    >>> digest({"b": 1, "a": [1, 2]}) == digest({"a": [1, 2], "b": 1})
    True
    >>> len(digest([]))
    64
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprints(
    inputs: ReportInputs,
    *,
    year: int,
    catalogue: Catalogue,
    registry: Registry,
) -> dict[str, str]:
    """Return the SHA-256 of each input (funding area, each layer, settings) of a report.

    The funding area's geometry enters as WKT rounded to the millimetre; the settings
    are the reporting year, the catalogue and the definitions of the indicators it
    uses.
    """
    area = {k: _plain(v) for k, v in inputs.area.items() if k not in _EDIT}
    used: Iterable[str] = sorted(
        set(indicator_keys(catalogue, registry)) | set(catalogue.indicators())
    )
    settings = {
        "year": year,
        "catalogue": asdict(catalogue),
        "indicators": {k: asdict(registry.get(k)) for k in used if k in registry},
    }
    out = {"funding_areas": digest(area), "settings": digest(settings)}
    for name in FRAMES:
        known = inputs.known_prints.get(name)
        out[name] = known if known is not None else frame_digest(inputs.frames[name])
    return out


def frame_digest(frame: pd.DataFrame) -> str:
    """Return the SHA-256 of a frame's canonical rows (geometry as WKT, to the millimetre)."""
    if isinstance(frame, gpd.GeoDataFrame):
        wkt = frame.geometry.to_wkt(rounding_precision=3)
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name)).assign(geometry=wkt)
    return digest(canonical_rows(frame))


def shared_fingerprints(frames: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """Return the fingerprint of each of ``frames`` (the layers a batch's reports share)."""
    return {name: frame_digest(frame) for name, frame in frames.items()}


def fingerprint(parts: Mapping[str, str]) -> str:
    """Return the fingerprint of a report: the SHA-256 over the fingerprints of its inputs."""
    return digest(dict(parts))
