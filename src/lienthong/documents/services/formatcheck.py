"""The format check (kiểm tra thể thức) before signing and before issuing.

Issue #4 scope 3: "before signing, a format check lists what is missing or wrong (number
pattern, signer prefix, recipients, date) and blocks signing until fixed". Each check
returns a list of sentences for a person (a blockers list, STYLE habit 12): empty means
the document may go on. The rules are vn-rules.md §1.2-1.3 (State, NĐ 30) and §2.4-2.6
(Party, HD 36).
"""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.errors import InvalidInput
from lienthong.documents.choices import Competence, Convention, FileKind
from lienthong.documents.models import Document

__all__ = [
    "PARTY_COMPETENCES",
    "STATE_COMPETENCES",
    "issues_before_issue",
    "issues_before_sign",
    "issues_of_number",
    "require_no_issues",
]

#: Signing prefixes of each convention (vn-rules.md §1.2 "TM., Q., KT., TL., TUQ.";
#: §2.6 Party "T/M, K/T, T/L").
STATE_COMPETENCES = frozenset(
    {Competence.NONE, Competence.TM, Competence.KT, Competence.TL, Competence.TUQ, Competence.Q}
)
PARTY_COMPETENCES = frozenset(
    {Competence.NONE, Competence.PARTY_TM, Competence.PARTY_KT, Competence.PARTY_TL}
)

_WORD = r"[A-ZĐ][A-Za-zĐđ0-9]*"
#: "12-NQ/TU", "05-QĐi/TW", "01-CV/BTVTU" (HD 36: number, dash, type, slash, body).
PARTY_NUMBER = re.compile(rf"^\d{{2,}}-{_WORD}/{_WORD}(?:-{_WORD})*$")
#: "15/QĐ-UBND", "05/BNV-VP" (NĐ 30: number, slash, groups joined by dashes).
STATE_NUMBER = re.compile(rf"^\d{{2,}}/{_WORD}(?:-{_WORD})+$")


def _has_recipients(document: Document) -> bool:
    if document.recipients_text.strip():
        return True
    return document.pk is not None and document.recipients.exists()


def _has_content(document: Document) -> bool:
    if document.body.strip():
        return True
    return document.pk is not None and document.files.filter(kind=FileKind.DRAFT).exists()


def issues_before_sign(document: Document) -> list[str]:
    """What is missing or wrong before a leader may sign ``document``.

    Checks the subject (and "V/v" for a State công văn), the content, the signer and
    their prefix against the convention, and the recipients (Nơi nhận).

    Returns:
        Sentences for a person; empty when the document may be signed.
    """
    issues: list[str] = []
    subject = document.subject.strip()
    if not subject:
        issues.append(_("The subject (trích yếu) is empty."))
    elif (
        document.convention == Convention.STATE
        and document.document_type.is_letter
        and not subject.startswith("V/v")
    ):
        # NĐ 30 Phụ lục I, box 5b: the subject of a công văn starts with "V/v".
        issues.append(_('The subject of a công văn starts with "V/v".'))
    if not _has_content(document):
        issues.append(_("The document has no content: write it or upload a file."))
    if document.signer_id is None:
        issues.append(_("Choose who signs the document."))
    if not document.signer_position.strip():
        issues.append(_("Give the signer's position (chức vụ)."))
    allowed = PARTY_COMPETENCES if document.convention == Convention.PARTY else STATE_COMPETENCES
    if document.competence not in allowed:
        issues.append(
            _("The signing prefix %(prefix)s is not used in %(convention)s documents.")
            % {"prefix": document.competence, "convention": document.get_convention_display()}
        )
    if not _has_recipients(document):
        issues.append(_("List the recipients (Nơi nhận)."))
    return issues


def issues_of_number(document: Document) -> list[str]:
    """What is wrong with the number and date a document was given.

    Returns:
        Sentences; empty when "Số 12-NQ/TU" (Party) or "Số: 15/QĐ-UBND" (State) is well
        formed, no longer than Phụ lục VI allows, and the date is set and not in the future.
    """
    issues: list[str] = []
    if document.code_number is None:
        return [_("The document has no number yet.")]
    pattern = PARTY_NUMBER if document.convention == Convention.PARTY else STATE_NUMBER
    if not pattern.match(document.number_display):
        issues.append(
            _("The number %(number)s does not follow the pattern of %(convention)s documents.")
            % {"number": document.number_display, "convention": document.get_convention_display()}
        )
    if len(document.code_notation) > 30 or len(str(document.code_number)) > 11:
        issues.append(_("The number or notation is too long (Phụ lục VI: 11 and 30 characters)."))
    if document.issued_date is None:
        issues.append(_("The document has no date."))
    elif document.issued_date > timezone.localdate():
        issues.append(_("The document's date is in the future."))
    return issues


def issues_before_issue(document: Document) -> list[str]:
    """What stops the clerk from issuing ``document`` (before the number is taken).

    Returns:
        Sentences; empty when it may be issued.
    """
    issues = [i for i in issues_before_sign(document) if i]
    if document.pk is None or not document.files.filter(kind=FileKind.SIGNED).exists():
        issues.append(_("The document has not been signed."))
    return issues


def require_no_issues(issues: list[str], *, what: str) -> None:
    """Raise with the whole list when ``issues`` is not empty.

    Args:
        issues: the blockers found.
        what: the step they block ("signing", "issuing"), for the message.

    Raises:
        InvalidInput: with ``extra={"issues": [...]}``.
    """
    if issues:
        raise InvalidInput(
            _("Fix these before %(what)s: %(issues)s") % {"what": what, "issues": " ".join(issues)},
            extra={"issues": issues},
        )
