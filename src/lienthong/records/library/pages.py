"""The pages of the library of Party documents (issue #9 scope 5): the search with its
filters (paginated), a publication with its relations and its PDF, the entry form for
the office's clerk, relations, withdrawal, XLSX export and import.

Whoever holds ``library.view_publication`` nowhere gets 403; a publication the person
may not read answers 404 (STYLE habit 6), its PDF too. Every publication from the
request is resolved through the selectors (``restrict``, visibility, clearance); the
forms that write answer 404 outside the person's keeping scope.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lienthong.core.errors import ApplicationError, InvalidInput, NotFound
from lienthong.core.permissions import AllUnits, allowed_units, get_restricted_or_404, user_can
from lienthong.core.workbook import XLSX_TYPE
from lienthong.documents.models import DocumentType
from lienthong.org.models import Unit, User
from lienthong.org.views import login_required
from lienthong.records.library import workbook
from lienthong.records.library.choices import PublicationStatus, Visibility
from lienthong.records.library.forms import ImportForm, PublicationForm, RelationForm, WithdrawForm
from lienthong.records.library.models import Publication
from lienthong.records.library.selectors import (
    LibraryFilters,
    publication_get,
    publication_relations,
    publication_search,
    readable,
)
from lienthong.records.library.services import (
    ADD,
    publication_create,
    publication_file,
    publication_relate,
    publication_update,
    publication_withdraw,
)

__all__ = [
    "library",
    "library_export",
    "library_import",
    "publication_detail",
    "publication_edit",
    "publication_new",
    "publication_pdf",
    "publication_relation_add",
    "publication_withdraw_page",
]

VIEW = "library.view_publication"
PAGE_SIZE = 20
QUERY_PARAM = "q"
TYPE_PARAM = "loai"
TERM_PARAM = "khoa"
YEAR_PARAM = "nam"
ISSUER_PARAM = "co-quan"
TAG_PARAM = "chu-de"
STATUS_PARAM = "tinh-trang"
PAGE_PARAM = "trang"
FIRST_YEAR, LAST_YEAR = 1930, 2200


def _gate(request: HttpRequest, permission: str = VIEW) -> None:
    """403 when the person holds ``permission`` in no unit."""
    if not user_can(request.user, permission):
        raise PermissionDenied


def _query(params: dict[str, Any]) -> str:
    return urlencode({key: value for key, value in params.items() if value not in ("", None)})


def _keeping_units(user: Any) -> Any:
    """The units where the person may enter publications."""
    where = allowed_units(user, ADD)
    if where is None:
        return Unit.objects.none()
    if isinstance(where, AllUnits):
        return Unit.objects.order_by("depth", "sort_order", "name")
    return Unit.objects.filter(pk__in=where).order_by("depth", "sort_order", "name")


@dataclass(frozen=True)
class Params:
    """The list's query and filters, read from the query string (unknown values are
    ignored)."""

    query: str
    filters: LibraryFilters

    @classmethod
    def parse(cls, request: HttpRequest) -> Params:
        get = request.GET
        raw_type = get.get(TYPE_PARAM, "").strip()
        raw_year = get.get(YEAR_PARAM, "").strip()
        year = int(raw_year) if raw_year.isascii() and raw_year.isdigit() else None
        status = get.get(STATUS_PARAM, "")
        return cls(
            query=" ".join(get.get(QUERY_PARAM, "").split())[:300],
            filters=LibraryFilters(
                document_type_id=(
                    int(raw_type) if raw_type.isascii() and raw_type.isdigit() else None
                ),
                term=get.get(TERM_PARAM, "").strip().upper()[:10],
                year=year if year is not None and FIRST_YEAR <= year <= LAST_YEAR else None,
                issuer=" ".join(get.get(ISSUER_PARAM, "").split())[:200],
                tag=" ".join(get.get(TAG_PARAM, "").split())[:100],
                status=status if status in PublicationStatus.values else "",
            ),
        )

    def params(self) -> dict[str, Any]:
        f = self.filters
        return {
            QUERY_PARAM: self.query,
            TYPE_PARAM: f.document_type_id,
            TERM_PARAM: f.term,
            YEAR_PARAM: f.year,
            ISSUER_PARAM: f.issuer,
            TAG_PARAM: f.tag,
            STATUS_PARAM: f.status,
        }


@dataclass(frozen=True)
class Pager:
    """One page of a search's hits."""

    number: int
    num_pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get(PAGE_PARAM, "1").strip()
    return max(1, min(int(raw), 10_000)) if raw.isascii() and raw.isdigit() else 1


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """Search the library: words with or without diacritics, or a number ("57-NQ/TW"),
    filtered by type, term, year, issuing body, tag and status, 20 a page."""
    _gate(request)
    user = request.user
    params = Params.parse(request)
    number = _page_number(request)
    rows, result = publication_search(
        user=user,
        query=params.query,
        filters=params.filters,
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
    )
    pager = Pager(number, max(1, math.ceil(result.total / PAGE_SIZE)), result.total)
    return render(
        request,
        "library/list.html",
        {
            "params": params,
            "rows": rows,
            "page": pager,
            "query": _query(params.params()),
            "types": DocumentType.objects.filter(convention="party", is_active=True),
            "statuses": PublicationStatus.choices,
            "export_url": f"{reverse('library-export')}?{_query(params.params())}",
            "may_add": user_can(user, ADD),
        },
    )


@login_required
@require_GET
def library_export(request: HttpRequest) -> HttpResponse:
    """The filtered list (without the typed words) as XLSX, audited."""
    _gate(request)
    params = Params.parse(request)
    data = workbook.publications_xlsx(user=request.user, filters=params.filters)
    response = HttpResponse(data, content_type=XLSX_TYPE)
    name = f"thu-vien-van-kien-{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _get(user: Any, pk: int) -> Publication:
    try:
        return publication_get(user=user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc


@login_required
@require_GET
def publication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One publication: its entry, effective status, relations and PDF."""
    user = request.user
    publication = _get(user, pk)
    outgoing, incoming = publication_relations(user=user, publication=publication)
    may_change = Publication.objects.restrict(user, "change").filter(pk=pk).exists()
    relation_form = (
        RelationForm(targets=readable(user).exclude(pk=pk).order_by("-issued_on", "-pk"))
        if may_change
        else None
    )
    return render(
        request,
        "library/detail.html",
        {
            "publication": publication,
            "outgoing": outgoing,
            "incoming": incoming,
            "may_change": may_change,
            "relation_form": relation_form,
            "withdraw_form": WithdrawForm() if may_change else None,
        },
    )


@login_required
@require_GET
def publication_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The publication's PDF, for whoever may read the publication."""
    publication = _get(request.user, pk)
    try:
        data = publication_file(publication)
    except NotFound as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type="application/pdf")
    name = publication.file_name or f"van-kien-{publication.pk}.pdf"
    ascii_name = "".join(ch if ch.isascii() and ch not in '"\\' else "_" for ch in name)
    response["Content-Disposition"] = f'inline; filename="{ascii_name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _refused(form: PublicationForm | RelationForm | WithdrawForm, error: InvalidInput) -> None:
    """Put each of the service's messages beside its field (or above the form)."""
    problems: dict[str, str] = error.extra.get("fields") or {}
    for name, message in problems.items():
        target = "number" if name == "notation" and "notation" not in form.fields else name
        form.add_error(target if target in form.fields else None, str(message))
    if not problems:
        form.add_error(None, str(error.message))


@login_required
@require_http_methods(["GET", "POST"])
def publication_new(request: HttpRequest) -> HttpResponse:
    """Enter a publication (the office's clerk): the service checks it; on a refusal the
    form comes back with each problem beside its field, nothing saved."""
    _gate(request, ADD)
    user = request.user
    units = _keeping_units(user)
    form = PublicationForm(
        request.POST or None,
        request.FILES or None,
        units=units,
        initial={"unit": units.first()},
    )
    if request.method == "POST" and form.is_valid():
        values = form.values()
        tags = values.pop("tags")
        try:
            publication = publication_create(
                actor=cast(User, user),
                unit=form.cleaned_data["unit"],
                tags=_split(tags),
                **values,
            )
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            _refused(form, exc)
        else:
            messages.success(
                request,
                _("%(number)s was added to the library.") % {"number": publication.number_display},
            )
            return redirect("library-publication", pk=publication.pk)
    return render(
        request,
        "library/form.html",
        {"form": form, "publication": None, "action": reverse("library-new")},
    )


def _split(tags: str) -> list[str]:
    from lienthong.records.library.services import tags_parse

    return tags_parse(tags)


@login_required
@require_http_methods(["GET", "POST"])
def publication_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a publication's entry, tags or PDF (its keepers only)."""
    user = request.user
    publication = get_restricted_or_404(
        Publication.objects.select_related("document_type"), user, "change", pk=pk
    )
    if request.method == "POST":
        form = PublicationForm(request.POST, request.FILES)
        if form.is_valid():
            values = form.values()
            tags = values.pop("tags")
            try:
                publication_update(
                    actor=cast(User, user), publication=publication, tags=_split(tags), **values
                )
            except NotFound as exc:
                raise Http404 from exc
            except InvalidInput as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("The publication was saved."))
                return redirect("library-publication", pk=publication.pk)
    else:
        form = PublicationForm(
            initial={
                "document_type": publication.document_type_id,
                "number": publication.number,
                "notation": publication.notation,
                "issued_on": publication.issued_on,
                "issuer_name": publication.issuer_name,
                "term": publication.term,
                "title": publication.title,
                "tags": publication.tags_text,
                "visibility": publication.visibility,
                "classification": publication.classification,
            }
        )
    return render(
        request,
        "library/form.html",
        {
            "form": form,
            "publication": publication,
            "action": reverse("library-edit", args=[publication.pk]),
        },
    )


@login_required
@require_POST
def publication_relation_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record how this publication relates to another one the keeper may read."""
    user = request.user
    source = get_restricted_or_404(Publication.objects.all(), user, "change", pk=pk)
    form = RelationForm(request.POST, targets=readable(user).exclude(pk=pk))
    if form.is_valid():
        try:
            publication_relate(
                actor=cast(User, user),
                source=source,
                target=form.cleaned_data["target"],
                kind=form.cleaned_data["kind"],
            )
        except NotFound as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The relation was recorded."))
    else:
        messages.error(request, _("Choose the relation and the publication."))
    return redirect("library-publication", pk=source.pk)


@login_required
@require_POST
def publication_withdraw_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a publication out of the library (its keepers only), with a reason."""
    user = request.user
    publication = get_restricted_or_404(Publication.objects.all(), user, "change", pk=pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            publication_withdraw(
                actor=cast(User, user), publication=publication, reason=form.cleaned_data["reason"]
            )
        except InvalidInput as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The publication was withdrawn from the library."))
    else:
        messages.error(request, _("Say why the publication is withdrawn."))
    return redirect("library-publication", pk=publication.pk)


@login_required
@require_http_methods(["GET", "POST"])
def library_import(request: HttpRequest) -> HttpResponse:
    """Import a catalogue workbook into the library of one of the person's offices,
    every row or none: on a refusal every row's problems are listed, nothing written."""
    _gate(request, ADD)
    user = request.user
    units = _keeping_units(user)
    raw = request.GET.get("don-vi", "").strip()
    unit = (
        units.filter(pk=int(raw)).first()
        if raw.isascii() and raw.isdigit() and len(raw) < 18
        else units.first()
    )
    if unit is None:
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    report: workbook.PublicationImportReport | None = None
    if request.method == "POST" and form.is_valid():
        try:
            report = workbook.publications_import(
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
                    ngettext(
                        "%(n)s publication imported.",
                        "%(n)s publications imported.",
                        report.created,
                    )
                    % {"n": report.created},
                )
                return redirect("library-list")
    return render(
        request,
        "library/import.html",
        {
            "form": form,
            "unit": unit,
            "units": units,
            "report": report,
            "errors": sorted(report.errors, key=lambda e: (e.row, e.column)) if report else [],
            "columns": [
                (workbook.LABELS[key], key in workbook.REQUIRED) for key in workbook.COLUMNS
            ],
            "action": f"{reverse('library-import')}?{_query({'don-vi': unit.pk})}",
            "visibilities": Visibility.choices,
        },
    )
