"""Sample scans of Vietnamese letters, drawn as a flatbed scanner gives them (issue #7):
the demo's scans, ``scripts/letter_scans.py`` (the tests' and the bench's boxes of
archives) and the character error rate they are measured with.

The font is Liberation Serif, metric-compatible with Times New Roman (the font NĐ 30 and
HD 36 prescribe), from Debian's ``fonts-liberation2``.
"""

from __future__ import annotations

import io

__all__ = ["FONT", "cer", "scan"]

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"


def scan(
    lines: list[str],
    *,
    dpi: int = 200,
    angle: float = 0.7,
    noise: float = 8.0,
    seed: int = 7,
    small: bool = False,
    fmt: str = "PNG",
) -> bytes:
    """The lines as a scanner gives them: A4 (A6 when ``small``) at ``dpi``, turned by
    ``angle`` degrees, with Gaussian noise; PNG, TIFF or JPEG bytes."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    inches = (4.13, 5.83) if small else (8.27, 11.69)
    width, height = round(inches[0] * dpi), round(inches[1] * dpi)
    font = ImageFont.truetype(FONT, round(13 / 72 * dpi))
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    margin = 0.45 if small else 0.9
    for number, line in enumerate(lines):
        top = round((margin + number * 0.3) * dpi)
        draw.text((round(margin * dpi), top), line, font=font, fill=0)
    image = image.rotate(angle, fillcolor=255, resample=Image.Resampling.BICUBIC)
    pixels = np.asarray(image, dtype=np.float32)
    grain = np.random.default_rng(seed).normal(0, noise, pixels.shape)
    image = Image.fromarray(np.clip(pixels + grain, 0, 255).astype(np.uint8))
    out = io.BytesIO()
    image.save(out, format=fmt, dpi=(dpi, dpi))
    return out.getvalue()


def cer(reference: str, read: str) -> float:
    """Character error rate: edit distance over the reference's length (whitespace runs
    count as one space)."""
    a, b = " ".join(reference.split()), " ".join(read.split())
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] / max(len(a), 1)
