"""The shipped defaults: funding programmes and fields of action (Handlungsfelder).

Programmes and fields of action are data, not code: a city edits them, adds its own
and switches defaults off. This module holds the defaults a new installation starts
with (../shared/DOMAIN.md §1–2) and seeds them into a store.

Programmes carry their links, so the history of a Gesamtmaßnahme follows from its
current programme: Soziale Stadt (1999–2019) continues as Sozialer Zusammenhalt
(2020–); Stadtumbau Ost (2002–2016) and Stadtumbau West (2004–2016) were merged into
Stadtumbau (2017–2019), which continues as Wachstum und nachhaltige Erneuerung (2020–);
Aktive Stadt- und Ortsteilzentren (2008–2019) and Städtebaulicher Denkmalschutz
(1991–2019) continue as Lebendige Zentren (2020–). Kleinere Städte und Gemeinden and
Zukunft Stadtgrün were folded into the three programmes of 2020 (no single successor).
A merge has two predecessors, so every old programme names its successor
(``successor_id``) and a new one names its main predecessor (``predecessor_id``: the
western one for Stadtumbau, the programme the demo city and most West German areas came
from); :func:`monitoring.renewal.programmes.predecessors` joins both.

Fields of action come in three taxonomies (classic Soziale Stadt, Berlin
Quartiersmanagement, Stadtumbau); each field maps to one of the output groups of the
federal monitoring (eMo), :data:`FEDERAL_CATEGORIES`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from geo.store.base import Store

FEDERAL_CATEGORIES: tuple[str, ...] = (
    "Wohnverhältnisse",
    "Wohnumfeld",
    "öffentlicher Raum/Grün",
    "soziale Infrastruktur",
    "Sonstiges",
)
"""Output groups of the federal monitoring (eMo) a field of action maps to."""

TAXONOMIES: tuple[str, ...] = ("soziale_stadt", "berlin_qm", "stadtumbau")
"""The shipped taxonomies of fields of action."""

# id, name, since, until, predecessor, successor, federal
_PROGRAMMES: tuple[tuple[str, str, int, int | None, str | None, str | None, bool], ...] = (
    ("soziale_stadt", "Soziale Stadt", 1999, 2019, None, "sozialer_zusammenhalt", True),
    ("sozialer_zusammenhalt", "Sozialer Zusammenhalt", 2020, None, "soziale_stadt", None, True),
    ("stadtumbau_ost", "Stadtumbau Ost", 2002, 2016, None, "stadtumbau", True),
    ("stadtumbau_west", "Stadtumbau West", 2004, 2016, None, "stadtumbau", True),
    (
        "stadtumbau",
        "Stadtumbau",
        2017,
        2019,
        "stadtumbau_west",
        "wachstum_nachhaltige_erneuerung",
        True,
    ),
    (
        "wachstum_nachhaltige_erneuerung",
        "Wachstum und nachhaltige Erneuerung",
        2020,
        None,
        "stadtumbau",
        None,
        True,
    ),
    (
        "aktive_zentren",
        "Aktive Stadt- und Ortsteilzentren",
        2008,
        2019,
        None,
        "lebendige_zentren",
        True,
    ),
    (
        "staedtebaulicher_denkmalschutz",
        "Städtebaulicher Denkmalschutz",
        1991,
        2019,
        None,
        "lebendige_zentren",
        True,
    ),
    ("lebendige_zentren", "Lebendige Zentren", 2020, None, "aktive_zentren", None, True),
    # folded into all three programmes of 2020: no single successor
    ("kleinere_staedte", "Kleinere Städte und Gemeinden", 2010, 2019, None, None, True),
    ("zukunft_stadtgruen", "Zukunft Stadtgrün", 2017, 2019, None, None, True),
    # the first federal programme (StBauFG 1971); last programme year: working assumption
    (
        "sanierung_entwicklung",
        "Städtebauliche Sanierungs- und Entwicklungsmaßnahmen",
        1971,
        2012,
        None,
        None,
        True,
    ),
)

_WOHNVERH, _WOHNUMFELD, _GRUEN, _SOZINF, _SONST = FEDERAL_CATEGORIES

# id, name, taxonomy, federal category
_FIELDS: tuple[tuple[str, str, str, str], ...] = (
    (
        "ss_wohnen_wohnumfeld",
        "Wohnen und Wohnumfeld / städtebauliche Erneuerung",
        "soziale_stadt",
        _WOHNUMFELD,
    ),
    ("ss_schule_bildung", "Schule und Bildung", "soziale_stadt", _SOZINF),
    ("ss_integration", "Integration", "soziale_stadt", _SONST),
    ("ss_gesundheit", "Gesundheit", "soziale_stadt", _SONST),
    ("ss_lokale_oekonomie", "Lokale Ökonomie", "soziale_stadt", _SONST),
    ("ss_beschaeftigung", "Beschäftigung", "soziale_stadt", _SONST),
    (
        "ss_soziokultur",
        "Soziokulturelle Infrastruktur und Quartierszentren",
        "soziale_stadt",
        _SOZINF,
    ),
    ("ss_oeffentlicher_raum", "Öffentlicher Raum", "soziale_stadt", _GRUEN),
    ("qm_nachbarschaft", "Nachbarschaft und Integration", "berlin_qm", _SONST),
    ("qm_bildung", "Bildung", "berlin_qm", _SOZINF),
    ("qm_oeffentlicher_raum", "Öffentlicher Raum", "berlin_qm", _GRUEN),
    ("qm_gesundheit_bewegung", "Gesundheit und Bewegung", "berlin_qm", _SONST),
    ("qm_beteiligung", "Beteiligung, Vernetzung und Kooperation", "berlin_qm", _SONST),
    ("qm_klima", "Klimaschutz und -anpassung (Querschnitt)", "berlin_qm", _SONST),
    ("su_rueckbau", "Rückbau", "stadtumbau", _WOHNVERH),
    ("su_aufwertung", "Aufwertung", "stadtumbau", _WOHNVERH),
    ("su_wohnumfeld", "Wohnumfeld", "stadtumbau", _WOHNUMFELD),
    ("su_infrastruktur", "Anpassung der Infrastruktur", "stadtumbau", _SOZINF),
    ("su_leerstand", "Leerstandsbeseitigung", "stadtumbau", _WOHNVERH),
    ("su_brachflaechen", "Brachflächen", "stadtumbau", _GRUEN),
)


def default_programmes() -> pd.DataFrame:
    """Return the shipped funding programmes, one row each, with predecessor links.

    Returns
    -------
    pandas.DataFrame
        The columns of the layer ``programmes`` without the edit columns:
        ``id, name, since_year, until_year, predecessor_id, successor_id, federal, land``.

    Examples
    --------
    >>> p = default_programmes().set_index("id")
    >>> p.loc["sozialer_zusammenhalt", "predecessor_id"]
    'soziale_stadt'
    >>> int(p.loc["stadtumbau", "since_year"])
    2017
    """
    ids, names, since, until, predecessor, successor, federal = zip(*_PROGRAMMES)
    return pd.DataFrame(
        {
            "id": list(ids),
            "name": list(names),
            "since_year": pd.array(since, dtype="Int64"),
            "until_year": pd.array(until, dtype="Int64"),
            "predecessor_id": pd.Series(predecessor, dtype=object),
            "successor_id": pd.Series(successor, dtype=object),
            "federal": pd.array(federal, dtype="boolean"),
            "land": pd.Series([None] * len(ids), dtype=object),
        }
    )


def default_fields_of_action() -> pd.DataFrame:
    """Return the shipped fields of action of the three taxonomies.

    Returns
    -------
    pandas.DataFrame
        The columns of the layer ``fields_of_action`` without the edit columns:
        ``id, name, taxonomy, federal_category, active, sort``; ``sort`` counts from 1
        within each taxonomy.

    Examples
    --------
    >>> f = default_fields_of_action()
    >>> sorted(f["taxonomy"].unique())
    ['berlin_qm', 'soziale_stadt', 'stadtumbau']
    >>> f.set_index("id").loc["su_rueckbau", "federal_category"]
    'Wohnverhältnisse'
    """
    frame = pd.DataFrame(_FIELDS, columns=["id", "name", "taxonomy", "federal_category"])
    frame["active"] = pd.array([True] * len(frame), dtype="boolean")
    frame["sort"] = (frame.groupby("taxonomy").cumcount() + 1).astype("Int64")
    return frame


def seed_defaults(store: Store, *, overwrite: bool = False, user: str = "system") -> dict[str, int]:
    """Write the default programmes and fields of action into ``store`` in one transaction.

    Idempotent: by default only the defaults whose id the store lacks are written, so
    seeding twice changes nothing and a city's edits of a default (a renamed or
    switched-off field) survive. With ``overwrite=True`` every default is upserted,
    which restores the shipped wording.

    Parameters
    ----------
    store
        An initialised store (``store.init()`` has run).
    overwrite
        Upsert every default, replacing edited defaults with the shipped ones.
    user
        The user recorded in ``updated_by``.

    Returns
    -------
    dict[str, int]
        Rows written per layer (``programmes``, ``fields_of_action``); 0 when the
        store already had every default.

    Raises
    ------
    geo.errors.StoreError
        When the store cannot be written; nothing is written then.
    """
    frames = {"programmes": default_programmes(), "fields_of_action": default_fields_of_action()}
    written: dict[str, int] = {}
    with store.transaction(user=user) as tx:
        for layer, frame in frames.items():
            if not overwrite:
                have = set(tx.read(layer, columns=["id"])["id"])
                frame = frame[~frame["id"].isin(have)]
            written[layer] = tx.write(layer, frame, mode="upsert") if len(frame) else 0
    return written
