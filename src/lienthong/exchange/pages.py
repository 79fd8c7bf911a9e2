"""The exchange pages: the unit's inbox, a sent document's trail, the IT officer's
operations page (issue #5 scopes 4-6). Thin views over selectors and services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lienthong.core.errors import ApplicationError, NotFound
from lienthong.core.permissions import user_can
from lienthong.documents import selectors as document_selectors
from lienthong.documents.views._common import person
from lienthong.exchange import selectors, services
from lienthong.exchange.choices import InboxState, StatusCode
from lienthong.exchange.forms import InboxRegisterForm, ReasonForm
from lienthong.exchange.trail import chain_check
from lienthong.org.views import login_required

__all__ = [
    "inbound_discard",
    "inbound_release",
    "inbox",
    "inbox_refuse",
    "inbox_register",
    "operations",
    "recall_accept",
    "recall_refuse",
    "redrive",
    "sent_trail",
]

#: Recipients per page of a sent document's trail page.
TRAIL_PAGE_SIZE = 100

#: The order in which a recipient's steps are shown (vn-rules.md §3.6).
STEPS = (
    StatusCode.SENT,
    StatusCode.ARRIVED,
    StatusCode.REGISTERED,
    StatusCode.ASSIGNED,
    StatusCode.IN_PROGRESS,
    StatusCode.DONE,
)


def _or_404(call: Any, **kwargs: Any) -> Any:
    try:
        return call(**kwargs)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def _act(request: HttpRequest, back: str, done: str, call: Any, **kwargs: Any) -> HttpResponse:
    """Run a service for the person; say "done" or why not; go back to ``back``."""
    try:
        call(actor=person(request), **kwargs)
    except ApplicationError as exc:
        messages.error(request, _("Not done: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(request, done)
    return redirect(back)


def _with_reason(
    request: HttpRequest, back: str, missing: str, done: str, call: Any, **kwargs: Any
) -> HttpResponse:
    """``_act`` with the reason the person typed (refused with ``missing`` when empty)."""
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, missing)
        return redirect(back)
    return _act(request, back, done, call, reason=form.cleaned_data["reason"], **kwargs)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Documents arrived by exchange in the person's units, waiting to be registered."""
    items = list(selectors.inbox_list(user=request.user)[:200])
    asked = list(selectors.inbox_list(user=request.user, state=InboxState.RECALL_ASKED)[:200])
    forms = {
        item.pk: InboxRegisterForm(type_name=item.type_name, prefix=f"i{item.pk}") for item in items
    }
    return render(
        request,
        "exchange/inbox.html",
        {
            "rows": [(item, forms[item.pk]) for item in items],
            "refuse_form": ReasonForm(),
            "asked": asked,
            "may_register": user_can(request.user, "exchange.change_inboxitem"),
        },
    )


@login_required
@require_POST
def inbox_register(request: HttpRequest, pk: int) -> HttpResponse:
    item = _or_404(selectors.inbox_get, user=request.user, pk=pk)
    form = InboxRegisterForm(request.POST, prefix=f"i{item.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose the type of the document."))
        return redirect("exchange-inbox")
    try:
        document = services.inbox_register(
            actor=person(request),
            item=item,
            document_type=form.cleaned_data["document_type"],
            due_date=form.cleaned_data["due_date"],
        )
    except ApplicationError as exc:
        messages.error(request, _("Not done: %(reason)s") % {"reason": exc.message})
        return redirect("exchange-inbox")
    messages.success(
        request,
        _("Registered with arrival number %(n)s.") % {"n": document.arrival_number},
    )
    return redirect("documents-detail", pk=document.pk)


@login_required
@require_POST
def inbox_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    item = _or_404(selectors.inbox_get, user=request.user, pk=pk)
    return _with_reason(
        request,
        "exchange-inbox",
        _("Give the reason for refusing it."),
        _("Refused; the sender is told why."),
        services.inbox_refuse,
        item=item,
    )


@login_required
@require_POST
def recall_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk gives a registered document back to a sender who asked (15)."""
    item = _or_404(selectors.inbox_get, user=request.user, pk=pk)
    return _act(
        request,
        "exchange-inbox",
        _("Given back; the document is out of handling."),
        services.inbox_recall_accept,
        item=item,
    )


@login_required
@require_POST
def recall_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk refuses to give it back, with the reason (16)."""
    item = _or_404(selectors.inbox_get, user=request.user, pk=pk)
    return _with_reason(
        request,
        "exchange-inbox",
        _("Give the reason for refusing it."),
        _("Refused; the sender is told why."),
        services.inbox_recall_refuse,
        item=item,
    )


@login_required
@require_GET
def sent_trail(request: HttpRequest, pk: int) -> HttpResponse:
    """Where a sent document stands at each recipient, with the verified trail."""
    try:
        document = document_selectors.document_get(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    trails = selectors.trail_for(user=request.user, document=document)
    today = timezone.localdate()
    rows: list[dict[str, Any]] = []
    reached_by_step = dict.fromkeys(STEPS, 0)
    for address, entries in trails.items():
        reached = {entry.code for entry in entries}
        for code in reached & set(STEPS):
            reached_by_step[StatusCode(code)] += 1
        finished = reached & {StatusCode.DONE, StatusCode.REFUSED, StatusCode.CHANGE_ACCEPTED}
        rows.append(
            {
                "address": address,
                "name": next((e.description for e in entries if e.code == StatusCode.SENT), ""),
                "steps": [(code, StatusCode(code).label, code in reached) for code in STEPS],
                "refused": StatusCode.REFUSED in reached,
                "recall": _recall_label(entries),
                # The answer was due and has not come (vn-rules.md §3.6: 06 carries it).
                "overdue": bool(document.due_date and document.due_date < today and not finished),
                "entries": entries,
                "verified": chain_check(entries).ok,
            }
        )
    # A document sent to every commune has thousands of recipients: the summary counts
    # them all, the table shows them a page at a time (slow links, old computers).
    summary = [(StatusCode(code).label, reached_by_step[code]) for code in STEPS]
    page = Paginator(rows, TRAIL_PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "exchange/trail.html",
        {
            "document": document,
            "rows": page.object_list,
            "page": page,
            "total": len(rows),
            "summary": summary,
            "refused": sum(1 for row in rows if row["refused"]),
            "broken": sum(1 for row in rows if not row["verified"]),
            "overdue": sum(1 for row in rows if row["overdue"]),
        },
    )


def _recall_label(entries: list[Any]) -> str:
    """Where a recall stands at one recipient: asked (13), given back (15), refused (16)."""
    last = next(
        (
            e.code
            for e in reversed(entries)
            if e.code
            in (
                StatusCode.RECALL_REQUESTED,
                StatusCode.CHANGE_ACCEPTED,
                StatusCode.CHANGE_REFUSED,
            )
        ),
        None,
    )
    return str(StatusCode(last).label) if last else ""


@login_required
@require_GET
def operations(request: HttpRequest) -> HttpResponse:
    """The IT officer's page: outbox depth and lag, dead letters, quarantine, peers."""
    if not (
        user_can(request.user, "exchange.change_envelope")
        or user_can(request.user, "exchange.change_inboundmessage")
    ):
        raise Http404(_("This page is for the IT officer."))
    return render(
        request,
        "exchange/operations.html",
        {
            "summary": selectors.operations_summary(),
            "dead": list(selectors.dead_letters(user=request.user)[:100]),
            "quarantine": list(selectors.quarantine_list(user=request.user)[:100]),
            "peers": list(selectors.peers()),
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def redrive(request: HttpRequest, pk: str) -> HttpResponse:
    envelope = _or_404(selectors.envelope_get, user=request.user, pk=pk)
    return _act(
        request,
        "exchange-operations",
        _("The envelope is queued again."),
        services.envelope_redrive,
        envelope=envelope,
    )


@login_required
@require_POST
def inbound_release(request: HttpRequest, pk: str) -> HttpResponse:
    message = _or_404(selectors.inbound_get, user=request.user, pk=pk)
    try:
        outcome = services.inbound_release(actor=person(request), message=message)
    except ApplicationError as exc:
        messages.error(request, _("Not done: %(reason)s") % {"reason": exc.message})
    else:
        if outcome.code == StatusCode.ARRIVED:
            messages.success(request, _("Released: the envelope passed every check this time."))
        else:
            messages.error(
                request,
                _("Checked again and kept in quarantine: %(reason)s") % {"reason": outcome.reason},
            )
    return redirect("exchange-operations")


@login_required
@require_POST
def inbound_discard(request: HttpRequest, pk: str) -> HttpResponse:
    message = _or_404(selectors.inbound_get, user=request.user, pk=pk)
    return _with_reason(
        request,
        "exchange-operations",
        _("Give the reason for discarding it."),
        _("Discarded; it is kept as evidence."),
        services.inbound_discard,
        message=message,
    )
