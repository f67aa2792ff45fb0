"""The Kosten- und Finanzierungsübersicht (KuF) of a Gesamtmaßnahme, computed, never typed.

Costs come from the funding lines of the area's measures, each under the cost group of
its line (when the line names one) or else of its measure; revenues from the area's
revenue rows; financing by source and programme year from the same funding lines through
:func:`monitoring.renewal.progress.funding_by_year`, the function the federal report's
input part (B) uses, so both agree to the cent by construction.

A KuF is plain data (:class:`Kuf`); :func:`Kuf.to_dict` and :func:`kuf_from_dict` freeze it
into a version (``kuf_versions``) and read it back.

Notes
-----
For cost group g, programme year y and amount a ∈ {planned, approved, paid}:
cost(g, y, a) = Σ a(line) over the lines l with group(l) = g and year(l) = y, where
group(l) = resolve(l.cost_group or measure(l).cost_group). Σ_g cost(g, y, a) =
Σ_s financing(s, y, a): every line is one source's money for one group and year.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from monitoring.editing import plain
from monitoring.grants.cost_groups import UNASSIGNED, CostCatalogue
from monitoring.renewal import progress
from monitoring.renewal.funding import AMOUNTS, SOURCES

FORMAT_VERSION = 1
REVENUE_AMOUNTS: tuple[str, ...] = ("planned", "actual")
REVENUE_LABELS: Mapping[str, str] = {"planned": "geplant", "actual": "eingegangen"}


def _money(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    out = frame.copy()
    for c in columns:
        out[c] = pd.to_numeric(out[c], errors="coerce").fillna(0.0).astype(float)
    return out


def assign_groups(
    lines: pd.DataFrame, measures: pd.DataFrame, catalogue: CostCatalogue
) -> pd.DataFrame:
    """Return the funding lines with ``cost_group`` resolved (line's own, else its measure's).

    Examples
    --------
    >>> from monitoring.grants.cost_groups import load_cost_catalogue
    >>> lines = pd.DataFrame({"measure_id": ["M1", "M1", "M2"], "cost_group": [None, "bau", None]})
    >>> ms = pd.DataFrame({"id": ["M1", "M2"], "cost_group": ["vorbereitung", None]})
    >>> assign_groups(lines, ms, load_cost_catalogue())["cost_group"].tolist()
    ['vorbereitung', 'bau', 'ohne_kostengruppe']
    """
    own = lines["cost_group"] if "cost_group" in lines else pd.Series(None, index=lines.index)
    of_measure = dict(zip(measures["id"], measures.get("cost_group", pd.Series(dtype=object))))
    chosen = [
        o if isinstance(o, str) and o.strip() else of_measure.get(m)
        for o, m in zip(own, lines["measure_id"])
    ]
    out = lines.copy()
    out["cost_group"] = [catalogue.resolve(k) for k in chosen]
    return out


@dataclass(frozen=True)
class Kuf:
    """A computed KuF: costs, revenues and financing, long tables with plain columns.

    ``costs``: cost_group, programme_year, planned, approved, paid (every group of the
    catalogue with money, in catalogue order, then ``ohne_kostengruppe``).
    ``revenues``: kind, year, planned, actual. ``financing``: source, programme_year,
    planned, approved, paid (as :func:`progress.funding_by_year`, without running totals).
    ``measures``: one row per measure with its cost group and summed amounts.
    """

    area_id: str
    area_name: str
    catalogue_name: str
    catalogue_version: str
    catalogue_note: str
    group_titles: Mapping[str, str]
    revenue_titles: Mapping[str, str]
    costs: pd.DataFrame
    revenues: pd.DataFrame
    financing: pd.DataFrame
    measures: pd.DataFrame
    fingerprint: str
    year: int | None = None
    frozen: Mapping[str, Any] = field(default_factory=dict)
    detail: pd.DataFrame = field(default_factory=pd.DataFrame)
    """measure_id, title, cost_group, programme_year, source, planned, approved, paid."""

    # --- derived tables -----------------------------------------------------------

    def years(self) -> list[int]:
        """Every programme year with money or revenue, ascending."""
        ys = set(self.costs["programme_year"].astype(int)) | set(self.revenues["year"].astype(int))
        return sorted(ys)

    def cost_matrix(self, amount: str = "planned") -> pd.DataFrame:
        """Cost group (title) × programme year of one amount, with the column and row ``Summe``."""
        return _matrix(
            self.costs, "cost_group", "programme_year", amount, self.group_titles, self.years()
        )

    def revenue_matrix(self, amount: str = "planned") -> pd.DataFrame:
        """Revenue kind (title) × year of one amount (planned or actual), with sums."""
        return _matrix(self.revenues, "kind", "year", amount, self.revenue_titles, self.years())

    def financing_matrix(self, amount: str = "planned") -> pd.DataFrame:
        """Source × programme year of one amount, with sums."""
        titles = {s: s for s in SOURCES}
        return _matrix(
            self.financing, "source", "programme_year", amount, titles, self.years(), keep=SOURCES
        )

    def annex(self, year: int, amount: str = "planned") -> pd.DataFrame:
        """The financial annex of an application for programme ``year``.

        One row per measure with money in that year (ID, title, cost group title) and one
        column per source of ``amount``, then ``Summe``; a last row ``Summe``.
        """
        mine = self.detail[self.detail["programme_year"].astype(int) == int(year)]
        columns = ["Maßnahme", "Titel", "Kostengruppe", *SOURCES, "Summe"]
        if mine.empty:
            return pd.DataFrame(columns=columns)
        table = mine.pivot_table(
            index=["measure_id", "title", "cost_group"],
            columns="source",
            values=amount,
            aggfunc="sum",
            fill_value=0.0,
        ).reindex(columns=list(SOURCES), fill_value=0.0)
        table["Summe"] = table.sum(axis=1)
        table = table.reset_index()
        order = {k: i for i, k in enumerate(self.group_titles)}
        table = table.sort_values(
            ["cost_group", "measure_id"],
            key=lambda s: s.map(order) if s.name == "cost_group" else s,
        )
        table["cost_group"] = [self.group_titles.get(k, k) for k in table["cost_group"]]
        table.columns = columns
        sums = {c: round(float(table[c].sum()), 2) for c in [*SOURCES, "Summe"]}
        table.loc[len(table)] = {"Maßnahme": "Summe", "Titel": "", "Kostengruppe": "", **sums}
        return table.reset_index(drop=True).round(2)

    def totals(self) -> dict[str, float]:
        """The headline sums: costs, revenues and financing per amount, and the net costs.

        ``net_planned`` = planned costs − planned revenues: what the sources must cover.
        """
        out: dict[str, float] = {}
        for a in AMOUNTS:
            out[f"costs_{a}"] = _cents(self.costs[a].sum())
            out[f"financing_{a}"] = _cents(self.financing[a].sum())
        for a in REVENUE_AMOUNTS:
            out[f"revenues_{a}"] = _cents(self.revenues[a].sum())
        out["net_planned"] = _cents(out["costs_planned"] - out["revenues_planned"])
        out["public_planned"] = _cents(
            self.financing.loc[self.financing["source"].isin(SOURCES[:3]), "planned"].sum()
        )
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (for a frozen version)."""
        return {
            "format_version": FORMAT_VERSION,
            "area_id": self.area_id,
            "area_name": self.area_name,
            "catalogue": {
                "name": self.catalogue_name,
                "version": self.catalogue_version,
                "note": self.catalogue_note,
            },
            "group_titles": dict(self.group_titles),
            "revenue_titles": dict(self.revenue_titles),
            "year": self.year,
            "fingerprint": self.fingerprint,
            "costs": _records(self.costs),
            "revenues": _records(self.revenues),
            "financing": _records(self.financing),
            "measures": _records(self.measures),
            "detail": _records(self.detail),
        }


def _cents(value: Any) -> float:
    return round(float(value), 2) + 0.0


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as plain JSON-able values (:func:`monitoring.editing.plain`)."""
    return [{str(k): plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _matrix(
    long: pd.DataFrame,
    row: str,
    col: str,
    amount: str,
    titles: Mapping[str, str],
    years: list[int],
    *,
    keep: tuple[str, ...] = (),
) -> pd.DataFrame:
    table = long.pivot_table(index=row, columns=col, values=amount, aggfunc="sum", fill_value=0.0)
    present = set(table.index)
    order = [k for k in titles if k in present or k in keep]
    order += sorted(present - set(order))
    table = table.reindex(index=order, columns=years, fill_value=0.0).astype(float)
    table.columns = [int(c) for c in table.columns]
    table["Summe"] = table.sum(axis=1)
    table.loc["Summe"] = table.sum(axis=0)
    table.index = [titles.get(k, k) if k != "Summe" else "Summe" for k in table.index]
    return table.round(2)


def fingerprint(
    area_id: str,
    measures: pd.DataFrame,
    lines: pd.DataFrame,
    revenues: pd.DataFrame,
    catalogue: CostCatalogue,
) -> str:
    """SHA-256 over the rows a KuF is made from (canonical JSON), and the catalogue used."""

    def rows(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
        have = [c for c in columns if c in frame.columns]
        return _records(frame[have].sort_values(have[0]) if len(frame) else frame[have])

    payload = {
        "area": area_id,
        "catalogue": [catalogue.name, catalogue.version],
        "measures": rows(measures, ["id", "cost_group"]),
        "lines": rows(
            lines,
            ["id", "measure_id", "source", "programme_year", "cost_group", *AMOUNTS],
        ),
        "revenues": rows(revenues, ["id", "kind", "year", "planned", "actual"]),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compute_kuf(
    area: Mapping[str, Any],
    measures: pd.DataFrame,
    lines: pd.DataFrame,
    revenues: pd.DataFrame,
    catalogue: CostCatalogue,
    *,
    year: int | None = None,
) -> Kuf:
    """Compute the KuF of one Gesamtmaßnahme from its stored rows.

    Parameters
    ----------
    area
        The funding area (``id``, ``name``).
    measures
        Its measures (``id``, ``title``, ``cost_group``).
    lines
        The funding lines of those measures.
    revenues
        Its revenue rows (``kind``, ``year``, ``planned``, ``actual``).
    catalogue
        The cost groups (:func:`monitoring.grants.cost_groups.catalogue_for`).
    year
        Leave out programme years after this one (None: all).

    Examples
    --------
    >>> from monitoring.grants.cost_groups import load_cost_catalogue
    >>> ms = pd.DataFrame({"id": ["M1"], "title": ["Platz"], "cost_group": ["oeffentlicher_raum"]})
    >>> lines = pd.DataFrame({"id": ["F1", "F2"], "measure_id": ["M1", "M1"],
    ...     "source": ["Bund", "Gemeinde"], "programme_year": [2024, 2024],
    ...     "planned": [100.0, 50.0], "approved": [100.0, 50.0], "paid": [10.0, 0.0]})
    >>> rev = pd.DataFrame({"id": ["E1"], "kind": ["ausgleichsbetraege"], "year": [2024],
    ...     "planned": [20.0], "actual": [None]})
    >>> k = compute_kuf({"id": "A", "name": "Altstadt"}, ms, lines, rev, load_cost_catalogue())
    >>> float(k.cost_matrix("planned").loc["5 Öffentlicher Raum", 2024])
    150.0
    >>> k.totals()["net_planned"], k.totals()["financing_paid"]
    (130.0, 10.0)
    """
    lines = _money(lines, AMOUNTS)
    lines = lines[lines["measure_id"].isin(measures["id"])]
    if year is not None:
        lines = lines[pd.to_numeric(lines["programme_year"]) <= int(year)]
    revenues = _money(revenues, REVENUE_AMOUNTS)
    if year is not None:
        revenues = revenues[pd.to_numeric(revenues["year"]) <= int(year)]
    grouped = assign_groups(lines, measures, catalogue)
    grouped["programme_year"] = pd.to_numeric(grouped["programme_year"]).astype(int)
    titles = {g.key: g.title for g in catalogue.cost_groups}
    titles[UNASSIGNED] = catalogue.label(UNASSIGNED)
    costs = (
        grouped.groupby(["cost_group", "programme_year"], sort=False)[list(AMOUNTS)]
        .sum()
        .reset_index()
    )
    order = {k: i for i, k in enumerate(titles)}
    costs = costs.sort_values(
        ["cost_group", "programme_year"],
        key=lambda s: s.map(order) if s.name == "cost_group" else s,
    ).reset_index(drop=True)
    rev = revenues.copy()
    rev["kind"] = [catalogue.resolve_revenue(k) for k in rev["kind"]]
    rev["year"] = pd.to_numeric(rev["year"]).astype(int)
    rev_sums = rev.groupby(["kind", "year"], sort=True)[list(REVENUE_AMOUNTS)].sum().reset_index()
    by_year = progress.funding_by_year(lines, year=year)
    financing = by_year[["source", "programme_year", *AMOUNTS]].reset_index(drop=True)
    per_measure = grouped.groupby("measure_id")[list(AMOUNTS)].sum()
    titles_of = dict(zip(measures["id"], measures["title"]))
    detail = (
        grouped.groupby(["measure_id", "cost_group", "programme_year", "source"], sort=True)[
            list(AMOUNTS)
        ]
        .sum()
        .reset_index()
    )
    detail.insert(1, "title", [titles_of.get(m, m) for m in detail["measure_id"]])
    measure_rows = measures[["id", "title"]].copy()
    chosen = assign_groups(
        pd.DataFrame({"measure_id": measures["id"], "cost_group": None}), measures, catalogue
    )["cost_group"]
    measure_rows["cost_group"] = chosen.to_numpy()
    measure_rows = measure_rows.join(per_measure, on="id").fillna({a: 0.0 for a in AMOUNTS})
    measure_rows = measure_rows[measure_rows["id"].isin(per_measure.index)]
    measure_rows = measure_rows.sort_values(
        ["cost_group", "id"], key=lambda s: s.map(order) if s.name == "cost_group" else s
    ).reset_index(drop=True)
    return Kuf(
        area_id=str(area["id"]),
        area_name=str(area.get("name") or area["id"]),
        catalogue_name=catalogue.name,
        catalogue_version=catalogue.version,
        catalogue_note=catalogue.note,
        group_titles=titles,
        revenue_titles={g.key: g.title for g in catalogue.revenues},
        costs=costs,
        revenues=rev_sums,
        financing=financing,
        measures=measure_rows,
        fingerprint=fingerprint(str(area["id"]), measures, lines, revenues, catalogue),
        year=year,
        detail=detail,
    )


def kuf_from_dict(data: Mapping[str, Any]) -> Kuf:
    """Read back a frozen KuF (:meth:`Kuf.to_dict`)."""
    if data.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"Die gespeicherte KuF hat die Formatversion {data.get('format_version')!r}; "
            f"lesbar ist Version {FORMAT_VERSION}"
        )

    def frame(name: str, columns: list[str]) -> pd.DataFrame:
        rows = data.get(name) or []
        return pd.DataFrame(rows, columns=columns if not rows else None)

    cat = data.get("catalogue", {})
    return Kuf(
        area_id=str(data["area_id"]),
        area_name=str(data.get("area_name", data["area_id"])),
        catalogue_name=str(cat.get("name", "")),
        catalogue_version=str(cat.get("version", "")),
        catalogue_note=str(cat.get("note", "")),
        group_titles=dict(data.get("group_titles", {})),
        revenue_titles=dict(data.get("revenue_titles", {})),
        costs=frame("costs", ["cost_group", "programme_year", *AMOUNTS]),
        revenues=frame("revenues", ["kind", "year", *REVENUE_AMOUNTS]),
        financing=frame("financing", ["source", "programme_year", *AMOUNTS]),
        measures=frame("measures", ["id", "title", "cost_group", *AMOUNTS]),
        fingerprint=str(data.get("fingerprint", "")),
        year=data.get("year"),
        frozen=dict(data.get("frozen", {})),
        detail=frame(
            "detail",
            ["measure_id", "title", "cost_group", "programme_year", "source", *AMOUNTS],
        ),
    )
