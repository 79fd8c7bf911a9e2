"""Vietnamese text helpers: folding for search, collation keys for sorting.

``fold("Tỉnh ủy Hà Nội") == "tinh uy ha noi"``: diacritics dropped, đ → d, lower case,
runs of white space collapsed. Search compares folded forms, so a person may type with or
without diacritics (issue #2, page shell).
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_DD = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Fold ``text`` for diacritic-insensitive matching.

    Args:
        text: any Unicode text (NFC or NFD).

    Returns:
        Lower-case ASCII-like text with Vietnamese marks removed and spaces collapsed.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_DD))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACE.sub(" ", stripped.casefold()).strip()


def fold_terms(query: str) -> list[str]:
    """Split a search query into folded terms (empty terms dropped)."""
    return [term for term in fold(query).split(" ") if term]
