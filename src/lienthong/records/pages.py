"""The pages of the party-member records (issue #9 scope 1): the member list of a unit's
subtree with its XLSX export and import, one record (the Phiếu đảng viên), and the form
that opens or changes a record.

Records are strictly private. The list, the export, the form and the import answer 403
to whoever holds ``records.view_member`` (or ``records.add_member``) in no unit; a record
out of the reader's scope answers 404 (STYLE habit 6). Every record from the request is
resolved through ``restrict``, every unit through the person's scope (``_scope``: the
units they see in the tree and those where they hold the page's permission); every read
of a record or of a page of the list is audited by the selectors (``member.read``,
``member.list``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Q, QuerySet
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lienthong.core.errors import ApplicationError, InvalidInput, NotFound
from lienthong.core.permissions import (
    AllUnits,
    allowed_units,
    get_restricted_or_404,
    holds_in,
    user_can,
)
from lienthong.org.models import Unit, User
from lienthong.org.views import login_required
from lienthong.records import reconciliation, workbook
from lienthong.records.choices import MemberEventKind, MemberState
from lienthong.records.events import member_event_add, member_event_change, member_event_remove
from lienthong.records.forms import (
    GROUPS,
    MAX_CHOICES,
    MAX_UPLOAD_BYTES,
    XLSX_TYPE,
    MemberEventForm,
    MemberEventRemoveForm,
    MemberForm,
    MemberImportForm,
    MemberPhotoForm,
    ReconciliationConfirmForm,
    TransferAcceptForm,
    TransferRefuseForm,
    TransferSendForm,
)
from lienthong.records.models import Member, MemberEvent, Transfer
from lienthong.records.photos import (
    MAX_PHOTO_BYTES,
    member_photo,
    member_photo_remove,
    member_photo_set,
)
from lienthong.records.selectors import (
    DeferredRows,
    member_get,
    member_list,
    member_list_read,
    member_statistics,
    rows_after,
)
from lienthong.records.services import EDITABLE, member_create, member_update
from lienthong.records.transfer_selectors import RECENT, transfer_list_read
from lienthong.records.transfers import transfer_accept, transfer_refuse, transfer_send

__all__ = [
    "member_detail",
    "member_edit",
    "member_event_edit",
    "member_event_new",
    "member_event_remove_page",
    "member_new",
    "member_photo_image",
    "member_photo_upload",
    "member_statistics_export",
    "member_statistics_page",
    "members",
    "members_export",
    "members_export_pdf",
    "members_import",
    "reconciliation_export",
    "reconciliation_export_pdf",
    "reconciliation_page",
    "transfer_accept_page",
    "transfer_refuse_page",
    "transfer_send_page",
    "transfers",
]

#: Who may see the records (the organisation departments, org/roles.py).
VIEW_MEMBERS = "records.view_member"
#: Who may open records and import a member workbook.
ADD_MEMBERS = "records.add_member"
#: Who may see the transfers of Party life, send them, decide on them (org/roles.py).
VIEW_TRANSFERS = "records.view_transfer"
ADD_TRANSFERS = "records.add_transfer"
#: Who may read the quarterly reconciliation and confirm a unit's figures (org/roles.py).
VIEW_RECONCILIATIONS = "records.view_reconciliation"
ADD_RECONCILIATIONS = "records.add_reconciliation"
#: Rows per page of the list.
PAGE_SIZE = 50
#: The query parameters (Vietnamese, like the paths).
UNIT_PARAM = "don-vi"
STATE_PARAM = "tinh-trang"
NAME_PARAM = "q"
YEAR_PARAM = "nam-vao-dang"
PAGE_PARAM = "trang"
DAY_PARAM = "ngay"
SEARCH_PARAM = "tim"
QUARTER_YEAR_PARAM = "nam"
QUARTER_PARAM = "quy"
#: Keyset paging: the id of the row after (before) which the page starts.
AFTER_PARAM = "sau"
BEFORE_PARAM = "truoc"
#: The years of admission the filter takes (anything else is ignored).
FIRST_YEAR, LAST_YEAR = 1900, 2200


def _gate(request: HttpRequest, permission: str) -> None:
    """403 when the person holds ``permission`` in no unit."""
    if not user_can(request.user, permission):
        raise PermissionDenied


def _scope(user: Any, permission: str) -> QuerySet[Unit]:
    """The units a page may be about: those the person sees in the tree
    (``Unit.objects.restrict(user, "view")``) and those where they hold ``permission``.

    Both are needed: a province's organisation department sees only itself in the tree
    (``org.view_unit`` over its own subtree) while its ``records.*`` grant reaches the
    whole committee (``ScopeToken.COMMITTEE``, org/roles.py).
    """
    visible = Unit.objects.restrict(user, "view")
    where = allowed_units(user, permission)
    if isinstance(where, AllUnits):
        return Unit.objects.all()
    if where is None:
        return visible
    return Unit.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=where))


def _default_unit(user: Any, permission: str) -> Unit | None:
    """The person's highest unit where they hold ``permission`` (their committee for an
    organisation department), else their highest visible unit."""
    scope = _scope(user, permission).order_by("depth", "sort_order", "pk")
    where = allowed_units(user, permission)
    if where is not None and not isinstance(where, AllUnits):
        own = scope.filter(pk__in=where).first()
        if own is not None:
            return own
    return scope.first()


def _unit(request: HttpRequest, permission: str) -> Unit:
    """The unit of ``?don-vi=`` (404 when out of scope or not a number), or the default."""
    raw = request.GET.get(UNIT_PARAM, "").strip()
    if not raw:
        unit = _default_unit(request.user, permission)
        if unit is None:
            raise Http404
        return unit
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise Http404
    unit = _scope(request.user, permission).filter(pk=int(raw)).first()
    if unit is None:
        raise Http404
    return unit


def _query(params: dict[str, Any]) -> str:
    """A query string of the non-empty ``params``."""
    return urlencode({key: value for key, value in params.items() if value not in ("", None)})


def _above(scope: QuerySet[Unit], unit: Unit) -> list[Unit]:
    """The units of ``scope`` above ``unit``, from the root down (the breadcrumb)."""
    pks = [int(pk) for pk in unit.path.strip("/").split("/") if pk and int(pk) != unit.pk]
    return list(scope.filter(pk__in=pks).order_by("depth"))


def _below(scope: QuerySet[Unit], unit: Unit) -> list[Unit]:
    """The units of ``scope`` right under ``unit`` (the unit choice of the forms)."""
    return list(scope.filter(parent=unit).order_by("sort_order", "name"))


def _units(user: Any, permission: str, unit: Unit, params: dict[str, Any]) -> dict[str, Any]:
    """The breadcrumb and the unit picker around ``unit`` (``params`` kept in links)."""
    scope = _scope(user, permission)
    return {
        "unit": unit,
        "above": [(item, _query({UNIT_PARAM: item.pk, **params})) for item in _above(scope, unit)],
        "below": _below(scope, unit),
    }


@dataclass(frozen=True)
class MemberFilters:
    """What the member list is narrowed to (unknown values are ignored)."""

    state: str
    name: str
    admitted_year: int | None

    @classmethod
    def parse(cls, request: HttpRequest) -> MemberFilters:
        state = request.GET.get(STATE_PARAM, "")
        name = " ".join(request.GET.get(NAME_PARAM, "").split())[:200]
        raw_year = request.GET.get(YEAR_PARAM, "").strip()
        year = int(raw_year) if raw_year.isascii() and raw_year.isdigit() else None
        return cls(
            state=state if state in MemberState.values else "",
            name=name,
            admitted_year=year if year is not None and FIRST_YEAR <= year <= LAST_YEAR else None,
        )

    def params(self) -> dict[str, Any]:
        """The filters as query parameters."""
        return {STATE_PARAM: self.state, NAME_PARAM: self.name, YEAR_PARAM: self.admitted_year}

    def selector(self) -> dict[str, Any]:
        """The filters as the selectors' keyword arguments."""
        return {"state": self.state, "name": self.name, "admitted_year": self.admitted_year}


def _positive(raw: str | None) -> int | None:
    """A positive integer of a query parameter, or None."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 19 else None


@login_required
@require_GET
def members(request: HttpRequest) -> HttpResponse:
    """The records of a unit's subtree that the reader may see, filtered by state, name
    and year of admission, 50 a page; each page shown is audited (``member.list``)."""
    _gate(request, VIEW_MEMBERS)
    user = request.user
    unit = _unit(request, VIEW_MEMBERS)
    filters = MemberFilters.parse(request)
    rows = member_list(user=user, unit=unit, **filters.selector()).order_by(
        "full_name_folded", "pk"
    )
    paginator: Paginator[Member] = Paginator(DeferredRows(rows), PAGE_SIZE)
    # "Next" and "previous" carry the id of the last (first) row shown: keyset paging
    # (``rows_after``); a page asked by its number alone is read by offset.
    following = rows_after(
        rows,
        after=_positive(request.GET.get(AFTER_PARAM)),
        before=_positive(request.GET.get(BEFORE_PARAM)),
        size=PAGE_SIZE,
    )
    if following:
        try:
            number = paginator.validate_number(request.GET.get(PAGE_PARAM) or 1)
        except InvalidPage:
            number = 1
        page: Page[Member] = Page(following, number, paginator)
    else:
        page = paginator.get_page(request.GET.get(PAGE_PARAM))
    shown = list(page.object_list)
    member_list_read(user=user, unit=unit, filters=filters.selector(), shown=len(shown))
    unit_query = _query({UNIT_PARAM: unit.pk})
    return render(
        request,
        "records/members.html",
        {
            **_units(user, VIEW_MEMBERS, unit, filters.params()),
            "filters": filters,
            "states": MemberState.choices,
            "page": page,
            "rows": shown,
            "query": _query({UNIT_PARAM: unit.pk, **filters.params()}),
            "export_url": (
                f"{reverse('records-members-export')}?"
                f"{_query({UNIT_PARAM: unit.pk, **filters.params()})}"
            ),
            "pdf_url": (
                f"{reverse('records-members-pdf')}?"
                f"{_query({UNIT_PARAM: unit.pk, **filters.params()})}"
            ),
            "new_url": f"{reverse('records-member-new')}?{unit_query}",
            "import_url": f"{reverse('records-members-import')}?{unit_query}",
            "statistics_url": f"{reverse('records-statistics')}?{unit_query}",
            "reconciliation_url": f"{reverse('records-reconciliation')}?{unit_query}"
            if user_can(user, VIEW_RECONCILIATIONS)
            else "",
            "may_add": user_can(user, ADD_MEMBERS),
            "may_see_transfers": user_can(user, VIEW_TRANSFERS),
        },
    )


@login_required
@require_GET
def members_export(request: HttpRequest) -> HttpResponse:
    """The member list (Mẫu 7-HSĐV) of a unit's subtree as XLSX, with the list's filters,
    as far as the reader may see it; watermarked and audited by ``members_xlsx``."""
    _gate(request, VIEW_MEMBERS)
    unit = _unit(request, VIEW_MEMBERS)
    filters = MemberFilters.parse(request)
    data = workbook.members_xlsx(user=request.user, unit=unit, **filters.selector())
    response = HttpResponse(data, content_type=XLSX_TYPE)
    name = f"dang-vien-{unit.pk}-{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def members_export_pdf(request: HttpRequest) -> HttpResponse:
    """The same list printed (A4 landscape, Mẫu 7-HSĐV), watermarked and audited by
    ``members_pdf``."""
    _gate(request, VIEW_MEMBERS)
    unit = _unit(request, VIEW_MEMBERS)
    filters = MemberFilters.parse(request)
    data = workbook.members_pdf(user=request.user, unit=unit, **filters.selector())
    response = HttpResponse(data, content_type="application/pdf")
    name = f"dang-vien-{unit.pk}-{timezone.localdate().isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@dataclass(frozen=True)
class Item:
    """One field of a record as the detail page shows it."""

    name: str
    label: str
    value: Any
    is_date: bool


def _items(member: Member, names: tuple[str, ...]) -> list[Item]:
    items = []
    for name in names:
        field = Member._meta.get_field(name)
        value = getattr(member, name)
        if getattr(field, "choices", None) and value:
            value = getattr(member, f"get_{name}_display")()
        items.append(
            Item(
                name=name,
                label=str(getattr(field, "verbose_name", name)),
                value="" if value is None else value,
                is_date=field.get_internal_type() == "DateField" and value is not None,
            )
        )
    return items


@login_required
@require_GET
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One record, every field grouped as the Phiếu đảng viên, with its posts, rewards
    and disciplines; the read is audited (``member.read``)."""
    user = request.user
    try:
        member = member_get(user=user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    events = list(
        MemberEvent.objects.restrict(user, "view").filter(member=member).order_by("since", "pk")
    )
    kinds = [
        (value, label, [event for event in events if event.kind == value])
        for value, label in MemberEventKind.choices
    ]
    may_change = Member.objects.restrict(user, "change").filter(pk=pk).exists()
    return render(
        request,
        "records/member.html",
        {
            "member": member,
            "groups": [(title, _items(member, names)) for title, names in GROUPS],
            "kinds": kinds,
            "may_change": may_change,
            "may_transfer": may_change
            and member.state == MemberState.ACTIVE
            and holds_in(user, member.unit, ADD_TRANSFERS),
            "list_url": f"{reverse('records-members')}?{_query({UNIT_PARAM: member.unit_id})}",
        },
    )


def _refused(form: MemberForm, error: InvalidInput) -> None:
    """Put each of the service's messages beside its field (or above the form)."""
    problems: dict[str, str] = error.extra.get("fields") or {}
    for name, message in problems.items():
        form.add_error(name if name in form.fields else None, str(message))
    if not problems:
        form.add_error(None, str(error.message))


@login_required
@require_http_methods(["GET", "POST"])
def member_new(request: HttpRequest) -> HttpResponse:
    """Open a record in the cell or committee of ``?don-vi=``: the service checks it; on
    a refusal the form comes back with each problem beside its field, nothing saved."""
    _gate(request, ADD_MEMBERS)
    user = request.user
    unit = _unit(request, ADD_MEMBERS)
    if not holds_in(user, unit, ADD_MEMBERS):
        raise Http404
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = member_create(actor=cast(User, user), unit=unit, **form.values())
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            _refused(form, exc)
        else:
            messages.success(
                request, _("The record of %(name)s was opened.") % {"name": member.full_name}
            )
            return redirect("records-member", pk=member.pk)
    return render(
        request,
        "records/member_form.html",
        {
            **_units(user, ADD_MEMBERS, unit, {}),
            "form": form,
            "member": None,
            "action": f"{reverse('records-member-new')}?{_query({UNIT_PARAM: unit.pk})}",
            "back_url": f"{reverse('records-members')}?{_query({UNIT_PARAM: unit.pk})}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a record: the service checks the whole record as it would become."""
    user = request.user
    member = get_restricted_or_404(Member.objects.select_related("unit"), user, "change", pk=pk)
    if request.method == "POST":
        form = MemberForm(request.POST)
        if form.is_valid():
            try:
                member_update(actor=cast(User, user), member=member, **form.values())
            except NotFound as exc:
                raise Http404 from exc
            except InvalidInput as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("The record was saved."))
                return redirect("records-member", pk=member.pk)
    else:
        # Showing the record to change it is a read of the record: audit it.
        try:
            member = member_get(user=user, pk=pk)
        except NotFound as exc:
            raise Http404 from exc
        form = MemberForm(initial=model_to_dict(member, fields=list(EDITABLE)))
    return render(
        request,
        "records/member_form.html",
        {
            "unit": member.unit,
            "form": form,
            "member": member,
            "action": reverse("records-member-edit", args=[member.pk]),
            "back_url": reverse("records-member", args=[member.pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def members_import(request: HttpRequest) -> HttpResponse:
    """Import a member workbook into the unit of ``?don-vi=``, every row or none: on a
    refusal, every row's problems are shown and nothing is written."""
    _gate(request, ADD_MEMBERS)
    user = request.user
    unit = _unit(request, ADD_MEMBERS)
    if not holds_in(user, unit, ADD_MEMBERS):
        raise Http404
    form = MemberImportForm(request.POST or None, request.FILES or None)
    report: workbook.MemberImportReport | None = None
    unit_query = _query({UNIT_PARAM: unit.pk})
    if request.method == "POST" and form.is_valid():
        try:
            report = workbook.members_import(
                actor=cast(User, user), unit=unit, data=form.cleaned_data["file"]
            )
        except NotFound as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            form.add_error("file", str(exc.message))
        else:
            if report.ok:
                messages.success(
                    request,
                    ngettext("%(n)s record imported.", "%(n)s records imported.", report.created)
                    % {"n": report.created},
                )
                return redirect(f"{reverse('records-members')}?{unit_query}")
    return render(
        request,
        "records/members_import.html",
        {
            **_units(user, ADD_MEMBERS, unit, {}),
            "form": form,
            "report": report,
            "errors": sorted(report.errors, key=lambda e: (e.row, e.column)) if report else [],
            "columns": [(_column_label(key), key in workbook.REQUIRED) for key in workbook.COLUMNS],
            "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
            "action": f"{reverse('records-members-import')}?{unit_query}",
            "back_url": f"{reverse('records-members')}?{unit_query}",
        },
    )


def _column_label(key: str) -> str:
    """A column of the member workbook as the import page names it."""
    label = workbook.LABELS.get(key)
    if label:
        return label
    try:
        field = Member._meta.get_field(key)
    except FieldDoesNotExist:
        return key
    return str(getattr(field, "verbose_name", key))


@dataclass(frozen=True)
class StatisticsTable:
    key: str
    title: str
    rows: list[tuple[str, int]]


def _bad_request(message: str) -> HttpResponse:
    """A 400 answer with ``message`` as plain text."""
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _download(data: bytes, content_type: str, name: str) -> HttpResponse:
    """An attachment that no cache keeps."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _statistics_day(request: HttpRequest) -> dt.date | None:
    """The day of ``?ngay=`` (today when missing), or None when it is not a date."""
    raw = request.GET.get(DAY_PARAM, "").strip()
    try:
        return parse_date(raw) if raw else timezone.localdate()
    except ValueError:  # well formed, not a day (2026-02-30)
        return None


def _statistics_tables(stats: Any) -> list[StatisticsTable]:
    """The breakdowns of the statistics page, in order."""
    return [
        StatisticsTable("gender", _("By gender"), stats.by_gender),
        StatisticsTable("age", _("By age"), stats.by_age),
        StatisticsTable("ethnicity", _("By ethnicity"), stats.by_ethnicity),
        StatisticsTable("admission", _("By decade of admission"), stats.by_admission_decade),
        StatisticsTable("theory", _("By political theory"), stats.by_theory),
    ]


@login_required
@require_GET
def member_statistics_page(request: HttpRequest) -> HttpResponse:
    """The members of a unit's subtree on a day, counted by gender, age, ethnicity, decade
    of admission and political theory (issue #9 scope 3): tables with a meter per row,
    no name shown."""
    _gate(request, VIEW_MEMBERS)
    user = request.user
    unit = _unit(request, VIEW_MEMBERS)
    day = _statistics_day(request)
    if day is None:
        return _bad_request(_("The day is not a date (yyyy-mm-dd)."))
    stats = member_statistics(user=user, unit=unit, on=day)
    rollup = reconciliation.member_rollup(user=user, unit=unit, on=day)
    query = _query({UNIT_PARAM: unit.pk, DAY_PARAM: day.isoformat()})
    return render(
        request,
        "records/statistics.html",
        {
            **_units(user, VIEW_MEMBERS, unit, {DAY_PARAM: day.isoformat()}),
            "stats": stats,
            "tables": _statistics_tables(stats),
            "day": day,
            "rollup_labels": [
                reconciliation.ROLLUP_LABELS[k] for k in reconciliation.ROLLUP_FIGURES
            ],
            "rollup_rows": reconciliation.rollup_rows(rollup),
            "rollup_total": [rollup.total.figures[k] for k in reconciliation.ROLLUP_FIGURES],
            "export_url": f"{reverse('records-statistics-export')}?{query}",
            "reconciliation_url": (
                f"{reverse('records-reconciliation')}?{_query({UNIT_PARAM: unit.pk})}"
                if user_can(user, VIEW_RECONCILIATIONS)
                else ""
            ),
            "list_url": f"{reverse('records-members')}?{_query({UNIT_PARAM: unit.pk})}",
        },
    )


@login_required
@require_GET
def member_statistics_export(request: HttpRequest) -> HttpResponse:
    """The statistics of the page (the breakdowns and the roll-up per direct child) as
    XLSX, watermarked and audited by ``statistics_xlsx``."""
    _gate(request, VIEW_MEMBERS)
    user = request.user
    unit = _unit(request, VIEW_MEMBERS)
    day = _statistics_day(request)
    if day is None:
        return _bad_request(_("The day is not a date (yyyy-mm-dd)."))
    stats = member_statistics(user=user, unit=unit, on=day)
    data = reconciliation.statistics_xlsx(
        user=user,
        unit=unit,
        stats=stats,
        tables=[(table.title, table.rows) for table in _statistics_tables(stats)],
    )
    return _download(data, XLSX_TYPE, f"thong-ke-dang-vien-{unit.pk}-{day.isoformat()}.xlsx")


def _quarter(request: HttpRequest) -> reconciliation.Quarter | None:
    """The quarter of ``?nam=`` and ``?quy=`` (either missing: that of the last ended
    quarter), or None when they are not a quarter."""
    default = reconciliation.Quarter.last_ended()
    values = []
    for param, fallback, digits in (
        (QUARTER_YEAR_PARAM, default.year, 4),
        (QUARTER_PARAM, default.number, 1),
    ):
        raw = request.GET.get(param, "").strip()
        if not raw:
            values.append(fallback)
        elif raw.isascii() and raw.isdigit() and len(raw) <= digits:
            values.append(int(raw))
        else:
            return None
    try:
        return reconciliation.Quarter(values[0], values[1])
    except InvalidInput:
        return None


def _reconciliation_request(
    request: HttpRequest,
) -> tuple[Unit, reconciliation.Quarter | None, dict[str, Any]]:
    """The unit (403/404 as the other pages), the quarter and the query parameters."""
    _gate(request, VIEW_RECONCILIATIONS)
    unit = _unit(request, VIEW_RECONCILIATIONS)
    quarter = _quarter(request)
    params: dict[str, Any] = {UNIT_PARAM: unit.pk}
    if quarter is not None:
        params.update({QUARTER_YEAR_PARAM: quarter.year, QUARTER_PARAM: quarter.number})
    return unit, quarter, params


@login_required
@require_http_methods(["GET", "POST"])
def reconciliation_page(request: HttpRequest) -> HttpResponse:
    """The quarterly reconciliation (issue #9 scope 3): per direct child of a unit, the
    movements of the quarter, the figures the child confirmed and what differs since,
    the children that have not confirmed; and the form by which the organisation
    department of the unit confirms its own figures once the quarter is over. Each
    showing is audited (``member.reconciliation_read``, the counts only)."""
    user = request.user
    unit, quarter, params = _reconciliation_request(request)
    if quarter is None:
        return _bad_request(_("The quarter is 1 to 4 and the year from 1900 to 2200."))
    here = f"{reverse('records-reconciliation')}?{_query(params)}"
    may_confirm_here = holds_in(user, unit, ADD_RECONCILIATIONS)
    form = ReconciliationConfirmForm(request.POST or None)
    if request.method == "POST":
        if not may_confirm_here:
            raise Http404
        if form.is_valid():
            try:
                reconciliation.reconciliation_confirm(
                    actor=cast(User, user),
                    unit=unit,
                    year=quarter.year,
                    quarter=quarter.number,
                    note=form.cleaned_data["note"],
                )
            except NotFound as exc:
                raise Http404 from exc
            except InvalidInput as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request,
                    _("The figures of %(unit)s for %(quarter)s were confirmed.")
                    % {"unit": unit.name, "quarter": quarter},
                )
                return redirect(here)
    report = reconciliation.reconciliation_report(user=user, unit=unit, quarter=quarter)
    return render(
        request,
        "records/reconciliation.html",
        {
            **_units(
                user,
                VIEW_RECONCILIATIONS,
                unit,
                {QUARTER_YEAR_PARAM: quarter.year, QUARTER_PARAM: quarter.number},
            ),
            "quarter": quarter,
            "quarters": range(1, 5),
            "report": report,
            "labels": [reconciliation.FIGURE_LABELS[k] for k in reconciliation.FIGURES],
            "form": form,
            "ended": quarter.ended(),
            "may_confirm": may_confirm_here and quarter.ended() and report.own is None,
            "action": here,
            "export_url": f"{reverse('records-reconciliation-export')}?{_query(params)}",
            "pdf_url": f"{reverse('records-reconciliation-pdf')}?{_query(params)}",
            "statistics_url": f"{reverse('records-statistics')}?{_query({UNIT_PARAM: unit.pk})}",
            "list_url": f"{reverse('records-members')}?{_query({UNIT_PARAM: unit.pk})}",
        },
    )


@login_required
@require_GET
def reconciliation_export(request: HttpRequest) -> HttpResponse:
    """The reconciliation table as XLSX, watermarked and audited by
    ``reconciliation_xlsx``."""
    unit, quarter, _params = _reconciliation_request(request)
    if quarter is None:
        return _bad_request(_("The quarter is 1 to 4 and the year from 1900 to 2200."))
    data = reconciliation.reconciliation_xlsx(user=request.user, unit=unit, quarter=quarter)
    name = f"doi-chieu-{unit.pk}-{quarter.year}-q{quarter.number}.xlsx"
    return _download(data, XLSX_TYPE, name)


@login_required
@require_GET
def reconciliation_export_pdf(request: HttpRequest) -> HttpResponse:
    """The reconciliation table printed (A4 landscape), watermarked and audited by
    ``reconciliation_pdf``."""
    unit, quarter, _params = _reconciliation_request(request)
    if quarter is None:
        return _bad_request(_("The quarter is 1 to 4 and the year from 1900 to 2200."))
    data = reconciliation.reconciliation_pdf(user=request.user, unit=unit, quarter=quarter)
    name = f"doi-chieu-{unit.pk}-{quarter.year}-q{quarter.number}.pdf"
    return _download(data, "application/pdf", name)


@login_required
@require_http_methods(["GET", "POST"])
def transfer_send_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a member's Party life to another cell or committee (issue #9 scope 2): the
    destinations are narrowed by ``?tim=`` (folded name, at most ``MAX_CHOICES`` shown);
    ``transfer_send`` checks the rest, and its refusals come back beside the form."""
    user = request.user
    member = get_restricted_or_404(Member.objects.select_related("unit"), user, "change", pk=pk)
    if not holds_in(user, member.unit, ADD_TRANSFERS):
        raise Http404
    search = " ".join(request.GET.get(SEARCH_PARAM, "").split())[:200]
    form = TransferSendForm(request.POST or None, member=member, search=search)
    if request.method == "POST" and form.is_valid():
        try:
            out = transfer_send(
                actor=cast(User, user),
                member=member,
                to_unit=form.cleaned_data["to_unit"],
                on=form.cleaned_data["transfer_on"],
                note=form.cleaned_data["note"],
            )
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("The Party life of %(name)s was sent to %(unit)s.")
                % {"name": member.full_name, "unit": out.other_name},
            )
            return redirect("records-transfers")
    action = reverse("records-member-transfer", args=[member.pk])
    return render(
        request,
        "records/transfer_send.html",
        {
            "member": member,
            "form": form,
            "search": search,
            "max_choices": MAX_CHOICES,
            "action": f"{action}?{_query({SEARCH_PARAM: search})}" if search else action,
            "search_url": action,
            "back_url": reverse("records-member", args=[member.pk]),
        },
    )


def _transfers_page(
    request: HttpRequest,
    *,
    errors: dict[int, str] | None = None,
    refuse_forms: dict[int, TransferRefuseForm] | None = None,
) -> HttpResponse:
    """The transfers page, with the refusal of one decision beside its row."""
    lists = transfer_list_read(user=request.user)
    refuse_forms = refuse_forms or {}
    waiting = [
        (
            transfer,
            transfer.pk in lists.decidable,
            (errors or {}).get(transfer.pk, ""),
            refuse_forms.get(transfer.pk) or TransferRefuseForm(prefix=f"t{transfer.pk}"),
        )
        for transfer in lists.waiting
    ]
    return render(
        request,
        "records/transfers.html",
        {
            "waiting": waiting,
            "recent": lists.recent,
            "recent_max": RECENT,
            "list_url": reverse("records-members"),
        },
    )


@login_required
@require_GET
def transfers(request: HttpRequest) -> HttpResponse:
    """The incoming transfers waiting for a decision and the latest transfers in both
    directions that the reader may see; each showing is audited
    (``member.transfer_list``)."""
    _gate(request, VIEW_TRANSFERS)
    return _transfers_page(request)


@login_required
@require_POST
def transfer_accept_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept an incoming transfer (the box ticked to confirm): the record is opened here
    and the reader goes to it; a refusal of the service is shown beside the transfer."""
    user = request.user
    transfer = get_restricted_or_404(Transfer.objects.all(), user, "change", pk=pk)
    form = TransferAcceptForm(request.POST, prefix=f"a{transfer.pk}")
    if not form.is_valid():
        return _transfers_page(
            request, errors={transfer.pk: " ".join(str(e) for e in form.errors["confirm"])}
        )
    try:
        member = transfer_accept(actor=cast(User, user), transfer=transfer)
    except NotFound as exc:
        raise Http404 from exc
    except InvalidInput as exc:
        return _transfers_page(request, errors={transfer.pk: str(exc.message)})
    messages.success(
        request,
        _("%(name)s now takes part in Party life at %(unit)s.")
        % {"name": member.full_name, "unit": member.unit.name},
    )
    return redirect("records-member", pk=member.pk)


@login_required
@require_POST
def transfer_refuse_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Refuse an incoming transfer with the reason (required); the sender's record stays
    open."""
    user = request.user
    transfer = get_restricted_or_404(Transfer.objects.all(), user, "change", pk=pk)
    form = TransferRefuseForm(request.POST, prefix=f"t{transfer.pk}")
    if form.is_valid():
        try:
            transfer_refuse(
                actor=cast(User, user), transfer=transfer, reason=form.cleaned_data["reason"]
            )
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            form.add_error("reason", str(exc.message))
        else:
            messages.success(
                request,
                _("The transfer of %(name)s was refused.") % {"name": transfer.full_name},
            )
            return redirect("records-transfers")
    return _transfers_page(request, refuse_forms={transfer.pk: form})


#: Who may add posts, rewards and discipline to a record (org/roles.py).
ADD_EVENTS = "records.add_memberevent"
#: The query parameter of the kind of entry to add (post, reward, discipline).
KIND_PARAM = "loai"
#: The fields of an entry the forms show.
EVENT_FIELDS = ["kind", "title", "since", "until", "decision"]


def _event_refused(form: MemberEventForm | MemberEventRemoveForm, error: InvalidInput) -> None:
    """Put each of the service's messages beside its field (or above the form)."""
    problems: dict[str, str] = error.extra.get("fields") or {}
    for name, message in problems.items():
        form.add_error(name if name in form.fields else None, str(message))
    if not problems:
        form.add_error(None, str(error.message))


def _events_url(member: Member, kind: str) -> str:
    """The record page at the section of ``kind``."""
    return f"{reverse('records-member', args=[member.pk])}#events-{kind}"


def _read_record(user: Any, pk: int) -> None:
    """Showing an entry to change or remove it is a read of the record: audit it."""
    try:
        member_get(user=user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc


@login_required
@require_http_methods(["GET", "POST"])
def member_event_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a post, a reward or a discipline (``?loai=``, preselected) to an active
    member's record; the service checks it, and its refusals come back beside the fields."""
    user = request.user
    member = get_restricted_or_404(Member.objects.select_related("unit"), user, "change", pk=pk)
    if not holds_in(user, member.unit, ADD_EVENTS):
        raise Http404
    kind = request.GET.get(KIND_PARAM, "")
    kind = kind if kind in MemberEventKind.values else ""
    form = MemberEventForm(request.POST or None, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        try:
            event = member_event_add(actor=cast(User, user), member=member, **form.values())
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            _event_refused(form, exc)
        else:
            messages.success(request, _("The entry was added to the record."))
            return redirect(_events_url(member, event.kind))
    action = reverse("records-member-event-new", args=[member.pk])
    closed = (
        _("This record is closed (%(state)s): it takes no new entries.")
        % {"state": member.get_state_display()}
        if member.state != MemberState.ACTIVE
        else ""
    )
    return render(
        request,
        "records/member_event_form.html",
        {
            "member": member,
            "form": form,
            "event": None,
            "closed": closed,
            "action": f"{action}?{_query({KIND_PARAM: kind})}" if kind else action,
            "back_url": _events_url(member, kind) if kind else _events_url(member, "post"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_event_edit(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    """Change an entry of a record: the service checks it as it would become."""
    user = request.user
    member = get_restricted_or_404(Member.objects.select_related("unit"), user, "change", pk=pk)
    event = get_restricted_or_404(
        MemberEvent.objects.filter(member=member), user, "change", pk=event_pk
    )
    if request.method == "POST":
        form = MemberEventForm(request.POST)
        if form.is_valid():
            try:
                event = member_event_change(actor=cast(User, user), event=event, **form.values())
            except NotFound as exc:
                raise Http404 from exc
            except InvalidInput as exc:
                _event_refused(form, exc)
            else:
                messages.success(request, _("The entry was saved."))
                return redirect(_events_url(member, event.kind))
    else:
        _read_record(user, pk)
        form = MemberEventForm(initial=model_to_dict(event, fields=EVENT_FIELDS))
    return render(
        request,
        "records/member_event_form.html",
        {
            "member": member,
            "form": form,
            "event": event,
            "closed": "",
            "action": reverse("records-member-event-edit", args=[member.pk, event.pk]),
            "back_url": _events_url(member, event.kind),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_event_remove_page(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    """Remove an entry of a record, with the reason (required, kept in the audit log)."""
    user = request.user
    member = get_restricted_or_404(Member.objects.select_related("unit"), user, "change", pk=pk)
    event = get_restricted_or_404(
        MemberEvent.objects.filter(member=member), user, "delete", pk=event_pk
    )
    form = MemberEventRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kind = event.kind
        try:
            member_event_remove(
                actor=cast(User, user), event=event, reason=form.cleaned_data["reason"]
            )
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            _event_refused(form, exc)
        else:
            messages.success(request, _("The entry was removed from the record."))
            return redirect(_events_url(member, kind))
    elif request.method == "GET":
        _read_record(user, pk)
    return render(
        request,
        "records/member_event_remove.html",
        {
            "member": member,
            "event": event,
            "form": form,
            "action": reverse("records-member-event-remove", args=[member.pk, event.pk]),
            "back_url": _events_url(member, event.kind),
        },
    )


@login_required
@require_GET
def member_photo_image(request: HttpRequest, pk: int) -> HttpResponse:
    """The record's photo, for the readers of the record (part of its page)."""
    try:
        data = member_photo(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def member_photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a photo on the record, or take it off (``?xoa=1`` on POST); for the keepers."""
    user = request.user
    member = get_restricted_or_404(Member.objects.select_related("unit"), user, "change", pk=pk)
    form = MemberPhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.POST.get("xoa"):
        member_photo_remove(actor=cast(User, user), member=member)
        messages.success(request, _("The photo was taken off the record."))
        return redirect("records-member", pk=member.pk)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            member_photo_set(
                actor=cast(User, user), member=member, data=upload.read(MAX_PHOTO_BYTES + 1)
            )
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            form.add_error("photo", str(exc.message))
        else:
            messages.success(request, _("The photo was put on the record."))
            return redirect("records-member", pk=member.pk)
    return render(
        request,
        "records/member_photo.html",
        {"member": member, "form": form, "back_url": reverse("records-member", args=[member.pk])},
    )
