"""A view of the map: the parameters of the Karte page's URL, parsed and checked.

The app writes its view into the address bar (``?ebene=Planungsraum&indikator=…``);
``qmon map --url-params`` takes the same text, so a printed map shows what the planner
saw. :data:`PARAMS` is the one list of those parameters: the Karte page builds its
widgets' URL binding from it, :meth:`MapView.from_params` checks them (German errors that
name the parameter, the bad value and what is allowed) and :meth:`MapView.to_params`
writes them back, defaults left out.

Which level, indicator and Stichtag exist is a question for the store: the view keeps
them as given (None: the first level, the first indicator, the latest Stichtag) and
:func:`monitoring.maps.content.map_content` checks them against the stored data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from geo.webmap import COLOUR_BY, PALETTES, SCHEMES
from monitoring.errors import MonitoringError
from monitoring.messages import render
from monitoring.renewal.measures import STATUSES

Kind = Literal["one", "many", "int"]
#: The numbers of classes the app offers.
CLASS_COUNTS: tuple[int, ...] = (3, 4, 5, 6, 7)


class MapViewError(MonitoringError, ValueError):
    """A view parameter that is not allowed (unknown name, bad value, unknown indicator).

    ``param`` names the parameter, ``value`` the bad value.
    """

    def __init__(self, message: str, *, param: str, value: Any) -> None:
        super().__init__(message)
        self.param = param
        self.value = value


@dataclass(frozen=True)
class Param:
    """One view parameter: its URL name, kind, default and the view's field."""

    name: str
    kind: Kind
    default: Any
    attribute: str
    #: False for parameters the print takes but the app does not write (the extent).
    in_app: bool = True


PARAMS: tuple[Param, ...] = (
    Param("ebene", "one", None, "level"),
    Param("indikator", "one", None, "indicator"),
    Param("stichtag", "one", None, "period"),
    Param("klassen", "one", "quantiles", "scheme"),
    Param("anzahl", "int", 5, "k"),
    Param("farben", "one", "viridis", "palette"),
    Param("massnahmen_nach", "one", "status", "colour_by"),
    Param("programm", "many", (), "programmes"),
    Param("gebiet", "many", (), "funding_areas"),
    Param("handlungsfeld", "many", (), "fields"),
    Param("status", "many", (), "statuses"),
    Param("jahr", "int", None, "year"),
    Param("auswahl", "one", None, "selection"),
    Param("ausschnitt", "one", None, "extent", in_app=False),
)

#: The allowed values of the parameters with a fixed choice.
ALLOWED: dict[str, tuple[Any, ...]] = {
    "klassen": SCHEMES,
    "anzahl": CLASS_COUNTS,
    "farben": tuple(PALETTES),
    "massnahmen_nach": COLOUR_BY,
    "status": tuple(STATUSES),
}


@dataclass(frozen=True)
class MapView:
    """What the map shows: level, indicator, Stichtag, classes, colours, measure filters.

    ``period`` is an ISO date (``2024-12-31``); ``extent`` the map extent in WGS84
    (min. longitude, min. latitude, max. longitude, max. latitude), None: the whole city.

    Examples
    --------
    >>> v = MapView.from_params({"indikator": "unemployment_rate", "anzahl": "4",
    ...     "status": ["geplant", "bewilligt"], "stichtag": "31.12.2020"})
    >>> v.k, v.statuses, v.period
    (4, ('geplant', 'bewilligt'), '2020-12-31')
    >>> v.to_params()
    {'indikator': 'unemployment_rate', 'stichtag': '2020-12-31', 'anzahl': '4', \
'status': ['geplant', 'bewilligt']}
    >>> MapView.from_query(v.to_query()) == v
    True
    >>> MapView.from_params({"anzahl": "9"})
    Traceback (most recent call last):
    ...
    monitoring.maps.view.MapViewError: Der Wert „9“ ist für „anzahl“ nicht erlaubt; \
erlaubt sind: 3, 4, 5, 6, 7
    """

    level: str | None = None
    indicator: str | None = None
    period: str | None = None
    scheme: str = "quantiles"
    k: int = 5
    palette: str = "viridis"
    colour_by: str = "status"
    programmes: tuple[str, ...] = ()
    funding_areas: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    year: int | None = None
    selection: str | None = None
    extent: tuple[float, float, float, float] | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, str | Sequence[str] | None]) -> MapView:
        """Return the view of URL parameters (a value or a list of values per name).

        Raises
        ------
        MapViewError
            For an unknown parameter or a value that is not allowed.
        """
        by_name = {p.name: p for p in PARAMS}
        unknown = [n for n in params if n not in by_name]
        if unknown:
            raise MapViewError(
                render(
                    "map.unknown_param",
                    param=unknown[0],
                    known=", ".join(p.name for p in PARAMS),
                ),
                param=unknown[0],
                value=params[unknown[0]],
            )
        values: dict[str, Any] = {}
        for p in PARAMS:
            raw = _as_list(params.get(p.name))
            if not raw:
                continue
            values[p.attribute] = _parse(p, raw)
        return cls(**values)

    @classmethod
    def from_query(cls, query: str) -> MapView:
        """Return the view of a query string (``ebene=…&indikator=…``) or of a whole link.

        Raises
        ------
        MapViewError
            For an unknown parameter or a value that is not allowed.
        """
        text = query.strip()
        if "?" in text or text.startswith(("http://", "https://")):
            text = urlsplit(text).query
        parsed = parse_qs(text.lstrip("?"), keep_blank_values=False)
        return cls.from_params(parsed)

    def to_params(self, *, app_only: bool = False) -> dict[str, str | list[str]]:
        """Return the URL parameters of the view, defaults left out (the app's encoding)."""
        out: dict[str, str | list[str]] = {}
        for p in PARAMS:
            if app_only and not p.in_app:
                continue
            value = getattr(self, p.attribute)
            if value is None or value == p.default:
                continue
            if p.kind == "many":
                out[p.name] = [str(v) for v in value]
            elif p.name == "ausschnitt":
                out[p.name] = ",".join(f"{v:g}" for v in value)
            else:
                out[p.name] = str(value)
        return out

    def to_query(self) -> str:
        """Return the view as a query string (what ``--url-params`` takes)."""
        from urllib.parse import urlencode

        return urlencode(self.to_params(), doseq=True)


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [str(v).strip() for v in items if v is not None and str(v).strip() != ""]


def _refuse(p: Param, value: Any, allowed: str | None = None, *, code: str = "") -> MapViewError:
    """The error of a bad value: the allowed values listed, or the message ``code``."""
    if allowed is not None:
        text = render("map.bad_value", param=p.name, value=value, allowed=allowed)
    else:
        text = render(code, param=p.name, value=value)
    return MapViewError(text, param=p.name, value=value)


def _parse(p: Param, raw: list[str]) -> Any:
    """Return the value of one parameter (its last value, or all of a list)."""
    allowed = ALLOWED.get(p.name)
    if p.kind == "many":
        if allowed is not None:
            for v in raw:
                if v not in allowed:
                    raise _refuse(p, v, ", ".join(str(a) for a in allowed))
        return tuple(dict.fromkeys(raw))
    value = raw[-1]
    if p.kind == "int":
        try:
            number = int(value)
        except ValueError:
            raise _refuse(p, value, code="map.bad_number") from None
        if allowed is not None and number not in allowed:
            raise _refuse(p, value, ", ".join(str(a) for a in allowed))
        return number
    if allowed is not None and value not in allowed:
        raise _refuse(p, value, ", ".join(str(a) for a in allowed))
    if p.name == "stichtag":
        return _iso_date(p, value)
    if p.name == "ausschnitt":
        return _extent(p, value)
    return value


def _iso_date(p: Param, value: str) -> str:
    """A Stichtag as ISO date; ``2024-12-31`` and ``31.12.2024`` are taken."""
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    raise _refuse(p, value, code="map.bad_date")


def _extent(p: Param, value: str) -> tuple[float, float, float, float]:
    """A map extent in WGS84: four numbers, west, south, east, north."""
    try:
        west, south, east, north = (float(v) for v in value.split(","))
    except ValueError:
        raise _refuse(p, value, code="map.bad_extent") from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise _refuse(p, value, code="map.bad_extent")
    return (west, south, east, north)
