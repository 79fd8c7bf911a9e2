"""Reading edXML envelopes and status messages (vn-rules.md §3.2-3.6).

Lenient where the field is messy (stray bytes before the declaration, both date forms,
empty optional elements, organisation ids of any length), strict where a wrong value
would be misread (a number that is no number, a reserved status code, a damaged
attachment): those are refused with a one-line reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from django.utils.translation import gettext_noop
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no stubs

from . import attachments as wire_attachments
from .codes import NS, STATUS_CODES
from .errors import EdxmlError
from .model import (
    Attachment,
    Business,
    EdocMessage,
    Organization,
    ParsedMessage,
    ResponseFor,
    Signer,
    StatusMessage,
)
from .signature import check_tree
from .wire import parse_date, parse_timestamp
from .xmlload import DEFAULT_MAX_BYTES, load


def _tags(name: str) -> tuple[str, str]:
    # The standard's namespace, or none: some builders write AttachmentEncoded's children
    # without one.
    return f"{{{NS}}}{name}", name


def children(parent: etree._Element | None, name: str) -> Iterator[etree._Element]:
    """The child elements of ``parent`` named ``name`` (edXML namespace or none)."""
    if parent is None:
        return
    tags = _tags(name)
    for child in parent:
        if isinstance(child.tag, str) and child.tag in tags:
            yield child


def child(parent: etree._Element | None, name: str, *, path: str = "") -> etree._Element | None:
    """The one child named ``name``, or None.

    Raises:
        EdxmlError: it appears more than once (which one would be meant?).
    """
    found = list(children(parent, name))
    if len(found) > 1:
        raise EdxmlError(
            gettext_noop("%(element)s appears more than once."), element=f"{path}{name}"
        )
    return found[0] if found else None


def text(parent: etree._Element | None, name: str, *, path: str = "") -> str:
    """The stripped text of the child ``name`` ("" when missing or empty)."""
    element = child(parent, name, path=path)
    if element is None or element.text is None:
        return ""
    return element.text.strip()


def _int(parent: etree._Element | None, name: str, *, path: str) -> int | None:
    value = text(parent, name, path=path)
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise EdxmlError(
            gettext_noop("%(element)s is not a whole number: %(value)s"),
            element=f"{path}{name}",
            value=value[:40],
        ) from exc


def _date(parent: etree._Element | None, name: str, *, path: str) -> date | None:
    value = text(parent, name, path=path)
    return parse_date(value, element=f"{path}{name}") if value else None


def _bool(parent: etree._Element | None, name: str, *, path: str) -> bool | None:
    value = text(parent, name, path=path).lower()
    if not value:
        return None
    if value in {"true", "1"}:
        return True
    if value in {"false", "0"}:
        return False
    raise EdxmlError(
        gettext_noop("%(element)s is not true or false: %(value)s"),
        element=f"{path}{name}",
        value=value[:40],
    )


def _organization(element: etree._Element, *, path: str) -> Organization:
    organ_id = text(element, "OrganId", path=path)
    if not organ_id:
        raise EdxmlError(gettext_noop("%(element)s has no OrganId."), element=path.rstrip("/"))
    return Organization(
        organ_id=organ_id,
        organ_name=text(element, "OrganName", path=path),
        organization_in_charge=text(element, "OrganizationInCharge", path=path),
        address=text(element, "OrganAdd", path=path),
        email=text(element, "Email", path=path),
        telephone=text(element, "Telephone", path=path),
        fax=text(element, "Fax", path=path),
        website=text(element, "Website", path=path),
    )


def _response_for(element: etree._Element, *, path: str) -> ResponseFor:
    return ResponseFor(
        organ_id=text(element, "OrganId", path=path),
        code=text(element, "Code", path=path),
        promulgation_date=_date(element, "PromulgationDate", path=path),
        document_id=text(element, "DocumentId", path=path),
    )


def _is_empty(element: etree._Element) -> bool:
    return not any((e.text or "").strip() for e in element.iter() if isinstance(e.tag, str))


def header_parts(root: etree._Element) -> tuple[etree._Element, etree._Element]:
    """(edXMLHeader, MessageHeader).

    Raises:
        EdxmlError: either is missing.
    """
    envelope = child(root, "edXMLEnvelope")
    header = child(envelope, "edXMLHeader", path="edXMLEnvelope/")
    message_header = child(header, "MessageHeader", path="edXMLHeader/")
    if envelope is None or header is None or message_header is None:
        raise EdxmlError(
            gettext_noop("The envelope has no edXMLEnvelope/edXMLHeader/MessageHeader.")
        )
    return header, message_header


def kind_of(message_header: etree._Element) -> str:
    """ "status" when the header carries a StatusCode, else "edoc"."""
    return "status" if child(message_header, "StatusCode") is not None else "edoc"


def normalize_status_code(value: str) -> str:
    """Two digits, one of ``STATUS_CODES`` ("1" is read as "01").

    Raises:
        EdxmlError: empty, not a number, or a reserved code (vn-rules.md §3.6).
    """
    code = value.strip()
    if code.isdigit() and len(code) == 1:
        code = f"0{code}"
    if not code:
        raise EdxmlError(gettext_noop("The status message has no StatusCode."))
    if code not in STATUS_CODES:
        raise EdxmlError(
            gettext_noop(
                "Status code %(code)s is not one of QCVN 102:2016 (01-06, 13, 15, 16); "
                "other codes are reserved."
            ),
            code=code[:10],
        )
    return code


def _business(trace_list: etree._Element | None) -> Business:
    element = child(trace_list, "Bussiness", path="TraceHeaderList/")
    if element is None:
        return Business(doc_type=0)
    path = "Bussiness/"
    replaced: list[str] = []
    organ_ids: list[str] = []
    replacements = child(element, "ReplacementInfoList", path=path)
    for info in children(replacements, "ReplacementInfo"):
        replaced.append(text(info, "DocumentId", path=f"{path}ReplacementInfo/"))
        for organ in children(child(info, "OrganIdList"), "OrganId"):
            value = (organ.text or "").strip()
            if value and value not in organ_ids:
                organ_ids.append(value)
    update = child(element, "BussinessDocumentInfo", path=path)
    receivers: list[tuple[str, int]] = []
    for receiver in children(child(update, "ReceiverList"), "Receiver"):
        receiver_type = _int(receiver, "ReceiverType", path=f"{path}Receiver/")
        receivers.append(
            (
                text(receiver, "OrganId", path=f"{path}Receiver/"),
                receiver_type if receiver_type is not None else 0,
            )
        )
    staff = child(element, "StaffInfo", path=path)
    doc_type = _int(element, "BussinessDocType", path=path)
    paper = _int(element, "Paper", path=path)
    return Business(
        doc_type=doc_type if doc_type is not None else 0,
        reason=text(element, "BussinessDocReason", path=path),
        paper=paper if paper is not None else 0,
        replaced_document_ids=tuple(replaced),
        replacement_organ_ids=tuple(organ_ids),
        document_id=text(element, "DocumentId", path=path),
        document_info_changed=_int(update, "DocumentInfo", path=f"{path}BussinessDocumentInfo/"),
        document_receiver_changed=_int(
            update, "DocumentReceiver", path=f"{path}BussinessDocumentInfo/"
        ),
        receivers=tuple(receivers),
        staff_department=text(staff, "Department"),
        staff_name=text(staff, "Staff"),
        staff_email=text(staff, "Email"),
        staff_mobile=text(staff, "Mobile"),
    )


def _trace(trace_list: etree._Element | None) -> tuple[tuple[str, datetime], ...]:
    hops = []
    for hop in children(trace_list, "TraceHeader"):
        stamp = text(hop, "Timestamp", path="TraceHeader/")
        if not stamp:
            continue  # a hop without time says nothing usable
        hops.append(
            (
                text(hop, "OrganId", path="TraceHeader/"),
                parse_timestamp(stamp, element="TraceHeader/Timestamp"),
            )
        )
    return tuple(hops)


def _attachments(
    root: etree._Element, *, budget: wire_attachments.Budget
) -> tuple[Attachment, ...]:
    envelope = child(root, "edXMLEnvelope")
    manifest = child(child(envelope, "edXMLBody"), "edXMLManifest")
    references = {}
    for reference in children(manifest, "Reference"):
        content_id = text(reference, "ContentId", path="Reference/")
        if content_id:
            references[content_id] = reference
    out = []
    for index, element in enumerate(children(child(root, "AttachmentEncoded"), "Attachment"), 1):
        path = "Attachment/"
        content_id = text(element, "ContentId", path=path)
        reference = references.get(content_id)
        name = text(element, "AttachmentName", path=path) or text(
            reference, "AttachmentName", path="Reference/"
        )
        if not name:
            raise EdxmlError(gettext_noop("Attachment %(index)s has no name."), index=index)
        wire_attachments.check_name(name)
        encoded = child(element, "ContentTransferEncoded", path=path)
        data = wire_attachments.decode(
            (encoded.text or "") if encoded is not None else "", name=name, budget=budget
        )
        declared = [
            text(reference, "ContentType", path="Reference/"),
            text(element, "ContentType", path=path),
        ]
        out.append(
            Attachment(
                name=name,
                content_type=wire_attachments.resolve_type(declared, name, data),
                data=data,
                description=text(element, "Description", path=path)
                or text(reference, "Description", path="Reference/"),
                content_id=content_id,
            )
        )
    return tuple(out)


def read_edoc(
    root: etree._Element, *, budget: wire_attachments.Budget | None = None
) -> EdocMessage:
    """The document envelope held by ``root``.

    Raises:
        EdxmlError: a required part is missing or a value cannot be read.
    """
    header, mh = header_parts(root)
    path = "MessageHeader/"
    sender_element = child(mh, "From", path=path)
    if sender_element is None:
        raise EdxmlError(gettext_noop("The envelope has no sender (From)."))
    recipients = tuple(_organization(e, path="To/") for e in children(mh, "To"))
    if not recipients:
        raise EdxmlError(gettext_noop("The document has no recipient (To)."))
    code = child(mh, "Code", path=path)
    promulgation = child(mh, "PromulgationInfo", path=path)
    document_type = child(mh, "DocumentType", path=path)
    doc_type = _int(document_type, "Type", path="DocumentType/")
    if doc_type is None:
        raise EdxmlError(gettext_noop("The document has no DocumentType/Type."))
    signer_element = child(mh, "SignerInfo", path=path)
    signer = (
        Signer(
            competence=text(signer_element, "Competence", path="SignerInfo/"),
            position=text(signer_element, "Position", path="SignerInfo/"),
            full_name=text(signer_element, "FullName", path="SignerInfo/"),
        )
        if signer_element is not None
        else None
    )
    other = child(mh, "OtherInfo", path=path)
    other_path = "OtherInfo/"
    priority = _int(other, "Priority", path=other_path)
    trace_list = child(header, "TraceHeaderList", path="edXMLHeader/")
    return EdocMessage(
        sender=_organization(sender_element, path="From/"),
        recipients=recipients,
        document_id=text(mh, "DocumentId", path=path),
        code_number=text(code, "CodeNumber", path="Code/"),
        code_notation=text(code, "CodeNotation", path="Code/"),
        promulgation_date=_date(promulgation, "PromulgationDate", path="PromulgationInfo/"),
        subject=text(mh, "Subject", path=path),
        place=text(promulgation, "Place", path="PromulgationInfo/"),
        type=doc_type,
        type_detail=_int(document_type, "TypeDetail", path="DocumentType/"),
        type_name=text(document_type, "TypeName", path="DocumentType/"),
        content=text(mh, "Content", path=path),
        signer=signer,
        due_date=_date(mh, "DueDate", path=path),
        priority=priority if priority is not None else 0,
        steering_type=_int(mh, "SteeringType", path=path),
        to_places=tuple(
            (e.text or "").strip()
            for e in children(child(mh, "ToPlaces", path=path), "Place")
            if (e.text or "").strip()
        ),
        response_for=tuple(
            _response_for(e, path="ResponseFor/")
            for e in children(mh, "ResponseFor")
            if not _is_empty(e)
        ),
        business=_business(trace_list),
        trace=_trace(trace_list),
        sphere=text(other, "SphereOfPromulgation", path=other_path),
        typer_notation=text(other, "TyperNotation", path=other_path),
        promulgation_amount=_int(other, "PromulgationAmount", path=other_path),
        page_amount=_int(other, "PageAmount", path=other_path),
        direction=_bool(other, "Direction", path=other_path),
        appendixes=tuple(
            (e.text or "").strip()
            for e in children(child(other, "Appendixes", path=other_path), "Appendix")
            if (e.text or "").strip()
        ),
        attachments=_attachments(
            root,
            budget=budget or wire_attachments.Budget(wire_attachments.DEFAULT_MAX_UNZIPPED_BYTES),
        ),
    )


def read_status(root: etree._Element) -> StatusMessage:
    """The status message held by ``root``.

    Raises:
        EdxmlError: a required part is missing, a value cannot be read, or the code is
            reserved.
    """
    _header, mh = header_parts(root)
    path = "MessageHeader/"
    sender_element = child(mh, "From", path=path)
    if sender_element is None:
        raise EdxmlError(gettext_noop("The envelope has no sender (From)."))
    response_element = child(mh, "ResponseFor", path=path)
    if response_element is None or _is_empty(response_element):
        raise EdxmlError(gettext_noop("The status message has no ResponseFor."))
    stamp = text(mh, "Timestamp", path=path)
    if not stamp:
        raise EdxmlError(gettext_noop("The status message has no Timestamp."))
    staff = child(mh, "StaffInfo", path=path)
    return StatusMessage(
        sender=_organization(sender_element, path="From/"),
        response_for=_response_for(response_element, path="ResponseFor/"),
        status_code=normalize_status_code(text(mh, "StatusCode", path=path)),
        description=text(mh, "Description", path=path),
        timestamp=parse_timestamp(stamp, element="Timestamp"),
        staff_department=text(staff, "Department", path="StaffInfo/"),
        staff_name=text(staff, "Staff", path="StaffInfo/"),
        staff_email=text(staff, "Email", path="StaffInfo/"),
        staff_mobile=text(staff, "Mobile", path="StaffInfo/"),
    )


def parse(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_unzipped_bytes: int = wire_attachments.DEFAULT_MAX_UNZIPPED_BYTES,
    max_ratio: int = wire_attachments.DEFAULT_MAX_RATIO,
) -> ParsedMessage:
    """Read an edXML envelope or status message, and check its signature.

    Stray printable bytes before the XML (the platform's samples start with ``1212``)
    are skipped: see ``xmlload.strip_junk`` for why that is safe.

    When the signature is valid, every field is read from the element signxml returns
    (the document exactly as signed, re-parsed from its canonical form), never from the
    input tree: reading the input would let an attacker wrap signed content and place
    unsigned elements where the reader looks (signature-wrapping attacks; signxml's own
    rule). Otherwise the fields are read from the input and the report says why the
    signature does not vouch for them.

    Args:
        data: the bytes received.
        max_bytes: refuse larger input.
        max_unzipped_bytes: refuse attachments that unzip to more, in total.
        max_ratio: refuse a zip entry that inflates more than this (above 1 MiB).

    Raises:
        EdxmlError: the input is refused; ``str()`` is the one-line reason.
    """
    root = load(data, max_bytes=max_bytes)
    report, verified = check_tree(root)
    source = verified if verified is not None else root
    _header, message_header = header_parts(source)
    budget = wire_attachments.Budget(remaining=max_unzipped_bytes, max_ratio=max_ratio)
    if kind_of(message_header) == "status":
        return ParsedMessage(
            kind="status", message=read_status(source), signature=report, raw=bytes(data)
        )
    return ParsedMessage(
        kind="edoc", message=read_edoc(source, budget=budget), signature=report, raw=bytes(data)
    )
