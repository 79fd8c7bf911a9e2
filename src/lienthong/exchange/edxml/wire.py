"""Date and timestamp forms of the wire (vn-rules.md §3.2).

The standard writes ``yyyy/MM/dd`` and ``yyyy/MM/dd HH:mm:ss``; the Bkav checker expects
``dd/MM/yyyy``. Both are read; only the first is written. Timestamps carry no zone: they
are Vietnam time (UTC+7, no daylight saving since 1975).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from django.utils.translation import gettext_noop

from .errors import EdxmlError

#: Vietnam time, the zone of every wire timestamp.
VN_TZ = timezone(timedelta(hours=7), "ICT")

_YMD = re.compile(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_date(text: str, *, element: str) -> date:
    """Read ``yyyy/MM/dd`` or ``dd/MM/yyyy`` (``yyyy-MM-dd`` too).

    Raises:
        EdxmlError: not one of those forms, or not a real day.
    """
    value = text.strip()
    match = _YMD.match(value)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _DMY.match(value)
        if not match:
            raise EdxmlError(
                gettext_noop("%(element)s is not a date (yyyy/MM/dd or dd/MM/yyyy): %(value)s"),
                element=element,
                value=value[:40],
            )
        day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise EdxmlError(
            gettext_noop("%(element)s is not a real day: %(value)s"),
            element=element,
            value=value[:40],
        ) from exc


def format_date(value: date) -> str:
    """``yyyy/MM/dd``."""
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def parse_timestamp(text: str, *, element: str) -> datetime:
    """Read ``yyyy/MM/dd HH:mm:ss`` or ``dd/MM/yyyy HH:mm:ss`` (or ISO 8601) as an aware datetime.

    Raises:
        EdxmlError: not a timestamp.
    """
    value = text.strip()
    day_part, _sep, time_part = value.partition(" ")
    if not time_part and "/" in day_part:
        day = parse_date(day_part, element=element)
        return datetime(day.year, day.month, day.day, tzinfo=VN_TZ)
    if time_part and "/" in day_part:
        day = parse_date(day_part, element=element)
        match = _TIME.match(time_part.strip())
        if match:
            hour, minute = int(match.group(1)), int(match.group(2))
            second = int(match.group(3) or 0)
            try:
                return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=VN_TZ)
            except ValueError:
                pass
    else:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=VN_TZ)
    raise EdxmlError(
        gettext_noop("%(element)s is not a timestamp (yyyy/MM/dd HH:mm:ss): %(value)s"),
        element=element,
        value=value[:40],
    )


def format_timestamp(value: datetime) -> str:
    """``yyyy/MM/dd HH:mm:ss`` in Vietnam time (a naive value is taken as Vietnam time)."""
    local = value.replace(tzinfo=VN_TZ) if value.tzinfo is None else value.astimezone(VN_TZ)
    return f"{format_date(local.date())} {local:%H:%M:%S}"
