"""Enumerations of the infra app (issue #8 scope 1)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssetKind(models.TextChoices):
    """What a piece of equipment is (the programme's inventory headings)."""

    SERVER = "server", _("server (máy chủ)")
    SWITCH = "switch", _("switch (thiết bị chuyển mạch)")
    ROUTER = "router", _("router (thiết bị định tuyến)")
    SURGE_PROTECTOR = "surge", _("surge protector (thiết bị chống sét)")
    WORKSTATION = "workstation", _("workstation (máy trạm)")
    PRINTER = "printer", _("printer (máy in)")
    UPS = "ups", _("UPS (bộ lưu điện)")
    NETWORK_PORT = "port", _("network port (cổng mạng)")
    OTHER = "other", _("other")


class AssetStatus(models.TextChoices):
    """The state of a piece of equipment."""

    IN_USE = "in_use", _("in use")
    DEGRADED = "degraded", _("degraded")
    BROKEN = "broken", _("broken")
    RETIRED = "retired", _("retired")


class Funding(models.TextChoices):
    """The programme that paid for a piece of equipment."""

    DE_AN_47 = "de_an_47", _("Đề án 47")
    DE_AN_06 = "de_an_06", _("Đề án 06")
    CENTRAL = "central", _("central budget")
    LOCAL = "local", _("local budget")
    OTHER = "other", _("other")


#: The Vietnamese words an inventory spreadsheet uses, folded (no diacritics), per value.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    AssetKind.SERVER: ("may chu", "server"),
    AssetKind.SWITCH: ("thiet bi chuyen mach", "chuyen mach", "switch"),
    AssetKind.ROUTER: ("thiet bi dinh tuyen", "dinh tuyen", "router"),
    AssetKind.SURGE_PROTECTOR: ("thiet bi chong set", "chong set", "surge protector", "surge"),
    AssetKind.WORKSTATION: ("may tram", "may tinh", "workstation", "pc"),
    AssetKind.PRINTER: ("may in", "printer"),
    AssetKind.UPS: ("bo luu dien", "luu dien", "ups"),
    AssetKind.NETWORK_PORT: ("cong mang", "network port", "port"),
    AssetKind.OTHER: ("khac", "other"),
}
STATUS_WORDS: dict[str, tuple[str, ...]] = {
    AssetStatus.IN_USE: ("dang su dung", "tot", "in use"),
    AssetStatus.DEGRADED: ("xuong cap", "hoat dong kem", "degraded"),
    AssetStatus.BROKEN: ("hong", "hu hong", "broken"),
    AssetStatus.RETIRED: ("thanh ly", "da thanh ly", "retired"),
}
FUNDING_WORDS: dict[str, tuple[str, ...]] = {
    Funding.DE_AN_47: ("de an 47", "da 47", "47"),
    Funding.DE_AN_06: ("de an 06", "de an 6", "da 06", "06", "6"),
    Funding.CENTRAL: ("ngan sach trung uong", "trung uong", "central budget", "central"),
    Funding.LOCAL: ("ngan sach dia phuong", "dia phuong", "local budget", "local"),
    Funding.OTHER: ("khac", "other"),
}


class LinkMedium(models.TextChoices):
    """How a unit is connected (issue #8 scope 2)."""

    DEDICATED = "dedicated", _("dedicated data network (mạng truyền số liệu chuyên dùng)")
    FIBRE = "fibre", _("fibre (cáp quang)")
    MEGAWAN = "megawan", _("MegaWAN")
    INTERNET = "internet", _("Internet")
    OTHER = "other", _("other")


class ProbeKind(models.TextChoices):
    """How a unit's reachability is checked."""

    ICMP = "icmp", _("ping (ICMP)")
    TCP = "tcp", _("TCP connection")
    HTTP = "http", _("HTTP(S) request")


class Qualification(models.TextChoices):
    """The highest IT qualification of a staff member."""

    NONE = "none", _("no IT degree")
    INTERMEDIATE = "intermediate", _("vocational (trung cấp)")
    COLLEGE = "college", _("college (cao đẳng)")
    UNIVERSITY = "university", _("university (đại học)")
    POSTGRADUATE = "postgraduate", _("postgraduate (sau đại học)")
