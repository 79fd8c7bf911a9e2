"""Writes of the work calendar and of the notifications (issue #10 scopes 4, 5):
keyword-only, one transaction and one audit record each.

The rules applied:

- an entry ends after it starts; its online-meeting link is an ``https://`` address
  of the network's video-conference system (``Event`` constraints);
- only who keeps the unit's calendar (``agenda.add_event`` / ``agenda.change_event``,
  the clerk and the leader, org/roles.py) writes it; a draft is seen by them alone;
- a document is attached only if the person attaching may read it (the documents
  selector: unit scope and clearance, vn-rules.md §5.2), so a calendar never shows a
  classified document to someone who could not open it;
- the minutes are a PDF (its content is checked, not its name), uploaded once the
  meeting has started;
- the reminder goes ``reminder_minutes`` before the start to the leaders attending and
  the creator, once (``reminded_at``); moving the start arms it again.

Notifications are per person: ``notify`` stores them and e-mails at once those who
asked for it (``EmailFrequency.IMMEDIATELY``); ``notifications_digest_send`` e-mails the
others (daily digest, the default) their unread notifications of the past day, in one
message each, through the organisation's SMTP server (``EMAIL_*`` settings).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lienthong.audit.actors import SystemActor
from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.core.permissions import holds_in
from lienthong.core.tasks import enqueue_on_commit
from lienthong.documents.services.files import file_store
from lienthong.org.models import User
from lienthong.portal.agenda.choices import (
    EmailFrequency,
    EventState,
    NotificationKind,
)
from lienthong.portal.agenda.models import (
    MAX_REMINDER_MINUTES,
    Event,
    Notification,
    NotificationPreference,
)

__all__ = [
    "ADD",
    "CHANGE",
    "EDITABLE",
    "NOTIFY_ACTOR",
    "REMINDER_ACTOR",
    "event_cancel",
    "event_create",
    "event_minutes_attach",
    "event_publish",
    "event_update",
    "events_remind",
    "notification_preference_set",
    "notification_read",
    "notifications_digest_send",
    "notifications_email_send",
    "notifications_read_all",
    "notify",
]

logger = logging.getLogger(__name__)

#: Who may write a unit's calendar (org/roles.py: the clerk and the leader).
ADD = "agenda.add_event"
CHANGE = "agenda.change_event"

REMINDER_ACTOR = SystemActor("agenda-reminders")
NOTIFY_ACTOR = SystemActor("notifications")

#: The fields of an entry a keeper writes (besides leaders and documents).
EDITABLE = (
    "title",
    "place",
    "starts_at",
    "ends_at",
    "all_day",
    "kind",
    "participants",
    "online_meeting_url",
    "reminder_minutes",
)


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


def _whole_days(starts_at: dt.datetime, ends_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """An all-day entry runs from the first day's midnight to the last day's end."""
    tz = timezone.get_current_timezone()
    first = timezone.localtime(starts_at, tz).date()
    last = max(first, timezone.localtime(ends_at, tz).date())
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last, dt.time(23, 59, 59), tzinfo=tz)
    return start, end


def _check_leaders(actor: Actor, leaders: Iterable[Any]) -> list[Any]:
    """The leaders, each one the actor may see (org scope); else NotFound."""
    people = list(leaders)
    user = _user(actor)
    if user is None or not people:
        return people
    ids = {p.pk for p in people}
    visible = set(
        User.objects.restrict(user, "view").filter(pk__in=ids).values_list("pk", flat=True)
    )
    if visible != ids:
        message = _("Choose the leaders among the people of your units.")
        raise InvalidInput(message, extra={"fields": {"leaders": message}})
    return people


def _check_documents(actor: Actor, documents: Iterable[Any]) -> list[Any]:
    """The documents, each one the actor may read (scope and clearance); else refused."""
    from lienthong.documents.selectors import document_list

    items = list(documents)
    user = _user(actor)
    if user is None or not items:
        return items
    ids = {d.pk for d in items}
    readable = set(document_list(user=user).filter(pk__in=ids).values_list("pk", flat=True))
    if readable != ids:
        message = _("You may attach only documents you may read.")
        raise InvalidInput(message, extra={"fields": {"documents": message}})
    return items


def _validated(event: Event) -> None:
    if event.all_day and event.starts_at and event.ends_at:
        event.starts_at, event.ends_at = _whole_days(event.starts_at, event.ends_at)
    event.title = " ".join((event.title or "").split())
    event.place = " ".join((event.place or "").split())
    event.online_meeting_url = (event.online_meeting_url or "").strip()
    try:
        event.full_clean(exclude=["unit", "created_by", "minutes"])
    except ValidationError as exc:
        _refuse(exc)


def event_create(
    *,
    actor: Actor,
    unit: Any,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    kind: str,
    place: str = "",
    all_day: bool = False,
    leaders: Iterable[Any] = (),
    participants: str = "",
    online_meeting_url: str = "",
    documents: Iterable[Any] = (),
    reminder_minutes: int = 60,
) -> Event:
    """Put an entry (a draft) in the work calendar of ``unit``.

    Args:
        actor: who keeps the unit's calendar (``agenda.add_event`` in ``unit``), or a
            system actor (demo).
        unit: the unit whose calendar it is.
        title: what it is ("Họp Ban Thường vụ").
        starts_at, ends_at: when (aware datetimes; whole days when ``all_day``).
        kind: an ``EventKind``.
        place: where.
        all_day: True for an entry that takes whole days.
        leaders: the leaders attending (people the actor may see).
        participants: the other participants, as text.
        online_meeting_url: the https:// link of the video-conference room.
        documents: documents it is about (each readable by the actor).
        reminder_minutes: how long before the start to remind (0: never).

    Raises:
        NotFound: the actor may not keep this unit's calendar.
        InvalidInput: a rule broken (by field); nothing is written then.
    """
    user = _user(actor)
    if user is not None and not holds_in(user, unit, ADD):
        raise NotFound(_("This unit does not exist or you may not do this there."))
    people = _check_leaders(actor, leaders)
    attached = _check_documents(actor, documents)
    event = Event(
        unit=unit,
        title=title,
        place=place,
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
        kind=kind,
        participants=(participants or "").strip(),
        online_meeting_url=online_meeting_url,
        reminder_minutes=min(int(reminder_minutes), MAX_REMINDER_MINUTES + 1),
        state=EventState.DRAFT,
        created_by=user,
    )
    _validated(event)
    with transaction.atomic():
        event.save()
        event.leaders.set(people)
        event.documents.set(attached)
        record(
            actor=actor,
            verb="event.create",
            target=event,
            data={"starts_at": event.starts_at.isoformat(), "kind": event.kind},
        )
    return event


def _changeable(actor: Actor, event: Event) -> None:
    user = _user(actor)
    if user is not None and not Event.objects.restrict(user, "change").filter(pk=event.pk).exists():
        raise NotFound(_("This calendar entry does not exist or you may not change it."))


def event_update(
    *,
    actor: Actor,
    event: Event,
    leaders: Iterable[Any] | None = None,
    documents: Iterable[Any] | None = None,
    **values: Any,
) -> Event:
    """Change an entry (any of ``EDITABLE``, its leaders, its documents). Moving the
    start arms the reminder again.

    Raises:
        NotFound: the actor may not change it.
        InvalidInput: it is cancelled, or a rule broken; nothing is written then.
    """
    _changeable(actor, event)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not fields of a calendar entry: {sorted(unknown)}")
    if event.is_cancelled:
        raise InvalidInput(_("A cancelled entry cannot be changed."))
    people = _check_leaders(actor, leaders) if leaders is not None else None
    attached = _check_documents(actor, documents) if documents is not None else None
    before = {name: getattr(event, name) for name in EDITABLE}
    for name, value in values.items():
        setattr(event, name, value)
    _validated(event)
    changed = sorted(name for name in EDITABLE if getattr(event, name) != before[name])
    if (
        event.starts_at != before["starts_at"]
        or event.reminder_minutes != before["reminder_minutes"]
    ):
        event.reminded_at = None
    with transaction.atomic():
        event.save()
        if people is not None:
            event.leaders.set(people)
            changed.append("leaders")
        if attached is not None:
            event.documents.set(attached)
            changed.append("documents")
        record(actor=actor, verb="event.update", target=event, data={"fields": changed})
    return event


def _vi(message: str, **values: Any) -> str:
    """A system notice in Vietnamese, the language the staff read (the call site marks
    the msgid with ``gettext_noop`` so that makemessages finds it)."""
    with translation.override("vi"):
        return _(message) % values


def _event_url(event: Event) -> str:
    return reverse("agenda-event", args=[event.pk])


def _when(event: Event) -> str:
    local = timezone.localtime(event.starts_at)
    if event.all_day:
        return f"{local:%d/%m/%Y}"
    return f"{local:%H:%M %d/%m/%Y}"


def _attendees(event: Event) -> list[Any]:
    people = {p.pk: p for p in event.leaders.all()}
    if event.created_by_id is not None and event.created_by is not None:
        people.setdefault(event.created_by_id, event.created_by)
    return list(people.values())


def event_publish(*, actor: Actor, event: Event) -> Event:
    """Publish a draft: the unit's staff see it in the calendar; the leaders attending
    are notified.

    Raises:
        NotFound: the actor may not change it.
        InvalidInput: it is not a draft.
    """
    _changeable(actor, event)
    if event.state != EventState.DRAFT:
        raise InvalidInput(_("Only a draft can be published."))
    with transaction.atomic():
        event.state = EventState.PUBLISHED
        event.save(update_fields=["state", "updated_at"])
        record(actor=actor, verb="event.publish", target=event)
        leaders = [p for p in event.leaders.all() if p.pk != getattr(_user(actor), "pk", None)]
        if leaders:
            notify(
                users=leaders,
                kind=NotificationKind.EVENT_PUBLISHED,
                text=_vi(
                    gettext_noop("New in your calendar: %(title)s, %(when)s."),
                    title=event.title,
                    when=_when(event),
                ),
                url=_event_url(event),
                actor=actor,
            )
    return event


def event_cancel(*, actor: Actor, event: Event, reason: str) -> Event:
    """Cancel an entry, saying why; if it was published, the leaders attending and
    the creator are notified.

    Raises:
        NotFound: the actor may not change it.
        InvalidInput: no reason, or already cancelled.
    """
    _changeable(actor, event)
    reason = " ".join((reason or "").split())
    if not reason:
        message = _("Say why the entry is cancelled.")
        raise InvalidInput(message, extra={"fields": {"reason": message}})
    if event.is_cancelled:
        raise InvalidInput(_("This entry is already cancelled."))
    was_published = event.state == EventState.PUBLISHED
    with transaction.atomic():
        event.state = EventState.CANCELLED
        event.cancelled_reason = reason[:500]
        event.save(update_fields=["state", "cancelled_reason", "updated_at"])
        record(actor=actor, verb="event.cancel", target=event, data={"reason": reason})
        me = getattr(_user(actor), "pk", None)
        told = [p for p in _attendees(event) if p.pk != me]
        if was_published and told:
            notify(
                users=told,
                kind=NotificationKind.EVENT_CANCELLED,
                text=_vi(
                    gettext_noop("Cancelled: %(title)s, %(when)s (%(reason)s)."),
                    title=event.title,
                    when=_when(event),
                    reason=reason,
                ),
                url=_event_url(event),
                actor=actor,
            )
    return event


def event_minutes_attach(*, actor: Actor, event: Event, data: bytes, name: str) -> Event:
    """Attach the minutes (a PDF) of a meeting that has started; a new upload replaces
    the previous one (both stay in the audit log by their SHA-256).

    Raises:
        NotFound: the actor may not change the entry.
        InvalidInput: the entry is cancelled or has not started, or the file is not a
            PDF; nothing is written then.
    """
    _changeable(actor, event)
    if event.is_cancelled:
        raise InvalidInput(_("A cancelled entry has no minutes."))
    if event.starts_at > timezone.now():
        raise InvalidInput(_("The minutes can be attached once the meeting has started."))
    stored = file_store(data=data, name=name or "bien-ban.pdf", expected="pdf")
    with transaction.atomic():
        event.minutes = stored
        event.minutes_name = (name or "bien-ban.pdf")[:200]
        event.save(update_fields=["minutes", "minutes_name", "updated_at"])
        record(
            actor=actor,
            verb="event.minutes",
            target=event,
            data={"sha256": stored.sha256, "name": event.minutes_name},
        )
    return event


def events_remind(*, now: dt.datetime | None = None) -> int:
    """Send the reminders that are due (system use: the reminder task).

    An entry is due when it is published, not yet reminded, starts in the future and
    ``reminder_minutes`` before its start has come. Each reminder goes to the leaders
    attending and the creator, once: ``reminded_at`` is set in the same transaction,
    under a row lock, so two workers never send it twice.

    Returns:
        How many entries were reminded.
    """
    now = now or timezone.now()
    horizon = now + dt.timedelta(minutes=MAX_REMINDER_MINUTES)
    candidates = Event.objects.filter(
        state=EventState.PUBLISHED,
        reminded_at__isnull=True,
        reminder_minutes__gt=0,
        starts_at__gt=now,
        starts_at__lte=horizon,
    ).values_list("pk", "starts_at", "reminder_minutes")
    due = [
        pk
        for pk, starts_at, minutes in candidates
        if starts_at - dt.timedelta(minutes=minutes) <= now
    ]
    sent = 0
    for pk in due:
        with transaction.atomic():
            event = (
                Event.objects.select_for_update(of=("self",))
                .filter(pk=pk, reminded_at__isnull=True, state=EventState.PUBLISHED)
                .select_related("created_by")
                .first()
            )
            if event is None:
                continue
            event.reminded_at = now
            event.save(update_fields=["reminded_at"])
            people = _attendees(event)
            if people:
                text = _vi(
                    gettext_noop("Reminder: %(title)s at %(when)s%(place)s."),
                    title=event.title,
                    when=_when(event),
                    place=f", {event.place}" if event.place else "",
                )
                notify(
                    users=people,
                    kind=NotificationKind.EVENT_REMINDER,
                    text=text,
                    url=_event_url(event),
                    actor=REMINDER_ACTOR,
                )
            record(
                actor=REMINDER_ACTOR,
                verb="event.remind",
                target=event,
                data={"people": [p.pk for p in people]},
            )
            sent += 1
    return sent


# --- notifications -----------------------------------------------------------------


def notify(
    *,
    users: Iterable[Any],
    kind: str,
    text: str,
    url: str = "",
    actor: Actor | None = None,
) -> list[Notification]:
    """Tell people something: one in-app notification each; an e-mail at once (after
    the commit) to those whose preference is "immediately".

    Args:
        users: the people (duplicates and inactive accounts are skipped).
        kind: a ``NotificationKind``.
        text: what to say (written in the language the person reads: Vietnamese for
            the system's own notices).
        url: a link inside the node ("/lich/12/").
        actor: who causes it (for the audit log); the notifications system by default.

    Returns:
        The notifications stored.
    """
    if kind not in NotificationKind.values:
        raise InvalidInput(_("Unknown kind of notification."))
    text = " ".join((text or "").split())[:500]
    if not text:
        raise InvalidInput(_("A notification needs a text."))
    people: dict[int, Any] = {}
    for person in users:
        if person is not None and person.pk is not None and getattr(person, "is_active", True):
            people.setdefault(person.pk, person)
    if not people:
        return []
    with transaction.atomic():
        made = Notification.objects.bulk_create(
            [Notification(user_id=pk, kind=kind, text=text, url=url[:500]) for pk in people]
        )
        record(
            actor=actor or NOTIFY_ACTOR,
            verb="notification.send",
            data={"kind": kind, "people": sorted(people)},
        )
        immediate = set(
            NotificationPreference.objects.filter(
                user_id__in=list(people), email_frequency=EmailFrequency.IMMEDIATELY
            ).values_list("user_id", flat=True)
        )
        ids = [n.pk for n in made if n.user_id in immediate and n.pk is not None]
        if ids:
            from lienthong.portal.agenda import tasks

            enqueue_on_commit(tasks.notifications_email, ids)
    return made


def _absolute(url: str) -> str:
    base = str(getattr(settings, "PUBLIC_URL", "") or "").rstrip("/")
    return f"{base}{url}" if url and base else url


def _mail(to: str, subject: str, body: str, connection: Any) -> None:
    EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=connection,
    ).send()


def notifications_email_send(*, ids: Iterable[int]) -> int:
    """E-mail these notifications, one message each, to people who asked for them at
    once (system use: the task ``notifications_email``). A notification already
    e-mailed, or whose owner has no address, is skipped.

    Returns:
        How many messages were sent.
    """
    rows = list(
        Notification.objects.filter(pk__in=list(ids), emailed_at__isnull=True)
        .exclude(user__email="")
        .select_related("user")
    )
    if not rows:
        return 0
    sent = 0
    connection = get_connection()
    with connection, translation.override("vi"):
        for row in rows:
            context = {"notification": row, "link": _absolute(row.url), "node": settings.NODE_NAME}
            subject = render_to_string("agenda/email/notification_subject.txt", context)
            body = render_to_string("agenda/email/notification.txt", context)
            _mail(row.user.email, subject, body, connection)
            Notification.objects.filter(pk=row.pk).update(emailed_at=timezone.now())
            sent += 1
    return sent


def notifications_digest_send(*, now: dt.datetime | None = None) -> int:
    """E-mail each person on the daily digest (the default) their unread
    notifications of the past day, in one message (system use: the digest task).

    The message is the Vietnamese plain-text template ``agenda/email/digest.txt``;
    it goes through ``django.core.mail``, so the organisation's SMTP server of the
    ``EMAIL_*`` settings is used. Read notifications, and those e-mailed already, are
    left out; each notification is e-mailed once (``emailed_at``).

    Returns:
        How many messages were sent.
    """
    now = now or timezone.now()
    since = now - dt.timedelta(days=1)
    opted_out = NotificationPreference.objects.exclude(email_frequency=EmailFrequency.DAILY).values(
        "user_id"
    )
    rows = (
        Notification.objects.filter(
            read_at__isnull=True, emailed_at__isnull=True, created_at__gte=since
        )
        .exclude(user_id__in=opted_out)
        .exclude(user__email="")
        .filter(Q(user__is_active=True))
        .select_related("user")
        .order_by("user_id", "created_at", "pk")
    )
    by_user: dict[int, list[Notification]] = {}
    for row in rows:
        by_user.setdefault(row.user_id, []).append(row)
    if not by_user:
        return 0
    sent = 0
    connection = get_connection()
    with connection, translation.override("vi"):
        day = date_format(timezone.localtime(now).date(), "d/m/Y")
        for items in by_user.values():
            person = items[0].user
            context = {
                "person": person,
                "items": [(n, _absolute(n.url)) for n in items],
                "day": day,
                "node": settings.NODE_NAME,
                "link": _absolute(reverse("agenda-notifications")),
            }
            subject = render_to_string("agenda/email/digest_subject.txt", context)
            body = render_to_string("agenda/email/digest.txt", context)
            _mail(person.email, subject, body, connection)
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
            sent += 1
    record(actor=NOTIFY_ACTOR, verb="notification.digest", data={"messages": sent})
    return sent


def notification_read(*, user: Any, notification: Notification) -> Notification:
    """Mark one of the person's own notifications read.

    Raises:
        NotFound: it is not theirs.
    """
    if notification.user_id != getattr(user, "pk", None):
        raise NotFound(_("This notification does not exist or is not yours."))
    if notification.read_at is None:
        with transaction.atomic():
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
            record(actor=user, verb="notification.read", data={"notification": notification.pk})
    return notification


def notifications_read_all(*, user: Any) -> int:
    """Mark every unread notification of the person read; return how many."""
    with transaction.atomic():
        count = Notification.objects.filter(user=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if count:
            record(actor=user, verb="notification.read_all", data={"count": count})
    return count


def notification_preference_set(*, user: Any, frequency: str) -> NotificationPreference:
    """Say how the person wants their notifications by e-mail.

    Raises:
        InvalidInput: not an ``EmailFrequency``.
    """
    if frequency not in EmailFrequency.values:
        raise InvalidInput(_("Choose how often to receive e-mail."))
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.update_or_create(
            user=user, defaults={"email_frequency": frequency}
        )
        record(actor=user, verb="notification.preference", data={"email": frequency})
    return preference
