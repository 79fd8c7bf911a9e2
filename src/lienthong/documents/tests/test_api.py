# ruff: noqa: F811  (pytest fixtures imported from workflow_helpers)
"""The documents REST API: restricted reads, workflow actions, files, registers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import include, path
from django.utils import timezone
from rest_framework.test import APIClient

from lienthong.documents.choices import FileKind
from lienthong.documents.tests.test_incoming import register
from lienthong.documents.tests.workflow_helpers import (  # noqa: F401  (fixtures)
    Office,
    office,
    pki,
    storage,
    write_draft,
)
from lienthong.trust.pades.samples import sample_pdf

# The routes as config/api_urls.py includes them.
urlpatterns = [path("api/v1/documents/", include("lienthong.documents.api.urls"))]
pytestmark = pytest.mark.urls(__name__)

BASE = "/api/v1/documents/"


def client_for(user: Any) -> APIClient:
    """An API client signed in as ``user``."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_list_and_detail_are_restricted(office: Office, world: Any) -> None:
    """GIVEN a draft of the province
    WHEN its specialist and a clerk of another province list and open it
    THEN the specialist sees it; the other clerk sees nothing and gets 404."""
    document = write_draft(office)

    mine = client_for(office.specialist).get(BASE)
    assert mine.status_code == 200
    assert [row["id"] for row in mine.json()["results"]] == [document.pk]
    other = client_for(world.clerk_b1)
    assert other.get(BASE).json()["results"] == []
    assert other.get(f"{BASE}{document.pk}/").status_code == 404


def test_create_submit_approve_through_actions(office: Office) -> None:
    """GIVEN the specialist and the leader
    WHEN a draft is created, submitted and approved through the API
    THEN each answers with the document in its new state; signing without a second
    factor is refused with 403."""
    specialist = client_for(office.specialist)
    created = specialist.post(
        BASE,
        {
            "unit": office.unit.pk,
            "document_type": office.party_letter.pk,
            "subject": "V/v thử API",
            "body": "Nội dung.",
            "competence": "T/M",
            "signer": office.leader.pk,
            "signer_position": "Ban Thường vụ\nBí thư",
            "recipients_text": "Như trên",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert specialist.post(f"{BASE}{pk}/submit/", {}, format="json").json()["state"] == "submitted"
    leader = client_for(office.leader)
    assert leader.post(f"{BASE}{pk}/approve/", {}, format="json").json()["state"] == "approved"
    refused = leader.post(f"{BASE}{pk}/sign/", {}, format="json")
    assert refused.status_code == 403


def test_bad_input_answers_400_with_a_message(office: Office) -> None:
    """GIVEN an empty subject and a "PDF" that is not one
    WHEN posted
    THEN 400 with the reason; nothing created."""
    specialist = client_for(office.specialist)
    empty = specialist.post(
        BASE,
        {
            "unit": office.unit.pk,
            "document_type": office.party_letter.pk,
            "subject": "",
            "body": "x",
        },
        format="json",
    )
    assert empty.status_code == 400
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = specialist.post(
        BASE,
        {
            "unit": office.unit.pk,
            "document_type": office.party_letter.pk,
            "subject": "V/v",
            "file": SimpleUploadedFile("a.pdf", b"not a pdf", content_type="application/pdf"),
        },
        format="multipart",
    )
    assert fake.status_code == 400 and "detail" in fake.json()


def test_unit_outside_scope_is_rejected(office: Office, world: Any) -> None:
    """GIVEN a draft aimed at another province's unit
    WHEN posted
    THEN 400 naming the unit as not found among the person's units."""
    answer = client_for(office.specialist).post(
        BASE,
        {
            "unit": world.province_b.pk,
            "document_type": office.party_letter.pk,
            "subject": "V/v",
            "body": "x",
        },
        format="json",
    )
    assert answer.status_code == 400 and "unit" in answer.json()


def test_register_assign_and_overdue(office: Office) -> None:
    """GIVEN the clerk and the leader
    WHEN an incoming document is registered and assigned through the API
    THEN it has arrival number 1, one lead assignment, and nothing is overdue yet."""
    created = client_for(office.clerk).post(
        f"{BASE}register/",
        {
            "unit": office.unit.pk,
            "document_type": office.party_letter.pk,
            "subject": "V/v báo cáo",
            "issuer_name": "Văn phòng Trung ương Đảng",
            "code_number": 7,
            "code_notation": "CV/VPTW",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["arrival_number"] == 1
    pk = created.json()["id"]
    leader = client_for(office.leader)
    deadline = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    assigned = leader.post(
        f"{BASE}{pk}/assign/",
        {"lead": office.specialist.pk, "deadline": deadline, "directive": "Xử lý"},
        format="json",
    )
    assert assigned.status_code == 201, assigned.content
    assert [a["role"] for a in assigned.json()] == ["lead"]
    assert leader.get(f"{BASE}overdue/").json()["results"] == []
    progress = client_for(office.specialist).post(
        f"{BASE}assignments/{assigned.json()[0]['id']}/progress/",
        {"text": "Đang làm"},
        format="json",
    )
    assert progress.status_code == 200 and progress.json()["state"] == "in_progress"


def test_file_download_is_permission_checked(office: Office, world: Any) -> None:
    """GIVEN a document with a scan
    WHEN its clerk and another province's clerk download the scan
    THEN the clerk gets the PDF; the other gets 404."""
    pdf = sample_pdf()
    document = register(office, scan_data=pdf, scan_name="scan.pdf")
    row = document.files.get(kind=FileKind.SCAN)
    url = f"{BASE}{document.pk}/files/{row.pk}/"

    ok = client_for(office.clerk).get(url)
    assert ok.status_code == 200 and ok.getvalue() == pdf
    assert ok["Content-Type"] == "application/pdf"
    assert client_for(world.clerk_b1).get(url).status_code == 404


def test_registers_list(office: Office, world: Any) -> None:
    """GIVEN the province's two registers
    WHEN its clerk and another province's clerk list registers
    THEN the clerk sees both; the other none."""
    names = {r["name"] for r in client_for(office.clerk).get(f"{BASE}registers/").json()["results"]}
    assert names == {"Sổ đi", "Sổ đến"}
    assert client_for(world.clerk_b1).get(f"{BASE}registers/").json()["results"] == []
