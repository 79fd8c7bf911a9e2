"""Keys, certificate authorities, certificates and revocation lists of the node."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from cryptography import x509
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import TimeStampedModel
from lienthong.core.permissions import RestrictedManager, RestrictedQuerySet
from lienthong.trust.choices import (
    CertificateProfile,
    CertificateStatus,
    KeyStorage,
    RevocationReason,
)

__all__ = [
    "AuditAnchor",
    "Certificate",
    "CertificateAuthority",
    "KeyMaterial",
    "RevocationCacheEntry",
    "RevocationList",
    "SignatureRequest",
    "StampImage",
    "TrustAnchor",
    "ValidationRecord",
]


class KeyMaterial(TimeStampedModel):
    """A private key the node can use: encrypted PKCS#8 here, or a handle on a token.

    The private key itself is never returned by an API or shown on a page.
    """

    label = models.CharField(_("label"), max_length=200)
    storage = models.CharField(_("storage"), max_length=16, choices=KeyStorage.choices)
    algorithm = models.CharField(_("algorithm"), max_length=16)
    public_key_pem = models.TextField(_("public key"))
    encrypted_pkcs8 = models.BinaryField(_("encrypted private key"), null=True, editable=False)
    token_label = models.CharField(_("token label"), max_length=64, blank=True)
    token_key_label = models.CharField(_("key label on the token"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("key")
        verbose_name_plural = _("keys")
        constraints = [
            models.CheckConstraint(
                condition=~Q(storage=KeyStorage.ENCRYPTED) | Q(encrypted_pkcs8__isnull=False),
                name="trust_key_encrypted_has_blob",
                violation_error_message=_("An encrypted key needs its key data."),
            ),
            models.CheckConstraint(
                condition=~Q(storage=KeyStorage.PKCS11) | ~Q(token_label=""),
                name="trust_key_pkcs11_has_token",
                violation_error_message=_("A token key needs the token's label."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_storage_display()})"


class CertificateAuthority(TimeStampedModel):
    """A CA of the network: the root, or an issuing CA under it.

    A CA whose key this node does not hold (``key`` is None) is an external one, e.g.
    the national specialised CA imported as a trust anchor; the node then only registers
    requests for it.
    """

    slug = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    certificate = models.OneToOneField(
        "Certificate",
        verbose_name=_("certificate"),
        on_delete=models.PROTECT,
        related_name="authority",
    )
    key = models.ForeignKey(
        KeyMaterial, verbose_name=_("key"), null=True, blank=True, on_delete=models.PROTECT
    )
    crl_number = models.PositiveBigIntegerField(_("last CRL number"), default=0)
    crl_validity_hours = models.PositiveIntegerField(_("CRL validity (hours)"), default=24)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("certificate authority")
        verbose_name_plural = _("certificate authorities")

    def __str__(self) -> str:
        return self.name

    @property
    def is_root(self) -> bool:
        """A self-signed CA at the top of the chain."""
        return self.parent_id is None

    @property
    def can_issue(self) -> bool:
        """This node holds the CA's key and the CA is in service."""
        return self.key_id is not None and self.is_active

    def crl_url(self) -> str:
        """The stable address of the CA's CRL (written into the certificates it issues)."""
        return f"{settings.PUBLIC_URL}/trust/crl/{self.slug}.crl"

    def ocsp_url(self) -> str:
        """The address of the CA's OCSP responder."""
        return f"{settings.PUBLIC_URL}/trust/ocsp/{self.slug}/"

    def ca_issuers_url(self) -> str:
        """The address of the CA's own certificate (AIA caIssuers)."""
        return f"{settings.PUBLIC_URL}/trust/ca/{self.slug}.crt"


class CertificateQuerySet(RestrictedQuerySet["Certificate"]):
    """Queries over certificates."""

    def valid_at(self, when: dt.datetime | None = None) -> CertificateQuerySet:
        """Certificates neither revoked nor out of their validity period at ``when``."""
        moment = when or timezone.now()
        return self.filter(not_before__lte=moment, not_after__gte=moment).filter(
            Q(revoked_at__isnull=True) | Q(revoked_at__gt=moment)
        )


class CertificateManager(RestrictedManager["Certificate"]):
    def get_queryset(self) -> CertificateQuerySet:
        return CertificateQuerySet(self.model, using=self._db)

    def valid_at(self, when: dt.datetime | None = None) -> CertificateQuerySet:
        """Certificates neither revoked nor out of their validity period at ``when``."""
        return self.get_queryset().valid_at(when)


class Certificate(TimeStampedModel):
    """An X.509 certificate issued (or imported) by the node.

    A certificate belongs to the unit that holds it (a person's certificate to their
    unit, a seal to its unit), which scopes who may see and revoke it.
    """

    issuer = models.ForeignKey(
        CertificateAuthority,
        verbose_name=_("issuer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued",
    )
    profile = models.CharField(_("profile"), max_length=32, choices=CertificateProfile.choices)
    serial_number = models.CharField(_("serial number"), max_length=64)
    subject = models.CharField(_("subject"), max_length=500)
    common_name = models.CharField(_("common name"), max_length=200)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    pem = models.TextField(_("certificate (PEM)"))
    fingerprint_sha256 = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    key = models.ForeignKey(
        KeyMaterial,
        verbose_name=_("key"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    holder_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    holder_node = models.ForeignKey(
        "org.Node",
        verbose_name=_("node"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    renewed_from = models.ForeignKey(
        "self",
        verbose_name=_("renewal of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewals",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.CharField(
        _("revocation reason"), max_length=32, choices=RevocationReason.choices, blank=True
    )

    objects = CertificateManager()

    scope_path: ClassVar[str] = "holder_unit"

    class Meta:
        ordering = ["-not_before"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "serial_number"],
                name="trust_certificate_unique_serial",
                violation_error_message=_("This CA already issued a certificate with this serial."),
            ),
            models.CheckConstraint(
                condition=Q(not_after__gt=models.F("not_before")),
                name="trust_certificate_validity_ordered",
                violation_error_message=_("A certificate must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.common_name} ({self.get_profile_display()}, {self.serial_number[:12]})"

    @property
    def audit_unit_id(self) -> int | None:
        """Audit events about a certificate belong to its holder's unit."""
        return self.holder_unit_id

    @staticmethod
    def scope_extra(user: Any, action: str) -> Q | None:
        """A person may always see their own certificates."""
        return Q(holder_user_id=user.pk) if action == "view" else None

    def x509(self) -> x509.Certificate:
        """The parsed certificate."""
        return x509.load_pem_x509_certificate(self.pem.encode("ascii"))

    def status_at(self, when: dt.datetime | None = None) -> CertificateStatus:
        """Valid, revoked, expired or not yet valid at ``when`` (now by default)."""
        moment = when or timezone.now()
        if self.revoked_at is not None and self.revoked_at <= moment:
            return CertificateStatus.REVOKED
        if moment < self.not_before:
            return CertificateStatus.NOT_YET_VALID
        if moment > self.not_after:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID

    @property
    def status(self) -> CertificateStatus:
        """The status now."""
        return self.status_at()


class RevocationList(models.Model):
    """A CRL the node published: kept, so any past CRL can be shown again."""

    authority = models.ForeignKey(
        CertificateAuthority,
        verbose_name=_("CA"),
        on_delete=models.PROTECT,
        related_name="revocation_lists",
    )
    number = models.PositiveBigIntegerField(_("CRL number"))
    this_update = models.DateTimeField(_("issued at"))
    next_update = models.DateTimeField(_("next update"))
    der = models.BinaryField(_("CRL (DER)"))
    entries = models.PositiveIntegerField(_("revoked certificates"), default=0)

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"
        verbose_name = _("revocation list")
        verbose_name_plural = _("revocation lists")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "number"],
                name="trust_crl_unique_number",
                violation_error_message=_("This CRL number was already published."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.authority} CRL #{self.number}"


class TrustAnchor(TimeStampedModel):
    """A root certificate validators trust: the network's own root, or one imported
    (the national specialised CA, a public CA, a test CA of a partner)."""

    name = models.CharField(_("name"), max_length=200)
    pem = models.TextField(_("certificate (PEM)"))
    fingerprint_sha256 = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    is_active = models.BooleanField(_("trusted"), default=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("trust anchor")
        verbose_name_plural = _("trust anchors")

    def __str__(self) -> str:
        return self.name


class SignatureRequest(TimeStampedModel):
    """One signature on one PDF, modelled as an interrupted flow (STYLE habit 20):
    prepared → awaiting the signer → completed or failed.

    A browser, a PKCS#11 token on the server or a remote signer all go through the same
    states; the prepared document and its digest stay here between the steps.
    """

    class State(models.TextChoices):
        PREPARED = "prepared", _("prepared")
        AWAITING_SIGNER = "awaiting_signer", _("awaiting the signer")
        COMPLETED = "completed", _("completed")
        FAILED = "failed", _("failed")

    class Kind(models.TextChoices):
        PERSON = "person", _("signature of the person with authority")
        SEAL = "seal", _("unit seal signature")
        ATTACHMENT = "attachment", _("unit signature on an attachment")
        COPY = "copy", _("electronic copy")

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PREPARED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer"),
        on_delete=models.PROTECT,
        related_name="signature_requests",
    )
    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("document"), max_length=300)
    input_pdf = models.FileField(_("document to sign"), upload_to="trust/signing/in/")
    output_pdf = models.FileField(_("signed document"), upload_to="trust/signing/out/", blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    objects = RestrictedManager["SignatureRequest"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("signature request")
        verbose_name_plural = _("signature requests")

    def __str__(self) -> str:
        return f"{self.title} ({self.get_kind_display()}, {self.get_state_display()})"

    @property
    def audit_unit_id(self) -> int:
        """Audit events about a signature belong to the unit it is made for."""
        return self.unit_id


class ValidationRecord(TimeStampedModel):
    """The report of one validation, kept ("what was valid when it arrived") and signed
    by the node so it can be shown to a third party later."""

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file_name = models.CharField(_("file"), max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    verdict = models.CharField(_("verdict"), max_length=32)
    report = models.JSONField(_("report"), default=dict)
    signed_report = models.BinaryField(_("signed report (CMS)"), null=True, blank=True)

    objects = RestrictedManager["ValidationRecord"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("validation report")
        verbose_name_plural = _("validation reports")

    def __str__(self) -> str:
        return f"{self.file_name or self.sha256[:12]}: {self.verdict}"

    @property
    def audit_unit_id(self) -> int | None:
        """Audit events about a validation belong to the unit that asked for it."""
        return self.unit_id


class RevocationCacheEntry(models.Model):
    """A CRL or OCSP response fetched (or made) by the node, kept with its freshness so
    validation goes on while a CA's responder is unreachable (issue #3, scope 9)."""

    class Kind(models.TextChoices):
        CRL = "crl", _("CRL")
        OCSP = "ocsp", _("OCSP response")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    url = models.URLField(_("address"), max_length=500, blank=True)
    issuer_fingerprint = models.CharField(_("issuer SHA-256"), max_length=64, db_index=True)
    serial_number = models.CharField(_("certificate serial"), max_length=64, blank=True)
    der = models.BinaryField(_("data (DER)"))
    fetched_at = models.DateTimeField(_("fetched at"))
    this_update = models.DateTimeField(_("issued at"))
    next_update = models.DateTimeField(_("next update"), null=True, blank=True)

    class Meta:
        ordering = ["-this_update"]
        verbose_name = _("cached revocation data")
        verbose_name_plural = _("cached revocation data")
        indexes = [models.Index(fields=["kind", "issuer_fingerprint", "serial_number"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.url or self.serial_number}"


class AuditAnchor(models.Model):
    """An RFC 3161 timestamp over the head of the audit chain (issue #3, scope 8).

    Taken every hour: an administrator who rewrites the audit table would have to forge
    a TSA signature over the old head to hide it.
    """

    seq = models.BigIntegerField(_("audit row"))
    chain_hash = models.CharField(_("hash of that row"), max_length=64)
    token = models.BinaryField(_("timestamp token (DER)"))
    gen_time = models.DateTimeField(_("time"))
    created_at = models.DateTimeField(_("stored at"), auto_now_add=True)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit timestamp")
        verbose_name_plural = _("audit timestamps")

    def __str__(self) -> str:
        return f"#{self.seq} @ {self.gen_time:%Y-%m-%d %H:%M}"


class StampImage(TimeStampedModel):
    """The image a visible signature shows (vn-rules.md §1.9, NĐ 30 Phụ lục I):
    a person's handwritten signature (blue, transparent PNG) or a unit's seal (red,
    transparent PNG, actual size)."""

    class Kind(models.TextChoices):
        SIGNATURE = "signature", _("handwritten signature")
        SEAL = "seal", _("seal")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="stamp_images",
    )
    holder_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stamp_images",
    )
    image = models.ImageField(_("image (PNG)"), upload_to="trust/stamps/")
    width_mm = models.DecimalField(
        _("printed width (mm)"), max_digits=5, decimal_places=1, default=35
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("stamp image")
        verbose_name_plural = _("stamp images")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="signature", holder_user__isnull=False)
                | Q(kind="seal", holder_unit__isnull=False),
                name="trust_stampimage_has_holder",
                violation_error_message=_(
                    "A signature image belongs to a person, a seal image to a unit."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.holder_user or self.holder_unit}"
