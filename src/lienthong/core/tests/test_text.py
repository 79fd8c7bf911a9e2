"""Vietnamese folding and collation (core/text.py)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lienthong.core.text import collation_key, fold, fold_terms


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Tỉnh ủy Hà Nội", "tinh uy ha noi"),
        ("ĐẢNG ỦY  phường\tĐống Đa", "dang uy phuong dong da"),
        ("Nghệ An", "nghe an"),
        ("Thừa Thiên Huế", "thua thien hue"),
    ],
)
def test_fold(text, folded):
    """GIVEN Vietnamese text WHEN folded THEN marks, đ and case are gone, spaces collapsed."""
    assert fold(text) == folded


def test_fold_is_the_same_for_nfc_and_nfd():
    """GIVEN text typed as NFD (some Windows keyboards) THEN it folds like NFC."""
    text = "Tỉnh ủy Hà Nội"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)


def test_fold_terms_drops_blanks():
    assert fold_terms("  tinh   UY ") == ["tinh", "uy"]


def test_collation_follows_the_vietnamese_alphabet():
    """GIVEN words WHEN sorted by collation_key THEN đ after d, ă â after a, ư after u,
    and tones only break ties in the order ngang, huyền, hỏi, ngã, sắc, nặng."""
    words = ["Đào", "Dương", "Ư", "Uyên", "ă", "â", "b", "An", "Anh", "An Bình"]
    assert sorted(words, key=collation_key) == [
        "An",
        "An Bình",
        "Anh",
        "ă",
        "â",
        "b",
        "Dương",
        "Đào",
        "Uyên",
        "Ư",
    ]
    tones = ["ạ", "á", "ã", "ả", "à", "a"]
    assert sorted(tones, key=collation_key) == ["a", "à", "ả", "ã", "á", "ạ"]
    # Tones are secondary: "Bá" comes before "Bao" although "á" > "a".
    assert sorted(["Bao", "Bá"], key=collation_key) == ["Bá", "Bao"]


def test_collation_ignores_case_and_punctuation():
    assert collation_key("Hà Nội") == collation_key("hà  nội") == collation_key("Hà-Nội")


@given(st.lists(st.text(alphabet="aăâbdđeêouươôAĐ àáảãạ", max_size=8), max_size=12))
def test_collation_key_is_ascii_letters_and_a_total_order(words):
    """Keys use only a-z (safe under any database collation) and sorting is stable."""
    keys = [collation_key(w) for w in words]
    assert all(k.isascii() and (k.isalpha() or k == "") for k in keys)
    once = sorted(words, key=collation_key)
    assert sorted(once, key=collation_key) == once
