"""The page shell: log-in and log-out.

The home page lists the person's memberships, which belong to ``org``; ``core`` may not
import ``org`` (DESIGN.md import order), so the home view lives in ``lienthong.org.views``
under the URL name ``home``.
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    """Log in with user name and password (django-axes counts failures and locks out)."""

    template_name = "core/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Log out (POST only, as Django requires)."""
