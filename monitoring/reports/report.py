"""The report as data: parts of sections of rows, each row one report field.

A row is ``(field, label, value, unit, reason)``: a value, or no value and the reason
why (:data:`REASONS`), never a 0 standing in for a missing value. Rows may carry a
``line`` and a ``column`` heading; the renderers lay out such a section as a grid
(lines × columns) and the CSV keeps one line per field.

Everything here is plain data that survives a round trip through JSON
(:meth:`Report.to_dict`, :meth:`Report.from_dict`): a filed report is stored as that
JSON and rendered again from it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from geo.german import ordinal_list
from monitoring.messages import render
from monitoring.reports.errors import PayloadError

Reason = Literal["unterdrückt", "nicht gemeldet", "entfällt"]
REASONS: tuple[str, ...] = ("unterdrückt", "nicht gemeldet", "entfällt")
"""Why a value is missing: suppressed (disclosure control), not reported (no data),
not applicable (the field does not apply to this Gesamtmaßnahme)."""

REASON_NOTES: Mapping[str, str] = {
    "unterdrückt": "aus Datenschutzgründen unterdrückt (zu kleine Fallzahl oder Bevölkerung)",
    "nicht gemeldet": "keine Angabe im Datenbestand",
    "entfällt": "trifft auf diese Gesamtmaßnahme nicht zu",
}

FORMAT_VERSION = 1
"""Version of the JSON form of a report (stored with filed reports)."""

Value = float | int | str | None


@dataclass(frozen=True)
class Row:
    """One report field: its code, label, value (or the reason it is missing) and unit.

    Examples
    --------
    >>> Row("A.4", "Größe", 12.5, "ha", decimals=2).missing
    False
    >>> Row("A.6", "voraussichtliches Ende", None, "", reason="nicht gemeldet").missing
    True
    >>> Row("A.6", "Ende", None, "")
    Traceback (most recent call last):
    ...
    monitoring.reports.errors.PayloadError: Das Berichtsfeld „A.6“ hat keinen Wert und keinen \
Grund dafür; geben Sie einen von „unterdrückt“, „nicht gemeldet“ oder „entfällt“ an
    """

    field: str
    label: str
    value: Value
    unit: str = ""
    reason: str | None = None
    line: str = ""
    column: str = ""
    decimals: int = 0
    number: str = ""
    """The field number shown to people, in the catalogue's own numbering (``B.1.2``);
    ``field`` is the stable machine key (``B.1.land.paid``) that comparisons use."""

    def __post_init__(self) -> None:
        if isinstance(self.value, float) and math.isnan(self.value):
            object.__setattr__(self, "value", None)
        if self.value is None and self.reason not in REASONS:
            reasons = ordinal_list([f"„{r}“" for r in REASONS], conjunction="oder")
            raise PayloadError(
                render("report.field_no_reason", field=self.field, reasons=reasons)
                if self.reason is None
                else render(
                    "report.field_unknown_reason",
                    field=self.field,
                    reason=self.reason,
                    reasons=reasons,
                )
            )
        if self.value is not None and self.reason is not None:
            raise PayloadError(
                render(
                    "report.field_value_and_reason",
                    field=self.field,
                    value=self.value,
                    reason=self.reason,
                )
            )

    @property
    def missing(self) -> bool:
        """True when the field has no value (its reason says why)."""
        return self.value is None

    @property
    def shown_number(self) -> str:
        """The field number to print: the catalogue number, else (old payloads) the key.

        Examples
        --------
        >>> Row("B.1.land.paid", "", 1, number="B.1.2").shown_number
        'B.1.2'
        >>> Row("A.1", "", 1).shown_number
        'A.1'
        """
        return self.number or self.field


@dataclass(frozen=True)
class Section:
    """A group of rows under a heading (a list, or a grid when rows have columns)."""

    code: str
    title: str
    rows: tuple[Row, ...]
    note: str = ""
    line_header: str = ""
    """Heading of the line labels when the section is a grid (e.g. "Mittelgeber")."""

    @property
    def is_grid(self) -> bool:
        """True when the rows carry column headings (laid out as lines × columns)."""
        return any(r.column for r in self.rows)


@dataclass(frozen=True)
class Part:
    """One part of the report (A General … D Context, BI Begleitinformationen)."""

    key: str
    title: str
    sections: tuple[Section, ...]

    @property
    def rows(self) -> tuple[Row, ...]:
        """All rows of the part, section by section."""
        return tuple(r for s in self.sections for r in s.rows)


@dataclass(frozen=True)
class Chart:
    """A series to draw: ``x`` labels and named value lists (None for a gap)."""

    key: str
    title: str
    unit: str
    kind: Literal["bars", "lines"]
    x: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    note: str = ""


@dataclass(frozen=True)
class AreaMap:
    """The geometry of the cover map as WKT in the storage CRS."""

    crs: str
    area: str
    districts: tuple[tuple[str, str, str], ...] = ()
    """``(id, name, wkt)`` of the statistical areas the funding area overlaps."""
    surroundings: tuple[str, ...] = ()
    """WKT of the statistical areas around it (drawn for orientation)."""


SENDER_FIELDS: tuple[tuple[str, str], ...] = (
    ("municipality", "Gemeinde"),
    ("office", "Dienststelle"),
    ("contact", "Ansprechperson"),
    ("phone", "Telefon"),
    ("email", "E-Mail"),
    ("address", "Anschrift"),
)
"""The fields of the sender block (key, German label), in print order."""


@dataclass(frozen=True)
class Report:
    """The federal report of one Gesamtmaßnahme for one reporting year."""

    area_id: str
    area_name: str
    ags: str | None
    programme: str | None
    year: int
    catalogue: str
    catalogue_version: str
    generated_at: str
    fingerprint: str
    input_fingerprints: Mapping[str, str]
    parts: tuple[Part, ...]
    charts: tuple[Chart, ...] = ()
    area_map: AreaMap | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    sender: Mapping[str, str] = field(default_factory=dict)
    """The sender block (:data:`SENDER_FIELDS`), as configured when the report was made."""
    warnings: tuple[str, ...] = field(default_factory=tuple)
    """What a reader must know before filing (e.g. a year before the admission year)."""
    catalogue_note: str = ""
    """What the catalogue is (the platform's model of eMo, or a Land's own field list)."""

    def part(self, key: str) -> Part:
        """Return the part ``key`` (A, B, C, D, BI)."""
        for p in self.parts:
            if p.key == key:
                return p
        parts = ", ".join(p.key for p in self.parts)
        raise KeyError(render("report.no_part", part=key, parts=parts))

    def rows(self) -> Iterator[tuple[Part, Section, Row]]:
        """Yield every row with its part and section."""
        for p in self.parts:
            for s in p.sections:
                for r in s.rows:
                    yield p, s, r

    def values(self) -> dict[str, Value]:
        """Return ``{field: value}`` over all rows (None for missing ones).

        Examples
        --------
        >>> rep = Report("FA", "Nord", None, None, 2024, "t", "1", "", "x", {},
        ...              (Part("A", "A", (Section("A", "A", (Row("A.1", "x", 3, ""),)),)),))
        >>> rep.values()
        {'A.1': 3}
        """
        return {r.field: r.value for _, _, r in self.rows()}

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-able data (with :data:`FORMAT_VERSION`)."""
        return {"format_version": FORMAT_VERSION} | asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        """Rebuild a report from :meth:`to_dict` output.

        Raises
        ------
        PayloadError
            For another format version or a malformed payload.
        """
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise PayloadError(
                render("report.payload_version", version=version, expected=FORMAT_VERSION)
            )
        try:
            parts = tuple(
                Part(
                    p["key"],
                    p["title"],
                    tuple(
                        Section(
                            s["code"],
                            s["title"],
                            tuple(Row(**r) for r in s["rows"]),
                            s.get("note", ""),
                            s.get("line_header", ""),
                        )
                        for s in p["sections"]
                    ),
                )
                for p in data["parts"]
            )
            charts = tuple(
                Chart(
                    c["key"],
                    c["title"],
                    c["unit"],
                    c["kind"],
                    tuple(c["x"]),
                    tuple((name, tuple(vals)) for name, vals in c["series"]),
                    c.get("note", ""),
                )
                for c in data.get("charts", ())
            )
            raw_map = data.get("area_map")
            area_map = (
                None
                if raw_map is None
                else AreaMap(
                    raw_map["crs"],
                    raw_map["area"],
                    tuple(tuple(d) for d in raw_map.get("districts", ())),  # type: ignore[misc]
                    tuple(raw_map.get("surroundings", ())),
                )
            )
            return cls(
                area_id=data["area_id"],
                area_name=data["area_name"],
                ags=data["ags"],
                programme=data["programme"],
                year=int(data["year"]),
                catalogue=data["catalogue"],
                catalogue_version=data["catalogue_version"],
                generated_at=data["generated_at"],
                fingerprint=data["fingerprint"],
                input_fingerprints=dict(data["input_fingerprints"]),
                parts=parts,
                charts=charts,
                area_map=area_map,
                notes=tuple(data.get("notes", ())),
                sender={str(k): str(v) for k, v in dict(data.get("sender") or {}).items()},
                warnings=tuple(data.get("warnings", ())),
                catalogue_note=str(data.get("catalogue_note", "")),
            )
        except (KeyError, TypeError) as exc:
            raise PayloadError(
                render("report.payload_malformed", problem=f"{type(exc).__name__}: {exc}")
            ) from None
