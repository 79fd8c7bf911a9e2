"""Hooks that higher apps register to act on a document's handling steps (DESIGN.md "hooks").

``exchange`` sends a status message back to the sender of a received document at every
step of its handling (vn-rules.md §3.6: 03 registered, 04 assigned, 05 in progress,
06 done with the answer's number), so the sender sees where its document stands.

Contract: a hook is called as ``hook(document, step, data)`` inside the transaction of
the service that made the step, after the step is saved; ``step`` is one of
``HANDLING_STEPS``; ``data`` may hold ``"answer"`` (the answer document, for
``"done"``) and ``"note"``. A hook that raises rolls the step back.

``recall_hooks`` are told when an issued document is recalled (NĐ 30 Điều 18,
Phụ lục VI III.8): ``hook(document, reason)``, inside ``document_recall``'s transaction
after the document is frozen; ``exchange`` asks every recipient to take it back
(status 13). A hook that raises rolls the recall back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "HANDLING_STEPS",
    "HandlingHook",
    "RecallHook",
    "handling_hooks",
    "recall_hooks",
    "run_handling_hooks",
    "run_recall_hooks",
]

#: The steps a hook is told of.
HANDLING_STEPS = ("registered", "assigned", "in_progress", "done")

HandlingHook = Callable[[Any, str, dict[str, Any]], None]

RecallHook = Callable[[Any, str], None]

#: Registered by higher apps in their ``AppConfig.ready()``.
handling_hooks: list[HandlingHook] = []
recall_hooks: list[RecallHook] = []


def run_handling_hooks(document: Any, step: str, **data: Any) -> None:
    """Call every registered hook with ``document``, ``step`` and ``data``."""
    if step not in HANDLING_STEPS:  # pragma: no cover - a programming error
        raise ValueError(f"unknown handling step {step!r}")
    for hook in list(handling_hooks):
        hook(document, step, dict(data))


def run_recall_hooks(document: Any, reason: str) -> None:
    """Call every registered recall hook with ``document`` and ``reason``."""
    for hook in list(recall_hooks):
        hook(document, reason)
