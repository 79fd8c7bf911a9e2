"""Reads of the trust app that reach a person: each takes the ``user`` and starts from
``restrict(user, action)`` (STYLE habit 3); out of scope answers 404 like missing."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from lienthong.core.permissions import ALL_UNITS, AllUnits, allowed_units, get_restricted_or_404
from lienthong.core.text import fold_terms
from lienthong.trust.choices import CertificateProfile
from lienthong.trust.models import (
    Certificate,
    CertificateAuthority,
    SignatureRequest,
    StampImage,
    ValidationRecord,
)

__all__ = [
    "certificate_get",
    "certificate_list",
    "certificate_mine",
    "certificate_search",
    "issuing_authority",
    "signature_request_get",
    "signature_request_list",
    "signing_certificates",
    "stamp_image_list",
    "units_with_permission",
    "validation_record_get",
]

#: The certificates people hold (the CA's own and the node's are administered elsewhere).
HOLDER_PROFILES = (CertificateProfile.PERSON_SIGNING, CertificateProfile.UNIT_SEAL)


def units_with_permission(*, user: Any, permission: str) -> QuerySet[Any]:
    """The active units where ``user`` holds ``permission`` (``"trust.add_certificate"``).

    Used to offer (and to accept) units in forms; one SQL subquery, no loop.
    """
    from lienthong.org.models import Unit

    units: AllUnits | QuerySet[Any] | None = allowed_units(user, permission)
    if units is None:
        return Unit.objects.none()
    qs = Unit.objects.active()
    if not isinstance(units, AllUnits) and units is not ALL_UNITS:
        qs = qs.filter(pk__in=units)
    return qs.order_by("depth", "sort_order", "sort_key")


def certificate_list(*, user: Any, action: str = "view") -> QuerySet[Certificate]:
    """Every certificate ``user`` may ``action`` (their units', and their own to view)."""
    return Certificate.objects.restrict(user, action).select_related(
        "issuer", "holder_user", "holder_unit", "key"
    )


def certificate_search(*, user: Any, query: str = "", status: str = "") -> QuerySet[Certificate]:
    """Certificates of people and seals in ``user``'s units, filtered by words and status.

    Args:
        user: the IT officer (or anyone: they see what their scope allows).
        query: words of the holder's name, the common name or the serial number.
        status: ``valid``, ``revoked`` or ``expired`` (empty: all).
    """
    qs = certificate_list(user=user).filter(profile__in=HOLDER_PROFILES)
    for term in fold_terms(query):
        qs = qs.filter(
            Q(common_name__icontains=term)
            | Q(serial_number__icontains=term)
            | Q(holder_user__full_name_folded__contains=term)
            | Q(holder_unit__name_folded__contains=term)
        )
    if status == "revoked":
        qs = qs.filter(revoked_at__isnull=False)
    elif status == "valid":
        qs = qs.valid_at()  # type: ignore[attr-defined]
    elif status == "expired":
        from django.utils import timezone

        qs = qs.filter(not_after__lt=timezone.now(), revoked_at__isnull=True)
    return qs


def certificate_get(*, user: Any, pk: Any, action: str = "view") -> Certificate:
    """One certificate; missing or out of scope for ``action`` raise ``Http404``."""
    return get_restricted_or_404(
        Certificate.objects.select_related("issuer", "holder_user", "holder_unit", "key"),
        user,
        action,
        pk=pk,
    )


def certificate_mine(*, user: Any) -> QuerySet[Certificate]:
    """The person's own certificates (``Certificate.scope_extra`` lets them see these)."""
    return certificate_list(user=user).filter(holder_user_id=user.pk)


def signing_certificates(*, user: Any) -> QuerySet[Certificate]:
    """The certificates ``user`` may sign with now.

    A leader signs with their own person's certificate; a clerk applies the seal of the
    unit where they are the clerk (NĐ 30 Điều 13.7; vn-rules.md §1.9). Both must be
    valid now and held by this node (a key on the server or on a token).
    """
    from lienthong.org.choices import RoleCode
    from lienthong.org.models import Membership

    clerk_units = (
        Membership.objects.active().filter(user_id=user.pk, role__code=RoleCode.CLERK)
    ).values("unit_id")
    own = Q(profile=CertificateProfile.PERSON_SIGNING, holder_user_id=user.pk)
    seals = Q(profile=CertificateProfile.UNIT_SEAL, holder_unit__in=clerk_units)
    return (
        certificate_list(user=user)
        .filter(own | seals)
        .valid_at()  # type: ignore[attr-defined]
        .filter(key__isnull=False)
        .exclude(key__storage="none")
        .order_by("profile", "common_name")
    )


def issuing_authority() -> CertificateAuthority | None:
    """The node's issuing CA: active, with its key on this node, under a root.

    For internal use (the CA is the node's, not a person's): takes no ``user``.
    """
    return (
        CertificateAuthority.objects.filter(key__isnull=False, parent__isnull=False, is_active=True)
        .select_related("certificate", "key")
        .order_by("created_at")
        .first()
    )


def stamp_image_list(*, user: Any) -> QuerySet[StampImage]:
    """The person's own signature images and the seal images of units they administer
    (where they may issue certificates)."""
    units = units_with_permission(user=user, permission="trust.add_certificate")
    return StampImage.objects.filter(
        Q(kind=StampImage.Kind.SIGNATURE, holder_user_id=user.pk)
        | Q(kind=StampImage.Kind.SEAL, holder_unit__in=units.values("pk"))
    ).select_related("holder_user", "holder_unit")


def signature_request_list(*, user: Any) -> QuerySet[SignatureRequest]:
    """Signature requests the person may see, theirs first."""
    return SignatureRequest.objects.restrict(user, "view").select_related(
        "certificate", "signer", "unit"
    )


def signature_request_get(*, user: Any, pk: Any) -> SignatureRequest:
    """One signature request in ``user``'s scope; else ``Http404``."""
    return get_restricted_or_404(
        SignatureRequest.objects.select_related("certificate", "signer", "unit"),
        user,
        "view",
        pk=pk,
    )


def validation_record_get(*, user: Any, pk: Any) -> ValidationRecord:
    """One validation report in ``user``'s scope; else ``Http404``."""
    return get_restricted_or_404(ValidationRecord.objects.all(), user, "view", pk=pk)
