"""Corrections (đính chính) and replacements (thay thế) of issued documents.

NĐ 30 Điều 18 (vn-rules.md §1.4 "Corrections and recalls"): an error of content is fixed
by a document of the same form, which replaces the first; an error of form or procedure
is corrected by a công văn. Either is a new outgoing draft of the unit that issued the
original, linked to it (``Document.replaces`` or ``Document.corrects``), and goes the
normal way: draft → approve → sign → issue. When it is issued, the original is marked
in the same transaction (``original_mark``, called by ``document_issue`` before the
``issued_hooks``): a replaced document gets ``replaced_at`` (shown as "replaced"
wherever it is listed) and a note "Replaced by No. …"; a corrected one keeps its state
and gets the note "Corrected by No. …" (the note is the register's Ghi chú column).

edXML carries the link as BussinessDocType 3 (replacement) or 2 (update) (vn-rules.md
§3.4): an issued hook reads ``document.link_kind`` and ``document.replaces`` /
``document.corrects``.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor
from lienthong.core.errors import InvalidInput, PermissionDenied
from lienthong.documents.choices import Direction, DocumentState
from lienthong.documents.models import Document, DocumentType
from lienthong.documents.services._common import (
    audit,
    index,
    person,
    require_document,
    save_checked,
    unit_allowed,
)

__all__ = [
    "CORRECTS",
    "REPLACES",
    "check_before_issue",
    "check_original",
    "document_correct",
    "document_replace",
    "original_mark",
]

REPLACES = "replaces"
CORRECTS = "corrects"
_NOTE_MAX = 500


def _replaced_by_number(original: Document) -> str:
    issued = original.replaced_by.filter(state=DocumentState.ISSUED).first()
    return issued.number_display if issued is not None else ""


def check_original(
    *, actor: Actor, original: Document, kind: str, document_type: DocumentType | None
) -> Document:
    """Refuse a correction or replacement that the rules do not allow.

    Args:
        actor: who drafts it (needs ``documents.add_document`` in the original's unit).
        original: the document to correct or replace.
        kind: ``REPLACES`` or ``CORRECTS``.
        document_type: the new document's type (None: checked later by the caller).

    Returns:
        The original, re-resolved for the actor.

    Raises:
        NotFound: the original is out of the actor's sight.
        PermissionDenied: the actor may not draft documents in the original's unit.
        InvalidInput: not an issued outgoing document, already replaced, or the wrong type.
    """
    person(actor)
    original = require_document(actor, original, "view")
    if not unit_allowed(actor, original.unit, "documents.add_document"):
        raise PermissionDenied(
            _(
                "Only a person who drafts documents in %(unit)s can correct or replace "
                "its documents."
            )
            % {"unit": original.unit.name}
        )
    if original.direction != Direction.OUTGOING:
        raise InvalidInput(_("Only a document issued by this unit can be corrected or replaced."))
    if original.replaced_at is not None:
        raise InvalidInput(
            _("This document has already been replaced (by %(number)s).")
            % {"number": _replaced_by_number(original) or "—"}
        )
    if original.state != DocumentState.ISSUED:
        raise InvalidInput(
            _("Only an issued document can be corrected or replaced; this one is %(state)s.")
            % {"state": original.get_state_display()}
        )
    if document_type is not None:
        # vn-rules.md §1.4 (NĐ 30 Điều 18): a correction is a công văn, a replacement
        # a document of the same form as the original.
        if kind == CORRECTS and not document_type.is_letter:
            raise InvalidInput(
                _("A correction (đính chính) is a công văn, not a %(type)s.")
                % {"type": document_type.name}
            )
        if kind == REPLACES and document_type.pk != original.document_type_id:
            raise InvalidInput(
                _("A replacement is a document of the same type as the original: %(type)s.")
                % {"type": original.document_type.name}
            )
    return original


def _draft(*, actor: Actor, original: Document, kind: str, fields: dict[str, Any]) -> Document:
    from lienthong.documents.services.outgoing import document_draft_create

    for reserved in ("unit", "replaces", "corrects"):
        if reserved in fields:
            raise TypeError(f"{reserved} is set by the correction or replacement itself")
    # document_draft_create runs check_original (scope, state, type) before anything.
    return document_draft_create(
        actor=actor,
        unit=original.unit,
        replaces=original if kind == REPLACES else None,
        corrects=original if kind == CORRECTS else None,
        **fields,
    )


def document_correct(
    *, actor: Actor, original: Document, document_type: DocumentType, **fields: Any
) -> Document:
    """Start a correction (đính chính) of an issued document: a công văn of the same
    unit, linked to it (NĐ 30 Điều 18, vn-rules.md §1.4).

    The draft then goes the normal way (submit, approve, sign, issue); when it is
    issued, the original gets the note "Corrected by No. …".

    Args:
        actor: the drafter (``documents.add_document`` in the original's unit).
        original: the issued document to correct.
        document_type: a công văn type of the unit's convention.
        **fields: the other arguments of ``document_draft_create`` (subject, body or
            file_data and file_name, signer, recipients …).

    Returns:
        The draft.

    Raises:
        NotFound: the original is out of sight.
        PermissionDenied: the actor may not draft in the original's unit.
        InvalidInput: the original is not issued or already replaced, the type is not a
            công văn, or anything ``document_draft_create`` refuses.
    """
    return _draft(
        actor=actor,
        original=original,
        kind=CORRECTS,
        fields={"document_type": document_type, **fields},
    )


def document_replace(
    *,
    actor: Actor,
    original: Document,
    document_type: DocumentType | None = None,
    **fields: Any,
) -> Document:
    """Start a replacement (thay thế) of an issued document: a document of the same
    type and unit, linked to it (NĐ 30 Điều 18, vn-rules.md §1.4).

    The draft then goes the normal way; when it is issued, the original is marked
    replaced.

    Args:
        actor: the drafter (``documents.add_document`` in the original's unit).
        original: the issued document to replace.
        document_type: the original's type (the default); another type is refused.
        **fields: the other arguments of ``document_draft_create``.

    Returns:
        The draft.

    Raises:
        NotFound: the original is out of sight.
        PermissionDenied: the actor may not draft in the original's unit.
        InvalidInput: the original is not issued or already replaced, another type, or
            anything ``document_draft_create`` refuses.
    """
    return _draft(
        actor=actor,
        original=original,
        kind=REPLACES,
        fields={"document_type": document_type or original.document_type, **fields},
    )


def _append_note(original: Document, line: str) -> None:
    note = f"{original.note}; {line}" if original.note else line
    original.note = note[:_NOTE_MAX]


def _still_open(original: Document) -> None:
    if original.replaced_at is not None:
        raise InvalidInput(
            _("The original %(number)s has already been replaced (by %(by)s).")
            % {"number": original.number_display, "by": _replaced_by_number(original) or "—"}
        )
    if original.state != DocumentState.ISSUED:
        raise InvalidInput(
            _("The original %(number)s is %(state)s: it can no longer be corrected or replaced.")
            % {"number": original.number_display, "state": original.get_state_display()}
        )


def check_before_issue(document: Document) -> None:
    """Refuse to issue a correction or replacement whose original can no longer take it
    (recalled meanwhile, or replaced by another document).

    Raises:
        InvalidInput: the original is no longer issued, or already replaced.
    """
    original_id = document.replaces_id or document.corrects_id
    if original_id is not None:
        _still_open(Document.objects.get(pk=original_id))


def original_mark(*, actor: Actor, document: Document) -> Document | None:
    """Mark the original of a correction or replacement that has just been issued.

    Called by ``document_issue`` inside its transaction, after the number is given and
    before the ``issued_hooks``. The original's row is locked; a replaced one gets
    ``replaced_at`` and the note "Replaced by No. …", a corrected one the note
    "Corrected by No. …" (NĐ 30 Điều 18; the note is the register's Ghi chú); both are
    audited (``document.replaced`` / ``document.corrected``) and re-indexed.

    Returns:
        The original, or None when ``document`` neither replaces nor corrects one.

    Raises:
        InvalidInput: the original is no longer issued, or already replaced (the
            caller's transaction rolls back: nothing is issued).
    """
    original_id = document.replaces_id or document.corrects_id
    if original_id is None:
        return None
    original = Document.objects.select_for_update().get(pk=original_id)
    _still_open(original)
    number = document.number_display
    if document.replaces_id is not None:
        original.replaced_at = timezone.now()
        _append_note(original, _("Replaced by No. %(number)s") % {"number": number})
        verb = "document.replaced"
    else:
        _append_note(original, _("Corrected by No. %(number)s") % {"number": number})
        verb = "document.corrected"
    save_checked(original)
    audit(actor, verb, original, by=document.pk, number=number)
    index(original)
    return original
