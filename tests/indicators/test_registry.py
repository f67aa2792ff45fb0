"""The indicator registry: shipped defaults, city overrides, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from indicators.errors import IndicatorError, RegistryError, UnknownIndicatorError
from indicators.registry import DIRECTIONS, KINDS, load_registry

PLATFORM_COUNTS = (
    "residents",
    "residents_u15",
    "residents_15_64",
    "residents_65plus",
    "unemployed",
    "sgb2_recipients",
    "sgb2_children_u15",
    "dwellings",
    "vacant_dwellings",
)


def test_defaults_cover_the_platform_keys() -> None:
    reg = load_registry()
    for key in PLATFORM_COUNTS:
        assert reg.get(key).kind == "count", key
    expected = {
        "unemployment_rate": ("unemployed", "residents_15_64"),
        "sgb2_rate": ("sgb2_recipients", "residents"),
        "child_poverty_rate": ("sgb2_children_u15", "residents_u15"),
        "vacancy_rate": ("vacant_dwellings", "dwellings"),
        "share_65plus": ("residents_65plus", "residents"),
        "share_u15": ("residents_u15", "residents"),
        "population_change": ("residents", "residents"),
        "single_parent_share": ("minors_single_parent", "residents_u18"),
        "old_age_poverty_rate": ("basic_income_65plus", "residents_65plus"),
        "migration_background_share": ("residents_migration_background", "residents"),
        "municipal_share": ("dwellings_municipal", "dwellings"),
        "cooperative_share": ("dwellings_cooperative", "dwellings"),
    }
    for key, (num, den) in expected.items():
        d = reg.get(key)
        assert (d.numerator, d.denominator) == (num, den), key
        assert d.intensive and d.unit == "%"
    assert reg.get("population_change").formula == "change"
    for key in ("mss_s1", "mss_s3", "mss_s4", "mss_d1", "mss_d3", "mss_d4"):
        d = reg.get(key)
        assert d.kind == "share" and not d.derived
    assert reg.get("mss_d1").unit == "Prozentpunkte" and reg.get("mss_d1").min_value == -100


def test_every_default_is_well_formed() -> None:
    reg = load_registry()
    for d in reg.values():
        assert d.kind in KINDS and d.direction in DIRECTIONS
        assert d.label and d.unit
        if d.derived:
            assert reg.get(d.numerator).kind == "count"  # type: ignore[arg-type]
    assert reg.get("unemployment_rate").check_value(101.0) is not None
    assert reg.get("residents").check_value(-1.0) is not None
    assert reg.get("residents").check_value(float("nan")) is None


def test_city_file_extends_and_overrides(tmp_path: Path) -> None:
    city = tmp_path / "city.toml"
    city.write_text(
        '[residents]\nlabel = "Bevölkerung (Hauptwohnsitz)"\n\n'
        '[households]\nlabel = "Haushalte"\nunit = "Haushalte"\nkind = "count"\n\n'
        '[hh_size]\nlabel = "Personen je Haushalt"\nunit = "Personen"\nkind = "rate"\n'
        'numerator = "residents"\ndenominator = "households"\nfactor = 1\n',
        encoding="utf-8",
    )
    reg = load_registry(city)
    assert reg.get("residents").label == "Bevölkerung (Hauptwohnsitz)"
    assert reg.get("residents").kind == "count"  # untouched fields stay
    assert reg.get("hh_size").factor == 1.0
    assert "vacancy_rate" in reg and len(reg) == len(load_registry()) + 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[x]\nlabel = "X"\nunit = "%"\nkind = "ratio"\n', "kind = 'ratio' ist nicht möglich"),
        ('[x]\nlabel = "X"\nunit = "%"\n', "fehlt kind"),
        ('[x]\nlabel = "X"\nunit = "%"\nkind = "count"\ncolour = 1\n', "unbekannte Felder colour"),
        (
            '[x]\nlabel = "X"\nunit = "%"\nkind = "rate"\nnumerator = "nope"\n'
            'denominator = "residents"\n',
            "Zähler 'nope' ist nicht im Katalog",
        ),
        (
            '[x]\nlabel = "X"\nunit = "%"\nkind = "rate"\nnumerator = "vacancy_rate"\n'
            'denominator = "residents"\n',
            "ist von der Art „Quote/Rate“, keine Anzahl",
        ),
        (
            '[x]\nlabel = "X"\nunit = "%"\nkind = "share"\nnumerator = "residents"\n',
            "nur Zähler oder Nenner",
        ),
        (
            '[x]\nlabel = "X"\nunit = "%"\nkind = "share"\nmin_value = 5\nmax_value = 1\n',
            "liegt über",
        ),
        ("[x\n", "kein gültiges TOML"),
    ],
)
def test_bad_city_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    city = tmp_path / "bad.toml"
    city.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_registry(city)


def test_unknown_key_and_missing_file() -> None:
    reg = load_registry()
    with pytest.raises(UnknownIndicatorError, match="'nope' gibt es im Katalog nicht"):
        reg.get("nope")
    with pytest.raises(KeyError):
        reg["nope"]
    with pytest.raises(IndicatorError, match="gibt es nicht"):
        load_registry("/nonexistent/city.toml")
