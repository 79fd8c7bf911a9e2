"""``lienthong worker``: run the background task worker of the configured backend."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Run the task worker: django-tasks-db's db_worker in the embedded mode, "
        "rqworker when LIENTHONG_TASK_BACKEND=rq."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument(
            "--queue",
            default="default",
            help="the queue to work: default (everything but OCR), intake (reading scans)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASK_BACKEND
        queue = options["queue"]
        queues = settings.TASKS["default"].get("QUEUES", ["default"])
        if queue not in queues:
            raise CommandError(f"--queue must be one of {', '.join(queues)}, got {queue!r}.")
        if not options["batch"] and queue == "default":
            self._schedule_periodic_work()
        if backend == "db":
            extra = ["--batch"] if options["batch"] else []
            call_command("db_worker", *extra, queue_name=queue, verbosity=options["verbosity"])
        elif backend == "rq":
            extra = ["--burst"] if options["batch"] else ["--with-scheduler"]
            # django-tasks-rq needs its own Job class in the worker (its README).
            call_command("rqworker", queue, "--job-class", "django_tasks_rq.Job", *extra)
        else:
            raise CommandError(
                "LIENTHONG_TASK_BACKEND=immediate runs tasks in the caller; there is no worker."
            )

    def _schedule_periodic_work(self) -> None:
        """Start the self-rescheduling periodic tasks of the installed apps.

        Called by name, so core does not import the apps above it: the hourly timestamp
        of the audit chain head (``audit_anchor --schedule``, issue #3) and the reminders
        of overdue documents (``documents_schedule``, issue #4) and the sweep of the
        exchange outbox (``exchange_schedule``, issue #5) and the sweep of the intake's
        watched folder and stalled scans (``intake_schedule``, issue #7) and the probes
        of the units' reachability (``infra_schedule``, issue #8) and the calendar
        reminders and daily digest (``agenda_schedule``, issue #10).
        """
        commands = get_commands()
        for name, args in (
            ("audit_anchor", ["--schedule"]),
            ("documents_schedule", []),
            ("exchange_schedule", []),
            ("intake_schedule", []),
            ("infra_schedule", []),
            ("agenda_schedule", []),
        ):
            if name not in commands:
                continue
            try:
                call_command(name, *args, verbosity=0)
            except CommandError as exc:
                self.stderr.write(f"{name} not scheduled: {exc}")
