"""Printable ballots (issue #6 scope 2; vote-rules.md §A1, §B6).

The ballot lists the round's names in ballot order with their number (STT), under the
congress's name, the election and the round, with the place of the convening
committee's stamp at the top left (244 Art. 17.1 / 190 Art. 15). Two forms:

- **strike-out** (the list has a surplus): the voter crosses out the full name of
  each person they do not elect;
- **agree / disagree boxes** (as many names as seats): an X in one of the two boxes.

Everything is placed absolutely, in mm, from ``layout.ballot_layout``: A5 for a few
names, A4 for more, A4 in two columns for a provincial list (up to 78 names). Four solid
squares in the corners are registration marks for scanning (deskew and scale); the
scanner (``omr``) finds each line where the same layout puts it. Every copy is the
same: no serial number or other mark tells one ballot from another, so no ballot can be
linked to a voter (§B6).
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from lienthong.elections.layout import BallotLayout, Rect, ballot_layout

__all__ = ["ballot_pdf"]

#: Half the width of a table line, mm: a cell's border is centred on the layout's edge,
#: so the borders of two neighbouring cells fall on each other.
_HALF_LINE = 0.15


def _box(rect: Rect, *, line: float = 0.0) -> str:
    """The CSS placing ``rect`` (mm), grown by ``line`` on every side."""
    return (
        f"left: {rect.x - line:.2f}mm; top: {rect.y - line:.2f}mm; "
        f"width: {rect.w + 2 * line:.2f}mm; height: {rect.h + 2 * line:.2f}mm;"
    )


def _cells(layout: BallotLayout) -> list[dict[str, Any]]:
    """Every table cell of the ballot, with its CSS position and its text."""
    cells: list[dict[str, Any]] = []

    def cell(rect: Rect, kind: str, text: str) -> None:
        style = _box(rect, line=_HALF_LINE)
        if kind != "head":
            style += f" line-height: {rect.h - 2 * _HALF_LINE:.2f}mm;"
        cells.append({"kind": kind, "style": style, "text": text})

    for heading in layout.headings:
        cell(heading.number_cell, "head", "STT")
        cell(heading.name_cell, "head", "Họ và tên")
        if heading.agree and heading.disagree:
            cell(heading.agree, "head", "Đồng ý")
            cell(heading.disagree, "head", "Không đồng ý")
    for row in layout.rows:
        cell(row.number_cell, "no", str(row.number))
        cell(row.name_cell, "name", row.name)
        if row.agree and row.disagree:
            cell(row.agree, "box", "")
            cell(row.disagree, "box", "")
    return cells


def ballot_pdf(
    *,
    congress: str,
    election: str,
    round_number: int,
    names: list[str],
    seats: int,
    copies: int = 1,
) -> bytes:
    """The ballot of a round as a PDF of ``copies`` identical pages.

    The page (A5, A4, A4 in two columns) and every position on it come from
    ``layout.ballot_layout(names, seats)``, which the scanner (``omr``) reads by.

    Args:
        congress: the congress's name ("Đại hội đại biểu Đảng bộ tỉnh … lần thứ …").
        election: what is elected ("Bầu Ban Chấp hành Đảng bộ tỉnh khóa …").
        round_number: lần bầu.
        names: the names, in ballot order (``collation.ballot_order``), at most
            ``layout.MAX_NAMES``.
        seats: how many to elect.
        copies: pages to print (1-1000).

    Raises:
        ValueError: no names, no seat, too many names for one sheet, or copies out of range.
    """
    import weasyprint  # type: ignore[import-untyped]

    from lienthong.documents.registers import font_faces

    if not names or seats < 1 or not 1 <= copies <= 1000:
        raise ValueError("a ballot needs names, at least one seat and 1-1000 copies")
    layout = ballot_layout(names, seats)
    right = layout.width - 12.0
    html = render_to_string(
        "elections/ballot.html",
        {
            "font_faces": font_faces(),
            "layout": layout,
            # A hair under the page, so that no section spills onto a page of its own.
            # Numbers go in as text: the template would print them with the locale's comma.
            "width": f"{layout.width:g}",
            "height": f"{layout.height - 0.2:g}",
            "font_pt": f"{layout.font_pt:g}",
            "marks": [_box(mark) for mark in layout.marks],
            "stamp": _box(layout.stamp),
            "title": _box(Rect(53.0, 14.0, right - 53.0, 10.0)),
            "election_box": _box(Rect(12.0, 29.0, layout.width - 24.0, 10.0)),
            "congress_box": _box(Rect(12.0, 39.5, layout.width - 24.0, 9.0)),
            "howto_box": _box(Rect(12.0, 48.5, layout.width - 24.0, 9.0)),
            "cells": _cells(layout),
            "congress": congress,
            "election": election,
            "round_number": round_number,
            "seats": seats,
            "copies": range(copies),
        },
    )
    data: bytes = weasyprint.HTML(string=html).write_pdf()
    return data
