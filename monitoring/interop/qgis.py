"""QGIS opens the store ready to use: the indicator map layer and the layer styles.

Two things derived from the store are kept in it for QGIS:

- the layer ``indicator_map`` (Indikatorkarte): every public indicator value per area
  and Stichtag with the area's geometry, exactly the features of the public indicator
  layers (:func:`monitoring.interop.public.read_public`: disclosure decided there,
  suppressed values NULL with ``unterdr`` true);
- QGIS styles (QML) for every spatial layer in QGIS's own table ``layer_styles``, with
  the classes, colours and German legend of the app's map (:mod:`geo.webmap`) and German
  field aliases from the schema's column titles. The indicator map has one style per
  indicator (its latest Stichtag), the default one being the social index status class
  where it is stored, else the first published rate.

The values are a table without geometry, ``indicator_map_values``; ``indicator_map`` is a
spatial view of the store (:class:`geo.schema.View`) that joins each row to its area's
polygon, so no polygon is copied per value (a city of 542 areas, 50 indicators and 10
Stichtage would otherwise hold 270,000 copies). Why the values are a table and not a
view too: disclosure control and the rates computed from counts are Python
(:mod:`indicators.disclosure`, :func:`~monitoring.interop.public.public_values`); a SQL
view would have to decide them a second time. The table is rewritten, with the styles,
in the same transaction as every change of its inputs that goes through the writing path
(:func:`monitoring.editing.changes` calls :func:`refresh_in` when a change set touched
:data:`MAP_INPUTS`: imports, their undo, catalogue edits), by ``qmon demo`` and
``qmon init``, after ``qmon index --store`` and by ``qmon qgis``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo import german
from geo.errors import StoreError
from geo.qml import (
    Fill,
    Line,
    Marker,
    Outline,
    Rule,
    Symbol,
    literal,
    quoted,
    rule_style,
    single_style,
)
from geo.schema import SCHEMA, Layer, View
from geo.store.base import LayerStyle, Store, Transaction
from geo.webmap import (
    ACTIVITY_COLOUR,
    DASHES,
    NO_DATA_COLOUR,
    NO_VALUE_TEXT,
    STATUS_ORDER,
    SUPPRESSED_TEXT,
    Palette,
    Scheme,
    category_colours,
    classify,
    format_value,
    sequential_colours,
)
from monitoring import catalogue, editing
from monitoring.auth import User, require
from monitoring.interop.public import public_layers, read_public
from monitoring.maps.content import status_categories as map_status_categories
from monitoring.maps.content import value_decimals
from monitoring.maps.view import MapView as KarteView

#: The spatial view QGIS opens (styles are attached to it) and the table it shows.
MAP_LAYER = "indicator_map"
VALUES_LAYER = SCHEMA.views[MAP_LAYER].layer
#: Layers whose change changes the indicator map (values, areas, the catalogue, profiles).
MAP_INPUTS: frozenset[str] = editing.DERIVED_FROM
#: The map's defaults (the Karte of the app and its print, :class:`monitoring.maps.view.MapView`):
#: classification, number of classes, palette.
SCHEME: Scheme = KarteView.scheme  # type: ignore[assignment]
CLASSES: int = KarteView.k
PALETTE: Palette = KarteView.palette  # type: ignore[assignment]
#: The stored social index status class (indicators.stored.INDEX_KEYS["status_class"]).
STATUS_CLASS = "social_status_class"
AREA_OUTLINE = "#444444"
HATCH_COLOUR = "#8c8c8c"
SUPPRESSED_BASE = "#e6e6e6"
#: Millimetres per screen pixel of the app's line patterns (96 dpi).
MM_PER_PX = 25.4 / 96

Source = Store | Transaction


@dataclass(frozen=True)
class QgisRefresh:
    """What a refresh wrote: rows of the indicator map and styles."""

    rows: int
    styles: int


# --- the indicator map layer -----------------------------------------------------------


def map_rows(source: Source) -> pd.DataFrame:
    """Return the rows of the indicator map: the features of every public indicator layer,
    without their geometry (the view adds the area's), numbered ``nr`` from 1.

    ``source`` is a store or an open transaction (which sees its own writes).
    """
    layer = SCHEMA.layer(VALUES_LAYER)
    parts = [
        read_public(source, public)
        for public in public_layers(source)
        if public.kind == "indicators"
    ]
    parts = [pd.DataFrame(p.drop(columns="geometry")) for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in layer.column_names})
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.assign(
        stichtag=pd.to_datetime(frame["stichtag"]), nr=np.arange(1, len(frame) + 1)
    )
    return frame[list(layer.column_names)].reset_index(drop=True)


# --- styles ----------------------------------------------------------------------------


def aliases(layer: Layer | View) -> dict[str, str]:
    """Return column -> German title of a layer or view (QGIS field aliases).

    Examples
    --------
    >>> names = aliases(SCHEMA.views["indicator_map"])
    >>> names["unterdr"], names["name"]
    ('unterdrückt (Geheimhaltung)', 'Gebiet')
    """
    columns = layer.columns(SCHEMA.layers) if isinstance(layer, View) else layer.columns
    return {c.name: c.title for c in columns if c.title}


def suppressed_label(minimum: int) -> str:
    """The legend label of suppressed areas, as the app's map writes it.

    Examples
    --------
    >>> suppressed_label(300)
    'unterdrückt (weniger als 300 Einwohner)'
    """
    return f"{SUPPRESSED_TEXT} (weniger als {german.number(minimum)} Einwohner)"


def _number(value: float) -> str:
    """A float as a QGIS expression literal that reads back to the same double."""
    return repr(float(value))


@dataclass(frozen=True)
class MapView:
    """Which features one indicator style shows: level, vintage, Stichtag, edition."""

    indicator: str
    label: str
    unit: str
    level: str
    vintage: str
    period: pd.Timestamp
    edition: str

    @property
    def filter(self) -> str:
        return " AND ".join(
            [
                f"{quoted('indikator')} = {literal(self.indicator)}",
                f"{quoted('ebene')} = {literal(self.level)}",
                f"{quoted('stand')} = {literal(self.vintage)}",
                f"{quoted('stichtag')} = {literal(self.period.date().isoformat())}",
                f"{quoted('ausgabe')} = {literal(self.edition)}",
            ]
        )


def map_views(rows: pd.DataFrame) -> list[MapView]:
    """Return one view per indicator: its first level (as the app), latest vintage and Stichtag.

    At that Stichtag the edition with most areas is shown (ties: the first by name).
    """
    views: list[MapView] = []
    if rows.empty:
        return views
    frame = rows.assign(stichtag=pd.to_datetime(rows["stichtag"]))
    for key, of in frame.groupby("indikator", sort=True):
        level = sorted(of["ebene"].astype(str).unique())[0]
        at_level = of[of["ebene"] == level]
        vintage = sorted(at_level["stand"].astype(str).unique())[-1]
        at = at_level[at_level["stand"] == vintage]
        period = at["stichtag"].max()
        latest = at[at["stichtag"] == period]
        counts = latest.groupby("ausgabe")["gebiet"].count()
        edition = sorted(counts.index[counts == counts.max()])[0]
        first = latest.iloc[0]
        label = str(first["bezeichn"] or key)
        unit = "" if pd.isna(first["einheit"]) else str(first["einheit"])
        views.append(MapView(str(key), label, unit, level, vintage, period, str(edition)))
    return views


def indicator_rules(
    view: MapView,
    rows: pd.DataFrame,
    *,
    minimum: int,
    categories: Sequence[tuple[float, str, str]] = (),
) -> list[Rule]:
    """Return the legend rules of one indicator, the app's classes and colours.

    ``rows`` are indicator map rows; the classes come from :func:`geo.webmap.classify`
    over the shown (not suppressed) values of ``view``, with the app's default scheme,
    number of classes and palette; ``categories`` (code, label, colour) replace them
    for class codes (the social index). Suppressed areas are hatched grey.
    """
    at = rows[
        (rows["indikator"] == view.indicator)
        & (rows["ebene"] == view.level)
        & (rows["stand"] == view.vintage)
        & (pd.to_datetime(rows["stichtag"]) == view.period)
        & (rows["ausgabe"] == view.edition)
    ]
    hidden = at["unterdr"].astype(bool)
    values = pd.to_numeric(at["wert"], errors="coerce").astype("float64").where(~hidden)
    base = view.filter
    wert = quoted("wert")
    rules: list[Rule] = []
    if categories:
        for code, label, colour in categories:
            rules.append(
                Rule(label, f"{base} AND {wert} = {_number(code)}", Fill(colour, AREA_OUTLINE))
            )
        no_value = "ohne Zuordnung"
    else:
        with warnings.catch_warnings():  # class codes (few distinct values): fewer classes,
            warnings.filterwarnings("ignore", "Not enough unique values", UserWarning)
            cls = classify(values, scheme=SCHEME, k=CLASSES)  # as mapclassify says
        palette = sequential_colours(max(cls.k, 1), palette=PALETTE)
        decimals = value_decimals(view.unit)
        for i, ((low, high), colour) in enumerate(zip(cls.ranges(), palette)):
            lo = format_value(low, decimals=decimals)
            hi = format_value(high, decimals=decimals, unit=view.unit)
            test = f"{wert} <= {_number(high)}"
            if i > 0:
                test = f"{wert} > {_number(low)} AND " + test
            rules.append(Rule(f"{lo} – {hi}", f"{base} AND {test}", Fill(colour, AREA_OUTLINE)))
        no_value = NO_VALUE_TEXT
    codes = [code for code, _, _ in categories]
    unmatched = values.isna() | (~values.isin(codes) if categories else False)
    if (unmatched & ~hidden).any():  # the app lists "keine Angabe" only where there is one
        rules.append(
            Rule(
                no_value,
                f"{base} AND NOT {quoted('unterdr')} AND "
                + (
                    f"({wert} IS NULL OR {wert} NOT IN "
                    f"({', '.join(_number(c) for c, _, _ in categories)}))"
                    if categories
                    else f"{wert} IS NULL"
                ),
                Fill(NO_DATA_COLOUR, AREA_OUTLINE),
            )
        )
    rules.append(
        Rule(
            suppressed_label(minimum),
            f"{base} AND {quoted('unterdr')}",
            Fill(SUPPRESSED_BASE, AREA_OUTLINE, hatch=HATCH_COLOUR),
        )
    )
    return rules


def status_categories(source: Source) -> tuple[tuple[float, str, str], ...]:
    """(code, label, colour) of the social index status classes, as the app's map shows them."""
    return map_status_categories(catalogue.default_profile(source))


def indicator_styles(source: Source, rows: pd.DataFrame) -> list[LayerStyle]:
    """Return one style per indicator of the indicator map, the default one first."""
    minimum = int(catalogue.default_profile(source).min_population)
    views = map_views(rows)
    if not views:
        return [
            LayerStyle(
                MAP_LAYER,
                "Indikatorkarte",
                single_style(
                    Fill(NO_DATA_COLOUR, AREA_OUTLINE),
                    aliases=aliases(SCHEMA.views[MAP_LAYER]),
                    geometry="polygon",
                ),
                default=True,
                description="noch keine Indikatorwerte gespeichert",
            )
        ]
    default = next((v for v in views if v.indicator == STATUS_CLASS), None)
    default = default or next(
        (v for v in views if (rows["indikator"] == v.indicator).any() and _is_rate(rows, v)),
        views[0],
    )
    levels = {v.level for v in views}
    styles: list[LayerStyle] = []
    for view in [default, *[v for v in views if v is not default]]:
        categories = status_categories(source) if view.indicator == STATUS_CLASS else ()
        rules = indicator_rules(view, rows, minimum=minimum, categories=categories)
        name = view.label if len(levels) == 1 else f"{view.label} ({view.level})"
        styles.append(
            LayerStyle(
                MAP_LAYER,
                name,
                rule_style(rules, aliases=aliases(SCHEMA.views[MAP_LAYER]), geometry="polygon"),
                default=view is default,
                description=(
                    f"{view.label}: {view.level} (Gebietsstand {view.vintage}), Stichtag "
                    f"{german.date(view.period)}, Ausgabe {view.edition}; Klassen wie in der "
                    "Karte der Anwendung"
                ),
            )
        )
    return styles


def _is_rate(rows: pd.DataFrame, view: MapView) -> bool:
    return bool((rows.loc[rows["indikator"] == view.indicator, "ausgabe"] == "berechnet").any())


def funding_area_rules(source: Source) -> list[Rule]:
    """Funding areas outlined by programme: the app's colours and line patterns."""
    frame = source.read("funding_areas", columns=["programme_id"])
    names = source.read("programmes", columns=["id", "name"])
    programme_names = dict(zip(names["id"].astype(str), names["name"].astype(str)))
    present_ids = set(frame["programme_id"].dropna().astype(str))
    order = list(programme_names) + sorted(present_ids - set(programme_names))
    present = [p for p in order if p in present_ids]
    colours = category_colours(present)
    rules = [
        Rule(
            programme_names.get(p, p),
            f"{quoted('programme_id')} = {literal(p)}",
            Outline(colours[p], width=0.8, dash=_mm_dash(DASHES[i % len(DASHES)])),
        )
        for i, p in enumerate(present)
    ]
    rules.append(Rule("ohne Programm", symbol=Outline("#333333", width=0.8), else_rule=True))
    return rules


def _mm_dash(pattern: str | None) -> str | None:
    """A dash pattern of the web map in pixels as millimetres.

    Examples
    --------
    >>> _mm_dash("8 4")
    '2.12 1.06'
    """
    if not pattern:
        return None
    return " ".join(f"{float(p) * MM_PER_PX:.3g}" for p in pattern.split())


def measure_rules(source: Source) -> list[Rule]:
    """Measures by status with the app's status colours; points, lines and areas each drawn."""
    frame = source.read("measures", columns=["status"])
    present = set(frame["status"].dropna().astype(str))
    order = [s for s in STATUS_ORDER if s in present] + sorted(present - set(STATUS_ORDER))
    has_missing = bool(frame["status"].isna().any())
    colours = category_colours([*order, ""] if has_missing else order)
    rules = [
        Rule(status, f"{quoted('status')} = {literal(status)}", None, _by_geometry(colours[status]))
        for status in order
    ]
    if has_missing:
        rules.append(
            Rule("ohne Angabe", f"{quoted('status')} IS NULL", None, _by_geometry(colours[""]))
        )
    return rules


def _by_geometry(colour: str) -> tuple[Rule, ...]:
    kind = "geometry_type($geometry)"
    return (
        Rule("Punkt", f"{kind} = 'Point'", Marker(colour, size=3.0)),
        Rule("Linie", f"{kind} = 'Line'", Line(colour, width=1.0)),
        Rule("Fläche", f"{kind} = 'Polygon'", Fill(colour, "#222222")),
    )


def store_styles(source: Source, rows: pd.DataFrame | None = None) -> list[LayerStyle]:
    """Return the QGIS styles of every spatial layer of the store (one default per layer).

    ``rows`` are the indicator map's rows (read from ``source`` when not given).
    """
    styles: list[LayerStyle] = []
    frame = rows if rows is not None else source.read(VALUES_LAYER)
    styles.extend(indicator_styles(source, frame))
    for layer in SCHEMA.layers.values():
        if not layer.spatial:
            continue
        names = aliases(layer)
        if layer.name == "funding_areas":
            qml = rule_style(funding_area_rules(source), aliases=names, geometry="polygon")
            name, text = "Fördergebiete nach Programm", "Umriss je Programm wie in der Karte"
        elif layer.name == "measures":
            qml = rule_style(measure_rules(source), aliases=names)
            name, text = "Maßnahmen nach Status", "Farbe je Status wie in der Karte"
        else:
            symbol, name, text = _plain(layer)
            qml = single_style(symbol, aliases=names, geometry=_kind(layer))
        styles.append(LayerStyle(layer.name, name, qml, default=True, description=text))
    return styles


def _kind(layer: Layer) -> str:
    return {"POINT": "point", "LINESTRING": "line", "POLYGON": "polygon"}.get(
        str(layer.geometry), "polygon" if layer.geometry == "MULTIPOLYGON" else ""
    )


def _plain(layer: Layer) -> tuple[Symbol, str, str]:
    if layer.name == "areas":
        return Outline(AREA_OUTLINE, width=0.3), "Gebietsgrenzen", "Umrisse der Gebiete"
    if layer.name == "buildings":
        return Fill("#9e9e9e", "#333333", 0.1), "Gebäude", "Grundrisse wie in der Karte"
    if layer.name == "activities":
        return Marker(ACTIVITY_COLOUR, size=2.6), "Aktivitäten", "Punkte wie in der Karte"
    kind = _kind(layer)
    symbol: Symbol = (
        Marker("#0072B2")
        if kind == "point"
        else Line("#0072B2")
        if kind == "line"
        else Outline("#0072B2")
    )
    return symbol, layer.title, "Standarddarstellung"


# --- writing ---------------------------------------------------------------------------


def refresh_in(tx: Transaction, *, styles: bool = True) -> QgisRefresh:
    """Rewrite the indicator map and (with ``styles``) the QGIS styles inside ``tx``.

    No role check: the caller's write already needed one (see :func:`refresh_qgis`).
    """
    rows, written = _rewrite_map(tx)
    count = tx.write_layer_styles(store_styles(tx, rows)) if styles else 0
    return QgisRefresh(written, count)


def _rewrite_map(tx: Transaction) -> tuple[pd.DataFrame, int]:
    """Empty the map first, then read its inputs and write it.

    The delete takes the rows' locks first: on PostGIS a second transaction refreshing at
    the same time waits here until the first commits, and then reads the first one's
    values too (READ COMMITTED reads what is committed when each statement starts), so the
    last refresh to commit holds every committed change.
    """
    tx.delete(VALUES_LAYER)
    rows = map_rows(tx)
    return rows, tx.write(VALUES_LAYER, rows, mode="append")


def refresh_after_changes(ch: editing.ChangeSet) -> QgisRefresh:
    """Keep the indicator map and its styles in step with a change set that touched
    :data:`MAP_INPUTS` (called by :func:`monitoring.editing.changes` before it commits).

    Styles that cannot be written (a PostGIS user without the right to create or write
    ``public.layer_styles``) do not stop the change: the map rows are written, the styles
    wait for ``qmon qgis`` by someone who may.
    """
    rows, written = _rewrite_map(ch.tx)
    try:
        count = ch.tx.write_layer_styles(store_styles(ch.tx, rows))
    except StoreError:
        count = 0
    return QgisRefresh(written, count)


def refresh_qgis(store: Store, user: User) -> QgisRefresh:
    """Rewrite the indicator map and every QGIS style of ``store`` (``qmon qgis``).

    An editing action (role ``editor`` or ``admin``): written in one transaction with an
    audit row.
    """
    require(user, "edit_funding")
    with editing.changes(store, user) as ch:
        done = refresh_in(ch.tx)
        ch.derived_log(
            VALUES_LAYER,
            "QGIS",
            "refresh",
            {VALUES_LAYER: done.rows, "layer_styles": done.styles},
        )
    return done


def style_summary(styles: pd.DataFrame) -> Mapping[str, list[str]]:
    """Return layer -> style names (the default first) of ``layer_styles`` rows."""
    out: dict[str, list[str]] = {}
    ordered = styles.sort_values("useAsDefault", ascending=False, kind="stable")
    for layer, name in zip(ordered["f_table_name"], ordered["styleName"]):
        out.setdefault(str(layer), []).append(str(name))
    return out
