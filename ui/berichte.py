"""Seite „Berichte“: die Bundesberichte je Gesamtmaßnahme und Berichtsjahr.

Der Bericht nach dem elektronischen Monitoring (eMo, Teile A–D) mit den
Begleitinformationen wird aus dem Datenbestand erzeugt (``monitoring.reports``) und
auf der Seite als Tabellen gezeigt; fehlende Werte stehen mit ihrem Grund da, nie als 0.
Herunterladen lässt er sich als Excel-Arbeitsmappe, PDF, CSV je Teil (ZIP) und JSON,
für alle Gesamtmaßnahmen eines Jahres als ein ZIP (mit Fortschrittsanzeige). Wer
Finanzierung bearbeiten darf, kann den Bericht einreichen (festschreiben); danach zeigt
die Seite die eingereichten Berichte und was sich seither geändert hat. Das ist dasselbe
Angebot wie ``qmon report`` (``report file``, ``report diff``, ``report filed``). Der
Abschnitt „Berichtspakete“ (:mod:`ui.berichtspakete`) lädt Pakete eingereichter Berichte
herunter und liest die Pakete der Gemeinden ein (``qmon report package``, ``qmon collect``).

Der Feldkatalog ist der mitgelieferte, oder die TOML-Datei eines Landes in der
Umgebungsvariablen ``QMON_CATALOGUE`` (wie ``qmon report --catalogue``).

Ein Bericht wird je (Speicher, Nutzer, Gesamtmaßnahme, Jahr) einmal erzeugt und
zwischengespeichert, die Dateien je Format erst beim Klick auf den Knopf; Schreiben in der
App (Maßnahmen, Import, Einreichen) leert den Zwischenspeicher, „Neu berechnen“ ebenso.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from functools import partial

import pandas as pd
import streamlit as st

from geo import german
from geo.german import NO_VALUE_SHORT
from geo.store.base import ChangeToken
from monitoring.auth import PERMISSIONS, ROLE_LABELS, ROLES, User
from monitoring.reports import csv as csv_format
from monitoring.reports import filing, generate, sender
from monitoring.reports.catalogue import Catalogue, load_catalogue
from monitoring.reports.filing import ReportDiff
from monitoring.reports.layout import (
    blocks,
    column_unit,
    generated_text,
    grid,
    subtitle,
    value_text,
)
from monitoring.reports.report import REASON_NOTES, SENDER_FIELDS, Report, Row, Section, Value
from ui import berichtspakete, data, state
from ui.common import OUR_ERRORS, current_user, guarded, md, names, role_label, store_url
from ui.help_texts import HELP

PAGE = "berichte"
ALL = "alle"
"""The value of the area selection that stands for every Gesamtmaßnahme."""
CATALOGUE_ENV = "QMON_CATALOGUE"
FORMATS: tuple[str, ...] = ("xlsx", "pdf", "csv", "json")
"""The formats offered per Gesamtmaßnahme (as ``qmon report --format``)."""
BATCH_FORMATS: tuple[str, ...] = ("xlsx", "pdf", "csv")
BUTTONS = {"xlsx": "Excel", "pdf": "PDF", "csv": "CSV (ZIP je Teil)", "json": "JSON"}
FILED_BUTTONS = {fmt: f"{BUTTONS[fmt].split()[0]} (eingereicht)" for fmt in FORMATS}
MESSAGE = f"{PAGE}.meldung"
BATCH = f"{PAGE}.stapel"
CONFIRM = f"{PAGE}.bestaetigt"
CONFIRM_TEXT = (
    "Ich bestätige, dass ich den Bericht geprüft habe und ihn in dieser Fassung einreichen will."
)
SENDER_MESSAGE = f"{PAGE}.absender_meldung"


# --- pure helpers --------------------------------------------------------------------


def year_options(start_years: Iterable[object], *, today: dt.date | None = None) -> list[int]:
    """Return the selectable reporting years, newest first.

    From the earliest programme start (at the latest ten years back) to this year; the
    usual reporting year (the previous one) is always among them.

    Examples
    --------
    >>> year_options([2019, None, 2015], today=dt.date(2025, 3, 1))
    [2025, 2024, 2023, 2022, 2021, 2020, 2019, 2018, 2017, 2016, 2015]
    >>> year_options([], today=dt.date(2025, 3, 1))
    [2025, 2024, 2023, 2022, 2021, 2020, 2019, 2018, 2017, 2016, 2015]
    >>> year_options([2024.0], today=dt.date(2025, 3, 1))
    [2025, 2024]
    """
    day = today or dt.date.today()
    known = [int(y) for y in start_years if y is not None and not pd.isna(y)]  # type: ignore[call-overload]
    first = min([*known, generate.default_year(day)]) if known else day.year - 10
    return list(range(day.year, first - 1, -1))


def section_table(section: Section) -> pd.DataFrame:
    """Return a report section as the table shown on the page (values as German text).

    A list section has the columns Feld, Bezeichnung, Wert, Einheit; a grid section
    one line per line heading and one column per column heading. A missing value shows
    its reason in brackets, never 0; an empty cell of a grid is a field that does not
    exist for that line.

    Examples
    --------
    >>> rows = (Row("B.1.bund.planned", "", 1500.0, "€", line="Bund", column="geplant",
    ...             number="B.1.1"),
    ...         Row("B.1.bund.paid", "", None, "€", reason="nicht gemeldet",
    ...             line="Bund", column="ausgezahlt", number="B.1.1"),
    ...         Row("B.1.land.planned", "", 2.0, "€", line="Land", column="geplant",
    ...             number="B.1.2"))
    >>> section_table(Section("B.1", "Mittel", rows, line_header="Mittelgeber")).to_dict("list")
    {'Feld': ['B.1.1', 'B.1.2'], 'Mittelgeber': ['Bund', 'Land'], \
'geplant (€)': ['1.500', '2'], 'ausgezahlt (€)': ['(nicht gemeldet)', '']}
    >>> one = Section("A.5", "", (Row("A.5", "Gebietsgröße", 196.0, "ha", decimals=2),))
    >>> section_table(one).iloc[0].tolist()
    ['A.5', 'Gebietsgröße', '196,00', 'ha']
    """
    if section.is_grid:
        g = grid(section)
        out = {"Feld": list(g.codes), section.line_header or "Zeile": list(g.lines)}
        for j, column in enumerate(g.columns):
            unit = column_unit([cells[j] for cells in g.cells])
            suffix = f" ({unit})" if unit == "€" and "(" not in column else ""
            out[column + suffix] = [_cell_text(cells[j]) for cells in g.cells]
        return pd.DataFrame(out)
    return pd.DataFrame(
        {
            "Feld": [r.shown_number for r in section.rows],
            "Bezeichnung": [r.label for r in section.rows],
            "Wert": [value_text(r) for r in section.rows],
            "Einheit": [
                r.unit if r.value is not None and r.unit != "Jahr" else "" for r in section.rows
            ],
        }
    )


def _cell_text(row: Row | None) -> str:
    return "" if row is None else value_text(row)


def change_text(value: Value, reason: str | None, like: Row | None = None) -> str:
    """Return a value of a comparison as German text, formatted like the report field.

    Examples
    --------
    >>> like = Row("B.1.bund.paid", "", 1.0, "€")
    >>> change_text(1100.0, None, like), change_text(None, "nicht gemeldet", like)
    ('1.100', '(nicht gemeldet)')
    >>> change_text(None, None), change_text(2.5, None), change_text("laufend", None)
    ('–', '2,50', 'laufend')
    """
    if value is None:
        return f"({reason})" if reason else "–"
    if like is not None:
        return value_text(Row(like.field, "", value, like.unit, decimals=like.decimals))
    if isinstance(value, str):
        return value
    return value_text(Row("", "", value, decimals=0 if float(value).is_integer() else 2))


def diff_table(diff: ReportDiff, current: Report) -> pd.DataFrame:
    """Return the changed fields of a comparison with the filed report as a table.

    Examples
    --------
    >>> from monitoring.reports.filing import Change
    >>> from monitoring.reports.report import Part
    >>> rows = (Row("B.1.bund.paid", "Bund, ausgezahlt", 1100.0, "€"),)
    >>> rep = Report("FA", "x", None, None, 2024, "", "", "", "b", {},
    ...              (Part("B", "B", (Section("B.1", "Mittel", rows),)),))
    >>> d = ReportDiff("FA/2024/1", "2025-03-01 10:00", "a", "b", ("funding_lines",),
    ...                (Change("B.1.bund.paid", "Bund, ausgezahlt", 100.0, 1100.0,
    ...                        number="B.1.1"),))
    >>> diff_table(d, rep).iloc[0].tolist()
    ['B.1.1', 'Bund, ausgezahlt', '100', '1.100', 'geändert']
    """
    rows = {r.field: r for _, _, r in current.rows()}
    return pd.DataFrame(
        {
            "Feld": [c.number or c.field for c in diff.changes],
            "Bezeichnung": [c.label for c in diff.changes],
            "eingereicht": [
                change_text(c.before, c.reason_before, rows.get(c.field)) for c in diff.changes
            ],
            "jetzt": [
                change_text(c.after, c.reason_after, rows.get(c.field)) for c in diff.changes
            ],
            "Art": [c.kind for c in diff.changes],
        },
        columns=["Feld", "Bezeichnung", "eingereicht", "jetzt", "Art"],
    )


def filed_table(listed: pd.DataFrame, area_names: Mapping[str, str]) -> pd.DataFrame:
    """Return the list of filed reports (:func:`filing.filed_reports`) for the page.

    Examples
    --------
    >>> listed = pd.DataFrame({"id": ["FA/2024/1"], "funding_area_id": ["FA"], "year": [2024],
    ...     "filed_at": [pd.Timestamp("2025-03-01 10:00")], "filed_by": ["anna"],
    ...     "fingerprint": ["0123456789abcdef0123"]})
    >>> filed_table(listed, {"FA": "Nord"}).iloc[0].astype(str).tolist()
    ['FA/2024/1', 'Nord (FA)', '2024', '01.03.2025, 10:00 Uhr', 'anna', '0123456789abcdef…']
    """
    return pd.DataFrame(
        {
            "Bericht": listed["id"].astype(str),
            "Gesamtmaßnahme": [
                f"{area_names.get(a, a)} ({a})" for a in listed["funding_area_id"].astype(str)
            ],
            "Jahr": listed["year"].astype(int),
            "eingereicht am": [german.timestamp(t) for t in listed["filed_at"]],
            "von": listed["filed_by"],
            "Fingerabdruck": listed["fingerprint"].astype(str).str[:16] + "…",
        }
    )


def batch_archive(
    downloads: Sequence[generate.Download], *, year: int, fmt: str
) -> tuple[str, bytes]:
    """Return the name and bytes of one ZIP with the reports of a batch.

    CSV reports go in as their part files (as ``qmon report --all`` writes them into
    a folder), not as ZIPs inside the ZIP.
    """
    name = f"Monitoringberichte_{year}_{fmt}.zip"
    if fmt == "csv":
        files = {n: b for d in downloads for n, b in csv_format.csv_files(d.report).items()}
        return name, generate.zip_bytes(files)
    return name, generate.batch_zip(list(downloads))


def filed_file_name(report_id: str, fmt: str) -> str:
    """The download name of a filed report (its id ``area/year/number`` in the name).

    Examples
    --------
    >>> filed_file_name("SSZ-01/2024/2", "pdf"), filed_file_name("SSZ-01/2024/2", "csv")
    ('Monitoringbericht_SSZ-01_2024_eingereicht_2.pdf', \
'Monitoringbericht_SSZ-01_2024_eingereicht_2_csv.zip')
    """
    area, year, number = report_id.rsplit("/", 2)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in area)
    stem = f"Monitoringbericht_{safe}_{year}_eingereicht_{number}"
    return f"{stem}_csv.zip" if fmt == "csv" else f"{stem}.{fmt}"


def filing_roles() -> list[str]:
    """Return the German names of the roles that may file a report.

    Examples
    --------
    >>> filing_roles() == [ROLE_LABELS["editor"], ROLE_LABELS["admin"]]
    True
    """
    return [ROLE_LABELS[r] for r in ROLES if "edit_funding" in PERMISSIONS[r]]


# --- cached work -----------------------------------------------------------------------


def catalogue_path() -> str:
    """Return the report catalogue file of this app (``QMON_CATALOGUE``), '' for the shipped."""
    return os.environ.get(CATALOGUE_ENV, "").strip()


@st.cache_resource(show_spinner=False)
def catalogue(path: str) -> Catalogue:
    return load_catalogue(path or None)


def current_report(
    url: str, user_name: str, role: str, area_id: str, year: int, catalogue_file: str
) -> tuple[Report, ReportDiff | None]:
    """The report generated now and its comparison with the latest filed one (or None).

    Cached by the store's change token: another session's save shows in the next run.
    """
    return _current_report(
        url, data.change_token(url), user_name, role, area_id, year, catalogue_file
    )


@st.cache_data(show_spinner="Bericht wird erzeugt …", max_entries=64, ttl=3600)
def _current_report(
    url: str,
    token: ChangeToken,
    user_name: str,
    role: str,
    area_id: str,
    year: int,
    catalogue_file: str,
) -> tuple[Report, ReportDiff | None]:
    return filing.compare_with_filed(
        data.store(url),
        User(user_name, role),  # type: ignore[arg-type]
        area_id,
        year=year,
        catalogue=catalogue(catalogue_file),
        registry=data.registry(url),
    )


def report_file(
    url: str, user_name: str, role: str, area_id: str, year: int, fmt: str, catalogue_file: str
) -> bytes:
    """The bytes of a report file, rendered from the same report the page shows."""
    token = data.change_token(url)
    return _report_file(url, token, user_name, role, area_id, year, fmt, catalogue_file)


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def _report_file(
    url: str,
    token: ChangeToken,
    user_name: str,
    role: str,
    area_id: str,
    year: int,
    fmt: str,
    catalogue_file: str,
) -> bytes:
    report, _ = _current_report(url, token, user_name, role, area_id, year, catalogue_file)
    return generate.render(report, fmt)


@st.cache_data(show_spinner=False, max_entries=32)
def filed_report(url: str, user_name: str, role: str, report_id: str) -> Report:
    """A filed report as it was filed (frozen, so the cache never goes stale)."""
    user = User(user_name, role)  # type: ignore[arg-type]
    return filing.load_filed(data.store(url), user, report_id).report


@st.cache_data(show_spinner=False, max_entries=32)
def filed_file(url: str, user_name: str, role: str, report_id: str, fmt: str) -> bytes:
    """The bytes of a filed report in a format."""
    return generate.render(filed_report(url, user_name, role, report_id), fmt)


def forget() -> None:
    """Drop the cached reports and files (after filing or on request)."""
    _current_report.clear()
    _report_file.clear()


# --- the page --------------------------------------------------------------------------


def render() -> None:
    """Draw the page."""
    url = store_url()
    st.title("Berichte")
    st.caption(
        "Jahresbericht je Gesamtmaßnahme nach dem elektronischen Monitoring des Bundes "
        "(Teile A–D) mit Begleitinformationen, erzeugt aus dem Datenbestand."
    )
    with guarded():
        funding = data.layer(url, "funding_areas")
        if funding.empty:
            st.info("Es sind noch keine Gesamtmaßnahmen erfasst (Seite Import).")
            return
        labels = names(funding)
        years = year_options(funding["start_year"])
        spec = [state.Param("gebiet"), state.Param("jahr", "int", generate.default_year())]
        state.start_view(PAGE, spec, allowed={"gebiet": [*labels, ALL], "jahr": years})
        left, right = st.columns([3, 1])
        ident = str(
            state.choose(
                left,
                "Gesamtmaßnahme",
                [*labels, ALL],
                PAGE,
                "gebiet",
                format_func=lambda v: "alle Gesamtmaßnahmen" if v == ALL else f"{labels[v]} ({v})",
                help=HELP["gesamtmassnahme"],
            )
        )
        year = int(
            state.choose(
                right,
                "Berichtsjahr",
                years,
                PAGE,
                "jahr",
                default=generate.default_year(),
                help=HELP["berichtsjahr"],
            )
        )
        state.write_view(PAGE, spec)
        user = current_user()
        if ident == ALL:
            _all_areas(url, user, year, labels)
        else:
            _one_area(url, user, ident, year, labels)
    with guarded():
        berichtspakete.render_section(url, user)


def _one_area(url: str, user: User, ident: str, year: int, labels: Mapping[str, str]) -> None:
    cat = catalogue_path()
    report, diff = current_report(url, user.name, user.role, ident, year, cat)
    st.subheader(md(subtitle(report)))
    for warning in report.warnings:
        st.warning(md(warning), icon=":material/warning:")
    st.caption(
        md(
            f"Feldkatalog {report.catalogue} (Fassung {report.catalogue_version}), erzeugt am "
            f"{generated_text(report)}, Fingerabdruck der Eingangsdaten "
            f"{report.fingerprint[:16]}…"
        )
    )
    if report.catalogue_note:
        st.caption(md(report.catalogue_note))
    st.markdown("**Herunterladen**")
    columns = st.columns(len(FORMATS) + 1)
    for place, fmt in zip(columns, FORMATS):
        place.download_button(
            BUTTONS[fmt],
            partial(report_file, url, user.name, user.role, ident, year, fmt, cat),
            file_name=generate.file_name(report, fmt),
            mime=generate.MIME_TYPES[fmt],
            key=f"{PAGE}.datei.{fmt}",
            help=generate.FORMAT_LABELS[fmt],
            on_click="ignore",
            icon=":material/download:",
        )
    if columns[-1].button("Neu berechnen", key=f"{PAGE}.neu", help="Daten neu lesen"):
        forget()
        st.rerun()
    _parts(report)
    _sender(url, user, report)
    _filing(url, user, ident, year, report, diff, labels)


def _parts(report: Report) -> None:
    tabs = st.tabs([p.title for p in report.parts])
    for tab, part in zip(tabs, report.parts):
        with tab:
            for section in blocks(part.sections):
                if section.title:
                    st.markdown(f"**{md(section.code)} {md(section.title)}**")
                if section.note:
                    st.caption(md(section.note))
                st.dataframe(
                    section_table(section),
                    hide_index=True,
                    width="stretch",
                    placeholder=NO_VALUE_SHORT,
                )
    with st.expander("Hinweise zum Bericht"):
        for note in report.notes:
            st.markdown(f"- {md(note)}")
        st.markdown("**Fehlende Werte** stehen mit ihrem Grund in Klammern, nie als 0:")
        for reason, text in REASON_NOTES.items():
            st.markdown(f"- ({md(reason)}): {md(text)}")


def _sender(url: str, user: User, report: Report) -> None:
    """The sender block printed on every report; editors and admins change it here."""
    shown = st.session_state.pop(SENDER_MESSAGE, None)
    if shown is not None:
        kind, text = shown
        (st.success if kind == "ok" else st.error)(md(text))
    lines = sender.sender_lines(report.sender)
    with st.expander("Absender der Berichte", expanded=not lines):
        if lines:
            st.markdown("  \n".join(f"**{md(label)}:** {md(text)}" for label, text in lines))
        else:
            st.info("Es ist noch kein Absender hinterlegt; er steht oben auf jedem Bericht.")
        if not user.may("edit_funding"):
            st.caption("Den Absender ändern die Rollen " + ", ".join(filing_roles()) + ".")
            return
        with st.form(f"{PAGE}.absender", enter_to_submit=False):
            for key, label in SENDER_FIELDS:
                st.text_input(label, value=report.sender.get(key, ""), key=f"{PAGE}.absender.{key}")
            st.form_submit_button("Absender speichern", on_click=_save_sender, args=(url, user))


def _save_sender(url: str, user: User) -> None:
    """Form callback: store the sender block; the outcome is shown on the next run."""
    values = {k: st.session_state.get(f"{PAGE}.absender.{k}", "") for k, _ in SENDER_FIELDS}
    try:
        sender.save_sender(data.store(url), user, values)
    except OUR_ERRORS as exc:
        st.session_state[SENDER_MESSAGE] = ("error", str(exc))
        return
    forget()
    st.session_state[SENDER_MESSAGE] = ("ok", "Absender gespeichert.")


def _filing(
    url: str,
    user: User,
    ident: str,
    year: int,
    report: Report,
    diff: ReportDiff | None,
    labels: Mapping[str, str],
) -> None:
    st.subheader("Einreichen")
    shown = st.session_state.pop(MESSAGE, None)
    if shown is not None:
        kind, text = shown
        (st.success if kind == "ok" else st.error)(md(text))
    if user.may("edit_funding"):
        st.caption(
            "Beim Einreichen wird der Bericht mit einem Fingerabdruck seiner Eingangsdaten "
            "festgeschrieben; spätere Änderungen ändern ihn nicht."
        )
        st.checkbox(CONFIRM_TEXT, key=CONFIRM)
        st.button(
            f"Bericht {year} einreichen",
            key=f"{PAGE}.einreichen",
            type="primary",
            on_click=_file,
            args=(url, user, ident, year),
            icon=":material/lock:",
        )
    else:
        st.caption(
            f"Ihre Rolle ({role_label(user)}) darf Berichte nicht einreichen; das dürfen die "
            f"Rollen {', '.join(filing_roles())}."
        )
    listed = filing.filed_reports(data.store(url), user, area_id=ident)
    if listed.empty:
        st.info("Für diese Gesamtmaßnahme ist noch kein Bericht eingereicht.")
        return
    st.markdown("**Eingereichte Berichte**")
    st.dataframe(
        filed_table(listed, labels), hide_index=True, width="stretch", placeholder=NO_VALUE_SHORT
    )
    _filed_versions(url, user, [str(i) for i in listed["id"]])
    if diff is None:
        st.info(f"Für {year} ist noch kein Bericht eingereicht.")
        return
    _changes(report, diff)


def _filed_versions(url: str, user: User, report_ids: Sequence[str]) -> None:
    """Offer the files of a filed report as it was filed (not as the data are now)."""
    left, _ = st.columns([2, 3])
    chosen = str(
        state.choose(left, "Eingereichte Fassung herunterladen", report_ids, PAGE, "fassung")
    )
    places = st.columns(len(FORMATS) + 1)
    filed_report(url, user.name, user.role, chosen)  # read and checked here, shown if broken
    for place, fmt in zip(places, FORMATS):
        place.download_button(
            FILED_BUTTONS[fmt],
            partial(filed_file, url, user.name, user.role, chosen, fmt),
            file_name=filed_file_name(chosen, fmt),
            mime=generate.MIME_TYPES[fmt],
            key=f"{PAGE}.fassung.{fmt}",
            help=f"{generate.FORMAT_LABELS[fmt]} der eingereichten Fassung {chosen}",
            on_click="ignore",
            icon=":material/download:",
        )
    berichtspakete.download_button(places[-1], url, user, chosen)


def _changes(report: Report, diff: ReportDiff) -> None:
    st.markdown(
        f"**Änderungen seit dem eingereichten Bericht {md(diff.filed_id)}** "
        f"(eingereicht am {german.timestamp(diff.filed_at)})"
    )
    if diff.unchanged:
        st.success("Keine Änderungen: die Eingangsdaten sind unverändert.")
        return
    changed = filing.input_titles(diff.changed_inputs)
    st.warning(md(f"Geänderte Eingangsdaten: {', '.join(changed) or 'keine'}"))
    if not diff.changes:
        st.caption("Alle Berichtswerte sind gleich geblieben.")
        return
    st.dataframe(
        diff_table(diff, report), hide_index=True, width="stretch", placeholder=NO_VALUE_SHORT
    )


def _file(url: str, user: User, ident: str, year: int) -> None:
    """Button callback: file the report if confirmed; the outcome is shown on the next run."""
    if not st.session_state.get(CONFIRM):
        st.session_state[MESSAGE] = (
            "error",
            "Nicht eingereicht: bitte bestätigen Sie zuerst, dass Sie den Bericht geprüft haben "
            "(Häkchen über dem Knopf).",
        )
        return
    st.session_state[CONFIRM] = False  # each filing is confirmed on its own
    try:
        filed = filing.file_report(
            data.store(url),
            user,
            ident,
            year=year,
            catalogue=catalogue(catalogue_path()),
            registry=data.registry(url),
        )
    except OUR_ERRORS as exc:
        st.session_state[MESSAGE] = ("error", f"Nicht eingereicht: {exc}")
        return
    forget()
    findings = "".join(f"\n\n{f}" for f in filed.findings)  # the message is escaped as shown
    st.session_state[MESSAGE] = (
        "ok",
        f"Eingereicht als {filed.id} am {german.timestamp(filed.filed_at)} von {filed.filed_by}."
        + (
            f"\n\nPrüfhinweise (dieselben sieht das Land beim Einlesen):{findings}"
            if findings
            else ""
        ),
    )


def _all_areas(url: str, user: User, year: int, labels: Mapping[str, str]) -> None:
    st.subheader(f"Alle Gesamtmaßnahmen, Berichtsjahr {year}")
    st.caption(
        f"{german.count(len(labels), 'Gesamtmaßnahme', 'Gesamtmaßnahmen')}; "
        "die Berichte kommen als ein ZIP."
    )
    fmt = st.selectbox(
        "Format",
        BATCH_FORMATS,
        format_func=generate.FORMAT_LABELS.__getitem__,
        key=f"{PAGE}.format",
    )
    if st.button("Berichte erzeugen", key=f"{PAGE}.alle", type="primary"):
        bar = st.progress(0.0, text="Berichte werden erzeugt …")

        def step(area_id: str, done: int, total: int) -> None:
            where = labels.get(area_id, area_id)
            bar.progress(
                done / total, text=f"{german.number(done)} von {german.number(total)}: {where}"
            )

        # one process: the app's server serves many sessions; qmon report --all uses several
        result = generate.batch(
            data.store(url),
            user,
            year=year,
            fmt=fmt,
            catalogue=catalogue(catalogue_path()),
            registry=data.registry(url),
            progress=step,
            workers=1,
        )
        made = result.downloads
        for failed in result.failures:
            st.warning(md(failed.message), icon=":material/warning:")
        name, payload = batch_archive(made, year=year, fmt=fmt)
        st.session_state[BATCH] = ((url, user, year, fmt), name, payload, len(made))
    stored = st.session_state.get(BATCH)
    if stored is not None and stored[0] == (url, user, year, fmt):
        _, name, payload, count = stored
        st.download_button(
            f"{name} herunterladen ({german.count(count, 'Bericht', 'Berichte')})",
            payload,
            file_name=name,
            mime="application/zip",
            key=f"{PAGE}.stapel_datei",
            on_click="ignore",
            icon=":material/download:",
        )
    listed = filing.filed_reports(data.store(url), user, year=year)
    st.markdown(f"**Eingereichte Berichte für {year}**")
    if listed.empty:
        st.info(f"Für {year} ist noch kein Bericht eingereicht.")
    else:
        st.dataframe(
            filed_table(listed, labels),
            hide_index=True,
            width="stretch",
            placeholder=NO_VALUE_SHORT,
        )
