"""Benchmark: time to issue a document (number + register entry + seal signature).

Issue #4 asks for the p95 time of ``documents.services.document_issue`` on SQLite:
the clerk's act on a document the leader has already signed (PAdES, person's
certificate). Each issue takes the next number of the unit's outgoing register under its
lock, writes the register entry, applies the unit's seal signature at the service's
default level (``DOCUMENT_SIGNATURE_LEVEL``, B-LTA: timestamp, validation data and a
document timestamp from the node's own TSA) and stores the sealed PDF, in one
transaction. The person-signed PDF is made once and shared by every document, so only
the clerk's work is timed.
"""

from __future__ import annotations

import io
import statistics
import time
from typing import Any

ISSUES = 50


def _png(color: tuple[int, int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((10, 10, 290, 290), outline=color, width=12)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _setup() -> tuple[Any, list[Any]]:
    from django.core.files.base import ContentFile

    from lienthong.audit.actors import SystemActor
    from lienthong.documents.choices import (
        Convention,
        Direction,
        DocumentState,
        FileKind,
    )
    from lienthong.documents.models import (
        Document,
        DocumentFile,
        DocumentType,
        Register,
        UnitProfile,
    )
    from lienthong.documents.services import file_store
    from lienthong.org import services as org_services
    from lienthong.org.choices import RoleCode, UnitKind, UnitLevel
    from lienthong.org.models import Role
    from lienthong.trust import pades
    from lienthong.trust import services as trust_services
    from lienthong.trust.choices import CertificateProfile
    from lienthong.trust.models import StampImage
    from lienthong.trust.pades.samples import sample_pdf

    actor = SystemActor("bench")
    unit = org_services.unit_create(
        actor=actor,
        name="Tỉnh ủy Bench",
        short_name="TU",
        kind=UnitKind.COMMITTEE,
        level=UnitLevel.PROVINCE,
    )
    UnitProfile.objects.create(
        unit=unit, convention=Convention.PARTY, issuer_code="TU", place_name="Hà Nội"
    )
    Register.objects.create(unit=unit, direction=Direction.OUTGOING, name="Sổ văn bản đi")
    leader = org_services.user_create(actor=actor, username="bench-leader", full_name="Lãnh đạo")
    clerk = org_services.user_create(actor=actor, username="bench-clerk", full_name="Văn thư")
    for person, code in ((leader, RoleCode.LEADER), (clerk, RoleCode.CLERK)):
        org_services.membership_create(
            actor=actor, user=person, unit=unit, role=Role.objects.get(code=code)
        )
    cas = trust_services.ca_init(actor=actor, network_name="Bench", slug="bench-issue")
    person_cert = trust_services.certificate_issue(
        actor=actor,
        authority=cas.issuing,
        profile=CertificateProfile.PERSON_SIGNING,
        subject=trust_services.SubjectSpec(common_name="Lãnh đạo"),
        holder_user=leader,
        holder_unit=unit,
    )
    trust_services.certificate_issue(
        actor=actor,
        authority=cas.issuing,
        profile=CertificateProfile.UNIT_SEAL,
        subject=trust_services.SubjectSpec(common_name="Tỉnh ủy Bench"),
        holder_unit=unit,
    )
    seal = StampImage(kind=StampImage.Kind.SEAL, holder_unit=unit, width_mm=32)
    seal.image.save("con-dau.png", ContentFile(_png((220, 20, 30, 255))), save=True)
    signed = pades.sign_pdf(
        pdf=sample_pdf(pages=2),
        signer=pades.SignerSpec(certificate=person_cert),
        stamp=pades.StampSpec(kind="person", title="T/M BAN THƯỜNG VỤ\nBÍ THƯ", name="Lãnh đạo"),
        level="B-T",
    )
    stored = file_store(data=signed, name="signed.pdf", expected="pdf")
    # get_or_create: ``--database-url`` flushes the built-in types away.
    letter, _ = DocumentType.objects.get_or_create(
        convention=Convention.PARTY, name="Công văn", defaults={"code": "CV", "is_letter": True}
    )
    documents = []
    for index in range(ISSUES + 1):
        document = Document.objects.create(
            unit=unit,
            direction=Direction.OUTGOING,
            convention=Convention.PARTY,
            state=DocumentState.SIGNED,
            document_type=letter,
            subject=f"V/v thử phát hành số {index}",
            body="Nội dung.",
            signer=leader,
            signer_name="Lãnh đạo",
            signer_position="Ban Thường vụ\nBí thư",
            competence="T/M",
            recipients_text="Các đảng ủy trực thuộc",
            issuer_name=unit.name,
            created_by=leader,
        )
        DocumentFile.objects.create(
            document=document,
            kind=FileKind.SIGNED,
            version=1,
            stored=stored,
            name="ky.pdf",
            added_by=leader,
        )
        documents.append(document)
    return clerk, documents


def run() -> dict[str, dict[str, Any]]:
    """Issue ISSUES signed documents one after the other; return p50, p95 and max."""
    from django.conf import settings

    from lienthong.documents.services import document_issue

    clerk, documents = _setup()
    document_issue(actor=clerk, document=documents[0], second_factor_verified=True)  # warm-up
    times: list[float] = []
    for document in documents[1:]:
        started = time.perf_counter()
        issued = document_issue(actor=clerk, document=document, second_factor_verified=True)
        times.append((time.perf_counter() - started) * 1000)
    assert issued.code_number == ISSUES + 1
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    return {
        "issue_p50_ms": {"value": round(statistics.median(times), 1), "unit": "ms"},
        "issue_p95_ms": {"value": round(p95, 1), "unit": "ms"},
        "issue_max_ms": {"value": round(times[-1], 1), "unit": "ms"},
        "issues": {"value": len(times), "unit": "documents"},
        "seal_level": {
            "value": {"B-B": 0, "B-T": 1, "B-LT": 2, "B-LTA": 3}[
                str(getattr(settings, "DOCUMENT_SIGNATURE_LEVEL", "B-LTA"))
            ],
            "unit": "0=B-B … 3=B-LTA",
        },
    }
