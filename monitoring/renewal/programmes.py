"""Funding programmes: the checks of a programme record and its predecessor links.

A programme is data, not code (../shared/DOMAIN.md §1): the federal programmes ship
with the store (:mod:`monitoring.defaults`), a Land or a city adds its own. A
programme names its main predecessor (``predecessor_id``); a programme that was merged
into a new one names that one (``successor_id``), so a merge of two programmes
(Stadtumbau Ost and West, Aktive Zentren and Denkmalschutz) keeps both links.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from geo.municipality import LAENDER as LAENDER_BY_KEY
from monitoring.findings import Finding

LAENDER: tuple[str, ...] = tuple(sorted(LAENDER_BY_KEY.values()))
"""The 16 Länder, as a Land programme names its Land."""

FIRST_YEAR = 1971
"""The first programme year of Städtebauförderung (Städtebauförderungsgesetz 1971)."""

_ID = re.compile(r"^[a-z0-9][a-z0-9_]{1,59}$")


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _yes(value: Any) -> bool:
    return not _missing(value) and bool(value)


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value).strip()


def check_programme(
    record: Mapping[str, Any], *, programmes: pd.DataFrame, last_year: int
) -> list[Finding]:
    """Check a programme: id, name, years, Land, and links to programmes that exist.

    Parameters
    ----------
    record
        The programme as it would be stored.
    programmes
        The stored programmes (``id, predecessor_id, successor_id``), the record's
        own old version included when it is changed.
    last_year
        The latest plausible programme year (e.g. this year + 10).

    Returns
    -------
    list[Finding]
        Errors in German; empty when the programme may be stored.

    Examples
    --------
    >>> known = pd.DataFrame({"id": ["soziale_stadt"], "predecessor_id": [None],
    ...                       "successor_id": [None]})
    >>> rec = {"id": "nrw_quartiere", "name": "Starke Quartiere", "since_year": 2021,
    ...        "until_year": 2019, "predecessor_id": "stadtumbau", "land": "NRW"}
    >>> [f.code for f in check_programme(rec, programmes=known, last_year=2036)]
    ['years', 'land', 'predecessor']
    """
    rid = _text(record.get("id"))
    out: list[Finding] = []

    def add(code: str, message: str) -> None:
        out.append(Finding("error", code, "programmes", rid, f"Programm „{rid}“: {message}"))

    if not _ID.match(rid):
        add(
            "id",
            "die Kennung muss aus 2 bis 60 Kleinbuchstaben, Ziffern oder Unterstrichen "
            "bestehen (ohne Umlaute), z. B. „nrw_starke_quartiere“",
        )
    if not _text(record.get("name")):
        add("name", "der Name fehlt; geben Sie den Namen des Programms ein")
    years: dict[str, Any] = {k: record.get(k) for k in ("since_year", "until_year")}
    for key, label in (("since_year", "seit"), ("until_year", "bis")):
        value = years[key]
        if not _missing(value) and not FIRST_YEAR <= int(value) <= last_year:
            add(
                "years",
                f"das Jahr „{label}“ {int(value)} liegt nicht zwischen {FIRST_YEAR} "
                f"und {last_year}; geben Sie ein Programmjahr an",
            )
    since, until = years["since_year"], years["until_year"]
    if not _missing(since) and not _missing(until) and int(since) > int(until):
        add("years", f"„seit“ {int(since)} liegt nach „bis“ {int(until)}; tauschen Sie die Jahre")
    land = _text(record.get("land"))
    if land and land not in LAENDER:
        add("land", f"„{land}“ ist kein Land; erlaubt sind: {', '.join(LAENDER)}")
    if land and _yes(record.get("federal")):
        add(
            "land",
            "ein Bund-Länder-Programm gehört keinem einzelnen Land; lassen Sie das Land "
            "leer oder legen Sie es als Landesprogramm an",
        )
    known = set(programmes["id"]) if len(programmes) else set()
    for key, label in (("predecessor_id", "Vorgängerprogramm"), ("successor_id", "Nachfolger")):
        other = _text(record.get(key))
        if not other:
            continue
        if other == rid:
            add(key.removesuffix("_id"), f"ein Programm ist nicht sein eigener {label}")
        elif other not in known:
            add(
                key.removesuffix("_id"),
                f"{label} „{other}“ gibt es nicht; bekannt sind: "
                f"{', '.join(sorted(known)) or 'keine'} (qmon programmes list zeigt sie)",
            )
    if not out and _cycle(record, programmes):
        add(
            "cycle",
            "die Vorgänger-Verweise bilden einen Kreis; ein Programm kann nicht "
            "(auch nicht über andere) sein eigener Vorgänger sein",
        )
    return out


def _cycle(record: Mapping[str, Any], programmes: pd.DataFrame) -> bool:
    """Return whether the links, with ``record`` stored, lead back to the record."""
    links: dict[str, set[str]] = {}
    rows = programmes[programmes["id"] != record.get("id")] if len(programmes) else programmes
    rows_list: list[Mapping[Any, Any]] = [*rows.to_dict("records"), dict(record)]
    for row in rows_list:
        pid = _text(row.get("id"))
        before = _text(row.get("predecessor_id"))
        after = _text(row.get("successor_id"))
        if before:
            links.setdefault(pid, set()).add(before)
        if after:
            links.setdefault(after, set()).add(pid)
    start = _text(record.get("id"))
    todo, seen = list(links.get(start, ())), set()
    while todo:
        pid = todo.pop()
        if pid == start:
            return True
        if pid not in seen:
            seen.add(pid)
            todo.extend(links.get(pid, ()))
    return False


def predecessors(programmes: pd.DataFrame, programme_id: str) -> list[str]:
    """Return the direct predecessors of a programme (its own link and merged ones).

    Examples
    --------
    >>> from monitoring.defaults import default_programmes
    >>> predecessors(default_programmes(), "stadtumbau")
    ['stadtumbau_ost', 'stadtumbau_west']
    >>> predecessors(default_programmes(), "lebendige_zentren")
    ['aktive_zentren', 'staedtebaulicher_denkmalschutz']
    """
    own = programmes.loc[programmes["id"] == programme_id, "predecessor_id"].dropna()
    merged = programmes.loc[programmes["successor_id"] == programme_id, "id"]
    return sorted({str(p) for p in [*own, *merged] if str(p)})


def lineage(programmes: pd.DataFrame, programme_id: str) -> list[str]:
    """Return every earlier programme of a programme, nearest first (then by id).

    Examples
    --------
    >>> from monitoring.defaults import default_programmes
    >>> lineage(default_programmes(), "wachstum_nachhaltige_erneuerung")
    ['stadtumbau', 'stadtumbau_ost', 'stadtumbau_west']
    """
    out: list[str] = []
    level = predecessors(programmes, programme_id)
    while level:
        level = [p for p in level if p not in out and p != programme_id]
        out += level
        level = sorted({q for p in level for q in predecessors(programmes, p)})
    return out


def programme_table(programmes: pd.DataFrame) -> pd.DataFrame:
    """Return the programmes as a table with German headers, predecessors by name.

    Examples
    --------
    >>> from monitoring.defaults import default_programmes
    >>> t = programme_table(default_programmes()).set_index("Kennung")
    >>> t.loc["stadtumbau", "Vorgänger"]
    'Stadtumbau Ost, Stadtumbau West'
    >>> t.loc["soziale_stadt", "Zeitraum"], t.loc["sozialer_zusammenhalt", "Zeitraum"]
    ('1999–2019', 'seit 2020')
    """
    names = dict(zip(programmes["id"], programmes["name"]))

    def span(since: Any, until: Any) -> str:
        if _missing(since):
            return "" if _missing(until) else f"bis {int(until)}"
        return f"seit {int(since)}" if _missing(until) else f"{int(since)}–{int(until)}"

    def kind(row: Mapping[Any, Any]) -> str:
        if _text(row.get("land")):
            return f"Landesprogramm ({row['land']})"
        return "Bund-Länder-Programm" if _yes(row.get("federal")) else "sonstiges Programm"

    rows = []
    for row in programmes.sort_values("id").to_dict("records"):
        pid = str(row["id"])
        successor = _text(row.get("successor_id"))
        rows.append(
            {
                "Kennung": pid,
                "Name": row["name"],
                "Zeitraum": span(row.get("since_year"), row.get("until_year")),
                "Art": kind(row),
                "Vorgänger": ", ".join(names.get(p, p) for p in predecessors(programmes, pid)),
                "Nachfolger": names.get(successor, successor),
            }
        )
    columns = ["Kennung", "Name", "Zeitraum", "Art", "Vorgänger", "Nachfolger"]
    return pd.DataFrame(rows, columns=columns)
