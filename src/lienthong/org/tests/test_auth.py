"""Accounts: password hashing, lock-out after failed log-ins, session security."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.test import override_settings
from django.urls import reverse

from lienthong.org.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_production_password_hashing_is_argon2():
    """GIVEN the node's settings (not the test override) THEN the first hasher is Argon2."""
    from lienthong.config import settings as node_settings

    assert node_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=node_settings.PASSWORD_HASHERS):
        user = UserFactory()
        assert user.password.startswith("argon2$")
        assert get_hasher().algorithm == "argon2"


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_repeated_failures_lock_the_account_out(client):
    """GIVEN a person WHEN the limit of wrong passwords is reached THEN even the right
    password is refused until the cool-off, and the page says so."""
    user = UserFactory(username="vanthu.thu")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, user.username, "sai-mat-khau")
        assert response.status_code == 200  # the form again, with an error
    response = _login(client, user.username, "sai-mat-khau")
    assert response.status_code == 429
    response = _login(client, user.username, TEST_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_right_password_logs_in_and_resets_failures(client):
    """GIVEN a few failures below the limit WHEN the right password is given THEN logged in."""
    user = UserFactory(username="chuyenvien.thu")
    _login(client, user.username, "sai")
    response = _login(client, user.username, TEST_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_session_cookie_settings():
    """GIVEN the node's settings THEN the session cookie is HttpOnly, SameSite and short-lived."""
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
