"""Registration-authority mode: an external CA's chain and the certificates it issues."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from lienthong.trust import pades, services
from lienthong.trust.choices import CertificateProfile, KeyStorage
from lienthong.trust.errors import CertificateError
from lienthong.trust.models import CertificateAuthority, TrustAnchor
from lienthong.trust.pades.samples import sample_pdf
from lienthong.trust.tests.conftest import ACTOR

pytestmark = pytest.mark.django_db


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _cert(subject, issuer, public, signer, *, ca: bool, path: int | None = None):
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    return builder.sign(signer, hashes.SHA256())


def _pem(*certs) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certs)


@pytest.fixture
def external():
    """GIVEN a CA this node does not run: a root, an intermediate, and a person's
    certificate with its (software) key."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    sub_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    root = _cert(
        _name("CA chuyên dùng (thử)"),
        _name("CA chuyên dùng (thử)"),
        root_key.public_key(),
        root_key,
        ca=True,
        path=1,
    )
    sub = _cert(
        _name("CA cấp (thử)"), root.subject, sub_key.public_key(), root_key, ca=True, path=0
    )
    leaf = _cert(_name("Lãnh đạo Hà Nội"), sub.subject, leaf_key.public_key(), sub_key, ca=False)
    key_pem = leaf_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"mat-khau"),
    )
    return {"root": root, "sub": sub, "leaf": leaf, "key_pem": key_pem}


def test_import_chain_then_certificate_and_sign(external, world, settings):
    """WHEN the external chain (in any order) and a person's certificate with its key are
    imported THEN the CAs have no key here, the root is a trust anchor, and a PDF signed
    with the imported certificate validates as "valid" against that anchor."""
    authority = services.authority_import_external(
        actor=ACTOR, pem_bundle=_pem(external["sub"], external["root"]), name="CA chuyên dùng"
    )
    assert authority.name == "CA chuyên dùng" and authority.key is None
    assert authority.parent is not None and authority.parent.parent is None
    assert not authority.can_issue
    assert TrustAnchor.objects.filter(name="CA chuyên dùng (thử)").exists()
    # A second import of the same chain adds nothing.
    again = services.authority_import_external(
        actor=ACTOR, pem_bundle=_pem(external["root"], external["sub"])
    )
    assert again == authority and CertificateAuthority.objects.count() == 2

    cert = services.certificate_import(
        actor=ACTOR,
        pem=_pem(external["leaf"]),
        profile=CertificateProfile.PERSON_SIGNING,
        holder_user=world.leader_a,
        holder_unit=world.province_a,
        private_key_pem=external["key_pem"],
        private_key_password=b"mat-khau",
    )
    assert cert.issuer == authority and cert.key.storage == KeyStorage.ENCRYPTED
    signed = pades.sign_pdf(
        pdf=sample_pdf(), signer=pades.SignerSpec(certificate=cert), level="B-B"
    )
    anchors = [_pem(external["root"])]
    report = pades.validate_pdf(pdf=signed, trust_anchors=anchors)
    assert report.signatures[0].signer == "Lãnh đạo Hà Nội"
    assert report.signatures[0].intact and report.signatures[0].trusted


def test_token_certificate_keeps_its_key_on_the_token(external, world):
    """WHEN a certificate whose key is on a USB token is registered THEN only the token's
    labels are stored, never key material."""
    services.authority_import_external(
        actor=ACTOR, pem_bundle=_pem(external["root"], external["sub"])
    )
    cert = services.certificate_import(
        actor=ACTOR,
        pem=_pem(external["leaf"]),
        profile=CertificateProfile.PERSON_SIGNING,
        holder_user=world.leader_a,
        token_label="USB-Ban-Co-yeu",
        token_key_label="ky-so",
    )
    assert cert.key.storage == KeyStorage.PKCS11 and cert.key.encrypted_pkcs8 is None
    assert cert.key.token_label == "USB-Ban-Co-yeu"


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("garbage", "PEM"),
        ("unknown_issuer", "not a CA known"),
        ("ca_as_leaf", "CA certificate"),
        ("wrong_key", "does not match"),
    ],
)
def test_bad_imports_are_refused(external, world, case, message):
    """GIVEN bad input WHEN importing THEN a clear CertificateError and nothing stored."""
    if case != "unknown_issuer":
        services.authority_import_external(
            actor=ACTOR, pem_bundle=_pem(external["root"], external["sub"])
        )
    kwargs = {"pem": _pem(external["leaf"])}
    if case == "garbage":
        kwargs["pem"] = "not a certificate"
    elif case == "ca_as_leaf":
        kwargs["pem"] = _pem(external["sub"])
    elif case == "wrong_key":
        other = ec.generate_private_key(ec.SECP256R1())
        kwargs["private_key_pem"] = other.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    with pytest.raises(CertificateError, match=message):
        services.certificate_import(
            actor=ACTOR, profile=CertificateProfile.PERSON_SIGNING, **kwargs
        )


def test_chain_that_does_not_link_is_refused(external):
    """GIVEN an intermediate without its root WHEN importing THEN refused."""
    with pytest.raises(CertificateError, match="self-signed root"):
        services.authority_import_external(actor=ACTOR, pem_bundle=_pem(external["sub"]))


def test_ca_import_commands(external, world, tmp_path, capsys):
    """GIVEN the external chain and a person's certificate as files WHEN imported with
    `lienthong ca import-ca` and `ca import-cert --token` THEN both are registered; a
    missing file is a one-line error."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    bundle = tmp_path / "chain.pem"
    bundle.write_text(_pem(external["root"], external["sub"]))
    leaf = tmp_path / "leaf.pem"
    leaf.write_text(_pem(external["leaf"]))
    call_command("ca", "import-ca", str(bundle), "--name", "CA chuyên dùng")
    call_command(
        "ca",
        "import-cert",
        str(leaf),
        "--profile",
        "person_signing",
        "--user",
        world.leader_a.username,
        "--token",
        "USB",
        "--token-key",
        "ky-so",
    )
    out = capsys.readouterr().out
    assert "Registered CA chuyên dùng" in out and "Registered Lãnh đạo Hà Nội" in out
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("ca", "import-cert", str(tmp_path / "none.pem"), "--profile", "unit_seal")
