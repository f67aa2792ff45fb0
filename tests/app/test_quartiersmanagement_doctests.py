"""Run the doctests of the Quartiersmanagement page modules (ui/ is not in testpaths)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["ui.qm_common", "ui.qm_actors", "ui.qm_network", "ui.qm_projects", "ui.qm_funds"]
MODULES += ["ui.qm_activities"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
