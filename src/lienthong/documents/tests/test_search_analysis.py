"""Tokens, folding and document numbers for search (issue #4, scope 7)."""

from __future__ import annotations

import pytest

from lienthong.documents.search.analysis import (
    exact_tokens,
    folded_tokens,
    number_key,
    parse_query,
)


def test_exact_tokens_keep_diacritics_and_fold_drops_them() -> None:
    """GIVEN a title in NFD with capitals WHEN analysed
    THEN exact tokens are NFC lower case with marks; folded ones have none and đ → d."""
    text = "Quyết định\u0301 về ĐẢNG".replace("\u0301", "")
    decomposed = "ĐẢNG ủy".encode().decode()
    import unicodedata

    assert exact_tokens(text) == ["quyết", "định", "về", "đảng"]
    assert exact_tokens(unicodedata.normalize("NFD", decomposed)) == ["đảng", "ủy"]
    assert folded_tokens(text) == ["quyet", "dinh", "ve", "dang"]


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("12-NQ/TU", "12-nq/tu"),
        ("66-QĐ/TW", "66-qđ/tw"),
        ("15/QĐ-UBND", "15/qđ-ubnd"),
        ("5/UBND-VP", "05/ubnd-vp"),
        ("123-CV/TU", "123-cv/tu"),
        ("quyết", ""),
        ("2025", ""),
        ("Số:", ""),
    ],
)
def test_number_key(typed: str, key: str) -> None:
    """GIVEN what a person typed WHEN read as a document number
    THEN it becomes one keyword, zero-padded below 10, or "" when it is no number."""
    assert number_key(typed) == key


def test_parse_query_splits_numbers_from_words() -> None:
    """GIVEN "Số 12-NQ/TU, Đảng bộ" WHEN parsed
    THEN the number is kept whole and the words come exact and folded, without duplicates."""
    parsed = parse_query("Số 12-NQ/TU, Đảng bộ đảng")

    assert parsed.numbers == ("12-nq/tu",)
    assert parsed.exact == ("số", "đảng", "bộ")
    assert parsed.folded == ("so", "dang", "bo")
    assert parse_query("  ").is_empty
