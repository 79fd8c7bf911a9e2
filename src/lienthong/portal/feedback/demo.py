"""Demo feedback (``lienthong load_demo_feedback``, in ``make demo``): DEMO ONLY.

Four topics routed to the Văn phòng Thành ủy Hà Nội (the unit ``load_units`` keys
``vn:p:01:vp``), and five feedback from citizens sent through ``feedback_submit`` like
the public form: two answered by the demo specialist of Hà Nội (``chuyenvien.hanoi``), one
of them published with the citizen's consent, one overdue (its arrival backdated), two
waiting. Idempotent: a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.actors import SystemActor
from lienthong.core.errors import InvalidInput
from lienthong.org.demo import HANOI
from lienthong.org.models import Unit, User
from lienthong.portal.feedback.models import Feedback, Topic
from lienthong.portal.feedback.services import (
    feedback_answer,
    feedback_submit,
    topic_create,
)

__all__ = ["DEMO_FEEDBACK", "DEMO_TOPICS", "DemoFeedbackReport", "demo_feedback_load"]

ACTOR = SystemActor("load_demo_feedback")
HANDLER = "chuyenvien.hanoi"
OFFICE_KEY = f"{HANOI}:vp"  # Văn phòng Thành ủy Hà Nội

#: (name, days to answer).
DEMO_TOPICS: tuple[tuple[str, int], ...] = (
    ("Cải cách thủ tục hành chính", 15),
    ("Xây dựng Đảng, chính quyền", 30),
    ("Đô thị, môi trường", 15),
    ("Khác", 15),
)


@dataclass(frozen=True)
class DemoItem:
    topic: str
    text: str
    name: str
    email: str
    consent: bool
    days_ago: int
    answer: str = ""
    publish: bool = False


DEMO_FEEDBACK: tuple[DemoItem, ...] = (
    DemoItem(
        "Cải cách thủ tục hành chính",
        "Đề nghị niêm yết công khai thời hạn giải quyết từng loại hồ sơ tại bộ phận một cửa "
        "của phường, để người dân biết khi nào đến nhận kết quả.",
        "Nguyễn Văn An",
        "an.nguyen@example.vn",
        consent=True,
        days_ago=12,
        answer="Văn phòng Thành ủy đã chuyển kiến nghị đến các đảng ủy phường. Từ tháng tới, thời "
        "hạn giải quyết từng loại hồ sơ được niêm yết tại bộ phận một cửa và trên cổng "
        "thông tin điện tử của phường. Trân trọng cảm ơn ông đã góp ý.",
        publish=True,
    ),
    DemoItem(
        "Đô thị, môi trường",
        "Ngõ 12 phố Hàng Bông thiếu đèn chiếu sáng, buổi tối đi lại khó khăn.",
        "Trần Thị Bình",
        "binh.tran@example.vn",
        consent=False,
        days_ago=9,
        answer="Kiến nghị đã được chuyển đến Ủy ban nhân dân phường Hoàn Kiếm; đèn chiếu sáng ngõ "
        "12 được lắp đặt trong quý này. Cảm ơn bà đã phản ánh.",
    ),
    DemoItem(
        "Xây dựng Đảng, chính quyền",
        "Đề nghị tổ chức đối thoại định kỳ giữa lãnh đạo phường và nhân dân mỗi quý một lần.",
        "",
        "",
        consent=True,
        days_ago=40,
    ),
    DemoItem(
        "Cải cách thủ tục hành chính",
        "Xin hướng dẫn thủ tục chuyển sinh hoạt đảng khi chuyển nơi cư trú sang tỉnh khác.",
        "Lê Văn Cường",
        "cuong.le@example.vn",
        consent=True,
        days_ago=3,
    ),
    DemoItem(
        "Khác",
        "Đề nghị cổng thông tin có thêm mục hỏi đáp về chính sách đối với người có công.",
        "Phạm Thị Dung",
        "",
        consent=False,
        days_ago=1,
    ),
)


@dataclass
class DemoFeedbackReport:
    """What ``demo_feedback_load`` did."""

    topics: int = 0
    feedback: int = 0
    answered: int = 0
    published: int = 0
    skipped: bool = False


def demo_feedback_load() -> DemoFeedbackReport:
    """Load the demo topics and feedback; idempotent.

    Raises:
        InvalidInput: the real units or the demo accounts are missing (run
            ``lienthong load_units`` and ``lienthong load_demo``); nothing is written.
    """
    office = Unit.objects.filter(source_key=OFFICE_KEY).first()
    if office is None:
        raise InvalidInput(
            _("The real units are not loaded (missing %(keys)s): run “lienthong load_units” first.")
            % {"keys": OFFICE_KEY}
        )
    handler = User.objects.filter(username=HANDLER).first()
    if handler is None:
        raise InvalidInput(
            _("The demo account %(username)s is missing: run “lienthong load_demo” first.")
            % {"username": HANDLER}
        )
    report = DemoFeedbackReport()
    if Topic.objects.filter(name=DEMO_TOPICS[0][0]).exists():
        report.skipped = True
        return report
    with transaction.atomic():
        topics: dict[str, Topic] = {}
        for order, (name, days) in enumerate(DEMO_TOPICS):
            topics[name] = topic_create(
                actor=ACTOR, name=name, unit=office, days_to_answer=days, sort_order=order
            )
            report.topics += 1
        for item in DEMO_FEEDBACK:
            feedback = feedback_submit(
                topic=topics[item.topic],
                text=item.text,
                contact_name=item.name,
                contact_email=item.email,
                consent_publish=item.consent,
                address="192.0.2.1",
            )
            # DEMO ONLY: backdate the arrival so that the list shows real ages (and one
            # feedback past its deadline).
            received = timezone.now() - dt.timedelta(days=item.days_ago)
            Feedback.objects.filter(pk=feedback.pk).update(
                received_at=received,
                deadline=timezone.localdate(received)
                + dt.timedelta(days=topics[item.topic].days_to_answer),
            )
            feedback.refresh_from_db()
            report.feedback += 1
            if item.answer:
                feedback_answer(
                    actor=handler, feedback=feedback, answer=item.answer, publish=item.publish
                )
                report.answered += 1
                report.published += int(item.publish)
    return report
