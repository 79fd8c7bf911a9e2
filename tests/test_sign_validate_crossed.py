"""Issue #3 acceptance: lienthong and pyHanko judge each other's signatures alike.

(a) A PDF signed by a person and sealed by the unit through lienthong (B-LTA) is VALID
for pyHanko's own CLI, run as a subprocess: ``sign validate`` and the AdES validator
``sign adesverify``, which requires revocation data and finds it embedded (no network).
(b) A PDF signed by pyHanko directly with a foreign test CA is judged by ``lienthong
verify_pdf`` as pyHanko judges it: valid with the foreign root as anchor, not trusted
without it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.management import call_command
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from lienthong.trust.pades.samples import sample_pdf
from lienthong.trust.tests.conftest import (  # the fixture, reused here
    Pki,
    pki,  # noqa: F401
    seal_png,
    signature_png,
)

PYHANKO = str(Path(sys.executable).with_name("pyhanko"))


def _pyhanko(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYHANKO, "sign", *args], capture_output=True, text=True, timeout=120, check=False
    )


def _verify_json(capsys, pdf: Path, *anchors: Path) -> dict:
    args = [str(pdf), "--json"]
    for anchor in anchors:
        args += ["--trust-anchor", str(anchor)]
    call_command("verify_pdf", *args)
    return json.loads(capsys.readouterr().out)


def test_lienthong_signed_and_sealed_pdf_is_valid_for_pyhanko(pki: Pki, tmp_path, capsys):  # noqa: F811
    """GIVEN a PDF signed by the leader then sealed by the unit in lienthong, B-LTA
    WHEN lienthong and pyHanko's CLI validate it against the network's root
    THEN lienthong says "valid" and pyHanko judges both signatures VALID, also in
    AdES mode where revocation data is required (and found embedded)."""
    from lienthong.trust import pades

    person = pades.sign_pdf(
        pdf=sample_pdf(pages=2),
        signer=pades.SignerSpec(certificate=pki.person),
        stamp=pades.StampSpec(
            kind="person", title="BÍ THƯ", name="Nguyễn Văn Ánh", image_png=signature_png()
        ),
    )
    sealed = pades.sign_pdf(
        pdf=person,
        signer=pades.SignerSpec(certificate=pki.seal),
        stamp=pades.StampSpec(kind="seal", image_png=seal_png(), image_width_mm=32),
    )
    pdf = tmp_path / "signed.pdf"
    pdf.write_bytes(sealed)
    root = tmp_path / "root.pem"
    root.write_text(pki.root_pem)

    ours = _verify_json(capsys, pdf, root)
    plain = _pyhanko(
        "validate",
        "--trust",
        str(root),
        "--trust-replace",
        "--no-revocation-check",
        "--pretty-print",
        str(pdf),
    )
    ades = _pyhanko(
        "adesverify", "--trust", str(root), "--trust-replace", "--pretty-print", str(pdf)
    )

    assert ours["verdict"] == "valid"
    assert len(ours["signatures"]) == 2
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.count("The signature is judged VALID.") == 2
    assert ades.returncode == 0, ades.stderr
    assert ades.stdout.count("The signature is judged VALID.") == 2


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Foreign Test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _issue(subject, key, issuer, issuer_key, *, ca=False, eku=None):
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
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
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key) -> asn1_keys.PrivateKeyInfo:
    return asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def test_pdf_signed_by_pyhanko_with_a_foreign_ca_is_judged_alike(db, tmp_path, capsys):
    """GIVEN a foreign root (unrelated to lienthong), a signer and a TSA under it, and a
    PDF signed by pyHanko directly with a timestamp (B-T)
    WHEN lienthong verify_pdf and pyHanko validate it with and without the foreign root
    THEN with it both say valid; without it pyHanko fails and lienthong says unknown
    (intact but not trusted)."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _issue(_name("Foreign Root"), root_key, _name("Foreign Root"), root_key, ca=True)
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer = _issue(_name("Jean Dupont"), signer_key, root.subject, root_key)
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's dummy TSA
    tsa = _issue(
        _name("Foreign TSA"),
        tsa_key,
        root.subject,
        root_key,
        eku=[ExtendedKeyUsageOID.TIME_STAMPING],
    )
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="Signature1", md_algorithm="sha256"),
        signer=signers.SimpleSigner(
            signing_cert=_asn1(signer),
            signing_key=_asn1_key(signer_key),
            cert_registry=SimpleCertificateStore.from_certs([_asn1(root)]),
        ),
        timestamper=DummyTimeStamper(tsa_cert=_asn1(tsa), tsa_key=_asn1_key(tsa_key)),
    )
    out = pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(sample_pdf())))
    pdf = tmp_path / "foreign.pdf"
    pdf.write_bytes(out.getvalue())
    foreign_root = tmp_path / "foreign-root.pem"
    foreign_root.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    other_root = tmp_path / "other-root.pem"
    other_key = ec.generate_private_key(ec.SECP256R1())
    other = _issue(_name("Other Root"), other_key, _name("Other Root"), other_key, ca=True)
    other_root.write_bytes(other.public_bytes(serialization.Encoding.PEM))

    trusted = _verify_json(capsys, pdf, foreign_root)
    untrusted = _verify_json(capsys, pdf, other_root)
    hanko_trusted = _pyhanko(
        "validate",
        "--trust",
        str(foreign_root),
        "--trust-replace",
        "--no-revocation-check",
        "--pretty-print",
        str(pdf),
    )
    hanko_untrusted = _pyhanko(
        "validate",
        "--trust",
        str(other_root),
        "--trust-replace",
        "--no-revocation-check",
        "--pretty-print",
        str(pdf),
    )

    assert hanko_trusted.returncode == 0, hanko_trusted.stderr
    assert "The signature is judged VALID." in hanko_trusted.stdout
    assert trusted["verdict"] == "valid"
    assert trusted["signatures"][0]["signer"] == "Jean Dupont"
    assert trusted["signatures"][0]["timestamped"] is True
    assert hanko_untrusted.returncode != 0
    assert "VALID." not in hanko_untrusted.stdout.replace("INVALID.", "")
    assert untrusted["verdict"] == "unknown"
    assert untrusted["signatures"][0]["intact"] is True
    assert untrusted["signatures"][0]["trusted"] is False
