"""The portal's public pages: anonymous, cached, cookie-free and self-contained
(issue #10 scope 1)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lienthong.documents.search import collection_rebuild
from lienthong.portal import services
from lienthong.portal.tests.conftest import announcement, issued_document, public_publication
from lienthong.records.library.search import NAME as LIBRARY

pytestmark = pytest.mark.django_db

ATTRIBUTE = re.compile(r"""\b(?:src|href|action|srcset|poster|data)\s*=\s*["']([^"']*)["']""", re.I)


def _external(html: str) -> list[str]:
    """Every URL of an attribute that points at another host."""
    return [
        url
        for url in ATTRIBUTE.findall(html)
        if url.startswith(("http://", "https://", "//"))
        and not url.startswith("http://testserver/")
    ]


def test_home_shows_published_announcements_and_documents(
    anonymous: Any, world: Any, people: Any
) -> None:
    """GIVEN a published and a draft announcement, a document on the portal and a public
    publication of the library WHEN a visitor opens the home THEN the published ones are
    listed and the draft is not."""
    shown = announcement(world.province_a, title="Hội nghị chuyển đổi số toàn thành phố")
    announcement(world.province_a, state="draft", title="Bản nháp chưa duyệt")
    document = issued_document(world.province_a, subject="Về phát triển chính quyền số")
    services.document_publish(actor=people["clerk"], document=document)
    public_publication(world.central, title="Về đột phá chuyển đổi số quốc gia")
    response = anonymous.get(reverse("portal-home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert shown.title in html
    assert "Bản nháp chưa duyệt" not in html
    assert "Về phát triển chính quyền số" in html
    assert "Về đột phá chuyển đổi số quốc gia" in html
    assert '<html lang="vi">' in html


def test_public_pages_set_no_cookie_and_are_cacheable(anonymous: Any, world: Any) -> None:
    """GIVEN a published announcement WHEN a visitor opens the public pages THEN no
    cookie is set and each may be cached publicly for a minute."""
    made = announcement(world.province_a)
    for url in (
        reverse("portal-home"),
        reverse("portal-announcements"),
        reverse("portal-announcement", args=[made.pk]),
        reverse("portal-documents"),
        reverse("portal-search") + "?q=de+an",
    ):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
        assert not response.cookies, url
        cache_control = response.headers["Cache-Control"]
        assert "public" in cache_control and "max-age=60" in cache_control, url


def test_public_pages_load_nothing_from_another_host(
    anonymous: Any, world: Any, people: Any
) -> None:
    """GIVEN content on every public page WHEN their HTML is read THEN no src, href or
    action points at another host, and there is no inline script or style."""
    made = announcement(world.province_a, body="Xem https://example.org/ để biết thêm.")
    document = issued_document(world.province_a)
    published = services.document_publish(actor=people["clerk"], document=document)
    publication = public_publication(world.central)
    for url in (
        reverse("portal-home"),
        reverse("portal-announcement", args=[made.pk]),
        reverse("portal-documents"),
        reverse("portal-document", args=[published.pk]),
        reverse("portal-publication", args=[publication.pk]),
        reverse("portal-search") + "?q=chuyen+doi+so",
    ):
        html = anonymous.get(url).content.decode()
        assert _external(html) == [], url
        assert "<script" not in html and "<style" not in html and " style=" not in html, url


def test_drafts_and_withdrawn_answer_404_even_to_staff(
    anonymous: Any, client: Any, world: Any, people: Any
) -> None:
    """GIVEN a draft, a submitted and a withdrawn announcement WHEN a visitor or the
    unit's leader opens their public page THEN 404; unknown ids too."""
    client.force_login(people["leader"])
    for state in ("draft", "submitted", "withdrawn"):
        made = announcement(world.province_a, state=state)
        url = reverse("portal-announcement", args=[made.pk])
        assert anonymous.get(url).status_code == 404, state
        assert client.get(url).status_code == 404, state
    assert anonymous.get(reverse("portal-announcement", args=[999999])).status_code == 404
    assert anonymous.get(reverse("portal-document", args=[999999])).status_code == 404
    assert anonymous.get(reverse("portal-publication", args=[999999])).status_code == 404


def test_announcement_body_is_plain_text(anonymous: Any, world: Any) -> None:
    """GIVEN a body with HTML and two paragraphs WHEN shown THEN the HTML is escaped and
    the paragraphs are paragraphs."""
    made = announcement(world.province_a, body="<b>Đậm</b> <script>x</script>\n\nĐoạn hai.")
    html = anonymous.get(reverse("portal-announcement", args=[made.pk])).content.decode()
    assert "&lt;b&gt;Đậm&lt;/b&gt;" in html
    assert "<script>x" not in html
    assert "<p>Đoạn hai.</p>" in html


def test_document_page_and_pdf(anonymous: Any, world: Any, people: Any) -> None:
    """GIVEN an issued document on the portal WHEN a visitor opens it THEN its number,
    date, issuing unit and subject show and its signed PDF downloads; once taken off,
    both answer 404."""
    document = issued_document(world.province_a, number=7, subject="Về đề án chuyển đổi số")
    published = services.document_publish(actor=people["clerk"], document=document)
    html = anonymous.get(reverse("portal-document", args=[published.pk])).content.decode()
    assert "07-NQ/TU" in html
    assert "15/03/2025" in html
    assert world.province_a.name in html
    assert "Về đề án chuyển đổi số" in html
    pdf = anonymous.get(reverse("portal-document-pdf", args=[published.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "Set-Cookie" not in pdf.headers
    services.document_unpublish(actor=people["clerk"], published=published)
    from django.core.cache import cache

    cache.clear()
    assert anonymous.get(reverse("portal-document", args=[published.pk])).status_code == 404
    assert anonymous.get(reverse("portal-document-pdf", args=[published.pk])).status_code == 404


def test_library_publication_pdf_only_when_public(anonymous: Any, world: Any) -> None:
    """GIVEN a public and an internal publication of the library WHEN a visitor asks
    for their pages and PDFs THEN the public one is served, the internal one is not;
    once withdrawn the public one is not either."""
    from lienthong.audit.actors import SystemActor
    from lienthong.records.library.choices import Visibility
    from lienthong.records.library.services import publication_withdraw

    public = public_publication(world.central)
    internal = public_publication(world.central, number=58, visibility=Visibility.INTERNAL)
    assert anonymous.get(reverse("portal-publication", args=[public.pk])).status_code == 200
    response = anonymous.get(reverse("portal-publication-pdf", args=[public.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert anonymous.get(reverse("portal-publication", args=[internal.pk])).status_code == 404
    assert anonymous.get(reverse("portal-publication-pdf", args=[internal.pk])).status_code == 404
    publication_withdraw(actor=SystemActor("tests"), publication=public, reason="Hết hiệu lực")
    assert anonymous.get(reverse("portal-publication-pdf", args=[public.pk])).status_code == 404


def test_documents_list_filters_and_pages(anonymous: Any, world: Any, people: Any) -> None:
    """GIVEN 22 documents on the portal in 2025 and a publication of 2024 WHEN the list
    is filtered by year THEN only that year's show, 20 a page."""
    import datetime as dt

    for number in range(1, 23):
        document = issued_document(world.province_a, number=number, with_pdf=False)
        services.document_publish(actor=people["clerk"], document=document)
    public_publication(world.central, issued_on=dt.date(2024, 12, 22))
    url = reverse("portal-documents")
    first = anonymous.get(url, {"nam": 2025}).content.decode()
    assert first.count('data-kind="document"') == 20
    assert 'data-kind="publication"' not in first
    second = anonymous.get(url, {"nam": 2025, "trang": 2}).content.decode()
    assert second.count('data-kind="document"') == 2
    older = anonymous.get(url, {"nam": 2024}).content.decode()
    assert older.count('data-kind="publication"') == 1
    assert 'data-kind="document"' not in older


def test_search_without_diacritics(anonymous: Any, world: Any, people: Any) -> None:
    """GIVEN an announcement, a document on the portal and a public publication about
    "chuyển đổi số" WHEN a visitor searches "chuyen doi so" THEN all three are found, and
    a draft is not."""
    announcement(world.province_a, title="Tuần lễ chuyển đổi số Thủ đô")
    announcement(world.province_a, state="draft", title="Nháp chuyển đổi số")
    document = issued_document(world.province_a, subject="Về chuyển đổi số trong cơ quan Đảng")
    services.document_publish(actor=people["clerk"], document=document)
    public_publication(world.central, title="Về đột phá chuyển đổi số quốc gia")
    collection_rebuild(LIBRARY)
    html = anonymous.get(reverse("portal-search"), {"q": "chuyen doi so"}).content.decode()
    assert "Tuần lễ chuyển đổi số Thủ đô" in html
    assert "Về chuyển đổi số trong cơ quan Đảng" in html
    assert "Về đột phá chuyển đổi số quốc gia" in html
    assert "Nháp chuyển đổi số" not in html
    none = anonymous.get(reverse("portal-search"), {"q": "khong co gi"}).content.decode()
    assert "No announcement matches." in none


def test_published_announcement_appears_despite_the_cache(
    anonymous: Any, world: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """GIVEN the home page cached while an announcement is only submitted WHEN the
    leader publishes it THEN the next request shows it (the portal version moved); and
    without a change the cached page is served without a query."""
    submitted = announcement(world.province_a, state="submitted", title="Thông báo mới nhất")
    url = reverse("portal-home")
    assert "Thông báo mới nhất" not in anonymous.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert anonymous.get(url).status_code == 200
    assert len(queries) == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_publish(actor=people["leader"], announcement=submitted)
    assert "Thông báo mới nhất" in anonymous.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_withdraw(
            actor=people["leader"], announcement=submitted, reason="Nhầm"
        )
    assert "Thông báo mới nhất" not in anonymous.get(url).content.decode()


def test_home_is_cheap(anonymous: Any, world: Any, people: Any) -> None:
    """GIVEN 12 announcements and 12 documents WHEN the home is built THEN a handful of
    queries, whatever the number of rows (no N+1)."""
    for number in range(1, 13):
        announcement(world.province_a, title=f"Tin số {number}")
        document = issued_document(world.province_a, number=number, with_pdf=False)
        services.document_publish(actor=people["clerk"], document=document)
    with CaptureQueriesContext(connection) as queries:
        response = anonymous.get(reverse("portal-home"))
    assert response.status_code == 200
    assert len(queries) <= 4, [q["sql"] for q in queries]


def test_public_pages_refuse_post(anonymous: Any) -> None:
    """GIVEN the public home WHEN posted to THEN 405 (GET only)."""
    assert anonymous.post(reverse("portal-home")).status_code == 405
