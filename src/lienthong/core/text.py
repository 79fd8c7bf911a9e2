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


# Vietnamese alphabetical order (with the foreign letters f, j, w, z where Latin puts
# them): đ after d, ă and â after a, ư after u… Tones are a secondary key in dictionary
# order: ngang, huyền, hỏi, ngã, sắc, nặng (as CLDR's "vi" collation).
_ALPHABET = "0123456789aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {ch: i + 1 for i, ch in enumerate(_ALPHABET)}  # 0 is the word separator
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Letters made by a breve, circumflex or horn on a base letter.
_SHAPED = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}


def _code(rank: int) -> str:
    return chr(97 + rank // 26) + chr(97 + rank % 26)


def collation_key(text: str) -> str:
    """A key that sorts Vietnamese text in dictionary order with a plain string sort.

    "Đảng" sorts after "Dũng", "Ư" after "U"; tones break ties only (secondary key);
    case and punctuation are ignored. The key uses only the letters a-z, so it sorts
    the same under bytewise (SQLite) and linguistic (PostgreSQL) collations, and can be
    stored in an indexed column.

    Args:
        text: any Unicode text.

    Returns:
        The key: primary letters, a separator, then one tone letter per letter.
    """
    primary: list[str] = []
    tones: list[str] = []
    previous_was_separator = True
    for cluster in _clusters(unicodedata.normalize("NFD", text.casefold())):
        base, marks = cluster[0], cluster[1:]
        if base == "đ":
            letter = "đ"
        elif base.isalnum() and base.isascii():
            letter = base
            for mark in marks:
                letter = _SHAPED.get((base, mark), letter)
        else:
            letter = ""
        if letter not in _RANK:
            if not previous_was_separator:
                primary.append(_code(0))
                previous_was_separator = True
            continue
        primary.append(_code(_RANK[letter]))
        tones.append(chr(97 + max((_TONES.get(m, 0) for m in marks), default=0)))
        previous_was_separator = False
    while primary and primary[-1] == _code(0):
        primary.pop()
    return "".join(primary) + _code(0) + "".join(tones)


def _clusters(decomposed: str) -> list[str]:
    clusters: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch) and clusters:
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters
