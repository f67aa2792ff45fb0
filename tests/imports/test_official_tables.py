"""A statistics office's table imported as delivered, into both stores.

The ``store`` fixture holds the areas 01100101–01100103 (level PLR). The table has
title rows, a header over two rows (merged cells), names with umlauts next to the
ids, footnotes and the symbols of the Zeichenerklärung; the flags of the symbols
are stored with the values.
"""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cli.main import main
from geo.errors import ImportRefused
from geo.store import Store
from tests.imports._util import import_indicators, snapshot

ROWS = [
    ["01100101", "Mitte-Süd", "1 675", "(12,3)", "-  23"],
    ["01100102", "Groß Flottbek", "2 010", ".", "–"],
    ["01100103", "Öjendorf", "999", "0", "x"],
]
EXPECTED = {  # area -> indicator -> (value, flag)
    "01100101": {
        "einwohner": (1675.0, None),
        "anteil_u18": (12.3, "limited"),
        "saldo": (-23.0, None),
    },
    "01100102": {
        "einwohner": (2010.0, None),
        "anteil_u18": (math.nan, "secret"),
        "saldo": (0.0, None),
    },
    "01100103": {
        "einwohner": (999.0, None),
        "anteil_u18": (0.0, "rounded"),
        "saldo": (math.nan, "not_applicable"),
    },
}
RENAME = {
    "Bevölkerung insgesamt": "einwohner",
    "Bevölkerung Anteil unter 18 Jahren in %": "anteil_u18",
    "Wanderungssaldo": "saldo",
}


def workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Bezirksamt Mitte – Planungsräume"])
    ws.append(["Stand: 31.12.2021"])
    ws.append([])
    ws.append(["Nr.", "Planungsraum", "Bevölkerung", None, "Wanderungs-"])
    ws.append([None, None, "insgesamt", "Anteil unter 18 Jahren in %", "saldo"])
    ws.merge_cells("C4:D4")
    ws.merge_cells("A4:A5")
    for row in ROWS:
        ws.append(row)
    ws.append([])
    ws.append(["1) ohne Personen in Gemeinschaftsunterkünften"])
    ws.append(["Zeichenerklärung: - nichts vorhanden, . geheim, x nicht sinnvoll"])
    book.save(path)
    return path


def csv_file(path: Path, encoding: str) -> Path:
    lines = [
        "Bezirksamt Mitte – Planungsräume;;;;",
        ";;;;",
        "Nr.;Planungsraum;Bevölkerung;;Wanderungs-",
        ";;insgesamt;Anteil unter 18 Jahren in %;saldo",
        *(";".join(r) for r in ROWS),
        "Quelle: Amt für Statistik;;;;",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def stored(store: Store, edition: str) -> dict[str, dict[str, tuple[float, str | None]]]:
    values = pd.DataFrame(store.read("indicator_values", where={"edition": edition}))
    out: dict[str, dict[str, tuple[float, str | None]]] = {}
    for _, item in values.iterrows():
        flag = item["flag"] if isinstance(item["flag"], str) else None
        out.setdefault(str(item["area_id"]), {})[str(item["indicator"])] = (
            float(item["value"]) if item["value"] is not None else math.nan,
            flag,
        )
    return out


def assert_same(got: dict, expected: dict) -> None:
    assert set(got) == set(expected)
    for area, by_key in expected.items():
        assert set(got[area]) == set(by_key), area
        for key, (value, flag) in by_key.items():
            have, have_flag = got[area][key]
            assert (math.isnan(have) and math.isnan(value)) or have == pytest.approx(value), (
                area,
                key,
            )
            assert have_flag == flag, (area, key)


def test_workbook_as_delivered(store: Store, tmp_path: Path) -> None:
    path = workbook(tmp_path / "planungsraeume.xlsx")
    result = import_indicators(
        store,
        path,
        id_col="Nr.",
        period="2021-12-31",
        columns=list(RENAME),
        rename=RENAME,
    )
    assert result.rows == 9
    assert_same(stored(store, "planungsraeume"), EXPECTED)
    notes = " ".join(result.notes)
    assert "Kopfzeile in Zeilen 4–5 erkannt" in notes
    assert "2 Titelzeilen und 2 Fußnotenzeilen übersprungen" in notes
    assert "geheim" in notes  # the symbols applied, in German


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8"])
def test_csv_as_delivered(store: Store, tmp_path: Path, encoding: str) -> None:
    path = csv_file(tmp_path / f"plr_{encoding}.csv", encoding)
    import_indicators(
        store, path, id_col="Nr.", period="2021-12-31", columns=list(RENAME), rename=RENAME
    )
    assert_same(stored(store, f"plr_{encoding}"), EXPECTED)


def test_unsure_layout_is_refused_and_nothing_stored(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "unsicher.csv"
    path.write_bytes(
        "Bevölkerung;nach;Planungsräumen\n\nNr.;insgesamt;Anteil\n;Anzahl;%\n"
        "01100101;1 675;12,3\n01100102;2 010;.\n".encode("cp1252")
    )
    before = snapshot(store)
    with pytest.raises(ImportRefused, match="--header-row 4"):
        import_indicators(store, path, id_col="Nr.", period="2021", columns=["insgesamt Anzahl"])
    after = snapshot(store)
    for layer, frame in before.items():
        pd.testing.assert_frame_equal(frame, after[layer], check_like=True)
    result = import_indicators(
        store,
        path,
        id_col="Nr.",
        period="2021",
        columns=["insgesamt Anzahl", "Anteil %"],
        rename={"insgesamt Anzahl": "einwohner", "Anteil %": "anteil"},
        header_row=4,
    )
    assert result.rows == 4
    got = stored(store, "unsicher")
    assert got["01100102"]["anteil"][1] == "secret"
    assert got["01100101"]["einwohner"] == (1675.0, None)


def test_cli_header_row(store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "unsicher.csv"
    path.write_bytes(
        "Bevölkerung;nach;Planungsräumen\n\nNr.;insgesamt\n;Anzahl\n01100101;1 675\n".encode()
    )
    command = [
        "import",
        "indicators",
        str(path),
        "--store",
        store.url,
        "--id",
        "Nr.",
        "--period",
        "2021",
        "--columns",
        "insgesamt Anzahl",
        "--rename",
        "insgesamt Anzahl=einwohner",
    ]
    assert main(command) != 0
    said = capsys.readouterr()
    assert "--header-row 4" in said.out + said.err
    assert main([*command, "--header-row", "4"]) == 0, capsys.readouterr().err
    assert stored(store, "unsicher")["01100101"]["einwohner"] == (1675.0, None)
    with pytest.raises(SystemExit):
        main([*command, "--header-row", "0"])
    assert "keine Zeilennummer" in capsys.readouterr().err
