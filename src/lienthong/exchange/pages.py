"""The exchange pages: the unit's inbox, a sent document's trail, the IT officer's
operations page (issue #5 scopes 4-6). Thin views over selectors and services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lienthong.core.errors import ApplicationError, NotFound
from lienthong.core.permissions import user_can
from lienthong.documents import selectors as document_selectors
from lienthong.documents.views._common import person
from lienthong.exchange import selectors, services
from lienthong.exchange.choices import StatusCode
from lienthong.exchange.forms import InboxRegisterForm, ReasonForm
from lienthong.exchange.trail import trail_verify
from lienthong.org.views import login_required

__all__ = [
    "inbound_discard",
    "inbound_release",
    "inbox",
    "inbox_refuse",
    "inbox_register",
    "operations",
    "redrive",
    "sent_trail",
]

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


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Documents arrived by exchange in the person's units, waiting to be registered."""
    items = list(selectors.inbox_list(user=request.user)[:200])
    forms = {
        item.pk: InboxRegisterForm(type_name=item.type_name, prefix=f"i{item.pk}") for item in items
    }
    return render(
        request,
        "exchange/inbox.html",
        {
            "rows": [(item, forms[item.pk]) for item in items],
            "refuse_form": ReasonForm(),
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
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for refusing it."))
        return redirect("exchange-inbox")
    try:
        services.inbox_refuse(actor=person(request), item=item, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        messages.error(request, _("Not done: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(request, _("Refused; the sender is told why."))
    return redirect("exchange-inbox")


@login_required
@require_GET
def sent_trail(request: HttpRequest, pk: int) -> HttpResponse:
    """Where a sent document stands at each recipient, with the verified trail."""
    try:
        document = document_selectors.document_get(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    trails = selectors.trail_for(user=request.user, document=document)
    rows = []
    for address, entries in trails.items():
        reached = {entry.code for entry in entries}
        check = trail_verify(
            unit=document.unit, document_id=entries[0].edxml_id, recipient_organ_id=address
        )
        rows.append(
            {
                "address": address,
                "name": next((e.description for e in entries if e.code == StatusCode.SENT), ""),
                "steps": [(code, StatusCode(code).label, code in reached) for code in STEPS],
                "refused": StatusCode.REFUSED in reached,
                "entries": entries,
                "verified": check.ok,
            }
        )
    return render(request, "exchange/trail.html", {"document": document, "rows": rows})


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
    try:
        services.envelope_redrive(actor=person(request), envelope=envelope)
    except ApplicationError as exc:
        messages.error(request, _("Not done: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(request, _("The envelope is queued again."))
    return redirect("exchange-operations")


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
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for discarding it."))
        return redirect("exchange-operations")
    try:
        services.inbound_discard(
            actor=person(request), message=message, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        messages.error(request, _("Not done: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(request, _("Discarded; it is kept as evidence."))
    return redirect("exchange-operations")
