"""Finanzierung einer Maßnahme: je Mittelgeber und Programmjahr geplant, bewilligt, ausgezahlt.

Beträge werden als Text in deutscher Schreibweise eingegeben (``123.456,78`` oder
``123456,78``; ``1.5`` wird mit einer Erklärung abgelehnt) und als ``123.456,78 €``
gezeigt. Eine Verzehnfachung eines gespeicherten Betrags fragt nach.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from monitoring import editing, services
from monitoring.auth import User
from monitoring.renewal.funding import AMOUNT_LABELS, AMOUNTS, SOURCES
from monitoring.renewal.measures import next_id
from ui import data
from ui.common import md, names
from ui.inputs import number_field, read_numbers
from ui.massnahmen_aktionen import attempt, confirm_box
from ui.massnahmen_texte import euro

SOURCE_LABELS: Mapping[str, str] = {
    "Bund": "Bund",
    "Land": "Land",
    "Gemeinde": "Gemeinde",
    "Dritte": "Dritte/private",
    "andere Programme": "andere Programme",
}
NEW_LINE = "(neue Zeile)"


def funding_table(lines: pd.DataFrame, *, programme_names: Mapping[str, str]) -> pd.DataFrame:
    """Return the funding lines with German headings, amounts as ``123.456,78 €`` and a sum row.

    Examples
    --------
    >>> lines = pd.DataFrame({"id": ["F1", "F2"], "source": ["Bund", "Dritte"],
    ...     "programme_id": ["sz", None], "programme_year": [2025, 2026],
    ...     "planned": [123456.78, 1000.0], "approved": [100000.0, None], "paid": [0.0, None]})
    >>> t = funding_table(lines, programme_names={"sz": "Sozialer Zusammenhalt"})
    >>> t.iloc[0].tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    ['F1', 'Bund', 'Sozialer Zusammenhalt', '2025', '123.456,78\\xa0€', '100.000,00\\xa0€',
     '0,00\\xa0€']
    >>> t.iloc[-1].tolist()
    ['Summe', '', '', '', '124.456,78\\xa0€', '100.000,00\\xa0€', '0,00\\xa0€']
    """
    ordered = lines.sort_values(["programme_year", "source", "id"], kind="stable")
    out = pd.DataFrame(
        {
            "Kennung": ordered["id"].astype(str),
            "Mittelgeber": ordered["source"].map(lambda s: SOURCE_LABELS.get(s, s)),
            "Programm": ordered["programme_id"].map(
                lambda p: programme_names.get(p, p) if isinstance(p, str) else ""
            ),
            "Programmjahr": ordered["programme_year"].map(
                lambda y: "" if pd.isna(y) else str(int(y))
            ),
        }
    )
    for name in AMOUNTS:
        out[AMOUNT_LABELS[name]] = ordered[name].map(euro)
    total = {"Kennung": "Summe", "Mittelgeber": "", "Programm": "", "Programmjahr": ""}
    for name in AMOUNTS:
        total[AMOUNT_LABELS[name]] = euro(pd.to_numeric(lines[name]).fillna(0).sum())
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def line_label(line: Mapping[Any, Any], *, programme_names: Mapping[str, str]) -> str:
    """Return how a funding line is offered for editing: id, source, programme, year, plan.

    Examples
    --------
    >>> line_label({"id": "FL-1", "source": "Dritte", "programme_id": "sz",
    ...     "programme_year": 2025, "planned": 9400.0}, programme_names={"sz": "Stadtumbau"})
    'FL-1: Dritte/private, Stadtumbau 2025, geplant 9.400,00\\xa0€'
    """
    source = SOURCE_LABELS.get(str(line.get("source")), str(line.get("source") or "–"))
    programme = line.get("programme_id")
    where = programme_names.get(programme, programme) if isinstance(programme, str) else ""
    year = line.get("programme_year")
    when = "" if year is None or pd.isna(year) else str(int(year))
    parts = [source, " ".join(part for part in (where, when) if part)]
    parts.append(f"geplant {euro(line.get('planned'))}")
    return f"{line['id']}: " + ", ".join(part for part in parts if part)


def render_funding(url: str, user: User, measure: dict[str, Any], *, can_edit: bool) -> None:
    """Show the funding lines of a measure; editors add, change and delete lines."""
    mid = str(measure["id"])
    st.markdown("#### Finanzierung")
    stored = data.layer(url, "funding_lines")
    lines = stored[stored["measure_id"] == mid]
    programmes = names(data.layer(url, "programmes"))
    if lines.empty:
        st.caption("Noch keine Finanzierungszeile.")
    else:
        right = st.column_config.TextColumn(alignment="right")
        st.dataframe(
            funding_table(lines, programme_names=programmes),
            column_config={AMOUNT_LABELS[name]: right for name in AMOUNTS},
            hide_index=True,
            width="stretch",
            key=f"massnahmen.finanzen.{mid}",
        )
    if not can_edit:
        return
    round_key = f"massnahmen.finanz.{mid}.runde"
    n = int(st.session_state.get(round_key, 0))
    described = {
        str(r["id"]): line_label(r, programme_names=programmes) for r in lines.to_dict("records")
    }
    chosen = st.selectbox(
        "Finanzierungszeile bearbeiten",
        [NEW_LINE, *lines["id"].astype(str)],
        format_func=lambda v: described.get(v, v),
        key=f"massnahmen.finanz.{mid}.wahl",
    )
    line = (
        editing.row_dict(lines[lines["id"] == chosen].reset_index(drop=True))
        if chosen != NEW_LINE
        else {}
    )
    version = line.get("version", 0)
    prefix = f"massnahmen.finanz.{mid}.{chosen}.{version}.{n}"
    with st.form(prefix):
        c1, c2, c3 = st.columns(3)
        source = c1.selectbox(
            "Mittelgeber",
            list(SOURCES),
            index=list(SOURCES).index(line["source"]) if line.get("source") in SOURCES else 0,
            format_func=lambda s: SOURCE_LABELS.get(s, s),
        )
        options = [None, *programmes]
        programme = c2.selectbox(
            "Programm",
            options,
            index=options.index(line.get("programme_id"))
            if line.get("programme_id") in options
            else 0,
            format_func=lambda p: "–" if p is None else programmes.get(p, p),
        )
        year_text = number_field(
            "Programmjahr",
            line.get("programme_year"),
            key=f"{prefix}.jahr",
            kind="integer",
            container=c3,
        )
        a1, a2, a3 = st.columns(3)
        typed: dict[str, tuple[str, str, Any]] = {
            "programme_year": ("Programmjahr", year_text, "integer")
        }
        for column, name in zip((a1, a2, a3), AMOUNTS):
            label = f"{AMOUNT_LABELS[name]} (€)"
            typed[name] = (
                label,
                number_field(label, line.get(name), key=f"{prefix}.{name}", container=column),
                "amount",
            )
        confirmed = confirm_box(f"{mid}.finanz.{chosen}", key=f"{prefix}.trotzdem")
        submitted = st.form_submit_button(
            "Finanzierung hinzufügen" if chosen == NEW_LINE else "Finanzierung speichern"
        )
    if chosen != NEW_LINE and st.button("Zeile löschen", key=f"{prefix}.loeschen"):
        attempt(
            lambda: services.remove(
                data.store(url),
                user,
                "funding_lines",
                {"id": chosen},
                expected_version=int(version),
            ),
            what=f"{mid}.finanz.{chosen}.loeschen",
            subject="Die Finanzierungszeile",
            done=f"Finanzierungszeile {chosen} gelöscht.",
        )
    if not submitted:
        return
    numbers, errors = read_numbers(typed)
    if numbers.get("programme_year") is None and not errors:
        errors.append("Programmjahr: Geben Sie das Programmjahr ein, z. B. 2025.")
    if errors:
        st.error(md("Nicht gespeichert: " + " ".join(errors)))
        return
    values: dict[str, Any] = {
        "source": source,
        "programme_id": programme,
        "programme_year": int(numbers.pop("programme_year") or 0),
    } | numbers
    store = data.store(url)
    if chosen != NEW_LINE and all(editing.plain(v) == line.get(k) for k, v in values.items()):
        st.info("Keine Änderung.")
        return

    def save() -> services.Saved:
        if chosen == NEW_LINE:
            ident = next_id(
                store.read("funding_lines", columns=["id"])["id"], prefix="FL-", width=6
            )
            saved = services.save_funding_line(
                store, user, values | {"id": ident, "measure_id": mid}
            )
        else:
            changed = {k: v for k, v in values.items() if editing.plain(v) != line.get(k)}
            saved = services.save_funding_line(
                store,
                user,
                changed,
                key={"id": chosen},
                expected_version=int(version),
                seen=line,
                confirmed=confirmed,
            )
        st.session_state[round_key] = n + 1
        return saved

    attempt(
        save,
        what=f"{mid}.finanz.{chosen}",
        subject="Die Finanzierungszeile",
        done=(
            f"Finanzierung gespeichert: {SOURCE_LABELS.get(source, source)} "
            f"{values['programme_year']}, geplant {euro(values.get('planned'))}."
        ),
    )
