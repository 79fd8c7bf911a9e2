"""Text analysis for document search: tokens, folding, document numbers (issue #4, scope 7).

Every backend indexes the text twice (vn-rules.md §1.2 and issue #4 scope 7):

- **exact**: NFC-normalised, lower-cased, diacritics kept ("đảng");
- **folded**: ``core.text.fold`` — tones and marks removed, đ → d ("dang").

A query is analysed by the same functions, so the index and the query always agree; the
tantivy backend indexes the tokens joined by spaces with tantivy's ``whitespace``
tokenizer, which keeps this module the single source of truth.

Document numbers ("12-NQ/TU" of the Party, HD 36; "15/QĐ-UBND" of the State, NĐ 30
Điều 15) are structured tokens: ``number_key`` turns one into a single keyword
("12-nq/tu") that a query typed as a number matches whole, never by its pieces.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from lienthong.core.text import fold

if TYPE_CHECKING:
    from lienthong.documents.models import Document

__all__ = [
    "MAX_TOKEN_LENGTH",
    "ParsedQuery",
    "SearchRecord",
    "exact_form",
    "exact_tokens",
    "folded_tokens",
    "is_number",
    "number_key",
    "number_parts",
    "parse_query",
    "record_from_document",
]

#: Longer tokens are dropped (tantivy's own limit is 40 bytes; a base64 blob is no word).
MAX_TOKEN_LENGTH = 40

_WORD = re.compile(r"\w+")
# "12-NQ/TU", "66-QĐ/TW", "15/QĐ-UBND", "05/UBND-VP", "123-CV/TU", "12/2024/NĐ-CP":
# a number, a dash or slash, then a notation that starts with a letter or a year.
_NUMBER = re.compile(r"^(\d{1,7})([-/])(\w[\w.]*(?:[-/]\w[\w.]*)*)$")


def exact_form(text: str) -> str:
    """NFC-normalised, lower-cased ``text`` with its diacritics (the exact form)."""
    return unicodedata.normalize("NFC", text).casefold()


def exact_tokens(text: str) -> list[str]:
    """Split ``text`` into exact-form words (letters and digits; punctuation splits).

    Args:
        text: any Unicode text.

    Returns:
        The words, lower-cased and NFC, longer than nothing and at most 40 characters.
    """
    return [w for w in _WORD.findall(exact_form(text)) if len(w) <= MAX_TOKEN_LENGTH]


def folded_tokens(text: str) -> list[str]:
    """Split ``text`` into folded words ("Đảng ủy" → ["dang", "uy"])."""
    return [w for w in (fold(t) for t in exact_tokens(text)) if w]


def number_parts(text: str) -> tuple[int, str, str] | None:
    """Read a document number typed by a person.

    Args:
        text: "12-NQ/TU", "Số: 15/QĐ-UBND" is not a number (the "Số:" is a word), "5/UBND-VP".

    Returns:
        (number, separator, notation) or None when ``text`` does not look like a number.
    """
    match = _NUMBER.match(unicodedata.normalize("NFC", text.strip()))
    if match is None:
        return None
    return int(match.group(1)), match.group(2), match.group(3)


def is_number(text: str) -> bool:
    """Tell whether ``text`` looks like a document number ("12-NQ/TU")."""
    return number_parts(text) is not None


def number_key(text: str) -> str:
    """The keyword a document number is indexed and searched by.

    The number is zero-padded below 10 as it is printed (vn-rules.md §1.2, §2.4), so "5/UBND-VP"
    finds "05/UBND-VP"; the notation is lower-cased, NFC, diacritics kept.

    Args:
        text: a number as displayed ("12-NQ/TU") or typed.

    Returns:
        "12-nq/tu", or "" when ``text`` is not a number.
    """
    parts = number_parts(text)
    if parts is None:
        return ""
    number, separator, notation = parts
    return f"{number:02d}{separator}{exact_form(notation)}"


@dataclass(frozen=True)
class ParsedQuery:
    """A search query split into document numbers and words."""

    numbers: tuple[str, ...]
    """Number keys ("12-nq/tu") of the chunks typed as document numbers."""
    exact: tuple[str, ...]
    """The other words, exact form, in order, without duplicates."""
    folded: tuple[str, ...]
    """The folded form of each word of ``exact`` (same length, same order)."""

    @property
    def is_empty(self) -> bool:
        """Nothing to search for (only filters apply)."""
        return not self.numbers and not self.exact


def parse_query(query: str) -> ParsedQuery:
    """Analyse what a person typed.

    Args:
        query: e.g. "quyet dinh ban hanh quy che" or "12-NQ/TU tổ chức".

    Returns:
        The numbers (matched whole) and the words (matched exact or folded).
    """
    numbers: list[str] = []
    words: list[str] = []
    for chunk in (query or "").split():
        key = number_key(chunk.rstrip(",.;:"))
        if key:
            if key not in numbers:
                numbers.append(key)
            continue
        for word in exact_tokens(chunk):
            if word not in words:
                words.append(word)
    return ParsedQuery(
        numbers=tuple(numbers), exact=tuple(words), folded=tuple(fold(w) or w for w in words)
    )


@dataclass(frozen=True)
class SearchRecord:
    """What the search index holds about one document (plain values, no ORM object).

    The benchmark builds these straight from generated data; ``record_from_document``
    builds them from a ``Document``.
    """

    id: int
    """The document's primary key."""
    unit_id: int
    """The owning unit: the permission scope (issue #4 scope 7, "inside the query")."""
    document_type_id: int
    """The type (Nghị quyết, Công văn…), for the type filter."""
    state: str
    """``DocumentState`` value."""
    direction: str
    """``Direction`` value."""
    classification: int
    """``Clearance`` value (0 = not classified)."""
    day: dt.date
    """The date of the document, or the day it was created when it has no date yet."""
    number: str
    """The number as displayed ("12-NQ/TU"), or ""."""
    subject: str
    """Trích yếu."""
    signer: str
    """Signer's name and position."""
    issuer: str
    """The issuing body as the document names it."""
    body: str
    """The body written in lienthong and the text layer of its PDF (``text_content``)."""


def _join(parts: Iterable[str]) -> str:
    return "\n".join(p for p in parts if p)


def record_from_document(document: Document) -> SearchRecord:
    """Build the index record of ``document``.

    Args:
        document: a saved document.

    Returns:
        Its ``SearchRecord``.
    """
    created = document.created_at
    day = document.issued_date or (timezone.localdate(created) if created else timezone.localdate())
    return SearchRecord(
        id=document.pk,
        unit_id=document.unit_id,
        document_type_id=document.document_type_id,
        state=document.state,
        direction=document.direction,
        classification=int(document.classification),
        day=day,
        number=document.number_display,
        subject=document.subject,
        signer=_join([document.signer_name, document.signer_position]),
        issuer=document.issuer_name,
        body=_join([document.body, document.text_content]),
    )
