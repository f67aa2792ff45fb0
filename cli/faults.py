"""What went wrong, in German, for the clerk at the command line: no tracebacks.

:func:`explain` turns an exception that reached a ``qmon`` command into an exit code
and a German message that says what happened and what to do. Our own errors (the
base classes of :func:`our_errors`) and the library errors that bad input or a
broken environment raise (SQLite, GDAL via pyogrio, PROJ, psycopg, the operating
system) are refusals (exit code 2); anything else is a bug (exit code 1), which still
gets one short German line and the request to report it. Every message is cleaned of
passwords in database URLs before it is shown.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import io
import sqlite3
import sys
from collections.abc import Callable, Iterator
from typing import TextIO

from geo.store.base import redact_url

EXIT_REFUSED = 2
EXIT_BUG = 1
EXIT_INTERRUPTED = 130


def redact(text: str) -> str:
    """Return ``text`` with passwords in database URLs and ``password=…`` replaced by ``***``.

    The store's one redaction (:func:`geo.store.base.redact_url`), for everything printed.

    Examples
    --------
    >>> redact("no connection to postgresql://planung:geheim@gis-db/quartiere")
    'no connection to postgresql://planung:***@gis-db/quartiere'
    >>> redact("host=db password=geheim user=x")
    'host=db password=*** user=x'
    """
    return redact_url(text)


class _Redacting(io.TextIOBase):
    """A text stream that writes through to another one with passwords redacted."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner

    def write(self, text: str) -> int:
        self.inner.write(redact(text))
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", "utf-8")


@contextlib.contextmanager
def redacted_output() -> Iterator[None]:
    """Redact passwords from everything a command prints (stdout and stderr).

    Examples
    --------
    >>> with redacted_output():
    ...     print("postgresql://planung:geheim@gis-db/quartiere: Version 3")
    postgresql://planung:***@gis-db/quartiere: Version 3
    """
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Redacting(out), _Redacting(err)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def our_errors() -> tuple[type[BaseException], ...]:
    """Our base errors: their message is shown as it is."""
    errors: list[type[BaseException]] = []
    for module, name in (
        ("geo.errors", "GeoError"),
        ("indicators.errors", "IndicatorError"),
        ("monitoring.errors", "MonitoringError"),
    ):
        with contextlib.suppress(ImportError, AttributeError):
            errors.append(getattr(importlib.import_module(module), name))
    return tuple(errors)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _kind_of_ours(exc: BaseException) -> str:
    """A German lead-in that names the kind of refusal."""
    names = {c.__name__ for c in type(exc).__mro__}
    if "PermissionDenied" in names:
        return "Keine Berechtigung"
    if "EditConflict" in names or "ConflictError" in names:
        return "Konflikt"
    if "NotFound" in names:
        return "Nicht gefunden"
    if "ImportRefused" in names:
        return "Import abgelehnt"  # the refusal itself says that nothing was stored
    return "Abgelehnt"


def _sqlite(exc: sqlite3.Error, store: str | None) -> str:
    text = str(exc).lower()
    file = f" {store}" if store and "://" not in store else ""
    if "file is not a database" in text:
        return (
            f"Die Datei{file} ist kein GeoPackage (keine SQLite-Datenbank). Prüfen Sie den "
            "Pfad bei --store; eine beschädigte Datei stellen Sie aus einer Sicherung wieder her."
        )
    if "malformed" in text or "corrupt" in text:
        return (
            f"Die GeoPackage-Datei{file} ist beschädigt (z. B. unvollständig kopiert oder "
            "abgeschnitten). Stellen Sie sie aus einer Sicherung wieder her; nichts wurde geändert."
        )
    if "locked" in text or "busy" in text:
        return (
            "Der Datenbestand ist gerade gesperrt: ein anderer Vorgang (z. B. ein Import) "
            "schreibt hinein. Warten Sie, bis er fertig ist, und versuchen Sie es erneut."
        )
    if "full" in text:
        return (
            "Der Datenträger ist voll; nichts wurde gespeichert. Schaffen Sie Platz und "
            "versuchen Sie es erneut."
        )
    if "readonly" in text or "read-only" in text:
        return (
            "Die GeoPackage-Datei ist schreibgeschützt. Geben Sie sich Schreibrechte auf die "
            "Datei und ihren Ordner oder arbeiten Sie mit einer Kopie."
        )
    if "unable to open" in text:
        return (
            "Die GeoPackage-Datei lässt sich nicht öffnen. Prüfen Sie, ob der Ordner existiert "
            "und Sie ihn lesen und beschreiben dürfen."
        )
    return (
        f"Die GeoPackage-Datei meldet einen Fehler ({_first_line(exc)}). Prüfen Sie die Datei "
        "(z. B. in QGIS) oder stellen Sie sie aus einer Sicherung wieder her."
    )


_REASONS = {
    errno.ENOENT: "den Ort gibt es nicht oder er nimmt keine Dateien auf",
    errno.EACCES: "keine Schreibrechte",
    errno.EPERM: "nicht erlaubt",
    errno.EROFS: "schreibgeschützter Datenträger",
    errno.ENOSPC: "der Datenträger ist voll",
    errno.ENOTDIR: "ein Teil des Pfads ist kein Ordner",
    errno.EISDIR: "der Pfad ist ein Ordner",
}


def os_reason(exc: OSError) -> str:
    """Return the reason of an operating-system error in a few German words.

    Examples
    --------
    >>> os_reason(PermissionError(errno.EACCES, "Permission denied"))
    'keine Schreibrechte'
    """
    return _REASONS.get(exc.errno or -1, exc.strerror or _first_line(exc))


def _os(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    if isinstance(exc, PermissionError):
        return (
            f"Keine Berechtigung für den Pfad{where}. Wählen Sie einen Ort, an dem Sie lesen "
            "bzw. schreiben dürfen, oder lassen Sie sich die Rechte geben."
        )
    if isinstance(exc, FileNotFoundError):
        return (
            f"Den Pfad gibt es nicht oder er ist hier nicht anlegbar{where}. Prüfen Sie Datei- "
            "und Ordnernamen; eine Ausgabe braucht einen Ordner, in den Sie schreiben dürfen."
        )
    if isinstance(exc, IsADirectoryError):
        return (
            f"Der Pfad ist ein Ordner, erwartet wurde eine Datei{where}. Geben Sie eine Datei an."
        )
    if isinstance(exc, NotADirectoryError):
        return (
            f"Ein Teil des Pfads ist eine Datei, erwartet wurde ein Ordner{where}. "
            "Prüfen Sie den Pfad."
        )
    if exc.errno == errno.ENOSPC:
        return (
            f"Der Datenträger ist voll{where}; nichts wurde vollständig geschrieben. Schaffen "
            "Sie Platz und versuchen Sie es erneut."
        )
    if exc.errno in (errno.EROFS, errno.EACCES):
        return f"Der Ort ist schreibgeschützt{where}. Wählen Sie einen anderen Ort."
    return f"Das Betriebssystem meldet: {os_reason(exc)}{where}. Prüfen Sie Pfad und Rechte."


def _library_rules(
    store: str | None,
) -> list[tuple[type[BaseException], Callable[[BaseException], str]]]:
    """The library errors bad input can raise, each with its German explanation."""
    rules: list[tuple[type[BaseException], Callable[[BaseException], str]]] = [
        (sqlite3.Error, lambda e: _sqlite(e, store)),  # type: ignore[arg-type]
    ]
    with contextlib.suppress(ImportError):
        import pyogrio.errors as ogr

        rules.append(
            (
                ogr.DataSourceError,
                lambda e: (
                    "Die Datei lässt sich nicht als Geodaten lesen "
                    f"({_first_line(e)}). Prüfen Sie Pfad und Format (Shapefile mit .shp/.dbf/.shx/"
                    ".prj, GeoPackage, GeoJSON)."
                ),
            )
        )
        for cls in (ogr.DataLayerError, ogr.FieldError, ogr.FeatureError, ogr.GeometryError):
            rules.append(
                (
                    cls,
                    lambda e: (
                        f"Die Geodaten sind fehlerhaft ({_first_line(e)}). Prüfen Sie die "
                        "Datei, z. B. in QGIS, und geben Sie bei mehreren Layern --layer an."
                    ),
                )
            )
        rules.append(
            (
                ogr.CRSError,
                lambda e: (
                    f"Das Koordinatensystem ist unbekannt ({_first_line(e)}). Geben Sie "
                    "es an, z. B. --crs EPSG:25832, oder korrigieren Sie die .prj-Datei."
                ),
            )
        )
    with contextlib.suppress(ImportError):
        import pyproj.exceptions as proj

        rules.append(
            (
                proj.CRSError,
                lambda e: (
                    f"Das Koordinatensystem ist unbekannt ({_first_line(e)}). Geben Sie "
                    "einen EPSG-Code an, z. B. EPSG:25832."
                ),
            )
        )
    with contextlib.suppress(ImportError):
        import psycopg

        rules.append(
            (
                psycopg.OperationalError,
                lambda e: (
                    "Keine Verbindung zur PostgreSQL-Datenbank oder die Verbindung ist "
                    f"abgebrochen ({_first_line(e)}). Prüfen Sie Rechner, Port, Datenbank und "
                    "Benutzer in der --store-Adresse und ob der Server läuft."
                ),
            )
        )
        rules.append(
            (
                psycopg.Error,
                lambda e: (
                    f"Die PostgreSQL-Datenbank meldet einen Fehler ({_first_line(e)}). "
                    "Nichts wurde geändert; prüfen Sie Eingabe und Datenbank."
                ),
            )
        )
    return rules


def explain(exc: BaseException, *, store: str | None = None) -> tuple[int, str]:
    """Return the exit code and the German message for an exception of a command.

    ``store`` is the store the command was given (named in messages about a broken
    GeoPackage file).

    Examples
    --------
    >>> explain(FileNotFoundError(2, "No such file or directory", "/x/bericht.xlsx"))[0]
    2
    >>> code, text = explain(RuntimeError("kaputt"))
    >>> code, text.endswith("bitte melden (mit dem Befehl und dieser Meldung).")
    (1, True)
    """
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "Abgebrochen; was nicht fertig war, wurde nicht gespeichert."
    if isinstance(exc, our_errors()):
        return EXIT_REFUSED, redact(f"{_kind_of_ours(exc)}: {exc}")
    for cls, describe in _library_rules(store):
        if isinstance(exc, cls):
            return EXIT_REFUSED, redact(describe(exc))
    if isinstance(exc, OSError):
        return EXIT_REFUSED, redact(_os(exc))
    if isinstance(exc, MemoryError):
        return EXIT_REFUSED, (
            "Zu wenig Arbeitsspeicher für diese Eingabe. Teilen Sie die Datei auf oder "
            "verwenden Sie einen Rechner mit mehr Speicher."
        )
    if isinstance(exc, ValueError | UnicodeError):
        return EXIT_REFUSED, redact(
            f"Ungültige Eingabe: {_first_line(exc)}. Prüfen Sie die Angaben und Dateien."
        )
    return EXIT_BUG, redact(
        f"Interner Fehler ({type(exc).__name__}: {_first_line(exc)}); das ist ein Fehler im "
        "Programm – bitte melden (mit dem Befehl und dieser Meldung)."
    )
