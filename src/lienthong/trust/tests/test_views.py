"""Trust pages: certificates in scope (404 outside), issue and revoke, stamp images,
the second factor pages, signing behind the second factor, validation reports."""

from __future__ import annotations

import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from lienthong.audit.models import AuditEvent
from lienthong.org.choices import RoleCode
from lienthong.org.tests.factories import UserFactory, member
from lienthong.trust import second_factor, services
from lienthong.trust.choices import CertificateProfile
from lienthong.trust.models import Certificate, RevocationList, SignatureRequest, StampImage
from lienthong.trust.tests.conftest import ACTOR, seal_png, signature_png


def _client(user) -> Client:
    """A logged-in client reading the pages in English (messages are asserted as msgids)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _code(device: TOTPDevice) -> str:
    """The code the person's authenticator app shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _enrol(user) -> TOTPDevice:
    """Enrol ``user`` through the service, then forget the used step (as if 30 s passed)."""
    device = second_factor.totp_enrol_start(actor=user, user=user)
    assert second_factor.totp_enrol_confirm(
        actor=user, user=user, device=device, code=_code(device)
    )
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    return device


def _seal_of(unit, pki) -> Certificate:
    return services.certificate_issue(
        actor=ACTOR,
        authority=pki.cas.issuing,
        profile=CertificateProfile.UNIT_SEAL,
        subject=services.SubjectSpec(common_name=unit.name),
        holder_unit=unit,
    )


# --- Certificates -------------------------------------------------------------------


def test_my_certificates_lists_my_own_even_without_a_certificate_role(world, pki):
    """GIVEN a specialist of commune a1 holding a person's certificate, and a seal of a1
    WHEN they open "My certificates" THEN their own certificate is listed with its status,
    and the unit's seal (not theirs, no role to see it) answers 404."""
    specialist = member(UserFactory(full_name="Chuyên viên A1"), world.commune_a1, "specialist")
    own = services.certificate_issue(
        actor=ACTOR,
        authority=pki.cas.issuing,
        profile=CertificateProfile.PERSON_SIGNING,
        subject=services.SubjectSpec(common_name="Chuyên viên A1"),
        holder_user=specialist,
        holder_unit=world.commune_a1,
    )
    seal = _seal_of(world.commune_a1, pki)
    client = _client(specialist)
    response = client.get(reverse("trust-certificate-mine"))
    assert response.status_code == 200
    assert list(response.context["certificates"]) == [own]
    assert "Chuyên viên A1" in response.content.decode()
    assert "status-valid" in response.content.decode()
    assert client.get(reverse("trust-certificate-detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("trust-certificate-detail", args=[seal.pk])).status_code == 404


def test_it_officer_lists_and_searches_the_certificates_of_their_province_only(world, pki):
    """GIVEN an IT officer of province A and seals in communes a1 and b1
    WHEN they list and search certificates THEN a1's seal is there and b1's is not."""
    it_a = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    seal_a1 = _seal_of(world.commune_a1, pki)
    seal_b1 = _seal_of(world.commune_b1, pki)
    client = _client(it_a)
    listed = list(client.get(reverse("trust-certificate-list")).context["certificates"])
    assert seal_a1 in listed
    assert seal_b1 not in listed
    found = client.get(
        reverse("trust-certificate-list"), {"q": "hoan kiem"}, HTTP_HX_REQUEST="true"
    )
    assert found.status_code == 200
    assert list(found.context["certificates"]) == [seal_a1]


def test_it_officer_of_province_a_cannot_open_or_revoke_a_certificate_of_province_b(world, pki):
    """GIVEN an IT officer of province A and a seal certificate of commune b1
    WHEN they open it, download it, renew it or revoke it THEN every answer is 404 and the
    certificate stays valid."""
    it_a = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    seal_b1 = _seal_of(world.commune_b1, pki)
    client = _client(it_a)
    assert client.get(reverse("trust-certificate-detail", args=[seal_b1.pk])).status_code == 404
    assert client.get(reverse("trust-certificate-pem", args=[seal_b1.pk])).status_code == 404
    assert client.get(reverse("trust-certificate-revoke", args=[seal_b1.pk])).status_code == 404
    response = client.post(
        reverse("trust-certificate-revoke", args=[seal_b1.pk]),
        {"reason": "key_compromise", "confirm": "on"},
    )
    assert response.status_code == 404
    assert client.post(reverse("trust-certificate-renew", args=[seal_b1.pk])).status_code == 404
    seal_b1.refresh_from_db()
    assert seal_b1.revoked_at is None


def test_a_leader_may_view_but_not_revoke_a_certificate_of_their_province(world, pki):
    """GIVEN the leader of province A (who may view certificates, not change them)
    WHEN they open the revoke page of the province's seal THEN 404."""
    client = _client(world.leader_a)
    assert client.get(reverse("trust-certificate-detail", args=[pki.seal.pk])).status_code == 200
    assert client.get(reverse("trust-certificate-revoke", args=[pki.seal.pk])).status_code == 404


def test_revoke_asks_for_confirmation_then_revokes_and_publishes_a_crl(world, pki):
    """GIVEN an IT officer of province A and the seal of commune a1
    WHEN they post the revoke form without ticking the confirmation THEN nothing changes;
    WHEN they confirm THEN the certificate is revoked with its reason, a new CRL listing it
    is published and the revocation is audited."""
    it_a = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    seal = _seal_of(world.commune_a1, pki)
    client = _client(it_a)
    url = reverse("trust-certificate-revoke", args=[seal.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert seal.serial_number in page.content.decode()

    crls_before = RevocationList.objects.filter(authority=pki.cas.issuing).count()
    unconfirmed = client.post(url, {"reason": "key_compromise"})
    assert unconfirmed.status_code == 200
    seal.refresh_from_db()
    assert seal.revoked_at is None

    response = client.post(url, {"reason": "key_compromise", "confirm": "on"})
    assert response.status_code == 302
    seal.refresh_from_db()
    assert seal.revoked_at is not None
    assert seal.revocation_reason == "key_compromise"
    crls = RevocationList.objects.filter(authority=pki.cas.issuing)
    assert crls.count() == crls_before + 1
    from cryptography import x509

    latest = x509.load_der_x509_crl(bytes(crls.latest().der))
    assert latest.get_revoked_certificate_by_serial_number(int(seal.serial_number, 16))
    assert AuditEvent.objects.filter(verb="certificate.revoke", target_id=str(seal.pk)).exists()
    detail = client.get(reverse("trust-certificate-detail", args=[seal.pk]))
    assert "status-revoked" in detail.content.decode()


def test_it_officer_issues_a_person_certificate_in_their_province(world, pki):
    """GIVEN an IT officer of province A WHEN they issue a signing certificate for the
    clerk of a1 THEN it is created with its holder and key, and the page shows it."""
    it_a = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    client = _client(it_a)
    assert client.get(reverse("trust-certificate-issue")).status_code == 200
    response = client.post(
        reverse("trust-certificate-issue"),
        {
            "profile": CertificateProfile.PERSON_SIGNING,
            "holder_unit": world.commune_a1.pk,
            "holder_user": world.clerk_a1.pk,
            "validity_days": 365,
        },
    )
    assert response.status_code == 302
    issued = Certificate.objects.get(holder_user=world.clerk_a1)
    assert issued.holder_unit == world.commune_a1
    assert issued.profile == CertificateProfile.PERSON_SIGNING
    assert issued.key is not None
    assert response["Location"] == reverse("trust-certificate-detail", args=[issued.pk])


def test_issue_refuses_a_unit_or_person_outside_the_officers_scope(world, pki):
    """GIVEN an IT officer of province A WHEN they post the issue form with the unit and
    clerk of province B (forged ids) THEN the form refuses them and nothing is issued."""
    it_a = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    before = Certificate.objects.count()
    response = _client(it_a).post(
        reverse("trust-certificate-issue"),
        {
            "profile": CertificateProfile.PERSON_SIGNING,
            "holder_unit": world.commune_b1.pk,
            "holder_user": world.clerk_b1.pk,
            "validity_days": 365,
        },
    )
    assert response.status_code == 200
    assert "holder_unit" in response.context["form"].errors
    assert "holder_user" in response.context["form"].errors
    assert Certificate.objects.count() == before


def test_issue_page_is_not_for_people_without_the_permission(world, pki):
    """GIVEN a commune clerk WHEN they open the issue page THEN 404."""
    assert _client(world.clerk_a1).get(reverse("trust-certificate-issue")).status_code == 404


# --- Stamp images -------------------------------------------------------------------


def test_a_non_png_signature_image_is_refused_with_a_message(world, pki):
    """GIVEN a leader WHEN they upload a JPEG named .png, then a text file
    THEN both are refused with a message and no image is stored."""
    jpeg = io.BytesIO()
    Image.new("RGB", (50, 20), (0, 0, 200)).save(jpeg, format="JPEG")
    client = _client(world.leader_a)
    before = StampImage.objects.count()
    for payload in (jpeg.getvalue(), b"not an image at all"):
        response = client.post(
            reverse("trust-stamp-images"),
            {"kind": "signature", "image": SimpleUploadedFile("chu-ky.png", payload, "image/png")},
        )
        assert response.status_code == 400
        assert response.context["form"].errors["image"] == ["The image must be a PNG file."]
    assert StampImage.objects.count() == before


def test_an_oversized_png_is_refused(world, pki):
    """GIVEN a PNG over 1 MB WHEN uploaded THEN refused with the size message."""
    noise = Image.frombytes("RGB", (800, 800), bytes(range(256)) * 7500)
    out = io.BytesIO()
    noise.save(out, format="PNG", compress_level=0)
    assert len(out.getvalue()) > 1024 * 1024
    response = _client(world.leader_a).post(
        reverse("trust-stamp-images"),
        {"kind": "signature", "image": SimpleUploadedFile("big.png", out.getvalue())},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["image"] == ["The image is larger than 1 MB."]


def test_a_png_signature_and_a_seal_are_stored_for_their_holders(world, pki):
    """GIVEN the leader and an IT officer of province A
    WHEN the leader uploads a PNG signature and the officer a PNG seal for commune a1
    THEN each becomes the active image of its holder, replacing the earlier one."""
    leader_client = _client(world.leader_a)
    response = leader_client.post(
        reverse("trust-stamp-images"),
        {"kind": "signature", "image": SimpleUploadedFile("chu-ky.png", signature_png())},
    )
    assert response.status_code == 302
    active = StampImage.objects.filter(holder_user=world.leader_a, is_active=True)
    assert active.count() == 1  # the fixture's earlier image was retired
    image = active.get()
    shown = leader_client.get(reverse("trust-stamp-image-file", args=[image.pk]))
    assert shown.status_code == 200
    assert shown.content.startswith(b"\x89PNG")

    it_a = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    response = _client(it_a).post(
        reverse("trust-stamp-images"),
        {
            "kind": "seal",
            "unit": world.commune_a1.pk,
            "image": SimpleUploadedFile("dau.png", seal_png()),
        },
    )
    assert response.status_code == 302
    assert StampImage.objects.filter(holder_unit=world.commune_a1, kind="seal").count() == 1


# --- Second factor pages ------------------------------------------------------------


def test_enrolment_page_shows_a_qr_code_and_the_secret_then_backup_codes(world):
    """GIVEN a clerk without a device WHEN they open the enrolment page THEN an inline SVG
    QR code and the secret are shown; WHEN they post the app's code THEN the session is
    verified and the ten backup codes are shown."""
    client = _client(world.clerk_a1)
    page = client.get(reverse("trust-2fa-enrol"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text
    assert 'id="totp-secret"' in text
    device = TOTPDevice.objects.get(user=world.clerk_a1, confirmed=False)
    wrong = client.post(reverse("trust-2fa-enrol"), {"code": "12345"})
    assert wrong.status_code == 200
    assert not second_factor.has_device(world.clerk_a1)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    done = client.post(reverse("trust-2fa-enrol"), {"code": _code(device)})
    assert done.status_code == 200
    assert len(done.context["codes"]) == second_factor.BACKUP_CODE_COUNT
    assert second_factor.has_device(world.clerk_a1)
    # The session is verified now: the enrol page says so.
    assert client.get(reverse("trust-2fa-enrol")).context["verified"] is True


def test_verify_page_refuses_a_wrong_code_and_accepts_the_right_one(world):
    """GIVEN an enrolled leader in a fresh session WHEN they post a wrong code THEN it is
    refused with a message and audited; WHEN they post the right one THEN they are sent
    to ``next``."""
    device = _enrol(world.leader_a)
    client = _client(world.leader_a)
    url = reverse("trust-2fa-verify")
    wrong = "123456" if _code(device) != "123456" else "654321"
    response = client.post(url, {"code": wrong, "next": "/trust/ky-so/"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert AuditEvent.objects.filter(verb="2fa.fail", target_id=str(world.leader_a.pk)).exists()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    response = client.post(url, {"code": _code(device), "next": "/trust/ky-so/"})
    assert response.status_code == 302
    assert response["Location"] == "/trust/ky-so/"


def test_verify_page_ignores_a_next_url_to_another_site(world):
    """GIVEN an enrolled leader WHEN the verify form carries next=https://evil.example/
    THEN the redirect stays on this site."""
    device = _enrol(world.leader_a)
    response = _client(world.leader_a).post(
        reverse("trust-2fa-verify"), {"code": _code(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("trust-home")


def test_it_officer_resets_a_lost_device_through_the_page(world):
    """GIVEN an enrolled clerk of a1 WHEN the IT officer of province A confirms the reset
    THEN the clerk has no device; an IT officer of province B gets 404."""
    _enrol(world.clerk_a1)
    it_b = member(UserFactory(), world.province_b, RoleCode.IT_OFFICER)
    url = reverse("trust-2fa-reset", args=[world.clerk_a1.pk])
    assert _client(it_b).post(url).status_code == 404
    assert second_factor.has_device(world.clerk_a1)
    it_a = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    assert _client(it_a).get(url).status_code == 200
    assert _client(it_a).post(url).status_code == 302
    assert not second_factor.has_device(world.clerk_a1)


# --- Signing ------------------------------------------------------------------------


def _request_for(pki, user, certificate) -> SignatureRequest:
    from lienthong.trust import signing
    from lienthong.trust.pades.samples import sample_pdf

    return signing.signature_request_create(
        actor=user,
        unit=certificate.holder_unit,
        signer=user,
        certificate=certificate,
        kind=SignatureRequest.Kind.PERSON,
        title="Công văn số 12",
        pdf=sample_pdf(),
        options={},
    )


def test_signing_page_offers_the_leader_only_their_own_certificate(world, pki):
    """GIVEN the leader of province A (own certificate) and the province's seal
    WHEN they open the signing page THEN only their person's certificate is offered; the
    clerk of a1 (no seal of their own unit) is offered nothing."""
    response = _client(world.leader_a).get(reverse("trust-signing"))
    assert response.status_code == 200
    offered = list(response.context["form"].fields["certificate"].queryset)
    assert offered == [pki.person]
    clerk = _client(world.clerk_a1).get(reverse("trust-signing"))
    assert list(clerk.context["form"].fields["certificate"].queryset) == []


def test_the_signing_page_refuses_a_file_that_is_not_a_pdf(world, pki):
    """GIVEN the leader WHEN they upload a text file as the document THEN it is refused
    with a message and no signature request is created."""
    response = _client(world.leader_a).post(
        reverse("trust-signing"),
        {
            "title": "Không phải PDF",
            "certificate": pki.person.pk,
            "pdf": SimpleUploadedFile("van-ban.pdf", b"hello, not a pdf"),
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["pdf"] == ["The file is not a PDF document."]
    assert not SignatureRequest.objects.exists()


def test_signing_requires_a_second_factor_through_the_page(world, pki):
    """Acceptance (issue #3): signing a document requires a second factor for the
    signer's account, shown through the page.

    GIVEN the leader of province A with a signing certificate and an uploaded PDF
    WHEN they press Sign without a device THEN they are sent to enrolment and nothing is
    signed; WHEN they have a device but the session is not verified THEN they are sent to
    the verify page and nothing is signed; WHEN they post a valid TOTP code and press Sign
    again THEN the PDF is signed and can be downloaded."""
    from lienthong.trust.pades.samples import sample_pdf

    leader = world.leader_a
    client = _client(leader)
    created = client.post(
        reverse("trust-signing"),
        {
            "title": "Công văn số 12",
            "certificate": pki.person.pk,
            "pdf": SimpleUploadedFile("cong-van.pdf", sample_pdf()),
        },
    )
    assert created.status_code == 302
    sr = SignatureRequest.objects.get(signer=leader)
    assert created["Location"] == reverse("trust-signing-detail", args=[sr.pk])
    sign_url = reverse("trust-signing-sign", args=[sr.pk])

    no_device = client.post(sign_url)
    assert no_device.status_code == 302
    assert no_device["Location"].startswith(reverse("trust-2fa-enrol") + "?next=")
    sr.refresh_from_db()
    assert sr.state != SignatureRequest.State.COMPLETED
    assert not sr.output_pdf

    device = _enrol(leader)
    unverified = client.post(sign_url)
    assert unverified.status_code == 302
    assert unverified["Location"].startswith(reverse("trust-2fa-verify") + "?next=")
    sr.refresh_from_db()
    assert sr.state != SignatureRequest.State.COMPLETED

    verified = client.post(reverse("trust-2fa-verify"), {"code": _code(device), "next": sign_url})
    assert verified.status_code == 302
    signed = client.post(sign_url)
    assert signed.status_code == 302
    sr.refresh_from_db()
    assert sr.state == SignatureRequest.State.COMPLETED, sr.error
    download = client.get(reverse("trust-signing-download", args=[sr.pk]))
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF-")
    assert b"/ByteRange" in download.content
    assert "completed" in client.get(reverse("trust-signing-detail", args=[sr.pk])).content.decode()


def test_only_the_signer_can_sign_a_request(world, pki):
    """GIVEN a request of the leader, and the province's IT officer (verified session)
    WHEN the officer posts Sign THEN 404 and the request is untouched."""
    sr = _request_for(pki, world.leader_a, pki.person)
    it_a = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    device = _enrol(it_a)
    client = _client(it_a)
    client.post(reverse("trust-2fa-verify"), {"code": _code(device)})
    assert client.post(reverse("trust-signing-sign", args=[sr.pk])).status_code == 404
    sr.refresh_from_db()
    assert sr.state != SignatureRequest.State.COMPLETED


# --- Validation ---------------------------------------------------------------------


def test_validation_page_reports_an_unsigned_pdf_and_offers_json(world, pki):
    """GIVEN a clerk WHEN they upload an unsigned PDF THEN the report page shows the
    "unsigned" verdict in words (not colour alone) and the JSON download has the verdict."""
    from lienthong.trust.pades.samples import sample_pdf

    client = _client(world.clerk_a1)
    response = client.post(
        reverse("trust-validation"),
        {"pdf": SimpleUploadedFile("cong-van.pdf", sample_pdf())},
    )
    assert response.status_code == 302
    report = client.get(response["Location"])
    assert report.status_code == 200
    assert report.context["verdict"] == "unsigned"
    assert 'data-verdict="unsigned"' in report.content.decode()
    assert report.context["verdict_title"] == "Not signed"
    record = report.context["record"]
    body = client.get(reverse("trust-validation-json", args=[record.pk]))
    assert json.loads(body.content)["verdict"] == "unsigned"
    # Another province's clerk cannot read this report.
    assert _client(world.clerk_b1).get(response["Location"]).status_code == 404


def test_validation_page_refuses_a_file_that_is_not_a_pdf(world):
    """GIVEN a clerk WHEN they upload random bytes THEN the form says it is not a PDF."""
    response = _client(world.clerk_a1).post(
        reverse("trust-validation"),
        {"pdf": SimpleUploadedFile("x.pdf", b"\x00\x01random bytes")},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["pdf"] == ["The file is not a PDF document."]
