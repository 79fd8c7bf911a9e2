"""The pages of the periodic report forms (issue #8 scope 4): the forms a person fills
and the state of each unit's report, the fill page (save a draft, submit, approve) and
the roll-up of a subtree with its late units.

A form is resolved through ``ReportForm.objects.restrict(user, "view")``, widened to the
forms the person has a part in (they fill, approve or read its reports in a unit that
must fill it): a form is defined at the centre, above the communes that fill it. A
unit comes through ``Unit.objects.restrict(user, "view")``; out of reach is 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from lienthong.core.errors import InvalidInput, NotFound, PermissionDenied
from lienthong.core.permissions import AllUnits, allowed_units, get_restricted_or_404, holds_in
from lienthong.core.workbook import XLSX_TYPE
from lienthong.org.models import Unit
from lienthong.org.views import login_required
from lienthong.reports.choices import FieldType, Rollup, SubmissionState
from lienthong.reports.exports import rollup_xlsx
from lienthong.reports.models import ReportField, ReportForm, ReportSubmission
from lienthong.reports.services import (
    late_units,
    period_bounds,
    rollup,
    submission_approve,
    submission_save,
    submission_submit,
    submitted_reports,
)

FILL = "reports.add_reportsubmission"
APPROVE = "reports.approve_reportsubmission"
READ = "reports.view_reportsubmission"
#: At most this many units per form on the list page.
LIST_LIMIT = 200


def _units_with(user: Any, permission: str) -> QuerySet[Unit] | None:
    """The units where ``user`` holds ``permission`` (all of them, or None for none)."""
    where = allowed_units(user, permission)
    if where is None:
        return None
    if isinstance(where, AllUnits):
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=where)


def _holds(user: Any, unit: Unit, permission: str) -> bool:
    return holds_in(user, unit, permission)


def _forms(user: Any) -> QuerySet[ReportForm]:
    """The active forms the person may see: through ``restrict``, or because they fill,
    approve or read the reports of a unit that must fill it."""
    condition = Q(pk__in=ReportForm.objects.restrict(user, "view").values("pk"))
    for permission in (FILL, APPROVE, READ):
        units = _units_with(user, permission)
        if units is None:
            continue
        part = units.filter(kind=OuterRef("filler_kind"), path__startswith=OuterRef("unit__path"))
        condition |= Q(Exists(part))
    return ReportForm.objects.filter(condition, is_active=True).select_related("unit")


def _expected(form: ReportForm) -> QuerySet[Unit]:
    return Unit.objects.filter(path__startswith=form.unit.path, kind=form.filler_kind)


def _previous(form: ReportForm, start: dt.date) -> dt.date:
    return period_bounds(form.period, start - dt.timedelta(days=1))[0]


def _fill_url(form: ReportForm, unit: Unit, start: dt.date) -> str:
    return reverse("reports-fill", args=[form.pk, unit.pk, start.isoformat()])


@dataclass(frozen=True)
class PeriodCell:
    start: dt.date
    state: str | None
    state_label: str
    url: str


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    periods: list[PeriodCell]


@dataclass(frozen=True)
class FormBlock:
    form: ReportForm
    starts: list[dt.date]
    rows: list[UnitRow]
    more: int


def _state_label(state: str | None) -> str:
    if state is None:
        return _("not started")
    return str(SubmissionState(state).label)


@login_required
@require_GET
def form_list(request: HttpRequest) -> HttpResponse:
    """The forms the person may see and, for each, their units' reports of the current
    and the previous period."""
    user = request.user
    today = timezone.localdate()
    fillable = _units_with(user, FILL)
    blocks = []
    for form in _forms(user):
        current = period_bounds(form.period, today)[0]
        starts = [current, _previous(form, current)]
        units: list[Unit] = []
        more = 0
        if fillable is not None:
            found = _expected(form).filter(pk__in=fillable.values("pk")).order_by("path")
            units = list(found[: LIST_LIMIT + 1])
            if len(units) > LIST_LIMIT:
                more = found.count() - LIST_LIMIT
                units = units[:LIST_LIMIT]
        states = {
            (unit_id, start): state
            for unit_id, start, state in ReportSubmission.objects.filter(
                form=form, unit__in=[u.pk for u in units], period_start__in=starts
            ).values_list("unit", "period_start", "state")
        }
        rows = [
            UnitRow(
                unit=unit,
                periods=[
                    PeriodCell(
                        start=start,
                        state=states.get((unit.pk, start)),
                        state_label=_state_label(states.get((unit.pk, start))),
                        url=_fill_url(form, unit, start),
                    )
                    for start in starts
                ],
            )
            for unit in units
        ]
        blocks.append(FormBlock(form=form, starts=starts, rows=rows, more=more))
    return render(request, "reports/forms/list.html", {"blocks": blocks})


@dataclass(frozen=True)
class FieldView:
    field: ReportField
    value: str
    error: str
    is_number: bool
    is_text: bool
    step: str


def _field_views(
    fields: list[ReportField], values: dict[str, Any], errors: dict[str, str]
) -> list[FieldView]:
    views = []
    for field in fields:
        raw = values.get(field.code)
        views.append(
            FieldView(
                field=field,
                value="" if raw is None else str(raw),
                error=errors.get(field.code, ""),
                is_number=field.type != FieldType.TEXT,
                is_text=field.type == FieldType.TEXT,
                step="1" if field.type == FieldType.INTEGER else "any",
            )
        )
    return views


def _parse_day(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def fill(request: HttpRequest, form_id: int, unit_id: int, day: str) -> HttpResponse:
    """A unit's report of one period: the form to fill (a draft), or the report read-only
    once submitted, with the leader's "Approve"."""
    user: Any = request.user
    start = _parse_day(day)
    if start is None:
        raise Http404
    form = _forms(user).filter(pk=form_id).first()
    if form is None or period_bounds(form.period, start)[0] != start:
        raise Http404
    unit = get_restricted_or_404(Unit.objects.all(), user, "view", pk=unit_id)
    if not _expected(form).filter(pk=unit.pk).exists():
        raise Http404
    may_fill = _holds(user, unit, FILL)
    may_approve = _holds(user, unit, APPROVE)
    if not (may_fill or may_approve or _holds(user, unit, READ)):
        raise Http404
    submission = ReportSubmission.objects.filter(form=form, unit=unit, period_start=start).first()
    fields = list(form.fields.all())
    values: dict[str, Any] = dict(submission.values) if submission else {}
    errors: dict[str, str] = {}
    status = 200
    here = _fill_url(form, unit, start)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("save", "submit"):
                typed = {f.code: request.POST.get(f.code, "") for f in fields}
                try:
                    saved = submission_save(
                        actor=user, form=form, unit=unit, period_start=start, values=typed
                    )
                except InvalidInput as exc:
                    errors = exc.extra.get("fields", {})
                    if errors:
                        values = typed
                    raise
                if action == "submit":
                    submission_submit(actor=user, submission=saved)
                    messages.success(request, _("The report was submitted."))
                else:
                    messages.success(request, _("The draft was saved."))
                return redirect(here)
            if action == "approve":
                if submission is None:
                    raise Http404
                submission_approve(actor=user, submission=submission)
                messages.success(request, _("The report was approved."))
                return redirect(here)
            raise InvalidInput(_("Unknown action."))
        except NotFound as exc:
            raise Http404 from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc.message)) from exc
        except InvalidInput as exc:
            messages.error(request, str(exc.message))
            status = 400
            submission = ReportSubmission.objects.filter(
                form=form, unit=unit, period_start=start
            ).first()
    editable = may_fill and (submission is None or submission.state == SubmissionState.DRAFT)
    context = {
        "form": form,
        "unit": unit,
        "start": start,
        "end": period_bounds(form.period, start)[1],
        "submission": submission,
        "state_label": _state_label(submission.state if submission else None),
        "fields": _field_views(fields, values, errors),
        "editable": editable,
        "may_approve": (
            may_approve and submission is not None and submission.state == SubmissionState.SUBMITTED
        ),
        "action_url": here,
    }
    return render(request, "reports/forms/fill.html", context, status=status)


@dataclass(frozen=True)
class RolledRow:
    label: str
    value: str


def _number_text(value: Decimal | None, field: ReportField) -> str:
    if value is None:
        return "—"
    if field.rollup == Rollup.SHARE:
        return f"{(value * 100).quantize(Decimal('0.1'))} %"
    if value == value.to_integral_value():
        return str(int(value))
    return str(value.quantize(Decimal("0.01")))


def _rollup_unit(request: HttpRequest) -> Unit:
    user = request.user
    raw = request.GET.get("don-vi", "").strip()
    if raw:
        if not raw.isdigit():
            raise Http404
        return get_restricted_or_404(Unit.objects.all(), user, "view", pk=int(raw))
    visible = Unit.objects.restrict(user, "view").order_by("depth", "sort_order", "pk")
    readable = _units_with(user, READ)
    unit = None
    if readable is not None:
        unit = visible.filter(pk__in=readable.values("pk")).first()
    unit = unit or visible.first()
    if unit is None:
        raise Http404
    return unit


def _rollup_context(request: HttpRequest, form_id: int) -> dict[str, Any] | HttpResponse:
    """What the roll-up page and its XLSX and PDF show (or the 400 of a bad period)."""
    user = request.user
    form = _forms(user).filter(pk=form_id).first()
    if form is None:
        raise Http404
    unit = _rollup_unit(request)
    today = timezone.localdate()
    raw = request.GET.get("ky", "").strip()
    if raw:
        day = _parse_day(raw)
        if day is None:
            return HttpResponse(
                _("The period is not a date (yyyy-mm-dd)."),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        start = period_bounds(form.period, day)[0]
    else:
        start = _previous(form, period_bounds(form.period, today)[0])
    rolled = rollup(user=user, form=form, unit=unit, period_start=start)
    rows = [
        RolledRow(label=field.label, value=_number_text(rolled.values.get(field.code), field))
        for field in form.fields.all()
        if field.code in rolled.values
    ]
    late = (
        late_units(form=form, period_start=start, today=today)
        .filter(path__startswith=unit.path)
        .filter(pk__in=Unit.objects.restrict(user, "view").values("pk"))
    )
    here = reverse("reports-rollup", args=[form.pk])
    query = f"don-vi={unit.pk}&ky={start.isoformat()}"
    return {
        "form": form,
        "unit": unit,
        "start": start,
        "end": period_bounds(form.period, start)[1],
        "rows": rows,
        "rolled": rolled,
        "late": list(late),
        "previous_url": f"{here}?don-vi={unit.pk}&ky={_previous(form, start).isoformat()}",
        "xlsx_url": f"{reverse('reports-rollup-xlsx', args=[form.pk])}?{query}",
        "pdf_url": f"{reverse('reports-rollup-pdf', args=[form.pk])}?{query}",
    }


def _submissions(user: Any, context: dict[str, Any]) -> list[ReportSubmission]:
    """The submitted (or approved) reports behind a roll-up, by unit."""
    return list(
        submitted_reports(
            user=user, form=context["form"], unit=context["unit"], period_start=context["start"]
        ).select_related("unit")
    )


@login_required
@require_GET
def rollup_page(request: HttpRequest, form_id: int) -> HttpResponse:
    """A form's figures for a unit's subtree and a period, and the late units."""
    context = _rollup_context(request, form_id)
    if isinstance(context, HttpResponse):
        return context
    return render(request, "reports/forms/rollup.html", context)


def _export_name(context: dict[str, Any], extension: str) -> str:
    return (
        f"bao-cao-{context['form'].pk}-{context['unit'].pk}-"
        f"{context['start'].isoformat()}.{extension}"
    )


@login_required
@require_GET
def rollup_xlsx_view(request: HttpRequest, form_id: int) -> HttpResponse:
    """The roll-up as XLSX: the page's figures, each unit's report, the late units."""
    context = _rollup_context(request, form_id)
    if isinstance(context, HttpResponse):
        return context
    data = rollup_xlsx(
        form=context["form"],
        unit=context["unit"],
        start=context["start"],
        end=context["end"],
        rolled=context["rolled"],
        submissions=_submissions(request.user, context),
        late=context["late"],
    )
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_export_name(context, "xlsx")}"'
    return response


@login_required
@require_GET
def rollup_pdf_view(request: HttpRequest, form_id: int) -> HttpResponse:
    """The roll-up as an A4 PDF (WeasyPrint, local fonts): the figures, each unit's
    report and the late units."""
    import weasyprint  # type: ignore[import-untyped]

    from lienthong.documents.registers import font_faces

    context = _rollup_context(request, form_id)
    if isinstance(context, HttpResponse):
        return context
    fields = list(context["form"].fields.all())
    reports = [
        (s, [_unit_value(s.values.get(f.code), f) for f in fields])
        for s in _submissions(request.user, context)
    ]
    html = render_to_string(
        "reports/forms/rollup_pdf.html",
        {**context, "fields": fields, "reports": reports, "font_faces": font_faces()},
        request=request,
    )
    data: bytes = weasyprint.HTML(string=html).write_pdf()
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(context, "pdf")}"'
    return response


def _unit_value(value: Any, field: ReportField) -> tuple[str, bool]:
    """One unit's value as the PDF prints it, and whether it is a number (a unit's own
    value is a count even where the roll-up makes a share of it)."""
    if field.type == FieldType.TEXT or value is None:
        return ("" if value is None else str(value), False)
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return (str(value), False)
    if number == number.to_integral_value():
        return (str(int(number)), True)
    return (str(number.quantize(Decimal("0.01"))), True)
