"""The pages of citizens' feedback (issue #10 scope 2).

Public (anonymous, under ``/cong-thong-tin/gop-y/``, extending ``portal/base.html``): the
form (rate limit, honeypot and question: ``abuse``), the status page by tracking code,
and the answers published with consent. A public page is given only what a citizen may
read (``PublicFeedback``): never a name, an e-mail, a phone or the attachment.

Staff (logged in, extending ``core/base.html``): the list of their units' feedback
(waiting and overdue first), a feedback with its answer, closing and publication, its
attachment, the topics and their routing rules, and the figures. Whoever holds
``feedback.view_feedback`` nowhere gets 403; a feedback outside the person's scope
answers 404 (STYLE habit 6), its attachment too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lienthong.core.errors import InvalidInput, NotFound
from lienthong.core.permissions import AllUnits, allowed_units, user_can
from lienthong.org.models import Unit, User
from lienthong.org.views import login_required
from lienthong.portal.feedback import abuse
from lienthong.portal.feedback.choices import FeedbackState
from lienthong.portal.feedback.forms import AnswerForm, CloseForm, FeedbackForm, TopicForm
from lienthong.portal.feedback.models import Feedback
from lienthong.portal.feedback.selectors import (
    LIST_FILTERS,
    feedback_by_code,
    feedback_get,
    feedback_list,
    feedback_published,
    feedback_statistics,
    topic_list,
    topics_open,
)
from lienthong.portal.feedback.services import (
    feedback_answer,
    feedback_attachment,
    feedback_close,
    feedback_drop,
    feedback_publish,
    feedback_submit,
    feedback_unpublish,
    max_attachment_bytes,
    topic_create,
    topic_update,
)

__all__ = [
    "feedback_answer_page",
    "feedback_answered",
    "feedback_attachment_page",
    "feedback_close_page",
    "feedback_detail",
    "feedback_list_page",
    "feedback_new",
    "feedback_publish_page",
    "feedback_statistics_page",
    "feedback_status",
    "topic_edit",
    "topics",
]

VIEW = "feedback.view_feedback"
PAGE_SIZE = 20
CODE_PARAM = "ma"
PAGE_PARAM = "trang"


# --- Public ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicFeedback:
    """What a public page may show of a feedback: no contact details, no attachment."""

    code: str
    topic: str
    text: str
    state: str
    state_label: str
    received_at: dt.datetime
    deadline: dt.date
    answer: str
    answered_at: dt.datetime | None

    @classmethod
    def of(cls, feedback: Feedback, *, with_text: bool = False) -> PublicFeedback:
        answered = feedback.state == FeedbackState.ANSWERED
        return cls(
            code=feedback.code,
            topic=feedback.topic.name,
            text=feedback.text if with_text else "",
            state=feedback.state,
            state_label=str(FeedbackState(feedback.state).label),
            received_at=feedback.received_at,
            deadline=feedback.deadline,
            answer=feedback.answer if answered else "",
            answered_at=feedback.answered_at if answered else None,
        )


def _form_page(request: HttpRequest, form: FeedbackForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "feedback/form.html",
        {"form": form, "honeypot": abuse.HONEYPOT_FIELD, "max_mb": max_attachment_bytes() // 2**20},
        status=status,
    )


def _refused(form: Any, error: InvalidInput) -> None:
    """Put each of the service's messages beside its field (or above the form)."""
    problems: dict[str, str] = error.extra.get("fields") or {}
    for name, message in problems.items():
        form.add_error(name if name in form.fields else None, str(message))
    if not problems:
        form.add_error(None, str(error.message))


@never_cache
@require_http_methods(["GET", "POST"])
def feedback_new(request: HttpRequest) -> HttpResponse:
    """The public feedback form. A submission beyond the address's limit answers 429 and
    stores nothing; a filled honeypot is dropped silently (the page says "received", no
    code); a wrong question brings the form back with a new one."""
    topics = topics_open()
    max_bytes = max_attachment_bytes()
    if request.method != "POST":
        return _form_page(request, FeedbackForm(topics=topics, max_bytes=max_bytes))
    address = abuse.client_address(request)
    if abuse.rate_limit_hit(address):
        return render(request, "feedback/limited.html", status=429)
    if request.POST.get(abuse.HONEYPOT_FIELD, "").strip():
        feedback_drop(address=address, reason="honeypot")
        return render(request, "feedback/received.html", {"code": ""})
    form = FeedbackForm(request.POST, request.FILES, topics=topics, max_bytes=max_bytes)
    if form.is_valid():
        data = form.cleaned_data
        try:
            feedback = feedback_submit(
                topic=data["topic"],
                text=data["text"],
                contact_name=data["contact_name"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                consent_publish=data["consent_publish"],
                attachment=data["attachment"],
                attachment_name=form.attachment_name,
                address=address,
            )
        except InvalidInput as exc:
            _refused(form, exc)
        else:
            return render(
                request,
                "feedback/received.html",
                {
                    "code": feedback.code,
                    "status_url": f"{reverse('feedback-status')}?{CODE_PARAM}={feedback.code}",
                    "has_email": bool(feedback.contact_email),
                },
            )
    form.renew_challenge()
    return _form_page(request, form)


@require_GET
def feedback_status(request: HttpRequest) -> HttpResponse:
    """The status of a feedback by its tracking code: its state and, once answered, the
    answer (the code is the citizen's key: nothing else is asked)."""
    raw = request.GET.get(CODE_PARAM, "").strip()[:40]
    feedback = feedback_by_code(raw) if raw else None
    response = render(
        request,
        "feedback/status.html",
        {
            "code": raw,
            "feedback": PublicFeedback.of(feedback) if feedback is not None else None,
            "not_found": bool(raw) and feedback is None,
        },
    )
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def feedback_answered(request: HttpRequest) -> HttpResponse:
    """The answers published with the citizens' consent, newest first, 20 a page."""
    paginator = Paginator(feedback_published(), PAGE_SIZE)
    page = paginator.get_page(request.GET.get(PAGE_PARAM))
    rows = [PublicFeedback.of(item, with_text=True) for item in page.object_list]
    return render(request, "feedback/answered.html", {"page": page, "rows": rows})


# --- Staff ----------------------------------------------------------------------------


def _gate(request: HttpRequest, permission: str = VIEW) -> None:
    if not user_can(request.user, permission):
        raise PermissionDenied


def _get(user: Any, pk: int) -> Feedback:
    try:
        return feedback_get(user=user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc


@login_required
@require_GET
def feedback_list_page(request: HttpRequest) -> HttpResponse:
    """The feedback of the person's units: waiting and overdue first."""
    _gate(request)
    state = request.GET.get("loc", "open")
    state = state if state in LIST_FILTERS else "open"
    paginator = Paginator(feedback_list(user=request.user, state=state), PAGE_SIZE)
    page = paginator.get_page(request.GET.get(PAGE_PARAM))
    return render(
        request,
        "feedback/staff_list.html",
        {
            "page": page,
            "state": state,
            "filters": [
                ("open", _("Waiting for an answer")),
                ("overdue", _("Overdue")),
                ("answered", _("Answered")),
                ("closed", _("Closed")),
                ("all", _("All")),
            ],
            "today": timezone.localdate(),
            "may_topics": user_can(request.user, "feedback.change_topic"),
        },
    )


def _may_change(user: Any, feedback: Feedback) -> bool:
    return Feedback.objects.restrict(user, "change").filter(pk=feedback.pk).exists()


def _detail(
    request: HttpRequest,
    feedback: Feedback,
    *,
    answer_form: AnswerForm | None = None,
    close_form: CloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_change = _may_change(request.user, feedback)
    waiting = feedback.state == FeedbackState.RECEIVED
    if may_change and waiting:
        answer_form = answer_form or AnswerForm(consent=feedback.consent_publish)
        close_form = close_form or CloseForm()
    else:
        answer_form = close_form = None
    return render(
        request,
        "feedback/staff_detail.html",
        {
            "feedback": feedback,
            "may_change": may_change,
            "answer_form": answer_form,
            "close_form": close_form,
        },
        status=status,
    )


@login_required
@require_GET
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One feedback: the citizen's text and contact details, its deadline, the answer
    form (for whoever may change it) and publication."""
    return _detail(request, _get(request.user, pk))


@login_required
@require_POST
def feedback_answer_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer a feedback; the citizen is e-mailed."""
    user = request.user
    feedback = _get(user, pk)
    form = AnswerForm(request.POST, consent=feedback.consent_publish)
    if form.is_valid():
        try:
            feedback_answer(
                actor=cast(User, user),
                feedback=feedback,
                answer=form.cleaned_data["answer"],
                publish=bool(form.cleaned_data.get("publish")),
            )
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The answer was saved."))
            return redirect("feedback-detail", pk=feedback.pk)
    return _detail(request, feedback, answer_form=form, status=400)


@login_required
@require_POST
def feedback_close_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a feedback without an answer, with the reason."""
    user = request.user
    feedback = _get(user, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            feedback_close(
                actor=cast(User, user), feedback=feedback, reason=form.cleaned_data["reason"]
            )
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The feedback was closed."))
            return redirect("feedback-detail", pk=feedback.pk)
    return _detail(request, feedback, close_form=form, status=400)


@login_required
@require_POST
def feedback_publish_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish the answer on the portal, or take it off (``action`` = publish/unpublish)."""
    user = request.user
    feedback = _get(user, pk)
    try:
        if request.POST.get("action") == "unpublish":
            feedback_unpublish(actor=cast(User, user), feedback=feedback)
            messages.success(request, _("The answer was taken off the portal."))
        else:
            feedback_publish(actor=cast(User, user), feedback=feedback)
            messages.success(request, _("The answer was published on the portal."))
    except NotFound as exc:
        raise Http404 from exc
    except InvalidInput as exc:
        messages.error(request, str(exc.message))
    return redirect("feedback-detail", pk=feedback.pk)


@require_GET
def feedback_attachment_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The attachment, for the staff who may see the feedback; anyone else, logged in or
    not, gets 404 (no log-in redirect that would tell that it exists)."""
    feedback = _get(request.user, pk)
    try:
        data = feedback_attachment(feedback)
    except NotFound as exc:
        raise Http404 from exc
    stored = feedback.attachment
    content_type = stored.content_type if stored is not None else "application/octet-stream"
    response = HttpResponse(data, content_type=content_type)
    name = feedback.attachment_name or f"gop-y-{feedback.code}"
    ascii_name = "".join(ch if ch.isascii() and ch not in '"\\;' else "_" for ch in name)
    response["Content-Disposition"] = f'attachment; filename="{ascii_name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _routing_units(user: Any) -> Any:
    """The units a person may route topics to."""
    where = allowed_units(user, "feedback.change_topic")
    if where is None:
        return Unit.objects.none()
    if isinstance(where, AllUnits):
        return Unit.objects.order_by("depth", "sort_order", "name")
    return Unit.objects.filter(pk__in=where).order_by("depth", "sort_order", "name")


@login_required
@require_http_methods(["GET", "POST"])
def topics(request: HttpRequest) -> HttpResponse:
    """The topics the person keeps, and a form to add one."""
    _gate(request, "feedback.change_topic")
    user = request.user
    units = _routing_units(user)
    form = TopicForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            topic_create(actor=cast(User, user), **form.cleaned_data)
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The topic was added."))
            return redirect("feedback-topics")
    return render(request, "feedback/topics.html", {"topics": topic_list(user=user), "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def topic_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a topic or its routing rule."""
    user = request.user
    topic = topic_list(user=user).filter(pk=pk).first()
    if topic is None:
        raise Http404
    units = _routing_units(user)
    if request.method == "POST":
        form = TopicForm(request.POST, units=units)
        if form.is_valid():
            try:
                topic_update(actor=cast(User, user), topic=topic, **form.cleaned_data)
            except NotFound as exc:
                raise Http404 from exc
            except InvalidInput as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("The topic was saved."))
                return redirect("feedback-topics")
    else:
        form = TopicForm(
            units=units,
            initial={
                "name": topic.name,
                "unit": topic.unit_id,
                "days_to_answer": topic.days_to_answer,
                "is_active": topic.is_active,
                "sort_order": topic.sort_order,
            },
        )
    return render(request, "feedback/topic_form.html", {"topic": topic, "form": form})


def _date(raw: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip()) if raw.strip() else default
    except ValueError:
        return default


@login_required
@require_GET
def feedback_statistics_page(request: HttpRequest) -> HttpResponse:
    """The figures: received, answered, on time, overdue; by topic and by unit."""
    _gate(request)
    today = timezone.localdate()
    start = _date(request.GET.get("tu", ""), today.replace(month=1, day=1))
    end = _date(request.GET.get("den", ""), today)
    if end < start:
        start, end = end, start
    stats = feedback_statistics(user=request.user, unit=None, start=start, end=end)
    return render(request, "feedback/statistics.html", {"stats": stats})
