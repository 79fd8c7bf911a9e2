"""The built-in roles and what each may do (GLOSSARY.md "Who uses it").

Each role's grants are a list of (permission, scope). ``subtree`` means "the unit where
the role is held and every unit below it", so a provincial leader sees the whole
province and a commune clerk only their commune. Apps add their own permissions here
as they arrive (documents, exchange…). Administrators may add roles of their own in the
admin; built-in roles are re-synchronised on every ``migrate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from lienthong.core.choices import Clearance, ScopeToken
from lienthong.org.choices import RoleCode

_S = ScopeToken.SUBTREE
_A = ScopeToken.ALL
_C = ScopeToken.COMMITTEE

_VIEW_ORG = [
    ("org.view_unit", _S),
    ("org.view_user", _S),
    ("org.view_membership", _S),
]

# Validating a PDF is open to every office role; its report belongs to the unit.
_VALIDATE = [("trust.view_validationrecord", _S), ("trust.add_validationrecord", _S)]
# The library of Party documents (issue #9 scope 5) is shared across the network: every
# staff role reads it, all units (restricted publications only within clearance,
# records.library.selectors); the office clerk keeps the entries of its subtree.
_LIBRARY_READ = [("library.view_publication", _A)]
_LIBRARY_KEEP = [("library.add_publication", _S), ("library.change_publication", _S)]
# Signing: the leader signs with their own certificate, the clerk applies the seal
# (NĐ 30 Điều 13.7, vn-rules.md §1.9). Both need a second factor (SIGNING_ROLES).
# Documents (issue #4). Custom actions: approve, issue (number + register + seal), assign.
_DOCS_READ = [
    ("documents.view_document", _S),
    ("documents.view_register", _S),
    ("documents.view_assignment", _S),
    ("documents.view_unitprofile", _S),
    # The work calendar (issue #10 scope 4): whoever reads the unit's documents reads
    # its published calendar; the clerk and the leader keep it (_AGENDA_KEEP).
    ("agenda.view_event", _S),
]
_AGENDA_KEEP = [("agenda.add_event", _S), ("agenda.change_event", _S)]
_DOCS_DRAFT = [("documents.add_document", _S), ("documents.change_document", _S)]
_DOCS_HANDLE = [("documents.change_assignment", _S)]
_DOCS_CLERK = [
    ("documents.issue_document", _S),
    ("documents.register_document", _S),
    ("documents.add_assignment", _S),
    ("documents.add_register", _S),
    ("documents.change_register", _S),
    # Digitisation (issue #7): the clerk takes scans in, follows the queue, retries.
    ("documents.view_intakebatch", _S),
    ("documents.add_intakebatch", _S),
    ("documents.view_intakefile", _S),
    ("documents.change_intakefile", _S),
]
_DOCS_LEAD = [
    ("documents.approve_document", _S),
    ("documents.add_assignment", _S),
    ("documents.change_assignment", _S),
]
# Exchange (issue #5): the clerk works the unit's inbox; everyone who reads documents sees
# where a sent document stands; the IT officer runs the outbox and the quarantine.
# Elections (issue #6): the counting board sets up its congress's elections, enters
# the ballots and counts them (190 Art. 8).
_ELECTIONS_BOARD = [
    ("elections.view_congress", _S),
    ("elections.add_congress", _S),
    ("elections.view_election", _S),
    ("elections.add_election", _S),
    ("elections.change_election", _S),
    ("elections.view_round", _S),
    ("elections.add_round", _S),
    ("elections.change_round", _S),
    ("elections.view_ballotrecord", _S),
    ("elections.add_ballotrecord", _S),
    ("elections.view_ballotdecision", _S),
    ("elections.add_ballotdecision", _S),
]
_EXCHANGE_READ = [("exchange.view_statusentry", _S), ("exchange.view_inboxitem", _S)]
_EXCHANGE_CLERK = [
    ("exchange.change_inboxitem", _S),
    ("exchange.view_envelope", _S),
]
_EXCHANGE_OPERATE = [
    ("exchange.view_envelope", _S),
    ("exchange.change_envelope", _S),
    ("exchange.view_inboundmessage", _S),
    ("exchange.change_inboundmessage", _S),
    ("exchange.view_statusentry", _S),
]
_SIGN = [
    ("trust.view_signaturerequest", _S),
    ("trust.add_signaturerequest", _S),
    ("trust.view_certificate", _S),
]
# Archives (issue #9 scope 4): the office clerk keeps the file plans and the record files
# of its subtree and hands them over to the agency archive; the head approves the plan
# (NĐ 30 Điều 28) and may read the files.
_ARCHIVES_CLERK = [
    ("archives.view_fileplan", _S),
    ("archives.add_fileplan", _S),
    ("archives.change_fileplan", _S),
    ("archives.view_recordfile", _S),
    ("archives.add_recordfile", _S),
    ("archives.change_recordfile", _S),
    ("archives.view_fileitem", _S),
    ("archives.add_fileitem", _S),
    ("archives.change_fileitem", _S),
    ("archives.view_handover", _S),
    ("archives.add_handover", _S),
    ("archives.change_handover", _S),
]
_ARCHIVES_LEAD = [
    ("archives.view_fileplan", _S),
    ("archives.approve_fileplan", _S),
    ("archives.view_recordfile", _S),
    ("archives.view_fileitem", _S),
    ("archives.view_handover", _S),
]
# The public portal (issue #10 scope 1): the office writes announcements and submits
# them, the leader publishes or withdraws them; the clerk puts issued documents on it.
_PORTAL_WRITE = [
    ("portal.view_announcement", _S),
    ("portal.add_announcement", _S),
    ("portal.change_announcement", _S),
]
_PORTAL_CLERK = [
    ("portal.view_publisheddocument", _S),
    ("portal.add_publisheddocument", _S),
    ("portal.change_publisheddocument", _S),
]
_PORTAL_LEAD = [
    ("portal.view_announcement", _S),
    ("portal.publish_announcement", _S),
    ("portal.view_publisheddocument", _S),
]

# Citizens' feedback (issue #10 scope 2): the responsible unit's specialist and clerk
# read and answer the feedback of their subtree; the leader follows it; the clerk keeps
# the topics and their routing rules.
_FEEDBACK_HANDLE = [("feedback.view_feedback", _S), ("feedback.change_feedback", _S)]
_FEEDBACK_TOPICS = [
    ("feedback.view_topic", _S),
    ("feedback.add_topic", _S),
    ("feedback.change_topic", _S),
]


@dataclass(frozen=True)
class RoleSpec:
    """A built-in role: code, name (data, written as the offices write it), grants."""

    code: str
    name: str
    clearance: int
    grants: tuple[tuple[str, str], ...]


BUILTIN_ROLES: tuple[RoleSpec, ...] = (
    RoleSpec(
        RoleCode.CLERK,
        "Văn thư",
        Clearance.NONE,
        (
            *_VIEW_ORG,
            *_VALIDATE,
            *_SIGN,
            *_DOCS_READ,
            *_DOCS_DRAFT,
            *_DOCS_HANDLE,
            *_DOCS_CLERK,
            *_EXCHANGE_READ,
            *_EXCHANGE_CLERK,
            *_LIBRARY_READ,
            *_LIBRARY_KEEP,
            *_ARCHIVES_CLERK,
            *_FEEDBACK_HANDLE,
            *_FEEDBACK_TOPICS,
            *_PORTAL_WRITE,
            *_PORTAL_CLERK,
            *_AGENDA_KEEP,
        ),
    ),
    RoleSpec(
        RoleCode.SPECIALIST,
        "Chuyên viên",
        Clearance.NONE,
        (
            *_VIEW_ORG,
            *_VALIDATE,
            *_DOCS_READ,
            *_DOCS_DRAFT,
            *_DOCS_HANDLE,
            *_EXCHANGE_READ,
            *_LIBRARY_READ,
            *_FEEDBACK_HANDLE,
            *_PORTAL_WRITE,
        ),
    ),
    RoleSpec(
        RoleCode.LEADER,
        "Lãnh đạo",
        Clearance.CONFIDENTIAL,
        (
            *_VIEW_ORG,
            *_VALIDATE,
            *_SIGN,
            *_DOCS_READ,
            *_DOCS_LEAD,
            *_EXCHANGE_READ,
            ("documents.change_document", _S),
            ("audit.view_auditevent", _S),
            ("reports.view_reportsubmission", _S),
            ("reports.approve_reportsubmission", _S),
            *_LIBRARY_READ,
            *_ARCHIVES_LEAD,
            ("feedback.view_feedback", _S),
            *_PORTAL_LEAD,
            *_AGENDA_KEEP,
        ),
    ),
    RoleSpec(
        RoleCode.IT_OFFICER,
        "Cán bộ CNTT",
        Clearance.NONE,
        (
            ("org.view_unit", _S),
            ("org.add_unit", _S),
            ("org.change_unit", _S),
            ("org.view_user", _S),
            ("org.add_user", _S),
            ("org.change_user", _S),
            ("org.view_membership", _S),
            ("org.add_membership", _S),
            ("org.change_membership", _S),
            ("org.delete_membership", _S),
            ("audit.view_auditevent", _S),
            ("trust.view_certificate", _S),
            ("trust.add_certificate", _S),
            ("trust.change_certificate", _S),
            *_VALIDATE,
            ("documents.view_unitprofile", _S),
            ("documents.add_unitprofile", _S),
            ("documents.change_unitprofile", _S),
            ("documents.view_register", _S),
            ("documents.add_register", _S),
            ("documents.change_register", _S),
            *_EXCHANGE_OPERATE,
            ("documents.count_document", _S),  # the dashboard's document figures
            # IT assets (issue #8): the IT officer keeps the units' inventory.
            ("infra.view_asset", _S),
            ("infra.add_asset", _S),
            ("infra.change_asset", _S),
            ("infra.view_assetchange", _S),
            ("infra.view_link", _S),
            ("infra.add_link", _S),
            ("infra.change_link", _S),
            ("infra.view_probe", _S),
            ("infra.add_probe", _S),
            ("infra.change_probe", _S),
            ("infra.view_proberesult", _S),
            ("infra.view_probehour", _S),
            ("infra.view_itstaff", _S),
            ("infra.add_itstaff", _S),
            ("infra.change_itstaff", _S),
            ("infra.view_trainingclass", _S),
            ("infra.add_trainingclass", _S),
            ("infra.change_trainingclass", _S),
            ("infra.view_trainingparticipant", _S),
            ("infra.add_trainingparticipant", _S),
            ("infra.change_trainingparticipant", _S),
            ("infra.view_contest", _S),
            ("infra.add_contest", _S),
            ("infra.change_contest", _S),
            ("infra.view_contestentry", _S),
            ("infra.add_contestentry", _S),
            ("infra.change_contestentry", _S),
            # Periodic reports (issue #8 scope 4): the IT officer fills the unit's.
            ("reports.view_reportform", _S),
            ("reports.view_reportfield", _S),
            ("reports.view_reportsubmission", _S),
            ("reports.add_reportsubmission", _S),
            ("reports.change_reportsubmission", _S),
            *_LIBRARY_READ,
        ),
    ),
    RoleSpec(
        RoleCode.ORGANISATION,
        "Ban Tổ chức",
        Clearance.CONFIDENTIAL,
        (
            # The department sees the organisation of its whole committee (the units
            # whose members it keeps), not only itself.
            ("org.view_unit", _C),
            ("org.view_user", _C),
            ("org.view_membership", _C),
            # Party-member records (issue #9): the organisation department of a committee
            # keeps the records of every member under that committee; a department's
            # grant reaches its whole committee (ScopeToken.COMMITTEE).
            ("records.view_member", _C),
            ("records.add_member", _C),
            ("records.change_member", _C),
            ("records.view_memberevent", _C),
            ("records.add_memberevent", _C),
            ("records.change_memberevent", _C),
            ("records.delete_memberevent", _C),
            *_LIBRARY_READ,
            # Transfers of Party life (issue #9 scope 2).
            ("records.view_transfer", _C),
            ("records.add_transfer", _C),
            ("records.change_transfer", _C),
            ("records.view_reconciliation", _C),
            ("records.add_reconciliation", _C),
        ),
    ),
    RoleSpec(
        RoleCode.COUNTING_BOARD,
        "Ban Kiểm phiếu",
        Clearance.NONE,
        (("org.view_unit", _S), *_ELECTIONS_BOARD, *_LIBRARY_READ),
    ),
    RoleSpec(
        RoleCode.STEERING,
        "Ban Chỉ đạo CNTT",
        Clearance.NONE,
        (
            ("org.view_unit", _A),
            ("org.view_user", _S),
            ("org.view_membership", _S),
            ("infra.view_asset", _S),
            ("infra.view_assetchange", _S),
            ("infra.view_link", _S),
            ("infra.view_probe", _S),
            ("infra.view_proberesult", _S),
            # The documents' figures (signed, digitised, on time) without reading them.
            ("documents.count_document", _S),
            ("infra.view_probehour", _S),
            ("infra.view_itstaff", _S),
            ("infra.view_trainingclass", _S),
            ("infra.view_trainingparticipant", _S),
            ("infra.view_contest", _S),
            ("infra.view_contestentry", _S),
            ("reports.view_reportform", _S),
            ("reports.add_reportform", _S),
            ("reports.change_reportform", _S),
            ("reports.view_reportfield", _S),
            ("reports.add_reportfield", _S),
            ("reports.change_reportfield", _S),
            ("reports.view_reportsubmission", _S),
            *_LIBRARY_READ,
        ),
    ),
    RoleSpec(RoleCode.ADMIN, "Quản trị hệ thống", Clearance.NONE, (("*", _S),)),
)


#: Roles whose holders sign documents: a second factor is required of them (issue #3).
# The counting board signs its minutes (190 Art. 8): a signer like the others.
SIGNING_ROLES = frozenset({RoleCode.CLERK, RoleCode.LEADER, RoleCode.COUNTING_BOARD})


def sync_builtin_roles() -> int:
    """Create or update the built-in roles and their grants; return how many changed.

    Idempotent: a second call changes nothing. Grants an administrator added to a
    built-in role by hand are kept; the built-in grants are restored to their scope.
    """
    from lienthong.org.models import Role, RoleGrant

    changed = 0
    with transaction.atomic():
        for spec in BUILTIN_ROLES:
            role, created = Role.objects.get_or_create(
                code=spec.code,
                defaults={"name": spec.name, "clearance": spec.clearance, "is_builtin": True},
            )
            if created:
                changed += 1
            elif not role.is_builtin or role.clearance != spec.clearance:
                role.is_builtin = True
                role.clearance = spec.clearance
                role.save(update_fields=["is_builtin", "clearance", "updated_at"])
                changed += 1
            for permission, scope in spec.grants:
                _grant, made = RoleGrant.objects.update_or_create(
                    role=role, permission=permission, defaults={"scope": scope}
                )
                changed += int(made)
    return changed


def sync_builtin_roles_after_migrate(**kwargs: Any) -> None:
    """``post_migrate`` receiver: keep the built-in roles present after every migrate."""
    sync_builtin_roles()
