"""How the shared permission matrix exercises the audit log (core/testing/matrix.py)."""

from __future__ import annotations

from typing import Any

from lienthong.audit.actors import SystemActor
from lienthong.audit.models import AuditEvent
from lienthong.audit.services import record
from lienthong.core.testing.matrix import ScopeCase


def _event_in(unit: Any) -> AuditEvent:
    return record(actor=SystemActor("matrix"), verb="probe.write", unit_id=unit.pk)


SCOPE_CASES = [ScopeCase(model=AuditEvent, make=_event_in)]
