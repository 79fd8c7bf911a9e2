"""Acceptance (issue #6): two teams enter the same 30 ballots with the keyboard, one
discrepancy; the reconciliation shows it; after the correction the count gives the
result, and the counting minutes PDF appears."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from lienthong.elections import services
from lienthong.elections.choices import Body, ElectionKind
from lienthong.elections.models import Round
from lienthong.org.choices import RoleCode
from lienthong.org.tests.factories import TEST_PASSWORD, UnitFactory, UserFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.integration]

#: Ballot order of the round (given name first): An, Bình, Cường, Dung, Đức.
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Đỗ Văn Đức"]


def _ballots() -> list[list[int]]:
    """The 30 paper ballots: the names' numbers (1-5) struck on each, 3 seats of 5."""
    return [[4, 5]] * 14 + [[3, 4]] * 8 + [[1, 5]] * 5 + [[2, 3]] * 3


def _log_in(browser: Any, url: str, user: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{url}/")
    return page


def _type_ballot(page: Any, number: int, struck: list[int]) -> None:
    """One ballot on the entry page, keyboard only: the numbers to strike, then Enter."""
    page.locator(f"#number[value='{number}']").wait_for()
    for index in struck:
        page.keyboard.press(str(index))
    for index in struck:
        assert "struck" in (page.locator(f"#row-{index}").get_attribute("class") or "")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*\?so={number + 1}$"))


@pytest.mark.django_db(transaction=True)
def test_two_teams_enter_30_ballots_reconcile_and_count(
    live_server: Any, browser: Any, screenshot: Any, settings: Any, tmp_path: Path
) -> None:
    """GIVEN a commune congress electing 3 of 5, 32 convened, 1 deducted (base 31)
    WHEN team 1 and team 2 each type the 30 ballots with number keys and Enter, team 2
    misreading ballot 17
    THEN the round page shows ballot 17 side by side; after team 2 corrects it, both
    entries agree, the count elects Bình, An and Cường (2 x 19 > 31), and the minutes PDF
    opens with the figures."""
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "media"
    commune = UnitFactory(name="Đảng ủy xã Tân Lập", short_name="ĐU")
    first = member(UserFactory(full_name="Hoàng Văn Tư"), commune, RoleCode.COUNTING_BOARD)
    second = member(UserFactory(full_name="Vũ Thị Năm"), commune, RoleCode.COUNTING_BOARD)
    congress = services.congress_create(
        actor=first,
        unit=commune,
        name="Đại hội Đảng bộ xã Tân Lập lần thứ XXI",
        body=Body.MEMBERS,
        held_on=dt.date(2025, 6, 20),
        place="Hội trường xã Tân Lập",
    )
    election = services.election_create(
        actor=first,
        congress=congress,
        kind=ElectionKind.COMMITTEE,
        seats=3,
        convened=32,
        present=30,
        deductions=[{"reason": "ốm, không dự cả đại hội", "count": 1}],
    )
    for name in NAMES:
        services.candidate_add(actor=first, election=election, full_name=name)
    services.board_set(
        actor=first,
        election=election,
        members=[
            {"name": "Hoàng Văn Tư", "role": "chair", "username": first.username},
            {"name": "Vũ Thị Năm", "username": second.username},
        ],
    )
    round_ = services.round_open(actor=first, election=election)
    assert round_.names == NAMES
    url = live_server.url
    ballots = _ballots()

    team1 = _log_in(browser, url, first)
    team1.goto(f"{url}/bau-cu/lan-bau/{round_.pk}/nhap/1/")
    for number, struck in enumerate(ballots, start=1):
        _type_ballot(team1, number, struck)
    screenshot(team1, "elections-entry.png", doc=True)

    team2 = _log_in(browser, url, second)
    team2.goto(f"{url}/bau-cu/lan-bau/{round_.pk}/nhap/2/")
    for number, struck in enumerate(ballots, start=1):
        _type_ballot(team2, number, [1, 4] if number == 17 else struck)

    team1.goto(f"{url}/bau-cu/lan-bau/{round_.pk}/")
    difference = team1.locator("#difference-17")
    difference.wait_for()
    assert "Nguyễn Văn An" in difference.inner_text()
    assert team1.locator("#count-now").is_disabled()
    assert team1.locator("tr[id^=difference-]").count() == 1
    screenshot(team1, "elections-reconciliation.png", doc=True)

    team2.goto(f"{url}/bau-cu/lan-bau/{round_.pk}/")
    team2.locator("#correct-2-17").click()
    team2.locator("#number[value='17']").wait_for()
    team2.keyboard.press("1")  # An was not struck on the paper ballot: back in
    team2.keyboard.press("3")  # Cường was: struck, with Dung
    team2.keyboard.press("Enter")
    team2.wait_for_url(re.compile(r".*\?so=18$"))

    team1.goto(f"{url}/bau-cu/lan-bau/{round_.pk}/")
    team1.locator("#reconciled").wait_for()
    team1.locator("#id_issued").fill("30")
    team1.locator("#id_received").fill("30")
    team1.locator("#count-now").click()
    team1.locator("#result[data-status=complete]").wait_for()
    rows = team1.locator("#result-table tbody tr").all_inner_texts()
    # Votes: An 25, Bình 27, Cường 19, Dung 8, Đức 11; 2 x 19 > 31 elects Cường too.
    assert [r.split("\t")[0] for r in rows] == [
        "Trần Thị Bình",
        "Nguyễn Văn An",
        "Lê Văn Cường",
        "Đỗ Văn Đức",
        "Phạm Thị Dung",
    ]
    assert team1.locator("#result-table tr.elected").count() == 3
    assert team1.locator("#fig-base").inner_text() == "31"
    screenshot(team1, "elections-result.png", doc=True)

    response = team1.request.get(f"{url}/bau-cu/lan-bau/{round_.pk}/bien-ban.pdf")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF")
    assert team1.locator("#minutes-link").is_visible()
    round_ = Round.objects.get(pk=round_.pk)
    assert round_.minutes is not None and round_.result["elected"] == [
        "Trần Thị Bình",
        "Nguyễn Văn An",
        "Lê Văn Cường",
    ]
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        assert "Trần Thị Bình" in text and "Hoàng Văn Tư" in text
    team1.context.close()
    team2.context.close()
