"""Move the whole data model from one store to another (GeoPackage <-> PostGIS)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path

from geo.errors import SchemaError, StoreError
from geo.store.base import Store, Transaction

Progress = Callable[[float, str], None]


def held_rows(store: Store, layers: Sequence[str] | None = None) -> dict[str, int]:
    """Return the layers of ``store`` that hold rows, with their counts (empty: nothing held).

    A store that is not initialised holds nothing.
    """
    if store.schema_version() == 0:
        return {}
    counts = store.counts()
    names = list(layers) if layers is not None else list(counts)
    return {name: counts[name] for name in names if counts.get(name)}


def describe_rows(store: Store, counts: Mapping[str, int]) -> str:
    """Return ``counts`` as German text: ``areas (Gebiete): 542 Zeilen, …``."""
    parts = []
    for name, count in counts.items():
        title = store.schema.layer(name).title
        rows = f"{count:,}".replace(",", ".")
        parts.append(f"{name} ({title}): {rows} {'Zeile' if count == 1 else 'Zeilen'}")
    return ", ".join(parts)


def _only_defaults(tx: Transaction, name: str, ids: Collection[str] | None) -> bool:
    """Return whether layer ``name`` holds only rows whose ids are among the seeded ``ids``."""
    if not ids:
        return False
    held = set(tx.read(name, columns=["id"])["id"].astype(str))
    return held <= {str(i) for i in ids}


def _same_store(a: Store, b: Store) -> bool:
    if a.url.lower().endswith(".gpkg") and b.url.lower().endswith(".gpkg"):
        return Path(a.url).resolve() == Path(b.url).resolve()
    return a.url == b.url


def copy_store(
    source: Store,
    target: Store,
    *,
    layers: Sequence[str] | None = None,
    progress: Progress | None = None,
    replace: bool = False,
    defaults: Mapping[str, Collection[str]] | None = None,
) -> dict[str, int]:
    """Copy every layer of ``source`` into ``target``; an occupied target only with ``replace``.

    The target is created in the source's storage CRS when it is new. All layers are
    written in one transaction of the target: a failure leaves it as it was.

    Parameters
    ----------
    source, target
        Open stores; the source must be at the current data model version.
    layers
        Only these layers (default: all).
    progress
        Called with (fraction done, layer name).
    replace
        Replace what the target holds (its audit log included). Without it, a target
        that holds any row of the copied layers is refused and left unchanged.
    defaults
        Layer -> ids of the rows a new store is seeded with (``qmon init`` writes the
        programmes and fields of action). A layer holding only such rows counts as
        empty, so a store just made with ``qmon init`` is a valid target; one row more
        (or any row of the audit log) makes the target occupied.

    Returns
    -------
    dict
        Rows written per layer.

    Raises
    ------
    SchemaError
        When the target keeps geometry in another storage CRS than the source.
    StoreError
        When source and target are the same store, or the target holds data and
        ``replace`` is not given (the message lists the layers and their rows).
    """
    if _same_store(source, target):
        raise StoreError(
            f"Quelle und Ziel sind derselbe Datenbestand ({target.url}); exportieren Sie "
            "in eine andere Datei oder Datenbank."
        )
    if target.schema_version() == 0:
        target.init(crs=source.crs)
    else:
        target.init()
    if not target.crs.equals(source.crs):
        raise SchemaError(
            code="store.crs_fixed",
            where=repr(target.url),
            stored=target.crs.to_string(),
            wanted=f"{source.crs.to_string()} wie {source.url!r}",
        )
    names = list(layers) if layers is not None else list(source.schema.layers)
    written: dict[str, int] = {}
    with target.transaction() as tx:  # no user: copied records keep their own stamps
        # checked in the writing transaction: a write that lands in between is not lost
        held = {
            name: n
            for name in names
            if (n := tx.count(name)) and not _only_defaults(tx, name, (defaults or {}).get(name))
        }
        if held and not replace:
            raise StoreError(
                f"Das Ziel {target.url} enthält schon Daten; es wurde nichts geschrieben. "
                f"Ersetzt würden: {describe_rows(target, held)}. Mit --replace wird das alles "
                f"durch den Inhalt von {source.url} ersetzt (das Änderungsprotokoll "
                "eingeschlossen); sonst wählen Sie ein leeres oder neues Ziel."
            )
        for i, name in enumerate(names):
            if progress:
                progress(i / len(names), name)
            written[name] = tx.write(name, source.read(name), mode="replace")
    if progress:
        progress(1.0, "fertig")
    return written
