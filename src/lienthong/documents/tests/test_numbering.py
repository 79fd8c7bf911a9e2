"""Tests of the numbering engine (issue #4, scope 2; vn-rules.md §1.2, §2.4)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections, transaction

from lienthong.audit.models import AuditEvent
from lienthong.core.choices import Clearance
from lienthong.core.errors import InvalidInput
from lienthong.documents.choices import Convention, PeriodKind, SecretSeries, SeriesKind
from lienthong.documents.models import Document, NumberCounter
from lienthong.documents.numbering import (
    notation_for,
    number_allocate,
    number_assign,
    numbering_key,
)
from lienthong.documents.tests.register_helpers import doc_type, draft, issued, profile, register
from lienthong.org.tests.factories import TEST_ACTOR, UnitFactory, UserFactory

D = dt.date


@pytest.fixture
def unit(db: None) -> Any:
    """GIVEN a Party committee with its document settings ("TU")."""
    unit = UnitFactory(name="Tỉnh ủy Hà Nội")
    profile(unit, issuer_code="TU")
    return unit


def _allocate(reg: Any, type_name: str = "Nghị quyết", *, on: dt.date, secret: int = 0) -> int:
    with transaction.atomic():
        return number_allocate(
            register=reg,
            document_type=doc_type(Convention.PARTY, type_name),
            classification=secret,
            on=on,
        )


# --- Concurrency ----------------------------------------------------------------------


@contextmanager
def _database_threads_can_share(tmp_path: Path) -> Iterator[Path | None]:
    """Let each thread open its own connection to the test database.

    pytest-django's SQLite test database is in memory with a shared cache
    ("file:memorydb_default?mode=memory&cache=shared"). Shared-cache locking answers
    "database table is locked" at once instead of waiting for the busy timeout, so it
    cannot show how the embedded node behaves with concurrent writers. For SQLite the
    in-memory database is therefore copied to a file and the threads' connections (new
    connections read the same settings dict) point at it, with the production options
    (WAL, ``transaction_mode=IMMEDIATE``, busy timeout). PostgreSQL needs nothing.
    Yields the file, or None when the threads use the test database itself.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield None
        return
    target = tmp_path / "numbering.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    connection.connection.backup(copy)
    copy.close()
    db_settings = connections.settings["default"]
    in_memory = db_settings["NAME"]
    db_settings["NAME"] = str(target)
    try:
        yield target
    finally:
        db_settings["NAME"] = in_memory


def _issue_concurrently(documents: list[Document], reg: Any) -> list[int | BaseException]:
    """One thread per document, each issuing it in its own connection and transaction."""
    results: list[int | BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(len(documents))

    def worker(document: Document) -> None:
        try:
            start.wait()
            numbered = number_assign(
                actor=TEST_ACTOR, document=document, register=reg, on=D(2026, 3, 5)
            )
            with lock:
                results.append(numbered.code_number or 0)
        except BaseException as exc:
            with lock:
                results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(doc,)) for doc in documents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_issues_yield_fifty_consecutive_numbers(tmp_path: Path) -> None:
    """
    GIVEN one register and 50 signed documents, and 50 threads, each with its own
          database connection
    WHEN they all issue their document at the same moment, each in its own transaction
    THEN the numbers are exactly 1..50: no gap, no duplicate, on SQLite (a file database
         with the production options) and on PostgreSQL.
    """
    unit = UnitFactory(name="Tỉnh ủy Hà Nội")
    profile(unit, issuer_code="TU")
    creator = UserFactory()
    reg = register(unit)
    documents = [draft(unit, creator, subject=f"về việc số {i}") for i in range(50)]

    with _database_threads_can_share(tmp_path) as file_db:
        results = _issue_concurrently(documents, reg)

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    assert sorted(results) == list(range(1, 51))  # type: ignore[type-var]
    if file_db is None:
        numbers = set(Document.objects.filter(register=reg).values_list("code_number", flat=True))
        last = NumberCounter.objects.get(register=reg).last_number
    else:
        with closing(sqlite3.connect(file_db)) as db:
            numbers = {row[0] for row in db.execute("SELECT code_number FROM documents_document")}
            (last,) = db.execute("SELECT last_number FROM documents_numbercounter").fetchone()
    assert numbers == set(range(1, 51))
    assert last == 50


# --- Periods --------------------------------------------------------------------------


def test_a_new_year_restarts_at_01(unit: Any) -> None:
    """
    GIVEN a register numbered by calendar year (NĐ 30 Điều 15) with two numbers taken in 2025
    WHEN a number is taken on 2 January 2026
    THEN it is 1, and 2025's series goes on from 3.
    """
    reg = register(unit)
    assert [_allocate(reg, on=D(2025, 12, 30)), _allocate(reg, on=D(2025, 12, 31))] == [1, 2]
    assert _allocate(reg, on=D(2026, 1, 2)) == 1
    assert _allocate(reg, on=D(2025, 12, 31)) == 3


def test_a_new_term_restarts_at_01(unit: Any) -> None:
    """
    GIVEN two registers of one committee, one per term (HD 36 Mục II.1.3)
    WHEN numbers are taken in each, across calendar years
    THEN a term's series runs across the new year, and the next term starts at 1.
    """
    first = register(
        unit,
        name="Nhiệm kỳ 2020-2025",
        period_kind=PeriodKind.TERM,
        term_start=D(2020, 10, 16),
        term_end=D(2025, 10, 15),
    )
    second = register(
        unit,
        name="Nhiệm kỳ 2025-2030",
        period_kind=PeriodKind.TERM,
        term_start=D(2025, 10, 16),
        term_end=D(2030, 10, 15),
    )
    assert _allocate(first, on=D(2024, 12, 31)) == 1
    assert _allocate(first, on=D(2025, 1, 2)) == 2
    assert _allocate(second, on=D(2025, 10, 16)) == 1
    assert (
        numbering_key(
            register=second,
            document_type=doc_type(Convention.PARTY, "Nghị quyết"),
            classification=0,
            on=D(2026, 1, 1),
        ).period_key
        == "term:2025-10-16..2030-10-15"
    )


def test_a_date_outside_the_term_is_refused(unit: Any) -> None:
    """
    GIVEN a register numbered by term 2025-10-16..2030-10-15
    WHEN a number is asked for a document dated before the term
    THEN it is refused with a message naming the term, and no counter is created.
    """
    reg = register(
        unit,
        period_kind=PeriodKind.TERM,
        term_start=D(2025, 10, 16),
        term_end=D(2030, 10, 15),
    )
    with pytest.raises(InvalidInput, match="16/10/2025"):
        _allocate(reg, on=D(2025, 10, 15))
    assert not NumberCounter.objects.filter(register=reg).exists()


def test_a_congress_numbers_every_type_in_one_series(unit: Any) -> None:
    """
    GIVEN a congress register: one series for all types (vn-rules.md §2.4)
    WHEN a resolution, a report and a minutes are numbered on different days
    THEN they take 1, 2, 3.
    """
    reg = register(unit, name="Đại hội", period_kind=PeriodKind.CONGRESS)
    numbers = [
        _allocate(reg, "Nghị quyết", on=D(2025, 10, 14)),
        _allocate(reg, "Báo cáo", on=D(2025, 10, 15)),
        _allocate(reg, "Biên bản", on=D(2026, 1, 1)),
    ]
    assert numbers == [1, 2, 3]


# --- Series ---------------------------------------------------------------------------


def test_per_type_series_number_each_type_from_01(unit: Any) -> None:
    """
    GIVEN a register with one series per type
    WHEN two resolutions and one directive are numbered
    THEN the resolutions take 1 and 2 and the directive 1.
    """
    reg = register(unit, series_kind=SeriesKind.PER_TYPE)
    on = D(2026, 3, 1)
    assert _allocate(reg, "Nghị quyết", on=on) == 1
    assert _allocate(reg, "Chỉ thị", on=on) == 1
    assert _allocate(reg, "Nghị quyết", on=on) == 2


def test_types_sharing_an_abbreviation_share_a_per_type_series(unit: Any) -> None:
    """
    GIVEN a per-type register of a Party unit, where Quyết định and Quy định are both "QĐ"
    WHEN one of each is numbered
    THEN they take 1 and 2, so "01-QĐ/TU" is never given twice.
    """
    reg = register(unit, series_kind=SeriesKind.PER_TYPE)
    on = D(2026, 3, 1)
    assert _allocate(reg, "Quyết định", on=on) == 1
    assert _allocate(reg, "Quy định", on=on) == 2


def test_shared_series_numbers_every_type_in_turn(unit: Any) -> None:
    """
    GIVEN a register with one series for all types
    WHEN a resolution, a directive and a letter are numbered
    THEN they take 1, 2, 3.
    """
    reg = register(unit)
    on = D(2026, 3, 1)
    got = [_allocate(reg, name, on=on) for name in ("Nghị quyết", "Chỉ thị", "Công văn")]
    assert got == [1, 2, 3]


def test_state_copies_share_their_own_series(unit: Any) -> None:
    """
    GIVEN a State register with one series for all types
    WHEN a decision, a "sao y" and a "trích sao" are numbered
    THEN the decision takes 1 and the copies 1 and 2 (NĐ 30 Phụ lục I Phần II.II.1.c).
    """
    reg = register(unit)
    on = D(2026, 3, 1)

    def take(name: str) -> int:
        with transaction.atomic():
            return number_allocate(
                register=reg,
                document_type=doc_type(Convention.STATE, name),
                classification=0,
                on=on,
            )

    assert [take("Quyết định"), take("Bản sao y"), take("Bản trích sao")] == [1, 1, 2]


# --- Classified documents -------------------------------------------------------------


def test_classified_documents_have_their_own_series_under_nd30(unit: Any) -> None:
    """
    GIVEN a register whose classified documents have their own series (NĐ 30 Điều 15.2)
    WHEN an ordinary, a "Mật" and another ordinary document are numbered
    THEN the ordinary ones take 1 and 2, the classified one 1.
    """
    reg = register(unit, secret_series=SecretSeries.OWN)
    on = D(2026, 3, 1)
    got = [
        _allocate(reg, on=on),
        _allocate(reg, on=on, secret=Clearance.SECRET),
        _allocate(reg, on=on),
    ]
    assert got == [1, 1, 2]
    keys = set(NumberCounter.objects.filter(register=reg).values_list("series_key", flat=True))
    assert keys == {"*", "*:secret"}


def test_classified_documents_share_the_series_under_hd36(unit: Any) -> None:
    """
    GIVEN a Party register whose classified documents share the series (HD 36)
    WHEN an ordinary, a "Mật" and another ordinary document are numbered
    THEN they take 1, 2, 3.
    """
    reg = register(unit, secret_series=SecretSeries.SHARED)
    on = D(2026, 3, 1)
    got = [
        _allocate(reg, on=on),
        _allocate(reg, on=on, secret=Clearance.SECRET),
        _allocate(reg, on=on),
    ]
    assert got == [1, 2, 3]


# --- Notation and display -------------------------------------------------------------


@pytest.mark.parametrize(
    ("convention", "type_name", "issuer", "drafting", "expected"),
    [
        (Convention.STATE, "Quyết định", "UBND", "", "QĐ-UBND"),
        (Convention.STATE, "Công văn", "UBND", "VP", "UBND-VP"),
        (Convention.STATE, "Công văn", "UBND", "", "UBND"),
        (Convention.PARTY, "Nghị quyết", "TU", "", "NQ/TU"),
        (Convention.PARTY, "Công văn", "TU", "VP", "CV/TU"),
        (Convention.PARTY, "Quy định (Ban Chấp hành Trung ương)", "TW", "", "QĐi/TW"),
    ],
)
def test_notation_follows_the_convention(
    unit: Any, convention: str, type_name: str, issuer: str, drafting: str, expected: str
) -> None:
    """
    GIVEN a document of a State or Party unit
    WHEN its ký hiệu is built
    THEN it is "type-issuer" or "issuer-drafting unit" (State công văn, NĐ 30 §1.2), or
         "type/issuer" (Party, HD 36 §2.4).
    """
    document = draft(unit, UserFactory(), convention=convention, type_name=type_name)
    unit_profile = profile(unit, convention=convention, issuer_code=issuer)
    got = notation_for(document=document, unit_profile=unit_profile, drafting_unit_code=drafting)
    assert got == expected


def test_a_notation_longer_than_30_characters_is_refused(unit: Any) -> None:
    """
    GIVEN a State công văn of "UBND" drafted by a unit with a very long abbreviation
    WHEN its ký hiệu is built
    THEN it is refused, naming the 30-character limit of Phụ lục VI.
    """
    document = draft(unit, UserFactory(), convention=Convention.STATE, type_name="Công văn")
    unit_profile = profile(unit, convention=Convention.STATE, issuer_code="UBND")
    with pytest.raises(InvalidInput, match="30"):
        notation_for(document=document, unit_profile=unit_profile, drafting_unit_code="X" * 26)
    assert (
        len(notation_for(document=document, unit_profile=unit_profile, drafting_unit_code="X" * 25))
        == 30
    )


def test_a_party_type_without_abbreviation_is_refused(unit: Any) -> None:
    """
    GIVEN a Party "Tuyên bố", loaded without an abbreviation
    WHEN its ký hiệu is built
    THEN it is refused with a message naming the type.
    """
    document = draft(unit, UserFactory(), type_name="Tuyên bố")
    with pytest.raises(InvalidInput, match="Tuyên bố"):
        notation_for(document=document, unit_profile=profile(unit))


# --- number_assign ---------------------------------------------------------------------


def test_number_assign_numbers_dates_registers_and_audits(unit: Any) -> None:
    """
    GIVEN a signed Party resolution and the unit's outgoing register
    WHEN the clerk assigns its number on 5 March 2026
    THEN it reads "Số 01-NQ/TU", carries the date, year and register, and the audit log
         records "document.number".
    """
    reg = register(unit)
    document = draft(unit, UserFactory())
    number_assign(actor=TEST_ACTOR, document=document, register=reg, on=D(2026, 3, 5))
    document.refresh_from_db()
    assert document.number_display == "01-NQ/TU"
    assert document.number_line == "Số 01-NQ/TU"
    assert (document.number_year, document.issued_date) == (2026, D(2026, 3, 5))
    assert document.register == reg
    assert document.issuer_name == "Tỉnh ủy Hà Nội"
    event = AuditEvent.objects.get(verb="document.number")
    assert event.data["number"] == "01-NQ/TU"


def test_number_display_of_a_state_letter_is_zero_padded(unit: Any) -> None:
    """
    GIVEN a State unit "UBND" and a công văn drafted by its office "VP"
    WHEN numbers 5 and then 10+ are assigned
    THEN the first reads "Số: 05/UBND-VP" (leading 0 below 10) and the tenth "10/UBND-VP".
    """
    profile(unit, convention=Convention.STATE, issuer_code="UBND")
    reg = register(unit)
    creator = UserFactory()
    docs = [
        draft(unit, creator, convention=Convention.STATE, type_name="Công văn") for _ in range(10)
    ]
    for document in docs:
        number_assign(
            actor=TEST_ACTOR,
            document=document,
            register=reg,
            on=D(2026, 3, 5),
            drafting_unit_code="VP",
        )
    assert docs[4].number_line == "Số: 05/UBND-VP"
    assert docs[9].number_display == "10/UBND-VP"


def test_a_duplicate_number_is_refused_and_nothing_changes(unit: Any) -> None:
    """
    GIVEN "01-NQ/TU" of 2026 already in the books (imported, say) and a fresh counter
    WHEN the next resolution is numbered, which would take 01 again
    THEN it is refused with a clear message; the document has no number, the counter is
         still at 0, and nothing is audited.
    """
    creator = UserFactory()
    reg = register(unit)
    issued(unit, creator, reg, number=1, notation="NQ/TU", on=D(2026, 1, 5))
    document = draft(unit, creator)
    with pytest.raises(InvalidInput, match="already exists"):
        number_assign(actor=TEST_ACTOR, document=document, register=reg, on=D(2026, 3, 5))
    assert document.code_number is None
    document.refresh_from_db()
    assert document.code_number is None and document.issued_date is None
    assert not NumberCounter.objects.filter(register=reg, last_number__gt=0).exists()
    assert not AuditEvent.objects.filter(verb="document.number").exists()


def test_a_document_is_numbered_only_once(unit: Any) -> None:
    """
    GIVEN a document already numbered 01
    WHEN it is numbered again
    THEN it is refused and keeps 01; the counter does not move.
    """
    reg = register(unit)
    document = draft(unit, UserFactory())
    number_assign(actor=TEST_ACTOR, document=document, register=reg, on=D(2026, 3, 5))
    with pytest.raises(InvalidInput, match="01-NQ/TU"):
        number_assign(actor=TEST_ACTOR, document=document, register=reg, on=D(2026, 3, 6))
    assert document.code_number == 1
    assert NumberCounter.objects.get(register=reg).last_number == 1


def test_a_register_of_another_unit_is_refused(unit: Any) -> None:
    """
    GIVEN a document of one unit and a register of another
    WHEN the document is numbered in that register
    THEN it is refused.
    """
    other = register(UnitFactory())
    document = draft(unit, UserFactory())
    with pytest.raises(InvalidInput, match="register"):
        number_assign(actor=TEST_ACTOR, document=document, register=other, on=D(2026, 3, 5))
