"""The archive pages of the office (issue #9 scope 4), at ``/ho-so/luu-tru/``: the file
plans (list, new, detail with its headings and files, approval, import, the printed Danh
mục hồ sơ), the record files (list with filters, open, detail with its documents, adding
by number, closing, keeping back, the document index and the ZIP export), the handovers
to the agency archive (new, detail, the minutes and the catalogue) and the list of files
due to the archive within 30 days (vn-rules.md §4.2).

Views are thin: objects from the request are resolved through the selectors
(``restrict``; out of scope is 404), writes go through the services, whose refusals are
shown above the form. A person who holds the page's permission in no unit gets 403.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lienthong.core.errors import ApplicationError, InvalidInput, NotFound
from lienthong.core.permissions import AllUnits, allowed_units, user_can
from lienthong.core.workbook import XLSX_TYPE
from lienthong.org.models import Unit, User
from lienthong.org.views import login_required
from lienthong.records.archives import exports, selectors, services
from lienthong.records.archives import workbook as plan_workbook
from lienthong.records.archives.choices import FileState
from lienthong.records.archives.forms import (
    ApproveForm,
    CloseForm,
    EntryForm,
    FileForm,
    HandoverForm,
    HeadingForm,
    KeepBackForm,
    PlanForm,
    PlanImportForm,
)
from lienthong.records.archives.models import FilePlan, FilePlanEntry, RecordFile

__all__ = [
    "due",
    "file_add",
    "file_close",
    "file_detail",
    "file_index_pdf",
    "file_keep_back",
    "file_new",
    "file_remove",
    "file_zip",
    "files",
    "handover_catalogue_pdf",
    "handover_catalogue_xlsx",
    "handover_detail",
    "handover_minutes_pdf",
    "handover_new",
    "handover_receive",
    "plan_approve",
    "plan_detail",
    "plan_entry",
    "plan_heading",
    "plan_import",
    "plan_new",
    "plan_pdf",
    "plan_xlsx",
    "plans",
]

VIEW_FILES = "archives.view_recordfile"
ADD_FILES = "archives.add_recordfile"
VIEW_PLANS = "archives.view_fileplan"
ADD_PLANS = "archives.add_fileplan"
ADD_HANDOVERS = "archives.add_handover"
PAGE_SIZE = 50
#: The most units a unit choice lists.
MAX_UNITS = 500


def _gate(request: HttpRequest, permission: str) -> None:
    """403 when the person holds ``permission`` in no unit."""
    if not user_can(request.user, permission):
        raise PermissionDenied


def _units(user: Any, permission: str) -> QuerySet[Unit]:
    """The units where ``user`` holds ``permission``, highest first."""
    where = allowed_units(user, permission)
    if where is None:
        return Unit.objects.none()
    units = Unit.objects.all() if isinstance(where, AllUnits) else Unit.objects.filter(pk__in=where)
    return units.order_by("depth", "sort_order", "name")


def _unit_choices(user: Any, permission: str) -> QuerySet[Unit]:
    ids = list(_units(user, permission).values_list("pk", flat=True)[:MAX_UNITS])
    return Unit.objects.filter(pk__in=ids).order_by("depth", "sort_order", "name")


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _year(raw: str) -> int | None:
    raw = raw.strip()
    if raw.isascii() and raw.isdigit() and 1900 <= int(raw) <= 2200:
        return int(raw)
    return None


def _refused(form: Any, exc: ApplicationError) -> None:
    form.add_error(None, str(exc.message))


# --- Files -----------------------------------------------------------------------------


@login_required
@require_GET
def files(request: HttpRequest) -> HttpResponse:
    """The record files the person may see, filtered by year, state and words."""
    _gate(request, VIEW_FILES)
    user = request.user
    year = _year(request.GET.get("nam", ""))
    state = request.GET.get("tinh-trang", "")
    state = state if state in FileState.values else ""
    query = " ".join(request.GET.get("q", "").split())[:200]
    rows = selectors.file_list(user=user, year=year, state=state, query=query).order_by(
        "-year", "code", "pk"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "archives/files.html",
        {
            "page": page,
            "rows": list(page.object_list),
            "year": year,
            "state": state,
            "query": query,
            "states": FileState.choices,
            "may_add": user_can(user, ADD_FILES),
            "may_handover": user_can(user, ADD_HANDOVERS),
            "due_count": selectors.files_due(user=user).count(),
        },
    )


@login_required
@require_GET
def due(request: HttpRequest) -> HttpResponse:
    """The files due to the agency archive within 30 days, or overdue (NĐ 30 Phụ lục VI:
    "warn 30 days before", vn-rules.md §4.2)."""
    _gate(request, VIEW_FILES)
    today = timezone.localdate()
    rows = list(selectors.files_due(user=request.user, today=today).select_related("unit"))
    return render(
        request,
        "archives/due.html",
        {
            "rows": [(f, left, max(-left, 0)) for f, left in _left(rows, today)],
            "days": selectors.WARNING_DAYS,
            "today": today,
            "may_handover": user_can(request.user, ADD_HANDOVERS),
        },
    )


def _left(rows: list[RecordFile], today: Any) -> list[tuple[RecordFile, int]]:
    """Each file with the days left until its handover date (negative: overdue)."""
    return [(f, (f.handover_due - today).days if f.handover_due else 0) for f in rows]


def _file(request: HttpRequest, pk: int, action: str = "view") -> RecordFile:
    try:
        return selectors.file_get(user=request.user, pk=pk, action=action)
    except NotFound as exc:
        raise Http404 from exc


@login_required
@require_http_methods(["GET", "POST"])
def file_new(request: HttpRequest) -> HttpResponse:
    """Open a record file: from an entry of an approved plan (``?muc=``) or on its own."""
    _gate(request, ADD_FILES)
    user = request.user
    entry: FilePlanEntry | None = None
    raw = request.GET.get("muc", "").strip()
    if raw:
        if not (raw.isascii() and raw.isdigit()):
            raise Http404
        plans = selectors.plan_list(user=user)
        entry = FilePlanEntry.objects.filter(pk=int(raw), plan__in=plans).first()
        if entry is None:
            raise Http404
    form = FileForm(
        request.POST or None,
        units=_unit_choices(user, ADD_FILES),
        from_entry=entry is not None,
        initial={"start_date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        if entry is None:
            values["retention_years"] = values.get("retention_years")
        try:
            record_file = services.file_open(actor=cast(User, user), entry=entry, **values)
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            _refused(form, exc)
        else:
            messages.success(
                request, _("The file %(code)s was opened.") % {"code": record_file.code}
            )
            return redirect("archives-file", pk=record_file.pk)
    return render(request, "archives/file_form.html", {"form": form, "entry": entry})


def _search(user: Any, record_file: RecordFile, query: str) -> list[Any]:
    """Documents the person may read, of the file's unit or below, matching ``query`` (a
    number, a notation or words of the subject), not in the file yet."""
    from lienthong.documents.selectors import document_list

    words = " ".join(query.split())
    if not words:
        return []
    condition = Q(subject__icontains=words) | Q(code_notation__icontains=words)
    number = words.partition("/")[0].split("-")[0]
    if number.isascii() and number.isdigit() and len(number) < 9:
        condition |= Q(code_number=int(number)) | Q(arrival_number=int(number))
    return list(
        document_list(user=user)
        .filter(unit__path__startswith=record_file.unit.path)
        .filter(condition)
        .exclude(pk__in=record_file.items.values("document_id"))
        .order_by("-issued_date", "-pk")[:20]
    )


@login_required
@require_GET
def file_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One file: its data, its documents in order, and while it is open the search to
    add documents by number and the closing form."""
    user = request.user
    record_file = _file(request, pk)
    may_change = selectors.file_list(user=user, action="change").filter(pk=pk).exists()
    query = " ".join(request.GET.get("q", "").split())[:200]
    is_open = record_file.state == FileState.OPEN
    return render(
        request,
        "archives/file.html",
        {
            "file": record_file,
            "items": list(selectors.file_items(user=user, record_file=record_file)),
            "may_change": may_change,
            "is_open": is_open,
            "query": query,
            "found": _search(user, record_file, query) if may_change and is_open else [],
            "close_form": CloseForm(),
            "keep_form": KeepBackForm(),
            "due_on": record_file.due_on(),
            "closing_lines": record_file.closing_note.splitlines(),
        },
    )


def _document_from_post(request: HttpRequest) -> Any:
    from lienthong.documents.selectors import document_get

    raw = request.POST.get("document", "").strip()
    if not (raw.isascii() and raw.isdigit()):
        raise Http404
    try:
        return document_get(user=request.user, pk=int(raw))
    except NotFound as exc:
        raise Http404 from exc


def _file_action(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    record_file = _file(request, pk, "change")
    try:
        action(record_file)
    except NotFound as exc:
        raise Http404 from exc
    except InvalidInput as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("archives-file", pk=record_file.pk)


@login_required
@require_POST
def file_add(request: HttpRequest, pk: int) -> HttpResponse:
    """File a document (``document``) in an open file."""
    document = _document_from_post(request)
    actor = cast(User, request.user)
    return _file_action(
        request,
        pk,
        lambda f: services.file_document_add(actor=actor, record_file=f, document=document),
        _("The document was filed."),
    )


@login_required
@require_POST
def file_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a document out of an open file."""
    document = _document_from_post(request)
    actor = cast(User, request.user)
    return _file_action(
        request,
        pk,
        lambda f: services.file_document_remove(actor=actor, record_file=f, document=document),
        _("The document was taken out of the file."),
    )


@login_required
@require_POST
def file_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the file (numbering, index, closing note: ``services.file_close``)."""
    form = CloseForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    actor = cast(User, request.user)
    return _file_action(
        request,
        pk,
        lambda f: services.file_close(actor=actor, record_file=f, note=note),
        _("The file was closed."),
    )


@login_required
@require_POST
def file_keep_back(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep a closed file back from the handover (at most two years)."""
    form = KeepBackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date and the reason."))
        return redirect("archives-file", pk=_file(request, pk).pk)
    actor = cast(User, request.user)
    return _file_action(
        request,
        pk,
        lambda f: services.file_keep_back(
            actor=actor,
            record_file=f,
            until=form.cleaned_data["until"],
            reason=form.cleaned_data["reason"],
        ),
        _("The file is kept back."),
    )


@login_required
@require_GET
def file_index_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The document index of the file (Mục lục văn bản, tài liệu trong hồ sơ)."""
    record_file = _file(request, pk)
    data = exports.file_index_pdf(user=request.user, record_file=record_file)
    return _download(data, f"muc-luc-van-ban-{record_file.pk}.pdf", "application/pdf")


@login_required
@require_GET
def file_zip(request: HttpRequest, pk: int) -> HttpResponse:
    """The file as a ZIP: its documents' PDFs in time order and its XML metadata."""
    record_file = _file(request, pk)
    try:
        data = exports.file_zip(user=request.user, record_file=record_file)
    except NotFound as exc:
        raise Http404 from exc
    return _download(data, f"ho-so-{record_file.year}-{record_file.pk}.zip", "application/zip")


# --- Plans -----------------------------------------------------------------------------


def _plan(request: HttpRequest, pk: int, action: str = "view") -> FilePlan:
    try:
        return selectors.plan_get(user=request.user, pk=pk, action=action)
    except NotFound as exc:
        raise Http404 from exc


@login_required
@require_GET
def plans(request: HttpRequest) -> HttpResponse:
    """The file plans the person may see, newest year first."""
    _gate(request, VIEW_PLANS)
    rows = selectors.plan_list(user=request.user).order_by("-year", "unit__name")[:200]
    return render(
        request,
        "archives/plans.html",
        {"rows": list(rows), "may_add": user_can(request.user, ADD_PLANS)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponse:
    """Start the draft file plan of a unit for a year."""
    _gate(request, ADD_PLANS)
    units = _unit_choices(request.user, ADD_PLANS)
    form = PlanForm(
        request.POST or None,
        units=units,
        initial={"year": timezone.localdate().year, "unit": units.first()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                actor=cast(User, request.user),
                unit=form.cleaned_data["unit"],
                year=form.cleaned_data["year"],
            )
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            _refused(form, exc)
        else:
            return redirect("archives-plan", pk=plan.pk)
    return render(request, "archives/plan_form.html", {"form": form})


def _plan_page(
    request: HttpRequest,
    plan: FilePlan,
    *,
    heading_form: HeadingForm | None = None,
    entry_form: EntryForm | None = None,
    approve_form: ApproveForm | None = None,
) -> HttpResponse:
    user = request.user
    return render(
        request,
        "archives/plan.html",
        {
            "plan": plan,
            "rows": exports.plan_rows(plan),
            "may_change": not plan.is_frozen
            and selectors.plan_list(user=user, action="change").filter(pk=plan.pk).exists(),
            "may_approve": not plan.is_frozen
            and selectors.plan_list(user=user, action="approve").filter(pk=plan.pk).exists(),
            "may_open": plan.is_frozen and user_can(user, ADD_FILES),
            "heading_form": heading_form or HeadingForm(plan=plan),
            "entry_form": entry_form or EntryForm(plan=plan),
            "approve_form": approve_form or ApproveForm(),
        },
    )


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One plan as the Danh mục shows it; while a draft, the forms to add to it."""
    return _plan_page(request, _plan(request, pk))


@login_required
@require_POST
def plan_heading(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a heading to a draft plan."""
    plan = _plan(request, pk, "change")
    form = HeadingForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            services.plan_heading_add(
                actor=cast(User, request.user), plan=plan, **form.cleaned_data
            )
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            _refused(form, exc)
        else:
            return redirect("archives-plan", pk=plan.pk)
    return _plan_page(request, plan, heading_form=form)


@login_required
@require_POST
def plan_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a file to a draft plan."""
    plan = _plan(request, pk, "change")
    form = EntryForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            services.plan_entry_add(actor=cast(User, request.user), plan=plan, **form.cleaned_data)
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            _refused(form, exc)
        else:
            return redirect("archives-plan", pk=plan.pk)
    return _plan_page(request, plan, entry_form=form)


@login_required
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """The head approves the plan (it is frozen from then on)."""
    plan = _plan(request, pk, "approve")
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            services.plan_approve(
                actor=cast(User, request.user), plan=plan, reference=form.cleaned_data["reference"]
            )
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The file plan was approved."))
            return redirect("archives-plan", pk=plan.pk)
    return _plan_page(request, plan, approve_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def plan_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Import an existing catalogue into a draft plan: every row or none."""
    plan = _plan(request, pk, "change")
    form = PlanImportForm(request.POST or None, request.FILES or None)
    report: plan_workbook.PlanImportReport | None = None
    if request.method == "POST" and form.is_valid():
        try:
            report = plan_workbook.plan_import(
                actor=cast(User, request.user), plan=plan, data=form.cleaned_data["file"]
            )
        except NotFound as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            form.add_error("file", str(exc.message))
        else:
            if report.ok:
                messages.success(
                    request,
                    _("%(headings)d headings and %(entries)d files imported.")
                    % {"headings": report.headings, "entries": report.entries},
                )
                return redirect("archives-plan", pk=plan.pk)
    return render(
        request,
        "archives/plan_import.html",
        {
            "plan": plan,
            "form": form,
            "report": report,
            "errors": report.errors if report else [],
            "columns": list(plan_workbook.LABELS.values()),
        },
    )


@login_required
@require_GET
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The Danh mục hồ sơ printed (A4)."""
    plan = _plan(request, pk)
    data = exports.plan_pdf(user=request.user, plan=plan)
    return _download(data, f"danh-muc-ho-so-{plan.year}-{plan.unit_id}.pdf", "application/pdf")


@login_required
@require_GET
def plan_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The Danh mục hồ sơ as XLSX."""
    plan = _plan(request, pk)
    data = exports.plan_xlsx(user=request.user, plan=plan)
    return _download(data, f"danh-muc-ho-so-{plan.year}-{plan.unit_id}.xlsx", XLSX_TYPE)


# --- Handovers -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def handover_new(request: HttpRequest) -> HttpResponse:
    """Hand closed files of a unit over to its agency archive."""
    _gate(request, ADD_HANDOVERS)
    user = request.user
    eligible = (
        selectors.file_list(user=user, action="change")
        .filter(state__in=[FileState.CLOSED, FileState.KEPT_BACK], handover__isnull=True)
        .exclude(handover_due__isnull=True)
        .order_by("handover_due", "code")
    )
    archives = Unit.objects.restrict(user, "view").order_by("depth", "sort_order", "name")[
        :MAX_UNITS
    ]
    archive_choices = Unit.objects.filter(pk__in=[u.pk for u in archives]).order_by(
        "depth", "sort_order", "name"
    )
    initial: dict[str, Any] = {"handed_on": timezone.localdate()}
    if getattr(user, "full_name", ""):
        initial["giver_name"] = user.full_name  # type: ignore[union-attr]
    raw = request.GET.get("ho-so", "")
    if raw.isascii() and raw.isdigit():
        initial["record_files"] = [int(raw)]
    form = HandoverForm(
        request.POST or None, archives=archive_choices, files=eligible, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["record_files"])
        units = {f.unit_id for f in chosen}
        if len(units) != 1:
            form.add_error("record_files", _("Hand over the files of one unit at a time."))
        else:
            unit = chosen[0].unit
            values = {k: v for k, v in form.cleaned_data.items() if k != "record_files"}
            try:
                handover = services.handover_create(
                    actor=cast(User, user), unit=unit, files=chosen, **values
                )
            except NotFound as exc:
                raise Http404 from exc
            except InvalidInput as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("The files were handed over."))
                return redirect("archives-handover", pk=handover.pk)
    return render(request, "archives/handover_form.html", {"form": form})


def _handover(request: HttpRequest, pk: int, action: str = "view") -> Any:
    try:
        return selectors.handover_get(user=request.user, pk=pk, action=action)
    except NotFound as exc:
        raise Http404 from exc


@login_required
@require_GET
def handover_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One handover: both parties, the files, the printed forms."""
    handover = _handover(request, pk)
    return render(
        request,
        "archives/handover.html",
        {
            "handover": handover,
            "rows": list(handover.files.order_by("code", "pk")),
            "may_change": selectors.handover_list(user=request.user, action="change")
            .filter(pk=pk)
            .exists(),
        },
    )


@login_required
@require_POST
def handover_receive(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the archive received the files."""
    handover = _handover(request, pk, "change")
    try:
        services.handover_receive(actor=cast(User, request.user), handover=handover)
    except NotFound as exc:
        raise Http404 from exc
    except InvalidInput as exc:
        messages.error(request, str(exc.message))
    return redirect("archives-handover", pk=handover.pk)


@login_required
@require_GET
def handover_minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The handover minutes (Biên bản giao nhận), A4."""
    handover = _handover(request, pk)
    data = exports.handover_minutes_pdf(user=request.user, handover=handover)
    return _download(data, f"bien-ban-giao-nhan-{handover.pk}.pdf", "application/pdf")


@login_required
@require_GET
def handover_catalogue_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The catalogue of the handed-over files (Mục lục hồ sơ, tài liệu nộp lưu), A4."""
    handover = _handover(request, pk)
    data = exports.transfer_pdf(user=request.user, handover=handover)
    return _download(data, f"muc-luc-nop-luu-{handover.pk}.pdf", "application/pdf")


@login_required
@require_GET
def handover_catalogue_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The same catalogue as XLSX."""
    handover = _handover(request, pk)
    data = exports.transfer_xlsx(user=request.user, handover=handover)
    return _download(data, f"muc-luc-nop-luu-{handover.pk}.xlsx", XLSX_TYPE)
