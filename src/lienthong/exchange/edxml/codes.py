"""Names, code lists and field limits of QCVN 102:2016 (vn-rules.md §3.2-3.8).

The labels are the standard's Vietnamese names: they are data exchanged between
systems, not interface text.
"""

from __future__ import annotations

import re
from typing import Final

#: The edXML namespace (vn-rules.md §3.1).
NS: Final = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
#: The XML Signature namespace.
DS: Final = "http://www.w3.org/2000/09/xmldsig#"

#: StatusCode values and their meanings (vn-rules.md §3.6). Codes 07-12 and 14 were never
#: seen in any source: they are reserved and refused.
STATUS_CODES: Final[dict[str, str]] = {
    "01": "Đã đến",
    "02": "Từ chối tiếp nhận",
    "03": "Đã tiếp nhận",
    "04": "Phân công",
    "05": "Đang xử lý",
    "06": "Hoàn thành",
    "13": "Yêu cầu lấy lại",
    "15": "Đồng ý yêu cầu cập nhật, lấy lại",
    "16": "Từ chối yêu cầu cập nhật, lấy lại",
}

#: OtherInfo/Priority (vn-rules.md §3.4: the Bkav checker allows only 0-4).
PRIORITIES: Final[dict[int, str]] = {
    0: "Thường",
    1: "Khẩn",
    2: "Thượng khẩn",
    3: "Hỏa tốc",
    4: "Hỏa tốc hẹn giờ",
}

#: SteeringType (vn-rules.md §3.4).
STEERING_TYPES: Final[dict[int, str]] = {
    0: "Không phải văn bản chỉ đạo",
    1: "Văn bản chỉ đạo",
    2: "Báo cáo chỉ đạo",
}

#: Bussiness/BussinessDocType (vn-rules.md §3.4; "Bussiness" is the standard's spelling).
BUSINESS_DOC_TYPES: Final[dict[int, str]] = {
    0: "Văn bản điện tử mới",
    1: "Thu hồi văn bản điện tử",
    2: "Cập nhật văn bản điện tử",
    3: "Văn bản thay thế",
}

#: DocumentType/Type: only 1 or 2 (vn-rules.md §3.3).
DOCUMENT_TYPES: Final = frozenset({1, 2})

#: Maximum lengths in characters of the MessageHeader fields (vn-rules.md §3.3, from the
#: Bkav checker). Keys are the element paths used in validation messages.
MAX_LENGTHS: Final[dict[str, int]] = {
    "OrganId": 35,  # QĐ 20/2020/QĐ-TTg (vn-rules.md §3.8)
    "OrganizationInCharge": 200,
    "OrganName": 200,
    "OrganAdd": 250,
    "Email": 100,
    "Telephone": 20,
    "Fax": 20,
    "Website": 20,
    "CodeNumber": 11,
    "CodeNotation": 30,
    "Place": 50,
    "TypeName": 100,
    "Subject": 500,
    "Content": 500,
    "Competence": 100,
    "Position": 100,
    "FullName": 50,
    "ToPlaces/Place": 150,
    "SphereOfPromulgation": 100,
    "TyperNotation": 10,
    "Appendix": 250,
}

#: Mã định danh: groups of 0-9/A-Z separated by dots, at most 35 characters; real data
#: does not always have the 13-character QCVN form (vn-rules.md §3.8, `28.22.H17`).
ORGAN_ID: Final = re.compile(r"^[0-9A-Z]+(\.[0-9A-Z]+)*$")

#: What the wire form of every attachment is: a zip archive (vn-rules.md §3.2).
ZIP_TYPES: Final = frozenset({"application/zip", "application/x-zip-compressed"})
