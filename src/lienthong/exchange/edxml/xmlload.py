"""Reading untrusted bytes into an XML tree, safely.

- The parser never resolves entities, never loads a DTD and never touches the network.
  ``huge_tree`` is on so that one attachment may exceed libxml2's 10 MB text-node limit
  (a scanned PDF of 30 MB is common): that limit guards against entity expansion, which
  cannot happen here (no DTD is ever read, a DOCTYPE is refused), and the input size is
  capped first.
- A document type declaration is refused outright, before parsing: edXML has none, and
  it is how the billion-laughs and external-entity (XXE) attacks start.
- The input size is capped (``max_bytes``) before anything else is done.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_noop
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no stubs

from .codes import NS
from .errors import EdxmlError

#: Default cap on the size of an envelope.
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
#: At most this many bytes of junk are tolerated before the XML (see ``strip_junk``).
MAX_JUNK = 16
_JUNK = re.compile(rb"^[\x20-\x7e\t\r\n]*$")
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_:]")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_BOM = b"\xef\xbb\xbf"
_LXML_SOURCE = re.compile(r"\s*\(<string>, line \d+\)$")


def _parser() -> etree.XMLParser:
    # A new parser per document: lxml parsers are not meant to be shared across threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
        remove_comments=False,
    )


def strip_junk(data: bytes) -> bytes:
    """The bytes from the first ``<``, when what precedes it is a little printable junk.

    Why: the platform's own sample ``edoc_new.edxml`` starts with ``1212`` before its
    XML declaration (a length or marker written by the tool that saved it), and files
    like it circulate. Those bytes are outside the XML: they carry no field and no
    signature covers them, so dropping them changes nothing that is read or verified.
    Anything longer than ``MAX_JUNK`` bytes, or not printable ASCII (a UTF-16 byte-order
    mark, binary), is not tolerated: that is not an edXML file.

    Raises:
        EdxmlError: no markup at all, or too much or binary junk before it.
    """
    body = data[len(_BOM) :] if data.startswith(_BOM) else data
    start = body.find(b"<")
    if start < 0:
        raise EdxmlError(gettext_noop("This is not XML (no markup)."))
    if start == 0:
        return body
    prefix = body[:start]
    if len(prefix.strip()) <= MAX_JUNK and _JUNK.match(prefix):
        return body[start:]
    raise EdxmlError(
        gettext_noop("This is not XML: %(count)s unexpected bytes before the first tag."),
        count=start,
    )


def load(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse an edXML document and return its ``edXML`` root element.

    Raises:
        EdxmlError: empty, too large, not XML, a DOCTYPE, malformed, or another root.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise EdxmlError(
            gettext_noop("An envelope is bytes, not %(kind)s."), kind=type(data).__name__
        )
    data = bytes(data)
    if not data.strip():
        raise EdxmlError(gettext_noop("The envelope is empty (0 bytes)."))
    if len(data) > max_bytes:
        raise EdxmlError(
            gettext_noop("The envelope is too large: %(size)s bytes, at most %(limit)s."),
            size=len(data),
            limit=max_bytes,
        )
    body = strip_junk(data)
    first = _FIRST_ELEMENT.search(body)
    prolog = body[: first.start()] if first else body
    if _DOCTYPE.search(prolog):
        raise EdxmlError(
            gettext_noop(
                "The envelope declares a DOCTYPE, which edXML never has: refused "
                "(entity expansion and external entities are attacks)."
            )
        )
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as exc:
        # lxml appends "(<string>, line N)": the position is already in the message.
        message = _LXML_SOURCE.sub("", str(exc).splitlines()[0] if str(exc) else "?")
        raise EdxmlError(
            gettext_noop("The envelope is not well-formed XML: %(error)s"), error=message[:200]
        ) from exc
    except ValueError as exc:  # e.g. an encoding lxml cannot use
        raise EdxmlError(
            gettext_noop("The envelope is not well-formed XML: %(error)s"), error=str(exc)[:200]
        ) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise EdxmlError(
            gettext_noop(
                "The envelope declares a DOCTYPE, which edXML never has: refused "
                "(entity expansion and external entities are attacks)."
            )
        )
    if root.tag != f"{{{NS}}}edXML":
        qname = etree.QName(root)
        raise EdxmlError(
            gettext_noop(
                "The root element is %(tag)s (namespace %(namespace)s), not edXML in the "
                "QCVN 102:2016 namespace."
            ),
            tag=qname.localname,
            namespace=qname.namespace or "none",
        )
    return root
