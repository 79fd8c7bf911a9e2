"""Specs and results of the PAdES facade (STYLE habit 20: frozen dataclasses).

Nothing here imports pyHanko: callers may build specs and read reports without it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from lienthong.trust.choices import KeyStorage
from lienthong.trust.errors import KeyUnavailable
from lienthong.trust.models import Certificate

__all__ = [
    "LEVELS",
    "VERDICTS",
    "Level",
    "SignatureReport",
    "SignerSpec",
    "StampKind",
    "StampSpec",
    "TextFieldSpec",
    "TimestampReport",
    "TokenKey",
    "ValidationReport",
    "Verdict",
]

#: PAdES baseline levels (ETSI EN 319 142-1): B-B a bare signature, B-T with a signature
#: timestamp, B-LT with the validation data embedded, B-LTA with a document timestamp.
Level = Literal["B-B", "B-T", "B-LT", "B-LTA"]
LEVELS: tuple[str, ...] = ("B-B", "B-T", "B-LT", "B-LTA")

Verdict = Literal["valid", "valid_with_warnings", "invalid", "unknown", "unsigned"]
VERDICTS: tuple[str, ...] = ("valid", "valid_with_warnings", "invalid", "unknown", "unsigned")

_VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

StampKind = Literal["person", "seal", "top_right"]


@dataclass(frozen=True)
class TokenKey:
    """A private key on a PKCS#11 token (a USB token, an HSM, SoftHSM2 in tests).

    Attributes:
        token_label: the token's label.
        key_label: the label of the private key object on the token.
        pin: the user PIN; used once to open the session, never stored.
        module_path: the PKCS#11 module; ``settings.PKCS11_MODULE`` when empty.
    """

    token_label: str
    key_label: str
    pin: str = field(repr=False)
    module_path: str = ""


@dataclass(frozen=True)
class SignerSpec:
    """Who signs and how to reach the private key.

    Attributes:
        certificate: the signer's certificate row; its chain is followed through
            ``certificate.issuer`` up to the root.
        token: the key on a PKCS#11 token; ``None`` means the key is held encrypted
            by the node (``certificate.key``) and is decrypted in memory for one use.
    """

    certificate: Certificate
    token: TokenKey | None = None

    @classmethod
    def for_certificate(cls, certificate: Certificate, *, pin: str | None = None) -> SignerSpec:
        """The spec for ``certificate`` wherever its key is kept.

        Args:
            certificate: the signer's certificate.
            pin: the token PIN, needed when the key is on a PKCS#11 token.

        Raises:
            KeyUnavailable: the node has no way to use this certificate's key.
        """
        key = certificate.key
        if key is None or key.storage == KeyStorage.NONE:
            raise KeyUnavailable(f"The key of {certificate.common_name} is not held by this node")
        if key.storage == KeyStorage.PKCS11:
            if not pin:
                raise KeyUnavailable("The key is on a token: the token PIN is needed")
            return cls(
                certificate=certificate,
                token=TokenKey(
                    token_label=key.token_label,
                    key_label=key.token_key_label or key.label,
                    pin=pin,
                ),
            )
        return cls(certificate=certificate)


@dataclass(frozen=True)
class StampSpec:
    """The visible appearance of a signature (vn-rules.md §1.9, NĐ 30 Phụ lục I).

    Attributes:
        kind: ``person`` (box 7c: title, handwriting image in blue, name),
            ``seal`` (box 8: the red seal overlapping the left third of the person's
            signature image) or ``top_right`` (an attachment or an electronic copy:
            text only, top right of the first page, Times-metric 10 pt, black).
        title: the signer's title line(s), e.g. "TM. BAN THƯỜNG VỤ\\nBÍ THƯ" (person).
        name: the signer's full name (person).
        image_png: the handwriting (person) or seal (seal) image, transparent PNG.
        image_width_mm: the printed width of the image (a seal is shown actual size).
        text_lines: the lines of a ``top_right`` stamp ("Số: 12/CV-ĐU"); the signing
            time in ISO 8601 (+07:00) is always added.
        page: page index (negative counts from the end); ``top_right`` is always page 0.
        box: the field rectangle (x1, y1, x2, y2) in PDF points; a default is chosen
            when ``None`` (bottom right of the last page for a person; over the last
            person signature for a seal; top right of page 1 for ``top_right``).
    """

    kind: StampKind
    title: str = ""
    name: str = ""
    image_png: bytes | None = field(default=None, repr=False)
    image_width_mm: float = 35.0
    text_lines: tuple[str, ...] = ()
    page: int = -1
    box: tuple[float, float, float, float] | None = None


TextStyle = Literal["regular", "italic", "bold"]
TextAlign = Literal["left", "center", "right"]


@dataclass(frozen=True)
class TextFieldSpec:
    """A read-only text field filled after the person's signature (number, date).

    vn-rules.md §1.4: the clerk gives the number and date of issue after the signer
    has signed. The rendered document carries one text field for each, shown with
    ``value`` (blanks to fill by hand) until the unit's seal signature fills them:
    PAdES treats filling a form field as a permitted change, so the person's
    signature stays valid and the seal covers the filled values.

    Attributes:
        name: the field's name (``lienthong_number``).
        page: page index (negative counts from the end).
        box: the field rectangle (x1, y1, x2, y2) in PDF points from the bottom left.
        value: the text shown until the field is filled.
        font_size: in points.
        style: the face: ``regular``, ``italic`` or ``bold`` (Liberation Serif).
        align: ``left``, ``center`` or ``right`` in the box.
    """

    name: str
    page: int
    box: tuple[float, float, float, float]
    value: str = ""
    font_size: float = 13.0
    style: TextStyle = "regular"
    align: TextAlign = "center"


@dataclass(frozen=True)
class TimestampReport:
    """One document timestamp (PAdES B-LTA) found in a PDF."""

    field_name: str
    time: str
    intact: bool
    trusted: bool
    tsa: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "field_name": self.field_name,
            "time": self.time,
            "intact": self.intact,
            "trusted": self.trusted,
            "tsa": self.tsa,
        }


@dataclass(frozen=True)
class SignatureReport:
    """What a validator found about one signature.

    Attributes:
        field_name: the PDF form field holding the signature.
        signer: the common name of the signer's certificate.
        signed_at: the signing time, ISO 8601 in Vietnam's time zone: the trusted
            timestamp's time when there is one, else the time the signer claims.
        intact: the signed bytes are unchanged and the cryptographic signature holds.
        trusted: the certificate chains to a trust anchor and was valid then.
        revoked: the signer's certificate is revoked.
        timestamped: a valid timestamp covers the signature (its own or a later
            document timestamp).
        modified_after: the document was changed after this signature in a way that
            is not another signature, a timestamp or validation data.
        verdict: this signature's verdict.
        reasons: short English reasons for anything short of "valid".
        details: the chain's subjects, revocation evidence and its freshness, etc.
    """

    field_name: str
    signer: str
    signed_at: str | None
    intact: bool
    trusted: bool
    revoked: bool
    timestamped: bool
    modified_after: bool
    verdict: Verdict
    reasons: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the keys of issue #3's ``verify_pdf --json``)."""
        return {
            "field_name": self.field_name,
            "signer": self.signer,
            "signed_at": self.signed_at,
            "intact": self.intact,
            "trusted": self.trusted,
            "revoked": self.revoked,
            "timestamped": self.timestamped,
            "modified_after": self.modified_after,
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "details": self.details,
        }


@dataclass(frozen=True)
class ValidationReport:
    """The report on one PDF with one bottom-line verdict.

    ``verdict`` is ``unsigned`` without signatures, ``invalid`` if any signature is
    invalid, ``unknown`` if any cannot be traced to a trust anchor, then
    ``valid_with_warnings`` or ``valid``.
    """

    verdict: Verdict
    signatures: tuple[SignatureReport, ...]
    document_timestamps: tuple[TimestampReport, ...]
    sha256: str
    validated_at: dt.datetime
    trust_anchors: tuple[str, ...] = ()

    @property
    def bottom_line(self) -> bool:
        """True when the document can be relied upon (valid, possibly with warnings)."""
        return self.verdict in {"valid", "valid_with_warnings"}

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: ``{"verdict", "signatures": [...], ...}``."""
        return {
            "verdict": self.verdict,
            "signatures": [s.to_json() for s in self.signatures],
            "document_timestamps": [t.to_json() for t in self.document_timestamps],
            "sha256": self.sha256,
            "validated_at": self.validated_at.astimezone(_VIETNAM).isoformat(timespec="seconds"),
            "trust_anchors": list(self.trust_anchors),
        }
