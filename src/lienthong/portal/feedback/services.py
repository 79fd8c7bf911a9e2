"""Writes of citizens' feedback (issue #10 scope 2): keyword-only, one transaction and one
audit record each.

- ``feedback_submit``: an anonymous citizen's submission (the actor is
  ``SystemActor("portal")``), routed to the topic's unit with its deadline; the
  attachment is checked by its content (PDF, DOCX, JPEG or PNG only, at most
  ``FEEDBACK_MAX_ATTACHMENT_MB``) before anything is written.
- ``feedback_drop``: a submission the abuse guards dropped (audit only, nothing stored).
- ``feedback_answer``, ``feedback_close``, ``feedback_publish``, ``feedback_unpublish``:
  the responsible unit's staff (``feedback.change_feedback`` over the feedback's unit);
  the answer is e-mailed to the citizen once the transaction commits.
- ``topic_create``, ``topic_update``: the topics and their routing rules, kept by the
  office clerk (``feedback.add_topic`` / ``feedback.change_topic`` in the unit the topic
  routes to).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lienthong.audit.actors import SystemActor
from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.core.permissions import holds_in
from lienthong.documents.services.files import file_read, file_store, sniff
from lienthong.org.models import Unit
from lienthong.portal.feedback.abuse import address_hash
from lienthong.portal.feedback.choices import FeedbackState
from lienthong.portal.feedback.constants import (
    ACCEPTED_TYPES,
    CODE_ALPHABET,
    CODE_LENGTH,
    CODE_PREFIX,
    MAX_ANSWER_CHARS,
    MAX_TEXT_CHARS,
)
from lienthong.portal.feedback.models import Feedback, Topic

__all__ = [
    "PORTAL",
    "code_new",
    "feedback_answer",
    "feedback_attachment",
    "feedback_close",
    "feedback_drop",
    "feedback_publish",
    "feedback_submit",
    "feedback_unpublish",
    "max_attachment_bytes",
    "topic_create",
    "topic_route",
    "topic_update",
]

logger = logging.getLogger(__name__)

#: The actor of what the public portal does on a citizen's behalf.
PORTAL = SystemActor("portal")

ADD_TOPIC = "feedback.add_topic"
CHANGE_TOPIC = "feedback.change_topic"
TOPIC_FIELDS = ("name", "unit", "days_to_answer", "is_active", "sort_order")


def max_attachment_bytes() -> int:
    """The largest attachment accepted (``FEEDBACK_MAX_ATTACHMENT_MB``, default 10 MB)."""
    return int(getattr(settings, "FEEDBACK_MAX_ATTACHMENT_MB", 10)) * 1024 * 1024


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
    message = " ".join(fields.values())
    raise InvalidInput(message, extra={"fields": {k: v for k, v in fields.items() if k}})


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, extra={"fields": {field: message}})


def code_new() -> str:
    """A fresh tracking code ("GY-7KQ2M9XW4P"), not yet used."""
    while True:
        code = CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Feedback.objects.filter(code=code).exists():
            return code


def _default_unit() -> Unit | None:
    organ_id = str(getattr(settings, "FEEDBACK_DEFAULT_UNIT", "") or "").strip()
    if not organ_id:
        return None
    return Unit.objects.filter(organ_id=organ_id).first()


def topic_route(topic: Topic) -> Unit | None:
    """The unit that answers feedback on ``topic``: the topic's unit, else the node's
    fallback unit (``FEEDBACK_DEFAULT_UNIT``, an organisation id), else None."""
    if topic.unit_id is not None:
        return topic.unit
    return _default_unit()


def _check_attachment(data: bytes, name: str) -> None:
    """Refuse an attachment that is empty, too large, or not a PDF, DOCX, JPEG or PNG by
    its content (its name and the browser's type are not trusted)."""
    shown = name or _("the attachment")
    limit = max_attachment_bytes()
    if not data:
        raise _invalid("attachment", _("The attachment %(name)s is empty.") % {"name": shown})
    if len(data) > limit:
        raise _invalid(
            "attachment",
            _("The attachment %(name)s is larger than %(mb)s MB.")
            % {"name": shown, "mb": limit // (1024 * 1024)},
        )
    if sniff(data) not in ACCEPTED_TYPES:
        raise _invalid(
            "attachment",
            _(
                "The attachment %(name)s was refused: only PDF, Word (DOCX), JPEG and PNG "
                "files are accepted."
            )
            % {"name": shown},
        )


def feedback_submit(
    *,
    topic: Topic,
    text: str,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    consent_publish: bool = False,
    attachment: bytes | None = None,
    attachment_name: str = "",
    address: str = "",
) -> Feedback:
    """Take a citizen's feedback: route it to the responsible unit with its deadline and
    give it a tracking code.

    Args:
        topic: an active topic of the form.
        text: the feedback (at most 5,000 characters).
        contact_name, contact_email, contact_phone: optional; the e-mail receives the
            answer. Never shown on a public page.
        consent_publish: the citizen agrees that the answer may be published.
        attachment: the attached file's bytes, or None; attachment_name: its name.
        address: the client's network address (only its salted hash is kept).

    Returns:
        The stored feedback, with its ``code``.

    Raises:
        InvalidInput: a field is invalid, the topic takes no feedback, or the
            attachment is refused (by field); nothing is written then.
    """
    if not topic.is_active:
        raise _invalid("topic", _("Choose a topic from the list."))
    unit = topic_route(topic)
    if unit is None:
        raise _invalid(
            "topic", _("No unit answers this topic at the moment: choose another topic.")
        )
    text = (text or "").strip()
    if len(text) > MAX_TEXT_CHARS:
        raise _invalid(
            "text",
            _("Write at most %(limit)s characters (now %(count)s).")
            % {"limit": f"{MAX_TEXT_CHARS:,}".replace(",", "."), "count": len(text)},
        )
    now = timezone.now()
    feedback = Feedback(
        code=code_new(),
        topic=topic,
        unit=unit,
        text=text,
        contact_name=" ".join((contact_name or "").split())[:200],
        contact_email=(contact_email or "").strip(),
        contact_phone=" ".join((contact_phone or "").split())[:30],
        consent_publish=bool(consent_publish),
        received_at=now,
        deadline=timezone.localdate(now) + dt.timedelta(days=topic.days_to_answer),
        submitter_hash=address_hash(address) if address else "",
    )
    try:
        feedback.full_clean(exclude=["attachment", "code"])
    except ValidationError as exc:
        _refuse(exc)
    if attachment is not None:
        _check_attachment(attachment, attachment_name)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                if attachment is not None:
                    feedback.attachment = file_store(
                        data=attachment,
                        name=attachment_name or "tep-dinh-kem",
                        max_bytes=max_attachment_bytes(),
                    )
                    feedback.attachment_name = (attachment_name or "tep-dinh-kem")[:200]
                feedback.save()
                record(
                    actor=PORTAL,
                    verb="feedback.submit",
                    target=feedback,
                    data={
                        "topic": topic.pk,
                        "unit": unit.pk,
                        "deadline": feedback.deadline.isoformat(),
                        "attachment": feedback.attachment.sha256 if feedback.attachment else "",
                    },
                )
            return feedback
        except IntegrityError:  # the code was taken meanwhile: another one
            if Feedback.objects.filter(code=feedback.code).exists():
                feedback.pk = None
                feedback.code = code_new()
                continue
            raise
    raise InvalidInput(_("The feedback could not be stored; please send it again."))


def feedback_drop(*, address: str, reason: str) -> None:
    """Record that a submission was dropped by an abuse guard (``reason``: "honeypot");
    nothing else is written, and the address is kept only as a short salted hash."""
    logger.info("feedback dropped: %s", reason)
    record(
        actor=PORTAL,
        verb="feedback.dropped",
        data={"reason": reason, "address": address_hash(address)[:16]},
    )


def _changeable(actor: Actor, feedback: Feedback) -> Feedback:
    """The feedback, locked, when the actor may change it; NotFound otherwise."""
    user = _user(actor)
    qs = Feedback.objects.select_for_update()
    if user is not None:
        qs = Feedback.objects.restrict(user, "change").select_for_update()
    locked = qs.filter(pk=feedback.pk).first()
    if locked is None:
        raise NotFound(_("This feedback does not exist or you may not change it."))
    return locked


def _mail_answer(feedback_id: int) -> None:
    """E-mail the answer to the citizen (after the commit). A failure is logged and
    recorded (``feedback.mail_failed``); the answer stays, the status page shows it."""
    feedback = Feedback.objects.select_related("topic", "unit").get(pk=feedback_id)
    if not feedback.contact_email:
        return
    context = {"feedback": feedback, "public_url": settings.PUBLIC_URL}
    with translation.override("vi"):
        subject = " ".join(render_to_string("feedback/mail/answered_subject.txt", context).split())
        body = render_to_string("feedback/mail/answered_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [feedback.contact_email])
    except Exception as exc:  # any failure of the mail server must not undo the answer
        logger.warning("feedback %s: the answer could not be e-mailed: %s", feedback.code, exc)
        record(
            actor=PORTAL,
            verb="feedback.mail_failed",
            target=feedback,
            data={"error": type(exc).__name__},
        )


def feedback_answer(
    *, actor: Actor, feedback: Feedback, answer: str, publish: bool = False
) -> Feedback:
    """Answer a feedback (the responsible unit's handler); the citizen is e-mailed the
    answer once the transaction commits, when they gave an address.

    Args:
        actor: a person holding ``feedback.change_feedback`` over the feedback's unit.
        feedback: the feedback, waiting for its answer.
        answer: the answer's text.
        publish: publish the answer on the portal too (only with the citizen's consent).

    Raises:
        NotFound: the actor may not change it.
        InvalidInput: no answer, already answered or closed, or publication asked
            without the citizen's consent; nothing is written then.
    """
    answer = (answer or "").strip()
    if not answer:
        raise _invalid("answer", _("Write the answer."))
    if len(answer) > MAX_ANSWER_CHARS:
        raise _invalid(
            "answer",
            _("Write at most %(limit)s characters (now %(count)s).")
            % {"limit": f"{MAX_ANSWER_CHARS:,}".replace(",", "."), "count": len(answer)},
        )
    with transaction.atomic():
        locked = _changeable(actor, feedback)
        if locked.state != FeedbackState.RECEIVED:
            raise InvalidInput(_("This feedback was already answered or closed."))
        if publish and not locked.consent_publish:
            raise _invalid(
                "publish",
                _("The citizen did not consent to publication: the answer cannot be published."),
            )
        now = timezone.now()
        locked.answer = answer
        locked.state = FeedbackState.ANSWERED
        locked.answered_by = _user(actor)
        locked.answered_at = now
        locked.published = bool(publish)
        locked.published_at = now if publish else None
        try:
            locked.full_clean(exclude=["attachment", "code"])
        except ValidationError as exc:
            _refuse(exc)
        locked.save()
        record(
            actor=actor,
            verb="feedback.answer",
            target=locked,
            data={
                "on_time": timezone.localdate(now) <= locked.deadline,
                "published": locked.published,
                "mail": bool(locked.contact_email),
            },
        )
        if locked.contact_email:
            transaction.on_commit(lambda: _mail_answer(locked.pk))
    return locked


def feedback_close(*, actor: Actor, feedback: Feedback, reason: str) -> Feedback:
    """Close a feedback without an answer (spam, a duplicate), with the reason.

    Raises:
        NotFound: the actor may not change it.
        InvalidInput: no reason, or not waiting for an answer.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise _invalid("reason", _("Say why the feedback is closed."))
    with transaction.atomic():
        locked = _changeable(actor, feedback)
        if locked.state != FeedbackState.RECEIVED:
            raise InvalidInput(_("This feedback was already answered or closed."))
        locked.state = FeedbackState.CLOSED
        locked.closed_reason = reason[:500]
        locked.save(update_fields=["state", "closed_reason", "updated_at"])
        record(actor=actor, verb="feedback.close", target=locked, data={"reason": reason})
    return locked


def feedback_publish(*, actor: Actor, feedback: Feedback) -> Feedback:
    """Publish an answer on the portal's page of answered feedback.

    Raises:
        NotFound: the actor may not change it.
        InvalidInput: not answered, or the citizen did not consent.
    """
    with transaction.atomic():
        locked = _changeable(actor, feedback)
        if not locked.consent_publish:
            raise InvalidInput(
                _("The citizen did not consent to publication: the answer cannot be published.")
            )
        if locked.state != FeedbackState.ANSWERED:
            raise InvalidInput(_("Only an answered feedback can be published."))
        if locked.published:
            return locked
        locked.published = True
        locked.published_at = timezone.now()
        locked.save(update_fields=["published", "published_at", "updated_at"])
        record(actor=actor, verb="feedback.publish", target=locked)
    return locked


def feedback_unpublish(*, actor: Actor, feedback: Feedback) -> Feedback:
    """Take a published answer off the portal.

    Raises:
        NotFound: the actor may not change it.
    """
    with transaction.atomic():
        locked = _changeable(actor, feedback)
        if not locked.published:
            return locked
        locked.published = False
        locked.published_at = None
        locked.save(update_fields=["published", "published_at", "updated_at"])
        record(actor=actor, verb="feedback.unpublish", target=locked)
    return locked


def feedback_attachment(feedback: Feedback) -> bytes:
    """The attachment of a feedback already resolved for its reader (system use: the
    staff page resolves the feedback through ``selectors.feedback_get`` first; the
    public never reaches it).

    Raises:
        NotFound: it has no attachment, or its content is missing from the store.
    """
    if feedback.attachment is None:
        raise NotFound(_("This feedback has no attachment."))
    return file_read(feedback.attachment)


def _topic_values(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(TOPIC_FIELDS)
    if unknown:
        raise TypeError(f"not fields of a topic: {sorted(unknown)}")
    if "name" in values:
        values["name"] = " ".join(str(values["name"] or "").split())
    return values


def _may_route_to(actor: Actor, unit: Unit | None, permission: str) -> None:
    """A person may route topics only to units where they hold ``permission``; a topic
    without a unit (the fallback) only with the grant over every unit."""
    user = _user(actor)
    if user is None:
        return
    if unit is None:
        from lienthong.core.permissions import AllUnits, allowed_units

        if not isinstance(allowed_units(user, permission), AllUnits):
            raise _invalid("unit", _("Choose the responsible unit."))
        return
    if not holds_in(user, unit, permission):
        raise NotFound(_("This unit does not exist or you may not do this there."))


def topic_create(*, actor: Actor, **values: Any) -> Topic:
    """Add a topic to the form with its routing rule (``name``, ``unit``,
    ``days_to_answer``, ``is_active``, ``sort_order``).

    Raises:
        NotFound: the actor may not add topics routed to that unit.
        InvalidInput: a field is invalid or the name is taken.
    """
    values = _topic_values(values)
    _may_route_to(actor, values.get("unit"), ADD_TOPIC)
    topic = Topic(**values)
    try:
        topic.full_clean()
    except ValidationError as exc:
        _refuse(exc)
    with transaction.atomic():
        topic.save()
        record(
            actor=actor,
            verb="feedback_topic.create",
            target=topic,
            data={"unit": topic.unit_id, "days": topic.days_to_answer},
        )
    return topic


def topic_update(*, actor: Actor, topic: Topic, **values: Any) -> Topic:
    """Change a topic or its routing rule (feedback already received keeps its unit and
    deadline).

    Raises:
        NotFound: the actor may not change topics routed to its unit or to the new one.
        InvalidInput: a field is invalid or the name is taken.
    """
    values = _topic_values(values)
    _may_route_to(actor, topic.unit, CHANGE_TOPIC)
    if "unit" in values:
        _may_route_to(actor, values["unit"], CHANGE_TOPIC)
    before = {name: getattr(topic, "unit_id" if name == "unit" else name) for name in values}
    for name, value in values.items():
        setattr(topic, name, value)
    try:
        topic.full_clean()
    except ValidationError as exc:
        topic.refresh_from_db()
        _refuse(exc)
    changed = sorted(
        name
        for name in values
        if getattr(topic, "unit_id" if name == "unit" else name) != before[name]
    )
    with transaction.atomic():
        topic.save()
        record(actor=actor, verb="feedback_topic.update", target=topic, data={"fields": changed})
    return topic
