"""Writes of a member's posts, rewards and discipline (Mẫu 2-HSĐV, issue #9 scope 1).

Whoever may change a member's record (``Member.objects.restrict(actor, "change")``, the
organisation departments, org/roles.py) keeps its entries. Every write checks the rules
first (``member_event_check``), runs in one transaction and is audited against the
member's record; the audit events name the fields and the kind of the entry, never their
values (the record is private). A removed entry leaves no row: its audit event keeps the
kind and the reason.

The rules:

- the kind is a post, a reward or a discipline; the description is required;
- the dates are not in the future, not before the member's birth, and the start is not
  after the end;
- a discipline gives the number of its decision (số quyết định);
- only an active member's record takes new entries (a closed record is history).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.core.permissions import holds_in
from lienthong.records.choices import MemberEventKind, MemberState
from lienthong.records.models import Member, MemberEvent

__all__ = [
    "EVENT_FIELDS",
    "REASON_MAX",
    "member_event_add",
    "member_event_change",
    "member_event_check",
    "member_event_remove",
]

#: The fields of an entry its writer sets.
EVENT_FIELDS = ("kind", "title", "since", "until", "decision")
#: The longest reason for a removal.
REASON_MAX = 500


def _max_length(name: str) -> int:
    return int(getattr(MemberEvent._meta.get_field(name), "max_length", None) or 0)


def member_event_check(
    values: dict[str, Any], *, member: Member, today: dt.date | None = None
) -> dict[str, str]:
    """Every problem of an entry's values, by field (empty when the entry is right).

    ``values`` are already typed (dates as ``datetime.date`` or None).
    """
    day = today or timezone.localdate()
    problems: dict[str, str] = {}
    if values.get("kind") not in MemberEventKind.values:
        problems["kind"] = _("Choose whether the entry is a post, a reward or a discipline.")
    title = values.get("title") or ""
    if not title:
        problems["title"] = _("Say what the post, the reward or the discipline is.")
    elif len(title) > _max_length("title"):
        problems["title"] = _("The description has at most %(max)d characters.") % {
            "max": _max_length("title")
        }
    decision = values.get("decision") or ""
    if len(decision) > _max_length("decision"):
        problems["decision"] = _("The decision number has at most %(max)d characters.") % {
            "max": _max_length("decision")
        }
    elif not decision and values.get("kind") == MemberEventKind.DISCIPLINE:
        problems["decision"] = _("A discipline gives the number of its decision.")
    for key in ("since", "until"):
        value = values.get(key)
        if value is None:
            continue
        if not isinstance(value, dt.date):
            problems[key] = _("Not a date.")
        elif value > day:
            problems[key] = _("This date cannot be in the future.")
        elif value < member.born_on:
            problems[key] = _("This date falls before the member's birth.")
    since, until = values.get("since"), values.get("until")
    if (
        "since" not in problems
        and "until" not in problems
        and isinstance(since, dt.date)
        and isinstance(until, dt.date)
        and since > until
    ):
        problems["until"] = _("The end date falls before the start date.")
    return problems


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise InvalidInput(
            _("The entry is not valid: %(problems)s") % {"problems": "; ".join(problems.values())},
            extra={"fields": problems},
        )


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    """Strip the text; empty text for missing text, None for missing dates."""
    clean = dict(values)
    for key in ("title", "decision"):
        clean[key] = str(clean.get(key) or "").strip()
    for key in ("since", "until"):
        clean[key] = clean.get(key) or None
    return clean


def _may_change(actor: Actor, member: Member) -> bool:
    return bool(Member.objects.restrict(actor, "change").filter(pk=member.pk).exists())  # type: ignore[arg-type]


def member_event_add(
    *,
    actor: Actor,
    member: Member,
    kind: str,
    title: str,
    since: dt.date | None = None,
    until: dt.date | None = None,
    decision: str = "",
) -> MemberEvent:
    """Add a post, a reward or a discipline to an active member's record.

    Raises:
        NotFound: the actor may not change this record.
        InvalidInput: a rule is broken (every problem by field), or the record is closed.
    """
    if not _may_change(actor, member) or not holds_in(
        actor,  # type: ignore[arg-type]
        member.unit,
        "records.add_memberevent",
    ):
        raise NotFound(_("This record does not exist or you may not change it."))
    clean = _normalise(
        {"kind": kind, "title": title, "since": since, "until": until, "decision": decision}
    )
    problems = member_event_check(clean, member=member)
    if member.state != MemberState.ACTIVE:
        problems["member"] = _("This record is closed (%(state)s): it takes no new entries.") % {
            "state": member.get_state_display()
        }
    _refuse(problems)
    with transaction.atomic():
        event = MemberEvent(member=member, **clean)
        event.full_clean()
        event.save()
        record(
            actor=actor,
            verb="member.event_add",
            target=member,
            data={
                "event": event.pk,
                "kind": event.kind,
                "fields": sorted(k for k in EVENT_FIELDS if clean[k] not in ("", None)),
            },
        )
    return event


def _event_in_scope(actor: Actor, event: MemberEvent, action: str) -> Member:
    """The entry's member, when the actor may ``action`` the entry and change the record."""
    member = event.member
    allowed = MemberEvent.objects.restrict(actor, action).filter(pk=event.pk)  # type: ignore[arg-type]
    if not allowed.exists() or not _may_change(actor, member):
        raise NotFound(_("This entry does not exist or you may not change it."))
    return member


def member_event_change(*, actor: Actor, event: MemberEvent, **values: Any) -> MemberEvent:
    """Change an entry of a member's record after checking it as it would become.

    ``values`` are some of ``EVENT_FIELDS``.

    Raises:
        NotFound: the actor may not change this entry.
        InvalidInput: a rule is broken.
    """
    member = _event_in_scope(actor, event, "change")
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"not fields of an entry: {sorted(unknown)}")
    current = {key: getattr(event, key) for key in EVENT_FIELDS}
    clean = _normalise({**current, **values})
    _refuse(member_event_check(clean, member=member))
    changed = sorted(key for key in EVENT_FIELDS if clean[key] != current[key])
    if not changed:
        return event
    with transaction.atomic():
        for key in changed:
            setattr(event, key, clean[key])
        event.full_clean()
        event.save()
        record(
            actor=actor,
            verb="member.event_change",
            target=member,
            data={"event": event.pk, "kind": event.kind, "fields": changed},
        )
    return event


def member_event_remove(*, actor: Actor, event: MemberEvent, reason: str) -> None:
    """Remove an entry of a member's record; the audit event keeps its kind and the reason.

    Raises:
        NotFound: the actor may not remove this entry.
        InvalidInput: no reason, or a reason too long.
    """
    member = _event_in_scope(actor, event, "delete")
    reason = (reason or "").strip()
    if not reason:
        _refuse({"reason": _("Give the reason for removing the entry.")})
    if len(reason) > REASON_MAX:
        _refuse({"reason": _("The reason has at most %(max)d characters.") % {"max": REASON_MAX}})
    pk, kind = event.pk, event.kind
    with transaction.atomic():
        event.delete()
        record(
            actor=actor,
            verb="member.event_remove",
            target=member,
            data={"event": pk, "kind": kind, "reason": reason},
        )
