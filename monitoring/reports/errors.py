"""Errors of the federal reports.

They subclass :class:`monitoring.errors.MonitoringError` (so the CLI and the app show
their message) and the matching built-in.
"""

from __future__ import annotations

from monitoring.errors import MonitoringError


class ReportError(MonitoringError):
    """Base of the errors of the report package."""


class CatalogueError(ReportError, ValueError):
    """A report catalogue file that is missing, malformed or names an unknown source."""


class ReportOptionError(ReportError, ValueError):
    """An option of a report (format, year) that is not allowed."""


class FilingError(ReportError, ValueError):
    """A report that cannot be filed (e.g. already filed with the same inputs)."""


class PayloadError(ReportError, ValueError):
    """A stored report payload that cannot be read back (unknown format version)."""
