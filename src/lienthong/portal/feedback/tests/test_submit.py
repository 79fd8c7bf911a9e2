"""A citizen sends feedback (issue #10 scope 2): the tracking code, the status page, the
routing to the topic's unit with its deadline, and the attachment checked by content."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from lienthong.audit.models import AuditEvent
from lienthong.core.errors import InvalidInput
from lienthong.documents.models import StoredFile
from lienthong.portal.feedback.choices import FeedbackState
from lienthong.portal.feedback.constants import CODE_ALPHABET
from lienthong.portal.feedback.models import Feedback
from lienthong.portal.feedback.selectors import code_normalise
from lienthong.portal.feedback.tests.conftest import (
    ELF,
    EXE,
    PDF,
    make_feedback,
    public_client,
    submit,
    upload,
)

pytestmark = pytest.mark.django_db


def test_submit_with_a_pdf_gives_a_code_and_routes_to_the_topic_unit(topics: Any) -> None:
    """GIVEN the topic "Thủ tục hành chính" routed to commune A1 with 10 days to answer
    WHEN a citizen sends feedback with a PDF attachment
    THEN the page shows a tracking code, the feedback belongs to commune A1 with its
    deadline 10 days after arrival, the PDF is stored, and the status page says
    "received"."""
    client = public_client()

    response = submit(client, topics["a1"], attachment=upload("don.pdf", PDF))

    assert response.status_code == 200
    feedback = Feedback.objects.get()
    assert feedback.code in response.content.decode()
    assert feedback.code.startswith("GY-")
    assert len(feedback.code) == 13
    assert set(feedback.code[3:]) <= set(CODE_ALPHABET)
    assert feedback.unit == topics["a1"].unit
    assert feedback.state == FeedbackState.RECEIVED
    assert feedback.deadline == timezone.localdate(feedback.received_at) + dt.timedelta(days=10)
    assert feedback.attachment is not None
    assert feedback.attachment.content_type == "application/pdf"
    assert feedback.attachment_name == "don.pdf"
    assert feedback.contact_email == "an@example.vn"
    assert feedback.consent_publish
    assert AuditEvent.objects.filter(
        verb="feedback.submit", target_id=str(feedback.pk), actor_label="system:portal"
    ).exists()

    status = client.get(reverse("feedback-status"), {"ma": feedback.code})
    assert status.status_code == 200
    page = status.content.decode()
    assert 'id="feedback-state">Received<' in page
    assert "an@example.vn" not in page
    assert "Nguyễn Văn An" not in page


def test_the_address_is_kept_only_as_a_salted_hash(topics: Any) -> None:
    """GIVEN a citizen at 203.0.113.7 WHEN they send feedback THEN the stored row holds a
    64-hex hash, not the address."""
    submit(public_client("203.0.113.7"), topics["a1"])

    feedback = Feedback.objects.get()
    assert len(feedback.submitter_hash) == 64
    assert "203.0.113.7" not in feedback.submitter_hash
    assert all(ch in "0123456789abcdef" for ch in feedback.submitter_hash)


@pytest.mark.parametrize(
    ("name", "content"),
    [("setup.exe", EXE), ("chuong-trinh", ELF), ("don.pdf", EXE), ("anh.png", ELF)],
    ids=["exe", "elf", "exe-named-pdf", "elf-named-png"],
)
def test_an_executable_attachment_is_refused_and_nothing_stored(
    topics: Any, name: str, content: bytes
) -> None:
    """GIVEN an executable (Windows "MZ" or Linux ELF), whatever its name
    WHEN a citizen attaches it THEN the form comes back with the message, and no
    feedback, stored file or audit event is written."""
    files, events = StoredFile.objects.count(), AuditEvent.objects.count()

    response = submit(public_client(), topics["a1"], attachment=upload(name, content))

    assert response.status_code == 200
    page = response.content.decode()
    assert "only PDF, Word (DOCX), JPEG and PNG files are accepted" in page
    assert 'id="feedback-form"' in page
    assert Feedback.objects.count() == 0
    assert StoredFile.objects.count() == files
    assert AuditEvent.objects.count() == events


def test_a_png_picture_is_accepted(topics: Any) -> None:
    """GIVEN a PNG picture WHEN attached THEN it is stored as image/png."""
    from lienthong.portal.feedback.tests.conftest import PNG

    feedback = make_feedback(topics["a1"], attachment=PNG, attachment_name="anh.png")

    assert feedback.attachment is not None
    assert feedback.attachment.content_type == "image/png"


def test_an_attachment_over_the_limit_is_refused(settings: Any, topics: Any) -> None:
    """GIVEN a limit of 1 MB WHEN a PDF of 1 MB and a byte is attached THEN it is refused
    with the limit named, nothing stored."""
    settings.FEEDBACK_MAX_ATTACHMENT_MB = 1
    big = PDF[:-6] + b"\n" * (1024 * 1024) + b"%%EOF\n"

    with pytest.raises(InvalidInput) as refused:
        make_feedback(topics["a1"], attachment=big, attachment_name="lon.pdf")

    assert "larger than 1 MB" in str(refused.value)
    assert Feedback.objects.count() == 0
    assert StoredFile.objects.count() == 0


def test_text_over_5000_characters_and_closed_topics_are_refused(topics: Any) -> None:
    """GIVEN a text of 5,001 characters, and an inactive topic WHEN submitted THEN each
    is refused beside its field."""
    with pytest.raises(InvalidInput) as long_text:
        make_feedback(topics["a1"], text="a" * 5001)
    assert "text" in long_text.value.extra["fields"]
    topics["b1"].is_active = False
    topics["b1"].save()
    with pytest.raises(InvalidInput) as closed:
        make_feedback(topics["b1"])
    assert "topic" in closed.value.extra["fields"]
    assert Feedback.objects.count() == 0


def test_a_topic_without_unit_goes_to_the_fallback_unit(settings: Any, world: Any) -> None:
    """GIVEN a topic without a responsible unit and the fallback unit set to province A
    WHEN feedback arrives THEN it belongs to province A; without the setting the topic is
    not offered and is refused."""
    from lienthong.portal.feedback.models import Topic
    from lienthong.portal.feedback.selectors import topics_open

    world.province_a.organ_id = "000.00.00.H01"
    world.province_a.save()
    topic = Topic.objects.create(name="Khác")
    assert topic not in topics_open()
    with pytest.raises(InvalidInput):
        make_feedback(topic)

    settings.FEEDBACK_DEFAULT_UNIT = "000.00.00.H01"
    assert topic in topics_open()
    assert make_feedback(topic).unit == world.province_a


def test_status_page_reads_codes_as_typed_and_says_when_none_matches(topics: Any) -> None:
    """GIVEN a feedback WHEN its code is typed in lower case without the dash, or a code
    that does not exist THEN the first finds it, the second says none matches."""
    feedback = make_feedback(topics["a1"])
    client = public_client()

    typed = feedback.code.lower().replace("-", " ")
    assert code_normalise(typed) == feedback.code
    found = client.get(reverse("feedback-status"), {"ma": typed})
    assert feedback.code in found.content.decode()

    missing = client.get(reverse("feedback-status"), {"ma": "GY-2222222222"})
    assert 'id="feedback-not-found"' in missing.content.decode()
    assert code_normalise("GY-0000000000") == ""  # 0 is not in the alphabet
