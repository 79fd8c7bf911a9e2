"""Checking an envelope against the structure of QCVN 102:2016 (vn-rules.md §3.3-3.6).

``parse`` reads what it can; ``validate`` lists everything that is not as the standard
(and the Bkav checker, which §3.3 follows) wants it: required elements, lengths, code
lists, duplicate recipients, priority 0-4. The signature is not judged here: that is
``verify_signature``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.utils.translation import gettext_noop
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no stubs

from . import attachments as wire_attachments
from .codes import (
    BUSINESS_DOC_TYPES,
    DOCUMENT_TYPES,
    MAX_LENGTHS,
    ORGAN_ID,
    PRIORITIES,
    STATUS_CODES,
    STEERING_TYPES,
)
from .errors import EdxmlError, Problem
from .parse import children, header_parts, kind_of, read_edoc, read_status
from .wire import VN_TZ, parse_date, parse_timestamp
from .xmlload import DEFAULT_MAX_BYTES, load


def _problem(error: EdxmlError) -> Problem:
    return Problem(error.template, **error.params)


class _Checker:
    """Collects problems while walking the tree; never raises."""

    def __init__(self, today: date) -> None:
        self.problems: list[Problem] = []
        self.today = today

    def add(self, template: str, **params: object) -> None:
        problem = Problem(template, **params)
        if problem not in self.problems:
            self.problems.append(problem)

    def one(self, parent: etree._Element | None, name: str, path: str) -> etree._Element | None:
        found = list(children(parent, name))
        if len(found) > 1:
            self.add(gettext_noop("%(element)s appears more than once."), element=path + name)
        return found[0] if found else None

    def text(
        self,
        parent: etree._Element | None,
        name: str,
        path: str,
        *,
        required: bool = False,
        limit_key: str | None = None,
    ) -> str:
        element = self.one(parent, name, path)
        if element is None:
            if required:
                self.add(gettext_noop("%(element)s is missing."), element=path + name)
            return ""
        value = (element.text or "").strip()
        if required and not value:
            self.add(gettext_noop("%(element)s is empty."), element=path + name)
        limit = MAX_LENGTHS.get(limit_key or name)
        if limit is not None and len(value) > limit:
            self.add(
                gettext_noop("%(element)s is longer than %(limit)s characters (%(length)s)."),
                element=path + name,
                limit=limit,
                length=len(value),
            )
        return value

    def integer(
        self,
        parent: etree._Element | None,
        name: str,
        path: str,
        *,
        required: bool = False,
        allowed: Iterable[int] | None = None,
        unsigned: bool = False,
    ) -> int | None:
        value = self.text(parent, name, path, required=required)
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            self.add(
                gettext_noop("%(element)s is not a whole number: %(value)s"),
                element=path + name,
                value=value[:40],
            )
            return None
        if allowed is not None and number not in set(allowed):
            self.add(
                gettext_noop("%(element)s must be one of %(allowed)s, not %(value)s."),
                element=path + name,
                allowed=", ".join(str(a) for a in sorted(set(allowed))),
                value=number,
            )
        if unsigned and number < 0:
            self.add(
                gettext_noop("%(element)s is negative: %(value)s"),
                element=path + name,
                value=number,
            )
        return number

    def day(
        self,
        parent: etree._Element | None,
        name: str,
        path: str,
        *,
        required: bool = False,
        not_future: bool = False,
    ) -> date | None:
        value = self.text(parent, name, path, required=required)
        if not value:
            return None
        try:
            parsed = parse_date(value, element=path + name)
        except EdxmlError as exc:
            self.add(exc.template, **exc.params)
            return None
        if not_future and parsed > self.today:
            self.add(
                gettext_noop("%(element)s is in the future: %(value)s"),
                element=path + name,
                value=value,
            )
        return parsed

    def timestamp(
        self, parent: etree._Element | None, name: str, path: str, *, required: bool = False
    ) -> None:
        value = self.text(parent, name, path, required=required)
        if value:
            try:
                parse_timestamp(value, element=path + name)
            except EdxmlError as exc:
                self.add(exc.template, **exc.params)

    def organization(self, element: etree._Element, path: str) -> str:
        organ_id = self.text(element, "OrganId", path, required=True)
        if organ_id and not ORGAN_ID.match(organ_id):
            self.add(
                gettext_noop(
                    "%(element)s is not an organisation id (digits and capitals in groups "
                    "separated by dots): %(value)s"
                ),
                element=path + "OrganId",
                value=organ_id[:40],
            )
        self.text(element, "OrganName", path, required=True)
        for name in ("OrganizationInCharge", "OrganAdd", "Email", "Telephone", "Fax", "Website"):
            self.text(element, name, path)
        return organ_id

    def response_for(self, element: etree._Element, path: str) -> None:
        if not any((e.text or "").strip() for e in element.iter() if isinstance(e.tag, str)):
            return  # an empty placeholder, as in the platform's samples
        self.text(element, "OrganId", path, required=True)
        self.text(element, "Code", path)
        self.day(element, "PromulgationDate", path)
        self.text(element, "DocumentId", path, required=True)


def _check_edoc(check: _Checker, root: etree._Element) -> None:
    header, mh = header_parts(root)
    path = "MessageHeader/"
    sender = check.one(mh, "From", path)
    if sender is None:
        check.add(gettext_noop("%(element)s is missing."), element=path + "From")
    else:
        check.organization(sender, path + "From/")
    recipients = list(children(mh, "To"))
    if not recipients:
        check.add(gettext_noop("The document has no recipient (To)."))
    seen: set[str] = set()
    for recipient in recipients:
        organ_id = check.organization(recipient, path + "To/")
        if organ_id and organ_id in seen:
            check.add(
                gettext_noop("Recipient %(organ_id)s is listed more than once (To)."),
                organ_id=organ_id,
            )
        seen.add(organ_id)
    check.text(mh, "DocumentId", path, required=True)
    code = check.one(mh, "Code", path)
    if code is None:
        check.add(gettext_noop("%(element)s is missing."), element=path + "Code")
    check.text(code, "CodeNumber", path + "Code/", required=code is not None)
    check.text(code, "CodeNotation", path + "Code/", required=code is not None)
    promulgation = check.one(mh, "PromulgationInfo", path)
    if promulgation is None:
        check.add(gettext_noop("%(element)s is missing."), element=path + "PromulgationInfo")
    else:
        check.text(promulgation, "Place", path + "PromulgationInfo/")
        # vn-rules.md §3.3: the date of issue is required and never in the future.
        check.day(
            promulgation,
            "PromulgationDate",
            path + "PromulgationInfo/",
            required=True,
            not_future=True,
        )
    document_type = check.one(mh, "DocumentType", path)
    if document_type is None:
        check.add(gettext_noop("%(element)s is missing."), element=path + "DocumentType")
    else:
        type_path = path + "DocumentType/"
        check.integer(document_type, "Type", type_path, required=True, allowed=DOCUMENT_TYPES)
        check.integer(document_type, "TypeDetail", type_path)
        check.text(document_type, "TypeName", type_path, required=True)
    check.text(mh, "Subject", path, required=True)
    check.text(mh, "Content", path, required=True)
    signer = check.one(mh, "SignerInfo", path)
    if signer is not None:
        for name in ("Competence", "Position", "FullName"):
            check.text(signer, name, path + "SignerInfo/")
    check.day(mh, "DueDate", path)
    other = check.one(mh, "OtherInfo", path)
    other_path = path + "OtherInfo/"
    # vn-rules.md §3.4: Priority 0-4 only (Bkav checker).
    check.integer(other, "Priority", other_path, required=True, allowed=PRIORITIES)
    check.text(other, "SphereOfPromulgation", other_path)
    check.text(other, "TyperNotation", other_path)
    check.integer(other, "PromulgationAmount", other_path, unsigned=True)
    check.integer(other, "PageAmount", other_path, unsigned=True)
    direction = check.text(other, "Direction", other_path)
    if direction and direction.lower() not in {"true", "false", "1", "0"}:
        check.add(
            gettext_noop("%(element)s is not true or false: %(value)s"),
            element=other_path + "Direction",
            value=direction[:40],
        )
    for appendix in children(check.one(other, "Appendixes", other_path), "Appendix"):
        _length(check, appendix, other_path + "Appendixes/Appendix", "Appendix")
    check.integer(mh, "SteeringType", path, allowed=STEERING_TYPES)
    for place in children(check.one(mh, "ToPlaces", path), "Place"):
        _length(check, place, path + "ToPlaces/Place", "ToPlaces/Place")
    for response in children(mh, "ResponseFor"):
        check.response_for(response, path + "ResponseFor/")

    trace_list = check.one(header, "TraceHeaderList", "edXMLHeader/")
    trace_path = "TraceHeaderList/"
    if trace_list is None:
        check.add(gettext_noop("%(element)s is missing."), element="edXMLHeader/TraceHeaderList")
    else:
        hops = list(children(trace_list, "TraceHeader"))
        if not hops:
            check.add(gettext_noop("%(element)s is missing."), element=trace_path + "TraceHeader")
        for hop in hops:
            check.text(hop, "OrganId", trace_path + "TraceHeader/")
            check.timestamp(hop, "Timestamp", trace_path + "TraceHeader/", required=True)
        _check_business(check, check.one(trace_list, "Bussiness", trace_path))
    _check_manifest(check, root)


def _length(check: _Checker, element: etree._Element, path: str, key: str) -> None:
    value = (element.text or "").strip()
    limit = MAX_LENGTHS[key]
    if len(value) > limit:
        check.add(
            gettext_noop("%(element)s is longer than %(limit)s characters (%(length)s)."),
            element=path,
            limit=limit,
            length=len(value),
        )


def _check_business(check: _Checker, business: etree._Element | None) -> None:
    if business is None:
        return  # absent: a new document (the VPCP SDK's builder writes none)
    path = "Bussiness/"
    # vn-rules.md §3.4: 0 new, 1 recall, 2 update, 3 replacement.
    doc_type = check.integer(
        business, "BussinessDocType", path, required=True, allowed=BUSINESS_DOC_TYPES
    )
    check.integer(business, "Paper", path, allowed=(0, 1))
    if doc_type == 3:
        replacements = list(
            children(check.one(business, "ReplacementInfoList", path), "ReplacementInfo")
        )
        if not replacements:
            check.add(
                gettext_noop(
                    "A replacement (BussinessDocType 3) must name the documents it "
                    "replaces (ReplacementInfo)."
                )
            )
        for replacement in replacements:
            check.text(replacement, "DocumentId", path + "ReplacementInfo/", required=True)
    update = check.one(business, "BussinessDocumentInfo", path)
    if update is not None:
        update_path = path + "BussinessDocumentInfo/"
        check.integer(update, "DocumentInfo", update_path, allowed=(0, 1))
        check.integer(update, "DocumentReceiver", update_path, allowed=(0, 1))
        for receiver in children(check.one(update, "ReceiverList", update_path), "Receiver"):
            check.text(receiver, "OrganId", update_path + "Receiver/", required=True)
            check.integer(receiver, "ReceiverType", update_path + "Receiver/", allowed=(0, 1))


def _check_manifest(check: _Checker, root: etree._Element) -> None:
    envelope = check.one(root, "edXMLEnvelope", "")
    manifest = check.one(check.one(envelope, "edXMLBody", "edXMLEnvelope/"), "edXMLManifest", "")
    carried = {
        (check.text(a, "ContentId", "Attachment/"))
        for a in children(check.one(root, "AttachmentEncoded", ""), "Attachment")
    }
    for reference in children(manifest, "Reference"):
        content_id = check.text(reference, "ContentId", "edXMLManifest/Reference/")
        if content_id and content_id not in carried:
            check.add(
                gettext_noop("The manifest lists %(content_id)s but no attachment carries it."),
                content_id=content_id,
            )


def _check_status(check: _Checker, root: etree._Element) -> None:
    _header, mh = header_parts(root)
    path = "MessageHeader/"
    sender = check.one(mh, "From", path)
    if sender is None:
        check.add(gettext_noop("%(element)s is missing."), element=path + "From")
    else:
        check.organization(sender, path + "From/")
    response = check.one(mh, "ResponseFor", path)
    if response is None:
        check.add(gettext_noop("%(element)s is missing."), element=path + "ResponseFor")
    else:
        response_path = path + "ResponseFor/"
        check.text(response, "OrganId", response_path, required=True)
        check.text(response, "Code", response_path)
        check.day(response, "PromulgationDate", response_path)
        check.text(response, "DocumentId", response_path, required=True)
    code = check.text(mh, "StatusCode", path, required=True)
    # vn-rules.md §3.6: 01-06, 13, 15, 16; the others are reserved.
    if code and code.zfill(2) not in STATUS_CODES:
        check.add(
            gettext_noop("%(element)s must be one of %(allowed)s, not %(value)s."),
            element=path + "StatusCode",
            allowed=", ".join(STATUS_CODES),
            value=code[:10],
        )
    check.text(mh, "Description", path)
    check.timestamp(mh, "Timestamp", path, required=True)


def validate(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, today: date | None = None
) -> list[str]:
    """The problems of an envelope or status message; ``[]`` means it follows the standard.

    Each problem is a ``str`` (English) that also has ``.translated()``.

    Args:
        data: the bytes.
        max_bytes: refuse larger input (one problem).
        today: the day "in the future" is judged against (default: today in Vietnam).
    """
    check = _Checker(today or datetime.now(VN_TZ).date())
    try:
        root = load(data, max_bytes=max_bytes)
        _header, message_header = header_parts(root)
    except EdxmlError as exc:
        return [_problem(exc)]
    status = kind_of(message_header) == "status"
    try:
        if status:
            _check_status(check, root)
        else:
            _check_edoc(check, root)
    except EdxmlError as exc:  # a duplicated structural element met by header_parts
        check.add(exc.template, **exc.params)
    # Everything the reader would refuse (attachments that do not unzip, …) is a problem too.
    try:
        if status:
            read_status(root)
        else:
            read_edoc(
                root,
                budget=wire_attachments.Budget(wire_attachments.DEFAULT_MAX_UNZIPPED_BYTES),
            )
    except EdxmlError as exc:
        check.add(exc.template, **exc.params)
    return list(check.problems)
