"""Run the doctests of the Maßnahmen and Import page modules, the drawing map and the
table helpers (ui/ is not in pytest's testpaths): the German forms they promise."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "ui.massnahmen",
    "ui.massnahmen_texte",
    "ui.massnahmen_anhaenge",
    "ui.massnahmen_finanzierung",
    "ui.import_page",
    "ui.drawing",
    "ui.tables",
    "ui.berichtspakete",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
