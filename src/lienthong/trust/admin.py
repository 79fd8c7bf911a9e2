"""Trust models in the Django admin: read-only where it matters.

Certificates, CRLs, signature requests and validation reports are legal records: they
change only through the trust services (issue, revoke, sign, validate) from the pages or
the command line, never by editing a row here. A private key is never shown: the admin
of ``KeyMaterial`` lists its public half and where it is stored, not ``encrypted_pkcs8``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lienthong.core.admin import RestrictedAdmin
from lienthong.trust.models import (
    AuditAnchor,
    Certificate,
    CertificateAuthority,
    KeyMaterial,
    RevocationList,
    SignatureRequest,
    StampImage,
    TrustAnchor,
    ValidationRecord,
)


class ReadOnlyMixin:
    """No add, change or delete from the admin: these rows change through services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only admin of an unscoped model (superusers and people granted ``view``)."""


@admin.register(KeyMaterial)
class KeyMaterialAdmin(ReadOnlyAdmin):
    """Keys: label, storage and public key only (the encrypted private key is never read)."""

    list_display = ["label", "storage", "algorithm", "token_label", "created_at"]
    list_filter = ["storage", "algorithm"]
    search_fields = ["label", "token_label"]
    fields = ["label", "storage", "algorithm", "public_key_pem", "token_label", "token_key_label"]
    exclude = ["encrypted_pkcs8"]

    def get_queryset(self, request: HttpRequest) -> Any:
        # ``defer`` keeps the private key's bytes out of memory in the admin altogether.
        return super().get_queryset(request).defer("encrypted_pkcs8")


@admin.register(CertificateAuthority)
class CertificateAuthorityAdmin(ReadOnlyAdmin):
    """The node's CAs (created by ``lienthong ca init``)."""

    list_display = ["name", "slug", "parent", "is_active", "crl_number"]
    fields = ["name", "slug", "parent", "certificate", "is_active", "crl_number"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyMixin, RestrictedAdmin):
    """Certificates in the staff member's units (issue and revoke from the trust pages)."""

    list_display = [
        "common_name",
        "profile",
        "holder_unit",
        "holder_user",
        "serial_number",
        "not_after",
        "revoked_at",
    ]
    list_filter = ["profile", "issuer"]
    search_fields = ["common_name", "serial_number", "fingerprint_sha256"]
    exclude = ["key"]
    readonly_fields = [
        "issuer",
        "profile",
        "serial_number",
        "subject",
        "common_name",
        "not_before",
        "not_after",
        "pem",
        "fingerprint_sha256",
        "holder_user",
        "holder_unit",
        "holder_node",
        "renewed_from",
        "revoked_at",
        "revocation_reason",
    ]


@admin.register(RevocationList)
class RevocationListAdmin(ReadOnlyAdmin):
    """Published CRLs (kept: any past CRL can be shown again)."""

    list_display = ["authority", "number", "this_update", "next_update", "entries"]
    exclude = ["der"]


@admin.register(TrustAnchor)
class TrustAnchorAdmin(ReadOnlyAdmin):
    """Roots the validators trust (imported with ``lienthong ca`` commands)."""

    list_display = ["name", "fingerprint_sha256", "is_active"]
    search_fields = ["name", "fingerprint_sha256"]


@admin.register(SignatureRequest)
class SignatureRequestAdmin(ReadOnlyMixin, RestrictedAdmin):
    """Signature requests of the staff member's units."""

    list_display = ["title", "kind", "state", "signer", "unit", "created_at", "completed_at"]
    list_filter = ["state", "kind"]
    search_fields = ["title"]
    exclude = ["options"]


@admin.register(ValidationRecord)
class ValidationRecordAdmin(ReadOnlyMixin, RestrictedAdmin):
    """Validation reports kept with the units that asked for them."""

    list_display = ["file_name", "verdict", "unit", "requested_by", "created_at"]
    list_filter = ["verdict"]
    search_fields = ["file_name", "sha256"]
    exclude = ["signed_report"]


@admin.register(StampImage)
class StampImageAdmin(ReadOnlyAdmin):
    """Signature and seal images (uploaded from the trust pages, where PNG is checked)."""

    list_display = ["kind", "holder_user", "holder_unit", "is_active", "created_at"]
    list_filter = ["kind", "is_active"]


@admin.register(AuditAnchor)
class AuditAnchorAdmin(ReadOnlyAdmin):
    """Hourly timestamps over the head of the audit chain."""

    list_display = ["seq", "chain_hash", "gen_time", "created_at"]
    exclude = ["token"]
