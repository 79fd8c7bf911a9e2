"""Fixed values of citizens' feedback (the deployment's own limits are settings:
``FEEDBACK_RATE_LIMIT``, ``FEEDBACK_RATE_WINDOW``, ``FEEDBACK_DEFAULT_UNIT``,
``FEEDBACK_MAX_ATTACHMENT_MB``)."""

from __future__ import annotations

__all__ = [
    "ACCEPTED_TYPES",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "CODE_PREFIX",
    "DEFAULT_ANSWER_DAYS",
    "MAX_ANSWER_CHARS",
    "MAX_TEXT_CHARS",
]

#: The tracking code: "GY-" and 10 characters from an alphabet without the look-alikes
#: 0/O, 1/I/L (31 symbols: 31**10, about 8 * 10**14 codes: not guessable).
CODE_PREFIX = "GY-"
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10

#: The longest text a citizen may send, and the longest answer.
MAX_TEXT_CHARS = 5000
MAX_ANSWER_CHARS = 10000

#: [INFERRED] Days a unit has to answer when a topic does not say otherwise.
DEFAULT_ANSWER_DAYS = 15

#: The attachment types accepted, recognised by their content (``files.sniff``).
ACCEPTED_TYPES = frozenset(
    {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/jpeg",
        "image/png",
    }
)
