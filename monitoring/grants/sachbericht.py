"""The Sachbericht of a Gesamtmaßnahme for one year, as an editable Word document.

Pre-filled from the stored data (progress report, measures, outputs, activities,
actors, bodies, KuF, grant notices); what only the clerk can say is left as clearly
marked placeholders „[Bitte ergänzen: …]“. Private persons are never named: actors
are only counted by type, activities and bodies are named by their titles.

The last paragraph names the data it came from: a SHA-256 over the progress report
(:meth:`ProgressReport.to_dict`), the KuF's fingerprint and the rows read for the
participation and notice sections (:func:`monitoring.reports.inputs.digest`).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING, Any

import pandas as pd
from docx import Document

from geo import german
from indicators.registry import Registry
from monitoring import catalogue, services
from monitoring.auth import User
from monitoring.grants import service as grants
from monitoring.renewal.measures import completed_and_running
from monitoring.reports.inputs import digest

if TYPE_CHECKING:
    from geo.store.base import Store

PLACEHOLDER = "[Bitte ergänzen: {}]"
_MEASURE_COLUMNS = ["id", "title", "status", "start_date", "end_date", "funding_area_id"]


def placeholder(what: str) -> str:
    """The marked gap a clerk fills in.

    Examples
    --------
    >>> placeholder("Gründe für Verzögerungen")
    '[Bitte ergänzen: Gründe für Verzögerungen]'
    """
    return PLACEHOLDER.format(what)


def _year_of(value: Any) -> int | None:
    stamp = pd.to_datetime(value, errors="coerce")
    return None if pd.isna(stamp) else int(stamp.year)


def _number(value: Any, decimals: int = 1) -> str:
    return german.number(value, decimals=decimals)


def _value(value: Any, period: Any) -> str:
    """A target's value with its date: whole numbers without decimals, else two.

    Examples
    --------
    >>> _value(1154.0, "2014-12-31"), _value(12.345, None)
    ('1.154 (31.12.2014)', '12,35')
    """
    if german.is_missing(value):
        return german.number(None)
    decimals = 0 if float(value).is_integer() else 2
    text = german.number(value, decimals=decimals)
    return f"{text} ({german.date(period)})" if not german.is_missing(period) else text


def _indicator_label(registry: Registry, key: str) -> str:
    """The indicator's German label and unit (an unknown key as it is)."""
    if key not in registry:
        return key
    definition = registry.get(key)
    unit = f" ({definition.unit})" if definition.unit else ""
    return f"{definition.label}{unit}"


def _table(doc: Any, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text


def _outputs_text(outputs: pd.DataFrame, measure_id: str) -> str:
    mine = outputs[outputs["measure_id"] == measure_id]
    parts = []
    for o in mine.to_dict(orient="records"):
        unit = f" {o['unit']}" if isinstance(o.get("unit"), str) and o["unit"] else ""
        parts.append(
            f"{o['quantity']}: {_number(o.get('actual'), 0)} von {_number(o.get('planned'), 0)}"
            f"{unit}"
        )
    return "; ".join(parts) or "keine Outputs erfasst"


def sachbericht_docx(
    store: Store,
    user: User,
    area_id: str,
    *,
    year: int,
    now: dt.datetime | None = None,
) -> bytes:
    """Write the Sachbericht of ``area_id`` for ``year`` as a .docx file (bytes).

    Raises
    ------
    PermissionDenied, NotFound, RuleViolation
        As :func:`monitoring.services.progress_report` (an unknown year is refused).
    """
    when = (now or dt.datetime.now()).replace(microsecond=0)
    registry = catalogue.registry_for(store)
    report = services.progress_report(store, user, area_id, year=year, registry=registry)
    area = report.area
    name = str(area.get("name") or area_id)
    kuf = grants.kuf(store, user, area_id, year=year)
    ms = store.read("measures", where={"funding_area_id": area_id}, columns=_MEASURE_COLUMNS)
    outputs = store.read("measure_outputs", where={"measure_id": ms["id"].tolist()})
    acts = services.read(store, user, "activities", where={"funding_area_id": area_id})
    actors = services.read(store, user, "actors", where={"funding_area_id": area_id})
    bodies = services.read(store, user, "bodies", where={"funding_area_id": area_id})
    notes = grants.notices(store, user, area_id)

    doc = Document()
    doc.core_properties.title = f"Sachbericht {year}: {name}"
    doc.core_properties.author = user.name
    doc.core_properties.subject = "Städtebauförderung – Sachbericht"
    doc.add_heading(f"Sachbericht {year}", level=0)
    doc.add_paragraph(f"Gesamtmaßnahme „{name}“ ({area_id})")

    # 1 -------------------------------------------------------------------------------------
    doc.add_heading("1 Gesamtmaßnahme", level=1)
    facts = [
        ("Kennung", area_id),
        ("Programm", str(area.get("programme_id") or "–")),
        ("Gemeindeschlüssel", str(area.get("ags") or "–")),
        ("Aufnahme ins Programm", str(area.get("start_year") or "–")),
        ("Förderstatus", str(area.get("funding_status") or "–")),
        ("Berichtsjahr", str(year)),
    ]
    _table(doc, ["Angabe", "Wert"], [[k, v] for k, v in facts])
    doc.add_paragraph(placeholder("kurze Beschreibung der Gesamtmaßnahme und ihrer Ziele"))

    # 2 -------------------------------------------------------------------------------------
    doc.add_heading("2 Stand der Umsetzung (Maßnahmen)", level=1)
    by_status = ", ".join(f"{k}: {int(v)}" for k, v in report.measures_by_status.items() if v)
    doc.add_paragraph(
        f"Die Gesamtmaßnahme umfasst "
        f"{german.count(int(report.measures_by_status.sum()), 'Maßnahme', 'Maßnahmen')}"
        + (f" ({by_status})." if by_status else ".")
    )
    done, running = completed_and_running(ms, year)
    for title, frame in (
        (f"Im Jahr {year} abgeschlossene Maßnahmen", done),
        (f"Im Jahr {year} laufende Maßnahmen", running),
    ):
        doc.add_heading(title, level=2)
        if frame.empty:
            doc.add_paragraph("Keine.")
            continue
        _table(
            doc,
            ["Maßnahme", "Titel", "Status", "Zeitraum", "Outputs (erreicht von geplant)"],
            [
                [
                    str(m["id"]),
                    str(m["title"]),
                    str(m["status"]),
                    f"{german.date(m['start_date'])} – {german.date(m['end_date'])}",
                    _outputs_text(outputs, str(m["id"])),
                ]
                for m in frame.to_dict(orient="records")
            ],
        )
    doc.add_paragraph(placeholder("Erläuterung zum Stand der Umsetzung"))

    # 3 -------------------------------------------------------------------------------------
    doc.add_heading("3 Zielerreichung", level=1)
    goals = report.goals
    if goals.empty:
        doc.add_paragraph(f"Für {year} gilt kein Konzept mit Zielen.")
    for number, (_, rows) in enumerate(goals.groupby("goal_id", sort=False), start=1):
        doc.add_heading(f"3.{number} Ziel „{rows['title'].iloc[0]}“", level=2)
        with_target = rows[rows["indicator"].notna()]
        if with_target.empty:
            doc.add_paragraph("Für dieses Ziel sind keine Zielwerte festgelegt.")
            continue
        _table(
            doc,
            ["Indikator", "Basis", "Ziel", "aktueller Wert", "Zielerreichung in %"],
            [
                [
                    _indicator_label(registry, str(t["indicator"])),
                    _value(t["baseline"], t["baseline_period"]),
                    _value(t["target"], t["target_period"]),
                    _value(t["latest"], t["latest_period"]),
                    german.percent(t["attainment_pct"]),
                ]
                for t in with_target.to_dict(orient="records")
            ],
        )
    doc.add_paragraph(placeholder("Bewertung der Zielerreichung"))

    # 4 -------------------------------------------------------------------------------------
    doc.add_heading("4 Beteiligung und Kooperation", level=1)
    in_year = acts[[_year_of(d) == year for d in acts["date"]]] if len(acts) else acts
    participants = pd.to_numeric(in_year["participants"], errors="coerce")
    total = int(participants.fillna(0).sum()) if len(in_year) else 0
    doc.add_paragraph(
        f"Im Jahr {year}: {german.count(len(in_year), 'Aktivität', 'Aktivitäten')} mit "
        f"zusammen {german.number(total, decimals=0)} Teilnehmenden."
    )
    if len(in_year):
        _table(
            doc,
            ["Datum", "Aktivität", "Art", "Teilnehmende"],
            [
                [
                    german.date(a.get("date")),
                    str(a.get("title") or ""),
                    str(a.get("kind") or ""),
                    german.number(a.get("participants"), decimals=0),
                ]
                for a in in_year.sort_values("date").to_dict(orient="records")
            ],
        )
    counts = actors.groupby(actors["type"].fillna("ohne Art")).size() if len(actors) else None
    doc.add_paragraph(
        f"Akteure im Gebiet: {german.count(len(actors), 'Akteur', 'Akteure')}"
        + (
            " (" + ", ".join(f"{k}: {int(v)}" for k, v in counts.sort_index().items()) + ")."
            if counts is not None
            else "."
        )
    )
    if len(bodies):
        doc.add_paragraph(
            "Gremien: "
            + "; ".join(
                f"{b['name']}" + (f" ({b['kind']})" if b.get("kind") else "")
                for b in bodies.sort_values("name").to_dict(orient="records")
            )
            + "."
        )
    else:
        doc.add_paragraph("Gremien: keine erfasst.")
    doc.add_paragraph(placeholder("Kooperationen und Ergebnisse der Beteiligung"))

    # 5 -------------------------------------------------------------------------------------
    doc.add_heading("5 Finanzen", level=1)
    totals = kuf.totals()
    _table(
        doc,
        [f"KuF bis Programmjahr {year}", "geplant", "bewilligt", "ausgezahlt"],
        [
            [
                "Kosten",
                *[german.euro(totals[f"costs_{a}"]) for a in ("planned", "approved", "paid")],
            ],
            [
                "Finanzierung",
                *[german.euro(totals[f"financing_{a}"]) for a in ("planned", "approved", "paid")],
            ],
        ],
    )
    doc.add_paragraph(
        f"Einnahmen bis {year}: geplant {german.euro(totals['revenues_planned'])}, "
        f"eingegangen {german.euro(totals['revenues_actual'])}. Fingerabdruck der KuF: "
        f"{kuf.fingerprint[:16]}…"
    )
    of_year = notes[pd.to_numeric(notes["programme_year"]) == year] if len(notes) else notes
    if len(of_year):
        _table(
            doc,
            ["Aktenzeichen", "Bescheid vom", "Zuwendung", "abgerufen", "noch abrufbar"],
            [
                [
                    str(n.get("file_number") or n["id"]),
                    german.date(n.get("notice_date")),
                    german.euro(n["grant"]),
                    german.euro(n["drawn"]),
                    german.euro(n["undrawn"]),
                ]
                for n in of_year.to_dict(orient="records")
            ],
        )
        doc.add_paragraph(
            f"Zuwendungsbescheide des Programmjahres {year}: zusammen "
            f"{german.euro(of_year['grant'].sum())} bewilligt, "
            f"{german.euro(of_year['drawn'].sum())} abgerufen."
        )
    else:
        doc.add_paragraph(f"Für das Programmjahr {year} ist kein Zuwendungsbescheid erfasst.")
    until = notes[pd.to_numeric(notes["programme_year"]) <= year] if len(notes) else notes
    if len(until):
        doc.add_paragraph(
            f"Alle Zuwendungsbescheide bis zum Programmjahr {year} "
            f"({german.count(len(until), 'Bescheid', 'Bescheide')}): "
            f"{german.euro(until['grant'].sum())} bewilligt, "
            f"{german.euro(until['drawn'].sum())} abgerufen, "
            f"{german.euro(until['undrawn'].sum())} noch abrufbar."
        )

    # 6 -------------------------------------------------------------------------------------
    doc.add_heading("6 Abweichungen und Ausblick", level=1)
    if len(report.findings):
        doc.add_paragraph("Hinweise aus dem Datenbestand:")
        for f in report.findings[:20]:
            doc.add_paragraph(str(f.message), style="List Bullet")
    doc.add_paragraph(placeholder("Abweichungen vom Zeit- und Finanzierungsplan und ihre Gründe"))
    doc.add_paragraph(placeholder(f"Ausblick auf {year + 1}"))

    source = digest(
        {
            "progress": report.to_dict(),
            "kuf": kuf.fingerprint,
            "activities": in_year.drop(columns=["geometry"], errors="ignore")
            .astype(str)
            .to_dict(orient="records"),
            "actors": len(actors),
            "bodies": bodies.drop(columns=["geometry"], errors="ignore")
            .astype(str)
            .to_dict(orient="records"),
            "notices": until.drop(columns=["geometry"], errors="ignore")
            .astype(str)
            .to_dict(orient="records"),
        }
    )
    last = doc.add_paragraph(
        f"Erstellt am {german.timestamp(when)} von {user.name} aus dem Datenbestand; "
        f"Fingerabdruck der Daten (SHA-256): {source}; Fingerabdruck der KuF: {kuf.fingerprint}."
    )
    for run in last.runs:
        run.italic = True
    doc.sections[0].footer.paragraphs[
        0
    ].text = f"Sachbericht {year} – {name} – Datenstand {source[:12]}"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
