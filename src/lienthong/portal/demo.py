"""DEMO ONLY: the public portal of Thành ủy Hà Nội (``lienthong load_demo_portal``, in
``make demo`` after ``load_demo_library``): five published announcements about the
digital transformation programme, one draft, and two issued documents of the committee
put on the portal (when ``load_demo_documents`` issued some)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from lienthong.audit.actors import SystemActor
from lienthong.core.errors import InvalidInput
from lienthong.documents.choices import Direction, DocumentState
from lienthong.documents.models import Document
from lienthong.org.demo import HANOI
from lienthong.org.models import Unit
from lienthong.portal import services
from lienthong.portal.models import Announcement, PublishedDocument

__all__ = ["ANNOUNCEMENTS", "DRAFT", "DemoPortalReport", "demo_portal_load"]

#: (title, summary, body): published, oldest first.
ANNOUNCEMENTS: tuple[tuple[str, str, str], ...] = (
    (
        "Thành ủy triển khai Đề án 06 trong các cơ quan Đảng của Thành phố",
        "Ban Thường vụ Thành ủy yêu cầu các cấp ủy đẩy mạnh ứng dụng dữ liệu dân cư, "
        "định danh và xác thực điện tử phục vụ chuyển đổi số.",
        "Thực hiện Đề án phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực "
        "điện tử phục vụ chuyển đổi số quốc gia (Đề án 06), Ban Thường vụ Thành ủy đề "
        "nghị các cấp ủy, tổ chức đảng trực thuộc quán triệt và tổ chức thực hiện "
        "nghiêm túc.\n\n"
        "Các đơn vị rà soát quy trình nội bộ, sử dụng tài khoản định danh điện tử mức độ "
        "2 trong giải quyết công việc, và báo cáo kết quả về Văn phòng Thành ủy trước "
        "ngày 25 hằng tháng.",
    ),
    (
        "Hội nghị trực tuyến sơ kết chuyển đổi số khối Đảng 6 tháng đầu năm",
        "Hội nghị được tổ chức trực tuyến tới các đảng ủy phường, xã trên địa bàn.",
        "Hội nghị đánh giá kết quả thực hiện Nghị quyết số 57-NQ/TW của Bộ Chính trị về "
        "đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc "
        "gia trong các cơ quan Đảng của Thành phố.\n\n"
        "Tỷ lệ văn bản điện tử có chữ ký số được gửi, nhận qua hệ thống liên thông đạt "
        "trên 95%; toàn bộ đảng ủy phường, xã đã kết nối mạng truyền số liệu chuyên dùng.",
    ),
    (
        "Hướng dẫn sử dụng chữ ký số trong văn bản của Đảng",
        "Văn phòng Thành ủy hướng dẫn cấp, sử dụng và bảo quản chứng thư số, thiết bị "
        "lưu khóa cho cán bộ lãnh đạo và văn thư.",
        "Mỗi lãnh đạo ký văn bản sử dụng chứng thư số cá nhân; văn thư sử dụng chứng thư "
        "số của cơ quan để ký số văn bản phát hành.\n\n"
        "Khi mất thiết bị lưu khóa (USB token), người sử dụng báo ngay cho cán bộ công "
        "nghệ thông tin của đơn vị để thu hồi chứng thư số.",
    ),
    (
        "Thông báo lịch tiếp nhận góp ý của người dân trên Cổng thông tin",
        "Người dân có thể gửi góp ý, kiến nghị và theo dõi kết quả trả lời trên Cổng "
        "thông tin điện tử của Thành ủy.",
        "Góp ý được chuyển tới đơn vị phụ trách theo lĩnh vực và được trả lời trong thời "
        "hạn quy định.\n\n"
        "Người gửi nhận mã tra cứu để theo dõi tình trạng xử lý; nội dung trả lời được "
        "công khai khi người gửi đồng ý.",
    ),
    (
        "Tập huấn kỹ năng số cho cán bộ, đảng viên năm 2025",
        "Các lớp tập huấn về an toàn thông tin, khai thác cơ sở dữ liệu và ứng dụng trí "
        "tuệ nhân tạo trong công tác văn phòng.",
        "Văn phòng Thành ủy phối hợp với các cơ quan chuyên môn tổ chức các lớp tập huấn "
        "kỹ năng số cho cán bộ, đảng viên trong quý III.\n\n"
        "Các đơn vị đăng ký danh sách học viên trước ngày 15 của tháng đầu quý.",
    ),
)

#: A draft that stays in the back office.
DRAFT = (
    "Dự thảo: kế hoạch chuyển đổi số khối Đảng giai đoạn 2026-2030",
    "",
    "Bản dự thảo đang được Văn phòng Thành ủy hoàn thiện trước khi trình Thường trực.",
)

#: How many issued documents are put on the portal.
DEMO_DOCUMENTS = 2


@dataclass
class DemoPortalReport:
    """What the demo loader did."""

    announcements: int = 0
    drafts: int = 0
    documents: int = 0
    skipped: bool = False
    warnings: list[str] = field(default_factory=list)


def demo_portal_load() -> DemoPortalReport:
    """Load the demo portal; idempotent (a second run changes nothing).

    Raises:
        InvalidInput: the demo units are not loaded (run ``lienthong load_demo``).
    """
    report = DemoPortalReport()
    unit = Unit.objects.filter(source_key=HANOI).first()
    if unit is None:
        raise InvalidInput(_("The demo accounts are not loaded: run “lienthong load_demo” first."))
    titles = [title for title, _summary, _body in (*ANNOUNCEMENTS, DRAFT)]
    if Announcement.objects.filter(unit=unit, title__in=titles).exists():
        report.skipped = True
        return report
    actor = SystemActor("load_demo_portal")
    for title, summary, body in ANNOUNCEMENTS:
        made = services.announcement_create(
            actor=actor, unit=unit, title=title, summary=summary, body=body
        )
        services.announcement_submit(actor=actor, announcement=made)
        services.announcement_publish(actor=actor, announcement=made)
        report.announcements += 1
    title, summary, body = DRAFT
    services.announcement_create(actor=actor, unit=unit, title=title, summary=summary, body=body)
    report.drafts += 1
    on_portal = PublishedDocument.objects.filter(withdrawn_at__isnull=True).values("document_id")
    candidates = (
        Document.objects.filter(
            unit=unit,
            direction=Direction.OUTGOING,
            state=DocumentState.ISSUED,
            classification=0,
        )
        .exclude(pk__in=on_portal)
        .order_by("-has_signed_file", "-issued_date", "-pk")[:DEMO_DOCUMENTS]
    )
    for document in candidates:
        services.document_publish(actor=actor, document=document)
        report.documents += 1
    if not report.documents:
        report.warnings.append(
            "no issued document of the demo committee: run load_demo_documents to publish some"
        )
    return report
