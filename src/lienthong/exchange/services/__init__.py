"""Exchange services: outbox, delivery, inbound verification, inbox, status messages.

DESIGN.md "the main path of a document", steps 4-7 (issue #5 scopes 3-5):

- ``envelopes_for_issued`` (the documents ``issued_hooks``): one signed edXML envelope
  per recipient *node* into the outbox, in the issuing transaction; a classified
  document addressed to a node on the Internet is refused there (vn-rules.md §5.2).
- ``outbox_deliver``: the worker takes due envelopes, most urgent first (Priority 3-4
  hỏa tốc before 0 thường, vn-rules.md §3.4), and delivers each: to this node through
  ``inbound_receive`` directly, to another node over HTTPS; failures are retried with
  exponential backoff and jitter until the retry budget is spent (dead letter).
- ``inbound_receive``: the one entrance for every envelope, local or remote: parse
  (hostile XML refused), check the sender's node signature against the directory and
  the trust anchors (chain, revocation), de-duplicate (a replay registers nothing),
  verify every PDF signature, put the document in each recipient unit's inbox and answer
  01 "đã đến"; anything wrong is kept in quarantine with its reason and answered 02
  where the sender is known.
- ``inbox_register`` / ``inbox_refuse`` and the handling hook: each step at the
  recipient (03, 04, 05, 06) goes back to the sender as a signed status message and is
  appended to the status trail on both sides; ``recall_send`` and the recipient's
  ``inbox_recall_accept`` / ``inbox_recall_refuse`` carry a recall (13 → 15/16).

The modules: ``outbox`` (what leaves), ``delivery`` (how it leaves), ``inbound`` (what
arrives), ``inbox`` (the recipient clerk's decisions), ``_common`` (what they share).
"""

from __future__ import annotations

from lienthong.exchange.services.delivery import (
    DeliveryError,
    DeliveryReport,
    envelope_redrive,
    outbox_deliver,
    outbox_probe,
)
from lienthong.exchange.services.inbound import (
    ReceiveOutcome,
    inbound_discard,
    inbound_receive,
    inbound_release,
)
from lienthong.exchange.services.inbox import (
    inbox_recall_accept,
    inbox_recall_refuse,
    inbox_refuse,
    inbox_register,
    on_handling_step,
)
from lienthong.exchange.services.outbox import (
    StatusSpec,
    envelopes_for_issued,
    on_document_issued,
    on_document_recalled,
    recall_send,
    status_send,
    status_send_many,
)

__all__ = [
    "DeliveryError",
    "DeliveryReport",
    "ReceiveOutcome",
    "StatusSpec",
    "envelope_redrive",
    "envelopes_for_issued",
    "inbound_discard",
    "inbound_receive",
    "inbound_release",
    "inbox_recall_accept",
    "inbox_recall_refuse",
    "inbox_refuse",
    "inbox_register",
    "on_document_issued",
    "on_document_recalled",
    "on_handling_step",
    "outbox_deliver",
    "outbox_probe",
    "recall_send",
    "status_send",
    "status_send_many",
]
