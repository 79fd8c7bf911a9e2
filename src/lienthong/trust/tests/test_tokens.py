"""Keys on a PKCS#11 token (SoftHSM2): generated there, used there, never read out."""

from __future__ import annotations

import pytest

from lienthong.trust import pades, services
from lienthong.trust.choices import CertificateProfile, KeyStorage
from lienthong.trust.errors import KeyUnavailable
from lienthong.trust.models import KeyMaterial
from lienthong.trust.pades.samples import sample_pdf
from lienthong.trust.pades.tokens import token_generate_key, token_has_private_key
from lienthong.trust.tests.conftest import ACTOR, SOFTHSM_MODULE


def _token_certificate(pki, softhsm, key_label: str, algorithm: str):
    token = pades.TokenKey(token_label=softhsm.label, key_label=key_label, pin=softhsm.pin)
    public_pem = token_generate_key(token=token, algorithm=algorithm)
    key = KeyMaterial.objects.create(
        label=key_label,
        storage=KeyStorage.PKCS11,
        algorithm=algorithm,
        public_key_pem=public_pem,
        token_label=softhsm.label,
        token_key_label=key_label,
    )
    return services.certificate_issue(
        actor=ACTOR,
        authority=pki.cas.issuing,
        profile=CertificateProfile.PERSON_SIGNING,
        subject=services.SubjectSpec(common_name="Người ký bằng token"),
        key=key,
        holder_user=pki.person_user,
        holder_unit=pki.unit,
    )


@pytest.mark.parametrize("algorithm", ["rsa2048", "ec-p256"])
def test_sign_with_a_token_key_end_to_end(pki, softhsm, algorithm):
    """GIVEN a key pair generated on a SoftHSM2 token and a certificate for it
    WHEN a PDF is signed through the facade with the token's PIN (B-LTA)
    THEN the signature validates as valid."""
    certificate = _token_certificate(pki, softhsm, f"ky-{algorithm}", algorithm)

    signed = pades.sign_pdf(
        pdf=sample_pdf(),
        signer=pades.SignerSpec.for_certificate(certificate, pin=softhsm.pin),
        level="B-LTA",
    )

    report = pades.validate_pdf(pdf=signed, trust_anchors=[pki.root_pem])
    assert report.verdict == "valid"
    assert report.signatures[0].signer == "Người ký bằng token"


def test_private_key_is_not_readable_outside_the_token(pki, softhsm):
    """GIVEN a key generated on the token by lienthong
    WHEN anyone logged in to the token asks for the private key's value
    THEN the token refuses (sensitive, not extractable)."""
    import pkcs11
    from pkcs11 import Attribute, ObjectClass
    from pkcs11.exceptions import AttributeSensitive, AttributeTypeInvalid

    token = pades.TokenKey(token_label=softhsm.label, key_label="bi-mat", pin=softhsm.pin)
    token_generate_key(token=token, algorithm="rsa2048")
    assert token_has_private_key(token)

    lib = pkcs11.lib(SOFTHSM_MODULE)
    with lib.get_token(token_label=softhsm.label).open(user_pin=softhsm.pin) as session:
        private = session.get_key(object_class=ObjectClass.PRIVATE_KEY, label="bi-mat")
        assert private[Attribute.SENSITIVE] is True
        assert private[Attribute.EXTRACTABLE] is False
        with pytest.raises(AttributeSensitive):
            private[Attribute.PRIVATE_EXPONENT]
        with pytest.raises((AttributeSensitive, AttributeTypeInvalid)):
            private[Attribute.VALUE]


def test_wrong_pin_or_missing_pin_is_key_unavailable(pki, softhsm):
    """GIVEN a certificate whose key is on the token
    WHEN signing without the PIN or with a wrong one
    THEN KeyUnavailable, never a PKCS#11 exception."""
    certificate = _token_certificate(pki, softhsm, "ky-pin", "ec-p256")

    with pytest.raises(KeyUnavailable):
        pades.SignerSpec.for_certificate(certificate)
    with pytest.raises(KeyUnavailable):
        pades.sign_pdf(
            pdf=sample_pdf(),
            signer=pades.SignerSpec.for_certificate(certificate, pin="0000"),
            level="B-B",
        )
