"""The page shell: log-in, log-out, lock-out, CSRF and the security headers."""

from __future__ import annotations

import re

from django.conf import settings
from django.test import Client
from django.urls import reverse

#: core may not import org (DESIGN.md import order), so these tests set their own password.
PASSWORD = "mật-khẩu-kiểm-thử-5678"


def _with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def test_anonymous_home_redirects_to_the_login_page(db):
    """GIVEN no session WHEN the home page is asked for THEN the answer is the log-in page."""
    response = Client().get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_login_page_is_vietnamese_accessible_and_has_no_inline_script(db):
    """GIVEN an anonymous visitor WHEN the log-in page renders THEN it is in Vietnamese,
    every input has a label, and the CSP header forbids inline script."""
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="vi"' in text
    assert "Đăng nhập" in text
    assert '<main id="main"' in text
    for input_id in re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', text):
        assert f'for="{input_id}"' in text, input_id
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", text))
    assert " style=" not in text


def test_login_with_the_right_password_opens_the_home_page(world):
    """GIVEN the clerk's user name and password WHEN they log in THEN home greets them."""
    _with_password(world.clerk_a1)
    client = Client()
    response = client.post(
        reverse("login"), {"username": world.clerk_a1.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert "Xin chào, Văn thư Hoàn Kiếm" in home.content.decode()


def test_a_wrong_password_is_refused_in_vietnamese(world):
    """GIVEN a wrong password WHEN logging in THEN the form comes back with a Vietnamese
    message and no session is opened."""
    client = Client()
    response = client.post(
        reverse("login"), {"username": world.clerk_a1.username, "password": "sai-mat-khau"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'role="alert"' in text
    assert "tên đăng nhập" in text.lower()
    assert "_auth_user_id" not in client.session


def test_login_requires_a_csrf_token(world):
    """GIVEN a client that enforces CSRF and sends no token WHEN it posts the log-in form
    THEN the request is refused with 403."""
    _with_password(world.clerk_a1)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("login"), {"username": world.clerk_a1.username, "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_out(world):
    """GIVEN as many wrong passwords as the limit WHEN the right one follows THEN the
    lock-out page answers (django-axes) and no session is opened."""
    _with_password(world.clerk_a1)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": world.clerk_a1.username, "password": "sai"})
    response = client.post(
        reverse("login"), {"username": world.clerk_a1.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "Tài khoản bị tạm khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_log_out_is_a_post_and_ends_the_session(world):
    """GIVEN a signed-in person WHEN they press "log out" (POST) THEN the session ends;
    a GET does not log out."""
    client = Client()
    client.force_login(world.clerk_a1)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_staff_see_the_administration_link(world):
    """GIVEN a staff member WHEN the home page renders THEN the menu links to the admin;
    a clerk's menu does not."""
    client = Client()
    client.force_login(world.clerk_a1)
    assert reverse("admin:index") not in client.get(reverse("home")).content.decode()
    world.admin_central.is_staff = True
    world.admin_central.save()
    client.force_login(world.admin_central)
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()


def test_unknown_page_answers_404_in_vietnamese(world):
    """GIVEN a signed-in person WHEN they open a missing page THEN a Vietnamese 404."""
    client = Client()
    client.force_login(world.clerk_a1)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
