"""The dashboard's pictures, drawn on the server (issue #8 scope 6): horizontal bar charts
and a tile grid map of the provinces, as plain geometry the templates write out as SVG.

No JavaScript and no inline ``style=`` (CSP): every number the SVG needs is computed
here, already written as text (so the page's locale never puts a decimal comma into an
SVG attribute), and colours are SVG presentation attributes.

The map is a tile grid, not a choropleth of boundaries: no openly licensed boundary data
of the 34 provinces formed on 01/07/2025 is available to this project offline, so each
province is a square placed by hand at its approximate position (``PROVINCE_GRID``),
rows from north to south.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.formats import number_format

from lienthong.core.text import fold

__all__ = [
    "PROVINCE_GRID",
    "SHARE_COLOURS",
    "BarChart",
    "Tile",
    "TileMap",
    "bar_chart",
    "grid_position",
    "percent_text",
    "share_step",
    "tile_map",
]


def percent_text(counted: int, out_of: int | None) -> str | None:
    """A share as the page writes it: "56 %", "33,3 %" (the locale's decimal mark).

    Whole percentages have no decimals; a share that is not all (or not nothing) never
    rounds to "100 %" (or "0 %"). None when ``out_of`` is None or 0.
    """
    if not out_of:
        return None
    percent = round(counted * 100 / out_of, 1)
    if counted < out_of:
        percent = min(percent, 99.9)
    if counted > 0:
        percent = max(percent, 0.1)
    if percent == int(percent):
        return f"{int(percent)} %"
    return f"{number_format(percent, decimal_pos=1)} %"


def _num(value: float) -> str:
    """A number for an SVG attribute: a dot, at most one decimal."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- Bar charts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One bar: its label, the numbers, and where it is drawn."""

    name: str
    label: str
    counted: int
    out_of: int | None
    value_text: str
    y: str
    text_y: str
    width: str


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart: one bar per part; shares when ``shares``, else counts."""

    shares: bool
    width: str
    height: str
    print_width: str
    print_height: str
    label_width: str
    bar_x: str
    bar_height: str
    track_width: str
    value_x: str
    bars: list[Bar] = field(default_factory=list)


BAR_HEIGHT = 16
BAR_GAP = 8
LABEL_WIDTH = 190
TRACK_WIDTH = 240
VALUE_WIDTH = 120
#: A chart's width on an A4 page of the PDF.
PRINT_CHART_WIDTH_MM = 105


def bar_chart(parts: Sequence[tuple[str, int, int | None]]) -> BarChart:
    """The chart of a figure's parts: ``(name, counted, out_of)``.

    When every part has an ``out_of`` the bars are shares (full length is 100 %), with
    "40 % (4 / 10)" beside each; otherwise they are counts scaled to the largest.
    """
    shares = bool(parts) and all(out_of is not None for _name, _counted, out_of in parts)
    largest = max((counted for _name, counted, _out_of in parts), default=0)
    bars: list[Bar] = []
    step = BAR_HEIGHT + BAR_GAP
    for index, (name, counted, out_of) in enumerate(parts):
        if shares:
            fraction = counted / out_of if out_of else 0.0
            text = percent_text(counted, out_of) or "—"
            value_text = f"{text} ({counted} / {out_of})"
        else:
            fraction = counted / largest if largest else 0.0
            value_text = str(counted)
        y = BAR_GAP / 2 + index * step
        bars.append(
            Bar(
                name=name,
                label=_short(name, 30),
                counted=counted,
                out_of=out_of,
                value_text=value_text,
                y=_num(y),
                text_y=_num(y + BAR_HEIGHT * 0.75),
                width=_num(max(0.0, min(1.0, fraction)) * TRACK_WIDTH),
            )
        )
    width = LABEL_WIDTH + TRACK_WIDTH + VALUE_WIDTH + 10
    height = max(1, len(parts)) * step
    return BarChart(
        shares=shares,
        width=_num(width),
        height=_num(height),
        print_width=f"{_num(PRINT_CHART_WIDTH_MM)}mm",
        print_height=f"{_num(PRINT_CHART_WIDTH_MM * height / width)}mm",
        label_width=_num(LABEL_WIDTH - 6),
        bar_x=_num(LABEL_WIDTH),
        bar_height=_num(BAR_HEIGHT),
        track_width=_num(TRACK_WIDTH),
        value_x=_num(LABEL_WIDTH + TRACK_WIDTH + 6),
        bars=bars,
    )


# --- The tile grid map of the provinces -------------------------------------------------

#: The 34 provinces and centrally-run cities since 01/07/2025 (the vietnam-provinces
#: package's codes), each at (row, column) of a hand-made grid: rows north to south,
#: columns west to east. Approximate by design: neighbours stay neighbours.
PROVINCE_GRID: dict[str, tuple[int, int, int]] = {
    # name: (province code, row, column)
    "Lai Châu": (12, 0, 1),
    "Lào Cai": (15, 0, 2),
    "Tuyên Quang": (8, 0, 3),
    "Cao Bằng": (4, 0, 4),
    "Điện Biên": (11, 1, 0),
    "Sơn La": (14, 1, 1),
    "Phú Thọ": (25, 1, 2),
    "Thái Nguyên": (19, 1, 3),
    "Lạng Sơn": (20, 1, 4),
    "Hà Nội": (1, 2, 2),
    "Bắc Ninh": (24, 2, 3),
    "Quảng Ninh": (22, 2, 4),
    "Ninh Bình": (37, 3, 2),
    "Hưng Yên": (33, 3, 3),
    "Hải Phòng": (31, 3, 4),
    "Thanh Hóa": (38, 4, 2),
    "Nghệ An": (40, 5, 2),
    "Hà Tĩnh": (42, 6, 3),
    "Quảng Trị": (44, 7, 3),
    "Huế": (46, 8, 4),
    "Đà Nẵng": (48, 9, 4),
    "Quảng Ngãi": (51, 10, 4),
    "Gia Lai": (52, 11, 4),
    "Đắk Lắk": (66, 12, 4),
    "Lâm Đồng": (68, 13, 3),
    "Khánh Hòa": (56, 13, 4),
    "Tây Ninh": (80, 14, 2),
    "Đồng Nai": (75, 14, 3),
    "An Giang": (91, 15, 1),
    "Đồng Tháp": (82, 15, 2),
    "Hồ Chí Minh": (79, 15, 3),
    "Cần Thơ": (92, 16, 2),
    "Vĩnh Long": (86, 16, 3),
    "Cà Mau": (96, 17, 1),
}

_BY_CODE = {code: name for name, (code, _row, _col) in PROVINCE_GRID.items()}
_BY_FOLDED = [(re.compile(rf"\b{re.escape(fold(name))}$"), name) for name in PROVINCE_GRID]
_SOURCE_KEY = re.compile(r"^vn:p:(\d+)$")

#: Five steps of the share of communes connected (ColorBrewer YlGnBu, colour-blind
#: safe), each with the text colour that reads on it.
SHARE_COLOURS: tuple[tuple[str, str], ...] = (
    ("#ffffcc", "#1a202c"),
    ("#a1dab4", "#1a202c"),
    ("#41b6c4", "#1a202c"),
    ("#2c7fb8", "#ffffff"),
    ("#253494", "#ffffff"),
)
NO_DATA_COLOUR = ("#e5e7eb", "#1a202c")
TILE = 64
TILE_GAP = 4
MAP_MARGIN = 2
#: The map's height on an A4 page of the PDF (the grid is tall: Vietnam is).
PRINT_HEIGHT_MM = 195


def grid_position(name: str, source_key: str | None = None) -> str | None:
    """The grid's name for a provincial committee: by its ``source_key`` ("vn:p:40",
    from ``lienthong load_units``), else by the end of its folded name ("Tỉnh ủy Nghệ
    An"). None when it is not one of the 34."""
    match = _SOURCE_KEY.match(source_key or "")
    if match and int(match.group(1)) in _BY_CODE:
        return _BY_CODE[int(match.group(1))]
    folded = fold(name).strip()
    for pattern, grid_name in _BY_FOLDED:
        if pattern.search(folded):
            return grid_name
    return None


def share_step(counted: int, out_of: int) -> int:
    """The colour step (0-4) of a share: 0-20 %, 20-40 %, … 80-100 % (a share on a
    boundary goes to the higher step)."""
    return min(4, math.floor(counted * 5 / out_of)) if out_of else 0


@dataclass(frozen=True)
class ProvinceShare:
    """A province's communes connected, for a tile and the table beside the map."""

    pk: int
    name: str
    counted: int | None
    out_of: int | None
    percent: str | None
    href: str = ""


@dataclass(frozen=True)
class Tile:
    """One square of the map; ``province`` is None for a place outside the view."""

    x: str
    y: str
    size: str
    label_x: str
    label_y: str
    share_y: str
    label: str
    label_length: str | None
    fill: str
    text_fill: str
    province: ProvinceShare | None


@dataclass(frozen=True)
class TileMap:
    """The tile grid map, its legend and the provinces it could not place."""

    width: str
    height: str
    print_width: str
    print_height: str
    tiles: list[Tile]
    legend: list[tuple[str, str]]
    provinces: list[ProvinceShare]
    unplaced: list[ProvinceShare]


def _legend() -> list[tuple[str, str]]:
    steps = [(0, 20), (20, 40), (40, 60), (60, 80), (80, 100)]
    dash = "\u2013"  # an en dash
    return [
        (colour, f"{low}{dash}{high} %")
        for (colour, _text), (low, high) in zip(SHARE_COLOURS, steps, strict=True)
    ]


def tile_map(provinces: Sequence[tuple[ProvinceShare, str | None]]) -> TileMap:
    """Place ``provinces`` (each with its ``source_key``) on the grid.

    Every place of the grid is drawn, so the country keeps its shape; places without a
    province of the view are empty outlines. A province the grid does not know goes to
    ``unplaced``: it is listed under the map, never dropped.
    """
    placed: dict[str, ProvinceShare] = {}
    unplaced: list[ProvinceShare] = []
    for share, source_key in provinces:
        where = grid_position(share.name, source_key)
        if where is None or where in placed:
            unplaced.append(share)
        else:
            placed[where] = share
    tiles: list[Tile] = []
    for name, (_code, row, col) in PROVINCE_GRID.items():
        x = MAP_MARGIN + col * (TILE + TILE_GAP)
        y = MAP_MARGIN + row * (TILE + TILE_GAP)
        tile_share = placed.get(name)
        if tile_share is None:
            fill, text_fill = "none", "#9aa5b1"
        elif tile_share.out_of:
            fill, text_fill = SHARE_COLOURS[share_step(tile_share.counted or 0, tile_share.out_of)]
        else:
            fill, text_fill = NO_DATA_COLOUR
        tiles.append(
            Tile(
                x=_num(x),
                y=_num(y),
                size=_num(TILE),
                label_x=_num(x + TILE / 2),
                label_y=_num(y + TILE * 0.36),
                share_y=_num(y + TILE * 0.72),
                label=name,
                label_length=_num(TILE - 6) if len(name) > 9 else None,
                fill=fill,
                text_fill=text_fill,
                province=tile_share,
            )
        )
    rows = 1 + max(row for _code, row, _col in PROVINCE_GRID.values())
    cols = 1 + max(col for _code, _row, col in PROVINCE_GRID.values())
    width = 2 * MAP_MARGIN + cols * (TILE + TILE_GAP) - TILE_GAP
    height = 2 * MAP_MARGIN + rows * (TILE + TILE_GAP) - TILE_GAP
    return TileMap(
        width=_num(width),
        height=_num(height),
        print_width=f"{_num(PRINT_HEIGHT_MM * width / height)}mm",
        print_height=f"{_num(PRINT_HEIGHT_MM)}mm",
        tiles=tiles,
        legend=_legend(),
        provinces=[share for share, _key in provinces],
        unplaced=unplaced,
    )
