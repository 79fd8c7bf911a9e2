"""Visible signature appearances that follow NĐ 30 (vn-rules.md §1.9).

pyHanko's text stamps space DejaVu and Liberation glyphs wrongly, so the person and seal
stamps are drawn as one transparent image with Pillow (Noto Serif, a Times-metric face
with full Vietnamese coverage) and placed with pyHanko's static stamp. The "top right"
text of an attachment or an electronic copy is drawn the same way, black, 10 pt.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageFont
from PIL.ImageDraw import ImageDraw
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.stamp import StaticStampStyle

from lienthong.trust.errors import SigningError

__all__ = [
    "Rect",
    "format_signing_time",
    "person_image_rect",
    "render_person",
    "render_seal",
    "render_top_right",
    "seal_box_over",
    "stamp_style",
]

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
#: Pixels per PDF point in the drawn stamp (288 dpi: sharp when printed).
SCALE = 4
MM = 72 / 25.4

_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)
_FONTS = {
    "regular": ("NotoSerif-Regular.ttf", "LiberationSerif-Regular.ttf"),
    "bold": ("NotoSerif-Bold.ttf", "LiberationSerif-Bold.ttf"),
}

BLACK = (0, 0, 0, 255)

Rect = tuple[float, float, float, float]


def format_signing_time(when: dt.datetime) -> str:
    """The signing time in ISO 8601 with Vietnam's offset: ``2026-03-05T14:30:15+07:00``.

    vn-rules.md §1.9: "múi giờ Việt Nam theo ISO 8601".
    """
    return when.astimezone(VIETNAM).replace(microsecond=0).isoformat()


@cache
def _font_path(weight: str) -> str:
    for name in _FONTS[weight]:
        for folder in _FONT_DIRS:
            if (folder / name).is_file():
                return str(folder / name)
    raise SigningError(
        "No Times-metric font for signature stamps: install fonts-noto-core (or fonts-liberation2)."
    )


def _font(weight: str, size_pt: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_font_path(weight), size=round(size_pt * SCALE))


def _load_png(data: bytes | None) -> Image.Image | None:
    if not data:
        return None
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, ValueError) as exc:
        raise SigningError("The stamp image is not a readable PNG") from exc
    return image.convert("RGBA")


def _canvas(width_pt: float, height_pt: float) -> tuple[Image.Image, ImageDraw]:
    image = Image.new("RGBA", (round(width_pt * SCALE), round(height_pt * SCALE)), (0, 0, 0, 0))
    return image, ImageDraw(image)


def _centred_lines(
    draw: ImageDraw,
    lines: list[str],
    *,
    font: ImageFont.FreeTypeFont,
    top_px: float,
    width_px: int,
    line_px: float,
    fill: tuple[int, int, int, int] = BLACK,
) -> float:
    y = top_px
    for line in lines:
        text_width = draw.textlength(line, font=font)
        draw.text(((width_px - text_width) / 2, y), line, font=font, fill=fill)
        y += line_px
    return y


def _paste_fitted(canvas: Image.Image, picture: Image.Image, box_px: Rect) -> None:
    """Paste ``picture`` scaled to fit ``box_px`` (left, top, right, bottom), centred."""
    left, top, right, bottom = box_px
    avail_w, avail_h = right - left, bottom - top
    if avail_w <= 0 or avail_h <= 0:
        return
    ratio = min(avail_w / picture.width, avail_h / picture.height)
    size = (max(1, round(picture.width * ratio)), max(1, round(picture.height * ratio)))
    scaled = picture.resize(size, Image.Resampling.LANCZOS)
    x = round(left + (avail_w - size[0]) / 2)
    y = round(top + (avail_h - size[1]) / 2)
    canvas.alpha_composite(scaled, (x, y))


# Layout of the person's box (NĐ 30 box 7c), in points from the top of the box.
_TITLE_PT = 12.0
_NAME_PT = 12.0
_TIME_PT = 8.0
_LINE = 1.3
_PAD = 3.0
#: Title lines reserved above the handwriting image (a seal is placed from this).
TITLE_LINES = 2


def _person_rows(box: Rect, title_lines: int) -> tuple[float, float, float]:
    """(image top, image bottom, name top) in points from the top of the box."""
    height = box[3] - box[1]
    image_top = _PAD + title_lines * _TITLE_PT * _LINE + _PAD
    name_top = height - _PAD - _TIME_PT * _LINE - _NAME_PT * _LINE
    return image_top, name_top - _PAD, name_top


def person_image_rect(box: Rect, *, title_lines: int = TITLE_LINES) -> Rect:
    """Where the handwriting image sits in a person stamp, in page coordinates.

    The image is centred between the title line(s) and the name (NĐ 30 box 7c); a
    seal stamp is placed relative to this rectangle.
    """
    x1, _y1, x2, y2 = box
    image_top, image_bottom, _ = _person_rows(box, title_lines)
    return (x1 + _PAD, y2 - image_bottom, x2 - _PAD, y2 - image_top)


def render_person(
    *, box: Rect, title: str, name: str, signature_png: bytes | None, signed_at: dt.datetime
) -> Image.Image:
    """Draw a person's stamp: title, handwriting image (blue PNG), name, signing time.

    vn-rules.md §1.9: the handwriting image is centred between the title and the name.
    """
    width, height = box[2] - box[0], box[3] - box[1]
    canvas, draw = _canvas(width, height)
    title_lines = [line.strip() for line in title.splitlines() if line.strip()]
    reserved = max(len(title_lines), TITLE_LINES)
    image_top, image_bottom, name_top = _person_rows(box, reserved)
    # A one-line title sits on the line nearest the image.
    first_line = reserved - len(title_lines)
    _centred_lines(
        draw,
        title_lines,
        font=_font("bold", _TITLE_PT),
        top_px=(_PAD + first_line * _TITLE_PT * _LINE) * SCALE,
        width_px=canvas.width,
        line_px=_TITLE_PT * _LINE * SCALE,
    )
    picture = _load_png(signature_png)
    if picture is not None:
        _paste_fitted(
            canvas,
            picture,
            (_PAD * SCALE, image_top * SCALE, (width - _PAD) * SCALE, image_bottom * SCALE),
        )
    y = _centred_lines(
        draw,
        [name] if name else [],
        font=_font("bold", _NAME_PT),
        top_px=name_top * SCALE,
        width_px=canvas.width,
        line_px=_NAME_PT * _LINE * SCALE,
    )
    if not name:
        y = (name_top + _NAME_PT * _LINE) * SCALE
    _centred_lines(
        draw,
        [format_signing_time(signed_at)],
        font=_font("regular", _TIME_PT),
        top_px=y,
        width_px=canvas.width,
        line_px=_TIME_PT * _LINE * SCALE,
    )
    return canvas


def seal_box_over(
    person_box: Rect, *, seal_width_mm: float, title_lines: int = TITLE_LINES
) -> Rect:
    """The seal's rectangle: actual size, overlapping the left third of the signature.

    vn-rules.md §1.9 (NĐ 30 box 8): the seal image, red, actual size, covers about one
    third of the signer's signature image, on the left.
    """
    left, bottom, right, top = person_image_rect(person_box, title_lines=title_lines)
    size = seal_width_mm * MM
    centre_y = (bottom + top) / 2
    seal_right = left + (right - left) / 3
    return (seal_right - size, centre_y - size / 2, seal_right, centre_y + size / 2)


def render_seal(*, box: Rect, seal_png: bytes | None) -> Image.Image:
    """Draw the unit's seal image (red, transparent PNG) filling ``box``."""
    width, height = box[2] - box[0], box[3] - box[1]
    canvas, _ = _canvas(width, height)
    picture = _load_png(seal_png)
    if picture is None:
        raise SigningError("The unit has no seal image to show")
    _paste_fitted(canvas, picture, (0, 0, canvas.width, canvas.height))
    return canvas


TOP_RIGHT_PT = 10.0


def top_right_box(page_box: Rect, *, lines: int) -> Rect:
    """Top right corner of the first page, wide enough for the text lines."""
    width = 230.0
    height = lines * TOP_RIGHT_PT * _LINE + 2 * _PAD
    margin_right, margin_top = 15 * MM, 10 * MM
    x2 = page_box[2] - margin_right
    y2 = page_box[3] - margin_top
    return (x2 - width, y2 - height, x2, y2)


def render_top_right(*, box: Rect, lines: list[str]) -> Image.Image:
    """Draw the text of an attachment or electronic copy signature: black, 10 pt.

    vn-rules.md §1.9: "Số và ký hiệu văn bản; thời gian ký (ISO 8601)", Times New
    Roman 10, upright, black, no image.
    """
    width, height = box[2] - box[0], box[3] - box[1]
    canvas, draw = _canvas(width, height)
    font = _font("regular", TOP_RIGHT_PT)
    y = _PAD * SCALE
    for line in lines:
        text_width = draw.textlength(line, font=font)
        draw.text((canvas.width - text_width - _PAD * SCALE, y), line, font=font, fill=BLACK)
        y += TOP_RIGHT_PT * _LINE * SCALE
    return canvas


def stamp_style(picture: Image.Image, box: Rect) -> StaticStampStyle:
    """A pyHanko stamp style that shows ``picture`` filling the field ``box``."""
    width, height = box[2] - box[0], box[3] - box[1]
    background = PdfImage(picture, box=layout.BoxConstraints(width=width, height=height))
    return StaticStampStyle(
        background=background,
        background_opacity=1.0,
        border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
        ),
    )
