"""The registers of NĐ 30 Phụ lục IV as a page, XLSX and PDF (issue #4, scope 5).

The unit comes from a choice restricted to the units whose registers the person may
view; the rows are read for the person (scope and clearance) by
``registers.register_sheet``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from lienthong.core.errors import ApplicationError
from lienthong.documents import registers
from lienthong.documents.forms import RegisterSheetForm
from lienthong.documents.views._common import person
from lienthong.org.views import login_required

__all__ = ["register_page"]

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def register_page(request: HttpRequest) -> HttpResponse:
    """A register for a period: the table on the page, or ``?format=xlsx|pdf``."""
    user = person(request)
    today = timezone.localdate()
    data = request.GET.copy()
    form_fields = {"unit", "kind", "date_from", "date_to"}
    if not form_fields & set(data):
        form = RegisterSheetForm(
            user=user,
            initial={
                "kind": "outgoing",
                "date_from": today.replace(month=1, day=1),
                "date_to": today,
            },
        )
        first = form.fields["unit"].queryset.first()  # type: ignore[attr-defined]
        if first is not None:
            form.initial["unit"] = first.pk
            data.update(
                {
                    "unit": str(first.pk),
                    "kind": "outgoing",
                    "date_from": today.replace(month=1, day=1).isoformat(),
                    "date_to": today.isoformat(),
                }
            )
            form = RegisterSheetForm(data, user=user)
    else:
        form = RegisterSheetForm(data, user=user)
    sheet = None
    error = ""
    if form.is_bound and form.is_valid():
        values = form.cleaned_data
        try:
            sheet = registers.register_sheet(
                user=user,
                unit=values["unit"],
                kind=values["kind"],
                date_from=values["date_from"],
                date_to=values["date_to"],
            )
        except ApplicationError as exc:
            error = str(exc.message)
    output = request.GET.get("format", "")
    if sheet is not None and output in {"xlsx", "pdf"}:
        name = "so-{}-{}-{}_{}.{}".format(
            sheet.kind,
            slugify(sheet.unit_name) or "don-vi",
            sheet.date_from.isoformat(),
            sheet.date_to.isoformat(),
            output,
        )
        if output == "xlsx":
            response = HttpResponse(registers.register_xlsx(sheet), content_type=_XLSX)
        else:
            response = HttpResponse(registers.register_pdf(sheet), content_type="application/pdf")
        disposition = content_disposition_header(as_attachment=True, filename=name)
        response["Content-Disposition"] = disposition
        return response
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "documents/registers.html",
        {"form": form, "sheet": sheet, "error": error, "query": query.urlencode()},
    )
