"""Incoming documents: register by hand, assign with a deadline, report progress, close.

NĐ 30 Điều 20-24 (vn-rules.md §1.5). Every id comes back through a selector restricted
to the person (out of reach: 404); the services check the rest.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lienthong.core.errors import ApplicationError, NotFound
from lienthong.documents import selectors, services
from lienthong.documents.choices import Direction
from lienthong.documents.forms import AssignForm, DoneForm, IncomingForm, ProgressForm
from lienthong.documents.models import Assignment
from lienthong.documents.services.guard import node_accepts_classified
from lienthong.documents.views._common import document_or_404, fail, person
from lienthong.documents.views.outgoing import _may_handle
from lienthong.org.views import login_required

__all__ = ["assign", "assignment_done", "assignment_progress", "incoming_new"]


@login_required
@require_http_methods(["GET", "POST"])
def incoming_new(request: HttpRequest) -> HttpResponse:
    """Register an incoming paper document: the author's number and date, the subject,
    the due date and the scan; the arrival number comes from the unit's register."""
    user = person(request)
    form = IncomingForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scan_data, scan_name = data.get("scan") or (None, "")
        try:
            document = services.document_register_incoming(
                actor=user,
                unit=data["unit"],
                document_type=data["document_type"],
                subject=data["subject"],
                issuer_name=data["issuer_name"],
                code_number=data.get("code_number"),
                code_notation=data.get("code_notation") or "",
                issued_date=data.get("issued_date"),
                due_date=data.get("due_date"),
                priority=data["priority"],
                classification=data["classification"],
                scan_data=scan_data,
                scan_name=scan_name,
                signer_name=data.get("signer_name") or "",
            )
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("Registered with arrival number %(n)s.") % {"n": document.arrival_number},
            )
            return redirect("documents-detail", pk=document.pk)
    return render(
        request,
        "documents/incoming_form.html",
        {"form": form, "classified_refused": not node_accepts_classified()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """The handling slip: lead handler, co-handlers, deadline and directive."""
    user = person(request)
    document = document_or_404(request, pk)
    if document.direction != Direction.INCOMING:
        raise Http404
    form = AssignForm(request.POST or None, user=user, document=document)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_assign(
                actor=user,
                document=document,
                lead=data["lead"],
                co_handlers=list(data.get("co_handlers") or []),
                deadline=data.get("deadline"),
                directive=data.get("directive") or "",
            )
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The document was assigned."))
            return redirect("documents-detail", pk=document.pk)
    return render(request, "documents/assign_form.html", {"document": document, "form": form})


def _assignment_or_404(request: HttpRequest, pk: int) -> Assignment:
    try:
        return selectors.assignment_get(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def _assignment_response(request: HttpRequest, assignment: Assignment, error: str) -> HttpResponse:
    """The assignment's row for htmx, the document page otherwise."""
    if getattr(request, "htmx", False):
        assignment.refresh_from_db()
        assignment.may_handle = _may_handle(  # type: ignore[attr-defined]
            person(request), assignment, assignment.document
        )
        return render(
            request,
            "documents/_assignment.html",
            {
                "a": assignment,
                "document": assignment.document,
                "progress_form": ProgressForm(),
                "done_form": DoneForm(),
                "assignment_error": error,
            },
        )
    if error:
        messages.error(request, error)
    return redirect("documents-detail", pk=assignment.document_id)


@login_required
@require_POST
def assignment_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """A handler reports progress (htmx updates the row in place)."""
    assignment = _assignment_or_404(request, pk)
    form = ProgressForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("Describe the progress.")
    else:
        try:
            services.assignment_progress(
                actor=person(request), assignment=assignment, text=form.cleaned_data["text"]
            )
        except ApplicationError as exc:
            error = str(exc.message)
    if not error and not getattr(request, "htmx", False):
        messages.success(request, _("Progress recorded."))
    return _assignment_response(request, assignment, error)


@login_required
@require_POST
def assignment_done(request: HttpRequest, pk: int) -> HttpResponse:
    """A handler closes their assignment, optionally with the answer document."""
    assignment = _assignment_or_404(request, pk)
    answers = selectors.document_list(user=request.user, filters={"direction": Direction.OUTGOING})
    form = DoneForm(request.POST, answers=answers)
    if not form.is_valid():
        messages.error(request, _("Choose an answer document you may see, or none."))
        return redirect("documents-detail", pk=assignment.document_id)
    try:
        services.assignment_done(
            actor=person(request),
            assignment=assignment,
            answer=form.cleaned_data.get("answer"),
            note=form.cleaned_data.get("note") or "",
        )
    except ApplicationError as exc:
        fail(request, exc)
    else:
        messages.success(request, _("The handling was closed."))
    return redirect("documents-detail", pk=assignment.document_id)
