"""Writes and roll-ups of the periodic reports (issue #8 scope 4), one keyword-only
function per use case (STYLE habit 2).

- ``submission_save`` keeps a unit's draft, checking every value against its field
  (type, required, limits); a report once submitted cannot be changed;
- ``submission_submit`` locks it; ``submission_approve`` is the leader's approval;
- ``rollup`` sums the submitted reports of a subtree per field (sum, average, or the
  share of another field), the form deciding per field;
- ``late_units`` lists the units expected to report and past the deadline;
  ``reports_remind`` reminds the people who fill the report in each of them (an e-mail
  when they have an address) and records it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput, NotFound, PermissionDenied
from lienthong.core.permissions import holds_in
from lienthong.org.models import Membership, RoleGrant, Unit
from lienthong.reports.choices import FieldType, PeriodKind, Rollup, SubmissionState
from lienthong.reports.models import ReportField, ReportForm, ReportSubmission

__all__ = [
    "Rolled",
    "late_units",
    "period_bounds",
    "reports_remind",
    "rollup",
    "submission_approve",
    "submission_save",
    "submission_submit",
    "submitted_reports",
]

logger = logging.getLogger(__name__)

FILL = "reports.add_reportsubmission"
APPROVE = "reports.approve_reportsubmission"
_DONE = (SubmissionState.SUBMITTED, SubmissionState.APPROVED)


def period_bounds(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the period of ``kind`` that holds ``day``."""
    if kind == PeriodKind.MONTH:
        start = day.replace(day=1)
        following = (start + dt.timedelta(days=32)).replace(day=1)
    elif kind == PeriodKind.QUARTER:
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        following = (start + dt.timedelta(days=95)).replace(day=1)
    else:
        start = day.replace(month=1, day=1)
        following = start.replace(year=start.year + 1)
    return start, following - dt.timedelta(days=1)


def _may(actor: Actor, unit: Unit, permission: str) -> bool:
    return holds_in(actor, unit, permission)  # type: ignore[arg-type]


def _expected(form: ReportForm) -> QuerySet[Unit]:
    """The units that fill the form: of its kind, under the unit that defined it."""
    return Unit.objects.filter(path__startswith=form.unit.path, kind=form.filler_kind)


def _value(field: ReportField, raw: Any) -> tuple[Any, str]:
    """The stored value of ``raw`` for ``field`` and the problem, if any."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, _("Required.") if field.required else ""
    if field.type == FieldType.TEXT:
        text = str(raw).strip()
        return text, _("At most 2000 characters.") if len(text) > 2000 else ""
    try:
        number = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        return None, _("Not a number.")
    if not number.is_finite():
        return None, _("Not a number.")
    if field.type == FieldType.INTEGER and number != number.to_integral_value():
        return None, _("A whole number.")
    if field.minimum is not None and number < field.minimum:
        return None, _("At least %(n)s.") % {"n": field.minimum}
    if field.maximum is not None and number > field.maximum:
        return None, _("At most %(n)s.") % {"n": field.maximum}
    return (int(number) if field.type == FieldType.INTEGER else str(number)), ""


def submission_save(
    *,
    actor: Actor,
    form: ReportForm,
    unit: Unit,
    period_start: dt.date,
    values: dict[str, Any],
) -> ReportSubmission:
    """Keep ``unit``'s draft of ``form`` for the period starting ``period_start``.

    Raises:
        NotFound: the unit is outside the actor's scope, or does not fill this form.
        InvalidInput: a value is wrong (``extra["fields"]`` says which), the period does
            not start there, or the report was already submitted.
    """
    if not _may(actor, unit, FILL) or not _expected(form).filter(pk=unit.pk).exists():
        raise NotFound(_("This unit does not exist or you may not do this there."))
    if period_bounds(form.period, period_start)[0] != period_start:
        raise InvalidInput(_("A period of this form does not start on that day."))
    fields = list(form.fields.all())
    clean: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for field in fields:
        value, problem = _value(field, values.get(field.code))
        if problem:
            problems[field.code] = problem
        elif value is not None:
            clean[field.code] = value
    if problems:
        raise InvalidInput(
            _("Some values are not right: %(fields)s.") % {"fields": ", ".join(problems)},
            extra={"fields": problems},
        )
    with transaction.atomic():
        row = (
            ReportSubmission.objects.select_for_update()
            .filter(form=form, unit=unit, period_start=period_start)
            .first()
        )
        if row is not None and row.state != SubmissionState.DRAFT:
            raise InvalidInput(_("This report was submitted: it can no longer be changed."))
        if row is None:
            row = ReportSubmission(form=form, unit=unit, period_start=period_start)
        row.values = clean
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError as exc:  # saved by someone else meanwhile: try again
            raise InvalidInput(_("The report changed meanwhile; open it again.")) from exc
        record(actor=actor, verb="report.save", target=row, data={"fields": sorted(clean)})
    return row


def submission_submit(*, actor: Actor, submission: ReportSubmission) -> ReportSubmission:
    """Submit a draft: it is locked from now on (audited).

    Raises:
        NotFound: outside the actor's scope.
        InvalidInput: not a draft.
    """
    with transaction.atomic():
        row = ReportSubmission.objects.select_for_update().get(pk=submission.pk)
        if not _may(actor, row.unit, FILL):
            raise NotFound(_("This report does not exist or you may not change it."))
        if row.state != SubmissionState.DRAFT:
            raise InvalidInput(_("This report was submitted: it can no longer be changed."))
        row.state = SubmissionState.SUBMITTED
        row.submitted_by = actor if hasattr(actor, "get_username") else None  # type: ignore[assignment]
        row.submitted_at = timezone.now()
        row.save(update_fields=["state", "submitted_by", "submitted_at", "updated_at"])
        record(actor=actor, verb="report.submit", target=row)
    return row


def submission_approve(*, actor: Actor, submission: ReportSubmission) -> ReportSubmission:
    """The leader approves a submitted report (``reports.approve_reportsubmission``).

    Raises:
        PermissionDenied: the actor may not approve reports of this unit.
        InvalidInput: not submitted.
    """
    with transaction.atomic():
        row = ReportSubmission.objects.select_for_update().get(pk=submission.pk)
        if not _may(actor, row.unit, APPROVE):
            raise PermissionDenied(_("You may not approve this unit's reports."))
        if row.state != SubmissionState.SUBMITTED:
            raise InvalidInput(_("Only a submitted report can be approved."))
        row.state = SubmissionState.APPROVED
        row.approved_by = actor if hasattr(actor, "get_username") else None  # type: ignore[assignment]
        row.approved_at = timezone.now()
        row.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
        record(actor=actor, verb="report.approve", target=row)
    return row


@dataclass(frozen=True)
class Rolled:
    """A form's figures for a subtree and period: per field code, and how many units
    reported out of how many are expected."""

    values: dict[str, Decimal | None]
    reported: int
    expected: int


def submitted_reports(
    *, user: Any, form: ReportForm, unit: Unit, period_start: dt.date
) -> QuerySet[ReportSubmission]:
    """The submitted (or approved) reports of ``unit``'s subtree for a period that
    ``user`` may see, in the tree's order: what a roll-up sums."""
    return (
        ReportSubmission.objects.restrict(user, "view")
        .filter(
            form=form,
            period_start=period_start,
            state__in=_DONE,
            unit__path__startswith=unit.path,
        )
        .order_by("unit__path")
    )


def rollup(*, user: Any, form: ReportForm, unit: Unit, period_start: dt.date) -> Rolled:
    """Sum up the submitted (or approved) reports of ``unit``'s subtree, field by field,
    as the form says (sum, average, share of another field); only what ``user`` may
    see counts."""
    rows = submitted_reports(user=user, form=form, unit=unit, period_start=period_start)
    reports = list(rows.values_list("values", flat=True))
    totals: dict[str, Decimal | None] = {}
    fields = list(form.fields.all())

    def numbers(code: str) -> list[Decimal]:
        return [Decimal(str(r[code])) for r in reports if r.get(code) is not None]

    for field in fields:
        if field.type == FieldType.TEXT or field.rollup == Rollup.NONE:
            continue
        found = numbers(field.code)
        if field.rollup == Rollup.SUM:
            totals[field.code] = sum(found, Decimal(0))
        elif field.rollup == Rollup.AVERAGE:
            totals[field.code] = sum(found, Decimal(0)) / len(found) if found else None
        elif field.rollup == Rollup.SHARE:
            whole = sum(numbers(field.of_field), Decimal(0))
            totals[field.code] = sum(found, Decimal(0)) / whole if whole else None
    expected = _expected(form).filter(path__startswith=unit.path).count()
    return Rolled(values=totals, reported=len(reports), expected=expected)


def late_units(*, form: ReportForm, period_start: dt.date, today: dt.date) -> QuerySet[Unit]:
    """The units expected to report for the period that have not submitted and are past
    the deadline (``deadline_days`` after the period's end). For the system's use."""
    end = period_bounds(form.period, period_start)[1]
    if today <= end + dt.timedelta(days=form.deadline_days):
        return Unit.objects.none()
    done = ReportSubmission.objects.filter(
        form=form, period_start=period_start, state__in=_DONE
    ).values("unit")
    return _expected(form).exclude(pk__in=done).order_by("path")


def _fillers(unit: Unit) -> list[Any]:
    roles = RoleGrant.objects.filter(permission=FILL).values("role")
    return [
        m.user
        for m in Membership.objects.active()
        .filter(unit=unit, role__in=roles)
        .select_related("user")
    ]


def reports_remind(
    *, actor: Actor, form: ReportForm, period_start: dt.date, today: dt.date
) -> list[Unit]:
    """Remind each late unit's people who fill the report; record each reminder.

    Returns:
        The late units reminded.
    """
    late = list(late_units(form=form, period_start=period_start, today=today))
    for unit in late:
        people = _fillers(unit)
        subject = _("Report due: %(form)s") % {"form": form.title}
        body = _(
            "The report “%(form)s” of %(unit)s for the period starting %(start)s was due "
            "%(days)s days after the period. Please fill it in and submit it."
        ) % {
            "form": form.title,
            "unit": unit.name,
            "start": period_start.strftime("%d/%m/%Y"),
            "days": form.deadline_days,
        }
        addresses = [p.email for p in people if getattr(p, "email", "")]
        if addresses:
            try:
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses)
            except OSError as exc:  # the reminder is recorded; the mail is best effort
                logger.warning("report reminder to %s failed: %s", unit.name, exc)
        ReportSubmission.objects.filter(form=form, unit=unit, period_start=period_start).update(
            reminded_at=timezone.now()
        )
        record(
            actor=actor,
            verb="report.remind",
            target=form,
            unit_id=unit.pk,
            data={"unit": unit.pk, "period": period_start.isoformat(), "to": len(people)},
        )
    return late
