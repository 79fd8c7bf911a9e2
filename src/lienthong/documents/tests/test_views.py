# ruff: noqa: F811  (pytest fixtures imported from workflow_helpers)
"""The documents pages: scope (404), the daily pages, forms, actions, CSRF, exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from lienthong.documents import services
from lienthong.documents.choices import DocumentState, FileKind
from lienthong.documents.models import Document
from lienthong.documents.tests.workflow_helpers import (  # noqa: F401  (fixtures)
    Office,
    office,
    pki,
    storage,
    write_draft,
)

PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _client(user: Any, *, csrf: bool = False, verified: bool = False) -> Client:
    """A logged-in client speaking English (messages are asserted as msgids)."""
    client = Client(enforce_csrf_checks=csrf, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    if verified:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _draft_post(office: Office, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "unit": office.unit.pk,
        "document_type": office.party_letter.pk,
        "subject": "V/v triển khai phần mềm lienthong",
        "body": "Ban Thường vụ đề nghị các đơn vị triển khai phần mềm.",
        "priority": 0,
        "classification": 0,
        "competence": "T/M",
        "signer": office.leader.pk,
        "signer_position": "Ban Thường vụ\nBí thư",
        "recipients_text": "Các đảng ủy trực thuộc",
    }
    values.update(overrides)
    return values


def _incoming(office: Office, **overrides: Any) -> Document:
    values: dict[str, Any] = {
        "actor": office.clerk,
        "unit": office.unit,
        "document_type": office.party_letter,
        "subject": "V/v báo cáo tình hình thực hiện nghị quyết",
        "issuer_name": "Văn phòng Trung ương Đảng",
        "code_number": 12,
        "code_notation": "CV/VPTW",
        "issued_date": timezone.localdate() - dt.timedelta(days=20),
    }
    values.update(overrides)
    return services.document_register_incoming(**values)


# --- The outgoing workflow through the pages ------------------------------------------


def test_draft_submit_approve_sign_issue_through_the_pages(office: Office) -> None:
    """GIVEN a specialist, a leader with a certificate and a clerk with the unit's seal
    WHEN the specialist drafts and submits on the pages, the leader approves and signs in
    a verified session and the clerk issues in a verified session
    THEN the document is issued with "Số 01-CV/TU", the signed PDFs download, and the
    outgoing register page lists the row."""
    specialist = _client(office.specialist)
    response = specialist.post("/van-ban/soan-thao/", _draft_post(office))
    assert response.status_code == 302
    document = Document.objects.get()
    assert response["Location"] == f"/van-ban/{document.pk}/"
    assert specialist.post(f"/van-ban/{document.pk}/trinh/").status_code == 302

    leader = _client(office.leader, verified=True)
    page = leader.get("/van-ban/lanh-dao/").content.decode()
    assert f"/van-ban/{document.pk}/" in page
    assert leader.post(f"/van-ban/{document.pk}/duyet/", {"note": "Đồng ý"}).status_code == 302
    document.refresh_from_db()
    assert document.state == DocumentState.APPROVED
    assert 'id="sign-now"' in leader.get(f"/van-ban/{document.pk}/").content.decode()
    leader.post(f"/van-ban/{document.pk}/ky/")
    document.refresh_from_db()
    assert document.state == DocumentState.SIGNED

    clerk = _client(office.clerk, verified=True)
    assert f"/van-ban/{document.pk}/" in clerk.get("/van-ban/van-thu/").content.decode()
    clerk.post(f"/van-ban/{document.pk}/ban-hanh/")
    document.refresh_from_db()
    assert document.state == DocumentState.ISSUED
    assert document.number_line == "Số 01-CV/TU"

    signed = document.files.filter(kind=FileKind.SIGNED).order_by("-version").first()
    assert signed is not None
    download = clerk.get(f"/van-ban/tep/{signed.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == PDF_TYPE
    assert download.getvalue().startswith(b"%PDF-")

    year = timezone.localdate().year
    register = clerk.get(
        "/van-ban/so/",
        {
            "unit": office.unit.pk,
            "kind": "outgoing",
            "date_from": f"{year}-01-01",
            "date_to": timezone.localdate().isoformat(),
        },
    ).content.decode()
    assert "01-CV/TU" in register
    assert "V/v triển khai phần mềm lienthong" in register


def test_signing_needs_a_verified_session(office: Office) -> None:
    """GIVEN an approved document
    WHEN its signer presses Sign in a session without a second factor
    THEN they are sent to the second-factor page and nothing is signed."""
    document = write_draft(office)
    services.document_submit(actor=office.specialist, document=document)
    services.document_approve(actor=office.leader, document=document)
    response = _client(office.leader).post(f"/van-ban/{document.pk}/ky/")
    assert response.status_code == 302
    assert "/trust/" in response["Location"]
    document.refresh_from_db()
    assert document.state == DocumentState.APPROVED


def test_the_format_check_is_listed_before_signing(office: Office) -> None:
    """GIVEN an approved draft without any recipient
    WHEN its signer opens it
    THEN the blockers are listed and the Sign button is disabled."""
    document = write_draft(office, recipients_text="")
    services.document_submit(actor=office.specialist, document=document)
    services.document_approve(actor=office.leader, document=document)
    page = _client(office.leader).get(f"/van-ban/{document.pk}/").content.decode()
    assert 'id="blockers"' in page
    assert "List the recipients (Nơi nhận)." in page
    assert 'id="sign-now" disabled' in page


def test_return_with_a_reason_shows_on_the_specialists_page(office: Office) -> None:
    """GIVEN a submitted draft
    WHEN the leader returns it with a reason
    THEN it is a draft again and appears under "returned" with the reason."""
    document = write_draft(office)
    services.document_submit(actor=office.specialist, document=document)
    _client(office.leader).post(f"/van-ban/{document.pk}/tra-lai/", {"reason": "Sửa lại trích yếu"})
    document.refresh_from_db()
    assert document.state == DocumentState.DRAFT
    page = _client(office.specialist).get("/van-ban/chuyen-vien/").content.decode()
    assert "Sửa lại trích yếu" in page


def test_comment_with_htmx_returns_the_history_only(office: Office) -> None:
    """GIVEN a draft WHEN someone comments with htmx THEN the history fragment comes
    back with the comment, without the page around it."""
    document = write_draft(office)
    response = _client(office.leader).post(
        f"/van-ban/{document.pk}/y-kien/", {"text": "Bổ sung số liệu"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "Bổ sung số liệu" in body
    assert "<html" not in body


# --- Scope, permissions, CSRF ---------------------------------------------------------


def test_another_communes_document_and_file_are_not_found(office: Office, world: Any) -> None:
    """GIVEN a draft of Hà Nội with an uploaded PDF
    WHEN a clerk of a commune of Nghệ An asks for it or its file
    THEN both answer 404, as for a missing one."""
    from lienthong.trust.pades.samples import sample_pdf

    document = write_draft(office, body="", file_data=sample_pdf(pages=1), file_name="a.pdf")
    row = document.files.get()
    outsider = _client(world.clerk_b1)
    assert outsider.get(f"/van-ban/{document.pk}/").status_code == 404
    assert outsider.get(f"/van-ban/tep/{row.pk}/").status_code == 404
    assert outsider.get("/van-ban/999999/").status_code == 404
    assert _client(office.specialist).get(f"/van-ban/tep/{row.pk}/").status_code == 200


@pytest.mark.parametrize(
    "suffix",
    ["trinh/", "duyet/", "tra-lai/", "ky/", "ban-hanh/", "thu-hoi/", "y-kien/", "giao/"],
)
def test_every_action_post_requires_csrf(office: Office, suffix: str) -> None:
    """GIVEN a draft WHEN an action is posted without the CSRF token THEN 403 and the
    document is unchanged."""
    document = write_draft(office)
    client = _client(office.leader, csrf=True, verified=True)
    response = client.post(f"/van-ban/{document.pk}/{suffix}", {"reason": "x", "note": "x"})
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.state == DocumentState.DRAFT
    assert document.events.count() == 1


def test_form_posts_require_csrf(office: Office) -> None:
    """GIVEN a specialist WHEN the draft and incoming forms are posted without the CSRF
    token THEN 403 and nothing is created."""
    client = _client(office.clerk, csrf=True)
    assert client.post("/van-ban/soan-thao/", _draft_post(office)).status_code == 403
    assert client.post("/van-ban/den/moi/", {}).status_code == 403
    assert not Document.objects.exists()


def test_actions_need_the_right_permission(office: Office, world: Any) -> None:
    """GIVEN a submitted draft of Hà Nội
    WHEN its specialist tries to approve it, and a Nghệ An clerk to submit or comment
    THEN 404 (not theirs to do) and the document is unchanged."""
    document = write_draft(office)
    services.document_submit(actor=office.specialist, document=document)
    assert _client(office.specialist).post(f"/van-ban/{document.pk}/duyet/").status_code == 404
    outsider = _client(world.clerk_b1, verified=True)
    for suffix in ("trinh/", "y-kien/", "ban-hanh/", "tra-lai/"):
        assert outsider.post(f"/van-ban/{document.pk}/{suffix}", {"text": "x"}).status_code == 404
    document.refresh_from_db()
    assert document.state == DocumentState.SUBMITTED
    # The clerk of the unit may issue, but not approve: no button, and a 404.
    assert _client(office.clerk).post(f"/van-ban/{document.pk}/duyet/").status_code == 404


def test_a_get_on_an_action_is_refused(office: Office) -> None:
    """GIVEN a draft WHEN an action URL is fetched with GET THEN 405."""
    document = write_draft(office)
    assert _client(office.specialist).get(f"/van-ban/{document.pk}/trinh/").status_code == 405


# --- Classification guard -------------------------------------------------------------


def test_an_internet_node_refuses_a_classified_draft(office: Office, settings: Any) -> None:
    """GIVEN a node on the Internet
    WHEN a specialist saves a draft marked Mật
    THEN the form shows the guard's message and nothing is written."""
    settings.NETWORK_PROFILE = "internet"
    response = _client(office.specialist).post(
        "/van-ban/soan-thao/", _draft_post(office, classification=1)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This node is connected to the Internet" in page
    assert "MẬT" in page
    assert not Document.objects.exists()


def test_an_internet_node_refuses_a_classified_incoming(office: Office, settings: Any) -> None:
    """GIVEN a node on the Internet WHEN the clerk registers a document marked Tối mật
    THEN the guard's message is shown and nothing is registered."""
    settings.NETWORK_PROFILE = "internet"
    response = _client(office.clerk).post(
        "/van-ban/den/moi/",
        {
            "unit": office.unit.pk,
            "document_type": office.party_letter.pk,
            "issuer_name": "Ban Tổ chức Trung ương",
            "subject": "Về công tác cán bộ",
            "priority": 0,
            "classification": 2,
        },
    )
    assert "TỐI MẬT" in response.content.decode()
    assert not Document.objects.exists()


# --- Incoming and the leader's overdue list -------------------------------------------


def test_register_assign_progress_done_through_the_pages(office: Office) -> None:
    """GIVEN the clerk WHEN they register a paper document, the leader assigns it to the
    specialist, who reports progress (htmx) and closes it
    THEN the document is done and its history holds every step."""
    clerk = _client(office.clerk)
    response = clerk.post(
        "/van-ban/den/moi/",
        {
            "unit": office.unit.pk,
            "document_type": office.party_letter.pk,
            "issuer_name": "Văn phòng Trung ương Đảng",
            "code_number": 15,
            "code_notation": "CV/VPTW",
            "subject": "V/v tổng kết công tác năm",
            "priority": 1,
            "classification": 0,
        },
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.arrival_number == 1

    leader = _client(office.leader)
    assert f"/van-ban/{document.pk}/" in leader.get("/van-ban/lanh-dao/").content.decode()
    deadline = timezone.localdate() + dt.timedelta(days=10)
    response = leader.post(
        f"/van-ban/{document.pk}/giao/",
        {"lead": office.specialist.pk, "deadline": deadline.isoformat(), "directive": "Xử lý"},
    )
    assert response.status_code == 302
    assignment = document.assignments.get()

    specialist = _client(office.specialist)
    page = specialist.get("/van-ban/chuyen-vien/").content.decode()
    assert "V/v tổng kết công tác năm" in page
    row = specialist.post(
        f"/van-ban/giao-viec/{assignment.pk}/tien-do/",
        {"text": "Đang tổng hợp"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Đang tổng hợp" in row
    assert f'id="assignment-{assignment.pk}"' in row
    specialist.post(f"/van-ban/giao-viec/{assignment.pk}/xong/", {"note": "Đã báo cáo"})
    document.refresh_from_db()
    assert document.state == DocumentState.DONE


def test_another_units_assignment_is_not_found(office: Office, world: Any) -> None:
    """GIVEN an assignment in Hà Nội WHEN a Nghệ An clerk posts progress THEN 404."""
    document = _incoming(office)
    services.document_assign(actor=office.leader, document=document, lead=office.specialist)
    assignment = document.assignments.get()
    response = _client(world.clerk_b1).post(
        f"/van-ban/giao-viec/{assignment.pk}/tien-do/", {"text": "x"}
    )
    assert response.status_code == 404


def test_the_leaders_page_lists_what_is_overdue(office: Office) -> None:
    """GIVEN an incoming document whose handling was due five days ago, and one due later
    WHEN the leader opens their page
    THEN the overdue list holds the first with 5 days late, not the second, and the chart
    is drawn as SVG."""
    today = timezone.localdate()
    late = _incoming(office, subject="Việc đã quá hạn", due_date=today - dt.timedelta(days=5))
    _incoming(office, subject="Việc còn hạn", code_number=13, due_date=today + dt.timedelta(days=5))
    page = _client(office.leader).get("/van-ban/lanh-dao/").content.decode()
    overdue = page.split('id="overdue-list"')[1]
    assert "Việc đã quá hạn" in overdue
    assert f"/van-ban/{late.pk}/" in overdue
    assert "Việc còn hạn" not in overdue
    assert '<td class="days-late">5</td>' in overdue
    assert "<svg" in page
    assert 'id="overdue-count">1<' in page


# --- Registers ------------------------------------------------------------------------


@pytest.mark.parametrize(("output", "content_type"), [("xlsx", XLSX_TYPE), ("pdf", PDF_TYPE)])
def test_register_exports_download(office: Office, output: str, content_type: str) -> None:
    """GIVEN an incoming document registered today
    WHEN the clerk downloads the incoming register as XLSX or PDF
    THEN the file comes with the right type, as an attachment, not empty."""
    _incoming(office)
    today = timezone.localdate()
    response = _client(office.clerk).get(
        "/van-ban/so/",
        {
            "unit": office.unit.pk,
            "kind": "incoming",
            "date_from": today.replace(month=1, day=1).isoformat(),
            "date_to": today.isoformat(),
            "format": output,
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert "attachment" in response["Content-Disposition"]
    assert len(response.content) > 1000


def test_register_of_a_unit_out_of_scope_is_refused(office: Office, world: Any) -> None:
    """GIVEN Hà Nội's registers WHEN a Nghệ An clerk asks for them THEN the unit is not a
    valid choice and no row is shown."""
    _incoming(office)
    response = _client(world.clerk_b1).get(
        "/van-ban/so/",
        {
            "unit": office.unit.pk,
            "kind": "incoming",
            "date_from": "2020-01-01",
            "date_to": timezone.localdate().isoformat(),
            "format": "xlsx",
        },
    )
    assert response["Content-Type"].startswith("text/html")
    assert "Văn phòng Trung ương Đảng" not in response.content.decode()


def test_the_documents_pages_need_a_login(office: Office) -> None:
    """GIVEN no session WHEN a documents page is opened THEN the log-in page."""
    response = Client().get("/van-ban/van-thu/")
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_home_sends_each_role_to_its_page(office: Office) -> None:
    """GIVEN a clerk, a leader and a specialist WHEN each opens "Documents" THEN each
    lands on their own daily page."""
    assert _client(office.clerk).get("/van-ban/")["Location"] == "/van-ban/van-thu/"
    assert _client(office.leader).get("/van-ban/")["Location"] == "/van-ban/lanh-dao/"
    assert _client(office.specialist).get("/van-ban/")["Location"] == "/van-ban/chuyen-vien/"
