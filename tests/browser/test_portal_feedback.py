"""Acceptance (issue #10): on a phone-sized screen a citizen sends feedback with an
attachment through the portal and gets a tracking code; the specialist of the unit the
topic routes to answers it; the citizen's status page shows the answer, and the local
SMTP server (aiosmtpd, started by the test) received the e-mail. No page of the portal
loads anything from another host: every request the browser made is logged and checked.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
from typing import Any
from urllib.parse import urlparse

import pytest
from aiosmtpd.controller import Controller

from lienthong.org.choices import RoleCode
from lienthong.org.tests.factories import TEST_PASSWORD, UnitFactory, UserFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.integration]

#: The first page of a real PDF is enough for an attachment.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PHONE = {"width": 360, "height": 740}


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.django_db(transaction=True)
def test_a_citizen_sends_feedback_on_a_phone_and_reads_the_answer(
    live_server: Any, browser: Any, screenshot: Any, settings: Any, tmp_path: Any
) -> None:
    from lienthong.portal.feedback.models import Feedback, Topic

    settings.DATA_DIR = tmp_path / "data"
    settings.FEEDBACK_RATE_LIMIT = 5
    inbox = _Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        commune = UnitFactory(name="Đảng ủy phường Hoàn Kiếm", short_name="ĐU")
        Topic.objects.create(name="Thủ tục hành chính", unit=commune, days_to_answer=10)
        specialist = member(UserFactory(username="cv.hoankiem"), commune, RoleCode.SPECIALIST)
        url = live_server.url
        own = urlparse(url).netloc

        # The citizen, on a phone.
        phone = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True)
        requests: list[str] = []
        phone.on("request", lambda request: requests.append(request.url))
        page = phone.new_page()
        page.goto(f"{url}/cong-thong-tin/")
        page.goto(f"{url}/cong-thong-tin/gop-y/")
        page.select_option("#id_topic", label="Thủ tục hành chính")
        page.fill("#id_text", "Đề nghị niêm yết thời gian giải quyết hồ sơ tại bộ phận một cửa.")
        page.fill("#id_contact_name", "Nguyễn Văn An")
        page.fill("#id_contact_email", "an@example.vn")
        page.check("#id_consent_publish")
        page.set_input_files(
            "#id_attachment",
            files=[{"name": "ho-so.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )
        question = page.inner_text("#feedback-question")
        first, second = (int(n) for n in re.findall(r"\d+", question)[:2])
        page.fill("#id_challenge_answer", str(first + second))
        screenshot(page, "portal-feedback-form-phone.png", doc=True)
        page.click("#feedback-send")
        code = page.inner_text("#feedback-code").strip()
        assert re.fullmatch(r"GY-[0-9A-Z]{10}", code), code
        # The page fits the phone: nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        feedback = Feedback.objects.get(code=code)
        assert feedback.unit == commune and feedback.attachment is not None

        # The specialist of the routed unit answers it.
        desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        staff = desk.new_page()
        staff.goto(f"{url}/dang-nhap/")
        staff.get_by_label("Tên đăng nhập").fill(specialist.username)
        staff.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
        staff.get_by_role("button", name="Đăng nhập").click()
        staff.wait_for_url(f"{url}/")
        staff.goto(f"{url}/cong-thong-tin/gop-y/quan-ly/{feedback.pk}/")
        staff.fill("#id_answer", "Bộ phận một cửa đã niêm yết thời gian giải quyết từ ngày 1/12.")
        staff.click("#feedback-answer-send")
        staff.wait_for_selector("#feedback-answer")
        desk.close()

        # The citizen follows the code.
        page.goto(f"{url}/cong-thong-tin/gop-y/tra-cuu/?ma={code}")
        answer = page.inner_text("#feedback-answer")
        assert "niêm yết thời gian giải quyết" in answer
        screenshot(page, "portal-feedback-status-phone.png", doc=True)
        page.goto(f"{url}/cong-thong-tin/")
        phone.close()

        # The e-mail reached the SMTP server.
        assert len(inbox.messages) == 1
        recipients, message = inbox.messages[0]
        assert recipients == ["an@example.vn"]
        assert code in str(message["Subject"])
        assert "niêm yết thời gian giải quyết" in message.get_content()

        # Nothing came from another host.
        assert requests
        foreign = [r for r in requests if urlparse(r).netloc not in (own, "")]
        assert not foreign, foreign
    finally:
        smtp.stop()
