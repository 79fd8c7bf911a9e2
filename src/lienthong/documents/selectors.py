"""Reads of the documents app that reach a person (STYLE habit 3).

Every selector that takes ``user`` starts from ``restrict(user, action)`` (the unit
scope) and, for documents, keeps only what the person's clearance reaches: a classified
document is seen only by people whose clearance is at least its classification
(vn-rules.md §5.2). Selectors without ``user`` are for the system's own use and say so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.errors import NotFound
from lienthong.core.permissions import allowed_units
from lienthong.documents.choices import (
    Direction,
    DocumentState,
    HandlingState,
)
from lienthong.documents.models import (
    Assignment,
    Document,
    IntakeBatch,
    IntakeFile,
    Register,
)

__all__ = [
    "DigitisationRate",
    "HandlingOnTime",
    "assignment_get",
    "assignment_list",
    "assignments_to_remind",
    "digitisation_documents",
    "digitisation_rate",
    "document_get",
    "document_list",
    "handling_late_documents",
    "handling_on_time",
    "intake_batch_list",
    "intake_get",
    "intake_list",
    "overdue_for",
    "register_active",
    "register_get",
    "register_list",
]


def _clearance(user: Any) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return int(getattr(user, "clearance", 0) or 0)


def document_list(
    *, user: Any, action: str = "view", filters: dict[str, Any] | None = None
) -> QuerySet[Document]:
    """The documents ``user`` may ``action``: in their units' scope and within their
    clearance (vn-rules.md §5.2).

    Args:
        user: the person asking.
        action: ``view``, ``change``, ``approve``, ``issue``, ``register``…
        filters: optional ``direction``, ``state``, ``unit`` (id), ``document_type`` (id),
            ``year`` (number year), ``q`` (words in the subject or number).

    Returns:
        A queryset, newest first.
    """
    qs = Document.objects.restrict(user, action).filter(classification__lte=_clearance(user))
    filters = filters or {}
    for field in ("direction", "state", "convention"):
        if filters.get(field):
            qs = qs.filter(**{field: filters[field]})
    if filters.get("unit"):
        qs = qs.filter(unit_id=filters["unit"])
    if filters.get("document_type"):
        qs = qs.filter(document_type_id=filters["document_type"])
    if filters.get("year"):
        qs = qs.filter(number_year=filters["year"])
    query = str(filters.get("q") or "").strip()
    if query:
        qs = qs.filter(Q(subject__icontains=query) | Q(code_notation__icontains=query))
    return qs.select_related("unit", "document_type", "register")


def document_get(*, user: Any, pk: Any, action: str = "view") -> Document:
    """One document ``user`` may ``action``; missing and out of reach both are "not found".

    Raises:
        NotFound: no such document within the person's scope and clearance.
    """
    try:
        return document_list(user=user, action=action).get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("This document does not exist or is not yours to see.")) from exc


def register_list(*, user: Any, action: str = "view") -> QuerySet[Register]:
    """The registers ``user`` may ``action``."""
    return Register.objects.restrict(user, action).select_related("unit")


def register_get(*, user: Any, pk: Any, action: str = "view") -> Register:
    """One register ``user`` may ``action``.

    Raises:
        NotFound: missing or out of scope.
    """
    try:
        return register_list(user=user, action=action).get(pk=pk)
    except (Register.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("This register does not exist or is not yours to use.")) from exc


def register_active(*, unit: Any, direction: str) -> Register | None:
    """The unit's register in use for ``direction`` (system use: the unit was already
    resolved for the actor by the calling service)."""
    return (
        Register.objects.filter(unit=unit, direction=direction, is_active=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def assignment_list(*, user: Any, action: str = "view") -> QuerySet[Assignment]:
    """The assignments ``user`` may ``action`` (their documents' units), and their own."""
    in_scope = Assignment.objects.restrict(user, action)
    own = Assignment.objects.filter(assignee_id=getattr(user, "pk", None))
    qs = Assignment.objects.filter(Q(pk__in=in_scope.values("pk")) | Q(pk__in=own.values("pk")))
    return qs.filter(document__classification__lte=_clearance(user)).select_related(
        "document", "assignee", "assignee_unit"
    )


def assignment_get(*, user: Any, pk: Any, action: str = "change") -> Assignment:
    """One assignment ``user`` may ``action`` (or their own).

    Raises:
        NotFound: missing or out of reach.
    """
    try:
        return assignment_list(user=user, action=action).get(pk=pk)
    except (Assignment.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("This assignment does not exist or is not yours.")) from exc


def _late_assignments(day: dt.date) -> QuerySet[Assignment]:
    return Assignment.objects.filter(deadline__lt=day).exclude(state=HandlingState.DONE)


def overdue_for(*, user: Any, on: dt.date | None = None) -> QuerySet[Document]:
    """Incoming documents in ``user``'s reach that are past their deadline and not done:
    the document's due date, or the deadline of an open assignment (the leader's
    "overdue" page; issue #4 scope 4, "nothing stays unhandled silently").

    Args:
        user: the leader (or anyone) asking.
        on: the day to judge by (today by default).

    Returns:
        Documents, oldest deadline first.
    """
    day = on or timezone.localdate()
    late = _late_assignments(day).filter(document=OuterRef("pk"))
    return (
        document_list(user=user)
        .filter(direction=Direction.INCOMING)
        .exclude(state=DocumentState.DONE)
        .filter(Q(due_date__lt=day) | Exists(late))
        .order_by("due_date", "pk")
    )


def assignments_to_remind(
    *, on: dt.date | None = None, every: dt.timedelta | None = None
) -> QuerySet[Assignment]:
    """Open assignments past their deadline whose last reminder is older than ``every``.

    System use (the reminder task): not restricted to a person.
    """
    day = on or timezone.localdate()
    since = timezone.now() - (every or dt.timedelta(days=1))
    return (
        _late_assignments(day)
        .exclude(document__state=DocumentState.DONE)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=since))
        .select_related("document", "assignee", "assignee_unit")
    )


def intake_list(
    *, user: Any, state: str = "", batch: Any = None, action: str = "view"
) -> QuerySet[IntakeFile]:
    """The scanned files of the intake that ``user`` may ``action``, newest first.

    Args:
        user: the person asking.
        state: only this ``IntakeState``.
        batch: only this batch (id).
        action: ``view``, or ``change`` (read again).
    """
    qs = IntakeFile.objects.restrict(user, action)
    if state:
        qs = qs.filter(state=state)
    if batch:
        qs = qs.filter(batch_id=batch)
    return qs.select_related("batch", "unit", "document", "duplicate_of", "original")


def intake_get(*, user: Any, pk: Any, action: str = "view") -> IntakeFile:
    """One scanned file; missing and out of reach both are "not found".

    Raises:
        NotFound: no such file in the person's scope.
    """
    item = (
        intake_list(user=user, action=action).filter(pk=pk).first() if str(pk).isdigit() else None
    )
    if item is None:
        raise NotFound(_("This scan does not exist or you may not see it."))
    return item


def intake_batch_list(*, user: Any) -> QuerySet[IntakeBatch]:
    """The intake batches ``user`` may see, newest first."""
    return IntakeBatch.objects.restrict(user, "view").select_related("unit", "created_by")


@dataclass(frozen=True)
class DigitisationRate:
    """How much of a period's documents exist electronically ("tỷ lệ số hóa văn bản").

    ``electronic``: born electronic (outgoing: signed digitally in lienthong; incoming:
    received through the exchange); ``digitised``: on paper, with a digitised copy made by
    the intake; the rest exist only on paper.
    """

    direction: str
    total: int
    electronic: int
    digitised: int

    @property
    def paper_only(self) -> int:
        """Documents that exist only on paper."""
        return self.total - self.electronic - self.digitised

    @property
    def rate(self) -> float | None:
        """The share that exists electronically (0-1), None for a period with none."""
        if not self.total:
            return None
        return (self.electronic + self.digitised) / self.total


#: Who may count documents they cannot read (the steering committee's figures).
COUNT_PERMISSION = "documents.count_document"


def _countable(user: Any) -> QuerySet[Document]:
    """The documents ``user`` may count in a figure: where they hold
    ``documents.count_document`` (the IT steering committee, IT officers), else where they
    may read them; within their clearance either way (a classified document is not
    counted by someone not cleared for it). Lists of documents (the drill-downs) always
    go through ``restrict(user, "view")``."""
    if allowed_units(user, COUNT_PERMISSION) is not None:
        qs = Document.objects.restrict(user, "count")
    else:
        qs = Document.objects.restrict(user, "view")
    return qs.filter(classification__lte=_clearance(user))


def _period_documents(
    *,
    user: Any,
    unit: Any,
    start: dt.date,
    end: dt.date,
    direction: str,
    subtree: bool,
    count: bool = False,
) -> QuerySet[Document]:
    if count:
        qs = _countable(user)
    else:
        qs = Document.objects.restrict(user, "view").filter(classification__lte=_clearance(user))
    # The subtree is one prefix match on the materialised path (org.Unit.path).
    qs = qs.filter(unit__path__startswith=unit.path) if subtree else qs.filter(unit=unit)
    if direction == Direction.OUTGOING:
        return qs.filter(
            direction=Direction.OUTGOING,
            state=DocumentState.ISSUED,
            issued_date__gte=start,
            issued_date__lte=end,
        )
    if direction == Direction.INCOMING:
        first = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
        after = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
        return qs.filter(
            direction=Direction.INCOMING, arrival_date__gte=first, arrival_date__lt=after
        )
    raise ValueError(f"direction must be outgoing or incoming, not {direction!r}")


def _with_origin(qs: QuerySet[Document], direction: str) -> QuerySet[Document]:
    # The flags the services keep (Document.DERIVED_FIELDS): a signed file, a digitised
    # copy; an incoming document is electronic when it came through the exchange.
    electronic = "has_signed_file" if direction == Direction.OUTGOING else "received_electronically"
    return qs.annotate(is_electronic=F(electronic), is_digitised=F("has_digitised_file"))


def digitisation_rate(
    *,
    user: Any,
    unit: Any,
    start: dt.date,
    end: dt.date,
    direction: str,
    subtree: bool = True,
) -> DigitisationRate:
    """The digitisation rate of ``unit`` (and the units under it) for a period, counted
    from the data, for Reports (issue #7 scope 5).

    Outgoing documents count by their date once issued; incoming by their arrival date.
    Only what ``user`` may count counts: where they hold ``documents.count_document``
    (the steering committee), else what they may read; within their clearance.

    Args:
        user: the person asking (Reports passes the reader).
        unit: the unit.
        start: the first day of the period.
        end: the last day of the period.
        direction: ``outgoing`` or ``incoming``.
        subtree: count the units under ``unit`` too.
    """
    qs = _with_origin(
        _period_documents(
            user=user,
            unit=unit,
            start=start,
            end=end,
            direction=direction,
            subtree=subtree,
            count=True,
        ),
        direction,
    )
    # One pass over the period's documents, each counted once (the conditional counts
    # share the scan; three separate counts read a million documents three times).
    counts = qs.aggregate(
        total=Count("pk"),
        electronic=Count("pk", filter=Q(is_electronic=True)),
        digitised=Count("pk", filter=Q(is_electronic=False) & Q(is_digitised=True)),
    )
    return DigitisationRate(
        direction=direction,
        total=counts["total"],
        electronic=counts["electronic"],
        digitised=counts["digitised"],
    )


def digitisation_documents(
    *,
    user: Any,
    unit: Any,
    start: dt.date,
    end: dt.date,
    direction: str,
    which: str = "paper_only",
    subtree: bool = True,
) -> QuerySet[Document]:
    """The documents behind a figure of ``digitisation_rate`` (the drill-down):
    ``which`` is ``electronic``, ``digitised`` or ``paper_only``."""
    qs = _with_origin(
        _period_documents(
            user=user, unit=unit, start=start, end=end, direction=direction, subtree=subtree
        ),
        direction,
    )
    if which == "electronic":
        return qs.filter(Q(is_electronic=True))
    if which == "digitised":
        return qs.filter(Q(is_electronic=False) & Q(is_digitised=True))
    if which == "paper_only":
        return qs.filter(Q(is_electronic=False) & Q(is_digitised=False))
    raise ValueError(f"which must be electronic, digitised or paper_only, not {which!r}")


@dataclass(frozen=True)
class HandlingOnTime:
    """How many incoming documents whose handling deadline fell in a period were
    handled by it (NĐ 30 Điều 24: the deadline set when the document is presented)."""

    total: int
    on_time: int
    late: int

    @property
    def open(self) -> int:
        """Past their deadline and not handled yet."""
        return self.total - self.on_time - self.late


def _deadlines(
    *, user: Any, unit: Any, start: dt.date, end: dt.date, count: bool = False
) -> QuerySet[Document]:
    """Incoming documents of ``unit``'s subtree whose deadline fell in the period and has
    passed (a deadline of today is not missed yet), annotated with how they ended."""
    last = min(end, timezone.localdate() - dt.timedelta(days=1))
    readable = Document.objects.restrict(user, "view").filter(classification__lte=_clearance(user))
    return (
        (_countable(user) if count else readable)
        .filter(
            unit__path__startswith=unit.path,
            direction=Direction.INCOMING,
            due_date__gte=start,
            due_date__lte=last,
        )
        .annotate(
            # The day it was handled (Document.done_on, kept by the handling service).
            done_on_time=Q(done_on__isnull=False, done_on__lte=F("due_date")),
            done_at_all=Q(done_on__isnull=False),
        )
    )


def handling_on_time(*, user: Any, unit: Any, start: dt.date, end: dt.date) -> HandlingOnTime:
    """Incoming documents of ``unit``'s subtree whose handling deadline fell in the period
    (and has passed): how many were handled by their deadline, late, or not yet. Only
    what ``user`` may see counts."""
    counts = _deadlines(user=user, unit=unit, start=start, end=end, count=True).aggregate(
        total=Count("pk"),
        on_time=Count("pk", filter=Q(done_on_time=True)),
        late=Count("pk", filter=Q(done_on_time=False) & Q(done_at_all=True)),
    )
    return HandlingOnTime(total=counts["total"], on_time=counts["on_time"], late=counts["late"])


def handling_late_documents(
    *, user: Any, unit: Any, start: dt.date, end: dt.date
) -> QuerySet[Document]:
    """The documents behind ``handling_on_time`` that missed their deadline (handled
    late, or not yet), the oldest deadline first."""
    return (
        _deadlines(user=user, unit=unit, start=start, end=end)
        .filter(Q(done_on_time=False))
        .order_by("due_date", "pk")
    )
