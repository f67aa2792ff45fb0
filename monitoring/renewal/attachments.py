"""Attachments: photos and documents of a record, kept in the store itself as Base64 text.

A file is judged by its content, never by its name: the first bytes (the "magic
number") say what it is, and a ZIP container is opened to tell a Word document from
an Excel workbook or an ODF file. Only the types of :data:`MEDIA_TYPES` are accepted,
up to a size limit (:class:`AttachmentLimits`, default 10 MB). Photos (kinds
``photo_*``) must be images.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geo import german
from monitoring.errors import AttachmentRefused
from monitoring.findings import Finding
from monitoring.messages import render

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
"""The default size limit of one attachment (10 MB)."""

KINDS: Mapping[str, str] = {
    "photo_before": "Foto vorher",
    "photo_after": "Foto nachher",
    "photo": "Foto",
    "decision": "Beschluss",
    "plan": "Plan",
    "document": "Dokument",
}
"""Kinds of attachment -> German label."""

PHOTO_KINDS: tuple[str, ...] = ("photo_before", "photo_after", "photo")

MEDIA_TYPES: Mapping[str, str] = {
    "image/jpeg": "JPEG-Bild",
    "image/png": "PNG-Bild",
    "image/gif": "GIF-Bild",
    "image/webp": "WebP-Bild",
    "image/tiff": "TIFF-Bild",
    "application/pdf": "PDF-Dokument",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word-Dokument",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel-Arbeitsmappe",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/vnd.oasis.opendocument.text": "ODF-Textdokument",
    "application/vnd.oasis.opendocument.spreadsheet": "ODF-Tabelle",
}
"""Accepted media types -> German label."""

IMAGE_TYPES: tuple[str, ...] = tuple(t for t in MEDIA_TYPES if t.startswith("image/"))

OWNER_LAYERS: tuple[str, ...] = ("measures",)
"""Layers whose records take attachments."""

_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


@dataclass(frozen=True)
class AttachmentLimits:
    """How large one attachment may be (bytes)."""

    max_bytes: int = DEFAULT_MAX_BYTES

    def __post_init__(self) -> None:
        if not isinstance(self.max_bytes, int) or self.max_bytes <= 0:
            raise ValueError(render("attachment.bad_limit", value=repr(self.max_bytes)))

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> AttachmentLimits:
        """Read the limit from settings (``QMON_ATTACHMENT_MAX_MB``, megabytes), else 10 MB.

        Examples
        --------
        >>> AttachmentLimits.from_settings({"QMON_ATTACHMENT_MAX_MB": "2"}).max_bytes
        2097152
        >>> AttachmentLimits.from_settings({}).max_bytes
        10485760
        """
        raw = str(settings.get("QMON_ATTACHMENT_MAX_MB", "") or "").strip()
        if not raw:
            return cls()
        try:
            megabytes = float(raw.replace(",", "."))
        except ValueError:
            raise ValueError(render("attachment.bad_setting", value=repr(raw))) from None
        return cls(max(1, int(megabytes * 1024 * 1024)))


def file_size(size: int) -> str:
    """Return a file size as a user reads it: „812 Bytes“, „1,5 MB“ (1 MB = 1.048.576 Bytes).

    Examples
    --------
    >>> file_size(812), file_size(1536 * 1024), file_size(10 * 1024 * 1024)
    ('812\xa0Bytes', '1,5\xa0MB', '10,0\xa0MB')
    """
    if size < 1024 * 1024:
        return german.number(size, unit="Bytes")
    return german.number(size / (1024 * 1024), decimals=1, unit="MB")


def sniff_media_type(content: bytes) -> str | None:
    """Return the media type the content's first bytes show, None when it is none we accept.

    Examples
    --------
    >>> sniff_media_type(b"\\xff\\xd8\\xff\\xe0" + bytes(20))
    'image/jpeg'
    >>> sniff_media_type(b"%PDF-1.7 ...")
    'application/pdf'
    >>> sniff_media_type(b"MZ\\x90\\x00 an exe renamed to .jpg") is None
    True
    """
    head = content[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(content)
    return None


def _zip_type(content: bytes) -> str | None:
    """Return the type of an Office Open XML or ODF container, None for any other ZIP."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return declared if declared in MEDIA_TYPES else None
            if "[Content_Types].xml" not in names:
                return None
            for prefix, media_type in _OOXML.items():
                if any(n.startswith(prefix) for n in names):
                    return media_type
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def clean_filename(name: str) -> str:
    """Return the file's own name without folders and characters no file system allows.

    Examples
    --------
    >>> clean_filename("C:\\\\fotos\\\\vorher 1.jpg"), clean_filename("../../etc/passwd")
    ('vorher 1.jpg', 'passwd')
    >>> clean_filename("   ")
    'anhang'
    """
    base = re.split(r"[\\/]", str(name or ""))[-1]
    cleaned = _UNSAFE_NAME.sub("_", base).strip(" .")
    return cleaned[:200] or "anhang"


def prepare(
    content: bytes,
    *,
    ident: str,
    owner_layer: str,
    owner_id: str,
    filename: str,
    kind: str,
    title: str | None = None,
    limits: AttachmentLimits = AttachmentLimits(),
) -> dict[str, Any]:
    """Check a file and return the record to store (content as Base64, SHA-256, size, type).

    Raises
    ------
    AttachmentRefused
        When the file is empty or larger than the limit, its content is none of
        :data:`MEDIA_TYPES`, a photo is not an image, or the kind or owner layer is unknown.

    Examples
    --------
    >>> rec = prepare(b"%PDF-1.4 Beschluss", ident="A1", owner_layer="measures",
    ...               owner_id="M-1", filename="beschluss.pdf", kind="decision")
    >>> rec["media_type"], rec["size_bytes"], rec["content_b64"]
    ('application/pdf', 18, 'JVBERi0xLjQgQmVzY2hsdXNz')
    """
    name = clean_filename(filename)
    if owner_layer not in OWNER_LAYERS:
        raise AttachmentRefused(
            render(
                "attachment.owner",
                name=name,
                layer=owner_layer,
                allowed=german.ordinal_list(list(OWNER_LAYERS)),
            ),
            filename=name,
            reason="owner",
            value=owner_layer,
            limit=OWNER_LAYERS,
        )
    if kind not in KINDS:
        raise AttachmentRefused(
            render(
                "attachment.kind",
                name=name,
                kind=kind,
                allowed=german.ordinal_list(
                    [f"{k} ({label})" for k, label in KINDS.items()], conjunction="oder"
                ),
            ),
            filename=name,
            reason="kind",
            value=kind,
            limit=tuple(KINDS),
        )
    size = len(content)
    if size == 0:
        raise AttachmentRefused(
            render("attachment.empty", name=name), filename=name, reason="empty"
        )
    if size > limits.max_bytes:
        raise AttachmentRefused(
            render(
                "attachment.too_large",
                name=name,
                size=file_size(size),
                limit=file_size(limits.max_bytes),
            ),
            filename=name,
            reason="too_large",
            value=size,
            limit=limits.max_bytes,
        )
    media_type = sniff_media_type(content)
    if media_type is None:
        raise AttachmentRefused(
            render(
                "attachment.unknown_type",
                name=name,
                allowed=", ".join(dict.fromkeys(MEDIA_TYPES.values())),
            ),
            filename=name,
            reason="unknown_type",
            value=content[:8].hex(),
            limit=tuple(MEDIA_TYPES),
        )
    if kind in PHOTO_KINDS and media_type not in IMAGE_TYPES:
        raise AttachmentRefused(
            render(
                "attachment.not_a_photo",
                name=name,
                media_type=MEDIA_TYPES.get(media_type, media_type),
            ),
            filename=name,
            reason="not_a_photo",
            value=media_type,
            limit=IMAGE_TYPES,
        )
    return {
        "id": ident,
        "owner_layer": owner_layer,
        "owner_id": owner_id,
        "kind": kind,
        "title": (title or "").strip() or None,
        "filename": name,
        "media_type": media_type,
        "size_bytes": size,
        "sha256": hashlib.sha256(content).hexdigest(),
        "content_b64": base64.b64encode(content).decode("ascii"),
    }


def content_of(record: Mapping[str, Any]) -> bytes:
    """Return the file of a stored attachment, checked against its SHA-256.

    Raises
    ------
    AttachmentRefused
        When the stored text is not Base64 or does not match its checksum (reason ``damaged``).
    """
    name = str(record.get("filename"))
    try:
        content = base64.b64decode(str(record.get("content_b64") or ""), validate=True)
    except ValueError:
        content = b""
    if hashlib.sha256(content).hexdigest() != record.get("sha256"):
        raise AttachmentRefused(
            render("attachment.damaged", ident=record.get("id"), name=name),
            filename=name,
            reason="damaged",
        )
    return content


def check_attachment(record: Mapping[str, Any], *, limits: AttachmentLimits) -> list[Finding]:
    """Check an attachment record as it would be stored (any writer, not only the form).

    Errors: unknown owner layer or kind, content that does not match its size,
    checksum or media type, a content of a type we do not accept, above the limit.
    """
    rid = str(record.get("id"))
    try:
        content = base64.b64decode(str(record.get("content_b64") or ""), validate=True)
    except ValueError:
        content = None
    problems: list[tuple[str, str]] = []
    if content is None:
        problems.append(("content", render("attachment.not_base64")))
    else:
        try:
            expected = prepare(
                content,
                ident=rid,
                owner_layer=str(record.get("owner_layer")),
                owner_id=str(record.get("owner_id")),
                filename=str(record.get("filename") or ""),
                kind=str(record.get("kind")),
                limits=limits,
            )
        except AttachmentRefused as exc:
            problems.append((exc.reason, str(exc)))
        else:
            for column in ("media_type", "size_bytes", "sha256"):
                if record.get(column) != expected[column]:
                    problems.append(
                        (
                            column,
                            render(
                                "attachment.mismatch",
                                column=column,
                                stored=record.get(column),
                                expected=expected[column],
                            ),
                        )
                    )
    return [
        Finding(
            "error",
            code,
            "attachments",
            rid,
            render("attachment.finding", ident=rid, problem=message),
        )
        for code, message in problems
    ]
