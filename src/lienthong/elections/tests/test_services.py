"""Set-up, independent double entry, reconciliation, the journal and the count (issue #6
scopes 1, 3, 5, 6), through the services as the counting board uses them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from lienthong.audit.models import AuditEvent
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.elections import services
from lienthong.elections.choices import Body, ElectionKind, RoundState
from lienthong.elections.models import JournalEntry
from lienthong.org.choices import RoleCode
from lienthong.org.tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


NAMES = ["Trần Thị Bình", "Nguyễn Văn An", "Lê Văn Cường", "Phạm Thị Dung"]


@pytest.fixture
def board(world: Any) -> Any:
    """GIVEN the counting board of Tỉnh ủy A (a member with the board's role)."""
    return member(
        UserFactory(full_name="Trưởng ban Kiểm phiếu"), world.province_a, RoleCode.COUNTING_BOARD
    )


@pytest.fixture
def teller(world: Any) -> Any:
    """GIVEN a second member of the board, who enters for the second team."""
    return member(
        UserFactory(full_name="Ủy viên Ban Kiểm phiếu"), world.province_a, RoleCode.COUNTING_BOARD
    )


@pytest.fixture
def election(board: Any, world: Any) -> Any:
    """GIVEN a members' congress electing 3 of 4 candidates, 20 convened, 1 deducted."""
    congress = services.congress_create(
        actor=board,
        unit=world.province_a,
        name="Đại hội lần thứ I",
        body=Body.MEMBERS,
        held_on=dt.date(2025, 6, 1),
    )
    election = services.election_create(
        actor=board,
        congress=congress,
        kind=ElectionKind.COMMITTEE,
        seats=3,
        convened=20,
        present=19,
        deductions=[{"reason": "transferred", "count": 1}],
    )
    for name in NAMES:
        services.candidate_add(actor=board, election=election, full_name=name)
    return election


def _enter_both(
    teams: tuple[Any, Any],
    round_: Any,
    ballots: list[list[str]],
    *,
    second: dict[int, list[str]] | None = None,
) -> None:
    for team, person in enumerate(teams, start=1):
        for number, kept in enumerate(ballots, start=1):
            if team == 2 and second and number in second:
                kept = second[number]
            services.ballot_enter(actor=person, round_=round_, team=team, number=number, kept=kept)


def test_double_entry_reconciles_ballot_by_ballot_and_then_counts(
    board: Any, teller: Any, election: Any
) -> None:
    """GIVEN 19 ballots entered by two teams with one discrepancy (ballot 7)
    THEN the count is refused naming ballot 7; once the second team corrects it the two
    agree, the count elects by more than half of the base (19) and the round is closed,
    with every step in a journal that verifies."""
    round_ = services.round_open(actor=board, election=election)
    assert round_.names == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"]
    ballots = [["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]] * 12 + [
        ["Nguyễn Văn An", "Phạm Thị Dung"]
    ] * 7
    _enter_both((board, teller), round_, ballots, second={7: ["Phạm Thị Dung"]})

    check = services.reconcile(round_)
    assert check.differences == [7] and not check.ok
    with pytest.raises(InvalidInput, match="ballots 7"):
        services.round_count(actor=board, round_=round_, issued=19, received=19)

    services.ballot_enter(actor=teller, round_=round_, team=2, number=7, kept=ballots[6])
    result = services.round_count(actor=board, round_=round_, issued=19, received=19)

    assert result["base"] == 19 and result["valid"] == 19
    # 19 and 12 of a base of 19 pass (2 * 12 > 19); Phạm Thị Dung's 7 do not.
    assert result["elected"] == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
    assert result["status"] == "complete" and result["shortfall"] == 0
    round_.refresh_from_db()
    assert round_.state == RoundState.COUNTED and round_.result == result
    assert services.journal_verify(round_)
    actions = list(JournalEntry.objects.filter(round=round_).values_list("action", flat=True))
    assert actions[0] == "open" and actions[-1] == "count" and "re-enter" in actions
    with pytest.raises(InvalidInput):
        services.ballot_enter(actor=board, round_=round_, team=1, number=1, kept=[])
    assert AuditEvent.objects.filter(verb="elections.round_count").exists()


def test_a_ballot_one_team_lacks_blocks_the_count(board: Any, election: Any) -> None:
    round_ = services.round_open(actor=board, election=election)
    services.ballot_enter(actor=board, round_=round_, team=1, number=1, kept=["Nguyễn Văn An"])
    check = services.reconcile(round_)
    assert check.missing == {1: [], 2: [1]} and not check.ok
    with pytest.raises(InvalidInput):
        services.round_count(actor=board, round_=round_, issued=1, received=1)


def test_the_journal_detects_a_changed_entry(board: Any, election: Any) -> None:
    round_ = services.round_open(actor=board, election=election)
    services.ballot_enter(actor=board, round_=round_, team=1, number=1, kept=["Nguyễn Văn An"])
    assert services.journal_verify(round_)
    entry = JournalEntry.objects.filter(round=round_, action="enter").get()
    JournalEntry.objects.filter(pk=entry.pk).update(data={**entry.data, "kept": []})
    assert not services.journal_verify(round_)


def test_integrity_failures_count_nothing(board: Any, teller: Any, election: Any) -> None:
    """GIVEN agreed entries of 2 ballots THEN received > issued, or ballots ≠ received,
    are refused and the round stays open."""
    round_ = services.round_open(actor=board, election=election)
    _enter_both((board, teller), round_, [["Nguyễn Văn An"], ["Trần Thị Bình"]])
    with pytest.raises(InvalidInput, match="more than issued"):
        services.round_count(actor=board, round_=round_, issued=1, received=2)
    with pytest.raises(InvalidInput, match="add up to 2"):
        services.round_count(actor=board, round_=round_, issued=3, received=3)
    round_.refresh_from_db()
    assert round_.state == RoundState.ENTERING and round_.result is None


def test_bad_set_up_and_entry_are_refused(board: Any, election: Any, world: Any) -> None:
    congress = election.congress
    with pytest.raises(InvalidInput):
        services.election_create(
            actor=board,
            congress=congress,
            kind="committee",
            seats=3,
            convened=5,
            present=5,
            deductions=[{"reason": "x", "count": 5}],
        )
    with pytest.raises(InvalidInput):
        services.election_create(
            actor=board, congress=congress, kind="committee", seats=3, convened=5, present=6
        )
    with pytest.raises(InvalidInput):
        services.candidate_add(actor=board, election=election, full_name="Nguyễn  Văn An")
    round_ = services.round_open(actor=board, election=election)
    with pytest.raises(InvalidInput):
        services.candidate_add(actor=board, election=election, full_name="Người Mới")
    with pytest.raises(InvalidInput):
        services.ballot_enter(actor=board, round_=round_, team=1, number=1, kept=["Người Lạ"])
    with pytest.raises(InvalidInput):
        services.ballot_enter(
            actor=board, round_=round_, team=1, number=1, boxes={"Nguyễn Văn An": "agree"}
        )


def test_another_province_cannot_touch_the_congress(board: Any, election: Any, world: Any) -> None:
    """GIVEN the counting board of another province THEN every step answers not found."""
    other = member(UserFactory(), world.province_b, RoleCode.COUNTING_BOARD)
    with pytest.raises(NotFound):
        services.candidate_add(actor=other, election=election, full_name="Ai Đó")
    with pytest.raises(NotFound):
        services.round_open(actor=other, election=election)
    with pytest.raises(NotFound):
        services.congress_create(
            actor=other,
            unit=world.province_a,
            name="x",
            body=Body.MEMBERS,
            held_on=dt.date(2025, 1, 1),
        )


def test_set_up_issues_warn_on_surplus_and_quorum_and_block_a_candidate_on_the_board(
    board: Any, election: Any
) -> None:
    issues = services.setup_issues(election, board=["Lê Văn Cường"])
    assert [(i.code, i.blocking) for i in issues] == [("board_member_is_candidate", True)]
    election.present = 10
    assert "no_quorum" in [i.code for i in services.setup_issues(election)]


def test_the_evidence_package_verifies_and_catches_tampering(
    board: Any, teller: Any, election: Any, tmp_path: Any
) -> None:
    """GIVEN a counted round's evidence package
    WHEN ``lienthong tally --verify`` reads it as exported, with a ballot changed (its
    hash then no longer matches), and with a ballot changed and the manifest rewritten
    THEN the first is intact; the second fails on the manifest; the third fails because
    counting round.json again no longer gives the published result."""
    import hashlib
    import io
    import json
    import subprocess
    import sys
    import zipfile

    round_ = services.round_open(actor=board, election=election)
    _enter_both(
        (board, teller), round_, [["Nguyễn Văn An", "Trần Thị Bình"]] * 12 + [["Lê Văn Cường"]] * 7
    )
    services.round_count(actor=board, round_=round_, issued=19, received=19)
    package = services.round_evidence(actor=board, round_=round_)

    def rewritten(change_manifest: bool) -> bytes:
        source = zipfile.ZipFile(io.BytesIO(package))
        files = {n: source.read(n) for n in source.namelist()}
        data = json.loads(files["round.json"])
        data["ballots"][0]["kept"] = ["Lê Văn Cường"]
        files["round.json"] = json.dumps(data, ensure_ascii=False).encode()
        if change_manifest:
            files["manifest.sha256"] = "".join(
                f"{hashlib.sha256(v).hexdigest()}  {k}\n"
                for k, v in sorted(files.items())
                if k != "manifest.sha256"
            ).encode()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name, content in files.items():
                archive.writestr(name, content)
        return out.getvalue()

    outcomes = []
    for name, data in (
        ("ok.zip", package),
        ("hash.zip", rewritten(False)),
        ("recount.zip", rewritten(True)),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        outcomes.append(
            subprocess.run(
                [sys.executable, "-m", "lienthong", "tally", "--verify", str(path)],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        )

    assert outcomes[0].returncode == 0 and "intact" in outcomes[0].stdout
    assert outcomes[1].returncode == 1 and "does not match its SHA-256" in outcomes[1].stderr
    assert outcomes[2].returncode == 1 and "another result" in outcomes[2].stderr
    names = zipfile.ZipFile(io.BytesIO(package)).namelist()
    assert sorted(names) == [
        "ballots.csv",
        "decisions.json",
        "journal.json",
        "manifest.sha256",
        "result.json",
        "round.json",
    ]


def test_one_person_enters_for_one_team_only(board: Any, teller: Any, election: Any) -> None:
    """Independent double entry (vote-rules.md §B7): who typed for the first team may
    not type the second team's reading of the same round."""
    round_ = services.round_open(actor=board, election=election)
    services.ballot_enter(actor=board, round_=round_, team=1, number=1, kept=["Nguyễn Văn An"])
    with pytest.raises(InvalidInput, match="one person, one team"):
        services.ballot_enter(actor=board, round_=round_, team=2, number=1, kept=["Nguyễn Văn An"])
    assert services.reconcile(round_).missing == {1: [], 2: [1]}


def test_the_board_decides_doubtful_ballots_with_a_reason(
    board: Any, teller: Any, election: Any
) -> None:
    """GIVEN 19 ballots, two of them sent to the board by a team (a stray mark on 3, a
    signature on 5)
    THEN the count waits for the board; the board finds 3 valid and 5 invalid (a special
    mark), each with its reason; the count then has 18 valid and 1 invalid for
    ``extra_mark``, the decisions are journaled and in the evidence package."""
    import io
    import json
    import zipfile

    round_ = services.round_open(actor=board, election=election)
    ballots = [["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]] * 19
    for team, person in ((1, board), (2, teller)):
        for number, kept in enumerate(ballots, start=1):
            services.ballot_enter(
                actor=person,
                round_=round_,
                team=team,
                number=number,
                kept=kept,
                doubtful=(team == 1 and number in (3, 5)),
            )
    check = services.reconcile(round_)
    assert check.doubtful == [3, 5] and check.undecided == [3, 5] and not check.ok
    with pytest.raises(InvalidInput, match="ballots 3, 5"):
        services.round_count(actor=board, round_=round_, issued=19, received=19)
    with pytest.raises(InvalidInput, match="reason"):
        services.ballot_decide(actor=board, round_=round_, number=3, verdict="valid", note=" ")
    with pytest.raises(InvalidInput, match="ground"):
        services.ballot_decide(
            actor=board, round_=round_, number=5, verdict="invalid", note="Có chữ ký"
        )
    with pytest.raises(InvalidInput, match="No team sent ballot 4"):
        services.ballot_decide(actor=board, round_=round_, number=4, verdict="valid", note="x")

    services.ballot_decide(
        actor=board,
        round_=round_,
        number=3,
        verdict="valid",
        note="Vết mực vô ý, không phải ký hiệu",
    )
    services.ballot_decide(
        actor=board,
        round_=round_,
        number=5,
        verdict="invalid",
        reason_code="extra_mark",
        note="Có chữ ký của người bầu",
    )
    result = services.round_count(actor=board, round_=round_, issued=19, received=19)

    assert (result["valid"], result["invalid"]) == (18, 1)
    assert result["invalid_by_reason"]["extra_mark"] == 1
    decided = JournalEntry.objects.filter(round=round_, action="decide")
    assert [e.data["number"] for e in decided] == [3, 5]
    assert services.journal_verify(round_)
    package = zipfile.ZipFile(io.BytesIO(services.round_evidence(actor=board, round_=round_)))
    decisions = json.loads(package.read("decisions.json"))
    assert [(d["number"], d["verdict"], d["reason"]) for d in decisions] == [
        (3, "valid", "Vết mực vô ý, không phải ký hiệu"),
        (5, "invalid", "Có chữ ký của người bầu"),
    ]


def test_the_board_is_set_with_one_chair_and_no_candidate(
    board: Any, teller: Any, election: Any
) -> None:
    with pytest.raises(InvalidInput, match="Lê Văn Cường"):
        services.board_set(
            actor=board,
            election=election,
            members=[{"name": "Hoàng Văn Tư", "role": "chair"}, {"name": "Lê Văn Cường"}],
        )
    with pytest.raises(InvalidInput, match="exactly one chair"):
        services.board_set(actor=board, election=election, members=[{"name": "Hoàng Văn Tư"}])
    with pytest.raises(InvalidInput, match="no account"):
        services.board_set(
            actor=board,
            election=election,
            members=[{"name": "Hoàng Văn Tư", "role": "chair", "username": "khong.co"}],
        )
    services.board_set(
        actor=board,
        election=election,
        members=[
            {"name": "Vũ Thị Năm", "username": teller.username},
            {"name": "Hoàng Văn Tư", "role": "chair", "username": board.username},
        ],
    )
    election.refresh_from_db()
    assert [m["name"] for m in election.board] == ["Hoàng Văn Tư", "Vũ Thị Năm"]
    assert election.board[0]["role"] == "chair"
    assert AuditEvent.objects.filter(verb="elections.board_set").exists()


def test_the_list_stops_at_what_one_ballot_holds(board: Any, election: Any) -> None:
    """The ballot layout holds 78 names on one sheet (two A4 columns): the 79th name is
    refused when it is added, not when the ballots are printed."""
    from lienthong.elections.layout import MAX_NAMES
    from lienthong.elections.models import Candidate

    Candidate.objects.bulk_create(
        Candidate(election=election, full_name=f"Người Thứ {i}")
        for i in range(MAX_NAMES - election.candidates.count())
    )
    with pytest.raises(InvalidInput, match=f"at most {MAX_NAMES} names"):
        services.candidate_add(actor=board, election=election, full_name="Người Cuối")
