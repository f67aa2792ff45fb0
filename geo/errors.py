"""Errors of the spatial foundation.

Every error subclasses :class:`GeoError` and the matching built-in, so callers can
catch either. Messages name the input, the bad value, what is allowed and the fix, in
German: an error is raised with a template code and its facts as fields
(``CRSError(code="crs.unknown", what="--crs", value="EPSG:9")``) and
:mod:`geo.messages` writes the text.
"""

from __future__ import annotations

from geo import german
from geo.messages import CodedError, render


class GeoError(CodedError):
    """Base of all errors raised by the geo package (``code=`` and fields, or a text)."""


class StoreError(GeoError, RuntimeError):
    """A store cannot be opened, read or written."""


class StoreURLError(StoreError, ValueError):
    """A store URL that names neither a GeoPackage nor a PostGIS database."""


class SchemaError(StoreError):
    """The store's schema is newer than this program or does not match the model."""


class StoreBusyError(StoreError):
    """The store stayed locked by another writer (an import, a save) past the wait time."""


class UnknownLayerError(StoreError, KeyError):
    """A layer name that is not part of the data model."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class UnknownColumnError(StoreError, ValueError):
    """A column name that the layer does not have."""


class ConflictError(StoreError):
    """A record was changed by someone else since it was read (optimistic locking)."""


class CellError(GeoError, ValueError):
    """A table cell that holds no value of the kind asked for (a number, a date)."""


class CRSError(GeoError, ValueError):
    """A missing, unknown or mismatched coordinate reference system."""


class ImportRefused(GeoError, ValueError):
    """An import found problems in its input; nothing was stored.

    Carries every problem found (``problems``, a list of
    :class:`geo.validation.Problem`), not just the first; the message lists them
    all, one per line, each with file, row (Zeile) or feature (Objekt), column
    (Spalte), value (Wert) and the fix (Korrektur), in German.
    ``total`` counts every problem found, also those beyond the listed ones
    (:class:`geo.validation.ImportReport` lists at most 100 of a kind).
    """

    def __init__(
        self,
        source: str,
        problems: list,
        *,
        notes: list[str] | None = None,
        total: int | None = None,
    ) -> None:
        self.source = source
        self.problems = list(problems)
        self.notes = list(notes or [])
        self.total = len(self.problems) if total is None else total
        super().__init__(self._render())

    code = "import.refused"

    def _render(self) -> str:
        problems = german.count(self.total, "Problem", "Probleme")
        self.fields = {"source": self.source, "problems": problems}
        head = render("import.refused", **self.fields)
        lines = [head] + [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class WebMapError(GeoError, ValueError):
    """A web-map option that is not allowed (classification, palette, basemap, CRS)."""
