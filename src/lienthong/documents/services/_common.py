"""Small helpers shared by the documents services (not part of the public API)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput, NotFound, PermissionDenied
from lienthong.core.permissions import holds_in
from lienthong.documents.choices import FileKind
from lienthong.documents.models import Document, DocumentEvent, DocumentFile, StoredFile


def unit_allowed(actor: Actor, unit: Any, permission: str) -> bool:
    """Tell whether ``actor`` holds ``permission`` ("documents.add_document") in ``unit``
    (``core.permissions.holds_in`` for an actor)."""
    return holds_in(actor, unit, permission)  # type: ignore[arg-type]


def require_unit(actor: Actor, unit: Any, permission: str) -> None:
    """Refuse (as "not found", habit 6) a unit where ``actor`` lacks ``permission``.

    Raises:
        NotFound: the unit is outside the actor's scope for this permission.
    """
    if unit is None or not unit_allowed(actor, unit, permission):
        raise NotFound(_("This unit does not exist or you may not do this there."))


def require_document(actor: Actor, document: Document, action: str) -> Document:
    """Re-resolve ``document`` through the selector for ``actor`` and ``action``.

    Raises:
        NotFound: the document is outside the actor's scope or clearance.
    """
    from lienthong.documents import selectors

    return selectors.document_get(user=actor, pk=document.pk, action=action)


def require_state(document: Document, *states: str) -> None:
    """Refuse a step from the wrong state.

    Raises:
        InvalidInput: the document is not in one of ``states``.
    """
    if document.state not in states:
        raise InvalidInput(
            _("This cannot be done to a document that is %(state)s.")
            % {"state": document.get_state_display()}
        )


def event(document: Document, kind: str, actor: Actor, text: str = "") -> DocumentEvent:
    """Add one entry to the document's history."""
    who: Any = actor if getattr(actor, "pk", None) and hasattr(actor, "get_username") else None
    return DocumentEvent.objects.create(document=document, kind=kind, actor=who, text=text)


def save_checked(obj: Any) -> None:
    """``full_clean()`` then ``save()``, a model error becoming ``InvalidInput``."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), extra={"fields": exc.message_dict}) from exc
    obj.save()


def add_file(
    *, document: Document, kind: str, stored: StoredFile, name: str, actor: Any
) -> DocumentFile:
    """Attach stored content to a document as the next version of ``kind``."""
    last = document.files.filter(kind=kind).aggregate(top=Max("version"))["top"] or 0
    row = DocumentFile(
        document=document,
        kind=kind,
        version=last + 1,
        stored=stored,
        name=name[:255],
        added_by=actor,
    )
    save_checked(row)
    flags: dict[str, str] = {
        FileKind.SIGNED: "has_signed_file",
        FileKind.DIGITISED: "has_digitised_file",
    }
    flag = flags.get(kind)
    if flag is not None and not getattr(document, flag):
        Document.objects.filter(pk=document.pk).update(**{flag: True})
        setattr(document, flag, True)
    return row


def person(actor: Actor) -> Any:
    """The person behind ``actor``.

    Raises:
        PermissionDenied: the actor is a system or a peer, not a person.
    """
    if not hasattr(actor, "get_username") or getattr(actor, "pk", None) is None:
        raise PermissionDenied(_("Only a person can do this."))
    return actor


def index(document: Document) -> None:
    """Update the search index once the transaction commits."""
    from lienthong.documents.search import index_on_commit

    index_on_commit(document.pk)


def audit(actor: Actor, verb: str, document: Document, **data: Any) -> None:
    """Record ``verb`` about ``document`` in the audit log."""
    record(actor=actor, verb=verb, target=document, data=data or None)
