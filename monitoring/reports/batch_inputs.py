"""The inputs of many reports read once: every layer in one read, sliced per Gesamtmaßnahme.

:func:`monitoring.reports.inputs.read_inputs` reads some twenty queries for one funding
area, three of them (the indicator values, the statistical areas, the programmes) the
same for every area. For a batch of thousands of areas :class:`BatchInputs` reads each
layer once and hands out per area exactly the frames ``read_inputs`` would have read
(same rows, row order, columns, dtypes and a fresh ``RangeIndex``), together with the
fingerprints of the inputs every report shares, so that they are hashed once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from indicators.registry import Registry
from monitoring import editing
from monitoring.auth import User, require
from monitoring.errors import NotFound
from monitoring.reports.catalogue import Catalogue
from monitoring.reports.inputs import (
    ACTOR_COLUMNS,
    ReportInputs,
    read_shared_frames,
    shared_fingerprints,
)
from monitoring.reports.sender import read_sender

if TYPE_CHECKING:
    from geo.store.base import Store

SHARED: tuple[str, ...] = ("programmes", "fields_of_action", "indicator_values", "areas")
"""The layers a report reads whole: the same frame for every Gesamtmaßnahme."""


class _Slicer:
    """Row positions of a frame per value of one column, for slicing without a query."""

    def __init__(self, frame: pd.DataFrame, column: str) -> None:
        self.frame = frame
        keys = frame[column]
        self.positions: dict[Any, np.ndarray] = (
            {k: np.asarray(v) for k, v in keys.groupby(keys, sort=False).indices.items()}
            if len(frame)
            else {}
        )

    def rows(self, values: Iterable[Any]) -> pd.DataFrame:
        """The rows whose column is one of ``values``, in the frame's (key) order."""
        found = [self.positions[v] for v in values if v in self.positions]
        pos = np.unique(np.concatenate(found)) if found else np.array([], dtype=np.intp)
        return self.frame.iloc[pos].reset_index(drop=True)


@dataclass(frozen=True)
class SharedInputs:
    """What every report of a store reads alike: the sender block, the CRS, the shared
    layers (:data:`SHARED`) and their fingerprints (hashed once)."""

    crs: str
    sender: Mapping[str, str]
    frames: Mapping[str, pd.DataFrame]
    prints: Mapping[str, str]


def read_shared(store: Store, *, catalogue: Catalogue, registry: Registry) -> SharedInputs:
    """Read the layers every report shares and hash them (once per batch or process)."""
    frames = read_shared_frames(store, catalogue=catalogue, registry=registry)
    return SharedInputs(
        crs=store.crs.to_string(),
        sender=read_sender(store),
        frames=frames,
        prints=shared_fingerprints(frames),
    )


class BatchInputs:
    """The report inputs of all (or some) Gesamtmaßnahmen of a store, read once.

    Parameters
    ----------
    store
        The store to read (read only; the object holds frames, not the connection).
    user
        The acting user (needs the right to read).
    catalogue, registry
        The report catalogue and the indicator definitions (which indicators to read).
    area_ids
        Read only these funding areas' records (all when None).
    shared
        The shared layers, if already read (:func:`read_shared`); read here when None.

    Raises
    ------
    PermissionDenied
        Without the right to read.
    """

    def __init__(
        self,
        store: Store,
        user: User,
        *,
        catalogue: Catalogue,
        registry: Registry,
        area_ids: Sequence[str] | None = None,
        shared: SharedInputs | None = None,
    ) -> None:
        require(user, "read")
        self.shared = shared or read_shared(store, catalogue=catalogue, registry=registry)
        some = area_ids is not None

        def where(column: str, values: Iterable[Any]) -> dict[str, list[Any]] | None:
            return {column: list(values)} if some else None

        ids = list(area_ids or [])
        self.funding_areas = store.read("funding_areas", where=where("id", ids))
        self._area_rows = _Slicer(self.funding_areas, "id")
        measures = store.read("measures", where=where("funding_area_id", ids))
        measures = pd.DataFrame(measures.drop(columns="geometry"))
        self._measures = _Slicer(measures, "funding_area_id")
        measure_ids = measures["id"].tolist()
        self._by_measure = {
            name: _Slicer(store.read(name, where=where("measure_id", measure_ids)), "measure_id")
            for name in ("measure_fields", "measure_outputs", "funding_lines")
        }
        self._own: dict[str, _Slicer] = {}
        for name, columns in (
            ("local_funds", None),
            ("bodies", None),
            ("actors", ACTOR_COLUMNS),
            ("concepts", None),
            ("projects", None),
            ("activities", None),
        ):
            frame = store.read(name, where=where("funding_area_id", ids), columns=columns)
            if name == "activities":
                frame = pd.DataFrame(frame.drop(columns="geometry"))
            self._own[name] = _Slicer(frame, "funding_area_id")
        bodies = self._own["bodies"].frame["id"].tolist()
        participation = store.read(
            "participation",
            where={"target_kind": "body"} | (where("target_id", bodies) or {}),
        )
        self._participation = _Slicer(participation, "target_id")
        funds = self._own["local_funds"].frame["id"].tolist()
        self._fund_income = _Slicer(
            store.read("fund_income", where=where("fund_id", funds)), "fund_id"
        )
        self._fund_decisions = _Slicer(
            store.read("fund_decisions", where=where("fund_id", funds)), "fund_id"
        )
        concepts = self._own["concepts"].frame["id"].tolist()
        self._goals = _Slicer(
            store.read("goals", where=where("concept_id", concepts)), "concept_id"
        )

    @property
    def area_ids(self) -> list[str]:
        """The ids of the funding areas read, in id order."""
        return sorted(str(a) for a in self.funding_areas["id"])

    def inputs(self, area_id: str) -> ReportInputs:
        """Return the inputs of one funding area (what ``read_inputs`` would read).

        Raises
        ------
        NotFound
            For a funding area that was not read (the message lists the known ones).
        """
        if area_id not in self._area_rows.positions:
            raise NotFound(
                f"die Gesamtmaßnahme „{area_id}“ gibt es nicht; bekannt sind: "
                f"{', '.join(self.area_ids) or 'keine'} (qmon layers zeigt, was gespeichert ist)"
            )
        row = self._area_rows.rows([area_id])
        area = editing.row_dict(row) | {"geometry": row.geometry.iloc[0]}
        ms = self._measures.rows([area_id])
        ids = ms["id"].tolist()
        own = {name: s.rows([area_id]) for name, s in self._own.items()}
        funds = own["local_funds"]["id"].tolist()
        shared = self.shared.frames
        frames: dict[str, pd.DataFrame] = {
            "programmes": shared["programmes"],
            "fields_of_action": shared["fields_of_action"],
            "measures": ms,
            "measure_fields": self._by_measure["measure_fields"].rows(ids),
            "measure_outputs": self._by_measure["measure_outputs"].rows(ids),
            "funding_lines": self._by_measure["funding_lines"].rows(ids),
            "indicator_values": shared["indicator_values"],
            "areas": shared["areas"],
            "actors": own["actors"],
            "bodies": own["bodies"],
            "participation": self._participation.rows(own["bodies"]["id"].tolist()),
            "local_funds": own["local_funds"],
            "fund_income": self._fund_income.rows(funds),
            "fund_decisions": self._fund_decisions.rows(funds),
            "activities": own["activities"],
            "projects": own["projects"],
            "concepts": own["concepts"],
            "goals": self._goals.rows(own["concepts"]["id"].tolist()),
        }
        return ReportInputs(
            area=area,
            crs=self.shared.crs,
            frames=frames,
            sender=dict(self.shared.sender),
            known_prints=dict(self.shared.prints),
        )
