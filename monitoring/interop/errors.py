"""Errors of the interoperability package (interchange export, metadata)."""

from __future__ import annotations

from typing import Any

from monitoring.errors import MonitoringError


class InterchangeError(MonitoringError, ValueError):
    """An export of the public layers that cannot be written as asked.

    ``reason`` names the rule (``unknown_format``, ``mixed_geometry``, ``bad_toml``,
    ``unknown_key``, ``not_text``, ``out_not_folder``), ``value`` the offending input.
    """

    def __init__(self, message: str, *, reason: str, value: Any = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.value = value
