"""The counting minutes signed by the board (issue #6 scope 7; 190 Art. 8: the board
signs the minutes): each member with an account adds a PAdES signature that pyHanko's
validator accepts; nobody else can; the signed minutes travel in the evidence package."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from lienthong.audit.actors import SystemActor
from lienthong.core.errors import InvalidInput, PermissionDenied
from lienthong.elections import services
from lienthong.elections.choices import Body, ElectionKind
from lienthong.elections.evidence import verify_package
from lienthong.org.choices import RoleCode
from lienthong.org.tests.factories import UserFactory, member
from lienthong.trust import services as trust
from lienthong.trust.choices import CertificateProfile

pytestmark = pytest.mark.django_db

ACTOR = SystemActor("test")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def counted(world: Any, settings: Any, tmp_path: Path) -> dict[str, Any]:
    """GIVEN a counted round whose board is a chair and a member, each with a signing
    certificate of the network's CA, and a third teller who is not on the board."""
    settings.KEY_ALGORITHM = "ec-p256"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path / "data"
    settings.DOCUMENT_SIGNATURE_LEVEL = "B-T"
    cas = trust.ca_init(actor=ACTOR, network_name="Test", slug="test", algorithm="ec-p256")
    unit = world.province_a
    chair = member(UserFactory(full_name="Hoàng Văn Tư"), unit, RoleCode.COUNTING_BOARD)
    second = member(UserFactory(full_name="Vũ Thị Năm"), unit, RoleCode.COUNTING_BOARD)
    outsider = member(UserFactory(full_name="Đinh Văn Sáu"), unit, RoleCode.COUNTING_BOARD)
    for user in (chair, second, outsider):
        trust.certificate_issue(
            actor=ACTOR,
            authority=cas.issuing,
            profile=CertificateProfile.PERSON_SIGNING,
            subject=trust.SubjectSpec(common_name=user.full_name),
            holder_user=user,
            holder_unit=unit,
        )
    congress = services.congress_create(
        actor=chair,
        unit=unit,
        name="Đại hội lần thứ XVI",
        body=Body.DELEGATES,
        held_on=dt.date(2025, 10, 1),
        place="Hội trường Tỉnh ủy",
    )
    election = services.election_create(
        actor=chair, congress=congress, kind=ElectionKind.COMMITTEE, seats=2, convened=5, present=5
    )
    for name in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"):
        services.candidate_add(actor=chair, election=election, full_name=name)
    services.board_set(
        actor=chair,
        election=election,
        members=[
            {"name": "Hoàng Văn Tư", "role": "chair", "username": chair.username},
            {"name": "Vũ Thị Năm", "username": second.username},
        ],
    )
    round_ = services.round_open(actor=chair, election=election)
    for team, person in ((1, chair), (2, outsider)):
        for number in range(1, 6):
            services.ballot_enter(
                actor=person,
                round_=round_,
                team=team,
                number=number,
                kept=["Nguyễn Văn An", "Trần Thị Bình"],
            )
    services.round_count(actor=chair, round_=round_, issued=5, received=5)
    return {
        "round": round_,
        "chair": chair,
        "second": second,
        "outsider": outsider,
        "root": cas.root.certificate.pem,
    }


def test_each_board_member_signs_the_minutes_once(counted: dict[str, Any]) -> None:
    """GIVEN the counted round
    WHEN the chair, then the member, sign (second factor given)
    THEN the minutes carry two signatures that validate, name both in the round, are in
    the evidence package (which still verifies); a second signature by the chair, a
    signature without the second factor, and one by a teller not on the board are
    refused."""
    from lienthong.trust.pades import validate_pdf

    round_ = counted["round"]
    unsigned = services.round_minutes(actor=counted["chair"], round_=round_)
    assert unsigned.startswith(b"%PDF")
    with pytest.raises(PermissionDenied):
        services.minutes_sign(actor=counted["outsider"], round_=round_, second_factor_verified=True)
    services.minutes_sign(actor=counted["chair"], round_=round_, second_factor_verified=True)
    with pytest.raises(InvalidInput, match="already signed"):
        services.minutes_sign(actor=counted["chair"], round_=round_, second_factor_verified=True)
    services.minutes_sign(actor=counted["second"], round_=round_, second_factor_verified=True)

    round_.refresh_from_db()
    assert [s["name"] for s in round_.minutes_signed_by] == ["Hoàng Văn Tư", "Vũ Thị Năm"]
    signed = services.round_minutes(actor=counted["chair"], round_=round_)
    report = validate_pdf(pdf=signed, trust_anchors=[counted["root"]])
    assert len(report.signatures) == 2
    assert report.verdict == "valid", report.signatures
    package = services.round_evidence(actor=counted["chair"], round_=round_)
    assert zipfile.ZipFile(io.BytesIO(package)).read("minutes.pdf") == signed
    assert verify_package(package).ok
    assert services.journal_verify(round_)


def test_the_minutes_wait_for_the_count_and_signing_needs_the_second_factor(
    counted: dict[str, Any], world: Any
) -> None:
    round_ = counted["round"]
    fresh = services.round_open(
        actor=counted["chair"], election=round_.election, names=["Lê Văn Cường"], seats=1
    )
    with pytest.raises(InvalidInput, match="not counted"):
        services.round_minutes(actor=counted["chair"], round_=fresh)
    # A board member is a signer (org.roles.SIGNING_ROLES): the second factor is asked.
    with pytest.raises(PermissionDenied):
        services.minutes_sign(actor=counted["second"], round_=round_, second_factor_verified=False)
    round_.refresh_from_db()
    assert round_.minutes_signed_by == []
