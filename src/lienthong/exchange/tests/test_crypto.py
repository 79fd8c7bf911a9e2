"""End-to-end encryption of attachments (issue #5 scope 3)."""

from __future__ import annotations

from typing import Any

import pytest

from lienthong.exchange.crypto import DecryptError, decrypt, encrypt_for
from lienthong.org.models import Node
from lienthong.trust.pades.samples import sample_pdf
from lienthong.trust.tests.conftest import Pki, pki

__all__ = ["pki"]


def test_an_attachment_encrypted_to_this_node_opens_byte_for_byte(pki: Pki, world: Any) -> None:
    """GIVEN a PDF (binary, with line ends that S/MIME text mode would rewrite)
    WHEN it is encrypted to this node's encryption certificate and opened again
    THEN the bytes are the same, and the ciphertext does not contain them."""
    pdf = sample_pdf(pages=3) + b"\n%tail\r\n\x00\xff"
    node = Node.objects.get(is_local=True)

    sealed = encrypt_for(node, pdf)

    assert pdf[:200] not in sealed
    assert decrypt(sealed) == pdf


def test_something_not_encrypted_to_this_node_is_refused(pki: Pki, world: Any) -> None:
    """GIVEN bytes that are not an EnvelopedData for this node WHEN opened THEN refused."""
    with pytest.raises(DecryptError):
        decrypt(b"0\x82\x01\x00not cms")
