"""The pages of the app and the navigation between them (``st.navigation``).

Each page is a ``render()`` function in a module of its own; its URL path (``/karte``,
``/massnahmen`` …) and its query parameters make the view linkable.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.navigation.page import StreamlitPage

#: url path -> (title, icon, module name)
PAGES: dict[str, tuple[str, str, str]] = {
    "karte": ("Karte", ":material/map:", "karte"),
    "foerdergebiet": ("Fördergebiet", ":material/location_city:", "foerdergebiet"),
    "massnahmen": ("Maßnahmen", ":material/construction:", "massnahmen"),
    "gesamtmassnahmen": ("Gesamtmaßnahmen", ":material/edit_location_alt:", "gesamtmassnahmen"),
    "indikatoren": ("Indikatoren", ":material/monitoring:", "indikatoren"),
    "quartiersmanagement": ("Quartiersmanagement", ":material/groups:", "quartiersmanagement"),
    "import": ("Import", ":material/upload_file:", "import_page"),
    "berichte": ("Berichte", ":material/description:", "berichte"),
}


def _renderer(module: str) -> Callable[[], None]:
    def render() -> None:
        import importlib

        importlib.import_module(f"ui.{module}").render()

    render.__name__ = f"render_{module}"
    return render


def page_objects(start: str = "karte") -> dict[str, StreamlitPage]:
    """Return the pages by url path; ``start`` is the default page."""
    return {
        path: st.Page(
            _renderer(module), title=title, icon=icon, url_path=path, default=path == start
        )
        for path, (title, icon, module) in PAGES.items()
    }


def run(start: str = "karte") -> None:
    """Show the navigation and run the selected page (with the store's changes read afresh)."""
    from ui import data

    data.begin_run()  # this run sees what other sessions and processes committed
    st.navigation(list(page_objects(start).values()), position="sidebar").run()
