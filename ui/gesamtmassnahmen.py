"""Seite „Gesamtmaßnahmen“: Fördergebiete anlegen und pflegen, Entwicklungskonzepte mit
Zielen und Zielwerten, Förderprogramme.

Gespeichert wird nur über die Dienste (monitoring.services: Rolle, Prüfregeln,
optimistisches Sperren, Änderungsprotokoll in derselben Transaktion). Die Grenze eines
Fördergebiets kommt aus einer hochgeladenen Vektordatei (wie beim Import, in das
Koordinatensystem des Datenbestands umgerechnet) oder wird auf der Karte gezeichnet.
Zahlen werden als Text in deutscher Schreibweise eingegeben (ui.inputs).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from geo import german
from geo.errors import GeoError
from geo.german import NO_VALUE_SHORT
from monitoring import editing, services
from monitoring.auth import User
from monitoring.errors import EditConflict, MonitoringError, RuleViolation
from monitoring.numbers import NumberKind
from monitoring.renewal import concepts as concepts_mod
from monitoring.renewal.funding_areas import DESIGNATIONS, FUNDING_STATUSES, PROCEDURES
from monitoring.renewal.programmes import LAENDER, programme_table
from ui import data
from ui.common import current_user, guarded, md, names, role_label, store_url
from ui.help_texts import HELP
from ui.inputs import number_field, read_numbers
from ui.tables import german_table

PAGE = "gesamtmassnahmen"
NEW = "__neu__"
NONE = "—"
ALL_FEATURES = "alle"
FLASH = "gm.meldung"
PENDING = "gm.auswahl.neu"
LAYER_NAMES = {
    "funding_areas": "Die Gesamtmaßnahme",
    "concepts": "Das Konzept",
    "goals": "Das Ziel",
    "targets": "Der Zielwert",
    "programmes": "Das Programm",
}


def render() -> None:
    """Draw the page."""
    url = store_url()
    st.title("Gesamtmaßnahmen")
    _flash()
    with guarded():
        user = current_user()
        tabs = st.tabs(["Fördergebiete", "Entwicklungskonzepte", "Programme"])
        with tabs[0]:
            _funding_areas(url, user)
        with tabs[1]:
            _concepts(url, user)
        with tabs[2]:
            _programmes(url, user)


# --- saving ------------------------------------------------------------------------------


def _save(
    url: str,
    user: User,
    layer: str,
    values: Mapping[str, Any],
    *,
    key: Mapping[str, Any] | None = None,
    seen: Mapping[str, Any] | None = None,
    action: Callable[[], Any] | None = None,
    reset: str | None = None,
    select: tuple[str, str] | None = None,
    done: str = "Gespeichert",
    shown: str | None = None,
) -> bool:
    """Store through the services and show the outcome in German; True when stored.

    After a save the page reruns, so every table shows the stored state; the fields
    whose key starts with ``reset`` start empty again, and ``select`` (widget key,
    value) chooses the new record. ``shown`` names the form whose record
    (:func:`ui.data.as_shown`) the next run shows afresh.
    """
    name = LAYER_NAMES.get(layer, "Der Datensatz")
    ident = (key or values).get("id")
    what = f"{name} „{ident}“"
    try:
        if action is not None:
            saved = action()
        else:
            saved = services.save(
                data.store(url),
                user,
                layer,
                values,
                key=key,
                expected_version=None if seen is None else int(seen["version"]),
                seen=seen,
            )
    except EditConflict as exc:
        st.error("Konflikt: " + md(services.conflict_text(exc, what=what)))
        data.clear()
        return False
    except RuleViolation as exc:
        st.error("Nicht gespeichert:\n\n" + "\n".join(f"- {md(p)}" for p in exc.problems))
        return False
    except (MonitoringError, GeoError) as exc:
        st.error(f"Nicht gespeichert: {md(exc)}")
        return False
    if shown is not None:
        data.forget_shown(shown)
    data.clear()
    if reset is not None:
        for name in [k for k in st.session_state if str(k).startswith(reset)]:
            del st.session_state[name]
    if select is not None:
        st.session_state[PENDING] = select
    st.session_state[FLASH] = (
        f"{done}: {md(what)}.",
        [md(w.message) for w in getattr(saved, "warnings", ())],
    )
    st.rerun()  # the tables and forms above show the stored state
    return True  # pragma: no cover - st.rerun does not return


def _flash() -> None:
    """Show the outcome of the save that triggered this rerun."""
    done = st.session_state.pop(FLASH, None)
    pending = st.session_state.pop(PENDING, None)
    if pending is not None:
        st.session_state[pending[0]] = pending[1]
    if done is not None:
        message, warnings = done
        st.success(message)
        for w in warnings:
            st.warning(w)


def _changed(seen: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the values that differ from the stored record (compared as plain values)."""
    return {
        k: v
        for k, v in values.items()
        if editing.plain(seen.get(k)) != editing.plain(None if v == "" else v)
    }


def _year(value: float | None) -> int | None:
    return None if value is None else int(value)


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _date(value: Any) -> dt.date | None:
    return None if not _text(value) else pd.Timestamp(value).date()


def _shown_text(value: Any) -> str:
    """A text cell as a table shows it: ``–`` where nothing is stored (never ``None``)."""
    return _text(value) or german.NO_VALUE_SHORT


def _year_text(value: Any) -> str:
    """A year as a table shows it: ``2024`` (no thousands point), ``–`` where none.

    Examples
    --------
    >>> _year_text(2024.0), _year_text(pd.NA), _year_text(None)
    ('2024', '–', '–')
    """
    return german.number(value, grouping=False, missing=german.NO_VALUE_SHORT)


# --- funding areas ----------------------------------------------------------------------


def _funding_areas(url: str, user: User) -> None:
    areas = data.layer(url, "funding_areas")
    programmes = names(data.layer(url, "programmes"))
    st.dataframe(
        _area_table(areas, programmes), hide_index=True, width="stretch", placeholder=NO_VALUE_SHORT
    )
    may = user.may("edit_funding")
    options = ([NEW] if may else []) + sorted(areas["id"].astype(str))
    labels = names(areas)
    if not options:
        st.info("Noch keine Gesamtmaßnahme angelegt.")
        return
    chosen = st.selectbox(
        "Gesamtmaßnahme",
        options,
        format_func=lambda v: "neue Gesamtmaßnahme anlegen" if v == NEW else f"{labels[v]} ({v})",
        key="gm.auswahl",
    )
    if not may:
        st.caption(f"Ihre Rolle ({role_label(user)}) darf Gesamtmaßnahmen nicht ändern.")
        return
    if chosen == NEW:
        _new_area(url, user, areas, programmes)
    else:
        row = areas[areas["id"] == chosen].reset_index(drop=True)
        if row.empty:
            st.warning(f"Die Gesamtmaßnahme {md(chosen)} gibt es nicht (mehr).")
            return
        _edit_area(url, user, editing.row_dict(row), programmes)


def _area_table(areas: pd.DataFrame, programmes: Mapping[str, str]) -> pd.DataFrame:
    """Return the funding areas with German headers for the table."""
    return pd.DataFrame(
        {
            "Kennung": areas["id"],
            "Name": areas["name"],
            "Programm": areas["programme_id"].map(lambda p: programmes.get(p, p)),
            "Aufnahmejahr": areas["start_year"].map(_year_text),
            "voraussichtliches Ende": areas["expected_end"].map(_year_text),
            "Förderstatus": areas["funding_status"].map(_shown_text),
            "Gebietsfestlegung": areas["legal_designation"].map(_shown_text),
            "Verfahren": areas["legal_procedure"].map(_shown_text),
            "Satzung vom": areas["bylaw_date"].map(lambda d: german.date(d, missing="")),
        }
    ).sort_values("Kennung")


def _boundary(url: str, key: str, *, required: bool) -> tuple[Any, bool]:
    """Draw the boundary input (upload or drawing); return (geometry or None, ok)."""
    how = st.radio(
        "Grenze des Fördergebiets" + (" *" if required else " (neu, sonst bleibt sie)"),
        ["Datei hochladen", "Auf der Karte zeichnen"],
        horizontal=True,
        key=f"{key}.wie",
    )
    store_crs = data.store(url).crs
    if how == "Auf der Karte zeichnen":
        return drawn_boundary(f"{key}.zeichnen", store_crs=store_crs), True
    upload = st.file_uploader(
        "Vektordatei mit der Grenze (Shapefile als ZIP, GeoPackage, GeoJSON …)",
        type=["gpkg", "geojson", "json", "zip", "kml", "fgb", "gml"],
        key=f"{key}.datei",
    )
    if upload is None:
        return None, True
    folder = Path(tempfile.mkdtemp(prefix="qmon-grenze-"))
    try:
        path = folder / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        try:
            shape, features = services.boundary_from_file(path, store_crs=store_crs, dissolve=True)
        except (GeoError, MonitoringError) as exc:
            st.error(f"Die Datei {md(upload.name)} ergibt keine Grenze: {md(exc)}")
            return None, False
        if len(features) > 1:
            labels = _feature_labels(features)
            pick = st.selectbox(
                f"Die Datei enthält {len(features)} Objekte: welches ist das Fördergebiet?",
                [ALL_FEATURES, *labels],
                format_func=lambda v: (
                    "alle zu einem Gebiet zusammenfassen" if v == ALL_FEATURES else labels[v]
                ),
                key=f"{key}.objekt",
            )
            if pick != ALL_FEATURES:
                shape, _ = services.boundary_from_file(path, store_crs=store_crs, feature=pick)
        hectares = german.number(shape.area / 10_000, decimals=1, unit="ha")
        st.caption(f"Grenze aus {md(upload.name)}: {hectares}")
        return shape, True
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _feature_labels(features: pd.DataFrame) -> dict[Any, str]:
    """Return feature number -> a label (number and the first text attribute)."""
    texts = [c for c in features.columns if c != "geometry" and features[c].dtype == object]
    return {
        i: f"Objekt {i}" + (f": {features.loc[i, texts[0]]}" if texts else "")
        for i in features.index
    }


def drawn_boundary(key: str, *, store_crs: Any) -> Any:
    """Return the polygon drawn on the map (ui.drawing), or None while nothing is drawn."""
    try:
        from ui.drawing import draw_geometry  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        st.info(
            "Zeichnen auf der Karte ist in dieser Version noch nicht verfügbar; laden Sie "
            "die Grenze als Datei hoch."
        )
        return None
    return draw_geometry(key, kinds=("polygon",), existing=None, store_crs=store_crs)


def _year_field(label: str, value: Any, *, key: str, place: Any) -> str:
    """Draw a text field for a year (no thousands dot); read it with read_numbers."""
    shown = "" if not _text(value) else str(int(value))
    return str(place.text_input(label, value=shown, key=key, help="ein Jahr, z. B. 2021"))


def _attribute_fields(
    key: str, record: Mapping[str, Any], programmes: Mapping[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """Draw the attribute fields of a funding area in the open form; return values, errors."""
    c1, c2 = st.columns(2)
    name = c1.text_input("Name *", value=_text(record.get("name")), key=f"{key}.name")
    ags = c2.text_input(
        "Gemeindeschlüssel (AGS)",
        value=_text(record.get("ags")),
        key=f"{key}.ags",
        help=HELP["ags"],
    )
    programme_ids = [NONE, *programmes]
    current = _text(record.get("programme_id"))
    programme = _choice(
        c1,
        "Programm",
        programme_ids,
        current,
        key=f"{key}.programm",
        format_func=lambda p: p if p == NONE else programmes[p],
    )
    status = _choice(
        c2,
        "Förderstatus",
        [NONE, *FUNDING_STATUSES],
        record.get("funding_status"),
        key=f"{key}.status",
    )
    c3, c4, c5 = st.columns(3)
    typed: dict[str, tuple[str, str, NumberKind]] = {
        "start_year": (
            "Aufnahmejahr",
            _year_field("Aufnahmejahr", record.get("start_year"), key=f"{key}.beginn", place=c3),
            "integer",
        ),
        "expected_end": (
            "voraussichtliches Ende",
            _year_field(
                "voraussichtliches Ende (Jahr)",
                record.get("expected_end"),
                key=f"{key}.ende",
                place=c4,
            ),
            "integer",
        ),
        "fund_share": (
            "max. Anteil Städtebauförderung im Verfügungsfonds (%)",
            number_field(
                "max. Anteil Städtebauförderung im Verfügungsfonds (%)",
                None
                if record.get("fund_public_share_max") is None
                else float(record["fund_public_share_max"]) * 100,
                kind="percent",
                key=f"{key}.anteil",
                container=c5,
                help="50 ist die Regel; 100, wo das Land es erlaubt",
            ),
            "percent",
        ),
    }
    st.markdown("**Gebietsfestlegung (BauGB)**")
    d1, d2, d3 = st.columns(3)
    stored = _text(record.get("legal_designation"))
    designations = [NONE, *DESIGNATIONS] + (
        [stored] if stored and stored not in DESIGNATIONS else []
    )
    designation = _choice(d1, "Festlegung", designations, stored, key=f"{key}.festlegung")
    procedure = _choice(
        d2,
        "Verfahren (nur Sanierungsgebiet, § 142)",
        [NONE, *PROCEDURES],
        record.get("legal_procedure"),
        key=f"{key}.verfahren",
    )
    bylaw = d3.date_input(
        "Satzung vom",
        value=_date(record.get("bylaw_date")),
        format="DD.MM.YYYY",
        min_value=dt.date(1950, 1, 1),
        key=f"{key}.satzung",
    )
    numbers, errors = read_numbers(typed)
    share = numbers.get("fund_share")
    values = {
        "name": name.strip(),
        "ags": ags.strip() or None,
        "programme_id": None if programme == NONE else programme,
        "funding_status": None if status == NONE else status,
        "start_year": _year(numbers.get("start_year")),
        "expected_end": _year(numbers.get("expected_end")),
        "fund_public_share_max": None if share is None else share / 100,
        "legal_designation": None if designation == NONE else designation,
        "legal_procedure": None if procedure == NONE else procedure,
        "bylaw_date": bylaw or None,
    }
    return values, errors


def _new_area(url: str, user: User, areas: pd.DataFrame, programmes: Mapping[str, str]) -> None:
    st.subheader("Neue Gesamtmaßnahme")
    shape, ok = _boundary(url, "gm.neu.grenze", required=True)
    with st.form("gm.neu", enter_to_submit=False):
        ident = st.text_input(
            "Kennung *", value=concepts_mod.next_id(areas["id"], "GM-"), key="gm.neu.kennung"
        )
        values, errors = _attribute_fields("gm.neu", {}, programmes)
        submitted = st.form_submit_button("Gesamtmaßnahme anlegen", type="primary")
    if not submitted:
        return
    if errors or not ok or shape is None or not ident.strip():
        problems = list(errors)
        if shape is None:
            problems.append("Die Grenze fehlt: laden Sie eine Datei hoch oder zeichnen Sie sie.")
        if not ident.strip():
            problems.append("Die Kennung fehlt.")
        st.error("Nicht gespeichert:\n\n" + "\n".join(f"- {md(p)}" for p in problems))
        return
    _save(
        url,
        user,
        "funding_areas",
        {"id": ident.strip(), **values, "geometry": shape},
        reset="gm.neu.",
        select=("gm.auswahl", ident.strip()),
    )


def _choice(
    place: Any,
    label: str,
    options: list[Any],
    current: Any,
    *,
    key: str,
    format_func: Callable[[Any], str] = str,
) -> Any:
    """A select box showing the stored value when it is one of ``options``, else the first."""
    index = options.index(current) if current in options else 0
    return place.selectbox(label, options, index=index, format_func=format_func, key=key)


def _edit_area(url: str, user: User, record: dict[str, Any], programmes: Mapping[str, str]) -> None:
    # reads are fresh each run: save against the version shown before the click, so that a
    # colleague's change in between is a conflict and the user's typing is not lost
    record = data.as_shown(f"gm.{record['id']}", record)
    ident, version = record["id"], record["version"]
    st.subheader(f"{md(record['name'])} ({md(ident)}, Version {version})")
    key = f"gm.{ident}.{version}"
    shape, ok = _boundary(url, f"{key}.grenze", required=False)
    with st.form(key, enter_to_submit=False):
        values, errors = _attribute_fields(key, record, programmes)
        submitted = st.form_submit_button("Speichern", type="primary")
    if not submitted:
        return
    if errors or not ok:
        st.error("Nicht gespeichert:\n\n" + "\n".join(f"- {md(p)}" for p in errors))
        return
    changed = _changed(record, values)
    if shape is not None:
        changed["geometry"] = shape
    if not changed:
        st.info("Keine Änderung.")
        return
    _save(url, user, "funding_areas", changed, key={"id": ident}, seen=record, shown=f"gm.{ident}")


# --- concepts, goals, targets ------------------------------------------------------------


def _concepts(url: str, user: User) -> None:
    areas = names(data.layer(url, "funding_areas"))
    if not areas:
        st.info("Legen Sie zuerst eine Gesamtmaßnahme an.")
        return
    area = st.selectbox(
        "Gesamtmaßnahme",
        list(areas),
        format_func=lambda a: f"{areas[a]} ({a})",
        key="gm.konzepte.gebiet",
    )
    all_concepts = data.layer(url, "concepts")
    mine = all_concepts[all_concepts["funding_area_id"] == area].sort_values("id")
    st.dataframe(
        pd.DataFrame(
            {
                "Kennung": mine["id"],
                "Art": mine["kind"],
                "Titel": mine["title"],
                "beschlossen am": mine["adopted"].map(lambda d: german.date(d, missing="")),
                "Fassung": mine["version_label"].map(_shown_text),
                "gültig ab": mine["valid_from_year"].map(_year_text),
                "gültig bis": mine["valid_to_year"].map(_year_text),
            }
        ),
        hide_index=True,
        width="stretch",
        placeholder=NO_VALUE_SHORT,
    )
    may = user.may("edit_funding")
    if may:
        _new_concept(url, user, str(area), mine, all_concepts)
    if mine.empty:
        return
    concept = st.selectbox(
        "Konzept",
        mine["id"].tolist()[::-1],
        format_func=lambda c: f"{_text(mine.set_index('id').loc[c, 'title'])} ({c})",
        key="gm.konzepte.konzept",
    )
    if may:
        _edit_concept(
            url, user, editing.row_dict(mine[mine["id"] == concept].reset_index(drop=True))
        )
    _goals(url, user, str(concept), may=may)


def _edit_concept(url: str, user: User, record: dict[str, Any]) -> None:
    """Change the title, version, adoption date and validity of a concept."""
    record = data.as_shown(f"gm.konzept.{record['id']}", record)
    key = f"gm.konzept.{record['id']}.{record['version']}"
    with st.expander("Konzept ändern"), st.form(key, enter_to_submit=False):
        title = st.text_input("Titel *", value=_text(record["title"]), key=f"{key}.titel")
        c1, c2, c3, c4 = st.columns(4)
        label = c1.text_input("Fassung", value=_text(record["version_label"]), key=f"{key}.fassung")
        adopted = c2.date_input(
            "beschlossen am",
            value=_date(record["adopted"]),
            format="DD.MM.YYYY",
            min_value=dt.date(1970, 1, 1),
            key=f"{key}.beschlossen",
        )
        typed: dict[str, tuple[str, str, NumberKind]] = {
            "valid_from_year": (
                "gültig ab",
                _year_field(
                    "gültig ab (Jahr)", record["valid_from_year"], key=f"{key}.ab", place=c3
                ),
                "integer",
            ),
            "valid_to_year": (
                "gültig bis",
                _year_field(
                    "gültig bis (Jahr)", record["valid_to_year"], key=f"{key}.bis", place=c4
                ),
                "integer",
            ),
        }
        submitted = st.form_submit_button("Konzept ändern", type="primary")
    if not submitted:
        return
    numbers, errors = read_numbers(typed)
    if errors:
        st.error("Nicht gespeichert:\n\n" + "\n".join(f"- {md(p)}" for p in errors))
        return
    values = {
        "title": title.strip(),
        "version_label": label.strip() or None,
        "adopted": adopted or None,
        "valid_from_year": _year(numbers.get("valid_from_year")),
        "valid_to_year": _year(numbers.get("valid_to_year")),
    }
    changed = _changed(record, values)
    if not changed:
        st.info("Keine Änderung.")
        return
    _save(
        url,
        user,
        "concepts",
        changed,
        key={"id": record["id"]},
        seen=record,
        shown=f"gm.konzept.{record['id']}",
    )


def _new_concept(
    url: str, user: User, area: str, mine: pd.DataFrame, all_concepts: pd.DataFrame
) -> None:
    with (
        st.expander("Neue Fassung des Konzepts", expanded=mine.empty),
        st.form("gm.konzept.neu", enter_to_submit=False),
    ):
        c1, c2, c3 = st.columns(3)
        ident = c1.text_input(
            "Kennung *",
            value=concepts_mod.next_id(all_concepts["id"], f"K-{area}-"),
            key="gm.konzept.kennung",
        )
        kind = c2.selectbox("Art", list(concepts_mod.CONCEPT_KINDS), key="gm.konzept.art")
        label = c3.text_input("Fassung", key="gm.konzept.fassung")
        title = st.text_input("Titel *", key="gm.konzept.titel")
        d1, d2, d3 = st.columns(3)
        adopted = d1.date_input(
            "beschlossen am",
            value=None,
            format="DD.MM.YYYY",
            min_value=dt.date(1970, 1, 1),
            key="gm.konzept.beschlossen",
        )
        typed: dict[str, tuple[str, str, NumberKind]] = {
            "valid_from_year": (
                "gültig ab",
                number_field("gültig ab (Jahr)", kind="integer", key="gm.konzept.ab", container=d2),
                "integer",
            ),
            "valid_to_year": (
                "gültig bis",
                number_field(
                    "gültig bis (Jahr)", kind="integer", key="gm.konzept.bis", container=d3
                ),
                "integer",
            ),
        }
        previous = [NONE, *mine["id"].tolist()[::-1]]
        copy = st.selectbox(
            "Ziele übernehmen aus",
            previous,
            format_func=lambda c: "keine (neu beginnen)" if c == NONE else c,
            key="gm.konzept.kopie",
        )
        submitted = st.form_submit_button("Konzept anlegen", type="primary")
    if not submitted:
        return
    numbers, errors = read_numbers(typed)
    if errors:
        st.error("Nicht gespeichert:\n\n" + "\n".join(f"- {md(p)}" for p in errors))
        return
    values = {
        "id": ident.strip(),
        "funding_area_id": area,
        "kind": kind,
        "title": title.strip(),
        "version_label": label.strip() or None,
        "adopted": adopted or None,
        "valid_from_year": _year(numbers["valid_from_year"]),
        "valid_to_year": _year(numbers["valid_to_year"]),
    }
    _save(
        url,
        user,
        "concepts",
        values,
        action=lambda: services.new_concept_version(
            data.store(url), user, values, copy_goals_from=None if copy == NONE else copy
        ),
        reset="gm.konzept.",
        select=("gm.konzepte.konzept", str(values["id"])),
    )


def _goals(url: str, user: User, concept: str, *, may: bool) -> None:
    goals = data.layer(url, "goals")
    goals = goals[goals["concept_id"] == concept].sort_values("id")
    targets = data.layer(url, "targets")
    targets = targets[targets["goal_id"].isin(goals["id"])].sort_values("id")
    fields = names(data.layer(url, "fields_of_action"))
    registry = data.registry(url)
    st.markdown("**Ziele**")
    counts = targets["goal_id"].value_counts()
    st.dataframe(
        pd.DataFrame(
            {
                "Kennung": goals["id"],
                "Handlungsfeld": goals["field_id"].map(lambda f: fields.get(f, _text(f))),
                "Ziel": goals["title"],
                "Zielwerte": goals["id"].map(counts).fillna(0).astype(int),
            }
        ),
        hide_index=True,
        width="stretch",
        placeholder=NO_VALUE_SHORT,
    )
    if not targets.empty:
        st.markdown("**Zielwerte**")
        shown, config = _target_table(targets, registry)
        st.dataframe(
            shown,
            column_config=config,
            hide_index=True,
            width="stretch",
            placeholder=NO_VALUE_SHORT,
        )
    if not may:
        return
    _new_goal(url, user, concept, goals, fields)
    if not goals.empty:
        _new_target(url, user, goals, targets, registry)
        _edit_goal(url, user, goals, targets, fields)


def _edit_goal(
    url: str,
    user: User,
    goals: pd.DataFrame,
    targets: pd.DataFrame,
    fields: Mapping[str, str],
) -> None:
    """Change or delete a goal (with its targets), or delete one target."""
    with st.expander("Ziel ändern oder löschen"):
        titles = dict(zip(goals["id"], goals["title"]))
        ident = st.selectbox(
            "Ziel", list(titles), format_func=lambda g: f"{titles[g]} ({g})", key="gm.ziel.wahl"
        )
        row = goals[goals["id"] == ident].reset_index(drop=True)
        record = data.as_shown(f"gm.ziel.{ident}", editing.row_dict(row))
        key = f"gm.ziel.{ident}.{record['version']}"
        with st.form(key, enter_to_submit=False):
            field_ids = [NONE, *fields]
            field = st.selectbox(
                "Handlungsfeld",
                field_ids,
                index=field_ids.index(record["field_id"]) if record["field_id"] in fields else 0,
                format_func=lambda f: "ohne" if f == NONE else fields[f],
                key=f"{key}.feld",
            )
            title = st.text_input("Ziel *", value=_text(record["title"]), key=f"{key}.titel")
            description = st.text_area(
                "Beschreibung", value=_text(record["description"]), key=f"{key}.beschreibung"
            )
            mine = targets[targets["goal_id"] == ident]
            sure = st.checkbox(_delete_label(len(mine)), key=f"{key}.sicher")
            c1, c2 = st.columns(2)
            save = c1.form_submit_button("Ziel ändern", type="primary")
            drop = c2.form_submit_button("Ziel löschen")
        if save:
            values = {
                "field_id": None if field == NONE else field,
                "title": title.strip(),
                "description": description.strip() or None,
            }
            changed = _changed(record, values)
            if not changed:
                st.info("Keine Änderung.")
            else:
                _save(
                    url,
                    user,
                    "goals",
                    changed,
                    key={"id": ident},
                    seen=record,
                    shown=f"gm.ziel.{ident}",
                )
        if drop:
            if not sure:
                st.warning("Bitte bestätigen Sie das Löschen mit dem Häkchen.")
                return
            _save(
                url,
                user,
                "goals",
                {"id": ident},
                action=lambda: services.remove_goal(
                    data.store(url), user, str(ident), expected_version=int(record["version"])
                ),
                reset="gm.ziel.",
                done="Gelöscht (mit seinen Zielwerten)",
            )


def _delete_label(targets: int) -> str:
    """The confirmation of deleting a goal, naming its targets (singular and plural).

    Examples
    --------
    >>> _delete_label(0), _delete_label(1)
    ('Ziel wirklich löschen', 'Ziel und seinen Zielwert löschen')
    >>> _delete_label(2)
    'Ziel und seine 2 Zielwerte löschen'
    """
    if targets == 0:
        return "Ziel wirklich löschen"
    if targets == 1:
        return "Ziel und seinen Zielwert löschen"
    return f"Ziel und seine {german.number(targets)} Zielwerte löschen"


def _target_table(targets: pd.DataFrame, registry: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Return the targets as a German table and its column config (figures aligned right)."""

    def label(key: str) -> str:
        return registry[key].label if key in registry else key

    def when(d: Any) -> str:
        return german.date(d, missing="")

    values = pd.concat([targets["baseline_value"], targets["target_value"]]).dropna()
    places = max((_places(v) for v in values), default=0)
    table = pd.DataFrame(
        {
            "Kennung": targets["id"],
            "Ziel": targets["goal_id"],
            "Indikator": targets["indicator"].map(label),
            "Basis": targets["baseline_period"].map(when),
            "Basiswert": targets["baseline_value"],
            "Ziel am": targets["target_period"].map(when),
            "Zielwert": targets["target_value"],
            "Richtung": targets["direction"].map(
                lambda d: concepts_mod.DIRECTION_LABELS.get(d, _text(d))
            ),
        }
    )
    return german_table(table, numbers={"Basiswert": places, "Zielwert": places}, missing="")


def _places(value: Any) -> int:
    """The decimals a typed figure needs (0 to 2): ``12`` → 0, ``9,75`` → 2.

    Examples
    --------
    >>> _places(12.0), _places(12.5), _places(9.75), _places(1 / 3)
    (0, 1, 2, 2)
    """
    for places in (0, 1):
        if round(float(value), places) == float(value):
            return places
    return 2


def _new_goal(
    url: str, user: User, concept: str, goals: pd.DataFrame, fields: Mapping[str, str]
) -> None:
    with st.expander("Ziel hinzufügen"), st.form("gm.ziel.neu", enter_to_submit=False):
        all_goals = data.layer(url, "goals")["id"]
        ident = st.text_input(
            "Kennung *", value=concepts_mod.next_id(all_goals, f"{concept}-Z"), key="gm.ziel.id"
        )
        field_ids = [NONE, *fields]
        field = st.selectbox(
            "Handlungsfeld",
            field_ids,
            format_func=lambda f: "ohne" if f == NONE else fields[f],
            key="gm.ziel.feld",
        )
        title = st.text_input("Ziel *", key="gm.ziel.titel")
        description = st.text_area("Beschreibung", key="gm.ziel.beschreibung")
        st.caption("Ein Ziel ohne Zielwert ist ein qualitatives Ziel.")
        submitted = st.form_submit_button("Ziel speichern", type="primary")
    if submitted:
        _save(
            url,
            user,
            "goals",
            {
                "id": ident.strip(),
                "concept_id": concept,
                "field_id": None if field == NONE else field,
                "title": title.strip(),
                "description": description.strip() or None,
            },
            reset="gm.ziel.",
        )


def _new_target(
    url: str, user: User, goals: pd.DataFrame, targets: pd.DataFrame, registry: Any
) -> None:
    titles = dict(zip(goals["id"], goals["title"]))
    keys = sorted(registry, key=lambda k: registry[k].label.lower())
    with st.expander("Zielwert hinzufügen"), st.form("gm.zielwert.neu", enter_to_submit=False):
        c1, c2 = st.columns(2)
        goal = c1.selectbox(
            "Ziel", list(titles), format_func=lambda g: f"{titles[g]} ({g})", key="gm.zw.ziel"
        )
        ident = c2.text_input(
            "Kennung *",
            value=concepts_mod.next_id(data.layer(url, "targets")["id"], "T-", width=3),
            key="gm.zw.id",
        )
        indicator = st.selectbox(
            "Indikator",
            keys,
            format_func=lambda k: f"{registry[k].label} ({registry[k].unit})",
            key="gm.zw.indikator",
        )
        b1, b2, b3 = st.columns(3)
        base_at = b1.date_input("Basis am", value=None, format="DD.MM.YYYY", key="gm.zw.basis_am")
        base = number_field("Basiswert", kind="number", key="gm.zw.basis", container=b2)
        direction = b3.selectbox(
            "Richtung",
            list(concepts_mod.DIRECTIONS),
            format_func=lambda d: concepts_mod.DIRECTION_LABELS[d],
            key="gm.zw.richtung",
        )
        t1, t2, _ = st.columns(3)
        target_at = t1.date_input("Ziel am", value=None, format="DD.MM.YYYY", key="gm.zw.ziel_am")
        target = number_field("Zielwert", kind="number", key="gm.zw.wert", container=t2)
        submitted = st.form_submit_button("Zielwert speichern", type="primary")
    if not submitted:
        return
    numbers, errors = read_numbers(
        {
            "baseline_value": ("Basiswert", base, "number"),
            "target_value": ("Zielwert", target, "number"),
        }
    )
    if errors:
        st.error("Nicht gespeichert:\n\n" + "\n".join(f"- {md(p)}" for p in errors))
        return
    _save(
        url,
        user,
        "targets",
        {
            "id": ident.strip(),
            "goal_id": goal,
            "indicator": indicator,
            "baseline_period": base_at or None,
            "baseline_value": numbers["baseline_value"],
            "target_period": target_at or None,
            "target_value": numbers["target_value"],
            "direction": direction,
        },
        reset="gm.zw.",
    )


# --- programmes ----------------------------------------------------------------------------


def _programmes(url: str, user: User) -> None:
    programmes = data.layer(url, "programmes")
    st.dataframe(
        programme_table(programmes), hide_index=True, width="stretch", placeholder=NO_VALUE_SHORT
    )
    if not user.may("edit_settings"):
        st.caption("Programme legt die Administration an.")
        return
    known = names(programmes)
    with st.expander("Landesprogramm anlegen"), st.form("gm.programm.neu", enter_to_submit=False):
        c1, c2 = st.columns(2)
        ident = c1.text_input(
            "Kennung *", key="gm.programm.id", help="Kleinbuchstaben, Ziffern und _"
        )
        name = c2.text_input("Name *", key="gm.programm.name")
        d1, d2, d3, d4 = st.columns(4)
        land = d1.selectbox("Land", list(LAENDER), key="gm.programm.land")
        since = number_field("seit (Jahr)", kind="integer", key="gm.programm.seit", container=d2)
        until = number_field("bis (Jahr)", kind="integer", key="gm.programm.bis", container=d3)
        predecessor = d4.selectbox(
            "Vorgängerprogramm",
            [NONE, *known],
            format_func=lambda p: p if p == NONE else known[p],
            key="gm.programm.vorgaenger",
        )
        submitted = st.form_submit_button("Programm anlegen", type="primary")
    if not submitted:
        return
    numbers, errors = read_numbers(
        {"since": ("seit", since, "integer"), "until": ("bis", until, "integer")}
    )
    if errors:
        st.error("Nicht gespeichert:\n\n" + "\n".join(f"- {md(p)}" for p in errors))
        return
    _save(
        url,
        user,
        "programmes",
        {
            "id": ident.strip(),
            "name": name.strip(),
            "land": land,
            "federal": False,
            "since_year": _year(numbers["since"]),
            "until_year": _year(numbers["until"]),
            "predecessor_id": None if predecessor == NONE else predecessor,
        },
        reset="gm.programm.",
    )
