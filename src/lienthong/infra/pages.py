"""The IT officer's daily pages (issue #8 scopes 1 and 2): the equipment of a unit's
subtree with its XLSX export and import, and the live probes of the units.

Who may open them: whoever holds ``infra.view_asset`` (the equipment) or
``infra.view_probe`` (the probes) somewhere; the unit comes through
``Unit.objects.restrict(user, "view")`` (out of scope is 404) and every row through the
model's ``restrict`` (STYLE habits 5 and 6). Importing needs ``infra.add_asset``; the
import service checks each row's unit against the importer's scope again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from lienthong.core.errors import ApplicationError
from lienthong.core.forms import WorkbookUploadForm
from lienthong.core.permissions import AllUnits, allowed_units, get_restricted_or_404, user_can
from lienthong.core.workbook import XLSX_TYPE
from lienthong.infra import probing, selectors, workbook
from lienthong.infra.choices import AssetKind, AssetStatus, ProbeKind
from lienthong.infra.models import Asset, Probe
from lienthong.org.models import Unit, User
from lienthong.org.views import login_required

__all__ = ["assets", "assets_export", "assets_import", "probes"]

#: Who may see the equipment of a unit (the IT officers, administrators, the committee).
VIEW_ASSETS = "infra.view_asset"
#: Who may import an inventory workbook.
ADD_ASSETS = "infra.add_asset"
#: Who may see the probes of a unit.
VIEW_PROBES = "infra.view_probe"
#: Rows per page of both lists.
PAGE_SIZE = 100
#: The largest inventory workbook the import takes (a province's inventory is far less).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: The query parameters (Vietnamese, like the paths).
UNIT_PARAM = "don-vi"
KIND_PARAM = "loai"
STATUS_PARAM = "tinh-trang"
DUE_PARAM = "den-han"
PAGE_PARAM = "trang"
#: How often the probes table refreshes itself (htmx ``every``).
REFRESH_SECONDS = 30
#: The uptime windows of the probes table: (name, length, seconds a figure is kept in the
#: cache). ``probing.uptime`` reads every raw result of the window (a 30-day window of a
#: probe checked every minute is 43,200 rows, about a quarter of a second), so the
#: figures are kept for a while instead of being recomputed at each 30-second refresh;
#: they are per probe, not per reader (the probes shown are restricted first).
UPTIME_WINDOWS: tuple[tuple[str, dt.timedelta, int], ...] = (
    ("day", dt.timedelta(hours=24), 5 * 60),
    ("month", dt.timedelta(days=30), 30 * 60),
)


def _gate(request: HttpRequest, permission: str) -> None:
    """403 when the person holds ``permission`` in no unit."""
    if not user_can(request.user, permission):
        raise PermissionDenied


def _default_unit(user: Any, permission: str) -> Unit | None:
    """The person's highest unit in scope where they hold ``permission``: the root for a
    superuser or a centre-scoped reader, their province for a provincial IT officer."""
    visible = Unit.objects.restrict(user, "view").order_by("depth", "sort_order", "pk")
    where = allowed_units(user, permission)
    if where is not None and not isinstance(where, AllUnits):
        own = visible.filter(pk__in=where).first()
        if own is not None:
            return own
    return visible.first()


def _unit(request: HttpRequest, permission: str) -> Unit:
    """The unit of ``?don-vi=`` (404 when out of scope or not a number), or the default."""
    raw = request.GET.get(UNIT_PARAM, "").strip()
    if not raw:
        unit = _default_unit(request.user, permission)
        if unit is None:
            raise Http404
        return unit
    if not raw.isdigit():
        raise Http404
    return get_restricted_or_404(Unit.objects.all(), request.user, "view", pk=int(raw))


def _query(params: dict[str, Any]) -> str:
    """A query string of the non-empty ``params``."""
    return urlencode({key: value for key, value in params.items() if value not in ("", None)})


def _above(user: Any, unit: Unit) -> list[Unit]:
    """The visible units above ``unit``, from the root down (the breadcrumb)."""
    pks = [int(pk) for pk in unit.path.strip("/").split("/") if pk and int(pk) != unit.pk]
    return list(Unit.objects.restrict(user, "view").filter(pk__in=pks).order_by("depth"))


def _below(user: Any, unit: Unit) -> list[Unit]:
    """The visible units right under ``unit`` (the unit choice of the filter form)."""
    return list(
        Unit.objects.restrict(user, "view").filter(parent=unit).order_by("sort_order", "name")
    )


def _tabs(request: HttpRequest, unit: Unit) -> dict[str, Any]:
    """The links between the equipment and the probes pages, for the same unit."""
    query = _query({UNIT_PARAM: unit.pk})
    return {
        "assets_url": f"{reverse('infra-assets')}?{query}",
        "probes_url": f"{reverse('infra-probes')}?{query}",
        "may_assets": user_can(request.user, VIEW_ASSETS),
        "may_probes": user_can(request.user, VIEW_PROBES),
    }


def _page(rows: QuerySet[Any], request: HttpRequest) -> Page[Any]:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get(PAGE_PARAM))


@dataclass(frozen=True)
class AssetFilters:
    """What the equipment list is narrowed to (unknown values are ignored)."""

    kind: str
    status: str
    due: bool

    @classmethod
    def parse(cls, request: HttpRequest) -> AssetFilters:
        kind = request.GET.get(KIND_PARAM, "")
        status = request.GET.get(STATUS_PARAM, "")
        return cls(
            kind=kind if kind in AssetKind.values else "",
            status=status if status in AssetStatus.values else "",
            due=request.GET.get(DUE_PARAM, "") in ("1", "on"),
        )

    def params(self) -> dict[str, Any]:
        return {
            KIND_PARAM: self.kind,
            STATUS_PARAM: self.status,
            DUE_PARAM: "1" if self.due else "",
        }


def _asset_rows(user: Any, unit: Unit, filters: AssetFilters, today: dt.date) -> QuerySet[Asset]:
    """The equipment of ``unit``'s subtree that ``user`` may see, filtered."""
    rows = selectors.asset_list(user=user, unit=unit, kind=filters.kind, status=filters.status)
    if filters.due:
        due = selectors.assets_due(user=user, unit=unit, on=today)
        rows = rows.filter(pk__in=due.values("pk"))
    return rows.order_by("unit__path", "kind", "pk")


def _percent(share: float | None, decimals: int = 1) -> str | None:
    """A share (0-1) as the page writes it ("99,95 %" in Vietnamese); a share that is
    not all never rounds to 100 %, nor one above nothing to 0 %. None for no share."""
    if share is None:
        return None
    step = 10.0**-decimals
    percent = round(share * 100, decimals)
    if share < 1:
        percent = min(percent, 100 - step)
    if share > 0:
        percent = max(percent, step)
    if percent == int(percent):
        return f"{int(percent)} %"
    return f"{number_format(percent, decimal_pos=decimals)} %"


@login_required
@require_GET
def assets(request: HttpRequest) -> HttpResponse:
    """The equipment of a unit's subtree, filtered by kind, status and "due for
    replacement", 100 a page, with a summary of the subtree's equipment."""
    _gate(request, VIEW_ASSETS)
    user = request.user
    unit = _unit(request, VIEW_ASSETS)
    filters = AssetFilters.parse(request)
    today = timezone.localdate()
    page = _page(_asset_rows(user, unit, filters, today), request)
    rows = list(page.object_list)
    for asset in rows:
        asset.is_due = asset.due_for_replacement(today)
    query = _query({UNIT_PARAM: unit.pk, **filters.params()})
    figures = selectors.asset_figures(user=user, unit=unit, on=today)
    return render(
        request,
        "infra/assets.html",
        {
            "unit": unit,
            "above": [
                (item, _query({UNIT_PARAM: item.pk, **filters.params()}))
                for item in _above(user, unit)
            ],
            "below": _below(user, unit),
            "filters": filters,
            "kinds": AssetKind.choices,
            "statuses": AssetStatus.choices,
            "page": page,
            "rows": rows,
            "query": query,
            "figures": figures,
            "worn_out_percent": _percent(figures.worn_out_share),
            "export_url": f"{reverse('infra-assets-export')}?{_query({UNIT_PARAM: unit.pk})}",
            "may_import": user_can(user, ADD_ASSETS),
            **_tabs(request, unit),
        },
    )


@login_required
@require_GET
def assets_export(request: HttpRequest) -> HttpResponse:
    """The equipment of a unit's subtree as XLSX (the import's columns and "due for
    replacement"), as far as the person may see it."""
    _gate(request, VIEW_ASSETS)
    unit = _unit(request, VIEW_ASSETS)
    data = workbook.assets_export(user=request.user, unit=unit)
    response = HttpResponse(data, content_type=XLSX_TYPE)
    name = f"thiet-bi-{unit.pk}-{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class AssetImportForm(WorkbookUploadForm):
    """The inventory workbook to import (its rows are checked by the import service)."""

    file_label = gettext_lazy("Inventory workbook (.xlsx)")

    def max_bytes(self) -> int:
        return MAX_UPLOAD_BYTES


@login_required
@require_http_methods(["GET", "POST"])
def assets_import(request: HttpRequest) -> HttpResponse:
    """Import an inventory workbook, all rows or none: on a refusal, every row's
    problems are shown and nothing is written."""
    if not user_can(request.user, ADD_ASSETS):
        raise PermissionDenied
    form = AssetImportForm(request.POST or None, request.FILES or None)
    report: workbook.AssetImportReport | None = None
    if request.method == "POST" and form.is_valid():
        try:
            report = workbook.assets_import(
                actor=cast(User, request.user), data=form.cleaned_data["file"]
            )
        except ApplicationError as exc:
            form.add_error("file", str(exc.message))
        else:
            if report.ok:
                messages.success(
                    request,
                    ngettext("%(n)s asset imported.", "%(n)s assets imported.", report.created)
                    % {"n": report.created},
                )
                return redirect("infra-assets")
    return render(
        request,
        "infra/assets_import.html",
        {
            "form": form,
            "report": report,
            "errors": sorted(report.errors, key=lambda e: e.row) if report else [],
            "columns": [
                (name, key in workbook.REQUIRED) for key, name in workbook.HEADER_VI.items()
            ],
            "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
            "back_url": reverse("infra-assets"),
        },
    )


@dataclass(frozen=True)
class ProbeRow:
    """One probe as the page shows it."""

    probe: Probe
    state: str
    target: str
    day: str | None
    month: str | None


def _target(probe: Probe) -> str:
    """What the probe checks: the URL of an HTTP probe, else host (and port)."""
    if probe.kind == ProbeKind.HTTP:
        return probe.url
    return f"{probe.host}:{probe.port}" if probe.port else probe.host


def _state(probe: Probe) -> str:
    if probe.down_since is not None:
        return "down"
    if probe.last_checked_at is None:
        return "never"
    return "up"


def _probe_rows(user: Any, unit: Unit) -> QuerySet[Probe]:
    """The probes of ``unit``'s subtree that ``user`` may see: the enabled ones first,
    down (longest down first), never checked, then up."""
    rank = Case(
        When(down_since__isnull=False, then=Value(0)),
        When(last_checked_at__isnull=True, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Probe.objects.restrict(user, "view")
        .filter(unit__path__startswith=unit.path)
        .select_related("unit")
        .annotate(state_rank=rank)
        .order_by(
            F("enabled").desc(),
            "state_rank",
            F("down_since").asc(nulls_last=True),
            "unit__path",
            "name",
            "pk",
        )
    )


def _uptimes(visible: QuerySet[Probe], shown: list[Probe], now: dt.datetime) -> dict[str, Any]:
    """The uptime share of each probe of ``shown`` in each window, by
    ``"<window>:<probe pk>"`` (None when nothing was observed), from the cache or
    computed by ``probing.uptime`` for this probe alone."""
    shares: dict[str, Any] = {}
    for name, length, keep in UPTIME_WINDOWS:
        keys = {f"infra:uptime:{name}:{probe.pk}": probe for probe in shown}
        cached = cache.get_many(list(keys))
        fresh: dict[str, tuple[float | None]] = {}
        for key, probe in keys.items():
            if key in cached:
                (share,) = cached[key]
            else:
                one = visible.filter(pk=probe.pk)
                share = probing.uptime(probes=one, start=now - length, end=now).share
                fresh[key] = (share,)  # a tuple, so that "nothing observed" is kept too
            shares[f"{name}:{probe.pk}"] = share
        if fresh:
            cache.set_many(fresh, keep)
    return shares


def _probes_context(request: HttpRequest, unit: Unit) -> dict[str, Any]:
    """The counts and one page of probes, each with its uptime over the last 24 hours
    and 30 days (computed for the probes of this page only)."""
    rows = _probe_rows(request.user, unit)
    counts = rows.filter(enabled=True).aggregate(
        monitored=Count("pk"),
        down=Count("pk", filter=Q(down_since__isnull=False)),
        up=Count("pk", filter=Q(down_since__isnull=True, last_checked_at__isnull=False)),
    )
    page = _page(rows, request)
    now = timezone.now()
    probes_shown = list(page.object_list)
    shares = _uptimes(Probe.objects.restrict(request.user, "view"), probes_shown, now)
    shown = [
        ProbeRow(
            probe=probe,
            state=_state(probe),
            target=_target(probe),
            day=_percent(shares[f"day:{probe.pk}"], 2),
            month=_percent(shares[f"month:{probe.pk}"], 2),
        )
        for probe in probes_shown
    ]
    return {
        "unit": unit,
        "page": page,
        "rows": shown,
        "counts": counts,
        "never": counts["monitored"] - counts["up"] - counts["down"],
        "query": _query({UNIT_PARAM: unit.pk}),
        "self_url": request.get_full_path(),
        "refresh_seconds": REFRESH_SECONDS,
        "now": now,
    }


@login_required
@require_GET
def probes(request: HttpRequest) -> HttpResponse:
    """The probes of a unit's subtree and where each stands, 100 a page; the table
    refreshes itself with htmx every 30 seconds (an htmx request gets only the table)."""
    _gate(request, VIEW_PROBES)
    unit = _unit(request, VIEW_PROBES)
    context = _probes_context(request, unit)
    if getattr(request, "htmx", False):
        response = render(request, "infra/_probes.html", context)
    else:
        context.update(
            {
                "above": [
                    (item, _query({UNIT_PARAM: item.pk})) for item in _above(request.user, unit)
                ],
                "below": _below(request.user, unit),
                **_tabs(request, unit),
            }
        )
        response = render(request, "infra/probes.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response
