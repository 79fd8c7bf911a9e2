"""Reading scanned paper ballots (OMR; issue #6 scope 4; vote-rules.md §A1, §A2, §B6).

A pure reader: scanned pages in, a ``Reading`` per ballot out; nothing is stored here.
The reading is a *suggestion* (§B6): whatever the reader is not sure of is marked
unsure, with reasons, and the ballot goes to the counting board, whose decision is final
(190 Art. 8; §A2 "Engine rule"). A wrong *certain* answer is the one outcome the reader
must avoid, so every threshold has a dead band between its two certain sides.

How a ballot is read:

1. The page is decoded to grey, its four registration marks (solid squares, §B6) are
   found among the solid square blobs, and the page is warped onto the canonical frame
   of the clean ballot (``BallotForm``: the printed PDF rendered at ``SCALE`` pixels per
   mm), which also undoes rotation, scale and a page turned upside down.
2. Ink that the clean ballot does not have ("added ink") is what the voter drew.
3. Strike-out form (§A1): on each line, the stroke's path is followed across the name;
   the share of the name's printed width the stroke covers decides struck (at least
   ``STRUCK_COVER``), kept (no added ink) or unsure between the two (a partial stroke
   goes to the board, §A2 last row of the table).
4. Box form (§A1, §A2): each box is marked (an X: enough ink spread across the box) or
   empty (no ink), else unsure; a row reads agree, disagree, both or none (both and none
   are valid readings: 190 Art. 30.1).
5. Added ink anywhere else on the table or below it is a possible written-in name or
   special mark (§A2): the ballot is unsure and the board looks at it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations, pairwise
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
import numpy.typing as npt

from lienthong.elections.layout import BallotLayout, Rect, Row, ballot_layout

if TYPE_CHECKING:
    from lienthong.elections.tally import Ballot

__all__ = [
    "SCALE",
    "BallotForm",
    "OmrError",
    "Reading",
    "RowReading",
    "ballot_form",
    "read_ballot",
    "read_scans",
    "scan_pages",
]

Gray = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.bool_]

#: Pixels per mm of the canonical frame every scan is warped onto (152.4 dpi).
SCALE = 6.0
#: A name is struck when the stroke covers at least this share of its printed width.
STRUCK_COVER = 0.9
#: A stretch where letters hide the stroke is bridged up to this long (mm), when no more
#: than ``ABSENT_PX`` of its columns show blank paper where the stroke would pass.
HIDDEN_MM = 10.0
ABSENT_PX = 1
#: Below this share (with hardly any added ink on the line) the name is kept; between the
#: two the line is unsure.
KEPT_COVER = 0.12
#: Added ink on a kept line, or beside the stroke on a struck line, above which the line
#: is unsure (mm²): a circle, a tick, a second stroke, a word written in.
STRAY_INK_MM2 = 0.3
#: Ink near the letters of a kept name above which the line is unsure (mm²): clean print
#: scanned at 150 dpi shows up to about 1.2 mm² there.
HUGGING_MM2 = 2.0
#: A box is marked when its added ink covers at least this share of it and spreads over
#: at least ``BOX_SPREAD`` of its width and its height; empty below ``BOX_EMPTY_MM2``.
BOX_FILL = 0.02
BOX_SPREAD = 0.4
BOX_EMPTY_MM2 = 0.4
#: Added ink outside the lines above which the ballot goes to the board (mm²).
EXTRA_INK_MM2 = 2.0
#: Smallest share of the printed form's ink found again in the scan (else: another form,
#: a bad scan or a wrong registration).
FORM_MATCH = 0.85
#: Dark specks smaller than this are scanner dust, not ink (pixels of the canonical frame).
SPECK_PX = 8

STRUCK, KEPT, UNSURE = "struck", "kept", "unsure"
AGREE, DISAGREE, BOTH, NONE = "agree", "disagree", "both", "none"


class OmrError(ValueError):
    """The input is not a readable image or PDF (empty, truncated, another format)."""


@dataclass(frozen=True)
class RowReading:
    """What the reader saw on one name's line."""

    number: int
    name: str
    decision: str
    """Strike-out form: "struck", "kept" or "unsure"; box form: "agree", "disagree",
    "both", "none" or "unsure"."""
    score: float
    """Strike-out form: the share of the name the stroke covers (0-1); box form: the
    larger of the two boxes' ink shares."""
    reason: str = ""
    """Why the line is unsure; empty when it is not."""


@dataclass(frozen=True)
class Reading:
    """The reader's suggestion for one ballot (§B6)."""

    form: str
    """"strike" or "boxes"."""
    rows: tuple[RowReading, ...]
    reasons: tuple[str, ...] = ()
    """Why the ballot goes to the board: every unsure line's reason and the ballot's own
    ("marks not found", "extra ink outside the lines", ...). Empty when certain."""
    stamped: bool | None = None
    """Whether ink was found where the convening committee stamps (244 Art. 17.1);
    ``None`` when the page could not be read. A hint for the board, not a decision."""
    skew_degrees: float | None = None
    """How far the page was turned on the scanner."""

    @property
    def certain(self) -> bool:
        """Every line read without doubt and nothing else on the ballot."""
        return not self.reasons and bool(self.rows)

    @property
    def kept(self) -> tuple[str, ...] | None:
        """The names not struck out, in ballot order; ``None`` unless certain (and for
        the box form)."""
        if not self.certain or self.form != "strike":
            return None
        return tuple(row.name for row in self.rows if row.decision == KEPT)

    @property
    def boxes(self) -> dict[str, str] | None:
        """Each name's box (agree | disagree | both | none); ``None`` unless certain (and
        for the strike-out form)."""
        if not self.certain or self.form != "boxes":
            return None
        return {row.name: row.decision for row in self.rows}

    def ballot(self) -> Ballot | None:
        """The ballot record ``tally.count`` takes, or ``None`` when the board must look
        at the ballot first. The stamp is not decided here (the board checks it)."""
        from lienthong.elections.tally import Ballot

        if not self.certain:
            return None
        return Ballot(count=1, kept=self.kept, boxes=self.boxes)


@dataclass(frozen=True)
class _Line:
    """A name's line in the canonical frame, with what the clean ballot has on it."""

    row: Row
    box: tuple[int, int, int, int]
    """The line inside its borders, px."""
    text: tuple[int, int] | None
    """The printed name's horizontal extent, px (``None``: nothing printed, impossible)."""


@dataclass(frozen=True)
class BallotForm:
    """A round's clean ballot in the canonical frame: what every scan is compared with."""

    layout: BallotLayout
    reference: Gray
    """The clean ballot, grey, ``SCALE`` px per mm."""
    ink: Mask
    """The clean ballot's ink, widened by a pixel or two (registration tolerance)."""
    near: Mask
    """The clean ballot's ink widened by one pixel (where a stroke may hide)."""
    core: Mask
    """The clean ballot's solid ink (table lines and letters), for the match check."""
    marks: npt.NDArray[np.float64]
    """The four marks' centres in the frame, clockwise from the top left, px."""
    lines: tuple[_Line, ...] = field(repr=False)
    preview: Gray = field(repr=False)
    """The clean ballot at a quarter of the frame's size (to tell which way up a page
    lies)."""


def _render(pdf: bytes, *, scale: float, page: int = 0) -> Gray:
    """One page of a PDF, grey, at ``scale`` pixels per mm."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    document = pdfium.PdfDocument(pdf)
    try:
        bitmap = document[page].render(scale=scale * 25.4 / 72, grayscale=True)
        array = np.array(bitmap.to_numpy(), dtype=np.uint8)
    finally:
        document.close()
    if array.ndim == 3:
        array = array[:, :, 0]
    return np.ascontiguousarray(array)


def _form(layout: BallotLayout, pdf: bytes) -> BallotForm:
    reference = _render(pdf, scale=SCALE)
    ink_raw = reference < 160
    ink = cv2.dilate(ink_raw.view(np.uint8), np.ones((5, 5), np.uint8)) > 0
    near = cv2.dilate(ink_raw.view(np.uint8), np.ones((3, 3), np.uint8)) > 0
    core = cv2.erode(ink_raw.view(np.uint8), np.ones((2, 2), np.uint8)) > 0
    marks = np.array(
        [((m.x + m.w / 2) * SCALE, (m.y + m.h / 2) * SCALE) for m in layout.marks],
        dtype=np.float64,
    )
    found = _find_marks(reference, layout)
    if found is not None:
        # Measured on the rendering itself, so that the frame and the layout agree to the
        # pixel; matched to the nominal corners (the four marks look alike).
        nominal = marks
        marks = np.array(
            [found[0][np.argmin(np.linalg.norm(found[0] - p, axis=1))] for p in nominal]
        )
    lines = []
    for row in layout.rows:
        x0, y0, x1, y1 = row.rect.inset(0.5).px(SCALE)
        nx0, ny0, nx1, ny1 = row.name_cell.inset(0.5).px(SCALE)
        columns = np.flatnonzero(ink_raw[ny0:ny1, nx0:nx1].any(axis=0))
        text = (nx0 + int(columns[0]), nx0 + int(columns[-1])) if columns.size else None
        lines.append(_Line(row=row, box=(x0, y0, x1, y1), text=text))
    return BallotForm(
        layout=layout,
        reference=reference,
        ink=ink,
        near=near,
        core=core,
        marks=marks,
        lines=tuple(lines),
        preview=np.asarray(
            cv2.resize(reference, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA),
            dtype=np.uint8,
        ),
    )


def ballot_form(*, names: Sequence[str], seats: int, pdf: bytes | None = None) -> BallotForm:
    """The clean ballot of a round, to read its scans with.

    Args:
        names: the names in ballot order, as printed.
        seats: how many to elect (decides the form, §A1).
        pdf: the ballot PDF that was printed (``ballots.ballot_pdf``); without it the
            ballot is rendered again with an empty header, which reads the lines alike.

    Raises:
        ValueError: the names do not fit one ballot (``layout.ballot_layout``).
    """
    if pdf is None:
        return _blank_form(tuple(names), seats)
    return _form(ballot_layout(names, seats), pdf)


@functools.lru_cache(maxsize=8)
def _blank_form(names: tuple[str, ...], seats: int) -> BallotForm:
    from lienthong.elections.ballots import ballot_pdf

    layout = ballot_layout(names, seats)
    pdf = ballot_pdf(congress="", election="", round_number=1, names=list(names), seats=seats)
    return _form(layout, pdf)


# --- input -----------------------------------------------------------------------------


def scan_pages(data: bytes, *, dpi: int = 200) -> list[Gray]:
    """The pages of a scan, grey: every page of a PDF (rendered at ``dpi``), or the one
    image of a PNG, JPEG, TIFF or other file OpenCV decodes.

    Raises:
        OmrError: empty, truncated or not an image nor a PDF.
    """
    if data[:5] == b"%PDF-":
        import pypdfium2 as pdfium

        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            raise OmrError(f"unreadable PDF: {error}") from error
        try:
            pages = []
            for page in document:
                bitmap = page.render(scale=dpi / 72, grayscale=True)
                array = np.array(bitmap.to_numpy(), dtype=np.uint8)
                pages.append(np.ascontiguousarray(array[:, :, 0] if array.ndim == 3 else array))
            return pages
        finally:
            document.close()
    return [_decode(data)]


def _decode(data: bytes) -> Gray:
    if not data:
        raise OmrError("empty file")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise OmrError("not an image OpenCV can read, nor a PDF")
    return np.asarray(image, dtype=np.uint8)


def _gray(image: bytes | npt.NDArray[Any]) -> Gray:
    if isinstance(image, bytes | bytearray | memoryview):
        pages = scan_pages(bytes(image))
        if len(pages) != 1:
            raise OmrError(f"one ballot expected, the file has {len(pages)} pages")
        return pages[0]
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[2] in (3, 4):
        code = cv2.COLOR_BGR2GRAY if array.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
        array = cv2.cvtColor(array.astype(np.uint8), code)
    if array.ndim != 2 or min(array.shape) < 16:
        raise OmrError("not a page image")
    return np.ascontiguousarray(array, dtype=np.uint8)


# --- registration ----------------------------------------------------------------------


def _find_marks(gray: Gray, layout: BallotLayout) -> tuple[npt.NDArray[np.float64], float] | None:
    """The four marks' centres (clockwise from the page's top left) and the scale
    (px per mm) they imply, or ``None``.

    Candidates are solid, square, dark blobs; the four kept are the ones whose
    quadrilateral has the layout's shape (the marks' rectangle and their size).
    """
    _, dark = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    contours, _ = cv2.findContours(dark, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    height, width = gray.shape
    longest = max(height, width)
    # The page may be smaller than the image (an A5 sheet on an A4 scanner): sizes are
    # bounded loosely here and checked against the marks' own rectangle below.
    smallest = (longest / max(layout.width, layout.height) * MARK_SIDE_MIN) ** 2
    biggest = (longest / max(layout.width, layout.height) * 3 * MARK_SIDE_MAX) ** 2
    candidates: list[tuple[float, float, float]] = []
    for contour in contours:
        area = cv2.contourArea(contour)
        if not smallest <= area <= biggest:
            continue
        _centre, (w, h), _angle = cv2.minAreaRect(contour)
        if w <= 0 or h <= 0 or not 0.8 <= w / h <= 1.25 or area < 0.88 * w * h:
            continue
        moments = cv2.moments(contour)
        if moments["m00"] <= 0:
            continue
        candidates.append(
            (moments["m10"] / moments["m00"], moments["m01"] / moments["m00"], math.sqrt(area))
        )
    if len(candidates) < 4:
        return None
    # The largest squares first; a ballot has few solid squares besides its marks.
    candidates.sort(key=lambda c: -c[2])
    candidates = candidates[:12]
    tl, tr, _br, bl = layout.marks
    span_x = tr.x - tl.x
    span_y = bl.y - tl.y
    best: tuple[float, npt.NDArray[np.float64], float] | None = None
    for four in combinations(candidates, 4):
        points = np.array([(c[0], c[1]) for c in four], dtype=np.float64)
        sides = np.array([c[2] for c in four])
        ordered = _clockwise(points)
        if ordered is None:
            continue
        for start in range(4):
            quad = np.roll(ordered, -start, axis=0)
            top = np.linalg.norm(quad[1] - quad[0])
            bottom = np.linalg.norm(quad[2] - quad[3])
            left = np.linalg.norm(quad[3] - quad[0])
            right = np.linalg.norm(quad[2] - quad[1])
            if min(top, bottom, left, right) <= 0:
                continue
            scale = (top + bottom) / (2 * span_x)
            diagonal = np.linalg.norm(quad[2] - quad[0]) / np.linalg.norm(quad[3] - quad[1])
            error = max(
                float(abs(top / bottom - 1)),
                float(abs(left / right - 1)),
                float(abs((left + right) / (2 * span_y) / scale - 1)),
                float(np.max(np.abs(sides / (scale * layout.marks[0].w) - 1))) / 4,
                float(abs(diagonal - 1)),
            )
            if best is None or error < best[0]:
                best = (error, quad, float(scale))
    if best is None or best[0] > 0.03:
        return None
    return best[1], best[2]


MARK_SIDE_MIN = 3.0
MARK_SIDE_MAX = 12.0


def _clockwise(points: npt.NDArray[np.float64]) -> npt.NDArray[np.float64] | None:
    """The four points in clockwise order (image coordinates), or ``None`` when they
    are not the corners of a convex quadrilateral."""
    centre = points.mean(axis=0)
    angles = np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0])
    ordered = points[np.argsort(angles)]
    crosses = []
    for i in range(4):
        a, b, c = ordered[i], ordered[(i + 1) % 4], ordered[(i + 2) % 4]
        crosses.append((b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]))
    if not (all(x > 0 for x in crosses) or all(x < 0 for x in crosses)):
        return None
    return ordered


def _register(gray: Gray, form: BallotForm) -> tuple[Gray, float] | None:
    """The scan warped onto the form's frame, and the page's skew in degrees; ``None``
    when the marks are not found."""
    layout = form.layout
    height, width = form.reference.shape
    # Work near the frame's resolution: warping straight from 300 dpi would alias thin
    # strokes, and finding marks in a smaller image is faster.
    longest_mm = max(layout.width, layout.height)
    factor = SCALE * 1.15 * longest_mm / max(gray.shape)
    if factor < 0.9:
        gray = np.asarray(
            cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA),
            dtype=np.uint8,
        )
    found = _find_marks(gray, layout)
    if found is None:
        return None
    quad, _scale = found
    best: tuple[float, npt.NDArray[np.float64], float] | None = None
    # The marks are alike: the page may lie either way up. The frame's text decides, on a
    # quarter-size preview.
    small = form.preview
    shrink = np.diag([small.shape[1] / width, small.shape[0] / height, 1.0])
    for turn in (0, 2):
        source = np.roll(quad, -turn, axis=0).astype(np.float32)
        matrix = cv2.getPerspectiveTransform(source, form.marks.astype(np.float32))
        preview = cv2.warpPerspective(
            gray, shrink @ matrix, (small.shape[1], small.shape[0]), borderValue=255
        )
        difference = float(np.mean(cv2.absdiff(preview, small)))
        if best is None or difference < best[0]:
            top = source[1] - source[0]
            skew = math.degrees(math.atan2(float(top[1]), float(top[0])))
            best = (difference, np.asarray(matrix, dtype=np.float64), skew)
    assert best is not None
    warped = cv2.warpPerspective(
        gray, best[1], (width, height), flags=cv2.INTER_LINEAR, borderValue=255
    )
    return np.asarray(warped, dtype=np.uint8), best[2]


# --- reading ---------------------------------------------------------------------------


def _ink(warped: Gray) -> Mask:
    """Dark pixels of a registered scan, relative to its paper's brightness."""
    smooth = cv2.GaussianBlur(warped, (3, 3), 0)
    sample = smooth[::7, ::7]
    paper = float(np.percentile(sample, 90))
    return smooth < paper * 0.62


def _despeckle(mask: Mask, smallest: int = SPECK_PX) -> Mask:
    """``mask`` without its blobs smaller than ``smallest`` pixels."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.view(np.uint8), connectivity=8)
    if count <= 1:
        return mask
    keep = stats[:, cv2.CC_STAT_AREA] >= smallest
    keep[0] = False
    result: Mask = keep[labels]
    return result


def _bridge(
    evidence: npt.NDArray[np.bool_], absent: npt.NDArray[np.bool_], *, longest: int
) -> npt.NDArray[np.bool_]:
    """``evidence`` with the stretches between two of its columns filled in, when the
    stretch is at most ``longest`` columns and at most ``ABSENT_PX`` of them are
    ``absent``."""
    result = evidence.copy()
    columns = np.flatnonzero(evidence)
    if columns.size < 2:
        return result
    absent_before = np.concatenate(([0], np.cumsum(absent)))
    for left, right in pairwise(columns):
        if right - left <= 1 or right - left > longest + 1:
            continue
        if absent_before[right] - absent_before[left + 1] <= ABSENT_PX:
            result[left:right] = True
    return result


def _beside(region: Mask, distance: npt.NDArray[np.float64], half: int) -> int:
    """Pixels of added ink that are not the stroke: whole blobs apart from its path, and
    whatever sticks out of it well past its thickness (a tick, a loop, a word)."""
    count, labels = cv2.connectedComponents(region.view(np.uint8), connectivity=8)
    if count <= 1:
        return 0
    touching = np.zeros(count, dtype=bool)
    touching[np.unique(labels[region & (distance <= half + 1)])] = True
    touching[0] = False
    apart = region & ~touching[labels]
    far = region & touching[labels] & (distance > half + 2)
    return int(apart.sum() + far.sum())


def _strike(added: Mask, fine: Mask, ink: Mask, form: BallotForm, line: _Line) -> RowReading:
    """Struck, kept or unsure, from how much of the name the stroke covers (§A1, §A2)."""
    row = line.row
    x0, y0, x1, y1 = line.box
    region = added[y0:y1, x0:x1]
    mass = int(region.sum())
    stray = STRAY_INK_MM2 * SCALE * SCALE
    if line.text is None:
        return RowReading(row.number, row.name, UNSURE, 0.0, "no printed name on the line")
    # Ink hugging the letters (within two pixels) counts against "kept" too, above what a
    # blurred scan of clean print shows: a tick drawn over the name's last letters.
    hugging = int(fine[y0:y1, x0:x1].sum()) > HUGGING_MM2 * SCALE * SCALE
    if mass == 0:
        if hugging:
            return RowReading(row.number, row.name, UNSURE, 0.0, "a mark on a name not struck")
        return RowReading(row.number, row.name, KEPT, 0.0)
    t0, t1 = line.text[0] - x0, line.text[1] - x0
    # The stroke's height at each column where it shows, then filled across the letters
    # that hide it and smoothed (a wavy stroke keeps its waves, a speck is outvoted).
    ys, xs = np.nonzero(region | fine[y0:y1, x0:x1])
    order = np.argsort(xs, kind="stable")
    xs, ys = xs[order], ys[order]
    columns, starts = np.unique(xs, return_index=True)
    sums = np.add.reduceat(ys, starts)
    counts = np.diff(np.append(starts, ys.size))
    centre = sums / counts
    width_px = region.shape[1]
    path = np.interp(np.arange(width_px), columns, centre)
    window = int(2 * SCALE) | 1
    padded = np.pad(path, window // 2, mode="edge")
    path = np.median(np.lib.stride_tricks.sliding_window_view(padded, window), axis=1)
    # Half the stroke's thickness (its pixels per column), plus a pixel of slack.
    # (The columns where it shows whole give its thickness; letters hide part of others.)
    half = max(2, round(float(np.percentile(counts, 90)) / 2) + 1)
    distance = np.abs(np.arange(region.shape[0])[:, None] - np.rint(path)[None, :])
    band = distance <= half + 1
    # Where the stroke shows: bits of ink more than a pixel away from any printed letter,
    # on the stroke's path. Where it is missing, the path's middle is blank paper (the
    # stroke is absent there) or a letter (it may hide the stroke: a stroke along a
    # crossbar or the tops of the letters shows nowhere). A stretch between two bits is
    # covered when hardly anything in it says absent and it is not too long.
    evidence: npt.NDArray[np.bool_] = np.asarray((fine[y0:y1, x0:x1] & band).any(axis=0))
    # Absent only where no letter comes near the path, a pixel or two either side of it
    # (the path is a guess between the bits that show).
    wide = distance <= half + 2
    clear = ~(wide & form.near[y0:y1, x0:x1]).any(axis=0)
    absent: npt.NDArray[np.bool_] = np.asarray(
        clear & ~(wide & ink[y0:y1, x0:x1]).any(axis=0) & ~evidence
    )
    covered = _bridge(evidence, absent, longest=round(HIDDEN_MM * SCALE))
    span = covered[max(0, t0) : t1 + 1]
    cover = float(span.mean()) if span.size else 0.0
    beside = _beside(region, distance, half)
    if cover >= STRUCK_COVER and beside <= stray:
        return RowReading(row.number, row.name, STRUCK, cover)
    if cover <= KEPT_COVER and mass <= stray and not hugging:
        return RowReading(row.number, row.name, KEPT, cover)
    if cover >= STRUCK_COVER:
        return RowReading(row.number, row.name, UNSURE, cover, "other marks beside the stroke")
    if cover <= KEPT_COVER:
        return RowReading(row.number, row.name, UNSURE, cover, "a mark on a name not struck")
    return RowReading(row.number, row.name, UNSURE, cover, "partial stroke")


def _box_state(added: Mask, rect: Rect) -> tuple[str, float]:
    """("marked" | "empty" | "unsure", ink share) of one box."""
    x0, y0, x1, y1 = rect.inset(0.7).px(SCALE)
    region = added[y0:y1, x0:x1]
    mass = int(region.sum())
    share = mass / region.size if region.size else 0.0
    if mass <= BOX_EMPTY_MM2 * SCALE * SCALE:
        return "empty", share
    ys, xs = np.nonzero(region)
    spread_x = (int(xs.max()) - int(xs.min()) + 1) / region.shape[1]
    spread_y = (int(ys.max()) - int(ys.min()) + 1) / region.shape[0]
    if share >= BOX_FILL and min(spread_x, spread_y) >= BOX_SPREAD:
        return "marked", share
    return "unsure", share


def _boxes(added: Mask, line: _Line) -> RowReading:
    """Agree, disagree, both, none or unsure (§A1, §A2: both and none are readings)."""
    row = line.row
    assert row.agree is not None and row.disagree is not None
    agree, agree_share = _box_state(added, row.agree)
    disagree, disagree_share = _box_state(added, row.disagree)
    score = max(agree_share, disagree_share)
    x0, y0, _x1, y1 = row.number_cell.inset(0.5).px(SCALE)
    nx1 = round(row.name_cell.inset(0.5).right * SCALE)
    on_name = int(added[y0:y1, x0:nx1].sum())
    if on_name > STRAY_INK_MM2 * SCALE * SCALE:
        return RowReading(row.number, row.name, UNSURE, score, "a mark on the name")
    if "unsure" in (agree, disagree):
        return RowReading(row.number, row.name, UNSURE, score, "a faint or small mark in a box")
    decision = {
        ("marked", "empty"): AGREE,
        ("empty", "marked"): DISAGREE,
        ("marked", "marked"): BOTH,
        ("empty", "empty"): NONE,
    }[(agree, disagree)]
    return RowReading(row.number, row.name, decision, score)


def _unread(form: BallotForm, reason: str) -> Reading:
    rows = tuple(
        RowReading(line.row.number, line.row.name, UNSURE, 0.0, reason) for line in form.lines
    )
    return Reading(form="boxes" if form.layout.boxes else "strike", rows=rows, reasons=(reason,))


def read_ballot(
    image: bytes | npt.NDArray[Any],
    *,
    names: Sequence[str] | None = None,
    seats: int | None = None,
    form: BallotForm | None = None,
) -> Reading:
    """Read one scanned ballot.

    Args:
        image: the scan: the bytes of a PNG, JPEG or other image (or of a one-page PDF),
            or a decoded image (grey, BGR or BGRA array).
        names: the round's names in ballot order, with ``seats``, when ``form`` is not
            given (the clean ballot is then rendered once and cached).
        seats: how many to elect.
        form: the clean ballot (``ballot_form``), best made from the printed PDF.

    Returns:
        The reading. A page whose marks are not found, that does not match the form, or
        with any line or mark in doubt is not certain: it goes to the board (§B6).

    Raises:
        OmrError: the bytes are not an image or PDF at all.
        ValueError: neither ``form`` nor ``names`` and ``seats`` were given.
    """
    if form is None:
        if names is None or seats is None:
            raise ValueError("give the ballot form, or the names and seats")
        form = ballot_form(names=names, seats=seats)
    gray = _gray(image)
    registered = _register(gray, form)
    if registered is None:
        return _unread(form, "marks not found")
    warped, skew = registered
    ink = _ink(warped)
    core = form.core
    # Within a pixel: the registration is good to about half a pixel, the lines are thin.
    near = cv2.dilate(ink.view(np.uint8), np.ones((3, 3), np.uint8)) > 0
    found = float(near[core].mean()) if core.any() else 0.0
    if found < FORM_MATCH:
        reading = _unread(form, "the page does not match the printed ballot")
        return Reading(
            form=reading.form, rows=reading.rows, reasons=reading.reasons, skew_degrees=skew
        )
    added = _despeckle(ink & ~form.ink)
    fine = _despeckle(ink & ~form.near, 3) if not form.layout.boxes else added
    layout = form.layout
    rows = tuple(
        _boxes(added, line) if layout.boxes else _strike(added, fine, ink, form, line)
        for line in form.lines
    )
    reasons = [f"line {row.number}: {row.reason}" for row in rows if row.decision == UNSURE]
    # Added ink anywhere else on the table or below it: a written-in name or a special
    # mark (§A2), for the board.
    outside = np.zeros_like(added)
    bx0, by0, bx1, by1 = layout.body.px(SCALE)
    outside[by0:by1, bx0:bx1] = added[by0:by1, bx0:bx1]
    for line in form.lines:
        x0, y0, x1, y1 = line.row.rect.inset(-0.4).px(SCALE)
        outside[y0:y1, x0:x1] = False
    if int(outside.sum()) > EXTRA_INK_MM2 * SCALE * SCALE:
        reasons.append("extra ink outside the lines (a name written in or a special mark?)")
    # (Not wider: the election's name is printed just under the stamp's place.)
    sx0, sy0, sx1, sy1 = layout.stamp.inset(-2).px(SCALE)
    stamp_region = (ink & ~form.ink)[max(0, sy0) : sy1, max(0, sx0) : sx1]
    stamped = bool(stamp_region.mean() > 0.02) if stamp_region.size else None
    return Reading(
        form="boxes" if layout.boxes else "strike",
        rows=rows,
        reasons=tuple(reasons),
        stamped=stamped,
        skew_degrees=skew,
    )


def read_scans(data: bytes, *, form: BallotForm, dpi: int = 200) -> list[Reading]:
    """Read every ballot of a scan file: each page of a PDF, or the one image.

    Raises:
        OmrError: the file is not an image or PDF.
    """
    return [read_ballot(page, form=form) for page in scan_pages(data, dpi=dpi)]
