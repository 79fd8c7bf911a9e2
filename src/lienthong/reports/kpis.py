"""The programme's key figures (issue #8 scope 5): each defined here, in code, with what
it counts; computed from the data, never typed in; each with the rows behind it.

A KPI is a function ``(user, unit, start, end) -> Figure`` registered in ``KPIS``. It
counts what ``user`` may see in the subtree of ``unit`` (the country for the steering
committee) over the period ``start``..``end`` (inclusive), through the apps' selectors
and restricted querysets. ``Figure.rows`` gives the rows behind the figure (which
communes are not connected, which documents were not signed): the drill-down.

Where a KPI needs a definition no text gives, it is a setting ([INFERRED]):
``REPORTS_CONNECTED_MEDIA``, the link media that count as "connected to the network"
(the Party's dedicated data network by default).
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from lienthong.documents.choices import Direction
from lienthong.documents.selectors import (
    digitisation_documents,
    digitisation_rate,
    handling_late_documents,
    handling_on_time,
)
from lienthong.infra.models import ItStaff, Link, Probe, TrainingClass, TrainingParticipant
from lienthong.infra.selectors import asset_figures, assets_due
from lienthong.org.choices import UnitKind, UnitLevel
from lienthong.org.models import Unit

__all__ = ["KPIS", "Figure", "Figures", "kpi", "kpis_cached", "kpis_compute"]


@dataclass
class Figure:
    """One KPI's value for a subtree and period.

    ``value`` is a share (0-1) when ``denominator`` is given, else a count; ``parts``
    breaks a figure down (per province, per medium); ``rows`` returns the rows behind the
    figure that a reader drills down to.
    """

    key: str
    label: str
    numerator: int
    denominator: int | None = None
    parts: list[tuple[str, int, int | None]] = field(default_factory=list)
    rows: Callable[[], QuerySet[Any]] | None = None

    @property
    def value(self) -> float | int | None:
        """The share (None when nothing is counted), or the count."""
        if self.denominator is None:
            return self.numerator
        return self.numerator / self.denominator if self.denominator else None


Kpi = Callable[..., Figure]
KPIS: dict[str, Kpi] = {}


def kpi(key: str) -> Callable[[Kpi], Kpi]:
    """Register a KPI under ``key`` (its docstring says what it counts)."""

    def register(function: Kpi) -> Kpi:
        KPIS[key] = function
        return function

    return register


#: Within one ``kpis_compute``, what two KPIs share (the communes connected, a
#: direction's digitisation rate) is computed once.
_MEMO: contextvars.ContextVar[dict[Any, Any] | None] = contextvars.ContextVar(
    "reports_kpi_memo", default=None
)


def _memo(key: Any, compute: Callable[[], Any]) -> Any:
    memo = _MEMO.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _units(user: Any, unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.restrict(user, "view").filter(path__startswith=unit.path)


def _communes(user: Any, unit: Unit) -> QuerySet[Unit]:
    return _units(user, unit).filter(kind=UnitKind.COMMUNE_COMMITTEE)


def _connected_media() -> tuple[str, ...]:
    return tuple(getattr(settings, "REPORTS_CONNECTED_MEDIA", ("dedicated",)))


def _connected(qs: QuerySet[Unit], end: dt.date) -> QuerySet[Unit]:
    links = Link.objects.filter(unit=OuterRef("pk"), medium__in=_connected_media()).filter(
        Q(since__isnull=True) | Q(since__lte=end)
    )
    return qs.annotate(is_connected=Exists(links))


def _commune_parts(user: Any, unit: Unit, end: dt.date) -> list[tuple[str, int, int | None]]:
    """Per province of the subtree: its communes connected by ``end`` and all its
    communes (two queries, grouped here by the provinces' path prefixes)."""
    fields = ("path", "is_connected")  # the annotation, out of the type checker's sight
    communes = _connected(_communes(user, unit), end).values_list(*fields)
    provinces = (
        _units(user, unit)
        .filter(level=UnitLevel.PROVINCE, kind=UnitKind.COMMITTEE)
        .order_by("name")
        .values_list("path", "name")
    )
    counts: dict[str, list[int]] = {path: [0, 0] for path, _name in provinces}
    for path, is_connected in communes:
        # A commune's province is its highest ancestor that is a province.
        parts = path.strip("/").split("/")
        for depth in range(1, len(parts)):
            prefix = "/" + "/".join(parts[:depth]) + "/"
            if prefix in counts:
                counts[prefix][1] += 1
                counts[prefix][0] += 1 if is_connected else 0
                break
    return [(name, counts[path][0], counts[path][1]) for path, name in provinces if counts[path][1]]


@kpi("communes_connected")
def communes_connected(*, user: Any, unit: Unit, start: dt.date, end: dt.date) -> Figure:
    """Commune and ward committees connected to the network by the period's end (a link
    on one of ``REPORTS_CONNECTED_MEDIA``), over all commune committees of the subtree;
    broken down by province. Drill-down: the communes not connected."""
    communes = _connected(_communes(user, unit), end)

    def count() -> tuple[int, int, list[tuple[str, int, int | None]]]:
        totals = communes.aggregate(
            connected=Count("pk", filter=Q(is_connected=True)), total=Count("pk")
        )
        return totals["connected"], totals["total"], _commune_parts(user, unit, end)

    connected, total, parts = _memo(("communes", unit.pk, end), count)
    return Figure(
        key="communes_connected",
        label=str(_("Commune committees connected")),
        numerator=connected,
        denominator=total,
        parts=parts,
        rows=lambda: communes.filter(Q(is_connected=False)).order_by("path"),
    )


@kpi("provinces_fully_connected")
def provinces_fully_connected(*, user: Any, unit: Unit, start: dt.date, end: dt.date) -> Figure:
    """Provincial committees all of whose commune committees are connected (100 %),
    over the provinces of the subtree that have communes. Drill-down: the provinces
    not yet at 100 %."""
    figure = communes_connected(user=user, unit=unit, start=start, end=end)
    full = [name for name, done, total in figure.parts if total and done == total]
    names = [name for name, _done, _total in figure.parts]
    provinces = _units(user, unit).filter(level=UnitLevel.PROVINCE, kind=UnitKind.COMMITTEE)
    return Figure(
        key="provinces_fully_connected",
        label=str(_("Provinces with every commune connected")),
        numerator=len(full),
        denominator=len(names),
        parts=[(name, 1 if name in full else 0, 1) for name in names],
        rows=lambda: provinces.filter(name__in=[n for n in names if n not in full]),
    )


@kpi("units_per_medium")
def units_per_medium(*, user: Any, unit: Unit, start: dt.date, end: dt.date) -> Figure:
    """Units of the subtree with a link on each medium by the period's end (a unit with
    two media counts under each); the figure is the number of units with any link.
    Drill-down: the units with no link."""
    from lienthong.infra.choices import LinkMedium

    units = _units(user, unit)
    links = Link.objects.restrict(user, "view").filter(
        Q(since__isnull=True) | Q(since__lte=end), unit__in=units.values("pk")
    )
    parts: list[tuple[str, int, int | None]] = [
        (str(label), links.filter(medium=value).values("unit").distinct().count(), None)
        for value, label in LinkMedium.choices
    ]
    linked = links.values("unit").distinct()
    return Figure(
        key="units_per_medium",
        label=str(_("Units with a network link")),
        numerator=linked.count(),
        parts=parts,
        rows=lambda: units.exclude(pk__in=linked).order_by("path"),
    )


@kpi("assets_worn_out")
def assets_worn_out(*, user: Any, unit: Unit, start: dt.date, end: dt.date) -> Figure:
    """Equipment in service that is worn out on the period's end (due for replacement
    by age, degraded or broken), over all equipment in service (quantities summed).
    Drill-down: the equipment due for replacement."""
    figures = asset_figures(user=user, unit=unit, on=end)
    return Figure(
        key="assets_worn_out",
        label=str(_("Worn-out equipment")),
        numerator=figures.worn_out,
        denominator=figures.in_service,
        parts=[
            (str(_("due for replacement")), figures.due, None),
            (str(_("degraded")), figures.degraded, None),
            (str(_("broken")), figures.broken, None),
        ],
        rows=lambda: assets_due(user=user, unit=unit, on=end),
    )


@kpi("training_participants")
def training_participants(*, user: Any, unit: Unit, start: dt.date, end: dt.date) -> Figure:
    """People who completed a training class that ended in the period, the classes
    organised by units of the subtree. Drill-down: those classes."""
    classes = TrainingClass.objects.restrict(user, "view").filter(
        unit__path__startswith=unit.path, ends_on__gte=start, ends_on__lte=end
    )
    people = TrainingParticipant.objects.filter(training__in=classes)
    return Figure(
        key="training_participants",
        label=str(_("Training participants")),
        numerator=people.filter(completed=True).count(),
        parts=[
            (str(_("classes")), classes.count(), None),
            (str(_("did not complete")), people.filter(completed=False).count(), None),
        ],
        rows=lambda: classes.order_by("-ends_on"),
    )


@kpi("it_staff")
def it_staff(*, user: Any, unit: Unit, start: dt.date, end: dt.date) -> Figure:
    """People with IT skills in the subtree's units (the IT staff in service by the
    period's end): the figure is how many; the parts say how many are dedicated and how
    many hold an IT degree. Drill-down: the units of the subtree with no IT staff."""
    from lienthong.infra.choices import Qualification

    staff = ItStaff.objects.restrict(user, "view").filter(
        Q(since__isnull=True) | Q(since__lte=end), unit__path__startswith=unit.path
    )
    with_staff = staff.values("unit")
    return Figure(
        key="it_staff",
        label=str(_("People with IT skills")),
        numerator=staff.count(),
        parts=[
            (str(_("dedicated")), staff.filter(dedicated=True).count(), None),
            (
                str(_("with an IT degree")),
                staff.exclude(qualification=Qualification.NONE).count(),
                None,
            ),
        ],
        rows=lambda: _units(user, unit).exclude(pk__in=with_staff).order_by("path"),
    )


@kpi("units_reachable")
def units_reachable(*, user: Any, unit: Unit, start: dt.date, end: dt.date) -> Figure:
    """Monitored units of the subtree reachable now (every enabled probe of the unit
    answered its last check), over the units with an enabled probe; the parts say how
    many are down long enough to have raised an alert and how many were never checked.
    The state is the live one, whatever the period. Drill-down: the units down now."""
    probes = Probe.objects.restrict(user, "view").filter(
        enabled=True, unit__path__startswith=unit.path
    )
    counts = probes.aggregate(
        monitored=Count("unit", distinct=True),
        down=Count("unit", distinct=True, filter=Q(down_since__isnull=False)),
        alerted=Count("unit", distinct=True, filter=Q(alerted_at__isnull=False)),
        unchecked=Count("unit", distinct=True, filter=Q(last_checked_at__isnull=True)),
    )
    down = probes.filter(down_since__isnull=False).values("unit")
    return Figure(
        key="units_reachable",
        label=str(_("Monitored units reachable now")),
        numerator=counts["monitored"] - counts["down"],
        denominator=counts["monitored"],
        parts=[
            (str(_("unreachable now")), counts["down"], None),
            (str(_("unreachable past the alert threshold")), counts["alerted"], None),
            (str(_("not checked yet")), counts["unchecked"], None),
        ],
        rows=lambda: _units(user, unit).filter(pk__in=down).order_by("path"),
    )


@kpi("incoming_on_time")
def incoming_on_time(*, user: Any, unit: Unit, start: dt.date, end: dt.date) -> Figure:
    """Incoming documents whose handling deadline fell in the period (and has passed)
    that were handled by it, over all of them; the parts say how many were handled late
    and how many are still open. Drill-down: those that missed their deadline."""
    counts = handling_on_time(user=user, unit=unit, start=start, end=end)
    return Figure(
        key="incoming_on_time",
        label=str(_("Incoming documents handled on time")),
        numerator=counts.on_time,
        denominator=counts.total,
        parts=[
            (str(_("handled on time")), counts.on_time, None),
            (str(_("handled late")), counts.late, None),
            (str(_("past the deadline, not handled")), counts.open, None),
        ],
        rows=lambda: handling_late_documents(user=user, unit=unit, start=start, end=end),
    )


def _documents(direction: str, key: str, label: Any, which: str) -> Kpi:
    def compute(*, user: Any, unit: Unit, start: dt.date, end: dt.date) -> Figure:
        rate = _memo(
            ("digitisation", unit.pk, start, end, direction),
            lambda: digitisation_rate(
                user=user, unit=unit, start=start, end=end, direction=direction
            ),
        )
        numerator = {
            "electronic": rate.electronic,
            "any": rate.electronic + rate.digitised,
        }[which]
        return Figure(
            key=key,
            label=str(label),
            numerator=numerator,
            denominator=rate.total,
            parts=[
                (str(_("electronic original")), rate.electronic, None),
                (str(_("digitised copy")), rate.digitised, None),
                (str(_("paper only")), rate.paper_only, None),
            ],
            rows=lambda: digitisation_documents(
                user=user, unit=unit, start=start, end=end, direction=direction
            ),
        )

    return compute


KPIS["outgoing_signed"] = _documents(
    Direction.OUTGOING, "outgoing_signed", _("Outgoing documents signed digitally"), "electronic"
)
KPIS["outgoing_signed"].__doc__ = """Outgoing documents issued in the period with a digital
signature (signed in lienthong), over all issued. Drill-down: those only on paper."""
KPIS["outgoing_electronic_or_digitised"] = _documents(
    Direction.OUTGOING,
    "outgoing_electronic_or_digitised",
    _("Outgoing documents existing electronically"),
    "any",
)
KPIS["outgoing_electronic_or_digitised"].__doc__ = """Outgoing documents issued in the
period that exist electronically (signed, or digitised from paper), over all issued:
the digitisation rate of outgoing documents. Drill-down: those only on paper."""
KPIS["incoming_electronic_or_digitised"] = _documents(
    Direction.INCOMING,
    "incoming_electronic_or_digitised",
    _("Incoming documents existing electronically"),
    "any",
)
KPIS["incoming_electronic_or_digitised"].__doc__ = """Incoming documents arrived in the
period that exist electronically (received through the exchange, or digitised), over
all arrived: the digitisation rate of incoming documents. Drill-down: those only on
paper."""


def kpis_compute(
    *, user: Any, unit: Unit, start: dt.date, end: dt.date, keys: list[str] | None = None
) -> list[Figure]:
    """The KPIs ``keys`` (all, in their order) for ``unit``'s subtree and the period."""
    token = _MEMO.set({})
    try:
        return [KPIS[key](user=user, unit=unit, start=start, end=end) for key in (keys or KPIS)]
    finally:
        _MEMO.reset(token)


@dataclass(frozen=True)
class Figures:
    """The figures of a dashboard and when they were computed."""

    figures: list[Figure]
    computed_at: dt.datetime
    cached: bool


def _cache_key(user: Any, unit: Unit, start: dt.date, end: dt.date) -> str:
    # Per reader (their scope and clearance decide every count) and language (the
    # labels are translated when computed).
    language = translation.get_language() or settings.LANGUAGE_CODE
    return f"reports:kpis:v1:{user.pk}:{unit.pk}:{start}:{end}:{language}"


def kpis_cached(
    *, user: Any, unit: Unit, start: dt.date, end: dt.date, fresh: bool = False
) -> Figures:
    """Every KPI for a dashboard, kept ``REPORTS_CACHE_SECONDS`` per reader, unit,
    period and language, so that a page, its XLSX and its PDF show the same numbers and
    a reload does not count a million documents again. ``fresh`` recomputes (the page's
    "compute again"). The figures come without their rows: a drill-down computes its own
    (``kpis_compute``)."""
    seconds = int(getattr(settings, "REPORTS_CACHE_SECONDS", 300))
    key = _cache_key(user, unit, start, end)
    if seconds > 0 and not fresh:
        kept = cache.get(key)
        if kept is not None:
            figures = [Figure(**values) for values in kept["figures"]]
            return Figures(figures=figures, computed_at=kept["at"], cached=True)
    figures = kpis_compute(user=user, unit=unit, start=start, end=end)
    now = timezone.now()
    if seconds > 0:
        values = [
            {
                "key": f.key,
                "label": f.label,
                "numerator": f.numerator,
                "denominator": f.denominator,
                "parts": f.parts,
            }
            for f in figures
        ]
        cache.set(key, {"figures": values, "at": now}, seconds)
    return Figures(figures=figures, computed_at=now, cached=False)
