"""A leader logs in, is asked for the second factor, enrols an authenticator app, signs a
PDF, and checks the signed file on the validation page (issue #3)."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp

from lienthong.audit.actors import SystemActor
from lienthong.org.choices import RoleCode, UnitKind, UnitLevel
from lienthong.org.tests.factories import TEST_PASSWORD, UnitFactory, UserFactory, member
from lienthong.trust import services
from lienthong.trust.choices import CertificateProfile

pytestmark = [pytest.mark.browser, pytest.mark.integration]

ACTOR = SystemActor("browser-test")


def _leader_with_certificate() -> object:
    """Thành ủy Hà Nội, its leader, and the leader's signing certificate."""
    central = UnitFactory(
        name="Ban Chấp hành Trung ương Đảng", kind=UnitKind.CENTRAL, level=UnitLevel.CENTRAL
    )
    city = UnitFactory(name="Thành ủy Hà Nội", parent=central, short_name="TU")
    leader = member(
        UserFactory(username="lanhdao.hanoi", full_name="Trần Văn Minh"), city, RoleCode.LEADER
    )
    cas = services.ca_init(actor=ACTOR, network_name="Hà Nội", slug="hanoi", algorithm="ec-p256")
    services.certificate_issue(
        actor=ACTOR,
        authority=cas.issuing,
        profile=CertificateProfile.PERSON_SIGNING,
        subject=services.SubjectSpec(common_name="Trần Văn Minh", organization="Thành ủy Hà Nội"),
        holder_user=leader,
        holder_unit=city,
    )
    return leader


def _code_from_secret(secret: str) -> str:
    """What the authenticator app shows for the secret typed from the page."""
    key = base64.b32decode(secret.replace(" ", "").upper())
    return f"{totp(key):06d}"


@pytest.mark.django_db(transaction=True)
def test_leader_enrols_the_second_factor_and_signs_a_pdf(
    live_server, browser, screenshot, settings, tmp_path
):
    """GIVEN a leader with a signing certificate and no second factor yet
    WHEN they log in, upload a PDF and press Sign
    THEN they are asked to set up the second factor; after typing the app's code (read
    from the secret on the page) and pressing Sign again, the document is signed and the
    validation page reports on the signed file. Screenshots go to var/screenshots/."""
    from lienthong.trust.pades.samples import sample_pdf

    settings.KEY_ALGORITHM = "ec-p256"
    settings.MEDIA_ROOT = tmp_path / "media"
    leader = _leader_with_certificate()
    pdf = tmp_path / "cong-van-12.pdf"
    pdf.write_bytes(sample_pdf(pages=2))

    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/dang-nhap/")
        page.get_by_label("Tên đăng nhập").fill(leader.username)
        page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{live_server.url}/")

        page.goto(f"{live_server.url}/trust/ky-so/")
        page.locator("input[name=title]").fill("Công văn số 12/CV-TU")
        page.locator("input[name=pdf]").set_input_files(str(pdf))
        page.locator("#prepare-signing").click()
        page.wait_for_url(re.compile(r".*/trust/ky-so/\d+/$"))
        page.locator("#sign-now").click()

        # No device yet: the enrolment page, with the QR code drawn server-side.
        page.wait_for_url(re.compile(r".*/trust/xac-thuc-hai-buoc/\?next=.*"))
        assert page.locator(".qr svg").count() == 1
        screenshot(page, "2fa-enrol.png", doc=True)
        secret = page.locator("#totp-secret").inner_text()
        page.locator("#id_code").fill(_code_from_secret(secret))
        page.locator("#confirm-enrol").click()
        page.locator("#backup-codes").wait_for()
        assert page.locator("#backup-codes li").count() == 10
        page.locator("#continue").click()

        # Back on the request, in a verified session: sign.
        page.wait_for_url(re.compile(r".*/trust/ky-so/\d+/$"))
        page.locator("#sign-now").click()
        page.locator("#download-signed").wait_for()
        assert "✔" in page.locator("#signing-state").inner_text()
        screenshot(page, "signing.png", doc=True)

        with page.expect_download() as info:
            page.locator("#download-signed").click()
        signed = tmp_path / "da-ky.pdf"
        info.value.save_as(str(signed))
        assert signed.read_bytes().startswith(b"%PDF-")

        page.goto(f"{live_server.url}/trust/xac-minh/")
        page.locator("input[name=pdf]").set_input_files(str(signed))
        page.locator("#validate-pdf").click()
        page.locator("#verdict").wait_for()
        verdict = page.locator("#verdict").get_attribute("data-verdict")
        assert verdict in {"valid", "valid_with_warnings"}
        assert page.locator("table.signature-table").count() == 1
        assert "Trần Văn Minh" in page.content()
        screenshot(page, "validation.png", doc=True)
    finally:
        context.close()
