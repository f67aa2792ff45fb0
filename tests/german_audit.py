"""What a clerk reads, checked for German: English words, raw identifiers of the data model,
numbers without German separators and ISO timestamps.

Used by the walk over every page of the demo app (``tests/app/test_german.py``) and by the
checks of the report's PDF text and workbook cells (``tests/reports/test_german_report.py``).
A finding names where the text was seen, the rule and the text, so a failing test says what
to fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

#: English words a German page should not show (whole words, case-sensitive as listed;
#: none of them is also a German word in the sense a page would use it)
ENGLISH = (
    "the", "The", "is", "are", "not", "and", "with", "without", "must", "should", "cannot",
    "empty", "unknown", "allowed", "missing", "found", "Select", "all", "None", "none",
    "nan", "NaN", "NaT", "True", "False", "true", "false", "value", "values", "period",
    "source", "error", "Error", "warning", "Warning", "page", "Page", "viewer", "editor",
    "admin", "status", "level", "vintage", "method", "between", "before", "after", "has",
    "have", "passed", "given", "because", "only", "may", "Mon", "Tue", "Wed", "Thu",
    "Fri", "Sat", "Sun", "January", "February", "March", "May", "June", "July",
    "October", "December", "miles", "mi", "ft", "Loading", "Download", "Upload",
    "Browse", "files", "Drag", "drop", "here", "Limit", "file", "row", "rows",
    "column", "columns", "no", "yes", "No", "Yes", "of", "to", "from", "for",
)  # fmt: skip
_ENGLISH_RE = re.compile(r"(?<![\w\-./@])(" + "|".join(map(re.escape, ENGLISH)) + r")(?![\w\-@])")

#: snake_case (gruenflaeche_m2, cluster_label) and kebab-case keys with a number
#: (berlin-mss-2021): names of the data model, never words
_SNAKE = re.compile(r"(?<![\w/.@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@])")
_KEBAB = re.compile(r"(?<![\w/.@-])[a-z]+(?:-[a-z]+)+-\d+(?![\w@])")
#: ISO dates and timestamps: 2021-02-11, 2026-11-26 08:36, 2021-02-11T00:00:00
_ISO = re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?(?![\d-])")
#: a decimal point (29.9132; not German thousands 14.619 and not a date 31.12.2024)
_POINT_DECIMAL = re.compile(r"(?<![\d.,])\d+\.(?:\d{1,2}|\d{4,})(?![\d.])")
#: thousands with commas (4,000,000)
_COMMA_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])")
#: 5 or more digits without thousands points (14619100); ids and keys are allowed where
#: they are the text of an id column (see :func:`frame_findings`)
#: (a digit string with a leading zero is a key: AGS 05999000, a postcode, a phone number;
#: digits after an area code and a space are the rest of a phone number: 0000 123456)
_UNGROUPED = re.compile(r"(?<![\w.,:/#-])[1-9]\d{4,}(?:,\d+)?(?![\w.,:/-])")
_PHONE_START = re.compile(r"(?:^|[\s(])(?:\+\d+|0\d*)[\s/-]+$")

_VERSION = re.compile(r"(?:Fassung|Version|Stand)\s*$")

RULES = {
    "englisch": _ENGLISH_RE,
    "Bezeichner": _SNAKE,
    "Methodenschlüssel": _KEBAB,
    "ISO-Datum": _ISO,
    "Dezimalpunkt": _POINT_DECIMAL,
    "Tausenderkomma": _COMMA_THOUSANDS,
    "ohne Tausenderpunkte": _UNGROUPED,
}


@dataclass(frozen=True)
class Finding:
    """One text that is not German the way a clerk would write it."""

    where: str
    rule: str
    match: str
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.rule} „{self.match}“ in „{self.text[:160]}“"


def text_findings(where: str, text: str, *, allowed: Iterable[str] = ()) -> list[Finding]:
    """Return what in ``text`` is not German; ``allowed`` lists exact matches to let pass.

    Examples
    --------
    >>> [f.rule for f in text_findings("x", "1 Hinweis: status is 29.9132 am 2021-02-11")]
    ['englisch', 'englisch', 'ISO-Datum', 'Dezimalpunkt']
    >>> text_findings("x", "31.12.2024: 1.234.567,8 € für PR-00, Stand 26.11.2026, 08:36 Uhr")
    []
    >>> text_findings("x", "Feldkatalog (Fassung 2025.1), Telefon 0000 123456")
    []
    >>> text_findings("x", "3.1 Ordnungsmaßnahmen: Bodenordnung; Aktenzeichen 34.1-2019/014")
    []
    >>> [f.match for f in text_findings("x", "Anteil 3.1 Prozent")]
    ['3.1']
    >>> [f.match for f in text_findings("x", "gruenflaeche_m2 berlin-mss-2021 4,000,000 14619100")]
    ['gruenflaeche_m2', 'berlin-mss-2021', '4,000,000', '14619100']
    """
    if not text:
        return []
    skip = set(allowed)
    found = []
    for rule, pattern in RULES.items():
        for match in pattern.finditer(text):
            if match.group(0) in skip:
                continue
            if rule == "Dezimalpunkt" and _not_a_decimal(text, match):
                continue
            if rule == "ohne Tausenderpunkte" and _PHONE_START.search(text[: match.start()]):
                continue  # "0000 123456": the rest of a phone number after its area code
            found.append(Finding(where, rule, match.group(0), text))
    return found


_OUTLINE_REST = re.compile(r"\s+[^\W\d_]")
_FILE_NUMBER_REST = re.compile(r"[-/]\d")


def _not_a_decimal(text: str, match: re.Match[str]) -> bool:
    """Points that German writes too: a version ("Fassung 2025.1"), an outline number at the
    start of a title ("3.1 Ordnungsmaßnahmen"), a file number ("34.1-2019/014")."""
    rest = text[match.end() :]
    if _VERSION.search(text[: match.start()]):
        return True
    if match.start() == 0 and _OUTLINE_REST.match(rest):
        return True
    return bool(_FILE_NUMBER_REST.match(rest))


# --- the visible text of an AppTest run ------------------------------------------------

#: proto fields that a user reads
_TEXT_KEYS = {
    "body",
    "label",
    "options",
    "help",
    "placeholder",
    "caption",
    "title",
    "value",
    "default_value",
    "text",
    "delta",
}


def _strings(value: Any, key: str = "") -> Iterator[str]:
    if isinstance(value, str):
        if key in _TEXT_KEYS:
            yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)


def _nodes(node: Any) -> Iterator[Any]:
    yield node
    children = getattr(node, "children", None)
    if children:
        for child in children.values() if isinstance(children, dict) else children:
            yield from _nodes(child)


def _proto_dict(node: Any) -> dict[str, Any]:
    from google.protobuf.json_format import MessageToDict

    proto = getattr(node, "proto", None)
    if proto is None:
        return {}
    return MessageToDict(proto, preserving_proto_field_name=True)


def _spec_dicts(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every mapping in a Vega-Lite spec (layers, encodings, axes), without its data."""
    yield spec
    for key, value in spec.items():
        if key in ("datasets", "data"):
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                yield from _spec_dicts(item)


def chart_texts(spec: dict[str, Any]) -> Iterator[str]:
    """Titles and labels a Vega-Lite chart shows (axis and legend titles, tooltip titles)."""
    for part in _spec_dicts(spec):
        for key in ("title", "axis_title"):
            if isinstance(part.get(key), str):
                yield part[key]


def chart_findings(where: str, spec: dict[str, Any]) -> list[Finding]:
    """A chart must carry the German locale (axes 1.234,5 and German months)."""
    found = [f for t in chart_texts(spec) for f in text_findings(where, t)]
    locale = spec.get("config", {}).get("locale", {})
    if locale.get("number", {}).get("decimal") != ",":
        found.append(Finding(where, "Diagramm ohne deutsches Zahlenformat", "config.locale", ""))
    # fields the axes and tooltips name are shown as headers unless a title is given
    for channel in _encodings(spec):
        if "title" not in channel and isinstance(channel.get("field"), str):
            found += text_findings(where, channel["field"])
    return found


def _encodings(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for part in _spec_dicts(spec):
        encoding = part.get("encoding")
        if isinstance(encoding, dict):
            for channel in encoding.values():
                for item in channel if isinstance(channel, list) else [channel]:
                    if isinstance(item, dict):
                        yield item


#: table columns whose cells are keys by design (a clerk types them into the CLI or a form)
ID_COLUMNS = (
    "Kennung", "Kennung (intern)", "ID", "Schlüssel", "Gebietsschlüssel", "Nr.", "Telefon",
    "Anschrift", "PLZ", "AGS", "Aktenzeichen",
)  # fmt: skip


def html_texts(markup: str) -> list[str]:
    """The texts of an HTML fragment that a reader sees (not its styles and scripts).

    Examples
    --------
    >>> html_texts("<style>p::after {}</style><p>Legende</p><script>if (a) {}</script>")
    ['Legende']
    """
    from html.parser import HTMLParser

    texts: list[str] = []

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            self.skip += tag in ("script", "style")

        def handle_endtag(self, tag: str) -> None:
            self.skip -= tag in ("script", "style") and self.skip > 0

        def handle_data(self, text: str) -> None:
            if not self.skip and text.strip():
                texts.append(text.strip())

    Text().feed(markup)
    return texts


def _component_parts(data: dict[str, Any]) -> tuple[list[str], list[tuple[str, Any]]]:
    """The texts of a component (the folium map): legend and control HTML and tooltip
    headings, and the feature properties (name, value) that the tooltips show."""
    try:
        args = json.loads(data.get("json_args") or "{}")
    except json.JSONDecodeError:
        return [], []
    script = str(args.get("script", ""))
    if args.get("js_links"):  # the Karte's large layers are files (ui.leaflet): put them back
        from ui.leaflet import full_script

        script = full_script(script, args["js_links"])
    script += str(args.get("html", ""))
    texts: list[str] = []

    # HTML written into the page by the script (legend, layer control titles)
    for fragment in re.findall(r"`([^`]*<[^`]*)`|'(<[^']*>)'", script):
        texts += html_texts("".join(fragment))
    shown: set[str] = set()
    for fields, aliases in re.findall(
        r"let fields = (\[[^\]]*\]);\s*let aliases = (\[[^\]]*\]);", script
    ):
        shown |= set(json.loads(fields))
        texts += json.loads(aliases)
    values: list[tuple[str, Any]] = []
    for props in re.findall(r'"properties": (\{[^{}]*\})', script):
        try:
            record = json.loads(props)
        except json.JSONDecodeError:
            continue
        values += [(key, record[key]) for key in sorted(shown & set(record))]
    return texts, values


def component_texts(at: Any) -> list[str]:
    """Every text the components (maps) of an AppTest run show, tooltip values included."""
    texts: list[str] = []
    for node in _nodes(at._tree):
        if getattr(node, "type", "") == "component_instance":
            shown, values = _component_parts(_proto_dict(node))
            texts += shown + [str(v) for _, v in values]
    return texts


def component_findings(where: str, data: dict[str, Any], *, allowed: Iterable[str]) -> list:
    """What a component (the folium map) shows that is not German."""
    texts, values = _component_parts(data)
    found = [f for t in texts for f in text_findings(where, t, allowed=allowed)]
    for key, value in values:
        place = f"{where} [Tooltip {key}]"
        if isinstance(value, float):
            found.append(Finding(place, "Zahl ohne deutsches Format", str(value), ""))
        elif isinstance(value, str):
            found += text_findings(place, value, allowed=allowed)
    return found


def frame_findings(
    where: str,
    frame: pd.DataFrame,
    *,
    id_columns: Iterable[str] = ID_COLUMNS,
    german_dates: Iterable[str] = (),
) -> list[Finding]:
    """Headers, index and cells of a shown table; numbers must be written the German way.

    A numeric column is text for a German reader only if no value needs a separator: whole
    numbers below 1.000, or years. Everything else is to be shown as German text (the
    table column ``config`` of Streamlit writes English separators). Dates are the
    exception where the column config writes them ``31.12.2024`` (``german_dates``: a
    date column of an editable table keeps its date picker).
    """
    found: list[Finding] = []
    ids = set(id_columns)
    names = [str(c) for c in frame.columns] + [str(n) for n in frame.index.names if n]
    for name in names:
        found += text_findings(f"{where} [Spalte]", name)
    if not isinstance(frame.index, pd.RangeIndex):
        for value in frame.index.astype(str)[:200]:
            found += text_findings(f"{where} [Zeile]", value)
    for column in frame.columns:
        series = frame[column]
        place = f"{where} [{column}]"
        if pd.api.types.is_bool_dtype(series):
            continue
        if pd.api.types.is_numeric_dtype(series):
            numbers = pd.to_numeric(series, errors="coerce").dropna()
            fractional = (numbers % 1 != 0).any()
            years = numbers.between(1900, 2100).all() and not fractional
            if fractional or (not years and (numbers.abs() >= 1000).any()):
                sample = numbers.iloc[0] if len(numbers) else ""
                found.append(Finding(place, "Zahl ohne deutsches Format", str(sample), ""))
            continue
        if pd.api.types.is_datetime64_any_dtype(series):
            if str(column) in set(german_dates) or series.dropna().empty:
                continue  # written DD.MM.YYYY by its column config, or no date to show
            found.append(
                Finding(place, "Datum ohne deutsches Format", str(series.dropna().iloc[0]), "")
            )
            continue
        for value in series.dropna().astype(str).unique()[:200]:
            for finding in text_findings(place, value):
                if column in ids and finding.rule in ("ohne Tausenderpunkte", "Bezeichner"):
                    continue
                found.append(finding)
        if series.isna().any() and column not in ids:
            pass  # an empty cell is shown empty, which reads as "no value"
    return found


def _german_date_columns(node: Any) -> list[str]:
    """The columns a table's column config shows as ``DD.MM.YYYY`` (``DateColumn``)."""
    try:
        config = json.loads(getattr(node.proto, "columns", "") or "{}")
    except (AttributeError, json.JSONDecodeError):
        return []
    return [
        str(name)
        for name, column in config.items()
        if isinstance(column, dict)
        and str(column.get("type_config", {}).get("format", "")).startswith("DD.MM.YYYY")
    ]


def page_findings(at: Any, page: str, *, allowed: Iterable[str] = ()) -> list[Finding]:
    """Everything not German that page ``page`` of an AppTest run shows."""
    skip = set(allowed)
    found: list[Finding] = []
    for node in _nodes(at._tree):
        kind = getattr(node, "type", "") or type(node).__name__
        where = f"{page}/{kind}"
        if kind == "dataframe" or type(node).__name__ == "Dataframe":
            try:
                frame = node.value
            except Exception:  # noqa: BLE001 - an unreadable table is reported, not hidden
                found.append(Finding(where, "Tabelle nicht lesbar", "", ""))
                continue
            found += frame_findings(where, frame, german_dates=_german_date_columns(node))
            continue
        data = _proto_dict(node)
        if kind in ("vega_lite_chart", "arrow_vega_lite_chart"):
            found += chart_findings(where, json.loads(data.get("spec") or "{}"))
            continue
        if kind == "graphviz_chart":
            labels = re.findall(r'label="((?:[^"\\]|\\.)*)"', data.get("spec", ""))
            for text in labels:
                found += text_findings(where, text, allowed=skip)
            continue
        if kind == "html":
            for text in html_texts(data.get("body", "")):
                found += text_findings(where, text, allowed=skip)
            continue
        if kind == "component_instance":
            found += component_findings(where, data, allowed=skip)
            continue
        for text in _strings(data):
            found += text_findings(where, text, allowed=skip)
    return [f for f in found if f.match not in skip]
