"""The trust app's services: the node's own CA (``ca``) and external CAs (``external``).

Split by sub-domain (STYLE anti-pattern E); callers import from ``lienthong.trust.services``.
"""

from lienthong.trust.services.ca import (
    CaSet,
    SubjectSpec,
    anchor_import,
    ca_init,
    ca_private_key,
    certificate_issue,
    certificate_renew,
    certificate_revoke,
    crl_publish,
    key_create,
)
from lienthong.trust.services.external import authority_import_external, certificate_import

__all__ = [
    "CaSet",
    "SubjectSpec",
    "anchor_import",
    "authority_import_external",
    "ca_init",
    "ca_private_key",
    "certificate_import",
    "certificate_issue",
    "certificate_renew",
    "certificate_revoke",
    "crl_publish",
    "key_create",
]
