"""The IT steering committee's dashboard (issue #8 scope 6): every KPI of a subtree and
period as a card with its chart and a table of the same numbers, a tile grid map of the
provinces' communes connected, the rows behind each figure, and the page as XLSX or PDF.

Who may open it: whoever holds ``infra.view_link`` somewhere (the steering committee, IT
officers, administrators); the unit comes through ``Unit.objects.restrict(user,
"view")`` (out of scope is 404), and every figure counts only what the reader may see
(``reports.kpis``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from lienthong.core.permissions import AllUnits, allowed_units, get_restricted_or_404, user_can
from lienthong.core.workbook import XLSX_TYPE
from lienthong.org.choices import UnitKind, UnitLevel
from lienthong.org.models import Unit
from lienthong.org.views import login_required
from lienthong.reports.charts import (
    BarChart,
    ProvinceShare,
    TileMap,
    bar_chart,
    percent_text,
    tile_map,
)
from lienthong.reports.exports import kpis_xlsx
from lienthong.reports.forms import PeriodForm
from lienthong.reports.kpis import KPIS, Figure, kpis_cached, kpis_compute

#: Who may open the dashboard: the steering committee, IT officers and administrators
#: hold it (org/roles.py).
PERMISSION = "infra.view_link"
DRILL_PAGE_SIZE = 100
#: Between the units of a path (a single right-pointing angle quotation mark).
SEPARATOR = " \u203a "

#: What the drill-down of each KPI lists (``Figure.rows``).
DRILL_TITLES = {
    "communes_connected": _("Commune committees not connected"),
    "provinces_fully_connected": _("Provinces where some commune is not connected"),
    "units_per_medium": _("Units with no network link"),
    "assets_worn_out": _("Equipment due for replacement"),
    "outgoing_signed": _("Outgoing documents only on paper"),
    "outgoing_electronic_or_digitised": _("Outgoing documents only on paper"),
    "incoming_electronic_or_digitised": _("Incoming documents only on paper"),
    "units_reachable": _("Units unreachable now"),
    "incoming_on_time": _("Incoming documents that missed their deadline"),
}


@dataclass(frozen=True)
class Scope:
    """The unit and period a request asks for."""

    unit: Unit
    start: dt.date
    end: dt.date

    def query(self, unit: Unit | None = None) -> str:
        """The GET parameters of this scope (for ``unit`` instead, when given)."""
        return urlencode(
            {
                "don-vi": (unit or self.unit).pk,
                "tu": self.start.isoformat(),
                "den": self.end.isoformat(),
            }
        )


@dataclass(frozen=True)
class PartRow:
    name: str
    counted: int
    out_of: int | None
    percent: str | None


@dataclass(frozen=True)
class Card:
    """One KPI as the page shows it."""

    key: str
    label: str
    numerator: int
    denominator: int | None
    is_share: bool
    percent: str | None
    meter: str | None
    parts: list[PartRow]
    chart: BarChart | None
    drill_url: str


def _gate(request: HttpRequest) -> None:
    if not user_can(request.user, PERMISSION):
        raise PermissionDenied


def _default_unit(user: Any) -> Unit | None:
    """The person's highest unit in scope: the root for a superuser or a centre-scoped
    reader, their province for a provincial IT officer."""
    visible = Unit.objects.restrict(user, "view").order_by("depth", "sort_order", "pk")
    where = allowed_units(user, PERMISSION)
    if where is not None and not isinstance(where, AllUnits):
        own = visible.filter(pk__in=where).first()
        if own is not None:
            return own
    return visible.first()


def _unit(request: HttpRequest) -> Unit:
    raw = request.GET.get("don-vi", "").strip()
    if not raw:
        unit = _default_unit(request.user)
        if unit is None:
            raise Http404
        return unit
    if not raw.isdigit():
        raise Http404
    return get_restricted_or_404(Unit.objects.all(), request.user, "view", pk=int(raw))


def _scope(request: HttpRequest) -> tuple[PeriodForm, Scope | None, Unit]:
    """The form, the scope when the period is valid, and the unit (404 out of scope)."""
    _gate(request)
    unit = _unit(request)
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return form, None, unit
    start, end = form.period()
    return form, Scope(unit=unit, start=start, end=end), unit


def _card(figure: Figure, scope: Scope) -> Card:
    value = figure.value
    is_share = figure.denominator is not None
    parts = [
        PartRow(name, counted, out_of, percent_text(counted, out_of))
        for name, counted, out_of in figure.parts
    ]
    return Card(
        key=figure.key,
        label=figure.label,
        numerator=figure.numerator,
        denominator=figure.denominator,
        is_share=is_share,
        percent=percent_text(figure.numerator, figure.denominator) if is_share else None,
        meter=f"{value:.4f}" if is_share and value is not None else None,
        parts=parts,
        chart=bar_chart(figure.parts) if figure.parts else None,
        drill_url=f"{reverse('reports-drill', args=[figure.key])}?{scope.query()}",
    )


def _map(user: Any, scope: Scope, figure: Figure | None) -> TileMap | None:
    """The provinces of the subtree coloured by their communes connected (None when the
    unit is below the provinces)."""
    provinces = (
        Unit.objects.restrict(user, "view")
        .filter(
            path__startswith=scope.unit.path,
            level=UnitLevel.PROVINCE,
            kind=UnitKind.COMMITTEE,
        )
        .order_by("sort_order", "name")
    )
    if not provinces:
        return None
    parts = {name: (counted, out_of) for name, counted, out_of in (figure.parts if figure else [])}
    dashboard = reverse("reports-dashboard")
    shares = []
    for province in provinces:
        counted, out_of = parts.get(province.name, (None, None))
        share = ProvinceShare(
            pk=province.pk,
            name=province.name,
            counted=counted,
            out_of=out_of,
            percent=percent_text(counted or 0, out_of),
            href=f"{dashboard}?{scope.query(province)}",
        )
        shares.append((share, province.source_key))
    return tile_map(shares)


def dashboard_context(user: Any, scope: Scope, *, fresh: bool = False) -> dict[str, Any]:
    """What the page and its PDF show: the cards and the map of ``scope``."""
    computed = kpis_cached(
        user=user, unit=scope.unit, start=scope.start, end=scope.end, fresh=fresh
    )
    figures = computed.figures
    connected = next((f for f in figures if f.key == "communes_connected"), None)
    return {
        "scope": scope,
        "figures": figures,
        "computed_at": computed.computed_at,
        "cache_minutes": int(getattr(settings, "REPORTS_CACHE_SECONDS", 300)) // 60,
        "cards": [_card(figure, scope) for figure in figures],
        "map": _map(user, scope, connected),
    }


def _units_to_choose(user: Any, unit: Unit) -> dict[str, list[Unit]]:
    """The units the form offers: the visible ones above ``unit``, and its children."""
    visible = Unit.objects.restrict(user, "view")
    above_pks = [int(pk) for pk in unit.path.strip("/").split("/") if pk and int(pk) != unit.pk]
    above = list(visible.filter(pk__in=above_pks).order_by("depth"))
    below = list(
        visible.filter(parent=unit).exclude(kind=UnitKind.DEPARTMENT).order_by("sort_order", "name")
    )
    return {"above": above, "below": below}


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard of a unit's subtree and a period."""
    form, scope, unit = _scope(request)
    context: dict[str, Any] = {"form": form, "unit": unit, **_units_to_choose(request.user, unit)}
    if scope is None:
        return render(request, "reports/dashboard.html", context, status=400)
    context.update(dashboard_context(request.user, scope, fresh=request.GET.get("moi") == "1"))
    context["query"] = scope.query()
    return render(request, "reports/dashboard.html", context)


def _bad_period(form: PeriodForm) -> HttpResponse:
    text = " ".join(str(message) for errors in form.errors.values() for message in errors)
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


def _filename(scope: Scope, extension: str) -> str:
    return f"chi-so-{scope.unit.pk}-{scope.start.isoformat()}-{scope.end.isoformat()}.{extension}"


@login_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures as XLSX: the same numbers as the page."""
    form, scope, _ignored = _scope(request)
    if scope is None:
        return _bad_period(form)
    figures = kpis_cached(
        user=request.user, unit=scope.unit, start=scope.start, end=scope.end
    ).figures
    data = kpis_xlsx(figures=figures, unit=scope.unit, start=scope.start, end=scope.end)
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(scope, "xlsx")}"'
    return response


@login_required
@require_GET
def export_pdf(request: HttpRequest) -> HttpResponse:
    """The dashboard's cards, charts, map and tables as an A4 PDF (WeasyPrint, local
    fonts, no network)."""
    import weasyprint  # type: ignore[import-untyped]

    from lienthong.documents.registers import font_faces

    form, scope, _ignored = _scope(request)
    if scope is None:
        return _bad_period(form)
    html = render_to_string(
        "reports/dashboard_pdf.html",
        {**dashboard_context(request.user, scope), "font_faces": font_faces(), "pdf": True},
        request=request,
    )
    data: bytes = weasyprint.HTML(string=html).write_pdf()
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(scope, "pdf")}"'
    return response


@dataclass(frozen=True)
class DrillRow:
    name: str
    where: str
    href: str | None


def _drill_rows(user: Any, items: list[Model]) -> list[DrillRow]:
    """Each row behind a figure with where it sits: a unit with the units above it, a
    document or an asset with its unit."""
    units = [item if isinstance(item, Unit) else getattr(item, "unit", None) for item in items]
    above: set[int] = set()
    for unit in units:
        if isinstance(unit, Unit):
            above.update(int(pk) for pk in unit.path.strip("/").split("/") if pk)
    names = dict(Unit.objects.restrict(user, "view").filter(pk__in=above).values_list("pk", "name"))
    rows = []
    for item, unit in zip(items, units, strict=True):
        if isinstance(item, Unit):
            chain = [int(pk) for pk in item.path.strip("/").split("/") if pk][:-1]
            where = SEPARATOR.join(names[pk] for pk in chain if pk in names)
            href: str | None = reverse("unit-detail", args=[item.pk])
        elif isinstance(unit, Unit):
            chain = [int(pk) for pk in unit.path.strip("/").split("/") if pk]
            where = SEPARATOR.join(names[pk] for pk in chain if pk in names)
            href = None
        else:
            where, href = "", None
        rows.append(DrillRow(name=str(item), where=where, href=href))
    return rows


@login_required
@require_GET
def drill(request: HttpRequest, key: str) -> HttpResponse:
    """The rows behind one figure (which communes are not connected…), 100 a page."""
    if key not in KPIS:
        raise Http404
    form, scope, unit = _scope(request)
    context: dict[str, Any] = {
        "form": form,
        "unit": unit,
        "key": key,
        "title": DRILL_TITLES.get(key),
    }
    if scope is None:
        return render(request, "reports/drill.html", context, status=400)
    (figure,) = kpis_compute(
        user=request.user, unit=scope.unit, start=scope.start, end=scope.end, keys=[key]
    )
    rows: QuerySet[Any] | list[Any] = figure.rows() if figure.rows is not None else []
    if isinstance(rows, QuerySet) and any(f.name == "unit" for f in rows.model._meta.fields):
        rows = rows.select_related("unit")
    if isinstance(rows, QuerySet) and not rows.ordered:
        rows = rows.order_by("pk")
    page = Paginator(rows, DRILL_PAGE_SIZE).get_page(request.GET.get("trang"))
    context.update(
        {
            "scope": scope,
            "figure": figure,
            "card": _card(figure, scope),
            "page": page,
            "rows": _drill_rows(request.user, list(page.object_list)),
            "query": scope.query(),
            "back_url": f"{reverse('reports-dashboard')}?{scope.query()}",
        }
    )
    return render(request, "reports/drill.html", context)
