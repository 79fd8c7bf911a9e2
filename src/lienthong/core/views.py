"""The page shell: home, log-in and log-out."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The home page of a signed-in person."""
    return render(request, "core/home.html", {})


class LoginView(auth_views.LoginView):
    """Log in (django-axes counts failures and locks out)."""

    template_name = "core/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Log out (POST only, as Django requires)."""
