"""Demo calendar (``lienthong load_demo_agenda``, in ``make demo``): this week's work
calendar of Thành ủy Hà Nội, entered and published through the services by the demo
clerk (``vanthu.hanoi``), with the demo leader (``lanhdao.hanoi``) attending; one online
meeting with a link of a fictional internal video-conference system; and a few
notifications for the demo accounts. DEMO ONLY."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from lienthong.core.errors import InvalidInput
from lienthong.org.demo import HANOI
from lienthong.org.models import Unit, User
from lienthong.portal.agenda.choices import EventKind, NotificationKind
from lienthong.portal.agenda.models import Event
from lienthong.portal.agenda.selectors import Week
from lienthong.portal.agenda.services import event_create, event_publish, notify

__all__ = ["DEMO", "DemoAgendaReport", "demo_agenda_load"]

KEEPER = "vanthu.hanoi"
LEADER = "lanhdao.hanoi"
#: The demo accounts that get notifications.
NOTIFIED = ("vanthu.hanoi", "chuyenvien.hanoi", "lanhdao.hanoi")
#: A fictional room of the network's video-conference system.
ONLINE_ROOM = "https://hop.tu.hanoi.dcs.vn/phong-1"


@dataclass(frozen=True)
class DemoEvent:
    weekday: int
    """0 Monday … 6 Sunday."""
    start: str
    end: str
    title: str
    place: str
    kind: str
    participants: str = ""
    online: str = ""
    with_leader: bool = True


DEMO: tuple[DemoEvent, ...] = (
    DemoEvent(
        0,
        "08:00",
        "09:30",
        "Giao ban Thường trực Thành ủy",
        "Phòng họp số 1, trụ sở Thành ủy",
        EventKind.MEETING,
        "Thường trực Thành ủy; Chánh Văn phòng Thành ủy",
    ),
    DemoEvent(
        1,
        "14:00",
        "17:00",
        "Hội nghị trực tuyến quán triệt Nghị quyết số 57-NQ/TW về chuyển đổi số",
        "Hội trường lớn và các điểm cầu cấp xã",
        EventKind.MEETING,
        "Ban Thường vụ Thành ủy; bí thư các đảng ủy trực thuộc",
        online=ONLINE_ROOM,
    ),
    DemoEvent(
        2,
        "08:00",
        "11:30",
        "Kiểm tra công tác chuyển đổi số tại Đảng ủy phường Hoàn Kiếm",
        "Đảng ủy phường Hoàn Kiếm",
        EventKind.TRIP,
        "Văn phòng Thành ủy; Ban Tổ chức Thành ủy",
    ),
    DemoEvent(
        3,
        "08:30",
        "11:30",
        "Làm việc với Văn phòng Thành ủy về lịch công tác tháng",
        "Phòng làm việc số 2",
        EventKind.WORK,
        "Chánh Văn phòng; các Phó Chánh Văn phòng",
    ),
    DemoEvent(
        4,
        "14:00",
        "16:30",
        "Họp Ban Thường vụ Thành ủy",
        "Phòng họp Ban Thường vụ",
        EventKind.MEETING,
        "Các đồng chí Ủy viên Ban Thường vụ Thành ủy",
    ),
)


@dataclass
class DemoAgendaReport:
    events: int = 0
    notifications: int = 0
    skipped: bool = False


def _at(day: dt.date, hhmm: str) -> dt.datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def demo_agenda_load() -> DemoAgendaReport:
    """Load this week's demo calendar of Thành ủy Hà Nội; idempotent for the week.

    Raises:
        InvalidInput: the demo units or accounts are not loaded.
    """
    report = DemoAgendaReport()
    unit = Unit.objects.filter(source_key=HANOI).first()
    keeper = User.objects.filter(username=KEEPER).first()
    leader = User.objects.filter(username=LEADER).first()
    if unit is None or keeper is None or leader is None:
        raise InvalidInput("Run “lienthong load_units” and “lienthong load_demo” first.")
    week = Week.of(timezone.localdate())
    start, end = week.bounds()
    if Event.objects.filter(unit=unit, starts_at__gte=start, starts_at__lt=end).exists():
        report.skipped = True
        return report
    with transaction.atomic():
        for item in DEMO:
            day = week.monday + dt.timedelta(days=item.weekday)
            event = event_create(
                actor=keeper,
                unit=unit,
                title=item.title,
                starts_at=_at(day, item.start),
                ends_at=_at(day, item.end),
                kind=item.kind,
                place=item.place,
                participants=item.participants,
                online_meeting_url=item.online,
                leaders=[leader] if item.with_leader else [],
            )
            event_publish(actor=keeper, event=event)
            report.events += 1
        people = list(User.objects.filter(username__in=NOTIFIED))
        for text, url in (
            (
                "Văn phòng Thành ủy đã cập nhật lịch công tác tuần này.",
                f"/lich/?don-vi={unit.pk}&tuan={week}",
            ),
            (
                "Đề nghị các đồng chí hoàn thành báo cáo tháng trước ngày 25.",
                "",
            ),
        ):
            report.notifications += len(
                notify(
                    users=people, kind=NotificationKind.GENERAL, text=text, url=url, actor=keeper
                )
            )
    return report
