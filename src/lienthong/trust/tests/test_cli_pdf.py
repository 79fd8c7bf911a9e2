"""``lienthong sign_pdf`` and ``lienthong verify_pdf``."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lienthong.trust.pades.samples import sample_pdf


def _code(user) -> str:
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _verify(path, *anchors, capsys) -> dict:
    args = [str(path), "--json"]
    for anchor in anchors:
        args += ["--trust-anchor", str(anchor)]
    call_command("verify_pdf", *args)
    return json.loads(capsys.readouterr().out)


def test_sign_then_seal_then_verify(pki, tmp_path, capsys):
    """GIVEN a leader with an authenticator and the unit's seal certificate
    WHEN `sign_pdf IN OUT --as leader --seal UNIT --otp CODE` runs, then `verify_pdf`
    THEN the output carries two valid signatures, as JSON with the issue's keys."""
    (tmp_path / "in.pdf").write_bytes(sample_pdf())
    root = tmp_path / "root.pem"
    root.write_text(pki.root_pem)
    user = pki.person_user  # a leader of the province: signs, and may seal for it

    call_command(
        "sign_pdf",
        str(tmp_path / "in.pdf"),
        str(tmp_path / "out.pdf"),
        "--as",
        user.username,
        "--seal",
        str(pki.unit.pk),
        "--otp",
        _code(user),
        "--title-line",
        "BÍ THƯ",
    )
    capsys.readouterr()

    report = _verify(tmp_path / "out.pdf", root, capsys=capsys)
    assert report["verdict"] == "valid"
    assert [s["signer"] for s in report["signatures"]] == ["Lãnh đạo Hà Nội", "Tỉnh ủy Hà Nội"]
    assert {"intact", "trusted", "revoked", "timestamped", "modified_after", "reasons"} <= set(
        report["signatures"][0]
    )


def test_signer_with_a_role_needs_the_otp(pki, tmp_path):
    """GIVEN a leader (second factor required)
    WHEN sign_pdf runs without --otp, or with a wrong code
    THEN it stops with a one-line reason and writes nothing."""
    (tmp_path / "in.pdf").write_bytes(sample_pdf())
    args = [str(tmp_path / "in.pdf"), str(tmp_path / "out.pdf"), "--as", pki.person_user.username]

    with pytest.raises(CommandError, match="--otp"):
        call_command("sign_pdf", *args)
    TOTPDevice.objects.create(user=pki.person_user, name="app", confirmed=True)
    with pytest.raises(CommandError, match="wrong"):
        call_command("sign_pdf", *args, "--otp", "000000")
    assert not (tmp_path / "out.pdf").exists()


def test_verify_defaults_to_the_node_anchors_and_rejects_non_pdf(pki, tmp_path, capsys):
    """GIVEN a PDF signed by the node's CA (whose root is an active trust anchor) and
    a random binary file
    WHEN verify_pdf runs on each
    THEN the first is valid with the default anchors; the second exits with a one-line
    "not a PDF" error."""
    from lienthong.trust import pades

    signed = pades.sign_pdf(
        pdf=sample_pdf(), signer=pades.SignerSpec(certificate=pki.person), level="B-T"
    )
    (tmp_path / "signed.pdf").write_bytes(signed)
    (tmp_path / "random.bin").write_bytes(bytes(range(256)) * 4)

    assert _verify(tmp_path / "signed.pdf", capsys=capsys)["verdict"] == "valid"
    with pytest.raises(CommandError, match="not a PDF") as error:
        call_command("verify_pdf", str(tmp_path / "random.bin"))
    assert "\n" not in str(error.value)


def test_verify_human_output(pki, tmp_path, capsys):
    """GIVEN an unsigned PDF
    WHEN verify_pdf runs without --json
    THEN it prints one line with the verdict."""
    (tmp_path / "plain.pdf").write_bytes(sample_pdf())

    call_command("verify_pdf", str(tmp_path / "plain.pdf"))

    assert "UNSIGNED" in capsys.readouterr().out
