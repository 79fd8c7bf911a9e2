"""The pages of the work calendar and of the notifications (issue #10 scopes 4, 5): the
week of a unit (Monday to Sunday, optionally one leader's), its printable form ("Lịch
công tác tuần"), an entry with its documents and minutes, the forms of those who keep
the calendar, and the person's notifications.

Whoever may read no calendar gets 403; an entry the person may not read answers 404
(STYLE habit 6). Every unit, entry, person and document from the request is resolved
through a restricted queryset or a selector.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lienthong.core.errors import InvalidInput, NotFound
from lienthong.core.permissions import get_restricted_or_404, user_can
from lienthong.documents.selectors import document_list
from lienthong.documents.services.files import file_read
from lienthong.org.models import User
from lienthong.org.views import login_required
from lienthong.portal.agenda import selectors, services
from lienthong.portal.agenda.forms import CancelForm, EventForm, MinutesForm, PreferenceForm
from lienthong.portal.agenda.models import Event, NotificationPreference

__all__ = [
    "event_cancel_page",
    "event_detail",
    "event_edit",
    "event_minutes",
    "event_minutes_upload",
    "event_new",
    "event_publish_page",
    "notification_open",
    "notifications_page",
    "notifications_read_all_page",
    "week",
    "week_print",
]

VIEW = "agenda.view_event"
UNIT_PARAM = "don-vi"
WEEK_PARAM = "tuan"
LEADER_PARAM = "lanh-dao"


def _gate(request: HttpRequest, permission: str = VIEW) -> None:
    if not user_can(request.user, permission):
        raise PermissionDenied


def _int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 18 else None


def _week_context(request: HttpRequest) -> dict[str, Any]:
    """The unit, week and leader of the query string, resolved for the person."""
    user = request.user
    units = selectors.calendar_units(user=user)
    unit_id = _int(request.GET.get(UNIT_PARAM))
    unit = units.filter(pk=unit_id).first() if unit_id is not None else None
    if unit_id is not None and unit is None:
        raise Http404
    if unit is None:
        unit = selectors.home_units(user=user).filter(pk__in=units.values("pk")).first()
        unit = unit or units.first()
    if unit is None:
        raise Http404
    week = selectors.Week.parse(request.GET.get(WEEK_PARAM))
    leader_id = _int(request.GET.get(LEADER_PARAM))
    leader = None
    if leader_id is not None:
        leader = User.objects.restrict(user, "view").filter(pk=leader_id).first()
        if leader is None:
            raise Http404
    days = selectors.event_week(user=user, week=week, units=[unit], leader=leader)
    start, end = week.bounds()
    leaders = User.objects.filter(
        pk__in=selectors.event_list(user=user, units=[unit], start=start, end=end).values("leaders")
    ).order_by("full_name", "username")

    def link(name: str, **params: Any) -> str:
        values = {UNIT_PARAM: unit.pk, WEEK_PARAM: str(week)}
        if leader is not None:
            values[LEADER_PARAM] = leader.pk
        values.update(params)
        query = urlencode({k: v for k, v in values.items() if v not in (None, "")})
        return f"{reverse(name)}?{query}"

    return {
        "unit": unit,
        "units": units,
        "week": week,
        "days": days,
        "leader": leader,
        "leaders": leaders,
        "count": sum(len(d.events) for d in days),
        "previous_url": link("agenda-week", **{WEEK_PARAM: str(week.previous)}),
        "next_url": link("agenda-week", **{WEEK_PARAM: str(week.next)}),
        "this_week_url": link("agenda-week", **{WEEK_PARAM: ""}),
        "print_url": link("agenda-week-print"),
        "may_add": user_can(user, services.ADD),
    }


@login_required
@require_GET
def week(request: HttpRequest) -> HttpResponse:
    """The week of a unit's calendar: Monday to Sunday, each day with its entries."""
    _gate(request)
    return render(request, "agenda/week.html", _week_context(request))


@login_required
@require_GET
def week_print(request: HttpRequest) -> HttpResponse:
    """The printable week ("Lịch công tác tuần"): the unit, the dates, a table per day."""
    _gate(request)
    return render(request, "agenda/week_print.html", _week_context(request))


def _get(user: Any, pk: int) -> Event:
    try:
        return selectors.event_get(user=user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc


@login_required
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One entry: when, where, who, its online-meeting link, documents and minutes."""
    user = request.user
    event = _get(user, pk)
    may_change = Event.objects.restrict(user, "change").filter(pk=pk).exists()
    documents = document_list(user=user).filter(
        pk__in=event.documents.values("pk")
    )  # only those this reader may read
    return render(
        request,
        "agenda/event.html",
        {
            "event": event,
            "documents": documents,
            "may_change": may_change and not event.is_cancelled,
            "cancel_form": CancelForm(),
            "minutes_form": MinutesForm(),
            "week_url": f"{reverse('agenda-week')}?"
            + urlencode(
                {
                    UNIT_PARAM: event.unit_id,
                    WEEK_PARAM: str(selectors.Week.of(event.starts_at.date())),
                }
            ),
        },
    )


def _refused(form: Any, error: InvalidInput) -> None:
    problems: dict[str, str] = error.extra.get("fields") or {}
    for name, message in problems.items():
        form.add_error(name if name in form.fields else None, str(message))
    if not problems:
        form.add_error(None, str(error.message))


def _people(user: Any) -> Any:
    return (
        User.objects.restrict(user, "view").filter(is_active=True).order_by("full_name", "username")
    )


def _documents(user: Any) -> Any:
    return document_list(user=user).order_by("-updated_at")[:200]


def _documents_field_queryset(user: Any) -> Any:
    # A sliced queryset cannot be filtered by the form: give the ids of the latest 200
    # plus any already attached (on edit), through the same selector.
    ids = list(_documents(user).values_list("pk", flat=True))
    return document_list(user=user).filter(pk__in=ids).order_by("-updated_at")


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    """Put an entry in the calendar of one of the units the person keeps (a draft)."""
    _gate(request, services.ADD)
    user = request.user
    units = selectors.keeping_units(user=user)
    form = EventForm(
        request.POST or None,
        units=units,
        people=_people(user),
        documents=_documents_field_queryset(user),
        initial={"unit": units.first(), **EventForm.initial_new()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                actor=cast(User, user), unit=form.cleaned_data["unit"], **form.values()
            )
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The entry was saved as a draft."))
            return redirect("agenda-event", pk=event.pk)
    return render(
        request,
        "agenda/event_form.html",
        {"form": form, "event": None, "action": reverse("agenda-new")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an entry (those who keep the unit's calendar)."""
    user = request.user
    event = get_restricted_or_404(Event.objects.all(), user, "change", pk=pk)
    attached = list(event.documents.values_list("pk", flat=True))
    docs = document_list(user=user).filter(
        pk__in=[*_documents(user).values_list("pk", flat=True), *attached]
    )
    if request.method == "POST":
        form = EventForm(request.POST, units=None, people=_people(user), documents=docs)
        if form.is_valid():
            try:
                services.event_update(actor=cast(User, user), event=event, **form.values())
            except NotFound as exc:
                raise Http404 from exc
            except InvalidInput as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("The entry was saved."))
                return redirect("agenda-event", pk=event.pk)
    else:
        form = EventForm(
            initial=EventForm.initial_of(event), units=None, people=_people(user), documents=docs
        )
    return render(
        request,
        "agenda/event_form.html",
        {"form": form, "event": event, "action": reverse("agenda-edit", args=[event.pk])},
    )


@login_required
@require_POST
def event_publish_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft."""
    user = request.user
    event = get_restricted_or_404(Event.objects.all(), user, "change", pk=pk)
    try:
        services.event_publish(actor=cast(User, user), event=event)
    except InvalidInput as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The entry was published."))
    return redirect("agenda-event", pk=event.pk)


@login_required
@require_http_methods(["GET", "POST"])
def event_cancel_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel an entry, with a reason."""
    user = request.user
    event = get_restricted_or_404(Event.objects.all(), user, "change", pk=pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_cancel(
                actor=cast(User, user), event=event, reason=form.cleaned_data["reason"]
            )
        except InvalidInput as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The entry was cancelled."))
            return redirect("agenda-event", pk=event.pk)
    return render(request, "agenda/event_cancel.html", {"form": form, "event": event})


@login_required
@require_http_methods(["GET", "POST"])
def event_minutes_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload the minutes (a PDF) of a meeting that has started."""
    user = request.user
    event = get_restricted_or_404(Event.objects.all(), user, "change", pk=pk)
    form = MinutesForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data, name = form.cleaned_data["file"]
        try:
            services.event_minutes_attach(actor=cast(User, user), event=event, data=data, name=name)
        except InvalidInput as exc:
            form.add_error("file", str(exc.message))
        else:
            messages.success(request, _("The minutes were attached."))
            return redirect("agenda-event", pk=event.pk)
    return render(request, "agenda/minutes_form.html", {"form": form, "event": event})


@login_required
@require_GET
def event_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes' PDF, for whoever may read the entry."""
    event = _get(request.user, pk)
    if event.minutes is None:
        raise Http404
    try:
        data = file_read(event.minutes)
    except NotFound as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type="application/pdf")
    name = event.minutes_name or f"bien-ban-{event.pk}.pdf"
    ascii_name = "".join(ch if ch.isascii() and ch not in '"\\' else "_" for ch in name)
    response["Content-Disposition"] = f'inline; filename="{ascii_name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def notifications_page(request: HttpRequest) -> HttpResponse:
    """My notifications, newest first, with my e-mail preference."""
    user = request.user
    form = PreferenceForm(
        request.POST or None,
        initial={"email_frequency": NotificationPreference.frequency_of(user)},
    )
    if request.method == "POST" and form.is_valid():
        services.notification_preference_set(
            user=user, frequency=form.cleaned_data["email_frequency"]
        )
        messages.success(request, _("Your preference was saved."))
        return redirect("agenda-notifications")
    rows = list(selectors.notification_list(user=user)[:100])
    return render(
        request,
        "agenda/notifications.html",
        {
            "rows": rows,
            "unread": sum(1 for n in rows if n.read_at is None),
            "form": form,
        },
    )


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of my notifications read and go to what it is about."""
    user = request.user
    try:
        notification = selectors.notification_get(user=user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    services.notification_read(user=user, notification=notification)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("agenda-notifications")


@login_required
@require_POST
def notifications_read_all_page(request: HttpRequest) -> HttpResponse:
    """Mark all my notifications read."""
    count = services.notifications_read_all(user=request.user)
    if count:
        messages.success(request, _("All notifications were marked read."))
    return redirect("agenda-notifications")
