"""Writing edXML envelopes and status messages (vn-rules.md §3.2-3.5).

The layout follows the platform's samples (``edoc_new.edxml``, ``status_*.edxml``): the
root ``edXML`` in the standard's default namespace, the envelope with the ``edXML:``
prefix, every From/To sub-element present (the Bkav checker wants them, even empty),
dates as ``yyyy/MM/dd``, the signature in edXMLHeader after TraceHeaderList, and
``AttachmentEncoded`` after the envelope with each file zipped and base64-encoded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext_noop
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no stubs

from . import attachments as wire_attachments
from .codes import NS
from .errors import EdxmlError
from .model import EdocMessage, Organization, ResponseFor, StatusMessage
from .parse import normalize_status_code
from .signature import placeholder, sign
from .wire import format_date, format_timestamp


def _tag(name: str) -> str:
    return f"{{{NS}}}{name}"


def _add(parent: etree._Element, name: str, value: Any = None) -> etree._Element:
    element = etree.SubElement(parent, _tag(name))
    if value is None:
        return element
    if isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, date):
        element.text = format_date(value)
    else:
        element.text = str(value)
    return element


def _or_empty(value: Any) -> Any:
    """The value, or "" for None: an element that is present but empty."""
    return "" if value is None else value


def _add_optional(parent: etree._Element, name: str, value: Any) -> None:
    if value is not None:
        _add(parent, name, value)


def _organization(parent: etree._Element, name: str, organization: Organization) -> None:
    element = _add(parent, name)
    _add(element, "OrganId", organization.organ_id)
    _add(element, "OrganizationInCharge", organization.organization_in_charge)
    _add(element, "OrganName", organization.organ_name)
    _add(element, "OrganAdd", organization.address)
    _add(element, "Email", organization.email)
    _add(element, "Telephone", organization.telephone)
    _add(element, "Fax", organization.fax)
    _add(element, "Website", organization.website)


def _response_for(parent: etree._Element, response: ResponseFor) -> None:
    element = _add(parent, "ResponseFor")
    _add(element, "OrganId", response.organ_id)
    _add(element, "Code", response.code)
    _add(element, "PromulgationDate", _or_empty(response.promulgation_date))
    _add(element, "DocumentId", response.document_id)


def _skeleton() -> tuple[etree._Element, etree._Element, etree._Element]:
    """(root, edXMLEnvelope, edXMLHeader)."""
    root = etree.Element(_tag("edXML"), nsmap={None: NS})
    envelope = etree.SubElement(root, _tag("edXMLEnvelope"), nsmap={"edXML": NS})
    header = etree.SubElement(envelope, _tag("edXMLHeader"))
    return root, envelope, header


def _staff(parent: etree._Element, department: str, name: str, email: str, mobile: str) -> None:
    staff = _add(parent, "StaffInfo")
    _add(staff, "Department", department)
    _add(staff, "Staff", name)
    _add(staff, "Email", email)
    _add(staff, "Mobile", mobile)


def _finish(
    root: etree._Element,
    header: etree._Element,
    *,
    signing_key: Any,
    signing_chain: Sequence[Any],
) -> bytes:
    etree.indent(root, space="  ")
    if signing_key is not None:
        header.append(placeholder())
        # Indentation comes before signing: the signature covers every byte after it.
        root = sign(root, key=signing_key, chain=signing_chain)
    elif signing_chain:
        raise EdxmlError(gettext_noop("A signing_chain was given without a signing_key."))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _guard(builder: Any, message: Any) -> Any:
    try:
        return builder(message)
    except ValueError as exc:
        if isinstance(exc, EdxmlError):
            raise
        # lxml refuses control characters and other text XML 1.0 cannot carry.
        raise EdxmlError(
            gettext_noop("A field holds characters that XML cannot carry: %(error)s"),
            error=str(exc)[:200],
        ) from exc


def _edoc_tree(message: EdocMessage) -> tuple[etree._Element, etree._Element]:
    root, envelope, header = _skeleton()
    mh = _add(header, "MessageHeader")
    _organization(mh, "From", message.sender)
    for recipient in message.recipients:
        _organization(mh, "To", recipient)
    _add(mh, "DocumentId", message.document_id)
    code = _add(mh, "Code")
    _add(code, "CodeNumber", message.code_number)
    _add(code, "CodeNotation", message.code_notation)
    promulgation = _add(mh, "PromulgationInfo")
    _add(promulgation, "Place", message.place)
    _add(promulgation, "PromulgationDate", _or_empty(message.promulgation_date))
    document_type = _add(mh, "DocumentType")
    _add(document_type, "Type", message.type)
    _add_optional(document_type, "TypeDetail", message.type_detail)
    _add(document_type, "TypeName", message.type_name)
    _add(mh, "Subject", message.subject)
    _add(mh, "Content", message.content)
    if message.signer is not None:
        signer = _add(mh, "SignerInfo")
        _add(signer, "Competence", message.signer.competence)
        _add(signer, "Position", message.signer.position)
        _add(signer, "FullName", message.signer.full_name)
    _add(mh, "DueDate", _or_empty(message.due_date))
    other = _add(mh, "OtherInfo")
    _add(other, "Priority", message.priority)
    _add(other, "SphereOfPromulgation", message.sphere)
    _add(other, "TyperNotation", message.typer_notation)
    _add(other, "PromulgationAmount", _or_empty(message.promulgation_amount))
    _add(other, "PageAmount", _or_empty(message.page_amount))
    _add_optional(other, "Direction", message.direction)
    appendixes = _add(other, "Appendixes")
    for appendix in message.appendixes:
        _add(appendixes, "Appendix", appendix)
    for response in message.response_for:
        _response_for(mh, response)
    _add_optional(mh, "SteeringType", message.steering_type)
    places = _add(mh, "ToPlaces")
    for place in message.to_places:
        _add(places, "Place", place)

    trace_list = _add(header, "TraceHeaderList")
    for organ_id, stamp in message.trace:
        hop = _add(trace_list, "TraceHeader")
        _add(hop, "OrganId", organ_id)
        _add(hop, "Timestamp", format_timestamp(stamp))
    business = message.business
    bussiness = _add(trace_list, "Bussiness")
    if business.document_id:
        _add(bussiness, "DocumentId", business.document_id)
    _add(bussiness, "BussinessDocType", business.doc_type)
    _add(bussiness, "BussinessDocReason", business.reason)
    _add(bussiness, "Paper", business.paper)
    if (
        business.document_info_changed is not None
        or business.document_receiver_changed is not None
        or business.receivers
    ):
        info = _add(bussiness, "BussinessDocumentInfo")
        _add_optional(info, "DocumentInfo", business.document_info_changed)
        _add_optional(info, "DocumentReceiver", business.document_receiver_changed)
        receivers = _add(info, "ReceiverList")
        for organ_id, receiver_type in business.receivers:
            receiver = _add(receivers, "Receiver")
            _add(receiver, "OrganId", organ_id)
            _add(receiver, "ReceiverType", receiver_type)
    if business.replaced_document_ids:
        replacements = _add(bussiness, "ReplacementInfoList")
        for document_id in business.replaced_document_ids:
            replacement = _add(replacements, "ReplacementInfo")
            _add(replacement, "DocumentId", document_id)
            organs = _add(replacement, "OrganIdList")
            for organ_id in business.replacement_organ_ids:
                _add(organs, "OrganId", organ_id)
    _staff(
        bussiness,
        business.staff_department,
        business.staff_name,
        business.staff_email,
        business.staff_mobile,
    )

    manifest = _add(_add(envelope, "edXMLBody"), "edXMLManifest")
    manifest.set("version", "1.0")
    encoded = etree.SubElement(root, _tag("AttachmentEncoded"))
    for index, attachment in enumerate(message.attachments, start=1):
        content_id = attachment.content_id or f"cid:{index}"
        # The manifest carries the file's own type, AttachmentEncoded the wire type (zip),
        # as the VPCP SDK's builder does.
        reference = _add(manifest, "Reference")
        _add(reference, "ContentId", content_id)
        _add(reference, "ContentType", attachment.content_type)
        _add(reference, "Description", attachment.description)
        _add(reference, "AttachmentName", attachment.name)
        element = _add(encoded, "Attachment")
        _add(element, "ContentId", content_id)
        _add(element, "AttachmentName", attachment.name)
        _add(element, "Description", attachment.description)
        _add(element, "ContentType", "application/zip")
        _add(
            element,
            "ContentTransferEncoded",
            wire_attachments.encode(attachment.name, attachment.data),
        )
    return root, header


def _status_tree(message: StatusMessage) -> tuple[etree._Element, etree._Element]:
    root, _envelope, header = _skeleton()
    mh = _add(header, "MessageHeader")
    _organization(mh, "From", message.sender)
    _response_for(mh, message.response_for)
    _staff(
        mh, message.staff_department, message.staff_name, message.staff_email, message.staff_mobile
    )
    _add(mh, "StatusCode", normalize_status_code(message.status_code))
    _add(mh, "Description", message.description)
    _add(mh, "Timestamp", format_timestamp(message.timestamp))
    return root, header


def build_edoc(
    message: EdocMessage, *, signing_key: Any = None, signing_chain: Sequence[Any] = ()
) -> bytes:
    """The edXML bytes of a document envelope, signed when ``signing_key`` is given.

    Args:
        message: what to send.
        signing_key: the node's envelope key (RSA or EC), or None for an unsigned envelope.
        signing_chain: the key's certificate first, then its CAs (``x509.Certificate``,
            DER or PEM bytes); written in X509Data.

    Raises:
        EdxmlError: a field cannot be written (control characters), an attachment name is a
            path or an attachment is too large, or the key and chain do not fit.
    """
    root, header = _guard(_edoc_tree, message)
    return _finish(root, header, signing_key=signing_key, signing_chain=signing_chain)


def build_status(
    message: StatusMessage, *, signing_key: Any = None, signing_chain: Sequence[Any] = ()
) -> bytes:
    """The edXML bytes of a status message, signed when ``signing_key`` is given.

    Raises:
        EdxmlError: a reserved status code (vn-rules.md §3.6), a field that cannot be
            written, or a key and chain that do not fit.
    """
    root, header = _guard(_status_tree, message)
    return _finish(root, header, signing_key=signing_key, signing_chain=signing_chain)


def document_id_for(
    organ_id: str, promulgation_date: date | None, code_number: str, code_notation: str
) -> str:
    """The global DocumentId ``OrganId,yyyy/MM/dd,Số/Ký hiệu`` (vn-rules.md §3.3).

    A missing date is written empty, a missing ký hiệu leaves the number alone.
    """
    day = format_date(promulgation_date) if promulgation_date is not None else ""
    code = f"{code_number}/{code_notation}" if code_notation else code_number
    return f"{organ_id},{day},{code}"
