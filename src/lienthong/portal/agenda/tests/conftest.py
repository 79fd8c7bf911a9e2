"""Fixtures of the calendar tests: English, files in a temporary folder, helpers to make
entries and documents, and a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Path) -> None:
    """GIVEN a fresh file store for every test."""
    settings.DATA_DIR = tmp_path
    settings.FILE_STORAGE = "local"


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware datetime on ``day`` in the node's time zone."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def make_event(unit: Any, *, actor: Any, publish: bool = True, **values: Any) -> Any:
    """An entry made (and published) through the services."""
    from lienthong.portal.agenda.choices import EventKind
    from lienthong.portal.agenda.services import event_create, event_publish

    day = timezone.localdate() + dt.timedelta(days=1)
    fields: dict[str, Any] = {
        "title": "Họp giao ban",
        "starts_at": at(day, 8),
        "ends_at": at(day, 10),
        "kind": EventKind.MEETING,
    }
    fields.update(values)
    event = event_create(actor=actor, unit=unit, **fields)
    if publish:
        event = event_publish(actor=actor, event=event)
    return event


def make_document(unit: Any, *, classification: int = 0, subject: str = "Về việc thử") -> Any:
    """An incoming document of ``unit`` (registered)."""
    from lienthong.documents.choices import Convention, Direction, DocumentState
    from lienthong.documents.models import Document, DocumentType
    from lienthong.org.tests.factories import UserFactory

    doc_type, _ = DocumentType.objects.get_or_create(
        convention=Convention.PARTY, name="Công văn", defaults={"code": "CV", "is_letter": True}
    )
    return Document.objects.create(
        unit=unit,
        direction=Direction.INCOMING,
        state=DocumentState.REGISTERED,
        document_type=doc_type,
        subject=subject,
        classification=classification,
        created_by=UserFactory(),
    )


def pdf_bytes() -> bytes:
    """A small real PDF."""
    from lienthong.trust.pades.samples import sample_pdf

    return bytes(sample_pdf(title="Bien ban cuoc hop"))


@dataclass
class Mailbox:
    """What the local SMTP server received."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Mailbox]:
    """GIVEN a real SMTP server on loopback (aiosmtpd) and Django's SMTP backend
    pointed at it, as the organisation's server would be."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    try:
        yield mailbox
    finally:
        controller.stop()
