"""The built-in document types of both conventions (issue #4, scope 1).

Loaded by the data migration ``0002_builtin_types``; administrators add or rename types
in the admin afterwards. The list is keyed by ``(convention, name)``: loading is idempotent
and never overwrites what an administrator changed.

Sources (shared/reference/vn-rules.md):

* State: NĐ 30/2020/NĐ-CP Điều 7 and Phụ lục III Mục I (§1.1), 29 types; copies
  (bản sao) SY, TrS, SL. Công văn and thư công have no abbreviation.
* Party: QĐ 399-QĐ/TW and HD 36-HD/VPTW (§2.2, §2.3). Abbreviations marked ``[I]`` below
  were not read in the official table: they are standard usage (vn-rules.md §2.3, "check
  against the table in QĐ 399 / HD 36"). Types whose abbreviation was seen nowhere
  (Quy hoạch, Tuyên bố, Lời kêu gọi, Chiến lược, Cương lĩnh, Điều lệ) are loaded without
  one: an administrator sets it before numbering such a document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["BUILTIN_TYPES", "STATE_COPY_CODES", "BuiltinType", "builtin_types_load"]

PARTY = "party"
STATE = "state"

#: Copies of State documents share one series, whatever their type, from 01 each
#: 1 January (NĐ 30 Phụ lục I Phần II.II.1.c; vn-rules.md §1.1).
STATE_COPY_CODES = frozenset({"SY", "TrS", "SL"})


@dataclass(frozen=True)
class BuiltinType:
    """One built-in document type."""

    convention: str
    """``party`` or ``state`` (``documents.choices.Convention``)."""
    name: str
    """Tên loại, as written in the type line."""
    code: str
    """Viết tắt, empty when the convention gives none."""
    is_letter: bool = False
    """A công văn: subject "V/v …", no type line."""


def _state(name: str, code: str, *, is_letter: bool = False) -> BuiltinType:
    return BuiltinType(STATE, name, code, is_letter)


def _party(name: str, code: str, *, is_letter: bool = False) -> BuiltinType:
    return BuiltinType(PARTY, name, code, is_letter)


# NĐ 30 Điều 7 + Phụ lục III Mục I, in the order of the law (vn-rules.md §1.1) [C].
_STATE_TYPES = [
    _state("Nghị quyết", "NQ"),
    _state("Quyết định", "QĐ"),
    _state("Chỉ thị", "CT"),
    _state("Quy chế", "QC"),
    _state("Quy định", "QyĐ"),
    _state("Thông cáo", "TC"),
    _state("Thông báo", "TB"),
    _state("Hướng dẫn", "HD"),
    _state("Chương trình", "CTr"),
    _state("Kế hoạch", "KH"),
    _state("Phương án", "PA"),
    _state("Đề án", "ĐA"),
    _state("Dự án", "DA"),
    _state("Báo cáo", "BC"),
    _state("Biên bản", "BB"),
    _state("Tờ trình", "TTr"),
    _state("Hợp đồng", "HĐ"),
    # Công văn: no abbreviation, the ký hiệu is "cơ quan-đơn vị soạn thảo" (§1.2).
    _state("Công văn", "", is_letter=True),
    _state("Công điện", "CĐ"),
    _state("Bản ghi nhớ", "BGN"),
    _state("Bản thỏa thuận", "BTT"),
    _state("Giấy ủy quyền", "GUQ"),
    _state("Giấy mời", "GM"),
    _state("Giấy giới thiệu", "GGT"),
    _state("Giấy nghỉ phép", "GNP"),
    _state("Phiếu gửi", "PG"),
    _state("Phiếu chuyển", "PC"),
    _state("Phiếu báo", "PB"),
    _state("Thư công", ""),
    # Copies (bản sao), vn-rules.md §1.1 [C].
    _state("Bản sao y", "SY"),
    _state("Bản trích sao", "TrS"),
    _state("Bản sao lục", "SL"),
]

# QĐ 399-QĐ/TW + HD 36-HD/VPTW (vn-rules.md §2.2-2.3).
_PARTY_TYPES = [
    _party("Nghị quyết", "NQ"),  # [C] …-NQ/TW
    _party("Quyết định", "QĐ"),  # [C] 37-QĐ/TW
    # "Quy định" is numbered QĐ (66-QĐ/TW, 399-QĐ/TW are Quy định) [C]; the Ban Chấp hành
    # TW also runs a QĐi series (08-QĐi/TW) [C observed, rule I].
    _party("Quy định", "QĐ"),
    _party("Quy định (Ban Chấp hành Trung ương)", "QĐi"),
    _party("Chỉ thị", "CT"),  # [C] 05-CT/TW
    _party("Kết luận", "KL"),  # [C] 01-KL/TW
    _party("Hướng dẫn", "HD"),  # [C] 36-HD/VPTW
    _party("Công văn", "CV", is_letter=True),  # [C-sec] the Party abbreviates it
    # [I] vn-rules.md §2.3: standard usage, not read in the official table.
    _party("Thông báo", "TB"),
    _party("Báo cáo", "BC"),
    _party("Kế hoạch", "KH"),
    _party("Chương trình", "CTr"),
    _party("Tờ trình", "TTr"),
    _party("Quy chế", "QC"),
    _party("Thông tri", "TT"),
    _party("Đề án", "ĐA"),
    _party("Biên bản", "BB"),
    # [I] by analogy with NĐ 30 Phụ lục III (vn-rules.md §2.3 gives no Party table).
    _party("Phương án", "PA"),
    _party("Dự án", "DA"),
    _party("Thông cáo", "TC"),
    _party("Giấy mời", "GM"),
    _party("Giấy giới thiệu", "GGT"),
    _party("Phiếu gửi", "PG"),
    _party("Phiếu chuyển", "PC"),
    # QĐ 399 types with no abbreviation seen in any source (§2.2): set one before use.
    _party("Quy hoạch", ""),
    _party("Tuyên bố", ""),
    _party("Lời kêu gọi", ""),
    _party("Chiến lược", ""),
    _party("Cương lĩnh", ""),
    _party("Điều lệ", ""),
]

#: Every built-in type, State first, each list in its legal order.
BUILTIN_TYPES: tuple[BuiltinType, ...] = (*_STATE_TYPES, *_PARTY_TYPES)


def builtin_types_load(document_type_model: Any) -> int:
    """Create the built-in types that are missing, keyed by ``(convention, name)``.

    Existing rows are left as they are, so an administrator's edits survive a re-run.
    Takes the model as an argument so that a migration can pass its historical model.

    Args:
        document_type_model: ``DocumentType`` (or ``apps.get_model`` of it).

    Returns:
        How many types were created.
    """
    created = 0
    order: dict[str, int] = {}
    for item in BUILTIN_TYPES:
        order[item.convention] = order.get(item.convention, 0) + 10
        _, was_created = document_type_model.objects.get_or_create(
            convention=item.convention,
            name=item.name,
            defaults={
                "code": item.code,
                "is_letter": item.is_letter,
                "sort_order": order[item.convention],
            },
        )
        created += int(was_created)
    return created
