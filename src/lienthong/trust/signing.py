"""Signing PDFs as an interrupted flow (STYLE habit 20): prepare, then complete.

``signature_request_create`` stores the document and checks who may sign with which
certificate; ``signature_request_sign`` is the signer's own act (a second factor, the
token's PIN) and produces the signed PDF. A browser, a PKCS#11 token on the server or a
remote signer all go through these two steps.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput, PermissionDenied
from lienthong.trust import pades
from lienthong.trust.choices import CertificateProfile, CertificateStatus
from lienthong.trust.errors import CertificateError, SigningError, TrustError
from lienthong.trust.models import Certificate, SignatureRequest, StampImage

__all__ = ["signature_request_create", "signature_request_sign", "stamp_for"]

_PENDING = {SignatureRequest.State.PREPARED, SignatureRequest.State.AWAITING_SIGNER}
_UNIT_KINDS = {
    SignatureRequest.Kind.SEAL,
    SignatureRequest.Kind.ATTACHMENT,
    SignatureRequest.Kind.COPY,
}


def _check_certificate(certificate: Certificate) -> None:
    status = certificate.status
    if status == CertificateStatus.REVOKED:
        raise CertificateError(_("This certificate is revoked; it cannot sign."))
    if status == CertificateStatus.EXPIRED:
        raise CertificateError(_("This certificate has expired; it cannot sign."))
    if status == CertificateStatus.NOT_YET_VALID:
        raise CertificateError(_("This certificate is not valid yet."))


def signature_request_create(
    *,
    actor: Actor,
    unit: Any,
    signer: Any,
    certificate: Certificate,
    kind: str,
    title: str,
    pdf: bytes,
    options: dict[str, Any],
) -> SignatureRequest:
    """Prepare one signature on one PDF (state ``prepared``).

    vn-rules.md §1.9: a person signs with their own certificate; the unit's seal (and
    the unit's signature on attachments and electronic copies) uses the unit's
    certificate, and the clerk seals only documents already signed by a person.

    Args:
        actor: who asks (usually the signer or the clerk).
        unit: the unit the document is signed for.
        signer: the person who will complete the signature.
        certificate: the certificate to sign with.
        kind: a ``SignatureRequest.Kind`` value.
        title: what the document is ("Công văn số 12/CV-ĐU").
        pdf: the document.
        options: ``level`` (``B-LTA`` by default), ``visible`` (True), ``title_line``
            and ``name`` (person stamp), ``text_lines`` (attachment/copy), ``reason``,
            ``location``, ``fill_fields`` (text fields to fill in the revision this
            signature signs: the number and date given at issue, vn-rules.md §1.4).

    Raises:
        InvalidInput: unknown kind or level, or not a PDF.
        CertificateError: the certificate is revoked, expired, not the signer's (person)
            or not the unit's (seal), or the document is not signed yet (seal).
    """
    if kind not in SignatureRequest.Kind.values:
        raise InvalidInput(_("Unknown kind of signature."))
    level = str(options.get("level", "B-LTA"))
    if level not in pades.LEVELS:
        raise InvalidInput(_("Unknown signature level %(level)s.") % {"level": level})
    if not title.strip():
        raise InvalidInput(_("Give the document a title."))
    _check_certificate(certificate)
    if kind == SignatureRequest.Kind.PERSON:
        if (
            certificate.profile != CertificateProfile.PERSON_SIGNING
            or certificate.holder_user_id != signer.pk
        ):
            raise CertificateError(_("A person signs only with their own signing certificate."))
    elif certificate.profile != CertificateProfile.UNIT_SEAL or certificate.holder_unit_id != (
        unit.pk
    ):
        raise CertificateError(_("The unit's signature needs the unit's seal certificate."))
    try:
        fields = pades.signature_fields(pdf)
    except TrustError as exc:
        raise InvalidInput(_("The file is not a PDF.")) from exc
    if kind == SignatureRequest.Kind.SEAL and not any(
        f.signed and not f.is_timestamp for f in fields
    ):
        raise CertificateError(
            _("The seal is applied only to a document already signed by the person in charge.")
        )
    requester: Any = actor if isinstance(actor, AbstractBaseUser) else signer
    with transaction.atomic():
        request = SignatureRequest(
            unit=unit,
            kind=kind,
            requested_by=requester,
            signer=signer,
            certificate=certificate,
            title=title.strip()[:300],
            options={**options, "level": level},
        )
        request.input_pdf.save(f"{uuid.uuid4().hex}.pdf", ContentFile(pdf), save=False)
        request.full_clean()
        request.save()
        record(
            actor=actor,
            verb="signature.prepare",
            target=request,
            data={"kind": kind, "certificate": certificate.serial_number, "level": level},
        )
    return request


def _image(**filters: Any) -> StampImage | None:
    return StampImage.objects.filter(is_active=True, **filters).order_by("-created_at").first()


def _read(image: StampImage | None) -> bytes | None:
    if image is None:
        return None
    with image.image.open("rb") as handle:
        data: bytes = handle.read()
    return data


def stamp_for(request: SignatureRequest) -> pades.StampSpec | None:
    """The visible stamp of a request, following NĐ 30 (vn-rules.md §1.9)."""
    options = request.options or {}
    if not options.get("visible", True):
        return None
    if request.kind == SignatureRequest.Kind.PERSON:
        image = _image(kind=StampImage.Kind.SIGNATURE, holder_user=request.signer)
        signer: Any = request.signer
        # A rendered document leaves the signer block empty and says where it is
        # ("box" in PDF points, "page"), so the stamp lands in box 7c (NĐ 30).
        box = options.get("box")
        return pades.StampSpec(
            kind="person",
            title=str(options.get("title_line", "")),
            name=str(options.get("name") or signer.full_name or signer.get_username()),
            image_png=_read(image),
            page=int(options.get("page", -1)),
            box=(float(box[0]), float(box[1]), float(box[2]), float(box[3])) if box else None,
        )
    if request.kind == SignatureRequest.Kind.SEAL:
        image = _image(kind=StampImage.Kind.SEAL, holder_unit=request.unit)
        if image is None:
            raise SigningError(_("The unit has no seal image: upload one first."))
        return pades.StampSpec(
            kind="seal", image_png=_read(image), image_width_mm=float(image.width_mm)
        )
    lines = options.get("text_lines") or [request.title]
    if request.kind == SignatureRequest.Kind.COPY and options.get("copy_form"):
        lines = [str(options["copy_form"]), *lines]
    return pades.StampSpec(kind="top_right", text_lines=tuple(str(x) for x in lines))


def _fail(request: SignatureRequest, actor: Actor, error: str) -> None:
    with transaction.atomic():
        request.state = SignatureRequest.State.FAILED
        request.error = error[:2000]
        request.save(update_fields=["state", "error", "updated_at"])
        record(actor=actor, verb="signature.fail", target=request, data={"error": error[:500]})


def signature_request_sign(
    *,
    actor: Actor,
    request: SignatureRequest,
    second_factor_verified: bool,
    token_pin: str | None = None,
) -> SignatureRequest:
    """Complete a prepared signature: sign the PDF and keep the signed file.

    Args:
        actor: the signer.
        request: a prepared request.
        second_factor_verified: the signer gave a second factor in this session (issue
            #3 scope 7: required for people who hold a signing role).
        token_pin: the PIN of the token, when the key is on a PKCS#11 token.

    Returns:
        The request, ``completed`` with ``output_pdf``.

    Raises:
        PermissionDenied: the actor is not the signer, or no second factor was given.
        SigningError: the request is not pending, or signing failed; the request is
            then stored as ``failed`` with the error.
    """
    from lienthong.trust.second_factor import requires_second_factor

    if isinstance(actor, AbstractBaseUser) and actor.pk != request.signer_id:
        raise PermissionDenied(_("Only the signer can sign this document."))
    if requires_second_factor(request.signer) and not second_factor_verified:
        raise PermissionDenied(_("Signing needs your second factor (authenticator code)."))
    if request.state not in _PENDING:
        raise SigningError(_("This signature request is no longer waiting for a signature."))
    certificate = request.certificate
    try:
        _check_certificate(certificate)
        with request.input_pdf.open("rb") as handle:
            pdf = handle.read()
        options = request.options or {}
        signed = pades.sign_pdf(
            pdf=pdf,
            signer=pades.SignerSpec.for_certificate(certificate, pin=token_pin),
            stamp=stamp_for(request),
            level=str(options.get("level", "B-LTA")),
            reason=str(options.get("reason", "")),
            location=str(options.get("location", "")),
            fill_fields={
                str(name): str(value) for name, value in (options.get("fill_fields") or {}).items()
            },
        )
    except TrustError as exc:
        _fail(request, actor, str(exc))
        raise
    with transaction.atomic():
        request.output_pdf.save(f"{uuid.uuid4().hex}.pdf", ContentFile(signed), save=False)
        request.state = SignatureRequest.State.COMPLETED
        request.completed_at = timezone.now()
        request.error = ""
        request.save()
        record(
            actor=actor,
            verb="signature.complete",
            target=request,
            data={
                "kind": request.kind,
                "certificate": certificate.serial_number,
                "level": str((request.options or {}).get("level", "B-LTA")),
            },
        )
    return request
