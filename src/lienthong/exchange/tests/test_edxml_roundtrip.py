"""Round trip: parse(build(x)) == x, and what lienthong builds follows the standard.

Issue #5 acceptance: "an envelope lienthong builds validates against the structure of
the standard ... and parse(build(x)) == x for generated headers (hypothesis)".
Generated messages carry Vietnamese text (and the characters XML must escape), 1-5
recipients, 0-3 attachments; both date forms are read back.
"""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lienthong.exchange import edxml
from lienthong.exchange.edxml.wire import VN_TZ

from .edxml_pki import make_pki

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
)
ALPHABET = VIETNAMESE + VIETNAMESE.upper() + "0123456789 ,.;:-()/&<>\"'\n"
SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def text(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    """Vietnamese text without surrounding white space (the reader strips it)."""
    return (
        st.text(alphabet=ALPHABET, min_size=min_size, max_size=max_size)
        .map(str.strip)
        .filter(lambda value: len(value) >= min_size)
    )


def short(max_size: int) -> st.SearchStrategy[str]:
    return text(0, max_size)


UPPER_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Mã định danh: groups of digits and capitals separated by dots (vn-rules.md §3.8).
organ_ids = st.lists(
    st.text(alphabet=UPPER_DIGITS, min_size=1, max_size=3), min_size=1, max_size=4
).map(".".join)


def digits(min_size: int, max_size: int, extra: str = "") -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789" + extra, min_size=min_size, max_size=max_size).map(
        str.strip
    )


# Ký hiệu: capitals in groups joined by hyphens, e.g. VPCP-TTĐT.
notations = st.lists(
    st.text(alphabet="ABCDĐEGHIKLMNOPQRSTUVXY", min_size=1, max_size=6), min_size=1, max_size=3
).map("-".join)
days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2024, 12, 31))
moments = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),
    max_value=dt.datetime(2030, 12, 31),
    timezones=st.sampled_from([dt.UTC, VN_TZ, dt.timezone(dt.timedelta(hours=-5))]),
).map(lambda moment: moment.replace(microsecond=0))


@st.composite
def organizations(
    draw: st.DrawFn, organ_id: st.SearchStrategy[str] = organ_ids
) -> edxml.Organization:
    return edxml.Organization(
        organ_id=draw(organ_id),
        organ_name=draw(text(1, 60)),
        organization_in_charge=draw(short(60)),
        address=draw(short(80)),
        email=draw(st.sampled_from(["", "vanthu@hanoi.gov.vn", "a&b@x.vn"])),
        telephone=draw(digits(0, 20, " ()+-")),
        fax=draw(digits(0, 20, " ")),
        website=draw(st.sampled_from(["", "hanoi.gov.vn", "www.nghean.vn"])),
    )


@st.composite
def responses(draw: st.DrawFn) -> edxml.ResponseFor:
    return edxml.ResponseFor(
        organ_id=draw(organ_ids),
        code=f"{draw(digits(1, 4))}/{draw(notations)}",
        promulgation_date=draw(st.none() | days),
        document_id=draw(text(1, 60)),
    )


@st.composite
def businesses(draw: st.DrawFn) -> edxml.Business:
    doc_type = draw(st.integers(0, 3))
    replaced: tuple[str, ...] = ()
    organs: tuple[str, ...] = ()
    if doc_type == 3:
        replaced = tuple(draw(st.lists(text(1, 50), min_size=1, max_size=2)))
        organs = tuple(draw(st.lists(organ_ids, max_size=3, unique=True)))
    updated = doc_type == 2
    return edxml.Business(
        doc_type=doc_type,
        reason=draw(short(60)),
        paper=draw(st.integers(0, 1)),
        replaced_document_ids=replaced,
        replacement_organ_ids=organs,
        document_id=draw(short(50)),
        document_info_changed=draw(st.integers(0, 1)) if updated else None,
        document_receiver_changed=draw(st.integers(0, 1)) if updated else None,
        receivers=tuple(
            draw(st.lists(st.tuples(organ_ids, st.integers(0, 1)), max_size=3)) if updated else []
        ),
        staff_department=draw(short(40)),
        staff_name=draw(short(40)),
        staff_email=draw(st.sampled_from(["", "vanthu@gov.vn"])),
        staff_mobile=draw(digits(0, 12)),
    )


_EXTENSIONS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "txt": "text/plain",
    "png": "image/png",
    "bin": "application/octet-stream",
}


@st.composite
def attachments(draw: st.DrawFn) -> edxml.Attachment:
    extension = draw(st.sampled_from(sorted(_EXTENSIONS)))
    stem = draw(
        st.text(alphabet=VIETNAMESE + "0123456789_- ", min_size=1, max_size=30)
        .map(str.strip)
        .filter(bool)
    )
    return edxml.Attachment(
        name=f"{stem}.{extension}",
        content_type=_EXTENSIONS[extension],
        data=draw(st.binary(max_size=3000)),
        description=draw(short(60)),
        content_id=f"cid:{draw(st.uuids())}",
    )


@st.composite
def edoc_messages(draw: st.DrawFn) -> edxml.EdocMessage:
    sender = draw(organizations())
    promulgation = draw(days)
    number = draw(digits(1, 5))
    notation = draw(notations)
    return edxml.EdocMessage(
        sender=sender,
        recipients=tuple(
            draw(st.lists(organizations(), min_size=1, max_size=5, unique_by=lambda o: o.organ_id))
        ),
        document_id=edxml.document_id_for(sender.organ_id, promulgation, number, notation),
        code_number=number,
        code_notation=notation,
        promulgation_date=promulgation,
        subject=draw(text(1, 200)),
        place=draw(short(50)),
        type=draw(st.sampled_from([1, 2])),
        type_detail=draw(st.none() | st.integers(0, 99)),
        type_name=draw(text(1, 40)),
        content=draw(text(1, 200)),
        signer=draw(
            st.none()
            | st.builds(edxml.Signer, competence=short(40), position=short(40), full_name=short(50))
        ),
        due_date=draw(
            st.none() | st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 1, 1))
        ),
        priority=draw(st.integers(0, 4)),
        steering_type=draw(st.none() | st.integers(0, 2)),
        to_places=tuple(draw(st.lists(text(1, 60), max_size=3))),
        response_for=tuple(draw(st.lists(responses(), max_size=2))),
        business=draw(businesses()),
        trace=tuple(draw(st.lists(st.tuples(organ_ids, moments), min_size=1, max_size=3))),
        sphere=draw(short(60)),
        typer_notation=draw(short(10)),
        promulgation_amount=draw(st.none() | st.integers(0, 1000)),
        page_amount=draw(st.none() | st.integers(0, 1000)),
        direction=draw(st.none() | st.booleans()),
        appendixes=tuple(draw(st.lists(text(1, 80), max_size=2))),
        attachments=tuple(draw(st.lists(attachments(), max_size=3))),
    )


@st.composite
def status_messages(draw: st.DrawFn) -> edxml.StatusMessage:
    return edxml.StatusMessage(
        sender=draw(organizations()),
        response_for=draw(responses()),
        status_code=draw(st.sampled_from(sorted(edxml.STATUS_CODES))),
        description=draw(short(200)),
        timestamp=draw(moments),
        staff_department=draw(short(40)),
        staff_name=draw(short(40)),
        staff_email=draw(st.sampled_from(["", "vanthu@gov.vn"])),
        staff_mobile=draw(digits(0, 12)),
    )


_WIRE_DATE = re.compile(rb"(<edXML:(?:PromulgationDate|DueDate|Timestamp)>)(\d{4})/(\d{2})/(\d{2})")


def _day_first(data: bytes) -> bytes:
    """Rewrite every date of the header in the other field form, dd/MM/yyyy."""
    return _WIRE_DATE.sub(rb"\1\4/\3/\2", data)


@SETTINGS
@given(message=edoc_messages())
def test_a_document_survives_build_and_parse(message):
    """GIVEN a generated document envelope (Vietnamese text, 1-5 recipients, 0-3 files)
    WHEN it is built, then parsed as written and with its dates and time stamps rewritten
    dd/MM/yyyy (the other form seen in the field), and validated
    THEN both parses give back the same message and validation finds no problem."""
    data = edxml.build_edoc(message)
    day_first = _day_first(data)
    assert day_first != data  # there is always at least a PromulgationDate

    parsed = edxml.parse(data)

    assert parsed.kind == "edoc"
    assert parsed.message == message
    assert edxml.parse(day_first).message == message
    assert edxml.validate(data) == []


@SETTINGS
@given(message=status_messages())
def test_a_status_message_survives_build_and_parse(message):
    """GIVEN a generated status message WHEN it is built, parsed (also with day-first
    dates) and validated THEN the message is the same and valid."""
    data = edxml.build_status(message)

    parsed = edxml.parse(data)

    assert parsed.kind == "status"
    assert parsed.message == message
    assert edxml.parse(_day_first(data)).message == message
    assert edxml.validate(data) == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=edoc_messages())
def test_a_signed_document_survives_build_and_parse(message):
    """GIVEN a generated envelope signed by an EC node
    WHEN it is parsed THEN the signature is valid and the message, read from the signed
    content, is the same."""
    node = make_pki().ec_node
    data = edxml.build_edoc(message, signing_key=node.key, signing_chain=node.chain)

    parsed = edxml.parse(data)

    assert parsed.signature.state == "valid", parsed.signature.reason
    assert parsed.message == message
    assert edxml.validate(data) == []


def test_document_id_for_follows_the_standard_form():
    """GIVEN an organ id, a date, a number and a notation
    WHEN document_id_for builds the DocumentId THEN it is "OrganId,yyyy/MM/dd,Số/Ký hiệu"."""
    assert (
        edxml.document_id_for("000.00.00.G22", dt.date(2015, 9, 30), "7816", "VPCP-TTĐT")
        == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    )
