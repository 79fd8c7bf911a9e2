"""The document page and the outgoing workflow: draft → submit → approve → sign → issue.

Each action is a POST with CSRF, resolves the document through the selector for the
action it needs (out of reach: 404), calls one service and goes back to the document
page with a message; a refusal (format check, classification guard, wrong state) is
shown as the service worded it and nothing changes. Signing and issuing need a session
verified by a second factor (``trust.second_factor.second_factor_required``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lienthong.core.errors import ApplicationError, NotFound, Unavailable
from lienthong.documents import selectors, services
from lienthong.documents.choices import (
    Direction,
    DocumentState,
    FileKind,
    HandlingState,
)
from lienthong.documents.forms import (
    AssignForm,
    CommentForm,
    DoneForm,
    DraftEditForm,
    DraftForm,
    IssueForm,
    LinkedDraftForm,
    NoteForm,
    ProgressForm,
    ReasonForm,
)
from lienthong.documents.models import Document
from lienthong.documents.services import corrections
from lienthong.documents.services._common import unit_allowed
from lienthong.documents.services.guard import node_accepts_classified
from lienthong.documents.views._common import document_or_404, fail, may, person, verified
from lienthong.org import selectors as org_selectors
from lienthong.org.models import Unit
from lienthong.org.views import login_required
from lienthong.trust.second_factor import second_factor_required

#: How many units the recipient search shows.
UNIT_SEARCH_LIMIT = 20

_OPEN_INCOMING = (DocumentState.REGISTERED, DocumentState.ASSIGNED, DocumentState.IN_PROGRESS)


def _actions(user: Any, document: Document) -> dict[str, bool]:
    """Which buttons the person sees: only the steps the services would accept."""
    state = document.state
    outgoing = document.direction == Direction.OUTGOING
    approver = False
    if outgoing and state == DocumentState.SUBMITTED and may(user, document, "approve"):
        pending = services.pending_approvers(document)
        approver = pending is None or (bool(pending) and pending[0] == user.pk)
    may_approve = outgoing and state in (DocumentState.SUBMITTED, DocumentState.APPROVED)
    # NĐ 30 Điều 18: an issued document is corrected or replaced by whoever drafts there.
    may_link = (
        outgoing
        and state == DocumentState.ISSUED
        and document.replaced_at is None
        and unit_allowed(user, document.unit, "documents.add_document")
    )
    return {
        "edit": outgoing and state == DocumentState.DRAFT and may(user, document, "change"),
        "approve": approver,
        "return": may_approve and may(user, document, "approve"),
        "sign": outgoing
        and state == DocumentState.APPROVED
        and document.signer_id in (None, user.pk),
        "issue": outgoing and state == DocumentState.SIGNED and may(user, document, "issue"),
        "recall": outgoing and state == DocumentState.ISSUED and may(user, document, "issue"),
        "correct": may_link,
        "replace": may_link,
        "assign": not outgoing
        and state in _OPEN_INCOMING
        and unit_allowed(user, document.unit, "documents.add_assignment"),
    }


def _blockers(document: Document) -> list[str]:
    """The format check's list before signing or issuing (STYLE habit 12)."""
    if document.direction != Direction.OUTGOING:
        return []
    if document.state == DocumentState.APPROVED:
        return services.issues_before_sign(document)
    if document.state == DocumentState.SIGNED:
        return services.issues_before_issue(document)
    return []


def _may_handle(user: Any, assignment: Any, document: Document) -> bool:
    if assignment.state == HandlingState.DONE:
        return False
    return assignment.assignee_id == user.pk or unit_allowed(
        user, document.unit, "documents.change_assignment"
    )


def _links(user: Any, document: Document) -> dict[str, Any]:
    """The documents this one corrects or replaces, and those that correct or replace
    it, as far as the person may see them."""
    visible = selectors.document_list(user=user)
    original_id = document.replaces_id or document.corrects_id
    return {
        "original": visible.filter(pk=original_id).first() if original_id else None,
        "replaced_by": list(visible.filter(replaces=document).order_by("created_at")),
        "corrected_by": list(visible.filter(corrects=document).order_by("created_at")),
    }


def _detail_context(request: HttpRequest, document: Document) -> dict[str, Any]:
    user = person(request)
    actions = _actions(user, document)
    assignments = list(
        document.assignments.select_related("assignee", "assignee_unit").order_by("role", "pk")
    )
    answers = selectors.document_list(user=user, filters={"direction": Direction.OUTGOING})[:50]
    for assignment in assignments:
        assignment.may_handle = _may_handle(user, assignment, document)  # type: ignore[attr-defined]
    return {
        "document": document,
        "files": document.files.select_related("stored").order_by("kind", "-version"),
        "events": document.events.select_related("actor").order_by("created_at", "pk"),
        "recipients": document.recipients.select_related("unit"),
        "assignments": assignments,
        "actions": actions,
        "blockers": _blockers(document),
        "comment_form": CommentForm(),
        "note_form": NoteForm(),
        "reason_form": ReasonForm(),
        "issue_form": IssueForm(),
        "assign_form": AssignForm(user=user, document=document) if actions["assign"] else None,
        "progress_form": ProgressForm(),
        "done_form": DoneForm(answers=answers),
        "verified": verified(request),
        "links": _links(user, document),
        # The intake page's link (issue #7): scans may be taken in in the document's unit.
        "may_digitise": unit_allowed(user, document.unit, "documents.add_intakebatch"),
    }


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One document: metadata, files, history, handling and the allowed actions."""
    document = document_or_404(request, pk)
    return render(request, "documents/detail.html", _detail_context(request, document))


@login_required
@require_GET
def file_download(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """A document's file, only if the person may see its document (scope 8)."""
    try:
        row, handle = services.file_stream(user=request.user, document_file=pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except Unavailable as exc:
        return HttpResponse(str(exc.message), status=503, content_type="text/plain; charset=utf-8")
    response = FileResponse(
        handle, content_type=row.stored.content_type, as_attachment=True, filename=row.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _unit_results(request: HttpRequest, query: str) -> list[Any]:
    query = query.strip()
    if not query:
        return []
    return org_selectors.unit_search(user=request.user, query=query, limit=UNIT_SEARCH_LIMIT)


@login_required
@require_GET
def recipient_search(request: HttpRequest) -> HttpResponse:
    """Units matching the words typed, as checkboxes for the draft form (htmx)."""
    results = _unit_results(request, request.GET.get("unit_q", "")[:100])
    return render(request, "documents/_recipient_results.html", {"unit_results": results})


def _draft_values(data: dict[str, Any]) -> dict[str, Any]:
    file_data, file_name = data.get("file") or (None, "")
    return {
        "document_type": data["document_type"],
        "subject": data["subject"],
        "body": data.get("body") or "",
        "file_data": file_data,
        "file_name": file_name,
        "priority": data["priority"],
        "classification": data["classification"],
        "competence": data["competence"],
        "signer": data["signer"],
        "signer_position": data["signer_position"],
        "due_date": data.get("due_date"),
        "recipients_text": data.get("recipients_text") or "",
        "recipient_units": list(data.get("recipient_units") or []),
    }


def _form_page(request: HttpRequest, template: str, form: Any, **extra: Any) -> HttpResponse:
    chosen = form["recipient_units"].value() or []
    context = {
        "form": form,
        "classified_refused": not node_accepts_classified(),
        "unit_results": _unit_results(request, request.POST.get("unit_q", "")),
        # Recipients may be any unit of the network (the published unit directory).
        "chosen_units": Unit.objects.filter(pk__in=[c for c in chosen if str(c).isdigit()]),
        **extra,
    }
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def draft_new(request: HttpRequest) -> HttpResponse:
    """A new outgoing draft. "Find units" re-shows the form with matching recipient
    units (without JavaScript); with htmx the search updates as you type."""
    user = person(request)
    if request.method == "GET":
        return _form_page(request, "documents/draft_form.html", DraftForm(user=user))
    form = DraftForm(request.POST, request.FILES, user=user)
    if "find_units" in request.POST or not form.is_valid():
        if "find_units" in request.POST:
            form.errors.clear()
        return _form_page(request, "documents/draft_form.html", form)
    try:
        document = services.document_draft_create(
            actor=user, unit=form.cleaned_data["unit"], **_draft_values(form.cleaned_data)
        )
    except ApplicationError as exc:
        form.add_error(None, str(exc.message))
        return _form_page(request, "documents/draft_form.html", form)
    messages.success(request, _("The draft was saved. Submit it for approval when ready."))
    return redirect("documents-detail", pk=document.pk)


def _linked_initial(original: Document, kind: str) -> dict[str, Any]:
    """The draft form prefilled from the original: its signer and recipients; for a
    replacement also its type, subject and text; for a correction a subject naming it."""
    initial: dict[str, Any] = {
        "priority": original.priority,
        "classification": original.classification,
        "competence": original.competence,
        "signer": original.signer_id,
        "signer_position": original.signer_position,
        "recipients_text": original.recipients_text,
        "recipient_units": list(
            original.recipients.filter(unit__isnull=False).values_list("unit_id", flat=True)
        ),
    }
    if kind == corrections.REPLACES:
        initial.update(
            document_type=original.document_type_id,
            subject=original.subject,
            body=original.body,
        )
    else:
        from lienthong.documents.models import DocumentType

        letter = DocumentType.objects.filter(
            is_active=True, convention=original.convention, is_letter=True
        ).first()
        initial["document_type"] = letter.pk if letter is not None else None
        initial["subject"] = _("Correction of %(type)s No. %(number)s of %(date)s") % {
            "type": original.document_type.name,
            "number": original.number_display,
            "date": original.issued_date.strftime("%d/%m/%Y") if original.issued_date else "—",
        }
    return initial


def _linked_draft(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The draft form for a correction or a replacement of an issued document."""
    user = person(request)
    original = document_or_404(request, pk)
    try:
        corrections.check_original(actor=user, original=original, kind=kind, document_type=None)
    except ApplicationError as exc:
        fail(request, exc)
        return redirect("documents-detail", pk=original.pk)
    extra = {"original": original, "link_kind": kind}
    if request.method == "GET":
        form = LinkedDraftForm(
            user=user, original=original, kind=kind, initial=_linked_initial(original, kind)
        )
        return _form_page(request, "documents/draft_form.html", form, **extra)
    form = LinkedDraftForm(request.POST, request.FILES, user=user, original=original, kind=kind)
    if "find_units" in request.POST or not form.is_valid():
        if "find_units" in request.POST:
            form.errors.clear()
        return _form_page(request, "documents/draft_form.html", form, **extra)
    values = _draft_values(form.cleaned_data)
    start = services.document_replace if kind == corrections.REPLACES else services.document_correct
    try:
        document = start(actor=user, original=original, **values)
    except ApplicationError as exc:
        form.add_error(None, str(exc.message))
        return _form_page(request, "documents/draft_form.html", form, **extra)
    messages.success(request, _("The draft was saved. Submit it for approval when ready."))
    return redirect("documents-detail", pk=document.pk)


@login_required
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a correction (đính chính, a công văn) of an issued document."""
    return _linked_draft(request, pk, corrections.CORRECTS)


@login_required
@require_http_methods(["GET", "POST"])
def replace(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a replacement (thay thế, a document of the same type) of an issued one."""
    return _linked_draft(request, pk, corrections.REPLACES)


@login_required
@require_http_methods(["GET", "POST"])
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft (a returned one, typically); a new file becomes the next version."""
    user = person(request)
    document = document_or_404(request, pk, "change")
    if document.state != DocumentState.DRAFT or document.direction != Direction.OUTGOING:
        messages.error(request, _("Only a draft can be changed."))
        return redirect("documents-detail", pk=document.pk)
    has_file = document.files.filter(kind=FileKind.DRAFT).exists()
    initial = {
        "document_type": document.document_type_id,
        "subject": document.subject,
        "body": document.body,
        "priority": document.priority,
        "classification": document.classification,
        "competence": document.competence,
        "signer": document.signer_id,
        "signer_position": document.signer_position,
        "due_date": document.due_date,
        "recipients_text": document.recipients_text,
        "recipient_units": list(
            document.recipients.filter(unit__isnull=False).values_list("unit_id", flat=True)
        ),
        "has_file": has_file,
    }
    extra = {"document": document}
    if request.method == "GET":
        form = DraftEditForm(user=user, document=document, initial=initial)
        return _form_page(request, "documents/draft_form.html", form, **extra)
    form = DraftEditForm(request.POST, request.FILES, user=user, document=document, initial=initial)
    if "find_units" in request.POST or not form.is_valid():
        if "find_units" in request.POST:
            form.errors.clear()
        return _form_page(request, "documents/draft_form.html", form, **extra)
    values = _draft_values(form.cleaned_data)
    try:
        services.document_draft_update(
            actor=user,
            document=document,
            file_data=values.pop("file_data"),
            file_name=values.pop("file_name"),
            recipient_units=values.pop("recipient_units"),
            **values,
        )
    except ApplicationError as exc:
        form.add_error(None, str(exc.message))
        return _form_page(request, "documents/draft_form.html", form, **extra)
    messages.success(request, _("The draft was changed."))
    return redirect("documents-detail", pk=document.pk)


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a comment to the history; with htmx only the history is sent back."""
    document = document_or_404(request, pk)
    form = CommentForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.document_comment(
                actor=person(request), document=document, text=form.cleaned_data["text"]
            )
        except ApplicationError as exc:
            error = str(exc.message)
    else:
        error = _("The comment is empty.")
    if getattr(request, "htmx", False):
        events = document.events.select_related("actor").order_by("created_at", "pk")
        return render(
            request,
            "documents/_history.html",
            {
                "document": document,
                "events": events,
                "comment_form": CommentForm(),
                "comment_error": error,
            },
        )
    if error:
        messages.error(request, error)
    return redirect("documents-detail", pk=document.pk)


def _step(request: HttpRequest, pk: int, action: str, call: Any, done: str) -> HttpResponse:
    """Resolve, call one service, report, and go back to the document page."""
    document = document_or_404(request, pk, action)
    try:
        call(document)
    except ApplicationError as exc:
        fail(request, exc)
    else:
        messages.success(request, done)
    return redirect("documents-detail", pk=document.pk)


def _text(request: HttpRequest, name: str) -> str:
    return str(request.POST.get(name, ""))[:2000]


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit a draft for approval (to any leader of the unit)."""
    user = person(request)
    return _step(
        request,
        pk,
        "change",
        lambda d: services.document_submit(actor=user, document=d, note=_text(request, "note")),
        _("The draft was submitted for approval."),
    )


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve a submitted draft."""
    user = person(request)
    return _step(
        request,
        pk,
        "approve",
        lambda d: services.document_approve(actor=user, document=d, note=_text(request, "note")),
        _("The document was approved."),
    )


@login_required
@require_POST
def return_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Return a draft to its drafter, saying what to change."""
    user = person(request)
    return _step(
        request,
        pk,
        "approve",
        lambda d: services.document_return(actor=user, document=d, reason=_text(request, "reason")),
        _("The draft was returned to its drafter."),
    )


@second_factor_required
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The named signer signs (PAdES, their own certificate), in a verified session.

    A GET comes back from the second-factor page (``next``): show the document again.
    """
    user = person(request)
    if request.method == "GET":
        return redirect("documents-detail", pk=document_or_404(request, pk).pk)
    return _step(
        request,
        pk,
        "view",
        lambda d: services.document_sign(
            actor=user, document=d, second_factor_verified=verified(request)
        ),
        _("The document was signed."),
    )


@second_factor_required
@require_http_methods(["GET", "POST"])
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk issues: number, register entry and the seal, in a verified session."""
    user = person(request)
    if request.method == "GET":
        return redirect("documents-detail", pk=document_or_404(request, pk, "issue").pk)
    form = IssueForm(request.POST)
    code = form.cleaned_data["drafting_unit_code"] if form.is_valid() else ""
    return _step(
        request,
        pk,
        "issue",
        lambda d: services.document_issue(
            actor=user,
            document=d,
            second_factor_verified=verified(request),
            drafting_unit_code=code,
        ),
        _("The document was issued."),
    )


@login_required
@require_POST
def recall(request: HttpRequest, pk: int) -> HttpResponse:
    """Recall an issued document, with the reason."""
    user = person(request)
    return _step(
        request,
        pk,
        "issue",
        lambda d: services.document_recall(actor=user, document=d, reason=_text(request, "reason")),
        _("The document was recalled."),
    )


__all__ = [
    "approve",
    "comment",
    "correct",
    "document_detail",
    "draft_edit",
    "draft_new",
    "file_download",
    "issue",
    "recall",
    "recipient_search",
    "replace",
    "return_draft",
    "sign",
    "submit",
]
