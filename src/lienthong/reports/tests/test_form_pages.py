"""The pages of the periodic report forms (issue #8 scope 4): an IT officer fills and
submits their commune's report, the province's leader approves it, the roll-up page sums
the province and lists the late communes of the country.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lienthong.reports import services
from lienthong.reports.choices import SubmissionState
from lienthong.reports.models import ReportSubmission
from lienthong.reports.tests.test_report_forms import Q1, tree  # noqa: F401

pytestmark = pytest.mark.django_db

GOOD = {"may-tram": "10", "van-ban-di": "40", "van-ban-ky-so": "30", "bang-thong": "20"}


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _fill_url(given: Any, index: int = 0) -> str:
    return reverse(
        "reports-fill", args=[given["form"].pk, given["communes"][index].pk, Q1.isoformat()]
    )


def _submit(given: Any, index: int, values: dict[str, Any]) -> None:
    draft = services.submission_save(
        actor=given["officers"][index],
        form=given["form"],
        unit=given["communes"][index],
        period_start=Q1,
        values=values,
    )
    services.submission_submit(actor=given["officers"][index], submission=draft)


def test_an_officer_fills_and_submits_and_the_leader_approves(tree: Any) -> None:  # noqa: F811
    officer = _client(tree["officers"][0])
    listing = officer.get(reverse("reports-forms"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Báo cáo ứng dụng CNTT quý" in page and "Xã 0" in page and "Xã 1" not in page

    url = _fill_url(tree)
    shown = officer.get(url)
    assert shown.status_code == 200
    assert 'name="may-tram"' in shown.content.decode()
    assert 'type="number"' in shown.content.decode()
    assert "<textarea" in shown.content.decode()

    bad = officer.post(url, {**GOOD, "may-tram": "1.5", "action": "save"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert 'id="error-may-tram"' in body and "A whole number." in body
    assert 'value="1.5"' in body and 'value="40"' in body  # the typed values are kept
    assert not ReportSubmission.objects.exists()

    saved = officer.post(url, {**GOOD, "ghi-chu": "ok", "action": "save"})
    assert saved.status_code == 302
    row = ReportSubmission.objects.get()
    assert row.state == SubmissionState.DRAFT and row.values["may-tram"] == 10
    assert 'value="10"' in officer.get(url).content.decode()  # prefilled from the draft

    submitted = officer.post(url, {**GOOD, "may-tram": "12", "action": "submit"})
    assert submitted.status_code == 302
    row.refresh_from_db()
    assert row.state == SubmissionState.SUBMITTED and row.values["may-tram"] == 12

    read_only = officer.get(url).content.decode()
    assert 'id="report-fill"' not in read_only and 'id="report-values"' in read_only
    assert 'id="report-approve"' not in read_only  # an officer does not approve
    again = officer.post(url, {**GOOD, "may-tram": "99", "action": "save"})
    assert again.status_code == 400
    assert "can no longer be changed" in again.content.decode()
    row.refresh_from_db()
    assert row.values["may-tram"] == 12 and row.state == SubmissionState.SUBMITTED
    assert officer.post(url, {"action": "approve"}).status_code == 403

    # Another commune's officer cannot reach this commune's report.
    neighbour = _client(tree["officers"][1])
    assert neighbour.get(url).status_code == 404
    assert neighbour.post(url, {**GOOD, "action": "save"}).status_code == 404

    leader = _client(tree["leader"])
    page = leader.get(url).content.decode()
    assert 'id="report-approve"' in page
    approved = leader.post(url, {"action": "approve"})
    assert approved.status_code == 302
    row.refresh_from_db()
    assert row.state == SubmissionState.APPROVED and row.approved_by == tree["leader"]
    assert 'id="report-approve"' not in leader.get(url).content.decode()


def test_a_bad_period_or_unit_is_not_found(tree: Any) -> None:  # noqa: F811
    officer = _client(tree["officers"][0])
    form = tree["form"]
    unit = tree["communes"][0]
    for day in ("2026-02-01", "not-a-day"):
        url = reverse("reports-fill", args=[form.pk, unit.pk, day])
        assert officer.get(url).status_code == 404
    province = reverse("reports-fill", args=[form.pk, tree["province"].pk, Q1.isoformat()])
    assert _client(tree["leader"]).get(province).status_code == 404  # not a filler


def test_the_rollup_sums_the_province_and_lists_the_late_commune(tree: Any) -> None:  # noqa: F811
    """The first quarter of 2026 is past its deadline (10 April 2026) on any day this
    test runs."""
    officer = _client(tree["officers"][0])
    officer.post(_fill_url(tree), {**GOOD, "action": "submit"})
    _submit(tree, 1, {"may-tram": 5, "van-ban-di": 10, "van-ban-ky-so": 10, "bang-thong": 10})
    _submit(tree, 2, {"may-tram": 7, "van-ban-di": 50, "van-ban-ky-so": 20, "bang-thong": 30})
    steering = _client(tree["steering"])
    url = reverse("reports-rollup", args=[tree["form"].pk])
    province = steering.get(url, {"don-vi": tree["province"].pk, "ky": Q1.isoformat()})
    assert province.status_code == 200
    body = province.content.decode()
    assert "3 of 3 units reported" in body
    assert '<td class="num">22</td>' in body  # 10 + 5 + 7 computers
    assert "60.0 %" in body  # 60 signed of 100 outgoing
    assert "Xã 3" not in body

    # The country, for the first quarter (finished, past its deadline): commune 3 is late.
    country = steering.get(url, {"don-vi": tree["centre"].pk, "ky": "2026-02-15"})
    body = country.content.decode()
    assert "3 of 4 units reported" in body
    assert 'id="late-units"' in body and "Xã 3" in body

    # The leader of province A sees only their province (out of scope: 404).
    leader = _client(tree["leader"])
    assert leader.get(url, {"ky": Q1.isoformat()}).status_code == 200
    assert leader.get(url, {"don-vi": tree["other"].pk}).status_code == 404


def test_the_dashboard_links_the_report_forms(tree: Any) -> None:  # noqa: F811
    page = _client(tree["steering"]).get(reverse("reports-dashboard"))
    assert reverse("reports-forms") in page.content.decode()
    assert _client(tree["steering"]).get(reverse("reports-forms")).status_code == 200


def test_the_rollup_exports_as_xlsx_and_pdf_with_the_numbers_of_the_page(
    tree: Any,  # noqa: F811
) -> None:
    """The XLSX holds the page's figures (a share as a fraction), one row per unit's
    report with its values, and the late commune; the PDF holds the same text."""
    import io

    import pypdfium2 as pdfium
    from openpyxl import load_workbook

    _submit(tree, 0, {"may-tram": 10, "van-ban-di": 40, "van-ban-ky-so": 30, "bang-thong": 20})
    _submit(tree, 1, {"may-tram": 5, "van-ban-di": 10, "van-ban-ky-so": 10, "bang-thong": 10})
    _submit(tree, 2, {"may-tram": 7, "van-ban-di": 50, "van-ban-ky-so": 20, "bang-thong": 30})
    steering = _client(tree["steering"])
    params = {"don-vi": tree["centre"].pk, "ky": Q1.isoformat()}
    page = steering.get(reverse("reports-rollup", args=[tree["form"].pk]), params)
    assert 'id="rollup-xlsx"' in page.content.decode()

    xlsx = steering.get(reverse("reports-rollup-xlsx", args=[tree["form"].pk]), params)
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"].startswith('attachment; filename="bao-cao-')
    book = load_workbook(io.BytesIO(xlsx.content))
    totals = {row[1]: row[2] for row in book["tong-hop"].iter_rows(min_row=4, values_only=True)}
    assert totals["may-tram"] == 22
    assert totals["van-ban-ky-so"] == pytest.approx(0.6)
    assert "3 of 4 units reported" in book["tong-hop"]["A2"].value
    units = list(book["don-vi"].iter_rows(min_row=2, values_only=True))
    assert len(units) == 3
    by_name = {row[0]: row for row in units}
    first = by_name[tree["communes"][0].name]
    assert first[1] == "submitted" and 10 in first[3:] and 40 in first[3:]
    late = [row[0] for row in book["cham"].iter_rows(min_row=2, values_only=True)]
    assert late == ["Xã 3"]

    pdf = steering.get(reverse("reports-rollup-pdf", args=[tree["form"].pk]), params)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    document = pdfium.PdfDocument(pdf.content)
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    assert "3 of 4 units reported" in text and "60.0 %" in text and "Xã 3" in text
    assert tree["communes"][2].name in text

    # Out of scope is 404 for the exports too; a bad period is a message.
    leader = _client(tree["leader"])
    other = {"don-vi": tree["other"].pk, "ky": Q1.isoformat()}
    assert (
        leader.get(reverse("reports-rollup-xlsx", args=[tree["form"].pk]), other).status_code == 404
    )
    bad = steering.get(
        reverse("reports-rollup-pdf", args=[tree["form"].pk]), {**params, "ky": "tháng ba"}
    )
    assert bad.status_code == 400 and "not a date" in bad.content.decode()
