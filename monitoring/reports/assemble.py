"""Assemble the federal report of one Gesamtmaßnahme and year from its stored rows (pure).

Each catalogue entry becomes one section; its source (an aggregation) is computed by
the same functions the progress report uses, so the report never computes money or
measures a second way:

- money: :func:`monitoring.renewal.progress.funding_by_year` and
  :func:`monitoring.renewal.progress.funding_totals`;
- measures and outputs: :func:`monitoring.renewal.progress.measures_by_field`,
  :func:`monitoring.renewal.progress.outputs_delivered`,
  :func:`monitoring.renewal.progress.measures_by_status`;
- context: :func:`monitoring.renewal.comparison.area_vs_rest` (areal weighting of the
  statistical areas' counts onto the funding area, rates from summed numerators and
  denominators), then :func:`indicators.disclosure.suppress`;
- quarter management: :func:`monitoring.neighbourhood.activities.activities_by_year`,
  :func:`monitoring.neighbourhood.projects.projects_by_status`.

A value that is missing carries its reason (:data:`~monitoring.reports.report.REASONS`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo import german
from indicators.disclosure import FLAG_SUPPRESSED, suppress
from indicators.errors import IndicatorError
from indicators.registry import Registry
from monitoring.grants.cost_groups import UNASSIGNED, catalogue_for
from monitoring.grants.kuf import compute_kuf
from monitoring.messages import render
from monitoring.neighbourhood import activities, projects
from monitoring.neighbourhood.actors import ACTOR_TYPES
from monitoring.neighbourhood.funds import PUBLIC_SOURCE
from monitoring.renewal import comparison, progress
from monitoring.renewal.funding import AMOUNT_LABELS, SOURCES
from monitoring.renewal.measures import completed_and_running
from monitoring.reports.catalogue import Catalogue, Entry
from monitoring.reports.errors import ReportError, ReportOptionError
from monitoring.reports.inputs import ReportInputs, fingerprint, fingerprints
from monitoring.reports.report import AreaMap, Chart, Part, Report, Row, Section

NOT_REPORTED = "nicht gemeldet"
SUPPRESSED = "unterdrückt"
NOT_APPLICABLE = "entfällt"
"""Statuses of a measure that has been carried out (at least begun)."""
YEAR_RANGE = (1971, 2100)

CHANGE_UNIT = {"%": "Prozentpunkte"}
LINE_HEADERS: Mapping[str, str] = {
    "funds.sources": "Mittelgeber",
    "funds.programme_years": "Programmjahr",
    "funds.cost_groups": "Kostengruppe",
    "measures.fields": "Handlungsfeld",
    "measures.outputs": "Handlungsfeld: Output",
    "context.compare": "Indikator (Einheit)",
    "participation.bodies": "Gremium",
    "participation.funds": "Fonds",
    "participation.activities": "Art der Aktivität",
}
CONTEXT_COLUMNS = (
    ("as_of", "Stand"),
    ("area", "Gebiet"),
    ("city", "Stadt"),
    ("base_year", "Basis"),
    ("change_area", "Veränd. Gebiet"),
    ("change_city", "Veränd. Stadt"),
)
CONTEXT_LABELS: Mapping[str, str] = {
    "as_of": "Stand (Jahr)",
    "area": "Fördergebiet",
    "city": "Gesamtstadt",
    "base_year": "Basisjahr der Veränderung",
    "change_area": "Veränderung im Fördergebiet seit dem Basisjahr",
    "change_city": "Veränderung in der Gesamtstadt seit dem Basisjahr",
}
"""Columns of a context grid: Gebiet = Fördergebiet, Stadt = Gesamtstadt, Veränd. = change
since the base year (in percentage points for shares and rates)."""


def slug(text: object) -> str:
    """Return a field-code part for a label (ASCII lower case, ``_`` for the rest).

    Examples
    --------
    >>> slug("andere Programme"), slug("Öffentlicher Raum/Grün"), slug(2024)
    ('andere_programme', 'oeffentlicher_raum_gruen', '2024')
    """
    text = str(text).lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_") or "x"


def check_year(year: Any) -> int:
    """Return the reporting year as int, or raise ReportOptionError.

    Examples
    --------
    >>> check_year("2024")
    2024
    >>> check_year(1900)
    Traceback (most recent call last):
    ...
    monitoring.reports.errors.ReportOptionError: Das Berichtsjahr 1900 liegt außerhalb von \
1971–2100; geben Sie das Haushaltsjahr an, über das berichtet wird, z. B. --year 2024
    """
    try:
        value = int(year)
    except (TypeError, ValueError):
        raise ReportOptionError(render("report.year_not_a_year", year=year)) from None
    if not YEAR_RANGE[0] <= value <= YEAR_RANGE[1]:
        raise ReportOptionError(
            render("report.year_out_of_range", year=value, first=YEAR_RANGE[0], last=YEAR_RANGE[1])
        )
    return value


@dataclass
class _Context:
    """What the sources of one report share (computed once per report)."""

    inputs: ReportInputs
    year: int
    catalogue: Catalogue
    registry: Registry
    comparisons: dict[str, pd.DataFrame | str]
    disclosed: dict[str, pd.DataFrame] = field(default_factory=dict)
    _weights: list[pd.Series] = field(default_factory=list)

    @property
    def area(self) -> Mapping[str, Any]:
        return self.inputs.area

    def weights(self) -> pd.Series:
        """The overlap of each statistical area with the funding area (computed once)."""
        if not self._weights:
            self._weights.append(
                comparison.overlap_weights(self.inputs["areas"], self.area["geometry"])
            )
        return self._weights[0]

    def comparison(self, key: str) -> pd.DataFrame | str:
        """The area-vs-rest frame of an indicator, or why there is none (cached)."""
        if key not in self.comparisons:
            values = self.inputs["indicator_values"]
            areas = self.inputs["areas"]
            try:
                if areas.empty:
                    raise IndicatorError(render("report.no_statistical_areas"))
                self.comparisons[key] = comparison.area_vs_rest(
                    values,
                    areas,
                    self.area["geometry"],
                    key,
                    registry=self.registry,
                    weights=self.weights(),
                )
            except IndicatorError as exc:
                self.comparisons[key] = str(exc)
        return self.comparisons[key]


def assemble(
    inputs: ReportInputs,
    *,
    year: int,
    catalogue: Catalogue,
    registry: Registry,
    generated_at: str,
) -> Report:
    """Compute the report of the funding area in ``inputs`` for the reporting ``year``.

    Parameters
    ----------
    inputs
        The stored rows (:func:`monitoring.reports.inputs.read_inputs`).
    year
        The reporting year (usually the previous budget year).
    catalogue
        Which source fills which field.
    registry
        The indicator definitions (labels, units, numerators and denominators).
    generated_at
        When the report is made (ISO text; shown, not fingerprinted).

    Returns
    -------
    Report
        Parts A, B, C, D and BI with one section per catalogue entry, the charts of
        the main series, the cover map and the fingerprints of the inputs.

    Raises
    ------
    ReportOptionError
        For a year outside 1971–2100.
    ReportError
        When the storage CRS is not projected (the size in ha needs metres).
    """
    year = check_year(year)
    ctx = _Context(inputs, year, catalogue, registry, {})
    parts = tuple(
        Part(key, catalogue.parts[key], tuple(_section(ctx, e) for e in catalogue.entries_of(key)))
        for key in catalogue.parts
        if catalogue.entries_of(key)
    )
    prints = fingerprints(inputs, year=year, catalogue=catalogue, registry=registry)
    programme = _programme_name(inputs)
    return Report(
        area_id=str(inputs.area["id"]),
        area_name=str(inputs.area.get("name") or inputs.area["id"]),
        ags=inputs.area.get("ags"),
        programme=programme,
        year=year,
        catalogue=catalogue.name,
        catalogue_version=catalogue.version,
        generated_at=generated_at,
        fingerprint=fingerprint(prints),
        input_fingerprints=prints,
        parts=parts,
        charts=_charts(ctx),
        area_map=_area_map(ctx),
        notes=_notes(ctx),
        sender=dict(inputs.sender),
        warnings=year_warnings(inputs.area, year),
        catalogue_note=catalogue.note,
    )


def year_warnings(area: Mapping[str, Any], year: int) -> tuple[str, ...]:
    """Warn when the reporting year lies before the area's admission year (Aufnahmejahr).

    Examples
    --------
    >>> print(*year_warnings({"id": "SSZ-01", "start_year": 2016}, 2015))
    Das Berichtsjahr 2015 liegt vor dem Aufnahmejahr 2016 der Gesamtmaßnahme SSZ-01: sie war \
in diesem Jahr noch nicht im Programm; wählen Sie ein Berichtsjahr ab 2016.
    >>> year_warnings({"id": "SSZ-01", "start_year": 2016}, 2016), year_warnings({"id": "x"}, 1999)
    ((), ())
    """
    start: Any = area.get("start_year")
    if german.is_missing(start) or int(start) <= int(year):
        return ()
    return (
        f"Das Berichtsjahr {year} liegt vor dem Aufnahmejahr {int(start)} der Gesamtmaßnahme "
        f"{area.get('id')}: sie war in diesem Jahr noch nicht im Programm; wählen Sie ein "
        f"Berichtsjahr ab {int(start)}.",
    )


def _section(ctx: _Context, entry: Entry) -> Section:
    """Fill one catalogue entry."""
    source = entry.source
    if source.startswith("area."):
        return Section(entry.code, entry.label, number_rows(entry.code, [_area_row(ctx, entry)]))
    builder = _BUILDERS[source]
    rows, note = builder(ctx, entry)
    header = LINE_HEADERS.get(source, "")
    if source.startswith("measures.") and entry.option("group") == "federal_category":
        header = header.replace("Handlungsfeld", "Bundeskategorie")
    if source == "measures.outputs" and entry.option("quantities"):
        header = "Output"
    return Section(entry.code, entry.label, number_rows(entry.code, rows), note, header)


def number_rows(code: str, rows: list[Row]) -> tuple[Row, ...]:
    """Give the rows of a section their field numbers in the catalogue's numbering.

    A section of one field is numbered with the catalogue code itself (``A.5``); the
    lines of a table are numbered below it in their order (``B.1.1``, ``B.1.2`` …; all
    cells of one line share its number), as are the rows of a list.

    Examples
    --------
    >>> rows = [Row("B.1.bund.planned", "", 1.0, "€", line="Bund", column="Geplant"),
    ...         Row("B.1.bund.paid", "", 0.5, "€", line="Bund", column="Ausgezahlt"),
    ...         Row("B.1.land.planned", "", 2.0, "€", line="Land", column="Geplant")]
    >>> [r.number for r in number_rows("B.1", rows)]
    ['B.1.1', 'B.1.1', 'B.1.2']
    >>> [r.number for r in number_rows("A.5", [Row("A.5", "Größe", 3.0, "ha")])]
    ['A.5']
    >>> [r.number for r in number_rows("C.6", [Row("C.6.a", "a", 1), Row("C.6.b", "b", 2)])]
    ['C.6.1', 'C.6.2']
    """
    if len(rows) == 1 and not rows[0].column:
        return (replace(rows[0], number=code),)
    if any(r.column for r in rows):
        lines = {line: k for k, line in enumerate(dict.fromkeys(r.line for r in rows), start=1)}
        return tuple(replace(r, number=f"{code}.{lines[r.line]}") for r in rows)
    return tuple(replace(r, number=f"{code}.{k}") for k, r in enumerate(rows, start=1))


# --- A: the Gesamtmaßnahme --------------------------------------------------------------


def _programme_name(inputs: ReportInputs) -> str | None:
    pid = inputs.area.get("programme_id")
    names = dict(zip(inputs["programmes"]["id"], inputs["programmes"]["name"]))
    return None if pid is None else str(names.get(pid, pid))


def size_ha(geometry: Any, crs: str) -> float:
    """Return the area of a polygon in hectares; the CRS must be projected (metres).

    Examples
    --------
    >>> size_ha(shapely.box(0, 0, 200, 500), "EPSG:25832")
    10.0
    """
    parsed = CRS.from_user_input(crs)
    if not parsed.is_projected:
        raise ReportError(render("report.geographic_crs", crs=crs))
    factor = parsed.axis_info[0].unit_conversion_factor if parsed.axis_info else 1.0
    return float(shapely.area(geometry)) * factor * factor / 10_000.0


def _area_row(ctx: _Context, entry: Entry) -> Row:
    name = entry.source.removeprefix("area.")
    if name == "size_ha":
        geom = ctx.area.get("geometry")
        if geom is None or geom.is_empty:
            return Row(entry.code, entry.label, None, "ha", reason=NOT_REPORTED)
        return Row(
            entry.code, entry.label, round(size_ha(geom, ctx.inputs.crs), 2), "ha", decimals=2
        )
    value: Any = _programme_name(ctx.inputs) if name == "programme" else ctx.area.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return Row(entry.code, entry.label, None, reason=NOT_REPORTED)
    if name in ("start_year", "expected_end"):
        return Row(entry.code, entry.label, int(value), "Jahr")
    return Row(entry.code, entry.label, str(value))


# --- B: money -----------------------------------------------------------------------------


def _lines(ctx: _Context) -> pd.DataFrame:
    return ctx.inputs["funding_lines"]


def _money_rows(
    code: str, frame: pd.DataFrame, amounts: list[str], *, labels: Mapping[Any, str]
) -> list[Row]:
    """Grid rows: one line per index entry of ``frame``, one column per amount."""
    out = []
    for key, row in frame.iterrows():
        for amount in amounts:
            out.append(
                Row(
                    f"{code}.{slug(key)}.{amount}",
                    f"{labels.get(key, key)}, {AMOUNT_LABELS[amount]}",
                    round(float(row[amount]), 2),
                    "€",
                    line=str(labels.get(key, key)),
                    column=AMOUNT_LABELS[amount].capitalize(),
                )
            )
    return out


def _funds_sources(ctx: _Context, entry: Entry) -> tuple[list[Row], str]:
    amounts = list(entry.option("amounts", ["planned", "approved", "paid"]))
    scope = entry.option("scope", "year")
    lines = _lines(ctx)
    if lines.empty:
        return _missing(entry, "Mittelgeber", NOT_REPORTED), "keine Finanzierung erfasst"
    if scope == "year":
        mine = lines[pd.to_numeric(lines["programme_year"]) == ctx.year]
        totals = progress.funding_totals(mine)
        note = f"Programmjahr {ctx.year}"
    else:
        totals = progress.funding_totals(lines, year=ctx.year)
        note = f"Programmjahre bis einschließlich {ctx.year}"
    return _money_rows(entry.code, totals, amounts, labels={}), note


def _funds_cost_groups(ctx: _Context, entry: Entry) -> tuple[list[Row], str]:
    """Costs by the cost groups of the area's KuF: the very figures of the KuF.

    The KuF is computed by :func:`monitoring.grants.kuf.compute_kuf` with the catalogue of
    the area's Land, from the same funding lines as B.1/B.2; its financing is
    :func:`monitoring.renewal.progress.funding_by_year`, the computation behind B.1–B.4.
    """
    amounts = list(entry.option("amounts", ["planned", "approved", "paid"]))
    scope = entry.option("scope", "cumulated")
    lines = _lines(ctx)
    if lines.empty:
        return _missing(entry, "Kostengruppe", NOT_REPORTED), "keine Finanzierung erfasst"
    area = ctx.inputs.area
    catalogue = catalogue_for(area.get("ags"))
    no_revenues = pd.DataFrame(columns=["id", "kind", "year", "planned", "actual"])
    kuf = compute_kuf(area, ctx.inputs["measures"], lines, no_revenues, catalogue, year=ctx.year)
    costs = kuf.costs
    if scope == "year":
        costs = costs[costs["programme_year"] == ctx.year]
        note = f"KuF, Programmjahr {ctx.year}"
    else:
        note = f"KuF, Programmjahre bis einschließlich {ctx.year}"
    keys = [g.key for g in catalogue.cost_groups]
    if (costs["cost_group"] == UNASSIGNED).any():
        keys.append(UNASSIGNED)
    sums = costs.groupby("cost_group")[amounts].sum().reindex(keys, fill_value=0.0)
    sums.loc["Summe"] = sums.sum()
    # the label without the KuF's number: "3.1" would read as a decimal point in a report
    labels = {g.key: g.label for g in catalogue.cost_groups}
    labels[UNASSIGNED] = catalogue.label(UNASSIGNED)
    rows = _money_rows(entry.code, sums, amounts, labels=labels)
    return rows, f"{note}; Gliederung: {catalogue.name}"


def _funds_years(ctx: _Context, entry: Entry) -> tuple[list[Row], str]:
    amounts = list(entry.option("amounts", ["planned", "approved", "paid"]))
    sources = list(entry.option("sources", SOURCES))
    lines = _lines(ctx)
    mine = lines[lines["source"].isin(sources)]
    what = ", ".join(sources)
    if mine.empty:
        return _missing(entry, "Programmjahr", NOT_REPORTED), f"keine Mittel von {what} erfasst"
    by_year = progress.funding_by_year(mine, year=ctx.year)
    if by_year.empty:
        return (
            _missing(entry, "Programmjahr", NOT_REPORTED),
            f"keine Mittel von {what} bis {ctx.year}",
        )
    sums = by_year.groupby("programme_year")[amounts].sum()
    sums.index = sums.index.astype(int)
    sums.loc["Summe"] = sums.sum()
    return _money_rows(entry.code, sums, amounts, labels={}), f"Mittelgeber: {what}"


# --- C: measures ---------------------------------------------------------------------------


def _year_measures(ctx: _Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the measures completed in, and those running in, the reporting year."""
    return completed_and_running(ctx.inputs["measures"], ctx.year)


def _grouping(ctx: _Context, group: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (measure links, groups with id and name) for fields or federal categories."""
    links = ctx.inputs["measure_fields"]
    fields = ctx.inputs["fields_of_action"]
    if group == "field":
        order = fields.sort_values(["sort", "name"], na_position="last")
        return links, order[["id", "name"]]
    cats = dict(zip(fields["id"], fields["federal_category"].fillna("Sonstiges")))
    mapped = pd.DataFrame(
        {
            "measure_id": links["measure_id"],
            "field_id": [cats.get(f, "Sonstiges") for f in links["field_id"]],
        }
    ).drop_duplicates()
    names = sorted(set(mapped["field_id"]))
    return mapped, pd.DataFrame({"id": names, "name": names})


def _measures_fields(ctx: _Context, entry: Entry) -> tuple[list[Row], str]:
    completed, running = _year_measures(ctx)
    links, groups = _grouping(ctx, entry.option("group", "field"))
    both = pd.concat([completed, running])
    if both.empty:
        return (
            _missing(entry, "Handlungsfeld", NOT_APPLICABLE),
            f"keine Maßnahme im Berichtsjahr {ctx.year} abgeschlossen oder in Umsetzung",
        )
    tables = {
        "completed": progress.measures_by_field(completed, links, groups),
        "running": progress.measures_by_field(running, links, groups),
        "all": progress.measures_by_field(both, links, groups),
    }
    columns = (
        ("completed", "measures", "abgeschlossen", "Anzahl", "abgeschlossen im Berichtsjahr"),
        ("running", "measures", "laufend", "Anzahl", "in Umsetzung im Berichtsjahr"),
        ("all", "cost_estimate", "kosten", "€", "Kostenschätzung (€)"),
    )
    out: list[Row] = []
    for _, line in tables["all"].iterrows():
        fid, name = line["field_id"], str(line["name"])
        for table, column, key, unit, title in columns:
            t = tables[table]
            hit = t[t["field_id"].isna()] if fid is None else t[t["field_id"] == fid]
            value = float(hit[column].iloc[0]) if len(hit) else 0.0
            value_out: float | int = round(value, 2) if unit == "€" else int(value)
            out.append(
                Row(
                    f"{entry.code}.{slug(fid or 'ohne')}.{key}",
                    f"{name}: {title}",
                    value_out,
                    unit,
                    line=name,
                    column=title,
                )
            )
    n_done, n_run = len(completed), len(running)
    note = (
        f"{german.count(n_done, 'Maßnahme', 'Maßnahmen')} im Berichtsjahr abgeschlossen, "
        f"{german.number(n_run)} in Umsetzung; eine Maßnahme mit mehreren Handlungsfeldern "
        "zählt in jedem"
    )
    return out, note


def output_unit(quantity: str) -> str:
    """The unit of an output quantity from its key's ending (``_m2`` m², ``_m`` m).

    Examples
    --------
    >>> output_unit("gruenflaeche_m2"), output_unit("strassenlaenge_m"), output_unit("wohnungen")
    ('m²', 'm', 'Anzahl')
    """
    if quantity.endswith("_m2"):
        return "m²"
    if quantity.endswith("_m"):
        return "m"
    return "Anzahl"


def _quantity_outputs(ctx: _Context, entry: Entry) -> tuple[list[Row], str]:
    """One line per quantity the catalogue names, whatever field of action delivered it."""
    completed, running = _year_measures(ctx)
    both = pd.concat([completed, running])
    delivered = progress.outputs_delivered(both, ctx.inputs["measure_outputs"])
    by_quantity = {str(q["quantity"]): q for _, q in delivered.iterrows()}
    labels = ctx.catalogue.output_labels
    out: list[Row] = []
    for quantity in entry.option("quantities", []):
        label = labels.get(quantity, quantity)
        q = by_quantity.get(quantity)
        unit = output_unit(quantity)
        if q is not None and q["unit"] is not None and not pd.isna(q["unit"]):
            unit = str(q["unit"])
        for column, title in (("planned", "geplant"), ("actual", "erreicht")):
            value = None if q is None else round(float(q[column]), 2)
            out.append(
                Row(
                    f"{entry.code}.{slug(quantity)}.{column}",
                    f"{label} ({title})",
                    value,
                    unit,
                    reason=NOT_APPLICABLE if q is None else None,
                    line=f"{label} ({unit})",
                    column=title.capitalize(),
                )
            )
    note = (
        f"Output der im Berichtsjahr {ctx.year} abgeschlossenen und laufenden Maßnahmen, "
        "gleich welchen Handlungsfelds; entfällt: keine solche Maßnahme"
    )
    return out, note


def _measures_outputs(ctx: _Context, entry: Entry) -> tuple[list[Row], str]:
    if entry.option("quantities"):
        return _quantity_outputs(ctx, entry)
    completed, running = _year_measures(ctx)
    both = pd.concat([completed, running])
    outputs = ctx.inputs["measure_outputs"]
    links, groups = _grouping(ctx, entry.option("group", "field"))
    labels = ctx.catalogue.output_labels
    out: list[Row] = []
    members = links[links["measure_id"].isin(both["id"])]
    lonely = both[~both["id"].isin(links["measure_id"])]
    plan: list[tuple[Any, str, pd.DataFrame]] = [
        (gid, str(name), both[both["id"].isin(members[members["field_id"] == gid]["measure_id"])])
        for gid, name in zip(groups["id"], groups["name"])
    ]
    plan.append((None, "ohne Handlungsfeld", lonely))
    for gid, name, subset in plan:
        delivered = progress.outputs_delivered(subset, outputs)
        for _, q in delivered.iterrows():
            label = labels.get(q["quantity"], str(q["quantity"]))
            line = f"{name}: {label}"
            unit = "" if q["unit"] is None or pd.isna(q["unit"]) else str(q["unit"])
            for column, title in (("planned", "geplant"), ("actual", "erreicht")):
                out.append(
                    Row(
                        f"{entry.code}.{slug(gid or 'ohne')}.{slug(q['quantity'])}.{column}",
                        f"{line} ({title})",
                        round(float(q[column]), 2),
                        unit,
                        line=line,
                        column=title.capitalize(),
                    )
                )
    if not out:
        return (
            _missing(entry, "Output", NOT_APPLICABLE),
            f"keine Outputs von Maßnahmen des Berichtsjahres {ctx.year} erfasst",
        )
    return out, "Output der im Berichtsjahr abgeschlossenen und laufenden Maßnahmen"


def _measures_status(ctx: _Context, entry: Entry) -> tuple[list[Row], str]:
    counts = progress.measures_by_status(ctx.inputs["measures"])
    rows = [
        Row(f"{entry.code}.{slug(status)}", f"Maßnahmen {status}", int(n), "Anzahl")
        for status, n in counts.items()
        if not (status == "ohne Status" and n == 0)
    ]
    rows.append(Row(f"{entry.code}.summe", "Maßnahmen insgesamt", int(counts.sum()), "Anzahl"))
    return rows, "Stand der Erfassung (nicht zum Jahresende des Berichtsjahres)"


# --- D: context ------------------------------------------------------------------------------


def _at_or_before(frame: pd.DataFrame, year: int) -> pd.Timestamp | None:
    periods = frame.index[frame.index <= pd.Timestamp(year, 12, 31, 23, 59, 59)]
    return None if len(periods) == 0 else pd.Timestamp(periods.max())


def _from(frame: pd.DataFrame, year: int) -> pd.Timestamp | None:
    periods = frame.index[frame.index >= pd.Timestamp(year, 1, 1)]
    return None if len(periods) == 0 else pd.Timestamp(periods.min())


def _disclosed(ctx: _Context, key: str, table: pd.DataFrame) -> pd.DataFrame:
    """Return ``area`` and ``city`` values per period with suppressed ones set to NaN
    (computed once per indicator and report; ``table`` is ``ctx.comparison(key)``).

    Figures that lack a contributing district's value (``*_missing`` of
    :func:`~monitoring.renewal.comparison.area_vs_rest`) are NaN too, but not flagged
    suppressed: they read "nicht gemeldet", never "unterdrückt".

    The population of the funding area is its interpolated resident count; the cell
    count is the (interpolated) count, or the numerator of a rate.
    """
    if key not in ctx.disclosed:
        ctx.disclosed[key] = _disclose(ctx, key, table)
    return ctx.disclosed[key]


def _disclose(ctx: _Context, key: str, table: pd.DataFrame) -> pd.DataFrame:
    residents = ctx.comparison("residents")
    if isinstance(residents, str):  # no population: nothing can be judged, nothing shown
        return table[["area", "city"]].assign(area=np.nan, city=np.nan)
    long = []
    for part in ("area", "city"):
        count = table[f"{part}_num"] if f"{part}_num" in table.columns else table[part]
        long.append(
            pd.DataFrame(
                {
                    "area_id": part,
                    "indicator": key,
                    "period": table.index,
                    "value": table[part].to_numpy(dtype=float),
                    "numerator": count.to_numpy(dtype=float),
                }
            )
        )
        if key != "residents":
            long.append(
                pd.DataFrame(
                    {
                        "area_id": part,
                        "indicator": "residents",
                        "period": residents.index,
                        "value": residents[part].to_numpy(dtype=float),
                        "numerator": residents[part].to_numpy(dtype=float),
                    }
                )
            )
    frame = pd.concat(long, ignore_index=True)
    judged = suppress(
        frame,
        minimum=ctx.catalogue.disclosure_minimum,
        min_count=ctx.catalogue.disclosure_min_count,
    )
    mine = judged[judged["indicator"] == key]
    out = mine.pivot(index="period", columns="area_id", values="value")
    flags = mine.pivot(index="period", columns="area_id", values="flag")
    out = out.reindex(columns=["area", "city"])
    for part in ("area", "city"):  # a sum without a district's value is not reported
        lacking = table.get(f"{part}_missing")
        if lacking is not None:
            out[part] = out[part].where(lacking.reindex(out.index).fillna(0).to_numpy() == 0)
    out.attrs["suppressed"] = flags.reindex(columns=["area", "city"]) == FLAG_SUPPRESSED
    return out


def _context_cells(ctx: _Context, key: str) -> dict[str, tuple[Any, str | None]]:
    """Return per column of :data:`CONTEXT_COLUMNS` the value or the reason it is missing."""
    table = ctx.comparison(key)
    if isinstance(table, str):
        return {c: (None, NOT_REPORTED) for c, _ in CONTEXT_COLUMNS}
    shown = _disclosed(ctx, key, table)
    hidden: pd.DataFrame = shown.attrs["suppressed"]
    at = _at_or_before(shown, ctx.year)
    if at is None:
        return {c: (None, NOT_REPORTED) for c, _ in CONTEXT_COLUMNS}

    def cell(period: pd.Timestamp, part: str) -> tuple[Any, str | None]:
        value: Any = shown.loc[period, part]
        if pd.isna(value):
            return None, SUPPRESSED if bool(hidden.loc[period, part]) else NOT_REPORTED
        return float(value), None

    cells: dict[str, tuple[Any, str | None]] = {
        "as_of": (at.year, None),
        "area": cell(at, "area"),
        "city": cell(at, "city"),
    }
    start = ctx.area.get("start_year")
    base = None if start is None else _from(shown, int(start))
    if base is None or base > at:
        reason = NOT_REPORTED
        for c in ("base_year", "change_area", "change_city"):
            cells[c] = (None, reason)
        return cells
    cells["base_year"] = (base.year, None)
    for part in ("area", "city"):
        now, then = cells[part], cell(base, part)
        if now[0] is None or then[0] is None:
            cells[f"change_{part}"] = (None, now[1] or then[1])
        else:
            cells[f"change_{part}"] = (now[0] - then[0], None)
    return cells


def _rounded(value: Any, decimals: int) -> Any:
    """Counts as whole numbers (estimates of people or dwellings), rates to 4 decimals."""
    if not isinstance(value, float):
        return value
    return round(value, 4) if decimals else int(round(value))


def _context_compare(ctx: _Context, entry: Entry) -> tuple[list[Row], str]:
    out: list[Row] = []
    for key in entry.option("indicators", []):
        definition = ctx.registry.get(key)
        cells = _context_cells(ctx, key)
        line = definition.label
        decimals = 0 if definition.kind == "count" else 1
        for column, title in CONTEXT_COLUMNS:
            value, reason = cells[column]
            if column in ("as_of", "base_year"):
                unit, digits = "Jahr", 0
            elif column.startswith("change"):
                unit, digits = CHANGE_UNIT.get(definition.unit, definition.unit), decimals
            else:
                unit, digits = definition.unit, decimals
            value = _rounded(value, digits)
            out.append(
                Row(
                    f"{entry.code}.{key}.{column}",
                    f"{line}: {CONTEXT_LABELS[column]}",
                    value,
                    unit,
                    reason,
                    line=f"{line} ({definition.unit})",
                    column=title,
                    decimals=digits,
                )
            )
    note = (
        "Gebiet = Fördergebiet, Stadt = Gesamtstadt; Veränd. = Veränderung seit dem Basisjahr "
        "(erster Stand ab der Aufnahme in das Programm), bei Anteilen in Prozentpunkten"
    )
    return out, note


def _level_text(ctx: _Context) -> str:
    values = ctx.inputs["indicator_values"]
    if values.empty:
        return "statistischen Gebiete"
    return f"Ebene {values['level'].iloc[0]} (Gebietsstand {values['vintage'].iloc[0]})"


def _context_value(ctx: _Context, entry: Entry) -> tuple[list[Row], str]:
    key = entry.option("indicator")
    definition = ctx.registry.get(key)
    cells = _context_cells(ctx, key)
    value, reason = cells["area"]
    decimals = 0 if definition.kind == "count" else 1
    value = _rounded(value, decimals)
    as_of = cells["as_of"][0]
    label = entry.label + (f" (Stand {as_of})" if as_of is not None else "")
    return [Row(entry.code, label, value, definition.unit, reason, decimals=decimals)], ""


def _social_index(ctx: _Context, entry: Entry) -> tuple[list[Row], str]:
    key = entry.option("indicator")
    definition = ctx.registry.get(key)
    values = ctx.inputs["indicator_values"]
    classes = values[(values["indicator"] == key) & values["value"].notna()]
    classes = classes[pd.to_datetime(classes["period"]) <= pd.Timestamp(ctx.year, 12, 31)]
    rows_missing = [
        Row(
            f"{entry.code}.area", f"{definition.label}: Fördergebiet", None, "Klasse", NOT_REPORTED
        ),
        Row(
            f"{entry.code}.city", f"{definition.label}: Gesamtstadt", None, "Klasse", NOT_APPLICABLE
        ),
    ]
    if classes.empty:
        return rows_missing, f"kein Wert von {key!r} bis {ctx.year} im Datenbestand"
    period = pd.to_datetime(classes["period"]).max()
    now = classes[pd.to_datetime(classes["period"]) == period]
    weights = ctx.weights()
    pops = values[
        (values["indicator"] == "residents") & (pd.to_datetime(values["period"]) == period)
    ]
    pop = dict(zip(pops["area_id"], pops["value"].astype(float)))
    share: dict[int, float] = {}
    per_area: list[tuple[str, int]] = []
    for area_id, cls in zip(now["area_id"], now["value"]):
        w = float(weights.get(area_id, 0.0)) * pop.get(area_id, 0.0)
        if w > 0:
            share[int(cls)] = share.get(int(cls), 0.0) + w
            per_area.append((str(area_id), int(cls)))
    if not share:
        return rows_missing, "keine Klasse für die Gebiete des Fördergebiets"
    total = sum(share.values())
    dominant = max(share, key=lambda c: (share[c], c))
    rows = [
        Row(
            f"{entry.code}.area",
            f"{definition.label}: überwiegende Klasse im Fördergebiet",
            dominant,
            "Klasse",
        ),
        Row(
            f"{entry.code}.area_share",
            "Anteil der Einwohner des Fördergebiets in Gebieten dieser Klasse",
            round(share[dominant] / total * 100, 1),
            "%",
            decimals=1,
        ),
        Row(f"{entry.code}.as_of", "Stand", int(period.year), "Jahr"),
    ]
    names = dict(zip(ctx.inputs["areas"]["id"].astype(str), ctx.inputs["areas"]["name"]))
    for area_id, cls in sorted(per_area):
        name = names.get(area_id) or area_id
        rows.append(
            Row(
                f"{entry.code}.gebiet.{slug(area_id)}",
                f"Klasse im statistischen Gebiet {name} ({area_id})",
                cls,
                "Klasse",
            )
        )
    rows.append(
        Row(
            f"{entry.code}.city", f"{definition.label}: Gesamtstadt", None, "Klasse", NOT_APPLICABLE
        )
    )
    return rows, (
        "Klasse der Gebiete, in denen die meisten Einwohner des Fördergebiets leben, und die "
        "Klasse jedes statistischen Gebiets, das es überdeckt (dieselbe Einstufung wie der "
        f"Sozialindex auf der Seite Indikatoren; Stichtag {german.date(period)})"
    )


# --- Begleitinformationen -----------------------------------------------------------------


def _concept(ctx: _Context) -> dict[str, Any] | None:
    """The development concept in force in the reporting year (else the latest one)."""
    concepts = ctx.inputs["concepts"]
    if concepts.empty:
        return None
    start = pd.to_numeric(concepts["valid_from_year"], errors="coerce")
    end = pd.to_numeric(concepts["valid_to_year"], errors="coerce")
    valid = concepts[(start.isna() | (start <= ctx.year)) & (end.isna() | (end >= ctx.year))]
    pool = valid if len(valid) else concepts
    pool = pool.assign(_from=pd.to_numeric(pool["valid_from_year"], errors="coerce").fillna(0))
    row = pool.sort_values(["_from", "id"]).iloc[-1]
    return {str(k): v for k, v in row.items()}


def _as_of(*frames: pd.DataFrame) -> str:
    """'Stand: 03.02.2025' from the latest change of the given records ('' if unknown)."""
    stamps = [
        pd.to_datetime(f["updated_at"], errors="coerce").max()
        for f in frames
        if "updated_at" in f.columns and len(f)
    ]
    stamps = [t for t in stamps if not pd.isna(t)]
    return f"Stand der Erfassung: {german.date(max(stamps))}" if stamps else "Stand der Erfassung"


def _concept_document(ctx: _Context, entry: Entry) -> tuple[list[Row], str]:
    concept = _concept(ctx)
    if concept is None:
        return _missing(entry, "Konzept", NOT_REPORTED), "kein Entwicklungskonzept erfasst"
    years = [
        str(int(concept[k])) if not german.is_missing(concept.get(k)) else ""
        for k in ("valid_from_year", "valid_to_year")
    ]
    cells: list[tuple[str, str, Any]] = [
        ("kind", "Art", concept.get("kind")),
        ("title", "Titel", concept.get("title")),
        ("version", "Fassung", concept.get("version_label")),
        ("adopted", "beschlossen am", german.date(concept.get("adopted"), missing="")),
        ("valid", "gültig", "–".join(years) if any(years) else ""),
    ]
    rows = [
        Row(
            f"{entry.code}.{key}",
            label,
            None if german.is_missing(value) else str(value),
            reason=NOT_REPORTED if german.is_missing(value) else None,
        )
        for key, label, value in cells
    ]
    concepts = ctx.inputs["concepts"]
    return rows, _as_of(concepts[concepts["id"] == concept["id"]])


def _concept_goals(ctx: _Context, entry: Entry) -> tuple[list[Row], str]:
    concept = _concept(ctx)
    goals = ctx.inputs["goals"]
    if concept is not None:
        goals = goals[goals["concept_id"] == concept["id"]]
    if concept is None or goals.empty:
        return _missing(entry, "Ziele", NOT_REPORTED), "keine Ziele erfasst"
    fields = ctx.inputs["fields_of_action"]
    names = dict(zip(fields["id"], fields["name"]))
    order = dict(zip(fields["id"], pd.to_numeric(fields["sort"], errors="coerce").fillna(999)))
    goals = goals.assign(
        _sort=[order.get(f, 999) for f in goals["field_id"]],
        _field=[names.get(f, "ohne Handlungsfeld") for f in goals["field_id"]],
    ).sort_values(["_sort", "_field", "id"])
    rows = [
        Row(f"{entry.code}.{slug(gid)}", str(field), str(title))
        for gid, field, title in zip(goals["id"], goals["_field"], goals["title"])
    ]
    return rows, f"{_as_of(goals)}; Ziele des Konzepts, geordnet nach Handlungsfeld"


def _has_quarter_management(ctx: _Context) -> bool:
    return any(
        not ctx.inputs[name].empty for name in ("actors", "bodies", "local_funds", "activities")
    )


def _qm_missing(ctx: _Context, entry: Entry, line: str) -> tuple[list[Row], str]:
    if _has_quarter_management(ctx):
        return _missing(entry, line, NOT_REPORTED), "nicht erfasst"
    return (
        _missing(entry, line, NOT_APPLICABLE),
        "kein Quartiersmanagement erfasst (keine Akteure, Gremien, Fonds oder Aktivitäten)",
    )


def _actors(ctx: _Context, entry: Entry) -> tuple[list[Row], str]:
    actors = ctx.inputs["actors"]
    if actors.empty:
        return _qm_missing(ctx, entry, "Akteure")
    counts = actors["type"].value_counts()
    order = list(ACTOR_TYPES) + sorted(set(counts.index) - set(ACTOR_TYPES))
    rows = [Row(f"{entry.code}.{slug(t)}", t, int(counts.get(t, 0)), "Anzahl") for t in order]
    rows.append(Row(f"{entry.code}.summe", "Akteure insgesamt", len(actors), "Anzahl"))
    return rows, "Stand der Erfassung"


def _bodies(ctx: _Context, entry: Entry) -> tuple[list[Row], str]:
    bodies = ctx.inputs["bodies"].sort_values("id")
    if bodies.empty:
        return _qm_missing(ctx, entry, "Gremien")
    part = ctx.inputs["participation"]
    rows = []
    for bid, name, kind in zip(bodies["id"], bodies["name"], bodies["kind"]):
        members = int((part["target_id"] == bid).sum())
        rows.append(
            Row(
                f"{entry.code}.{slug(bid)}.kind",
                f"{name}: Art",
                kind or None,
                reason=None if kind else NOT_REPORTED,
                line=str(name),
                column="Art",
            )
        )
        rows.append(
            Row(
                f"{entry.code}.{slug(bid)}.members",
                f"{name}: Mitglieder",
                members,
                "Anzahl",
                line=str(name),
                column="Mitglieder",
            )
        )
    return rows, _as_of(bodies)


def _funds(ctx: _Context, entry: Entry) -> tuple[list[Row], str]:
    funds = ctx.inputs["local_funds"]
    if funds.empty:
        return (
            _missing(entry, "Verfügungsfonds", NOT_APPLICABLE),
            "kein Verfügungsfonds eingerichtet",
        )
    decisions = ctx.inputs["fund_decisions"]
    decided = pd.to_datetime(decisions["decided"])
    mine = decisions[decided.dt.year == ctx.year]
    kinds = dict(zip(funds["id"], funds["kind"].fillna("Verfügungsfonds")))
    mine = mine.assign(kind=[kinds.get(f, "Verfügungsfonds") for f in mine["fund_id"]])
    income = ctx.inputs["fund_income"]
    income = income[pd.to_datetime(income["received"]).dt.year == ctx.year]
    income = income.assign(kind=[kinds.get(f, "Verfügungsfonds") for f in income["fund_id"]])
    rows: list[Row] = []
    for kind in sorted(set(kinds.values())):
        d = mine[mine["kind"] == kind]
        inc = income[income["kind"] == kind]
        amount = pd.to_numeric(d["amount"]).fillna(0.0)
        cells = (
            ("income", "Einnahmen (€)", float(pd.to_numeric(inc["amount"]).fillna(0).sum()), "€"),
            (
                "income_public",
                "davon Städtebauförderung (€)",
                float(pd.to_numeric(inc[inc["source"] == PUBLIC_SOURCE]["amount"]).sum()),
                "€",
            ),
            ("decisions", "Entscheidungen", len(d), "Anzahl"),
            ("amount", "bewilligt (€)", float(amount.sum()), "€"),
            (
                "investive",
                "davon investiv (€)",
                float(amount[d["investive"].fillna(False).astype(bool)].sum()),
                "€",
            ),
        )
        for key, title, value, unit in cells:
            rows.append(
                Row(
                    f"{entry.code}.{slug(kind)}.{key}",
                    f"{kind}: {title}",
                    round(value, 2) if unit == "€" else int(value),
                    unit,
                    line=kind,
                    column=title,
                )
            )
    return rows, f"Eingänge und Entscheidungen der lokalen Gremien im Jahr {ctx.year}"


def _activities(ctx: _Context, entry: Entry) -> tuple[list[Row], str]:
    acts = ctx.inputs["activities"]
    if acts.empty:
        return _qm_missing(ctx, entry, "Aktivitäten")
    table = activities.activities_by_year(acts)
    table = table[table["year"] == ctx.year]
    lines = [
        (str(kind), slug(kind), int(n), int(people))
        for kind, n, people in zip(table["kind"], table["activities"], table["participants"])
    ]
    lines.append(
        ("Summe", "summe", int(table["activities"].sum()), int(table["participants"].sum()))
    )
    rows: list[Row] = []
    for line, key, n, people in lines:
        for suffix, title, value, unit in (
            ("count", "Aktivitäten", n, "Anzahl"),
            ("participants", "Teilnehmende", people, "Personen"),
        ):
            rows.append(
                Row(
                    f"{entry.code}.{key}.{suffix}",
                    f"{line}: {title}",
                    value,
                    unit,
                    line=line,
                    column=title,
                )
            )
    return rows, f"Aktivitäten mit Datum im Jahr {ctx.year}"


def _projects(ctx: _Context, entry: Entry) -> tuple[list[Row], str]:
    ps = ctx.inputs["projects"]
    if ps.empty:
        return _qm_missing(ctx, entry, "Projekte")
    counts = projects.projects_by_status(ps)
    rows = [
        Row(f"{entry.code}.{slug(s)}", f"Projekte: {s}", int(n), "Anzahl")
        for s, n in counts.items()
    ]
    rows.append(Row(f"{entry.code}.summe", "Projekte insgesamt", len(ps), "Anzahl"))
    return rows, "Stand der Erfassung"


def _missing(entry: Entry, line: str, reason: str) -> list[Row]:
    return [Row(f"{entry.code}.fehlt", f"{entry.label}", None, reason=reason)]


_BUILDERS: Mapping[str, Callable[[_Context, Entry], tuple[list[Row], str]]] = {
    "context.value": _context_value,
    "funds.sources": _funds_sources,
    "funds.programme_years": _funds_years,
    "funds.cost_groups": _funds_cost_groups,
    "measures.status": _measures_status,
    "measures.fields": _measures_fields,
    "measures.outputs": _measures_outputs,
    "context.compare": _context_compare,
    "context.social_index": _social_index,
    "concept.document": _concept_document,
    "concept.goals": _concept_goals,
    "participation.actors": _actors,
    "participation.bodies": _bodies,
    "participation.funds": _funds,
    "participation.activities": _activities,
    "participation.projects": _projects,
}


# --- charts, map, notes ------------------------------------------------------------------------


def _charts(ctx: _Context) -> tuple[Chart, ...]:
    charts: list[Chart] = []
    lines = _lines(ctx)
    if not lines.empty:
        by_year = progress.funding_by_year(lines, year=ctx.year)
        if not by_year.empty:
            years = sorted(int(y) for y in by_year["programme_year"].unique())
            series = []
            for source in dict.fromkeys(by_year["source"]):
                mine = by_year[by_year["source"] == source].set_index("programme_year")
                series.append(
                    (str(source), tuple(float(mine["approved"].get(y, 0.0)) for y in years))
                )
            charts.append(
                Chart(
                    "funds",
                    "Bewilligte Mittel nach Programmjahr und Mittelgeber",
                    "€",
                    "bars",
                    tuple(str(y) for y in years),
                    tuple(series),
                )
            )
    keys = [
        k
        for e in ctx.catalogue.entries
        if e.source == "context.compare"
        for k in e.option("indicators", [])
        if ctx.registry.get(k).kind != "count"
    ]
    for key in keys:
        table = ctx.comparison(key)
        if isinstance(table, str):
            continue
        shown = _disclosed(ctx, key, table)
        shown = shown[shown.index <= pd.Timestamp(ctx.year, 12, 31)]
        if shown.empty:
            continue
        definition = ctx.registry.get(key)
        charts.append(
            Chart(
                key,
                definition.label,
                definition.unit,
                "lines",
                tuple(str(p.year) for p in shown.index),
                (
                    ("Fördergebiet", tuple(_opt(v) for v in shown["area"])),
                    ("Gesamtstadt", tuple(_opt(v) for v in shown["city"])),
                ),
            )
        )
    return tuple(charts)


def _opt(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 4)


def _area_map(ctx: _Context) -> AreaMap | None:
    geom = ctx.area.get("geometry")
    if geom is None or geom.is_empty:
        return None
    areas = ctx.inputs["areas"]
    districts: tuple[tuple[str, str, str], ...] = ()
    around: tuple[str, ...] = ()
    if not areas.empty:
        weights = ctx.weights()
        inside = areas["id"].map(weights).fillna(0.0).to_numpy() > 0.001
        near = areas[inside]
        districts = tuple(
            (str(i), str(n or i), shapely.to_wkt(g, rounding_precision=1))
            for i, n, g in zip(near["id"], near["name"], near.geometry)
        )
        x0, y0, x1, y1 = geom.bounds
        pad = 0.25 * max(x1 - x0, y1 - y0)
        frame = shapely.box(x0 - pad, y0 - pad, x1 + pad, y1 + pad)
        rest = areas[~inside]
        around = tuple(
            shapely.to_wkt(g, rounding_precision=1)
            for g in rest.geometry[shapely.intersects(rest.geometry.to_numpy(), frame)]
        )
    return AreaMap(ctx.inputs.crs, shapely.to_wkt(geom, rounding_precision=1), districts, around)


def _notes(ctx: _Context) -> tuple[str, ...]:
    c = ctx.catalogue
    out = [
        *year_warnings(ctx.area, ctx.year),
        *([f"Feldkatalog: {c.note}"] if c.note else []),
        f"Berichtsjahr {ctx.year}: Finanzmittel der Programmjahre bis {ctx.year}; Maßnahmen, "
        f"die {ctx.year} abgeschlossen wurden oder in Umsetzung waren.",
        f"Kontextwerte: Zählwerte der {_level_text(ctx)} flächengewichtet auf das Fördergebiet "
        "übertragen; Quoten aus summierten Zählern und Nennern, nie gemittelt.",
        f"Geheimhaltung: keine Werte für Gebiete unter {c.disclosure_minimum} Einwohnern"
        + (f" und für Fallzahlen unter {c.disclosure_min_count}" if c.disclosure_min_count else "")
        + ".",
        "Fehlende Werte sind mit ihrem Grund gekennzeichnet: unterdrückt (Geheimhaltung), "
        "nicht gemeldet (keine Angabe), entfällt (trifft nicht zu).",
    ]
    if c.entries_of("BI"):
        out.append(
            "Begleitinformationen: beschreiben das Gebiet, seine Ziele und seine Strukturen der "
            "Kooperation und Beteiligung; sie werden bei der Programmaufstellung erfasst und "
            "fortgeschrieben, wenn sich etwas ändert (Stand der Erfassung), nicht je "
            "Berichtsjahr neu gezählt."
        )
    return tuple(out)
