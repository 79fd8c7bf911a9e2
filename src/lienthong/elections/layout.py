"""The geometry of a printed ballot, in millimetres (issue #6 scopes 2 and 4).

One pure function, ``ballot_layout``, decides the page size, where the four registration
marks go and the rectangle of every row and box. The ballot template positions
everything absolutely from it, and the scanner (``elections.omr``) reads each row at the
same place: neither guesses where the other put anything.

The sheet is chosen by the number of names (vote-rules.md §A1: every name of the
approved list is printed, one per line, in ballot order):

- A5 portrait, one column, up to ``A5_MAX`` names;
- A4 portrait, one column, up to ``A4_MAX`` names;
- A4 portrait, two columns (the provincial congress: 65 candidates for 55 seats), up to
  ``MAX_NAMES``. A ballot is one sheet: more names raise ``ValueError``.

Nothing in the layout depends on anything but the number of names and the form, so
every copy of a round's ballot is the same (§B6: nothing may tell one ballot from
another).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "A4_MAX",
    "A5_MAX",
    "MARK_SIZE",
    "MAX_NAMES",
    "BallotLayout",
    "Rect",
    "Row",
    "ballot_layout",
]

#: Side of a registration mark (a solid black square), mm.
MARK_SIZE = 6.0
#: Distance of each mark from the two nearest page edges, mm (inside any printer's margin).
MARK_INSET = 8.0
#: Left and right edges of the content, mm from the page's sides.
SIDE = 12.0
#: Where the column headings start, mm from the top (the header is above).
TABLE_TOP = 58.0
#: Clear space kept above the bottom marks, mm.
BOTTOM = 17.0
HEADING_HEIGHT = 7.0
A5_MAX = 15
A4_MAX = 26
MAX_NAMES = 78
PAGES = {"A5": (148.0, 210.0), "A4": (210.0, 297.0)}


@dataclass(frozen=True)
class Rect:
    """A rectangle on the page, mm from the top-left corner."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def inset(self, margin: float) -> Rect:
        """The rectangle shrunk by ``margin`` on every side (grown if negative)."""
        return Rect(self.x + margin, self.y + margin, self.w - 2 * margin, self.h - 2 * margin)

    def px(self, scale: float) -> tuple[int, int, int, int]:
        """``(x0, y0, x1, y1)`` in pixels at ``scale`` pixels per mm (x1, y1 excluded)."""
        return (
            round(self.x * scale),
            round(self.y * scale),
            round(self.right * scale),
            round(self.bottom * scale),
        )


@dataclass(frozen=True)
class Row:
    """One name's line: the number cell, the name cell and, on a ballot without surplus,
    the agree and disagree boxes (§A1: "STT | Họ và tên | Đồng ý | Không đồng ý")."""

    number: int
    name: str
    rect: Rect
    """The whole line, number cell to the last box."""
    number_cell: Rect
    name_cell: Rect
    agree: Rect | None = None
    disagree: Rect | None = None


@dataclass(frozen=True)
class BallotLayout:
    """Where everything is on a ballot; every length in mm."""

    page: str
    """"A5" or "A4" (portrait)."""
    width: float
    height: float
    boxes: bool
    """Agree/disagree boxes (as many names as seats) rather than strike-out (§A1)."""
    columns: int
    row_height: float
    font_pt: float
    marks: tuple[Rect, Rect, Rect, Rect]
    """Top-left, top-right, bottom-right, bottom-left (clockwise)."""
    stamp: Rect
    """The place of the convening committee's stamp, top left (244 Art. 17.1)."""
    headings: tuple[Row, ...]
    """The column headings' line of each column (``number`` 0, ``name`` "")."""
    rows: tuple[Row, ...]
    body: Rect
    """From the column headings to above the bottom marks, 6 mm from the page's sides:
    where any ink other than the strokes and crosses on the rows is an extra mark (§A2)
    for the board to look at."""

    @property
    def size(self) -> str:
        """The CSS ``@page`` size."""
        return f"{self.width:g}mm {self.height:g}mm"


def _columns(n: int) -> tuple[str, int, float]:
    """(page, columns, row height) for ``n`` names."""
    if n <= A5_MAX:
        page, columns = "A5", 1
    elif n <= A4_MAX:
        page, columns = "A4", 1
    else:
        page, columns = "A4", 2
    height = PAGES[page][1]
    per_column = math.ceil(n / columns)
    room = height - BOTTOM - TABLE_TOP - HEADING_HEIGHT
    # Rounded down to half a millimetre so that the geometry stays readable by hand.
    row_height = min(10.0, math.floor(room / per_column * 2) / 2)
    return page, columns, row_height


def ballot_layout(names: Sequence[str], seats: int) -> BallotLayout:
    """The layout of a round's ballot.

    Args:
        names: the names in ballot order (``collation.ballot_order``).
        seats: how many to elect; as many names as seats gives the agree/disagree form
            (§A1), more names the strike-out form.

    Raises:
        ValueError: no names, no seat, or more names than one sheet holds (``MAX_NAMES``).
    """
    n = len(names)
    if n < 1 or seats < 1:
        raise ValueError("a ballot needs names and at least one seat")
    if n > MAX_NAMES:
        raise ValueError(f"a ballot holds at most {MAX_NAMES} names on one sheet")
    boxes = n == seats
    page, columns, row_height = _columns(n)
    width, height = PAGES[page]
    font_pt = (
        12.0 if row_height >= 8 else 11.0 if row_height >= 7 else 10.0 if row_height >= 6 else 9.0
    )
    m, inset = MARK_SIZE, MARK_INSET
    marks = (
        Rect(inset, inset, m, m),
        Rect(width - inset - m, inset, m, m),
        Rect(width - inset - m, height - inset - m, m, m),
        Rect(inset, height - inset - m, m, m),
    )
    gap = 6.0
    column_width = (width - 2 * SIDE - gap * (columns - 1)) / columns
    number_width = 10.0 if columns == 1 else 8.0
    box_width = (22.0 if columns == 1 else 16.0) if boxes else 0.0
    per_column = math.ceil(n / columns)

    def line(x: float, y: float, h: float, number: int, name: str) -> Row:
        name_width = column_width - number_width - 2 * box_width
        name_x = x + number_width
        agree = Rect(name_x + name_width, y, box_width, h) if boxes else None
        disagree = Rect(name_x + name_width + box_width, y, box_width, h) if boxes else None
        return Row(
            number=number,
            name=name,
            rect=Rect(x, y, column_width, h),
            number_cell=Rect(x, y, number_width, h),
            name_cell=Rect(name_x, y, name_width, h),
            agree=agree,
            disagree=disagree,
        )

    headings = []
    rows = []
    for column in range(columns):
        x = SIDE + column * (column_width + gap)
        headings.append(line(x, TABLE_TOP, HEADING_HEIGHT, 0, ""))
        for index in range(per_column):
            number = column * per_column + index + 1
            if number > n:
                break
            y = TABLE_TOP + HEADING_HEIGHT + index * row_height
            rows.append(line(x, y, row_height, number, names[number - 1]))
    body = Rect(6.0, TABLE_TOP - 2, width - 12.0, height - BOTTOM - TABLE_TOP + 2)
    return BallotLayout(
        page=page,
        width=width,
        height=height,
        boxes=boxes,
        columns=columns,
        row_height=row_height,
        font_pt=font_pt,
        marks=marks,
        stamp=Rect(17.0, 9.0, 34.0, 18.0),
        headings=tuple(headings),
        rows=tuple(rows),
        body=body,
    )
