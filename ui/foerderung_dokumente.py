"""Förderung, Reiter „Anträge“, „Fristen“ und „Dokumente“.

Ein Förderantrag schreibt die KuF fest, auf der er beruht; seine Anlage (Finanzübersicht je
Maßnahme) wird aus dieser Fassung erzeugt. Die Dateien (KuF, Anlage, Verwendungsnachweis,
Sachbericht) entstehen erst beim Klick auf „Herunterladen“.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import partial

import pandas as pd
import streamlit as st

from geo import german
from monitoring.auth import User
from monitoring.grants import service
from monitoring.grants.kuf import Kuf
from monitoring.grants.notices import HORIZON_DAYS
from ui import data
from ui.common import md, names
from ui.inputs import read_numbers, year_field
from ui.massnahmen_aktionen import attempt
from ui.tables import german_table

KEY = "foerderung.dokumente"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def file_part(text: str) -> str:
    """Return ``text`` usable in a file name.

    Examples
    --------
    >>> file_part("SSZ-01/Antrag/2025")
    'SSZ-01_Antrag_2025'
    """
    return re.sub(r"[^A-Za-z0-9ÄÖÜäöüß._-]+", "_", text).strip("_")


# --- the files (made when the button is clicked) ----------------------------------------


def kuf_xlsx(url: str, user: User, area_id: str) -> bytes:
    from monitoring.grants.documents import kuf_workbook

    return bytes(kuf_workbook(service.kuf(data.store(url), user, area_id)))


def kuf_csv_file(url: str, user: User, area_id: str) -> bytes:
    from monitoring.grants.documents import kuf_csv

    return bytes(kuf_csv(service.kuf(data.store(url), user, area_id)))


def annex_xlsx(url: str, user: User, application_id: str) -> bytes:
    from monitoring.grants.documents import annex_workbook

    record, frozen = service.application_annex(data.store(url), user, application_id)
    return bytes(annex_workbook(record, frozen))


def statement_xlsx(url: str, user: User, area_id: str, year: int | None, final: bool) -> bytes:
    from monitoring.grants.documents import statement_workbook

    made = service.statement(data.store(url), user, area_id, year=year, final=final)
    return bytes(statement_workbook(made))


def sachbericht_file(url: str, user: User, area_id: str, year: int) -> bytes:
    from monitoring.grants.sachbericht import sachbericht_docx

    return bytes(sachbericht_docx(data.store(url), user, area_id, year=year))


# --- Anträge ------------------------------------------------------------------------------


def render_applications(url: str, user: User, area_id: str) -> None:
    """The area's applications, the annex download and (editors) a new application."""
    store = data.store(url)
    found = service.applications(store, user, area_id)
    programmes = names(data.layer(url, "programmes"))
    if found.empty:
        st.caption("Noch kein Förderantrag gestellt.")
    else:
        frame = pd.DataFrame(
            {
                "Kennung": found["id"].astype(str),
                "Programmjahr": [str(int(y)) for y in found["programme_year"]],
                "Programm": [
                    programmes.get(p, p) if isinstance(p, str) else german.NO_VALUE_SHORT
                    for p in found["programme_id"]
                ],
                "gestellt am": found["submitted"],
                "KuF-Fassung": found["kuf_version_id"],
                "Bemerkungen": found["notes"],
            }
        )
        shown, config = german_table(frame, dates=["gestellt am"])
        st.dataframe(
            shown,
            column_config=config,
            hide_index=True,
            width="stretch",
            key=KEY,
            placeholder=german.NO_VALUE_SHORT,
        )
        ids = found["id"].astype(str).tolist()
        c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
        chosen = c1.selectbox("Anlage zum Förderantrag", ids, key=f"{KEY}.antrag.{area_id}")
        c2.download_button(
            "Anlage (Excel)",
            partial(annex_xlsx, url, user, chosen),
            file_name=f"Antragsanlage_{file_part(chosen)}.xlsx",
            mime=XLSX,
            key=f"{KEY}.anlage",
            on_click="ignore",
            icon=":material/download:",
        )
    if not user.may("edit_funding"):
        return
    prefix = f"{KEY}.neu.{area_id}.{st.session_state.get(f'{KEY}.runde', 0)}"
    with st.form(prefix, enter_to_submit=False):
        st.markdown("**Förderantrag stellen** (schreibt die aktuelle KuF fest)")
        c1, c2, c3 = st.columns(3)
        year_text = year_field(
            "Programmjahr", dt.date.today().year + 1, key=f"{prefix}.jahr", container=c1
        )
        options = [None, *programmes]
        programme = c2.selectbox(
            "Programm", options, format_func=lambda p: "–" if p is None else programmes[p]
        )
        submitted_on = c3.date_input(
            "gestellt am", value=dt.date.today(), format="DD.MM.YYYY", key=f"{prefix}.am"
        )
        notes = st.text_input("Bemerkungen")
        pressed = st.form_submit_button("Förderantrag stellen")
    if not pressed:
        return
    numbers, errors = read_numbers({"year": ("Programmjahr", year_text, "integer")})
    if numbers.get("year") is None and not errors:
        errors.append("Programmjahr: Geben Sie das Programmjahr ein, z. B. 2026.")
    if errors:
        st.error(md("Nicht gespeichert: " + " ".join(errors)))
        return
    year = int(numbers["year"] or 0)

    def save() -> object:
        st.session_state[f"{KEY}.runde"] = int(st.session_state.get(f"{KEY}.runde", 0)) + 1
        return service.submit_application(
            store,
            user,
            area_id,
            programme_year=year,
            programme_id=programme,
            submitted=submitted_on if isinstance(submitted_on, dt.date) else None,
            notes=notes.strip() or None,
        )

    attempt(
        save,
        what=f"{KEY}.antrag",
        subject="Der Förderantrag",
        done=f"Förderantrag für das Programmjahr {year} gestellt; die KuF ist festgeschrieben.",
    )


# --- Fristen ------------------------------------------------------------------------------


def render_deadlines(url: str, user: User, area_id: str) -> None:
    """Missed and coming deadlines as of a chosen day, red when missed, orange when coming."""
    c1, c2 = st.columns(2)
    today = c1.date_input("Stand", value=dt.date.today(), format="DD.MM.YYYY", key=f"{KEY}.stand")
    horizons = sorted({30, 60, HORIZON_DAYS, 180, 365})
    horizon = c2.selectbox(
        "Vorschau",
        horizons,
        index=horizons.index(HORIZON_DAYS),
        format_func=lambda days: german.count(days, "Tag", "Tage"),
        key=f"{KEY}.tage",
    )
    day = today if isinstance(today, dt.date) else dt.date.today()
    found = service.deadlines(
        data.store(url), user, area_id=area_id, today=day, horizon_days=int(horizon)
    )
    if found.empty:
        st.success(
            f"Zum {german.date(day)} ist keine Frist versäumt und keine steht in den nächsten "
            f"{german.count(int(horizon), 'Tag', 'Tagen')} bevor."
        )
        return
    for row in found.to_dict("records"):
        text = f"**{row['kind_label']}: {row['state_label']}** – {md(row['message'])}"
        if row["state"] in ("missed", "lapsed"):
            st.error(text, icon=":material/error:")
        else:
            st.warning(text, icon=":material/schedule:")
    frame = pd.DataFrame(
        {
            "Aktenzeichen": found["file_number"],
            "Frist": found["kind_label"],
            "fällig am": found["due"],
            "Tage": found["days"],
            "Stand": found["state_label"],
            "nicht abgerufen": found["undrawn"],
        }
    )
    shown, config = german_table(
        frame, euro=["nicht abgerufen"], numbers=["Tage"], dates=["fällig am"]
    )
    st.dataframe(
        shown,
        column_config=config,
        hide_index=True,
        width="stretch",
        key=f"{KEY}.fristen",
        placeholder=german.NO_VALUE_SHORT,
    )


# --- Dokumente ----------------------------------------------------------------------------


def render_documents(url: str, user: User, area_id: str, kuf: Kuf) -> None:
    """Downloads: the KuF, the statement of use and the Sachbericht."""
    name = file_part(area_id)
    st.markdown("#### Kosten- und Finanzierungsübersicht")
    c1, c2 = st.columns(2)
    c1.download_button(
        "KuF (Excel)",
        partial(kuf_xlsx, url, user, area_id),
        file_name=f"KuF_{name}.xlsx",
        mime=XLSX,
        key=f"{KEY}.kuf.xlsx",
        on_click="ignore",
        icon=":material/download:",
    )
    c2.download_button(
        "KuF (CSV)",
        partial(kuf_csv_file, url, user, area_id),
        file_name=f"KuF_{name}.csv",
        mime="text/csv",
        key=f"{KEY}.kuf.csv",
        on_click="ignore",
        icon=":material/download:",
    )
    years = sorted({*kuf.years(), dt.date.today().year}, reverse=True)
    st.markdown("#### Verwendungsnachweis")
    c1, c2, c3 = st.columns(3, vertical_alignment="bottom")
    year = c1.selectbox(
        "bis Programmjahr",
        [None, *years],
        format_func=lambda y: "alle Jahre" if y is None else str(y),
        key=f"{KEY}.vn.jahr",
    )
    final = c2.checkbox("Schlussabrechnung", key=f"{KEY}.vn.schluss")
    kind = "Schlussabrechnung" if final else "Zwischenabrechnung"
    c3.download_button(
        "Verwendungsnachweis (Excel)",
        partial(statement_xlsx, url, user, area_id, year, bool(final)),
        file_name=f"Verwendungsnachweis_{name}_{kind}{'' if year is None else f'_{year}'}.xlsx",
        mime=XLSX,
        key=f"{KEY}.vn.datei",
        on_click="ignore",
        icon=":material/download:",
    )
    st.markdown("#### Sachbericht")
    c1, c2 = st.columns(2, vertical_alignment="bottom")
    report_year = c1.selectbox("Berichtsjahr", years, key=f"{KEY}.sb.jahr")
    c2.download_button(
        "Sachbericht (Word)",
        partial(sachbericht_file, url, user, area_id, int(report_year)),
        file_name=f"Sachbericht_{name}_{report_year}.docx",
        mime=DOCX,
        key=f"{KEY}.sb.datei",
        on_click="ignore",
        icon=":material/download:",
    )
