"""Writes of the archives app (issue #9 scope 4): one keyword-only function per use case,
each in a transaction, checked with ``full_clean()`` and audited (STYLE habits 2, 11).

The rules applied (NĐ 30/2020/NĐ-CP Điều 28-31, vn-rules.md §4):

- a file plan is changed only while it is a draft; once the head approves it, it is
  frozen (Điều 28, §4.1); codes are unique within a plan and numbered within each big
  heading ("01.TCCB", §4.1 "Số, ký hiệu hồ sơ");
- a file opened outside the plan still carries its title, code, retention, keeper and
  start date (§4.2 "Open a hồ sơ");
- documents are filed and taken out only while the file is open; the same document may
  be in several files without being copied (Phụ lục VI Phần I.III);
- closing (§4.2 "Close a hồ sơ"): the documents are put in time order, the sheets of a
  file kept five years or more are numbered, a permanent file gets its document index
  (mục lục văn bản), every file gets its closing note, the end date is the date of the
  latest document, and the handover is due a year after it (three months for a
  construction file);
- a closed file may be kept back for at most two years past its due date, with a reason
  and the approving document (§4.2 "Keeping back");
- only closed files kept five years or more, not handed over yet, go to the agency
  archive, with the catalogue and the handover minutes (§4.2 "Hand over").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.core.permissions import holds_in
from lienthong.documents.models import Document
from lienthong.org.models import Unit
from lienthong.records.archives.choices import FileState, HandoverState, PlanState, RetentionKind
from lienthong.records.archives.models import (
    FileItem,
    FilePlan,
    FilePlanEntry,
    FilePlanHeading,
    Handover,
    RecordFile,
    add_months,
)
from lienthong.records.archives.words import in_words

__all__ = [
    "KEEP_BACK_MAX_MONTHS",
    "MAX_RETENTION_YEARS",
    "document_date",
    "file_close",
    "file_document_add",
    "file_document_remove",
    "file_keep_back",
    "file_open",
    "handover_create",
    "handover_receive",
    "index_rows",
    "plan_approve",
    "plan_create",
    "plan_entry_add",
    "plan_heading_add",
]

#: A file due for handover may be kept back for at most two years (NĐ 30 Điều 30.3,
#: vn-rules.md §4.2).
KEEP_BACK_MAX_MONTHS = 24
#: The longest retention in years a plan takes (longer is "permanent").
MAX_RETENTION_YEARS = 100


def _user_or_none(actor: Actor) -> Any:
    """The actor when it is a person (for ``added_by``-style columns), else None."""
    from lienthong.org.models import User

    return actor if isinstance(actor, User) else None


def _person(user: Any) -> str:
    return str(getattr(user, "full_name", "") or user.get_username())


def _clean(obj: Any, **kwargs: Any) -> None:
    """``full_clean()`` with the model's messages as one ``InvalidInput``."""
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        problems = {key: " ".join(str(m) for m in msgs) for key, msgs in exc.message_dict.items()}
        raise InvalidInput("; ".join(problems.values()), extra={"fields": problems}) from exc


def _retention(kind: str, years: int | None) -> int | None:
    """Check a retention (vn-rules.md §4.3) and return the years to store."""
    if kind == RetentionKind.PERMANENT:
        return None
    if kind != RetentionKind.YEARS:
        raise InvalidInput(_("The retention is permanent or a number of years."))
    if years is None or not 1 <= int(years) <= MAX_RETENTION_YEARS:
        raise InvalidInput(
            _("Give the retention in years, between 1 and %(max)d.") % {"max": MAX_RETENTION_YEARS}
        )
    return int(years)


# --- File plans ------------------------------------------------------------------------


def plan_create(*, actor: Actor, unit: Unit, year: int) -> FilePlan:
    """Start the draft file plan of ``unit`` for ``year``.

    Raises:
        NotFound: the actor may not keep file plans in ``unit``.
        InvalidInput: the unit already has a plan for that year, or the year is absurd.
    """
    if not holds_in(actor, unit, "archives.add_fileplan"):  # type: ignore[arg-type]
        raise NotFound(_("This unit does not exist or you may not do this there."))
    if not 1900 <= int(year) <= 2200:
        raise InvalidInput(_("The year is not valid."))
    plan = FilePlan(unit=unit, year=int(year))
    _clean(plan)
    with transaction.atomic():
        plan.save()
        record(actor=actor, verb="fileplan.create", target=plan, data={"year": plan.year})
    return plan


def _plan_to_change(actor: Actor, plan: FilePlan) -> FilePlan:
    """The plan, locked, if the actor may change it and it is still a draft."""
    locked = (
        FilePlan.objects.restrict(actor, "change")  # type: ignore[arg-type]
        .select_for_update()
        .filter(pk=plan.pk)
        .first()
    )
    if locked is None:
        raise NotFound(_("This file plan does not exist or you may not change it."))
    if locked.is_frozen:
        raise InvalidInput(_("The file plan is approved: it can no longer be changed."))
    return locked


def plan_heading_add(
    *,
    actor: Actor,
    plan: FilePlan,
    title: str,
    abbreviation: str = "",
    parent: FilePlanHeading | None = None,
) -> FilePlanHeading:
    """Add a big heading (Roman numeral, with its abbreviation, "TCCB") or, under
    ``parent``, a sub-heading (Arabic numeral) to a draft plan (Phụ lục V, §4.1).

    Raises:
        NotFound: the plan is out of the actor's reach.
        InvalidInput: the plan is approved, the title or abbreviation is missing, or the
            parent is not a big heading of this plan.
    """
    title = " ".join(title.split())
    abbreviation = abbreviation.strip().upper()
    with transaction.atomic():
        locked = _plan_to_change(actor, plan)
        if not title:
            raise InvalidInput(_("The heading needs a title."))
        if parent is not None:
            if parent.plan_id != locked.pk or parent.parent_id is not None:
                raise InvalidInput(_("A sub-heading goes under a big heading of the same plan."))
            abbreviation = ""
        elif not abbreviation:
            raise InvalidInput(_("A big heading needs its abbreviation (e.g. TCCB)."))
        elif locked.headings.filter(parent=None, abbreviation=abbreviation).exists():
            raise InvalidInput(_("Another big heading of the plan has this abbreviation."))
        siblings = locked.headings.filter(parent=parent)
        order = (siblings.aggregate(n=Max("order"))["n"] or 0) + 1
        heading = FilePlanHeading(
            plan=locked, parent=parent, order=order, abbreviation=abbreviation, title=title
        )
        _clean(heading)
        heading.save()
        record(
            actor=actor,
            verb="fileplan.heading_add",
            target=locked,
            data={"heading": heading.number, "title": title},
        )
    return heading


def _big_heading(heading: FilePlanHeading) -> FilePlanHeading:
    return heading.parent if heading.parent is not None else heading


def next_code(plan: FilePlan, heading: FilePlanHeading) -> str:
    """The next code under ``heading``'s big heading: numbers run from 01 within each big
    heading, followed by its abbreviation ("03.TCCB"; Phụ lục V, §4.1)."""
    big = _big_heading(heading)
    used = FilePlanEntry.objects.filter(plan=plan, heading__in=[big, *big.children.all()]).count()
    number = used + 1
    codes = set(plan.entries.values_list("code", flat=True))
    while f"{number:02d}.{big.abbreviation}" in codes:
        number += 1
    return f"{number:02d}.{big.abbreviation}"


def plan_entry_add(
    *,
    actor: Actor,
    plan: FilePlan,
    heading: FilePlanHeading,
    title: str,
    retention_kind: str,
    retention_years: int | None = None,
    retention_basis: str = "",
    code: str = "",
    keeper: Any = None,
    keeper_name: str = "",
    note: str = "",
) -> FilePlanEntry:
    """Add a file to a draft plan under ``heading``; without ``code`` the next number of
    the big heading is taken ("01.TCCB").

    Raises:
        NotFound: the plan is out of the actor's reach.
        InvalidInput: the plan is approved, the code is taken, the retention is wrong…
    """
    title = " ".join(title.split())
    years = _retention(retention_kind, retention_years)
    with transaction.atomic():
        locked = _plan_to_change(actor, plan)
        if heading.plan_id != locked.pk:
            raise InvalidInput(_("The heading is not one of this plan."))
        if not title:
            raise InvalidInput(_("The file needs a title."))
        code = code.strip().upper() or next_code(locked, heading)
        if locked.entries.filter(code=code).exists():
            raise InvalidInput(_("This code is already used in the file plan."))
        order = (locked.entries.aggregate(n=Max("order"))["n"] or 0) + 1
        entry = FilePlanEntry(
            plan=locked,
            heading=heading,
            code=code,
            title=title,
            retention_kind=retention_kind,
            retention_years=years,
            retention_basis=retention_basis.strip(),
            keeper=keeper,
            keeper_name=(keeper_name.strip() or (_person(keeper) if keeper else "")),
            note=note.strip(),
            order=order,
        )
        _clean(entry)
        entry.save()
        record(
            actor=actor,
            verb="fileplan.entry_add",
            target=locked,
            data={"code": code, "retention": entry.retention_label},
        )
    return entry


def plan_approve(
    *, actor: Actor, plan: FilePlan, on: dt.date | None = None, reference: str = ""
) -> FilePlan:
    """The head approves the plan (NĐ 30 Điều 28): from then on it is frozen.

    Raises:
        NotFound: the actor may not approve plans of this unit.
        InvalidInput: the plan is already approved or holds no file.
    """
    with transaction.atomic():
        locked = (
            FilePlan.objects.restrict(actor, "approve")  # type: ignore[arg-type]
            .select_for_update()
            .filter(pk=plan.pk)
            .first()
        )
        if locked is None:
            raise NotFound(_("This file plan does not exist or you may not approve it."))
        if locked.is_frozen:
            raise InvalidInput(_("The file plan is already approved."))
        if not locked.entries.exists():
            raise InvalidInput(_("A file plan without any file cannot be approved."))
        locked.state = PlanState.APPROVED
        locked.approved_by = _user_or_none(actor)
        locked.approved_on = on or timezone.localdate()
        locked.approval_reference = reference.strip()
        _clean(locked)
        locked.save()
        record(
            actor=actor,
            verb="fileplan.approve",
            target=locked,
            data={"entries": locked.entries.count(), "reference": locked.approval_reference},
        )
    plan.refresh_from_db()
    return plan


# --- Record files ----------------------------------------------------------------------


def file_open(
    *,
    actor: Actor,
    unit: Unit | None = None,
    entry: FilePlanEntry | None = None,
    title: str = "",
    code: str = "",
    year: int | None = None,
    retention_kind: str = "",
    retention_years: int | None = None,
    retention_basis: str = "",
    keeper: Any = None,
    keeper_name: str = "",
    start_date: dt.date | None = None,
    is_construction: bool = False,
    rights: str = "",
    description: str = "",
) -> RecordFile:
    """Open a record file, from an entry of an approved plan (its code, title, retention
    and keeper are taken from it) or on its own, which then must give them all and its
    start date (NĐ 30 Điều 28, vn-rules.md §4.2).

    Raises:
        NotFound: the actor may not open files in the unit, or the entry is out of reach.
        InvalidInput: a value is missing or wrong, the plan is not approved, or the unit
            already has this code this year.
    """
    from lienthong.records.archives.selectors import plan_list

    if entry is not None:
        plan = plan_list(user=actor).filter(pk=entry.plan_id).first()
        if plan is None:
            raise NotFound(_("This file plan does not exist or you may not read it."))
        if not plan.is_frozen:
            raise InvalidInput(_("Files are opened from an approved file plan."))
        unit = plan.unit
        code, title = code or entry.code, title or entry.title
        year = plan.year
        retention_kind, retention_years = entry.retention_kind, entry.retention_years
        retention_basis = retention_basis or entry.retention_basis
        keeper = keeper or entry.keeper
        keeper_name = keeper_name or entry.keeper_name
    if unit is None or not holds_in(actor, unit, "archives.add_recordfile"):  # type: ignore[arg-type]
        raise NotFound(_("This unit does not exist or you may not do this there."))
    title, code = " ".join(title.split()), code.strip().upper()
    keeper_name = keeper_name.strip() or (_person(keeper) if keeper else "")
    problems = []
    if not title:
        problems.append(_("The file needs a title."))
    if not code:
        problems.append(_("The file needs a code."))
    if not keeper_name:
        problems.append(_("Name the person who keeps the file."))
    if start_date is None:
        problems.append(_("Give the date the file starts."))
    if problems:
        raise InvalidInput(" ".join(problems))
    assert start_date is not None
    years = _retention(retention_kind, retention_years)
    record_file = RecordFile(
        unit=unit,
        year=year or start_date.year,
        code=code,
        title=title,
        entry=entry,
        retention_kind=retention_kind,
        retention_years=years,
        retention_basis=retention_basis.strip(),
        keeper=keeper,
        keeper_name=keeper_name,
        start_date=start_date,
        is_construction=is_construction,
        rights=rights.strip(),
        description=description.strip(),
    )
    _clean(record_file)
    try:
        with transaction.atomic():
            record_file.save()
            record(
                actor=actor,
                verb="recordfile.open",
                target=record_file,
                data={"code": code, "year": record_file.year, "from_plan": entry is not None},
            )
    except IntegrityError as exc:
        raise InvalidInput(_("This unit already has a file with this code this year.")) from exc
    return record_file


def _file_to_change(actor: Actor, record_file: RecordFile) -> RecordFile:
    locked = (
        RecordFile.objects.restrict(actor, "change")  # type: ignore[arg-type]
        .select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk=record_file.pk)
        .first()
    )
    if locked is None:
        raise NotFound(_("This file does not exist or you may not change it."))
    return locked


def _must_be_open(record_file: RecordFile) -> None:
    if record_file.state != FileState.OPEN:
        raise InvalidInput(_("The file is closed: its documents can no longer change."))


def document_date(document: Document) -> dt.date:
    """The date that puts a document in time order: its date, else the day it arrived,
    else the day it was entered."""
    if document.issued_date is not None:
        return document.issued_date
    if document.arrival_date is not None:
        return timezone.localdate(document.arrival_date)
    return timezone.localdate(document.created_at)


def file_document_add(*, actor: Actor, record_file: RecordFile, document: Document) -> FileItem:
    """File ``document`` in an open file, without copying it (Phụ lục VI Phần I.III).

    The document must be one the actor may read (unit scope and clearance,
    ``documents.selectors.document_list``) and belong to the file's unit or a unit under
    it.

    Raises:
        NotFound: the file or the document is out of reach.
        InvalidInput: the file is closed, or the document is already in it.
    """
    from lienthong.documents.selectors import document_list

    with transaction.atomic():
        locked = _file_to_change(actor, record_file)
        if not holds_in(actor, locked.unit, "archives.add_fileitem"):  # type: ignore[arg-type]
            raise NotFound(_("This file does not exist or you may not change it."))
        _must_be_open(locked)
        readable = (
            document_list(user=actor)
            .filter(pk=document.pk, unit__path__startswith=locked.unit.path)
            .first()
        )
        if readable is None:
            raise NotFound(_("This document does not exist or is not yours to see."))
        if locked.items.filter(document=readable).exists():
            raise InvalidInput(_("This document is already in the file."))
        order = (locked.items.aggregate(n=Max("order"))["n"] or 0) + 1
        item = FileItem(
            record_file=locked,
            document=readable,
            order=order,
            added_by=_user_or_none(actor),
        )
        _clean(item)
        item.save()
        record(
            actor=actor,
            verb="recordfile.document_add",
            target=locked,
            data={"document": readable.pk},
        )
    return item


def file_document_remove(*, actor: Actor, record_file: RecordFile, document: Document) -> None:
    """Take a document out of an open file (the document itself stays).

    Raises:
        NotFound: the file is out of reach, or the document is not in it.
        InvalidInput: the file is closed.
    """
    with transaction.atomic():
        locked = _file_to_change(actor, record_file)
        _must_be_open(locked)
        deleted, _rows = locked.items.filter(document_id=document.pk).delete()
        if not deleted:
            raise NotFound(_("This document is not in the file."))
        record(
            actor=actor,
            verb="recordfile.document_remove",
            target=locked,
            data={"document": document.pk},
        )


def _day(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def index_rows(items: Sequence[FileItem]) -> list[dict[str, Any]]:
    """The rows of the document index (mục lục văn bản, tài liệu trong hồ sơ; Phụ lục V,
    seven columns, vn-rules.md §4.1) of ``items`` in their order."""
    rows = []
    for number, item in enumerate(items, start=1):
        doc = item.document
        kind = doc.document_type.name if doc.document_type_id else ""
        sheets = ""
        if item.sheet_from is not None:
            sheets = (
                str(item.sheet_from)
                if item.sheet_to in (None, item.sheet_from)
                else f"{item.sheet_from}-{item.sheet_to}"
            )
        rows.append(
            {
                "number": number,
                "code": doc.number_display,
                "date": _day(document_date(doc)),
                "subject": f"{kind}: {doc.subject}" if kind else doc.subject,
                "author": doc.issuer_name or "",
                "sheets": sheets,
                "note": doc.note if doc.note and len(doc.note) <= 120 else "",
            }
        )
    return rows


#: The closing note (chứng từ kết thúc) every file gets (NĐ 30 Điều 29.2, vn-rules.md
#: §4.2): a form text, printed in Vietnamese whatever the UI language.
CLOSING_NOTE = (
    "CHỨNG TỪ KẾT THÚC\n"
    "Hồ sơ này gồm có: {documents} văn bản ({documents_words}), {pages} tờ/trang "
    "({pages_words}).\n"
    "{sheets}"
    "Thời gian tài liệu: từ ngày {start} đến ngày {end}.\n"
    "{index}"
    "Đặc điểm: {note}\n"
    "Ngày {day}. Người lập hồ sơ: {keeper}."
)


def file_close(
    *, actor: Actor, record_file: RecordFile, note: str = "", today: dt.date | None = None
) -> RecordFile:
    """Close a file when the work is done (NĐ 30 Điều 29.2, vn-rules.md §4.2).

    The documents are put in time order; a file kept five years or more gets its sheets
    numbered in that order; a permanent file gets its document index; every file gets
    its closing note; the end date becomes the date of the latest document and the
    handover date follows from it.

    Raises:
        NotFound: the file is out of reach.
        InvalidInput: the file is not open, or holds no document.
    """
    day = today or timezone.localdate()
    with transaction.atomic():
        locked = _file_to_change(actor, record_file)
        _must_be_open(locked)
        items = list(
            locked.items.select_related("document", "document__document_type").order_by("pk")
        )
        if not items:
            raise InvalidInput(_("A file without documents cannot be closed."))
        items.sort(key=lambda i: (document_date(i.document), i.document.pk))
        sheet = 0
        for order, item in enumerate(items, start=1):
            item.order = order
            pages = max(int(item.document.page_count or 1), 1)
            if locked.goes_to_archive:
                item.sheet_from, item.sheet_to = sheet + 1, sheet + pages
            else:
                item.sheet_from = item.sheet_to = None
            sheet += pages
            item.save(update_fields=["order", "sheet_from", "sheet_to"])
        first, last = document_date(items[0].document), document_date(items[-1].document)
        locked.start_date = min(locked.start_date, first)
        locked.end_date = last
        locked.page_count = sheet
        locked.document_index = index_rows(items) if locked.is_permanent else []
        locked.closing_note = CLOSING_NOTE.format(
            documents=len(items),
            documents_words=in_words(len(items)).lower(),
            pages=sheet,
            pages_words=in_words(sheet).lower(),
            sheets=(f"Đánh số từ tờ 01 đến tờ {sheet:02d}.\n" if locked.goes_to_archive else ""),
            start=_day(locked.start_date),
            end=_day(last),
            index=("Có mục lục văn bản kèm theo.\n" if locked.is_permanent else ""),
            note=" ".join(note.split()) or "Không.",
            day=_day(day),
            keeper=locked.keeper_name,
        )
        locked.state = FileState.CLOSED
        locked.closed_at = timezone.now()
        locked.handover_due = locked.due_on()
        _clean(locked)
        locked.save()
        record(
            actor=actor,
            verb="recordfile.close",
            target=locked,
            data={
                "documents": len(items),
                "pages": sheet,
                "end_date": last.isoformat(),
                "handover_due": locked.handover_due.isoformat() if locked.handover_due else None,
            },
        )
    record_file.refresh_from_db()
    return record_file


def file_keep_back(
    *, actor: Actor, record_file: RecordFile, until: dt.date, reason: str
) -> RecordFile:
    """Keep a closed file back from the handover until ``until``, at most two years past
    its due date, with the reason and the approving document (NĐ 30 Điều 30, vn-rules.md
    §4.2 "Keeping back").

    Raises:
        NotFound: the file is out of reach.
        InvalidInput: the file is not closed or not handed over at all, no reason, or the
            date is not after the due date or more than two years past it.
    """
    with transaction.atomic():
        locked = _file_to_change(actor, record_file)
        if locked.state not in (FileState.CLOSED, FileState.KEPT_BACK):
            raise InvalidInput(_("Only a closed file can be kept back."))
        due = locked.due_on()
        if due is None:
            raise InvalidInput(_("Files kept less than five years are not handed over."))
        reason = " ".join(reason.split())
        if not reason:
            raise InvalidInput(_("Give the reason and the document that approves it."))
        if until <= due:
            raise InvalidInput(_("Keep the file back until a date after its handover date."))
        if until > add_months(due, KEEP_BACK_MAX_MONTHS):
            raise InvalidInput(
                _("A file is kept back for at most two years: until %(day)s at the latest.")
                % {"day": _day(add_months(due, KEEP_BACK_MAX_MONTHS))}
            )
        locked.state = FileState.KEPT_BACK
        locked.kept_back_until = until
        locked.kept_back_reason = reason
        locked.handover_due = until
        _clean(locked)
        locked.save()
        record(
            actor=actor,
            verb="recordfile.keep_back",
            target=locked,
            data={"until": until.isoformat(), "reason": reason},
        )
    record_file.refresh_from_db()
    return record_file


# --- Handover to the agency archive ----------------------------------------------------


def handover_create(
    *,
    actor: Actor,
    unit: Unit,
    archive_unit: Unit,
    files: Iterable[RecordFile],
    handed_on: dt.date,
    block_name: str,
    giver_name: str,
    receiver_name: str,
    condition: str = "",
) -> Handover:
    """Hand closed files over to the agency archive (NĐ 30 Điều 30-31, vn-rules.md §4.2):
    only closed files (or files kept back) of ``unit``, kept five years or more, not
    handed over yet; they become "handed over". The handover minutes and the catalogue
    are printed from the returned row (``exports``).

    Raises:
        NotFound: the actor may not hand files over in ``unit``, the archive unit or a
            file is out of reach.
        InvalidInput: no file, a file that may not be handed over, a missing name.
    """
    from lienthong.records.archives.selectors import file_list

    if not holds_in(actor, unit, "archives.add_handover"):  # type: ignore[arg-type]
        raise NotFound(_("This unit does not exist or you may not do this there."))
    if not Unit.objects.restrict(actor, "view").filter(pk=archive_unit.pk).exists():  # type: ignore[arg-type]
        raise NotFound(_("This unit does not exist or you may not do this there."))
    wanted = sorted({f.pk for f in files})
    if not wanted:
        raise InvalidInput(_("Choose the files to hand over."))
    names = {
        "block_name": " ".join(block_name.split()),
        "giver_name": " ".join(giver_name.split()),
        "receiver_name": " ".join(receiver_name.split()),
    }
    if not all(names.values()):
        raise InvalidInput(_("Give the name of the body of records and the names of both parties."))
    with transaction.atomic():
        found = list(
            file_list(user=actor, action="change")
            .select_for_update(of=("self",))
            .filter(pk__in=wanted)
            .order_by("code", "pk")
        )
        if len(found) != len(wanted):
            raise NotFound(_("This file does not exist or you may not change it."))
        problems = []
        for item in found:
            if item.unit_id != unit.pk:
                problems.append(_("%(code)s belongs to another unit.") % {"code": item.code})
            elif item.handover_id is not None or item.state == FileState.HANDED_OVER:
                problems.append(_("%(code)s is already handed over.") % {"code": item.code})
            elif item.state not in (FileState.CLOSED, FileState.KEPT_BACK):
                problems.append(_("%(code)s is not closed.") % {"code": item.code})
            elif not item.goes_to_archive:
                problems.append(
                    _("%(code)s is kept less than five years: it stays with the office.")
                    % {"code": item.code}
                )
        if problems:
            raise InvalidInput(" ".join(str(p) for p in problems), extra={"files": problems})
        handover = Handover(
            unit=unit,
            archive_unit=archive_unit,
            handed_on=handed_on,
            condition=" ".join(condition.split()),
            created_by=_user_or_none(actor),
            **names,
        )
        _clean(handover)
        handover.save()
        for item in found:
            item.state = FileState.HANDED_OVER
            item.handover = handover
            item.save(update_fields=["state", "handover", "updated_at"])
        record(
            actor=actor,
            verb="handover.create",
            target=handover,
            data={"files": [f.code for f in found], "archive_unit": archive_unit.pk},
        )
    return handover


def handover_receive(*, actor: Actor, handover: Handover) -> Handover:
    """Record that the archive received the files (both parties signed the minutes).

    Raises:
        NotFound: the handover is out of reach.
        InvalidInput: already received.
    """
    with transaction.atomic():
        locked = (
            Handover.objects.restrict(actor, "change")  # type: ignore[arg-type]
            .select_for_update()
            .filter(pk=handover.pk)
            .first()
        )
        if locked is None:
            raise NotFound(_("This handover does not exist or you may not change it."))
        if locked.state == HandoverState.RECEIVED:
            raise InvalidInput(_("The archive has already received these files."))
        locked.state = HandoverState.RECEIVED
        locked.save(update_fields=["state", "updated_at"])
        record(actor=actor, verb="handover.receive", target=locked)
    handover.refresh_from_db()
    return handover
