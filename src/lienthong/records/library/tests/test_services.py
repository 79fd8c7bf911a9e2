"""The library's writes (issue #9 scope 5): entering a publication with its PDF,
relations and the effective status, withdrawal; each audited, nothing written on a
refusal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from lienthong.audit.models import AuditEvent
from lienthong.core.choices import Clearance
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.documents.models import StoredFile
from lienthong.records.library.choices import PublicationStatus, RelationKind, Visibility
from lienthong.records.library.models import Publication, PublicationRelation
from lienthong.records.library.services import (
    publication_create,
    publication_relate,
    publication_update,
    publication_withdraw,
)
from lienthong.records.library.tests.conftest import make, party_type, sample

pytestmark = pytest.mark.django_db


def test_create_stores_the_pdf_reads_its_text_and_is_audited(world: Any, people: Any) -> None:
    """GIVEN the clerk of commune A1 and a PDF whose text layer reads a sentence
    WHEN the clerk enters Nghị quyết 57-NQ/TW with it
    THEN the entry holds the file and the text, shows "Số 57-NQ/TW", and one audit
    event names it."""
    publication = make(
        world.commune_a1,
        actor=people["clerk"],
        tags=["chuyển đổi số", "Khoa học, công nghệ", "chuyen doi so"],
        pdf=sample("Dot pha phat trien khoa hoc cong nghe"),
        pdf_name="57-nq-tw.pdf",
    )

    assert publication.file is not None
    assert publication.file.content_type == "application/pdf"
    assert "Dot pha phat trien khoa hoc cong nghe" in publication.text_content
    assert publication.number_line == "Số 57-NQ/TW"
    assert publication.created_by == people["clerk"]
    assert publication.tags_text == "chuyển đổi số, Khoa học, công nghệ"
    events = AuditEvent.objects.filter(verb="publication.create", target_id=str(publication.pk))
    assert events.count() == 1


def test_create_refuses_a_file_that_is_not_a_pdf_and_writes_nothing(
    world: Any, people: Any
) -> None:
    """GIVEN a Word-like file named .pdf
    WHEN the clerk enters a publication with it
    THEN it is refused with a message naming the file, and no publication, stored file
    or audit event is written."""
    files = StoredFile.objects.count()
    events = AuditEvent.objects.count()

    with pytest.raises(InvalidInput) as refused:
        make(
            world.commune_a1,
            actor=people["clerk"],
            pdf=b"PK\x03\x04 not a pdf",
            pdf_name="nq57.pdf",
        )

    assert str(refused.value) == "The file nq57.pdf is not a PDF."
    assert Publication.objects.count() == 0
    assert StoredFile.objects.count() == files
    assert AuditEvent.objects.count() == events


def test_create_checks_the_party_number_form(world: Any, people: Any) -> None:
    """GIVEN a Chỉ thị numbered with the notation of a Nghị quyết, and a notation without
    the issuing body
    WHEN the clerk enters them THEN each is refused beside the notation (vn-rules §2.3)."""
    with pytest.raises(InvalidInput) as wrong_type:
        make(world.commune_a1, actor=people["clerk"], document_type=party_type("Chỉ thị"), number=5)
    assert "CT" in wrong_type.value.extra["fields"]["notation"]
    with pytest.raises(InvalidInput) as no_body:
        make(world.commune_a1, actor=people["clerk"], notation="NQ")
    assert "notation" in no_body.value.extra["fields"]
    assert Publication.objects.count() == 0


def test_the_same_number_of_the_same_body_and_day_is_refused(world: Any, people: Any) -> None:
    """GIVEN 57-NQ/TW of the Bộ Chính trị of 22/12/2024 in the library
    WHEN it is entered again (the body written without diacritics) THEN it is refused."""
    make(world.commune_a1, actor=people["clerk"])
    with pytest.raises(InvalidInput) as refused:
        make(world.commune_a1, actor=people["clerk"], issuer_name="Bo Chinh tri")
    assert "already holds" in str(refused.value)
    assert Publication.objects.count() == 1


def test_only_the_keepers_of_a_unit_may_enter_there(world: Any, people: Any) -> None:
    """GIVEN the clerk of commune A1 and a specialist WHEN they enter a publication in
    commune A2 / their own commune THEN both are refused as not found."""
    with pytest.raises(NotFound):
        make(world.commune_a2, actor=people["clerk"])
    with pytest.raises(NotFound):
        make(world.commune_a2, actor=people["specialist"])
    assert Publication.objects.count() == 0


def test_classified_publication_refused_on_an_internet_node(
    settings: Any, world: Any, people: Any
) -> None:
    """GIVEN a node connected to the Internet (vn-rules.md §5.2)
    WHEN the clerk enters a restricted publication marked Mật THEN it is refused before
    anything is written; on a dedicated node it is kept."""
    settings.NETWORK_PROFILE = "internet"
    with pytest.raises(InvalidInput) as refused:
        make(
            world.commune_a1,
            actor=people["clerk"],
            visibility=Visibility.RESTRICTED,
            classification=Clearance.CONFIDENTIAL,
            pdf=sample(),
        )
    assert "connected to the Internet" in str(refused.value)
    assert Publication.objects.count() == 0
    assert StoredFile.objects.count() == 0

    settings.NETWORK_PROFILE = "dedicated"
    kept = make(
        world.commune_a1,
        actor=people["clerk"],
        visibility=Visibility.RESTRICTED,
        classification=Clearance.CONFIDENTIAL,
    )
    assert kept.is_classified


def test_restricted_needs_a_classification_and_classified_needs_restricted(
    settings: Any, world: Any, people: Any
) -> None:
    """GIVEN a dedicated node WHEN a restricted publication has no classification, or an
    internal one has one THEN both are refused beside the field."""
    settings.NETWORK_PROFILE = "dedicated"
    with pytest.raises(InvalidInput) as restricted:
        make(world.commune_a1, actor=people["clerk"], visibility=Visibility.RESTRICTED)
    assert "classification" in restricted.value.extra["fields"]
    with pytest.raises(InvalidInput) as internal:
        make(world.commune_a1, actor=people["clerk"], classification=Clearance.CONFIDENTIAL)
    assert "visibility" in internal.value.extra["fields"]


def _pair(world: Any, people: Any) -> tuple[Publication, Publication]:
    old = make(
        world.commune_a1,
        actor=people["clerk"],
        document_type=party_type("Quy định"),
        number=66,
        notation="QĐ/TW",
        issued_on=dt.date(2017, 2, 6),
        issuer_name="Ban Chấp hành Trung ương",
        title="Về thể loại, thẩm quyền ban hành và thể thức văn bản của Đảng",
        term="XII",
    )
    new = make(
        world.commune_a1,
        actor=people["clerk"],
        document_type=party_type("Quy định"),
        number=399,
        notation="QĐ/TW",
        issued_on=dt.date(2026, 1, 9),
        issuer_name="Ban Chấp hành Trung ương",
        title="Về thể loại, thẩm quyền ban hành và thể thức văn bản của Đảng",
    )
    return old, new


def test_replaces_makes_the_older_one_replaced(world: Any, people: Any) -> None:
    """GIVEN 66-QĐ/TW and 399-QĐ/TW WHEN the clerk records that 399 replaces 66
    THEN 66 shows "replaced" and is replaced by 399; 399 is in force; a list filtered on
    "replaced" holds 66 only; withdrawing 399 puts 66 back in force."""
    old, new = _pair(world, people)

    publication_relate(actor=people["clerk"], source=new, target=old, kind=RelationKind.REPLACES)

    assert old.effective_status() == PublicationStatus.REPLACED
    assert list(old.replaced_by()) == [new]
    assert new.effective_status() == PublicationStatus.IN_FORCE
    replaced = Publication.objects.of_status(PublicationStatus.REPLACED)
    assert list(replaced) == [old]
    assert AuditEvent.objects.filter(verb="publication.relate").count() == 1

    publication_withdraw(actor=people["clerk"], publication=new, reason="Nhập nhầm")
    old.refresh_from_db()
    assert old.effective_status() == PublicationStatus.IN_FORCE


def test_relations_refuse_self_duplicate_and_cycle(world: Any, people: Any) -> None:
    """GIVEN 399 replaces 66, and a third publication X replaced by 66
    WHEN the clerk relates 66 to itself, records 399 replaces 66 again, makes 66 replace
    399, or X replace 399 (66 → X and 399 → 66 close the circle)
    THEN each is refused with its reason and only the first relations remain."""
    old, new = _pair(world, people)
    clerk = people["clerk"]
    third = make(world.commune_a1, actor=clerk, number=18, issued_on=dt.date(2017, 10, 25))
    publication_relate(actor=clerk, source=new, target=old, kind=RelationKind.REPLACES)
    publication_relate(actor=clerk, source=old, target=third, kind=RelationKind.REPLACES)

    with pytest.raises(InvalidInput, match="cannot relate to itself"):
        publication_relate(actor=clerk, source=old, target=old, kind=RelationKind.AMENDS)
    with pytest.raises(InvalidInput, match="already related"):
        publication_relate(actor=clerk, source=new, target=old, kind=RelationKind.REPLACES)
    with pytest.raises(InvalidInput, match="circle"):
        publication_relate(actor=clerk, source=old, target=new, kind=RelationKind.REPLACES)
    with pytest.raises(InvalidInput, match="circle"):
        publication_relate(actor=clerk, source=third, target=new, kind=RelationKind.REPLACES)
    # Another kind between the same two is no replacement cycle.
    publication_relate(actor=clerk, source=old, target=new, kind=RelationKind.GUIDES)
    assert PublicationRelation.objects.count() == 3


def test_relate_needs_the_right_to_change_the_source(world: Any, people: Any) -> None:
    """GIVEN publications kept by commune A1 WHEN the clerk of province B's commune
    relates them THEN it is refused as not found."""
    old, new = _pair(world, people)
    with pytest.raises(NotFound):
        publication_relate(
            actor=people["other_clerk"], source=new, target=old, kind=RelationKind.REPLACES
        )
    assert not PublicationRelation.objects.exists()


def test_update_records_the_changed_fields_and_a_new_pdf(world: Any, people: Any) -> None:
    """GIVEN a publication without a file WHEN the clerk changes its term and title and
    attaches a PDF THEN they are saved and the audit event names the changed fields."""
    publication = make(world.commune_a1, actor=people["clerk"])

    publication_update(
        actor=people["clerk"],
        publication=publication,
        term="xiii",
        title="Về đột phá phát triển khoa học, công nghệ",
        pdf=sample("Khoa hoc cong nghe"),
        pdf_name="57.pdf",
    )

    publication.refresh_from_db()
    assert publication.term == "XIII"
    assert "Khoa hoc cong nghe" in publication.text_content
    event = AuditEvent.objects.filter(verb="publication.update").get()
    assert event.data["fields"] == ["title", "file"]


def test_withdraw_needs_a_reason(world: Any, people: Any) -> None:
    """GIVEN a publication WHEN it is withdrawn without a reason THEN refused; with one
    THEN it is withdrawn and audited."""
    publication = make(world.commune_a1, actor=people["clerk"])
    with pytest.raises(InvalidInput):
        publication_withdraw(actor=people["clerk"], publication=publication, reason="  ")
    publication_withdraw(actor=people["clerk"], publication=publication, reason="Trùng")
    assert publication.effective_status() == PublicationStatus.WITHDRAWN
    assert AuditEvent.objects.filter(verb="publication.withdraw").count() == 1


def test_create_without_actor_permission_checks_nothing_for_system(world: Any) -> None:
    """GIVEN a system actor (demo, import) WHEN it enters a publication THEN it is kept."""
    publication = publication_create(
        actor=__import__("lienthong.audit.actors", fromlist=["SystemActor"]).SystemActor("t"),
        unit=world.commune_a1,
        document_type=party_type("Chỉ thị"),
        number=5,
        notation="CT/TW",
        issued_on=dt.date(2016, 5, 15),
        issuer_name="Bộ Chính trị",
        title="Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    )
    assert publication.number_display == "05-CT/TW"
