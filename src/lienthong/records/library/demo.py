"""Demo library (``lienthong load_demo_library``, in ``make demo``): real Party documents
(numbers, dates, issuing bodies and subjects as published), entered through
``services.publication_create`` by the demo clerk of Hà Nội (``vanthu.hanoi``), each
with a short PDF made by WeasyPrint that reproduces the heading (HD 36-HD/VPTW,
vn-rules.md §2.5) and the subject (not the full text), and the relations between them
that the documents themselves state (QĐ 399 replaces QĐ 66, vn-rules.md §2.1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from django.db import transaction

from lienthong.core.errors import InvalidInput
from lienthong.documents.models import DocumentType
from lienthong.documents.types_data import builtin_types_load
from lienthong.org.demo import HANOI
from lienthong.org.models import Unit, User
from lienthong.records.library.choices import RelationKind, Visibility
from lienthong.records.library.models import Publication
from lienthong.records.library.services import publication_create, publication_relate

__all__ = ["DEMO", "DemoLibraryReport", "demo_library_load", "publication_pdf"]

KEEPER = "vanthu.hanoi"
BCH = "Ban Chấp hành Trung ương"
BCT = "Bộ Chính trị"


@dataclass(frozen=True)
class DemoPublication:
    type_name: str
    number: int
    notation: str
    issued_on: dt.date
    issuer: str
    term: str
    title: str
    tags: tuple[str, ...] = ()


DEMO: tuple[DemoPublication, ...] = (
    DemoPublication(
        "Nghị quyết",
        57,
        "NQ/TW",
        dt.date(2024, 12, 22),
        BCT,
        "XIII",
        "Về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
        ("chuyển đổi số", "khoa học, công nghệ"),
    ),
    DemoPublication(
        "Nghị quyết",
        52,
        "NQ/TW",
        dt.date(2019, 9, 27),
        BCT,
        "XII",
        "Về một số chủ trương, chính sách chủ động tham gia cuộc Cách mạng công nghiệp lần thứ tư",
        ("chuyển đổi số",),
    ),
    DemoPublication(
        "Nghị quyết",
        18,
        "NQ/TW",
        dt.date(2017, 10, 25),
        BCH,
        "XII",
        "Một số vấn đề về tiếp tục đổi mới, sắp xếp tổ chức bộ máy của hệ thống chính trị "
        "tinh gọn, hoạt động hiệu lực, hiệu quả",
        ("tổ chức bộ máy",),
    ),
    DemoPublication(
        "Nghị quyết",
        19,
        "NQ/TW",
        dt.date(2017, 10, 25),
        BCH,
        "XII",
        "Về tiếp tục đổi mới hệ thống tổ chức và quản lý, nâng cao chất lượng và hiệu quả "
        "hoạt động của các đơn vị sự nghiệp công lập",
        ("tổ chức bộ máy",),
    ),
    DemoPublication(
        "Nghị quyết",
        66,
        "NQ/TW",
        dt.date(2025, 4, 30),
        BCT,
        "XIII",
        "Về đổi mới công tác xây dựng và thi hành pháp luật đáp ứng yêu cầu phát triển đất "
        "nước trong kỷ nguyên mới",
        ("pháp luật",),
    ),
    DemoPublication(
        "Nghị quyết",
        68,
        "NQ/TW",
        dt.date(2025, 5, 4),
        BCT,
        "XIII",
        "Về phát triển kinh tế tư nhân",
        ("kinh tế",),
    ),
    DemoPublication(
        "Chỉ thị",
        5,
        "CT/TW",
        dt.date(2016, 5, 15),
        BCT,
        "XII",
        "Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        ("học tập và làm theo Bác",),
    ),
    DemoPublication(
        "Kết luận",
        1,
        "KL/TW",
        dt.date(2021, 5, 18),
        BCT,
        "XIII",
        "Về tiếp tục thực hiện Chỉ thị số 05-CT/TW của Bộ Chính trị khóa XII về đẩy mạnh "
        "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        ("học tập và làm theo Bác",),
    ),
    DemoPublication(
        "Kết luận",
        21,
        "KL/TW",
        dt.date(2021, 10, 25),
        BCH,
        "XIII",
        "Về đẩy mạnh xây dựng, chỉnh đốn Đảng và hệ thống chính trị; kiên quyết ngăn chặn, "
        "đẩy lùi, xử lý nghiêm cán bộ, đảng viên suy thoái về tư tưởng chính trị, đạo đức, "
        "lối sống, biểu hiện “tự diễn biến”, “tự chuyển hóa”",
        ("xây dựng Đảng",),
    ),
    DemoPublication(
        "Quy định",
        144,
        "QĐ/TW",
        dt.date(2024, 5, 9),
        BCT,
        "XIII",
        "Về chuẩn mực đạo đức cách mạng của cán bộ, đảng viên trong giai đoạn mới",
        ("xây dựng Đảng",),
    ),
    DemoPublication(
        "Quy định",
        205,
        "QĐ/TW",
        dt.date(2019, 9, 23),
        BCT,
        "XII",
        "Về việc kiểm soát quyền lực trong công tác cán bộ và chống chạy chức, chạy quyền",
        ("công tác cán bộ",),
    ),
    DemoPublication(
        "Quy định (Ban Chấp hành Trung ương)",
        8,
        "QĐi/TW",
        dt.date(2018, 10, 25),
        BCH,
        "XII",
        "Về trách nhiệm nêu gương của cán bộ, đảng viên, trước hết là Ủy viên Bộ Chính trị, "
        "Ủy viên Ban Bí thư, Ủy viên Ban Chấp hành Trung ương",
        ("xây dựng Đảng",),
    ),
    DemoPublication(
        "Quy định",
        66,
        "QĐ/TW",
        dt.date(2017, 2, 6),
        BCH,
        "XII",
        "Về thể loại, thẩm quyền ban hành và thể thức văn bản của Đảng",
        ("văn bản của Đảng",),
    ),
    DemoPublication(
        "Hướng dẫn",
        36,
        "HD/VPTW",
        dt.date(2018, 4, 3),
        "Văn phòng Trung ương Đảng",
        "XII",
        "Thể thức và kỹ thuật trình bày văn bản của Đảng",
        ("văn bản của Đảng",),
    ),
    DemoPublication(
        "Quy định",
        399,
        "QĐ/TW",
        dt.date(2026, 1, 9),
        BCH,
        "XIII",
        "Về thể loại, thẩm quyền ban hành và thể thức văn bản của Đảng",
        ("văn bản của Đảng",),
    ),
)

#: (source, kind, target) by (type abbreviation, number).
RELATIONS = (
    (("QĐ", 399), RelationKind.REPLACES, ("QĐ", 66)),
    (("HD", 36), RelationKind.GUIDES, ("QĐ", 66)),
    (("KL", 1), RelationKind.IMPLEMENTS, ("CT", 5)),
)


def publication_pdf(item: DemoPublication) -> bytes:
    """A one-page PDF with the Party heading (HD 36: "ĐẢNG CỘNG SẢN VIỆT NAM", the
    issuing body with "*", "Số …", the place and date, the type and subject)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    day = item.issued_on
    html = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
    @page {{ size: A4; margin: 2cm 2cm 2cm 3cm; }}
    body {{ font-family: "Liberation Serif", "Times New Roman", serif; font-size: 14pt; }}
    table {{ width: 100%; }} td {{ vertical-align: top; text-align: center; }}
    h1 {{ font-size: 15pt; text-align: center; margin-top: 1.5cm; }}
    .subject {{ text-align: center; font-weight: bold; }}
    </style></head><body><table><tr>
    <td>{escape(item.issuer.upper())}<br>*<br>Số {item.number:02d}-{escape(item.notation)}</td>
    <td><b>ĐẢNG CỘNG SẢN VIỆT NAM</b><br><i>Hà Nội, ngày {day.day:02d} tháng {day.month:02d}
    năm {day.year}</i></td></tr></table>
    <h1>{escape(item.type_name.split(" (")[0].upper())}</h1>
    <p class="subject">{escape(item.title)}</p>
    <p>Bản mẫu của hệ thống lienthong: trang này chỉ nhắc lại số, ký hiệu, ngày và trích yếu
    của văn kiện để minh họa thư viện; nội dung đầy đủ xem tại văn bản gốc.</p>
    </body></html>"""
    return bytes(HTML(string=html).write_pdf())


@dataclass
class DemoLibraryReport:
    publications: int = 0
    relations: int = 0
    skipped: bool = False


def demo_library_load(*, with_pdf: bool = True) -> DemoLibraryReport:
    """Load the demo library into the Hà Nội committee's office; idempotent.

    Raises:
        InvalidInput: the demo units or accounts are not loaded.
    """
    report = DemoLibraryReport()
    unit = Unit.objects.filter(source_key=HANOI).first()
    keeper = User.objects.filter(username=KEEPER).first()
    if unit is None or keeper is None:
        raise InvalidInput("Run “lienthong load_units” and “lienthong load_demo” first.")
    if Publication.objects.filter(unit=unit).exists():
        report.skipped = True
        return report
    if not DocumentType.objects.exists():
        builtin_types_load(DocumentType)
    made: dict[tuple[str, int], Publication] = {}
    with transaction.atomic():
        for item in DEMO:
            doc_type = DocumentType.objects.get(convention="party", name=item.type_name)
            publication = publication_create(
                actor=keeper,
                unit=unit,
                document_type=doc_type,
                number=item.number,
                notation=item.notation,
                issued_on=item.issued_on,
                issuer_name=item.issuer,
                term=item.term,
                title=item.title,
                visibility=Visibility.PUBLIC,
                tags=item.tags,
                pdf=publication_pdf(item) if with_pdf else None,
                pdf_name=f"{item.number:02d}-{item.notation.replace('/', '-')}.pdf",
            )
            made[(doc_type.code, item.number)] = publication
            report.publications += 1
        for source, kind, target in RELATIONS:
            publication_relate(actor=keeper, source=made[source], target=made[target], kind=kind)
            report.relations += 1
    return report
