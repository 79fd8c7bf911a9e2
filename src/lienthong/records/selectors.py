"""Reads of the party-member records (issue #9 scope 1). Every one starts from
``restrict(user, "view")`` (out of scope is "not found", STYLE habit 6), and every read of
records is in the audit log: ``member.read`` for one record, ``member.list`` for a page of
the list (the unit, the filters and how many were shown; never the records' contents)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import record
from lienthong.core.errors import NotFound
from lienthong.core.text import fold
from lienthong.records.models import Member

__all__ = [
    "AGE_BANDS",
    "DeferredRows",
    "MemberStatistics",
    "member_get",
    "member_list",
    "member_list_read",
    "member_statistics",
    "rows_after",
]


def member_get(*, user: Any, pk: int) -> Member:
    """One member's record, the read audited.

    Raises:
        NotFound: no such record, or outside the reader's scope.
    """
    member = Member.objects.restrict(user, "view").select_related("unit").filter(pk=pk).first()
    if member is None:
        raise NotFound(_("This record does not exist or you may not read it."))
    record(actor=user, verb="member.read", target=member)
    return member


def member_list(
    *, user: Any, unit: Any, state: str = "", name: str = "", admitted_year: int | None = None
) -> QuerySet[Member]:
    """The records of ``unit``'s subtree the reader may see, filtered: a state, a name
    (diacritics optional, any part), the year of admission. Not audited by itself: the
    page that shows rows calls ``member_list_read``."""
    qs = Member.objects.restrict(user, "view").filter(unit__path__startswith=unit.path)
    if state:
        qs = qs.filter(state=state)
    if name:
        qs = qs.filter(full_name_folded__contains=fold(name))
    if admitted_year:
        qs = qs.filter(admitted_on__year=admitted_year)
    return qs.select_related("unit")


def member_list_read(*, user: Any, unit: Any, filters: dict[str, Any], shown: int) -> None:
    """Record that ``user`` read a page of the member list of ``unit``."""
    record(
        actor=user,
        verb="member.list",
        target=unit,
        data={"filters": {k: v for k, v in filters.items() if v}, "shown": shown},
    )


@dataclass(frozen=True)
class MemberStatistics:
    """The members of a subtree on a day, counted as the organisation department reports
    them (issue #9 scope 3): each breakdown is a list of (label, count), in order."""

    on: dt.date
    total: int
    by_gender: list[tuple[str, int]]
    by_age: list[tuple[str, int]]
    by_ethnicity: list[tuple[str, int]]
    by_admission_decade: list[tuple[str, int]]
    by_theory: list[tuple[str, int]]
    probationary: int


#: The age bands of the statistics (the upper bound of each, inclusive; None: above).
AGE_BANDS: tuple[tuple[str, int | None], ...] = (
    ("≤ 30", 30),
    ("31-40", 40),
    ("41-50", 50),
    ("51-60", 60),
    ("61-70", 70),
    ("> 70", None),
)


def _born_after(on: dt.date, years: int) -> dt.date:
    """The earliest birthday of someone at most ``years`` old on ``on``."""
    try:
        day = on.replace(year=on.year - years - 1)
    except ValueError:  # 29 February
        day = on.replace(year=on.year - years - 1, day=28)
    return day + dt.timedelta(days=1)


def member_statistics(*, user: Any, unit: Any, on: dt.date | None = None) -> MemberStatistics:
    """The members of ``unit``'s subtree the reader may see who were members on ``on``
    (admitted by then, and not transferred out, deceased or gone before it), counted by
    gender, age, ethnicity, decade of admission and political theory; and how many were
    still probationary (not yet made official). A handful of grouped queries, whatever
    the number of members."""
    from django.db.models import Count, Q
    from django.db.models.functions import ExtractYear

    from lienthong.records.choices import Gender, TheoryLevel

    day = on or timezone.localdate()
    members = (
        Member.objects.restrict(user, "view")
        .filter(unit__path__startswith=unit.path, admitted_on__lte=day)
        .exclude(transferred_out_on__lte=day)
        .exclude(died_on__lte=day)
        .exclude(left_on__lte=day)
    )
    total = members.count()
    genders = dict(members.values_list("gender").annotate(n=Count("pk")).values_list("gender", "n"))
    ages = []
    previous: dt.date | None = None
    for label, upper in AGE_BANDS:
        condition = Q()
        if upper is not None:
            condition &= Q(born_on__gte=_born_after(day, upper))
        if previous is not None:
            condition &= Q(born_on__lt=previous)
        ages.append((label, members.filter(condition).count()))
        if upper is not None:
            previous = _born_after(day, upper)
    ethnicities = list(
        members.values("ethnicity")
        .annotate(n=Count("pk"))
        .order_by("-n", "ethnicity")
        .values_list("ethnicity", "n")
    )
    decades: dict[int, int] = {}
    years = members.annotate(year=ExtractYear("admitted_on")).values("year").annotate(n=Count("pk"))
    for row in years.values_list("year", "n"):
        decades[row[0] // 10 * 10] = decades.get(row[0] // 10 * 10, 0) + row[1]
    theory = dict(members.values_list("theory").annotate(n=Count("pk")).values_list("theory", "n"))
    return MemberStatistics(
        on=day,
        total=total,
        by_gender=[(str(label), genders.get(value, 0)) for value, label in Gender.choices],
        by_age=ages,
        by_ethnicity=[(name or "—", n) for name, n in ethnicities],
        by_admission_decade=[
            (f"{decade}-{decade + 9}", n) for decade, n in sorted(decades.items())
        ],
        by_theory=[(str(label), theory.get(value, 0)) for value, label in TheoryLevel.choices],
        probationary=members.filter(Q(official_on__isnull=True) | Q(official_on__gt=day)).count(),
    )


def rows_after(
    queryset: QuerySet[Member], *, after: int | None = None, before: int | None = None, size: int
) -> list[Member] | None:
    """The ``size`` rows that follow record ``after`` (or precede record ``before``) in the
    list's order (folded name, id): keyset paging, so that "next" on page 2,000 costs what
    the first page costs instead of walking 100,000 rows (docs/benchmarks.md). The
    cursor is a record's id only (no name in the address); it must belong to the
    ``queryset`` (the reader's scope and filters), else None: the caller pages by number.
    """
    cursor = after if after is not None else before
    if cursor is None:
        return None
    found = queryset.filter(pk=cursor).values_list("full_name_folded", flat=True).first()
    if found is None:
        return None
    if after is not None:
        page = queryset.filter(
            Q(full_name_folded__gt=found) | Q(full_name_folded=found, pk__gt=cursor)
        ).order_by("full_name_folded", "pk")
    else:
        page = queryset.filter(
            Q(full_name_folded__lt=found) | Q(full_name_folded=found, pk__lt=cursor)
        ).order_by("-full_name_folded", "-pk")
    ids = list(page.values_list("pk", flat=True)[:size])
    if before is not None:
        ids.reverse()
    rows = Member.objects.select_related("unit").in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


class DeferredRows(Sequence[Member]):
    """A member queryset for a paginator, fetched as a deferred join: a page first takes
    the narrow (name, id) pairs in order, then reads only its own rows. On 200,000
    members the first page takes a third of the time and page 2,000 a fifth
    (docs/benchmarks.md); the result is the same rows in the same order."""

    def __init__(self, queryset: QuerySet[Member]) -> None:
        self.queryset = queryset

    def count(self) -> int:  # type: ignore[override]  # the paginator's count
        """How many rows (one COUNT)."""
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> Member: ...

    @overload
    def __getitem__(self, index: slice) -> list[Member]: ...

    def __getitem__(self, index: int | slice) -> Member | list[Member]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        ids = list(self.queryset.values_list("pk", flat=True)[index])
        rows = Member.objects.select_related("unit").in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]
