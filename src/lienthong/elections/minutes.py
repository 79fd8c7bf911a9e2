"""The counting minutes (biên bản kiểm phiếu) of one round, as a PDF (issue #6).

The counting board draws up the minutes, reports them to the presidium, announces the
result and signs them (190 Art. 8; vote-rules.md §A4). The official template (appendix
of Hướng dẫn 04-HD/TW) was not retrieved; the contents follow §A4 "Minutes contents",
items 1-8:

1. the congress, date and place, the election and the round (lần bầu);
2. the counting board: chair and members;
3. the method (secret ballot), the seats and the number on the list;
4. convened, each deduction by category, the base B, present;
5. ballots issued, received, valid, invalid with a count per reason;
6. each candidate, highest votes first (equal votes in ballot order), with votes, % of B
   (which decides) and % of valid ballots (for information): the strings of the result;
7. those elected (and the alternates in replacement order in a delegates election), the
   tie to vote again or the seats left, the board's decisions on doubtful ballots and
   the complaints;
8. when the minutes were read to the congress, and a signature block for every board
   member. The digital (PAdES) signatures are added afterwards by the trust app, so the
   blocks leave room for them and the PDF has no form fields.

``minutes_pdf`` is pure: it counts ``round_input`` again and refuses a ``result`` that
differs, and shows the integrity checks of §A4 (all of which a counted round passes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from lienthong.elections import tally

__all__ = ["DEDUCTION_LABELS", "INVALID_LABELS", "minutes_html", "minutes_pdf"]

#: Why a ballot is invalid (``tally`` reason codes, §A2), as the minutes say it.
INVALID_LABELS: dict[str, str] = {
    "too_many_kept": "Phiếu bầu quá số lượng người cần bầu",
    "all_crossed_out": "Phiếu gạch xóa hết tên trong danh sách bầu cử",
    "not_official": (
        "Phiếu không do Ban Kiểm phiếu phát ra hoặc không có dấu của cấp ủy triệu tập"
    ),
    "written_in": "Phiếu ghi thêm tên người ngoài danh sách bầu cử",
    "extra_mark": "Phiếu có ký hiệu riêng hoặc ghi thêm nội dung khác",
    tally.BOTH_OR_NEITHER_BOX: ("Phiếu bầu một người đánh dấu cả hai ô hoặc không đánh dấu ô nào"),
}

#: The deductions from the base by category (190 Art. 30.2-30.3; §A3.1), for the codes
#: in use; any other reason is printed as it was entered.
DEDUCTION_LABELS: dict[str, str] = {
    "transferred": "Đảng viên được giới thiệu sinh hoạt tạm thời ở đảng bộ khác",
    "exempted-absent": "Đảng viên được miễn công tác và sinh hoạt đảng không có mặt",
    "suspended": "Đảng viên đang bị đình chỉ sinh hoạt đảng",
    "prosecuted": "Đảng viên bị khởi tố, truy tố, tạm giam",
    "absent-whole-congress": (
        "Vắng mặt suốt thời gian đại hội có lý do được cấp ủy triệu tập đồng ý"
    ),
    "absent-whole-congress-no-alternate": (
        "Đại biểu chính thức vắng mặt suốt thời gian đại hội không có đại biểu dự khuyết thay thế"
    ),
    "committee-absent": "Cấp ủy viên triệu tập đại hội vắng mặt suốt thời gian đại hội",
    "absent-whole-meeting": "Ủy viên vắng mặt suốt thời gian hội nghị",
}

#: Who is convened and present, by who votes (§A3.1).
_PEOPLE = {"delegates": "đại biểu", "members": "đảng viên", "committee": "ủy viên"}
_ROLES = {"chair": "Trưởng ban", "member": "Ủy viên"}
_VERDICTS = {"valid": "Hợp lệ", "invalid": "Không hợp lệ"}


@dataclass(frozen=True)
class _Check:
    """One integrity check of §A4, with its figures."""

    label: str
    figures: str
    passed: bool


def _vn_date(day: date) -> str:
    """A date as Vietnamese documents write it: ``ngày 05 tháng 02 năm 2025``.

    Days below 10 and the months 1-2 take a leading zero (the state's rules for
    administrative documents, Nghị định 30/2020/NĐ-CP).
    """
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _checks(round_input: Mapping[str, Any], result: Mapping[str, Any]) -> list[_Check]:
    issued, present = round_input["issued"], round_input["present"]
    received, convened = round_input["received"], round_input["convened"]
    valid, invalid = result["valid"], result["invalid"]
    seats = round_input["seats"]
    deducted = sum(d["count"] for d in round_input.get("deductions", []))
    votes = [c["votes"] for c in result["candidates"]]
    by_reason = sum(result["invalid_by_reason"].values())
    return [
        _Check(
            "Số có mặt không lớn hơn số được triệu tập",
            f"{present} ≤ {convened}",
            present <= convened,
        ),
        _Check(
            "B = số được triệu tập trừ các trường hợp được trừ, lớn hơn 0",
            f"{convened} - {deducted} = {result['base']} > 0",
            convened - deducted == result["base"] > 0,
        ),
        _Check(
            "Số phiếu phát ra không lớn hơn số có mặt",
            f"{issued} ≤ {present}",
            issued <= present,
        ),
        _Check(
            "Số phiếu thu vào không lớn hơn số phiếu phát ra",
            f"{received} ≤ {issued}",
            received <= issued,
        ),
        _Check(
            "Phiếu hợp lệ cộng phiếu không hợp lệ bằng số phiếu thu vào",
            f"{valid} + {invalid} = {received}",
            valid + invalid == received == result["received"],
        ),
        _Check(
            "Phiếu không hợp lệ theo từng lý do cộng lại bằng số phiếu không hợp lệ",
            f"{by_reason} = {invalid}",
            by_reason == invalid,
        ),
        _Check(
            "Số phiếu bầu của mỗi người không lớn hơn số phiếu hợp lệ",
            f"{max(votes, default=0)} ≤ {valid}",
            all(v <= valid for v in votes),
        ),
        _Check(
            "Tổng số phiếu bầu không lớn hơn số người cần bầu nhân số phiếu hợp lệ",
            f"{sum(votes)} ≤ {seats} x {valid} = {seats * valid}",
            sum(votes) <= seats * valid,
        ),
    ]


def _outcomes(result: Mapping[str, Any], *, delegates: bool) -> dict[str, str]:
    """What the round decided for each candidate, in words."""
    elected = set(result["elected"])
    tied = set(result["tie"]["candidates"]) if result.get("tie") else set()
    alternates = {name: i for i, name in enumerate(result.get("alternates") or [], start=1)}
    outcomes = {}
    for c in result["candidates"]:
        name = c["name"]
        if name in elected:
            outcomes[name] = "Trúng cử đại biểu chính thức" if delegates else "Trúng cử"
        elif name in alternates:
            outcomes[name] = f"Đại biểu dự khuyết (thứ {alternates[name]})"
        elif name in tied:
            outcomes[name] = "Ngang phiếu, bầu lại"
        else:
            outcomes[name] = "Không trúng cử"
    return outcomes


def minutes_html(
    *,
    congress: str,
    unit_name: str,
    held_on: date,
    place: str,
    election_title: str,
    round_number: int,
    rules_title: str,
    board: Sequence[Mapping[str, str]],
    round_input: Mapping[str, Any],
    result: Mapping[str, Any],
    decisions: Sequence[Mapping[str, Any]],
    read_at: datetime | None,
    complaints: Sequence[Mapping[str, str]] = (),
) -> str:
    """The minutes as the HTML ``minutes_pdf`` prints; the arguments are its own.

    Raises:
        ValueError: ``result`` is not what counting ``round_input`` gives, an integrity
            check fails, the board has not exactly one chair, or a decision or a board
            role is not one of the known words.
    """
    try:
        recount = tally.result_to_json(tally.count(tally.round_from_json(round_input)))
    except tally.TallyInputError as exc:
        raise ValueError(f"the round cannot be counted: {exc}") from exc
    if recount != dict(result):
        raise ValueError("the result is not what counting the round gives")
    checks = _checks(round_input, result)
    failed = [check.label for check in checks if not check.passed]
    if failed:
        raise ValueError(f"an integrity check fails: {failed[0]}")
    if [m.get("role") for m in board].count("chair") != 1:
        raise ValueError("the counting board needs exactly one chair")
    if any(m.get("role") not in _ROLES or not m.get("name") for m in board):
        raise ValueError("each board member needs a name and the role chair or member")
    if any(d.get("verdict") not in _VERDICTS for d in decisions):
        raise ValueError("a decision's verdict must be valid or invalid")

    rules = tally.RULE_SETS[round_input.get("rules", "party-190-2024")]
    options = round_input.get("options", {})
    body = round_input.get("body", "delegates")
    election = round_input.get("election", "committee")
    delegates = election == "delegates"
    people = _PEOPLE[body]
    seats, names = round_input["seats"], round_input["candidates"]
    single = seats == 1 and len(names) == 1
    alternates_reading = options.get("alternates_reading", "r1")
    single_reading = options.get("single_candidate_both_or_none", "invalid")
    votes_at_tie = None
    if result.get("tie"):
        tied = set(result["tie"]["candidates"])
        votes_at_tie = next(c["votes"] for c in result["candidates"] if c["name"] in tied)
    outcomes = _outcomes(result, delegates=delegates)
    chair = [m for m in board if m["role"] == "chair"]
    members = [m for m in board if m["role"] == "member"]
    if read_at is not None and timezone.is_aware(read_at):
        read_at = timezone.localtime(read_at)
    context = {
        "congress": congress,
        "unit_name": unit_name,
        "place": place,
        "held_on": _vn_date(held_on),
        "election_title": election_title,
        "round_number": round_number,
        "rules_title": rules_title,
        "rules_code": rules.code,
        "result_article": rules.result_article,
        "ballots_article": rules.ballots_article,
        "board": [{"name": m["name"], "role": _ROLES[m["role"]]} for m in chair + members],
        "people": people,
        "seats": seats,
        "listed": len(names),
        "surplus": len(names) - seats,
        "boxes": len(names) == seats,
        "convened": round_input["convened"],
        "deductions": [
            {"label": DEDUCTION_LABELS.get(d["reason"], d["reason"]), "count": d["count"]}
            for d in round_input.get("deductions", [])
        ],
        "base": result["base"],
        "present": round_input["present"],
        "issued": round_input["issued"],
        "received": result["received"],
        "valid": result["valid"],
        "invalid": result["invalid"],
        "invalid_reasons": [
            {"label": INVALID_LABELS.get(reason, reason), "count": number}
            for reason, number in result["invalid_by_reason"].items()
        ],
        "candidates": [
            {**c, "number": i, "outcome": outcomes[c["name"]]}
            for i, c in enumerate(result["candidates"], start=1)
        ],
        "elected": result["elected"],
        "delegates": delegates,
        "alternates": result.get("alternates") or [],
        "alternates_reading": alternates_reading if delegates else None,
        "single_reading": single_reading if single else None,
        "status": result["status"],
        "tie": result.get("tie"),
        "votes_at_tie": votes_at_tie,
        "shortfall": result["shortfall"],
        "decisions": [
            {
                "number": d["number"],
                "verdict": _VERDICTS[d["verdict"]],
                "reason": d.get("reason", ""),
            }
            for d in decisions
        ],
        "complaints": list(complaints),
        "checks": checks,
        "read_at": read_at,
        "read_on": _vn_date(read_at.date()) if read_at is not None else None,
    }
    from lienthong.documents.registers import font_faces

    return render_to_string("elections/minutes.html", {"font_faces": font_faces(), **context})


def minutes_pdf(
    *,
    congress: str,
    unit_name: str,
    held_on: date,
    place: str,
    election_title: str,
    round_number: int,
    rules_title: str,
    board: Sequence[Mapping[str, str]],
    round_input: Mapping[str, Any],
    result: Mapping[str, Any],
    decisions: Sequence[Mapping[str, Any]],
    read_at: datetime | None,
    complaints: Sequence[Mapping[str, str]] = (),
) -> bytes:
    """The counting minutes of one round as an A4 PDF, in Vietnamese.

    Args:
        congress: the congress, with its term ("Đại hội đại biểu Đảng bộ xã … lần thứ
            I, nhiệm kỳ 2025-2030").
        unit_name: the Party organisation holding it, for the header ("Đảng bộ xã …").
        held_on: the day of the count.
        place: where, as the header's place name ("Tân Phong").
        election_title: what is elected ("Bầu Ban Chấp hành Đảng bộ xã khóa I").
        round_number: lần bầu.
        rules_title: the rule set's title (``tally.RULE_SETS[code].title``).
        board: the counting board, ``{"name": ..., "role": "chair" | "member"}``, one
            chair; each gets a signature block.
        round_input: the round in ``lienthong tally``'s input form, options included.
        result: ``tally.result_to_json`` of counting ``round_input``.
        decisions: the board's decisions on doubtful ballots (190 Art. 8),
            ``{"number": int, "verdict": "valid" | "invalid", "reason": str}``.
        read_at: when the minutes were read to the congress; None leaves the time blank
            to fill in by hand.
        complaints: complaints about the vote and how they were resolved,
            ``{"summary": str, "resolution": str}``.

    Returns:
        The PDF's bytes, without signatures or form fields.

    Raises:
        ValueError: see ``minutes_html``.
    """
    import weasyprint  # type: ignore[import-untyped]

    html = minutes_html(
        congress=congress,
        unit_name=unit_name,
        held_on=held_on,
        place=place,
        election_title=election_title,
        round_number=round_number,
        rules_title=rules_title,
        board=board,
        round_input=round_input,
        result=result,
        decisions=decisions,
        read_at=read_at,
        complaints=complaints,
    )
    data: bytes = weasyprint.HTML(string=html).write_pdf()
    return data
