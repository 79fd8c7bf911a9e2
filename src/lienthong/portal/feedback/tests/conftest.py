"""Fixtures of the feedback tests: English pages, a private file store, topics routed to
the communes of the ``world`` fixture, the people who handle feedback, and helpers to
post the public form as a browser would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lienthong.portal.feedback.abuse import challenge_new

#: A minimal file each format's sniffing accepts or refuses.
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    """GIVEN a private data directory (the file store) and the default limits."""
    settings.DATA_DIR = tmp_path / "data"
    settings.FEEDBACK_RATE_LIMIT = 5
    settings.FEEDBACK_RATE_WINDOW = 60
    settings.FEEDBACK_DEFAULT_UNIT = ""


@pytest.fixture
def topics(world: Any) -> dict[str, Any]:
    """GIVEN two topics: one routed to commune A1 (10 days), one to commune B1 (15 days)."""
    from lienthong.portal.feedback.models import Topic

    return {
        "a1": Topic.objects.create(
            name="Thủ tục hành chính", unit=world.commune_a1, days_to_answer=10
        ),
        "b1": Topic.objects.create(name="Môi trường", unit=world.commune_b1, days_to_answer=15),
    }


@pytest.fixture
def people(world: Any) -> dict[str, Any]:
    """GIVEN a specialist of commune A1, one of commune B1 (another province), the clerk
    of A1 and the leader of province A (from ``world``)."""
    from lienthong.org.choices import RoleCode
    from lienthong.org.tests.factories import UserFactory, member

    return {
        "specialist": member(UserFactory(username="cv.a1"), world.commune_a1, RoleCode.SPECIALIST),
        "specialist_b": member(
            UserFactory(username="cv.b1"), world.commune_b1, RoleCode.SPECIALIST
        ),
        "clerk": world.clerk_a1,
        "leader": world.leader_a,
    }


def public_client(address: str = "203.0.113.7") -> Client:
    """An anonymous browser from ``address``."""
    return Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=address)


def form_data(topic: Any, **values: Any) -> dict[str, Any]:
    """The public form filled in, with the question of a fresh challenge answered."""
    challenge = challenge_new()
    data: dict[str, Any] = {
        "topic": topic.pk,
        "text": "Đề nghị niêm yết công khai thời gian giải quyết hồ sơ tại bộ phận một cửa.",
        "contact_name": "Nguyễn Văn An",
        "contact_email": "an@example.vn",
        "contact_phone": "0912345678",
        "consent_publish": "on",
        "challenge_token": challenge.token,
        "challenge_answer": str(challenge.a + challenge.b),
        "website": "",
    }
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def submit(client: Client, topic: Any, **values: Any) -> Any:
    """POST the public form."""
    return client.post(reverse("feedback-new"), form_data(topic, **values))


def make_feedback(topic: Any, **values: Any) -> Any:
    """A feedback submitted through the service."""
    from lienthong.portal.feedback.services import feedback_submit

    fields: dict[str, Any] = {
        "topic": topic,
        "text": "Góp ý về việc cấp giấy phép xây dựng.",
        "contact_email": "dan@example.vn",
        "consent_publish": True,
        "address": "198.51.100.1",
    }
    fields.update(values)
    return feedback_submit(**fields)
