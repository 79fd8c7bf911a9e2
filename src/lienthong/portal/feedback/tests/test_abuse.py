"""Abuse protection of the public form without any external service (issue #10
acceptance): the rate limit per address, the honeypot and the question."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from lienthong.audit.models import AuditEvent
from lienthong.portal.feedback.abuse import challenge_check, challenge_new
from lienthong.portal.feedback.models import Feedback
from lienthong.portal.feedback.tests.conftest import form_data, public_client, submit

pytestmark = pytest.mark.django_db


def test_fifty_submissions_in_a_minute_from_one_address(settings: Any, topics: Any) -> None:
    """ACCEPTANCE. GIVEN the limit of FEEDBACK_RATE_LIMIT (5) submissions a minute
    WHEN one address sends 50 within a minute
    THEN the first 5 are taken with a code, the other 45 get HTTP 429 with a polite
    message and are not stored; another address is still served."""
    client = public_client("198.51.100.23")

    statuses = [submit(client, topics["a1"]).status_code for _ in range(50)]

    limit = settings.FEEDBACK_RATE_LIMIT
    assert statuses[:limit] == [200] * limit
    assert statuses[limit:] == [429] * (50 - limit)
    assert Feedback.objects.count() == limit
    refused = submit(client, topics["a1"])
    assert refused.status_code == 429
    assert "please wait a minute" in refused.content.decode()

    other = submit(public_client("198.51.100.99"), topics["a1"])
    assert other.status_code == 200
    assert Feedback.objects.count() == limit + 1


def test_the_limit_ends_with_its_window(settings: Any, topics: Any) -> None:
    """GIVEN a limit of 2 a window WHEN an address sends 3, then its window ends (the
    cache entry expires) THEN the third is refused and the next one taken."""
    from django.core.cache import cache

    from lienthong.portal.feedback.abuse import address_hash

    settings.FEEDBACK_RATE_LIMIT = 2
    client = public_client("198.51.100.5")
    assert [submit(client, topics["a1"]).status_code for _ in range(3)] == [200, 200, 429]

    cache.delete(f"feedback:rate:{address_hash('198.51.100.5')}")
    assert submit(client, topics["a1"]).status_code == 200
    assert Feedback.objects.count() == 3


def test_a_filled_honeypot_is_dropped_silently(topics: Any) -> None:
    """GIVEN a robot that fills every field, the hidden "website" one too
    WHEN it submits THEN the page says "received" without a code, nothing is stored,
    and the drop is recorded."""
    response = submit(public_client(), topics["a1"], website="http://spam.example")

    assert response.status_code == 200
    page = response.content.decode()
    assert "your feedback was received" in page
    assert 'id="feedback-code"' not in page
    assert Feedback.objects.count() == 0
    event = AuditEvent.objects.get(verb="feedback.dropped")
    assert event.data["reason"] == "honeypot"
    assert "203.0.113" not in str(event.data)


def test_the_form_renders_the_honeypot_hidden_and_a_question(topics: Any) -> None:
    """GIVEN the form WHEN opened THEN the honeypot sits in a hidden block labelled
    "leave empty" without autocomplete, and a sum is asked."""
    page = public_client().get(reverse("feedback-new")).content.decode()

    assert '<div class="feedback-hp" aria-hidden="true">' in page
    assert "Leave this field empty" in page
    assert 'name="website"' in page
    assert 'autocomplete="off" tabindex="-1"' in page
    assert " = ?" in page
    assert 'name="challenge_token"' in page
    assert "<script" not in page
    assert "style=" not in page


def test_a_wrong_answer_brings_the_form_back_and_stores_nothing(topics: Any) -> None:
    """GIVEN a question WHEN it is answered wrong THEN the form comes back with the
    message and a new question, and nothing is stored."""
    data = form_data(topics["a1"])
    data["challenge_answer"] = str(int(data["challenge_answer"]) + 1)

    response = public_client().post(reverse("feedback-new"), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "The answer to the question is wrong or has expired" in page
    assert data["challenge_token"] not in page
    assert Feedback.objects.count() == 0


def test_a_question_is_spent_once_and_expires(settings: Any, topics: Any) -> None:
    """GIVEN a solved question WHEN its token is posted again THEN it is refused; a
    token with a forged or expired signature is refused too."""
    data = form_data(topics["a1"])
    client = public_client()
    assert client.post(reverse("feedback-new"), data).status_code == 200
    again = client.post(reverse("feedback-new"), data)
    assert "The answer to the question is wrong or has expired" in again.content.decode()
    assert Feedback.objects.count() == 1

    challenge = challenge_new()
    answer = str(challenge.a + challenge.b)
    assert not challenge_check(challenge.token + "x", answer)
    from unittest import mock

    import django.core.signing

    with mock.patch.object(django.core.signing.time, "time", return_value=10**10):
        assert not challenge_check(challenge.token, answer)
    assert challenge_check(challenge.token, answer)
