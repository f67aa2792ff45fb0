"""The German message templates of geo/ and indicators/ and the errors that use them.

Every template renders with exactly its fields; every call site in geo/ and
indicators/ names a template that exists and passes exactly its fields; every error
class of ``geo.errors`` and ``indicators.errors`` reads German; and the problems the
readers and the import checks report on bad input read German too.
"""

from __future__ import annotations

import ast
import inspect
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import CRS

import geo.errors
import indicators.errors
from geo import readers, validation
from geo.crs import parse_crs, storage_crs_setting
from geo.errors import ImportRefused
from geo.messages import TEMPLATES, CodedError, fields_of, render
from geo.readers import NumberFormat, parse_date, parse_number
from geo.schema import SCHEMA
from geo.store import open_store
from geo.store.gpkg import gpkg_fault
from geo.symbols import parse_cell
from geo.validation import ImportReport, Problem
from geo.webmap import classify, parse_basemap
from indicators import crosswalk, disclosure, interpolation, rates, social_index, tables
from indicators.registry import load_registry
from indicators.targets import attainment

ROOT = Path(__file__).resolve().parents[2]

#: words that give an English sentence away (German has none of them as words)
ENGLISH = {
    "is", "are", "not", "must", "should", "empty", "unknown", "allowed", "the", "has",
    "have", "cannot", "does", "give", "pass", "occurs", "among", "closest", "with", "lacks",
    "needs", "repeats", "than", "there", "its", "only", "missing", "invalid", "failed",
    "choose", "either", "neither", "got", "times", "exist", "exists", "found",
}  # fmt: skip
#: what may hold English on purpose: quoted values, code and command lines, placeholders,
#: and the raw words of a library quoted after its name ("(SQLite/GDAL: database is locked)")
_QUOTED = re.compile(
    r"'[^']*'|\"[^\"]*\"|`[^`]*`|„[^“]*“|«[^»]*»|\((?:SQLite|GDAL|PostgreSQL)[^)]*\)"
)


def english_words(text: str) -> list[str]:
    """Return the English words of ``text`` outside quotes, code and placeholders.

    >>> english_words("die ID 'is not' ist leer"), english_words("the cell is empty")
    ([], ['the', 'is', 'empty'])
    """
    bare = _QUOTED.sub(" ", text)
    words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", bare)  # identifiers (min_value) are code
    return [w for w in words if "_" not in w and w.lower() in ENGLISH]


def sample_fields(code: str) -> dict[str, str]:
    return {name: f"«{name}»" for name in fields_of(code)}


# --- the templates ---------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(TEMPLATES))
def test_every_template_renders_german_with_its_fields(code: str) -> None:
    fields = sample_fields(code)
    text = render(code, **fields)
    assert all(value in text or repr(value) in text for value in fields.values())
    assert not any("{" + name + "}" in text for name in fields), text  # all filled
    assert english_words(text) == [], text
    assert "  " not in text


def test_render_refuses_missing_unknown_fields_and_codes() -> None:
    with pytest.raises(TypeError, match="braucht die Angabe"):
        render("cell.not_number")
    with pytest.raises(TypeError, match="kennt die Angabe.*colour"):
        render("cell.empty", colour="red")
    with pytest.raises(KeyError, match="gibt es nicht"):
        render("cell.nope")


def test_template_fields_are_plain_names() -> None:
    """Fields are names (no ``{a.b}`` or ``{a[0]}``), so a test can fill every one."""
    for code in TEMPLATES:
        assert all(name.isidentifier() for name in fields_of(code)), code


# --- the call sites ----------------------------------------------------------------------

#: keywords of the calls that are not template fields
_NOT_FIELDS = {"fix", "row", "column", "value", "unit"}


def _call_sites() -> list[tuple[str, int, str, set[str], bool]]:
    """Every call in geo/ and indicators/ that names a template by a literal code.

    Returns (file, line, code, keywords, has **kwargs) for ``X(code="…", …)``,
    ``render("…", …)``, ``report.problem("…", …)`` and ``Problem.of(source, "…", …)``.
    """
    sites = []
    for path in sorted(
        [*ROOT.joinpath("geo").rglob("*.py"), *ROOT.joinpath("indicators").rglob("*.py")]
    ):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = (
                node.func.attr
                if isinstance(node.func, ast.Attribute)
                else getattr(node.func, "id", "")
            )
            keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
            starred = any(k.arg is None for k in node.keywords)
            code_node = None
            skip: set[str] = set()
            if "code" in keywords and name not in ("render", "problem", "of"):
                code_node, skip = keywords["code"], {"code"}
            elif name == "render" and node.args:
                code_node = node.args[0]
            elif name == "problem" and node.args:
                code_node, skip = node.args[0], _NOT_FIELDS
            elif name == "of" and len(node.args) >= 2:
                code_node, skip = node.args[1], _NOT_FIELDS
            if isinstance(code_node, ast.Constant) and isinstance(code_node.value, str):
                given = {(k[:-1] if k.endswith("_") else k) for k in keywords if k not in skip}
                rel = str(path.relative_to(ROOT))
                sites.append((rel, node.lineno, code_node.value, given, starred))
    return sites


SITES = _call_sites()


def test_call_sites_were_found() -> None:
    files = {site[0] for site in SITES}
    assert {"geo/validation.py", "geo/readers.py", "geo/crs.py", "indicators/rates.py"} <= files
    assert len(SITES) > 100


@pytest.mark.parametrize("site", SITES, ids=lambda s: f"{s[0]}:{s[1]}:{s[2]}")
def test_every_call_site_passes_exactly_the_fields_of_its_template(
    site: tuple[str, int, str, set[str], bool],
) -> None:
    file, line, code, given, starred = site
    assert code in TEMPLATES, f"{file}:{line}: no template {code!r}"
    needed = fields_of(code)
    assert given <= needed, f"{file}:{line}: {code!r} has no field(s) {given - needed}"
    if not starred:
        assert given == needed, f"{file}:{line}: {code!r} misses field(s) {needed - given}"


def test_every_template_is_used() -> None:
    used = {site[2] for site in SITES}
    assert sorted(set(TEMPLATES) - used) == []


# --- the error classes ------------------------------------------------------------------


def _raised(action: Callable[[], object]) -> BaseException:
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - the error is what the test looks at
        return exc
    raise AssertionError("nothing was raised")


def _refusal(tmp_path: Path) -> BaseException:
    bad = tmp_path / "leer.csv"
    bad.write_text("id;wert\n", encoding="utf-8")
    return _raised(lambda: readers.read_csv(bad))


def _two_boxes(crs: str | None) -> gpd.GeoDataFrame:
    boxes = [shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)]
    return gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=boxes, crs=crs)


#: one real way to trigger each error class, as a user (or the app) would
TRIGGERS: dict[type[BaseException], Callable[[Path], BaseException]] = {
    geo.errors.GeoError: lambda p: _raised(lambda: parse_crs("EPSG:0")),
    geo.errors.StoreError: lambda p: _raised(
        lambda: open_store(str(p / "fehlt" / "x.gpkg")).counts()
    ),
    geo.errors.StoreURLError: lambda p: _raised(lambda: open_store("ftp://server/daten")),
    geo.errors.SchemaError: lambda p: _raised(lambda: open_store(str(p / "neu.gpkg")).counts()),
    geo.errors.StoreBusyError: lambda p: gpkg_fault(
        "a.gpkg", sqlite3.OperationalError("database is locked")
    ),
    geo.errors.UnknownLayerError: lambda p: _raised(lambda: SCHEMA.layer("bezirke")),
    geo.errors.UnknownColumnError: lambda p: _raised(lambda: SCHEMA.layer("areas").column("farbe")),
    geo.errors.ConflictError: lambda p: geo.errors.ConflictError(
        code="store.conflict", what="Schreiben in die Ebene 'measures'", detail="deadlock detected"
    ),
    geo.errors.CellError: lambda p: _raised(lambda: parse_number("")),
    geo.errors.CRSError: lambda p: _raised(lambda: storage_crs_setting({"QMON_CRS": "EPSG:4326"})),
    geo.errors.ImportRefused: _refusal,
    geo.errors.WebMapError: lambda p: _raised(lambda: parse_basemap("google")),
    indicators.errors.IndicatorError: lambda p: _raised(lambda: load_registry().get("nope")),
    indicators.errors.RegistryError: lambda p: _raised(lambda: load_registry(p / "fehlt.toml")),
    indicators.errors.UnknownIndicatorError: lambda p: _raised(lambda: load_registry().get("x")),
    indicators.errors.FrameError: lambda p: _raised(
        lambda: disclosure.suppress(
            pd.DataFrame({"area_id": ["a"], "indicator": ["x"], "period": [2020], "value": [1.0]})
        )
    ),
    indicators.errors.AggregationError: lambda p: _raised(
        lambda: rates.compute_rates(
            pd.DataFrame(
                {"area_id": ["a"], "indicator": ["mss_s1"], "period": [2020], "value": [1.0]}
            ),
            load_registry(),
            indicators=["mss_s1"],
        )
    ),
    indicators.errors.ProfileError: lambda p: _raised(
        lambda: social_index.load_profile("berlin-1999")
    ),
    indicators.errors.TableReadError: lambda p: _raised(lambda: tables.read_table(p / "fehlt.csv")),
    indicators.errors.InterpolationError: lambda p: _raised(
        lambda: interpolation.intersection_areas(_two_boxes("EPSG:4326"), _two_boxes("EPSG:4326"))
    ),
    indicators.errors.DuplicateAreaIdError: lambda p: _raised(
        lambda: crosswalk.check_unique_ids(pd.DataFrame({"id": ["a", "a"]}), "id")
    ),
    indicators.errors.TargetError: lambda p: _raised(
        lambda: attainment(
            pd.DataFrame(
                {
                    "area_id": ["a"],
                    "indicator": ["x"],
                    "baseline_period": [2020],
                    "baseline_value": [1.0],
                    "target_period": [2019],
                    "target_value": [2.0],
                }
            ),
            pd.DataFrame({"area_id": ["a"], "indicator": ["x"], "period": [2020], "value": [1.0]}),
        )
    ),  # fmt: skip
}


def _error_classes() -> list[type[BaseException]]:
    out = []
    for module in (geo.errors, indicators.errors):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Exception) and cls.__module__ == module.__name__:
                out.append(cls)
    return out


def test_every_error_class_has_a_german_message_test() -> None:
    assert set(_error_classes()) == set(TRIGGERS)


@pytest.mark.parametrize("cls", list(TRIGGERS), ids=lambda c: c.__name__)
def test_error_class_reads_german(cls: type[BaseException], tmp_path: Path) -> None:
    exc = TRIGGERS[cls](tmp_path)
    assert isinstance(exc, cls), f"{type(exc).__name__}: {exc}"
    text = str(exc)
    assert text and english_words(text) == [], text
    assert isinstance(exc, CodedError)
    if cls is not geo.errors.StoreBusyError:  # SQLite's faults are said in geo.store.gpkg
        assert exc.code in TEMPLATES and text.startswith(render(exc.code, **exc.fields)[:20])


def test_errors_keep_their_facts_as_fields() -> None:
    exc = _raised(lambda: parse_number("1.67", NumberFormat(",", ".")))
    assert isinstance(exc, geo.errors.CellError) and isinstance(exc, ValueError)
    assert exc.code == "cell.not_number_in_format" and exc.fields["value"] == "1.67"
    assert str(exc).startswith("'1.67' ist keine Zahl mit Dezimalzeichen ','")
    refused = _raised(lambda: classify(pd.Series([1.0, 2.0]), scheme="quantiles", k=9))
    assert str(refused) == "9 Klassen sind nicht möglich; wählen Sie 2 bis 7 Klassen"


def test_import_refusal_counts_in_german() -> None:
    one = ImportRefused("a.csv", [Problem("a.csv", "x")])
    many = ImportRefused("a.csv", [Problem("a.csv", "x")] * 2, total=1234)
    assert str(one).startswith("Import von a.csv abgelehnt, nichts wurde gespeichert: 1 Problem ")
    assert "1.234 Probleme gefunden" in str(many)


# --- cells, readers and import checks -------------------------------------------------------


@pytest.mark.parametrize(
    ("parse", "value", "expected"),
    [
        (parse_number, "", "die Zelle ist leer"),
        (parse_number, None, "None ist keine Zahl"),
        (parse_number, True, "True ist ein Wahrheitswert, keine Zahl"),
        (parse_number, "inf", "'inf' ist keine endliche Zahl"),
        (parse_date, "gestern", "'gestern' ist kein Datum; schreiben Sie 31.12.2021"),
        (parse_date, 1.5, "1.5 ist kein Datum"),
        (lambda v: parse_cell(v, parse_number), "  ", "die Zelle ist leer"),
    ],
)
def test_cell_errors_read_german(
    parse: Callable[[object], object], value: object, expected: str
) -> None:
    exc = _raised(lambda: parse(value))
    assert isinstance(exc, ValueError) and str(exc).startswith(expected)
    assert english_words(str(exc)) == []


def _bad_reader_inputs(tmp_path: Path) -> list[BaseException]:
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("id;wert\n1;2;3\n;4\n", encoding="utf-8")
    unnamed = tmp_path / "unnamed.csv"
    unnamed.write_text("id;;id\n1;2;3\n", encoding="utf-8")
    empty = tmp_path / "ohne_inhalt.csv"
    empty.write_text("", encoding="utf-8")
    shp = tmp_path / "teile.shp"
    _two_boxes("EPSG:25832").to_file(shp)
    shp.with_suffix(".dbf").unlink()
    return [
        _raised(lambda: readers.read_csv(ragged)),
        _raised(lambda: readers.read_csv(unnamed)),
        _raised(lambda: readers.read_csv(empty)),
        _raised(lambda: readers.read_csv(tmp_path / "fehlt.csv")),
        _raised(lambda: readers.read_vector(shp)),
        _raised(lambda: readers.InputLimits.from_env({"QMON_MAX_UNPACKED_MB": "-1"})),
    ]


def _bad_checks() -> list[Problem]:
    report = ImportReport("p.gpkg", unit="feature", max_per_kind=2)
    frame = pd.DataFrame({"PLR_ID": ["a", "a", None, "x"]}, index=[1, 2, 3, 4])
    validation.check_columns(frame, {"--id": "PLR_ID2", "--name": "NAME"}, report)
    validation.check_unique(frame["PLR_ID"], report, column="PLR_ID")
    validation.check_known(
        frame["PLR_ID"], ["b"], report, column="PLR_ID", what="gespeicherten Gebieten",
        fix="korrigieren Sie die ID",
    )  # fmt: skip
    validation.check_crs(None, None, report)
    validation.check_crs(CRS.from_epsg(25833), CRS.from_epsg(25832), report)
    degrees = gpd.GeoSeries([shapely.Point(13.4, 52.5)], index=[1])
    validation.check_coordinates(degrees, CRS.from_epsg(25833), report)
    mixed = gpd.GeoSeries([shapely.Point(390000, 5820000), shapely.Point(13.4, 52.5)], index=[1, 2])
    validation.check_coordinates(
        mixed, CRS.from_epsg(25833), report, ids=pd.Series(["a", "b"], index=[1, 2], name="id")
    )
    bowtie = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    geoms = gpd.GeoSeries(
        [None, shapely.Polygon(), shapely.Point(1, 1), bowtie, shapely.Point(float("inf"), 1)],
        index=[1, 2, 3, 4, 5],
    )
    validation.check_geometries(geoms, report, kinds=["polygon"], layer="areas", strict=True)
    line = gpd.GeoSeries([shapely.LineString([(0, 0), (0, 0)])], index=[1])
    validation.check_geometries(line, report, kinds=["polygon"], layer="areas")
    validation.check_geometries(
        gpd.GeoSeries([bowtie], index=[1]), report, kinds=["polygon"], layer="areas"
    )
    assert report.notes and report.total > report.max_per_kind
    return report.problems + report.omitted() + [Problem("n", note) for note in report.notes]


def test_readers_and_checks_report_german_problems(tmp_path: Path) -> None:
    refusals = _bad_reader_inputs(tmp_path)
    assert all(isinstance(r, ImportRefused) for r in refusals), refusals
    problems = [p for r in refusals for p in r.problems] + _bad_checks()  # type: ignore[attr-defined]
    codes = {p.code for p in problems if p.code}
    assert {"problem.no_column", "problem.id_repeated", "problem.id_unknown", "problem.no_crs",
            "problem.layer_outside_crs", "problem.feature_outside_crs", "problem.no_geometry",
            "problem.invalid_geometry", "problem.omitted"} <= codes  # fmt: skip
    for problem in problems:
        for text in (problem.message, problem.fix, str(problem)):
            assert english_words(text) == [], text
