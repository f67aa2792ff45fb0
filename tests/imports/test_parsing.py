"""CSV parsing: numbers, encodings, delimiters and dates (property-based where it counts)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.errors import ImportRefused
from geo.readers import (
    GERMAN,
    NumberFormat,
    decode_text,
    detect_delimiter,
    detect_number_format,
    format_number,
    parse_date,
    parse_number,
    read_csv,
)

FORMATS = [
    NumberFormat(",", "."),
    NumberFormat(",", " "),
    NumberFormat(",", ""),
    NumberFormat(".", ","),
    NumberFormat(".", ""),
    NumberFormat(".", "'"),
]
finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(value=finite, decimals=st.integers(0, 6), fmt=st.sampled_from(FORMATS))
def test_format_then_parse_gives_the_number_back(value: float, decimals: int, fmt: NumberFormat):
    text = format_number(value, fmt, decimals=decimals)
    assert parse_number(text, fmt) == pytest.approx(round(value, decimals), abs=10**-decimals)


@given(value=finite, decimals=st.integers(0, 4))
def test_german_number_parses_back(value: float, decimals: int):
    text = format_number(value, GERMAN, decimals=decimals)
    assert "," in text or decimals == 0
    assert math.isclose(parse_number(text, GERMAN), float(f"{value:.{decimals}f}"), abs_tol=1e-9)


@given(values=st.lists(st.floats(0.001, 1e7, allow_nan=False), min_size=3, max_size=30))
def test_a_german_column_is_detected_as_german(values: list[float]):
    texts = [format_number(v, GERMAN, decimals=2) for v in values]
    fmt = detect_number_format(texts, delimiter=";")
    assert fmt.decimal == ","
    parsed = [parse_number(t, fmt) for t in texts]
    assert parsed == pytest.approx([round(v, 2) for v in values], abs=0.006)


@given(values=st.lists(st.floats(0.001, 1e7, allow_nan=False), min_size=3, max_size=30))
def test_an_english_column_is_detected_as_english_even_in_a_semicolon_file(values: list[float]):
    texts = [f"{v:.2f}" for v in values]
    fmt = detect_number_format(texts, delimiter=";")
    assert [parse_number(t, fmt) for t in texts] == pytest.approx(
        [round(v, 2) for v in values], abs=0.006
    )


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("1.675", NumberFormat(",", "."), 1675.0),
        ("1 675", NumberFormat(",", " "), 1675.0),
        ("1\u00a0675,5", NumberFormat(",", " "), 1675.5),
        ("1.675,5", NumberFormat(",", "."), 1675.5),
        ("\u22123,5", NumberFormat(","), -3.5),
        ("12,5 %", NumberFormat(","), 12.5),
        ("1,675.5", NumberFormat(".", ","), 1675.5),
        (",5", NumberFormat(","), 0.5),
    ],
)
def test_parse_number_examples(text: str, fmt: NumberFormat, expected: float):
    assert parse_number(text, fmt) == expected


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("1.67", NumberFormat(",", ".")),  # not a thousands group
        ("0.123", NumberFormat(",", ".")),  # leading zero group
        ("3,2", NumberFormat(".", ",")),
        ("12a", NumberFormat()),
        ("", NumberFormat()),
        ("1,2,3", NumberFormat(",")),
    ],
)
def test_parse_number_refuses_what_does_not_fit(text: str, fmt: NumberFormat):
    with pytest.raises(ValueError):
        parse_number(text, fmt)


def test_detection_uses_the_delimiter_only_to_break_ties():
    assert detect_number_format(["1.675", "12.345"], delimiter=";") == NumberFormat(",", ".")
    assert detect_number_format(["1.675", "12.345"], delimiter=",") == NumberFormat(".", "")
    assert detect_number_format(["1.675", "0,5"], delimiter=",").decimal == ","
    assert detect_number_format(["1 675", "2 000 000,25"], delimiter=";") == NumberFormat(",", " ")


# --- encodings -------------------------------------------------------------------

german_text = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 ;,.-\näöüÄÖÜß")),
    min_size=1,
    max_size=200,
)


@settings(max_examples=200)
@given(text=german_text, encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_encoding_round_trip(text: str, encoding: str):
    decoded, used = decode_text(text.encode(encoding), source="t.csv")
    assert decoded == text
    if not text.isascii():
        assert used == encoding
    elif encoding == "utf-8-sig":
        assert used == "utf-8-sig"


@given(text=german_text, encoding=st.sampled_from(["utf-8", "cp1252", "latin-1"]))
def test_a_declared_encoding_is_used(text: str, encoding: str):
    assert decode_text(text.encode(encoding), source="t.csv", encoding=encoding)[0] == text


def test_bytes_fitting_no_encoding_are_refused_with_line():
    data = b"id;name\n1;Stra\xdfe\n2;\x81\x8d\n"
    with pytest.raises(ImportRefused) as info:
        decode_text(data, source="t.csv")
    text = str(info.value)
    assert "Zeile 3" in text and "0x81" in text and "--encoding" in text


def test_mixed_encodings_are_refused():
    data = "id;name\n1;Straße\n".encode() + "2;Straße\n".encode("cp1252")
    with pytest.raises(
        ImportRefused, match="mischt Zeichenkodierungen: Zeile 2 ist UTF-8, Zeile 3"
    ):
        decode_text(data, source="t.csv")


def test_binary_is_refused():
    with pytest.raises(ImportRefused, match="keine Textdatei"):
        decode_text(b"PK\x03\x04\x00\x00", source="t.csv")


def test_wrong_declared_encoding_is_refused():
    with pytest.raises(ImportRefused, match=r"Zeile 2.*in utf-8 nicht lesbar"):
        decode_text("a\nÄ\n".encode("cp1252"), source="t.csv", encoding="utf-8")


# --- delimiters, CSV files, dates ------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_delimiter_detection(delimiter: str):
    text = delimiter.join(["id", "name", "wert"]) + "\n"
    text += delimiter.join(['"01"', '"Mitte, Nord"', '"1,5"']) + "\n"
    assert detect_delimiter(text) == delimiter


def test_read_csv_keeps_ids_as_text_and_numbers_by_line(tmp_path: Path):
    path = tmp_path / "werte.csv"
    path.write_bytes(
        "\ufeffPLR_ID;Name;EW\n01100101;Stülerstraße;1.675\n\n02200202;B;12\n".encode()
    )
    table = read_csv(path)
    assert table.details == {"encoding": "utf-8-sig", "delimiter": ";"}
    assert table.frame.index.tolist() == [2, 4]
    assert table.frame["PLR_ID"].tolist() == ["01100101", "02200202"]
    assert table.frame["EW"].tolist() == ["1.675", "12"]


def test_read_csv_lists_every_ragged_line(tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text("id;a;b\n1;2;3\n2;3\n3;4;5;6\n4;5;6\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as info:
        read_csv(path)
    problems = info.value.problems
    assert [(p.row, p.message) for p in problems] == [
        (3, "hat 2 Felder, die Kopfzeile 3"),
        (4, "hat 4 Felder, die Kopfzeile 3"),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-12-31", dt.date(2020, 12, 31)),
        ("31.12.2020", dt.date(2020, 12, 31)),
        ("1.5.2021", dt.date(2021, 5, 1)),
        ("2021", dt.date(2021, 12, 31)),
        (2021, dt.date(2021, 12, 31)),
        ("2020-06", dt.date(2020, 6, 30)),
        ("202002", dt.date(2020, 2, 29)),
        (dt.datetime(2020, 1, 2, 3, 4), dt.date(2020, 1, 2)),
    ],
)
def test_parse_date(value: object, expected: dt.date):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31.13.2020", "gestern", "2020-13", "20201"])
def test_parse_date_refuses(value: str):
    with pytest.raises(ValueError):
        parse_date(value)
