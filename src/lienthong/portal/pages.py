"""The portal's back office (issue #10 scope 1), at "cong-thong-tin/quan-tri/": the
units' announcements by state, writing, submitting, publishing and withdrawing them, and
the issued documents put on the portal.

Whoever may see neither announcements nor the portal's documents anywhere gets 403;
an announcement or entry the person may not act on answers 404 (STYLE habit 6). Every
object from the request is resolved through ``restrict`` (the selectors); every write is
a service.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lienthong.core.errors import InvalidInput, NotFound
from lienthong.core.permissions import AllUnits, allowed_units, user_can
from lienthong.org.models import Unit, User
from lienthong.org.views import login_required
from lienthong.portal import selectors, services
from lienthong.portal.choices import AnnouncementState
from lienthong.portal.forms import AnnouncementForm, DocumentPublishForm, WithdrawForm
from lienthong.portal.models import Announcement

__all__ = [
    "announcement_edit",
    "announcement_new",
    "announcement_publish_page",
    "announcement_staff",
    "announcement_submit_page",
    "announcement_withdraw_page",
    "document_unpublish_page",
    "documents_staff",
    "staff_home",
]

VIEW_ANNOUNCEMENT = "portal.view_announcement"
VIEW_DOCUMENT = "portal.view_publisheddocument"
STATE_PARAM = "trang-thai"
STAFF_LIMIT = 200


def _gate(request: HttpRequest, *permissions: str) -> None:
    """403 when the person holds none of ``permissions`` in any unit."""
    if not any(user_can(request.user, p) for p in permissions):
        raise PermissionDenied


def _writing_units(user: Any) -> Any:
    """The units where the person may write announcements."""
    where = allowed_units(user, services.ADD_ANNOUNCEMENT)
    if where is None:
        return Unit.objects.none()
    if isinstance(where, AllUnits):
        return Unit.objects.order_by("depth", "sort_order", "name")
    return Unit.objects.filter(pk__in=where).order_by("depth", "sort_order", "name")


def _get(user: Any, pk: int, action: str = "view") -> Announcement:
    try:
        return selectors.announcement_get(user=user, pk=pk, action=action)
    except NotFound as exc:
        raise Http404 from exc


def _refused(form: AnnouncementForm | WithdrawForm, error: InvalidInput) -> None:
    problems: dict[str, str] = error.extra.get("fields") or {}
    for name, message in problems.items():
        form.add_error(name if name in form.fields else None, str(message))
    if not problems:
        form.add_error(None, str(error.message))


@login_required
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    """The units' announcements, by state, with what each may do next."""
    _gate(request, VIEW_ANNOUNCEMENT, VIEW_DOCUMENT)
    user = request.user
    state = request.GET.get(STATE_PARAM, "")
    state = state if state in AnnouncementState.values else ""
    counts = dict(
        selectors.announcement_list(user=user)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    rows = list(selectors.announcement_list(user=user, state=state)[:STAFF_LIMIT])
    return render(
        request,
        "portal/staff/home.html",
        {
            "rows": rows,
            "state": state,
            "states": [
                (value, label, counts.get(value, 0)) for value, label in AnnouncementState.choices
            ],
            "total": sum(counts.values()),
            "may_add": user_can(user, services.ADD_ANNOUNCEMENT),
            "may_documents": user_can(user, VIEW_DOCUMENT),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def announcement_new(request: HttpRequest) -> HttpResponse:
    """Write a draft announcement of one of the person's units."""
    _gate(request, services.ADD_ANNOUNCEMENT)
    user = request.user
    units = _writing_units(user)
    form = AnnouncementForm(request.POST or None, units=units, initial={"unit": units.first()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            announcement = services.announcement_create(
                actor=cast(User, user),
                unit=data["unit"],
                title=data["title"],
                summary=data["summary"],
                body=data["body"],
            )
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("portal-staff-announcement", pk=announcement.pk)
    return render(
        request,
        "portal/staff/form.html",
        {"form": form, "announcement": None, "action": reverse("portal-staff-new")},
    )


@login_required
@require_GET
def announcement_staff(request: HttpRequest, pk: int) -> HttpResponse:
    """One announcement as its unit's office sees it, with the next steps."""
    user = request.user
    announcement = _get(user, pk)
    may_change = (
        announcement.is_editable
        and Announcement.objects.restrict(user, "change").filter(pk=pk).exists()
    )
    may_publish = Announcement.objects.restrict(user, "publish").filter(pk=pk).exists()
    return render(
        request,
        "portal/staff/announcement.html",
        {
            "announcement": announcement,
            "may_change": may_change,
            "may_submit": may_change and announcement.state == AnnouncementState.DRAFT,
            "may_publish": may_publish and announcement.state == AnnouncementState.SUBMITTED,
            "may_withdraw": may_publish and announcement.state == AnnouncementState.PUBLISHED,
            "withdraw_form": WithdrawForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def announcement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft or submitted announcement."""
    user = request.user
    announcement = _get(user, pk, "change")
    if not announcement.is_editable:
        messages.error(request, _("Only a draft or a submitted announcement may be changed."))
        return redirect("portal-staff-announcement", pk=pk)
    initial = {
        "title": announcement.title,
        "summary": announcement.summary,
        "body": announcement.body,
    }
    form = AnnouncementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.announcement_update(
                actor=cast(User, user), announcement=announcement, **form.cleaned_data
            )
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The announcement was saved."))
            return redirect("portal-staff-announcement", pk=pk)
    return render(
        request,
        "portal/staff/form.html",
        {
            "form": form,
            "announcement": announcement,
            "action": reverse("portal-staff-edit", args=[pk]),
        },
    )


def _step(request: HttpRequest, pk: int, action: str, done: str, call: Any) -> HttpResponse:
    announcement = _get(request.user, pk, action)
    try:
        call(announcement)
    except NotFound as exc:
        raise Http404 from exc
    except InvalidInput as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("portal-staff-announcement", pk=pk)


@login_required
@require_POST
def announcement_submit_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a draft to the leader."""
    actor = cast(User, request.user)
    return _step(
        request,
        pk,
        "change",
        _("The announcement was submitted for publication."),
        lambda a: services.announcement_submit(actor=actor, announcement=a),
    )


@login_required
@require_POST
def announcement_publish_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a submitted announcement (the unit's leader)."""
    actor = cast(User, request.user)
    return _step(
        request,
        pk,
        "publish",
        _("The announcement is published on the portal."),
        lambda a: services.announcement_publish(actor=actor, announcement=a),
    )


@login_required
@require_POST
def announcement_withdraw_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a published announcement off the portal, with a reason."""
    actor = cast(User, request.user)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        _get(actor, pk, "publish")
        messages.error(request, _("Say why the announcement is withdrawn."))
        return redirect("portal-staff-announcement", pk=pk)
    reason = form.cleaned_data["reason"]
    return _step(
        request,
        pk,
        "publish",
        _("The announcement was withdrawn from the portal."),
        lambda a: services.announcement_withdraw(actor=actor, announcement=a, reason=reason),
    )


@login_required
@require_http_methods(["GET", "POST"])
def documents_staff(request: HttpRequest) -> HttpResponse:
    """The documents the person's units put on the portal, and the form to add one of
    their issued, unclassified documents."""
    _gate(request, VIEW_DOCUMENT)
    user = request.user
    may_publish = user_can(user, services.ADD_DOCUMENT)
    form = (
        DocumentPublishForm(
            request.POST or None, documents=selectors.publishable_documents(user=user)
        )
        if may_publish
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            document = form.cleaned_data["document"]
            try:
                services.document_publish(actor=cast(User, user), document=document)
            except NotFound as exc:
                raise Http404 from exc
            except InvalidInput as exc:
                form.add_error("document", str(exc.message))
            else:
                messages.success(
                    request,
                    _("%(number)s is published on the portal.")
                    % {"number": document.number_display},
                )
                return redirect("portal-staff-documents")
    return render(
        request,
        "portal/staff/documents.html",
        {
            "rows": list(selectors.published_document_list(user=user)[:STAFF_LIMIT]),
            "form": form,
        },
    )


@login_required
@require_POST
def document_unpublish_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a document off the portal."""
    user = request.user
    try:
        published = selectors.published_document_get(user=user, pk=pk, action="change")
        services.document_unpublish(actor=cast(User, user), published=published)
    except NotFound as exc:
        raise Http404 from exc
    except InvalidInput as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The document was taken off the portal."))
    return redirect("portal-staff-documents")
