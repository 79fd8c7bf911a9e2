"""The contract every intake step keeps (issue #7 scope 1).

A step is a callable ``step(item) -> None`` that reads and fills an ``IntakeItem``:

- it either completes (and may add ``warnings``) or raises ``IntakeRefused`` with a
  reason a clerk can act on; it never half-writes anything outside the item;
- it runs in a task worker, never in a web request; it may take seconds (OCR);
- steps run in order; a later step may rely on what the earlier ones set (``kind``
  after preflight, ``dpi`` after quality, ``scan_pdf`` after convert, ``pdf`` and
  ``text`` after OCR).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

__all__ = ["IntakeItem", "IntakeRefused"]


class IntakeRefused(Exception):
    """A step stops the intake: ``reason`` says why (shown to the clerk, logged)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class IntakeItem:
    """One file on its way in, and what the steps found and made."""

    data: bytes
    name: str
    #: "pdf", "png", "jpeg" or "tiff" once the preflight has sniffed the content.
    kind: str = ""
    #: The lowest resolution of the scan's images, when known (dots per inch).
    dpi: int | None = None
    #: The scan as a PDF: the file itself, or its images one page each (``convert``).
    scan_pdf: bytes = b""
    #: The searchable PDF/A-2b made from the scan.
    pdf: bytes = b""
    #: The text of the text layer, for search.
    text: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        """The content hash of the original scan (kept next to the PDF/A)."""
        return hashlib.sha256(self.data).hexdigest()
