"""Errors of the indicators package.

Every error subclasses :class:`IndicatorError` and the matching built-in, so callers
can catch either. Messages name the input, the bad value, what is allowed and the fix, in
German: raise with a template code of :mod:`geo.messages` and its fields
(``FrameError(code="disclosure.no_population", population="population")``).
"""

from __future__ import annotations

from geo.messages import CodedError


class IndicatorError(CodedError):
    """Base of all errors raised by the indicators package (``code=`` and fields, or a text)."""


class RegistryError(IndicatorError, ValueError):
    """An indicator registry file that is malformed or inconsistent."""


class UnknownIndicatorError(IndicatorError, KeyError):
    """An indicator key that is not in the registry."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class FrameError(IndicatorError, ValueError):
    """A frame handed to a computation lacks columns or holds impossible values."""


class AggregationError(IndicatorError, ValueError):
    """Values that cannot be aggregated as asked (e.g. a share without its counts)."""


class ProfileError(IndicatorError, ValueError):
    """A social index profile that is unknown, malformed or does not fit the data."""


class TableReadError(IndicatorError, ValueError):
    """A table file that cannot be read or holds a value that is not a number."""


class InterpolationError(IndicatorError, ValueError):
    """Source and target layers that cannot be interpolated between."""


class DuplicateAreaIdError(InterpolationError):
    """An area layer whose id column is not unique."""


class TargetError(IndicatorError, ValueError):
    """A target definition that cannot be evaluated (e.g. target equals baseline)."""
