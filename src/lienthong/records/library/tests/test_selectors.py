"""Who reads what in the library (issue #9 scope 5): public and internal publications of
every unit for every staff member, restricted ones only within clearance (vn-rules.md
§5.1) and never on an Internet node (§5.2), withdrawn ones only for their keepers; the
public subset for the portal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from lienthong.audit.models import AuditEvent
from lienthong.core.choices import Clearance
from lienthong.core.errors import NotFound
from lienthong.records.library.choices import Visibility
from lienthong.records.library.selectors import (
    publication_get,
    publication_list,
    publications_public,
)
from lienthong.records.library.services import publication_withdraw
from lienthong.records.library.tests.conftest import make

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(settings: Any, world: Any) -> dict[str, Any]:
    """GIVEN a dedicated node and, kept by commune A1, a public, an internal, a Mật and a
    Tối mật publication."""
    settings.NETWORK_PROFILE = "dedicated"
    return {
        "public": make(world.commune_a1, number=1, visibility=Visibility.PUBLIC),
        "internal": make(world.commune_a1, number=2, visibility=Visibility.INTERNAL),
        "confidential": make(
            world.commune_a1,
            number=3,
            visibility=Visibility.RESTRICTED,
            classification=Clearance.CONFIDENTIAL,
        ),
        "secret": make(
            world.commune_a1,
            number=4,
            visibility=Visibility.RESTRICTED,
            classification=Clearance.SECRET,
        ),
    }


READS = [
    # who, what they see
    ("specialist", {"public", "internal"}),
    ("specialist_b", {"public", "internal"}),
    ("other_clerk", {"public", "internal"}),
    ("leader", {"public", "internal", "confidential"}),
    ("secret_reader", {"public", "internal", "confidential", "secret"}),
    ("outsider", set()),
]


@pytest.mark.parametrize(("who", "sees"), READS, ids=[who for who, _ in READS])
def test_visibility_and_clearance_matrix(
    shelf: dict[str, Any], people: dict[str, Any], who: str, sees: set[str]
) -> None:
    """GIVEN the four publications of commune A1 WHEN each person lists the library and
    opens each publication THEN they see exactly the public and internal ones of any
    unit, and the restricted ones their clearance reaches; the others are not found."""
    user = people[who]
    listed = set(publication_list(user=user).values_list("pk", flat=True))
    assert listed == {shelf[name].pk for name in sees}
    for name, publication in shelf.items():
        if name in sees:
            assert publication_get(user=user, pk=publication.pk) == publication
        else:
            with pytest.raises(NotFound):
                publication_get(user=user, pk=publication.pk)


def test_restricted_read_is_audited_the_others_are_not(
    shelf: dict[str, Any], people: dict[str, Any]
) -> None:
    """GIVEN the leader (clearance Mật) WHEN they open the internal and the Mật
    publications THEN one audit event records the read of the Mật one only."""
    publication_get(user=people["leader"], pk=shelf["internal"].pk)
    publication_get(user=people["leader"], pk=shelf["confidential"].pk)

    reads = AuditEvent.objects.filter(verb="publication.read")
    assert list(reads.values_list("target_id", flat=True)) == [str(shelf["confidential"].pk)]


def test_an_internet_node_shows_no_classified_publication(
    settings: Any, shelf: dict[str, Any], people: dict[str, Any]
) -> None:
    """GIVEN classified publications kept while the node was dedicated
    WHEN the node is switched to the Internet profile
    THEN even the most cleared reader sees none of them (vn-rules.md §5.2)."""
    settings.NETWORK_PROFILE = "internet"
    listed = set(publication_list(user=people["secret_reader"]).values_list("pk", flat=True))
    assert listed == {shelf["public"].pk, shelf["internal"].pk}


def test_withdrawn_is_hidden_except_from_its_keepers(
    shelf: dict[str, Any], people: dict[str, Any], world: Any
) -> None:
    """GIVEN the internal publication withdrawn WHEN the specialist and the keeping clerk
    list the library THEN only the clerk of commune A1 still sees it."""
    publication_withdraw(actor=people["clerk"], publication=shelf["internal"], reason="Trùng")

    assert not publication_list(user=people["specialist"]).filter(pk=shelf["internal"].pk)
    assert publication_list(user=people["clerk"]).filter(pk=shelf["internal"].pk).exists()


def test_publications_public_returns_only_public_ones_in_the_library(
    shelf: dict[str, Any], people: dict[str, Any], world: Any
) -> None:
    """GIVEN the four publications and a second public one, withdrawn
    WHEN the portal asks for the public publications
    THEN it gets only the public one still in the library, newest first."""
    older = make(
        world.commune_a1,
        number=5,
        visibility=Visibility.PUBLIC,
        issued_on=dt.date(2020, 1, 1),
    )
    gone = make(world.commune_a1, number=6, visibility=Visibility.PUBLIC)
    publication_withdraw(actor=people["clerk"], publication=gone, reason="Nhập nhầm")

    assert list(publications_public()) == [shelf["public"], older]


def test_filters_by_type_term_year_issuer_and_tag(world: Any, people: Any) -> None:
    """GIVEN a Nghị quyết of 2024 (khóa XIII, tag "chuyển đổi số") and a Chỉ thị of 2016
    (khóa XII) WHEN the library is filtered THEN each filter keeps the right one."""
    from lienthong.records.library.selectors import LibraryFilters
    from lienthong.records.library.tests.conftest import party_type

    nq = make(world.commune_a1, tags=["Chuyển đổi số"])
    ct = make(
        world.commune_a1,
        document_type=party_type("Chỉ thị"),
        number=5,
        notation="CT/TW",
        issued_on=dt.date(2016, 5, 15),
        term="XII",
        title="Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    )
    user = people["specialist"]

    def only(**filters: Any) -> list[Any]:
        return list(publication_list(user=user, filters=LibraryFilters(**filters)))

    assert only(document_type_id=ct.document_type_id) == [ct]
    assert only(term="xii") == [ct]
    assert only(year=2024) == [nq]
    assert only(issuer="bo chinh tri") == [nq, ct]
    assert only(tag="chuyen doi so") == [nq]
    assert only(status="in_force") == [nq, ct]
