"""Run the doctests of the ui package (pytest's testpaths do not include ui/)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["ui.state", "ui.frames", "ui.common", "ui.foerdergebiet"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
