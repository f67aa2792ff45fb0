"""Move the whole data model from one store to another (GeoPackage <-> PostGIS)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from geo.errors import SchemaError
from geo.store.base import Store

Progress = Callable[[float, str], None]


def copy_store(
    source: Store,
    target: Store,
    *,
    layers: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Copy every layer of ``source`` into ``target``, replacing what the target held.

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

    Returns
    -------
    dict
        Rows written per layer.

    Raises
    ------
    SchemaError
        When the target keeps geometry in another storage CRS than the source.
    """
    if target.schema_version() == 0:
        target.init(crs=source.crs)
    else:
        target.init()
    if not target.crs.equals(source.crs):
        raise SchemaError(
            f"store {target.url!r} keeps geometry in {target.crs.to_string()}, "
            f"{source.url!r} in {source.crs.to_string()}; export into a new store instead"
        )
    names = list(layers) if layers is not None else list(source.schema.layers)
    written: dict[str, int] = {}
    with target.transaction() as tx:  # no user: copied records keep their own stamps
        for i, name in enumerate(names):
            if progress:
                progress(i / len(names), name)
            written[name] = tx.write(name, source.read(name), mode="replace")
    if progress:
        progress(1.0, "fertig")
    return written
