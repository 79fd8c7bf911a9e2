"""edXML (QCVN 102:2016): build, parse, validate and sign envelopes and status messages.

A pure codec: no database, no models. The exchange services call it; ``lienthong edxml
parse|validate`` exposes it to operators. vn-rules.md §3 is the reference.
"""

from __future__ import annotations

from .build import build_edoc, build_status, document_id_for
from .codes import BUSINESS_DOC_TYPES, NS, PRIORITIES, STATUS_CODES, STEERING_TYPES
from .errors import EdxmlError, Problem
from .model import (
    Attachment,
    Business,
    EdocMessage,
    Organization,
    ParsedMessage,
    ResponseFor,
    SignatureReport,
    Signer,
    StatusMessage,
)
from .parse import parse
from .signature import verify_signature
from .validate import validate
from .xmlload import DEFAULT_MAX_BYTES

__all__ = [
    "BUSINESS_DOC_TYPES",
    "DEFAULT_MAX_BYTES",
    "NS",
    "PRIORITIES",
    "STATUS_CODES",
    "STEERING_TYPES",
    "Attachment",
    "Business",
    "EdocMessage",
    "EdxmlError",
    "Organization",
    "ParsedMessage",
    "Problem",
    "ResponseFor",
    "SignatureReport",
    "Signer",
    "StatusMessage",
    "build_edoc",
    "build_status",
    "document_id_for",
    "parse",
    "validate",
    "verify_signature",
]
