"""The responsible unit's staff (issue #10 scope 2): the scoped list and detail, the
answer e-mailed to the citizen through a real SMTP server, publication with consent,
and the attachment that only they may read."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lienthong.audit.models import AuditEvent
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.portal.feedback.choices import FeedbackState
from lienthong.portal.feedback.models import Feedback
from lienthong.portal.feedback.services import (
    feedback_answer,
    feedback_close,
    feedback_publish,
    feedback_unpublish,
)
from lienthong.portal.feedback.tests.conftest import PDF, make_feedback, public_client

pytestmark = pytest.mark.django_db


class Collector:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Collector]:
    """GIVEN a real SMTP server on loopback, and Django sending through it."""
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = controller.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.DEFAULT_FROM_EMAIL = "congthongtin@example.vn"
        yield collector
    finally:
        controller.stop()


def staff(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_list_shows_the_units_feedback_waiting_and_overdue_first(
    topics: Any, people: Any
) -> None:
    """GIVEN three feedback for commune A1 (one answered, one overdue, one new) and one
    for commune B1 WHEN the specialist of A1 opens the list THEN the overdue one comes
    first, then the new one; the answered one only under "answered"; B1's never."""
    answered = make_feedback(topics["a1"], text="Đã trả lời")
    feedback_answer(actor=people["specialist"], feedback=answered, answer="Xin cảm ơn.")
    overdue = make_feedback(topics["a1"], text="Quá hạn")
    Feedback.objects.filter(pk=overdue.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=2)
    )
    new = make_feedback(topics["a1"], text="Mới")
    other = make_feedback(topics["b1"], text="Tỉnh khác")
    client = staff(people["specialist"])

    page = client.get(reverse("feedback-list")).content.decode()

    assert page.index(overdue.code) < page.index(new.code)
    assert answered.code not in page
    assert other.code not in page
    assert "overdue" in page
    answered_page = client.get(reverse("feedback-list"), {"loc": "answered"}).content.decode()
    assert answered.code in answered_page
    assert new.code not in answered_page


def test_someone_without_the_grant_gets_403_on_the_list(world: Any) -> None:
    """GIVEN a person without any role WHEN they open the list THEN 403."""
    assert staff(world.outsider).get(reverse("feedback-list")).status_code == 403


def test_answer_is_scoped_and_emailed_to_the_citizen(
    topics: Any, people: Any, smtp: Collector, django_capture_on_commit_callbacks: Any
) -> None:
    """GIVEN a feedback for commune A1 with the citizen's e-mail and a real SMTP server
    WHEN the specialist of another province tries to open or answer it THEN 404;
    WHEN the specialist of A1 answers THEN it is answered, the status page shows the
    answer, and the SMTP server received a Vietnamese e-mail to the citizen with the
    code in its subject and the answer in its body."""
    feedback = make_feedback(topics["a1"], contact_email="an@example.vn")
    url = reverse("feedback-answer", args=[feedback.pk])
    answer = "Ủy ban sẽ niêm yết thời gian giải quyết hồ sơ từ tháng sau."

    outsider = staff(people["specialist_b"])
    assert outsider.get(reverse("feedback-detail", args=[feedback.pk])).status_code == 404
    assert outsider.post(url, {"answer": answer}).status_code == 404
    assert staff(people["leader"]).post(url, {"answer": answer}).status_code == 404
    assert not smtp.messages

    with django_capture_on_commit_callbacks(execute=True):
        response = staff(people["specialist"]).post(url, {"answer": answer})

    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.ANSWERED
    assert feedback.answered_by == people["specialist"]
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["an@example.vn"]
    assert message["To"] == "an@example.vn"
    assert message["Subject"] == f"Trả lời góp ý {feedback.code}"
    body = message.get_content()
    assert answer in body
    assert "Kính gửi" in body
    assert f"?ma={feedback.code}" in body

    status = public_client().get(reverse("feedback-status"), {"ma": feedback.code})
    page = status.content.decode()
    assert 'id="feedback-state">Answered<' in page
    assert answer in page


def test_a_mail_failure_keeps_the_answer_and_is_recorded(
    settings: Any, topics: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """GIVEN an SMTP server that does not answer WHEN the unit answers THEN the answer
    is kept and the failure recorded as feedback.mail_failed."""
    port = _free_port()  # nobody listens there
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2
    feedback = make_feedback(topics["a1"])

    with django_capture_on_commit_callbacks(execute=True):
        feedback_answer(actor=people["specialist"], feedback=feedback, answer="Đã tiếp thu.")

    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.ANSWERED
    assert AuditEvent.objects.filter(
        verb="feedback.mail_failed", target_id=str(feedback.pk)
    ).exists()


def test_publish_only_with_consent_and_never_contact_details(topics: Any, people: Any) -> None:
    """GIVEN two answered feedback, one with consent to publish and one without
    WHEN the unit publishes them THEN the first appears on the public page of answers
    (without name, e-mail or phone), the second is refused; unpublishing takes it off."""
    consenting = make_feedback(
        topics["a1"],
        text="Đề nghị lắp đèn chiếu sáng ngõ 12.",
        contact_name="Trần Thị Bình",
        contact_email="binh@example.vn",
        contact_phone="0987654321",
        consent_publish=True,
    )
    private = make_feedback(topics["a1"], text="Việc riêng của tôi.", consent_publish=False)
    specialist = people["specialist"]
    with pytest.raises(InvalidInput):
        feedback_answer(actor=specialist, feedback=private, answer="Trả lời.", publish=True)
    feedback_answer(actor=specialist, feedback=private, answer="Trả lời riêng.")
    with pytest.raises(InvalidInput):
        feedback_publish(actor=specialist, feedback=private)
    with pytest.raises(InvalidInput):  # not answered yet
        feedback_publish(actor=specialist, feedback=consenting)

    client = staff(specialist)
    client.post(
        reverse("feedback-answer", args=[consenting.pk]),
        {"answer": "Sẽ lắp trong quý III.", "publish": "on"},
    )
    consenting.refresh_from_db()
    assert consenting.published

    page = public_client().get(reverse("feedback-answered")).content.decode()
    assert "Sẽ lắp trong quý III." in page
    assert "Đề nghị lắp đèn chiếu sáng ngõ 12." in page
    for secret in ("Trần Thị Bình", "binh@example.vn", "0987654321", consenting.code):
        assert secret not in page
    assert "Trả lời riêng." not in page

    feedback_unpublish(actor=specialist, feedback=consenting)
    page = public_client().get(reverse("feedback-answered")).content.decode()
    assert "Sẽ lắp trong quý III." not in page
    assert AuditEvent.objects.filter(verb="feedback.unpublish").count() == 1


def test_the_attachment_is_only_for_the_units_staff(topics: Any, people: Any) -> None:
    """GIVEN a feedback of commune A1 with a PDF WHEN anonymous people or another
    province's specialist ask for it THEN 404; the specialist of A1 downloads it."""
    feedback = make_feedback(topics["a1"], attachment=PDF, attachment_name="don.pdf")
    url = reverse("feedback-attachment", args=[feedback.pk])

    assert public_client().get(url).status_code == 404
    assert staff(people["specialist_b"]).get(url).status_code == 404

    response = staff(people["specialist"]).get(url)
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="don.pdf"'
    assert "no-store" in response["Cache-Control"]


def test_the_detail_shows_contact_details_to_staff_and_closing(topics: Any, people: Any) -> None:
    """GIVEN a feedback of A1 WHEN the clerk of A1 opens it THEN the contact details and
    the answer form are there; closing it needs a reason and ends the waiting."""
    feedback = make_feedback(topics["a1"], contact_name="Lê Văn Cường")
    client = staff(people["clerk"])

    page = client.get(reverse("feedback-detail", args=[feedback.pk])).content.decode()
    assert "Lê Văn Cường" in page
    assert 'id="feedback-answer-form"' in page

    with pytest.raises(InvalidInput):
        feedback_close(actor=people["clerk"], feedback=feedback, reason=" ")
    with pytest.raises(NotFound):
        feedback_close(actor=people["specialist_b"], feedback=feedback, reason="Trùng")
    response = client.post(reverse("feedback-close", args=[feedback.pk]), {"reason": "Trùng lặp"})
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.CLOSED
    status = public_client().get(reverse("feedback-status"), {"ma": feedback.code})
    assert "closed without an answer" in status.content.decode()


def test_the_clerk_keeps_topics_routed_to_their_units(world: Any, people: Any) -> None:
    """GIVEN the clerk of commune A1 WHEN they add a topic routed to A1 THEN it is on the
    form; routing one to commune B1 is refused."""
    from lienthong.portal.feedback.models import Topic
    from lienthong.portal.feedback.services import topic_create, topic_update

    client = staff(people["clerk"])
    response = client.post(
        reverse("feedback-topics"),
        {
            "name": "Đất đai",
            "unit": world.commune_a1.pk,
            "days_to_answer": 20,
            "is_active": "on",
            "sort_order": 1,
        },
    )
    assert response.status_code == 302
    topic = Topic.objects.get(name="Đất đai")
    assert topic.unit == world.commune_a1
    assert topic.days_to_answer == 20
    assert "Đất đai" in public_client().get(reverse("feedback-new")).content.decode()

    with pytest.raises(NotFound):
        topic_create(actor=people["clerk"], name="Khác", unit=world.commune_b1)
    with pytest.raises(NotFound):
        topic_update(actor=people["clerk"], topic=topic, unit=world.commune_b1)
    assert staff(people["specialist"]).get(reverse("feedback-topics")).status_code == 403
