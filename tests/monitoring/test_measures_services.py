"""A planner's measures through the services, on both stores: create, edit, archive, delete,
funding lines, attachments, conflicts and the audit log."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import zipfile

import pytest
import shapely

from geo.store.base import Store
from monitoring import editing, services
from monitoring.auth import User
from monitoring.errors import (
    AttachmentRefused,
    ConfirmationNeeded,
    EditConflict,
    PermissionDenied,
    RuleViolation,
)
from monitoring.renewal.attachments import AttachmentLimits

from .conftest import X0, Y0

TODAY = dt.date(2025, 6, 1)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(300)


def _new(store: Store, editor: User, **extra: object) -> services.Saved:
    record = {
        "id": "M-0003",
        "funding_area_id": "FA",
        "title": "Grünzug Bahndamm",
        "description": "Fuß- und Radweg mit Bäumen",
        "status": "geplant",
        "start_date": dt.date(2026, 3, 1),
        "end_date": dt.date(2027, 10, 31),
        "cost_estimate": 123_456.78,
        "geometry": shapely.LineString([(X0 + 100, Y0 + 800), (X0 + 900, Y0 + 800)]),
    } | extra
    return services.create_measure(
        store,
        editor,
        record,
        fields=["ss_oeffentlicher_raum"],
        goals=[],
        milestones=[{"id": "MS-1", "title": "Baubeginn", "due_date": dt.date(2026, 3, 1)}],
        outputs=[{"quantity": "gruenflaeche_m2", "unit": "m²", "planned": 4_500.0}],
        today=TODAY,
    )


def _audit(store: Store) -> list[dict[str, object]]:
    log = store.read("audit_log").sort_values("at", kind="stable")
    return [editing.row_dict(log, i) for i in range(len(log))]


def test_create_measure_with_its_parts_in_one_transaction(tiny_store: Store, editor: User) -> None:
    saved = _new(tiny_store, editor)
    assert saved.record["version"] == 1
    stored = tiny_store.read("measures", where={"id": "M-0003"})
    assert stored.geometry.iloc[0].equals(
        shapely.LineString([(X0 + 100, Y0 + 800), (X0 + 900, Y0 + 800)])
    )
    assert stored["cost_estimate"].iloc[0] == pytest.approx(123_456.78)
    assert tiny_store.read("measure_fields", where={"measure_id": "M-0003"})[
        "field_id"
    ].tolist() == ["ss_oeffentlicher_raum"]
    assert tiny_store.read("milestones", where={"measure_id": "M-0003"})["title"].tolist() == [
        "Baubeginn"
    ]
    outputs = tiny_store.read("measure_outputs", where={"measure_id": "M-0003"})
    assert outputs["planned"].tolist() == [4_500.0]
    layers = [row["layer"] for row in _audit(tiny_store)]
    assert layers == ["measures", "measure_fields", "milestones", "measure_outputs"]
    assert {row["user_name"] for row in _audit(tiny_store)} == {"ben"}


def test_a_refused_part_leaves_nothing_behind(tiny_store: Store, editor: User) -> None:
    before = len(tiny_store.read("measures"))
    with pytest.raises(RuleViolation, match="gibt es nicht"):
        services.create_measure(
            tiny_store,
            editor,
            {"id": "M-9", "funding_area_id": "FA", "title": "X", "status": "geplant"},
            fields=["kein_feld"],
            today=TODAY,
        )
    assert len(tiny_store.read("measures")) == before
    assert tiny_store.read("audit_log").empty


def test_end_before_start_is_refused(tiny_store: Store, editor: User) -> None:
    with pytest.raises(RuleViolation, match="liegt nach dem Ende"):
        _new(tiny_store, editor, start_date=dt.date(2027, 1, 1), end_date=dt.date(2026, 1, 1))
    assert tiny_store.read("measures", where={"id": "M-0003"}).empty


def test_edit_every_field_move_and_relink(tiny_store: Store, editor: User) -> None:
    _new(tiny_store, editor)
    moved = shapely.Polygon(
        [(X0 + 200, Y0 + 200), (X0 + 400, Y0 + 200), (X0 + 400, Y0 + 400), (X0 + 200, Y0 + 200)]
    )
    saved = services.update_measure(
        tiny_store,
        editor,
        "M-0003",
        {
            "title": "Grünzug Bahndamm (2. BA)",
            "description": None,
            "status": "bewilligt",
            "cost_estimate": 150_000.0,
            "cost_actual": 10_000.0,
            "geometry": moved,
        },
        expected_version=1,
        fields=["ss_schule_bildung", "ss_oeffentlicher_raum"],
        today=TODAY,
    )
    assert saved.record["version"] == 2
    stored = tiny_store.read("measures", where={"id": "M-0003"})
    assert stored["title"].iloc[0] == "Grünzug Bahndamm (2. BA)"
    assert stored["status"].iloc[0] == "bewilligt"
    assert stored.geometry.iloc[0].equals(moved)
    links = tiny_store.read("measure_fields", where={"measure_id": "M-0003"})
    assert sorted(links["field_id"]) == ["ss_oeffentlicher_raum", "ss_schule_bildung"]
    update = [r for r in _audit(tiny_store) if r["action"] == "update" and r["layer"] == "measures"]
    assert json.loads(str(update[0]["after"]))["geometry"].startswith("POLYGON")


def test_a_tenfold_amount_asks_for_confirmation(tiny_store: Store, editor: User) -> None:
    _new(tiny_store, editor)
    with pytest.raises(ConfirmationNeeded) as caught:
        services.update_measure(
            tiny_store, editor, "M-0003", {"cost_estimate": 12_345_678.0}, expected_version=1
        )
    assert [(c.field, c.old, c.new) for c in caught.value.reasons] == [
        ("cost_estimate", 123_456.78, 12_345_678.0)
    ]
    assert tiny_store.read("measures", where={"id": "M-0003"})["version"].iloc[0] == 1
    services.update_measure(
        tiny_store,
        editor,
        "M-0003",
        {"cost_estimate": 12_345_678.0},
        expected_version=1,
        confirmed=True,
        today=TODAY,
    )
    assert tiny_store.read("measures", where={"id": "M-0003"})["cost_estimate"].iloc[
        0
    ] == pytest.approx(12_345_678.0)


def test_the_second_of_two_editors_gets_a_conflict(tiny_store: Store, editor: User) -> None:
    _new(tiny_store, editor)
    other = User("carla", "editor")
    services.update_measure(tiny_store, other, "M-0003", {"title": "Neu"}, expected_version=1)
    with pytest.raises(EditConflict, match="carla") as caught:
        services.update_measure(
            tiny_store, editor, "M-0003", {"status": "bewilligt"}, expected_version=1
        )
    assert "title" in caught.value.differences
    assert tiny_store.read("measures", where={"id": "M-0003"})["status"].iloc[0] == "geplant"


def test_archive_needs_a_reason_and_writes_it_into_the_audit(
    tiny_store: Store, editor: User
) -> None:
    _new(tiny_store, editor)
    with pytest.raises(RuleViolation, match="zum Archivieren braucht es einen Grund"):
        services.archive_measure(tiny_store, editor, "M-0003", reason=" ", expected_version=1)
    services.archive_measure(
        tiny_store, editor, "M-0003", reason="doppelt erfasst", expected_version=1
    )
    stored = tiny_store.read("measures", where={"id": "M-0003"})
    assert bool(stored["archived"].iloc[0]) is True
    assert stored["archive_reason"].iloc[0] == "doppelt erfasst"
    last = _audit(tiny_store)[-1]
    assert (last["action"], last["reason"]) == ("update", "doppelt erfasst")
    services.archive_measure(
        tiny_store, editor, "M-0003", reason=None, expected_version=2, archived=False
    )
    stored = tiny_store.read("measures", where={"id": "M-0003"})
    assert not bool(stored["archived"].iloc[0]) and stored["archive_reason"].iloc[0] is None


def test_delete_with_reason_removes_every_part(tiny_store: Store, editor: User) -> None:
    _new(tiny_store, editor)
    services.save_funding_line(
        tiny_store,
        editor,
        {"id": "FL-1", "measure_id": "M-0003", "source": "Bund", "programme_year": 2026},
    )
    services.add_attachment(
        tiny_store, editor, "measures", "M-0003", PNG, filename="vorher.png", kind="photo_before"
    )
    with pytest.raises(RuleViolation, match="zum Löschen braucht es einen Grund"):
        services.delete_measure(tiny_store, editor, "M-0003", reason="", expected_version=1)
    with pytest.raises(EditConflict):
        services.delete_measure(tiny_store, editor, "M-0003", reason="falsch", expected_version=7)
    assert len(tiny_store.read("measures", where={"id": "M-0003"})) == 1
    services.delete_measure(
        tiny_store, editor, "M-0003", reason="irrtümlich angelegt", expected_version=1
    )
    assert tiny_store.read("measures", where={"id": "M-0003"}).empty
    for layer in ("measure_fields", "milestones", "measure_outputs", "funding_lines"):
        assert tiny_store.read(layer, where={"measure_id": "M-0003"}).empty, layer
    assert tiny_store.read("attachments").empty
    deletions = [r for r in _audit(tiny_store) if r["action"] == "delete"]
    assert {r["layer"] for r in deletions} >= {"measures", "attachments", "funding_lines"}
    assert {r["reason"] for r in deletions} == {"irrtümlich angelegt"}
    gone = next(r for r in deletions if r["layer"] == "measures")
    assert json.loads(str(gone["before"]))["title"] == "Grünzug Bahndamm"


def test_funding_lines_round_trip_with_checks_and_confirmation(
    tiny_store: Store, editor: User
) -> None:
    _new(tiny_store, editor)
    line = {
        "id": "FL-1",
        "measure_id": "M-0003",
        "source": "Land",
        "programme_id": "sozialer_zusammenhalt",
        "programme_year": 2026,
        "planned": 123_456.78,
        "approved": 100_000.0,
        "paid": 0.0,
    }
    saved = services.save_funding_line(tiny_store, editor, line)
    stored = tiny_store.read("funding_lines", where={"id": "FL-1"})
    assert stored["planned"].iloc[0] == pytest.approx(123_456.78)
    assert saved.record["programme_id"] == "sozialer_zusammenhalt"
    with pytest.raises(RuleViolation, match="ist mehr als geplant"):
        services.save_funding_line(tiny_store, editor, line | {"id": "FL-2", "approved": 2e5})
    with pytest.raises(RuleViolation, match="Förderprogramm „gibt_es_nicht“ gibt es nicht"):
        services.save_funding_line(
            tiny_store, editor, line | {"id": "FL-3", "programme_id": "gibt_es_nicht"}
        )
    with pytest.raises(ConfirmationNeeded):
        services.save_funding_line(
            tiny_store, editor, {"planned": 12_345_678.0}, key={"id": "FL-1"}, expected_version=1
        )
    services.save_funding_line(
        tiny_store,
        editor,
        {"planned": 12_345_678.0},
        key={"id": "FL-1"},
        expected_version=1,
        confirmed=True,
    )
    with pytest.raises(EditConflict):
        services.save_funding_line(
            tiny_store, editor, {"paid": 1.0}, key={"id": "FL-1"}, expected_version=1
        )
    services.remove(tiny_store, editor, "funding_lines", {"id": "FL-1"}, expected_version=2)
    assert tiny_store.read("funding_lines", where={"id": "FL-1"}).empty


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_attachments_round_trip_byte_for_byte(tiny_store: Store, editor: User) -> None:
    _new(tiny_store, editor)
    files = {
        "vorher.png": (PNG, "photo_before", "image/png"),
        "nachher.JPG": (JPEG, "photo_after", "image/jpeg"),
        "beschluss.pdf": (b"%PDF-1.4\n" + bytes(range(256)), "decision", "application/pdf"),
        "plan.docx": (
            _docx(),
            "plan",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    }
    ids = {}
    for name, (content, kind, _) in files.items():
        ids[name] = services.add_attachment(
            tiny_store, editor, "measures", "M-0003", content, filename=name, kind=kind
        ).record["id"]
    listed = services.attachment_list(tiny_store, editor, "measures", "M-0003")
    assert "content_b64" not in listed.columns
    assert sorted(listed["filename"]) == sorted(files)
    for name, (content, kind, media_type) in files.items():
        record, back = services.attachment_file(tiny_store, editor, ids[name])
        assert back == content
        assert (record["kind"], record["media_type"], record["size_bytes"]) == (
            kind,
            media_type,
            len(content),
        )
    stored = tiny_store.read("attachments", where={"id": ids["vorher.png"]})
    assert base64.b64decode(stored["content_b64"].iloc[0]) == PNG


def test_attachments_are_judged_by_content_and_size(tiny_store: Store, editor: User) -> None:
    _new(tiny_store, editor)
    cases = [
        (b"MZ\x90\x00" + bytes(50), "foto.jpg", "photo", "unknown_type"),
        (b"%PDF-1.4 x", "foto.png", "photo_after", "not_a_photo"),
        (b"", "leer.pdf", "document", "empty"),
        (PNG, "gross.png", "photo", "too_large"),
        (PNG, "x.png", "selfie", "kind"),
    ]
    for content, name, kind, reason in cases:
        with pytest.raises(AttachmentRefused) as caught:
            services.add_attachment(
                tiny_store,
                editor,
                "measures",
                "M-0003",
                content,
                filename=name,
                kind=kind,
                limits=AttachmentLimits(max_bytes=512),
            )
        assert caught.value.reason == reason, name
    assert tiny_store.read("attachments").empty


def test_an_attachment_needs_its_record_and_the_right_role(
    tiny_store: Store, editor: User, qm: User, viewer: User
) -> None:
    with pytest.raises(RuleViolation, match="gibt es nicht"):
        services.add_attachment(
            tiny_store, editor, "measures", "M-404", PNG, filename="a.png", kind="photo"
        )
    for user in (qm, viewer):
        with pytest.raises(PermissionDenied):
            services.add_attachment(
                tiny_store, user, "measures", "M1", PNG, filename="a.png", kind="photo"
            )
    assert tiny_store.read("attachments").empty


def test_a_tampered_attachment_is_refused_on_any_path(tiny_store: Store, editor: User) -> None:
    record = {
        "id": "A-X",
        "owner_layer": "measures",
        "owner_id": "M1",
        "kind": "photo",
        "filename": "x.png",
        "media_type": "image/png",
        "size_bytes": 4,
        "sha256": "0" * 64,
        "content_b64": base64.b64encode(b"MZ\x90\x00").decode(),
    }
    with pytest.raises(RuleViolation, match="keiner der angenommenen Typen"):
        services.save(tiny_store, editor, "attachments", record)


@pytest.mark.parametrize("role", ["viewer", "qm"])
def test_only_editors_keep_measures(tiny_store: Store, role: str) -> None:
    user = User("x", role)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        _new(tiny_store, user)
    with pytest.raises(PermissionDenied):
        services.archive_measure(tiny_store, user, "M1", reason="x", expected_version=1)
    with pytest.raises(PermissionDenied):
        services.delete_measure(tiny_store, user, "M1", reason="x", expected_version=1)
    with pytest.raises(PermissionDenied):
        services.save_funding_line(
            tiny_store,
            user,
            {"id": "F", "measure_id": "M1", "source": "Bund", "programme_year": 2024},
        )
    assert tiny_store.read("audit_log").empty


def test_milestones_and_outputs_are_edited_as_lists(tiny_store: Store, editor: User) -> None:
    _new(tiny_store, editor)
    services.set_measure_parts(
        tiny_store,
        editor,
        "M-0003",
        expected_version=1,
        milestones=[
            {"id": "MS-1", "title": "Baubeginn", "due_date": dt.date(2026, 4, 1)},
            {"title": "Abnahme", "due_date": dt.date(2027, 10, 1)},
        ],
        outputs=[{"quantity": "baeume", "unit": "Stück", "planned": 40.0, "actual": None}],
    )
    ms = tiny_store.read("milestones", where={"measure_id": "M-0003"}).sort_values("title")
    assert ms["title"].tolist() == ["Abnahme", "Baubeginn"]
    assert ms["version"].tolist() == [1, 2]  # MS-1 changed, the new one created
    assert ms["id"].tolist()[1] == "MS-1"
    outputs = tiny_store.read("measure_outputs", where={"measure_id": "M-0003"})
    assert outputs["quantity"].tolist() == ["baeume"]
    services.set_measure_parts(tiny_store, editor, "M-0003", expected_version=1, milestones=[])
    assert tiny_store.read("milestones", where={"measure_id": "M-0003"}).empty
    with pytest.raises(RuleViolation, match="der Output „baeume“ steht doppelt"):
        services.set_measure_parts(
            tiny_store,
            editor,
            "M-0003",
            expected_version=1,
            outputs=[{"quantity": "baeume"}, {"quantity": "baeume"}],
        )
    with pytest.raises(EditConflict):
        services.set_measure_parts(tiny_store, editor, "M-0003", expected_version=5, outputs=[])
    assert len(tiny_store.read("measure_outputs", where={"measure_id": "M-0003"})) == 1
