"""Reads of the party-member records (issue #9 scope 1). Every one starts from
``restrict(user, "view")`` (out of scope is "not found", STYLE habit 6), and every read of
records is in the audit log: ``member.read`` for one record, ``member.list`` for a page of
the list (the unit, the filters and how many were shown; never the records' contents)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lienthong.audit.services import record
from lienthong.core.errors import NotFound
from lienthong.core.text import fold
from lienthong.records.models import Member

__all__ = ["member_get", "member_list", "member_list_read"]


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
