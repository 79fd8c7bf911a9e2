"""The classification guard (issue #4, scope 6).

vn-rules.md §5.2 (Luật Bảo vệ BMNN Điều 5.5; NĐ 26/2020 Điều 4): secret content must not
be drafted or stored on a computer connected to the Internet. A node whose
``settings.NETWORK_PROFILE`` is ``internet`` therefore refuses any document marked Mật,
Tối mật or Tuyệt mật, before anything is written; a ``dedicated`` node stores it and
shows it only to people whose clearance reaches its classification (see
``selectors.document_list``).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from lienthong.core.choices import Clearance
from lienthong.core.errors import InvalidInput

__all__ = ["classification_guard", "node_accepts_classified"]


def node_accepts_classified() -> bool:
    """Tell whether this node may hold classified content (a ``dedicated`` network)."""
    return getattr(settings, "NETWORK_PROFILE", "internet") == "dedicated"


def classification_guard(*, classification: int | None) -> None:
    """Refuse classified content on an Internet-connected node (vn-rules.md §5.2).

    Call it first in every service that takes content with a classification, before
    any row or file is written.

    Args:
        classification: a ``Clearance`` value (0 = not classified).

    Raises:
        InvalidInput: the document is classified and this node is on the Internet.
    """
    level = int(classification or 0)
    if level not in Clearance.values:
        raise InvalidInput(_("Unknown classification."))
    if level > Clearance.NONE and not node_accepts_classified():
        raise InvalidInput(
            _(
                "This node is connected to the Internet: documents marked %(level)s cannot "
                "be stored here. Handle them on the dedicated (offline) system."
            )
            % {"level": _SECRET_MARKS[level]}
        )


_SECRET_MARKS = {1: "MẬT", 2: "TỐI MẬT", 3: "TUYỆT MẬT"}
