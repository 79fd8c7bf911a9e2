"""Encrypted private keys: opened once per process, never with the wrong passphrase."""

from __future__ import annotations

from typing import Any

import pytest

from lienthong.trust import keys
from lienthong.trust.errors import KeyUnavailable


def test_an_opened_key_is_reused_but_never_under_another_passphrase(settings: Any) -> None:
    """GIVEN a key encrypted with the node's key-encryption key and opened once
    WHEN it is opened again, then with the key-encryption key changed, then damaged
    THEN the second open returns the same key object (no PBKDF2 again); the changed
    passphrase and the damaged blob are refused, never served from the cache."""
    settings.KEY_ENCRYPTION_KEY = "first passphrase"
    key = keys.generate_private_key("ec-p256")
    blob = keys.encrypt_private_key(key)

    first = keys.decrypt_private_key(blob)
    again = keys.decrypt_private_key(blob)

    assert first is again
    assert first.private_numbers() == key.private_numbers()  # type: ignore[union-attr]
    settings.KEY_ENCRYPTION_KEY = "another passphrase"
    with pytest.raises(KeyUnavailable):
        keys.decrypt_private_key(blob)
    settings.KEY_ENCRYPTION_KEY = "first passphrase"
    with pytest.raises(KeyUnavailable):
        keys.decrypt_private_key(blob.replace(b"\n", b"\nX", 1)[:-40] + b"\n")


def test_the_cache_is_bounded(settings: Any, monkeypatch: Any) -> None:
    """GIVEN more keys opened than the cache holds THEN the oldest are dropped."""
    settings.KEY_ENCRYPTION_KEY = "passphrase"
    monkeypatch.setattr(keys, "_OPENED_MAX", 2)
    keys._OPENED.clear()
    blobs = [keys.encrypt_private_key(keys.generate_private_key("ec-p256")) for _ in range(3)]

    for blob in blobs:
        keys.decrypt_private_key(blob)

    assert [b for b, _p in keys._OPENED] == blobs[1:]
