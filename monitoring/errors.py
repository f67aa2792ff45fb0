"""Errors of the monitoring domain.

Every error subclasses :class:`MonitoringError` (and, where one fits, the matching
built-in), so the UI and the CLI catch one base class. Messages name the input, the
bad value, what is allowed and the fix; they are German, written from the templates of
:mod:`monitoring.messages`, and the facts stay available as attributes (``layer``,
``key``, ``differences``, ``filename``, ``reason``, ``value``, ``limit``) for a page that
shows them its own way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from geo.errors import ConflictError


class MonitoringError(Exception):
    """Base of all errors raised by the monitoring package."""


class PermissionDenied(MonitoringError, PermissionError):
    """The acting user's role does not allow the action."""


class RuleViolation(MonitoringError, ValueError):
    """A record breaks a rule of the domain (dates, shares, fund rules, transitions).

    ``problems`` holds every message when several rules are broken at once.
    """

    def __init__(self, message: str, *, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[str, ...] = tuple(problems) or (message,)


class NotFound(MonitoringError, KeyError):
    """A record that is not in the store."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class EditConflict(MonitoringError, ConflictError):
    """Someone else changed (or deleted) the record since the user read it.

    Attributes name the record, who changed it last and when, and the fields whose
    stored value differs from what the user saw (``{field: (seen, stored)}``).
    """

    def __init__(
        self,
        message: str,
        *,
        layer: str,
        key: Mapping[str, Any],
        expected_version: int | None,
        stored_version: int | None,
        changed_by: str | None = None,
        changed_at: str | None = None,
        differences: Mapping[str, tuple[Any, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.layer = layer
        self.key = dict(key)
        self.expected_version = expected_version
        self.stored_version = stored_version
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.differences: dict[str, tuple[Any, Any]] = dict(differences or {})


class ConfirmationNeeded(MonitoringError, ValueError):
    """A change that is allowed but looks like a slip (an amount ×10 off): confirm to save.

    ``reasons`` holds one :class:`Confirmation` per field; nothing was saved.
    """

    def __init__(self, message: str, *, reasons: Sequence[Confirmation]) -> None:
        super().__init__(message)
        self.reasons: tuple[Confirmation, ...] = tuple(reasons)


@dataclass(frozen=True)
class Confirmation:
    """Why a change needs confirmation: the field, its stored and its new value, the rule."""

    field: str
    old: Any
    new: Any
    rule: str


class AttachmentRefused(MonitoringError, ValueError):
    """A file that cannot be attached: too large, empty, or not a type we accept.

    ``filename`` names the file, ``reason`` one of ``too_large``, ``empty``,
    ``unknown_type``, ``not_a_photo``, ``kind``, ``owner``; ``value`` the offending
    value (size in bytes, detected type, kind) and ``limit`` what is allowed.
    """

    def __init__(
        self, message: str, *, filename: str, reason: str, value: Any = None, limit: Any = None
    ) -> None:
        super().__init__(message)
        self.filename = filename
        self.reason = reason
        self.value = value
        self.limit = limit
