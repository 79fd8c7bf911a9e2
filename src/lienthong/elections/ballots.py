"""Printable ballots (issue #6 scope 2; vote-rules.md §A1, §B6).

The ballot lists the round's names in ballot order with their number (STT), under the
congress's name, the election and the round, with the place of the convening
committee's stamp at the top left (244 Art. 17.1 / 190 Art. 15). Two forms:

- **strike-out** (the list has a surplus): the voter crosses out the full name of
  each person they do not elect;
- **agree / disagree boxes** (as many names as seats): an X in one of the two boxes.

Four solid squares in the corners are registration marks for scanning (deskew and
scale). Every copy is the same: no serial number or other mark tells one ballot from
another, so no ballot can be linked to a voter (§B6).
"""

from __future__ import annotations

from django.template.loader import render_to_string

__all__ = ["ballot_pdf"]


def ballot_pdf(
    *,
    congress: str,
    election: str,
    round_number: int,
    names: list[str],
    seats: int,
    copies: int = 1,
) -> bytes:
    """The ballot of a round as a PDF of ``copies`` identical A5 pages.

    Args:
        congress: the congress's name ("Đại hội đại biểu Đảng bộ tỉnh … lần thứ …").
        election: what is elected ("Bầu Ban Chấp hành Đảng bộ tỉnh khóa …").
        round_number: lần bầu.
        names: the names, in ballot order (``collation.ballot_order``).
        seats: how many to elect.
        copies: pages to print (1-1000).
    """
    import weasyprint  # type: ignore[import-untyped]

    from lienthong.documents.registers import font_faces

    if not names or seats < 1 or not 1 <= copies <= 1000:
        raise ValueError("a ballot needs names, at least one seat and 1-1000 copies")
    html = render_to_string(
        "elections/ballot.html",
        {
            "font_faces": font_faces(),
            "congress": congress,
            "election": election,
            "round_number": round_number,
            "rows": list(enumerate(names, start=1)),
            "seats": seats,
            "boxes": len(names) == seats,
            "copies": range(copies),
        },
    )
    data: bytes = weasyprint.HTML(string=html).write_pdf()
    return data
