"""Use cases of the monitoring domain: what the CLI and the app call, always with the user.

Every function takes the store and the acting :class:`~monitoring.auth.User` first.
Reads need the right to read (personal data of actors is masked for roles without
``read_personal``); every change goes through :mod:`monitoring.editing` (permission,
optimistic locking, audit log) after the domain checks of its layer: errors refuse
the change with :class:`~monitoring.errors.RuleViolation` listing every problem,
warnings come back with the saved record.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from geo import german
from geo.schema import SCHEMA
from indicators.errors import IndicatorError
from indicators.registry import Registry
from monitoring import catalogue, editing
from monitoring.auth import User, mask_personal, require
from monitoring.errors import ConfirmationNeeded, EditConflict, NotFound, RuleViolation
from monitoring.findings import Finding, findings_frame, raise_errors
from monitoring.grants import rules as grant_rules
from monitoring.messages import render
from monitoring.neighbourhood import activities, applications, funds, network, payments, projects
from monitoring.neighbourhood import actors as actors_mod
from monitoring.numbers import german_number
from monitoring.renewal import (
    attachments,
    comparison,
    concepts,
    funding,
    funding_areas,
    measures,
    progress,
)
from monitoring.renewal import housing as housing_mod
from monitoring.renewal import programmes as programmes_mod

if TYPE_CHECKING:
    from geo.store.base import Store, Transaction

Reader = Callable[..., pd.DataFrame]


@dataclass(frozen=True)
class Saved:
    """A saved record (plain values, as stored) and the warnings the checks gave."""

    record: dict[str, Any]
    warnings: tuple[Finding, ...] = ()


# --- reading ------------------------------------------------------------------------


def read(
    store: Store, user: User, layer: str, *, where: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Read a layer as the user may see it (actors' personal data masked where needed).

    Raises
    ------
    PermissionDenied
        Without the right to read (the audit log needs ``read_audit``).
    """
    require(user, "read_audit" if layer == "audit_log" else "read")
    frame = store.read(layer, where=where)
    return mask_personal(frame, user) if layer == "actors" else frame


def funding_area(store: Store, user: User, area_id: str) -> dict[str, Any]:
    """Return one Gesamtmaßnahme as plain values, or raise NotFound listing the known ids."""
    require(user, "read")
    return _funding_area(store.read, area_id)


def _funding_area(reader: Reader, area_id: str) -> dict[str, Any]:
    frame = reader("funding_areas", where={"id": area_id})
    if not len(frame):
        known = reader("funding_areas", columns=["id"])["id"].tolist()
        raise NotFound(
            f"die Gesamtmaßnahme „{area_id}“ gibt es nicht; bekannt sind: "
            f"{', '.join(sorted(known)) or 'keine'} (qmon layers zeigt, was gespeichert ist)"
        )
    return editing.row_dict(frame) | {"geometry": frame.geometry.iloc[0]}


# --- changing -----------------------------------------------------------------------


def _exists(tx: Transaction, layer: str, key: str, value: Any, *, what: str) -> list[Finding]:
    if value is None or len(tx.read(layer, where={key: value}, columns=[key])):
        return []
    return [
        Finding(
            "error",
            "reference",
            layer,
            str(value),
            f"{what} „{value}“ gibt es nicht; legen Sie den Datensatz zuerst an oder "
            "korrigieren Sie die Kennung (ID)",
        )
    ]


def _validate(
    ch: editing.ChangeSet,
    layer: str,
    record: dict[str, Any],
    before: dict[str, Any] | None,
    *,
    today: dt.date,
) -> list[Finding]:
    """Run the checks of ``layer`` on the record as it would be stored."""
    return check_record(ch.tx, layer, record, before, today=today)


def check_record(
    tx: Transaction,
    layer: str,
    record: dict[str, Any],
    before: dict[str, Any] | None,
    *,
    today: dt.date,
) -> list[Finding]:
    """Return the findings of the record rules of ``layer`` on ``record`` as it would be stored.

    The one set of record rules: :func:`save` and the imports
    (:mod:`monitoring.imports`) both call it inside their write transaction.

    Parameters
    ----------
    tx
        The open transaction (references are checked against what it sees).
    layer, record
        The layer and the full record as it would be stored (geometry as shapely).
    before
        The stored record before the change; None for a new one.
    today
        The date statuses are judged at.

    Returns
    -------
    list of Finding
        Errors refuse the change; warnings are shown with it.
    """
    if layer in RENEWAL_LAYERS:
        return _renewal_findings(tx, layer, record, today=today)
    if layer in grant_rules.LAYERS:
        return grant_rules.check(tx, layer, record, before, today=today)
    if layer == "measures":
        out = measures.check_measure(record, today=today)
        out += grant_rules.cost_group_findings(tx, layer, record)
        areas = tx.read("funding_areas", where={"id": record.get("funding_area_id")})
        one = gpd.GeoDataFrame(
            {"id": [record.get("id")], "funding_area_id": [record.get("funding_area_id")]},
            geometry=[_shape(record.get("geometry"))],
            crs=areas.crs,
        )
        return out + measures.placement_findings(one, areas)
    if layer in ("milestones", "measure_outputs"):
        return _exists(tx, "measures", "id", record.get("measure_id"), what="Maßnahme")
    if layer == "funding_lines":
        out = funding.check_funding_line(record) + _exists(
            tx, "programmes", "id", record.get("programme_id"), what="Förderprogramm"
        )
        mid = record.get("measure_id")
        found = tx.read("measures", where={"id": mid}) if mid is not None else None
        if found is None or not len(found):
            return out + _exists(tx, "measures", "id", mid, what="Maßnahme")
        lines = tx.read("funding_lines", where={"measure_id": mid})
        lines = pd.concat(
            [lines[lines["id"] != record.get("id")], pd.DataFrame([record])], ignore_index=True
        )
        out += grant_rules.cost_group_findings(tx, layer, record)
        return out + funding.share_findings(lines) + funding.sum_findings(lines, found)
    if layer == "actors":
        return actors_mod.check_actor(record)
    if layer == "projects":
        return projects.check_project(record) + projects.check_transition(
            str(record.get("id")),
            None if before is None else before.get("status"),
            record.get("status"),
        )
    if layer == "local_funds":
        out = _exists(
            tx, "funding_areas", "id", record.get("funding_area_id"), what="Gesamtmaßnahme"
        )
        if record.get("kind") not in (None, *funds.FUND_KINDS):
            out.append(
                Finding(
                    "error",
                    "kind",
                    layer,
                    str(record.get("id")),
                    f"Fonds „{record.get('id')}“: die Art „{record.get('kind')}“ ist keine "
                    f"von {', '.join(funds.FUND_KINDS)}",
                )
            )
        return out
    if layer in ("fund_income", "fund_decisions"):
        checked = _fund_change(tx, layer, record, today=today)
        return checked + (_decision_links(tx, record) if layer == "fund_decisions" else [])
    if layer == "fund_payments":
        return _payment_change(tx, record)
    if layer == "applications":
        return _application_change(tx, record)
    if layer == "activities":
        return activities.check_activity(record) + _exists(
            tx, "funding_areas", "id", record.get("funding_area_id"), what="Gesamtmaßnahme"
        )
    if layer == "attachments":
        return _attachment_findings(tx, record)
    if layer in ("indicator_defs", "index_profiles"):
        return catalogue.record_findings(tx, layer, record)
    if layer == "participation" and record.get("target_kind") not in ("project", "body"):
        return [
            Finding(
                "error",
                "target_kind",
                layer,
                str(record.get("actor_id")),
                f"Mitwirkung von „{record.get('actor_id')}“: die Zielart "
                f"„{record.get('target_kind')}“ ist weder „project“ (Projekt) noch „body“ "
                "(Gremium)",
            )
        ]
    return []


def _fund_change(
    tx: Transaction, layer: str, record: dict[str, Any], *, today: dt.date
) -> list[Finding]:
    """Check the fund as it would be after the change of one income or decision row."""
    fund_id = record.get("fund_id")
    fund = tx.read("local_funds", where={"id": fund_id})
    if not len(fund):
        return _exists(tx, "local_funds", "id", fund_id, what="Verfügungsfonds")
    rows = {
        name: tx.read(name, where={"fund_id": fund_id})
        for name in ("fund_income", "fund_decisions")
    }
    rows[layer] = pd.concat(
        [rows[layer][rows[layer]["id"] != record.get("id")], pd.DataFrame([record])],
        ignore_index=True,
    )
    area = tx.read("funding_areas", where={"id": fund["funding_area_id"].iloc[0]})
    share_max = funding_areas.fund_share_max(editing.row_dict(area)) if len(area) else 0.5
    found = funds.fund_findings(
        editing.row_dict(fund),
        rows["fund_income"],
        rows["fund_decisions"],
        public_share_max=share_max,
        today=pd.Timestamp(today),
        projects=tx.read(
            "projects", where={"id": rows["fund_decisions"]["project_id"].dropna().tolist()}
        ),
    )
    if layer == "fund_income":  # income comes in piece by piece: the share is judged overall
        found = [
            Finding("warning", f.code, f.layer, f.record, f.message)
            if f.code == "public_share"
            else f
            for f in found
        ]
    return found


def _shape(value: Any) -> Any:
    if isinstance(value, str):
        return shapely.from_wkt(value)
    return value


def save(
    store: Store,
    user: User,
    layer: str,
    values: Mapping[str, Any],
    *,
    key: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
    seen: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> Saved:
    """Create a record (no ``key``) or change one (``key`` and the version the user read).

    Parameters
    ----------
    store, user
        Where, and who acts.
    layer
        One of :data:`monitoring.editing.LAYER_ACTIONS`.
    values
        The fields of a new record, or the fields to change.
    key
        The record to change; None creates ``values`` as a new record.
    expected_version
        The version the user read (required to change a versioned record).
    seen
        The record as the user saw it, for a precise conflict message.
    today
        The date statuses are judged at (default: today).

    Returns
    -------
    Saved
        The record as stored and the warnings of the checks.

    Raises
    ------
    PermissionDenied
        When the user's role may not change the layer.
    RuleViolation
        Listing every error the checks found; nothing is stored.
    EditConflict
        When someone else changed the record since the user read it.
    NotFound
        When the record to change does not exist.
    """
    require(user, editing.LAYER_ACTIONS.get(layer, "edit_settings"))
    day = today or dt.date.today()
    with editing.changes(store, user) as ch:
        return _save_in(
            ch, layer, values, key=key, expected_version=expected_version, seen=seen, today=day
        )


def remove(
    store: Store, user: User, layer: str, key: Mapping[str, Any], *, expected_version: int | None
) -> dict[str, Any]:
    """Delete a record the user read at ``expected_version``; return it as it was."""
    return editing.delete(store, user, layer, key, expected_version=expected_version)


def set_links(
    store: Store,
    user: User,
    layer: str,
    where: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
) -> int:
    """Replace the rows of a link table that belong to one record (e.g. a measure's goals).

    Raises
    ------
    PermissionDenied
        When the user's role may not change the layer (checked before the rows).
    RuleViolation
        When a row breaks its layer's checks (e.g. participation in an unknown kind).
    """
    require(user, editing.LAYER_ACTIONS.get(layer, "edit_settings"))
    with editing.changes(store, user) as ch:
        problems = [
            f for row in rows for f in _validate(ch, layer, dict(row), None, today=dt.date.today())
        ]
        raise_errors(problems, what=f"Neue Zeilen in „{editing.LAYER_LABELS.get(layer, layer)}“")
        return ch.replace_links(layer, where, rows)


# --- progress -----------------------------------------------------------------------


@dataclass
class ProgressReport:
    """The progress of one Gesamtmaßnahme (frames from :mod:`monitoring.renewal.progress`)."""

    area: dict[str, Any]
    year: int | None
    funding: pd.DataFrame
    funding_totals: pd.DataFrame
    measures_by_status: pd.Series
    measures_by_field: pd.DataFrame
    outputs: pd.DataFrame
    goals: pd.DataFrame
    gaps: pd.DataFrame
    timeline: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    #: measures per status at the end of each year (:func:`progress.measures_by_status_over_time`)
    measures_over_time: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-able data (the ``qmon progress --format json`` output)."""
        area = {k: v for k, v in self.area.items() if k != "geometry"}
        goals = self.goals.rename(columns={"goal_id": "id"})
        return {
            "area": area,
            "year": self.year,
            "funding": records_of(self.funding),
            "funding_totals": records_of(self.funding_totals.reset_index()),
            "measures": {
                "count": int(self.measures_by_status.sum()),
                "by_status": {str(k): int(v) for k, v in self.measures_by_status.items()},
                "by_field": records_of(self.measures_by_field),
            },
            "outputs": records_of(self.outputs),
            "goals": records_of(goals),
            "gaps": records_of(self.gaps),
            "timeline": records_of(self.timeline),
            "findings": records_of(findings_frame(self.findings)),
        }


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the rows of a frame as dicts with text keys (values as they are)."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def records_of(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the rows of a frame as JSON-able dicts (dates as ISO text, geometry as WKT)."""
    return [{str(k): editing.plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def progress_report(
    store: Store,
    user: User,
    area_id: str,
    *,
    year: int | None = None,
    today: dt.date | None = None,
    registry: Registry | None = None,
) -> ProgressReport:
    """Compute the progress of a Gesamtmaßnahme.

    Parameters
    ----------
    area_id
        The funding area.
    year
        Report year: money of programme years up to it, indicator values up to its
        end, the concepts valid in it. Measures count with their current status.
    today
        The date statuses are judged at (default: today, or the end of ``year`` when
        that is earlier).
    registry
        Indicator definitions (default: the store's, :func:`monitoring.catalogue.registry_for`).

    Raises
    ------
    PermissionDenied, NotFound
    """
    require(user, "read")
    reg = registry or catalogue.registry_for(store)
    day = today or dt.date.today()
    area = _funding_area(store.read, area_id)
    ms = store.read("measures", where={"funding_area_id": area_id})
    ids = ms["id"].tolist()
    lines = store.read("funding_lines", where={"measure_id": ids})
    if year is not None:
        _check_year(year, lines)
        day = min(day, dt.date(year, 12, 31))
    fields_links = store.read("measure_fields", where={"measure_id": ids})
    goal_links = store.read("measure_goals", where={"measure_id": ids})
    outputs = store.read("measure_outputs", where={"measure_id": ids})
    fields = store.read("fields_of_action", columns=["id", "name"])
    cs = store.read("concepts", where={"funding_area_id": area_id})
    all_goals = store.read("goals", where={"concept_id": cs["id"].tolist()})
    valid = concepts.current_concepts(cs, year=year or day.year)
    goals = all_goals[all_goals["concept_id"].isin(valid["id"])]
    targets = store.read("targets", where={"goal_id": goals["id"].tolist()})
    found: list[Finding] = []
    series = _area_series(store, area["geometry"], sorted(set(targets["indicator"])), reg, found)
    at = pd.Timestamp(year, 12, 31) if year is not None else None
    gaps_goals = concepts.gaps(goals, ms, goal_links)
    gaps_measures = concepts.gaps(all_goals, ms, goal_links)
    gaps = pd.concat(
        [
            gaps_goals[gaps_goals["kind"] == "goal_without_measure"],
            gaps_measures[gaps_measures["kind"] == "measure_without_goal"],
        ],
        ignore_index=True,
    )
    found += _measure_findings(ms, lines, area, today=day)
    return ProgressReport(
        area=area,
        year=year,
        funding=progress.funding_by_year(lines, year=year),
        funding_totals=progress.funding_totals(lines, year=year),
        measures_by_status=progress.measures_by_status(ms),
        measures_by_field=progress.measures_by_field(ms, fields_links, fields),
        outputs=progress.outputs_delivered(ms, outputs),
        goals=progress.goal_attainment(goals, targets, series, at=at),
        gaps=gaps,
        timeline=measures.timeline(ms, today=day),
        findings=found,
        measures_over_time=progress.measures_by_status_over_time(ms, lines, today=day),
    )


YEARS: tuple[int, int] = (1971, 2100)
"""The years a report or progress can be asked for (Städtebauförderung since 1971)."""


def _check_year(year: Any, lines: pd.DataFrame) -> None:
    """Raise RuleViolation (German, listing the allowed years) unless ``year`` is one."""
    if isinstance(year, int | np.integer) and YEARS[0] <= year <= YEARS[1]:
        return
    used = sorted({int(y) for y in pd.to_numeric(lines["programme_year"]).dropna()})
    own = f"; Programmjahre dieser Gesamtmaßnahme: {used[0]}–{used[-1]}" if used else ""
    example = min([*used[-1:], dt.date.today().year - 1])
    raise RuleViolation(
        f"Berichtsjahr {year!r} ist ungültig: erlaubt sind die Jahre {YEARS[0]} bis "
        f"{YEARS[1]}{own}. Geben Sie z. B. --year {example} an."
    )


def _measure_findings(
    ms: pd.DataFrame, lines: pd.DataFrame, area: Mapping[str, Any], *, today: dt.date
) -> list[Finding]:
    out: list[Finding] = []
    for record in _rows(ms.drop(columns="geometry")):
        out += measures.check_measure(record, today=today)
    areas = gpd.GeoDataFrame({"id": [area["id"]]}, geometry=[area["geometry"]], crs=ms.crs)
    out += measures.placement_findings(ms, areas)
    for record in _rows(lines):
        out += funding.check_funding_line(record)
    out += funding.share_findings(lines) + funding.sum_findings(lines, ms)
    return out


def _area_series(
    store: Store, geom: Any, indicators: Sequence[str], registry: Registry, found: list[Finding]
) -> pd.DataFrame:
    """Return ``indicator, period, value`` for the funding area (areal weighting)."""
    parts = []
    for key in indicators:
        try:
            cmp = _comparison(store, geom, key, registry)
        except IndicatorError as exc:
            found.append(
                Finding(
                    "warning",
                    "indicator",
                    "targets",
                    key,
                    f"der Indikator „{key}“ hat keinen Wert für das Gebiet: {exc}",
                )
            )
            continue
        # a sum that lacks an overlapped district's value is no value, not a smaller one
        complete = cmp["area_missing"] == 0 if "area_missing" in cmp else cmp["area"].notna()
        value = cmp["area"].where(complete)
        parts.append(pd.DataFrame({"indicator": key, "period": cmp.index, "value": value}))
    if not parts:
        return pd.DataFrame(
            {
                "indicator": pd.Series(dtype=object),
                "period": pd.Series(dtype="datetime64[ms]"),
                "value": pd.Series(dtype=float),
            }
        )
    return pd.concat(parts, ignore_index=True)


def _comparison(store: Store, geom: Any, indicator: str, registry: Registry) -> pd.DataFrame:
    definition = registry.get(indicator)
    keys = [indicator]
    if definition.kind != "count" and definition.numerator and definition.denominator:
        keys = [definition.numerator, definition.denominator]
    values = store.read("indicator_values", where={"indicator": keys})
    if values.empty:
        raise IndicatorError(
            f"es sind keine Werte von {', '.join(keys)} gespeichert; importieren Sie sie "
            "mit qmon import"
        )
    # one level, one vintage and one edition per indicator: never two editions summed
    values, level, vintage = comparison.pick_values(values)
    areas = store.read("areas", where={"level": level, "vintage": vintage})
    out = comparison.area_vs_rest(values, areas, geom, indicator, registry=registry)
    out.attrs.update(level=level, vintage=vintage)  # the pages name the level they come from
    return out


def compare_area(
    store: Store,
    user: User,
    area_id: str,
    indicator: str,
    *,
    registry: Registry | None = None,
) -> pd.DataFrame:
    """Compare the funding area with the rest of the city over time for one indicator.

    Returns
    -------
    pandas.DataFrame
        Indexed by period: ``area, rest, city, gap`` (see
        :func:`monitoring.renewal.comparison.area_vs_rest`); ``attrs["level"]`` and
        ``attrs["vintage"]`` name the statistical areas the values were carried from.
    """
    require(user, "read")
    area = _funding_area(store.read, area_id)
    return _comparison(
        store, area["geometry"], indicator, registry or catalogue.registry_for(store)
    )


# --- checks and quarter management ------------------------------------------------------


def check_area(
    store: Store, user: User, area_id: str, *, today: dt.date | None = None
) -> list[Finding]:
    """Run every check on a Gesamtmaßnahme: measures, funding and its local funds."""
    require(user, "read")
    area = _funding_area(store.read, area_id)
    ms = store.read("measures", where={"funding_area_id": area_id})
    lines = store.read("funding_lines", where={"measure_id": ms["id"].tolist()})
    day = today or dt.date.today()
    return _measure_findings(ms, lines, area, today=day) + check_funds(
        store, user, area_id=area_id, today=day
    )


def check_funds(
    store: Store,
    user: User,
    *,
    area_id: str | None = None,
    fund_id: str | None = None,
    today: dt.date | None = None,
) -> list[Finding]:
    """Check the local funds (of an area, one fund, or all) against the rules of DOMAIN.md §5.

    Raises
    ------
    NotFound
        For an unknown area or fund.
    """
    require(user, "read")
    where: dict[str, Any] = {}
    if fund_id is not None:
        where["id"] = fund_id
    if area_id is not None:
        _funding_area(store.read, area_id)
        where["funding_area_id"] = area_id
    fs = store.read("local_funds", where=where or None)
    if fund_id is not None and fs.empty:
        raise NotFound(
            f"den Verfügungsfonds „{fund_id}“ gibt es "
            + (f"in der Gesamtmaßnahme „{area_id}“ " if area_id else "")
            + "nicht; prüfen Sie die Kennung (ID)"
        )
    areas = store.read("funding_areas", where={"id": fs["funding_area_id"].unique().tolist()})
    share_max = {
        aid: funding_areas.fund_share_max({"fund_public_share_max": v})
        for aid, v in zip(areas["id"], areas["fund_public_share_max"])
    }
    income = store.read("fund_income", where={"fund_id": fs["id"].tolist()})
    decisions = store.read("fund_decisions", where={"fund_id": fs["id"].tolist()})
    projects = store.read("projects", where={"id": decisions["project_id"].dropna().tolist()})
    out: list[Finding] = []
    day = pd.Timestamp(today or dt.date.today())
    for fund in _rows(fs):
        out += funds.fund_findings(
            fund,
            income[income["fund_id"] == fund["id"]],
            decisions[decisions["fund_id"] == fund["id"]],
            public_share_max=share_max.get(fund["funding_area_id"], 0.5),
            today=day,
            projects=projects,
        )
    return out


def fund_overview(store: Store, user: User, fund_id: str) -> dict[str, pd.DataFrame]:
    """Return a fund's income by source (with shares) and its decisions."""
    require(user, "read")
    if store.read("local_funds", where={"id": fund_id}).empty:
        raise NotFound(f"den Verfügungsfonds „{fund_id}“ gibt es nicht; prüfen Sie die Kennung")
    income = store.read("fund_income", where={"fund_id": fund_id})
    decisions = store.read("fund_decisions", where={"fund_id": fund_id})
    return {"income": funds.income_shares(income), "decisions": decisions}


def area_actors(store: Store, user: User, area_id: str) -> pd.DataFrame:
    """Return the actors of a funding area, personal data masked where the role requires."""
    require(user, "read")
    _funding_area(store.read, area_id)
    return mask_personal(store.read("actors", where={"funding_area_id": area_id}), user)


def actor_network(store: Store, user: User, area_id: str) -> dict[str, pd.DataFrame]:
    """Return the actor network of an area: one row per actor and one per link.

    Only participation in the area's own projects and bodies counts.
    """
    actors = area_actors(store, user, area_id)
    targets = {
        "project": store.read("projects", where={"funding_area_id": area_id})["id"].tolist(),
        "body": store.read("bodies", where={"funding_area_id": area_id})["id"].tolist(),
    }
    part = store.read("participation", where={"actor_id": actors["id"].tolist()})
    mine = part[
        ((part["target_kind"] == "project") & part["target_id"].isin(targets["project"]))
        | ((part["target_kind"] == "body") & part["target_id"].isin(targets["body"]))
    ]
    graph = network.actor_network(actors, mine)
    return {"actors": network.network_table(graph), "links": network.links_table(graph)}


def housing(
    store: Store,
    user: User,
    *,
    level: str | None = None,
    vintage: str | None = None,
) -> pd.DataFrame:
    """Return the housing stock per statistical area of ``level`` (or per funding area).

    Parameters
    ----------
    level, vintage
        The statistical areas (e.g. ``Planungsraum``); ``level`` None: the funding
        areas. ``vintage`` None: the latest vintage of the level.

    Raises
    ------
    NotFound
        When the store holds no areas of that level.
    """
    require(user, "read")
    if level is None:
        areas = store.read("funding_areas", columns=["id", "name"])
    else:
        areas = store.read("areas", where={"level": level})
        if areas.empty:
            known = sorted(set(store.read("areas", columns=["level"])["level"]))
            raise NotFound(
                f"es sind keine Gebiete der Ebene „{level}“ gespeichert; vorhanden sind: "
                f"{', '.join(known) or 'keine'}"
            )
        areas = areas[areas["vintage"] == (vintage or max(areas["vintage"]))]
    buildings = store.read("buildings")
    return housing_mod.housing_stock(buildings, areas)


# --- programmes, funding areas, concepts ---------------------------------------------

RENEWAL_LAYERS: tuple[str, ...] = ("programmes", "funding_areas", "concepts", "goals", "targets")
"""The layers whose checks live in this section (messages in German)."""


def _known(
    tx: Transaction, layer: str, value: Any, *, what: str, owner: str, record: Any
) -> list[Finding]:
    """Return an error unless the record of ``layer`` named ``value`` exists (German)."""
    if value is None or value == "" or len(tx.read(layer, where={"id": value}, columns=["id"])):
        return []
    return [
        Finding(
            "error",
            "reference",
            owner,
            str(record),
            f"{what} „{value}“ gibt es nicht; legen Sie es zuerst an oder wählen Sie ein "
            "vorhandenes",
        )
    ]


def _renewal_findings(
    tx: Transaction,
    layer: str,
    record: dict[str, Any],
    *,
    today: dt.date,
    registry: Registry | None = None,
) -> list[Finding]:
    """Run the checks of a programme, funding area, concept, goal or target (German)."""
    rid = record.get("id")
    if layer == "programmes":
        return programmes_mod.check_programme(
            record, programmes=tx.read("programmes"), last_year=today.year + 10
        )
    if layer == "funding_areas":
        ids = set(tx.read("programmes", columns=["id"])["id"])
        return funding_areas.check_funding_area(record, programmes=ids, today=today)
    if layer == "concepts":
        return concepts.check_concept(record) + _known(
            tx,
            "funding_areas",
            record.get("funding_area_id"),
            what="Die Gesamtmaßnahme",
            owner=layer,
            record=rid,
        )
    if layer == "goals":
        return (
            concepts.check_goal(record)
            + _known(
                tx,
                "concepts",
                record.get("concept_id"),
                what="Das Konzept",
                owner=layer,
                record=rid,
            )
            + _known(
                tx,
                "fields_of_action",
                record.get("field_id"),
                what="Das Handlungsfeld",
                owner=layer,
                record=rid,
            )
        )
    out = concepts.check_target(record) + _known(
        tx, "goals", record.get("goal_id"), what="Das Ziel", owner=layer, record=rid
    )
    indicator = str(record.get("indicator") or "").strip()
    known = (registry or catalogue.registry_for(tx)).keys() if indicator else ()
    if indicator and indicator not in known:
        out.append(
            Finding(
                "warning",
                "indicator",
                layer,
                str(rid),
                f"Zielwert „{rid}“: den Indikator „{indicator}“ kennt der Indikatorkatalog "
                "nicht; ohne Werte dieses Indikators bleibt die Zielerreichung offen",
            )
        )
    return out


def boundary_from_file(
    path: str | Path,
    *,
    store_crs: Any,
    layer: str | None = None,
    feature: Any = None,
    dissolve: bool = False,
) -> tuple[Any, gpd.GeoDataFrame]:
    """Read a vector file and return the one boundary of a funding area and the features.

    Any vector file the import reads (Shapefile, also zipped; GeoPackage; GeoJSON);
    the boundary is reprojected to ``store_crs``. A file with several features needs
    ``feature`` (the feature number, from 1) or ``dissolve=True``.

    Raises
    ------
    geo.errors.ImportRefused
        When the file cannot be read.
    monitoring.renewal.funding_areas.BoundaryError
        When it does not give one polygon (in German, with what to choose).
    """
    from geo.readers import read_vector

    table = read_vector(path, layer=layer)
    frame = table.frame
    if not isinstance(frame, gpd.GeoDataFrame):  # pragma: no cover - read_vector gives one
        raise funding_areas.BoundaryError(f"{table.source}: die Datei hat keine Geometrie")
    shape = funding_areas.boundary_from_features(
        frame, store_crs=store_crs, feature=feature, dissolve=dissolve, source=table.source
    )
    return shape, frame


def new_concept_version(
    store: Store,
    user: User,
    values: Mapping[str, Any],
    *,
    copy_goals_from: str | None = None,
    today: dt.date | None = None,
) -> Saved:
    """Create a concept (a new ISEK/IHEK version), optionally with the goals of an earlier one.

    The goals and their targets of ``copy_goals_from`` are copied with new ids
    (``<new concept id>-<old id>``); the concept and every copy are stored in one
    transaction, each with its audit row, or nothing is.

    Raises
    ------
    PermissionDenied, RuleViolation, NotFound
    """
    require(user, editing.LAYER_ACTIONS["concepts"])
    day = today or dt.date.today()
    record = dict(values)
    with editing.changes(store, user) as ch:
        problems = _renewal_findings(ch.tx, "concepts", record, today=day)
        goals: list[dict[str, Any]] = []
        targets: list[dict[str, Any]] = []
        if copy_goals_from is not None:
            old = ch.get("concepts", {"id": copy_goals_from})
            if old.get("funding_area_id") != record.get("funding_area_id"):
                problems.append(
                    Finding(
                        "error",
                        "copy",
                        "concepts",
                        str(record.get("id")),
                        f"das Konzept „{copy_goals_from}“ gehört zu einer anderen "
                        "Gesamtmaßnahme; Ziele werden nur aus einem Konzept derselben "
                        "Gesamtmaßnahme übernommen",
                    )
                )
            old_goals = ch.tx.read("goals", where={"concept_id": copy_goals_from})
            old_targets = ch.tx.read("targets", where={"goal_id": old_goals["id"].tolist()})
            goals, targets = concepts.copy_goals(
                old_goals, old_targets, concept_id=str(record.get("id")), prefix=f"{record['id']}-"
            )
        warnings = raise_errors(problems, what=f"Konzept „{record.get('id')}“")
        stored = ch.create("concepts", record)
        for goal in goals:
            ch.create("goals", goal)
        for target in targets:
            ch.create("targets", target)
    return Saved(stored, tuple(warnings))


def remove_goal(store: Store, user: User, goal_id: str, *, expected_version: int) -> int:
    """Delete a goal with its targets and its links to measures, in one transaction.

    Returns the number of targets deleted with it.

    Raises
    ------
    PermissionDenied, EditConflict, NotFound
    """
    with editing.changes(store, user) as ch:
        targets = ch.tx.read("targets", where={"goal_id": goal_id})
        for tid, version in zip(targets["id"], targets["version"]):
            ch.delete("targets", {"id": tid}, expected_version=int(version))
        ch.replace_links("measure_goals", {"goal_id": goal_id}, [])
        ch.delete("goals", {"id": goal_id}, expected_version=expected_version)
    return len(targets)


def programme_list(store: Store, user: User) -> pd.DataFrame:
    """Return the programmes as a German table (predecessors by name)."""
    require(user, "read")
    return programmes_mod.programme_table(store.read("programmes"))


def conflict_text(exc: EditConflict, *, what: str) -> str:
    """Return the German message of an edit conflict: who changed which field when, what to do.

    Fields are named by their German titles, values and times written the German way.

    Examples
    --------
    >>> exc = EditConflict("x", layer="funding_areas", key={"id": "FA"}, expected_version=1,
    ...                    stored_version=2, changed_by="carla", changed_at="2025-03-01T10:00:00",
    ...                    differences={"name": ("Nordstadt", "Nordstadt-Ost")})
    >>> print(conflict_text(exc, what="Die Gesamtmaßnahme „FA“"))
    Die Gesamtmaßnahme „FA“ wurde inzwischen von carla geändert (am 01.03.2025, 11:00 Uhr; \
Ihre Version 1, gespeichert ist Version 2). Unterschiede: Name: Sie sahen „Nordstadt“, \
jetzt gespeichert „Nordstadt-Ost“. Nichts wurde gespeichert; laden Sie neu und ändern Sie \
noch einmal.
    """
    who = exc.changed_by or "jemand anderem"
    when = editing.stamp(exc.changed_at)
    if exc.stored_version is None:
        return render("edit.gone_since", what=what, when=when, who=who)
    layer = SCHEMA.layers.get(exc.layer)
    diffs = "; ".join(
        render(
            "edit.difference",
            field=editing.column_title(layer, name) if layer is not None else name,
            seen=editing.shown_value(a),
            stored=editing.shown_value(b),
        )
        for name, (a, b) in exc.differences.items()
    )
    return render(
        "edit.changed_since",
        what=what,
        when=when,
        who=who,
        expected=exc.expected_version,
        stored=exc.stored_version,
        differences=render("edit.differences", differences=diffs) if diffs else "",
    )


# --- measures and attachments ---------------------------------------------------------
#
# A planner keeps a measure in the app: created with its fields of action, goals,
# milestones and outputs in one transaction; edited (an amount changed by more than ×10
# asks for confirmation); archived or deleted with a reason that goes into the audit
# rows; its funding lines; its photos and documents, stored in the store itself.

MEASURE_PARTS: tuple[str, ...] = (
    "measure_fields",
    "measure_goals",
    "milestones",
    "measure_outputs",
    "funding_lines",
)
"""Layers whose rows belong to a measure (``measure_id``) and go when it is deleted."""


def _attachment_findings(tx: Transaction, record: dict[str, Any]) -> list[Finding]:
    out = attachments.check_attachment(record, limits=ATTACHMENT_LIMITS_ANY)
    owner = record.get("owner_layer")
    if owner in attachments.OWNER_LAYERS:
        out += _exists(
            tx,
            str(owner),
            "id",
            record.get("owner_id"),
            what=f"Datensatz in „{editing.LAYER_LABELS.get(str(owner), owner)}“",
        )
    return out


ATTACHMENT_LIMITS_ANY = attachments.AttachmentLimits(2**62)
"""The stored-record check does not judge size: the limit is the writer's setting."""


def _save_in(
    ch: editing.ChangeSet,
    layer: str,
    values: Mapping[str, Any],
    *,
    key: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
    seen: Mapping[str, Any] | None = None,
    today: dt.date,
) -> Saved:
    """Check and store one record inside an open change set (as :func:`save` does)."""
    lyr = editing.changeable_layer(layer)
    if key is None:
        before, record = None, dict(values)
    else:
        before = ch.get(layer, key)
        record = before | dict(values) | dict(key)
        if isinstance(record.get("geometry"), str):
            record["geometry"] = shapely.from_wkt(record["geometry"])
    what = editing.describe(lyr, {k: record.get(k) for k in lyr.key})
    warnings = raise_errors(_validate(ch, layer, record, before, today=today), what=what)
    if key is None:
        stored = ch.create(layer, record)
    else:
        stored = ch.update(layer, key, values, expected_version=expected_version, seen=seen)
    return Saved(stored, tuple(warnings))


def _links_in(
    ch: editing.ChangeSet,
    measure_id: str,
    *,
    fields: Sequence[str] | None,
    goals: Sequence[str] | None,
    today: dt.date,
) -> None:
    """Replace the fields of action and goals of a measure (None leaves them as they are)."""
    for layer, column, ids in (
        ("measure_fields", "field_id", fields),
        ("measure_goals", "goal_id", goals),
    ):
        if ids is None:
            continue
        rows = [{"measure_id": measure_id, column: i} for i in dict.fromkeys(ids)]
        known_layer = "fields_of_action" if layer == "measure_fields" else "goals"
        problems = [
            f
            for row in rows
            for f in _exists(
                ch.tx, known_layer, "id", row[column], what=editing.RECORD_LABELS[known_layer]
            )
        ]
        raise_errors(
            problems,
            what=f"„{editing.LAYER_LABELS[layer]}“ der Maßnahme „{measure_id}“",
        )
        ch.replace_links(layer, {"measure_id": measure_id}, rows)


def _confirm(found: Sequence[Any], *, confirmed: bool, what: str, layer: str) -> None:
    if found and not confirmed:
        listed = "; ".join(
            render(
                "confirm.change",
                field=editing.column_title(SCHEMA.layer(layer), c.field),
                old=german.euro(c.old),
                new=german.euro(c.new),
            )
            for c in found
        )
        raise ConfirmationNeeded(
            render("confirm.big_change", what=what, changes=listed), reasons=found
        )


def create_measure(
    store: Store,
    user: User,
    record: Mapping[str, Any],
    *,
    fields: Sequence[str] = (),
    goals: Sequence[str] = (),
    milestones: Sequence[Mapping[str, Any]] = (),
    outputs: Sequence[Mapping[str, Any]] = (),
    today: dt.date | None = None,
) -> Saved:
    """Create a measure with its fields of action, goals, milestones and outputs, all or nothing.

    Parameters
    ----------
    record
        The measure's fields; ``geometry`` a shapely geometry in the storage CRS.
    fields, goals
        Ids of the fields of action and goals the measure serves.
    milestones
        Rows with ``id``, ``title``, ``due_date``, ``done_date`` (``measure_id`` is set).
    outputs
        Rows with ``quantity``, ``unit``, ``planned``, ``actual``.

    Raises
    ------
    PermissionDenied, RuleViolation
        Nothing is stored when any part is refused.
    """
    require(user, "edit_funding")
    day = today or dt.date.today()
    with editing.changes(store, user) as ch:
        saved = _save_in(ch, "measures", record, today=day)
        mid = str(saved.record["id"])
        _links_in(ch, mid, fields=fields, goals=goals, today=day)
        found = list(saved.warnings)
        for row in milestones:
            found += _save_in(ch, "milestones", dict(row) | {"measure_id": mid}, today=day).warnings
        for row in outputs:
            found += _save_in(
                ch, "measure_outputs", dict(row) | {"measure_id": mid}, today=day
            ).warnings
    return Saved(saved.record, tuple(found))


def update_measure(
    store: Store,
    user: User,
    measure_id: str,
    values: Mapping[str, Any],
    *,
    expected_version: int,
    seen: Mapping[str, Any] | None = None,
    fields: Sequence[str] | None = None,
    goals: Sequence[str] | None = None,
    confirmed: bool = False,
    today: dt.date | None = None,
) -> Saved:
    """Change a measure (and, when given, its fields of action and goals) in one transaction.

    A geometry in ``values`` moves the measure. An amount changed by more than ×10
    needs ``confirmed=True``.

    Raises
    ------
    ConfirmationNeeded
        Listing the amounts changed by more than ×10; nothing was saved.
    EditConflict
        When someone else saved the measure since ``expected_version``.
    PermissionDenied, RuleViolation, NotFound
    """
    require(user, "edit_funding")
    day = today or dt.date.today()
    with editing.changes(store, user) as ch:
        before = ch.get("measures", {"id": measure_id})
        _confirm(  # a stale form gets the conflict, not the question
            measures.big_changes(before, values, measures.AMOUNT_COLUMNS),
            confirmed=confirmed or before["version"] != expected_version,
            what=f"Maßnahme „{measure_id}“",
            layer="measures",
        )
        saved = (
            _save_in(
                ch,
                "measures",
                values,
                key={"id": measure_id},
                expected_version=expected_version,
                seen=seen,
                today=day,
            )
            if values
            else Saved(before)
        )
        if not values and before["version"] != expected_version:
            # links alone: still refuse a stale form
            ch.update("measures", {"id": measure_id}, {}, expected_version=expected_version)
        _links_in(ch, measure_id, fields=fields, goals=goals, today=day)
    return saved


def archive_measure(
    store: Store,
    user: User,
    measure_id: str,
    *,
    reason: str | None,
    expected_version: int,
    archived: bool = True,
) -> dict[str, Any]:
    """Archive a measure with a reason (or bring it back with ``archived=False``).

    The reason is stored on the measure and written into the audit row.

    Raises
    ------
    RuleViolation
        When archiving without a reason.
    EditConflict, PermissionDenied, NotFound
    """
    require(user, "edit_funding")
    text = (reason or "").strip()
    if archived and not text:
        raise RuleViolation(
            f"Maßnahme „{measure_id}“: zum Archivieren braucht es einen Grund; geben Sie ihn an",
            problems=(
                f"Maßnahme „{measure_id}“: zum Archivieren braucht es einen Grund; geben Sie "
                "ihn an",
            ),
        )
    with editing.changes(store, user) as ch:
        ch.reason = text or None
        values = {"archived": archived, "archive_reason": text if archived else None}
        return ch.update("measures", {"id": measure_id}, values, expected_version=expected_version)


def delete_measure(
    store: Store, user: User, measure_id: str, *, reason: str, expected_version: int
) -> dict[str, Any]:
    """Delete a measure with everything that belongs to it; the reason goes into the audit rows.

    Its fields of action, goals, milestones, outputs, funding lines and attachments are
    deleted in the same transaction (each with its audit row), so nothing is left
    pointing at a measure that is gone.

    Raises
    ------
    RuleViolation
        Without a reason.
    EditConflict, PermissionDenied, NotFound
    """
    require(user, "edit_funding")
    text = (reason or "").strip()
    if not text:
        message = (
            f"Maßnahme „{measure_id}“: zum Löschen braucht es einen Grund; geben Sie ihn an "
            "(oder archivieren Sie die Maßnahme)"
        )
        raise RuleViolation(message, problems=(message,))
    with editing.changes(store, user) as ch:
        ch.reason = text
        before = ch.get("measures", {"id": measure_id})
        if before["version"] != expected_version:  # a stale form: the conflict, before any part
            ch.delete("measures", {"id": measure_id}, expected_version=expected_version)
        for layer in MEASURE_PARTS:
            lyr = SCHEMA.layer(layer)
            if not lyr.editable:
                ch.replace_links(layer, {"measure_id": measure_id}, [])
                continue
            rows = ch.tx.read(layer, where={"measure_id": measure_id})
            for _, row in rows.iterrows():
                key = {k: row[k] for k in lyr.key}
                ch.delete(layer, key, expected_version=int(row["version"]))
        files = ch.tx.read(
            "attachments",
            where={"owner_layer": "measures", "owner_id": measure_id},
            columns=["id", "version"],
        )
        for ident, version in zip(files["id"], files["version"]):
            ch.delete("attachments", {"id": ident}, expected_version=int(version))
        return ch.delete("measures", {"id": measure_id}, expected_version=expected_version)


def save_funding_line(
    store: Store,
    user: User,
    values: Mapping[str, Any],
    *,
    key: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
    seen: Mapping[str, Any] | None = None,
    confirmed: bool = False,
) -> Saved:
    """Create a funding line (no ``key``) or change one; ×10 changes of an amount need confirming.

    Raises
    ------
    ConfirmationNeeded, EditConflict, PermissionDenied, RuleViolation, NotFound
    """
    require(user, "edit_funding")
    if key is not None:
        stored = store.read("funding_lines", where=dict(key))
        before = editing.row_dict(stored) if len(stored) else None
        _confirm(
            measures.big_changes(before, values, funding.AMOUNTS),
            confirmed=confirmed or before is None or before["version"] != expected_version,
            what=f"Finanzierungszeile „{key.get('id')}“",
            layer="funding_lines",
        )
    return save(
        store, user, "funding_lines", values, key=key, expected_version=expected_version, seen=seen
    )


def add_attachment(
    store: Store,
    user: User,
    owner_layer: str,
    owner_id: str,
    content: bytes,
    *,
    filename: str,
    kind: str,
    title: str | None = None,
    limits: attachments.AttachmentLimits | None = None,
) -> Saved:
    """Attach a photo or document to a record; the file is stored in the store as Base64.

    The type is judged by the content (:func:`monitoring.renewal.attachments.sniff_media_type`),
    the size against ``limits`` (default 10 MB).

    Raises
    ------
    AttachmentRefused
        Too large, empty, of a type not accepted, or a photo that is not an image.
    PermissionDenied, RuleViolation
        Without the right to change the record, or when the record does not exist.
    """
    require(user, editing.LAYER_ACTIONS.get(owner_layer, "edit_settings"))
    record = attachments.prepare(
        content,
        ident=f"A-{uuid.uuid4().hex[:12]}",  # no race between two uploads at once
        owner_layer=owner_layer,
        owner_id=owner_id,
        filename=filename,
        kind=kind,
        title=title,
        limits=limits or attachments.AttachmentLimits(),
    )
    return save(store, user, "attachments", record)


def attachment_list(store: Store, user: User, owner_layer: str, owner_id: str) -> pd.DataFrame:
    """Return the attachments of a record without their content (id, kind, title, file, size)."""
    require(user, "read")
    columns = [c for c in SCHEMA.layer("attachments").column_names if c != "content_b64"]
    frame = store.read(
        "attachments", where={"owner_layer": owner_layer, "owner_id": owner_id}, columns=columns
    )
    return frame.sort_values("id", kind="stable").reset_index(drop=True)


def attachment_file(store: Store, user: User, attachment_id: str) -> tuple[dict[str, Any], bytes]:
    """Return an attachment's record and its file (checked against its SHA-256).

    Raises
    ------
    NotFound, AttachmentRefused
        When there is no such attachment, or its stored content is damaged.
    """
    require(user, "read")
    frame = store.read("attachments", where={"id": attachment_id})
    if frame.empty:
        raise NotFound(f"den Anhang „{attachment_id}“ gibt es nicht; prüfen Sie die Kennung")
    record = editing.row_dict(frame)
    return record, attachments.content_of(record)


def set_measure_parts(
    store: Store,
    user: User,
    measure_id: str,
    *,
    expected_version: int,
    milestones: Sequence[Mapping[str, Any]] | None = None,
    outputs: Sequence[Mapping[str, Any]] | None = None,
    today: dt.date | None = None,
) -> None:
    """Replace a measure's milestones and outputs by the rows given (None: leave as they are).

    Milestones keep their ids: a row with a known ``id`` changes that milestone (at its
    stored version), a row without an id is created, a milestone missing from the rows
    is deleted; each with its audit row, all in one transaction. ``expected_version``
    is the measure's version the user read (a stale form gets the conflict).

    Raises
    ------
    EditConflict, PermissionDenied, RuleViolation, NotFound
    """
    require(user, "edit_funding")
    day = today or dt.date.today()
    with editing.changes(store, user) as ch:
        measure = ch.get("measures", {"id": measure_id})
        if measure["version"] != expected_version:
            ch.update("measures", {"id": measure_id}, {}, expected_version=expected_version)
        if milestones is not None:
            stored = ch.tx.read("milestones", where={"measure_id": measure_id})
            old = {
                str(r["id"]): editing.row_dict(stored, i)
                for i, (_, r) in enumerate(stored.iterrows())
            }
            taken = set(ch.tx.read("milestones", columns=["id"])["id"])
            keep: set[str] = set()
            for row in milestones:
                values = {k: v for k, v in row.items() if k not in ("id", "measure_id")}
                ident = str(row.get("id") or "")
                if ident in old:
                    keep.add(ident)
                    changed = {
                        k: v for k, v in values.items() if editing.plain(v) != old[ident].get(k)
                    }
                    if changed:
                        _save_in(
                            ch,
                            "milestones",
                            changed,
                            key={"id": ident},
                            expected_version=int(old[ident]["version"]),
                            today=day,
                        )
                    continue
                ident = measures.next_id(taken, prefix="MS-", width=5)
                taken.add(ident)
                _save_in(
                    ch,
                    "milestones",
                    values | {"id": ident, "measure_id": measure_id},
                    today=day,
                )
            for ident, record in old.items():
                if ident not in keep:
                    ch.delete("milestones", {"id": ident}, expected_version=int(record["version"]))
        if outputs is not None:
            rows = [dict(r) | {"measure_id": measure_id} for r in outputs]
            problems = [
                Finding(
                    "error",
                    "quantity",
                    "measure_outputs",
                    measure_id,
                    f"Maßnahme „{measure_id}“: ein Output braucht eine Größe (z. B. "
                    "gruenflaeche_m2); tragen Sie sie ein",
                )
                for r in rows
                if not str(r.get("quantity") or "").strip()
            ]
            names = [str(r.get("quantity")) for r in rows]
            problems += [
                Finding(
                    "error",
                    "quantity",
                    "measure_outputs",
                    measure_id,
                    f"Maßnahme „{measure_id}“: der Output „{n}“ steht doppelt in der Liste; "
                    "behalten Sie eine Zeile",
                )
                for n in sorted({n for n in names if names.count(n) > 1})
            ]
            raise_errors(problems, what=f"Output der Maßnahme „{measure_id}“")
            ch.replace_links("measure_outputs", {"measure_id": measure_id}, rows)


# --- neighbourhood management ---------------------------------------------------------
# The use cases of a neighbourhood manager's week: actors with consent and anonymisation,
# applications of resident projects, decisions, payments and proofs of use of the local
# funds, activities with their organisers, and the figures the page shows.


def _decision_links(tx: Transaction, record: dict[str, Any]) -> list[Finding]:
    """Check a decision's references and that its payments stay within it."""
    out: list[Finding] = []
    for column, layer, what in (
        ("application_id", "applications", "Antrag"),
        ("project_id", "projects", "Bewohnerprojekt"),
        ("body_id", "bodies", "Gremium"),
    ):
        out += _exists(tx, layer, "id", record.get(column), what=what)
    paid = tx.read("fund_payments", where={"decision_id": record.get("id")})
    if not len(paid):
        return out
    total = float(pd.to_numeric(paid["amount"]).sum())
    did = record.get("id")
    if not payments.is_positive(record.get("outcome")):
        out.append(
            Finding(
                "error",
                "paid",
                "fund_decisions",
                str(did),
                f"Entscheidung {did!r}: darauf wurden schon {german_number(total, decimals=2)} € "
                "ausgezahlt; "
                "sie kann nicht mehr abgelehnt werden (buchen Sie erst die Auszahlungen zurück)",
            )
        )
    elif total > float(record.get("amount") or 0.0) + 0.005:
        out.append(
            Finding(
                "error",
                "paid",
                "fund_decisions",
                str(did),
                f"Entscheidung {did!r}: ausgezahlt sind schon {german_number(total, decimals=2)} €,"
                f" mehr als der neue Betrag "
                f"{german_number(float(record.get('amount') or 0.0), decimals=2)} €",
            )
        )
    return out


def _payment_change(tx: Transaction, record: dict[str, Any]) -> list[Finding]:
    """Check a payment against its decision (positive, not exceeded) and its fund."""
    did = record.get("decision_id")
    found = tx.read("fund_decisions", where={"id": did}) if did is not None else None
    decision = editing.row_dict(found) if found is not None and len(found) else None
    earlier = tx.read("fund_payments", where={"decision_id": did}) if decision else pd.DataFrame()
    return payments.check_payment(record, decision, earlier) + _exists(
        tx, "local_funds", "id", record.get("fund_id"), what="Verfügungsfonds"
    )


def _application_change(tx: Transaction, record: dict[str, Any]) -> list[Finding]:
    """Check an application and that its project (and fund) exist."""
    return (
        applications.check_application(record)
        + _exists(tx, "projects", "id", record.get("project_id"), what="Bewohnerprojekt")
        + _exists(tx, "local_funds", "id", record.get("fund_id"), what="Verfügungsfonds")
    )


def anonymise_actor(
    store: Store, user: User, actor_id: str, *, expected_version: int
) -> dict[str, Any]:
    """Anonymise an actor on request (GDPR): name, contact data and notes erased.

    The record stays with its links (participation, decisions, activity partners);
    ``anonymised_at`` records when. The audit log keeps no erased value: see
    :meth:`monitoring.editing.ChangeSet.erase`.

    Raises
    ------
    PermissionDenied, EditConflict, NotFound
    """
    require(user, editing.LAYER_ACTIONS["actors"])
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    with editing.changes(store, user) as ch:
        return ch.erase(
            "actors",
            {"id": actor_id},
            actors_mod.anonymised_values(now),
            expected_version=expected_version,
        )


def save_activity(
    store: Store,
    user: User,
    values: Mapping[str, Any],
    organisers: Sequence[str],
    *,
    key: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
    seen: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> Saved:
    """Create or change an activity and set its organisers (actors), in one transaction.

    ``seen`` is the activity as the user saw it, for a precise conflict message.

    Raises
    ------
    PermissionDenied, RuleViolation, EditConflict, NotFound
        As for :func:`save`; an unknown organiser is a rule violation.
    """
    require(user, editing.LAYER_ACTIONS["activities"])
    day = today or dt.date.today()
    with editing.changes(store, user) as ch:
        before = None if key is None else ch.get("activities", key)
        record = dict(values) if before is None else before | dict(values) | dict(key or {})
        if isinstance(record.get("geometry"), str):
            record["geometry"] = shapely.from_wkt(record["geometry"])
        found = _validate(ch, "activities", record, before, today=day)
        for actor in organisers:
            found += _exists(ch.tx, "actors", "id", actor, what="Akteur")
        warnings = raise_errors(found, what=f"Aktivität „{record.get('id')}“")
        if key is None:
            stored = ch.create("activities", record)
        else:
            stored = ch.update(
                "activities", key, values, expected_version=expected_version, seen=seen
            )
        aid = stored["id"]
        ch.replace_links(
            "activity_partners",
            {"activity_id": aid},
            [{"activity_id": aid, "actor_id": a} for a in dict.fromkeys(organisers)],
        )
    return Saved(stored, tuple(warnings))


def decide_application(
    store: Store,
    user: User,
    decision: Mapping[str, Any],
    *,
    today: dt.date | None = None,
) -> Saved:
    """Record a body's decision on an application to a local fund, in one transaction.

    The decision (``fund_decisions``, with ``application_id``, outcome and votes) is
    stored, and the application takes its outcome: ``bewilligt`` with the granted
    amount, or ``abgelehnt``. A postponed decision (``zurückgestellt``) leaves the
    application as it is.

    Raises
    ------
    PermissionDenied, RuleViolation, EditConflict, NotFound
    """
    require(user, editing.LAYER_ACTIONS["fund_decisions"])
    day = today or dt.date.today()
    record = dict(decision)
    with editing.changes(store, user) as ch:
        app = ch.get("applications", {"id": record.get("application_id")})
        if not app.get("fund_id"):
            raise RuleViolation(
                f"Antrag {app['id']!r} richtet sich an {app.get('source_name') or 'keinen Fonds'}, "
                "nicht an einen lokalen Fonds; über ihn entscheidet kein Gremium des Quartiers "
                "(ändern Sie stattdessen seinen Status)"
            )
        record.setdefault("fund_id", app.get("fund_id"))
        record.setdefault("project_id", app.get("project_id"))
        found = _validate(ch, "fund_decisions", record, None, today=day)
        warnings = raise_errors(found, what=f"Entscheidung „{record.get('id')}“")
        stored = ch.create("fund_decisions", record)
        outcome = record.get("outcome")
        if outcome in ("bewilligt", "abgelehnt"):
            change: dict[str, Any] = {"status": outcome}
            change["granted"] = record.get("amount") if outcome == "bewilligt" else None
            after = app | change
            warnings += raise_errors(
                _validate(ch, "applications", after, app, today=day),
                what=f"Antrag {app['id']!r}",
            )
            ch.update("applications", {"id": app["id"]}, change, expected_version=app["version"])
    return Saved(stored, tuple(warnings))


def fund_status(store: Store, user: User, fund_id: str) -> dict[str, Any]:
    """Return a fund's money (see :func:`monitoring.neighbourhood.payments.fund_balance`)
    and its ledger frames: ``balance``, ``income``, ``decisions``, ``payments``,
    ``applications``.

    Raises
    ------
    PermissionDenied, NotFound
    """
    require(user, "read")
    if store.read("local_funds", where={"id": fund_id}).empty:
        raise NotFound(f"den Verfügungsfonds „{fund_id}“ gibt es nicht; prüfen Sie die Kennung")
    income = store.read("fund_income", where={"fund_id": fund_id})
    decisions = store.read("fund_decisions", where={"fund_id": fund_id})
    paid = store.read("fund_payments", where={"fund_id": fund_id})
    return {
        "balance": payments.fund_balance(income, decisions, paid),
        "income": income,
        "decisions": decisions,
        "payments": paid,
        "applications": store.read("applications", where={"fund_id": fund_id}),
    }


def area_applications(store: Store, user: User, area_id: str) -> pd.DataFrame:
    """Return the applications of the area's projects, with the project's title."""
    require(user, "read")
    projs = store.read("projects", where={"funding_area_id": area_id}, columns=["id", "title"])
    apps = store.read("applications", where={"project_id": projs["id"].tolist()})
    titles = dict(zip(projs["id"], projs["title"]))
    return apps.assign(project_title=apps["project_id"].map(titles))


def open_deadlines(
    store: Store, user: User, area_id: str, *, today: dt.date | None = None
) -> pd.DataFrame:
    """Return the area's applications with an open deadline, soonest first, overdue marked."""
    apps = area_applications(store, user, area_id)
    return applications.open_deadlines(apps, today=today or dt.date.today())


def activity_figures(store: Store, user: User, area_id: str) -> dict[str, pd.DataFrame]:
    """Return the area's activities per year (``years``) and per year and kind (``kinds``)."""
    require(user, "read")
    acts = store.read("activities", where={"funding_area_id": area_id})
    return {
        "years": activities.year_totals(acts),
        "kinds": activities.activities_by_year(acts),
    }


def qm_actors(store: Store, user: User, area_id: str) -> pd.DataFrame:
    """Return the area's actors as the user may see them.

    Without the right to personal data, contact data is masked and private persons'
    names and everyone's notes are hidden as well.
    """
    frame = area_actors(store, user, area_id)
    return frame if user.may("read_personal") else actors_mod.hide_persons(frame)


def qm_network(
    store: Store,
    user: User,
    area_id: str,
    *,
    types: Sequence[str] = (),
    around: str | None = None,
) -> dict[str, Any]:
    """Return the (filtered) actor network with a stable layout, as the user may see it.

    Returns
    -------
    dict
        ``actors`` (:func:`network.network_table`), ``links``
        (:func:`network.links_table`) and ``positions`` (actor id -> (x, y) inches).
    """
    shown = qm_actors(store, user, area_id)
    full = actor_network(store, user, area_id)
    graph = nx.Graph()
    for aid, name, kind in zip(shown["id"], shown["name"], shown["type"]):
        graph.add_node(aid, name=name, type=kind)
    for a, b, w, via in full["links"].itertuples(index=False):
        graph.add_edge(a, b, weight=int(w), via=str(via).split(", "))
    part = network.subnetwork(graph, types=types, around=around)
    return {
        "actors": network.network_table(part),
        "links": network.links_table(part),
        "positions": network.network_layout(part),
    }
