"""Writes of the documents app, one keyword-only function per use case (STYLE habit 2).

Split by sub-domain (STYLE anti-pattern E) and re-exported here:
``outgoing`` (draft → issue), ``incoming`` (register → done), ``files`` (storage),
``guard`` (classification), ``rendering`` (HD 36 / NĐ 30 layouts), ``formatcheck``,
``corrections`` (đính chính and thay thế of issued documents).
"""

from __future__ import annotations

from lienthong.documents.services.corrections import (
    document_correct,
    document_replace,
    original_mark,
)
from lienthong.documents.services.files import (
    file_open,
    file_read,
    file_store,
    file_stream,
    stored_files_sweep,
    upload_as_pdf,
)
from lienthong.documents.services.formatcheck import (
    issues_before_issue,
    issues_before_sign,
    issues_of_number,
)
from lienthong.documents.services.guard import classification_guard, node_accepts_classified
from lienthong.documents.services.incoming import (
    assignment_done,
    assignment_progress,
    assignments_remind,
    document_assign,
    document_done,
    document_present,
    document_register_incoming,
    document_withdraw,
)
from lienthong.documents.services.outgoing import (
    IssuedHook,
    document_approve,
    document_comment,
    document_draft_create,
    document_draft_update,
    document_issue,
    document_recall,
    document_return,
    document_sign,
    document_submit,
    issued_hooks,
    pending_approvers,
)
from lienthong.documents.services.rendering import RenderedPdf, render_html, render_pdf

__all__ = [
    "IssuedHook",
    "RenderedPdf",
    "assignment_done",
    "assignment_progress",
    "assignments_remind",
    "classification_guard",
    "document_approve",
    "document_assign",
    "document_comment",
    "document_correct",
    "document_done",
    "document_draft_create",
    "document_draft_update",
    "document_issue",
    "document_present",
    "document_recall",
    "document_register_incoming",
    "document_replace",
    "document_return",
    "document_sign",
    "document_submit",
    "document_withdraw",
    "file_open",
    "file_read",
    "file_store",
    "file_stream",
    "issued_hooks",
    "issues_before_issue",
    "issues_before_sign",
    "issues_of_number",
    "node_accepts_classified",
    "original_mark",
    "pending_approvers",
    "render_html",
    "render_pdf",
    "stored_files_sweep",
    "upload_as_pdf",
]
