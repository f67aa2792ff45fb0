"""QGIS layer styles (QML) written in Python: symbols, rule-based renderers, field aliases.

A QML document is what QGIS keeps in the ``styleQML`` column of its ``layer_styles``
table and in ``.qml`` files. This module writes the small part of it the store's layers
need, with :mod:`xml.etree` and without QGIS: single-symbol and rule-based renderers
over fill, outline, line and marker symbols (QGIS 3.22 element and property names),
and German field aliases. Colours are ``#rrggbb``; sizes are millimetres.

Examples
--------
>>> qml = rule_style(
...     [Rule("geplant", "\\"status\\" = 'geplant'", Marker("#0072B2"))],
...     aliases={"status": "Status"},
... )
>>> qml.startswith("<qgis "), 'type="RuleRenderer"' in qml, 'name="Status"' in qml
(True, True, True)
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from geo.errors import WebMapError

#: The QGIS version the documents are written for (read by every QGIS 3 from 3.22 on).
QGIS_VERSION = "3.22.0"
GeometryKind = str  # "point" | "line" | "polygon" | "" (mixed)
_GEOMETRY_CODES = {"point": "0", "line": "1", "polygon": "2"}


@dataclass(frozen=True)
class Fill:
    """A filled polygon: colour, outline, and optionally a diagonal hatch on top."""

    colour: str
    outline: str = "#444444"
    outline_width: float = 0.26
    hatch: str | None = None


@dataclass(frozen=True)
class Outline:
    """A polygon drawn as its outline only, optionally dashed (``dash`` in mm, "2 1")."""

    colour: str
    width: float = 0.8
    dash: str | None = None


@dataclass(frozen=True)
class Line:
    """A line: colour, width and optional dash pattern (mm, "2 1")."""

    colour: str
    width: float = 0.8
    dash: str | None = None


@dataclass(frozen=True)
class Marker:
    """A circle marker."""

    colour: str
    size: float = 3.0
    outline: str = "#222222"


Symbol = Fill | Outline | Line | Marker


@dataclass(frozen=True)
class Rule:
    """A rule of a rule-based renderer: legend label, filter expression, symbol, children.

    ``filter`` empty matches every feature; ``symbol`` None draws nothing itself (a group
    of child rules); ``else_rule`` matches what no sibling rule matched.
    """

    label: str
    filter: str = ""
    symbol: Symbol | None = None
    children: tuple[Rule, ...] = field(default_factory=tuple)
    else_rule: bool = False


def rgba(colour: str) -> str:
    """Return a ``#rrggbb`` colour as QGIS writes it: ``r,g,b,255``.

    Examples
    --------
    >>> rgba("#fde725")
    '253,231,37,255'
    """
    text = colour.strip().lstrip("#")
    if len(text) != 6:
        raise WebMapError(f"Farbe {colour!r} ist nicht von der Form #rrggbb")
    r, g, b = (int(text[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},255"


def literal(value: str) -> str:
    """Return a QGIS expression string literal.

    Examples
    --------
    >>> literal("Kita's Garten")
    "'Kita''s Garten'"
    """
    return "'" + str(value).replace("'", "''") + "'"


def quoted(column: str) -> str:
    """Return a QGIS expression field reference.

    Examples
    --------
    >>> quoted("wert")
    '"wert"'
    """
    return '"' + column.replace('"', '""') + '"'


def _dash(pattern: str | None) -> str:
    return ";".join((pattern or "").split())


def _options(parent: ET.Element, props: Mapping[str, str]) -> None:
    """Write symbol layer properties as QGIS 3.22 does: ``<Option type="Map">`` and ``<prop>``."""
    opt = ET.SubElement(parent, "Option", type="Map")
    for key, value in props.items():
        ET.SubElement(opt, "Option", name=key, type="QString", value=value)
    for key, value in props.items():
        ET.SubElement(parent, "prop", k=key, v=value)


def _layer(symbol: ET.Element, cls: str, props: Mapping[str, str]) -> None:
    lay = ET.SubElement(symbol, "layer", {"class": cls, "enabled": "1", "locked": "0", "pass": "0"})
    _options(lay, props)


def _simple_line(colour: str, width: float, dash: str | None) -> dict[str, str]:
    return {
        "line_color": rgba(colour),
        "line_style": "solid",
        "line_width": f"{width:g}",
        "line_width_unit": "MM",
        "joinstyle": "round",
        "capstyle": "round",
        "use_custom_dash": "1" if dash else "0",
        "customdash": _dash(dash) or "5;2",
        "customdash_unit": "MM",
        "draw_inside_polygon": "0",
    }


def symbol_element(name: str, symbol: Symbol) -> ET.Element:
    """Return the ``<symbol>`` element of a symbol (``name`` is its key in the renderer)."""
    kind = {Fill: "fill", Outline: "fill", Line: "line", Marker: "marker"}[type(symbol)]
    el = ET.Element(
        "symbol",
        {"type": kind, "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"},
    )
    if isinstance(symbol, Fill):
        _layer(
            el,
            "SimpleFill",
            {
                "color": rgba(symbol.colour),
                "style": "solid",
                "outline_color": rgba(symbol.outline),
                "outline_style": "solid",
                "outline_width": f"{symbol.outline_width:g}",
                "outline_width_unit": "MM",
                "joinstyle": "bevel",
            },
        )
        if symbol.hatch:
            _layer(
                el,
                "SimpleFill",
                {
                    "color": rgba(symbol.hatch),
                    "style": "b_diagonal",
                    "outline_color": rgba(symbol.outline),
                    "outline_style": "no",
                    "outline_width": "0",
                    "outline_width_unit": "MM",
                    "joinstyle": "bevel",
                },
            )
    elif isinstance(symbol, (Outline, Line)):
        _layer(el, "SimpleLine", _simple_line(symbol.colour, symbol.width, symbol.dash))
    else:
        _layer(
            el,
            "SimpleMarker",
            {
                "name": "circle",
                "color": rgba(symbol.colour),
                "outline_color": rgba(symbol.outline),
                "outline_style": "solid",
                "outline_width": "0.2",
                "outline_width_unit": "MM",
                "size": f"{symbol.size:g}",
                "size_unit": "MM",
                "angle": "0",
                "scale_method": "diameter",
            },
        )
    return el


def _document() -> ET.Element:
    return ET.Element("qgis", version=QGIS_VERSION, styleCategories="Symbology|Fields|Legend")


def _finish(root: ET.Element, geometry: GeometryKind, aliases: Mapping[str, str]) -> str:
    if aliases:
        box = ET.SubElement(root, "aliases")
        for i, (name, alias) in enumerate(aliases.items()):
            ET.SubElement(box, "alias", field=name, index=str(i), name=alias)
    if geometry in _GEOMETRY_CODES:
        ET.SubElement(root, "layerGeometryType").text = _GEOMETRY_CODES[geometry]
    return ET.tostring(root, encoding="unicode")


def single_style(
    symbol: Symbol, *, aliases: Mapping[str, str] = {}, geometry: GeometryKind = ""
) -> str:
    """Return a QML document drawing every feature with one symbol.

    Examples
    --------
    >>> 'type="singleSymbol"' in single_style(Outline("#444444"), geometry="polygon")
    True
    """
    root = _document()
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        {"type": "singleSymbol", "symbollevels": "0", "enableorderby": "0", "forceraster": "0"},
    )
    ET.SubElement(renderer, "symbols").append(symbol_element("0", symbol))
    return _finish(root, geometry, aliases)


def rule_style(
    rules: Sequence[Rule], *, aliases: Mapping[str, str] = {}, geometry: GeometryKind = ""
) -> str:
    """Return a QML document with a rule-based renderer; each rule is a legend entry.

    Examples
    --------
    >>> qml = rule_style([Rule("a", "\\"x\\" = 1", Fill("#ffffff")),
    ...                   Rule("sonst", symbol=Fill("#000000"), else_rule=True)])
    >>> qml.count("<rule "), 'filter="ELSE"' in qml
    (2, True)
    """
    root = _document()
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        {"type": "RuleRenderer", "symbollevels": "0", "enableorderby": "0", "forceraster": "0"},
    )
    top = ET.SubElement(renderer, "rules", key="{qmon-root}")
    symbols: list[ET.Element] = []

    def add(parent: ET.Element, rule: Rule, path: str) -> None:
        attrs = {"key": "{qmon-" + path + "}", "label": rule.label}
        if rule.else_rule:
            attrs["filter"] = "ELSE"
        elif rule.filter:
            attrs["filter"] = rule.filter
        if rule.symbol is not None:
            attrs["symbol"] = str(len(symbols))
            symbols.append(symbol_element(attrs["symbol"], rule.symbol))
        el = ET.SubElement(parent, "rule", attrs)
        for i, child in enumerate(rule.children):
            add(el, child, f"{path}-{i}")

    for i, rule in enumerate(rules):
        add(top, rule, str(i))
    box = ET.SubElement(renderer, "symbols")
    for el in symbols:
        box.append(el)
    return _finish(root, geometry, aliases)
