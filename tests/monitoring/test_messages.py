"""What a user reads from the monitoring package is German: the message catalogue, every
error class, the rule findings, the permission messages and the edit conflicts."""

from __future__ import annotations

import datetime as dt
import inspect
import re
import string
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import monitoring.errors as errors_mod
import monitoring.reports.errors as report_errors_mod
from geo.store.base import Store
from monitoring import editing, messages
from monitoring.auth import ACTION_LABELS, ACTIONS, PERMISSIONS, ROLE_LABELS, ROLES, User, require
from monitoring.errors import MonitoringError
from monitoring.findings import Finding, raise_errors
from monitoring.neighbourhood import (
    activities,
    actors,
    applications,
    funds,
    payments,
    projects,
)
from monitoring.numbers import parse_german_number
from monitoring.renewal import (
    attachments,
    comparison,
    concepts,
    funding,
    funding_areas,
    programmes,
    progress,
)
from monitoring.renewal import measures as measures_mod
from monitoring.reports import assemble, catalogue, filing, generate
from monitoring.reports.report import Report, Row

#: Words and phrases that give an English sentence away (the reported ones among them).
ENGLISH = re.compile(
    r"\b(the|is not|are not|must|should|but|has passed|may not|not one of|unknown|allowed|"
    r"missing|empty|give|pick|choose|already|cannot|does not|there is|there are|"
    r"with|without|which|of the)\b",
    re.IGNORECASE,
)
#: A German sentence has at least one of these.
GERMAN = re.compile(
    r"[äöüßÄÖÜ„“]|\b(der|die|das|ist|nicht|kein|keine|keinen|und|oder|Sie|von|für|mit|es|sind|"
    r"bekannt|unbekannte?|erlaubt|fehlen|Unterschiede|Berichtskatalog)\b"
)


def english_words(text: str) -> list[str]:
    """The English giveaways in ``text`` outside quoted values („…“, '…') and option names."""
    outside = re.sub(r"„[^“]*“|'[^']*'|--[a-z-]+|\b[a-z]+_[a-z_]+\b", " ", text)
    return ENGLISH.findall(outside)


def assert_german(text: str) -> None:
    assert GERMAN.search(text), f"no German in: {text}"
    assert not english_words(text), f"English {english_words(text)} in: {text}"


# --- the catalogue ----------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(messages.MESSAGES))
def test_every_template_renders_with_its_fields(code: str) -> None:
    fields = {name: f"<{name}>" for name in messages.fields_of(code)}
    text = messages.render(code, **fields)
    for value in fields.values():  # every field lands in the text, nothing is left over
        assert value in text
    assert not re.search(r"\{[a-z_]*\}", text), text  # no placeholder left unfilled
    fragments = {"import.known_programmes", "import.known_funding_areas", "import.known_areas"}
    fragments |= {"catalogue.remove_first", "catalogue.field", "auth.allowed_one"}
    fragments |= {"auth.allowed_many", "edit.conflict_field", "confirm.change"}
    fragments |= {"attachment.not_base64", "edit.conflict_unknown_fields", "edit.differences"}
    fragments |= {"edit.difference"}
    if code not in fragments:  # whole sentences start with a capital or a quoted name
        assert text[0].isupper() or text[0] in "„<", text
    stripped = re.sub(r"<[a-z_]+>", "X", text)
    assert not english_words(stripped), (code, english_words(stripped))
    assert GERMAN.search(stripped) or code.startswith("import.known"), text


def test_render_refuses_unknown_codes_and_missing_or_extra_fields() -> None:
    with pytest.raises(KeyError, match="gibt es nicht"):
        messages.render("no.such.code")
    with pytest.raises(TypeError, match="braucht die Angabe"):
        messages.render("report.no_part", part="E")
    with pytest.raises(TypeError, match="kennt die Angabe"):
        messages.render("report.no_part", part="E", parts="A", colour="rot")


def test_every_template_is_used_by_the_code() -> None:
    root = Path(messages.__file__).resolve().parent
    code = "\n".join(
        p.read_text(encoding="utf-8") for p in root.rglob("*.py") if p.name != "messages.py"
    )
    unused = [c for c in messages.MESSAGES if f'"{c}"' not in code]
    assert not unused, f"templates no code renders: {unused}"


def test_field_names_are_plain_identifiers() -> None:
    for code, template in messages.MESSAGES.items():
        for _, name, spec, conversion in string.Formatter().parse(template):
            if name is not None:
                assert name.isidentifier(), (code, name)
                assert not spec and not conversion, (code, "format numbers with geo.german")


# --- every error class has a German message ---------------------------------------------


def _error_classes() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    for module in (errors_mod, report_errors_mod):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, MonitoringError) and cls.__module__ == module.__name__:
                found.append(cls)
    from monitoring.numbers import NumberInputError

    return [*found, NumberInputError]


def _stale_edit(store: Store) -> None:
    anna, ben = User("anna", "admin"), User("ben", "editor")
    editing.update(
        store, anna, "measures", {"id": "M1"}, {"title": "Bolzplatz"}, expected_version=1
    )
    editing.update(store, ben, "measures", {"id": "M1"}, {"cost_estimate": 1.0}, expected_version=1)


def _file_twice(store: Store) -> None:
    admin = User("anna", "admin")
    filing.file_report(store, admin, "FA", year=2024, now=dt.datetime(2025, 3, 1, 9, 30))
    filing.file_report(store, admin, "FA", year=2024)


def _big_change(store: Store) -> None:
    from monitoring import services

    services.update_measure(
        store,
        User("ben", "editor"),
        "M1",
        {"cost_estimate": 30_000_000.0},
        expected_version=1,
    )


#: one way to make each error class, as a user would meet it
TRIGGERS: dict[str, Callable[[Store], object]] = {
    "MonitoringError": lambda s: require(User("gast", "viewer"), "read_audit"),
    "PermissionDenied": lambda s: require(User("gast", "viewer"), "edit_funding"),
    "RuleViolation": lambda s: raise_errors(
        measures_mod.check_measure(
            {"id": "M9", "title": "", "status": "erledigt"}, today=dt.date(2026, 1, 1)
        ),
        what="Maßnahme „M9“",
    ),
    "NotFound": lambda s: editing.update(
        s, User("anna", "admin"), "measures", {"id": "M404"}, {"title": "x"}, expected_version=1
    ),
    "EditConflict": _stale_edit,
    "ConfirmationNeeded": _big_change,
    "AttachmentRefused": lambda s: attachments.prepare(
        b"", ident="A1", owner_layer="measures", owner_id="M1", filename="plan.pdf", kind="plan"
    ),
    "NumberInputError": lambda s: parse_german_number("1.5", field="Kostenschätzung"),
    "ReportError": lambda s: assemble.size_ha(None, "EPSG:4326"),
    "CatalogueError": lambda s: catalogue.load_catalogue(Path("/nirgends/katalog.toml")),
    "ReportOptionError": lambda s: generate.check_format("docx"),
    "FilingError": _file_twice,
    "PayloadError": lambda s: Report.from_dict({"format_version": 999}),
}


def test_every_error_class_has_a_trigger() -> None:
    names = {cls.__name__ for cls in _error_classes()}
    assert names <= set(TRIGGERS), f"no German message test for {sorted(names - set(TRIGGERS))}"


@pytest.mark.parametrize("name", sorted(TRIGGERS))
def test_every_error_class_speaks_german(name: str, tiny_gpkg: Store) -> None:
    classes = {cls.__name__: cls for cls in _error_classes()}
    with pytest.raises(classes[name]) as caught:
        TRIGGERS[name](tiny_gpkg)
    assert_german(str(caught.value))
    for problem in getattr(caught.value, "problems", ()):
        assert_german(str(problem))


def test_payload_rows_without_value_name_the_reasons_in_german() -> None:
    with pytest.raises(report_errors_mod.PayloadError) as caught:
        Row("A.6", "Ende", None, "", reason="vergessen")
    assert "„vergessen“" in str(caught.value)
    assert_german(str(caught.value))


# --- permissions ------------------------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
def test_permission_denied_reads_german_with_the_role_label(action: str) -> None:
    refused = [r for r in ROLES if action not in PERMISSIONS[r]]
    allowed = [ROLE_LABELS[r] for r in ROLES if action in PERMISSIONS[r]]
    for role in refused:
        with pytest.raises(errors_mod.PermissionDenied) as caught:
            require(User("erika", role), action)  # type: ignore[arg-type]
        text = str(caught.value)
        assert f"(Rolle „{ROLE_LABELS[role]}“)" in text
        assert f"Rolle {role}" not in text and f"Rolle „{role}“" not in text
        *what, verb = ACTION_LABELS[action].split(" ")
        assert f"darf {' '.join(what)} nicht {verb};" in text  # "nicht" before the verb
        assert all(f"„{label}“" in text for label in allowed)
        assert_german(text)


def test_role_labels_are_the_agreed_ones() -> None:
    assert [ROLE_LABELS[r] for r in ROLES] == [
        "Lesen",
        "Quartiersmanagement",
        "Bearbeitung",
        "Verwaltung",
    ]


def test_the_audit_log_refusal_is_a_german_sentence() -> None:
    with pytest.raises(errors_mod.PermissionDenied) as caught:
        require(User("q", "qm"), "read_audit")
    assert "darf das Änderungsprotokoll nicht lesen" in str(caught.value)


# --- findings ---------------------------------------------------------------------------

TODAY = dt.date(2026, 11, 26)


def _all_findings() -> list[Finding]:
    """Findings of every record rule, from records that break as many rules as they can."""
    found: list[Finding] = []
    found += measures_mod.check_measure(
        {
            "id": "M1",
            "title": "",
            "status": "geplant",
            "start_date": "2020-01-01",
            "end_date": "2019-01-01",
            "cost_estimate": -5.0,
            "archived": True,
        },
        today=TODAY,
    )
    found += measures_mod.check_measure(
        {"id": "M2", "title": "x", "status": "bewilligt", "end_date": "2021-01-01"}, today=TODAY
    )
    found += measures_mod.check_measure(
        {"id": "M3", "title": "x", "status": "erledigt"}, today=TODAY
    )
    found += concepts.check_concept(
        {"id": "K", "kind": "Roman", "title": "", "valid_from_year": 2030, "valid_to_year": 2020}
    )
    found += concepts.check_goal({"id": "Z", "title": ""})
    found += concepts.check_target({"id": "T", "indicator": "", "direction": "seitwärts"})
    found += funding.check_funding_line(
        {"id": "F", "source": "Lotto", "programme_year": 1800, "planned": -1.0}
    )
    found += funding_areas.check_funding_area(
        {"id": "G", "name": "", "programme_id": "nix", "start_year": 1700, "end_year": 1600},
        programmes=["sozialer_zusammenhalt"],
        today=TODAY,
    )
    found += programmes.check_programme(
        {"id": "X Y", "name": "", "successor_of": "nix"},
        programmes=pd.DataFrame({"id": ["sozialer_zusammenhalt"]}),
        last_year=2036,
    )
    found += activities.check_activity(
        {"id": "A", "title": "", "kind": "Party", "participants": -3}
    )
    found += actors.check_actor({"id": "P", "name": "", "type": "Alien", "email": "kein@"})
    found += applications.check_application({"id": "AN", "source_kind": "Lotto", "status": "x"})
    found += projects.check_project({"id": "BP", "title": "", "amount": -1.0})
    found += projects.check_transition("BP", "abgeschlossen", "beantragt")
    found += projects.check_transition("BP", None, "Unsinn")
    found += attachments.check_attachment(
        {"id": "AT", "content_b64": "###", "owner_layer": "measures"},
        limits=attachments.AttachmentLimits(),
    )
    found += attachments.check_attachment(
        {"id": "AT", "content_b64": "JVBERi0xLjQgeA==", "owner_layer": "measures",
         "kind": "photo", "filename": "a.pdf", "media_type": "image/png", "size_bytes": 3,
         "sha256": "0"},
        limits=attachments.AttachmentLimits(),
    )  # fmt: skip
    return found


def _call_or_skip(check: Callable[[], list[Finding]]) -> list[Finding]:
    try:
        return check()
    except TypeError as exc:  # a check whose signature changed: the test says which
        raise AssertionError(f"check signature changed: {exc}") from exc


def test_rule_findings_are_german() -> None:
    found = _call_or_skip(_all_findings)
    assert len(found) >= 20  # the records above break many rules
    codes = {(f.layer, f.code) for f in found}
    assert ("measures", "dates") in codes or any(c[0] == "measures" for c in codes)
    for finding in found:
        assert_german(finding.message)
        for phrase in (" but ", "has passed", " is not ", " must "):
            assert phrase not in finding.message, finding.message


def test_the_reported_english_findings_are_gone() -> None:
    found = measures_mod.check_measure(
        {"id": "M", "title": "x", "status": "geplant", "start_date": "2020-01-01"}, today=TODAY
    )
    texts = [f.message for f in found]
    assert texts, "a planned measure whose start has passed is worth a warning"
    assert all("but the planned start" not in t for t in texts)
    assert_german(" ".join(texts))


def test_fund_and_payment_findings_are_german() -> None:
    income = pd.DataFrame({"source": ["öffentlich", "Spenden"], "amount": [900.0, -100.0]})
    decisions = pd.DataFrame(
        {
            "id": ["D1"],
            "amount": [5_000.0],
            "outcome": ["vielleicht"],
            "votes_yes": [-1],
            "votes_no": [0],
            "votes_abstain": [0],
        }
    )
    found = funds.fund_findings(
        {"id": "LF", "name": "Fonds", "kind": "Verfügungsfonds"},
        income,
        decisions,
        public_share_max=0.5,
        today=pd.Timestamp("2026-11-26"),
    )
    found += payments.check_payment({"id": "Z1", "amount": 0.0}, None, pd.DataFrame())
    assert found
    for finding in found:
        assert_german(finding.message)


# --- progress, comparison ---------------------------------------------------------------


def test_progress_and_comparison_errors_are_german() -> None:
    with pytest.raises(ValueError) as caught:
        progress.attainment(5.0, 5.0, 5.0)
    assert_german(str(caught.value))
    frame = pd.DataFrame({"gap": [1.0]}, index=pd.to_datetime(["2014-12-31"]))
    with pytest.raises(Exception) as caught2:
        comparison.gap_change(frame, since=pd.Timestamp("2020-01-01"))
    assert "01.01.2020" in str(caught2.value)
    assert_german(str(caught2.value))


# --- edit conflicts ---------------------------------------------------------------------


def test_edit_conflict_names_who_changed_which_field_in_german(tiny_gpkg: Store) -> None:
    with pytest.raises(errors_mod.EditConflict) as caught:
        _stale_edit(tiny_gpkg)
    text = str(caught.value)
    assert "von anna geändert" in text
    assert "Titel: Sie sahen „Spielplatz Lindenweg“, gespeichert ist „Bolzplatz“" in text
    assert re.search(r"am \d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr", text), text
    assert "title" not in text and "UTC" not in text
    assert_german(text)


def test_confirmation_names_the_field_and_amounts_in_german(tiny_gpkg: Store) -> None:
    with pytest.raises(errors_mod.ConfirmationNeeded) as caught:
        _big_change(tiny_gpkg)
    text = str(caught.value)
    assert "Kostenschätzung (€) von 300.000,00\xa0€ auf 30.000.000,00\xa0€" in text, text
    assert "cost_estimate" not in text
