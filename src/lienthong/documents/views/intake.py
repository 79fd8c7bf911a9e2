"""The digitisation intake pages (issue #7 scopes 2 and 3): take paper scans in, then
watch them being read.

OCR never runs in a web request: these views only call the intake services, which run
the cheap checks (a renamed ``.exe`` is refused at once), store the file and enqueue its
reading for the intake workers. Without JavaScript the intake page is one multipart
POST; with ``documents/intake.js`` the batch is opened first (``intake_batch``) and each
file is sent by itself (``intake_upload_one``) with its own progress bar. The queue page
refreshes its table with htmx every few seconds while a file waits or is being read.

Every id a client sends (unit, batch, document, scanned file) is resolved for the person
(STYLE habit 6): out of reach answers 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lienthong.core.errors import InvalidInput, NotFound, PermissionDenied
from lienthong.core.permissions import AllUnits, allowed_units
from lienthong.documents import selectors
from lienthong.documents.choices import IntakeSource, IntakeState
from lienthong.documents.forms import read_upload
from lienthong.documents.intake import services as intake
from lienthong.documents.intake.steps import max_bytes
from lienthong.documents.models import Document, IntakeBatch, IntakeFile
from lienthong.documents.services._common import unit_allowed
from lienthong.documents.views._common import document_or_404, person, verified
from lienthong.documents.views.dashboard import _tabs
from lienthong.org.models import Unit, User
from lienthong.org.views import login_required

__all__ = [
    "ACCEPT",
    "QUEUE_PAGE_SIZE",
    "intake_batch",
    "intake_page",
    "intake_queue",
    "intake_retry",
    "intake_upload_one",
]

#: Who may take scans in, in a unit.
ADD_PERMISSION = "documents.add_intakebatch"
#: What the file chooser offers (the intake also sniffs the content).
ACCEPT = ".pdf,.png,.jpg,.jpeg,.tif,.tiff"
#: Rows per page of the queue.
QUEUE_PAGE_SIZE = 50
#: The query parameters of the queue page (Vietnamese, like the paths).
STATE_PARAM = "trang-thai"
BATCH_PARAM = "lo"
PAGE_PARAM = "trang"

_PENDING = (IntakeState.QUEUED, IntakeState.RUNNING)
_FINISHED = (IntakeState.DONE, IntakeState.REFUSED, IntakeState.DUPLICATE)


def _intake_units(user: User) -> QuerySet[Unit]:
    """The units where ``user`` may take scans in (one SQL subquery, habit 5)."""
    scope = allowed_units(user, ADD_PERMISSION)
    if scope is None:
        return Unit.objects.none()
    if isinstance(scope, AllUnits):
        return Unit.objects.order_by("depth", "name")
    return Unit.objects.filter(pk__in=scope).order_by("depth", "name")


class IntakeForm(forms.Form):
    """The batch part of the intake form: the unit and the optional register spreadsheet
    (the scan files themselves are read from ``request.FILES.getlist("files")``)."""

    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=Unit.objects.none())
    register = forms.FileField(
        label=gettext_lazy("Register spreadsheet (optional)"),
        required=False,
        help_text=gettext_lazy(
            "An .xlsx whose rows name the files and give their register data; "
            "without it each file is linked by its name."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    seal = forms.BooleanField(
        label=gettext_lazy("Seal the copies as electronic copies (bản sao điện tử)"),
        required=False,
        help_text=gettext_lazy(
            "The unit's seal signs each digitised copy: “SAO Y”, the unit and the time, top "
            "right (NĐ 30 Phụ lục I). For the clerk, after their second factor."
        ),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        field.queryset = units  # type: ignore[attr-defined]
        only = list(units[:2])
        if len(only) == 1:
            field.initial = only[0].pk
            field.empty_label = None  # type: ignore[attr-defined]

    def clean_register(self) -> bytes | None:
        """The spreadsheet's bytes (its content is checked by the service)."""
        data, _name = read_upload(self.cleaned_data.get("register"))
        return data


def _document_param(request: HttpRequest, value: Any) -> Document | None:
    """The document a digitised copy is for (``?document=ID``), or None.

    Raises:
        Http404: the document is out of the person's reach, or the person may not take
            scans in in its unit.
    """
    if value in (None, ""):
        return None
    document = document_or_404(request, value)
    if not unit_allowed(person(request), document.unit, ADD_PERMISSION):
        raise Http404(_("You may not add a digitised copy to this document."))
    return document


def _batch_name(user: User, register: UploadedFile | None) -> str:
    """A description of an upload batch: when, who, and the spreadsheet's name."""
    parts = [timezone.localtime().strftime("%Y-%m-%d %H:%M"), str(user)]
    if register is not None and register.name:
        parts.append(register.name)
    return " · ".join(parts)


def _batch_open(request: HttpRequest, form: IntakeForm) -> IntakeBatch:
    """Open the batch and give it its spreadsheet, both or neither.

    Raises:
        InvalidInput: the spreadsheet is not a register spreadsheet, or the copies cannot
            be sealed (no right, no second factor, no seal key here); nothing was kept.
        Http404: the unit is out of reach (the service re-checks it).
    """
    user = person(request)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            batch = _opened(
                actor=user,
                unit=data["unit"],
                source=IntakeSource.UPLOAD,
                name=_batch_name(user, request.FILES.get("register")),
                seal=bool(data.get("seal")),
                second_factor_verified=verified(request),
            )
            if data.get("register"):
                intake.intake_batch_register(actor=user, batch=batch, data=data["register"])
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    return batch


class SealRefused(InvalidInput):
    """The copies cannot be sealed (no right, no second factor, no seal key here)."""


def _opened(**kwargs: Any) -> IntakeBatch:
    """``intake_batch_open``, its refusals of the seal told apart from the spreadsheet's."""
    try:
        return intake.intake_batch_open(**kwargs)
    except (PermissionDenied, InvalidInput) as exc:
        if kwargs.get("seal"):
            raise SealRefused(exc.message) from exc
        raise


def _take(
    user: User, batch: IntakeBatch, upload: UploadedFile, document: Document | None
) -> IntakeFile:
    """Take one uploaded file in (cheap checks, store, enqueue: the service does it).

    A file above the intake's limit is handed over cut one byte past the limit, so the
    service refuses it with its reason instead of the whole file being held in memory.

    Raises:
        InvalidInput: the document belongs to another unit than the batch.
        Http404: the batch's unit or the document is out of reach.
    """
    data = upload.read(max_bytes() + 1)
    try:
        return intake.intake_upload(
            actor=user, batch=batch, name=upload.name or "scan", data=data, document=document
        )
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def _queue_url(params: dict[str, Any] | None = None) -> str:
    """The queue page with these filters (empty values left out)."""
    url = reverse("documents-intake-queue")
    kept = {key: str(value) for key, value in (params or {}).items() if value not in ("", None)}
    return f"{url}?{urlencode(kept)}" if kept else url


def _report(request: HttpRequest, items: list[IntakeFile]) -> None:
    """The summary message of a non-JavaScript upload, then each refusal with its reason."""
    refused = [item for item in items if item.state == IntakeState.REFUSED]
    summary = ngettext(
        "%(received)s file received, %(refused)s refused.",
        "%(received)s files received, %(refused)s refused.",
        len(items),
    ) % {"received": len(items), "refused": len(refused)}
    (messages.warning if refused else messages.success)(request, summary)
    for item in items:
        line = _("%(name)s: %(reason)s") % {"name": item.name, "reason": item.reason}
        if item.state == IntakeState.REFUSED:
            messages.error(request, line)
        elif item.state == IntakeState.DUPLICATE:
            messages.info(request, line)


@login_required
@require_http_methods(["GET", "POST"])
def intake_page(request: HttpRequest) -> HttpResponse:
    """The intake page: choose the unit, the scans (several, or dropped on the page) and
    optionally the register spreadsheet; opened from a document page (``?document=ID``)
    the scans become that document's digitised copy."""
    user = person(request)
    source = request.POST if request.method == "POST" else request.GET
    document = _document_param(request, source.get("document"))
    units = _intake_units(user)
    if document is not None:
        units = units.filter(pk=document.unit_id)
    if not units.exists():
        raise Http404(_("You may not take scans in in any unit."))
    form = IntakeForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        uploads = request.FILES.getlist("files")
        if not uploads:
            form.add_error(None, _("Choose the scan files."))
        else:
            try:
                batch = _batch_open(request, form)
            except SealRefused as exc:
                form.add_error("seal", str(exc.message))
            except InvalidInput as exc:
                form.add_error("register", str(exc.message))
            else:
                items: list[IntakeFile] = []
                for upload in uploads:
                    try:
                        items.append(_take(user, batch, upload, document))
                    except InvalidInput as exc:
                        messages.error(
                            request,
                            _("%(name)s: %(reason)s")
                            % {"name": upload.name, "reason": exc.message},
                        )
                _report(request, items)
                return redirect(_queue_url({BATCH_PARAM: batch.pk}))
    return render(
        request,
        "documents/intake/upload.html",
        {
            "tabs": _tabs(user),
            "form": form,
            "document": document,
            "accept": ACCEPT,
            "max_mb": max_bytes() // (1024 * 1024),
        },
    )


def _error(message: Any, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": str(message)}, status=status)


@login_required
@require_POST
def intake_batch(request: HttpRequest) -> JsonResponse:
    """Open an upload batch (the script's first step): ``{"batch": id}``, or
    ``{"error": message}`` with status 400."""
    user = person(request)
    document = _document_param(request, request.POST.get("document"))
    units = _intake_units(user)
    if document is not None:
        units = units.filter(pk=document.unit_id)
    form = IntakeForm(request.POST, request.FILES, units=units)
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        return _error(" ".join(errors))
    try:
        batch = _batch_open(request, form)
    except InvalidInput as exc:
        return _error(exc.message)
    return JsonResponse({"batch": batch.pk, "queue": _queue_url({BATCH_PARAM: batch.pk})})


def _batch_or_404(user: User, value: Any) -> IntakeBatch:
    """An upload batch in a unit where ``user`` may take scans in, else 404."""
    if not str(value or "").isdigit():
        raise Http404(_("This batch does not exist or is not yours to add to."))
    batch = (
        selectors.intake_batch_list(user=user)
        .filter(pk=int(value), source=IntakeSource.UPLOAD)
        .first()
    )
    if batch is None or not unit_allowed(user, batch.unit, ADD_PERMISSION):
        raise Http404(_("This batch does not exist or is not yours to add to."))
    return batch


def _item_json(item: IntakeFile) -> dict[str, Any]:
    return {
        "id": item.pk,
        "name": item.name,
        "state": item.state,
        "state_label": str(item.get_state_display()),
        "reason": item.reason,
    }


@login_required
@require_POST
def intake_upload_one(request: HttpRequest) -> JsonResponse:
    """Take one file into a batch (the script sends each file by itself):
    ``{id, name, state, state_label, reason}``; a refused file is an answer, not an
    error (its reason says why)."""
    user = person(request)
    batch = _batch_or_404(user, request.POST.get("batch"))
    document = _document_param(request, request.POST.get("document"))
    upload = request.FILES.get("file")
    if upload is None:
        return _error(_("Choose the scan files."))
    try:
        item = _take(user, batch, upload, document)
    except InvalidInput as exc:
        return _error(exc.message)
    return JsonResponse(_item_json(item))


def _state_counts(rows: QuerySet[IntakeFile]) -> dict[str, int]:
    found = dict(rows.order_by().values_list("state").annotate(n=Count("pk")))
    return {state: int(found.get(state, 0)) for state in IntakeState.values}


def _queue_context(request: HttpRequest) -> dict[str, Any]:
    """The queue's filters, counts and one page of rows, each row with what the person
    may do on it (sets computed in SQL once per page, habit 5)."""
    user = person(request)
    state = request.GET.get(STATE_PARAM, "")
    if state not in IntakeState.values:
        state = ""
    raw_batch = request.GET.get(BATCH_PARAM, "")
    batch_id = int(raw_batch) if raw_batch.isdigit() else None
    batch = (
        selectors.intake_batch_list(user=user).filter(pk=batch_id).first()
        if batch_id is not None
        else None
    )
    counts = _state_counts(selectors.intake_list(user=user, batch=batch_id))
    rows = selectors.intake_list(user=user, state=state, batch=batch_id)
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get(PAGE_PARAM))
    items = list(page.object_list)
    ids = [item.pk for item in items]
    retryable = set(
        selectors.intake_list(user=user, state=IntakeState.REFUSED, action="change")
        .filter(pk__in=ids, original__isnull=False)
        .values_list("pk", flat=True)
    )
    linked = [item.document_id for item in items if item.document_id]
    visible = set(
        selectors.document_list(user=user).filter(pk__in=linked).values_list("pk", flat=True)
    )
    for item in items:
        item.may_retry = item.pk in retryable  # type: ignore[attr-defined]
        item.document_visible = item.document_id in visible  # type: ignore[attr-defined]
    total = sum(counts.values())
    keep = {BATCH_PARAM: batch_id}
    return {
        "items": items,
        "page": page,
        "state": state,
        "batch": batch,
        "batch_id": batch_id,
        "counts": [
            (value, label, counts[value], _queue_url({**keep, STATE_PARAM: value}))
            for value, label in IntakeState.choices
        ],
        "all_url": _queue_url(keep),
        "total": total,
        "finished": sum(counts[s] for s in _FINISHED),
        "pending": any(item.state in _PENDING for item in items),
        # The filters the pager's links keep (the query string of _queue_url).
        "page_params": _queue_url({**keep, STATE_PARAM: state}).partition("?")[2],
        "self_url": request.get_full_path(),
    }


@login_required
@require_GET
def intake_queue(request: HttpRequest) -> HttpResponse:
    """The scanned files and where each stands: counts per state, the rows of a page
    (filtered by state and batch), refreshed by htmx while a file waits or is read."""
    context = _queue_context(request)
    if getattr(request, "htmx", False):
        response = render(request, "documents/intake/_queue.html", context)
    else:
        context["tabs"] = _tabs(person(request))
        response = render(request, "documents/intake/queue.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_POST
def intake_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Read a refused scan again (after its cause was fixed)."""
    user = person(request)
    try:
        item = selectors.intake_get(user=user, pk=pk, action="change")
        intake.intake_retry(actor=user, item=item)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except InvalidInput as exc:
        messages.error(request, _("Not done: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(request, _("“%(name)s” will be read again.") % {"name": item.name})
    return redirect(_queue_url({BATCH_PARAM: item.batch_id}))
