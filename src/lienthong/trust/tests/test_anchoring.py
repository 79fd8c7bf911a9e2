"""Timestamps over the audit chain head (trust/anchoring.py, trust/tasks.py and the
``audit_anchor`` command)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import shutil
import subprocess
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lienthong.audit.actors import SystemActor
from lienthong.audit.models import AuditChainHead, AuditEvent
from lienthong.audit.services import audit_chain_verify, record
from lienthong.trust import services
from lienthong.trust.anchoring import audit_anchor_due, audit_anchor_now, audit_anchors_verify
from lienthong.trust.errors import TrustError
from lienthong.trust.models import AuditAnchor
from lienthong.trust.tasks import anchor_audit_head, anchor_schedule

ACTOR = SystemActor("test")


@pytest.fixture
def ca(db: None, settings: pytest.FixtureRequest) -> services.CaSet:
    """GIVEN a node CA (its creation writes audit rows)."""
    settings.KEY_ALGORITHM = "ec-p256"  # type: ignore[attr-defined]
    return services.ca_init(actor=ACTOR, network_name="Mạng thử", slug="thu", algorithm="ec-p256")


_TRIGGERS = importlib.import_module("lienthong.audit.migrations.0003_append_only_triggers")


def _rewrite_history(seq: int) -> None:
    """Edit row ``seq`` and recompute every hash after it, as an administrator who owns
    the database could: drop the append-only trigger, rewrite, put the trigger back."""
    vendor = connection.vendor
    down = {"sqlite": _TRIGGERS.SQLITE_DOWN, "postgresql": _TRIGGERS.POSTGRES_DOWN}[vendor]
    up = {"sqlite": _TRIGGERS.SQLITE_UP, "postgresql": _TRIGGERS.POSTGRES_UP}[vendor]
    with connection.cursor() as cursor:
        for sql in down:
            cursor.execute(sql)
    try:
        _recompute(seq)
    finally:
        with connection.cursor() as cursor:
            for sql in up:
                cursor.execute(sql)


def _recompute(seq: int) -> None:
    rows = list(AuditEvent.objects.filter(seq__gte=seq).order_by("seq"))
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    for row in rows:
        if row.seq == seq:
            row.data = {**row.data, "forged": True}
        row.prev_hash = prev
        row.hash = row.compute_hash()
        AuditEvent.objects.filter(pk=row.pk).update(
            data=row.data, prev_hash=row.prev_hash, hash=row.hash
        )
        prev = row.hash
    AuditChainHead.objects.filter(id=1).update(hash=prev)


def test_anchor_stamps_the_head_and_is_audited(ca):
    """GIVEN an audit log
    WHEN the head is anchored
    THEN the anchor holds the head's seq and hash and a token, an ``audit.anchor`` row
    follows, and verification finds no problem."""
    head = AuditChainHead.objects.get(id=1)
    anchor = audit_anchor_now(actor=ACTOR)
    assert (anchor.seq, anchor.chain_hash) == (head.seq, head.hash)
    assert bytes(anchor.token)
    last = AuditEvent.objects.order_by("-seq").first()
    assert last.verb == "audit.anchor" and last.seq == head.seq + 1
    assert audit_anchors_verify() == []


def test_rewritten_history_passes_the_chain_but_fails_the_anchor(ca):
    """GIVEN an anchored audit log
    WHEN a past row is edited and every hash after it recomputed directly in the database
    THEN the hash chain verifies, but the anchor check names the rewritten row."""
    anchor = audit_anchor_now(actor=ACTOR)
    record(actor=ACTOR, verb="test.after")
    _rewrite_history(2)
    checked, broken = audit_chain_verify()
    assert broken is None and checked == AuditEvent.objects.count()
    problems = audit_anchors_verify()
    assert [p.anchor_id for p in problems] == [anchor.pk]
    assert f"row #{anchor.seq}" in problems[0].reason


def test_forged_token_is_detected(ca):
    """GIVEN an anchor whose token bytes were altered
    WHEN anchors are verified
    THEN the anchor fails."""
    anchor = audit_anchor_now(actor=ACTOR)
    token = bytearray(anchor.token)
    token[-5] ^= 0x01
    AuditAnchor.objects.filter(pk=anchor.pk).update(token=bytes(token))
    assert len(audit_anchors_verify()) == 1


def test_anchor_of_empty_log_is_refused(db):
    """GIVEN an empty audit log
    WHEN anchoring is asked
    THEN it is refused."""
    with pytest.raises(TrustError):
        audit_anchor_now(actor=ACTOR)


def test_due_only_when_the_head_moved_beyond_anchors(ca):
    """GIVEN an anchor just taken (its own audit row follows it)
    WHEN nothing else happens, then something is recorded
    THEN anchoring is not due, then due."""
    audit_anchor_now(actor=ACTOR)
    assert not audit_anchor_due()
    record(actor=ACTOR, verb="test.something")
    assert audit_anchor_due()


def test_task_anchors_skips_and_reschedules(ca, settings):
    """GIVEN the database task backend and a 30-minute interval
    WHEN the task runs twice with nothing happening in between
    THEN the first run anchors, the second skips, and one next run waits about 30
    minutes later (the second run sees it waiting and does not start a second chain)."""
    settings.AUDIT_ANCHOR_MINUTES = 30
    start = timezone.now()
    first = anchor_audit_head.call()
    second = anchor_audit_head.call()
    assert first is not None and second is None
    assert AuditAnchor.objects.count() == 1
    waiting = DBTaskResult.objects.filter(task_path=anchor_audit_head.module_path)
    assert waiting.count() == 1
    for row in waiting:
        assert row.run_after >= start + dt.timedelta(minutes=30)


def test_schedule_enqueues_once(db):
    """GIVEN no waiting anchoring task
    WHEN scheduling is asked twice
    THEN one task is enqueued."""
    assert anchor_schedule() is True
    assert anchor_schedule() is False
    assert DBTaskResult.objects.filter(task_path=anchor_audit_head.module_path).count() == 1


def test_command_anchors_and_verifies(ca):
    """GIVEN an audit log
    WHEN ``audit_anchor --json`` then ``audit_anchor --verify --json`` run
    THEN the first prints the stamped row, the second reports all anchors fine."""
    out = StringIO()
    call_command("audit_anchor", "--json", stdout=out)
    stamped = json.loads(out.getvalue())
    assert stamped["seq"] == AuditAnchor.objects.get().seq
    out = StringIO()
    call_command("audit_anchor", "--verify", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"ok": True, "checked": 1, "problems": []}


def test_command_verify_names_the_bad_anchor(ca):
    """GIVEN a rewritten history
    WHEN ``audit_anchor --verify`` runs
    THEN it fails with one line naming the anchor."""
    anchor = audit_anchor_now(actor=ACTOR)
    _rewrite_history(1)
    with pytest.raises(CommandError, match=f"Audit anchor {anchor.pk} \\(row #{anchor.seq}\\)"):
        call_command("audit_anchor", "--verify")


def test_command_on_empty_log_is_a_one_line_error(db):
    """GIVEN an empty audit log
    WHEN ``audit_anchor`` runs
    THEN it fails with a one-line reason."""
    with pytest.raises(CommandError, match="empty"):
        call_command("audit_anchor")


@pytest.mark.skipif(
    shutil.which("openssl") is None and os.environ.get("CI") != "true",
    reason="openssl is not installed",
)
def test_openssl_verifies_an_anchor_by_its_digest(ca, tmp_path):
    """GIVEN an anchor
    WHEN openssl verifies its token against the stored chain hash as the digest
    THEN it prints "Verification: OK" (the imprint is the raw head hash)."""
    anchor = audit_anchor_now(actor=ACTOR)
    (tmp_path / "token.der").write_bytes(bytes(anchor.token))
    (tmp_path / "chain.pem").write_text(
        ca.issuing.certificate.pem + ca.root.certificate.pem, encoding="ascii"
    )
    result = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-digest",
            anchor.chain_hash,
            "-in",
            "token.der",
            "-token_in",
            "-CAfile",
            "chain.pem",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Verification: OK" in result.stdout, result.stdout + result.stderr
