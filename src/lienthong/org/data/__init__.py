"""Reference data of the Party's organisation that the ``vietnam-provinces`` package lacks.

The central level and the standard departments of a provincial committee, as they stand
after the 2025 restructuring (Kết luận 121-KL/TW, Quy định 265-QĐ/TW and the decisions of
the Politburo of January and February 2025):

- the Ban Tuyên giáo Trung ương and the Ban Dân vận Trung ương merged into the
  "Ban Tuyên giáo và Dân vận Trung ương";
- the Ban Kinh tế Trung ương merged into the "Ban Chính sách, chiến lược Trung ương";
- the provincial committees' Ban Tuyên giáo and Ban Dân vận merged the same way.

Names are data (they are what the offices write), so they are Vietnamese and are not
wrapped in gettext. The short names are the tails of Party document numbers
("Số 12-NQ/TW", "Số 35-CV/VPTW", "Số 7-HD/BTCTU").

``organ_ids.json`` maps a unit's ``source_key`` to its mã định danh (vn-rules.md §3.8)
once an authoritative list is published; it is empty today, so loaded units keep
``organ_id`` empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CENTRAL_DEPARTMENTS",
    "CENTRAL_ROOT",
    "ORGAN_IDS_PATH",
    "PROVINCE_DEPARTMENTS",
    "DepartmentSpec",
]

ORGAN_IDS_PATH = Path(__file__).with_name("organ_ids.json")


@dataclass(frozen=True)
class DepartmentSpec:
    """A unit of the reference list under a committee.

    ``name`` and ``short_name`` may hold ``{committee}`` (e.g. "Tỉnh ủy Cao Bằng") and
    ``{title}`` ("Tỉnh ủy" or "Thành ủy") placeholders, filled per province.
    """

    key: str
    """Last part of the unit's ``source_key`` ("vp" in "vn:p:01:vp")."""
    name: str
    short_name: str


#: The root: the Central Committee of the Party ("Số 12-NQ/TW").
CENTRAL_ROOT = DepartmentSpec("central", "Ban Chấp hành Trung ương Đảng", "TW")

#: The central agencies advising the Central Committee (after the 2025 restructuring).
CENTRAL_DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec("vptw", "Văn phòng Trung ương Đảng", "VPTW"),
    DepartmentSpec("btctw", "Ban Tổ chức Trung ương", "BTCTW"),
    DepartmentSpec("btgdvtw", "Ban Tuyên giáo và Dân vận Trung ương", "BTGDVTW"),
    DepartmentSpec("ubkttw", "Ủy ban Kiểm tra Trung ương", "UBKTTW"),
    DepartmentSpec("bnctw", "Ban Nội chính Trung ương", "BNCTW"),
    DepartmentSpec("bcscltw", "Ban Chính sách, chiến lược Trung ương", "BCSCLTW"),
    DepartmentSpec("bdntw", "Ban Đối ngoại Trung ương", "BĐNTW"),
)

#: The standard departments of every provincial or city committee.
PROVINCE_DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec("vp", "Văn phòng {committee}", "VPTU"),
    DepartmentSpec("btc", "Ban Tổ chức {committee}", "BTCTU"),
    DepartmentSpec("btgdv", "Ban Tuyên giáo và Dân vận {committee}", "BTGDVTU"),
    DepartmentSpec("ubkt", "Ủy ban Kiểm tra {committee}", "UBKTTU"),
    DepartmentSpec("bnc", "Ban Nội chính {committee}", "BNCTU"),
)
