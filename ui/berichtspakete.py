"""The section „Berichtspakete“ of the Berichte page: reports that travel to the Land.

A municipality downloads the sealed package of a filed report (next to the filed
reports); a Land (a user who may edit funding data) uploads the packages of its
municipalities, sees what became of each file with its findings, and the list of
collected packages with „ersetzt durch“. The same services as ``qmon report package``
and ``qmon collect`` (:mod:`monitoring.federal`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from geo import german
from geo.german import NO_VALUE_SHORT
from geo.store.base import Store
from monitoring.auth import User
from monitoring.federal import collect as collecting
from monitoring.federal import packages
from monitoring.federal.differences import DEFAULT_THRESHOLD
from monitoring.reports.catalogue import Catalogue
from ui import data
from ui.common import OUR_ERRORS, md
from ui.inputs import number_field, read_numbers

KEY = "berichte.pakete"
RESULT = f"{KEY}.ergebnis"

LIST_HEADERS = {
    "id": "Kennung",
    "ags": "AGS",
    "municipality": "Gemeinde",
    "funding_area_id": "Gesamtmaßnahme",
    "funding_area_name": "Name",
    "year": "Jahr",
    "revision": "Fassung",
    "filed_at": "eingereicht am",
    "collected_at": "eingegangen am",
    "superseded_by": "ersetzt durch",
}


def package_of(url: str, user_name: str, role: str, report_id: str) -> bytes:
    """The package file of a filed report ``AREA/YEAR/N`` (made when it is downloaded)."""
    area, year, number = report_id.rsplit("/", 2)
    user = User(user_name, role)  # type: ignore[arg-type]  # checked by User
    made = packages.make_package(data.store(url), user, area, int(year), revision=int(number))
    return packages.package_bytes(made)


def package_name(report_id: str) -> str:
    """The download name of a package of a filed report.

    Examples
    --------
    >>> package_name("SSZ-01/2024/2")
    'berichtspaket_SSZ-01_2024_2.json'
    """
    return "berichtspaket_" + report_id.replace("/", "_") + ".json"


def download_button(place: Any, url: str, user: User, report_id: str) -> None:
    """The button that downloads the package of the filed report ``report_id``."""
    place.download_button(
        "Berichtspaket",
        lambda: package_of(url, user.name, user.role, report_id),
        file_name=package_name(report_id),
        mime="application/json",
        key=f"{KEY}.herunterladen",
        help=f"die eingereichte Fassung {report_id} versiegelt für das Land (JSON)",
        on_click="ignore",
        icon=":material/package_2:",
    )


def collect_uploads(
    store: Store,
    user: User,
    uploads: Sequence[tuple[str, bytes]],
    threshold: float,
    catalogue: Catalogue | None = None,
) -> tuple[collecting.CollectResult, pd.DataFrame]:
    """Collect uploaded packages (all or none); return the result and its table."""
    result = collecting.collect(store, user, uploads, threshold=threshold, catalogue=catalogue)
    return result, collecting.result_rows(result)


def collected_table(listed: pd.DataFrame) -> pd.DataFrame:
    """The list of collected packages with German headers and dates.

    Examples
    --------
    >>> listed = pd.DataFrame({"id": ["05999000/FA/2024/1"], "ags": ["05999000"],
    ...     "municipality": [None], "funding_area_id": ["FA"], "funding_area_name": ["Nord"],
    ...     "year": [2024], "revision": [1], "filed_at": [pd.Timestamp("2025-03-01 10:00")],
    ...     "collected_at": [pd.Timestamp("2025-03-02 09:00")], "superseded_by": [None]})
    >>> collected_table(listed).columns.tolist()[-1]
    'ersetzt durch'
    """
    shown = listed.assign(
        filed_at=[german.timestamp(t) for t in listed["filed_at"]],
        collected_at=[german.timestamp(t) for t in listed["collected_at"]],
    )
    return shown[list(LIST_HEADERS)].rename(columns=LIST_HEADERS)


def render_section(url: str, user: User) -> None:
    """Draw the section: upload (with the right to edit funding data) and the list."""
    st.subheader("Berichtspakete")
    st.caption(
        "Ein eingereichter Bericht reist als versiegeltes Berichtspaket (JSON) zum Land: "
        "jede Änderung an einer Zahl fällt beim Einlesen auf. Herunterladen: Knopf "
        "„Berichtspaket“ bei den eingereichten Berichten."
    )
    if user.may("edit_funding"):
        _upload(url, user)
    _list(url, user)


def _upload(url: str, user: User) -> None:
    files = st.file_uploader(
        "Berichtspakete der Gemeinden einlesen",
        type=["json"],
        accept_multiple_files=True,
        key=f"{KEY}.dateien",
        help="Alle Dateien werden gemeinsam geprüft und gespeichert, oder keine.",
    )
    typed = number_field(
        "Unterschiede zum Vorjahr melden ab (%)",
        DEFAULT_THRESHOLD * 100,
        key=f"{KEY}.schwelle",
        kind="percent",
    )
    if st.button("Einlesen", key=f"{KEY}.einlesen", disabled=not files, icon=":material/upload:"):
        numbers, errors = read_numbers({"schwelle": ("Schwelle", typed, "percent")})
        percent = numbers.get("schwelle")
        if errors or percent is None or percent < 0:
            st.error(errors[0] if errors else "Geben Sie eine Schwelle ab 0 % ein, z. B. 50.")
            return
        uploads = [(f.name, f.getvalue()) for f in files or ()]
        try:
            from ui.berichte import catalogue, catalogue_path  # the page's catalogue

            result, table = collect_uploads(
                data.store(url), user, uploads, percent / 100, catalogue(catalogue_path())
            )
        except OUR_ERRORS as exc:
            st.error(str(exc))
            return
        st.session_state[RESULT] = (result, table)
    shown = st.session_state.get(RESULT)
    if shown is None:
        return
    result, table = shown
    if result.refused:
        st.error("Nichts gespeichert: mindestens eine Datei wurde abgelehnt (siehe Hinweise).")
    else:
        st.success(f"Eingelesen: {german.count(len(result.stored), 'Paket', 'Pakete')}.")
    st.dataframe(table, hide_index=True, width="stretch", placeholder=NO_VALUE_SHORT)
    for outcome in result.outcomes:
        notes = collecting.notes_of(outcome, result.threshold)
        if notes:
            with st.expander(f"Hinweise zu {outcome.file_name}"):
                st.markdown("\n".join(f"- {md(n.strip())}" for n in notes))


def _list(url: str, user: User) -> None:
    every = st.checkbox("auch ersetzte Fassungen zeigen", key=f"{KEY}.alle")
    listed = collecting.collected(data.store(url), user, current_only=not every)
    if listed.empty:
        st.info("Es sind noch keine Berichtspakete eingelesen.")
        return
    st.markdown("**Gesammelte Berichtspakete**")
    st.dataframe(
        collected_table(listed), hide_index=True, width="stretch", placeholder=NO_VALUE_SHORT
    )
