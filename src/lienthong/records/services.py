"""Writes of the party-member records (issue #9 scope 1): every one checks the rules of
the record first (``member_check``), runs in a transaction and is audited. The audit
events name the fields changed, never their values (the record is private).

The rules (vn-rules.md §6.2, §6.4):

- the party card number (số thẻ đảng viên) has 8 digits;
- the member file number (số lý lịch) is 6 digits followed by 1 to 3 letters, the code
  of the provincial committee (123456HN);
- birth < admission <= made official <= today; death, leaving and transfers fall after
  the admission and not in the future;
- [INFERRED] the age at admission is at least ``RECORDS_MIN_ADMISSION_AGE`` (18: "công
  dân Việt Nam từ mười tám tuổi trở lên", Điều lệ Đảng Điều 1) and the probation lasts at
  least ``RECORDS_PROBATION_MONTHS`` (12) before the member is made official; both are
  settings because the reference gives them only second-hand.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.core.permissions import holds_in
from lienthong.records.choices import Gender, LeavingForm, MemberState, Service, TheoryLevel
from lienthong.records.models import Member

__all__ = ["EDITABLE", "member_check", "member_create", "member_update", "normalise"]

CARD = re.compile(r"\d{8}")
FILE = re.compile(r"\d{6}[A-ZĐ]{1,3}")

#: The fields a record's writer sets (everything but the unit and the bookkeeping).
EDITABLE = (
    "full_name",
    "birth_name",
    "alias",
    "gender",
    "born_on",
    "birth_place",
    "home_town",
    "residence",
    "ethnicity",
    "religion",
    "occupation_before",
    "occupation",
    "education",
    "professional",
    "theory",
    "foreign_language",
    "admitted_on",
    "admitted_place",
    "official_on",
    "official_place",
    "card_number",
    "file_number",
    "badge",
    "service",
    "state",
    "transferred_in_on",
    "transferred_in_from",
    "transferred_out_on",
    "transferred_out_to",
    "exempt_since",
    "died_on",
    "left_on",
    "leaving_form",
    "note",
)
DATES = (
    "born_on",
    "admitted_on",
    "official_on",
    "transferred_in_on",
    "transferred_out_on",
    "exempt_since",
    "died_on",
    "left_on",
)


def _months_after(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - a month has at least 28 days


def normalise(values: dict[str, Any]) -> dict[str, Any]:
    """Strip text, upper-case the file number, empty text for missing optional text."""
    clean = dict(values)
    for key, value in clean.items():
        if isinstance(value, str):
            clean[key] = value.strip()
    if clean.get("file_number"):
        clean["file_number"] = str(clean["file_number"]).upper().replace(" ", "")
    if clean.get("card_number"):
        clean["card_number"] = str(clean["card_number"]).replace(" ", "")
    return clean


def member_check(
    values: dict[str, Any],
    *,
    today: dt.date | None = None,
    other_than: int | None = None,
    check_duplicates: bool = True,
) -> dict[str, str]:
    """Every problem of a record's values, by field (empty when the record is right).

    ``values`` are already typed (dates as ``datetime.date``); ``other_than`` is the
    record being changed (its own numbers are not duplicates); an import checks the
    numbers of all its rows at once instead (``check_duplicates=False``).
    """
    day = today or timezone.localdate()
    problems: dict[str, str] = {}
    if not values.get("full_name"):
        problems["full_name"] = _("The full name is required.")
    if values.get("gender") not in Gender.values:
        problems["gender"] = _("The gender is male or female.")
    for key in DATES:
        value = values.get(key)
        if value is not None and not isinstance(value, dt.date):
            problems[key] = _("Not a date.")
    born, admitted, official = (
        values.get("born_on"),
        values.get("admitted_on"),
        values.get("official_on"),
    )
    if born is None:
        problems.setdefault("born_on", _("The date of birth is required."))
    if admitted is None:
        problems.setdefault("admitted_on", _("The date of admission is required."))
    if "born_on" not in problems and born and born >= day:
        problems["born_on"] = _("The date of birth must be in the past.")
    if "admitted_on" not in problems and admitted:
        if admitted > day:
            problems["admitted_on"] = _("The date of admission cannot be in the future.")
        elif born and isinstance(born, dt.date):
            minimum = int(getattr(settings, "RECORDS_MIN_ADMISSION_AGE", 18))
            if admitted < _months_after(born, 12 * minimum):
                problems["admitted_on"] = _(
                    "A member is admitted at %(age)d years of age at the earliest."
                ) % {"age": minimum}
    if "official_on" not in problems and official:
        if official > day:
            problems["official_on"] = _("The date made official cannot be in the future.")
        elif admitted and isinstance(admitted, dt.date):
            months = int(getattr(settings, "RECORDS_PROBATION_MONTHS", 12))
            if official < admitted:
                problems["official_on"] = _(
                    "A member is made official after their admission, not before."
                )
            elif official < _months_after(admitted, months):
                problems["official_on"] = _(
                    "A member is made official after %(months)d months of probation."
                ) % {"months": months}
    for key in ("transferred_in_on", "transferred_out_on", "exempt_since", "died_on", "left_on"):
        value = values.get(key)
        if key in problems or not isinstance(value, dt.date):
            continue
        if value > day:
            problems[key] = _("This date cannot be in the future.")
        elif isinstance(admitted, dt.date) and value < admitted and key != "transferred_in_on":
            problems[key] = _("This date falls before the admission.")
    card = str(values.get("card_number") or "")
    if card and not CARD.fullmatch(card):
        problems["card_number"] = _("The party card number has 8 digits.")
    number = str(values.get("file_number") or "")
    if number and not FILE.fullmatch(number):
        problems["file_number"] = _(
            "The member file number is 6 digits followed by 1 to 3 letters (e.g. 123456HN)."
        )
    defaults = {"theory": TheoryLevel.NONE, "service": Service.NONE, "state": MemberState.ACTIVE}
    for key, choices in (
        ("theory", TheoryLevel.values),
        ("service", Service.values),
        ("state", MemberState.values),
    ):
        if values.get(key, defaults[key]) not in choices:
            problems[key] = _("Not one of the choices.")
    state = values.get("state", MemberState.ACTIVE)
    if state == MemberState.DIED and not values.get("died_on"):
        problems.setdefault("died_on", _("A deceased member's record gives the date of death."))
    if state == MemberState.LEFT:
        if not values.get("left_on"):
            problems.setdefault("left_on", _("Give the date the member left the Party."))
        if values.get("leaving_form") not in LeavingForm.values:
            problems["leaving_form"] = _("Give how the member left the Party.")
    if state == MemberState.TRANSFERRED_OUT and not values.get("transferred_out_on"):
        problems.setdefault("transferred_out_on", _("Give the date of the transfer."))
    if not check_duplicates:
        return problems
    # A record closed by a transfer keeps its numbers (models.Member's constraints).
    others = Member.objects.exclude(state=MemberState.TRANSFERRED_OUT)
    if other_than:
        others = others.exclude(pk=other_than)
    if card and "card_number" not in problems and others.filter(card_number=card).exists():
        problems["card_number"] = _("Another member holds this party card number.")
    if number and "file_number" not in problems and others.filter(file_number=number).exists():
        problems["file_number"] = _("Another member has this member file number.")
    return problems


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise InvalidInput(
            _("The record is not valid: %(problems)s") % {"problems": "; ".join(problems.values())},
            extra={"fields": problems},
        )


def member_create(*, actor: Actor, unit: Any, **values: Any) -> Member:
    """Open a member's record in ``unit`` (a cell or a committee) after checking it.

    Raises:
        NotFound: the actor may not keep records in ``unit``.
        InvalidInput: a rule is broken (every problem by field).
    """
    if not holds_in(actor, unit, "records.add_member"):  # type: ignore[arg-type]
        raise NotFound(_("This unit does not exist or you may not do this there."))
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not fields of a record: {sorted(unknown)}")
    clean = normalise({"state": MemberState.ACTIVE, **values})
    _refuse(member_check(clean))
    try:
        with transaction.atomic():
            member = Member(unit=unit, **clean)
            member.save()
            record(
                actor=actor,
                verb="member.create",
                target=member,
                data={"fields": sorted(k for k, v in clean.items() if v not in ("", None))},
            )
    except IntegrityError:  # a concurrent record took the number meanwhile
        _refuse(member_check(clean))
        raise
    return member


def member_update(*, actor: Actor, member: Member, **values: Any) -> Member:
    """Change a member's record after checking the whole record as it would become.

    Raises:
        NotFound: the actor may not change this record.
        InvalidInput: a rule is broken.
    """
    if not Member.objects.restrict(actor, "change").filter(pk=member.pk).exists():  # type: ignore[arg-type]
        raise NotFound(_("This record does not exist or you may not change it."))
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not fields of a record: {sorted(unknown)}")
    current = {key: getattr(member, key) for key in EDITABLE}
    clean = normalise({**current, **values})
    _refuse(member_check(clean, other_than=member.pk))
    changed = sorted(key for key in EDITABLE if clean[key] != current[key])
    if not changed:
        return member
    with transaction.atomic():
        for key in changed:
            setattr(member, key, clean[key])
        member.save()
        record(actor=actor, verb="member.update", target=member, data={"fields": changed})
    return member
