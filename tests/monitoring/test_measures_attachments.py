"""Attachments are judged by their content: magic bytes and Office/ODF containers."""

from __future__ import annotations

import io
import zipfile

import pytest

from monitoring.errors import AttachmentRefused
from monitoring.renewal.attachments import (
    AttachmentLimits,
    clean_filename,
    content_of,
    prepare,
    sniff_media_type,
)


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xd8\xff\xdb" + bytes(10), "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n" + bytes(10), "image/png"),
        (b"GIF89a" + bytes(10), "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (
            _zip({"[Content_Types].xml": "x", "xl/workbook.xml": "x"}),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            _zip({"[Content_Types].xml": "x", "word/document.xml": "x"}),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            _zip({"mimetype": "application/vnd.oasis.opendocument.text"}),
            "application/vnd.oasis.opendocument.text",
        ),
        (_zip({"evil.exe": "MZ"}), None),  # a plain zip is no document
        (b"PK\x03\x04 truncated", None),
        (b"<html><script>alert(1)</script>", None),
        (b"MZ\x90\x00", None),
    ],
)
def test_types_come_from_the_content(content: bytes, expected: str | None) -> None:
    assert sniff_media_type(content) == expected


def test_the_limit_is_inclusive_and_configurable() -> None:
    content = b"%PDF-" + bytes(95)
    common = {"ident": "A", "owner_layer": "measures", "owner_id": "M", "kind": "document"}
    assert prepare(content, filename="a.pdf", limits=AttachmentLimits(100), **common)
    with pytest.raises(AttachmentRefused) as caught:
        prepare(content + b"x", filename="a.pdf", limits=AttachmentLimits(100), **common)
    assert (caught.value.reason, caught.value.value, caught.value.limit) == ("too_large", 101, 100)
    assert AttachmentLimits.from_settings({"QMON_ATTACHMENT_MAX_MB": "0,5"}).max_bytes == 524_288
    with pytest.raises(ValueError, match="QMON_ATTACHMENT_MAX_MB"):
        AttachmentLimits.from_settings({"QMON_ATTACHMENT_MAX_MB": "viel"})


def test_names_lose_folders_and_content_is_checked_on_the_way_out() -> None:
    assert clean_filename("..\\..\\Windows\\sys<32>.pdf") == "sys_32_.pdf"
    record = prepare(
        b"%PDF-1.4 x",
        ident="A",
        owner_layer="measures",
        owner_id="M",
        filename="/tmp/plan.pdf",
        kind="plan",
    )
    assert record["filename"] == "plan.pdf"
    assert content_of(record) == b"%PDF-1.4 x"
    with pytest.raises(AttachmentRefused, match="beschädigt"):
        content_of(record | {"content_b64": "JVBERi0xLjQgeQ=="})  # "%PDF-1.4 y"
