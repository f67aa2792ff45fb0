"""The grant procedure as a user does it: read the KuF, freeze it, keep notices and drawdowns.

Every read checks the right ``read``; every write goes through the one writing path
(:func:`monitoring.services.save` / :class:`monitoring.editing.ChangeSet`: role,
record rules, version, audit row in the same transaction). The app's Förderung page
and the ``qmon`` commands (``kuf``, ``deadlines``, ``verwendungsnachweis``,
``sachbericht``, ``notice``, ``drawdown``) call these functions and nothing below them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from monitoring import editing, services
from monitoring.auth import User, require
from monitoring.errors import NotFound, RuleViolation
from monitoring.grants import notices as notice_rules
from monitoring.grants.cost_groups import CostCatalogue, catalogue_for
from monitoring.grants.kuf import FORMAT_VERSION, Kuf, compute_kuf, kuf_from_dict

if TYPE_CHECKING:
    from geo.store.base import Store

_NO_GEOMETRY = ["id", "title", "cost_group", "funding_area_id", "status", "start_date", "end_date"]


def cost_catalogue(
    store: Store, user: User, area_id: str, *, path: str | Path | None = None
) -> CostCatalogue:
    """The cost groups of a funding area (its Land's variant, else the default; or ``path``)."""
    area = services.funding_area(store, user, area_id)
    return catalogue_for(area.get("ags"), path=path)


def kuf(
    store: Store,
    user: User,
    area_id: str,
    *,
    year: int | None = None,
    catalogue: CostCatalogue | None = None,
) -> Kuf:
    """Compute the KuF of a funding area from what is stored now.

    Raises
    ------
    PermissionDenied, NotFound
    """
    area = services.funding_area(store, user, area_id)  # checks the right to read
    ms, lines, revenues = _kuf_rows(store, area_id)
    cat = catalogue or catalogue_for(area.get("ags"))
    return compute_kuf(area, ms, lines, revenues, cat, year=year)


def _kuf_rows(store: Store, area_id: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The rows a KuF is made from: the area's measures, their funding lines, its revenues."""
    ms = store.read("measures", where={"funding_area_id": area_id}, columns=_NO_GEOMETRY)
    lines = store.read("funding_lines", where={"measure_id": ms["id"].tolist()})
    return ms, lines, store.read("revenues", where={"funding_area_id": area_id})


# --- frozen versions --------------------------------------------------------------------


def kuf_versions(store: Store, user: User, area_id: str) -> pd.DataFrame:
    """The frozen versions of a funding area's KuF, newest first (without their payload)."""
    require(user, "read")
    found = store.read(
        "kuf_versions",
        where={"funding_area_id": area_id},
        columns=["id", "funding_area_id", "purpose", "frozen_at", "frozen_by", "fingerprint"],
    )
    return _newest_first(found)


def _newest_first(versions: pd.DataFrame) -> pd.DataFrame:
    """Versions by their number (``AREA/KuF/n``), newest first: two may share a second."""
    number = versions["id"].astype(str).str.rsplit("/", n=1).str[-1]
    order = pd.to_numeric(number, errors="coerce").fillna(0)
    return (
        versions.assign(_n=order)
        .sort_values("_n", ascending=False)
        .drop(columns="_n")
        .reset_index(drop=True)
    )


def load_kuf_version(store: Store, user: User, version_id: str) -> Kuf:
    """Read back a frozen KuF.

    Raises
    ------
    NotFound
        For an unknown version (the message names it).
    """
    require(user, "read")
    found = store.read("kuf_versions", where={"id": version_id})
    if not len(found):
        raise NotFound(
            f"Die KuF-Fassung „{version_id}“ gibt es nicht; „qmon kuf --versions“ listet die "
            "festgeschriebenen Fassungen"
        )
    row = found.iloc[0]
    data = json.loads(row["payload"])
    data["frozen"] = {
        "id": row["id"],
        "purpose": row["purpose"],
        "frozen_at": str(row["frozen_at"]),
        "frozen_by": row["frozen_by"],
    }
    return kuf_from_dict(data)


def _freeze_in(
    ch: editing.ChangeSet, computed: Kuf, *, purpose: str, now: dt.datetime
) -> dict[str, Any]:
    """Store ``computed`` as a new version unless the latest has the same fingerprint."""
    stored = ch.tx.read(
        "kuf_versions",
        where={"funding_area_id": computed.area_id},
        columns=["id", "fingerprint", "frozen_at", "purpose", "frozen_by"],
    )
    if len(stored):
        latest = _newest_first(stored).iloc[0]
        if latest["fingerprint"] == computed.fingerprint:
            return {k: latest[k] for k in stored.columns}
    record = {
        "id": f"{computed.area_id}/KuF/{len(stored) + 1}",
        "funding_area_id": computed.area_id,
        "purpose": purpose,
        "frozen_at": pd.Timestamp(now.replace(microsecond=0)),
        "frozen_by": ch.user.name,
        "fingerprint": computed.fingerprint,
        "payload": json.dumps(computed.to_dict(), ensure_ascii=False, sort_keys=True),
        "format_version": FORMAT_VERSION,
    }
    return ch.append("kuf_versions", record)


def freeze_kuf(
    store: Store,
    user: User,
    area_id: str,
    *,
    purpose: str,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Freeze the current KuF of a funding area as a version; return the version record.

    When nothing changed since the latest version (same fingerprint), that version is
    returned and nothing new is stored.

    Raises
    ------
    PermissionDenied
        Without the right ``edit_funding``.
    """
    require(user, "edit_funding")
    computed = kuf(store, user, area_id)
    with editing.changes(store, user) as ch:
        return _freeze_in(ch, computed, purpose=purpose, now=now or dt.datetime.now())


# --- applications -------------------------------------------------------------------------


def submit_application(
    store: Store,
    user: User,
    area_id: str,
    *,
    programme_year: int,
    programme_id: str | None = None,
    submitted: dt.date | None = None,
    notes: str | None = None,
    application_id: str | None = None,
    now: dt.datetime | None = None,
) -> services.Saved:
    """Record a Förderantrag and freeze the KuF it is based on, in one transaction."""
    require(user, "edit_funding")
    computed = kuf(store, user, area_id)
    when = now or dt.datetime.now()
    with editing.changes(store, user) as ch:
        version = _freeze_in(ch, computed, purpose=f"Förderantrag {programme_year}", now=when)
        ident = application_id or f"{area_id}/Antrag/{programme_year}"
        number = 1
        while ch.read("grant_applications", {"id": ident}) is not None:
            number += 1
            ident = f"{area_id}/Antrag/{programme_year}-{number}"
        record = {
            "id": ident,
            "funding_area_id": area_id,
            "programme_id": programme_id,
            "programme_year": int(programme_year),
            "submitted": pd.Timestamp(submitted or when.date()),
            "kuf_version_id": version["id"],
            "notes": notes,
        }
        return services._save_in(ch, "grant_applications", record, today=when.date())


def applications(store: Store, user: User, area_id: str) -> pd.DataFrame:
    """The Förderanträge of a funding area, newest programme year first."""
    require(user, "read")
    found = store.read("grant_applications", where={"funding_area_id": area_id})
    return found.sort_values(["programme_year", "id"], ascending=False).reset_index(drop=True)


def application_annex(store: Store, user: User, application_id: str) -> tuple[dict, Kuf]:
    """The application and the frozen KuF it is based on (its annex: ``kuf.annex(year)``)."""
    require(user, "read")
    found = store.read("grant_applications", where={"id": application_id})
    if not len(found):
        raise NotFound(f"Den Förderantrag „{application_id}“ gibt es nicht")
    record = editing.row_dict(found)
    if not record.get("kuf_version_id"):
        raise RuleViolation(
            f"Der Förderantrag „{application_id}“ nennt keine KuF-Fassung; stellen Sie ihn "
            "über „Förderantrag stellen“, das die KuF festschreibt"
        )
    return record, load_kuf_version(store, user, str(record["kuf_version_id"]))


# --- notices and drawdowns -----------------------------------------------------------------


def notices(store: Store, user: User, area_id: str | None = None) -> pd.DataFrame:
    """The grant notices (of one funding area), with ``grant`` and ``drawn`` added."""
    require(user, "read")
    where = {"funding_area_id": area_id} if area_id is not None else None
    found = store.read("grant_notices", where=where)
    found = found.sort_values(["programme_year", "notice_date", "id"]).reset_index(drop=True)
    drawn = notice_rules.drawn_by_notice(
        store.read("drawdowns", where={"notice_id": found["id"].tolist()})
    )
    found["grant"] = [notice_rules.grant(r) for r in found.to_dict(orient="records")]
    found["drawn"] = [drawn.get(str(i), 0.0) for i in found["id"]]
    found["undrawn"] = (found["grant"] - found["drawn"]).round(2)
    return found


def notice_measures(store: Store, user: User, notice_id: str) -> list[str]:
    """The IDs of the measures a notice funds."""
    require(user, "read")
    links = store.read("notice_measures", where={"notice_id": notice_id})
    return sorted(links["measure_id"].astype(str))


def drawdowns(store: Store, user: User, notice_id: str) -> pd.DataFrame:
    """The drawdowns of a notice, by date."""
    require(user, "read")
    found = store.read("drawdowns", where={"notice_id": notice_id})
    return found.sort_values(["requested", "id"]).reset_index(drop=True)


def next_notice_id(store: Store, area_id: str) -> str:
    """A free ID for a new notice of the area (``AREA/ZB/n``)."""
    ids = set(store.read("grant_notices", columns=["id"])["id"].astype(str))
    n = 1
    while f"{area_id}/ZB/{n}" in ids:
        n += 1
    return f"{area_id}/ZB/{n}"


def save_notice(
    store: Store,
    user: User,
    values: Mapping[str, Any],
    *,
    key: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
    seen: Mapping[str, Any] | None = None,
    measure_ids: Sequence[str] | None = None,
    today: dt.date | None = None,
) -> services.Saved:
    """Create or change a notice and (if given) the measures it funds, in one transaction.

    The measures must belong to the notice's funding area.

    Raises
    ------
    PermissionDenied, RuleViolation, EditConflict, NotFound
        As :func:`monitoring.services.save`.
    """
    require(user, "edit_funding")
    day = today or dt.date.today()
    with editing.changes(store, user) as ch:
        saved = services._save_in(
            ch,
            "grant_notices",
            values,
            key=key,
            expected_version=expected_version,
            seen=seen,
            today=day,
        )
        if measure_ids is not None:
            _link_in(ch, saved.record, measure_ids)
        return saved


def _link_in(ch: editing.ChangeSet, notice: Mapping[str, Any], measure_ids: Sequence[str]) -> None:
    ids = list(dict.fromkeys(str(m) for m in measure_ids))
    area_id = notice["funding_area_id"]
    found = ch.tx.read("measures", where={"id": ids}, columns=["id", "funding_area_id"])
    of_area = dict(zip(found["id"].astype(str), found["funding_area_id"]))
    problems = []
    for mid in ids:
        if mid not in of_area:
            problems.append(f"die Maßnahme „{mid}“ gibt es nicht")
        elif of_area[mid] != area_id:
            problems.append(
                f"die Maßnahme „{mid}“ gehört zur Gesamtmaßnahme „{of_area[mid]}“, nicht zu "
                f"„{area_id}“"
            )
    if problems:
        raise RuleViolation(
            f"Zuwendungsbescheid „{notice.get('file_number') or notice['id']}“ – nicht "
            f"gespeichert: {'; '.join(problems)}; wählen Sie Maßnahmen dieser Gesamtmaßnahme",
            problems=tuple(problems),
        )
    rows = [{"notice_id": notice["id"], "measure_id": m} for m in ids]
    ch.replace_links("notice_measures", {"notice_id": notice["id"]}, rows)


def add_drawdown(
    store: Store,
    user: User,
    notice_id: str,
    *,
    amount: float,
    requested: dt.date,
    received: dt.date | None = None,
    purpose: str | None = None,
    drawdown_id: str | None = None,
    today: dt.date | None = None,
) -> services.Saved:
    """Record a drawdown against a notice; refused (German) above what is left of the grant."""
    require(user, "edit_funding")
    if drawdown_id is None:
        taken = set(store.read("drawdowns", where={"notice_id": notice_id}, columns=["id"])["id"])
        n = len(taken) + 1
        while f"{notice_id}/MA/{n}" in taken:
            n += 1
        drawdown_id = f"{notice_id}/MA/{n}"
    record = {
        "id": drawdown_id,
        "notice_id": notice_id,
        "amount": float(amount),
        "requested": pd.Timestamp(requested),
        "received": pd.Timestamp(received) if received else None,
        "purpose": purpose,
    }
    return services.save(store, user, "drawdowns", record, today=today)


# --- deadlines and the statement of use ---------------------------------------------------


def deadlines(
    store: Store,
    user: User,
    *,
    area_id: str | None = None,
    today: dt.date | None = None,
    horizon_days: int = notice_rules.HORIZON_DAYS,
) -> pd.DataFrame:
    """Missed and coming deadlines of the notices (:func:`monitoring.grants.notices.deadlines`)."""
    require(user, "read")
    where = {"funding_area_id": area_id} if area_id is not None else None
    found = store.read("grant_notices", where=where)
    ids = found["id"].tolist()
    links = store.read("notice_measures", where={"notice_id": ids})
    ms = store.read(
        "measures", where={"id": links["measure_id"].tolist()}, columns=["id", "status"]
    )
    return notice_rules.deadlines(
        found,
        store.read("drawdowns", where={"notice_id": ids}),
        links,
        ms,
        today=today or dt.date.today(),
        horizon_days=horizon_days,
    )


@dataclass(frozen=True)
class Statement:
    """The numerical part of a statement of use (Zwischen- or Schlussabrechnung)."""

    area: Mapping[str, Any]
    year: int | None
    final: bool
    table: pd.DataFrame
    drawdowns: pd.DataFrame
    kuf: Kuf
    fingerprint: str

    @property
    def title(self) -> str:
        kind = "Schlussabrechnung" if self.final else "Zwischenabrechnung"
        until = f" bis Programmjahr {self.year}" if self.year is not None else ""
        return f"Verwendungsnachweis ({kind}){until}: {self.area.get('name') or self.area['id']}"


def statement(
    store: Store, user: User, area_id: str, *, year: int | None = None, final: bool = False
) -> Statement:
    """Compare approved, drawn and spent per notice of a funding area (up to programme ``year``).

    The fingerprint covers the notices, their drawdowns and links and the KuF's inputs.
    """
    area = services.funding_area(store, user, area_id)
    found = store.read("grant_notices", where={"funding_area_id": area_id})
    if year is not None:
        found = found[pd.to_numeric(found["programme_year"]) <= int(year)]
    ids = found["id"].tolist()
    links = store.read("notice_measures", where={"notice_id": ids})
    draws = store.read("drawdowns", where={"notice_id": ids})
    ms, lines, revenues = _kuf_rows(store, area_id)
    table = notice_rules.statement_of_use(found, draws, links, lines)
    computed = compute_kuf(area, ms, lines, revenues, catalogue_for(area.get("ags")), year=year)
    blob = json.dumps(
        {
            "kuf": computed.fingerprint,
            "notices": found.drop(columns=["geometry"], errors="ignore")
            .sort_values("id")
            .astype(str)
            .to_dict(orient="records"),
            "drawdowns": draws.sort_values("id").astype(str).to_dict(orient="records"),
            "links": links.sort_values(["notice_id", "measure_id"])
            .astype(str)
            .to_dict(orient="records"),
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return Statement(
        area={k: v for k, v in area.items() if k != "geometry"},
        year=year,
        final=final,
        table=table,
        drawdowns=draws.sort_values(["notice_id", "requested"]).reset_index(drop=True),
        kuf=computed,
        fingerprint=hashlib.sha256(blob.encode("utf-8")).hexdigest(),
    )
