"""The pages of the app and the navigation between them (``st.navigation``).

Each page is a ``render()`` function in a module of its own; its URL path (``/karte``,
``/massnahmen`` …) and its query parameters make the view linkable.

Every page of :data:`PAGES` has its own path, the start page included. Streamlit serves its
default page at the app root only and gives it no path of its own (``Page.url_path`` is
``""`` for the default page, whatever ``url_path`` says), so ``/karte`` would open
Streamlit's English "Page not found" if Karte were the default page. The default page is
therefore a hidden page that only switches to the start page, keeping the link's query
parameters: ``/`` opens ``/karte`` and ``/karte`` opens Karte.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.navigation.page import StreamlitPage

#: url path -> (title, icon, module name)
PAGES: dict[str, tuple[str, str, str]] = {
    "karte": ("Karte", ":material/map:", "karte"),
    "foerdergebiet": ("Fördergebiet", ":material/location_city:", "foerdergebiet"),
    "massnahmen": ("Maßnahmen", ":material/construction:", "massnahmen"),
    "gesamtmassnahmen": ("Gesamtmaßnahmen", ":material/edit_location_alt:", "gesamtmassnahmen"),
    "foerderung": ("Förderung", ":material/account_balance:", "foerderung"),
    "indikatoren": ("Indikatoren", ":material/monitoring:", "indikatoren"),
    "quartiersmanagement": ("Quartiersmanagement", ":material/groups:", "quartiersmanagement"),
    "import": ("Import", ":material/upload_file:", "import_page"),
    "berichte": ("Berichte", ":material/description:", "berichte"),
    "uebersicht": ("Länderübersicht", ":material/public:", "uebersicht"),
    "hilfe": ("Hilfe", ":material/help:", "hilfe"),
}


def _renderer(module: str) -> Callable[[], None]:
    def render() -> None:
        import importlib

        importlib.import_module(f"ui.{module}").render()

    render.__name__ = f"render_{module}"
    return render


def page_objects() -> dict[str, StreamlitPage]:
    """Return the pages by url path (none of them is the default page: see the module)."""
    return {
        path: st.Page(_renderer(module), title=title, icon=icon, url_path=path)
        for path, (title, icon, module) in PAGES.items()
    }


def start_page(target: StreamlitPage) -> StreamlitPage:
    """Return the hidden default page (the app root) that switches to ``target``."""

    def render_start() -> None:
        query = [(name, st.query_params.get_all(name)) for name in st.query_params]
        st.switch_page(target, query_params=query)

    return st.Page(
        render_start, title="Quartiersmonitor", url_path="start", default=True, visibility="hidden"
    )


def german_widget_style(max_upload_mb: int) -> str:
    """Return a stylesheet that writes the file uploader's own texts in German.

    Streamlit has no option for the texts of ``st.file_uploader`` ("Upload", "200MB per
    file • CSV, …"); the label above it is the app's and names the formats. The English
    text is set to size 0 and a German text shown in its place (``::after``), so screen
    readers read the German label of the field and the button stays a button.

    Examples
    --------
    >>> style = german_widget_style(200)
    >>> "Datei wählen" in style, "höchstens 200 MB je Datei" in style
    (True, True)
    """
    size = f"höchstens {int(max_upload_mb)} MB je Datei"
    return (
        "<style>\n"
        '[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] '
        '[data-testid="stMarkdownContainer"] p { font-size: 0; }\n'
        '[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] '
        '[data-testid="stMarkdownContainer"] p::after { content: "Datei wählen"; '
        "font-size: 0.875rem; }\n"
        '[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }\n'
        '[data-testid="stFileUploaderDropzoneInstructions"] span::after '
        f'{{ content: "{size}"; font-size: 0.875rem; }}\n'
        "</style>"
    )


def _open_or_stop(data: Any) -> None:
    """Open the user's store; a user it refuses (another municipality) reads why, no page."""
    from ui.common import OUR_ERRORS, current_user, store_url

    try:
        data.store(store_url())
    except OUR_ERRORS as exc:
        st.error(f"Kein Zugang für Benutzer „{current_user().name}“: {exc}")
        st.stop()


def run(start: str = "karte") -> None:
    """Show the navigation and run the selected page (with the store's changes read afresh).

    ``start`` is the page the app root (``/``) opens.
    """
    from ui import data

    data.begin_run()  # this run sees what other sessions and processes committed
    _open_or_stop(data)
    st.html(german_widget_style(st.get_option("server.maxUploadSize")))
    pages = page_objects()
    st.navigation([start_page(pages[start]), *pages.values()], position="sidebar").run()
