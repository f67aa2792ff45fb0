"""Seite „Maßnahmen“: Tabelle, neue Maßnahme auf der Karte zeichnen, jede Angabe ändern.

Gespeichert wird nur über die Dienste (monitoring.services: Prüfregeln, Berechtigung,
optimistisches Sperren, Änderungsprotokoll). Wer Maßnahmen nicht bearbeiten darf
(Rollen Lesen und Quartiersmanagement), sieht kein Formular. Beträge werden als Text
in deutscher Schreibweise gelesen (ui.inputs), eine Verzehnfachung fragt nach.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from geo import german
from geo.german import NO_VALUE_SHORT
from monitoring import editing, services
from monitoring.auth import User
from monitoring.grants.cost_groups import catalogue_for
from monitoring.renewal.measures import STATUSES, as_date, hide_archived, next_id
from ui import data, frames, state
from ui.common import current_user, guarded, md, measure_filters, names, role_label, store_url
from ui.drawing import KIND_LABELS, KINDS, draw_geometry
from ui.inputs import number_field, read_numbers, shown_number
from ui.massnahmen_aktionen import attempt, confirm_box, show_flashes
from ui.massnahmen_anhaenge import render_attachments
from ui.massnahmen_finanzierung import render_funding
from ui.massnahmen_texte import FIELD_LABELS
from ui.tables import german_table

PAGE = "massnahmen"
SPEC = [
    state.Param("programm", "many", ()),
    state.Param("gebiet", "many", ()),
    state.Param("handlungsfeld", "many", ()),
    state.Param("status", "many", ()),
    state.Param("jahr", "int", None),
    state.Param("suche", default=""),
    state.Param("auswahl"),
]
NEW = "massnahmen._neu"
#: the amounts of the table (the header names the unit, the cells are German figures)
AMOUNT_COLUMNS = ("Kostenschätzung (€)", "tatsächliche Kosten (€)")


def render() -> None:
    """Draw the page."""
    url = store_url()
    st.title("Maßnahmen")
    with guarded():
        measures = data.measures(url)
        programmes = names(data.layer(url, "programmes"))
        fields = names(data.layer(url, "fields_of_action"))
        state.start_view(PAGE, SPEC, allowed={"status": STATUSES, "auswahl": list(measures["id"])})
        shown = measure_filters(url, PAGE, st.columns([2, 2, 2, 2, 1]))
        c1, c2 = st.columns([3, 1])
        c1.text_input("Suche im Titel", key=state.key(PAGE, "suche"), live=True)
        archived = c2.toggle("Archivierte anzeigen", key="massnahmen.archivierte")
        shown = hide_archived(shown, show_archived=archived)
        view = state.current_view(PAGE, SPEC)
        if view["suche"]:
            shown = shown[shown["title"].str.contains(view["suche"], case=False, regex=False)]
        table = frames.measure_table(shown, programme_names=programmes, field_names=fields)
        if archived and "archived" in shown.columns:
            table["archiviert"] = shown["archived"].map(lambda v: "ja" if v is True else "")
        total = len(hide_archived(measures))
        of_total = german.count(total, "Maßnahme", "Maßnahmen")
        st.caption(f"{german.number(len(shown))} von {of_total}")
        written, config = german_table(table, numbers=dict.fromkeys(AMOUNT_COLUMNS, 2))
        event = st.dataframe(
            written,
            column_config=config,
            hide_index=True,
            width="stretch",
            on_select="rerun",
            selection_mode="single-row",
            key="massnahmen.tabelle",
            placeholder=NO_VALUE_SHORT,
        )
        rows = event.selection.rows if event is not None else []  # type: ignore[attr-defined]
        if rows:
            st.session_state[state.key(PAGE, "auswahl")] = str(table.iloc[rows[0]]["Kennung"])
            st.session_state[NEW] = False
        state.write_view(PAGE, SPEC)
        user = current_user()
        show_flashes()
        if user.may("edit_funding") and st.button("Neue Maßnahme anlegen", icon=":material/add:"):
            st.session_state[NEW] = True
        chosen = st.session_state.get(state.key(PAGE, "auswahl"))
        if st.session_state.get(NEW) and user.may("edit_funding"):
            _create(url, user, measures)
        elif chosen:
            _detail(url, user, str(chosen))
        else:
            st.info("Wählen Sie eine Zeile der Tabelle, um die Maßnahme zu sehen oder zu ändern.")


# --- the form of a measure's own fields ---------------------------------------------------


def _links(url: str, layer: str, column: str, ident: str | None) -> list[str]:
    if ident is None:
        return []
    frame = data.layer(url, layer)
    return sorted(str(v) for v in frame.loc[frame["measure_id"] == ident, column])


def _goal_names(url: str, area_id: str | None) -> dict[str, str]:
    concepts = data.layer(url, "concepts")
    goals = data.layer(url, "goals")
    mine = concepts[concepts["funding_area_id"] == area_id]
    goals = goals[goals["concept_id"].isin(mine["id"])]
    label = dict(zip(mine["id"], mine["title"] if "title" in mine else mine["id"]))
    return {
        str(g): f"{t} ({label.get(c, c)})"
        for g, t, c in zip(goals["id"], goals["title"], goals["concept_id"])
    }


HELP_COST_GROUP = (
    "Die Gruppe der Kosten- und Finanzierungsübersicht (KuF), unter der die Ausgaben der "
    "Maßnahme stehen. Die Gliederung gibt das Land vor (Seite Förderung)."
)


def _measure_fields(
    url: str, record: Mapping[str, Any], *, prefix: str
) -> tuple[dict[str, Any], dict[str, tuple[str, str, Any]], list[str], list[str]]:
    """Draw the inputs of a measure inside a form; return values, typed numbers and links."""
    ident = record.get("id")
    title = st.text_input("Titel", value=record.get("title") or "")
    description = st.text_area("Beschreibung", value=record.get("description") or "")
    status_now = record.get("status")
    status = st.selectbox(
        "Status",
        list(STATUSES),
        index=list(STATUSES).index(status_now) if status_now in STATUSES else 0,
    )
    c1, c2 = st.columns(2)
    start = c1.date_input(
        "Beginn", value=as_date(record.get("start_date")), format="DD.MM.YYYY", key=f"{prefix}.b"
    )
    end = c2.date_input(
        "Ende", value=as_date(record.get("end_date")), format="DD.MM.YYYY", key=f"{prefix}.e"
    )
    c3, c4 = st.columns(2)
    typed = {
        "cost_estimate": (
            "Kostenschätzung (€)",
            number_field(
                "Kostenschätzung (€)",
                record.get("cost_estimate"),
                key=f"{prefix}.kosten",
                container=c3,
            ),
            "amount",
        ),
        "cost_actual": (
            "tatsächliche Kosten (€)",
            number_field(
                "tatsächliche Kosten (€)",
                record.get("cost_actual"),
                key=f"{prefix}.ist",
                container=c4,
            ),
            "amount",
        ),
    }
    group = _cost_group_input(url, record)
    field_names = names(data.layer(url, "fields_of_action"))
    goal_names = _goal_names(url, record.get("funding_area_id"))
    current_fields = _links(url, "measure_fields", "field_id", ident)
    current_goals = _links(url, "measure_goals", "goal_id", ident)
    fields = st.multiselect(
        "Handlungsfelder",
        list(field_names),
        default=[f for f in current_fields if f in field_names],
        format_func=lambda f: field_names.get(f, f),
        placeholder="keine",
        select_all=False,
    )
    goals = st.multiselect(
        "Ziele des Entwicklungskonzepts, denen die Maßnahme dient",
        list(goal_names),
        default=[g for g in current_goals if g in goal_names],
        format_func=lambda g: goal_names.get(g, g),
        placeholder="keine",
        select_all=False,
    )
    values = {
        "title": title.strip(),
        "description": description.strip() or None,
        "status": status,
        "start_date": start,
        "end_date": end,
        "cost_group": group,
    }
    return values, typed, fields, goals


def _cost_group_input(url: str, record: Mapping[str, Any]) -> str | None:
    """A select box of the cost groups of the measure's area (its Land's KuF catalogue)."""
    areas = data.layer(url, "funding_areas")
    ags = areas.loc[areas["id"] == record.get("funding_area_id"), "ags"]
    catalogue = catalogue_for(ags.iloc[0] if len(ags) else None)
    options: list[str | None] = [None, *catalogue.options()]
    now = record.get("cost_group")
    resolved = catalogue.resolve(now) if now else None
    if now and now not in options and resolved in options:
        options.insert(1, now)  # a key of the default catalogue that this Land's group includes
    return st.selectbox(
        "Kostengruppe (KuF)",
        options,
        index=options.index(now) if now in options else 0,
        format_func=lambda k: (
            "keine" if k is None else catalogue.options().get(k) or catalogue.label(resolved or k)
        ),
        help=HELP_COST_GROUP,
    )


def _parts_editors(url: str, ident: str | None, *, prefix: str) -> tuple[Any, Any]:
    """Draw the milestone and output tables (editable) inside a form; return their frames."""
    milestones = data.layer(url, "milestones")
    mine = milestones[milestones["measure_id"] == ident] if ident else milestones.iloc[0:0]
    ms = pd.DataFrame(
        {
            "id": pd.Series(mine["id"].astype(str).tolist(), dtype="string"),
            "Meilenstein": pd.Series(mine["title"].tolist(), dtype="string"),
            "geplant": pd.to_datetime(pd.Series(mine["due_date"].tolist(), dtype=object)),
            "erreicht": pd.to_datetime(pd.Series(mine["done_date"].tolist(), dtype=object)),
        }
    )
    st.markdown("**Meilensteine**")
    ms_out = st.data_editor(
        ms,
        num_rows="dynamic",
        hide_index=True,
        key=f"{prefix}.meilensteine",
        column_config={
            "id": st.column_config.TextColumn("Kennung", disabled=True),
            "geplant": st.column_config.DateColumn("geplant", format="DD.MM.YYYY"),
            "erreicht": st.column_config.DateColumn("erreicht", format="DD.MM.YYYY"),
        },
        placeholder=NO_VALUE_SHORT,
    )
    outputs = data.layer(url, "measure_outputs")
    own = outputs[outputs["measure_id"] == ident] if ident else outputs.iloc[0:0]
    labels = output_labels()
    out = pd.DataFrame(
        {
            "Größe": pd.Series(
                [labels.get(str(q), str(q)) for q in own["quantity"]], dtype="string"
            ),
            "Einheit": pd.Series(own["unit"].tolist(), dtype="string"),
            "geplant": pd.Series(
                [shown_number(v, kind="number") for v in own["planned"]], dtype="string"
            ),
            "erreicht": pd.Series(
                [shown_number(v, kind="number") for v in own["actual"]], dtype="string"
            ),
        }
    )
    st.markdown(
        "**Output** (Mengen, z. B. m² Grünfläche; Zahlen wie `1.234,5`; Größen des "
        f"Berichts: {md(', '.join(sorted(labels.values())))})"
    )
    out_edited = st.data_editor(
        out,
        num_rows="dynamic",
        hide_index=True,
        key=f"{prefix}.output",
        column_config={
            "geplant": st.column_config.TextColumn("geplant"),
            "erreicht": st.column_config.TextColumn("erreicht"),
        },
        placeholder=NO_VALUE_SHORT,
    )
    return ms_out, out_edited


def output_labels() -> dict[str, str]:
    """The German names of the output quantities the report knows (key -> name), from the
    report's catalogue (``[output_labels]``, e.g. ``gruenflaeche_m2`` -> Grünfläche)."""
    from ui.berichte import catalogue, catalogue_path

    return dict(catalogue(catalogue_path()).output_labels)


def quantity_key(text: str, labels: Mapping[str, str]) -> str:
    """Return the key of an output quantity typed or shown by its German name.

    A name the catalogue does not know is kept as typed (a quantity of its own).

    Examples
    --------
    >>> labels = {"gruenflaeche_m2": "Grünfläche", "spielflaeche_m2": "Spielfläche"}
    >>> quantity_key("Grünfläche", labels), quantity_key(" spielfläche ", labels)
    ('gruenflaeche_m2', 'spielflaeche_m2')
    >>> quantity_key("gruenflaeche_m2", labels), quantity_key("Bänke", labels)
    ('gruenflaeche_m2', 'Bänke')
    """
    wanted = text.strip()
    by_name = {name.casefold(): key for key, name in labels.items()}
    return by_name.get(wanted.casefold(), wanted)


def _date(value: Any) -> dt.date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return None
    return pd.Timestamp(value).date()


def _text(value: Any) -> str:
    """Return a cell of an edited table as stripped text ("" when empty)."""
    return value.strip() if isinstance(value, str) else ""


def _read_parts(
    ms: pd.DataFrame, out: pd.DataFrame, labels: Mapping[str, str] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """Return milestone rows, output rows and the German errors of the typed numbers."""
    milestones = [
        {
            "id": (str(r["id"]) if isinstance(r.get("id"), str) and r.get("id") else None),
            "title": str(r["Meilenstein"]).strip(),
            "due_date": _date(r.get("geplant")),
            "done_date": _date(r.get("erreicht")),
        }
        for r in ms.to_dict("records")
        if isinstance(r.get("Meilenstein"), str) and r["Meilenstein"].strip()
    ]
    outputs: list[dict[str, Any]] = []
    errors: list[str] = []
    for i, r in enumerate(out.to_dict("records"), start=1):
        quantity = _text(r.get("Größe"))
        if not quantity:
            continue
        numbers, bad = read_numbers(
            {
                "planned": (f"Output Zeile {i}, geplant", _text(r.get("geplant")), "number"),
                "actual": (f"Output Zeile {i}, erreicht", _text(r.get("erreicht")), "number"),
            }
        )
        errors += bad
        unit = r.get("Einheit")
        row: dict[str, Any] = {"quantity": quantity_key(quantity, labels or {})}
        row["unit"] = unit if isinstance(unit, str) and unit else None
        outputs.append(row | numbers)
    return milestones, outputs, errors


# --- a new measure ------------------------------------------------------------------------


def _create(url: str, user: User, measures: pd.DataFrame) -> None:
    """Draw the measure on the map, fill in the form, store it with its parts."""
    st.subheader("Neue Maßnahme")
    store = data.store(url)
    areas = data.layer(url, "funding_areas")
    area_names = names(areas)
    if not area_names:
        st.warning("Es gibt noch keine Gesamtmaßnahme; legen Sie zuerst ein Fördergebiet an.")
        return
    area = st.selectbox(
        "Gesamtmaßnahme (Fördergebiet)",
        list(area_names),
        format_func=lambda a: area_names[a],
        key="massnahmen.neu.gebiet",
    )
    st.markdown("**Lage** – zeichnen Sie die Maßnahme als Punkt, Linie oder Fläche:")
    geometry = draw_geometry(
        "massnahmen.neu.karte",
        kinds=KINDS,
        store_crs=store.crs,
        context=areas[areas["id"] == area],
    )
    if geometry is not None:
        kind = {"Point": "point", "LineString": "line", "Polygon": "polygon"}.get(
            geometry.geom_type, "polygon"
        )
        st.caption(f"Gezeichnet: {KIND_LABELS[kind]}.")
    prefix = "massnahmen.neu"
    with st.form("massnahmen.neu.formular", enter_to_submit=False):
        ident = st.text_input("Kennung", value=next_id(measures["id"]))
        values, typed, fields, goals = _measure_fields(
            url, {"funding_area_id": area, "status": "geplant"}, prefix=prefix
        )
        ms, out = _parts_editors(url, None, prefix=prefix)
        submitted = st.form_submit_button("Maßnahme anlegen", type="primary")
    if st.button("Abbrechen", key="massnahmen.neu.abbrechen"):
        st.session_state[NEW] = False
        st.rerun()
    if not submitted:
        return
    numbers, errors = read_numbers(typed)
    milestones, outputs, part_errors = _read_parts(ms, out, output_labels())
    errors += part_errors
    if geometry is None:
        errors.append("Lage: Zeichnen Sie die Maßnahme auf der Karte (Punkt, Linie oder Fläche).")
    if not ident.strip():
        errors.append("Kennung: Geben Sie eine Kennung ein, z. B. " + next_id(measures["id"]) + ".")
    if errors:
        st.error(md("Nicht gespeichert: " + " ".join(errors)))
        return
    record = (
        {"id": ident.strip(), "funding_area_id": area, "archived": False}
        | values
        | numbers
        | {"geometry": geometry}
    )

    def create() -> services.Saved:
        saved = services.create_measure(
            store,
            user,
            record,
            fields=fields,
            goals=goals,
            milestones=_new_milestone_rows(store, milestones),
            outputs=outputs,
        )
        st.session_state[NEW] = False
        st.session_state[state.key(PAGE, "auswahl")] = record["id"]
        return saved

    attempt(create, what="neu", subject="Die Maßnahme", done=f"Maßnahme {record['id']} angelegt.")


def _new_milestone_rows(store: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give new milestones free ids (MS-00001 …)."""
    taken = set(store.read("milestones", columns=["id"])["id"])
    out = []
    for row in rows:
        ident = next_id(taken, prefix="MS-", width=5)
        taken.add(ident)
        out.append(row | {"id": ident})
    return out


# --- one measure -------------------------------------------------------------------------


def _detail(url: str, user: User, ident: str) -> None:
    """Show one measure; editors get its forms."""
    store = data.store(url)
    stored = data.layer(url, "measures")
    row = stored[stored["id"] == ident]
    if row.empty:
        st.warning(f"Die Maßnahme {md(ident)} gibt es nicht (mehr).")
        return
    record = editing.row_dict(row.reset_index(drop=True))
    geometry = row.geometry.iloc[0] if hasattr(row, "geometry") else None
    # reads are fresh each run: a save expects the version shown before the click, so a
    # colleague's change in between is a conflict, never a silent overwrite
    seen = data.as_shown(shown_form(ident), record)
    version = int(seen["version"])
    st.subheader("Maßnahme")
    st.markdown(f"**{md(record['title'])}** ({md(ident)}, Version {md(version)})")
    if record.get("archived"):
        st.warning(f"Archiviert. Grund: {md(record.get('archive_reason'))}")
    can_edit = user.may("edit_funding")
    if not can_edit:
        st.caption(f"Ihre Rolle ({role_label(user)}) darf Maßnahmen nicht ändern.")
        render_funding(url, user, record, can_edit=False)
        render_attachments(url, user, record, can_edit=False)
        return
    areas = data.layer(url, "funding_areas")
    st.markdown("**Lage** – zum Verschieben neu zeichnen oder die vorhandene bearbeiten:")
    drawn = draw_geometry(
        f"massnahmen.karte.{ident}.{version}",
        kinds=KINDS,
        existing=geometry if geometry is not None and not geometry.is_empty else None,
        store_crs=store.crs,
        context=areas[areas["id"] == record["funding_area_id"]],
    )
    moved = drawn is not None and (geometry is None or not drawn.equals(geometry))
    if moved:
        st.info("Neue Lage gezeichnet: Sie wird mit „Speichern“ übernommen.")
    prefix = f"massnahmen.{ident}.{version}"
    area_names = names(areas)
    with st.form(f"massnahme-{ident}-{version}", enter_to_submit=False):
        area_ids = list(area_names)
        area = st.selectbox(
            "Gesamtmaßnahme (Fördergebiet)",
            area_ids,
            index=area_ids.index(record["funding_area_id"])
            if record["funding_area_id"] in area_ids
            else 0,
            format_func=lambda a: area_names[a],
        )
        values, typed, fields, goals = _measure_fields(url, record, prefix=prefix)
        values["funding_area_id"] = area
        confirmed = confirm_box(ident, key=f"{prefix}.trotzdem")
        submitted = st.form_submit_button("Speichern", type="primary")
    if submitted:
        numbers, errors = read_numbers(typed)
        if errors:
            st.error(md("Nicht gespeichert: " + " ".join(errors)))
        else:
            _save(
                url,
                user,
                seen,
                values | numbers,
                fields,
                goals,
                drawn if moved else None,
                confirmed,
            )
    _parts(url, user, seen)
    render_funding(url, user, record, can_edit=True)
    render_attachments(url, user, record, can_edit=True)
    _archive_or_delete(url, user, seen)


def shown_form(ident: str) -> str:
    """The name under which the measure's forms remember the record they showed."""
    return f"massnahmen.{ident}"


def _differs(old: Any, new: Any) -> bool:
    """Return whether a form value differs from the stored one (compared as plain values)."""
    return bool(editing.plain(old) != editing.plain(None if new == "" else new))


def _save(
    url: str,
    user: User,
    seen: dict[str, Any],
    values: dict[str, Any],
    fields: list[str],
    goals: list[str],
    geometry: Any,
    confirmed: bool,
) -> None:
    """Store the changed fields, links and the new place (if drawn)."""
    ident = str(seen["id"])
    changed = {k: v for k, v in values.items() if _differs(seen.get(k), v)}
    if geometry is not None:
        changed["geometry"] = geometry
    new_fields = sorted(fields) != _links(url, "measure_fields", "field_id", ident)
    new_goals = sorted(goals) != _links(url, "measure_goals", "goal_id", ident)
    if not changed and not new_fields and not new_goals:
        st.info("Keine Änderung.")
        return
    labels = [FIELD_LABELS.get(k, k) for k in sorted(changed)]
    labels += ["Handlungsfelder"] * new_fields + ["Ziele"] * new_goals
    attempt(
        lambda: services.update_measure(
            data.store(url),
            user,
            ident,
            changed,
            expected_version=int(seen["version"]),
            seen=seen,
            fields=fields if new_fields else None,
            goals=goals if new_goals else None,
            confirmed=confirmed,
        ),
        what=ident,
        subject="Die Maßnahme",
        done=f"Gespeichert: {', '.join(labels)}.",
        shown=shown_form(ident),
    )


def _parts(url: str, user: User, record: dict[str, Any]) -> None:
    """The milestones and outputs of the measure, edited as tables."""
    ident, version = str(record["id"]), int(record["version"])
    with st.expander("Meilensteine und Output"):
        with st.form(f"massnahmen.teile.{ident}.{version}", enter_to_submit=False):
            ms, out = _parts_editors(url, ident, prefix=f"massnahmen.teile.{ident}.{version}")
            submitted = st.form_submit_button("Meilensteine und Output speichern")
        if not submitted:
            return
        milestones, outputs, errors = _read_parts(ms, out, output_labels())
        if errors:
            st.error(md("Nicht gespeichert: " + " ".join(errors)))
            return
        attempt(
            lambda: services.set_measure_parts(
                data.store(url),
                user,
                ident,
                expected_version=version,
                milestones=milestones,
                outputs=outputs,
            ),
            what=f"{ident}.teile",
            subject="Die Maßnahme",
            done="Meilensteine und Output gespeichert.",
            shown=shown_form(ident),
        )


def _archive_or_delete(url: str, user: User, record: dict[str, Any]) -> None:
    """Archive (or restore) the measure, or delete it for good, each with a reason."""
    ident, version = str(record["id"]), int(record["version"])
    archived = bool(record.get("archived"))
    with st.expander("Archivieren oder löschen"):
        reason = st.text_input(
            "Grund (wird im Änderungsprotokoll festgehalten)", key=f"massnahmen.grund.{ident}"
        )
        c1, c2 = st.columns(2)
        label = "Wiederherstellen" if archived else "Archivieren"
        if c1.button(label, key=f"massnahmen.archiv.{ident}"):
            attempt(
                lambda: services.archive_measure(
                    data.store(url),
                    user,
                    ident,
                    reason=reason,
                    expected_version=version,
                    archived=not archived,
                ),
                what=f"{ident}.archiv",
                subject="Die Maßnahme",
                done=f"Maßnahme {ident} {'wiederhergestellt' if archived else 'archiviert'}.",
                shown=shown_form(ident),
            )
        sure = c2.checkbox(
            "Endgültig löschen, mit Finanzierung und Anhängen", key=f"massnahmen.sicher.{ident}"
        )
        if c2.button("Löschen", key=f"massnahmen.loeschen.{ident}", disabled=not sure):

            def delete() -> dict[str, Any]:
                gone = services.delete_measure(
                    data.store(url), user, ident, reason=reason, expected_version=version
                )
                st.session_state.pop(state.key(PAGE, "auswahl"), None)
                return gone

            attempt(
                delete,
                what=f"{ident}.loeschen",
                subject="Die Maßnahme",
                done=f"Maßnahme {ident} gelöscht.",
                shown=shown_form(ident),
            )
