"""The party-member record pages (issue #9 scope 1): the list of a unit's subtree with
its filters, XLSX export and all-or-nothing import, one record, and the form that opens
or changes a record. Records are strictly private: no right anywhere is 403 for the
pages, a record out of scope is 404; every record read and every page of the list shown
is in the audit log.

The ``party`` fixture (records/tests/conftest.py) gives a cell under commune A1 and the
organisation departments of A1, of province A, of commune A2 and of province B.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lienthong.audit.models import AuditEvent
from lienthong.records.choices import LeavingForm, MemberEventKind, MemberState
from lienthong.records.forms import GROUPS
from lienthong.records.models import Member, MemberEvent
from lienthong.records.services import EDITABLE, member_create
from lienthong.records.tests.conftest import GOOD

pytestmark = pytest.mark.django_db

LIST = "records-members"
EXPORT = "records-members-export"
IMPORT = "records-members-import"
DETAIL = "records-member"
NEW = "records-member-new"
EDIT = "records-member-edit"


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _open(party: dict[str, Any], **values: Any) -> Member:
    return member_create(actor=party["commune_org"], unit=party["cell"], **{**GOOD, **values})


def _form_data(values: dict[str, Any]) -> dict[str, str]:
    """Every writable field as the browser posts it (ISO dates, empty for none)."""
    data: dict[str, str] = {}
    for name in EDITABLE:
        value = values.get(name)
        if isinstance(value, dt.date):
            data[name] = value.isoformat()
        else:
            data[name] = "" if value is None else str(value)
    data.setdefault("state", MemberState.ACTIVE)
    if not data["state"]:
        data["state"] = MemberState.ACTIVE
    return data


def _events(verb: str) -> Any:
    return AuditEvent.objects.filter(verb=verb)


def _row_ids(response: Any) -> set[str]:
    return {f"member-{m.pk}" for m in response.context["rows"]}


def test_the_form_groups_hold_every_writable_field_once() -> None:
    grouped = [name for _title, names in GROUPS for name in names]
    assert sorted(grouped) == sorted(EDITABLE)
    assert len(grouped) == len(set(grouped))


def test_the_commune_and_province_departments_read_the_list_and_the_record(
    world: Any, party: Any
) -> None:
    """GIVEN a record in a cell of commune A1 with a reward
    WHEN the commune's and the province's organisation departments open the list and
    the record THEN both see it, and each page shown is one audit event."""
    record = _open(party, alias="Chị Bình", note="Ghi chú riêng")
    MemberEvent.objects.create(
        member=record, kind=MemberEventKind.REWARD, title="Huy hiệu 10 năm tuổi Đảng"
    )
    committees = {"commune_org": world.commune_a1, "province_org": world.province_a}
    for reader, committee in committees.items():
        client = _client(party[reader])
        lists_before = _events("member.list").count()
        listing = client.get(reverse(LIST))
        assert listing.status_code == 200
        assert listing.context["unit"] == committee  # their committee by default
        page = listing.content.decode()
        assert "Nguyễn Thị Bình" in page
        assert f'href="{reverse(DETAIL, args=[record.pk])}"' in page
        assert "123456HN" in page and "Chi bộ khu phố 1" in page
        assert 'href="/ho-so/dang-vien/"' in page  # the menu entry
        listed = _events("member.list").order_by("-seq")
        assert listed.count() == lists_before + 1
        assert listed[0].actor_user == party[reader]
        assert listed[0].data["shown"] == 1

        reads_before = _events("member.read").count()
        shown = client.get(reverse(DETAIL, args=[record.pk]))
        assert shown.status_code == 200
        page = shown.content.decode()
        for text in ("Chị Bình", "12/04/1985", "19/05/2010", "01234567", "Ghi chú riêng"):
            assert text in page
        assert "Huy hiệu 10 năm tuổi Đảng" in page
        assert 'id="h-group-7"' in page  # identity ... note: seven groups
        read = _events("member.read").order_by("-seq")
        assert read.count() == reads_before + 1
        assert read[0].actor_user == party[reader] and read[0].target_id == str(record.pk)
        assert f'href="{reverse(EDIT, args=[record.pk])}"' in page


def test_a_clerk_gets_403_on_the_pages_and_404_on_a_record(world: Any, party: Any) -> None:
    record = _open(party)
    client = _client(world.clerk_a1)
    for name in (LIST, EXPORT, NEW, IMPORT):
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse(DETAIL, args=[record.pk])).status_code == 404
    assert client.get(reverse(EDIT, args=[record.pk])).status_code == 404
    posted = client.post(reverse(EDIT, args=[record.pk]), _form_data({**GOOD, "alias": "X"}))
    assert posted.status_code == 404
    record.refresh_from_db()
    assert record.alias == ""
    assert not _events("member.read").exists()
    assert not _events("member.list").exists()
    home = client.get(reverse("home")).content.decode()
    assert "/ho-so/dang-vien/" not in home  # no menu entry


def test_another_province_does_not_see_the_record(world: Any, party: Any) -> None:
    record = _open(party)
    client = _client(party["other_province_org"])
    assert client.get(reverse(DETAIL, args=[record.pk])).status_code == 404
    assert client.get(reverse(EDIT, args=[record.pk])).status_code == 404
    own = client.get(reverse(LIST))
    assert own.status_code == 200
    assert own.context["unit"] == world.province_b
    assert "Nguyễn Thị Bình" not in own.content.decode()
    everything = client.get(reverse(LIST), {"don-vi": world.central.pk})
    if everything.status_code == 200:  # the root may be out of their view: 404 then
        assert f"member-{record.pk}" not in everything.content.decode()
    else:
        assert everything.status_code == 404
    assert not _events("member.read").exists()


def test_bad_input_is_404_or_ignored_never_an_error(world: Any, party: Any) -> None:
    _open(party)
    client = _client(party["commune_org"])
    assert client.get("/ho-so/dang-vien/abc/").status_code == 404
    assert client.get("/ho-so/dang-vien/999999/").status_code == 404
    assert client.get(reverse(LIST), {"don-vi": "x1"}).status_code == 404
    assert client.get(reverse(LIST), {"don-vi": "999999"}).status_code == 404
    ignored = client.get(
        reverse(LIST), {"tinh-trang": "bogus", "nam-vao-dang": "20x5", "trang": "zzz"}
    )
    assert ignored.status_code == 200
    assert "Nguyễn Thị Bình" in ignored.content.decode()
    assert client.get(reverse(LIST), {"nam-vao-dang": "99999999999999999999"}).status_code == 200
    assert _events("member.list").order_by("-seq")[0].data["filters"] == {}


def test_a_create_with_a_7_digit_card_number_comes_back_with_the_message(
    world: Any, party: Any
) -> None:
    client = _client(party["commune_org"])
    url = f"{reverse(NEW)}?don-vi={party['cell'].pk}"
    shown = client.get(url)
    assert shown.status_code == 200
    page = shown.content.decode()
    assert 'type="date"' in page and 'name="born_on"' in page
    assert '<select name="gender"' in page and "csrfmiddlewaretoken" in page

    refused = client.post(url, _form_data({**GOOD, "card_number": "1234567"}))
    assert refused.status_code == 200
    assert refused.context["form"].errors["card_number"] == ["The party card number has 8 digits."]
    page = refused.content.decode()
    assert 'id="id_card_number-errors"' in page
    assert "The party card number has 8 digits." in page
    assert 'value="1234567"' in page  # what was typed comes back
    assert 'aria-describedby="id_card_number-errors"' in page
    assert not Member.objects.exists()
    assert not _events("member.create").exists()


def test_a_good_create_redirects_to_the_record(world: Any, party: Any) -> None:
    client = _client(party["commune_org"])
    url = f"{reverse(NEW)}?don-vi={party['cell'].pk}"
    created = client.post(url, _form_data(GOOD))
    member = Member.objects.get()
    assert created.status_code == 302
    assert created["Location"] == reverse(DETAIL, args=[member.pk])
    assert member.unit == party["cell"] and member.file_number == "123456HN"
    assert member.born_on == GOOD["born_on"]
    assert [str(m) for m in get_messages(created.wsgi_request)] == [
        "The record of Nguyễn Thị Bình was opened."
    ]
    assert _events("member.create").count() == 1


def test_a_unit_where_one_may_not_open_records_is_404(world: Any, party: Any) -> None:
    client = _client(party["other_commune_org"])
    url = f"{reverse(NEW)}?don-vi={party['cell'].pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, _form_data(GOOD)).status_code == 404
    assert not Member.objects.exists()


def test_an_edit_changes_a_field(world: Any, party: Any) -> None:
    record = _open(party)
    client = _client(party["province_org"])
    url = reverse(EDIT, args=[record.pk])
    shown = client.get(url)
    assert shown.status_code == 200
    page = shown.content.decode()
    assert 'value="01234567"' in page and 'value="1985-04-12"' in page
    assert _events("member.read").count() == 1  # showing the record to change it

    values = {f: getattr(record, f) for f in EDITABLE}
    refused = client.post(url, _form_data({**values, "official_on": dt.date(2010, 6, 1)}))
    assert refused.status_code == 200
    assert "after 12 months of probation" in refused.context["form"].errors["official_on"][0]
    record.refresh_from_db()
    assert record.official_on == GOOD["official_on"]

    changed = client.post(
        url,
        _form_data(
            {
                **values,
                "alias": "Chị Ba",
                "state": MemberState.LEFT,
                "left_on": dt.date(2024, 3, 1),
                "leaving_form": LeavingForm.RESIGNED,
            }
        ),
    )
    assert changed.status_code == 302
    assert changed["Location"] == reverse(DETAIL, args=[record.pk])
    record.refresh_from_db()
    assert record.alias == "Chị Ba" and record.state == MemberState.LEFT
    assert record.left_on == dt.date(2024, 3, 1)
    update = _events("member.update").get()
    assert update.data == {"fields": ["alias", "leaving_form", "left_on", "state"]}


def test_the_filters_narrow_the_list(world: Any, party: Any) -> None:
    binh = _open(party)
    cuong = _open(
        party,
        full_name="Trần Văn Cường",
        card_number="76543210",
        file_number="654321HN",
        admitted_on=dt.date(2015, 3, 2),
        official_on=None,
        state=MemberState.DIED,
        died_on=dt.date(2023, 1, 1),
    )
    client = _client(party["province_org"])
    url = reverse(LIST)
    base = {"don-vi": world.province_a.pk}
    everyone = client.get(url, base)
    assert _row_ids(everyone) == {f"member-{binh.pk}", f"member-{cuong.pk}"}
    by_name = client.get(url, {**base, "q": "thi binh"})
    assert _row_ids(by_name) == {f"member-{binh.pk}"}
    assert _row_ids(client.get(url, {**base, "q": "CUONG"})) == {f"member-{cuong.pk}"}
    by_state = client.get(url, {**base, "tinh-trang": MemberState.DIED})
    assert _row_ids(by_state) == {f"member-{cuong.pk}"}
    by_year = client.get(url, {**base, "nam-vao-dang": "2010"})
    assert _row_ids(by_year) == {f"member-{binh.pk}"}
    assert _row_ids(client.get(url, {**base, "nam-vao-dang": "1999"})) == set()
    last = _events("member.list").order_by("-seq")[0]
    assert last.data == {"filters": {"admitted_year": 1999}, "shown": 0}
    # The export link keeps the filters.
    assert "q=thi+binh" in by_name.content.decode()


def test_the_list_shows_50_a_page_and_audits_each_page(world: Any, party: Any) -> None:
    Member.objects.bulk_create(
        Member(
            unit=party["cell"],
            full_name=f"Đảng viên {n:03d}",
            full_name_folded=f"dang vien {n:03d}",
            gender="male",
            born_on=dt.date(1980, 1, 1),
            admitted_on=dt.date(2005, 1, 1),
        )
        for n in range(51)
    )
    client = _client(party["commune_org"])
    first = client.get(reverse(LIST))
    assert len(first.context["rows"]) == 50
    assert 'rel="next"' in first.content.decode()
    second = client.get(reverse(LIST), {"trang": "2"})
    assert [m.full_name for m in second.context["rows"]] == ["Đảng viên 050"]
    shown = [e.data["shown"] for e in _events("member.list").order_by("seq")]
    assert shown == [50, 1]


def test_the_export_downloads_the_filtered_list(world: Any, party: Any) -> None:
    _open(party)
    _open(party, full_name="Trần Văn Cường", card_number="76543210", file_number="654321HN")
    client = _client(party["province_org"])
    response = client.get(reverse(EXPORT), {"don-vi": world.province_a.pk, "q": "cuong"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith('attachment; filename="dang-vien-')
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert "Trần Văn Cường" in text and "Nguyễn Thị Bình" not in text
    assert _events("member.export").get().actor_user == party["province_org"]


def _book(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Họ và tên", "Giới tính", "Ngày sinh", "Ngày vào Đảng", "Số thẻ đảng viên"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(data: bytes, name: str = "danh-sach.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_a_bad_workbook_imports_nothing_and_lists_every_problem(world: Any, party: Any) -> None:
    client = _client(party["commune_org"])
    url = f"{reverse(IMPORT)}?don-vi={party['cell'].pk}"
    shown = client.get(url)
    assert shown.status_code == 200
    assert "Họ và tên" in shown.content.decode() and 'enctype="multipart/form-data"' in (
        shown.content.decode()
    )
    bad = _book(
        [
            ["Nguyễn Văn An", "Nam", "02/01/1980", "19/05/2005", "10000001"],
            ["Trần Văn Ba", "X", "02/01/1980", "01/01/2005", "1234567"],
        ]
    )
    refused = client.post(url, {"file": _upload(bad)})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert 'id="import-errors"' in page and "Nothing was imported" in page
    errors = {(e.row, e.column) for e in refused.context["errors"]}
    assert {(3, "Giới tính"), (3, "Số thẻ đảng viên")} <= errors
    assert "The party card number has 8 digits." in page
    assert not Member.objects.exists()

    not_xlsx = client.post(url, {"file": _upload(bad, name="danh-sach.csv")})
    assert "Choose an Excel workbook (.xlsx)." in not_xlsx.content.decode()
    unreadable = client.post(url, {"file": _upload(b"MZ\x90\x00")})
    assert unreadable.status_code == 200
    assert "not a readable XLSX" in unreadable.content.decode()
    assert not Member.objects.exists()


def test_a_good_workbook_is_imported(world: Any, party: Any) -> None:
    client = _client(party["commune_org"])
    url = f"{reverse(IMPORT)}?don-vi={party['cell'].pk}"
    good = _book(
        [
            ["Nguyễn Văn An", "Nam", "02/01/1980", "19/05/2005", "10000001"],
            ["Lê Thị Hoa", "Nữ", dt.date(1990, 4, 3), dt.date(2015, 2, 3), "10000002"],
        ]
    )
    imported = client.post(url, {"file": _upload(good)})
    assert imported.status_code == 302
    assert imported["Location"] == f"{reverse(LIST)}?don-vi={party['cell'].pk}"
    assert [str(m) for m in get_messages(imported.wsgi_request)] == ["2 records imported."]
    assert set(Member.objects.values_list("card_number", flat=True)) == {"10000001", "10000002"}
    assert set(Member.objects.values_list("unit", flat=True)) == {party["cell"].pk}


def test_importing_needs_the_right_to_open_records_there(world: Any, party: Any) -> None:
    good = _book([["Nguyễn Văn An", "Nam", "02/01/1980", "19/05/2005", "10000001"]])
    other = _client(party["other_commune_org"])
    url = f"{reverse(IMPORT)}?don-vi={party['cell'].pk}"
    assert other.post(url, {"file": _upload(good)}).status_code == 404
    assert _client(world.clerk_a1).post(url, {"file": _upload(good)}).status_code == 403
    assert not Member.objects.exists()
