"""Writes of the intake (issue #7): take scans in, read them in the background, link each
to its register entry; one keyword-only function per use case (STYLE habit 2).

The path of one file:

1. ``intake_submit`` (the page, the watched folder, ``import_scans``): the cheap checks
   of the preflight run at once, so a renamed ``.exe`` or a password-protected PDF is
   refused before anything is stored; a file the batch named but could not give (a
   spreadsheet row pointing to a missing file) is recorded as refused with its reason.
   Otherwise the original is stored by its SHA-256 and the row waits (``queued``); the
   same content already taken in by the unit is reported as a duplicate of it.
2. ``intake_read`` (a task worker on the ``intake`` queue, or ``import_scans`` itself):
   claims the row, runs the chain (``pipeline.STEPS``: preflight, quality, OCR to
   PDF/A-2b), then in one transaction finds or creates the register entry, attaches the
   PDF/A (``FileKind.DIGITISED``) and the original scan (``FileKind.SCAN``), adds the
   text to the document's search text, and marks the row done. A refusal at any step
   marks the row refused with the step's reason and writes nothing else: nothing is half
   imported. A worker that dies leaves the row "being read"; the next claim takes it
   over, and a late finish of the dead claim is dropped (the claim is an attempt number
   checked under a row lock), so a file is never attached twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import ApplicationError, InvalidInput
from lienthong.core.tasks import enqueue_on_commit
from lienthong.core.text import fold
from lienthong.documents import selectors
from lienthong.documents.choices import (
    Direction,
    DocumentState,
    EventKind,
    FileKind,
    IntakeSource,
    IntakeState,
)
from lienthong.documents.intake import pipeline, steps
from lienthong.documents.intake.contract import IntakeItem, IntakeRefused
from lienthong.documents.intake.register import entry_from_name, register_read
from lienthong.documents.models import (
    Document,
    DocumentFile,
    DocumentType,
    IntakeBatch,
    IntakeFile,
)
from lienthong.documents.services import files
from lienthong.documents.services._common import (
    add_file,
    event,
    index,
    person,
    require_unit,
    save_checked,
    unit_allowed,
)

__all__ = [
    "intake_batch_open",
    "intake_batch_register",
    "intake_read",
    "intake_retry",
    "intake_submit",
    "intake_upload",
    "intakes_requeue_stalled",
]

logger = logging.getLogger(__name__)

#: Rows waiting or being read: a second file with the same content is a duplicate of it.
_LIVE = (IntakeState.QUEUED, IntakeState.RUNNING, IntakeState.DONE)


def _stall_minutes() -> int:
    return int(getattr(settings, "INTAKE_STALL_MINUTES", 30))


def intake_batch_open(
    *,
    actor: Actor,
    unit: Any,
    source: str,
    name: str,
    seal: bool = False,
    second_factor_verified: bool = False,
) -> IntakeBatch:
    """Open a batch of scans for ``unit`` (``documents.add_intakebatch`` there).

    A bulk import names its folder and spreadsheet: opening it again continues the same
    batch (a re-run after an interruption), so its rows are not taken in twice.

    Args:
        actor: the clerk.
        unit: the unit the scans belong to.
        source: ``IntakeSource``.
        name: the batch's name (the folder and spreadsheet of a bulk import).
        seal: seal every digitised copy of the batch with the unit's seal as a "bản sao
            điện tử" (NĐ 30 Phụ lục I ô 14: "SAO Y", the unit, the signing time, top
            right, no image). The clerk who applies the seal (``issue_document`` in the
            unit) gives their second factor now, for the whole batch; the seal's key must
            be held by this node (a token's PIN cannot wait for the background reading).
        second_factor_verified: the clerk gave their second factor in this session.

    Raises:
        NotFound: the unit is outside the actor's scope.
        PermissionDenied: sealing without the right or without the second factor.
        InvalidInput: sealing without a seal key this node holds.
    """
    who = person(actor)
    require_unit(who, unit, "documents.add_intakebatch")
    if source not in IntakeSource.values:
        raise InvalidInput(_("Unknown intake source."))
    if seal:
        _may_seal(who, unit, second_factor_verified=second_factor_verified)
    if source == IntakeSource.IMPORT:
        existing = IntakeBatch.objects.filter(unit=unit, source=source, name=name[:500]).first()
        if existing is not None:
            if seal and not existing.seal:
                existing.seal = True
                existing.save(update_fields=["seal"])
            return existing
    batch = IntakeBatch.objects.create(
        unit=unit, source=source, name=name[:500], seal=seal, created_by=who
    )
    record(
        actor=actor, verb="intake.batch_open", target=batch, data={"source": source, "seal": seal}
    )
    return batch


def _seal_certificate(unit: Any) -> Any:
    """The unit's valid seal certificate whose key this node holds, or None."""
    from lienthong.trust.choices import CertificateProfile
    from lienthong.trust.models import Certificate

    return (
        Certificate.objects.filter(profile=CertificateProfile.UNIT_SEAL, holder_unit=unit)
        .valid_at()  # type: ignore[attr-defined]
        .filter(key__isnull=False)
        .exclude(key__storage="none")
        .select_related("key")
        .order_by("-not_before")
        .first()
    )


def _may_seal(who: Any, unit: Any, *, second_factor_verified: bool) -> None:
    from lienthong.core.errors import PermissionDenied
    from lienthong.trust.choices import KeyStorage
    from lienthong.trust.second_factor import requires_second_factor

    if not unit_allowed(who, unit, "documents.issue_document"):
        raise PermissionDenied(_("Only the unit's clerk may seal the digitised copies."))
    if requires_second_factor(who) and not second_factor_verified:
        raise PermissionDenied(_("Sealing the copies needs your second factor."))
    seal = _seal_certificate(unit)
    if seal is None:
        raise InvalidInput(_("The unit has no valid seal certificate on this node."))
    if seal.key.storage != KeyStorage.ENCRYPTED:
        raise InvalidInput(
            _(
                "The unit's seal is on a token: the copies can be sealed only with a seal "
                "key this node holds (the token's PIN cannot wait for the reading)."
            )
        )


def _sealed(item: IntakeFile, document: Document, pdf: bytes) -> bytes:
    """The digitised copy with the unit's seal as a "bản sao điện tử" (NĐ 30 Phụ lục I
    ô 14; vn-rules.md §1.9): "SAO Y", the unit, the signing time, top right."""
    from lienthong.documents.services.outgoing import _level
    from lienthong.trust.signing import signature_request_create, signature_request_sign

    clerk = item.batch.created_by
    if clerk is None:
        raise InvalidInput(_("Only the unit's clerk may seal the digitised copies."))
    seal = _seal_certificate(document.unit)
    if seal is None:
        raise InvalidInput(_("The unit has no valid seal certificate on this node."))
    request = signature_request_create(
        actor=clerk,
        unit=document.unit,
        signer=clerk,
        certificate=seal,
        kind="copy",
        title=_("Digitised copy of %(doc)s") % {"doc": str(document)[:200]},
        pdf=pdf,
        options={
            "level": _level(),
            "copy_form": "SAO Y",
            "text_lines": [document.unit.name.upper()],
            "reason": "Bản sao điện tử",
        },
    )
    # The clerk gave their second factor when they opened the batch (intake_batch_open).
    request = signature_request_sign(actor=clerk, request=request, second_factor_verified=True)
    with request.output_pdf.open("rb") as handle:
        return bytes(handle.read())


def intake_batch_register(*, actor: Actor, batch: IntakeBatch, data: bytes) -> IntakeBatch:
    """Give an upload batch its register spreadsheet: the files uploaded next are
    matched to its rows by name (``intake_upload``).

    Raises:
        InvalidInput: not a register spreadsheet (``register.register_read``).
        NotFound: the batch's unit is outside the actor's scope.
    """
    require_unit(actor, batch.unit, "documents.add_intakebatch")
    rows = register_read(data)
    batch.register = [
        {"row": r.row, "file": r.file, "entry": r.entry, "errors": r.errors} for r in rows
    ]
    batch.save(update_fields=["register"])
    record(actor=actor, verb="intake.batch_register", target=batch, data={"rows": len(rows)})
    return batch


def _base(name: str) -> str:
    return fold(name.replace("\\", "/").rsplit("/", 1)[-1])


def intake_upload(
    *,
    actor: Actor,
    batch: IntakeBatch,
    name: str,
    data: bytes,
    document: Document | None = None,
) -> IntakeFile:
    """Take in one file uploaded on the page: for its document, or matched by name to a
    row of the batch's register spreadsheet, or linked by its file name
    (``den-2025-123.pdf``).

    A file the spreadsheet does not name is refused with that reason; a row taken in
    already (the same file sent twice) is reported as the row it is.
    """
    if document is not None or not batch.register:
        return intake_submit(actor=actor, batch=batch, name=name, data=data, document=document)
    key = _base(name)
    row = next((r for r in batch.register if _base(str(r.get("file", ""))) == key), None)
    if row is None:
        return intake_submit(
            actor=actor,
            batch=batch,
            name=name,
            data=None,
            problem=_("The register spreadsheet names no file “%(name)s”.") % {"name": name},
        )
    taken = IntakeFile.objects.filter(batch=batch, row=row["row"]).first()
    if taken is not None:
        return taken
    return intake_submit(
        actor=actor,
        batch=batch,
        name=name,
        data=data,
        entry=row.get("entry") or {},
        row=int(row["row"]),
        problem=" ".join(row.get("errors") or []),
    )


def _refused(
    *,
    actor: Actor,
    batch: IntakeBatch,
    name: str,
    row: int | None,
    entry: dict[str, Any],
    reason: str,
    sha256: str = "",
) -> IntakeFile:
    item = IntakeFile.objects.create(
        batch=batch,
        unit=batch.unit,
        name=name[:255],
        row=row,
        entry=entry,
        sha256=sha256,
        state=IntakeState.REFUSED,
        reason=reason[:500],
        created_by=batch.created_by,
        finished_at=timezone.now(),
    )
    record(actor=actor, verb="intake.refused", target=item, data={"reason": item.reason})
    return item


def intake_submit(
    *,
    actor: Actor,
    batch: IntakeBatch,
    name: str,
    data: bytes | None,
    entry: dict[str, Any] | None = None,
    document: Document | None = None,
    row: int | None = None,
    problem: str = "",
    enqueue: bool = True,
) -> IntakeFile:
    """Take one scanned file into ``batch``: refused at once with its reason, a duplicate
    of content already taken in, or queued for reading.

    Args:
        actor: the clerk (for the watched folder, the clerk it acts for).
        batch: the batch (its unit is where the file goes).
        name: the file's name (or its path in an imported folder).
        data: the content; None when the batch could not give it (a missing file).
        entry: the register data given with the file (``register.COLUMNS`` keys).
        document: the register entry to attach the copy to, when it is known.
        row: the spreadsheet row of a bulk import.
        problem: a reason found before the content (a row's errors, a missing file): the
            file is recorded as refused with it.
        enqueue: hand the reading to the intake task workers (``import_scans`` reads
            its batch itself and says False).

    Returns:
        The ``IntakeFile`` row; never raises for a bad file (the row says why).

    Raises:
        NotFound: the batch's unit or the document is outside the actor's scope.
    """
    require_unit(actor, batch.unit, "documents.add_intakebatch")
    entry = dict(entry or {})
    if document is not None and document.unit_id != batch.unit_id:
        raise InvalidInput(_("The document belongs to another unit than the batch."))
    if not problem and data is None:
        problem = _("The file is missing.")
    if problem:
        return _refused(actor=actor, batch=batch, name=name, row=row, entry=entry, reason=problem)
    assert data is not None
    item = IntakeItem(data=data, name=name)
    try:
        steps.preflight(item)
    except IntakeRefused as refusal:
        return _refused(
            actor=actor,
            batch=batch,
            name=name,
            row=row,
            entry=entry,
            reason=refusal.reason,
            sha256=item.sha256 if data else "",
        )
    if document is None and not entry:
        entry = entry_from_name(name) or {}
    # The same content taken in before is said first (whatever its entry); a file with
    # no entry at all is refused before it is stored.
    if document is None and not entry and not _earlier(batch, item.sha256):
        return _refused(
            actor=actor,
            batch=batch,
            name=name,
            row=row,
            entry=entry,
            sha256=item.sha256,
            reason=_(
                "No register entry: upload the scan from its document's page, name the "
                "file after its entry (den-2025-123.pdf, di-2025-45.pdf), or give the "
                "register spreadsheet that names it."
            ),
        )
    sha256 = item.sha256
    stored = files.file_store(data=data, name=name, expected="any", max_bytes=steps.max_bytes())
    with transaction.atomic():
        earlier = _earlier(batch, sha256, lock=True)
        item_row = IntakeFile(
            batch=batch,
            unit=batch.unit,
            name=name[:255],
            row=row,
            original=stored,
            sha256=sha256,
            entry=entry,
            document=document,
            created_by=batch.created_by,
        )
        if earlier is not None:
            item_row.state = IntakeState.DUPLICATE
            item_row.duplicate_of = earlier
            item_row.reason = _("The same scan was already taken in as “%(name)s”.") % {
                "name": earlier.name
            }
            item_row.finished_at = timezone.now()
        item_row.save()
        record(
            actor=actor,
            verb="intake.submit",
            target=item_row,
            data={"sha256": sha256, "state": item_row.state},
        )
        if item_row.state == IntakeState.QUEUED and enqueue:
            from lienthong.documents.tasks import read_scan

            enqueue_on_commit(read_scan, item_row.pk)
    return item_row


def _earlier(batch: IntakeBatch, sha256: str, *, lock: bool = False) -> IntakeFile | None:
    """The unit's file of the same content taken in before (waiting, read or done)."""
    qs = IntakeFile.objects.filter(unit=batch.unit, sha256=sha256, state__in=_LIVE)
    if lock:
        qs = qs.select_for_update()
    return qs.order_by("pk").first()


def _claim(item_id: int, *, take_over: bool) -> tuple[IntakeFile, int] | None:
    """Mark the row "being read" and return it with this claim's attempt number."""
    with transaction.atomic():
        item = (
            IntakeFile.objects.select_for_update(of=("self",))
            .select_related("batch", "unit", "original", "document")
            .filter(pk=item_id)
            .first()
        )
        if item is None:
            return None
        if item.state == IntakeState.RUNNING and not take_over:
            stalled = item.started_at is None or item.started_at < timezone.now() - dt.timedelta(
                minutes=_stall_minutes()
            )
            if not stalled:
                return None  # another worker reads it now
        elif item.state not in (IntakeState.QUEUED, IntakeState.RUNNING):
            return None
        item.state = IntakeState.RUNNING
        item.attempts += 1
        item.started_at = timezone.now()
        item.reason = ""
        item.save(update_fields=["state", "attempts", "started_at", "reason"])
        return item, item.attempts


def _finish_refused(item_id: int, attempt: int, reason: str) -> IntakeFile | None:
    with transaction.atomic():
        item = IntakeFile.objects.select_for_update().get(pk=item_id)
        if item.attempts != attempt or item.state != IntakeState.RUNNING:
            return None
        item.state = IntakeState.REFUSED
        item.reason = reason[:500]
        item.finished_at = timezone.now()
        item.save(update_fields=["state", "reason", "finished_at"])
        record(actor=_actor(item), verb="intake.refused", target=item, data={"reason": reason})
        return item


def _actor(item: IntakeFile) -> Any:
    """Who the intake acts for: the clerk who opened the batch (for the watched folder,
    the clerk ``INTAKE_WATCH_USER`` names)."""
    return item.batch.created_by


def intake_read(item_id: int, *, take_over: bool = False) -> IntakeFile | None:
    """Read one queued scan (the task body): OCR, then link, all or nothing.

    Args:
        item_id: the ``IntakeFile``.
        take_over: claim a row left "being read" at once (a re-run of ``import_scans``
            after the previous run was killed), not only after ``INTAKE_STALL_MINUTES``.

    Returns:
        The row as it ends, or None when there was nothing to do (done, refused, or read
        by another worker now).
    """
    claimed = _claim(item_id, take_over=take_over)
    if claimed is None:
        return None
    item, attempt = claimed
    try:
        assert item.original is not None
        made = pipeline.intake_run(data=files.file_read(item.original), name=item.name)
        with transaction.atomic():
            locked = IntakeFile.objects.select_for_update().get(pk=item.pk)
            if locked.attempts != attempt or locked.state != IntakeState.RUNNING:
                return None  # taken over meanwhile: the other claim finishes it
            document = _link(item, made)
            actor = _actor(item)
            copy = _attach(item=item, document=document, made=made, actor=actor)
            locked.state = IntakeState.DONE
            locked.document = document
            locked.digitised = copy
            locked.warnings = [str(warning) for warning in made.warnings]
            locked.pages = _pages(made.pdf)
            locked.finished_at = timezone.now()
            locked.save(
                update_fields=["state", "document", "digitised", "warnings", "pages", "finished_at"]
            )
            record(
                actor=actor,
                verb="intake.done",
                target=locked,
                data={"document": document.pk, "pages": locked.pages},
            )
            index(document)
            return locked
    except IntakeRefused as refusal:
        return _finish_refused(item.pk, attempt, refusal.reason)
    except ApplicationError as exc:  # the entry, the seal: the reason is the service's
        return _finish_refused(item.pk, attempt, str(exc.message))
    except Exception:
        logger.exception("intake: reading file %s failed", item.pk)
        return _finish_refused(
            item.pk, attempt, _("An unexpected error stopped the reading; try again.")
        )


def _pages(pdf: bytes) -> int:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as opened:
        return len(opened.pages)


def _attach(*, item: IntakeFile, document: Document, made: IntakeItem, actor: Any) -> DocumentFile:
    """The PDF/A as the document's digitised copy, the original scan beside it."""
    stem = item.name.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "ban-so-hoa"
    pdf = made.pdf
    if item.batch.seal:
        pdf = _sealed(item, document, pdf)
        stem = f"{stem}-sao-y"
    stored = files.file_store(
        data=pdf, name=f"{stem}.pdf", expected="pdf", max_bytes=max(len(pdf), 1)
    )
    adder = item.batch.created_by
    copy = add_file(
        document=document, kind=FileKind.DIGITISED, stored=stored, name=f"{stem}.pdf", actor=adder
    )
    assert item.original is not None
    if not document.files.filter(kind=FileKind.SCAN, stored=item.original).exists():
        add_file(
            document=document,
            kind=FileKind.SCAN,
            stored=item.original,
            name=item.name,
            actor=adder,
        )
    text = " ".join(made.text.split())
    if text:
        document.text_content = f"{document.text_content}\n{text}".strip()
    if document.page_count is None:
        document.page_count = _pages(made.pdf)
    document.save(update_fields=["text_content", "page_count", "updated_at"])
    event(
        document,
        EventKind.DIGITISED,
        actor,
        _("Digitised from “%(name)s”.") % {"name": item.name},
    )
    return copy


def _document_type(unit: Any, direction: str, value: str) -> DocumentType:
    from lienthong.documents.services.outgoing import _convention_of

    convention = _convention_of(unit)
    types = DocumentType.objects.filter(is_active=True)
    if value:
        key = fold(value)
        for candidate in types.order_by("convention" if convention == "party" else "-convention"):
            if fold(candidate.code) == key or fold(candidate.name) == key:
                return candidate
        raise InvalidInput(_("Unknown document type “%(t)s”.") % {"t": value})
    found = types.filter(convention=convention, is_letter=True).order_by("sort_order").first()
    if found is None:
        raise InvalidInput(_("Name the document type (Loại văn bản)."))
    return found


def _link(item: IntakeFile, made: IntakeItem) -> Document:
    """The register entry of the scan: the one given, the one the entry's number finds,
    or a new entry of the register (a paper document of the past, already issued or
    handled)."""
    if item.document is not None:
        return Document.objects.select_for_update().get(pk=item.document.pk)
    entry = item.entry
    unit = item.unit
    direction = entry.get("direction")
    if direction not in Direction.values:
        raise InvalidInput(_("The row does not say its register (đi or đến)."))
    if "arrival_year" in entry or "number_year" in entry:
        return _named(unit, entry)
    issued = dt.date.fromisoformat(entry["issued_date"]) if entry.get("issued_date") else None
    number = entry.get("code_number")
    notation = str(entry.get("code_notation") or "").strip().upper()
    issuer = str(entry.get("issuer_name") or "").strip()
    if direction == Direction.OUTGOING and not issuer:
        issuer = unit.name
    if number is not None:
        found = Document.objects.select_for_update().filter(
            unit=unit,
            direction=direction,
            code_number=number,
            code_notation=notation,
            number_year=issued.year if issued else None,
        )
        if direction == Direction.INCOMING:
            found = found.filter(issuer_key=fold(issuer))
        existing = found.order_by("pk").first()
        if existing is not None:
            return existing
    subject = str(entry.get("subject") or "").strip()
    if not subject:
        raise InvalidInput(_("The subject (trích yếu) is empty."))
    if direction == Direction.INCOMING and not issuer:
        raise InvalidInput(_("Name the author (issuing body) of the document."))
    document_type = _document_type(unit, direction, str(entry.get("document_type") or ""))
    arrival = entry.get("arrival_date")
    arrived = (
        timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(arrival), dt.time(8)))
        if arrival
        else None
    )
    document = Document(
        unit=unit,
        direction=direction,
        convention=document_type.convention,
        state=DocumentState.ISSUED if direction == Direction.OUTGOING else DocumentState.DONE,
        document_type=document_type,
        subject=subject[:500],
        register=selectors.register_active(unit=unit, direction=direction),
        code_number=number,
        code_notation=notation,
        number_year=issued.year if issued and number is not None else None,
        issued_date=issued,
        issuer_name=issuer[:200],
        signer_name=str(entry.get("signer_name") or "")[:50],
        arrival_number=entry.get("arrival_number") if direction == Direction.INCOMING else None,
        arrival_date=arrived if direction == Direction.INCOMING else None,
        arrival_year=arrived.year if arrived and direction == Direction.INCOMING else None,
        page_count=entry.get("page_count"),
        note=str(entry.get("note") or "")[:500],
        created_by=item.batch.created_by,
        text_content=subject,
    )
    try:
        with transaction.atomic():
            save_checked(document)
    except IntegrityError as exc:
        raise InvalidInput(
            _("A document with this number, notation and issuing body already exists.")
        ) from exc
    event(document, EventKind.REGISTERED, _actor(item), _("Entered from a digitised archive."))
    record(
        actor=_actor(item),
        verb="document.register_archive",
        target=document,
        data={"intake": item.pk},
    )
    return document


def _named(unit: Any, entry: dict[str, Any]) -> Document:
    """The entry a file name points to (``register.entry_from_name``); it must exist."""
    found = Document.objects.select_for_update().filter(unit=unit, direction=entry["direction"])
    if entry["direction"] == Direction.INCOMING:
        found = found.filter(
            arrival_year=entry["arrival_year"], arrival_number=entry["arrival_number"]
        )
        what = _("arrival number %(n)s of %(y)s") % {
            "n": entry["arrival_number"],
            "y": entry["arrival_year"],
        }
    else:
        found = found.filter(number_year=entry["number_year"], code_number=entry["code_number"])
        what = _("outgoing number %(n)s of %(y)s") % {
            "n": entry["code_number"],
            "y": entry["number_year"],
        }
    document = found.order_by("pk").first()
    if document is None:
        raise InvalidInput(
            _("The register has no %(what)s, which the file name points to.") % {"what": what}
        )
    return document


def intake_retry(*, actor: Actor, item: IntakeFile) -> IntakeFile:
    """Read a refused scan again (after the cause was fixed: a model installed, a
    register opened, the entry corrected), as a new attempt.

    Raises:
        NotFound: the row is outside the actor's scope.
        InvalidInput: the row is not refused, or its file never arrived.
    """
    locked_qs = IntakeFile.objects.restrict(actor, "change")  # type: ignore[arg-type]
    with transaction.atomic():
        locked = locked_qs.select_for_update(of=("self",)).filter(pk=item.pk).first()
        if locked is None:
            from lienthong.core.errors import NotFound

            raise NotFound(_("This scan does not exist or you may not change it."))
        if locked.state != IntakeState.REFUSED:
            raise InvalidInput(_("Only a refused scan can be read again."))
        if locked.original_id is None:
            raise InvalidInput(_("This file never arrived: send it again."))
        locked.state = IntakeState.QUEUED
        locked.reason = ""
        locked.finished_at = None
        locked.save(update_fields=["state", "reason", "finished_at"])
        record(actor=actor, verb="intake.retry", target=locked)
        from lienthong.documents.tasks import read_scan

        enqueue_on_commit(read_scan, locked.pk)
    return locked


def _readings_waiting() -> bool | None:
    """Whether any reading task waits or runs in the database queue (None: the backend
    cannot be asked, e.g. Redis)."""
    from lienthong.documents.tasks import read_scan

    backend = read_scan.get_backend()
    if not backend.__class__.__module__.startswith("django_tasks_db"):
        return None
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=read_scan.module_path, status__in=("READY", "RUNNING")
    ).exists()


def intakes_requeue_stalled() -> int:
    """Queue again what would otherwise wait for ever:

    - a scan "being read" for longer than ``INTAKE_STALL_MINUTES`` (its worker died): it
      goes back to waiting with a new task (if that worker was only slow, its late
      finish is dropped by the claim's attempt number);
    - scans waiting while no reading task is left in the database queue (their task was
      lost between the commit and the enqueue). A backlog that is still being worked
      through is left alone, so nothing is enqueued twice for it.

    Returns:
        How many scans were queued again.
    """
    from lienthong.documents.tasks import read_scan

    limit = timezone.now() - dt.timedelta(minutes=_stall_minutes())
    again: list[int] = []
    with transaction.atomic():
        stalled = IntakeFile.objects.select_for_update().filter(
            state=IntakeState.RUNNING, started_at__lt=limit
        )
        again += list(stalled.values_list("pk", flat=True))
        IntakeFile.objects.filter(pk__in=again).update(state=IntakeState.QUEUED)
    if _readings_waiting() is False:
        again += [
            pk
            for pk in IntakeFile.objects.filter(
                state=IntakeState.QUEUED, created_at__lt=limit
            ).values_list("pk", flat=True)
            if pk not in again
        ]
    for pk in again:
        read_scan.enqueue(pk)
    return len(again)
