"""Pages of the trust app: the second factor, certificates and their administration,
stamp images, signing a PDF and validating one.

Views stay thin (STYLE habit 7): they parse a form, resolve every id through a selector
restricted to the person (out of scope answers 404, STYLE habit 6), call one service and
render. Signing is the interrupted flow of ``SignatureRequest``: upload → request created
→ the signer presses "Sign" in a session verified by a second factor → signed PDF.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import django_otp
import segno
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lienthong.core.errors import ApplicationError
from lienthong.core.permissions import user_can
from lienthong.org import selectors as org_selectors
from lienthong.org.models import Membership
from lienthong.org.views import login_required
from lienthong.trust import second_factor, selectors, services
from lienthong.trust.choices import CertificateProfile
from lienthong.trust.forms import (
    CertificateIssueForm,
    CertificateSearchForm,
    CodeForm,
    RevokeForm,
    SignForm,
    SigningRequestForm,
    StampImageForm,
    ValidationForm,
)
from lienthong.trust.models import SignatureRequest, StampImage
from lienthong.trust.stamp_images import stamp_image_upload

#: The most certificates a search lists at once.
LIST_LIMIT = 200

#: How each bottom-line verdict is shown: CSS class, symbol, words. Colour is never the
#: only signal (WCAG 1.4.1): a symbol and a sentence say the same thing.
VERDICTS: dict[str, tuple[str, str]] = {
    "valid": ("verdict-valid", "✔"),
    "valid_with_warnings": ("verdict-warning", "!"),
    "invalid": ("verdict-invalid", "✘"),
    "unknown": ("verdict-unknown", "?"),
    "unsigned": ("verdict-unsigned", "\u2013"),  # an en dash: "nothing to judge"
}


def _verdict_text(verdict: str) -> tuple[str, str]:
    texts = {
        "valid": (
            _("Valid"),
            _("Every signature is intact, trusted and was not revoked when it was made."),
        ),
        "valid_with_warnings": (
            _("Valid with warnings"),
            _("The signatures are intact, but some details need your attention."),
        ),
        "invalid": (
            _("Invalid"),
            _("At least one signature is broken, untrusted or made with a revoked certificate."),
        ),
        "unknown": (
            _("Cannot be determined"),
            _("Some evidence is missing (revocation data, a trust anchor)."),
        ),
        "unsigned": (_("Not signed"), _("This PDF carries no signature.")),
    }
    return texts.get(verdict, texts["unknown"])


def _next_url(request: HttpRequest, default: str) -> str:
    """The ``next`` parameter when it points inside this site, else ``default``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _error(exc: ApplicationError) -> str:
    return str(exc.message)


# --- Home ---------------------------------------------------------------------------


@login_required
@require_GET
def trust_home(request: HttpRequest) -> HttpResponse:
    """The digital signatures home: what the person can do here."""
    user = request.user
    context = {
        "has_device": second_factor.has_device(user),
        "requires_second_factor": second_factor.requires_second_factor(user),
        "can_sign": selectors.signing_certificates(user=user).exists(),
        "can_administer": user_can(user, "trust.change_certificate"),
        "my_certificates": selectors.certificate_mine(user=user)[:5],
    }
    return render(request, "trust/home.html", context)


# --- Second factor ------------------------------------------------------------------


def _qr_svg(url: str) -> str:
    """The otpauth:// address as an inline SVG QR code (server-side: no script, no CDN)."""
    svg: str = segno.make(url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title=_("QR code for the authenticator app")
    )
    return svg


def _grouped_secret(device: Any) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode("ascii")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code and secret, confirm with a code, then the
    backup codes (shown once)."""
    user = request.user
    next_url = _next_url(request, reverse("trust-home"))
    if second_factor.has_device(user):
        return render(
            request,
            "trust/second_factor_status.html",
            {"next": next_url, "verified": user.is_verified()},  # type: ignore[union-attr]
        )
    device = second_factor.totp_enrol_start(actor=user, user=user)  # type: ignore[arg-type]
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if second_factor.totp_enrol_confirm(actor=user, user=user, device=device, code=code):  # type: ignore[arg-type]
            device.refresh_from_db()
            django_otp.login(request, device)
            return render(
                request,
                "trust/second_factor_backup_codes.html",
                {"codes": second_factor.backup_codes(user), "next": next_url},
            )
        form.add_error("code", _("This code is not right. Check the time on your phone."))
    return render(
        request,
        "trust/second_factor_enrol.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": _grouped_secret(device),
            "next": next_url,
            "must": second_factor.requires_second_factor(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    """Ask for a code from the app (or a backup code) and mark the session verified."""
    user = request.user
    next_url = _next_url(request, reverse("trust-home"))
    if not second_factor.has_device(user):
        return redirect(f"{reverse('trust-2fa-enrol')}?{urlencode({'next': next_url})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.is_throttled(user):
            form.add_error("code", _("Too many wrong codes. Wait a minute, then try again."))
        else:
            device = second_factor.match_code(user, form.cleaned_data["code"])
            if device is not None:
                django_otp.login(request, device)
                messages.success(request, _("Second factor confirmed."))
                return redirect(next_url)
            if second_factor.is_throttled(user):
                form.add_error("code", _("Too many wrong codes. Wait a minute, then try again."))
            else:
                form.add_error("code", _("This code is not right."))
    return render(request, "trust/second_factor_verify.html", {"form": form, "next": next_url})


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """An IT officer removes the authenticator of a person who lost it (with
    confirmation); the person enrols again."""
    person = org_selectors.user_get(user=request.user, pk=pk, action="change")
    if request.method == "POST":
        try:
            second_factor.totp_reset(actor=request.user, user=person)  # type: ignore[arg-type]
        except ApplicationError as exc:
            messages.error(request, _error(exc))
        else:
            messages.success(
                request, _("The second factor of %(name)s was reset.") % {"name": person}
            )
        return redirect("person-detail", pk=person.pk)
    return render(
        request,
        "trust/second_factor_reset.html",
        {"person": person, "has_device": second_factor.has_device(person)},
    )


# --- Certificates -------------------------------------------------------------------


@login_required
@require_GET
def certificate_mine(request: HttpRequest) -> HttpResponse:
    """The person's own certificates with their status, and their signature image."""
    return render(
        request,
        "trust/certificate_mine.html",
        {
            "certificates": selectors.certificate_mine(user=request.user),
            "signature_images": selectors.stamp_image_list(user=request.user).filter(
                kind=StampImage.Kind.SIGNATURE, is_active=True
            ),
        },
    )


@login_required
@require_GET
def certificate_list(request: HttpRequest) -> HttpResponse:
    """Certificates of the units in the person's scope, searchable (IT officers)."""
    form = CertificateSearchForm(request.GET or None)
    query, status = "", ""
    if form.is_bound and form.is_valid():
        query, status = form.cleaned_data["q"], form.cleaned_data["status"]
    certificates = list(
        selectors.certificate_search(user=request.user, query=query, status=status)[
            : LIST_LIMIT + 1
        ]
    )
    context = {
        "form": form,
        "certificates": certificates[:LIST_LIMIT],
        "truncated": len(certificates) > LIST_LIMIT,
        "can_issue": user_can(request.user, "trust.add_certificate"),
        "authorities": _authorities(),
    }
    if getattr(request, "htmx", False):
        return render(request, "trust/_certificate_rows.html", context)
    return render(request, "trust/certificate_list.html", context)


def _authorities() -> list[Any]:
    from lienthong.trust.models import CertificateAuthority

    return list(CertificateAuthority.objects.select_related("certificate").order_by("name"))


@login_required
@require_http_methods(["GET", "POST"])
def certificate_issue(request: HttpRequest) -> HttpResponse:
    """Issue a person's signing certificate or a unit's seal from the node's issuing CA."""
    user = request.user
    authority = selectors.issuing_authority()
    form = CertificateIssueForm(request.POST or None, user=user)
    if not form.fields["holder_unit"].queryset.exists():  # type: ignore[attr-defined]
        raise Http404
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if authority is None:
            messages.error(request, _("This node has no issuing CA yet (lienthong ca init)."))
        else:
            import datetime as dt

            unit, person = data["holder_unit"], data["holder_user"]
            if data["profile"] == CertificateProfile.PERSON_SIGNING:
                subject = services.SubjectSpec(
                    common_name=person.full_name or person.username,
                    organization=unit.name,
                    email=person.email,
                )
            else:
                subject = services.SubjectSpec(common_name=unit.name, organization=unit.name)
            try:
                certificate = services.certificate_issue(
                    actor=user,  # type: ignore[arg-type]
                    authority=authority,
                    profile=data["profile"],
                    subject=subject,
                    holder_user=person,
                    holder_unit=unit,
                    validity=dt.timedelta(days=data["validity_days"]),
                )
            except ApplicationError as exc:
                messages.error(request, _error(exc))
            else:
                messages.success(request, _("The certificate was issued."))
                return redirect("trust-certificate-detail", pk=certificate.pk)
    return render(request, "trust/certificate_issue.html", {"form": form, "authority": authority})


@login_required
@require_GET
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One certificate: subject, issuer, serial, validity, status, holder; the actions
    the person may take on it."""
    certificate = selectors.certificate_get(user=request.user, pk=pk)
    can_change = (
        selectors.certificate_list(user=request.user, action="change")
        .filter(pk=certificate.pk)
        .exists()
    )
    holder_resettable = bool(
        certificate.holder_user_id
        and org_selectors.user_list(user=request.user, action="change")
        .filter(pk=certificate.holder_user_id)
        .exists()
    )
    return render(
        request,
        "trust/certificate_detail.html",
        {
            "certificate": certificate,
            "can_change": can_change,
            "holder_resettable": holder_resettable,
            "renewals": selectors.certificate_list(user=request.user).filter(
                renewed_from=certificate
            ),
        },
    )


@login_required
@require_GET
def certificate_pem(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the certificate (PEM): public data, but only within the person's scope."""
    certificate = selectors.certificate_get(user=request.user, pk=pk)
    response = HttpResponse(certificate.pem, content_type="application/x-pem-file")
    name = slugify(certificate.common_name) or "certificate"
    response["Content-Disposition"] = f'attachment; filename="{name}-{certificate.pk}.pem"'
    return response


@login_required
@require_POST
def certificate_renew(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a successor of a certificate (same holder and subject)."""
    certificate = selectors.certificate_get(user=request.user, pk=pk, action="change")
    try:
        renewed = services.certificate_renew(actor=request.user, certificate=certificate)  # type: ignore[arg-type]
    except ApplicationError as exc:
        messages.error(request, _error(exc))
        return redirect("trust-certificate-detail", pk=certificate.pk)
    messages.success(request, _("The certificate was renewed."))
    return redirect("trust-certificate-detail", pk=renewed.pk)


@login_required
@require_http_methods(["GET", "POST"])
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke a certificate with a reason, after an explicit confirmation; the CRL is
    published at once."""
    certificate = selectors.certificate_get(user=request.user, pk=pk, action="change")
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_revoke(
                actor=request.user,  # type: ignore[arg-type]
                certificate=certificate,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            messages.error(request, _error(exc))
        else:
            messages.success(
                request, _("The certificate was revoked and the revocation list published.")
            )
        return redirect("trust-certificate-detail", pk=certificate.pk)
    return render(
        request, "trust/certificate_revoke.html", {"certificate": certificate, "form": form}
    )


# --- Stamp images -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def stamp_images(request: HttpRequest) -> HttpResponse:
    """Upload one's handwritten signature image, or a unit's seal image (PNG only)."""
    form = StampImageForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            stamp_image_upload(
                actor=request.user,  # type: ignore[arg-type]
                kind=data["kind"],
                data=form.image_bytes,
                holder_user=request.user,
                holder_unit=data.get("unit"),
            )
        except ApplicationError as exc:
            form.add_error("image", _error(exc))
        else:
            messages.success(request, _("The image was saved."))
            return redirect("trust-stamp-images")
    images = selectors.stamp_image_list(user=request.user).filter(is_active=True)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "trust/stamp_images.html", {"form": form, "images": images}, status=status
    )


@login_required
@require_GET
def stamp_image_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The PNG of a stamp image the person may see (for the preview)."""
    image = selectors.stamp_image_list(user=request.user).filter(pk=pk).first()
    if image is None:
        raise Http404
    with image.image.open("rb") as handle:
        return HttpResponse(handle.read(), content_type="image/png")


# --- Signing ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def signing(request: HttpRequest) -> HttpResponse:
    """Upload a PDF and choose the certificate: a signature request is created."""
    user: Any = request.user
    form = SigningRequestForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        from lienthong.trust import signing as signing_services

        certificate = form.cleaned_data["certificate"]
        kind = (
            SignatureRequest.Kind.PERSON
            if certificate.profile == CertificateProfile.PERSON_SIGNING
            else SignatureRequest.Kind.SEAL
        )
        try:
            signature_request = signing_services.signature_request_create(
                actor=user,
                unit=certificate.holder_unit,
                signer=user,
                certificate=certificate,
                kind=kind,
                title=form.cleaned_data["title"],
                pdf=form.pdf_bytes,
                options={},
            )
        except ApplicationError as exc:
            form.add_error(None, _error(exc))
        else:
            return redirect("trust-signing-detail", pk=signature_request.pk)
    requests = selectors.signature_request_list(user=user).filter(signer=user)[:20]
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "trust/signing.html",
        {
            "form": form,
            "requests": requests,
            "requires_second_factor": second_factor.requires_second_factor(user),
        },
        status=status,
    )


@login_required
@require_GET
def signing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One signature request: its state, and the Sign button for its signer."""
    signature_request = selectors.signature_request_get(user=request.user, pk=pk)
    user: Any = request.user
    is_signer = signature_request.signer_id == user.pk
    pending = signature_request.state in {
        SignatureRequest.State.PREPARED,
        SignatureRequest.State.AWAITING_SIGNER,
    }
    key = signature_request.certificate.key
    return render(
        request,
        "trust/signing_detail.html",
        {
            "sr": signature_request,
            "can_sign": is_signer and pending,
            "form": SignForm(),
            "needs_pin": key is not None and key.storage == "pkcs11",
            "verified": user.is_verified(),
        },
    )


@second_factor.second_factor_required
@require_http_methods(["GET", "POST"])
def signing_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign: only the signer, only in a session verified by a second factor."""
    from lienthong.trust import signing as signing_services

    user: Any = request.user
    signature_request = selectors.signature_request_get(user=user, pk=pk)
    if signature_request.signer_id != user.pk:
        raise Http404
    if request.method == "GET":
        # Back here from the verify page (``next``): show the request again.
        return redirect("trust-signing-detail", pk=signature_request.pk)
    form = SignForm(request.POST)
    pin = form.cleaned_data["token_pin"] if form.is_valid() else ""
    try:
        signing_services.signature_request_sign(
            actor=user,
            request=signature_request,
            second_factor_verified=bool(user.is_verified()),
            token_pin=pin or None,
        )
    except ApplicationError as exc:
        messages.error(
            request, _("The document could not be signed: %(reason)s") % {"reason": _error(exc)}
        )
    else:
        messages.success(request, _("The document was signed."))
    return redirect("trust-signing-detail", pk=signature_request.pk)


@login_required
@require_GET
def signing_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the signed PDF of a completed request."""
    signature_request = selectors.signature_request_get(user=request.user, pk=pk)
    if signature_request.state != SignatureRequest.State.COMPLETED or not (
        signature_request.output_pdf
    ):
        raise Http404
    name = slugify(signature_request.title) or "van-ban"
    with signature_request.output_pdf.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}-da-ky.pdf"'
    return response


# --- Validation ---------------------------------------------------------------------


def _validation_unit(user: Any) -> Any:
    """The unit a validation report belongs to: the person's primary unit when they may
    validate there, else the first unit where they may."""
    units = selectors.units_with_permission(user=user, permission="trust.add_validationrecord")
    primary = (
        Membership.objects.active()
        .filter(user_id=user.pk, is_primary=True, unit__in=units.values("pk"))
        .select_related("unit")
        .first()
    )
    return primary.unit if primary is not None else units.first()


@login_required
@require_http_methods(["GET", "POST"])
def validation(request: HttpRequest) -> HttpResponse:
    """Upload any PDF: its signatures are validated and a report is kept."""
    user: Any = request.user
    form = ValidationForm(request.POST or None, request.FILES or None)
    unit = _validation_unit(user)
    if request.method == "POST" and form.is_valid():
        if unit is None:
            form.add_error(None, _("You need a role in a unit to validate documents."))
        else:
            from lienthong.trust import validation as validation_services

            upload = form.cleaned_data["pdf"]
            try:
                record = validation_services.pdf_validate(
                    actor=user,
                    pdf=form.pdf_bytes,
                    file_name=str(upload.name or "")[:300],
                    unit=unit,
                )
            except ApplicationError as exc:
                form.add_error("pdf", _error(exc))
            else:
                return redirect("trust-validation-detail", pk=record.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "trust/validation.html",
        {"form": form, "can_validate": unit is not None},
        status=status,
    )


@login_required
@require_GET
def validation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The report of one validation: one big verdict, then a table per signature."""
    record = selectors.validation_record_get(user=request.user, pk=pk)
    report: dict[str, Any] = record.report or {}
    verdict = str(report.get("verdict") or record.verdict)
    css, symbol = VERDICTS.get(verdict, VERDICTS["unknown"])
    title, explanation = _verdict_text(verdict)
    return render(
        request,
        "trust/validation_detail.html",
        {
            "record": record,
            "verdict": verdict,
            "verdict_class": css,
            "verdict_symbol": symbol,
            "verdict_title": title,
            "verdict_explanation": explanation,
            "signatures": report.get("signatures") or [],
        },
    )


@login_required
@require_GET
def validation_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as JSON (the same shape as ``lienthong verify_pdf --json``)."""
    record = selectors.validation_record_get(user=request.user, pk=pk)
    body = json.dumps(record.report or {"verdict": record.verdict}, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bao-cao-xac-minh-{record.pk}.json"'
    return response
