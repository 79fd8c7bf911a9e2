"""The values carried by edXML envelopes and status messages (QCVN 102:2016).

Frozen dataclasses, so that ``parse(build_edoc(x)) == x`` can be stated and tested.
Dates are ``datetime.date``; timestamps are aware ``datetime`` (the wire has no zone:
it is Vietnam time, UTC+7, and naive values given to the builders are taken as such).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal


@dataclass(frozen=True)
class Organization:
    """A sender or recipient: From / To (vn-rules.md §3.3)."""

    organ_id: str
    """Mã định danh (QĐ 20/2020), e.g. ``000.00.00.H41``."""
    organ_name: str
    """OrganName."""
    organization_in_charge: str = ""
    """OrganizationInCharge: the parent body."""
    address: str = ""
    """OrganAdd."""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class Signer:
    """SignerInfo: who signed the paper or PDF document (not the envelope)."""

    competence: str
    """Quyền hạn, e.g. "TL. BỘ TRƯỞNG"."""
    position: str
    """Chức vụ."""
    full_name: str
    """Họ tên."""


@dataclass(frozen=True)
class ResponseFor:
    """The document a message answers (ResponseFor in MessageHeader)."""

    organ_id: str
    """For a document: the organisation that issued the answered document. For a status
    message: the organisation the status is addressed to."""
    code: str
    """Số/ký hiệu of the answered document, e.g. ``7816/VPCP-TTĐT``."""
    promulgation_date: date | None
    document_id: str
    """Its global DocumentId (``OrganId,yyyy/MM/dd,Số/Ký hiệu``)."""


@dataclass(frozen=True)
class Attachment:
    """A file of the document. ``data`` is the file itself; zip + base64 is the wire form."""

    name: str
    """AttachmentName: a plain file name (no directory)."""
    content_type: str
    """The file's media type, e.g. ``application/pdf``."""
    data: bytes = field(repr=False)
    """The file's bytes."""
    description: str = ""
    content_id: str = ""
    """ContentId (``cid:…``); ``build_edoc`` numbers empty ones ``cid:1``, ``cid:2``…"""


@dataclass(frozen=True)
class Business:
    """Bussiness in TraceHeaderList: new, recall, update or replacement (vn-rules.md §3.4)."""

    doc_type: int
    """BussinessDocType: 0 new, 1 recall, 2 update, 3 replacement."""
    reason: str = ""
    """BussinessDocReason, free text."""
    paper: int = 0
    """Paper: 1 when a paper copy is also sent."""
    replaced_document_ids: tuple[str, ...] = ()
    """For a replacement: the DocumentIds it replaces (ReplacementInfo/DocumentId)."""
    replacement_organ_ids: tuple[str, ...] = ()
    """For a replacement: the organisations concerned (ReplacementInfo/OrganIdList),
    written under every replaced DocumentId."""
    document_id: str = ""
    """Bussiness/DocumentId, when present (the document updated)."""
    document_info_changed: int | None = None
    """For an update: BussinessDocumentInfo/DocumentInfo (0/1, metadata changed)."""
    document_receiver_changed: int | None = None
    """For an update: BussinessDocumentInfo/DocumentReceiver (0/1, receivers changed)."""
    receivers: tuple[tuple[str, int], ...] = ()
    """For an update: ReceiverList as (OrganId, ReceiverType) pairs."""
    staff_department: str = ""
    """StaffInfo of the văn thư who sends it."""
    staff_name: str = ""
    staff_email: str = ""
    staff_mobile: str = ""


@dataclass(frozen=True, kw_only=True)
class EdocMessage:
    """A document envelope (gói tin văn bản, vn-rules.md §3.2-3.3)."""

    sender: Organization
    recipients: tuple[Organization, ...]
    document_id: str
    """The global id ``OrganId,yyyy/MM/dd,Số/Ký hiệu`` (see ``document_id_for``)."""
    code_number: str
    """Số."""
    code_notation: str
    """Ký hiệu."""
    promulgation_date: date | None
    subject: str
    """Trích yếu."""
    place: str = ""
    """Địa danh."""
    type: int = 1
    """DocumentType/Type: 1 or 2."""
    type_detail: int | None = None
    type_name: str = ""
    """DocumentType/TypeName, e.g. "Công văn"."""
    content: str = ""
    signer: Signer | None = None
    due_date: date | None = None
    priority: int = 0
    """OtherInfo/Priority, 0-4 (vn-rules.md §3.4)."""
    steering_type: int | None = None
    to_places: tuple[str, ...] = ()
    """ToPlaces/Place: the free-text "Nơi nhận" lines."""
    response_for: tuple[ResponseFor, ...] = ()
    business: Business = Business(doc_type=0)
    trace: tuple[tuple[str, datetime], ...] = ()
    """TraceHeaderList: (OrganId, Timestamp) hops."""
    sphere: str = ""
    """OtherInfo/SphereOfPromulgation."""
    typer_notation: str = ""
    promulgation_amount: int | None = None
    page_amount: int | None = None
    direction: bool | None = None
    """OtherInfo/Direction (meaning undocumented; kept as read)."""
    appendixes: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class StatusMessage:
    """A status message (gói tin trạng thái, vn-rules.md §3.5-3.6)."""

    sender: Organization
    response_for: ResponseFor
    """The document the status is about; its ``organ_id`` is the addressee."""
    status_code: str
    """Two digits, one of ``STATUS_CODES``."""
    description: str
    timestamp: datetime
    staff_department: str = ""
    staff_name: str = ""
    staff_email: str = ""
    staff_mobile: str = ""


SignatureState = Literal["valid", "invalid", "unverifiable", "absent"]


@dataclass(frozen=True)
class SignatureReport:
    """What is known of an envelope's XMLDSig signature; never raises, never guesses."""

    state: SignatureState
    """``valid``: the signature verifies (and chains to a trusted certificate when trust
    was asked for); ``invalid``: a digest or signature mismatch, or an untrusted signer;
    ``unverifiable``: it cannot be checked (certificate missing or unreadable,
    unsupported algorithm, malformed signature); ``absent``: no signature."""
    reason: str
    """One line of English explaining the state."""
    certificate_der: bytes | None = field(default=None, repr=False)
    """The signer's certificate (DER), when one was read."""
    chain_der: tuple[bytes, ...] = field(default=(), repr=False)
    """The other certificates the signature carries (DER; its issuing CAs), so that a
    receiver can build the path to its trust anchor."""


@dataclass(frozen=True)
class ParsedMessage:
    """The result of ``parse``."""

    kind: Literal["edoc", "status"]
    message: EdocMessage | StatusMessage
    signature: SignatureReport
    raw: bytes = field(repr=False)
    """The bytes as given to ``parse``."""
