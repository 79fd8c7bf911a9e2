"""The PAdES facade: the only place in lienthong that imports pyHanko (STYLE habit 20).

Sign PDFs (B-B … B-LTA, keys held encrypted or on PKCS#11 tokens, NĐ 30 stamps) and
validate any PDF into one report with a bottom-line verdict.
"""

from __future__ import annotations

from lienthong.trust.pades.context import RevocationData, local_revocation_data
from lienthong.trust.pades.forms import add_text_fields, add_top_right_fields, text_field_values
from lienthong.trust.pades.sign import SignatureField, sign_pdf, signature_fields
from lienthong.trust.pades.specs import (
    LEVELS,
    VERDICTS,
    Level,
    SignatureReport,
    SignerSpec,
    StampSpec,
    TextFieldSpec,
    TimestampReport,
    TokenKey,
    ValidationReport,
    Verdict,
)
from lienthong.trust.pades.validate import validate_pdf

__all__ = [
    "LEVELS",
    "VERDICTS",
    "Level",
    "RevocationData",
    "SignatureField",
    "SignatureReport",
    "SignerSpec",
    "StampSpec",
    "TextFieldSpec",
    "TimestampReport",
    "TokenKey",
    "ValidationReport",
    "Verdict",
    "add_text_fields",
    "add_top_right_fields",
    "local_revocation_data",
    "sign_pdf",
    "signature_fields",
    "text_field_values",
    "validate_pdf",
]
