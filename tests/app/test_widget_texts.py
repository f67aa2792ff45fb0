"""Streamlit's own English widget texts are switched off where its API allows.

- multiselect: the "Select all" / "Select N matches" entries (``select_all=False``);
- tables: a missing value reads "–" (geo.german.NO_VALUE_SHORT), not "None";
- forms: no "Press Enter to submit form" (``enter_to_submit=False``, which also keeps an
  Enter in a field from saving a half-filled record).

What the API does not allow is listed in docs/english-widget-texts.md.
"""

from __future__ import annotations

import pytest

from geo.german import NO_VALUE_SHORT
from ui.pages import PAGES


def _blocks(node):
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _blocks(child)


@pytest.mark.parametrize("page", list(PAGES))
def test_no_english_bulk_selection_no_none_cells_no_enter_hint(open_page, page: str) -> None:
    query = {"massnahmen": {"auswahl": "M-005"}, "gesamtmassnahmen": {}}.get(page, {})
    at = open_page(page, **query)
    for widget in at.multiselect:
        assert widget.proto.select_all == 0, widget.label
    tables = at.dataframe
    for table in tables:
        assert table.proto.placeholder == NO_VALUE_SHORT
    forms = [b for b in _blocks(at._tree) if getattr(b, "type", None) == "form"]
    for form in forms:
        assert form.proto.form.enter_to_submit is False, form.proto.form.form_id
    if page in ("karte", "massnahmen", "indikatoren"):
        assert at.multiselect  # the test sees the widgets it is about
    if page in ("massnahmen", "quartiersmanagement"):
        assert tables and forms
