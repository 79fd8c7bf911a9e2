"""``lienthong generate_secret_key``: print a new random secret key for LIENTHONG_SECRET_KEY."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print a new random secret key (64 characters) for LIENTHONG_SECRET_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(secrets.token_urlsafe(48))
