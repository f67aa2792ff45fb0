"""Errors of report packages and their collection."""

from __future__ import annotations

from monitoring.errors import MonitoringError


class PackageError(MonitoringError, ValueError):
    """A report package that cannot be made or read: not JSON, not a package, a newer
    format, a changed figure or key (its checksum or seal no longer matches), no valid AGS.

    ``file_name`` names the file, ``field`` the report field or top-level key at fault
    (empty when the whole file is)."""

    def __init__(self, message: str, *, file_name: str = "", field: str = "") -> None:
        super().__init__(message)
        self.file_name = file_name
        self.field = field
