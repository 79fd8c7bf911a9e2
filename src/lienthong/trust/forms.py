"""Forms of the trust pages. Every choice of a related object comes from a queryset
restricted to the person (STYLE anti-pattern A), so a forged id is simply invalid."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from lienthong.core.errors import InvalidInput
from lienthong.trust import selectors
from lienthong.trust.choices import CertificateProfile, RevocationReason
from lienthong.trust.models import StampImage
from lienthong.trust.profiles import PROFILES
from lienthong.trust.stamp_images import check_png

__all__ = [
    "MAX_PDF_BYTES",
    "CertificateIssueForm",
    "CertificateSearchForm",
    "CodeForm",
    "RevokeForm",
    "SignForm",
    "SigningRequestForm",
    "StampImageForm",
    "ValidationForm",
    "read_pdf",
]

#: The largest PDF accepted for signing or validation.
MAX_PDF_BYTES = 20 * 1024 * 1024
#: PDF readers accept the header anywhere in the first kilobyte.
_PDF_HEADER_WINDOW = 1024


def read_pdf(upload: UploadedFile) -> bytes:
    """The bytes of an uploaded PDF, after checking size and the ``%PDF-`` header.

    Raises:
        forms.ValidationError: too large, empty, or not a PDF.
    """
    if upload.size is not None and upload.size > MAX_PDF_BYTES:
        raise forms.ValidationError(_("The file is larger than 20 MB."))
    data = upload.read(MAX_PDF_BYTES + 1)
    if len(data) > MAX_PDF_BYTES:
        raise forms.ValidationError(_("The file is larger than 20 MB."))
    if b"%PDF-" not in data[:_PDF_HEADER_WINDOW]:
        raise forms.ValidationError(_("The file is not a PDF document."))
    return data


class CodeForm(forms.Form):
    """A code from the authenticator app, or a backup code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class CertificateSearchForm(forms.Form):
    """Search the certificates of one's units."""

    STATUS_CHOICES = (
        ("", _("All")),
        ("valid", _("valid")),
        ("revoked", _("revoked")),
        ("expired", _("expired")),
    )

    q = forms.CharField(label=_("Search certificates"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)


class CertificateIssueForm(forms.Form):
    """Issue a person's signing certificate or a unit's seal certificate."""

    profile = forms.ChoiceField(
        label=_("Kind of certificate"),
        choices=[
            (CertificateProfile.PERSON_SIGNING, CertificateProfile.PERSON_SIGNING.label),
            (CertificateProfile.UNIT_SEAL, CertificateProfile.UNIT_SEAL.label),
        ],
    )
    holder_unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Unit"), queryset=None
    )
    holder_user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Person (for a person's certificate)"),
        queryset=None,
        required=False,
    )
    validity_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=3 * 365, initial=2 * 365
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from lienthong.org.models import Membership, User

        units = selectors.units_with_permission(user=user, permission="trust.add_certificate")
        self.fields["holder_unit"].queryset = units  # type: ignore[attr-defined]
        people = User.objects.restrict(user, "view").filter(
            is_active=True,
            pk__in=Membership.objects.active().filter(unit__in=units).values("user_id"),
        )
        self.fields["holder_user"].queryset = people.order_by(  # type: ignore[attr-defined]
            "full_name", "username"
        )

    def clean(self) -> dict[str, Any]:
        """A person's certificate names a person who is a member of the chosen unit."""
        from lienthong.org.models import Membership

        data = super().clean() or {}
        profile = data.get("profile")
        unit = data.get("holder_unit")
        person = data.get("holder_user")
        if profile == CertificateProfile.PERSON_SIGNING:
            if person is None:
                self.add_error("holder_user", _("Choose the person who will sign."))
            elif (
                unit is not None
                and not Membership.objects.active().filter(user=person, unit=unit).exists()
            ):
                self.add_error("holder_user", _("This person is not a member of the unit."))
        else:
            data["holder_user"] = None
        days = data.get("validity_days")
        if profile in PROFILES and days:
            longest = PROFILES[profile].validity
            if dt.timedelta(days=days) > longest:
                self.add_error(
                    "validity_days",
                    _("At most %(days)d days for this kind of certificate.")
                    % {"days": longest.days},
                )
        return data


class RevokeForm(forms.Form):
    """Revoke a certificate: the reason, and an explicit confirmation."""

    reason = forms.ChoiceField(label=_("Reason"), choices=RevocationReason.choices)
    confirm = forms.BooleanField(
        label=_("I understand that revocation is final and is published at once."),
        required=True,
    )


class StampImageForm(forms.Form):
    """Upload one's handwritten signature image, or the seal image of a unit."""

    kind = forms.ChoiceField(label=_("Image of"), choices=StampImage.Kind.choices)
    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Unit (for a seal)"),
        queryset=None,
        required=False,
    )
    image = forms.FileField(label=_("PNG image (transparent background, at most 1 MB)"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.units_with_permission(  # type: ignore[attr-defined]
            user=user, permission="trust.add_certificate"
        )
        self.image_bytes = b""

    def clean_image(self) -> UploadedFile:
        """Sniff the real format with Pillow: only PNG up to 1 MB passes."""
        upload: UploadedFile = self.cleaned_data["image"]
        data = upload.read(2 * 1024 * 1024)
        try:
            check_png(data)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc
        self.image_bytes = data
        return upload

    def clean(self) -> dict[str, Any]:
        """A seal image needs a unit."""
        data = super().clean() or {}
        if data.get("kind") == StampImage.Kind.SEAL and data.get("unit") is None:
            self.add_error("unit", _("Choose the unit whose seal this is."))
        return data


class SigningRequestForm(forms.Form):
    """Upload a PDF to sign and choose the certificate to sign it with."""

    title = forms.CharField(label=_("Document title"), max_length=300)
    pdf = forms.FileField(label=_("PDF document (at most 20 MB)"))
    certificate: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Sign with"),
        queryset=None,
        empty_label=None,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["certificate"].queryset = selectors.signing_certificates(user=user)  # type: ignore[attr-defined]
        self.pdf_bytes = b""

    def clean_pdf(self) -> UploadedFile:
        """Only a real PDF of a sensible size."""
        upload: UploadedFile = self.cleaned_data["pdf"]
        self.pdf_bytes = read_pdf(upload)
        return upload


class SignForm(forms.Form):
    """The last step: the PIN of the USB token when the key lives on one."""

    token_pin = forms.CharField(
        label=_("Token PIN"),
        required=False,
        max_length=64,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


class ValidationForm(forms.Form):
    """Upload any PDF to check its signatures."""

    pdf = forms.FileField(label=_("PDF document (at most 20 MB)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pdf_bytes = b""

    def clean_pdf(self) -> UploadedFile:
        """Only a real PDF of a sensible size."""
        upload: UploadedFile = self.cleaned_data["pdf"]
        self.pdf_bytes = read_pdf(upload)
        return upload
