"""The intake steps (issue #7 scopes 1 and 4), in the order ``pipeline.STEPS`` runs them.

- ``preflight``: size, the real format by its first bytes (a renamed ``.exe`` is not a
  PDF), a readable PDF that is not password-protected;
- ``quality``: NĐ 30/2020 Phụ lục I asks for colour scans of at least 200 dpi: lower or
  grey is a warning, not a refusal (the paper may be gone);
- ``convert``: an image scan (PNG, JPEG, a TIFF of one or many pages) becomes a PDF of
  its pages at their resolution, without re-encoding what img2pdf can embed as it is;
- ``ocr``: OCRmyPDF with Tesseract's Vietnamese model to PDF/A-2b with a text layer
  (``--pdf-renderer sandwich`` keeps words apart on skewed scans; the PDF/A conversion
  is OCRmyPDF's own, without Ghostscript), and the text for search.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from lienthong.documents.intake.contract import IntakeItem, IntakeRefused

__all__ = ["convert", "max_bytes", "ocr", "ocr_jobs", "preflight", "quality", "sniff"]

_MAGIC = {
    b"%PDF-": "pdf",
    b"\x89PNG\r\n\x1a\n": "png",
    b"\xff\xd8\xff": "jpeg",
    b"II*\x00": "tiff",
    b"MM\x00*": "tiff",
}
#: NĐ 30/2020 Phụ lục I: scan at 200 dpi or more.
MIN_DPI = 200


def sniff(data: bytes) -> str:
    """The kind of a scan by its first bytes: "pdf", "png", "jpeg", "tiff", or ""."""
    return next((kind for magic, kind in _MAGIC.items() if data.startswith(magic)), "")


def max_bytes() -> int:
    """The intake's size limit of one file (``INTAKE_MAX_FILE_MB``)."""
    return int(getattr(settings, "INTAKE_MAX_FILE_MB", 200)) * 1024 * 1024


def preflight(item: IntakeItem) -> None:
    """Refuse what is not a scan this intake can read, with the reason."""
    if not item.data:
        raise IntakeRefused(_("The file is empty."))
    if len(item.data) > max_bytes():
        raise IntakeRefused(_("The file is larger than the intake limit."))
    kind = sniff(item.data)
    if not kind:
        raise IntakeRefused(
            _("The file is not a PDF, PNG, JPEG or TIFF scan, whatever its name says.")
        )
    item.kind = kind
    if kind == "pdf":
        import pikepdf

        try:
            with pikepdf.open(io.BytesIO(item.data)) as pdf:
                if len(pdf.pages) == 0:
                    raise IntakeRefused(_("The PDF has no page."))
        except pikepdf.PasswordError:
            raise IntakeRefused(
                _("The PDF is protected by a password: remove the protection and send it again.")
            ) from None
        except pikepdf.PdfError:
            raise IntakeRefused(_("The PDF is damaged and cannot be read.")) from None
    else:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(item.data)) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise IntakeRefused(_("The image is damaged and cannot be read.")) from None


#: Pages whose images are looked at for the resolution of a PDF scan (enough to judge a
#: scanner's setting without reading a thousand-page file twice).
_PAGES_CHECKED = 20
_GREY = ("1", "L", "LA", "I", "I;16", "P")


def _pdf_scan_images(data: bytes) -> tuple[int | None, bool]:
    """The lowest resolution of a PDF scan's page images (an image as wide as the page)
    and whether every one is in colour."""
    import pikepdf

    lowest: int | None = None
    colour = True
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in list(pdf.pages)[:_PAGES_CHECKED]:
            box = [float(v) for v in page.mediabox]
            inches = (box[2] - box[0]) / 72
            for raw in page.get_images().values():
                if not isinstance(raw, pikepdf.Stream):
                    continue
                image = pikepdf.PdfImage(raw)
                if inches <= 0 or image.width < 0.5 * inches * 72:
                    continue  # a logo or a stamp, not the scanned page
                dpi = round(image.width / inches)
                lowest = dpi if lowest is None else min(lowest, dpi)
                colour = colour and image.colorspace not in ("/DeviceGray", None)
                colour = colour and image.bits_per_component > 1
    return lowest, colour and lowest is not None


def quality(item: IntakeItem) -> None:
    """Warn on what NĐ 30/2020 Phụ lục I asks otherwise of a scan: at least 200 dpi, in
    colour ("ảnh màu"). A warning, not a refusal: the paper may be gone."""
    if item.kind == "pdf":
        item.dpi, colour = _pdf_scan_images(item.data)
        if item.dpi is None:
            return  # no page-sized image: a PDF made on a computer, not a scan
    else:
        from PIL import Image

        with Image.open(io.BytesIO(item.data)) as image:
            dpi = image.info.get("dpi")
            colour = image.mode not in _GREY
        if dpi:
            item.dpi = round(min(float(dpi[0]), float(dpi[1])))
    if item.dpi is None:
        item.warnings.append(_("The scan does not say its resolution; 200 dpi is assumed."))
    elif item.dpi < MIN_DPI:
        item.warnings.append(
            _("Scanned at %(dpi)s dpi: NĐ 30 asks for at least 200 dpi.") % {"dpi": item.dpi}
        )
    if not colour:
        item.warnings.append(_("Scanned in black and white or grey: NĐ 30 asks for colour."))


def _frames_as_png(data: bytes, dpi: int) -> list[bytes]:
    """Every frame of an image as a PNG that img2pdf accepts (no alpha, no palette)."""
    from PIL import Image, ImageSequence

    pages: list[bytes] = []
    with Image.open(io.BytesIO(data)) as image:
        for frame in ImageSequence.Iterator(image):
            page = frame.copy()
            if page.mode not in ("1", "L", "RGB"):
                page = page.convert("L" if page.mode in ("LA", "I;16", "I") else "RGB")
            out = io.BytesIO()
            page.save(out, format="PNG", dpi=(dpi, dpi))
            pages.append(out.getvalue())
    return pages


def convert(item: IntakeItem) -> None:
    """The scan as a PDF of its pages (a PDF scan is kept as it is)."""
    if item.kind == "pdf":
        item.scan_pdf = item.data
        return
    import img2pdf

    dpi = item.dpi or MIN_DPI
    # A scan that does not say its resolution is laid out at 200 dpi (img2pdf would
    # assume 96 and make pages twice too large).
    layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
    try:
        item.scan_pdf = img2pdf.convert(
            item.data, layout_fun=layout, rotation=img2pdf.Rotation.ifvalid
        )
        return
    except (
        img2pdf.AlphaChannelError,
        img2pdf.ImageOpenError,
        img2pdf.UnsupportedColorspaceError,
        img2pdf.JpegColorspaceError,
        img2pdf.ExifOrientationError,
        ValueError,
        OSError,
    ):
        pass  # alpha, palette or an exotic TIFF compression: re-encode the pages
    try:
        item.scan_pdf = img2pdf.convert(_frames_as_png(item.data, dpi), layout_fun=layout)
    except (OSError, ValueError, img2pdf.ImageOpenError):
        raise IntakeRefused(_("The image is damaged and cannot be read.")) from None


def ocr_jobs() -> int:
    """The cores one reading may use: the machine's, shared among the readings that run
    at once (``INTAKE_WORKERS``). OCRmyPDF gives Tesseract threads from this, and two
    readers each believing they own every core spin against each other."""
    readers = max(1, int(getattr(settings, "INTAKE_WORKERS", 1)))
    return max(1, (os.cpu_count() or 1) // readers)


def ocr(item: IntakeItem) -> None:
    """The searchable PDF/A-2b and its text (OCRmyPDF + Tesseract ``vie``)."""
    import ocrmypdf

    with tempfile.TemporaryDirectory(prefix="intake-") as work:
        source = Path(work) / "in.pdf"
        target = Path(work) / "out.pdf"
        sidecar = Path(work) / "out.txt"
        source.write_bytes(item.scan_pdf or item.data)
        try:
            code = ocrmypdf.ocr(
                source,
                target,
                language=list(getattr(settings, "INTAKE_OCR_LANGUAGES", ["vie"])),
                output_type="pdfa-2",
                pdfa_backend="internal",
                pdf_renderer="sandwich",
                sidecar=sidecar,
                progress_bar=False,
                skip_text=True,
                jobs=ocr_jobs(),
            )
        except ocrmypdf.exceptions.ExitCodeException as exc:
            raise IntakeRefused(
                _("The text could not be read from the scan: %(reason)s")
                % {"reason": str(exc) or type(exc).__name__}
            ) from None
        if code != ocrmypdf.ExitCode.ok or not target.exists():
            raise IntakeRefused(_("The text could not be read from the scan."))
        item.pdf = target.read_bytes()
        item.text = sidecar.read_text(encoding="utf-8") if sidecar.exists() else ""
