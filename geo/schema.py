"""The data model: one definition of every layer, used by both stores.

The schema is not written down twice. It is the result of replaying the list of
:data:`MIGRATIONS`; a store records the version it is at and applies the steps it
lacks, so a store created by an older version is migrated, never recreated.

Every editable record carries ``created_at``, ``updated_at``, ``updated_by`` and
``version`` (optimistic locking). Geometry lives in a column named ``geometry`` in
the storage CRS of the installation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from geo.errors import UnknownColumnError, UnknownLayerError

ColumnType = Literal["text", "integer", "real", "boolean", "date", "datetime"]
GeometryType = Literal["POINT", "LINESTRING", "POLYGON", "MULTIPOLYGON", "GEOMETRY"]
COLUMN_TYPES: tuple[str, ...] = ColumnType.__args__  # type: ignore[attr-defined]
GEOMETRY_TYPES: tuple[str, ...] = GeometryType.__args__  # type: ignore[attr-defined]
GEOMETRY_COLUMN = "geometry"


@dataclass(frozen=True)
class Column:
    """One attribute column of a layer."""

    name: str
    type: ColumnType
    nullable: bool = True
    title: str = ""

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"column {self.name!r}: type {self.type!r} not in {COLUMN_TYPES}")


@dataclass(frozen=True)
class Layer:
    """A table of the model; spatial when ``geometry`` names a geometry type."""

    name: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    geometry: GeometryType | None = None
    editable: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"layer {self.name!r} has a duplicated column name")
        missing = [k for k in self.key if k not in names]
        if missing:
            raise ValueError(f"layer {self.name!r}: key columns {missing} are not columns")
        if self.geometry is not None and self.geometry not in GEOMETRY_TYPES:
            raise ValueError(f"layer {self.name!r}: geometry {self.geometry!r} not allowed")

    @property
    def spatial(self) -> bool:
        return self.geometry is not None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise UnknownColumnError(
            code="store.unknown_column",
            layer=self.name,
            column=repr(name),
            columns=", ".join(self.column_names),
        )

    def check_columns(self, names: Iterable[str]) -> None:
        """Raise UnknownColumnError for the first name that is not a column of this layer."""
        allowed = set(self.column_names) | ({GEOMETRY_COLUMN} if self.spatial else set())
        for name in names:
            if name not in allowed:
                raise UnknownColumnError(
                    code="store.unknown_column",
                    layer=self.name,
                    column=repr(name),
                    columns=", ".join(self.column_names),
                )


# --- migration steps -------------------------------------------------------------


@dataclass(frozen=True)
class AddLayer:
    layer: Layer


@dataclass(frozen=True)
class AddColumn:
    layer: str
    column: Column


@dataclass(frozen=True)
class View:
    """A spatial view: the rows of a non-spatial ``layer`` with the geometry of the row of
    ``geometry_layer`` they name (no copy of the geometry per row).

    Stores create it as a database view (GIS programs open it like a layer); the program
    itself writes and reads ``layer``. ``join`` pairs a column of ``layer`` with a key
    column of ``geometry_layer``; ``fid`` is an integer column of ``layer``, unique per
    row, that the view exposes as its feature id ``fid`` where the store has no row id of
    its own (PostGIS; a GeoPackage exposes the table's ``fid``).
    """

    name: str
    title: str
    layer: str
    geometry_layer: str
    join: tuple[tuple[str, str], ...]
    geometry: GeometryType
    fid: str
    description: str = ""
    #: Columns of ``geometry_layer`` the view shows too (not stored per row).
    shown: tuple[Column, ...] = ()

    @property
    def spatial(self) -> bool:
        return True

    def columns(self, layers: dict[str, Layer]) -> tuple[Column, ...]:
        """The view's attribute columns (``fid`` and geometry aside): those of ``layer``
        (without ``fid``'s source column), then ``shown``."""
        own = tuple(c for c in layers[self.layer].columns if c.name != self.fid)
        return own + self.shown


@dataclass(frozen=True)
class AddView:
    view: View


@dataclass(frozen=True)
class FillMunicipality:
    """Set ``ags`` where it is empty in ``layers`` when the store has exactly one municipality.

    The one municipality is the one distinct AGS of ``funding_areas``; with none or
    several, nothing is filled (the records stay without AGS until someone assigns them).
    """

    layers: tuple[str, ...]


Step = AddLayer | AddColumn | AddView | FillMunicipality


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Schema:
    """The model at one version: its layers by name."""

    version: int
    layers: dict[str, Layer] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)

    def layer(self, name: str) -> Layer:
        try:
            return self.layers[name]
        except KeyError:
            raise UnknownLayerError(
                code="store.unknown_layer", layer=name, layers=", ".join(sorted(self.layers))
            ) from None

    def has_geometry(self, name: str) -> bool:
        """Whether the layer or view ``name`` has a geometry column (a QGIS style names it).

        Examples
        --------
        >>> SCHEMA.has_geometry("indicator_map"), SCHEMA.has_geometry("indicator_map_values")
        (True, False)
        """
        return name in self.views or self.layer(name).spatial


def apply_step(layers: dict[str, Layer], step: Step) -> dict[str, Layer]:
    """Return the layers after one migration step (the input is not changed)."""
    out = dict(layers)
    if isinstance(step, AddLayer):
        if step.layer.name in out:
            raise ValueError(f"migration adds layer {step.layer.name!r} twice")
        out[step.layer.name] = step.layer
    elif isinstance(step, AddView | FillMunicipality):  # views are kept apart; fills add
        pass  # nothing to the model
    else:
        old = out[step.layer]
        out[step.layer] = replace(old, columns=old.columns + (step.column,))
    return out


def build_schema(migrations: Sequence[Migration], *, upto: int | None = None) -> Schema:
    """Replay migrations (up to version ``upto``) into a Schema.

    Examples
    --------
    >>> s = build_schema(MIGRATIONS)
    >>> s.version == MIGRATIONS[-1].version
    True
    >>> s.layer("areas").geometry
    'MULTIPOLYGON'
    """
    versions = [m.version for m in migrations]
    if versions != sorted(set(versions)):
        raise ValueError(f"migration versions must increase strictly: {versions}")
    layers: dict[str, Layer] = {}
    views: dict[str, View] = {}
    version = 0
    for migration in migrations:
        if upto is not None and migration.version > upto:
            break
        for step in migration.steps:
            if isinstance(step, AddView):
                _check_view(step.view, layers, views)
                views[step.view.name] = step.view
            layers = apply_step(layers, step)
        version = migration.version
    return Schema(version=version, layers=layers, views=views)


def _check_view(view: View, layers: dict[str, Layer], views: dict[str, View]) -> None:
    if view.name in layers or view.name in views:
        raise ValueError(f"migration adds view {view.name!r}, a name already taken")
    rows, shapes = layers.get(view.layer), layers.get(view.geometry_layer)
    if rows is None or shapes is None or not shapes.spatial:
        raise ValueError(f"view {view.name!r}: its layers must be added before it")
    names, keys = set(rows.column_names), set(shapes.column_names)
    if view.fid not in names or rows.column(view.fid).type != "integer":
        raise ValueError(f"view {view.name!r}: fid {view.fid!r} is no integer column")
    if any(a not in names or b not in keys for a, b in view.join):
        raise ValueError(f"view {view.name!r}: join {view.join} names unknown columns")
    if any(c.name not in keys or c.name in names for c in view.shown):
        raise ValueError(f"view {view.name!r}: shown columns must be the geometry layer's only")


# --- the model -------------------------------------------------------------------

EDIT_COLUMNS = (
    Column("created_at", "datetime", title="angelegt"),
    Column("updated_at", "datetime", title="geändert"),
    Column("updated_by", "text", title="geändert von"),
    Column("version", "integer", nullable=False, title="Version"),
)


def _c(name: str, type_: ColumnType, title: str = "", *, null: bool = True) -> Column:
    return Column(name, type_, nullable=null, title=title)


def _layer(
    name: str,
    title: str,
    columns: Sequence[Column],
    key: Sequence[str] = ("id",),
    *,
    geometry: GeometryType | None = None,
    editable: bool = False,
    description: str = "",
) -> AddLayer:
    cols = tuple(columns) + (EDIT_COLUMNS if editable else ())
    return AddLayer(
        Layer(name, title, cols, tuple(key), geometry, editable, description)  # noqa: B026
    )


_V1: tuple[Step, ...] = (
    _layer(
        "areas",
        "Gebiete (statistische Raumeinheiten)",
        [
            _c("id", "text", "Kennung", null=False),
            _c("level", "text", "Ebene", null=False),
            _c("vintage", "text", "Gebietsstand", null=False),
            _c("name", "text", "Name"),
            _c("parent_id", "text", "übergeordnete Einheit"),
            _c("valid_from", "date", "gültig ab"),
            _c("valid_to", "date", "gültig bis"),
        ],
        key=("level", "vintage", "id"),
        geometry="MULTIPOLYGON",
        description="Statistical units (Bezirk, Bezirksregion, Planungsraum) per boundary vintage",
    ),
    _layer(
        "programmes",
        "Förderprogramme",
        [
            _c("id", "text", "Kennung", null=False),
            _c("name", "text", "Name", null=False),
            _c("since_year", "integer", "seit"),
            _c("until_year", "integer", "bis"),
            _c("predecessor_id", "text", "Vorgängerprogramm"),
            _c("federal", "boolean", "Bund-Länder-Programm"),
        ],
        editable=True,
    ),
    _layer(
        "fields_of_action",
        "Handlungsfelder",
        [
            _c("id", "text", "Kennung", null=False),
            _c("name", "text", "Name", null=False),
            _c("taxonomy", "text", "Systematik"),
            _c("federal_category", "text", "Bundeskategorie"),
            _c("active", "boolean", "aktiv"),
            _c("sort", "integer", "Reihenfolge"),
        ],
        editable=True,
    ),
    _layer(
        "funding_areas",
        "Gesamtmaßnahmen (Fördergebiete)",
        [
            _c("id", "text", "Kennung", null=False),
            _c("name", "text", "Name", null=False),
            _c("ags", "text", "Gemeindeschlüssel (AGS)"),
            _c("programme_id", "text", "Programm"),
            _c("start_year", "integer", "Aufnahmejahr"),
            _c("expected_end", "integer", "voraussichtliches Ende"),
            _c("funding_status", "text", "Förderstatus"),
            _c("legal_designation", "text", "Gebietsfestlegung"),
            _c("fund_public_share_max", "real", "max. Anteil Städtebauförderung im Fonds"),
        ],
        geometry="MULTIPOLYGON",
        editable=True,
    ),
    _layer(
        "concepts",
        "Entwicklungskonzepte (ISEK/IHEK)",
        [
            _c("id", "text", "Kennung", null=False),
            _c("funding_area_id", "text", "Gesamtmaßnahme", null=False),
            _c("kind", "text", "Art (ISEK/IHEK)"),
            _c("version_label", "text", "Fassung"),
            _c("title", "text", "Titel"),
            _c("adopted", "date", "beschlossen am"),
            _c("valid_from_year", "integer", "gültig ab"),
            _c("valid_to_year", "integer", "gültig bis"),
        ],
        editable=True,
    ),
    _layer(
        "goals",
        "Ziele",
        [
            _c("id", "text", "Kennung", null=False),
            _c("concept_id", "text", "Konzept", null=False),
            _c("field_id", "text", "Handlungsfeld"),
            _c("title", "text", "Ziel", null=False),
            _c("description", "text", "Beschreibung"),
        ],
        editable=True,
    ),
    _layer(
        "targets",
        "Zielwerte",
        [
            _c("id", "text", "Kennung", null=False),
            _c("goal_id", "text", "Ziel", null=False),
            _c("indicator", "text", "Indikator", null=False),
            _c("baseline_period", "date", "Basisjahr"),
            _c("baseline_value", "real", "Basiswert"),
            _c("target_period", "date", "Zieljahr"),
            _c("target_value", "real", "Zielwert"),
            _c("direction", "text", "Richtung"),
        ],
        editable=True,
    ),
    _layer(
        "measures",
        "Maßnahmen",
        [
            _c("id", "text", "Kennung", null=False),
            _c("funding_area_id", "text", "Gesamtmaßnahme", null=False),
            _c("title", "text", "Titel", null=False),
            _c("description", "text", "Beschreibung"),
            _c("status", "text", "Status"),
            _c("start_date", "date", "Beginn"),
            _c("end_date", "date", "Ende"),
            _c("cost_estimate", "real", "Kostenschätzung (€)"),
            _c("cost_actual", "real", "tatsächliche Kosten (€)"),
        ],
        geometry="GEOMETRY",
        editable=True,
    ),
    _layer(
        "measure_fields",
        "Maßnahmen je Handlungsfeld",
        [_c("measure_id", "text", null=False), _c("field_id", "text", null=False)],
        key=("measure_id", "field_id"),
    ),
    _layer(
        "measure_goals",
        "Maßnahmen je Ziel",
        [_c("measure_id", "text", null=False), _c("goal_id", "text", null=False)],
        key=("measure_id", "goal_id"),
    ),
    _layer(
        "milestones",
        "Meilensteine",
        [
            _c("id", "text", "Kennung", null=False),
            _c("measure_id", "text", "Maßnahme", null=False),
            _c("title", "text", "Meilenstein", null=False),
            _c("due_date", "date", "geplant"),
            _c("done_date", "date", "erreicht"),
        ],
        editable=True,
    ),
    _layer(
        "measure_outputs",
        "Output der Maßnahmen",
        [
            _c("measure_id", "text", "Maßnahme", null=False),
            _c("quantity", "text", "Größe", null=False),
            _c("unit", "text", "Einheit"),
            _c("planned", "real", "geplant"),
            _c("actual", "real", "erreicht"),
        ],
        key=("measure_id", "quantity"),
    ),
    _layer(
        "funding_lines",
        "Finanzierung (Kosten- und Finanzierungsübersicht)",
        [
            _c("id", "text", "Kennung", null=False),
            _c("measure_id", "text", "Maßnahme", null=False),
            _c("source", "text", "Mittelgeber", null=False),
            _c("programme_id", "text", "Programm"),
            _c("programme_year", "integer", "Programmjahr", null=False),
            _c("planned", "real", "geplant (€)"),
            _c("approved", "real", "bewilligt (€)"),
            _c("paid", "real", "ausgezahlt (€)"),
        ],
        editable=True,
    ),
    _layer(
        "buildings",
        "Gebäude (Wohnungsbestand)",
        [
            _c("id", "text", "Kennung", null=False),
            _c("dwellings", "integer", "Wohnungen"),
            _c("vacant_dwellings", "integer", "leerstehende Wohnungen"),
            _c("year_built", "integer", "Baujahr"),
            _c("owner_type", "text", "Eigentümer"),
            _c("storeys", "integer", "Geschosse"),
        ],
        geometry="GEOMETRY",
    ),
    _layer(
        "indicator_values",
        "Indikatorwerte",
        [
            _c("area_id", "text", "Gebiet", null=False),
            _c("level", "text", "Ebene", null=False),
            _c("vintage", "text", "Gebietsstand", null=False),
            _c("indicator", "text", "Indikator", null=False),
            _c("period", "date", "Stichtag", null=False),
            _c("value", "real", "Wert"),
            _c("numerator", "real", "Zähler"),
            _c("denominator", "real", "Nenner"),
            _c("edition", "text", "Ausgabe", null=False),
            _c("source", "text", "Quelle"),
            _c("flag", "text", "Kennzeichen"),
        ],
        key=("level", "vintage", "area_id", "indicator", "period", "edition"),
    ),
    _layer(
        "actors",
        "Akteure",
        [
            _c("id", "text", "Kennung", null=False),
            _c("funding_area_id", "text", "Gesamtmaßnahme"),
            _c("name", "text", "Name", null=False),
            _c("type", "text", "Typ", null=False),
            _c("is_person", "boolean", "Person"),
            _c("contact_name", "text", "Ansprechperson"),
            _c("email", "text", "E-Mail"),
            _c("phone", "text", "Telefon"),
            _c("address", "text", "Anschrift"),
            _c("notes", "text", "Notizen"),
        ],
        editable=True,
        description="contact_name, email, phone and address are personal data",
    ),
    _layer(
        "bodies",
        "Gremien",
        [
            _c("id", "text", "Kennung", null=False),
            _c("funding_area_id", "text", "Gesamtmaßnahme", null=False),
            _c("name", "text", "Name", null=False),
            _c("kind", "text", "Art"),
        ],
        editable=True,
    ),
    _layer(
        "projects",
        "Bewohnerprojekte",
        [
            _c("id", "text", "Kennung", null=False),
            _c("funding_area_id", "text", "Gesamtmaßnahme", null=False),
            _c("title", "text", "Titel", null=False),
            _c("status", "text", "Status"),
            _c("fund_id", "text", "Fonds"),
            _c("amount", "real", "Betrag (€)"),
            _c("field_id", "text", "Handlungsfeld"),
            _c("goal_id", "text", "Ziel"),
            _c("applicant_id", "text", "Antragsteller"),
            _c("start_date", "date", "Beginn"),
            _c("end_date", "date", "Ende"),
        ],
        editable=True,
    ),
    _layer(
        "participation",
        "Mitwirkung",
        [
            _c("actor_id", "text", "Akteur", null=False),
            _c("target_kind", "text", "Projekt oder Gremium", null=False),
            _c("target_id", "text", "Projekt/Gremium", null=False),
            _c("role", "text", "Rolle"),
        ],
        key=("actor_id", "target_kind", "target_id"),
    ),
    _layer(
        "local_funds",
        "Verfügungsfonds",
        [
            _c("id", "text", "Kennung", null=False),
            _c("funding_area_id", "text", "Gesamtmaßnahme", null=False),
            _c("kind", "text", "Art"),
            _c("year", "integer", "Jahr"),
            _c("name", "text", "Name"),
        ],
        editable=True,
    ),
    _layer(
        "fund_income",
        "Fondseinnahmen",
        [
            _c("id", "text", "Kennung", null=False),
            _c("fund_id", "text", "Fonds", null=False),
            _c("source", "text", "Herkunft", null=False),
            _c("amount", "real", "Betrag (€)", null=False),
            _c("received", "date", "Eingang"),
        ],
        editable=True,
    ),
    _layer(
        "fund_decisions",
        "Fondsentscheidungen",
        [
            _c("id", "text", "Kennung", null=False),
            _c("fund_id", "text", "Fonds", null=False),
            _c("body_id", "text", "Gremium"),
            _c("decided", "date", "Datum"),
            _c("applicant_id", "text", "Antragsteller"),
            _c("project_id", "text", "Projekt"),
            _c("title", "text", "Vorhaben"),
            _c("amount", "real", "Betrag (€)", null=False),
            _c("investive", "boolean", "investiv"),
            _c("financed_from", "text", "finanziert aus"),
            _c("proof_of_use", "text", "Verwendungsnachweis"),
        ],
        editable=True,
    ),
    _layer(
        "activities",
        "Aktivitäten",
        [
            _c("id", "text", "Kennung", null=False),
            _c("funding_area_id", "text", "Gesamtmaßnahme", null=False),
            _c("kind", "text", "Art"),
            _c("title", "text", "Titel", null=False),
            _c("date", "date", "Datum"),
            _c("place", "text", "Ort"),
            _c("participants", "integer", "Teilnehmende"),
        ],
        geometry="POINT",
        editable=True,
    ),
    _layer(
        "activity_partners",
        "Partner der Aktivitäten",
        [_c("activity_id", "text", null=False), _c("actor_id", "text", null=False)],
        key=("activity_id", "actor_id"),
    ),
    _layer(
        "audit_log",
        "Änderungsprotokoll",
        [
            _c("id", "text", "Kennung", null=False),
            _c("at", "datetime", "Zeitpunkt", null=False),
            _c("user_name", "text", "Benutzer"),
            _c("layer", "text", "Ebene", null=False),
            _c("record_key", "text", "Datensatz", null=False),
            _c("action", "text", "Aktion", null=False),
            _c("before", "text", "vorher (JSON)"),
            _c("after", "text", "nachher (JSON)"),
        ],
    ),
)

_V2: tuple[Step, ...] = (
    _layer(
        "filed_reports",
        "Eingereichte Berichte",
        [
            _c("id", "text", "Kennung", null=False),
            _c("funding_area_id", "text", "Gesamtmaßnahme", null=False),
            _c("year", "integer", "Berichtsjahr", null=False),
            _c("filed_at", "datetime", "eingereicht am", null=False),
            _c("filed_by", "text", "eingereicht von"),
            _c("fingerprint", "text", "Fingerabdruck (SHA-256 der Eingangsdaten)", null=False),
            _c("payload", "text", "Bericht (JSON)", null=False),
            _c("format_version", "integer", "Formatversion", null=False),
        ],
        description="Federal reports as filed: frozen content and the fingerprint of its inputs",
    ),
)

# --- version 3: the work recorded in the app, imports through the one writing path -----

_V3_RENEWAL: tuple[Step, ...] = (
    AddColumn("programmes", _c("land", "text", "Land (bei Landesprogrammen)")),
    AddColumn("programmes", _c("successor_id", "text", "Nachfolgeprogramm")),
    AddColumn("funding_areas", _c("legal_procedure", "text", "Verfahren (Sanierungsgebiet)")),
    AddColumn("funding_areas", _c("bylaw_date", "date", "Satzung vom")),
    AddColumn("measures", _c("archived", "boolean", "archiviert")),
    AddColumn("measures", _c("archive_reason", "text", "Grund der Archivierung")),
    AddColumn("audit_log", _c("reason", "text", "Grund (Archivierung, Löschung)")),
    _layer(
        "attachments",
        "Anhänge (Fotos und Dokumente)",
        [
            _c("id", "text", "Kennung", null=False),
            _c("owner_layer", "text", "gehört zu Ebene", null=False),
            _c("owner_id", "text", "gehört zu Datensatz", null=False),
            _c("kind", "text", "Art"),
            _c("title", "text", "Titel"),
            _c("filename", "text", "Dateiname", null=False),
            _c("media_type", "text", "Dateityp", null=False),
            _c("size_bytes", "integer", "Größe (Bytes)", null=False),
            _c("sha256", "text", "Prüfsumme (SHA-256)", null=False),
            _c("content_b64", "text", "Inhalt (Base64)", null=False),
        ],
        editable=True,
        description="Photos and documents of records, kept in the store itself (Base64 text)",
    ),
)

_V3_NEIGHBOURHOOD: tuple[Step, ...] = (
    AddColumn("actors", _c("consent", "boolean", "Einwilligung zur Kontaktaufnahme")),
    AddColumn("actors", _c("consent_date", "date", "Einwilligung vom")),
    AddColumn("actors", _c("anonymised_at", "datetime", "anonymisiert am")),
    _layer(
        "applications",
        "Anträge auf Fördermittel",
        [
            _c("id", "text", "Kennung", null=False),
            _c("project_id", "text", "Projekt", null=False),
            _c("source_kind", "text", "Art des Geldgebers", null=False),
            _c("source_name", "text", "Geldgeber"),
            _c("fund_id", "text", "Fonds"),
            _c("submitted", "date", "eingereicht am"),
            _c("deadline", "date", "Frist"),
            _c("requested", "real", "beantragt (€)"),
            _c("granted", "real", "bewilligt (€)"),
            _c("status", "text", "Status"),
        ],
        editable=True,
    ),
    AddColumn("fund_decisions", _c("application_id", "text", "Antrag")),
    AddColumn("fund_decisions", _c("outcome", "text", "Ergebnis")),
    AddColumn("fund_decisions", _c("votes_yes", "integer", "Ja-Stimmen")),
    AddColumn("fund_decisions", _c("votes_no", "integer", "Nein-Stimmen")),
    AddColumn("fund_decisions", _c("votes_abstain", "integer", "Enthaltungen")),
    AddColumn("fund_decisions", _c("proof_date", "date", "Verwendungsnachweis vom")),
    _layer(
        "fund_payments",
        "Fondsauszahlungen",
        [
            _c("id", "text", "Kennung", null=False),
            _c("fund_id", "text", "Fonds", null=False),
            _c("decision_id", "text", "Entscheidung", null=False),
            _c("paid", "date", "ausgezahlt am"),
            _c("amount", "real", "Betrag (€)", null=False),
        ],
        editable=True,
    ),
    AddColumn("activities", _c("volunteers", "integer", "Ehrenamtliche")),
)

_V3_IMPORTS: tuple[Step, ...] = (
    AddColumn("audit_log", _c("batch_id", "text", "Import")),
    _layer(
        "import_batches",
        "Importe",
        [
            _c("id", "text", "Kennung", null=False),
            _c("at", "datetime", "Zeitpunkt", null=False),
            _c("user_name", "text", "Benutzer", null=False),
            _c("kind", "text", "Art", null=False),
            _c("source", "text", "Quelle"),
            _c("summary", "text", "Ergebnis (JSON)"),
            _c("undone_at", "datetime", "rückgängig gemacht am"),
            _c("undone_by", "text", "rückgängig gemacht von"),
        ],
        description="Each import as a whole, so that it can be shown and undone",
    ),
)

# --- version 4: a city's own indicator catalogue and social index profiles ---------------

_V4_CATALOGUE: tuple[Step, ...] = (
    _layer(
        "indicator_defs",
        "Indikatorkatalog der Stadt",
        [
            _c("key", "text", "Schlüssel", null=False),
            _c("label", "text", "Bezeichnung"),
            _c("unit", "text", "Einheit"),
            _c("kind", "text", "Art (count, share, rate, index, value)"),
            _c("numerator", "text", "Zähler (Schlüssel einer Anzahl)"),
            _c("denominator", "text", "Nenner (Schlüssel einer Anzahl)"),
            _c("formula", "text", "Formel (ratio, change)"),
            _c("factor", "real", "Faktor"),
            _c("direction", "text", "Richtung"),
            _c("source", "text", "Quelle"),
            _c("min_value", "real", "kleinster möglicher Wert"),
            _c("max_value", "real", "größter möglicher Wert"),
            _c("description", "text", "Beschreibung"),
        ],
        key=("key",),
        editable=True,
        description="Indicators of the city: added to the shipped registry, or overriding "
        "the fields a row gives of a shipped indicator (empty fields keep the default)",
    ),
    _layer(
        "index_profiles",
        "Sozialindex-Profile der Stadt",
        [
            _c("name", "text", "Name", null=False),
            _c("label", "text", "Bezeichnung"),
            _c("definition", "text", "Definition (TOML)", null=False),
        ],
        key=("name",),
        editable=True,
        description="Social index method profiles of the city, kept as their TOML text",
    ),
)

# --- version 5: the sender block of the federal reports ---------------------------------

_V5_REPORTS: tuple[Step, ...] = (
    _layer(
        "report_sender",
        "Absender der Berichte",
        [
            _c("id", "text", "Kennung", null=False),
            _c("municipality", "text", "Gemeinde"),
            _c("office", "text", "Dienststelle"),
            _c("contact", "text", "Ansprechperson"),
            _c("phone", "text", "Telefon"),
            _c("email", "text", "E-Mail"),
            _c("address", "text", "Anschrift"),
        ],
        editable=True,
        description="Who sends the federal reports (one record, printed at the top of each "
        "report): municipality, office, contact person, phone, e-mail, address",
    ),
)

# --- version 6: the grant procedure (KuF, applications, grant notices, drawdowns) -------

_V6_GRANTS: tuple[Step, ...] = (
    AddColumn("measures", _c("cost_group", "text", "Kostengruppe (KuF)")),
    AddColumn(
        "funding_lines", _c("cost_group", "text", "Kostengruppe (wenn abweichend von der Maßnahme)")
    ),
    _layer(
        "revenues",
        "Einnahmen (KuF)",
        [
            _c("id", "text", "Kennung", null=False),
            _c("funding_area_id", "text", "Gesamtmaßnahme", null=False),
            _c("kind", "text", "Einnahmeart", null=False),
            _c("year", "integer", "Jahr", null=False),
            _c("planned", "real", "geplant (€)"),
            _c("actual", "real", "eingegangen (€)"),
            _c("description", "text", "Erläuterung"),
        ],
        editable=True,
        description="Revenues of a Gesamtmaßnahme in the KuF: Ausgleichsbeträge (§ 154 BauGB), "
        "sale proceeds, other income; planned and received per year",
    ),
    _layer(
        "kuf_versions",
        "Fassungen der Kosten- und Finanzierungsübersicht",
        [
            _c("id", "text", "Kennung", null=False),
            _c("funding_area_id", "text", "Gesamtmaßnahme", null=False),
            _c("purpose", "text", "Anlass"),
            _c("frozen_at", "datetime", "festgeschrieben am", null=False),
            _c("frozen_by", "text", "festgeschrieben von"),
            _c("fingerprint", "text", "Fingerabdruck (SHA-256 der Eingangsdaten)", null=False),
            _c("payload", "text", "KuF (JSON)", null=False),
            _c("format_version", "integer", "Formatversion", null=False),
        ],
        description="Frozen versions of a KuF: each application freezes the KuF it is based on",
    ),
    _layer(
        "grant_applications",
        "Förderanträge",
        [
            _c("id", "text", "Kennung", null=False),
            _c("funding_area_id", "text", "Gesamtmaßnahme", null=False),
            _c("programme_id", "text", "Programm"),
            _c("programme_year", "integer", "Programmjahr", null=False),
            _c("submitted", "date", "gestellt am"),
            _c("kuf_version_id", "text", "KuF-Fassung"),
            _c("notes", "text", "Bemerkungen"),
        ],
        editable=True,
    ),
    _layer(
        "grant_notices",
        "Zuwendungsbescheide",
        [
            _c("id", "text", "Kennung", null=False),
            _c("funding_area_id", "text", "Gesamtmaßnahme", null=False),
            _c("file_number", "text", "Aktenzeichen", null=False),
            _c("notice_date", "date", "Bescheid vom", null=False),
            _c("programme_id", "text", "Programm"),
            _c("programme_year", "integer", "Programmjahr", null=False),
            _c("application_id", "text", "Förderantrag"),
            _c("eligible_costs", "real", "zuwendungsfähige Kosten (€)"),
            _c("amount_bund", "real", "Bundesmittel (€)"),
            _c("amount_land", "real", "Landesmittel (€)"),
            _c("amount_gemeinde", "real", "Eigenanteil der Gemeinde (€)"),
            _c("approval_from", "date", "Bewilligungszeitraum von"),
            _c("approval_to", "date", "Bewilligungszeitraum bis"),
            _c("conditions", "text", "Nebenbestimmungen"),
            _c("works_start_deadline", "date", "Baubeginn spätestens"),
            _c("drawdown_deadline", "date", "Mittel abzurufen bis"),
            _c("proof_deadline", "date", "Verwendungsnachweis bis"),
            _c("proof_submitted", "date", "Verwendungsnachweis eingereicht am"),
        ],
        editable=True,
        description="Grant notices: the grant (Bund and Land) is amount_bund + amount_land; "
        "amount_gemeinde is the municipality's own share",
    ),
    _layer(
        "notice_measures",
        "Maßnahmen je Zuwendungsbescheid",
        [_c("notice_id", "text", null=False), _c("measure_id", "text", null=False)],
        key=("notice_id", "measure_id"),
    ),
    _layer(
        "drawdowns",
        "Mittelabrufe",
        [
            _c("id", "text", "Kennung", null=False),
            _c("notice_id", "text", "Zuwendungsbescheid", null=False),
            _c("requested", "date", "abgerufen am", null=False),
            _c("amount", "real", "Betrag (€)", null=False),
            _c("received", "date", "eingegangen am"),
            _c("purpose", "text", "Verwendungszweck"),
        ],
        editable=True,
    ),
)

_V7_QGIS: tuple[Step, ...] = (
    _layer(
        "indicator_map_values",
        "Indikatorkarte (Werte)",
        [
            _c("nr", "integer", "laufende Nummer", null=False),
            _c("kennung", "text", "Kennung", null=False),
            _c("gebiet", "text", "Gebiet (Kennung)", null=False),
            _c("ebene", "text", "Ebene", null=False),
            _c("stand", "text", "Gebietsstand", null=False),
            _c("indikator", "text", "Indikator (Schlüssel)", null=False),
            _c("bezeichn", "text", "Indikator"),
            _c("einheit", "text", "Einheit"),
            _c("stichtag", "date", "Stichtag"),
            _c("wert", "real", "Wert"),
            _c("unterdr", "boolean", "unterdrückt (Geheimhaltung)"),
            _c("ausgabe", "text", "Ausgabe"),
            _c("quelle", "text", "Quelle"),
        ],
        key=("nr",),
        description="Indicator values per area and Stichtag after disclosure control "
        "(suppressed values are NULL), without geometry; derived from indicator_values and "
        "areas, rewritten with every change of them (monitoring.interop.qgis). QGIS opens "
        "them with the area's geometry as the view indicator_map",
    ),
    AddView(
        View(
            "indicator_map",
            "Indikatorkarte",
            layer="indicator_map_values",
            geometry_layer="areas",
            join=(("ebene", "level"), ("stand", "vintage"), ("gebiet", "id")),
            geometry="MULTIPOLYGON",
            fid="nr",
            shown=(_c("name", "text", "Gebiet"),),
            description="Indikatorwerte je Gebiet und Stichtag nach der Geheimhaltung, mit der "
            "Geometrie des Gebiets (Sicht auf indicator_map_values und areas)",
        )
    ),
)

# --- version 8: reports collected by a Land (or the Bund) from its municipalities -------

_V8_COLLECTED: tuple[Step, ...] = (
    _layer(
        "collected_reports",
        "Gesammelte Berichtspakete",
        [
            _c("id", "text", "Kennung (AGS/Gesamtmaßnahme/Jahr/Fassung)", null=False),
            _c("ags", "text", "Gemeindeschlüssel (AGS)", null=False),
            _c("municipality", "text", "Gemeinde"),
            _c("funding_area_id", "text", "Gesamtmaßnahme", null=False),
            _c("funding_area_name", "text", "Name der Gesamtmaßnahme"),
            _c("programme_id", "text", "Programm"),
            _c("year", "integer", "Berichtsjahr", null=False),
            _c("revision", "integer", "Fassung", null=False),
            _c("filed_at", "datetime", "eingereicht am", null=False),
            _c("collected_at", "datetime", "eingegangen am", null=False),
            _c("collected_by", "text", "eingelesen von"),
            _c("file_name", "text", "Datei"),
            _c("fingerprint", "text", "Fingerabdruck (SHA-256 der Eingangsdaten)", null=False),
            _c("catalogue_version", "text", "Version des Feldkatalogs"),
            _c("seal", "text", "Siegel (SHA-256 des Pakets)", null=False),
            _c("superseded_by", "text", "ersetzt durch"),
            _c("findings", "text", "Prüfhinweise (JSON)"),
            _c("payload", "text", "Berichtspaket (JSON)", null=False),
            _c("format_version", "integer", "Formatversion", null=False),
        ],
        description="Report packages filed by municipalities and collected by a Land or the "
        "Bund: every version is kept; a correction names the version it supersedes",
    ),
)

# --- version 9: every record belongs to a municipality ----------------------------------

AGS_COLUMN = "ags"
SHARED_LAYERS: tuple[str, ...] = (
    "programmes",
    "fields_of_action",
    "indicator_defs",
    "index_profiles",
    "areas",
    "indicator_values",
    "buildings",
    "indicator_map_values",
)
"""Layers shared by every municipality of a store: no ``ags``, read by all.

Programmes and fields of action are the federal and Land catalogues; the indicator
catalogue and index profiles are the store's settings; areas, indicator values,
buildings and the indicator map are the statistical geography the store's statistics
office delivers (a Land's statistics serve all its towns). Every other layer is a
municipality's own data and carries ``ags`` (see :func:`municipal_layers`)."""

COLLECTED_LAYERS: tuple[str, ...] = ("collected_reports",)
"""Layers that hold what other municipalities sent in (a Land's collected packages): they
carry ``ags`` but do not count as the store's own municipality."""


def municipal_layers(schema: Schema) -> tuple[str, ...]:
    """Return the layers of ``schema`` that belong to a municipality (they have ``ags``).

    Examples
    --------
    >>> names = municipal_layers(SCHEMA)
    >>> "measures" in names, "programmes" in names, "collected_reports" in names
    (True, False, True)
    """
    return tuple(n for n, layer in schema.layers.items() if AGS_COLUMN in layer.column_names)


def _v9_municipality(before: Schema) -> tuple[Step, ...]:
    """AddColumn ``ags`` to every layer of ``before`` that is not shared and lacks it."""
    missing = [
        name
        for name, layer in before.layers.items()
        if name not in SHARED_LAYERS and AGS_COLUMN not in layer.column_names
    ]
    column = _c(AGS_COLUMN, "text", "Gemeindeschlüssel (AGS)")
    return (
        *(AddColumn(name, column) for name in missing),
        FillMunicipality(
            tuple(n for n in before.layers if n not in SHARED_LAYERS + COLLECTED_LAYERS)
        ),
    )


_UPTO_V8: tuple[Migration, ...] = (
    Migration(1, "initial data model", _V1),
    Migration(2, "filed federal reports", _V2),
    Migration(
        3,
        "records kept in the app, attachments, applications, fund payments, import batches",
        _V3_RENEWAL + _V3_NEIGHBOURHOOD + _V3_IMPORTS,
    ),
    Migration(4, "the city's own indicator catalogue and social index profiles", _V4_CATALOGUE),
    Migration(5, "the sender block of the federal reports", _V5_REPORTS),
    Migration(
        6,
        "the grant procedure: cost groups, revenues, KuF versions, applications, grant "
        "notices, drawdowns",
        _V6_GRANTS,
    ),
    Migration(7, "the indicator map layer for QGIS", _V7_QGIS),
    Migration(8, "report packages collected from municipalities", _V8_COLLECTED),
)

MIGRATIONS: tuple[Migration, ...] = (
    *_UPTO_V8,
    Migration(
        9,
        "every record belongs to a municipality (AGS)",
        _v9_municipality(build_schema(_UPTO_V8)),
    ),
)

SCHEMA: Schema = build_schema(MIGRATIONS)
