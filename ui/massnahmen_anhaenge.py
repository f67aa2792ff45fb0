"""Anhänge einer Maßnahme: Fotos vorher/nachher und Dokumente (Beschluss, Plan) im Datenbestand.

Fotos werden gezeigt, jede Datei kann heruntergeladen werden. Beim Hochladen prüfen
die Dienste den Inhalt (nicht den Dateinamen) und die Größe (``QMON_ATTACHMENT_MAX_MB``,
Vorgabe 10 MB).
"""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from geo import german
from monitoring import services
from monitoring.auth import User
from monitoring.errors import AttachmentRefused
from monitoring.renewal.attachments import IMAGE_TYPES, KINDS, MEDIA_TYPES, AttachmentLimits
from ui import data
from ui.common import md
from ui.massnahmen_aktionen import attempt
from ui.massnahmen_texte import attachment_text


def size_text(size: Any) -> str:
    """Return a file size the German way.

    Examples
    --------
    >>> size_text(532), size_text(1), size_text(2_500_000), size_text(20_000)
    ('532 Bytes', '1 Byte', '2,4\\xa0MB', '19,5\\xa0KB')
    """
    n = int(size)
    if n < 1024:
        return german.count(n, "Byte", "Bytes")
    if n < 1024 * 1024:
        return german.number(n / 1024, decimals=1, unit="KB")
    return german.number(n / 1024 / 1024, decimals=1, unit="MB")


def render_attachments(url: str, user: User, measure: dict[str, Any], *, can_edit: bool) -> None:
    """Show the photos and documents of a measure; editors upload and delete."""
    mid = str(measure["id"])
    st.markdown("#### Fotos und Dokumente")
    store = data.store(url)
    listed = services.attachment_list(store, user, "measures", mid)
    if listed.empty:
        st.caption("Noch keine Anhänge.")
    columns = st.columns(3)
    for i, (_, row) in enumerate(listed.iterrows()):
        place = columns[i % 3]
        label = f"{KINDS.get(row['kind'], row['kind'])}: {row['title'] or row['filename']}"
        try:
            record, content = services.attachment_file(store, user, str(row["id"]))
        except AttachmentRefused as exc:
            place.error(md(attachment_text(exc)))
            continue
        if record["media_type"] in IMAGE_TYPES:
            place.image(content, caption=label)
        else:
            place.markdown(f"📄 {md(label)}")
        place.caption(
            f"{md(row['filename'])} · {MEDIA_TYPES.get(row['media_type'], row['media_type'])} · "
            f"{size_text(row['size_bytes'])}"
        )
        place.download_button(
            "Herunterladen",
            data=content,
            file_name=str(row["filename"]),
            mime=str(record["media_type"]),
            key=f"massnahmen.anhang.laden.{row['id']}",
        )
    if not can_edit:
        return
    limits = AttachmentLimits.from_settings(os.environ)
    round_key = f"massnahmen.anhang.{mid}.runde"
    n = int(st.session_state.get(round_key, 0))
    with st.form(f"massnahmen.anhang.{mid}.{n}"):
        upload = st.file_uploader(
            f"Datei anhängen (Foto, PDF, Word, Excel; höchstens {size_text(limits.max_bytes)})",
            key=f"massnahmen.anhang.{mid}.{n}.datei",
        )
        c1, c2 = st.columns(2)
        kind = c1.selectbox("Art", list(KINDS), format_func=lambda k: KINDS[k])
        title = c2.text_input("Titel (freiwillig)")
        submitted = st.form_submit_button("Anhang hochladen")
    if not listed.empty:
        c1, c2 = st.columns([3, 1])
        gone = c1.selectbox(
            "Anhang entfernen",
            [None, *listed["id"].astype(str)],
            format_func=lambda a: (
                "–" if a is None else f"{a}: {listed.loc[listed['id'] == a, 'filename'].iloc[0]}"
            ),
            key=f"massnahmen.anhang.{mid}.weg",
        )
        if c2.button("Entfernen", key=f"massnahmen.anhang.{mid}.weg.knopf", disabled=gone is None):
            version = int(listed.loc[listed["id"] == gone, "version"].iloc[0])
            attempt(
                lambda: services.remove(
                    store, user, "attachments", {"id": gone}, expected_version=version
                ),
                what=f"{mid}.anhang.weg",
                subject="Der Anhang",
                done=f"Anhang {gone} entfernt.",
            )
    if not submitted:
        return
    if upload is None:
        st.error("Nicht gespeichert: Wählen Sie zuerst eine Datei.")
        return

    def add() -> services.Saved:
        saved = services.add_attachment(
            store,
            user,
            "measures",
            mid,
            upload.getvalue(),
            filename=upload.name,
            kind=kind,
            title=title,
            limits=limits,
        )
        st.session_state[round_key] = n + 1
        return saved

    attempt(add, what=f"{mid}.anhang", subject="Der Anhang", done=f"{upload.name} angehängt.")
