"""Writes of the public portal (issue #10 scope 1): keyword-only, one transaction and one
audit record each. Whatever changes what the public sees bumps the portal version
(``portal.cache``) once it commits, so the cached public pages follow at once.

The rules applied:

- an announcement goes draft → submitted → published (→ withdrawn); only a draft or a
  submitted one may be changed; the office (``portal.add_announcement`` /
  ``portal.change_announcement`` in the unit: clerk, specialist) writes and submits, a
  leader holding ``portal.publish_announcement`` in the unit publishes and withdraws;
- only an issued outgoing document goes on the portal, never a classified one
  (vn-rules.md §5.2: "posting secrets on the Internet"), and only by a person who may
  see it and holds ``portal.add_publisheddocument`` in its unit (the clerk).

A system actor (the demo, a command) passes every permission check but no rule.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.core.permissions import holds_in
from lienthong.documents.choices import Direction, DocumentState
from lienthong.documents.models import Document
from lienthong.portal.cache import version_bump
from lienthong.portal.choices import AnnouncementState
from lienthong.portal.models import Announcement, PublishedDocument

__all__ = [
    "ADD_ANNOUNCEMENT",
    "ADD_DOCUMENT",
    "EDITABLE",
    "PUBLISH_ANNOUNCEMENT",
    "announcement_create",
    "announcement_publish",
    "announcement_submit",
    "announcement_update",
    "announcement_withdraw",
    "document_publish",
    "document_unpublish",
    "publish_issues",
]

#: The permissions of the portal's writers (org/roles.py).
ADD_ANNOUNCEMENT = "portal.add_announcement"
PUBLISH_ANNOUNCEMENT = "portal.publish_announcement"
ADD_DOCUMENT = "portal.add_publisheddocument"

#: What a writer changes in an announcement.
EDITABLE = ("title", "summary", "body")


def _user(actor: Actor) -> Any:
    return actor if isinstance(actor, AbstractBaseUser) else None


def _refuse(error: ValidationError) -> None:
    """Turn a model's ValidationError into the service's InvalidInput (by field)."""
    fields: dict[str, str] = {}
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            fields[name if name != "__all__" else ""] = " ".join(problems)
    else:
        fields[""] = " ".join(error.messages)
    raise InvalidInput(
        " ".join(fields.values()), extra={"fields": {k: v for k, v in fields.items() if k}}
    )


def _clean_text(value: Any) -> str:
    """One line: white space collapsed."""
    return " ".join(str(value or "").split())


def _clean_body(value: Any) -> str:
    """Plain-text paragraphs: lines kept, trailing spaces and runs of blank lines dropped."""
    lines = [line.rstrip() for line in str(value or "").replace("\r\n", "\n").split("\n")]
    text = "\n".join(lines).strip()
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def _may(actor: Actor, announcement: Announcement, action: str) -> None:
    """NotFound unless the person may ``action`` this announcement (restrict)."""
    user = _user(actor)
    if user is not None and not (
        Announcement.objects.restrict(user, action).filter(pk=announcement.pk).exists()
    ):
        raise NotFound(_("This announcement does not exist or you may not do this."))


def announcement_create(
    *, actor: Actor, unit: Any, title: str, body: str, summary: str = ""
) -> Announcement:
    """Write a draft announcement of ``unit``.

    Raises:
        NotFound: the actor may not write announcements in ``unit``.
        InvalidInput: a title or text missing or too long (by field); nothing is written.
    """
    user = _user(actor)
    if user is not None and not holds_in(user, unit, ADD_ANNOUNCEMENT):
        raise NotFound(_("This unit does not exist or you may not do this there."))
    announcement = Announcement(
        unit=unit,
        title=_clean_text(title),
        summary=_clean_text(summary),
        body=_clean_body(body),
        state=AnnouncementState.DRAFT,
        author=user,
    )
    try:
        announcement.full_clean()
    except ValidationError as exc:
        _refuse(exc)
    with transaction.atomic():
        announcement.save()
        record(
            actor=actor,
            verb="announcement.create",
            target=announcement,
            data={"title": announcement.title},
        )
    return announcement


def announcement_update(*, actor: Actor, announcement: Announcement, **values: Any) -> Announcement:
    """Change the title, summary or text of a draft or submitted announcement.

    Raises:
        NotFound: the actor may not change it.
        InvalidInput: it is published or withdrawn already, or a field is wrong.
    """
    _may(actor, announcement, "change")
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not fields of an announcement: {sorted(unknown)}")
    if not announcement.is_editable:
        raise InvalidInput(_("Only a draft or a submitted announcement may be changed."))
    before = {name: getattr(announcement, name) for name in EDITABLE}
    for name, value in values.items():
        setattr(announcement, name, _clean_body(value) if name == "body" else _clean_text(value))
    try:
        announcement.full_clean()
    except ValidationError as exc:
        announcement.refresh_from_db()
        _refuse(exc)
    changed = sorted(n for n in EDITABLE if getattr(announcement, n) != before[n])
    with transaction.atomic():
        announcement.save()
        record(
            actor=actor,
            verb="announcement.update",
            target=announcement,
            data={"fields": changed},
        )
    return announcement


def announcement_submit(*, actor: Actor, announcement: Announcement) -> Announcement:
    """Send a draft to the unit's leader for publication.

    Raises:
        NotFound: the actor may not change it.
        InvalidInput: it is not a draft.
    """
    _may(actor, announcement, "change")
    if announcement.state != AnnouncementState.DRAFT:
        raise InvalidInput(_("Only a draft may be submitted."))
    with transaction.atomic():
        announcement.state = AnnouncementState.SUBMITTED
        announcement.submitted_at = timezone.now()
        announcement.save(update_fields=["state", "submitted_at", "updated_at"])
        record(actor=actor, verb="announcement.submit", target=announcement)
    return announcement


def announcement_publish(*, actor: Actor, announcement: Announcement) -> Announcement:
    """Publish a submitted announcement on the portal (a leader of the unit).

    Raises:
        NotFound: the actor may not publish announcements of its unit.
        InvalidInput: it was not submitted.
    """
    _may(actor, announcement, "publish")
    if announcement.state != AnnouncementState.SUBMITTED:
        raise InvalidInput(_("Only a submitted announcement may be published."))
    with transaction.atomic():
        announcement.state = AnnouncementState.PUBLISHED
        announcement.approver = _user(actor)
        announcement.published_at = timezone.now()
        announcement.full_clean()
        announcement.save(update_fields=["state", "approver", "published_at", "updated_at"])
        record(actor=actor, verb="announcement.publish", target=announcement)
        version_bump()
    return announcement


def announcement_withdraw(*, actor: Actor, announcement: Announcement, reason: str) -> Announcement:
    """Take a published announcement off the portal, saying why (a leader of the unit).

    Raises:
        NotFound: the actor may not publish announcements of its unit.
        InvalidInput: no reason, or it is not published.
    """
    _may(actor, announcement, "publish")
    reason = _clean_text(reason)
    if not reason:
        message = _("Say why the announcement is withdrawn.")
        raise InvalidInput(message, extra={"fields": {"reason": message}})
    if announcement.state != AnnouncementState.PUBLISHED:
        raise InvalidInput(_("Only a published announcement may be withdrawn."))
    with transaction.atomic():
        announcement.state = AnnouncementState.WITHDRAWN
        announcement.withdrawn_at = timezone.now()
        announcement.withdrawn_reason = reason[:500]
        announcement.save(update_fields=["state", "withdrawn_at", "withdrawn_reason", "updated_at"])
        record(
            actor=actor,
            verb="announcement.withdraw",
            target=announcement,
            data={"reason": reason},
        )
        version_bump()
    return announcement


def publish_issues(document: Document) -> list[str]:
    """Why ``document`` may not go on the portal (empty when it may; STYLE habit 12)."""
    issues: list[str] = []
    if document.direction != Direction.OUTGOING or document.state != DocumentState.ISSUED:
        issues.append(_("Only an issued document may be published on the portal."))
    if int(document.classification or 0) > 0:
        issues.append(
            _("A classified document is never published on the portal (vn-rules.md §5.2).")
        )
    if PublishedDocument.objects.filter(document=document, withdrawn_at__isnull=True).exists():
        issues.append(_("This document is already on the portal."))
    return issues


def document_publish(*, actor: Actor, document: Document) -> PublishedDocument:
    """Put an issued, unclassified document on the public portal.

    Args:
        actor: the clerk (may see the document and holds ``portal.add_publisheddocument``
            in its unit) or a system actor.
        document: the document.

    Raises:
        NotFound: the actor may not see the document or publish in its unit.
        InvalidInput: it is not issued, it is classified, or it is on the portal already.
    """
    from lienthong.documents.selectors import document_list

    user = _user(actor)
    if user is not None and (
        not document_list(user=user).filter(pk=document.pk).exists()
        or not holds_in(user, document.unit, ADD_DOCUMENT)
    ):
        raise NotFound(_("This document does not exist or you may not publish it."))
    issues = publish_issues(document)
    if issues:
        raise InvalidInput(" ".join(issues))
    published = PublishedDocument(
        document=document,
        unit_id=document.unit_id,
        published_by=user,
        published_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            published.save()
            record(
                actor=actor,
                verb="document.portal_publish",
                target=published,
                data={"document": document.pk, "number": document.number_display},
            )
            version_bump()
    except IntegrityError:  # a concurrent request published it meanwhile
        raise InvalidInput(_("This document is already on the portal.")) from None
    return published


def document_unpublish(*, actor: Actor, published: PublishedDocument) -> PublishedDocument:
    """Take a document off the public portal (the row stays, with who and when).

    Raises:
        NotFound: the actor may not change the portal's documents of its unit.
        InvalidInput: it is off the portal already.
    """
    user = _user(actor)
    if user is not None and not (
        PublishedDocument.objects.restrict(user, "change").filter(pk=published.pk).exists()
    ):
        raise NotFound(_("This document does not exist or you may not do this."))
    if published.withdrawn_at is not None:
        raise InvalidInput(_("This document is no longer on the portal."))
    with transaction.atomic():
        published.withdrawn_at = timezone.now()
        published.withdrawn_by = user
        published.save(update_fields=["withdrawn_at", "withdrawn_by"])
        record(
            actor=actor,
            verb="document.portal_unpublish",
            target=published,
            data={"document": published.document_id},
        )
        version_bump()
    return published
