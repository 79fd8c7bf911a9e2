"""The text layer of a publication's PDF, for search.

The documents app gets a scan's text from OCRmyPDF's sidecar (``documents.intake``);
a publication arrives as a born-digital PDF whose text layer is read with pypdfium2
(PDFium, already a dependency for reading scans: pyproject.toml), never by parsing PDF
ourselves (DESIGN.md "Do not hand-write … PDF internals").
"""

from __future__ import annotations

import logging
import unicodedata

__all__ = ["MAX_TEXT", "pdf_text"]

logger = logging.getLogger(__name__)

#: The most text kept of one PDF (a long resolution is about 100 000 characters).
MAX_TEXT = 1_000_000


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, NFC, whitespace collapsed ("" when it has none
    or cannot be read: a scan without a text layer is still a valid publication).

    Args:
        data: the PDF's bytes (already checked to be a PDF).
    """
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        logger.warning("library: the PDF's text layer could not be read")
        return ""
    parts: list[str] = []
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            try:
                parts.append(textpage.get_text_range())
            finally:
                textpage.close()
                page.close()
    finally:
        document.close()
    text = " ".join(unicodedata.normalize("NFC", " ".join(parts)).split())
    return text[:MAX_TEXT]
