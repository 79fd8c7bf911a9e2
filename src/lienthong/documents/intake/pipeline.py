"""Run the intake steps on one file (issue #7 scope 1)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lienthong.documents.intake import steps
from lienthong.documents.intake.contract import IntakeItem, IntakeRefused

__all__ = ["STEPS", "IntakeItem", "IntakeRefused", "intake_run"]

Step = Callable[[IntakeItem], None]

#: The chain, in order (see ``contract`` for what each step may rely on).
STEPS: tuple[Step, ...] = (steps.preflight, steps.quality, steps.convert, steps.ocr)


def intake_run(*, data: bytes, name: str, chain: Sequence[Step] = STEPS) -> IntakeItem:
    """Take one scan through the chain.

    Raises:
        IntakeRefused: a step stopped the intake; nothing was made.
    """
    item = IntakeItem(data=data, name=name)
    for step in chain:
        step(item)
    return item
