"""Import use cases: a city's own boundaries, funding areas, indicators, measures, buildings.

One pipeline (:mod:`.pipeline`: read -> map -> check -> write through the editing
path) and one small module per record kind. Every import takes the acting
:class:`~monitoring.auth.User` and checks the role, checks everything and lists
every problem, and writes in ONE transaction together with its batch row
(:mod:`.batches`), so that it can be listed and undone as a whole. A refused
import raises :class:`~geo.errors.ImportRefused` and leaves the store exactly as
it was; ``dry_run`` runs the same path and rolls back; ``replace`` allows an import
to change stored records (editable layers, record by record in the report) or to
replace stored rows (bulk layers, with counts).
"""

from monitoring.imports.areas import import_areas
from monitoring.imports.batches import list_batches, undo
from monitoring.imports.buildings import import_buildings
from monitoring.imports.funding_areas import import_funding_areas
from monitoring.imports.indicators import import_indicators
from monitoring.imports.measures import MEASURE_STATUSES, import_measures
from monitoring.imports.pipeline import Change, ImportResult, Progress, Source

__all__ = [
    "MEASURE_STATUSES",
    "Change",
    "ImportResult",
    "Progress",
    "Source",
    "import_areas",
    "import_buildings",
    "import_funding_areas",
    "import_indicators",
    "import_measures",
    "list_batches",
    "undo",
]
