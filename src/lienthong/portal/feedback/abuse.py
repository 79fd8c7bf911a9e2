"""Protection of the public feedback form against abuse, without any external service.

Three guards, each cheap and each usable behind several web servers:

1. **A rate limit per client address**: at most ``FEEDBACK_RATE_LIMIT`` submissions
   (default 5) per address in a window of ``FEEDBACK_RATE_WINDOW`` seconds (default 60),
   counted in Django's cache with ``cache.add`` + ``cache.incr`` (atomic on Redis and on
   the local-memory cache). With ``LIENTHONG_REDIS_URL`` set, the count is shared by every
   web server; in the embedded mode (one process) the local cache is enough. Beyond the
   limit the form answers HTTP 429 and stores nothing.
2. **A honeypot field**: an input a person never sees (hidden by a CSS class, labelled
   "leave empty", no autocomplete) that form-filling robots fill in. A filled honeypot
   drops the submission silently: the page says "received" but nothing is stored and no
   code is given; the drop is recorded in the audit log (``feedback.dropped``).
3. **A question challenge**: a small sum ("3 + 4 = ?") whose expected answer travels in
   a hidden field, hashed and signed with ``django.core.signing.TimestampSigner`` (valid
   one hour). A wrong or expired answer brings the form back with a new question; a
   solved question is spent once (remembered in the cache for its hour).

Neither the cache nor the database ever holds a raw address: both use
``address_hash`` (an HMAC-SHA256 keyed with ``SECRET_KEY``).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac

__all__ = [
    "CHALLENGE_MAX_AGE",
    "HONEYPOT_FIELD",
    "Challenge",
    "address_hash",
    "challenge_check",
    "challenge_new",
    "client_address",
    "rate_limit_hit",
]

logger = logging.getLogger(__name__)

#: The name of the honeypot input: plausible to a robot ("website"), never shown.
HONEYPOT_FIELD = "website"

#: How long a question may be answered, in seconds.
CHALLENGE_MAX_AGE = 3600

_SALT_ADDRESS = "lienthong.portal.feedback.address"
_SALT_CHALLENGE = "lienthong.portal.feedback.challenge"
_SALT_ANSWER = "lienthong.portal.feedback.answer"


def client_address(request: HttpRequest) -> str:
    """The client's network address: ``REMOTE_ADDR`` only.

    Behind a reverse proxy (nginx) ``REMOTE_ADDR`` is the proxy's address unless the
    proxy rewrites it (nginx ``real_ip_module`` with ``set_real_ip_from``, or the WSGI
    server's ``--forwarded-allow-ips``). ``X-Forwarded-For`` is deliberately not read:
    anyone can write it, and counting trusted proxy hops
    (a ``LIENTHONG_TRUSTED_PROXY_COUNT`` setting) is not implemented.
    """
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def address_hash(address: str) -> str:
    """A salted SHA-256 (HMAC keyed with ``SECRET_KEY``) of a network address: the same
    address always gives the same hash on this node, and the address cannot be read
    back from it."""
    return salted_hmac(_SALT_ADDRESS, address, algorithm="sha256").hexdigest()


def _limit() -> int:
    return int(getattr(settings, "FEEDBACK_RATE_LIMIT", 5))


def _window() -> int:
    return max(1, int(getattr(settings, "FEEDBACK_RATE_WINDOW", 60)))


def rate_limit_hit(address: str) -> bool:
    """Count one submission from ``address``; True when it is beyond the limit.

    Every submission counts, taken or not (a robot cannot try answers to the question
    faster than the limit). The window is fixed: the count starts at the first
    submission and ends ``FEEDBACK_RATE_WINDOW`` seconds later.
    """
    key = f"feedback:rate:{address_hash(address)}"
    window = _window()
    if cache.add(key, 1, timeout=window):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: a new window
            cache.add(key, 1, timeout=window)
            count = 1
    if count > _limit():
        logger.warning("feedback: rate limit reached (%s submissions in the window)", count)
        return True
    return False


@dataclass(frozen=True)
class Challenge:
    """A question and its signed token (the hidden field)."""

    a: int
    b: int
    token: str

    @property
    def question(self) -> str:
        """ "3 + 4 = ?" """
        return f"{self.a} + {self.b} = ?"


def _answer_digest(nonce: str, answer: int) -> str:
    return salted_hmac(_SALT_ANSWER, f"{nonce}:{answer}", algorithm="sha256").hexdigest()


def challenge_new() -> Challenge:
    """A new question: the sum of two numbers from 1 to 9."""
    a = secrets.randbelow(9) + 1
    b = secrets.randbelow(9) + 1
    nonce = secrets.token_urlsafe(12)
    token = signing.TimestampSigner(salt=_SALT_CHALLENGE).sign_object(
        {"n": nonce, "h": _answer_digest(nonce, a + b)}
    )
    return Challenge(a=a, b=b, token=token)


def challenge_check(token: str, answer: str) -> bool:
    """True when ``answer`` solves the question of ``token``, signed here less than an
    hour ago and not solved before (a solved question is spent)."""
    try:
        payload = signing.TimestampSigner(salt=_SALT_CHALLENGE).unsign_object(
            token or "", max_age=CHALLENGE_MAX_AGE
        )
        nonce = str(payload["n"])
        expected = str(payload["h"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return False
    raw = (answer or "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3):
        return False
    if not constant_time_compare(_answer_digest(nonce, int(raw)), expected):
        return False
    return bool(cache.add(f"feedback:challenge:{nonce}", 1, timeout=CHALLENGE_MAX_AGE))
