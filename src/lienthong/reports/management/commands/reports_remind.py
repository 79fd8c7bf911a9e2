"""``lienthong reports_remind``: remind the units late with their periodic reports (issue #8
scope 4); run it daily (cron or a systemd timer)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from lienthong.audit.actors import SystemActor
from lienthong.reports.models import ReportForm
from lienthong.reports.services import period_bounds, reports_remind


class Command(BaseCommand):
    help = (
        "For every report form in use, remind the units that have not submitted the last "
        "finished period's report by its deadline (e-mail and audit record)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="the day to judge lateness on (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = (
            dt.date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        )
        actor = SystemActor("reports-remind")
        total = 0
        for form in ReportForm.objects.filter(is_active=True).select_related("unit"):
            current = period_bounds(form.period, today)[0]
            previous = period_bounds(form.period, current - dt.timedelta(days=1))[0]
            late = reports_remind(actor=actor, form=form, period_start=previous, today=today)
            total += len(late)
            for unit in late:
                self.stdout.write(f"{form.title}: {unit.name} reminded")
        self.stdout.write(f"{total} late unit(s) reminded.")
