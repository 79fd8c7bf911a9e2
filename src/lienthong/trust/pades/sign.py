"""PAdES signing: B-B up to B-LTA, incremental updates, NĐ 30 visible stamps."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from lienthong.trust.errors import KeyUnavailable, SigningError, TrustError, ValidationFailure
from lienthong.trust.keys import decrypt_private_key
from lienthong.trust.pades import forms, stamps
from lienthong.trust.pades.context import (
    RevocationData,
    asn1_cert,
    asn1_private_key,
    chain_of,
    local_revocation_data,
    node_timestamper,
    validation_context,
)
from lienthong.trust.pades.specs import LEVELS, SignerSpec, StampSpec
from lienthong.trust.pades.tokens import token_session, token_signer

__all__ = ["SignatureField", "sign_pdf", "signature_fields"]

_FIELD_PREFIX = {"person": "Person", "seal": "Seal", "top_right": "Unit"}


@dataclass(frozen=True)
class SignatureField:
    """A signature field found in a PDF."""

    name: str
    page: int | None
    rect: tuple[float, float, float, float] | None
    signed: bool
    is_timestamp: bool = False


def _open(pdf: bytes) -> IncrementalPdfFileWriter:
    if not pdf.lstrip()[:5].startswith(b"%PDF"):
        raise ValidationFailure("not a PDF: the file does not start with %PDF")
    try:
        return IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise ValidationFailure(f"not a PDF (or a damaged one): {exc}") from exc


def _page_count(reader: PdfFileReader) -> int:
    return int(reader.root["/Pages"]["/Count"])


def _page_refs(reader: PdfFileReader) -> dict[int, int]:
    refs: dict[int, int] = {}
    for index in range(_page_count(reader)):
        ref, _ = reader.find_page_for_modification(index)
        refs[ref.idnum] = index
    return refs


def _fields(reader: PdfFileReader) -> list[SignatureField]:
    pages = _page_refs(reader)
    found: list[SignatureField] = []
    for name, value, field_ref in fields.enumerate_sig_fields(reader):
        obj = field_ref.get_object()
        widget = obj
        if "/Rect" not in obj and "/Kids" in obj:
            widget = obj["/Kids"][0].get_object()
        rect: tuple[float, float, float, float] | None = None
        if "/Rect" in widget:
            x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
            rect = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
        page: int | None = None
        raw_page = widget.get_value_as_reference("/P", optional=True)
        if raw_page is not None:
            page = pages.get(raw_page.idnum)
        is_timestamp = False
        if value is not None:
            try:
                is_timestamp = str(value.get_object().get("/Type", "")) == "/DocTimeStamp"
            except (PdfError, AttributeError):
                is_timestamp = False
        found.append(
            SignatureField(
                name=str(name),
                page=page,
                rect=rect,
                signed=value is not None,
                is_timestamp=is_timestamp,
            )
        )
    return found


def signature_fields(pdf: bytes) -> tuple[SignatureField, ...]:
    """The signature fields of ``pdf`` (signed or not), in document order.

    Raises:
        ValidationFailure: ``pdf`` is not a PDF.
    """
    writer = _open(pdf)
    try:
        return tuple(_fields(writer.prev))
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise ValidationFailure(f"the PDF's form cannot be read: {exc}") from exc


def _page_box(reader: PdfFileReader, page: int) -> tuple[float, float, float, float]:
    ref, _ = reader.find_page_for_modification(page)
    obj = ref.get_object()
    node: Any = obj
    while "/MediaBox" not in node and "/Parent" in node:
        node = node["/Parent"].get_object()
    box = node.get("/MediaBox", [0, 0, 595, 842])
    x1, y1, x2, y2 = (float(v) for v in box)
    return (x1, y1, x2, y2)


def _next_field_name(existing: list[SignatureField], kind: str) -> str:
    names = {f.name for f in existing}
    prefix = _FIELD_PREFIX.get(kind, "Signature")
    number = len(existing) + 1
    while f"{prefix}{number}" in names:
        number += 1
    return f"{prefix}{number}"


def _whole(box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = (round(v) for v in box)
    return (x1, y1, x2, y2)


def _appearance(
    reader: PdfFileReader,
    existing: list[SignatureField],
    stamp: StampSpec,
    signed_at: Any,
) -> tuple[int, tuple[int, int, int, int], Any]:
    """(page index, field box in whole points, pyHanko stamp style) for ``stamp``."""
    pages = _page_count(reader)
    if stamp.kind == "top_right":
        page = 0
        lines = [*stamp.text_lines, stamps.format_signing_time(signed_at)]
        box = _whole(stamp.box or stamps.top_right_box(_page_box(reader, 0), lines=len(lines)))
        picture = stamps.render_top_right(box=box, lines=lines)
        return page, box, stamps.stamp_style(picture, box)
    if stamp.kind == "seal":
        persons = [
            f
            for f in existing
            if f.signed and f.rect is not None and f.name.startswith(_FIELD_PREFIX["person"])
        ]
        if stamp.box is not None:
            page = stamp.page % pages
            box = _whole(stamp.box)
        elif persons:
            target = persons[-1]
            assert target.rect is not None
            page = target.page if target.page is not None else pages - 1
            box = _whole(stamps.seal_box_over(target.rect, seal_width_mm=stamp.image_width_mm))
        else:
            raise SigningError("The seal is placed over a person's signature; none was found")
        picture = stamps.render_seal(box=box, seal_png=stamp.image_png)
        return page, box, stamps.stamp_style(picture, box)
    page = stamp.page % pages
    if stamp.box is not None:
        box = _whole(stamp.box)
    else:
        _x1, y1, x2, _ = _page_box(reader, page)
        right = x2 - 20 * stamps.MM
        box = _whole((right - 200.0, y1 + 25 * stamps.MM, right, y1 + 25 * stamps.MM + 150.0))
    picture = stamps.render_person(
        box=box,
        title=stamp.title,
        name=stamp.name,
        signature_png=stamp.image_png,
        signed_at=signed_at,
    )
    return page, box, stamps.stamp_style(picture, box)


def sign_pdf(
    *,
    pdf: bytes,
    signer: SignerSpec,
    stamp: StampSpec | None = None,
    level: str = "B-LTA",
    field_name: str | None = None,
    reason: str = "",
    location: str = "",
    revocation: RevocationData | None = None,
    fill_fields: Mapping[str, str] | None = None,
) -> bytes:
    """Sign ``pdf`` with a PAdES signature and return the signed file.

    The signature is an incremental update: earlier signatures stay valid, so a person
    signs first and the unit's seal follows (vn-rules.md §1.9).

    Args:
        pdf: the document.
        signer: the certificate and how to reach its key.
        stamp: the visible appearance; ``None`` for an invisible signature.
        level: ``B-B``, ``B-T`` (with the node's timestamp), ``B-LT`` (plus the chain
            and our CRLs embedded) or ``B-LTA`` (plus a document timestamp).
        field_name: the signature field; a new one is made when absent.
        reason: the reason recorded in the signature.
        location: the place recorded in the signature.
        revocation: extra CRLs/OCSP responses to embed (the node's own are added).
        fill_fields: text fields to fill in the revision this signature signs (the
            number and date of issue, vn-rules.md §1.4): form filling leaves earlier
            signatures valid and this one covers the values. Names the PDF lacks are
            skipped (see ``forms.fill_text_fields``).

    Returns:
        The signed PDF.

    Raises:
        ValidationFailure: ``pdf`` is not a PDF.
        KeyUnavailable: the key cannot be used (token absent, wrong PIN, not held).
        SigningError: anything else that stops the signature.
    """
    if level not in LEVELS:
        raise SigningError(f"Unknown PAdES level {level!r}; use one of {', '.join(LEVELS)}")
    writer = _open(pdf)
    certificate = signer.certificate
    cert = asn1_cert(certificate.pem)
    chain = [asn1_cert(c.pem) for c in chain_of(certificate)]
    root = chain[-1] if chain else cert
    try:
        existing = _fields(writer.prev)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise ValidationFailure(f"the PDF's form cannot be read: {exc}") from exc
    if fill_fields:
        forms.fill_text_fields(writer, fill_fields)
    signed_at = timezone.now()
    name = field_name or _next_field_name(existing, stamp.kind if stamp else "signature")

    new_field_spec = None
    style = None
    if stamp is not None:
        try:
            page, box, style = _appearance(writer.prev, existing, stamp, signed_at)
        except (PdfError, KeyError, TypeError) as exc:
            raise SigningError(f"The stamp cannot be placed: {exc}") from exc
        new_field_spec = fields.SigFieldSpec(sig_field_name=name, on_page=page, box=box)

    timestamper = None
    tsa_chain: list[Any] = []
    if level != "B-B":
        timestamper, tsa_chain = node_timestamper()
    context = None
    if level in {"B-LT", "B-LTA"}:
        evidence = local_revocation_data()
        if revocation is not None:
            evidence = evidence.merged(revocation)
        context = validation_context(
            trust_roots=[root],
            other_certs=[cert, *chain, *tsa_chain],
            revocation=evidence,
            revocation_mode="hard-fail",
        )
    meta = signers.PdfSignatureMetadata(
        field_name=name,
        reason=reason or None,
        location=location or None,
        name=certificate.common_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        embed_validation_info=context is not None,
        use_pades_lta=level == "B-LTA",
        validation_context=context,
    )

    def run(pyhanko_signer: Any) -> bytes:
        pdf_signer = signers.PdfSigner(
            meta,
            signer=pyhanko_signer,
            timestamper=timestamper,
            stamp_style=style,
            new_field_spec=new_field_spec,
        )
        output = async_to_sync(pdf_signer.async_sign_pdf)(writer)
        return bytes(output.getvalue())

    try:
        if signer.token is not None:
            with token_session(signer.token) as session:
                return run(token_signer(session, token=signer.token, certificate=cert, chain=chain))
        key_row = certificate.key
        if key_row is None or key_row.encrypted_pkcs8 is None:
            raise KeyUnavailable(
                f"The key of {certificate.common_name} is not held encrypted on this node"
            )
        private = decrypt_private_key(bytes(key_row.encrypted_pkcs8))
        simple = signers.SimpleSigner(
            signing_cert=cert,
            signing_key=asn1_private_key(private),
            cert_registry=SimpleCertificateStore.from_certs(chain),
        )
        return run(simple)
    except TrustError:
        raise
    except PyHankoSigningError as exc:
        raise SigningError(f"The PDF could not be signed: {exc}") from exc
    except Exception as exc:  # pyHanko and certvalidator raise many types; none leak.
        raise SigningError(f"The PDF could not be signed: {type(exc).__name__}: {exc}") from exc
