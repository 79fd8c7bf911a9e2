"""Attachments on the wire: one file, zipped, then base64 (vn-rules.md §3.2).

Reading is defensive: the zip comes from another system and may be a bomb (a small
archive that inflates to gigabytes), may lie about its sizes, or may carry a file name
that climbs out of a directory. Each of those is refused with a reason.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from .codes import ZIP_TYPES
from .errors import EdxmlError

#: The longest base64 text of one attachment a built envelope may carry (about 70 MB of
#: zipped file): under the envelope cap (``xmlload.DEFAULT_MAX_BYTES``) with room for
#: the header, so every lienthong node can read it back.
MAX_ENCODED_CHARS = 95_000_000
#: Default cap on the total unzipped size of the attachments of one envelope.
DEFAULT_MAX_UNZIPPED_BYTES = 256 * 1024 * 1024
#: Default cap on the inflation ratio of an entry (uncompressed / compressed) ...
DEFAULT_MAX_RATIO = 200
#: ... applied once an entry is larger than this (small files may compress very well).
RATIO_FLOOR_BYTES = 1024 * 1024
_CHUNK = 1024 * 1024
_WHITESPACE = re.compile(rb"\s+")
_FORBIDDEN_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")

#: Media types by extension: a fixed table, so the guess is the same on every machine.
_BY_EXTENSION = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "rtf": "application/rtf",
    "txt": "text/plain",
    "csv": "text/csv",
    "xml": "application/xml",
    "edxml": "application/xml",
    "html": "text/html",
    "htm": "text/html",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "zip": "application/zip",
    "rar": "application/vnd.rar",
    "7z": "application/x-7z-compressed",
    "p7s": "application/pkcs7-signature",
    "sig": "application/pkcs7-signature",
}
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"<?xml", "application/xml"),
)
_GENERIC = "application/octet-stream"


@dataclass
class Budget:
    """What is left of the unzipped-size allowance of one envelope."""

    remaining: int
    max_ratio: int = DEFAULT_MAX_RATIO


def check_name(name: str) -> str:
    """Return ``name`` when it is a plain file name; refuse paths and control characters.

    Raises:
        EdxmlError: empty, ``.``/``..``, a separator, a drive or a control character.
    """
    if not name.strip():
        raise EdxmlError(gettext_noop("An attachment has no name."))
    if name.strip() in {".", ".."} or _FORBIDDEN_NAME.search(name) or re.match(r"^[A-Za-z]:", name):
        raise EdxmlError(
            gettext_noop("The attachment name %(name)s is a path, not a file name."),
            name=repr(name[:80]),
        )
    return name


def encode(name: str, data: bytes) -> str:
    """The wire form of a file: a zip holding it under its own name, in base64.

    Raises:
        EdxmlError: the name is not a plain file name, or the result is too large to be
            read back under the envelope size cap.
    """
    check_name(name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # A fixed time stamp: the same file always gives the same envelope bytes.
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, data)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    if len(encoded) > MAX_ENCODED_CHARS:
        raise EdxmlError(
            gettext_noop(
                "The attachment %(name)s is too large for one envelope "
                "(%(size)s characters encoded, at most %(limit)s)."
            ),
            name=name,
            size=len(encoded),
            limit=MAX_ENCODED_CHARS,
        )
    return encoded


def decode(text: str, *, name: str, budget: Budget) -> bytes:
    """The file inside an attachment's wire form.

    Raises:
        EdxmlError: not base64, not a zip, not exactly one file, a path as entry name,
            encrypted, over the size or ratio allowance, or damaged (CRC).
    """
    raw = _WHITESPACE.sub(b"", text.encode("ascii", errors="replace"))
    if not raw:
        raise EdxmlError(gettext_noop("The attachment %(name)s is empty."), name=name)
    try:
        packed = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EdxmlError(
            gettext_noop("The attachment %(name)s is not valid base64."), name=name
        ) from exc
    try:
        archive = zipfile.ZipFile(io.BytesIO(packed))
    except Exception as exc:  # zipfile raises many kinds on hostile bytes (struct, zlib…)
        raise EdxmlError(
            gettext_noop("The attachment %(name)s is not a zip archive."), name=name
        ) from exc
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        if len(entries) != 1:
            raise EdxmlError(
                gettext_noop("The zip of attachment %(name)s holds %(count)s files, not one."),
                name=name,
                count=len(entries),
            )
        entry = entries[0]
        _check_entry(entry, name=name, budget=budget)
        return _inflate(archive, entry, name=name, budget=budget)


def _check_entry(entry: zipfile.ZipInfo, *, name: str, budget: Budget) -> None:
    entry_name = entry.filename
    parts = re.split(r"[/\\]", entry_name)
    if (
        entry_name.startswith(("/", "\\"))
        or re.match(r"^[A-Za-z]:", entry_name)
        or ".." in parts
        or re.search(r"[\x00-\x1f\x7f]", entry_name)
    ):
        raise EdxmlError(
            gettext_noop("The zip of attachment %(name)s holds a path that climbs out: %(entry)s"),
            name=name,
            entry=repr(entry_name[:80]),
        )
    if entry.flag_bits & 0x1:
        raise EdxmlError(gettext_noop("The zip of attachment %(name)s is encrypted."), name=name)
    _check_size(entry.file_size, entry.compress_size, name=name, budget=budget)


def _check_size(size: int, compressed: int, *, name: str, budget: Budget) -> None:
    if size > budget.remaining:
        raise EdxmlError(
            gettext_noop(
                "The attachments unzip to more than the allowed %(limit)s bytes "
                "(at %(name)s): refused as a possible zip bomb."
            ),
            name=name,
            limit=budget.remaining,
        )
    if size > RATIO_FLOOR_BYTES and size > budget.max_ratio * max(compressed, 1):
        raise EdxmlError(
            gettext_noop(
                "The zip of attachment %(name)s inflates more than %(ratio)s times: "
                "refused as a possible zip bomb."
            ),
            name=name,
            ratio=budget.max_ratio,
        )


def _inflate(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, *, name: str, budget: Budget
) -> bytes:
    out = bytearray()
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(_CHUNK):
                out += chunk
                # The sizes in the directory may lie: count what really comes out.
                _check_size(len(out), entry.compress_size, name=name, budget=budget)
    except EdxmlError:
        raise
    except Exception as exc:  # BadZipFile (CRC), zlib.error, EOFError, NotImplementedError…
        raise EdxmlError(
            gettext_noop("The zip of attachment %(name)s is damaged or uses an unknown method."),
            name=name,
        ) from exc
    budget.remaining -= len(out)
    return bytes(out)


def guess_type(name: str, data: bytes) -> str:
    """A file's media type from its extension, else from its first bytes."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in _BY_EXTENSION:
        return _BY_EXTENSION[extension]
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    return _GENERIC


def resolve_type(declared: list[str], name: str, data: bytes) -> str:
    """The real media type of an attachment.

    The first declared type that is not the zip wrapper wins (a lienthong envelope, and
    the VPCP SDK's builder, put the file's type in the manifest and ``application/zip``
    in AttachmentEncoded); when every declaration is the wrapper (the platform's
    samples), the type is guessed from the name, then from the content.
    """
    for media_type in declared:
        cleaned = media_type.strip().lower()
        if cleaned and cleaned not in ZIP_TYPES:
            return cleaned
    return guess_type(name, data)
