"""Whole numbers in Vietnamese words, for the "Viết bằng chữ" lines of the archive forms
(NĐ 30 Phụ lục V: "Mục lục này gồm … hồ sơ (đơn vị bảo quản). Viết bằng chữ: …")."""

from __future__ import annotations

__all__ = ["in_words"]

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_GROUPS = ("", "nghìn", "triệu", "tỷ")


def _below_thousand(number: int, *, full: bool) -> str:
    """Words for 0 < ``number`` < 1000; ``full`` when a higher group comes before it
    (then "không trăm" and "linh" are said: 1 005 = "một nghìn không trăm linh năm")."""
    hundreds, rest = divmod(number, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        elif units == 4 and tens >= 2:
            words.append("tư")
        else:
            words.append(_DIGITS[units])
    return " ".join(words)


def in_words(number: int) -> str:
    """``number`` (0 or more) in Vietnamese words, as written on official forms:
    21 = "hai mươi mốt", 105 = "một trăm linh năm", 1 234 = "một nghìn hai trăm ba
    mươi tư". The first letter is upper case ("Hai mươi mốt")."""
    if number < 0:
        raise ValueError(number)
    if number == 0:
        return "Không"
    groups: list[int] = []
    rest = number
    while rest:
        rest, group = divmod(rest, 1000)
        groups.append(group)
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        higher = index < len(groups) - 1
        name = _GROUPS[index % 4] if index % 4 else ""
        text = _below_thousand(group, full=higher)
        words.append(f"{text} {name}".strip())
        if index >= 4 and index % 4 == 0:
            words.append("tỷ")
    sentence = " ".join(words)
    return sentence[0].upper() + sentence[1:]
