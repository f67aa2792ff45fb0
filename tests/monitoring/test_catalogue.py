"""The store's own indicator catalogue and social index profiles (both stores).

Definitions and profiles are saved through the one writing path (role, version, audit
row), read back over the shipped defaults, and used by the index on stored values: a
city's published shares compute hamburg-rise, and a profile of the city's own
indicators computes too; what is missing is named in German.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from geo.schema import MIGRATIONS, SCHEMA
from geo.store import open_store
from geo.store.base import Store
from indicators.errors import ProfileError
from indicators.social_index import load_profile, profile_to_toml
from indicators.stored import compute_stored_index
from monitoring import catalogue, services
from monitoring.auth import User
from monitoring.errors import EditConflict, NotFound, PermissionDenied, RuleViolation

CRS = "EPSG:25832"
HAMBURG_SHARES = (
    "minors_migration_share",
    "single_parent_share",
    "sgb2_rate",
    "unemployment_rate",
    "child_poverty_rate",
    "old_age_poverty_rate",
    "abitur_share",
)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    st = open_store(store_url)
    st.init(crs=CRS)
    yield st
    st.close()


def test_migration_4_adds_the_catalogue_to_a_version_3_store(store_url: str) -> None:
    old = open_store(store_url, migrations=MIGRATIONS[:3])
    assert old.init(crs=CRS) == 3
    old.write("programmes", pd.DataFrame({"id": ["p"], "name": ["Programm"], "version": [1]}))
    old.close()
    new = open_store(store_url)
    assert new.schema_version() == 3
    assert new.init() == SCHEMA.version == len(MIGRATIONS) >= 4
    assert new.read("programmes")["id"].tolist() == ["p"]
    assert new.counts()["indicator_defs"] == 0 and new.counts()["index_profiles"] == 0
    saved = catalogue.save_indicator_def(
        new, User("anna", "editor"), {"key": "k", "label": "K", "kind": "value"}
    )
    assert saved["version"] == 1
    new.close()


def test_definitions_are_saved_with_audit_rows_and_laid_over_the_defaults(
    store: Store, editor: User
) -> None:
    saved = catalogue.save_indicator_def(
        store,
        editor,
        {"key": "wohnflaeche", "label": "Wohnfläche je Einwohner", "unit": "m²", "kind": "value"},
    )
    assert saved["version"] == 1 and saved["updated_by"] == "ben"
    catalogue.save_indicator_def(store, editor, {"key": "residents", "label": "Bevölkerung"})
    changed = catalogue.save_indicator_def(
        store, editor, {"key": "wohnflaeche", "min_value": "0"}, expected_version=1
    )
    assert changed["version"] == 2 and changed["min_value"] == 0.0
    reg = catalogue.registry_for(store)
    assert reg.get("wohnflaeche").unit == "m²" and reg.get("wohnflaeche").min_value == 0.0
    assert reg.get("residents").label == "Bevölkerung" and reg.get("residents").kind == "count"
    log = services.editing.history(store, User("anna", "admin"), layer="indicator_defs")
    assert log[["record_key", "action"]].values.tolist() == [
        ["wohnflaeche", "create"],
        ["residents", "create"],
        ["wohnflaeche", "update"],
    ]
    with pytest.raises(EditConflict):
        catalogue.save_indicator_def(
            store, editor, {"key": "wohnflaeche", "label": "alt"}, expected_version=1
        )


def test_wrong_definitions_are_refused_in_german_and_nothing_is_stored(
    store: Store, editor: User
) -> None:
    bad = [
        ({"key": "a", "label": "A", "kind": "anteil"}, "die Art „anteil“ gibt es nicht"),
        ({"key": "a", "kind": "share"}, "die Bezeichnung fehlt"),
        (
            {
                "key": "a",
                "label": "A",
                "kind": "rate",
                "numerator": "x",
                "denominator": "residents",
            },
            "der Zähler „x“ ist nicht im Katalog",
        ),
        (
            {"key": "a", "label": "A", "kind": "share", "min_value": 5, "max_value": 1},
            "der kleinste Wert 5 liegt über dem größten 1",
        ),
        ({"key": "a", "label": "A", "kind": "share", "colour": "rot"}, "kein Feld „colour“"),
    ]
    for record, text in bad:
        with pytest.raises(RuleViolation, match=text):
            catalogue.save_indicator_def(store, editor, record)
    assert store.read("indicator_defs").empty
    assert store.read("audit_log").empty


def test_viewer_and_qm_may_not_change_the_catalogue(
    store: Store, viewer: User, qm: User, editor: User
) -> None:
    for user in (viewer, qm):
        with pytest.raises(PermissionDenied, match="„Bearbeitung“ und „Verwaltung“"):
            catalogue.save_indicator_def(store, user, {"key": "a", "label": "A", "kind": "value"})
        with pytest.raises(PermissionDenied):
            catalogue.save_profile(store, user, _own_profile_text("mein"))
    catalogue.save_profile(store, editor, _own_profile_text("mein", indicator="sgb2_rate"))
    with pytest.raises(PermissionDenied):
        catalogue.delete_profile(store, viewer, "mein")
    assert store.read("indicator_defs").empty
    assert len(store.read("index_profiles")) == 1


def _own_profile_text(name: str, *, indicator: str = "wohnflaeche") -> str:
    return f"""
name = "{name}"
label = "Eigener Index"
min_population = 300
aggregation = "mean"

[[status]]
column = "wohnflaeche"
label = "Wohnfläche"
indicator = "{indicator}"
direction = "higher_is_better"

[[status]]
column = "sgb2"
label = "SGB II"
indicator = "sgb2_rate"
direction = "higher_is_worse"

[[status_classes]]
code = 1
label = "gut"
below = -0.5

[[status_classes]]
code = 2
label = "mittel"
below = 0.5

[[status_classes]]
code = 3
label = "schwierig"
"""


def test_profiles_are_stored_listed_replaced_and_deleted(store: Store, editor: User) -> None:
    catalogue.save_indicator_def(
        store, editor, {"key": "wohnflaeche", "label": "Wohnfläche", "unit": "m²", "kind": "value"}
    )
    saved = catalogue.save_profile(store, editor, _own_profile_text("mein-index"))
    assert saved["version"] == 1 and saved["label"] == "Eigener Index"
    profiles = catalogue.profiles_for(store)
    assert {"berlin-mss-2021", "hamburg-rise", "mein-index"} <= set(profiles)
    assert [i.indicator for i in profiles["mein-index"].status] == ["wohnflaeche", "sgb2_rate"]
    with pytest.raises(RuleViolation, match="schon gespeichert"):
        catalogue.save_profile(store, editor, _own_profile_text("mein-index"))
    again = catalogue.save_profile(
        store, editor, _own_profile_text("mein-index").replace("Eigener", "Neuer"), replace=True
    )
    assert again["version"] == 2 and catalogue.profile_for(store, "mein-index").label == (
        "Neuer Index"
    )
    log = store.read("audit_log", where={"layer": "index_profiles"})
    assert sorted(log["action"]) == ["create", "update"]
    catalogue.delete_profile(store, editor, "mein-index")
    assert "mein-index" not in catalogue.profiles_for(store)
    with pytest.raises(NotFound, match="mein-index"):
        catalogue.delete_profile(store, editor, "mein-index")


def test_a_profile_is_refused_in_german_when_wrong(store: Store, editor: User) -> None:
    with pytest.raises(RuleViolation, match="nicht gültig.*TOML"):
        catalogue.save_profile(store, editor, "name = ")
    with pytest.raises(RuleViolation, match="„wohnflaeche“, den es weder im Katalog"):
        catalogue.save_profile(store, editor, _own_profile_text("x"))
    shipped = profile_to_toml(load_profile("hamburg-rise"))
    with pytest.raises(RuleViolation, match="mitgelieferten Profils"):
        catalogue.save_profile(store, editor, shipped)
    with pytest.raises(RuleViolation, match="mitgeliefertes Profil"):
        catalogue.delete_profile(store, editor, "hamburg-rise")
    assert store.read("index_profiles").empty
    # deliberately overriding a shipped profile: the stored one is used in its place
    changed = shipped.replace("min_population = 300.0", "min_population = 500.0")
    catalogue.save_profile(store, editor, changed, override_shipped=True)
    assert catalogue.profile_for(store, "hamburg-rise").min_population == 500.0


# --- the index on a city's published shares ----------------------------------------------


def _share_values(n: int = 36, *, keys: tuple[str, ...] = HAMBURG_SHARES) -> pd.DataFrame:
    """Shares as a city publishes them for two years three years apart (+ residents)."""
    rng = np.random.default_rng(7)
    rows = []
    for year in (2020, 2023):
        period = pd.Timestamp(year, 12, 31)
        for i in range(n):
            area = f"S{i:03d}"
            residents = 150.0 if i == 0 else float(rng.integers(800, 9000))
            rows.append((area, "residents", period, residents, "bevoelkerung"))
            for k, key in enumerate(keys):
                value = float(np.clip(rng.normal(12 + 3 * k, 4), 0.5, 80))
                rows.append((area, key, period, round(value, 1), "sozialmonitoring"))
    frame = pd.DataFrame(rows, columns=["area_id", "indicator", "period", "value", "edition"])
    return frame.assign(
        level="Stadtteil",
        vintage="2020",
        numerator=np.nan,
        denominator=np.nan,
        source="Statistikamt",
        flag=None,
    )


def test_hamburg_rise_computes_from_published_shares(store: Store, editor: User) -> None:
    store.write("indicator_values", _share_values())
    profile = catalogue.profile_for(store, "hamburg-rise")
    done = compute_stored_index(
        store,
        profile,
        period="2023-12-31",
        level="Stadtteil",
        registry=catalogue.registry_for(store),
        user=editor.name,
    )
    result = done.result.set_index("id")
    assert len(result) == 36
    assert not result.loc["S000", "valid"]  # 150 residents: under the minimum of 300
    valid = result[result["valid"]]
    assert len(valid) == 35
    assert valid["status_class"].notna().all() and valid["dynamics_class"].notna().all()
    assert set(valid["status_class"]) >= {2} and len(set(valid["status_class"])) >= 2
    assert done.edition_in == "bevoelkerung, sozialmonitoring"
    assert done.written == 5 * 36


def test_a_missing_share_is_named_in_german(store: Store) -> None:
    keys = tuple(k for k in HAMBURG_SHARES if k != "abitur_share")
    store.write("indicator_values", _share_values(keys=keys))
    profile = catalogue.profile_for(store, "hamburg-rise")
    with pytest.raises(ProfileError) as err:
        compute_stored_index(store, profile, period="2023-12-31", level="Stadtteil", write=False)
    text = str(err.value)
    assert "„Schulabschlüsse mit Abitur“ (abitur_share) ist nicht gespeichert" in text
    assert "--rename SPALTE=abitur_share" in text
    assert "school_leavers_abitur und school_leavers" in text
    assert "sgb2_rate" not in text
    lacking = catalogue.profile_problems(store, profile, level="Stadtteil")
    assert len(lacking) == 1 and "abitur_share" in lacking[0]


def test_a_stored_profile_of_the_city_own_indicator_computes(store: Store, editor: User) -> None:
    values = _share_values(keys=("sgb2_rate", "wohnflaeche"))
    store.write("indicator_values", values)
    catalogue.save_indicator_def(
        store,
        editor,
        {"key": "wohnflaeche", "label": "Wohnfläche je Einwohner", "unit": "m²", "kind": "value"},
    )
    catalogue.save_profile(store, editor, _own_profile_text("stadt-index"))
    profile = catalogue.profiles_for(store)["stadt-index"]
    done = compute_stored_index(
        store,
        profile,
        period="2023-12-31",
        level="Stadtteil",
        registry=catalogue.registry_for(store),
        write=False,
    )
    valid = done.result[done.result["valid"]]
    assert len(valid) == 35
    assert set(valid["status_label"]) <= {"gut", "mittel", "schwierig"}
    assert valid["status_label"].nunique() == 3


def test_the_generic_save_checks_catalogue_rows_too(store: Store, editor: User) -> None:
    with pytest.raises(RuleViolation, match="die Art „anteil“ gibt es nicht"):
        services.save(store, editor, "indicator_defs", {"key": "a", "label": "A", "kind": "anteil"})
    with pytest.raises(RuleViolation, match="nicht gültig"):
        services.save(store, editor, "index_profiles", {"name": "p", "definition": "name = "})
    text = _own_profile_text("p", indicator="sgb2_rate")
    with pytest.raises(RuleViolation, match="ist nicht der Name des Datensatzes"):
        services.save(store, editor, "index_profiles", {"name": "q", "definition": text})
    saved = services.save(store, editor, "index_profiles", {"name": "p", "definition": text})
    assert saved.record["version"] == 1
    assert store.read("indicator_defs").empty
