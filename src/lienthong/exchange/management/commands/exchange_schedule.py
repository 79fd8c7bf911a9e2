"""``lienthong exchange_schedule``: start the periodic outbox sweep (``lienthong worker``
calls it by name)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Start the periodic sweep of the exchange outbox (every "
        "LIENTHONG_EXCHANGE_SWEEP_SECONDS): retries whose time has come, and anything a "
        "lost task left behind."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from lienthong.exchange.tasks import sweep_schedule

        if sweep_schedule():
            self.stdout.write("Outbox sweep scheduled.")
        else:
            self.stdout.write("The outbox sweep was already scheduled.")
