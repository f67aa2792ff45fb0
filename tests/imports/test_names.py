"""The normal form of district names: properties over German-looking names."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from monitoring.imports.names import merged_parts, name_key, plain_key

LETTERS = "abcdefghijklmnopqrstuvwxyzäöüßABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ"
WORD = st.text(alphabet=LETTERS, min_size=1, max_size=10)
NAMES = st.lists(WORD, min_size=1, max_size=4)
SEPARATORS = st.sampled_from([" ", "  ", "-", " - ", "–", "/", ". ", "\t"])


@given(NAMES, SEPARATORS)
def test_separators_and_case_do_not_matter(words: list[str], sep: str):
    name = " ".join(words)
    assert name_key(sep.join(words)) == name_key(name)
    assert name_key(name.upper()) == name_key(name) == name_key(f"  {name.lower()} ")


@given(NAMES)
def test_normal_forms_are_stable(words: list[str]):
    name = " ".join(words)
    assert name_key(name_key(name)) == name_key(name)
    assert plain_key(plain_key(name)) == plain_key(name)
    assert name_key(name).isascii() and plain_key(name).isascii()


@given(NAMES, NAMES)
def test_two_names_joined_by_und_are_two_parts(a: list[str], b: list[str]):
    first, second = " ".join(a), " ".join(b)
    if "und" in {w.casefold() for w in a + b}:
        return
    assert merged_parts(f"{first} und {second}") == [first, second]
