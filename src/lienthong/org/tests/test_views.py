"""Pages of the organisation: scope (404 outside it), the tree, search, htmx fragments."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from lienthong.org.tests.factories import TEST_PASSWORD

HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_the_login_page(world):
    """GIVEN no session WHEN the unit tree is asked for THEN the answer redirects to log-in."""
    response = Client().get(reverse("unit-tree"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_htmx_request_after_the_session_ended_redirects_the_whole_page(world):
    """GIVEN no session WHEN htmx asks for search results THEN the answer tells htmx to
    load the log-in page as a whole page, coming back to the page afterwards."""
    response = Client().get(
        reverse("unit-search"),
        {"q": "ha noi"},
        HTTP_HX_CURRENT_URL="http://testserver/don-vi/",
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next=%2Fdon-vi%2F"


def test_home_greets_the_person_and_lists_their_memberships(world):
    """GIVEN a commune clerk WHEN they open the home page THEN their name and unit show."""
    response = _client(world.clerk_a1).get(reverse("home"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Văn thư Hoàn Kiếm" in text
    assert "Đảng ủy phường Hoàn Kiếm" in text
    assert "Đảng ủy phường Cửa Nam" not in text


def test_tree_lists_only_the_units_in_scope_of_a_commune_clerk(world):
    """GIVEN a clerk of commune a1 WHEN they open the tree THEN only a1 is listed."""
    response = _client(world.clerk_a1).get(reverse("unit-tree"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Đảng ủy phường Hoàn Kiếm" in text
    for other in ("Tỉnh ủy Hà Nội", "Đảng ủy phường Cửa Nam", "Đảng ủy xã Nghi Lộc"):
        assert other not in text
    assert list(response.context["roots"]) == [world.commune_a1]


def test_provincial_leader_sees_both_communes_of_the_province(world):
    """GIVEN the leader of province a WHEN the province's children load (htmx)
    THEN communes a1 and a2 are listed and commune b1 is not."""
    client = _client(world.leader_a)
    tree = client.get(reverse("unit-tree"))
    assert list(tree.context["roots"]) == [world.province_a]
    response = client.get(reverse("unit-children", args=[world.province_a.pk]), **HTMX)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Đảng ủy phường Hoàn Kiếm" in text
    assert "Đảng ủy phường Cửa Nam" in text
    assert "Đảng ủy xã Nghi Lộc" not in text
    assert "<html" not in text  # a fragment, not a page


def test_children_without_htmx_go_to_the_unit_page(world):
    """GIVEN a browser without JavaScript WHEN it follows a children URL
    THEN it is sent to the unit's own page, which lists the children too."""
    response = _client(world.leader_a).get(reverse("unit-children", args=[world.province_a.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("unit-detail", args=[world.province_a.pk])


def test_children_of_a_unit_out_of_scope_answer_404(world):
    """GIVEN a clerk of commune a1 WHEN they ask for the province's children THEN 404."""
    response = _client(world.clerk_a1).get(
        reverse("unit-children", args=[world.province_a.pk]), **HTMX
    )
    assert response.status_code == 404


def test_unit_detail_of_another_commune_answers_404(world):
    """GIVEN a clerk of commune a1 WHEN they open commune a2's page THEN 404, as if missing."""
    client = _client(world.clerk_a1)
    assert client.get(reverse("unit-detail", args=[world.commune_a2.pk])).status_code == 404
    assert client.get(reverse("unit-detail", args=[999_999])).status_code == 404


def test_unit_detail_shows_facts_members_and_only_visible_ancestors(world):
    """GIVEN a clerk of commune a1 WHEN they open their commune THEN its facts and members
    show, and the province above (out of their scope) is not in the breadcrumb."""
    response = _client(world.clerk_a1).get(reverse("unit-detail", args=[world.commune_a1.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Đảng ủy phường Hoàn Kiếm" in text
    assert "Văn thư Hoàn Kiếm" in text
    assert "Tỉnh ủy Hà Nội" not in text
    assert list(response.context["ancestors"]) == []


def test_unit_detail_breadcrumb_of_a_leader_shows_the_province(world):
    """GIVEN the provincial leader WHEN they open commune a1 THEN the province is in the
    breadcrumb (it is in their scope)."""
    response = _client(world.leader_a).get(reverse("unit-detail", args=[world.commune_a1.pk]))
    assert list(response.context["ancestors"]) == [world.province_a]


def test_person_page_of_another_commune_answers_404(world):
    """GIVEN a clerk of commune a1 WHEN they open the clerk of commune b1 THEN 404."""
    response = _client(world.clerk_a1).get(reverse("person-detail", args=[world.clerk_b1.pk]))
    assert response.status_code == 404


def test_person_page_shows_a_visible_person_and_their_unit(world):
    """GIVEN the provincial leader WHEN they open the clerk of a1 THEN name and unit show."""
    response = _client(world.leader_a).get(reverse("person-detail", args=[world.clerk_a1.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Văn thư Hoàn Kiếm" in text
    assert "Đảng ủy phường Hoàn Kiếm" in text


def test_a_person_without_roles_sees_their_own_page(world):
    """GIVEN a person with no membership WHEN they open their own page THEN it shows."""
    response = _client(world.outsider).get(reverse("person-detail", args=[world.outsider.pk]))
    assert response.status_code == 200


def test_htmx_search_without_diacritics_finds_the_province(world):
    """GIVEN the central administrator WHEN they type "tinh uy ha noi" (htmx)
    THEN the fragment lists "Tỉnh ủy Hà Nội" and not "Tỉnh ủy Nghệ An"."""
    response = _client(world.admin_central).get(
        reverse("unit-search"), {"q": "tinh uy ha noi"}, **HTMX
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Tỉnh ủy Hà Nội" in text
    assert "Tỉnh ủy Nghệ An" not in text
    assert "<html" not in text


def test_search_without_javascript_renders_the_whole_page(world):
    """GIVEN a plain GET form submit WHEN searching THEN the full tree page shows results."""
    response = _client(world.admin_central).get(reverse("unit-search"), {"q": "nghe an"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "<html" in text
    assert [u.name for u in response.context["results"]] == ["Tỉnh ủy Nghệ An"]


def test_search_keeps_to_the_scope(world):
    """GIVEN a clerk of commune a1 WHEN they search "dang uy" THEN only their commune."""
    response = _client(world.clerk_a1).get(reverse("unit-search"), {"q": "dang uy"}, **HTMX)
    assert [u.name for u in response.context["results"]] == ["Đảng ủy phường Hoàn Kiếm"]


def test_search_refuses_an_overlong_query_with_a_message(world):
    """GIVEN a 500-character query WHEN searching THEN no results and a clear message."""
    response = _client(world.admin_central).get(reverse("unit-search"), {"q": "x" * 500})
    assert response.status_code == 200
    assert response.context["results"] == []
    assert response.context["form"].errors["q"]


@pytest.mark.parametrize("name", ["home", "unit-tree"])
def test_pages_carry_a_strict_csp_and_no_inline_script(world, name):
    """GIVEN a signed-in person WHEN a page renders THEN the CSP header forbids inline
    script and the page has no <script> without src and no style attribute."""
    response = _client(world.leader_a).get(reverse(name))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    text = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", text)
    assert scripts, "htmx is loaded"
    assert all("src=" in tag for tag in scripts)
    assert " style=" not in text
    assert 'aria-current="page"' in text
    assert '<main id="main"' in text


def test_unit_and_person_pages_have_no_inline_script(world):
    """GIVEN the leader WHEN unit and person pages render THEN no inline script or style."""
    client = _client(world.leader_a)
    for url in (
        reverse("unit-detail", args=[world.province_a.pk]),
        reverse("person-detail", args=[world.clerk_a1.pk]),
    ):
        text = client.get(url).content.decode()
        assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", text))
        assert " style=" not in text


def test_the_tree_page_is_in_vietnamese_by_default(world):
    """GIVEN no language chosen WHEN the tree page renders THEN it is Vietnamese."""
    text = _client(world.leader_a).get(reverse("unit-tree")).content.decode()
    assert '<html lang="vi"' in text
    assert "Đơn vị" in text
    assert "Cây đơn vị" in text


def test_password_log_in_reaches_the_home_page(world):
    """GIVEN the clerk's password WHEN they log in through the form THEN home greets them."""
    client = Client()
    response = client.post(
        reverse("login"),
        {"username": world.clerk_a1.username, "password": TEST_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Văn thư Hoàn Kiếm" in response.content.decode()
