"""Förderung, Reiter „KuF“ und „Kostengruppen“: die Kosten- und Finanzierungsübersicht.

Die KuF wird aus den Finanzierungszeilen der Maßnahmen berechnet, nie eingetippt. Hier
stehen ihre Kennzahlen und Tabellen (Kosten nach Kostengruppe und Programmjahr, Einnahmen,
Finanzierung nach Mittelgeber), das Festschreiben einer Fassung und die Zuordnung der
Maßnahmen zu Kostengruppen.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from geo import german
from geo.store.base import Store
from monitoring import services
from monitoring.auth import User
from monitoring.errors import EditConflict, MonitoringError, RuleViolation
from monitoring.grants import service
from monitoring.grants.cost_groups import UNASSIGNED, UNASSIGNED_LABEL, CostCatalogue
from monitoring.grants.kuf import Kuf
from monitoring.renewal.funding import AMOUNT_LABELS, AMOUNTS
from ui import data
from ui.common import md
from ui.massnahmen_aktionen import attempt, flash
from ui.tables import german_table, stored_time

KEY = "foerderung.kuf"


def matrix_table(matrix: pd.DataFrame, first: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Return a KuF matrix (rows × years, ``Summe``) as a German table and its column config.

    Examples
    --------
    >>> m = pd.DataFrame({2024: [1500.5, 1500.5], "Summe": [1500.5, 1500.5]},
    ...                  index=["5 Öffentlicher Raum", "Summe"])
    >>> shown, _ = matrix_table(m, "Kostengruppe")
    >>> shown.iloc[0].tolist()
    ['5 Öffentlicher Raum', '1.500,50\\xa0€', '1.500,50\\xa0€']
    >>> list(shown.columns)
    ['Kostengruppe', '2024', 'Summe']
    """
    frame = matrix.copy()
    frame.columns = [str(c) for c in frame.columns]
    money = list(frame.columns)
    frame.insert(0, first, [str(i) for i in frame.index])
    return german_table(frame.reset_index(drop=True), euro=money)


def _show(matrix: pd.DataFrame, first: str, *, key: str) -> None:
    shown, config = matrix_table(matrix, first)
    config[first] = st.column_config.TextColumn(first, pinned=True)  # stays when scrolling years
    st.dataframe(
        shown,
        column_config=config,
        hide_index=True,
        width="stretch",
        key=key,
        placeholder=german.NO_VALUE_SHORT,
    )


def render_kuf(url: str, user: User, kuf: Kuf) -> None:
    """Key figures, the three matrices, measures without cost group, freezing and versions."""
    totals = kuf.totals()
    c = st.columns(3)
    c[0].metric("Kosten geplant", german.euro(totals["costs_planned"]))
    c[1].metric("Kosten bewilligt", german.euro(totals["costs_approved"]))
    c[2].metric("Kosten ausgezahlt", german.euro(totals["costs_paid"]))
    c = st.columns(3)
    c[0].metric(
        "Einnahmen geplant",
        german.euro(totals["revenues_planned"]),
        help=f"eingegangen: {german.euro(totals['revenues_actual'])}",
    )
    c[1].metric("Finanzierung geplant", german.euro(totals["financing_planned"]))
    c[2].metric(
        "nicht durch Einnahmen gedeckte Kosten",
        german.euro(totals["net_planned"]),
        help="geplante Kosten abzüglich geplanter Einnahmen: was Bund, Land, Gemeinde und "
        "Dritte decken müssen",
    )
    amount = st.radio(
        "Beträge",
        list(AMOUNTS),
        format_func=lambda a: AMOUNT_LABELS[a],
        horizontal=True,
        key=f"{KEY}.betrag",
    )
    label = AMOUNT_LABELS[amount]
    if kuf.costs.empty and kuf.revenues.empty:
        st.info(
            "Noch keine Kosten: Die KuF entsteht aus den Finanzierungszeilen der Maßnahmen "
            "(Seite Maßnahmen) und den Einnahmen (Reiter „Einnahmen“)."
        )
    else:
        st.markdown(f"#### Kosten nach Kostengruppe und Programmjahr ({label})")
        _show(kuf.cost_matrix(amount), "Kostengruppe", key=f"{KEY}.kosten")
        revenue_amount = "actual" if amount == "paid" else "planned"
        st.markdown(
            "#### Einnahmen nach Art und Jahr "
            f"({'eingegangen' if revenue_amount == 'actual' else 'geplant'})"
        )
        if kuf.revenues.empty:
            st.caption("Keine Einnahmen erfasst (Reiter „Einnahmen“).")
        else:
            _show(kuf.revenue_matrix(revenue_amount), "Einnahmeart", key=f"{KEY}.einnahmen")
        st.markdown(f"#### Finanzierung nach Mittelgeber und Programmjahr ({label})")
        _show(kuf.financing_matrix(amount), "Mittelgeber", key=f"{KEY}.finanzierung")
    _unassigned(kuf)
    _freeze(url, user, kuf)


def _unassigned(kuf: Kuf) -> None:
    without = kuf.measures[kuf.measures["cost_group"] == UNASSIGNED]
    if without.empty:
        return
    st.warning(
        f"{german.count(len(without), 'Maßnahme', 'Maßnahmen')} mit Kosten, aber "
        f"{UNASSIGNED_LABEL}: Ordnen Sie sie im Reiter „Kostengruppen“ zu."
    )
    frame = pd.DataFrame(
        {
            "Maßnahme": without["id"].astype(str),
            "Titel": without["title"].astype(str),
            "geplant": without["planned"],
        }
    )
    shown, config = german_table(frame, euro=["geplant"])
    st.dataframe(
        shown,
        column_config=config,
        hide_index=True,
        key=f"{KEY}.ohne",
        placeholder=german.NO_VALUE_SHORT,
    )


def _freeze(url: str, user: User, kuf: Kuf) -> None:
    st.markdown("#### Festgeschriebene Fassungen")
    store = data.store(url)
    versions = service.kuf_versions(store, user, kuf.area_id)
    if versions.empty:
        st.caption("Noch keine Fassung festgeschrieben.")
    else:
        frame = pd.DataFrame(
            {
                "Fassung": versions["id"].astype(str),
                "Anlass": versions["purpose"],
                "festgeschrieben am": [stored_time(v) for v in versions["frozen_at"]],
                "von": versions["frozen_by"],
                "aktuell": [
                    "ja" if f == kuf.fingerprint else "nein" for f in versions["fingerprint"]
                ],
            }
        )
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            key=f"{KEY}.fassungen",
            placeholder=german.NO_VALUE_SHORT,
        )
    if not user.may("edit_funding"):
        return
    with st.form(f"{KEY}.festschreiben", enter_to_submit=False):
        purpose = st.text_input("Anlass", placeholder="z. B. Zwischenstand für den Stadtrat")
        pressed = st.form_submit_button("KuF festschreiben", icon=":material/lock:")
    if pressed:
        text = purpose.strip() or "festgeschrieben auf der Seite Förderung"
        attempt(
            lambda: service.freeze_kuf(store, user, kuf.area_id, purpose=text),
            what=f"{KEY}.festschreiben",
            subject="Die KuF",
            done="KuF festgeschrieben (unverändert seit der letzten Fassung: keine neue Fassung).",
        )


# --- Kostengruppen ------------------------------------------------------------------------


def render_cost_groups(url: str, user: User, area_id: str, catalogue: CostCatalogue) -> None:
    """The measures of the area with their cost group; editors change it in the table."""
    store = data.store(url)
    measures = services.read(store, user, "measures", where={"funding_area_id": area_id})
    if measures.empty:
        st.info("Diese Gesamtmaßnahme hat noch keine Maßnahmen.")
        return
    measures = measures.sort_values("id").reset_index(drop=True)
    options = catalogue.options()
    titles = [*options.values(), UNASSIGNED_LABEL]
    key_of = {title: key for key, title in options.items()}
    shown = [options.get(catalogue.resolve(v), UNASSIGNED_LABEL) for v in measures["cost_group"]]
    frame = pd.DataFrame(
        {
            "Maßnahme": measures["id"].astype(str),
            "Titel": measures["title"].astype(str),
            "Kostengruppe": shown,
        }
    )
    st.caption(
        "Die Kostengruppe einer Maßnahme gilt für ihre Finanzierungszeilen, soweit eine "
        "Zeile keine eigene nennt."
    )
    if not user.may("edit_funding"):
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            key=f"{KEY}.gruppen",
            placeholder=german.NO_VALUE_SHORT,
        )
        return
    # the versions the user saw: a change by someone else in between is a conflict
    ids = measures["id"].astype(str).tolist()
    current = {m: int(v) for m, v in zip(ids, measures["version"])}
    seen = data.as_shown(f"{KEY}.gruppen.{area_id}", current)
    round_key = f"{KEY}.gruppen.runde"
    n = int(st.session_state.get(round_key, 0))
    edited = st.data_editor(
        frame,
        column_config={
            "Kostengruppe": st.column_config.SelectboxColumn(
                "Kostengruppe", options=titles, required=True
            ),
        },
        disabled=["Maßnahme", "Titel"],
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        key=f"{KEY}.gruppen.{area_id}.{n}",
        placeholder=german.NO_VALUE_SHORT,
    )
    if not st.button("Kostengruppen speichern", key=f"{KEY}.gruppen.speichern"):
        return
    changed = [
        (i, str(new))
        for i, (old, new) in enumerate(zip(frame["Kostengruppe"], edited["Kostengruppe"]))
        if new != old
    ]
    if not changed:
        st.info("Keine Änderung.")
        return
    stored, problems = save_cost_groups(
        store,
        user,
        [
            (ids[i], key_of.get(title), int(seen.get(ids[i], current[ids[i]])))
            for i, title in changed
        ],
    )
    data.clear()
    if problems:
        st.error(md("Nicht gespeichert: " + " ".join(problems)))
        if not stored:
            return
    data.forget_shown(f"{KEY}.gruppen.{area_id}")
    st.session_state[round_key] = n + 1
    flash(
        "success",
        f"Kostengruppe gespeichert für {german.count(len(stored), 'Maßnahme', 'Maßnahmen')}: "
        + ", ".join(stored),
    )
    if not problems:
        st.rerun()


def save_cost_groups(
    store: Store, user: User, changes: list[tuple[str, str | None, int]]
) -> tuple[list[str], list[str]]:
    """Store the cost group of each ``(measure id, group key, version seen)``.

    Each measure is saved on its own through :func:`monitoring.services.save` (role, rules,
    version, audit). Returns the IDs stored and the German messages of those refused
    (a conflict names who changed the measure).
    """
    stored: list[str] = []
    problems: list[str] = []
    for mid, key, version in changes:
        try:
            services.save(
                store,
                user,
                "measures",
                {"cost_group": key},
                key={"id": mid},
                expected_version=version,
            )
            stored.append(mid)
        except EditConflict as exc:
            problems.append(services.conflict_text(exc, what=f"Die Maßnahme „{mid}“"))
        except RuleViolation as exc:
            problems.append(f"Maßnahme „{mid}“: " + "; ".join(exc.problems))
        except MonitoringError as exc:
            problems.append(f"Maßnahme „{mid}“: {exc}")
    return stored, problems
