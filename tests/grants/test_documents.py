"""The generated documents of the grant procedure, checked against the stored rows.

Expected figures are summed here with plain pandas from the stored funding lines,
revenues, notices and drawdowns, never through monitoring.grants.kuf.
"""

from __future__ import annotations

import csv
import io
import zipfile

import docx
import pandas as pd
import pytest
from openpyxl import load_workbook

from geo import german
from geo.store.base import Store
from monitoring.auth import User
from monitoring.grants import documents, sachbericht
from monitoring.grants import service as grants
from tests.grants.conftest import FORMULA_TITLE

GROUP_OF_MEASURE = {"M1": "oeffentlicher_raum", "M2": "bau", "M3": None}
TITLES = {
    "vorbereitung": "1 Vorbereitung",
    "bau": "4 Baumaßnahmen",
    "oeffentlicher_raum": "5 Öffentlicher Raum",
    None: "ohne Kostengruppe",
}


def independent_costs(store: Store) -> pd.DataFrame:
    """Σ amount per (cost group title, year) of the stored lines, line group before measure's."""
    lines = store.read("funding_lines")
    ms = store.read("measures", columns=["id", "cost_group"])
    of_measure = dict(zip(ms["id"], ms["cost_group"]))
    lines["group"] = [
        TITLES[g if isinstance(g, str) and g else of_measure.get(m) or None]
        for g, m in zip(lines["cost_group"], lines["measure_id"])
    ]
    lines["programme_year"] = lines["programme_year"].astype(int)
    return lines.groupby(["group", "programme_year"])[["planned", "approved", "paid"]].sum()


def cells_of(data: bytes, sheet: str) -> list[list]:
    return [list(r) for r in load_workbook(io.BytesIO(data))[sheet].iter_rows(values_only=True)]


def block(rows: list[list], title: str) -> dict[str, dict[str, float]]:
    """A matrix block of a sheet as {row title: {column title: value}}."""
    start = next(i for i, r in enumerate(rows) if r[0] == title)
    header = rows[start + 1]
    out = {}
    for r in rows[start + 2 :]:
        if r[0] is None:
            break
        out[r[0]] = {str(h): v for h, v in zip(header[1:], r[1:]) if h is not None}
    return out


def test_the_kuf_equals_independent_sums_of_the_stored_lines(
    grants_gpkg: Store, admin: User
) -> None:
    kuf = grants.kuf(grants_gpkg, admin, "FA")
    expected = independent_costs(grants_gpkg)
    for amount in ("planned", "approved", "paid"):
        matrix = kuf.cost_matrix(amount)
        for (group, year), value in expected[amount].items():
            assert matrix.loc[group, year] == pytest.approx(value, abs=0.005), (amount, group)
        assert matrix.loc["Summe", "Summe"] == pytest.approx(
            grants_gpkg.read("funding_lines")[amount].sum(), abs=0.005
        )
    # the line F4 carries its own group: its money is under Vorbereitung, not Öffentlicher Raum
    assert kuf.cost_matrix("planned").loc["1 Vorbereitung", 2024] == pytest.approx(5_000.01)


def test_the_kuf_workbook_holds_the_stored_cents_as_numbers(
    grants_gpkg: Store, admin: User
) -> None:
    kuf = grants.kuf(grants_gpkg, admin, "FA")
    data = documents.kuf_workbook(kuf)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["KuF", "Maßnahmen"]
    rows = cells_of(data, "KuF")
    expected = independent_costs(grants_gpkg)
    labels = {"planned": "geplant", "approved": "bewilligt", "paid": "ausgezahlt"}
    for amount, label in labels.items():
        got = block(rows, f"Kosten nach Kostengruppen und Programmjahr – {label}")
        for (group, year), value in expected[amount].items():
            assert got[group][str(year)] == pytest.approx(round(value, 2), abs=1e-9)
        assert got["Summe"]["Summe"] == pytest.approx(
            round(grants_gpkg.read("funding_lines")[amount].sum(), 2), abs=1e-9
        )
    lines = grants_gpkg.read("funding_lines")
    fin = block(rows, "Finanzierung nach Mittelgebern und Programmjahr – geplant")
    for (source, year), value in (
        lines.groupby(["source", "programme_year"])["planned"].sum().items()
    ):
        assert fin[source][str(int(year))] == pytest.approx(round(value, 2), abs=1e-9)
    rev = block(rows, "Einnahmen nach Einnahmeart und Jahr – eingegangen")
    assert rev["Summe"]["Summe"] == pytest.approx(1_234.56)
    summary = {r[0]: r[1:4] for r in rows if r[0]}
    received = summary["Einnahmen (geplant; eingegangen unter ausgezahlt)"]
    assert received[0] == pytest.approx(15_000.5) and received[2] == pytest.approx(1_234.56)
    total_planned = round(lines["planned"].sum(), 2)
    assert summary["Kosten gesamt"][0] == pytest.approx(total_planned)
    revenues = grants_gpkg.read("revenues")
    assert summary["durch Einnahmen nicht gedeckte Kosten (geplant)"][0] == pytest.approx(
        round(total_planned - revenues["planned"].sum(), 2)
    )
    # money cells are numbers with the euro format, and no cell is a formula
    sheet = book["KuF"]
    money = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, float)]
    assert money and all(c.number_format == documents.EURO_FORMAT for c in money)
    assert all(c.data_type != "f" for ws in book for row in ws.iter_rows() for c in row)
    # the measures sheet: the formula-looking title is text
    measures = book["Maßnahmen"]
    titled = [r for r in measures.iter_rows() if r[0].value == "M3"][0]
    assert titled[1].data_type == "s" and titled[1].value == FORMULA_TITLE
    assert titled[2].value == "ohne Kostengruppe"
    assert titled[3].value == pytest.approx(12_345.67 + 999.99)


def test_the_kuf_csv_parses_back_to_the_same_cents(grants_gpkg: Store, admin: User) -> None:
    kuf = grants.kuf(grants_gpkg, admin, "FA")
    raw = documents.kuf_csv(kuf)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert list(rows[0]) == list(documents.CSV_COLUMNS)

    def cents(text: str) -> int:
        assert "." not in text, text  # no thousands separator, decimal comma
        return round(float(text.replace(",", ".")) * 100)

    expected = independent_costs(grants_gpkg)
    costs = {(r["Teil"], r[documents.CSV_COLUMNS[1]], int(r["Programmjahr"])): r for r in rows}
    for (group, year), values in expected.iterrows():
        row = costs[("Kosten", group, year)]
        assert cents(row["geplant"]) == round(values["planned"] * 100)
        assert cents(row["bewilligt"]) == round(values["approved"] * 100)
        assert cents(row["ausgezahlt/eingegangen"]) == round(values["paid"] * 100)
    revenue = costs[("Einnahmen", "E1 Ausgleichsbeträge (§ 154 BauGB)", 2024)]
    assert cents(revenue["geplant"]) == 500_050 and revenue["bewilligt"] == ""
    assert cents(revenue["ausgezahlt/eingegangen"]) == 123_456
    lines = grants_gpkg.read("funding_lines")
    for (source, year), value in lines.groupby(["source", "programme_year"])["paid"].sum().items():
        row = costs[("Finanzierung", source, int(year))]
        assert cents(row["ausgezahlt/eingegangen"]) == round(value * 100)


def test_a_frozen_version_is_written_with_its_name(grants_gpkg: Store, admin: User) -> None:
    saved = grants.submit_application(grants_gpkg, admin, "FA", programme_year=2024)
    application, kuf = grants.application_annex(grants_gpkg, admin, saved.record["id"])
    rows = cells_of(documents.kuf_workbook(kuf), "KuF")
    stand = next(r[1] for r in rows if r[0] == "Stand")
    assert f"„{kuf.frozen['id']}“" in stand
    annex = cells_of(documents.annex_workbook(application, kuf), "Finanzierungsanlage")
    assert next(r[1] for r in annex if r[0] == "KuF-Fassung") == kuf.frozen["id"]
    assert next(r[1] for r in annex if r[0] == "Fingerabdruck") == kuf.fingerprint
    header = next(i for i, r in enumerate(annex) if r[0] == "Maßnahme")
    body = {r[0]: r for r in annex[header + 1 :] if r[0] in ("M1", "M2", "M3", "Summe")}
    lines = grants_gpkg.read("funding_lines")
    of_year = lines[lines["programme_year"] == 2024]
    sources = list(annex[header][3:8])
    for mid in ("M1", "M2", "M3"):
        mine = of_year[of_year["measure_id"] == mid]
        for i, source in enumerate(sources):
            want = round(mine.loc[mine["source"] == source, "planned"].sum(), 2)
            assert body[mid][3 + i] == pytest.approx(want, abs=1e-9), (mid, source)
    assert body["Summe"][8] == pytest.approx(round(of_year["planned"].sum(), 2))
    assert body["M3"][1] == FORMULA_TITLE


def test_the_statement_workbook_matches_notices_and_drawdowns(
    grants_gpkg: Store, admin: User
) -> None:
    made = grants.statement(grants_gpkg, admin, "FA", final=True)
    data = documents.statement_workbook(made)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Verwendungsnachweis", "Mittelabrufe", "Abgleich KuF"]
    rows = cells_of(data, "Verwendungsnachweis")
    assert rows[0][0] == made.title and "Schlussabrechnung" in made.title
    assert next(r[1] for r in rows if r[0] == "Fingerabdruck") == made.fingerprint
    notices = grants_gpkg.read("grant_notices")
    draws = grants_gpkg.read("drawdowns")
    header = next(i for i, r in enumerate(rows) if r[0] == "Aktenzeichen")
    columns = rows[header]
    body = {r[0]: dict(zip(columns, r)) for r in rows[header + 1 :] if r[0]}
    for n in notices.to_dict(orient="records"):
        got = body[n["file_number"]]
        assert got["Bescheid vom"] == n["notice_date"].strftime("%d.%m.%Y")
        assert got["Bundesmittel"] == pytest.approx(n["amount_bund"])
        assert got["Zuwendung"] == pytest.approx(n["amount_bund"] + n["amount_land"])
        drawn = draws.loc[draws["notice_id"] == n["id"], "amount"].sum()
        assert got["abgerufen"] == pytest.approx(drawn)
        assert got["noch abrufbar"] == pytest.approx(
            n["amount_bund"] + n["amount_land"] - drawn, abs=0.005
        )
    assert body["Summe"]["abgerufen"] == pytest.approx(draws["amount"].sum())
    # the Aktenzeichen "=AZ 24/002" stays text
    sheet = book["Verwendungsnachweis"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "=AZ 24/002")
    assert cell.data_type == "s"
    listing = cells_of(data, "Mittelabrufe")
    assert len(listing) == 1 + len(draws) + 1
    assert listing[-1][3] == pytest.approx(draws["amount"].sum())
    assert "-Abschlag Kita" in [r[5] for r in listing]
    compare = cells_of(data, "Abgleich KuF")
    head = next(i for i, r in enumerate(compare) if r[0] == "Programmjahr")
    by_year = {r[0]: dict(zip(compare[head], r)) for r in compare[head + 1 :]}
    lines = grants_gpkg.read("funding_lines")
    public = lines[lines["source"].isin(["Bund", "Land"])]
    for year, value in public.groupby("programme_year")["approved"].sum().items():
        assert by_year[int(year)]["KuF bewilligt (Bund+Land)"] == pytest.approx(round(value, 2))
    assert by_year[2024]["Differenz bewilligt"] == pytest.approx(5_000.01)
    assert not any(c.data_type == "f" for ws in book for row in ws.iter_rows() for c in row)


def _docx_text(data: bytes) -> str:
    doc = docx.Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_the_sachbericht_names_every_goal_with_its_attainment(
    grants_gpkg: Store, admin: User
) -> None:
    data = sachbericht.sachbericht_docx(grants_gpkg, User("carla", "editor"), "FA", year=2024)
    doc = docx.Document(io.BytesIO(data))
    assert doc.core_properties.author == "carla"
    assert "Sachbericht 2024" in doc.core_properties.title
    text = _docx_text(data)
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "1 Gesamtmaßnahme",
        "2 Stand der Umsetzung (Maßnahmen)",
        "3 Zielerreichung",
        "4 Beteiligung und Kooperation",
        "5 Finanzen",
        "6 Abweichungen und Ausblick",
    ]
    for goal in grants_gpkg.read("goals").to_dict(orient="records"):
        assert f"Ziel „{goal['title']}“" in text
    # residents: baseline 1000, target 1200, latest 1150 → 75 % of the way
    row = (
        "Einwohnerinnen und Einwohner (Personen) | 1.000 (31.12.2020) | 1.200 (31.12.2028) | 1.150"
    )
    assert row in text
    assert "| 75,0\xa0%" in text
    assert "Für dieses Ziel sind keine Zielwerte festgelegt." in text
    assert "M1 | Spielplatz Lindenweg | abgeschlossen" in text  # completed in 2024
    assert "spielflaeche_m2: 750 von 800 m²" in text
    assert "M2 | Kita Erweiterung | in Umsetzung" in text
    assert "2 Aktivitäten mit zusammen 285 Teilnehmenden" in text
    assert "Bewohner/in: 2, Verein: 1" in text and "Quartiersbeirat" in text
    for person in ("Erika Mustermann", "Max Beispiel"):
        assert person not in text
    assert "[Bitte ergänzen:" in text
    assert "500.000,90\xa0€" in text  # the 2024 notice's grant
    notices = grants_gpkg.read("grant_notices")
    granted = german.euro((notices["amount_bund"] + notices["amount_land"]).sum())
    drawn = german.euro(grants_gpkg.read("drawdowns")["amount"].sum())
    assert f"(2 Bescheide): {granted} bewilligt, {drawn} abgerufen" in text
    last = doc.paragraphs[-1].text
    assert "Fingerabdruck der Daten (SHA-256)" in last and "carla" in last
    # the same stored data gives the same fingerprint; a change gives another
    again = _docx_text(sachbericht.sachbericht_docx(grants_gpkg, admin, "FA", year=2024))
    digest = last.split("(SHA-256): ")[1][:64]
    assert digest in again
    with grants_gpkg.transaction() as tx:
        tx.update("activities", {"id": "AK1"}, {"participants": 251})
    changed = _docx_text(sachbericht.sachbericht_docx(grants_gpkg, admin, "FA", year=2024))
    assert digest not in changed and "286 Teilnehmenden" in changed


def test_the_docx_is_a_word_document(grants_gpkg: Store, admin: User) -> None:
    data = sachbericht.sachbericht_docx(grants_gpkg, admin, "FA", year=2024)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "word/document.xml" in z.namelist()


def test_the_kuf_on_postgis_equals_the_independent_sums(grants_pg: Store, admin: User) -> None:
    kuf = grants.kuf(grants_pg, admin, "FA")
    expected = independent_costs(grants_pg)
    got = block(cells_of(documents.kuf_workbook(kuf), "KuF"),
                "Kosten nach Kostengruppen und Programmjahr – ausgezahlt")  # fmt: skip
    for (group, year), value in expected["paid"].items():
        assert got[group][str(year)] == pytest.approx(round(value, 2), abs=1e-9)
    made = grants.statement(grants_pg, admin, "FA", year=2024)
    rows = cells_of(documents.statement_workbook(made), "Verwendungsnachweis")
    assert next(r for r in rows if r[0] == "Summe")[7] == pytest.approx(
        grants_pg.read("drawdowns")["amount"].sum()
    )
    text = _docx_text(sachbericht.sachbericht_docx(grants_pg, admin, "FA", year=2024))
    assert "Ziel „Mehr Menschen wohnen im Quartier“" in text and "75,0\xa0%" in text
