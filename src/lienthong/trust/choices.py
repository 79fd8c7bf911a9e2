"""Enumerations of the trust app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateProfile(models.TextChoices):
    """What a certificate is for; each profile fixes its key usages and extensions."""

    ROOT_CA = "root_ca", _("root CA")
    ISSUING_CA = "issuing_ca", _("issuing CA")
    PERSON_SIGNING = "person_signing", _("person's signing certificate")
    UNIT_SEAL = "unit_seal", _("unit seal")
    NODE_TLS = "node_tls", _("node TLS (client and server)")
    NODE_ENVELOPE = "node_envelope", _("node envelope signing")
    NODE_ENCRYPTION = "node_encryption", _("node content encryption")
    TSA = "tsa", _("timestamp authority")
    OCSP = "ocsp", _("OCSP responder")


class KeyStorage(models.TextChoices):
    """Where a private key lives."""

    ENCRYPTED = "encrypted", _("encrypted in the database (PKCS#8)")
    PKCS11 = "pkcs11", _("on a PKCS#11 token")
    NONE = "none", _("not held by this node")


class RevocationReason(models.TextChoices):
    """RFC 5280 CRLReason values offered to the IT officer."""

    UNSPECIFIED = "unspecified", _("unspecified")
    KEY_COMPROMISE = "key_compromise", _("key compromise")
    CA_COMPROMISE = "ca_compromise", _("CA compromise")
    AFFILIATION_CHANGED = "affiliation_changed", _("affiliation changed")
    SUPERSEDED = "superseded", _("superseded")
    CESSATION_OF_OPERATION = "cessation_of_operation", _("cessation of operation")
    CERTIFICATE_HOLD = "certificate_hold", _("certificate hold")


class CertificateStatus(models.TextChoices):
    """The state of a certificate as the CA sees it."""

    VALID = "valid", _("valid")
    REVOKED = "revoked", _("revoked")
    EXPIRED = "expired", _("expired")
    NOT_YET_VALID = "not_yet_valid", _("not yet valid")
