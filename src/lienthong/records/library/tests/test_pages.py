"""The library pages (issue #9 scope 5): search and filters, a publication with its
relations and PDF, the entry form for the office's clerk; no right is 403, what the
reader may not read is 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lienthong.core.choices import Clearance
from lienthong.records.library.choices import RelationKind, Visibility
from lienthong.records.library.models import Publication, PublicationRelation
from lienthong.records.library.services import publication_relate
from lienthong.records.library.tests.conftest import make, party_type, sample

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_list_searches_without_diacritics_and_hides_restricted(
    settings: Any, world: Any, people: Any
) -> None:
    """GIVEN a dedicated node, an internal "Nghị quyết về chuyển đổi số" and a Mật one
    WHEN the specialist searches "nghi quyet" THEN the page lists the internal one only;
    the leader (Mật) sees both."""
    settings.NETWORK_PROFILE = "dedicated"
    internal = make(world.commune_a1, number=1, title="Nghị quyết về chuyển đổi số")
    secret = make(
        world.commune_a1,
        number=2,
        title="Nghị quyết về quốc phòng",
        visibility=Visibility.RESTRICTED,
        classification=Clearance.CONFIDENTIAL,
    )
    from lienthong.documents.search import collection_rebuild

    collection_rebuild("library")

    page = _client(people["specialist"]).get(reverse("library-list"), {"q": "nghi quyet"})
    assert page.status_code == 200
    body = page.content.decode()
    assert f'id="publication-{internal.pk}"' in body
    assert f'id="publication-{secret.pk}"' not in body
    led = _client(people["leader"]).get(reverse("library-list"), {"q": "nghi quyet"})
    assert f'id="publication-{secret.pk}"' in led.content.decode()


def test_list_is_403_for_someone_without_the_library(world: Any, people: Any) -> None:
    """GIVEN a person with no role WHEN they open the library THEN 403."""
    assert _client(people["outsider"]).get(reverse("library-list")).status_code == 403


def test_detail_shows_replaced_by_and_serves_the_pdf(world: Any, people: Any) -> None:
    """GIVEN 66-QĐ/TW replaced by 399-QĐ/TW, 66 with a PDF
    WHEN the specialist opens 66 THEN it shows "Replaced" and "Replaced by … 399-QĐ/TW",
    and its PDF is served."""
    old = make(
        world.commune_a1,
        document_type=party_type("Quy định"),
        number=66,
        notation="QĐ/TW",
        issued_on=dt.date(2017, 2, 6),
        pdf=sample("The loai tham quyen ban hanh"),
        pdf_name="66.pdf",
    )
    new = make(
        world.commune_a1,
        document_type=party_type("Quy định"),
        number=399,
        notation="QĐ/TW",
        issued_on=dt.date(2026, 1, 9),
    )
    publication_relate(actor=people["clerk"], source=new, target=old, kind=RelationKind.REPLACES)
    client = _client(people["specialist"])

    page = client.get(reverse("library-publication", args=[old.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="publication-status">Replaced<' in body
    assert "Replaced by" in body and "399-QĐ/TW" in body
    assert 'id="relation-form"' not in body  # a specialist does not keep the library
    pdf = client.get(reverse("library-pdf", args=[old.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_restricted_detail_and_pdf_are_404_without_clearance(
    settings: Any, world: Any, people: Any
) -> None:
    """GIVEN a Mật publication with a PDF WHEN the specialist asks for it or its PDF
    THEN 404 both; the leader gets the page."""
    settings.NETWORK_PROFILE = "dedicated"
    secret = make(
        world.commune_a1,
        visibility=Visibility.RESTRICTED,
        classification=Clearance.CONFIDENTIAL,
        pdf=sample(),
    )
    client = _client(people["specialist"])
    assert client.get(reverse("library-publication", args=[secret.pk])).status_code == 404
    assert client.get(reverse("library-pdf", args=[secret.pk])).status_code == 404
    leader = _client(people["leader"])
    assert leader.get(reverse("library-publication", args=[secret.pk])).status_code == 200


def _form(**values: Any) -> dict[str, Any]:
    data = {
        "document_type": party_type("Chỉ thị").pk,
        "number": "5",
        "notation": "CT/TW",
        "issued_on": "2016-05-15",
        "issuer_name": "Bộ Chính trị",
        "term": "XII",
        "title": "Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "tags": "Học tập và làm theo Bác",
        "visibility": Visibility.PUBLIC,
        "classification": "0",
    }
    data.update(values)
    return data


def test_clerk_adds_a_publication_with_its_pdf(world: Any, people: Any) -> None:
    """GIVEN the clerk of commune A1 WHEN they fill the form with a PDF
    THEN the publication is kept by commune A1 with the PDF's text, and the page of it
    follows."""
    client = _client(people["clerk"])
    assert client.get(reverse("library-new")).status_code == 200
    upload = SimpleUploadedFile("05-ct-tw.pdf", sample("Hoc tap va lam theo"), "application/pdf")

    response = client.post(reverse("library-new"), _form(unit=world.commune_a1.pk, pdf=upload))

    publication = Publication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("library-publication", args=[publication.pk])
    assert publication.unit == world.commune_a1
    assert publication.number_display == "05-CT/TW"
    assert "Hoc tap va lam theo" in publication.text_content


def test_the_form_refuses_a_file_that_is_not_a_pdf(world: Any, people: Any) -> None:
    """GIVEN the clerk WHEN they post the form with a text file as the PDF
    THEN the form comes back with the message beside nothing saved."""
    upload = SimpleUploadedFile("nq.pdf", b"hello, not a pdf", "application/pdf")
    response = _client(people["clerk"]).post(
        reverse("library-new"), _form(unit=world.commune_a1.pk, pdf=upload)
    )
    assert response.status_code == 200
    assert "The file nq.pdf is not a PDF." in response.content.decode()
    assert not Publication.objects.exists()


def test_specialist_cannot_add_and_other_clerk_cannot_change(world: Any, people: Any) -> None:
    """GIVEN a specialist and the clerk of another province's commune
    WHEN the specialist opens the form THEN 403; WHEN the other clerk posts for commune A1
    THEN the unit is refused and nothing is saved; WHEN they open the edit page of a
    publication of commune A1 THEN 404."""
    assert _client(people["specialist"]).get(reverse("library-new")).status_code == 403
    other = _client(people["other_clerk"])
    response = other.post(reverse("library-new"), _form(unit=world.commune_a1.pk))
    assert response.status_code == 200
    assert not Publication.objects.exists()
    kept = make(world.commune_a1)
    assert other.get(reverse("library-edit", args=[kept.pk])).status_code == 404


def test_clerk_edits_relates_and_withdraws(world: Any, people: Any) -> None:
    """GIVEN two publications of commune A1 WHEN its clerk changes one's title, records
    that it replaces the other and then withdraws it
    THEN each is saved, a relation to itself is refused, and the list no longer shows
    the withdrawn one to a specialist."""
    old = make(world.commune_a1, number=1)
    new = make(world.commune_a1, number=2)
    client = _client(people["clerk"])

    edit = client.post(
        reverse("library-edit", args=[new.pk]),
        _form(
            document_type=new.document_type_id,
            number="2",
            notation="NQ/TW",
            issued_on="2024-12-22",
            title="Tiêu đề mới",
        ),
    )
    assert edit.status_code == 302
    new.refresh_from_db()
    assert new.title == "Tiêu đề mới"

    client.post(
        reverse("library-relate", args=[new.pk]),
        {"kind": RelationKind.REPLACES, "target": old.pk},
    )
    client.post(
        reverse("library-relate", args=[new.pk]), {"kind": RelationKind.AMENDS, "target": new.pk}
    )
    assert list(PublicationRelation.objects.values_list("source", "target", "kind")) == [
        (new.pk, old.pk, RelationKind.REPLACES)
    ]

    client.post(reverse("library-withdraw", args=[new.pk]), {"reason": "Nhập nhầm"})
    listed = _client(people["specialist"]).get(reverse("library-list")).content.decode()
    assert f'id="publication-{new.pk}"' not in listed
    assert f'id="publication-{old.pk}"' in listed
