"""Benchmark: document full-text search over generated Vietnamese documents (issue #4, scope 7).

Generates ``LIENTHONG_BENCH_SEARCH_DOCS`` documents (default 1,000,000) with a seeded
random: subjects built from real administrative phrases ("Quyết định về việc ban hành quy
chế làm việc…", "Công văn về việc triển khai…"), numbers in the Party and State forms,
issuers and owning units from the real country tree (``load_units``), signers, and a short
body paragraph. The ORM is never used row by row:

- **tantivy**: records go straight from the generator into the index
  (``TantivyBackend.index_records``), under ``var/bench/search-bench/``;
- **postgres** (only when the bench database is PostgreSQL): rows are streamed into
  ``documents_document`` with ``COPY``, then the stored vector column, its GIN index and
  the ``(id, unit_id)`` btree are built (``PostgresBackend.rebuild``) and the database is
  vacuumed and analysed, as autovacuum would after a bulk load.

Then 300 queries of 2-3 words taken from the same phrase lists (half with diacritics,
half typed without) are timed through ``backend.search`` for a superuser and for a
provincial clerk (scope: the Hà Nội subtree, resolved afresh for each query, as on a real
request): for each backend a warm-up pass, then one timed pass.

``LIENTHONG_BENCH_SEARCH_BACKENDS`` (default ``tantivy,postgres``) picks the backends, e.g.
``postgres`` to skip tantivy while working on PostgreSQL (postgres still needs a
PostgreSQL bench database).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

DOCS = int(os.environ.get("LIENTHONG_BENCH_SEARCH_DOCS", "1000000"))
BACKENDS = tuple(
    name.strip()
    for name in os.environ.get("LIENTHONG_BENCH_SEARCH_BACKENDS", "tantivy,postgres").split(",")
    if name.strip()
)
SEED = 2026
QUERIES = 300

TYPES = (
    ("Quyết định", "QĐ"),
    ("Công văn", "CV"),
    ("Nghị quyết", "NQ"),
    ("Chỉ thị", "CT"),
    ("Kết luận", "KL"),
    ("Hướng dẫn", "HD"),
    ("Thông báo", "TB"),
    ("Báo cáo", "BC"),
    ("Kế hoạch", "KH"),
    ("Chương trình", "CTr"),
    ("Tờ trình", "TTr"),
    ("Quy chế", "QC"),
)
ACTIONS = (
    "ban hành",
    "triển khai",
    "tổ chức",
    "thực hiện",
    "kiện toàn",
    "phê duyệt",
    "sơ kết",
    "tổng kết",
    "tăng cường",
    "đẩy mạnh",
    "chấn chỉnh",
    "kiểm tra",
    "giám sát",
    "tuyên truyền",
    "học tập, quán triệt",
    "điều chỉnh",
    "bổ sung",
    "khen thưởng",
    "thành lập",
    "hướng dẫn",
    "rà soát",
    "đánh giá",
    "tiếp tục đổi mới",
    "nâng cao chất lượng",
)
OBJECTS = (
    "quy chế làm việc",
    "công tác xây dựng Đảng",
    "công tác cán bộ",
    "công tác kiểm tra, giám sát",
    "chương trình mục tiêu quốc gia",
    "đại hội đảng bộ các cấp",
    "phòng, chống tham nhũng, lãng phí",
    "cải cách hành chính",
    "chuyển đổi số",
    "bảo đảm an ninh, trật tự",
    "phòng, chống thiên tai và tìm kiếm cứu nạn",
    "xây dựng nông thôn mới",
    "đăng ký thi đua",
    "công tác dân vận",
    "kế hoạch phát triển kinh tế - xã hội",
    "dự toán ngân sách",
    "đánh giá, xếp loại chất lượng tổ chức cơ sở đảng và đảng viên",
    "phát triển đảng viên mới",
    "công tác tuyên giáo",
    "bảo vệ nền tảng tư tưởng của Đảng",
    "thu, nộp và quản lý đảng phí",
    "công tác văn thư, lưu trữ",
    "quy hoạch cán bộ",
    "luân chuyển cán bộ",
    "giải quyết khiếu nại, tố cáo",
    "bảo vệ môi trường",
    "phòng cháy, chữa cháy",
    "công tác giảm nghèo bền vững",
    "chính sách đối với người có công",
    "công tác quốc phòng, quân sự địa phương",
    "sắp xếp đơn vị hành chính cấp xã",
    "chính quyền địa phương hai cấp",
    "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "công tác thông tin đối ngoại",
    "quản lý đất đai",
    "xây dựng hệ thống chính trị",
)
QUALIFIERS = (
    "năm 2025",
    "năm 2026",
    "nhiệm kỳ 2025 - 2030",
    "6 tháng đầu năm",
    "quý III",
    "giai đoạn 2026 - 2030",
    "của Ban Chấp hành Đảng bộ",
    "của Ban Thường vụ",
    "trong tình hình mới",
    "đến năm 2030",
    "",
)
SENTENCES = (
    "Căn cứ Điều lệ Đảng Cộng sản Việt Nam và Quy chế làm việc của Ban Chấp hành",
    "Thực hiện chỉ đạo của cấp trên về việc {obj}",
    "Các cơ quan, đơn vị khẩn trương {act} {obj} và báo cáo kết quả trước ngày 30",
    "Giao Văn phòng chủ trì, phối hợp với các ban xây dựng đảng theo dõi, đôn đốc",
    "Đề nghị các đồng chí Bí thư chi bộ quán triệt đến toàn thể đảng viên",
    "Ủy ban nhân dân chỉ đạo các phòng chuyên môn {act} {obj}",
    "Trong quá trình thực hiện nếu có vướng mắc, báo cáo về thường trực để xem xét",
    "Kết quả {obj} đạt nhiều chuyển biến tích cực, song còn một số hạn chế",
    "Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội tích cực tham gia",
    "Nơi nhận: như trên, lưu văn phòng",
)
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Thanh", "Minh", "Quốc", "Ngọc", "Xuân", "Thu")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hùng", "Lan", "Long", "Mai", "Nam", "Thắng")
POSITIONS = ("Bí thư", "Phó Bí thư", "Chủ tịch", "Phó Chủ tịch", "Chánh Văn phòng", "Trưởng ban")
STATES = ("issued", "issued", "issued", "registered", "assigned", "in_progress", "done", "draft")


def _percentile(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def _units() -> list[tuple[int, str, str]]:
    from lienthong.audit.actors import SystemActor
    from lienthong.org.loaders import units_load
    from lienthong.org.models import Unit

    if Unit.objects.filter(source_key__startswith="vn:").count() < 3500:
        units_load(actor=SystemActor("bench"))
    return [
        (pk, name, short or "UBND")
        for pk, name, short in Unit.objects.order_by("pk").values_list("pk", "name", "short_name")
    ]


def generate(
    units: list[tuple[int, str, str]], count: int, type_ids: dict[str, int]
) -> Iterator[dict[str, Any]]:
    """Yield ``count`` realistic documents as plain dicts (same seed, same documents)."""
    from lienthong.core.text import fold

    rng = random.Random(SEED)
    counters: dict[tuple[str, str, int], int] = {}
    start = dt.date(2023, 1, 1).toordinal()
    for i in range(count):
        unit_id, unit_name, short = units[rng.randrange(len(units))]
        type_name, code = TYPES[rng.randrange(len(TYPES))]
        act, obj = rng.choice(ACTIONS), rng.choice(OBJECTS)
        qualifier = rng.choice(QUALIFIERS)
        lead = "V/v" if code == "CV" else type_name
        subject = f"{lead} {'về việc ' if rng.random() < 0.6 else ''}{act} {obj} {qualifier}"
        day = dt.date.fromordinal(start + rng.randrange(1000))
        party = rng.random() < 0.6
        notation = f"{code}/{short}" if party else f"{code}-{short}"
        key = (fold(unit_name), notation, day.year)  # the unique number's issuer_key
        counters[key] = number = counters.get(key, 0) + 1
        sentences = rng.sample(SENTENCES, 4)
        body = ". ".join(s.format(act=act, obj=obj) for s in sentences) + "."
        yield {
            "id": i + 1,
            "unit_id": unit_id,
            "document_type_id": type_ids[type_name],
            "convention": "party" if party else "state",
            "state": rng.choice(STATES),
            "direction": "outgoing" if rng.random() < 0.5 else "incoming",
            "classification": 0,
            "day": day,
            "code_number": number,
            "code_notation": notation,
            "number": f"{number:02d}{'-' if party else '/'}{notation}",
            "subject": subject.strip(),
            "signer_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            "signer_position": rng.choice(POSITIONS),
            "issuer": unit_name,
            "body": body,
        }


def queries(count: int = QUERIES) -> list[str]:
    """2-3-word queries from the phrase lists; every other one typed without diacritics."""
    from lienthong.core.text import fold

    rng = random.Random(SEED + 1)
    phrases = [*ACTIONS, *OBJECTS, *(t for t, _ in TYPES), *SENTENCES[:3]]
    result: list[str] = []
    while len(result) < count:
        words = [w.strip(",.") for w in rng.choice(phrases).replace("{", " {").split()]
        words = [w for w in words if w and not w.startswith("{")]
        if len(words) < 2:
            continue
        size = min(len(words), rng.choice((2, 3)))
        first = rng.randrange(len(words) - size + 1)
        query = " ".join(words[first : first + size])
        result.append(fold(query) if len(result) % 2 else query.lower())
    return result


def _time(
    run_query: Callable[[str], int], items: list[str], *, warm_up: bool = True
) -> tuple[list[float], int]:
    for query in items if warm_up else ():  # warm-up pass: page cache, query plans
        run_query(query)
    latencies: list[float] = []
    found = 0
    for query in items:
        started = time.perf_counter()
        count = run_query(query)
        latencies.append((time.perf_counter() - started) * 1000)
        found += int(count > 0)
    return latencies, found


def _series(
    prefix: str, backend: Any, users: dict[str, Any], items: list[str], *, warm_up: bool = True
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for who, user in users.items():
        capped = 0

        def search(query: str, user: Any = user) -> int:
            nonlocal capped
            user.__dict__.pop("_lienthong_scope_cache", None)  # a new request each time
            result = backend.search(user=user, query=query, limit=20)
            capped += int(result.total_capped)
            return result.total

        for query in items if warm_up else ():  # warm-up pass: page cache, query plans
            search(query)
        capped = 0
        latencies, found = _time(search, items, warm_up=False)
        results[f"{prefix}_{who}_p50"] = {
            "value": round(statistics.median(latencies), 2),
            "unit": "ms",
        }
        results[f"{prefix}_{who}_p95"] = {
            "value": round(_percentile(latencies, 95), 2),
            "unit": "ms",
        }
        results[f"{prefix}_{who}_found_rate"] = {
            "value": round(100 * found / len(items), 1),
            "unit": "%",
        }
        results[f"{prefix}_{who}_total_capped_rate"] = {  # "more than N" answers
            "value": round(100 * capped / len(items), 1),
            "unit": "%",
        }
    return results


def _records(rows: Iterator[dict[str, Any]]) -> Iterator[Any]:
    from lienthong.documents.search.analysis import SearchRecord

    for row in rows:
        yield SearchRecord(
            id=row["id"],
            unit_id=row["unit_id"],
            document_type_id=row["document_type_id"],
            state=row["state"],
            direction=row["direction"],
            classification=row["classification"],
            day=row["day"],
            number=row["number"],
            subject=row["subject"],
            signer=f"{row['signer_name']}\n{row['signer_position']}",
            issuer=row["issuer"],
            body=row["body"],
        )


def _copy_into_postgres(rows: Iterator[dict[str, Any]], creator_id: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from lienthong.core.text import fold

    columns = (
        "id, created_at, updated_at, unit_id, direction, convention, state, document_type_id, "
        "subject, body, priority, classification, code_number, code_notation, number_year, "
        "issued_date, issuer_name, issuer_key, issuer_organ_id, signer_name, signer_position, "
        "competence, recipients_text, copies, language, note, text_content, created_by_id"
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE documents_document CASCADE")
    raw = connection.connection
    assert raw is not None
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY documents_document ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    (
                        row["id"], now, now, row["unit_id"], row["direction"],
                        row["convention"], row["state"], row["document_type_id"],
                        row["subject"], "", 0, 0, row["code_number"], row["code_notation"],
                        row["day"].year, row["day"], row["issuer"], fold(row["issuer"]), "",
                        row["signer_name"], row["signer_position"], "", "", 1,
                        "Tiếng Việt", "", row["body"], creator_id,
                    )
                )  # fmt: skip
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('documents_document', 'id'), "
            "(SELECT max(id) FROM documents_document))"
        )
    raw.commit()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE documents_document")


def postgres_series(users: dict[str, Any], items: list[str]) -> dict[str, Any]:
    """Time the PostgreSQL backend on the loaded bench database (a warm-up pass, then all)."""
    from lienthong.documents.search.postgres_backend import CANDIDATES, TOTAL_CAP, PostgresBackend

    results: dict[str, Any] = {
        "postgres_ranked_candidates": {"value": CANDIDATES, "unit": "documents"},
        "postgres_total_cap": {"value": TOTAL_CAP, "unit": "documents"},
    }
    results.update(_series("postgres", PostgresBackend(), users, items))
    return results


def run() -> dict[str, dict[str, Any]]:
    """Generate, index, time; return the figures."""
    from django.db import connection

    from lienthong.audit.actors import SystemActor
    from lienthong.documents.choices import Convention
    from lienthong.documents.models import DocumentType
    from lienthong.documents.search.postgres_backend import PostgresBackend
    from lienthong.documents.search.tantivy_backend import TantivyBackend
    from lienthong.org.choices import RoleCode
    from lienthong.org.models import Role, Unit, User
    from lienthong.org.services import membership_create, user_create

    actor = SystemActor("bench")
    units = _units()
    type_ids = {
        name: DocumentType.objects.get_or_create(
            convention=Convention.PARTY, name=name, defaults={"code": code}
        )[0].pk
        for name, code in TYPES
    }
    superuser = User.objects.filter(username="bench.super").first() or user_create(
        actor=actor, username="bench.super", full_name="Bench super", is_superuser=True
    )
    clerk = User.objects.filter(username="bench.clerk").first()
    if clerk is None:
        clerk = user_create(actor=actor, username="bench.clerk", full_name="Bench clerk")
        membership_create(
            actor=actor,
            user=clerk,
            unit=Unit.objects.get(source_key="vn:p:01"),
            role=Role.objects.get(code=RoleCode.CLERK),
        )
    users = {"superuser": superuser, "provincial_clerk": clerk}
    items = queries()
    results: dict[str, dict[str, Any]] = {
        "documents": {"value": DOCS, "unit": "documents"},
        "queries": {"value": len(items), "unit": "queries"},
    }

    # --- tantivy -------------------------------------------------------------------
    if "tantivy" in BACKENDS:
        from django.conf import settings

        path = Path(settings.DATA_DIR) / "search-bench"
        shutil.rmtree(path, ignore_errors=True)
        tantivy_backend = TantivyBackend(path=path)
        started = time.perf_counter()
        tantivy_backend.index_records(_records(generate(units, DOCS, type_ids)), replace=False)
        results["tantivy_generate_and_index"] = {
            "value": round(time.perf_counter() - started, 1),
            "unit": "s",
        }
        size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        results["tantivy_index_size"] = {"value": round(size / 1024 / 1024), "unit": "MB"}
        results.update(_series("tantivy", tantivy_backend, users, items))
        print(results, file=sys.stderr, flush=True)  # a late failure keeps these figures

    # --- PostgreSQL ----------------------------------------------------------------
    if "postgres" in BACKENDS and connection.vendor == "postgresql":
        started = time.perf_counter()
        _copy_into_postgres(generate(units, DOCS, type_ids), superuser.pk)
        results["postgres_generate_and_copy"] = {
            "value": round(time.perf_counter() - started, 1),
            "unit": "s",
        }
        started = time.perf_counter()
        pg_backend = PostgresBackend()
        pg_backend.rebuild()
        results["postgres_vector_column_and_gin_index"] = {
            "value": round(time.perf_counter() - started, 1),
            "unit": "s",
        }
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # the whole database, as autovacuum would
        results["postgres_vacuum_analyze"] = {
            "value": round(time.perf_counter() - started, 1),
            "unit": "s",
        }
        print(results, file=sys.stderr, flush=True)
        results.update(postgres_series(users, items))
    return results
