"""Förderung, Reiter „Einnahmen“: Einnahmen der Gesamtmaßnahme für die KuF.

Ausgleichsbeträge, Veräußerungserlöse und sonstige Einnahmen je Jahr, geplant und
eingegangen. Beträge werden in deutscher Schreibweise eingegeben (``120.000,50``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from geo import german
from monitoring import editing, services
from monitoring.auth import User
from monitoring.grants.cost_groups import CostCatalogue
from ui import data
from ui.common import md
from ui.inputs import number_field, read_numbers, year_field
from ui.massnahmen_aktionen import attempt
from ui.tables import german_table

KEY = "foerderung.einnahmen"
NEW = "__neu__"


def revenue_table(revenues: pd.DataFrame, catalogue: CostCatalogue) -> pd.DataFrame:
    """Return the revenues with German headings (amounts still numbers).

    Examples
    --------
    >>> from monitoring.grants.cost_groups import load_cost_catalogue
    >>> cat = load_cost_catalogue()
    >>> kind = next(iter(cat.revenue_options()))
    >>> t = revenue_table(pd.DataFrame({"id": ["E1"], "kind": [kind], "year": [2025],
    ...     "planned": [1.5], "actual": [None], "description": ["x"]}), cat)
    >>> list(t.columns)
    ['Kennung', 'Einnahmeart', 'Jahr', 'geplant', 'eingegangen', 'Erläuterung']
    >>> t.iloc[0]["Einnahmeart"] == cat.label(kind)
    True
    """
    ordered = revenues.sort_values(["year", "id"], kind="stable")
    return pd.DataFrame(
        {
            "Kennung": ordered["id"].astype(str),
            "Einnahmeart": [catalogue.label(catalogue.resolve_revenue(k)) for k in ordered["kind"]],
            "Jahr": [str(int(y)) for y in ordered["year"]],
            "geplant": ordered["planned"],
            "eingegangen": ordered["actual"],
            "Erläuterung": ordered["description"],
        }
    )


def _next_id(area_id: str, taken: pd.Series) -> str:
    ids = set(taken.astype(str))
    n = len(ids) + 1
    while f"{area_id}/EN/{n}" in ids:
        n += 1
    return f"{area_id}/EN/{n}"


def render_revenues(url: str, user: User, area_id: str, catalogue: CostCatalogue) -> None:
    """The area's revenues; editors add, change and delete them."""
    store = data.store(url)
    revenues = services.read(store, user, "revenues", where={"funding_area_id": area_id})
    if revenues.empty:
        st.caption("Noch keine Einnahme erfasst.")
    else:
        shown, config = german_table(
            revenue_table(revenues, catalogue), euro=["geplant", "eingegangen"]
        )
        st.dataframe(
            shown,
            column_config=config,
            hide_index=True,
            width="stretch",
            key=KEY,
            placeholder=german.NO_VALUE_SHORT,
        )
    if not user.may("edit_funding"):
        return
    kinds = catalogue.revenue_options()
    described = {
        str(r["id"]): f"{r['id']}: {kinds.get(r['kind'], r['kind'])} {int(r['year'])}"
        for r in revenues.to_dict("records")
    }
    chosen = st.selectbox(
        "Einnahme bearbeiten",
        [NEW, *sorted(described)],
        format_func=lambda v: "(neue Einnahme)" if v == NEW else described.get(v, v),
        key=f"{KEY}.wahl.{area_id}",
    )
    record: dict[str, Any] = (
        editing.row_dict(revenues[revenues["id"] == chosen].reset_index(drop=True))
        if chosen != NEW
        else {}
    )
    form = f"{KEY}.{area_id}.{chosen}"
    seen = data.as_shown(form, record) if record else {}
    version = int(record.get("version") or 0)
    prefix = f"{form}.{version}.{st.session_state.get(f'{KEY}.runde', 0)}"
    with st.form(prefix, enter_to_submit=False):
        c1, c2 = st.columns(2)
        kind_keys = list(kinds)
        resolved = catalogue.resolve_revenue(record["kind"]) if record else kind_keys[0]
        kind = c1.selectbox(
            "Einnahmeart",
            kind_keys,
            index=kind_keys.index(resolved) if resolved in kind_keys else 0,
            format_func=lambda k: kinds[k],
        )
        year_text = year_field("Jahr", record.get("year"), key=f"{prefix}.jahr", container=c2)
        a1, a2 = st.columns(2)
        typed: dict[str, tuple[str, str, Any]] = {"year": ("Jahr", year_text, "integer")}
        for place, name, label in (
            (a1, "planned", "geplant (€)"),
            (a2, "actual", "eingegangen (€)"),
        ):
            typed[name] = (
                label,
                number_field(label, record.get(name), key=f"{prefix}.{name}", container=place),
                "amount",
            )
        text = st.text_input("Erläuterung", value=record.get("description") or "")
        submitted = st.form_submit_button(
            "Einnahme hinzufügen" if chosen == NEW else "Einnahme speichern"
        )
    if chosen != NEW and st.button("Einnahme löschen", key=f"{prefix}.loeschen"):
        attempt(
            lambda: services.remove(
                store, user, "revenues", {"id": chosen}, expected_version=int(seen["version"])
            ),
            what=f"{form}.loeschen",
            subject=f"Die Einnahme „{chosen}“",
            done=f"Einnahme {chosen} gelöscht.",
            shown=form,
        )
    if not submitted:
        return
    numbers, errors = read_numbers(typed)
    if numbers.get("year") is None and not errors:
        errors.append("Jahr: Geben Sie das Jahr der Einnahme ein, z. B. 2025.")
    if errors:
        st.error(md("Nicht gespeichert: " + " ".join(errors)))
        return
    values: dict[str, Any] = {
        "kind": kind,
        "year": int(numbers.pop("year") or 0),
        "description": text.strip() or None,
    } | numbers

    def save() -> services.Saved:
        st.session_state[f"{KEY}.runde"] = int(st.session_state.get(f"{KEY}.runde", 0)) + 1
        if chosen == NEW:
            ident = _next_id(area_id, store.read("revenues", columns=["id"])["id"])
            return services.save(
                store, user, "revenues", values | {"id": ident, "funding_area_id": area_id}
            )
        return services.save(
            store,
            user,
            "revenues",
            values,
            key={"id": chosen},
            expected_version=int(seen["version"]),
            seen=seen,
        )

    attempt(
        save,
        what=form,
        subject=f"Die Einnahme „{chosen}“" if chosen != NEW else "Die Einnahme",
        done=f"Einnahme gespeichert: {kinds[kind]} {values['year']}.",
        shown=form,
    )
