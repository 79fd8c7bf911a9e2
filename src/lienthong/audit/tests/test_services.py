"""Tests of the audit log: appending, the chain, and tamper detection."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from lienthong.audit.actors import PeerActor, SystemActor
from lienthong.audit.choices import ActorKind
from lienthong.audit.models import GENESIS_HASH, AuditEvent
from lienthong.audit.services import audit_chain_verify, record

pytestmark = pytest.mark.django_db


def _drop_guard() -> None:
    """Remove the append-only trigger, as a forger with the table owner's rights would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_update")


def _append(n: int) -> list[AuditEvent]:
    return [
        record(actor=SystemActor("tests"), verb="probe.write", data={"i": i, "tên": "Hà Nội"})
        for i in range(n)
    ]


def test_record_links_each_row_to_the_previous():
    """GIVEN an empty log WHEN three events are recorded THEN each carries the previous hash."""
    events = _append(3)
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert audit_chain_verify() == (3, None)


def test_actor_is_required_and_described():
    """GIVEN actors of each kind WHEN recording THEN kind and label are stored; None is refused."""
    peer = record(actor=PeerActor("HN01"), verb="envelope.receive")
    assert peer.actor_kind == ActorKind.PEER and peer.actor_label == "peer:HN01"
    with pytest.raises(TypeError):
        record(actor=None, verb="x")


def test_user_actor_and_target(world):
    """GIVEN a person WHEN they change a unit THEN the event names them and the unit's scope."""
    event = record(actor=world.clerk_a1, verb="unit.touch", target=world.commune_a1)
    assert event.actor_kind == ActorKind.USER
    assert event.actor_user == world.clerk_a1
    assert event.target_type == "org.unit"
    assert event.target_id == str(world.commune_a1.pk)
    assert event.unit_id == world.commune_a1.pk


def test_events_cannot_be_changed_or_deleted_through_the_orm():
    """GIVEN a stored event WHEN saved again or deleted THEN the model refuses."""
    (event,) = _append(1)
    event.verb = "forged"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("UPDATE audit_auditevent SET verb = 'forged' WHERE seq = %s", "content"),
        ("UPDATE audit_auditevent SET data = '{\"i\": 99}' WHERE seq = %s", "content"),
        ("DELETE FROM audit_auditevent WHERE seq = %s", "missing"),
    ],
)
def test_direct_database_edit_is_caught(sql, reason):
    """GIVEN a clean chain of five rows WHEN row 3 is edited or deleted in the database
    THEN audit_verify fails and names row 3 (or the gap after it)."""
    _append(5)
    assert audit_chain_verify()[1] is None
    _drop_guard()
    with connection.cursor() as cursor:
        cursor.execute(sql, [3])
    checked, broken = audit_chain_verify()
    assert broken is not None
    assert broken.seq in {3, 4}
    assert reason in broken.reason
    assert checked == 2


def test_rehashing_a_row_breaks_the_next_link():
    """GIVEN a forger who edits row 2 and recomputes its hash WHEN verifying THEN row 3's
    link to row 2 no longer matches."""
    events = _append(4)
    forged = AuditEvent.objects.get(seq=2)
    forged.verb = "forged"
    new_hash = forged.compute_hash()
    _drop_guard()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET verb = %s, hash = %s WHERE seq = 2", ["forged", new_hash]
        )
    _, broken = audit_chain_verify()
    assert broken is not None and broken.seq == 3
    assert events[2].prev_hash != new_hash


def test_truncating_the_tail_is_caught():
    """GIVEN five rows WHEN the last two are deleted THEN the chain head disagrees."""
    _append(5)
    _drop_guard()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq > 3")
    checked, broken = audit_chain_verify()
    assert checked == 3
    assert broken is not None and broken.seq == 5


def test_audit_verify_command(capsys):
    """GIVEN a clean log WHEN `audit_verify` runs THEN it passes; after a direct edit it
    exits with an error naming the row."""
    _append(3)
    call_command("audit_verify", "--json")
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out == {"ok": True, "checked": 3, "broken_seq": None, "reason": None}
    _drop_guard()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_label = 'mallory' WHERE seq = 2")
    with pytest.raises(CommandError, match="#2"):
        call_command("audit_verify", verbosity=0)
    with pytest.raises(SystemExit):
        call_command("audit_verify", "--json")
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["ok"] is False and out["broken_seq"] == 2


def test_database_refuses_plain_updates():
    """GIVEN the append-only trigger WHEN a script updates an event with plain SQL
    THEN the database refuses and the row is unchanged."""
    from django.db import DatabaseError, transaction

    (event,) = _append(1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET verb = 'forged' WHERE seq = 1")
    assert AuditEvent.objects.get(pk=event.pk).verb == "probe.write"
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE seq = 1")
        assert AuditEvent.objects.filter(pk=event.pk).exists()
