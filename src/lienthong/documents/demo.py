"""Demo documents (``lienthong load_demo_documents``), after ``load_demo`` and ``load_demo_trust``.

DEMO ONLY. Gives the demo units their document settings (Thành ủy Hà Nội: Party, "TU";
Đảng ủy phường Hoàn Kiếm: Party, "ĐU"; no State unit is among the demo units, so none is
set up), an outgoing and an incoming register each (numbered by calendar year), and a
few hundred realistic documents over the last twelve months, from a seeded random
generator (the same data on every node):

* outgoing history: issued documents with numbers taken from the numbering engine
  (``numbering.number_allocate``, so the counters stay right), metadata only — no
  signed PDF is made for them, and their note says so;
* incoming history: registered through ``document_register_incoming`` (arrival numbers
  from the register), most assigned with a deadline, some closed on time, some late,
  some still open past their deadline (the leader's overdue list);
* a handful that go the whole way through the services — drafted, submitted, approved,
  signed by the demo leader and issued with the seal by the demo clerk — plus a few left
  at each step (a draft, one to approve, one to sign, one to issue) for the daily pages;
* scans of the three latest paper letters that reached Hoàn Kiếm, named after their
  arrival numbers and handed to the intake like an upload (issue #7): the intake worker
  of ``lienthong serve`` reads them, and the clerk sees them on the queue page.

Idempotent: when the demo documents are there, nothing is added.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor
from lienthong.core.errors import ApplicationError, InvalidInput
from lienthong.documents.choices import (
    Convention,
    Direction,
    DocumentState,
    EventKind,
    HandlingRole,
    HandlingState,
)
from lienthong.documents.models import (
    Assignment,
    Document,
    DocumentEvent,
    DocumentType,
    Register,
    UnitProfile,
)
from lienthong.org.demo import HANOI, HOAN_KIEM
from lienthong.org.models import Unit, User

__all__ = ["DEMO_NOTE", "DemoDocumentsReport", "demo_documents_load"]

logger = logging.getLogger(__name__)

#: The note of every metadata-only demo document (no signed file was made for it).
DEMO_NOTE = "Dữ liệu mẫu: văn bản lịch sử, chỉ có siêu dữ liệu (không có tệp ký số)."
#: The seed of the generator: the same demo everywhere.
SEED = 20260401


@dataclass(frozen=True)
class _DemoUnit:
    key: str
    issuer_code: str
    place: str
    clerk: str
    specialist: str | None
    leader: str | None
    outgoing: int
    incoming: int


#: Document settings and volumes of the demo units (State: none among the demo units).
_UNITS = (
    _DemoUnit(HANOI, "TU", "Hà Nội", "vanthu.hanoi", "chuyenvien.hanoi", "lanhdao.hanoi", 140, 150),
    _DemoUnit(HOAN_KIEM, "ĐU", "Hà Nội", "vanthu.hoankiem", None, None, 40, 60),
)

#: Outgoing subjects by Party type name (trích yếu as the offices write them).
_OUTGOING = {
    "Công văn": [
        "V/v triển khai thực hiện Nghị quyết Đại hội đại biểu Đảng bộ thành phố",
        "V/v báo cáo kết quả công tác kiểm tra, giám sát quý {q}",
        "V/v chuẩn bị nội dung hội nghị Ban Chấp hành Đảng bộ",
        "V/v góp ý dự thảo văn kiện Đại hội",
        "V/v tăng cường công tác phòng, chống tham nhũng, lãng phí",
        "V/v rà soát, bổ sung quy hoạch cán bộ nhiệm kỳ 2025-2030",
        "V/v tổ chức các hoạt động kỷ niệm ngày thành lập Đảng",
        "V/v thực hiện chế độ thông tin, báo cáo định kỳ",
        "V/v triển khai phần mềm quản lý văn bản và hồ sơ công việc",
        "V/v đôn đốc nộp báo cáo tổng kết công tác năm",
        "V/v cử cán bộ tham dự lớp bồi dưỡng nghiệp vụ văn thư, lưu trữ",
        "V/v kiện toàn tổ chức bộ máy sau sắp xếp đơn vị hành chính",
    ],
    "Thông báo": [
        "Thông báo kết luận của Ban Thường vụ tại hội nghị tháng {m}",
        "Thông báo lịch làm việc của Thường trực tháng {m}",
        "Thông báo ý kiến chỉ đạo về công tác chuyển đổi số",
        "Thông báo phân công nhiệm vụ các đồng chí Ủy viên Ban Thường vụ",
    ],
    "Báo cáo": [
        "Báo cáo tình hình thực hiện nhiệm vụ tháng {m}",
        "Báo cáo kết quả công tác xây dựng Đảng quý {q}",
        "Báo cáo sơ kết 6 tháng thực hiện Chỉ thị của Ban Bí thư",
        "Báo cáo tình hình tư tưởng cán bộ, đảng viên",
    ],
    "Kế hoạch": [
        "Kế hoạch kiểm tra, giám sát năm {y}",
        "Kế hoạch tổ chức học tập, quán triệt nghị quyết của Trung ương",
        "Kế hoạch triển khai công tác chuyển đổi số trong cơ quan Đảng",
        "Kế hoạch tổng kết công tác năm và triển khai nhiệm vụ năm {y1}",
    ],
    "Nghị quyết": [
        "Nghị quyết về phương hướng, nhiệm vụ công tác quý {q}",
        "Nghị quyết về đẩy mạnh cải cách hành chính trong cơ quan Đảng",
    ],
    "Quyết định": [
        "Quyết định thành lập Tổ giúp việc xây dựng đề án chuyển đổi số",
        "Quyết định ban hành Quy chế làm việc của Ban Chấp hành Đảng bộ",
        "Quyết định kiện toàn Ban Chỉ đạo phòng, chống tham nhũng",
        "Quyết định ban hành quy chế quản lý văn bản điện tử",
    ],
    "Chương trình": ["Chương trình công tác toàn khóa của Ban Chấp hành Đảng bộ"],
    "Tờ trình": ["Tờ trình về việc bổ sung biên chế các cơ quan tham mưu, giúp việc"],
    "Hướng dẫn": ["Hướng dẫn tổ chức sinh hoạt chi bộ theo chuyên đề năm {y}"],
}

#: Incoming subjects, with the bodies that send them and their notation's type part.
_INCOMING = [
    ("Công văn", "CV", "V/v triển khai Chỉ thị của Ban Bí thư về công tác văn thư, lưu trữ"),
    ("Công văn", "CV", "V/v báo cáo số liệu đảng viên quý {q}"),
    ("Công văn", "CV", "V/v góp ý dự thảo Quy định về công tác kiểm tra, giám sát"),
    ("Công văn", "CV", "V/v đề nghị cung cấp thông tin phục vụ tổng kết"),
    ("Công văn", "CV", "V/v đăng ký nhu cầu đào tạo, bồi dưỡng cán bộ năm {y1}"),
    ("Công văn", "CV", "V/v phối hợp tổ chức hội nghị trực tuyến toàn quốc"),
    ("Công văn", "CV", "V/v kiểm tra việc thực hiện quy chế dân chủ ở cơ sở"),
    ("Hướng dẫn", "HD", "Hướng dẫn thực hiện thể thức và kỹ thuật trình bày văn bản của Đảng"),
    ("Hướng dẫn", "HD", "Hướng dẫn tổng kết công tác xây dựng Đảng năm {y}"),
    ("Thông báo", "TB", "Thông báo kết luận của Thường trực về công tác cán bộ"),
    ("Kế hoạch", "KH", "Kế hoạch tổ chức Hội nghị quán triệt Nghị quyết Trung ương"),
    ("Quyết định", "QĐ", "Quyết định về việc thành lập đoàn kiểm tra"),
    ("Chỉ thị", "CT", "Chỉ thị về lãnh đạo tổ chức đại hội đảng bộ các cấp"),
    ("Kết luận", "KL", "Kết luận về tiếp tục đẩy mạnh chuyển đổi số"),
]

#: Central bodies that send documents (name, issuer code of their notation).
_CENTRAL_SENDERS = [
    ("Văn phòng Trung ương Đảng", "VPTW"),
    ("Ban Tổ chức Trung ương", "BTCTW"),
    ("Ủy ban Kiểm tra Trung ương", "UBKTTW"),
    ("Ban Tuyên giáo và Dân vận Trung ương", "BTGDVTW"),
    ("Ban Bí thư", "TW"),
]

_DIRECTIVES = [
    "Giao Văn phòng chủ trì, tham mưu báo cáo.",
    "Đề nghị nghiên cứu, đề xuất phương án thực hiện.",
    "Chủ trì phối hợp các ban xây dựng dự thảo văn bản trả lời.",
    "Tổng hợp, báo cáo Thường trực trước hạn.",
]


@dataclass
class DemoDocumentsReport:
    """What ``demo_documents_load`` did."""

    profiles: int = 0
    registers: int = 0
    outgoing: int = 0
    incoming: int = 0
    signed_and_issued: int = 0
    in_workflow: int = 0
    indexed: bool = False
    scans_queued: int = 0
    skipped: bool = False
    warnings: list[str] = field(default_factory=list)


def _fill(text: str, day: dt.date) -> str:
    quarter = (day.month - 1) // 3 + 1
    return text.format(q=quarter, m=day.month, y=day.year, y1=day.year + 1)


def _type(name: str) -> DocumentType:
    return DocumentType.objects.get(convention=Convention.PARTY, name=name)


def _users(spec: _DemoUnit) -> dict[str, User | None]:
    names = {"clerk": spec.clerk, "specialist": spec.specialist, "leader": spec.leader}
    found = {
        u.username: u for u in User.objects.filter(username__in=[n for n in names.values() if n])
    }
    return {role: found.get(name) if name else None for role, name in names.items()}


def _settings(
    actor: Actor, unit: Unit, spec: _DemoUnit, report: DemoDocumentsReport
) -> tuple[Register, Register]:
    _profile, created = UnitProfile.objects.get_or_create(
        unit=unit,
        defaults={
            "convention": Convention.PARTY,
            "issuer_code": spec.issuer_code,
            "place_name": spec.place,
        },
    )
    report.profiles += int(created)
    registers = []
    for direction, name in (
        (Direction.OUTGOING, "Sổ đăng ký văn bản đi"),
        (Direction.INCOMING, "Sổ đăng ký văn bản đến"),
    ):
        register, made = Register.objects.get_or_create(unit=unit, direction=direction, name=name)
        report.registers += int(made)
        registers.append(register)
    return registers[0], registers[1]


def _dates(rng: random.Random, count: int, today: dt.date) -> list[dt.date]:
    """``count`` working days over the last twelve months (today included), in order."""
    days: list[dt.date] = []
    while len(days) < count:
        day = today - dt.timedelta(days=rng.randint(0, 365))
        if day.weekday() < 5:
            days.append(day)
    return sorted(days)


def _event(document: Document, kind: str, actor: Any, text: str, when: dt.datetime) -> None:
    DocumentEvent.objects.create(
        document=document, kind=kind, actor=actor, text=text, created_at=when
    )


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _outgoing_history(
    rng: random.Random,
    unit: Unit,
    spec: _DemoUnit,
    register: Register,
    people: dict[str, User | None],
    today: dt.date,
) -> int:
    """Issued documents, metadata only, numbered by the engine in date order."""
    from lienthong.documents.numbering import notation_for, number_allocate

    profile = UnitProfile.objects.get(unit=unit)
    drafter = people["specialist"] or people["clerk"]
    signer = people["leader"]
    names = list(_OUTGOING)
    weights = [6 if n == "Công văn" else 2 for n in names]
    for day in _dates(rng, spec.outgoing, today):
        type_name = rng.choices(names, weights)[0]
        doc_type = _type(type_name)
        document = Document(
            unit=unit,
            direction=Direction.OUTGOING,
            convention=Convention.PARTY,
            state=DocumentState.ISSUED,
            document_type=doc_type,
            subject=_fill(rng.choice(_OUTGOING[type_name]), day),
            priority=rng.choices([0, 1, 2], [85, 12, 3])[0],
            register=register,
            issuer_name=unit.name,
            signer=signer,
            signer_name=signer.full_name if signer else "Nguyễn Văn An",
            signer_position="Phó Bí thư" if signer else "Bí thư",
            competence="T/M",
            recipients_text="Các đảng ủy trực thuộc\nLưu Văn phòng",
            created_by=drafter,
            note=DEMO_NOTE,
        )
        document.code_number = number_allocate(
            register=register, document_type=doc_type, classification=0, on=day
        )
        document.code_notation = notation_for(document=document, unit_profile=profile)
        document.number_year = day.year
        document.issued_date = day
        document.text_content = document.subject
        document.full_clean()
        document.save()
        Document.objects.filter(pk=document.pk).update(created_at=_at(day, 8))
        _event(document, EventKind.CREATED, drafter, "", _at(day, 8))
        _event(document, EventKind.ISSUED, people["clerk"], document.number_line, _at(day, 16))
    return spec.outgoing


def _incoming_history(
    rng: random.Random,
    actor: Actor,
    unit: Unit,
    spec: _DemoUnit,
    people: dict[str, User | None],
    today: dt.date,
) -> int:
    """Incoming documents registered in date order, assigned, handled or late."""
    from lienthong.documents.services import document_register_incoming

    clerk = people["clerk"]
    if clerk is None:
        return 0
    handler = people["specialist"] or clerk
    leader = people["leader"] or clerk
    provinces = list(
        Unit.objects.filter(level=2).exclude(pk=unit.pk).values_list("name", flat=True)[:40]
    )
    senders = list(_CENTRAL_SENDERS) + [(name, "TU") for name in provinces]
    numbers: dict[tuple[str, int], int] = defaultdict(int)
    made = 0
    for day in _dates(rng, spec.incoming, today):
        type_name, type_code, subject = rng.choice(_INCOMING)
        issuer, issuer_code = rng.choice(senders)
        issued = day - dt.timedelta(days=rng.randint(1, 4))
        numbers[(issuer, issued.year)] += rng.randint(1, 9)
        due = day + dt.timedelta(days=rng.choice([5, 7, 10, 15, 20, 30]))
        document = document_register_incoming(
            actor=clerk,
            unit=unit,
            document_type=_type(type_name),
            subject=_fill(subject, day),
            issuer_name=issuer,
            code_number=numbers[(issuer, issued.year)],
            code_notation=f"{type_code}/{issuer_code}",
            issued_date=issued,
            due_date=due,
            priority=rng.choices([0, 1, 2, 3], [75, 17, 6, 2])[0],
            arrival_date=min(_at(day, rng.randint(8, 16)), timezone.now()),
            signer_name=rng.choice(["Trần Văn Bình", "Lê Thị Lan", "Phạm Quốc Hưng"]),
        )
        made += 1
        if due >= today and rng.random() < 0.35:
            continue  # still waiting for the leader's assignment
        Assignment.objects.create(
            document=document,
            role=HandlingRole.LEAD,
            assignee=handler,
            assigned_by=leader,
            directive=rng.choice(_DIRECTIVES),
            deadline=due,
            state=HandlingState.OPEN,
        )
        _event(document, EventKind.ASSIGNED, leader, f"{handler}.", _at(day, 17))
        if due < today and rng.random() < 0.8:
            closed = min(today, due + dt.timedelta(days=rng.choice([-3, -1, 0, 0, 2, 5])))
            closed = max(closed, day)
            Assignment.objects.filter(document=document).update(
                state=HandlingState.DONE, closed_at=_at(closed, 15), progress="Đã xử lý xong."
            )
            document.state = DocumentState.DONE
            Document.objects.filter(pk=document.pk).update(done_on=closed)
            _event(document, EventKind.DONE, handler, "Đã xử lý xong.", _at(closed, 15))
        elif rng.random() < 0.5:
            Assignment.objects.filter(document=document).update(
                state=HandlingState.IN_PROGRESS, progress="Đang tổng hợp số liệu."
            )
            document.state = DocumentState.IN_PROGRESS
            _event(document, EventKind.PROGRESS, handler, "Đang tổng hợp số liệu.", _at(day, 17))
        else:
            document.state = DocumentState.ASSIGNED
        Document.objects.filter(pk=document.pk).update(state=document.state)
    return made


def _workflow(
    actor: Actor, unit: Unit, people: dict[str, User | None], report: DemoDocumentsReport
) -> None:
    """A few documents through the services: drafted, submitted, approved, signed and
    issued (a handful), and one left at each step for the daily pages."""
    from lienthong.documents import services

    specialist, leader, clerk = people["specialist"], people["leader"], people["clerk"]
    if specialist is None or leader is None or clerk is None:
        return
    letter = _type("Công văn")

    def draft(subject: str, body: str) -> Document:
        return services.document_draft_create(
            actor=specialist,
            unit=unit,
            document_type=letter,
            subject=subject,
            body=body,
            competence="T/M",
            signer=leader,
            signer_position="Ban Thường vụ\nPhó Bí thư",
            recipients_text="Các đảng ủy trực thuộc\nLưu Văn phòng",
        )

    body = (
        "Thực hiện chương trình công tác năm, Ban Thường vụ đề nghị các đảng ủy trực thuộc "
        "quán triệt và triển khai thực hiện nghiêm túc nội dung trên.\n"
        "Đề nghị các đơn vị báo cáo kết quả về Văn phòng trước ngày 25 hằng tháng."
    )
    full = [
        "V/v triển khai quy trình xử lý văn bản điện tử khép kín",
        "V/v sử dụng chữ ký số trong văn bản của Đảng",
        "V/v thực hiện chế độ báo cáo bằng văn bản điện tử",
    ]
    steps = [
        ("V/v chuẩn bị báo cáo sơ kết công tác 6 tháng", "draft"),
        ("V/v tổ chức hội nghị giao ban khối Đảng", "submitted"),
        ("V/v rà soát danh sách đảng viên được tặng Huy hiệu Đảng", "approved"),
        ("V/v tăng cường bảo vệ bí mật nhà nước trên không gian mạng", "signed"),
    ]
    for subject in full:
        try:
            document = draft(subject, body)
            services.document_submit(actor=specialist, document=document)
            services.document_approve(actor=leader, document=document)
            services.document_sign(actor=leader, document=document, second_factor_verified=True)
            services.document_issue(actor=clerk, document=document, second_factor_verified=True)
            report.signed_and_issued += 1
        except ApplicationError as exc:
            report.warnings.append(f"{subject}: {exc.message}")
            return
    for subject, stop in steps:
        try:
            document = draft(subject, body)
            if stop != "draft":
                services.document_submit(actor=specialist, document=document)
            if stop in ("approved", "signed"):
                services.document_approve(actor=leader, document=document)
            if stop == "signed":
                services.document_sign(actor=leader, document=document, second_factor_verified=True)
            report.in_workflow += 1
        except ApplicationError as exc:
            report.warnings.append(f"{subject}: {exc.message}")


def _index(report: DemoDocumentsReport) -> None:
    """Rebuild the search index, when the search package is there."""
    try:
        from django.core.management import call_command

        call_command("search_index", "--rebuild", "--no-progress", stdout=io.StringIO())
        report.indexed = True
    except Exception as exc:
        report.warnings.append(f"search index not rebuilt: {exc}")


def demo_documents_load(
    *, actor: Actor, seed: int = SEED, today: dt.date | None = None, workflow: bool = True
) -> DemoDocumentsReport:
    """Load the demo documents; idempotent.

    Args:
        actor: who loads (``SystemActor("load_demo_documents")``).
        seed: the random generator's seed.
        today: the day the history ends (today by default).
        workflow: also take a few documents through signing and issuing (needs the demo
            certificates of ``load_demo_trust``).

    Returns:
        What was created.

    Raises:
        InvalidInput: the demo accounts are not loaded (run ``lienthong load_demo``).
    """
    report = DemoDocumentsReport()
    today = today or timezone.localdate()
    units = {u.source_key: u for u in Unit.objects.filter(source_key__in=[s.key for s in _UNITS])}
    if len(units) != len(_UNITS) or not User.objects.filter(username=_UNITS[0].clerk).exists():
        raise InvalidInput(_("The demo accounts are not loaded: run “lienthong load_demo” first."))
    if Document.objects.filter(unit__in=units.values(), note=DEMO_NOTE).exists():
        report.skipped = True
        return report
    rng = random.Random(seed)
    for spec in _UNITS:
        unit = units[spec.key]
        people = _users(spec)
        if people["clerk"] is None:
            report.warnings.append(f"{unit.name}: no demo clerk")
            continue
        with transaction.atomic():
            outgoing, _incoming = _settings(actor, unit, spec, report)
            report.outgoing += _outgoing_history(rng, unit, spec, outgoing, people, today)
            report.incoming += _incoming_history(rng, actor, unit, spec, people, today)
        if workflow:
            _workflow(actor, unit, people, report)
    _index(report)
    _scans(units[HOAN_KIEM], report)
    return report


#: Scans of paper letters for the intake's queue.
DEMO_SCANS = 3


def _scans(unit: Unit, report: DemoDocumentsReport) -> None:
    """Queue scans of the latest paper letters of ``unit`` for the intake (the real path:
    an upload batch of the clerk, read by the intake worker)."""
    from pathlib import Path

    from lienthong.documents.choices import IntakeSource
    from lienthong.documents.intake.samples import FONT, scan
    from lienthong.documents.intake.services import intake_batch_open, intake_submit

    clerk = User.objects.filter(username="vanthu.hoankiem").first()
    if clerk is None:
        return
    if not Path(FONT).exists():
        report.warnings.append(f"no demo scans: {FONT} is missing (fonts-liberation2)")
        return
    letters = Document.objects.filter(
        unit=unit,
        direction=Direction.INCOMING,
        received_electronically=False,
        arrival_number__isnull=False,
    ).order_by("-arrival_date")[:DEMO_SCANS]
    batch = intake_batch_open(
        actor=clerk, unit=unit, source=IntakeSource.UPLOAD, name="Dữ liệu mẫu: bản quét văn bản đến"
    )
    for number, letter in enumerate(letters):
        lines = [
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            letter.issuer_name.upper(),
            f"Số {letter.number_display}" if letter.number_display else "",
            letter.subject[:70],
            "Kính gửi: Đảng ủy phường Hoàn Kiếm",
            "Đề nghị các đồng chí nghiên cứu, triển khai thực hiện.",
        ]
        intake_submit(
            actor=clerk,
            batch=batch,
            name=f"den-{letter.arrival_year}-{letter.arrival_number}.png",
            data=scan([line for line in lines if line], seed=number, angle=0.4),
        )
        report.scans_queued += 1
