"""Acceptance (issue #4): a specialist drafts a công văn, a leader approves and signs with
the second factor, the clerk issues; the issued PDF carries two valid signatures and the
number "Số 01-CV/TU", and the outgoing register page shows the row."""

from __future__ import annotations

import base64
import datetime as dt
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_otp.oath import totp

from lienthong.audit.actors import SystemActor
from lienthong.documents.choices import Convention, Direction
from lienthong.documents.models import Document, DocumentType, Register, UnitProfile
from lienthong.documents.types_data import builtin_types_load
from lienthong.org.choices import RoleCode, UnitKind, UnitLevel
from lienthong.org.tests.factories import TEST_PASSWORD, UnitFactory, UserFactory, member
from lienthong.trust import services
from lienthong.trust.choices import CertificateProfile

pytestmark = [pytest.mark.browser, pytest.mark.integration]

ACTOR = SystemActor("browser-test")


def _office() -> dict[str, Any]:
    """Thành ủy Hà Nội (Party, "TU"), its registers, people, the leader's certificate and
    the seal; returns the people and the network's root certificate."""
    central = UnitFactory(
        name="Ban Chấp hành Trung ương Đảng", kind=UnitKind.CENTRAL, level=UnitLevel.CENTRAL
    )
    city = UnitFactory(name="Thành ủy Hà Nội", parent=central, short_name="TU")
    UnitProfile.objects.create(
        unit=city, convention=Convention.PARTY, issuer_code="TU", place_name="Hà Nội"
    )
    Register.objects.create(unit=city, direction=Direction.OUTGOING, name="Sổ văn bản đi")
    Register.objects.create(unit=city, direction=Direction.INCOMING, name="Sổ văn bản đến")
    specialist = member(
        UserFactory(username="chuyenvien.hanoi", full_name="Trần Văn Minh"),
        city,
        RoleCode.SPECIALIST,
    )
    leader = member(
        UserFactory(username="lanhdao.hanoi", full_name="Lê Văn Hùng"), city, RoleCode.LEADER
    )
    clerk = member(
        UserFactory(username="vanthu.hanoi", full_name="Nguyễn Thị Hoa"), city, RoleCode.CLERK
    )
    cas = services.ca_init(actor=ACTOR, network_name="Hà Nội", slug="hanoi", algorithm="ec-p256")
    services.certificate_issue(
        actor=ACTOR,
        authority=cas.issuing,
        profile=CertificateProfile.PERSON_SIGNING,
        subject=services.SubjectSpec(common_name="Lê Văn Hùng", organization="Thành ủy Hà Nội"),
        holder_user=leader,
        holder_unit=city,
    )
    services.certificate_issue(
        actor=ACTOR,
        authority=cas.issuing,
        profile=CertificateProfile.UNIT_SEAL,
        subject=services.SubjectSpec(common_name="Thành ủy Hà Nội", organization="Thành ủy Hà Nội"),
        holder_unit=city,
    )
    from django.core.files.base import ContentFile

    from lienthong.trust.demo import draw_seal, draw_signature
    from lienthong.trust.models import StampImage

    signature = StampImage(kind=StampImage.Kind.SIGNATURE, holder_user=leader)
    signature.image.save("chu-ky.png", ContentFile(draw_signature("Lê Văn Hùng")), save=True)
    seal = StampImage(kind=StampImage.Kind.SEAL, holder_unit=city, width_mm=32)
    seal.image.save("con-dau.png", ContentFile(draw_seal("Thành ủy Hà Nội")), save=True)
    return {
        "city": city,
        "specialist": specialist,
        "leader": leader,
        "clerk": clerk,
        "root_pem": cas.root.certificate.pem,
    }


def _incoming_work(office: dict[str, Any]) -> None:
    """Three incoming documents: two past their handling deadline, one to assign."""
    from lienthong.documents.services import document_register_incoming

    today = timezone.localdate()
    # A transactional test starts from a flushed database: the built-in types that the
    # data migration loads may be gone, so load them again (idempotent).
    builtin_types_load(DocumentType)
    letter = DocumentType.objects.get(convention=Convention.PARTY, code="CV")
    for number, (subject, late) in enumerate(
        [
            ("V/v báo cáo số liệu đảng viên quý III", 12),
            ("V/v góp ý dự thảo Quy định về công tác kiểm tra", 40),
            ("V/v phối hợp tổ chức hội nghị trực tuyến", None),
        ],
        start=21,
    ):
        document_register_incoming(
            actor=office["clerk"],
            unit=office["city"],
            document_type=letter,
            subject=subject,
            issuer_name="Văn phòng Trung ương Đảng",
            code_number=number,
            code_notation="CV/VPTW",
            issued_date=today - dt.timedelta(days=(late or 0) + 10),
            due_date=today - dt.timedelta(days=late) if late else today + dt.timedelta(days=7),
        )


def _code_from_secret(secret: str) -> str:
    """What the authenticator app shows for the secret typed from the page."""
    key = base64.b32decode(secret.replace(" ", "").upper())
    return f"{totp(key):06d}"


def _log_in(browser: Any, url: str, user: Any) -> Any:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{url}/")
    return page


def _enrol_and_continue(page: Any) -> None:
    """On the enrolment page: type the app's code, then go back where we were."""
    page.wait_for_url(re.compile(r".*/trust/xac-thuc-hai-buoc/\?next=.*"))
    secret = page.locator("#totp-secret").inner_text()
    page.locator("#id_code").fill(_code_from_secret(secret))
    page.locator("#confirm-enrol").click()
    page.locator("#backup-codes").wait_for()
    page.locator("#continue").click()


@pytest.mark.django_db(transaction=True)
def test_draft_approve_sign_issue_in_the_browser(
    live_server: Any, browser: Any, screenshot: Any, settings: Any, tmp_path: Path
) -> None:
    """GIVEN a Party office with a specialist, a leader (signing certificate) and a clerk
    (the seal), none with a second factor yet
    WHEN the specialist drafts and submits a công văn, the leader approves and signs
    (enrolling the authenticator when asked) and the clerk issues (likewise)
    THEN the issued PDF downloaded from the document page carries two valid signatures
    and the number "Số 01-CV/TU", and the outgoing register page shows its row."""
    from lienthong.trust.pades import validate_pdf

    settings.KEY_ALGORITHM = "ec-p256"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path / "data"
    settings.DOCUMENT_SIGNATURE_LEVEL = "B-T"
    office = _office()  # after MEDIA_ROOT: the stamp images go there
    url = live_server.url
    # A transactional test starts from a flushed database: the built-in types that the
    # data migration loads may be gone, so load them again (idempotent).
    builtin_types_load(DocumentType)
    letter = DocumentType.objects.get(convention=Convention.PARTY, code="CV")

    # The specialist drafts and submits.
    page = _log_in(browser, url, office["specialist"])
    page.goto(f"{url}/van-ban/soan-thao/")
    page.locator("#id_document_type").select_option(str(letter.pk))
    page.locator("#id_subject").fill("V/v triển khai phần mềm văn bản điện tử lienthong")
    page.locator("#id_body").fill(
        "Ban Thường vụ Thành ủy đề nghị các đảng ủy trực thuộc triển khai phần mềm.\n"
        "Đề nghị các đơn vị thực hiện nghiêm túc."
    )
    page.locator("#id_competence").select_option("T/M")
    page.locator("#id_signer").select_option(str(office["leader"].pk))
    page.locator("#id_signer_position").fill("Ban Thường vụ\nPhó Bí thư")
    page.locator("#id_recipients_text").fill("Các đảng ủy trực thuộc\nLưu Văn phòng")
    page.locator("#save-draft").click()
    page.wait_for_url(re.compile(r".*/van-ban/\d+/$"))
    detail_url = page.url
    page.locator("#submit-draft").click()
    page.locator("#doc-state[data-state=submitted]").wait_for()
    page.context.close()

    # The leader approves and signs (second factor asked at the first signature).
    page = _log_in(browser, url, office["leader"])
    page.goto(f"{url}/van-ban/lanh-dao/")
    assert "V/v triển khai phần mềm văn bản điện tử lienthong" in page.content()
    page.goto(detail_url)
    page.locator("#approve").click()
    page.locator("#doc-state[data-state=approved]").wait_for()
    page.locator("#sign-now").click()
    _enrol_and_continue(page)
    page.wait_for_url(detail_url)
    page.locator("#sign-now").click()
    page.locator("#doc-state[data-state=signed]").wait_for()
    page.context.close()

    # The clerk issues: number, register and seal.
    page = _log_in(browser, url, office["clerk"])
    page.goto(f"{url}/van-ban/van-thu/")
    assert "V/v triển khai phần mềm văn bản điện tử lienthong" in page.content()
    page.goto(detail_url)
    page.locator("#issue-now").click()
    _enrol_and_continue(page)
    page.wait_for_url(detail_url)
    page.locator("#issue-now").click()
    page.wait_for_load_state()
    messages = page.locator(".messages")
    assert page.locator("#doc-state").get_attribute("data-state") == "issued", (
        messages.inner_text() if messages.count() else page.url
    )
    assert page.locator("#number-line").inner_text() == "Số 01-CV/TU"
    screenshot(page, "document-detail.png", doc=True)
    page.goto(f"{url}/van-ban/van-thu/")
    screenshot(page, "documents-clerk.png", doc=True)

    # The issued PDF: the leader's and the seal's signatures, both valid.
    page.goto(detail_url)
    with page.expect_download() as info:
        page.locator("a.file-signed", has_text="ban-hanh").first.click()
    issued = tmp_path / "ban-hanh.pdf"
    info.value.save_as(str(issued))
    # pyHanko validates with asyncio: run it off the thread that Playwright's loop owns.
    with ThreadPoolExecutor(max_workers=1) as pool:
        report = pool.submit(
            validate_pdf, pdf=issued.read_bytes(), trust_anchors=[office["root_pem"]]
        ).result()
    assert len(report.signatures) == 2
    assert report.verdict == "valid", report.signatures

    # The register page shows the row.
    today = timezone.localdate()
    page.goto(
        f"{url}/van-ban/so/?unit={office['city'].pk}&kind=outgoing"
        f"&date_from={today.replace(month=1, day=1).isoformat()}&date_to={today.isoformat()}"
    )
    table = page.locator("#register-table").inner_text()
    assert "01-CV/TU" in table
    assert "V/v triển khai phần mềm văn bản điện tử lienthong" in table
    screenshot(page, "documents-register.png")
    page.context.close()

    # The leader's page once more, with incoming work, some of it late.
    _incoming_work(office)
    page = _log_in(browser, url, office["leader"])
    page.goto(f"{url}/van-ban/lanh-dao/")
    screenshot(page, "documents-leader.png", doc=True)
    page.context.close()
    assert Document.objects.get(direction=Direction.OUTGOING).number_line == "Số 01-CV/TU"

    # The number is printed on the PDF itself (filled in at issue).
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", "-layout", str(issued), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Số 01-CV/TU" in text
