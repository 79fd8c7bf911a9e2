"""The ``lienthong ca`` command (trust/management/commands/ca.py)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import CommandError, call_command

from lienthong.audit.models import AuditEvent
from lienthong.trust.models import Certificate, CertificateAuthority, RevocationList, TrustAnchor


def _run(*args: str) -> str:
    out = StringIO()
    call_command("ca", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def node(db: None, settings: pytest.FixtureRequest) -> dict:
    """GIVEN a node where ``ca init --json`` ran."""
    settings.KEY_ALGORITHM = "ec-p256"  # type: ignore[attr-defined]
    return json.loads(
        _run("init", "--name", "Mạng thử", "--slug", "thu", "--algorithm", "ec-p256", "--json")
    )


def test_init_creates_the_cas_and_refuses_a_second_time(node):
    """GIVEN ``ca init`` ran
    WHEN it runs again with the same code
    THEN the first run reported root and issuing CA, the second fails with one line."""
    assert node["root"] == "thu-root" and node["issuing"] == "thu"
    assert CertificateAuthority.objects.count() == 2
    assert AuditEvent.objects.filter(actor_label="system:ca-cli", verb="ca.init").exists()
    with pytest.raises(CommandError, match="already exists"):
        _run("init", "--name", "Lần hai", "--slug", "thu", "--algorithm", "ec-p256")


def test_issue_for_a_unit_and_a_user_with_an_outside_key(node, world, tmp_path):
    """GIVEN a public key kept outside the node, a unit and a user
    WHEN ``ca issue`` runs with --public-key --unit --user --out --json
    THEN the certificate carries that key, is held by them and is written to the file."""
    key = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "pub.pem").write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    printed = json.loads(
        _run(
            "issue",
            "--profile",
            "person_signing",
            "--cn",
            "Lãnh đạo Hà Nội",
            "--unit",
            str(world.province_a.pk),
            "--user",
            world.leader_a.username,
            "--public-key",
            str(tmp_path / "pub.pem"),
            "--out",
            str(tmp_path / "cert.pem"),
            "--json",
        )
    )
    row = Certificate.objects.get(serial_number=printed["serial"])
    assert row.holder_unit == world.province_a and row.holder_user == world.leader_a
    cert = x509.load_pem_x509_certificate((tmp_path / "cert.pem").read_bytes())
    assert cert.public_key() == key.public_key()
    assert printed["common_name"] == "Lãnh đạo Hà Nội"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "999999"], "No unit"),
        (["--user", "nobody"], "No user"),
        (["--ca", "nope"], "No CA"),
        (["--public-key", "/nonexistent.pem"], "Cannot read"),
    ],
)
def test_issue_bad_input_is_one_line(node, world, args, message):
    """GIVEN a wrong unit, user, CA or key file
    WHEN ``ca issue`` runs
    THEN it fails with a one-line reason and issues nothing."""
    count = Certificate.objects.count()
    with pytest.raises(CommandError, match=message):
        _run("issue", "--profile", "unit_seal", "--cn", "x", *args)
    assert Certificate.objects.count() == count


def test_issue_with_a_garbage_public_key(node, tmp_path):
    """GIVEN a file that is not a PEM public key
    WHEN ``ca issue --public-key`` runs
    THEN it fails with one line."""
    (tmp_path / "bad.pem").write_text("hello", encoding="ascii")
    with pytest.raises(CommandError, match="PEM public key"):
        _run(
            "issue",
            "--profile",
            "unit_seal",
            "--cn",
            "x",
            "--public-key",
            str(tmp_path / "bad.pem"),
        )


def test_revoke_by_serial_and_fingerprint(node):
    """GIVEN two certificates
    WHEN one is revoked by its serial (with colons) and one by its fingerprint
    THEN both are revoked with the reason, and revoking again fails with one line."""
    first = json.loads(_run("issue", "--profile", "unit_seal", "--cn", "A", "--json"))
    second = json.loads(_run("issue", "--profile", "unit_seal", "--cn", "B", "--json"))
    serial = ":".join(first["serial"][i : i + 2] for i in range(0, len(first["serial"]), 2))
    _run("revoke", serial.upper(), "--reason", "key_compromise")
    _run("revoke", second["fingerprint_sha256"], "--reason", "superseded")
    reasons = {
        c.common_name: c.revocation_reason
        for c in Certificate.objects.filter(revoked_at__isnull=False)
    }
    assert reasons == {"A": "key_compromise", "B": "superseded"}
    with pytest.raises(CommandError, match="already revoked"):
        _run("revoke", second["fingerprint_sha256"])
    with pytest.raises(CommandError, match="No certificate"):
        _run("revoke", "abcdef")
    with pytest.raises(CommandError, match="neither"):
        _run("revoke", "not-hex")


def test_crl_publishes_now_and_writes_der(node, tmp_path):
    """GIVEN the CAs of the node
    WHEN ``ca crl`` runs for all, then for one with --out
    THEN each CA gets a new CRL, and the file holds a DER CRL."""
    before = RevocationList.objects.count()
    _run("crl")
    assert RevocationList.objects.count() == before + 2
    _run("crl", "--slug", "thu", "--out", str(tmp_path / "thu.crl"))
    crl = x509.load_der_x509_crl((tmp_path / "thu.crl").read_bytes())
    assert crl.issuer == CertificateAuthority.objects.get(slug="thu").certificate.x509().subject
    with pytest.raises(CommandError, match="--out needs one CA"):
        _run("crl", "--out", str(tmp_path / "x.crl"))
    with pytest.raises(CommandError, match="No CA"):
        _run("crl", "--slug", "nope")


def test_list_json(node):
    """GIVEN a node CA
    WHEN ``ca list --json`` runs
    THEN it lists both CAs and the TSA and OCSP certificates."""
    listing = json.loads(_run("list", "--json"))
    assert {a["slug"] for a in listing["authorities"]} == {"thu", "thu-root"}
    assert {"tsa", "ocsp"} <= {c["profile"] for c in listing["certificates"]}
    assert "thu-root" in _run("list")


def test_import_anchor_and_export_root(node, tmp_path, settings):
    """GIVEN the node's root exported to a file
    WHEN it is imported again, and a leaf certificate is imported
    THEN both are refused with one line; another network's root is accepted."""
    _run("export-root", "--out", str(tmp_path / "root.pem"))
    assert _run("export-root") == (tmp_path / "root.pem").read_text(encoding="ascii")
    with pytest.raises(CommandError, match="already a trust anchor"):
        _run("import-anchor", str(tmp_path / "root.pem"), "--name", "again")
    leaf = json.loads(_run("issue", "--profile", "unit_seal", "--cn", "x", "--json"))
    (tmp_path / "leaf.pem").write_text(
        Certificate.objects.get(serial_number=leaf["serial"]).pem, encoding="ascii"
    )
    with pytest.raises(CommandError, match="must be a CA"):
        _run("import-anchor", str(tmp_path / "leaf.pem"), "--name", "leaf")
    _run("init", "--name", "Khác", "--slug", "khac", "--algorithm", "ec-p256")
    TrustAnchor.objects.filter(name__startswith="Khác").delete()
    _run("export-root", "--slug", "khac-root", "--out", str(tmp_path / "khac.pem"))
    _run("import-anchor", str(tmp_path / "khac.pem"), "--name", "Mạng khác")
    assert TrustAnchor.objects.filter(name="Mạng khác").exists()
    with pytest.raises(CommandError, match="Several root CAs"):
        _run("export-root")
    with pytest.raises(CommandError, match="not a root"):
        _run("export-root", "--slug", "thu")


def test_commands_without_a_ca(db):
    """GIVEN a node where ``ca init`` never ran
    WHEN issue, crl and export-root run
    THEN each fails with one line."""
    for args in (["issue", "--profile", "unit_seal", "--cn", "x"], ["crl"], ["export-root"]):
        with pytest.raises(CommandError, match="ca init"):
            _run(*args)


def test_help_lists_the_subcommands(capsys):
    """GIVEN the command
    WHEN --help is asked
    THEN the subcommands are listed."""
    with pytest.raises(SystemExit):
        call_command("ca", "--help")
    out = capsys.readouterr().out
    for name in ("init", "issue", "revoke", "crl", "list", "import-anchor", "export-root"):
        assert name in out
