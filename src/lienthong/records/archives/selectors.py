"""Reads of the archives app (issue #9 scope 4). Every selector that takes ``user``
starts from ``restrict(user, action)``; what is out of scope is "not found" (STYLE
habits 3 and 6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.errors import NotFound
from lienthong.records.archives.choices import FileState
from lienthong.records.archives.models import FileItem, FilePlan, Handover, RecordFile

__all__ = [
    "WARNING_DAYS",
    "file_get",
    "file_items",
    "file_list",
    "files_due",
    "handover_get",
    "handover_list",
    "plan_get",
    "plan_list",
]

#: The system warns this many days before a file is due to the agency archive (NĐ 30
#: Phụ lục VI Phần I.III, vn-rules.md §4.2).
WARNING_DAYS = 30


def plan_list(*, user: Any, action: str = "view", unit: Any = None) -> QuerySet[FilePlan]:
    """The file plans ``user`` may ``action``, of ``unit``'s subtree when given."""
    qs = FilePlan.objects.restrict(user, action)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.select_related("unit", "approved_by")


def plan_get(*, user: Any, pk: Any, action: str = "view") -> FilePlan:
    """One file plan; missing and out of reach are both "not found".

    Raises:
        NotFound: no such plan within the person's scope.
    """
    try:
        return plan_list(user=user, action=action).get(pk=pk)
    except (FilePlan.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("This file plan does not exist or you may not read it.")) from exc


def file_list(
    *,
    user: Any,
    action: str = "view",
    unit: Any = None,
    year: int | None = None,
    state: str = "",
    query: str = "",
) -> QuerySet[RecordFile]:
    """The record files ``user`` may ``action``, narrowed to ``unit``'s subtree, a year, a
    state and words of the code or title (diacritics optional)."""
    qs = RecordFile.objects.restrict(user, action)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if year:
        qs = qs.filter(year=year)
    if state:
        qs = qs.filter(state=state)
    words = " ".join(query.split())
    if words:
        qs = qs.filter(Q(code__icontains=words) | Q(title__icontains=words))
    return qs.select_related("unit", "entry")


def file_get(*, user: Any, pk: Any, action: str = "view") -> RecordFile:
    """One record file; missing and out of reach are both "not found".

    Raises:
        NotFound: no such file within the person's scope.
    """
    try:
        return file_list(user=user, action=action).get(pk=pk)
    except (RecordFile.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("This file does not exist or you may not read it.")) from exc


def file_items(*, user: Any, record_file: RecordFile) -> QuerySet[FileItem]:
    """The documents filed in ``record_file`` that ``user`` may see, in the file's order."""
    return (
        FileItem.objects.restrict(user, "view")
        .filter(record_file=record_file)
        .select_related("document", "document__document_type")
        .order_by("order", "pk")
    )


def files_due(
    *, user: Any, within_days: int = WARNING_DAYS, today: dt.date | None = None, unit: Any = None
) -> QuerySet[RecordFile]:
    """The files ``user`` may see whose handover to the agency archive is due within
    ``within_days`` days or already overdue (closed or kept back, not handed over; files
    kept less than five years are never due: vn-rules.md §4.2). Soonest first."""
    day = today or timezone.localdate()
    limit = day + dt.timedelta(days=within_days)
    return (
        file_list(user=user, unit=unit)
        .filter(
            state__in=[FileState.CLOSED, FileState.KEPT_BACK],
            handover__isnull=True,
            handover_due__isnull=False,
            handover_due__lte=limit,
        )
        .order_by("handover_due", "code", "pk")
    )


def handover_list(*, user: Any, action: str = "view") -> QuerySet[Handover]:
    """The handovers ``user`` may ``action``."""
    return Handover.objects.restrict(user, action).select_related("unit", "archive_unit")


def handover_get(*, user: Any, pk: Any, action: str = "view") -> Handover:
    """One handover; missing and out of reach are both "not found".

    Raises:
        NotFound: no such handover within the person's scope.
    """
    try:
        return handover_list(user=user, action=action).get(pk=pk)
    except (Handover.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("This handover does not exist or you may not read it.")) from exc
