"""Outgoing documents: draft → submit → approve → sign → issue, and recall (issue #4 scope 3).

NĐ 30 Điều 14-19 and HD 36 (vn-rules.md §1.4, §2): a specialist drafts (writes the text
or uploads a DOCX/PDF), reviewers approve in one or more steps, the person with
authority signs (a PAdES signature with their own certificate), and the clerk issues:
the next number of the unit's outgoing register, the register entry and the unit's seal
signature, all in one transaction. Every step is audited and kept in the document's
history (Phụ lục VI Phần I.III: every draft, comment and approval is stored).

Where a higher app must act on an issued document (``exchange`` builds an envelope per
recipient), it appends a callable to ``issued_hooks`` in its ``AppConfig.ready()``;
the hooks run inside the issuing transaction (DESIGN.md "hooks").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor
from lienthong.core.errors import InvalidInput, PermissionDenied
from lienthong.documents import selectors
from lienthong.documents.choices import (
    Competence,
    Convention,
    Direction,
    DocumentState,
    EventKind,
    FileKind,
    Priority,
)
from lienthong.documents.models import (
    Document,
    DocumentFile,
    DocumentType,
    Recipient,
    UnitProfile,
)
from lienthong.documents.services import corrections, files, formatcheck, rendering
from lienthong.documents.services._common import (
    add_file,
    audit,
    event,
    index,
    person,
    require_document,
    require_state,
    require_unit,
    save_checked,
    unit_allowed,
)
from lienthong.documents.services.guard import classification_guard
from lienthong.documents.services.hooks import run_recall_hooks

__all__ = [
    "IssuedHook",
    "document_approve",
    "document_comment",
    "document_draft_create",
    "document_draft_update",
    "document_issue",
    "document_recall",
    "document_return",
    "document_sign",
    "document_submit",
    "issued_hooks",
    "pending_approvers",
]

IssuedHook = Callable[[Document], None]

#: Called with each document inside the transaction that issues it (DESIGN.md "hooks"):
#: ``exchange`` registers here to put one envelope per recipient in its outbox.
#:
#: The document is numbered, registered and sealed when a hook runs. A correction or a
#: replacement (NĐ 30 Điều 18, ``services.corrections``) carries its link:
#: ``document.link_kind`` is ``"replaces"`` (``document.replaces`` is the original;
#: edXML BussinessDocType 3, vn-rules.md §3.4) or ``"corrects"`` (``document.corrects``;
#: BussinessDocType 2), else ``""`` (a new document, BussinessDocType 0). The original
#: is already marked when the hooks run (``replaced_at`` and its note are set).
issued_hooks: list[IssuedHook] = []

_APPROVERS = re.compile(r"^\[approvers: ([0-9, ]*)\]$", re.MULTILINE)
_EDITABLE = (
    "subject",
    "body",
    "priority",
    "due_date",
    "competence",
    "signer_position",
    "signer_name",
    "recipients_text",
    "document_type",
    "signer",
    "classification",
    "note",
)


def _level() -> str:
    return str(getattr(settings, "DOCUMENT_SIGNATURE_LEVEL", "B-LTA"))


def _convention_of(unit: Any) -> str:
    profile = UnitProfile.objects.filter(unit=unit).first()
    return profile.convention if profile is not None else Convention.PARTY


def _check_type(document_type: DocumentType, convention: str) -> None:
    if document_type.convention != convention or not document_type.is_active:
        raise InvalidInput(
            _("The type %(type)s is not one of this unit's document types.")
            % {"type": document_type.name}
        )


def _check_subject(subject: str) -> str:
    subject = (subject or "").strip()
    if not subject:
        raise InvalidInput(_("The subject (trích yếu) is empty."))
    return subject


def _recipient_units(units: Iterable[Any]) -> list[Any]:
    """The units named as recipients, from the whole unit directory.

    Recipients are not resolved through the actor's scope: a document may be sent to any
    unit of the network (that is what exchange is for), and naming a unit discloses
    nothing the network's unit directory does not already publish.
    """
    from lienthong.org.models import Unit

    ids = [getattr(u, "pk", u) for u in units]
    found = list(Unit.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise InvalidInput(_("A recipient unit does not exist."))
    return found


def _store_upload(data: bytes, name: str) -> tuple[Any, str]:
    upload = files.upload_as_pdf(data=data, name=name)
    stored = files.file_store(data=upload.pdf, name=upload.name, expected="pdf")
    return stored, upload.name


def document_draft_create(
    *,
    actor: Actor,
    unit: Any,
    document_type: DocumentType,
    subject: str,
    body: str = "",
    file_data: bytes | None = None,
    file_name: str = "",
    priority: int = Priority.NORMAL,
    classification: int = 0,
    competence: str = Competence.NONE,
    signer: Any = None,
    signer_position: str = "",
    signer_name: str = "",
    due_date: dt.date | None = None,
    recipient_units: Iterable[Any] = (),
    recipients_text: str = "",
    answers: Document | None = None,
    replaces: Document | None = None,
    corrects: Document | None = None,
) -> Document:
    """Create an outgoing draft in ``unit``: written text, or an uploaded DOCX/PDF as
    version 1 (a DOCX is converted to PDF with LibreOffice when installed).

    Args:
        actor: the drafter (needs ``documents.add_document`` in ``unit``).
        unit: the issuing unit.
        document_type: one of the unit's convention's types.
        subject: the trích yếu (required).
        body: the text, when written in lienthong.
        file_data: the uploaded file (DOCX or PDF), instead of or beside ``body``.
        file_name: its name.
        priority: độ khẩn 0-4.
        classification: độ mật 0-3 (refused on an Internet node, vn-rules.md §5.2).
        competence: the signing prefix (TM., KT., … or T/M, K/T, T/L).
        signer: the person who will sign.
        signer_position: the signer's title lines.
        signer_name: the name printed under the signature (the signer's by default).
        due_date: hạn trả lời.
        recipient_units: units (anywhere in the network) it is sent to.
        recipients_text: other "Nơi nhận" lines, one a line.
        answers: the incoming document it answers.
        replaces: the issued document it replaces (same unit and type; see
            ``services.corrections.document_replace``).
        corrects: the issued document it corrects (a công văn of the same unit; see
            ``services.corrections.document_correct``).

    Returns:
        The draft.

    Raises:
        InvalidInput: classified content on an Internet node, an empty subject, a type
            of the other convention, a file that is not a PDF/DOCX or cannot be converted,
            an original that may not be replaced or corrected (not issued, already
            replaced, another unit, the wrong type).
        NotFound: the unit (or a linked document) is outside the actor's scope.
        PermissionDenied: a linked original of a unit where the actor may not draft.
    """
    classification_guard(classification=classification)
    creator = person(actor)
    if replaces is not None and corrects is not None:
        raise InvalidInput(_("A document either replaces or corrects another one, not both."))
    for kind, linked in ((corrections.REPLACES, replaces), (corrections.CORRECTS, corrects)):
        if linked is not None:
            linked = corrections.check_original(
                actor=actor, original=linked, kind=kind, document_type=document_type
            )
            if linked.unit_id != getattr(unit, "pk", None):
                raise InvalidInput(
                    _("A correction or replacement is issued by the unit that issued the original.")
                )
    require_unit(actor, unit, "documents.add_document")
    subject = _check_subject(subject)
    convention = _convention_of(unit)
    _check_type(document_type, convention)
    if not body.strip() and not file_data:
        raise InvalidInput(_("Write the document or upload its file."))
    if answers is not None:
        require_document(actor, answers, "view")
    recipients = _recipient_units(recipient_units)
    stored = None
    stored_name = ""
    if file_data:
        stored, stored_name = _store_upload(file_data, file_name or "du-thao.pdf")
    with transaction.atomic():
        document = Document(
            unit=unit,
            direction=Direction.OUTGOING,
            convention=convention,
            state=DocumentState.DRAFT,
            document_type=document_type,
            subject=subject,
            body=body.strip(),
            priority=priority,
            classification=classification,
            competence=competence,
            signer=signer,
            signer_position=signer_position.strip(),
            signer_name=(signer_name or (getattr(signer, "full_name", "") if signer else ""))[:50],
            due_date=due_date,
            recipients_text=recipients_text.strip(),
            issuer_name=unit.name,
            created_by=creator,
            answers=answers,
            replaces=replaces,
            corrects=corrects,
            text_content=body.strip(),
        )
        save_checked(document)
        for recipient_unit in recipients:
            save_checked(Recipient(document=document, unit=recipient_unit))
        if stored is not None:
            add_file(
                document=document,
                kind=FileKind.DRAFT,
                stored=stored,
                name=stored_name,
                actor=creator,
            )
        event(document, EventKind.CREATED, actor)
        link = document.link_kind
        original = document.replaces_id or document.corrects_id
        extra = {link: original} if link else {}
        audit(actor, "document.create", document, subject=subject, **extra)
        index(document)
    return document


def document_draft_update(
    *,
    actor: Actor,
    document: Document,
    file_data: bytes | None = None,
    file_name: str = "",
    recipient_units: Iterable[Any] | None = None,
    **changes: Any,
) -> Document:
    """Change a draft; a new file becomes the next version, and earlier text and files
    are kept in the history.

    Args:
        actor: needs ``documents.change_document`` on the document.
        document: a draft.
        file_data: a new version of the file (DOCX or PDF).
        file_name: its name.
        recipient_units: replaces the recipient units when given.
        changes: fields among subject, body, priority, due_date, competence, signer,
            signer_position, signer_name, recipients_text, document_type,
            classification, note.

    Raises:
        InvalidInput: not a draft, an unknown field, an empty subject, classified content
            on an Internet node, a bad file.
        NotFound: the document is outside the actor's reach.
    """
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise InvalidInput(_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(unknown)})
    if "classification" in changes:
        classification_guard(classification=changes["classification"])
    editor = person(actor)
    document = require_document(actor, document, "change")
    require_state(document, DocumentState.DRAFT)
    if "subject" in changes:
        changes["subject"] = _check_subject(changes["subject"])
    if "document_type" in changes:
        _check_type(changes["document_type"], document.convention)
    recipients = _recipient_units(recipient_units) if recipient_units is not None else None
    stored = None
    stored_name = ""
    if file_data:
        stored, stored_name = _store_upload(file_data, file_name or "du-thao.pdf")
    with transaction.atomic():
        old_body = document.body
        for name, value in changes.items():
            setattr(document, name, value.strip() if isinstance(value, str) else value)
        document.text_content = document.body
        save_checked(document)
        if recipients is not None:
            document.recipients.filter(unit__isnull=False).delete()
            for recipient_unit in recipients:
                save_checked(Recipient(document=document, unit=recipient_unit))
        if "body" in changes and old_body != document.body:
            # The earlier text is kept in the history (Phụ lục VI Phần I.III).
            event(document, EventKind.VERSION, actor, old_body)
        if stored is not None:
            row = add_file(
                document=document,
                kind=FileKind.DRAFT,
                stored=stored,
                name=stored_name,
                actor=editor,
            )
            event(document, EventKind.VERSION, actor, _("Version %(v)d") % {"v": row.version})
        audit(actor, "document.update", document, fields=sorted(changes))
        index(document)
    return document


def document_comment(*, actor: Actor, document: Document, text: str) -> Document:
    """Add a comment to the document's history (anyone who may see it).

    Raises:
        InvalidInput: an empty comment.
        NotFound: out of reach.
    """
    if not text.strip():
        raise InvalidInput(_("The comment is empty."))
    document = require_document(actor, document, "view")
    with transaction.atomic():
        event(document, EventKind.COMMENT, actor, text.strip())
        audit(actor, "document.comment", document)
    return document


def pending_approvers(document: Document) -> list[int] | None:
    """The people still to approve the current submission, in order; None when any
    leader holding ``documents.approve_document`` may approve."""
    submitted = document.events.filter(kind=EventKind.SUBMITTED).order_by("-created_at", "-pk")
    last = submitted.first()
    if last is None:
        return None
    found = _APPROVERS.search(last.text)
    if found is None:
        return None
    named = [int(x) for x in found.group(1).replace(" ", "").split(",") if x]
    done = set(
        document.events.filter(kind=EventKind.APPROVED, pk__gt=last.pk).values_list(
            "actor_id", flat=True
        )
    )
    return [pk for pk in named if pk not in done]


def document_submit(
    *, actor: Actor, document: Document, approvers: Iterable[Any] = (), note: str = ""
) -> Document:
    """Submit a draft for approval, to named approvers in order or to any leader.

    Args:
        actor: needs ``documents.change_document`` on the document.
        document: a draft.
        approvers: people who approve one after the other; empty means any leader with
            ``documents.approve_document`` over the unit.
        note: a word to the approvers.

    Raises:
        InvalidInput: not a draft, or an approver who may not approve this document.
        NotFound: out of reach.
    """
    document = require_document(actor, document, "change")
    require_state(document, DocumentState.DRAFT)
    chain = list(approvers)
    for approver in chain:
        if not unit_allowed(approver, document.unit, "documents.approve_document"):
            raise InvalidInput(
                _("%(name)s may not approve this unit's documents.") % {"name": approver}
            )
    text = note.strip()
    if chain:
        names = ", ".join(str(a) for a in chain)
        text = "\n".join(
            x
            for x in (
                text,
                _("Approvers: %(names)s") % {"names": names},
                f"[approvers: {', '.join(str(a.pk) for a in chain)}]",
            )
            if x
        )
    with transaction.atomic():
        document.state = DocumentState.SUBMITTED
        save_checked(document)
        event(document, EventKind.SUBMITTED, actor, text)
        audit(actor, "document.submit", document, approvers=[a.pk for a in chain])
        index(document)
    return document


def document_approve(*, actor: Actor, document: Document, note: str = "") -> Document:
    """Approve a submitted document; the last approval makes it ``approved``.

    Raises:
        PermissionDenied: the actor is not the next named approver.
        InvalidInput: not submitted.
        NotFound: the actor may not approve this unit's documents.
    """
    document = require_document(actor, document, "approve")
    require_state(document, DocumentState.SUBMITTED)
    pending = pending_approvers(document)
    if pending is not None and (not pending or pending[0] != getattr(actor, "pk", None)):
        raise PermissionDenied(_("Another approver must approve this document first."))
    with transaction.atomic():
        event(document, EventKind.APPROVED, actor, note.strip())
        if pending is None or len(pending) == 1:
            document.state = DocumentState.APPROVED
            save_checked(document)
        audit(actor, "document.approve", document, final=document.state == DocumentState.APPROVED)
        index(document)
    return document


def document_return(*, actor: Actor, document: Document, reason: str) -> Document:
    """Return a submitted or approved document to its drafter for changes.

    Raises:
        InvalidInput: no reason, or the document is not waiting for approval or signature.
        NotFound: the actor may not approve this unit's documents.
    """
    if not reason.strip():
        raise InvalidInput(_("Say what should be changed."))
    document = require_document(actor, document, "approve")
    require_state(document, DocumentState.SUBMITTED, DocumentState.APPROVED)
    with transaction.atomic():
        document.state = DocumentState.DRAFT
        save_checked(document)
        event(document, EventKind.RETURNED, actor, reason.strip())
        audit(actor, "document.return", document, reason=reason.strip()[:500])
        index(document)
    return document


def _pdf_to_sign(document: Document) -> tuple[bytes, dict[str, Any]]:
    """The PDF the person signs and the stamp placement: the rendered text, or the
    latest uploaded draft version."""
    if document.body.strip() and not document.files.filter(kind=FileKind.DRAFT).exists():
        rendered = rendering.render_pdf(document=document, for_signing=True)
        options: dict[str, Any] = {"title_line": rendered.title_line}
        if rendered.signature_box is not None:
            options["box"] = [round(v, 2) for v in rendered.signature_box]
            options["page"] = rendered.signature_page
        return rendered.pdf, options
    latest = document.files.filter(kind=FileKind.DRAFT).order_by("-version").first()
    if latest is None:
        raise InvalidInput(_("The document has no content: write it or upload a file."))
    title = "\n".join(
        line.upper() for line in document.signer_position.splitlines() if line.strip()
    )
    if document.competence and title:
        title = f"{document.competence} {title}"
    # An uploaded PDF gets empty number and date fields top right of page 1, which the
    # seal signature fills at issue (vn-rules.md §1.3 boxes 3-4, §1.4, §1.9).
    pdf = rendering.with_number_fields(files.file_read(latest.stored))
    return pdf, {"title_line": title}


def _file_name(document: Document, suffix: str) -> str:
    number = document.number_display.replace("/", "_") if document.number_display else ""
    base = number or f"van-ban-{document.pk}"
    return f"{base}-{suffix}.pdf"


def _sign(
    *,
    actor: Actor,
    document: Document,
    kind: str,
    certificate: Any,
    pdf: bytes,
    options: dict[str, Any],
    second_factor_verified: bool,
    token_pin: str | None,
) -> bytes:
    from lienthong.trust.signing import signature_request_create, signature_request_sign

    request = signature_request_create(
        actor=actor,
        unit=document.unit,
        signer=actor,
        certificate=certificate,
        kind=kind,
        title=f"{document.document_type.name} {document.number_display}".strip()
        + f" — {document.subject[:200]}",
        pdf=pdf,
        options={"level": _level(), **options},
    )
    request = signature_request_sign(
        actor=actor,
        request=request,
        second_factor_verified=second_factor_verified,
        token_pin=token_pin,
    )
    with request.output_pdf.open("rb") as handle:
        data: bytes = handle.read()
    return data


def document_sign(
    *,
    actor: Actor,
    document: Document,
    second_factor_verified: bool,
    token_pin: str | None = None,
    certificate: Any = None,
) -> Document:
    """The signer signs an approved document with their own certificate (PAdES).

    The format check runs first and blocks signing until everything it lists is fixed.
    The PDF signed is the rendered text (HD 36 / NĐ 30 layout, the stamp placed in the
    signer block) or the latest uploaded version; the signed PDF is kept as a file of
    kind ``signed``.

    Args:
        actor: the signer named on the document.
        document: an approved document.
        second_factor_verified: the signer gave their second factor in this session.
        token_pin: the PIN of their USB token, when the key is on one.
        certificate: the certificate to use; their valid person-signing one by default.

    Raises:
        InvalidInput: not approved, format problems (``extra["issues"]``), no signing
            certificate.
        PermissionDenied: not the named signer, or no second factor.
        NotFound: out of reach.
        lienthong.trust.errors.TrustError: signing failed (kept on the signature request).
    """
    from lienthong.trust.choices import CertificateProfile
    from lienthong.trust.selectors import signing_certificates

    signer = person(actor)
    document = require_document(actor, document, "view")
    require_state(document, DocumentState.APPROVED)
    if document.signer_id is not None and document.signer_id != signer.pk:
        raise PermissionDenied(_("Only the signer named on the document can sign it."))
    if document.signer_id is None:
        document.signer = signer
    if not document.signer_name:
        document.signer_name = (signer.full_name or signer.get_username())[:50]
    formatcheck.require_no_issues(formatcheck.issues_before_sign(document), what=_("signing"))
    if certificate is None:
        certificate = (
            signing_certificates(user=signer)
            .filter(profile=CertificateProfile.PERSON_SIGNING, holder_user_id=signer.pk)
            .first()
        )
    if certificate is None:
        raise InvalidInput(_("You have no valid signing certificate on this node."))
    pdf, options = _pdf_to_sign(document)
    options["name"] = document.signer_name
    signed = _sign(
        actor=actor,
        document=document,
        kind="person",
        certificate=certificate,
        pdf=pdf,
        options=options,
        second_factor_verified=second_factor_verified,
        token_pin=token_pin,
    )
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        require_state(locked, DocumentState.APPROVED)
        stored = files.file_store(data=signed, name="signed.pdf", expected="pdf")
        add_file(
            document=document,
            kind=FileKind.SIGNED,
            stored=stored,
            name=_file_name(document, "ky"),
            actor=signer,
        )
        document.state = DocumentState.SIGNED
        save_checked(document)
        event(document, EventKind.SIGNED, actor)
        audit(actor, "document.sign", document, certificate=certificate.serial_number)
        index(document)
    return document


def _latest_signed(document: Document) -> DocumentFile:
    row = document.files.filter(kind=FileKind.SIGNED).order_by("-version").first()
    if row is None:
        raise InvalidInput(_("The document has not been signed."))
    return row


def document_issue(
    *,
    actor: Actor,
    document: Document,
    second_factor_verified: bool,
    token_pin: str | None = None,
    on: dt.date | None = None,
    drafting_unit_code: str = "",
) -> Document:
    """The clerk issues a signed document: number, register entry, the unit's seal
    signature and the recipients, in one transaction (NĐ 30 Điều 15-17; vn-rules.md
    §1.4, §1.9), then the ``issued_hooks`` (exchange) inside the same transaction.

    A document rendered by lienthong carries the number and date as text fields; the
    seal signature fills them, so the issued PDF shows "Số 01-CV/TU" and the date with
    the person's signature still valid. An uploaded PDF got two empty fields in the top
    right of page 1 before the person signed (``rendering.with_number_fields``): the
    seal fills them the same way. A PDF signed without them (before this existed) is
    sealed as it is.

    A correction or replacement (``services.corrections``) marks its original in the
    same transaction, before the hooks run; it is refused if the original was recalled
    or replaced meanwhile.

    Args:
        actor: the clerk (``documents.issue_document`` on the unit, the unit's seal).
        document: a signed outgoing document.
        second_factor_verified: the clerk gave their second factor in this session.
        token_pin: the PIN of the seal's token, when on one.
        on: the date of issue (today by default).
        drafting_unit_code: the drafting unit's abbreviation (State công văn "UBND-VP").

    Returns:
        The issued document; nothing changes if any step fails.

    Raises:
        InvalidInput: not signed, format problems, no outgoing register in use, no seal
            certificate, a duplicate number, an original that can no longer be
            corrected or replaced.
        NotFound: out of reach.
        lienthong.trust.errors.TrustError: the seal signature failed.
    """
    from lienthong.documents.numbering import number_assign
    from lienthong.trust.choices import CertificateProfile
    from lienthong.trust.models import Certificate

    clerk = person(actor)
    document = require_document(actor, document, "issue")
    require_state(document, DocumentState.SIGNED)
    formatcheck.require_no_issues(formatcheck.issues_before_issue(document), what=_("issuing"))
    corrections.check_before_issue(document)
    register = selectors.register_active(unit=document.unit, direction=Direction.OUTGOING)
    if register is None:
        raise InvalidInput(_("The unit has no outgoing register in use."))
    seal = (
        Certificate.objects.filter(profile=CertificateProfile.UNIT_SEAL, holder_unit=document.unit)
        .valid_at()  # type: ignore[attr-defined]
        .filter(key__isnull=False)
        .exclude(key__storage="none")
        .order_by("-not_before")
        .first()
    )
    if seal is None:
        raise InvalidInput(_("The unit has no valid seal certificate on this node."))
    signed = _latest_signed(document)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        require_state(locked, DocumentState.SIGNED)
        number_assign(
            actor=actor,
            document=document,
            register=register,
            on=on,
            drafting_unit_code=drafting_unit_code,
        )
        formatcheck.require_no_issues(formatcheck.issues_of_number(document), what=_("issuing"))
        # The person signed before the number existed: the seal signature fills the
        # number and date fields of a rendered document (form filling keeps the
        # person's signature valid; vn-rules.md §1.4, §1.9).
        sealed = _sign(
            actor=actor,
            document=document,
            kind="seal",
            certificate=seal,
            pdf=files.file_read(signed.stored),
            options={"fill_fields": rendering.issue_fields(document)},
            second_factor_verified=second_factor_verified,
            token_pin=token_pin,
        )
        stored = files.file_store(data=sealed, name="issued.pdf", expected="pdf")
        add_file(
            document=document,
            kind=FileKind.SIGNED,
            stored=stored,
            name=_file_name(document, "ban-hanh"),
            actor=clerk,
        )
        document.state = DocumentState.ISSUED
        save_checked(document)
        # NĐ 30 Điều 18 (vn-rules.md §1.4): the original of a correction or replacement
        # is marked before the hooks see the document.
        corrections.original_mark(actor=actor, document=document)
        recipients = [str(r) for r in document.recipients.select_related("unit")]
        event(document, EventKind.ISSUED, actor, document.number_line)
        audit(
            actor,
            "document.issue",
            document,
            number=document.number_display,
            register=register.pk,
            issued=timezone.localdate().isoformat() if on is None else on.isoformat(),
            recipients=recipients,
            **(
                {document.link_kind: document.replaces_id or document.corrects_id}
                if document.link_kind
                else {}
            ),
        )
        for hook in list(issued_hooks):
            hook(document)
        index(document)
    return document


def document_recall(*, actor: Actor, document: Document, reason: str) -> Document:
    """Recall an issued document: it is frozen with its metadata (NĐ 30 Điều 18,
    Phụ lục VI III.8; vn-rules.md §1.4).

    Raises:
        InvalidInput: no reason, or not issued.
        NotFound: the actor may not issue this unit's documents.
    """
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the recall."))
    document = require_document(actor, document, "issue")
    require_state(document, DocumentState.ISSUED)
    with transaction.atomic():
        document.state = DocumentState.RECALLED
        save_checked(document)
        event(document, EventKind.RECALLED, actor, reason.strip())
        audit(actor, "document.recall", document, reason=reason.strip()[:500])
        index(document)
        # The recipients are asked to take it back (exchange: status 13).
        run_recall_hooks(document, reason.strip())
    return document
