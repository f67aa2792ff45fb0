"""Filed reports travel: a package made in the demo city's store, collected in a Land's store.

One municipality store (the demo city, built once) files 2023 and 2024 for both of its
Gesamtmaßnahmen and a correction (/2) of SSZ-01 2024; its packages are collected into a
fresh store of each kind (``store_url``).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cli.main import main
from geo.store import open_store
from geo.store.base import Store
from monitoring import editing
from monitoring.auth import User
from monitoring.errors import NotFound, PermissionDenied
from monitoring.federal import collect as collecting
from monitoring.federal import packages
from monitoring.federal.errors import PackageError
from monitoring.federal.plausibility import check_report
from monitoring.reports import filing
from monitoring.reports.catalogue import load_catalogue
from monitoring.reports.report import Row

CRS = "EPSG:25832"
AREAS = ("SSZ-01", "WNE-01")
ANNA = User("anna", "admin")


@dataclasses.dataclass(frozen=True)
class Municipality:
    path: Path
    files: dict[tuple[str, int, int], bytes]
    """(area, year, revision) -> package file."""

    def file(self, area: str, year: int, revision: int = 1) -> tuple[str, bytes]:
        return f"{area}_{year}_{revision}.json", self.files[(area, year, revision)]


def _raise_paid(store: Store, area: str, year: int) -> None:
    """A real correction: one funding line of the area's year pays 1.000 € more."""
    measures = store.read("measures", where={"funding_area_id": area}, columns=["id"])["id"]
    lines = store.read("funding_lines", where={"programme_year": year})
    line = lines[lines["measure_id"].isin(set(measures))].iloc[0]
    version = int(line["version"]) if "version" in line else None
    editing.update(
        store,
        ANNA,
        "funding_lines",
        {"id": line["id"]},
        {"paid": float(line["paid"]) + 1000.0},
        expected_version=version,
    )


@pytest.fixture(scope="session")
def municipality(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Municipality:
    path = tmp_path_factory.mktemp("gemeinde") / "gemeinde.gpkg"
    shutil.copy(demo_path, path)
    files: dict[tuple[str, int, int], bytes] = {}
    with open_store(str(path)) as store:
        for year in (2023, 2024):
            for area in AREAS:
                filing.file_report(store, ANNA, area, year=year)
        _raise_paid(store, "SSZ-01", 2024)
        assert filing.file_report(store, ANNA, "SSZ-01", year=2024).id == "SSZ-01/2024/2"
        for year in (2023, 2024):
            for area in AREAS:
                made = packages.make_package(store, ANNA, area, year, revision=1)
                files[(area, year, 1)] = packages.package_bytes(made)
        latest = packages.make_package(store, ANNA, "SSZ-01", 2024)
        files[("SSZ-01", 2024, 2)] = packages.package_bytes(latest)
    return Municipality(path, files)


@pytest.fixture
def land(store_url: str) -> Iterator[Store]:
    store = open_store(store_url)
    store.init(crs=CRS)
    yield store
    store.close()


def _count(store: Store) -> tuple[int, int]:
    audit = store.read("audit_log", columns=["layer"])
    return len(store.read("collected_reports", columns=["id"])), int(
        (audit["layer"] == "collected_reports").sum()
    )


def _edit(data: bytes, change: Any) -> bytes:
    package = json.loads(data)
    change(package)
    return json.dumps(package, ensure_ascii=False).encode()


def _row(package: dict[str, Any], field: str) -> dict[str, Any]:
    for part in package["bericht"]["parts"]:
        for section in part["sections"]:
            for row in section["rows"]:
                if row["field"] == field:
                    return row  # type: ignore[no-any-return]
    raise AssertionError(field)


# --- the package itself (pure) ------------------------------------------------------------


def test_package_keys_and_seal(municipality: Municipality) -> None:
    name, data = municipality.file("SSZ-01", 2024, 2)
    package = packages.read_package(data, file_name=name)
    assert package["art"] == "qmon-berichtspaket" and package["formatversion"] == 1
    assert (package["ags"], package["gesamtmassnahme"]) == ("05999000", "SSZ-01")
    assert (package["berichtsjahr"], package["fassung"]) == (2024, 2)
    assert package["fingerabdruck"] == package["bericht"]["fingerprint"]
    assert package["siegel"] == packages.seal_of(package)
    assert set(package["pruefsummen"]) == set(packages.report_of(package).values())


def test_tampered_value_is_refused_naming_the_field(municipality: Municipality) -> None:
    name, data = municipality.file("SSZ-01", 2024)
    original = _row(json.loads(data), "B.1.land.approved")["value"]
    bad = _edit(data, lambda p: _row(p, "B.1.land.approved").update(value=original + 5000))
    with pytest.raises(PackageError) as caught:
        packages.read_package(bad, file_name=name)
    text = str(caught.value)
    assert caught.value.field == "B.1.land.approved"
    assert name in text and "B.1.2" in text and "Land, bewilligt" in text
    assert "Prüfsumme passt nicht" in text
    assert f"{original + 5000:,.0f}".replace(",", ".") in text


@pytest.mark.parametrize(("key", "value"), [("ags", "05999001"), ("berichtsjahr", 2022)])
def test_tampered_top_level_key_is_named(
    municipality: Municipality, key: str, value: object
) -> None:
    name, data = municipality.file("WNE-01", 2024)
    with pytest.raises(PackageError, match=f"Angabe „{key}“") as caught:
        packages.read_package(_edit(data, lambda p: p.update({key: value})), file_name=name)
    assert caught.value.field == key


def test_broken_transfer_and_foreign_files_are_refused_in_german(
    municipality: Municipality,
) -> None:
    name, data = municipality.file("WNE-01", 2023)
    with pytest.raises(PackageError, match="keine JSON-Datei"):
        packages.read_package(data[: len(data) // 2], file_name=name)
    with pytest.raises(PackageError, match="kein Berichtspaket"):
        packages.read_package(b"[1, 2]", file_name="liste.json")
    with pytest.raises(PackageError, match="Formatversion 2"):
        packages.read_package(_edit(data, lambda p: p.update(formatversion=2)), file_name=name)
    extra = _edit(data, lambda p: p.update(anmerkung="nachträglich"))
    with pytest.raises(PackageError, match="Siegel passt nicht"):
        packages.read_package(extra, file_name=name)


def test_plausibility_finds_paid_over_approved_and_a_wrong_sum(
    demo_reports: dict[str, Any],
) -> None:
    report = demo_reports["SSZ-01"]
    assert check_report(report) == ()  # the demo city's money is plausible

    def more_paid(row: Row) -> Row:
        if row.field == "B.1.bund.paid":
            return dataclasses.replace(row, value=float(row.value or 0) + 10_000_000)  # type: ignore[arg-type]
        return row

    parts = tuple(
        dataclasses.replace(
            p,
            sections=tuple(
                dataclasses.replace(s, rows=tuple(more_paid(r) for r in s.rows)) for s in p.sections
            ),
        )
        for p in report.parts
    )
    found = {f.field: f.text for f in check_report(dataclasses.replace(report, parts=parts))}
    assert set(found) == {"B.1.bund.paid", "B.1.summe.paid"}
    assert "mehr als bewilligt" in found["B.1.bund.paid"]
    assert "nicht die Summe" in found["B.1.summe.paid"]


# --- collecting (both stores) --------------------------------------------------------------


def test_round_trip_of_every_figure(municipality: Municipality, land: Store) -> None:
    files = [municipality.file(a, y) for y in (2024, 2023) for a in AREAS]
    result = collecting.collect(land, ANNA, files)
    assert [o.status for o in result.outcomes] == [collecting.COLLECTED] * 4
    assert _count(land) == (4, 4)
    with open_store(str(municipality.path)) as source:
        for area in AREAS:
            for year in (2023, 2024):
                ident = f"05999000/{area}/{year}/1"
                got = collecting.load_collected(land, ANNA, ident)
                filed = filing.load_filed(source, ANNA, f"{area}/{year}/1").report
                assert got.report.values() == filed.values()
                assert got.report.fingerprint == got.record["fingerprint"]
    by_year = {(o.area_id, o.year): o for o in result.outcomes}
    assert by_year[("SSZ-01", 2024)].compared_with == "05999000/SSZ-01/2023/1"
    assert by_year[("SSZ-01", 2023)].compared_with == ""


def test_duplicate_writes_nothing(municipality: Municipality, land: Store) -> None:
    collecting.collect(land, ANNA, [municipality.file("SSZ-01", 2023)])
    before = _count(land)
    again = collecting.collect(land, ANNA, [municipality.file("SSZ-01", 2023)] * 2)
    assert [o.status for o in again.outcomes] == [collecting.ALREADY] * 2
    assert again.stored == () and _count(land) == before == (1, 1)


@pytest.mark.parametrize("order", [(1, 2), (2, 1)])
def test_correction_supersedes_the_earlier_version_visibly(
    municipality: Municipality, land: Store, order: tuple[int, int]
) -> None:
    for revision in order:
        result = collecting.collect(land, ANNA, [municipality.file("SSZ-01", 2024, revision)])
        assert result.outcomes[0].status == collecting.COLLECTED
    every = collecting.collected(land, ANNA, current_only=False)
    superseded = {
        i: None if pd.isna(by) else by for i, by in zip(every["id"], every["superseded_by"])
    }
    assert superseded == {
        "05999000/SSZ-01/2024/1": "05999000/SSZ-01/2024/2",
        "05999000/SSZ-01/2024/2": None,
    }
    assert collecting.collected(land, ANNA)["id"].tolist() == ["05999000/SSZ-01/2024/2"]
    first, second = (
        collecting.load_collected(land, ANNA, f"05999000/SSZ-01/2024/{n}") for n in (1, 2)
    )
    paid = [float(r.report.values()["B.1.summe.paid"] or 0) for r in (first, second)]
    assert paid[1] == paid[0] + 1000  # the correction pays 1.000 € more


def test_one_bad_file_among_good_ones_stores_nothing(
    municipality: Municipality, land: Store
) -> None:
    name, data = municipality.file("WNE-01", 2024)
    bad = _edit(data, lambda p: p.update(ags="05999001"))
    files = [
        municipality.file("SSZ-01", 2023),
        ("kaputt.json", bad),
        municipality.file("SSZ-01", 2024),
    ]
    result = collecting.collect(land, ANNA, files)
    assert [o.status for o in result.outcomes] == [
        collecting.NOT_STORED,
        collecting.REFUSED,
        collecting.NOT_STORED,
    ]
    assert "kaputt.json" in result.refused[0].reason and "„ags“" in result.refused[0].reason
    assert "kaputt.json" in result.outcomes[0].reason
    assert _count(land) == (0, 0)


def test_a_viewer_cannot_collect(municipality: Municipality, land: Store) -> None:
    with pytest.raises(PermissionDenied):
        collecting.collect(land, User("vera", "viewer"), [municipality.file("SSZ-01", 2023)])
    assert _count(land) == (0, 0)


def _figures(data: bytes) -> dict[str, float]:
    """The figures year_on_year compares: numbers of parts B–D that are not shares (% or
    percentage points), years or classes."""
    report = packages.report_of(json.loads(data))
    return {
        row.field: float(row.value)
        for part, _, row in report.rows()
        if part.key in ("B", "C", "D")
        and row.unit not in ("%", "Prozentpunkte", "Jahr", "Klasse")
        and isinstance(row.value, int | float)
        and not isinstance(row.value, bool)
    }


def test_year_on_year_differences_beyond_the_threshold_and_not_below(
    municipality: Municipality, land: Store
) -> None:
    last = _figures(municipality.files[("SSZ-01", 2023, 1)])
    now = _figures(municipality.files[("SSZ-01", 2024, 1)])
    both = [f for f in now if f in last and now[f] != last[f]]
    shares = sorted({abs(now[f] - last[f]) / abs(last[f]) for f in both if last[f]})
    assert len(shares) > 2
    threshold = (shares[len(shares) // 2 - 1] + shares[len(shares) // 2]) / 2
    expected = {f for f in both if last[f] == 0 or abs(now[f] - last[f]) / abs(last[f]) > threshold}
    result = collecting.collect(
        land, ANNA, [municipality.file("SSZ-01", y) for y in (2023, 2024)], threshold=threshold
    )
    listed = {
        d.field for d in result.outcomes[1].differences if d.kind in ("gestiegen", "gesunken")
    }
    assert listed == expected
    assert 0 < len(listed) < len(both)  # some beyond the threshold, some below it
    stored = collecting.load_collected(land, ANNA, "05999000/SSZ-01/2024/1").findings["vorjahr"]
    assert stored["schwelle"] == threshold
    assert {d["feld"] for d in stored["unterschiede"]} >= listed


def test_catalogue_version_is_a_finding_and_another_catalogue_is_refused(
    municipality: Municipality, land: Store
) -> None:
    ours = load_catalogue()
    newer = dataclasses.replace(ours, version="2099.1")
    result = collecting.collect(land, ANNA, [municipality.file("WNE-01", 2023)], catalogue=newer)
    assert any("Katalogversion" in f for f in result.outcomes[0].findings)
    other = dataclasses.replace(ours, name="Land Musterland")
    refused = collecting.collect(land, ANNA, [municipality.file("WNE-01", 2024)], catalogue=other)
    assert refused.outcomes[0].status == collecting.REFUSED
    assert "Land Musterland" in refused.outcomes[0].reason
    assert _count(land) == (1, 1)


def test_cli_package_collect_and_list(
    municipality: Municipality, store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--store", store_url, "--crs", CRS]) == 0
    who = ["--user", "anna", "--role", "admin"]
    folder = tmp_path / "eingang"
    for area in AREAS:
        out = folder / f"{area}.json"
        code = main(
            [
                "report",
                "package",
                "--store",
                str(municipality.path),
                "--area",
                area,
                "--year",
                "2024",
                "--fassung",
                "1",
                "--out",
                str(out),
                *who,
            ]
        )
        assert code == 0 and out.is_file()
    capsys.readouterr()
    assert main(["collect", str(folder), "--store", store_url, "--schwelle", "0,5", *who]) == 0
    shown = capsys.readouterr().out
    assert "Datei" in shown and "Ergebnis" in shown and shown.count("eingelesen") == 2
    bad = tmp_path / "kaputt.json"
    bad.write_bytes(b"{kein json")
    assert main(["collect", str(bad), "--store", store_url, *who]) == 2
    assert "keine JSON-Datei" in capsys.readouterr().out
    assert main(["collect", "--list", "--store", store_url, *who]) == 0
    listed = capsys.readouterr().out
    assert "05999000/SSZ-01/2024/1" in listed and "ersetzt durch" in listed
    assert main(["report", "collected", "--store", store_url, *who]) == 0
    assert "05999000/WNE-01/2024/1" in capsys.readouterr().out


def test_filing_shows_the_same_findings_and_a_package_needs_an_ags(demo_copy: Store) -> None:
    with pytest.raises(NotFound, match="qmon report file"):
        packages.make_package(demo_copy, ANNA, "WNE-01", 2024)
    area = demo_copy.read("funding_areas", where={"id": "WNE-01"}).iloc[0]
    editing.update(
        demo_copy,
        ANNA,
        "funding_areas",
        {"id": "WNE-01"},
        {"ags": None},  # (a wrong one would be a second municipality)
        expected_version=int(area["version"]),
    )
    filed = filing.file_report(demo_copy, ANNA, "WNE-01", year=2024)
    assert filed.findings == tuple(f.text for f in check_report(filed.report))
    with pytest.raises(PackageError, match="achtstelligen AGS") as caught:
        packages.make_package(demo_copy, ANNA, "WNE-01", 2024)
    assert caught.value.field == "ags" and "Gesamtmaßnahmen" in str(caught.value)


def test_app_section_service(municipality: Municipality, land: Store) -> None:
    from ui.berichtspakete import collect_uploads, collected_table

    result, table = collect_uploads(land, ANNA, [municipality.file("WNE-01", 2023)], 0.5)
    assert table["Ergebnis"].tolist() == ["eingelesen"] and result.stored
    shown = collected_table(collecting.collected(land, ANNA))
    assert shown["Kennung"].tolist() == ["05999000/WNE-01/2023/1"]
    assert pd.isna(shown["ersetzt durch"].iloc[0]) or shown["ersetzt durch"].iloc[0] is None


def test_a_package_changed_in_the_store_is_refused_when_read(
    municipality: Municipality, land: Store
) -> None:
    collecting.collect(land, ANNA, [municipality.file("WNE-01", 2023)])
    ident = "05999000/WNE-01/2023/1"
    stored = land.read("collected_reports", where={"id": ident})["payload"].iloc[0]
    changed = _edit(stored.encode(), lambda p: p.update(gemeinde="Anderswo")).decode()
    with land.transaction(user="sql") as tx:
        tx.update("collected_reports", {"id": ident}, {"payload": changed})
    with pytest.raises(PackageError, match="„gemeinde“"):
        collecting.load_collected(land, ANNA, ident)
