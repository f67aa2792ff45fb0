"""What ``qmon`` prints for a clerk is German: dates, times, numbers, words, help and errors."""

from __future__ import annotations

import argparse
import re

import pytest

from cli.main import main
from geo.store import open_store
from monitoring import editing
from monitoring.auth import User
from tests.monitoring.conftest import CRS, seed_tiny

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
GERMAN_TIME = re.compile(r"\b\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}(:\d{2})? Uhr\b")
ENGLISH = re.compile(r"\b(created|migrated|up to date|update|create|usage|options|error)\b")


@pytest.fixture
def tiny(gpkg_url: str) -> str:
    with open_store(gpkg_url) as store:
        store.init(crs=CRS)
        seed_tiny(store)
        editing.update(
            store, User("carla", "editor"), "measures", {"id": "M1"}, {"title": "Bolzplatz"},
            expected_version=1,
        )  # fmt: skip
    return gpkg_url


def test_init_says_what_it_did_in_german(gpkg_url: str, capsys) -> None:
    assert main(["init", "--store", gpkg_url]) == 0
    out = capsys.readouterr().out
    assert "Datenmodell Version" in out and "(angelegt)" in out, out
    assert "Koordinatenreferenzsystem EPSG:" in out
    assert not ENGLISH.search(out), out


def test_history_shows_local_german_times_and_german_actions(tiny: str, capsys) -> None:
    assert main(["history", "--store", tiny, "--layer", "measures"]) == 0
    out = capsys.readouterr().out
    assert "carla" in out and "geändert" in out, out
    assert GERMAN_TIME.search(out), out
    assert not ISO_DATE.search(out) and "UTC" not in out, out
    assert not ENGLISH.search(out), out


def test_filing_and_the_list_of_filed_reports_write_german_times(tiny: str, capsys) -> None:
    args = ["--store", tiny, "--area", "FA", "--year", "2024"]
    assert main(["report", "file", *args]) == 0
    out = capsys.readouterr().out
    assert out.startswith("eingereicht: FA/2024/1 am ") and GERMAN_TIME.search(out), out
    assert main(["report", "filed", "--store", tiny]) == 0
    out = capsys.readouterr().out
    assert GERMAN_TIME.search(out) and not ISO_DATE.search(out), out
    assert main(["report", "diff", *args]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Vergleich mit dem eingereichten Bericht FA/2024/1 (")
    assert GERMAN_TIME.search(out) and not ISO_DATE.search(out), out


def test_help_and_usage_errors_are_german(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["progress", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("Aufruf: qmon progress") and "\nOptionen:\n" in out, out
    assert "diese Hilfe zeigen und beenden" in out and "Kennung der Gesamtmaßnahme" in out
    with pytest.raises(SystemExit):
        main(["progress"])
    err = capsys.readouterr().err
    assert "qmon progress: Fehler: diese Angaben fehlen: --area" in err, err
    with pytest.raises(SystemExit):
        main(["progress", "--area", "FA", "--today", "26.11.2026"])
    err = capsys.readouterr().err
    assert "„26.11.2026“ ist kein Datum" in err and not ENGLISH.search(err), err


def _all_parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ("qmon",)):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _all_parsers(sub, (*path, name))


def test_every_command_has_a_help_page() -> None:
    """`qmon … --help` of every command prints its help (a bare % once broke `qmon funds`)."""
    from cli.main import build_parser

    seen = 0
    for path, parser in _all_parsers(build_parser()):
        text = parser.format_help()  # raises on a help text argparse cannot format
        assert text.startswith("Aufruf:"), (path, text[:80])
        seen += 1
    assert seen > 30
